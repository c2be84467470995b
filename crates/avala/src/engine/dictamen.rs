//! The dictamen, issued by a verifier in batches (lotes); a favourable one issues the
//! certificate (rule 7) and enqueues its rendering.

use chrono::{DateTime, Datelike, Months, Utc};
use serde_json::json;

use super::{Engine, Field, certificate_stream, enrollment_stream, lock_enrollment, notify, set_enrollment_state_with};
use crate::actor::Actor;
use crate::domain::{Action, Record, Role};
use crate::error::{Error, Result};
use crate::machine::{CertificateState, EnrollmentEvent, EnrollmentState, Lifecycle};
use crate::notices::Notice;
use crate::on;
use crate::store::Tx;

/// One issued batch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DictamenBatch {
    /// The lote id.
    pub id: i64,
    /// The window.
    pub window: i64,
    /// The verifier.
    pub verifier: String,
    /// Procede (favourable) or not.
    pub procede: bool,
    /// The enrollments decided.
    pub enrollments: Vec<i64>,
    /// The folios issued (procede only).
    pub folios: Vec<String>,
}

/// Allocates the next folio of `code` in `year` (never reused: the counter only grows).
async fn next_folio(tx: &mut Tx, code: &str, year: i32) -> Result<String> {
    let seq: i64 = on!(tx, c => sqlx::query_scalar(
        "INSERT INTO folio_counters (standard_code, year, last) VALUES ($1, $2, 1) \
         ON CONFLICT (standard_code, year) DO UPDATE SET last = folio_counters.last + 1 RETURNING last"
    ).bind(code).bind(year as i64).fetch_one(c).await?);
    Ok(crate::certificate::folio(code, year, seq))
}

