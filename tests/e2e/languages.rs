//! Every command in both languages: the same walk through a whole process — set-up, import,
//! evaluation, dictamen, the runner, certificates, keys, reports, the audit — and a refusal of
//! each kind, run once in Spanish and once in English on databases of their own. Each step
//! exits the same in both; each refusal carries the same code in both; every word the Spanish
//! walk prints is Spanish.

use std::path::{Path, PathBuf};

use avala_tests::Scratch;
use avala_tests::bin::{self, Output};

use super::{ELEMENTS, standards_file};

/// Common English words that no Spanish output should contain as words.
const ENGLISH: &[&str] = &[
    "the",
    "is",
    "not",
    "of",
    "and",
    "was",
    "has",
    "have",
    "must",
    "enrollment",
    "window",
    "found",
    "already",
    "line",
    "may",
    "cannot",
    "with",
    "for",
    "this",
    "that",
    "from",
    "file",
    "key",
    "run",
    "job",
    "jobs",
    "queued",
    "running",
    "done",
    "certificate",
    "standard",
    "issued",
    "should",
    "invalid",
    "required",
    "argument",
    "usage",
    "expected",
    "missing",
    "files",
    "sent",
    "failed",
    "retried",
    "later",
];

/// The first English word `text` holds, if any. Identifiers are not words: paths, e-mail
/// addresses, options and their placeholders (`--as <STAFF_ID>`), names with a colon inside
/// (`enrollment:5`), commands in backticks.
fn english_in(text: &str) -> Option<&'static str> {
    // The runner's log lines (`2026-… INFO avala_runner: …`) are records for log tools, with
    // fixed English keys; its messages for people are checked.
    let log = |l: &str| {
        let mut t = l.split_whitespace();
        t.next().is_some_and(|s| s.starts_with("20") && s.contains('T'))
            && t.next()
                .is_some_and(|s| ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&s))
    };
    // A row of the help's list of commands (`  window  Convocatorias de registro`) names a
    // command as it is typed.
    let row = |l: &str| match l.strip_prefix("  ").and_then(|r| r.split_once("  ")) {
        Some((name, rest)) if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-') => {
            rest.to_string()
        }
        _ => l.to_string(),
    };
    // The usage line is the command as typed.
    let text = text
        .lines()
        .filter(|l| !log(l) && !l.starts_with("Uso: "))
        .map(row)
        .collect::<Vec<_>>()
        .join("\n");
    // A command quoted in backticks (`avala window open 1`) is typed as it is.
    let text: String = text
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(" ");
    let identifier = |t: &str| {
        t.contains('/')
            || t.contains('@')
            || t.starts_with(['-', '<', '['])
            || t.trim_end_matches([':', ',', '.']).contains(':')
    };
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|t| !identifier(t))
        .flat_map(|t| t.split(|c: char| !c.is_alphanumeric()))
        .map(|w| w.to_lowercase())
        .collect();
    ENGLISH.iter().copied().find(|e| words.iter().any(|w| w == e))
}

/// One step of the walk: what was run and what it printed.
struct Step {
    what: String,
    out: Output,
    /// Whether what it printed is text for people (not JSON, CSV or a token).
    text: bool,
}

/// An operator working in one language, in a folder and database of their own.
struct Speaker {
    lang: &'static str,
    scratch: Scratch,
    steps: Vec<Step>,
}

impl Speaker {
    fn new(lang: &'static str) -> Speaker {
        Speaker {
            lang,
            scratch: Scratch::new(),
            steps: Vec::new(),
        }
    }

    fn dir(&self) -> PathBuf {
        self.scratch.path()
    }

    fn db(&self) -> String {
        self.dir().join("avala.db").to_string_lossy().into_owned()
    }

    async fn raw(&self, actor: Option<&str>, args: &[&str]) -> Output {
        let mut all: Vec<&str> = Vec::new();
        if let Some(a) = actor {
            all.extend(["--as", a]);
        }
        all.extend(args);
        bin::avala(&self.db(), &all, &[("AVALA_LANG", self.lang)], &self.dir()).await
    }

