//! The committed IDLs (`idl/zkgate.json`, `idl/zkgate_hook.json`) and their TypeScript types
//! (`idl/*.ts`) must match the programs. Regenerate with
//! `ZKGATE_WRITE_IDL=1 cargo test -p zkgate-tests --test suite idl`.
use zkgate_tests::idl::{build_program_idl, program_idl_ts, workspace_root};

/// Both programs' IDLs in one test: the second build reuses the first's target directory.
#[test]
fn committed_idls_are_up_to_date() {
    for (program, file, type_name) in [
        ("zkgate", "zkgate", "Zkgate"),
        ("zkgate-hook", "zkgate_hook", "ZkgateHook"),
    ] {
        let json = build_program_idl(program).expect("IDL builds");
        let ts = program_idl_ts(&json, file, type_name).expect("IDL converts to TypeScript");
        let dir = workspace_root().join("idl");
        let (json_file, ts_file) = (format!("{file}.json"), format!("{file}.ts"));
        if std::env::var_os("ZKGATE_WRITE_IDL").is_some() {
            std::fs::create_dir_all(&dir).expect("idl dir");
            std::fs::write(dir.join(&json_file), &json).expect("write idl");
            std::fs::write(dir.join(&ts_file), &ts).expect("write idl types");
        }
        for (file, fresh) in [(&json_file, &json), (&ts_file, &ts)] {
            let committed = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
            assert!(
                &committed == fresh,
                "idl/{file} is out of date with the program; regenerate with \
                 ZKGATE_WRITE_IDL=1 cargo test -p zkgate-tests --test suite idl"
            );
        }
    }
}

#[test]
fn idl_names_every_instruction() {
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("idl/zkgate.json")).expect("idl"),
    )
    .expect("json");
    let names: Vec<&str> = json["instructions"]
        .as_array()
        .expect("instructions")
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    for expected in [
        "initialize",
        "propose_admin",
        "accept_admin",
        "set_paused",
        "register_rule_set",
        "update_rule_set",
        "set_rule_set_status",
        "set_verifying_key",
        "propose_authority",
        "accept_authority",
        "set_sanctions_list_active",
        "add_issuer",
        "set_issuer_active",
        "publish_credential_root",
        "create_sanctions_list",
        "publish_sanctions_root",
        "transfer",
        "approve",
        "configure_mint_hook",
    ] {
        assert!(names.contains(&expected), "IDL lacks {expected}");
    }
}

/// The `transfer` instruction the Rust client builds for fixed inputs, as JSON. The generated
/// `@solana/kit` client must build the same bytes and account metas from the same inputs
/// (`scripts/kit-check.sh` checks that side against the committed fixture).
fn transfer_fixture() -> String {
    use anchor_lang::prelude::Pubkey;
    use zkgate_client::ix::{transfer, TransferAccounts};
    let key = |b: u8| Pubkey::new_from_array([b; 32]);
    let accounts = TransferAccounts {
        sender: key(1),
        rule_set_id: 7,
        issuer_id: 3,
        sanctions_list_id: 2,
        mint: key(4),
        source: key(5),
        destination: key(6),
        token_program: anchor_spl::token_2022::ID,
        hooked: true,
        recipient: None,
    };
    let mut proof = [0u8; 256];
    for (i, b) in proof.iter_mut().enumerate() {
        *b = i as u8;
    }
    let args = zkgate::instructions::transfer::TransferArgs {
        amount: 123_456_789_012,
        valid_until: 1_764_000_000,
        window_volume: 987_654_321,
        subject_tag: [9; 32],
        credential_root: [7; 32],
        sanctions_root: [8; 32],
        disclosure: zkgate::auditor::AuditDisclosure {
            ephemeral_key: std::array::from_fn(|i| i as u8),
            ciphertext: [[10; 32], [11; 32], [12; 32], [13; 32]],
        },
        proof,
    };
    let ix = transfer(&accounts, args);
    let metas = account_metas(&ix.accounts);
    let hooked = zkgate_client::ix::hooked_transfer_checked(
        &key(5),
        &key(4),
        &key(6),
        &key(1),
        123_456_789_012,
        6,
    );
    let json = serde_json::json!({
        "programId": ix.program_id.to_string(),
        "input": {
            "sender": key(1).to_string(),
            "ruleSet": zkgate_client::pda::rule_set(7).to_string(),
            "issuer": zkgate_client::pda::issuer(3).to_string(),
            "sanctionsList": zkgate_client::pda::sanctions_list(2).to_string(),
            "mint": key(4).to_string(),
            "source": key(5).to_string(),
            "destination": key(6).to_string(),
            "tokenProgram": anchor_spl::token_2022::ID.to_string(),
            "amount": "123456789012",
            "validUntil": "1764000000",
            "windowVolume": "987654321",
            "subjectTagHex": hex::encode([9u8; 32]),
            "credentialRootHex": hex::encode([7u8; 32]),
            "sanctionsRootHex": hex::encode([8u8; 32]),
            "ephemeralKeyHex": hex::encode(std::array::from_fn::<u8, 64, _>(|i| i as u8)),
            "ciphertextHex": ([[10u8; 32], [11; 32], [12; 32], [13; 32]].map(hex::encode)),
            "proofHex": hex::encode(proof),
        },
        "accounts": metas,
        "dataHex": hex::encode(&ix.data),
        "hookedTransferChecked": {
            "input": {
                "source": key(5).to_string(),
                "mint": key(4).to_string(),
                "destination": key(6).to_string(),
                "authority": key(1).to_string(),
                "amount": "123456789012",
                "decimals": 6,
            },
            "accounts": account_metas(&hooked.accounts),
            "dataHex": hex::encode(&hooked.data),
        },
        // What the deploy script puts in the rule-set's address lookup table.
        "lookupTableAddresses": zkgate_client::ix::lookup_table_addresses(&accounts)
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&json).expect("JSON") + "\n"
}

fn account_metas(
    metas: &[anchor_lang::solana_program::instruction::AccountMeta],
) -> Vec<serde_json::Value> {
    metas
        .iter()
        .map(|m| {
            serde_json::json!({
                "address": m.pubkey.to_string(),
                "signer": m.is_signer,
                "writable": m.is_writable,
            })
        })
        .collect()
}

#[test]
fn kit_client_fixture_is_up_to_date() {
    let path = workspace_root().join("clients/js/test/transfer.fixture.json");
    let fresh = transfer_fixture();
    if std::env::var_os("ZKGATE_WRITE_IDL").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).expect("fixture dir");
        std::fs::write(&path, &fresh).expect("write fixture");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is out of date with the Rust client; regenerate with \
         ZKGATE_WRITE_IDL=1 cargo test -p zkgate-tests --test suite idl",
        path.display()
    );
}
