//! Certificates prove themselves: every field on the page, a QR code that decodes to a token
//! that verifies, and each verification outcome through the real binary with its exit code.

use std::path::{Path, PathBuf};

use avala_tests::bin;
use avala_tests::{TestDb, both};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

use super::{Operator, pdftotext};

/// A window whose `n` candidates are all certified and e-mailed; returns the folios.
async fn certified(op: &Operator<'_>, n: usize) -> Vec<String> {
    let window = op.set_up().await;
    let csv = op.cohort(n).await;
    op.import(window, &csv).await;
    for (i, id) in op.enrollment_ids(window).await.into_iter().enumerate() {
        op.evaluate(id, if i % 2 == 0 { "eva.rosales" } else { "eva.solis" }, None)
            .await;
    }
    op.ok(
        Some("ver.zuniga"),
        &["dictamen", "issue", "--window", &window.to_string(), "--procede"],
    )
    .await;
    runner(op).await;
    let list = op.json(Some("admin"), &["certificate", "list"]).await;
    let mut folios: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["folio"].as_str().unwrap().to_string())
        .collect();
    folios.sort();
    folios
}

async fn runner(op: &Operator<'_>) {
    bin::run(
        &bin::path("avala-runner"),
        &["--db", &op.test.url, "--once"],
        &[],
        &op.dir(),
    )
    .await
    .ok();
}

fn pdf_path(op: &Operator<'_>, folio: &str) -> PathBuf {
    op.dir().join("certificates").join(format!("{folio}.pdf"))
}

/// `avala certificate verify ARGS`: (exit code, stdout).
async fn verify(op: &Operator<'_>, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut all = vec!["certificate", "verify"];
    all.extend(args);
    // As staff, who may also verify by folio (the public may not: folios are sequential).
    let mut env = env.to_vec();
    if !env.iter().any(|(k, _)| *k == "AVALA_ACTOR") {
        env.push(("AVALA_ACTOR", "admin"));
    }
    let out = bin::avala(&op.test.url, &all, &env, &op.dir()).await;
    (out.code, format!("{}{}", out.stdout, out.stderr))
}

/// Renders the page at 300 dpi and reads the QR code on it.
fn decode_qr(pdf: &Path, scratch: &Path) -> String {
    let prefix = scratch.join("page");
    let status = std::process::Command::new("pdftoppm")
        .args([
            "-r",
            "300",
            "-gray",
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ])
        .status()
        .expect("pdftoppm (poppler-utils) is needed by the tests; .ci/run installs it");
    assert!(status.success());
    // `-gray` writes a binary PGM: "P5", width, height, 255, then one byte per pixel.
    let pgm = std::fs::read(prefix.with_extension("pgm")).expect("rendered page");
    let mut fields = pgm.split(|b| b.is_ascii_whitespace()).filter(|f| !f.is_empty());
    assert_eq!(fields.next(), Some(&b"P5"[..]), "a binary PGM");
    let mut number = || -> usize { std::str::from_utf8(fields.next().unwrap()).unwrap().parse().unwrap() };
    let (width, height, _max) = (number(), number(), number());
    let pixels = &pgm[pgm.len() - width * height..];
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * width + x]);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    let (_, content) = grids[0].decode().expect("the QR code decodes");
    content
}

both!(certificates_prove_themselves);

