//! The runner as operators must trust it, with real processes and a real SMTP server: refusals
//! and outages, leases, several runners on one PostgreSQL, a runner killed mid-batch, schedules.

use std::collections::HashMap;
use std::time::Duration;

use avala::store::Db;
use avala_tests::bin;
use avala_tests::smtp::{Received, SmtpSink};
use avala_tests::{TestDb, both};
use chrono::Utc;

use super::Operator;

both!(
    a_refusal_is_dead_and_reported_and_an_outage_is_retried,
    an_expired_lease_is_claimed_again_and_a_live_one_is_not,
    a_runner_killed_mid_batch_loses_nothing_and_doubles_nothing,
    windows_open_and_close_on_schedule_and_overdue_processes_are_reported,
    one_bad_record_fails_its_job_alone,
    every_dead_job_is_retried_in_one_command,
    a_relay_down_for_six_hours_loses_nothing,
);

/// `n` candidates taken through the library to an approved dictamen: `n` render jobs queued.
/// Returns the candidates' e-mail addresses.
pub(crate) async fn approved(test: &TestDb, n: usize) -> Vec<String> {
    let db = Db::open(&test.url).await.unwrap();
    let emails = avala_tests::process::approved(&db, &test.scratch.path(), n).await;
    db.close().await;
    emails
}

pub(crate) async fn runner(test: &TestDb, args: &[&str], env: &[(&str, &str)]) -> bin::Output {
    let mut all = vec!["--db", test.url.as_str()];
    all.extend(args);
    bin::run(&bin::path("avala-runner"), &all, env, &test.scratch.path()).await
}

