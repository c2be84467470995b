//! The hash-chained, append-only audit log.
//!
//! Each stream (one enrollment, window, certificate, staff member…) is a chain: an event carries
//! the hash of the one before it in its stream. Events are chained by digest (version 2): an
//! event's hash is SHA-256(previous hash ‖ SHA-256(RFC 8785 canonical JSON of {actor, at, kind,
//! payload, seq, stream, v})), both as raw bytes, so one event's link can be shown without the
//! others' contents (`checkpoint`). Events recorded before (version 1) keep their hash,
//! SHA-256(previous hash in hex ‖ serde_json's compact JSON of {actor, at, kind, payload, seq,
//! stream}), and verify as they were recorded.
//!
//! `verify_against` walks every chain and compares the log with signed checkpoints: files kept
//! outside the database, stream by stream, and the checkpoints stored in it, by their roots.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::checkpoint::{CheckpointFile, DIGEST_CHAINED, Hash, Head, Leaf, Tree};
use crate::error::{Finding, Result};
use crate::on;
use crate::store::{Db, Tx};

/// The previous-hash of the first event of a stream.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An instant as it enters the hash: UTC, microseconds (what both databases keep).
pub fn instant_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Drops sub-microsecond precision so what is hashed is what is stored.
pub fn truncate_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// One event as it is hashed: its fields, and its chain version `v` (1, or [`DIGEST_CHAINED`]).
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// Its stream.
    pub stream: &'a str,
    /// Its place in the stream.
    pub seq: i64,
    /// Who did it.
    pub actor: &'a str,
    /// When.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: &'a str,
    /// Its details, as stored (JSON).
    pub payload: &'a str,
    /// Its chain version.
    pub v: i64,
}

impl Event<'_> {
    /// The event as it is hashed; `v` is in it from version 2 on.
    pub fn value(&self) -> Value {
        let payload: Value = serde_json::from_str(self.payload).unwrap_or(Value::String(self.payload.to_string()));
        let mut body = json!({
            "actor": self.actor,
            "at": instant_text(self.at),
            "kind": self.kind,
            "payload": payload,
            "seq": self.seq,
            "stream": self.stream,
        });
        if let (true, Some(map)) = (self.v >= DIGEST_CHAINED, body.as_object_mut()) {
            map.insert("v".into(), self.v.into());
        }
        body
    }

    /// Its digest (version 2 on): SHA-256 of its canonical JSON.
    pub fn digest(&self) -> Hash {
        crate::checkpoint::event_digest(&self.value())
    }

    /// Its chain hash after `prev`: SHA-256(prev ‖ digest) from version 2 on; before,
    /// SHA-256(prev in hex ‖ serde_json's compact JSON).
    pub fn hash(&self, prev: &str) -> String {
        if self.v >= DIGEST_CHAINED {
            return hex::encode(crate::checkpoint::link(&raw(prev), &self.digest()));
        }
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(self.value().to_string().as_bytes());
        hex::encode(h.finalize())
    }
}

/// A stored hash as raw bytes; one that is not 64 hex digits (only a tampered row has one)
/// becomes the hash of its text, which no honest link matches.
fn raw(hash: &str) -> Hash {
    crate::checkpoint::unhex(hash).unwrap_or_else(|| Sha256::digest(hash.as_bytes()).into())
}

/// Appends one event to `stream` inside the caller's transaction.
pub async fn append(
    tx: &mut Tx,
    stream: &str,
    actor: &str,
    at: DateTime<Utc>,
    kind: &str,
    payload: Value,
) -> Result<()> {
    append_all(tx, actor, at, &[(stream, kind, payload)]).await
}

/// Appends several events, each `(stream, kind, payload)`, in order, inside the caller's
/// transaction: one statement finds where the streams end and one inserts them all, where
/// one event at a time takes two per event.
pub async fn append_all<S: AsRef<str>>(
    tx: &mut Tx,
    actor: &str,
    at: DateTime<Utc>,
    events: &[(S, &str, Value)],
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut streams: Vec<&str> = events.iter().map(|(stream, _, _)| stream.as_ref()).collect();
    streams.sort_unstable();
    streams.dedup();
    let list = crate::store::list(tx.backend(), streams.len());
    let sql = format!(
        "SELECT stream, seq, hash FROM audit_events a WHERE stream IN ({list}) \
         AND seq = (SELECT MAX(seq) FROM audit_events b WHERE b.stream = a.stream)"
    );
    let ends: Vec<(String, i64, String)> = on!(tx, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        for stream in &streams {
            q = q.bind(*stream);
        }
        q.fetch_all(c).await?
    });
    let last = ends
        .into_iter()
        .filter_map(|(stream, seq, hash)| {
            let i = streams.binary_search(&stream.as_str()).ok()?;
            Some((streams[i], (seq, hash)))
        })
        .collect();
    insert(tx, actor, at, events, last).await
}

