//! Candidate identity: CURP (with its check digit), passport numbers, e-mail addresses.

use std::fmt;

use chrono::NaiveDate;

/// Why an identity value was refused (worded by the message catalogue).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum IdentityError {
    /// Not 18 characters.
    CurpLength {
        /// The value given (normalised).
        value: String,
        /// Its length.
        len: usize,
    },
    /// A character out of place.
    CurpFormat {
        /// The value given (normalised).
        value: String,
        /// 1-based position.
        position: usize,
        /// The character found.
        found: char,
        /// What belongs there.
        expected: CurpPart,
    },
    /// The birth date does not exist.
    CurpDate {
        /// The value given.
        value: String,
        /// The date it encodes.
        date: String,
    },
    /// Unknown state of birth.
    CurpState {
        /// The value given.
        value: String,
        /// The two letters found.
        code: String,
    },
    /// The first four letters are one of RENAPO's inconvenient words, which it never issues:
    /// it puts an X as the second letter instead.
    CurpInconvenientWord {
        /// The value given.
        value: String,
        /// The four letters.
        word: String,
        /// What RENAPO issues instead: the same four letters with X second.
        issued: String,
    },
    /// The 18th character does not match.
    CurpCheckDigit {
        /// The value given.
        value: String,
        /// The digit found.
        found: char,
        /// The digit the first 17 characters give.
        expected: char,
    },
    /// A passport number that cannot be one.
    Passport {
        /// The value given.
        value: String,
    },
    /// Not an e-mail address.
    Email {
        /// The value given.
        value: String,
        /// What is wrong.
        problem: EmailProblem,
    },
}

impl std::error::Error for IdentityError {}

/// The parts of a CURP, as a refusal names what belongs at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CurpPart {
    /// Positions 1–4: letters of the names.
    Letter,
    /// Positions 5–10: the birth date, YYMMDD.
    BirthDate,
    /// Position 11: H, M or X.
    Sex,
    /// Positions 12–13: the state of birth.
    State,
    /// Positions 14–16: inner consonants.
    Consonant,
    /// Position 17: the homonymy character.
    Homonymy,
    /// Position 18: the check digit.
    CheckDigit,
}

/// What is wrong with an e-mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailProblem {
    /// It is not `name@domain`.
    MissingAt,
    /// The part before the @ is not valid.
    LocalPart,
    /// The domain is not valid.
    Domain,
    /// Characters an address cannot have (spaces, unbalanced quotes or brackets).
    Characters,
}

/// The 32 federal entities plus NE (nacido en el extranjero).
const STATES: [&str; 33] = [
    "AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC", "MN", "MS", "NT", "NL",
    "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS", "NE",
];

/// RENAPO's inconvenient words ("palabras altisonantes", Instructivo Normativo para la
/// Asignación de la CURP, anexo 2): four letters a CURP never starts with. The same 81 as
/// python-stdnum's `stdnum.mx.curp`.
pub const INCONVENIENT_WORDS: [&str; 81] = [
    "BACA", "BAKA", "BUEI", "BUEY", "CACA", "CACO", "CAGA", "CAGO", "CAKA", "CAKO", "COGE", "COGI", "COJA", "COJE",
    "COJI", "COJO", "COLA", "CULO", "FALO", "FETO", "GETA", "GUEI", "GUEY", "JETA", "JOTO", "KACA", "KACO", "KAGA",
    "KAGO", "KAKA", "KAKO", "KOGE", "KOGI", "KOJA", "KOJE", "KOJI", "KOJO", "KOLA", "KULO", "LILO", "LOCA", "LOCO",
    "LOKA", "LOKO", "MAME", "MAMO", "MEAR", "MEAS", "MEON", "MIAR", "MION", "MOCO", "MOKO", "MULA", "MULO", "NACA",
    "NACO", "PEDA", "PEDO", "PENE", "PIPI", "PITO", "POPO", "PUTA", "PUTO", "QULO", "RATA", "ROBA", "ROBE", "ROBO",
    "RUIN", "SENO", "TETA", "VACA", "VAGA", "VAGO", "VAKA", "VUEI", "VUEY", "WUEI", "WUEY",
];

/// A CURP's first four letters as RENAPO issues them: an inconvenient word gets an X as its
/// second letter (`PUTO` becomes `PXTO`); any other four letters stay as they are.
pub fn issued_letters(first4: &str) -> String {
    if INCONVENIENT_WORDS.contains(&first4) {
        first4
            .chars()
            .enumerate()
            .map(|(i, c)| if i == 1 { 'X' } else { c })
            .collect()
    } else {
        first4.to_string()
    }
}

/// The RENAPO alphabet for the check digit (Ñ sits between N and O).
const ALPHABET: &str = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ";

