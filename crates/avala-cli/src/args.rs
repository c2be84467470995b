//! The command line as clap reads it: every command, its arguments and their help.

use clap::{Args, Parser, Subcommand};

use crate::output::Format;

/// avala — certification workflow for competency standards (EC1057 and others).
///
/// Exit codes: 0 done; 1 refused (invalid input, a rule or a transition said no; nothing
/// changed); 2 usage error; 3 conflict (someone else changed the record first; run again);
/// 4 not found; 5 internal failure (database or file system).
/// The database when `--db` is not given.
pub const DEFAULT_DB: &str = "avala.db";

#[derive(Debug, Parser)]
#[command(name = "avala", version, max_term_width = 100)]
pub struct Cli {
    /// Database: a SQLite file path, or postgres://user@host/db.
    #[arg(long, global = true, env = "AVALA_DATABASE_URL", default_value = DEFAULT_DB)]
    pub db: String,
    /// The staff member acting (their id, as in `avala staff list`).
    #[arg(long = "as", global = true, env = "AVALA_ACTOR", value_name = "STAFF_ID")]
    pub actor: Option<String>,
    /// Output format of listings and results.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Language of everything a person reads: es (Spanish, the default) or en.
    #[arg(long, global = true, env = "AVALA_LANG", default_value = "es", value_parser = ["es", "en"])]
    pub lang: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create and migrate the database; create the configuration and the issuer's signing key.
    Init(InitArgs),
    /// The whole EC1057 cohort, end to end, in a fresh folder (and on --db, if given: an empty one).
    Demo(DemoArgs),
    /// Competency standards: load a file, list, show.
    #[command(subcommand)]
    Standard(StandardCmd),
    /// Staff members and their roles.
    #[command(subcommand)]
    Staff(StaffCmd),
    /// Registration windows (convocatorias).
    #[command(subcommand)]
    Window(WindowCmd),
    /// Register candidates one by one or from a CSV file.
    #[command(subcommand)]
    Candidate(CandidateCmd),
    /// Record a diagnostic evaluation.
    #[command(subcommand)]
    Diagnostic(DiagnosticCmd),
    /// Plan an evaluation; record element judgements.
    #[command(subcommand)]
    Evaluation(EvaluationCmd),
    /// Record the juicio (verdict) from the element judgements.
    #[command(subcommand)]
    Verdict(VerdictCmd),
    /// Issue a dictamen batch (lote).
    #[command(subcommand)]
    Dictamen(DictamenCmd),
    /// Show or list enrollments.
    #[command(subcommand)]
    Enrollment(EnrollmentCmd),
    /// Withdraw an enrollment.
    Withdraw(WithdrawArgs),
    /// Certificates.
    #[command(subcommand)]
    Certificate(CertificateCmd),
    /// The issuer's signing keys.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// The outbox: rendering, e-mail and scheduled jobs run by avala-runner.
    #[command(subcommand)]
    Jobs(JobsCmd),
    /// Counts per stage or institution.
    Report(ReportArgs),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Synthetic cohorts for trials and benchmarks.
    #[command(subcommand)]
    Cohort(CohortCmd),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The certifying body's name (printed on certificates).
    #[arg(long)]
    pub issuer: Option<String>,
    /// Where dictámenes are issued (printed on certificates).
    #[arg(long)]
    pub place: Option<String>,
    /// Sender address of e-mails to candidates.
    #[arg(long)]
    pub mail_from: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The folder to create (must not hold a demo yet).
    #[arg(long, default_value = "avala-demo")]
    pub dir: std::path::PathBuf,
    /// Number of candidates (334 is the EC1057 fixture; more are generated).
    #[arg(long, default_value_t = 334)]
    pub candidates: usize,
}

#[derive(Debug, Subcommand)]
pub enum StandardCmd {
    /// Validate and load a standard file (TOML; see standards/README.md).
    Load { file: std::path::PathBuf },
    /// List loaded standard versions.
    List,
    /// Show the latest version of a standard.
    Show { code: String },
}

