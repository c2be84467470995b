//! `--help` in Spanish: the command line's table (`help_es.rs`), applied by `avala-cmdline`.

use super::help_es::{ABOUT, ARGS};

/// The command line's Spanish help.
pub const TABLE: avala_cmdline::help::Table = avala_cmdline::help::Table {
    about: ABOUT,
    args: ARGS,
};

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn every_command_and_argument_has_its_spanish_help() {
        let out = avala_cmdline::help::unworded(&crate::Cli::command(), &TABLE);
        assert!(out.is_empty(), "without Spanish help:\n{}", out.join("\n"));
    }

    #[test]
    fn spanish_help_renders_for_every_command_without_clap_english() {
        let out = avala_cmdline::help::english_left(&crate::Cli::command(), &TABLE);
        assert!(out.is_empty(), "{}", out.join("\n"));
    }

    #[test]
    fn the_spanish_tree_parses_as_the_english_one() {
        let cmd = avala_cmdline::help::spanish(crate::Cli::command(), &TABLE);
        cmd.clone().debug_assert();
        let m = cmd
            .try_get_matches_from([
                "avala",
                "--as",
                "admin",
                "window",
                "create",
                "--standard",
                "EC1057",
                "--opens",
                "2026-01-01",
                "--closes",
                "2026-02-01",
            ])
            .unwrap();
        assert_eq!(m.get_one::<String>("actor").map(String::as_str), Some("admin"));
    }
}
