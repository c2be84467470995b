//! The job runner's work, from the outbox: run the schedules, then render certificates, e-mail
//! them and send notices.
//!
//! Rendering signs and stores the PDF (in the database and as `certificates/<folio>.pdf`),
//! enqueues the delivery and marks the job done in one transaction; a second run of the same job
//! finds the PDF stored and only completes. Delivery and notices send first and record
//! afterwards, with a stable Message-ID, so a crash in between resends the same message rather
//! than a different one. Every attempt is recorded with what the mail server answered.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::Lang;
use crate::certificate::pdf::{CertificateDoc, render};
use crate::certificate::signed::{Payload, StandardRef};
use crate::config::Config;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::jobs::{self, Job};
use crate::machine::{CertificateEvent, CertificateState, EnrollmentEvent, EnrollmentState, Lifecycle};
use crate::mail::{CertificateMail, Mailer};
use crate::on;

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

/// An e-mail ready to send: its id (the outbox file's name) and the message.
type Outgoing = (String, lettre::Message);

/// What a notice's job records when the notice has nobody to go to.
const NOBODY: &str = "nobody to send it to";

/// How many jobs a runner claims at once: a batch shares its claim, its reads and its record
/// among 64 jobs, and holds at most 64 PDFs (about 35 KiB each) in memory.
const CLAIM_BATCH: i64 = 64;

/// Runs jobs for one engine.
pub struct Worker {
    engine: Engine,
    config: Config,
    mailer: Mailer,
    holder: String,
    lang: Lang,
    lease: Duration,
    logo: std::sync::OnceLock<Option<std::sync::Arc<crate::certificate::pdf::Logo>>>,
    stopping: std::sync::atomic::AtomicBool,
    /// Whether the signing key is known to be in the key set.
    key_registered: std::sync::atomic::AtomicBool,
    /// Least time between two messages (a sending rate limit), and when the last one went.
    pace: Option<(std::time::Duration, tokio::sync::Mutex<Option<tokio::time::Instant>>)>,
}

#[derive(sqlx::FromRow)]
struct RenderData {
    folio: String,
    verification_code: String,
    holder_name: String,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    enrollment_id: i64,
    pdf_sha256: Option<String>,
    standard_code: String,
    standard_version: String,
    standard_title: String,
    standard_level: i64,
    tz: String,
    verifier_name: String,
}

/// A certificate rendered: what it shows, its signature, the PDF and its SHA-256.
type Rendered = (RenderData, crate::certificate::signed::Signed, Vec<u8>, String);

/// A certificate to render, once its data is read and signed.
enum Render {
    /// An earlier run of the job stored it already.
    Already,
    /// To render (and write to its file).
    Ready(Box<ToRender>),
}

/// What a certificate shows, its signature, the document to render and where its file goes.
struct ToRender {
    data: RenderData,
    signed: crate::certificate::signed::Signed,
    doc: CertificateDoc,
    path: std::path::PathBuf,
}

#[derive(sqlx::FromRow)]
struct DeliverData {
    folio: String,
    verification_code: String,
    holder_name: String,
    email: String,
    pdf: Option<Vec<u8>>,
    state: String,
    version: i64,
    enrollment_id: i64,
    enrollment_state: String,
    enrollment_version: i64,
    standard_code: String,
    standard_title: String,
}

/// An e-mail of a batch, read and ready to send.
enum Ready {
    Notice(crate::notices::Composed),
    Certificate(Box<DeliverData>),
}

/// An e-mail of a batch sent (or found needless), to be recorded.
enum Sent<'j> {
    Notice {
        job: &'j Job,
        detail: String,
        to_anyone: bool,
    },
    Certificate {
        job: &'j Job,
        data: Box<DeliverData>,
        answer: Option<String>,
    },
}

impl Sent<'_> {
    fn job(&self) -> &Job {
        match self {
            Sent::Notice { job, .. } | Sent::Certificate { job, .. } => job,
        }
    }
}

