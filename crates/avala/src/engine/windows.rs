//! Registration windows (convocatorias).

use chrono::{DateTime, Utc};
use serde_json::json;

use super::staff::{Role, require};
use super::{Engine, window_stream};
use crate::error::{Error, Result};
use crate::machine::{Lifecycle, WindowEvent, WindowState};
use crate::on;
use crate::store::Tx;

/// The default time zone of windows and certificates.
pub const DEFAULT_TZ: &str = "America/Mexico_City";

/// A window as the registration rules need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct WindowRules {
    pub state: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub capacity: Option<i64>,
    pub tz: String,
}

pub(crate) async fn load(tx: &mut Tx, id: i64) -> Result<WindowRules> {
    let row: Option<WindowRules> = on!(tx, c => sqlx::query_as(
        "SELECT state, opens_at, closes_at, capacity, tz FROM windows WHERE id = $1"
    ).bind(id).fetch_optional(c).await?);
    row.ok_or_else(|| Error::not_found("window", id))
}

/// Rule 2: may `additional` candidates register in window `id` at `now`? Returns the rules.
pub(crate) async fn check_taking(tx: &mut Tx, id: i64, now: DateTime<Utc>, additional: i64) -> Result<WindowRules> {
    let w = load(tx, id).await?;
    let state = WindowState::parse(&w.state).map_err(|e| Error::Database(e.to_string()))?;
    if let Err(e) = state.apply(WindowEvent::Register) {
        return Err(Error::WindowNotTaking {
            window: id,
            reason: format!("it is {} ({e})", state.as_str()),
        });
    }
    if now < w.opens_at || now >= w.closes_at {
        return Err(Error::WindowNotTaking {
            window: id,
            reason: format!(
                "registration runs from {} to {} and it is now {}",
                crate::clock::local_text(w.opens_at, &w.tz),
                crate::clock::local_text(w.closes_at, &w.tz),
                crate::clock::local_text(now, &w.tz)
            ),
        });
    }
    if let Some(capacity) = w.capacity {
        let taken: i64 = on!(tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM enrollments WHERE window_id = $1 AND state <> 'withdrawn'"
        ).bind(id).fetch_one(c).await?);
        if taken + additional > capacity {
            return Err(Error::WindowFull { window: id, capacity });
        }
    }
    Ok(w)
}

impl Engine {
    /// Creates a window (Scheduled) for a loaded standard.
    pub async fn create_window(
        &self,
        actor: Option<&str>,
        standard_code: &str,
        opens_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
        tz: Option<&str>,
        capacity: Option<i64>,
    ) -> Result<i64> {
        let tz = tz.unwrap_or(DEFAULT_TZ);
        tz.parse::<chrono_tz::Tz>().map_err(|_| {
            Error::Invalid(format!(
                "unknown time zone {tz:?}; use an IANA name such as {DEFAULT_TZ}"
            ))
        })?;
        if closes_at <= opens_at {
            return Err(Error::Invalid(format!(
                "the window closes ({closes_at}) before it opens ({opens_at})"
            )));
        }
        if capacity.is_some_and(|c| c < 1) {
            return Err(Error::Invalid("--capacity must be at least 1".into()));
        }
        let mut tx = self.db().write().await?;
        let by = require(&mut tx, actor, Role::Admin, "create windows").await?;
        super::standards::latest(&mut tx, standard_code).await?;
        let now = self.now();
        let id: i64 = on!(&mut tx, c => sqlx::query_scalar(
            "INSERT INTO windows (standard_code, opens_at, closes_at, tz, capacity, state, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        ).bind(standard_code).bind(opens_at).bind(closes_at).bind(tz).bind(capacity)
        .bind(WindowState::Scheduled.as_str()).bind(now).fetch_one(c).await?);
        crate::audit::append(
            &mut tx,
            &window_stream(id),
            &by,
            now,
            "window.created",
            json!({"standard": standard_code, "opens_at": opens_at, "closes_at": closes_at, "tz": tz, "capacity": capacity}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Opens, closes or cancels a window through its state machine.
    pub async fn transition_window(&self, actor: Option<&str>, id: i64, event: WindowEvent) -> Result<WindowState> {
        let mut tx = self.db().write().await?;
        let by = require(&mut tx, actor, Role::Admin, "open, close or cancel windows").await?;
        let next = transition_in(&mut tx, id, event, &by, self.now()).await?;
        tx.commit().await.map_err(|e| super::name_conflict(e, "window", id))?;
        Ok(next)
    }

    /// Opens scheduled windows whose opening instant has come and closes open windows whose
    /// closing instant has passed (audited as `by`, the runner). Returns (opened, closed).
    pub async fn run_window_schedule(&self, by: &str) -> Result<(u64, u64)> {
        let now = self.now();
        let mut tx = self.db().read().await?;
        let due: Vec<(i64, String)> = on!(&mut tx, c => sqlx::query_as(
            "SELECT id, state FROM windows WHERE (state = 'scheduled' AND opens_at <= $1 AND closes_at > $1) \
             OR (state IN ('scheduled', 'open') AND closes_at <= $1) ORDER BY id"
        ).bind(now).fetch_all(c).await?);
        tx.commit().await?;
        let (mut opened, mut closed) = (0, 0);
        for (id, state) in due {
            let events: &[WindowEvent] = match state.as_str() {
                "scheduled" => &[WindowEvent::Open],
                _ => &[WindowEvent::Close],
            };
            // A window scheduled and already past its closing instant opens and closes at once.
            let events = if state == "scheduled" && self.show_window(id).await?.closes_at <= now {
                &[WindowEvent::Open, WindowEvent::Close][..]
            } else {
                events
            };
            for &event in events {
                let mut tx = self.db().write().await?;
                match transition_in(&mut tx, id, event, by, now).await {
                    Ok(_) => {
                        tx.commit().await?;
                        if event == WindowEvent::Open {
                            opened += 1
                        } else {
                            closed += 1
                        }
                    }
                    // Another runner or an administrator got there first.
                    Err(Error::Conflict { .. } | Error::Transition(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok((opened, closed))
    }
}

/// Applies `event` to window `id` in the caller's transaction: locks the row, asks the state
/// machine, writes the new state guarded by the version, appends the audit event.
async fn transition_in(tx: &mut Tx, id: i64, event: WindowEvent, by: &str, now: DateTime<Utc>) -> Result<WindowState> {
    let row: Option<(String, i64)> = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as("SELECT state, version FROM windows WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Postgres(t) => sqlx::query_as("SELECT state, version FROM windows WHERE id = $1 FOR UPDATE NOWAIT")
            .bind(id)
            .fetch_optional(&mut **t)
            .await
            .map_err(|e| super::conflict_or(e, "window", id))?,
    };
    let (state, version) = row.ok_or_else(|| Error::not_found("window", id))?;
    let state = WindowState::parse(&state).map_err(|e| Error::Database(e.to_string()))?;
    let next = state.apply(event)?;
    let done = on!(tx, c => sqlx::query(
        "UPDATE windows SET state = $1, version = version + 1 WHERE id = $2 AND version = $3"
    ).bind(next.as_str()).bind(id).bind(version).execute(c).await?.rows_affected());
    if done != 1 {
        return Err(Error::Conflict {
            what: "window",
            id: id.to_string(),
        });
    }
    crate::audit::append(
        tx,
        &window_stream(id),
        by,
        now,
        &format!("window.{}", next.as_str()),
        json!({"from": state.as_str()}),
    )
    .await?;
    Ok(next)
}