/// A validated CURP (Clave Única de Registro de Población).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Curp(String);

impl Curp {
    /// Validates format, birth date, state code and check digit. Lower case and surrounding
    /// spaces are accepted and normalised.
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let value = input.trim().to_uppercase();
        let chars: Vec<char> = value.chars().collect();
        if chars.len() != 18 {
            return Err(IdentityError::CurpLength {
                len: chars.len(),
                value,
            });
        }
        let expect = |range: std::ops::Range<usize>, ok: fn(char) -> bool, expected: CurpPart| {
            for i in range {
                if !ok(chars[i]) {
                    return Err(IdentityError::CurpFormat {
                        value: value.clone(),
                        position: i + 1,
                        found: chars[i],
                        expected,
                    });
                }
            }
            Ok(())
        };
        let letter = |c: char| c.is_ascii_uppercase() || c == 'X';
        expect(0..4, letter, CurpPart::Letter)?;
        expect(4..10, |c| c.is_ascii_digit(), CurpPart::BirthDate)?;
        expect(10..11, |c| matches!(c, 'H' | 'M' | 'X'), CurpPart::Sex)?;
        expect(11..13, |c| c.is_ascii_uppercase(), CurpPart::State)?;
        expect(13..16, |c| c.is_ascii_uppercase(), CurpPart::Consonant)?;
        expect(16..17, |c| c.is_ascii_alphanumeric(), CurpPart::Homonymy)?;
        expect(17..18, |c| c.is_ascii_digit(), CurpPart::CheckDigit)?;
        let consonant = |c: char| !matches!(c, 'A' | 'E' | 'I' | 'O' | 'U');
        expect(13..16, consonant, CurpPart::Consonant)?;
        let word: String = chars[0..4].iter().collect();
        let issued = issued_letters(&word);
        if issued != word {
            return Err(IdentityError::CurpInconvenientWord { value, word, issued });
        }

        let state: String = chars[11..13].iter().collect();
        if !STATES.contains(&state.as_str()) {
            return Err(IdentityError::CurpState { value, code: state });
        }
        let digits: String = chars[4..10].iter().collect();
        let yy: i32 = digits[0..2].parse().unwrap_or(0);
        let mm: u32 = digits[2..4].parse().unwrap_or(0);
        let dd: u32 = digits[4..6].parse().unwrap_or(0);
        // The homonymy character is a digit for people born before 2000, a letter after.
        let century = if chars[16].is_ascii_digit() { 1900 } else { 2000 };
        if NaiveDate::from_ymd_opt(century + yy, mm, dd).is_none() {
            return Err(IdentityError::CurpDate {
                value,
                date: format!("{}-{mm:02}-{dd:02}", century + yy),
            });
        }
        let expected = check_digit(&value[..17]);
        if chars[17] != expected {
            return Err(IdentityError::CurpCheckDigit {
                found: chars[17],
                expected,
                value,
            });
        }
        Ok(Curp(value))
    }

    /// The normalised 18 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date encoded in the CURP.
    pub fn birth_date(&self) -> NaiveDate {
        let century = if self.0.as_bytes()[16].is_ascii_digit() {
            1900
        } else {
            2000
        };
        let n = |r: std::ops::Range<usize>| self.0[r].parse::<u32>().unwrap_or(1);
        NaiveDate::from_ymd_opt(century + n(4..6) as i32, n(6..8), n(8..10)).unwrap_or_default()
    }
}

impl fmt::Display for Curp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The check digit (18th character) for the first 17 characters of a CURP.
pub fn check_digit(first17: &str) -> char {
    let sum: u32 = first17
        .chars()
        .take(17)
        .enumerate()
        .map(|(i, c)| {
            let value = ALPHABET.chars().position(|a| a == c).unwrap_or(0) as u32;
            value * (18 - i as u32)
        })
        .sum();
    let digit = (10 - sum % 10) % 10;
    char::from_digit(digit, 10).unwrap_or('0')
}

/// How a candidate is identified: CURP, or passport for foreigners without one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identity {
    /// Mexican CURP.
    Curp(Curp),
    /// Passport number (normalised upper case).
    Passport(String),
}

impl Identity {
    /// Validates a passport number.
    pub fn passport(input: &str) -> Result<Self, IdentityError> {
        let value = input.trim().to_uppercase();
        if (6..=20).contains(&value.len()) && value.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(Identity::Passport(value))
        } else {
            Err(IdentityError::Passport {
                value: input.to_string(),
            })
        }
    }

    /// Every kind, as an SQL list: a lookup by identity names them so the
    /// `(identity_kind, identity)` index is searched rather than scanned.
    pub const KINDS_SQL: &'static str = "'curp', 'passport'";

    /// "curp" or "passport", as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Identity::Curp(_) => "curp",
            Identity::Passport(_) => "passport",
        }
    }

    /// The value, as stored.
    pub fn value(&self) -> &str {
        match self {
            Identity::Curp(c) => c.as_str(),
            Identity::Passport(p) => p,
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identity::Curp(c) => write!(f, "{c}"),
            Identity::Passport(p) => f.write_str(p),
        }
    }
}

