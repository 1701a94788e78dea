//! The compliance circuit against its native twin: a compliant witness satisfies both; a
//! witness that breaks exactly one rule leaves the constraint system unsatisfied and the native
//! check names that rule. Counts are pinned.
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, OptimizationGoal};
use zkgate_circuits::compliance::{check_native, RuleViolation};
use zkgate_circuits::testing::{Sample, SampleBuilder};
use zkgate_circuits::Fr;

const DEPTH: usize = 6;

/// Whether a satisfying assignment exists for this witness. Witness generation itself fails
/// (no inverse of zero) for some broken rules; that also means no proof can be made.
fn satisfied(sample: &Sample) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    match sample.circuit().generate_constraints(cs.clone()) {
        Ok(()) => cs.is_satisfied().expect("satisfiability"),
        Err(_) => false,
    }
}

fn builder() -> SampleBuilder {
    SampleBuilder {
        depth: DEPTH,
        ..SampleBuilder::default()
    }
}

#[track_caller]
fn assert_violation(b: SampleBuilder, expected: RuleViolation) {
    let sample = b.build();
    assert_eq!(
        check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure
        ),
        Err(expected)
    );
    assert!(
        !satisfied(&sample),
        "circuit must be unsatisfied for {expected:?}"
    );
}

#[test]
fn compliant_witness_satisfies_circuit_and_native_check() {
    let sample = builder().build();
    assert_eq!(
        check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure
        ),
        Ok(())
    );
    assert!(satisfied(&sample));
}

#[test]
fn limits_are_inclusive_at_the_edge() {
    // Tier 2: per transfer 10_000, window 50_000.
    let at_limit = SampleBuilder {
        amount: 10_000,
        window_volume: 40_000,
        ..builder()
    }
    .build();
    assert_eq!(
        check_native(
            &at_limit.statement,
            &at_limit.params,
            &at_limit.witness,
            &at_limit.disclosure
        ),
        Ok(())
    );
    assert!(satisfied(&at_limit));
}

#[test]
fn credential_not_in_tree() {
    assert_violation(
        SampleBuilder {
            not_in_tree: true,
            ..builder()
        },
        RuleViolation::CredentialNotInTree,
    );
}

#[test]
fn flipped_path_bit_is_not_membership() {
    let mut sample = builder().build();
    sample.witness.credential_path.index ^= 1;
    assert!(check_native(
        &sample.statement,
        &sample.params,
        &sample.witness,
        &sample.disclosure
    )
    .is_err());
    assert!(!satisfied(&sample));
}

#[test]
fn credential_of_another_wallet() {
    assert_violation(
        SampleBuilder {
            credential_wallet: Some([9u8; 32]),
            ..builder()
        },
        RuleViolation::WalletMismatch,
    );
}

#[test]
fn sanctioned_subject() {
    assert_violation(
        SampleBuilder {
            sanctioned: true,
            ..builder()
        },
        RuleViolation::Sanctioned,
    );
}

#[test]
fn sanctions_witness_for_another_subject() {
    // A genuine low leaf of the tree that does not bracket the subject.
    let mut sample = builder().build();
    let other = sample
        .sanctions
        .non_membership(&Fr::from(5_000_000u64))
        .expect("absent");
    sample.witness.sanctions = other;
    assert_eq!(
        check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure
        ),
        Err(RuleViolation::Sanctioned)
    );
    assert!(!satisfied(&sample));
}

#[test]
fn jurisdiction_not_allowed() {
    assert_violation(
        SampleBuilder {
            jurisdiction: 124,
            ..builder()
        },
        RuleViolation::JurisdictionNotAllowed,
    );
}

#[test]
fn jurisdiction_zero_is_never_allowed() {
    assert_violation(
        SampleBuilder {
            jurisdiction: 0,
            ..builder()
        },
        RuleViolation::JurisdictionNotAllowed,
    );
}

#[test]
fn jurisdiction_denied_even_if_allowed() {
    let mut params = zkgate_circuits::testing::default_params();
    params.allowed_jurisdictions[3] = 408;
    assert_violation(
        SampleBuilder {
            jurisdiction: 408,
            params,
            ..builder()
        },
        RuleViolation::JurisdictionDenied,
    );
}

#[test]
fn tier_zero_and_unknown_tiers_are_blocked() {
    assert_violation(
        SampleBuilder {
            tier: 0,
            ..builder()
        },
        RuleViolation::TierBlocked,
    );
    assert_violation(
        SampleBuilder {
            tier: 5,
            ..builder()
        },
        RuleViolation::TierBlocked,
    );
}

#[test]
fn amount_over_tier_limit() {
    assert_violation(
        SampleBuilder {
            amount: 10_001,
            ..builder()
        },
        RuleViolation::AmountOverTierLimit,
    );
    assert_violation(
        SampleBuilder {
            amount: u64::MAX,
            ..builder()
        },
        RuleViolation::AmountOverTierLimit,
    );
}

#[test]
fn window_limit_exceeded() {
    assert_violation(
        SampleBuilder {
            amount: 10_000,
            window_volume: 40_001,
            ..builder()
        },
        RuleViolation::WindowLimitExceeded,
    );
    // No wrap-around: a huge window volume does not overflow into compliance.
    assert_violation(
        SampleBuilder {
            amount: 1,
            window_volume: u64::MAX,
            ..builder()
        },
        RuleViolation::WindowLimitExceeded,
    );
}

#[test]
fn expired_credential() {
    let b = builder();
    assert_violation(
        SampleBuilder {
            expiry: b.valid_until,
            ..b.clone()
        },
        RuleViolation::CredentialExpired,
    );
    assert_violation(
        SampleBuilder {
            expiry: b.valid_until - 1,
            ..b
        },
        RuleViolation::CredentialExpired,
    );
}