/// Appends the events of streams that begin here (those of enrollments just created), as
/// [`append_all`] does, without looking up where they end: each starts at sequence 1. Were
/// one not new, the `(stream, seq)` key would refuse the insert, and the transaction with it.
pub async fn begin_all<S: AsRef<str>>(
    tx: &mut Tx,
    actor: &str,
    at: DateTime<Utc>,
    events: &[(S, &str, Value)],
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    insert(tx, actor, at, events, std::collections::HashMap::new()).await
}

/// Inserts `events` in one statement, chaining each to its stream's end in `last` (sequence
/// and hash; a stream not in it is empty so far).
async fn insert<'e, S: AsRef<str>>(
    tx: &mut Tx,
    actor: &str,
    at: DateTime<Utc>,
    events: &'e [(S, &str, Value)],
    mut last: std::collections::HashMap<&'e str, (i64, String)>,
) -> Result<()> {
    let at = truncate_micros(at);
    let mut rows = Vec::with_capacity(events.len());
    for (stream, kind, payload) in events {
        let stream = stream.as_ref();
        let payload = payload.to_string();
        let end = last.entry(stream).or_insert_with(|| (0, GENESIS.to_string()));
        let seq = end.0 + 1;
        let event = Event {
            stream,
            seq,
            actor,
            at,
            kind,
            payload: &payload,
            v: DIGEST_CHAINED,
        };
        let hash = event.hash(&end.1);
        rows.push((
            stream,
            seq,
            *kind,
            payload,
            std::mem::replace(end, (seq, hash.clone())).1,
            hash,
        ));
    }
    // At most 1,000 rows a statement: nine parameters each stay under both databases' limits.
    for rows in rows.chunks(1000) {
        let values = crate::store::values(tx.backend(), rows.len(), 9);
        let sql = format!(
            "INSERT INTO audit_events (stream, seq, actor, at, kind, payload, prev_hash, hash, v) VALUES {values}"
        );
        on!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (stream, seq, kind, payload, prev, hash) in rows {
                q = q.bind(*stream).bind(*seq).bind(actor).bind(at).bind(*kind).bind(payload).bind(prev).bind(hash)
                    .bind(DIGEST_CHAINED);
            }
            q.execute(c).await?.rows_affected()
        });
    }
    Ok(())
}

/// The first broken link found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BrokenLink {
    /// The stream.
    pub stream: String,
    /// The sequence number of the bad event.
    pub seq: i64,
    /// Row id in audit_events.
    pub id: i64,
    /// What is wrong.
    pub problem: LinkProblem,
}

pub use crate::error::LinkProblem;

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditReport {
    /// Events checked.
    pub events: u64,
    /// Streams checked.
    pub streams: u64,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
    /// The checkpoints the log was compared with (`#3` for a stored one, a file's name).
    pub checkpoints: Vec<String>,
    /// What is wrong, in log order (the first [`MAX_FINDINGS`]).
    pub findings: Vec<Finding>,
    /// How many findings in all.
    pub findings_total: u64,
}

/// How many findings a report lists; the rest are counted.
pub const MAX_FINDINGS: usize = 1000;

impl AuditReport {
    fn found(&mut self, finding: Finding) {
        self.findings_total += 1;
        if self.findings.len() < MAX_FINDINGS {
            self.findings.push(finding);
        }
    }
}

/// A checkpoint stored in the database, as [`verify_against`] compares the log with it: by
/// recomputing its root from the events it covered (those up to its last row).
#[derive(Debug, Clone)]
pub struct StoredCheckpoint {
    /// Its number.
    pub id: i64,
    /// What was signed.
    pub head: Head,
}

/// The checkpoints to compare the log with: files (by name), already found to hold together
/// and signed by an issuer key, and stored ones whose signatures hold.
#[derive(Debug, Default)]
pub struct Against<'a> {
    /// Files kept outside the database.
    pub files: &'a [(String, CheckpointFile)],
    /// Stored checkpoints.
    pub stored: &'a [StoredCheckpoint],
}

struct Row {
    id: i64,
    stream: String,
    seq: i64,
    actor: String,
    at: DateTime<Utc>,
    kind: String,
    payload: String,
    prev_hash: String,
    hash: String,
    v: i64,
}

crate::from_row!(Row {
    id,
    stream,
    seq,
    actor,
    at,
    kind,
    payload,
    prev_hash,
    hash,
    v
});

