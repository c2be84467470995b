//! The engine: every command of the certification process, each one transaction.
//!
//! A command loads the current state (row lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite),
//! checks its actor and rules, asks the state machine, appends the audit event, updates the read
//! model and enqueues the jobs it causes; then commits. Any error rolls everything back.

mod certificates;
mod checkpoints;
mod dictamen;
mod evaluation;
mod expiry;
mod import;
mod keys;
mod outbox;
mod queries;
mod registration;
mod rows;
mod runner;
mod staff;
mod standards;
mod verifying;
mod windows;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use crate::deadlines;
pub use crate::domain::Judgement;
pub use crate::domain::Role;
pub use certificates::Subject;
pub use checkpoints::{CheckpointRow, ProofChecked, check_proof};
pub use dictamen::DictamenBatch;
pub use evaluation::{DiagnosticOutcome, Planned, VerdictOutcome};
pub use import::ImportOutcome;
pub use keys::{KeyRow, KeyStatus, PinnedKey, parse_public_key};
pub use outbox::{AttemptRow, JobRow};
pub(crate) use queries::overdue_in;
pub use registration::NewCandidate;
pub use rows::{
    CertificateRow, Cursor, EnrollmentDetail, EnrollmentRow, JudgementRow, Keyed, OverdueRow, PAGE, REFUSED_EMAIL,
    ReportBy, ReportRow, StaffRow, StandardRow, WindowRow,
};
pub use runner::{Delivery, Mail, Rendered, Sent};
pub use staff::NewStaff;
pub use standards::LoadOutcome;
pub use verifying::{Records, offline_keys, open_records, verify_certificate};

use crate::clock::Clock;
use crate::domain::Record;
use crate::error::{Error, Result};
use crate::machine::Lifecycle;
use crate::on;
use crate::store::{Db, Tx};

/// The certification engine over one database.
#[derive(Debug, Clone)]
pub struct Engine {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl Engine {
    /// An engine over `db`, reading time from `clock`.
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The current instant, from the injected clock.
    pub fn now(&self) -> DateTime<Utc> {
        crate::audit::truncate_micros(self.clock.now())
    }

    /// The clock.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }
}

/// The job that sends `notice`.
pub(crate) fn notify(notice: crate::notices::Notice) -> crate::jobs::Task {
    crate::jobs::Task::Notify(notice)
}

/// Audit stream names.
pub(crate) fn enrollment_stream(id: i64) -> String {
    format!("enrollment:{id}")
}
pub(crate) fn window_stream(id: i64) -> String {
    format!("window:{id}")
}
pub(crate) fn certificate_stream(folio: &str) -> String {
    format!("certificate:{folio}")
}

/// Loads an enrollment's state and version, locking the row on PostgreSQL. A concurrent command
/// on the same enrollment waits for it (at most the connection's `lock_timeout`, then a
/// conflict) and then reads the state it left: never a stale read and an overwrite. Waiting,
/// not `NOWAIT`: a command refused a moment ago holds its lock until its rollback reaches the
/// server, and the next command must not be refused for that.
pub(crate) async fn lock_enrollment(tx: &mut Tx, id: i64) -> Result<(crate::machine::EnrollmentState, i64)> {
    let row: Option<(String, i64)> = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as("SELECT state, version FROM enrollments WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Postgres(t) => sqlx::query_as("SELECT state, version FROM enrollments WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut **t)
            .await
            .map_err(|e| conflict_or(e, Record::Enrollment, id))?,
    };
    let (state, version) = row.ok_or_else(|| Error::not_found(Record::Enrollment, id))?;
    let state = crate::machine::EnrollmentState::parse(&state).map_err(stored_state)?;
    Ok((state, version))
}

/// Writes a new enrollment state guarded by the version read: a lost update is a conflict.
pub(crate) async fn set_enrollment_state(
    tx: &mut Tx,
    id: i64,
    version: i64,
    state: crate::machine::EnrollmentState,
) -> Result<()> {
    set_enrollment_state_with(tx, id, version, state, &[]).await
}

