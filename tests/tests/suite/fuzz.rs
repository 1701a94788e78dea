//! A seeded, property-based fuzz target in the real runtime. It starts from valid `transfer`
//! and registry instructions and mutates them at random (argument bytes flipped, truncated or
//! extended; accounts swapped for others, reordered, duplicated, their signer/writable flags
//! cleared; signers swapped for strangers) and checks, for every case:
//! - no panic: every refusal is a clean program error, never a failed-to-complete program or a
//!   transport error;
//! - no success without a valid proof: a mutated `transfer` that is not the genuine one is
//!   refused; a registry instruction signed by a stranger is refused;
//! - nothing changes on refusal: every token balance and every zkgate account is unchanged.
//!
//! CI runs `ZKGATE_FUZZ_CASES` cases (default 200) from `ZKGATE_FUZZ_SEED` (default fixed, so a
//! failure reproduces); run it longer with e.g.
//! `ZKGATE_FUZZ_CASES=100000 ZKGATE_FUZZ_SEED=$RANDOM cargo test -p zkgate-tests --test suite fuzz -- --nocapture`.
use anchor_lang::prelude::Pubkey;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use solana_program_test::BanksClientError;
use solana_sdk::instruction::{AccountMeta, Instruction, InstructionError};
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};
use zkgate::state::RuleSetStatus;
use zkgate_client::ix::{self, AuthorityTarget};
use zkgate_client::{convert, pda};
use zkgate_tests::*;

const EXPIRY: i64 = 4_000_000_000;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Everything whose content must not change when a transaction is refused.
async fn snapshot(w: &mut World, accounts: &[Pubkey]) -> Vec<Option<Vec<u8>>> {
    let mut out = Vec::with_capacity(accounts.len());
    for a in accounts {
        out.push(
            w.ctx
                .banks_client
                .get_account(*a)
                .await
                .expect("rpc")
                .map(|acc| acc.data),
        );
    }
    out
}

fn mutate(rng: &mut StdRng, ix: &mut Instruction, pool: &[Pubkey]) -> &'static str {
    if ix.data.is_empty() || ix.accounts.is_empty() {
        ix.data.push(rng.gen());
        ix.accounts.push(AccountMeta::new_readonly(
            pool[rng.gen_range(0..pool.len())],
            false,
        ));
        return "grow an emptied instruction";
    }
    match rng.gen_range(0..9) {
        0 => {
            let i = rng.gen_range(0..ix.data.len());
            ix.data[i] ^= 1 << rng.gen_range(0..8);
            "flip a data bit"
        }
        1 => {
            let n = rng.gen_range(0..ix.data.len());
            ix.data.truncate(n);
            "truncate the data"
        }
        2 => {
            let extra = rng.gen_range(1..64);
            ix.data.extend((0..extra).map(|_| rng.gen::<u8>()));
            "extend the data"
        }
        3 => {
            let i = rng.gen_range(0..ix.accounts.len());
            ix.accounts[i].pubkey = pool[rng.gen_range(0..pool.len())];
            "replace an account"
        }
        4 => {
            let (i, j) = (
                rng.gen_range(0..ix.accounts.len()),
                rng.gen_range(0..ix.accounts.len()),
            );
            ix.accounts.swap(i, j);
            "swap two accounts"
        }
        5 => {
            let n = rng.gen_range(0..ix.accounts.len());
            ix.accounts.truncate(n);
            "drop trailing accounts"
        }
        6 => {
            let i = rng.gen_range(0..ix.accounts.len());
            ix.accounts[i].is_writable = false;
            "clear a writable flag"
        }
        7 => {
            // Overwrite a run of argument bytes with random ones (values, not just bits).
            let start = rng.gen_range(8..ix.data.len().max(9));
            let end = (start + rng.gen_range(1..40)).min(ix.data.len());
            for b in ix.data.iter_mut().take(end).skip(start) {
                *b = rng.gen();
            }
            "randomize argument bytes"
        }
        _ => {
            let i = rng.gen_range(0..ix.accounts.len());
            let dup = ix.accounts[i].clone();
            let j = rng.gen_range(0..ix.accounts.len());
            ix.accounts[j] = dup;
            "duplicate an account"
        }
    }
}

