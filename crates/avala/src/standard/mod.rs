//! Competency standards as data: the TOML format (see standards/README.md), its loader and
//! validation. Every problem is reported with file, line and field.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::domain::text::{Item, Line, Lines, Note, Title};

/// A loaded, validated standard version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standard {
    /// Code, e.g. EC1057.
    pub code: String,
    /// Version label, e.g. "1".
    pub version: String,
    /// Title.
    pub title: Title,
    /// Level 1–5.
    pub level: u8,
    /// Purpose.
    pub purpose: Note,
    /// Certificate validity in years (vigencia).
    pub validity_years: u8,
    /// Diagnostic score (0–100) under which training is recommended.
    pub diagnostic_threshold: u8,
    /// The elements.
    pub elements: Vec<Element>,
}

/// One element (E####) of a standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// E#### code.
    pub code: String,
    /// Title.
    pub title: Title,
    /// Criteria, grouped by kind.
    pub criteria: Vec<Criterion>,
}

/// The kinds of evaluation criteria of a CONOCER standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionKind {
    /// Desempeño.
    Performance,
    /// Producto.
    Product,
    /// Conocimiento (with a level).
    Knowledge,
    /// Actitud / hábito / valor.
    Attitude,
    /// Respuesta ante situación emergente.
    Emergent,
}

/// The depth a knowledge criterion is evaluated at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KnowledgeLevel {
    /// Conocimiento.
    Conocimiento,
    /// Comprensión.
    Comprension,
    /// Aplicación.
    Aplicacion,
}

/// A heading with checklist items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Kind.
    pub kind: CriterionKind,
    /// Heading.
    pub heading: Title,
    /// Knowledge level (knowledge criteria only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge_level: Option<KnowledgeLevel>,
    /// Checklist items.
    pub items: Vec<Item>,
}

/// One problem in a standard file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandardProblem {
    /// 1-based line.
    pub line: usize,
    /// The field, as a TOML path.
    pub field: String,
    /// What is wrong.
    #[serde(flatten)]
    pub problem: Issue,
}

/// What is wrong with a field of a standard file (worded by the message catalogue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Issue {
    /// The file is not valid TOML for a standard, in the TOML reader's words.
    Toml {
        /// What the reader said.
        detail: String,
    },
    /// An empty text.
    Empty,
    /// A number out of its range.
    OutOfRange {
        /// The value.
        value: i64,
        /// The least allowed.
        min: i64,
        /// The most allowed.
        max: i64,
    },
    /// A code that is not the prefix and four digits.
    BadCode {
        /// The value.
        value: String,
        /// EC or E.
        prefix: String,
    },
    /// An element code given twice.
    Repeated {
        /// The code.
        code: String,
    },
    /// No elements.
    NoElements,
    /// An element without criteria.
    NoCriteria,
    /// A knowledge criterion without its level.
    NeedsKnowledgeLevel,
    /// A level on a criterion that is not knowledge.
    LevelOnlyForKnowledge,
    /// A criterion without checklist items.
    NoItems,
    /// A text that is not one a certificate or a page may show (a control or invisible
    /// character, a line break in a title, too long).
    Text(crate::domain::text::TextProblem),
}

/// A standard file that cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandardError {
    /// The file (as given).
    pub file: String,
    /// Every problem found.
    pub problems: Vec<StandardProblem>,
}

impl std::error::Error for StandardError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStandard {
    code: Spanned<String>,
    version: Spanned<String>,
    title: Spanned<String>,
    level: Spanned<i64>,
    purpose: Spanned<String>,
    validity_years: Spanned<i64>,
    diagnostic_threshold: Spanned<i64>,
    elements: Option<Spanned<Vec<RawElement>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawElement {
    code: Spanned<String>,
    title: Spanned<String>,
    criteria: Option<Spanned<Vec<RawCriterion>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    kind: Spanned<CriterionKind>,
    heading: Spanned<String>,
    #[serde(default)]
    knowledge_level: Option<Spanned<KnowledgeLevel>>,
    items: Option<Spanned<Vec<Spanned<String>>>>,
}

struct Checker<'a> {
    text: &'a str,
    problems: Vec<StandardProblem>,
}

impl Checker<'_> {
    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].matches('\n').count() + 1
    }
    fn push(&mut self, offset: usize, field: impl Into<String>, problem: Issue) {
        let line = self.line(offset);
        self.problems.push(StandardProblem {
            line,
            field: field.into(),
            problem,
        });
    }
    /// The text of `v` as it is kept, one line of at most `MAX` characters and not empty; a
    /// problem is pushed (and an empty text given back).
    fn one_line<const MAX: usize>(&mut self, v: &Spanned<String>, field: &str) -> Line<MAX> {
        let text = Line::new(v.get_ref());
        self.judge(v, field, text)
    }

    /// As [`Checker::one_line`], for text of several lines.
    fn lines<const MAX: usize>(&mut self, v: &Spanned<String>, field: &str) -> Lines<MAX> {
        let text = Lines::new(v.get_ref());
        self.judge(v, field, text)
    }

    fn judge<T: Default + std::ops::Deref<Target = str>>(
        &mut self,
        v: &Spanned<String>,
        field: &str,
        text: Result<T, crate::domain::text::TextProblem>,
    ) -> T {
        match text {
            Ok(t) if t.is_empty() => self.push(v.span().start, field, Issue::Empty),
            Ok(t) => return t,
            Err(problem) => self.push(v.span().start, field, Issue::Text(problem)),
        }
        T::default()
    }
    fn range(&mut self, v: &Spanned<i64>, field: &str, min: i64, max: i64) {
        if !(min..=max).contains(v.get_ref()) {
            let value = *v.get_ref();
            self.push(v.span().start, field, Issue::OutOfRange { value, min, max });
        }
    }
}

