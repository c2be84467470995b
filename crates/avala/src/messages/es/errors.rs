//! Errors, in Spanish.

use super::Es;
use crate::clock::local_text;
use crate::error::{
    DbProblem, Error, Finding, ForgeProblem, InstantProblem, IoProblem, LinkProblem, NotTaking, ProofProblem,
    Unprovable,
};
use crate::messages::Catalogue;

pub(super) fn error(c: &Es, e: &Error) -> String {
    match e {
        Error::Standard(s) => {
            let mut text = format!(
                "{} no es un estándar válido ({}):",
                s.file,
                count(s.problems.len(), "problema", "problemas")
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
            "{} está en «{}»; el paso «{}» no se permite desde ahí (regla 1)",
            c.machine(t.machine),
            c.state(t.machine, t.state),
            c.event(t.event)
        ),
        Error::Identity(i) => c.identity(i),
        Error::ImportUnreadable { path, detail } => {
            format!("no se puede leer {}: {detail}", path.display())
        }
        Error::ImportRejected { problems } | Error::InstrumentRejected { problems } => {
            let what = if matches!(e, Error::ImportRejected { .. }) {
                "no se importó nada"
            } else {
                "no se registró nada"
            };
            let mut text = format!(
                "{} en el archivo; {what}:",
                count(problems.len(), "problema", "problemas")
            );
            for p in problems {
                text.push_str("\n  ");
                text.push_str(&c.at_line(p.line, p.column.as_deref(), &c.problem(&p.problem)));
            }
            text
        }
        Error::NotFound { what, id } => format!("no existe {} {id}", c.record(*what)),
        Error::Conflict { what, id } => format!(
            "alguien más cambió {} {id} al mismo tiempo; no se escribió nada: vuelva a intentarlo",
            c.record(*what)
        ),
        Error::NoActor { action } => format!(
            "para {} hace falta una persona del personal que actúe; el público solo puede verificar \
             certificados, consultar el registro público y los datos abiertos",
            c.action(*action)
        ),
        Error::UnknownActor { id } => format!("no hay nadie del personal con el identificador {id}"),
        Error::Forbidden { actor, roles, action } => {
            if roles.is_empty() {
                format!(
                    "{actor} no puede {}: solo el ejecutor de tareas lo hace",
                    c.action(*action)
                )
            } else {
                let roles: Vec<&str> = roles.iter().map(|r| c.role(*r)).collect();
                format!(
                    "{actor} no puede {}: hace falta el rol de {}",
                    c.action(*action),
                    roles.join(" o ")
                )
            }
        }
        Error::UnknownLink => "el enlace personal no es válido o ya no está vigente".into(),
        Error::EvaluatorOnDictamen { enrollment, verifier } => format!(
            "inscripción {enrollment}: {verifier} evaluó este proceso y no puede emitir su dictamen \
             (regla 3, Reglas Generales art. 50)"
        ),
        Error::NotAssigned {
            enrollment,
            assigned,
            actor,
        } => {
            if assigned.is_empty() {
                format!("la inscripción {enrollment} no está asignada a {actor} (regla 4)")
            } else {
                format!("la inscripción {enrollment} está asignada a {assigned}, no a {actor} (regla 4)")
            }
        }
        Error::NoEvaluatorYet { enrollment } => {
            format!("la inscripción {enrollment} aún no tiene evaluador(a): primero hay que planear la evaluación")
        }
        Error::WindowNotTaking { window, why } => match why {
            NotTaking::State { state } => format!(
                "la convocatoria {window} no recibe registros: está {}",
                c.state("window", state_name(*state))
            ),
            NotTaking::Outside { opens, closes, now, tz } => format!(
                "la convocatoria {window} no recibe registros: el registro va del {} al {} y ahora es {}",
                local_text(*opens, tz),
                local_text(*closes, tz),
                local_text(*now, tz)
            ),
        },
        Error::WindowFull { window, capacity } => {
            format!("la convocatoria {window} está llena ({capacity} lugares ocupados)")
        }
        Error::AlreadyEnrolled {
            identity,
            window,
            enrollment,
        } => format!("{identity} ya está inscrito(a) en la convocatoria {window} (inscripción {enrollment})"),
        Error::UnknownElement {
            element,
            standard,
            version,
            known,
        } => format!(
            "el elemento {element} no forma parte de {standard} versión {version}; sus elementos son {}",
            c.list(known)
        ),
        Error::ElementTwice { enrollment, element } => {
            format!("inscripción {enrollment}: el elemento {element} se juzga dos veces; dé cada elemento una sola vez")
        }
        Error::JudgementsMissing {
            enrollment,
            standard,
            elements,
        } => format!(
            "inscripción {enrollment}: {} de {standard} aún no tiene(n) juicio",
            if elements.len() == 1 {
                format!("el elemento {}", elements[0])
            } else {
                format!("los elementos {}", c.list(elements))
            }
        ),
        Error::ScoreOutOfRange { score } => {
            format!("la calificación debe estar entre 0 y 100, no {score}")
        }
        Error::Text { field, problem } => format!("{} {}", c.field(*field), super::problems::text(problem)),
        Error::Missing { field } => format!("falta {}", c.field(*field)),
        Error::UnknownValue { field, value, known } => {
            format!(
                "{value:?} no es {} válido; use {}",
                c.field(*field),
                crate::messages::typed(known, "o")
            )
        }
        Error::UnknownTimeZone { value } => {
            format!("zona horaria desconocida {value:?}; use un nombre IANA como America/Mexico_City")
        }
        Error::BadInstant { text, problem } => format!(
            "{text:?} no es una fecha y hora ({}); escriba 2026-11-23T09:00:00-06:00, 2026-11-23 09:00 o 2026-11-23",
            match problem {
                InstantProblem::Format => "formato no reconocido",
                InstantProblem::UnknownZone => "zona horaria desconocida",
                InstantProblem::Nonexistent => "esa hora no existe en la zona horaria",
            }
        ),
        Error::EvaluationBeforeWindow {
            enrollment,
            window,
            at,
            opens,
            tz,
        } => format!(
            "la evaluación de la inscripción {enrollment} sería el {}, antes de que abra la convocatoria {window} (abre el {}); planéela a partir de esa fecha",
            local_text(*at, tz),
            local_text(*opens, tz)
        ),
        Error::WindowEndsBeforeStart { opens, closes } => format!(
            "la convocatoria cierra ({}) antes de abrir ({})",
            closes.format("%Y-%m-%d %H:%M UTC"),
            opens.format("%Y-%m-%d %H:%M UTC")
        ),
        Error::CapacityTooSmall { capacity } => {
            format!("el cupo debe ser de al menos 1, no {capacity}")
        }
        Error::UnknownRole { value } => format!("rol desconocido {value:?}; los roles son admin, evaluator y verifier"),
        Error::BadStaffId { id } => format!("el identificador {id:?} debe tener solo letras, dígitos, «.», «-» o «_»"),
        Error::NoRole => "dé al menos un rol (admin, evaluator o verifier)".into(),
        Error::FirstStaffNotAdmin => "la primera persona del personal debe ser admin".into(),
        Error::StaffExists { id } => format!("ya existe alguien del personal con el identificador {id}"),
        Error::CertificateExists { enrollment } => format!(
            "la inscripción {enrollment} ya tiene certificado (regla 7: a lo más uno por inscripción; \
             una corrección es una reposición)"
        ),
        Error::NothingForDictamen { window } => {
            format!("ninguna inscripción de la convocatoria {window} espera dictamen")
        }
        Error::EnrollmentNotInWindow {
            enrollment,
            window,
            actual,
        } => format!("la inscripción {enrollment} pertenece a la convocatoria {actual}, no a la {window}"),
        Error::CurpTaken { curp } => format!("la CURP {curp} pertenece a otra persona candidata"),
        Error::StandardVersionChanged {
            standard: code,
            version,
            stored_hash,
        } => format!(
            "{code} versión {version} ya está cargado con otro contenido (huella {}…); los procesos en curso y \
             pasados conservan ese contenido (regla 5): dé al archivo editado una nueva versión",
            &stored_hash[..stored_hash.len().min(12)]
        ),
        Error::JobNotRetryable { job, state } => format!(
            "la tarea {job} está {}; solo se reintentan tareas muertas o en cola",
            job_state(state)
        ),
        Error::JobNotCancellable { job, state } => format!(
            "la tarea {job} está {}; solo se cancelan tareas en cola, o en curso cuyo plazo de reserva venció{}",
            job_state(state),
            if state == "running" {
                " (un ejecutor la tiene ahora; cuando venza su plazo se podrá cancelar)"
            } else {
                ""
            }
        ),
        Error::NotAPublicKey { value } => {
            format!("{value:?} no es una llave pública Ed25519 (64 dígitos hexadecimales)")
        }
        Error::NoConfig { path } => format!(
            "{} no existe: falta inicializar la instalación (configuración y llave de firma)",
            path.display()
        ),
        Error::ConfigInvalid { path, detail } => {
            format!("la configuración {} no es válida: {detail}", path.display())
        }
        Error::BadKeyFile { path } => format!(
            "{} no es una llave de firma de avala (64 dígitos hexadecimales)",
            path.display()
        ),
        Error::ConfigText { path, key, problem } => {
            format!("{}: `{key}` {}", path.display(), super::problems::text(problem))
        }
        Error::FileTooLarge { path, size, max } => format!(
            "{} ocupa {}; un archivo de su tipo admite como máximo {}, así que no se leyó",
            path.display(),
            crate::messages::bytes(*size),
            crate::messages::bytes(*max)
        ),
        Error::KeyFileNotPrivate { path, mode } => format!(
            "la llave de firma {} pueden leerla otras personas (permisos {mode:04o}); una llave de firma \
             debe ser privada de su dueño: chmod 600 {}",
            path.display(),
            path.display()
        ),
        Error::KeyNotPinned { path, found, expected } => match expected {
            Some(expected) => format!(
                "{} contiene la llave {found}, pero la llave de firma registrada en la base de datos es \
                 {expected}: una llave cambiada a espaldas de avala no se usa (restituya la llave {expected}, \
                 o cambie la llave a propósito rotándola)",
                path.display()
            ),
            None => format!(
                "{} contiene la llave {found}, que no es la llave de firma vigente registrada en la base de \
                 datos (fue retirada o nunca se registró): una llave cambiada a espaldas de avala no se usa",
                path.display()
            ),
        },
        Error::BadLogo { path, detail } => format!("{}: no es una imagen PNG o JPEG ({detail})", path.display()),
        Error::DemoTooSmall => "la demostración necesita al menos 1 persona candidata".into(),
        Error::DemoExists { dir } => format!(
            "{} ya contiene una demostración; elija otra carpeta o bórrela",
            dir.display()
        ),
        Error::DemoDatabaseInUse { database, events } => format!(
            "la base de datos {database} ya tiene registros ({events} eventos de auditoría); la demostración necesita una base de datos nueva y vacía, para no mezclar sus personas inventadas con las reales"
        ),
        Error::NotUtf8 { path } => format!("{} no es texto UTF-8", path.display()),
        Error::NotAToken { text } => format!(
            "«{text}» no es el texto del código QR de un certificado (que empieza con {})",
            crate::certificate::signed::TOKEN_PREFIX
        ),
        Error::OfflineNeedsDocument => {
            "sin los registros del emisor no se puede buscar un folio o código; dé el PDF o el token".into()
        }
        Error::AuditFindings { count } => format!(
            "la bitácora no resiste la revisión: {count} {}",
            if *count == 1 { "hallazgo" } else { "hallazgos" }
        ),
        Error::CheckpointForged { checkpoint, problem } => {
            format!(
                "se rechaza el punto de control {checkpoint} por falsificado: {}",
                forged(problem)
            )
        }
        Error::CheckpointStale { checkpoint } => format!(
            "la bitácora ya no coincide con el punto de control #{checkpoint}: se cambió algo que cubría; verifique la bitácora"
        ),
        Error::ProofFails { problem } => format!("la prueba no se sostiene: {}", proof_problem(problem)),
        Error::NotProvable { stream, seq, why } => format!(
            "no se puede probar el evento {seq} del flujo {stream}: {}",
            match why {
                Unprovable::NoSuchEvent => "no existe ese evento".to_string(),
                Unprovable::AfterCheckpoint { length: 0 } => {
                    "el punto de control no cubre ese flujo; tome un punto de control nuevo".into()
                }
                Unprovable::AfterCheckpoint { length } => format!(
                    "el punto de control cubre ese flujo solo hasta el evento {length}; tome un punto de control nuevo"
                ),
                Unprovable::Version1 { seq } => format!(
                    "el evento {seq} del flujo se registró antes de encadenar los eventos por su huella, así que una prueba mostraría su contenido; la cadena y los puntos de control siguen respondiendo por él"
                ),
                Unprovable::LogChanged { checkpoint } => {
                    format!("la bitácora ya no coincide con el punto de control #{checkpoint}; verifique la bitácora")
                }
                Unprovable::NoCheckpoint => "todavía no se ha tomado ningún punto de control".into(),
            }
        ),
        Error::DatabaseUrl { url, detail } => format!("URL de base de datos {url}: {detail}"),
        Error::DatabaseUnavailable { url, problem } => {
            format!("no se puede abrir la base de datos {url}: {}", db(problem))
        }
        Error::Migrate { detail } => format!("no se puede migrar la base de datos: {detail}"),
        Error::Database { problem } => format!("error de la base de datos: {}", db(problem)),
        Error::Io { path, problem } => format!(
            "{}: {}",
            path.display(),
            match problem {
                IoProblem::NotFound => "no existe".to_string(),
                IoProblem::PermissionDenied => "permiso denegado".to_string(),
                IoProblem::Other { detail } => format!("error del sistema: {detail}"),
            }
        ),
        Error::Certificate { detail } => format!("certificado: {detail}"),
        Error::Mail { detail } => format!("correo: {detail}"),
        Error::BadJob { job, detail } => format!("la tarea {job} no se puede leer: {detail}"),
        Error::ReadModelDiffers { differences } => format!(
            "las tablas difieren de lo que registra la bitácora en {differences} punto(s), listados arriba: \
             se cambiaron fuera de avala"
        ),
    }
}

/// Por qué se rechaza un punto de control.
pub(super) fn forged(problem: &ForgeProblem) -> String {
    match problem {
        ForgeProblem::Format { detail } => format!("no es un archivo de punto de control que avala lea ({detail})"),
        ForgeProblem::KeyId => "su llave pública no es la que nombra su identificador de llave".into(),
        ForgeProblem::Signature => "su firma no se sostiene: se cambió después de firmarse".into(),
        ForgeProblem::Root => "sus flujos no dan la raíz firmada: se cambió un flujo después de firmarse".into(),
        ForgeProblem::UnknownKey { key_id } => {
            format!("está firmado con la llave {key_id}, que no está en el juego de llaves del emisor")
        }
    }
}

fn proof_problem(problem: &ProofProblem) -> String {
    match problem {
        ProofProblem::Format { detail } => format!("no es una prueba que avala lea ({detail})"),
        ProofProblem::Version { v } => {
            format!("el evento es de la versión {v} de la cadena, que las pruebas no cubren")
        }
        ProofProblem::Leaf => "su hoja no es el flujo del evento con la longitud que afirma".into(),
        ProofProblem::Event => "el evento no lleva a la cabeza de su flujo: el evento se cambió".into(),
        ProofProblem::Path => "su ruta de Merkle no lleva a la raíz firmada".into(),
        ProofProblem::Signature => "la firma del punto de control no se sostiene".into(),
        ProofProblem::KeyId => "su llave pública no es la que nombra su identificador de llave".into(),
        ProofProblem::UnknownKey { key_id } => format!("está firmado con la llave {key_id}, no con la del emisor"),
    }
}

fn db(problem: &DbProblem) -> String {
    match problem {
        DbProblem::DiskFull { db_code } => format!(
            "el disco de la base de datos está lleno (código {db_code}); no se cambió nada: libere espacio y vuelva a intentarlo"
        ),
        DbProblem::ReadOnly { db_code } => format!(
            "el archivo de la base de datos es de solo lectura (código {db_code}); no se cambió nada: revise los \
             permisos del archivo y de su carpeta"
        ),
        DbProblem::Io { db_code } => format!(
            "no se pudo leer o escribir el archivo de la base de datos (error de E/S, código {db_code}): ¿el disco \
             está lleno o el archivo es de solo lectura? No se cambió nada"
        ),
        DbProblem::NoSuchFile => "el archivo no existe".into(),
        DbProblem::Timeout => "se agotó la espera de una conexión".into(),
        DbProblem::Other { detail } => detail.clone(),
    }
}

fn job_state(state: &str) -> &str {
    match state {
        "queued" => "en cola",
        "running" => "en curso (un ejecutor la tiene)",
        "done" => "terminada",
        "dead" => "muerta",
        other => other,
    }
}

fn state_name(state: crate::machine::WindowState) -> &'static str {
    use crate::machine::Lifecycle;
    state.as_str()
}

