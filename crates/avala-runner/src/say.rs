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
        _ => return None,
    })
}