async fn certificates_prove_themselves(test: TestDb) {
    let op = Operator { test: &test };
    let folios = certified(&op, 4).await;
    assert_eq!(folios.len(), 4);
    let first = pdf_path(&op, &folios[0]);

    // Every field on the page, accents intact.
    let text = pdftotext(&first);
    let shown = op.json(Some("admin"), &["certificate", "show", &folios[0]]).await;
    let holder = shown["holder_name"].as_str().unwrap();
    let code = shown["verification_code"].as_str().unwrap();
    for field in [
        "Instituto de Transparencia, Acceso a la Información Pública y Protección de Datos Personales",
        "CERTIFICADO DE COMPETENCIA LABORAL",
        holder,
        "EC1057",
        "Garantizar el derecho de acceso a la información pública",
        "versión 1",
        "nivel 3",
        "Competente",
        &folios[0],
        code,
        "Toluca de Lerdo, Estado de México",
        "Vigente hasta",
        "Dra. Mónica Zúñiga Peña",
    ] {
        assert!(text.contains(field), "the certificate lacks {field:?}:\n{text}");
    }
    let info = std::process::Command::new("pdfinfo").arg(&first).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.contains(&folios[0]) && info.contains("Author:"),
        "PDF metadata filled:\n{info}"
    );

    // The QR code decodes to a token that verifies without the PDF.
    let token = decode_qr(&first, &op.dir());
    assert!(token.starts_with("AV1."), "{token}");
    let (exit, out) = verify(&op, &["--token", &token], &[]).await;
    assert_eq!(exit, 0, "{out}");
    assert!(out.contains(holder), "{out}");

    // The file as issued is valid; one flipped byte is tampering.
    let (exit, out) = verify(&op, &[first.to_str().unwrap()], &[]).await;
    assert_eq!(exit, 0, "{out}");
    let mut bytes = std::fs::read(&first).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    let flipped = op.dir().join("flipped.pdf");
    std::fs::write(&flipped, &bytes).unwrap();
    let (exit, out) = verify(&op, &[flipped.to_str().unwrap()], &[]).await;
    assert_eq!(exit, 13, "{out}");
    assert!(out.contains("TAMPERED") && out.contains("SHA-256"), "{out}");

    // Another name in the embedded payload: the signature no longer matches, online or offline.
    let original = std::fs::read(&first).unwrap();
    let forged = forge_holder(&original, "Persona Distinta");
    let forged_path = op.dir().join("forged.pdf");
    std::fs::write(&forged_path, forged).unwrap();
    let (exit, out) = verify(&op, &[forged_path.to_str().unwrap()], &[]).await;
    assert_eq!(exit, 13, "{out}");
    assert!(out.contains("signature"), "{out}");
    let (exit, out) = verify(&op, &[forged_path.to_str().unwrap(), "--offline"], &[]).await;
    assert_eq!(exit, 13, "{out}");

    // Offline, the file alone: valid as far as it can tell, and it says what it could not check.
    let keys = op.json(None, &["keys", "show"]).await;
    let public = keys[0]["public_key"].as_str().unwrap().to_string();
    let (exit, out) = verify(
        &op,
        &[first.to_str().unwrap(), "--offline", "--public-key", &public],
        &[],
    )
    .await;
    assert_eq!(exit, 0, "{out}");
    assert!(out.contains("not checked") && out.contains("revocation"), "{out}");

    // Open Badges 3.0: exported, it verifies; changed, it is tampered; it never shows the e-mail.
    let badge = op.dir().join("badge.json");
    op.ok(
        Some("admin"),
        &[
            "certificate",
            "export",
            &folios[1],
            "--format",
            "ob3",
            "--output",
            badge.to_str().unwrap(),
        ],
    )
    .await;
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&badge).unwrap()).unwrap();
    assert_eq!(json["type"][1], "AchievementCredential");
    assert_eq!(json["proof"]["cryptosuite"], "eddsa-jcs-2022");
    let email = op
        .json(
            Some("admin"),
            &["enrollment", "show", &shown["enrollment_id"].to_string()],
        )
        .await["email"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !std::fs::read_to_string(&badge).unwrap().contains(&email),
        "the recipient is hashed"
    );
    let (exit, out) = verify(&op, &[badge.to_str().unwrap()], &[]).await;
    assert_eq!(exit, 0, "{out}");
    let (exit, out) = verify(&op, &[badge.to_str().unwrap(), "--offline"], &[]).await;
    assert_eq!(exit, 0, "{out}");
    let mut changed = json.clone();
    changed["credentialSubject"]["name"] = "Persona Distinta".into();
    let changed_path = op.dir().join("changed.json");
    std::fs::write(&changed_path, serde_json::to_vec(&changed).unwrap()).unwrap();
    let (exit, out) = verify(&op, &[changed_path.to_str().unwrap()], &[]).await;
    assert_eq!(exit, 13, "{out}");
    // Its proof as a proof set, as the Open Badges 3.0 examples write it: the same credential.
    let set = op.dir().join("proof-set.json");
    let with_proof = |proof: serde_json::Value| {
        let mut doc = json.clone();
        doc["proof"] = proof;
        std::fs::write(&set, serde_json::to_vec(&doc).unwrap()).unwrap();
    };
    with_proof(serde_json::json!([json["proof"].clone()]));
    for offline in [false, true] {
        let mut args = vec![set.to_str().unwrap()];
        args.extend(offline.then_some("--offline"));
        let (exit, out) = verify(&op, &args, &[]).await;
        assert_eq!(exit, 0, "{out}");
        assert!(out.contains("VALID"), "{out}");
    }
    let mut broken = json["proof"].clone();
    broken["created"] = "2030-01-01T00:00:00Z".into();
    for proofs in [serde_json::json!([]), serde_json::json!([broken])] {
        with_proof(proofs);
        let (exit, out) = verify(&op, &[set.to_str().unwrap()], &[]).await;
        assert_eq!(exit, 13, "{out}");
    }

    // Revoked, with the reason.
    op.ok(
        Some("admin"),
        &[
            "certificate",
            "revoke",
            &folios[1],
            "--reason",
            "Dictamen anulado por error de captura",
        ],
    )
    .await;
    let (exit, out) = verify(&op, &[&folios[1]], &[]).await;
    assert_eq!(exit, 10, "{out}");
    assert!(out.contains("Dictamen anulado por error de captura"), "{out}");
    let out = bin::avala(
        &op.test.url,
        &["--format", "json", "certificate", "verify", &folios[1]],
        &[("AVALA_ACTOR", "admin")],
        &op.dir(),
    )
    .await;
    assert_eq!(out.code, 10);
    assert_eq!(out.json()["outcome"], "revoked");
    let (exit, out) = verify(&op, &[badge.to_str().unwrap()], &[]).await;
    assert_eq!(exit, 10, "the badge of a revoked certificate is revoked too: {out}");
    // A revoked certificate cannot be revoked again or re-issued.
    let again = op
        .run(
            Some("admin"),
            &["certificate", "revoke", &folios[1], "--reason", "otra vez"],
        )
        .await;
    assert_eq!(again.code, 1, "{}", again.stderr);

    // Re-issued with a corrected name: the old folio answers superseded by the new one, the new
    // one is valid and the holder receives it.
    let certificate_mails = || {
        std::fs::read_dir(op.dir().join("outbox"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".certificate.eml")
            })
            .count()
    };
    let emails_before = certificate_mails();
    let out = op
        .json(
            Some("admin"),
            &[
                "certificate",
                "reissue",
                &folios[2],
                "--name",
                "María de los Ángeles Núñez Peña",
            ],
        )
        .await;
    let new = out["folio"].as_str().unwrap().to_string();
    assert_ne!(new, folios[2]);
    runner(&op).await;
    let (exit, out) = verify(&op, &[pdf_path(&op, &folios[2]).to_str().unwrap()], &[]).await;
    assert_eq!(exit, 11, "{out}");
    assert!(out.contains(&new), "{out}");
    let (exit, out) = verify(&op, &[pdf_path(&op, &new).to_str().unwrap()], &[]).await;
    assert_eq!(exit, 0, "{out}");
    assert!(pdftotext(&pdf_path(&op, &new)).contains("María de los Ángeles Núñez Peña"));
    assert_eq!(certificate_mails(), emails_before + 1);

    // Two months before the validity ends, each holder in force is reminded, once.
    let soon = [("AVALA_NOW", "2029-10-15T12:00:00Z")];
    runner(&op).await;
    bin::run(
        &bin::path("avala-runner"),
        &["--db", &op.test.url, "--once"],
        &soon,
        &op.dir(),
    )
    .await
    .ok();
    bin::run(
        &bin::path("avala-runner"),
        &["--db", &op.test.url, "--once"],
        &soon,
        &op.dir(),
    )
    .await
    .ok();
    let reminders = std::fs::read_dir(op.dir().join("outbox"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("notice.expiry.")
        })
        .count();
    assert_eq!(
        reminders, 3,
        "folios 1, 4 and the re-issue are in force; the revoked and superseded ones are not"
    );

    // Past the validity (an injected clock): expired.
    let (exit, out) = verify(&op, &[&folios[3]], &[("AVALA_NOW", "2031-01-01T00:00:00Z")]).await;
    assert_eq!(exit, 12, "{out}");
    let expiring = op
        .json(Some("admin"), &["certificate", "expiring", "--within", "1200"])
        .await;
    assert!(expiring.as_array().unwrap().iter().any(|c| c["folio"] == folios[3]));

    // A key rotation keeps old certificates verifying; a key not in the set is unknown.
    op.ok(Some("admin"), &["keys", "rotate"]).await;
    let (exit, out) = verify(&op, &[first.to_str().unwrap()], &[]).await;
    assert_eq!(exit, 0, "{out}");
    let stranger = avala_tests::Scratch::new();
    let other = stranger.path().join("other");
    bin::run(
        &bin::path("avala"),
        &["demo", "--dir", other.to_str().unwrap(), "--candidates", "2"],
        &[],
        &stranger.path(),
    )
    .await
    .ok();
    let foreign = std::fs::read_dir(other.join("certificates"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let (exit, out) = verify(&op, &[foreign.to_str().unwrap()], &[]).await;
    assert_eq!(exit, 14, "{out}");
    assert!(out.contains("UNKNOWN ISSUER KEY"), "{out}");

    // Not found, and a file that is not a certificate.
    let (exit, out) = verify(&op, &["EC1057-2026-999999"], &[]).await;
    assert_eq!(exit, 4, "{out}");
    let junk = op.dir().join("junk.pdf");
    std::fs::write(&junk, b"%PDF-1.4 not a certificate").unwrap();
    let (exit, out) = verify(&op, &[junk.to_str().unwrap()], &[]).await;
    assert_eq!(exit, 4, "{out}");
    // The runner moves it to expired when its time comes (through the state machine, audited).
    let later = [("AVALA_NOW", "2031-01-01T00:00:00Z")];
    let run = bin::run(
        &bin::path("avala-runner"),
        &["--db", &op.test.url, "--once"],
        &later,
        &op.dir(),
    )
    .await;
    run.ok();
    assert!(run.stdout.contains("llegaron al fin de su vigencia"), "{}", run.stdout);
    let shown = op.json(Some("admin"), &["certificate", "show", &folios[3]]).await;
    assert_eq!(shown["state"], "expired");
    op.ok(Some("admin"), &["audit", "verify"]).await;
}

/// Rewrites the holder's name inside the PDF's embedded token, keeping the signature.
fn forge_holder(pdf: &[u8], name: &str) -> Vec<u8> {
    let start = pdf.windows(4).position(|w| w == b"AV1.").expect("token in the PDF") + 4;
    let end = start + pdf[start..].iter().position(|&b| b == b'.').unwrap();
    let payload = String::from_utf8(B64.decode(&pdf[start..end]).unwrap()).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&payload).unwrap();
    value["holder"] = name.into();
    let forged = B64.encode(serde_json::to_string(&value).unwrap());
    let mut out = pdf[..start].to_vec();
    out.extend_from_slice(forged.as_bytes());
    out.extend_from_slice(&pdf[end..]);
    out
}