impl Row {
    fn event(&self) -> Event<'_> {
        Event {
            stream: &self.stream,
            seq: self.seq,
            actor: &self.actor,
            at: self.at,
            kind: &self.kind,
            payload: &self.payload,
            v: self.v,
        }
    }
}

/// Walks every stream in order, recomputing each hash. Reads in pages, so memory does not
/// grow with the log.
pub async fn verify(db: &Db) -> Result<AuditReport> {
    verify_against(db, &Against::default()).await
}

/// One stream's events as the walk saw them: row, sequence and hash.
struct Seen {
    stream: String,
    events: Vec<(i64, i64, String)>,
}

/// What the comparison with the checkpoints keeps while the walk goes on.
struct Compare<'a> {
    against: &'a Against<'a>,
    /// For each file, which of its leaves the log still has.
    matched: Vec<Vec<bool>>,
    /// For each stored checkpoint, the tree of its leaves as the log now gives them (the walk
    /// reads the streams in the order of their names' bytes, the leaves' order), and its events.
    trees: Vec<(Tree, u64)>,
}

impl<'a> Compare<'a> {
    fn new(against: &'a Against<'a>) -> Self {
        Compare {
            against,
            matched: against
                .files
                .iter()
                .map(|(_, f)| vec![false; f.streams.len()])
                .collect(),
            trees: against.stored.iter().map(|_| (Tree::default(), 0)).collect(),
        }
    }

    /// A stream the walk finished.
    fn stream(&mut self, seen: &Seen, report: &mut AuditReport) {
        let now = seen.events.last().map(|e| e.1).unwrap_or(0);
        for (f, (name, file)) in self.against.files.iter().enumerate() {
            match file.leaf(&seen.stream) {
                Some((i, leaf)) => {
                    self.matched[f][i] = true;
                    match seen.events.iter().find(|e| e.1 == leaf.length) {
                        Some((_, _, hash)) if *hash != leaf.head => report.found(Finding::HeadChanged {
                            checkpoint: name.clone(),
                            stream: seen.stream.clone(),
                            seq: leaf.length,
                        }),
                        Some(_) => {}
                        None => report.found(Finding::StreamShortened {
                            checkpoint: name.clone(),
                            stream: seen.stream.clone(),
                            length: leaf.length,
                            now,
                        }),
                    }
                }
                None if seen.events.iter().any(|e| e.0 <= file.checkpoint.last_event) => {
                    report.found(Finding::StreamAdded {
                        checkpoint: name.clone(),
                        stream: seen.stream.clone(),
                    })
                }
                None => {}
            }
        }
        for (c, stored) in self.against.stored.iter().enumerate() {
            let covered = seen.events.iter().filter(|e| e.0 <= stored.head.last_event);
            let (count, last) = covered.fold((0u64, None), |(n, _), e| (n + 1, Some(e)));
            if let Some((_, seq, hash)) = last {
                let leaf = Leaf {
                    stream: seen.stream.clone(),
                    length: *seq,
                    head: hash.clone(),
                };
                self.trees[c].0.push(leaf.hash());
                self.trees[c].1 += count;
            }
        }
    }

    /// The walk is over: what the checkpoints had that the log no longer has.
    fn finish(self, report: &mut AuditReport) {
        for (f, (name, file)) in self.against.files.iter().enumerate() {
            for (leaf, _) in file.streams.iter().zip(&self.matched[f]).filter(|(_, m)| !**m) {
                report.found(Finding::StreamMissing {
                    checkpoint: name.clone(),
                    stream: leaf.stream.clone(),
                    length: leaf.length,
                });
            }
        }
        for (stored, (tree, events)) in self.against.stored.iter().zip(&self.trees) {
            if hex::encode(tree.root()) != stored.head.root
                || tree.size() != stored.head.streams
                || *events != stored.head.events
            {
                report.found(Finding::RootChanged {
                    checkpoint: format!("#{}", stored.id),
                });
            }
        }
    }
}

