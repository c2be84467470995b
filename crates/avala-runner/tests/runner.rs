//! The `avala-runner` binary's own surface; the full runs are in the end-to-end tests in `tests/`.

use std::process::Command;

fn runner(args: &[&str], cwd: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_avala-runner"))
        .args(args)
        .current_dir(cwd)
        .env_remove("AVALA_DATABASE_URL")
        .env_remove("AVALA_SMTP_URL")
        .output()
        .expect("run avala-runner");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_names_the_options() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = runner(&["--help"], dir.path());
    assert_eq!(code, 0);
    for option in ["--once", "--smtp-url", "--poll-interval", "--db"] {
        assert!(out.contains(option), "--help does not mention {option}:\n{out}");
    }
}

#[test]
fn a_missing_database_is_an_error_not_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = runner(&["--once"], dir.path());
    assert_ne!(code, 0);
    assert!(err.contains("avala init"), "{err}");
    assert!(!dir.path().join("avala.db").exists());
}

#[test]
fn the_error_names_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = runner(&["--once", "--db", "nowhere/avala.db"], dir.path());
    assert_ne!(code, 0);
    assert!(err.contains("nowhere/avala.db"), "the error names the database: {err}");
}
