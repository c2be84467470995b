//! What `avala certificate verify` answers: one outcome, what was checked and what could not be.

use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use super::signed::{Signed, TokenError};

/// The answer to "is this certificate good?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Signed by the issuer, unchanged, in force.
    Valid,
    /// Revoked by the issuer.
    Revoked {
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// Replaced by a re-issue (reposición).
    Superseded {
        /// The folio that replaces it.
        by: String,
    },
    /// Its validity ended.
    Expired {
        /// When.
        at: String,
    },
    /// The signature fails, or the file or payload differs from what was issued.
    Tampered {
        /// What does not match.
        why: String,
    },
    /// Signed by a key that is not in the issuer's key set.
    UnknownIssuerKey {
        /// The key id the certificate names.
        key_id: String,
    },
    /// No such certificate.
    NotFound {
        /// What was looked for.
        what: String,
    },
}

impl Outcome {
    /// The process exit code for this outcome (documented in `avala certificate verify --help`).
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Valid => 0,
            Outcome::Revoked { .. } => 10,
            Outcome::Superseded { .. } => 11,
            Outcome::Expired { .. } => 12,
            Outcome::Tampered { .. } => 13,
            Outcome::UnknownIssuerKey { .. } => 14,
            Outcome::NotFound { .. } => 4,
        }
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Outcome::Valid => "VALID: signed by the issuer, unchanged and in force".into(),
            Outcome::Revoked { reason, at } => {
                format!("REVOKED on {}: {reason}", at.format("%Y-%m-%d"))
            }
            Outcome::Superseded { by } => format!("SUPERSEDED by {by} (a re-issue); verify that one instead"),
            Outcome::Expired { at } => format!("EXPIRED: its validity ended on {at}"),
            Outcome::Tampered { why } => format!("TAMPERED: {why}"),
            Outcome::UnknownIssuerKey { key_id } => {
                format!("UNKNOWN ISSUER KEY: signed with key {key_id}, which is not one of the issuer's keys")
            }
            Outcome::NotFound { what } => format!("NOT FOUND: {what}"),
        }
    }
}

/// A verification: the outcome, what the certificate says, and which checks were made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The answer.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Folio, when known.
    pub folio: Option<String>,
    /// Holder, when the signature verified.
    pub holder: Option<String>,
    /// Standard code, version and title, when the signature verified.
    pub standard: Option<String>,
    /// Issued, when the signature verified.
    pub issued_at: Option<String>,
    /// Valid until, when the signature verified.
    pub expires_at: Option<String>,
    /// The checks made.
    pub checked: Vec<String>,
    /// The checks that could not be made, and why.
    pub not_checked: Vec<String>,
}

impl Verification {
    /// A verification that ended at `outcome` with nothing known yet.
    pub fn ended(outcome: Outcome) -> Self {
        Verification {
            outcome,
            folio: None,
            holder: None,
            standard: None,
            issued_at: None,
            expires_at: None,
            checked: Vec::new(),
            not_checked: Vec::new(),
        }
    }

    /// Records the certificate's particulars from a signed payload.
    pub(crate) fn describe_payload(&mut self, signed: &Signed) {
        let p = &signed.payload;
        self.folio = Some(p.folio.clone());
        self.holder = Some(p.holder.clone());
        self.standard = Some(format!(
            "{} v{} «{}»",
            p.standard.code, p.standard.version, p.standard.title
        ));
        self.issued_at = Some(p.issued_at.clone());
        self.expires_at = Some(p.expires_at.clone());
    }
}

/// What reading a token or file gives: the signed payload, or the outcome that ends the check.
pub(crate) fn read(from: Result<Signed, TokenError>) -> Result<Signed, Outcome> {
    match from {
        Ok(signed) => Ok(signed),
        Err(TokenError::Missing) => Err(Outcome::NotFound {
            what: "the file holds no avala certificate".into(),
        }),
        Err(e) => Err(Outcome::Tampered { why: e.to_string() }),
    }
}

/// Checks the signature against the key set. `keys` maps key ids to public keys.
pub(crate) fn check_signature(signed: &Signed, keys: &[(String, VerifyingKey)]) -> Result<(), Outcome> {
    let id = &signed.payload.key_id;
    let key = keys
        .iter()
        .find(|(k, _)| k == id)
        .map(|(_, key)| key)
        .ok_or_else(|| Outcome::UnknownIssuerKey { key_id: id.clone() })?;
    if !signed.verify_with(key) {
        return Err(Outcome::Tampered {
            why: "the signature does not match the certificate's contents".into(),
        });
    }
    Ok(())
}

