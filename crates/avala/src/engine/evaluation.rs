//! Evaluation of one process: diagnostic, plan, element judgements and the juicio (rules 4 and 5).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{
    Engine, Field, enrollment_stream, lock_enrollment, notify, set_enrollment_state, set_enrollment_state_with,
};
use crate::actor::Actor;
use crate::domain::{Action, Judgement, Record, Role};
use crate::error::{Error, Result};
use crate::machine::{EnrollmentEvent, EnrollmentState, Lifecycle};
use crate::notices::Notice;
use crate::on;
use crate::store::Tx;

/// The result of a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DiagnosticOutcome {
    /// The score, 0–100.
    pub score: u8,
    /// The standard's threshold.
    pub threshold: u8,
    /// True when the score is below the threshold: training is recommended before evaluation.
    pub training_recommended: bool,
}

/// When an evaluation was planned, and the time zone its time was read in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Planned {
    /// The instant.
    pub at: DateTime<Utc>,
    /// The time zone (IANA name) a local time was read in.
    pub tz: String,
}

/// The juicio computed from the element judgements.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerdictOutcome {
    /// The enrollment.
    pub enrollment: i64,
    /// Competent only if every element is.
    pub competent: bool,
    /// Elements judged not yet competent.
    pub not_yet_competent: Vec<String>,
    /// The new state.
    pub state: &'static str,
}

/// The standard version pinned for `enrollment`, once `by` is checked to be its assigned
/// evaluator (rules 4 and 5).
async fn assigned_standard(tx: &mut Tx, enrollment: i64, by: &str) -> Result<crate::standard::Standard> {
    let a = assignment(tx, enrollment).await?;
    check_assigned(enrollment, &a, by)?;
    let standard_id = a
        .standard_id
        .ok_or_else(|| Error::database(format!("enrollment {enrollment} has no pinned standard")))?;
    super::standards::by_id(tx, standard_id).await
}

/// An enrollment's assignment, for rules 4 and 5.
struct Assignment {
    evaluator_id: Option<String>,
    standard_id: Option<i64>,
}

crate::from_row!(Assignment {
    evaluator_id,
    standard_id
});

async fn assignment(tx: &mut Tx, id: i64) -> Result<Assignment> {
    Ok(
        on!(tx, c => sqlx::query_as("SELECT evaluator_id, standard_id FROM enrollments WHERE id = $1")
        .bind(id).fetch_one(c).await?),
    )
}

/// Rule 4: only the assigned evaluator records results.
fn check_assigned(enrollment: i64, a: &Assignment, actor: &str) -> Result<()> {
    match &a.evaluator_id {
        Some(assigned) if assigned == actor => Ok(()),
        Some(assigned) => Err(Error::NotAssigned {
            enrollment,
            assigned: assigned.clone(),
            actor: actor.to_string(),
        }),
        None => Err(Error::NoEvaluatorYet { enrollment }),
    }
}

/// The audit event kind of a judgement.
const JUDGEMENT: &str = "enrollment.judgement";

/// Stores (or corrects) judgements of `enrollment`, whose elements are checked already; returns
/// each one's audit event payload.
async fn store_judgements(
    tx: &mut Tx,
    enrollment: i64,
    by: &str,
    now: DateTime<Utc>,
    judgements: &[Judgement],
) -> Result<Vec<serde_json::Value>> {
    if judgements.is_empty() {
        return Ok(Vec::new());
    }
    let values = crate::store::values(tx.backend(), judgements.len(), 7);
    let sql = format!(
        "INSERT INTO element_judgements (enrollment_id, element_code, competent, evidence, feedback, evaluator_id, recorded_at) \
         VALUES {values} ON CONFLICT (enrollment_id, element_code) DO UPDATE SET competent = excluded.competent, \
         evidence = excluded.evidence, feedback = excluded.feedback, evaluator_id = excluded.evaluator_id, \
         recorded_at = excluded.recorded_at"
    );
    on!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for j in judgements {
            q = q.bind(enrollment).bind(&j.element).bind(j.competent).bind(j.evidence.as_deref()).bind(j.feedback.as_deref()).bind(by).bind(now);
        }
        q.execute(c).await?.rows_affected()
    });
    Ok(judgements
        .iter()
        .map(
            |j| json!({"element": j.element, "competent": j.competent, "evidence": j.evidence, "feedback": j.feedback}),
        )
        .collect())
}

