//! Notifications: registration confirmation, diagnostic result (with the training
//! recommendation), verdict with the evaluator's feedback, dictamen result, expiry reminder, and
//! the administrators' digest of overdue processes.
//!
//! The engine enqueues a notice in the same transaction as the step it reports (the outbox), so a
//! notice exists exactly when its step happened; the runner writes and sends it later, in the
//! runner's language, with a Message-ID derived from the notice's key so a resend is the same
//! message. Nothing is ever sent for steps that happened before a notice existed.

use chrono::{DateTime, Utc};
use lettre::Message;
use serde_json::{Value, json};

use crate::Lang;
use crate::error::{Error, Result};
use crate::jobs;
use crate::on;
use crate::store::Tx;

/// A notice to be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Registration confirmed.
    Registration(i64),
    /// Diagnostic result.
    Diagnostic(i64),
    /// Verdict (juicio) with feedback.
    Verdict(i64),
    /// Dictamen result.
    Dictamen(i64),
    /// The certificate's validity ends soon (certificate id).
    ExpiryReminder(i64),
}

impl Notice {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Notice::Registration(id) => ("registration", id),
            Notice::Diagnostic(id) => ("diagnostic", id),
            Notice::Verdict(id) => ("verdict", id),
            Notice::Dictamen(id) => ("dictamen", id),
            Notice::ExpiryReminder(id) => ("expiry", id),
        }
    }
}

/// Enqueues `notice` in the caller's transaction (once: the key is unique).
pub async fn enqueue(tx: &mut Tx, notice: Notice, now: DateTime<Utc>) -> Result<()> {
    enqueue_all(tx, std::slice::from_ref(&notice), now).await
}

/// Enqueues several notices in one statement.
pub async fn enqueue_all(tx: &mut Tx, notices: &[Notice], now: DateTime<Utc>) -> Result<()> {
    let jobs: Vec<(&str, String, serde_json::Value)> = notices
        .iter()
        .map(|notice| {
            let (kind, id) = notice.parts();
            (
                jobs::NOTIFY,
                format!("notice:{kind}:{id}"),
                json!({"notice": kind, "id": id}),
            )
        })
        .collect();
    jobs::enqueue_all(tx, &jobs, now).await
}

/// Enqueues the administrators' digest of overdue processes for `day` (one per day).
pub async fn enqueue_overdue_digest(tx: &mut Tx, day: &str, now: DateTime<Utc>) -> Result<()> {
    jobs::enqueue(
        tx,
        jobs::NOTIFY,
        &format!("notice:overdue:{day}"),
        &json!({"notice": "overdue", "day": day}),
        now,
    )
    .await
}

