//! The issuer's key set: every public key that ever signed, so certificates signed before a
//! rotation keep verifying. Private keys never enter the database.

use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde_json::json;

use super::Engine;
use crate::actor::Actor;
use crate::config::{Config, key_id};
use crate::domain::{Action, Record, Role};
use crate::error::{Error, Result};
use crate::on;
use crate::store::Tx;

/// One issuer key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyRow {
    /// Key id (first 16 hex digits of the public key's SHA-256).
    pub key_id: String,
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// When it was first used or created.
    pub created_at: DateTime<Utc>,
    /// When it was replaced by a newer key (it still verifies what it signed).
    pub retired_at: Option<DateTime<Utc>>,
}

crate::from_row!(KeyRow {
    key_id,
    public_key,
    created_at,
    retired_at
});

/// The issuer's signing key, as [`Engine::signing_key`] gives it: found private and pinned as
/// the active key. Only the engine makes one, so whatever signs with it signs with the key the
/// database trusts.
pub struct PinnedKey {
    key: SigningKey,
    id: String,
}

impl PinnedKey {
    /// The private key, to sign with.
    pub fn signing(&self) -> &SigningKey {
        &self.key
    }

    /// Its public half.
    pub fn verifying(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// Its key id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// What a key of the key set does now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// The key file holds it: it signs new certificates.
    Signing,
    /// Replaced by a newer key; it still verifies what it signed.
    Retired,
    /// In the key set, verifying, but not the key file's.
    Verifies,
}

impl KeyRow {
    /// Its status, given the key id of the key file's key (`None` without a key file at hand).
    pub fn status(&self, signing: Option<&str>) -> KeyStatus {
        if signing == Some(self.key_id.as_str()) {
            KeyStatus::Signing
        } else if self.retired_at.is_some() {
            KeyStatus::Retired
        } else {
            KeyStatus::Verifies
        }
    }
}

/// Records `key` in the key set unless it is there.
pub(crate) async fn register(tx: &mut Tx, key: &VerifyingKey, now: DateTime<Utc>) -> Result<()> {
    on!(tx, c => sqlx::query(
        "INSERT INTO issuer_keys (key_id, public_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING"
    ).bind(key_id(key)).bind(hex::encode(key.as_bytes())).bind(now).execute(c).await?.rows_affected());
    Ok(())
}

/// The ids of the active keys (not retired), newest first.
async fn active_keys(tx: &mut Tx) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = on!(tx, c => sqlx::query_as(
        "SELECT key_id FROM issuer_keys WHERE retired_at IS NULL ORDER BY created_at DESC, key_id"
    ).fetch_all(c).await?);
    Ok(rows.into_iter().map(|(k,)| k).collect())
}

/// Parses a hex public key.
pub fn parse_public_key(hex_text: &str) -> Result<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::NotAPublicKey {
            value: hex_text.to_string(),
        })?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| Error::NotAPublicKey {
        value: hex_text.to_string(),
    })
}

impl Engine {
    /// Pins the configuration's signing key as the issuer's active key (`avala init`): recorded
    /// in the key set, with an audit event. Again with the same key it does nothing; a
    /// different key while another is active is refused ([`Error::KeyNotPinned`]): a key is
    /// changed only by rotating it.
    pub async fn register_issuer_key(&self, config: &Config) -> Result<KeyRow> {
        let key = config.signing_key()?.verifying_key();
        self.pin(&key, config, "init").await?;
        let id = key_id(&key);
        self.issuer_keys()
            .await?
            .into_iter()
            .find(|k| k.key_id == id)
            .ok_or_else(|| Error::not_found(Record::IssuerKey, id))
    }

    /// The issuer's signing key, once it is found trustworthy: its file is private and holds a
    /// key, and that key is the active key pinned in the database. Everything that signs gets
    /// its key here. A database with no key at all (one made before keys were pinned, or
    /// without `avala init`) pins the key now, with an audit event, as `init` would have.
    pub async fn signing_key(&self, actor: &Actor, config: &Config) -> Result<PinnedKey> {
        let key = config.signing_key()?;
        self.pin(&key.verifying_key(), config, &actor.audit_name()).await?;
        Ok(PinnedKey {
            id: key_id(&key.verifying_key()),
            key,
        })
    }

    /// Checks that `key` is the active pinned key; pins it when the key set is empty.
    async fn pin(&self, key: &VerifyingKey, config: &Config, by: &str) -> Result<()> {
        let id = key_id(key);
        let mut tx = self.db().single().await?;
        let pinned = active_keys(&mut tx).await?;
        tx.commit().await?;
        if pinned.contains(&id) {
            return Ok(());
        }
        let mut tx = self.db().write().await?;
        let pinned = active_keys(&mut tx).await?;
        let known: i64 = on!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM issuer_keys").fetch_one(c).await?);
        if pinned.contains(&id) {
            return tx.commit().await;
        }
        if known > 0 {
            return Err(Error::KeyNotPinned {
                path: config.key_path(),
                found: id,
                expected: pinned.into_iter().next(),
            });
        }
        let now = self.now();
        register(&mut tx, key, now).await?;
        crate::audit::append(
            &mut tx,
            "issuer",
            by,
            now,
            "issuer.key_pinned",
            json!({"key_id": id, "public_key": hex::encode(key.as_bytes())}),
        )
        .await?;
        tx.commit().await
    }

    /// Every issuer key, oldest first: the public keys are public (verification needs them),
    /// so any actor may read them.
    pub async fn issuer_keys(&self) -> Result<Vec<KeyRow>> {
        let mut tx = self.db().read().await?;
        let rows = on!(&mut tx, c => sqlx::query_as::<_, KeyRow>(
            "SELECT key_id, public_key, created_at, retired_at FROM issuer_keys ORDER BY created_at, key_id"
        ).fetch_all(c).await?);
        tx.commit().await?;
        Ok(rows)
    }

    /// Replaces the signing key: a new key signs from now on, pinned as the active key; the
    /// keys active until now stay in the key set, retired, so everything they signed keeps
    /// verifying. The key file is overwritten (mode 0600) and whatever it held is never added
    /// to the key set: a key put there behind avala's back does not become one that verifies.
    pub async fn rotate_issuer_key(&self, actor: &Actor, config: &Config) -> Result<KeyRow> {
        let by = actor.staff(Role::Admin, Action::RotateKey)?;
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut secret);
        let new = SigningKey::from_bytes(&secret);
        let now = self.now();
        let mut tx = self.db().write().await?;
        let retired = active_keys(&mut tx).await?;
        on!(&mut tx, c => sqlx::query("UPDATE issuer_keys SET retired_at = $1 WHERE retired_at IS NULL")
            .bind(now).execute(c).await?.rows_affected());
        register(&mut tx, &new.verifying_key(), now).await?;
        crate::audit::append(
            &mut tx,
            "issuer",
            by,
            now,
            "issuer.key_rotated",
            json!({"retired": retired.join(", "), "current": key_id(&new.verifying_key())}),
        )
        .await?;
        // The new key file is written before the commit: if writing fails nothing changed; if the
        // commit fails, the new key signs and registers itself on first use.
        crate::config::write_atomic(&config.key_path(), hex::encode(new.to_bytes()).as_bytes(), true)?;
        tx.commit().await?;
        let id = key_id(&new.verifying_key());
        self.issuer_keys()
            .await?
            .into_iter()
            .find(|k| k.key_id == id)
            .ok_or_else(|| Error::not_found(Record::IssuerKey, id))
    }
}