impl Worker {
    /// A worker identified as `holder` in job leases.
    pub fn new(engine: Engine, config: Config, mailer: Mailer, holder: String, lang: Lang) -> Self {
        Worker {
            engine,
            config,
            mailer,
            holder,
            lang,
            lease: Duration::minutes(5),
            logo: std::sync::OnceLock::new(),
            stopping: std::sync::atomic::AtomicBool::new(false),
            key_registered: std::sync::atomic::AtomicBool::new(false),
            pace: None,
        }
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

    /// Waits until the rate limit allows the next message.
    async fn pace(&self) {
        if let Some((gap, last)) = &self.pace {
            let mut last = last.lock().await;
            if let Some(at) = *last {
                tokio::time::sleep_until(at + *gap).await;
            }
            *last = Some(tokio::time::Instant::now());
        }
    }

    /// The configured logo, decoded once.
    fn logo(&self) -> Result<Option<std::sync::Arc<crate::certificate::pdf::Logo>>> {
        if let Some(logo) = self.logo.get() {
            return Ok(logo.clone());
        }
        let logo = self.config.logo()?.map(std::sync::Arc::new);
        Ok(self.logo.get_or_init(|| logo).clone())
    }

    /// The mailer.
    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// Runs jobs until none is due; `progress` is called after each job or batch of jobs.
    pub async fn drain(&self, mut progress: impl FnMut(&RunSummary)) -> Result<RunSummary> {
        let (windows_opened, windows_closed) = self.engine.run_window_schedule(&self.holder).await?;
        self.engine.schedule_notices(self.config.settings.reminder_days).await?;
        let mut summary = RunSummary {
            expired: self.engine.expire_certificates(&self.holder).await?,
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
            // Long jobs keep their lease: it is extended at a third of its length while they run.
            let heartbeat = {
                let (db, holder, clock, lease) = (
                    self.engine.db().clone(),
                    self.holder.clone(),
                    self.engine.clock(),
                    self.lease,
                );
                tokio::spawn(async move {
                    let every = (lease / 3).to_std().unwrap_or(std::time::Duration::from_secs(60));
                    loop {
                        tokio::time::sleep(every).await;
                        if !matches!(jobs::extend_leases(&db, &holder, clock.now() + lease).await, Ok(n) if n > 0) {
                            break;
                        }
                    }
                })
            };
            // The batch's certificates are rendered side by side and recorded in one transaction
            // (their effects are all in the database, so a crash loses or doubles none). E-mails
            // to the outbox folder are read in one transaction, written side by side and
            // recorded in one (writing one again replaces it, so a crash doubles none); over
            // SMTP each is recorded right after it is sent, so a crash can resend at most the
            // message in flight.
            let (renders, others): (Vec<&Job>, Vec<&Job>) =
                batch.iter().partition(|job| job.kind == jobs::RENDER_CERTIFICATE);
            let (mails, others): (Vec<&Job>, Vec<&Job>) = others.into_iter().partition(|job| {
                matches!(job.kind.as_str(), jobs::NOTIFY | jobs::DELIVER_CERTIFICATE) && self.mailer.resends_in_place()
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

    /// Runs one claimed job, recording a failure on the job rather than returning it, unless
    /// the database itself fails.
    pub async fn run(&self, job: &Job, summary: &mut RunSummary) -> Result<()> {
        let outcome = match job.kind.as_str() {
            jobs::RENDER_CERTIFICATE => return self.render_batch(&[job], summary).await,
            jobs::DELIVER_CERTIFICATE => self.deliver(job).await.map(|done| summary.delivered += u64::from(done)),
            jobs::NOTIFY => self.notify(job).await.map(|done| summary.notices += u64::from(done)),
            other => Err(Failure::permanent(format!("unknown job kind {other:?}"))),
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(failure) => self.settle(job, failure, summary).await,
        }
    }

    /// Records a job's failed attempt (retried later, or dead), unless the database itself
    /// failed: that is returned, and the job's lease will expire and it will run again.
    async fn settle(&self, job: &Job, failure: Failure, summary: &mut RunSummary) -> Result<()> {
        if let Some(Error::Database(_) | Error::DatabaseUnavailable { .. }) = &failure.error {
            tracing::warn!(job = job.id, error = %failure.message, "database error; the lease will expire and the job run again");
            return Err(failure.error.unwrap_or(Error::Database(failure.message)));
        }
        tracing::warn!(job = job.id, kind = %job.kind, error = %failure.message, permanent = failure.permanent, "job failed");
        let dead = jobs::fail(
            self.engine.db(),
            job,
            &self.holder,
            &failure.message,
            failure.permanent,
            self.engine.now(),
        )
        .await?;
        if dead {
            summary.dead += 1;
            if job.kind == jobs::DELIVER_CERTIFICATE
                && let Ok(folio) = folio_of(job)
            {
                self.engine
                    .mark_delivery_failed(&self.holder, &folio, &failure.message)
                    .await?;
            }
        } else {
            summary.retried += 1
        }
        Ok(())
    }

    /// Renders the certificates of `batch` side by side (each written to its file), then stores
    /// them all, enqueues their deliveries and completes their jobs in one transaction. A job
    /// whose certificate was stored by an earlier run only completes.
    async fn render_batch(&self, batch: &[&Job], summary: &mut RunSummary) -> Result<()> {
        let mut ready = Vec::with_capacity(batch.len());
        let mut to_render = Vec::with_capacity(batch.len());
        for job in batch {
            match self.start_render(job).await {
                Ok(Render::Already) => ready.push((*job, None)),
                Ok(Render::Ready(render)) => to_render.push((*job, render)),
                Err(failure) => self.settle(job, failure, summary).await?,
            }
        }
        // Rendering and writing the files are blocking work, off the runtime's thread: the
        // batch is split into one run per CPU.
        let (jobs, renders): (Vec<&Job>, Vec<Box<ToRender>>) = to_render.into_iter().unzip();
        let rendered = crate::process::spread(renders, |one: Box<ToRender>| {
            let pdf = render(&one.doc)?;
            let sha = hex::encode(Sha256::digest(&pdf));
            crate::config::write_atomic(&one.path, &pdf, false)?;
            Ok::<_, Error>((one.data, one.signed, pdf, sha))
        })
        .await;
        for (job, finished) in jobs.into_iter().zip(rendered) {
            match finished {
                Ok(Ok(done)) => ready.push((job, Some(done))),
                Ok(Err(e)) => self.settle(job, Failure::from(e), summary).await?,
                Err(e) => {
                    self.settle(job, Failure::transient(format!("rendering failed: {e}")), summary)
                        .await?
                }
            }
        }
        if ready.is_empty() {
            return Ok(());
        }
        match self.record_renders(&ready).await {
            Ok(rendered) => {
                summary.rendered += rendered;
                Ok(())
            }
            // Another runner took a job over (its lease ran out): nothing of the batch is
            // recorded, and each job still held is retried later (rendering is repeatable).
            Err(e @ Error::Conflict { .. }) => {
                for (job, _) in &ready {
                    self.settle(job, Failure::transient(e.to_string()), summary).await?;
                }
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Stores rendered certificates, enqueues their deliveries and completes their jobs (and
    /// those found rendered already) in one transaction; returns how many were rendered.
    async fn record_renders(&self, ready: &[(&Job, Option<Rendered>)]) -> Result<u64> {
        let now = self.engine.now();
        let mut tx = self.engine.db().write().await?;
        // The key is in the key set before the first certificate it signs is committed.
        if !self.key_registered.load(std::sync::atomic::Ordering::Relaxed) {
            let key = self.config.signing_key()?;
            crate::engine::register_key(&mut tx, &key.verifying_key(), now).await?;
        }
        let mut events = Vec::with_capacity(ready.len());
        let (mut deliveries, mut done) = (Vec::with_capacity(ready.len()), Vec::with_capacity(ready.len()));
        for (job, rendered) in ready {
            let Some((data, signed, pdf, sha)) = rendered else {
                done.push((*job, "already rendered by an earlier run".to_string()));
                continue;
            };
            on!(&mut tx, c => sqlx::query(
                "INSERT INTO certificate_files (folio, pdf) VALUES ($1, $2) ON CONFLICT (folio) DO NOTHING"
            ).bind(&data.folio).bind(pdf).execute(c).await?.rows_affected());
            on!(&mut tx, c => sqlx::query(
                "UPDATE certificates SET pdf_sha256 = $1, signed_payload = $2, signature = $3, key_id = $4 \
                 WHERE folio = $5 AND pdf_sha256 IS NULL"
            ).bind(sha).bind(&signed.canonical).bind(signed.signature_text()).bind(&signed.payload.key_id)
                .bind(&data.folio).execute(c).await?.rows_affected());
            deliveries.push((
                jobs::DELIVER_CERTIFICATE,
                format!("deliver:{}", data.folio),
                json!({"folio": data.folio}),
            ));
            done.push((*job, format!("rendered {} bytes, SHA-256 {sha}", pdf.len())));
            events.push((
                crate::engine::certificate_stream(&data.folio),
                "certificate.rendered",
                json!({"pdf_sha256": sha, "bytes": pdf.len(), "enrollment": data.enrollment_id}),
            ));
        }
        crate::audit::append_all(&mut tx, &self.holder, now, &events).await?;
        jobs::enqueue_all(&mut tx, &deliveries, now).await?;
        let done: Vec<(&Job, &str)> = done.iter().map(|(job, detail)| (*job, detail.as_str())).collect();
        jobs::complete_all(&mut tx, &self.holder, now, &done).await?;
        tx.commit().await?;
        self.key_registered.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(events.len() as u64)
    }

    /// Reads what a certificate shows and signs it, ready to render.
    async fn start_render(&self, job: &Job) -> Result<Render, Failure> {
        let folio = folio_of(job)?;
        let mut tx = self.engine.db().single().await?;
        let data: Option<RenderData> = on!(&mut tx, c => sqlx::query_as(
            "SELECT c.folio, c.verification_code, c.holder_name, c.issued_at, c.expires_at, c.enrollment_id, c.pdf_sha256, \
             s.code AS standard_code, s.version AS standard_version, s.title AS standard_title, s.level AS standard_level, \
             w.tz, st.name AS verifier_name FROM certificates c \
             JOIN enrollments e ON e.id = c.enrollment_id JOIN standards s ON s.id = e.standard_id \
             JOIN windows w ON w.id = e.window_id \
             JOIN dictamen_batches b ON b.id = e.dictamen_batch_id JOIN staff st ON st.id = b.verifier_id \
             WHERE c.folio = $1"
        ).bind(&folio).fetch_optional(c).await?);
        tx.commit().await?;
        let data = data.ok_or_else(|| Failure::permanent(format!("certificate {folio} does not exist")))?;
        if data.pdf_sha256.is_some() {
            // Already rendered by an earlier run of this job: only complete it.
            return Ok(Render::Already);
        }
        let tz: chrono_tz::Tz = data.tz.parse().unwrap_or(chrono_tz::America::Mexico_City);
        let doc = CertificateDoc {
            lang: self.lang,
            issuer: self.config.settings.issuer.clone(),
            holder_name: data.holder_name.clone(),
            standard_code: data.standard_code.clone(),
            standard_version: data.standard_version.clone(),
            standard_title: data.standard_title.clone(),
            standard_level: u8::try_from(data.standard_level).unwrap_or(0),
            folio: data.folio.clone(),
            verification_code: data.verification_code.clone(),
            dictamen_date: data.issued_at.with_timezone(&tz).date_naive(),
            place: self.config.settings.place.clone(),
            valid_until: data.expires_at.with_timezone(&tz).date_naive(),
            verifier_name: data.verifier_name.clone(),
            qr: String::new(),
            logo: self.logo()?,
        };
        let key = self.config.signing_key()?;
        let signed = Payload {
            v: 1,
            folio: data.folio.clone(),
            verification_code: data.verification_code.clone(),
            holder: data.holder_name.clone(),
            standard: StandardRef {
                code: data.standard_code.clone(),
                version: data.standard_version.clone(),
                title: data.standard_title.clone(),
            },
            result: "competent".into(),
            issued_at: data.issued_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            expires_at: data.expires_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            issuer: self.config.settings.issuer.clone(),
            key_id: crate::config::key_id(&key.verifying_key()),
        }
        .sign(&key);
        let mut doc = doc;
        doc.qr = signed.token();
        let path = self.config.certificates_dir().join(format!("{}.pdf", data.folio));
        Ok(Render::Ready(Box::new(ToRender {
            data,
            signed,
            doc,
            path,
        })))
    }

    /// Sends the certificate and records it; false when there was nothing to send (delivered
    /// already, or revoked).
    async fn deliver(&self, job: &Job) -> Result<bool, Failure> {
        let mut tx = self.engine.db().single().await?;
        let data = self.delivery_data(&mut tx, job).await;
        tx.commit().await?;
        let data = data?;
        let answer = match self.certificate_message(&data)? {
            Some(message) => Some(self.send(message).await?),
            None => None,
        };
        let sent = answer.is_some();
        // Both rows are written guarded by the versions read before sending: a change in
        // between (a revocation, say) is a conflict and the job is tried again.
        let mut tx = self.engine.db().write().await?;
        let record = Sent::Certificate {
            job,
            data: Box::new(data),
            answer,
        };
        self.record_sent(&mut tx, std::slice::from_ref(&record), self.engine.now())
            .await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// What a certificate e-mail needs, read inside `tx`.
    async fn delivery_data(&self, tx: &mut crate::store::Tx, job: &Job) -> Result<DeliverData, Failure> {
        let folio = folio_of(job)?;
        let data: Option<DeliverData> = on!(tx, c => sqlx::query_as(
            "SELECT c.folio, c.verification_code, c.holder_name, ca.email, f.pdf, c.state, c.version, c.enrollment_id, \
             e.state AS enrollment_state, e.version AS enrollment_version, \
             s.code AS standard_code, s.title AS standard_title FROM certificates c \
             JOIN enrollments e ON e.id = c.enrollment_id JOIN candidates ca ON ca.id = e.candidate_id \
             JOIN standards s ON s.id = e.standard_id LEFT JOIN certificate_files f ON f.folio = c.folio \
             WHERE c.folio = $1"
        ).bind(&folio).fetch_optional(c).await?);
        data.ok_or_else(|| Failure::permanent(format!("certificate {folio} does not exist")))
    }

    /// The certificate e-mail, or none when there is nothing to send (delivered already by an
    /// earlier run, or revoked meanwhile).
    fn certificate_message(&self, data: &DeliverData) -> Result<Option<Outgoing>, Failure> {
        let state = CertificateState::parse(&data.state).map_err(|e| Error::Database(e.to_string()))?;
        if state != CertificateState::Issued {
            return Ok(None);
        }
        let pdf = data
            .pdf
            .clone()
            .ok_or_else(|| Failure::transient(format!("certificate {} has no PDF yet", data.folio)))?;
        let standard = format!("{} «{}»", data.standard_code, data.standard_title);
        let message = CertificateMail {
            lang: self.lang,
            issuer: &self.config.settings.issuer,
            from: &self.config.settings.mail_from,
            to_name: &data.holder_name,
            to: &data.email,
            folio: &data.folio,
            verification_code: &data.verification_code,
            standard: &standard,
            pdf,
        }
        .build()
        .map_err(|e| Failure::permanent(e.to_string()))?;
        Ok(Some((format!("{}.certificate", data.folio), message)))
    }

    /// A notice's e-mail, or none when it has nobody to go to.
    fn notice_message(&self, job: &Job, composed: crate::notices::Composed) -> Result<Option<Outgoing>, Failure> {
        if composed.to.is_empty() {
            return Ok(None);
        }
        let settings = &self.config.settings;
        let message = crate::notices::message(&composed, &job.idempotency_key, &settings.issuer, &settings.mail_from)
            .map_err(|e| Failure::permanent(e.to_string()))?;
        Ok(Some((job.idempotency_key.replace(':', "."), message)))
    }

    /// Sends one message, at the rate limit: what the mail server answered.
    async fn send(&self, (id, message): Outgoing) -> Result<String, Failure> {
        self.pace().await;
        self.mailer.send(&id, message).await.map_err(Failure::from)
    }

    /// Records e-mails sent (or found needless) inside `tx`: each certificate and its
    /// enrollment delivered (guarded by the versions read before sending), the audit events of
    /// them all in one go, every job completed. A certificate with no answer (nothing was sent)
    /// only completes its job.
    async fn record_sent(&self, tx: &mut crate::store::Tx, sent: &[Sent<'_>], now: DateTime<Utc>) -> Result<()> {
        let mut events: Vec<(String, &str, serde_json::Value)> = Vec::new();
        let mut done: Vec<(&Job, std::borrow::Cow<str>)> = Vec::with_capacity(sent.len());
        for s in sent {
            match s {
                Sent::Notice { job, detail, .. } => done.push((job, detail.into())),
                Sent::Certificate { job, data, answer } => {
                    let detail = match answer {
                        Some(answer) => {
                            self.delivered(tx, data, now, &mut events).await?;
                            answer.into()
                        }
                        None => format!("nothing to send: the certificate is {}", data.state).into(),
                    };
                    done.push((job, detail));
                }
            }
        }
        crate::audit::append_all(tx, &self.holder, now, &events).await?;
        let done: Vec<(&Job, &str)> = done.iter().map(|(job, detail)| (*job, detail.as_ref())).collect();
        jobs::complete_all(tx, &self.holder, now, &done).await
    }

    /// Marks a certificate and its enrollment delivered inside `tx`, guarded by the versions
    /// read before sending, and adds their audit events to `events`.
    async fn delivered(
        &self,
        tx: &mut crate::store::Tx,
        data: &DeliverData,
        now: DateTime<Utc>,
        events: &mut Vec<(String, &str, serde_json::Value)>,
    ) -> Result<()> {
        let state = CertificateState::parse(&data.state).map_err(|e| Error::Database(e.to_string()))?;
        let next = state.apply(CertificateEvent::Deliver)?;
        let changed = on!(tx, c => sqlx::query("UPDATE certificates SET state = $1, version = version + 1 WHERE folio = $2 AND version = $3")
            .bind(next.as_str()).bind(&data.folio).bind(data.version).execute(c).await?.rows_affected());
        if changed != 1 {
            return Err(Error::Conflict {
                what: "certificate",
                id: data.folio.clone(),
            });
        }
        let enrollment_state =
            EnrollmentState::parse(&data.enrollment_state).map_err(|e| Error::Database(e.to_string()))?;
        if enrollment_state == EnrollmentState::CertificateIssued {
            let delivered = enrollment_state.apply(EnrollmentEvent::Email)?;
            let changed = on!(tx, c => sqlx::query(
                "UPDATE enrollments SET state = $1, version = version + 1, delivered_at = $2, delivery_error = NULL \
                 WHERE id = $3 AND version = $4"
            ).bind(delivered.as_str()).bind(now).bind(data.enrollment_id).bind(data.enrollment_version)
                .execute(c).await?.rows_affected());
            if changed != 1 {
                return Err(Error::Conflict {
                    what: "enrollment",
                    id: data.enrollment_id.to_string(),
                });
            }
            events.push((
                crate::engine::enrollment_stream(data.enrollment_id),
                "enrollment.delivered",
                json!({"folio": data.folio}),
            ));
        }
        events.push((
            crate::engine::certificate_stream(&data.folio),
            "certificate.delivered",
            json!({"to": "holder", "via": self.mailer.describe()}),
        ));
        Ok(())
    }
}

impl Worker {
    /// Writes and sends a notice, and records it; false when it has nobody to go to.
    async fn notify(&self, job: &Job) -> Result<bool, Failure> {
        let now = self.engine.now();
        let mut tx = self.engine.db().read().await?;
        let composed = self.compose(&mut tx, job, now).await;
        tx.commit().await?;
        let (detail, to_anyone) = match self.notice_message(job, composed?)? {
            Some(message) => (self.send(message).await?, true),
            None => (NOBODY.to_string(), false),
        };
        let mut tx = self.engine.db().write().await?;
        let record = Sent::Notice { job, detail, to_anyone };
        self.record_sent(&mut tx, std::slice::from_ref(&record), now).await?;
        tx.commit().await?;
        Ok(to_anyone)
    }

    /// E-mails (notices and certificates) whose sending replaces rather than repeats
    /// ([`Mailer::resends_in_place`]): read in one transaction, written side by side, and
    /// recorded in one. A crash before the record sends them again, to the same files. When
    /// one of them cannot be recorded (another runner took its job over, or its certificate
    /// changed meanwhile), the others are recorded one by one and that one is tried again later.
    async fn send_batch(&self, batch: &[&Job], summary: &mut RunSummary) -> Result<()> {
        let now = self.engine.now();
        let mut read = Vec::with_capacity(batch.len());
        let mut tx = self.engine.db().read().await?;
        for job in batch {
            read.push(match job.kind.as_str() {
                jobs::NOTIFY => self.compose(&mut tx, job, now).await.map(Ready::Notice),
                _ => self
                    .delivery_data(&mut tx, job)
                    .await
                    .map(|d| Ready::Certificate(Box::new(d))),
            });
        }
        tx.commit().await?;
        // Each e-mail written; a job whose e-mail could not be made or written is settled on
        // its own and left out of the record.
        let mut prepared = Vec::with_capacity(batch.len());
        let mut outgoing = Vec::with_capacity(batch.len());
        for (job, ready) in batch.iter().zip(read) {
            let message = ready.and_then(|ready| match ready {
                Ready::Notice(composed) => self.notice_message(job, composed).map(|m| (None, m)),
                Ready::Certificate(data) => self.certificate_message(&data).map(|m| (Some(data), m)),
            });
            match message {
                Ok((data, message)) => {
                    prepared.push((*job, data, message.is_some()));
                    outgoing.extend(message);
                }
                Err(failure) => self.settle(job, failure, summary).await?,
            }
        }
        let mut answers = if self.pace.is_some() {
            let mut answers = Vec::with_capacity(outgoing.len());
            for message in outgoing {
                answers.push(self.send(message).await);
            }
            answers
        } else {
            let answers = self.mailer.send_all(outgoing).await;
            answers.into_iter().map(|a| a.map_err(Failure::from)).collect()
        }
        .into_iter();
        let mut sent = Vec::with_capacity(prepared.len());
        for (job, data, has_message) in prepared {
            let answer = match has_message.then(|| answers.next()).flatten() {
                Some(Ok(answer)) => Some(answer),
                Some(Err(failure)) => {
                    self.settle(job, failure, summary).await?;
                    continue;
                }
                None => None,
            };
            sent.push(match data {
                None => Sent::Notice {
                    job,
                    to_anyone: answer.is_some(),
                    detail: answer.unwrap_or_else(|| NOBODY.to_string()),
                },
                Some(data) => Sent::Certificate { job, data, answer },
            });
        }
        let all = async {
            let mut tx = self.engine.db().write().await?;
            self.record_sent(&mut tx, &sent, now).await?;
            tx.commit().await
        };
        match all.await {
            Ok(()) => {}
            Err(Error::Conflict { .. }) => {
                let mut kept = Vec::with_capacity(sent.len());
                for s in sent {
                    let mut tx = self.engine.db().write().await?;
                    match self.record_sent(&mut tx, std::slice::from_ref(&s), now).await {
                        Ok(()) => {
                            tx.commit().await?;
                            kept.push(s);
                        }
                        Err(e @ Error::Conflict { .. }) => {
                            drop(tx);
                            self.settle(s.job(), Failure::transient(e.to_string()), summary).await?;
                        }
                        Err(e) => return Err(e),
                    }
                }
                sent = kept;
            }
            Err(e) => return Err(e),
        }
        for s in &sent {
            match s {
                Sent::Notice { to_anyone, .. } => summary.notices += u64::from(*to_anyone),
                Sent::Certificate { answer, .. } => summary.delivered += u64::from(answer.is_some()),
            }
        }
        Ok(())
    }

    /// What a notice says and to whom, read inside `tx`.
    async fn compose(
        &self,
        tx: &mut crate::store::Tx,
        job: &Job,
        now: DateTime<Utc>,
    ) -> Result<crate::notices::Composed, Failure> {
        let payload = job.payload()?;
        crate::notices::compose(tx, &payload, self.lang, &self.config.settings.issuer, now)
            .await
            .map_err(|e| match e {
                Error::NotFound { .. } | Error::Invalid(_) => Failure::permanent(e.to_string()),
                other => Failure::from(other),
            })
    }
}

fn folio_of(job: &Job) -> Result<String, Failure> {
    let payload = job.payload()?;
    payload["folio"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| Failure::permanent(format!("job {} has no folio", job.id)))
}

/// Why a job attempt failed.
struct Failure {
    message: String,
    permanent: bool,
    error: Option<Error>,
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

impl Failure {
    fn permanent(message: String) -> Self {
        Failure {
            message,
            permanent: true,
            error: None,
        }
    }
    fn transient(message: String) -> Self {
        Failure {
            message,
            permanent: false,
            error: None,
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            message: e.to_string(),
            permanent: false,
            error: Some(e),
        }
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Error::from(e).into()
    }
}
