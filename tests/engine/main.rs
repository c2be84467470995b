//! The engine's rules on both backends: every command of the process, each rule of DESIGN.md
//! refused with the database unchanged, the audit chain, lost-update protection, and the deadlines.
//!
//! Each body runs twice: on a fresh SQLite file and on a fresh PostgreSQL database (skipped, and
//! saying so, when `AVALA_TEST_POSTGRES_URL` is unset).

use std::collections::HashMap;
use std::sync::Arc;

use avala::config::Config;
use avala::deadlines::Deadline;
use avala::domain::text::Note;
use avala::domain::{Action, Field, Record};
use avala::engine::{Engine, Judgement, NewCandidate, NewStaff, Role};
use avala::error::{Error, Problem};
use avala::machine::{EnrollmentState, Lifecycle, WindowEvent};
use avala::mail::Mailer;
use avala::store::Db;
use avala::worker::Worker;
use avala::{Actor, FixedClock, Lang};
use avala_tests::{TestDb, both};
use chrono::{DateTime, Duration, TimeZone, Utc};

const EC1057: &str = include_str!("../../standards/EC1057.toml");
const ELEMENTS: [&str; 4] = ["E0001", "E0002", "E0003", "E0004"];

/// A Monday, mid-morning in Mexico City.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 16, 0, 0).unwrap()
}

struct World {
    seed: std::sync::atomic::AtomicU64,
    engine: Engine,
    clock: FixedClock,
    window: i64,
    test: TestDb,
    /// The admin, resolved once.
    admin: Actor,
    /// Every staff member by id, resolved once with their roles.
    staff: HashMap<String, Actor>,
}

async fn world(test: TestDb, capacity: Option<i64>) -> World {
    let db = Db::open(&test.url).await.expect("open database");
    let clock = FixedClock::new(start());
    let engine = Engine::new(db, Arc::new(clock.clone()));
    let staff: [(&str, &str, &[Role]); 7] = [
        ("admin", "Ana Administradora", &[Role::Admin]),
        ("eva.a", "Evaluadora Álvarez", &[Role::Evaluator]),
        ("eva.b", "Evaluador Beltrán", &[Role::Evaluator]),
        ("ver.a", "Verificadora Núñez", &[Role::Verifier]),
        ("ver.b", "Verificador Ortiz", &[Role::Verifier]),
        ("dual", "Doble Rol Peña", &[Role::Evaluator, Role::Verifier]),
        (
            "eva.ver.admin",
            "Todo Terreno",
            &[Role::Admin, Role::Evaluator, Role::Verifier],
        ),
    ];
    let mut admin = Actor::Public; // the bootstrap: the first staff member is added by the public
    let mut actors = HashMap::new();
    for (id, name, roles) in staff {
        let new = NewStaff::from_input(id, name, &format!("{id}@itaip.example"), roles.to_vec()).unwrap();
        engine.add_staff(&admin, new).await.expect("add staff");
        let actor = engine.actor(Some(id)).await.expect("resolve staff");
        if id == "admin" {
            admin = actor.clone();
        }
        actors.insert(id.to_string(), actor);
    }
    engine
        .load_standard(&admin, "standards/EC1057.toml", EC1057)
        .await
        .expect("load EC1057");
    let window = open_window(&engine, &admin, capacity).await;
    World {
        seed: 100.into(),
        engine,
        clock,
        window,
        test,
        admin,
        staff: actors,
    }
}

async fn open_window(engine: &Engine, admin: &Actor, capacity: Option<i64>) -> i64 {
    let now = engine.now();
    let window = engine
        .create_window(
            admin,
            "EC1057",
            now - Duration::hours(1),
            now + Duration::days(14),
            None,
            capacity,
        )
        .await
        .expect("create window");
    engine
        .transition_window(admin, window, WindowEvent::Open)
        .await
        .expect("open window");
    window
}

fn candidates(n: usize, seed: u64) -> Vec<NewCandidate> {
    avala::cohort::generate(n, seed)
        .into_iter()
        .map(|c| {
            NewCandidate::from_input(
                Some(&c.curp),
                None,
                &c.name,
                &c.email,
                &c.institution,
                Some(&c.position),
                c.public_registry,
            )
            .expect("a generated candidate is valid")
        })
        .collect()
}

impl World {
    /// The staff member `id`, as resolved in the set-up.
    fn staff(&self, id: &str) -> &Actor {
        self.staff.get(id).unwrap_or_else(|| panic!("no staff member {id}"))
    }

    async fn register(&self, n: usize) -> Vec<i64> {
        let mut ids = Vec::new();
        let seed = self.seed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for c in candidates(n, seed) {
            ids.push(
                self.engine
                    .register(&self.admin, self.window, c)
                    .await
                    .expect("register"),
            );
        }
        ids
    }

    /// Registered → diagnosed → planned with `evaluator`.
    async fn planned(&self, n: usize, evaluator: &str) -> Vec<i64> {
        let ids = self.register(n).await;
        for &id in &ids {
            self.engine
                .record_diagnostic(self.staff(evaluator), id, 85)
                .await
                .expect("diagnostic");
            self.engine
                .plan_evaluation(&self.admin, id, evaluator, self.engine.now())
                .await
                .expect("plan");
        }
        ids
    }

    async fn judge_all(&self, id: i64, evaluator: &str, failing: Option<&str>) {
        for element in ELEMENTS {
            let competent = failing != Some(element);
            let feedback = (!competent).then_some("Reforzar la prueba de daño");
            self.engine
                .record_judgement(
                    self.staff(evaluator),
                    id,
                    element,
                    competent,
                    Some("Portafolio revisado"),
                    feedback,
                )
                .await
                .expect("judgement");
        }
    }

