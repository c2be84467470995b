//! E-mail to candidates: messages (Spanish by default) and the two transports — `.eml` files in
//! an outbox folder (the default: a fresh machine needs no mail server) or SMTP.
//!
//! Every message has a Message-ID derived from what it is about (folio, kind, version), so a
//! resend after a crash is the same message, and the outbox file name follows it (a retry
//! overwrites rather than duplicates).

use std::path::PathBuf;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::Lang;
use crate::error::{Error, Result};
use crate::notices::Composed;

/// How mail leaves.
#[derive(Clone)]
pub enum Mailer {
    /// Write `<id>.eml` files into a folder.
    Outbox(PathBuf),
    /// Send over SMTP.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// A failed send: permanent failures (SMTP 5xx) are not retried.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// What happened.
    pub message: String,
    /// Retrying cannot help.
    pub permanent: bool,
}

impl Mailer {
    /// An SMTP mailer from a URL: `smtp://host:port` (plain), `smtp://host:port?tls=required`
    /// (STARTTLS) or `smtps://host:port`. Credentials may be given in the URL or, better, in
    /// `AVALA_SMTP_USER` / `AVALA_SMTP_PASSWORD`.
    pub fn smtp(url: &str) -> Result<Mailer> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| Error::Mail {
                detail: format!("SMTP URL {url:?}: {e}"),
            })?
            .timeout(Some(std::time::Duration::from_secs(30)));
        if let (Ok(user), Ok(password)) = (std::env::var("AVALA_SMTP_USER"), std::env::var("AVALA_SMTP_PASSWORD")) {
            builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                user, password,
            ));
        }
        Ok(Mailer::Smtp(builder.build()))
    }

    /// Sends (or writes) one message; `id` names the outbox file. Returns what the server
    /// answered (or where the file went), for the job's attempt record.
    /// True when sending a message again under the same id replaces it rather than sending a
    /// second one (the outbox folder: the same file is written again), so a sender may record
    /// several sends at once: a crash before recording rewrites them, doubling none.
    pub fn resends_in_place(&self) -> bool {
        matches!(self, Mailer::Outbox(_))
    }

    /// Sends one message: what the mail server answered, or where its file was written.
    pub async fn send(&self, id: &str, message: Message) -> Result<String, SendError> {
        match self {
            Mailer::Outbox(dir) => {
                // Formatting (base64 of the attachment) and creating the file are blocking work:
                // off the runtime's threads, so other jobs' database work goes on meanwhile.
                let mut sent = self.send_all(vec![(id.to_string(), message)]).await;
                sent.pop()
                    .unwrap_or_else(|| Err(transient(format!("nothing was written to {}", dir.display()))))
            }
            Mailer::Smtp(transport) => match transport.send(message).await {
                Ok(response) => {
                    let text: Vec<&str> = response.message().collect();
                    Ok(format!("{} {}", response.code(), text.join(" ")))
                }
                Err(e) => Err(SendError {
                    permanent: e.is_permanent(),
                    message: match e.status() {
                        Some(code) => format!("the mail server answered {code}: {e}"),
                        None => format!("the mail server could not be reached or failed: {e}"),
                    },
                }),
            },
        }
    }

    /// Sends several messages `(id, message)`, each answered on its own, in order. To the
    /// outbox folder they are formatted and written on the blocking pool, one run per CPU;
    /// over SMTP one after another.
    pub async fn send_all(&self, messages: Vec<(String, Message)>) -> Vec<Result<String, SendError>> {
        match self {
            Mailer::Outbox(dir) => {
                let dir = dir.clone();
                crate::process::spread(messages, move |(id, message): (String, Message)| {
                    let path = dir.join(format!("{id}.eml"));
                    crate::config::write_atomic(&path, &message.formatted(), false)
                        .map(|_| format!("written to {}", path.display()))
                        .map_err(|e| transient(e.to_string()))
                })
                .await
                .into_iter()
                .map(|written| {
                    // A panic formatting one message fails that message alone, for good:
                    // formatting it again panics again.
                    written
                        .map_err(|panic| SendError {
                            message: format!("the e-mail could not be formatted ({panic})"),
                            permanent: true,
                        })
                        .and_then(|w| w)
                })
                .collect()
            }
            Mailer::Smtp(_) => {
                let mut answers = Vec::with_capacity(messages.len());
                for (id, message) in messages {
                    answers.push(Box::pin(self.send(&id, message)).await);
                }
                answers
            }
        }
    }

    /// Where messages go, as records and logs name it.
    pub fn describe(&self) -> String {
        self.describe_in(Lang::En)
    }

    /// Where messages go, for people reading `lang`.
    pub fn describe_in(&self, lang: Lang) -> String {
        match (self, lang) {
            (Mailer::Outbox(dir), Lang::En) => format!("{}/ (.eml files)", dir.display()),
            (Mailer::Outbox(dir), Lang::Es) => format!("{}/ (archivos .eml)", dir.display()),
            (Mailer::Smtp(_), _) => "SMTP".into(),
        }
    }
}

