//! The signed certificate payload: canonical JSON, the Ed25519 signature, the compact token the
//! QR code carries, and how both are embedded in and read back from the PDF.
//!
//! Token: `AV1.<base64url(canonical payload)>.<base64url(signature)>`. It holds the whole
//! payload, so a certificate verifies offline with nothing but the issuer's public key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::canonical::canonical_json;

/// The token's prefix (format version 1).
pub const TOKEN_PREFIX: &str = "AV1.";
/// The PDF document-information key holding the token.
pub const PDF_KEY: &str = "AvalaCertificate";

/// The standard a certificate is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardRef {
    /// Code, e.g. EC1057.
    pub code: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: String,
}

/// What the issuer signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// Payload format version (1).
    pub v: u32,
    /// Folio.
    pub folio: String,
    /// Verification code.
    pub verification_code: String,
    /// Holder's full name.
    pub holder: String,
    /// The standard.
    pub standard: StandardRef,
    /// Always "competent": only competent candidates are certified.
    pub result: String,
    /// Issued (RFC 3339, UTC, seconds).
    pub issued_at: String,
    /// Valid until (RFC 3339, UTC, seconds).
    pub expires_at: String,
    /// Issuer's name.
    pub issuer: String,
    /// Id of the key that signed.
    pub key_id: String,
}

/// A payload with its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The payload.
    pub payload: Payload,
    /// Its canonical JSON (what the signature covers).
    pub canonical: String,
    /// The Ed25519 signature.
    pub signature: [u8; 64],
}

/// Why a token or a file could not be read as a signed certificate (worded by the catalogue).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "token_problem", rename_all = "snake_case")]
pub enum TokenError {
    /// No token in the file.
    Missing,
    /// More than one distinct token in the file.
    Ambiguous,
    /// It does not contain the token's prefix.
    NoPrefix,
    /// The signature part is missing.
    NoSignature,
    /// The payload is not base64url UTF-8.
    PayloadEncoding,
    /// The signature is not 64 bytes of base64url.
    SignatureEncoding,
    /// The payload is not a certificate payload.
    NotAPayload {
        /// What the JSON reader said.
        detail: String,
    },
}

impl std::error::Error for TokenError {}

impl Payload {
    /// The canonical JSON of the payload.
    pub fn canonical(&self) -> String {
        canonical_json(&serde_json::to_value(self).unwrap_or(Value::Null))
    }

    /// Signs the payload.
    pub fn sign(self, key: &SigningKey) -> Signed {
        let canonical = self.canonical();
        let signature = key.sign(canonical.as_bytes()).to_bytes();
        Signed {
            payload: self,
            canonical,
            signature,
        }
    }
}

impl Signed {
    /// The compact token.
    pub fn token(&self) -> String {
        format!(
            "{TOKEN_PREFIX}{}.{}",
            B64.encode(&self.canonical),
            B64.encode(self.signature)
        )
    }

    /// The signature in base64url, as stored.
    pub fn signature_text(&self) -> String {
        B64.encode(self.signature)
    }

