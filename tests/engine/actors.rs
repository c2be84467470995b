//! Who may see what: a candidate through their personal link (kept only as its hash) sees their
//! own process; the public verifies by verification code, never by folio; listings check their
//! actor.

use super::*;

both!(
    each_actor_sees_only_what_is_theirs,
    the_public_verifies_by_code_and_never_by_folio
);

async fn each_actor_sees_only_what_is_theirs(test: TestDb) {
    let w = world(test, None).await;
    let ids = w.register(2).await;
    // A personal link: only an admin gives one, and only its hash is kept.
    refused!(
        w,
        w.engine.issue_candidate_link(&Actor::Public, ids[0]),
        Error::NoActor { .. }
    );
    refused!(
        w,
        w.engine.issue_candidate_link(w.staff("eva.a"), ids[0]),
        Error::Forbidden { .. }
    );
    refused!(w, w.engine.issue_candidate_link(&w.admin, 999), Error::NotFound { .. });
    let token = w.engine.issue_candidate_link(&w.admin, ids[0]).await.unwrap();
    assert!(
        token.len() >= 26,
        "128 bits take at least 26 base32 characters: {token}"
    );
    let mut tx = w.engine.db().read().await.unwrap();
    let stored: Vec<String> = avala::on!(&mut tx, c => sqlx::query_scalar(
        "SELECT token_sha256 FROM candidate_links").fetch_all(c).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].contains(&token) && stored[0] != token,
        "the token is kept in plain text"
    );

    let candidate = w.engine.candidate_actor(&token).await.unwrap();
    assert!(matches!(candidate, Actor::Candidate { .. }), "{candidate:?}");
    // Their own process, with their personal data; another's is no process at all.
    let own = w.engine.show_enrollment(&candidate, ids[0]).await.unwrap();
    assert_eq!(own.id, ids[0]);
    refused!(
        w,
        w.engine.show_enrollment(&candidate, ids[1]),
        Error::NotFound {
            what: Record::Enrollment,
            ..
        }
    );
    // A link that is not one, or one character off, is no one.
    let mut forged: Vec<char> = token.chars().collect();
    forged[0] = if forged[0] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    for bad in ["", "hola", forged.as_str()] {
        assert!(
            matches!(w.engine.candidate_actor(bad).await, Err(Error::UnknownLink)),
            "{bad:?} was taken for a candidate"
        );
    }
    // Listings check their actor: neither the public nor a candidate lists anyone.
    for actor in [&Actor::Public, &candidate] {
        assert!(
            w.engine.list_enrollments(actor, None, None).await.is_err(),
            "{actor:?} listed enrollments"
        );
        assert!(
            w.engine.list_certificates(actor, None).await.is_err(),
            "{actor:?} listed certificates"
        );
        assert!(w.engine.list_staff(actor).await.is_err(), "{actor:?} listed staff");
        assert!(
            w.engine.show_enrollment(&Actor::Public, ids[0]).await.is_err(),
            "the public read personal data"
        );
    }
}

async fn the_public_verifies_by_code_and_never_by_folio(test: TestDb) {
    use avala::certificate::verify::Outcome;
    use avala::engine::Subject;
    let w = world(test, None).await;
    let ids = w.submitted(1, "eva.a").await;
    w.engine
        .issue_dictamen(w.staff("ver.a"), w.window, &ids, true)
        .await
        .unwrap();
    w.worker().drain(|_| {}).await.unwrap();
    let certificate = w.engine.list_certificates(&w.admin, None).await.unwrap().remove(0);
    // Folios are sequential: the public may not look one up, or it could list every holder.
    let refused = w
        .engine
        .verify_certificate(&Actor::Public, Subject::Folio(&certificate.folio))
        .await;
    assert!(
        matches!(
            refused,
            Err(Error::NoActor {
                action: Action::VerifyByFolio
            })
        ),
        "{refused:?}"
    );
    // The verification code printed on the certificate is the public's way in.
    let by_code = w
        .engine
        .verify_certificate(&Actor::Public, Subject::of_key(&certificate.verification_code))
        .await
        .unwrap();
    assert_eq!(by_code.outcome, Outcome::Valid);
    assert_eq!(by_code.holder.as_deref(), Some(certificate.holder_name.as_str()));
    // Staff may look up a folio.
    let by_folio = w
        .engine
        .verify_certificate(&w.admin, Subject::Folio(&certificate.folio))
        .await
        .unwrap();
    assert_eq!(by_folio.outcome, Outcome::Valid);
    // A typing slip where the QR code's token belongs is an invalid request, not a forgery.
    let slip = w
        .engine
        .verify_certificate(&Actor::Public, Subject::Token("hello"))
        .await;
    assert!(
        matches!(&slip, Err(Error::NotAToken { text }) if text == "hello"),
        "{slip:?}"
    );
    // A code no certificate has is not found, and names no one.
    let unknown = w
        .engine
        .verify_certificate(&Actor::Public, Subject::Code("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ"))
        .await;
    match unknown {
        Ok(v) => {
            assert!(matches!(v.outcome, Outcome::NotFound { .. }), "{v:?}");
            assert!(v.holder.is_none());
        }
        Err(e) => assert_eq!(e.class(), avala::error::ErrorClass::Refused, "{e:?}"),
    }
}
