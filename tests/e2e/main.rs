//! End to end: the real `avala` and `avala-runner` binaries against a real SQLite file, a real
//! PostgreSQL database and a real SMTP server on loopback, as operators use them.

mod certificates;
mod checkpoints;
mod exports;
mod faults;
mod keys;
mod languages;
mod limits;
mod replay;
mod runner;
mod takeover;
mod upgrade;

use std::path::{Path, PathBuf};

use avala_tests::bin::{self, Output};
use avala_tests::smtp::SmtpSink;
use avala_tests::{TestDb, both};

const ELEMENTS: [&str; 4] = ["E0001", "E0002", "E0003", "E0004"];

fn standards_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../standards/EC1057.toml")
}

/// An operator at a terminal: one database, a working directory, `--as` per command.
struct Operator<'a> {
    test: &'a TestDb,
}

impl Operator<'_> {
    fn dir(&self) -> PathBuf {
        self.test.scratch.path()
    }

    async fn run(&self, actor: Option<&str>, args: &[&str]) -> Output {
        let mut all: Vec<&str> = Vec::new();
        if let Some(a) = actor {
            all.extend(["--as", a]);
        }
        all.extend(args);
        bin::avala(&self.test.url, &all, &[], &self.dir()).await
    }

    async fn ok(&self, actor: Option<&str>, args: &[&str]) -> Output {
        let out = self.run(actor, args).await;
        out.ok();
        out
    }

    async fn json(&self, actor: Option<&str>, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--format", "json"];
        all.extend(args);
        self.ok(actor, &all).await.json()
    }

    /// Everything a refused command must leave as it was: every enrollment, certificate and the
    /// number of audit events.
    async fn snapshot(&self) -> String {
        let enrollments = self.json(Some("admin"), &["enrollment", "list"]).await;
        let certificates = self.json(Some("admin"), &["certificate", "list"]).await;
        let audit = self.json(Some("admin"), &["audit", "verify"]).await;
        format!("{enrollments}\n{certificates}\n{}", audit["events"])
    }

    /// init, staff, the standard, an open window; returns the window id.
    async fn set_up(&self) -> i64 {
        self.ok(None, &["init"]).await;
        self.ok(
            None,
            &[
                "staff",
                "add",
                "admin",
                "--name",
                "Ana Ramírez",
                "--email",
                "ana@itaip.example",
                "--role",
                "admin",
            ],
        )
        .await;
        for (id, name, role) in [
            ("eva.rosales", "Mtra. Eva Rosales Ibáñez", "evaluator"),
            ("eva.solis", "Lic. Raúl Solís Muñoz", "evaluator"),
            ("ver.zuniga", "Dra. Mónica Zúñiga Peña", "verifier"),
        ] {
            let email = format!("{id}@itaip.example");
            self.ok(
                Some("admin"),
                &["staff", "add", id, "--name", name, "--email", &email, "--role", role],
            )
            .await;
        }
        let standard = standards_file();
        self.ok(Some("admin"), &["standard", "load", standard.to_str().unwrap()])
            .await;
        self.new_window().await
    }

    /// A new EC1057 window, open until 2099.
    async fn new_window(&self) -> i64 {
        self.open_window(&[]).await
    }

    /// An EC1057 window open from 2020 to 2099, with `extra` options of `window create`
    /// (`--tz`, `--capacity`); returns its id.
    async fn open_window(&self, extra: &[&str]) -> i64 {
        let mut args = vec![
            "window",
            "create",
            "--standard",
            "EC1057",
            "--opens",
            "2020-01-01",
            "--closes",
            "2099-12-31",
        ];
        args.extend(extra);
        let window = self.json(Some("admin"), &args).await["id"].as_i64().unwrap();
        self.ok(Some("admin"), &["window", "open", &window.to_string()]).await;
        window
    }

    /// `candidate import` of `csv` into `window`, as the administrator, which must succeed.
    async fn import(&self, window: i64, csv: &Path) -> Output {
        let window = window.to_string();
        self.ok(
            Some("admin"),
            &["candidate", "import", "--window", &window, csv.to_str().unwrap()],
        )
        .await
    }

    /// `candidate register` of one candidate (CURP GOMC850712HDFNRR05) named `name` into
    /// `window`, as the administrator; the output, whatever it is.
    async fn register(&self, window: i64, name: &str, email: &str) -> Output {
        let window = window.to_string();
        let args = [
            "candidate",
            "register",
            "--window",
            &window,
            "--curp",
            "GOMC850712HDFNRR05",
            "--name",
            name,
            "--email",
            email,
            "--institution",
            "Instituto",
        ];
        self.run(Some("admin"), &args).await
    }

    /// A CSV of `n` generated candidates, written by `avala cohort generate`.
    async fn cohort(&self, n: usize) -> PathBuf {
        let out = self.ok(None, &["cohort", "generate", &n.to_string()]).await;
        let path = self.dir().join(format!("cohort-{n}.csv"));
        std::fs::write(&path, &out.stdout).unwrap();
        path
    }

    async fn enrollment_ids(&self, window: i64) -> Vec<i64> {
        let list = self
            .json(Some("admin"), &["enrollment", "list", "--window", &window.to_string()])
            .await;
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect()
    }

    /// Diagnostic, plan, four judgements; `failing` marks one element not yet competent.
    async fn evaluate(&self, id: i64, evaluator: &str, failing: Option<&str>) {
        let id = id.to_string();
        self.ok(Some(evaluator), &["diagnostic", "record", &id, "--score", "88"])
            .await;
        self.ok(
            Some("admin"),
            &[
                "evaluation",
                "plan",
                &id,
                "--evaluator",
                evaluator,
                "--at",
                "2026-11-23 10:00",
            ],
        )
        .await;
        for element in ELEMENTS {
            let verdict = if failing == Some(element) {
                "--not-yet-competent"
            } else {
                "--competent"
            };
            self.ok(
                Some(evaluator),
                &[
                    "evaluation",
                    "record",
                    &id,
                    "--element",
                    element,
                    verdict,
                    "--evidence",
                    "Guía de observación aplicada",
                ],
            )
            .await;
        }
        self.ok(Some(evaluator), &["verdict", "record", &id]).await;
    }
}

