//! Each command: open the store, call the library, print.

use std::sync::Arc;
use std::time::Instant;

use avala::config::Config;
use avala::engine::{Cursor, Engine, NewCandidate, NewStaff, PAGE, ReportBy, Role};
use avala::identity::{Curp, Identity};
use avala::machine::{EnrollmentState, Lifecycle, WindowEvent};
use avala::store::Db;
use avala::{Clock, Error, FixedClock, SystemClock};
use indicatif::{ProgressBar, ProgressStyle};

use crate::output::{Listing, Pages, opt, print_done, print_listing, print_record};
use crate::*;

type Result<T = ()> = std::result::Result<T, Error>;

/// The clock: the system's, or the instant in `AVALA_NOW` (for trials and tests).
fn clock() -> Result<Arc<dyn Clock>> {
    match std::env::var("AVALA_NOW") {
        Ok(text) if !text.trim().is_empty() => {
            let at = avala::parse_instant(&text, "UTC").map_err(|e| Error::Invalid(format!("AVALA_NOW: {e}")))?;
            Ok(Arc::new(FixedClock::new(at)))
        }
        _ => Ok(Arc::new(SystemClock)),
    }
}

async fn engine(cli: &Cli) -> Result<Engine> {
    let db = Db::connect(&cli.db, false).await?;
    db.migrate().await?;
    Ok(Engine::new(db, clock()?))
}

fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// What a verdict tells the evaluator.
fn print_verdict(format: crate::output::Format, out: &avala::engine::VerdictOutcome) {
    let enrollment = out.enrollment;
    let message = if out.competent {
        format!("enrollment {enrollment}: verdict competent; submitted for dictamen")
    } else {
        format!(
            "enrollment {enrollment}: verdict not yet competent (elements {}); the candidate may enrol again in a later window",
            out.not_yet_competent.join(", ")
        )
    };
    print_done(format, out, &message);
}