#[test]
fn params_are_bound_by_their_hash() {
    // Proving under looser parameters than the statement's parameters hash commits to.
    let mut sample = SampleBuilder {
        amount: 20_000,
        ..builder()
    }
    .build();
    assert_eq!(
        check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure
        ),
        Err(RuleViolation::AmountOverTierLimit)
    );
    sample.params.per_transfer_limit[1] = 20_000;
    // The native check refuses it as the circuit does: a direct library caller never gets `Ok`
    // (and so never a proof) for parameters the statement does not commit to.
    assert_eq!(
        check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure
        ),
        Err(RuleViolation::ParamsMismatch)
    );
    assert!(
        !satisfied(&sample),
        "the params hash in the statement no longer matches"
    );
}

#[test]
fn subject_tag_is_the_credential_subjects_under_the_rule_set() {
    let b = builder();
    let sample = b.clone().build();
    assert_eq!(
        check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure
        ),
        Ok(())
    );
    assert!(satisfied(&sample));
    let subject = sample.witness.credential.subject().unwrap();
    // Another subject's tag, or this subject's tag under another rule-set: refused by both.
    for tag in [
        zkgate_circuits::statement::subject_tag_bytes(b.rule_set_id, &(subject + Fr::from(1u64))),
        zkgate_circuits::statement::subject_tag_bytes(b.rule_set_id + 1, &subject),
    ] {
        let mut s = b.clone().build();
        s.statement.subject_tag = tag;
        assert_eq!(
            check_native(&s.statement, &s.params, &s.witness, &s.disclosure),
            Err(RuleViolation::SubjectTagMismatch)
        );
        assert!(!satisfied(&s));
    }
    // The tag differs per rule-set and is deterministic.
    assert_ne!(
        zkgate_circuits::statement::subject_tag(1, &subject),
        zkgate_circuits::statement::subject_tag(2, &subject)
    );
    assert_eq!(
        zkgate_circuits::statement::subject_tag(1, &subject),
        zkgate_circuits::statement::subject_tag(1, &subject)
    );
}

#[test]
fn invalid_values_are_named() {
    let mut sample = builder().build();
    sample.statement.credential_root = [0xff; 32];
    assert_eq!(
        check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure
        ),
        Err(RuleViolation::InvalidValue("credential_root"))
    );
    let sample = SampleBuilder {
        valid_until: -5,
        ..builder()
    }
    .build();
    assert_eq!(
        check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure
        ),
        Err(RuleViolation::InvalidValue("valid_until"))
    );
}

#[test]
fn counts_are_pinned_at_default_depth() {
    let sample = SampleBuilder::default().build();
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    sample
        .circuit()
        .generate_constraints(cs.clone())
        .expect("synthesis");
    assert!(cs.is_satisfied().unwrap());
    assert_eq!(cs.num_instance_variables(), 2, "1 + one public input");
    println!("constraints at depth 20: {}", cs.num_constraints());
    assert_eq!(cs.num_constraints(), PINNED_CONSTRAINTS);

    // Per part: pinned, and summing to the total.
    let report = zkgate_circuits::compliance::ComplianceCircuit::constraint_report(20).unwrap();
    for (part, n) in &report {
        println!("  {part:<36} {n:>6}");
    }
    assert_eq!(
        report.iter().map(|(_, n)| n).sum::<usize>(),
        PINNED_CONSTRAINTS
    );
    let count = |part: &str| report.iter().find(|(p, _)| *p == part).map(|(_, n)| *n);
    // Quaternary tree, 10 levels for 2^20 leaves: Poseidon H_4 is 297 constraints; each
    // level adds 7 placing the node among its three siblings and 2 for its index bits' booleans
    // (306); 1 more binds the root. (Binary: 20 × 242 + 1 = 4,841.)
    assert_eq!(count("credential membership"), Some(10 * 306 + 1));
    assert_eq!(
        count("sanctions non-membership").map(|n| n > 10 * 306),
        Some(true)
    );
}

/// Pinned constraint count of the compliance circuit at depth 20.
const PINNED_CONSTRAINTS: usize = 16_062;
// The whole circuit fits a 2^14 evaluation domain (constraints + instance variables): the
// proving-time budget depends on it.
const _: () = assert!(PINNED_CONSTRAINTS + 2 <= 1 << 14);

/// Random witnesses around every rule's edges: the circuit is satisfiable exactly when the
/// native check passes (seeded, so a failure reproduces).
#[test]
fn circuit_and_native_check_agree_on_random_witnesses() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x2b_6a_7e);
    let b = builder();
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..64 {
        // Mostly valid values, each rule broken now and then, values at the edges.
        let tier = if rng.gen_bool(0.1) {
            [0u8, 5][rng.gen_range(0..2)]
        } else {
            rng.gen_range(1..=4u8)
        };
        let t = usize::from(tier.clamp(1, 4)) - 1;
        let (tx_limit, win_limit) = (b.params.per_transfer_limit[t], b.params.per_window_limit[t]);
        let near = |rng: &mut rand::rngs::StdRng, limit: u64| match rng.gen_range(0..6) {
            0 => limit,
            1 => limit.saturating_sub(1),
            2 => limit + 1,
            _ => rng.gen_range(0..=limit),
        };
        let amount = near(&mut rng, tx_limit);
        let window_volume = near(&mut rng, win_limit).saturating_sub(amount);
        let jurisdiction = if rng.gen_bool(0.2) {
            [408u16, 364, 392, 0][rng.gen_range(0..4)]
        } else {
            [840u16, 276, 250][rng.gen_range(0..3)]
        };
        let expiry = b.valid_until + rng.gen_range(-1..=4i64);
        let sample = SampleBuilder {
            tier,
            amount,
            window_volume,
            jurisdiction,
            expiry,
            sanctioned: rng.gen_bool(0.1),
            not_in_tree: rng.gen_bool(0.05),
            subject: rng.gen_range(1..1_000_000),
            ..b.clone()
        }
        .build();
        let mut sample = sample;
        // Now and then a statement that does not match its parameters or its subject.
        match rng.gen_range(0..20) {
            0 => sample.params.per_window_limit[t] += 1,
            1 => sample.statement.subject_tag[31] ^= 1,
            _ => {}
        }
        let native = check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure,
        );
        assert_eq!(
            native.is_ok(),
            satisfied(&sample),
            "round {round}: native {native:?}"
        );
        if native.is_ok() {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    println!("{accepted} accepted, {refused} refused");
    // Both outcomes are exercised.
    assert!(
        accepted >= 8 && refused >= 8,
        "{accepted} accepted, {refused} refused"
    );
}

