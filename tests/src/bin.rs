//! The real binaries, run as a user runs them.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;

/// What a finished process left behind.
#[derive(Debug, Clone)]
pub struct Output {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Panics with the whole output unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit code {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics unless the process succeeded.
    #[track_caller]
    pub fn ok(&self) -> &Self {
        self.expect_code(0)
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The path of a workspace binary (`avala`, `avala-runner`) built next to this test, checked to
/// be built from the same sources as this test.
///
/// `cargo test --workspace` builds both: each binary's crate has integration tests of its own.
/// `cargo test -p avala-tests` does not, and would leave binaries built from older sources in
/// place; each binary prints the `avala::BUILD_ID` it was built with (`--build-id`), and one that
/// differs from this test's is refused.
pub fn path(name: &str) -> PathBuf {
    static CHECKED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let exe = std::env::current_exe().expect("current test executable");
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let dir = exe.parent().and_then(Path::parent).expect("target directory");
    let bin = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is not built; run the tests with `cargo test --workspace` (it builds the binaries)",
        bin.display()
    );
    let mut checked = CHECKED.lock().unwrap_or_else(|e| e.into_inner());
    if !checked.contains(&bin) {
        check_build_id(&bin);
        checked.push(bin.clone());
    }
    bin
}

/// Panics unless `bin` was built with this test's `avala::BUILD_ID`.
fn check_build_id(bin: &Path) {
    let out = std::process::Command::new(bin)
        .arg("--build-id")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let reported = if out.status.success() {
        format!("build id {id}")
    } else {
        "no build id (it is older than `--build-id`)".to_string()
    };
    assert!(
        out.status.success() && id == avala::BUILD_ID,
        "{} is stale: built from other sources than this test (it reports {reported}, this test was built \
         with {}); rebuild it with `cargo test --workspace` or `cargo build --workspace`",
        bin.display(),
        avala::BUILD_ID,
    );
}

/// Runs `avala` with `--db db` and `args`, with extra environment `env`, in `cwd`.
pub async fn avala<S: AsRef<OsStr>>(db: &str, args: &[S], env: &[(&str, &str)], cwd: &Path) -> Output {
    let mut all: Vec<&OsStr> = vec![OsStr::new("--db"), OsStr::new(db)];
    all.extend(args.iter().map(|a| a.as_ref()));
    // The tests read the command line's messages in English unless they ask for Spanish
    // (`AVALA_LANG=es` in `env`); the binaries' own default is Spanish.
    let mut env = env.to_vec();
    if !env.iter().any(|(k, _)| *k == "AVALA_LANG") {
        env.insert(0, ("AVALA_LANG", "en"));
    }
    run(&path("avala"), &all, &env, cwd).await
}

/// Runs a binary to completion.
pub async fn run<S: AsRef<OsStr>>(bin: &Path, args: &[S], env: &[(&str, &str)], cwd: &Path) -> Output {
    let mut cmd = tokio::process::Command::new(bin);
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env_remove("AVALA_ACTOR")
        .env_remove("AVALA_DATABASE_URL");
    cmd.env_remove("AVALA_SMTP_URL")
        .env_remove("AVALA_NOW")
        .env_remove("AVALA_LANG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
