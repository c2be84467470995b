//! `avala-runner`: runs the outbox's jobs (certificate PDFs, e-mails). It parses, opens the
//! store and calls the library's worker; all the work and its rules live in the `avala` crate.

mod say;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use avala::config::Config;
use avala::engine::Engine;
use avala::mail::Mailer;
use avala::store::Db;
use avala::worker::{RunSummary, Worker};
use avala::{Clock, Lang};
use clap::{CommandFactory, Parser};

/// avala-runner — renders certificates and sends e-mails from the job queue.
///
/// Exit codes: 0 done (or stopped by SIGTERM/Ctrl-C after finishing the job in hand);
/// 2 usage error; 5 the database or the configuration could not be used.
#[derive(Debug, Parser)]
#[command(name = "avala-runner", version, max_term_width = 100)]
struct Args {
    /// Database: a SQLite file path, or postgres://user@host/db.
    #[arg(long, env = "AVALA_DATABASE_URL", default_value = "avala.db")]
    db: String,
    /// Drain the queue once and exit.
    #[arg(long)]
    once: bool,
    /// Send e-mail over SMTP (smtp://host:port, smtp://host:port?tls=required, smtps://host:port)
    /// instead of writing .eml files into outbox/ next to the database.
    #[arg(long, env = "AVALA_SMTP_URL")]
    smtp_url: Option<String>,
    /// How long to wait between polls when the queue is empty (seconds).
    #[arg(long, default_value_t = 2.0)]
    poll_interval: f64,
    /// Language of certificates, e-mails and messages: es (Spanish, the default) or en.
    #[arg(long, env = "AVALA_LANG", default_value = "es", value_parser = ["es", "en"])]
    lang: String,
    /// Name of this runner in job leases (default: host and process id).
    #[arg(long)]
    name: Option<String>,
    /// Jobs run at the same time by this process.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// Send at most this many e-mails per second (relays throttle); 0 for no limit.
    #[arg(long, default_value_t = 0.0)]
    rate_limit: f64,
    /// Log a one-line summary of the work done this often (seconds).
    #[arg(long, default_value_t = 60.0)]
    summary_every: f64,
    /// How long a claimed job is leased to this runner (seconds), renewed by a heartbeat six
    /// times a lease; if the runner dies, another takes its jobs over once the lease runs out.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(2..=3600))]
    lease: u32,
}

async fn run(args: Args) -> avala::error::Result<()> {
    let clock: Arc<dyn Clock> = avala::clock::from_env()?;
    let db = Db::connect(&args.db, false).await?;
    db.migrate().await?;
    let config = Config::load(&Config::dir_for(&args.db))?;
    let mailer = match &args.smtp_url {
        Some(url) => Mailer::smtp(url)?,
        None => Mailer::Outbox(config.outbox_dir()),
    };
    let holder = args.name.clone().unwrap_or_else(|| {
        format!(
            "{}-{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "runner".into()),
            std::process::id()
        )
    });
    let lang: Lang = args.lang.parse().unwrap_or_default();
    let worker = Arc::new(
        Worker::new(Engine::new(db.clone(), clock), config, mailer, holder.clone(), lang)
            .with_rate_limit(args.rate_limit)
            .with_lease(Duration::from_secs(u64::from(args.lease))),
    );
    tracing::info!(runner = %holder, mail = %worker.mailer().describe(), concurrency = args.concurrency, lease_s = args.lease, "avala-runner started");
    let total = Arc::new(std::sync::Mutex::new(RunSummary::default()));
    let wake = Arc::new(tokio::sync::Notify::new());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let (worker, total, wake) = (worker.clone(), total.clone(), wake.clone());
        let (once, poll) = (args.once, Duration::from_secs_f64(args.poll_interval.max(0.05)));
        tasks.spawn(async move {
            loop {
                let done = worker.drain(|_| {}).await?;
                total.lock().unwrap_or_else(|e| e.into_inner()).add(&done);
                if once || worker.is_stopping() {
                    return Ok::<(), avala::Error>(());
                }
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = wake.notified() => {}
                }
            }
        });
    }
    // SIGTERM or Ctrl-C: stop claiming, finish the jobs in hand, exit 0.
    let stopper = {
        let (worker, wake) = (worker.clone(), wake.clone());
        tokio::spawn(async move {
            let mut sigterm = signal_term();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => tracing::info!("interrupted; finishing the jobs in hand"),
                _ = sigterm.recv() => tracing::info!("SIGTERM; finishing the jobs in hand"),
            }
            worker.stop();
            wake.notify_waiters();
        })
    };
    let reporter = {
        let total = total.clone();
        let every = Duration::from_secs_f64(args.summary_every.max(1.0));
        tokio::spawn(async move {
            let mut last = RunSummary::default();
            loop {
                tokio::time::sleep(every).await;
                let now = total.lock().unwrap_or_else(|e| e.into_inner()).clone();
                if now != last {
                    tracing::info!(
                        rendered = now.rendered,
                        delivered = now.delivered,
                        retried = now.retried,
                        dead = now.dead,
                        expired = now.expired,
                        "so far"
                    );
                    last = now;
                }
            }
        })
    };
    let mut failure = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                worker.stop();
                wake.notify_waiters();
                failure.get_or_insert(e);
            }
            Err(e) => {
                worker.stop();
                failure.get_or_insert(avala::Error::database(format!("a runner task failed: {e}")));
            }
        }
    }
    stopper.abort();
    reporter.abort();
    let summary = total.lock().unwrap_or_else(|e| e.into_inner()).clone();
    tracing::info!(
        rendered = summary.rendered,
        delivered = summary.delivered,
        retried = summary.retried,
        dead = summary.dead,
        expired = summary.expired,
        "avala-runner stopped"
    );
    if args.once {
        println!("{}", say::summary(lang, &summary, &worker.mailer().describe_in(lang)));
    }
    if let Some(e) = failure {
        db.close().await;
        return Err(e);
    }
    db.close().await;
    Ok(())
}

#[cfg(unix)]
fn signal_term() -> tokio::sync::mpsc::Receiver<()> {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
            let _ = tx.send(()).await;
        }
    });
    rx
}

fn main() -> ExitCode {
    // Hidden: which sources this binary was built from (the tests refuse a stale binary).
    if std::env::args_os().nth(1).is_some_and(|a| a == "--build-id") {
        println!("{}", avala::BUILD_ID);
        return ExitCode::SUCCESS;
    }
    avala::limit_malloc_arenas();
    avala::process::quit_quietly_on_closed_pipe();
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let args: Args = match avala_cmdline::parse(Args::command(), &say::HELP, &argv) {
        Ok(args) => args,
        Err(stop) => {
            match stop.to_stderr {
                true => eprint!("{}", stop.text),
                false => print!("{}", stop.text),
            }
            return ExitCode::from(stop.code);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AVALA_LOG")
                .unwrap_or_else(|_| "avala=info,avala_runner=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match avala::runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(5);
        }
    };
    let lang: Lang = args.lang.parse().unwrap_or_default();
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.message(lang));
            if let Some(hint) = e.hint().and_then(|h| say::hint(lang, &h)) {
                eprintln!("  {hint}");
            }
            ExitCode::from(5)
        }
    }
}
