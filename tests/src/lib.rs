//! Shared harness for zkgate's end-to-end tests: the program inside the real Solana runtime
//! (`solana-program-test`, with the real SPL Token and Token-2022 programs), real Groth16 keys
//! and proofs from `zkgate-circuits`, and issuer / sanctions trees kept off chain.
//!
//! When `SBF_OUT_DIR` (or `BPF_OUT_DIR`) names a directory holding `zkgate.so`, the runtime loads
//! that SBF build instead of the native processor, so the same tests run against SBF.
#![deny(missing_docs)]
pub mod history;
pub mod idl;
pub mod local_prover;
pub mod rpc;

use std::collections::HashMap;
use std::sync::OnceLock;

use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::solana_program::system_instruction;
use anchor_lang::{AccountDeserialize, AnchorDeserialize};
use anchor_spl::token::spl_token;
use anchor_spl::token_2022::spl_token_2022;
use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::clock::Clock;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::program_pack::Pack;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};
use zkgate::errors::ZkgateError;
use zkgate::events::TransferApproved;
use zkgate::instructions::{IssuePassArgs, RegisterRuleSetArgs, RuleSetConfigArgs, TransferArgs};
use zkgate::state::TimeParams;
use zkgate_circuits::compliance::{ComplianceCircuit, ComplianceWitness};
use zkgate_circuits::credential::Credential;
use zkgate_circuits::disclosure::{Disclosure, DisclosureWitness};
use zkgate_circuits::encoding::{fr_from_be_bytes, fr_to_be_bytes};
use zkgate_circuits::indexed::IndexedMerkleTree;
use zkgate_circuits::keys::{CircuitKind, KeySet, ProgramVerifyingKey};
use zkgate_circuits::merkle::MerkleTree;
use zkgate_circuits::params::RuleSetParams;
use zkgate_circuits::pass::{PassCircuit, PassStatement};
use zkgate_circuits::statement::Statement;
use zkgate_client::api::{PassRequest, ProofRequest};
use zkgate_client::ix::{self, TransferAccounts};
use zkgate_client::{convert, pda};

/// Tree depth used by the end-to-end tests: the production default.
pub const DEPTH: usize = zkgate_circuits::merkle::DEFAULT_DEPTH;
/// Rule-set id used by default.
pub const RULE_SET_ID: u64 = 7;
/// Issuer id used by default.
pub const ISSUER_ID: u64 = 1;
/// Sanctions list id used by default.
pub const SANCTIONS_ID: u64 = 1;

/// Anchor's `entry` ties every lifetime to `'info`; `processor!` wants independent ones. The
/// runtime keeps the accounts alive for the whole call, so re-borrowing them is sound.
fn zkgate_entry<'a, 'b>(
    program_id: &'a Pubkey,
    accounts: &'a [AccountInfo<'b>],
    data: &'a [u8],
) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    // SAFETY: only lifetimes change (to the shorter `'a`); the runtime keeps the accounts alive
    // for the whole call.
    let accounts: &'a [AccountInfo<'a>] =
        unsafe { std::mem::transmute::<&'a [AccountInfo<'b>], &'a [AccountInfo<'a>]>(accounts) };
    zkgate::entry(program_id, accounts, data)
}

/// zkgate-hook's entry, with the lifetimes `processor!` wants (see [`zkgate_entry`]).
fn hook_entry<'a, 'b>(
    program_id: &'a Pubkey,
    accounts: &'a [AccountInfo<'b>],
    data: &'a [u8],
) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    // SAFETY: as in `zkgate_entry`.
    let accounts: &'a [AccountInfo<'a>] =
        unsafe { std::mem::transmute::<&'a [AccountInfo<'b>], &'a [AccountInfo<'a>]>(accounts) };
    zkgate_hook::entry(program_id, accounts, data)
}

/// A `ProgramTest` with zkgate and zkgate-hook registered (native processors, or `zkgate.so` /
/// `zkgate_hook.so` under SBF_OUT_DIR). The bundled SBF Token-2022 calls the natively
/// registered hook like any other program.
///
/// The runtime logs every instruction at debug level unless `RUST_LOG` says otherwise; the tests
/// read logs from transaction metadata instead, so the default here is `error`.
pub fn program_test() -> ProgramTest {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        if std::env::var_os("RUST_LOG").is_none() {
            std::env::set_var("RUST_LOG", "error");
        }
    });
    let mut pt = ProgramTest::new("zkgate", zkgate::ID, processor!(zkgate_entry));
    pt.add_program("zkgate_hook", zkgate_hook::ID, processor!(hook_entry));
    pt
}

/// [`program_test`] with zkgate's `ProgramData` account naming `upgrade_authority` (what the
/// upgradeable loader writes at deployment; neither the native processor nor a test-loaded
/// `.so` has one, so the tests add it).
pub fn program_test_with_upgrade_authority(upgrade_authority: Option<Pubkey>) -> ProgramTest {
    let mut pt = program_test();
    add_program_data(
        &mut pt,
        zkgate_client::pda::program_data(),
        upgrade_authority,
    );
    pt
}

/// Adds a loader-v3 `ProgramData` account at `address` with `upgrade_authority`.
pub fn add_program_data(pt: &mut ProgramTest, address: Pubkey, upgrade_authority: Option<Pubkey>) {
    use anchor_lang::solana_program::bpf_loader_upgradeable::{self, UpgradeableLoaderState};
    let mut data = bincode::serialize(&UpgradeableLoaderState::ProgramData {
        slot: 0,
        upgrade_authority_address: upgrade_authority,
    })
    .expect("ProgramData serializes");
    data.resize(UpgradeableLoaderState::size_of_programdata_metadata(), 0);
    pt.add_account(
        address,
        solana_sdk::account::Account {
            lamports: solana_sdk::rent::Rent::default().minimum_balance(data.len()),
            data,
            owner: bpf_loader_upgradeable::id(),
            executable: false,
            rent_epoch: 0,
        },
    );
}

/// Keys for the compliance circuit at [`DEPTH`], generated once per test binary.
pub fn keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| match ceremony_key_dir() {
        Some(dir) => ceremony_keys(CircuitKind::Compliance, &dir),
        None => KeySet::generate(DEPTH, &mut rand::thread_rng()).expect("compliance circuit setup"),
    })
}

