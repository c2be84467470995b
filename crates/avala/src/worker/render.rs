//! Rendering: each certificate of a batch signed and rendered side by side, written to its
//! file, and the batch recorded by the engine in one transaction.

use sha2::{Digest, Sha256};

use futures_util::FutureExt;

use super::{Failure, RunSummary, Stage, Worker};
use crate::certificate::pdf::{CertificateDoc, render};
use crate::engine::Rendered;
use crate::error::{Error, Result};
use crate::jobs::{Job, Task};

/// A certificate to render, once its record is read and its payload signed.
struct ToRender {
    folio: String,
    enrollment: i64,
    signed: crate::certificate::signed::Signed,
    doc: CertificateDoc,
    path: std::path::PathBuf,
    /// A test asked this one's rendering to panic ([`Worker::with_fault`]).
    fault: bool,
}

impl Worker {
    /// The configured logo, decoded once.
    fn logo(&self) -> Result<Option<std::sync::Arc<crate::certificate::pdf::Logo>>> {
        if let Some(logo) = self.logo.get() {
            return Ok(logo.clone());
        }
        let logo = self.config.logo()?.map(std::sync::Arc::new);
        Ok(self.logo.get_or_init(|| logo).clone())
    }

    /// Renders the certificates of `batch` side by side (each written to its file), then has the
    /// engine store them all, enqueue their deliveries and complete their jobs in one
    /// transaction. A job whose certificate was stored by an earlier run only completes.
    pub(super) async fn render_batch(&self, batch: &[&Job], summary: &mut RunSummary) -> Result<()> {
        // Without a usable key (missing, unreadable, open to others, not the pinned one) no
        // certificate can be signed, and waiting will not bring one: the jobs are dead at once,
        // with the reason.
        let key = match self.engine.signing_key(&self.actor, &self.config).await {
            Ok(key) => key,
            Err(e @ (Error::Database { .. } | Error::DatabaseUnavailable { .. })) => return Err(e),
            Err(e) => {
                // (Pinning the key met another command: that passes, and the jobs are tried
                // again later.)
                let conflict = matches!(e, Error::Conflict { .. });
                let message = e.to_string();
                for job in batch {
                    let failure = if conflict {
                        Failure::transient(message.clone())
                    } else {
                        Failure::dead(message.clone())
                    };
                    self.settle(job, failure, summary).await?;
                }
                return Ok(());
            }
        };
        let mut ready = Vec::with_capacity(batch.len());
        let mut to_render = Vec::with_capacity(batch.len());
        for job in batch {
            match super::caught(job, Stage::Render, self.start_render(job, &key)).await {
                Ok(None) => ready.push((*job, None)),
                Ok(Some(render)) => to_render.push((*job, render)),
                Err(failure) => self.settle(job, failure, summary).await?,
            }
        }
        // Rendering and writing the files are blocking work, off the runtime's thread: the
        // batch is split into one run per CPU, each certificate's work guarded on its own.
        let (jobs, renders): (Vec<&Job>, Vec<ToRender>) = to_render.into_iter().unzip();
        let rendered = crate::process::spread(renders, |one: ToRender| {
            if one.fault {
                panic!("a fault injected by a test at {:?}", Stage::Render);
            }
            let pdf = render(&one.doc)?;
            let sha256 = hex::encode(Sha256::digest(&pdf));
            crate::config::write_atomic(&one.path, &pdf, false)?;
            Ok::<_, Error>(Rendered {
                folio: one.folio,
                enrollment: one.enrollment,
                signed: one.signed,
                pdf,
                sha256,
            })
        })
        .await;
        for (job, finished) in jobs.into_iter().zip(rendered) {
            match finished {
                Ok(Ok(done)) => ready.push((job, Some(done))),
                Ok(Err(e)) => self.settle(job, Failure::from(e), summary).await?,
                Err(panic) => {
                    self.settle(job, Failure::panicked(job, Stage::Render, &panic), summary)
                        .await?
                }
            }
        }
        if ready.is_empty() {
            return Ok(());
        }
        let all = std::panic::AssertUnwindSafe(async {
            for (job, _) in &ready {
                self.trip(Stage::Record, job);
            }
            self.engine.record_renderings(&self.actor, &ready).await
        })
        .catch_unwind()
        .await;
        let Ok(all) = all else {
            // Recording the batch panicked: each is recorded on its own, so that only the one
            // whose record panics fails.
            for one in &ready {
                let recorded = self.guarded(one.0, Stage::Record, async {
                    let one = std::slice::from_ref(one);
                    Ok(self.engine.record_renderings(&self.actor, one).await?)
                });
                match recorded.await {
                    Ok(rendered) => summary.rendered += rendered,
                    Err(failure) => self.settle(one.0, failure, summary).await?,
                }
            }
            return Ok(());
        };
        match all {
            Ok(rendered) => {
                summary.rendered += rendered;
                Ok(())
            }
            // Another runner took a job over (its lease ran out): nothing of the batch is
            // recorded, and each job still held is retried later (rendering is repeatable).
            Err(e @ Error::Conflict { .. }) => {
                for (job, _) in &ready {
                    self.settle(job, Failure::transient(e.to_string()), summary).await?;
                }
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Reads what a certificate shows and signs it, ready to render; none when an earlier run
    /// rendered it already.
    async fn start_render(&self, job: &Job, key: &crate::engine::PinnedKey) -> Result<Option<ToRender>, Failure> {
        let Ok(Task::RenderCertificate { folio }) = &job.task else {
            return Err(Failure::permanent(Error::BadJob {
                job: job.id,
                detail: format!("{} is not a rendering", job.kind),
            }));
        };
        let Some(record) = self.engine.certificate_to_render(&self.actor, folio).await? else {
            return Ok(None);
        };
        let settings = &self.config.settings;
        let signed = record.payload(&settings.issuer, key.id()).sign(key.signing());
        let doc = record.document(
            self.lang,
            &settings.issuer,
            &settings.place,
            signed.token(),
            self.logo()?,
        );
        Ok(Some(ToRender {
            fault: self.faulty(Stage::Render, job),
            path: self.config.certificates_dir().join(format!("{}.pdf", record.folio)),
            folio: record.folio,
            enrollment: record.enrollment_id,
            signed,
            doc,
        }))
    }
}
