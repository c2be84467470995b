#!/usr/bin/env python3
"""Checks an avala inclusion proof with the issuer's public key and nothing else.

    python3 verify_proof.py PROOF.json ISSUER_PUBLIC_KEY_HEX

Independent of avala's code: the format is docs/AUDIT.md's. Needs `cryptography` (Ed25519).
Exit 0 and "proof holds" when it does; exit 1 and what does not hold otherwise.
"""
import hashlib, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def canonical(value):  # RFC 8785 for avala's values: integers, strings, objects, arrays
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True).encode("utf-8")

def sha(*parts):
    return hashlib.sha256(b"".join(parts)).digest()

def fail(why):
    print("proof does not hold:", why); sys.exit(1)

proof = json.load(open(sys.argv[1], encoding="utf-8"))
key = bytes.fromhex(sys.argv[2])
event, leaf, head = proof["event"], proof["leaf"], proof["checkpoint"]
if proof["format"] != "avala-proof/1" or event["v"] != 2: fail("unknown format")
# 1. The event, then each later event's digest, lead to the stream's head.
h = sha(bytes.fromhex(proof["prev"]), sha(canonical(event)))
for digest in proof["later"]:
    h = sha(h, bytes.fromhex(digest))
if leaf["stream"] != event["stream"] or leaf["length"] != event["seq"] + len(proof["later"]):
    fail("the leaf is not the event's stream")
if h.hex() != leaf["head"]: fail("the event does not lead to its stream's head")
# 2. The leaf's Merkle path leads to the signed root (RFC 9162, section 2.1.3.2).
r, fn, sn = sha(b"\x00", canonical(leaf)), proof["index"], head["streams"] - 1
if fn > sn: fail("leaf index outside the tree")
for p in map(bytes.fromhex, proof["path"]):
    if sn == 0: fail("path too long")
    if fn & 1 or fn == sn:
        r = sha(b"\x01", p, r)
        while fn & 1 == 0 and fn != 0:
            fn, sn = fn >> 1, sn >> 1
    else:
        r = sha(b"\x01", r, p)
    fn, sn = fn >> 1, sn >> 1
if sn != 0 or r.hex() != head["root"]: fail("the path does not lead to the signed root")
# 3. The root is signed by the issuer's key, under the checkpoint context.
if proof["public_key"] != key.hex(): fail("signed by another key than the one given")
if hashlib.sha256(key).hexdigest()[:16] != head["key_id"]: fail("key id mismatch")
signature = __import__("base64").urlsafe_b64decode(proof["signature"] + "==")
try:
    Ed25519PublicKey.from_public_bytes(key).verify(
        signature, b"avala audit checkpoint v1\n" + canonical(head))
except Exception:
    fail("the checkpoint's signature does not hold")
print(f"proof holds: event {event['seq']} of {event['stream']} ({event['kind']}) "
      f"is in the checkpoint of {head['at']}, root {head['root']}")
