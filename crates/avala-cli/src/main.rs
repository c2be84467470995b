//! `avala`: the command line of administrators, evaluators and verifiers. It parses, calls the
//! library and prints; every rule lives in the `avala` crate.

mod args;
mod commands;
mod output;
mod say;

use std::process::ExitCode;

use clap::CommandFactory;

pub use args::{
    AuditCmd, CandidateCmd, CertificateCmd, Cli, CohortCmd, Command, DemoArgs, DiagnosticCmd, DictamenCmd,
    EnrollmentCmd, EvaluationCmd, InitArgs, JobsCmd, KeysCmd, ReportArgs, StaffCmd, StandardCmd, VerdictCmd, WindowCmd,
    WithdrawArgs,
};

fn main() -> ExitCode {
    // Hidden: which sources this binary was built from (the tests refuse a stale binary).
    if std::env::args_os().nth(1).is_some_and(|a| a == "--build-id") {
        println!("{}", avala::BUILD_ID);
        return ExitCode::SUCCESS;
    }
    avala::limit_malloc_arenas();
    avala::process::quit_quietly_on_closed_pipe();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli: Cli = match avala_cmdline::parse(Cli::command(), &say::help::TABLE, &args) {
        Ok(cli) => cli,
        Err(stop) => {
            if stop.usage_error && avala_cmdline::usage::wants_json(&avala_cmdline::text_of(&args)) {
                let first = stop
                    .text
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ");
                let error = serde_json::json!({"code": "usage", "message": first});
                println!("{}", serde_json::json!({ "error": error }));
            }
            match stop.to_stderr {
                true => eprint!("{}", stop.text),
                false => print!("{}", stop.text),
            }
            return ExitCode::from(stop.code);
        }
    };
    let out = output::Out {
        format: cli.format,
        lang: cli.lang.parse().unwrap_or_default(),
    };
    let runtime = match avala::runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(5);
        }
    };
    match runtime.block_on(commands::run(&cli, out)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let message = e.message(out.lang);
            let hint = e.hint();
            if out.format.is_json() {
                // The error as data (its code and fields), with its text in the reader's language.
                let mut error = serde_json::to_value(&e).unwrap_or_default();
                if let Some(map) = error.as_object_mut() {
                    map.insert("message".into(), message.clone().into());
                    if let Some(h) = &hint {
                        map.insert("hint".into(), serde_json::to_value(h).unwrap_or_default());
                    }
                }
                println!("{}", serde_json::json!({ "error": error }));
            }
            eprintln!("error: {message}");
            if let Some(h) = &hint {
                eprintln!("  {}", say::hint(h, out.lang));
            }
            ExitCode::from(match e.class() {
                avala::error::ErrorClass::Refused | avala::error::ErrorClass::Forbidden => 1,
                avala::error::ErrorClass::Conflict => 3,
                avala::error::ErrorClass::NotFound => 4,
                avala::error::ErrorClass::Internal => 5,
            })
        }
    }
}
