//! `zkgate demo`: the whole system on this machine, with no outside services.
//!
//! Starts the prover service on a loopback port and the zkgate program inside an in-process
//! Solana runtime (with the real Token-2022 program), sets up the registry, issues credentials,
//! asks the prover over HTTP for a proof, sends `transfer`, and shows refusals; then a mint
//! whose transfer hook is zkgate-hook refuses a transfer without a proof and passes one with;
//! then the rule-set becomes two-sided and a recipient without a pass is refused until it
//! proves one.
use std::io::Write;
use std::time::{Duration, Instant};

use solana_sdk::signature::Signer;
use zkgate_circuits::encoding::fr_to_be_bytes;
use zkgate_circuits::keys::{CircuitKind, KeySet};
use zkgate_client::ix::{self, transfer_from_proof};
use zkgate_prover::client::ClientError;
use zkgate_tests::local_prover::{rule_set_entry, two_sided_entry, LocalProver};
use zkgate_tests::{default_params, transfer_events, TokenKind, Wallet, World};

use crate::demo_registry::DemoRegistry;

/// Runs `f`, printing `label`, a progress indicator while it takes over a second, and the time.
async fn step<T, F: std::future::Future<Output = T>>(label: &str, f: F) -> T {
    println!("  > {label}");
    let started = Instant::now();
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let ticker = tokio::spawn(async move {
        tokio::select! {
            _ = &mut stop_rx => return,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        print!("    working ");
        loop {
            print!(".");
            let _ = std::io::stdout().flush();
            tokio::select! {
                _ = &mut stop_rx => break,
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            }
        }
        println!();
    });
    let out = f.await;
    let took = started.elapsed();
    let _ = stop_tx.send(());
    let _ = ticker.await;
    println!("    done in {took:.1?}");
    out
}

/// Runs `f` with standard output captured: natively, the program's own log lines (`msg!`, e.g.
/// Anchor's "AnchorError thrown ...") go to stdout; they come back indented, marked as the
/// program's log, instead of interleaving with the demo's output.
async fn with_program_log<T, F: std::future::Future<Output = T>>(f: F) -> T {
    let _ = std::io::stdout().flush();
    let capture = gag::BufferRedirect::stdout();
    let out = f.await;
    if let Ok(mut capture) = capture {
        let _ = std::io::stdout().flush();
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut capture, &mut text);
        drop(capture);
        for line in text.lines() {
            println!("    program log: {line}");
        }
    }
    out
}

fn refusal(r: Result<zkgate_client::api::ProofResponse, ClientError>) -> String {
    match r {
        Err(ClientError::Api { status, body }) => format!("{status} {}", body.error.code),
        Err(e) => format!("error: {e}"),
        Ok(_) => "UNEXPECTEDLY PROVEN".into(),
    }
}

/// Runs the demo at tree depth `depth`, with the keys of `key_dir` if given (else
/// single-party keys made now), refusing single-party keys if `require_ceremony_keys`.
pub fn run(
    depth: usize,
    key_dir: Option<std::path::PathBuf>,
    require_ceremony_keys: bool,
) -> Result<(), String> {
    // The in-process runtime logs every instruction at debug level unless told otherwise; the
    // demo prints its own summary. (Set before any thread starts.)
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(demo(depth, key_dir, require_ceremony_keys))
}

/// The compliance and pass keys of `dir` (`dir/pass`), checked for `depth` and the policy.
fn load_keys(
    dir: &std::path::Path,
    depth: usize,
    require_ceremony_keys: bool,
) -> Result<(KeySet, KeySet), String> {
    let keys = KeySet::load_dir(dir, None).map_err(|e| format!("{}: {e}", dir.display()))?;
    let pass_dir = dir.join("pass");
    let pass = KeySet::load_dir_for(CircuitKind::Pass, &pass_dir, None)
        .map_err(|e| format!("{}: {e}", pass_dir.display()))?;
    for k in [&keys, &pass] {
        if k.depth != depth {
            return Err(format!(
                "the {} keys are for depth {}, the demo runs at depth {depth} (--depth)",
                k.kind.name(),
                k.depth
            ));
        }
        if require_ceremony_keys && (k.insecure_single_party || k.ceremony.is_none()) {
            return Err(format!(
                "the {} keys come from a single-party setup and --require-ceremony-keys is set",
                k.kind.name()
            ));
        }
    }
    Ok((keys, pass))
}