/// Sanctions non-membership at the equality edges, with leaves and paths from the current root:
/// a low leaf whose next value *is* the subject, and the subject's own leaf (value equal to
/// it). Both are real members of the tree; strict inequalities refuse both.
#[test]
fn sanctions_edges_under_the_current_root_are_refused() {
    let mut sample = builder().build();
    let subject = sample.witness.credential.subject().unwrap();
    let own_index = sample.sanctions.insert(subject).unwrap();
    sample.statement.sanctions_root =
        zkgate_circuits::encoding::fr_to_be_bytes(&sample.sanctions.root());
    let predecessor = (0..=sample.sanctions.len() as u64)
        .find(|i| {
            let w = sample.sanctions.leaf_witness(*i).unwrap();
            w.low_next_value == sample.witness.credential.subject_id
        })
        .expect("the subject's predecessor");
    for (name, index) in [
        ("next equals the subject", predecessor),
        ("value equals the subject", own_index),
    ] {
        let mut s = builder().build();
        s.statement.sanctions_root = sample.statement.sanctions_root;
        s.witness.sanctions = sample.sanctions.leaf_witness(index).unwrap();
        // The leaf is genuinely in the tree under this root.
        let low = s.witness.sanctions.low_leaf().unwrap();
        assert_eq!(
            s.witness.sanctions.path.root_from(low.hash()).unwrap(),
            sample.sanctions.root(),
            "{name}"
        );
        assert_eq!(
            check_native(&s.statement, &s.params, &s.witness, &s.disclosure),
            Err(RuleViolation::Sanctioned),
            "{name}"
        );
        assert!(!satisfied(&s), "{name}");
    }
}

/// A copy of `sample` whose credential has `subject_id`, with the trees, roots and tag redone.
fn with_subject(mut sample: Sample, subject_id: [u8; 32]) -> Sample {
    let b = builder();
    let subject = {
        use ark_ff::PrimeField;
        Fr::from_be_bytes_mod_order(&subject_id)
    };
    // The leaf as an issuer would hash it (no range check here: the circuit must do it).
    let mut elements = sample.witness.credential.leaf_elements().unwrap();
    elements[1] = subject;
    let leaf = zkgate_circuits::poseidon::hash(&elements);
    sample.witness.credential.subject_id = subject_id;
    let index = sample.witness.credential_path.index;
    sample.credentials.set(index, leaf).unwrap();
    sample.witness.credential_path = sample.credentials.path(index).unwrap();
    sample.statement.credential_root =
        zkgate_circuits::encoding::fr_to_be_bytes(&sample.credentials.root());
    // The honest witness; for the sentinel (not listable, no honest witness) the strongest
    // candidate: the last leaf, whose next value is the sentinel itself.
    sample.witness.sanctions = sample
        .sanctions
        .non_membership(&subject)
        .unwrap_or_else(|_| {
            (0..=sample.sanctions.len() as u64)
                .map(|i| sample.sanctions.leaf_witness(i).unwrap())
                .find(|w| w.low_next_value == subject_id)
                .expect("the last leaf points at the sentinel")
        });
    sample.statement.subject_tag =
        zkgate_circuits::statement::subject_tag_bytes(b.rule_set_id, &subject);
    sample.refresh_disclosure();
    sample
}

/// Subject ids are in `[1, 2^248 - 2]`: the largest is accepted, the sentinel refused.
#[test]
fn subject_id_bounds() {
    let mut max = [0xffu8; 32];
    max[0] = 0;
    max[31] = 0xfe; // 2^248 - 2
    let sample = with_subject(builder().build(), max);
    assert_eq!(
        check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure
        ),
        Ok(())
    );
    assert!(satisfied(&sample));

    let mut sentinel = max;
    sentinel[31] = 0xff; // 2^248 - 1
    let sample = with_subject(builder().build(), sentinel);
    assert_eq!(
        check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure
        ),
        Err(RuleViolation::InvalidValue("credential.subject_id"))
    );
    assert!(!satisfied(&sample));
}

/// A window limit of `u64::MAX`: `window_volume + amount = 2^64` does not wrap to 0.
#[test]
fn window_sum_at_two_to_the_64_is_refused() {
    let mut b = builder();
    b.params.per_transfer_limit = [u64::MAX; 4];
    b.params.per_window_limit = [u64::MAX; 4];
    b.amount = 1;
    b.window_volume = u64::MAX;
    assert_violation(b.clone(), RuleViolation::WindowLimitExceeded);
    b.window_volume = u64::MAX - 1;
    let sample = b.build();
    assert_eq!(
        check_native(
            &sample.statement,
            &sample.params,
            &sample.witness,
            &sample.disclosure
        ),
        Ok(())
    );
    assert!(satisfied(&sample));
}

