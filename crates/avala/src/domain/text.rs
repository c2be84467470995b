//! Free text as a domain value: names, institutions, positions, titles and reasons as people
//! type and paste them, made safe to print on a certificate, put in an e-mail header or show on
//! a terminal.
//!
//! [`clean`] normalises to NFC (a name typed with a combining accent and one typed with the
//! precomposed letter are the same name), trims, turns runs of spaces and tabs into one space,
//! and refuses what a person's name never holds: line breaks and other control characters
//! (ESC, BEL: terminal escapes, e-mail header injection), and invisible format characters (bidi
//! overrides such as U+202E, zero-width spaces, soft hyphens). Nothing is silently removed, so
//! what is stored is what was typed; the refusal names the character and its place.

use serde::Serialize;
use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;

/// The longest name, in characters: RENAPO's longest names are under 100; a certificate prints
/// 150 on one or two lines.
pub const NAME: usize = 150;
/// The longest institution or position.
pub const INSTITUTION: usize = 200;
/// The longest standard title.
pub const TITLE: usize = 300;
/// The longest reason (withdrawal, revocation) or place.
pub const REASON: usize = 500;
/// The longest evidence or feedback of one element's judgement.
pub const NOTE: usize = 2000;

/// One line of checked text of at most `MAX` characters: made only by [`Line::new`], so a
/// struct that holds one holds text [`clean`] accepted. Empty is for the holder to judge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Line<const MAX: usize>(String);

/// Checked text of several lines of at most `MAX` characters ([`clean_lines`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Lines<const MAX: usize>(String);

/// A person's full name.
pub type PersonName = Line<NAME>;
/// An institution's name, or a position.
pub type InstitutionName = Line<INSTITUTION>;
/// A standard's, element's or criterion's title.
pub type Title = Line<TITLE>;
/// A reason (withdrawal, revocation).
pub type Reason = Lines<REASON>;
/// Evidence or feedback of one element's judgement, or a standard's purpose.
pub type Note = Lines<NOTE>;
/// A checklist item of a standard's criterion.
pub type Item = Line<NOTE>;

macro_rules! text_type {
    ($ty:ident, $clean:ident) => {
        impl<const MAX: usize> $ty<MAX> {
            /// The text as it is kept, or why not.
            pub fn new(input: &str) -> Result<Self, TextProblem> {
                $clean(input, MAX).map($ty)
            }

            /// Text written in the program itself (the demo, tests), which is clean by
            /// construction: a text that would be refused is a bug, and panics.
            pub fn fixed(text: &'static str) -> Self {
                Self::new(text).unwrap_or_else(|p| panic!("{text:?} is not clean text: {p:?}"))
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, owned.
            pub fn into_string(self) -> String {
                self.0
            }

            /// Whether it is empty.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl<const MAX: usize> std::ops::Deref for $ty<MAX> {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl<const MAX: usize> std::fmt::Display for $ty<MAX> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<const MAX: usize> PartialEq<str> for $ty<MAX> {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl<const MAX: usize> PartialEq<&str> for $ty<MAX> {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        /// Read back from avala's own records: what was checked when it was stored is taken as
        /// it is; text stored before the check, which it would refuse, is tamed ([`tame`]).
        impl<'de, const MAX: usize> serde::Deserialize<'de> for $ty<MAX> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok($clean(&s, usize::MAX >> 8)
                    .map($ty)
                    .unwrap_or_else(|_| $ty(tame(&s))))
            }
        }
    };
}

text_type!(Line, clean);
text_type!(Lines, clean_lines);

/// Why a text was refused. Places count characters from 1, after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TextProblem {
    /// Longer than the field allows.
    TooLong {
        /// The limit, in characters.
        max: usize,
        /// Characters given.
        found: usize,
    },
    /// A line break: a value is one line.
    LineBreak {
        /// Which character.
        at: usize,
    },
    /// A control character (ESC, BEL, NUL…).
    Control {
        /// Which character.
        at: usize,
        /// Its code point.
        codepoint: u32,
    },
    /// An invisible format character (bidi override, zero-width space…).
    Invisible {
        /// Which character.
        at: usize,
        /// Its code point.
        codepoint: u32,
    },
}

impl TextProblem {
    /// The code point as people write it, `U+202E`.
    pub fn codepoint(&self) -> Option<String> {
        match self {
            TextProblem::Control { codepoint, .. } | TextProblem::Invisible { codepoint, .. } => {
                Some(format!("U+{codepoint:04X}"))
            }
            _ => None,
        }
    }
}

