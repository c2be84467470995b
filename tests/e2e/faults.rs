//! Faults, collected: real processes killed, interrupted, racing each other, and PostgreSQL
//! connections cut. After each, `avala audit verify` passes and no enrollment, certificate or
//! e-mail is lost or doubled. (The runner's own crash tests are in `runner.rs`.)

use std::time::Duration;

use avala_tests::bin;
use avala_tests::smtp::SmtpSink;
use avala_tests::{TestDb, both};
use chrono::Utc;

use crate::Operator;
use crate::runner::{self, approved, check_mail, count, each_effect_once, runner};

both!(
    two_admins_closing_the_same_window_at_once,
    an_import_interrupted_by_ctrl_c_leaves_all_or_nothing,
    a_runner_killed_at_random_points_over_rounds_loses_and_doubles_nothing,
    a_runner_writing_the_outbox_killed_at_random_points_loses_and_doubles_nothing
);

/// `avala audit verify` answers that every chain is intact.
async fn audit_intact(test: &TestDb) {
    let out = bin::avala(
        &test.url,
        &["--format", "json", "audit", "verify"],
        &[("AVALA_ACTOR", "admin")],
        &test.scratch.path(),
    )
    .await;
    out.ok();
    let report = out.json();
    assert!(report["broken"].is_null(), "audit chain broken: {report}");
}

fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name} {pid}");
}

async fn two_admins_closing_the_same_window_at_once(test: TestDb) {
    let op = Operator { test: &test };
    let first = op.set_up().await.to_string();
    op.ok(
        Some("admin"),
        &[
            "staff",
            "add",
            "admin2",
            "--name",
            "Beatriz Ochoa",
            "--email",
            "beatriz@itaip.example",
            "--role",
            "admin",
        ],
    )
    .await;
    for round in 0..5 {
        // A closed window stays closed (rule 1), so each round races over a window of its own.
        let window = if round == 0 {
            first.clone()
        } else {
            op.new_window().await.to_string()
        };
        let close = ["window", "close", window.as_str()];
        let (a, b) = tokio::join!(op.run(Some("admin"), &close), op.run(Some("admin2"), &close));
        let codes = [a.code, b.code];
        // Exactly one closes it; the other is told it is closed already (1) or that someone
        // changed it first (3). Nothing else.
        assert_eq!(
            codes.iter().filter(|c| **c == 0).count(),
            1,
            "round {round}: {codes:?}\n{}\n{}",
            a.stderr,
            b.stderr
        );
        assert!(codes.iter().all(|c| [0, 1, 3].contains(c)), "round {round}: {codes:?}");
        let loser = if a.code == 0 { &b } else { &a };
        assert!(
            loser.stderr.contains("window") && !loser.stderr.contains("panicked"),
            "{}",
            loser.stderr
        );
        let shown = op.json(Some("admin"), &["window", "show", &window]).await;
        assert_eq!(shown["state"], "closed", "{shown}");
    }
    let closings = count(&test, "SELECT COUNT(*) FROM audit_events WHERE kind = 'window.closed'").await;
    assert_eq!(closings, 5, "one closing recorded per round");
    audit_intact(&test).await;
}

