//! avala's command lines (`avala`, `avala-runner`) in Spanish, the default: clap words its help
//! and its parse errors in English, and this crate words them in Spanish from each binary's
//! table (`help`) and from the error's kind and context (`usage`). English stays clap's own.

#![warn(missing_docs)]

pub mod help;
pub mod usage;

use clap::error::ErrorKind;
use clap::{Command, FromArgMatches};

/// The arguments as text, for reading the language and format options by hand.
pub fn text_of(args: &[std::ffi::OsString]) -> Vec<String> {
    args.iter().map(|a| a.to_string_lossy().into_owned()).collect()
}

/// What to print instead of running: the help, the version, or a line that does not parse.
#[derive(Debug)]
pub struct Stop {
    /// The text, in the language the line asked for.
    pub text: String,
    /// The exit code (0 for help and version, 2 for a usage error).
    pub code: u8,
    /// Whether it goes to standard error.
    pub to_stderr: bool,
    /// Whether the line did not parse (rather than asking for help or the version).
    pub usage_error: bool,
}

/// Parses `args` with `english` (the binary's clap command) in the language they ask for
/// (`--lang`, `AVALA_LANG`; Spanish by default), with `table` wording the Spanish help.
/// The arguments are taken as the system gives them (a file name need not be UTF-8); only the
/// language and format options are read from their text.
pub fn parse<T: FromArgMatches>(english: Command, table: &help::Table, args: &[std::ffi::OsString]) -> Result<T, Stop> {
    let lang = usage::lang_of(&text_of(args));
    let matches = match lang {
        avala::Lang::Es => help::spanish(english, table).try_get_matches_from(args),
        avala::Lang::En => english.try_get_matches_from(args),
    };
    let e = match matches.and_then(|m| T::from_arg_matches(&m)) {
        Ok(parsed) => return Ok(parsed),
        Err(e) => e,
    };
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let text = e.render().to_string();
        let text = match lang {
            avala::Lang::Es => help::placeholders(&text),
            avala::Lang::En => text,
        };
        return Err(Stop {
            text,
            code: if e.use_stderr() { 2 } else { 0 },
            to_stderr: e.use_stderr(),
            usage_error: false,
        });
    }
    Err(Stop {
        text: usage::message(&e, lang),
        code: 2,
        to_stderr: true,
        usage_error: true,
    })
}
