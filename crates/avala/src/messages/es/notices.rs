//! Notices and the certificate e-mail, in Spanish.

use crate::messages::{Catalogue, CertificateMailText};
use crate::notices::Letter;

fn greet(name: &str) -> String {
    format!("Estimado(a) {name}:\n\n")
}

fn sign(issuer: &str) -> String {
    format!("\n\nAtentamente,\n{issuer}\n")
}

pub(super) fn notice(c: &dyn Catalogue, letter: &Letter, issuer: &str) -> (String, String) {
    let (subject, to, text) = match letter {
        Letter::Registration {
            to,
            enrollment,
            window,
            standard,
        } => (
            format!("Registro confirmado: {} (inscripción {enrollment})", standard.code),
            Some(to),
            format!(
                "Su registro al proceso de evaluación en el estándar de competencia {} «{}» quedó confirmado \
                 con el número de inscripción {enrollment} (convocatoria {window}). El siguiente paso es la \
                 evaluación diagnóstica.",
                standard.code, standard.title
            ),
        ),
        Letter::Diagnostic {
            to,
            standard,
            score,
            threshold,
        } => (
            "Resultado de su evaluación diagnóstica".to_string(),
            Some(to),
            if score < threshold {
                format!(
                    "Obtuvo {score}/100 en la evaluación diagnóstica, por debajo del mínimo recomendado de \
                     {threshold}. Le recomendamos tomar la capacitación en el estándar {} antes de la evaluación; \
                     puede continuar con el proceso si así lo decide.",
                    standard.code
                )
            } else {
                format!(
                    "Obtuvo {score}/100 en la evaluación diagnóstica (mínimo recomendado: {threshold}). Puede \
                     continuar a la evaluación en el estándar {}.",
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
                    "Su evaluación en el estándar {} concluyó con el juicio de COMPETENTE. El expediente pasa al \
                     dictamen del organismo certificador; le avisaremos del resultado.",
                    standard.code
                )
            } else {
                format!(
                    "Su evaluación en el estándar {} concluyó con el juicio de TODAVÍA NO COMPETENTE. Podrá \
                     inscribirse de nuevo en una convocatoria posterior. Observaciones de su evaluador(a):",
                    standard.code
                )
            };
            for (element, note) in feedback {
                text.push_str(&format!("\n- {element}: {}", note.as_deref().unwrap_or("—")));
            }
            ("Resultado de su evaluación".to_string(), Some(to), text)
        }
        Letter::Dictamen { to, standard, procede } => (
            "Dictamen de su proceso de certificación".to_string(),
            Some(to),
            if *procede {
                format!(
                    "El dictamen de su proceso en el estándar {} fue favorable. En breve recibirá su certificado \
                     en un correo aparte.",
                    standard.code
                )
            } else {
                format!(
                    "El dictamen de su proceso en el estándar {} no fue favorable. Puede solicitar información al \
                     organismo certificador e inscribirse en una convocatoria posterior.",
                    standard.code
                )
            },
        ),
        Letter::ExpiryReminder { to, folio, expires } => {
            let date = c.long_date(expires.date_naive());
            (
                format!("Su certificado {folio} vence el {date}"),
                Some(to),
                format!(
                    "La vigencia de su certificado {folio} termina el {date}. Para mantenerla, inscríbase en una \
                     convocatoria de evaluación antes de esa fecha."
                ),
            )
        }
        Letter::OverdueDigest { rows, .. } => {
            let mut text = format!(
                "{} proceso(s) han rebasado un plazo de las Reglas Generales del CONOCER:\n",
                rows.len()
            );
            for r in rows {
                text.push_str(&format!(
                    "\n- inscripción {}: {} {} ({} días de retraso)",
                    r.enrollment,
                    c.deadline(r.deadline),
                    r.due.format("%Y-%m-%d"),
                    r.days_late
                ));
            }
            ("Procesos con plazo vencido".to_string(), None, text)
        }
        Letter::Checkpoint {
            id,
            at,
            streams,
            events,
            root,
            ..
        } => (
            format!("Punto de control de la bitácora #{id}"),
            None,
            format!(
                "Adjunto va el punto de control firmado #{id} de la bitácora, tomado el {}: {events} eventos en \
                 {streams} flujos, raíz {root}.\n\nGuárdelo fuera del sistema. Con esta copia, una auditoría puede \
                 comprobar años después que nada de lo registrado hasta hoy se cambió ni se borró, aunque alguien \
                 modifique la base de datos.",
                at.format("%Y-%m-%d %H:%M UTC")
            ),
        ),
    };
    let greeting = match to {
        Some(person) => greet(&person.name),
        None => "Administración:\n\n".to_string(),
    };
    (subject, format!("{greeting}{text}{}", sign(issuer)))
}

pub(super) fn certificate_mail(m: &CertificateMailText<'_>) -> (String, String) {
    (
        format!("Su certificado de competencia {} — folio {}", m.standard_code, m.folio),
        format!(
            "{}Nos complace informarle que el dictamen de su proceso de evaluación fue favorable. Adjuntamos su \
             certificado de competencia en el estándar {} «{}», con folio {}.\n\n\
             Cualquier persona puede comprobar su autenticidad con el folio y el código de verificación {}.{}",
            greet(m.holder),
            m.standard_code,
            m.standard_title,
            m.folio,
            m.verification_code,
            sign(m.issuer)
        ),
    )
}
