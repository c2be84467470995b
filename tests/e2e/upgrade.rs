//! A database made by an earlier main (`tests/fixtures/main-8f8fa18`, how it was made is in its
//! README) opens with today's binaries: its migrations run, its audit chain still verifies, its
//! certificates still verify, the standard it loaded is the same version, and the jobs it left
//! queued in the old payload format decode and run.

use std::path::Path;

use avala_tests::Scratch;
use avala_tests::bin;

use super::standards_file;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_made_by_an_earlier_main_opens_and_its_queued_jobs_run() {
    let scratch = Scratch::new();
    let dir = scratch.path();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/main-8f8fa18"),
        &dir,
    );
    {
        use std::os::unix::fs::PermissionsExt;
        // git keeps no file modes: the key is private, as `avala init` left it.
        std::fs::set_permissions(dir.join("issuer-key.secret"), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let db = dir.join("avala.db").to_string_lossy().into_owned();
    let avala = |args: &'static [&'static str]| {
        let (db, dir) = (db.clone(), dir.clone());
        async move { bin::avala(&db, args, &[("AVALA_ACTOR", "admin")], &dir).await }
    };

    // The queue as the old version left it: seven jobs, in the old payloads.
    let jobs = avala(&["--format", "json", "jobs", "list", "--state", "queued"]).await;
    let jobs = jobs.ok().json();
    let kinds: Vec<&str> = jobs
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 7, "{jobs}");
    assert_eq!(kinds.iter().filter(|k| **k == "render_certificate").count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == "notify").count(), 6);

    let audit = avala(&["--format", "json", "audit", "verify"]).await.ok().json();
    assert_eq!(audit["events"], 54, "{audit}");
    // Its tables are what its events say; the consent its registrations did not log is not
    // checkable, and said so, never a difference.
    let replay = &audit["replay"];
    assert_eq!(replay["total_differences"], 0, "{audit}");
    assert_eq!(
        replay["checked"],
        serde_json::json!({"enrollments": 6, "certificates": 3, "windows": 1, "candidates": 0}),
        "{audit}"
    );
    assert_eq!(
        replay["not_checkable"],
        serde_json::json!([{"record": "candidate", "field": "public_registry", "records": 6}]),
        "{audit}"
    );
    let out = avala(&["audit", "verify"]).await;
    out.ok();
    assert!(
        out.stdout
            .contains("not checkable (not a sign of tampering): public_registry of 6 candidate(s)"),
        "{}",
        out.stdout
    );

    // The standard it loaded is the same version: its stored hash still matches the file.
    let standard = standards_file();
    let load = bin::avala(
        &db,
        &["standard", "load", standard.to_str().unwrap()],
        &[("AVALA_ACTOR", "admin")],
        &dir,
    )
    .await;
    load.ok();
    let standards = avala(&["--format", "json", "standard", "list"]).await.ok().json();
    assert_eq!(standards.as_array().unwrap().len(), 1, "{standards}");

    // Its runner's work: every queued job decodes and is done, none dead. Its log began more
    // than a day ago, so the runner also takes its first checkpoint (over the old, version-1
    // events) and e-mails it: the seventh notice.
    let run = bin::run(&bin::path("avala-runner"), &["--db", &db, "--once"], &[], &dir).await;
    run.ok();
    assert!(
        run.stdout
            .contains("1 certificado(s) generados, 1 correo(s) con certificado y 7 aviso(s)"),
        "{}",
        run.stdout
    );
    let left = avala(&["--format", "json", "jobs", "list"]).await.ok().json();
    for job in left.as_array().unwrap() {
        assert_eq!(job["state"], "done", "{job}");
    }
    for notice in [
        "notice.registration.6.eml",
        "notice.diagnostic.3.eml",
        "notice.verdict.4.eml",
        "notice.dictamen.3.eml",
        "EC1057-2026-000003.certificate.eml",
        "notice.checkpoint.1.eml",
    ] {
        assert!(dir.join("outbox").join(notice).exists(), "{notice} was not sent");
    }

    // The certificates the old version rendered verify, as does the one rendered now.
    for folio in ["EC1057-2026-000001", "EC1057-2026-000002", "EC1057-2026-000003"] {
        let pdf = dir.join("certificates").join(format!("{folio}.pdf"));
        let out = bin::avala(&db, &["certificate", "verify", pdf.to_str().unwrap()], &[], &dir).await;
        out.ok();
        assert!(out.stdout.contains("VALID"), "{folio}: {}", out.stdout);
    }
    let enrollments = avala(&["--format", "json", "enrollment", "list"]).await.ok().json();
    let states: Vec<&str> = enrollments
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "delivered",
            "delivered",
            "delivered",
            "not_yet_competent",
            "withdrawn",
            "registered"
        ]
    );
    avala(&["audit", "verify"]).await.ok();
}
