//! The schema migrations, embedded in the binary, one list per backend.
//!
//! `sqlx::migrate!` would read the folders at compile time, but it is one of sqlx's macros,
//! which cost a second build of SQLite and of both drivers (see `from_row`). The lists below
//! are what it would build: the same version, description and checksum (SHA-384 of the file),
//! so databases migrated by earlier builds see the same history. A test checks each list
//! against its folder, so a new file cannot be left out.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// `(version, description, SQL)` of each file of a folder, in order.
type Files = &'static [(i64, &'static str, &'static str)];

macro_rules! folder {
    ($dir:literal: $($version:literal $file:literal $description:literal),* $(,)?) => {
        &[$((
            $version,
            $description,
            include_str!(concat!("../../../../migrations/", $dir, "/", $file)),
        )),*]
    };
}

const SQLITE: Files = folder!("sqlite":
    1 "0001_schema.sql" "schema",
    2 "0002_signatures.sql" "signatures",
    3 "0003_runner.sql" "runner",
    4 "0004_certificate_files.sql" "certificate files",
    5 "0005_candidate_links.sql" "candidate links",
    6 "0006_canonical_content_hash.sql" "canonical content hash",
    7 "0007_checkpoints.sql" "checkpoints",
);

const POSTGRES: Files = folder!("postgres":
    1 "0001_schema.sql" "schema",
    2 "0002_signatures.sql" "signatures",
    3 "0003_runner.sql" "runner",
    4 "0004_certificate_files.sql" "certificate files",
    5 "0005_candidate_links.sql" "candidate links",
    6 "0006_canonical_content_hash.sql" "canonical content hash",
    7 "0007_checkpoints.sql" "checkpoints",
);

fn migrator(files: Files) -> Migrator {
    Migrator::with_migrations(
        files
            .iter()
            .map(|&(version, description, sql)| {
                let no_tx = sql.starts_with("-- no-transaction");
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    no_tx,
                )
            })
            .collect(),
    )
}

/// The SQLite migrations.
pub(super) fn sqlite() -> Migrator {
    migrator(SQLITE)
}

/// The PostgreSQL migrations.
pub(super) fn postgres() -> Migrator {
    migrator(POSTGRES)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each list names every file of its folder, with the version and description sqlx reads
    /// off the file name.
    #[test]
    fn each_list_is_its_folder() {
        for (dir, files) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../migrations")
                .join(dir);
            let mut on_disk: Vec<(i64, String, String)> = std::fs::read_dir(&folder)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "sql"))
                .map(|p| {
                    let name = p.file_stem().unwrap().to_str().unwrap().to_owned();
                    let (version, description) = name.split_once('_').unwrap();
                    (
                        version.parse().unwrap(),
                        description.replace('_', " "),
                        std::fs::read_to_string(&p).unwrap(),
                    )
                })
                .collect();
            on_disk.sort();
            let embedded: Vec<(i64, String, String)> =
                files.iter().map(|&(v, d, s)| (v, d.to_owned(), s.to_owned())).collect();
            assert_eq!(embedded, on_disk, "migrations/{dir}");
        }
    }
}
