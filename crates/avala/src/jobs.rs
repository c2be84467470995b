//! The outbox: jobs enqueued by commands in their own transaction, run by `avala-runner`.
//!
//! A job is a [`Task`] (a stable kind name and a typed payload per kind), a unique idempotency
//! key (enqueueing the same key twice is a no-op), a run-at instant, attempts and a lease. Claiming takes the oldest due job whose
//! state is queued, or running with an expired lease (its runner died): on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, on SQLite with one `UPDATE … RETURNING` under the write lock.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::notices::Notice;
use crate::on;
use crate::store::{Db, Tx};

/// What a job asks the runner to do: a stable kind name (the `kind` column) and a typed payload
/// per kind (the `payload` column, JSON). The names and payloads are stable, so jobs queued by
/// earlier versions decode; adding a kind is a new variant, and the compiler points at every
/// place that must handle it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Task {
    /// Sign and render a certificate's PDF.
    RenderCertificate {
        /// The certificate.
        folio: String,
    },
    /// E-mail a certificate to its holder.
    DeliverCertificate {
        /// The certificate.
        folio: String,
    },
    /// Write and send a notice.
    Notify(Notice),
}

impl Task {
    /// Every kind name, as stored.
    pub const KINDS: [&'static str; 3] = ["render_certificate", "deliver_certificate", "notify"];

    /// The stable kind name, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Task::RenderCertificate { .. } => "render_certificate",
            Task::DeliverCertificate { .. } => "deliver_certificate",
            Task::Notify(_) => "notify",
        }
    }

    /// The idempotency key: a second task with the same key is not enqueued.
    pub fn key(&self) -> String {
        match self {
            Task::RenderCertificate { folio } => format!("render:{folio}"),
            Task::DeliverCertificate { folio } => format!("deliver:{folio}"),
            Task::Notify(notice) => notice.key(),
        }
    }

    /// The payload, as stored (JSON text).
    pub fn payload(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut map)) => map
                .remove("payload")
                .map(|p| p.to_string())
                .unwrap_or_else(|| "{}".into()),
            _ => "{}".into(),
        }
    }

    /// The task a stored kind and payload name, or why they name none.
    pub fn decode(kind: &str, payload: &str) -> Result<Task, String> {
        let payload: serde_json::Value = serde_json::from_str(payload).map_err(|e| e.to_string())?;
        serde_json::from_value(serde_json::json!({"kind": kind, "payload": payload})).map_err(|e| e.to_string())
    }
}

/// A claimed job.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    /// Row id.
    pub id: i64,
    /// The kind, as stored.
    pub kind: String,
    /// What to do, or why the stored job cannot be read (it is then dead at once).
    #[serde(skip)]
    pub task: Result<Task, String>,
    /// Idempotency key.
    pub idempotency_key: String,
    /// Attempts so far, including this one.
    pub attempts: i64,
    /// Attempts allowed before the job is dead.
    pub max_attempts: i64,
    /// When this runner claimed it (the attempt's start).
    pub claimed_at: DateTime<Utc>,
    /// When it first fell due: a transient failure is retried at least a retry window from then.
    pub due_since: DateTime<Utc>,
}

/// A job row as claimed.
struct Claimed {
    id: i64,
    kind: String,
    payload: String,
    idempotency_key: String,
    attempts: i64,
    max_attempts: i64,
    created_at: DateTime<Utc>,
}

crate::from_row!(Claimed {
    id,
    kind,
    payload,
    idempotency_key,
    attempts,
    max_attempts,
    created_at
});

impl Claimed {
    fn job(self, claimed_at: DateTime<Utc>) -> Job {
        Job {
            id: self.id,
            task: Task::decode(&self.kind, &self.payload),
            kind: self.kind,
            idempotency_key: self.idempotency_key,
            attempts: self.attempts,
            max_attempts: self.max_attempts,
            due_since: self.created_at,
            claimed_at,
        }
    }
}