pub(crate) fn pdftotext(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is needed by the tests; .ci/run installs it");
    assert!(out.status.success(), "pdftotext failed on {}", pdf.display());
    String::from_utf8(out.stdout).unwrap()
}

both!(
    a_window_from_import_to_certificates_received_over_smtp,
    bad_input_is_refused_and_changes_nothing,
    an_evaluation_is_planned_at_the_window_s_local_time
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_on_the_postgresql_database_given() {
    avala_tests::on_postgres("the_demo_runs_on_the_postgresql_database_given", |test| async move {
        let dir = test.scratch.path().join("demo");
        let demo = || {
            let (url, dir, cwd) = (test.url.clone(), dir.clone(), test.scratch.path());
            async move {
                let args = ["demo", "--dir", dir.to_str().unwrap(), "--candidates", "3"];
                bin::avala(&url, &args, &[], &cwd).await
            }
        };
        let out = demo().await;
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        assert!(
            !dir.join("avala.db").exists(),
            "no SQLite file beside the database given"
        );
        assert!(
            out.stdout.contains(&test.url),
            "it names the database it ran on:\n{}",
            out.stdout
        );
        let op = Operator { test: &test };
        let enrollments = op.json(Some("admin"), &["enrollment", "list"]).await;
        assert_eq!(enrollments.as_array().unwrap().len(), 3, "{enrollments}");
        // Again: the database holds the first demo now, and is left as it is.
        let before = op.snapshot().await;
        let out = demo().await;
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("holds records already"), "{}", out.stderr);
        let es = bin::avala(
            &test.url,
            &["--lang", "es", "demo", "--dir", dir.to_str().unwrap()],
            &[],
            &test.scratch.path(),
        )
        .await;
        assert_eq!(es.code, 1, "{}", es.stderr);
        assert!(es.stderr.contains("ya tiene registros"), "{}", es.stderr);
        assert_eq!(op.snapshot().await, before, "a refused demo changed the database");
    })
    .await;
}

