//! Where everything sits on the page: one function per block, top to bottom. The layout
//! measures text with the faces but encodes none of it: the text is shown once the font
//! subsets for the page's characters are known.

use pdf_writer::{Content, Name};

use super::labels::{Labels, long_date};
use super::{CertificateDoc, HEIGHT, WIDTH};
use crate::certificate::fonts::{Face, Weight};
use crate::error::Result;

/// The name the QR code's image has in the page's resources.
pub(super) const QR: &str = "QR";
/// The name the logo's image has in the page's resources.
pub(super) const LOGO: &str = "Logo";

/// A colour: red, green and blue in `[0, 1]`.
pub(super) type Rgb = (f32, f32, f32);
const INK: Rgb = (0.13, 0.13, 0.16);
const ACCENT: Rgb = (0.42, 0.09, 0.16);
const MUTED: Rgb = (0.38, 0.38, 0.42);

/// The page's horizontal centre.
const CX: f32 = WIDTH / 2.0;

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
}

/// A piece of text to show once the fonts are subset.
pub(super) struct Run {
    pub(super) text: String,
    pub(super) at: (f32, f32),
    pub(super) size: f32,
    pub(super) weight: Weight,
    pub(super) color: Rgb,
}

/// The page: its graphics (lines, images) as content-stream operators, and its text, which is
/// shown once the subsets are known.
pub(super) struct Page {
    regular: &'static Face,
    bold: &'static Face,
    pub(super) graphics: Content,
    pub(super) runs: Vec<Run>,
}

/// Lays out the whole certificate.
pub(super) fn page(doc: &CertificateDoc, labels: &Labels) -> Result<Page> {
    let mut page = Page {
        regular: Face::get(Weight::Regular)?,
        bold: Face::get(Weight::Bold)?,
        graphics: Content::with_capacity(4096),
        runs: Vec::with_capacity(40),
    };
    page.frame(18.0, 2.2, ACCENT);
    page.frame(25.0, 0.6, ACCENT);
    header(&mut page, doc, labels);
    let y = holder(&mut page, doc, labels);
    standard(&mut page, doc, labels, y);
    particulars(&mut page, doc, labels);
    signature(&mut page, doc, labels);
    page.text(labels.check, (CX, 36.0), 8.0, Weight::Regular, MUTED, Align::Center);
    Ok(page)
}

/// The logo top left inside the frame, the issuer's name (kept clear of the logo) over a rule,
/// and the heading.
fn header(page: &mut Page, doc: &CertificateDoc, labels: &Labels) {
    let mut issuer_width = WIDTH - 110.0;
    if let Some(logo) = &doc.logo {
        let height = 56.0;
        let width = height * logo.width as f32 / logo.height.max(1) as f32;
        page.image(LOGO, (40.0, HEIGHT - 40.0 - height), (width, height));
        issuer_width = WIDTH - 2.0 * (50.0 + width.min(160.0));
    }
    let issuer_size = fit_size(page.bold, &doc.issuer, 15.0, 9.0, issuer_width);
    page.text(&doc.issuer, (CX, 530.0), issuer_size, Weight::Bold, INK, Align::Center);
    page.line((CX - 120.0, 516.0), (CX + 120.0, 516.0), 0.6, ACCENT);
    page.text(labels.heading, (CX, 478.0), 24.0, Weight::Bold, ACCENT, Align::Center);
}

/// The holder's name, wrapped if long, over a rule; returns the y below it.
fn holder(page: &mut Page, doc: &CertificateDoc, labels: &Labels) -> f32 {
    page.text(labels.grants, (CX, 440.0), 13.0, Weight::Regular, MUTED, Align::Center);
    // The longest name allowed (150 characters) takes two lines at a smaller size; the rule
    // runs under the last line, whatever its size.
    let (y, size) = page.fitted(&doc.holder_name, 400.0, (28.0, 13.0), Weight::Bold, WIDTH - 160.0, 2);
    let rule = y + size * 1.3 - size * 0.45 - 4.0;
    page.line((CX - 220.0, rule), (CX + 220.0, rule), 0.5, MUTED);
    rule - 24.0
}

/// The standard (code, title, version, level) and the result, from `y` down.
fn standard(page: &mut Page, doc: &CertificateDoc, labels: &Labels, y: f32) {
    page.text(
        labels.demonstrated,
        (CX, y),
        13.0,
        Weight::Regular,
        MUTED,
        Align::Center,
    );
    let standard = format!("{} «{}»", doc.standard_code, doc.standard_title);
    // The longest title allowed (300 characters) takes three lines at a smaller size.
    let (y, _) = page.fitted(&standard, y - 26.0, (16.0, 10.0), Weight::Bold, WIDTH - 180.0, 3);
    let meta = format!(
        "{} {} · {} {} · {}",
        labels.version, doc.standard_version, labels.level, doc.standard_level, labels.result
    );
    page.text(&meta, (CX, y - 2.0), 12.0, Weight::Regular, INK, Align::Center);
}

