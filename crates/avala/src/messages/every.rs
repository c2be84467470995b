//! Every message the catalogue words, in both languages: one sample of every error, problem,
//! refusal reason, verification outcome and check, notice, state, event and name. Each sample
//! list is tied to its type by a `match` without a wildcard (`tag`), so a new variant does not
//! compile until it has a sample here, and then cannot pass until its Spanish has no English
//! left in it and its English differs from its Spanish.

use chrono::{DateTime, NaiveDate, Utc};

use super::tests::english_in;
use super::*;
use crate::certificate::verify::{Absent, Tamper};
use crate::deadlines::OverdueRow;
use crate::domain::{Action, Field, Record, Role};
use crate::error::{
    DbProblem, Finding, ForgeProblem, ImportProblem, InstantProblem, IoProblem, LinkProblem, NotTaking, Problem,
    ProofProblem, Unprovable,
};
use crate::identity::{CurpPart, EmailProblem};
use crate::machine::{CertificateState, EnrollmentState, Lifecycle, WindowState};
use crate::notices::{Person, StandardName};
use crate::standard::StandardProblem;

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default()
}

const CURP: &str = "HEGG560427MVZRRL04";

/// Checks one pair: both texts non-empty, different, and no English word in the Spanish.
fn both(what: &str, es: &str, en: &str) {
    assert!(!es.trim().is_empty() && !en.trim().is_empty(), "{what}: empty text");
    // Words the two languages share ("no") may read the same.
    assert!(
        es != en || ["no"].contains(&es),
        "{what}: the same text in both languages: {es:?}"
    );
    if let Some(word) = english_in(es) {
        panic!("{what}: English {word:?} in the Spanish {es:?}");
    }
}

/// Checks that `samples` holds one of each of `n` variants, as numbered by `tag`.
fn covers<T>(what: &str, samples: &[T], n: usize, tag: fn(&T) -> usize) {
    let mut seen = vec![false; n];
    for s in samples {
        seen[tag(s)] = true;
    }
    let missing: Vec<usize> = (0..n).filter(|i| !seen[*i]).collect();
    assert!(missing.is_empty(), "{what}: no sample of variant(s) {missing:?}");
}

fn identity_errors() -> Vec<IdentityError> {
    use IdentityError as I;
    let value = || CURP.to_string();
    let mut all = vec![
        I::CurpLength {
            value: value(),
            len: 17,
        },
        I::CurpDate {
            value: value(),
            date: "1956-02-30".into(),
        },
        I::CurpState {
            value: value(),
            code: "QQ".into(),
        },
        I::CurpCheckDigit {
            value: value(),
            found: '4',
            expected: '7',
        },
        I::CurpInconvenientWord {
            value: "PUTO800101HDFRRN07".into(),
            word: "PUTO".into(),
            issued: "PXTO".into(),
        },
        I::Passport { value: "12".into() },
    ];
    for expected in [
        CurpPart::Letter,
        CurpPart::BirthDate,
        CurpPart::Sex,
        CurpPart::State,
        CurpPart::Consonant,
        CurpPart::Homonymy,
        CurpPart::CheckDigit,
    ] {
        all.push(I::CurpFormat {
            value: value(),
            position: 3,
            found: '9',
            expected,
        });
    }
    for problem in [
        EmailProblem::MissingAt,
        EmailProblem::LocalPart,
        EmailProblem::Domain,
        EmailProblem::Characters,
    ] {
        all.push(I::Email {
            value: "ana(at)itaip".into(),
            problem,
        });
    }
    all
}

fn identity_tag(e: &IdentityError) -> usize {
    use IdentityError as I;
    match e {
        I::CurpLength { .. } => 0,
        I::CurpFormat { .. } => 1,
        I::CurpDate { .. } => 2,
        I::CurpState { .. } => 3,
        I::CurpCheckDigit { .. } => 4,
        I::Passport { .. } => 5,
        I::Email { .. } => 6,
        I::CurpInconvenientWord { .. } => 7,
    }
}

fn problems() -> Vec<Problem> {
    use Problem as P;
    let columns = || vec!["curp".to_string(), "nombre".to_string()];
    let mut all = vec![
        P::UnreadableHeader { detail: "UTF-8".into() },
        P::UnreadableRow { detail: "UTF-8".into() },
        P::EmptyFile { columns: columns() },
        P::NotAHeader { columns: columns() },
        P::UnknownColumn { columns: columns() },
        P::ColumnTwice,
        P::MissingColumn,
        P::NoIdentityColumn,
        P::FieldCount { found: 3, expected: 5 },
        P::MissingValue,
        P::MissingIdentity,
        P::BothIdentities,
        P::NotYesNo { value: "quizá".into() },
        P::NotAJudgement { value: "quizá".into() },
        P::Duplicate {
            identity: CURP.into(),
            first: 2,
        },
        P::AlreadyEnrolled {
            identity: CURP.into(),
            window: 1,
            enrollment: 4,
        },
        P::OverCapacity {
            window: 1,
            free: 2,
            capacity: 10,
            rows: 5,
        },
        P::NoJudgements,
    ];
    {
        use crate::domain::text::TextProblem as T;
        all.extend(
            [
                T::TooLong { max: 150, found: 151 },
                T::LineBreak { at: 5 },
                T::Control { at: 1, codepoint: 0x1b },
                T::Invisible {
                    at: 5,
                    codepoint: 0x202e,
                },
            ]
            .map(P::Text),
        );
    }
    all.extend(identity_errors().into_iter().map(P::Identity));
    all
}

