//! The verification policy: against the issuer's records when they are at hand, otherwise
//! offline against the document itself and the issuer's public keys, saying what could not be
//! checked. One place decides, for every front end.

use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;

use super::{Engine, Subject};
use crate::actor::Actor;
use crate::certificate::signed::{Signed, TokenError, extract_from_pdf};
use crate::certificate::verify::{self, Verification};
use crate::config::{Config, key_id};
use crate::error::{Error, Result};

/// Where a verification looks.
pub enum Records<'a> {
    /// The issuer's database, asked by `actor`.
    Online(&'a Engine, &'a Actor),
    /// No database: only the document, the issuer's public keys and the time.
    Offline {
        /// The issuer's public keys, by key id.
        keys: Vec<(String, VerifyingKey)>,
        /// Now.
        now: DateTime<Utc>,
    },
}

/// Opens the issuer's records at `url` for a verification, or none when there is no database
/// there (an employer holding a PDF and the issuer's public key); any other failure is an error.
pub async fn open_records(url: &str) -> Result<Option<Engine>> {
    match crate::store::Db::connect(url, false).await {
        Ok(db) => {
            db.migrate().await?;
            Ok(Some(Engine::new(db, crate::clock::from_env()?)))
        }
        Err(Error::DatabaseUnavailable { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The public keys an offline verification uses: those given (hex), else the local key file's.
pub fn offline_keys(given: &[String], config: Option<&Config>) -> Result<Vec<(String, VerifyingKey)>> {
    let mut keys = Vec::new();
    for k in given {
        let key = super::keys::parse_public_key(k)?;
        keys.push((key_id(&key), key));
    }
    if keys.is_empty()
        && let Some(key) = config.and_then(|c| c.signing_key().ok())
    {
        let key = key.verifying_key();
        keys.push((key_id(&key), key));
    }
    Ok(keys)
}

/// Verifies `subject` where `records` say.
pub async fn verify_certificate(records: Records<'_>, subject: Subject<'_>) -> Result<Verification> {
    subject.check()?;
    match records {
        Records::Online(engine, actor) => engine.verify_certificate(actor, subject).await,
        Records::Offline { keys, now } => {
            let from: std::result::Result<Signed, TokenError> = match subject {
                Subject::File(bytes) => {
                    return Box::pin(verify_certificate(
                        Records::Offline { keys, now },
                        Subject::of_file(bytes),
                    ))
                    .await;
                }
                Subject::Ob3(bytes) => return Ok(verify::offline_ob3(bytes, &keys, now)),
                Subject::Pdf(bytes) => extract_from_pdf(bytes),
                Subject::Token(token) => Signed::from_token(token),
                Subject::Folio(_) | Subject::Code(_) => return Err(Error::OfflineNeedsDocument),
            };
            Ok(verify::offline(from, &keys, now))
        }
    }
}