#[track_caller]
fn assert_clean_refusal(result: &Result<(), BanksClientError>, what: &str) {
    match result {
        Err(BanksClientError::TransactionError(TransactionError::InstructionError(_, e))) => {
            assert!(
                !matches!(
                    e,
                    InstructionError::ProgramFailedToComplete
                        | InstructionError::GenericError
                        | InstructionError::ProgramFailedToCompile
                ),
                "{what}: the program did not fail cleanly: {e:?}"
            );
        }
        // Refused by the runtime before the program ran (e.g. a missing signature).
        Err(BanksClientError::TransactionError(_)) => {}
        Err(other) => panic!("{what}: transport-level failure (a panic?): {other:?}"),
        Ok(()) => {}
    }
}

#[tokio::test]
async fn fuzz_transfer_and_registry_instructions() {
    let cases = env_u64("ZKGATE_FUZZ_CASES", 200);
    let seed = env_u64("ZKGATE_FUZZ_SEED", 0x5eed_2026);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut w = World::new(TokenKind::Token2022).await;
    let alice = w.wallet(1_000_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 2, EXPIRY))).await;
    let stranger = Keypair::new();
    w.airdrop(&stranger.pubkey(), 10_000_000_000).await;
    let admin = w.admin.insecure_clone();
    let rule_set = pda::rule_set(RULE_SET_ID);

    // Every account a mutation may pick, and every account whose content must not change on a
    // refusal.
    let pool: Vec<Pubkey> = vec![
        alice.keypair.pubkey(),
        bob.keypair.pubkey(),
        stranger.pubkey(),
        alice.token_account,
        bob.token_account,
        w.mint,
        pda::config(),
        rule_set,
        pda::issuer(ISSUER_ID),
        pda::sanctions_list(SANCTIONS_ID),
        pda::subject_state(&rule_set, &alice.subject_tag()),
        pda::subject_state(&rule_set, &bob.subject_tag()),
        zkgate::ID,
        zkgate::EVENT_AUTHORITY_AND_BUMP.0,
        anchor_spl::token::ID,
        anchor_spl::token_2022::ID,
        anchor_lang::solana_program::system_program::ID,
        Pubkey::new_unique(),
    ];
    let watched: Vec<Pubkey> = pool[3..12].to_vec();

    // The genuine transfer (re-proven after each success, since the nonce moves on).
    let mut genuine: Option<Instruction> = None;
    // State only changes on success, so the snapshot is re-read only then.
    let mut before = snapshot(&mut w, &watched).await;
    let (mut refused, mut accepted) = (0u64, 0u64);
    for case in 0..cases {
        if genuine.is_none() {
            let valid_until = w.valid_until().await;
            let statement = w.statement(&alice, &bob, 7, valid_until).await;
            let proof = w.prove(&statement, w.witness(&alice));
            genuine = Some(w.transfer_ix(&alice, &bob, &statement, proof));
        }
        // Half transfers, half registry instructions signed by a stranger or the admin.
        let (base, signer, is_transfer) = if rng.gen_bool(0.5) {
            (
                genuine.clone().unwrap(),
                alice.keypair.insecure_clone(),
                true,
            )
        } else {
            let s = stranger.pubkey();
            let registry = [
                ix::set_paused(&s, true),
                ix::propose_admin(&s, Some(s)),
                ix::add_issuer(&s, 77, &s),
                ix::set_issuer_active(&s, ISSUER_ID, false),
                ix::set_rule_set_status(&s, RULE_SET_ID, RuleSetStatus::Retired),
                ix::update_rule_set(
                    &s,
                    RULE_SET_ID,
                    rule_set_config(&w.params),
                    &rule_set_refs(),
                ),
                ix::set_verifying_key(
                    &s,
                    &s,
                    RULE_SET_ID,
                    convert::vk_args(&zkgate_circuits::keys::ProgramVerifyingKey::from_ark(
                        &other_keys().vk,
                    )),
                ),
                ix::propose_authority(&s, AuthorityTarget::Issuer(ISSUER_ID), Some(s)),
                ix::publish_credential_root(&s, ISSUER_ID, [1; 32]),
                ix::publish_sanctions_root(&s, SANCTIONS_ID, [1; 32]),
                ix::set_sanctions_list_active(&s, SANCTIONS_ID, false),
            ];
            let pick = registry[rng.gen_range(0..registry.len())].clone();
            (pick, stranger.insecure_clone(), false)
        };
        let mut ix = base.clone();
        let mut what = vec![];
        // At least one mutation: the genuine transfer's own success is covered elsewhere, and
        // every accepted case costs a new proof (the nonce moves on).
        for _ in 0..rng.gen_range(1..4) {
            what.push(mutate(&mut rng, &mut ix, &pool));
        }
        // Only keys we hold can sign: the signer flags that remain must name our signer.
        for meta in ix.accounts.iter_mut() {
            if meta.is_signer && meta.pubkey != signer.pubkey() {
                meta.is_signer = false;
            }
        }
        let label = format!("case {case} (seed {seed:#x}): {what:?}");
        // No wait for a new slot: a case identical to an earlier one is refused as already
        // processed, which is a refusal like any other.
        let blockhash = w
            .ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .expect("blockhash");
        let payer = w.ctx.payer.insecure_clone();
        let mut tx = Transaction::new_with_payer(&[ix.clone()], Some(&payer.pubkey()));
        // Sign with exactly the keys the mutated message still asks for.
        let needs_signer = ix
            .accounts
            .iter()
            .any(|m| m.is_signer && m.pubkey == signer.pubkey());
        if needs_signer && signer.pubkey() != payer.pubkey() {
            tx.try_sign(&[&payer, &signer], blockhash)
        } else {
            tx.try_sign(&[&payer], blockhash)
        }
        .expect("sign");
        // Executed on the working bank at once (`process_transaction` would wait for the
        // slot's commitment).
        let result = match w
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx)
            .await
        {
            Ok(out) => out.result.map_err(BanksClientError::TransactionError),
            Err(e) => Err(e),
        };
        assert_clean_refusal(&result, &label);
        match result {
            Ok(()) => {
                accepted += 1;
                if is_transfer {
                    // Only the genuine transfer may pass: the same discriminator and the same
                    // decoded arguments (Anchor, like Borsh readers generally, ignores bytes
                    // after the arguments), with the same accounts in the same order.
                    let args = |i: &Instruction| {
                        use anchor_lang::{AnchorDeserialize, AnchorSerialize};
                        let decoded =
                            zkgate::instructions::TransferArgs::deserialize(&mut &i.data[8..])
                                .expect("a successful transfer decodes");
                        let mut out = i.data[..8].to_vec();
                        decoded.serialize(&mut out).expect("serializes");
                        out
                    };
                    assert_eq!(
                        args(&ix),
                        args(&base),
                        "{label}: a mutated transfer succeeded"
                    );
                    let keys =
                        |i: &Instruction| i.accounts.iter().map(|m| m.pubkey).collect::<Vec<_>>();
                    assert_eq!(keys(&ix), keys(&base), "{label}: accounts changed");
                    genuine = None;
                    before = snapshot(&mut w, &watched).await;
                } else {
                    panic!("{label}: a stranger's registry instruction succeeded");
                }
            }
            Err(_) => {
                refused += 1;
                assert_eq!(
                    snapshot(&mut w, &watched).await,
                    before,
                    "{label}: state changed on a refusal"
                );
            }
        }
    }
    println!("fuzz: {cases} cases, {accepted} accepted (genuine), {refused} refused");
    assert!(refused > cases / 2, "most mutations are refused");
    // The admin can still govern and alice can still transfer: nothing was broken.
    w.send(&[ix::set_paused(&admin.pubkey(), false)], &[&admin])
        .await
        .expect("the admin still governs");
    w.transfer(&alice, &bob, 1)
        .await
        .expect("alice still transfers");
}
