//! Cells safe to open in a spreadsheet. A text cell that begins with `=`, `+`, `-`, `@`, a tab
//! or a carriage return is read by Excel, LibreOffice and Google Sheets as a formula (CSV
//! injection: `=HYPERLINK(…)`, `+cmd|' /C calc'!A0`, `@SUM(A1)`); a leading apostrophe, as OWASP
//! recommends, makes it text, shown as typed. Every CSV avala writes passes its text cells
//! through [`safe_cell`]; numbers are written as numbers.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a cell no spreadsheet runs: prefixed with `'` when it would begin a formula.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn formulas_become_text_and_the_rest_is_untouched() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-2+3", "'-2+3"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("Guadalupe Hernández", "Guadalupe Hernández"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(safe_cell(cell), safe, "{cell:?}");
        }
    }

    proptest! {
        #[test]
        fn no_safe_cell_begins_a_formula(text in any::<String>()) {
            let safe = safe_cell(&text);
            prop_assert!(!safe.starts_with(FORMULA_STARTS));
            // Nothing is lost: the cell is the text, or the text after one apostrophe.
            prop_assert!(safe == text || safe.strip_prefix('\'') == Some(text.as_str()));
        }
    }
}
