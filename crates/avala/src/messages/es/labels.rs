//! Names of states, roles, actions, records and fields; verification outcomes and checks; in
//! Spanish.

use crate::certificate::ob3::ProofError;
use crate::certificate::signed::TokenError;
use crate::certificate::verify::{Absent, Check, Outcome, Tamper, Unchecked};
use crate::deadlines::Deadline;
use crate::domain::{Action, Field, Record, Role};
use crate::messages::Catalogue;

pub(super) fn state(machine: &str, state: &str) -> String {
    let label = match (machine, state) {
        ("window", "scheduled") => "programada",
        ("window", "open") => "abierta",
        ("window", "closed") => "cerrada",
        ("window", "cancelled") => "cancelada",
        ("certificate", "issued") => "emitido",
        ("certificate", "delivered") => "entregado",
        ("certificate", "revoked") => "revocado",
        ("certificate", "superseded") => "repuesto",
        ("certificate", "expired") => "vencido",
        ("key", "signing") => "firma",
        ("key", "retired") => "retirada (verifica)",
        ("key", "verifies") => "verifica",
        ("job_kind", "render_certificate") => "generar certificado",
        ("job_kind", "deliver_certificate") => "enviar certificado",
        ("job_kind", "notify") => "aviso",
        ("job", "queued") => "en cola",
        ("job", "running") => "en curso",
        ("job", "done") => "terminada",
        ("job", "dead") => "muerta",
        ("attempt", "done") => "hecho",
        ("attempt", "retry") => "se reintentará",
        ("attempt", "dead") => "fallido",
        ("deadline", "verdict") => "juicio",
        ("deadline", "dictamen") => "dictamen",
        ("deadline", "delivery") => "entrega",
        (_, "competent") => "competente",
        (_, "registered") => "registrada",
        (_, "diagnosed") => "con diagnóstico",
        (_, "evaluation_planned") => "evaluación planeada",
        (_, "under_evaluation") => "en evaluación",
        (_, "judged") => "con juicio",
        (_, "not_yet_competent") => "todavía no competente",
        (_, "submitted_for_dictamen") => "en dictamen",
        (_, "dictamen_rejected") => "dictamen: no procede",
        (_, "certificate_issued") => "certificado emitido",
        (_, "delivered") => "entregada",
        (_, "withdrawn") => "retirada",
        (_, other) => return other.to_string(),
    };
    label.to_string()
}

pub(super) fn event(event: &str) -> String {
    match event {
        "open" => "abrir",
        "close" => "cerrar",
        "cancel" => "cancelar",
        "register" => "registrar",
        "diagnostic" => "diagnóstico",
        "plan" => "planear la evaluación",
        "evidence" => "registrar un juicio",
        "verdict" => "emitir el juicio",
        "competent" => "competente",
        "not yet competent" => "todavía no competente",
        "procede" => "dictamen procede",
        "no procede" => "dictamen no procede",
        "email" => "enviar por correo",
        "withdraw" => "retirar",
        "deliver" => "entregar",
        "revoke" => "revocar",
        "supersede" => "reponer",
        "expire" => "vencer",
        other => other,
    }
    .to_string()
}

pub(super) fn machine(machine: &str) -> &'static str {
    match machine {
        "window" => "la convocatoria",
        "certificate" => "el certificado",
        _ => "la inscripción",
    }
}

pub(super) fn role(role: Role) -> &'static str {
    match role {
        Role::Admin => "administración",
        Role::Evaluator => "evaluación",
        Role::Verifier => "verificación",
    }
}

pub(super) fn action(action: Action) -> &'static str {
    match action {
        Action::AddStaff => "agregar personal",
        Action::ListStaff => "consultar el personal",
        Action::LoadStandards => "cargar estándares",
        Action::ReadStandards => "consultar los estándares",
        Action::CreateWindows => "crear convocatorias",
        Action::ChangeWindows => "abrir, cerrar o cancelar convocatorias",
        Action::ReadWindows => "consultar las convocatorias",
        Action::RegisterCandidates => "registrar candidatos",
        Action::ImportCandidates => "importar candidatos",
        Action::RecordDiagnostics => "registrar diagnósticos",
        Action::PlanEvaluations => "planear evaluaciones",
        Action::Evaluate => "evaluar candidatos",
        Action::RecordJudgements => "registrar juicios por elemento",
        Action::RecordVerdicts => "emitir juicios de competencia",
        Action::IssueDictamen => "emitir dictámenes",
        Action::WithdrawEnrollments => "retirar inscripciones",
        Action::ReadEnrollments => "consultar inscripciones",
        Action::ReadCertificates => "consultar certificados",
        Action::VerifyByFolio => {
            "verificar un certificado por su folio (el público verifica con el código de verificación)"
        }
        Action::RevokeCertificates => "revocar certificados",
        Action::ReissueCertificates => "reponer certificados",
        Action::ExportCertificates => "exportar certificados",
        Action::RotateKey => "cambiar la llave del emisor",
        Action::ManageJobs => "consultar y administrar las tareas",
        Action::ReadReports => "consultar los reportes",
        Action::VerifyAudit => "revisar la bitácora",
        Action::IssueCandidateLinks => "dar enlaces personales a candidatos",
        Action::RunJobs => "ejecutar las tareas programadas",
    }
}