/// "1 problema", "3 problemas".
pub(super) fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Un hallazgo de `audit verify`.
pub(super) fn finding(f: &Finding) -> String {
    match f {
        Finding::Link {
            stream,
            seq,
            row,
            problem,
        } => format!("flujo {stream}, evento {seq} (fila {row}): {}", link(problem)),
        Finding::StreamMissing {
            checkpoint,
            stream,
            length,
        } => format!("el flujo {stream} ya no existe; el punto de control {checkpoint} lo vio con {length} eventos"),
        Finding::StreamShortened {
            checkpoint,
            stream,
            length,
            now,
        } => format!(
            "el flujo {stream} tiene {now} eventos; el punto de control {checkpoint} vio {length}: se borraron los eventos {} a {length}",
            now + 1
        ),
        Finding::HeadChanged {
            checkpoint,
            stream,
            seq,
        } => format!(
            "flujo {stream}, evento {seq}: su huella no es la que vio el punto de control {checkpoint}; el flujo se reescribió hasta ahí"
        ),
        Finding::StreamAdded { checkpoint, stream } => format!(
            "el flujo {stream} tiene eventos anteriores al punto de control {checkpoint}, que no lo tiene: se agregó después"
        ),
        Finding::RootChanged { checkpoint } => format!(
            "la bitácora hasta el punto de control {checkpoint} ya no da su raíz firmada: se cambió algo que cubría"
        ),
        Finding::Forged { checkpoint, problem } => {
            format!("el punto de control {checkpoint} es falso: {}", forged(problem))
        }
    }
}

fn link(problem: &LinkProblem) -> String {
    match problem {
        LinkProblem::Gap { expected } => format!("se esperaba la secuencia {expected} (falta un evento)"),
        LinkProblem::PreviousHash => "su huella anterior no coincide con el evento previo".to_string(),
        LinkProblem::Altered => "su contenido no coincide con su huella (el evento fue alterado)".to_string(),
    }
}
