//! Evidence that holds up against someone with the database: the append-only triggers dropped,
//! each attack done in SQL with the chain recomputed as an attacker would, and `avala audit
//! verify` names it against a checkpoint taken before; a forged checkpoint file is refused; an
//! inclusion proof checks out with the issuer's public key alone and fails when the event
//! changes.

use avala::store::Db;
use avala_tests::{TestDb, both};

use super::Operator;
use super::runner::{approved, count};

both!(
    every_attack_is_named_against_a_checkpoint,
    a_proof_holds_with_the_key_alone,
    the_runner_mails_a_checkpoint_a_day
);

/// Runs `sql` (no result) on the test database.
async fn sql(test: &TestDb, statements: &[&str]) {
    let db = Db::connect(&test.url, false).await.unwrap();
    let mut tx = db.write().await.unwrap();
    for s in statements {
        avala::on!(&mut tx, c => sqlx::query(sqlx::AssertSqlSafe(s.to_string())).execute(c).await.unwrap().rows_affected());
    }
    tx.commit().await.unwrap();
    db.close().await;
}

/// The first thing an attacker does: drop the triggers that keep the log append-only.
async fn drop_triggers(test: &TestDb) {
    if test.is_postgres() {
        sql(
            test,
            &[
                "DROP TRIGGER audit_events_no_change ON audit_events",
                "DROP TRIGGER audit_checkpoints_no_change ON audit_checkpoints",
            ],
        )
        .await;
    } else {
        sql(
            test,
            &[
                "DROP TRIGGER audit_events_no_update",
                "DROP TRIGGER audit_events_no_delete",
                "DROP TRIGGER audit_checkpoints_no_update",
                "DROP TRIGGER audit_checkpoints_no_delete",
            ],
        )
        .await;
    }
}

type Event = (i64, i64, String, chrono::DateTime<chrono::Utc>, String, String, i64);

/// Recomputes every hash of `stream`, from its first event on, as `audit.rs` does: what an
/// attacker who read the code does after changing an event, so that the chain holds again.
async fn rechain(test: &TestDb, stream: &str) {
    let db = Db::connect(&test.url, false).await.unwrap();
    let mut tx = db.write().await.unwrap();
    let events: Vec<Event> = avala::on!(&mut tx, c => sqlx::query_as(
        "SELECT id, seq, actor, at, kind, payload, v FROM audit_events WHERE stream = $1 ORDER BY seq"
    ).bind(stream).fetch_all(c).await.unwrap());
    let mut prev = avala::audit::GENESIS.to_string();
    for (id, seq, actor, at, kind, payload, v) in events {
        let event = avala::audit::Event {
            stream,
            seq,
            actor: &actor,
            at,
            kind: &kind,
            payload: &payload,
            v,
        };
        let hash = event.hash(&prev);
        avala::on!(&mut tx, c => sqlx::query("UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE id = $3")
            .bind(&prev).bind(&hash).bind(id).execute(c).await.unwrap().rows_affected());
        prev = hash;
    }
    tx.commit().await.unwrap();
    db.close().await;
}

/// `audit verify` with `extra` arguments refused (exit 1), saying each of `words` on stdout
/// or stderr; returns what it said.
async fn named(op: &Operator<'_>, extra: &[&str], words: &[&str]) -> String {
    let mut args = vec!["audit", "verify"];
    args.extend(extra);
    let out = op.run(Some("admin"), &args).await;
    out.expect_code(1);
    let said = format!("{}\n{}", out.stdout, out.stderr);
    for w in words {
        assert!(said.contains(w), "{w:?} not in:\n{said}");
    }
    said
}

