//! The trust root watched: the signing key is pinned in the database when it is made, and a key
//! file swapped behind avala's back, open to others or missing is refused, with its message,
//! before anything is issued or signed; `avala keys check` says whether the set-up is sound.

use std::os::unix::fs::PermissionsExt;

use avala_tests::{TestDb, bin, both};

use super::Operator;

both!(the_signing_key_is_watched);

/// Writes `hex` as the key file with `mode`.
fn put_key(op: &Operator<'_>, hex: &str, mode: u32) {
    let path = op.dir().join("issuer-key.secret");
    std::fs::write(&path, hex).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
}

async fn runner(op: &Operator<'_>) -> bin::Output {
    bin::run(
        &bin::path("avala-runner"),
        &["--db", &op.test.url, "--once", "--lang", "en"],
        &[],
        &op.dir(),
    )
    .await
}

/// `dictamen issue` of `ids` in `window`, favourable.
async fn dictamen(op: &Operator<'_>, window: i64, ids: &[i64]) -> bin::Output {
    let window = window.to_string();
    let mut args = vec!["dictamen", "issue", "--window", &window, "--procede"];
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    for id in &ids {
        args.extend(["--enrollment", id]);
    }
    op.run(Some("ver.zuniga"), &args).await
}

/// Asserts `out` failed with `code` and said each of `words` on stderr.
#[track_caller]
fn refused(out: &bin::Output, code: i32, words: &[&str]) {
    out.expect_code(code);
    for w in words {
        assert!(out.stderr.contains(w), "{w:?} not in:\n{}", out.stderr);
    }
}

async fn the_signing_key_is_watched(test: TestDb) {
    let op = Operator { test: &test };
    let window = op.set_up().await;
    let key_file = op.dir().join("issuer-key.secret");
    let original = std::fs::read_to_string(&key_file).unwrap();
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "init writes the key private");
    let pinned = op.json(Some("admin"), &["keys", "check"]).await;
    let pinned_id = pinned["key_id"].as_str().unwrap().to_string();
    // The key was pinned at init, with an audit event.
    let audit = op.json(Some("admin"), &["audit", "verify"]).await;
    assert!(audit["events"].as_i64().unwrap() > 0);

    let csv = op.cohort(4).await;
    op.import(window, &csv).await;
    let ids = op.enrollment_ids(window).await;
    for &id in &ids {
        op.evaluate(id, "eva.rosales", None).await;
    }
    dictamen(&op, window, &ids[..1]).await.ok();
    runner(&op).await.ok();
    let first = op.json(Some("admin"), &["certificate", "list"]).await;
    let first_folio = first[0]["folio"].as_str().unwrap().to_string();
    let first_pdf = op.dir().join("certificates").join(format!("{first_folio}.pdf"));

    // A different valid key put in the file: refused before anything is issued, naming both.
    let swapped = "11".repeat(32);
    put_key(&op, &swapped, 0o600);
    let before = op.snapshot().await;
    let out = dictamen(&op, window, &ids[1..2]).await;
    refused(&out, 1, &[&pinned_id, "behind avala's back", "keys rotate"]);
    let check = op.run(Some("admin"), &["keys", "check"]).await;
    refused(&check, 1, &[&pinned_id, "behind avala's back"]);
    let es = op.run(Some("admin"), &["--lang", "es", "keys", "check"]).await;
    refused(&es, 1, &[&pinned_id, "a espaldas de avala"]);
    assert_eq!(op.snapshot().await, before, "a refused dictamen changed something");
    // The certificate signed before still verifies.
    let out = op
        .run(None, &["certificate", "verify", first_pdf.to_str().unwrap()])
        .await;
    out.ok();
    assert!(out.stdout.contains("VALID"), "{}", out.stdout);

    // The right key, open to others: refused with the chmod to run.
    put_key(&op, &original, 0o644);
    let out = dictamen(&op, window, &ids[1..2]).await;
    refused(&out, 1, &["mode 0644", "chmod 600"]);
    refused(&op.run(Some("admin"), &["keys", "check"]).await, 1, &["chmod 600"]);

    // Missing: refused, naming the file.
    std::fs::remove_file(&key_file).unwrap();
    let out = dictamen(&op, window, &ids[1..2]).await;
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("issuer-key.secret"), "{}", out.stderr);
    assert_eq!(op.snapshot().await, before, "a refused dictamen changed something");

    // Put back as it was, the set-up is sound again and the dictamen goes through.
    put_key(&op, &original, 0o600);
    let check = op.ok(Some("admin"), &["keys", "check"]).await;
    assert!(check.stdout.contains("is private to its owner"), "{}", check.stdout);
    dictamen(&op, window, &ids[1..2]).await.ok();
    // The key swapped between the dictamen and the rendering: the rendering job is dead at
    // once, saying why, and the runner goes on (exit 0).
    put_key(&op, &swapped, 0o600);
    let out = runner(&op).await;
    out.ok();
    let dead = op.json(Some("admin"), &["jobs", "list", "--state", "dead"]).await;
    let dead = dead.as_array().unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["kind"], "render_certificate");
    assert_eq!(dead[0]["attempts"], 1);
    assert!(dead[0]["last_error"].as_str().unwrap().contains(&pinned_id), "{dead:?}");
    // Restored, the job retried renders with the pinned key.
    put_key(&op, &original, 0o600);
    op.ok(Some("admin"), &["jobs", "retry", &dead[0]["id"].to_string()])
        .await;
    runner(&op).await.ok();
    assert_eq!(
        op.json(Some("admin"), &["jobs", "list", "--state", "dead"]).await,
        serde_json::json!([])
    );

    // Rotating is how a key changes on purpose; whatever the file held never joins the key
    // set.
    put_key(&op, &swapped, 0o600);
    op.ok(Some("admin"), &["keys", "rotate"]).await;
    let keys = op.json(Some("admin"), &["keys", "show"]).await;
    let keys = keys.as_array().unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.iter()
            .any(|k| k["key_id"] == pinned_id.as_str() && k["status"] == "retired")
    );
    assert!(keys.iter().any(|k| k["status"] == "signing"));
    op.ok(Some("admin"), &["keys", "check"]).await;
    dictamen(&op, window, &ids[2..]).await.ok();
    runner(&op).await.ok();
    for c in op
        .json(Some("admin"), &["certificate", "list"])
        .await
        .as_array()
        .unwrap()
    {
        let pdf = op
            .dir()
            .join("certificates")
            .join(format!("{}.pdf", c["folio"].as_str().unwrap()));
        let out = op.run(None, &["certificate", "verify", pdf.to_str().unwrap()]).await;
        out.ok();
        assert!(out.stdout.contains("VALID"), "{}", out.stdout);
    }
    op.ok(Some("admin"), &["audit", "verify"]).await;
}
