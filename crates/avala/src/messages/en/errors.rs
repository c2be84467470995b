//! Errors, in English.

use super::En;
use crate::clock::local_text;
use crate::error::{
    DbProblem, Error, Finding, ForgeProblem, InstantProblem, IoProblem, LinkProblem, NotTaking, ProofProblem,
    Unprovable,
};
use crate::messages::Catalogue;

pub(super) fn error(c: &En, e: &Error) -> String {
    match e {
        Error::Standard(s) => {
            let mut text = format!(
                "{} is not a valid standard ({}):",
                s.file,
                count(s.problems.len(), "problem", "problems")
            );
            for p in &s.problems {
                text.push_str(&format!(
                    "\n  {}:{}: {}: {}",
                    s.file,
                    p.line,
                    p.field,
                    c.standard_issue(&p.problem)
                ));
            }
            text
        }
        Error::Transition(t) => format!(
            "{} is {}; the step \"{}\" is not allowed from there (rule 1)",
            c.machine(t.machine),
            c.state(t.machine, t.state),
            c.event(t.event)
        ),
        Error::Identity(i) => c.identity(i),
        Error::ImportUnreadable { path, detail } => format!("cannot read {}: {detail}", path.display()),
        Error::ImportRejected { problems } | Error::InstrumentRejected { problems } => {
            let what = if matches!(e, Error::ImportRejected { .. }) {
                "nothing was imported"
            } else {
                "nothing was recorded"
            };
            let mut text = format!("{} in the file; {what}:", count(problems.len(), "problem", "problems"));
            for p in problems {
                text.push_str("\n  ");
                text.push_str(&c.at_line(p.line, p.column.as_deref(), &c.problem(&p.problem)));
            }
            text
        }
        Error::NotFound { what, id } => format!("{} {id} not found", c.record(*what)),
        Error::Conflict { what, id } => format!(
            "{} {id} was changed by someone else at the same time; nothing was written, run the command again",
            c.record(*what)
        ),
        Error::NoActor { action } => format!(
            "to {} a staff member must be acting; the public may only verify certificates and read the public \
             registry and open data",
            c.action(*action)
        ),
        Error::UnknownActor { id } => format!("staff member {id} does not exist"),
        Error::Forbidden { actor, roles, action } => {
            if roles.is_empty() {
                format!("{actor} may not {}: only the job runner does that", c.action(*action))
            } else {
                let roles: Vec<&str> = roles.iter().map(|r| c.role(*r)).collect();
                format!(
                    "{actor} may not {}: it takes the {} role",
                    c.action(*action),
                    roles.join(" or ")
                )
            }
        }
        Error::UnknownLink => "the personal link is not valid or no longer in force".into(),
        Error::EvaluatorOnDictamen { enrollment, verifier } => format!(
            "enrollment {enrollment}: {verifier} evaluated this process and may not issue its dictamen (rule 3, \
             Reglas Generales art. 50)"
        ),
        Error::NotAssigned {
            enrollment,
            assigned,
            actor,
        } => {
            if assigned.is_empty() {
                format!("enrollment {enrollment} is not assigned to {actor} (rule 4)")
            } else {
                format!("enrollment {enrollment} is assigned to evaluator {assigned}, not to {actor} (rule 4)")
            }
        }
        Error::NoEvaluatorYet { enrollment } => {
            format!("enrollment {enrollment} has no evaluator yet: its evaluation must be planned first")
        }
        Error::WindowNotTaking { window, why } => match why {
            NotTaking::State { state } => format!(
                "window {window} is not taking registrations: it is {}",
                c.state("window", state_name(*state))
            ),
            NotTaking::Outside { opens, closes, now, tz } => format!(
                "window {window} is not taking registrations: registration runs from {} to {} and it is now {}",
                local_text(*opens, tz),
                local_text(*closes, tz),
                local_text(*now, tz)
            ),
        },
        Error::WindowFull { window, capacity } => {
            format!("window {window} is full ({capacity} places taken)")
        }
        Error::AlreadyEnrolled {
            identity,
            window,
            enrollment,
        } => format!("candidate {identity} is already enrolled in window {window} (enrollment {enrollment})"),
        Error::UnknownElement {
            element,
            standard,
            version,
            known,
        } => format!(
            "element {element} is not part of {standard} version {version}; its elements are {}",
            c.list(known)
        ),
        Error::ElementTwice { enrollment, element } => {
            format!("enrollment {enrollment}: element {element} is judged twice; give each element once")
        }
        Error::JudgementsMissing {
            enrollment,
            standard,
            elements,
        } => format!(
            "enrollment {enrollment}: {} of {standard} {} no judgement yet",
            if elements.len() == 1 {
                format!("element {}", elements[0])
            } else {
                format!("elements {}", c.list(elements))
            },
            if elements.len() == 1 { "has" } else { "have" }
        ),
        Error::ScoreOutOfRange { score } => format!("the score must be between 0 and 100, not {score}"),
        Error::Text { field, problem } => format!("{} {}", c.field(*field), super::problems::text(problem)),
        Error::Missing { field } => format!("{} must not be empty", c.field(*field)),
        Error::UnknownValue { field, value, known } => {
            format!(
                "{value:?} is not {}; use {}",
                c.field(*field),
                crate::messages::typed(known, "or")
            )
        }
        Error::UnknownTimeZone { value } => {
            format!("unknown time zone {value:?}; use an IANA name such as America/Mexico_City")
        }
        Error::BadInstant { text, problem } => format!(
            "{text:?} is not a date and time ({}); write 2026-11-23T09:00:00-06:00, 2026-11-23 09:00 or 2026-11-23",
            match problem {
                InstantProblem::Format => "unrecognised format",
                InstantProblem::UnknownZone => "unknown time zone",
                InstantProblem::Nonexistent => "that local time does not exist in the time zone",
            }
        ),
        Error::EvaluationBeforeWindow {
            enrollment,
            window,
            at,
            opens,
            tz,
        } => format!(
            "the evaluation of enrollment {enrollment} would be on {}, before window {window} opens (on {}); plan it for then or later",
            local_text(*at, tz),
            local_text(*opens, tz)
        ),
        Error::WindowEndsBeforeStart { opens, closes } => format!(
            "the window closes ({}) before it opens ({})",
            closes.format("%Y-%m-%d %H:%M UTC"),
            opens.format("%Y-%m-%d %H:%M UTC")
        ),
        Error::CapacityTooSmall { capacity } => format!("the capacity must be at least 1, not {capacity}"),
        Error::UnknownRole { value } => {
            format!("unknown role {value:?}; roles are admin, evaluator, verifier")
        }
        Error::BadStaffId { id } => format!("staff id {id:?} must be letters, digits, '.', '-' or '_'"),
        Error::NoRole => "give at least one role (admin, evaluator, verifier)".into(),
        Error::FirstStaffNotAdmin => "the first staff member must be an admin".into(),
        Error::StaffExists { id } => format!("staff member {id} already exists"),
        Error::CertificateExists { enrollment } => format!(
            "enrollment {enrollment} already has a certificate (rule 7: at most one per enrollment; a correction \
             is a re-issue)"
        ),
        Error::NothingForDictamen { window } => {
            format!("no enrollment of window {window} is waiting for a dictamen")
        }
        Error::EnrollmentNotInWindow {
            enrollment,
            window,
            actual,
        } => format!("enrollment {enrollment} belongs to window {actual}, not to window {window}"),
        Error::CurpTaken { curp } => format!("CURP {curp} belongs to another candidate"),
        Error::StandardVersionChanged {
            standard: code,
            version,
            stored_hash,
        } => format!(
            "{code} version {version} is already loaded with different content (hash {}…); running and past \
             processes keep that content (rule 5): give the edited file a new version",
            &stored_hash[..stored_hash.len().min(12)]
        ),
        Error::JobNotRetryable { job, state } => {
            format!("job {job} is {state}; only dead or queued jobs can be retried")
        }
        Error::JobNotCancellable { job, state } => format!(
            "job {job} is {state}; only queued jobs, and running jobs whose lease ran out, can be cancelled{}",
            if state == "running" {
                " (a runner holds it now; once its lease runs out, it can be cancelled)"
            } else {
                ""
            }
        ),
        Error::NotAPublicKey { value } => {
            format!("{value:?} is not an Ed25519 public key (64 hex digits)")
        }
        Error::NoConfig { path } => format!(
            "{} does not exist: the installation is not initialised (configuration and signing key)",
            path.display()
        ),
        Error::ConfigInvalid { path, detail } => {
            format!("the configuration {} is not valid: {detail}", path.display())
        }
        Error::BadKeyFile { path } => {
            format!("{} is not an avala signing key (64 hex digits)", path.display())
        }
        Error::ConfigText { path, key, problem } => {
            format!("{}: `{key}` {}", path.display(), super::problems::text(problem))
        }
        Error::FileTooLarge { path, size, max } => format!(
            "{} holds {}; a file of its kind may hold at most {}, so it was not read",
            path.display(),
            crate::messages::bytes(*size),
            crate::messages::bytes(*max)
        ),
        Error::KeyFileNotPrivate { path, mode } => format!(
            "the signing key {} may be read by others (mode {mode:04o}); a signing key must be private \
             to its owner: chmod 600 {}",
            path.display(),
            path.display()
        ),
        Error::KeyNotPinned { path, found, expected } => match expected {
            Some(expected) => format!(
                "{} holds the key {found}, but the signing key recorded in the database is {expected}: a key \
                 changed behind avala's back is not used (put back the key {expected}, or change the key on \
                 purpose by rotating it)",
                path.display()
            ),
            None => format!(
                "{} holds the key {found}, which is not the active signing key recorded in the database (it \
                 was retired or never recorded): a key changed behind avala's back is not used",
                path.display()
            ),
        },
        Error::BadLogo { path, detail } => format!("{}: not a PNG or JPEG image ({detail})", path.display()),
        Error::DemoTooSmall => "the demo needs at least 1 candidate".into(),
        Error::DemoExists { dir } => format!(
            "{} holds a demo already; choose another folder or delete it",
            dir.display()
        ),
        Error::DemoDatabaseInUse { database, events } => format!(
            "database {database} holds records already ({events} audit events); the demo needs a new, empty database, so as not to mix its made-up people with real ones"
        ),
        Error::NotUtf8 { path } => format!("{} is not UTF-8 text", path.display()),
        Error::NotAToken { text } => format!(
            "{text:?} is not the text of a certificate's QR code (that begins with {})",
            crate::certificate::signed::TOKEN_PREFIX
        ),
        Error::OfflineNeedsDocument => {
            "without the issuer's records a folio or code cannot be looked up; give the PDF file or the token".into()
        }
        Error::AuditFindings { count } => format!(
            "the audit log does not hold up: {count} {}",
            if *count == 1 { "finding" } else { "findings" }
        ),
        Error::CheckpointForged { checkpoint, problem } => {
            format!("checkpoint {checkpoint} is refused as forged: {}", forged(problem))
        }
        Error::CheckpointStale { checkpoint } => format!(
            "the audit log no longer matches checkpoint #{checkpoint}: something it covered was changed; verify the audit log"
        ),
        Error::ProofFails { problem } => format!("the proof does not hold: {}", proof_problem(problem)),
        Error::NotProvable { stream, seq, why } => format!(
            "event {seq} of stream {stream} cannot be proven: {}",
            match why {
                Unprovable::NoSuchEvent => "there is no such event".to_string(),
                Unprovable::AfterCheckpoint { length: 0 } =>
                    "the checkpoint does not cover that stream; take a new checkpoint".into(),
                Unprovable::AfterCheckpoint { length } => {
                    format!("the checkpoint covers that stream up to event {length} only; take a new checkpoint")
                }
                Unprovable::Version1 { seq } => format!(
                    "event {seq} of the stream was recorded before events were chained by digest, so a proof would show its contents; the chain and the checkpoints still vouch for it"
                ),
                Unprovable::LogChanged { checkpoint } => {
                    format!("the log no longer matches checkpoint #{checkpoint}; verify the audit log")
                }
                Unprovable::NoCheckpoint => "no checkpoint has been taken yet".into(),
            }
        ),
        Error::DatabaseUrl { url, detail } => format!("database URL {url}: {detail}"),
        Error::DatabaseUnavailable { url, problem } => {
            format!("cannot open the database {url}: {}", db(problem))
        }
        Error::Migrate { detail } => format!("cannot migrate the database: {detail}"),
        Error::Database { problem } => format!("database error: {}", db(problem)),
        Error::Io { path, problem } => format!(
            "{}: {}",
            path.display(),
            match problem {
                IoProblem::NotFound => "no such file or folder".to_string(),
                IoProblem::PermissionDenied => "permission denied".to_string(),
                IoProblem::Other { detail } => format!("system error: {detail}"),
            }
        ),
        Error::Certificate { detail } => format!("certificate: {detail}"),
        Error::Mail { detail } => format!("mail: {detail}"),
        Error::BadJob { job, detail } => format!("job {job} cannot be read: {detail}"),
        Error::ReadModelDiffers { differences } => format!(
            "the tables differ from what the audit log records in {differences} place(s), listed above: \
             they were changed outside avala"
        ),
    }
}

