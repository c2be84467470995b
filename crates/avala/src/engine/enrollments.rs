//! One candidate's process: registration, diagnostic, plan, judgements, verdict, withdrawal.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::staff::{Role, require, require_any};
use super::{Engine, Field, enrollment_stream, lock_enrollment, set_enrollment_state, set_enrollment_state_with};
use crate::error::{Error, Result};
use crate::identity::Identity;
use crate::machine::{EnrollmentEvent, EnrollmentState, Lifecycle};
use crate::on;
use crate::store::Tx;

/// A candidate to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCandidate {
    /// CURP or passport.
    pub identity: Identity,
    /// Full name.
    pub name: String,
    /// E-mail (validated by the caller through [`crate::identity::email`]).
    pub email: String,
    /// Institution (obligated subject); created on first sight.
    pub institution: String,
    /// Position (cargo).
    pub position: Option<String>,
    /// Consent to appear in the public registry.
    pub public_registry: bool,
}

impl From<crate::import::CandidateRow> for NewCandidate {
    fn from(r: crate::import::CandidateRow) -> Self {
        NewCandidate {
            identity: r.identity,
            name: r.name,
            email: r.email,
            institution: r.institution,
            position: r.position,
            public_registry: r.public_registry,
        }
    }
}

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

/// Caches institution ids within one transaction (imports see the same name many times).
#[derive(Default)]
pub(crate) struct Institutions {
    ids: HashMap<String, i64>,
    created: usize,
}

impl Institutions {
    /// The id of `name`, creating the institution on first sight.
    pub(crate) async fn id(&mut self, tx: &mut Tx, name: &str) -> Result<i64> {
        if let Some(id) = self.ids.get(name) {
            return Ok(*id);
        }
        let found: Option<i64> = on!(tx, c => sqlx::query_scalar("SELECT id FROM institutions WHERE name = $1")
            .bind(name).fetch_optional(c).await?);
        let id = match found {
            Some(id) => id,
            None => {
                self.created += 1;
                on!(tx, c => sqlx::query_scalar("INSERT INTO institutions (name) VALUES ($1) RETURNING id")
                    .bind(name).fetch_one(c).await?)
            }
        };
        self.ids.insert(name.to_string(), id);
        Ok(id)
    }

    /// How many institutions were created (seen for the first time).
    pub(crate) fn created(&self) -> usize {
        self.created
    }
}

/// A candidate's key as stored: identity kind and value.
type IdentityKey = (String, String);

fn identity_key(identity: &Identity) -> IdentityKey {
    (identity.kind().to_string(), identity.value().to_string())
}

/// What the database already holds about some identities: each known candidate's id and, if
/// they are enrolled in the window looked at, that enrollment (rule 2: once per window).
pub(crate) struct Known(HashMap<IdentityKey, (i64, Option<i64>)>);

impl Known {
    /// Looks `identities` up in one statement, with their enrollments in `window`.
    pub(crate) async fn find(tx: &mut Tx, window: i64, identities: &[&Identity]) -> Result<Known> {
        if identities.is_empty() {
            return Ok(Known(HashMap::new()));
        }
        let list = crate::store::list(tx.backend(), identities.len());
        let sql = format!(
            "SELECT ca.identity_kind, ca.identity, ca.id, e.id FROM candidates ca \
             LEFT JOIN enrollments e ON e.candidate_id = ca.id AND e.window_id = ${} \
             WHERE ca.identity_kind IN ({}) AND ca.identity IN ({list})",
            identities.len() + 1,
            Identity::KINDS_SQL
        );
        let found: Vec<(String, String, i64, Option<i64>)> = on!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for identity in identities {
                q = q.bind(identity.value());
            }
            q.bind(window).fetch_all(c).await?
        });
        Ok(Known(
            found
                .into_iter()
                .map(|(kind, value, candidate, enrollment)| ((kind, value), (candidate, enrollment)))
                .collect(),
        ))
    }

    /// The enrollment `identity` holds in the window looked at, if any.
    pub(crate) fn enrollment(&self, identity: &Identity) -> Option<i64> {
        self.0
            .get(&identity_key(identity))
            .and_then(|(_, enrollment)| *enrollment)
    }
}