async fn every_attack_is_named_against_a_checkpoint(test: TestDb) {
    approved(&test, 6).await;
    let op = Operator { test: &test };
    let file = op.dir().join("checkpoint.json");
    let file_arg = file.display().to_string();
    let taken = op.json(Some("admin"), &["audit", "checkpoint", "-o", &file_arg]).await;
    assert_eq!(taken["id"], 1, "{taken}");
    let cp = ["--checkpoint", file_arg.as_str()];
    // Untouched, the log matches the file and the stored checkpoint.
    let out = op
        .ok(Some("admin"), &["audit", "verify", "--checkpoint", &file_arg])
        .await;
    assert!(out.stdout.contains("audit log intact"), "{}", out.stdout);
    assert!(
        out.stdout.contains("#1") && out.stdout.contains(&file_arg),
        "{}",
        out.stdout
    );
    // A forged copy of the file is refused before anything is compared: one leaf's hash
    // changed, the root changed to match, the signature changed.
    let text = std::fs::read_to_string(&file).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let head = json["streams"][3]["head"].as_str().unwrap().to_string();
    let root = json["checkpoint"]["root"].as_str().unwrap().to_string();
    let signature = json["signature"].as_str().unwrap().to_string();
    let flip = |s: &str| {
        let last = if s.ends_with('0') { '1' } else { '0' };
        format!("{}{last}", &s[..s.len() - 1])
    };
    for (from, to) in [
        (&head, flip(&head)),
        (&root, flip(&root)),
        (&signature, flip(&signature)),
    ] {
        let forged = op.dir().join("forged.json");
        std::fs::write(&forged, text.replacen(from.as_str(), &to, 1)).unwrap();
        let out = op
            .run(
                Some("admin"),
                &["audit", "verify", "--checkpoint", &forged.display().to_string()],
            )
            .await;
        out.expect_code(1);
        assert!(out.stderr.contains("refused as forged"), "{}", out.stderr);
    }

    drop_triggers(&test).await;
    let enrollment = |id: i64| format!("enrollment:{id}");

    // 1. The last event of a stream deleted: the personal_data.read record of enrollment 1.
    let last: i64 = count(&test, "SELECT MAX(seq) FROM audit_events WHERE stream = 'enrollment:1'").await;
    let kind: String = {
        let db = Db::connect(&test.url, false).await.unwrap();
        let mut tx = db.read().await.unwrap();
        let k = avala::on!(&mut tx, c => sqlx::query_scalar(
            "SELECT kind FROM audit_events WHERE stream = 'enrollment:1' ORDER BY seq DESC LIMIT 1"
        ).fetch_one(c).await.unwrap());
        tx.commit().await.unwrap();
        db.close().await;
        k
    };
    assert_eq!(kind, "personal_data.read");
    sql(
        &test,
        &["DELETE FROM audit_events WHERE stream = 'enrollment:1' AND kind = 'personal_data.read'"],
    )
    .await;
    // Nothing is broken in the chain itself, but the checkpoint saw one more event.
    named(
        &op,
        &cp,
        &[&format!(
            "stream enrollment:1 has {} events; checkpoint {file_arg} saw {last}",
            last - 1
        )],
    )
    .await;
    // The stored checkpoint's root names it too (until the attacker deletes it: see below).
    named(&op, &[], &["checkpoint #1 no longer hashes to its signed root"]).await;

    // 2. A whole stream deleted.
    let length5 = count(&test, "SELECT COUNT(*) FROM audit_events WHERE stream = 'enrollment:5'").await;
    sql(&test, &["DELETE FROM audit_events WHERE stream = 'enrollment:5'"]).await;
    named(
        &op,
        &cp,
        &[&format!(
            "stream enrollment:5 is gone; checkpoint {file_arg} saw it with {length5} events"
        )],
    )
    .await;

    // 3. A payload edited (the diagnostic score), and the stream's hashes recomputed.
    sql(
        &test,
        &["UPDATE audit_events SET payload = REPLACE(payload, '90', '55') \
           WHERE stream = 'enrollment:2' AND kind = 'enrollment.diagnosed'"],
    )
    .await;
    rechain(&test, &enrollment(2)).await;
    let length2 = count(&test, "SELECT MAX(seq) FROM audit_events WHERE stream = 'enrollment:2'").await;
    named(
        &op,
        &cp,
        &[&format!(
            "stream enrollment:2, event {length2}: its hash is not the one checkpoint {file_arg} saw"
        )],
    )
    .await;

    // 4. An actor rewritten, and the stream recomputed.
    sql(
        &test,
        &["UPDATE audit_events SET actor = 'admin' WHERE stream = 'enrollment:3' AND actor = 'eva'"],
    )
    .await;
    rechain(&test, &enrollment(3)).await;
    let length3 = count(&test, "SELECT MAX(seq) FROM audit_events WHERE stream = 'enrollment:3'").await;
    named(
        &op,
        &cp,
        &[&format!(
            "stream enrollment:3, event {length3}: its hash is not the one"
        )],
    )
    .await;

    // 5. An event deleted and the rest renumbered, the stream recomputed.
    let length4 = count(&test, "SELECT MAX(seq) FROM audit_events WHERE stream = 'enrollment:4'").await;
    sql(
        &test,
        &["DELETE FROM audit_events WHERE stream = 'enrollment:4' AND seq = 2"],
    )
    .await;
    for seq in 3..=length4 {
        sql(
            &test,
            &[&format!(
                "UPDATE audit_events SET seq = {} WHERE stream = 'enrollment:4' AND seq = {seq}",
                seq - 1
            )],
        )
        .await;
    }
    rechain(&test, &enrollment(4)).await;
    // Without the checkpoint, the chains all hold: the attack is invisible to them alone...
    sql(&test, &["DELETE FROM audit_checkpoints"]).await;
    let plain = op.run(Some("admin"), &["audit", "verify"]).await;
    assert!(
        plain.stdout.contains("audit log intact"),
        "the attacker's chains hold; only a checkpoint kept outside shows otherwise: {}",
        plain.stdout
    );
    // ...and the file kept outside names every one of them, stored checkpoints deleted or not.
    let all = named(
        &op,
        &cp,
        &[
            &format!(
                "stream enrollment:4 has {} events; checkpoint {file_arg} saw {length4}",
                length4 - 1
            ),
            "stream enrollment:1 has",
            "stream enrollment:5 is gone",
            "stream enrollment:2, event",
            "stream enrollment:3, event",
            "the audit log does not hold up: 5 findings",
        ],
    )
    .await;
    assert!(!all.contains("enrollment:6"), "an untouched stream is not named: {all}");
    // In Spanish too.
    let out = op
        .run(
            Some("admin"),
            &["--lang", "es", "audit", "verify", "--checkpoint", &file_arg],
        )
        .await;
    out.expect_code(1);
    assert!(
        out.stdout.contains("el flujo enrollment:5 ya no existe"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("5 hallazgos"), "{}", out.stderr);
    // The JSON report lists them as data.
    let out = op
        .run(
            Some("admin"),
            &["--format", "json", "audit", "verify", "--checkpoint", &file_arg],
        )
        .await;
    out.expect_code(1);
    // The report, then the error.
    let mut values = serde_json::Deserializer::from_str(&out.stdout).into_iter::<serde_json::Value>();
    let report = values.next().unwrap().unwrap();
    assert_eq!(report["findings_total"], 5, "{report}");
    let kinds: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["finding"].as_str().unwrap())
        .collect();
    for k in ["stream_shortened", "stream_missing", "head_changed"] {
        assert!(kinds.contains(&k), "{k} not in {kinds:?}");
    }
}

