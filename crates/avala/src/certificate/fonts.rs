//! The certificate's typeface: DejaVu Serif (regular and bold), measured with `ttf-parser` and
//! embedded as a subset made by `allsorts`.
//!
//! Subsetting and compressing a font program is most of the cost of a PDF, and certificates
//! share their glyphs: the regular face sets only the fixed wording and the issuer's own
//! particulars, the same on every certificate; the bold face sets what differs per holder (name,
//! folio, code, dates), so its character set is rounded up to [`PARTICULARS`]. A subset is made
//! and compressed once per character set and kept (up to [`CACHE_LIMIT`] of them), so nearly
//! every certificate embeds bytes made once per process.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use pdf_writer::types::{SystemInfo, UnicodeCmap};
use pdf_writer::{Name, Str};

use super::deflate::deflate;
use crate::error::{Error, Result};

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSerif.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSerif-Bold.ttf");

/// The characters the bold face always carries, whatever a certificate shows: the letters of
/// Spanish names, digits and the punctuation of folios, codes and dates.
const PARTICULARS: &str = " '(),-./0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÁÉÍÓÚÜÑáéíóúüñ«»·";

/// Subsets kept for character sets beyond the base one.
const CACHE_LIMIT: usize = 64;

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// A parsed face, for measuring text.
pub(crate) struct Face {
    face: ttf_parser::Face<'static>,
    ttf: &'static [u8],
    name: &'static str,
    /// Glyph and advance of the first 384 code points (Latin-1 and Latin Extended-A), which
    /// is nearly all text measured.
    common: Vec<(u16, f32)>,
}

impl Face {
    /// The face of `weight`.
    pub(crate) fn get(weight: Weight) -> Result<&'static Face> {
        static FACES: OnceLock<Option<[Face; 2]>> = OnceLock::new();
        let faces = FACES
            .get_or_init(|| {
                let parse = |ttf: &'static [u8], name| {
                    let face = ttf_parser::Face::parse(ttf, 0).ok()?;
                    let mut face = Face {
                        face,
                        ttf,
                        name,
                        common: Vec::new(),
                    };
                    face.common = (0..384u32)
                        .map(|c| {
                            let g = char::from_u32(c).map(|c| face.lookup(c)).unwrap_or(0);
                            (g, face.advance(g))
                        })
                        .collect();
                    Some(face)
                };
                Some([parse(REGULAR_TTF, "DejaVuSerif")?, parse(BOLD_TTF, "DejaVuSerif-Bold")?])
            })
            .as_ref()
            .ok_or_else(|| Error::Certificate {
                detail: "the embedded DejaVu Serif font could not be parsed".into(),
            })?;
        Ok(&faces[weight as usize])
    }

    fn lookup(&self, c: char) -> u16 {
        self.face.glyph_index(c).map(|g| g.0).unwrap_or(0)
    }

    fn glyph(&self, c: char) -> u16 {
        match self.common.get(c as usize) {
            Some(&(g, _)) => g,
            None => self.lookup(c),
        }
    }

    /// Advance of glyph `gid` in thousandths of the em.
    fn advance(&self, gid: u16) -> f32 {
        let units = self.face.glyph_hor_advance(ttf_parser::GlyphId(gid)).unwrap_or(0);
        f32::from(units) * 1000.0 / f32::from(self.face.units_per_em())
    }

    /// Width of `text` set at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let advance = |c: char| match self.common.get(c as usize) {
            Some(&(_, a)) => a,
            None => self.advance(self.lookup(c)),
        };
        text.chars().map(advance).sum::<f32>() * size / 1000.0
    }

    fn scaled(&self, v: i16) -> i32 {
        (f32::from(v) * 1000.0 / f32::from(self.face.units_per_em())).round() as i32
    }
}

/// A subset ready to embed: the glyph of each character, and what its PDF objects hold.
pub(crate) struct Subset {
    glyphs: HashMap<char, u16>,
    /// `ABCDEF+DejaVuSerif`, the subset's PostScript name.
    pub(crate) base_font: String,
    /// The advance of each glyph of the subset, in thousandths of the em, from glyph 0.
    pub(crate) widths: Vec<f32>,
    /// The face's metrics, for the font descriptor.
    pub(crate) metrics: Metrics,
    /// The subset program, deflated, and its length before.
    pub(crate) program: Vec<u8>,
    pub(crate) program_length: usize,
    /// The ToUnicode CMap, deflated.
    pub(crate) to_unicode: Vec<u8>,
}

/// A face's metrics in thousandths of the em, as a PDF font descriptor gives them.
pub(crate) struct Metrics {
    /// The bounding box of all glyphs: left, bottom, right, top.
    pub(crate) bbox: [f32; 4],
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
    pub(crate) cap_height: f32,
}

