//! Registration (rule 2) and withdrawal: a candidate enters a window's process and may leave it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{Engine, Field, enrollment_stream, lock_enrollment, set_enrollment_state_with};
use crate::actor::Actor;
use crate::domain::text::{InstitutionName, PersonName};
use crate::domain::{Action, Record, Role};
use crate::error::{Error, Result};
use crate::identity::{Curp, Identity};
use crate::machine::{EnrollmentEvent, EnrollmentState, Lifecycle};
use crate::on;
use crate::store::Tx;

/// A candidate to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCandidate {
    /// CURP or passport.
    pub identity: Identity,
    /// Full name.
    pub name: PersonName,
    /// E-mail (validated by the caller through [`crate::identity::email`]).
    pub email: String,
    /// Institution (obligated subject); created on first sight.
    pub institution: InstitutionName,
    /// Position (cargo).
    pub position: Option<InstitutionName>,
    /// Consent to appear in the public registry.
    pub public_registry: bool,
}

impl NewCandidate {
    /// A candidate from what a person typed: a CURP (or, for a foreign candidate, a passport
    /// number), checked and normalised as the import checks them, and the e-mail checked.
    pub fn from_input(
        curp: Option<&str>,
        passport: Option<&str>,
        name: &str,
        email: &str,
        institution: &str,
        position: Option<&str>,
        public_registry: bool,
    ) -> Result<NewCandidate> {
        let identity = match (curp, passport) {
            (Some(c), _) => Identity::Curp(Curp::parse(c)?),
            (None, Some(p)) => Identity::passport(p)?,
            (None, None) => {
                return Err(Error::Missing {
                    field: crate::domain::Field::Identity,
                });
            }
        };
        use crate::domain::Field;
        Ok(NewCandidate {
            identity,
            name: super::line_of(Field::Name, name)?,
            email: crate::identity::email(email)?,
            institution: super::line_of(Field::Institution, institution)?,
            position: match position {
                Some(p) => super::optional_line_of(Field::Position, p)?,
                None => None,
            },
            public_registry,
        })
    }
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
            identity: c.identity.value().to_string(),
            window,
            enrollment,
        });
    }
    let ids = register_many(tx, institutions, by, window, std::slice::from_ref(c), known, now).await?;
    ids.first()
        .copied()
        .ok_or_else(|| Error::database(format!("{} was not enrolled", c.identity)))
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
                ).bind(c.name.trim()).bind(&c.email).bind(*institution).bind(c.position.as_deref()).bind(c.public_registry).bind(id)
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
                    .bind(*institution).bind(c.position.as_deref()).bind(c.public_registry);
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
                .ok_or_else(|| Error::database(format!("candidate {} was not stored", c.identity)))
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
        q.fetch_all(conn).await.map_err(|e| super::conflict_or(e, Record::Enrollment, window))?
    });
    let enrolled: HashMap<i64, i64> = enrolled.into_iter().collect();
    let enrollment_ids: Vec<i64> = candidate_ids
        .iter()
        .map(|c| {
            enrolled
                .get(c)
                .copied()
                .ok_or_else(|| Error::database(format!("candidate {c} was not enrolled")))
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
                json!({"window": window, "candidate": candidate, "identity_kind": c.identity.kind(),
                       "public_registry": c.public_registry}),
            )
        })
        .collect();
    // The enrollments are new, and so are their streams.
    crate::audit::begin_all(tx, by, now, &events).await?;
    let notices: Vec<crate::jobs::Task> = enrollment_ids
        .iter()
        .map(|id| super::notify(crate::notices::Notice::Registration { enrollment: *id }))
        .collect();
    crate::jobs::enqueue_all(tx, &notices, now).await?;
    Ok(enrollment_ids)
}

impl Engine {
    /// Registers a candidate in an open window (rule 2). Returns the enrollment id.
    pub async fn register(&self, actor: &Actor, window: i64, mut candidate: NewCandidate) -> Result<i64> {
        use crate::domain::Field;
        let by = actor.staff(Role::Admin, Action::RegisterCandidates)?;
        // The text values are checked by their types; empty ones are refused here.
        for (empty, field) in [
            (candidate.name.is_empty(), Field::Name),
            (candidate.institution.is_empty(), Field::Institution),
        ] {
            if empty {
                return Err(Error::Missing { field });
            }
        }
        candidate.position = candidate.position.filter(|p| !p.is_empty());
        crate::identity::email(&candidate.email)?;
        let mut tx = self.db().write().await?;
        let now = self.now();
        super::windows::check_taking(&mut tx, window, now, 1).await?;
        let id = register_in(&mut tx, &mut Institutions::default(), by, window, &candidate, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Withdraws an in-progress enrollment.
    pub async fn withdraw(&self, actor: &Actor, enrollment: i64, reason: &str) -> Result<()> {
        let by = actor.staff(Role::Admin, Action::WithdrawEnrollments)?;
        let reason: crate::domain::text::Reason = super::lines_of(crate::domain::Field::Reason, reason)?;
        let reason = reason.as_str();
        let mut tx = self.db().write().await?;
        let (state, version) = lock_enrollment(&mut tx, enrollment).await?;
        let next = state.apply(EnrollmentEvent::Withdraw)?;
        let reason_field = Field::Text("withdrawn_reason", reason);
        set_enrollment_state_with(&mut tx, enrollment, version, next, &[reason_field]).await?;
        crate::audit::append(
            &mut tx,
            &enrollment_stream(enrollment),
            by,
            self.now(),
            "enrollment.withdrawn",
            json!({"from": state.as_str(), "reason": reason}),
        )
        .await?;
        tx.commit()
            .await
            .map_err(|e| super::name_conflict(e, Record::Enrollment, enrollment))
    }
}
