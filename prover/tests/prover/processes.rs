//! Real prover processes on one database (the binary, SIGKILL): an accepted job is never lost.
//! A takes eight jobs and is killed while proving; B, started afterwards, finishes all eight,
//! every proof verifies, the jobs A held show two attempts, nothing is missing or duplicated.
//! Then a job whose instance is killed right after its 202 is finished by another one.
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use zkgate_circuits::proof::verify_with_groth16_solana;
use zkgate_circuits::testing::Sample;
use zkgate_client::api::JobState;
use zkgate_db::{testing, Backend, Database};
use zkgate_prover::client::ProverClient;
use zkgate_prover::queue::MIGRATIONS;

use crate::http::{builder, proven_hash, request, rule_set};

struct Prover {
    child: Child,
    base: String,
}

impl Drop for Prover {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prover {
    fn kill9(&mut self) {
        // `Child::kill` is SIGKILL on Unix: no drain, no completion, no cleanup.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A key directory for the test rule-set and a shared data key, in a fresh directory.
fn workdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "zkgate-prover-procs-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let entry = rule_set();
    entry.keys.write_dir(&dir.join("keys")).unwrap();
    if let Some(pass) = &entry.pass_keys {
        pass.write_dir(&dir.join("keys").join("pass")).unwrap();
    }
    zkgate_prover::rule_sets::write_rule_set_file(&dir.join("keys"), entry).unwrap();
    std::fs::write(
        dir.join("data.key"),
        zkgate_db::seal::DataKey::generate().to_hex(),
    )
    .unwrap();
    dir
}

async fn spawn(dir: &std::path::Path, url: &str) -> Prover {
    let key = dir.join("data.key");
    spawn_args(
        dir,
        &[
            "--database-url",
            url,
            "--data-key-file",
            key.to_str().unwrap(),
        ],
    )
    .await
}

/// The binary in `dir` (its working directory) with the test keys, a 2 s lease, 2 workers and
/// `args`.
async fn spawn_args(dir: &std::path::Path, args: &[&str]) -> Prover {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_zkgate-prover"))
        .current_dir(dir)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--key-dir")
        .arg(dir.join("keys"))
        .args(["--lease-secs", "2", "--workers", "2"])
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("ZKGATE_DATABASE_URL")
        .env_remove("ZKGATE_DATA_KEY_FILE")
        .stdout(std::fs::File::create(dir.join(format!("prover-{port}.log"))).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("zkgate-prover starts");
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await {
            if r.status() == 200 {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "prover at {base} never became ready: {}",
            std::fs::read_to_string(dir.join(format!("prover-{port}.log"))).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Prover { child, base }
}

async fn wait_all(client: &ProverClient, ids: &[String]) -> Vec<zkgate_client::api::ProofResponse> {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let mut done = vec![];
        for id in ids {
            let s = client.job(id).await.unwrap();
            assert_ne!(s.status, JobState::Failed, "{:?}", s.error);
            if let Some(r) = s.result {
                done.push(r);
            }
        }
        if done.len() == ids.len() {
            return done;
        }
        assert!(Instant::now() < deadline, "jobs not finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for every job, then checks each proof verifies for its sample's statement (with the
/// rule-set's keys: the program's verifier, natively).
async fn wait_and_verify(client: &ProverClient, ids: &[String], samples: &[Sample]) {
    let results = wait_all(client, ids).await;
    assert_eq!(results.len(), samples.len());
    for (sample, resp) in samples.iter().zip(&results) {
        verify_with_groth16_solana(
            &rule_set().keys.program_vk(),
            &resp.proof_bytes().unwrap(),
            &proven_hash(sample, resp),
        )
        .expect("every accepted job's proof verifies");
    }
}

async fn kill_while_proving(backend: Backend) {
    let dir = workdir();
    let url = testing::url(backend).await;
    let db = Database::connect(&url, MIGRATIONS).await.unwrap();

    let mut a = spawn(&dir, &url).await;
    let client_a = ProverClient::new(&a.base);
    let samples: Vec<_> = (0..8).map(|_| builder().build()).collect();
    let mut ids = vec![];
    for sample in &samples {
        ids.push(
            client_a
                .submit_job(&request(sample), None)
                .await
                .unwrap()
                .job_id,
        );
    }
    // Killed while proving: once it holds a lease.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let running: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = 'running'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        if running > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "A never claimed a job");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.kill9();
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = 'running'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(held >= 1, "A died holding leases");

    let b = spawn(&dir, &url).await;
    let client_b = ProverClient::new(&b.base);
    wait_and_verify(&client_b, &ids, &samples).await;
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT id, attempts FROM jobs ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert_eq!(rows.len(), 8, "nothing missing, nothing duplicated");
    let reruns = rows.iter().filter(|(_, attempts)| *attempts >= 2).count() as i64;
    assert!(reruns >= held, "the jobs A held were re-run: {rows:?}");

    // Killed right after the 202: the job is there, and B proves it.
    let mut c = spawn(&dir, &url).await;
    let sample = builder().build();
    let id = ProverClient::new(&c.base)
        .submit_job(&request(&sample), Some("after-202"))
        .await
        .unwrap()
        .job_id;
    c.kill9();
    wait_and_verify(&client_b, &[id], std::slice::from_ref(&sample)).await;
    drop(b);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_killed_instance_loses_no_job() {
    kill_while_proving(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_killed_instance_loses_no_job() {
    kill_while_proving(Backend::Postgres).await;
}

/// Through HAProxy (the machine's package, `scripts/install-packages.sh`; this test fails
/// without it): two provers on PostgreSQL, one stopped (SIGTERM) mid-traffic. No client sees a
/// 5xx other than 503 with Retry-After, and every accepted job completes with a proof that
/// verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_load_balancer_a_stopped_instance_costs_no_job() {
    let dir = workdir();
    let url = testing::url(Backend::Postgres).await;
    let b = spawn(&dir, &url).await;
    let c = spawn(&dir, &url).await;
    let lb_port = free_port();
    let servers = [&b, &c]
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "    server p{i} {} check",
                p.base.trim_start_matches("http://")
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let cfg = include_str!("../../../deploy/haproxy/prover.cfg")
        .replace("{{LISTEN}}", &format!("127.0.0.1:{lb_port}"))
        .replace("{{SERVERS}}", &servers);
    std::fs::write(dir.join("haproxy.cfg"), cfg).unwrap();
    let haproxy = Command::new("haproxy")
        .arg("-f")
        .arg(dir.join("haproxy.cfg"))
        .arg("-db")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("haproxy from the machine's packages (scripts/install-packages.sh)");
    let mut lb = Prover {
        child: haproxy,
        base: format!("http://127.0.0.1:{lb_port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = reqwest::get(format!("{}/readyz", lb.base)).await {
            if r.status() == 200 {
                break;
            }
        }
        assert!(Instant::now() < deadline, "load balancer never ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let http = reqwest::Client::new();
    let samples: Vec<_> = (0..10).map(|_| builder().build()).collect();
    let mut ids = vec![];
    let mut b = Some(b);
    let mut refusals = 0;
    for (i, sample) in samples.iter().enumerate() {
        if i == 4 {
            // Stop B gracefully mid-traffic: it drains (unready, no new claims, running jobs
            // complete) and exits.
            let pid = b.as_ref().unwrap().child.id();
            let status = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .unwrap();
            assert!(status.success());
        }
        // Submitted with an idempotency key, retried on 503 as a client should.
        loop {
            let r = http
                .post(format!("{}/v1/jobs", lb.base))
                .header("idempotency-key", format!("lb-{i}"))
                .json(&request(sample))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            if status == 202 {
                let body: zkgate_client::api::JobStatus = r.json().await.unwrap();
                ids.push(body.job_id);
                break;
            }
            assert_eq!(
                status,
                503,
                "only 503 may be seen: {}",
                r.text().await.unwrap()
            );
            assert!(
                r.headers().contains_key("retry-after"),
                "503 carries Retry-After"
            );
            refusals += 1;
            assert!(refusals < 100);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // B has exited by itself (the drain), C took the rest.
    let mut stopped = b.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while stopped.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "B did not drain and exit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client = ProverClient::new(&lb.base);
    wait_and_verify(&client, &ids, &samples).await;
    drop(c);
    lb.kill9();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A PostgreSQL server of this test's own (the machine's packages, like
/// `scripts/with-postgres.sh`), so it can be restarted without disturbing other tests.
struct PrivatePostgres {
    dir: std::path::PathBuf,
    port: u16,
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

fn as_postgres(program: &str) -> Command {
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    if is_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &format!("{PG_BIN}/{program}")]);
        c
    } else {
        Command::new(format!("{PG_BIN}/{program}"))
    }
}

impl PrivatePostgres {
    fn init() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "zkgate-pg-restart-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = Command::new("chown")
            .args(["postgres:", dir.to_str().unwrap()])
            .status();
        let ok = as_postgres("initdb")
            .arg("-D")
            .arg(dir.join("data"))
            .args(["-U", "zkgate", "--auth=trust", "--no-sync"])
            .stdout(Stdio::null())
            .status()
            .expect("initdb from the machine's PostgreSQL 15 packages");
        assert!(ok.success(), "initdb failed");
        let pg = PrivatePostgres {
            dir,
            port: free_port(),
        };
        pg.start();
        pg
    }

    fn start(&self) {
        let ok = as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(self.dir.join("log"))
            .args(["-w", "-t", "60", "-o"])
            .arg(format!(
                "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off",
                self.port,
                self.dir.display()
            ))
            .arg("start")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(ok.success(), "pg_ctl start failed");
    }

    fn stop(&self) {
        let _ = as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .stdout(Stdio::null())
            .status();
    }

    fn url(&self) -> String {
        format!(
            "postgres://zkgate@127.0.0.1:{}/postgres?sslmode=disable",
            self.port
        )
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn ready(base: &str) -> u16 {
    match reqwest::get(format!("{base}/readyz")).await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

/// The job database restarted mid-traffic: the instance turns unready and refuses
/// submissions with 503 + Retry-After while it is down, recovers when it is back, and every
/// job it accepted completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_makes_instances_unready_then_they_recover_losing_nothing() {
    let dir = workdir();
    let pg = PrivatePostgres::init();
    let a = spawn(&dir, &pg.url()).await;
    let client = ProverClient::new(&a.base);
    let samples: Vec<_> = (0..4).map(|_| builder().build()).collect();
    let mut ids = vec![];
    for sample in &samples[..3] {
        ids.push(
            client
                .submit_job(&request(sample), None)
                .await
                .unwrap()
                .job_id,
        );
    }
    pg.stop();
    let deadline = Instant::now() + Duration::from_secs(30);
    while ready(&a.base).await != 503 {
        assert!(
            Instant::now() < deadline,
            "never unready without its database"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let refused = reqwest::Client::new()
        .post(format!("{}/v1/jobs", a.base))
        .json(&request(&samples[3]))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().contains_key("retry-after"));
    pg.start();
    let deadline = Instant::now() + Duration::from_secs(60);
    while ready(&a.base).await != 200 {
        assert!(Instant::now() < deadline, "never ready again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ids.push(
        client
            .submit_job(&request(&samples[3]), None)
            .await
            .unwrap()
            .job_id,
    );
    wait_and_verify(&client, &ids, &samples).await;
    drop(a);
    let _ = std::fs::remove_dir_all(&dir);
}

/// With no database configured the binary keeps its queue in a SQLite file in its working
/// directory and creates its data key there (0600): a job accepted by a process killed right
/// after its 202 is proven after a restart, and the result survives another restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_queue_is_a_sqlite_file_that_survives_a_kill() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workdir();
    let sample = builder().build();
    let mut first = spawn_args(&dir, &["--poll-ms", "100"]).await;
    let job = ProverClient::new(&first.base)
        .submit_job(&request(&sample), Some("default-queue"))
        .await
        .unwrap();
    first.kill9();
    assert!(dir.join("zkgate-prover-jobs.db").exists());
    let key = std::fs::metadata(dir.join("zkgate-prover.key")).unwrap();
    assert_eq!(key.permissions().mode() & 0o777, 0o600);
    let second = spawn_args(&dir, &["--poll-ms", "100"]).await;
    let client = ProverClient::new(&second.base);
    let result = wait_all(&client, std::slice::from_ref(&job.job_id))
        .await
        .remove(0);
    verify_with_groth16_solana(
        &rule_set().keys.program_vk(),
        &result.proof_bytes().unwrap(),
        &proven_hash(&sample, &result),
    )
    .expect("verifies");
    drop(second);
    let third = spawn_args(&dir, &[]).await;
    let again = ProverClient::new(&third.base)
        .submit_job(&request(&sample), Some("default-queue"))
        .await
        .unwrap();
    assert_eq!(again.job_id, job.job_id);
    assert_eq!(again.status, JobState::Succeeded);
    assert_eq!(
        again.result.map(|r| r.proof_hex),
        Some(result.proof_hex.clone())
    );
    drop(third);
    std::fs::remove_dir_all(&dir).unwrap();
}
