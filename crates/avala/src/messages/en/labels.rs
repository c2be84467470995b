//! Names of states, roles, actions, records and fields; verification outcomes and checks; in
//! English.

use crate::certificate::ob3::ProofError;
use crate::certificate::signed::TokenError;
use crate::certificate::verify::{Absent, Check, Outcome, Tamper, Unchecked};
use crate::deadlines::Deadline;
use crate::domain::{Action, Field, Record, Role};
use crate::messages::Catalogue;

pub(super) fn state(_machine: &str, state: &str) -> String {
    state.replace('_', " ")
}

pub(super) fn event(event: &str) -> String {
    event.to_string()
}

pub(super) fn machine(machine: &str) -> &'static str {
    match machine {
        "window" => "the window",
        "certificate" => "the certificate",
        _ => "the enrollment",
    }
}

pub(super) fn role(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Evaluator => "evaluator",
        Role::Verifier => "verifier",
    }
}

pub(super) fn action(action: Action) -> &'static str {
    match action {
        Action::AddStaff => "add staff",
        Action::ListStaff => "list staff",
        Action::LoadStandards => "load standards",
        Action::ReadStandards => "read standards",
        Action::CreateWindows => "create windows",
        Action::ChangeWindows => "open, close or cancel windows",
        Action::ReadWindows => "read windows",
        Action::RegisterCandidates => "register candidates",
        Action::ImportCandidates => "import candidates",
        Action::RecordDiagnostics => "record diagnostics",
        Action::PlanEvaluations => "plan evaluations",
        Action::Evaluate => "evaluate candidates",
        Action::RecordJudgements => "record judgements",
        Action::RecordVerdicts => "record verdicts",
        Action::IssueDictamen => "issue dictámenes",
        Action::WithdrawEnrollments => "withdraw enrollments",
        Action::ReadEnrollments => "read enrollments",
        Action::ReadCertificates => "read certificates",
        Action::VerifyByFolio => "verify a certificate by its folio (the public verifies by the verification code)",
        Action::RevokeCertificates => "revoke certificates",
        Action::ReissueCertificates => "re-issue certificates",
        Action::ExportCertificates => "export certificates",
        Action::RotateKey => "rotate the issuer key",
        Action::ManageJobs => "read and manage jobs",
        Action::ReadReports => "read reports",
        Action::VerifyAudit => "check the audit log",
        Action::IssueCandidateLinks => "give candidates their personal links",
        Action::RunJobs => "run the scheduled work and jobs",
    }
}

pub(super) fn record(record: Record) -> &'static str {
    match record {
        Record::Staff => "staff member",
        Record::Standard => "standard",
        Record::StandardOfEnrollment => "the standard of enrollment",
        Record::Window => "window",
        Record::Enrollment => "enrollment",
        Record::Certificate => "certificate",
        Record::DictamenBatch => "dictamen batch",
        Record::Job => "job",
        Record::IssuerKey => "issuer key",
        Record::CandidateLink => "personal link",
        Record::Checkpoint => "audit checkpoint",
        Record::Unknown => "the record",
    }
}

pub(super) fn field(field: Field) -> &'static str {
    match field {
        Field::Name => "the name",
        Field::Identity => "the CURP (or passport, for a foreign candidate)",
        Field::Institution => "the institution",
        Field::Position => "the position",
        Field::Evidence => "the evidence",
        Field::JobKind => "the job kind",
        Field::Feedback => "the feedback",
        Field::Reason => "the reason",
        Field::State => "a state",
        Field::JobState => "a job state",
        Field::ReportBy => "a report grouping",
        Field::Lang => "a language",
        Field::Target => "the certificate to check",
    }
}

pub(super) fn outcome(c: &dyn Catalogue, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Valid => "VALID: signed by the issuer, unchanged and in force".into(),
        Outcome::Revoked { reason, at } => format!("REVOKED on {}: {reason}", at.format("%Y-%m-%d")),
        Outcome::Superseded { by } => format!("SUPERSEDED by {by} (a re-issue); verify that one instead"),
        Outcome::Expired { at } => format!("EXPIRED: its validity ended on {at}"),
        Outcome::Tampered { why } => format!("TAMPERED: {}", tamper(c, why)),
        Outcome::UnknownIssuerKey { key_id } => {
            format!("UNKNOWN ISSUER KEY: signed with key {key_id}, which is not one of the issuer's keys")
        }
        Outcome::NotFound { what } => format!(
            "NOT FOUND: {}",
            match what {
                Absent::NoSuchCertificate { key } => format!("no certificate {key}"),
                Absent::NotInRecords { folio } => format!("the issuer has no certificate {folio}"),
                Absent::NotACertificate => "the file holds no avala certificate".into(),
                Absent::NotAvalaCredential => "the credential is not an avala certificate".into(),
            }
        ),
    }
}