/// Registers one candidate in a window inside the caller's transaction; the window's rules
/// (open, capacity) are checked by the caller. Returns the enrollment id.
pub(crate) async fn register_in(
    tx: &mut Tx,
    institutions: &mut Institutions,
    by: &str,
    window: i64,
    c: &NewCandidate,
    now: DateTime<Utc>,
) -> Result<i64> {
    let known = Known::find(tx, window, &[&c.identity]).await?;
    // Rule 2: once per window; the refusal names the enrollment there already.
    if let Some(enrollment) = known.enrollment(&c.identity) {
        return Err(Error::AlreadyEnrolled {
            identity: c.identity.to_string(),
            window,
            enrollment,
        });
    }
    let ids = register_many(tx, institutions, by, window, std::slice::from_ref(c), known, now).await?;
    ids.first()
        .copied()
        .ok_or_else(|| Error::Database(format!("{} was not enrolled", c.identity)))
}

/// Registers many candidates in a window inside the caller's transaction, as [`register_in`]
/// does one, in a handful of statements per call instead of six per candidate (a bulk import
/// calls it with a thousand at a time). `known` is what [`Known::find`] found for them in this
/// window; none may be enrolled there already. Returns the enrollment ids in order.
pub(crate) async fn register_many(
    tx: &mut Tx,
    institutions: &mut Institutions,
    by: &str,
    window: i64,
    candidates: &[NewCandidate],
    known: Known,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let mut institution = Vec::with_capacity(candidates.len());
    for c in candidates {
        institution.push(institutions.id(tx, c.institution.trim()).await?);
    }
    let key = |c: &NewCandidate| identity_key(&c.identity);
    let mut ids: HashMap<IdentityKey, i64> = known.0.into_iter().map(|(k, (id, _))| (k, id)).collect();
    let mut new = Vec::new();
    // Returning candidates (rule 6) keep their record, with the contact details refreshed.
    for (c, institution) in candidates.iter().zip(&institution) {
        match ids.get(&key(c)) {
            Some(&id) => {
                on!(tx, conn => sqlx::query(
                    "UPDATE candidates SET name = $1, email = $2, institution_id = $3, position = $4, public_registry = $5 WHERE id = $6"
                ).bind(c.name.trim()).bind(&c.email).bind(*institution).bind(&c.position).bind(c.public_registry).bind(id)
                .execute(conn).await?.rows_affected());
            }
            None => new.push((c, *institution)),
        }
    }
    if !new.is_empty() {
        let values = crate::store::values(tx.backend(), new.len(), 7);
        let sql = format!(
            "INSERT INTO candidates (identity_kind, identity, name, email, institution_id, position, public_registry) \
             VALUES {values} RETURNING identity_kind, identity, id"
        );
        let inserted: Vec<(String, String, i64)> = on!(tx, conn => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for (c, institution) in &new {
                q = q.bind(c.identity.kind()).bind(c.identity.value()).bind(c.name.trim()).bind(&c.email)
                    .bind(*institution).bind(&c.position).bind(c.public_registry);
            }
            q.fetch_all(conn).await?
        });
        ids.extend(inserted.into_iter().map(|(k, v, id)| ((k, v), id)));
    }
    let candidate_ids: Vec<i64> = candidates
        .iter()
        .map(|c| {
            ids.get(&key(c))
                .copied()
                .ok_or_else(|| Error::Database(format!("candidate {} was not stored", c.identity)))
        })
        .collect::<Result<_>>()?;
    // One enrollment per candidate and window (rule 2): the table's unique key refuses a second.
    let values = crate::store::values(tx.backend(), candidates.len(), 4);
    let sql = format!(
        "INSERT INTO enrollments (window_id, candidate_id, state, registered_at) VALUES {values} RETURNING candidate_id, id"
    );
    let enrolled: Vec<(i64, i64)> = on!(tx, conn => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        for id in &candidate_ids {
            q = q.bind(window).bind(*id).bind(EnrollmentState::Registered.as_str()).bind(now);
        }
        q.fetch_all(conn).await.map_err(|e| super::conflict_or(e, "enrollment", window))?
    });
    let enrolled: HashMap<i64, i64> = enrolled.into_iter().collect();
    let enrollment_ids: Vec<i64> = candidate_ids
        .iter()
        .map(|c| {
            enrolled
                .get(c)
                .copied()
                .ok_or_else(|| Error::Database(format!("candidate {c} was not enrolled")))
        })
        .collect::<Result<_>>()?;
    let streams: Vec<String> = enrollment_ids.iter().map(|id| enrollment_stream(*id)).collect();
    let events: Vec<(&str, &str, serde_json::Value)> = streams
        .iter()
        .zip(candidates.iter().zip(&candidate_ids))
        .map(|(stream, (c, candidate))| {
            (
                stream.as_str(),
                "enrollment.registered",
                json!({"window": window, "candidate": candidate, "identity_kind": c.identity.kind()}),
            )
        })
        .collect();
    // The enrollments are new, and so are their streams.
    crate::audit::begin_all(tx, by, now, &events).await?;
    let notices: Vec<crate::notices::Notice> = enrollment_ids
        .iter()
        .map(|id| crate::notices::Notice::Registration(*id))
        .collect();
    crate::notices::enqueue_all(tx, &notices, now).await?;
    Ok(enrollment_ids)
}

