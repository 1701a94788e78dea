//! The prover over real HTTP on an ephemeral port: proofs that verify with `groth16-solana`,
//! every error class, jobs, idempotency, overload, metrics and authentication.
use std::sync::OnceLock;
use std::time::Duration;

use zkgate_circuits::proof::verify_with_groth16_solana;
use zkgate_circuits::testing::{Sample, SampleBuilder};
use zkgate_client::api::{ErrorBody, JobState, ProofRequest, ProofResponse};
use zkgate_db::seal::DataKey;
use zkgate_prover::client::{ClientError, ProverClient};
use zkgate_prover::queue::{JobQueue, MIGRATIONS};
use zkgate_prover::{dev_rule_set, serve, AppState, RuleSetEntry, Settings};

const DEPTH: usize = 8;
const PROGRAM: [u8; 32] = [7u8; 32];

pub(crate) fn rule_set() -> &'static RuleSetEntry {
    static R: OnceLock<RuleSetEntry> = OnceLock::new();
    R.get_or_init(|| dev_rule_set(PROGRAM, 1, 1, DEPTH).expect("dev keys"))
}

pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) state: AppState,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// A server as the binary runs it: its job queue on a fresh SQLite file.
async fn start(settings: Settings) -> Server {
    let url = zkgate_db::testing::sqlite_url();
    let workers = settings.workers;
    start_state(
        with_sqlite_queue(
            AppState::new(vec![rule_set().clone()], settings),
            &url,
            workers,
        )
        .await,
    )
    .await
}

/// `state` with its job queue on the SQLite database `url`.
pub(crate) async fn with_sqlite_queue(state: AppState, url: &str, workers: usize) -> AppState {
    let db = zkgate_db::Database::connect(url, MIGRATIONS).await.unwrap();
    state.with_queue(
        JobQueue::new(db, data_key().clone()),
        crate::queue::options(workers, Duration::from_secs(30)),
    )
}

fn data_key() -> &'static DataKey {
    static K: OnceLock<DataKey> = OnceLock::new();
    K.get_or_init(DataKey::generate)
}

pub(crate) async fn start_state(state: AppState) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let s = state.clone();
    tokio::spawn(async move {
        serve(
            listener,
            s,
            async {
                let _ = rx.await;
            },
            Duration::from_secs(5),
        )
        .await
        .unwrap()
    });
    Server {
        base,
        state,
        _stop: tx,
    }
}

