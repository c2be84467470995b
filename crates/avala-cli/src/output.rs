//! Printing: tidy tables for people, stable JSON and CSV for scripts.

use std::io::Write;

use clap::ValueEnum;
use serde::Serialize;

/// How listings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned columns.
    #[default]
    Table,
    /// JSON (stable field names).
    Json,
    /// CSV with a header.
    Csv,
    /// Open Badges 3.0 JSON (`certificate export`); other commands print JSON.
    Ob3,
}

impl Format {
    /// JSON output (also for `--format ob3` outside `certificate export`).
    pub fn is_json(self) -> bool {
        matches!(self, Format::Json | Format::Ob3)
    }
}

/// A listing: column headers, rows of cells, and the records for JSON.
pub struct Listing<'a, T: Serialize + ?Sized> {
    pub headers: &'a [&'a str],
    pub rows: Vec<Vec<String>>,
    pub records: &'a T,
}

pub fn print_listing<T: Serialize>(format: Format, listing: Listing<'_, [T]>) {
    let mut out = Pages::new(format, listing.headers);
    out.page(listing.records, &listing.rows);
    out.finish();
}

/// A listing printed a page at a time as it is read, so it holds one page however long it is:
/// a JSON array written element by element, CSV rows, or a table whose columns are as wide as
/// the first page needs (a later page that needs more widens them from there on).
pub struct Pages<'a> {
    format: Format,
    headers: &'a [&'a str],
    widths: Option<Vec<usize>>,
    printed: usize,
    out: std::io::StdoutLock<'static>,
    csv: Option<csv::Writer<std::io::Stdout>>,
}

impl<'a> Pages<'a> {
    /// A listing with these column headers.
    pub fn new(format: Format, headers: &'a [&'a str]) -> Self {
        Pages {
            format,
            headers,
            widths: None,
            printed: 0,
            out: std::io::stdout().lock(),
            csv: None,
        }
    }

    /// Prints one page: the records (for JSON) and their cells (for CSV and tables).
    pub fn page<T: Serialize>(&mut self, records: &[T], rows: &[Vec<String>]) {
        match self.format {
            Format::Json | Format::Ob3 => {
                for record in records {
                    let text = serde_json::to_string_pretty(record).unwrap_or_default();
                    let sep = if self.printed == 0 { "[\n" } else { ",\n" };
                    let _ = write!(self.out, "{sep}  {}", text.replace('\n', "\n  "));
                    self.printed += 1;
                }
            }
            Format::Csv => {
                if self.csv.is_none() {
                    let mut w = csv::Writer::from_writer(std::io::stdout());
                    let _ = w.write_record(self.headers);
                    self.csv = Some(w);
                }
                if let Some(w) = &mut self.csv {
                    for row in rows {
                        let _ = w.write_record(row);
                    }
                    let _ = w.flush();
                }
                self.printed += rows.len();
            }
            Format::Table => {
                if rows.is_empty() {
                    return;
                }
                // Columns as wide as the first page needs; a later page that needs more widens
                // them from there on.
                let first = self.widths.is_none();
                let widths = self
                    .widths
                    .get_or_insert_with(|| self.headers.iter().map(|h| h.chars().count()).collect());
                for row in rows {
                    for (i, cell) in row.iter().enumerate() {
                        widths[i] = widths[i].max(cell.chars().count());
                    }
                }
                if first {
                    let headers: Vec<String> = self.headers.iter().map(|h| h.to_uppercase()).collect();
                    let _ = writeln!(self.out, "{}", line(widths, &headers));
                }
                for row in rows {
                    let _ = writeln!(self.out, "{}", line(widths, row));
                }
                self.printed += rows.len();
            }
        }
    }

    /// Ends the listing.
    pub fn finish(mut self) {
        match self.format {
            Format::Json | Format::Ob3 => {
                let _ = writeln!(self.out, "{}", if self.printed == 0 { "[]" } else { "\n]" });
            }
            Format::Csv => {
                if self.csv.is_none() {
                    let mut w = csv::Writer::from_writer(std::io::stdout());
                    let _ = w.write_record(self.headers);
                    let _ = w.flush();
                }
            }
            Format::Table => {
                if self.printed == 0 {
                    let _ = writeln!(self.out, "(none)");
                }
            }
        }
        let _ = self.out.flush();
    }
}

/// One table line: each cell padded to its column's width, two spaces between columns.
fn line(widths: &[usize], cells: &[String]) -> String {
    let mut s = String::new();
    for (i, cell) in cells.iter().enumerate() {
        s.push_str(cell);
        if i + 1 < cells.len() {
            let pad = widths[i].saturating_sub(cell.chars().count()) + 2;
            s.push_str(&" ".repeat(pad));
        }
    }
    s
}

/// Prints one record: JSON as is, or "key: value" lines for people.
pub fn print_record<T: Serialize>(format: Format, record: &T, lines: &[(&str, String)]) {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json | Format::Ob3 => {
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(record).unwrap_or_default());
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let _ = w.write_record(lines.iter().map(|(k, _)| *k));
            let _ = w.write_record(lines.iter().map(|(_, v)| v.as_str()));
            let _ = w.flush();
        }
        Format::Table => {
            let width = lines.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
            for (k, v) in lines {
                let _ = writeln!(out, "{k}:{} {v}", " ".repeat(width - k.chars().count()));
            }
        }
    }
}

/// Prints a one-line confirmation (or its JSON).
pub fn print_done<T: Serialize>(format: Format, record: &T, message: &str) {
    match format {
        Format::Json | Format::Ob3 => println!("{}", serde_json::to_string_pretty(record).unwrap_or_default()),
        _ => println!("{message}"),
    }
}

pub fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}
