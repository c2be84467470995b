//! A cohort CSV: columns `curp, name, email, institution, position, public_registry`, plus
//! an optional `passport` column for foreign candidates without a CURP (a row gives one or the
//! other). Each row is decoded on its own, and the caller is told when any was Windows-1252.

use std::collections::HashMap;

use super::{Encoding, ImportProblem, LfLines, Problem, columns, parse_consent};
use crate::domain::text::{InstitutionName, PersonName};
use crate::identity::{Curp, Identity, email};

/// One valid row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateRow {
    /// Line in the file.
    pub line: u64,
    /// CURP or passport.
    pub identity: Identity,
    /// Full name as written.
    pub name: PersonName,
    /// E-mail.
    pub email: String,
    /// Institution (obligated subject) name.
    pub institution: InstitutionName,
    /// Position (cargo), if given.
    pub position: Option<InstitutionName>,
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
    reader: csv::Reader<LfLines<std::io::BufReader<R>>>,
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
            .from_reader(LfLines::new(input));
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
        let email_cell = cell("email");
        let (curp, passport) = (cell("curp"), cell("passport"));
        let consent = cell("public_registry");
        let before = problems.len();
        // Names, institutions and positions are text values: a refused one is its row's problem.
        let mut text = |column: &'static str| match InstitutionName::new(&cell(column)) {
            Ok(t) => t,
            Err(t) => {
                problems.push(ImportProblem::new(line, Some(column), Problem::Text(t)));
                InstitutionName::default()
            }
        };
        let (institution, position) = (text("institution"), text("position"));
        let name = match PersonName::new(&cell("name")) {
            Ok(t) => t,
            Err(t) => {
                problems.push(ImportProblem::new(line, Some("name"), Problem::Text(t)));
                PersonName::default()
            }
        };
        if legacy {
            self.encoding = Encoding::Windows1252;
        }
        for (empty, column) in [
            (name.is_empty(), "name"),
            (institution.is_empty(), "institution"),
            (email_cell.is_empty(), "email"),
        ] {
            if empty
                && !problems
                    .iter()
                    .skip(before)
                    .any(|p| p.column.as_deref() == Some(column))
            {
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

/// The columns of a cohort file, as problems name them.
fn cohort_columns() -> Vec<String> {
    KNOWN.iter().map(|k| k.to_string()).collect()
}
