//! The job runner's work, from the outbox: run the schedules, then render certificates, e-mail
//! them and send notices. The runner writes nothing itself: it asks the engine for what each
//! job needs and to record what it did, each job completed with its effect.
//!
//! Rendering signs and stores the PDF (in the database and as `certificates/<folio>.pdf`),
//! enqueues the delivery and marks the job done in one transaction; a second run of the same job
//! finds the PDF stored and only completes. Delivery and notices send first and record
//! afterwards, with a stable Message-ID, so a crash in between resends the same message rather
//! than a different one. Every attempt is recorded with what the mail server answered.

mod mail;
mod render;

use chrono::Duration;
use futures_util::FutureExt;

use crate::Lang;
use crate::actor::Actor;
use crate::config::Config;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::jobs::{self, Job, Task};
use crate::mail::Mailer;

/// What one drain of the queue did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunSummary {
    /// Certificates rendered.
    pub rendered: u64,
    /// E-mails sent (or written to the outbox).
    pub delivered: u64,
    /// Attempts that failed and will be retried.
    pub retried: u64,
    /// Certificates whose validity ended, moved to expired.
    pub expired: u64,
    /// Windows opened at their opening instant.
    pub windows_opened: u64,
    /// Windows closed at their closing instant.
    pub windows_closed: u64,
    /// Notices (registration, diagnostic, verdict, dictamen, reminders, digests) sent.
    pub notices: u64,
    /// Jobs that failed for good.
    pub dead: u64,
    /// Jobs run, whatever came of them.
    pub jobs: u64,
}

impl RunSummary {
    /// Adds what another pass (or another worker) did.
    pub fn add(&mut self, other: &RunSummary) {
        self.rendered += other.rendered;
        self.delivered += other.delivered;
        self.retried += other.retried;
        self.expired += other.expired;
        self.windows_opened += other.windows_opened;
        self.windows_closed += other.windows_closed;
        self.notices += other.notices;
        self.dead += other.dead;
        self.jobs += other.jobs;
    }
}

/// How the jobs of a claimed batch are run.
enum Group {
    /// Certificates, rendered side by side ([`Worker::render_batch`]).
    Renders,
    /// E-mails to the outbox folder, written side by side ([`Worker::send_batch`]).
    Mails,
    /// Any other job, on its own ([`Worker::run`]).
    One,
}

/// How many jobs a runner claims at once: a batch shares its claim, its reads and its record
/// among 64 jobs, and holds at most 64 PDFs (about 35 KiB each) in memory.
const CLAIM_BATCH: i64 = 64;

/// How long a claimed job is leased to its runner: a runner that dies (SIGKILL, out of memory, a
/// reboot) holds its jobs until then at the latest after its last heartbeat, and another runner
/// takes them over at its next claim (lost jobs are claimed before queued ones).
///
/// The sizing. A heartbeat is due every [`HEARTBEATS_PER_LEASE`]th of the lease (5 s) and must
/// land before the lease runs out, so it may wait up to 25 s for the database. On SQLite it waits
/// for the one write lock: behind another process's write transaction (SQLite's busy timeout,
/// 30 s in `store`, is longer than any wait a lease leaves, so the heartbeat waits rather than
/// fails), then behind the at most `--concurrency` transactions of its own runner queued before
/// it at the write gate. The longest write transactions (release builds, this project's 2-core
/// machine, BENCHMARKS.md): `avala candidate import` of 100,000 rows, one transaction, 3.4 s
/// (5.7–6.6 s on slower hours); a dictamen lote, one transaction, about 0.23 ms an enrollment
/// (23 s for 100,000 in lotes of 100), so 23 ms for a lote of 100; a runner's record of a batch
/// of 64 certificates, a fraction of the 12.7 s its whole run of 10,000 takes. Against 25 s of
/// room, a write transaction of up to about 20 s by another process costs no live runner its
/// lease: every import, and a lote of up to about 80,000 enrollments. A heartbeat that fails (the
/// database busy past the timeout, PostgreSQL's 5 s `lock_timeout`) is tried again at once; it
/// stops only when it extended no lease, because none is left in hand. On PostgreSQL a
/// heartbeat waits only for row locks on this runner's own jobs, which no command holds long.
pub const LEASE: Duration = Duration::seconds(30);

