//! An evaluation instrument: one row per element, columns `element, competent` and optionally
//! `evidence, feedback`.

use super::{ImportProblem, LfLines, Problem, columns, parse_consent};

/// Reads an evaluation instrument: one row per element, columns `element, competent`, and
/// optionally `evidence, feedback` (any order). `competent` is sí/competent/yes/true/1 or
/// no/not yet competent/false/0. Every problem is returned with its line.
pub fn judgements(bytes: &[u8]) -> std::result::Result<Vec<crate::domain::Judgement>, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(LfLines::new(text.as_bytes()));
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
        // Evidence and feedback are text of several lines: a problem in one is its row's.
        let mut note = |column: &'static str| match cell(column).map(crate::domain::text::Note::new) {
            Some(Ok(v)) => Some(Some(v).filter(|v| !v.is_empty())),
            Some(Err(t)) => {
                problems.push(ImportProblem::new(line, Some(column), Problem::Text(t)));
                None
            }
            None => Some(None),
        };
        let (Some(evidence), Some(feedback)) = (note("evidence"), note("feedback")) else {
            continue;
        };
        out.push(crate::domain::Judgement {
            element: element.to_string(),
            competent,
            evidence,
            feedback,
        });
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(ImportProblem::new(2, None, Problem::NoJudgements));
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}
