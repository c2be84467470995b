//! The installation's configuration: `avala.toml` next to the database (the SQLite file's
//! folder, or the current folder for PostgreSQL), and the issuer's signing key file it names.
//!
//! The key lives in its own file (mode 0600), never in the database: a database dump or
//! backup must not be enough to forge certificates.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use rand::RngCore;

use crate::error::{Error, Result};
use crate::store::Backend;

/// The configuration file's name.
pub const FILE: &str = "avala.toml";

/// What `avala.toml` holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The certifying body's name, printed on certificates and used as the mail sender name.
    pub issuer: String,
    /// Where dictámenes are issued (printed on certificates).
    pub place: String,
    /// The sender address of e-mails to candidates.
    pub mail_from: String,
    /// The signing key file, relative to the configuration's folder.
    pub key_file: PathBuf,
    /// An optional logo (PNG or JPEG) printed at the top left of certificates, relative to the
    /// configuration's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<PathBuf>,
    /// Days before a certificate's validity ends that its holder is reminded.
    #[serde(default = "default_reminder_days")]
    pub reminder_days: u32,
    /// Hours a job that fails for a reason that may pass (a relay down, a busy database) is
    /// retried before it is dead: at least this long, and at least its budget of attempts.
    #[serde(default = "default_retry_hours")]
    pub retry_hours: u32,
    /// Hours between the signed checkpoints of the audit log the runner takes and e-mails to
    /// the administrators (and to `oversight_email`); 0: none.
    #[serde(default = "default_checkpoint_hours")]
    pub checkpoint_hours: u32,
    /// An address outside the institute (an internal control body, an auditor) that receives
    /// a copy of every checkpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oversight_email: Option<String>,
}

fn default_reminder_days() -> u32 {
    60
}

fn default_retry_hours() -> u32 {
    24
}

fn default_checkpoint_hours() -> u32 {
    24
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            issuer: "Instituto de Transparencia, Acceso a la Información Pública y Protección de Datos Personales"
                .into(),
            place: "Toluca de Lerdo, Estado de México".into(),
            mail_from: "certificacion@example.org".into(),
            key_file: PathBuf::from("issuer-key.secret"),
            logo: None,
            reminder_days: default_reminder_days(),
            retry_hours: default_retry_hours(),
            checkpoint_hours: default_checkpoint_hours(),
            oversight_email: None,
        }
    }
}

/// The loaded configuration, with its folder.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder of `avala.toml`; certificates/ and outbox/ live here too.
    pub dir: PathBuf,
    /// The settings.
    pub settings: Settings,
}

impl Config {
    /// The folder the configuration belongs in for a database URL.
    pub fn dir_for(db_url: &str) -> PathBuf {
        match Backend::of(db_url) {
            Backend::Postgres => PathBuf::from("."),
            Backend::Sqlite => {
                let path = db_url
                    .strip_prefix("sqlite://")
                    .or_else(|| db_url.strip_prefix("sqlite:"))
                    .unwrap_or(db_url);
                match Path::new(path).parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                }
            }
        }
    }

    /// Creates `avala.toml` and the signing key in `dir` unless they exist; returns the config
    /// and whether a new key was made.
    pub fn init(dir: &Path, settings: Option<Settings>) -> Result<(Config, bool)> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let file = dir.join(FILE);
        let settings = if file.exists() {
            Self::load(dir)?.settings
        } else {
            let settings = settings.unwrap_or_default();
            let text = toml::to_string_pretty(&settings).map_err(|e| Error::ConfigInvalid {
                path: file.clone(),
                detail: e.to_string(),
            })?;
            let text = format!(
                "# avala configuration. The signing key file must stay private (mode 0600) and out of backups\n\
                 # of the database; `avala keys show` prints its public half.\n{text}"
            );
            write_atomic(&file, text.as_bytes(), false)?;
            settings
        };
        let config = Config {
            dir: dir.to_path_buf(),
            settings,
        };
        let key = config.key_path();
        let created = if key.exists() {
            false
        } else {
            let mut secret = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut secret);
            write_atomic(&key, format!("{}\n", hex::encode(secret)).as_bytes(), true)?;
            true
        };
        Ok((config, created))
    }

    /// Loads `avala.toml` from `dir`.
    pub fn load(dir: &Path) -> Result<Config> {
        let file = dir.join(FILE);
        if !file.exists() {
            return Err(Error::NoConfig { path: file.clone() });
        }
        let bytes = crate::files::read(&file, crate::files::FileKind::Config)?;
        let text = String::from_utf8(bytes).map_err(|_| Error::NotUtf8 { path: file.clone() })?;
        let mut settings: Settings = toml::from_str(&text).map_err(|e| Error::ConfigInvalid {
            path: file.clone(),
            detail: e.message().to_string(),
        })?;
        // The issuer's name and the place are printed on every certificate and e-mail.
        use crate::domain::text;
        for (key, value, max) in [
            ("issuer", &mut settings.issuer, text::INSTITUTION),
            ("place", &mut settings.place, text::REASON),
        ] {
            *value = text::clean(value, max).map_err(|problem| Error::ConfigText {
                path: file.clone(),
                key: key.into(),
                problem,
            })?;
        }
        if let Some(address) = &mut settings.oversight_email {
            *address = crate::identity::email(address).map_err(|e| Error::ConfigInvalid {
                path: file.clone(),
                detail: format!("oversight_email: {}", crate::messages::of(crate::Lang::En).identity(&e)),
            })?;
        }
        Ok(Config {
            dir: dir.to_path_buf(),
            settings,
        })
    }

    /// The signing key file's path.
    pub fn key_path(&self) -> PathBuf {
        self.dir.join(&self.settings.key_file)
    }

    /// Reads the issuer's signing key from its file, which must be private to its owner (no
    /// permission for group or others). Whether it is the key that may sign is the engine's
    /// to say ([`crate::engine::Engine::signing_key`]).
    pub fn signing_key(&self) -> Result<SigningKey> {
        let path = self.key_path();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map_err(|e| Error::io(&path, e))?
                .permissions()
                .mode()
                & 0o777;
            if mode & 0o077 != 0 {
                return Err(Error::KeyFileNotPrivate { path, mode });
            }
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let bytes: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::BadKeyFile { path: path.clone() })?;
        Ok(SigningKey::from_bytes(&bytes))
    }

    /// The logo, decoded and flattened on white, scaled to at most 600 pixels a side; None when
    /// no logo is configured.
    pub fn logo(&self) -> Result<Option<crate::certificate::pdf::Logo>> {
        let Some(file) = &self.settings.logo else {
            return Ok(None);
        };
        let path = self.dir.join(file);
        let bytes = crate::files::read(&path, crate::files::FileKind::Logo)?;
        let logo = crate::certificate::logo::decode(&bytes).map_err(|detail| Error::BadLogo {
            path: path.clone(),
            detail,
        })?;
        Ok(Some(logo))
    }

    /// Where rendered certificates are written.
    pub fn certificates_dir(&self) -> PathBuf {
        self.dir.join("certificates")
    }

    /// Where e-mails are written with the default file transport.
    pub fn outbox_dir(&self) -> PathBuf {
        self.dir.join("outbox")
    }
}