/// The certificate e-mail.
pub struct CertificateMail<'a> {
    /// Language.
    pub lang: Lang,
    /// Sender name (the issuer).
    pub issuer: &'a str,
    /// Sender address.
    pub from: &'a str,
    /// Holder's name.
    pub to_name: &'a str,
    /// Holder's address.
    pub to: &'a str,
    /// Folio.
    pub folio: &'a str,
    /// Verification code.
    pub verification_code: &'a str,
    /// Standard code.
    pub standard_code: &'a str,
    /// Standard title.
    pub standard_title: &'a str,
    /// The PDF.
    pub pdf: Vec<u8>,
}

/// The stable Message-ID of a message about `subject` (a folio or enrollment) of `kind`.
pub fn message_id(subject: &str, kind: &str, version: i64, domain: &str) -> String {
    format!("<{subject}.{kind}.v{version}@{domain}>")
}

pub(crate) fn mailbox(name: &str, address: &str) -> Result<Mailbox> {
    let address = address.parse().map_err(|e| Error::Mail {
        detail: format!("address {address:?}: {e}"),
    })?;
    // A name stored before names were checked may hold a line break: tamed, it cannot break
    // the header (lettre panics formatting one).
    Ok(Mailbox::new(Some(crate::domain::text::tame(name)), address))
}

/// `Auto-Submitted: auto-generated` (RFC 3834): every e-mail avala sends is automatic, so
/// out-of-office and other automatic replies must not answer it.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        if s.trim().eq_ignore_ascii_case("auto-generated") {
            Ok(AutoSubmitted)
        } else {
            Err(format!("not auto-generated: {s:?}").into())
        }
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

impl CertificateMail<'_> {
    /// Builds the message, PDF attached.
    pub fn build(self) -> Result<Message> {
        let domain = self.from.rsplit('@').next().unwrap_or("avala.local");
        // Stored text is tamed before it is worded: a value stored before values were checked
        // adds no line or terminal escape to the letter.
        let tame = crate::domain::text::tame;
        let (subject, body) = crate::messages::of(self.lang).certificate_mail(&crate::messages::CertificateMailText {
            holder: &tame(self.to_name),
            standard_code: self.standard_code,
            standard_title: &tame(self.standard_title),
            folio: self.folio,
            verification_code: self.verification_code,
            issuer: &tame(self.issuer),
        });
        let mail = |e: &dyn std::fmt::Display| Error::Mail { detail: e.to_string() };
        let pdf_type = ContentType::parse("application/pdf").map_err(|e| mail(&e))?;
        Message::builder()
            .from(mailbox(self.issuer, self.from)?)
            .to(mailbox(self.to_name, self.to)?)
            .subject(subject)
            .message_id(Some(message_id(self.folio, "certificate", 1, domain)))
            .header(AutoSubmitted)
            .multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(body))
                    .singlepart(Attachment::new(format!("{}.pdf", self.folio)).body(self.pdf, pdf_type)),
            )
            .map_err(|e| mail(&e))
    }
}

/// A failure worth trying again.
fn transient(message: String) -> SendError {
    SendError {
        message,
        permanent: false,
    }
}

