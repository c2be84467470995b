//! Registration windows (convocatorias).

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{Engine, stored_state, window_stream};
use crate::actor::Actor;
use crate::clock::DEFAULT_TZ;
use crate::domain::{Action, Record, Role};
use crate::error::{Error, NotTaking, Result};
use crate::machine::{EnrollmentState, Lifecycle, WindowEvent, WindowState};
use crate::on;
use crate::store::Tx;

/// A window as the registration rules need it.
#[derive(Debug, Clone)]
pub(crate) struct WindowRules {
    pub state: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub capacity: Option<i64>,
    pub tz: String,
}

crate::from_row!(WindowRules {
    state,
    opens_at,
    closes_at,
    capacity,
    tz
});

pub(crate) async fn load(tx: &mut Tx, id: i64) -> Result<WindowRules> {
    let row: Option<WindowRules> = on!(tx, c => sqlx::query_as(
        "SELECT state, opens_at, closes_at, capacity, tz FROM windows WHERE id = $1"
    ).bind(id).fetch_optional(c).await?);
    row.ok_or_else(|| Error::not_found(Record::Window, id))
}

/// The places taken in window `id`: every enrollment that holds one
/// ([`EnrollmentState::holds_place`]: all but withdrawn ones).
pub(crate) async fn places_taken(tx: &mut Tx, id: i64) -> Result<i64> {
    Ok(on!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrollments WHERE window_id = $1 AND state <> $2"
    ).bind(id).bind(EnrollmentState::FREES_PLACE.as_str()).fetch_one(c).await?))
}

/// The free places of a window of `capacity` (none: unlimited), with `taken` places taken.
pub(crate) fn free_places(capacity: Option<i64>, taken: i64) -> Option<usize> {
    capacity.map(|capacity| (capacity - taken).max(0) as usize)
}

/// Rule 2: may `additional` candidates register in window `id` at `now`? Returns the rules.
pub(crate) async fn check_taking(tx: &mut Tx, id: i64, now: DateTime<Utc>, additional: i64) -> Result<WindowRules> {
    let w = load(tx, id).await?;
    let state = WindowState::parse(&w.state).map_err(stored_state)?;
    if state.apply(WindowEvent::Register).is_err() {
        return Err(Error::WindowNotTaking {
            window: id,
            why: NotTaking::State { state },
        });
    }
    if now < w.opens_at || now >= w.closes_at {
        return Err(Error::WindowNotTaking {
            window: id,
            why: NotTaking::Outside {
                opens: w.opens_at,
                closes: w.closes_at,
                now,
                tz: w.tz.clone(),
            },
        });
    }
    if let Some(capacity) = w.capacity {
        let taken = places_taken(tx, id).await?;
        if free_places(Some(capacity), taken).unwrap_or(usize::MAX) < additional as usize {
            return Err(Error::WindowFull { window: id, capacity });
        }
    }
    Ok(w)
}

impl Engine {
    /// Creates a window (Scheduled) for a loaded standard.
    pub async fn create_window(
        &self,
        actor: &Actor,
        standard_code: &str,
        opens_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
        tz: Option<&str>,
        capacity: Option<i64>,
    ) -> Result<i64> {
        let by = actor.staff(Role::Admin, Action::CreateWindows)?;
        let tz = tz.unwrap_or(DEFAULT_TZ);
        crate::clock::parse_zone(tz)?;
        if closes_at <= opens_at {
            return Err(Error::WindowEndsBeforeStart {
                opens: opens_at,
                closes: closes_at,
            });
        }
        if let Some(capacity) = capacity.filter(|c| *c < 1) {
            return Err(Error::CapacityTooSmall { capacity });
        }
        let mut tx = self.db().write().await?;
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
            by,
            now,
            "window.created",
            json!({"standard": standard_code, "opens_at": opens_at, "closes_at": closes_at, "tz": tz, "capacity": capacity}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Opens, closes or cancels a window through its state machine.
    pub async fn transition_window(&self, actor: &Actor, id: i64, event: WindowEvent) -> Result<WindowState> {
        let by = actor.staff(Role::Admin, Action::ChangeWindows)?;
        let mut tx = self.db().write().await?;
        let next = transition_in(&mut tx, id, event, by, self.now()).await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, Record::Window, id))?;
        Ok(next)
    }

    /// Opens scheduled windows whose opening instant has come and closes open windows whose
    /// closing instant has passed (audited as the runner). Returns (opened, closed).
    pub async fn run_window_schedule(&self, actor: &Actor) -> Result<(u64, u64)> {
        let by = actor.the_runner()?;
        let now = self.now();
        let mut tx = self.db().read().await?;
        let (scheduled, open) = (WindowState::Scheduled.as_str(), WindowState::Open.as_str());
        let due: Vec<(i64, String, DateTime<Utc>)> = on!(&mut tx, c => sqlx::query_as(
            "SELECT id, state, closes_at FROM windows WHERE (state = $2 AND opens_at <= $1 AND closes_at > $1) \
             OR (state IN ($2, $3) AND closes_at <= $1) ORDER BY id"
        ).bind(now).bind(scheduled).bind(open).fetch_all(c).await?);
        tx.commit().await?;
        let (mut opened, mut closed) = (0, 0);
        for (id, state, closes_at) in due {
            let state = WindowState::parse(&state).map_err(stored_state)?;
            let events: &[WindowEvent] = match state {
                // A window scheduled and already past its closing instant opens and closes at once.
                WindowState::Scheduled if closes_at <= now => &[WindowEvent::Open, WindowEvent::Close],
                WindowState::Scheduled => &[WindowEvent::Open],
                _ => &[WindowEvent::Close],
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
        Tx::Postgres(t) => sqlx::query_as("SELECT state, version FROM windows WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut **t)
            .await
            .map_err(|e| super::conflict_or(e, Record::Window, id))?,
    };
    let (state, version) = row.ok_or_else(|| Error::not_found(Record::Window, id))?;
    let state = WindowState::parse(&state).map_err(stored_state)?;
    let next = state.apply(event)?;
    let done = on!(tx, c => sqlx::query(
        "UPDATE windows SET state = $1, version = version + 1 WHERE id = $2 AND version = $3"
    ).bind(next.as_str()).bind(id).bind(version).execute(c).await?.rows_affected());
    if done != 1 {
        return Err(Error::conflict(Record::Window, id));
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
