//! The registration window (convocatoria): Scheduled → Open → Closed, or Cancelled.

use super::{Lifecycle, TransitionError, run_chart};

/// Where a registration window stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WindowState {
    /// Created, not yet open.
    Scheduled,
    /// Taking registrations inside [opens_at, closes_at).
    Open,
    /// Closed to registration; processes go on.
    Closed,
    /// Cancelled before closing.
    Cancelled,
}

/// The steps of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WindowEvent {
    /// Open for registration.
    Open,
    /// A candidate registers (accepted only while open).
    Register,
    /// Close registration.
    Close,
    /// Cancel the window.
    Cancel,
}

mod chart {
    #![allow(missing_docs)]
    use super::WindowEvent as E;
    use crate::machine::Refusal;
    use statig::prelude::*;

    #[derive(Default)]
    pub struct Chart;

    #[state_machine(initial = "State::scheduled()", state(derive(Debug, Clone, Copy, PartialEq, Eq)))]
    impl Chart {
        #[state(superstate = "refusing")]
        fn scheduled(event: &E) -> Outcome<State> {
            match event {
                E::Open => Transition(State::open()),
                E::Cancel => Transition(State::cancelled()),
                _ => Super,
            }
        }
        #[state(superstate = "refusing")]
        fn open(event: &E) -> Outcome<State> {
            match event {
                E::Register => Handled,
                E::Close => Transition(State::closed()),
                E::Cancel => Transition(State::cancelled()),
                _ => Super,
            }
        }
        #[state(superstate = "refusing")]
        fn closed(event: &E) -> Outcome<State> {
            let _ = event;
            Super
        }
        #[state(superstate = "refusing")]
        fn cancelled(event: &E) -> Outcome<State> {
            let _ = event;
            Super
        }
        /// Unhandled events are refused here, not swallowed by the implicit top state.
        #[superstate]
        fn refusing(context: &mut Refusal, event: &E) -> Outcome<State> {
            let _ = event;
            context.refused = true;
            Handled
        }
    }
}

use WindowState as S;

fn to_chart(s: S) -> chart::State {
    match s {
        S::Scheduled => chart::State::Scheduled {},
        S::Open => chart::State::Open {},
        S::Closed => chart::State::Closed {},
        S::Cancelled => chart::State::Cancelled {},
    }
}

fn from_chart(s: chart::State) -> S {
    match s {
        chart::State::Scheduled {} => S::Scheduled,
        chart::State::Open {} => S::Open,
        chart::State::Closed {} => S::Closed,
        chart::State::Cancelled {} => S::Cancelled,
    }
}

impl Lifecycle for WindowState {
    type Event = WindowEvent;
    const MACHINE: &'static str = "window";
    const ALL: &'static [Self] = &[S::Scheduled, S::Open, S::Closed, S::Cancelled];
    const EVENTS: &'static [WindowEvent] = &[
        WindowEvent::Open,
        WindowEvent::Register,
        WindowEvent::Close,
        WindowEvent::Cancel,
    ];

    fn as_str(self) -> &'static str {
        match self {
            S::Scheduled => "scheduled",
            S::Open => "open",
            S::Closed => "closed",
            S::Cancelled => "cancelled",
        }
    }

    fn event_name(event: WindowEvent) -> &'static str {
        match event {
            WindowEvent::Open => "open",
            WindowEvent::Register => "register",
            WindowEvent::Close => "close",
            WindowEvent::Cancel => "cancel",
        }
    }

    fn label_es(self) -> &'static str {
        match self {
            S::Scheduled => "Programada",
            S::Open => "Abierta",
            S::Closed => "Cerrada",
            S::Cancelled => "Cancelada",
        }
    }

    fn apply(self, event: WindowEvent) -> Result<Self, TransitionError> {
        run_chart!(chart::Chart, to_chart(self), &event)
            .map(from_chart)
            .ok_or_else(|| self.refuse(event))
    }
}