/// Heartbeats in one lease (see [`LEASE`]): at 30 s, one every 5 s.
pub const HEARTBEATS_PER_LEASE: i32 = 6;

/// Runs jobs for one engine.
pub struct Worker {
    engine: Engine,
    config: Config,
    mailer: Mailer,
    actor: Actor,
    holder: String,
    lang: Lang,
    lease: Duration,
    logo: std::sync::OnceLock<Option<std::sync::Arc<crate::certificate::pdf::Logo>>>,
    stopping: std::sync::atomic::AtomicBool,
    /// Least time between two messages (a sending rate limit), and when the last one went.
    pace: Option<(std::time::Duration, tokio::sync::Mutex<Option<tokio::time::Instant>>)>,
    /// Jobs (by idempotency key) whose work panics at a stage, for the tests
    /// ([`Worker::with_fault`]).
    faults: Vec<(Stage, String)>,
}

/// The stages of a job's work, each guarded on its own: a panic or an error in one job's stage
/// fails that job alone, and the runner goes on with the rest of the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading, signing and rendering a certificate.
    Render,
    /// Wording an e-mail and building the message.
    Compose,
    /// Sending it (or writing it to the outbox folder).
    Send,
    /// Recording what was done.
    Record,
}

impl Worker {
    /// A worker identified as `holder` in job leases and the audit log.
    pub fn new(engine: Engine, config: Config, mailer: Mailer, holder: String, lang: Lang) -> Self {
        Worker {
            engine,
            config,
            mailer,
            actor: Actor::runner(holder.clone()),
            holder,
            lang,
            lease: LEASE,
            logo: std::sync::OnceLock::new(),
            stopping: std::sync::atomic::AtomicBool::new(false),
            pace: None,
            faults: Vec::new(),
        }
    }

    /// Makes the work of the job whose idempotency key is `key` (`render:<folio>`,
    /// `deliver:<folio>`) panic at `stage`: how the tests show that a panic fails that job
    /// alone. Never set outside tests.
    #[doc(hidden)]
    pub fn with_fault(mut self, stage: Stage, key: &str) -> Self {
        self.faults.push((stage, key.to_string()));
        self
    }

    /// Whether a test asked job `job` to panic at `stage`.
    fn faulty(&self, stage: Stage, job: &Job) -> bool {
        self.faults
            .iter()
            .any(|(s, key)| *s == stage && *key == job.idempotency_key)
    }

    /// Panics where [`Worker::with_fault`] asked.
    fn trip(&self, stage: Stage, job: &Job) {
        if self.faulty(stage, job) {
            panic!("a fault injected by a test at {stage:?}");
        }
    }

    /// Runs one job's `stage`: a panic in it becomes that job's permanent failure, naming the
    /// job and the stage.
    async fn guarded<T>(
        &self,
        job: &Job,
        stage: Stage,
        work: impl std::future::Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        let work = async {
            self.trip(stage, job);
            work.await
        };
        caught(job, stage, work).await
    }

    /// Leases claimed jobs for `lease` rather than [`LEASE`] (the tests use a few seconds, to
    /// see a takeover without waiting half a minute). At least a second.
    pub fn with_lease(mut self, lease: std::time::Duration) -> Self {
        self.lease = Duration::from_std(lease).unwrap_or(LEASE).max(Duration::seconds(1));
        self
    }

    /// How long this worker leases a job.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// Sends at most `per_second` messages a second (government relays throttle).
    pub fn with_rate_limit(mut self, per_second: f64) -> Self {
        if per_second > 0.0 {
            self.pace = Some((
                std::time::Duration::from_secs_f64(1.0 / per_second),
                tokio::sync::Mutex::new(None),
            ));
        }
        self
    }

