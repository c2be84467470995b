//! The command line as an administrator and an evaluator meet it, process start to exit:
//! `cargo bench -p avala-cli --bench cli -- [ROWS] [VERDICTS]`.
//!
//! On a fresh SQLite database with EC1057 loaded and a window open, runs `avala candidate import`
//! of a ROWS-row CSV (default 100,000) and reports its wall time and the process's peak RSS;
//! then takes VERDICTS (default 30) of those candidates to their last element judgement and times
//! `avala verdict record` on each (median, 90th percentile, slowest).

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use avala::SystemClock;
use avala::config::Config;
use avala::engine::{Engine, NewStaff, Role};
use avala::machine::WindowEvent;
use avala::store::Db;

const AVALA: &str = env!("CARGO_BIN_EXE_avala");

/// Peak resident memory of the children waited for so far, in MiB.
fn children_peak_rss_mib() -> f64 {
    // SAFETY: getrusage writes into the struct it is given and nothing else.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    usage.ru_maxrss as f64 / 1024.0
}

fn run(args: &[&str]) -> Duration {
    let t = Instant::now();
    let out = Command::new(AVALA).args(args).output().unwrap();
    let took = t.elapsed();
    assert!(
        out.status.success(),
        "avala {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let rows: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let verdicts: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30).min(rows);
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("avala.db").to_string_lossy().into_owned();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (engine, window) = runtime.block_on(async {
        let db = Db::open(&db_path).await.unwrap();
        Config::init(dir.path(), None).unwrap();
        let engine = Engine::new(db, Arc::new(SystemClock));
        for (id, role) in [("admin", Role::Admin), ("eva", Role::Evaluator)] {
            let new = NewStaff {
                id: id.into(),
                name: format!("Persona {id}"),
                email: format!("{id}@bench.example"),
                roles: vec![role],
            };
            let by = if id == "admin" { None } else { Some("admin") };
            engine.add_staff(by, new).await.unwrap();
        }
        engine
            .load_standard(Some("admin"), "EC1057.toml", avala::demo::EC1057_TOML)
            .await
            .unwrap();
        let now = engine.now();
        let window = engine
            .create_window(
                Some("admin"),
                "EC1057",
                now - chrono::Duration::hours(1),
                now + chrono::Duration::days(30),
                None,
                None,
            )
            .await
            .unwrap();
        engine
            .transition_window(Some("admin"), window, WindowEvent::Open)
            .await
            .unwrap();
        (engine, window)
    });
    let csv = dir.path().join("cohort.csv");
    std::fs::write(&csv, avala::demo::cohort_csv(rows)).unwrap();
    let window_arg = window.to_string();
    let csv_arg = csv.to_string_lossy().into_owned();
    let import = run(&[
        "--db",
        &db_path,
        "candidate",
        "import",
        "--window",
        &window_arg,
        "--as",
        "admin",
        &csv_arg,
    ]);
    let import_rss = children_peak_rss_mib();

    let ids: Vec<i64> = runtime.block_on(async {
        let list = engine.list_enrollments(Some(window), None).await.unwrap();
        let mut ids = Vec::new();
        for e in list.iter().take(verdicts) {
            engine.record_diagnostic(Some("eva"), e.id, 90).await.unwrap();
            engine
                .plan_evaluation(Some("admin"), e.id, "eva", engine.now())
                .await
                .unwrap();
            for element in ["E0001", "E0002", "E0003", "E0004"] {
                engine
                    .record_judgement(Some("eva"), e.id, element, true, None, None)
                    .await
                    .unwrap();
            }
            ids.push(e.id);
        }
        ids
    });
    let mut times: Vec<Duration> = ids
        .iter()
        .map(|id| run(&["--db", &db_path, "verdict", "record", &id.to_string(), "--as", "eva"]))
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