/// Fails, too, when any byte of the event changes.
async fn a_proof_holds_with_the_key_alone(test: TestDb) {
    approved(&test, 3).await;
    let op = Operator { test: &test };
    op.ok(Some("admin"), &["audit", "checkpoint"]).await;
    let proof_file = op.dir().join("proof.json");
    let proof_arg = proof_file.display().to_string();
    op.ok(
        Some("admin"),
        &["audit", "prove", "enrollment:2", "2", "-o", &proof_arg],
    )
    .await;
    let text = std::fs::read_to_string(&proof_file).unwrap();
    let proof: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The proof shows its own event and no other event's contents: the others are digests.
    assert_eq!(proof["event"]["stream"], "enrollment:2");
    assert!(
        proof["later"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d.as_str().unwrap().len() == 64)
    );
    let public_key = proof["public_key"].as_str().unwrap().to_string();
    // Checked with the public key alone, against no database at all.
    let nowhere = op.dir().join("no-such.db");
    let out = avala_tests::bin::avala(
        &nowhere.display().to_string(),
        &["audit", "verify-proof", &proof_arg, "--public-key", &public_key],
        &[],
        &op.dir(),
    )
    .await;
    out.ok();
    assert!(out.stdout.contains("the proof holds"), "{}", out.stdout);
    assert!(!nowhere.exists(), "verify-proof with a public key opens no database");
    // A script in another language, with only the format of docs/AUDIT.md, agrees.
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/verify_proof.py");
    let python = |file: &std::path::Path| {
        std::process::Command::new("python3")
            .arg(&script)
            .arg(file)
            .arg(&public_key)
            .output()
    };
    let has_cryptography = std::process::Command::new("python3")
        .args(["-c", "import cryptography"])
        .status()
        .is_ok_and(|s| s.success());
    if has_cryptography {
        let out = python(&proof_file).unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
        let mut forged = proof.clone();
        forged["event"]["payload"]["score"] = 91.into();
        let forged_file = op.dir().join("forged-proof.json");
        std::fs::write(&forged_file, serde_json::to_string(&forged).unwrap()).unwrap();
        let out = python(&forged_file).unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    } else {
        eprintln!("skipped: the Python check of docs/verify_proof.py (python3 with cryptography is not installed)");
    }
    // Another key is not the issuer's.
    let other = hex::encode(
        ed25519_dalek::SigningKey::from_bytes(&[9; 32])
            .verifying_key()
            .as_bytes(),
    );
    let out = op
        .run(None, &["audit", "verify-proof", &proof_arg, "--public-key", &other])
        .await;
    out.expect_code(1);
    assert!(out.stderr.contains("not by the issuer's key"), "{}", out.stderr);

    // Any byte of the event changed (each character of its canonical text, to another of its
    // kind, wherever the result is still an event), and the proof fails.
    let key = avala::engine::parse_public_key(&public_key).unwrap();
    assert!(avala::engine::check_proof(&text, &[key]).is_ok());
    let event = avala::canonical::canonical_json(&proof["event"]);
    let mut tried = 0;
    for (i, ch) in event.char_indices() {
        let to = match ch {
            '0'..='8' => char::from(ch as u8 + 1),
            '9' => '0',
            'a'..='y' => char::from(ch as u8 + 1),
            'z' => 'a',
            'A'..='Z' => ch.to_ascii_lowercase(),
            _ => continue,
        };
        let changed = format!("{}{to}{}", &event[..i], &event[i + ch.len_utf8()..]);
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&changed) else {
            continue;
        };
        let mut forged = proof.clone();
        forged["event"] = value;
        let Ok(forged_text) = serde_json::to_string(&forged) else {
            continue;
        };
        // A change that no longer reads as a proof's event is refused too.
        assert!(
            avala::engine::check_proof(&forged_text, &[key]).is_err(),
            "byte {i} of the event changed ({ch:?} to {to:?}) and the proof still held"
        );
        tried += 1;
    }
    assert!(tried > 100, "only {tried} changes tried");
    // The CLI says which part does not hold.
    let mut forged = proof.clone();
    forged["event"]["actor"] = "ver".into();
    std::fs::write(&proof_file, serde_json::to_string(&forged).unwrap()).unwrap();
    let out = op
        .run(
            None,
            &["audit", "verify-proof", &proof_arg, "--public-key", &public_key],
        )
        .await;
    out.expect_code(1);
    assert!(out.stderr.contains("the event was changed"), "{}", out.stderr);
}