/// The recipient-pass circuit: the same credential rules, bound to the pass's wallet, with no
/// amounts; each broken rule is refused by both the circuit and its native twin.
mod pass {
    use super::*;
    use zkgate_circuits::pass::{check_pass_native, PassCircuit};

    fn pass_satisfied(sample: &Sample) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        match sample.pass_circuit().generate_constraints(cs.clone()) {
            Ok(()) => cs.is_satisfied().expect("satisfiability"),
            Err(_) => false,
        }
    }

    fn native(sample: &Sample) -> Result<(), RuleViolation> {
        check_pass_native(&sample.pass_statement(), &sample.params, &sample.witness)
    }

    #[track_caller]
    fn assert_pass_violation(b: SampleBuilder, expected: RuleViolation) {
        let sample = b.build();
        assert_eq!(native(&sample), Err(expected));
        assert!(
            !pass_satisfied(&sample),
            "pass circuit must be unsatisfied for {expected:?}"
        );
    }

    #[test]
    fn a_valid_credential_gets_a_pass_whatever_the_amounts() {
        // The transfer rules on amounts do not apply to receiving.
        let sample = SampleBuilder {
            amount: u64::MAX,
            window_volume: u64::MAX,
            ..builder()
        }
        .build();
        assert_eq!(native(&sample), Ok(()));
        assert!(pass_satisfied(&sample));
    }

    #[test]
    fn each_credential_rule_is_enforced() {
        let cases = [
            (
                SampleBuilder {
                    credential_wallet: Some([9; 32]),
                    ..builder()
                },
                RuleViolation::WalletMismatch,
            ),
            (
                SampleBuilder {
                    not_in_tree: true,
                    ..builder()
                },
                RuleViolation::CredentialNotInTree,
            ),
            (
                SampleBuilder {
                    sanctioned: true,
                    ..builder()
                },
                RuleViolation::Sanctioned,
            ),
            (
                SampleBuilder {
                    jurisdiction: 4,
                    ..builder()
                },
                RuleViolation::JurisdictionNotAllowed,
            ),
            (
                SampleBuilder {
                    tier: 0,
                    ..builder()
                },
                RuleViolation::TierBlocked,
            ),
            (
                SampleBuilder {
                    valid_until: 1_800_000_000,
                    expiry: 1_800_000_000,
                    ..builder()
                },
                RuleViolation::CredentialExpired,
            ),
        ];
        for (b, expected) in cases {
            assert_pass_violation(b, expected);
        }
    }

    #[test]
    fn a_denied_jurisdiction_gets_no_pass() {
        let mut params = zkgate_circuits::testing::default_params();
        params.denied_jurisdictions[0] = 840;
        assert_pass_violation(
            SampleBuilder {
                params,
                ..builder()
            },
            RuleViolation::JurisdictionDenied,
        );
    }

    #[test]
    fn params_are_bound_by_their_hash() {
        let mut sample = builder().build();
        // Claim a list that allows the jurisdiction while the statement hashes the real one.
        sample.params.allowed_jurisdictions[7] = 4;
        assert_eq!(native(&sample), Err(RuleViolation::ParamsMismatch));
        assert!(!pass_satisfied(&sample));
    }

    #[test]
    fn the_statement_hash_is_the_single_public_input() {
        let sample = builder().build();
        let cs = ConstraintSystem::<Fr>::new_ref();
        sample
            .pass_circuit()
            .generate_constraints(cs.clone())
            .unwrap();
        assert!(cs.is_satisfied().unwrap());
        assert_eq!(cs.num_instance_variables(), 2, "1 + one public input");
        // Another wallet in the statement (same witness) is refused.
        let mut other = sample.pass_circuit();
        other.statement.wallet = [5; 32];
        let cs = ConstraintSystem::<Fr>::new_ref();
        other.generate_constraints(cs.clone()).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn pass_counts_are_pinned_at_default_depth() {
        let report = PassCircuit::constraint_report(20).unwrap();
        let total: usize = report.iter().map(|(_, n)| n).sum();
        println!("pass circuit constraints at depth 20: {total}");
        for (part, n) in &report {
            println!("  {part:<36} {n:>6}");
        }
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(ark_relations::r1cs::SynthesisMode::Setup);
        PassCircuit::blank(20)
            .generate_constraints(cs.clone())
            .unwrap();
        assert_eq!(cs.num_constraints(), total);
        assert_eq!(total, PINNED_PASS_CONSTRAINTS);
    }

    /// Pinned constraint count of the pass circuit at depth 20 (both trees' paths are in both
    /// circuits; the pass has no amounts and no disclosure).
    const PINNED_PASS_CONSTRAINTS: usize = 9_792;
}

/// Baby Jubjub (circomlib form) and the Poseidon cipher against vectors written by
/// `@zk-kit/baby-jubjub` and `@zk-kit/poseidon-cipher` (`scripts/vectors/babyjub-cipher.cjs`;
/// CI re-runs it and diffs).
mod babyjub_cipher {
    use ark_ff::{BigInteger, PrimeField};
    use num_bigint::BigUint;
    use zkgate_circuits::babyjub::{self, Point, BASE8};
    use zkgate_circuits::cipher::{self, CipherError};
    use zkgate_circuits::Fr;

    fn vectors() -> serde_json::Value {
        serde_json::from_str(include_str!("vectors/babyjub_cipher.json")).expect("vectors")
    }

