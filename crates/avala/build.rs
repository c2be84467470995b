// Migrations are embedded with `sqlx::migrate!`; rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
    build_id();
}

/// `avala::BUILD_ID`: a hash over the sources the library and both binaries are built from, so
/// the tests can tell a stale `avala` or `avala-runner` (built from other sources than the test
/// itself) and refuse to run it (`tests/src/bin.rs`; the binaries print it with `--build-id`).
fn build_id() {
    use std::hash::Hasher;
    let sources = [
        "src",
        "assets",
        "build.rs",
        "Cargo.toml",
        "../../migrations",
        "../../Cargo.lock",
        "../avala-cli/src",
        "../avala-cli/Cargo.toml",
        "../avala-runner/src",
        "../avala-runner/Cargo.toml",
    ];
    let mut files = Vec::new();
    for source in sources {
        println!("cargo:rerun-if-changed={source}");
        collect(std::path::Path::new(source), &mut files);
    }
    files.sort();
    // SipHash with fixed keys: the same sources give the same id in every build script run.
    let mut hash = std::hash::DefaultHasher::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        hash.write(file.to_string_lossy().as_bytes());
        hash.write_usize(bytes.len());
        hash.write(&bytes);
    }
    println!("cargo:rustc-env=AVALA_BUILD_ID={:016x}", hash.finish());
}

fn collect(path: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())) {
            collect(&entry.unwrap().path(), files);
        }
    } else if path.exists() {
        files.push(path.to_path_buf());
    }
}
