//! What the job runner asks of the engine: the records its jobs need (a certificate to sign and
//! render, an e-mail to send, what a notice says) and the recording of what it did, each job
//! completed in the same transaction as its effect. The runner itself writes nothing.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{Engine, certificate_stream, enrollment_stream, stored_state};
use crate::actor::Actor;
use crate::certificate::CertificateRecord;
use crate::certificate::signed::Signed;
use crate::domain::{Record, Role, Roles};
use crate::error::{Error, Result};
use crate::jobs::{self, Job, Task};
use crate::machine::{CertificateEvent, CertificateState, EnrollmentEvent, EnrollmentState, Lifecycle};
use crate::notices::{Letter, Notice, Person, StandardName};
use crate::on;
use crate::store::Tx;

/// A certificate to e-mail, as recorded now.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Folio.
    pub folio: String,
    /// Verification code.
    pub verification_code: String,
    /// The holder.
    pub holder_name: String,
    /// The holder's address.
    pub email: String,
    /// The rendered PDF, once rendered.
    pub pdf: Option<Vec<u8>>,
    /// The certificate's state (only an issued one is sent).
    pub state: String,
    version: i64,
    enrollment_id: i64,
    enrollment_state: String,
    enrollment_version: i64,
    /// Standard code.
    pub standard_code: String,
    /// Standard title.
    pub standard_title: String,
}

crate::from_row!(Delivery {
    folio,
    verification_code,
    holder_name,
    email,
    pdf,
    state,
    version,
    enrollment_id,
    enrollment_state,
    enrollment_version,
    standard_code,
    standard_title
});

impl Delivery {
    /// Is there anything to send? Not once delivered, revoked or otherwise moved on.
    pub fn is_due(&self) -> Result<bool> {
        Ok(CertificateState::parse(&self.state).map_err(stored_state)? == CertificateState::Issued)
    }
}

/// What an e-mail job needs, read from the records.
#[derive(Debug, Clone)]
pub enum Mail {
    /// A notice: what it says.
    Notice(Letter),
    /// A certificate to deliver.
    Certificate(Box<Delivery>),
}

/// A certificate rendered by the runner, to record.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The folio.
    pub folio: String,
    /// The enrollment it certifies.
    pub enrollment: i64,
    /// The signed payload.
    pub signed: Signed,
    /// The PDF.
    pub pdf: Vec<u8>,
    /// Its SHA-256, hex.
    pub sha256: String,
}

/// An e-mail job done: sent (with the server's answer) or found needless.
#[derive(Debug)]
pub enum Sent<'j> {
    /// A notice: what the server answered, or why nothing was sent.
    Notice {
        /// The job.
        job: &'j Job,
        /// The server's answer (or why nothing was sent).
        detail: String,
    },
    /// A certificate: what the server answered, or none when nothing was sent.
    Certificate {
        /// The job.
        job: &'j Job,
        /// The delivery as read before sending.
        delivery: Box<Delivery>,
        /// The server's answer; none when there was nothing to send.
        answer: Option<String>,
        /// How it went, for the audit log (the transport).
        via: String,
    },
}

impl Sent<'_> {
    /// The job.
    pub fn job(&self) -> &Job {
        match self {
            Sent::Notice { job, .. } | Sent::Certificate { job, .. } => job,
        }
    }
}

impl Engine {
    /// A certificate to sign and render; none when an earlier run rendered it already.
    pub async fn certificate_to_render(&self, actor: &Actor, folio: &str) -> Result<Option<CertificateRecord>> {
        actor.the_runner()?;
        let mut tx = self.db().single().await?;
        let row: Option<(Option<String>,)> = on!(&mut tx, c => sqlx::query_as(
            "SELECT pdf_sha256 FROM certificates WHERE folio = $1"
        ).bind(folio).fetch_optional(c).await?);
        let record: Option<CertificateRecord> = match row {
            Some((Some(_),)) => None,
            Some((None,)) => on!(&mut tx, c => sqlx::query_as(
                "SELECT c.folio, c.verification_code, c.holder_name, c.issued_at, c.expires_at, c.enrollment_id, \
                 s.code AS standard_code, s.version AS standard_version, s.title AS standard_title, \
                 s.level AS standard_level, w.tz, st.name AS verifier_name FROM certificates c \
                 JOIN enrollments e ON e.id = c.enrollment_id JOIN standards s ON s.id = e.standard_id \
                 JOIN windows w ON w.id = e.window_id \
                 JOIN dictamen_batches b ON b.id = e.dictamen_batch_id JOIN staff st ON st.id = b.verifier_id \
                 WHERE c.folio = $1"
            ).bind(folio).fetch_optional(c).await?),
            None => return Err(Error::not_found(Record::Certificate, folio)),
        };
        tx.commit().await?;
        Ok(record)
    }

