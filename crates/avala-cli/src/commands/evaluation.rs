//! `avala diagnostic`, `avala evaluation`, `avala verdict`, `avala dictamen`.

use super::{Ctx, Result, read_file};
use crate::output::done;
use crate::say::Say;
use crate::{DictamenCmd, EvaluationCmd};

pub async fn diagnostic(ctx: &Ctx<'_>, enrollment: i64, score: u8) -> Result {
    let (engine, actor) = ctx.acting().await?;
    let out = engine.record_diagnostic(&actor, enrollment, score).await?;
    let say = Say::Diagnosed {
        enrollment,
        score,
        threshold: out.threshold,
        below: out.training_recommended,
    };
    done(ctx.out, &out, say);
    Ok(())
}

pub async fn run(ctx: &Ctx<'_>, cmd: &EvaluationCmd) -> Result {
    let (engine, actor) = ctx.acting().await?;
    match cmd {
        EvaluationCmd::Plan {
            enrollment,
            evaluator,
            at,
            tz,
        } => {
            let planned = engine
                .plan_evaluation_at(&actor, *enrollment, evaluator, at, tz.as_deref())
                .await?;
            let json = serde_json::json!({"enrollment": enrollment, "evaluator": evaluator, "at": planned.at, "state": "evaluation_planned"});
            let say = Say::Planned {
                enrollment: *enrollment,
                evaluator,
                at: avala::clock::local_text(planned.at, &planned.tz),
            };
            done(ctx.out, &json, say);
        }
        EvaluationCmd::Submit { enrollment, file } => {
            let judgements = avala::import::judgements(&read_file(file, avala::files::FileKind::Spreadsheet)?)
                .map_err(|problems| avala::Error::InstrumentRejected { problems })?;
            let out = engine.record_evaluation(&actor, *enrollment, &judgements).await?;
            print_verdict(ctx, &out);
        }
        EvaluationCmd::Record {
            enrollment,
            element,
            competent,
            evidence,
            feedback,
            ..
        } => {
            engine
                .record_judgement(
                    &actor,
                    *enrollment,
                    element,
                    *competent,
                    evidence.as_deref(),
                    feedback.as_deref(),
                )
                .await?;
            let element = element.trim().to_uppercase();
            let json = serde_json::json!({"enrollment": enrollment, "element": element, "competent": competent});
            let say = Say::Judged {
                enrollment: *enrollment,
                element: &element,
                competent: *competent,
            };
            done(ctx.out, &json, say);
        }
    }
    Ok(())
}

/// What a verdict tells the evaluator.
fn print_verdict(ctx: &Ctx<'_>, out: &avala::engine::VerdictOutcome) {
    let not_yet = out.not_yet_competent.join(", ");
    let say = Say::Verdict {
        enrollment: out.enrollment,
        competent: out.competent,
        not_yet,
    };
    done(ctx.out, out, say);
}

pub async fn verdict(ctx: &Ctx<'_>, enrollment: i64) -> Result {
    let (engine, actor) = ctx.acting().await?;
    let out = engine.record_verdict(&actor, enrollment).await?;
    print_verdict(ctx, &out);
    Ok(())
}

pub async fn dictamen(ctx: &Ctx<'_>, cmd: &DictamenCmd) -> Result {
    let DictamenCmd::Issue {
        window,
        enrollments,
        procede,
        ..
    } = cmd;
    let (engine, actor) = ctx.acting().await?;
    let out = engine
        .issue_dictamen_checked(&actor, &ctx.config()?, *window, enrollments, *procede)
        .await?;
    let say = Say::Dictamen {
        lote: out.id,
        procede: out.procede,
        enrollments: out.enrollments.len(),
        certificates: out.folios.len(),
        first: out.folios.first().map(String::as_str).unwrap_or("—"),
        last: out.folios.last().map(String::as_str).unwrap_or("—"),
    };
    done(ctx.out, &out, say);
    Ok(())
}
