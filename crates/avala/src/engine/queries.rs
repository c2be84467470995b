//! Read-side queries: listings, details (personal-data reads are audited) and reports.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::rows::{
    CertificateRow, EnrollmentDetail, EnrollmentRow, OverdueRow, REFUSED_EMAIL, ReportBy, ReportRow, StaffRow,
    StandardRow, WindowRow,
};
use super::{Engine, stored_state};
use crate::actor::Actor;
use crate::deadlines::Deadline;
use crate::domain::{Action, Record, Role};
use crate::error::{Error, Result};
use crate::machine::{EnrollmentState, Lifecycle};
use crate::on;
use crate::store::Tx;

impl Engine {
    /// Staff members.
    pub async fn list_staff(&self, actor: &Actor) -> Result<Vec<StaffRow>> {
        actor.any_staff(Action::ListStaff)?;
        let mut tx = self.db().read().await?;
        let rows = on!(&mut tx, c => sqlx::query_as("SELECT id, name, email, roles FROM staff ORDER BY id").fetch_all(c).await?);
        tx.commit().await?;
        Ok(rows)
    }

    /// Loaded standard versions.
    pub async fn list_standards(&self, actor: &Actor) -> Result<Vec<StandardRow>> {
        actor.any_staff(Action::ReadStandards)?;
        let mut tx = self.db().read().await?;
        let rows = on!(&mut tx, c => sqlx::query_as(
            "SELECT id, code, version, title, level, validity_years, diagnostic_threshold, content_hash, loaded_at \
             FROM standards ORDER BY code, id"
        ).fetch_all(c).await?);
        tx.commit().await?;
        Ok(rows)
    }

    /// The latest loaded version of a standard.
    pub async fn show_standard(&self, actor: &Actor, code: &str) -> Result<crate::standard::Standard> {
        actor.any_staff(Action::ReadStandards)?;
        let mut tx = self.db().read().await?;
        let (_, standard) = super::standards::latest(&mut tx, code).await?;
        tx.commit().await?;
        Ok(standard)
    }

    /// Windows.
    pub async fn list_windows(&self, actor: &Actor) -> Result<Vec<WindowRow>> {
        actor.any_staff(Action::ReadWindows)?;
        self.windows(None).await
    }

    /// One window.
    pub async fn show_window(&self, actor: &Actor, id: i64) -> Result<WindowRow> {
        actor.any_staff(Action::ReadWindows)?;
        self.windows(Some(id))
            .await?
            .pop()
            .ok_or_else(|| Error::not_found(Record::Window, id))
    }

    async fn windows(&self, id: Option<i64>) -> Result<Vec<WindowRow>> {
        let mut tx = self.db().read().await?;
        // `enrolled` counts the places taken, as rule 2's capacity does (windows::places_taken).
        let rows = on!(&mut tx, c => sqlx::query_as(
            "SELECT w.id, w.standard_code, w.state, w.opens_at, w.closes_at, w.tz, w.capacity, \
             (SELECT COUNT(*) FROM enrollments e WHERE e.window_id = w.id AND e.state <> $2) AS enrolled \
             FROM windows w WHERE ($1 IS NULL OR w.id = $1) ORDER BY w.id"
        ).bind(id).bind(EnrollmentState::FREES_PLACE.as_str()).fetch_all(c).await?);
        tx.commit().await?;
        Ok(rows)
    }

    /// Enrollments, optionally of one window and in one state, all at once (a listing of any
    /// size reads [`Engine::enrollments_page`] instead).
    pub async fn list_enrollments(
        &self,
        actor: &Actor,
        window: Option<i64>,
        state: Option<EnrollmentState>,
    ) -> Result<Vec<EnrollmentRow>> {
        self.enrollments_page(actor, window, state, 0, i64::MAX).await
    }

