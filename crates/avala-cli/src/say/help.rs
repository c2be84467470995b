//! `--help` in Spanish. clap words the help from the doc comments of `args.rs` (English); in
//! Spanish every command's description and every argument's help come from the table in
//! `help_es.rs`, keyed by the command's path and the argument's id, and clap's own words
//! (headings, `[default: …]`, the help and version flags) are replaced. A test walks the whole
//! command tree: nothing is left without its Spanish.

use clap::{Arg, Command};

use super::help_es::{ABOUT, ARGS};

/// A help or usage text clap rendered, with clap's placeholder words in Spanish.
pub fn placeholders(text: &str) -> String {
    text.replace("[OPTIONS]", "[OPCIONES]").replace("[COMMAND]", "[ORDEN]")
}

/// The command tree with its help in Spanish.
pub fn spanish(mut cmd: Command) -> Command {
    cmd.build();
    localise(cmd, "")
}

fn path_of(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent} {name}")
    }
}

/// The Spanish description of the command at `path` ("" for `avala` itself). The commands
/// clap mirrors under `help` (`avala window help create`) read as the ones they mirror.
fn about(path: &str) -> Option<&'static str> {
    let mirrored = path.split(' ').any(|s| s == "help") && !path.ends_with("help");
    let path = match mirrored {
        true => path.split(' ').filter(|s| *s != "help").collect::<Vec<_>>().join(" "),
        false => path.to_string(),
    };
    ABOUT.iter().find(|(p, _)| *p == path).map(|(_, t)| *t)
}

/// The Spanish help of argument `id` of the command at `path`; global arguments are worded once.
fn arg_help(path: &str, id: &str) -> Option<&'static str> {
    let key = format!("{path}/{id}");
    ARGS.iter()
        .find(|(k, _)| *k == key)
        .or_else(|| ARGS.iter().find(|(k, _)| *k == format!("*/{id}")))
        .map(|(_, t)| *t)
}

fn localise(mut cmd: Command, path: &str) -> Command {
    if let Some(text) = about(path) {
        let short = text.split("\n\n").next().unwrap_or(text).to_string();
        cmd = cmd.about(short).long_about(text);
    }
    if let Some(text) = about(&format!("{path}!after")) {
        cmd = cmd.after_long_help(text);
    }
    cmd = cmd
        .help_template("{before-help}{about-with-newline}\nUso: {usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("Órdenes")
        .subcommand_value_name("ORDEN");
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        let help = arg_help(path, &id);
        cmd = cmd.mut_arg(id.as_str(), |a| spanish_arg(a, help));
    }
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in names {
        let sub = path_of(path, &name);
        cmd = if name == "help" {
            cmd.mut_subcommand("help", |s| {
                localise(s.about("Muestra esta ayuda o la de la orden dada"), &sub)
            })
        } else {
            cmd.mut_subcommand(name.as_str(), |s| localise(s, &sub))
        };
    }
    cmd
}

fn spanish_arg(a: Arg, help: Option<&'static str>) -> Arg {
    let id = a.get_id().to_string();
    let mut text = match (id.as_str(), help) {
        ("help", _) => "Muestra esta ayuda".to_string(),
        ("version", _) => "Muestra la versión".to_string(),
        (_, Some(h)) => h.to_string(),
        (_, None) => return a,
    };
    // clap's own notes, in Spanish.
    let values: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !values.is_empty() && a.get_action().takes_values() {
        text.push_str(&format!(" [valores: {}]", values.join(", ")));
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && a.get_action().takes_values() {
        text.push_str(&format!(" [predeterminado: {}]", defaults.join(", ")));
    }
    if let Some(env) = a.get_env() {
        text.push_str(&format!(" [variable: {}]", env.to_string_lossy()));
    }
    let heading = if a.is_positional() { "Argumentos" } else { "Opciones" };
    a.help(text)
        .long_help(None::<&str>)
        .hide_possible_values(true)
        .hide_default_value(true)
        .hide_env(true)
        .help_heading(heading)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// Every command and argument without its Spanish, as `path` or `path/id`.
    fn missing(cmd: &Command, path: &str, out: &mut Vec<String>) {
        if about(path).is_none() && cmd.get_name() != "help" {
            out.push(format!(
                "command {path:?}: {:?}",
                cmd.get_about().map(|a| a.to_string())
            ));
        }
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            if ["help", "version"].contains(&id) || a.is_hide_set() {
                continue;
            }
            if arg_help(path, id).is_none() {
                out.push(format!("arg {path}/{id}: {:?}", a.get_help().map(|h| h.to_string())));
            }
        }
        for s in cmd.get_subcommands() {
            if s.get_name() != "help" {
                missing(s, &path_of(path, s.get_name()), out);
            }
        }
    }

    #[test]
    fn every_command_and_argument_has_its_spanish_help() {
        let mut cmd = crate::Cli::command();
        cmd.build();
        let mut out = Vec::new();
        missing(&cmd, "", &mut out);
        assert!(out.is_empty(), "without Spanish help:\n{}", out.join("\n"));
    }

    #[test]
    fn spanish_help_renders_for_every_command() {
        fn walk(cmd: &mut Command, seen: &mut usize) {
            let help = placeholders(&cmd.render_long_help().to_string());
            assert!(help.contains("Uso: "), "{help}");
            for english in [
                "Usage:",
                "Options:",
                "Commands:",
                "Arguments:",
                "Print",
                "[default:",
                "[env:",
                "[OPTIONS]",
            ] {
                assert!(!help.contains(english), "{english} in:\n{help}");
            }
            *seen += 1;
            for s in cmd.get_subcommands_mut() {
                walk(s, seen);
            }
        }
        let mut cmd = spanish(crate::Cli::command());
        let mut seen = 0;
        walk(&mut cmd, &mut seen);
        assert!(seen > 40, "{seen}");
    }

    #[test]
    fn the_spanish_tree_parses_as_the_english_one() {
        let cmd = spanish(crate::Cli::command());
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
