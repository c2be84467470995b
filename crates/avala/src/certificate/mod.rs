//! Certificates: identifiers (folio, verification code) and the PDF document.

mod deflate;
mod fonts;
pub mod logo;
pub mod ob3;
pub mod pdf;
mod qr;
pub mod record;
pub mod signed;
pub mod verify;

use rand::RngCore;
use sha2::{Digest, Sha256};

pub use record::CertificateRecord;

/// The key id of a public key: the first 16 hex digits of its SHA-256.
pub fn key_id(key: &ed25519_dalek::VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// Crockford's base32 alphabet (no I, L, O, U).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The folio: `{standard}-{year}-{sequence:06}`, unique and never reused.
pub fn folio(standard_code: &str, year: i32, sequence: i64) -> String {
    format!("{standard_code}-{year}-{sequence:06}")
}

/// A fresh verification code: 128 random bits in Crockford base32 (26 symbols), grouped by
/// four with hyphens, so folios cannot be enumerated into personal data.
pub fn new_verification_code() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    verification_code_of(u128::from_be_bytes(bytes))
}

/// The verification code of a 128-bit value.
pub fn verification_code_of(value: u128) -> String {
    // 26 symbols × 5 bits = 130 bits; the first symbol carries the top 3 bits.
    let symbols: Vec<u8> = (0..26)
        .rev()
        .map(|i| CROCKFORD[((value >> (i * 5)) & 0x1f) as usize])
        .collect();
    symbols
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Normalises a verification code as people type it: case, hyphens and spaces are ignored,
/// and I/L read as 1, O as 0 (Crockford's rules). None when it cannot be a code.
pub fn normalize_verification_code(input: &str) -> Option<String> {
    let mut value: u128 = 0;
    let mut count = 0;
    for ch in input.chars() {
        let ch = match ch.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        let digit = CROCKFORD.iter().position(|&c| c as char == ch)? as u128;
        if count == 0 && digit > 0b111 {
            return None;
        }
        value = (value << 5) | digit;
        count += 1;
    }
    (count == 26).then(|| verification_code_of(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folio_format() {
        assert_eq!(folio("EC1057", 2026, 42), "EC1057-2026-000042");
    }

    #[test]
    fn verification_codes_round_trip_and_differ() {
        let a = new_verification_code();
        let b = new_verification_code();
        assert_ne!(a, b);
        assert_eq!(a.len(), 26 + 6);
        assert_eq!(
            normalize_verification_code(&a.to_lowercase().replace('-', " ")),
            Some(a.clone())
        );
        assert_eq!(verification_code_of(u128::MAX).replace('-', "").len(), 26);
        assert_eq!(
            normalize_verification_code(&verification_code_of(u128::MAX)),
            Some(verification_code_of(u128::MAX))
        );
        assert_eq!(normalize_verification_code("not a code"), None);
        assert_eq!(normalize_verification_code("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ"), None);
        let with_o = verification_code_of(0).replace('0', "o");
        assert_eq!(normalize_verification_code(&with_o), Some(verification_code_of(0)));
    }
}
