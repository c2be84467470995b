//! The library's error type: one variant per failure a user can cause, each with a stable code.

use std::path::PathBuf;

use crate::identity::IdentityError;
use crate::import::ImportProblem;
use crate::machine::TransitionError;
use crate::standard::StandardError;

/// How a failure should be reported (and which exit code the CLI uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Invalid input, a rule or a transition said no; nothing changed.
    Refused,
    /// Someone else changed the record first; retry.
    Conflict,
    /// The thing named does not exist.
    NotFound,
    /// Database or file system trouble.
    Internal,
}

/// Every failure of an avala operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The standard file is invalid.
    #[error("{0}")]
    Standard(#[from] StandardError),
    /// A state machine refused the event (rule 1).
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// A CURP, passport or e-mail is invalid.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// The CSV file could not be read at all.
    #[error("cannot read {path}: {message}")]
    Import { path: String, message: String },
    /// The CSV file has problems; nothing was imported.
    #[error("{} problem(s) in the file; nothing was imported:\n{}", problems.len(), render_problems(problems))]
    ImportRejected { problems: Vec<ImportProblem> },
    /// The evaluation instrument (CSV) has problems; nothing was recorded.
    #[error("{} problem(s) in the instrument; nothing was recorded:\n{}", problems.len(), render_problems(problems))]
    InstrumentRejected { problems: Vec<ImportProblem> },
    /// The named record does not exist.
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// A concurrent change won; retry.
    #[error("{what} {id} was changed by someone else at the same time; nothing was written, run the command again")]
    Conflict { what: &'static str, id: String },
    /// No actor given for a command that needs one.
    #[error("this command needs an acting staff member: pass --as STAFF_ID (or set AVALA_ACTOR)")]
    NoActor,
    /// The actor is not a staff member.
    #[error("staff member {0} does not exist; `avala staff list` shows who does")]
    UnknownActor(String),
    /// The actor lacks the role.
    #[error("{actor} is not {role}; only {role} may {action} (`avala staff list` shows who has which role)")]
    Forbidden {
        actor: String,
        role: &'static str,
        action: &'static str,
    },
    /// Rule 3: the evaluator may not sit on the dictamen of a process they judged.
    #[error(
        "enrollment {enrollment}: {verifier} evaluated this process and may not issue its dictamen (rule 3, Reglas Generales art. 50); choose another verifier"
    )]
    EvaluatorOnDictamen { enrollment: i64, verifier: String },
    /// Rule 4: only the assigned evaluator may record results.
    #[error("enrollment {enrollment} is assigned to evaluator {assigned}, not to {actor} (rule 4)")]
    NotAssigned {
        enrollment: i64,
        assigned: String,
        actor: String,
    },
    /// Rule 2: registration outside the window.
    #[error("window {window} is not taking registrations: {reason}")]
    WindowNotTaking { window: i64, reason: String },
    /// Rule 2: the window is at capacity.
    #[error("window {window} is full ({capacity} places taken)")]
    WindowFull { window: i64, capacity: i64 },
    /// Rule 2: one enrollment per candidate per window.
    #[error("candidate {identity} is already enrolled in window {window} (enrollment {enrollment})")]
    AlreadyEnrolled {
        identity: String,
        window: i64,
        enrollment: i64,
    },
    /// The element code is not in the pinned standard.
    #[error("element {element} is not part of {standard}; its elements are {known}")]
    UnknownElement {
        element: String,
        standard: String,
        known: String,
    },
    /// Invalid argument value.
    #[error("{0}")]
    Invalid(String),
    /// The database URL cannot be used.
    #[error("database URL {url}: {message}")]
    DatabaseUrl { url: String, message: String },
    /// The database could not be reached.
    #[error("cannot open the database {url}: {message}")]
    DatabaseUnavailable { url: String, message: String },
    /// Migrations failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// Rendering or signing a certificate failed.
    #[error("certificate: {0}")]
    Certificate(String),
    /// Sending e-mail failed.
    #[error("mail: {0}")]
    Mail(String),
}

fn render_problems(problems: &[ImportProblem]) -> String {
    problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
}

impl Error {
    /// A stable, machine-readable code for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Standard(_) => "standard_invalid",
            Error::Transition(_) => "transition_refused",
            Error::Identity(_) => "identity_invalid",
            Error::Import { .. } => "import_unreadable",
            Error::ImportRejected { .. } => "import_rejected",
            Error::InstrumentRejected { .. } => "instrument_rejected",
            Error::NotFound { .. } => "not_found",
            Error::Conflict { .. } => "conflict",
            Error::NoActor => "no_actor",
            Error::UnknownActor(_) => "unknown_actor",
            Error::Forbidden { .. } => "forbidden",
            Error::EvaluatorOnDictamen { .. } => "evaluator_on_dictamen",
            Error::NotAssigned { .. } => "not_assigned",
            Error::WindowNotTaking { .. } => "window_not_taking",
            Error::WindowFull { .. } => "window_full",
            Error::AlreadyEnrolled { .. } => "already_enrolled",
            Error::UnknownElement { .. } => "unknown_element",
            Error::Invalid(_) => "invalid",
            Error::DatabaseUrl { .. } => "database_url",
            Error::DatabaseUnavailable { .. } => "database_unavailable",
            Error::Migrate(_) => "migrate",
            Error::Database(_) => "database",
            Error::Io { .. } => "io",
            Error::Certificate(_) => "certificate",
            Error::Mail(_) => "mail",
        }
    }

    /// How the failure is reported.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::NotFound { .. } => ErrorClass::NotFound,
            Error::Conflict { .. } => ErrorClass::Conflict,
            Error::DatabaseUrl { .. }
            | Error::DatabaseUnavailable { .. }
            | Error::Migrate(_)
            | Error::Database(_)
            | Error::Io { .. }
            | Error::Certificate(_)
            | Error::Mail(_) => ErrorClass::Internal,
            _ => ErrorClass::Refused,
        }
    }

    /// Shorthand for a not-found error.
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        Error::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        crate::store::map_db_error(e)
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
