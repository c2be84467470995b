//! The injected clock: the library never reads the system time directly, so tests control it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

/// A source of the current instant.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told to move; for tests and for `AVALA_NOW`.
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<Mutex<DateTime<Utc>>>);

impl FixedClock {
    /// A clock stopped at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The clock the binaries run on: the system's, or the instant in `AVALA_NOW` (RFC 3339 or a
/// local time in UTC) standing still, for trials and tests.
pub fn from_env() -> crate::error::Result<Arc<dyn Clock>> {
    match std::env::var("AVALA_NOW") {
        Ok(text) if !text.trim().is_empty() => Ok(Arc::new(FixedClock::new(parse_instant(&text, "UTC")?))),
        _ => Ok(Arc::new(SystemClock)),
    }
}

/// The time zone of windows and certificates unless one is set.
pub const DEFAULT_TZ: &str = "America/Mexico_City";

/// An IANA time zone by name, or the refusal naming it.
pub fn parse_zone(name: &str) -> crate::error::Result<chrono_tz::Tz> {
    name.trim().parse().map_err(|_| crate::error::Error::UnknownTimeZone {
        value: name.to_string(),
    })
}

/// A stored time zone (checked when it was stored); [`DEFAULT_TZ`] should it not be one.
pub fn zone(name: &str) -> chrono_tz::Tz {
    parse_zone(name).unwrap_or(chrono_tz::America::Mexico_City)
}

/// An instant as people in time zone `tz` read it: `2026-11-23 09:00 CST`.
pub fn local_text(at: DateTime<Utc>, tz: &str) -> String {
    at.with_timezone(&zone(tz)).format("%Y-%m-%d %H:%M %Z").to_string()
}

/// Parses an instant typed by a person: RFC 3339 (`2026-11-23T09:00:00Z`, with any offset), or a
/// local `YYYY-MM-DD HH:MM[:SS]` / `YYYY-MM-DDTHH:MM` / `YYYY-MM-DD` (midnight) in time zone `tz`.
pub fn parse_instant(text: &str, tz: &str) -> crate::error::Result<DateTime<Utc>> {
    use crate::error::{Error, InstantProblem};
    use chrono::{NaiveDate, NaiveDateTime, TimeZone};
    let text = text.trim();
    let invalid = |problem: InstantProblem| Error::BadInstant {
        text: text.to_string(),
        problem,
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let zone: chrono_tz::Tz = tz.parse().map_err(|_| invalid(InstantProblem::UnknownZone))?;
    let local = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
    .ok_or_else(|| invalid(InstantProblem::Format))?;
    zone.from_local_datetime(&local)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| invalid(InstantProblem::Nonexistent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_people_instants() {
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            parse_instant("2026-11-23T09:00:00Z", "America/Mexico_City").unwrap(),
            utc("2026-11-23T09:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-11-23 09:00", "America/Mexico_City").unwrap(),
            utc("2026-11-23T15:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-11-23", "America/Mexico_City").unwrap(),
            utc("2026-11-23T06:00:00Z")
        );
        assert!(parse_instant("23/11/2026", "America/Mexico_City").is_err());
        assert!(parse_instant("2026-11-23", "Mars/Olympus").is_err());
    }
}
