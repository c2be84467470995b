//! The enrollment (proceso de certificación), as drawn in DESIGN.md.

use super::{Lifecycle, TransitionError, run_chart};

/// Where one candidate's process stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EnrollmentState {
    /// Registered in the window.
    Registered,
    /// Diagnostic recorded.
    Diagnosed,
    /// Evaluator, date and place assigned.
    EvaluationPlanned,
    /// Element judgements are being recorded.
    UnderEvaluation,
    /// The juicio is recorded (transient: the outcome follows in the same transaction).
    Judged,
    /// Not yet competent; may enrol again later (rule 6).
    NotYetCompetent,
    /// Competent, waiting for the dictamen.
    SubmittedForDictamen,
    /// Dictamen: no procede.
    DictamenRejected,
    /// Dictamen: procede; the certificate is issued.
    CertificateIssued,
    /// The certificate was e-mailed.
    Delivered,
    /// Withdrawn before the end.
    Withdrawn,
}

/// The steps of an enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnrollmentEvent {
    /// The diagnostic evaluation is recorded.
    Diagnostic,
    /// The evaluation is planned.
    Plan,
    /// An element judgement with evidence is recorded.
    Evidence,
    /// The juicio de competencia is recorded.
    Verdict,
    /// The juicio said competent.
    Competent,
    /// The juicio said not yet competent.
    NotYetCompetent,
    /// The dictamen said procede.
    Procede,
    /// The dictamen said no procede.
    NoProcede,
    /// The certificate e-mail was sent.
    Email,
    /// The candidate withdrew.
    Withdraw,
}

mod chart {
    #![allow(missing_docs)]
    use super::EnrollmentEvent as E;
    use crate::machine::Refusal;
    use statig::prelude::*;

    #[derive(Default)]
    pub struct Chart;

    #[state_machine(initial = "State::registered()", state(derive(Debug, Clone, Copy, PartialEq, Eq)))]
    impl Chart {
        #[state(superstate = "refusing")]
        fn registered(event: &E) -> Outcome<State> {
            match event {
                E::Diagnostic => Transition(State::diagnosed()),
                E::Withdraw => Transition(State::withdrawn()),
                _ => Super,
            }
        }
        #[state(superstate = "refusing")]
        fn diagnosed(event: &E) -> Outcome<State> {
            match event {
                E::Plan => Transition(State::evaluation_planned()),
                E::Withdraw => Transition(State::withdrawn()),
                _ => Super,
            }
        }
        #[state(superstate = "refusing")]
        fn evaluation_planned(event: &E) -> Outcome<State> {
            match event {
                E::Evidence => Transition(State::under_evaluation()),
                E::Withdraw => Transition(State::withdrawn()),
                _ => Super,
            }
        }
        #[state(superstate = "refusing")]
        fn under_evaluation(event: &E) -> Outcome<State> {
            match event {
                // More judgements while the evaluation is open: accepted, no change of state.
                E::Evidence => Handled,
                E::Verdict => Transition(State::judged()),
                E::Withdraw => Transition(State::withdrawn()),
                _ => Super,
            }
        }
        #[state(superstate = "refusing")]
        fn judged(event: &E) -> Outcome<State> {
            match event {
                E::Competent => Transition(State::submitted_for_dictamen()),
                E::NotYetCompetent => Transition(State::not_yet_competent()),
                E::Withdraw => Transition(State::withdrawn()),
                _ => Super,
            }
        }
        #[state(superstate = "refusing")]
        fn submitted_for_dictamen(event: &E) -> Outcome<State> {
            match event {
                E::Procede => Transition(State::certificate_issued()),
                E::NoProcede => Transition(State::dictamen_rejected()),
                E::Withdraw => Transition(State::withdrawn()),
                _ => Super,
            }
        }
        #[state(superstate = "refusing")]
        fn certificate_issued(event: &E) -> Outcome<State> {
            match event {
                E::Email => Transition(State::delivered()),
                _ => Super,
            }
        }
        #[state(superstate = "refusing")]
        fn not_yet_competent(event: &E) -> Outcome<State> {
            let _ = event;
            Super
        }
        #[state(superstate = "refusing")]
        fn dictamen_rejected(event: &E) -> Outcome<State> {
            let _ = event;
            Super
        }
        #[state(superstate = "refusing")]
        fn delivered(event: &E) -> Outcome<State> {
            let _ = event;
            Super
        }
        #[state(superstate = "refusing")]
        fn withdrawn(event: &E) -> Outcome<State> {
            let _ = event;
            Super
        }
        /// Whatever no state handled ends here and is refused, instead of the implicit top
        /// state swallowing it.
        #[superstate]
        fn refusing(context: &mut Refusal, event: &E) -> Outcome<State> {
            let _ = event;
            context.refused = true;
            Handled
        }
    }
}

use EnrollmentState as S;

