//! Problems of a file's lines, identities and standard files, in English.

use super::En;
use crate::error::Problem;
use crate::identity::{CurpPart, EmailProblem, IdentityError};
use crate::messages::Catalogue;
use crate::standard::Issue;

pub(super) fn problem(c: &En, p: &Problem) -> String {
    let columns = |cols: &[String]| cols.join(", ");
    match p {
        Problem::UnreadableHeader { detail } => format!("cannot read the header: {detail}"),
        Problem::UnreadableRow { detail } => format!("cannot read the row: {detail}"),
        Problem::EmptyFile { columns: cols } => {
            format!(
                "the file is empty; the first line must be the header: {}",
                columns(cols)
            )
        }
        Problem::NotAHeader { columns: cols } => format!(
            "line 1 is not a header; the first line must name the columns: {}",
            columns(cols)
        ),
        Problem::UnknownColumn { columns: cols } => format!("unknown column; the columns are {}", columns(cols)),
        Problem::ColumnTwice => "column appears twice".into(),
        Problem::MissingColumn => "missing column".into(),
        Problem::NoIdentityColumn => "missing column; give `curp` (and `passport` for foreign candidates)".into(),
        Problem::FieldCount { found, expected } => {
            format!("has {found} fields but the header has {expected}")
        }
        Problem::MissingValue => "missing value".into(),
        Problem::Text(t) => text(t),
        Problem::MissingIdentity => "missing value (give a CURP, or a passport number for a foreign candidate)".into(),
        Problem::BothIdentities => "give either a CURP or a passport number, not both".into(),
        Problem::Identity(e) => c.identity(e),
        Problem::NotYesNo { value } => {
            format!("{value:?} is not yes or no (use sí/no, yes/no, true/false, 1/0, or leave it empty for no)")
        }
        Problem::NotAJudgement { value } => {
            format!("{value:?} is neither competent (sí, competent) nor not yet competent (no, not yet competent)")
        }
        Problem::Duplicate { identity, first } => {
            format!("{identity} appears twice in the file (first on line {first})")
        }
        Problem::AlreadyEnrolled {
            identity,
            window,
            enrollment,
        } => format!("{identity} is already enrolled in window {window} (enrollment {enrollment})"),
        Problem::OverCapacity {
            window,
            free,
            capacity,
            rows,
        } => format!(
            "window {window} has {free} free place(s) of {capacity}; the file's {rows} valid rows do not fit \
             (this row is the first over capacity)"
        ),
        Problem::NoJudgements => "no judgements: give one row per element".into(),
    }
}

pub(super) fn identity(e: &IdentityError) -> String {
    match e {
        IdentityError::CurpLength { value, len } => {
            format!("CURP {value:?} has {len} characters; a CURP has 18")
        }
        IdentityError::CurpFormat {
            value,
            position,
            found,
            expected,
        } => format!(
            "CURP {value:?}: character {position} ({found:?}) should be {}",
            match expected {
                CurpPart::Letter => "a letter",
                CurpPart::BirthDate => "a digit (birth date YYMMDD)",
                CurpPart::Sex => "H, M or X (sex)",
                CurpPart::State => "a letter (state of birth)",
                CurpPart::Consonant => "a consonant",
                CurpPart::Homonymy => "a letter or digit (homonymy)",
                CurpPart::CheckDigit => "a digit (check digit)",
            }
        ),
        IdentityError::CurpDate { value, date } => format!("CURP {value:?}: birth date {date} does not exist"),
        IdentityError::CurpState { value, code } => {
            format!("CURP {value:?}: {code:?} is not a Mexican state code (AS, BC, … ZS, or NE for born abroad)")
        }
        IdentityError::CurpInconvenientWord { value, word, issued } => format!(
            "CURP {value:?}: its first four letters spell {word:?}, a word RENAPO never issues; the real CURP has an X as its second letter ({issued:?}): check it against the candidate's CURP record"
        ),
        IdentityError::CurpCheckDigit { value, found, expected } => {
            format!("CURP {value:?}: check digit is {found}, expected {expected}; check for a typing error")
        }
        IdentityError::Passport { value } => {
            format!("passport number {value:?} must be 6 to 20 letters and digits")
        }
        IdentityError::Email { value, problem } => format!(
            "e-mail {value:?} is not a valid address: {}",
            match problem {
                EmailProblem::MissingAt => "it must be name@domain",
                EmailProblem::LocalPart => "the part before the @ is not valid",
                EmailProblem::Domain => "the domain is not valid",
                EmailProblem::Characters => "it has characters an address cannot have",
            }
        ),
    }
}

pub(super) fn standard_issue(i: &Issue) -> String {
    match i {
        Issue::Toml { detail } => format!("not valid TOML: {detail}"),
        Issue::Empty => "must not be empty".into(),
        Issue::OutOfRange { value, min, max } => format!("{value} is out of range {min}–{max}"),
        Issue::BadCode { value, prefix } => format!("{value:?} must be {prefix} followed by 4 digits"),
        Issue::Repeated { code } => format!("{code} appears more than once"),
        Issue::NoElements => "a standard needs at least one [[elements]]".into(),
        Issue::NoCriteria => "an element needs at least one criterion".into(),
        Issue::NeedsKnowledgeLevel => {
            "knowledge criteria need knowledge_level (conocimiento, comprension or aplicacion)".into()
        }
        Issue::LevelOnlyForKnowledge => "only knowledge criteria have a knowledge_level".into(),
        Issue::NoItems => "a criterion needs at least one checklist item".into(),
        Issue::Text(t) => text(t),
    }
}

/// A text refused, in English.
pub(super) fn text(p: &crate::domain::text::TextProblem) -> String {
    use crate::domain::text::TextProblem as T;
    let code = p.codepoint().unwrap_or_default();
    match p {
        T::TooLong { max, found } => format!("is {found} characters long; at most {max} are allowed"),
        T::LineBreak { at } => format!("has a line break at character {at}; a value is one line"),
        T::Control { at, .. } => format!("has a control character ({code}) at character {at}"),
        T::Invisible { at, .. } => {
            format!("has an invisible character ({code}) at character {at}; retype the value instead of pasting it")
        }
    }
}