fn ts(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Runs one command; returns the exit code (0, or the outcome of `certificate verify`).
pub async fn run(cli: Cli) -> Result<u8> {
    let actor = cli.actor.as_deref();
    let format = cli.format;
    match &cli.command {
        Command::Init(args) => {
            let db = Db::open(&cli.db).await?;
            db.close().await;
            let dir = Config::dir_for(&cli.db);
            let mut settings = avala::config::Settings::default();
            if let Some(v) = &args.issuer {
                settings.issuer = v.clone();
            }
            if let Some(v) = &args.place {
                settings.place = v.clone();
            }
            if let Some(v) = &args.mail_from {
                settings.mail_from = avala::identity::email(v)?;
            }
            let (config, created) = Config::init(&dir, Some(settings))?;
            engine(&cli).await?.register_issuer_key(&config).await?;
            let key = config.signing_key()?.verifying_key();
            let record = serde_json::json!({
                "database": avala::store::redact(&cli.db),
                "config": config.dir.join(avala::config::FILE),
                "key_file": config.key_path(),
                "key_id": avala::config::key_id(&key),
                "new_key": created,
            });
            print_done(
                format,
                &record,
                &format!(
                    "database {} is ready\nconfiguration {}\nsigning key {} ({}; key id {})\nnext: add the first admin with `avala staff add ID --name N --email E --role admin`",
                    avala::store::redact(&cli.db),
                    config.dir.join(avala::config::FILE).display(),
                    config.key_path().display(),
                    if created { "created, mode 0600" } else { "kept" },
                    avala::config::key_id(&key)
                ),
            );
        }
        Command::Demo(args) => demo(args, format).await?,
        Command::Standard(cmd) => {
            let engine = engine(&cli).await?;
            match cmd {
                StandardCmd::Load { file } => {
                    let text = String::from_utf8(read_file(file)?)
                        .map_err(|_| Error::Invalid(format!("{} is not UTF-8 text", file.display())))?;
                    let out = engine.load_standard(actor, &file.display().to_string(), &text).await?;
                    let what = if out.new {
                        "loaded"
                    } else {
                        "already loaded (same content)"
                    };
                    print_done(
                        format,
                        &out,
                        &format!(
                            "{} version {} {what}: {} elements, content hash {}",
                            out.code, out.version, out.elements, out.content_hash
                        ),
                    );
                }
                StandardCmd::List => {
                    let rows = engine.list_standards().await?;
                    print_listing(
                        format,
                        Listing {
                            headers: &["code", "version", "level", "validity", "threshold", "title", "hash"],
                            rows: rows
                                .iter()
                                .map(|r| {
                                    vec![
                                        r.code.clone(),
                                        r.version.clone(),
                                        r.level.to_string(),
                                        format!("{} years", r.validity_years),
                                        r.diagnostic_threshold.to_string(),
                                        r.title.clone(),
                                        r.content_hash[..12].to_string(),
                                    ]
                                })
                                .collect(),
                            records: &rows,
                        },
                    );
                }
                StandardCmd::Show { code } => {
                    let s = engine.show_standard(code).await?;
                    let mut lines = vec![
                        ("code", s.code.clone()),
                        ("version", s.version.clone()),
                        ("title", s.title.clone()),
                        ("level", s.level.to_string()),
                        ("validity", format!("{} years", s.validity_years)),
                        ("diagnostic threshold", s.diagnostic_threshold.to_string()),
                    ];
                    let elements: Vec<String> = s.elements.iter().map(|e| format!("{} {}", e.code, e.title)).collect();
                    lines.push(("elements", elements.join("\n            ")));
                    print_record(format, &s, &lines);
                }
            }
        }
        Command::Staff(cmd) => {
            let engine = engine(&cli).await?;
            match cmd {
                StaffCmd::Add { id, name, email, roles } => {
                    let roles = roles.iter().map(|r| r.parse::<Role>()).collect::<Result<Vec<_>>>()?;
                    engine
                        .add_staff(
                            actor,
                            NewStaff {
                                id: id.clone(),
                                name: name.clone(),
                                email: email.clone(),
                                roles: roles.clone(),
                            },
                        )
                        .await?;
                    let list: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                    print_done(
                        format,
                        &serde_json::json!({"id": id, "roles": list}),
                        &format!("staff member {id} added ({})", list.join(", ")),
                    );
                }
                StaffCmd::List => {
                    let rows = engine.list_staff().await?;
                    print_listing(
                        format,
                        Listing {
                            headers: &["id", "name", "email", "roles"],
                            rows: rows
                                .iter()
                                .map(|r| vec![r.id.clone(), r.name.clone(), r.email.clone(), r.roles.clone()])
                                .collect(),
                            records: &rows,
                        },
                    );
                }
            }
        }
        Command::Window(cmd) => {
            let engine = engine(&cli).await?;
            match cmd {
                WindowCmd::Create {
                    standard,
                    opens,
                    closes,
                    tz,
                    capacity,
                } => {
                    let opens = avala::parse_instant(opens, tz)?;
                    let closes = avala::parse_instant(closes, tz)?;
                    let id = engine
                        .create_window(actor, standard, opens, closes, Some(tz), *capacity)
                        .await?;
                    print_done(
                        format,
                        &serde_json::json!({"id": id, "state": "scheduled"}),
                        &format!("window {id} created (scheduled); open it with `avala window open {id}`"),
                    );
                }
                WindowCmd::Open { id } | WindowCmd::Close { id } | WindowCmd::Cancel { id } => {
                    let event = match cmd {
                        WindowCmd::Open { .. } => WindowEvent::Open,
                        WindowCmd::Close { .. } => WindowEvent::Close,
                        _ => WindowEvent::Cancel,
                    };
                    let state = engine.transition_window(actor, *id, event).await?;
                    print_done(
                        format,
                        &serde_json::json!({"id": id, "state": state.as_str()}),
                        &format!("window {id} is now {}", state.as_str()),
                    );
                }
                WindowCmd::List => {
                    let rows = engine.list_windows().await?;
                    print_listing(format, window_listing(&rows));
                }
                WindowCmd::Show { id } => {
                    let w = engine.show_window(*id).await?;
                    let local = |at: &chrono::DateTime<chrono::Utc>| avala::clock::local_text(*at, &w.tz);
                    let lines = [
                        ("window", w.id.to_string()),
                        ("standard", w.standard_code.clone()),
                        ("state", w.state.clone()),
                        ("opens", local(&w.opens_at)),
                        ("closes", local(&w.closes_at)),
                        ("time zone", w.tz.clone()),
                        ("capacity", opt(&w.capacity)),
                        ("enrolled", w.enrolled.to_string()),
                    ];
                    print_record(format, &w, &lines);
                }
            }
        }
        Command::Candidate(cmd) => {
            let engine = engine(&cli).await?;
            match cmd {
                CandidateCmd::Register {
                    window,
                    curp,
                    passport,
                    name,
                    email,
                    institution,
                    position,
                    public_registry,
                } => {
                    let identity = match (curp, passport) {
                        (Some(c), _) => Identity::Curp(Curp::parse(c)?),
                        (None, Some(p)) => Identity::passport(p)?,
                        (None, None) => {
                            return Err(Error::Invalid(
                                "give --curp, or --passport for a foreign candidate".into(),
                            ));
                        }
                    };
                    let candidate = NewCandidate {
                        identity,
                        name: name.clone(),
                        email: avala::identity::email(email)?,
                        institution: institution.clone(),
                        position: position.clone(),
                        public_registry: *public_registry,
                    };
                    let id = engine.register(actor, *window, candidate).await?;
                    print_done(
                        format,
                        &serde_json::json!({"enrollment": id, "window": window, "state": "registered"}),
                        &format!("enrollment {id} registered in window {window}"),
                    );
                }
                CandidateCmd::Import { window, file, dry_run } => {
                    // Read as it is imported: a file of any size is held a round of rows at a time.
                    let input = std::fs::File::open(file).map_err(|e| Error::io(file, e))?;
                    let out = engine.import_candidates_from(actor, *window, input, *dry_run).await?;
                    let decoded = if out.encoding == avala::import::Encoding::Windows1252 {
                        format!(
                            "note: {} is not UTF-8; it was read as Windows-1252 (as Excel saves it)\n",
                            file.display()
                        )
                    } else {
                        String::new()
                    };
                    let message = if out.dry_run {
                        format!(
                            "{decoded}dry run: all {} rows are valid and would be registered in window {window} ({} new institutions); nothing was written",
                            out.registered, out.new_institutions
                        )
                    } else {
                        format!(
                            "{decoded}{} candidates registered in window {window} ({} new institutions)",
                            out.registered, out.new_institutions
                        )
                    };
                    print_done(format, &out, &message);
                }
            }
        }
        Command::Diagnostic(DiagnosticCmd::Record { enrollment, score }) => {
            let engine = engine(&cli).await?;
            let out = engine.record_diagnostic(actor, *enrollment, *score).await?;
            let advice = if out.training_recommended {
                format!(
                    "below the threshold of {}: training is recommended before the evaluation",
                    out.threshold
                )
            } else {
                format!("at or above the threshold of {}", out.threshold)
            };
            print_done(
                format,
                &out,
                &format!("enrollment {enrollment}: diagnostic {score}/100 recorded, {advice}"),
            );
        }
        Command::Evaluation(cmd) => {
            let engine = engine(&cli).await?;
            match cmd {
                EvaluationCmd::Plan {
                    enrollment,
                    evaluator,
                    at,
                    tz,
                } => {
                    let at = avala::parse_instant(at, tz)?;
                    engine.plan_evaluation(actor, *enrollment, evaluator, at).await?;
                    print_done(
                        format,
                        &serde_json::json!({"enrollment": enrollment, "evaluator": evaluator, "at": at, "state": "evaluation_planned"}),
                        &format!(
                            "enrollment {enrollment}: evaluation planned with {evaluator} on {}",
                            avala::clock::local_text(at, tz)
                        ),
                    );
                }
                EvaluationCmd::Submit { enrollment, file } => {
                    let judgements = avala::import::judgements(&read_file(file)?)
                        .map_err(|problems| Error::InstrumentRejected { problems })?;
                    let out = engine.record_evaluation(actor, *enrollment, &judgements).await?;
                    print_verdict(format, &out);
                }
                EvaluationCmd::Record {
                    enrollment,
                    element,
                    competent,
                    evidence,
                    feedback,
                    ..
                } => {
                    engine
                        .record_judgement(
                            actor,
                            *enrollment,
                            element,
                            *competent,
                            evidence.as_deref(),
                            feedback.as_deref(),
                        )
                        .await?;
                    let judged = if *competent { "competent" } else { "not yet competent" };
                    print_done(
                        format,
                        &serde_json::json!({"enrollment": enrollment, "element": element.to_uppercase(), "competent": competent}),
                        &format!(
                            "enrollment {enrollment}: element {} judged {judged}",
                            element.to_uppercase()
                        ),
                    );
                }
            }
        }
        Command::Verdict(VerdictCmd::Record { enrollment }) => {
            let engine = engine(&cli).await?;
            let out = engine.record_verdict(actor, *enrollment).await?;
            print_verdict(format, &out);
        }
        Command::Dictamen(DictamenCmd::Issue {
            window,
            enrollments,
            procede,
            ..
        }) => {
            let engine = engine(&cli).await?;
            let out = engine.issue_dictamen(actor, *window, enrollments, *procede).await?;
            let message = if out.procede {
                format!(
                    "dictamen lote {}: procede for {} enrollment(s); {} certificate(s) issued ({} … {}); `avala-runner --once` renders and e-mails them",
                    out.id,
                    out.enrollments.len(),
                    out.folios.len(),
                    out.folios.first().map(String::as_str).unwrap_or("—"),
                    out.folios.last().map(String::as_str).unwrap_or("—")
                )
            } else {
                format!(
                    "dictamen lote {}: no procede for {} enrollment(s)",
                    out.id,
                    out.enrollments.len()
                )
            };
            print_done(format, &out, &message);
        }
        Command::Enrollment(cmd) => {
            let engine = engine(&cli).await?;
            match cmd {
                EnrollmentCmd::Show { id } => {
                    let d = engine.show_enrollment(actor, *id).await?;
                    let mut lines = vec![
                        ("enrollment", d.id.to_string()),
                        ("window", d.window_id.to_string()),
                        ("state", d.state.clone()),
                        ("name", d.name.clone()),
                        (
                            if d.identity_kind == "curp" { "CURP" } else { "passport" },
                            d.identity.clone(),
                        ),
                        ("e-mail", d.email.clone()),
                        ("institution", d.institution.clone()),
                        ("position", opt(&d.position)),
                        ("public registry", if d.public_registry { "yes" } else { "no" }.into()),
                        ("registered", ts(&d.registered_at)),
                        ("diagnostic", opt(&d.diagnostic_score)),
                        ("evaluator", opt(&d.evaluator_id)),
                        (
                            "evaluation",
                            d.evaluation_at.as_ref().map(ts).unwrap_or_else(|| "—".into()),
                        ),
                        ("standard version", opt(&d.standard_version)),
                        ("verdict", opt(&d.verdict)),
                        ("dictamen lote", opt(&d.dictamen_batch_id)),
                        ("withdrawn", opt(&d.withdrawn_reason)),
                        (
                            "certificates",
                            if d.folios.is_empty() {
                                "—".into()
                            } else {
                                d.folios.join(", ")
                            },
                        ),
                    ];
                    for j in &d.judgements {
                        lines.push((
                            "judgement",
                            format!(
                                "{} {} by {}{}",
                                j.element_code,
                                if j.competent { "competent" } else { "not yet competent" },
                                j.evaluator_id,
                                j.feedback.as_ref().map(|f| format!(" — {f}")).unwrap_or_default()
                            ),
                        ));
                    }
                    print_record(format, &d, &lines);
                }
                EnrollmentCmd::List { window, state } => {
                    let state = state
                        .as_deref()
                        .map(EnrollmentState::parse)
                        .transpose()
                        .map_err(|e| Error::Invalid(e.to_string()))?;
                    // Read and printed a page at a time: a listing of any length in little memory.
                    let mut out = Pages::new(
                        format,
                        &[
                            "id",
                            "window",
                            "state",
                            "name",
                            "institution",
                            "evaluator",
                            "diagnostic",
                            "verdict",
                        ],
                    );
                    let mut cursor = Cursor::default();
                    while let Some(rows) =
                        cursor.next(engine.enrollments_page(*window, state, cursor.after(), PAGE).await?)
                    {
                        let cells: Vec<Vec<String>> = rows
                            .iter()
                            .map(|r| {
                                vec![
                                    r.id.to_string(),
                                    r.window_id.to_string(),
                                    r.state.clone(),
                                    r.name.clone(),
                                    r.institution.clone(),
                                    opt(&r.evaluator_id),
                                    opt(&r.diagnostic_score),
                                    opt(&r.verdict),
                                ]
                            })
                            .collect();
                        out.page(&rows, &cells);
                    }
                    out.finish();
                }
            }
        }
        Command::Withdraw(args) => {
            let engine = engine(&cli).await?;
            engine.withdraw(actor, args.enrollment, &args.reason).await?;
            print_done(
                format,
                &serde_json::json!({"enrollment": args.enrollment, "state": "withdrawn"}),
                &format!("enrollment {} withdrawn", args.enrollment),
            );
        }
        Command::Certificate(CertificateCmd::Verify {
            target,
            token,
            offline,
            public_keys,
        }) => {
            return verify(&cli, target.as_deref(), token.as_deref(), *offline, public_keys).await;
        }
        Command::Jobs(cmd) => {
            let engine = engine(&cli).await?;
            let listing = |rows: &[avala::engine::JobRow]| -> Vec<Vec<String>> {
                rows.iter()
                    .map(|j| {
                        vec![
                            j.id.to_string(),
                            j.kind.clone(),
                            j.state.clone(),
                            format!("{}/{}", j.attempts, j.max_attempts),
                            ts(&j.run_at),
                            opt(&j.lease_holder),
                            j.last_error.clone().unwrap_or_default(),
                        ]
                    })
                    .collect()
            };
            let headers: &[&str] = &["id", "kind", "state", "attempts", "due", "runner", "last error"];
            match cmd {
                JobsCmd::List { state, limit } => {
                    let rows = engine.list_jobs(state.as_deref(), *limit).await?;
                    print_listing(
                        format,
                        Listing {
                            headers,
                            rows: listing(&rows),
                            records: &rows,
                        },
                    );
                }
                JobsCmd::Show { id } => {
                    let (job, attempts) = engine.show_job(*id).await?;
                    if format.is_json() {
                        print_done(format, &serde_json::json!({"job": job, "attempts": attempts}), "");
                    } else {
                        let mut lines = vec![
                            ("job", job.id.to_string()),
                            ("kind", job.kind.clone()),
                            ("key", job.idempotency_key.clone()),
                            ("state", job.state.clone()),
                            ("attempts", format!("{} of {}", job.attempts, job.max_attempts)),
                            ("due", ts(&job.run_at)),
                            ("runner", opt(&job.lease_holder)),
                            ("last error", opt(&job.last_error)),
                        ];
                        for a in &attempts {
                            lines.push((
                                "attempt",
                                format!(
                                    "#{} {} by {} at {}: {}",
                                    a.attempt,
                                    a.outcome,
                                    a.holder,
                                    ts(&a.started_at),
                                    a.detail
                                ),
                            ));
                        }
                        print_record(format, &job, &lines);
                    }
                }
                JobsCmd::Retry { id } => {
                    let job = engine.retry_job(actor, *id).await?;
                    print_done(
                        format,
                        &job,
                        &format!("job {id} is queued again ({} attempts so far)", job.attempts),
                    );
                }
                JobsCmd::Cancel { id } => {
                    let job = engine.cancel_job(actor, *id).await?;
                    print_done(format, &job, &format!("job {id} cancelled; it will not run"));
                }
            }
        }
        Command::Keys(cmd) => {
            let engine = engine(&cli).await?;
            let config = Config::load(&Config::dir_for(&cli.db))?;
            match cmd {
                KeysCmd::Show => {}
                KeysCmd::Rotate => {
                    let new = engine.rotate_issuer_key(actor, &config).await?;
                    println!(
                        "new signing key {} in {}; earlier keys stay valid for what they signed",
                        new.key_id,
                        config.key_path().display()
                    );
                }
            }
            let current = avala::config::key_id(&config.signing_key()?.verifying_key());
            let keys = engine.issuer_keys().await?;
            print_listing(
                format,
                Listing {
                    headers: &["key id", "status", "created", "public key (Ed25519, hex)"],
                    rows: keys
                        .iter()
                        .map(|k| {
                            let status = if k.key_id == current {
                                "signing"
                            } else if k.retired_at.is_some() {
                                "retired (verifies)"
                            } else {
                                "verifies"
                            };
                            vec![k.key_id.clone(), status.into(), ts(&k.created_at), k.public_key.clone()]
                        })
                        .collect(),
                    records: &keys,
                },
            );
        }
        Command::Certificate(cmd) => {
            let engine = engine(&cli).await?;
            match cmd {
                CertificateCmd::Verify { .. } => unreachable!("handled above"),
                CertificateCmd::Revoke { folio, reason } => {
                    engine.revoke_certificate(actor, folio, reason).await?;
                    print_done(
                        format,
                        &serde_json::json!({"folio": folio, "state": "revoked", "reason": reason}),
                        &format!("certificate {folio} revoked; verifying it now answers \"revoked: {reason}\""),
                    );
                }
                CertificateCmd::Reissue { folio, name, curp } => {
                    let new = engine
                        .reissue_certificate(actor, folio, name.as_deref(), curp.as_deref())
                        .await?;
                    print_done(
                        format,
                        &serde_json::json!({"folio": new, "supersedes": folio}),
                        &format!(
                            "certificate {new} issued in place of {folio} (now superseded); `avala-runner --once` renders and e-mails it"
                        ),
                    );
                }
                CertificateCmd::Export { folio, output } => {
                    if format == Format::Csv {
                        return Err(Error::Invalid(
                            "certificate export writes Open Badges 3.0: use --format ob3".into(),
                        ));
                    }
                    let config = Config::load(&Config::dir_for(&cli.db))?;
                    let credential = engine.export_ob3(folio, &config).await?;
                    let text = serde_json::to_string_pretty(&credential).unwrap_or_default();
                    match output {
                        Some(path) => {
                            avala::config::write_atomic(path, format!("{text}\n").as_bytes(), false)?;
                            eprintln!("{folio}: Open Badges 3.0 credential written to {}", path.display());
                        }
                        None => println!("{text}"),
                    }
                }
                CertificateCmd::Expiring { within } => {
                    let rows = engine.expiring_certificates(i64::from(*within)).await?;
                    print_listing(format, certificate_listing(&rows));
                }
                CertificateCmd::List { window } => {
                    let mut out = Pages::new(format, CERTIFICATE_COLUMNS);
                    let mut cursor = Cursor::default();
                    while let Some(rows) = cursor.next(engine.certificates_page(*window, cursor.after(), PAGE).await?) {
                        let listing = certificate_listing(&rows);
                        out.page(&rows, &listing.rows);
                    }
                    out.finish();
                }
                CertificateCmd::Show { folio } => {
                    let c = engine.show_certificate(folio).await?;
                    let lines = [
                        ("folio", c.folio.clone()),
                        ("state", c.state.clone()),
                        ("holder", c.holder_name.clone()),
                        ("enrollment", c.enrollment_id.to_string()),
                        ("verification code", c.verification_code.clone()),
                        ("issued", ts(&c.issued_at)),
                        ("expires", ts(&c.expires_at)),
                        (
                            "pdf",
                            if c.rendered {
                                "rendered"
                            } else {
                                "pending (run avala-runner)"
                            }
                            .into(),
                        ),
                    ];
                    print_record(format, &c, &lines);
                }
            }
        }
        Command::Report(args) => {
            let engine = engine(&cli).await?;
            fn overdue_listing(rows: &[avala::engine::OverdueRow]) -> Listing<'_, [avala::engine::OverdueRow]> {
                Listing {
                    headers: &["enrollment", "window", "state", "deadline", "due", "days late"],
                    rows: rows
                        .iter()
                        .map(|r| {
                            vec![
                                r.enrollment.to_string(),
                                r.window.to_string(),
                                r.state.clone(),
                                r.deadline.to_string(),
                                ts(&r.due),
                                r.days_late.to_string(),
                            ]
                        })
                        .collect(),
                    records: rows,
                }
            }
            if args.by == "overdue" {
                let rows = engine.overdue(args.window).await?;
                print_listing(format, overdue_listing(&rows));
                return Ok(0);
            }
            let by = if args.by == "institution" {
                ReportBy::Institution
            } else {
                ReportBy::Stage
            };
            let rows = engine.report(args.window, by, args.open_data).await?;
            let header = if by == ReportBy::Stage { "stage" } else { "institution" };
            print_listing(
                format,
                Listing {
                    headers: &[header, "enrollments"],
                    rows: rows
                        .iter()
                        .map(|r| {
                            vec![
                                r.group.clone(),
                                r.count.map(|c| c.to_string()).unwrap_or_else(|| "<5".into()),
                            ]
                        })
                        .collect(),
                    records: &rows,
                },
            );
            if by == ReportBy::Stage && !args.open_data && format == Format::Table {
                let overdue = engine.overdue(args.window).await?;
                if overdue.is_empty() {
                    println!("\nno process is past a CONOCER deadline (rule 8)");
                } else {
                    println!("\n{} process(es) past a CONOCER deadline (rule 8):", overdue.len());
                    print_listing(format, overdue_listing(&overdue));
                }
            }
        }
        Command::Audit(AuditCmd::Verify) => {
            let engine = engine(&cli).await?;
            let report = avala::audit::verify(engine.db()).await?;
            match &report.broken {
                None => print_done(
                    format,
                    &report,
                    &format!(
                        "audit log intact: {} events in {} streams, every link verified",
                        report.events, report.streams
                    ),
                ),
                Some(b) => {
                    print_done(format, &report, "");
                    return Err(Error::Invalid(format!(
                        "audit log broken at stream {} seq {} (row {}): {}",
                        b.stream, b.seq, b.id, b.problem
                    )));
                }
            }
        }
        Command::Cohort(CohortCmd::Generate { count, seed }) => {
            let out = std::io::stdout().lock();
            avala::cohort::write_csv(*count, *seed, std::io::BufWriter::new(out))
                .map_err(|e| Error::io(std::path::Path::new("standard output"), e))?;
        }
    }
    Ok(0)
}

