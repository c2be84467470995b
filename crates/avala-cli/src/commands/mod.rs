//! Each command: open the store, resolve who acts, call the library, print. One file per noun.

mod audit;
mod candidate;
mod certificate;
mod demo;
mod evaluation;
mod jobs;
mod report;
mod setup;
mod window;

use avala::engine::Engine;
use avala::store::Db;
use avala::{Actor, Error};

use crate::output::Out;
use crate::*;

pub type Result<T = ()> = std::result::Result<T, Error>;

/// What every command has at hand.
pub struct Ctx<'a> {
    /// The parsed command line.
    pub cli: &'a Cli,
    /// Where output goes.
    pub out: Out,
}

impl Ctx<'_> {
    /// The engine over the database (migrated).
    pub async fn engine(&self) -> Result<Engine> {
        let db = Db::connect(&self.cli.db, false).await?;
        db.migrate().await?;
        Ok(Engine::new(db, avala::clock::from_env()?))
    }

    /// The engine and who acts (`--as`), resolved once.
    pub async fn acting(&self) -> Result<(Engine, Actor)> {
        let engine = self.engine().await?;
        let actor = engine.actor(self.cli.actor.as_deref()).await?;
        Ok((engine, actor))
    }

    /// The configuration next to the database.
    pub fn config(&self) -> Result<avala::config::Config> {
        avala::config::Config::load(&avala::config::Config::dir_for(&self.cli.db))
    }
}

/// Reads a whole file of `kind`, refused unread when it is larger than its kind may be.
pub fn read_file(path: &std::path::Path, kind: avala::files::FileKind) -> Result<Vec<u8>> {
    avala::files::read(path, kind)
}

/// Runs one command; returns the exit code (0, or the outcome of `certificate verify`).
pub async fn run(cli: &Cli, out: Out) -> Result<u8> {
    let ctx = Ctx { cli, out };
    match &cli.command {
        Command::Init(args) => setup::init(&ctx, args).await?,
        Command::Demo(args) => demo::run(&ctx, args).await?,
        Command::Standard(cmd) => setup::standard(&ctx, cmd).await?,
        Command::Staff(cmd) => setup::staff(&ctx, cmd).await?,
        Command::Window(cmd) => window::run(&ctx, cmd).await?,
        Command::Candidate(cmd) => candidate::run(&ctx, cmd).await?,
        Command::Diagnostic(DiagnosticCmd::Record { enrollment, score }) => {
            evaluation::diagnostic(&ctx, *enrollment, *score).await?
        }
        Command::Evaluation(cmd) => evaluation::run(&ctx, cmd).await?,
        Command::Verdict(VerdictCmd::Record { enrollment }) => evaluation::verdict(&ctx, *enrollment).await?,
        Command::Dictamen(cmd) => evaluation::dictamen(&ctx, cmd).await?,
        Command::Enrollment(cmd) => candidate::enrollment(&ctx, cmd).await?,
        Command::Withdraw(args) => candidate::withdraw(&ctx, args).await?,
        Command::Certificate(cmd) => return certificate::run(&ctx, cmd).await,
        Command::Keys(cmd) => certificate::keys(&ctx, cmd).await?,
        Command::Jobs(cmd) => jobs::run(&ctx, cmd).await?,
        Command::Report(args) => report::run(&ctx, args).await?,
        Command::Audit(cmd) => audit::run(&ctx, cmd).await?,
        Command::Cohort(CohortCmd::Generate { count, seed }) => {
            let stdout = std::io::stdout().lock();
            avala::cohort::write_csv(*count, *seed, std::io::BufWriter::new(stdout))
                .map_err(|e| Error::io("standard output", e))?;
        }
    }
    Ok(0)
}
