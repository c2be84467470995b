//! The certificate document: A4 landscape, an embedded (subset) DejaVu Serif so every accent
//! renders, laid out like an official document.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::NaiveDate;
use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    Rect, Rgb, TextItem,
};

use crate::Lang;
use crate::error::{Error, Result};

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSerif.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSerif-Bold.ttf");

/// A4 landscape, in points.
const WIDTH: f32 = 841.89;
const HEIGHT: f32 = 595.28;

/// Everything printed on a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateDoc {
    /// Language of the text.
    pub lang: Lang,
    /// The certifying body.
    pub issuer: String,
    /// The holder's name as registered.
    pub holder_name: String,
    /// Standard code (EC1057).
    pub standard_code: String,
    /// Standard version.
    pub standard_version: String,
    /// Standard title.
    pub standard_title: String,
    /// Standard level (1–5).
    pub standard_level: u8,
    /// Folio.
    pub folio: String,
    /// Verification code.
    pub verification_code: String,
    /// Date of the dictamen, in the window's time zone.
    pub dictamen_date: NaiveDate,
    /// Place of the dictamen.
    pub place: String,
    /// Last day of validity.
    pub valid_until: NaiveDate,
    /// The verifier who issued the dictamen.
    pub verifier_name: String,
    /// What the QR code carries (the signed token); no QR code when empty.
    pub qr: String,
    /// The issuer's logo, top left.
    pub logo: Option<std::sync::Arc<Logo>>,
}

/// A decoded logo: RGB pixels, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// 3 bytes per pixel.
    pub rgb: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

fn fonts() -> Result<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Some(Fonts {
                regular: ParsedFont::from_bytes(REGULAR_TTF, 0, &mut Vec::new())?,
                bold: ParsedFont::from_bytes(BOLD_TTF, 0, &mut Vec::new())?,
            })
        })
        .as_ref()
        .ok_or_else(|| Error::Certificate("the embedded DejaVu Serif font could not be parsed".into()))
}

/// Width of `text` set in `font` at `size` points.
fn text_width(font: &ParsedFont, text: &str, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| {
            font.lookup_glyph_index(c as u32)
                .and_then(|g| font.get_glyph_width(g))
                .unwrap_or(0) as u32
        })
        .sum();
    units as f32 / font.units_per_em as f32 * size
}

/// Splits `text` into lines no wider than `max` points.
/// The largest size in `[min, size]` at which `text` fits in `max` points (or `min`).
fn fit_size(font: &ParsedFont, text: &str, size: f32, min: f32, max: f32) -> f32 {
    let width = text_width(font, text, size);
    if width <= max {
        size
    } else {
        (size * max / width).max(min)
    }
}

fn wrap(font: &ParsedFont, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(font, &candidate, size) > max {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The page's drawing operations, and the characters each font must carry.
struct Page<'a> {
    ops: Vec<Op>,
    fonts: &'a Fonts,
    regular_chars: BTreeSet<char>,
    bold_chars: BTreeSet<char>,
}

const REGULAR_ID: &str = "F1";
const BOLD_ID: &str = "F2";

/// A subset of `ttf` holding only the glyphs of `chars` (and .notdef), with a Unicode cmap,
/// so each certificate embeds a few kilobytes of font instead of hundreds.
fn subset(ttf: &[u8], full: &ParsedFont, chars: &BTreeSet<char>) -> Result<ParsedFont> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile, subset};
    let fail = |e: String| Error::Certificate(format!("font subsetting failed: {e}"));
    let mut ids: Vec<u16> = chars
        .iter()
        .filter_map(|c| full.lookup_glyph_index(*c as u32))
        .filter(|g| *g != 0)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.insert(0, 0);
    let data = ReadScope::new(ttf)
        .read::<FontData<'_>>()
        .map_err(|e| fail(e.to_string()))?;
    let provider = data.table_provider(0).map_err(|e| fail(e.to_string()))?;
    let bytes = subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode).map_err(|e| fail(e.to_string()))?;
    ParsedFont::from_bytes(&bytes, 0, &mut Vec::new()).ok_or_else(|| fail("the subset could not be parsed".into()))
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
}

const INK: (f32, f32, f32) = (0.13, 0.13, 0.16);
const ACCENT: (f32, f32, f32) = (0.42, 0.09, 0.16);
const MUTED: (f32, f32, f32) = (0.38, 0.38, 0.42);