/// The columns of a certificate listing.
const CERTIFICATE_COLUMNS: &[&str] = &["folio", "state", "holder", "issued", "expires", "pdf"];

fn certificate_listing(rows: &[avala::engine::CertificateRow]) -> Listing<'_, [avala::engine::CertificateRow]> {
    Listing {
        headers: CERTIFICATE_COLUMNS,
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.folio.clone(),
                    r.state.clone(),
                    r.holder_name.clone(),
                    r.issued_at.format("%Y-%m-%d").to_string(),
                    r.expires_at.format("%Y-%m-%d").to_string(),
                    if r.rendered { "rendered" } else { "pending" }.into(),
                ]
            })
            .collect(),
        records: rows,
    }
}

/// `avala certificate verify`: against the database when there is one, offline otherwise.
async fn verify(
    cli: &Cli,
    target: Option<&str>,
    token: Option<&str>,
    offline: bool,
    public_keys: &[String],
) -> Result<u8> {
    use avala::certificate::signed::{Signed, extract_from_pdf};
    use avala::engine::Subject;
    let file = match target {
        Some(t) if std::path::Path::new(t).is_file() => Some(read_file(std::path::Path::new(t))?),
        Some(t) if t.to_ascii_lowercase().ends_with(".pdf") => {
            return Err(Error::io(
                t,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            ));
        }
        _ => None,
    };
    // An Open Badges credential is JSON; a certificate is a PDF.
    let (pdf, ob3) = match file {
        Some(bytes) if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => (None, Some(bytes)),
        other => (other, None),
    };
    let online = if offline {
        None
    } else {
        match engine(cli).await {
            Ok(engine) => Some(engine),
            Err(Error::DatabaseUnavailable { .. }) => None,
            Err(e) => return Err(e),
        }
    };
    let verification = match online {
        Some(engine) => {
            let subject = match (&pdf, target, token) {
                _ if ob3.is_some() => Subject::Ob3(ob3.as_deref().unwrap_or_default()),
                (Some(bytes), _, _) => Subject::Pdf(bytes),
                (None, _, Some(token)) => Subject::Token(token),
                (None, Some(folio), None) => Subject::Folio(folio),
                (None, None, None) => return Err(Error::Invalid("give a PDF file, a folio or --token".into())),
            };
            engine.verify_certificate(subject).await?
        }
        None => {
            let from = match (&pdf, token) {
                (Some(bytes), _) => extract_from_pdf(bytes),
                (None, Some(token)) => Signed::from_token(token),
                (None, None) if ob3.is_some() => Err(avala::certificate::signed::TokenError::Missing),
                (None, None) => {
                    return Err(Error::Invalid(
                        "without a database a folio cannot be looked up; give the PDF file or --token".into(),
                    ));
                }
            };
            let mut keys = Vec::new();
            for k in public_keys {
                let key = avala::engine::parse_public_key(k)?;
                keys.push((avala::config::key_id(&key), key));
            }
            if keys.is_empty()
                && let Ok(config) = Config::load(&Config::dir_for(&cli.db))
                && let Ok(key) = config.signing_key()
            {
                let key = key.verifying_key();
                keys.push((avala::config::key_id(&key), key));
            }
            let mut v = match &ob3 {
                Some(bytes) => avala::certificate::verify::offline_ob3(bytes, &keys, clock()?.now()),
                None => avala::certificate::verify::offline(from, &keys, clock()?.now()),
            };
            if keys.is_empty() {
                v.not_checked
                    .push("the signature: no issuer public key given (--public-key)".into());
            }
            v
        }
    };
    let code = verification.outcome.exit_code() as u8;
    if cli.format.is_json() {
        println!("{}", serde_json::to_string_pretty(&verification).unwrap_or_default());
        return Ok(code);
    }
    let subject = verification
        .folio
        .clone()
        .unwrap_or_else(|| target.or(token).unwrap_or("certificate").to_string());
    println!("{subject}: {}", verification.outcome.describe());
    let mut lines: Vec<(&str, String)> = Vec::new();
    if let Some(h) = &verification.holder {
        lines.push(("holder", h.clone()));
    }
    if let Some(s) = &verification.standard {
        lines.push(("standard", s.clone()));
    }
    if let Some(i) = &verification.issued_at {
        lines.push(("issued", i.clone()));
    }
    if let Some(e) = &verification.expires_at {
        lines.push(("valid until", e.clone()));
    }
    for c in &verification.checked {
        lines.push(("checked", c.clone()));
    }
    for c in &verification.not_checked {
        lines.push(("not checked", c.clone()));
    }
    for (k, v) in lines {
        println!("  {k}:{} {v}", " ".repeat(12 - k.len()));
    }
    Ok(code)
}

