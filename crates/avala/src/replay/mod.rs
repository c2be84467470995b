//! The read model replayed: each enrollment's, certificate's and window's state rebuilt from
//! its audit events and compared, field by field, with the tables.
//!
//! The chain walk ([`crate::audit::verify`]) shows the log was not changed; this shows the
//! tables still say what the log says, so a score, a state, a verdict or a folio changed in
//! the tables alone is named. The state after each event comes from the state machines, the
//! other fields from the events' payloads. Where an event written by an earlier version lacks
//! a field (the registry consent before it was logged), that field is *not checkable* for
//! that record: counted and said, never called a difference.
//!
//! Bounded memory: the events are read in pages in (stream, seq) order, inside one read
//! transaction (one snapshot); each finished stream joins a batch, and each batch is compared
//! with its table rows in one statement. What grows with the database is the set of the
//! records seen (to find rows no stream records) and each candidate's latest consent.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

mod fold;

use fold::{CertificateLog, EnrollmentLog, Open, WindowLog, open, standard_name};

use crate::error::Result;
use crate::on;
use crate::store::{Db, Tx};

/// How many differences a report lists; it counts them all.
pub const SHOWN: usize = 1000;
/// Events read per statement.
const PAGE: i64 = 5000;
/// Records compared per statement.
const BATCH: usize = 1000;
/// Certificates found in the log and not in the table kept to be paired with rows under another
/// folio (a folio changed in the table); past this, they are reported unpaired.
const LOST: usize = 100_000;

/// The kinds of record replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An enrollment (`enrollment:ID`).
    Enrollment,
    /// A certificate (`certificate:FOLIO`).
    Certificate,
    /// A registration window (`window:ID`).
    Window,
    /// A candidate (their registry consent, from their latest registration).
    Candidate,
}

/// What differs about one record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Found {
    /// A field whose value in the table is not the one the log implies.
    Differs {
        /// The field (the table's column; `judgement E0001` for an element's judgement).
        field: String,
        /// What the log says (none: no value).
        log: Option<String>,
        /// What the table says (none: no value).
        table: Option<String>,
    },
    /// The log records it; the table has no such row.
    NotInTable,
    /// The table has the row; no stream of the log records it.
    NotInLog,
}

/// One difference between the tables and the log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Difference {
    /// The kind of record.
    pub record: Kind,
    /// Its id (a folio for a certificate).
    pub id: String,
    /// What differs.
    #[serde(flatten)]
    pub found: Found,
}

/// A field that could not be checked for some records: their events predate it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotCheckable {
    /// The kind of record.
    pub record: Kind,
    /// The field.
    pub field: &'static str,
    /// How many records.
    pub records: u64,
}

/// Records compared with their table row, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Checked {
    /// Enrollments.
    pub enrollments: u64,
    /// Certificates.
    pub certificates: u64,
    /// Windows.
    pub windows: u64,
    /// Candidates whose consent was checked.
    pub candidates: u64,
}

/// What [`replay`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReplayReport {
    /// Records compared.
    pub checked: Checked,
    /// Fields not checkable, and for how many records.
    pub not_checkable: Vec<NotCheckable>,
    /// The first [`SHOWN`] differences.
    pub differences: Vec<Difference>,
    /// How many differences in all.
    pub total_differences: u64,
}

impl ReplayReport {
    /// Do the tables say what the log says?
    pub fn matches(&self) -> bool {
        self.total_differences == 0
    }
}

/// An instant as a report shows it.
fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

struct Event {
    stream: String,
    seq: i64,
    at: DateTime<Utc>,
    kind: String,
    payload: String,
}

crate::from_row!(Event {
    stream,
    seq,
    at,
    kind,
    payload
});

