//! The fold: each stream's events, in order, into the record they imply, the state after each
//! event from the state machines and the other fields from the payloads as the engine wrote them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::machine::{
    CertificateEvent, CertificateState, EnrollmentEvent, EnrollmentState, Lifecycle, WindowEvent, WindowState,
};

pub(super) fn text(payload: &Value, key: &str) -> Option<String> {
    payload.get(key).and_then(Value::as_str).map(str::to_string)
}

pub(super) fn int(payload: &Value, key: &str) -> Option<i64> {
    payload.get(key).and_then(Value::as_i64)
}

pub(super) fn time(payload: &Value, key: &str) -> Option<DateTime<Utc>> {
    let text = payload.get(key)?.as_str()?;
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// A state machine folded over a stream: the state so far, or the first step it refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Folded<S> {
    /// No event has begun the record yet.
    Unborn,
    /// The state after the events so far.
    At(S),
    /// A step the machine refuses: the log itself is not a path of the machine.
    Refused(String),
}

impl<S: Lifecycle> Folded<S> {
    pub(super) fn step(&mut self, event: S::Event) {
        *self = match std::mem::replace(self, Folded::Unborn) {
            Folded::At(state) => match state.apply(event) {
                Ok(next) => Folded::At(next),
                Err(_) => Folded::Refused(format!("{} refused in {}", S::event_name(event), state.as_str())),
            },
            Folded::Unborn => Folded::Refused(format!("{} before the record began", S::event_name(event))),
            refused => refused,
        }
    }

    pub(super) fn shown(&self) -> Option<String> {
        match self {
            Folded::Unborn => None,
            Folded::At(state) => Some(state.as_str().to_string()),
            Folded::Refused(why) => Some(why.clone()),
        }
    }
}

/// An enrollment as its events tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EnrollmentLog {
    pub(super) id: i64,
    pub(super) state: Folded<EnrollmentState>,
    pub(super) window: Option<i64>,
    pub(super) candidate: Option<i64>,
    pub(super) registered_at: Option<DateTime<Utc>>,
    pub(super) consent: Option<bool>,
    pub(super) diagnostic_score: Option<i64>,
    pub(super) evaluator: Option<String>,
    pub(super) evaluation_at: Option<DateTime<Utc>>,
    pub(super) standard: Option<String>,
    pub(super) verdict: Option<String>,
    pub(super) verdict_at: Option<DateTime<Utc>>,
    pub(super) dictamen: Option<bool>,
    pub(super) dictamen_batch: Option<i64>,
    pub(super) dictamen_at: Option<DateTime<Utc>>,
    pub(super) withdrawn_reason: Option<String>,
    pub(super) delivered_at: Option<DateTime<Utc>>,
    pub(super) delivery_error: Option<String>,
    /// Each element's judgement, competent or not, as last recorded.
    pub(super) judgements: BTreeMap<String, bool>,
    /// Fields its events do not carry (written before they did).
    pub(super) unknown: Vec<&'static str>,
}

/// A standard as a report names it.
pub(super) fn standard_name(code: &str, version: &str) -> String {
    format!("{code} v{version}")
}

impl EnrollmentLog {
    pub(super) fn new(id: i64) -> Self {
        EnrollmentLog {
            id,
            state: Folded::Unborn,
            window: None,
            candidate: None,
            registered_at: None,
            consent: None,
            diagnostic_score: None,
            evaluator: None,
            evaluation_at: None,
            standard: None,
            verdict: None,
            verdict_at: None,
            dictamen: None,
            dictamen_batch: None,
            dictamen_at: None,
            withdrawn_reason: None,
            delivered_at: None,
            delivery_error: None,
            judgements: BTreeMap::new(),
            unknown: Vec::new(),
        }
    }

