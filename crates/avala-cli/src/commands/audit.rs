//! `avala audit`: the log verified (against checkpoints), checkpoints taken, events proven.

use std::path::Path;

use avala::Error;
use avala::checkpoint::CheckpointFile;
use avala::files::FileKind;

use super::{Ctx, Result, read_file};
use crate::AuditCmd;
use crate::output::{Cell, Col, Format, done, listing};
use crate::say::Say;

/// The columns of the list of checkpoints.
const CHECKPOINTS: &[Col] = &[
    ("id", Cell::Text),
    ("at", Cell::Time),
    ("streams", Cell::Text),
    ("events", Cell::Text),
    ("root", Cell::Short),
    ("key_id", Cell::Text),
];

pub async fn run(ctx: &Ctx<'_>, cmd: &AuditCmd) -> Result {
    match cmd {
        AuditCmd::Verify { checkpoints } => verify(ctx, checkpoints).await,
        AuditCmd::Checkpoint { out, id } => checkpoint(ctx, out.as_deref(), *id).await,
        AuditCmd::Checkpoints => {
            let (engine, actor) = ctx.acting().await?;
            listing(ctx.out, CHECKPOINTS, &engine.checkpoints(&actor).await?);
            Ok(())
        }
        AuditCmd::Prove {
            stream,
            seq,
            checkpoint,
            out,
        } => prove(ctx, stream, *seq, checkpoint.as_deref(), out.as_deref()).await,
        AuditCmd::VerifyProof { file, public_key } => verify_proof(ctx, file, public_key.as_deref()).await,
    }
}

/// The text of a file as UTF-8.
fn text_of(path: &Path) -> Result<String> {
    let bytes = read_file(path, FileKind::Checkpoint)?;
    String::from_utf8(bytes).map_err(|_| Error::CheckpointForged {
        checkpoint: path.display().to_string(),
        problem: avala::error::ForgeProblem::Format { detail: "UTF-8".into() },
    })
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result {
    let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
    avala::config::write_atomic(path, text.as_bytes(), false)
}

async fn verify(ctx: &Ctx<'_>, paths: &[std::path::PathBuf]) -> Result {
    let (engine, actor) = ctx.acting().await?;
    let mut files: Vec<(String, CheckpointFile)> = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let file = engine.read_checkpoint(&name, &text_of(path)?).await?;
        files.push((name, file));
    }
    let replay = engine.replay_audit(&actor).await?;
    replayed(ctx, &replay);
    let report = engine.verify_audit_against(&actor, &files).await?;
    let shown = Audit {
        chain: &report,
        replay: &replay,
    };
    if report.findings_total == 0 {
        done(
            ctx.out,
            &shown,
            Say::AuditIntact {
                events: report.events,
                streams: report.streams,
            },
        );
        if ctx.out.format == Format::Table && !report.checkpoints.is_empty() {
            println!(
                "{}",
                Say::AuditMatches {
                    checkpoints: &report.checkpoints
                }
                .text(ctx.out.lang)
            );
        }
        if !replay.matches() {
            return Err(Error::ReadModelDiffers {
                differences: replay.total_differences,
            });
        }
        return Ok(());
    }
    if ctx.out.format.is_json() {
        println!("{}", serde_json::to_string_pretty(&shown).unwrap_or_default());
    } else {
        let c = avala::messages::of(ctx.out.lang);
        for finding in &report.findings {
            println!("{}", c.finding(finding));
        }
        let more = report.findings_total - report.findings.len() as u64;
        if more > 0 {
            println!("{}", Say::MoreFindings { count: more }.text(ctx.out.lang));
        }
    }
    Err(Error::AuditFindings {
        count: report.findings_total,
    })
}

/// What `audit verify` answers: the chains and checkpoints, and the read model replayed.
#[derive(serde::Serialize)]
struct Audit<'a> {
    #[serde(flatten)]
    chain: &'a avala::audit::AuditReport,
    replay: &'a avala::replay::ReplayReport,
}

/// Says what the replay found, before the chains' answer: every difference listed, the
/// fields older events lack said as not checkable (scripts read both in the JSON).
fn replayed(ctx: &Ctx<'_>, replay: &avala::replay::ReplayReport) {
    if ctx.out.format.is_json() {
        return;
    }
    let lang = ctx.out.lang;
    for d in &replay.differences {
        println!("{}", Say::ReplayDifference(d).text(lang));
    }
    let checked = &replay.checked;
    let summary = match replay.matches() {
        true => Say::ReplayMatches { checked },
        false => Say::ReplayDiffers {
            checked,
            total: replay.total_differences,
            shown: replay.differences.len(),
        },
    };
    println!("{}", summary.text(lang));
    for n in &replay.not_checkable {
        println!("{}", Say::ReplayNotCheckable(n).text(lang));
    }
}

async fn checkpoint(ctx: &Ctx<'_>, out: Option<&Path>, id: Option<i64>) -> Result {
    let (engine, actor) = ctx.acting().await?;
    let file = match id {
        Some(id) => engine.checkpoint_file(&actor, id).await?,
        None => {
            let config = ctx.config()?;
            let key = engine.signing_key(&actor, &config).await?;
            engine.take_checkpoint(&actor, &key, &config).await?
        }
    };
    if let Some(path) = out {
        write_json(path, &file)?;
    }
    let head = &file.checkpoint;
    let summary = serde_json::json!({
        "id": file.id,
        "checkpoint": head,
        "file": out.map(|p| p.display().to_string()),
    });
    done(
        ctx.out,
        &summary,
        Say::CheckpointTaken {
            id: file.id,
            streams: head.streams,
            events: head.events,
            root: &head.root,
            key_id: &head.key_id,
            file: out,
        },
    );
    Ok(())
}

async fn prove(ctx: &Ctx<'_>, stream: &str, seq: i64, checkpoint: Option<&Path>, out: Option<&Path>) -> Result {
    let (engine, actor) = ctx.acting().await?;
    let file = match checkpoint {
        Some(path) => Some(
            engine
                .read_checkpoint(&path.display().to_string(), &text_of(path)?)
                .await?,
        ),
        None => None,
    };
    let proof = engine.prove_event(&actor, stream, seq, file).await?;
    match out {
        Some(path) => {
            write_json(path, &proof)?;
            done(
                ctx.out,
                &proof,
                Say::ProofWritten {
                    stream,
                    seq,
                    file: path,
                },
            );
        }
        None => println!("{}", serde_json::to_string_pretty(&proof).unwrap_or_default()),
    }
    Ok(())
}

async fn verify_proof(ctx: &Ctx<'_>, path: &Path, public_key: Option<&str>) -> Result {
    let text = {
        let bytes = read_file(path, FileKind::Checkpoint)?;
        String::from_utf8_lossy(&bytes).into_owned()
    };
    // With the published key given, no database is opened.
    let trusted = match public_key {
        Some(hex) => vec![avala::engine::parse_public_key(hex)?],
        None => {
            let engine = ctx.engine().await?;
            let keys = engine.issuer_keys().await?;
            keys.iter()
                .map(|k| avala::engine::parse_public_key(&k.public_key))
                .collect::<Result<Vec<_>>>()?
        }
    };
    let checked = avala::engine::check_proof(&text, &trusted)?;
    done(ctx.out, &checked, Say::ProofHolds { proof: &checked });
    Ok(())
}
