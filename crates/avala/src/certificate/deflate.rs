//! Deflate (zlib, the PDF FlateDecode filter) with a compressor kept per thread.

/// `data` in the zlib format (FlateDecode), at `level` (0–9). The compressor's tables are large
/// to set up, so each thread keeps one and resets it.
pub(crate) fn deflate(data: &[u8], level: u32) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    thread_local! {
        static COMPRESSORS: std::cell::RefCell<Vec<(u32, Compress)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    COMPRESSORS.with(|cell| {
        let mut compressors = cell.borrow_mut();
        let at = match compressors.iter().position(|(l, _)| *l == level) {
            Some(at) => at,
            None => {
                compressors.push((level, Compress::new(Compression::new(level), true)));
                compressors.len() - 1
            }
        };
        let z = &mut compressors[at].1;
        z.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let consumed = z.total_in() as usize;
            match z.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(_) => out.reserve(out.capacity().max(256)),
                // Compressing into memory fails only on a misuse of the stream.
                Err(e) => unreachable!("deflate into memory failed: {e}"),
            }
        }
        out
    })
}
