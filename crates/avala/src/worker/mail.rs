//! E-mail: certificates and notices, sent and then recorded by the engine.

use futures_util::FutureExt;

use super::{Failure, RunSummary, Stage, Worker};
use crate::engine::{Delivery, Mail, Sent};
use crate::error::{Error, Result};
use crate::jobs::{Job, Task};
use crate::notices::Composed;

/// An e-mail ready to send: its id (the outbox file's name) and the message.
type Outgoing = (String, lettre::Message);

/// What a notice's job records when the notice has nobody to go to.
const NOBODY: &str = "nobody to send it to";

impl Worker {
    /// What an e-mail job needs, from the engine.
    async fn mail(&self, job: &Job) -> Result<Mail, Failure> {
        let task = job.task.as_ref().map_err(|why| {
            Failure::permanent(Error::BadJob {
                job: job.id,
                detail: why.clone(),
            })
        })?;
        let mut read = self.engine.mail_for(&self.actor, &[task]).await?;
        Ok(read.pop().unwrap_or_else(|| Err(Error::database("no record read")))?)
    }

    /// Sends the certificate and records it; false when there was nothing to send (delivered
    /// already, or revoked).
    pub(super) async fn deliver(&self, job: &Job) -> Result<bool, Failure> {
        let Mail::Certificate(delivery) = self.mail(job).await? else {
            return Err(Failure::permanent(Error::BadJob {
                job: job.id,
                detail: "not a certificate e-mail".into(),
            }));
        };
        let message = self
            .guarded(job, Stage::Compose, async { self.certificate_message(&delivery) })
            .await?;
        let answer = match message {
            Some(message) => Some(self.guarded(job, Stage::Send, self.send(message)).await?),
            None => None,
        };
        let sent = answer.is_some();
        self.record_one(&self.sent_certificate(job, delivery, answer)).await?;
        Ok(sent)
    }

    /// Records one job's e-mail.
    async fn record_one(&self, sent: &Sent<'_>) -> Result<(), Failure> {
        let job = sent.job();
        let record = async { Ok(self.engine.record_sent(&self.actor, std::slice::from_ref(sent)).await?) };
        self.guarded(job, Stage::Record, record).await
    }

    /// Writes and sends a notice, and records it; false when it has nobody to go to.
    pub(super) async fn notify(&self, job: &Job) -> Result<bool, Failure> {
        let Mail::Notice(letter) = self.mail(job).await? else {
            return Err(Failure::permanent(Error::BadJob {
                job: job.id,
                detail: "not a notice".into(),
            }));
        };
        let message = self.guarded(job, Stage::Compose, async { self.compose(job, &letter) });
        let (detail, to_anyone) = match message.await? {
            Some(message) => (self.guarded(job, Stage::Send, self.send(message)).await?, true),
            None => (NOBODY.to_string(), false),
        };
        self.record_one(&Sent::Notice { job, detail }).await?;
        Ok(to_anyone)
    }

    /// A notice worded and made an e-mail, or none when it has nobody to go to.
    fn compose(&self, job: &Job, letter: &crate::notices::Letter) -> Result<Option<Outgoing>, Failure> {
        let composed = crate::mail::compose(letter, self.lang, &self.config.settings.issuer);
        self.notice_message(job, &composed)
    }