async fn an_import_interrupted_by_ctrl_c_leaves_all_or_nothing(test: TestDb) {
    let op = Operator { test: &test };
    let window = op.set_up().await.to_string();
    let n = 20_000;
    let csv = op.cohort(n).await;
    for delay_ms in [50u64, 150, 400] {
        let child = tokio::process::Command::new(bin::path("avala"))
            .args([
                "--db",
                &test.url,
                "--as",
                "admin",
                "candidate",
                "import",
                "--window",
                &window,
                csv.to_str().unwrap(),
            ])
            .current_dir(test.scratch.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        if let Some(pid) = child.id() {
            signal(pid, "INT");
        }
        let out = child.wait_with_output().await.unwrap();
        let registered = count(&test, "SELECT COUNT(*) FROM enrollments").await;
        let events = count(
            &test,
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'enrollment.registered'",
        )
        .await;
        let notices = count(&test, "SELECT COUNT(*) FROM jobs WHERE kind = 'notify'").await;
        // All or nothing, and the three agree.
        assert!(
            registered == 0 || registered == n as i64,
            "after Ctrl-C at {delay_ms} ms: {registered} of {n} registered (exit {:?})",
            out.status.code()
        );
        assert_eq!((events, notices), (registered, registered));
        audit_intact(&test).await;
        if registered == n as i64 {
            assert!(out.status.success(), "the import finished, so it said so");
            return;
        }
        assert!(!out.status.success(), "an interrupted import does not claim success");
    }
    // Interrupted every time: the file still imports in full afterwards.
    op.ok(
        Some("admin"),
        &["candidate", "import", "--window", &window, csv.to_str().unwrap()],
    )
    .await;
    assert_eq!(count(&test, "SELECT COUNT(*) FROM enrollments").await, n as i64);
    audit_intact(&test).await;
}

/// Starts `avala-runner` (with `mail` arguments) over and over, each time killing it with
/// SIGKILL at a pseudo-random point (a fixed sequence, so a failure can be run again) shortly
/// after it did real work (more jobs done than before it started), until `done` or eight
/// rounds; then a last runner finishes the work. Returns the rounds.
async fn killed_over_rounds(test: &TestDb, mail: &[&str], done: impl Fn() -> bool) -> u64 {
    let mut seed: u64 = 0x5eed_1057;
    let mut rounds = 0;
    let mut jobs_done = runner::jobs_done(test).await;
    let mut killed_mid_work = 0;
    while !done() && rounds < 8 {
        rounds += 1;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let after = Duration::from_millis(seed % 1000);
        // Each round starts after the previous runner's leases ran out.
        let now = (Utc::now() + chrono::Duration::minutes(6 * rounds as i64)).to_rfc3339();
        let mut child = tokio::process::Command::new(bin::path("avala-runner"))
            .args(["--db", &test.url, "--poll-interval", "0.2"])
            .args(mail)
            .env("AVALA_NOW", &now)
            .current_dir(test.scratch.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        runner::progress_beyond(test, &mut child, jobs_done, Duration::from_secs(120)).await;
        tokio::time::sleep(after).await;
        child.start_kill().unwrap(); // SIGKILL, wherever it is
        child.wait().await.unwrap();
        let now_done = runner::jobs_done(test).await;
        assert!(now_done > jobs_done, "round {rounds}: no job done ({now_done})");
        jobs_done = now_done;
        if count(test, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await > 0 {
            killed_mid_work += 1;
        }
    }
    assert!(
        killed_mid_work > 0,
        "no round was killed with work left: the kills tested nothing"
    );
    let later = (Utc::now() + chrono::Duration::minutes(6 * (rounds as i64 + 1))).to_rfc3339();
    let mut args = vec!["--once"];
    args.extend(mail);
    runner(test, &args, &[("AVALA_NOW", &later)]).await.ok();
    rounds
}

async fn a_runner_killed_at_random_points_over_rounds_loses_and_doubles_nothing(test: TestDb) {
    let n = 300;
    let emails = approved(&test, n).await;
    let smtp = SmtpSink::start().await;
    let rounds = killed_over_rounds(&test, &["--smtp-url", &smtp.url()], || smtp.certificates().len() >= n).await;
    each_effect_once(&test, n).await;
    // At most the message in flight at each kill is sent twice, with the same Message-ID.
    let duplicates = check_mail(&smtp.messages(), &emails);
    assert!(
        duplicates <= rounds as usize,
        "{duplicates} duplicates over {rounds} kills"
    );
    audit_intact(&test).await;
}

/// The outbox folder: a batch's e-mails are recorded together after they are written, so a
/// kill can leave several written and unrecorded; written again, each lands on its own file.
async fn a_runner_writing_the_outbox_killed_at_random_points_loses_and_doubles_nothing(test: TestDb) {
    let n = 200;
    approved(&test, n).await;
    let outbox = test.scratch.path().join("outbox");
    let files = |suffix: &str| {
        std::fs::read_dir(&outbox)
            .map(|d| {
                d.filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(suffix))
                    .count()
            })
            .unwrap_or(0)
    };
    killed_over_rounds(&test, &[], || files(".certificate.eml") >= n).await;
    each_effect_once(&test, n).await;
    assert_eq!(files(".certificate.eml"), n);
    // One file per e-mail job that wrote one, however many times it was written.
    let written = count(
        &test,
        "SELECT COUNT(*) FROM jobs j WHERE EXISTS \
         (SELECT 1 FROM job_attempts a WHERE a.job_id = j.id AND a.detail LIKE 'written to %')",
    )
    .await;
    assert_eq!(files(".eml") as i64, written);
    audit_intact(&test).await;
}

#[tokio::test]
async fn a_disk_filling_up_midway_refuses_the_import_and_keeps_everything() {
    avala_tests::on_sqlite(|test| async move {
        let op = Operator { test: &test };
        let window = op.set_up().await.to_string();
        let n = 20_000;
        let csv = op.cohort(n).await;
        let before = op.snapshot().await;
        // The process may not grow any file past 1 MiB: the import's write-ahead log meets the
        // limit partway through, as it would a full disk (writes fail with EFBIG; SIGXFSZ is
        // ignored so the write fails instead of the process being killed).
        let limit: libc::rlim_t = 1 << 20;
        let mut command = std::process::Command::new(bin::path("avala"));
        command
            .args([
                "--db",
                &test.url,
                "--as",
                "admin",
                "candidate",
                "import",
                "--window",
                &window,
                csv.to_str().unwrap(),
            ])
            .current_dir(test.scratch.path());
        // SAFETY: between fork and exec only async-signal-safe calls (signal, setrlimit).
        unsafe {
            use std::os::unix::process::CommandExt;
            command.pre_exec(move || {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let cap = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &cap) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let out = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "the import cannot have succeeded:\n{stderr}");
        assert!(
            stderr.starts_with("error:") && !stderr.contains("panicked"),
            "a clear error: {stderr}"
        );
        // Nothing of it was written, and everything from before is as it was.
        assert_eq!(count(&test, "SELECT COUNT(*) FROM enrollments").await, 0);
        assert_eq!(op.snapshot().await, before);
        audit_intact(&test).await;
        // With room again, the same file imports in full.
        op.ok(
            Some("admin"),
            &["candidate", "import", "--window", &window, csv.to_str().unwrap()],
        )
        .await;
        assert_eq!(count(&test, "SELECT COUNT(*) FROM enrollments").await, n as i64);
        audit_intact(&test).await;
    })
    .await;
}

#[tokio::test]
async fn postgresql_connections_cut_mid_run_lose_and_double_nothing() {
    avala_tests::on_postgres("faults_cut", |test| async move {
        let n = 300;
        let emails = approved(&test, n).await;
        let smtp = SmtpSink::start().await;
        let mut child = tokio::process::Command::new(bin::path("avala-runner"))
            .args(["--db", &test.url, "--smtp-url", &smtp.url(), "--poll-interval", "0.2"])
            .current_dir(test.scratch.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(300);
        while smtp.certificates().len() < n / 5 {
            assert!(std::time::Instant::now() < deadline, "the runner made no progress");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Cut every connection the runner has, mid-transaction or not.
        let name = test.url.rsplit('/').next().unwrap().to_string();
        let base = avala_tests::postgres_base().unwrap();
        let admin = avala::store::Db::connect(&base, false).await.unwrap();
        let mut tx = admin.read().await.unwrap();
        let cut: Vec<bool> = avala::on!(&mut tx, c => sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"
        ).bind(&name).fetch_all(c).await.unwrap());
        tx.commit().await.unwrap();
        admin.close().await;
        assert!(!cut.is_empty(), "the runner had connections to cut");
        // The runner either carries on with new connections or stops with an error (a
        // supervisor restarts it); either way, a runner started afterwards finishes the work.
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        while std::time::Instant::now() < deadline
            && smtp.certificates().len() < n
            && child.try_wait().unwrap().is_none()
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.start_kill();
        let _ = child.wait().await;
        let later = (Utc::now() + chrono::Duration::minutes(6)).to_rfc3339();
        runner(&test, &["--once", "--smtp-url", &smtp.url()], &[("AVALA_NOW", &later)])
            .await
            .ok();
        assert_eq!(count(&test, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await, 0);
        assert_eq!(count(&test, "SELECT COUNT(*) FROM certificates").await, n as i64);
        assert_eq!(
            count(
                &test,
                "SELECT COUNT(*) FROM audit_events WHERE kind = 'certificate.rendered'"
            )
            .await,
            n as i64
        );
        assert_eq!(
            count(&test, "SELECT COUNT(*) FROM enrollments WHERE state = 'delivered'").await,
            n as i64
        );
        let duplicates = check_mail(&smtp.messages(), &emails);
        assert!(duplicates <= 1, "{duplicates} duplicates after one cut");
        audit_intact(&test).await;
    })
    .await;
}

/// Makes the test's folder (the database, its write-ahead files, the outbox) read-only to the
/// processes `as_reader` starts, or writable again. As root, whom permissions do not stop,
/// those processes run as `nobody`, for whom root's files are read-only.
fn read_only(dir: &std::path::Path, on: bool) {
    use std::os::unix::fs::PermissionsExt;
    let root = unsafe { libc::geteuid() } == 0;
    let (dirs, files) = match (on, root) {
        (true, false) => (0o555, 0o444),
        _ => (0o755, 0o644),
    };
    fn walk(path: &std::path::Path, dirs: u32, files: u32) {
        for entry in std::fs::read_dir(path).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, dirs, files);
            } else if path.file_name().and_then(|n| n.to_str()) != Some("issuer-key.secret") {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(files)).unwrap();
            }
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(dirs)).unwrap();
    }
    walk(dir, dirs, files);
}

/// Runs a binary for whom `read_only` made the folder read-only.
async fn as_reader(test: &TestDb, binary: &str, args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(bin::path(binary));
    command
        .args(["--db", &test.url])
        .args(args)
        .current_dir(test.scratch.path())
        .env_remove("AVALA_ACTOR")
        .env_remove("AVALA_DATABASE_URL")
        .env_remove("AVALA_SMTP_URL")
        .env_remove("AVALA_NOW")
        .env("AVALA_LANG", "en");
    if unsafe { libc::geteuid() } == 0 {
        // SAFETY: between fork and exec only async-signal-safe calls (setgroups, setgid, setuid).
        unsafe {
            use std::os::unix::process::CommandExt;
            command.pre_exec(|| {
                let nobody = 65534;
                if libc::setgroups(0, std::ptr::null()) != 0 || libc::setgid(nobody) != 0 || libc::setuid(nobody) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_database_turned_read_only_midway_refuses_every_write_and_keeps_everything() {
    avala_tests::on_sqlite(|test| async move {
        let op = Operator { test: &test };
        let window = op.set_up().await.to_string();
        let n = 30;
        let csv = op.cohort(n).await;
        op.ok(
            Some("admin"),
            &["candidate", "import", "--window", &window, csv.to_str().unwrap()],
        )
        .await;
        let second = op.new_window().await.to_string();
        let before = op.snapshot().await;
        let outbox = test.scratch.path().join("outbox");
        let sent = || std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0);
        assert_eq!(sent(), 0);

        // Midway through the cohort the database turns read-only: a command that writes, and
        // the runner with registration notices to send, each refuse with a clear error.
        read_only(&test.scratch.path(), true);
        let attempts: [(&str, Vec<&str>); 3] = [
            ("avala", vec!["--as", "admin", "window", "close", &window]),
            (
                "avala",
                vec![
                    "--as",
                    "admin",
                    "candidate",
                    "import",
                    "--window",
                    &second,
                    csv.to_str().unwrap(),
                ],
            ),
            ("avala-runner", vec!["--once"]),
        ];
        for (binary, args) in &attempts {
            let out = as_reader(&test, binary, args).await;
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !out.status.success(),
                "{binary} {args:?} cannot have succeeded:\n{stderr}"
            );
            assert!(
                stderr.contains("error:") && stderr.contains("read-only") && !stderr.contains("panicked"),
                "{binary} {args:?}: a clear error naming the read-only database:\n{stderr}"
            );
        }
        read_only(&test.scratch.path(), false);

        // Nothing was changed and no e-mail went; writable again, the work goes on, each
        // registration notice sent once.
        assert_eq!(op.snapshot().await, before);
        assert_eq!(sent(), 0);
        runner(&test, &["--once"], &[]).await.ok();
        assert_eq!(sent(), n);
        runner(&test, &["--once"], &[]).await.ok();
        assert_eq!(sent(), n);
        op.ok(
            Some("admin"),
            &["candidate", "import", "--window", &second, csv.to_str().unwrap()],
        )
        .await;
        op.ok(Some("admin"), &["window", "close", &window]).await;
        audit_intact(&test).await;
    })
    .await;
}