/// The variable naming a ceremony's key directory (`zkgate ceremony finalize`, with the pass
/// keys in `pass/`): when set, [`keys`] and [`pass_keys`] are loaded from it (and must come from
/// a verified multi-party transcript) instead of generated. `scripts/ceremony-check.sh` sets it.
pub const CEREMONY_KEY_DIR_VAR: &str = "ZKGATE_TEST_KEY_DIR";

fn ceremony_key_dir() -> Option<std::path::PathBuf> {
    std::env::var_os(CEREMONY_KEY_DIR_VAR).map(std::path::PathBuf::from)
}

fn ceremony_keys(kind: CircuitKind, dir: &std::path::Path) -> KeySet {
    let dir = match kind {
        CircuitKind::Compliance => dir.to_path_buf(),
        CircuitKind::Pass => dir.join("pass"),
    };
    let keys =
        KeySet::load_dir_for(kind, &dir, None).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    assert!(
        !keys.insecure_single_party && keys.ceremony.is_some(),
        "{}: not ceremony keys",
        dir.display()
    );
    assert_eq!(
        keys.depth,
        DEPTH,
        "{}: keys for another depth",
        dir.display()
    );
    keys
}

/// Keys for the recipient-pass circuit at [`DEPTH`], generated once per test binary.
pub fn pass_keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| match ceremony_key_dir() {
        Some(dir) => ceremony_keys(CircuitKind::Pass, &dir),
        None => KeySet::generate_for(CircuitKind::Pass, DEPTH, &mut rand::thread_rng())
            .expect("pass circuit setup"),
    })
}

/// A second, independent key set (a proof for another verifying key).
pub fn other_keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| KeySet::generate(DEPTH, &mut rand::thread_rng()).expect("setup"))
}

/// The default rule-set parameters of the tests (the circuits crate's example parameters).
pub use zkgate_circuits::testing::default_params;

/// The default time rules of the tests.
pub fn default_time() -> TimeParams {
    TimeParams {
        max_proof_age_secs: 600,
        clock_tolerance_secs: 60,
        credential_root_grace_secs: 3_600,
        sanctions_root_grace_secs: 300,
        pass_ttl_secs: 0,
    }
}

/// A rule-set configuration for `params`.
pub fn rule_set_config(params: &RuleSetParams) -> RuleSetConfigArgs {
    RuleSetConfigArgs {
        params: convert::program_params(params),
        time: default_time(),
        auditor_key_witness: convert::auditor_key_witness(&params.auditor_key),
    }
}

/// The default accounts a test rule-set names: the default issuer and sanctions list, no mint.
pub fn rule_set_refs() -> ix::RuleSetRefs {
    ix::RuleSetRefs {
        issuers: vec![pda::issuer(ISSUER_ID)],
        sanctions_list: pda::sanctions_list(SANCTIONS_ID),
        mint: None,
    }
}

/// What a processed transaction left behind: its logs and the events it emitted through
/// event CPI (read from the inner instructions of a simulation of the same transaction on the
/// same state, right before it was processed).
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Log messages.
    pub logs: Vec<String>,
    /// The raw data (discriminator + borsh) of every zkgate event, in order.
    pub events: Vec<Vec<u8>>,
}

impl Outcome {
    /// The events of type `E`.
    pub fn events<E: anchor_lang::Event + AnchorDeserialize>(&self) -> Vec<E> {
        self.events
            .iter()
            .filter_map(|data| data.strip_prefix(E::DISCRIMINATOR))
            .filter_map(|mut body| E::deserialize(&mut body).ok())
            .collect()
    }
}

/// Which token program a mint uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// SPL Token.
    Spl,
    /// Token-2022.
    Token2022,
}

impl TokenKind {
    /// The token program id.
    pub fn program_id(self) -> Pubkey {
        match self {
            TokenKind::Spl => spl_token::ID,
            TokenKind::Token2022 => spl_token_2022::ID,
        }
    }
}

/// A wallet with its credential and token account.
pub struct Wallet {
    /// The wallet key.
    pub keypair: Keypair,
    /// Its credential (if issued).
    pub credential: Option<Credential>,
    /// Leaf index of the credential in the issuer tree.
    pub leaf_index: u64,
    /// Token account for the world's mint.
    pub token_account: Pubkey,
}

/// Everything a test needs: runtime, admin, issuer, sanctions list, rule-set, a mint and trees.
pub struct World {
    /// The running runtime.
    pub ctx: ProgramTestContext,
    /// Config admin.
    pub admin: Keypair,
    /// The default rule-set's authority (a key of its own: key changes need it and the admin).
    pub rule_set_authority: Keypair,
    /// Issuer authority.
    pub issuer_authority: Keypair,
    /// Sanctions list authority.
    pub sanctions_authority: Keypair,
    /// The issuer's credential tree (off chain).
    pub credentials: MerkleTree,
    /// The sanctions tree (off chain).
    pub sanctions: IndexedMerkleTree,
    /// Rule-set parameters.
    pub params: RuleSetParams,
    /// Mint.
    pub mint: Pubkey,
    /// Mint decimals.
    pub decimals: u8,
    /// Token program kind.
    pub token: TokenKind,
    /// The rule-set's version as registered.
    pub version: u32,
    /// The world's mint is a Token-2022 mint hooked by zkgate-hook ([`World::use_hooked_mint`]).
    pub hooked: bool,
    /// The default rule-set requires recipient passes ([`World::make_two_sided`]).
    pub two_sided: bool,
    /// The disclosures sealed into statements made here, by commitment: what `transfer_ix`
    /// posts and `prove` proves for a statement (a fresh secret each).
    pub disclosures: std::sync::Mutex<HashMap<[u8; 32], (Disclosure, DisclosureWitness)>>,
    /// The transactions sent, as a node serves them ([`World::record_history`]).
    pub history: Option<history::History>,
}

/// A credential for `wallet` with the given jurisdiction, tier and expiry.
pub fn credential(
    subject: u64,
    wallet: &Pubkey,
    jurisdiction: u16,
    tier: u8,
    expiry: i64,
) -> Credential {
    let mut subject_id = [0u8; 32];
    subject_id[24..].copy_from_slice(&subject.to_be_bytes());
    let mut salt = [0u8; 32];
    salt[1..9].copy_from_slice(&subject.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_be_bytes());
    salt[31] = 7;
    Credential {
        subject_id,
        wallet: wallet.to_bytes(),
        jurisdiction,
        tier,
        expiry,
        salt,
    }
}

