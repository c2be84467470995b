//! The hash-chained, append-only audit log.
//!
//! Each stream (one enrollment, window, certificate, staff member…) is a chain: an event carries
//! the hash of the one before it in its stream, and its own hash is
//! SHA-256(previous hash ‖ canonical JSON of {actor, at, kind, payload, seq, stream}).
//! Canonical JSON is serde_json's compact form of a `Value`, whose maps keep keys sorted.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::Result;
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

/// The hash of one event.
pub fn event_hash(
    prev: &str,
    stream: &str,
    seq: i64,
    actor: &str,
    at: DateTime<Utc>,
    kind: &str,
    payload: &str,
) -> String {
    let payload: Value = serde_json::from_str(payload).unwrap_or(Value::String(payload.to_string()));
    let body = json!({
        "actor": actor,
        "at": instant_text(at),
        "kind": kind,
        "payload": payload,
        "seq": seq,
        "stream": stream,
    });
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(body.to_string().as_bytes());
    hex::encode(h.finalize())
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
        let hash = event_hash(&end.1, stream, seq, actor, at, kind, &payload);
        rows.push((
            stream,
            seq,
            *kind,
            payload,
            std::mem::replace(end, (seq, hash.clone())).1,
            hash,
        ));
    }
    let values = crate::store::values(tx.backend(), rows.len(), 8);
    let sql =
        format!("INSERT INTO audit_events (stream, seq, actor, at, kind, payload, prev_hash, hash) VALUES {values}");
    on!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for (stream, seq, kind, payload, prev, hash) in &rows {
            q = q.bind(*stream).bind(*seq).bind(actor).bind(at).bind(*kind).bind(payload).bind(prev).bind(hash);
        }
        q.execute(c).await?.rows_affected()
    });
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
    hash
});

/// Walks every stream in order, recomputing each hash; stops at the first broken link.
/// Reads in pages, so memory does not grow with the log.
pub async fn verify(db: &Db) -> Result<AuditReport> {
    let mut report = AuditReport {
        events: 0,
        streams: 0,
        broken: None,
    };
    let mut after: (String, i64) = (String::new(), 0);
    let mut prev_stream: Option<String> = None;
    let mut prev_hash = GENESIS.to_string();
    let mut expected_seq = 1;
    loop {
        let mut tx = db.read().await?;
        let rows: Vec<Row> = on!(&mut tx, c => sqlx::query_as(
            "SELECT id, stream, seq, actor, at, kind, payload, prev_hash, hash FROM audit_events \
             WHERE stream > $1 OR (stream = $1 AND seq > $2) ORDER BY stream, seq LIMIT 5000"
        ).bind(&after.0).bind(after.1).fetch_all(c).await?);
        tx.commit().await?;
        if rows.is_empty() {
            return Ok(report);
        }
        for r in rows {
            if prev_stream.as_deref() != Some(r.stream.as_str()) {
                prev_stream = Some(r.stream.clone());
                prev_hash = GENESIS.to_string();
                expected_seq = 1;
                report.streams += 1;
            }
            let broken = |problem: LinkProblem| BrokenLink {
                stream: r.stream.clone(),
                seq: r.seq,
                id: r.id,
                problem,
            };
            let problem = if r.seq != expected_seq {
                Some(LinkProblem::Gap { expected: expected_seq })
            } else if r.prev_hash != prev_hash {
                Some(LinkProblem::PreviousHash)
            } else if event_hash(&r.prev_hash, &r.stream, r.seq, &r.actor, r.at, &r.kind, &r.payload) != r.hash {
                Some(LinkProblem::Altered)
            } else {
                None
            };
            if let Some(problem) = problem {
                report.broken = Some(broken(problem));
                return Ok(report);
            }
            report.events += 1;
            prev_hash = r.hash.clone();
            expected_seq += 1;
            after = (r.stream, r.seq);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_every_field() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
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