/// One line of text as it will be stored (a name, an institution, a title), or why not. An
/// empty result is for the caller to judge.
pub fn clean(input: &str, max: usize) -> Result<String, TextProblem> {
    clean_text(input, max, false)
}

/// Text of several lines as it will be stored (evidence, feedback, a reason), or why not: as
/// [`clean`], except that line breaks are kept, each CR LF, CR or other break stored as LF,
/// spaces collapsed within each line and trimmed at its ends, and blank lines kept to one in a
/// row. Every other control and invisible character is refused. The length counts the LFs.
pub fn clean_lines(input: &str, max: usize) -> Result<String, TextProblem> {
    clean_text(input, max, true)
}

fn clean_text(input: &str, max: usize, lines: bool) -> Result<String, TextProblem> {
    let mut out = String::with_capacity(input.len().min(4 * max.min(1 << 20) + 4));
    let mut count = 0;
    let mut space = false;
    // Line breaks seen since the last character kept (multi-line text only), and whether the
    // last character read was a CR (a CR LF is one break).
    let mut breaks = 0;
    let mut after_cr = false;
    for c in input.nfc() {
        let lf_of_cr_lf = after_cr && c == '\n';
        after_cr = c == '\r';
        if lines && is_break(c) {
            if !lf_of_cr_lf && count > 0 {
                breaks += 1;
            }
            space = false;
            continue;
        }
        if c == ' ' || c == '\t' || (c != '\u{85}' && c.is_whitespace() && !is_break(c)) {
            space = count > 0;
            continue;
        }
        if breaks > 0 {
            for _ in 0..breaks.min(2) {
                if count < max {
                    out.push('\n');
                }
                count += 1;
            }
            (breaks, space) = (0, false);
        } else if space {
            if count < max {
                out.push(' ');
            }
            count += 1;
            space = false;
        }
        count += 1;
        if is_break(c) {
            return Err(TextProblem::LineBreak { at: count });
        }
        match get_general_category(c) {
            GeneralCategory::Control => {
                return Err(TextProblem::Control {
                    at: count,
                    codepoint: c.into(),
                });
            }
            GeneralCategory::Format | GeneralCategory::PrivateUse => {
                return Err(TextProblem::Invisible {
                    at: count,
                    codepoint: c.into(),
                });
            }
            _ => {}
        }
        if count <= max {
            out.push(c);
        }
    }
    if count > max {
        return Err(TextProblem::TooLong { max, found: count });
    }
    Ok(out)
}

