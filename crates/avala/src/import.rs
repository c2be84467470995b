//! Reading a cohort CSV: header required, columns in any order, every problem with its line.
//!
//! Columns: `curp, name, email, institution, position, public_registry`, plus an optional
//! `passport` column for foreign candidates without a CURP (a row gives one or the other).
//! The file is UTF-8 (with or without BOM); anything that is not valid UTF-8 is decoded as
//! Windows-1252, which is what Excel writes in Mexican offices, and the caller is told so.

use std::collections::HashMap;
use std::fmt;

use crate::identity::{Curp, Identity, email};

/// How the file's bytes were decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8.
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// Not UTF-8: decoded as Windows-1252.
    Windows1252,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Windows1252 => "Windows-1252",
        })
    }
}

pub use crate::error::{ImportProblem, Problem};

/// One valid row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateRow {
    /// Line in the file.
    pub line: u64,
    /// CURP or passport.
    pub identity: Identity,
    /// Full name as written.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Institution (obligated subject) name.
    pub institution: String,
    /// Position (cargo), if given.
    pub position: Option<String>,
    /// Consent to appear in the public registry.
    pub public_registry: bool,
}

/// The result of reading a whole file: the valid rows and every problem found.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// How the bytes were decoded.
    pub encoding: Encoding,
    /// Rows without problems.
    pub rows: Vec<CandidateRow>,
    /// Every problem, in line order.
    pub problems: Vec<ImportProblem>,
}

const REQUIRED: [&str; 5] = ["name", "email", "institution", "position", "public_registry"];
const KNOWN: [&str; 7] = [
    "curp",
    "passport",
    "name",
    "email",
    "institution",
    "position",
    "public_registry",
];

/// Parses a yes/no cell of `public_registry`.
fn parse_consent(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Some(false),
        "si" | "sí" | "s" | "yes" | "y" | "true" | "1" | "x" => Some(true),
        _ => None,
    }
}

/// Reads a whole cohort file held in memory. Never fails: unreadable parts become problems.
pub fn parse(bytes: &[u8]) -> Parsed {
    let mut problems = Vec::new();
    let mut reader = CohortReader::new(bytes, &mut problems);
    let mut rows = Vec::new();
    while !reader.is_done() {
        rows.extend(reader.next_rows(1024, &mut problems));
    }
    Parsed {
        encoding: reader.encoding(),
        rows,
        problems,
    }
}

/// Reads a cohort file row by row from any reader, so a file of any size is held a few rows
/// at a time. Never fails: unreadable parts become problems, in line order.
///
/// Each row is decoded on its own: UTF-8 when it is, Windows-1252 otherwise (an Excel file is
/// plain ASCII in most rows and Windows-1252 in the rest; the two agree on ASCII).
pub struct CohortReader<R: std::io::Read> {
    reader: csv::Reader<std::io::BufReader<R>>,
    width: usize,
    index: HashMap<String, usize>,
    /// Each identity's first line, by the identity's [`digest`]: a second row with it is
    /// refused (kept for the whole file, about 30 bytes a row).
    seen: HashMap<[u8; 16], u64>,
    encoding: Encoding,
    record: csv::ByteRecord,
    done: bool,
}

/// A cell's text: UTF-8 if it is, Windows-1252 otherwise (and `legacy` is set).
fn decode_cell<'a>(bytes: &'a [u8], legacy: &mut bool) -> std::borrow::Cow<'a, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            *legacy = true;
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0
        }
    }
}

