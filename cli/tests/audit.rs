//! `zkgate audit keygen` and `zkgate audit decrypt` as processes: the key file is private and
//! opens the events encrypted to it (from `--event`, from a file), and nothing else.
use std::process::Command;

use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorSerialize, Discriminator};
use base64::Engine;
use zkgate::events::TransferApproved;
use zkgate_circuits::testing::SampleBuilder;

fn zkgate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zkgate"))
        .args(args)
        .output()
        .expect("zkgate runs")
}

/// The event-CPI data of a transfer whose disclosure is encrypted to `auditor_key` (built from
/// a consistent sample: the same bytes the program would emit for it).
fn event_data(auditor_key: [u8; 64], nonce: u64) -> Vec<u8> {
    let mut b = SampleBuilder {
        depth: 4,
        nonce,
        program_id: zkgate::ID.to_bytes(),
        issuer: zkgate_client::pda::issuer(1).to_bytes(),
        ..SampleBuilder::default()
    };
    b.params.auditor_key = auditor_key;
    let s = b.build();
    let st = &s.statement;
    let posted = s.posted.clone().expect("valid key");
    let event = TransferApproved {
        program_id: zkgate::ID,
        rule_set: zkgate_client::pda::rule_set(st.rule_set_id),
        rule_set_id: st.rule_set_id,
        rule_set_version: st.rule_set_version,
        params_hash: st.params_hash,
        sender: Pubkey::new_from_array(st.sender),
        recipient: Pubkey::new_from_array(st.recipient),
        mint: Pubkey::new_from_array(st.mint),
        source: Pubkey::new_unique(),
        destination: Pubkey::new_unique(),
        amount: st.amount,
        nonce: st.nonce,
        window_volume: st.window_volume,
        valid_until: st.valid_until,
        subject_tag: st.subject_tag,
        issuer: Pubkey::new_from_array(s.disclosure.issuer),
        credential_root: st.credential_root,
        sanctions_root: st.sanctions_root,
        statement_hash: st.hash_bytes().expect("hash"),
        auditor_key,
        disclosure: zkgate_client::convert::disclosure(&posted),
        slot: 7,
        unix_timestamp: 1_700_000_000,
        moved: true,
    };
    let mut data = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
    data.extend_from_slice(TransferApproved::DISCRIMINATOR);
    event.serialize(&mut data).expect("borsh");
    data
}

