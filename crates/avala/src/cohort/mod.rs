//! Realistic synthetic cohorts: Spanish names with accents, obligated subjects of the Estado de
//! México (its 125 municipalities, their DIF and water bodies, state agencies and autonomous
//! bodies: 334 in all, like Infoem's), and CURPs built by RENAPO's rules with correct check
//! digits. Deterministic for a seed, so fixtures and benchmarks are reproducible.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::identity::check_digit;

/// A table of names kept as a data file (one per line, in `cohort/names/`), split once on
/// first use; its length is checked against the number the generator was written for.
struct Names {
    text: &'static str,
    len: usize,
    lines: std::sync::OnceLock<Vec<&'static str>>,
}

impl Names {
    const fn new(text: &'static str, len: usize) -> Names {
        Names {
            text,
            len,
            lines: std::sync::OnceLock::new(),
        }
    }
}

impl std::ops::Deref for Names {
    type Target = [&'static str];
    fn deref(&self) -> &Self::Target {
        self.lines.get_or_init(|| {
            let lines: Vec<&'static str> = self.text.lines().filter(|l| !l.trim().is_empty()).collect();
            assert_eq!(lines.len(), self.len, "a name table lost or gained lines");
            lines
        })
    }
}

static MUNICIPIOS: Names = Names::new(include_str!("names/municipios.txt"), 125);

static STATE_BODIES: Names = Names::new(include_str!("names/state_bodies.txt"), 40);

/// The 334 obligated subjects, in a fixed order.
pub fn institutions() -> Vec<String> {
    let mut out = Vec::with_capacity(334);
    out.extend(MUNICIPIOS.iter().map(|m| format!("H. Ayuntamiento de {m}")));
    out.extend(MUNICIPIOS.iter().map(|m| format!("Sistema Municipal DIF de {m}")));
    out.extend(
        MUNICIPIOS
            .iter()
            .take(44)
            .map(|m| format!("Organismo de Agua Potable, Alcantarillado y Saneamiento de {m}")),
    );
    out.extend(STATE_BODIES.iter().map(|b| b.to_string()));
    out
}

static WOMEN: Names = Names::new(include_str!("names/women.txt"), 40);
static MEN: Names = Names::new(include_str!("names/men.txt"), 40);
static SURNAMES: Names = Names::new(include_str!("names/surnames.txt"), 60);
static POSITIONS: Names = Names::new(include_str!("names/positions.txt"), 8);
/// RENAPO state codes of birth (weighted to the centre of the country).
const STATES: [&str; 12] = ["MC", "MC", "MC", "MC", "DF", "DF", "HG", "MN", "PL", "GR", "VZ", "OC"];

/// One generated candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCandidate {
    /// CURP.
    pub curp: String,
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Institution.
    pub institution: String,
    /// Position.
    pub position: String,
    /// Public-registry consent.
    pub public_registry: bool,
}

/// Strips accents and maps Ñ to X, as the CURP does; upper case ASCII letters only.
fn curp_letters(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'á' | 'Á' => Some('A'),
            'é' | 'É' => Some('E'),
            'í' | 'Í' => Some('I'),
            'ó' | 'Ó' => Some('O'),
            'ú' | 'Ú' | 'ü' | 'Ü' => Some('U'),
            'ñ' | 'Ñ' => Some('X'),
            c if c.is_ascii_alphabetic() => Some(c.to_ascii_uppercase()),
            _ => None,
        })
        .collect()
}

fn first_internal(word: &str, vowel: bool) -> char {
    word.chars()
        .skip(1)
        .find(|c| "AEIOU".contains(*c) == vowel)
        .unwrap_or('X')
}

