//! One bad job never blocks the others: a panic at any stage of one job's work (rendering,
//! composing, sending, recording) fails that job alone, dead at once with the stage and the
//! cause, and the runner goes on with the rest of the batch. A job whose runner died can be
//! cancelled.

use super::*;
use avala::worker::Stage;

both!(
    a_panic_in_one_job_fails_that_job_alone,
    a_panic_in_one_job_fails_that_job_alone_when_paced,
    a_job_whose_runner_died_can_be_cancelled
);

/// Eight competent candidates with their dictamen issued: their certificates' folios.
async fn eight_issued(w: &World) -> Vec<String> {
    let ids = w.planned(8, "eva.a").await;
    for &id in &ids {
        w.judge_all(id, "eva.a", None).await;
        w.engine.record_verdict(w.staff("eva.a"), id).await.unwrap();
    }
    // The notices so far go out first.
    w.worker().drain(|_| {}).await.unwrap();
    w.engine
        .issue_dictamen(w.staff("ver.a"), w.window, &ids, true)
        .await
        .unwrap();
    let mut folios: Vec<String> = w
        .engine
        .list_certificates(&w.admin, Some(w.window))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.folio)
        .collect();
    folios.sort();
    folios
}

async fn faults_at_every_stage(test: TestDb, paced: bool) {
    let w = world(test, None).await;
    let f = eight_issued(&w).await;
    let faults = [
        (Stage::Render, format!("render:{}", f[0]), "rendering"),
        (Stage::Record, format!("render:{}", f[1]), "recording"),
        (Stage::Compose, format!("deliver:{}", f[2]), "composing the e-mail"),
        (Stage::Send, format!("deliver:{}", f[3]), "sending"),
        (Stage::Record, format!("deliver:{}", f[4]), "recording"),
    ];
    let mut worker = w.worker();
    if paced {
        worker = worker.with_rate_limit(1000.0);
    }
    for (stage, key, _) in &faults {
        worker = worker.with_fault(*stage, key);
    }
    let summary = worker.drain(|_| {}).await.expect("the runner goes on");
    assert_eq!(summary.rendered, 6, "{summary:?}");
    assert_eq!(summary.delivered, 3, "{summary:?}");
    assert_eq!(summary.dead, 5, "{summary:?}");
    assert_eq!(summary.retried, 0, "a panic is not retried: {summary:?}");

    let jobs = w.engine.list_jobs(&w.admin, None, 1000).await.unwrap();
    for (_, key, stage) in &faults {
        let job = jobs.iter().find(|j| &j.idempotency_key == key).expect(key);
        assert_eq!(job.state, "dead", "{key}");
        let error = job.last_error.as_deref().unwrap_or_default();
        assert!(
            error.contains(&format!("job {} failed while {stage}", job.id)) && error.contains("panicked"),
            "{key}: {error}"
        );
        let (_, attempts) = w.engine.show_job(&w.admin, job.id).await.unwrap();
        assert_eq!(attempts.len(), 1, "{key}");
        assert_eq!(attempts[0].outcome, "dead", "{key}");
    }
    // Every other job of the batch is done, and nothing is left running or queued.
    let others: Vec<&str> = jobs
        .iter()
        .filter(|j| !faults.iter().any(|(_, key, _)| *key == j.idempotency_key))
        .filter(|j| j.state != "done")
        .map(|j| j.idempotency_key.as_str())
        .collect();
    assert!(others.is_empty(), "{others:?}");
    // The three delivered certificates are in the outbox, and the one sent whose record then
    // panicked (sent first, recorded after: a retry would send the same message again); no
    // other.
    let outbox = w.test.scratch.path().join("outbox");
    for (i, folio) in f.iter().enumerate() {
        let written = outbox.join(format!("{folio}.certificate.eml")).exists();
        assert_eq!(written, i >= 4, "{folio}");
    }
    // A panic recording a delivery rolled its record back: the certificate is not delivered.
    let states: HashMap<String, String> = w
        .engine
        .list_certificates(&w.admin, Some(w.window))
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.folio, c.state))
        .collect();
    assert_eq!(states[&f[5]], "delivered");
    assert_ne!(states[&f[4]], "delivered");
    assert!(avala::audit::verify(w.engine.db()).await.unwrap().broken.is_none());
}

async fn a_panic_in_one_job_fails_that_job_alone(test: TestDb) {
    faults_at_every_stage(test, false).await;
}

async fn a_panic_in_one_job_fails_that_job_alone_when_paced(test: TestDb) {
    faults_at_every_stage(test, true).await;
}

async fn a_job_whose_runner_died_can_be_cancelled(test: TestDb) {
    let w = world(test, None).await;
    w.register(1).await;
    // A runner claims the registration notice and dies with it in hand.
    let claimed = avala::jobs::claim_batch(w.engine.db(), "dead-runner", w.engine.now(), Duration::minutes(5), 1)
        .await
        .unwrap();
    let id = claimed[0].id;
    let e = refused!(w, w.engine.cancel_job(&w.admin, id), Error::JobNotCancellable { .. });
    assert!(
        e.message(Lang::En).contains("lease runs out"),
        "{}",
        e.message(Lang::En)
    );
    assert!(e.message(Lang::Es).contains("plazo"), "{}", e.message(Lang::Es));
    // Once its lease has run out, it is cancelled for good, and no runner takes it again.
    w.clock.advance(Duration::minutes(6));
    let job = w.engine.cancel_job(&w.admin, id).await.unwrap();
    assert_eq!(job.state, "dead");
    assert!(job.lease_holder.is_none());
    let summary = w.worker().drain(|_| {}).await.unwrap();
    assert_eq!(summary.jobs, 0, "{summary:?}");
}
