//! A cohort taken through the library to approved dictámenes, for tests and benchmarks that
//! start where the runner's work begins.

use std::sync::Arc;

use avala::SystemClock;
use avala::config::Config;
use avala::engine::{Engine, NewStaff, Role};
use avala::machine::WindowEvent;
use avala::store::Db;

const ELEMENTS: [&str; 4] = ["E0001", "E0002", "E0003", "E0004"];

/// `n` candidates taken through the library to an approved dictamen, on `db` with the
/// configuration made in `dir`: `n` render jobs queued. Returns the candidates' e-mail
/// addresses.
pub async fn approved(db: &Db, dir: &std::path::Path, n: usize) -> Vec<String> {
    let (config, _) = Config::init(dir, None).unwrap();
    let engine = Engine::new(db.clone(), Arc::new(SystemClock));
    engine.register_issuer_key(&config).await.unwrap();
    let staff = [
        ("admin", Role::Admin),
        ("eva", Role::Evaluator),
        ("ver", Role::Verifier),
    ];
    for (id, role) in staff {
        let new =
            NewStaff::from_input(id, &format!("Persona {id}"), &format!("{id}@itaip.example"), vec![role]).unwrap();
        let by = engine.actor((id != "admin").then_some("admin")).await.unwrap();
        engine.add_staff(&by, new).await.unwrap();
    }
    let admin = &engine.actor(Some("admin")).await.unwrap();
    let eva = &engine.actor(Some("eva")).await.unwrap();
    let ver = &engine.actor(Some("ver")).await.unwrap();
    engine
        .load_standard(admin, "EC1057.toml", avala::demo::EC1057_TOML)
        .await
        .unwrap();
    let now = engine.now();
    let window = engine
        .create_window(
            admin,
            "EC1057",
            now - chrono::Duration::hours(1),
            now + chrono::Duration::days(9),
            None,
            None,
        )
        .await
        .unwrap();
    engine
        .transition_window(admin, window, WindowEvent::Open)
        .await
        .unwrap();
    engine
        .import_candidates(admin, window, &avala::demo::cohort_csv(n), false)
        .await
        .unwrap();
    let enrollments = engine.list_enrollments(admin, Some(window), None).await.unwrap();
    for e in &enrollments {
        engine.record_diagnostic(eva, e.id, 90).await.unwrap();
        engine.plan_evaluation(admin, e.id, "eva", now).await.unwrap();
        for element in ELEMENTS {
            engine
                .record_judgement(eva, e.id, element, true, None, None)
                .await
                .unwrap();
        }
        engine.record_verdict(eva, e.id).await.unwrap();
    }
    let ids: Vec<i64> = enrollments.iter().map(|e| e.id).collect();
    for lote in ids.chunks(200) {
        engine.issue_dictamen(ver, window, lote, true).await.unwrap();
    }
    let mut emails = Vec::new();
    for e in &enrollments {
        emails.push(engine.show_enrollment(admin, e.id).await.unwrap().email);
    }
    emails
}
