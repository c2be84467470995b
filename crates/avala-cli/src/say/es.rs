//! The command line's own words, in Spanish.

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
            "la base de datos {database} está lista\nconfiguración {config}\nllave de firma {key_file} ({}; id de llave {key_id})\n\
             siguiente: agregue a la primera persona administradora con `avala staff add ID --name N --email E --role admin`",
            if *created { "creada, modo 0600" } else { "conservada" }
        ),
        Say::StandardLoaded {
            code,
            version,
            new,
            elements,
            hash,
        } => format!(
            "{code} versión {version} {}: {elements} elementos, huella del contenido {hash}",
            if *new {
                "cargado"
            } else {
                "ya estaba cargado (mismo contenido)"
            }
        ),
        Say::StaffAdded { id, roles } => format!("se agregó a {id} al personal ({})", roles_in(avala::Lang::Es, roles)),
        Say::WindowCreated { id } => {
            format!("convocatoria {id} creada (programada); ábrala con `avala window open {id}`")
        }
        Say::WindowNow { id, state } => format!("la convocatoria {id} ahora está {state}"),
        Say::Registered { enrollment, window } => {
            format!("inscripción {enrollment} registrada en la convocatoria {window}")
        }
        Say::Windows1252 { file } => {
            format!("nota: {file} no es UTF-8; se leyó como Windows-1252 (como lo guarda Excel)")
        }
        Say::Imported {
            rows,
            window,
            institutions,
            dry_run,
        } => {
            if *dry_run {
                format!(
                    "simulación: las {rows} filas son válidas y se registrarían en la convocatoria {window} \
                     ({institutions} instituciones nuevas); no se escribió nada"
                )
            } else {
                format!(
                    "{rows} candidatos registrados en la convocatoria {window} ({institutions} instituciones nuevas)"
                )
            }
        }
        Say::LinkIssued { enrollment, token } => format!(
            "enlace personal de la inscripción {enrollment}: {token}\n(se guarda solo su huella: no se puede volver a consultar)"
        ),
        Say::Diagnosed {
            enrollment,
            score,
            threshold,
            below,
        } => {
            if *below {
                format!(
                    "inscripción {enrollment}: diagnóstico {score}/100 registrado, por debajo del umbral de {threshold}: \
                     se recomienda capacitación antes de la evaluación"
                )
            } else {
                format!(
                    "inscripción {enrollment}: diagnóstico {score}/100 registrado, en o por encima del umbral de {threshold}"
                )
            }
        }
        Say::Planned {
            enrollment,
            evaluator,
            at,
        } => format!("inscripción {enrollment}: evaluación planeada con {evaluator} el {at}"),
        Say::Judged {
            enrollment,
            element,
            competent,
        } => format!(
            "inscripción {enrollment}: elemento {element} juzgado {}",
            if *competent {
                "competente"
            } else {
                "todavía no competente"
            }
        ),
        Say::Verdict {
            enrollment,
            competent,
            not_yet,
        } => {
            if *competent {
                format!("inscripción {enrollment}: juicio competente; enviada a dictamen")
            } else {
                format!(
                    "inscripción {enrollment}: juicio todavía no competente (elementos {not_yet}); la persona podrá \
                     inscribirse de nuevo en una convocatoria posterior"
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
                    "lote de dictamen {lote}: procede para {enrollments} inscripción(es); {certificates} certificado(s) \
                     emitido(s) ({first} … {last}); `avala-runner --once` los genera y envía por correo"
                )
            } else {
                format!("lote de dictamen {lote}: no procede para {enrollments} inscripción(es)")
            }
        }
        Say::Withdrawn { enrollment } => format!("inscripción {enrollment} retirada"),
        Say::DeadJobsRetried { count } => {
            format!("{count} tarea(s) muerta(s) de nuevo en cola, cada una con 8 intentos más")
        }
        Say::JobRetried { job, attempts } => {
            format!("la tarea {job} está en cola de nuevo ({attempts} intentos hasta ahora)")
        }
        Say::JobCancelled { job } => format!("tarea {job} cancelada; no se ejecutará"),
        Say::KeyRotated { key_id, file } => {
            format!("nueva llave de firma {key_id} en {file}; las llaves anteriores siguen verificando lo que firmaron")
        }
        Say::KeySound { key_id, file, keys } => format!(
            "la llave de firma {key_id} en {file} es privada de su dueño y es la llave vigente registrada \
             en la base de datos; {keys} llave(s) verifican los certificados"
        ),
        Say::Revoked { folio, reason } => {
            format!("certificado {folio} revocado; al verificarlo ahora se responde \"revocado: {reason}\"")
        }
        Say::Reissued { new, old } => format!(
            "certificado {new} emitido en lugar de {old} (ahora repuesto); `avala-runner --once` lo genera y envía por correo"
        ),
        Say::Exported { folio, file } => format!("{folio}: credencial Open Badges 3.0 escrita en {file}"),
        Say::NothingOverdue => "ningún proceso ha rebasado un plazo del CONOCER (regla 8)".into(),
        Say::Overdue { count } => {
            format!("{count} proceso(s) han rebasado un plazo del CONOCER (regla 8):")
        }
        Say::AuditIntact { events, streams } => {
            format!("bitácora íntegra: {events} eventos en {streams} flujos, cada eslabón verificado")
        }
        Say::AuditMatches { checkpoints } => format!(
            "y coincide con {} {}: cada flujo que cubren sigue ahí, igual de largo y con la misma huella",
            if checkpoints.len() == 1 {
                "el punto de control"
            } else {
                "los puntos de control"
            },
            super::names(checkpoints)
        ),
        Say::MoreFindings { count } => format!("… y {count} hallazgos más (vea --format json)"),
        Say::CheckpointTaken {
            id,
            streams,
            events,
            root,
            key_id,
            file,
        } => {
            let mut text = format!(
                "punto de control #{id}: {events} eventos en {streams} flujos, raíz {root}, firmado con la llave {key_id}"
            );
            if let Some(file) = file {
                text.push_str(&format!(
                    "; escrito en {} (guarde una copia fuera de la base de datos)",
                    file.display()
                ));
            }
            text
        }
        Say::ProofWritten { stream, seq, file } => {
            format!(
                "prueba del evento {seq} del flujo {stream} escrita en {}",
                file.display()
            )
        }
        Say::ProofHolds { proof } => format!(
            "la prueba se sostiene: el evento {} del flujo {} ({}, {}) está en el punto de control del {} (raíz {}), firmado con la llave del emisor {}",
            proof.seq, proof.stream, proof.kind, proof.at, proof.checkpoint_at, proof.root, proof.key_id
        ),
        Say::ReplayMatches { checked } => format!(
            "modelo de lectura reconstruido: {}, cada campo como dice la bitácora",
            checked_es(checked)
        ),
        Say::ReplayDiffers { checked, total, shown } => {
            let listed = if *shown as u64 == *total {
                String::new()
            } else {
                format!(" (se listan las primeras {shown})")
            };
            format!(
                "modelo de lectura reconstruido: {}; {total} diferencia(s) entre las tablas y la bitácora{listed}",
                checked_es(checked)
            )
        }
        Say::ReplayDifference(d) => {
            use avala::replay::Found;
            let record = format!("{} {}", kind_es(d.record), d.id);
            let none = "(ninguno)";
            match &d.found {
                Found::Differs { field, log, table } => format!(
                    "  {record}: {field}: la bitácora dice {}, la tabla dice {}",
                    log.as_deref().unwrap_or(none),
                    table.as_deref().unwrap_or(none)
                ),
                Found::NotInTable => format!("  {record}: está en la bitácora y falta en la tabla"),
                Found::NotInLog => format!("  {record}: está en la tabla y ningún flujo de la bitácora lo registra"),
            }
        }
        Say::ReplayNotCheckable(n) => format!(
            "  no comprobable (no es señal de alteración): {} de {} {}: sus eventos se escribieron antes de que avala lo registrara",
            n.field,
            n.records,
            kinds_es(n.record)
        ),
        Say::Suppressed => "<5".into(),
        Say::None => "(ninguno)".into(),
        Say::Pending => "pendiente (ejecute avala-runner)".into(),
        Say::RenderedPdf => "generado".into(),
        Say::Checked => "comprobado".into(),
        Say::NotChecked => "sin comprobar".into(),
        Say::DemoStep(step) => match step {
            avala::demo::Step::Import => "importando la cohorte",
            avala::demo::Step::Diagnostics => "diagnósticos",
            avala::demo::Step::Evaluations => "evaluaciones",
            avala::demo::Step::Dictamenes => "dictámenes",
            avala::demo::Step::Certificates => "certificados y correos",
        }
        .to_string(),
        Say::Demo(d) => {
            let mut text = format!(
                "\navala demo: cohorte EC1057 de {} candidatos, de principio a fin en {:.1} s\n\n  inscripciones por estado final\n",
                d.candidates, d.seconds
            );
            for (state, count) in &d.states {
                text.push_str(&format!("    {state:<28} {count:>6}\n"));
            }
            text.push_str(&format!("\n  lotes de dictamen emitidos       {:>6}\n", d.batches));
            text.push_str(&format!(
                "  certificados generados           {:>6}   {}\n",
                d.rendered, d.certificates_dir
            ));
            text.push_str(&format!(
                "  correos con certificado          {:>6}   {}\n",
                d.delivered, d.outbox_dir
            ));
            text.push_str(&format!(
                "  avisos enviados                  {:>6}   (registro, diagnóstico, juicio, dictamen)\n",
                d.notices
            ));
            if d.failed > 0 {
                text.push_str(&format!("  tareas fallidas                  {:>6}\n", d.failed));
            }
            text.push_str(&format!("\n  base de datos {}\n\n  para ver más:\n", d.database));
            for command in ["enrollment list", "certificate list", "report"] {
                text.push_str(&format!("    avala --db {} --as admin {command}\n", d.database));
            }
            text
        }
    }
}