    /// Planned, judged and with a verdict: submitted for dictamen when competent.
    async fn submitted(&self, n: usize, evaluator: &str) -> Vec<i64> {
        let ids = self.planned(n, evaluator).await;
        for &id in &ids {
            self.judge_all(id, evaluator, None).await;
            let verdict = self
                .engine
                .record_verdict(self.staff(evaluator), id)
                .await
                .expect("verdict");
            assert!(verdict.competent);
        }
        ids
    }

    async fn state(&self, id: i64) -> EnrollmentState {
        let rows = self.engine.list_enrollments(&self.admin, None, None).await.unwrap();
        let row = rows.iter().find(|r| r.id == id).expect("enrollment listed");
        EnrollmentState::parse(&row.state).unwrap()
    }

    fn worker(&self) -> Worker {
        let dir = self.test.scratch.path();
        let (config, _) = Config::init(&dir, None).expect("config");
        let mailer = Mailer::Outbox(config.outbox_dir());
        Worker::new(self.engine.clone(), config, mailer, "test-runner".into(), Lang::Es)
    }

    /// Everything a refused command must leave untouched.
    async fn snapshot(&self) -> Vec<String> {
        snapshot(self.engine.db()).await
    }
}

/// Row counts of every table plus the state and version of every stateful row.
async fn snapshot(db: &Db) -> Vec<String> {
    let tables = [
        "standards",
        "staff",
        "institutions",
        "candidates",
        "windows",
        "dictamen_batches",
        "enrollments",
        "element_judgements",
        "folio_counters",
        "certificates",
        "audit_events",
        "jobs",
    ];
    let mut out = Vec::new();
    let mut tx = db.read().await.unwrap();
    for table in tables {
        let (n,): (i64,) = avala::on!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(c).await.unwrap());
        out.push(format!("{table}: {n}"));
    }
    let rows: Vec<(i64, String, i64)> = avala::on!(&mut tx, c => sqlx::query_as(
        "SELECT id, state, version FROM enrollments ORDER BY id").fetch_all(c).await.unwrap());
    out.extend(rows.iter().map(|r| format!("enrollment {r:?}")));
    let rows: Vec<(i64, String, i64)> = avala::on!(&mut tx, c => sqlx::query_as(
        "SELECT id, state, version FROM windows ORDER BY id").fetch_all(c).await.unwrap());
    out.extend(rows.iter().map(|r| format!("window {r:?}")));
    let rows: Vec<(String, String)> = avala::on!(&mut tx, c => sqlx::query_as(
        "SELECT folio, state FROM certificates ORDER BY folio").fetch_all(c).await.unwrap());
    out.extend(rows.iter().map(|r| format!("certificate {r:?}")));
    tx.commit().await.unwrap();
    out
}

/// Asserts the command failed and changed nothing.
macro_rules! refused {
    ($w:expr, $call:expr, $pat:pat $(if $guard:expr)?) => {{
        let before = $w.snapshot().await;
        let result = $call.await;
        match &result {
            Err($pat) $(if $guard)? => {}
            other => panic!("expected {} but got {other:?}", stringify!($pat)),
        }
        assert_eq!($w.snapshot().await, before, "a refused command changed the database");
        result.unwrap_err()
    }};
}

both!(
    whole_process_issues_one_certificate_per_competent_candidate,
    rule1_steps_out_of_order_are_refused,
    rule2_registration_only_in_an_open_window_under_capacity_once,
    rule3_evaluator_may_not_sit_on_the_dictamen,
    rule4_only_the_assigned_evaluator_records_results,
    rule5_competent_needs_every_element_of_the_pinned_version,
    rule6_not_yet_competent_may_enrol_again_with_history_kept,
    rule7_a_certificate_is_issued_at_most_once,
    rule8_overdue_processes_are_reported,
    roles_are_checked_before_anything_is_written,
    import_is_all_or_nothing,
    a_large_import_registers_everyone_once_and_returning_candidates_keep_their_record,
    audit_tampering_is_detected,
    a_stream_is_begun_once,
    concurrent_change_is_a_conflict,
    every_state_round_trips_through_storage,
    withdrawn_enrollments_take_no_further_steps,
    a_whole_instrument_is_recorded_at_once_under_the_same_rules,
    an_evaluation_is_planned_in_the_window_s_time_zone_and_not_before_it_opens,
);

async fn an_evaluation_is_planned_in_the_window_s_time_zone_and_not_before_it_opens(test: TestDb) {
    let w = world(test, None).await;
    let now = w.engine.now();
    let tijuana = w
        .engine
        .create_window(
            &w.admin,
            "EC1057",
            now - Duration::hours(1),
            now + Duration::days(14),
            Some("America/Tijuana"),
            None,
        )
        .await
        .unwrap();
    w.engine
        .transition_window(&w.admin, tijuana, WindowEvent::Open)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for c in candidates(3, 61) {
        let id = w.engine.register(&w.admin, tijuana, c).await.unwrap();
        w.engine.record_diagnostic(w.staff("eva.a"), id, 85).await.unwrap();
        ids.push(id);
    }
    // Before the window opens (in 1999): refused, naming the window and when it opens.
    let e = refused!(
        w,
        w.engine.plan_evaluation_at(&w.admin, ids[0], "eva.a", "1999-06-01 10:00", None),
        Error::EvaluationBeforeWindow { window, .. } if *window == tijuana
    );
    let (en, es) = (e.message(Lang::En), e.message(Lang::Es));
    let opens = "2026-11-23 07:00 PST";
    assert!(en.contains(&format!("window {tijuana}")) && en.contains(opens), "{en}");
    assert!(
        es.contains(&format!("convocatoria {tijuana}")) && es.contains(opens),
        "{es}"
    );
    assert!(en.contains("1999-06-01 10:00 PDT"), "{en}");
    refused!(
        w,
        w.engine
            .plan_evaluation(&w.admin, ids[0], "eva.a", now - Duration::hours(2)),
        Error::EvaluationBeforeWindow { .. }
    );
    // A local time without a zone is the window's: 10:00 in Tijuana is 18:00 UTC in November.
    let planned = w
        .engine
        .plan_evaluation_at(&w.admin, ids[0], "eva.a", "2026-11-30 10:00", None)
        .await
        .unwrap();
    assert_eq!(planned.at, Utc.with_ymd_and_hms(2026, 11, 30, 18, 0, 0).unwrap());
    assert_eq!(planned.tz, "America/Tijuana");
    // A zone given, or an offset, still wins.
    let planned = w
        .engine
        .plan_evaluation_at(
            &w.admin,
            ids[1],
            "eva.a",
            "2026-11-30 10:00",
            Some("America/Mexico_City"),
        )
        .await
        .unwrap();
    assert_eq!(planned.at, Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap());
    let planned = w
        .engine
        .plan_evaluation_at(&w.admin, ids[2], "eva.a", "2026-11-30T10:00:00-06:00", None)
        .await
        .unwrap();
    assert_eq!(planned.at, Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap());
}

