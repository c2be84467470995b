//! `avala demo`: the whole EC1057 cohort, end to end, in a fresh folder, through the very
//! engine calls the commands make (no second code path).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Duration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::actor::Actor;
use crate::config::Config;
use crate::domain::text::Note;
use crate::engine::{Cursor, Engine, Judgement, NewStaff, PAGE, Role};
use crate::error::{Error, Result};
use crate::machine::{EnrollmentState, WindowEvent};
use crate::mail::Mailer;
use crate::store::Db;
use crate::worker::{RunSummary, Worker};
use crate::{Clock, Lang};

/// The EC1057 standard, as shipped in `standards/`.
pub const EC1057_TOML: &str = include_str!("../../../standards/EC1057.toml");
/// The 334-candidate cohort, as shipped in `fixtures/`.
pub const COHORT_CSV: &[u8] = include_bytes!("../../../fixtures/ec1057-cohort.csv");

/// One of the demo's long steps, for a progress display to name in its reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Importing the cohort file.
    Import,
    /// Recording the diagnostics.
    Diagnostics,
    /// Planning and judging the evaluations.
    Evaluations,
    /// Issuing the dictámenes.
    Dictamenes,
    /// Rendering the certificates and sending the e-mails.
    Certificates,
}

/// Reports the demo's progress (the CLI draws bars; tests ignore it).
pub trait Progress {
    /// A step with `total` units begins.
    fn start(&self, step: Step, total: u64);
    /// `n` units done.
    fn advance(&self, n: u64);
    /// The step ended.
    fn finish(&self);
}

/// Advances `progress` by the jobs a worker finished since it last reported.
fn jobs_done(progress: &dyn Progress) -> impl FnMut(&RunSummary) + '_ {
    let mut reported = 0;
    move |summary| {
        progress.advance(summary.jobs - reported);
        reported = summary.jobs;
    }
}

/// Progress that reports nothing.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: Step, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// What the demo did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    /// The folder.
    pub dir: PathBuf,
    /// The database: its file, or its URL (password hidden).
    pub database: String,
    /// Candidates imported.
    pub candidates: usize,
    /// Enrollments per final state.
    pub states: Vec<(String, i64)>,
    /// Dictamen batches issued.
    pub batches: usize,
    /// What the runner did.
    pub runner: RunSummary,
    /// Where the PDFs are.
    pub certificates_dir: PathBuf,
    /// Where the e-mails are.
    pub outbox_dir: PathBuf,
}

/// The demo's staff: (id, name, roles).
const STAFF: [(&str, &str, Role); 8] = [
    (ADMIN, "Lic. Adriana Velázquez Ortiz", Role::Admin),
    ("eva.rosales", "Mtra. Beatriz Rosales Núñez", Role::Evaluator),
    ("eva.ibanez", "Lic. Julián Ibáñez Cortés", Role::Evaluator),
    ("eva.quinones", "Mtro. Raúl Quiñones Ávila", Role::Evaluator),
    ("eva.solis", "Lic. Itzel Solís Peña", Role::Evaluator),
    ("eva.munoz", "Lic. Germán Muñoz Trejo", Role::Evaluator),
    ("ver.dominguez", "Dra. Mónica Domínguez Herrera", Role::Verifier),
    ("ver.zuniga", "Mtro. Óscar Zúñiga Estrada", Role::Verifier),
];

/// The cohort CSV for `n` candidates: the fixture's rows first, then generated ones.
pub fn cohort_csv(n: usize) -> Vec<u8> {
    if n == 334 {
        return COHORT_CSV.to_vec();
    }
    if n < 334 {
        let text = String::from_utf8_lossy(COHORT_CSV);
        let mut lines: Vec<&str> = text.lines().take(n + 1).collect();
        lines.push("");
        return lines.join("\n").into_bytes();
    }
    crate::cohort::to_csv(&crate::cohort::generate(n, 1057)).into_bytes()
}

/// The administrator who runs the demo.
pub const ADMIN: &str = "admin";

/// What a cohort is taken through: see [`stage`].
pub struct Stage {
    /// The open window.
    pub window: i64,
    /// The codes of the standard's elements, in order.
    pub elements: Vec<String>,
    /// The administrator.
    pub admin: Actor,
    /// The evaluators.
    pub evaluators: Vec<Actor>,
    /// The verifiers.
    pub verifiers: Vec<Actor>,
}

