//! A runner killed mid-batch, and a second one taking its work over:
//! `cargo bench -p avala-tests --bench takeover -- [CERTIFICATES] [LEASE]`
//! (defaults 2,000 and the runner's default lease, 30 s; build the binaries first with
//! `cargo build --release --workspace`). `cargo test -p avala-tests --bench takeover -- 2000`
//! runs it against the debug binaries.
//!
//! On a fresh SQLite database, CERTIFICATES candidates are taken through the library to an
//! approved dictamen (CERTIFICATES render jobs, as many deliveries and five notices each). A
//! runner starts; once it has rendered a quarter of the certificates it is SIGKILLed with a batch
//! in hand, and a second runner starts at once. Reports the time from the kill to everything
//! done, how long the dead runner's leases still had to run at the kill, when the second runner
//! took them over, and when it had done the queued work and the work it took over.

use std::process::Stdio;
use std::time::{Duration, Instant};

use avala::store::Db;
use chrono::{DateTime, Utc};

async fn scalar(db: &Db, sql: &'static str) -> i64 {
    let mut tx = db.read().await.unwrap();
    let n: i64 = avala::on!(&mut tx, c => sqlx::query_scalar(sql).fetch_one(c).await.unwrap());
    tx.commit().await.unwrap();
    n
}

fn runner(db: &str, dir: &std::path::Path, name: &str, lease: &Option<String>) -> std::process::Child {
    let mut args = vec!["--db", db, "--name", name, "--poll-interval", "0.2"];
    if let Some(lease) = lease {
        args.extend(["--lease", lease.as_str()]);
    }
    std::process::Command::new(avala_tests::bin::path("avala-runner"))
        .args(args)
        .current_dir(dir)
        .env_remove("AVALA_NOW")
        .env_remove("AVALA_SMTP_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let lease: Option<String> = args.get(1).cloned();
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("avala.db").to_string_lossy().into_owned();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = Db::open(&url).await.unwrap();
        let t = Instant::now();
        avala_tests::process::approved(&db, dir.path(), n).await;
        let jobs = scalar(&db, "SELECT COUNT(*) FROM jobs").await;
        println!("set up: {n} approved candidates, {jobs} jobs queued, in {:.1} s", t.elapsed().as_secs_f64());
        let mut first = runner(&url, dir.path(), "first", &lease);
        let started = Instant::now();
        while scalar(&db, "SELECT COUNT(*) FROM certificate_files").await < (n / 4) as i64 {
            assert!(first.try_wait().unwrap().is_none(), "the first runner exited");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        first.kill().unwrap(); // SIGKILL
        first.wait().unwrap();
        let killed_at = Instant::now();
        let killed = Utc::now();
        let before = started.elapsed();
        let mut tx = db.read().await.unwrap();
        let held: Vec<DateTime<Utc>> = avala::on!(&mut tx, c => sqlx::query_scalar(
            "SELECT lease_expires_at FROM jobs WHERE state = 'running' AND lease_holder = 'first'"
        ).fetch_all(c).await.unwrap());
        tx.commit().await.unwrap();
        let done_then = scalar(&db, "SELECT COUNT(*) FROM jobs WHERE state = 'done'").await;
        let last_expiry = held.iter().max().copied();
        let mut second = runner(&url, dir.path(), "second", &lease);
        while scalar(&db, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await > 0 {
            assert!(second.try_wait().unwrap().is_none(), "the second runner exited");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let to_done = killed_at.elapsed();
        second.kill().unwrap();
        second.wait().unwrap();
        let mut tx = db.read().await.unwrap();
        let (first_claim, last_claim): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = avala::on!(&mut tx, c => sqlx::query_as(
            "SELECT MIN(started_at), MAX(started_at) FROM job_attempts WHERE holder = 'second' AND attempt > 1"
        ).fetch_one(c).await.unwrap());
        let queued_done: Option<DateTime<Utc>> = avala::on!(&mut tx, c => sqlx::query_scalar(
            "SELECT MAX(finished_at) FROM job_attempts WHERE holder = 'second' AND attempt = 1"
        ).fetch_one(c).await.unwrap());
        let taken_done: Option<DateTime<Utc>> = avala::on!(&mut tx, c => sqlx::query_scalar(
            "SELECT MAX(finished_at) FROM job_attempts WHERE holder = 'second' AND attempt > 1"
        ).fetch_one(c).await.unwrap());
        tx.commit().await.unwrap();
        let secs = |d: Option<chrono::Duration>| d.map(|d| format!("{:.1} s", d.num_milliseconds() as f64 / 1000.0)).unwrap_or("-".into());
        println!(
            "killed after {:.1} s of work, {done_then} of {jobs} jobs done, {} jobs in hand",
            before.as_secs_f64(),
            held.len()
        );
        println!("its leases ran on {} after the kill", secs(last_expiry.map(|e| e - killed)));
        println!(
            "the second runner took them over {} to {} after the kill",
            secs(first_claim.map(|t| t - killed)),
            secs(last_claim.map(|t| t - killed))
        );
        println!(
            "the second runner did the queued work by {} after the kill, and the jobs it took over {} after",
            secs(queued_done.map(|t| t - killed)),
            secs(taken_done.map(|t| t - killed))
        );
        println!("kill to everything done: {:.1} s", to_done.as_secs_f64());
        db.close().await;
    });
}
