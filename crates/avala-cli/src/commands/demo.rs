//! `avala demo`: the whole EC1057 cohort, with progress bars.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::{Ctx, Result};
use crate::DemoArgs;
use crate::output::done;
use crate::say::{DemoText, Say};

/// Progress bars for the demo's long steps.
struct Bars {
    bar: std::sync::Mutex<Option<ProgressBar>>,
    quiet: bool,
    lang: avala::Lang,
}

impl avala::demo::Progress for Bars {
    fn start(&self, step: avala::demo::Step, total: u64) {
        if self.quiet {
            return;
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{msg:28} [{bar:30}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(Say::DemoStep(step).text(self.lang));
        *self.bar.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar);
    }
    fn advance(&self, n: u64) {
        if let Some(bar) = &*self.bar.lock().unwrap_or_else(|e| e.into_inner()) {
            bar.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish();
        }
    }
}

pub async fn run(ctx: &Ctx<'_>, args: &DemoArgs) -> Result {
    let started = Instant::now();
    let bars = Bars {
        bar: std::sync::Mutex::new(None),
        quiet: ctx.out.format.is_json(),
        lang: ctx.out.lang,
    };
    // The demo's own SQLite file in --dir unless a database was given (--db or its variable).
    let database = (ctx.cli.db != crate::args::DEFAULT_DB).then_some(ctx.cli.db.as_str());
    let summary = avala::demo::run(&args.dir, database, args.candidates, avala::clock::from_env()?, &bars).await?;
    let c = avala::messages::of(ctx.out.lang);
    let text = DemoText {
        candidates: summary.candidates,
        seconds: started.elapsed().as_secs_f64(),
        states: summary
            .states
            .iter()
            .map(|(state, n)| (c.state("enrollment", state), *n))
            .collect(),
        batches: summary.batches,
        rendered: summary.runner.rendered,
        delivered: summary.runner.delivered,
        notices: summary.runner.notices,
        failed: summary.runner.dead + summary.runner.retried,
        certificates_dir: summary.certificates_dir.display().to_string(),
        outbox_dir: summary.outbox_dir.display().to_string(),
        database: summary.database.clone(),
    };
    done(ctx.out, &summary, Say::Demo(&text));
    Ok(())
}
