//! What verifying a certificate answers: one outcome, what the certificate says, each check
//! made and each that could not be, all as data (the message catalogue words them).

use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use super::ob3::ProofError;
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
        /// When (RFC 3339).
        at: String,
    },
    /// The signature fails, or the file or payload differs from what was issued.
    Tampered {
        /// What does not match.
        why: Tamper,
    },
    /// Signed by a key that is not in the issuer's key set.
    UnknownIssuerKey {
        /// The key id the certificate names.
        key_id: String,
    },
    /// No such certificate.
    NotFound {
        /// What is missing.
        what: Absent,
    },
}

/// What does not match in a tampered certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "tamper", rename_all = "snake_case")]
pub enum Tamper {
    /// The signed contents differ from the issuer's record.
    ContentsDiffer,
    /// The file is not byte for byte the one issued.
    FileDiffers {
        /// The file's SHA-256.
        hash: String,
        /// The issued file's SHA-256, when rendered.
        issued: Option<String>,
    },
    /// The signature does not match the contents.
    BadSignature,
    /// The token cannot be read.
    Token(TokenError),
    /// The Open Badges proof does not hold.
    Proof(ProofError),
    /// The credential is not JSON.
    NotJson {
        /// What the JSON reader said.
        detail: String,
    },
    /// The expiry date is not a date.
    BadExpiry,
}

/// What could not be found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "absent", rename_all = "snake_case")]
pub enum Absent {
    /// No certificate with this folio or code.
    NoSuchCertificate {
        /// What was looked for.
        key: String,
    },
    /// The issuer has no record of the certificate the document names.
    NotInRecords {
        /// The folio the document names.
        folio: String,
    },
    /// The file holds no avala certificate.
    NotACertificate,
    /// The credential is not an avala certificate.
    NotAvalaCredential,
}

/// A check that was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum Check {
    /// The signature holds, made by this issuer key.
    Signature {
        /// The key id.
        key_id: String,
    },
    /// The Open Badges Data Integrity proof holds, made by this issuer key.
    Ob3Proof {
        /// The key id.
        key_id: String,
    },
    /// The signed contents are the issuer's record.
    MatchesRecord,
    /// The file is byte for byte the one issued (SHA-256).
    SameFile,
    /// Revocation and re-issue were looked up in the issuer's records.
    Status,
    /// The validity period has not ended.
    ValidityPeriod,
}

/// A check that could not be made, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "unchecked", rename_all = "snake_case")]
pub enum Unchecked {
    /// The signature: the certificate is not rendered (signed) yet.
    NotRendered,
    /// Revocation and re-issue: no issuer records at hand.
    StatusOffline,
    /// The file's hash: no issuer records at hand.
    FileOffline,
    /// The signature: no issuer public key given.
    NoKey,
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

    fn tampered(why: Tamper) -> Outcome {
        Outcome::Tampered { why }
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
    pub standard: Option<StandardShown>,
    /// Issued, when the signature verified.
    pub issued_at: Option<String>,
    /// Valid until, when the signature verified.
    pub expires_at: Option<String>,
    /// The checks made.
    pub checked: Vec<Check>,
    /// The checks that could not be made, and why.
    pub not_checked: Vec<Unchecked>,
}

/// The standard a certificate names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandardShown {
    /// Code.
    pub code: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: String,
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
        self.standard = Some(StandardShown {
            code: p.standard.code.clone(),
            version: p.standard.version.clone(),
            title: p.standard.title.clone(),
        });
        self.issued_at = Some(p.issued_at.clone());
        self.expires_at = Some(p.expires_at.clone());
    }
}

/// What reading a token or file gives: the signed payload, or the outcome that ends the check.
pub(crate) fn read(from: Result<Signed, TokenError>) -> Result<Signed, Outcome> {
    match from {
        Ok(signed) => Ok(signed),
        Err(TokenError::Missing) => Err(Outcome::NotFound {
            what: Absent::NotACertificate,
        }),
        Err(e) => Err(Outcome::tampered(Tamper::Token(e))),
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
        return Err(Outcome::tampered(Tamper::BadSignature));
    }
    Ok(())
}

