//! The certificate document: A4 landscape, an embedded (subset) DejaVu Serif so every accent
//! renders, laid out like an official document.
//!
//! The PDF is written here object by object rather than through a general PDF library: a
//! certificate is one page of text, lines and two images, and a general library rebuilds,
//! recompresses and reserializes every font program for every document (3.7 ms of a 3.9 ms
//! certificate). Here the font subsets are made and compressed once (see `fonts`), and each
//! certificate costs its page's drawing operations, its QR code and one small deflate.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;

pub(crate) use super::deflate::deflate;
use super::fonts::{Face, Subset, Weight};
use crate::Lang;
use crate::error::Result;

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
    /// The signed token: printed as a QR code and stored in the document information under
    /// `AvalaCertificate` (see `signed`); neither when empty.
    pub qr: String,
    /// The issuer's logo, top left.
    pub logo: Option<Arc<Logo>>,
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
    /// The pixels deflated, once for every certificate that carries the logo.
    deflated: OnceLock<Vec<u8>>,
}

impl Logo {
    /// A logo of `width` × `height` RGB pixels.
    pub fn new(rgb: Vec<u8>, width: u32, height: u32) -> Logo {
        Logo {
            rgb,
            width,
            height,
            deflated: OnceLock::new(),
        }
    }

    fn deflated(&self) -> &[u8] {
        self.deflated.get_or_init(|| deflate(&self.rgb, 9))
    }
}