    /// How many enrollments, optionally of one window and in one state.
    pub async fn count_enrollments(
        &self,
        actor: &Actor,
        window: Option<i64>,
        state: Option<EnrollmentState>,
    ) -> Result<i64> {
        actor.any_staff(Action::ReadEnrollments)?;
        let mut tx = self.db().single().await?;
        let n = on!(&mut tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM enrollments WHERE ($1 IS NULL OR window_id = $1) AND ($2 IS NULL OR state = $2)"
        ).bind(window).bind(state.map(|s| s.as_str())).fetch_one(c).await?);
        tx.commit().await?;
        Ok(n)
    }

    /// Up to `limit` enrollments with ids after `after`, in id order, optionally of one window
    /// and in one state: a listing reads these pages one after another and holds one at a time.
    pub async fn enrollments_page(
        &self,
        actor: &Actor,
        window: Option<i64>,
        state: Option<EnrollmentState>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<EnrollmentRow>> {
        actor.any_staff(Action::ReadEnrollments)?;
        let mut tx = self.db().single().await?;
        let rows = on!(&mut tx, c => sqlx::query_as(
            "SELECT e.id, e.window_id, ca.name, i.name AS institution, e.state, e.evaluator_id, e.diagnostic_score, e.verdict \
             FROM enrollments e JOIN candidates ca ON ca.id = e.candidate_id JOIN institutions i ON i.id = ca.institution_id \
             WHERE ($1 IS NULL OR e.window_id = $1) AND ($2 IS NULL OR e.state = $2) AND e.id > $3 ORDER BY e.id LIMIT $4"
        ).bind(window).bind(state.map(|s| s.as_str())).bind(after).bind(limit).fetch_all(c).await?);
        tx.commit().await?;
        Ok(rows)
    }

    /// One enrollment with the candidate's personal data; the read is audited. Admins and
    /// verifiers may read any, an evaluator only their assigned enrollments (rule 4), a
    /// candidate only their own.
    pub async fn show_enrollment(&self, actor: &Actor, id: i64) -> Result<EnrollmentDetail> {
        let by = match actor {
            Actor::Candidate { .. } => actor.audit_name(),
            _ => actor.any_staff(Action::ReadEnrollments)?.to_string(),
        };
        let mut tx = self.db().write().await?;
        let detail: Option<EnrollmentDetail> = on!(&mut tx, c => sqlx::query_as(
            "SELECT e.id, e.window_id, e.state, e.version, e.candidate_id, ca.name, ca.identity_kind, ca.identity, ca.email, \
             i.name AS institution, ca.position, ca.public_registry, e.registered_at, e.diagnostic_score, e.evaluator_id, \
             e.evaluation_at, s.version AS standard_version, e.verdict, e.verdict_at, e.dictamen_batch_id, e.dictamen_at, \
             e.withdrawn_reason, e.delivered_at \
             FROM enrollments e JOIN candidates ca ON ca.id = e.candidate_id JOIN institutions i ON i.id = ca.institution_id \
             LEFT JOIN standards s ON s.id = e.standard_id WHERE e.id = $1"
        ).bind(id).fetch_optional(c).await?);
        let mut detail = detail.ok_or_else(|| Error::not_found(Record::Enrollment, id))?;
        match actor {
            Actor::Candidate { candidate } if *candidate != detail.candidate_id => {
                // Another candidate's process is, to this candidate, no process at all.
                return Err(Error::not_found(Record::Enrollment, id));
            }
            Actor::Candidate { .. } => {}
            _ if actor.has_role(Role::Admin) || actor.has_role(Role::Verifier) => {}
            _ if detail.evaluator_id.as_deref() == Some(by.as_str()) => {}
            _ => {
                return Err(Error::NotAssigned {
                    enrollment: id,
                    assigned: detail.evaluator_id.clone().unwrap_or_default(),
                    actor: by,
                });
            }
        }
        detail.judgements = on!(&mut tx, c => sqlx::query_as(
            "SELECT element_code, competent, evidence, feedback, evaluator_id, recorded_at FROM element_judgements \
             WHERE enrollment_id = $1 ORDER BY element_code"
        ).bind(id).fetch_all(c).await?);
        detail.folios = on!(&mut tx, c => sqlx::query_scalar(
            "SELECT folio FROM certificates WHERE enrollment_id = $1 ORDER BY id"
        ).bind(id).fetch_all(c).await?);
        crate::audit::append(
            &mut tx,
            &super::enrollment_stream(id),
            &by,
            self.now(),
            "personal_data.read",
            json!({"fields": ["identity", "email"]}),
        )
        .await?;
        tx.commit().await?;
        Ok(detail)
    }

    /// Certificates, optionally of one window.
    pub async fn list_certificates(&self, actor: &Actor, window: Option<i64>) -> Result<Vec<CertificateRow>> {
        self.certificates_page(actor, window, 0, i64::MAX).await
    }

    /// Up to `limit` certificates issued after the one with row id `after`, in order of issue,
    /// optionally of one window: a listing reads these pages one after another.
    pub async fn certificates_page(
        &self,
        actor: &Actor,
        window: Option<i64>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<CertificateRow>> {
        actor.any_staff(Action::ReadCertificates)?;
        let mut tx = self.db().single().await?;
        let rows = on!(&mut tx, c => sqlx::query_as(
            "SELECT c.id, c.folio, c.holder_name, c.state, c.enrollment_id, c.issued_at, c.expires_at, c.verification_code, \
             (c.pdf_sha256 IS NOT NULL) AS rendered FROM certificates c JOIN enrollments e ON e.id = c.enrollment_id \
             WHERE ($1 IS NULL OR e.window_id = $1) AND c.id > $2 ORDER BY c.id LIMIT $3"
        ).bind(window).bind(after).bind(limit).fetch_all(c).await?);
        tx.commit().await?;
        Ok(rows)
    }

    /// One certificate by folio.
    pub async fn show_certificate(&self, actor: &Actor, folio: &str) -> Result<CertificateRow> {
        actor.any_staff(Action::ReadCertificates)?;
        let mut tx = self.db().read().await?;
        let row = on!(&mut tx, c => sqlx::query_as(
            "SELECT folio, holder_name, state, enrollment_id, issued_at, expires_at, verification_code, \
             (pdf_sha256 IS NOT NULL) AS rendered FROM certificates WHERE folio = $1"
        ).bind(folio.trim().to_uppercase()).fetch_optional(c).await?);
        tx.commit().await?;
        row.ok_or_else(|| Error::not_found(Record::Certificate, folio))
    }

    /// Enrollment counts by stage or institution. With `open_data`, counts below 5 are
    /// suppressed so no person can be singled out: open data is for anyone, the full report
    /// for staff.
    pub async fn report(
        &self,
        actor: &Actor,
        window: Option<i64>,
        by: ReportBy,
        open_data: bool,
    ) -> Result<Vec<ReportRow>> {
        if !open_data {
            actor.any_staff(Action::ReadReports)?;
        }
        let mut tx = self.db().read().await?;
        let sql = match by {
            ReportBy::Stage => {
                "SELECT e.state, COUNT(*) FROM enrollments e WHERE ($1 IS NULL OR e.window_id = $1) GROUP BY e.state"
            }
            ReportBy::Institution => {
                "SELECT i.name, COUNT(*) FROM enrollments e JOIN candidates ca ON ca.id = e.candidate_id \
                 JOIN institutions i ON i.id = ca.institution_id WHERE ($1 IS NULL OR e.window_id = $1) \
                 GROUP BY i.name ORDER BY i.name"
            }
        };
        let rows: Vec<(String, i64)> = on!(&mut tx, c => sqlx::query_as(sql).bind(window).fetch_all(c).await?);
        // Certificates whose e-mail the mail server refused for good (SMTP 5xx, or out of attempts).
        let failed: i64 = on!(&mut tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM enrollments WHERE ($1 IS NULL OR window_id = $1) AND delivery_error IS NOT NULL \
             AND state = $2"
        ).bind(window).bind(EnrollmentState::CertificateIssued.as_str()).fetch_one(c).await?);
        tx.commit().await?;
        let mut rows: Vec<ReportRow> = rows
            .into_iter()
            .map(|(group, count)| ReportRow {
                group,
                count: if open_data && count < 5 { None } else { Some(count) },
            })
            .collect();
        if by == ReportBy::Stage {
            let order = |g: &str| EnrollmentState::parse(g).map(|s| s as usize).unwrap_or(usize::MAX);
            rows.sort_by_key(|r| order(&r.group));
            if failed > 0 {
                rows.push(ReportRow {
                    group: REFUSED_EMAIL.into(),
                    count: if open_data && failed < 5 { None } else { Some(failed) },
                });
            }
        }
        Ok(rows)
    }

    /// Rebuilds every enrollment, certificate and window from its audit events and compares
    /// them with the tables (`replay::replay`).
    pub async fn replay_audit(&self, actor: &Actor) -> Result<crate::replay::ReplayReport> {
        actor.staff(Role::Admin, Action::VerifyAudit)?;
        crate::replay::replay(self.db()).await
    }

    /// Processes past a CONOCER deadline (rule 8) as of the engine's clock, oldest first.
    pub async fn overdue(&self, actor: &Actor, window: Option<i64>) -> Result<Vec<OverdueRow>> {
        actor.any_staff(Action::ReadReports)?;
        let mut tx = self.db().read().await?;
        let rows = overdue_in(&mut tx, window, self.now()).await?;
        tx.commit().await?;
        Ok(rows)
    }
}

