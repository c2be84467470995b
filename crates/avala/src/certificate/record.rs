//! A certificate as the issuer's records hold it, and the two things made from it: the signed
//! payload (assembled here and nowhere else) and the printed document.

use chrono::{DateTime, Utc};

use super::pdf::{CertificateDoc, Logo};
use super::signed::{Payload, StandardRef};
use crate::Lang;

/// What a certificate shows, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    /// Folio.
    pub folio: String,
    /// Verification code.
    pub verification_code: String,
    /// The holder's name.
    pub holder_name: String,
    /// Issued (the dictamen's instant).
    pub issued_at: DateTime<Utc>,
    /// Valid until.
    pub expires_at: DateTime<Utc>,
    /// The enrollment it certifies.
    pub enrollment_id: i64,
    /// Standard code.
    pub standard_code: String,
    /// Standard version.
    pub standard_version: String,
    /// Standard title.
    pub standard_title: String,
    /// Standard level.
    pub standard_level: i64,
    /// The window's time zone (dates are printed in it).
    pub tz: String,
    /// The verifier who issued the dictamen.
    pub verifier_name: String,
}

crate::from_row!(CertificateRecord {
    folio,
    verification_code,
    holder_name,
    issued_at,
    expires_at,
    enrollment_id,
    standard_code,
    standard_version,
    standard_title,
    standard_level,
    tz,
    verifier_name
});

/// An instant as the payload writes it: RFC 3339, UTC, seconds.
fn rfc3339(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl CertificateRecord {
    /// The payload the issuer signs for it, naming `issuer` and the signing key's id.
    pub fn payload(&self, issuer: &str, key_id: &str) -> Payload {
        Payload {
            v: 1,
            folio: self.folio.clone(),
            verification_code: self.verification_code.clone(),
            holder: self.holder_name.clone(),
            standard: StandardRef {
                code: self.standard_code.clone(),
                version: self.standard_version.clone(),
                title: self.standard_title.clone(),
            },
            result: "competent".into(),
            issued_at: rfc3339(self.issued_at),
            expires_at: rfc3339(self.expires_at),
            issuer: issuer.to_string(),
            key_id: key_id.to_string(),
        }
    }

    /// The printed document, in `lang`, carrying the signed `token`.
    pub fn document(
        &self,
        lang: Lang,
        issuer: &str,
        place: &str,
        token: String,
        logo: Option<std::sync::Arc<Logo>>,
    ) -> CertificateDoc {
        let tz = crate::clock::zone(&self.tz);
        CertificateDoc {
            lang,
            issuer: issuer.to_string(),
            holder_name: self.holder_name.clone(),
            standard_code: self.standard_code.clone(),
            standard_version: self.standard_version.clone(),
            standard_title: self.standard_title.clone(),
            standard_level: u8::try_from(self.standard_level).unwrap_or(0),
            folio: self.folio.clone(),
            verification_code: self.verification_code.clone(),
            dictamen_date: self.issued_at.with_timezone(&tz).date_naive(),
            place: place.to_string(),
            valid_until: self.expires_at.with_timezone(&tz).date_naive(),
            verifier_name: self.verifier_name.clone(),
            qr: token,
            logo,
        }
    }
}