/// `evaluation plan --at` without a zone reads the time where the window is, and a date before
/// the window opens is refused.
async fn an_evaluation_is_planned_at_the_window_s_local_time(test: TestDb) {
    let op = Operator { test: &test };
    op.set_up().await;
    let window = op.open_window(&["--tz", "America/Tijuana"]).await;
    let csv = op.cohort(1).await;
    op.import(window, &csv).await;
    let id = op.enrollment_ids(window).await[0].to_string();
    op.ok(Some("eva.rosales"), &["diagnostic", "record", &id, "--score", "88"])
        .await;
    let plan = |at: &'static str, lang: &'static str| {
        let (op, id) = (&op, id.clone());
        async move {
            let args = [
                "--lang",
                lang,
                "--as",
                "admin",
                "evaluation",
                "plan",
                &id,
                "--evaluator",
                "eva.rosales",
                "--at",
                at,
            ];
            bin::avala(&op.test.url, &args, &[], &op.dir()).await
        }
    };
    let before = op.snapshot().await;
    for (lang, words) in [("en", "before window"), ("es", "antes de que abra la convocatoria")] {
        let out = plan("1999-06-01 10:00", lang).await;
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains(words) && out.stderr.contains("2020-01-01 00:00 PST"),
            "{}",
            out.stderr
        );
    }
    assert_eq!(op.snapshot().await, before, "a refused plan changed the database");
    let out = plan("2026-11-30 10:00", "en").await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("2026-11-30 10:00 PST"), "{}", out.stdout);
    let shown = op.json(Some("admin"), &["enrollment", "show", &id]).await;
    assert_eq!(shown["evaluation_at"], "2026-11-30T18:00:00Z", "{shown}");
}