impl Wallet {
    /// The subject tag of this wallet's credential under the default rule-set.
    pub fn subject_tag(&self) -> [u8; 32] {
        let credential = self.credential.as_ref().expect("wallet has a credential");
        let subject = credential.subject().expect("valid subject id");
        zkgate_circuits::statement::subject_tag_bytes(RULE_SET_ID, &subject)
    }
}

/// How long past the cluster clock the tests' proofs may land (under the default 600 s).
pub const PROOF_LIFETIME: i64 = 300;

impl World {
    /// Starts the runtime and sets up config, issuer, sanctions list, rule-set and a mint.
    pub async fn new(token: TokenKind) -> Self {
        Self::with_params(token, default_params()).await
    }

    /// Like [`World::new`] with custom parameters.
    pub async fn with_params(token: TokenKind, params: RuleSetParams) -> Self {
        Self::with_vk(token, params, &ProgramVerifyingKey::from_ark(&keys().vk)).await
    }

    /// Like [`World::with_params`], registering the rule-set with the verifying key `vk`.
    pub async fn with_vk(
        token: TokenKind,
        params: RuleSetParams,
        vk: &ProgramVerifyingKey,
    ) -> Self {
        Self::with_vk_at_depth(token, params, vk, DEPTH).await
    }

    /// Like [`World::with_vk`], with credential and sanctions trees of `depth` levels (what
    /// the keys behind `vk` were made for).
    pub async fn with_vk_at_depth(
        token: TokenKind,
        params: RuleSetParams,
        vk: &ProgramVerifyingKey,
        depth: usize,
    ) -> Self {
        let admin = Keypair::new();
        let ctx = program_test_with_upgrade_authority(Some(admin.pubkey()))
            .start_with_context()
            .await;
        let issuer_authority = Keypair::new();
        let sanctions_authority = Keypair::new();
        let mut world = World {
            ctx,
            admin,
            rule_set_authority: Keypair::new(),
            issuer_authority,
            sanctions_authority,
            credentials: MerkleTree::new(depth),
            sanctions: IndexedMerkleTree::new(depth),
            params,
            mint: Pubkey::default(),
            decimals: 6,
            token,
            version: 1,
            hooked: false,
            two_sided: false,
            disclosures: Default::default(),
            history: None,
        };
        let (admin, ia, sa) = (
            world.admin.pubkey(),
            world.issuer_authority.pubkey(),
            world.sanctions_authority.pubkey(),
        );
        world.airdrop(&admin, 10_000_000_000).await;
        world.airdrop(&ia, 1_000_000_000).await;
        world.airdrop(&sa, 1_000_000_000).await;
        for value in [1_000_003u64, 2_000_003] {
            world
                .sanctions
                .insert(zkgate_circuits::encoding::fr_from_u64(value))
                .expect("insert sanctioned subject");
        }
        let admin_kp = world.admin.insecure_clone();
        world
            .send(&[ix::initialize(&admin)], &[&admin_kp])
            .await
            .expect("initialize");
        world
            .send(&[ix::add_issuer(&admin, ISSUER_ID, &ia)], &[&admin_kp])
            .await
            .expect("add issuer");
        let sanctions_root = fr_to_be_bytes(&world.sanctions.root());
        world
            .send(
                &[ix::create_sanctions_list(
                    &admin,
                    SANCTIONS_ID,
                    &sa,
                    sanctions_root,
                )],
                &[&admin_kp],
            )
            .await
            .expect("create sanctions list");
        let rsa = world.rule_set_authority.insecure_clone();
        let args = RegisterRuleSetArgs {
            id: RULE_SET_ID,
            authority: rsa.pubkey(),
            config: rule_set_config(&world.params),
        };
        world
            .send(
                &[
                    ix::register_rule_set(&admin, args, &rule_set_refs()),
                    ix::set_verifying_key(&rsa.pubkey(), &admin, RULE_SET_ID, convert::vk_args(vk)),
                ],
                &[&admin_kp, &rsa],
            )
            .await
            .expect("register rule-set and set its key");
        world.mint = world.create_mint().await;
        world
    }

