//! What the runner says when it is done, in Spanish (the default) or English.

use avala::Lang;
use avala::worker::RunSummary;

/// The one-line summary of `avala-runner --once`.
pub fn summary(lang: Lang, s: &RunSummary, via: &str) -> String {
    match lang {
        Lang::Es => {
            let mut extra = String::new();
            if s.expired > 0 {
                extra.push_str(&format!(
                    "; {} certificado(s) llegaron al fin de su vigencia",
                    s.expired
                ));
            }
            if s.windows_opened + s.windows_closed > 0 {
                extra.push_str(&format!(
                    "; {} convocatoria(s) abiertas y {} cerradas según su calendario",
                    s.windows_opened, s.windows_closed
                ));
            }
            format!(
                "avala-runner: {} certificado(s) generados, {} correo(s) con certificado y {} aviso(s) enviados por {}, \
                 {} por reintentar, {} fallidos definitivamente{extra}",
                s.rendered, s.delivered, s.notices, via, s.retried, s.dead
            )
        }
        Lang::En => {
            let mut extra = String::new();
            if s.expired > 0 {
                extra.push_str(&format!(
                    "; {} certificate(s) reached the end of their validity",
                    s.expired
                ));
            }
            if s.windows_opened + s.windows_closed > 0 {
                extra.push_str(&format!(
                    "; {} window(s) opened and {} closed on schedule",
                    s.windows_opened, s.windows_closed
                ));
            }
            format!(
                "avala-runner: {} certificate(s) rendered, {} certificate e-mail(s) and {} notice(s) sent via {}, \
                 {} retried later, {} failed for good{extra}",
                s.rendered, s.delivered, s.notices, via, s.retried, s.dead
            )
        }
    }
}

/// What to do next after an error that stopped the runner, where there is something to do.
/// The runner meets few of the library's hints (it acts on no one's behalf): those it meets
/// at start, worded with the commands of this installation.
pub fn hint(lang: Lang, hint: &avala::error::Hint) -> Option<&'static str> {
    use avala::error::Hint;
    Some(match (hint, lang) {
        (Hint::RunInit, Lang::Es) => "ejecute `avala init` primero",
        (Hint::RunInit, Lang::En) => "run `avala init` first",
        (Hint::TryAgain, Lang::Es) => "vuelva a iniciar `avala-runner`",
        (Hint::TryAgain, Lang::En) => "start `avala-runner` again",
        (Hint::RotateKey, Lang::Es) => "para firmar con una llave nueva, ejecute `avala --as ADMIN keys rotate`",
        (Hint::RotateKey, Lang::En) => "to sign with a new key, run `avala --as ADMIN keys rotate`",
        _ => return None,
    })
}

/// `avala-runner --help` in Spanish.
pub const HELP: avala_cmdline::help::Table = avala_cmdline::help::Table {
    about: &[(
        "",
        "avala-runner — genera los certificados y envía los correos de la cola de tareas.\n\n\
         Códigos de salida: 0 hecho (o detenido con SIGTERM/Ctrl-C tras terminar la tarea en curso); \
         2 error de uso; 5 no se pudo usar la base de datos o la configuración.",
    )],
    args: &[
        (
            "/db",
            "Base de datos: la ruta de un archivo SQLite, o postgres://usuario@servidor/bd",
        ),
        ("/once", "Vacía la cola una vez y termina"),
        (
            "/smtp_url",
            "Envía el correo por SMTP (smtp://servidor:puerto, smtp://servidor:puerto?tls=required, \
             smtps://servidor:puerto) en lugar de escribir archivos .eml en outbox/ junto a la base de datos",
        ),
        (
            "/poll_interval",
            "Cuánto esperar entre consultas cuando la cola está vacía (segundos)",
        ),
        (
            "/lang",
            "Idioma de los certificados, los correos y los mensajes: es (español, el predeterminado) o en",
        ),
        (
            "/name",
            "Nombre de este ejecutor en las concesiones de tareas (predeterminado: servidor e id de proceso)",
        ),
        ("/concurrency", "Tareas que este proceso ejecuta a la vez"),
        (
            "/rate_limit",
            "Envía como máximo tantos correos por segundo (los relevos limitan); 0 sin límite",
        ),
        (
            "/summary_every",
            "Registra un resumen de una línea del trabajo hecho con esta frecuencia (segundos)",
        ),
        (
            "/lease",
            "Cuánto tiempo queda reservada a este ejecutor cada tarea que toma (segundos), renovada por un \
             latido seis veces por reserva; si el ejecutor muere, otro toma sus tareas cuando la reserva vence",
        ),
    ],
};

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::HELP;

    #[test]
    fn the_runners_help_reads_in_spanish() {
        let out = avala_cmdline::help::unworded(&crate::Args::command(), &HELP);
        assert!(out.is_empty(), "without Spanish help:\n{}", out.join("\n"));
        let out = avala_cmdline::help::english_left(&crate::Args::command(), &HELP);
        assert!(out.is_empty(), "{}", out.join("\n"));
    }
}
