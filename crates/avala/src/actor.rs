//! Who is acting. Every read and every write of the engine names an [`Actor`], resolved once per
//! command or request: a staff member with their roles, a candidate through their personal
//! link, the job runner, or the public. The checks here are the only place that says who may do
//! what; the engine calls them before it touches anything.

use std::str::FromStr;

use crate::domain::{Action, Role, Roles};
use crate::error::{Error, Result};

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
