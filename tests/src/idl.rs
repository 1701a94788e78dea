//! Builds the program's IDL the way `anchor idl build` does (`anchor-lang-idl`'s `IdlBuilder`:
//! compiles the program with the `idl-build` feature and collects what its generated tests
//! print), in a target directory of its own so the main build's cache is untouched.
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Builds the IDL of `programs/zkgate` and returns it as pretty JSON (with a trailing newline).
pub fn build_idl() -> Result<String, String> {
    build_program_idl("zkgate")
}

/// Builds the IDL of `programs/<program>` (its directory name) as pretty JSON.
pub fn build_program_idl(program: &str) -> Result<String, String> {
    let root = workspace_root();
    // anchor-lang-idl 0.1.4 passes the literal argument "+{toolchain}" to cargo whenever
    // RUSTUP_TOOLCHAIN is set (as it is under `cargo test` via rustup); the nested cargo then
    // fails. Unset it: the nested cargo resolves the same (only) toolchain by itself.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let target = root.join("target").join("idl-build");
    let idl = anchor_lang_idl::build::IdlBuilder::new()
        .program_path(root.join("programs").join(program))
        .cargo_args(vec![
            "--target-dir".into(),
            target.to_string_lossy().into_owned(),
        ])
        .build()
        .map_err(|e| format!("building the IDL failed: {e}"))?;
    let idl = with_event_cpi_accounts(idl);
    let mut json = serde_json::to_string_pretty(&idl).map_err(|e| e.to_string())?;
    json.push('\n');
    Ok(json)
}

/// `#[event_cpi]` appends `event_authority` and `program` to every instruction that emits
/// events; `anchor-lang-idl` 0.1.4 leaves both bare (their address is a field expression it does
/// not read). Describe them as `anchor build` does, the PDA `["__event_authority"]` and the
/// program's own address, so generated clients derive them instead of asking for them.
fn with_event_cpi_accounts(mut idl: anchor_lang_idl::types::Idl) -> anchor_lang_idl::types::Idl {
    use anchor_lang_idl::types::{IdlInstructionAccountItem, IdlPda, IdlSeed, IdlSeedConst};
    for ix in &mut idl.instructions {
        for item in &mut ix.accounts {
            if let IdlInstructionAccountItem::Single(account) = item {
                match account.name.as_str() {
                    "event_authority" if account.pda.is_none() && account.address.is_none() => {
                        account.pda = Some(IdlPda {
                            seeds: vec![IdlSeed::Const(IdlSeedConst {
                                value: b"__event_authority".to_vec(),
                            })],
                            program: None,
                        });
                    }
                    "program" if account.address.is_none() => {
                        account.address = Some(idl.address.clone());
                    }
                    // zkgate's `transfer` forwards zkgate-hook's event authority (a fixed
                    // address expression the IDL builder does not read either).
                    "hook_event_authority" if account.pda.is_none() => {
                        account.pda = Some(IdlPda {
                            seeds: vec![IdlSeed::Const(IdlSeedConst {
                                value: b"__event_authority".to_vec(),
                            })],
                            program: Some(IdlSeed::Const(IdlSeedConst {
                                value: zkgate_hook::ID.to_bytes().to_vec(),
                            })),
                        });
                    }
                    _ => {}
                }
            }
        }
    }
    idl
}

/// `lower_snake_case` → `lowerCamelCase` (as Anchor's TypeScript type generation does).
fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for (i, c) in name.chars().enumerate() {
        if c == '_' {
            upper = i > 0;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn collect_names(v: &serde_json::Value, names: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (_, value) in map {
                if let serde_json::Value::String(s) = value {
                    // Identifiers only; base58 addresses are 32+ chars without underscores and
                    // stay as they are.
                    if is_identifier(s) && s.contains('_') {
                        names.insert(s.clone());
                    }
                }
                collect_names(value, names);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_names(i, names)),
        _ => {}
    }
}

fn rename(v: serde_json::Value, names: &std::collections::BTreeSet<String>) -> serde_json::Value {
    use serde_json::Value;
    let map_str = |s: String| if names.contains(&s) { camel(&s) } else { s };
    match v {
        Value::String(s) => Value::String(map_str(s)),
        Value::Array(items) => Value::Array(items.into_iter().map(|i| rename(i, names)).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, val)| (map_str(k), rename(val, names)))
                .collect(),
        ),
        other => other,
    }
}

/// The TypeScript type of the IDL (`idl/zkgate.ts`), camel-cased like `anchor build` writes
/// `target/types/zkgate.ts`, for `new Program<Zkgate>(idl as Zkgate, provider)`.
pub fn idl_ts(idl_json: &str) -> Result<String, String> {
    program_idl_ts(idl_json, "zkgate", "Zkgate")
}

/// [`idl_ts`] for the program whose IDL is `idl/<file>.json`, as the type `type_name`.
pub fn program_idl_ts(idl_json: &str, file: &str, type_name: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_str(idl_json).map_err(|e| e.to_string())?;
    let mut names = std::collections::BTreeSet::new();
    collect_names(&value, &mut names);
    let camel_value = rename(value, &names);
    let body = serde_json::to_string_pretty(&camel_value).map_err(|e| e.to_string())?;
    Ok(format!(
        "/**\n * Program IDL in camelCase format in order to be used in JS/TS.\n *\n \
         * Note that this is only a type helper and is not the actual IDL. The original IDL can\n \
         * be found at `idl/{file}.json`. Generated by `cargo test -p zkgate-tests --test suite idl`.\n \
         */\nexport type {type_name} = {body};\n"
    ))
}