/// Sets the stage on a fresh database: the demo's staff (an administrator, five evaluators and
/// two verifiers), the EC1057 standard, and a window open from an hour ago for 30 days with
/// room for `capacity` candidates (no limit when none).
pub async fn stage(engine: &Engine, capacity: Option<i64>) -> Result<Stage> {
    for (id, name, role) in STAFF {
        let email = format!("{}@transparencia.edomex.example", id);
        let new = NewStaff {
            id: id.into(),
            name: crate::domain::text::PersonName::fixed(name),
            email,
            roles: vec![role],
        };
        // The first (the administrator) is added by the public, as the first staff member is.
        let by = engine.actor((id != ADMIN).then_some(ADMIN)).await?;
        engine.add_staff(&by, new).await?;
    }
    let admin = &engine.actor(Some(ADMIN)).await?;
    let standard = engine
        .load_standard(admin, "standards/EC1057.toml", EC1057_TOML)
        .await?;
    let elements = engine.show_standard(admin, &standard.code).await?.elements;
    let now = engine.now();
    let window = engine
        .create_window(
            admin,
            &standard.code,
            now - Duration::hours(1),
            now + Duration::days(30),
            None,
            capacity,
        )
        .await?;
    engine.transition_window(admin, window, WindowEvent::Open).await?;
    let mut evaluators = Vec::new();
    let mut verifiers = Vec::new();
    for (id, _, role) in STAFF {
        match role {
            Role::Evaluator => evaluators.push(engine.actor(Some(id)).await?),
            Role::Verifier => verifiers.push(engine.actor(Some(id)).await?),
            Role::Admin => {}
        }
    }
    Ok(Stage {
        window,
        elements: elements.into_iter().map(|e| e.code).collect(),
        admin: admin.clone(),
        evaluators,
        verifiers,
    })
}

