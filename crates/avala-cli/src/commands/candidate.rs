//! `avala candidate`, `avala enrollment`, `avala withdraw`.

use avala::engine::{Cursor, NewCandidate, PAGE};
use avala::machine::{EnrollmentState, Lifecycle};

use super::{Ctx, Result};
use crate::output::{Cell, Col, Pages, done, record};
use crate::say::Say;
use crate::{CandidateCmd, EnrollmentCmd, WithdrawArgs};

pub async fn run(ctx: &Ctx<'_>, cmd: &CandidateCmd) -> Result {
    let (engine, actor) = ctx.acting().await?;
    match cmd {
        CandidateCmd::Register {
            window,
            curp,
            passport,
            name,
            email,
            institution,
            position,
            public_registry,
        } => {
            let candidate = NewCandidate::from_input(
                curp.as_deref(),
                passport.as_deref(),
                name,
                email,
                institution,
                position.as_deref(),
                *public_registry,
            )?;
            let id = engine.register(&actor, *window, candidate).await?;
            done(
                ctx.out,
                &serde_json::json!({"enrollment": id, "window": window, "state": "registered"}),
                Say::Registered {
                    enrollment: id,
                    window: *window,
                },
            );
        }
        CandidateCmd::Import { window, file, dry_run } => {
            // Read as it is imported, a round of rows at a time; a file over the size a
            // spreadsheet may have is refused unread.
            let input = avala::files::open(file, avala::files::FileKind::Spreadsheet)?;
            let out = engine.import_candidates_from(&actor, *window, input, *dry_run).await?;
            if out.encoding == avala::import::Encoding::Windows1252 && !ctx.out.format.is_json() {
                println!(
                    "{}",
                    Say::Windows1252 {
                        file: &file.display().to_string()
                    }
                    .text(ctx.out.lang)
                );
            }
            let say = Say::Imported {
                rows: out.registered,
                window: *window,
                institutions: out.new_institutions,
                dry_run: out.dry_run,
            };
            done(ctx.out, &out, say);
        }
        CandidateCmd::Link { enrollment } => {
            let token = engine.issue_candidate_link(&actor, *enrollment).await?;
            done(
                ctx.out,
                &serde_json::json!({"enrollment": enrollment, "token": token}),
                Say::LinkIssued {
                    enrollment: *enrollment,
                    token: &token,
                },
            );
        }
    }
    Ok(())
}

pub async fn enrollment(ctx: &Ctx<'_>, cmd: &EnrollmentCmd) -> Result {
    let (engine, actor) = ctx.acting().await?;
    match cmd {
        EnrollmentCmd::Show { id } => {
            let d = engine.show_enrollment(&actor, *id).await?;
            const COLUMNS: &[Col] = &[
                ("id", Cell::Text),
                ("window_id", Cell::Text),
                ("state", Cell::State("enrollment")),
                ("name", Cell::Text),
                ("identity_kind", Cell::Text),
                ("identity", Cell::Text),
                ("email", Cell::Text),
                ("institution", Cell::Text),
                ("position", Cell::Text),
                ("public_registry", Cell::Text),
                ("registered_at", Cell::Time),
                ("diagnostic_score", Cell::Text),
                ("evaluator_id", Cell::Text),
                ("evaluation_at", Cell::Time),
                ("standard_version", Cell::Text),
                ("verdict", Cell::Text),
                ("dictamen_batch_id", Cell::Text),
                ("withdrawn_reason", Cell::Text),
                ("folios", Cell::Text),
            ];
            let c = avala::messages::of(ctx.out.lang);
            let judgements: Vec<(String, String)> = d
                .judgements
                .iter()
                .map(|j| {
                    let verdict = if j.competent {
                        c.state("enrollment", "competent")
                    } else {
                        c.state("enrollment", "not_yet_competent")
                    };
                    let feedback = j.feedback.as_ref().map(|f| format!(" — {f}")).unwrap_or_default();
                    (
                        c.column("judgement"),
                        format!("{} {verdict} ({}){feedback}", j.element_code, j.evaluator_id),
                    )
                })
                .collect();
            record(ctx.out, &d, COLUMNS, &judgements);
        }
        EnrollmentCmd::List { window, state } => {
            let state = state
                .as_deref()
                .map(|s| {
                    EnrollmentState::parse(s).map_err(|e| avala::Error::UnknownValue {
                        field: avala::domain::Field::State,
                        value: e.value,
                        known: EnrollmentState::ALL.iter().map(|s| s.as_str().to_string()).collect(),
                    })
                })
                .transpose()?;
            const COLUMNS: &[Col] = &[
                ("id", Cell::Text),
                ("window_id", Cell::Text),
                ("state", Cell::State("enrollment")),
                ("name", Cell::Text),
                ("institution", Cell::Text),
                ("evaluator_id", Cell::Text),
                ("diagnostic_score", Cell::Text),
                ("verdict", Cell::Text),
            ];
            // Read and printed a page at a time: a listing of any length in little memory.
            let mut out = Pages::new(ctx.out, COLUMNS);
            let mut cursor = Cursor::default();
            while let Some(rows) = cursor.next(
                engine
                    .enrollments_page(&actor, *window, state, cursor.after(), PAGE)
                    .await?,
            ) {
                out.page(&rows);
            }
            out.finish();
        }
    }
    Ok(())
}

pub async fn withdraw(ctx: &Ctx<'_>, args: &WithdrawArgs) -> Result {
    let (engine, actor) = ctx.acting().await?;
    engine.withdraw(&actor, args.enrollment, &args.reason).await?;
    done(
        ctx.out,
        &serde_json::json!({"enrollment": args.enrollment, "state": "withdrawn"}),
        Say::Withdrawn {
            enrollment: args.enrollment,
        },
    );
    Ok(())
}
