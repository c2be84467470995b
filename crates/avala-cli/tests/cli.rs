//! The `avala` binary's own surface: help, usage errors, a missing database. The whole workflow
//! is driven through this binary by the end-to-end tests in `tests/`.

use std::process::Command;

fn avala(args: &[&str], cwd: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_avala"))
        .args(args)
        .current_dir(cwd)
        .env_remove("AVALA_DATABASE_URL")
        .env_remove("AVALA_ACTOR")
        .output()
        .expect("run avala");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_lists_every_command_of_the_design() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = avala(&["--help"], dir.path());
    assert_eq!(code, 0);
    for command in [
        "init",
        "demo",
        "standard",
        "staff",
        "window",
        "candidate",
        "diagnostic",
        "evaluation",
        "verdict",
        "dictamen",
        "enrollment",
        "withdraw",
        "certificate",
        "report",
        "audit",
    ] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(command)),
            "--help does not list {command}:\n{out}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = avala(&["diagnostic", "record", "1", "--score", "abc"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--score"), "{err}");
    let (code, _, _) = avala(&["no-such-command"], dir.path());
    assert_eq!(code, 2);
}

#[test]
fn a_missing_database_says_to_run_init_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = avala(&["enrollment", "list"], dir.path());
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("avala init"), "{err}");
    assert!(
        !dir.path().join("avala.db").exists(),
        "a read command must not create the database"
    );
}

#[test]
fn init_creates_the_database_config_and_a_private_key() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = avala(&["init"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(dir.path().join("avala.db").exists());
    assert!(dir.path().join("avala.toml").exists());
    let key = dir.path().join("issuer-key.secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let first = std::fs::read(&key).unwrap();
    let (code, _, _) = avala(&["init"], dir.path());
    assert_eq!(code, 0, "init twice is harmless");
    assert_eq!(std::fs::read(&key).unwrap(), first, "init never replaces the key");
}

#[test]
fn a_pipe_closed_early_ends_the_output_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    // More than a pipe holds, read a line of, then the pipe closed (as `| head -1` does).
    let mut child = Command::new(env!("CARGO_BIN_EXE_avala"))
        .args(["cohort", "generate", "20000"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run avala");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("curp,"), "{first}");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "nothing to say about a closed pipe:\n{stderr}");
}

#[test]
fn a_file_name_that_is_not_utf8_is_taken_as_given() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"est\xe1ndar.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_avala"))
        .arg("standard")
        .arg("load")
        .arg(name)
        .current_dir(dir.path())
        .env_remove("AVALA_DATABASE_URL")
        .env_remove("AVALA_ACTOR")
        .output()
        .expect("run avala");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
}