/// Records the juicio of `enrollment` (read at `version`, now in `judged`) inside the caller's
/// transaction, with the audit `events` that precede it: the state, the verdict, the events
/// and the candidate's notice.
#[allow(clippy::too_many_arguments)]
async fn conclude(
    tx: &mut Tx,
    by: &str,
    enrollment: i64,
    version: i64,
    judged: EnrollmentState,
    standard: &crate::standard::Standard,
    mut events: Vec<(&str, serde_json::Value)>,
    now: DateTime<Utc>,
) -> Result<VerdictOutcome> {
    let rows: Vec<(String, bool)> = on!(tx, c => sqlx::query_as(
        "SELECT element_code, competent FROM element_judgements WHERE enrollment_id = $1"
    ).bind(enrollment).fetch_all(c).await?);
    let (competent, not_yet) = decide(enrollment, standard, &rows.into_iter().collect())?;
    let next = step(
        judged,
        if competent {
            EnrollmentEvent::Competent
        } else {
            EnrollmentEvent::NotYetCompetent
        },
    )?;
    let verdict = if competent { "competent" } else { "not_yet_competent" };
    let fields = [Field::Text("verdict", verdict), Field::Time("verdict_at", now)];
    set_enrollment_state_with(tx, enrollment, version, next, &fields).await?;
    events.push((
        "enrollment.verdict",
        json!({"verdict": verdict, "not_yet_competent": not_yet}),
    ));
    let stream = enrollment_stream(enrollment);
    let events: Vec<(&str, &str, serde_json::Value)> = events
        .into_iter()
        .map(|(kind, payload)| (stream.as_str(), kind, payload))
        .collect();
    crate::audit::append_all(tx, by, now, &events).await?;
    crate::jobs::enqueue(tx, notify(Notice::Verdict { enrollment }), now).await?;
    Ok(VerdictOutcome {
        enrollment,
        competent,
        not_yet_competent: not_yet,
        state: next.as_str(),
    })
}

/// The element's code as the standard writes it, or the refusal naming the elements it has.
fn element_of(standard: &crate::standard::Standard, element: &str) -> Result<String> {
    let element = element.trim().to_uppercase();
    if !standard.elements.iter().any(|e| e.code == element) {
        return Err(Error::UnknownElement {
            element,
            standard: standard.code.clone(),
            version: standard.version.clone(),
            known: standard.element_codes().into_iter().map(str::to_string).collect(),
        });
    }
    Ok(element)
}

/// The juicio (rule 5): competent only if every element of the pinned standard was judged
/// competent; every element must have a judgement. Returns it and the elements not yet competent.
fn decide(
    enrollment: i64,
    standard: &crate::standard::Standard,
    judgements: &HashMap<String, bool>,
) -> Result<(bool, Vec<String>)> {
    let missing: Vec<&str> = standard
        .elements
        .iter()
        .map(|e| e.code.as_str())
        .filter(|c| !judgements.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(Error::JudgementsMissing {
            enrollment,
            standard: standard.code.clone(),
            elements: missing.into_iter().map(str::to_string).collect(),
        });
    }
    let not_yet: Vec<String> = standard
        .elements
        .iter()
        .filter(|e| !judgements[&e.code])
        .map(|e| e.code.clone())
        .collect();
    Ok((not_yet.is_empty(), not_yet))
}

/// Asks the machine, checking the current state first, so the refusal names it.
fn step(state: EnrollmentState, event: EnrollmentEvent) -> Result<EnrollmentState> {
    Ok(state.apply(event)?)
}

