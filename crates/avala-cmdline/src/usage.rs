//! A command line that cannot be parsed, in the reader's language. clap words its errors in
//! English; in Spanish (the default) they are worded here from the error's kind and context
//! (which argument, which value, what was suggested), with the usage line clap computed.
//! Help and version output stay clap's.

use avala::Lang;
use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The language asked for on the command line (`--lang xx`, `--lang=xx`) or in `AVALA_LANG`,
/// read by hand because the command line itself did not parse.
pub fn lang_of(args: &[String]) -> Lang {
    let mut given = None;
    for (i, a) in args.iter().enumerate() {
        if let Some(v) = a.strip_prefix("--lang=") {
            given = Some(v.to_string());
        } else if a == "--lang" {
            given = args.get(i + 1).cloned();
        }
    }
    given
        .or_else(|| std::env::var("AVALA_LANG").ok())
        .and_then(|l| l.parse().ok())
        .unwrap_or_default()
}

/// Whether the command line asks for JSON (`--format json`), read by hand as [`lang_of`].
pub fn wants_json(args: &[String]) -> bool {
    args.windows(2).any(|w| w[0] == "--format" && w[1] == "json") || args.iter().any(|a| a == "--format=json")
}

/// The text of a parse error that is not a request for help or the version.
pub fn message(e: &clap::Error, lang: Lang) -> String {
    if lang == Lang::En {
        return e.render().to_string();
    }
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
        Some(ContextValue::StyledStrs(v)) => Some(v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let arg = text(ContextKind::InvalidArg).unwrap_or_default();
    let value = text(ContextKind::InvalidValue).unwrap_or_default();
    let mut out = match e.kind() {
        ErrorKind::InvalidValue => match text(ContextKind::ValidValue) {
            Some(valid) if value.is_empty() => format!("{arg} necesita un valor; valores posibles: {valid}"),
            Some(valid) => format!("«{value}» no es un valor de {arg}; valores posibles: {valid}"),
            None if value.is_empty() => format!("{arg} necesita un valor"),
            None => format!("«{value}» no es un valor de {arg}"),
        },
        ErrorKind::ValueValidation => format!("«{value}» no es un valor válido de {arg}"),
        ErrorKind::UnknownArgument => format!("argumento inesperado «{arg}»"),
        ErrorKind::InvalidSubcommand => format!(
            "no existe la orden «{}»",
            text(ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::MissingRequiredArgument => format!("faltan argumentos obligatorios: {arg}"),
        ErrorKind::MissingSubcommand => "falta la orden".to_string(),
        ErrorKind::ArgumentConflict => match text(ContextKind::PriorArg) {
            Some(prior) => format!("{arg} no puede usarse junto con {prior}"),
            None => format!("{arg} no puede usarse aquí"),
        },
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("número de valores equivocado en {arg}")
        }
        ErrorKind::InvalidUtf8 => "la línea de órdenes no es UTF-8".to_string(),
        _ => "la línea de órdenes no es válida".to_string(),
    };
    out = format!("error: {out}\n");
    if let Some(suggested) = text(ContextKind::SuggestedSubcommand).or(text(ContextKind::SuggestedArg)) {
        out.push_str(&format!("\n  ¿quiso decir «{suggested}»?\n"));
    }
    // clap's usage line, computed for the command that failed.
    let rendered = e.render().to_string();
    if let Some(usage) = rendered.lines().find_map(|l| l.strip_prefix("Usage: ")) {
        out.push_str(&format!("\nUso: `{}`\n", crate::help::placeholders(usage)));
    }
    out.push_str("\nPara más información, pruebe «--help».\n");
    out
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[derive(Parser, Debug)]
    struct Cli {
        #[arg(long, value_parser = ["table", "json"])]
        format: Option<String>,
        #[arg(long)]
        score: Option<u8>,
        #[arg(long)]
        name: String,
    }

    fn spanish(args: &[&str]) -> String {
        let e = Cli::try_parse_from(args).unwrap_err();
        message(&e, Lang::Es)
    }

    #[test]
    fn parse_errors_read_in_spanish_with_the_usage_line() {
        let unknown = spanish(&["x", "--name", "a", "--nmae", "b"]);
        assert!(unknown.contains("argumento inesperado «--nmae»"), "{unknown}");
        assert!(unknown.contains("Uso: `x "), "{unknown}");
        let value = spanish(&["x", "--name", "a", "--format", "xml"]);
        assert!(value.contains("«xml» no es un valor de --format"), "{value}");
        assert!(value.contains("table, json"), "{value}");
        let number = spanish(&["x", "--name", "a", "--score", "mucho"]);
        assert!(number.contains("«mucho» no es un valor válido de --score"), "{number}");
        let missing = spanish(&["x"]);
        assert!(missing.contains("faltan argumentos obligatorios: --name"), "{missing}");
        Cli::command().debug_assert();
    }

    #[test]
    fn the_language_is_read_from_the_command_line_first() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(lang_of(&args(&["avala", "--lang", "en", "x"])), Lang::En);
        assert_eq!(lang_of(&args(&["avala", "--lang=en"])), Lang::En);
    }
}