#[test]
fn keygen_then_decrypt_from_events_and_files() {
    let dir = std::env::temp_dir().join(format!("zkgate-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("auditor.json");
    let _ = std::fs::remove_file(&key_file);
    let out = zkgate(&["audit", "keygen", "--out", key_file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&key_file).unwrap()).unwrap();
    // The public key is printed, the secret is not.
    assert_eq!(printed["auditor_key"], stored["public_key_hex"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(stored["secret_hex"].as_str().unwrap()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second keygen never overwrites a key.
    let again = zkgate(&["audit", "keygen", "--out", key_file.to_str().unwrap()]);
    assert!(!again.status.success());

    let key: [u8; 64] = hex::decode(stored["public_key_hex"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let mine = b64(&event_data(key, 3));
    let out = zkgate(&[
        "audit",
        "decrypt",
        "--key",
        key_file.to_str().unwrap(),
        "--event",
        &mine,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["ok"]["nonce"], 3);
    assert_eq!(report["ok"]["jurisdiction"], 840);
    assert_eq!(report["ok"]["tier"], 2);
    assert_eq!(
        report["ok"]["subject_id_hex"],
        hex::encode(zkgate_circuits::testing::subject_id(42))
    );

    // A file with one event for this key and one for another: the first opens, the second is
    // reported and the exit status says so.
    let other_key = zkgate_circuits::babyjub::point_to_bytes(
        &zkgate_circuits::babyjub::public_key(&zkgate_circuits::babyjub::Scalar::from(5u64)),
    );
    let events_file = dir.join("events.txt");
    std::fs::write(
        &events_file,
        format!("{mine}\n{}\n", b64(&event_data(other_key, 4))),
    )
    .unwrap();
    let out = zkgate(&[
        "audit",
        "decrypt",
        "--key",
        key_file.to_str().unwrap(),
        "--events-file",
        events_file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["ok"]["nonce"], 3);
    assert!(lines[1]["error"]
        .as_str()
        .unwrap()
        .contains("encrypted to another auditor key"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 of 2 transfers did not open"));

    // Garbage is refused with a clear error.
    let out = zkgate(&[
        "audit",
        "decrypt",
        "--key",
        key_file.to_str().unwrap(),
        "--event",
        "not base64!",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--event: not base64"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A 2-of-3 committee: no member alone opens a transfer, any two do (each partial decryption
/// proven), a forged partial or too few are refused by name.
#[test]
fn a_committee_opens_with_any_two_members() {
    let dir = std::env::temp_dir().join(format!("zkgate-committee-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = zkgate(&[
        "audit",
        "keygen",
        "--committee",
        "2/3",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(printed["members"].as_array().unwrap().len(), 3);
    let key: [u8; 64] = hex::decode(printed["auditor_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    // The program's subgroup witness for the committee key.
    let witness = hex::decode(printed["auditor_key_witness"].as_str().unwrap()).unwrap();
    assert_eq!(
        witness,
        zkgate_client::convert::auditor_key_witness(&key).to_vec()
    );
    let event = base64::engine::general_purpose::STANDARD.encode(event_data(key, 9));
    let member = |i: u32| dir.join(format!("member-{i}.json"));
    let share = |i: u32| {
        let out = zkgate(&[
            "audit",
            "share",
            "--key",
            member(i).to_str().unwrap(),
            "--event",
            &event,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = dir.join(format!("partial-{i}.jsonl"));
        std::fs::write(&path, &out.stdout).unwrap();
        path
    };
    let (p1, p3) = (share(1), share(3));
    let combine = |files: &[&std::path::Path]| {
        let mut args = vec!["audit", "combine"];
        for f in files {
            args.extend(["--partials", f.to_str().unwrap()]);
        }
        args.extend(["--event", &event]);
        zkgate(&args)
    };
    let out = combine(&[&p1, &p3]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"]["nonce"], 9);
    assert_eq!(report["ok"]["jurisdiction"], 840);

    // One member alone: refused, and says how many are needed.
    let out = combine(&[&p1]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("1 partial decryptions for this transfer, 2 needed"));

    // A partial whose point was swapped: its proof fails, named by member.
    let mut forged: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&p3).unwrap().trim()).unwrap();
    let other = zkgate_circuits::babyjub::point_to_bytes(&zkgate_circuits::babyjub::public_key(
        &zkgate_circuits::babyjub::Scalar::from(77u64),
    ));
    forged["ok"]["partial_hex"] = serde_json::json!(hex::encode(other));
    let forged_path = dir.join("forged.jsonl");
    std::fs::write(&forged_path, forged.to_string()).unwrap();
    let out = combine(&[&p1, &forged_path]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("member 3's partial decryption does not verify"));

    // A member of the committee cannot partially decrypt a transfer encrypted to another key.
    let foreign = base64::engine::general_purpose::STANDARD.encode(event_data(
        zkgate_circuits::testing::default_params().auditor_key,
        1,
    ));
    let out = zkgate(&[
        "audit",
        "share",
        "--key",
        member(2).to_str().unwrap(),
        "--event",
        &foreign,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("encrypted to another auditor key"));

    // Shares of another committee, forced onto this transfer: proofs verify, the combination
    // does not open.
    let other = zkgate_client::audit::committee_keygen(2, 2, &mut rand::rngs::OsRng).unwrap();
    let ev = zkgate_client::audit::decode_transfer_event(&event_data(key, 9)).unwrap();
    let partials: Vec<_> = other
        .shares
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.public_key_hex = hex::encode(key);
            zkgate_client::audit::partial_decrypt(&ev, &s, &mut rand::rngs::OsRng).unwrap()
        })
        .collect();
    assert_eq!(
        zkgate_client::audit::combine(&ev, &partials).err(),
        Some(zkgate_client::audit::AuditError::SharesDoNotCombine)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--signature`: the events of a transaction read over JSON-RPC (`getTransaction`) from a
/// loopback server that answers like a validator, then opened.
#[test]
fn decrypt_reads_a_transaction_over_json_rpc() {
    use std::io::{Read, Write};
    let dir = std::env::temp_dir().join(format!("zkgate-rpc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("auditor.json");
    let out = zkgate(&["audit", "keygen", "--out", key_file.to_str().unwrap()]);
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key: [u8; 64] = hex::decode(printed["auditor_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let data = event_data(key, 5);
    let answer = serde_json::json!({
        "jsonrpc": "2.0",
        "id": 1,
        "result": {
            "slot": 7,
            "transaction": { "message": { "accountKeys": [
                Pubkey::new_unique().to_string(),
                zkgate::ID.to_string()
            ] } },
            "meta": {
                "err": null,
                "innerInstructions": [{ "index": 0, "instructions": [
                    { "programIdIndex": 1, "accounts": [], "data": bs58::encode(&data).into_string() }
                ]}]
            }
        }
    })
    .to_string();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        // Read the request (headers and the JSON body), check it asks for the signature.
        let mut request = vec![0u8; 64 * 1024];
        let mut read = 0;
        let text = loop {
            let n = stream.read(&mut request[read..]).unwrap();
            read += n;
            let text = String::from_utf8_lossy(&request[..read]).to_string();
            if n == 0 || text.contains("maxSupportedTransactionVersion") {
                break text;
            }
        };
        assert!(text.contains("\"getTransaction\""), "{text}");
        assert!(text.contains("5VERYLONGSIGNATURE"), "{text}");
        write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
            answer.len()
        )
        .unwrap();
    });
    let rpc = format!("http://{addr}");
    let out = zkgate(&[
        "audit",
        "decrypt",
        "--key",
        key_file.to_str().unwrap(),
        "--signature",
        "5VERYLONGSIGNATURE",
        "--rpc",
        &rpc,
    ]);
    server.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"]["nonce"], 5);
    std::fs::remove_dir_all(&dir).unwrap();
}