    /// Stops claiming new jobs; jobs in hand are finished.
    pub fn stop(&self) {
        self.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// True once `stop` was called.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The mailer.
    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// Runs jobs until none is due; `progress` is called after each job or batch of jobs.
    pub async fn drain(&self, mut progress: impl FnMut(&RunSummary)) -> Result<RunSummary> {
        let (windows_opened, windows_closed) = self.engine.run_window_schedule(&self.actor).await?;
        self.engine
            .schedule_notices(&self.actor, self.config.settings.reminder_days)
            .await?;
        // The day's checkpoint; one that cannot be taken (the key file unreadable, say) is
        // logged and tried again at the next round, and stops no delivery.
        match self.engine.checkpoint_if_due(&self.actor, &self.config).await {
            Ok(Some(file)) => tracing::info!(
                checkpoint = file.id,
                streams = file.checkpoint.streams,
                events = file.checkpoint.events,
                "audit checkpoint taken"
            ),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "no audit checkpoint could be taken"),
        }
        let mut summary = RunSummary {
            expired: self.engine.expire_certificates(&self.actor).await?,
            windows_opened,
            windows_closed,
            ..Default::default()
        };
        while !self.is_stopping() {
            // Jobs are claimed a batch at one statement; each job is completed in the same
            // transaction as its effect.
            let batch = jobs::claim_batch(
                self.engine.db(),
                &self.holder,
                self.engine.now(),
                self.lease,
                CLAIM_BATCH,
            )
            .await?;
            if batch.is_empty() {
                break;
            }
            let heartbeat = self.heartbeat();
            // The batch's certificates are rendered side by side and recorded in one transaction
            // (their effects are all in the database, so a crash loses or doubles none). E-mails
            // to the outbox folder are read in one transaction, written side by side and
            // recorded in one (writing one again replaces it, so a crash doubles none); over
            // SMTP each is recorded right after it is sent, so a crash can resend at most the
            // message in flight.
            let (renders, others): (Vec<&Job>, Vec<&Job>) = batch
                .iter()
                .partition(|job| matches!(job.task, Ok(Task::RenderCertificate { .. })));
            let (mails, others): (Vec<&Job>, Vec<&Job>) = others.into_iter().partition(|job| {
                matches!(job.task, Ok(Task::Notify(_) | Task::DeliverCertificate { .. }))
                    && self.mailer.resends_in_place()
            });
            let mut groups = vec![(Group::Renders, renders), (Group::Mails, mails)];
            groups.extend(others.into_iter().map(|job| (Group::One, vec![job])));
            groups.retain(|(_, jobs)| !jobs.is_empty());
            let mut outcome = Ok(());
            let mut unfinished: Vec<&Job> = Vec::new();
            for (i, (group, jobs)) in groups.iter().enumerate() {
                if self.is_stopping() || outcome.is_err() {
                    unfinished.extend(groups[i..].iter().flat_map(|(_, jobs)| jobs.iter().copied()));
                    break;
                }
                outcome = match group {
                    Group::Renders => self.render_batch(jobs, &mut summary).await,
                    Group::Mails => self.send_batch(jobs, &mut summary).await,
                    Group::One => self.run(jobs[0], &mut summary).await,
                };
                if outcome.is_err() {
                    // The database failed: what the group still holds is given back too.
                    unfinished.extend(jobs);
                } else {
                    summary.jobs += jobs.len() as u64;
                }
                progress(&summary);
            }
            // Stopping (or the database failed): give back what was not done, for another
            // runner (a job already completed or failed is left as it is).
            for job in unfinished {
                let _ = jobs::release(self.engine.db(), job, &self.holder).await;
            }
            heartbeat.abort();
            outcome?;
        }
        Ok(summary)
    }

    /// Jobs in hand keep their lease: it is extended [`HEARTBEATS_PER_LEASE`] times a lease while
    /// they run. A heartbeat that fails (the database busy or out of reach) is tried again until
    /// it lands; the heartbeat stops only when it extended no lease (none is held any more).
    fn heartbeat(&self) -> tokio::task::JoinHandle<()> {
        let (db, holder, clock, lease) = (
            self.engine.db().clone(),
            self.holder.clone(),
            self.engine.clock(),
            self.lease,
        );
        tokio::spawn(async move {
            let every = (lease / HEARTBEATS_PER_LEASE)
                .to_std()
                .unwrap_or(std::time::Duration::from_secs(5));
            let mut wait = every;
            loop {
                tokio::time::sleep(wait).await;
                match jobs::extend_leases(&db, &holder, &*clock, lease).await {
                    Ok(0) => break,
                    Ok(_) => wait = every,
                    Err(e) => {
                        tracing::warn!(runner = %holder, error = %e, "a heartbeat failed; trying again");
                        wait = std::time::Duration::from_millis(100).min(every);
                    }
                }
            }
        })
    }

