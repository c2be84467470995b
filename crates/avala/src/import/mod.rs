//! Reading the files people supply: a cohort CSV (`cohort`) and an evaluation instrument
//! (`instrument`). Both: header required, columns in any order, every problem with its line,
//! UTF-8 (with or without BOM) or, failing that, Windows-1252 (what Excel writes in Mexican
//! offices).

mod cohort;
mod instrument;

use std::collections::HashMap;
use std::fmt;

pub use cohort::{CandidateRow, CohortReader, Parsed, parse};
pub use instrument::judgements;

pub use crate::error::{ImportProblem, Problem};

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

/// Reads `inner` with every CR LF turned into LF, so the CSV reader counts lines right.
///
/// The `csv` crate ends a record at the CR of a CR LF and reads the LF as the start of the next
/// one, after it took that record's position: every row of a file from Excel on Windows or
/// Python's `csv` module was named one line too low (the first row as line 1, the header's). A
/// lone CR is left as it is.
struct LfLines<R> {
    inner: R,
    /// A CR was read and not yet given out: it is dropped if an LF follows.
    cr: bool,
}

impl<R: std::io::BufRead> LfLines<R> {
    fn new(inner: R) -> Self {
        LfLines { inner, cr: false }
    }
}

impl<R: std::io::BufRead> std::io::Read for LfLines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n == 0 && !out.is_empty() {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                if std::mem::take(&mut self.cr) {
                    out[0] = b'\r';
                    n = 1;
                }
                break;
            }
            let mut used = 0;
            for &b in chunk {
                if n == out.len() {
                    break;
                }
                if self.cr && b != b'\n' {
                    out[n] = b'\r';
                    n += 1;
                    self.cr = false;
                    if n == out.len() {
                        break;
                    }
                }
                used += 1;
                self.cr = b == b'\r';
                if !self.cr {
                    out[n] = b;
                    n += 1;
                }
            }
            self.inner.consume(used);
        }
        Ok(n)
    }
}

/// Parses a yes/no cell of `public_registry`.
fn parse_consent(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Some(false),
        "si" | "sí" | "s" | "yes" | "y" | "true" | "1" | "x" => Some(true),
        _ => None,
    }
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

#[cfg(test)]
mod tests;
