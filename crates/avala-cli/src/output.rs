//! Printing: tidy tables for people, stable JSON and CSV for scripts, all three derived from
//! the same serialised row, so they cannot drift: JSON is the row, CSV its fields as they are,
//! a table some of its fields, labelled and worded in the reader's language.

use std::io::Write;

use avala::Lang;
use clap::ValueEnum;
use serde::Serialize;
use serde_json::Value;

use crate::say::Say;

/// How listings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned columns.
    #[default]
    Table,
    /// JSON (stable field names).
    Json,
    /// CSV with a header (the JSON field names).
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

/// Where output goes: the format and the reader's language.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// The format.
    pub format: Format,
    /// The language.
    pub lang: Lang,
}

/// How a field is shown in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// As it is.
    Text,
    /// An instant, in the row's `tz` (UTC when it has none).
    Time,
    /// The date of an instant.
    Date,
    /// The state of a machine (`window`, `enrollment`, `certificate`), worded.
    State(&'static str),
    /// Whether a PDF is rendered.
    Rendered,
    /// The first 12 characters (hashes).
    Short,
}

/// A table column: the JSON field it shows, and how.
pub type Col = (&'static str, Cell);

/// The text of a field of `row` for a table.
fn cell(out: Out, row: &serde_json::Map<String, Value>, (name, how): Col) -> String {
    let c = avala::messages::of(out.lang);
    let value = row
        .get(name)
        .unwrap_or_else(|| panic!("listing column {name} is not a field of the row"));
    if how == Cell::Rendered {
        return match value {
            Value::Bool(true) => Say::RenderedPdf.text(out.lang),
            _ => Say::Pending.text(out.lang),
        };
    }
    let text = match value {
        Value::Null => return "—".into(),
        Value::Bool(b) => return c.yes_no(*b).into(),
        // Tamed: a value stored before values were checked (or written into the database by
        // other means) cannot send a terminal escape or break a line of the table.
        Value::String(s) => avala::domain::text::tame(s),
        Value::Array(items) => avala::domain::text::tame(&items.iter().map(plain).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    };
    let instant = || chrono::DateTime::parse_from_rfc3339(&text).ok().map(|at| at.to_utc());
    match how {
        Cell::Text => text,
        Cell::Short => text.chars().take(12).collect(),
        Cell::State(machine) => c.state(machine, &text),
        Cell::Rendered => unreachable!("worded above"),
        Cell::Date => instant().map(|at| at.format("%Y-%m-%d").to_string()).unwrap_or(text),
        Cell::Time => match (instant(), row.get("tz").and_then(Value::as_str)) {
            (Some(at), Some(tz)) => avala::clock::local_text(at, tz),
            (Some(at), None) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
            _ => text,
        },
    }
}

/// A JSON value as a CSV cell: text that a spreadsheet would run as a formula is neutralised.
fn csv_cell(value: &Value) -> String {
    match value {
        Value::String(s) => avala::spreadsheet::safe_cell(s).into_owned(),
        other => plain(other),
    }
}

/// A JSON value as plain text (CSV cells, list items).
fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn fields<T: Serialize>(record: &T) -> serde_json::Map<String, Value> {
    match serde_json::to_value(record) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// A listing printed a page at a time as it is read, so it holds one page however long it is:
/// a JSON array written element by element, CSV rows, or a table whose columns are as wide as
/// the first page needs (a later page that needs more widens them from there on).
pub struct Pages<'a> {
    out: Out,
    columns: &'a [Col],
    widths: Option<Vec<usize>>,
    printed: usize,
    stdout: std::io::StdoutLock<'static>,
    csv: Option<csv::Writer<std::io::Stdout>>,
}

impl<'a> Pages<'a> {
    /// A listing showing `columns` in tables.
    pub fn new(out: Out, columns: &'a [Col]) -> Self {
        Pages {
            out,
            columns,
            widths: None,
            printed: 0,
            stdout: std::io::stdout().lock(),
            csv: None,
        }
    }

    /// Prints one page of records.
    pub fn page<T: Serialize>(&mut self, records: &[T]) {
        match self.out.format {
            Format::Json | Format::Ob3 => {
                for record in records {
                    let text = serde_json::to_string_pretty(record).unwrap_or_default();
                    let sep = if self.printed == 0 { "[\n" } else { ",\n" };
                    let _ = write!(self.stdout, "{sep}  {}", text.replace('\n', "\n  "));
                    self.printed += 1;
                }
            }
            Format::Csv => {
                for record in records {
                    let map = fields(record);
                    let w = self.csv.get_or_insert_with(|| {
                        let mut w = csv::Writer::from_writer(std::io::stdout());
                        let _ = w.write_record(map.keys());
                        w
                    });
                    let _ = w.write_record(map.values().map(csv_cell));
                    self.printed += 1;
                }
                if let Some(w) = &mut self.csv {
                    let _ = w.flush();
                }
            }
            Format::Table => {
                if records.is_empty() {
                    return;
                }
                let rows: Vec<Vec<String>> = records
                    .iter()
                    .map(|r| {
                        let map = fields(r);
                        self.columns.iter().map(|col| cell(self.out, &map, *col)).collect()
                    })
                    .collect();
                let c = avala::messages::of(self.out.lang);
                let first = self.widths.is_none();
                let headers: Vec<String> = self
                    .columns
                    .iter()
                    .map(|(name, _)| c.column(name).to_uppercase())
                    .collect();
                let widths = self
                    .widths
                    .get_or_insert_with(|| headers.iter().map(|h| h.chars().count()).collect());
                for row in &rows {
                    for (i, cell) in row.iter().enumerate() {
                        widths[i] = widths[i].max(cell.chars().count());
                    }
                }
                if first {
                    let _ = writeln!(self.stdout, "{}", line(widths, &headers));
                }
                for row in &rows {
                    let _ = writeln!(self.stdout, "{}", line(widths, row));
                }
                self.printed += rows.len();
            }
        }
    }

    /// Ends the listing.
    pub fn finish(mut self) {
        match self.out.format {
            Format::Json | Format::Ob3 => {
                let _ = writeln!(self.stdout, "{}", if self.printed == 0 { "[]" } else { "\n]" });
            }
            Format::Csv => {}
            Format::Table => {
                if self.printed == 0 {
                    let _ = writeln!(self.stdout, "{}", Say::None.text(self.out.lang));
                }
            }
        }
        let _ = self.stdout.flush();
    }
}

/// Prints a whole listing.
pub fn listing<T: Serialize>(out: Out, columns: &[Col], records: &[T]) {
    let mut pages = Pages::new(out, columns);
    pages.page(records);
    pages.finish();
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

/// Prints one record: JSON as is, its fields as CSV, or "label: value" lines for people (the
/// fields of `columns`, then `extra` lines already worded).
pub fn record<T: Serialize>(out: Out, record: &T, columns: &[Col], extra: &[(String, String)]) {
    let map = fields(record);
    let mut stdout = std::io::stdout().lock();
    match out.format {
        Format::Json | Format::Ob3 => {
            let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(record).unwrap_or_default());
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(stdout);
            let _ = w.write_record(map.keys());
            let _ = w.write_record(map.values().map(csv_cell));
            let _ = w.flush();
        }
        Format::Table => {
            let c = avala::messages::of(out.lang);
            let mut lines: Vec<(String, String)> = columns
                .iter()
                .map(|col| (c.column(col.0), cell(out, &map, *col)))
                .collect();
            lines.extend(extra.iter().cloned());
            let width = lines.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
            for (k, v) in lines {
                let _ = writeln!(stdout, "{k}:{} {v}", " ".repeat(width - k.chars().count()));
            }
        }
    }
}

/// Prints a one-line confirmation (or its JSON).
pub fn done<T: Serialize>(out: Out, record: &T, say: Say<'_>) {
    match out.format {
        Format::Json | Format::Ob3 => println!("{}", serde_json::to_string_pretty(record).unwrap_or_default()),
        _ => println!("{}", say.text(out.lang)),
    }
}
