//! `avala jobs`.

use super::{Ctx, Result};
use crate::JobsCmd;
use crate::output::{Cell, Col, done, listing, record};
use crate::say::Say;

/// The columns of a job.
const COLUMNS: &[Col] = &[
    ("id", Cell::Text),
    ("kind", Cell::State("job_kind")),
    ("state", Cell::State("job")),
    ("attempts", Cell::Text),
    ("run_at", Cell::Time),
    ("lease_holder", Cell::Text),
    ("lease_expires_at", Cell::Time),
    ("last_error", Cell::Text),
];

pub async fn run(ctx: &Ctx<'_>, cmd: &JobsCmd) -> Result {
    let (engine, actor) = ctx.acting().await?;
    match cmd {
        JobsCmd::List { state, limit } => {
            listing(
                ctx.out,
                COLUMNS,
                &engine.list_jobs(&actor, state.as_deref(), *limit).await?,
            );
        }
        JobsCmd::Show { id } => {
            let (job, attempts) = engine.show_job(&actor, *id).await?;
            if ctx.out.format.is_json() {
                done(
                    ctx.out,
                    &serde_json::json!({"job": job, "attempts": attempts}),
                    Say::None,
                );
                return Ok(());
            }
            let c = avala::messages::of(ctx.out.lang);
            let lines: Vec<(String, String)> = attempts
                .iter()
                .map(|a| {
                    (
                        c.column("attempt"),
                        format!(
                            "#{} {} — {} — {}: {}",
                            a.attempt,
                            c.state("attempt", &a.outcome),
                            a.holder,
                            a.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
                            a.detail
                        ),
                    )
                })
                .collect();
            let columns = [
                COLUMNS,
                &[("max_attempts", Cell::Text), ("idempotency_key", Cell::Text)],
            ]
            .concat();
            record(ctx.out, &job, &columns, &lines);
        }
        JobsCmd::Retry { id: Some(id), .. } => {
            let job = engine.retry_job(&actor, *id).await?;
            let say = Say::JobRetried {
                job: *id,
                attempts: job.attempts,
            };
            done(ctx.out, &job, say);
        }
        JobsCmd::Retry { id: None, kind, .. } => {
            let ids = engine.retry_dead_jobs(&actor, kind.as_deref()).await?;
            let say = Say::DeadJobsRetried { count: ids.len() };
            done(ctx.out, &serde_json::json!({"retried": ids}), say);
        }
        JobsCmd::Cancel { id } => {
            let job = engine.cancel_job(&actor, *id).await?;
            done(ctx.out, &job, Say::JobCancelled { job: *id });
        }
    }
    Ok(())
}
