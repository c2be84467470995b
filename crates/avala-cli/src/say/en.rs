//! The command line's own words, in English.

use avala::error::Hint;

use super::{Say, roles_in};

pub(super) fn say(s: &Say<'_>) -> String {
    match s {
        Say::Initialised {
            database,
            config,
            key_file,
            created,
            key_id,
        } => format!(
            "database {database} is ready\nconfiguration {config}\nsigning key {key_file} ({}; key id {key_id})\n\
             next: add the first admin with `avala staff add ID --name N --email E --role admin`",
            if *created { "created, mode 0600" } else { "kept" }
        ),
        Say::StandardLoaded {
            code,
            version,
            new,
            elements,
            hash,
        } => format!(
            "{code} version {version} {}: {elements} elements, content hash {hash}",
            if *new {
                "loaded"
            } else {
                "already loaded (same content)"
            }
        ),
        Say::StaffAdded { id, roles } => format!("staff member {id} added ({})", roles_in(avala::Lang::En, roles)),
        Say::WindowCreated { id } => format!("window {id} created (scheduled); open it with `avala window open {id}`"),
        Say::WindowNow { id, state } => format!("window {id} is now {state}"),
        Say::Registered { enrollment, window } => format!("enrollment {enrollment} registered in window {window}"),
        Say::Windows1252 { file } => {
            format!("note: {file} is not UTF-8; it was read as Windows-1252 (as Excel saves it)")
        }
        Say::Imported {
            rows,
            window,
            institutions,
            dry_run,
        } => {
            if *dry_run {
                format!(
                    "dry run: all {rows} rows are valid and would be registered in window {window} ({institutions} new \
                     institutions); nothing was written"
                )
            } else {
                format!("{rows} candidates registered in window {window} ({institutions} new institutions)")
            }
        }
        Say::LinkIssued { enrollment, token } => format!(
            "personal link of enrollment {enrollment}: {token}\n(only its hash is kept: it cannot be looked up again)"
        ),
        Say::Diagnosed {
            enrollment,
            score,
            threshold,
            below,
        } => {
            if *below {
                format!(
                    "enrollment {enrollment}: diagnostic {score}/100 recorded, below the threshold of {threshold}: \
                     training is recommended before the evaluation"
                )
            } else {
                format!(
                    "enrollment {enrollment}: diagnostic {score}/100 recorded, at or above the threshold of {threshold}"
                )
            }
        }
        Say::Planned {
            enrollment,
            evaluator,
            at,
        } => format!("enrollment {enrollment}: evaluation planned with {evaluator} on {at}"),
        Say::Judged {
            enrollment,
            element,
            competent,
        } => format!(
            "enrollment {enrollment}: element {element} judged {}",
            if *competent { "competent" } else { "not yet competent" }
        ),
        Say::Verdict {
            enrollment,
            competent,
            not_yet,
        } => {
            if *competent {
                format!("enrollment {enrollment}: verdict competent; submitted for dictamen")
            } else {
                format!(
                    "enrollment {enrollment}: verdict not yet competent (elements {not_yet}); the candidate may enrol \
                     again in a later window"
                )
            }
        }
        Say::Dictamen {
            lote,
            procede,
            enrollments,
            certificates,
            first,
            last,
        } => {
            if *procede {
                format!(
                    "dictamen lote {lote}: procede for {enrollments} enrollment(s); {certificates} certificate(s) issued \
                     ({first} … {last}); `avala-runner --once` renders and e-mails them"
                )
            } else {
                format!("dictamen lote {lote}: no procede for {enrollments} enrollment(s)")
            }
        }
        Say::Withdrawn { enrollment } => format!("enrollment {enrollment} withdrawn"),
        Say::DeadJobsRetried { count } => format!("{count} dead job(s) queued again, each with 8 more attempts"),
        Say::JobRetried { job, attempts } => format!("job {job} is queued again ({attempts} attempts so far)"),
        Say::JobCancelled { job } => format!("job {job} cancelled; it will not run"),
        Say::KeyRotated { key_id, file } => {
            format!("new signing key {key_id} in {file}; earlier keys stay valid for what they signed")
        }
        Say::KeySound { key_id, file, keys } => format!(
            "the signing key {key_id} in {file} is private to its owner and is the active key the database \
             has pinned; {keys} key(s) verify the certificates"
        ),
        Say::Revoked { folio, reason } => {
            format!("certificate {folio} revoked; verifying it now answers \"revoked: {reason}\"")
        }
        Say::Reissued { new, old } => format!(
            "certificate {new} issued in place of {old} (now superseded); `avala-runner --once` renders and e-mails it"
        ),
        Say::Exported { folio, file } => format!("{folio}: Open Badges 3.0 credential written to {file}"),
        Say::NothingOverdue => "no process is past a CONOCER deadline (rule 8)".into(),
        Say::Overdue { count } => format!("{count} process(es) past a CONOCER deadline (rule 8):"),
        Say::AuditIntact { events, streams } => {
            format!("audit log intact: {events} events in {streams} streams, every link verified")
        }
        Say::AuditMatches { checkpoints } => format!(
            "and it matches {} {}: every stream they cover is there, as long and with the same hash",
            if checkpoints.len() == 1 {
                "checkpoint"
            } else {
                "checkpoints"
            },
            super::names(checkpoints)
        ),
        Say::MoreFindings { count } => format!("… and {count} more findings (see --format json)"),
        Say::CheckpointTaken {
            id,
            streams,
            events,
            root,
            key_id,
            file,
        } => {
            let mut text = format!(
                "checkpoint #{id}: {events} events in {streams} streams, root {root}, signed with key {key_id}"
            );
            if let Some(file) = file {
                text.push_str(&format!(
                    "; written to {} (keep a copy outside the database)",
                    file.display()
                ));
            }
            text
        }
        Say::ProofWritten { stream, seq, file } => {
            format!("proof of event {seq} of stream {stream} written to {}", file.display())
        }
        Say::ProofHolds { proof } => format!(
            "the proof holds: event {} of stream {} ({}, {}) is in the checkpoint of {} (root {}), signed with the issuer's key {}",
            proof.seq, proof.stream, proof.kind, proof.at, proof.checkpoint_at, proof.root, proof.key_id
        ),
        Say::ReplayMatches { checked } => format!(
            "read model replayed: {}, every field as the audit log says",
            checked_en(checked)
        ),
        Say::ReplayDiffers { checked, total, shown } => {
            let listed = if *shown as u64 == *total {
                String::new()
            } else {
                format!(" (the first {shown} listed)")
            };
            format!(
                "read model replayed: {}; {total} difference(s) between the tables and the audit log{listed}",
                checked_en(checked)
            )
        }
        Say::ReplayDifference(d) => {
            use avala::replay::Found;
            let record = format!("{} {}", kind_en(d.record), d.id);
            let none = "(none)";
            match &d.found {
                Found::Differs { field, log, table } => format!(
                    "  {record}: {field}: the log says {}, the table says {}",
                    log.as_deref().unwrap_or(none),
                    table.as_deref().unwrap_or(none)
                ),
                Found::NotInTable => format!("  {record}: in the audit log, missing from the table"),
                Found::NotInLog => format!("  {record}: in the table, recorded by no stream of the audit log"),
            }
        }
        Say::ReplayNotCheckable(n) => format!(
            "  not checkable (not a sign of tampering): {} of {} {}(s): their events were written before avala logged it",
            n.field,
            n.records,
            kind_en(n.record)
        ),
        Say::Suppressed => "<5".into(),
        Say::None => "(none)".into(),
        Say::Pending => "pending (run avala-runner)".into(),
        Say::RenderedPdf => "rendered".into(),
        Say::Checked => "checked".into(),
        Say::NotChecked => "not checked".into(),
        Say::DemoStep(step) => match step {
            avala::demo::Step::Import => "importing the cohort",
            avala::demo::Step::Diagnostics => "diagnostics",
            avala::demo::Step::Evaluations => "evaluations",
            avala::demo::Step::Dictamenes => "dictámenes",
            avala::demo::Step::Certificates => "certificates and e-mails",
        }
        .to_string(),
        Say::Demo(d) => {
            let mut text = format!(
                "\navala demo: EC1057 cohort of {} candidates, end to end in {:.1} s\n\n  enrollments by final state\n",
                d.candidates, d.seconds
            );
            for (state, count) in &d.states {
                text.push_str(&format!("    {state:<28} {count:>6}\n"));
            }
            text.push_str(&format!("\n  dictamen lotes issued            {:>6}\n", d.batches));
            text.push_str(&format!(
                "  certificates rendered            {:>6}   {}\n",
                d.rendered, d.certificates_dir
            ));
            text.push_str(&format!(
                "  certificate e-mails              {:>6}   {}\n",
                d.delivered, d.outbox_dir
            ));
            text.push_str(&format!(
                "  notices e-mailed                 {:>6}   (registration, diagnostic, verdict, dictamen)\n",
                d.notices
            ));
            if d.failed > 0 {
                text.push_str(&format!("  jobs failed                      {:>6}\n", d.failed));
            }
            text.push_str(&format!("\n  database {}\n\n  look around:\n", d.database));
            for command in ["enrollment list", "certificate list", "report"] {
                text.push_str(&format!("    avala --db {} --as admin {command}\n", d.database));
            }
            text
        }
    }
}

