//! What an error says about itself: its stable code, how it is reported, what a front end may
//! suggest next; and the conversions and shorthands that make one.

use std::path::PathBuf;

use super::{DbProblem, Error, ErrorClass, Hint, IoProblem};
use crate::domain::Record;
use crate::identity::IdentityError;
use crate::machine::TransitionError;
use crate::standard::StandardError;

impl std::error::Error for Error {}

impl From<StandardError> for Error {
    fn from(e: StandardError) -> Self {
        Error::Standard(e)
    }
}

impl From<TransitionError> for Error {
    fn from(e: TransitionError) -> Self {
        Error::Transition(e)
    }
}

impl From<IdentityError> for Error {
    fn from(e: IdentityError) -> Self {
        Error::Identity(e)
    }
}

impl Error {
    /// A stable, machine-readable code for scripts (the serialised `code`).
    pub fn code(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map
                .get("code")
                .and_then(|c| c.as_str())
                .unwrap_or("internal")
                .to_string(),
            _ => "internal".into(),
        }
    }

    /// How the failure is reported.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::NotFound { .. } => ErrorClass::NotFound,
            Error::Conflict { .. } => ErrorClass::Conflict,
            Error::NoActor { .. } | Error::UnknownActor { .. } | Error::Forbidden { .. } | Error::UnknownLink => {
                ErrorClass::Forbidden
            }
            Error::DatabaseUrl { .. }
            | Error::DatabaseUnavailable { .. }
            | Error::Migrate { .. }
            | Error::Database { .. }
            | Error::Io { .. }
            | Error::Certificate { .. }
            | Error::Mail { .. }
            | Error::BadJob { .. } => ErrorClass::Internal,
            _ => ErrorClass::Refused,
        }
    }

    /// Whether trying again later can succeed: the database busy or out of reach, a
    /// conflict with another command, a file that could not be written (a full disk). Bad
    /// data, a missing or wrong key, a record gone, a refused rule: never.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Conflict { .. } | Error::DatabaseUnavailable { .. } | Error::Database { .. } | Error::Io { .. }
        )
    }

    /// What a front end may suggest next.
    pub fn hint(&self) -> Option<Hint> {
        Some(match self {
            Error::NoActor { .. } => Hint::GiveActor,
            Error::UnknownActor { .. } | Error::Forbidden { .. } | Error::NotAssigned { .. } => Hint::SeeStaff,
            Error::NoEvaluatorYet { enrollment } => Hint::PlanEvaluation {
                enrollment: *enrollment,
            },
            Error::JudgementsMissing { enrollment, .. } => Hint::RecordJudgements {
                enrollment: *enrollment,
            },
            Error::CertificateExists { .. } => Hint::Reissue,
            Error::NotFound {
                what: Record::Standard | Record::StandardOfEnrollment,
                ..
            } => Hint::LoadStandard,
            Error::StandardVersionChanged { .. } => Hint::NewStandardVersion,
            Error::NoConfig { .. }
            | Error::DatabaseUnavailable {
                problem: DbProblem::NoSuchFile,
                ..
            } => Hint::RunInit,
            Error::Conflict { .. } => Hint::TryAgain,
            Error::EvaluatorOnDictamen { .. } => Hint::OtherVerifier,
            Error::DemoExists { .. } => Hint::OtherFolder,
            Error::KeyNotPinned { .. } => Hint::RotateKey,
            _ => return None,
        })
    }

    /// Shorthand for a not-found error.
    pub fn not_found(what: Record, id: impl ToString) -> Self {
        Error::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// Shorthand for a conflict.
    pub fn conflict(what: Record, id: impl ToString) -> Self {
        Error::Conflict {
            what,
            id: id.to_string(),
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            problem: IoProblem::from(&source),
        }
    }

    /// A database failure in the driver's own words.
    pub fn database(detail: impl Into<String>) -> Self {
        Error::Database {
            problem: DbProblem::Other { detail: detail.into() },
        }
    }
}
