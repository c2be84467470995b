//! Files people give avala to read, each kind with its size limit. A file over its limit is
//! refused unread, before it is parsed: a 50 MB "standard" never reaches memory.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The kinds of file avala reads, by how large one may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A competency standard (TOML; EC1057's is about 10 KB): 1 MiB.
    Standard,
    /// A cohort or evaluation-instrument CSV (100,000 candidates are about 15 MB): 64 MiB.
    Spreadsheet,
    /// `avala.toml`: 1 MiB.
    Config,
    /// The issuer's logo (PNG or JPEG): 8 MiB.
    Logo,
    /// A certificate or credential to verify (a certificate PDF is about 35 KB): 16 MiB.
    Document,
    /// An audit checkpoint or proof (a checkpoint of 100,000 candidates' log is about 30 MB):
    /// 256 MiB.
    Checkpoint,
}

impl FileKind {
    /// The most bytes a file of this kind may hold.
    pub const fn max(self) -> u64 {
        const MIB: u64 = 1024 * 1024;
        match self {
            FileKind::Standard | FileKind::Config => MIB,
            FileKind::Spreadsheet => 64 * MIB,
            FileKind::Logo => 8 * MIB,
            FileKind::Document => 16 * MIB,
            FileKind::Checkpoint => 256 * MIB,
        }
    }
}

/// A file being read that may not grow past its kind's limit while it is read: reading past
/// it is an error, never a silently shortened file.
pub struct Capped {
    file: std::fs::File,
    left: u64,
}

impl Read for Capped {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "the file grew past its size limit while it was read",
            )
        })?;
        Ok(n)
    }
}

/// Opens `path` to read as `kind`, refusing it unread when it is over the limit.
pub fn open(path: &Path, kind: FileKind) -> Result<Capped> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
    too_large(path, kind, size)?;
    Ok(Capped { file, left: kind.max() })
}

/// Reads the whole of `path` as `kind`, refusing it unread when it is over the limit.
pub fn read(path: &Path, kind: FileKind) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(path, kind)?
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

fn too_large(path: &Path, kind: FileKind, size: u64) -> Result<()> {
    if size > kind.max() {
        return Err(Error::FileTooLarge {
            path: path.to_path_buf(),
            size,
            max: kind.max(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_its_limit_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("EC9999.toml");
        let file = std::fs::File::create(&path).unwrap();
        // 50 MB without writing them: a sparse file.
        file.set_len(50 * 1000 * 1000).unwrap();
        match read(&path, FileKind::Standard) {
            Err(Error::FileTooLarge { size, max, .. }) => {
                assert_eq!((size, max), (50_000_000, 1024 * 1024));
            }
            other => panic!("{other:?}"),
        }
        std::fs::write(&path, "code = \"EC9999\"").unwrap();
        assert_eq!(read(&path, FileKind::Standard).unwrap(), b"code = \"EC9999\"");
    }

    #[test]
    fn a_file_that_grows_past_its_limit_while_it_is_read_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cohort.toml");
        std::fs::write(&path, "a").unwrap();
        let mut opened = open(&path, FileKind::Standard).unwrap();
        std::fs::write(&path, vec![b'a'; 2 * 1024 * 1024]).unwrap();
        let mut bytes = Vec::new();
        let e = opened.read_to_end(&mut bytes).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::FileTooLarge);
    }
}
