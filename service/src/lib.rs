//! The HTTP plumbing zkgate's services share (the prover, the registry, the watcher): bearer
//! API keys compared in constant time ([`auth`]), request bodies whose
//! rejections are the API's JSON errors naming the field and never echoing a value
//! ([`body`]), the per-route request counter behind `/metrics` ([`requests`]), and the
//! shutdown signal ([`shutdown_signal`]).
#![deny(missing_docs)]

pub mod auth;
pub mod body;
pub mod requests;

/// Resolves on Ctrl-C or SIGTERM (what an orchestrator sends before a kill).
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