/// Enqueues a task in the caller's transaction; a job with the same key is left as it is.
pub async fn enqueue(tx: &mut Tx, task: Task, run_at: DateTime<Utc>) -> Result<()> {
    enqueue_all(tx, std::slice::from_ref(&task), run_at).await
}

/// Enqueues several tasks in one statement; as [`enqueue`], a key already there is left as it is.
pub async fn enqueue_all(tx: &mut Tx, jobs: &[Task], run_at: DateTime<Utc>) -> Result<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let values = crate::store::values(tx.backend(), jobs.len(), 7);
    let sql = format!(
        "INSERT INTO jobs (kind, payload, idempotency_key, state, run_at, max_attempts, created_at) \
         VALUES {values} ON CONFLICT (idempotency_key) DO NOTHING"
    );
    on!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for task in jobs {
            q = q.bind(task.kind()).bind(task.payload()).bind(task.key()).bind("queued").bind(run_at).bind(8i64).bind(run_at);
        }
        q.execute(c).await?.rows_affected()
    });
    Ok(())
}

/// Is a job with `task`'s key in the outbox (in any state)?
pub async fn exists(tx: &mut Tx, task: &Task) -> Result<bool> {
    let found: Option<i64> = on!(tx, c => sqlx::query_scalar("SELECT id FROM jobs WHERE idempotency_key = $1")
        .bind(task.key()).fetch_optional(c).await?);
    Ok(found.is_some())
}

/// Claims the next due job for `holder`, leasing it until `now + lease`.
pub async fn claim(db: &Db, holder: &str, now: DateTime<Utc>, lease: Duration) -> Result<Option<Job>> {
    Ok(claim_batch(db, holder, now, lease, 1).await?.into_iter().next())
}

/// Claims up to `limit` due jobs for `holder` in one statement, leasing them until
/// `now + lease`: jobs whose runner's lease ran out (it died with them in hand; they were due
/// before anything still queued), else the oldest queued jobs that are due.
/// Each lookup is one index range scan (`jobs_claimable`, `jobs_leases`), so claiming stays
/// cheap however long the table grows.
pub async fn claim_batch(db: &Db, holder: &str, now: DateTime<Utc>, lease: Duration, limit: i64) -> Result<Vec<Job>> {
    const QUEUED: &str = "state = 'queued' AND run_at <= $3 ORDER BY run_at, id";
    const LOST: &str = "state = 'running' AND lease_expires_at < $3 ORDER BY lease_expires_at, id";
    for pick in [LOST, QUEUED] {
        let mut jobs = claim_where(db, holder, now, lease, pick, limit).await?;
        if !jobs.is_empty() {
            jobs.sort_by_key(|j| j.id);
            return Ok(jobs.into_iter().map(|job| job.job(now)).collect());
        }
    }
    Ok(Vec::new())
}

