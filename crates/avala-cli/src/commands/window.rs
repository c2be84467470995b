//! `avala window`.

use avala::machine::{Lifecycle, WindowEvent};

use super::{Ctx, Result};
use crate::WindowCmd;
use crate::output::{Cell, Col, done, listing, record};
use crate::say::Say;

/// The columns of a window, in listings and records.
const COLUMNS: &[Col] = &[
    ("id", Cell::Text),
    ("standard_code", Cell::Text),
    ("state", Cell::State("window")),
    ("opens_at", Cell::Time),
    ("closes_at", Cell::Time),
    ("capacity", Cell::Text),
    ("enrolled", Cell::Text),
];

pub async fn run(ctx: &Ctx<'_>, cmd: &WindowCmd) -> Result {
    let (engine, actor) = ctx.acting().await?;
    match cmd {
        WindowCmd::Create {
            standard,
            opens,
            closes,
            tz,
            capacity,
        } => {
            let opens = avala::parse_instant(opens, tz)?;
            let closes = avala::parse_instant(closes, tz)?;
            let id = engine
                .create_window(&actor, standard, opens, closes, Some(tz), *capacity)
                .await?;
            done(
                ctx.out,
                &serde_json::json!({"id": id, "state": "scheduled"}),
                Say::WindowCreated { id },
            );
        }
        WindowCmd::Open { id } | WindowCmd::Close { id } | WindowCmd::Cancel { id } => {
            let event = match cmd {
                WindowCmd::Open { .. } => WindowEvent::Open,
                WindowCmd::Close { .. } => WindowEvent::Close,
                _ => WindowEvent::Cancel,
            };
            let state = engine.transition_window(&actor, *id, event).await?;
            let worded = avala::messages::of(ctx.out.lang).state("window", state.as_str());
            done(
                ctx.out,
                &serde_json::json!({"id": id, "state": state.as_str()}),
                Say::WindowNow { id: *id, state: worded },
            );
        }
        WindowCmd::List => listing(ctx.out, COLUMNS, &engine.list_windows(&actor).await?),
        WindowCmd::Show { id } => {
            let w = engine.show_window(&actor, *id).await?;
            record(ctx.out, &w, &[COLUMNS, &[("tz", Cell::Text)]].concat(), &[]);
        }
    }
    Ok(())
}
