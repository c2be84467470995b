//! The whole pipeline at scale, phase by phase: `cargo bench -p avala --bench pipeline -- [N] [RUNNERS]`.
//!
//! Builds a cohort of N candidates (default 10,000) on a fresh SQLite file (or on PostgreSQL when
//! `AVALA_BENCH_POSTGRES_URL` is set: a fresh database is created and dropped), takes every
//! candidate through the real engine calls the CLI makes (import, diagnostic, plan, four element
//! judgements, verdict, dictamen in lotes of 100), draining the outbox with RUNNERS workers
//! (default 1) after each step as a runner working alongside would: the registration notices,
//! then the diagnostic and verdict notices, and last what the dictamen sets off (render and sign
//! every certificate, e-mail it, send the dictamen notice; file transport). Prints the wall time
//! and throughput of each phase and the process's peak RSS.

use std::sync::Arc;
use std::time::Instant;

use avala::config::Config;
use avala::engine::{Engine, Judgement};
use avala::machine::EnrollmentState;
use avala::mail::Mailer;
use avala::store::Db;
use avala::worker::Worker;
use avala::{Lang, SystemClock};
use sqlx::{Connection, Executor};

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Drains the outbox with `runners` workers at once; returns what they did.
async fn drain(engine: &Engine, config: &Config, runners: usize) -> avala::worker::RunSummary {
    let mut tasks = Vec::new();
    for r in 0..runners {
        let worker = Worker::new(
            engine.clone(),
            config.clone(),
            Mailer::Outbox(config.outbox_dir()),
            format!("bench-{r}"),
            Lang::Es,
        );
        tasks.push(tokio::spawn(async move { worker.drain(|_| {}).await.unwrap() }));
    }
    let mut total = avala::worker::RunSummary::default();
    for task in tasks {
        total.add(&task.await.unwrap());
    }
    total
}

struct Phase {
    name: &'static str,
    items: usize,
    seconds: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let runners: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    // The runtime the binaries run on.
    let runtime = avala::runtime().unwrap();
    runtime.block_on(run(n, runners));
}

async fn run(n: usize, runners: usize) {
    let dir = tempfile::tempdir().unwrap();
    let pg = std::env::var("AVALA_BENCH_POSTGRES_URL").ok();
    let (url, pg_name) = match &pg {
        Some(base) => {
            let name = format!("avala_bench_{}", std::process::id());
            let mut admin = sqlx::PgConnection::connect(base).await.unwrap();
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .unwrap();
            let (head, _) = base.rsplit_once('/').unwrap();
            (format!("{head}/{name}"), Some(name))
        }
        None => (dir.path().join("avala.db").to_string_lossy().into_owned(), None),
    };
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    let db = Db::open(&url).await.unwrap();
    let (config, _) = Config::init(dir.path(), None).unwrap();
    let engine = Engine::new(db.clone(), Arc::new(SystemClock));
    engine.register_issuer_key(&config).await.unwrap();
    // The demo's staff, EC1057 and an open window.
    let stage = avala::demo::stage(&engine, None).await.unwrap();
    let (window, admin, evaluator, verifier) = (stage.window, &stage.admin, &stage.evaluators[0], &stage.verifiers[0]);
    let now = engine.now();
    let csv = avala::demo::cohort_csv(n);
    let mut phases = Vec::new();

    let t = Instant::now();
    engine.import_candidates(admin, window, &csv, false).await.unwrap();
    phases.push(Phase {
        name: "import (one transaction)",
        items: n,
        seconds: t.elapsed().as_secs_f64(),
    });
    // The runner works all along in production: the notices of each step go out before the
    // next, and only what the dictamen sets off is left for the measured drain at the end.
    let t = Instant::now();
    let sent = drain(&engine, &config, runners).await;
    phases.push(Phase {
        name: "runner: registration notices",
        items: sent.notices as usize,
        seconds: t.elapsed().as_secs_f64(),
    });

    let ids: Vec<i64> = engine
        .list_enrollments(admin, Some(window), None)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    let t = Instant::now();
    for &id in &ids {
        engine.record_diagnostic(evaluator, id, 90).await.unwrap();
        engine
            .plan_evaluation(admin, id, &evaluator.audit_name(), now)
            .await
            .unwrap();
        // The whole instrument at once, as `avala evaluation submit` hands it in.
        let instrument: Vec<Judgement> = stage
            .elements
            .iter()
            .map(|element| Judgement {
                element: element.clone(),
                competent: true,
                evidence: None,
                feedback: None,
            })
            .collect();
        engine.record_evaluation(evaluator, id, &instrument).await.unwrap();
    }
    phases.push(Phase {
        name: "evaluate (diagnostic, plan, instrument)",
        items: n,
        seconds: t.elapsed().as_secs_f64(),
    });
    let t = Instant::now();
    let sent = drain(&engine, &config, runners).await;
    phases.push(Phase {
        name: "runner: diagnostic, verdict notices",
        items: sent.notices as usize,
        seconds: t.elapsed().as_secs_f64(),
    });

    let t = Instant::now();
    for lote in ids.chunks(100) {
        engine.issue_dictamen(verifier, window, lote, true).await.unwrap();
    }
    phases.push(Phase {
        name: "dictamen (lotes of 100)",
        items: n,
        seconds: t.elapsed().as_secs_f64(),
    });

    let t = Instant::now();
    let last = drain(&engine, &config, runners).await;
    let (rendered, mails) = (last.rendered, last.delivered + last.notices);
    let seconds = t.elapsed().as_secs_f64();
    assert_eq!(rendered as usize, n);
    let delivered = engine
        .list_enrollments(admin, Some(window), Some(EnrollmentState::Delivered))
        .await
        .unwrap()
        .len();
    assert_eq!(delivered, n);
    phases.push(Phase {
        name: "runner: render, sign, e-mail, notice",
        items: n,
        seconds,
    });
    let pdf_bytes: u64 = std::fs::read_dir(config.certificates_dir())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();

    println!("\npipeline: {n} candidates on {backend}, {runners} runner(s)\n");
    println!("{:<40} {:>10} {:>12} {:>14}", "phase", "items", "seconds", "items/s");
    let mut total = 0.0;
    for p in &phases {
        total += p.seconds;
        println!(
            "{:<40} {:>10} {:>12.2} {:>14.0}",
            p.name,
            p.items,
            p.seconds,
            p.items as f64 / p.seconds
        );
    }
    println!("{:<40} {:>10} {:>12.2}", "total", n, total);
    println!(
        "\nafter the dictamen: {mails} e-mails written ({} certificates, {} dictamen notices); {:.1} KiB per certificate; peak RSS {:.0} MiB",
        last.delivered,
        last.notices,
        pdf_bytes as f64 / n as f64 / 1024.0,
        peak_rss_mib()
    );
    db.close().await;
    if let (Some(base), Some(name)) = (pg, pg_name) {
        let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
        admin
            .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
            .await
            .unwrap();
    }
}