fn problem_tag(p: &Problem) -> usize {
    use Problem as P;
    match p {
        P::UnreadableHeader { .. } => 0,
        P::UnreadableRow { .. } => 1,
        P::EmptyFile { .. } => 2,
        P::NotAHeader { .. } => 3,
        P::UnknownColumn { .. } => 4,
        P::ColumnTwice => 5,
        P::MissingColumn => 6,
        P::NoIdentityColumn => 7,
        P::FieldCount { .. } => 8,
        P::MissingValue => 9,
        P::MissingIdentity => 10,
        P::BothIdentities => 11,
        P::Identity(_) => 12,
        P::NotYesNo { .. } => 13,
        P::NotAJudgement { .. } => 14,
        P::Duplicate { .. } => 15,
        P::AlreadyEnrolled { .. } => 16,
        P::OverCapacity { .. } => 17,
        P::NoJudgements => 18,
        P::Text(_) => 19,
    }
}

fn issues() -> Vec<Issue> {
    use Issue as I;
    vec![
        I::Toml { detail: "=".into() },
        I::Empty,
        I::OutOfRange {
            value: 120,
            min: 0,
            max: 100,
        },
        I::BadCode {
            value: "EC10".into(),
            prefix: "EC".into(),
        },
        I::Repeated { code: "E0001".into() },
        I::NoElements,
        I::NoCriteria,
        I::NeedsKnowledgeLevel,
        I::LevelOnlyForKnowledge,
        I::NoItems,
        I::Text(crate::domain::text::TextProblem::Invisible {
            at: 12,
            codepoint: 0x202E,
        }),
    ]
}

fn issue_tag(i: &Issue) -> usize {
    use Issue as I;
    match i {
        I::Toml { .. } => 0,
        I::Empty => 1,
        I::OutOfRange { .. } => 2,
        I::BadCode { .. } => 3,
        I::Repeated { .. } => 4,
        I::NoElements => 5,
        I::NoCriteria => 6,
        I::NeedsKnowledgeLevel => 7,
        I::LevelOnlyForKnowledge => 8,
        I::NoItems => 9,
        I::Text(_) => 10,
    }
}

fn tokens() -> Vec<TokenError> {
    use TokenError as T;
    vec![
        T::Missing,
        T::Ambiguous,
        T::NoPrefix,
        T::NoSignature,
        T::PayloadEncoding,
        T::SignatureEncoding,
        T::NotAPayload { detail: "{".into() },
    ]
}

fn token_tag(t: &TokenError) -> usize {
    use TokenError as T;
    match t {
        T::Missing => 0,
        T::Ambiguous => 1,
        T::NoPrefix => 2,
        T::NoSignature => 3,
        T::PayloadEncoding => 4,
        T::SignatureEncoding => 5,
        T::NotAPayload { .. } => 6,
    }
}

fn proofs() -> Vec<ProofError> {
    use ProofError as P;
    vec![
        P::NoProof,
        P::WrongSuite,
        P::NoMethod,
        P::NotAMultikey,
        P::NoValue,
        P::BadValue,
        P::BadSignature,
    ]
}

fn proof_tag(p: &ProofError) -> usize {
    use ProofError as P;
    match p {
        P::NoProof => 0,
        P::WrongSuite => 1,
        P::NoMethod => 2,
        P::NotAMultikey => 3,
        P::NoValue => 4,
        P::BadValue => 5,
        P::BadSignature => 6,
    }
}

fn outcomes() -> Vec<Outcome> {
    let mut tampers = vec![
        Tamper::ContentsDiffer,
        Tamper::FileDiffers {
            hash: "ab12".into(),
            issued: Some("cd34".into()),
        },
        Tamper::FileDiffers {
            hash: "ab12".into(),
            issued: None,
        },
        Tamper::BadSignature,
        Tamper::NotJson { detail: "{".into() },
        Tamper::BadExpiry,
    ];
    tampers.extend(tokens().into_iter().map(Tamper::Token));
    tampers.extend(proofs().into_iter().map(Tamper::Proof));
    let mut all = vec![
        Outcome::Valid,
        Outcome::Revoked {
            reason: "error de captura".into(),
            at: at(),
        },
        Outcome::Superseded {
            by: "EC1057-2026-000002".into(),
        },
        Outcome::Expired {
            at: "2031-11-24T00:00:00Z".into(),
        },
        Outcome::UnknownIssuerKey {
            key_id: "ab12cd34".into(),
        },
    ];
    all.extend(tampers.into_iter().map(|why| Outcome::Tampered { why }));
    for what in [
        Absent::NoSuchCertificate {
            key: "XK4P-9M2Q".into(),
        },
        Absent::NotInRecords {
            folio: "EC1057-2026-000001".into(),
        },
        Absent::NotACertificate,
        Absent::NotAvalaCredential,
    ] {
        all.push(Outcome::NotFound { what });
    }
    all
}

