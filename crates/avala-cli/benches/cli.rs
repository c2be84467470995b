//! The command line as an administrator and an evaluator meet it, process start to exit:
//! `cargo bench -p avala-cli --bench cli -- [ROWS] [VERDICTS]`.
//!
//! On a fresh SQLite database with EC1057 loaded and a window open, runs `avala candidate import`
//! of a ROWS-row CSV (default 100,000) and reports its wall time and the process's peak RSS;
//! then takes VERDICTS (default 30) of those candidates to their last element judgement and times
//! `avala verdict record` on each (median, 90th percentile, slowest).

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use avala::SystemClock;
use avala::config::Config;
use avala::engine::Engine;
use avala::store::Db;

const AVALA: &str = env!("CARGO_BIN_EXE_avala");

/// Runs `avala` with `args` to completion: its wall time and its peak resident memory in MiB.
///
/// The peak is the child's own `VmHWM`, read from `/proc` while it runs. (`getrusage` of the
/// children would count this process's memory too: a child spawned from it starts as its copy,
/// and Linux keeps that size as the child's high-water mark across `exec`.)
fn run(args: &[&str]) -> (Duration, f64) {
    let t = Instant::now();
    let mut child = Command::new(AVALA)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(hwm) = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))
        {
            let kib = hwm.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_micros(500));
    };
    let took = t.elapsed();
    let mut stderr = String::new();
    use std::io::Read;
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    assert!(status.success(), "avala {args:?}: {stderr}");
    (took, peak_kib as f64 / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let rows: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let verdicts: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30).min(rows);
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("avala.db").to_string_lossy().into_owned();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (engine, window, evaluator, elements) = runtime.block_on(async {
        let db = Db::open(&db_path).await.unwrap();
        Config::init(dir.path(), None).unwrap();
        let engine = Engine::new(db, Arc::new(SystemClock));
        // The demo's staff, EC1057 and an open window.
        let stage = avala::demo::stage(&engine, None).await.unwrap();
        let (window, evaluator) = (stage.window, stage.evaluators[0].clone());
        (engine, (window, stage.admin), evaluator, stage.elements)
    });
    let csv = dir.path().join("cohort.csv");
    std::fs::write(&csv, avala::demo::cohort_csv(rows)).unwrap();
    let (window, admin) = window;
    let window_arg = window.to_string();
    let csv_arg = csv.to_string_lossy().into_owned();
    let (import, import_rss) = run(&[
        "--db",
        &db_path,
        "candidate",
        "import",
        "--window",
        &window_arg,
        "--as",
        avala::demo::ADMIN,
        &csv_arg,
    ]);

    let ids: Vec<i64> = runtime.block_on(async {
        let list = engine.list_enrollments(&admin, Some(window), None).await.unwrap();
        let mut ids = Vec::new();
        for e in list.iter().take(verdicts) {
            engine.record_diagnostic(&evaluator, e.id, 90).await.unwrap();
            engine
                .plan_evaluation(&admin, e.id, &evaluator.audit_name(), engine.now())
                .await
                .unwrap();
            for element in &elements {
                engine
                    .record_judgement(&evaluator, e.id, element, true, None, None)
                    .await
                    .unwrap();
            }
            ids.push(e.id);
        }
        ids
    });
    let mut times: Vec<Duration> = ids
        .iter()
        .map(|id| {
            run(&[
                "--db",
                &db_path,
                "verdict",
                "record",
                &id.to_string(),
                "--as",
                &evaluator.audit_name(),
            ])
            .0
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;

    println!("\ncli: SQLite, {rows} candidates registered\n");
    println!(
        "candidate import, {rows} rows: {:.2} s ({:.0} rows/s), peak RSS {:.0} MiB",
        import.as_secs_f64(),
        rows as f64 / import.as_secs_f64(),
        import_rss
    );
    if !times.is_empty() {
        println!(
            "verdict record, {} runs: median {:.1} ms, 90th percentile {:.1} ms, slowest {:.1} ms",
            times.len(),
            ms(times[times.len() / 2]),
            ms(times[times.len() * 9 / 10]),
            ms(times[times.len() - 1])
        );
    }
}