    /// Stores rendered certificates (the signed payload, the file and its hash), enqueues their
    /// deliveries and completes their jobs, together with the jobs of certificates found
    /// rendered already, in one transaction. The key that signed them is pinned in the key set
    /// (signers get it from [`Engine::signing_key`]). Returns how many were rendered.
    pub async fn record_renderings(&self, actor: &Actor, rendered: &[(&Job, Option<Rendered>)]) -> Result<u64> {
        let by = actor.the_runner()?;
        let now = self.now();
        let mut tx = self.db().write().await?;
        let mut events = Vec::with_capacity(rendered.len());
        let (mut deliveries, mut done) = (Vec::with_capacity(rendered.len()), Vec::with_capacity(rendered.len()));
        for (job, r) in rendered {
            let Some(r) = r else {
                done.push((*job, "already rendered by an earlier run".to_string()));
                continue;
            };
            on!(&mut tx, c => sqlx::query(
                "INSERT INTO certificate_files (folio, pdf) VALUES ($1, $2) ON CONFLICT (folio) DO NOTHING"
            ).bind(&r.folio).bind(&r.pdf).execute(c).await?.rows_affected());
            on!(&mut tx, c => sqlx::query(
                "UPDATE certificates SET pdf_sha256 = $1, signed_payload = $2, signature = $3, key_id = $4 \
                 WHERE folio = $5 AND pdf_sha256 IS NULL"
            ).bind(&r.sha256).bind(&r.signed.canonical).bind(r.signed.signature_text()).bind(&r.signed.payload.key_id)
                .bind(&r.folio).execute(c).await?.rows_affected());
            deliveries.push(Task::DeliverCertificate { folio: r.folio.clone() });
            done.push((*job, format!("rendered {} bytes, SHA-256 {}", r.pdf.len(), r.sha256)));
            events.push((
                certificate_stream(&r.folio),
                "certificate.rendered",
                json!({"pdf_sha256": r.sha256, "bytes": r.pdf.len(), "enrollment": r.enrollment}),
            ));
        }
        crate::audit::append_all(&mut tx, by, now, &events).await?;
        jobs::enqueue_all(&mut tx, &deliveries, now).await?;
        let done: Vec<(&Job, &str)> = done.iter().map(|(job, detail)| (*job, detail.as_str())).collect();
        jobs::complete_all(&mut tx, by, now, &done).await?;
        tx.commit().await?;
        Ok(events.len() as u64)
    }

