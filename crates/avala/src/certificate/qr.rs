//! The QR code printed on a certificate: the standard encoding (level L) by the `qrcode` crate,
//! with the mask chosen by our own scoring of the four ISO/IEC 18004 penalty rules. The crate
//! scores the eight masks too, but slowly enough to be a third of a certificate's rendering
//! time; this scores them over a plain byte grid.

use crate::error::{Error, Result};

/// The modules of `data` as a QR code, row by row (true is dark), and the code's width.
pub(crate) fn modules(data: &str) -> Result<(usize, Vec<bool>)> {
    use qrcode::canvas::{Canvas, MaskPattern};
    let fail = |e: qrcode::types::QrError| Error::Certificate {
        detail: format!("cannot encode the QR code: {e}"),
    };
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
            let dark: Vec<bool> = c.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
            (penalty(width, &dark), dark)
        })
        .min_by_key(|(penalty, _)| *penalty)
        .map(|(_, dark)| dark)
        .unwrap_or_default();
    Ok((width, best))
}

/// The four penalty rules of ISO/IEC 18004 (runs, 2×2 blocks, finder-like patterns, balance).
pub(crate) fn penalty(width: usize, dark: &[bool]) -> u32 {
    if width < 128 {
        packed_penalty(width, dark)
    } else {
        plain_penalty(width, dark)
    }
}

/// The rules over rows and columns packed in 128-bit words (bit x is module x, 1 is dark), a
/// word operation per row instead of one per module: codes up to version 27 (125 modules).
fn packed_penalty(width: usize, dark: &[bool]) -> u32 {
    let valid = (1u128 << width) - 1;
    let mut rows = vec![0u128; width];
    let mut columns = vec![0u128; width];
    for (y, line) in dark.chunks_exact(width).enumerate() {
        for (x, &d) in line.iter().enumerate() {
            rows[y] |= u128::from(d) << x;
            columns[x] |= u128::from(d) << y;
        }
    }
    let mut penalty = 0u32;
    for line in rows.iter().chain(&columns).copied() {
        // Rule 1: a run ends wherever a module differs from the next.
        let mut ends = (line ^ (line >> 1)) & (valid >> 1);
        let mut start = 0u32;
        loop {
            let end = if ends == 0 {
                width as u32 - 1
            } else {
                ends.trailing_zeros()
            };
            let run = end + 1 - start;
            if run >= 5 {
                penalty += run - 2;
            }
            if ends == 0 {
                break;
            }
            ends &= ends - 1;
            start = end + 1;
        }
        // Rule 3: dark-light-dark×3-light-dark starting at s, with four light modules before
        // it (ending at s-1) or after it (from s+7).
        let finder = line & !(line >> 1) & (line >> 2) & (line >> 3) & (line >> 4) & !(line >> 5) & (line >> 6);
        let light = !line & valid;
        let light4 = light & (light >> 1) & (light >> 2) & (light >> 3);
        penalty += 40 * (finder & ((light4 << 4) | (light4 >> 7))).count_ones();
    }
    // Rule 2: 2×2 blocks of one colour.
    for pair in rows.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let same = !(a ^ (a >> 1)) & !(a ^ b) & !(b ^ (b >> 1)) & (valid >> 1);
        penalty += 3 * same.count_ones();
    }
    let darks: u32 = rows.iter().map(|r| r.count_ones()).sum();
    penalty + balance(darks, dark.len() as u32)
}

/// Rule 4: the proportion of dark modules away from half.
fn balance(darks: u32, total: u32) -> u32 {
    let percent = darks * 100 / total.max(1);
    10 * (percent.abs_diff(50) / 5)
}

/// The rules module by module, for the largest codes.
fn plain_penalty(width: usize, dark: &[bool]) -> u32 {
    let mut transposed = vec![false; dark.len()];
    for y in 0..width {
        for x in 0..width {
            transposed[x * width + y] = dark[y * width + x];
        }
    }
    let mut penalty = 0u32;
    // Rules 1 (runs of five or more) and 3 (1:1:3:1:1 with four light modules on a side), over
    // the rows of the grid and of its transpose (the columns).
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    for grid in [dark, &transposed[..]] {
        for line in grid.chunks_exact(width) {
            let mut run = 1u32;
            for b in 1..width {
                if line[b] == line[b - 1] {
                    run += 1;
                } else {
                    if run >= 5 {
                        penalty += run - 2;
                    }
                    run = 1;
                }
            }
            if run >= 5 {
                penalty += run - 2;
            }
            for start in 0..width.saturating_sub(6) {
                if line[start..start + 7] == FINDER {
                    let light_before = start >= 4 && !line[start - 4..start].contains(&true);
                    let light_after = start + 11 <= width && !line[start + 7..start + 11].contains(&true);
                    if light_before || light_after {
                        penalty += 40;
                    }
                }
            }
        }
    }
    // Rule 2: 2×2 blocks of one colour.
    for y in 0..width.saturating_sub(1) {
        let (top, bottom) = (
            &dark[y * width..(y + 1) * width],
            &dark[(y + 1) * width..(y + 2) * width],
        );
        for x in 0..width - 1 {
            let c = top[x];
            if top[x + 1] == c && bottom[x] == c && bottom[x + 1] == c {
                penalty += 3;
            }
        }
    }
    penalty + balance(dark.iter().filter(|d| **d).count() as u32, dark.len() as u32)
}

