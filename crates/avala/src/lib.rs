//! avala: a certification workflow engine for competency standards.
//!
//! The library owns every rule of the certification process; the binaries `avala` and
//! `avala-runner` only parse arguments, call into this crate and print. See ARCHITECTURE.md.

#![warn(missing_docs)]

pub mod actor;
pub mod audit;
pub mod canonical;
pub mod certificate;
pub mod checkpoint;
pub mod clock;
pub mod cohort;
pub mod config;
pub mod deadlines;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod error;
pub mod files;
pub mod identity;
pub mod import;
pub mod jobs;
pub mod lang;
pub mod machine;
pub mod mail;
pub mod messages;
pub mod notices;
pub mod process;
pub mod replay;
pub mod spreadsheet;
pub mod standard;
pub mod store;
pub mod worker;

pub use actor::Actor;
pub use clock::{Clock, FixedClock, SystemClock, parse_instant};
pub use error::Error;
pub use lang::Lang;
pub use process::{limit_malloc_arenas, runtime};

/// A hash of the sources of the library and both binaries (`build.rs`), which they print with
/// `--build-id`: the tests refuse to run a stale binary.
pub const BUILD_ID: &str = env!("AVALA_BUILD_ID");
