//! Prometheus metrics, kept in atomics and a small map, rendered as text for `GET /metrics`.
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use std::time::Duration;
use zkgate_service::requests::RequestCounter;

/// Upper bounds (seconds) of the proving-time histogram buckets.
pub const PROVING_BUCKETS: [f64; 10] = [0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0];

/// Service metrics.
#[derive(Default)]
pub struct Metrics {
    /// Requests served, by route and status.
    pub requests: Arc<RequestCounter>,
    refusals: Mutex<BTreeMap<&'static str, u64>>,
    proofs_ok: AtomicU64,
    proofs_failed: AtomicU64,
    rejected_overload: AtomicU64,
    buckets: [AtomicU64; PROVING_BUCKETS.len()],
    proving_count: AtomicU64,
    proving_sum_us: AtomicU64,
    /// Requests admitted and waiting for a worker.
    pub queued: AtomicU64,
    /// Proofs being computed now.
    pub in_flight: AtomicU64,
}

impl Metrics {
    /// Records a proof and how long it took.
    pub fn proof_ok(&self, took: Duration) {
        self.proofs_ok.fetch_add(1, Ordering::Relaxed);
        let secs = took.as_secs_f64();
        for (i, le) in PROVING_BUCKETS.iter().enumerate() {
            if secs <= *le {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.proving_count.fetch_add(1, Ordering::Relaxed);
        self.proving_sum_us
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// Records a failed proof.
    pub fn proof_failed(&self) {
        self.proofs_failed.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a request refused because its witness breaks the compliance rule `code` (a
    /// bounded set: `RuleViolation::code`). A sudden rise of one code (say `sanctioned`) is what
    /// an operator alerts on; no identity is recorded.
    pub fn refused(&self, code: &'static str) {
        let mut map = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(code).or_default() += 1;
    }

    /// Records a request refused because the queue was full.
    pub fn overloaded(&self) {
        self.rejected_overload.fetch_add(1, Ordering::Relaxed);
    }

    /// Prometheus text exposition.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        self.requests.render("zkgate_http_requests_total", &mut out);
        let _ = writeln!(out, "# HELP zkgate_proofs_total Proofs made, by result.");
        let _ = writeln!(out, "# TYPE zkgate_proofs_total counter");
        let _ = writeln!(
            out,
            "zkgate_proofs_total{{result=\"ok\"}} {}",
            self.proofs_ok.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "zkgate_proofs_total{{result=\"failed\"}} {}",
            self.proofs_failed.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP zkgate_rule_refusals_total Proof requests refused before proving, by the compliance rule the witness breaks."
        );
        let _ = writeln!(out, "# TYPE zkgate_rule_refusals_total counter");
        for (code, n) in self
            .refusals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(out, "zkgate_rule_refusals_total{{rule=\"{code}\"}} {n}");
        }
        let _ = writeln!(out, "# HELP zkgate_rejected_overload_total Requests refused with 503 because the queue was full.");
        let _ = writeln!(out, "# TYPE zkgate_rejected_overload_total counter");
        let _ = writeln!(
            out,
            "zkgate_rejected_overload_total {}",
            self.rejected_overload.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP zkgate_proving_seconds Time to compute one proof."
        );
        let _ = writeln!(out, "# TYPE zkgate_proving_seconds histogram");
        for (i, le) in PROVING_BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "zkgate_proving_seconds_bucket{{le=\"{le}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.proving_count.load(Ordering::Relaxed);
        let _ = writeln!(out, "zkgate_proving_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "zkgate_proving_seconds_sum {}",
            self.proving_sum_us.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "zkgate_proving_seconds_count {count}");
        let _ = writeln!(
            out,
            "# HELP zkgate_queue_depth Admitted proof requests waiting for a worker."
        );
        let _ = writeln!(out, "# TYPE zkgate_queue_depth gauge");
        let _ = writeln!(
            out,
            "zkgate_queue_depth {}",
            self.queued.load(Ordering::Relaxed)
        );
        let _ = writeln!(out, "# HELP zkgate_proofs_in_flight Proofs being computed.");
        let _ = writeln!(out, "# TYPE zkgate_proofs_in_flight gauge");
        let _ = writeln!(
            out,
            "zkgate_proofs_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        out
    }
}