impl<R: std::io::Read> CohortReader<R> {
    /// Starts reading `input` and reads its header; a problem with the header is added to
    /// `problems` and ends the reading.
    pub fn new(input: R, problems: &mut Vec<ImportProblem>) -> Self {
        use std::io::BufRead;
        let mut input = std::io::BufReader::with_capacity(64 * 1024, input);
        let mut encoding = Encoding::Utf8;
        if let Ok(head) = input.fill_buf()
            && head.starts_with(b"\xEF\xBB\xBF")
        {
            input.consume(3);
            encoding = Encoding::Utf8Bom;
        }
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut this = CohortReader {
            reader,
            width: 0,
            index: HashMap::new(),
            seen: HashMap::new(),
            encoding,
            record: csv::ByteRecord::new(),
            done: true,
        };
        let before = problems.len();
        let mut header = csv::ByteRecord::new();
        let headers: Vec<String> = match this.reader.read_byte_record(&mut header) {
            Ok(_) => {
                let mut legacy = false;
                let names = header
                    .iter()
                    .map(|h| decode_cell(h, &mut legacy).trim().to_lowercase())
                    .collect();
                if legacy {
                    this.encoding = Encoding::Windows1252;
                }
                names
            }
            Err(e) => {
                problems.push(ImportProblem::new(
                    1,
                    None,
                    Problem::UnreadableHeader { detail: e.to_string() },
                ));
                return this;
            }
        };
        if headers.iter().all(|h| h.is_empty()) {
            problems.push(ImportProblem::new(
                1,
                None,
                Problem::EmptyFile {
                    columns: cohort_columns(),
                },
            ));
            return this;
        }
        this.index = columns(&headers, &KNOWN, &REQUIRED, problems);
        // (No column known at all is one problem already: the first line is not a header.)
        if !this.index.is_empty() && !this.index.contains_key("curp") && !this.index.contains_key("passport") {
            problems.push(ImportProblem::new(1, Some("curp"), Problem::NoIdentityColumn));
        }
        this.width = headers.len();
        this.done = problems.len() > before;
        this
    }

    /// How the rows read so far were decoded.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// True once the whole file was read (or its header was unusable).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Reads up to `n` valid rows; the problems of the rows read are added to `problems`.
    /// Fewer than `n` (perhaps none) once the file ends.
    pub fn next_rows(&mut self, n: usize, problems: &mut Vec<ImportProblem>) -> Vec<CandidateRow> {
        let mut rows = Vec::with_capacity(n.min(4096));
        while rows.len() < n && !self.done {
            let line = self.reader.position().line();
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => self.done = true,
                Ok(true) => {
                    if let Some(row) = self.row(line, problems) {
                        rows.push(row);
                    }
                }
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(line);
                    problems.push(ImportProblem::new(
                        line,
                        None,
                        Problem::UnreadableRow { detail: e.to_string() },
                    ));
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        self.done = true;
                    }
                }
            }
        }
        rows
    }

    /// Checks the record just read: the row, or its problems added to `problems`.
    fn row(&mut self, line: u64, problems: &mut Vec<ImportProblem>) -> Option<CandidateRow> {
        let record = &self.record;
        let line = record.position().map(|p| p.line()).unwrap_or(line);
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            return None;
        }
        if record.len() != self.width {
            problems.push(ImportProblem::new(
                line,
                None,
                Problem::FieldCount {
                    found: record.len(),
                    expected: self.width,
                },
            ));
            return None;
        }
        let mut legacy = false;
        let mut cell = |name: &str| -> String {
            self.index
                .get(name)
                .and_then(|&i| record.get(i))
                .map(|bytes| decode_cell(bytes, &mut legacy).trim().to_string())
                .unwrap_or_default()
        };
        let name = cell("name");
        let institution = cell("institution");
        let email_cell = cell("email");
        let (curp, passport) = (cell("curp"), cell("passport"));
        let consent = cell("public_registry");
        let position = cell("position");
        if legacy {
            self.encoding = Encoding::Windows1252;
        }
        let before = problems.len();
        for (value, column) in [(&name, "name"), (&institution, "institution"), (&email_cell, "email")] {
            if value.is_empty() {
                problems.push(ImportProblem::new(line, Some(column), Problem::MissingValue));
            }
        }
        let email = if email_cell.is_empty() {
            None
        } else {
            match email(&email_cell) {
                Ok(e) => Some(e),
                Err(e) => {
                    problems.push(ImportProblem::new(line, Some("email"), Problem::Identity(e)));
                    None
                }
            }
        };
        let identity = match (curp.as_str(), passport.as_str()) {
            ("", "") => {
                problems.push(ImportProblem::new(line, Some("curp"), Problem::MissingIdentity));
                None
            }
            (curp, "") => match Curp::parse(curp) {
                Ok(c) => Some(Identity::Curp(c)),
                Err(e) => {
                    problems.push(ImportProblem::new(line, Some("curp"), Problem::Identity(e)));
                    None
                }
            },
            ("", passport) => match Identity::passport(passport) {
                Ok(p) => Some(p),
                Err(e) => {
                    problems.push(ImportProblem::new(line, Some("passport"), Problem::Identity(e)));
                    None
                }
            },
            (_, _) => {
                problems.push(ImportProblem::new(line, Some("passport"), Problem::BothIdentities));
                None
            }
        };
        let public_registry = parse_consent(&consent).unwrap_or_else(|| {
            problems.push(ImportProblem::new(
                line,
                Some("public_registry"),
                Problem::NotYesNo { value: consent.clone() },
            ));
            false
        });
        if let Some(identity) = &identity {
            let key = digest(identity);
            if let Some(first) = self.seen.get(&key) {
                problems.push(ImportProblem::new(
                    line,
                    Some(identity.kind()),
                    Problem::Duplicate {
                        identity: identity.value().to_string(),
                        first: *first,
                    },
                ));
            } else {
                self.seen.insert(key, line);
            }
        }
        match (identity, email) {
            (Some(identity), Some(email)) if problems.len() == before => Some(CandidateRow {
                line,
                identity,
                name,
                email,
                institution,
                position: Some(position).filter(|p| !p.is_empty()),
                public_registry,
            }),
            _ => None,
        }
    }
}

