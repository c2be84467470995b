//! The certificate lifecycle after issue: verification against the issuer's records,
//! revocation, re-issue (reposición) and expiry.

use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Engine, certificate_stream, stored_state};
use crate::actor::Actor;
use crate::certificate::signed::{Signed, extract_from_pdf};
use crate::certificate::verify::{self, Absent, Check, Outcome, Tamper, Unchecked, Verification};
use crate::domain::{Action, Record, Role};
use crate::error::{Error, Result};
use crate::identity::{Curp, Identity};
use crate::machine::{CertificateEvent, CertificateState, Lifecycle};
use crate::on;
use crate::store::Tx;

/// What to verify.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// The bytes of a file: a certificate PDF, or an Open Badges 3.0 credential (JSON), told
    /// apart by their content.
    File(&'a [u8]),
    /// The bytes of a certificate PDF.
    Pdf(&'a [u8]),
    /// A folio: staff only, since folios are sequential and a folio alone must reveal no holder.
    Folio(&'a str),
    /// A verification code (anyone).
    Code(&'a str),
    /// The token from the QR code (or a URL ending in one).
    Token(&'a str),
    /// An Open Badges 3.0 credential exported by `avala certificate export --format ob3`.
    Ob3(&'a [u8]),
}

impl<'a> Subject<'a> {
    /// Refuses a subject that is not what it claims before anything is looked up: text given as
    /// a token without the token's prefix is a typing slip, not a tampered certificate.
    pub fn check(&self) -> Result<()> {
        match self {
            Subject::Token(text) if !text.contains(crate::certificate::signed::TOKEN_PREFIX) => Err(Error::NotAToken {
                text: text.trim().chars().take(40).collect(),
            }),
            _ => Ok(()),
        }
    }

    /// Typed text as what it is: a verification code when it can be one, else a folio.
    pub fn of_key(text: &'a str) -> Subject<'a> {
        if crate::certificate::normalize_verification_code(text).is_some() {
            Subject::Code(text)
        } else {
            Subject::Folio(text)
        }
    }

    /// A file as what it holds: an Open Badges credential is JSON, anything else is read as a PDF.
    pub fn of_file(bytes: &'a [u8]) -> Subject<'a> {
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Subject::Ob3(bytes),
            _ => Subject::Pdf(bytes),
        }
    }
}

pub(super) struct Stored {
    pub(super) id: i64,
    pub(super) folio: String,
    state: String,
    version: i64,
    pub(super) expires_at: DateTime<Utc>,
    revoked_reason: Option<String>,
    revoked_at: Option<DateTime<Utc>>,
    superseded_by: Option<String>,
    pdf_sha256: Option<String>,
    signed_payload: Option<String>,
    signature: Option<String>,
    enrollment_id: i64,
}

crate::from_row!(Stored {
    id,
    folio,
    state,
    version,
    expires_at,
    revoked_reason,
    revoked_at,
    superseded_by,
    pdf_sha256,
    signed_payload,
    signature,
    enrollment_id
});

pub(super) const STORED: &str = "SELECT c.id, c.folio, c.state, c.version, c.expires_at, c.revoked_reason, c.revoked_at, \
     n.folio AS superseded_by, c.pdf_sha256, c.signed_payload, c.signature, c.enrollment_id \
     FROM certificates c LEFT JOIN certificates n ON n.id = c.superseded_by_id";

async fn stored_by_folio(tx: &mut Tx, folio: &str) -> Result<Option<Stored>> {
    let sql = format!("{STORED} WHERE c.folio = $1");
    Ok(
        on!(tx, c => sqlx::query_as::<_, Stored>(sqlx::AssertSqlSafe(sql)).bind(folio.trim().to_uppercase()).fetch_optional(c).await?),
    )
}

/// The certificate a verification code names; none when the text cannot be a code.
async fn stored_by_code(tx: &mut Tx, code: &str) -> Result<Option<Stored>> {
    let Some(code) = crate::certificate::normalize_verification_code(code) else {
        return Ok(None);
    };
    let sql = format!("{STORED} WHERE c.verification_code = $1");
    Ok(on!(tx, c => sqlx::query_as::<_, Stored>(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(c).await?))
}

/// A certificate that moved on from the states where it can be revoked or re-issued.
pub(super) fn lifecycle_refusal(row: &Stored, event: CertificateEvent) -> Result<CertificateState> {
    let state = CertificateState::parse(&row.state).map_err(stored_state)?;
    Ok(state.apply(event)?)
}

impl Engine {
    /// The issuer's key set as (key id, key).
    async fn key_set(&self) -> Result<Vec<(String, VerifyingKey)>> {
        let keys = self.issuer_keys().await?;
        keys.into_iter()
            .map(|k| Ok((k.key_id, super::keys::parse_public_key(&k.public_key)?)))
            .collect()
    }

    /// Verifies a certificate against the issuer's records: signature and key, the file's hash,
    /// revocation, re-issue and expiry. Anyone may verify a file, a token or a verification
    /// code; a folio alone is staff's (folios are sequential, and the public must not be able
    /// to list holders by counting).
    pub async fn verify_certificate(&self, actor: &Actor, subject: Subject<'_>) -> Result<Verification> {
        subject.check()?;
        let subject = match subject {
            Subject::File(bytes) => Subject::of_file(bytes),
            Subject::Folio(_) => {
                actor.any_staff(Action::VerifyByFolio)?;
                subject
            }
            other => other,
        };
        let keys = self.key_set().await?;
        let now = self.now();
        if let Subject::Ob3(bytes) = subject {
            let (folio, doc, key) = match verify::check_ob3(bytes, &keys) {
                Ok(found) => found,
                Err(outcome) => return Ok(Verification::ended(outcome)),
            };
            let mut tx = self.db().read().await?;
            let row = stored_by_folio(&mut tx, &folio).await?;
            tx.commit().await?;
            let mut v = Verification::ended(Outcome::Valid);
            verify::describe_ob3(&mut v, &folio, &doc, &key);
            return Ok(match row {
                Some(row) => status(v, &row, now)?,
                None => Verification {
                    outcome: Outcome::NotFound {
                        what: Absent::NotInRecords { folio },
                    },
                    ..v
                },
            });
        }
        let mut tx = self.db().read().await?;
        let (signed, row, file_hash) = match subject {
            Subject::Ob3(_) | Subject::File(_) => unreachable!("told apart above"),
            Subject::Folio(key) | Subject::Code(key) => {
                let row = match subject {
                    Subject::Folio(_) => stored_by_folio(&mut tx, key).await?,
                    _ => stored_by_code(&mut tx, key).await?,
                };
                let Some(row) = row else {
                    tx.commit().await?;
                    return Ok(Verification::ended(Outcome::NotFound {
                        what: Absent::NoSuchCertificate {
                            key: key.trim().to_string(),
                        },
                    }));
                };
                let signed = match (&row.signed_payload, &row.signature) {
                    (Some(p), Some(s)) => Some(Signed::from_stored(p, s)),
                    _ => None,
                };
                (signed, Some(row), None)
            }
            Subject::Pdf(bytes) => (
                Some(extract_from_pdf(bytes)),
                None,
                Some(hex::encode(Sha256::digest(bytes))),
            ),
            Subject::Token(token) => (Some(Signed::from_token(token)), None, None),
        };
        let mut v = Verification::ended(Outcome::Valid);
        let signed = match signed {
            None => None,
            Some(from) => match verify::read(from) {
                Ok(s) => Some(s),
                Err(outcome) => {
                    tx.commit().await?;
                    return Ok(Verification::ended(outcome));
                }
            },
        };
        if let Some(signed) = &signed {
            v.folio = Some(signed.payload.folio.clone());
            if let Err(outcome) = verify::check_signature(signed, &keys) {
                tx.commit().await?;
                v.outcome = outcome;
                return Ok(v);
            }
            v.checked.push(Check::Signature {
                key_id: signed.payload.key_id.clone(),
            });
            v.describe_payload(signed);
        } else {
            v.not_checked.push(Unchecked::NotRendered);
        }
        let row = match row {
            Some(row) => row,
            None => {
                let folio = signed.as_ref().map(|s| s.payload.folio.clone()).unwrap_or_default();
                match stored_by_folio(&mut tx, &folio).await? {
                    Some(row) => row,
                    None => {
                        tx.commit().await?;
                        v.outcome = Outcome::NotFound {
                            what: Absent::NotInRecords { folio },
                        };
                        return Ok(v);
                    }
                }
            }
        };
        tx.commit().await?;
        v.folio = Some(row.folio.clone());
        if let Some(signed) = &signed {
            if row.signed_payload.as_deref() != Some(signed.canonical.as_str()) {
                v.outcome = Outcome::Tampered {
                    why: Tamper::ContentsDiffer,
                };
                return Ok(v);
            }
            v.checked.push(Check::MatchesRecord);
        }
        if let Some(hash) = file_hash {
            if row.pdf_sha256.as_deref() != Some(hash.as_str()) {
                v.outcome = Outcome::Tampered {
                    why: Tamper::FileDiffers {
                        hash,
                        issued: row.pdf_sha256.clone(),
                    },
                };
                return Ok(v);
            }
            v.checked.push(Check::SameFile);
        }
        status(v, &row, now)
    }

    /// Revokes a certificate (an admin, with a reason). Verification answers "revoked" from now on.
    pub async fn revoke_certificate(&self, actor: &Actor, folio: &str, reason: &str) -> Result<()> {
        let by = actor.staff(Role::Admin, Action::RevokeCertificates)?;
        let reason: crate::domain::text::Reason = super::lines_of(crate::domain::Field::Reason, reason)?;
        let reason = reason.as_str();
        let now = self.now();
        let mut tx = self.db().write().await?;
        let row = stored_by_folio(&mut tx, folio)
            .await?
            .ok_or_else(|| Error::not_found(Record::Certificate, folio))?;
        let next = lifecycle_refusal(&row, CertificateEvent::Revoke)?;
        set_state(&mut tx, &row, next).await?;
        on!(&mut tx, c => sqlx::query("UPDATE certificates SET revoked_reason = $1, revoked_at = $2 WHERE id = $3")
            .bind(reason).bind(now).bind(row.id).execute(c).await?.rows_affected());
        crate::audit::append(
            &mut tx,
            &certificate_stream(&row.folio),
            by,
            now,
            "certificate.revoked",
            json!({"reason": reason}),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, Record::Certificate, &row.folio))
    }

    /// Re-issues a certificate (reposición): a new folio that supersedes the old one and points
    /// back to it, with the holder's name or CURP corrected if given, the same validity, and the
    /// new PDF e-mailed to the holder. Returns the new folio.
    pub async fn reissue_certificate(
        &self,
        actor: &Actor,
        folio: &str,
        name: Option<&str>,
        curp: Option<&str>,
    ) -> Result<String> {
        let by = actor.staff(Role::Admin, Action::ReissueCertificates)?;
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        let curp = curp.map(Curp::parse).transpose()?;
        let now = self.now();
        let mut tx = self.db().write().await?;
        let row = stored_by_folio(&mut tx, folio)
            .await?
            .ok_or_else(|| Error::not_found(Record::Certificate, folio))?;
        let next = lifecycle_refusal(&row, CertificateEvent::Supersede)?;
        let candidate: i64 = on!(&mut tx, c => sqlx::query_scalar(
            "SELECT candidate_id FROM enrollments WHERE id = $1").bind(row.enrollment_id).fetch_one(c).await?);
        if let Some(name) = name {
            on!(&mut tx, c => sqlx::query("UPDATE candidates SET name = $1 WHERE id = $2")
                .bind(name).bind(candidate).execute(c).await?.rows_affected());
        }
        if let Some(curp) = &curp {
            let identity = Identity::Curp(curp.clone());
            let updated = on!(&mut tx, c => sqlx::query("UPDATE candidates SET identity_kind = 'curp', identity = $1 WHERE id = $2")
                .bind(identity.value()).bind(candidate).execute(c).await.map(|r| r.rows_affected()));
            if let Err(e) = updated {
                if crate::store::is_unique_violation(&e) {
                    return Err(Error::CurpTaken {
                        curp: curp.as_str().to_string(),
                    });
                }
                return Err(e.into());
            }
        }
        let corrected: Vec<&str> = [(name.is_some(), "name"), (curp.is_some(), "curp")]
            .into_iter()
            .filter_map(|(given, field)| given.then_some(field))
            .collect();
        set_state(&mut tx, &row, next).await?;
        let new =
            super::dictamen::issue_certificate(&mut tx, by, row.enrollment_id, now, Some((row.id, row.expires_at)))
                .await?;
        on!(&mut tx, c => sqlx::query(
            "UPDATE certificates SET superseded_by_id = (SELECT id FROM certificates WHERE folio = $1) WHERE id = $2"
        ).bind(&new).bind(row.id).execute(c).await?.rows_affected());
        crate::audit::append(
            &mut tx,
            &certificate_stream(&row.folio),
            by,
            now,
            "certificate.superseded",
            // Which fields were corrected, not their values: personal data stays out of the log (it
            // must be erasable at the end of its retention without breaking the chain).
            json!({"by": new, "corrected": corrected}),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, Record::Certificate, &row.folio))?;
        Ok(new)
    }

    /// The certificate as an Open Badges 3.0 `AchievementCredential`, signed now with the
    /// issuer's current key (`eddsa-jcs-2022`).
    pub async fn export_ob3(
        &self,
        actor: &Actor,
        folio: &str,
        config: &crate::config::Config,
    ) -> Result<serde_json::Value> {
        actor.staff(Role::Admin, Action::ExportCertificates)?;
        let mut tx = self.db().read().await?;
        /// Folio, holder, e-mail, issued, expires, standard id.
        type ExportRow = (String, String, String, DateTime<Utc>, DateTime<Utc>, i64);
        let row: Option<ExportRow> = on!(&mut tx, c => sqlx::query_as(
            "SELECT c.folio, c.holder_name, ca.email, c.issued_at, c.expires_at, e.standard_id FROM certificates c \
             JOIN enrollments e ON e.id = c.enrollment_id JOIN candidates ca ON ca.id = e.candidate_id \
             WHERE c.folio = $1"
        ).bind(folio.trim().to_uppercase()).fetch_optional(c).await?);
        let (folio, holder, email, issued, expires, standard_id) =
            row.ok_or_else(|| Error::not_found(Record::Certificate, folio))?;
        let standard = super::standards::by_id(&mut tx, standard_id).await?;
        tx.commit().await?;
        let key = self.signing_key(actor, config).await?;
        let rfc = |at: DateTime<Utc>| at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let (issued, expires) = (rfc(issued), rfc(expires));
        let credential = crate::certificate::ob3::credential(
            &crate::certificate::ob3::Ob3Certificate {
                folio: &folio,
                holder: &holder,
                email: &email,
                standard: &standard,
                issued_at: &issued,
                expires_at: &expires,
                issuer: &config.settings.issuer,
            },
            &key.verifying(),
            &crate::certificate::ob3::new_salt(),
        );
        Ok(crate::certificate::ob3::sign_credential(
            &credential,
            key.signing(),
            &rfc(self.now()),
        ))
    }
}

/// The outcome from the issuer's record of the certificate: revoked, superseded, expired or in
/// force.
fn status(mut v: Verification, row: &Stored, now: DateTime<Utc>) -> Result<Verification> {
    let state = CertificateState::parse(&row.state).map_err(stored_state)?;
    v.checked.push(Check::Status);
    v.outcome = match state {
        CertificateState::Revoked => Outcome::Revoked {
            reason: row.revoked_reason.clone().unwrap_or_default(),
            at: row.revoked_at.unwrap_or(row.expires_at),
        },
        CertificateState::Superseded => Outcome::Superseded {
            by: row.superseded_by.clone().unwrap_or_default(),
        },
        _ if now >= row.expires_at || state == CertificateState::Expired => Outcome::Expired {
            at: row.expires_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        },
        _ => {
            v.checked.push(Check::ValidityPeriod);
            Outcome::Valid
        }
    };
    Ok(v)
}

pub(super) async fn set_state(tx: &mut Tx, row: &Stored, next: CertificateState) -> Result<()> {
    let done = on!(tx, c => sqlx::query("UPDATE certificates SET state = $1, version = version + 1 WHERE id = $2 AND version = $3")
        .bind(next.as_str()).bind(row.id).bind(row.version).execute(c).await?.rows_affected());
    if done != 1 {
        return Err(Error::conflict(Record::Certificate, &row.folio));
    }
    Ok(())
}
