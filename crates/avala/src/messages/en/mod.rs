//! The English table.

mod errors;
mod labels;
mod notices;
mod problems;

use super::{Catalogue, CertificateMailText};
use crate::certificate::ob3::ProofError;
use crate::certificate::signed::TokenError;
use crate::certificate::verify::{Check, Outcome, Unchecked};
use crate::deadlines::Deadline;
use crate::domain::{Action, Field, Record, Role};
use crate::error::{Error, Problem};
use crate::identity::IdentityError;
use crate::notices::Letter;
use crate::standard::Issue;

/// English.
pub(super) struct En;

impl Catalogue for En {
    fn error(&self, e: &Error) -> String {
        errors::error(self, e)
    }
    fn problem(&self, p: &Problem) -> String {
        problems::problem(self, p)
    }
    fn at_line(&self, line: u64, column: Option<&str>, text: &str) -> String {
        match column {
            Some(c) => format!("line {line}, {c}: {text}"),
            None => format!("line {line}: {text}"),
        }
    }
    fn identity(&self, e: &IdentityError) -> String {
        problems::identity(e)
    }
    fn standard_issue(&self, i: &Issue) -> String {
        problems::standard_issue(i)
    }
    fn token(&self, e: &TokenError) -> String {
        labels::token(e)
    }
    fn proof(&self, e: &ProofError) -> String {
        labels::proof(e)
    }
    fn state(&self, machine: &str, state: &str) -> String {
        labels::state(machine, state)
    }
    fn event(&self, event: &str) -> String {
        labels::event(event)
    }
    fn machine(&self, machine: &str) -> &'static str {
        labels::machine(machine)
    }
    fn role(&self, role: Role) -> &'static str {
        labels::role(role)
    }
    fn action(&self, action: Action) -> &'static str {
        labels::action(action)
    }
    fn record(&self, record: Record) -> &'static str {
        labels::record(record)
    }
    fn field(&self, field: Field) -> &'static str {
        labels::field(field)
    }
    fn outcome(&self, outcome: &Outcome) -> String {
        labels::outcome(self, outcome)
    }
    fn check(&self, check: &Check) -> String {
        labels::check(check)
    }
    fn unchecked(&self, unchecked: &Unchecked) -> String {
        labels::unchecked(unchecked)
    }
    fn finding(&self, finding: &crate::error::Finding) -> String {
        errors::finding(finding)
    }
    fn deadline(&self, deadline: Deadline) -> &'static str {
        labels::deadline(deadline)
    }
    fn notice(&self, letter: &Letter, issuer: &str) -> (String, String) {
        notices::notice(self, letter, issuer)
    }
    fn certificate_mail(&self, mail: &CertificateMailText<'_>) -> (String, String) {
        notices::certificate_mail(mail)
    }
    fn list(&self, items: &[String]) -> String {
        labels::list(items)
    }
    fn long_date(&self, date: chrono::NaiveDate) -> String {
        labels::long_date(date)
    }
    fn column(&self, name: &str) -> String {
        labels::column(name)
    }
    fn yes_no(&self, yes: bool) -> &'static str {
        if yes { "yes" } else { "no" }
    }
}