/// The body of the attachment `name` of a message, decoded (quoted-printable, as lettre writes
/// JSON).
fn attachment(data: &str, name: &str) -> Option<String> {
    let start = data.find(&format!("filename=\"{name}\""))?;
    let part = &data[start..];
    let body = &part[part.find("\r\n\r\n")? + 4..];
    let body = &body[..body.find("\r\n--")?];
    let soft = body.replace("=\r\n", "");
    let mut out = Vec::new();
    let bytes = soft.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn the_runner_mails_a_checkpoint_a_day(test: TestDb) {
    approved(&test, 3).await;
    let op = Operator { test: &test };
    let config = op.dir().join("avala.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.push_str("oversight_email = \"contraloria@example.gob.mx\"\n");
    std::fs::write(&config, toml).unwrap();
    let smtp = avala_tests::smtp::SmtpSink::start().await;
    let start = chrono::Utc::now();
    let at = |hours: i64| (start + chrono::Duration::hours(hours)).to_rfc3339();
    let run = |now: String| {
        let url = smtp.url();
        let test = &test;
        async move {
            super::runner::runner(test, &["--once", "--smtp-url", &url], &[("AVALA_NOW", &now)])
                .await
                .ok();
        }
    };
    // The first day is not over: no checkpoint yet.
    run(at(1)).await;
    assert_eq!(count(&test, "SELECT COUNT(*) FROM audit_checkpoints").await, 0);
    // A day after the first event: one, e-mailed to the administrator and the oversight address.
    run(at(25)).await;
    run(at(26)).await;
    assert_eq!(count(&test, "SELECT COUNT(*) FROM audit_checkpoints").await, 1);
    let mails: Vec<_> = smtp
        .messages()
        .into_iter()
        .filter(|m| {
            m.header("Message-ID")
                .is_some_and(|id| id.contains("notice.checkpoint."))
        })
        .collect();
    assert_eq!(mails.len(), 1, "one e-mail of the checkpoint");
    let mut to = mails[0].to.clone();
    to.sort();
    assert_eq!(to, ["admin@itaip.example", "contraloria@example.gob.mx"]);
    // The attached copy is the checkpoint: the log verifies against it.
    let copy = attachment(&mails[0].data, "avala-checkpoint-1.json").expect("the checkpoint is attached");
    let file = op.dir().join("mailed.json");
    std::fs::write(&file, &copy).unwrap();
    let out = op
        .ok(
            Some("admin"),
            &["audit", "verify", "--checkpoint", &file.display().to_string()],
        )
        .await;
    assert!(out.stdout.contains("mailed.json"), "{}", out.stdout);
    // The next day, the next one.
    run(at(50)).await;
    assert_eq!(count(&test, "SELECT COUNT(*) FROM audit_checkpoints").await, 2);
    // None when checkpoint_hours is 0.
    let toml = std::fs::read_to_string(&config).unwrap();
    assert!(toml.contains("checkpoint_hours = 24"), "{toml}");
    std::fs::write(&config, toml.replace("checkpoint_hours = 24", "checkpoint_hours = 0")).unwrap();
    run(at(100)).await;
    assert_eq!(count(&test, "SELECT COUNT(*) FROM audit_checkpoints").await, 2);
}