async fn demo(
    depth: usize,
    key_dir: Option<std::path::PathBuf>,
    require_ceremony_keys: bool,
) -> Result<(), String> {
    let total = Instant::now();
    println!("zkgate demo: zero-knowledge compliance for Solana token transfers\n");
    println!("setup");
    let (keys, pass_keys) = match key_dir {
        Some(dir) => {
            let (keys, pass) = step(&format!("keys from {}", dir.display()), async move {
                load_keys(&dir, depth, require_ceremony_keys)
            })
            .await?;
            for k in [&keys, &pass] {
                match &k.ceremony {
                    Some(c) => println!(
                        "    {}: ceremony keys, {} contribution(s) (last: {}), transcript {}…",
                        k.kind.name(),
                        c.contributions.len(),
                        c.contributions.last().map_or("", |c| c.name.as_str()),
                        &c.zkey_sha256[..16]
                    ),
                    None => println!(
                        "    {}: WARNING: single-party keys (INSECURE)",
                        k.kind.name()
                    ),
                }
            }
            (keys, pass)
        }
        None if require_ceremony_keys => {
            return Err("--require-ceremony-keys needs --key-dir (ceremony keys)".into())
        }
        None => generate_keys(depth).await?,
    };
    println!("    vk hash {}", hex::encode(keys.vk_hash));
    println!("    pass vk hash {}", hex::encode(pass_keys.vk_hash));
    demo_with(depth, keys, pass_keys, total).await
}

