//! `--help` in Spanish. clap words the help from a binary's doc comments (English); in Spanish
//! every command's description and every argument's help come from the binary's [`Table`],
//! keyed by the command's path and the argument's id, and clap's own words (headings,
//! `[default: …]`, the help and version flags) are replaced. [`unworded`] walks a whole command
//! tree for what the table lacks, for each binary's test.

use clap::{Arg, Command};

/// A binary's Spanish help.
pub struct Table {
    /// Commands, by path ("" is the binary itself; `path!after` for the text after a
    /// command's long help).
    pub about: &'static [(&'static str, &'static str)],
    /// Arguments, by `path/id` (`*/id` for global ones).
    pub args: &'static [(&'static str, &'static str)],
}

/// A help or usage text clap rendered, with clap's placeholder words in Spanish.
pub fn placeholders(text: &str) -> String {
    text.replace("[OPTIONS]", "[OPCIONES]").replace("[COMMAND]", "[ORDEN]")
}

/// The command tree with its help in Spanish.
pub fn spanish(mut cmd: Command, table: &Table) -> Command {
    cmd.build();
    localise(cmd, "", table)
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
fn about(table: &Table, path: &str) -> Option<&'static str> {
    let mirrored = path.split(' ').any(|s| s == "help") && !path.ends_with("help");
    let path = match mirrored {
        true => path.split(' ').filter(|s| *s != "help").collect::<Vec<_>>().join(" "),
        false => path.to_string(),
    };
    table.about.iter().find(|(p, _)| *p == path).map(|(_, t)| *t)
}

/// The Spanish help of argument `id` of the command at `path`; global arguments are worded once.
fn arg_help(table: &Table, path: &str, id: &str) -> Option<&'static str> {
    let key = format!("{path}/{id}");
    table
        .args
        .iter()
        .find(|(k, _)| *k == key)
        .or_else(|| table.args.iter().find(|(k, _)| *k == format!("*/{id}")))
        .map(|(_, t)| *t)
}

fn localise(mut cmd: Command, path: &str, table: &Table) -> Command {
    if let Some(text) = about(table, path) {
        let short = text.split("\n\n").next().unwrap_or(text).to_string();
        cmd = cmd.about(short).long_about(text);
    }
    if let Some(text) = about(table, &format!("{path}!after")) {
        cmd = cmd.after_long_help(text);
    }
    cmd = cmd
        .help_template("{before-help}{about-with-newline}\nUso: {usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("Órdenes")
        .subcommand_value_name("ORDEN");
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        let help = arg_help(table, path, &id);
        cmd = cmd.mut_arg(id.as_str(), |a| spanish_arg(a, help));
    }
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in names {
        let sub = path_of(path, &name);
        cmd = if name == "help" {
            cmd.mut_subcommand("help", |s| {
                localise(s.about("Muestra esta ayuda o la de la orden dada"), &sub, table)
            })
        } else {
            cmd.mut_subcommand(name.as_str(), |s| localise(s, &sub, table))
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

/// Every command and argument of `cmd` that `table` does not word, as `command PATH` or
/// `arg PATH/ID` with its English.
pub fn unworded(cmd: &Command, table: &Table) -> Vec<String> {
    let mut cmd = cmd.clone();
    cmd.build();
    let mut out = Vec::new();
    missing(&cmd, "", table, &mut out);
    out
}

fn missing(cmd: &Command, path: &str, table: &Table, out: &mut Vec<String>) {
    if about(table, path).is_none() && cmd.get_name() != "help" {
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
        if arg_help(table, path, id).is_none() {
            out.push(format!("arg {path}/{id}: {:?}", a.get_help().map(|h| h.to_string())));
        }
    }
    for s in cmd.get_subcommands() {
        if s.get_name() != "help" {
            missing(s, &path_of(path, s.get_name()), table, out);
        }
    }
}

/// The help of every command of the Spanish tree that still shows clap's English, with what.
pub fn english_left(cmd: &Command, table: &Table) -> Vec<String> {
    fn walk(cmd: &mut Command, out: &mut Vec<String>) -> usize {
        let help = placeholders(&cmd.render_long_help().to_string());
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
            if help.contains(english) || !help.contains("Uso: ") {
                out.push(format!("{english} in:\n{help}"));
            }
        }
        1 + cmd.get_subcommands_mut().map(|s| walk(s, out)).sum::<usize>()
    }
    let mut tree = spanish(cmd.clone(), table);
    let mut out = Vec::new();
    walk(&mut tree, &mut out);
    out
}