    fn fr(v: &serde_json::Value) -> Fr {
        let n: BigUint = v.as_str().expect("decimal").parse().expect("integer");
        Fr::from_le_bytes_mod_order(&n.to_bytes_le())
    }

    fn point(v: &serde_json::Value) -> Point {
        Point::new_unchecked(fr(&v[0]), fr(&v[1]))
    }

    fn le(v: &serde_json::Value) -> Vec<u8> {
        let n: BigUint = v.as_str().expect("decimal").parse().expect("integer");
        n.to_bytes_le()
    }

    /// circomlibjs's babyjub (what circomlib's circuits compute) agrees: generator, order,
    /// scalar multiplication, subgroup membership.
    #[test]
    fn points_match_circomlibjs_babyjub() {
        let v = &vectors()["circomlibjs"];
        assert_eq!(point(&v["base8"]), BASE8);
        let order = BigUint::from_bytes_le(&<babyjub::Scalar as PrimeField>::MODULUS.to_bytes_le());
        assert_eq!(order.to_string(), v["sub_order"].as_str().unwrap());
        for case in v["mul"].as_array().unwrap() {
            let got = babyjub::mul_le_bytes(&BASE8, &le(&case["scalar"]));
            assert_eq!(got, point(&case["point"]), "k = {}", case["scalar"]);
        }
        for case in v["in_sub_group"].as_array().unwrap() {
            let p = point(&case["point"]);
            assert!(babyjub::on_curve(p.x, p.y));
            assert_eq!(
                babyjub::is_valid_public_key(p.x, p.y),
                case["in"].as_bool().unwrap()
            );
        }
    }