struct EnrollmentRow {
    id: i64,
    window_id: i64,
    candidate_id: i64,
    state: String,
    registered_at: DateTime<Utc>,
    diagnostic_score: Option<i64>,
    standard_id: Option<i64>,
    evaluator_id: Option<String>,
    evaluation_at: Option<DateTime<Utc>>,
    verdict: Option<String>,
    verdict_at: Option<DateTime<Utc>>,
    dictamen_batch_id: Option<i64>,
    procede: Option<bool>,
    dictamen_at: Option<DateTime<Utc>>,
    withdrawn_reason: Option<String>,
    delivered_at: Option<DateTime<Utc>>,
    delivery_error: Option<String>,
}

crate::from_row!(EnrollmentRow {
    id,
    window_id,
    candidate_id,
    state,
    registered_at,
    diagnostic_score,
    standard_id,
    evaluator_id,
    evaluation_at,
    verdict,
    verdict_at,
    dictamen_batch_id,
    procede,
    dictamen_at,
    withdrawn_reason,
    delivered_at,
    delivery_error
});

struct CertificateRow {
    folio: String,
    enrollment_id: i64,
    state: String,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    supersedes_id: Option<i64>,
    superseded_by: Option<String>,
    revoked_reason: Option<String>,
    revoked_at: Option<DateTime<Utc>>,
    pdf_sha256: Option<String>,
}

crate::from_row!(CertificateRow {
    folio,
    enrollment_id,
    state,
    issued_at,
    expires_at,
    supersedes_id,
    superseded_by,
    revoked_reason,
    revoked_at,
    pdf_sha256
});

const CERTIFICATES: &str = "SELECT c.folio, c.enrollment_id, c.state, c.issued_at, c.expires_at, c.supersedes_id, \
     n.folio AS superseded_by, c.revoked_reason, c.revoked_at, c.pdf_sha256 \
     FROM certificates c LEFT JOIN certificates n ON n.id = c.superseded_by_id";

struct WindowRow {
    id: i64,
    standard_code: String,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    tz: String,
    capacity: Option<i64>,
    state: String,
}

crate::from_row!(WindowRow {
    id,
    standard_code,
    opens_at,
    closes_at,
    tz,
    capacity,
    state
});

/// Compares one record's fields, adding what differs (and what cannot be checked) to the report.
struct Compare<'a> {
    replay: &'a mut Replayer,
    record: Kind,
    id: String,
    unknown: &'a [&'static str],
}

impl Compare<'_> {
    fn field<T: PartialEq>(
        &mut self,
        field: &'static str,
        log: Option<T>,
        table: Option<T>,
        show: impl Fn(T) -> String,
    ) {
        if self.unknown.contains(&field) {
            *self.replay.not_checkable.entry((self.record, field)).or_default() += 1;
        } else if log != table {
            let found = Found::Differs {
                field: field.to_string(),
                log: log.map(&show),
                table: table.map(&show),
            };
            self.replay.differ(self.record, self.id.clone(), found);
        }
    }

    fn text(&mut self, field: &'static str, log: Option<String>, table: Option<String>) {
        self.field(field, log, table, |t| t);
    }

    fn int(&mut self, field: &'static str, log: Option<i64>, table: Option<i64>) {
        self.field(field, log, table, |n| n.to_string());
    }

    fn time(&mut self, field: &'static str, log: Option<DateTime<Utc>>, table: Option<DateTime<Utc>>) {
        self.field(field, log, table, instant);
    }
}

/// The walk's state: the batches waiting for their rows, what was seen, the report.
struct Replayer {
    /// Standards by id, as a report names them.
    standards: HashMap<i64, String>,
    enrollments: Vec<EnrollmentLog>,
    certificates: Vec<CertificateLog>,
    windows: Vec<WindowLog>,
    seen_enrollments: HashSet<i64>,
    seen_certificates: HashSet<String>,
    seen_windows: HashSet<i64>,
    /// Each candidate's latest enrollment and the consent it registered.
    consent: HashMap<i64, (i64, Option<bool>)>,
    /// Certificates of the log with no row of their folio, to pair with rows under another.
    lost: Vec<CertificateLog>,
    not_checkable: BTreeMap<(Kind, &'static str), u64>,
    report: ReplayReport,
}

impl Replayer {
    fn differ(&mut self, record: Kind, id: String, found: Found) {
        self.report.total_differences += 1;
        if self.report.differences.len() < SHOWN {
            self.report.differences.push(Difference { record, id, found });
        }
    }

