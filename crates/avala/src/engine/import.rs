//! Bulk registration from a cohort CSV, read and registered a round of rows at a time, all in
//! one transaction: every row or none.

use super::Engine;
use super::registration::{Institutions, Known, NewCandidate, register_many};
use crate::actor::Actor;
use crate::domain::{Action, Role};
use crate::error::{Error, ImportProblem, Problem, Result};
use crate::import::Encoding;

/// Rows registered per round of statements (SQLite allows 32,766 parameters in one statement,
/// PostgreSQL 65,535; the widest insert takes 8 per row). 100,000 rows: 5.4 s in rounds of
/// 500, 4.9 s in rounds of 1,000.
const IMPORT_CHUNK: usize = 1000;

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    /// The window.
    pub window: i64,
    /// How the file was decoded.
    pub encoding: Encoding,
    /// Rows registered (or that would be).
    pub registered: usize,
    /// Institutions seen for the first time.
    pub new_institutions: usize,
    /// Nothing was written.
    pub dry_run: bool,
}

impl Engine {
    /// Imports a cohort CSV held in memory into `window`; see [`Engine::import_candidates_from`].
    pub async fn import_candidates(
        &self,
        actor: &Actor,
        window: i64,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<ImportOutcome> {
        self.import_candidates_from(actor, window, bytes, dry_run).await
    }

    /// Imports a cohort CSV read from `input` into `window`, a round of rows at a time (memory
    /// does not grow with the file). On any problem nothing is written and every problem is
    /// returned with its line ([`Error::ImportRejected`]). A dry run does the whole import
    /// and rolls it back, so it finds what the real one would.
    pub async fn import_candidates_from<R: std::io::Read + Send>(
        &self,
        actor: &Actor,
        window: i64,
        input: R,
        dry_run: bool,
    ) -> Result<ImportOutcome> {
        let by = actor.staff(Role::Admin, Action::ImportCandidates)?;
        let mut tx = self.db().write().await?;
        let now = self.now();
        let w = super::windows::check_taking(&mut tx, window, now, 0).await?;
        let free = match w.capacity {
            Some(capacity) => {
                let taken = super::windows::places_taken(&mut tx, window).await?;
                super::windows::free_places(Some(capacity), taken).map(|free| (capacity, free))
            }
            None => None,
        };
        let mut problems = Vec::new();
        let mut reader = crate::import::CohortReader::new(input, &mut problems);
        let mut institutions = Institutions::default();
        let mut registered = 0usize;
        // The problem naming the first row over capacity, completed with the count at the end.
        let mut over_capacity: Option<usize> = None;
        while !reader.is_done() {
            let rows = reader.next_rows(IMPORT_CHUNK, &mut problems);
            if rows.is_empty() {
                continue;
            }
            if let Some((_, free)) = free
                && over_capacity.is_none()
                && registered + rows.len() > free
            {
                over_capacity = Some(problems.len());
                problems.push(ImportProblem::new(
                    rows[free - registered].line,
                    None,
                    Problem::MissingValue,
                ));
            }
            registered += rows.len();
            // Who is known already, and who is enrolled in this window (rule 2), a round at a time.
            let identities: Vec<&crate::identity::Identity> = rows.iter().map(|row| &row.identity).collect();
            let known = Known::find(&mut tx, window, &identities).await?;
            for row in &rows {
                if let Some(id) = known.enrollment(&row.identity) {
                    problems.push(ImportProblem::new(
                        row.line,
                        Some(row.identity.kind()),
                        Problem::AlreadyEnrolled {
                            identity: row.identity.value().to_string(),
                            window,
                            enrollment: id,
                        },
                    ));
                }
            }
            // Nothing will be committed once there is a problem: the rest is only checked.
            if problems.is_empty() {
                let chunk: Vec<NewCandidate> = rows.into_iter().map(NewCandidate::from).collect();
                register_many(&mut tx, &mut institutions, by, window, &chunk, known, now).await?;
            }
        }
        if let (Some(at), Some((capacity, free))) = (over_capacity, free) {
            problems[at].problem = Problem::OverCapacity {
                window,
                free,
                capacity,
                rows: registered,
            };
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.line);
            return Err(Error::ImportRejected { problems });
        }
        let outcome = ImportOutcome {
            window,
            encoding: reader.encoding(),
            registered,
            new_institutions: institutions.created(),
            dry_run,
        };
        if dry_run {
            tx.rollback().await?;
            return Ok(outcome);
        }
        crate::audit::append(
            &mut tx,
            &super::window_stream(window),
            by,
            now,
            "window.imported",
            serde_json::json!({"registered": outcome.registered, "encoding": outcome.encoding}),
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }
}
