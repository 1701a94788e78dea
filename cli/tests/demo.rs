//! `zkgate demo` as a process (at a small tree depth): it runs the whole flow (every credential
//! issued and every witness served by the registry service over HTTP) and reports the approval
//! and every refusal it promises.
use std::process::Command;

#[test]
fn demo_approves_one_transfer_and_shows_every_refusal() {
    let out = Command::new(env!("CARGO_BIN_EXE_zkgate"))
        .args(["demo", "--depth", "4"])
        .output()
        .expect("zkgate demo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "registry and chain agree: true",
        "registry: 409: value is listed: no non-membership witness exists (listed)",
        "balances: alice 97500  bob 2500",
        "audit event TransferApproved",
        "prover: 422 credential_expired",
        "prover: 422 amount_over_tier_limit",
        "prover: 422 sanctioned",
        "auditor: statement hash recomputed from the event matches",
        "auditor decrypts: subject",
        "jurisdiction 840, tier 2, expiry 4000000000",
        "a wrong key: refused (the ciphertext does not open with this key for this transfer)",
        "program: refused, error 6019 (WindowVolumeUnderstated",
        "program: refused, error 6022 (MalformedProof",
        "balances unchanged: alice 97500  bob 2500",
        "program log: AnchorError thrown",
        "token-2022 + hook: refused, error 6005 (NoApproval",
        "balances: carol 49000  dave 1000",
        "token-2022 + hook: refused, error 6006 (ApprovalUsed",
        "(RecipientPassMissing",
        "dave's pass: rule-set v2",
        "balances: carol 48500  dave 1500",
        "zkgate-watch follows the run",
        "notifications woke the watcher",
        "raised as the run went:",
        "[refusals] ",
        "[governance] ",
        "report: ",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert!(!stdout.contains("UNEXPECTEDLY"), "{stdout}");
}