fn rgb((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

impl Page<'_> {
    fn text(&mut self, text: &str, (x, y): (f32, f32), size: f32, bold: bool, color: (f32, f32, f32), align: Align) {
        let font = if bold { &self.fonts.bold } else { &self.fonts.regular };
        let width = text_width(font, text, size);
        let x = match align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
        };
        let chars = if bold {
            &mut self.bold_chars
        } else {
            &mut self.regular_chars
        };
        chars.extend(text.chars());
        let handle = PdfFontHandle::External(FontId(if bold { BOLD_ID } else { REGULAR_ID }.into()));
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: rgb(color) },
            Op::SetFont {
                font: handle,
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point { x: Pt(x), y: Pt(y) },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    /// Centered, wrapped paragraph; returns the y below it.
    fn paragraph(&mut self, text: &str, y: f32, size: f32, bold: bool, color: (f32, f32, f32), max: f32) -> f32 {
        let font = if bold { &self.fonts.bold } else { &self.fonts.regular };
        let mut y = y;
        for line in wrap(font, text, size, max) {
            self.text(&line, (WIDTH / 2.0, y), size, bold, color, Align::Center);
            y -= size * 1.3;
        }
        y
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, thickness: f32, color: (f32, f32, f32)) {
        let p = |x: f32, y: f32| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        self.ops.extend([
            Op::SetOutlineColor { col: rgb(color) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: Line {
                    points: vec![p(x1, y1), p(x2, y2)],
                    is_closed: false,
                },
            },
        ]);
    }

    fn frame(&mut self, inset: f32, thickness: f32, color: (f32, f32, f32)) {
        self.ops.extend([
            Op::SetOutlineColor { col: rgb(color) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(inset),
                    y: Pt(inset),
                    width: Pt(WIDTH - 2.0 * inset),
                    height: Pt(HEIGHT - 2.0 * inset),
                    mode: Some(printpdf::PaintMode::Stroke),
                    winding_order: None,
                },
            },
        ]);
    }
}

/// The modules of `data` as a QR code (level L), with the mask chosen by the standard's penalty
/// rules. The `qrcode` crate scores the eight masks too, but slowly enough to be a third of a
/// certificate's rendering time; this scores them over a plain bit grid.
fn qr_modules(data: &str) -> Result<(usize, Vec<qrcode::Color>)> {
    use qrcode::canvas::{Canvas, MaskPattern};
    let fail = |e: qrcode::types::QrError| Error::Certificate(format!("cannot encode the QR code: {e}"));
    let bits = qrcode::bits::encode_auto(data.as_bytes(), qrcode::EcLevel::L).map_err(fail)?;
    let version = bits.version();
    let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, qrcode::EcLevel::L).map_err(fail)?;
    let mut canvas = Canvas::new(version, qrcode::EcLevel::L);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    let width = version.width() as usize;
    const MASKS: [MaskPattern; 8] = [
        MaskPattern::Checkerboard,
        MaskPattern::HorizontalLines,
        MaskPattern::VerticalLines,
        MaskPattern::DiagonalLines,
        MaskPattern::LargeCheckerboard,
        MaskPattern::Fields,
        MaskPattern::Diamonds,
        MaskPattern::Meadow,
    ];
    let best = MASKS
        .iter()
        .map(|&mask| {
            let mut c = canvas.clone();
            c.apply_mask(mask);
            let colors = c.into_colors();
            (qr_penalty(width, &colors), colors)
        })
        .min_by_key(|(penalty, _)| *penalty)
        .map(|(_, colors)| colors)
        .unwrap_or_default();
    Ok((width, best))
}