async fn a_window_from_import_to_certificates_received_over_smtp(test: TestDb) {
    let op = Operator { test: &test };
    let window = op.set_up().await;
    let csv = op.cohort(8).await;
    let imported = op
        .json(
            Some("admin"),
            &[
                "candidate",
                "import",
                "--window",
                &window.to_string(),
                csv.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(imported["registered"], 8);
    let ids = op.enrollment_ids(window).await;
    assert_eq!(ids.len(), 8);
    for (i, &id) in ids.iter().enumerate() {
        match i {
            7 => {
                op.ok(
                    Some("admin"),
                    &["withdraw", &id.to_string(), "--reason", "Baja voluntaria"],
                )
                .await;
            }
            6 => op.evaluate(id, "eva.solis", Some("E0002")).await,
            _ => {
                op.evaluate(id, if i % 2 == 0 { "eva.rosales" } else { "eva.solis" }, None)
                    .await
            }
        }
    }
    let out = op
        .ok(
            Some("ver.zuniga"),
            &["dictamen", "issue", "--window", &window.to_string(), "--procede"],
        )
        .await;
    assert!(out.stdout.contains("6 certificate(s)"), "{}", out.stdout);

    let smtp = SmtpSink::start().await;
    let run = bin::run(
        &bin::path("avala-runner"),
        &["--db", &test.url, "--once", "--smtp-url", &smtp.url()],
        &[],
        &op.dir(),
    )
    .await;
    run.ok();
    assert!(
        run.stdout
            .contains("6 certificado(s) generados, 6 correo(s) con certificado y"),
        "{}",
        run.stdout
    );
    // A second runner finds nothing left to do.
    let again = bin::run(
        &bin::path("avala-runner"),
        &["--db", &test.url, "--once", "--smtp-url", &smtp.url()],
        &[],
        &op.dir(),
    )
    .await;
    again.ok();

    let messages = smtp.certificates();
    assert_eq!(messages.len(), 6, "one e-mail per certificate, none twice");
    // The notices of every step: registration (8), diagnostic (7), verdict (7), dictamen (6).
    let notices = smtp.messages().len() - messages.len();
    assert_eq!(notices, 8 + 7 + 7 + 6, "one notice per step");
    let certificates = op.json(Some("admin"), &["certificate", "list"]).await;
    let certificates = certificates.as_array().unwrap();
    assert_eq!(certificates.len(), 6);
    let enrollments = op.json(Some("admin"), &["enrollment", "list"]).await;
    for c in certificates {
        let folio = c["folio"].as_str().unwrap();
        let enrollment = enrollments
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == c["enrollment_id"])
            .unwrap();
        assert_eq!(enrollment["state"], "delivered");
        let name = enrollment["name"].as_str().unwrap();
        let detail = op
            .json(Some("admin"), &["enrollment", "show", &enrollment["id"].to_string()])
            .await;
        let email = detail["email"].as_str().unwrap();
        let message = messages
            .iter()
            .find(|m| m.to == [email])
            .unwrap_or_else(|| panic!("no e-mail to {email}"));
        assert!(
            message.header("Message-ID").unwrap().contains(folio),
            "{:?}",
            message.header("Message-ID")
        );
        assert!(message.header("Subject").unwrap().len() > 10);
        assert!(message.data.contains("application/pdf"), "the certificate is attached");
        assert!(message.data.contains(&format!("{folio}.pdf")));
        let text = pdftotext(&op.dir().join("certificates").join(format!("{folio}.pdf")));
        assert!(
            text.contains(name),
            "the PDF shows the holder's name {name:?} with its accents:\n{text}"
        );
        assert!(
            text.contains(folio) && text.contains("EC1057") && text.contains("Competente"),
            "{text}"
        );
        assert!(
            text.contains("Garantizar el derecho de acceso a la información pública"),
            "{text}"
        );
    }
    let report = op.ok(Some("admin"), &["report", "--window", &window.to_string()]).await;
    for line in ["delivered          6", "not yet competent  1", "withdrawn          1"] {
        assert!(
            report.stdout.contains(line),
            "report lacks {line:?}:\n{}",
            report.stdout
        );
    }
    op.ok(Some("admin"), &["audit", "verify"]).await;
}

async fn bad_input_is_refused_and_changes_nothing(test: TestDb) {
    let op = Operator { test: &test };
    let window = op.set_up().await;
    let w = window.to_string();
    let csv = op.cohort(4).await;
    let good = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    let header = lines[0].clone();
    let with_name = |name: &str| {
        let mut f: Vec<String> = lines[1].split(',').map(String::from).collect();
        let i = header.split(',').position(|h| h == "name").unwrap();
        f[i] = name.to_string();
        f.join(",")
    };

    // Malformed CSV, one kind per file: each exits 1, names the line, imports nothing.
    let mut wrong_digit: Vec<char> = lines[2].chars().collect();
    wrong_digit[17] = if wrong_digit[17] == '0' { '1' } else { '0' };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "missing column",
            lines
                .iter()
                .map(|l| l.rsplit_once(',').unwrap().0.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            "public_registry",
        ),
        (
            "check digit",
            [header.clone(), lines[1].clone(), wrong_digit.iter().collect()].join("\n"),
            "line 3",
        ),
        (
            "bad e-mail",
            [header.clone(), lines[1].replacen('@', "#", 1)].join("\n"),
            "line 2",
        ),
        (
            "duplicate CURP",
            [header.clone(), lines[1].clone(), lines[1].clone()].join("\n"),
            "line 3",
        ),
        (
            "empty name",
            [header.clone(), {
                let mut f: Vec<String> = lines[1].split(',').map(String::from).collect();
                let i = header.split(',').position(|h| h == "name").unwrap();
                f[i] = String::new();
                f.join(",")
            }]
            .join("\n"),
            "line 2",
        ),
        ("no header", lines[1..].join("\n"), "header"),
        (
            "a line break typed inside the name cell (Alt+Enter)",
            [header.clone(), with_name("\"Juan\r\nBcc: x@y\"")].join("\n"),
            "line break at character 5",
        ),
        (
            "a terminal escape in the name",
            [header.clone(), with_name("\u{1b}[31mAna")].join("\n"),
            "control character (U+001B)",
        ),
        (
            "a bidi override in the name",
            [header.clone(), with_name("Ana \u{202e}zepoL")].join("\n"),
            "invisible character (U+202E) at character 5",
        ),
        (
            "a name of 131 072 characters",
            [header.clone(), with_name(&"a".repeat(131_072))].join("\n"),
            "at most 150",
        ),
    ];
    let before = op.snapshot().await;
    for (what, content, expect) in &cases {
        let path = op.dir().join("bad.csv");
        std::fs::write(&path, content).unwrap();
        let out = op
            .run(
                Some("admin"),
                &["candidate", "import", "--window", &w, path.to_str().unwrap()],
            )
            .await;
        assert_eq!(out.code, 1, "{what}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains(expect),
            "{what}: the error should mention {expect:?}:\n{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("nothing was imported"),
            "{what}: the error should say nothing was imported:\n{}",
            out.stderr
        );
    }
    // Several problems in one file: every bad line is listed, not just the first.
    let many = [
        header.clone(),
        lines[1].replacen('@', "#", 1),
        lines[2].clone(),
        wrong_digit.iter().collect(),
        lines[2].clone(),
    ]
    .join("\n");
    let path = op.dir().join("many.csv");
    std::fs::write(&path, many).unwrap();
    let out = op
        .run(
            Some("admin"),
            &["candidate", "import", "--window", &w, path.to_str().unwrap()],
        )
        .await;
    assert_eq!(out.code, 1);
    for line in ["line 2", "line 4", "line 5"] {
        assert!(out.stderr.contains(line), "{line} is not listed:\n{}", out.stderr);
    }
    assert!(!out.stderr.contains("  line 3,"), "line 3 is fine:\n{}", out.stderr);
    assert_eq!(op.snapshot().await, before, "a refused import changed the database");

    // The same rule for one candidate typed in, in each language.
    let curp = lines[1].split(',').next().unwrap().to_string();
    for (lang, expect) in [
        ("en", "the name has a line break at character 5"),
        ("es", "el nombre tiene un salto de línea en el carácter 5"),
    ] {
        let out = op
            .run(
                Some("admin"),
                &[
                    "--lang",
                    lang,
                    "candidate",
                    "register",
                    "--window",
                    &w,
                    "--curp",
                    &curp,
                    "--name",
                    "Juan\r\nBcc: x@y",
                    "--email",
                    "juan@example.org",
                    "--institution",
                    "Ayuntamiento",
                ],
            )
            .await;
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(out.stderr.contains(expect), "{lang}: {}", out.stderr);
    }
    assert_eq!(
        op.snapshot().await,
        before,
        "a refused registration changed the database"
    );

    // Over capacity, and a window that is closed: refused before anything is written.
    let small = op.open_window(&["--capacity", "2"]).await.to_string();
    let three = [header.clone(), lines[1].clone(), lines[2].clone(), lines[3].clone()].join("\n");
    std::fs::write(&path, &three).unwrap();
    let before = op.snapshot().await;
    let out = op
        .run(
            Some("admin"),
            &["candidate", "import", "--window", &small, path.to_str().unwrap()],
        )
        .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("full") || out.stderr.contains("capacity"),
        "{}",
        out.stderr
    );
    assert_eq!(
        op.snapshot().await,
        before,
        "an import over capacity changed the database"
    );
    op.ok(Some("admin"), &["window", "close", &small]).await;
    let before_closed = op.snapshot().await;
    let out = op
        .run(
            Some("admin"),
            &["candidate", "import", "--window", &small, path.to_str().unwrap()],
        )
        .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("closed"), "{}", out.stderr);
    assert_eq!(op.snapshot().await, before_closed);

    // Windows-1252, as Excel writes it: imported, and the command says how it read the file.
    lines.truncate(3);
    let latin: Vec<u8> = lines.join("\r\n").chars().map(|c| u32::from(c) as u8).collect();
    assert!(lines.join("").chars().all(|c| u32::from(c) < 256));
    let path = op.dir().join("excel.csv");
    std::fs::write(&path, latin).unwrap();
    let out = op
        .ok(
            Some("admin"),
            &["candidate", "import", "--window", &w, path.to_str().unwrap()],
        )
        .await;
    assert!(
        out.stdout.to_lowercase().contains("windows-1252") || out.stderr.to_lowercase().contains("windows-1252"),
        "{}",
        out.stdout
    );
    let listed = op.json(Some("admin"), &["enrollment", "list"]).await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        good.contains(names[0]) && good.contains(names[1]),
        "accents decoded: {names:?}"
    );

    // Already enrolled: the same rows again.
    let before = op.snapshot().await;
    let out = op
        .run(
            Some("admin"),
            &["candidate", "import", "--window", &w, path.to_str().unwrap()],
        )
        .await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("line 2") && out.stderr.contains("already enrolled"),
        "{}",
        out.stderr
    );
    assert_eq!(op.snapshot().await, before);

    let ids = op.enrollment_ids(window).await;
    let (a, b) = (ids[0].to_string(), ids[1].to_string());
    op.ok(Some("eva.rosales"), &["diagnostic", "record", &a, "--score", "90"])
        .await;
    op.ok(
        Some("admin"),
        &[
            "evaluation",
            "plan",
            &a,
            "--evaluator",
            "eva.rosales",
            "--at",
            "2026-11-24 09:00",
        ],
    )
    .await;
    // An evaluation instrument, and one with a bad line.
    let good = op.dir().join("instrument.csv");
    let bad = op.dir().join("instrument-bad.csv");
    let rows: Vec<String> = ELEMENTS
        .iter()
        .map(|e| format!("{e},sí,Guía de observación aplicada"))
        .collect();
    std::fs::write(&good, format!("element,competent,evidence\n{}\n", rows.join("\n"))).unwrap();
    std::fs::write(&bad, "element,competent\nE0001,sí\nE0002,quizá\n").unwrap();
    let before = op.snapshot().await;
    let refusals: Vec<(Option<&str>, Vec<&str>, i32, &str)> = vec![
        // An instrument from an evaluator the enrollment is not assigned to (rule 4).
        (
            Some("eva.solis"),
            vec!["evaluation", "submit", &a, good.to_str().unwrap()],
            1,
            "rule 4",
        ),
        // An instrument with a line that is neither competent nor not.
        (
            Some("eva.rosales"),
            vec!["evaluation", "submit", &a, bad.to_str().unwrap()],
            1,
            "line 3, competent",
        ),
        // A verdict from an evaluator the enrollment is not assigned to (rule 4).
        (
            Some("eva.solis"),
            vec!["evaluation", "record", &a, "--element", "E0001", "--competent"],
            1,
            "rule 4",
        ),
        // An out-of-order step (rule 1).
        (Some("eva.rosales"), vec!["verdict", "record", &b], 1, "registered"),
        // A dictamen by an evaluator.
        (
            Some("eva.rosales"),
            vec!["dictamen", "issue", "--window", &w, "--procede"],
            1,
            "verifier",
        ),
        // A score out of range: a usage error.
        (
            Some("eva.rosales"),
            vec!["diagnostic", "record", &b, "--score", "140"],
            2,
            "140",
        ),
        // An element that is not in the standard.
        (
            Some("eva.rosales"),
            vec!["evaluation", "record", &a, "--element", "E0099", "--competent"],
            1,
            "E0099",
        ),
        // A date that is not a date.
        (
            Some("admin"),
            vec![
                "evaluation",
                "plan",
                &b,
                "--evaluator",
                "eva.rosales",
                "--at",
                "31/02/2026",
            ],
            1,
            "31/02/2026",
        ),
        // Nobody acting.
        (None, vec!["withdraw", &a, "--reason", "x"], 1, "--as"),
        // Someone who is not staff.
        (Some("intruso"), vec!["withdraw", &a, "--reason", "x"], 1, "intruso"),
        // Things that do not exist.
        (
            Some("eva.rosales"),
            vec!["diagnostic", "record", "9999", "--score", "80"],
            4,
            "9999",
        ),
        (
            Some("admin"),
            vec!["certificate", "show", "EC1057-2026-999999"],
            4,
            "EC1057-2026-999999",
        ),
        // The public may not list, show or verify by folio (folios are sequential).
        (None, vec!["certificate", "list"], 1, "--as"),
        (None, vec!["enrollment", "list"], 1, "--as"),
        (None, vec!["certificate", "verify", "EC1057-2026-000001"], 1, "folio"),
    ];
    for (actor, args, code, expect) in refusals {
        let out = op.run(actor, &args).await;
        assert_eq!(out.code, code, "{args:?}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains(expect),
            "{args:?}: the error should mention {expect:?}:\n{}",
            out.stderr
        );
    }
    assert_eq!(op.snapshot().await, before, "a refused command changed the database");

    // Rule 3 through the CLI: someone who is both evaluator and verifier evaluated this process.
    op.ok(
        Some("admin"),
        &[
            "staff",
            "add",
            "dual",
            "--name",
            "Inés Doble",
            "--email",
            "ines@itaip.example",
            "--role",
            "evaluator",
            "--role",
            "verifier",
        ],
    )
    .await;
    op.ok(Some("dual"), &["diagnostic", "record", &b, "--score", "90"])
        .await;
    op.ok(
        Some("admin"),
        &[
            "evaluation",
            "plan",
            &b,
            "--evaluator",
            "dual",
            "--at",
            "2026-11-24 09:00",
        ],
    )
    .await;
    // The whole instrument at once, from the evaluator's spreadsheet.
    let out = op
        .ok(Some("dual"), &["evaluation", "submit", &b, good.to_str().unwrap()])
        .await;
    assert!(out.stdout.contains("verdict competent"), "{}", out.stdout);
    let before = op.snapshot().await;
    let out = op
        .run(
            Some("dual"),
            &["dictamen", "issue", "--window", &w, "--enrollment", &b, "--procede"],
        )
        .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("rule 3"), "{}", out.stderr);
    assert_eq!(op.snapshot().await, before);

    // Scripts get the error as JSON on stdout with a stable code.
    let out = op
        .run(
            Some("eva.solis"),
            &[
                "--format",
                "json",
                "evaluation",
                "record",
                &a,
                "--element",
                "E0001",
                "--competent",
            ],
        )
        .await;
    assert_eq!(out.code, 1);
    let error = out.json();
    assert!(
        error["error"]["message"].as_str().unwrap().contains("rule 4"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_delivers_pdfs_and_emails_in_a_fresh_folder() {
    let scratch = avala_tests::Scratch::new();
    let dir = scratch.path().join("demo");
    let out = bin::run(
        &bin::path("avala"),
        &["demo", "--dir", dir.to_str().unwrap(), "--candidates", "40"],
        &[],
        &scratch.path(),
    )
    .await;
    out.ok();
    // Spanish, as the binaries speak by default.
    assert!(out.stdout.contains("entregada"), "{}", out.stdout);
    assert!(out.stdout.contains("cohorte EC1057 de 40 candidatos"), "{}", out.stdout);
    let pdfs: Vec<PathBuf> = std::fs::read_dir(dir.join("certificates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let emails = std::fs::read_dir(dir.join("outbox"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".certificate.eml")
        })
        .count();
    assert!(pdfs.len() >= 30, "most of the cohort is certified: {}", pdfs.len());
    assert_eq!(emails, pdfs.len(), "one e-mail per certificate");
    let delivered: usize = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("entregada"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert_eq!(delivered, pdfs.len());
    let text = pdftotext(&pdfs[0]);
    assert!(
        text.contains("CERTIFICADO DE COMPETENCIA LABORAL") && text.contains("información"),
        "{text}"
    );
    // The demo refuses to overwrite itself.
    let again = bin::run(
        &bin::path("avala"),
        &["demo", "--dir", dir.to_str().unwrap()],
        &[],
        &scratch.path(),
    )
    .await;
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(
        again.stderr.contains("ya contiene una demostración"),
        "{}",
        again.stderr
    );
}