/// The first 16 characters of a CURP from the name parts, birth date, sex and state.
fn curp_stem(
    given: &str,
    paternal: &str,
    maternal: &str,
    (y, m, d): (i32, u32, u32),
    sex: char,
    state: &str,
) -> String {
    let (g, p, mat) = (
        curp_letters(given.split_whitespace().next().unwrap_or(given)),
        curp_letters(paternal),
        curp_letters(maternal),
    );
    // María and José as a first given name yield to the second (RENAPO rule).
    let g = match given.split_whitespace().collect::<Vec<_>>().as_slice() {
        [first, second, ..] if matches!(curp_letters(first).as_str(), "MARIA" | "JOSE") => curp_letters(second),
        _ => g,
    };
    let mut s = String::with_capacity(18);
    s.push(p.chars().next().unwrap_or('X'));
    s.push(first_internal(&p, true));
    s.push(mat.chars().next().unwrap_or('X'));
    s.push(g.chars().next().unwrap_or('X'));
    // An inconvenient word gets an X as its second letter, as RENAPO issues it.
    let mut s = crate::identity::issued_letters(&s);
    s.push_str(&format!("{:02}{m:02}{d:02}", y % 100));
    s.push(sex);
    s.push_str(state);
    s.push(first_internal(&p, false));
    s.push(first_internal(&mat, false));
    s.push(first_internal(&g, false));
    s
}

fn ascii_slug(s: &str) -> String {
    curp_letters(&s.replace('ñ', "n").replace('Ñ', "N")).to_lowercase()
}

/// Generates `n` candidates with distinct, valid CURPs and e-mails; the first 334 each come
/// from a different obligated subject.
pub fn generate(n: usize, seed: u64) -> Vec<GeneratedCandidate> {
    let mut out = Vec::with_capacity(n);
    each(n, seed, |c| out.push(c));
    out
}

/// Writes `n` generated candidates (as [`generate`] makes them) as an import CSV, one row at a
/// time: only their CURPs and e-mails are held, to keep them distinct.
pub fn write_csv(n: usize, seed: u64, out: impl std::io::Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    let mut failed = None;
    each(n, seed, |c| {
        if failed.is_none()
            && let Err(e) = w.write_record(record(&c))
        {
            failed = Some(e);
        }
    });
    if let Some(e) = failed {
        return Err(e.into());
    }
    w.flush()
}

/// The import CSV's header.
const HEADER: [&str; 6] = ["curp", "name", "email", "institution", "position", "public_registry"];

/// A candidate as an import CSV row.
fn record(c: &GeneratedCandidate) -> [&str; 6] {
    [
        c.curp.as_str(),
        &c.name,
        &c.email,
        &c.institution,
        &c.position,
        if c.public_registry { "sí" } else { "no" },
    ]
}

/// Generates `n` candidates one after another, handing each to `f`.
fn each(n: usize, seed: u64, mut f: impl FnMut(GeneratedCandidate)) {
    let mut rng = StdRng::seed_from_u64(seed);
    let institutions = institutions();
    let mut curps = HashSet::with_capacity(n);
    let mut emails = HashSet::with_capacity(n);
    let mut made = 0usize;
    let mut i = 0usize;
    while made < n {
        let woman = rng.gen_bool(0.55);
        let given = if woman {
            WOMEN[rng.gen_range(0..WOMEN.len())]
        } else {
            MEN[rng.gen_range(0..MEN.len())]
        };
        let paternal = SURNAMES[rng.gen_range(0..SURNAMES.len())];
        let maternal = SURNAMES[rng.gen_range(0..SURNAMES.len())];
        let year = rng.gen_range(1962..=2003);
        let month = rng.gen_range(1..=12);
        let day = rng.gen_range(1..=28);
        let state = STATES[rng.gen_range(0..STATES.len())];
        let stem = curp_stem(
            given,
            paternal,
            maternal,
            (year, month, day),
            if woman { 'M' } else { 'H' },
            state,
        );
        // The 17th character tells the century: a digit before 2000, a letter from 2000.
        let homoclave = if year < 2000 {
            char::from(b'0' + rng.gen_range(0..10u8))
        } else {
            char::from(b'A' + rng.gen_range(0..26u8))
        };
        let first17 = format!("{stem}{homoclave}");
        let curp = format!("{first17}{}", check_digit(&first17));
        if !curps.insert(curp.clone()) {
            continue;
        }
        let institution = institutions[i % institutions.len()].clone();
        let local = format!(
            "{}.{}",
            ascii_slug(given.split_whitespace().next().unwrap_or(given)),
            ascii_slug(paternal)
        );
        let mut email = format!("{local}@transparencia.edomex.example");
        let mut k = 1;
        while !emails.insert(email.clone()) {
            k += 1;
            email = format!("{local}{k}@transparencia.edomex.example");
        }
        f(GeneratedCandidate {
            curp,
            name: format!("{given} {paternal} {maternal}"),
            email,
            institution,
            position: POSITIONS[rng.gen_range(0..POSITIONS.len())].to_string(),
            public_registry: rng.gen_bool(0.4),
        });
        made += 1;
        i += 1;
    }
}