    /// Funds `to` with lamports.
    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) {
        let payer = self.ctx.payer.insecure_clone();
        self.send(
            &[system_instruction::transfer(&payer.pubkey(), to, lamports)],
            &[&payer],
        )
        .await
        .expect("airdrop");
    }

    /// Sends one transaction paid by the context payer, signed by `signers` too.
    pub async fn send(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), BanksClientError> {
        self.send_as(ixs, signers, false).await.map(|_| ())
    }

    /// Sends one transaction; returns its logs and the zkgate events it emitted.
    pub async fn send_with_logs(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Outcome, BanksClientError> {
        self.send_as(ixs, signers, true).await
    }

    /// Sends one transaction, reading its events (one simulation more) if `with_events`.
    async fn send_as(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        with_events: bool,
    ) -> Result<Outcome, BanksClientError> {
        // The current blockhash, without waiting for a new slot; only a transaction identical
        // to one already processed in this slot needs a fresh one (retried below).
        let blockhash = self
            .ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .expect("blockhash");
        match self.send_once(ixs, signers, blockhash, with_events).await {
            Err(BanksClientError::TransactionError(TransactionError::AlreadyProcessed)) => {
                use solana_program_test::ProgramTestBanksClientExt;
                let fresh = self
                    .ctx
                    .banks_client
                    .get_new_latest_blockhash(&blockhash)
                    .await
                    .expect("blockhash");
                self.send_once(ixs, signers, fresh, with_events).await
            }
            other => other,
        }
    }

    async fn send_once(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        blockhash: solana_sdk::hash::Hash,
        with_events: bool,
    ) -> Result<Outcome, BanksClientError> {
        let payer = self.ctx.payer.insecure_clone();
        let mut all: Vec<&Keypair> = vec![&payer];
        all.extend_from_slice(signers);
        let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, blockhash);
        // `process_transaction_with_metadata` records no inner instructions; a simulation on
        // the same state does, and its outcome is the processing's.
        let inner = if with_events || self.history.is_some() {
            self.ctx
                .banks_client
                .simulate_transaction(tx.clone())
                .await?
                .simulation_details
                .and_then(|d| d.inner_instructions)
                .unwrap_or_default()
        } else {
            vec![]
        };
        let events = if with_events {
            event_payloads(&tx, &inner)
        } else {
            vec![]
        };
        let (signature, keys) = (tx.signatures[0], tx.message.account_keys.clone());
        let out = self
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx)
            .await?;
        let logs = out.metadata.map(|m| m.log_messages).unwrap_or_default();
        self.record(signature, keys, &inner, &out.result, &logs)
            .await;
        match out.result {
            Ok(()) => Ok(Outcome { logs, events }),
            Err(e) => Err(BanksClientError::TransactionError(e)),
        }
    }

    /// Records every transaction sent from now on, as a node serves it (for the watcher,
    /// through [`rpc::RpcShim::with_history`]).
    pub fn record_history(&mut self) -> history::History {
        self.history.get_or_insert_with(Default::default).clone()
    }

    async fn record(
        &mut self,
        signature: solana_sdk::signature::Signature,
        keys: Vec<Pubkey>,
        inner: &[solana_sdk::inner_instruction::InnerInstructions],
        result: &Result<(), TransactionError>,
        logs: &[String],
    ) {
        let Some(history) = self.history.clone() else {
            return;
        };
        if result == &Err(TransactionError::AlreadyProcessed) {
            return;
        }
        let slot = self.ctx.banks_client.get_root_slot().await.expect("slot");
        let clock = self
            .ctx
            .banks_client
            .get_sysvar::<solana_sdk::clock::Clock>()
            .await
            .expect("clock");
        history.record(
            signature.to_string(),
            slot,
            clock.unix_timestamp,
            keys,
            inner,
            result,
            logs,
        );
    }

    /// Creates an address lookup table holding `addresses` (the real lookup-table program of
    /// the runtime) and waits the slot it needs to become usable.
    pub async fn create_lookup_table(
        &mut self,
        addresses: Vec<Pubkey>,
    ) -> solana_sdk::message::AddressLookupTableAccount {
        use solana_address_lookup_table_interface::instruction as alt;
        let payer = self.ctx.payer.insecure_clone();
        let slot = self.ctx.banks_client.get_root_slot().await.expect("slot");
        // A table is derived from a recent slot (one the SlotHashes sysvar lists).
        self.ctx.warp_to_slot(slot + 2).expect("warp");
        let (create, table) = alt::create_lookup_table(payer.pubkey(), payer.pubkey(), slot + 1);
        let extend = alt::extend_lookup_table(
            table,
            payer.pubkey(),
            Some(payer.pubkey()),
            addresses.clone(),
        );
        self.send(&[create, extend], &[])
            .await
            .expect("lookup table");
        let slot = self.ctx.banks_client.get_root_slot().await.expect("slot");
        self.ctx.warp_to_slot(slot + 2).expect("warp");
        solana_sdk::message::AddressLookupTableAccount {
            key: table,
            addresses,
        }
    }

    /// Sends one version-0 transaction of `ixs` through `tables` (fee payer: the context's
    /// payer), reading its events like [`World::send_with_logs`]; also returns its size.
    pub async fn send_v0_with_logs(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        tables: &[solana_sdk::message::AddressLookupTableAccount],
    ) -> Result<(Outcome, usize), BanksClientError> {
        use solana_sdk::message::{v0, VersionedMessage};
        use solana_sdk::transaction::VersionedTransaction;
        let payer = self.ctx.payer.insecure_clone();
        let blockhash = self
            .ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .expect("blockhash");
        let message =
            v0::Message::try_compile(&payer.pubkey(), ixs, tables, blockhash).expect("compiles");
        let mut all: Vec<&Keypair> = vec![&payer];
        all.extend_from_slice(signers);
        let tx = VersionedTransaction::try_new(VersionedMessage::V0(message), &all).expect("signs");
        let size = bincode::serialize(&tx).expect("serializes").len();
        let sim = self
            .ctx
            .banks_client
            .simulate_transaction(tx.clone())
            .await?;
        let keys = {
            // Static keys then the tables' writable and read-only lookups, as the runtime
            // orders them.
            let VersionedMessage::V0(m) = &tx.message else {
                unreachable!("v0")
            };
            let mut keys = m.account_keys.clone();
            for kind in [true, false] {
                for lookup in &m.address_table_lookups {
                    let table = tables
                        .iter()
                        .find(|t| t.key == lookup.account_key)
                        .expect("table");
                    let indexes = if kind {
                        &lookup.writable_indexes
                    } else {
                        &lookup.readonly_indexes
                    };
                    keys.extend(indexes.iter().map(|i| table.addresses[*i as usize]));
                }
            }
            keys
        };
        let inner = sim
            .simulation_details
            .and_then(|d| d.inner_instructions)
            .unwrap_or_default();
        let events = event_payloads_with_keys(&keys, &inner);
        let signature = tx.signatures[0];
        let out = self
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx)
            .await?;
        let logs = out.metadata.map(|m| m.log_messages).unwrap_or_default();
        self.record(signature, keys, &inner, &out.result, &logs)
            .await;
        match out.result {
            Ok(()) => Ok((Outcome { logs, events }, size)),
            Err(e) => Err(BanksClientError::TransactionError(e)),
        }
    }

    // Token-2022's instruction builders accept either token program id for the base
    // instructions, so one builder serves both kinds.

    /// Creates a mint of the world's token kind with `self.admin` as mint authority.
    pub async fn create_mint(&mut self) -> Pubkey {
        let mint = Keypair::new();
        let payer = self.ctx.payer.insecure_clone();
        let program = self.token.program_id();
        let len = spl_token::state::Mint::LEN;
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let init = spl_token_2022::instruction::initialize_mint2(
            &program,
            &mint.pubkey(),
            &self.admin.pubkey(),
            None,
            self.decimals,
        )
        .expect("initialize_mint2");
        self.send(
            &[
                system_instruction::create_account(
                    &payer.pubkey(),
                    &mint.pubkey(),
                    rent.minimum_balance(len),
                    len as u64,
                    &program,
                ),
                init,
            ],
            &[&mint],
        )
        .await
        .expect("create mint");
        mint.pubkey()
    }

    /// Creates a Token-2022 mint with `extensions`, initialized by the instructions `init`
    /// makes for the mint's address (run between the allocation and `initialize_mint2`), with
    /// `self.admin` as mint authority and `freeze_authority` as freeze authority.
    pub async fn create_mint_2022(
        &mut self,
        extensions: &[ExtensionType],
        init: impl FnOnce(&Pubkey) -> Vec<Instruction>,
        freeze_authority: Option<&Pubkey>,
    ) -> Pubkey {
        let mint = Keypair::new();
        let payer = self.ctx.payer.insecure_clone();
        let program = spl_token_2022::ID;
        let len =
            ExtensionType::try_calculate_account_len::<spl_token_2022::state::Mint>(extensions)
                .expect("mint length");
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let mut ixs = vec![system_instruction::create_account(
            &payer.pubkey(),
            &mint.pubkey(),
            rent.minimum_balance(len),
            len as u64,
            &program,
        )];
        ixs.extend(init(&mint.pubkey()));
        ixs.push(
            spl_token_2022::instruction::initialize_mint2(
                &program,
                &mint.pubkey(),
                &self.admin.pubkey(),
                freeze_authority,
                self.decimals,
            )
            .expect("initialize_mint2"),
        );
        self.send(&ixs, &[&mint]).await.expect("create mint");
        mint.pubkey()
    }

    /// Replaces the world's mint with a Token-2022 mint whose transfer hook is zkgate-hook,
    /// configured by the admin (`configure_mint_hook`) with `exempt_authority`. Wallets made
    /// afterwards hold this mint.
    pub async fn use_hooked_mint(&mut self, exempt_authority: Option<Pubkey>) -> Pubkey {
        assert!(
            self.token == TokenKind::Token2022,
            "transfer hooks are Token-2022's"
        );
        let hook_authority = self.admin.pubkey();
        let mint = self
            .create_mint_2022(
                &[ExtensionType::TransferHook],
                |mint| {
                    vec![
                        spl_token_2022::extension::transfer_hook::instruction::initialize(
                            &spl_token_2022::ID,
                            mint,
                            Some(hook_authority),
                            Some(zkgate_hook::ID),
                        )
                        .expect("transfer hook init"),
                    ]
                },
                None,
            )
            .await;
        let admin = self.admin.insecure_clone();
        self.send(
            &[ix::configure_mint_hook(
                &admin.pubkey(),
                &mint,
                exempt_authority,
            )],
            &[&admin],
        )
        .await
        .expect("configure mint hook");
        self.mint = mint;
        self.hooked = true;
        mint
    }

    /// The token-account length a mint's extensions require (plus `extra` account extensions).
    async fn token_account_len(&mut self, mint: &Pubkey, extra: &[ExtensionType]) -> usize {
        use spl_token_2022::extension::{BaseStateWithExtensions, PodStateWithExtensions};
        if self.token == TokenKind::Spl {
            return spl_token::state::Account::LEN;
        }
        let account = self
            .ctx
            .banks_client
            .get_account(*mint)
            .await
            .expect("rpc")
            .expect("mint exists");
        let state = PodStateWithExtensions::<spl_token_2022::pod::PodMint>::unpack(&account.data)
            .expect("a Token-2022 mint");
        let mint_extensions = state.get_extension_types().expect("extension types");
        let mut needed = ExtensionType::get_required_init_account_extensions(&mint_extensions);
        needed.extend_from_slice(extra);
        ExtensionType::try_calculate_account_len::<spl_token_2022::state::Account>(&needed)
            .expect("account length")
    }

    /// Creates a token account of the world's mint owned by `owner`.
    pub async fn create_token_account(&mut self, owner: &Pubkey) -> Pubkey {
        self.create_token_account_with(owner, &[]).await
    }

    /// Creates a token account of the world's mint owned by `owner`, with room for the account
    /// extensions `extra` besides those the mint requires.
    pub async fn create_token_account_with(
        &mut self,
        owner: &Pubkey,
        extra: &[ExtensionType],
    ) -> Pubkey {
        let account = Keypair::new();
        let payer = self.ctx.payer.insecure_clone();
        let program = self.token.program_id();
        let mint = self.mint;
        let len = self.token_account_len(&mint, extra).await;
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let init = spl_token_2022::instruction::initialize_account3(
            &program,
            &account.pubkey(),
            &self.mint,
            owner,
        )
        .expect("initialize_account3");
        self.send(
            &[
                system_instruction::create_account(
                    &payer.pubkey(),
                    &account.pubkey(),
                    rent.minimum_balance(len),
                    len as u64,
                    &program,
                ),
                init,
            ],
            &[&account],
        )
        .await
        .expect("create token account");
        account.pubkey()
    }

    /// Mints `amount` to `account`.
    pub async fn mint_to(&mut self, account: &Pubkey, amount: u64) {
        let program = self.token.program_id();
        let admin = self.admin.insecure_clone();
        let ix = spl_token_2022::instruction::mint_to(
            &program,
            &self.mint,
            account,
            &admin.pubkey(),
            &[],
            amount,
        )
        .expect("mint_to");
        self.send(&[ix], &[&admin]).await.expect("mint to");
    }

    /// Token balance of `account`.
    pub async fn balance(&mut self, account: &Pubkey) -> u64 {
        let acc = self
            .ctx
            .banks_client
            .get_account(*account)
            .await
            .expect("get account")
            .expect("account exists");
        // The base layout (amount at offset 64) is shared by SPL Token and Token-2022.
        u64::from_le_bytes(acc.data[64..72].try_into().expect("8 bytes"))
    }

    /// Current cluster clock.
    pub async fn clock(&mut self) -> Clock {
        self.ctx
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .expect("clock")
    }

    /// Moves the cluster clock's unix timestamp by `secs`.
    pub async fn advance_time(&mut self, secs: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp += secs;
        self.ctx.set_sysvar(&clock);
    }

    /// A funded wallet with a token account holding `balance` and, if `cred` is given, a
    /// credential in the issuer tree (root published on chain).
    pub async fn wallet(&mut self, balance: u64, cred: Option<(u64, u16, u8, i64)>) -> Wallet {
        let keypair = Keypair::new();
        let key = keypair.pubkey();
        self.airdrop(&key, 1_000_000_000).await;
        let token_account = self.create_token_account(&key).await;
        if balance > 0 {
            self.mint_to(&token_account, balance).await;
        }
        let mut wallet = Wallet {
            keypair,
            credential: None,
            leaf_index: 0,
            token_account,
        };
        if let Some((subject, jurisdiction, tier, expiry)) = cred {
            let c = credential(subject, &key, jurisdiction, tier, expiry);
            let leaf = c.leaf().expect("leaf");
            wallet.leaf_index = self.credentials.push(leaf).expect("tree has room");
            wallet.credential = Some(c);
            self.publish_credential_root().await;
        }
        wallet
    }

    /// Publishes the issuer tree's current root.
    pub async fn publish_credential_root(&mut self) {
        let root = fr_to_be_bytes(&self.credentials.root());
        let ia = self.issuer_authority.insecure_clone();
        self.send(
            &[ix::publish_credential_root(&ia.pubkey(), ISSUER_ID, root)],
            &[&ia],
        )
        .await
        .expect("publish credential root");
    }

    /// Publishes the sanctions tree's current root.
    pub async fn publish_sanctions_root(&mut self) {
        let root = fr_to_be_bytes(&self.sanctions.root());
        let sa = self.sanctions_authority.insecure_clone();
        self.send(
            &[ix::publish_sanctions_root(&sa.pubkey(), SANCTIONS_ID, root)],
            &[&sa],
        )
        .await
        .expect("publish sanctions root");
    }

    /// `update_rule_set` of the default rule-set, signed by its authority.
    pub async fn update_rule_set(
        &mut self,
        config: RuleSetConfigArgs,
        refs: &ix::RuleSetRefs,
    ) -> Result<(), BanksClientError> {
        let rsa = self.rule_set_authority.insecure_clone();
        self.send(
            &[ix::update_rule_set(
                &rsa.pubkey(),
                RULE_SET_ID,
                config,
                refs,
            )],
            &[&rsa],
        )
        .await
    }

    /// The `RuleSet` account of rule-set `id` (it must exist).
    /// The Anchor account at `address` (panics if missing or of another type).
    pub async fn account<T: AccountDeserialize>(&mut self, address: &Pubkey) -> T {
        let account = self
            .ctx
            .banks_client
            .get_account(*address)
            .await
            .expect("rpc")
            .expect("account exists");
        T::try_deserialize(&mut account.data.as_slice()).expect("account of the expected type")
    }

    /// The rule-set account `id`.
    pub async fn rule_set_account(&mut self, id: u64) -> zkgate::state::RuleSet {
        let account = self
            .ctx
            .banks_client
            .get_account(pda::rule_set(id))
            .await
            .expect("rpc")
            .expect("rule-set exists");
        zkgate::state::RuleSet::try_deserialize(&mut account.data.as_slice()).expect("rule-set")
    }

    /// The subject state behind `wallet`'s credential under the default rule-set, if any.
    pub async fn subject_state(&mut self, wallet: &Wallet) -> Option<zkgate::state::SubjectState> {
        let address = pda::subject_state(&pda::rule_set(RULE_SET_ID), &wallet.subject_tag());
        let account = self.ctx.banks_client.get_account(address).await.ok()??;
        zkgate::state::SubjectState::try_deserialize(&mut account.data.as_slice()).ok()
    }

    /// The statement the program will recompute for a transfer from `from` to `to` that may
    /// land until `valid_until`, with the subject's nonce and volume read from chain now.
    pub async fn statement(
        &mut self,
        from: &Wallet,
        to: &Wallet,
        amount: u64,
        valid_until: i64,
    ) -> Statement {
        let recipient = to.keypair.pubkey();
        let now = self.clock().await.unix_timestamp;
        let state = self.subject_state(from).await;
        self.statement_with(from, &recipient, amount, valid_until, state.as_ref(), now)
    }

    /// [`World::statement`] with an explicit subject state and clock.
    pub fn statement_with(
        &self,
        from: &Wallet,
        recipient: &Pubkey,
        amount: u64,
        valid_until: i64,
        state: Option<&zkgate::state::SubjectState>,
        now: i64,
    ) -> Statement {
        let sender = from.keypair.pubkey();
        let mut statement = Statement {
            rule_set_id: RULE_SET_ID,
            rule_set_version: self.version,
            params_hash: self.params.hash_bytes(),
            credential_root: fr_to_be_bytes(&self.credentials.root()),
            sanctions_root: fr_to_be_bytes(&self.sanctions.root()),
            program_id: zkgate::ID.to_bytes(),
            sender: sender.to_bytes(),
            recipient: recipient.to_bytes(),
            mint: self.mint.to_bytes(),
            amount,
            nonce: state.map(|s| s.nonce).unwrap_or(0),
            window_volume: convert::window_volume(state, now, self.params.window_seconds),
            valid_until,
            subject_tag: from.subject_tag(),
            disclosure_hash: [0; 32],
        };
        self.seal(&mut statement, from);
        statement
    }

    /// Seals `from`'s disclosure into `statement` (a fresh secret) and remembers it for
    /// [`World::prove`] and [`World::transfer_ix`]; wallets without a usable witness (no
    /// credential, sanctioned) get none (their statements only meet refusals).
    pub fn seal(&self, statement: &mut Statement, from: &Wallet) {
        let Some(witness) = self.try_witness(from) else {
            return;
        };
        let issuer = pda::issuer(ISSUER_ID).to_bytes();
        if let Ok((posted, secret)) = zkgate_circuits::compliance::seal_disclosure(
            statement,
            &self.params,
            &witness,
            &issuer,
            &mut rand::rngs::OsRng,
        ) {
            self.disclosures
                .lock()
                .expect("disclosures")
                .insert(statement.disclosure_hash, (posted, secret));
        }
    }

    /// The disclosure posted and proven for `statement` (an all-zero one if none was sealed).
    pub fn disclosure(&self, statement: &Statement) -> (Disclosure, DisclosureWitness) {
        self.disclosures
            .lock()
            .expect("disclosures")
            .get(&statement.disclosure_hash)
            .cloned()
            .unwrap_or_else(|| {
                (
                    Disclosure {
                        ephemeral_key: [0; 64],
                        ciphertext: [[0; 32]; 4],
                    },
                    DisclosureWitness {
                        issuer: pda::issuer(ISSUER_ID).to_bytes(),
                        secret: zkgate_circuits::disclosure::DisclosureSecret::from_le_bytes(
                            [0; 32],
                        ),
                    },
                )
            })
    }

    /// [`World::witness`], or `None` for a wallet without credential or a sanctioned one.
    pub fn try_witness(&self, wallet: &Wallet) -> Option<ComplianceWitness> {
        let credential = wallet.credential.clone()?;
        let subject = fr_from_be_bytes(&credential.subject_id).ok()?;
        Some(ComplianceWitness {
            credential_path: self.credentials.path(wallet.leaf_index).ok()?,
            sanctions: self.sanctions.non_membership(&subject).ok()?,
            credential,
        })
    }

    /// The private witness for `wallet`'s credential against the current trees.
    pub fn witness(&self, wallet: &Wallet) -> ComplianceWitness {
        let credential = wallet.credential.clone().expect("wallet has a credential");
        let subject = fr_from_be_bytes(&credential.subject_id).expect("canonical subject id");
        ComplianceWitness {
            credential_path: self.credentials.path(wallet.leaf_index).expect("path"),
            sanctions: self
                .sanctions
                .non_membership(&subject)
                .expect("subject is not sanctioned"),
            credential,
        }
    }

    /// A real proof for `statement` with `witness` under the default keys.
    pub fn prove(&self, statement: &Statement, witness: ComplianceWitness) -> [u8; 256] {
        prove_with(
            keys(),
            statement,
            &self.params,
            witness,
            self.disclosure(statement).1,
        )
    }

    /// The accounts of a transfer from `from` to `to` in the world's mint.
    pub fn transfer_accounts(&self, from: &Wallet, to: &Wallet) -> TransferAccounts {
        TransferAccounts {
            sender: from.keypair.pubkey(),
            rule_set_id: RULE_SET_ID,
            issuer_id: ISSUER_ID,
            sanctions_list_id: SANCTIONS_ID,
            mint: self.mint,
            source: from.token_account,
            destination: to.token_account,
            token_program: self.token.program_id(),
            hooked: self.hooked,
            recipient: self.two_sided.then(|| to.keypair.pubkey()),
        }
    }

    /// The `valid_until` a wallet asks for: [`PROOF_LIFETIME`] past the cluster clock.
    pub async fn valid_until(&mut self) -> i64 {
        self.clock().await.unix_timestamp + PROOF_LIFETIME
    }

    /// The prover request a wallet would send for `from` → `to` now.
    pub async fn proof_request(&mut self, from: &Wallet, to: &Wallet, amount: u64) -> ProofRequest {
        let valid_until = self.valid_until().await;
        let statement = self.statement(from, to, amount, valid_until).await;
        ProofRequest::from_parts(
            &statement,
            &self.witness(from),
            &pda::issuer(ISSUER_ID).to_bytes(),
        )
    }

    /// Transfer instruction for `from` → `to` with the given proof.
    pub fn transfer_ix(
        &self,
        from: &Wallet,
        to: &Wallet,
        statement: &Statement,
        proof: [u8; 256],
    ) -> Instruction {
        ix::transfer(
            &self.transfer_accounts(from, to),
            TransferArgs {
                amount: statement.amount,
                valid_until: statement.valid_until,
                window_volume: statement.window_volume,
                subject_tag: statement.subject_tag,
                credential_root: statement.credential_root,
                sanctions_root: statement.sanctions_root,
                disclosure: convert::disclosure(&self.disclosure(statement).0),
                proof,
            },
        )
    }

    /// Makes the default rule-set two-sided: recipients need a pass living at most `ttl_secs`
    /// (`update_rule_set`, which bumps the version) and the pass circuit's key ([`pass_keys`])
    /// is set.
    pub async fn make_two_sided(&mut self, ttl_secs: u32) {
        self.make_two_sided_with(ttl_secs, &pass_keys().program_vk())
            .await
    }

    /// [`World::make_two_sided`] with the pass verifying key `pass_vk`.
    pub async fn make_two_sided_with(&mut self, ttl_secs: u32, pass_vk: &ProgramVerifyingKey) {
        let mut config = rule_set_config(&self.params);
        config.time.pass_ttl_secs = ttl_secs;
        self.update_rule_set(config, &rule_set_refs())
            .await
            .expect("two-sided update");
        self.version += 1;
        let rsa = self.rule_set_authority.insecure_clone();
        let admin = self.admin.insecure_clone();
        let vk = convert::vk_args(pass_vk);
        self.send(
            &[ix::set_pass_verifying_key(
                &rsa.pubkey(),
                &admin.pubkey(),
                RULE_SET_ID,
                vk,
            )],
            &[&rsa, &admin],
        )
        .await
        .expect("pass key");
        self.two_sided = true;
    }

    /// The pass statement `wallet` proves now, valid until `valid_until`.
    pub fn pass_statement(&self, wallet: &Wallet, valid_until: i64) -> PassStatement {
        PassStatement {
            rule_set_id: RULE_SET_ID,
            rule_set_version: self.version,
            params_hash: self.params.hash_bytes(),
            credential_root: fr_to_be_bytes(&self.credentials.root()),
            sanctions_root: fr_to_be_bytes(&self.sanctions.root()),
            program_id: zkgate::ID.to_bytes(),
            wallet: wallet.keypair.pubkey().to_bytes(),
            valid_until,
        }
    }

    /// The `issue_pass` arguments for `statement`, with a real pass proof of `wallet`.
    pub fn pass_args(&self, wallet: &Wallet, statement: &PassStatement) -> IssuePassArgs {
        let circuit = PassCircuit {
            statement: statement.clone(),
            params: self.params.clone(),
            witness: self.witness(wallet),
            depth: pass_keys().depth,
        };
        let proof = zkgate_circuits::proof::prove(pass_keys(), circuit, &mut rand::thread_rng())
            .expect("pass proof")
            .proof;
        IssuePassArgs {
            valid_until: statement.valid_until,
            credential_root: statement.credential_root,
            sanctions_root: statement.sanctions_root,
            proof,
        }
    }

    /// The pass request a wallet sends to the prover (`POST /v1/passes`), valid until
    /// `valid_until`.
    pub fn pass_request(&self, wallet: &Wallet, valid_until: i64) -> PassRequest {
        PassRequest::from_parts(
            &self.pass_statement(wallet, valid_until),
            &self.witness(wallet),
        )
    }

    /// The `issue_pass` instruction for `wallet` (paying itself) with `args`.
    pub fn issue_pass_ix(&self, wallet: &Wallet, args: IssuePassArgs) -> Instruction {
        let key = wallet.keypair.pubkey();
        ix::issue_pass(
            &ix::PassAccounts {
                payer: key,
                wallet: key,
                rule_set_id: RULE_SET_ID,
                issuer_id: ISSUER_ID,
                sanctions_list_id: SANCTIONS_ID,
            },
            args,
        )
    }

    /// Proves and records `wallet`'s pass, valid until `valid_until`.
    pub async fn issue_pass(
        &mut self,
        wallet: &Wallet,
        valid_until: i64,
    ) -> Result<Outcome, BanksClientError> {
        let statement = self.pass_statement(wallet, valid_until);
        let args = self.pass_args(wallet, &statement);
        let ixn = self.issue_pass_ix(wallet, args);
        let signer = wallet.keypair.insecure_clone();
        self.send_with_logs(&[ixn], &[&signer]).await
    }

    /// `wallet`'s pass under the default rule-set, if any.
    pub async fn pass_account(&mut self, wallet: &Wallet) -> Option<zkgate::state::Pass> {
        let address = pda::pass(&pda::rule_set(RULE_SET_ID), &wallet.keypair.pubkey());
        let account = self
            .ctx
            .banks_client
            .get_account(address)
            .await
            .expect("rpc")?;
        Some(zkgate::state::Pass::try_deserialize(&mut &account.data[..]).expect("pass account"))
    }

    /// The arguments of a proven `transfer` / `approve` of `amount` from `from` to `to` now.
    pub async fn proved_args(&mut self, from: &Wallet, to: &Wallet, amount: u64) -> TransferArgs {
        let valid_until = self.valid_until().await;
        let statement = self.statement(from, to, amount, valid_until).await;
        let proof = self.prove(&statement, self.witness(from));
        TransferArgs {
            amount: statement.amount,
            valid_until: statement.valid_until,
            window_volume: statement.window_volume,
            subject_tag: statement.subject_tag,
            credential_root: statement.credential_root,
            sanctions_root: statement.sanctions_root,
            disclosure: convert::disclosure(&self.disclosure(&statement).0),
            proof,
        }
    }

    /// The hook's approval for transfers of the world's mint from `source`, if recorded.
    pub async fn approval(&mut self, source: &Pubkey) -> Option<zkgate_hook::state::Approval> {
        let address = pda::hook::approval(&self.mint, source);
        let account = self
            .ctx
            .banks_client
            .get_account(address)
            .await
            .expect("rpc")?;
        Some(
            zkgate_hook::state::Approval::try_deserialize(&mut &account.data[..])
                .expect("approval account"),
        )
    }

    /// Proves and sends a compliant transfer of `amount` now.
    pub async fn transfer(
        &mut self,
        from: &Wallet,
        to: &Wallet,
        amount: u64,
    ) -> Result<Outcome, BanksClientError> {
        let valid_until = self.valid_until().await;
        let statement = self.statement(from, to, amount, valid_until).await;
        let proof = self.prove(&statement, self.witness(from));
        let ix = self.transfer_ix(from, to, &statement, proof);
        let signer = from.keypair.insecure_clone();
        self.send_with_logs(&[ix], &[&signer]).await
    }
}

