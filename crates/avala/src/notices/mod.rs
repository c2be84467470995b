//! Notifications: registration confirmation, diagnostic result (with the training
//! recommendation), verdict with the evaluator's feedback, dictamen result, expiry reminder, and
//! the administrators' digest of overdue processes.
//!
//! The engine enqueues a [`Notice`] (a job, `jobs::Task::Notify`) in the same transaction as
//! the step it reports, so a notice exists exactly when its step happened. When the runner sends
//! it, the engine reads what it says from the records as they are then (a [`Letter`]), and
//! `mail::compose` words it from the message catalogue; the message has a Message-ID derived
//! from the notice's key, so a resend is the same message. This module holds the types only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::deadlines::OverdueRow;

/// A notice to be sent: what it is about. Serialised as the `notify` job's payload (the names
/// are stable: jobs queued by earlier versions decode).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
pub enum Notice {
    /// Registration confirmed.
    Registration {
        /// The enrollment.
        #[serde(rename = "id")]
        enrollment: i64,
    },
    /// Diagnostic result.
    Diagnostic {
        /// The enrollment.
        #[serde(rename = "id")]
        enrollment: i64,
    },
    /// Verdict (juicio) with feedback.
    Verdict {
        /// The enrollment.
        #[serde(rename = "id")]
        enrollment: i64,
    },
    /// Dictamen result.
    Dictamen {
        /// The enrollment.
        #[serde(rename = "id")]
        enrollment: i64,
    },
    /// The certificate's validity ends soon.
    #[serde(rename = "expiry")]
    ExpiryReminder {
        /// The certificate's row id.
        #[serde(rename = "id")]
        certificate: i64,
    },
    /// The administrators' digest of processes past a deadline, once a day.
    #[serde(rename = "overdue")]
    OverdueDigest {
        /// The day (YYYY-MM-DD, UTC).
        day: String,
    },
    /// A signed checkpoint of the audit log, attached, to the administrators and the oversight
    /// address: copies kept outside the database.
    Checkpoint {
        /// The checkpoint's number.
        id: i64,
        /// The oversight address of `avala.toml`, when it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        oversight: Option<String>,
    },
}

impl Notice {
    /// The notice's unique key: enqueueing it twice is a no-op, and its Message-ID follows it.
    pub fn key(&self) -> String {
        match self {
            Notice::Registration { enrollment } => format!("notice:registration:{enrollment}"),
            Notice::Diagnostic { enrollment } => format!("notice:diagnostic:{enrollment}"),
            Notice::Verdict { enrollment } => format!("notice:verdict:{enrollment}"),
            Notice::Dictamen { enrollment } => format!("notice:dictamen:{enrollment}"),
            Notice::ExpiryReminder { certificate } => format!("{EXPIRY_KEY}{certificate}"),
            Notice::OverdueDigest { day } => format!("notice:overdue:{day}"),
            Notice::Checkpoint { id, .. } => format!("notice:checkpoint:{id}"),
        }
    }
}

/// The key prefix of expiry reminders, followed by the certificate's row id (the engine asks the
/// outbox whether a certificate's reminder exists by it).
pub const EXPIRY_KEY: &str = "notice:expiry:";

/// A person mail goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Name.
    pub name: String,
    /// Address.
    pub email: String,
}

/// The standard a notice names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardName {
    /// Code (EC1057).
    pub code: String,
    /// Title.
    pub title: String,
}

/// What a notice says, as the engine read it from the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Letter {
    /// Registration confirmed.
    Registration {
        /// The candidate.
        to: Person,
        /// The enrollment.
        enrollment: i64,
        /// The window.
        window: i64,
        /// The standard.
        standard: StandardName,
    },
    /// Diagnostic result.
    Diagnostic {
        /// The candidate.
        to: Person,
        /// The standard.
        standard: StandardName,
        /// The score, 0–100.
        score: i64,
        /// The standard's threshold.
        threshold: i64,
    },
    /// Verdict with the evaluator's feedback.
    Verdict {
        /// The candidate.
        to: Person,
        /// The standard.
        standard: StandardName,
        /// Competent?
        competent: bool,
        /// Elements not yet competent, with the evaluator's feedback.
        feedback: Vec<(String, Option<String>)>,
    },
    /// Dictamen result.
    Dictamen {
        /// The candidate.
        to: Person,
        /// The standard.
        standard: StandardName,
        /// Procede?
        procede: bool,
    },
    /// The certificate's validity ends soon.
    ExpiryReminder {
        /// The holder.
        to: Person,
        /// The folio.
        folio: String,
        /// When it ends.
        expires: DateTime<Utc>,
    },
    /// Processes past a deadline.
    OverdueDigest {
        /// The administrators.
        to: Vec<Person>,
        /// The processes.
        rows: Vec<OverdueRow>,
    },
    /// A signed checkpoint of the audit log.
    Checkpoint {
        /// The administrators and the oversight address.
        to: Vec<Person>,
        /// Its number.
        id: i64,
        /// When it was taken.
        at: DateTime<Utc>,
        /// Streams.
        streams: u64,
        /// Events.
        events: u64,
        /// Its root, hex.
        root: String,
        /// The checkpoint file (JSON), attached.
        file: String,
    },
}

/// What a notice says and to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// Recipients.
    pub to: Vec<Person>,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// A file attached: its name and contents.
    pub attachment: Option<(String, Vec<u8>)>,
}

impl Letter {
    /// Who it goes to.
    pub fn recipients(&self) -> Vec<Person> {
        match self {
            Letter::Registration { to, .. }
            | Letter::Diagnostic { to, .. }
            | Letter::Verdict { to, .. }
            | Letter::Dictamen { to, .. }
            | Letter::ExpiryReminder { to, .. } => vec![to.clone()],
            Letter::OverdueDigest { to, .. } | Letter::Checkpoint { to, .. } => to.clone(),
        }
    }
}