/// The light margin around the code, in modules: four, as ISO/IEC 18004 asks (with less, some
/// readers do not find the code).
pub(crate) const QUIET_ZONE: usize = 4;

/// The code as a one-bit image with its quiet zone: its side in pixels (one per module) and its
/// rows, packed eight pixels a byte, 1 for light (DeviceGray).
pub(crate) fn image(data: &str) -> Result<(usize, Vec<u8>)> {
    let (width, dark) = modules(data)?;
    let side = width + 2 * QUIET_ZONE;
    let row = side.div_ceil(8);
    let mut bits = vec![0xFFu8; row * side];
    for (i, &d) in dark.iter().enumerate() {
        if d {
            let (y, x) = (i / width + QUIET_ZONE, i % width + QUIET_ZONE);
            bits[y * row + x / 8] &= !(0x80 >> (x % 8));
        }
    }
    Ok((side, bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_the_standard_encoding_under_one_of_its_eight_masks() {
        let data = "AV1.eyJmb2xpbyI6IkVDMTA1Ny0yMDI2LTAwMDAwMSJ9.c2lnbmF0dXJl-ÁÉÍÓÚ";
        let (width, dark) = modules(data).unwrap();
        let reference = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::L).unwrap();
        assert_eq!(width, reference.width());
        let bits = qrcode::bits::encode_auto(data.as_bytes(), qrcode::EcLevel::L).unwrap();
        let version = bits.version();
        let (d, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, qrcode::EcLevel::L).unwrap();
        let mut canvas = qrcode::canvas::Canvas::new(version, qrcode::EcLevel::L);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&d, &ec);
        use qrcode::canvas::MaskPattern::*;
        let variants: Vec<Vec<bool>> = [
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
            c.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect()
        })
        .collect();
        assert!(variants.contains(&dark));
    }

    #[test]
    fn penalties_of_known_grids() {
        // A 5×5 all-light grid: five runs of five in rows and in columns (3 each), sixteen 2×2
        // blocks (3 each), and 0 % dark (10 per 5 % away from half).
        assert_eq!(plain_penalty(5, &[false; 25]), 10 * 3 + 16 * 3 + 10 * 10);
        // A 2×2 checkerboard: no run, no block, half dark.
        assert_eq!(penalty(5, &[false; 25]), 10 * 3 + 16 * 3 + 10 * 10);
        assert_eq!(penalty(2, &[true, false, false, true]), 0);
    }

    proptest::proptest! {
        /// The packed rules score every grid as the plain ones do.
        #[test]
        fn packed_and_plain_rules_agree(width in 1usize..60, seed in proptest::prelude::any::<u64>(), bias in 0u64..4) {
            let mut state = seed | 1;
            let dark: Vec<bool> = (0..width * width).map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Biased grids make long runs and finder-like patterns likely.
                state % 4 < bias.max(1) || (bias == 0 && state % 7 == 0)
            }).collect();
            proptest::prop_assert_eq!(packed_penalty(width, &dark), plain_penalty(width, &dark));
        }
    }

    #[test]
    fn real_codes_score_the_same_both_ways() {
        for data in ["AV1.x", "AV1.eyJmb2xpbyI6IkVDMTA1Ny0yMDI2LTAwMDAwMSJ9.c2lnbmF0dXJl"] {
            let (width, dark) = modules(data).unwrap();
            assert_eq!(packed_penalty(width, &dark), plain_penalty(width, &dark));
        }
    }

    #[test]
    fn the_image_has_a_quiet_zone_of_four_modules_and_one_bit_per_module() {
        let (side, bits) = image("AV1.x").unwrap();
        let (width, dark) = modules("AV1.x").unwrap();
        assert_eq!(side, width + 8);
        let row = side.div_ceil(8);
        let light = |x: usize, y: usize| bits[y * row + x / 8] & (0x80 >> (x % 8)) != 0;
        // Four light modules on every side, and the code's first and last rows and columns
        // (the finder patterns') dark just inside them.
        for i in 0..side {
            for q in 0..4 {
                assert!(light(i, q) && light(q, i) && light(i, side - 1 - q) && light(side - 1 - q, i));
            }
        }
        assert!(!light(4, 4) && !light(side - 5, 4) && !light(4, side - 5));
        for y in 0..width {
            for x in 0..width {
                assert_eq!(!light(x + 4, y + 4), dark[y * width + x]);
            }
        }
    }
}
