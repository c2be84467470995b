//! Notices and the certificate e-mail, in English.

use crate::messages::{Catalogue, CertificateMailText};
use crate::notices::Letter;

fn greet(name: &str) -> String {
    format!("Dear {name},\n\n")
}

fn sign(issuer: &str) -> String {
    format!("\n\nKind regards,\n{issuer}\n")
}

pub(super) fn notice(c: &dyn Catalogue, letter: &Letter, issuer: &str) -> (String, String) {
    let (subject, to, text) = match letter {
        Letter::Registration {
            to,
            enrollment,
            window,
            standard,
        } => (
            format!("Registration confirmed: {} (enrollment {enrollment})", standard.code),
            Some(to),
            format!(
                "Your registration for evaluation in the competency standard {} «{}» is confirmed as \
                 enrollment {enrollment} (window {window}). The next step is the diagnostic evaluation.",
                standard.code, standard.title
            ),
        ),
        Letter::Diagnostic {
            to,
            standard,
            score,
            threshold,
        } => (
            "Your diagnostic result".to_string(),
            Some(to),
            if score < threshold {
                format!(
                    "You scored {score}/100 in the diagnostic evaluation, below the recommended {threshold}. We \
                     recommend the training for the standard {} before the evaluation; you may go on if you choose.",
                    standard.code
                )
            } else {
                format!(
                    "You scored {score}/100 in the diagnostic evaluation (recommended: {threshold}). You may go on \
                     to the evaluation in the standard {}.",
                    standard.code
                )
            },
        ),
        Letter::Verdict {
            to,
            standard,
            competent,
            feedback,
        } => {
            let mut text = if *competent {
                format!(
                    "Your evaluation in the standard {} ended with a verdict of COMPETENT. The file goes to the \
                     certifying body's dictamen; we will tell you the result.",
                    standard.code
                )
            } else {
                format!(
                    "Your evaluation in the standard {} ended with a verdict of NOT YET COMPETENT. You may enrol \
                     again in a later window. Your evaluator's feedback:",
                    standard.code
                )
            };
            for (element, note) in feedback {
                text.push_str(&format!("\n- {element}: {}", note.as_deref().unwrap_or("—")));
            }
            ("Your evaluation result".to_string(), Some(to), text)
        }
        Letter::Dictamen { to, standard, procede } => (
            "The dictamen of your certification".to_string(),
            Some(to),
            if *procede {
                format!(
                    "The dictamen of your process in the standard {} was favourable. You will receive your \
                     certificate shortly in a separate e-mail.",
                    standard.code
                )
            } else {
                format!(
                    "The dictamen of your process in the standard {} was not favourable. You may ask the \
                     certifying body for details and enrol in a later window.",
                    standard.code
                )
            },
        ),
        Letter::ExpiryReminder { to, folio, expires } => {
            let date = c.long_date(expires.date_naive());
            (
                format!("Your certificate {folio} expires on {date}"),
                Some(to),
                format!(
                    "The validity of your certificate {folio} ends on {date}. To keep it, enrol in an evaluation \
                     window before then."
                ),
            )
        }
        Letter::OverdueDigest { rows, .. } => {
            let mut text = format!("{} process(es) are past a CONOCER deadline:\n", rows.len());
            for r in rows {
                text.push_str(&format!(
                    "\n- enrollment {}: {} {} ({} days late)",
                    r.enrollment,
                    c.deadline(r.deadline),
                    r.due.format("%Y-%m-%d"),
                    r.days_late
                ));
            }
            ("Processes past their deadline".to_string(), None, text)
        }
        Letter::Checkpoint {
            id,
            at,
            streams,
            events,
            root,
            ..
        } => (
            format!("Audit log checkpoint #{id}"),
            None,
            format!(
                "Attached is the signed checkpoint #{id} of the audit log, taken on {}: {events} events in \
                 {streams} streams, root {root}.\n\nKeep it outside the system. With this copy an audit can show, \
                 years later, that nothing recorded until today was changed or deleted, even if someone alters \
                 the database.",
                at.format("%Y-%m-%d %H:%M UTC")
            ),
        ),
    };
    let greeting = match to {
        Some(person) => greet(&person.name),
        None => "Administrators,\n\n".to_string(),
    };
    (subject, format!("{greeting}{text}{}", sign(issuer)))
}

pub(super) fn certificate_mail(m: &CertificateMailText<'_>) -> (String, String) {
    (
        format!("Your certificate of competence {} — folio {}", m.standard_code, m.folio),
        format!(
            "{}We are pleased to tell you that the dictamen of your evaluation was favourable. Attached is your \
             certificate of competence in the standard {} «{}», folio {}.\n\n\
             Anyone can check its authenticity with the folio and the verification code {}.{}",
            greet(m.holder),
            m.standard_code,
            m.standard_title,
            m.folio,
            m.verification_code,
            sign(m.issuer)
        ),
    )
}
