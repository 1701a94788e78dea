//! Group commit of single issue requests: concurrent `POST /v1/issuers/{id}/credentials`
//! calls are queued to one writer, which takes everything waiting (up to
//! [`MAX_BATCH`](crate::registry::MAX_BATCH)) and issues it as one tree version in one
//! transaction ([`Registry::issue_each`]); each request still gets its own answer (its
//! credential, or its own refusal). A commit's fsync is then paid once per group instead of
//! once per credential.
use std::collections::BTreeMap;

use tokio::sync::{mpsc, oneshot};

use crate::api::{CredentialRecord, IssueRequest};
use crate::registry::{Registry, RegistryError, MAX_BATCH};

struct Job {
    issuer: u64,
    request: IssueRequest,
    reply: oneshot::Sender<Result<CredentialRecord, RegistryError>>,
}

/// The queue in front of the writer.
#[derive(Clone, Debug)]
pub struct IssueQueue {
    tx: mpsc::Sender<Job>,
}

impl IssueQueue {
    /// Starts the writer for `registry` (on the current tokio runtime).
    pub fn start(registry: Registry) -> Self {
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(registry, rx));
        IssueQueue { tx }
    }

    /// Issues one credential with whatever else is waiting.
    pub async fn issue(
        &self,
        issuer: u64,
        request: IssueRequest,
    ) -> Result<CredentialRecord, RegistryError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job {
                issuer,
                request,
                reply,
            })
            .await
            .map_err(|_| RegistryError::Unavailable("the issue writer stopped".into()))?;
        answer
            .await
            .map_err(|_| RegistryError::Unavailable("the issue writer stopped".into()))?
    }
}

async fn run(registry: Registry, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let mut by_issuer: BTreeMap<u64, Vec<Job>> = BTreeMap::new();
        for job in jobs {
            by_issuer.entry(job.issuer).or_default().push(job);
        }
        for (issuer, group) in by_issuer {
            let requests: Vec<IssueRequest> = group.iter().map(|j| j.request.clone()).collect();
            match registry.issue_each(issuer, &requests).await {
                Ok((_, results)) => {
                    for (job, result) in group.into_iter().zip(results) {
                        let _ = job.reply.send(result);
                    }
                }
                Err(e) => {
                    let unknown = matches!(e, RegistryError::UnknownIssuer(_));
                    if !unknown {
                        tracing::error!(issuer, error = %e, "issuing a group failed");
                    }
                    for job in group {
                        let _ = job.reply.send(Err(if unknown {
                            RegistryError::UnknownIssuer(issuer)
                        } else {
                            RegistryError::Unavailable("database".into())
                        }));
                    }
                }
            }
        }
    }
}