    /// A whole zkgate disclosure made with circomlibjs (R, S) and @zk-kit/poseidon-cipher
    /// (the packed record) is byte for byte ours, and opens to the record.
    #[test]
    fn a_disclosure_matches_the_ecosystems_tools() {
        use zkgate_circuits::disclosure::{encrypt, AuditRecord, DisclosureSecret};
        let v = &vectors()["disclosure"];
        let sk = babyjub::Scalar::from_le_bytes_mod_order(&le(&v["sk"]));
        let pk = babyjub::public_key(&sk);
        assert_eq!(pk, point(&v["pk"]));
        let mut r = [0u8; 32];
        let bytes = le(&v["r"]);
        r[..bytes.len()].copy_from_slice(&bytes);
        let secret = DisclosureSecret::from_le_bytes(r);
        assert_eq!(secret.ephemeral_key(), point(&v["ephemeral_key"]));
        let num = |k: &str| v[k].as_str().unwrap().parse::<u64>().unwrap();
        let record = AuditRecord {
            subject_id: zkgate_circuits::encoding::fr_to_be_bytes(&fr(&v["subject_id"])),
            issuer: hex::decode(v["issuer"].as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap(),
            leaf_index: num("leaf_index"),
            jurisdiction: num("jurisdiction") as u16,
            tier: num("tier") as u8,
            expiry: num("expiry") as i64,
        };
        let posted = encrypt(&pk, &secret, &record, num("rule_set_id"), num("nonce")).unwrap();
        assert_eq!(
            posted.ephemeral_key,
            babyjub::point_to_bytes(&point(&v["ephemeral_key"]))
        );
        let expected: Vec<[u8; 32]> = v["ciphertext"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| zkgate_circuits::encoding::fr_to_be_bytes(&fr(c)))
            .collect();
        assert_eq!(posted.ciphertext.to_vec(), expected);
        assert_eq!(
            posted.open(&sk, num("rule_set_id"), num("nonce")).unwrap(),
            record
        );
    }

    #[test]
    fn points_match_zk_kit_baby_jubjub() {
        let v = vectors();
        assert_eq!(point(&v["base8"]), BASE8);
        assert!(babyjub::is_valid_public_key(BASE8.x, BASE8.y));
        let order = BigUint::from_bytes_le(&<babyjub::Scalar as PrimeField>::MODULUS.to_bytes_le());
        assert_eq!(order.to_string(), v["sub_order"].as_str().unwrap());
        for case in v["mul"].as_array().unwrap() {
            let got = babyjub::mul_le_bytes(&BASE8, &le(&case["scalar"]));
            assert_eq!(got, point(&case["point"]), "k = {}", case["scalar"]);
        }
        for case in v["add"].as_array().unwrap() {
            let sum = (point(&case["a"]) + point(&case["b"])).into();
            let sum: Point = sum;
            assert_eq!(sum, point(&case["sum"]));
        }
        for case in v["in_curve"].as_array().unwrap() {
            let p = point(&case["point"]);
            assert_eq!(babyjub::on_curve(p.x, p.y), case["on"].as_bool().unwrap());
        }
    }

    #[test]
    fn small_order_and_off_curve_keys_are_refused() {
        use ark_ff::{One, Zero};
        // The identity, the point of order 2 and an off-curve point.
        assert!(!babyjub::is_valid_public_key(Fr::zero(), Fr::one()));
        assert!(babyjub::on_curve(Fr::zero(), -Fr::one()));
        assert!(!babyjub::is_valid_public_key(Fr::zero(), -Fr::one()));
        assert!(!babyjub::is_valid_public_key(BASE8.x, BASE8.y + Fr::one()));
        // A point of the full group outside the prime-order subgroup: Base8 plus the order-2
        // point.
        let outside: Point = (BASE8 + Point::new_unchecked(Fr::zero(), -Fr::one())).into();
        assert!(babyjub::on_curve(outside.x, outside.y));
        assert!(!babyjub::is_valid_public_key(outside.x, outside.y));
    }

    #[test]
    fn ciphertexts_match_zk_kit_poseidon_cipher() {
        let v = vectors();
        let c = &v["cipher"];
        let pk = babyjub::mul_fr(&BASE8, &fr(&c["sk"]));
        assert_eq!(pk, point(&c["pk"]));
        let shared = babyjub::mul_fr(&pk, &fr(&c["r"]));
        assert_eq!(shared, point(&c["key"]));
        let key = [shared.x, shared.y];
        for case in c["encrypt"].as_array().unwrap() {
            let message: Vec<Fr> = case["message"].as_array().unwrap().iter().map(fr).collect();
            let nonce = cipher::nonce_from_fr(&fr(&case["nonce"])).unwrap();
            let expected: Vec<Fr> = case["ciphertext"]
                .as_array()
                .unwrap()
                .iter()
                .map(fr)
                .collect();
            let got = cipher::encrypt(&message, &key, nonce);
            assert_eq!(got, expected, "message {}", case["message"]);
            assert_eq!(
                cipher::decrypt(&got, &key, nonce, message.len()),
                Ok(message.clone())
            );
            // Altered, under another key, another nonce or length: refused.
            let mut altered = got.clone();
            altered[0] += Fr::from(1u64);
            assert_eq!(
                cipher::decrypt(&altered, &key, nonce, message.len()),
                Err(CipherError::Authentication)
            );
            let other = [key[0] + Fr::from(1u64), key[1]];
            assert_eq!(
                cipher::decrypt(&got, &other, nonce, message.len()),
                Err(CipherError::Authentication)
            );
            assert_eq!(
                cipher::decrypt(&got, &key, nonce ^ 1, message.len()),
                Err(CipherError::Authentication)
            );
            assert!(cipher::decrypt(&got, &key, nonce, message.len() + 1).is_err());
        }
        use ark_ff::Field;
        assert_eq!(
            cipher::nonce_from_fr(&Fr::from(2u64).pow([128])),
            Err(CipherError::NonceTooLarge)
        );
    }
    /// The gadgets equal their native twins on random inputs, and what each costs (the
    /// auditor-disclosure budget): `R = r·Base8` (fixed base), `S = r·PK` (variable base) with
    /// a 251-bit `r`, and the cipher over the 6-element disclosure payload.
    #[test]
    fn gadgets_equal_native_and_their_costs_are_known() {
        use ark_ff::UniformRand;
        use ark_r1cs_std::alloc::AllocVar;
        use ark_r1cs_std::boolean::Boolean;
        use ark_r1cs_std::fields::fp::FpVar;
        use ark_r1cs_std::R1CSVar;
        use ark_relations::r1cs::ConstraintSystem;
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for round in 0..3 {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let sk = babyjub::Scalar::rand(&mut rng);
            let pk: Point = (BASE8 * sk).into();
            let r = babyjub::Scalar::rand(&mut rng);
            let r_bytes = r.into_bigint().to_bytes_le();
            let bits: Vec<Boolean<Fr>> = (0..251)
                .map(|i| {
                    Boolean::new_witness(cs.clone(), || Ok((r_bytes[i / 8] >> (i % 8)) & 1 == 1))
                })
                .collect::<Result<_, _>>()
                .unwrap();
            let start = cs.num_constraints();
            let big_r = babyjub::mul_base8_gadget(&bits).unwrap();
            let fixed = cs.num_constraints() - start;
            let pk_var = babyjub::PointVar::new_witness(cs.clone(), || Ok(pk)).unwrap();
            let start = cs.num_constraints();
            let shared = babyjub::mul_gadget(&pk_var, &bits).unwrap();
            let variable = cs.num_constraints() - start;
            let native_r = babyjub::mul_le_bytes(&BASE8, &r_bytes);
            let native_s = babyjub::mul_le_bytes(&pk, &r_bytes);
            assert_eq!(big_r.value().unwrap(), native_r);
            assert_eq!(shared.value().unwrap(), native_s);

            let message: Vec<Fr> = (0..6).map(|_| Fr::rand(&mut rng)).collect();
            let message_vars: Vec<FpVar<Fr>> = message
                .iter()
                .map(|m| FpVar::new_witness(cs.clone(), || Ok(*m)).unwrap())
                .collect();
            let nonce = 12345u128 + round;
            let nonce_var = FpVar::new_witness(cs.clone(), || Ok(Fr::from(nonce))).unwrap();
            let start = cs.num_constraints();
            let ciphertext = cipher::encrypt_gadget(
                &message_vars,
                &[shared.x.clone(), shared.y.clone()],
                &nonce_var,
            )
            .unwrap();
            let cipher_cost = cs.num_constraints() - start;
            let native = cipher::encrypt(&message, &[native_s.x, native_s.y], nonce);
            assert_eq!(ciphertext.value().unwrap(), native);
            assert!(cs.is_satisfied().unwrap());
            if round == 0 {
                println!(
                    "auditor gadgets: R = r*Base8 {fixed}, S = r*PK {variable}, cipher(6) {cipher_cost} constraints"
                );
            }
        }
    }
}

/// Disclosure to the auditor: the proof shows the posted ciphertext encrypts the sender's
/// identity to the rule-set's auditor key; every way of posting something else is refused by
/// the native check with its own reason and leaves the circuit unsatisfied.
mod disclosure {
    use super::*;
    use zkgate_circuits::babyjub::{self, Point, Scalar, BASE8};
    use zkgate_circuits::compliance::audit_record;
    use zkgate_circuits::disclosure::{self, DisclosureError, DisclosureSecret};
    use zkgate_circuits::testing::sample_auditor_secret;

