//! Loading standard versions (rule 5: a version, once loaded, never changes).

use serde_json::json;

use super::Engine;
use crate::actor::Actor;
use crate::domain::{Action, Record, Role};
use crate::error::{Error, Result};
use crate::on;
use crate::standard::{self, Standard};
use crate::store::Tx;

/// What `load_standard` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadOutcome {
    /// Row id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Version.
    pub version: String,
    /// Content hash.
    pub content_hash: String,
    /// Number of elements.
    pub elements: usize,
    /// False when this exact content was already loaded.
    pub new: bool,
}

impl Engine {
    /// Validates and stores a standard version. Loading identical content again is a no-op;
    /// different content under a loaded version is refused.
    pub async fn load_standard(&self, actor: &Actor, file: &str, text: &str) -> Result<LoadOutcome> {
        let by = actor.staff(Role::Admin, Action::LoadStandards)?;
        let std = standard::parse(file, text)?;
        let hash = std.content_hash();
        let mut tx = self.db().write().await?;
        let existing: Option<(i64, String)> = on!(&mut tx, c => sqlx::query_as(
            "SELECT id, content_hash FROM standards WHERE code = $1 AND version = $2"
        ).bind(&std.code).bind(&std.version).fetch_optional(c).await?);
        let mut outcome = LoadOutcome {
            id: 0,
            code: std.code.clone(),
            version: std.version.clone(),
            content_hash: hash.clone(),
            elements: std.elements.len(),
            new: true,
        };
        if let Some((id, old)) = existing {
            if old != hash {
                return Err(Error::StandardVersionChanged {
                    standard: std.code.clone(),
                    version: std.version.clone(),
                    stored_hash: old,
                });
            }
            outcome.id = id;
            outcome.new = false;
            return Ok(outcome);
        }
        let body = serde_json::to_string(&std).map_err(|e| Error::database(e.to_string()))?;
        let now = self.now();
        outcome.id = on!(&mut tx, c => sqlx::query_scalar(
            "INSERT INTO standards (code, version, title, level, validity_years, diagnostic_threshold, content_hash, body, loaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        ).bind(&std.code).bind(&std.version).bind(std.title.as_str()).bind(std.level as i64).bind(std.validity_years as i64)
        .bind(std.diagnostic_threshold as i64).bind(&hash).bind(&body).bind(now).fetch_one(c).await?);
        crate::audit::append(
            &mut tx,
            &format!("standard:{}", std.code),
            by,
            now,
            "standard.loaded",
            json!({"version": std.version, "content_hash": hash, "file": file}),
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

/// The most recently loaded version of `code`: (id, standard).
pub(crate) async fn latest(tx: &mut Tx, code: &str) -> Result<(i64, Standard)> {
    let row: Option<(i64, String)> = on!(tx, c => sqlx::query_as(
        "SELECT id, body FROM standards WHERE code = $1 ORDER BY id DESC LIMIT 1"
    ).bind(code).fetch_optional(c).await?);
    let (id, body) = row.ok_or_else(|| Error::not_found(Record::Standard, code))?;
    Ok((id, stored_body(&body)?))
}

/// The latest version of the standard of an enrollment's window (the version a process is
/// pinned to when its evaluation is planned), in one statement.
pub(crate) async fn latest_of_enrollment(tx: &mut Tx, enrollment: i64) -> Result<(i64, Standard)> {
    let row: Option<(i64, String)> = on!(tx, c => sqlx::query_as(
        "SELECT s.id, s.body FROM enrollments e JOIN windows w ON w.id = e.window_id \
         JOIN standards s ON s.code = w.standard_code WHERE e.id = $1 ORDER BY s.id DESC LIMIT 1"
    ).bind(enrollment).fetch_optional(c).await?);
    let (id, body) = row.ok_or_else(|| Error::not_found(Record::StandardOfEnrollment, enrollment))?;
    Ok((id, stored_body(&body)?))
}

/// A stored standard version by id.
pub(crate) async fn by_id(tx: &mut Tx, id: i64) -> Result<Standard> {
    let body: String =
        on!(tx, c => sqlx::query_scalar("SELECT body FROM standards WHERE id = $1").bind(id).fetch_one(c).await?);
    stored_body(&body)
}

/// A standard as stored (its parsed form, JSON).
fn stored_body(body: &str) -> Result<Standard> {
    serde_json::from_str(body).map_err(|e| Error::database(format!("stored standard: {e}")))
}