/// A column an enrollment's step writes together with its new state.
pub(crate) enum Field<'a> {
    /// An integer column.
    Int(&'static str, i64),
    /// A text column.
    Text(&'static str, &'a str),
    /// An instant.
    Time(&'static str, chrono::DateTime<chrono::Utc>),
}

/// [`set_enrollment_state`], writing `fields` in the same statement.
pub(crate) async fn set_enrollment_state_with(
    tx: &mut Tx,
    id: i64,
    version: i64,
    state: crate::machine::EnrollmentState,
    fields: &[Field<'_>],
) -> Result<()> {
    let mut sql = String::from("UPDATE enrollments SET state = $1, version = version + 1");
    for (i, field) in fields.iter().enumerate() {
        let (Field::Int(column, _) | Field::Text(column, _) | Field::Time(column, _)) = field;
        sql.push_str(&format!(", {column} = ${}", i + 4));
    }
    sql.push_str(" WHERE id = $2 AND version = $3");
    let done = on!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(state.as_str()).bind(id).bind(version);
        for field in fields {
            q = match field {
                Field::Int(_, v) => q.bind(*v),
                Field::Text(_, v) => q.bind(*v),
                Field::Time(_, v) => q.bind(*v),
            };
        }
        q.execute(c).await?.rows_affected()
    });
    if done != 1 {
        return Err(Error::conflict(Record::Enrollment, id));
    }
    Ok(())
}

/// A text value for `field` as its type made it, or none when it is empty.
fn text_value<T: std::ops::Deref<Target = str>>(
    field: crate::domain::Field,
    made: std::result::Result<T, crate::domain::text::TextProblem>,
) -> Result<Option<T>> {
    let text = made.map_err(|problem| Error::Text { field, problem })?;
    Ok(Some(text).filter(|t| !t.is_empty()))
}

/// One line of text for `field`, not empty ([`crate::domain::text::Line`]).
pub(crate) fn line_of<const MAX: usize>(
    field: crate::domain::Field,
    value: &str,
) -> Result<crate::domain::text::Line<MAX>> {
    optional_line_of(field, value)?.ok_or(Error::Missing { field })
}

/// One line of text for `field`, or none when it is empty.
pub(crate) fn optional_line_of<const MAX: usize>(
    field: crate::domain::Field,
    value: &str,
) -> Result<Option<crate::domain::text::Line<MAX>>> {
    text_value(field, crate::domain::text::Line::new(value))
}

/// Text of several lines for `field` (a reason), not empty ([`crate::domain::text::Lines`]).
pub(crate) fn lines_of<const MAX: usize>(
    field: crate::domain::Field,
    value: &str,
) -> Result<crate::domain::text::Lines<MAX>> {
    text_value(field, crate::domain::text::Lines::new(value))?.ok_or(Error::Missing { field })
}

/// Evidence or feedback for `field`, or none when it is missing or empty.
pub(crate) fn note_of(field: crate::domain::Field, value: Option<&str>) -> Result<Option<crate::domain::text::Note>> {
    match value {
        Some(value) => text_value(field, crate::domain::text::Note::new(value)),
        None => Ok(None),
    }
}

/// A stored state no machine knows: the database holds something avala never wrote.
pub(crate) fn stored_state(e: crate::machine::UnknownState) -> Error {
    Error::database(format!("unknown {} state {:?} in the database", e.machine, e.value))
}

/// Names the record in a conflict error.
pub(crate) fn conflict_or(e: sqlx::Error, what: Record, id: impl ToString) -> Error {
    name_conflict(crate::store::map_db_error(e), what, id)
}

/// Names the record in a conflict error from an `Error`.
pub(crate) fn name_conflict(e: Error, what: Record, id: impl ToString) -> Error {
    match e {
        Error::Conflict { .. } => Error::conflict(what, id),
        other => other,
    }
}