pub(super) fn hint(h: &Hint) -> String {
    match h {
        Hint::GiveActor => "say who is acting: --as STAFF_ID (or set AVALA_ACTOR)".into(),
        Hint::SeeStaff => "`avala staff list` shows who has which role".into(),
        Hint::PlanEvaluation { enrollment } => {
            format!("plan it with `avala evaluation plan {enrollment} --evaluator ID --at T`")
        }
        Hint::RecordJudgements { enrollment } => format!(
            "record them with `avala evaluation record {enrollment} --element E#### --competent|--not-yet-competent`"
        ),
        Hint::Reissue => "to correct a certificate use `avala certificate reissue FOLIO`".into(),
        Hint::LoadStandard => "load it with `avala standard load FILE`".into(),
        Hint::NewStandardVersion => "give the edited file a new `version` and load it again".into(),
        Hint::RunInit => "run `avala init` first".into(),
        Hint::TryAgain => "run the command again".into(),
        Hint::OtherVerifier => "another verifier must issue it".into(),
        Hint::RunRunner => "run `avala-runner --once`".into(),
        Hint::OtherFolder => "choose another folder with --dir".into(),
        Hint::RotateKey => "to sign with a new key from now on, run `avala --as ADMIN keys rotate`".into(),
    }
}

/// A kind of record replayed, as English names it.
fn kind_en(kind: avala::replay::Kind) -> &'static str {
    use avala::replay::Kind;
    match kind {
        Kind::Enrollment => "enrollment",
        Kind::Certificate => "certificate",
        Kind::Window => "window",
        Kind::Candidate => "candidate",
    }
}

/// What a replay compared.
fn checked_en(c: &avala::replay::Checked) -> String {
    format!(
        "{} enrollment(s), {} certificate(s), {} window(s) and the consent of {} candidate(s) checked against the audit log",
        c.enrollments, c.certificates, c.windows, c.candidates
    )
}