pub(super) fn record(record: Record) -> &'static str {
    match record {
        Record::Staff => "la persona del personal",
        Record::Standard => "el estándar",
        Record::StandardOfEnrollment => "el estándar de la inscripción",
        Record::Window => "la convocatoria",
        Record::Enrollment => "la inscripción",
        Record::Certificate => "el certificado",
        Record::DictamenBatch => "el lote de dictamen",
        Record::Job => "la tarea",
        Record::IssuerKey => "la llave del emisor",
        Record::CandidateLink => "el enlace personal",
        Record::Checkpoint => "el punto de control de la bitácora",
        Record::Unknown => "el registro",
    }
}

pub(super) fn field(field: Field) -> &'static str {
    match field {
        Field::Name => "el nombre",
        Field::Identity => "la CURP (o el pasaporte, para una persona extranjera)",
        Field::Institution => "la institución",
        Field::Position => "el cargo",
        Field::Evidence => "la evidencia",
        Field::JobKind => "el tipo de tarea",
        Field::Feedback => "la retroalimentación",
        Field::Reason => "el motivo",
        Field::State => "un estado",
        Field::JobState => "un estado de tarea",
        Field::ReportBy => "una agrupación del reporte",
        Field::Lang => "un idioma",
        Field::Target => "el certificado a verificar",
    }
}

pub(super) fn outcome(c: &dyn Catalogue, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Valid => "VÁLIDO: firmado por el emisor, sin cambios y vigente".into(),
        Outcome::Revoked { reason, at } => format!("REVOCADO el {}: {reason}", at.format("%Y-%m-%d")),
        Outcome::Superseded { by } => format!("REPUESTO por {by} (una reposición); verifique ese en su lugar"),
        Outcome::Expired { at } => format!("VENCIDO: su vigencia terminó el {at}"),
        Outcome::Tampered { why } => format!("ALTERADO: {}", tamper(c, why)),
        Outcome::UnknownIssuerKey { key_id } => {
            format!("LLAVE DESCONOCIDA: firmado con la llave {key_id}, que no es del emisor")
        }
        Outcome::NotFound { what } => format!(
            "NO ENCONTRADO: {}",
            match what {
                Absent::NoSuchCertificate { key } => format!("no hay certificado {key}"),
                Absent::NotInRecords { folio } => format!("el emisor no tiene el certificado {folio}"),
                Absent::NotACertificate => "el archivo no contiene un certificado de avala".into(),
                Absent::NotAvalaCredential => "la credencial no es un certificado de avala".into(),
            }
        ),
    }
}

fn tamper(c: &dyn Catalogue, why: &Tamper) -> String {
    match why {
        Tamper::ContentsDiffer => "su contenido difiere del certificado que registró el emisor".into(),
        Tamper::FileDiffers { hash, issued } => format!(
            "el archivo no es el emitido (su SHA-256 es {hash}; el del emitido, {})",
            issued.as_deref().unwrap_or("desconocido")
        ),
        Tamper::BadSignature => "la firma no corresponde al contenido del certificado".into(),
        Tamper::Token(e) => c.token(e),
        Tamper::Proof(e) => c.proof(e),
        Tamper::NotJson { detail } => format!("no es una credencial JSON: {detail}"),
        Tamper::BadExpiry => "la fecha de vencimiento no es una fecha".into(),
    }
}

pub(super) fn token(e: &TokenError) -> String {
    match e {
        TokenError::Missing => "el archivo no contiene la firma de un certificado de avala".into(),
        TokenError::Ambiguous => "el archivo contiene más de una firma de certificado".into(),
        TokenError::NoPrefix => "no es un token de certificado de avala (no contiene \"AV1.\")".into(),
        TokenError::NoSignature => "al token le falta la firma".into(),
        TokenError::PayloadEncoding => "el contenido del token no es base64url UTF-8".into(),
        TokenError::SignatureEncoding => "la firma del token no son 64 bytes en base64url".into(),
        TokenError::NotAPayload { detail } => {
            format!("el contenido del token no es el de un certificado: {detail}")
        }
    }
}