    fn refused(sample: &Sample, why: RuleViolation) {
        assert_eq!(
            check_native(
                &sample.statement,
                &sample.params,
                &sample.witness,
                &sample.disclosure
            ),
            Err(why)
        );
        assert!(
            !satisfied(sample),
            "{why:?}: the circuit must be unsatisfied"
        );
    }

    /// Commits the statement to `posted` (what a cheating prover would post).
    fn post(sample: &mut Sample, posted: disclosure::Disclosure) {
        sample.statement.disclosure_hash =
            posted.commitment_bytes(&sample.disclosure.issuer).unwrap();
        sample.posted = Some(posted);
    }

    fn encrypt_to(
        sample: &Sample,
        key: &Point,
        secret: &DisclosureSecret,
    ) -> disclosure::Disclosure {
        let record = audit_record(&sample.witness, &sample.disclosure.issuer).unwrap();
        disclosure::encrypt(
            key,
            secret,
            &record,
            sample.statement.rule_set_id,
            sample.statement.nonce,
        )
        .unwrap()
    }

    #[test]
    fn the_auditor_opens_what_the_proof_committed_to() {
        let sample = builder().build();
        assert_eq!(
            check_native(
                &sample.statement,
                &sample.params,
                &sample.witness,
                &sample.disclosure
            ),
            Ok(())
        );
        assert!(satisfied(&sample));
        let posted = sample.posted.clone().unwrap();
        let record = posted
            .open(
                &sample_auditor_secret(),
                sample.statement.rule_set_id,
                sample.statement.nonce,
            )
            .unwrap();
        let c = &sample.witness.credential;
        assert_eq!(record.subject_id, c.subject_id);
        assert_eq!(record.issuer, sample.disclosure.issuer);
        assert_eq!(record.leaf_index, sample.witness.credential_path.index);
        assert_eq!(record.jurisdiction, c.jurisdiction);
        assert_eq!(record.tier, c.tier);
        assert_eq!(record.expiry, c.expiry);
        // The commitment the statement carries is the posted bytes' (what the program
        // recomputes).
        assert_eq!(
            posted.commitment_bytes(&sample.disclosure.issuer).unwrap(),
            sample.statement.disclosure_hash
        );

        // Another key, another transfer's nonce or rule-set, altered bytes: nothing opens.
        let wrong = sample_auditor_secret() + Scalar::from(1u64);
        let (id, nonce) = (sample.statement.rule_set_id, sample.statement.nonce);
        assert_eq!(
            posted.open(&wrong, id, nonce).err(),
            Some(DisclosureError::Authentication)
        );
        assert_eq!(
            posted.open(&sample_auditor_secret(), id, nonce + 1).err(),
            Some(DisclosureError::Authentication)
        );
        assert_eq!(
            posted.open(&sample_auditor_secret(), id + 1, nonce).err(),
            Some(DisclosureError::Authentication)
        );
        for i in 0..disclosure::CIPHERTEXT_LEN {
            let mut altered = posted.clone();
            altered.ciphertext[i][31] ^= 1;
            assert_eq!(
                altered.open(&sample_auditor_secret(), id, nonce).err(),
                Some(DisclosureError::Authentication),
                "ciphertext element {i}"
            );
        }
        let mut off_curve = posted.clone();
        off_curve.ephemeral_key[63] ^= 1;
        assert_eq!(
            off_curve.open(&sample_auditor_secret(), id, nonce).err(),
            Some(DisclosureError::EphemeralKey)
        );
        let mut huge = posted.clone();
        huge.ciphertext[0] = [0xff; 32];
        assert_eq!(
            huge.open(&sample_auditor_secret(), id, nonce).err(),
            Some(DisclosureError::NotCanonical)
        );
    }

    #[test]
    fn a_ciphertext_under_another_r_is_refused() {
        // The statement commits to an honest encryption under r', the witness holds r.
        let mut sample = builder().build();
        let other = DisclosureSecret::from_le_bytes([0x53; 32]);
        let posted = encrypt_to(&sample, &sample.params.auditor().unwrap(), &other);
        post(&mut sample, posted);
        refused(&sample, RuleViolation::DisclosureMismatch);
    }

    #[test]
    fn a_ciphertext_to_another_key_is_refused() {
        let mut sample = builder().build();
        let other = babyjub::public_key(&Scalar::from(77u64));
        let posted = encrypt_to(&sample, &other, &sample.disclosure.secret.clone());
        post(&mut sample, posted);
        refused(&sample, RuleViolation::DisclosureMismatch);
    }

    #[test]
    fn a_ciphertext_of_another_identity_or_altered_is_refused() {
        // Another subject's record, honestly encrypted with the witness's r.
        let mut sample = builder().build();
        let mut record = audit_record(&sample.witness, &sample.disclosure.issuer).unwrap();
        record.subject_id = zkgate_circuits::testing::subject_id(43);
        let posted = disclosure::encrypt(
            &sample.params.auditor().unwrap(),
            &sample.disclosure.secret,
            &record,
            sample.statement.rule_set_id,
            sample.statement.nonce,
        )
        .unwrap();
        post(&mut sample, posted);
        refused(&sample, RuleViolation::DisclosureMismatch);

        // Another issuer named in the commitment than the one encrypted.
        let mut sample = builder().build();
        sample.disclosure.issuer = [5; 32];
        refused(&sample, RuleViolation::DisclosureMismatch);

        // One altered ciphertext element.
        let mut sample = builder().build();
        let mut posted = sample.posted.clone().unwrap();
        posted.ciphertext[2][31] ^= 1;
        post(&mut sample, posted);
        refused(&sample, RuleViolation::DisclosureMismatch);

        // Another transfer's nonce.
        let mut sample = builder().build();
        let mut other = builder();
        other.nonce = 1;
        let posted = other.build().posted.unwrap();
        post(&mut sample, posted);
        refused(&sample, RuleViolation::DisclosureMismatch);
    }