/// The standard version pinned for `enrollment`, once `by` is checked to be its assigned
/// evaluator (rules 4 and 5).
async fn assigned_standard(tx: &mut Tx, enrollment: i64, by: &str) -> Result<crate::standard::Standard> {
    let a = assignment(tx, enrollment).await?;
    check_assigned(enrollment, &a, by)?;
    let standard_id = a
        .standard_id
        .ok_or_else(|| Error::Database(format!("enrollment {enrollment} has no pinned standard")))?;
    super::standards::by_id(tx, standard_id).await
}

/// An enrollment's assignment, for rules 4 and 5.
#[derive(sqlx::FromRow)]
struct Assignment {
    evaluator_id: Option<String>,
    standard_id: Option<i64>,
}

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
        None => Err(Error::Invalid(format!(
            "enrollment {enrollment} has no evaluator yet; plan the evaluation first (`avala evaluation plan {enrollment} --evaluator ID --at T`)"
        ))),
    }
}

/// One element's judgement, as the evaluator records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The element's code (E0001…).
    pub element: String,
    /// Competent, or not yet competent.
    pub competent: bool,
    /// What the evaluator observed.
    pub evidence: Option<String>,
    /// What the candidate should work on.
    pub feedback: Option<String>,
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
            q = q.bind(enrollment).bind(&j.element).bind(j.competent).bind(&j.evidence).bind(&j.feedback).bind(by).bind(now);
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
    crate::notices::enqueue(tx, crate::notices::Notice::Verdict(enrollment), now).await?;
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
            standard: format!("{} version {}", standard.code, standard.version),
            known: standard.element_codes().join(", "),
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
        return Err(Error::Invalid(format!(
            "enrollment {enrollment}: element(s) {} of {} have no judgement yet; record them with `avala evaluation record {enrollment} --element E#### --competent|--not-yet-competent`",
            missing.join(", "),
            standard.code
        )));
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
    /// Registers a candidate in an open window (rule 2). Returns the enrollment id.
    pub async fn register(&self, actor: Option<&str>, window: i64, candidate: NewCandidate) -> Result<i64> {
        if candidate.name.trim().is_empty() {
            return Err(Error::Invalid("the candidate's name must not be empty".into()));
        }
        if candidate.institution.trim().is_empty() {
            return Err(Error::Invalid("the institution must not be empty".into()));
        }
        crate::identity::email(&candidate.email)?;
        let mut tx = self.db().write().await?;
        let by = require(&mut tx, actor, Role::Admin, "register candidates").await?;
        let now = self.now();
        super::windows::check_taking(&mut tx, window, now, 1).await?;
        let id = register_in(&mut tx, &mut Institutions::default(), &by, window, &candidate, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records the diagnostic evaluation's score (0–100).
    pub async fn record_diagnostic(
        &self,
        actor: Option<&str>,
        enrollment: i64,
        score: u8,
    ) -> Result<DiagnosticOutcome> {
        if score > 100 {
            return Err(Error::Invalid(format!(
                "--score must be between 0 and 100, not {score}"
            )));
        }
        let mut tx = self.db().write().await?;
        let by = require_any(&mut tx, actor, &[Role::Evaluator, Role::Admin], "record diagnostics").await?;
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
            &by,
            now,
            "enrollment.diagnosed",
            json!({"score": score, "threshold": outcome.threshold, "training_recommended": outcome.training_recommended}),
        )
        .await?;
        crate::notices::enqueue(&mut tx, crate::notices::Notice::Diagnostic(enrollment), now).await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, "enrollment", enrollment))?;
        Ok(outcome)
    }

    /// Plans the evaluation: assigns the evaluator and the date, and pins the standard version
    /// the process is evaluated against (rule 5).
    pub async fn plan_evaluation(
        &self,
        actor: Option<&str>,
        enrollment: i64,
        evaluator: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.db().write().await?;
        let by = require(&mut tx, actor, Role::Admin, "plan evaluations").await?;
        require(&mut tx, Some(evaluator), Role::Evaluator, "evaluate candidates").await?;
        let (state, version) = lock_enrollment(&mut tx, enrollment).await?;
        let next = step(state, EnrollmentEvent::Plan)?;
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
            &by,
            self.now(),
            "enrollment.planned",
            json!({"evaluator": evaluator, "at": at, "standard": standard.code, "version": standard.version,
                   "content_hash": standard.content_hash()}),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, "enrollment", enrollment))
    }

    /// Records (or corrects, before the verdict) the judgement of one element.
    pub async fn record_judgement(
        &self,
        actor: Option<&str>,
        enrollment: i64,
        element: &str,
        competent: bool,
        evidence: Option<&str>,
        feedback: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.db().write().await?;
        let by = require(&mut tx, actor, Role::Evaluator, "record judgements").await?;
        let (state, version) = lock_enrollment(&mut tx, enrollment).await?;
        let next = step(state, EnrollmentEvent::Evidence)?;
        let standard = assigned_standard(&mut tx, enrollment, &by).await?;
        let element = element_of(&standard, element)?;
        set_enrollment_state(&mut tx, enrollment, version, next).await?;
        let now = self.now();
        let judgement = Judgement {
            element,
            competent,
            evidence: evidence.map(str::to_string),
            feedback: feedback.map(str::to_string),
        };
        let event = store_judgements(&mut tx, enrollment, &by, now, std::slice::from_ref(&judgement)).await?;
        crate::audit::append_all(
            &mut tx,
            &by,
            now,
            &[(&enrollment_stream(enrollment), JUDGEMENT, event[0].clone())],
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, "enrollment", enrollment))
    }

    /// Records the juicio: Competent only if every element of the pinned standard was judged
    /// competent (rule 5).
    pub async fn record_verdict(&self, actor: Option<&str>, enrollment: i64) -> Result<VerdictOutcome> {
        let mut tx = self.db().write().await?;
        let by = require(&mut tx, actor, Role::Evaluator, "record verdicts").await?;
        let (state, version) = lock_enrollment(&mut tx, enrollment).await?;
        let judged = step(state, EnrollmentEvent::Verdict)?;
        let standard = assigned_standard(&mut tx, enrollment, &by).await?;
        let outcome = conclude(
            &mut tx,
            &by,
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
            .map_err(|e| super::name_conflict(e, "enrollment", enrollment))?;
        Ok(outcome)
    }

    /// Records the judgement of every element given and the juicio at once, as the evaluator
    /// hands in the whole instrument: one transaction, the same rules and audit events as
    /// [`Engine::record_judgement`] for each element followed by [`Engine::record_verdict`].
    /// Elements judged earlier and not given keep their judgement.
    pub async fn record_evaluation(
        &self,
        actor: Option<&str>,
        enrollment: i64,
        judgements: &[Judgement],
    ) -> Result<VerdictOutcome> {
        let mut tx = self.db().write().await?;
        let by = require(&mut tx, actor, Role::Evaluator, "record evaluations").await?;
        let (state, version) = lock_enrollment(&mut tx, enrollment).await?;
        // The machine walks every judgement, then the verdict: a refusal names the state.
        let mut judged = state;
        for _ in judgements {
            judged = step(judged, EnrollmentEvent::Evidence)?;
        }
        let judged = step(judged, EnrollmentEvent::Verdict)?;
        let standard = assigned_standard(&mut tx, enrollment, &by).await?;
        let mut given: Vec<Judgement> = Vec::with_capacity(judgements.len());
        for j in judgements {
            let element = element_of(&standard, &j.element)?;
            if given.iter().any(|g| g.element == element) {
                return Err(Error::Invalid(format!(
                    "enrollment {enrollment}: element {element} is judged twice; give each element once"
                )));
            }
            given.push(Judgement { element, ..j.clone() });
        }
        let now = self.now();
        let events = store_judgements(&mut tx, enrollment, &by, now, &given).await?;
        let events = events.into_iter().map(|e| (JUDGEMENT, e)).collect();
        let outcome = conclude(&mut tx, &by, enrollment, version, judged, &standard, events, now).await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, "enrollment", enrollment))?;
        Ok(outcome)
    }

    /// Withdraws an in-progress enrollment.
    pub async fn withdraw(&self, actor: Option<&str>, enrollment: i64, reason: &str) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid("--reason must say why the candidate withdrew".into()));
        }
        let mut tx = self.db().write().await?;
        let by = require(&mut tx, actor, Role::Admin, "withdraw enrollments").await?;
        let (state, version) = lock_enrollment(&mut tx, enrollment).await?;
        let next = step(state, EnrollmentEvent::Withdraw)?;
        let reason_field = Field::Text("withdrawn_reason", reason);
        set_enrollment_state_with(&mut tx, enrollment, version, next, &[reason_field]).await?;
        crate::audit::append(
            &mut tx,
            &enrollment_stream(enrollment),
            &by,
            self.now(),
            "enrollment.withdrawn",
            json!({"from": state.as_str(), "reason": reason}),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, "enrollment", enrollment))
    }
}
