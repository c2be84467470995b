//! Who is acting. Every read and every write of the engine names an [`Actor`], resolved once per
//! command or request: a staff member with their roles, a candidate through their personal
//! link, the job runner, or the public. The checks here are the only place that says who may do
//! what; the engine calls them before it touches anything.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::{Error, Result};

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

impl FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim().to_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(Error::UnknownRole { value: s })
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

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A staff member, with the roles they had when resolved.
    Staff {
        /// Their id (`--as`).
        id: String,
        /// Their roles.
        roles: Roles,
    },
    /// A candidate, through their personal link.
    Candidate {
        /// The candidate's id.
        candidate: i64,
    },
    /// The job runner, named as in its job leases.
    Runner(String),
    /// Anyone: may verify a certificate by its verification code or signed token, search the
    /// registry of holders who consented and read open data, and nothing else.
    Public,
}

impl Actor {
    /// The runner acting as `name`.
    pub fn runner(name: impl Into<String>) -> Actor {
        Actor::Runner(name.into())
    }

    /// How the audit log names this actor.
    pub fn audit_name(&self) -> String {
        match self {
            Actor::Staff { id, .. } => id.clone(),
            Actor::Candidate { candidate } => format!("candidate:{candidate}"),
            Actor::Runner(name) => name.clone(),
            Actor::Public => "public".into(),
        }
    }

    /// The staff member's id when they have `role`; otherwise the refusal for `action`.
    pub fn staff(&self, role: Role, action: Action) -> Result<&str> {
        self.staff_any(&[role], action)
    }

    /// The staff member's id when they have one of `roles`; otherwise the refusal for `action`.
    pub fn staff_any(&self, roles: &[Role], action: Action) -> Result<&str> {
        match self {
            Actor::Staff { id, roles: has } if roles.iter().any(|r| has.has(*r)) => Ok(id),
            Actor::Public => Err(Error::NoActor { action }),
            other => Err(Error::Forbidden {
                actor: other.audit_name(),
                roles: roles.to_vec(),
                action,
            }),
        }
    }

    /// Is this a staff member with `role`?
    pub fn has_role(&self, role: Role) -> bool {
        matches!(self, Actor::Staff { roles, .. } if roles.has(role))
    }

    /// Any staff member (each role has something to read); otherwise the refusal for `action`.
    pub fn any_staff(&self, action: Action) -> Result<&str> {
        self.staff_any(&Role::ALL, action)
    }

    /// The runner's name; anyone else is refused.
    pub fn the_runner(&self) -> Result<&str> {
        match self {
            Actor::Runner(name) => Ok(name),
            Actor::Public => Err(Error::NoActor {
                action: Action::RunJobs,
            }),
            other => Err(Error::Forbidden {
                actor: other.audit_name(),
                roles: Vec::new(),
                action: Action::RunJobs,
            }),
        }
    }
}
