//! Rule 8: the CONOCER deadlines, which state waits on which, and when each falls due.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use serde::Serialize;

use crate::machine::EnrollmentState;

/// Natural days from the evaluation to the verdict reaching the certifying body.
pub const VERDICT_DAYS: i64 = 8;
/// Natural days from receiving the verdict to the dictamen.
pub const DICTAMEN_DAYS: i64 = 30;
/// Business days (Monday to Friday) from the dictamen to delivering the certificate.
pub const DELIVERY_BUSINESS_DAYS: i64 = 5;

/// One of the three deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deadline {
    /// The verdict, 8 natural days after the evaluation.
    Verdict,
    /// The dictamen, 30 natural days after the verdict.
    Dictamen,
    /// Delivery of the certificate, 5 business days after the dictamen.
    Delivery,
}

impl Deadline {
    /// The deadline an enrollment in `state` is waiting on, if any.
    pub fn pending_in(state: EnrollmentState) -> Option<Deadline> {
        use EnrollmentState as S;
        match state {
            S::EvaluationPlanned | S::UnderEvaluation | S::Judged => Some(Deadline::Verdict),
            S::SubmittedForDictamen => Some(Deadline::Dictamen),
            S::CertificateIssued => Some(Deadline::Delivery),
            _ => None,
        }
    }

    /// Every state that waits on some deadline.
    pub fn waiting_states() -> Vec<EnrollmentState> {
        use crate::machine::Lifecycle;
        EnrollmentState::ALL
            .iter()
            .copied()
            .filter(|s| Deadline::pending_in(*s).is_some())
            .collect()
    }

    /// When it falls due, for a clock that started at `since`.
    pub fn due(self, since: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Deadline::Verdict => since + Duration::days(VERDICT_DAYS),
            Deadline::Dictamen => since + Duration::days(DICTAMEN_DAYS),
            Deadline::Delivery => add_business_days(since, DELIVERY_BUSINESS_DAYS),
        }
    }
}

/// `from` plus `days` business days (weekends skipped).
pub fn add_business_days(from: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let mut at = from;
    let mut left = days;
    while left > 0 {
        at += Duration::days(1);
        if !matches!(at.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    at
}

/// When the verdict for an evaluation at `evaluation` falls due.
pub fn verdict_due(evaluation: DateTime<Utc>) -> DateTime<Utc> {
    Deadline::Verdict.due(evaluation)
}

/// When the dictamen for a verdict received at `verdict` falls due.
pub fn dictamen_due(verdict: DateTime<Utc>) -> DateTime<Utc> {
    Deadline::Dictamen.due(verdict)
}

/// When delivery of a certificate whose dictamen was at `dictamen` falls due.
pub fn delivery_due(dictamen: DateTime<Utc>) -> DateTime<Utc> {
    Deadline::Delivery.due(dictamen)
}

/// An overdue process (rule 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueRow {
    /// Enrollment.
    pub enrollment: i64,
    /// Its window.
    pub window: i64,
    /// Its current state.
    pub state: EnrollmentState,
    /// Which deadline.
    pub deadline: Deadline,
    /// When the clock started (evaluation, verdict or dictamen instant).
    pub since: DateTime<Utc>,
    /// When it fell due.
    pub due: DateTime<Utc>,
    /// Whole days past due.
    pub days_late: i64,
}