    /// Reads a token (or a verification URL ending in one).
    pub fn from_token(token: &str) -> Result<Signed, TokenError> {
        let token = token.trim();
        let token = match token.find(TOKEN_PREFIX) {
            Some(at) => &token[at..],
            None => return Err(TokenError::NoPrefix),
        };
        let body = &token[TOKEN_PREFIX.len()..];
        let (payload, signature) = body.split_once('.').ok_or(TokenError::NoSignature)?;
        let signature = signature
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .next()
            .unwrap_or("");
        let canonical = B64
            .decode(payload)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(TokenError::PayloadEncoding)?;
        let signature: [u8; 64] = B64
            .decode(signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(TokenError::SignatureEncoding)?;
        let payload: Payload =
            serde_json::from_str(&canonical).map_err(|e| TokenError::NotAPayload { detail: e.to_string() })?;
        Ok(Signed {
            payload,
            canonical,
            signature,
        })
    }

    /// A signed payload as the database stores it: the canonical JSON and the base64url signature.
    pub fn from_stored(canonical: &str, signature: &str) -> Result<Signed, TokenError> {
        Signed::from_token(&format!("{TOKEN_PREFIX}{}.{signature}", B64.encode(canonical)))
    }

    /// Checks the signature with `key`, and that the signed text is the payload's canonical form.
    pub fn verify_with(&self, key: &VerifyingKey) -> bool {
        self.payload.canonical() == self.canonical
            && key
                .verify(self.canonical.as_bytes(), &Signature::from_bytes(&self.signature))
                .is_ok()
    }
}

/// Finds the token in a PDF's bytes. The file is not trusted: it is scanned, not parsed, so any
/// byte string gives an answer and never a panic.
pub fn extract_from_pdf(pdf: &[u8]) -> Result<Signed, TokenError> {
    let marker = format!("/{PDF_KEY}");
    let mut found: Option<String> = None;
    let mut rest = pdf;
    while let Some(at) = find(rest, marker.as_bytes()) {
        let after = &rest[at + marker.len()..];
        let start = after.iter().position(|&b| b == b'(');
        let token = start.and_then(|s| {
            let body = &after[s + 1..];
            body.iter()
                .position(|&b| b == b')')
                .map(|end| String::from_utf8_lossy(&body[..end]).into_owned())
        });
        if let Some(token) = token {
            match &found {
                Some(f) if *f != token => return Err(TokenError::Ambiguous),
                _ => found = Some(token),
            }
        }
        rest = after;
    }
    Signed::from_token(&found.ok_or(TokenError::Missing)?)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn payload() -> Payload {
        Payload {
            v: 1,
            folio: "EC1057-2026-000001".into(),
            verification_code: "0PD7-3KFN-WVEM-4MYG-MHQA-RCRZ-VK".into(),
            holder: "Begoña Ñúñez Ibáñez".into(),
            standard: StandardRef {
                code: "EC1057".into(),
                version: "1".into(),
                title: "Garantizar el derecho de acceso a la información pública".into(),
            },
            result: "competent".into(),
            issued_at: "2026-11-23T16:00:00Z".into(),
            expires_at: "2029-11-23T16:00:00Z".into(),
            issuer: "Instituto de Transparencia".into(),
            key_id: "0123456789abcdef".into(),
        }
    }

    #[test]
    fn tokens_round_trip_and_verify() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let signed = payload().sign(&key);
        let back = Signed::from_token(&signed.token()).unwrap();
        assert_eq!(back, signed);
        assert!(back.verify_with(&key.verifying_key()));
        assert!(!back.verify_with(&SigningKey::from_bytes(&[8; 32]).verifying_key()));
        let url = format!("https://verifica.example/c?t={}", signed.token());
        assert_eq!(Signed::from_token(&url).unwrap(), signed);
    }

    #[test]
    fn a_changed_payload_does_not_verify() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let signed = payload().sign(&key);
        let mut forged = signed.clone();
        forged.payload.holder = "Otra Persona".into();
        forged.canonical = forged.payload.canonical();
        assert!(!forged.verify_with(&key.verifying_key()));
        let forged_token = format!(
            "{TOKEN_PREFIX}{}.{}",
            B64.encode(&forged.canonical),
            signed.signature_text()
        );
        assert!(
            !Signed::from_token(&forged_token)
                .unwrap()
                .verify_with(&key.verifying_key())
        );
    }

    #[test]
    fn garbage_is_a_typed_error() {
        for bad in ["", "AV1.", "AV1.abc", "AV1.abc.def", "hello", "AV1.e30.AAAA"] {
            assert!(Signed::from_token(bad).is_err(), "{bad}");
        }
        assert_eq!(extract_from_pdf(b"%PDF-1.7 nothing here"), Err(TokenError::Missing));
    }

    #[test]
    fn the_token_survives_a_trip_through_a_pdf() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let signed = payload().sign(&key);
        let mut doc = crate::certificate::pdf::tests::sample();
        doc.qr = signed.token();
        let pdf = crate::certificate::pdf::render(&doc).unwrap();
        assert_eq!(extract_from_pdf(&pdf).unwrap(), signed);
    }

    proptest::proptest! {
        /// Arbitrary bytes as a PDF and arbitrary text as a token: a typed answer, never a panic.
        #[test]
        fn arbitrary_input_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600), text in "\\PC{0,300}") {
            let _ = extract_from_pdf(&bytes);
            let _ = Signed::from_token(&text);
            let _ = Signed::from_token(&format!("{TOKEN_PREFIX}{text}"));
            let mut with_marker = b"/AvalaCertificate (AV1.".to_vec();
            with_marker.extend_from_slice(&bytes);
            let _ = extract_from_pdf(&with_marker);
        }
    }
}