    fn compare<'a>(&'a mut self, record: Kind, id: String, unknown: &'a [&'static str]) -> Compare<'a> {
        Compare {
            replay: self,
            record,
            id,
            unknown,
        }
    }

    /// A stream folded to its end.
    async fn close(&mut self, tx: &mut Tx, folded: Open) -> Result<()> {
        match folded {
            Open::Enrollment(e) => {
                self.seen_enrollments.insert(e.id);
                if let Some(candidate) = e.candidate {
                    let latest = self.consent.entry(candidate).or_insert((e.id, e.consent));
                    if latest.0 <= e.id {
                        *latest = (e.id, e.consent);
                    }
                }
                self.enrollments.push(e);
                if self.enrollments.len() >= BATCH {
                    self.enrollment_batch(tx).await?;
                }
            }
            Open::Certificate(c) => {
                self.seen_certificates.insert(c.folio.clone());
                self.certificates.push(c);
                if self.certificates.len() >= BATCH {
                    self.certificate_batch(tx).await?;
                }
            }
            Open::Window(w) => {
                self.seen_windows.insert(w.id);
                self.windows.push(w);
                if self.windows.len() >= BATCH {
                    self.window_batch(tx).await?;
                }
            }
            Open::Other => {}
        }
        Ok(())
    }

    async fn enrollment_batch(&mut self, tx: &mut Tx) -> Result<()> {
        let batch = std::mem::take(&mut self.enrollments);
        if batch.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT e.id, e.window_id, e.candidate_id, e.state, e.registered_at, e.diagnostic_score, e.standard_id, \
             e.evaluator_id, e.evaluation_at, e.verdict, e.verdict_at, e.dictamen_batch_id, b.procede, e.dictamen_at, \
             e.withdrawn_reason, e.delivered_at, e.delivery_error FROM enrollments e \
             LEFT JOIN dictamen_batches b ON b.id = e.dictamen_batch_id WHERE e.id IN ({})",
            crate::store::list(tx.backend(), batch.len())
        );
        let rows: Vec<EnrollmentRow> = on!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for e in &batch {
                q = q.bind(e.id);
            }
            q.fetch_all(c).await?
        });
        let mut rows: HashMap<i64, EnrollmentRow> = rows.into_iter().map(|r| (r.id, r)).collect();
        let sql = format!(
            "SELECT enrollment_id, element_code, competent FROM element_judgements WHERE enrollment_id IN ({})",
            crate::store::list(tx.backend(), batch.len())
        );
        let judged: Vec<(i64, String, bool)> = on!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for e in &batch {
                q = q.bind(e.id);
            }
            q.fetch_all(c).await?
        });
        let mut judgements: HashMap<i64, BTreeMap<String, bool>> = HashMap::new();
        for (enrollment, element, competent) in judged {
            judgements.entry(enrollment).or_default().insert(element, competent);
        }
        for log in batch {
            let Some(row) = rows.remove(&log.id) else {
                self.differ(Kind::Enrollment, log.id.to_string(), Found::NotInTable);
                continue;
            };
            self.report.checked.enrollments += 1;
            let standard = row.standard_id.and_then(|id| self.standards.get(&id).cloned());
            // The consent is the candidate's, compared once for their latest registration.
            let unknown: Vec<&'static str> = log
                .unknown
                .iter()
                .copied()
                .filter(|f| *f != "public_registry")
                .collect();
            let mut c = self.compare(Kind::Enrollment, log.id.to_string(), &unknown);
            c.text("state", log.state.shown(), Some(row.state));
            c.int("window_id", log.window, Some(row.window_id));
            c.int("candidate_id", log.candidate, Some(row.candidate_id));
            c.time("registered_at", log.registered_at, Some(row.registered_at));
            c.int("diagnostic_score", log.diagnostic_score, row.diagnostic_score);
            c.text("evaluator_id", log.evaluator, row.evaluator_id);
            c.time("evaluation_at", log.evaluation_at, row.evaluation_at);
            c.text("standard", log.standard, standard);
            c.text("verdict", log.verdict, row.verdict);
            c.time("verdict_at", log.verdict_at, row.verdict_at);
            let procede = |p: bool| if p { "procede" } else { "no procede" }.to_string();
            c.field("dictamen", log.dictamen, row.procede, procede);
            c.int("dictamen_batch_id", log.dictamen_batch, row.dictamen_batch_id);
            c.time("dictamen_at", log.dictamen_at, row.dictamen_at);
            c.text("withdrawn_reason", log.withdrawn_reason, row.withdrawn_reason);
            c.time("delivered_at", log.delivered_at, row.delivered_at);
            c.text("delivery_error", log.delivery_error, row.delivery_error);
            let table = judgements.remove(&log.id).unwrap_or_default();
            let elements: std::collections::BTreeSet<&String> = log.judgements.keys().chain(table.keys()).collect();
            for element in elements {
                let (logged, stored) = (log.judgements.get(element).copied(), table.get(element).copied());
                if logged != stored {
                    let shown = |competent: bool| if competent { "competent" } else { "not_yet_competent" }.to_string();
                    let found = Found::Differs {
                        field: format!("judgement {element}"),
                        log: logged.map(shown),
                        table: stored.map(shown),
                    };
                    self.differ(Kind::Enrollment, log.id.to_string(), found);
                }
            }
        }
        Ok(())
    }

    async fn certificate_batch(&mut self, tx: &mut Tx) -> Result<()> {
        let batch = std::mem::take(&mut self.certificates);
        if batch.is_empty() {
            return Ok(());
        }
        let mut rows = certificate_rows(tx, batch.iter().map(|c| c.folio.as_str())).await?;
        for log in batch {
            match rows.remove(&log.folio) {
                Some(row) => self.certificate(log, row),
                None if self.lost.len() < LOST => self.lost.push(log),
                None => self.differ(Kind::Certificate, log.folio, Found::NotInTable),
            }
        }
        Ok(())
    }

    fn certificate(&mut self, log: CertificateLog, row: CertificateRow) {
        self.report.checked.certificates += 1;
        let mut c = self.compare(Kind::Certificate, log.folio.clone(), &[]);
        c.text("folio", Some(log.folio), Some(row.folio));
        c.text("state", log.state.shown(), Some(row.state));
        c.int("enrollment_id", log.enrollment, Some(row.enrollment_id));
        c.time("issued_at", log.issued_at, Some(row.issued_at));
        c.time("expires_at", log.expires_at, Some(row.expires_at));
        c.int("supersedes_id", log.supersedes, row.supersedes_id);
        c.text("superseded_by", log.superseded_by, row.superseded_by);
        c.text("revoked_reason", log.revoked_reason, row.revoked_reason);
        c.time("revoked_at", log.revoked_at, row.revoked_at);
        c.text("pdf_sha256", log.pdf_sha256, row.pdf_sha256);
    }

    async fn window_batch(&mut self, tx: &mut Tx) -> Result<()> {
        let batch = std::mem::take(&mut self.windows);
        if batch.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT id, standard_code, opens_at, closes_at, tz, capacity, state FROM windows WHERE id IN ({})",
            crate::store::list(tx.backend(), batch.len())
        );
        let rows: Vec<WindowRow> = on!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for w in &batch {
                q = q.bind(w.id);
            }
            q.fetch_all(c).await?
        });
        let mut rows: HashMap<i64, WindowRow> = rows.into_iter().map(|r| (r.id, r)).collect();
        for log in batch {
            let Some(row) = rows.remove(&log.id) else {
                self.differ(Kind::Window, log.id.to_string(), Found::NotInTable);
                continue;
            };
            self.report.checked.windows += 1;
            let mut c = self.compare(Kind::Window, log.id.to_string(), &[]);
            c.text("state", log.state.shown(), Some(row.state));
            c.text("standard_code", log.standard, Some(row.standard_code));
            c.time("opens_at", log.opens_at, Some(row.opens_at));
            c.time("closes_at", log.closes_at, Some(row.closes_at));
            c.text("tz", log.tz, Some(row.tz));
            c.int("capacity", log.capacity, row.capacity);
        }
        Ok(())
    }

    /// Each candidate's consent, from their latest registration, against the table.
    async fn consents(&mut self, tx: &mut Tx) -> Result<()> {
        let consent: Vec<(i64, Option<bool>)> = self.consent.drain().map(|(id, (_, c))| (id, c)).collect();
        for chunk in consent.chunks(BATCH) {
            let sql = format!(
                "SELECT id, public_registry FROM candidates WHERE id IN ({})",
                crate::store::list(tx.backend(), chunk.len())
            );
            let rows: Vec<(i64, bool)> = on!(tx, c => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                for (id, _) in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(c).await?
            });
            let rows: HashMap<i64, bool> = rows.into_iter().collect();
            for &(id, logged) in chunk {
                let Some(&table) = rows.get(&id) else {
                    self.differ(Kind::Candidate, id.to_string(), Found::NotInTable);
                    continue;
                };
                if logged.is_some() {
                    self.report.checked.candidates += 1;
                }
                let unknown: &[&'static str] = if logged.is_none() { &["public_registry"] } else { &[] };
                let mut c = self.compare(Kind::Candidate, id.to_string(), unknown);
                c.field("public_registry", logged, Some(table), |b| b.to_string());
            }
        }
        Ok(())
    }

    /// The rows no stream records: enrollments and windows by id; certificates by folio, each
    /// paired, if it can be, with a certificate of the log that has no row (the same enrollment
    /// and instant of issue: its folio was changed in the table).
    async fn unrecorded(&mut self, tx: &mut Tx) -> Result<()> {
        for (table, kind) in [("enrollments", Kind::Enrollment), ("windows", Kind::Window)] {
            let sql = format!("SELECT id FROM {table} WHERE id > $1 ORDER BY id LIMIT {PAGE}");
            let mut after = 0;
            loop {
                let ids: Vec<i64> = on!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(after).fetch_all(c).await?);
                let Some(&last) = ids.last() else { break };
                after = last;
                let seen = match kind {
                    Kind::Enrollment => &self.seen_enrollments,
                    _ => &self.seen_windows,
                };
                let unseen: Vec<i64> = ids.into_iter().filter(|id| !seen.contains(id)).collect();
                for id in unseen {
                    self.differ(kind, id.to_string(), Found::NotInLog);
                }
            }
        }
        let mut lost: HashMap<(i64, DateTime<Utc>), CertificateLog> = HashMap::new();
        for log in std::mem::take(&mut self.lost) {
            match (log.enrollment, log.issued_at) {
                (Some(enrollment), Some(at)) if !lost.contains_key(&(enrollment, at)) => {
                    lost.insert((enrollment, at), log);
                }
                _ => self.differ(Kind::Certificate, log.folio, Found::NotInTable),
            }
        }
        let mut after = String::new();
        loop {
            let rows: Vec<(String, i64, DateTime<Utc>)> = on!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT folio, enrollment_id, issued_at FROM certificates WHERE folio > $1 ORDER BY folio LIMIT {PAGE}"
            ))).bind(&after).fetch_all(c).await?);
            let Some(last) = rows.last() else { break };
            after = last.0.clone();
            let mut paired = Vec::new();
            for (folio, enrollment, at) in rows {
                if self.seen_certificates.contains(&folio) {
                    continue;
                }
                match lost.remove(&(enrollment, at)) {
                    Some(log) => paired.push((folio, log)),
                    None => self.differ(Kind::Certificate, folio, Found::NotInLog),
                }
            }
            if !paired.is_empty() {
                let mut rows = certificate_rows(tx, paired.iter().map(|(folio, _)| folio.as_str())).await?;
                for (folio, log) in paired {
                    if let Some(row) = rows.remove(&folio) {
                        self.certificate(log, row);
                    }
                }
            }
        }
        let mut unpaired: Vec<CertificateLog> = lost.into_values().collect();
        unpaired.sort_by(|a, b| a.folio.cmp(&b.folio));
        for log in unpaired {
            self.differ(Kind::Certificate, log.folio, Found::NotInTable);
        }
        Ok(())
    }
}

