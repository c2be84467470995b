//! Names of things a message can be about, as data: the catalogue words them in each language.

use serde::Serialize;

/// A kind of record, as errors name it ("enrollment 7 not found").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    /// A staff member.
    Staff,
    /// A competency standard.
    Standard,
    /// The standard of an enrollment's window.
    StandardOfEnrollment,
    /// A registration window.
    Window,
    /// A candidate's process.
    Enrollment,
    /// A certificate.
    Certificate,
    /// A dictamen batch (lote).
    DictamenBatch,
    /// A job of the outbox.
    Job,
    /// One of the issuer's keys.
    IssuerKey,
    /// A candidate's personal link.
    CandidateLink,
    /// A signed checkpoint of the audit log.
    Checkpoint,
    /// Some record (the database did not say which).
    Unknown,
}

/// A field of a form, a command or a file, as messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// A person's full name.
    Name,
    /// A candidate's CURP or passport number.
    Identity,
    /// An institution (sujeto obligado).
    Institution,
    /// A candidate's position (cargo).
    Position,
    /// Why something is done (withdrawal, revocation).
    Reason,
    /// The evidence an evaluator saw for an element.
    Evidence,
    /// An evaluator's feedback on an element.
    Feedback,
    /// A process state.
    State,
    /// A job state.
    JobState,
    /// A job kind.
    JobKind,
    /// A report grouping.
    ReportBy,
    /// The language.
    Lang,
    /// The certificate to check.
    Target,
}

/// One element's judgement, as the evaluator records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The element's code (E0001…).
    pub element: String,
    /// Competent, or not yet competent.
    pub competent: bool,
    /// What the evaluator observed.
    pub evidence: Option<super::text::Note>,
    /// What the candidate should work on.
    pub feedback: Option<super::text::Note>,
}
