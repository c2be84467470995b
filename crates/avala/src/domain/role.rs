//! Staff roles, and the actions refusals name.

use std::fmt;

use serde::Serialize;

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Certifying body staff: standards, windows, imports, plans, withdrawals.
    Admin,
    /// Records diagnostics, judgements and verdicts for assigned enrollments.
    Evaluator,
    /// Issues dictámenes.
    Verifier,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Evaluator, Role::Verifier];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Evaluator => "evaluator",
            Role::Verifier => "verifier",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A staff member's roles, as stored (`admin,evaluator`: sorted, no repeats).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Roles(Vec<Role>);

impl Roles {
    /// The roles given, sorted and without repeats.
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Roles {
        let mut roles: Vec<Role> = roles.into_iter().collect();
        roles.sort();
        roles.dedup();
        Roles(roles)
    }

    /// Reads the stored form; names no role knows are ignored (they grant nothing).
    pub fn parse_stored(stored: &str) -> Roles {
        Roles::new(stored.split(',').filter_map(|r| r.parse().ok()))
    }

    /// The stored form.
    pub fn stored(&self) -> String {
        self.0.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
    }

    /// Has `role`?
    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    /// The roles, in order.
    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// No role at all?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Something an actor asks to do, as refusals name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Add staff members.
    AddStaff,
    /// List staff members.
    ListStaff,
    /// Load standards.
    LoadStandards,
    /// Read loaded standards.
    ReadStandards,
    /// Create windows.
    CreateWindows,
    /// Open, close or cancel windows.
    ChangeWindows,
    /// Read windows.
    ReadWindows,
    /// Register candidates.
    RegisterCandidates,
    /// Import candidates.
    ImportCandidates,
    /// Record diagnostics.
    RecordDiagnostics,
    /// Plan evaluations.
    PlanEvaluations,
    /// Be assigned evaluations.
    Evaluate,
    /// Record judgements.
    RecordJudgements,
    /// Record verdicts.
    RecordVerdicts,
    /// Issue dictámenes.
    IssueDictamen,
    /// Withdraw enrollments.
    WithdrawEnrollments,
    /// Read enrollments.
    ReadEnrollments,
    /// Read certificates.
    ReadCertificates,
    /// Verify a certificate by its folio (which alone must reveal no holder to the public).
    VerifyByFolio,
    /// Revoke certificates.
    RevokeCertificates,
    /// Re-issue certificates.
    ReissueCertificates,
    /// Export certificates.
    ExportCertificates,
    /// Rotate the issuer key.
    RotateKey,
    /// Read and manage the outbox's jobs.
    ManageJobs,
    /// Read reports.
    ReadReports,
    /// Check the audit log.
    VerifyAudit,
    /// Give a candidate their personal link.
    IssueCandidateLinks,
    /// Run the scheduled work and the jobs (the runner).
    RunJobs,
}