    /// One event, as the engine wrote it.
    pub(super) fn apply(&mut self, kind: &str, at: DateTime<Utc>, p: &Value) {
        use EnrollmentEvent as E;
        match kind {
            "enrollment.registered" => {
                self.state = match self.state {
                    Folded::Unborn => Folded::At(EnrollmentState::Registered),
                    _ => Folded::Refused("registered twice".into()),
                };
                self.window = int(p, "window");
                self.candidate = int(p, "candidate");
                self.registered_at = Some(at);
                // Logged since the read model is replayed; older registrations lack it.
                match p.get("public_registry").and_then(Value::as_bool) {
                    Some(consent) => self.consent = Some(consent),
                    None => self.unknown.push("public_registry"),
                }
            }
            "enrollment.diagnosed" => {
                self.state.step(E::Diagnostic);
                self.diagnostic_score = int(p, "score");
            }
            "enrollment.planned" => {
                self.state.step(E::Plan);
                self.evaluator = text(p, "evaluator");
                self.evaluation_at = time(p, "at");
                self.standard = match (text(p, "standard"), text(p, "version")) {
                    (Some(code), Some(version)) => Some(standard_name(&code, &version)),
                    _ => None,
                };
            }
            "enrollment.judgement" => {
                self.state.step(E::Evidence);
                // A judgement recorded again before the verdict corrects the one before.
                if let (Some(element), Some(competent)) =
                    (text(p, "element"), p.get("competent").and_then(Value::as_bool))
                {
                    self.judgements.insert(element, competent);
                }
            }
            "enrollment.verdict" => {
                self.state.step(E::Verdict);
                self.verdict = text(p, "verdict");
                self.state.step(match self.verdict.as_deref() {
                    Some("competent") => E::Competent,
                    _ => E::NotYetCompetent,
                });
                self.verdict_at = Some(at);
            }
            "enrollment.dictamen" => {
                let procede = p.get("procede").and_then(Value::as_bool);
                self.state.step(if procede == Some(true) {
                    E::Procede
                } else {
                    E::NoProcede
                });
                self.dictamen = procede;
                self.dictamen_batch = int(p, "batch");
                self.dictamen_at = Some(at);
            }
            "enrollment.delivered" => {
                self.state.step(E::Email);
                self.delivered_at = Some(at);
                self.delivery_error = None;
            }
            "enrollment.delivery_failed" => self.delivery_error = text(p, "error"),
            "enrollment.withdrawn" => {
                self.state.step(E::Withdraw);
                self.withdrawn_reason = text(p, "reason");
            }
            // Reads of personal data and anything else leave the record as it is.
            _ => {}
        }
    }
}

/// A certificate as its events tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CertificateLog {
    pub(super) folio: String,
    pub(super) state: Folded<CertificateState>,
    pub(super) enrollment: Option<i64>,
    pub(super) issued_at: Option<DateTime<Utc>>,
    pub(super) expires_at: Option<DateTime<Utc>>,
    pub(super) supersedes: Option<i64>,
    pub(super) superseded_by: Option<String>,
    pub(super) revoked_reason: Option<String>,
    pub(super) revoked_at: Option<DateTime<Utc>>,
    pub(super) pdf_sha256: Option<String>,
}

impl CertificateLog {
    pub(super) fn new(folio: &str) -> Self {
        CertificateLog {
            folio: folio.to_string(),
            state: Folded::Unborn,
            enrollment: None,
            issued_at: None,
            expires_at: None,
            supersedes: None,
            superseded_by: None,
            revoked_reason: None,
            revoked_at: None,
            pdf_sha256: None,
        }
    }

    pub(super) fn apply(&mut self, kind: &str, at: DateTime<Utc>, p: &Value) {
        use CertificateEvent as E;
        match kind {
            "certificate.issued" => {
                self.state = match self.state {
                    Folded::Unborn => Folded::At(CertificateState::Issued),
                    _ => Folded::Refused("issued twice".into()),
                };
                self.enrollment = int(p, "enrollment");
                self.issued_at = Some(at);
                self.expires_at = time(p, "expires_at");
                self.supersedes = int(p, "supersedes");
            }
            // The first rendering is the one kept (the row is written only while it has none).
            "certificate.rendered" if self.pdf_sha256.is_none() => self.pdf_sha256 = text(p, "pdf_sha256"),
            "certificate.delivered" => self.state.step(E::Deliver),
            "certificate.revoked" => {
                self.state.step(E::Revoke);
                self.revoked_reason = text(p, "reason");
                self.revoked_at = Some(at);
            }
            "certificate.superseded" => {
                self.state.step(E::Supersede);
                self.superseded_by = text(p, "by");
            }
            "certificate.expired" => self.state.step(E::Expire),
            _ => {}
        }
    }
}