/// What a notice says and to whom.
pub struct Composed {
    /// Recipients (name, address).
    pub to: Vec<(String, String)>,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

#[derive(sqlx::FromRow)]
struct About {
    name: String,
    email: String,
    standard_code: String,
    standard_title: String,
    window_id: i64,
    diagnostic_score: Option<i64>,
    diagnostic_threshold: Option<i64>,
    verdict: Option<String>,
    state: String,
}

async fn about(tx: &mut Tx, enrollment: i64) -> Result<About> {
    let row = on!(tx, c => sqlx::query_as::<_, About>(
        "SELECT ca.name, ca.email, w.standard_code, s.title AS standard_title, e.window_id, e.diagnostic_score, \
         s.diagnostic_threshold, e.verdict, e.state FROM enrollments e \
         JOIN candidates ca ON ca.id = e.candidate_id JOIN windows w ON w.id = e.window_id \
         JOIN standards s ON s.id = COALESCE(e.standard_id, (SELECT MAX(id) FROM standards WHERE code = w.standard_code)) \
         WHERE e.id = $1"
    ).bind(enrollment).fetch_optional(c).await?);
    row.ok_or_else(|| Error::not_found("enrollment", enrollment))
}

/// Composes the notice a `notify` job names, from the database as it is now.
pub async fn compose(tx: &mut Tx, payload: &Value, lang: Lang, issuer: &str, now: DateTime<Utc>) -> Result<Composed> {
    let es = lang == Lang::Es;
    let kind = payload["notice"].as_str().unwrap_or_default();
    let id = payload["id"].as_i64().unwrap_or_default();
    let sign = if es {
        format!("\n\nAtentamente,\n{issuer}\n")
    } else {
        format!("\n\nKind regards,\n{issuer}\n")
    };
    let greet = |name: &str| {
        if es {
            format!("Estimado(a) {name}:\n\n")
        } else {
            format!("Dear {name},\n\n")
        }
    };
    let composed = match kind {
        "registration" => {
            let a = about(tx, id).await?;
            let (subject, text) = if es {
                (
                    format!("Registro confirmado: {} (inscripción {id})", a.standard_code),
                    format!(
                        "Su registro al proceso de evaluación en el estándar de competencia {} «{}» quedó confirmado \
                         con el número de inscripción {id} (convocatoria {}). El siguiente paso es la evaluación \
                         diagnóstica.",
                        a.standard_code, a.standard_title, a.window_id
                    ),
                )
            } else {
                (
                    format!("Registration confirmed: {} (enrollment {id})", a.standard_code),
                    format!(
                        "Your registration for evaluation in the competency standard {} «{}» is confirmed as \
                         enrollment {id} (window {}). The next step is the diagnostic evaluation.",
                        a.standard_code, a.standard_title, a.window_id
                    ),
                )
            };
            Composed {
                to: vec![(a.name.clone(), a.email)],
                subject,
                body: greet(&a.name) + &text + &sign,
            }
        }
        "diagnostic" => {
            let a = about(tx, id).await?;
            let score = a.diagnostic_score.unwrap_or_default();
            let threshold = a.diagnostic_threshold.unwrap_or_default();
            let below = score < threshold;
            let text = match (es, below) {
                (true, true) => format!(
                    "Obtuvo {score}/100 en la evaluación diagnóstica, por debajo del mínimo recomendado de {threshold}. \
                     Le recomendamos tomar la capacitación en el estándar {} antes de la evaluación; puede \
                     continuar con el proceso si así lo decide.",
                    a.standard_code
                ),
                (true, false) => format!(
                    "Obtuvo {score}/100 en la evaluación diagnóstica (mínimo recomendado: {threshold}). Puede \
                     continuar a la evaluación en el estándar {}.",
                    a.standard_code
                ),
                (false, true) => format!(
                    "You scored {score}/100 in the diagnostic evaluation, below the recommended {threshold}. We \
                     recommend the training for the standard {} before the evaluation; you may go on if you choose.",
                    a.standard_code
                ),
                (false, false) => format!(
                    "You scored {score}/100 in the diagnostic evaluation (recommended: {threshold}). You may go on \
                     to the evaluation in the standard {}.",
                    a.standard_code
                ),
            };
            let subject = if es {
                "Resultado de su evaluación diagnóstica"
            } else {
                "Your diagnostic result"
            };
            Composed {
                to: vec![(a.name.clone(), a.email)],
                subject: subject.into(),
                body: greet(&a.name) + &text + &sign,
            }
        }
        "verdict" => {
            let a = about(tx, id).await?;
            let feedback: Vec<(String, Option<String>)> = on!(tx, c => sqlx::query_as(
                "SELECT element_code, feedback FROM element_judgements WHERE enrollment_id = $1 AND NOT competent ORDER BY element_code"
            ).bind(id).fetch_all(c).await?);
            let competent = a.verdict.as_deref() == Some("competent");
            let mut text = match (es, competent) {
                (true, true) => format!(
                    "Su evaluación en el estándar {} concluyó con el juicio de COMPETENTE. El expediente pasa al \
                     dictamen del organismo certificador; le avisaremos del resultado.",
                    a.standard_code
                ),
                (true, false) => format!(
                    "Su evaluación en el estándar {} concluyó con el juicio de TODAVÍA NO COMPETENTE. Podrá \
                     inscribirse de nuevo en una convocatoria posterior. Observaciones de su evaluador(a):",
                    a.standard_code
                ),
                (false, true) => format!(
                    "Your evaluation in the standard {} ended with a verdict of COMPETENT. The file goes to the \
                     certifying body's dictamen; we will tell you the result.",
                    a.standard_code
                ),
                (false, false) => format!(
                    "Your evaluation in the standard {} ended with a verdict of NOT YET COMPETENT. You may enrol \
                     again in a later window. Your evaluator's feedback:",
                    a.standard_code
                ),
            };
            for (element, note) in &feedback {
                text.push_str(&format!("\n- {element}: {}", note.as_deref().unwrap_or("—")));
            }
            let subject = if es {
                "Resultado de su evaluación"
            } else {
                "Your evaluation result"
            };
            Composed {
                to: vec![(a.name.clone(), a.email)],
                subject: subject.into(),
                body: greet(&a.name) + &text + &sign,
            }
        }
        "dictamen" => {
            let a = about(tx, id).await?;
            let procede = a.state != "dictamen_rejected";
            let text = match (es, procede) {
                (true, true) => format!(
                    "El dictamen de su proceso en el estándar {} fue favorable. En breve recibirá su certificado en \
                     un correo aparte.",
                    a.standard_code
                ),
                (true, false) => format!(
                    "El dictamen de su proceso en el estándar {} no fue favorable. Puede solicitar información al \
                     organismo certificador e inscribirse en una convocatoria posterior.",
                    a.standard_code
                ),
                (false, true) => format!(
                    "The dictamen of your process in the standard {} was favourable. You will receive your \
                     certificate shortly in a separate e-mail.",
                    a.standard_code
                ),
                (false, false) => format!(
                    "The dictamen of your process in the standard {} was not favourable. You may ask the \
                     certifying body for details and enrol in a later window.",
                    a.standard_code
                ),
            };
            let subject = if es {
                "Dictamen de su proceso de certificación"
            } else {
                "The dictamen of your certification"
            };
            Composed {
                to: vec![(a.name.clone(), a.email)],
                subject: subject.into(),
                body: greet(&a.name) + &text + &sign,
            }
        }
        "expiry" => {
            let row: Option<(String, String, String, DateTime<Utc>)> = on!(tx, c => sqlx::query_as(
                "SELECT c.folio, c.holder_name, ca.email, c.expires_at FROM certificates c \
                 JOIN enrollments e ON e.id = c.enrollment_id JOIN candidates ca ON ca.id = e.candidate_id WHERE c.id = $1"
            ).bind(id).fetch_optional(c).await?);
            let (folio, name, email, expires) = row.ok_or_else(|| Error::not_found("certificate", id))?;
            let date = crate::certificate::pdf::long_date(expires.date_naive(), lang);
            let (subject, text) = if es {
                (
                    format!("Su certificado {folio} vence el {date}"),
                    format!(
                        "La vigencia de su certificado {folio} termina el {date}. Para mantenerla, inscríbase en \
                         una convocatoria de evaluación antes de esa fecha."
                    ),
                )
            } else {
                (
                    format!("Your certificate {folio} expires on {date}"),
                    format!(
                        "The validity of your certificate {folio} ends on {date}. To keep it, enrol in an \
                         evaluation window before then."
                    ),
                )
            };
            Composed {
                to: vec![(name.clone(), email)],
                subject,
                body: greet(&name) + &text + &sign,
            }
        }
        "overdue" => {
            let admins: Vec<(String, String, String)> =
                on!(tx, c => sqlx::query_as("SELECT name, email, roles FROM staff ORDER BY id").fetch_all(c).await?);
            let to: Vec<(String, String)> = admins
                .into_iter()
                .filter(|(_, _, roles)| roles.split(',').any(|r| r == "admin"))
                .map(|(n, e, _)| (n, e))
                .collect();
            let rows = crate::engine::overdue_in(tx, None, now).await?;
            let mut text = if es {
                format!(
                    "{} proceso(s) han rebasado un plazo de las Reglas Generales del CONOCER:\n",
                    rows.len()
                )
            } else {
                format!("{} process(es) are past a CONOCER deadline:\n", rows.len())
            };
            for r in &rows {
                text.push_str(&format!(
                    "\n- {} {}: {} {} ({} {})",
                    if es { "inscripción" } else { "enrollment" },
                    r.enrollment,
                    r.deadline,
                    r.due.format("%Y-%m-%d"),
                    r.days_late,
                    if es { "días de retraso" } else { "days late" }
                ));
            }
            text.push_str(if es {
                "\n\nDetalle: avala report --by overdue"
            } else {
                "\n\nDetails: avala report --by overdue"
            });
            let subject = if es {
                "Procesos con plazo vencido"
            } else {
                "Processes past their deadline"
            };
            let greeting = if es {
                "Administración:\n\n"
            } else {
                "Administrators,\n\n"
            };
            Composed {
                to,
                subject: subject.into(),
                body: format!("{greeting}{text}{sign}"),
            }
        }
        other => return Err(Error::Invalid(format!("unknown notice {other:?}"))),
    };
    Ok(composed)
}

/// The message for a composed notice, with a Message-ID derived from the job's key.
pub fn message(composed: &Composed, key: &str, issuer: &str, from: &str) -> Result<Message> {
    let domain = from.rsplit('@').next().unwrap_or("avala.local");
    let mut builder = Message::builder()
        .from(crate::mail::mailbox(issuer, from)?)
        .subject(composed.subject.clone())
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .message_id(Some(format!("<{}.v1@{domain}>", key.replace(':', "."))));
    for (name, address) in &composed.to {
        builder = builder.to(crate::mail::mailbox(name, address)?);
    }
    builder
        .body(composed.body.clone())
        .map_err(|e| Error::Mail(e.to_string()))
}
