//! Free text and files at their limits, through the real binaries: files over their size are
//! refused unread; standard titles, reasons, evidence and feedback are text values, refused
//! with their field (and line) when they hold what no certificate, e-mail or terminal should
//! show; and the longest name and title allowed are laid out on the certificate.

use avala_tests::{TestDb, both};

use super::{Operator, pdftotext};

both!(text_and_files_are_refused_at_their_limits_and_change_nothing);

/// Asserts `out` failed with exit 1 and said each of `words`.
#[track_caller]
fn refused(out: &avala_tests::bin::Output, words: &[&str]) {
    out.expect_code(1);
    for w in words {
        assert!(out.stderr.contains(w), "{w:?} not in:\n{}", out.stderr);
    }
}

async fn text_and_files_are_refused_at_their_limits_and_change_nothing(test: TestDb) {
    let op = Operator { test: &test };
    let window = op.set_up().await;
    let dir = op.dir();
    let before = op.snapshot().await;

    // A 50 MB standard file and a 65 MiB cohort (sparse: nothing is written) are refused unread.
    let huge = dir.join("EC9999.toml");
    std::fs::File::create(&huge).unwrap().set_len(50_000_000).unwrap();
    let out = op
        .run(Some("admin"), &["standard", "load", huge.to_str().unwrap()])
        .await;
    refused(&out, &["EC9999.toml", "47.7 MiB", "1 MiB", "not read"]);
    let es = op
        .run(
            Some("admin"),
            &["--lang", "es", "standard", "load", huge.to_str().unwrap()],
        )
        .await;
    refused(&es, &["47.7 MiB", "no se leyó"]);
    let cohort = dir.join("cohort-huge.csv");
    std::fs::File::create(&cohort)
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    let out = op
        .run(
            Some("admin"),
            &[
                "candidate",
                "import",
                "--window",
                &window.to_string(),
                cohort.to_str().unwrap(),
            ],
        )
        .await;
    refused(&out, &["65 MiB", "64 MiB"]);

    // A standard whose element title hides a bidi override: refused with its line and field.
    let standard = avala::demo::EC1057_TOML.replacen("title = \"", "title = \"\u{202E}", 2);
    let file = dir.join("EC1057-bidi.toml");
    std::fs::write(&file, &standard).unwrap();
    let out = op
        .run(Some("admin"), &["standard", "load", file.to_str().unwrap()])
        .await;
    refused(&out, &["U+202E"]);
    assert!(out.stderr.contains("title"), "{}", out.stderr);
    // A 301-character title.
    let long = avala::demo::EC1057_TOML.replacen("title = \"", &format!("title = \"{}", "a".repeat(301)), 1);
    std::fs::write(&file, &long).unwrap();
    let out = op
        .run(Some("admin"), &["standard", "load", file.to_str().unwrap()])
        .await;
    refused(&out, &["300"]);
    assert_eq!(op.snapshot().await, before, "a refused command changed something");

    // A staff member's name, and a candidate's typed in, are text values too.
    let out = op
        .run(
            Some("admin"),
            &[
                "staff",
                "add",
                "eva.x",
                "--name",
                "Eva\u{1b}[5m",
                "--email",
                "x@itaip.example",
                "--role",
                "evaluator",
            ],
        )
        .await;
    refused(&out, &["U+001B"]);
    for (name, expect) in [("Ana\u{7}", "U+0007"), (&*"a".repeat(5000), "5000")] {
        refused(&op.register(window, name, "x@example.mx").await, &[expect]);
    }
    assert_eq!(op.snapshot().await, before, "a refused command changed something");

    // Reasons, evidence and feedback keep their lines and refuse the rest.
    let csv = op.cohort(3).await;
    op.import(window, &csv).await;
    let ids: Vec<String> = op.enrollment_ids(window).await.iter().map(i64::to_string).collect();
    let before = op.snapshot().await;
    let out = op
        .run(
            Some("admin"),
            &["withdraw", &ids[0], "--reason", "Baja\u{1b}[2J voluntaria"],
        )
        .await;
    refused(&out, &["U+001B"]);
    let out = op
        .run(
            Some("admin"),
            &["--lang", "es", "withdraw", &ids[0], "--reason", &"x".repeat(501)],
        )
        .await;
    refused(&out, &["500"]);
    assert_eq!(op.snapshot().await, before, "a refused withdrawal changed something");
    op.ok(
        Some("admin"),
        &[
            "withdraw",
            &ids[0],
            "--reason",
            "Baja voluntaria\r\nsolicitada por oficio",
        ],
    )
    .await;
    let shown = op.json(Some("admin"), &["enrollment", "show", &ids[0]]).await;
    assert!(
        shown.to_string().contains("Baja voluntaria\\nsolicitada por oficio"),
        "the reason is kept with its line break as LF: {shown}"
    );

    op.ok(Some("eva.rosales"), &["diagnostic", "record", &ids[1], "--score", "88"])
        .await;
    op.ok(
        Some("admin"),
        &[
            "evaluation",
            "plan",
            &ids[1],
            "--evaluator",
            "eva.rosales",
            "--at",
            "2026-11-23 10:00",
        ],
    )
    .await;
    let before = op.snapshot().await;
    let out = op
        .run(
            Some("eva.rosales"),
            &[
                "evaluation",
                "record",
                &ids[1],
                "--element",
                "E0001",
                "--competent",
                "--evidence",
                "Guía\u{7}",
            ],
        )
        .await;
    refused(&out, &["U+0007"]);
    let instrument = dir.join("instrument.csv");
    std::fs::write(
        &instrument,
        "element,competent,evidence,feedback\r\nE0001,sí,Portafolio,\r\nE0002,sí,\"Guía\u{200B}\",\r\nE0003,sí,,\r\nE0004,sí,,\r\n",
    )
    .unwrap();
    let out = op
        .run(
            Some("eva.rosales"),
            &["evaluation", "submit", &ids[1], instrument.to_str().unwrap()],
        )
        .await;
    refused(&out, &["line 3", "evidence", "U+200B"]);
    assert_eq!(op.snapshot().await, before, "a refused judgement changed something");

    // The longest name allowed is laid out on its certificate, on two lines.
    let name = format!("María {}", "Ñ".repeat(144));
    assert_eq!(name.chars().count(), 150);
    op.register(window, &name, "largo@example.mx").await.ok();
    let id = op.enrollment_ids(window).await.into_iter().max().unwrap();
    op.evaluate(id, "eva.rosales", None).await;
    op.ok(
        Some("ver.zuniga"),
        &[
            "dictamen",
            "issue",
            "--window",
            &window.to_string(),
            "--procede",
            "--enrollment",
            &id.to_string(),
        ],
    )
    .await;
    avala_tests::bin::run(
        &avala_tests::bin::path("avala-runner"),
        &["--db", &test.url, "--once"],
        &[],
        &dir,
    )
    .await
    .ok();
    let list = op.json(Some("admin"), &["certificate", "list"]).await;
    let folio = list[0]["folio"].as_str().unwrap();
    let text = pdftotext(&dir.join("certificates").join(format!("{folio}.pdf")));
    let printed: String = text.chars().filter(|c| *c == 'Ñ').collect();
    assert_eq!(printed.chars().count(), 144, "the whole name is printed:\n{text}");

    // A name written into the database past every check reaches no terminal as an escape.
    super::runner::tamper(
        &test,
        "UPDATE candidates SET name = $1 WHERE id = (SELECT MIN(id) FROM candidates)",
        &["\u{1b}[31mRojo\u{7}\r\nFalso"],
    )
    .await;
    let table = op.ok(Some("admin"), &["enrollment", "list"]).await;
    assert!(
        !table.stdout.contains('\u{1b}') && !table.stdout.contains('\u{7}'),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("[31mRojo Falso"), "{}", table.stdout);
}