/// A window as its events tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WindowLog {
    pub(super) id: i64,
    pub(super) state: Folded<WindowState>,
    pub(super) standard: Option<String>,
    pub(super) opens_at: Option<DateTime<Utc>>,
    pub(super) closes_at: Option<DateTime<Utc>>,
    pub(super) tz: Option<String>,
    pub(super) capacity: Option<i64>,
}

impl WindowLog {
    pub(super) fn new(id: i64) -> Self {
        WindowLog {
            id,
            state: Folded::Unborn,
            standard: None,
            opens_at: None,
            closes_at: None,
            tz: None,
            capacity: None,
        }
    }

    pub(super) fn apply(&mut self, kind: &str, p: &Value) {
        match kind {
            "window.created" => {
                self.state = match self.state {
                    Folded::Unborn => Folded::At(WindowState::Scheduled),
                    _ => Folded::Refused("created twice".into()),
                };
                self.standard = text(p, "standard");
                self.opens_at = time(p, "opens_at");
                self.closes_at = time(p, "closes_at");
                self.tz = text(p, "tz");
                self.capacity = int(p, "capacity");
            }
            // A transition's kind names the state it reached (`window.open`, …).
            "window.open" => self.state.step(WindowEvent::Open),
            "window.closed" => self.state.step(WindowEvent::Close),
            "window.cancelled" => self.state.step(WindowEvent::Cancel),
            _ => {}
        }
    }
}

/// The stream being folded.
pub(super) enum Open {
    Enrollment(EnrollmentLog),
    Certificate(CertificateLog),
    Window(WindowLog),
    /// A stream not replayed (staff, standards, jobs).
    Other,
}