fn outcome_tag(o: &Outcome) -> usize {
    let tamper = |t: &Tamper| match t {
        Tamper::ContentsDiffer => 0,
        Tamper::FileDiffers { .. } => 1,
        Tamper::BadSignature => 2,
        Tamper::Token(_) => 3,
        Tamper::Proof(_) => 4,
        Tamper::NotJson { .. } => 5,
        Tamper::BadExpiry => 6,
    };
    let absent = |a: &Absent| match a {
        Absent::NoSuchCertificate { .. } => 0,
        Absent::NotInRecords { .. } => 1,
        Absent::NotACertificate => 2,
        Absent::NotAvalaCredential => 3,
    };
    match o {
        Outcome::Valid => 0,
        Outcome::Revoked { .. } => 1,
        Outcome::Superseded { .. } => 2,
        Outcome::Expired { .. } => 3,
        Outcome::UnknownIssuerKey { .. } => 4,
        Outcome::Tampered { why } => 5 + tamper(why),
        Outcome::NotFound { what } => 12 + absent(what),
    }
}

fn checks() -> Vec<Check> {
    vec![
        Check::Signature { key_id: "ab12".into() },
        Check::Ob3Proof { key_id: "ab12".into() },
        Check::MatchesRecord,
        Check::SameFile,
        Check::Status,
        Check::ValidityPeriod,
    ]
}

fn check_tag(c: &Check) -> usize {
    match c {
        Check::Signature { .. } => 0,
        Check::Ob3Proof { .. } => 1,
        Check::MatchesRecord => 2,
        Check::SameFile => 3,
        Check::Status => 4,
        Check::ValidityPeriod => 5,
    }
}

fn uncheckeds() -> Vec<Unchecked> {
    vec![
        Unchecked::NotRendered,
        Unchecked::StatusOffline,
        Unchecked::FileOffline,
        Unchecked::NoKey,
    ]
}

fn unchecked_tag(u: &Unchecked) -> usize {
    match u {
        Unchecked::NotRendered => 0,
        Unchecked::StatusOffline => 1,
        Unchecked::FileOffline => 2,
        Unchecked::NoKey => 3,
    }
}