/// A real Groth16 proof for `statement` under `keys` (with the disclosure witness sealed into
/// it, [`World::disclosure`]).
pub fn prove_with(
    keys: &KeySet,
    statement: &Statement,
    params: &RuleSetParams,
    witness: ComplianceWitness,
    disclosure: DisclosureWitness,
) -> [u8; 256] {
    let circuit = ComplianceCircuit {
        statement: statement.clone(),
        params: params.clone(),
        witness,
        disclosure,
        depth: keys.depth,
    };
    zkgate_circuits::proof::prove(keys, circuit, &mut rand::thread_rng())
        .expect("prove")
        .proof
}

/// Asserts that `result` failed with the zkgate error `expected`.
#[track_caller]
pub fn assert_zkgate_err<T: std::fmt::Debug>(
    result: Result<T, BanksClientError>,
    expected: ZkgateError,
) {
    assert_custom_err(
        result,
        anchor_lang::error::ERROR_CODE_OFFSET + expected as u32,
        &format!("{expected:?}"),
    );
}

/// Asserts that `result` failed with the zkgate-hook error `expected` (from any instruction:
/// the hook runs inside Token-2022's transfer).
#[track_caller]
pub fn assert_hook_err<T: std::fmt::Debug>(
    result: Result<T, BanksClientError>,
    expected: zkgate_hook::errors::HookError,
) {
    assert_custom_err(
        result,
        anchor_lang::error::ERROR_CODE_OFFSET + expected as u32,
        &format!("{expected:?}"),
    );
}

