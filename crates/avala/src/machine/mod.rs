//! The three state machines (registration window, enrollment, certificate), built with statig.
//!
//! They are the single source of which step may follow which (rule 1). Each machine keeps its
//! statig chart private and exposes a state enum we own: that is what is persisted, so renaming a
//! handler is never a data migration. statig 0.4.1 pitfalls and how they are handled:
//! - an event no state handles bubbles to the implicit top state and is silently "handled": every
//!   state has the superstate `refusing`, which records the refusal in the context;
//! - entry actions run again when a stored state is restored: the charts have none, effects are
//!   decided by the engine from the accepted transition;
//! - `before_transition` swaps source and target (statig issue #76): not used.

pub mod certificate;
pub mod enrollment;
pub mod window;

use std::fmt;

pub use certificate::{CertificateEvent, CertificateState};
pub use enrollment::{EnrollmentEvent, EnrollmentState};
pub use window::{WindowEvent, WindowState};

/// A refused transition: which machine, in which state, refused which event (its words are in
/// the message catalogue).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TransitionError {
    /// "window", "enrollment" or "certificate".
    pub machine: &'static str,
    /// The current state (persisted name).
    pub state: &'static str,
    /// The refused event.
    pub event: &'static str,
}

impl std::error::Error for TransitionError {}

/// A state name that no machine knows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnknownState {
    /// The machine.
    pub machine: &'static str,
    /// The value found.
    pub value: String,
    /// The accepted names.
    pub known: String,
}

/// The statig context: set when the event reached the `refusing` superstate.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Refusal {
    pub(crate) refused: bool,
}

/// What every machine offers the rest of the library.
pub trait Lifecycle: Copy + Eq + fmt::Debug + Sized + 'static {
    /// The machine's typed events.
    type Event: Copy + Eq + fmt::Debug + 'static;
    /// The machine's name in messages.
    const MACHINE: &'static str;
    /// Every state.
    const ALL: &'static [Self];
    /// Every event.
    const EVENTS: &'static [Self::Event];
    /// The persisted name.
    fn as_str(self) -> &'static str;
    /// The event's name.
    fn event_name(event: Self::Event) -> &'static str;
    /// Spanish label for people.
    fn label_es(self) -> &'static str;
    /// Ask the chart: the next state, or the typed refusal.
    fn apply(self, event: Self::Event) -> Result<Self, TransitionError>;
    /// Parse a persisted name.
    fn parse(value: &str) -> Result<Self, UnknownState> {
        Self::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| UnknownState {
                machine: Self::MACHINE,
                value: value.to_string(),
                known: Self::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
            })
    }
    /// The refusal for `event` in this state.
    fn refuse(self, event: Self::Event) -> TransitionError {
        TransitionError {
            machine: Self::MACHINE,
            state: self.as_str(),
            event: Self::event_name(event),
        }
    }
}

/// Persisted names are how states serialise.
macro_rules! serialize_as_str {
    ($($state:ty),*) => {$(
        impl serde::Serialize for $state {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    )*};
}
serialize_as_str!(CertificateState, EnrollmentState, WindowState);

/// Runs one event through a statig chart restored in `state`, detecting refusals.
macro_rules! run_chart {
    ($chart:expr, $restored:expr, $event:expr) => {{
        use statig::prelude::*;
        let mut sm = $chart.uninitialized_state_machine();
        *sm.state_mut() = $restored;
        let mut refusal = $crate::machine::Refusal::default();
        let mut sm = sm.init_with_context(&mut refusal);
        sm.handle_with_context($event, &mut refusal);
        if refusal.refused {
            None
        } else {
            Some(sm.state().clone())
        }
    }};
}
pub(crate) use run_chart;

#[cfg(test)]
mod tests;
