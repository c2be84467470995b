//! The certificate document: A4 landscape, an embedded (subset) DejaVu Serif so every accent
//! renders, laid out like an official document.
//!
//! The objects are written with `pdf-writer`, a low-level writer, rather than through a
//! general PDF library: a certificate is one page of text, lines and two images, and a general
//! library rebuilds, recompresses and reserializes every font program for every document
//! (3.7 ms of a 3.9 ms certificate). Here the font subsets are made and compressed once (see
//! `fonts`) and written as they are, and each certificate costs its page's drawing operations,
//! its QR code and one small deflate. The layout of the page is in `layout`, its wording in
//! `labels`.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Filter, Name, Pdf, Rect, Ref, Settings, Str, TextStr};

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

/// The resource name of the font of `weight`.
fn font_name(weight: Weight) -> Name<'static> {
    match weight {
        Weight::Regular => Name(b"F1"),
        Weight::Bold => Name(b"F2"),
    }
}

/// The page's content stream: its graphics, then its text in the subsets' glyphs.
fn content(page: Page, subsets: &[Arc<Subset>; 2]) -> Vec<u8> {
    let mut content = page.graphics;
    let mut glyphs = Vec::with_capacity(256);
    for run in &page.runs {
        let (r, g, b) = run.color;
        glyphs.clear();
        subsets[run.weight as usize].encode(&run.text, &mut glyphs);
        content
            .begin_text()
            .set_fill_rgb(r, g, b)
            .set_font(font_name(run.weight), run.size)
            .next_line(run.at.0, run.at.1)
            .show(Str(&glyphs))
            .end_text();
    }
    content.finish().into_vec()
}

/// The objects' numbers: catalog, pages and page first, then what the page uses, then the
/// document information.
struct Ids {
    catalog: Ref,
    pages: Ref,
    page: Ref,
    contents: Ref,
    fonts: [FontIds; 2],
    qr: Option<Ref>,
    logo: Option<Ref>,
    info: Ref,
}

/// The five objects of an embedded font.
struct FontIds {
    type0: Ref,
    cid: Ref,
    descriptor: Ref,
    program: Ref,
    to_unicode: Ref,
}

impl Ids {
    fn new(qr: bool, logo: bool) -> Ids {
        let mut next = Ref::new(1);
        let (catalog, pages, page, contents) = (next.bump(), next.bump(), next.bump(), next.bump());
        let mut font = || FontIds {
            type0: next.bump(),
            cid: next.bump(),
            descriptor: next.bump(),
            program: next.bump(),
            to_unicode: next.bump(),
        };
        let fonts = [font(), font()];
        Ids {
            catalog,
            pages,
            page,
            contents,
            fonts,
            qr: qr.then(|| next.bump()),
            logo: logo.then(|| next.bump()),
            info: next.bump(),
        }
    }
}

/// The file, uncompressed but for its streams: verification finds the token by scanning the
/// bytes (`signed::extract_from_pdf`).
fn write(
    doc: &CertificateDoc,
    labels: &Labels,
    content: &[u8],
    subsets: &[Arc<Subset>; 2],
    qr: Option<&(usize, Vec<u8>)>,
) -> Vec<u8> {
    let ids = Ids::new(qr.is_some(), doc.logo.is_some());
    let mut pdf = Pdf::with_settings_and_capacity(Settings { pretty: false }, 40 * 1024);
    pdf.catalog(ids.catalog).pages(ids.pages);
    pdf.pages(ids.pages).kids([ids.page]).count(1);
    page(&mut pdf, &ids);
    pdf.stream(ids.contents, &deflate(content, 1))
        .filter(Filter::FlateDecode);
    for (subset, font_ids) in subsets.iter().zip(&ids.fonts) {
        font(&mut pdf, subset, font_ids);
    }
    if let (Some(id), Some((side, bits))) = (ids.qr, qr) {
        // A bit per module: deflate would save a few hundred bytes for more time than the rest
        // of the page.
        pdf.image_xobject(id, bits)
            .width(*side as i32)
            .height(*side as i32)
            .color_space_name(Name(b"DeviceGray"))
            .bits_per_component(1);
    }
    if let (Some(id), Some(logo)) = (ids.logo, &doc.logo) {
        pdf.image_xobject(id, logo.deflated())
            .width(logo.width as i32)
            .height(logo.height as i32)
            .color_space_name(Name(b"DeviceRGB"))
            .bits_per_component(8)
            .filter(Filter::FlateDecode);
    }
    info(&mut pdf, ids.info, doc, labels);
    pdf.finish()
}

/// The page object and its resources.
fn page(pdf: &mut Pdf, ids: &Ids) {
    let mut page = pdf.page(ids.page);
    page.parent(ids.pages)
        .media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT))
        .contents(ids.contents);
    let mut resources = page.resources();
    resources
        .fonts()
        .pair(font_name(Weight::Regular), ids.fonts[0].type0)
        .pair(font_name(Weight::Bold), ids.fonts[1].type0);
    let mut images = resources.x_objects();
    if let Some(id) = ids.qr {
        images.pair(Name(QR.as_bytes()), id);
    }
    if let Some(id) = ids.logo {
        images.pair(Name(LOGO.as_bytes()), id);
    }
}

/// A subset as a Type 0 font: its dictionaries around the program and ToUnicode map made once
/// per process (see `fonts`).
fn font(pdf: &mut Pdf, subset: &Subset, ids: &FontIds) {
    let name = Name(subset.base_font.as_bytes());
    pdf.type0_font(ids.type0)
        .base_font(name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(ids.cid)
        .to_unicode(ids.to_unicode);
    {
        let mut cid = pdf.cid_font(ids.cid);
        cid.subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"Identity"),
                supplement: 0,
            })
            .font_descriptor(ids.descriptor);
        cid.widths().consecutive(0, subset.widths.iter().copied());
        cid.cid_to_gid_map_predefined(Name(b"Identity"));
    }
    let m = &subset.metrics;
    let [left, bottom, right, top] = m.bbox;
    pdf.font_descriptor(ids.descriptor)
        .name(name)
        .flags(FontFlags::SERIF | FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(left, bottom, right, top))
        .italic_angle(0.0)
        .ascent(m.ascent)
        .descent(m.descent)
        .cap_height(m.cap_height)
        .stem_v(80.0)
        .font_file2(ids.program);
    pdf.stream(ids.program, &subset.program)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.program_length as i32);
    pdf.stream(ids.to_unicode, &subset.to_unicode)
        .filter(Filter::FlateDecode);
}

/// The document information: title, author, subject and keywords, and the signed token under
/// `AvalaCertificate` as a literal string (base64url and dots need no escaping).
fn info(pdf: &mut Pdf, id: Ref, doc: &CertificateDoc, labels: &Labels) {
    let title = labels.title;
    let mut info = pdf.document_info(id);
    info.title(TextStr(&format!("{title} {}", doc.folio)))
        .author(TextStr(&doc.issuer))
        .subject(TextStr(&format!(
            "{title}: {} — {}",
            doc.standard_code, doc.holder_name
        )))
        .keywords(TextStr(&format!(
            "{}, {}, certificado, competencia",
            doc.standard_code, doc.folio
        )))
        .creator(TextStr("avala"))
        .producer(TextStr("avala"));
    if !doc.qr.is_empty() {
        info.pair(Name(super::signed::PDF_KEY.as_bytes()), Str(doc.qr.as_bytes()));
    }
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
