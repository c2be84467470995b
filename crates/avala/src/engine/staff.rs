//! Staff members and their roles; every command names its actor.

use std::fmt;
use std::str::FromStr;

use serde_json::json;

use super::Engine;
use crate::error::{Error, Result};
use crate::on;
use crate::store::Tx;

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
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
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Evaluator => "evaluator",
            Role::Verifier => "verifier",
        }
    }
    fn article(self) -> &'static str {
        match self {
            Role::Admin => "an admin",
            Role::Evaluator => "an evaluator",
            Role::Verifier => "a verifier",
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
        match s.trim().to_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "evaluator" => Ok(Role::Evaluator),
            "verifier" => Ok(Role::Verifier),
            other => Err(Error::Invalid(format!(
                "unknown role {other:?}; roles are admin, evaluator, verifier"
            ))),
        }
    }
}

/// A staff member to add.
#[derive(Debug, Clone)]
pub struct NewStaff {
    /// Short id used with --as (e.g. "eva.lopez").
    pub id: String,
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Roles (at least one).
    pub roles: Vec<Role>,
}

/// Checks that `actor` exists and has `role`; returns the actor's id.
pub(crate) async fn require(tx: &mut Tx, actor: Option<&str>, role: Role, action: &'static str) -> Result<String> {
    let actor = actor.ok_or(Error::NoActor)?;
    let roles: Option<String> =
        on!(tx, c => sqlx::query_scalar("SELECT roles FROM staff WHERE id = $1").bind(actor).fetch_optional(c).await?);
    let roles = roles.ok_or_else(|| Error::UnknownActor(actor.to_string()))?;
    if !roles.split(',').any(|r| r == role.as_str()) {
        return Err(Error::Forbidden {
            actor: actor.to_string(),
            role: role.article(),
            action,
        });
    }
    Ok(actor.to_string())
}

/// Checks that `actor` exists and has one of `roles`; returns the actor's id.
pub(crate) async fn require_any(
    tx: &mut Tx,
    actor: Option<&str>,
    roles: &[Role],
    action: &'static str,
) -> Result<String> {
    let mut last = None;
    for role in roles {
        match require(tx, actor, *role, action).await {
            Ok(id) => return Ok(id),
            Err(e @ Error::Forbidden { .. }) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or(Error::NoActor))
}

impl Engine {
    /// Adds a staff member. The very first one must be an admin and needs no actor (bootstrap);
    /// after that only an admin may add staff.
    pub async fn add_staff(&self, actor: Option<&str>, new: NewStaff) -> Result<()> {
        let id = new.id.trim();
        if id.is_empty() || !id.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_')) {
            return Err(Error::Invalid(format!(
                "staff id {id:?} must be letters, digits, '.', '-' or '_'"
            )));
        }
        if new.name.trim().is_empty() {
            return Err(Error::Invalid("staff name must not be empty".into()));
        }
        let email = crate::identity::email(&new.email)?;
        if new.roles.is_empty() {
            return Err(Error::Invalid(
                "give at least one --role (admin, evaluator, verifier)".into(),
            ));
        }
        let mut tx = self.db().write().await?;
        let count: i64 = on!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM staff").fetch_one(c).await?);
        let by = if count == 0 {
            if !new.roles.contains(&Role::Admin) {
                return Err(Error::Invalid(
                    "the first staff member must be an admin (--role admin)".into(),
                ));
            }
            actor.unwrap_or(id).to_string()
        } else {
            require(&mut tx, actor, Role::Admin, "add staff").await?
        };
        let exists: Option<String> = on!(&mut tx, c => sqlx::query_scalar("SELECT id FROM staff WHERE id = $1").bind(id).fetch_optional(c).await?);
        if exists.is_some() {
            return Err(Error::Invalid(format!("staff member {id} already exists")));
        }
        let mut roles: Vec<&str> = new.roles.iter().map(|r| r.as_str()).collect();
        roles.sort();
        roles.dedup();
        let roles = roles.join(",");
        let now = self.now();
        on!(&mut tx, c => sqlx::query("INSERT INTO staff (id, name, email, roles, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id).bind(new.name.trim()).bind(&email).bind(&roles).bind(now).execute(c).await?.rows_affected());
        crate::audit::append(
            &mut tx,
            &format!("staff:{id}"),
            &by,
            now,
            "staff.added",
            json!({"name": new.name.trim(), "roles": roles}),
        )
        .await?;
        tx.commit().await
    }
}
