//! What the command line says, in Spanish (the default) or English: its confirmations, the
//! words of its records and reports, and how it words the library's hints (as commands to run).
//! The library words errors and domain names (`avala::messages`); this table words only what
//! is the command line's own. One table per language, each a `match` the compiler checks.

mod en;
mod es;
pub mod help;
mod help_es;

use avala::Lang;
use avala::error::Hint;

/// Roles in `lang`, as the catalogue names them.
fn roles_in(lang: Lang, roles: &[avala::domain::Role]) -> String {
    let c = avala::messages::of(lang);
    roles.iter().map(|r| c.role(*r)).collect::<Vec<_>>().join(", ")
}

/// Names in a line: all of them, or, past six, the first three, `…` and the last two (a year of
/// daily checkpoints is 365).
fn names(all: &[String]) -> String {
    if all.len() <= 6 {
        return all.join(", ");
    }
    format!(
        "{}, …, {} ({})",
        all[..3].join(", "),
        all[all.len() - 2..].join(", "),
        all.len()
    )
}

/// One thing the command line says.
#[derive(Debug, Clone)]
pub enum Say<'a> {
    /// `avala init` finished.
    Initialised {
        /// The database (password hidden).
        database: &'a str,
        /// The configuration file.
        config: &'a str,
        /// The key file.
        key_file: &'a str,
        /// A new key was made (else the file was kept).
        created: bool,
        /// The key id.
        key_id: &'a str,
    },
    /// A standard was loaded (or was loaded already).
    StandardLoaded {
        /// Code.
        code: &'a str,
        /// Version.
        version: &'a str,
        /// It was new.
        new: bool,
        /// Its elements.
        elements: usize,
        /// Its content hash.
        hash: &'a str,
    },
    /// A staff member was added.
    StaffAdded {
        /// Id.
        id: &'a str,
        /// Their roles.
        roles: &'a [avala::domain::Role],
    },
    /// A window was created.
    WindowCreated {
        /// Id.
        id: i64,
    },
    /// A window changed state.
    WindowNow {
        /// Id.
        id: i64,
        /// Its state, worded.
        state: String,
    },
    /// A candidate was registered.
    Registered {
        /// Enrollment.
        enrollment: i64,
        /// Window.
        window: i64,
    },
    /// The file was decoded as Windows-1252.
    Windows1252 {
        /// The file.
        file: &'a str,
    },
    /// An import (or its dry run) finished.
    Imported {
        /// Rows registered.
        rows: usize,
        /// Window.
        window: i64,
        /// New institutions.
        institutions: usize,
        /// Nothing was written.
        dry_run: bool,
    },
    /// A personal link was issued.
    LinkIssued {
        /// Enrollment.
        enrollment: i64,
        /// The token.
        token: &'a str,
    },
    /// A diagnostic was recorded.
    Diagnosed {
        /// Enrollment.
        enrollment: i64,
        /// Score.
        score: u8,
        /// Threshold.
        threshold: u8,
        /// Training recommended.
        below: bool,
    },
    /// An evaluation was planned.
    Planned {
        /// Enrollment.
        enrollment: i64,
        /// Evaluator.
        evaluator: &'a str,
        /// When, in the window's time zone.
        at: String,
    },
    /// An element was judged.
    Judged {
        /// Enrollment.
        enrollment: i64,
        /// Element.
        element: &'a str,
        /// Competent?
        competent: bool,
    },
    /// The verdict was recorded.
    Verdict {
        /// Enrollment.
        enrollment: i64,
        /// Competent?
        competent: bool,
        /// Elements not yet competent.
        not_yet: String,
    },
    /// A dictamen batch was issued.
    Dictamen {
        /// The lote.
        lote: i64,
        /// Procede?
        procede: bool,
        /// Enrollments decided.
        enrollments: usize,
        /// Certificates issued.
        certificates: usize,
        /// First folio.
        first: &'a str,
        /// Last folio.
        last: &'a str,
    },
    /// An enrollment was withdrawn.
    Withdrawn {
        /// Enrollment.
        enrollment: i64,
    },
    /// Every dead job was queued again.
    DeadJobsRetried {
        /// How many.
        count: usize,
    },
    /// A job was queued again.
    JobRetried {
        /// Job.
        job: i64,
        /// Attempts so far.
        attempts: i64,
    },
    /// A job was cancelled.
    JobCancelled {
        /// Job.
        job: i64,
    },
    /// The issuer key was rotated.
    KeyRotated {
        /// The new key id.
        key_id: &'a str,
        /// The key file.
        file: &'a str,
    },
    /// The signing key passed every check.
    KeySound {
        /// Its key id.
        key_id: &'a str,
        /// The key file.
        file: &'a str,
        /// Keys in the key set.
        keys: usize,
    },
    /// A certificate was revoked.
    Revoked {
        /// Folio.
        folio: &'a str,
        /// Reason.
        reason: &'a str,
    },
    /// A certificate was re-issued.
    Reissued {
        /// New folio.
        new: &'a str,
        /// Old folio.
        old: &'a str,
    },
    /// An Open Badges credential was written.
    Exported {
        /// Folio.
        folio: &'a str,
        /// File.
        file: &'a str,
    },
    /// No process is past a deadline.
    NothingOverdue,
    /// Some processes are past a deadline.
    Overdue {
        /// How many.
        count: usize,
    },
    /// The audit log is intact.
    AuditIntact {
        /// Events.
        events: u64,
        /// Streams.
        streams: u64,
    },
    /// The log matches every checkpoint it was compared with.
    AuditMatches {
        /// Which (`#3`, a file's name).
        checkpoints: &'a [String],
    },
    /// Findings not listed.
    MoreFindings {
        /// How many.
        count: u64,
    },
    /// A checkpoint taken (or written again).
    CheckpointTaken {
        /// Its number.
        id: i64,
        /// Streams.
        streams: u64,
        /// Events.
        events: u64,
        /// Root, hex.
        root: &'a str,
        /// Key id.
        key_id: &'a str,
        /// Where it was written.
        file: Option<&'a std::path::Path>,
    },
    /// A proof written to a file.
    ProofWritten {
        /// The stream.
        stream: &'a str,
        /// The event.
        seq: i64,
        /// The file.
        file: &'a std::path::Path,
    },
    /// A proof that holds.
    ProofHolds {
        /// What it proves.
        proof: &'a avala::engine::ProofChecked,
    },
    /// The read model, replayed from the log, matches the tables.
    ReplayMatches {
        /// Records compared.
        checked: &'a avala::replay::Checked,
    },
    /// The read model differs from the log in `total` places (listed before).
    ReplayDiffers {
        /// Records compared.
        checked: &'a avala::replay::Checked,
        /// Differences in all.
        total: u64,
        /// How many are listed.
        shown: usize,
    },
    /// One difference between the tables and the log.
    ReplayDifference(&'a avala::replay::Difference),
    /// A field that older events lack, for some records: not checkable, not tampered.
    ReplayNotCheckable(&'a avala::replay::NotCheckable),
    /// A count suppressed in open data.
    Suppressed,
    /// A listing with no rows.
    None,
    /// A PDF still to render.
    Pending,
    /// A PDF rendered.
    RenderedPdf,
    /// A check line's label.
    Checked,
    /// A check-not-made line's label.
    NotChecked,
    /// The demo's summary.
    Demo(&'a DemoText),
    /// The name of one of the demo's long steps, beside its progress bar.
    DemoStep(avala::demo::Step),
}

/// What the demo's summary shows.
#[derive(Debug, Clone)]
pub struct DemoText {
    /// Candidates.
    pub candidates: usize,
    /// Seconds it took.
    pub seconds: f64,
    /// Final states and their counts (states worded already).
    pub states: Vec<(String, i64)>,
    /// Lotes.
    pub batches: usize,
    /// Certificates rendered.
    pub rendered: u64,
    /// Certificate e-mails.
    pub delivered: u64,
    /// Notices.
    pub notices: u64,
    /// Failed jobs.
    pub failed: u64,
    /// Where the certificates are.
    pub certificates_dir: String,
    /// Where the e-mails are.
    pub outbox_dir: String,
    /// The database.
    pub database: String,
}

impl Say<'_> {
    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::Es => es::say(self),
            Lang::En => en::say(self),
        }
    }
}

/// A hint of the library, worded as what to run.
pub fn hint(hint: &Hint, lang: Lang) -> String {
    match lang {
        Lang::Es => es::hint(hint),
        Lang::En => en::hint(hint),
    }
}