/// After a run of `n` approved candidates, however it was interrupted: every job done, and
/// each certificate issued, stored, rendered (one audit event) and delivered exactly once.
pub(crate) async fn each_effect_once(test: &TestDb, n: usize) {
    let n = n as i64;
    assert_eq!(count(test, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await, 0);
    assert_eq!(count(test, "SELECT COUNT(*) FROM certificates").await, n);
    assert_eq!(count(test, "SELECT COUNT(*) FROM certificate_files").await, n);
    assert_eq!(
        count(
            test,
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'certificate.rendered'"
        )
        .await,
        n
    );
    assert_eq!(
        count(test, "SELECT COUNT(*) FROM enrollments WHERE state = 'delivered'").await,
        n
    );
}

/// Scalar from SQL on the test database.
pub(crate) async fn count(test: &TestDb, sql: &'static str) -> i64 {
    let db = Db::connect(&test.url, false).await.unwrap();
    let mut tx = db.read().await.unwrap();
    let n: i64 = avala::on!(&mut tx, c => sqlx::query_scalar(sql).fetch_one(c).await.unwrap());
    tx.commit().await.unwrap();
    db.close().await;
    n
}

/// Jobs done so far: the progress a killed runner must have made before it is killed.
pub(crate) async fn jobs_done(test: &TestDb) -> i64 {
    count(test, "SELECT COUNT(*) FROM jobs WHERE state = 'done'").await
}

/// Waits until the runner `child` has done more jobs than `before` (real work, not just its
/// start-up), and returns how many. A runner that does nothing for `patience` fails the test:
/// killing it then would test nothing.
pub(crate) async fn progress_beyond(
    test: &TestDb,
    child: &mut tokio::process::Child,
    before: i64,
    patience: Duration,
) -> i64 {
    let deadline = std::time::Instant::now() + patience;
    loop {
        let done = jobs_done(test).await;
        if done > before {
            return done;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the runner exited before doing any work ({done} jobs done)"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the runner did no work in {patience:?} ({done} jobs done): killing it would test nothing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every recipient got at least one message; duplicates share their Message-ID. Returns how
/// many messages were duplicates.
pub(crate) fn check_mail(messages: &[Received], emails: &[String]) -> usize {
    let mut by_id: HashMap<String, Vec<&Received>> = HashMap::new();
    for m in messages {
        by_id
            .entry(m.header("Message-ID").expect("Message-ID"))
            .or_default()
            .push(m);
    }
    for (id, copies) in &by_id {
        assert!(
            copies.windows(2).all(|w| w[0].to == w[1].to),
            "{id} went to different people"
        );
    }
    let received: std::collections::HashSet<&str> =
        messages.iter().flat_map(|m| m.to.iter().map(String::as_str)).collect();
    for e in emails {
        assert!(received.contains(e.as_str()), "{e} received nothing");
    }
    messages.len() - by_id.len()
}

async fn a_refusal_is_dead_and_reported_and_an_outage_is_retried(test: TestDb) {
    let emails = approved(&test, 6).await;
    // The mail server is down: every delivery is retried later, nothing is lost.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = runner(&test, &["--once", "--smtp-url", &down], &[]).await;
    out.ok();
    // 6 certificates and 24 notices (registration, diagnostic, verdict, dictamen for each of 6).
    assert!(
        out.stdout
            .contains("6 certificado(s) generados, 0 correo(s) con certificado y 0 aviso(s)")
            && out.stdout.contains("30 por reintentar"),
        "{}",
        out.stdout
    );
    assert_eq!(
        count(
            &test,
            "SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND last_error IS NOT NULL"
        )
        .await,
        30
    );
    // It comes back, and one address is refused for good (550).
    let smtp = SmtpSink::start().await;
    smtp.refuse(&emails[2]);
    let later = (Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let out = runner(&test, &["--once", "--smtp-url", &smtp.url()], &[("AVALA_NOW", &later)]).await;
    out.ok();
    // The refused address's certificate and four notices are dead; everything else went.
    assert!(
        out.stdout.contains("5 correo(s) con certificado y 20 aviso(s)")
            && out.stdout.contains("5 fallidos definitivamente"),
        "{}",
        out.stdout
    );
    assert_eq!(smtp.certificates().len(), 5);
    assert_eq!(check_mail(&smtp.messages(), &[&emails[..2], &emails[3..]].concat()), 0);
    // The dead job says why, attempt by attempt; the report counts the refusal.
    let op = Operator { test: &test };
    let dead = op.json(Some("admin"), &["jobs", "list", "--state", "dead"]).await;
    assert_eq!(dead.as_array().unwrap().len(), 5);
    let dead: Vec<&serde_json::Value> = dead
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["kind"] == "deliver_certificate")
        .collect();
    assert_eq!(dead.len(), 1);
    let shown = op
        .json(Some("admin"), &["jobs", "show", &dead[0]["id"].to_string()])
        .await;
    let attempts = shown["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{shown}");
    assert_eq!(attempts[0]["outcome"], "retry");
    assert_eq!(attempts[1]["outcome"], "dead");
    assert!(attempts[1]["detail"].as_str().unwrap().contains("550"), "{shown}");
    let delivered = op.json(Some("admin"), &["jobs", "list", "--state", "done"]).await;
    let a_delivery = delivered
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["kind"] == "deliver_certificate")
        .unwrap();
    let shown = op
        .json(Some("admin"), &["jobs", "show", &a_delivery["id"].to_string()])
        .await;
    assert!(
        shown["attempts"].as_array().unwrap().last().unwrap()["detail"]
            .as_str()
            .unwrap()
            .starts_with("250"),
        "{shown}"
    );
    let report = op.ok(Some("admin"), &["report"]).await;
    assert!(
        report.stdout.contains("e-mail refused  1") || report.stdout.contains("e-mail refused"),
        "{}",
        report.stdout
    );
    // Fixed at the source, an administrator retries it.
    let smtp_ok = SmtpSink::start().await;
    op.ok(Some("admin"), &["jobs", "retry", &dead[0]["id"].to_string()])
        .await;
    runner(&test, &["--once", "--smtp-url", &smtp_ok.url()], &[]).await.ok();
    assert_eq!(smtp_ok.messages().len(), 1);
    assert!(smtp_ok.messages()[0].is_certificate());
    assert!(smtp_ok.messages()[0].is_certificate());
    assert_eq!(smtp_ok.messages()[0].to, [emails[2].clone()]);
    let report = op.ok(Some("admin"), &["report"]).await;
    assert!(!report.stdout.contains("e-mail refused"), "{}", report.stdout);
    op.ok(Some("admin"), &["audit", "verify"]).await;
}

/// Runs `sql` with `args` bound on the test database, as someone with the database file could.
pub(crate) async fn tamper(test: &TestDb, sql: &'static str, args: &[&str]) {
    let db = Db::connect(&test.url, false).await.unwrap();
    let mut tx = db.write().await.unwrap();
    avala::on!(&mut tx, c => {
        let mut q = sqlx::query(sql);
        for a in args {
            q = q.bind(*a);
        }
        q.execute(c).await.unwrap().rows_affected()
    });
    tx.commit().await.unwrap();
    db.close().await;
}

async fn one_bad_record_fails_its_job_alone(test: TestDb) {
    let emails = approved(&test, 200).await;
    // Written into the database directly, past every check: a name with a line break (it made
    // lettre panic and the runner exit 5, batch after batch) and a 131 KB name (too long for
    // any QR code; it was retried as if the next try could succeed).
    tamper(
        &test,
        "UPDATE certificates SET holder_name = $1 WHERE id = (SELECT MIN(id) FROM certificates)",
        &["Juan\r\nBcc: intruso@example.com"],
    )
    .await;
    let huge = "a".repeat(131_072);
    tamper(
        &test,
        "UPDATE certificates SET holder_name = $1 WHERE id = (SELECT MIN(id) + 1 FROM certificates)",
        &[&huge],
    )
    .await;
    let smtp = SmtpSink::start().await;
    let out = runner(&test, &["--once", "--smtp-url", &smtp.url()], &[("AVALA_LANG", "en")]).await;
    out.ok();
    assert!(
        out.stdout
            .contains("199 certificate(s) rendered, 199 certificate e-mail(s)")
            && out.stdout.contains("1 failed for good"),
        "{}",
        out.stdout
    );
    assert_eq!(smtp.certificates().len(), 199);
    // The one that cannot be rendered is dead at once, after one attempt, saying why.
    let op = Operator { test: &test };
    let dead = op.json(Some("admin"), &["jobs", "list", "--state", "dead"]).await;
    let dead = dead.as_array().unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["kind"], "render_certificate");
    assert_eq!(dead[0]["attempts"], 1);
    let why = dead[0]["last_error"].as_str().unwrap();
    assert!(why.contains("QR"), "{why}");
    // The name with a line break went out on one line, and the line added no recipient.
    let messages = smtp.messages();
    assert!(
        messages
            .iter()
            .all(|m| m.header("Bcc").is_none() && m.to.iter().all(|to| !to.contains("intruso"))),
        "the line break added a recipient"
    );
    use base64::Engine as _;
    let one_line = base64::engine::general_purpose::STANDARD.encode("Juan Bcc: intruso@example.com");
    let juan = messages
        .iter()
        .filter(|m| m.header("To").is_some_and(|to| to.contains(&one_line)))
        .count();
    assert_eq!(juan, 1, "Juan's certificate went out once, his name on one line");
    assert_eq!(
        check_mail(&messages, &emails[..]),
        0,
        "every candidate got their mail once"
    );
    assert_eq!(
        count(&test, "SELECT COUNT(*) FROM jobs WHERE state NOT IN ('done', 'dead')").await,
        0
    );
}

async fn a_relay_down_for_six_hours_loses_nothing(test: TestDb) {
    let emails = approved(&test, 3).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    // The relay is down for six hours; a runner polls every 20 minutes (an injected clock).
    // With 8 attempts 30 s × 2ⁿ apart, everything was dead after about an hour.
    let start = Utc::now();
    for k in 0..=18 {
        let at = (start + chrono::Duration::minutes(20 * k)).to_rfc3339();
        runner(&test, &["--once", "--smtp-url", &down], &[("AVALA_NOW", &at)])
            .await
            .ok();
    }
    assert_eq!(count(&test, "SELECT COUNT(*) FROM jobs WHERE state = 'dead'").await, 0);
    assert!(
        count(&test, "SELECT MAX(attempts) FROM jobs").await > 8,
        "the jobs were tried more than their first budget of attempts"
    );
    // Back after six hours: everything goes, once.
    let smtp = SmtpSink::start().await;
    let later = (start + chrono::Duration::hours(7)).to_rfc3339();
    runner(&test, &["--once", "--smtp-url", &smtp.url()], &[("AVALA_NOW", &later)])
        .await
        .ok();
    assert_eq!(smtp.certificates().len(), 3);
    assert_eq!(check_mail(&smtp.messages(), &emails), 0, "each message once");
    assert_eq!(count(&test, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await, 0);
}

async fn every_dead_job_is_retried_in_one_command(test: TestDb) {
    let emails = approved(&test, 4).await;
    // The relay refuses everyone (550): every certificate e-mail and notice is dead.
    let smtp = SmtpSink::start().await;
    for e in &emails {
        smtp.refuse(e);
    }
    runner(&test, &["--once", "--smtp-url", &smtp.url()], &[]).await.ok();
    let op = Operator { test: &test };
    let dead = op.json(Some("admin"), &["jobs", "list", "--state", "dead"]).await;
    assert_eq!(dead.as_array().unwrap().len(), 20, "{dead}");
    // Fixed at the relay: the certificates first, in one command, each audited.
    let events = count(&test, "SELECT COUNT(*) FROM audit_events WHERE kind = 'job.retried'").await;
    let out = op
        .run(
            Some("admin"),
            &["jobs", "retry", "--dead", "--kind", "deliver_certificate"],
        )
        .await;
    out.ok();
    assert!(out.stdout.contains("4 dead job(s) queued again"), "{}", out.stdout);
    assert_eq!(
        count(&test, "SELECT COUNT(*) FROM audit_events WHERE kind = 'job.retried'").await,
        events + 4
    );
    let smtp_ok = SmtpSink::start().await;
    runner(&test, &["--once", "--smtp-url", &smtp_ok.url()], &[]).await.ok();
    assert_eq!(smtp_ok.certificates().len(), 4);
    assert_eq!(smtp_ok.messages().len(), 4, "the notices are still dead");
    let out = op
        .run(Some("admin"), &["--lang", "es", "jobs", "retry", "--dead"])
        .await;
    out.ok();
    assert!(
        out.stdout.contains("16 tarea(s) muerta(s) de nuevo en cola"),
        "{}",
        out.stdout
    );
    runner(&test, &["--once", "--smtp-url", &smtp_ok.url()], &[]).await.ok();
    assert_eq!(smtp_ok.messages().len(), 20);
    // A kind that does not exist, and neither an id nor --dead, are refused.
    let out = op
        .run(Some("admin"), &["jobs", "retry", "--dead", "--kind", "render"])
        .await;
    out.expect_code(1);
    assert!(out.stderr.contains("render_certificate"), "{}", out.stderr);
    op.run(Some("admin"), &["jobs", "retry"]).await.expect_code(2);
    // The listing shows each lease's expiry.
    let table = op.ok(Some("admin"), &["jobs", "list"]).await;
    assert!(table.stdout.contains("LEASE UNTIL"), "{}", table.stdout);
    op.ok(Some("admin"), &["audit", "verify"]).await;
}

async fn an_expired_lease_is_claimed_again_and_a_live_one_is_not(test: TestDb) {
    approved(&test, 1).await;
    let db = Db::open(&test.url).await.unwrap();
    let now = Utc::now();
    let lease = chrono::Duration::minutes(5);
    // Leave only the certificate's render job in the queue.
    let mut tx = db.write().await.unwrap();
    avala::on!(&mut tx, c => sqlx::query("UPDATE jobs SET state = 'done' WHERE kind = 'notify'")
        .execute(c).await.unwrap().rows_affected());
    tx.commit().await.unwrap();
    let first = avala::jobs::claim(&db, "runner-a", now, lease)
        .await
        .unwrap()
        .expect("a job is due");
    assert!(
        avala::jobs::claim(&db, "runner-b", now, lease).await.unwrap().is_none(),
        "a live lease is respected"
    );
    // runner-a died; its lease runs out.
    let mut tx = db.write().await.unwrap();
    avala::on!(&mut tx, c => sqlx::query("UPDATE jobs SET lease_expires_at = $1 WHERE id = $2")
        .bind(now - chrono::Duration::seconds(1)).bind(first.id).execute(c).await.unwrap().rows_affected());
    tx.commit().await.unwrap();
    let again = avala::jobs::claim(&db, "runner-b", now, lease)
        .await
        .unwrap()
        .expect("claimed again");
    assert_eq!((again.id, again.attempts), (first.id, 2));
    // runner-a comes back: it can no longer complete what it lost.
    let mut tx = db.write().await.unwrap();
    let late = avala::jobs::complete(&mut tx, &first, "runner-a", now, "late").await;
    assert!(matches!(late, Err(avala::Error::Conflict { .. })), "{late:?}");
    drop(tx);
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_runners_on_one_postgresql_do_each_effect_once() {
    avala_tests::on_postgres("three_runners", |test| async move {
        let n = 834; // 6 jobs each: 5,004 jobs
        let emails = approved(&test, n).await;
        let smtp = SmtpSink::start().await;
        let url = smtp.url();
        let runs = futures_join3(
            runner(&test, &["--once", "--smtp-url", &url, "--name", "one"], &[]),
            runner(
                &test,
                &["--once", "--smtp-url", &url, "--name", "two", "--concurrency", "2"],
                &[],
            ),
            runner(&test, &["--once", "--smtp-url", &url, "--name", "three"], &[]),
        )
        .await;
        for run in [&runs.0, &runs.1, &runs.2] {
            run.ok();
        }
        // Whatever a runner that finished early left, one more pass picks up.
        runner(&test, &["--once", "--smtp-url", &url], &[]).await.ok();
        assert_eq!(count(&test, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await, 0);
        // Render and delivery of each certificate, and four notices per candidate.
        assert_eq!(count(&test, "SELECT COUNT(*) FROM jobs").await, 6 * n as i64);
        assert_eq!(
            count(
                &test,
                "SELECT COUNT(*) FROM audit_events WHERE kind = 'certificate.rendered'"
            )
            .await,
            n as i64
        );
        assert_eq!(
            count(&test, "SELECT COUNT(*) FROM job_attempts WHERE outcome = 'done'").await,
            6 * n as i64
        );
        assert_eq!(count(&test, "SELECT COUNT(DISTINCT lease_holder) FROM jobs").await, 0);
        let holders = count(&test, "SELECT COUNT(DISTINCT holder) FROM job_attempts").await;
        assert!(holders >= 2, "the work was shared ({holders} runners did some)");
        assert_eq!(smtp.certificates().len(), n, "each certificate e-mail exactly once");
        assert_eq!(smtp.messages().len(), 5 * n, "each notice exactly once");
        assert_eq!(check_mail(&smtp.messages(), &emails), 0);
    })
    .await;
}

async fn futures_join3<A, B, C>(a: A, b: B, c: C) -> (A::Output, B::Output, C::Output)
where
    A: std::future::Future,
    B: std::future::Future,
    C: std::future::Future,
{
    tokio::join!(a, b, c)
}

async fn a_runner_killed_mid_batch_loses_nothing_and_doubles_nothing(test: TestDb) {
    // 300 render jobs and as many deliveries, beside 1,200 notices: many 64-job claims, so the
    // kill lands with claimed batches in hand and more to come.
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
    // Killed once a quarter of the certificates went out: work done, certificates in flight,
    // more queued.
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while smtp.certificates().len() < n / 4 {
        assert!(std::time::Instant::now() < deadline, "the runner made no progress");
        assert!(child.try_wait().unwrap().is_none(), "the runner exited");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.start_kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().await.unwrap();
    let sent_before = smtp.certificates().len();
    assert!(
        (n / 4..n).contains(&sent_before),
        "killed mid-batch ({sent_before} of {n} sent)"
    );
    let left = count(&test, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await;
    assert!(left > 0, "work was left for the next runner");
    // A new runner, after the dead one's leases ran out.
    let later = (Utc::now() + chrono::Duration::minutes(6)).to_rfc3339();
    runner(&test, &["--once", "--smtp-url", &smtp.url()], &[("AVALA_NOW", &later)])
        .await
        .ok();
    each_effect_once(&test, n).await;
    let duplicates = check_mail(&smtp.messages(), &emails);
    assert!(
        duplicates <= 1,
        "only the message in flight may be sent twice, with the same Message-ID ({duplicates})"
    );
    Operator { test: &test }.ok(Some("admin"), &["audit", "verify"]).await;
}

async fn windows_open_and_close_on_schedule_and_overdue_processes_are_reported(test: TestDb) {
    let op = Operator { test: &test };
    let window = op.set_up().await;
    // A window that opens and closes later, by itself.
    let w2 = op
        .json(
            Some("admin"),
            &[
                "window",
                "create",
                "--standard",
                "EC1057",
                "--opens",
                "2030-03-02 09:00",
                "--closes",
                "2030-03-20 18:00",
            ],
        )
        .await["id"]
        .to_string();
    let show = |at: &'static str| {
        let w2 = w2.clone();
        let op = &op;
        async move {
            let out = bin::avala(
                &op.test.url,
                &["--format", "json", "window", "show", &w2],
                &[("AVALA_NOW", at), ("AVALA_ACTOR", "admin")],
                &op.dir(),
            )
            .await;
            out.ok();
            out.json()["state"].as_str().unwrap().to_string()
        }
    };
    runner(&test, &["--once"], &[("AVALA_NOW", "2030-03-02T14:00:00Z")])
        .await
        .ok();
    assert_eq!(
        show("2030-03-02T14:00:00Z").await,
        "scheduled",
        "09:00 in Mexico City is 15:00 UTC"
    );
    let out = runner(&test, &["--once"], &[("AVALA_NOW", "2030-03-02T15:00:00Z")]).await;
    assert!(out.stdout.contains("1 convocatoria(s) abiertas"), "{}", out.stdout);
    assert_eq!(show("2030-03-02T15:00:00Z").await, "open");
    runner(&test, &["--once"], &[("AVALA_NOW", "2030-03-21T01:00:00Z")])
        .await
        .ok();
    assert_eq!(show("2030-03-21T01:00:00Z").await, "closed");
    // A verdict waits for its dictamen longer than 30 days: the report says so.
    let csv = op.cohort(1).await;
    op.import(window, &csv).await;
    let id = op.enrollment_ids(window).await[0];
    op.evaluate(id, "eva.rosales", None).await;
    let later = (Utc::now() + chrono::Duration::days(31)).to_rfc3339();
    let report = bin::avala(
        &test.url,
        &["report"],
        &[("AVALA_NOW", &later), ("AVALA_ACTOR", "admin")],
        &op.dir(),
    )
    .await;
    report.ok();
    assert!(
        report.stdout.contains("past a CONOCER deadline") && report.stdout.contains("dictamen"),
        "{}",
        report.stdout
    );
    let overdue = bin::avala(
        &test.url,
        &["--format", "json", "report", "--by", "overdue"],
        &[("AVALA_NOW", &later), ("AVALA_ACTOR", "admin")],
        &op.dir(),
    )
    .await;
    let rows = overdue.json();
    assert_eq!(rows[0]["enrollment"], id);
    assert_eq!(rows[0]["deadline"], "dictamen");
    // The runner e-mails the administrators a digest, once that day.
    runner(&test, &["--once"], &[("AVALA_NOW", &later)]).await.ok();
    runner(&test, &["--once"], &[("AVALA_NOW", &later)]).await.ok();
    let digests: Vec<std::path::PathBuf> = std::fs::read_dir(op.dir().join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("notice.overdue."))
        .collect();
    assert_eq!(digests.len(), 1, "{digests:?}");
    let digest = std::fs::read_to_string(&digests[0]).unwrap();
    assert!(
        digest.contains("ana@itaip.example") && digest.contains(&format!("{id}: dictamen")),
        "{digest}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_runner_cleanly() {
    avala_tests::on_sqlite(|test| async move {
        approved(&test, 3).await;
        let mut child = tokio::process::Command::new(bin::path("avala-runner"))
            .args(["--db", &test.url, "--poll-interval", "0.1"])
            .current_dir(test.scratch.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Let it work through the queue and go idle, then ask it to stop.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while count(&test, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the runner did not finish the queue"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let pid = child.id().unwrap().to_string();
        assert!(
            std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
            .await
            .expect("it stops")
            .unwrap();
        assert!(status.success(), "exit 0 on SIGTERM: {status:?}");
        let mut log = String::new();
        tokio::io::AsyncReadExt::read_to_string(child.stderr.as_mut().unwrap(), &mut log)
            .await
            .unwrap();
        assert!(log.contains("SIGTERM") && log.contains("avala-runner stopped"), "{log}");
    })
    .await;
}