/// Stored text made safe to show or send (an e-mail header, a terminal line), whatever it holds:
/// text stored before [`clean`] existed, or written into the database by other means, may hold
/// what `clean` refuses. Each such character becomes a space and runs of spaces become one;
/// text `clean` accepts comes out as `clean` gives it.
pub fn tame(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut space = false;
    for c in input.nfc() {
        let refused = is_break(c)
            || matches!(
                get_general_category(c),
                GeneralCategory::Control | GeneralCategory::Format | GeneralCategory::PrivateUse
            );
        if refused || c == ' ' || c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

fn is_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_as_typed_are_kept_in_one_form() {
        assert_eq!(clean("  María \t José  ", NAME).unwrap(), "María José");
        // A combining acute accent becomes the precomposed letter.
        assert_eq!(clean("Jose\u{301}", NAME).unwrap(), "José");
        assert_eq!(clean("Ñuño O'Brien-Pérez", NAME).unwrap(), "Ñuño O'Brien-Pérez");
        assert_eq!(clean("\u{A0}Ana\u{3000}Li", NAME).unwrap(), "Ana Li");
    }

    #[test]
    fn what_a_name_never_holds_is_refused_with_its_place() {
        assert_eq!(clean("Juan\r\nBcc: x@y", NAME), Err(TextProblem::LineBreak { at: 5 }));
        assert_eq!(clean("Juan\u{2028}", NAME), Err(TextProblem::LineBreak { at: 5 }));
        assert_eq!(
            clean("\u{1b}[31mAna", NAME),
            Err(TextProblem::Control { at: 1, codepoint: 0x1b })
        );
        assert_eq!(
            clean("Ana\u{7}", NAME),
            Err(TextProblem::Control { at: 4, codepoint: 7 })
        );
        let bidi = clean("Ana \u{202E}zepóL", NAME).unwrap_err();
        assert_eq!(
            bidi,
            TextProblem::Invisible {
                at: 5,
                codepoint: 0x202E
            }
        );
        assert_eq!(bidi.codepoint().as_deref(), Some("U+202E"));
        assert_eq!(
            clean("A\u{200B}na", NAME),
            Err(TextProblem::Invisible {
                at: 2,
                codepoint: 0x200B
            })
        );
    }

    #[test]
    fn length_is_counted_in_characters_and_a_huge_value_is_not_copied() {
        assert!(clean(&"ñ".repeat(NAME), NAME).is_ok());
        assert_eq!(
            clean(&"ñ".repeat(NAME + 1), NAME),
            Err(TextProblem::TooLong {
                max: NAME,
                found: NAME + 1
            })
        );
        let huge = "a".repeat(131_072);
        assert_eq!(
            clean(&huge, NAME),
            Err(TextProblem::TooLong {
                max: NAME,
                found: 131_072
            })
        );
    }

    #[test]
    fn several_lines_keep_their_breaks_as_lf_and_nothing_else() {
        assert_eq!(
            clean_lines(
                "  Portafolio  revisado \r\n\r\n\r\n\r  Falta la prueba de daño\t\r\n",
                NOTE
            )
            .unwrap(),
            "Portafolio revisado\n\nFalta la prueba de daño"
        );
        assert_eq!(clean_lines("a\rb\u{2028}c", NOTE).unwrap(), "a\nb\nc");
        assert_eq!(
            clean_lines("Revocado\n\u{1b}[2J", REASON),
            Err(TextProblem::Control {
                at: 10,
                codepoint: 0x1b
            })
        );
        assert_eq!(
            clean_lines("ok \u{202E}", REASON),
            Err(TextProblem::Invisible {
                at: 4,
                codepoint: 0x202E
            })
        );
        assert_eq!(
            clean_lines(&"a\n".repeat(300), REASON),
            Err(TextProblem::TooLong { max: 500, found: 599 })
        );
    }

    #[test]
    fn stored_text_is_tamed_for_headers_and_terminals() {
        assert_eq!(tame("Juan\r\nBcc: x@y"), "Juan Bcc: x@y");
        assert_eq!(tame("\u{1b}[31mAna\u{7} \u{202E}Li "), "[31mAna Li");
        assert_eq!(tame("  María \t José  "), "María José");
    }

    proptest! {
        #[test]
        fn tamed_text_is_what_clean_accepts(input in "\\PC{0,200}|[\\x00-\\x20a\u{202E}\u{2028}]{0,20}") {
            let tamed = tame(&input);
            prop_assert_eq!(clean(&tamed, 10_000), Ok(tamed.clone()));
            if let Ok(out) = clean(&input, 10_000) {
                prop_assert_eq!(tamed, out);
            }
        }

        #[test]
        fn clean_text_is_stable_bounded_and_printable(input in "\\PC{0,200}") {
            if let Ok(out) = clean(&input, NAME) {
                prop_assert_eq!(clean(&out, NAME), Ok(out.clone()));
                prop_assert!(out.chars().count() <= NAME);
                prop_assert!(!out.starts_with(' ') && !out.ends_with(' ') && !out.contains("  "));
                prop_assert!(out.chars().all(|c| !c.is_control()));
            }
        }

        #[test]
        fn clean_lines_are_stable_bounded_and_hold_no_control_but_lf(input in "\\PC{0,100}|[\\x00-\\x20a\\r\\n\u{2028}]{0,40}") {
            if let Ok(out) = clean_lines(&input, NOTE) {
                prop_assert_eq!(clean_lines(&out, NOTE), Ok(out.clone()));
                prop_assert!(out.chars().count() <= NOTE);
                prop_assert!(!out.starts_with(char::is_whitespace) && !out.ends_with(char::is_whitespace));
                prop_assert!(!out.contains("\n\n\n") && !out.contains(" \n") && !out.contains("\n "));
                prop_assert!(out.chars().all(|c| c == '\n' || !c.is_control()));
            }
        }

        #[test]
        fn any_control_character_is_refused(prefix in "[a-z]{0,5}", c in any::<char>().prop_filter("control", |c| c.is_control() && *c != '\t')) {
            let input: String = prefix.chars().chain([c, 'x']).collect();
            prop_assert!(clean(&input, NAME).is_err());
        }
    }
}