fn is_code(s: &str, prefix: &str) -> bool {
    s.len() == prefix.len() + 4 && s.starts_with(prefix) && s[prefix.len()..].chars().all(|c| c.is_ascii_digit())
}

/// Parses and validates a standard from TOML text; `file` names it in messages.
pub fn parse(file: &str, text: &str) -> Result<Standard, StandardError> {
    let raw: RawStandard = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1);
        let detail = e.message().to_string();
        let field = field_from_message(&detail);
        StandardError {
            file: file.to_string(),
            problems: vec![StandardProblem {
                line,
                field,
                problem: Issue::Toml { detail },
            }],
        }
    })?;
    let mut c = Checker {
        text,
        problems: Vec::new(),
    };
    if !is_code(raw.code.get_ref(), "EC") {
        c.push(
            raw.code.span().start,
            "code",
            Issue::BadCode {
                value: raw.code.get_ref().clone(),
                prefix: "EC".into(),
            },
        );
    }
    let version = c.one_line::<20>(&raw.version, "version").into_string();
    let title: Title = c.one_line(&raw.title, "title");
    let purpose: Note = c.lines(&raw.purpose, "purpose");
    c.range(&raw.level, "level", 1, 5);
    c.range(&raw.validity_years, "validity_years", 1, 10);
    c.range(&raw.diagnostic_threshold, "diagnostic_threshold", 0, 100);
    let raw_elements = raw.elements.map(Spanned::into_inner).unwrap_or_default();
    if raw_elements.is_empty() {
        c.push(text.len(), "elements", Issue::NoElements);
    }
    let mut seen = HashSet::new();
    let mut elements = Vec::with_capacity(raw_elements.len());
    for (i, el) in raw_elements.iter().enumerate() {
        let at = format!("elements[{}]", i + 1);
        if !is_code(el.code.get_ref(), "E") {
            c.push(
                el.code.span().start,
                format!("{at}.code"),
                Issue::BadCode {
                    value: el.code.get_ref().clone(),
                    prefix: "E".into(),
                },
            );
        } else if !seen.insert(el.code.get_ref().clone()) {
            c.push(
                el.code.span().start,
                format!("{at}.code"),
                Issue::Repeated {
                    code: el.code.get_ref().clone(),
                },
            );
        }
        let title: Title = c.one_line(&el.title, &format!("{at}.title"));
        let raw_criteria = el.criteria.as_ref().map(|c| c.get_ref().as_slice()).unwrap_or_default();
        if raw_criteria.is_empty() {
            c.push(el.code.span().start, format!("{at}.criteria"), Issue::NoCriteria);
        }
        let mut criteria = Vec::with_capacity(raw_criteria.len());
        for (j, cr) in raw_criteria.iter().enumerate() {
            let at = format!("{at}.criteria[{}]", j + 1);
            let heading: Title = c.one_line(&cr.heading, &format!("{at}.heading"));
            let knowledge = *cr.kind.get_ref() == CriterionKind::Knowledge;
            match (&cr.knowledge_level, knowledge) {
                (None, true) => c.push(
                    cr.kind.span().start,
                    format!("{at}.knowledge_level"),
                    Issue::NeedsKnowledgeLevel,
                ),
                (Some(l), false) => c.push(
                    l.span().start,
                    format!("{at}.knowledge_level"),
                    Issue::LevelOnlyForKnowledge,
                ),
                _ => {}
            }
            let raw_items = cr.items.as_ref().map(|i| i.get_ref().as_slice()).unwrap_or_default();
            if raw_items.is_empty() {
                c.push(cr.heading.span().start, format!("{at}.items"), Issue::NoItems);
            }
            let items = raw_items
                .iter()
                .enumerate()
                .map(|(k, item)| -> Item { c.one_line(item, &format!("{at}.items[{}]", k + 1)) })
                .collect();
            criteria.push(Criterion {
                kind: *cr.kind.get_ref(),
                heading,
                knowledge_level: cr.knowledge_level.as_ref().map(|l| *l.get_ref()),
                items,
            });
        }
        elements.push(Element {
            code: el.code.get_ref().clone(),
            title,
            criteria,
        });
    }
    if !c.problems.is_empty() {
        return Err(StandardError {
            file: file.to_string(),
            problems: c.problems,
        });
    }
    Ok(Standard {
        code: raw.code.into_inner(),
        version,
        title,
        level: *raw.level.get_ref() as u8,
        purpose,
        validity_years: *raw.validity_years.get_ref() as u8,
        diagnostic_threshold: *raw.diagnostic_threshold.get_ref() as u8,
        elements,
    })
}

/// toml's messages name the field in backquotes ("missing field `title`").
fn field_from_message(message: &str) -> String {
    message.split('`').nth(1).unwrap_or("(document)").to_string()
}

impl Standard {
    /// SHA-256 over the RFC 8785 canonical JSON of the parsed standard: comments, layout and the
    /// order of fields do not change it, any change of content does. A field added later must
    /// be left out while it holds its default (`skip_serializing_if`), so that adding it changes
    /// no stored standard's hash.
    pub fn content_hash(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_default();
        hex::encode(Sha256::digest(crate::canonical::canonical_json(&value)))
    }

    /// The hash standards were identified by before [`Standard::content_hash`] was canonical:
    /// SHA-256 over serde's output in field order. Kept to recognise hashes in older records.
    pub fn legacy_content_hash(&self) -> String {
        hex::encode(Sha256::digest(serde_json::to_vec(self).unwrap_or_default()))
    }

    /// The element codes, in order.
    pub fn element_codes(&self) -> Vec<&str> {
        self.elements.iter().map(|e| e.code.as_str()).collect()
    }
}

#[cfg(test)]
mod tests;
