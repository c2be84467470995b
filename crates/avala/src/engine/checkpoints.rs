//! Signed checkpoints of the audit log, the log checked against them, and inclusion proofs of
//! one event (the formats are `checkpoint`'s).

use chrono::{DateTime, Utc};
use serde_json::json;

use super::Engine;
use super::keys::PinnedKey;
use crate::actor::Actor;
use crate::audit::{AuditReport, StoredCheckpoint, instant_text, truncate_micros};
use crate::checkpoint::{
    CheckpointFile, DIGEST_CHAINED, FILE_FORMAT, Hash, Head, Leaf, PROOF_FORMAT, Proof, ProvenEvent, path,
};
use crate::config::Config;
use crate::domain::{Action, Role};
use crate::error::{Error, Finding, ForgeProblem, Result, Unprovable};
use crate::on;
use crate::store::{Backend, Tx};

/// A stored checkpoint, as listed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckpointRow {
    /// Its number.
    pub id: i64,
    /// When it was taken.
    pub at: DateTime<Utc>,
    /// The last event row it covers.
    pub last_event: i64,
    /// Streams.
    pub streams: i64,
    /// Events.
    pub events: i64,
    /// Merkle root, hex.
    pub root: String,
    /// The key that signed it.
    pub key_id: String,
    /// Its signature, base64url.
    pub signature: String,
}

crate::from_row!(CheckpointRow {
    id,
    at,
    last_event,
    streams,
    events,
    root,
    key_id,
    signature
});

impl CheckpointRow {
    /// What it signed.
    pub fn head(&self) -> Head {
        Head {
            v: 1,
            root: self.root.clone(),
            streams: self.streams as u64,
            events: self.events as u64,
            last_event: self.last_event,
            at: instant_text(self.at),
            key_id: self.key_id.clone(),
        }
    }
}

/// What a proof that holds says.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProofChecked {
    /// The event's stream.
    pub stream: String,
    /// Its sequence.
    pub seq: i64,
    /// What happened.
    pub kind: String,
    /// When.
    pub at: String,
    /// The checkpoint's time.
    pub checkpoint_at: String,
    /// Its root.
    pub root: String,
    /// The key that signed it.
    pub key_id: String,
}

/// Checks a proof (its JSON text) with no database: the event leads to the signed root, and
/// the root is signed by one of `trusted`, the issuer's public keys.
pub fn check_proof(text: &str, trusted: &[ed25519_dalek::VerifyingKey]) -> Result<ProofChecked> {
    use crate::error::ProofProblem;
    let proof: Proof = serde_json::from_str(text).map_err(|e| Error::ProofFails {
        problem: ProofProblem::Format { detail: e.to_string() },
    })?;
    let key = proof.check().map_err(|problem| Error::ProofFails { problem })?;
    if !trusted.contains(&key) {
        return Err(Error::ProofFails {
            problem: ProofProblem::UnknownKey {
                key_id: proof.checkpoint.key_id.clone(),
            },
        });
    }
    Ok(ProofChecked {
        stream: proof.event.stream,
        seq: proof.event.seq,
        kind: proof.event.kind,
        at: proof.event.at,
        checkpoint_at: proof.checkpoint.at,
        root: proof.checkpoint.root,
        key_id: proof.checkpoint.key_id,
    })
}

/// Who may take a checkpoint: an administrator, or the runner on its daily round.
fn taker(actor: &Actor) -> Result<String> {
    match actor {
        Actor::Runner(name) => Ok(name.clone()),
        other => other.staff(Role::Admin, Action::VerifyAudit).map(str::to_string),
    }
}

/// Every stream's length and head among the events up to row `last`, sorted by name.
async fn leaves_upto(tx: &mut Tx, last: i64) -> Result<Vec<Leaf>> {
    let sql = match tx.backend() {
        // SQLite gives a bare column of the row holding MAX().
        Backend::Sqlite => "SELECT stream, MAX(seq) AS seq, hash FROM audit_events WHERE id <= $1 GROUP BY stream",
        Backend::Postgres => {
            "SELECT DISTINCT ON (stream) stream, seq, hash FROM audit_events WHERE id <= $1 ORDER BY stream, seq DESC"
        }
    };
    let rows: Vec<(String, i64, String)> = on!(tx, c => sqlx::query_as(sql).bind(last).fetch_all(c).await?);
    let mut leaves: Vec<Leaf> = rows
        .into_iter()
        .map(|(stream, length, head)| Leaf { stream, length, head })
        .collect();
    leaves.sort_unstable_by(|a, b| a.stream.as_bytes().cmp(b.stream.as_bytes()));
    Ok(leaves)
}