/// The certificates of `folios`, by folio, in one statement.
async fn certificate_rows<'f>(
    tx: &mut Tx,
    folios: impl Iterator<Item = &'f str>,
) -> Result<HashMap<String, CertificateRow>> {
    let folios: Vec<&str> = folios.collect();
    let sql = format!(
        "{CERTIFICATES} WHERE c.folio IN ({})",
        crate::store::list(tx.backend(), folios.len())
    );
    let rows: Vec<CertificateRow> = on!(tx, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        for folio in &folios {
            q = q.bind(*folio);
        }
        q.fetch_all(c).await?
    });
    Ok(rows.into_iter().map(|r| (r.folio.clone(), r)).collect())
}

/// Rebuilds every enrollment, certificate and window from its events and compares each with
/// its row (and each candidate's consent with their latest registration), in one snapshot.
pub async fn replay(db: &Db) -> Result<ReplayReport> {
    let mut tx = db.read().await?;
    if let Tx::Postgres(t) = &mut tx {
        // One snapshot for the whole walk: the log and the tables as of one instant.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut **t)
            .await?;
    }
    let standards: Vec<(i64, String, String)> =
        on!(&mut tx, c => sqlx::query_as("SELECT id, code, version FROM standards").fetch_all(c).await?);
    let mut replayer = Replayer {
        standards: standards
            .into_iter()
            .map(|(id, code, version)| (id, standard_name(&code, &version)))
            .collect(),
        enrollments: Vec::new(),
        certificates: Vec::new(),
        windows: Vec::new(),
        seen_enrollments: HashSet::new(),
        seen_certificates: HashSet::new(),
        seen_windows: HashSet::new(),
        consent: HashMap::new(),
        lost: Vec::new(),
        not_checkable: BTreeMap::new(),
        report: ReplayReport::default(),
    };
    let mut after: (String, i64) = (String::new(), 0);
    let mut current: Option<(String, Open)> = None;
    loop {
        let events: Vec<Event> = on!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT stream, seq, at, kind, payload FROM audit_events WHERE (stream, seq) > ($1, $2) \
             ORDER BY stream, seq LIMIT {PAGE}"
        ))).bind(&after.0).bind(after.1).fetch_all(c).await?);
        if events.is_empty() {
            break;
        }
        for e in events {
            if current.as_ref().map(|(stream, _)| stream.as_str()) != Some(e.stream.as_str()) {
                if let Some((_, folded)) = current.take() {
                    replayer.close(&mut tx, folded).await?;
                }
                current = Some((e.stream.clone(), open(&e.stream)));
            }
            if let Some((_, folded)) = &mut current {
                let needed = !matches!(folded, Open::Other);
                let payload: Value = if needed {
                    serde_json::from_str(&e.payload).unwrap_or(Value::Null)
                } else {
                    Value::Null
                };
                match folded {
                    Open::Enrollment(log) => log.apply(&e.kind, e.at, &payload),
                    Open::Certificate(log) => log.apply(&e.kind, e.at, &payload),
                    Open::Window(log) => log.apply(&e.kind, &payload),
                    Open::Other => {}
                }
            }
            after = (e.stream, e.seq);
        }
    }
    if let Some((_, folded)) = current.take() {
        replayer.close(&mut tx, folded).await?;
    }
    replayer.enrollment_batch(&mut tx).await?;
    replayer.certificate_batch(&mut tx).await?;
    replayer.window_batch(&mut tx).await?;
    replayer.consents(&mut tx).await?;
    replayer.unrecorded(&mut tx).await?;
    tx.commit().await?;
    let mut report = replayer.report;
    report.not_checkable = replayer
        .not_checkable
        .into_iter()
        .map(|((record, field), records)| NotCheckable { record, field, records })
        .collect();
    Ok(report)
}