    #[test]
    fn r_zero_is_refused() {
        let mut sample = builder().build();
        sample.disclosure.secret = DisclosureSecret::from_le_bytes([0; 32]);
        sample.refresh_disclosure();
        refused(&sample, RuleViolation::DisclosureSecretZero);
        // Only bits above 251 set: cleared, so also zero.
        let mut high = [0u8; 32];
        high[31] = 0xf8;
        assert!(DisclosureSecret::from_le_bytes(high).is_zero());
    }

    #[test]
    fn small_order_and_off_curve_auditor_keys_are_refused() {
        let p = |x: Fr, y: Fr| babyjub::point_to_bytes(&Point::new_unchecked(x, y));
        let identity = p(Fr::from(0u64), Fr::from(1u64));
        let order_two = p(Fr::from(0u64), -Fr::from(1u64));
        let off_curve = p(Fr::from(1u64), Fr::from(2u64));
        for (name, key) in [
            ("identity", identity),
            ("order 2", order_two),
            ("off curve", off_curve),
        ] {
            let mut sample = builder().build();
            sample.params.auditor_key = key;
            sample.statement.params_hash = sample.params.hash_bytes();
            // What a cheater would post: "encrypted" under the weak key.
            let weak = Point::new_unchecked(
                ark_ff::PrimeField::from_be_bytes_mod_order(&key[..32]),
                ark_ff::PrimeField::from_be_bytes_mod_order(&key[32..]),
            );
            let posted = encrypt_to(&sample, &weak, &sample.disclosure.secret.clone());
            post(&mut sample, posted);
            assert_eq!(
                check_native(
                    &sample.statement,
                    &sample.params,
                    &sample.witness,
                    &sample.disclosure
                ),
                Err(RuleViolation::InvalidAuditorKey),
                "{name}"
            );
            assert!(!satisfied(&sample), "{name}");
        }
        // A key outside the prime-order subgroup (a generator of the full group is
        // Base8's preimage plus torsion): the native check refuses it; the program refuses to
        // register it (the circuit checks curve and small order only).
        let torsion = p(Fr::from(0u64), -Fr::from(1u64));
        let mixed =
            Point::from(BASE8 + zkgate_circuits::babyjub::point_from_bytes(&torsion).unwrap());
        assert!(
            zkgate_circuits::babyjub::public_key_from_bytes(&babyjub::point_to_bytes(&mixed))
                .is_none()
        );
        assert!(
            zkgate_circuits::babyjub::point_from_bytes(&babyjub::point_to_bytes(&mixed)).is_some()
        );
    }

    /// The subgroup witness the program takes: `8·Q = P`.
    #[test]
    fn cofactor_witness_multiplies_back() {
        use ark_ec::AdditiveGroup;
        let pk = babyjub::public_key(&sample_auditor_secret());
        let q = babyjub::cofactor_witness(&pk);
        let mut eight = ark_ec::twisted_edwards::Projective::from(q);
        for _ in 0..3 {
            eight.double_in_place();
        }
        assert_eq!(Point::from(eight), pk);
    }

    /// Random identities, keys and secrets, values at the packing's edges: native and circuit
    /// agree, and the auditor reads back exactly the record.
    #[test]
    fn random_disclosures_round_trip_and_satisfy() {
        use ark_ff::UniformRand;
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(0xd15c);
        for round in 0..4 {
            let sk = Scalar::rand(&mut rng);
            let mut b = builder();
            b.params.auditor_key = babyjub::point_to_bytes(&babyjub::public_key(&sk));
            b.subject = rng.gen_range(1..u64::MAX);
            b.expiry = if round == 0 {
                i64::MAX
            } else {
                rng.gen_range(1_700_000_001..i64::MAX)
            };
            b.jurisdiction = 276;
            b.tier = rng.gen_range(1..=4);
            b.nonce = rng.gen();
            b.rule_set_id = rng.gen();
            b.issuer = rng.gen();
            b.issuer[16] |= 0x80; // high bit of the low limb set
            b.disclosure_secret = rng.gen();
            let sample = b.build();
            assert_eq!(
                check_native(
                    &sample.statement,
                    &sample.params,
                    &sample.witness,
                    &sample.disclosure
                ),
                Ok(()),
                "round {round}"
            );
            assert!(satisfied(&sample), "round {round}");
            let record = sample
                .posted
                .as_ref()
                .unwrap()
                .open(&sk, b.rule_set_id, b.nonce)
                .unwrap();
            assert_eq!(
                record,
                audit_record(&sample.witness, &b.issuer).unwrap(),
                "round {round}"
            );
        }
        // The packing at its edges: every field at its maximum.
        let record = disclosure::AuditRecord {
            subject_id: [0x0f; 32],
            issuer: [0xff; 32],
            leaf_index: u64::from(u32::MAX),
            jurisdiction: u16::MAX,
            tier: u8::MAX,
            expiry: i64::MAX,
        };
        let secret = DisclosureSecret::random(&mut rand::rngs::OsRng);
        let sk = sample_auditor_secret();
        let posted = disclosure::encrypt(
            &babyjub::public_key(&sk),
            &secret,
            &record,
            u64::MAX,
            u64::MAX,
        )
        .unwrap();
        assert_eq!(posted.open(&sk, u64::MAX, u64::MAX).unwrap(), record);
        let mut too_deep = record.clone();
        too_deep.leaf_index = 1 << 32;
        assert!(too_deep.pack().is_err());
    }
}