pub(super) fn hint(h: &Hint) -> String {
    match h {
        Hint::GiveActor => "indique quién actúa: --as ID (o AVALA_ACTOR)".into(),
        Hint::SeeStaff => "`avala staff list` muestra quién tiene qué rol".into(),
        Hint::PlanEvaluation { enrollment } => {
            format!("planéela con `avala evaluation plan {enrollment} --evaluator ID --at FECHA`")
        }
        Hint::RecordJudgements { enrollment } => format!(
            "regístrelos con `avala evaluation record {enrollment} --element E#### --competent|--not-yet-competent`"
        ),
        Hint::Reissue => "para corregir un certificado use `avala certificate reissue FOLIO`".into(),
        Hint::LoadStandard => "cárguelo con `avala standard load ARCHIVO`".into(),
        Hint::NewStandardVersion => "cambie `version` en el archivo y cárguelo de nuevo".into(),
        Hint::RunInit => "ejecute `avala init` primero".into(),
        Hint::TryAgain => "vuelva a ejecutar el comando".into(),
        Hint::OtherVerifier => "otra persona verificadora debe emitirlo".into(),
        Hint::RunRunner => "ejecute `avala-runner --once`".into(),
        Hint::OtherFolder => "elija otra carpeta con --dir".into(),
        Hint::RotateKey => "para firmar con una llave nueva desde ahora, ejecute `avala --as ADMIN keys rotate`".into(),
    }
}

/// A kind of record replayed, as Spanish names it.
fn kind_es(kind: avala::replay::Kind) -> &'static str {
    use avala::replay::Kind;
    match kind {
        Kind::Enrollment => "inscripción",
        Kind::Certificate => "certificado",
        Kind::Window => "convocatoria",
        Kind::Candidate => "candidato",
    }
}

/// What a replay compared.
fn checked_es(c: &avala::replay::Checked) -> String {
    format!(
        "{} inscripción(es), {} certificado(s), {} convocatoria(s) y el consentimiento de {} candidato(s) comparados con la bitácora",
        c.enrollments, c.certificates, c.windows, c.candidates
    )
}

/// Kinds of record replayed, counted, as Spanish names them.
fn kinds_es(kind: avala::replay::Kind) -> &'static str {
    use avala::replay::Kind;
    match kind {
        Kind::Enrollment => "inscripción(es)",
        Kind::Certificate => "certificado(s)",
        Kind::Window => "convocatoria(s)",
        Kind::Candidate => "candidato(s)",
    }
}