    /// Runs a step and keeps what it printed.
    async fn step(&mut self, actor: Option<&str>, args: &[&str]) -> Output {
        let out = self.raw(actor, args).await;
        let text = !args.iter().any(|a| ["json", "csv", "ob3", "generate"].contains(a));
        self.steps.push(Step {
            what: format!(
                "{} {}",
                actor.map(|a| format!("--as {a}")).unwrap_or_default(),
                args.join(" ")
            ),
            out: out.clone(),
            text,
        });
        out
    }

    async fn json(&self, actor: Option<&str>, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--format", "json"];
        all.extend(args);
        let out = self.raw(actor, &all).await;
        out.ok();
        out.json()
    }

    async fn runner(&mut self) {
        let out = bin::run(
            &bin::path("avala-runner"),
            &["--db", &self.db(), "--once", "--lang", self.lang],
            &[],
            &self.dir(),
        )
        .await;
        self.steps.push(Step {
            what: "avala-runner --once".into(),
            out,
            text: true,
        });
    }
}

/// The whole walk, in the speaker's language.
async fn walk(s: &mut Speaker, cohort: &Path) {
    let standard = standards_file();
    let standard = standard.to_str().unwrap();
    let admin = Some("admin");
    s.step(None, &["init"]).await;
    s.step(
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
        ("ver.zuniga", "Dra. Mónica Zúñiga Peña", "verifier"),
    ] {
        let email = format!("{id}@itaip.example");
        s.step(
            admin,
            &["staff", "add", id, "--name", name, "--email", &email, "--role", role],
        )
        .await;
    }
    s.step(admin, &["staff", "list"]).await;
    s.step(admin, &["standard", "load", standard]).await;
    s.step(admin, &["standard", "list"]).await;
    s.step(admin, &["standard", "show", "EC1057"]).await;
    s.step(
        admin,
        &[
            "window",
            "create",
            "--standard",
            "EC1057",
            "--opens",
            "2020-01-01",
            "--closes",
            "2099-12-31",
            "--capacity",
            "10",
        ],
    )
    .await;
    s.step(admin, &["window", "open", "1"]).await;
    s.step(admin, &["window", "list"]).await;
    s.step(admin, &["window", "show", "1"]).await;
    s.step(None, &["cohort", "generate", "3"]).await;
    s.step(
        admin,
        &["candidate", "import", "--window", "1", cohort.to_str().unwrap()],
    )
    .await;
    s.step(
        admin,
        &[
            "candidate",
            "register",
            "--window",
            "1",
            "--curp",
            "HEGG560427MVZRRL04",
            "--name",
            "Guadalupe Hernández García",
            "--email",
            "lupe@itaip.example",
            "--institution",
            "Ayuntamiento de Xalapa",
            "--position",
            "Titular de la Unidad de Transparencia",
        ],
    )
    .await;
    s.step(admin, &["enrollment", "list"]).await;
    s.step(admin, &["enrollment", "show", "1"]).await;
    let evaluator = Some("eva.rosales");
    for (id, failing) in [("1", None), ("2", Some("E0003"))] {
        s.step(evaluator, &["diagnostic", "record", id, "--score", "88"]).await;
        s.step(
            admin,
            &[
                "evaluation",
                "plan",
                id,
                "--evaluator",
                "eva.rosales",
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
            s.step(
                evaluator,
                &[
                    "evaluation",
                    "record",
                    id,
                    "--element",
                    element,
                    verdict,
                    "--evidence",
                    "Guía aplicada",
                ],
            )
            .await;
        }
        s.step(evaluator, &["verdict", "record", id]).await;
    }
    s.step(admin, &["withdraw", "3", "--reason", "Baja voluntaria"]).await;
    s.step(Some("ver.zuniga"), &["dictamen", "issue", "--window", "1", "--procede"])
        .await;
    s.step(admin, &["jobs", "list"]).await;
    s.runner().await;
    s.step(admin, &["jobs", "show", "1"]).await;
    let list = s.json(admin, &["certificate", "list"]).await;
    let folio = list[0]["folio"].as_str().unwrap().to_string();
    let code = s.json(admin, &["certificate", "show", &folio]).await["verification_code"]
        .as_str()
        .unwrap()
        .to_string();
    let pdf = s.dir().join("certificates").join(format!("{folio}.pdf"));
    let pdf = pdf.to_str().unwrap().to_string();
    s.step(admin, &["certificate", "list"]).await;
    s.step(admin, &["certificate", "show", &folio]).await;
    s.step(admin, &["certificate", "verify", &folio]).await;
    s.step(None, &["certificate", "verify", &code]).await;
    s.step(None, &["certificate", "verify", &pdf]).await;
    s.step(None, &["certificate", "verify", "--offline", &pdf]).await;
    let ob3 = s
        .step(admin, &["certificate", "export", &folio, "--format", "ob3"])
        .await;
    let credential = s.dir().join("credential.json");
    std::fs::write(&credential, &ob3.stdout).unwrap();
    s.step(None, &["certificate", "verify", credential.to_str().unwrap()])
        .await;
    s.step(admin, &["certificate", "expiring", "--within", "3650"]).await;
    s.step(admin, &["keys", "show"]).await;
    s.step(admin, &["keys", "rotate"]).await;
    s.step(admin, &["report"]).await;
    s.step(admin, &["report", "--by", "institution"]).await;
    s.step(admin, &["report", "--by", "overdue"]).await;
    s.step(admin, &["candidate", "link", "1"]).await;
    s.step(
        admin,
        &["certificate", "revoke", &folio, "--reason", "Error de captura"],
    )
    .await;
    s.step(None, &["certificate", "verify", &pdf]).await;
    s.step(admin, &["window", "close", "1"]).await;
    s.step(admin, &["audit", "verify"]).await;

    // A refusal of each kind: exit code and error code the same in both languages.
    let here = s.dir().to_string_lossy().into_owned();
    let refusals: Vec<(Option<&str>, Vec<&str>)> = vec![
        (None, vec!["enrollment", "list"]),
        (Some("nadie"), vec!["enrollment", "list"]),
        (
            evaluator,
            vec![
                "window",
                "create",
                "--standard",
                "EC1057",
                "--opens",
                "2020-01-01",
                "--closes",
                "2021-01-01",
            ],
        ),
        (
            admin,
            vec![
                "window",
                "create",
                "--standard",
                "EC1057",
                "--opens",
                "2021-01-01",
                "--closes",
                "2020-01-01",
            ],
        ),
        (admin, vec!["window", "open", "1"]),
        (admin, vec!["window", "show", "99"]),
        (admin, vec!["standard", "show", "EC9999"]),
        (
            admin,
            vec![
                "candidate",
                "register",
                "--window",
                "1",
                "--curp",
                "HEGG560427MVZRRL05",
                "--name",
                "X",
                "--email",
                "x@y.mx",
                "--institution",
                "IVAI",
            ],
        ),
        (admin, vec!["candidate", "import", "--window", "1", standard]),
        (evaluator, vec!["diagnostic", "record", "4", "--score", "88"]),
        (
            evaluator,
            vec!["evaluation", "record", "4", "--element", "E0009", "--competent"],
        ),
        (evaluator, vec!["verdict", "record", "4"]),
        (
            admin,
            vec![
                "staff", "add", "x", "--name", "X", "--email", "x@y.mx", "--role", "jefe",
            ],
        ),
        (None, vec!["certificate", "verify", &folio]),
        (None, vec!["certificate", "verify", "--token", "hola"]),
        (admin, vec!["jobs", "cancel", "1"]),
        (admin, vec!["jobs", "retry", "1"]),
        (admin, vec!["certificate", "reissue", "EC1057-2026-999999"]),
        (admin, vec!["enrollment", "list", "--state", "perdido"]),
        (None, vec!["demo", "--dir", &here]),
    ];
    for (actor, args) in refusals {
        s.step(actor, &args).await;
        let mut json = vec!["--format", "json"];
        json.extend(&args);
        s.step(actor, &json).await;
    }
    // The help, and usage errors, and a database that is not there.
    for help in [
        &["--help"][..],
        &["window", "create", "--help"],
        &["certificate", "verify", "--help"],
        &["help", "candidate"],
    ] {
        s.step(None, help).await;
    }
    s.step(admin, &["window", "creat"]).await;
    s.step(admin, &["--format", "json", "window", "creat"]).await;
    s.step(admin, &["window", "create", "--opens", "2020-01-01"]).await;
    s.step(admin, &["diagnostic", "record", "1", "--score", "many"]).await;
    let missing = s.dir().join("no-such.db");
    let out = bin::avala(
        missing.to_str().unwrap(),
        &["--as", "admin", "window", "list"],
        &[("AVALA_LANG", s.lang)],
        &s.dir(),
    )
    .await;
    s.steps.push(Step {
        what: "--db no-such.db window list".into(),
        out,
        text: true,
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_speaks_spanish_and_english_alike() {
    let (mut es, mut en) = (Speaker::new("es"), Speaker::new("en"));
    let cohort = es.dir().join("cohorte.csv");
    let generated = es.raw(None, &["cohort", "generate", "3"]).await;
    std::fs::write(&cohort, &generated.ok().stdout).unwrap();
    walk(&mut es, &cohort).await;
    walk(&mut en, &cohort).await;
    assert_eq!(es.steps.len(), en.steps.len());
    let mut refusals = 0;
    for (s, e) in es.steps.iter().zip(&en.steps) {
        let what = &s.what;
        assert_eq!(
            s.out.code, e.out.code,
            "{what}: exit {} in Spanish, {} in English\n{}{}\n{}{}",
            s.out.code, e.out.code, s.out.stdout, s.out.stderr, e.out.stdout, e.out.stderr
        );
        let spanish = format!("{}\n{}", s.out.stdout, s.out.stderr);
        if s.text {
            if let Some(word) = english_in(&spanish) {
                panic!("{what}: English {word:?} in the Spanish output:\n{spanish}");
            }
        } else if let Some(word) = english_in(&s.out.stderr) {
            panic!("{what}: English {word:?} in the Spanish messages:\n{}", s.out.stderr);
        }
        if s.out.code != 0 && s.text {
            // A refusal (or a verification's outcome) says why, differently in each language.
            let english = format!("{}\n{}", e.out.stdout, e.out.stderr);
            assert!(!spanish.trim().is_empty(), "{what}: a refusal says why");
            assert_ne!(spanish, english, "{what}: the same words in both languages");
        }
        if s.out.code != 0 && !s.text {
            // The error as data: the same code and fields, the text in each language (a
            // verification's outcome is data alone, the same in both).
            let here = |out: &Output, dir: PathBuf| {
                let stdout = out.stdout.replace(dir.to_str().unwrap(), "DIR");
                serde_json::from_str::<serde_json::Value>(&stdout).unwrap_or_else(|_| panic!("{what}: {stdout}"))
            };
            let (mut sj, mut ej) = (here(&s.out, es.dir()), here(&e.out, en.dir()));
            if sj.get("error").is_some() {
                let code = sj["error"]["code"].as_str().unwrap_or_default().to_string();
                assert!(!code.is_empty(), "{what}: {sj}");
                let (sm, em) = (sj["error"]["message"].take(), ej["error"]["message"].take());
                assert_ne!(sm, em, "{what}");
                refusals += 1;
            }
            assert_eq!(sj, ej, "{what}: the data differs between languages");
        }
    }
    assert!(refusals >= 18, "only {refusals} refusals were compared");
}
