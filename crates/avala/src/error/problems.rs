//! Problems found in a file a person supplies (a cohort CSV, an evaluation instrument), each
//! with where it is, as data: the catalogue words them.

use serde::Serialize;

use crate::identity::IdentityError;

/// One problem in a file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// The column concerned, when there is one.
    pub column: Option<String>,
    /// What is wrong.
    #[serde(flatten)]
    pub problem: Problem,
}

impl ImportProblem {
    /// A problem at `line`, in `column`.
    pub fn new(line: u64, column: Option<&str>, problem: Problem) -> Self {
        Self {
            line,
            column: column.map(str::to_string),
            problem,
        }
    }
}

/// What is wrong with a line of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// The header cannot be read.
    UnreadableHeader {
        /// What the CSV reader said.
        detail: String,
    },
    /// The row cannot be read.
    UnreadableRow {
        /// What the CSV reader said.
        detail: String,
    },
    /// The file is empty.
    EmptyFile {
        /// The columns it should have.
        columns: Vec<String>,
    },
    /// The first line names no known column: it is not a header.
    NotAHeader {
        /// The columns it should have.
        columns: Vec<String>,
    },
    /// A column no one knows.
    UnknownColumn {
        /// The columns it may have.
        columns: Vec<String>,
    },
    /// A column named twice.
    ColumnTwice,
    /// A required column is missing.
    MissingColumn,
    /// Neither `curp` nor `passport` is a column.
    NoIdentityColumn,
    /// A row with another number of fields than the header.
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// A required cell is empty.
    MissingValue,
    /// A cell with what a name never holds (a line break, a control or invisible character) or too long.
    Text(crate::domain::text::TextProblem),
    /// A row without CURP or passport.
    MissingIdentity,
    /// A row with both CURP and passport.
    BothIdentities,
    /// A CURP, passport or e-mail that is not valid.
    Identity(IdentityError),
    /// A consent cell that is not yes or no.
    NotYesNo {
        /// The cell.
        value: String,
    },
    /// A judgement cell that is neither competent nor not yet competent.
    NotAJudgement {
        /// The cell.
        value: String,
    },
    /// The same identity twice in the file.
    Duplicate {
        /// CURP or passport.
        identity: String,
        /// The line it first appears on.
        first: u64,
    },
    /// Rule 2: enrolled in the window already.
    AlreadyEnrolled {
        /// CURP or passport.
        identity: String,
        /// The window.
        window: i64,
        /// The enrollment there.
        enrollment: i64,
    },
    /// Rule 2: the valid rows do not fit in the window (this row is the first that does not).
    OverCapacity {
        /// The window.
        window: i64,
        /// Its free places.
        free: usize,
        /// Its capacity.
        capacity: i64,
        /// The file's valid rows.
        rows: usize,
    },
    /// An instrument without any judgement.
    NoJudgements,
}
