//! `avala-runner`: runs the outbox's jobs (certificate PDFs, e-mails). It parses, opens the
//! store and calls the library's worker; all the work and its rules live in the `avala` crate.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use avala::config::Config;
use avala::engine::Engine;
use avala::mail::Mailer;
use avala::store::Db;
use avala::worker::Worker;
use avala::{Clock, FixedClock, Lang, SystemClock};
use clap::Parser;

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
    /// Language of certificates and e-mails.
    #[arg(long, default_value = "es", value_parser = ["es", "en"])]
    lang: String,
    /// Name of this runner in job leases (default: host and process id).
    #[arg(long)]
    name: Option<String>,
}

async fn run(args: Args) -> avala::error::Result<()> {
    let clock: Arc<dyn Clock> = match std::env::var("AVALA_NOW") {
        Ok(t) if !t.trim().is_empty() => Arc::new(FixedClock::new(avala::parse_instant(&t, "UTC")?)),
        _ => Arc::new(SystemClock),
    };
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
    let lang = if args.lang == "en" { Lang::En } else { Lang::Es };
    let worker = Worker::new(Engine::new(db.clone(), clock), config, mailer, holder.clone(), lang);
    tracing::info!(runner = %holder, mail = %worker.mailer().describe(), "avala-runner started");
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    let mut sigterm = signal_term();
    loop {
        let summary = worker.drain(|_| {}).await?;
        if summary != Default::default() {
            tracing::info!(
                rendered = summary.rendered,
                delivered = summary.delivered,
                retried = summary.retried,
                dead = summary.dead,
                expired = summary.expired,
                "queue drained"
            );
        }
        if args.once {
            let expired = match summary.expired {
                0 => String::new(),
                n => format!("; {n} certificate(s) reached the end of their validity"),
            };
            println!(
                "avala-runner: {} certificate(s) rendered, {} e-mail(s) sent via {}, {} retried later, {} failed for good{expired}",
                summary.rendered,
                summary.delivered,
                worker.mailer().describe(),
                summary.retried,
                summary.dead
            );
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs_f64(args.poll_interval.max(0.05))) => {}
            _ = &mut stop => { tracing::info!("interrupted; stopping"); break; }
            _ = sigterm.recv() => { tracing::info!("SIGTERM; stopping"); break; }
        }
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
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AVALA_LOG")
                .unwrap_or_else(|_| "avala=info,avala_runner=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(5);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(5)
        }
    }
}