/// Validates an e-mail address (RFC 5322 addr-spec, as lettre parses it) and returns it trimmed.
pub fn email(input: &str) -> Result<String, IdentityError> {
    let value = input.trim();
    value
        .parse::<lettre::Address>()
        .map(|_| value.to_string())
        .map_err(|e| IdentityError::Email {
            value: value.to_string(),
            problem: match e {
                lettre::address::AddressError::MissingParts => EmailProblem::MissingAt,
                lettre::address::AddressError::InvalidUser => EmailProblem::LocalPart,
                lettre::address::AddressError::InvalidDomain => EmailProblem::Domain,
                _ => EmailProblem::Characters,
            },
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_digit(first17))
    }

    #[test]
    fn known_valid_curps_are_accepted() {
        // Published CURPs (their check digits are RENAPO's, not computed here).
        for c in [
            "HEGG560427MVZRRL04",
            "PXNE660720HMCXTN06",
            "MAHJ280603MSPRRV09",
            " pxne660720hmcxtn06 ",
        ] {
            assert!(Curp::parse(c).is_ok(), "{c}");
        }
    }

    #[test]
    fn check_digit_matches_renapo_examples() {
        assert_eq!(check_digit("HEGG560427MVZRRL0"), '4');
        assert_eq!(check_digit("PXNE660720HMCXTN0"), '6');
    }

    #[test]
    fn wrong_check_digit_is_refused() {
        assert!(Curp::parse("HEGG560427MVZRRL04").is_ok());
        assert!(matches!(
            Curp::parse("HEGG560427MVZRRL05"),
            Err(IdentityError::CurpCheckDigit {
                expected: '4',
                found: '5',
                ..
            })
        ));
    }

    #[test]
    fn impossible_date_is_refused() {
        let c = with_check("HEGG560231MVZRRL0");
        assert!(matches!(Curp::parse(&c), Err(IdentityError::CurpDate { .. })), "{c}");
    }

    #[test]
    fn bad_state_is_refused() {
        let c = with_check("HEGG560427MXXRRL0");
        assert!(matches!(Curp::parse(&c), Err(IdentityError::CurpState { .. })));
    }

    #[test]
    fn format_errors_name_the_position() {
        let err = Curp::parse("HEGG56O427MVZRRL04").unwrap_err();
        assert!(
            matches!(
                err,
                IdentityError::CurpFormat {
                    position: 7,
                    found: 'O',
                    expected: CurpPart::BirthDate,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("el carácter 7"), "{err}");
        assert!(matches!(
            Curp::parse("HEGG"),
            Err(IdentityError::CurpLength { len: 4, .. })
        ));
    }

    #[test]
    fn born_after_2000_uses_a_letter() {
        let c = with_check("HEGG050427MVZRRLA");
        assert_eq!(
            Curp::parse(&c).unwrap().birth_date(),
            NaiveDate::from_ymd_opt(2005, 4, 27).unwrap()
        );
    }

    #[test]
    fn inconvenient_words_are_refused_and_their_x_form_accepted() {
        let word = with_check("PUTO800101HDFRRN0");
        assert!(
            matches!(
                Curp::parse(&word),
                Err(IdentityError::CurpInconvenientWord { ref word, ref issued, .. }) if word == "PUTO" && issued == "PXTO"
            ),
            "{:?}",
            Curp::parse(&word)
        );
        assert!(Curp::parse(&with_check("PXTO800101HDFRRN0")).is_ok());
        // Every word of the list, with any valid rest, and its X form.
        for w in INCONVENIENT_WORDS {
            let c = with_check(&format!("{w}651204HDFRSL7"));
            assert!(
                matches!(Curp::parse(&c), Err(IdentityError::CurpInconvenientWord { .. })),
                "{c}"
            );
            let x = with_check(&format!("{}651204HDFRSL7", issued_letters(w)));
            assert!(Curp::parse(&x).is_ok(), "{x}");
        }
        assert_eq!(issued_letters("HEGG"), "HEGG");
    }

    #[test]
    fn passports_and_emails() {
        assert!(Identity::passport("X1234567").is_ok());
        assert!(Identity::passport("12").is_err());
        assert!(email("ana@infoem.org.mx").is_ok());
        assert!(email("ana@").is_err());
        assert!(email("sin arroba").is_err());
    }
}
