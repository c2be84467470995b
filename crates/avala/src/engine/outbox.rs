//! The outbox seen by administrators: list and show jobs with every attempt, retry a dead job,
//! cancel one that should not run; and the record of a certificate e-mail refused for good.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{Engine, enrollment_stream};
use crate::actor::Actor;
use crate::domain::{Action, Field, Record, Role};
use crate::error::{Error, Result};
use crate::on;

/// One job, as `avala jobs list|show` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JobRow {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Idempotency key.
    pub idempotency_key: String,
    /// queued, running, done or dead.
    pub state: String,
    /// Due at.
    pub run_at: DateTime<Utc>,
    /// Attempts so far.
    pub attempts: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
    /// The last failure.
    pub last_error: Option<String>,
    /// The runner holding it.
    pub lease_holder: Option<String>,
    /// Until when.
    pub lease_expires_at: Option<DateTime<Utc>>,
}

crate::from_row!(JobRow {
    id,
    kind,
    idempotency_key,
    state,
    run_at,
    attempts,
    max_attempts,
    last_error,
    lease_holder,
    lease_expires_at
});

/// One attempt at a job.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AttemptRow {
    /// Attempt number.
    pub attempt: i64,
    /// The runner.
    pub holder: String,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: DateTime<Utc>,
    /// done, retry or dead.
    pub outcome: String,
    /// What happened (the mail server's answer, the error).
    pub detail: String,
}

crate::from_row!(AttemptRow {
    attempt,
    holder,
    started_at,
    finished_at,
    outcome,
    detail
});

const JOB: &str = "SELECT id, kind, idempotency_key, state, run_at, attempts, max_attempts, last_error, lease_holder, \
                   lease_expires_at FROM jobs";