/// An identity as 128 bits of its SHA-256: what the import keeps of each row to find
/// duplicates, a quarter of the identity itself. Two different identities share a digest with
/// a probability of about 10⁻²⁹ in a file of 100,000 rows.
fn digest(identity: &Identity) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let hash = Sha256::new()
        .chain_update(identity.kind())
        .chain_update([0])
        .chain_update(identity.value())
        .finalize();
    let mut key = [0; 16];
    key.copy_from_slice(&hash[..16]);
    key
}

/// Checks a header (names trimmed and lowercased) against the columns a file may have and
/// those it must have, adding a problem on line 1 for each unknown, repeated or missing
/// column; gives where each known column is.
fn columns(
    headers: &[String],
    known: &[&str],
    required: &[&str],
    problems: &mut Vec<ImportProblem>,
) -> HashMap<String, usize> {
    let mut index = HashMap::new();
    let names = || known.iter().map(|k| k.to_string()).collect::<Vec<_>>();
    if !headers.iter().any(|h| known.contains(&h.as_str())) {
        // A file without its header (the first line is a row): one problem, not one per cell.
        problems.push(ImportProblem::new(1, None, Problem::NotAHeader { columns: names() }));
        return index;
    }
    for (i, h) in headers.iter().enumerate() {
        if !known.contains(&h.as_str()) {
            problems.push(ImportProblem::new(
                1,
                Some(h),
                Problem::UnknownColumn { columns: names() },
            ));
        } else if index.insert(h.clone(), i).is_some() {
            problems.push(ImportProblem::new(1, Some(h), Problem::ColumnTwice));
        }
    }
    for r in required {
        if !index.contains_key(*r) {
            problems.push(ImportProblem::new(1, Some(r), Problem::MissingColumn));
        }
    }
    index
}