    fn sent_certificate<'j>(&self, job: &'j Job, delivery: Box<Delivery>, answer: Option<String>) -> Sent<'j> {
        Sent::Certificate {
            job,
            delivery,
            answer,
            via: self.mailer.describe(),
        }
    }

    /// The certificate e-mail, or none when there is nothing to send (delivered already by an
    /// earlier run, or revoked meanwhile).
    fn certificate_message(&self, d: &Delivery) -> Result<Option<Outgoing>, Failure> {
        if !d.is_due()? {
            return Ok(None);
        }
        let pdf = d
            .pdf
            .clone()
            .ok_or_else(|| Failure::transient(format!("certificate {} has no PDF yet", d.folio)))?;
        let message = crate::mail::CertificateMail {
            lang: self.lang,
            issuer: &self.config.settings.issuer,
            from: &self.config.settings.mail_from,
            to_name: &d.holder_name,
            to: &d.email,
            folio: &d.folio,
            verification_code: &d.verification_code,
            standard_code: &d.standard_code,
            standard_title: &d.standard_title,
            pdf,
        }
        .build()
        .map_err(Failure::permanent)?;
        Ok(Some((format!("{}.certificate", d.folio), message)))
    }

    /// A notice's e-mail, or none when it has nobody to go to.
    fn notice_message(&self, job: &Job, composed: &Composed) -> Result<Option<Outgoing>, Failure> {
        if composed.to.is_empty() {
            return Ok(None);
        }
        let settings = &self.config.settings;
        let message =
            crate::mail::notice_message(composed, &job.idempotency_key, &settings.issuer, &settings.mail_from)
                .map_err(Failure::permanent)?;
        Ok(Some((job.idempotency_key.replace(':', "."), message)))
    }

    /// Waits until the rate limit allows the next message.
    async fn pace(&self) {
        if let Some((gap, last)) = &self.pace {
            let mut last = last.lock().await;
            if let Some(at) = *last {
                tokio::time::sleep_until(at + *gap).await;
            }
            *last = Some(tokio::time::Instant::now());
        }
    }

    /// Sends one message, at the rate limit: what the mail server answered.
    async fn send(&self, (id, message): Outgoing) -> Result<String, Failure> {
        self.pace().await;
        self.mailer.send(&id, message).await.map_err(Failure::from)
    }

    /// E-mails (notices and certificates) whose sending replaces rather than repeats
    /// ([`crate::mail::Mailer::resends_in_place`]): read in one transaction, written side by
    /// side, and recorded in one. A crash before the record sends them again, to the same files.
    /// When one of them cannot be recorded (another runner took its job over, or its certificate
    /// changed meanwhile), the others are recorded one by one and that one is tried again later.
    pub(super) async fn send_batch(&self, batch: &[&Job], summary: &mut RunSummary) -> Result<()> {
        let tasks: Vec<&Task> = batch.iter().filter_map(|job| job.task.as_ref().ok()).collect();
        let mut read = self.engine.mail_for(&self.actor, &tasks).await?.into_iter();
        // Each e-mail made; a job whose e-mail could not be made is settled on its own and left
        // out of the record.
        let mut prepared = Vec::with_capacity(batch.len());
        let mut outgoing = Vec::with_capacity(batch.len());
        for job in batch {
            let mail = match &job.task {
                Ok(_) => read
                    .next()
                    .unwrap_or_else(|| Err(Error::database("no record read")))
                    .map_err(Failure::from),
                Err(why) => Err(Failure::permanent(Error::BadJob {
                    job: job.id,
                    detail: why.clone(),
                })),
            };
            let message = match mail {
                Ok(mail) => {
                    let composed = async {
                        match mail {
                            Mail::Notice(letter) => self.compose(job, &letter).map(|m| (None, m)),
                            Mail::Certificate(delivery) => {
                                self.certificate_message(&delivery).map(|m| (Some(delivery), m))
                            }
                        }
                    };
                    self.guarded(job, Stage::Compose, composed).await
                }
                Err(failure) => Err(failure),
            };
            // (Written to the outbox folder, each message is formatted on its own: a panic
            // formatting one fails that one alone, in `Mailer::send_all`.)
            let message = match message {
                Ok((delivery, Some(m))) => self
                    .guarded(job, Stage::Send, async { Ok(m) })
                    .await
                    .map(|m| (delivery, Some(m))),
                other => other,
            };
            match message {
                Ok((delivery, message)) => {
                    prepared.push((*job, delivery, message.is_some()));
                    outgoing.extend(message);
                }
                Err(failure) => self.settle(job, failure, summary).await?,
            }
        }
        let mut answers = if self.pace.is_some() {
            let mut answers = Vec::with_capacity(outgoing.len());
            let jobs = prepared.iter().filter(|(_, _, has)| *has).map(|(job, ..)| *job);
            for (job, message) in jobs.zip(outgoing) {
                answers.push(self.guarded(job, Stage::Send, self.send(message)).await);
            }
            answers
        } else {
            let answers = self.mailer.send_all(outgoing).await;
            answers.into_iter().map(|a| a.map_err(Failure::from)).collect()
        }
        .into_iter();
        let mut sent = Vec::with_capacity(prepared.len());
        for (job, delivery, has_message) in prepared {
            let answer = match has_message.then(|| answers.next()).flatten() {
                Some(Ok(answer)) => Some(answer),
                Some(Err(failure)) => {
                    self.settle(job, failure, summary).await?;
                    continue;
                }
                None => None,
            };
            sent.push(match delivery {
                None => Sent::Notice {
                    job,
                    detail: answer.unwrap_or_else(|| NOBODY.to_string()),
                },
                Some(delivery) => self.sent_certificate(job, delivery, answer),
            });
        }
        let all = std::panic::AssertUnwindSafe(async {
            for s in &sent {
                self.trip(Stage::Record, s.job());
            }
            self.engine.record_sent(&self.actor, &sent).await
        })
        .catch_unwind()
        .await;
        match all {
            Ok(Ok(())) => {}
            // One of them could not be recorded, or recording them panicked: each is recorded
            // on its own, and only that one fails.
            Ok(Err(Error::Conflict { .. })) | Err(_) => {
                let mut kept = Vec::with_capacity(sent.len());
                for s in sent {
                    match self.record_one(&s).await {
                        Ok(()) => kept.push(s),
                        Err(failure) => self.settle(s.job(), failure, summary).await?,
                    }
                }
                sent = kept;
            }
            Ok(Err(e)) => return Err(e),
        }
        for s in &sent {
            match s {
                Sent::Notice { detail, .. } => summary.notices += u64::from(detail != NOBODY),
                Sent::Certificate { answer, .. } => summary.delivered += u64::from(answer.is_some()),
            }
        }
        Ok(())
    }
}