pub use crate::certificate::key_id;

/// Writes a file atomically, optionally private (0600, synced to disk).
///
/// The bytes go to a new file with an unpredictable name in the same directory, created
/// exclusively (`O_EXCL`: a file or symlink planted there is never opened or followed), then
/// renamed over `path` (a symlink at `path` is replaced, not followed). Other files are created
/// with the usual mode (0666 less the umask).
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(if private { 0o600 } else { 0o666 }));
    }
    let mut file = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    // Private files (the signing key) are forced to disk. Certificates and outbox e-mails are
    // written with the durability of the embedded database itself (SQLite, WAL, synchronous =
    // NORMAL): they survive a crash of the process, which is what a runner killed mid-batch
    // needs, and an fsync per file would cost more than rendering the certificate.
    file.write_all(bytes)
        .and_then(|_| if private { file.as_file().sync_all() } else { Ok(()) })
        .map_err(|e| Error::io(file.path(), e))?;
    file.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn writing_never_follows_a_planted_symlink() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        // Where the old writer put its temporary file, and the file itself.
        let target = dir.path().join("issuer-key.secret");
        symlink(
            &victim,
            dir.path()
                .join(format!(".issuer-key.secret.{}.tmp", std::process::id())),
        )
        .unwrap();
        symlink(&victim, &target).unwrap();
        write_atomic(&target, b"secret", true).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(std::fs::read(&target).unwrap(), b"secret");
        assert!(!std::fs::symlink_metadata(&target).unwrap().file_type().is_symlink());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&target), 0o600);
        let public = dir.path().join("certificate.pdf");
        write_atomic(&public, b"pdf", false).unwrap();
        assert_eq!(mode(&public) & 0o600, 0o600, "readable and writable by its owner");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 4, "no temporary file left behind: {left:?}");
    }

    #[test]
    fn init_creates_config_and_private_key_once() {
        let dir = tempfile::tempdir().unwrap();
        let (config, created) = Config::init(dir.path(), None).unwrap();
        assert!(created);
        let key = config.signing_key().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(config.key_path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (again, created) = Config::init(dir.path(), None).unwrap();
        assert!(!created);
        assert_eq!(again.signing_key().unwrap().to_bytes(), key.to_bytes());
        assert_eq!(key_id(&key.verifying_key()).len(), 16);
    }

    #[test]
    fn dir_follows_the_database() {
        assert_eq!(Config::dir_for("avala.db"), PathBuf::from("."));
        assert_eq!(Config::dir_for("/tmp/x/avala.db"), PathBuf::from("/tmp/x"));
        assert_eq!(Config::dir_for("sqlite:///tmp/y/a.db"), PathBuf::from("/tmp/y"));
        assert_eq!(Config::dir_for("postgres://u@h/db"), PathBuf::from("."));
    }
}