/// Asserts that `result` failed with an Anchor framework error.
#[track_caller]
pub fn assert_anchor_err<T: std::fmt::Debug>(
    result: Result<T, BanksClientError>,
    expected: anchor_lang::error::ErrorCode,
) {
    assert_custom_err(result, expected as u32, &format!("{expected:?}"));
}

#[track_caller]
fn assert_custom_err<T: std::fmt::Debug>(
    result: Result<T, BanksClientError>,
    code: u32,
    name: &str,
) {
    match result {
        Err(BanksClientError::TransactionError(TransactionError::InstructionError(
            _,
            InstructionError::Custom(got),
        ))) => assert_eq!(
            got, code,
            "expected {name} ({code}), got custom error {got}"
        ),
        other => panic!("expected {name} ({code}), got {other:?}"),
    }
}

/// The `TransferApproved` events of a transaction.
pub fn transfer_events(outcome: &Outcome) -> Vec<TransferApproved> {
    outcome.events()
}

/// The payloads of zkgate's and zkgate-hook's event CPIs among a transaction's inner
/// instructions: instructions to either program whose data starts with Anchor's event tag and
/// whose only account is that program's event authority.
pub fn event_payloads(
    tx: &Transaction,
    inner: &[solana_sdk::inner_instruction::InnerInstructions],
) -> Vec<Vec<u8>> {
    event_payloads_with_keys(&tx.message.account_keys, inner)
}

/// [`event_payloads`] given the transaction's account keys in the runtime's order (static keys,
/// then the lookup tables' writable and read-only addresses).
pub fn event_payloads_with_keys(
    keys: &[Pubkey],
    inner: &[solana_sdk::inner_instruction::InnerInstructions],
) -> Vec<Vec<u8>> {
    inner
        .iter()
        .flatten()
        .filter(|i| {
            let program = keys.get(i.instruction.program_id_index as usize);
            let authority = i
                .instruction
                .accounts
                .first()
                .and_then(|a| keys.get(*a as usize));
            match (program, authority) {
                (Some(p), Some(a)) if *p == zkgate::ID => *a == zkgate::EVENT_AUTHORITY_AND_BUMP.0,
                (Some(p), Some(a)) if *p == zkgate_hook::ID => {
                    *a == zkgate_hook::EVENT_AUTHORITY_AND_BUMP.0
                }
                _ => false,
            }
        })
        .filter_map(|i| {
            i.instruction
                .data
                .strip_prefix(anchor_lang::event::EVENT_IX_TAG_LE)
                .map(<[u8]>::to_vec)
        })
        .collect()
}
