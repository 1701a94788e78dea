//! Requests served, by method, matched route and status: the counter behind each service's
//! `*_http_requests_total` metric, and the middleware that feeds it. Labels are bounded:
//! known methods, route templates (never raw paths), statuses.
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// The counter.
#[derive(Debug, Default)]
pub struct RequestCounter {
    counts: Mutex<BTreeMap<(String, String, u16), u64>>,
}

impl RequestCounter {
    /// Counts a served request.
    pub fn record(&self, method: &str, route: &str, status: u16) {
        let mut map = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
    }

    /// Appends the counter as the Prometheus counter `name`.
    pub fn render(&self, name: &str, out: &mut String) {
        let _ = writeln!(out, "# HELP {name} HTTP requests by route and status.");
        let _ = writeln!(out, "# TYPE {name} counter");
        for ((method, route, status), n) in
            self.counts.lock().unwrap_or_else(|e| e.into_inner()).iter()
        {
            let _ = writeln!(
                out,
                "{name}{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
    }
}

/// Middleware counting every response (`middleware::from_fn_with_state(counter, count)`).
pub async fn count(
    State(counter): State<Arc<RequestCounter>>,
    req: Request,
    next: Next,
) -> Response {
    let method = match req.method().as_str() {
        m @ ("GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS" | "PATCH") => m.to_string(),
        _ => "other".to_string(),
    };
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(req).await;
    counter.record(&method, &route, response.status().as_u16());
    response
}