/// Has the payload's validity ended at `now`?
pub(crate) fn check_expiry(signed: &Signed, now: DateTime<Utc>) -> Result<(), Outcome> {
    let expires = DateTime::parse_from_rfc3339(&signed.payload.expires_at).map_err(|_| Outcome::Tampered {
        why: "the expiry date is not a date".into(),
    })?;
    if now >= expires {
        return Err(Outcome::Expired {
            at: signed.payload.expires_at.clone(),
        });
    }
    Ok(())
}

/// Verifies without a database: the signature against `keys`, and the expiry; revocation,
/// supersession and the issued file's hash cannot be checked and are listed as such.
pub fn offline(from: Result<Signed, TokenError>, keys: &[(String, VerifyingKey)], now: DateTime<Utc>) -> Verification {
    let signed = match read(from) {
        Ok(s) => s,
        Err(outcome) => return Verification::ended(outcome),
    };
    let mut v = Verification::ended(Outcome::Valid);
    v.folio = Some(signed.payload.folio.clone());
    v.not_checked = vec![
        "revocation and re-issue (no database: run with --db to ask the issuer's records)".into(),
        "that the file is byte for byte the one issued (no database)".into(),
    ];
    if let Err(outcome) = check_signature(&signed, keys) {
        v.outcome = outcome;
        return v;
    }
    v.checked
        .push(format!("signature by issuer key {}", signed.payload.key_id));
    v.describe_payload(&signed);
    if let Err(outcome) = check_expiry(&signed, now) {
        v.outcome = outcome;
        return v;
    }
    v.checked.push("validity period".into());
    v
}

/// Checks an OB3 credential's proof against `keys`; returns its folio.
pub(crate) fn check_ob3(bytes: &[u8], keys: &[(String, VerifyingKey)]) -> Result<(String, serde_json::Value), Outcome> {
    use super::ob3;
    let doc: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| Outcome::Tampered {
        why: format!("not a JSON credential: {e}"),
    })?;
    let key = ob3::verify(&doc).map_err(|e| Outcome::Tampered { why: e.to_string() })?;
    let id = crate::config::key_id(&key);
    if !keys.iter().any(|(k, _)| *k == id) {
        return Err(Outcome::UnknownIssuerKey { key_id: id });
    }
    let folio = doc["id"]
        .as_str()
        .and_then(|i| i.strip_prefix("urn:avala:certificate:"))
        .ok_or_else(|| Outcome::NotFound {
            what: "the credential is not an avala certificate".into(),
        })?
        .to_string();
    Ok((folio, doc))
}

/// Describes an OB3 credential whose proof verified.
pub(crate) fn describe_ob3(v: &mut Verification, folio: &str, doc: &serde_json::Value, key_id: &str) {
    let achievement = &doc["credentialSubject"]["achievement"];
    v.folio = Some(folio.to_string());
    v.holder = doc["credentialSubject"]["name"].as_str().map(str::to_string);
    v.standard = Some(format!(
        "{} v{} «{}»",
        achievement["humanCode"].as_str().unwrap_or(""),
        achievement["version"].as_str().unwrap_or(""),
        achievement["name"].as_str().unwrap_or("")
    ));
    v.issued_at = doc["validFrom"].as_str().map(str::to_string);
    v.expires_at = doc["validUntil"].as_str().map(str::to_string);
    v.checked
        .push(format!("Data Integrity proof (eddsa-jcs-2022) by issuer key {key_id}"));
}

/// Verifies an Open Badges 3.0 credential without a database: the proof, the key and the
/// validity period.
pub fn offline_ob3(bytes: &[u8], keys: &[(String, VerifyingKey)], now: DateTime<Utc>) -> Verification {
    let (folio, doc) = match check_ob3(bytes, keys) {
        Ok(found) => found,
        Err(outcome) => return Verification::ended(outcome),
    };
    let key = super::ob3::verify(&doc)
        .map(|k| crate::config::key_id(&k))
        .unwrap_or_default();
    let mut v = Verification::ended(Outcome::Valid);
    describe_ob3(&mut v, &folio, &doc, &key);
    v.not_checked
        .push("revocation and re-issue (no database: run with --db to ask the issuer's records)".into());
    let until = doc["validUntil"].as_str().unwrap_or_default().to_string();
    match DateTime::parse_from_rfc3339(&until) {
        Ok(at) if now >= at => v.outcome = Outcome::Expired { at: until },
        Ok(_) => v.checked.push("validity period".into()),
        Err(_) => {
            v.outcome = Outcome::Tampered {
                why: "validUntil is not a date".into(),
            }
        }
    }
    v
}
