//! The library's top-level error: every failure a user can cause, with a stable code.

/// Any failure of a library operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A database failure that is not the user's doing.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}