async fn public_key_in(tx: &mut Tx, key_id: &str) -> Result<Option<String>> {
    Ok(
        on!(tx, c => sqlx::query_scalar("SELECT public_key FROM issuer_keys WHERE key_id = $1")
        .bind(key_id).fetch_optional(c).await?),
    )
}

/// Stored checkpoint `id` as a file, inside `tx` (see [`Engine::checkpoint_file`]).
pub(super) async fn file_in(tx: &mut Tx, id: i64) -> Result<CheckpointFile> {
    let row = on!(tx, c => sqlx::query_as::<_, CheckpointRow>(
        "SELECT id, at, last_event, streams, events, root, key_id, signature FROM audit_checkpoints WHERE id = $1"
    ).bind(id).fetch_optional(c).await?)
    .ok_or_else(|| Error::not_found(crate::domain::Record::Checkpoint, id))?;
    let head = row.head();
    let public_key = public_key_in(tx, &head.key_id)
        .await?
        .ok_or_else(|| Error::CheckpointForged {
            checkpoint: format!("#{id}"),
            problem: ForgeProblem::UnknownKey {
                key_id: head.key_id.clone(),
            },
        })?;
    let streams = leaves_upto(tx, head.last_event).await?;
    let file = CheckpointFile {
        format: FILE_FORMAT.into(),
        id,
        checkpoint: head,
        signature: row.signature,
        public_key,
        streams,
    };
    let text = serde_json::to_string(&file).unwrap_or_default();
    CheckpointFile::parse(&text).map_err(|problem| match problem {
        ForgeProblem::Root => Error::CheckpointStale { checkpoint: id },
        problem => Error::CheckpointForged {
            checkpoint: format!("#{id}"),
            problem,
        },
    })
}

/// Whether a checkpoint is due at `now`: the latest is `every` old, or there is none and the
/// log's first event is.
async fn due(tx: &mut Tx, now: DateTime<Utc>, every: chrono::Duration) -> Result<bool> {
    let latest: Option<DateTime<Utc>> =
        on!(tx, c => sqlx::query_scalar("SELECT MAX(at) FROM audit_checkpoints").fetch_one(c).await?);
    let since = match latest {
        Some(at) => Some(at),
        // The first event by row (the primary key), not MIN(at), which would read the whole log
        // at every round until the first checkpoint.
        None => {
            on!(tx, c => sqlx::query_scalar("SELECT at FROM audit_events ORDER BY id LIMIT 1").fetch_optional(c).await?)
        }
    };
    Ok(since.is_some_and(|since| now - since >= every))
}

fn hashes(leaves: &[Leaf]) -> Vec<Hash> {
    leaves.iter().map(Leaf::hash).collect()
}

impl Engine {
    /// Takes a signed checkpoint of the whole log: every stream's length and head under one
    /// Merkle root, signed with the issuer key, stored (append-only) and returned whole, to be
    /// kept outside the database. On PostgreSQL the log is locked against appends while it is
    /// read, so that the events up to its last row are exactly the ones it saw.
    pub async fn take_checkpoint(&self, actor: &Actor, key: &PinnedKey, config: &Config) -> Result<CheckpointFile> {
        self.checkpoint_unless(actor, key, config, None)
            .await?
            .ok_or_else(|| Error::database("no checkpoint was taken"))
    }

    /// The runner's round: a checkpoint when the latest is `checkpoint_hours` old (or, before
    /// the first, when the log's first event is), e-mailed; `None` when none is due. The
    /// signing key is only asked for when one is.
    pub async fn checkpoint_if_due(&self, actor: &Actor, config: &Config) -> Result<Option<CheckpointFile>> {
        let hours = config.settings.checkpoint_hours;
        if hours == 0 {
            return Ok(None);
        }
        let every = chrono::Duration::hours(i64::from(hours));
        let mut tx = self.db().read().await?;
        let due = due(&mut tx, self.now(), every).await?;
        tx.commit().await?;
        if !due {
            return Ok(None);
        }
        let key = self.signing_key(actor, config).await?;
        self.checkpoint_unless(actor, &key, config, Some(every)).await
    }

