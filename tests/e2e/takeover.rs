//! Fast takeover: a runner SIGKILLed mid-batch holds its jobs only until its lease runs out, and
//! a live runner keeps every lease while another process holds a long SQLite write transaction.

use std::process::Stdio;
use std::time::Duration;

use avala::store::Db;
use avala_tests::{TestDb, bin, both};
use chrono::{DateTime, Utc};

use super::Operator;
use super::runner::{approved, count, each_effect_once};

both!(a_killed_runner_s_jobs_are_taken_over_once_its_lease_runs_out);

/// `avala-runner` named `name`, polling, leasing jobs for `lease` seconds; e-mail to `outbox/`.
fn spawn_runner(test: &TestDb, name: &str, lease: u32) -> tokio::process::Child {
    let lease = lease.to_string();
    tokio::process::Command::new(bin::path("avala-runner"))
        .args([
            "--db",
            &test.url,
            "--name",
            name,
            "--lease",
            &lease,
            "--poll-interval",
            "0.2",
        ])
        .current_dir(test.scratch.path())
        .env_remove("AVALA_NOW")
        .env_remove("AVALA_SMTP_URL")
        .env_remove("AVALA_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// The jobs `holder` holds, with each lease's expiry.
async fn held(test: &TestDb, holder: &str) -> Vec<(i64, DateTime<Utc>)> {
    let db = Db::connect(&test.url, false).await.unwrap();
    let mut tx = db.read().await.unwrap();
    let rows: Vec<(i64, DateTime<Utc>)> = avala::on!(&mut tx, c => sqlx::query_as(
        "SELECT id, lease_expires_at FROM jobs WHERE state = 'running' AND lease_holder = $1 ORDER BY id"
    ).bind(holder).fetch_all(c).await.unwrap());
    tx.commit().await.unwrap();
    db.close().await;
    rows
}

/// Every attempt recorded: job, runner, when it claimed the job.
async fn attempts(test: &TestDb) -> Vec<(i64, String, DateTime<Utc>)> {
    let db = Db::connect(&test.url, false).await.unwrap();
    let mut tx = db.read().await.unwrap();
    let rows: Vec<(i64, String, DateTime<Utc>)> = avala::on!(&mut tx, c => sqlx::query_as(
        "SELECT job_id, holder, started_at FROM job_attempts ORDER BY id"
    ).fetch_all(c).await.unwrap());
    tx.commit().await.unwrap();
    db.close().await;
    rows
}

/// Files in the test's folder `dir` whose names end with `suffix`.
fn files(test: &TestDb, dir: &str, suffix: &str) -> usize {
    std::fs::read_dir(test.scratch.path().join(dir))
        .map(|entries| {
            entries
                .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(suffix))
                .count()
        })
        .unwrap_or(0)
}

/// Waits until every job is done, the runners still alive.
async fn all_done(test: &TestDb, runners: &mut [&mut tokio::process::Child]) {
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while count(test, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the runners did not finish the queue"
        );
        for child in runners.iter_mut() {
            assert!(child.try_wait().unwrap().is_none(), "a runner exited");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Each certificate's PDF and e-mail written once (the outbox replaces a file written again),
/// each rendered and delivered once in the audit log, each job done by one attempt.
async fn each_file_once(test: &TestDb, n: usize) {
    each_effect_once(test, n).await;
    assert_eq!(files(test, "certificates", ".pdf"), n, "one PDF per certificate");
    assert_eq!(
        files(test, "outbox", ".certificate.eml"),
        n,
        "one e-mail per certificate"
    );
    assert_eq!(
        count(
            test,
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'certificate.delivered'"
        )
        .await,
        n as i64
    );
    assert_eq!(
        count(test, "SELECT COUNT(*) FROM job_attempts WHERE outcome = 'done'").await,
        count(test, "SELECT COUNT(*) FROM jobs").await,
        "each job done once"
    );
}

async fn a_killed_runner_s_jobs_are_taken_over_once_its_lease_runs_out(test: TestDb) {
    const LEASE: u32 = 4;
    let n = 300;
    approved(&test, n).await;
    let mut first = spawn_runner(&test, "first", LEASE);
    // Killed once it rendered some certificates, with a batch in hand.
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while count(&test, "SELECT COUNT(*) FROM certificate_files").await == 0 || held(&test, "first").await.is_empty() {
        assert!(std::time::Instant::now() < deadline, "the runner rendered nothing");
        assert!(first.try_wait().unwrap().is_none(), "the runner exited");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.start_kill().unwrap(); // SIGKILL: no chance to give anything back
    let status = first.wait().await.unwrap();
    let killed = Utc::now();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(9),
        "the runner was killed, not exited: {status:?}"
    );
    let rendered = count(&test, "SELECT COUNT(*) FROM certificate_files").await;
    assert!(rendered < n as i64, "killed mid-batch ({rendered} of {n} rendered)");
    let lost = held(&test, "first").await;
    if lost.is_empty() {
        let db = Db::connect(&test.url, false).await.unwrap();
        let mut tx = db.read().await.unwrap();
        let rows: Vec<(String, Option<String>, i64)> = avala::on!(&mut tx, c => sqlx::query_as(
            "SELECT state, lease_holder, COUNT(*) FROM jobs GROUP BY state, lease_holder"
        ).fetch_all(c).await.unwrap());
        panic!("the runner was killed with no jobs in hand: {rows:?}");
    }
    let lease = chrono::Duration::seconds(i64::from(LEASE));
    for (id, expires) in &lost {
        // Its last heartbeat was before the kill: the lease ends at most one lease after it.
        assert!(
            *expires <= killed + lease,
            "job {id}: leased until {expires}, more than a lease after the kill at {killed}"
        );
    }
    // An administrator sees who holds them and until when, in each language.
    let op = Operator { test: &test };
    let id = lost[0].0.to_string();
    let shown = op.json(Some("admin"), &["jobs", "show", &id]).await;
    assert_eq!(shown["job"]["lease_holder"], "first", "{shown}");
    let until: DateTime<Utc> = shown["job"]["lease_expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(until, lost[0].1);
    let listed = op.json(Some("admin"), &["jobs", "list", "--state", "running"]).await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["lease_holder"] == "first" && j["lease_expires_at"].is_string()),
        "{listed}"
    );
    let table = op.ok(Some("admin"), &["jobs", "list", "--state", "running"]).await;
    assert!(
        table.stdout.contains("RUNNER") && table.stdout.contains("LEASE UNTIL") && table.stdout.contains("first"),
        "{}",
        table.stdout
    );
    let es = op.ok(Some("admin"), &["--lang", "es", "jobs", "show", &id]).await;
    assert!(
        es.stdout.contains("ejecutor") && es.stdout.contains("reservada hasta") && es.stdout.contains("first"),
        "{}",
        es.stdout
    );
    // A second runner, started at once, finishes everything.
    let mut second = spawn_runner(&test, "second", LEASE);
    all_done(&test, &mut [&mut second]).await;
    second.start_kill().unwrap();
    second.wait().await.unwrap();
    let attempts = attempts(&test).await;
    for (id, expires) in &lost {
        let taken: Vec<&DateTime<Utc>> = attempts
            .iter()
            .filter(|(job, _, _)| job == id)
            .map(|(_, holder, at)| {
                assert_eq!(holder, "second", "job {id} was finished by the second runner alone");
                at
            })
            .collect();
        assert_eq!(taken.len(), 1, "job {id}: one attempt recorded");
        let taken = *taken[0];
        // Not before the dead runner's lease ran out...
        assert!(
            taken > *expires,
            "job {id} taken at {taken}, its lease ran to {expires}"
        );
        // ... and at the second runner's first claim after it: it claimed nothing else since.
        let meanwhile = attempts
            .iter()
            .filter(|(job, holder, at)| {
                holder == "second" && !lost.iter().any(|(l, _)| l == job) && *at > *expires && *at < taken
            })
            .count();
        assert_eq!(
            meanwhile, 0,
            "job {id}: other jobs were claimed before it, after its lease ran out"
        );
    }
    each_file_once(&test, n).await;
    op.ok(Some("admin"), &["audit", "verify"]).await;
}

/// Another process holds SQLite's write lock for half a lease at a time (as a long import or a
/// large lote does) while two runners work: neither loses a lease to the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_write_transaction_costs_no_live_runner_its_lease() {
    avala_tests::on_sqlite(|test| async move {
        const LEASE: u32 = 8;
        let n = 300;
        approved(&test, n).await;
        let mut one = spawn_runner(&test, "one", LEASE);
        let mut two = spawn_runner(&test, "two", LEASE);
        let db = Db::connect(&test.url, false).await.unwrap();
        let mut holds_with_jobs_in_hand = 0;
        for _ in 0..4 {
            // Once the runners have jobs in hand.
            while count(&test, "SELECT COUNT(*) FROM jobs WHERE state = 'running'").await == 0
                && count(&test, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await > 0
            {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let mut tx = db.write().await.unwrap();
            let running: i64 = avala::on!(&mut tx, c => sqlx::query_scalar(
                "SELECT COUNT(*) FROM jobs WHERE state = 'running'"
            ).fetch_one(c).await.unwrap());
            if running > 0 {
                holds_with_jobs_in_hand += 1;
            }
            // Half a lease: three heartbeat intervals.
            tokio::time::sleep(Duration::from_secs(u64::from(LEASE) / 2)).await;
            tx.commit().await.unwrap();
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        db.close().await;
        assert!(
            holds_with_jobs_in_hand >= 3,
            "the write lock was held while the runners had jobs in hand ({holds_with_jobs_in_hand} times)"
        );
        all_done(&test, &mut [&mut one, &mut two]).await;
        for child in [&mut one, &mut two] {
            child.start_kill().unwrap();
            child.wait().await.unwrap();
        }
        assert_eq!(
            count(&test, "SELECT COUNT(*) FROM jobs WHERE attempts > 1").await,
            0,
            "no job was taken over from a live runner"
        );
        each_file_once(&test, n).await;
    })
    .await;
}
