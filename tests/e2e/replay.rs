//! The read model replayed: `avala audit verify` rebuilds every enrollment, certificate and
//! window from its audit events and names each value changed in the tables alone (the record,
//! the field, what the log says and what the table says), with exit 1; the untouched database
//! passes.

use avala_tests::{TestDb, bin, both};
use serde_json::Value;

use crate::runner::{approved, count, runner, tamper};

both!(what_the_tables_alone_say_is_named_by_audit_verify);

/// `avala audit verify` as the administrator, in `lang`, with `format`.
async fn verify(test: &TestDb, lang: &str, format: &str) -> bin::Output {
    bin::avala(
        &test.url,
        &["--lang", lang, "--format", format, "audit", "verify"],
        &[("AVALA_ACTOR", "admin")],
        &test.scratch.path(),
    )
    .await
}

/// The differences `audit verify` lists, as JSON, asserting the exit code it must give.
async fn differences(test: &TestDb, code: i32) -> (Value, Vec<Value>) {
    let out = verify(test, "en", "json").await;
    assert_eq!(out.code, code, "{}{}", out.stdout, out.stderr);
    // On exit 1 the report comes first, then the error, each a JSON document.
    let report = serde_json::Deserializer::from_str(&out.stdout)
        .into_iter::<Value>()
        .next()
        .unwrap()
        .unwrap();
    let listed = report["replay"]["differences"].as_array().unwrap().clone();
    (report, listed)
}

/// One change made with SQL, named by `audit verify` in English and Spanish, then undone.
async fn named(test: &TestDb, change: &'static str, undo: &'static str, args: &[&str], expect: Value) {
    tamper(test, change, args).await;
    let (report, listed) = differences(test, 1).await;
    assert_eq!(listed, std::slice::from_ref(&expect), "{report}");
    assert_eq!(report["replay"]["total_differences"], 1, "{report}");
    assert!(report["broken"].is_null(), "the chain itself is intact: {report}");
    let (log, table) = (expect["log"].as_str().unwrap(), expect["table"].as_str().unwrap());
    let (record, id, field) = (
        expect["record"].as_str().unwrap(),
        expect["id"].as_str().unwrap(),
        expect["field"].as_str().unwrap(),
    );
    let out = verify(test, "en", "table").await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let line = format!("{record} {id}: {field}: the log says {log}, the table says {table}");
    assert!(out.stdout.contains(&line), "{line:?} in:\n{}", out.stdout);
    assert!(
        out.stderr
            .contains("the tables differ from what the audit log records in 1 place(s)"),
        "{}",
        out.stderr
    );
    let es = verify(test, "es", "table").await;
    assert_eq!(es.code, 1, "{}{}", es.stdout, es.stderr);
    let linea = format!("{field}: la bitácora dice {log}, la tabla dice {table}");
    assert!(es.stdout.contains(&linea), "{linea:?} in:\n{}", es.stdout);
    assert!(es.stderr.contains("se cambiaron fuera de avala"), "{}", es.stderr);
    tamper(test, undo, args).await;
    differences(test, 0).await;
}