/// Words `letter` in `lang`, signed by `issuer`.
pub fn compose(letter: &crate::notices::Letter, lang: Lang, issuer: &str) -> Composed {
    let (subject, body) = crate::messages::notice(lang, letter, issuer);
    let attachment = match letter {
        crate::notices::Letter::Checkpoint { id, file, .. } => {
            Some((format!("avala-checkpoint-{id}.json"), file.as_bytes().to_vec()))
        }
        _ => None,
    };
    Composed {
        to: letter.recipients(),
        subject,
        body,
        attachment,
    }
}

/// The e-mail of a composed notice, with a Message-ID derived from the notice's key.
pub fn notice_message(composed: &Composed, key: &str, issuer: &str, from: &str) -> Result<Message> {
    let domain = from.rsplit('@').next().unwrap_or("avala.local");
    let mut builder = Message::builder()
        .from(mailbox(issuer, from)?)
        .subject(crate::domain::text::tame(&composed.subject))
        .header(lettre::message::header::MIME_VERSION_1_0)
        .header(AutoSubmitted)
        .message_id(Some(format!("<{}.v1@{domain}>", key.replace(':', "."))));
    for person in &composed.to {
        builder = builder.to(mailbox(&person.name, &person.email)?);
    }
    let mail = |e: &dyn std::fmt::Display| Error::Mail { detail: e.to_string() };
    match &composed.attachment {
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(composed.body.clone())
            .map_err(|e| mail(&e)),
        Some((name, bytes)) => {
            let json = ContentType::parse("application/json").map_err(|e| mail(&e))?;
            builder
                .multipart(
                    MultiPart::mixed()
                        .singlepart(SinglePart::plain(composed.body.clone()))
                        .singlepart(Attachment::new(name.clone()).body(bytes.clone(), json)),
                )
                .map_err(|e| mail(&e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_mail_is_spanish_with_the_pdf_and_a_stable_id() {
        let message = CertificateMail {
            lang: Lang::Es,
            issuer: "Instituto de Transparencia",
            from: "certificacion@itaipem.org.mx",
            to_name: "María Núñez",
            to: "maria@example.mx",
            folio: "EC1057-2026-000001",
            verification_code: "ABCD",
            standard_code: "EC1057",
            standard_title: "Garantizar el derecho de acceso a la información pública",
            pdf: b"%PDF-1.7 test".to_vec(),
        }
        .build()
        .unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(
            text.contains("Message-ID: <EC1057-2026-000001.certificate.v1@itaipem.org.mx>"),
            "{text}"
        );
        assert!(text.contains("application/pdf"));
        assert!(text.contains("EC1057-2026-000001.pdf"));
        assert!(
            text.contains("MIME-Version: 1.0\r\n") && text.contains("Auto-Submitted: auto-generated\r\n"),
            "{text}"
        );
    }

    #[test]
    fn a_name_stored_with_a_line_break_cannot_add_a_header() {
        let message = CertificateMail {
            lang: Lang::En,
            issuer: "Instituto\r\nX-Evil: 1",
            from: "certificacion@itaipem.org.mx",
            to_name: "Juan\r\nBcc: x@example.com",
            to: "juan@example.mx",
            folio: "EC1057-2026-000001",
            verification_code: "ABCD",
            standard_code: "EC1057",
            standard_title: "Título\u{1b}[31m",
            pdf: b"%PDF-1.7 test".to_vec(),
        }
        .build()
        .unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(!text.contains("\r\nBcc:") && !text.contains("\r\nX-Evil:"), "{text}");
        assert!(text.contains("Juan Bcc: x@example.com"), "{text}");
        assert!(!text.contains('\u{1b}') && !text.contains("=1B"), "{text}");
    }

    #[test]
    fn a_notice_says_it_is_mime_and_automatic() {
        let composed = crate::notices::Composed {
            to: vec![crate::notices::Person {
                name: "María Núñez".into(),
                email: "maria@example.mx".into(),
            }],
            subject: "Registro".into(),
            body: "Hola".into(),
            attachment: None,
        };
        let message = notice_message(&composed, "notice:registration:1", "Instituto", "avala@itaipem.org.mx").unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        // RFC 2045 (MIME-Version) and RFC 3834 (no automatic replies to automatic mail).
        assert_eq!(text.matches("MIME-Version: 1.0\r\n").count(), 1, "{text}");
        assert!(text.contains("Auto-Submitted: auto-generated\r\n"), "{text}");
    }
}