    /// Runs one claimed job, recording a failure on the job rather than returning it, unless
    /// the database itself fails.
    pub async fn run(&self, job: &Job, summary: &mut RunSummary) -> Result<()> {
        let outcome = match &job.task {
            Ok(Task::RenderCertificate { .. }) => return self.render_batch(&[job], summary).await,
            Ok(Task::DeliverCertificate { .. }) => {
                self.deliver(job).await.map(|done| summary.delivered += u64::from(done))
            }
            Ok(Task::Notify(_)) => self.notify(job).await.map(|done| summary.notices += u64::from(done)),
            Err(why) => Err(Failure::permanent(Error::BadJob {
                job: job.id,
                detail: why.clone(),
            })),
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(failure) => self.settle(job, failure, summary).await,
        }
    }

    /// Records a job's failed attempt (retried later, or dead), unless the database itself
    /// failed: that is returned, and the job's lease will expire and it will run again.
    async fn settle(&self, job: &Job, failure: Failure, summary: &mut RunSummary) -> Result<()> {
        if let Some(Error::Database { .. } | Error::DatabaseUnavailable { .. }) = failure.error.as_deref() {
            tracing::warn!(job = job.id, error = %failure.message, "database error; the lease will expire and the job run again");
            return Err(failure
                .error
                .map(|e| *e)
                .unwrap_or_else(|| Error::database(failure.message)));
        }
        tracing::warn!(job = job.id, kind = %job.kind, error = %failure.message, permanent = failure.permanent, "job failed");
        let dead = jobs::fail(
            self.engine.db(),
            job,
            &self.holder,
            &failure.message,
            jobs::Failed {
                permanent: failure.permanent,
                retry_for: Duration::hours(i64::from(self.config.settings.retry_hours)),
            },
            self.engine.now(),
        )
        .await?;
        if dead {
            summary.dead += 1;
            if let Ok(Task::DeliverCertificate { folio }) = &job.task {
                self.engine
                    .mark_delivery_failed(&self.actor, folio, &failure.message)
                    .await?;
            }
        } else {
            summary.retried += 1
        }
        Ok(())
    }
}

/// Runs `work`, a panic in it made job `job`'s permanent failure at `stage`.
async fn caught<T>(
    job: &Job,
    stage: Stage,
    work: impl std::future::Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    match std::panic::AssertUnwindSafe(work).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(panic) => Err(Failure::panicked(job, stage, &crate::process::panic_message(&*panic))),
    }
}

/// Why a job attempt failed: its message (in the runner's language, for the attempt record and
/// the log), whether retrying can help, and the error when there is one.
struct Failure {
    message: String,
    permanent: bool,
    error: Option<Box<Error>>,
}

impl Failure {
    /// A panic in a job's work: it would panic again, so the job is dead at once.
    fn panicked(job: &Job, stage: Stage, panic: &str) -> Self {
        let stage = match stage {
            Stage::Render => "rendering",
            Stage::Compose => "composing the e-mail",
            Stage::Send => "sending",
            Stage::Record => "recording",
        };
        tracing::error!(job = job.id, kind = %job.kind, stage, panic, "a job's work panicked; that job alone fails");
        Failure {
            message: format!("job {} failed while {stage}: {panic}", job.id),
            permanent: true,
            error: None,
        }
    }

    /// A failure waiting cannot mend (a record gone, a job that cannot be read).
    fn permanent(error: Error) -> Self {
        Failure {
            message: error.to_string(),
            permanent: true,
            error: Some(Box::new(error)),
        }
    }

    /// A failure waiting cannot mend, by its message.
    fn dead(message: String) -> Self {
        Failure {
            message,
            permanent: true,
            error: None,
        }
    }

    /// A failure worth trying again.
    fn transient(message: String) -> Self {
        Failure {
            message,
            permanent: false,
            error: None,
        }
    }
}

impl From<crate::mail::SendError> for Failure {
    fn from(e: crate::mail::SendError) -> Self {
        Failure {
            message: e.message,
            permanent: e.permanent,
            error: None,
        }
    }
}

impl From<Error> for Failure {
    /// Only what waiting can mend is retried ([`Error::is_transient`]); bad data, a missing or
    /// wrong key, a record gone make the job dead at once, with the reason.
    fn from(e: Error) -> Self {
        Failure {
            message: e.to_string(),
            permanent: !e.is_transient(),
            error: Some(Box::new(e)),
        }
    }
}