async fn generate_keys(depth: usize) -> Result<(KeySet, KeySet), String> {
    let keys = step(
        &format!("Groth16 setup, compliance circuit (depth {depth})"),
        async move {
            tokio::task::spawn_blocking(move || KeySet::generate(depth, &mut rand::rngs::OsRng))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())
        },
    )
    .await?;
    let pass_keys = step(
        &format!("Groth16 setup, recipient-pass circuit (depth {depth})"),
        async move {
            tokio::task::spawn_blocking(move || {
                KeySet::generate_for(CircuitKind::Pass, depth, &mut rand::rngs::OsRng)
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
        },
    )
    .await?;
    println!("    WARNING: single-party development keys: INSECURE, for this demo only");
    Ok((keys, pass_keys))
}

async fn demo_with(
    depth: usize,
    keys: KeySet,
    pass_keys: KeySet,
    total: Instant,
) -> Result<(), String> {
    // The auditor's key pair (`zkgate audit keygen`): the rule-set names its public key and
    // every transfer proof encrypts the sender's identity to it.
    let auditor = zkgate_client::audit::AuditorKeyFile::generate(&mut rand::rngs::OsRng);
    let mut params = default_params();
    params.auditor_key = auditor.public_key().map_err(|e| e.to_string())?;
    println!(
        "    auditor key {}…  (zkgate audit keygen)",
        &auditor.public_key_hex[..32]
    );
    // Version 1: one-sided; version 2 (after the two-sided update below) also proves passes.
    let entries = vec![
        rule_set_entry(&keys, &params),
        two_sided_entry(&keys, &pass_keys, &params, 2),
    ];
    let prover = step(
        "prover service on 127.0.0.1 (HTTP)",
        LocalProver::start(entries),
    )
    .await
    .map_err(|e| e.to_string())?;
    println!("    {}", prover.base);
    let vk = keys.program_vk();
    let mut w = step(
        "Solana runtime + Token-2022; config, issuer, sanctions list, rule-set",
        World::with_vk_at_depth(TokenKind::Token2022, params, &vk, depth),
    )
    .await;
    // Everything from here on, as a node serves it: the watcher follows the run live.
    let history = w.record_history();
    let monitor = start_watch(&w, history).await?;
    let reg = step(
        "registry service on 127.0.0.1 (SQLite, API keys per role); list operator imports the list",
        DemoRegistry::start(&w, depth, &[1_000_003, 2_000_003]),
    )
    .await?;
    println!("    {}", reg.base);
    let far = 4_000_000_000;
    let (alice, bob, erin, mallory) = step(
        "issuer operator issues credentials to alice, bob, erin, mallory (POST /v1/issuers/1/credentials)",
        async {
            // Erin's credential expires in a minute: before any proof she asks for could land.
            let soon = zkgate_registry::registry::now() + 60;
            Ok::<_, String>((
                reg.wallet(&mut w, 100_000, (101, 840, 2, far)).await?,
                reg.wallet(&mut w, 0, (102, 276, 1, far)).await?,
                reg.wallet(&mut w, 100_000, (103, 840, 2, soon)).await?,
                reg.wallet(&mut w, 100_000, (104, 250, 2, far)).await?,
            ))
        },
    )
    .await?;
    let published = step(
        "registry publishes the issuer root (created -> sent -> confirmed, JSON-RPC)",
        reg.publish(),
    )
    .await?;
    println!(
        "    confirmed: {}; registry and chain agree: {}",
        published.join(", "),
        reg.in_step(&w).await?
    );
    println!(
        "    alice  {}  tier 2, US, 100000 tokens",
        alice.keypair.pubkey()
    );
    println!("    bob    {}  tier 1, DE", bob.keypair.pubkey());
    println!("    erin   {}  credential expiring", erin.keypair.pubkey());
    println!(
        "    mallory {} about to be sanctioned",
        mallory.keypair.pubkey()
    );

    println!("\napproved transfer: alice -> bob, 2500");
    let req = step(
        "alice's wallet: signed challenge -> credential, path, non-membership (registry)",
        reg.proof_request(&mut w, &alice, &bob, 2_500),
    )
    .await?;
    let resp = step(
        "prover: check rules, prove, self-verify (POST /v1/proofs)",
        prover.client.prove(&req),
    )
    .await
    .map_err(|e| e.to_string())?;
    println!(
        "    proof {}…  ({} ms proving)",
        &resp.proof_hex[..32],
        resp.proving_ms
    );
    let ix = transfer_from_proof(&w.transfer_accounts(&alice, &bob), &req, &resp)
        .map_err(|e| e.to_string())?;
    let signer = alice.keypair.insecure_clone();
    let logs = step(
        "program: recompute statement, verify Groth16, transfer_checked",
        w.send_with_logs(std::slice::from_ref(&ix), &[&signer]),
    )
    .await
    .map_err(|e| format!("transfer refused: {e:?}"))?;
    println!(
        "    balances: alice {}  bob {}",
        w.balance(&alice.token_account).await,
        w.balance(&bob.token_account).await
    );
    for e in transfer_events(&logs) {
        println!(
            "    audit event TransferApproved: rule-set {} v{}, {} -> {}, amount {}, nonce {}, \
             statement {}…, slot {}",
            e.rule_set_id,
            e.rule_set_version,
            e.sender,
            e.recipient,
            e.amount,
            e.nonce,
            &hex::encode(e.statement_hash)[..16],
            e.slot
        );
        // What an auditor does: recompute the proven statement from the event alone.
        let recomputed = e
            .statement()
            .and_then(|s| s.hash())
            .map_err(|err| err.to_string())?;
        println!(
            "    auditor: statement hash recomputed from the event {}",
            if recomputed == e.statement_hash {
                "matches"
            } else {
                "DOES NOT MATCH"
            }
        );
        // What only the auditor can do: open the disclosure (`zkgate audit decrypt`).
        let report = crate::audit::open_with(&e, std::slice::from_ref(&auditor))
            .map_err(|err| format!("auditor could not open the transfer: {err}"))?;
        println!(
            "    auditor decrypts: subject {}…, issuer {}, leaf {}, jurisdiction {}, tier {}, \
             expiry {}",
            &report.subject_id_hex[..16],
            report.issuer,
            report.leaf_index,
            report.jurisdiction,
            report.tier,
            report.expiry
        );
        let wrong = zkgate_client::audit::AuditorKeyFile::generate(&mut rand::rngs::OsRng)
            .secret()
            .map_err(|err| err.to_string())?;
        let disclosure = zkgate_circuits::disclosure::Disclosure {
            ephemeral_key: e.disclosure.ephemeral_key,
            ciphertext: e.disclosure.ciphertext,
        };
        match disclosure.open(&wrong, e.rule_set_id, e.nonce) {
            Ok(_) => return Err("a wrong auditor key opened the transfer".into()),
            Err(err) => println!("    a wrong key: refused ({err})"),
        }
    }

    println!("\nrefusals");
    let req = reg.proof_request(&mut w, &erin, &bob, 100).await?;
    let r = step(
        "erin (credential expiring before the proof would) asks for a proof",
        prover.client.prove(&req),
    )
    .await;
    println!("    prover: {}", refusal(r));
    let req = reg.proof_request(&mut w, &alice, &bob, 20_000).await?;
    let r = step(
        "alice asks to send 20000 (tier-2 limit 10000)",
        prover.client.prove(&req),
    )
    .await;
    println!("    prover: {}", refusal(r));
    let mut req = reg.proof_request(&mut w, &mallory, &bob, 100).await?;
    step(
        "list operator lists mallory; registry publishes the list root",
        async {
            reg.list_subject(&mut w, &mallory).await?;
            reg.publish().await
        },
    )
    .await?;
    match reg.witness(&mallory).await {
        Ok(_) => return Err("the registry served a listed subject a witness".into()),
        Err(e) => println!("    {e}"),
    }
    req.transfer.sanctions_root = hex::encode(fr_to_be_bytes(&w.sanctions.root()));
    let r = step(
        "mallory, listed on the new sanctions root, asks",
        prover.client.prove(&req),
    )
    .await;
    println!("    prover: {}", refusal(r));
    w.ctx
        .get_new_latest_blockhash()
        .await
        .map_err(|e| e.to_string())?;
    let r = step(
        "replay of alice's transfer instruction",
        with_program_log(w.send(std::slice::from_ref(&ix), &[&signer])),
    )
    .await;
    println!("    program: {}", describe(r));
    let mut forged = ix.clone();
    let data_len = forged.data.len();
    forged.data[data_len - 1] ^= 1;
    // Claim the subject's current window volume (8-byte discriminator, amount, valid_until,
    // then window_volume), so the forgery gets past the volume check to the proof check.
    forged.data[24..32].copy_from_slice(&2_500u64.to_le_bytes());
    let r = step(
        "alice's proof with one byte changed (forged)",
        with_program_log(w.send(&[forged], &[&signer])),
    )
    .await;
    println!("    program: {}", describe(r));
    println!(
        "    balances unchanged: alice {}  bob {}",
        w.balance(&alice.token_account).await,
        w.balance(&bob.token_account).await
    );
    let (carol, dave) = hooked_mint(&mut w, &prover, &reg).await?;
    two_sided(&mut w, &prover, &reg, &pass_keys, &carol, &dave).await?;
    watch(&w, monitor).await?;
    prover.stop().await;
    reg.stop();
    println!("\ndone in {:.1?}", total.elapsed());
    Ok(())
}

/// The watcher following the demo: its node, its background task, its store and directory.
struct Monitor {
    _shim: zkgate_tests::rpc::RpcShim,
    watcher: zkgate_watch::ingest::Watcher,
    running: zkgate_watch::ingest::Running,
    metrics: std::sync::Arc<zkgate_watch::metrics::Metrics>,
    dir: std::path::PathBuf,
}

/// Monitoring: zkgate-watch follows the run through a JSON-RPC endpoint and its websocket (as
/// on a cluster), woken by `logsSubscribe` as each transaction lands.
async fn start_watch(
    w: &World,
    history: zkgate_tests::history::History,
) -> Result<Monitor, String> {
    use zkgate_watch::rules::{Refusals, Rules};
    let shim = step(
        "zkgate-watch follows the run: JSON-RPC (getSignaturesForAddress, getTransaction) and logsSubscribe",
        zkgate_tests::rpc::RpcShim::with_history(w.ctx.banks_client.clone(), history),
    )
    .await;
    let dir = std::env::temp_dir().join(format!("zkgate-demo-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = format!("sqlite://{}?mode=rwc", dir.join("watch.db").display());
    let db = zkgate_db::Database::connect(&url, zkgate_watch::store::MIGRATIONS)
        .await
        .map_err(|e| e.to_string())?;
    let store = zkgate_watch::store::Store::new(db);
    // The default rules, with every refusal alerting (a demo run is short; the default is
    // five with one error code in an hour).
    let rules = Rules {
        refusals: Some(Refusals {
            window_secs: 3600,
            min_count: 1,
        }),
        ..Rules::default()
    };
    let metrics = std::sync::Arc::new(zkgate_watch::metrics::Metrics::default());
    let watcher = zkgate_watch::ingest::Watcher::new(
        zkgate_watch::rpc::Rpc::new(&shim.url),
        store,
        rules,
        zkgate::ID.to_string(),
        zkgate::EVENT_AUTHORITY_AND_BUMP.0.to_string(),
        metrics.clone(),
    );
    // Polling once a minute: within the run, only notifications bring transactions in.
    let running = watcher
        .clone()
        .spawn(std::time::Duration::from_secs(60), shim.ws_url.clone());
    for _ in 0..500 {
        if metrics.subscription.up() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    if !metrics.subscription.up() {
        return Err("the watcher did not subscribe".into());
    }
    println!(
        "    subscribed at {}",
        shim.ws_url.as_deref().unwrap_or_default()
    );
    Ok(Monitor {
        _shim: shim,
        watcher,
        running,
        metrics,
        dir,
    })
}

/// The watcher's alerts for the run, raised as it went, and the day's report.
async fn watch(w: &World, monitor: Monitor) -> Result<(), String> {
    let Monitor {
        _shim,
        watcher,
        running,
        metrics,
        dir,
    } = monitor;
    running.stop().await;
    // A last pass: anything a notification did not bring in yet (nothing, normally).
    let last = watcher.sync().await.map_err(|e| e.to_string())?;
    let store = watcher.store().clone();
    let mut alerts = store.alerts(false, 1000).await.map_err(|e| e.to_string())?;
    alerts.reverse();
    println!(
        "    {} notifications woke the watcher; {} transactions then on its last pass; {} alerts \
         raised as the run went:",
        metrics.subscription.notifications(),
        last.stored,
        alerts.len()
    );
    for a in &alerts {
        println!("    [{}] {}", a.rule, a.detail);
    }
    let clock = w
        .ctx
        .banks_client
        .get_sysvar::<solana_sdk::clock::Clock>()
        .await
        .map_err(|e| e.to_string())?;
    let day = zkgate_watch::report::day_of(clock.unix_timestamp);
    let report = zkgate_watch::report::load_day(&store, &day)
        .await
        .map_err(|e| e.to_string())?;
    for path in report.write(&dir).map_err(|e| e.to_string())? {
        println!("    report: {}", path.display());
    }
    Ok(())
}

/// Mint-level enforcement: a mint whose transfer hook is zkgate-hook cannot move without a
/// verified proof, whoever sends the transfer.
async fn hooked_mint(
    w: &mut World,
    prover: &LocalProver,
    reg: &DemoRegistry,
) -> Result<(Wallet, Wallet), String> {
    println!("\nmint-level enforcement: a Token-2022 mint whose transfer hook is zkgate-hook");
    let mint = step(
        "admin: create the mint (TransferHook -> zkgate-hook), configure_mint_hook",
        with_program_log(w.use_hooked_mint(None)),
    )
    .await;
    println!("    mint {mint}");
    let far = 4_000_000_000;
    let (carol, dave) = step(
        "carol (tier 2, US, 50000 tokens) and dave get accounts and credentials (registry)",
        with_program_log(async {
            let carol = reg.wallet(w, 50_000, (105, 840, 2, far)).await?;
            let dave = reg.wallet(w, 0, (106, 276, 1, far)).await?;
            reg.publish().await?;
            Ok::<_, String>((carol, dave))
        }),
    )
    .await?;
    let signer = carol.keypair.insecure_clone();
    let plain = ix::hooked_transfer_checked(
        &carol.token_account,
        &mint,
        &dave.token_account,
        &signer.pubkey(),
        1_000,
        w.decimals,
    );
    let r = step(
        "carol sends 1000 with a plain transfer_checked, no proof",
        with_program_log(w.send(std::slice::from_ref(&plain), &[&signer])),
    )
    .await;
    println!("    token-2022 + hook: {}", describe_hook(r.map(|_| ())));

    let req = reg.proof_request(w, &carol, &dave, 1_000).await?;
    let resp = step(
        "prover: proof for carol -> dave, 1000",
        prover.client.prove(&req),
    )
    .await
    .map_err(|e| e.to_string())?;
    let args = ix::args_from_proof(&req, &resp).map_err(|e| e.to_string())?;
    let approve = ix::approve(&w.transfer_accounts(&carol, &dave), args);
    step(
        "carol: [zkgate approve (verifies, records), transfer_checked] in one transaction",
        with_program_log(w.send(&[approve, plain.clone()], &[&signer])),
    )
    .await
    .map_err(|e| format!("approved transfer refused: {e:?}"))?;
    println!(
        "    balances: carol {}  dave {}",
        w.balance(&carol.token_account).await,
        w.balance(&dave.token_account).await
    );
    w.ctx
        .get_new_latest_blockhash()
        .await
        .map_err(|e| e.to_string())?;
    let r = step(
        "the same transfer_checked again",
        with_program_log(w.send(std::slice::from_ref(&plain), &[&signer])),
    )
    .await;
    println!("    token-2022 + hook: {}", describe_hook(r.map(|_| ())));
    Ok((carol, dave))
}

/// Two-sided compliance: the recipient must hold a pass, proven with the pass circuit.
async fn two_sided(
    w: &mut World,
    prover: &LocalProver,
    reg: &DemoRegistry,
    pass_keys: &KeySet,
    carol: &Wallet,
    dave: &Wallet,
) -> Result<(), String> {
    println!("\ntwo-sided compliance: the recipient must hold a pass");
    step(
        "rule-set authority + admin: passes required (TTL 1 day), set_pass_verifying_key",
        with_program_log(w.make_two_sided_with(86_400, &pass_keys.program_vk())),
    )
    .await;
    println!("    rule-set version {}", w.version);
    let req = reg.proof_request(w, carol, dave, 500).await?;
    let resp = step(
        "prover: proof for carol -> dave, 500",
        prover.client.prove(&req),
    )
    .await
    .map_err(|e| e.to_string())?;
    let ix = transfer_from_proof(&w.transfer_accounts(carol, dave), &req, &resp)
        .map_err(|e| e.to_string())?;
    let signer = carol.keypair.insecure_clone();
    let r = step(
        "carol: transfer to dave, who holds no pass",
        with_program_log(w.send(std::slice::from_ref(&ix), &[&signer])),
    )
    .await;
    println!("    program: {}", describe(r));

    let valid_until = w.clock().await.unix_timestamp + 30 * 86_400;
    let pass_req = reg.pass_request(w, dave, valid_until).await?;
    let pass = step(
        "prover: dave's pass (POST /v1/passes)",
        prover.client.pass(&pass_req),
    )
    .await
    .map_err(|e| e.to_string())?;
    println!(
        "    pass proof {}…  ({} ms proving)",
        &pass.proof_hex[..32],
        pass.proving_ms
    );
    let args = pass.issue_pass_args(&pass_req).map_err(|e| e.to_string())?;
    let dave_signer = dave.keypair.insecure_clone();
    step(
        "program: issue_pass (recompute pass statement, verify Groth16)",
        with_program_log(w.send(&[w.issue_pass_ix(dave, args)], &[&dave_signer])),
    )
    .await
    .map_err(|e| format!("issue_pass refused: {e:?}"))?;
    let account = w.pass_account(dave).await.ok_or("dave's pass exists")?;
    println!(
        "    dave's pass: rule-set v{}, expires at {} (TTL-capped), no personal data",
        account.rule_set_version, account.expires_at
    );
    w.ctx
        .get_new_latest_blockhash()
        .await
        .map_err(|e| e.to_string())?;
    step(
        "carol: the same transfer again",
        with_program_log(w.send(std::slice::from_ref(&ix), &[&signer])),
    )
    .await
    .map_err(|e| format!("transfer refused: {e:?}"))?;
    println!(
        "    balances: carol {}  dave {}",
        w.balance(&carol.token_account).await,
        w.balance(&dave.token_account).await
    );
    Ok(())
}

/// A refusal by zkgate-hook (inside Token-2022's transfer), named.
fn describe_hook(r: Result<(), solana_program_test::BanksClientError>) -> String {
    use solana_sdk::instruction::InstructionError;
    use solana_sdk::transaction::TransactionError;
    use zkgate_hook::errors::HookError as H;
    match r {
        Ok(()) => "UNEXPECTEDLY ACCEPTED".into(),
        Err(solana_program_test::BanksClientError::TransactionError(
            TransactionError::InstructionError(_, InstructionError::Custom(code)),
        )) => {
            let name = [H::NoApproval, H::ApprovalUsed, H::ApprovalExpired]
                .into_iter()
                .find(|e| anchor_lang::error::ERROR_CODE_OFFSET + *e as u32 == code)
                .map(|e| format!("{e:?}: {e}"))
                .unwrap_or_else(|| "hook error".into());
            format!("refused, error {code} ({name})")
        }
        Err(e) => format!("refused: {e:?}"),
    }
}

fn describe(r: Result<(), solana_program_test::BanksClientError>) -> String {
    use solana_sdk::instruction::InstructionError;
    use solana_sdk::transaction::TransactionError;
    match r {
        Ok(()) => "UNEXPECTEDLY ACCEPTED".into(),
        Err(solana_program_test::BanksClientError::TransactionError(
            TransactionError::InstructionError(_, InstructionError::Custom(code)),
        )) => {
            let name = (code >= anchor_lang::error::ERROR_CODE_OFFSET)
                .then(|| zkgate_error_name(code - anchor_lang::error::ERROR_CODE_OFFSET))
                .flatten()
                .unwrap_or("anchor error");
            format!("refused, error {code} ({name})")
        }
        Err(e) => format!("refused: {e:?}"),
    }
}

fn zkgate_error_name(index: u32) -> Option<&'static str> {
    use zkgate::errors::ZkgateError as E;
    [
        E::InvalidProof,
        E::MalformedProof,
        E::PublicInputNotReduced,
        E::WindowVolumeUnderstated,
        E::RecipientPassMissing,
    ]
    .into_iter()
    .find(|e| *e as u32 == index)
    .map(|e| match e {
        E::InvalidProof => "InvalidProof: proof does not verify for this statement",
        E::MalformedProof => "MalformedProof: point not on curve",
        E::WindowVolumeUnderstated => {
            "WindowVolumeUnderstated: the subject's volume and nonce moved on"
        }
        E::RecipientPassMissing => "RecipientPassMissing: recipient has no pass for this rule-set",
        _ => "PublicInputNotReduced",
    })
}