/// The four penalty rules of ISO/IEC 18004 (runs, 2×2 blocks, finder-like patterns, balance).
fn qr_penalty(width: usize, colors: &[qrcode::Color]) -> u32 {
    let dark = |x: usize, y: usize| colors[y * width + x] == qrcode::Color::Dark;
    let mut penalty = 0u32;
    // Rule 1 (runs of five or more) and rule 3 (1:1:3:1:1 with four light modules), by rows
    // and by columns.
    for horizontal in [true, false] {
        for a in 0..width {
            let at = |b: usize| if horizontal { dark(b, a) } else { dark(a, b) };
            let mut run = 1;
            for b in 1..width {
                if at(b) == at(b - 1) {
                    run += 1;
                } else {
                    if run >= 5 {
                        penalty += 3 + (run - 5);
                    }
                    run = 1;
                }
            }
            if run >= 5 {
                penalty += 3 + (run - 5);
            }
            let line: Vec<bool> = (0..width).map(at).collect();
            const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
            for start in 0..width.saturating_sub(6) {
                if line[start..start + 7] == FINDER {
                    let light_before = start >= 4 && line[start - 4..start].iter().all(|d| !d);
                    let light_after = start + 11 <= width && line[start + 7..start + 11].iter().all(|d| !d);
                    if light_before || light_after {
                        penalty += 40;
                    }
                }
            }
        }
    }
    // Rule 2: 2×2 blocks of one colour.
    for y in 0..width - 1 {
        for x in 0..width - 1 {
            let c = dark(x, y);
            if dark(x + 1, y) == c && dark(x, y + 1) == c && dark(x + 1, y + 1) == c {
                penalty += 3;
            }
        }
    }
    // Rule 4: the proportion of dark modules away from half.
    let total = colors.len() as u32;
    let darks = colors.iter().filter(|c| **c == qrcode::Color::Dark).count() as u32;
    let percent = darks * 100 / total.max(1);
    penalty += 10 * (percent.abs_diff(50) / 5);
    penalty
}

/// `data` as a QR code image: one grey pixel per module, with a quiet zone of two modules.
/// An image (about 1 KB compressed) is far smaller than a rectangle per module.
fn qr_image(data: &str) -> Result<printpdf::RawImage> {
    let (width, colors) = qr_modules(data)?;
    let side = width + 4;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.into_iter().enumerate() {
        if color == qrcode::Color::Dark {
            pixels[(i / width + 2) * side + i % width + 2] = 0;
        }
    }
    Ok(printpdf::RawImage {
        pixels: printpdf::RawImageData::U8(pixels),
        width: side,
        height: side,
        data_format: printpdf::RawImageFormat::R8,
        tag: Vec::new(),
    })
}

/// A date written out: "23 de noviembre de 2026" / "November 23, 2026".
pub fn long_date(date: NaiveDate, lang: Lang) -> String {
    use chrono::Datelike;
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let m = date.month0() as usize;
    match lang {
        Lang::Es => format!("{} de {} de {}", date.day(), ES[m], date.year()),
        Lang::En => format!("{} {}, {}", EN[m], date.day(), date.year()),
    }
}