/// Folio, verification code, dates and place, bottom left.
fn particulars(page: &mut Page, doc: &CertificateDoc, labels: &Labels) {
    let values = [
        doc.folio.clone(),
        doc.verification_code.clone(),
        long_date(doc.dictamen_date, doc.lang),
        doc.place.clone(),
        long_date(doc.valid_until, doc.lang),
    ];
    let (x, mut y) = (70.0, 150.0);
    for (label, value) in labels.particulars.iter().zip(&values) {
        page.text(label, (x, y), 9.5, Weight::Regular, MUTED, Align::Left);
        page.text(value, (x + 118.0, y), 10.5, Weight::Bold, INK, Align::Left);
        y -= 17.0;
    }
}

/// The verifier's signature line, name and role and the issuer, bottom right; above them the
/// signed token as a QR code, which verifies without the network.
fn signature(page: &mut Page, doc: &CertificateDoc, labels: &Labels) {
    let sx = WIDTH - 205.0;
    page.line((sx - 120.0, 105.0), (sx + 120.0, 105.0), 0.8, INK);
    page.text(&doc.verifier_name, (sx, 90.0), 12.0, Weight::Bold, INK, Align::Center);
    page.text(labels.role, (sx, 76.0), 9.5, Weight::Regular, MUTED, Align::Center);
    let mut y = 63.0;
    for line in wrap(page.regular, &doc.issuer, 9.0, 250.0) {
        page.text(&line, (sx, y), 9.0, Weight::Regular, MUTED, Align::Center);
        y -= 11.0;
    }
    if !doc.qr.is_empty() {
        // With its quiet zone of four modules, a token's code (about 60 modules) prints at
        // about 1.9 pt a module, centred where it always was.
        let size = 126.0;
        page.image(QR, (sx - size / 2.0, 181.0 - size / 2.0), (size, size));
    }
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
            self.text(&line, (CX, y), size, weight, color, Align::Center);
            y -= size * 1.3;
        }
        y
    }

    /// A centered paragraph in ink at the largest size in `(size, min)` at which it takes at
    /// most `lines` lines of `max` points (at `min`, whatever it takes); returns the y below
    /// and the size.
    fn fitted(
        &mut self,
        text: &str,
        y: f32,
        (size, min): (f32, f32),
        weight: Weight,
        max: f32,
        lines: usize,
    ) -> (f32, f32) {
        let face = self.face(weight);
        let mut fit = size;
        while fit > min && wrap(face, text, fit, max).len() > lines {
            fit = (fit - 1.0).max(min);
        }
        (self.paragraph(text, y, fit, weight, INK, max), fit)
    }

    fn line(&mut self, (x1, y1): (f32, f32), (x2, y2): (f32, f32), thickness: f32, (r, g, b): Rgb) {
        self.graphics
            .set_stroke_rgb(r, g, b)
            .set_line_width(thickness)
            .move_to(x1, y1)
            .line_to(x2, y2)
            .stroke();
    }

    fn frame(&mut self, inset: f32, thickness: f32, (r, g, b): Rgb) {
        let (w, h) = (WIDTH - 2.0 * inset, HEIGHT - 2.0 * inset);
        self.graphics
            .set_stroke_rgb(r, g, b)
            .set_line_width(thickness)
            .rect(inset, inset, w, h)
            .stroke();
    }

    fn image(&mut self, name: &str, (x, y): (f32, f32), (w, h): (f32, f32)) {
        self.graphics
            .save_state()
            .transform([w, 0.0, 0.0, h, x, y])
            .x_object(Name(name.as_bytes()))
            .restore_state();
    }
}

/// Splits `text` into lines no wider than `max` points.
fn wrap(font: &Face, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for whole in text.split_whitespace() {
        // A word wider than a line by itself is cut where the line ends.
        let mut word = whole.to_string();
        while font.width(&word, size) > max && word.chars().count() > 1 {
            let mut cut = String::new();
            for c in word.chars() {
                cut.push(c);
                if font.width(&cut, size) > max {
                    cut.pop();
                    break;
                }
            }
            let cut = if cut.is_empty() {
                word.chars().take(1).collect()
            } else {
                cut
            };
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            word = word[cut.len()..].to_string();
            lines.push(cut);
        }
        let word = word.as_str();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_respects_width() {
        let f = Face::get(Weight::Regular).unwrap();
        let lines = wrap(f, "uno dos tres cuatro cinco seis siete ocho nueve diez", 12.0, 80.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| f.width(l, 12.0) <= 80.0 || !l.contains(' ')));
    }
}