pub(super) fn proof(e: &ProofError) -> String {
    match e {
        ProofError::NoProof => "no es una credencial Open Badges firmada: no tiene prueba (proof)".into(),
        ProofError::WrongSuite => "la prueba no es un DataIntegrityProof con la suite eddsa-jcs-2022".into(),
        ProofError::NoMethod => "la prueba no tiene verificationMethod".into(),
        ProofError::NotAMultikey => "el verificationMethod no es una llave Ed25519 (multikey)".into(),
        ProofError::NoValue => "la prueba no tiene proofValue".into(),
        ProofError::BadValue => "el proofValue no es una firma en base58btc".into(),
        ProofError::BadSignature => "la prueba Data Integrity no corresponde a la credencial".into(),
    }
}

pub(super) fn check(check: &Check) -> String {
    match check {
        Check::Signature { key_id } => format!("firma de la llave del emisor {key_id}"),
        Check::Ob3Proof { key_id } => {
            format!("prueba Data Integrity (eddsa-jcs-2022) de la llave del emisor {key_id}")
        }
        Check::MatchesRecord => "el contenido coincide con el registro del emisor".into(),
        Check::SameFile => "el archivo es, byte por byte, el emitido (SHA-256)".into(),
        Check::Status => "revocación y reposición en los registros del emisor".into(),
        Check::ValidityPeriod => "periodo de vigencia".into(),
    }
}

pub(super) fn unchecked(unchecked: &Unchecked) -> String {
    match unchecked {
        Unchecked::NotRendered => "la firma (el certificado aún no se genera)".into(),
        Unchecked::StatusOffline => "revocación y reposición (sin los registros del emisor a la mano)".into(),
        Unchecked::FileOffline => "que el archivo sea byte por byte el emitido (sin los registros del emisor)".into(),
        Unchecked::NoKey => "la firma: no se dio la llave pública del emisor".into(),
    }
}

pub(super) fn deadline(deadline: Deadline) -> &'static str {
    match deadline {
        Deadline::Verdict => "juicio",
        Deadline::Dictamen => "dictamen",
        Deadline::Delivery => "entrega",
    }
}

pub(super) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} y {last}", rest.join(", ")),
    }
}

pub(super) fn long_date(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    const MONTHS: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    format!(
        "{} de {} de {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

pub(super) fn column(name: &str) -> String {
    match name {
        "id" => "id",
        "code" => "código",
        "version" => "versión",
        "level" => "nivel",
        "validity_years" => "vigencia",
        "diagnostic_threshold" => "umbral",
        "title" => "título",
        "content_hash" => "huella",
        "name" => "nombre",
        "email" => "correo",
        "roles" => "roles",
        "standard" | "standard_code" => "estándar",
        "state" => "estado",
        "opens_at" => "abre",
        "closes_at" => "cierra",
        "tz" => "zona horaria",
        "capacity" => "cupo",
        "enrolled" => "inscritos",
        "window" | "window_id" => "convocatoria",
        "institution" => "institución",
        "evaluator" | "evaluator_id" => "evaluador(a)",
        "diagnostic" | "diagnostic_score" => "diagnóstico",
        "verdict" => "juicio",
        "folio" => "folio",
        "holder" | "holder_name" => "titular",
        "issued" | "issued_at" => "emitido",
        "expires" | "expires_at" => "vence",
        "pdf" | "rendered" => "pdf",
        "kind" => "tipo",
        "attempts" => "intentos",
        "due" | "run_at" => "programada",
        "runner" | "lease_holder" => "ejecutor",
        "lease_expires_at" => "reservada hasta",
        "last_error" => "último error",
        "key" | "idempotency_key" => "clave",
        "key_id" => "id de llave",
        "status" => "estado",
        "created" | "created_at" => "creada",
        "public_key" => "llave pública (Ed25519, hex)",
        "group" => "grupo",
        "stage" => "etapa",
        "count" | "enrollments" => "inscripciones",
        "enrollment" => "inscripción",
        "deadline" => "plazo",
        "days_late" => "días de retraso",
        "since" => "desde",
        "elements" => "elementos",
        "judgement" => "juicio",
        "attempt" => "intento",
        "max_attempts" => "intentos permitidos",
        "valid_until" => "vigente hasta",
        "refused_email" => "certificado emitido: correo rechazado",
        "identity_kind" => "identificación",
        "identity" => "CURP o pasaporte",
        "position" => "cargo",
        "public_registry" => "registro público",
        "registered_at" => "registrada",
        "evaluation_at" => "evaluación",
        "standard_version" => "versión del estándar",
        "dictamen_batch_id" => "lote de dictamen",
        "withdrawn_reason" => "retiro",
        "folios" => "certificados",
        "verification_code" => "código de verificación",
        "enrollment_id" => "inscripción",
        "at" => "tomado",
        "streams" => "flujos",
        "events" => "eventos",
        "root" => "raíz",
        "last_event" => "último evento",
        other => other,
    }
    .to_string()
}