/// Walks every stream in order, recomputing each hash, and compares what it finds with the
/// checkpoints given: each file's leaves stream by stream (named: which stream is gone,
/// shorter or rewritten), each stored checkpoint's root. A broken link is reported and the
/// walk goes on from it. Reads in pages, so memory grows only with the checkpoints' leaves.
pub async fn verify_against(db: &Db, against: &Against<'_>) -> Result<AuditReport> {
    let mut report = AuditReport {
        events: 0,
        streams: 0,
        broken: None,
        checkpoints: against
            .stored
            .iter()
            .map(|c| format!("#{}", c.id))
            .chain(against.files.iter().map(|(name, _)| name.clone()))
            .collect(),
        findings: Vec::new(),
        findings_total: 0,
    };
    let mut compare = Compare::new(against);
    // Streams in the order of their names' bytes: SQLite's binary collation; on PostgreSQL,
    // "C" and its index (migration 0007), whatever the database's own collation.
    let page = match db.backend() {
        crate::store::Backend::Sqlite => {
            "SELECT id, stream, seq, actor, at, kind, payload, prev_hash, hash, v FROM audit_events \
             WHERE stream > $1 OR (stream = $1 AND seq > $2) ORDER BY stream, seq LIMIT 5000"
        }
        crate::store::Backend::Postgres => {
            "SELECT id, stream, seq, actor, at, kind, payload, prev_hash, hash, v FROM audit_events \
             WHERE (stream COLLATE \"C\", seq) > ($1, $2) ORDER BY stream COLLATE \"C\", seq LIMIT 5000"
        }
    };
    let mut after: (String, i64) = (String::new(), 0);
    let mut seen: Option<Seen> = None;
    let mut prev_hash = GENESIS.to_string();
    let mut expected_seq = 1;
    loop {
        let mut tx = db.read().await?;
        let rows: Vec<Row> = on!(&mut tx, c => sqlx::query_as(page)
            .bind(&after.0).bind(after.1).fetch_all(c).await?);
        tx.commit().await?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            if seen.as_ref().map(|s| s.stream.as_str()) != Some(r.stream.as_str()) {
                if let Some(done) = seen.take() {
                    if done.stream.as_bytes() >= r.stream.as_bytes() {
                        return Err(crate::error::Error::database(
                            "audit_events is not read in the order of stream names",
                        ));
                    }
                    compare.stream(&done, &mut report);
                }
                seen = Some(Seen {
                    stream: r.stream.clone(),
                    events: Vec::new(),
                });
                prev_hash = GENESIS.to_string();
                expected_seq = 1;
                report.streams += 1;
            }
            let problem = if r.seq != expected_seq {
                Some(LinkProblem::Gap { expected: expected_seq })
            } else if r.prev_hash != prev_hash {
                Some(LinkProblem::PreviousHash)
            } else if r.event().hash(&r.prev_hash) != r.hash {
                Some(LinkProblem::Altered)
            } else {
                None
            };
            if let Some(problem) = problem {
                let link = BrokenLink {
                    stream: r.stream.clone(),
                    seq: r.seq,
                    id: r.id,
                    problem: problem.clone(),
                };
                report.broken.get_or_insert(link);
                report.found(Finding::Link {
                    stream: r.stream.clone(),
                    seq: r.seq,
                    row: r.id,
                    problem,
                });
            }
            report.events += 1;
            prev_hash = r.hash.clone();
            expected_seq = r.seq + 1;
            if let Some(s) = seen.as_mut() {
                s.events.push((r.id, r.seq, r.hash));
            }
            after = (r.stream, r.seq);
        }
    }
    if let Some(done) = seen.take() {
        compare.stream(&done, &mut report);
    }
    compare.finish(&mut report);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_every_field() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        // A version-1 event's hash, as it was recorded.
        let event_hash = |prev: &str, stream: &str, seq: i64, actor: &str, at, kind: &str, payload: &str| {
            Event {
                stream,
                seq,
                actor,
                at,
                kind,
                payload,
                v: 1,
            }
            .hash(prev)
        };
        let base = event_hash(GENESIS, "enrollment:1", 1, "admin", at, "registered", r#"{"a":1}"#);
        assert_eq!(base.len(), 64);
        assert_ne!(
            base,
            event_hash(GENESIS, "enrollment:2", 1, "admin", at, "registered", r#"{"a":1}"#)
        );
        assert_ne!(
            base,
            event_hash(GENESIS, "enrollment:1", 2, "admin", at, "registered", r#"{"a":1}"#)
        );
        assert_ne!(
            base,
            event_hash(GENESIS, "enrollment:1", 1, "eva", at, "registered", r#"{"a":1}"#)
        );
        assert_ne!(
            base,
            event_hash(GENESIS, "enrollment:1", 1, "admin", at, "registered", r#"{"a":2}"#)
        );
        assert_ne!(
            base,
            event_hash(&base, "enrollment:1", 1, "admin", at, "registered", r#"{"a":1}"#)
        );
        // Key order in the stored payload does not matter: the hash is over canonical JSON.
        assert_eq!(
            event_hash(GENESIS, "s", 1, "a", at, "k", r#"{"x":1,"y":2}"#),
            event_hash(GENESIS, "s", 1, "a", at, "k", r#"{"y":2,"x":1}"#)
        );
    }
}