/// The `/metrics` text of the service at `base`.
pub(crate) async fn metrics(base: &str) -> String {
    reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn default_server() -> Server {
    start(Settings {
        workers: 2,
        queue: 8,
        ..Settings::default()
    })
    .await
}

pub(crate) fn builder() -> SampleBuilder {
    SampleBuilder {
        depth: DEPTH,
        program_id: PROGRAM,
        sender: anchor_lang::prelude::Pubkey::new_unique().to_bytes(),
        recipient: anchor_lang::prelude::Pubkey::new_unique().to_bytes(),
        mint: anchor_lang::prelude::Pubkey::new_unique().to_bytes(),
        ..SampleBuilder::default()
    }
}

pub(crate) fn request(sample: &Sample) -> ProofRequest {
    ProofRequest::from_parts(
        &sample.statement,
        &sample.witness,
        &sample.disclosure.issuer,
    )
}

async fn post_raw(base: &str, path: &str, body: impl Into<reqwest::Body>) -> (u16, String) {
    let resp = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[track_caller]
fn assert_api_err<T: std::fmt::Debug>(
    r: Result<T, ClientError>,
    status: u16,
    code: &str,
) -> ErrorBody {
    match r {
        Err(ClientError::Api { status: s, body }) => {
            assert_eq!((s, body.error.code.as_str()), (status, code), "{body:?}");
            body
        }
        other => panic!("expected {status} {code}, got {other:?}"),
    }
}

/// The statement hash a proof answer is for: the sample's statement with the disclosure the
/// prover sealed (checked to open to the sample's identity for the rule-set's auditor).
pub(crate) fn proven_hash(sample: &Sample, resp: &ProofResponse) -> [u8; 32] {
    let statement = resp
        .proven_statement(&sample.statement, &sample.disclosure.issuer)
        .expect("disclosure");
    let record = resp
        .disclosure
        .decode()
        .unwrap()
        .open(
            &zkgate_circuits::testing::sample_auditor_secret(),
            statement.rule_set_id,
            statement.nonce,
        )
        .expect("the auditor opens it");
    assert_eq!(record.subject_id, sample.witness.credential.subject_id);
    statement.hash_bytes().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proof_verifies_with_groth16_solana() {
    let server = default_server().await;
    let client = ProverClient::new(&server.base);
    let sample = builder().build();
    let resp = client.prove(&request(&sample)).await.expect("proof");
    let expected = proven_hash(&sample, &resp);
    // Every proof draws a fresh disclosure secret: the same request twice posts two
    // unrelated ciphertexts.
    let again = client.prove(&request(&sample)).await.expect("proof");
    assert_ne!(again.disclosure, resp.disclosure);
    assert_ne!(
        again.disclosure.ephemeral_key_hex,
        resp.disclosure.ephemeral_key_hex
    );
    assert_eq!(resp.statement_hash_hex, hex::encode(expected));
    assert_eq!(resp.public_input_hex, hex::encode(expected));
    assert_eq!(resp.vk_hash_hex, hex::encode(rule_set().keys.vk_hash));
    let proof = resp.proof_bytes().unwrap();
    verify_with_groth16_solana(&rule_set().keys.program_vk(), &proof, &expected).expect("verifies");
    // The base64 form is the same bytes.
    use base64::Engine;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(&resp.proof_base64)
            .unwrap(),
        proof.to_vec()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rule_violation_is_a_422_naming_the_rule() {
    let server = default_server().await;
    let client = ProverClient::new(&server.base);
    let b = builder();
    let cases = [
        (
            SampleBuilder {
                expiry: b.valid_until,
                ..b.clone()
            },
            "credential_expired",
        ),
        (
            SampleBuilder {
                amount: 10_001,
                ..b.clone()
            },
            "amount_over_tier_limit",
        ),
        (
            SampleBuilder {
                amount: 10_000,
                window_volume: 40_001,
                ..b.clone()
            },
            "window_limit_exceeded",
        ),
        (
            SampleBuilder {
                jurisdiction: 124,
                ..b.clone()
            },
            "jurisdiction_not_allowed",
        ),
        (
            SampleBuilder {
                sanctioned: true,
                ..b.clone()
            },
            "sanctioned",
        ),
        (
            SampleBuilder {
                not_in_tree: true,
                ..b.clone()
            },
            "credential_not_in_tree",
        ),
        (
            SampleBuilder {
                credential_wallet: Some([9u8; 32]),
                ..b.clone()
            },
            "wallet_mismatch",
        ),
        (
            SampleBuilder {
                tier: 0,
                ..b.clone()
            },
            "tier_blocked",
        ),
    ];
    for (builder, code) in cases {
        let sample = builder.build();
        let req = request(&sample);
        let body = assert_api_err(client.prove(&req).await, 422, code);
        // No witness value is echoed.
        let text = serde_json::to_string(&body).unwrap();
        assert!(!text.contains(&req.witness.credential.salt));
        assert!(!text.contains(&req.witness.credential.subject_id));
    }
    // Nothing was proven for any of them.
    let metrics = metrics(&server.base).await;
    assert!(
        metrics.contains("zkgate_proofs_total{result=\"ok\"} 0"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_is_a_4xx_naming_the_field() {
    let server = default_server().await;
    let base = &server.base;
    let sample = builder().build();
    let good = serde_json::to_value(request(&sample)).unwrap();

    // Not JSON.
    let (status, body) = post_raw(base, "/v1/proofs", "{not json").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("malformed_request"));

    // Wrong type: the field is named, the value is not echoed.
    let mut v = good.clone();
    v["transfer"]["amount"] = serde_json::json!("lots");
    let (status, body) = post_raw(base, "/v1/proofs", v.to_string()).await;
    assert_eq!(status, 400);
    let err: ErrorBody = serde_json::from_str(&body).unwrap();
    assert_eq!(err.error.field.as_deref(), Some("transfer.amount"));
    assert!(!body.contains("lots"));

    // Missing field.
    let mut v = good.clone();
    v["witness"]["credential"]
        .as_object_mut()
        .unwrap()
        .remove("salt");
    let (status, body) = post_raw(base, "/v1/proofs", v.to_string()).await;
    assert_eq!(status, 400, "{body}");
    let err: ErrorBody = serde_json::from_str(&body).unwrap();
    assert_eq!(err.error.field.as_deref(), Some("witness.credential"));

    // Wrong hex length.
    let mut v = good.clone();
    v["transfer"]["credential_root"] = serde_json::json!("abcd");
    let (status, body) = post_raw(base, "/v1/proofs", v.to_string()).await;
    assert_eq!(status, 422);
    let err: ErrorBody = serde_json::from_str(&body).unwrap();
    assert_eq!(err.error.code, "invalid_field");
    assert_eq!(err.error.field.as_deref(), Some("transfer.credential_root"));

    // A value not below the field modulus.
    let mut v = good.clone();
    v["witness"]["credential_path"]["siblings"][2] = serde_json::json!("ff".repeat(32));
    let (status, body) = post_raw(base, "/v1/proofs", v.to_string()).await;
    assert_eq!(status, 422);
    let err: ErrorBody = serde_json::from_str(&body).unwrap();
    assert_eq!(
        err.error.field.as_deref(),
        Some("witness.credential_path.siblings[2]")
    );
    assert!(err.error.message.contains("modulus"));

    // Bad base58.
    let mut v = good.clone();
    v["transfer"]["mint"] = serde_json::json!("0OIl");
    let (status, body) = post_raw(base, "/v1/proofs", v.to_string()).await;
    assert_eq!(status, 422);
    assert!(body.contains("transfer.mint"));

    // Unknown rule-set.
    let mut v = good.clone();
    v["rule_set_version"] = serde_json::json!(9);
    let (status, body) = post_raw(base, "/v1/proofs", v.to_string()).await;
    assert_eq!(status, 404, "{body}");

    // Oversized body.
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(300 * 1024));
    let (status, body) = post_raw(base, "/v1/proofs", huge).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("payload_too_large"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_lifecycle_and_idempotency() {
    let server = default_server().await;
    let client = ProverClient::new(&server.base);
    let sample = builder().build();
    let req = request(&sample);
    let job = client
        .submit_job(&req, Some("key-1"))
        .await
        .expect("accepted");
    assert!(matches!(job.status, JobState::Queued | JobState::Running));
    let again = client
        .submit_job(&req, Some("key-1"))
        .await
        .expect("same job");
    assert_eq!(again.job_id, job.job_id);

    // Same key, different request: conflict.
    let other = request(
        &SampleBuilder {
            amount: 501,
            ..builder()
        }
        .build(),
    );
    assert_api_err(
        client.submit_job(&other, Some("key-1")).await,
        409,
        "idempotency_conflict",
    );

    let status = wait_finished(&client, &job.job_id).await;
    assert_eq!(status.status, JobState::Succeeded, "{status:?}");
    let result = status.result.unwrap();
    let proof = result.proof_bytes().unwrap();
    verify_with_groth16_solana(
        &rule_set().keys.program_vk(),
        &proof,
        &proven_hash(&sample, &result),
    )
    .expect("job proof verifies");

    assert_api_err(client.job("nope").await, 404, "not_found");
    // A job whose witness breaks a rule is refused up front.
    let bad = request(
        &SampleBuilder {
            sanctioned: true,
            ..builder()
        }
        .build(),
    );
    assert_api_err(client.submit_job(&bad, None).await, 422, "sanctioned");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overload_gets_503_with_retry_after_and_recovers() {
    let server = start(Settings {
        workers: 1,
        queue: 1,
        ..Settings::default()
    })
    .await;
    let body = serde_json::to_string(&request(&builder().build())).unwrap();
    let mut handles = vec![];
    for _ in 0..6 {
        let (base, body) = (server.base.clone(), body.clone());
        handles.push(tokio::spawn(async move {
            let resp = reqwest::Client::new()
                .post(format!("{base}/v1/proofs"))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            (
                resp.status().as_u16(),
                resp.headers().get("retry-after").is_some(),
            )
        }));
    }
    let mut ok = 0;
    let mut busy = 0;
    for h in handles {
        match h.await.unwrap() {
            (200, _) => ok += 1,
            (503, retry_after) => {
                assert!(retry_after, "503 carries Retry-After");
                busy += 1
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(ok >= 1 && busy >= 1, "ok {ok}, busy {busy}");
    assert!(ok <= 2, "at most workers + queue were admitted at once");
    // Recovered: a later request succeeds.
    let client = ProverClient::new(&server.base);
    client
        .prove(&request(&builder().build()))
        .await
        .expect("recovered");
    assert_eq!(server.state.busy(), 0);
    let metrics = metrics(&server.base).await;
    assert!(
        metrics.contains(&format!("zkgate_rejected_overload_total {busy}")),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_and_proofs() {
    let server = default_server().await;
    let client = ProverClient::new(&server.base);
    client
        .prove(&request(&builder().build()))
        .await
        .expect("proof");
    let _ = client
        .prove(&request(
            &SampleBuilder {
                tier: 0,
                ..builder()
            }
            .build(),
        ))
        .await;
    let metrics = metrics(&server.base).await;
    assert!(
        metrics.contains("zkgate_proofs_total{result=\"ok\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("route=\"/v1/proofs\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("route=\"/v1/proofs\",status=\"422\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("zkgate_proving_seconds_count 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("zkgate_rule_refusals_total{rule=\"tier_blocked\"} 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_guard_everything_but_health() {
    let server = start(Settings {
        api_keys: vec!["s3cret".into()],
        ..Settings::default()
    })
    .await;
    let sample = builder().build();
    let anonymous = ProverClient::new(&server.base);
    assert_api_err(anonymous.rule_sets().await, 401, "unauthorized");
    assert_api_err(
        anonymous.prove(&request(&sample)).await,
        401,
        "unauthorized",
    );
    let wrong = ProverClient::new(&server.base).with_api_key("s3cre");
    assert_api_err(wrong.rule_sets().await, 401, "unauthorized");
    let right = ProverClient::new(&server.base).with_api_key("s3cret");
    let sets = right.rule_sets().await.expect("authorized");
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].vk_hash_hex, hex::encode(rule_set().keys.vk_hash));
    assert!(sets[0].insecure_single_party);
    for path in ["/healthz", "/readyz"] {
        let r = reqwest::get(format!("{}{path}", server.base))
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path} is public");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_describes_the_api() {
    let server = default_server().await;
    let doc: serde_json::Value = reqwest::get(format!("{}/openapi.json", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in ["/v1/proofs", "/v1/jobs", "/v1/jobs/{id}", "/v1/rule-sets"] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["components"]["schemas"]["ProofRequest"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_jurisdiction_is_named() {
    // A rule-set (same circuit keys) that both allows and denies 408: the deny-list wins.
    let mut params = zkgate_circuits::testing::default_params();
    params.allowed_jurisdictions[3] = 408;
    let entry = RuleSetEntry {
        rule_set_id: 2,
        params: params.clone(),
        ..rule_set().clone()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(vec![entry], Settings::default());
    tokio::spawn(serve(
        listener,
        state,
        std::future::pending(),
        Duration::from_secs(1),
    ));
    let sample = SampleBuilder {
        rule_set_id: 2,
        jurisdiction: 408,
        params,
        ..builder()
    }
    .build();
    let client = ProverClient::new(&base);
    assert_api_err(
        client.prove(&request(&sample)).await,
        422,
        "jurisdiction_denied",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edge_requests_get_json_errors() {
    let server = default_server().await;
    let base = &server.base;
    // A path for another tree depth.
    let sample = SampleBuilder {
        depth: DEPTH + 1,
        ..builder()
    }
    .build();
    let client = ProverClient::new(base);
    let body = assert_api_err(client.prove(&request(&sample)).await, 422, "invalid_field");
    assert_eq!(
        body.error.field.as_deref(),
        Some("witness.credential_path.siblings")
    );
    // Unknown route: JSON 404.
    let r = reqwest::get(format!("{base}/v2/nothing")).await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let err: ErrorBody = r.json().await.unwrap();
    assert_eq!(err.error.code, "not_found");
    // Oversized job body: JSON 413.
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(300 * 1024));
    let (status, body) = post_raw(base, "/v1/jobs", huge).await;
    assert_eq!(status, 413);
    assert!(body.contains("payload_too_large"), "{body}");
    // Idempotency keys are bounded.
    let long = "k".repeat(200);
    let r = client
        .submit_job(&request(&builder().build()), Some(&long))
        .await;
    let body = assert_api_err(r, 400, "malformed_request");
    assert_eq!(body.error.field.as_deref(), Some("Idempotency-Key"));
}

async fn wait_finished(client: &ProverClient, id: &str) -> zkgate_client::api::JobStatus {
    let mut status = client.job(id).await.unwrap();
    for _ in 0..600 {
        if matches!(status.status, JobState::Succeeded | JobState::Failed) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        status = client.job(id).await.unwrap();
    }
    status
}

/// The default job queue (a SQLite file) across a restart: a finished job is answered by the
/// next process, its idempotency key still names it, a job a crashed process held is taken
/// over once its lease expires and succeeds, and no witness is in the files.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_survive_a_restart_and_a_crashed_claim_is_taken_over() {
    let url = zkgate_db::testing::sqlite_url();
    let dir = std::path::PathBuf::from(
        url.trim_start_matches("sqlite://")
            .trim_end_matches("?mode=rwc"),
    )
    .parent()
    .unwrap()
    .to_path_buf();
    let settings = Settings {
        workers: 2,
        queue: 8,
        ..Settings::default()
    };
    let sample = builder().build();
    let req = request(&sample);

    // First process: one job finishes.
    let first = start_state(
        with_sqlite_queue(
            AppState::new(vec![rule_set().clone()], settings.clone()),
            &url,
            2,
        )
        .await,
    )
    .await;
    let client = ProverClient::new(&first.base);
    let done = client.submit_job(&req, Some("done-key")).await.unwrap();
    let done_status = wait_finished(&client, &done.job_id).await;
    assert_eq!(done_status.status, JobState::Succeeded, "{done_status:?}");
    first.state.drain();
    drop(first);
    // Another process accepted a job, claimed it and crashed while proving.
    let crashed = JobQueue::new(
        zkgate_db::Database::connect(&url, MIGRATIONS)
            .await
            .unwrap(),
        data_key().clone(),
    );
    let other = builder().build();
    let stranded = match crashed
        .submit(
            &serde_json::to_vec(&request(&other)).unwrap(),
            Some("stranded-key"),
        )
        .await
        .unwrap()
    {
        zkgate_prover::queue::Submitted::New(s) => s,
        o => panic!("a new job, got {o:?}"),
    };
    let claimed = crashed
        .claim("crashed-instance", Duration::from_secs(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, stranded.job_id);
    drop(claimed);

    // No witness value in the database files (the stranded request is still stored, sealed).
    for s in [&sample, &other] {
        let salt = hex::encode(s.witness.credential.salt);
        let subject = hex::encode(s.witness.credential.subject_id);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            for secret in [&salt, &subject] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "a witness value is stored in clear"
                );
            }
        }
    }

    // Second process on the same file.
    let second = start_state(
        with_sqlite_queue(AppState::new(vec![rule_set().clone()], settings), &url, 2).await,
    )
    .await;
    let client = ProverClient::new(&second.base);
    let after = client.job(&done.job_id).await.expect("finished job kept");
    assert_eq!(after.status, JobState::Succeeded);
    assert_eq!(
        after.result.as_ref().map(|r| &r.proof_hex),
        done_status.result.as_ref().map(|r| &r.proof_hex)
    );
    // Its idempotency key still answers with the same job.
    let again = client.submit_job(&req, Some("done-key")).await.unwrap();
    assert_eq!(again.job_id, done.job_id);
    assert_eq!(again.status, JobState::Succeeded);
    // The crashed claim expires and the job is proven here, once more.
    let taken = wait_finished(&client, &stranded.job_id).await;
    assert_eq!(taken.status, JobState::Succeeded, "{taken:?}");
    let result = taken.result.unwrap();
    verify_with_groth16_solana(
        &rule_set().keys.program_vk(),
        &result.proof_bytes().unwrap(),
        &proven_hash(&other, &result),
    )
    .expect("the taken-over job's proof verifies");
    let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM jobs WHERE id = $1")
        .bind(stranded.job_id.clone())
        .fetch_one(crashed.db().pool())
        .await
        .unwrap();
    assert_eq!(attempts, 2);
    second.state.drain();
    drop(second);

    // A library user without a queue: async jobs are refused as unavailable, not lost.
    let bare = start_state(AppState::new(vec![rule_set().clone()], Settings::default())).await;
    let client = ProverClient::new(&bare.base);
    assert_api_err(client.submit_job(&req, None).await, 503, "unavailable");
    assert_api_err(client.job(&done.job_id).await, 503, "unavailable");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ceremony_keys_policy_refuses_single_party_keys() {
    let dev = [rule_set().clone()];
    assert!(zkgate_prover::rule_sets::check_key_policy(&dev, false).is_ok());
    let err = zkgate_prover::rule_sets::check_key_policy(&dev, true).unwrap_err();
    assert!(
        err.contains("rule-set 1 v1") && err.contains("single-party"),
        "{err}"
    );
}

/// `POST /v1/passes`: a recipient-pass proof that verifies with `groth16-solana` against the
/// pass keys, each pass rule refused with 422 naming it, and 404 for a rule-set served without
/// pass keys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_are_proven_checked_and_refused_like_proofs() {
    use zkgate_client::api::PassRequest;
    let server = default_server().await;
    let client = ProverClient::new(&server.base);
    let pass_keys = rule_set()
        .pass_keys
        .clone()
        .expect("dev rule-sets prove passes");
    // Amounts do not matter to a pass.
    let sample = SampleBuilder {
        amount: u64::MAX,
        ..builder()
    }
    .build();
    let statement = sample.pass_statement();
    let req = PassRequest::from_parts(&statement, &sample.witness);
    let resp = client.pass(&req).await.expect("pass proof");
    let expected = statement.hash_bytes().unwrap();
    assert_eq!(resp.statement_hash_hex, hex::encode(expected));
    assert_eq!(resp.vk_hash_hex, hex::encode(pass_keys.vk_hash));
    let proof = resp.proof_bytes().unwrap();
    verify_with_groth16_solana(&pass_keys.program_vk(), &proof, &expected).expect("verifies");
    // Not with the transfer key.
    assert!(verify_with_groth16_solana(&rule_set().keys.program_vk(), &proof, &expected).is_err());
    let args = resp.issue_pass_args(&req).unwrap();
    assert_eq!(args.proof, proof);
    assert_eq!(args.valid_until, statement.valid_until);

    let b = builder();
    for (builder, code) in [
        (
            SampleBuilder {
                credential_wallet: Some([9; 32]),
                ..b.clone()
            },
            "wallet_mismatch",
        ),
        (
            SampleBuilder {
                sanctioned: true,
                ..b.clone()
            },
            "sanctioned",
        ),
        (
            SampleBuilder {
                expiry: b.valid_until,
                ..b.clone()
            },
            "credential_expired",
        ),
        (
            SampleBuilder {
                tier: 0,
                ..b.clone()
            },
            "tier_blocked",
        ),
    ] {
        let s = builder.build();
        let req = PassRequest::from_parts(&s.pass_statement(), &s.witness);
        assert_api_err(client.pass(&req).await, 422, code);
    }
    // A malformed field is named.
    let mut bad = PassRequest::from_parts(&statement, &sample.witness);
    bad.pass.wallet = "not-a-key".into();
    let body = assert_api_err(client.pass(&bad).await, 422, "invalid_field");
    assert_eq!(body.error.field.as_deref(), Some("pass.wallet"));

    // A rule-set served without pass keys: 404.
    let entry = RuleSetEntry {
        pass_keys: None,
        ..rule_set().clone()
    };
    let other = start_state(AppState::new(vec![entry], Settings::default())).await;
    let req = PassRequest::from_parts(&statement, &sample.witness);
    assert_api_err(
        ProverClient::new(&other.base).pass(&req).await,
        404,
        "not_found",
    );
}
