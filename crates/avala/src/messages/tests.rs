//! The catalogue in both languages: the same error reads differently in each, no English is
//! left in the Spanish, and a file's problems come one per line.

use super::*;
use crate::error::{ImportProblem, NotTaking, Problem};

/// Errors of every area, with their fields.
fn samples() -> Vec<Error> {
    let at = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default();
    vec![
        Error::WindowFull {
            window: 3,
            capacity: 10,
        },
        Error::WindowNotTaking {
            window: 1,
            why: NotTaking::Outside {
                opens: at,
                closes: at,
                now: at,
                tz: "America/Tijuana".into(),
            },
        },
        Error::NoActor {
            action: Action::RegisterCandidates,
        },
        Error::Forbidden {
            actor: "eva.a".into(),
            roles: vec![Role::Admin],
            action: Action::LoadStandards,
        },
        Error::JudgementsMissing {
            enrollment: 7,
            standard: "EC1057".into(),
            elements: vec!["E0002".into(), "E0004".into()],
        },
        Error::not_found(Record::Certificate, "EC1057-2026-000001"),
        Error::ImportRejected {
            problems: vec![
                ImportProblem::new(2, Some("curp"), Problem::MissingValue),
                ImportProblem::new(
                    3,
                    Some("email"),
                    Problem::Duplicate {
                        identity: "HEGG560427MVZRRL04".into(),
                        first: 2,
                    },
                ),
            ],
        },
        Error::Transition(crate::machine::TransitionError {
            machine: "enrollment",
            state: "registered",
            event: "verdict",
        }),
    ]
}

/// Common English words that no Spanish message should contain as words.
const ENGLISH: [&str; 32] = [
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
    "queued",
    "running",
    "done",
    "certificate",
    "standard",
    "issued",
    "should",
];

/// The first English word in `text`, if any. Identifiers are not words: a path, or a name
/// with a colon inside (the audit stream `enrollment:5`).
pub(super) fn english_in(text: &str) -> Option<&'static str> {
    let identifier = |t: &str| t.contains('/') || t.trim_end_matches([':', ',', '.']).contains(':');
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|t| !identifier(t))
        .flat_map(|t| t.split(|c: char| !c.is_alphanumeric()))
        .map(|w| w.to_lowercase())
        .collect();
    ENGLISH.into_iter().find(|english| words.iter().any(|w| w == english))
}

#[test]
fn every_sample_reads_in_both_languages_and_the_spanish_has_no_english() {
    for e in samples() {
        let (es, en) = (e.message(Lang::Es), e.message(Lang::En));
        assert_ne!(es, en, "{}", e.code());
        assert_eq!(english_in(&es), None, "English in {es:?}");
        assert_eq!(e.to_string(), es, "Display is Spanish");
    }
}

#[test]
fn a_files_problems_come_one_per_line_with_their_place() {
    let e = &samples()[6];
    let es = e.message(Lang::Es);
    assert!(es.contains("\n  línea 2, curp: falta el valor"), "{es}");
    assert!(
        e.message(Lang::En)
            .contains("\n  line 3, email: HEGG560427MVZRRL04 appears twice")
    );
}

#[test]
fn errors_serialise_with_their_code_and_fields() {
    let json = serde_json::to_value(Error::WindowFull {
        window: 3,
        capacity: 10,
    })
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!({"code": "window_full", "window": 3, "capacity": 10})
    );
    assert_eq!(
        Error::WindowFull {
            window: 3,
            capacity: 10
        }
        .code(),
        "window_full"
    );
    let json = serde_json::to_value(&samples()[1]).unwrap();
    assert_eq!(json["code"], "window_not_taking");
    assert_eq!(json["why"], "outside");
}