fn errors() -> Vec<Error> {
    use Error as E;
    let problems_at = || {
        problems()
            .into_iter()
            .enumerate()
            .map(|(i, p)| ImportProblem::new(i as u64 + 2, Some("curp"), p))
            .collect::<Vec<_>>()
    };
    let path = || std::path::PathBuf::from("/srv/avala/cohorte.csv");
    let url = || "postgres://avala@db/avala".to_string();
    let mut all = vec![
        E::Standard(StandardError {
            file: "EC1057.toml".into(),
            problems: issues()
                .into_iter()
                .map(|problem| StandardProblem {
                    line: 3,
                    field: "elementos[0].codigo".into(),
                    problem,
                })
                .collect(),
        }),
        E::ImportUnreadable {
            path: path(),
            detail: "EACCES".into(),
        },
        E::ImportRejected {
            problems: problems_at(),
        },
        E::InstrumentRejected {
            problems: problems_at(),
        },
        E::UnknownActor { id: "eva.x".into() },
        E::UnknownLink,
        E::EvaluatorOnDictamen {
            enrollment: 7,
            verifier: "ver.zuniga".into(),
        },
        E::NotAssigned {
            enrollment: 7,
            assigned: "eva.rosales".into(),
            actor: "eva.solis".into(),
        },
        E::NoEvaluatorYet { enrollment: 7 },
        E::WindowFull {
            window: 3,
            capacity: 10,
        },
        E::AlreadyEnrolled {
            identity: CURP.into(),
            window: 1,
            enrollment: 4,
        },
        E::UnknownElement {
            element: "E0009".into(),
            standard: "EC1057".into(),
            version: "2.0".into(),
            known: vec!["E0001".into(), "E0002".into()],
        },
        E::ElementTwice {
            enrollment: 7,
            element: "E0001".into(),
        },
        E::JudgementsMissing {
            enrollment: 7,
            standard: "EC1057".into(),
            elements: vec!["E0002".into(), "E0004".into()],
        },
        E::ScoreOutOfRange { score: 120 },
        E::UnknownTimeZone {
            value: "America/Gotham".into(),
        },
        E::WindowEndsBeforeStart {
            opens: at(),
            closes: at(),
        },
        E::EvaluationBeforeWindow {
            enrollment: 7,
            window: 2,
            at: at(),
            opens: at(),
            tz: "America/Tijuana".into(),
        },
        E::CapacityTooSmall { capacity: 0 },
        E::UnknownRole { value: "jefe".into() },
        E::BadStaffId { id: "a b".into() },
        E::NoRole,
        E::FirstStaffNotAdmin,
        E::StaffExists { id: "ana".into() },
        E::CertificateExists { enrollment: 7 },
        E::NothingForDictamen { window: 1 },
        E::EnrollmentNotInWindow {
            enrollment: 7,
            window: 1,
            actual: 2,
        },
        E::CurpTaken { curp: CURP.into() },
        E::StandardVersionChanged {
            standard: "EC1057".into(),
            version: "2.0".into(),
            stored_hash: "ab12".into(),
        },
        E::NotAPublicKey { value: "xyz".into() },
        E::NoConfig {
            path: "/srv/avala/avala.toml".into(),
        },
        E::ConfigInvalid {
            path: "/srv/avala/avala.toml".into(),
            detail: "=".into(),
        },
        E::BadKeyFile {
            path: "/srv/avala/llave.secret".into(),
        },
        E::ConfigText {
            path: "/srv/avala/avala.toml".into(),
            key: "issuer".into(),
            problem: crate::domain::text::TextProblem::Control { at: 1, codepoint: 0x1b },
        },
        E::FileTooLarge {
            path: "EC9999.toml".into(),
            size: 52_428_800,
            max: 1_048_576,
        },
        E::KeyFileNotPrivate {
            path: "/srv/avala/llave.secret".into(),
            mode: 0o644,
        },
        E::KeyNotPinned {
            path: "/srv/avala/llave.secret".into(),
            found: "9f2c1d0e3b4a5c6d".into(),
            expected: Some("0a1b2c3d4e5f6a7b".into()),
        },
        E::KeyNotPinned {
            path: "/srv/avala/llave.secret".into(),
            found: "9f2c1d0e3b4a5c6d".into(),
            expected: None,
        },
        E::BadLogo {
            path: "/srv/avala/logo.gif".into(),
            detail: "GIF".into(),
        },
        E::DemoTooSmall,
        E::DemoExists {
            dir: "/srv/avala/demo".into(),
        },
        E::DemoDatabaseInUse {
            database: "postgres://avala:***@db.itaip.example/avala".into(),
            events: 1204,
        },
        E::NotUtf8 { path: path() },
        E::OfflineNeedsDocument,
        E::NotAToken { text: "hola".into() },
        E::DatabaseUrl {
            url: url(),
            detail: "?".into(),
        },
        E::Migrate { detail: "0005".into() },
        E::Certificate { detail: "QR".into() },
        E::Mail {
            detail: "SMTP 554".into(),
        },
        E::BadJob {
            job: 12,
            detail: "{".into(),
        },
    ];
    all.extend(identity_errors().into_iter().map(E::Identity));
    for (machine, state, event) in [
        ("window", "closed", "open"),
        ("enrollment", "registered", "verdict"),
        ("certificate", "revoked", "deliver"),
    ] {
        all.push(E::Transition(TransitionError { machine, state, event }));
    }
    for what in record_all() {
        all.push(E::not_found(what, "12"));
        all.push(E::conflict(what, "12"));
    }
    for action in action_all() {
        all.push(E::NoActor { action });
        all.push(E::Forbidden {
            actor: "eva.rosales".into(),
            roles: vec![Role::Admin],
            action,
        });
    }
    all.push(E::Forbidden {
        actor: "eva.rosales".into(),
        roles: vec![],
        action: Action::RunJobs,
    });
    for why in [
        NotTaking::State {
            state: WindowState::Closed,
        },
        NotTaking::Outside {
            opens: at(),
            closes: at(),
            now: at(),
            tz: "America/Tijuana".into(),
        },
    ] {
        all.push(E::WindowNotTaking { window: 1, why });
    }
    for field in field_all() {
        all.push(E::Missing { field });
        all.push(E::Text {
            field,
            problem: crate::domain::text::TextProblem::LineBreak { at: 5 },
        });
        all.push(E::UnknownValue {
            field,
            value: "x".into(),
            known: vec!["a".into(), "b".into()],
        });
    }
    for problem in [
        InstantProblem::Format,
        InstantProblem::UnknownZone,
        InstantProblem::Nonexistent,
    ] {
        all.push(E::BadInstant {
            text: "2026-13-01".into(),
            problem,
        });
    }
    for state in ["queued", "running", "done", "dead"] {
        all.push(E::JobNotRetryable {
            job: 12,
            state: state.into(),
        });
        all.push(E::JobNotCancellable {
            job: 12,
            state: state.into(),
        });
    }
    all.push(E::ReadModelDiffers { differences: 3 });
    let db = || {
        vec![
            DbProblem::DiskFull { db_code: "13".into() },
            DbProblem::ReadOnly { db_code: "8".into() },
            DbProblem::Io { db_code: "10".into() },
            DbProblem::NoSuchFile,
            DbProblem::Timeout,
            DbProblem::Other { detail: "?".into() },
        ]
    };
    for problem in db() {
        all.push(E::DatabaseUnavailable { url: url(), problem });
    }
    for problem in db() {
        all.push(E::Database { problem });
    }
    for problem in [
        IoProblem::NotFound,
        IoProblem::PermissionDenied,
        IoProblem::Other { detail: "EIO".into() },
    ] {
        all.push(E::Io { path: path(), problem });
    }
    all.push(E::AuditFindings { count: 1 });
    all.push(E::CheckpointStale { checkpoint: 3 });
    all.push(E::AuditFindings { count: 3 });
    for problem in forge_problems() {
        all.push(E::CheckpointForged {
            checkpoint: "checkpoint-3.json".into(),
            problem,
        });
    }
    for problem in [
        ProofProblem::Format {
            detail: "format".into(),
        },
        ProofProblem::Version { v: 1 },
        ProofProblem::Leaf,
        ProofProblem::Event,
        ProofProblem::Path,
        ProofProblem::Signature,
        ProofProblem::KeyId,
        ProofProblem::UnknownKey {
            key_id: "9f2c4e1a7b3d5f60".into(),
        },
    ] {
        all.push(E::ProofFails { problem });
    }
    for why in [
        Unprovable::NoSuchEvent,
        Unprovable::AfterCheckpoint { length: 0 },
        Unprovable::AfterCheckpoint { length: 4 },
        Unprovable::Version1 { seq: 2 },
        Unprovable::LogChanged { checkpoint: 3 },
        Unprovable::NoCheckpoint,
    ] {
        all.push(E::NotProvable {
            stream: "enrollment:5".into(),
            seq: 3,
            why,
        });
    }
    all
}

