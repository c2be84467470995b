//! Table and property tests of the three charts against the diagrams in DESIGN.md.

use super::*;
use proptest::prelude::*;

/// The drawn edges of the enrollment diagram (plus accepted self-loops).
fn enrollment_edges() -> Vec<(EnrollmentState, EnrollmentEvent, EnrollmentState)> {
    use EnrollmentEvent as E;
    use EnrollmentState as S;
    let mut edges = vec![
        (S::Registered, E::Diagnostic, S::Diagnosed),
        (S::Diagnosed, E::Plan, S::EvaluationPlanned),
        (S::EvaluationPlanned, E::Evidence, S::UnderEvaluation),
        (S::UnderEvaluation, E::Evidence, S::UnderEvaluation),
        (S::UnderEvaluation, E::Verdict, S::Judged),
        (S::Judged, E::Competent, S::SubmittedForDictamen),
        (S::Judged, E::NotYetCompetent, S::NotYetCompetent),
        (S::SubmittedForDictamen, E::Procede, S::CertificateIssued),
        (S::SubmittedForDictamen, E::NoProcede, S::DictamenRejected),
        (S::CertificateIssued, E::Email, S::Delivered),
    ];
    for s in [
        S::Registered,
        S::Diagnosed,
        S::EvaluationPlanned,
        S::UnderEvaluation,
        S::Judged,
        S::SubmittedForDictamen,
    ] {
        edges.push((s, E::Withdraw, S::Withdrawn));
    }
    edges
}

fn window_edges() -> Vec<(WindowState, WindowEvent, WindowState)> {
    use WindowEvent as E;
    use WindowState as S;
    vec![
        (S::Scheduled, E::Open, S::Open),
        (S::Scheduled, E::Cancel, S::Cancelled),
        (S::Open, E::Register, S::Open),
        (S::Open, E::Close, S::Closed),
        (S::Open, E::Cancel, S::Cancelled),
    ]
}

fn certificate_edges() -> Vec<(CertificateState, CertificateEvent, CertificateState)> {
    use CertificateEvent as E;
    use CertificateState as S;
    let mut edges = vec![(S::Issued, E::Deliver, S::Delivered)];
    for s in [S::Issued, S::Delivered] {
        edges.push((s, E::Revoke, S::Revoked));
        edges.push((s, E::Supersede, S::Superseded));
        edges.push((s, E::Expire, S::Expired));
    }
    edges
}

fn check_table<L: Lifecycle>(edges: &[(L, L::Event, L)]) {
    for &state in L::ALL {
        for &event in L::EVENTS {
            let drawn = edges.iter().find(|(s, e, _)| *s == state && *e == event);
            match (drawn, state.apply(event)) {
                (Some((_, _, to)), Ok(got)) => assert_eq!(got, *to, "{state:?} --{event:?}-->"),
                (None, Err(err)) => {
                    assert_eq!(err.state, state.as_str());
                    assert_eq!(err.event, L::event_name(event));
                    assert_eq!(err.machine, L::MACHINE);
                }
                (Some(_), Err(err)) => panic!("{state:?} --{event:?}--> is drawn but refused: {err}"),
                (None, Ok(got)) => panic!("{state:?} --{event:?}--> is not drawn but went to {got:?}"),
            }
        }
    }
}

#[test]
fn enrollment_table_matches_the_diagram() {
    check_table(&enrollment_edges());
}

#[test]
fn window_table_matches_the_diagram() {
    check_table(&window_edges());
}

#[test]
fn certificate_table_matches_the_diagram() {
    check_table(&certificate_edges());
}

#[test]
fn persisted_names_round_trip_and_unknown_is_refused() {
    for s in EnrollmentState::ALL {
        assert_eq!(EnrollmentState::parse(s.as_str()).unwrap(), *s);
    }
    for s in WindowState::ALL {
        assert_eq!(WindowState::parse(s.as_str()).unwrap(), *s);
    }
    for s in CertificateState::ALL {
        assert_eq!(CertificateState::parse(s.as_str()).unwrap(), *s);
    }
    let err = EnrollmentState::parse("Registered").unwrap_err();
    assert!(err.known.contains("registered"));
}

#[test]
fn refusal_names_state_and_event() {
    let err = EnrollmentState::Registered.apply(EnrollmentEvent::Verdict).unwrap_err();
    assert_eq!(
        (err.machine, err.state, err.event),
        ("enrollment", "registered", "verdict")
    );
    assert_eq!(
        crate::Error::Transition(err.clone()).message(crate::Lang::En),
        "the enrollment is registered; the step \"verdict\" is not allowed from there (rule 1)"
    );
    assert_eq!(
        err.to_string(),
        "la inscripción está en «registrada»; el paso «emitir el juicio» no se permite desde ahí (regla 1)"
    );
}

fn walk<L: Lifecycle>(start: L, events: &[L::Event], edges: &[(L, L::Event, L)]) {
    let mut state = start;
    for &event in events {
        match state.apply(event) {
            Ok(next) => {
                assert!(
                    edges.iter().any(|(s, e, t)| *s == state && *e == event && *t == next),
                    "{state:?} --{event:?}--> {next:?} is not a path of the diagram"
                );
                state = next;
            }
            Err(err) => assert_eq!(err.state, state.as_str()),
        }
    }
}

proptest! {
    #[test]
    fn random_enrollment_sequences_follow_the_diagram(
        start in 0..EnrollmentState::ALL.len(),
        events in proptest::collection::vec(0..EnrollmentState::EVENTS.len(), 0..40),
    ) {
        let events: Vec<_> = events.into_iter().map(|i| EnrollmentState::EVENTS[i]).collect();
        walk(EnrollmentState::ALL[start], &events, &enrollment_edges());
    }

    #[test]
    fn random_window_sequences_follow_the_diagram(
        start in 0..WindowState::ALL.len(),
        events in proptest::collection::vec(0..WindowState::EVENTS.len(), 0..20),
    ) {
        let events: Vec<_> = events.into_iter().map(|i| WindowState::EVENTS[i]).collect();
        walk(WindowState::ALL[start], &events, &window_edges());
    }

    #[test]
    fn random_certificate_sequences_follow_the_diagram(
        start in 0..CertificateState::ALL.len(),
        events in proptest::collection::vec(0..CertificateState::EVENTS.len(), 0..20),
    ) {
        let events: Vec<_> = events.into_iter().map(|i| CertificateState::EVENTS[i]).collect();
        walk(CertificateState::ALL[start], &events, &certificate_edges());
    }
}