impl Engine {
    /// Jobs, newest first, optionally of one state.
    pub async fn list_jobs(&self, actor: &Actor, state: Option<&str>, limit: i64) -> Result<Vec<JobRow>> {
        actor.staff(Role::Admin, Action::ManageJobs)?;
        const STATES: [&str; 4] = ["queued", "running", "done", "dead"];
        if let Some(s) = state
            && !STATES.contains(&s)
        {
            return Err(Error::UnknownValue {
                field: Field::JobState,
                value: s.to_string(),
                known: STATES.iter().map(|s| s.to_string()).collect(),
            });
        }
        let mut tx = self.db().read().await?;
        let sql = format!("{JOB} WHERE ($1 IS NULL OR state = $1) ORDER BY id DESC LIMIT $2");
        let rows = on!(&mut tx, c => sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(sql)).bind(state).bind(limit).fetch_all(c).await?);
        tx.commit().await?;
        Ok(rows)
    }

    /// One job and its attempts.
    pub async fn show_job(&self, actor: &Actor, id: i64) -> Result<(JobRow, Vec<AttemptRow>)> {
        actor.staff(Role::Admin, Action::ManageJobs)?;
        let mut tx = self.db().read().await?;
        let sql = format!("{JOB} WHERE id = $1");
        let job =
            on!(&mut tx, c => sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await?)
                .ok_or_else(|| Error::not_found(Record::Job, id))?;
        let attempts = on!(&mut tx, c => sqlx::query_as::<_, AttemptRow>(
            "SELECT attempt, holder, started_at, finished_at, outcome, detail FROM job_attempts WHERE job_id = $1 ORDER BY id"
        ).bind(id).fetch_all(c).await?);
        tx.commit().await?;
        Ok((job, attempts))
    }

    /// Puts a dead (or waiting) job back in the queue, due now, with a fresh budget of attempts.
    pub async fn retry_job(&self, actor: &Actor, id: i64) -> Result<JobRow> {
        let by = actor.staff(Role::Admin, Action::ManageJobs)?;
        let now = self.now();
        let mut tx = self.db().write().await?;
        let n = on!(&mut tx, c => sqlx::query(
            "UPDATE jobs SET state = 'queued', run_at = $1, max_attempts = attempts + 8, finished_at = NULL \
             WHERE id = $2 AND state IN ('dead', 'queued')"
        ).bind(now).bind(id).execute(c).await?.rows_affected());
        if n != 1 {
            tx.commit().await?;
            let (job, _) = self.show_job(actor, id).await?;
            return Err(Error::JobNotRetryable {
                job: id,
                state: job.state,
            });
        }
        crate::audit::append(&mut tx, &format!("job:{id}"), by, now, "job.retried", json!({})).await?;
        tx.commit().await?;
        Ok(self.show_job(actor, id).await?.0)
    }

    /// Puts every dead job (of `kind`, when given) back in the queue, due now, each with a fresh
    /// budget of attempts and an audit event, in one transaction: after an outage, one command
    /// instead of one per job. Returns the ids, in order.
    pub async fn retry_dead_jobs(&self, actor: &Actor, kind: Option<&str>) -> Result<Vec<i64>> {
        let by = actor.staff(Role::Admin, Action::ManageJobs)?;
        if let Some(kind) = kind
            && !crate::jobs::Task::KINDS.contains(&kind)
        {
            return Err(Error::UnknownValue {
                field: crate::domain::Field::JobKind,
                value: kind.to_string(),
                known: crate::jobs::Task::KINDS.iter().map(|k| k.to_string()).collect(),
            });
        }
        let now = self.now();
        let mut tx = self.db().write().await?;
        let mut ids: Vec<i64> = on!(&mut tx, c => sqlx::query_scalar(
            "UPDATE jobs SET state = 'queued', run_at = $1, max_attempts = attempts + 8, finished_at = NULL \
             WHERE state = 'dead' AND ($2 IS NULL OR kind = $2) RETURNING id"
        ).bind(now).bind(kind).fetch_all(c).await?);
        ids.sort_unstable();
        let streams: Vec<String> = ids.iter().map(|id| format!("job:{id}")).collect();
        let events: Vec<(&str, &str, serde_json::Value)> = streams
            .iter()
            .map(|s| (s.as_str(), "job.retried", json!({"all_dead": true})))
            .collect();
        crate::audit::append_all(&mut tx, by, now, &events).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Cancels a job that is not running: queued, or claimed by a runner whose lease ran out
    /// (it died with the job in hand). It becomes dead with the reason, and is never run.
    pub async fn cancel_job(&self, actor: &Actor, id: i64) -> Result<JobRow> {
        let by = actor.staff(Role::Admin, Action::ManageJobs)?;
        let now = self.now();
        let mut tx = self.db().write().await?;
        let n = on!(&mut tx, c => sqlx::query(
            "UPDATE jobs SET state = 'dead', last_error = $1, finished_at = $2, lease_holder = NULL, lease_expires_at = NULL \
             WHERE id = $3 AND (state = 'queued' OR (state = 'running' AND lease_expires_at < $2))"
        ).bind(format!("cancelled by {by}")).bind(now).bind(id).execute(c).await?.rows_affected());
        if n != 1 {
            tx.commit().await?;
            let (job, _) = self.show_job(actor, id).await?;
            return Err(Error::JobNotCancellable {
                job: id,
                state: job.state,
            });
        }
        crate::audit::append(&mut tx, &format!("job:{id}"), by, now, "job.cancelled", json!({})).await?;
        tx.commit().await?;
        Ok(self.show_job(actor, id).await?.0)
    }

    /// Records that a certificate's e-mail was refused for good (SMTP 5xx or out of attempts).
    pub async fn mark_delivery_failed(&self, actor: &Actor, folio: &str, error: &str) -> Result<()> {
        let by = actor.the_runner()?;
        let now = self.now();
        let mut tx = self.db().write().await?;
        let enrollment: Option<i64> = on!(&mut tx, c => sqlx::query_scalar(
            "SELECT enrollment_id FROM certificates WHERE folio = $1").bind(folio).fetch_optional(c).await?);
        let Some(enrollment) = enrollment else {
            tx.commit().await?;
            return Ok(());
        };
        on!(&mut tx, c => sqlx::query("UPDATE enrollments SET delivery_error = $1 WHERE id = $2")
            .bind(error).bind(enrollment).execute(c).await?.rows_affected());
        crate::audit::append(
            &mut tx,
            &enrollment_stream(enrollment),
            by,
            now,
            "enrollment.delivery_failed",
            json!({"folio": folio, "error": error}),
        )
        .await?;
        tx.commit().await
    }
}