fn forge_problems() -> Vec<ForgeProblem> {
    vec![
        ForgeProblem::Format {
            detail: "format".into(),
        },
        ForgeProblem::KeyId,
        ForgeProblem::Signature,
        ForgeProblem::Root,
        ForgeProblem::UnknownKey {
            key_id: "9f2c4e1a7b3d5f60".into(),
        },
    ]
}

fn findings() -> Vec<Finding> {
    let checkpoint = || "#3".to_string();
    let stream = || "enrollment:5".to_string();
    let mut all: Vec<Finding> = [
        LinkProblem::Gap { expected: 4 },
        LinkProblem::PreviousHash,
        LinkProblem::Altered,
    ]
    .into_iter()
    .map(|problem| Finding::Link {
        stream: stream(),
        seq: 5,
        row: 40,
        problem,
    })
    .collect();
    all.extend([
        Finding::StreamMissing {
            checkpoint: checkpoint(),
            stream: stream(),
            length: 6,
        },
        Finding::StreamShortened {
            checkpoint: checkpoint(),
            stream: stream(),
            length: 6,
            now: 5,
        },
        Finding::HeadChanged {
            checkpoint: checkpoint(),
            stream: stream(),
            seq: 6,
        },
        Finding::StreamAdded {
            checkpoint: checkpoint(),
            stream: stream(),
        },
        Finding::RootChanged {
            checkpoint: checkpoint(),
        },
    ]);
    for problem in forge_problems() {
        all.push(Finding::Forged {
            checkpoint: checkpoint(),
            problem,
        });
    }
    all
}

fn finding_tag(f: &Finding) -> usize {
    match f {
        Finding::Link { .. } => 0,
        Finding::StreamMissing { .. } => 1,
        Finding::StreamShortened { .. } => 2,
        Finding::HeadChanged { .. } => 3,
        Finding::StreamAdded { .. } => 4,
        Finding::RootChanged { .. } => 5,
        Finding::Forged { .. } => 6,
    }
}