#[derive(Debug, Subcommand)]
pub enum StaffCmd {
    /// Add a staff member (the first one must be an admin).
    Add {
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// admin, evaluator or verifier (repeat for several).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// List staff.
    List,
}

#[derive(Debug, Subcommand)]
pub enum WindowCmd {
    /// Create a window (scheduled).
    Create {
        #[arg(long)]
        standard: String,
        /// Opening instant (2026-11-23 09:00 in --tz, or RFC 3339).
        #[arg(long)]
        opens: String,
        /// Closing instant.
        #[arg(long)]
        closes: String,
        /// Time zone of the window (IANA name).
        #[arg(long, default_value = "America/Mexico_City")]
        tz: String,
        /// Maximum number of enrollments.
        #[arg(long)]
        capacity: Option<i64>,
    },
    /// Open a window for registration.
    Open { id: i64 },
    /// Close a window.
    Close { id: i64 },
    /// Cancel a window.
    Cancel { id: i64 },
    /// List windows.
    List,
    /// Show a window.
    Show { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum CandidateCmd {
    /// Register one candidate in an open window.
    Register {
        #[arg(long)]
        window: i64,
        /// CURP (18 characters).
        #[arg(long, required_unless_present = "passport", conflicts_with = "passport")]
        curp: Option<String>,
        /// Passport number, for foreign candidates without CURP.
        #[arg(long)]
        passport: Option<String>,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        institution: String,
        #[arg(long)]
        position: Option<String>,
        /// The candidate consents to appear in the public registry.
        #[arg(long)]
        public_registry: bool,
    },
    /// Import a CSV (curp, name, email, institution, position, public_registry): all rows or none.
    Import {
        #[arg(long)]
        window: i64,
        file: std::path::PathBuf,
        /// Validate and report without writing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Give the candidate of an enrollment a personal link (a token, shown once; kept hashed).
    Link { enrollment: i64 },
}

#[derive(Debug, Subcommand)]
pub enum DiagnosticCmd {
    /// Record the diagnostic score (0–100).
    Record {
        enrollment: i64,
        #[arg(long, value_parser = clap::value_parser!(u8).range(0..=100))]
        score: u8,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvaluationCmd {
    /// Assign the evaluator and date; pins the standard version.
    Plan {
        enrollment: i64,
        #[arg(long)]
        evaluator: String,
        /// When the evaluation takes place (2026-11-30 10:00, or RFC 3339).
        #[arg(long)]
        at: String,
        /// Time zone of --at when it has no offset (default: the window's).
        #[arg(long)]
        tz: Option<String>,
    },
    /// Record the judgement of one element (as the assigned evaluator).
    Record {
        enrollment: i64,
        #[arg(long)]
        element: String,
        #[arg(
            long,
            conflicts_with = "not_yet_competent",
            required_unless_present = "not_yet_competent"
        )]
        competent: bool,
        #[arg(long)]
        not_yet_competent: bool,
        #[arg(long)]
        evidence: Option<String>,
        #[arg(long)]
        feedback: Option<String>,
    },
    /// Hand in the whole instrument: every element's judgement from a CSV (columns element,
    /// competent, evidence, feedback) and the verdict, at once (as the assigned evaluator).
    Submit {
        enrollment: i64,
        /// The instrument, one row per element.
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum VerdictCmd {
    /// Record the verdict: competent only if every element was judged competent.
    Record { enrollment: i64 },
}

#[derive(Debug, Subcommand)]
pub enum DictamenCmd {
    /// Issue one batch: the given enrollments, or all of the window waiting for a dictamen.
    Issue {
        #[arg(long)]
        window: i64,
        #[arg(long = "enrollment")]
        enrollments: Vec<i64>,
        #[arg(long, conflicts_with = "no_procede", required_unless_present = "no_procede")]
        procede: bool,
        #[arg(long)]
        no_procede: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EnrollmentCmd {
    /// Show one enrollment with the candidate's personal data (the read is audited).
    Show { id: i64 },
    /// List enrollments.
    List {
        #[arg(long)]
        window: Option<i64>,
        /// registered, diagnosed, evaluation_planned, under_evaluation, not_yet_competent,
        /// submitted_for_dictamen, dictamen_rejected, certificate_issued, delivered, withdrawn.
        #[arg(long)]
        state: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct WithdrawArgs {
    pub enrollment: i64,
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Subcommand)]
pub enum CertificateCmd {
    /// List certificates.
    List {
        #[arg(long)]
        window: Option<i64>,
    },
    /// Show one certificate.
    Show { folio: String },
    /// Check a certificate: a PDF file, a folio (or verification code), or the QR code's token.
    #[command(
        after_long_help = "Exit codes: 0 valid; 10 revoked; 11 superseded by a re-issue; 12 expired; \
13 tampered (the signature fails, or the file or its contents differ from what was issued); \
14 signed by a key that is not the issuer's; 4 not found; 1 the request itself was invalid.\n\n\
Without a database (or with --offline) the signature and validity period are checked against \
--public-key or the local issuer key, and the answer lists what could not be checked."
    )]
    Verify {
        /// A certificate PDF or Open Badges 3.0 JSON file, or a folio / verification code.
        #[arg(required_unless_present = "token", conflicts_with = "token")]
        target: Option<String>,
        /// The token read from the certificate's QR code (or the URL it holds).
        #[arg(long)]
        token: Option<String>,
        /// Do not consult the database: check only what the document itself proves.
        #[arg(long)]
        offline: bool,
        /// An issuer public key (64 hex digits, as `avala keys show` prints) for offline checks.
        #[arg(long = "public-key")]
        public_keys: Vec<String>,
    },
    /// Revoke a certificate (admin).
    Revoke {
        folio: String,
        /// Why (shown to whoever verifies it).
        #[arg(long)]
        reason: String,
    },
    /// Re-issue a certificate (reposición): a new folio supersedes the old one and is e-mailed
    /// to the holder, with the name or CURP corrected if given (admin).
    Reissue {
        folio: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        curp: Option<String>,
    },
    /// Export a certificate as an Open Badges 3.0 AchievementCredential (`--format ob3`), signed
    /// with the issuer key (Data Integrity, eddsa-jcs-2022). `verify` accepts the file.
    Export {
        folio: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Certificates in force whose validity ends within DAYS days.
    Expiring {
        #[arg(long, value_name = "DAYS")]
        within: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCmd {
    /// The outbox's jobs, newest first.
    List {
        /// queued, running, done or dead.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// One job with every attempt (when, which runner, what the mail server answered).
    Show { id: i64 },
    /// Put a dead job back in the queue with a fresh budget of attempts, or every dead job with
    /// --dead (admin).
    Retry {
        #[arg(required_unless_present = "dead", conflicts_with = "dead")]
        id: Option<i64>,
        /// Every dead job (after an outage is over).
        #[arg(long)]
        dead: bool,
        /// With --dead: only jobs of this kind (render_certificate, deliver_certificate, notify).
        #[arg(long, requires = "dead")]
        kind: Option<String>,
    },
    /// Cancel a queued job so it never runs (admin).
    Cancel { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// The issuer's current signing key and every public key that verifies its certificates.
    Show,
    /// Replace the signing key; old public keys keep verifying what they signed (admin).
    Rotate,
    /// Check that the signing key exists, is private (mode 0600) and is the one the database
    /// has pinned.
    Check,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long)]
    pub window: Option<i64>,
    /// Group by process stage or by institution, or list only the processes past a CONOCER
    /// deadline (verdict 8 days after the evaluation, dictamen 30 days after the verdict,
    /// delivery 5 business days after the dictamen). The stage report lists overdue ones too.
    #[arg(long, default_value = "stage", value_parser = ["stage", "institution", "overdue"])]
    pub by: String,
    /// Aggregates for publication: counts below 5 are suppressed.
    #[arg(long)]
    pub open_data: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Walk every stream of the audit log, recompute every link, and compare the log with every
    /// stored checkpoint and each checkpoint file given; replay each enrollment, certificate and
    /// window from its events and compare it with the tables; name everything that does not
    /// match.
    Verify {
        /// A checkpoint file kept outside the database (repeatable): each stream it covers must
        /// still exist with at least that length and the same hash there.
        #[arg(long = "checkpoint", value_name = "FILE")]
        checkpoints: Vec<std::path::PathBuf>,
    },
    /// Take a signed checkpoint of the audit log (every stream's length and head under one
    /// Merkle root, signed with the issuer key), store it and write it to a file to keep.
    Checkpoint {
        /// Write the checkpoint file here (JSON; docs/AUDIT.md describes it).
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: Option<std::path::PathBuf>,
        /// Do not take a new one: write stored checkpoint ID to the file again.
        #[arg(long, value_name = "ID", requires = "out")]
        id: Option<i64>,
    },
    /// List the stored checkpoints.
    Checkpoints,
    /// Print an inclusion proof of one event: the event, the hashes that link it to its
    /// stream's head and the Merkle path to a signed checkpoint's root, checkable with the
    /// issuer's public key and no database.
    Prove {
        /// The stream (enrollment:5, certificate:12, window:1…).
        stream: String,
        /// The event's sequence number in its stream.
        seq: i64,
        /// Prove it in this checkpoint file (default: the latest stored checkpoint).
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<std::path::PathBuf>,
        /// Write the proof here instead of printing it.
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    /// Check an inclusion proof: with --public-key, without any database.
    VerifyProof {
        /// The proof file.
        file: std::path::PathBuf,
        /// The issuer's public key (hex), as published; without it, the key set of the database.
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CohortCmd {
    /// Print a synthetic cohort CSV with valid CURPs.
    Generate {
        count: usize,
        #[arg(long, default_value_t = 1057)]
        seed: u64,
    },
}