async fn what_the_tables_alone_say_is_named_by_audit_verify(test: TestDb) {
    approved(&test, 3).await;
    let (report, listed) = differences(&test, 0).await;
    assert!(listed.is_empty(), "{report}");
    let replay = &report["replay"];
    assert_eq!(
        replay["checked"],
        serde_json::json!({"enrollments": 3, "certificates": 3, "windows": 1, "candidates": 3}),
        "{report}"
    );
    assert_eq!(replay["not_checkable"], serde_json::json!([]), "{report}");
    let out = verify(&test, "en", "table").await;
    out.ok();
    assert!(
        out.stdout
            .contains("read model replayed: 3 enrollment(s), 3 certificate(s), 1 window(s)")
            && out.stdout.contains("every field as the audit log says")
            && out.stdout.contains("audit log intact"),
        "{}",
        out.stdout
    );

    // A folio changed in the table alone (before the PDF is rendered: its file refers to it).
    let list = bin::avala(
        &test.url,
        &["--format", "json", "certificate", "list"],
        &[("AVALA_ACTOR", "admin")],
        &test.scratch.path(),
    )
    .await;
    let folio = list.ok().json()[0]["folio"].as_str().unwrap().to_string();
    named(
        &test,
        "UPDATE certificates SET folio = 'EC1057-2026-999999' WHERE folio = $1",
        "UPDATE certificates SET folio = $1 WHERE folio = 'EC1057-2026-999999'",
        &[folio.as_str()],
        serde_json::json!({"record": "certificate", "id": folio, "what": "differs", "field": "folio",
                           "log": folio, "table": "EC1057-2026-999999"}),
    )
    .await;

    // Rendered and delivered: every state moves on, and the replay follows.
    runner(&test, &["--once"], &[("AVALA_LANG", "en")]).await.ok();
    let (report, listed) = differences(&test, 0).await;
    assert!(listed.is_empty(), "{report}");
    let enrollment = count(&test, "SELECT MIN(id) FROM enrollments").await.to_string();
    let e = enrollment.as_str();
    let differs = |field: &str, log: &str, table: &str| serde_json::json!({"record": "enrollment", "id": e, "what": "differs", "field": field, "log": log, "table": table});
    named(
        &test,
        "UPDATE enrollments SET diagnostic_score = 12 WHERE id = CAST($1 AS INTEGER)",
        "UPDATE enrollments SET diagnostic_score = 90 WHERE id = CAST($1 AS INTEGER)",
        &[e],
        differs("diagnostic_score", "90", "12"),
    )
    .await;
    named(
        &test,
        "UPDATE enrollments SET state = 'not_yet_competent' WHERE id = CAST($1 AS INTEGER)",
        "UPDATE enrollments SET state = 'delivered' WHERE id = CAST($1 AS INTEGER)",
        &[e],
        differs("state", "delivered", "not_yet_competent"),
    )
    .await;
    named(
        &test,
        "UPDATE enrollments SET verdict = 'not_yet_competent' WHERE id = CAST($1 AS INTEGER)",
        "UPDATE enrollments SET verdict = 'competent' WHERE id = CAST($1 AS INTEGER)",
        &[e],
        differs("verdict", "competent", "not_yet_competent"),
    )
    .await;
    named(
        &test,
        "UPDATE element_judgements SET competent = FALSE WHERE enrollment_id = CAST($1 AS INTEGER) AND element_code = 'E0002'",
        "UPDATE element_judgements SET competent = TRUE WHERE enrollment_id = CAST($1 AS INTEGER) AND element_code = 'E0002'",
        &[e],
        differs("judgement E0002", "competent", "not_yet_competent"),
    )
    .await;
    named(
        &test,
        "UPDATE candidates SET public_registry = NOT public_registry WHERE id = CAST($1 AS INTEGER)",
        "UPDATE candidates SET public_registry = NOT public_registry WHERE id = CAST($1 AS INTEGER)",
        &["1"],
        {
            let consent = count(
                &test,
                "SELECT CAST(CASE WHEN public_registry THEN 1 ELSE 0 END AS BIGINT) FROM candidates WHERE id = 1",
            )
            .await
                == 1;
            serde_json::json!({"record": "candidate", "id": "1", "what": "differs", "field": "public_registry",
                               "log": consent.to_string(), "table": (!consent).to_string()})
        },
    )
    .await;

    // A row no stream records: a window written into the table alone.
    tamper(
        &test,
        "INSERT INTO windows (standard_code, opens_at, closes_at, tz, capacity, state, created_at) \
         SELECT standard_code, opens_at, closes_at, tz, capacity, state, created_at FROM windows",
        &[],
    )
    .await;
    let (report, listed) = differences(&test, 1).await;
    let window = count(&test, "SELECT MAX(id) FROM windows").await.to_string();
    assert_eq!(
        listed,
        [serde_json::json!({"record": "window", "id": window, "what": "not_in_log"})],
        "{report}"
    );
    let out = verify(&test, "en", "table").await;
    assert!(
        out.stdout.contains(&format!(
            "window {window}: in the table, recorded by no stream of the audit log"
        )),
        "{}",
        out.stdout
    );
    tamper(
        &test,
        "DELETE FROM windows WHERE id = (SELECT MAX(id) FROM windows)",
        &[],
    )
    .await;
    differences(&test, 0).await;

    // A whole stream deleted, as an attacker with the database would (the trigger dropped
    // first): every remaining chain is intact, and the enrollment it recorded is named.
    let drop = match test.url.starts_with("postgres") {
        true => "DROP TRIGGER audit_events_no_change ON audit_events",
        false => "DROP TRIGGER audit_events_no_delete",
    };
    tamper(&test, drop, &[]).await;
    let last = count(&test, "SELECT MAX(id) FROM enrollments").await.to_string();
    tamper(
        &test,
        "DELETE FROM audit_events WHERE stream = 'enrollment:' || $1",
        &[last.as_str()],
    )
    .await;
    let (report, listed) = differences(&test, 1).await;
    assert!(report["broken"].is_null(), "{report}");
    assert_eq!(
        listed,
        [serde_json::json!({"record": "enrollment", "id": last, "what": "not_in_log"})],
        "{report}"
    );
}