    /// Takes a checkpoint, unless `every` is given and one is not due (checked again once the
    /// log is locked, so two runners take one between them).
    async fn checkpoint_unless(
        &self,
        actor: &Actor,
        key: &PinnedKey,
        config: &Config,
        every: Option<chrono::Duration>,
    ) -> Result<Option<CheckpointFile>> {
        let by = taker(actor)?;
        let at = truncate_micros(self.now());
        let mut tx = self.db().write().await?;
        if tx.backend() == Backend::Postgres {
            // Checkpoints one at a time; appends wait while the log is read.
            on!(&mut tx, c => sqlx::query("LOCK TABLE audit_checkpoints IN EXCLUSIVE MODE").execute(c).await?.rows_affected());
            on!(&mut tx, c => sqlx::query("LOCK TABLE audit_events IN SHARE MODE").execute(c).await?.rows_affected());
        }
        if let Some(every) = every
            && !due(&mut tx, at, every).await?
        {
            return Ok(None);
        }
        let (last, events): (Option<i64>, i64) =
            on!(&mut tx, c => sqlx::query_as("SELECT MAX(id), COUNT(*) FROM audit_events").fetch_one(c).await?);
        let last = last.unwrap_or(0);
        let leaves = leaves_upto(&mut tx, last).await?;
        let head = Head {
            v: 1,
            root: hex::encode(crate::checkpoint::root_of(&hashes(&leaves))),
            streams: leaves.len() as u64,
            events: events as u64,
            last_event: last,
            at: instant_text(at),
            key_id: key.id().to_string(),
        };
        let signature = head.sign(key.signing());
        let id: i64 = on!(&mut tx, c => sqlx::query_scalar(
            "INSERT INTO audit_checkpoints (at, last_event, streams, events, root, key_id, signature) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        ).bind(at).bind(last).bind(leaves.len() as i64).bind(events).bind(&head.root).bind(&head.key_id)
            .bind(&signature).fetch_one(c).await?);
        crate::audit::append(
            &mut tx,
            &format!("checkpoint:{id}"),
            &by,
            at,
            "audit.checkpoint",
            json!({"root": head.root, "streams": head.streams, "events": head.events, "last_event": last}),
        )
        .await?;
        // Copies outside the database: e-mailed to the administrators and the oversight address.
        let notice = super::notify(crate::notices::Notice::Checkpoint {
            id,
            oversight: config.settings.oversight_email.clone(),
        });
        crate::jobs::enqueue(&mut tx, notice, at).await?;
        tx.commit().await?;
        Ok(Some(CheckpointFile {
            format: FILE_FORMAT.into(),
            id,
            checkpoint: head,
            signature,
            public_key: hex::encode(key.verifying().as_bytes()),
            streams: leaves,
        }))
    }

    /// The stored checkpoints, oldest first.
    pub async fn checkpoints(&self, actor: &Actor) -> Result<Vec<CheckpointRow>> {
        taker(actor)?;
        self.stored_checkpoints().await
    }

    async fn stored_checkpoints(&self) -> Result<Vec<CheckpointRow>> {
        let mut tx = self.db().read().await?;
        let rows = on!(&mut tx, c => sqlx::query_as::<_, CheckpointRow>(
            "SELECT id, at, last_event, streams, events, root, key_id, signature FROM audit_checkpoints ORDER BY id"
        ).fetch_all(c).await?);
        tx.commit().await?;
        Ok(rows)
    }

    /// A stored checkpoint as a file, its leaves read from the log as it is now: refused when
    /// they no longer give its signed root (the log changed since).
    pub async fn checkpoint_file(&self, actor: &Actor, id: i64) -> Result<CheckpointFile> {
        taker(actor)?;
        let mut tx = self.db().read().await?;
        let file = file_in(&mut tx, id).await;
        tx.commit().await?;
        file
    }

    async fn public_key_of(&self, key_id: &str) -> Result<Option<String>> {
        let mut tx = self.db().read().await?;
        let key = public_key_in(&mut tx, key_id).await;
        tx.commit().await?;
        key
    }

    /// Reads a checkpoint file (its text, named `name`): refused as forged unless it holds
    /// together and is signed by a key of the issuer's key set.
    pub async fn read_checkpoint(&self, name: &str, text: &str) -> Result<CheckpointFile> {
        let forged = |problem| Error::CheckpointForged {
            checkpoint: name.to_string(),
            problem,
        };
        let file = CheckpointFile::parse(text).map_err(forged)?;
        if self.public_key_of(&file.checkpoint.key_id).await?.as_deref() != Some(file.public_key.as_str()) {
            return Err(forged(ForgeProblem::UnknownKey {
                key_id: file.checkpoint.key_id.clone(),
            }));
        }
        Ok(file)
    }

    /// Walks every chain of the audit log and compares it with every stored checkpoint and
    /// with each checkpoint file given (read with [`Engine::read_checkpoint`]).
    pub async fn verify_audit_against(&self, actor: &Actor, files: &[(String, CheckpointFile)]) -> Result<AuditReport> {
        actor.staff(Role::Admin, Action::VerifyAudit)?;
        let keys = self.issuer_keys().await?;
        let mut stored = Vec::new();
        let mut forged = Vec::new();
        for row in self.stored_checkpoints().await? {
            let head = row.head();
            let checked = match keys.iter().find(|k| k.key_id == head.key_id) {
                Some(k) => head.check_signature(&k.public_key, &row.signature).map(|_| ()),
                None => Err(ForgeProblem::UnknownKey {
                    key_id: head.key_id.clone(),
                }),
            };
            match checked {
                Ok(()) => stored.push(StoredCheckpoint { id: row.id, head }),
                Err(problem) => forged.push(Finding::Forged {
                    checkpoint: format!("#{}", row.id),
                    problem,
                }),
            }
        }
        let against = crate::audit::Against { files, stored: &stored };
        let mut report = crate::audit::verify_against(self.db(), &against).await?;
        report.findings_total += forged.len() as u64;
        report.findings.extend(forged);
        Ok(report)
    }

    /// An inclusion proof of event `seq` of `stream` in a checkpoint: the file given, else the
    /// latest stored one (whose leaves are read from the log, and must still give its root).
    pub async fn prove_event(
        &self,
        actor: &Actor,
        stream: &str,
        seq: i64,
        file: Option<CheckpointFile>,
    ) -> Result<Proof> {
        actor.staff(Role::Admin, Action::VerifyAudit)?;
        let unprovable = |why| Error::NotProvable {
            stream: stream.to_string(),
            seq,
            why,
        };
        type EventRow = (i64, String, DateTime<Utc>, String, String, String, String, i64);
        let mut tx = self.db().read().await?;
        let events: Vec<EventRow> = on!(&mut tx, c => sqlx::query_as(
            "SELECT seq, actor, at, kind, payload, prev_hash, hash, v FROM audit_events \
             WHERE stream = $1 AND seq >= $2 ORDER BY seq"
        ).bind(stream).bind(seq).fetch_all(c).await?);
        tx.commit().await?;
        if events.first().map(|e| e.0) != Some(seq) {
            return Err(unprovable(Unprovable::NoSuchEvent));
        }
        let file = match file {
            Some(file) => file,
            None => {
                let latest = self
                    .stored_checkpoints()
                    .await?
                    .pop()
                    .ok_or_else(|| unprovable(Unprovable::NoCheckpoint))?;
                self.checkpoint_file(actor, latest.id).await.map_err(|e| match e {
                    Error::CheckpointStale { checkpoint } => unprovable(Unprovable::LogChanged { checkpoint }),
                    e => e,
                })?
            }
        };
        let (index, leaf) = file
            .leaf(stream)
            .ok_or_else(|| unprovable(Unprovable::AfterCheckpoint { length: 0 }))?;
        if seq > leaf.length {
            return Err(unprovable(Unprovable::AfterCheckpoint { length: leaf.length }));
        }
        let covered: Vec<&EventRow> = events.iter().filter(|e| e.0 <= leaf.length).collect();
        if let Some(old) = covered.iter().find(|e| e.7 < DIGEST_CHAINED) {
            return Err(unprovable(Unprovable::Version1 { seq: old.0 }));
        }
        let changed = || unprovable(Unprovable::LogChanged { checkpoint: file.id });
        let mut digests = Vec::with_capacity(covered.len());
        let mut chain = crate::checkpoint::unhex(&covered[0].5).ok_or_else(changed)?;
        for (s, actor, at, kind, payload, _, hash, v) in &covered {
            let digest = crate::audit::Event {
                stream,
                seq: *s,
                actor,
                at: *at,
                kind,
                payload,
                v: *v,
            }
            .digest();
            chain = crate::checkpoint::link(&chain, &digest);
            if hex::encode(chain) != *hash {
                return Err(changed());
            }
            digests.push(digest);
        }
        if hex::encode(chain) != leaf.head || covered.len() as i64 != leaf.length - seq + 1 {
            return Err(changed());
        }
        let (_, actor_name, at, kind, payload, prev, _, v) = covered[0];
        let proof = Proof {
            format: PROOF_FORMAT.into(),
            event: ProvenEvent {
                actor: actor_name.clone(),
                at: instant_text(*at),
                kind: kind.clone(),
                payload: serde_json::from_str(payload).unwrap_or(serde_json::Value::String(payload.clone())),
                seq,
                stream: stream.to_string(),
                v: *v,
            },
            prev: prev.clone(),
            later: digests[1..].iter().map(hex::encode).collect(),
            leaf: leaf.clone(),
            index: index as u64,
            path: path(&hashes(&file.streams), index).iter().map(hex::encode).collect(),
            checkpoint: file.checkpoint.clone(),
            signature: file.signature.clone(),
            public_key: file.public_key.clone(),
        };
        proof.check().map_err(|problem| Error::ProofFails { problem })?;
        Ok(proof)
    }
}