/// Processes past a CONOCER deadline (rule 8) at `now`, in the caller's transaction.
pub(crate) async fn overdue_in(tx: &mut Tx, window: Option<i64>, now: DateTime<Utc>) -> Result<Vec<OverdueRow>> {
    type Row = (
        i64,
        i64,
        String,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    let waiting = crate::store::states(&Deadline::waiting_states());
    let rows: Vec<Row> = on!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, window_id, state, evaluation_at, verdict_at, dictamen_at FROM enrollments \
         WHERE ($1 IS NULL OR window_id = $1) AND state IN ({waiting}) ORDER BY id"
    ))).bind(window).fetch_all(c).await?);
    let mut overdue = Vec::new();
    for (enrollment, window, state, evaluation, verdict, dictamen) in rows {
        let state = EnrollmentState::parse(&state).map_err(stored_state)?;
        let Some(deadline) = Deadline::pending_in(state) else {
            continue;
        };
        let since = match deadline {
            Deadline::Verdict => evaluation,
            Deadline::Dictamen => verdict,
            Deadline::Delivery => dictamen,
        };
        let Some(since) = since else { continue };
        let due = deadline.due(since);
        if due < now {
            overdue.push(OverdueRow {
                enrollment,
                window,
                state,
                deadline,
                since,
                due,
                days_late: (now - due).num_days(),
            });
        }
    }
    overdue.sort_by_key(|r| (r.due, r.enrollment));
    Ok(overdue)
}