fn error_tag(e: &Error) -> usize {
    use Error as E;
    match e {
        E::Standard(_) => 0,
        E::Transition(_) => 1,
        E::Identity(_) => 2,
        E::ImportUnreadable { .. } => 3,
        E::ImportRejected { .. } => 4,
        E::InstrumentRejected { .. } => 5,
        E::NotFound { .. } => 6,
        E::Conflict { .. } => 7,
        E::NoActor { .. } => 8,
        E::UnknownActor { .. } => 9,
        E::Forbidden { .. } => 10,
        E::UnknownLink => 11,
        E::EvaluatorOnDictamen { .. } => 12,
        E::NotAssigned { .. } => 13,
        E::NoEvaluatorYet { .. } => 14,
        E::WindowNotTaking { .. } => 15,
        E::WindowFull { .. } => 16,
        E::AlreadyEnrolled { .. } => 17,
        E::UnknownElement { .. } => 18,
        E::ElementTwice { .. } => 19,
        E::JudgementsMissing { .. } => 20,
        E::ScoreOutOfRange { .. } => 21,
        E::Missing { .. } => 22,
        E::UnknownValue { .. } => 23,
        E::UnknownTimeZone { .. } => 24,
        E::BadInstant { .. } => 25,
        E::WindowEndsBeforeStart { .. } => 26,
        E::CapacityTooSmall { .. } => 27,
        E::UnknownRole { .. } => 28,
        E::BadStaffId { .. } => 29,
        E::NoRole => 30,
        E::FirstStaffNotAdmin => 31,
        E::StaffExists { .. } => 32,
        E::CertificateExists { .. } => 33,
        E::NothingForDictamen { .. } => 34,
        E::EnrollmentNotInWindow { .. } => 35,
        E::CurpTaken { .. } => 36,
        E::StandardVersionChanged { .. } => 37,
        E::JobNotRetryable { .. } => 38,
        E::JobNotCancellable { .. } => 39,
        E::NotAPublicKey { .. } => 40,
        E::NoConfig { .. } => 41,
        E::ConfigInvalid { .. } => 42,
        E::BadKeyFile { .. } => 43,
        E::BadLogo { .. } => 44,
        E::DemoTooSmall => 45,
        E::DemoExists { .. } => 46,
        E::NotUtf8 { .. } => 47,
        E::OfflineNeedsDocument => 48,
        E::NotAToken { .. } => 57,
        E::Text { .. } => 58,
        E::KeyFileNotPrivate { .. } => 59,
        E::KeyNotPinned { .. } => 60,
        E::DatabaseUrl { .. } => 49,
        E::DatabaseUnavailable { .. } => 50,
        E::Migrate { .. } => 51,
        E::Database { .. } => 52,
        E::Io { .. } => 53,
        E::Certificate { .. } => 54,
        E::Mail { .. } => 55,
        E::BadJob { .. } => 56,
        E::EvaluationBeforeWindow { .. } => 61,
        E::DemoDatabaseInUse { .. } => 62,
        E::FileTooLarge { .. } => 63,
        E::ConfigText { .. } => 64,
        E::AuditFindings { .. } => 65,
        E::CheckpointForged { .. } => 66,
        E::ProofFails { .. } => 67,
        E::NotProvable { .. } => 68,
        E::CheckpointStale { .. } => 69,
        E::ReadModelDiffers { .. } => 70,
    }
}

fn record_all() -> Vec<Record> {
    use Record as R;
    let all = vec![
        R::Staff,
        R::Standard,
        R::StandardOfEnrollment,
        R::Window,
        R::Enrollment,
        R::Certificate,
        R::DictamenBatch,
        R::Job,
        R::IssuerKey,
        R::CandidateLink,
        R::Checkpoint,
        R::Unknown,
    ];
    covers("Record", &all, 12, |r| match r {
        R::Staff => 0,
        R::Standard => 1,
        R::StandardOfEnrollment => 2,
        R::Window => 3,
        R::Enrollment => 4,
        R::Certificate => 5,
        R::DictamenBatch => 6,
        R::Job => 7,
        R::IssuerKey => 8,
        R::CandidateLink => 9,
        R::Unknown => 10,
        R::Checkpoint => 11,
    });
    all
}

fn field_all() -> Vec<Field> {
    use Field as F;
    let all = vec![
        F::Name,
        F::Identity,
        F::Institution,
        F::Position,
        F::Reason,
        F::Evidence,
        F::Feedback,
        F::JobKind,
        F::State,
        F::JobState,
        F::ReportBy,
        F::Lang,
        F::Target,
    ];
    covers("Field", &all, 13, |f| match f {
        F::Name => 0,
        F::Identity => 1,
        F::Institution => 2,
        F::Position => 9,
        F::Reason => 3,
        F::State => 4,
        F::JobState => 5,
        F::ReportBy => 6,
        F::Lang => 7,
        F::Target => 8,
        F::Evidence => 10,
        F::Feedback => 11,
        F::JobKind => 12,
    });
    all
}

fn action_all() -> Vec<Action> {
    use Action as A;
    let all = vec![
        A::AddStaff,
        A::ListStaff,
        A::LoadStandards,
        A::ReadStandards,
        A::CreateWindows,
        A::ChangeWindows,
        A::ReadWindows,
        A::RegisterCandidates,
        A::ImportCandidates,
        A::RecordDiagnostics,
        A::PlanEvaluations,
        A::Evaluate,
        A::RecordJudgements,
        A::RecordVerdicts,
        A::IssueDictamen,
        A::WithdrawEnrollments,
        A::ReadEnrollments,
        A::ReadCertificates,
        A::VerifyByFolio,
        A::RevokeCertificates,
        A::ReissueCertificates,
        A::ExportCertificates,
        A::RotateKey,
        A::ManageJobs,
        A::ReadReports,
        A::VerifyAudit,
        A::IssueCandidateLinks,
        A::RunJobs,
    ];
    covers("Action", &all, 28, |a| match a {
        A::AddStaff => 0,
        A::ListStaff => 1,
        A::LoadStandards => 2,
        A::ReadStandards => 3,
        A::CreateWindows => 4,
        A::ChangeWindows => 5,
        A::ReadWindows => 6,
        A::RegisterCandidates => 7,
        A::ImportCandidates => 8,
        A::RecordDiagnostics => 9,
        A::PlanEvaluations => 10,
        A::Evaluate => 11,
        A::RecordJudgements => 12,
        A::RecordVerdicts => 13,
        A::IssueDictamen => 14,
        A::WithdrawEnrollments => 15,
        A::ReadEnrollments => 16,
        A::ReadCertificates => 17,
        A::VerifyByFolio => 18,
        A::RevokeCertificates => 19,
        A::ReissueCertificates => 20,
        A::ExportCertificates => 21,
        A::RotateKey => 22,
        A::ManageJobs => 23,
        A::ReadReports => 24,
        A::VerifyAudit => 25,
        A::IssueCandidateLinks => 26,
        A::RunJobs => 27,
    });
    all
}

