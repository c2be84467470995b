//! The message catalogue: every text a person reads that the library words — errors, problems
//! in files, the names of states, roles and outcomes, verification checks, notices and the
//! certificate e-mail — in Spanish (es-MX, the default) and English.
//!
//! One table per language (`es`, `en`), each implementing [`Catalogue`]: the compiler
//! checks that every language words every message, and a test runs them all for leftovers.
//! Texts are rendered from the values alone (an error's code and fields): nothing here names a
//! command-line flag or a web page, which each front end words in its own terms.

mod en;
mod es;

use std::fmt;

use crate::Lang;
use crate::certificate::ob3::ProofError;
use crate::certificate::signed::TokenError;
use crate::certificate::verify::{Check, Outcome, Unchecked};
use crate::deadlines::Deadline;
use crate::domain::{Action, Field, Record, Role};
use crate::error::{Error, ImportProblem, Problem};
use crate::identity::IdentityError;
use crate::machine::{TransitionError, UnknownState};
use crate::notices::Letter;
use crate::standard::{Issue, StandardError};

/// Everything the library words, in one language.
pub trait Catalogue: Sync {
    /// An error, in full (a file's problems one per line).
    fn error(&self, e: &Error) -> String;
    /// A problem of a line of a file, without the line.
    fn problem(&self, p: &Problem) -> String;
    /// "line 3, curp: …".
    fn at_line(&self, line: u64, column: Option<&str>, text: &str) -> String;
    /// An invalid CURP, passport or e-mail.
    fn identity(&self, e: &IdentityError) -> String;
    /// A problem of a standard file's field.
    fn standard_issue(&self, i: &Issue) -> String;
    /// A token that cannot be read.
    fn token(&self, e: &TokenError) -> String;
    /// An Open Badges proof that does not hold.
    fn proof(&self, e: &ProofError) -> String;
    /// A state, by machine (`window`, `enrollment`, `certificate`) and persisted name.
    fn state(&self, machine: &str, state: &str) -> String;
    /// A step of a machine, by its name.
    fn event(&self, event: &str) -> String;
    /// A machine's name ("the enrollment").
    fn machine(&self, machine: &str) -> &'static str;
    /// A role.
    fn role(&self, role: Role) -> &'static str;
    /// An action, as in "only an admin may …".
    fn action(&self, action: Action) -> &'static str;
    /// A kind of record.
    fn record(&self, record: Record) -> &'static str;
    /// A field.
    fn field(&self, field: Field) -> &'static str;
    /// A verification outcome, in one line.
    fn outcome(&self, outcome: &Outcome) -> String;
    /// A check that was made.
    fn check(&self, check: &Check) -> String;
    /// A check that could not be made, and why.
    fn unchecked(&self, unchecked: &Unchecked) -> String;
    /// One finding of the audit log's verification.
    fn finding(&self, finding: &crate::error::Finding) -> String;
    /// A CONOCER deadline.
    fn deadline(&self, deadline: Deadline) -> &'static str;
    /// A notice: subject and body, signed by `issuer`.
    fn notice(&self, letter: &Letter, issuer: &str) -> (String, String);
    /// The certificate e-mail: subject and body.
    fn certificate_mail(&self, mail: &CertificateMailText<'_>) -> (String, String);
    /// A list of items: "a, b y c".
    fn list(&self, items: &[String]) -> String;
    /// A date written out: "23 de noviembre de 2026".
    fn long_date(&self, date: chrono::NaiveDate) -> String;
    /// The label of a field of a listing or record, by its JSON name (`folio`, `opens_at`).
    fn column(&self, name: &str) -> String;
    /// Yes or no.
    fn yes_no(&self, yes: bool) -> &'static str;
}

/// What the certificate e-mail says.
#[derive(Debug, Clone, Copy)]
pub struct CertificateMailText<'a> {
    /// The holder's name.
    pub holder: &'a str,
    /// Standard code (EC1057).
    pub standard_code: &'a str,
    /// Standard title.
    pub standard_title: &'a str,
    /// The folio.
    pub folio: &'a str,
    /// The verification code.
    pub verification_code: &'a str,
    /// The issuer.
    pub issuer: &'a str,
}

/// Values as they are typed, each in backticks: `a`, `b` or `c` (`or` is the language's word).
pub(crate) fn typed(values: &[String], or: &str) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {or} {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// A size as people read it, in units both languages write alike: `50.0 MiB`, `1 MiB`,
/// `300 B`.
pub(crate) fn bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    let (unit, size) = match n {
        n if n >= KIB * KIB => ("MiB", KIB * KIB),
        n if n >= KIB => ("KiB", KIB),
        _ => return format!("{n} B"),
    };
    if n.is_multiple_of(size) {
        format!("{} {unit}", n / size)
    } else {
        format!("{:.1} {unit}", n as f64 / size as f64)
    }
}

/// The catalogue of `lang`.
pub fn of(lang: Lang) -> &'static dyn Catalogue {
    match lang {
        Lang::Es => &es::Es,
        Lang::En => &en::En,
    }
}

impl Error {
    /// The error in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        of(lang).error(self)
    }
}

impl ImportProblem {
    /// The problem with its line, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let c = of(lang);
        c.at_line(self.line, self.column.as_deref(), &c.problem(&self.problem))
    }
}

/// A notice's subject and body in `lang`.
pub fn notice(lang: Lang, letter: &Letter, issuer: &str) -> (String, String) {
    of(lang).notice(letter, issuer)
}

/// Each error type words itself in the default language, Spanish.
macro_rules! display_in_spanish {
    ($($ty:ty => $method:ident),* $(,)?) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&of(Lang::Es).$method(self))
            }
        }
    )*};
}
display_in_spanish!(
    Error => error,
    IdentityError => identity,
    TokenError => token,
    ProofError => proof,
);

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&of(Lang::Es).error(&Error::Transition(self.clone())))
    }
}

impl fmt::Display for StandardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&of(Lang::Es).error(&Error::Standard(self.clone())))
    }
}

impl fmt::Display for UnknownState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.machine, self.value)
    }
}

impl std::error::Error for UnknownState {}

#[cfg(test)]
mod every;
#[cfg(test)]
mod tests;