impl Engine {
    /// Records the diagnostic evaluation's score (0–100).
    pub async fn record_diagnostic(&self, actor: &Actor, enrollment: i64, score: u8) -> Result<DiagnosticOutcome> {
        let by = actor.staff_any(&[Role::Evaluator, Role::Admin], Action::RecordDiagnostics)?;
        if score > 100 {
            return Err(Error::ScoreOutOfRange { score: score.into() });
        }
        let mut tx = self.db().write().await?;
        let (state, version) = lock_enrollment(&mut tx, enrollment).await?;
        let next = step(state, EnrollmentEvent::Diagnostic)?;
        let (_, standard) = super::standards::latest_of_enrollment(&mut tx, enrollment).await?;
        let score_field = Field::Int("diagnostic_score", i64::from(score));
        set_enrollment_state_with(&mut tx, enrollment, version, next, &[score_field]).await?;
        let outcome = DiagnosticOutcome {
            score,
            threshold: standard.diagnostic_threshold,
            training_recommended: score < standard.diagnostic_threshold,
        };
        let now = self.now();
        crate::audit::append(
            &mut tx,
            &enrollment_stream(enrollment),
            by,
            now,
            "enrollment.diagnosed",
            json!({"score": score, "threshold": outcome.threshold, "training_recommended": outcome.training_recommended}),
        )
        .await?;
        crate::jobs::enqueue(&mut tx, notify(Notice::Diagnostic { enrollment }), now).await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, Record::Enrollment, enrollment))?;
        Ok(outcome)
    }

    /// Plans an evaluation at an instant typed by a person ([`crate::clock::parse_instant`]):
    /// RFC 3339, or a local time in `tz`, or, without `tz`, in the time zone of the
    /// enrollment's window (a Tijuana window's 10:00 is 10:00 in Tijuana). Says when, and in
    /// which zone it was read.
    pub async fn plan_evaluation_at(
        &self,
        actor: &Actor,
        enrollment: i64,
        evaluator: &str,
        at: &str,
        tz: Option<&str>,
    ) -> Result<Planned> {
        actor.staff(Role::Admin, Action::PlanEvaluations)?;
        let tz = match tz {
            Some(tz) => tz.trim().to_string(),
            None => {
                let mut tx = self.db().read().await?;
                let (_, rules) = window_of(&mut tx, enrollment).await?;
                tx.commit().await?;
                rules.tz
            }
        };
        let at = crate::audit::truncate_micros(crate::clock::parse_instant(at, &tz)?);
        self.plan_evaluation(actor, enrollment, evaluator, at).await?;
        Ok(Planned { at, tz })
    }

    /// Plans the evaluation: assigns the evaluator and the date, and pins the standard version
    /// the process is evaluated against (rule 5).
    pub async fn plan_evaluation(
        &self,
        actor: &Actor,
        enrollment: i64,
        evaluator: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let by = actor.staff(Role::Admin, Action::PlanEvaluations)?;
        self.actor(Some(evaluator))
            .await?
            .staff(Role::Evaluator, Action::Evaluate)?;
        let mut tx = self.db().write().await?;
        let (state, version) = lock_enrollment(&mut tx, enrollment).await?;
        let next = step(state, EnrollmentEvent::Plan)?;
        let (window, rules) = window_of(&mut tx, enrollment).await?;
        if at < rules.opens_at {
            return Err(Error::EvaluationBeforeWindow {
                enrollment,
                window,
                at,
                opens: rules.opens_at,
                tz: rules.tz,
            });
        }
        let (standard_id, standard) = super::standards::latest_of_enrollment(&mut tx, enrollment).await?;
        let at = crate::audit::truncate_micros(at);
        let fields = [
            Field::Text("evaluator_id", evaluator),
            Field::Time("evaluation_at", at),
            Field::Int("standard_id", standard_id),
        ];
        set_enrollment_state_with(&mut tx, enrollment, version, next, &fields).await?;
        crate::audit::append(
            &mut tx,
            &enrollment_stream(enrollment),
            by,
            self.now(),
            "enrollment.planned",
            json!({"evaluator": evaluator, "at": at, "standard": standard.code, "version": standard.version,
                   "content_hash": standard.content_hash()}),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, Record::Enrollment, enrollment))
    }

    /// Records (or corrects, before the verdict) the judgement of one element.
    pub async fn record_judgement(
        &self,
        actor: &Actor,
        enrollment: i64,
        element: &str,
        competent: bool,
        evidence: Option<&str>,
        feedback: Option<&str>,
    ) -> Result<()> {
        let by = actor.staff(Role::Evaluator, Action::RecordJudgements)?;
        use crate::domain::Field;
        let (evidence, feedback) = (
            super::note_of(Field::Evidence, evidence)?,
            super::note_of(Field::Feedback, feedback)?,
        );
        let mut tx = self.db().write().await?;
        let (state, version) = lock_enrollment(&mut tx, enrollment).await?;
        let next = step(state, EnrollmentEvent::Evidence)?;
        let standard = assigned_standard(&mut tx, enrollment, by).await?;
        let element = element_of(&standard, element)?;
        set_enrollment_state(&mut tx, enrollment, version, next).await?;
        let now = self.now();
        let judgement = Judgement {
            element,
            competent,
            evidence,
            feedback,
        };
        let event = store_judgements(&mut tx, enrollment, by, now, std::slice::from_ref(&judgement)).await?;
        crate::audit::append_all(
            &mut tx,
            by,
            now,
            &[(&enrollment_stream(enrollment), JUDGEMENT, event[0].clone())],
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, Record::Enrollment, enrollment))
    }

    /// Records the juicio: Competent only if every element of the pinned standard was judged
    /// competent (rule 5).
    pub async fn record_verdict(&self, actor: &Actor, enrollment: i64) -> Result<VerdictOutcome> {
        let by = actor.staff(Role::Evaluator, Action::RecordVerdicts)?;
        let mut tx = self.db().write().await?;
        let (state, version) = lock_enrollment(&mut tx, enrollment).await?;
        let judged = step(state, EnrollmentEvent::Verdict)?;
        let standard = assigned_standard(&mut tx, enrollment, by).await?;
        let outcome = conclude(
            &mut tx,
            by,
            enrollment,
            version,
            judged,
            &standard,
            Vec::new(),
            self.now(),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, Record::Enrollment, enrollment))?;
        Ok(outcome)
    }

    /// Records the judgement of every element given and the juicio at once, as the evaluator
    /// hands in the whole instrument: one transaction, the same rules and audit events as
    /// [`Engine::record_judgement`] for each element followed by [`Engine::record_verdict`].
    /// Elements judged earlier and not given keep their judgement.
    pub async fn record_evaluation(
        &self,
        actor: &Actor,
        enrollment: i64,
        judgements: &[Judgement],
    ) -> Result<VerdictOutcome> {
        let by = actor.staff(Role::Evaluator, Action::RecordJudgements)?;
        let mut tx = self.db().write().await?;
        let (state, version) = lock_enrollment(&mut tx, enrollment).await?;
        // The machine walks every judgement, then the verdict: a refusal names the state.
        let mut judged = state;
        for _ in judgements {
            judged = step(judged, EnrollmentEvent::Evidence)?;
        }
        let judged = step(judged, EnrollmentEvent::Verdict)?;
        let standard = assigned_standard(&mut tx, enrollment, by).await?;
        let mut given: Vec<Judgement> = Vec::with_capacity(judgements.len());
        for j in judgements {
            let element = element_of(&standard, &j.element)?;
            if given.iter().any(|g| g.element == element) {
                return Err(Error::ElementTwice { enrollment, element });
            }
            given.push(Judgement { element, ..j.clone() });
        }
        let now = self.now();
        let events = store_judgements(&mut tx, enrollment, by, now, &given).await?;
        let events = events.into_iter().map(|e| (JUDGEMENT, e)).collect();
        let outcome = conclude(&mut tx, by, enrollment, version, judged, &standard, events, now).await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, Record::Enrollment, enrollment))?;
        Ok(outcome)
    }
}

/// The window of enrollment `id` and its rules.
async fn window_of(tx: &mut Tx, id: i64) -> Result<(i64, super::windows::WindowRules)> {
    let window: Option<i64> = on!(tx, c => sqlx::query_scalar("SELECT window_id FROM enrollments WHERE id = $1")
        .bind(id).fetch_optional(c).await?);
    let window = window.ok_or_else(|| Error::not_found(Record::Enrollment, id))?;
    Ok((window, super::windows::load(tx, window).await?))
}
