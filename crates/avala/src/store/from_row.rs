//! Reading a query's row into a struct, column by field name, on both backends.
//!
//! sqlx's `FromRow` derive would do this, but it comes with sqlx's macros, and those build a
//! second copy of SQLite (the C amalgamation), of both drivers and of tokio for the compiler's
//! own use: about a minute of a clean build on two cores, which CI pays twice (lints and tests),
//! for ten structs. `from_row!` writes the same impls; the compiler still checks that every
//! field is named once.

/// Implements `sqlx::FromRow` for SQLite and PostgreSQL rows: each listed field from the column
/// of its name; `skip` fields start as their default; `default` fields take their default when
/// the query has no such column.
#[macro_export]
#[doc(hidden)]
macro_rules! from_row {
    ($ty:ty { $($field:ident),* $(,)? } $(skip { $($skip:ident),* $(,)? })? $(default { $($def:ident),* $(,)? })?) => {
        impl<'r> ::sqlx::FromRow<'r, ::sqlx::sqlite::SqliteRow> for $ty {
            fn from_row(row: &'r ::sqlx::sqlite::SqliteRow) -> ::sqlx::Result<Self> {
                $crate::from_row!(@body row; $($field),*; $($($skip),*)?; $($($def),*)?)
            }
        }
        impl<'r> ::sqlx::FromRow<'r, ::sqlx::postgres::PgRow> for $ty {
            fn from_row(row: &'r ::sqlx::postgres::PgRow) -> ::sqlx::Result<Self> {
                $crate::from_row!(@body row; $($field),*; $($($skip),*)?; $($($def),*)?)
            }
        }
    };
    (@body $row:ident; $($field:ident),*; $($skip:ident),*; $($def:ident),*) => {{
        use ::sqlx::Row as _;
        Ok(Self {
            $($field: $row.try_get(stringify!($field))?,)*
            $($skip: ::core::default::Default::default(),)*
            $($def: match $row.try_get(stringify!($def)) {
                Ok(value) => value,
                Err(::sqlx::Error::ColumnNotFound(_)) => ::core::default::Default::default(),
                Err(e) => return Err(e),
            },)*
        })
    }};
}