/// Runs the demo with `n` candidates on `database` (a SQLite file or a PostgreSQL URL, which
/// must hold nothing yet), or, without one, on a new SQLite file in `dir` (which must not hold
/// one yet). The configuration, the key, the cohort file, certificates and e-mails go in `dir`.
pub async fn run(
    dir: &Path,
    database: Option<&str>,
    n: usize,
    clock: Arc<dyn Clock>,
    progress: &dyn Progress,
) -> Result<DemoSummary> {
    if n == 0 {
        return Err(Error::DemoTooSmall);
    }
    let url = match database {
        Some(url) => url.to_string(),
        None => {
            let file = dir.join("avala.db");
            if file.exists() {
                return Err(Error::DemoExists { dir: dir.to_path_buf() });
            }
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            file.to_string_lossy().into_owned()
        }
    };
    let db = Db::open(&url).await?;
    // A database given must be empty: the demo adds its own staff, standard and window, and
    // would mix its made-up people with real ones.
    let mut tx = db.read().await?;
    let events: i64 =
        crate::on!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(c).await?);
    tx.commit().await?;
    if events > 0 {
        db.close().await;
        return Err(Error::DemoDatabaseInUse {
            database: crate::store::redact(&url),
            events,
        });
    }
    let database = crate::store::redact(&url);
    let (config, _) = Config::init(dir, None)?;
    let engine = Engine::new(db, clock);
    engine.register_issuer_key(&config).await?;
    let mut rng = StdRng::seed_from_u64(1057);
    let Stage {
        window,
        elements,
        admin,
        evaluators,
        verifiers,
    } = stage(&engine, Some(n as i64 + 50)).await?;
    let admin = &admin;

    progress.start(Step::Import, 1);
    // The cohort file is left in the folder to look at, and imported from it as the command
    // imports a file: read a round of rows at a time.
    let cohort = dir.join("cohort.csv");
    if n <= 334 {
        crate::config::write_atomic(&cohort, &cohort_csv(n), false)?;
    } else {
        // Generated a row at a time: a cohort of any size is not held in memory.
        let file = std::fs::File::create(&cohort).map_err(|e| Error::io(&cohort, e))?;
        crate::cohort::write_csv(n, 1057, std::io::BufWriter::new(file)).map_err(|e| Error::io(&cohort, e))?;
    }
    let file = std::fs::File::open(&cohort).map_err(|e| Error::io(&cohort, e))?;
    let imported = engine.import_candidates_from(admin, window, file, false).await?;
    progress.finish();

    // The cohort is walked a page at a time, so memory does not grow with it.
    let page =
        |after: i64, state: Option<EnrollmentState>| engine.enrollments_page(admin, Some(window), state, after, PAGE);
    progress.start(Step::Diagnostics, imported.registered as u64);
    let mut cursor = Cursor::default();
    while let Some(enrollments) = cursor.next(page(cursor.after(), None).await?) {
        for e in &enrollments {
            engine
                .record_diagnostic(&evaluators[0], e.id, rng.gen_range(38..=100))
                .await?;
            progress.advance(1);
        }
    }
    progress.finish();

    // A few candidates withdraw (about 2 %), the rest are planned and evaluated.
    progress.start(Step::Evaluations, imported.registered as u64);
    let at = engine.now() + Duration::days(1);
    let (mut cursor, mut i) = (Cursor::default(), 0);
    while let Some(enrollments) = cursor.next(page(cursor.after(), None).await?) {
        for e in &enrollments {
            i += 1;
            if rng.gen_bool(0.02) {
                engine
                    .withdraw(admin, e.id, "Baja voluntaria: cambio de adscripción")
                    .await?;
                progress.advance(1);
                continue;
            }
            let evaluator = &evaluators[i % evaluators.len()];
            engine.plan_evaluation(admin, e.id, &evaluator.audit_name(), at).await?;
            let failing = rng.gen_bool(0.1).then(|| rng.gen_range(0..elements.len()));
            // The evaluator hands in the whole instrument (`avala evaluation submit`).
            let judgements: Vec<Judgement> = elements
                .iter()
                .enumerate()
                .map(|(k, element)| {
                    let competent = failing != Some(k);
                    Judgement {
                        element: element.clone(),
                        competent,
                        evidence: Some(Note::fixed(if competent {
                            "Portafolio de evidencias completo; desempeño observado en la unidad de transparencia."
                        } else {
                            "Producto incompleto: la respuesta no funda ni motiva la clasificación."
                        })),
                        feedback: (!competent).then(|| {
                            Note::fixed(
                                "Reforzar la aplicación de la prueba de daño y los plazos legales de respuesta.",
                            )
                        }),
                    }
                })
                .collect();
            engine.record_evaluation(evaluator, e.id, &judgements).await?;
            progress.advance(1);
        }
    }
    progress.finish();

    // Dictámenes in lotes of up to 100, alternating verifiers; about 1 % no procede (issued
    // together at the end).
    let waiting = engine
        .count_enrollments(admin, Some(window), Some(EnrollmentState::SubmittedForDictamen))
        .await?;
    progress.start(Step::Dictamenes, waiting as u64);
    let (mut batches, mut cursor, mut rejected, mut approved) = (0, Cursor::default(), Vec::new(), 0);
    while let Some(submitted) = cursor.next(page(cursor.after(), Some(EnrollmentState::SubmittedForDictamen)).await?) {
        let (no, yes): (Vec<i64>, Vec<i64>) = submitted.iter().map(|e| e.id).partition(|_| rng.gen_bool(0.01));
        rejected.extend(no);
        for lote in yes.chunks(100) {
            engine
                .issue_dictamen(&verifiers[batches % verifiers.len()], window, lote, true)
                .await?;
            batches += 1;
            approved += lote.len();
            progress.advance(lote.len() as u64);
        }
    }
    for lote in rejected.chunks(100) {
        engine.issue_dictamen(&verifiers[1], window, lote, false).await?;
        batches += 1;
        progress.advance(lote.len() as u64);
    }
    progress.finish();
    engine.transition_window(admin, window, WindowEvent::Close).await?;

    // Two workers, as `avala-runner --concurrency 2` runs them: rendering uses both cores.
    let worker = |name: &str| {
        Worker::new(
            engine.clone(),
            config.clone(),
            Mailer::Outbox(config.outbox_dir()),
            name.into(),
            Lang::Es,
        )
    };
    let (first, second) = (worker("demo-runner-1"), worker("demo-runner-2"));
    // Rendering and delivery of each certificate, and the notices every step queued.
    let jobs: i64 = crate::jobs::counts(engine.db())
        .await?
        .iter()
        .filter(|(s, _)| s == "queued")
        .map(|(_, n)| n)
        .sum();
    progress.start(Step::Certificates, jobs as u64 + approved as u64);
    let (a, b) = tokio::join!(first.drain(jobs_done(progress)), second.drain(jobs_done(progress)));
    let mut runner = a?;
    runner.add(&b?);
    progress.finish();

    let states = engine
        .report(admin, Some(window), crate::engine::ReportBy::Stage, false)
        .await?;
    let summary = DemoSummary {
        dir: dir.to_path_buf(),
        database,
        candidates: imported.registered,
        states: states.into_iter().map(|r| (r.group, r.count.unwrap_or(0))).collect(),
        batches,
        runner,
        certificates_dir: config.certificates_dir(),
        outbox_dir: config.outbox_dir(),
    };
    engine.db().close().await;
    Ok(summary)
}