fn to_chart(s: S) -> chart::State {
    match s {
        S::Registered => chart::State::Registered {},
        S::Diagnosed => chart::State::Diagnosed {},
        S::EvaluationPlanned => chart::State::EvaluationPlanned {},
        S::UnderEvaluation => chart::State::UnderEvaluation {},
        S::Judged => chart::State::Judged {},
        S::NotYetCompetent => chart::State::NotYetCompetent {},
        S::SubmittedForDictamen => chart::State::SubmittedForDictamen {},
        S::DictamenRejected => chart::State::DictamenRejected {},
        S::CertificateIssued => chart::State::CertificateIssued {},
        S::Delivered => chart::State::Delivered {},
        S::Withdrawn => chart::State::Withdrawn {},
    }
}

fn from_chart(s: chart::State) -> S {
    match s {
        chart::State::Registered {} => S::Registered,
        chart::State::Diagnosed {} => S::Diagnosed,
        chart::State::EvaluationPlanned {} => S::EvaluationPlanned,
        chart::State::UnderEvaluation {} => S::UnderEvaluation,
        chart::State::Judged {} => S::Judged,
        chart::State::NotYetCompetent {} => S::NotYetCompetent,
        chart::State::SubmittedForDictamen {} => S::SubmittedForDictamen,
        chart::State::DictamenRejected {} => S::DictamenRejected,
        chart::State::CertificateIssued {} => S::CertificateIssued,
        chart::State::Delivered {} => S::Delivered,
        chart::State::Withdrawn {} => S::Withdrawn,
    }
}

impl Lifecycle for EnrollmentState {
    type Event = EnrollmentEvent;
    const MACHINE: &'static str = "enrollment";
    const ALL: &'static [Self] = &[
        S::Registered,
        S::Diagnosed,
        S::EvaluationPlanned,
        S::UnderEvaluation,
        S::Judged,
        S::NotYetCompetent,
        S::SubmittedForDictamen,
        S::DictamenRejected,
        S::CertificateIssued,
        S::Delivered,
        S::Withdrawn,
    ];
    const EVENTS: &'static [EnrollmentEvent] = &[
        EnrollmentEvent::Diagnostic,
        EnrollmentEvent::Plan,
        EnrollmentEvent::Evidence,
        EnrollmentEvent::Verdict,
        EnrollmentEvent::Competent,
        EnrollmentEvent::NotYetCompetent,
        EnrollmentEvent::Procede,
        EnrollmentEvent::NoProcede,
        EnrollmentEvent::Email,
        EnrollmentEvent::Withdraw,
    ];

    fn as_str(self) -> &'static str {
        match self {
            S::Registered => "registered",
            S::Diagnosed => "diagnosed",
            S::EvaluationPlanned => "evaluation_planned",
            S::UnderEvaluation => "under_evaluation",
            S::Judged => "judged",
            S::NotYetCompetent => "not_yet_competent",
            S::SubmittedForDictamen => "submitted_for_dictamen",
            S::DictamenRejected => "dictamen_rejected",
            S::CertificateIssued => "certificate_issued",
            S::Delivered => "delivered",
            S::Withdrawn => "withdrawn",
        }
    }

    fn event_name(event: EnrollmentEvent) -> &'static str {
        match event {
            EnrollmentEvent::Diagnostic => "diagnostic",
            EnrollmentEvent::Plan => "plan",
            EnrollmentEvent::Evidence => "evidence",
            EnrollmentEvent::Verdict => "verdict",
            EnrollmentEvent::Competent => "competent",
            EnrollmentEvent::NotYetCompetent => "not yet competent",
            EnrollmentEvent::Procede => "procede",
            EnrollmentEvent::NoProcede => "no procede",
            EnrollmentEvent::Email => "email",
            EnrollmentEvent::Withdraw => "withdraw",
        }
    }

    fn label_es(self) -> &'static str {
        match self {
            S::Registered => "Registrado",
            S::Diagnosed => "Diagnosticado",
            S::EvaluationPlanned => "Evaluación planeada",
            S::UnderEvaluation => "En evaluación",
            S::Judged => "Con juicio",
            S::NotYetCompetent => "Todavía no competente",
            S::SubmittedForDictamen => "En dictamen",
            S::DictamenRejected => "Dictamen: no procede",
            S::CertificateIssued => "Certificado emitido",
            S::Delivered => "Entregado",
            S::Withdrawn => "Retirado",
        }
    }

    fn apply(self, event: EnrollmentEvent) -> Result<Self, TransitionError> {
        run_chart!(chart::Chart, to_chart(self), &event)
            .map(from_chart)
            .ok_or_else(|| self.refuse(event))
    }
}

impl EnrollmentState {
    /// The one state that gives the window's place back: every other state holds one (rule 2's
    /// capacity counts them).
    pub const FREES_PLACE: EnrollmentState = S::Withdrawn;

    /// Does an enrollment in this state hold a place of its window?
    pub fn holds_place(self) -> bool {
        self != Self::FREES_PLACE
    }

    /// Still in progress (may be withdrawn).
    pub fn in_progress(self) -> bool {
        !matches!(
            self,
            S::NotYetCompetent | S::DictamenRejected | S::CertificateIssued | S::Delivered | S::Withdrawn
        )
    }
}