/// Splits `text` into lines no wider than `max` points.
fn wrap(font: &Face, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && font.width(&candidate, size) > max {
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

/// The largest size in `[min, size]` at which `text` fits in `max` points (or `min`).
fn fit_size(font: &Face, text: &str, size: f32, min: f32, max: f32) -> f32 {
    let width = font.width(text, size);
    if width <= max {
        size
    } else {
        (size * max / width).max(min)
    }
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
}

type Rgb = (f32, f32, f32);
const INK: Rgb = (0.13, 0.13, 0.16);
const ACCENT: Rgb = (0.42, 0.09, 0.16);
const MUTED: Rgb = (0.38, 0.38, 0.42);

/// A piece of text to show once the fonts are subset.
struct Run {
    text: String,
    at: (f32, f32),
    size: f32,
    weight: Weight,
    color: Rgb,
}

/// The page: its graphics (lines, images) as content-stream operators, and its text, which is
/// encoded once the subsets are known.
struct Page {
    regular: &'static Face,
    bold: &'static Face,
    graphics: String,
    runs: Vec<Run>,
}

impl Page {
    fn face(&self, weight: Weight) -> &'static Face {
        match weight {
            Weight::Regular => self.regular,
            Weight::Bold => self.bold,
        }
    }

    fn text(&mut self, text: &str, (x, y): (f32, f32), size: f32, weight: Weight, color: Rgb, align: Align) {
        let x = match align {
            Align::Left => x,
            Align::Center => x - self.face(weight).width(text, size) / 2.0,
        };
        self.runs.push(Run {
            text: text.to_string(),
            at: (x, y),
            size,
            weight,
            color,
        });
    }

    /// Centered, wrapped paragraph; returns the y below it.
    fn paragraph(&mut self, text: &str, y: f32, size: f32, weight: Weight, color: Rgb, max: f32) -> f32 {
        let mut y = y;
        for line in wrap(self.face(weight), text, size, max) {
            self.text(&line, (WIDTH / 2.0, y), size, weight, color, Align::Center);
            y -= size * 1.3;
        }
        y
    }

    fn line(&mut self, (x1, y1): (f32, f32), (x2, y2): (f32, f32), thickness: f32, (r, g, b): Rgb) {
        let _ = writeln!(
            self.graphics,
            "{r} {g} {b} RG {thickness} w {x1:.2} {y1:.2} m {x2:.2} {y2:.2} l S"
        );
    }

    fn frame(&mut self, inset: f32, thickness: f32, (r, g, b): Rgb) {
        let (w, h) = (WIDTH - 2.0 * inset, HEIGHT - 2.0 * inset);
        let _ = writeln!(
            self.graphics,
            "{r} {g} {b} RG {thickness} w {inset} {inset} {w:.2} {h:.2} re S"
        );
    }

    fn image(&mut self, name: &str, (x, y): (f32, f32), (w, h): (f32, f32)) {
        let _ = writeln!(self.graphics, "q {w:.2} 0 0 {h:.2} {x:.2} {y:.2} cm /{name} Do Q");
    }
}

/// A PDF file being written: objects in order, their offsets for the cross-reference table.
struct Writer {
    out: Vec<u8>,
    offsets: Vec<usize>,
}

impl Writer {
    fn new() -> Writer {
        let mut out = Vec::with_capacity(40 * 1024);
        out.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
        Writer {
            out,
            offsets: Vec::new(),
        }
    }

    /// The number the next object will get.
    fn next(&self) -> usize {
        self.offsets.len() + 1
    }

    fn object(&mut self, dict: &str) -> usize {
        self.offsets.push(self.out.len());
        let n = self.offsets.len();
        let _ = write!(Bytes(&mut self.out), "{n} 0 obj\n<<{dict}>>\nendobj\n");
        n
    }

    /// A stream object; `dict` gets its `Length`.
    fn stream(&mut self, dict: &str, data: &[u8]) -> usize {
        self.offsets.push(self.out.len());
        let n = self.offsets.len();
        let _ = write!(
            Bytes(&mut self.out),
            "{n} 0 obj\n<<{dict}/Length {}>>\nstream\n",
            data.len()
        );
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
        n
    }

    fn finish(mut self, root: usize, info: usize) -> Vec<u8> {
        let xref = self.out.len();
        let mut table = format!("xref\n0 {}\n0000000000 65535 f\r\n", self.offsets.len() + 1);
        for offset in &self.offsets {
            let _ = write!(table, "{offset:010} 00000 n\r\n");
        }
        let _ = write!(
            table,
            "trailer\n<</Size {}/Root {root} 0 R/Info {info} 0 R>>\nstartxref\n{xref}\n%%EOF\n",
            self.offsets.len() + 1
        );
        self.out.extend_from_slice(table.as_bytes());
        self.out
    }
}

/// `fmt::Write` into bytes.
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A PDF text string: literal when plain ASCII, else UTF-16BE with a byte-order mark.
fn text_string(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_graphic() || c == ' ') && !s.contains(['(', ')', '\\']) {
        format!("({s})")
    } else {
        let mut out = String::from("<FEFF");
        for unit in s.encode_utf16() {
            let _ = write!(out, "{unit:04X}");
        }
        out.push('>');
        out
    }
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
    let es = doc.lang == Lang::Es;
    let title = if es {
        "Certificado de Competencia"
    } else {
        "Certificate of Competence"
    };
    let (regular, bold) = (Face::get(Weight::Regular)?, Face::get(Weight::Bold)?);
    let mut page = Page {
        regular,
        bold,
        graphics: String::with_capacity(1024),
        runs: Vec::with_capacity(40),
    };

    page.frame(18.0, 2.2, ACCENT);
    page.frame(25.0, 0.6, ACCENT);

    let cx = WIDTH / 2.0;
    // The logo, top left inside the frame; the issuer's line then keeps clear of it.
    let mut issuer_width = WIDTH - 110.0;
    if let Some(logo) = &doc.logo {
        let height = 56.0;
        let width = height * logo.width as f32 / logo.height.max(1) as f32;
        page.image("Logo", (40.0, HEIGHT - 40.0 - height), (width, height));
        issuer_width = WIDTH - 2.0 * (50.0 + width.min(160.0));
    }
    let issuer_size = fit_size(bold, &doc.issuer, 15.0, 9.0, issuer_width);
    page.text(&doc.issuer, (cx, 530.0), issuer_size, Weight::Bold, INK, Align::Center);
    page.line((cx - 120.0, 516.0), (cx + 120.0, 516.0), 0.6, ACCENT);
    let heading = if es {
        "CERTIFICADO DE COMPETENCIA LABORAL"
    } else {
        "CERTIFICATE OF OCCUPATIONAL COMPETENCE"
    };
    page.text(heading, (cx, 478.0), 24.0, Weight::Bold, ACCENT, Align::Center);
    let grants = if es {
        "Se otorga el presente certificado a"
    } else {
        "This certificate is awarded to"
    };
    page.text(grants, (cx, 440.0), 13.0, Weight::Regular, MUTED, Align::Center);
    let mut y = page.paragraph(&doc.holder_name, 400.0, 28.0, Weight::Bold, INK, WIDTH - 160.0);
    page.line((cx - 220.0, y + 20.0), (cx + 220.0, y + 20.0), 0.5, MUTED);
    y -= 4.0;
    let demonstrated = if es {
        "por haber demostrado su competencia en el Estándar de Competencia"
    } else {
        "for having demonstrated competence in the Competency Standard"
    };
    page.text(demonstrated, (cx, y), 13.0, Weight::Regular, MUTED, Align::Center);
    y -= 26.0;
    let standard = format!("{} «{}»", doc.standard_code, doc.standard_title);
    y = page.paragraph(&standard, y, 16.0, Weight::Bold, INK, WIDTH - 180.0);
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
    page.text(&meta, (cx, y - 2.0), 12.0, Weight::Regular, INK, Align::Center);

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
        page.text(label, (lx, ly), 9.5, Weight::Regular, MUTED, Align::Left);
        page.text(value, (lx + 118.0, ly), 10.5, Weight::Bold, INK, Align::Left);
        ly -= 17.0;
    }

    // Signature block, bottom right.
    let sx = WIDTH - 205.0;
    page.line((sx - 120.0, 105.0), (sx + 120.0, 105.0), 0.8, INK);
    page.text(&doc.verifier_name, (sx, 90.0), 12.0, Weight::Bold, INK, Align::Center);
    let role = if es {
        "Verificador(a) que emite el dictamen"
    } else {
        "Verifier who issued the dictamen"
    };
    page.text(role, (sx, 76.0), 9.5, Weight::Regular, MUTED, Align::Center);
    let mut iy = 63.0;
    for line in wrap(regular, &doc.issuer, 9.0, 250.0) {
        page.text(&line, (sx, iy), 9.0, Weight::Regular, MUTED, Align::Center);
        iy -= 11.0;
    }

    // The signed token as a QR code above the signature: it verifies without the network.
    let qr = if doc.qr.is_empty() {
        None
    } else {
        let size = 118.0;
        page.image("QR", (sx - size / 2.0, 122.0), (size, size));
        Some(super::qr::image(&doc.qr)?)
    };

    let check = if es {
        "Verifique la autenticidad de este certificado escaneando el código QR o con su folio y código de verificación."
    } else {
        "Verify this certificate by scanning the QR code, or with its folio and verification code."
    };
    page.text(check, (cx, 36.0), 8.0, Weight::Regular, MUTED, Align::Center);

    // The fonts, subset for the characters the page shows.
    let chars = |weight| -> BTreeSet<char> {
        page.runs
            .iter()
            .filter(|r| r.weight == weight)
            .flat_map(|r| r.text.chars())
            .collect()
    };
    let subsets = [
        Subset::for_chars(Weight::Regular, &chars(Weight::Regular))?,
        Subset::for_chars(Weight::Bold, &chars(Weight::Bold))?,
    ];
    let mut content = page.graphics;
    for run in &page.runs {
        let (r, g, b) = run.color;
        let font = match run.weight {
            Weight::Regular => "F1",
            Weight::Bold => "F2",
        };
        let _ = write!(
            content,
            "BT {r} {g} {b} rg /{font} {} Tf {:.2} {:.2} Td ",
            run.size, run.at.0, run.at.1
        );
        subsets[run.weight as usize].encode(&run.text, &mut content);
        content.push_str(" Tj ET\n");
    }

    // The objects: catalog, pages and page first, then what the page uses.
    let mut w = Writer::new();
    let (catalog, pages, page_id) = (1, 2, 3);
    let contents = 4;
    let first_font = 5;
    let images_from = first_font + 5 * subsets.len();
    let qr_id = qr.as_ref().map(|_| images_from);
    let logo_id = doc.logo.as_ref().map(|_| images_from + usize::from(qr.is_some()));
    let mut xobjects = String::new();
    if let Some(id) = qr_id {
        let _ = write!(xobjects, "/QR {id} 0 R");
    }
    if let Some(id) = logo_id {
        let _ = write!(xobjects, "/Logo {id} 0 R");
    }
    w.object(&format!("/Type/Catalog/Pages {pages} 0 R"));
    w.object(&format!("/Type/Pages/Kids[{page_id} 0 R]/Count 1"));
    w.object(&format!(
        "/Type/Page/Parent {pages} 0 R/MediaBox[0 0 {WIDTH} {HEIGHT}]/Contents {contents} 0 R\
         /Resources<</Font<</F1 {} 0 R/F2 {} 0 R>>/XObject<<{xobjects}>>>>",
        first_font,
        first_font + 5
    ));
    w.stream("/Filter/FlateDecode", &deflate(content.as_bytes(), 1));
    for subset in &subsets {
        let n = w.next();
        let name = &subset.base_font;
        w.object(&format!(
            "/Type/Font/Subtype/Type0/BaseFont/{name}/Encoding/Identity-H/DescendantFonts[{} 0 R]/ToUnicode {} 0 R",
            n + 1,
            n + 4
        ));
        w.object(&format!(
            "/Type/Font/Subtype/CIDFontType2/BaseFont/{name}\
             /CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>\
             /FontDescriptor {} 0 R/W{}/CIDToGIDMap/Identity",
            n + 2,
            subset.widths
        ));
        w.object(&format!("{}/FontFile2 {} 0 R", subset.descriptor, n + 3));
        w.stream(
            &format!("/Filter/FlateDecode/Length1 {}", subset.program_length),
            &subset.program,
        );
        w.stream("/Filter/FlateDecode", &subset.to_unicode);
    }
    if let Some((side, bits)) = &qr {
        w.stream(
            &format!("/Type/XObject/Subtype/Image/Width {side}/Height {side}/ColorSpace/DeviceGray/BitsPerComponent 1"),
            // A bit per module: deflate would save a few hundred bytes for more time than the
            // rest of the page.
            bits,
        );
    }
    if let Some(logo) = &doc.logo {
        w.stream(
            &format!(
                "/Type/XObject/Subtype/Image/Width {}/Height {}/ColorSpace/DeviceRGB/BitsPerComponent 8/Filter/FlateDecode",
                logo.width, logo.height
            ),
            logo.deflated(),
        );
    }
    let mut info = format!(
        "/Title{}/Author{}/Subject{}/Keywords{}/Creator(avala)/Producer(avala)",
        text_string(&format!("{title} {}", doc.folio)),
        text_string(&doc.issuer),
        text_string(&format!("{title}: {} — {}", doc.standard_code, doc.holder_name)),
        text_string(&format!(
            "{}, {}, certificado, competencia",
            doc.standard_code, doc.folio
        )),
    );
    if !doc.qr.is_empty() {
        // The token is base64url and dots: a literal string needs no escaping. Verification
        // finds it by scanning for this key (`signed::extract_from_pdf`).
        let _ = write!(info, "/{}({})", super::signed::PDF_KEY, doc.qr);
    }
    let info = w.object(&info);
    Ok(w.finish(catalog, info))
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

    fn images(pdf: &[u8]) -> usize {
        pdf.windows(6).filter(|w| w == b"/Image").count()
    }

    #[test]
    fn the_logo_and_the_qr_code_are_images() {
        let plain = render(&sample()).unwrap();
        let mut doc = sample();
        doc.logo = Some(Arc::new(Logo::new([120, 20, 40].repeat(64 * 32), 64, 32)));
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
        let f = Face::get(Weight::Regular).unwrap();
        let lines = wrap(f, "uno dos tres cuatro cinco seis siete ocho nueve diez", 12.0, 80.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| f.width(l, 12.0) <= 80.0 || !l.contains(' ')));
    }
}