/// Reads an evaluation instrument: one row per element, columns `element, competent`, and
/// optionally `evidence, feedback` (any order). `competent` is sí/competent/yes/true/1 or
/// no/not yet competent/false/0. Every problem is returned with its line.
pub fn judgements(bytes: &[u8]) -> std::result::Result<Vec<crate::domain::Judgement>, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_lowercase()).collect(),
        Err(e) => {
            return Err(vec![ImportProblem::new(
                1,
                None,
                Problem::UnreadableHeader { detail: e.to_string() },
            )]);
        }
    };
    const COLUMNS: [&str; 4] = ["element", "competent", "evidence", "feedback"];
    let index = columns(&headers, &COLUMNS, &["element", "competent"], &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let column = |name: &str| index.get(name).copied();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(ImportProblem::new(
                    line,
                    None,
                    Problem::UnreadableRow { detail: e.to_string() },
                ));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let cell = |name: &str| {
            column(name)
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let Some(element) = cell("element") else {
            problems.push(ImportProblem::new(line, Some("element"), Problem::MissingValue));
            continue;
        };
        let competent = match cell("competent").map(|v| v.to_lowercase().replace('_', " ")) {
            None => {
                problems.push(ImportProblem::new(line, Some("competent"), Problem::MissingValue));
                continue;
            }
            Some(v) => match v.as_str() {
                "competent" | "competente" => true,
                "not yet competent" | "todavía no competente" | "todavia no competente" | "aún no competente" => {
                    false
                }
                other => match parse_consent(other) {
                    Some(yes) => yes,
                    None => {
                        problems.push(ImportProblem::new(
                            line,
                            Some("competent"),
                            Problem::NotAJudgement {
                                value: other.to_string(),
                            },
                        ));
                        continue;
                    }
                },
            },
        };
        out.push(crate::domain::Judgement {
            element: element.to_string(),
            competent,
            evidence: cell("evidence").map(str::to_string),
            feedback: cell("feedback").map(str::to_string),
        });
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(ImportProblem::new(2, None, Problem::NoJudgements));
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// The columns of a cohort file, as problems name them.
fn cohort_columns() -> Vec<String> {
    KNOWN.iter().map(|k| k.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "curp,name,email,institution,position,public_registry\n";

    #[test]
    fn reads_valid_rows_in_any_column_order() {
        let csv = "name,curp,institution,email,public_registry,position\n\
                   Gloria Hernández García,HEGG560427MVZRRL04,Municipio de Xalapa,gloria@example.mx,sí,Titular\n\
                   Nicolás Pérez,,Instituto Electoral,nico@example.mx,,\n";
        let csv = csv.replace(",,Instituto", ",X,Instituto");
        let parsed = parse(csv.as_bytes());
        // Row 3 has an invalid CURP "X".
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.rows[0].name, "Gloria Hernández García");
        assert!(parsed.rows[0].public_registry);
        assert_eq!(parsed.rows[0].line, 2);
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].line, 3);
        assert_eq!(parsed.problems[0].column.as_deref(), Some("curp"));
        assert_eq!(parsed.encoding, Encoding::Utf8);
    }

    #[test]
    fn a_file_without_its_header_is_one_problem() {
        let csv = "HEGG560427MVZRRL04,Gloria,g@example.mx,Inst,Titular,no\n";
        let parsed = parse(csv.as_bytes());
        assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
        assert_eq!(parsed.problems[0].line, 1);
        assert!(
            matches!(parsed.problems[0].problem, Problem::NotAHeader { .. }),
            "{:?}",
            parsed.problems[0]
        );
        let problems = judgements(b"E0001,competente\n").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            matches!(problems[0].problem, Problem::NotAHeader { .. }),
            "{:?}",
            problems[0]
        );
        // A header with a known column but not all: each missing one is named.
        let problems = judgements(b"element,evidence,element\nE0001,x,E0001\n").unwrap_err();
        let named: Vec<_> = problems.iter().map(|p| (p.column.as_deref(), &p.problem)).collect();
        assert!(named.contains(&(Some("element"), &Problem::ColumnTwice)), "{named:?}");
        assert!(
            named.contains(&(Some("competent"), &Problem::MissingColumn)),
            "{named:?}"
        );
    }

    #[test]
    fn every_bad_line_is_reported() {
        let csv = format!(
            "{HEADER}HEGG560427MVZRRL05,Ana,ana@example.mx,Inst,,no\n\
             PXNE660720HMCXTN06,,pxne@example.mx,Inst,,no\n\
             MAHJ280603MSPRRV09,Juan,not-an-email,Inst,,no\n\
             MAHJ280603MSPRRV09,Juan,juan@example.mx,Inst,,quizá\n\
             HEGG560427MVZRRL04,Gloria,g@example.mx,Inst,,no\n\
             HEGG560427MVZRRL04,Gloria,g@example.mx,Inst,,no\n\
             too,few\n"
        );
        let parsed = parse(csv.as_bytes());
        let lines: Vec<(u64, Option<&str>)> = parsed.problems.iter().map(|p| (p.line, p.column.as_deref())).collect();
        assert_eq!(
            lines,
            vec![
                (2, Some("curp")),
                (3, Some("name")),
                (4, Some("email")),
                (5, Some("public_registry")),
                (5, Some("curp")),
                (7, Some("curp")),
                (8, None)
            ]
        );
        assert!(
            matches!(parsed.problems[4].problem, Problem::Duplicate { first: 4, .. }),
            "{:?}",
            parsed.problems[4]
        );
        assert!(
            matches!(parsed.problems[5].problem, Problem::Duplicate { first: 6, .. }),
            "{:?}",
            parsed.problems[5]
        );
    }

    #[test]
    fn header_problems_stop_early() {
        let parsed = parse(b"curp,nombre,email\nHEGG560427MVZRRL04,Ana,a@b.mx\n");
        assert!(parsed.rows.is_empty());
        assert!(parsed.problems.iter().all(|p| p.line == 1));
        assert!(parsed.problems.iter().any(|p| p.column.as_deref() == Some("nombre")));
        assert!(
            parsed
                .problems
                .iter()
                .any(|p| p.column.as_deref() == Some("institution"))
        );
        assert_eq!(parse(b"").problems.len(), 1);
    }

    #[test]
    fn bom_and_windows_1252_are_decoded() {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(format!("{HEADER}HEGG560427MVZRRL04,Ana,a@b.mx,Inst,,no\n").as_bytes());
        let parsed = parse(&bom);
        assert_eq!(parsed.encoding, Encoding::Utf8Bom);
        assert_eq!(parsed.rows.len(), 1);

        let mut latin = HEADER.as_bytes().to_vec();
        latin.extend_from_slice(b"HEGG560427MVZRRL04,Mar\xEDa Pe\xF1a,a@b.mx,Secretar\xEDa,,no\n");
        let parsed = parse(&latin);
        assert_eq!(parsed.encoding, Encoding::Windows1252);
        assert_eq!(parsed.rows[0].name, "María Peña");
        assert_eq!(parsed.rows[0].institution, "Secretaría");
    }

    #[test]
    fn passport_rows_for_foreign_candidates() {
        let csv = "curp,passport,name,email,institution,position,public_registry\n\
                   ,G12345678,John Smith,john@example.com,Inst,,no\n\
                   HEGG560427MVZRRL04,G12345678,Both,b@example.com,Inst,,no\n";
        let parsed = parse(csv.as_bytes());
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.rows[0].identity, Identity::Passport("G12345678".into()));
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].line, 3);
    }

    #[test]
    fn an_instrument_reads_every_element_and_names_bad_lines() {
        let good = "element,competent,evidence,feedback\nE0001,sí,Portafolio completo,\ne0002,not yet competent,Incompleto,Reforzar\n";
        let read = judgements(good.as_bytes()).unwrap();
        assert_eq!(read.len(), 2);
        assert!(read[0].competent && !read[1].competent);
        assert_eq!(read[0].feedback, None);
        assert_eq!(read[1].feedback.as_deref(), Some("Reforzar"));
        let bad = "element,competent\nE0001,quizá\n,sí\n";
        let problems = judgements(bad.as_bytes()).unwrap_err();
        let at: Vec<(u64, Option<&str>)> = problems.iter().map(|p| (p.line, p.column.as_deref())).collect();
        assert_eq!(at, vec![(2, Some("competent")), (3, Some("element"))]);
        assert_eq!(judgements(b"elemento,competent\n").unwrap_err()[0].line, 1);
        assert!(judgements(b"element,competent\n").is_err());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_instruments_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let mut input = b"element,competent,evidence\n".to_vec();
            input.extend_from_slice(&bytes);
            let _ = judgements(&input);
            let _ = judgements(&bytes);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let mut input = HEADER.as_bytes().to_vec();
            input.extend_from_slice(&bytes);
            let parsed = parse(&input);
            for p in &parsed.problems {
                proptest::prop_assert!(p.line >= 1);
            }
            let _ = parse(&bytes);
        }
    }
}