impl Subset {
    /// A subset of `weight` carrying at least `chars`.
    pub(crate) fn for_chars(weight: Weight, chars: &BTreeSet<char>) -> Result<Arc<Subset>> {
        type Cache = Mutex<HashMap<(Weight, Vec<char>), Arc<Subset>>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let key: Vec<char> = match weight {
            Weight::Regular => chars.iter().copied().collect(),
            Weight::Bold => chars
                .iter()
                .copied()
                .chain(PARTICULARS.chars())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        };
        let cache = CACHE.get_or_init(Default::default);
        if let Some(found) = cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(weight, key.clone()))
        {
            return Ok(found.clone());
        }
        let made = Arc::new(Subset::make(Face::get(weight)?, &key)?);
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert((weight, key), made.clone());
        Ok(made)
    }

    fn make(face: &Face, chars: &[char]) -> Result<Subset> {
        use allsorts::binary::read::ReadScope;
        use allsorts::font_data::FontData;
        use allsorts::subset::{CmapTarget, SubsetProfile, subset};
        let fail = |e: String| Error::Certificate {
            detail: format!("font subsetting failed: {e}"),
        };
        // Glyph 0 (.notdef) first, then each distinct glyph in order; the subset numbers them
        // by their place in this list.
        let mut old: Vec<u16> = vec![0];
        let mut glyphs = HashMap::new();
        for &c in chars {
            let g = face.glyph(c);
            if g == 0 {
                continue;
            }
            let new = match old.iter().position(|&o| o == g) {
                Some(i) => i,
                None => {
                    old.push(g);
                    old.len() - 1
                }
            };
            glyphs.insert(c, new as u16);
        }
        let data = ReadScope::new(face.ttf)
            .read::<FontData<'_>>()
            .map_err(|e| fail(e.to_string()))?;
        let provider = data.table_provider(0).map_err(|e| fail(e.to_string()))?;
        let program =
            subset(&provider, &old, &SubsetProfile::Pdf, CmapTarget::Unicode).map_err(|e| fail(e.to_string()))?;

        let widths = old.iter().map(|&g| face.advance(g).round()).collect();

        let mut by_glyph: Vec<(u16, char)> = glyphs.iter().map(|(&c, &g)| (g, c)).collect();
        by_glyph.sort_unstable();
        by_glyph.dedup_by_key(|(g, _)| *g);
        let mut cmap = UnicodeCmap::new(
            Name(b"Adobe-Identity-UCS"),
            SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"UCS"),
                supplement: 0,
            },
        );
        for (g, c) in by_glyph {
            cmap.pair(g, c);
        }
        let cmap = cmap.finish();

        // A subset's name starts with six capital letters that differ between subsets.
        let digest = <sha2::Sha256 as sha2::Digest>::digest(chars.iter().collect::<String>().as_bytes());
        let tag: String = digest.iter().take(6).map(|b| char::from(b'A' + b % 26)).collect();
        let base_font = format!("{tag}+{}", face.name);
        let f = &face.face;
        let bbox = f.global_bounding_box();
        let scaled = |v| face.scaled(v) as f32;
        let metrics = Metrics {
            bbox: [
                scaled(bbox.x_min),
                scaled(bbox.y_min),
                scaled(bbox.x_max),
                scaled(bbox.y_max),
            ],
            ascent: scaled(f.ascender()),
            descent: scaled(f.descender()),
            cap_height: scaled(f.capital_height().unwrap_or(f.ascender())),
        };
        Ok(Subset {
            glyphs,
            base_font,
            widths,
            metrics,
            program_length: program.len(),
            program: deflate(&program, 9),
            to_unicode: deflate(&cmap, 9),
        })
    }

    /// `text` as this subset's glyph numbers, two bytes each, big-endian (Identity-H).
    pub(crate) fn encode(&self, text: &str, out: &mut Vec<u8>) {
        for c in text.chars() {
            out.extend_from_slice(&self.glyphs.get(&c).copied().unwrap_or(0).to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_share_the_bold_subset_unless_they_need_more_letters() {
        let common: BTreeSet<char> = "María José Núñez".chars().collect();
        let other: BTreeSet<char> = "Ángel Ibáñez".chars().collect();
        let a = Subset::for_chars(Weight::Bold, &common).unwrap();
        let b = Subset::for_chars(Weight::Bold, &other).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let rare: BTreeSet<char> = "Łukasz Wałęsa".chars().collect();
        let c = Subset::for_chars(Weight::Bold, &rare).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        let mut glyphs = Vec::new();
        c.encode("Ł", &mut glyphs);
        assert_ne!(glyphs, [0, 0], "Ł has a glyph in DejaVu Serif");
        a.encode("Ł", &mut glyphs);
        assert!(glyphs.ends_with(&[0, 0]), "the shared subset has no Ł");
    }

    #[test]
    fn widths_follow_the_glyphs() {
        let face = Face::get(Weight::Regular).unwrap();
        assert!(face.width("WWW", 12.0) > face.width("iii", 12.0));
        assert_eq!(face.width("", 12.0), 0.0);
    }
}