/// Renders the certificate to PDF bytes.
pub fn render(doc: &CertificateDoc) -> Result<Vec<u8>> {
    let fonts = fonts()?;
    let es = doc.lang == Lang::Es;
    let title = if es {
        "Certificado de Competencia"
    } else {
        "Certificate of Competence"
    };
    let mut pdf = PdfDocument::new(&format!("{title} {}", doc.folio));
    let mut page = Page {
        ops: Vec::with_capacity(160),
        fonts,
        regular_chars: BTreeSet::new(),
        bold_chars: BTreeSet::new(),
    };

    page.frame(18.0, 2.2, ACCENT);
    page.frame(25.0, 0.6, ACCENT);

    let cx = WIDTH / 2.0;
    // The logo, top left inside the frame; the issuer's line then keeps clear of it.
    let mut issuer_width = WIDTH - 110.0;
    if let Some(logo) = &doc.logo {
        let height = 56.0;
        let id = pdf.add_image(&printpdf::RawImage {
            pixels: printpdf::RawImageData::U8(logo.rgb.clone()),
            width: logo.width as usize,
            height: logo.height as usize,
            data_format: printpdf::RawImageFormat::RGB8,
            tag: Vec::new(),
        });
        let width = height * logo.width as f32 / logo.height.max(1) as f32;
        page.ops.push(Op::UseXobject {
            id,
            transform: printpdf::XObjectTransform {
                translate_x: Some(Pt(40.0)),
                translate_y: Some(Pt(HEIGHT - 40.0 - height)),
                dpi: Some(logo.height as f32 * 72.0 / height),
                ..Default::default()
            },
        });
        issuer_width = WIDTH - 2.0 * (50.0 + width.min(160.0));
    }
    let issuer_size = fit_size(&fonts.bold, &doc.issuer, 15.0, 9.0, issuer_width);
    page.text(&doc.issuer, (cx, 530.0), issuer_size, true, INK, Align::Center);
    page.line(cx - 120.0, 516.0, cx + 120.0, 516.0, 0.6, ACCENT);
    let heading = if es {
        "CERTIFICADO DE COMPETENCIA LABORAL"
    } else {
        "CERTIFICATE OF OCCUPATIONAL COMPETENCE"
    };
    page.text(heading, (cx, 478.0), 24.0, true, ACCENT, Align::Center);
    let grants = if es {
        "Se otorga el presente certificado a"
    } else {
        "This certificate is awarded to"
    };
    page.text(grants, (cx, 440.0), 13.0, false, MUTED, Align::Center);
    let mut y = page.paragraph(&doc.holder_name, 400.0, 28.0, true, INK, WIDTH - 160.0);
    page.line(cx - 220.0, y + 20.0, cx + 220.0, y + 20.0, 0.5, MUTED);
    y -= 4.0;
    let demonstrated = if es {
        "por haber demostrado su competencia en el Estándar de Competencia"
    } else {
        "for having demonstrated competence in the Competency Standard"
    };
    page.text(demonstrated, (cx, y), 13.0, false, MUTED, Align::Center);
    y -= 26.0;
    let standard = format!("{} «{}»", doc.standard_code, doc.standard_title);
    y = page.paragraph(&standard, y, 16.0, true, INK, WIDTH - 180.0);
    let version = if es { "versión" } else { "version" };
    let level = if es { "nivel" } else { "level" };
    let result = if es {
        "Resultado: Competente"
    } else {
        "Result: Competent"
    };
    let meta = format!(
        "{version} {} · {level} {} · {result}",
        doc.standard_version, doc.standard_level
    );
    page.text(&meta, (cx, y - 2.0), 12.0, false, INK, Align::Center);

    // Particulars, bottom left.
    let (lx, mut ly) = (70.0, 150.0);
    let rows: [(&str, String); 5] = if es {
        [
            ("Folio", doc.folio.clone()),
            ("Código de verificación", doc.verification_code.clone()),
            ("Fecha del dictamen", long_date(doc.dictamen_date, doc.lang)),
            ("Lugar", doc.place.clone()),
            ("Vigente hasta", long_date(doc.valid_until, doc.lang)),
        ]
    } else {
        [
            ("Folio", doc.folio.clone()),
            ("Verification code", doc.verification_code.clone()),
            ("Date of dictamen", long_date(doc.dictamen_date, doc.lang)),
            ("Place", doc.place.clone()),
            ("Valid until", long_date(doc.valid_until, doc.lang)),
        ]
    };
    for (label, value) in &rows {
        page.text(label, (lx, ly), 9.5, false, MUTED, Align::Left);
        page.text(value, (lx + 118.0, ly), 10.5, true, INK, Align::Left);
        ly -= 17.0;
    }

    // Signature block, bottom right.
    let sx = WIDTH - 205.0;
    page.line(sx - 120.0, 105.0, sx + 120.0, 105.0, 0.8, INK);
    page.text(&doc.verifier_name, (sx, 90.0), 12.0, true, INK, Align::Center);
    let role = if es {
        "Verificador(a) que emite el dictamen"
    } else {
        "Verifier who issued the dictamen"
    };
    page.text(role, (sx, 76.0), 9.5, false, MUTED, Align::Center);
    let mut iy = 63.0;
    for line in wrap(&fonts.regular, &doc.issuer, 9.0, 250.0) {
        page.text(&line, (sx, iy), 9.0, false, MUTED, Align::Center);
        iy -= 11.0;
    }

    // The signed token as a QR code above the signature: it verifies without the network.
    if !doc.qr.is_empty() {
        let image = qr_image(&doc.qr)?;
        let (side, size) = (image.width as f32, 118.0);
        let id = pdf.add_image(&image);
        page.ops.push(Op::UseXobject {
            id,
            transform: printpdf::XObjectTransform {
                translate_x: Some(Pt(sx - size / 2.0)),
                translate_y: Some(Pt(122.0)),
                dpi: Some(side * 72.0 / size),
                ..Default::default()
            },
        });
    }

    let check = if es {
        "Verifique la autenticidad de este certificado escaneando el código QR o con su folio y código de verificación."
    } else {
        "Verify this certificate by scanning the QR code, or with its folio and verification code."
    };
    page.text(check, (cx, 36.0), 8.0, false, MUTED, Align::Center);

    let info = &mut pdf.metadata.info;
    info.author = doc.issuer.clone();
    info.creator = "avala".into();
    info.producer = "avala (printpdf)".into();
    info.subject = format!("{title}: {} — {}", doc.standard_code, doc.holder_name);
    info.keywords = vec![
        doc.standard_code.clone(),
        doc.folio.clone(),
        "certificado".into(),
        "competencia".into(),
    ];
    info.identifier = doc.folio.clone();

    let regular = subset(REGULAR_TTF, &fonts.regular, &page.regular_chars)?;
    let bold = subset(BOLD_TTF, &fonts.bold, &page.bold_chars)?;
    pdf.resources
        .fonts
        .map
        .insert(FontId(REGULAR_ID.into()), printpdf::PdfFont::new(regular));
    pdf.resources
        .fonts
        .map
        .insert(FontId(BOLD_ID.into()), printpdf::PdfFont::new(bold));
    let page = PdfPage::new(Mm(297.0), Mm(210.0), page.ops);
    let options = PdfSaveOptions {
        subset_fonts: false,
        ..PdfSaveOptions::default()
    };
    let bytes = pdf.with_pages(vec![page]).save(&options, &mut Vec::new());
    Ok(bytes)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> CertificateDoc {
        CertificateDoc {
            lang: Lang::Es,
            issuer: "Instituto de Transparencia del Estado".into(),
            holder_name: "María José Núñez Peña".into(),
            standard_code: "EC1057".into(),
            standard_version: "1".into(),
            standard_title: "Garantizar el derecho de acceso a la información pública".into(),
            standard_level: 3,
            folio: "EC1057-2026-000001".into(),
            qr: "AV1.eyJmb2xpbyI6IkVDMTA1Ny0yMDI2LTAwMDAwMSJ9.c2lnbmF0dXJl".into(),
            logo: None,
            verification_code: "7QK2-M9XD-0000-AAAA-BBBB-CCCC-DD".into(),
            dictamen_date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            place: "Toluca de Lerdo, México".into(),
            valid_until: NaiveDate::from_ymd_opt(2029, 11, 23).unwrap(),
            verifier_name: "Ángel Ibáñez Ruíz".into(),
        }
    }

    #[test]
    fn renders_a_small_pdf() {
        let bytes = render(&sample()).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.len() < 40 * 1024, "{} bytes", bytes.len());
    }

    #[test]
    fn the_qr_code_is_the_standard_encoding_under_one_of_its_eight_masks() {
        let data = "AV1.eyJmb2xpbyI6IkVDMTA1Ny0yMDI2LTAwMDAwMSJ9.c2lnbmF0dXJl-ÁÉÍÓÚ";
        let (width, colors) = qr_modules(data).unwrap();
        let reference = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::L).unwrap();
        assert_eq!(width, reference.width());
        let bits = qrcode::bits::encode_auto(data.as_bytes(), qrcode::EcLevel::L).unwrap();
        let version = bits.version();
        let (d, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, qrcode::EcLevel::L).unwrap();
        let mut canvas = qrcode::canvas::Canvas::new(version, qrcode::EcLevel::L);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&d, &ec);
        use qrcode::canvas::MaskPattern::*;
        let variants: Vec<Vec<qrcode::Color>> = [
            Checkerboard,
            HorizontalLines,
            VerticalLines,
            DiagonalLines,
            LargeCheckerboard,
            Fields,
            Diamonds,
            Meadow,
        ]
        .into_iter()
        .map(|m| {
            let mut c = canvas.clone();
            c.apply_mask(m);
            c.into_colors()
        })
        .collect();
        assert!(variants.contains(&colors));
        assert!(variants.contains(&reference.to_colors()));
    }

    fn images(pdf: &[u8]) -> usize {
        pdf.windows(6).filter(|w| w == b"/Image").count()
    }

    #[test]
    fn the_logo_and_the_qr_code_are_images() {
        let plain = render(&sample()).unwrap();
        let mut doc = sample();
        doc.logo = Some(std::sync::Arc::new(Logo {
            rgb: [120, 20, 40].repeat(64 * 32),
            width: 64,
            height: 32,
        }));
        let with_logo = render(&doc).unwrap();
        assert_eq!((images(&plain), images(&with_logo)), (1, 2));
        doc.qr.clear();
        assert_eq!(images(&render(&doc).unwrap()), 1);
    }

    #[test]
    fn dates_in_both_languages() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        assert_eq!(long_date(d, Lang::Es), "3 de noviembre de 2026");
        assert_eq!(long_date(d, Lang::En), "November 3, 2026");
    }

    #[test]
    fn wrapping_respects_width() {
        let f = &fonts().unwrap().regular;
        let lines = wrap(f, "uno dos tres cuatro cinco seis siete ocho nueve diez", 12.0, 80.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| text_width(f, l, 12.0) <= 80.0 || !l.contains(' ')));
    }
}