fn letters() -> Vec<Letter> {
    let to = || Person {
        name: "Guadalupe Hernández García".into(),
        email: "lupe@itaip.example".into(),
    };
    let standard = || StandardName {
        code: "EC1057".into(),
        title: "Garantizar el derecho de acceso a la información pública".into(),
    };
    let mut all = vec![
        Letter::Registration {
            to: to(),
            enrollment: 4,
            window: 1,
            standard: standard(),
        },
        Letter::ExpiryReminder {
            to: to(),
            folio: "EC1057-2026-000001".into(),
            expires: at(),
        },
    ];
    for (score, threshold) in [(88, 70), (40, 70)] {
        all.push(Letter::Diagnostic {
            to: to(),
            standard: standard(),
            score,
            threshold,
        });
    }
    for (competent, feedback) in [
        (true, vec![]),
        (
            false,
            vec![
                ("E0002".to_string(), Some("Falta el acuse de la solicitud".to_string())),
                ("E0004".to_string(), None),
            ],
        ),
    ] {
        all.push(Letter::Verdict {
            to: to(),
            standard: standard(),
            competent,
            feedback,
        });
    }
    for procede in [true, false] {
        all.push(Letter::Dictamen {
            to: to(),
            standard: standard(),
            procede,
        });
    }
    let rows = [
        (EnrollmentState::EvaluationPlanned, crate::deadlines::Deadline::Verdict),
        (
            EnrollmentState::SubmittedForDictamen,
            crate::deadlines::Deadline::Dictamen,
        ),
        (EnrollmentState::CertificateIssued, crate::deadlines::Deadline::Delivery),
    ]
    .into_iter()
    .map(|(state, deadline)| OverdueRow {
        enrollment: 4,
        window: 1,
        state,
        deadline,
        since: at(),
        due: at(),
        days_late: 3,
    })
    .collect();
    all.push(Letter::OverdueDigest { to: vec![to()], rows });
    all.push(Letter::Checkpoint {
        to: vec![to()],
        id: 3,
        at: at(),
        streams: 641,
        events: 4142,
        root: "6076ac7df2ad26a042ef8102742fb7fceb7bbc76d76a2b494a70dab366ecdac2".into(),
        file: "{}".into(),
    });
    all
}

fn letter_tag(l: &Letter) -> usize {
    match l {
        Letter::Registration { .. } => 0,
        Letter::Diagnostic { .. } => 1,
        Letter::Verdict { .. } => 2,
        Letter::Dictamen { .. } => 3,
        Letter::ExpiryReminder { .. } => 4,
        Letter::OverdueDigest { .. } => 5,
        Letter::Checkpoint { .. } => 6,
    }
}

#[test]
fn every_error_reads_in_both_languages() {
    let all = errors();
    covers("Error", &all, 71, error_tag);
    for e in &all {
        let (es, en) = (e.message(Lang::Es), e.message(Lang::En));
        both(&e.code(), &es, &en);
        assert_eq!(e.to_string(), es, "Display is Spanish");
        // The code is data: the same in both languages, and never worded.
        assert!(!e.code().is_empty());
    }
}

#[test]
fn every_problem_reason_and_issue_reads_in_both_languages() {
    let (es, en) = (of(Lang::Es), of(Lang::En));
    let problems = problems();
    covers("Problem", &problems, 20, problem_tag);
    for p in &problems {
        both(&format!("{p:?}"), &es.problem(p), &en.problem(p));
    }
    let identities = identity_errors();
    covers("IdentityError", &identities, 8, identity_tag);
    for i in &identities {
        both(&format!("{i:?}"), &es.identity(i), &en.identity(i));
    }
    let issues = issues();
    covers("Issue", &issues, 11, issue_tag);
    for i in &issues {
        both(&format!("{i:?}"), &es.standard_issue(i), &en.standard_issue(i));
    }
    let tokens = tokens();
    covers("TokenError", &tokens, 7, token_tag);
    for t in &tokens {
        both(&format!("{t:?}"), &es.token(t), &en.token(t));
    }
    let proofs = proofs();
    covers("ProofError", &proofs, 7, proof_tag);
    for p in &proofs {
        both(&format!("{p:?}"), &es.proof(p), &en.proof(p));
    }
}

