//! The rows the engine's reads return, each serialisable with stable field names (the CLI's
//! tables, JSON and CSV are derived from them), and the cursor long listings are read with.

use chrono::{DateTime, Utc};

/// A staff member.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StaffRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Roles, comma-separated.
    pub roles: String,
}

crate::from_row!(StaffRow { id, name, email, roles });

/// A loaded standard version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StandardRow {
    /// Row id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: String,
    /// Level.
    pub level: i64,
    /// Certificate validity in years.
    pub validity_years: i64,
    /// Diagnostic threshold.
    pub diagnostic_threshold: i64,
    /// Content hash.
    pub content_hash: String,
    /// When it was loaded.
    pub loaded_at: DateTime<Utc>,
}

crate::from_row!(StandardRow {
    id,
    code,
    version,
    title,
    level,
    validity_years,
    diagnostic_threshold,
    content_hash,
    loaded_at
});

/// A window with its enrollment count.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WindowRow {
    /// Id.
    pub id: i64,
    /// Standard code.
    pub standard_code: String,
    /// State.
    pub state: String,
    /// Opens (UTC).
    pub opens_at: DateTime<Utc>,
    /// Closes (UTC).
    pub closes_at: DateTime<Utc>,
    /// Time zone.
    pub tz: String,
    /// Capacity.
    pub capacity: Option<i64>,
    /// Enrollments not withdrawn.
    pub enrolled: i64,
}

crate::from_row!(WindowRow {
    id,
    standard_code,
    state,
    opens_at,
    closes_at,
    tz,
    capacity,
    enrolled
});

/// One line of an enrollment listing (no personal data beyond the name).
#[derive(Debug, Clone, serde::Serialize)]
pub struct EnrollmentRow {
    /// Id.
    pub id: i64,
    /// Window.
    pub window_id: i64,
    /// Candidate's name.
    pub name: String,
    /// Institution.
    pub institution: String,
    /// State.
    pub state: String,
    /// Assigned evaluator.
    pub evaluator_id: Option<String>,
    /// Diagnostic score.
    pub diagnostic_score: Option<i64>,
    /// Verdict.
    pub verdict: Option<String>,
}

crate::from_row!(EnrollmentRow {
    id,
    window_id,
    name,
    institution,
    state,
    evaluator_id,
    diagnostic_score,
    verdict
});

/// An element judgement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JudgementRow {
    /// Element code.
    pub element_code: String,
    /// Competent?
    pub competent: bool,
    /// Evidence.
    pub evidence: Option<String>,
    /// Feedback.
    pub feedback: Option<String>,
    /// Who judged.
    pub evaluator_id: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

crate::from_row!(JudgementRow {
    element_code,
    competent,
    evidence,
    feedback,
    evaluator_id,
    recorded_at
});

/// Everything about one enrollment, personal data included (reading it is audited).
#[derive(Debug, Clone, serde::Serialize)]
pub struct EnrollmentDetail {
    /// Id.
    pub id: i64,
    /// Window.
    pub window_id: i64,
    /// State.
    pub state: String,
    /// Version (optimistic lock).
    pub version: i64,
    /// The candidate's id.
    pub candidate_id: i64,
    /// Candidate's name.
    pub name: String,
    /// "curp" or "passport".
    pub identity_kind: String,
    /// CURP or passport number.
    pub identity: String,
    /// E-mail.
    pub email: String,
    /// Institution.
    pub institution: String,
    /// Position.
    pub position: Option<String>,
    /// Public-registry consent.
    pub public_registry: bool,
    /// Registered at.
    pub registered_at: DateTime<Utc>,
    /// Diagnostic score.
    pub diagnostic_score: Option<i64>,
    /// Evaluator.
    pub evaluator_id: Option<String>,
    /// Evaluation date.
    pub evaluation_at: Option<DateTime<Utc>>,
    /// Pinned standard version.
    pub standard_version: Option<String>,
    /// Verdict.
    pub verdict: Option<String>,
    /// Verdict at.
    pub verdict_at: Option<DateTime<Utc>>,
    /// Dictamen batch.
    pub dictamen_batch_id: Option<i64>,
    /// Dictamen at.
    pub dictamen_at: Option<DateTime<Utc>>,
    /// Withdrawal reason.
    pub withdrawn_reason: Option<String>,
    /// Certificate e-mailed at.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Element judgements.
    pub judgements: Vec<JudgementRow>,
    /// Certificate folios.
    pub folios: Vec<String>,
}

crate::from_row!(EnrollmentDetail { id, window_id, state, version, candidate_id, name, identity_kind, identity, email, institution, position, public_registry, registered_at, diagnostic_score, evaluator_id, evaluation_at, standard_version, verdict, verdict_at, dictamen_batch_id, dictamen_at, withdrawn_reason, delivered_at } skip { judgements, folios });

/// A certificate in a listing.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CertificateRow {
    /// Row id (the order of issue), for reading a listing in pages.
    #[serde(skip)]
    pub id: i64,
    /// Folio.
    pub folio: String,
    /// Holder.
    pub holder_name: String,
    /// State.
    pub state: String,
    /// Enrollment.
    pub enrollment_id: i64,
    /// Issued.
    pub issued_at: DateTime<Utc>,
    /// Expires.
    pub expires_at: DateTime<Utc>,
    /// Verification code.
    pub verification_code: String,
    /// Has the PDF been rendered?
    pub rendered: bool,
}

crate::from_row!(CertificateRow { folio, holder_name, state, enrollment_id, issued_at, expires_at, verification_code, rendered } default { id });

/// One line of a report: a group and its count.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportRow {
    /// The stage (state) or institution.
    pub group: String,
    /// Enrollments in it (None when suppressed in open data: fewer than 5).
    pub count: Option<i64>,
}

pub use crate::deadlines::OverdueRow;

/// The stage report's line for certificates whose e-mail the mail server refused for good.
pub const REFUSED_EMAIL: &str = "certificate_issued: e-mail refused";

/// How a report groups enrollments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportBy {
    /// By process stage.
    Stage,
    /// By institution.
    Institution,
}

/// Rows read at a time by a listing that may be long (see [`Cursor`]).
pub const PAGE: i64 = 1000;

/// A row of a listing read page by page, in order of its row id.
pub trait Keyed {
    /// The row id pages are ordered by.
    fn key(&self) -> i64;
}

impl Keyed for EnrollmentRow {
    fn key(&self) -> i64 {
        self.id
    }
}

impl Keyed for CertificateRow {
    fn key(&self) -> i64 {
        self.id
    }
}

/// Where a walk over a long listing stands, a page at a time so that memory does not grow
/// with it: `while let Some(rows) = cursor.next(engine.enrollments_page(w, s, cursor.after(),
/// PAGE).await?) { … }`.
#[derive(Debug, Default)]
pub struct Cursor {
    after: i64,
}

impl Cursor {
    /// The row id the next page starts after.
    pub fn after(&self) -> i64 {
        self.after
    }

    /// The page just read, or none at the end of the listing (an empty page); the next page
    /// starts after its last row.
    pub fn next<T: Keyed>(&mut self, page: Vec<T>) -> Option<Vec<T>> {
        self.after = page.last()?.key();
        Some(page)
    }
}
