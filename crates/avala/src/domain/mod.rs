//! The domain's small values that every layer shares: staff roles, what they may do ([`Action`]), and the names of records and fields that messages refer to.
//!
//! Nothing here touches storage, text catalogues or the outside world.

mod names;
mod role;
pub mod text;

pub use names::{Field, Judgement, Record};
pub use role::{Action, Role, Roles};