/// Why a checkpoint is refused.
pub(super) fn forged(problem: &ForgeProblem) -> String {
    match problem {
        ForgeProblem::Format { detail } => format!("it is not a checkpoint file avala reads ({detail})"),
        ForgeProblem::KeyId => "its public key is not the key its key id names".into(),
        ForgeProblem::Signature => "its signature does not hold: it was changed after it was signed".into(),
        ForgeProblem::Root => {
            "its streams do not hash to the signed root: a stream was changed after it was signed".into()
        }
        ForgeProblem::UnknownKey { key_id } => {
            format!("it is signed by key {key_id}, which is not in the issuer's key set")
        }
    }
}

fn proof_problem(problem: &ProofProblem) -> String {
    match problem {
        ProofProblem::Format { detail } => format!("it is not a proof avala reads ({detail})"),
        ProofProblem::Version { v } => format!("the event is of chain version {v}, which proofs do not cover"),
        ProofProblem::Leaf => "its leaf is not the event's stream at the length it claims".into(),
        ProofProblem::Event => "the event does not lead to its stream's head: the event was changed".into(),
        ProofProblem::Path => "its Merkle path does not lead to the signed root".into(),
        ProofProblem::Signature => "the checkpoint's signature does not hold".into(),
        ProofProblem::KeyId => "its public key is not the key its key id names".into(),
        ProofProblem::UnknownKey { key_id } => format!("it is signed by key {key_id}, not by the issuer's key"),
    }
}