fn window_listing(rows: &[avala::engine::WindowRow]) -> Listing<'_, [avala::engine::WindowRow]> {
    Listing {
        headers: &["id", "standard", "state", "opens", "closes", "capacity", "enrolled"],
        rows: rows
            .iter()
            .map(|w| {
                vec![
                    w.id.to_string(),
                    w.standard_code.clone(),
                    w.state.clone(),
                    avala::clock::local_text(w.opens_at, &w.tz),
                    avala::clock::local_text(w.closes_at, &w.tz),
                    opt(&w.capacity),
                    w.enrolled.to_string(),
                ]
            })
            .collect(),
        records: rows,
    }
}

/// Progress bars for the demo's long steps.
struct Bars {
    bar: std::sync::Mutex<Option<ProgressBar>>,
    quiet: bool,
}

impl avala::demo::Progress for Bars {
    fn start(&self, step: &str, total: u64) {
        if self.quiet {
            return;
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{msg:28} [{bar:30}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(step.to_string());
        *self.bar.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar);
    }
    fn advance(&self, n: u64) {
        if let Some(bar) = &*self.bar.lock().unwrap_or_else(|e| e.into_inner()) {
            bar.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish();
        }
    }
}

async fn demo(args: &DemoArgs, format: Format) -> Result {
    let started = Instant::now();
    let bars = Bars {
        bar: std::sync::Mutex::new(None),
        quiet: format.is_json(),
    };
    let summary = avala::demo::run(&args.dir, args.candidates, clock()?, &bars).await?;
    let elapsed = started.elapsed();
    if format.is_json() {
        print_done(format, &summary, "");
        return Ok(());
    }
    println!(
        "\navala demo: EC1057 cohort of {} candidates, end to end in {:.1} s",
        summary.candidates,
        elapsed.as_secs_f64()
    );
    println!("\n  enrollments by final state");
    for (state, count) in &summary.states {
        println!("    {state:<24} {count:>6}");
    }
    println!("\n  dictamen lotes issued        {:>6}", summary.batches);
    println!(
        "  certificates rendered        {:>6}   {}",
        summary.runner.rendered,
        summary.certificates_dir.display()
    );
    println!(
        "  certificate e-mails          {:>6}   {}",
        summary.runner.delivered,
        summary.outbox_dir.display()
    );
    println!(
        "  notices e-mailed             {:>6}   (registration, diagnostic, verdict, dictamen)",
        summary.runner.notices
    );
    if summary.runner.dead + summary.runner.retried > 0 {
        println!(
            "  jobs failed                  {:>6}",
            summary.runner.dead + summary.runner.retried
        );
    }
    println!("\n  database {}", summary.database.display());
    let db = summary.database.display();
    println!("\n  look around:");
    println!("    avala --db {db} enrollment list");
    println!("    avala --db {db} certificate list");
    println!("    avala --db {db} report");
    Ok(())
}