#[test]
fn every_verification_outcome_and_check_reads_in_both_languages() {
    let (es, en) = (of(Lang::Es), of(Lang::En));
    let outcomes = outcomes();
    covers("Outcome", &outcomes, 16, outcome_tag);
    for o in &outcomes {
        both(&format!("{o:?}"), &es.outcome(o), &en.outcome(o));
    }
    let checks = checks();
    covers("Check", &checks, 6, check_tag);
    for c in &checks {
        both(&format!("{c:?}"), &es.check(c), &en.check(c));
    }
    let uncheckeds = uncheckeds();
    covers("Unchecked", &uncheckeds, 4, unchecked_tag);
    for u in &uncheckeds {
        both(&format!("{u:?}"), &es.unchecked(u), &en.unchecked(u));
    }
    let findings = findings();
    covers("Finding", &findings, 7, finding_tag);
    for f in &findings {
        both(&format!("{f:?}"), &es.finding(f), &en.finding(f));
    }
}

#[test]
fn every_notice_reads_in_both_languages() {
    let (es, en) = (of(Lang::Es), of(Lang::En));
    let letters = letters();
    covers("Letter", &letters, 7, letter_tag);
    for l in &letters {
        let issuer = "Instituto de Transparencia";
        let (es_subject, es_body) = es.notice(l, issuer);
        let (en_subject, en_body) = en.notice(l, issuer);
        both(&format!("{l:?} subject"), &es_subject, &en_subject);
        both(&format!("{l:?} body"), &es_body, &en_body);
    }
    let mail = CertificateMailText {
        holder: "Guadalupe Hernández García",
        standard_code: "EC1057",
        standard_title: "Garantizar el derecho de acceso a la información pública",
        folio: "EC1057-2026-000001",
        verification_code: "XK4P-9M2Q-7HTB",
        issuer: "Instituto de Transparencia",
    };
    let ((es_subject, es_body), (en_subject, en_body)) = (es.certificate_mail(&mail), en.certificate_mail(&mail));
    both("certificate mail subject", &es_subject, &en_subject);
    both("certificate mail body", &es_body, &en_body);
}

#[test]
fn every_name_state_and_event_reads_in_both_languages() {
    let (es, en) = (of(Lang::Es), of(Lang::En));
    for role in Role::ALL {
        both(&format!("{role:?}"), es.role(role), en.role(role));
    }
    for action in action_all() {
        both(&format!("{action:?}"), es.action(action), en.action(action));
    }
    for record in record_all() {
        both(&format!("{record:?}"), es.record(record), en.record(record));
    }
    for field in field_all() {
        // A field is named by its column where it has one (`curp`): the same in both.
        let (s, n) = (es.field(field), en.field(field));
        assert!(english_in(s).is_none(), "{field:?}: {s:?}");
        assert!(!s.is_empty() && !n.is_empty());
    }
    for deadline in [
        crate::deadlines::Deadline::Verdict,
        crate::deadlines::Deadline::Dictamen,
        crate::deadlines::Deadline::Delivery,
    ] {
        let (s, n) = (es.deadline(deadline), en.deadline(deadline));
        assert!(english_in(s).is_none() && !n.is_empty(), "{deadline:?}: {s:?}");
    }
    fn machine<L: Lifecycle>(es: &dyn Catalogue, en: &dyn Catalogue) {
        both(L::MACHINE, es.machine(L::MACHINE), en.machine(L::MACHINE));
        for state in L::ALL {
            let (s, n) = (
                es.state(L::MACHINE, state.as_str()),
                en.state(L::MACHINE, state.as_str()),
            );
            assert_ne!(
                s,
                state.as_str(),
                "{}: state {:?} left unworded in Spanish",
                L::MACHINE,
                state
            );
            assert!(english_in(&s).is_none() && !n.is_empty(), "{s:?}");
        }
        for &event in L::EVENTS {
            let name = L::event_name(event);
            let (s, n) = (es.event(name), en.event(name));
            assert_ne!(s, name, "{}: event {name:?} left unworded in Spanish", L::MACHINE);
            assert!(english_in(&s).is_none() && !n.is_empty(), "{s:?}");
        }
    }
    machine::<WindowState>(es, en);
    machine::<EnrollmentState>(es, en);
    machine::<CertificateState>(es, en);
    for (machine, states) in [
        ("job", &["queued", "running", "done", "dead"][..]),
        ("key", &["signing", "retired", "verifies"][..]),
        ("attempt", &["done", "retry", "dead"][..]),
    ] {
        for state in states {
            let s = es.state(machine, state);
            assert_ne!(&s, state, "{machine}: state {state:?} left unworded in Spanish");
            assert!(english_in(&s).is_none(), "{s:?}");
        }
    }
    for yes in [true, false] {
        both("yes/no", es.yes_no(yes), en.yes_no(yes));
    }
    let date = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
    both("long date", &es.long_date(date), &en.long_date(date));
}