fn db(problem: &DbProblem) -> String {
    match problem {
        DbProblem::DiskFull { db_code } => format!(
            "the disk holding the database is full (code {db_code}); nothing was changed: free some space and run it again"
        ),
        DbProblem::ReadOnly { db_code } => format!(
            "the database file is read-only (code {db_code}); nothing was changed: check the file's and its folder's \
             permissions"
        ),
        DbProblem::Io { db_code } => format!(
            "the database file could not be written or read (disk I/O error, code {db_code}): is the disk full or the \
             file read-only? Nothing was changed"
        ),
        DbProblem::NoSuchFile => "no such file".into(),
        DbProblem::Timeout => "timed out waiting for a connection".into(),
        DbProblem::Other { detail } => detail.clone(),
    }
}

fn state_name(state: crate::machine::WindowState) -> &'static str {
    use crate::machine::Lifecycle;
    state.as_str()
}

/// "1 problem", "3 problems".
pub(super) fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// One finding of `audit verify`.
pub(super) fn finding(f: &Finding) -> String {
    match f {
        Finding::Link {
            stream,
            seq,
            row,
            problem,
        } => format!("stream {stream}, event {seq} (row {row}): {}", link(problem, *seq)),
        Finding::StreamMissing {
            checkpoint,
            stream,
            length,
        } => format!("stream {stream} is gone; checkpoint {checkpoint} saw it with {length} events"),
        Finding::StreamShortened {
            checkpoint,
            stream,
            length,
            now,
        } => format!(
            "stream {stream} has {now} events; checkpoint {checkpoint} saw {length}: events {} to {length} were deleted",
            now + 1
        ),
        Finding::HeadChanged {
            checkpoint,
            stream,
            seq,
        } => format!(
            "stream {stream}, event {seq}: its hash is not the one checkpoint {checkpoint} saw; the stream was rewritten up to there"
        ),
        Finding::StreamAdded { checkpoint, stream } => format!(
            "stream {stream} has events older than checkpoint {checkpoint}, which does not have it: it was added afterwards"
        ),
        Finding::RootChanged { checkpoint } => format!(
            "the log up to checkpoint {checkpoint} no longer hashes to its signed root: something it covered was changed"
        ),
        Finding::Forged { checkpoint, problem } => format!("checkpoint {checkpoint} is forged: {}", forged(problem)),
    }
}

fn link(problem: &LinkProblem, seq: i64) -> String {
    match problem {
        LinkProblem::Gap { expected } => format!("sequence {seq} where {expected} was expected (an event is missing)"),
        LinkProblem::PreviousHash => "its previous-hash does not match the event before it".to_string(),
        LinkProblem::Altered => "its content does not match its hash (the event was altered)".to_string(),
    }
}
