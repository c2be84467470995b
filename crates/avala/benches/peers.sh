#!/usr/bin/env bash
# Certificate rendering side by side: avala's renderer and the peer scripts an office would
# otherwise use (reportlab, fpdf2), N certificates each (default 500), each written to a file,
# in one run. Usage: bash crates/avala/benches/peers.sh [N]
#
# Installs what the peers need on first use: DejaVu fonts (Debian package) and a virtualenv
# with reportlab and fpdf2 under target/peers-venv. The peer scripts are read from
# ../shared/peers (or AVALA_PEERS_DIR).
set -euo pipefail
n=${1:-500}
root=$(cd "$(dirname "$0")/../../.." && pwd)
peers=${AVALA_PEERS_DIR:-$root/../shared/peers}
venv=$root/target/peers-venv
if [ ! -d /usr/share/fonts/truetype/dejavu ]; then
    apt-get install -y fonts-dejavu-core >/dev/null || { apt-get update >/dev/null && apt-get install -y fonts-dejavu-core >/dev/null; }
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import reportlab, fpdf, qrcode, PIL' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q reportlab==5.1.0 fpdf2==2.8.9 qrcode pillow
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$root"
cargo bench -q -p avala --bench render -- "$n" "$out/avala" | grep '^avala:' | tee "$out/results"
"$venv/bin/python" "$peers/reportlab_certs.py" "$n" "$out/reportlab" | tee -a "$out/results"
"$venv/bin/python" "$peers/fpdf2_certs.py" "$n" "$out/fpdf2" | tee -a "$out/results"
echo
awk '
    { name = $1; sub(":", "", name); split($0, a, "= "); rate[name] = a[2] + 0
      split($0, b, "mean size "); size[name] = b[2] + 0; order[++k] = name }
    END {
        printf "%-10s %16s %14s %14s\n", "renderer", "certificates/s", "KiB each", "avala is"
        for (i = 1; i <= k; i++) {
            r = order[i]
            ratio = (r == "avala") ? "" : sprintf("%.0f× faster", rate["avala"] / rate[r])
            printf "%-10s %16.0f %14.1f %14s\n", r, rate[r], size[r], ratio
        }
    }' "$out/results"
