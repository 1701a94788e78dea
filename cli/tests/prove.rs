//! `zkgate keys` then `zkgate prove`, as processes: the offline proof verifies with
//! `groth16-solana`, and refusals come out as the service's JSON errors.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use zkgate_circuits::proof::verify_with_groth16_solana;
use zkgate_circuits::testing::SampleBuilder;
use zkgate_client::api::{ErrorBody, ProofRequest, ProofResponse};

const DEPTH: usize = 4;

fn zkgate(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkgate"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zkgate runs");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(bytes) = stdin {
        input.write_all(bytes).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("zkgate finishes")
}

fn key_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "zkgate-cli-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let out = zkgate(
        &[
            "keys",
            "--out",
            dir.join("ruleset-1").to_str().unwrap(),
            "--depth",
            &DEPTH.to_string(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn prove(dir: &Path, body: &[u8]) -> Output {
    zkgate(
        &[
            "prove",
            "--key-dir",
            dir.to_str().unwrap(),
            "--request",
            "-",
        ],
        Some(body),
    )
}

#[track_caller]
fn assert_refused(out: &Output, code: &str) -> ErrorBody {
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let json = stderr
        .strip_prefix("error: ")
        .unwrap_or_else(|| panic!("{stderr}"));
    let body: ErrorBody = serde_json::from_str(json.trim()).expect("JSON error body");
    assert_eq!(body.error.code, code, "{stderr}");
    body
}

#[test]
fn offline_proof_verifies_and_refusals_name_the_rule() {
    let dir = key_dir();
    let rule_sets = zkgate_prover::rule_sets::load_key_dir(&dir).expect("keys load");
    let entry = &rule_sets[0];
    let builder = || SampleBuilder {
        depth: DEPTH,
        program_id: entry.program_id,
        ..SampleBuilder::default()
    };
    let sample = builder().build();
    let request = ProofRequest::from_parts(
        &sample.statement,
        &sample.witness,
        &sample.disclosure.issuer,
    );
    let out = prove(&dir, &serde_json::to_vec(&request).unwrap());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: ProofResponse = serde_json::from_slice(&out.stdout).expect("answer JSON");
    let proof = answer.proof_bytes().expect("256 bytes");
    // The statement proven is the request's with the disclosure the prover sealed: it opens
    // for the rule-set's auditor (the sample key) to the sample's identity.
    let statement = answer
        .proven_statement(&sample.statement, &sample.disclosure.issuer)
        .expect("disclosure");
    let record = answer
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
    let statement_hash = statement.hash_bytes().unwrap();
    assert_eq!(answer.statement_hash_hex, hex::encode(statement_hash));
    assert_eq!(answer.vk_hash_hex, hex::encode(entry.keys.vk_hash));
    verify_with_groth16_solana(&entry.keys.program_vk(), &proof, &statement_hash)
        .expect("offline proof verifies");

    // A broken rule: the service's 422 code, before any proving.
    let b = builder();
    let expired = SampleBuilder {
        expiry: b.valid_until,
        ..b
    }
    .build();
    let request = ProofRequest::from_parts(
        &expired.statement,
        &expired.witness,
        &expired.disclosure.issuer,
    );
    assert_refused(
        &prove(&dir, &serde_json::to_vec(&request).unwrap()),
        "credential_expired",
    );

    // Malformed JSON and an unknown rule-set: named, and no witness echoed.
    let body = assert_refused(
        &prove(&dir, b"{\"rule_set_id\": \"one\"}"),
        "malformed_request",
    );
    assert_eq!(body.error.field.as_deref(), Some("rule_set_id"));
    let mut request = ProofRequest::from_parts(
        &sample.statement,
        &sample.witness,
        &sample.disclosure.issuer,
    );
    request.rule_set_id = 99;
    let out = prove(&dir, &serde_json::to_vec(&request).unwrap());
    assert_refused(&out, "not_found");
    let salt = hex::encode(sample.witness.credential.salt);
    assert!(!String::from_utf8_lossy(&out.stderr).contains(&salt));
    std::fs::remove_dir_all(&dir).unwrap();
}