async fn claim_where(
    db: &Db,
    holder: &str,
    now: DateTime<Utc>,
    lease: Duration,
    pick: &str,
    limit: i64,
) -> Result<Vec<Claimed>> {
    let until = now + lease;
    let set = "UPDATE jobs SET state = 'running', lease_holder = $1, lease_expires_at = $2, attempts = attempts + 1";
    let returning = "RETURNING id, kind, payload, idempotency_key, attempts, max_attempts, created_at";
    let jobs = match db {
        Db::Sqlite(pool, gate) => {
            let _turn = gate.enter().await;
            let sql = format!("{set} WHERE id IN (SELECT id FROM jobs WHERE {pick} LIMIT $4) {returning}");
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(holder)
                .bind(until)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
        Db::Postgres(pool) => {
            let sql = format!(
                "{set} WHERE id IN (SELECT id FROM jobs WHERE {pick} LIMIT $4 FOR UPDATE SKIP LOCKED) {returning}"
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(holder)
                .bind(until)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
    };
    Ok(jobs)
}

/// Gives back a claimed job this runner will not run (it is stopping): queued again, the
/// attempt not counted.
pub async fn release(db: &Db, job: &Job, holder: &str) -> Result<()> {
    let mut tx = db.write().await?;
    on!(&mut tx, c => sqlx::query(
        "UPDATE jobs SET state = 'queued', lease_holder = NULL, lease_expires_at = NULL, attempts = attempts - 1 \
         WHERE id = $1 AND state = 'running' AND lease_holder = $2"
    ).bind(job.id).bind(holder).execute(c).await?.rows_affected());
    tx.commit().await
}

/// Extends the leases of every job `holder` is running to `lease` from now, now read once the
/// write is under way (after any wait for the database, so the wait does not shorten the lease);
/// returns how many.
pub async fn extend_leases(db: &Db, holder: &str, clock: &dyn crate::Clock, lease: Duration) -> Result<u64> {
    let mut tx = db.write().await?;
    let until = clock.now() + lease;
    let n = on!(&mut tx, c => sqlx::query(
        "UPDATE jobs SET lease_expires_at = $1 WHERE state = 'running' AND lease_holder = $2"
    ).bind(until).bind(holder).execute(c).await?.rows_affected());
    tx.commit().await?;
    Ok(n)
}

/// Records one attempt at each job, `(job, outcome, detail)`, in one statement.
async fn record_attempts(tx: &mut Tx, holder: &str, now: DateTime<Utc>, attempts: &[(&Job, &str, &str)]) -> Result<()> {
    let values = crate::store::values(tx.backend(), attempts.len(), 7);
    let sql = format!(
        "INSERT INTO job_attempts (job_id, attempt, holder, started_at, finished_at, outcome, detail) VALUES {values}"
    );
    on!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for (job, outcome, detail) in attempts {
            q = q.bind(job.id).bind(job.attempts).bind(holder).bind(job.claimed_at).bind(now).bind(*outcome).bind(*detail);
        }
        q.execute(c).await?.rows_affected()
    });
    Ok(())
}

/// Marks a job done in the caller's transaction (together with its effect). Refuses when the
/// job's lease was lost to another runner, so the effect is rolled back rather than doubled.
pub async fn complete(tx: &mut Tx, job: &Job, holder: &str, now: DateTime<Utc>, detail: &str) -> Result<()> {
    complete_all(tx, holder, now, &[(job, detail)]).await
}

/// Marks several jobs `(job, detail)` done in the caller's transaction, two statements for them
/// all. Refuses, as [`complete`] does, when the lease of any of them was lost: the caller rolls
/// back and records them one by one to find which.
pub async fn complete_all(tx: &mut Tx, holder: &str, now: DateTime<Utc>, jobs: &[(&Job, &str)]) -> Result<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let ids = crate::store::list_after(2, jobs.len());
    let sql = format!(
        "UPDATE jobs SET state = 'done', finished_at = $1, lease_holder = NULL, lease_expires_at = NULL, last_error = NULL \
         WHERE state = 'running' AND lease_holder = $2 AND id IN ({ids})"
    );
    let done = on!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(now).bind(holder);
        for (job, _) in jobs {
            q = q.bind(job.id);
        }
        q.execute(c).await?.rows_affected()
    });
    if done != jobs.len() as u64 {
        let ids: Vec<String> = jobs.iter().map(|(job, _)| job.id.to_string()).collect();
        return Err(Error::conflict(crate::domain::Record::Job, ids.join(", ")));
    }
    let attempts: Vec<(&Job, &str, &str)> = jobs.iter().map(|(job, detail)| (*job, "done", *detail)).collect();
    record_attempts(tx, holder, now, &attempts).await
}

/// How long a failing job is retried, and what ends it.
#[derive(Debug, Clone, Copy)]
pub struct Failed {
    /// Waiting cannot mend it: dead at once.
    pub permanent: bool,
    /// A transient failure is dead only once the job has been due this long and used its
    /// budget of attempts (the backoff is capped at an hour, so a day is about 30 attempts).
    pub retry_for: Duration,
}

impl Failed {
    /// Whether this failure of `job` at `now` makes it dead.
    pub fn ends(&self, job: &Job, now: DateTime<Utc>) -> bool {
        self.permanent || (job.attempts >= job.max_attempts && now - job.due_since >= self.retry_for)
    }
}

