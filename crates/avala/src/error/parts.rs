//! The values errors carry besides plain fields: how a failure is reported, why a window is not
//! taking registrations, what is wrong with an instant, the database, a file or the audit
//! chain, and the hints a front end may give.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::machine::WindowState;

/// How a failure should be reported (which exit code or HTTP status a front end uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Invalid input, a rule or a transition said no; nothing changed.
    Refused,
    /// The actor may not do this.
    Forbidden,
    /// Someone else changed the record first; retry.
    Conflict,
    /// The thing named does not exist.
    NotFound,
    /// Database or file system trouble.
    Internal,
}

/// Why a window is not taking registrations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum NotTaking {
    /// It is not open (scheduled, closed or cancelled).
    State {
        /// Its state.
        state: WindowState,
    },
    /// It is open, but now is outside [opens, closes).
    Outside {
        /// Opening instant.
        opens: DateTime<Utc>,
        /// Closing instant.
        closes: DateTime<Utc>,
        /// Now.
        now: DateTime<Utc>,
        /// The window's time zone, for showing the instants.
        tz: String,
    },
}

/// What is wrong with an instant a person typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstantProblem {
    /// Not one of the accepted forms.
    Format,
    /// The time zone is unknown.
    UnknownZone,
    /// That local time does not exist there (a daylight-saving gap).
    Nonexistent,
}

/// What went wrong with the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum DbProblem {
    /// The disk holding it is full.
    DiskFull {
        /// The database's error code.
        db_code: String,
    },
    /// The file (or its folder) is read-only.
    ReadOnly {
        /// The database's error code.
        db_code: String,
    },
    /// Reading or writing the file failed.
    Io {
        /// The database's error code.
        db_code: String,
    },
    /// There is no database file.
    NoSuchFile,
    /// No connection came free in time.
    Timeout,
    /// Anything else, in the database's own words.
    Other {
        /// What the database said.
        detail: String,
    },
}

/// What went wrong with a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum IoProblem {
    /// It does not exist.
    NotFound,
    /// Not allowed.
    PermissionDenied,
    /// Anything else, in the system's own words.
    Other {
        /// What the system said.
        detail: String,
    },
}

impl From<&std::io::Error> for IoProblem {
    fn from(e: &std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => IoProblem::NotFound,
            std::io::ErrorKind::PermissionDenied => IoProblem::PermissionDenied,
            _ => IoProblem::Other { detail: e.to_string() },
        }
    }
}

/// What is wrong with an event of the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkProblem {
    /// Its sequence number is not the next one: an event is missing.
    Gap {
        /// The sequence number expected.
        expected: i64,
    },
    /// Its previous-hash is not the hash of the event before it.
    PreviousHash,
    /// Its content does not match its hash: it was altered.
    Altered,
}

/// Why a checkpoint is refused as forged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ForgeProblem {
    /// It is not a checkpoint file this version reads.
    Format {
        /// What did not parse.
        detail: String,
    },
    /// Its public key is not the key its key id names.
    KeyId,
    /// Its signature does not hold.
    Signature,
    /// Its streams do not hash to the signed root.
    Root,
    /// It is signed by a key that is not in the issuer's key set.
    UnknownKey {
        /// The key id it names.
        key_id: String,
    },
}

/// Why an inclusion proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProofProblem {
    /// It is not a proof this version reads.
    Format {
        /// What did not parse.
        detail: String,
    },
    /// The event is of a chain version proofs do not cover.
    Version {
        /// Its version.
        v: i64,
    },
    /// The leaf is not the event's stream at its length.
    Leaf,
    /// The event (or a digest after it) does not lead to its stream's head: it was changed.
    Event,
    /// The Merkle path does not lead to the signed root.
    Path,
    /// The checkpoint's signature does not hold.
    Signature,
    /// Its public key is not the key its key id names.
    KeyId,
    /// It is signed by a key other than the issuer's.
    UnknownKey {
        /// The key id it names.
        key_id: String,
    },
}

/// Why an event cannot be proven.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unprovable {
    /// There is no such event.
    NoSuchEvent,
    /// The checkpoint was taken before it.
    AfterCheckpoint {
        /// The stream's length in the checkpoint (0: not in it).
        length: i64,
    },
    /// It, or an event after it, was recorded before events were chained by digest
    /// (version 1), so a proof would have to show that event's contents.
    Version1 {
        /// The version-1 event in the way.
        seq: i64,
    },
    /// The log no longer matches the checkpoint.
    LogChanged {
        /// Which checkpoint.
        checkpoint: i64,
    },
    /// No checkpoint has been taken.
    NoCheckpoint,
}

/// Something `audit verify` found wrong, besides a broken link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "finding", rename_all = "snake_case")]
pub enum Finding {
    /// A link of a chain is broken.
    Link {
        /// The stream.
        stream: String,
        /// The bad event.
        seq: i64,
        /// Its row.
        row: i64,
        /// What is wrong.
        problem: LinkProblem,
    },
    /// A stream the checkpoint covers is gone.
    StreamMissing {
        /// The checkpoint (`#3` or a file name).
        checkpoint: String,
        /// The stream.
        stream: String,
        /// Its length then.
        length: i64,
    },
    /// A stream is shorter than the checkpoint saw it: events were deleted.
    StreamShortened {
        /// The checkpoint.
        checkpoint: String,
        /// The stream.
        stream: String,
        /// Its length then.
        length: i64,
        /// Its length now.
        now: i64,
    },
    /// The event at the checkpoint's length has another hash: the stream was rewritten.
    HeadChanged {
        /// The checkpoint.
        checkpoint: String,
        /// The stream.
        stream: String,
        /// The event whose hash differs.
        seq: i64,
    },
    /// A stream with events older than the checkpoint that the checkpoint does not have.
    StreamAdded {
        /// The checkpoint.
        checkpoint: String,
        /// The stream.
        stream: String,
    },
    /// The log up to a stored checkpoint no longer hashes to its root.
    RootChanged {
        /// The checkpoint.
        checkpoint: String,
    },
    /// A stored checkpoint does not hold (its signature, its key).
    Forged {
        /// The checkpoint.
        checkpoint: String,
        /// Why.
        problem: ForgeProblem,
    },
}

/// What a front end may suggest after an error, in its own terms (a command, a link, a button).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "hint", rename_all = "snake_case")]
pub enum Hint {
    /// Say who is acting (a staff member).
    GiveActor,
    /// Look at who has which role.
    SeeStaff,
    /// Plan the evaluation first.
    PlanEvaluation {
        /// The enrollment.
        enrollment: i64,
    },
    /// Record the missing judgements.
    RecordJudgements {
        /// The enrollment.
        enrollment: i64,
    },
    /// Re-issue the certificate instead.
    Reissue,
    /// Load the standard first.
    LoadStandard,
    /// Give the edited standard a new version.
    NewStandardVersion,
    /// Initialise the installation first.
    RunInit,
    /// Do it again (the conflict has passed).
    TryAgain,
    /// Another verifier must issue it.
    OtherVerifier,
    /// Render the certificates (run the job runner).
    RunRunner,
    /// Choose another folder.
    OtherFolder,
    /// Change the signing key on purpose, by rotating it.
    RotateKey,
}