fn tamper(c: &dyn Catalogue, why: &Tamper) -> String {
    match why {
        Tamper::ContentsDiffer => "its contents differ from the certificate the issuer recorded".into(),
        Tamper::FileDiffers { hash, issued } => format!(
            "the file is not the one issued (its SHA-256 is {hash}, the issued file's is {})",
            issued.as_deref().unwrap_or("unknown")
        ),
        Tamper::BadSignature => "the signature does not match the certificate's contents".into(),
        Tamper::Token(e) => c.token(e),
        Tamper::Proof(e) => c.proof(e),
        Tamper::NotJson { detail } => format!("not a JSON credential: {detail}"),
        Tamper::BadExpiry => "the expiry date is not a date".into(),
    }
}

pub(super) fn token(e: &TokenError) -> String {
    match e {
        TokenError::Missing => "the file holds no avala certificate signature".into(),
        TokenError::Ambiguous => "the file holds more than one certificate signature".into(),
        TokenError::NoPrefix => "not an avala certificate token: it does not contain \"AV1.\"".into(),
        TokenError::NoSignature => "not an avala certificate token: the signature part is missing".into(),
        TokenError::PayloadEncoding => "not an avala certificate token: the payload is not base64url UTF-8".into(),
        TokenError::SignatureEncoding => {
            "not an avala certificate token: the signature is not 64 bytes of base64url".into()
        }
        TokenError::NotAPayload { detail } => {
            format!("not an avala certificate token: the payload is not a certificate payload: {detail}")
        }
    }
}

pub(super) fn proof(e: &ProofError) -> String {
    match e {
        ProofError::NoProof => "not a signed Open Badges credential: it has no proof".into(),
        ProofError::WrongSuite => {
            "not a signed Open Badges credential: the proof is not a DataIntegrityProof with the eddsa-jcs-2022 \
             cryptosuite"
                .into()
        }
        ProofError::NoMethod => "not a signed Open Badges credential: no verificationMethod".into(),
        ProofError::NotAMultikey => {
            "not a signed Open Badges credential: the verificationMethod is not an Ed25519 multikey".into()
        }
        ProofError::NoValue => "not a signed Open Badges credential: no proofValue".into(),
        ProofError::BadValue => {
            "not a signed Open Badges credential: the proofValue is not a base58btc signature".into()
        }
        ProofError::BadSignature => "the Data Integrity proof does not match the credential".into(),
    }
}

pub(super) fn check(check: &Check) -> String {
    match check {
        Check::Signature { key_id } => format!("signature by issuer key {key_id}"),
        Check::Ob3Proof { key_id } => format!("Data Integrity proof (eddsa-jcs-2022) by issuer key {key_id}"),
        Check::MatchesRecord => "contents match the issuer's record".into(),
        Check::SameFile => "the file is byte for byte the one issued (SHA-256)".into(),
        Check::Status => "revocation and re-issue in the issuer's records".into(),
        Check::ValidityPeriod => "validity period".into(),
    }
}

pub(super) fn unchecked(unchecked: &Unchecked) -> String {
    match unchecked {
        Unchecked::NotRendered => "signature (the certificate is not rendered yet)".into(),
        Unchecked::StatusOffline => "revocation and re-issue (the issuer's records are not at hand)".into(),
        Unchecked::FileOffline => "that the file is byte for byte the one issued (no issuer records)".into(),
        Unchecked::NoKey => "the signature: no issuer public key given".into(),
    }
}

pub(super) fn deadline(deadline: Deadline) -> &'static str {
    match deadline {
        Deadline::Verdict => "verdict",
        Deadline::Dictamen => "dictamen",
        Deadline::Delivery => "delivery",
    }
}

pub(super) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

pub(super) fn long_date(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

pub(super) fn column(name: &str) -> String {
    match name {
        "validity_years" => "validity".into(),
        "diagnostic_threshold" => "threshold".into(),
        "content_hash" => "hash".into(),
        "standard_code" => "standard".into(),
        "opens_at" => "opens".into(),
        "closes_at" => "closes".into(),
        "tz" => "time zone".into(),
        "window_id" => "window".into(),
        "evaluator_id" => "evaluator".into(),
        "diagnostic_score" => "diagnostic".into(),
        "holder_name" => "holder".into(),
        "issued_at" => "issued".into(),
        "expires_at" => "expires".into(),
        "rendered" => "pdf".into(),
        "run_at" => "due".into(),
        "lease_holder" => "runner".into(),
        "lease_expires_at" => "lease until".into(),
        "idempotency_key" => "key".into(),
        "created_at" => "created".into(),
        "public_key" => "public key (Ed25519, hex)".into(),
        "count" => "enrollments".into(),
        "refused_email" => "certificate_issued: e-mail refused".into(),
        "identity_kind" => "identity".into(),
        "identity" => "CURP or passport".into(),
        "registered_at" => "registered".into(),
        "evaluation_at" => "evaluation".into(),
        "dictamen_batch_id" => "dictamen lote".into(),
        "withdrawn_reason" => "withdrawn".into(),
        "folios" => "certificates".into(),
        "enrollment_id" => "enrollment".into(),
        "at" => "taken".into(),
        other => other.replace('_', " "),
    }
}
