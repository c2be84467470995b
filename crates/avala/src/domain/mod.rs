//! The domain's small values that every layer shares: who acts ([`Actor`]), their roles, what
//! they may do ([`Action`]), and the names of records and fields that messages refer to.
//!
//! Nothing here touches storage, text catalogues or the outside world.

mod actor;
mod names;

pub use actor::{Action, Actor, Role, Roles};
pub use names::{Field, Record};
