//! The committed IDL (`idl/zkgate.json`) and its TypeScript type (`idl/zkgate.ts`) must match
//! the program. Regenerate both with `ZKGATE_WRITE_IDL=1 cargo test -p zkgate-tests --test idl`.
use zkgate_tests::idl::{build_idl, idl_ts, workspace_root};

#[test]
fn committed_idl_is_up_to_date() {
    let json = build_idl().expect("IDL builds");
    let ts = idl_ts(&json).expect("IDL converts to TypeScript");
    let dir = workspace_root().join("idl");
    if std::env::var_os("ZKGATE_WRITE_IDL").is_some() {
        std::fs::create_dir_all(&dir).expect("idl dir");
        std::fs::write(dir.join("zkgate.json"), &json).expect("write idl");
        std::fs::write(dir.join("zkgate.ts"), &ts).expect("write idl types");
    }
    for (file, fresh) in [("zkgate.json", &json), ("zkgate.ts", &ts)] {
        let committed = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        assert!(
            &committed == fresh,
            "idl/{file} is out of date with the program; regenerate with \
             ZKGATE_WRITE_IDL=1 cargo test -p zkgate-tests --test idl"
        );
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
        "add_issuer",
        "set_issuer_active",
        "publish_credential_root",
        "create_sanctions_list",
        "publish_sanctions_root",
        "transfer",
    ] {
        assert!(names.contains(&expected), "IDL lacks {expected}");
    }
}
