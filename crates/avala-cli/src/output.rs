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

pub fn print_listing<T: Serialize + ?Sized>(format: Format, listing: Listing<'_, T>) {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json | Format::Ob3 => {
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(listing.records).unwrap_or_default()
            );
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let _ = w.write_record(listing.headers);
            for row in &listing.rows {
                let _ = w.write_record(row);
            }
            let _ = w.flush();
        }
        Format::Table => {
            if listing.rows.is_empty() {
                let _ = writeln!(out, "(none)");
                return;
            }
            let mut widths: Vec<usize> = listing.headers.iter().map(|h| h.chars().count()).collect();
            for row in &listing.rows {
                for (i, cell) in row.iter().enumerate() {
                    widths[i] = widths[i].max(cell.chars().count());
                }
            }
            let line = |cells: &[String]| {
                let mut s = String::new();
                for (i, cell) in cells.iter().enumerate() {
                    if i + 1 == cells.len() {
                        s.push_str(cell);
                    } else {
                        s.push_str(cell);
                        s.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
                    }
                }
                s
            };
            let headers: Vec<String> = listing.headers.iter().map(|h| h.to_uppercase()).collect();
            let _ = writeln!(out, "{}", line(&headers));
            for row in &listing.rows {
                let _ = writeln!(out, "{}", line(row));
            }
        }
    }
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