/// Issues the certificate of `enrollment` inside the caller's transaction and enqueues its
/// rendering. Returns the folio.
pub(crate) async fn issue_certificate(
    tx: &mut Tx,
    by: &str,
    enrollment: i64,
    now: DateTime<Utc>,
    supersedes: Option<(i64, DateTime<Utc>)>,
) -> Result<String> {
    let (holder, code, validity, tz): (String, String, i64, String) = on!(tx, c => sqlx::query_as(
        "SELECT ca.name, s.code, s.validity_years, w.tz FROM enrollments e \
         JOIN candidates ca ON ca.id = e.candidate_id JOIN standards s ON s.id = e.standard_id \
         JOIN windows w ON w.id = e.window_id WHERE e.id = $1"
    ).bind(enrollment).fetch_one(c).await?);
    let year = now.with_timezone(&crate::clock::zone(&tz)).year();
    let folio = next_folio(tx, &code, year).await?;
    let verification = crate::certificate::new_verification_code();
    // A re-issue (reposición) keeps the validity of the certificate it replaces.
    let expires = match supersedes {
        Some((_, expires)) => expires,
        None => now.checked_add_months(Months::new(12 * validity as u32)).unwrap_or(now),
    };
    let supersedes = supersedes.map(|(id, _)| id);
    let inserted = on!(tx, c => sqlx::query(
        "INSERT INTO certificates (folio, verification_code, enrollment_id, holder_name, state, issued_at, expires_at, supersedes_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ).bind(&folio).bind(&verification).bind(enrollment).bind(&holder).bind(CertificateState::Issued.as_str())
    .bind(now).bind(expires).bind(supersedes).execute(c).await.map(|r| r.rows_affected()));
    if let Err(e) = inserted {
        if crate::store::is_unique_violation(&e) {
            return Err(Error::CertificateExists { enrollment });
        }
        return Err(e.into());
    }
    crate::audit::append(
        tx,
        &certificate_stream(&folio),
        by,
        now,
        "certificate.issued",
        // The holder by enrollment, never by name: personal data stays out of the log.
        json!({"enrollment": enrollment, "expires_at": expires, "supersedes": supersedes}),
    )
    .await?;
    crate::jobs::enqueue(tx, crate::jobs::Task::RenderCertificate { folio: folio.clone() }, now).await?;
    Ok(folio)
}

impl Engine {
    /// As [`Engine::issue_dictamen`], for an installation with its configuration at hand: a
    /// favourable dictamen leads to certificates signed with the issuer's key, so the key is
    /// checked first ([`Engine::signing_key`]) and nothing is issued that cannot be signed.
    pub async fn issue_dictamen_checked(
        &self,
        actor: &Actor,
        config: &crate::config::Config,
        window: i64,
        enrollments: &[i64],
        procede: bool,
    ) -> Result<DictamenBatch> {
        if procede {
            self.signing_key(actor, config).await?;
        }
        self.issue_dictamen(actor, window, enrollments, procede).await
    }

    /// Issues one dictamen batch for `window`: the listed enrollments, or every enrollment of
    /// the window waiting for its dictamen. The verifier must not have evaluated any of them
    /// (rule 3); any refusal refuses the whole batch.
    pub async fn issue_dictamen(
        &self,
        actor: &Actor,
        window: i64,
        enrollments: &[i64],
        procede: bool,
    ) -> Result<DictamenBatch> {
        let by = actor.staff(Role::Verifier, Action::IssueDictamen)?.to_string();
        let mut tx = self.db().write().await?;
        super::windows::load(&mut tx, window).await?;
        let ids: Vec<i64> = if enrollments.is_empty() {
            on!(&mut tx, c => sqlx::query_scalar(
                "SELECT id FROM enrollments WHERE window_id = $1 AND state = $2 ORDER BY id"
            ).bind(window).bind(EnrollmentState::SubmittedForDictamen.as_str()).fetch_all(c).await?)
        } else {
            let mut ids = enrollments.to_vec();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        if ids.is_empty() {
            return Err(Error::NothingForDictamen { window });
        }
        let event = if procede {
            EnrollmentEvent::Procede
        } else {
            EnrollmentEvent::NoProcede
        };
        let now = self.now();
        let batch: i64 = on!(&mut tx, c => sqlx::query_scalar(
            "INSERT INTO dictamen_batches (window_id, verifier_id, procede, issued_at) VALUES ($1, $2, $3, $4) RETURNING id"
        ).bind(window).bind(&by).bind(procede).bind(now).fetch_one(c).await?);
        let mut folios = Vec::new();
        for &id in &ids {
            let (state, version) = lock_enrollment(&mut tx, id).await?;
            let (in_window, evaluator): (i64, Option<String>) = on!(&mut tx, c => sqlx::query_as(
                "SELECT window_id, evaluator_id FROM enrollments WHERE id = $1"
            ).bind(id).fetch_one(c).await?);
            if in_window != window {
                return Err(Error::EnrollmentNotInWindow {
                    enrollment: id,
                    window,
                    actual: in_window,
                });
            }
            let next = state.apply(event)?;
            if evaluator.as_deref() == Some(by.as_str()) {
                return Err(Error::EvaluatorOnDictamen {
                    enrollment: id,
                    verifier: by,
                });
            }
            let fields = [Field::Int("dictamen_batch_id", batch), Field::Time("dictamen_at", now)];
            set_enrollment_state_with(&mut tx, id, version, next, &fields).await?;
            crate::audit::append(
                &mut tx,
                &enrollment_stream(id),
                &by,
                now,
                "enrollment.dictamen",
                json!({"batch": batch, "procede": procede}),
            )
            .await?;
            crate::jobs::enqueue(&mut tx, notify(Notice::Dictamen { enrollment: id }), now).await?;
            if procede {
                folios.push(issue_certificate(&mut tx, &by, id, now, None).await?);
            }
        }
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, Record::DictamenBatch, batch))?;
        Ok(DictamenBatch {
            id: batch,
            window,
            verifier: by,
            procede,
            enrollments: ids,
            folios,
        })
    }
}
