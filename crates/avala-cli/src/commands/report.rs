//! `avala report` and `avala audit`.

use avala::engine::{REFUSED_EMAIL, ReportBy, ReportRow};

use super::{Ctx, Result};
use crate::ReportArgs;
use crate::output::{Cell, Col, Format, done, listing};
use crate::say::Say;

/// The columns of an overdue listing.
const OVERDUE: &[Col] = &[
    ("enrollment", Cell::Text),
    ("window", Cell::Text),
    ("state", Cell::State("enrollment")),
    ("deadline", Cell::State("deadline")),
    ("due", Cell::Time),
    ("days_late", Cell::Text),
];

pub async fn run(ctx: &Ctx<'_>, args: &ReportArgs) -> Result {
    let (engine, actor) = ctx.acting().await?;
    if args.by == "overdue" {
        listing(ctx.out, OVERDUE, &engine.overdue(&actor, args.window).await?);
        return Ok(());
    }
    let by = if args.by == "institution" {
        ReportBy::Institution
    } else {
        ReportBy::Stage
    };
    let rows = engine.report(&actor, args.window, by, args.open_data).await?;
    // People read stages in their language and suppressed counts as "<5"; scripts get the
    // rows as they are.
    #[derive(serde::Serialize)]
    struct Line {
        group: String,
        count: String,
    }
    let c = avala::messages::of(ctx.out.lang);
    if ctx.out.format == Format::Table {
        let lines: Vec<Line> = rows
            .iter()
            .map(|r: &ReportRow| Line {
                group: match by {
                    ReportBy::Stage if r.group == REFUSED_EMAIL => c.column("refused_email"),
                    ReportBy::Stage => c.state("enrollment", &r.group),
                    ReportBy::Institution => r.group.clone(),
                },
                count: r
                    .count
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| Say::Suppressed.text(ctx.out.lang)),
            })
            .collect();
        let columns: &[Col] = &[("group", Cell::Text), ("count", Cell::Text)];
        listing(ctx.out, columns, &lines);
    } else {
        listing(ctx.out, &[], &rows);
    }
    if by == ReportBy::Stage && !args.open_data && ctx.out.format == Format::Table {
        let overdue = engine.overdue(&actor, args.window).await?;
        if overdue.is_empty() {
            println!("\n{}", Say::NothingOverdue.text(ctx.out.lang));
        } else {
            println!("\n{}", Say::Overdue { count: overdue.len() }.text(ctx.out.lang));
            listing(ctx.out, OVERDUE, &overdue);
        }
    }
    Ok(())
}

pub async fn audit(ctx: &Ctx<'_>) -> Result {
    let (engine, actor) = ctx.acting().await?;
    let replay = engine.replay_audit(&actor).await?;
    replayed(ctx, &replay);
    let report = engine.verify_audit(&actor).await?;
    let shown = Audit {
        chain: &report,
        replay: &replay,
    };
    match &report.broken {
        None => done(
            ctx.out,
            &shown,
            Say::AuditIntact {
                events: report.events,
                streams: report.streams,
            },
        ),
        Some(b) => {
            if ctx.out.format.is_json() {
                println!("{}", serde_json::to_string_pretty(&shown).unwrap_or_default());
            }
            return Err(avala::Error::AuditBroken {
                stream: b.stream.clone(),
                seq: b.seq,
                row: b.id,
                problem: b.problem.clone(),
            });
        }
    }
    if !replay.matches() {
        return Err(avala::Error::ReadModelDiffers {
            differences: replay.total_differences,
        });
    }
    Ok(())
}

/// What `audit verify` answers: the chains, and the read model replayed (`replay`).
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
