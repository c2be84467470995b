//! The end of a certificate's validity: moving it to Expired, reminding its holder beforehand,
//! the administrators' daily digest of overdue processes, and the listing of what ends soon.

use chrono::Duration;
use serde_json::json;

use super::certificates::{STORED, Stored, lifecycle_refusal, set_state};
use super::{Engine, certificate_stream};
use crate::actor::Actor;
use crate::domain::Action;
use crate::error::{Error, Result};
use crate::jobs::Task;
use crate::machine::{CertificateEvent, CertificateState};
use crate::notices::Notice;
use crate::on;

impl Engine {
    /// Moves certificates whose validity has ended to Expired (through the certificate state
    /// machine, audited as the runner); returns how many. The runner calls it on every pass.
    pub async fn expire_certificates(&self, actor: &Actor) -> Result<u64> {
        let by = actor.the_runner()?;
        let now = self.now();
        let mut expired = 0;
        let in_force = crate::store::states(&CertificateState::IN_FORCE);
        loop {
            let mut tx = self.db().write().await?;
            let rows = on!(&mut tx, c => sqlx::query_as::<_, Stored>(sqlx::AssertSqlSafe(format!(
                "{STORED} WHERE c.state IN ({in_force}) AND c.expires_at <= $1 ORDER BY c.id LIMIT 200"
            ))).bind(now).fetch_all(c).await?);
            if rows.is_empty() {
                tx.commit().await?;
                return Ok(expired);
            }
            for row in &rows {
                let next = lifecycle_refusal(row, CertificateEvent::Expire)?;
                match set_state(&mut tx, row, next).await {
                    Ok(()) => {}
                    // Another runner is expiring the same certificates: leave the rest to it.
                    Err(Error::Conflict { .. }) => return Ok(expired),
                    Err(e) => return Err(e),
                }
                crate::audit::append(
                    &mut tx,
                    &certificate_stream(&row.folio),
                    by,
                    now,
                    "certificate.expired",
                    json!({"expires_at": row.expires_at}),
                )
                .await?;
            }
            tx.commit().await?;
            expired += rows.len() as u64;
        }
    }

    /// Enqueues the scheduled notices that are due: an expiry reminder for each certificate in
    /// force whose validity ends within `reminder_days` (once per certificate), and the
    /// administrators' digest of overdue processes (once a day). Returns how many were queued.
    pub async fn schedule_notices(&self, actor: &Actor, reminder_days: u32) -> Result<u64> {
        actor.the_runner()?;
        let now = self.now();
        let until = now + Duration::days(i64::from(reminder_days));
        let mut tx = self.db().write().await?;
        let in_force = crate::store::states(&CertificateState::IN_FORCE);
        let due: Vec<i64> = on!(&mut tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT c.id FROM certificates c WHERE c.state IN ({in_force}) AND c.expires_at > $1 \
             AND c.expires_at <= $2 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.idempotency_key = $3 || c.id)"
        ))).bind(now).bind(until).bind(crate::notices::EXPIRY_KEY).fetch_all(c).await?);
        let reminders: Vec<Task> = due
            .iter()
            .map(|&certificate| super::notify(Notice::ExpiryReminder { certificate }))
            .collect();
        crate::jobs::enqueue_all(&mut tx, &reminders, now).await?;
        let mut queued = due.len() as u64;
        if !super::overdue_in(&mut tx, None, now).await?.is_empty() {
            let digest = super::notify(Notice::OverdueDigest {
                day: now.format("%Y-%m-%d").to_string(),
            });
            if !crate::jobs::exists(&mut tx, &digest).await? {
                crate::jobs::enqueue(&mut tx, digest, now).await?;
                queued += 1;
            }
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Certificates in force whose validity ends within `days` days, soonest first.
    pub async fn expiring_certificates(&self, actor: &Actor, days: i64) -> Result<Vec<super::CertificateRow>> {
        actor.any_staff(Action::ReadCertificates)?;
        let now = self.now();
        let until = now + Duration::days(days);
        let mut tx = self.db().read().await?;
        let in_force = crate::store::states(&CertificateState::IN_FORCE);
        let rows = on!(&mut tx, c => sqlx::query_as::<_, super::CertificateRow>(sqlx::AssertSqlSafe(format!(
            "SELECT folio, holder_name, state, enrollment_id, issued_at, expires_at, verification_code, \
             (pdf_sha256 IS NOT NULL) AS rendered FROM certificates \
             WHERE state IN ({in_force}) AND expires_at > $1 AND expires_at <= $2 ORDER BY expires_at, folio"
        ))).bind(now).bind(until).fetch_all(c).await?);
        tx.commit().await?;
        Ok(rows)
    }
}