/// Records a failed attempt: retried after a backoff, or dead when permanent, or when both the
/// retry window and the attempts are used up. Returns true when the job is dead.
pub async fn fail(db: &Db, job: &Job, holder: &str, error: &str, failed: Failed, now: DateTime<Utc>) -> Result<bool> {
    let dead = failed.ends(job, now);
    let retry_at = now + backoff(job.attempts);
    let mut tx = db.write().await?;
    on!(&mut tx, c => sqlx::query(
        "UPDATE jobs SET state = $1, last_error = $2, run_at = $3, lease_holder = NULL, lease_expires_at = NULL, \
         finished_at = $4 WHERE id = $5 AND lease_holder = $6"
    ).bind(if dead { "dead" } else { "queued" }).bind(error).bind(retry_at).bind(if dead { Some(now) } else { None })
    .bind(job.id).bind(holder).execute(c).await?.rows_affected());
    record_attempts(
        &mut tx,
        holder,
        now,
        &[(job, if dead { "dead" } else { "retry" }, error)],
    )
    .await?;
    tx.commit().await?;
    Ok(dead)
}

/// Exponential backoff with jitter: about 30 s · 2^(attempt-1), capped at one hour.
pub fn backoff(attempt: i64) -> Duration {
    let base = 30i64
        .saturating_mul(1i64 << attempt.clamp(1, 8).saturating_sub(1))
        .min(3600);
    let jitter = rand::random::<u64>() % (base as u64 / 4 + 1);
    Duration::seconds(base + jitter as i64)
}

/// Counts of jobs per state.
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>> {
    let mut tx = db.read().await?;
    let rows: Vec<(String, i64)> = on!(&mut tx, c => sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state").fetch_all(c).await?);
    tx.commit().await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::Task;
    use crate::Lang;
    use crate::notices::Notice;

    #[test]
    fn every_kind_is_worded_in_spanish() {
        let kinds = [
            Task::RenderCertificate { folio: String::new() },
            Task::DeliverCertificate { folio: String::new() },
            Task::Notify(Notice::Registration { enrollment: 1 }),
        ];
        let names: Vec<&str> = kinds.iter().map(Task::kind).collect();
        assert_eq!(names, Task::KINDS, "Task::KINDS names every kind");
        // Tied to the type: a new kind does not compile here until it is in the list above.
        for task in &kinds {
            match task {
                Task::RenderCertificate { .. } | Task::DeliverCertificate { .. } | Task::Notify(_) => {}
            }
            let spanish = crate::messages::of(Lang::Es).state("job_kind", task.kind());
            assert_ne!(
                spanish,
                task.kind(),
                "the kind {} is not worded in Spanish",
                task.kind()
            );
        }
    }

    #[test]
    fn a_transient_failure_is_retried_for_the_whole_window_and_the_budget() {
        let due = chrono::Utc::now();
        let job = |attempts| super::Job {
            id: 1,
            kind: "notify".into(),
            task: Err(String::new()),
            idempotency_key: "k".into(),
            attempts,
            max_attempts: 8,
            claimed_at: due,
            due_since: due,
        };
        let day = super::Failed {
            permanent: false,
            retry_for: chrono::Duration::hours(24),
        };
        let hours = |h| due + chrono::Duration::hours(h);
        // Six hours down, 12 attempts: still retried. A day down: dead.
        assert!(!day.ends(&job(12), hours(6)));
        assert!(day.ends(&job(31), hours(24)));
        // A retried job (its window long past) has its 8 more attempts.
        assert!(!day.ends(&job(7), hours(48)));
        assert!(day.ends(&job(8), hours(48)));
        // A permanent failure ends it at once.
        let permanent = super::Failed { permanent: true, ..day };
        assert!(permanent.ends(&job(1), due));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let first = super::backoff(1).num_seconds();
        assert!((30..=37).contains(&first), "{first}");
        let fifth = super::backoff(5).num_seconds();
        assert!((480..=600).contains(&fifth), "{fifth}");
        assert!(super::backoff(50).num_seconds() <= 3600 + 900);
    }
}