async fn whole_process_issues_one_certificate_per_competent_candidate(test: TestDb) {
    let w = world(test, None).await;
    let ids = w.planned(6, "eva.a").await;
    for (i, &id) in ids.iter().enumerate() {
        w.judge_all(id, "eva.a", (i == 5).then_some("E0003")).await;
        let v = w.engine.record_verdict(w.staff("eva.a"), id).await.unwrap();
        assert_eq!(v.competent, i != 5);
    }
    let submitted = w
        .engine
        .list_enrollments(&w.admin, Some(w.window), Some(EnrollmentState::SubmittedForDictamen))
        .await
        .unwrap();
    assert_eq!(submitted.len(), 5);
    let batch = w
        .engine
        .issue_dictamen(
            w.staff("ver.a"),
            w.window,
            &submitted.iter().map(|e| e.id).collect::<Vec<_>>(),
            true,
        )
        .await
        .unwrap();
    assert_eq!(batch.enrollments.len(), 5);
    let summary = w.worker().drain(|_| {}).await.unwrap();
    assert_eq!((summary.rendered, summary.delivered), (5, 5));

    let certificates = w.engine.list_certificates(&w.admin, Some(w.window)).await.unwrap();
    assert_eq!(certificates.len(), 5);
    let mut folios: Vec<&str> = certificates.iter().map(|c| c.folio.as_str()).collect();
    folios.sort();
    assert_eq!(
        folios,
        [
            "EC1057-2026-000001",
            "EC1057-2026-000002",
            "EC1057-2026-000003",
            "EC1057-2026-000004",
            "EC1057-2026-000005"
        ]
    );
    let outbox = w.test.scratch.path().join("outbox");
    let mails: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        mails.iter().filter(|m| m.ends_with(".certificate.eml")).count(),
        5,
        "one e-mail per certificate"
    );
    // And a notice for each step: registration (6), diagnostic (6), verdict (6), dictamen (5).
    assert_eq!(
        mails.iter().filter(|m| m.starts_with("notice.")).count(),
        6 + 6 + 6 + 5,
        "{mails:?}"
    );
    for c in &certificates {
        let pdf = std::fs::read(
            w.test
                .scratch
                .path()
                .join("certificates")
                .join(format!("{}.pdf", c.folio)),
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
    for &id in &ids[..5] {
        assert_eq!(w.state(id).await, EnrollmentState::Delivered);
    }
    assert_eq!(w.state(ids[5]).await, EnrollmentState::NotYetCompetent);
    let audit = avala::audit::verify(w.engine.db()).await.unwrap();
    assert!(audit.broken.is_none(), "{audit:?}");
    assert!(audit.events > 40);
}

async fn rule1_steps_out_of_order_are_refused(test: TestDb) {
    let w = world(test, None).await;
    let id = w.register(1).await[0];
    let e = refused!(
        w,
        w.engine.record_verdict(w.staff("eva.a"), id),
        Error::Transition(_) | Error::NotAssigned { .. }
    );
    // The verdict is refused by the state machine before anything else is looked at.
    match e {
        Error::Transition(t) => {
            assert_eq!((t.machine, t.state, t.event), ("enrollment", "registered", "verdict"));
            let text = Error::Transition(t).message(Lang::En);
            assert!(text.contains("registered") && text.contains("verdict"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    refused!(w, w.engine.plan_evaluation(&w.admin, id, "eva.a", w.engine.now()), Error::Transition(t) if t.state == "registered");
    refused!(
        w,
        w.engine
            .record_judgement(w.staff("eva.a"), id, "E0001", true, None, None),
        Error::Transition(_)
    );
    refused!(w, w.engine.issue_dictamen(w.staff("ver.a"), w.window, &[id], true), Error::Transition(t) if t.event == "procede");
    w.engine.record_diagnostic(w.staff("eva.a"), id, 90).await.unwrap();
    refused!(w, w.engine.record_diagnostic(w.staff("eva.a"), id, 95), Error::Transition(t) if t.state == "diagnosed");
    // Windows: a closed window does not reopen.
    w.engine
        .transition_window(&w.admin, w.window, WindowEvent::Close)
        .await
        .unwrap();
    refused!(w, w.engine.transition_window(&w.admin, w.window, WindowEvent::Open), Error::Transition(t) if t.machine == "window" && t.state == "closed");
}

async fn rule2_registration_only_in_an_open_window_under_capacity_once(test: TestDb) {
    let w = world(test, Some(3)).await;
    let people = candidates(5, 11);
    for c in &people[..3] {
        w.engine.register(&w.admin, w.window, c.clone()).await.unwrap();
    }
    refused!(
        w,
        w.engine.register(&w.admin, w.window, people[3].clone()),
        Error::WindowFull { capacity: 3, .. }
    );
    // Same CURP again, even under another name.
    let mut again = people[0].clone();
    again.name = avala::domain::text::PersonName::fixed("Otro Nombre");
    let other = open_window(&w.engine, &w.admin, None).await;
    w.engine
        .register(&w.admin, other, again.clone())
        .await
        .expect("another window is fine");
    refused!(
        w,
        w.engine.register(&w.admin, other, again),
        Error::AlreadyEnrolled { .. }
    );
    // Scheduled, not yet open.
    let now = w.engine.now();
    let scheduled = w
        .engine
        .create_window(
            &w.admin,
            "EC1057",
            now + Duration::days(1),
            now + Duration::days(8),
            None,
            None,
        )
        .await
        .unwrap();
    refused!(
        w,
        w.engine.register(&w.admin, scheduled, people[4].clone()),
        Error::WindowNotTaking { .. } | Error::Transition(_)
    );
    // Open, but the instant is past its closing time.
    w.clock.advance(Duration::days(15));
    refused!(
        w,
        w.engine.register(&w.admin, other, people[4].clone()),
        Error::WindowNotTaking { .. }
    );
    // Closed.
    w.clock.set(start());
    w.engine
        .transition_window(&w.admin, other, WindowEvent::Close)
        .await
        .unwrap();
    refused!(
        w,
        w.engine.register(&w.admin, other, people[4].clone()),
        Error::WindowNotTaking { .. } | Error::Transition(_)
    );
    refused!(
        w,
        w.engine.register(&w.admin, 999, people[4].clone()),
        Error::NotFound { .. }
    );
}

async fn rule3_evaluator_may_not_sit_on_the_dictamen(test: TestDb) {
    let w = world(test, None).await;
    let own = w.submitted(1, "dual").await[0];
    let other = w.submitted(1, "eva.a").await[0];
    let e = refused!(
        w,
        w.engine.issue_dictamen(w.staff("dual"), w.window, &[own], true),
        Error::EvaluatorOnDictamen { .. }
    );
    assert!(
        matches!(&e, Error::EvaluatorOnDictamen { enrollment, verifier } if *enrollment == own && verifier == "dual"),
        "{e:?}"
    );
    assert!(e.message(Lang::En).contains("rule 3"), "{}", e.message(Lang::En));
    // In a lote with another process it may decide, the whole lote is refused.
    refused!(w, w.engine.issue_dictamen(w.staff("dual"), w.window, &[other, own], true), Error::EvaluatorOnDictamen { enrollment, .. } if *enrollment == own);
    w.engine
        .issue_dictamen(w.staff("dual"), w.window, &[other], true)
        .await
        .expect("it may decide what it did not evaluate");
    w.engine
        .issue_dictamen(w.staff("ver.a"), w.window, &[own], true)
        .await
        .expect("another verifier may");
}

async fn rule4_only_the_assigned_evaluator_records_results(test: TestDb) {
    let w = world(test, None).await;
    let id = w.planned(1, "eva.a").await[0];
    let e = refused!(
        w,
        w.engine
            .record_judgement(w.staff("eva.b"), id, "E0001", true, None, None),
        Error::NotAssigned { .. }
    );
    assert!(
        matches!(&e, Error::NotAssigned { enrollment, assigned, actor } if *enrollment == id && assigned == "eva.a" && actor == "eva.b"),
        "{e:?}"
    );
    let text = e.message(Lang::En);
    assert!(text.contains("eva.a") && text.contains("eva.b"), "{text}");
    w.judge_all(id, "eva.a", None).await;
    refused!(
        w,
        w.engine.record_verdict(w.staff("eva.b"), id),
        Error::NotAssigned { .. }
    );
    refused!(
        w,
        w.engine.record_verdict(w.staff("ver.a"), id),
        Error::Forbidden { .. }
    );
    w.engine.record_verdict(w.staff("eva.a"), id).await.unwrap();
}

async fn rule5_competent_needs_every_element_of_the_pinned_version(test: TestDb) {
    let w = world(test, None).await;
    let ids = w.planned(2, "eva.a").await;
    // Three of four elements judged: no verdict yet.
    for element in &ELEMENTS[..3] {
        w.engine
            .record_judgement(w.staff("eva.a"), ids[0], element, true, None, None)
            .await
            .unwrap();
    }
    let e = refused!(
        w,
        w.engine.record_verdict(w.staff("eva.a"), ids[0]),
        Error::JudgementsMissing { enrollment, elements, .. } if *enrollment == ids[0] && elements == &["E0004"]
    );
    assert!(e.message(Lang::En).contains("E0004"), "{}", e.message(Lang::En));
    // A later version of the standard adds an element; the planned process stays on version 1.
    let v2 = EC1057.replace("version = \"1\"", "version = \"2\"")
        + "\n[[elements]]\ncode = \"E0005\"\ntitle = \"Elemento añadido en la versión 2\"\n\n  [[elements.criteria]]\n  kind = \"product\"\n  heading = \"Informe\"\n  items = [\"Entrega el informe anual\"]\n";
    let loaded = w.engine.load_standard(&w.admin, "EC1057-v2.toml", &v2).await.unwrap();
    assert_eq!(loaded.version, "2");
    let e = refused!(
        w,
        w.engine
            .record_judgement(w.staff("eva.a"), ids[0], "E0005", true, None, None),
        Error::UnknownElement { .. }
    );
    assert!(
        matches!(&e, Error::UnknownElement { element, version, known, .. }
            if element == "E0005" && version == "1" && known == &ELEMENTS),
        "the error lists the pinned elements: {e:?}"
    );
    assert!(
        e.message(Lang::En).contains("E0004"),
        "the message lists the pinned elements: {}",
        e.message(Lang::En)
    );
    w.engine
        .record_judgement(w.staff("eva.a"), ids[0], "E0004", true, None, None)
        .await
        .unwrap();
    let verdict = w.engine.record_verdict(w.staff("eva.a"), ids[0]).await.unwrap();
    assert!(verdict.competent);
    // One element not yet competent makes the verdict not yet competent, naming it.
    w.judge_all(ids[1], "eva.a", Some("E0002")).await;
    let verdict = w.engine.record_verdict(w.staff("eva.a"), ids[1]).await.unwrap();
    assert!(!verdict.competent);
    assert_eq!(verdict.not_yet_competent, ["E0002"]);
    assert_eq!(w.state(ids[1]).await, EnrollmentState::NotYetCompetent);
    let detail = w.engine.show_enrollment(&w.admin, ids[0]).await.unwrap();
    assert_eq!(detail.standard_version.as_deref(), Some("1"));
}

fn instrument(failing: Option<&str>) -> Vec<Judgement> {
    ELEMENTS
        .iter()
        .map(|element| Judgement {
            element: element.to_lowercase(),
            competent: failing != Some(*element),
            evidence: Some(Note::fixed("Portafolio revisado")),
            feedback: (failing == Some(*element)).then(|| Note::fixed("Reforzar la prueba de daño")),
        })
        .collect()
}

async fn a_whole_instrument_is_recorded_at_once_under_the_same_rules(test: TestDb) {
    let w = world(test, None).await;
    let ids = w.planned(3, "eva.a").await;
    // Not the assigned evaluator, not an evaluator, an unknown element, an element twice, a
    // missing element: each refused, nothing written.
    refused!(
        w,
        w.engine.record_evaluation(w.staff("eva.b"), ids[0], &instrument(None)),
        Error::NotAssigned { .. }
    );
    refused!(
        w,
        w.engine.record_evaluation(w.staff("ver.a"), ids[0], &instrument(None)),
        Error::Forbidden { .. }
    );
    let mut unknown = instrument(None);
    unknown[2].element = "E0009".into();
    refused!(
        w,
        w.engine.record_evaluation(w.staff("eva.a"), ids[0], &unknown),
        Error::UnknownElement { .. }
    );
    let mut twice = instrument(None);
    twice[3].element = "E0001".into();
    let e = refused!(
        w,
        w.engine.record_evaluation(w.staff("eva.a"), ids[0], &twice),
        Error::ElementTwice { enrollment, element } if *enrollment == ids[0] && element == "E0001"
    );
    assert!(e.message(Lang::En).contains("E0001"), "{}", e.message(Lang::En));
    let e = refused!(
        w,
        w.engine
            .record_evaluation(w.staff("eva.a"), ids[0], &instrument(None)[..3]),
        Error::JudgementsMissing { enrollment, elements, .. } if *enrollment == ids[0] && elements == &["E0004"]
    );
    assert!(e.message(Lang::En).contains("E0004"), "{}", e.message(Lang::En));

    // The same verdicts as element by element, and the same audit events.
    let competent = w
        .engine
        .record_evaluation(w.staff("eva.a"), ids[0], &instrument(None))
        .await
        .unwrap();
    assert!(competent.competent);
    assert_eq!(w.state(ids[0]).await, EnrollmentState::SubmittedForDictamen);
    let failed = w
        .engine
        .record_evaluation(w.staff("eva.a"), ids[1], &instrument(Some("E0003")))
        .await
        .unwrap();
    assert_eq!(failed.not_yet_competent, ["E0003"]);
    assert_eq!(w.state(ids[1]).await, EnrollmentState::NotYetCompetent);
    w.judge_all(ids[2], "eva.a", Some("E0003")).await;
    w.engine.record_verdict(w.staff("eva.a"), ids[2]).await.unwrap();
    let kinds = |id: i64| {
        let engine = w.engine.clone();
        async move {
            let mut tx = engine.db().read().await.unwrap();
            let rows: Vec<(String, String)> = avala::on!(&mut tx, c => sqlx::query_as(
                "SELECT kind, payload FROM audit_events WHERE stream = $1 AND kind IN ('enrollment.judgement', 'enrollment.verdict') ORDER BY seq"
            ).bind(format!("enrollment:{id}")).fetch_all(c).await.unwrap());
            tx.commit().await.unwrap();
            rows
        }
    };
    assert_eq!(kinds(ids[1]).await, kinds(ids[2]).await);
    // Once the verdict is in, a second instrument is refused (rule 1).
    refused!(
        w,
        w.engine.record_evaluation(w.staff("eva.a"), ids[0], &instrument(None)),
        Error::Transition(_)
    );
    assert!(avala::audit::verify(w.engine.db()).await.unwrap().broken.is_none());
}

async fn rule6_not_yet_competent_may_enrol_again_with_history_kept(test: TestDb) {
    let w = world(test, None).await;
    let first = w.planned(1, "eva.a").await[0];
    w.judge_all(first, "eva.a", Some("E0001")).await;
    w.engine.record_verdict(w.staff("eva.a"), first).await.unwrap();
    let later = open_window(&w.engine, &w.admin, None).await;
    let person = candidates(1, 100).remove(0);
    let second = w
        .engine
        .register(&w.admin, later, person)
        .await
        .expect("may enrol again");
    assert_ne!(first, second);
    assert_eq!(w.state(first).await, EnrollmentState::NotYetCompetent, "history kept");
    assert_eq!(w.state(second).await, EnrollmentState::Registered);
}

async fn rule7_a_certificate_is_issued_at_most_once(test: TestDb) {
    let w = world(test, None).await;
    let id = w.submitted(1, "eva.a").await[0];
    w.engine
        .issue_dictamen(w.staff("ver.a"), w.window, &[id], true)
        .await
        .unwrap();
    // A second dictamen on the same enrollment is refused.
    refused!(
        w,
        w.engine.issue_dictamen(w.staff("ver.b"), w.window, &[id], true),
        Error::Transition(_)
    );
    let worker = w.worker();
    let first = worker.drain(|_| {}).await.unwrap();
    assert_eq!((first.rendered, first.delivered), (1, 1));
    // Make every job run again, as if the runner had crashed before recording completion.
    let mut tx = w.engine.db().write().await.unwrap();
    avala::on!(&mut tx, c => sqlx::query("UPDATE jobs SET state = 'queued', lease_holder = NULL, lease_expires_at = NULL")
        .execute(c).await.unwrap().rows_affected());
    tx.commit().await.unwrap();
    let second = worker.drain(|_| {}).await.unwrap();
    assert_eq!(second.rendered, 0, "no second certificate: {second:?}");
    let certificates = w.engine.list_certificates(&w.admin, None).await.unwrap();
    assert_eq!(certificates.len(), 1);
    let mut tx = w.engine.db().read().await.unwrap();
    let (counter,): (i64,) =
        avala::on!(&mut tx, c => sqlx::query_as("SELECT last FROM folio_counters").fetch_one(c).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(counter, 1, "no folio consumed twice");
}

async fn rule8_overdue_processes_are_reported(test: TestDb) {
    let w = world(test, None).await;
    let ids = w.planned(3, "eva.a").await;
    assert!(w.engine.overdue(&w.admin, None).await.unwrap().is_empty());
    // Verdict due 8 natural days after the evaluation.
    w.clock.advance(Duration::days(8) + Duration::minutes(1));
    let overdue = w.engine.overdue(&w.admin, None).await.unwrap();
    assert_eq!(overdue.len(), 3);
    assert!(
        overdue
            .iter()
            .all(|r| r.deadline == Deadline::Verdict && r.days_late == 0)
    );
    for &id in &ids[..2] {
        w.judge_all(id, "eva.a", None).await;
        w.engine.record_verdict(w.staff("eva.a"), id).await.unwrap();
    }
    let overdue = w.engine.overdue(&w.admin, None).await.unwrap();
    assert_eq!(overdue.iter().map(|r| r.enrollment).collect::<Vec<_>>(), [ids[2]]);
    // Dictamen due 30 natural days after the verdict.
    w.clock.advance(Duration::days(31));
    let overdue = w.engine.overdue(&w.admin, None).await.unwrap();
    let dictamen: Vec<i64> = overdue
        .iter()
        .filter(|r| r.deadline == Deadline::Dictamen)
        .map(|r| r.enrollment)
        .collect();
    assert_eq!(dictamen, &ids[..2]);
    assert_eq!(overdue.iter().find(|r| r.enrollment == ids[2]).unwrap().days_late, 31);
    // Delivery due 5 business days after the dictamen: issued on a Friday, due the next Friday.
    let friday = Utc.with_ymd_and_hms(2027, 1, 8, 18, 0, 0).unwrap();
    w.clock.set(friday);
    w.engine
        .issue_dictamen(w.staff("ver.a"), w.window, &ids[..2], true)
        .await
        .unwrap();
    w.clock.set(friday + Duration::days(7));
    assert!(
        w.engine
            .overdue(&w.admin, None)
            .await
            .unwrap()
            .iter()
            .all(|r| r.deadline != Deadline::Delivery),
        "due exactly now, not past"
    );
    w.clock.set(friday + Duration::days(7) + Duration::seconds(1));
    let delivery: Vec<i64> = w
        .engine
        .overdue(&w.admin, None)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.deadline == Deadline::Delivery)
        .map(|r| r.enrollment)
        .collect();
    assert_eq!(delivery, &ids[..2]);
    w.worker().drain(|_| {}).await.unwrap();
    assert!(
        w.engine
            .overdue(&w.admin, None)
            .await
            .unwrap()
            .iter()
            .all(|r| r.deadline != Deadline::Delivery)
    );
}

async fn roles_are_checked_before_anything_is_written(test: TestDb) {
    let w = world(test, None).await;
    let id = w.register(1).await[0];
    refused!(
        w,
        w.engine.record_diagnostic(&Actor::Public, id, 80),
        Error::NoActor {
            action: Action::RecordDiagnostics
        }
    );
    refused!(w, w.engine.actor(Some("nadie")), Error::UnknownActor { id } if id == "nadie");
    refused!(
        w,
        w.engine
            .transition_window(w.staff("eva.a"), w.window, WindowEvent::Close),
        Error::Forbidden { .. }
    );
    refused!(
        w,
        w.engine.record_diagnostic(w.staff("eva.a"), id, 101),
        Error::ScoreOutOfRange { score: 101 }
    );
    let new = NewStaff::from_input("x", "X", "x@itaip.example", vec![Role::Evaluator]).unwrap();
    refused!(w, w.engine.add_staff(w.staff("ver.a"), new), Error::Forbidden { .. });
    w.engine
        .record_diagnostic(w.staff("eva.a"), id, 40)
        .await
        .map(|d| assert!(d.training_recommended))
        .unwrap();
    refused!(
        w,
        w.engine.plan_evaluation(&w.admin, id, "ver.a", w.engine.now()),
        Error::Forbidden { actor, action: Action::Evaluate, .. } if actor == "ver.a"
    );
    refused!(
        w,
        w.engine.issue_dictamen(w.staff("eva.a"), w.window, &[id], true),
        Error::Forbidden { .. }
    );
}

async fn import_is_all_or_nothing(test: TestDb) {
    let w = world(test, None).await;
    let good = avala::cohort::to_csv(&avala::cohort::generate(4, 3));
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    lines[2] = lines[2].replacen('@', " at ", 1); // line 3: bad e-mail
    let mut curp: Vec<char> = lines[3].chars().collect();
    curp[17] = if curp[17] == '0' { '1' } else { '0' }; // line 4: wrong check digit
    lines[3] = curp.into_iter().collect();
    let bad = lines.join("\n") + "\n";
    let e = refused!(
        w,
        w.engine.import_candidates(&w.admin, w.window, bad.as_bytes(), false),
        Error::ImportRejected { .. }
    );
    let Error::ImportRejected { problems } = &e else {
        unreachable!()
    };
    let mut at: Vec<u64> = problems.iter().map(|p| p.line).collect();
    at.sort();
    assert_eq!(at, [3, 4], "{e}");
    // A dry run validates and writes nothing.
    let before = w.snapshot().await;
    let dry = w
        .engine
        .import_candidates(&w.admin, w.window, good.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!((dry.registered, dry.dry_run), (4, true));
    assert_eq!(w.snapshot().await, before);
    let done = w
        .engine
        .import_candidates(&w.admin, w.window, good.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(done.registered, 4);
    // The same file again: every row is already enrolled, nothing is added.
    let e = refused!(
        w,
        w.engine.import_candidates(&w.admin, w.window, good.as_bytes(), false),
        Error::ImportRejected { .. }
    );
    let Error::ImportRejected { problems } = &e else {
        unreachable!()
    };
    assert_eq!(problems.len(), 4, "{e:?}");
    assert!(
        problems
            .iter()
            .all(|p| matches!(p.problem, Problem::AlreadyEnrolled { .. })),
        "{e:?}"
    );
    assert!(
        e.message(Lang::En).contains("already enrolled"),
        "{}",
        e.message(Lang::En)
    );
}

async fn a_large_import_registers_everyone_once_and_returning_candidates_keep_their_record(test: TestDb) {
    // More rows than one round of statements takes, so the import goes in several.
    let w = world(test, None).await;
    let people = avala::cohort::generate(1201, 77);
    let first = avala::cohort::to_csv(&people);
    let done = w
        .engine
        .import_candidates(&w.admin, w.window, first.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(done.registered, 1201);
    let count = |sql: &'static str| {
        let db = w.engine.db().clone();
        async move {
            let mut tx = db.read().await.unwrap();
            let n: i64 = avala::on!(&mut tx, c => sqlx::query_scalar(sql).fetch_one(c).await.unwrap());
            n
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM candidates").await, 1201);
    assert_eq!(count("SELECT COUNT(*) FROM enrollments").await, 1201);
    assert_eq!(
        count("SELECT COUNT(*) FROM audit_events WHERE kind = 'enrollment.registered'").await,
        1201
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM jobs WHERE idempotency_key LIKE 'notice:registration:%'").await,
        1201
    );
    // Each enrollment belongs to the candidate of its row.
    let list = w.engine.list_enrollments(&w.admin, Some(w.window), None).await.unwrap();
    let names: std::collections::HashSet<&str> = people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(list.len(), 1201);
    assert!(list.iter().all(|e| names.contains(e.name.as_str())));

    // A second window: 700 of the same people (rule 6: one record each, details refreshed)
    // and 5 new ones.
    let second = open_window(&w.engine, &w.admin, None).await;
    let mut again: Vec<_> = people[..700].to_vec();
    again[0].email = "nueva.direccion@itaip.example".into();
    again.extend(avala::cohort::generate(5, 78));
    let done = w
        .engine
        .import_candidates(&w.admin, second, avala::cohort::to_csv(&again).as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(done.registered, 705);
    assert_eq!(count("SELECT COUNT(*) FROM candidates").await, 1206);
    assert_eq!(count("SELECT COUNT(*) FROM enrollments").await, 1906);
    assert_eq!(
        count("SELECT COUNT(*) FROM candidates WHERE email = 'nueva.direccion@itaip.example'").await,
        1
    );
    assert!(avala::audit::verify(w.engine.db()).await.unwrap().broken.is_none());
}

async fn a_stream_is_begun_once(test: TestDb) {
    // A new enrollment's events are written from sequence 1 without looking up the stream's
    // end; beginning a stream that has events already is refused, and nothing is written.
    let w = world(test, None).await;
    let id = w.planned(1, "eva.a").await[0];
    let events = |stream: String| vec![(stream, "enrollment.registered", serde_json::json!({"test": true}))];
    let mut tx = w.engine.db().write().await.unwrap();
    avala::audit::begin_all(&mut tx, "admin", w.engine.now(), &events("enrollment:new".into()))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let before = w.snapshot().await;
    let mut tx = w.engine.db().write().await.unwrap();
    let again = avala::audit::begin_all(&mut tx, "admin", w.engine.now(), &events(format!("enrollment:{id}"))).await;
    assert!(again.is_err(), "a stream with events cannot be begun again: {again:?}");
    drop(tx);
    assert_eq!(w.snapshot().await, before);
    let report = avala::audit::verify(w.engine.db()).await.unwrap();
    assert!(report.broken.is_none(), "{report:?}");
}

async fn audit_tampering_is_detected(test: TestDb) {
    let postgres = test.is_postgres();
    let w = world(test, None).await;
    let id = w.planned(1, "eva.a").await[0];
    assert!(avala::audit::verify(w.engine.db()).await.unwrap().broken.is_none());
    // The log is append-only: an UPDATE is refused by the database itself.
    let stream = format!("enrollment:{id}");
    let mut tx = w.engine.db().write().await.unwrap();
    let update = avala::on!(&mut tx, c => sqlx::query("UPDATE audit_events SET actor = 'eva.b' WHERE stream = $1 AND seq = 2")
        .bind(&stream).execute(c).await.map(|r| r.rows_affected()));
    assert!(update.is_err(), "append-only trigger must refuse updates");
    drop(tx);
    // Someone with the database's owner rights drops the trigger and rewrites history.
    let mut tx = w.engine.db().write().await.unwrap();
    let drop_trigger = if postgres {
        "DROP TRIGGER audit_events_no_change ON audit_events"
    } else {
        "DROP TRIGGER audit_events_no_update"
    };
    avala::on!(&mut tx, c => sqlx::query(drop_trigger).execute(c).await.unwrap().rows_affected());
    avala::on!(&mut tx, c => sqlx::query("UPDATE audit_events SET actor = 'eva.b' WHERE stream = $1 AND seq = 2")
        .bind(&stream).execute(c).await.unwrap().rows_affected());
    tx.commit().await.unwrap();
    let report = avala::audit::verify(w.engine.db()).await.unwrap();
    let broken = report.broken.expect("tampering detected");
    assert_eq!((broken.stream.as_str(), broken.seq), (stream.as_str(), 2), "{broken:?}");
}

async fn concurrent_change_is_a_conflict(test: TestDb) {
    let postgres = test.is_postgres();
    let url = test.url.clone();
    let w = world(test, None).await;
    let id = w.register(1).await[0];
    // Many tasks race the same transition: exactly one wins, the others are refused or conflict.
    let mut tasks = Vec::new();
    for score in 0..8u8 {
        let engine = w.engine.clone();
        let evaluator = w.staff("eva.a").clone();
        tasks.push(tokio::spawn(async move {
            engine.record_diagnostic(&evaluator, id, 60 + score).await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(Error::Conflict { .. } | Error::Transition(_)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won, 1);
    let snapshot = w.snapshot().await;
    assert!(
        snapshot.contains(&format!("enrollment ({id}, \"diagnosed\", 1)")),
        "{snapshot:?}"
    );
    if postgres {
        // A command meeting a row another session holds is a typed conflict, not a wait.
        let other = Db::open(&url).await.unwrap();
        let mut holder = other.write().await.unwrap();
        avala::on!(&mut holder, c => sqlx::query("SELECT id FROM enrollments WHERE id = $1 FOR UPDATE").bind(id).execute(c).await.unwrap().rows_affected());
        let before = w.snapshot().await;
        let e = w
            .engine
            .plan_evaluation(&w.admin, id, "eva.a", w.engine.now())
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::Conflict {
                    what: Record::Enrollment,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            e.message(Lang::En).contains("run the command again"),
            "{}",
            e.message(Lang::En)
        );
        assert_eq!(w.snapshot().await, before);
        // Release the lock for certain before going on (a dropped transaction rolls back later).
        if let avala::store::Tx::Postgres(t) = holder {
            t.rollback().await.unwrap();
        }
        other.close().await;
        w.engine
            .plan_evaluation(&w.admin, id, "eva.a", w.engine.now())
            .await
            .unwrap();
    }
}

async fn every_state_round_trips_through_storage(test: TestDb) {
    let w = world(test, None).await;
    let id = w.register(1).await[0];
    for &state in EnrollmentState::ALL {
        let mut tx = w.engine.db().write().await.unwrap();
        avala::on!(&mut tx, c => sqlx::query("UPDATE enrollments SET state = $1 WHERE id = $2")
            .bind(state.as_str()).bind(id).execute(c).await.unwrap().rows_affected());
        tx.commit().await.unwrap();
        assert_eq!(w.state(id).await, state);
    }
    // A name no machine knows is refused when read, naming it.
    let mut tx = w.engine.db().write().await.unwrap();
    avala::on!(&mut tx, c => sqlx::query("UPDATE enrollments SET state = 'limbo' WHERE id = $1").bind(id).execute(c).await.unwrap().rows_affected());
    tx.commit().await.unwrap();
    let e = w.engine.record_diagnostic(w.staff("eva.a"), id, 80).await.unwrap_err();
    assert!(e.message(Lang::En).contains("limbo"), "{}", e.message(Lang::En));
}

async fn withdrawn_enrollments_take_no_further_steps(test: TestDb) {
    let w = world(test, None).await;
    let id = w.planned(1, "eva.a").await[0];
    refused!(
        w,
        w.engine.withdraw(&w.admin, id, "  "),
        Error::Missing { field: Field::Reason }
    );
    w.engine.withdraw(&w.admin, id, "Cambio de adscripción").await.unwrap();
    refused!(w, w.engine.record_judgement(w.staff("eva.a"), id, "E0001", true, None, None), Error::Transition(t) if t.state == "withdrawn");
    refused!(w, w.engine.withdraw(&w.admin, id, "otra vez"), Error::Transition(_));
}

#[test]
fn delivery_deadline_skips_weekends() {
    use avala::deadlines::{add_business_days, delivery_due};
    let friday = Utc.with_ymd_and_hms(2027, 1, 8, 12, 0, 0).unwrap();
    assert_eq!(delivery_due(friday), friday + Duration::days(7));
    let monday = Utc.with_ymd_and_hms(2027, 1, 11, 12, 0, 0).unwrap();
    assert_eq!(delivery_due(monday), monday + Duration::days(7));
    let saturday = Utc.with_ymd_and_hms(2027, 1, 9, 12, 0, 0).unwrap();
    assert_eq!(
        add_business_days(saturday, 1),
        Utc.with_ymd_and_hms(2027, 1, 11, 12, 0, 0).unwrap()
    );
    assert_eq!(add_business_days(monday, 0), monday);
}

mod actors;
mod isolation;
