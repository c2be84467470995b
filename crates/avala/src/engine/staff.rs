//! Staff members and their roles, and resolving who acts.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::Engine;
use crate::actor::Actor;
use crate::domain::{Action, Record, Role, Roles};
use crate::error::{Error, Result};
use crate::on;

/// A staff member to add.
#[derive(Debug, Clone)]
pub struct NewStaff {
    /// Short id used with --as (e.g. "eva.lopez").
    pub id: String,
    /// Full name.
    pub name: crate::domain::text::PersonName,
    /// E-mail.
    pub email: String,
    /// Roles (at least one).
    pub roles: Vec<Role>,
}

impl NewStaff {
    /// A staff member from what a person typed: the name checked as a text value.
    pub fn from_input(id: &str, name: &str, email: &str, roles: Vec<Role>) -> Result<NewStaff> {
        Ok(NewStaff {
            id: id.to_string(),
            name: super::line_of(crate::domain::Field::Name, name)?,
            email: email.to_string(),
            roles,
        })
    }
}

/// A personal link's token as the database keeps it: its SHA-256, never the token itself.
fn link_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

impl Engine {
    /// Who is acting: the staff member `staff` names (with their roles now), or the public.
    pub async fn actor(&self, staff: Option<&str>) -> Result<Actor> {
        let Some(id) = staff.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(Actor::Public);
        };
        let mut tx = self.db().single().await?;
        let roles: Option<String> = on!(&mut tx, c => sqlx::query_scalar("SELECT roles FROM staff WHERE id = $1").bind(id).fetch_optional(c).await?);
        tx.commit().await?;
        let roles = roles.ok_or_else(|| Error::UnknownActor { id: id.to_string() })?;
        Ok(Actor::Staff {
            id: id.to_string(),
            roles: Roles::parse_stored(&roles),
        })
    }

    /// The candidate a personal link belongs to; an unknown token is refused.
    pub async fn candidate_actor(&self, token: &str) -> Result<Actor> {
        let mut tx = self.db().single().await?;
        let candidate: Option<i64> = on!(&mut tx, c => sqlx::query_scalar(
            "SELECT candidate_id FROM candidate_links WHERE token_sha256 = $1"
        ).bind(link_hash(token)).fetch_optional(c).await?);
        tx.commit().await?;
        candidate
            .map(|candidate| Actor::Candidate { candidate })
            .ok_or(Error::UnknownLink)
    }

    /// Gives the candidate of `enrollment` a new personal link (a random 128-bit token, kept
    /// only as its hash); returns the token, which cannot be read back later.
    pub async fn issue_candidate_link(&self, actor: &Actor, enrollment: i64) -> Result<String> {
        let by = actor.staff(Role::Admin, Action::IssueCandidateLinks)?;
        let mut bytes = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
        let token = crate::certificate::verification_code_of(u128::from_be_bytes(bytes)).replace('-', "");
        let now = self.now();
        let mut tx = self.db().write().await?;
        let candidate: Option<i64> = on!(&mut tx, c => sqlx::query_scalar(
            "SELECT candidate_id FROM enrollments WHERE id = $1").bind(enrollment).fetch_optional(c).await?);
        let candidate = candidate.ok_or_else(|| Error::not_found(Record::Enrollment, enrollment))?;
        on!(&mut tx, c => sqlx::query(
            "INSERT INTO candidate_links (token_sha256, candidate_id, created_at, created_by) VALUES ($1, $2, $3, $4)"
        ).bind(link_hash(&token)).bind(candidate).bind(now).bind(by).execute(c).await?.rows_affected());
        crate::audit::append(
            &mut tx,
            &super::enrollment_stream(enrollment),
            by,
            now,
            "candidate.link_issued",
            json!({"candidate": candidate}),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Adds a staff member. The very first one must be an admin and is added by the public
    /// (bootstrap); after that only an admin may add staff.
    pub async fn add_staff(&self, actor: &Actor, new: NewStaff) -> Result<()> {
        let id = new.id.trim();
        if id.is_empty() || !id.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_')) {
            return Err(Error::BadStaffId { id: id.to_string() });
        }
        if new.name.is_empty() {
            return Err(Error::Missing {
                field: crate::domain::Field::Name,
            });
        }
        let email = crate::identity::email(&new.email)?;
        let roles = Roles::new(new.roles.iter().copied());
        if roles.is_empty() {
            return Err(Error::NoRole);
        }
        let mut tx = self.db().write().await?;
        let count: i64 = on!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM staff").fetch_one(c).await?);
        let by = if count == 0 {
            if !roles.has(Role::Admin) {
                return Err(Error::FirstStaffNotAdmin);
            }
            id.to_string()
        } else {
            actor.staff(Role::Admin, Action::AddStaff)?.to_string()
        };
        let exists: Option<String> = on!(&mut tx, c => sqlx::query_scalar("SELECT id FROM staff WHERE id = $1").bind(id).fetch_optional(c).await?);
        if exists.is_some() {
            return Err(Error::StaffExists { id: id.to_string() });
        }
        let roles = roles.stored();
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
