//! The issuer's logo: a PNG or JPEG file decoded, flattened on white and scaled to at most
//! 600 pixels a side, once per process.
//!
//! Read with the `png` and `zune-jpeg` decoders themselves. The `image` crate wraps the same two,
//! and with them a colour-management engine (moxcms) avala has no use for: about a minute of
//! build on two cores, paid twice in CI. The scaling is a plain area average, which is what a
//! logo printed 30 mm wide needs.

use super::pdf::Logo;

/// The largest side of the logo as placed in the certificate.
const MAX_SIDE: u32 = 600;

/// What a file can hold before decoding is refused (a small file can unpack to gigabytes).
const MAX_DECODED_BYTES: usize = 64 << 20;

/// Decodes a PNG or JPEG file; the error says what the decoder found wrong.
pub fn decode(bytes: &[u8]) -> Result<Logo, String> {
    let (rgba, width, height) = if bytes.starts_with(b"\x89PNG") {
        png_rgba(bytes)?
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg_rgba(bytes)?
    } else {
        return Err("not a PNG or JPEG file".to_owned());
    };
    let (rgba, width, height) = shrink(&rgba, width, height);
    let rgb = rgba
        .chunks_exact(4)
        .flat_map(|p| {
            let over_white = |c: u8| ((u16::from(c) * u16::from(p[3]) + 255 * (255 - u16::from(p[3]))) / 255) as u8;
            [over_white(p[0]), over_white(p[1]), over_white(p[2])]
        })
        .collect();
    Ok(Logo::new(rgb, width, height))
}

fn png_rgba(bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), String> {
    let mut decoder = png::Decoder::new_with_limits(
        std::io::Cursor::new(bytes),
        png::Limits {
            bytes: MAX_DECODED_BYTES,
        },
    );
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader.output_buffer_size().ok_or("image too large")?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        png::ColorType::GrayscaleAlpha => buf.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::Indexed => return Err("palette left unexpanded".to_owned()),
    };
    Ok((rgba, info.width, info.height))
}

fn jpeg_rgba(bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), String> {
    use zune_jpeg::zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGBA)
        .set_max_width(8192)
        .set_max_height(8192);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let rgba = decoder.decode().map_err(|e| format!("{e:?}"))?;
    let (width, height) = decoder.dimensions().ok_or("no dimensions")?;
    Ok((rgba, width as u32, height as u32))
}

/// Scales down (never up) so that neither side exceeds `MAX_SIDE`, each output pixel the
/// average of the input pixels it covers, weighted by alpha so a transparent edge does not
/// darken its neighbours.
fn shrink(rgba: &[u8], width: u32, height: u32) -> (Vec<u8>, u32, u32) {
    if width <= MAX_SIDE && height <= MAX_SIDE {
        return (rgba.to_vec(), width, height);
    }
    let scale = f64::from(width.max(height)) / f64::from(MAX_SIDE);
    let out_w = ((f64::from(width) / scale).round() as u32).max(1);
    let out_h = ((f64::from(height) / scale).round() as u32).max(1);
    let span = |i: u32, out: u32, len: u32| {
        let a = (u64::from(i) * u64::from(len) / u64::from(out)) as u32;
        let b = ((u64::from(i) + 1) * u64::from(len)).div_ceil(u64::from(out)) as u32;
        a..b.min(len).max(a + 1)
    };
    let mut out = Vec::with_capacity((out_w * out_h * 4) as usize);
    for oy in 0..out_h {
        let ys = span(oy, out_h, height);
        for ox in 0..out_w {
            let xs = span(ox, out_w, width);
            let (mut sum, mut alpha, mut n) = ([0u64; 3], 0u64, 0u64);
            for y in ys.clone() {
                for x in xs.clone() {
                    let p = &rgba[((y * width + x) * 4) as usize..][..4];
                    let a = u64::from(p[3]);
                    for c in 0..3 {
                        sum[c] += u64::from(p[c]) * a;
                    }
                    alpha += a;
                    n += 1;
                }
            }
            let channel = |c: usize| sum[c].checked_div(alpha).unwrap_or(0) as u8;
            out.extend([channel(0), channel(1), channel(2), (alpha / n) as u8]);
        }
    }
    (out, out_w, out_h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(width: u32, height: u32, color: png::ColorType, pixels: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header().unwrap().write_image_data(pixels).unwrap();
        out
    }

    #[test]
    fn a_wide_transparent_png_is_scaled_to_600_and_put_on_white() {
        // 1200 × 300: left half opaque red, right half fully transparent.
        let pixels: Vec<u8> = (0..300)
            .flat_map(|_| (0..1200).flat_map(|x| if x < 600 { [200, 0, 0, 255] } else { [0, 0, 0, 0] }))
            .collect();
        let logo = decode(&png_of(1200, 300, png::ColorType::Rgba, &pixels)).unwrap();
        assert_eq!((logo.width, logo.height), (600, 150));
        assert_eq!(logo.rgb.len(), 600 * 150 * 3);
        assert_eq!(&logo.rgb[..3], &[200, 0, 0], "opaque pixels keep their colour");
        assert_eq!(
            &logo.rgb[logo.rgb.len() - 3..],
            &[255, 255, 255],
            "transparent ones are white"
        );
    }

    #[test]
    fn grey_and_small_pngs_are_kept_as_they_are() {
        let logo = decode(&png_of(2, 1, png::ColorType::Grayscale, &[0, 128])).unwrap();
        assert_eq!((logo.width, logo.height), (2, 1));
        assert_eq!(logo.rgb, vec![0, 0, 0, 128, 128, 128]);
    }

    #[test]
    fn a_jpeg_is_read() {
        // 16 × 8 pixels, made with `pdftoppm -jpeg` from a page whose left half is black.
        let logo = decode(include_bytes!("logo-test.jpg")).unwrap();
        assert_eq!((logo.width, logo.height), (16, 8));
        let grey = |x: usize, y: usize| logo.rgb[(y * 16 + x) * 3];
        for y in 0..8 {
            assert!(grey(1, y) < 40 && grey(6, y) < 40, "row {y} left: {}", grey(1, y));
            assert!(grey(9, y) > 215 && grey(14, y) > 215, "row {y} right: {}", grey(14, y));
        }
    }

    #[test]
    fn other_files_and_broken_ones_are_refused_with_a_reason() {
        assert_eq!(decode(b"GIF89a").unwrap_err(), "not a PNG or JPEG file");
        assert!(!decode(b"\x89PNG\r\n\x1a\nbroken").unwrap_err().is_empty());
        assert!(!decode(&[0xFF, 0xD8, 0xFF, 0x00]).unwrap_err().is_empty());
    }
}