/// The candidates as an import CSV (with header).
pub fn to_csv(candidates: &[GeneratedCandidate]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(HEADER);
    for c in candidates {
        let _ = w.write_record(record(c));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::INCONVENIENT_WORDS;

    #[test]
    fn institutions_are_334_distinct() {
        let all = institutions();
        assert_eq!(all.len(), 334);
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 334);
    }

    #[test]
    fn written_cohort_is_the_generated_one() {
        let mut written = Vec::new();
        write_csv(500, 9, &mut written).unwrap();
        assert_eq!(String::from_utf8(written).unwrap(), to_csv(&generate(500, 9)));
    }

    #[test]
    fn generated_cohort_imports_cleanly() {
        let cohort = generate(2000, 7);
        let parsed = crate::import::parse(to_csv(&cohort).as_bytes());
        assert!(
            parsed.problems.is_empty(),
            "{:?}",
            &parsed.problems[..parsed.problems.len().min(5)]
        );
        assert_eq!(parsed.rows.len(), 2000);
        assert_eq!(generate(50, 7), cohort[..50].to_vec());
    }

    #[test]
    fn curp_stem_follows_renapo() {
        // Gloria Hernández García, 27 April 1956, woman, Veracruz: HEGG560427MVZRRL.
        assert_eq!(
            curp_stem("Gloria", "Hernández", "García", (1956, 4, 27), 'M', "VZ"),
            "HEGG560427MVZRRL"
        );
        assert_eq!(
            curp_stem("María José", "Núñez", "Peña", (1990, 1, 2), 'M', "MC"),
            "NUPJ900102MMCXXS"
        );
    }

    #[test]
    fn no_stem_starts_with_an_inconvenient_word() {
        // Óscar Puente Toledo would be PUTO: RENAPO issues PXTO.
        assert_eq!(
            curp_stem("Óscar", "Puente", "Toledo", (1980, 1, 1), 'H', "DF"),
            "PXTO800101HDFNLS"
        );
        // Every given name and pair of surnames of the tables.
        for paternal in SURNAMES.iter() {
            for maternal in SURNAMES.iter() {
                for given in WOMEN.iter().chain(MEN.iter()) {
                    let stem = curp_stem(given, paternal, maternal, (1980, 1, 1), 'H', "DF");
                    assert!(
                        !INCONVENIENT_WORDS.contains(&&stem[..4]),
                        "{given} {paternal} {maternal}: {stem}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_fixture_is_the_generators_cohort() {
        assert!(std::str::from_utf8(crate::demo::COHORT_CSV).unwrap() == to_csv(&generate(334, 1057)));
    }

    #[test]
    fn the_fixture_is_a_valid_334_cohort() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/ec1057-cohort.csv")).unwrap();
        let parsed = crate::import::parse(&bytes);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        assert_eq!(parsed.rows.len(), 334);
        let institutions: HashSet<_> = parsed.rows.iter().map(|r| r.institution.as_str()).collect();
        assert_eq!(institutions.len(), 334);
    }
}