    /// What each e-mail task needs, read in one transaction, in order; a task that is not an
    /// e-mail, or whose record is gone, gets its error.
    pub async fn mail_for(&self, actor: &Actor, tasks: &[&Task]) -> Result<Vec<Result<Mail>>> {
        actor.the_runner()?;
        let now = self.now();
        let mut tx = self.db().read().await?;
        let mut out = Vec::with_capacity(tasks.len());
        for task in tasks {
            out.push(match task {
                Task::Notify(notice) => letter(&mut tx, notice, now).await.map(Mail::Notice),
                Task::DeliverCertificate { folio } => {
                    delivery(&mut tx, folio).await.map(|d| Mail::Certificate(Box::new(d)))
                }
                Task::RenderCertificate { folio } => Err(Error::BadJob {
                    job: 0,
                    detail: format!("render:{folio} is not an e-mail"),
                }),
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Records e-mails sent (or found needless) in one transaction: each certificate and its
    /// enrollment delivered (guarded by the versions read before sending: a change in between,
    /// a revocation say, is a conflict and the job is tried again), the audit events of them
    /// all in one go, every job completed.
    pub async fn record_sent(&self, actor: &Actor, sent: &[Sent<'_>]) -> Result<()> {
        let by = actor.the_runner()?;
        let now = self.now();
        let mut tx = self.db().write().await?;
        let mut events: Vec<(String, &str, serde_json::Value)> = Vec::new();
        let mut done: Vec<(&Job, std::borrow::Cow<str>)> = Vec::with_capacity(sent.len());
        for s in sent {
            match s {
                Sent::Notice { job, detail } => done.push((job, detail.into())),
                Sent::Certificate {
                    job,
                    delivery,
                    answer,
                    via,
                } => {
                    let detail = match answer {
                        Some(answer) => {
                            delivered(&mut tx, delivery, via, now, &mut events).await?;
                            answer.into()
                        }
                        None => format!("nothing to send: the certificate is {}", delivery.state).into(),
                    };
                    done.push((job, detail));
                }
            }
        }
        crate::audit::append_all(&mut tx, by, now, &events).await?;
        let done: Vec<(&Job, &str)> = done.iter().map(|(job, detail)| (*job, detail.as_ref())).collect();
        jobs::complete_all(&mut tx, by, now, &done).await?;
        tx.commit().await
    }
}

/// A certificate e-mail's record, read inside `tx`.
async fn delivery(tx: &mut Tx, folio: &str) -> Result<Delivery> {
    let data: Option<Delivery> = on!(tx, c => sqlx::query_as(
        "SELECT c.folio, c.verification_code, c.holder_name, ca.email, f.pdf, c.state, c.version, c.enrollment_id, \
         e.state AS enrollment_state, e.version AS enrollment_version, \
         s.code AS standard_code, s.title AS standard_title FROM certificates c \
         JOIN enrollments e ON e.id = c.enrollment_id JOIN candidates ca ON ca.id = e.candidate_id \
         JOIN standards s ON s.id = e.standard_id LEFT JOIN certificate_files f ON f.folio = c.folio \
         WHERE c.folio = $1"
    ).bind(folio).fetch_optional(c).await?);
    data.ok_or_else(|| Error::not_found(Record::Certificate, folio))
}

/// Marks a certificate and its enrollment delivered inside `tx`, guarded by the versions read
/// before sending, and adds their audit events to `events`.
async fn delivered(
    tx: &mut Tx,
    d: &Delivery,
    via: &str,
    now: DateTime<Utc>,
    events: &mut Vec<(String, &str, serde_json::Value)>,
) -> Result<()> {
    let state = CertificateState::parse(&d.state).map_err(stored_state)?;
    let next = state.apply(CertificateEvent::Deliver)?;
    let changed = on!(tx, c => sqlx::query("UPDATE certificates SET state = $1, version = version + 1 WHERE folio = $2 AND version = $3")
        .bind(next.as_str()).bind(&d.folio).bind(d.version).execute(c).await?.rows_affected());
    if changed != 1 {
        return Err(Error::conflict(Record::Certificate, &d.folio));
    }
    let enrollment_state = EnrollmentState::parse(&d.enrollment_state).map_err(stored_state)?;
    if enrollment_state == EnrollmentState::CertificateIssued {
        let delivered = enrollment_state.apply(EnrollmentEvent::Email)?;
        let changed = on!(tx, c => sqlx::query(
            "UPDATE enrollments SET state = $1, version = version + 1, delivered_at = $2, delivery_error = NULL \
             WHERE id = $3 AND version = $4"
        ).bind(delivered.as_str()).bind(now).bind(d.enrollment_id).bind(d.enrollment_version)
            .execute(c).await?.rows_affected());
        if changed != 1 {
            return Err(Error::conflict(Record::Enrollment, d.enrollment_id));
        }
        events.push((
            enrollment_stream(d.enrollment_id),
            "enrollment.delivered",
            json!({"folio": d.folio}),
        ));
    }
    events.push((
        certificate_stream(&d.folio),
        "certificate.delivered",
        json!({"to": "holder", "via": via}),
    ));
    Ok(())
}

struct About {
    name: String,
    email: String,
    standard_code: String,
    standard_title: String,
    window_id: i64,
    diagnostic_score: Option<i64>,
    diagnostic_threshold: Option<i64>,
    verdict: Option<String>,
    state: String,
}

crate::from_row!(About {
    name,
    email,
    standard_code,
    standard_title,
    window_id,
    diagnostic_score,
    diagnostic_threshold,
    verdict,
    state
});

impl About {
    fn person(&self) -> Person {
        Person {
            name: self.name.clone(),
            email: self.email.clone(),
        }
    }
    fn standard(&self) -> StandardName {
        StandardName {
            code: self.standard_code.clone(),
            title: self.standard_title.clone(),
        }
    }
}

async fn about(tx: &mut Tx, enrollment: i64) -> Result<About> {
    let row = on!(tx, c => sqlx::query_as::<_, About>(
        "SELECT ca.name, ca.email, w.standard_code, s.title AS standard_title, e.window_id, e.diagnostic_score, \
         s.diagnostic_threshold, e.verdict, e.state FROM enrollments e \
         JOIN candidates ca ON ca.id = e.candidate_id JOIN windows w ON w.id = e.window_id \
         JOIN standards s ON s.id = COALESCE(e.standard_id, (SELECT MAX(id) FROM standards WHERE code = w.standard_code)) \
         WHERE e.id = $1"
    ).bind(enrollment).fetch_optional(c).await?);
    row.ok_or_else(|| Error::not_found(Record::Enrollment, enrollment))
}

/// What `notice` says, from the records as they are now, read inside `tx`.
async fn letter(tx: &mut Tx, notice: &Notice, now: DateTime<Utc>) -> Result<Letter> {
    Ok(match notice {
        Notice::Registration { enrollment } => {
            let a = about(tx, *enrollment).await?;
            Letter::Registration {
                to: a.person(),
                enrollment: *enrollment,
                window: a.window_id,
                standard: a.standard(),
            }
        }
        Notice::Diagnostic { enrollment } => {
            let a = about(tx, *enrollment).await?;
            Letter::Diagnostic {
                to: a.person(),
                standard: a.standard(),
                score: a.diagnostic_score.unwrap_or_default(),
                threshold: a.diagnostic_threshold.unwrap_or_default(),
            }
        }
        Notice::Verdict { enrollment } => {
            let a = about(tx, *enrollment).await?;
            let feedback: Vec<(String, Option<String>)> = on!(tx, c => sqlx::query_as(
                "SELECT element_code, feedback FROM element_judgements WHERE enrollment_id = $1 AND NOT competent \
                 ORDER BY element_code"
            ).bind(enrollment).fetch_all(c).await?);
            Letter::Verdict {
                to: a.person(),
                standard: a.standard(),
                competent: a.verdict.as_deref() == Some("competent"),
                feedback,
            }
        }
        Notice::Dictamen { enrollment } => {
            let a = about(tx, *enrollment).await?;
            let state = EnrollmentState::parse(&a.state).map_err(stored_state)?;
            Letter::Dictamen {
                to: a.person(),
                standard: a.standard(),
                procede: state != EnrollmentState::DictamenRejected,
            }
        }
        Notice::ExpiryReminder { certificate } => {
            let row: Option<(String, String, String, DateTime<Utc>)> = on!(tx, c => sqlx::query_as(
                "SELECT c.folio, c.holder_name, ca.email, c.expires_at FROM certificates c \
                 JOIN enrollments e ON e.id = c.enrollment_id JOIN candidates ca ON ca.id = e.candidate_id WHERE c.id = $1"
            ).bind(certificate).fetch_optional(c).await?);
            let (folio, name, email, expires) =
                row.ok_or_else(|| Error::not_found(Record::Certificate, certificate))?;
            Letter::ExpiryReminder {
                to: Person { name, email },
                folio,
                expires,
            }
        }
        Notice::OverdueDigest { .. } => Letter::OverdueDigest {
            to: administrators(tx).await?,
            rows: super::overdue_in(tx, None, now).await?,
        },
        Notice::Checkpoint { id, oversight } => {
            let file = super::checkpoints::file_in(tx, *id).await?;
            let mut to = administrators(tx).await?;
            to.extend(oversight.iter().map(|email| Person {
                name: String::new(),
                email: email.clone(),
            }));
            let head = &file.checkpoint;
            Letter::Checkpoint {
                to,
                id: *id,
                at: DateTime::parse_from_rfc3339(&head.at)
                    .map(|t| t.to_utc())
                    .unwrap_or(now),
                streams: head.streams,
                events: head.events,
                root: head.root.clone(),
                file: serde_json::to_string(&file).unwrap_or_default(),
            }
        }
    })
}

/// The administrators, to whom digests and checkpoints go.
async fn administrators(tx: &mut Tx) -> Result<Vec<Person>> {
    let staff: Vec<(String, String, String)> =
        on!(tx, c => sqlx::query_as("SELECT name, email, roles FROM staff ORDER BY id").fetch_all(c).await?);
    Ok(staff
        .into_iter()
        .filter(|(_, _, roles)| Roles::parse_stored(roles).has(Role::Admin))
        .map(|(name, email, _)| Person { name, email })
        .collect())
}
