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

use self::labels::Labels;
pub use self::labels::long_date;
use self::layout::{LOGO, Page, QR};
pub(crate) use super::deflate::deflate;
use super::fonts::{Subset, Weight};
use crate::Lang;
use crate::error::Result;

mod labels;
mod layout;

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

/// Renders the certificate to PDF bytes.
pub fn render(doc: &CertificateDoc) -> Result<Vec<u8>> {
    let labels = labels::labels(doc.lang);
    let page = layout::page(doc, &labels)?;
    let qr = if doc.qr.is_empty() {
        None
    } else {
        Some(super::qr::image(&doc.qr)?)
    };
    let subsets = subsets(&page)?;
    let content = content(page, &subsets);
    Ok(write(doc, &labels, &content, &subsets, qr.as_ref()))
}

/// The fonts, subset for the characters the page shows (regular, then bold).
fn subsets(page: &Page) -> Result<[Arc<Subset>; 2]> {
    let chars = |weight| -> BTreeSet<char> {
        page.runs
            .iter()
            .filter(|r| r.weight == weight)
            .flat_map(|r| r.text.chars())
            .collect()
    };
    Ok([
        Subset::for_chars(Weight::Regular, &chars(Weight::Regular))?,
        Subset::for_chars(Weight::Bold, &chars(Weight::Bold))?,
    ])
}

/// The page's content stream: its graphics, then its text in the subsets' glyphs.
fn content(page: Page, subsets: &[Arc<Subset>; 2]) -> String {
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
    content
}

/// The file: catalog, pages and page first, then what the page uses, then the document
/// information.
fn write(
    doc: &CertificateDoc,
    labels: &Labels,
    content: &str,
    subsets: &[Arc<Subset>; 2],
    qr: Option<&(usize, Vec<u8>)>,
) -> Vec<u8> {
    let title = labels.title;
    let mut w = Writer::new();
    let (catalog, pages, page_id) = (1, 2, 3);
    let contents = 4;
    let first_font = 5;
    let images_from = first_font + 5 * subsets.len();
    let qr_id = qr.map(|_| images_from);
    let logo_id = doc.logo.as_ref().map(|_| images_from + usize::from(qr.is_some()));
    let mut xobjects = String::new();
    if let Some(id) = qr_id {
        let _ = write!(xobjects, "/{QR} {id} 0 R");
    }
    if let Some(id) = logo_id {
        let _ = write!(xobjects, "/{LOGO} {id} 0 R");
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
    for subset in subsets {
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
    if let Some((side, bits)) = qr {
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
    w.finish(catalog, info)
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
}
