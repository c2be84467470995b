//! The certificate lifecycle: Issued → Delivered; from either Revoked, Superseded or Expired.

use super::{Lifecycle, TransitionError, run_chart};

/// Where a certificate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificateState {
    /// Issued (PDF rendered), not yet e-mailed.
    Issued,
    /// E-mailed to the holder.
    Delivered,
    /// Revoked, with a reason.
    Revoked,
    /// Replaced by a re-issue (reposición).
    Superseded,
    /// Its validity elapsed.
    Expired,
}

/// The steps of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificateEvent {
    /// The e-mail with the PDF was sent.
    Deliver,
    /// Revoked by the certifying body.
    Revoke,
    /// Replaced by a re-issue.
    Supersede,
    /// Validity elapsed.
    Expire,
}

mod chart {
    #![allow(missing_docs)]
    use super::CertificateEvent as E;
    use crate::machine::Refusal;
    use statig::prelude::*;

    #[derive(Default)]
    pub struct Chart;

    #[state_machine(initial = "State::issued()", state(derive(Debug, Clone, Copy, PartialEq, Eq)))]
    impl Chart {
        #[state(superstate = "current")]
        fn issued(event: &E) -> Outcome<State> {
            match event {
                E::Deliver => Transition(State::delivered()),
                _ => Super,
            }
        }
        #[state(superstate = "current")]
        fn delivered(event: &E) -> Outcome<State> {
            let _ = event;
            Super
        }
        /// A valid certificate (issued or delivered) may end in one of three ways.
        #[superstate(superstate = "refusing")]
        fn current(event: &E) -> Outcome<State> {
            match event {
                E::Revoke => Transition(State::revoked()),
                E::Supersede => Transition(State::superseded()),
                E::Expire => Transition(State::expired()),
                E::Deliver => Super,
            }
        }
        #[state(superstate = "refusing")]
        fn revoked(event: &E) -> Outcome<State> {
            let _ = event;
            Super
        }
        #[state(superstate = "refusing")]
        fn superseded(event: &E) -> Outcome<State> {
            let _ = event;
            Super
        }
        #[state(superstate = "refusing")]
        fn expired(event: &E) -> Outcome<State> {
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

use CertificateState as S;

fn to_chart(s: S) -> chart::State {
    match s {
        S::Issued => chart::State::Issued {},
        S::Delivered => chart::State::Delivered {},
        S::Revoked => chart::State::Revoked {},
        S::Superseded => chart::State::Superseded {},
        S::Expired => chart::State::Expired {},
    }
}

fn from_chart(s: chart::State) -> S {
    match s {
        chart::State::Issued {} => S::Issued,
        chart::State::Delivered {} => S::Delivered,
        chart::State::Revoked {} => S::Revoked,
        chart::State::Superseded {} => S::Superseded,
        chart::State::Expired {} => S::Expired,
    }
}

impl Lifecycle for CertificateState {
    type Event = CertificateEvent;
    const MACHINE: &'static str = "certificate";
    const ALL: &'static [Self] = &[S::Issued, S::Delivered, S::Revoked, S::Superseded, S::Expired];
    const EVENTS: &'static [CertificateEvent] = &[
        CertificateEvent::Deliver,
        CertificateEvent::Revoke,
        CertificateEvent::Supersede,
        CertificateEvent::Expire,
    ];

    fn as_str(self) -> &'static str {
        match self {
            S::Issued => "issued",
            S::Delivered => "delivered",
            S::Revoked => "revoked",
            S::Superseded => "superseded",
            S::Expired => "expired",
        }
    }

    fn event_name(event: CertificateEvent) -> &'static str {
        match event {
            CertificateEvent::Deliver => "deliver",
            CertificateEvent::Revoke => "revoke",
            CertificateEvent::Supersede => "supersede",
            CertificateEvent::Expire => "expire",
        }
    }

    fn label_es(self) -> &'static str {
        match self {
            S::Issued => "Emitido",
            S::Delivered => "Entregado",
            S::Revoked => "Revocado",
            S::Superseded => "Sustituido",
            S::Expired => "Vencido",
        }
    }

    fn apply(self, event: CertificateEvent) -> Result<Self, TransitionError> {
        run_chart!(chart::Chart, to_chart(self), &event)
            .map(from_chart)
            .ok_or_else(|| self.refuse(event))
    }
}

impl CertificateState {
    /// The states of a certificate in force: issued, delivered (not revoked, superseded or
    /// expired).
    pub const IN_FORCE: [CertificateState; 2] = [CertificateState::Issued, CertificateState::Delivered];

    /// Is a certificate in this state in force?
    pub fn in_force(self) -> bool {
        Self::IN_FORCE.contains(&self)
    }
}