/// Has the payload's validity ended at `now`?
pub(crate) fn check_expiry(signed: &Signed, now: DateTime<Utc>) -> Result<(), Outcome> {
    let expires =
        DateTime::parse_from_rfc3339(&signed.payload.expires_at).map_err(|_| Outcome::tampered(Tamper::BadExpiry))?;
    if now >= expires {
        return Err(Outcome::Expired {
            at: signed.payload.expires_at.clone(),
        });
    }
    Ok(())
}

/// Verifies without the issuer's records: the signature against `keys`, and the expiry;
/// revocation, supersession and the issued file's hash cannot be checked and are listed as such.
pub fn offline(from: Result<Signed, TokenError>, keys: &[(String, VerifyingKey)], now: DateTime<Utc>) -> Verification {
    let signed = match read(from) {
        Ok(s) => s,
        Err(outcome) => return Verification::ended(outcome),
    };
    let mut v = Verification::ended(Outcome::Valid);
    v.folio = Some(signed.payload.folio.clone());
    v.not_checked = vec![Unchecked::StatusOffline, Unchecked::FileOffline];
    if keys.is_empty() {
        v.not_checked.push(Unchecked::NoKey);
    }
    if let Err(outcome) = check_signature(&signed, keys) {
        v.outcome = outcome;
        return v;
    }
    v.checked.push(Check::Signature {
        key_id: signed.payload.key_id.clone(),
    });
    v.describe_payload(&signed);
    if let Err(outcome) = check_expiry(&signed, now) {
        v.outcome = outcome;
        return v;
    }
    v.checked.push(Check::ValidityPeriod);
    v
}

/// Checks an OB3 credential's proof against `keys`; returns its folio, the document and the
/// id of the issuer key its proof (ours, in a proof set) was made with.
pub(crate) fn check_ob3(
    bytes: &[u8],
    keys: &[(String, VerifyingKey)],
) -> Result<(String, serde_json::Value, String), Outcome> {
    use super::ob3;
    let doc: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| Outcome::tampered(Tamper::NotJson { detail: e.to_string() }))?;
    let verified: Vec<String> = ob3::verify_all(&doc)
        .map_err(|e| Outcome::tampered(Tamper::Proof(e)))?
        .iter()
        .map(super::key_id)
        .collect();
    let Some(id) = verified.iter().find(|id| keys.iter().any(|(k, _)| k == *id)) else {
        return Err(Outcome::UnknownIssuerKey {
            key_id: verified[0].clone(),
        });
    };
    let id = id.clone();
    let folio = doc["id"]
        .as_str()
        .and_then(|i| i.strip_prefix("urn:avala:certificate:"))
        .ok_or(Outcome::NotFound {
            what: Absent::NotAvalaCredential,
        })?
        .to_string();
    Ok((folio, doc, id))
}

/// Describes an OB3 credential whose proof verified.
pub(crate) fn describe_ob3(v: &mut Verification, folio: &str, doc: &serde_json::Value, key_id: &str) {
    let achievement = &doc["credentialSubject"]["achievement"];
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    v.folio = Some(folio.to_string());
    v.holder = doc["credentialSubject"]["name"].as_str().map(str::to_string);
    v.standard = Some(StandardShown {
        code: text(&achievement["humanCode"]),
        version: text(&achievement["version"]),
        title: text(&achievement["name"]),
    });
    v.issued_at = doc["validFrom"].as_str().map(str::to_string);
    v.expires_at = doc["validUntil"].as_str().map(str::to_string);
    v.checked.push(Check::Ob3Proof {
        key_id: key_id.to_string(),
    });
}

/// Verifies an Open Badges 3.0 credential without the issuer's records: the proof, the key
/// and the validity period.
pub fn offline_ob3(bytes: &[u8], keys: &[(String, VerifyingKey)], now: DateTime<Utc>) -> Verification {
    let (folio, doc, key) = match check_ob3(bytes, keys) {
        Ok(found) => found,
        Err(outcome) => return Verification::ended(outcome),
    };
    let mut v = Verification::ended(Outcome::Valid);
    describe_ob3(&mut v, &folio, &doc, &key);
    v.not_checked.push(Unchecked::StatusOffline);
    let until = doc["validUntil"].as_str().unwrap_or_default().to_string();
    match DateTime::parse_from_rfc3339(&until) {
        Ok(at) if now >= at => v.outcome = Outcome::Expired { at: until },
        Ok(_) => v.checked.push(Check::ValidityPeriod),
        Err(_) => v.outcome = Outcome::tampered(Tamper::BadExpiry),
    }
    v
}