pub(super) fn open(stream: &str) -> Open {
    let Some((kind, id)) = stream.split_once(':') else {
        return Open::Other;
    };
    match (kind, id.parse::<i64>()) {
        ("enrollment", Ok(id)) => Open::Enrollment(EnrollmentLog::new(id)),
        ("window", Ok(id)) => Open::Window(WindowLog::new(id)),
        ("certificate", _) => Open::Certificate(CertificateLog::new(id)),
        _ => Open::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(minute: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-11-23T10:{minute:02}:00Z"))
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn an_enrollment_folds_to_the_state_and_fields_its_steps_wrote() {
        let mut e = EnrollmentLog::new(5);
        let events = [
            (
                "enrollment.registered",
                json!({"window": 1, "candidate": 9, "identity_kind": "curp", "public_registry": true}),
            ),
            ("enrollment.diagnosed", json!({"score": 88, "threshold": 70})),
            (
                "enrollment.planned",
                json!({"evaluator": "eva", "at": "2026-11-30T18:00:00Z", "standard": "EC1057", "version": "1"}),
            ),
            ("personal_data.read", json!({"fields": ["identity", "email"]})),
            ("enrollment.judgement", json!({"element": "E0001", "competent": true})),
            ("enrollment.judgement", json!({"element": "E0002", "competent": true})),
            (
                "enrollment.verdict",
                json!({"verdict": "competent", "not_yet_competent": []}),
            ),
            ("enrollment.dictamen", json!({"batch": 3, "procede": true})),
            ("enrollment.delivery_failed", json!({"folio": "F", "error": "550"})),
            ("enrollment.delivered", json!({"folio": "F"})),
        ];
        for (i, (kind, payload)) in events.iter().enumerate() {
            e.apply(kind, at(i as u32), payload);
        }
        assert_eq!(e.state, Folded::At(EnrollmentState::Delivered));
        assert_eq!((e.window, e.candidate, e.consent), (Some(1), Some(9), Some(true)));
        assert_eq!(e.diagnostic_score, Some(88));
        assert_eq!(e.evaluator.as_deref(), Some("eva"));
        assert_eq!(e.standard.as_deref(), Some("EC1057 v1"));
        assert_eq!((e.verdict.as_deref(), e.verdict_at), (Some("competent"), Some(at(6))));
        assert_eq!(
            (e.dictamen, e.dictamen_batch, e.dictamen_at),
            (Some(true), Some(3), Some(at(7)))
        );
        assert_eq!((e.delivered_at, e.delivery_error), (Some(at(9)), None));
        let judged: Vec<(&str, bool)> = e.judgements.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(judged, [("E0001", true), ("E0002", true)]);
        assert!(e.unknown.is_empty());
    }

    #[test]
    fn an_old_registration_leaves_the_consent_not_checkable_and_a_refused_step_is_named() {
        let mut e = EnrollmentLog::new(4);
        e.apply(
            "enrollment.registered",
            at(0),
            &json!({"window": 1, "candidate": 4, "identity_kind": "curp"}),
        );
        assert_eq!(e.unknown, ["public_registry"]);
        assert_eq!(e.consent, None);
        e.apply("enrollment.verdict", at(1), &json!({"verdict": "competent"}));
        assert_eq!(e.state, Folded::Refused("verdict refused in registered".into()));
        // Nothing after a refused step makes the state checkable again.
        e.apply("enrollment.withdrawn", at(2), &json!({"reason": "x"}));
        assert_eq!(e.state.shown().as_deref(), Some("verdict refused in registered"));
    }

    #[test]
    fn a_certificate_and_a_window_fold_through_their_machines() {
        let mut c = CertificateLog::new("EC1057-2026-000001");
        c.apply(
            "certificate.issued",
            at(0),
            &json!({"enrollment": 1, "expires_at": "2029-11-23T10:00:00Z", "supersedes": null}),
        );
        c.apply("certificate.rendered", at(1), &json!({"pdf_sha256": "ab"}));
        c.apply("certificate.delivered", at(2), &json!({}));
        c.apply("certificate.revoked", at(3), &json!({"reason": "error"}));
        assert_eq!(c.state, Folded::At(CertificateState::Revoked));
        assert_eq!(
            (c.enrollment, c.issued_at, c.revoked_at),
            (Some(1), Some(at(0)), Some(at(3)))
        );
        assert_eq!(
            (c.pdf_sha256.as_deref(), c.revoked_reason.as_deref()),
            (Some("ab"), Some("error"))
        );
        assert_eq!(c.supersedes, None);

        let mut w = WindowLog::new(1);
        w.apply(
            "window.created",
            &json!({"standard": "EC1057", "opens_at": "2020-01-01T06:00:00Z", "closes_at": "2099-12-31T06:00:00Z",
                    "tz": "America/Mexico_City", "capacity": 20}),
        );
        w.apply("window.open", &json!({"from": "scheduled"}));
        w.apply("window.imported", &json!({"registered": 5}));
        w.apply("window.closed", &json!({"from": "open"}));
        assert_eq!(w.state, Folded::At(WindowState::Closed));
        assert_eq!((w.capacity, w.tz.as_deref()), (Some(20), Some("America/Mexico_City")));
    }

    #[test]
    fn streams_are_told_apart_by_their_names() {
        assert!(matches!(open("enrollment:12"), Open::Enrollment(e) if e.id == 12));
        assert!(
            matches!(open("certificate:EC1057-2026-000001"), Open::Certificate(c) if c.folio == "EC1057-2026-000001")
        );
        assert!(matches!(open("window:3"), Open::Window(w) if w.id == 3));
        assert!(matches!(open("staff:admin"), Open::Other));
        assert!(matches!(open("enrollment:x"), Open::Other));
    }
}
