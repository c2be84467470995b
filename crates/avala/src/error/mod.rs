//! The library's error: one variant per failure a user can cause, each carrying the values a
//! user needs to act on it, with a stable code (the serialised `code` field) and a
//! [`Hint`] a front end renders in its own terms. The text people read is rendered from the
//! code and the fields by the message catalogue (`crate::messages`), in Spanish or English;
//! this module holds no text.
//!
//! `error` sits on the ground floor: the store, the CSV readers and the other modules convert
//! their own failures into it.

mod parts;
mod problems;
mod report;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use parts::{
    DbProblem, ErrorClass, Finding, ForgeProblem, Hint, InstantProblem, IoProblem, LinkProblem, NotTaking,
    ProofProblem, Unprovable,
};
pub use problems::{ImportProblem, Problem};

use crate::domain::{Action, Field, Record, Role};
use crate::identity::IdentityError;
use crate::machine::TransitionError;
use crate::standard::StandardError;

/// Every failure of an avala operation.
#[derive(Debug, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Error {
    /// The standard file is invalid.
    #[serde(rename = "standard_invalid")]
    Standard(StandardError),
    /// A state machine refused the event (rule 1).
    #[serde(rename = "transition_refused")]
    Transition(TransitionError),
    /// A CURP, passport or e-mail is invalid.
    #[serde(rename = "identity_invalid")]
    Identity(IdentityError),
    /// The CSV file could not be read at all.
    ImportUnreadable {
        /// The file.
        path: PathBuf,
        /// What the system said.
        detail: String,
    },
    /// The cohort file has problems; nothing was imported.
    ImportRejected {
        /// Every problem, in line order.
        problems: Vec<ImportProblem>,
    },
    /// The evaluation instrument has problems; nothing was recorded.
    InstrumentRejected {
        /// Every problem, in line order.
        problems: Vec<ImportProblem>,
    },
    /// The named record does not exist.
    NotFound {
        /// What kind of record.
        what: Record,
        /// Its id as given.
        id: String,
    },
    /// A concurrent change won; nothing was written.
    Conflict {
        /// What kind of record.
        what: Record,
        /// Its id.
        id: String,
    },
    /// The public (nobody named) asked for something only staff may do.
    NoActor {
        /// What was asked.
        action: Action,
    },
    /// The named staff member does not exist.
    UnknownActor {
        /// The id given.
        id: String,
    },
    /// The actor lacks the role.
    Forbidden {
        /// Who asked.
        actor: String,
        /// The roles that may (empty: only the runner).
        roles: Vec<Role>,
        /// What was asked.
        action: Action,
    },
    /// A personal link that is unknown, expired or revoked.
    UnknownLink,
    /// Rule 3: the evaluator may not sit on the dictamen of a process they judged.
    EvaluatorOnDictamen {
        /// The enrollment.
        enrollment: i64,
        /// The verifier who evaluated it.
        verifier: String,
    },
    /// Rule 4: only the assigned evaluator may record results.
    NotAssigned {
        /// The enrollment.
        enrollment: i64,
        /// Its evaluator.
        assigned: String,
        /// Who asked.
        actor: String,
    },
    /// Results for an enrollment whose evaluation is not planned yet.
    NoEvaluatorYet {
        /// The enrollment.
        enrollment: i64,
    },
    /// Rule 2: registration outside the window.
    WindowNotTaking {
        /// The window.
        window: i64,
        /// Why not.
        #[serde(flatten)]
        why: NotTaking,
    },
    /// Rule 2: the window is at capacity.
    WindowFull {
        /// The window.
        window: i64,
        /// Its places.
        capacity: i64,
    },
    /// Rule 2: one enrollment per candidate per window.
    AlreadyEnrolled {
        /// CURP or passport.
        identity: String,
        /// The window.
        window: i64,
        /// The enrollment there already.
        enrollment: i64,
    },
    /// The element code is not in the pinned standard.
    UnknownElement {
        /// The code given.
        element: String,
        /// The standard's code.
        standard: String,
        /// Its version.
        version: String,
        /// Its elements.
        known: Vec<String>,
    },
    /// An instrument judges an element twice.
    ElementTwice {
        /// The enrollment.
        enrollment: i64,
        /// The element.
        element: String,
    },
    /// Rule 5: a verdict needs every element judged.
    JudgementsMissing {
        /// The enrollment.
        enrollment: i64,
        /// The standard's code.
        standard: String,
        /// The elements without a judgement.
        elements: Vec<String>,
    },
    /// A diagnostic score over 100.
    ScoreOutOfRange {
        /// The score given.
        score: u32,
    },
    /// Free text with what a name never holds, or too long.
    Text {
        /// Which field.
        field: Field,
        /// What is wrong, and where.
        problem: crate::domain::text::TextProblem,
    },
    /// A required value is empty.
    Missing {
        /// Which.
        field: Field,
    },
    /// A value that is not one of the known ones.
    UnknownValue {
        /// Which field.
        field: Field,
        /// The value given.
        value: String,
        /// The accepted values.
        known: Vec<String>,
    },
    /// An unknown IANA time zone.
    UnknownTimeZone {
        /// The name given.
        value: String,
    },
    /// Text that is not an instant.
    BadInstant {
        /// The text given.
        text: String,
        /// What is wrong.
        problem: InstantProblem,
    },
    /// An evaluation planned before its enrollment's window opens.
    EvaluationBeforeWindow {
        /// The enrollment.
        enrollment: i64,
        /// Its window.
        window: i64,
        /// The instant asked for.
        at: DateTime<Utc>,
        /// When the window opens.
        opens: DateTime<Utc>,
        /// The window's time zone.
        tz: String,
    },
    /// A window that closes before it opens.
    WindowEndsBeforeStart {
        /// Opening instant.
        opens: DateTime<Utc>,
        /// Closing instant.
        closes: DateTime<Utc>,
    },
    /// A capacity below one.
    CapacityTooSmall {
        /// The capacity given.
        capacity: i64,
    },
    /// A role no one knows.
    UnknownRole {
        /// The name given.
        value: String,
    },
    /// A staff id with characters ids may not have.
    BadStaffId {
        /// The id given.
        id: String,
    },
    /// A staff member without any role.
    NoRole,
    /// The first staff member must be an admin.
    FirstStaffNotAdmin,
    /// A staff id taken already.
    StaffExists {
        /// The id.
        id: String,
    },
    /// Rule 7: at most one certificate per enrollment.
    CertificateExists {
        /// The enrollment.
        enrollment: i64,
    },
    /// A dictamen with nothing to decide.
    NothingForDictamen {
        /// The window.
        window: i64,
    },
    /// A dictamen naming an enrollment of another window.
    EnrollmentNotInWindow {
        /// The enrollment.
        enrollment: i64,
        /// The window of the dictamen.
        window: i64,
        /// The enrollment's window.
        actual: i64,
    },
    /// A corrected CURP that belongs to someone else.
    CurpTaken {
        /// The CURP.
        curp: String,
    },
    /// Rule 5: a loaded version never changes.
    StandardVersionChanged {
        /// The standard's code.
        standard: String,
        /// Its version.
        version: String,
        /// The hash of the content loaded earlier.
        stored_hash: String,
    },
    /// Only dead or queued jobs can be retried.
    JobNotRetryable {
        /// The job.
        job: i64,
        /// Its state.
        state: String,
    },
    /// Only queued jobs can be cancelled.
    JobNotCancellable {
        /// The job.
        job: i64,
        /// Its state.
        state: String,
    },
    /// Text that is not an Ed25519 public key.
    NotAPublicKey {
        /// The text given.
        value: String,
    },
    /// There is no configuration yet.
    NoConfig {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The configuration file is not valid.
    ConfigInvalid {
        /// The file.
        path: PathBuf,
        /// What the TOML reader said.
        detail: String,
    },
    /// A file larger than its kind may be ([`crate::files::FileKind`]); it was not read.
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size, in bytes.
        size: u64,
        /// The most its kind may hold, in bytes.
        max: u64,
    },
    /// A text of the configuration that no certificate or e-mail may show.
    ConfigText {
        /// The file.
        path: PathBuf,
        /// The setting (`issuer`, `place`).
        key: String,
        /// What is wrong with it.
        problem: crate::domain::text::TextProblem,
    },
    /// The key file does not hold a signing key.
    BadKeyFile {
        /// The file.
        path: PathBuf,
    },
    /// The key file may be read (or written) by others than its owner.
    KeyFileNotPrivate {
        /// The file.
        path: PathBuf,
        /// Its permission bits (`0o644`).
        mode: u32,
    },
    /// The key file holds a key other than the active key pinned in the database: a key
    /// changed behind avala's back never signs.
    KeyNotPinned {
        /// The file.
        path: PathBuf,
        /// The id of the key it holds.
        found: String,
        /// The id of the active key, where there is one (none when every key was retired).
        expected: Option<String>,
    },
    /// The logo is not a PNG or JPEG image.
    BadLogo {
        /// The file.
        path: PathBuf,
        /// What the image reader said.
        detail: String,
    },
    /// A demo of no candidates.
    DemoTooSmall,
    /// The demo's folder holds a demo already.
    DemoExists {
        /// The folder.
        dir: PathBuf,
    },
    /// The database given to the demo holds records already.
    DemoDatabaseInUse {
        /// The database (password hidden).
        database: String,
        /// The audit events it holds.
        events: i64,
    },
    /// A file that is not UTF-8 text.
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// Without the issuer's records, a folio or code cannot be looked up.
    OfflineNeedsDocument,
    /// Text given as a certificate's token that is not one (it lacks the token's prefix): a
    /// typing slip, not a tampered certificate.
    NotAToken {
        /// The text given (its first 40 characters).
        text: String,
    },
    /// `audit verify` found the log not matching a checkpoint (or a chain broken, or a table
    /// not matching its events); each finding is reported on its own.
    AuditFindings {
        /// How many.
        count: u64,
    },
    /// A checkpoint file that is refused as forged or unreadable.
    CheckpointForged {
        /// The file.
        checkpoint: String,
        /// Why.
        problem: ForgeProblem,
    },
    /// The log no longer gives a stored checkpoint's root: what it covered was changed.
    CheckpointStale {
        /// Its number.
        checkpoint: i64,
    },
    /// An inclusion proof that does not hold.
    ProofFails {
        /// Why.
        problem: ProofProblem,
    },
    /// An event that cannot be proven.
    NotProvable {
        /// The stream.
        stream: String,
        /// The event.
        seq: i64,
        /// Why.
        why: Unprovable,
    },
    /// The tables differ from what the audit log records (`replay`): changed outside avala.
    ReadModelDiffers {
        /// How many differences.
        differences: u64,
    },
    /// The database URL cannot be used.
    DatabaseUrl {
        /// The URL (password hidden).
        url: String,
        /// What the driver said.
        detail: String,
    },
    /// The database could not be reached.
    DatabaseUnavailable {
        /// The URL (password hidden).
        url: String,
        /// What went wrong.
        #[serde(flatten)]
        problem: DbProblem,
    },
    /// Migrations failed.
    Migrate {
        /// What the migrator said.
        detail: String,
    },
    /// Any other database failure; nothing was changed.
    Database {
        /// What went wrong.
        #[serde(flatten)]
        problem: DbProblem,
    },
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[serde(flatten)]
        problem: IoProblem,
    },
    /// Rendering or signing a certificate failed.
    Certificate {
        /// What went wrong.
        detail: String,
    },
    /// Building or sending e-mail failed.
    Mail {
        /// What went wrong.
        detail: String,
    },
    /// A job in the outbox that cannot be read.
    BadJob {
        /// The job.
        job: i64,
        /// What is wrong with it.
        detail: String,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
