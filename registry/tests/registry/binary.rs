//! `zkgate-registry` as a process: refuses to start without API keys, creates its data key
//! file owner-only, serves with keys, and keeps its data across a restart.
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use solana_sdk::signature::{Keypair, Signer};
use zkgate_registry::api::{IssueRequest, NewIssuer};
use zkgate_registry::client::RegistryClient;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn command(dir: &std::path::Path, port: u16) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zkgate-registry"));
    c.current_dir(dir)
        .env_remove("RUST_LOG")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

async fn wait_ready(base: &str) {
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("registry at {base} never became ready");
}

#[tokio::test]
async fn the_binary_serves_with_keys_and_keeps_its_data() {
    let dir = std::env::temp_dir().join(format!("zkgate-registry-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // No keys, no --insecure-no-auth: refuses to start, says why.
    let out = command(&dir, free_port()).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no --api-key given"));
    // A malformed key is refused by the argument parser, naming the roles.
    let out = command(&dir, free_port())
        .args(["--api-key", "boss=0123456789abcdef"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("admin, read, issuer:<id> or list:<id>"));

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let args = [
        "--api-key",
        "admin=admin-secret-0123456789",
        "--api-key",
        "issuer:3=issuer-secret-0123456789",
    ];
    let server = Running(
        command(&dir, port)
            .args(args)
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_ready(&base).await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("zkgate-registry.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the data key file is owner-only");
    }
    RegistryClient::new(&base)
        .with_api_key("admin-secret-0123456789")
        .add_issuer(&NewIssuer {
            id: 3,
            name: "Acme".into(),
            depth: Some(8),
        })
        .await
        .unwrap();
    let wallet = Keypair::new();
    let issued = RegistryClient::new(&base)
        .with_api_key("issuer-secret-0123456789")
        .issue(
            3,
            &IssueRequest {
                subject_id: format!("{:064x}", 42),
                wallet: wallet.pubkey().to_string(),
                jurisdiction: 840,
                tier: 1,
                expiry: 4_000_000_000,
            },
        )
        .await
        .unwrap();
    drop(server);
    // Restarted on the same database and key: the credential is there, readable.
    let _server = Running(
        command(&dir, port)
            .args(args)
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_ready(&base).await;
    let found = RegistryClient::new(&base)
        .with_api_key("issuer-secret-0123456789")
        .credentials_of_subject(3, &format!("{:064x}", 42))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].credential.salt, issued.credential.salt);
    let _ = std::fs::remove_dir_all(&dir);
}
