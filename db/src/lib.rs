//! zkgate's database layer, shared by its services: one [`sqlx::AnyPool`] over SQLite (the
//! embedded default: a file, no server) or PostgreSQL (`postgres://…`, for several instances),
//! each service's migrations per backend, and fresh databases for tests.
//!
//! Queries are written once for both backends (`$1` placeholders, `ON CONFLICT`, `RETURNING`);
//! values are the types `Any` carries on both: `BIGINT` integers and `BLOB` / `BYTEA` bytes
//! (field elements as 32 big-endian bytes, so byte order is numeric order). Where the SQL
//! must differ, [`Database::backend`] says which one is in use.
#![deny(missing_docs)]

pub mod seal;

use std::borrow::Cow;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::AnyPool;
use sqlx::SqlSafeStr;

/// Which database a pool talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (a file; one writer at a time).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no supported backend.
    #[error("database URL must start with sqlite: or postgres:// (got {0})")]
    UnsupportedUrl(String),
    /// A query or connection failed.
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// One migration, in both dialects.
#[derive(Clone, Copy, Debug)]
pub struct MigrationSql {
    /// Version (ascending, never reused).
    pub version: i64,
    /// What it does.
    pub description: &'static str,
    /// The SQLite statements.
    pub sqlite: &'static str,
    /// The PostgreSQL statements.
    pub postgres: &'static str,
}

/// A connected, migrated database.
#[derive(Clone)]
pub struct Database {
    pool: AnyPool,
    backend: Backend,
    /// Kept for [`Database::listen`] (a notification listener needs its own connection);
    /// never printed unredacted.
    url: std::sync::Arc<str>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend)
            .field("url", &redact_url(&self.url))
            .finish_non_exhaustive()
    }
}

/// `url` without its password (for logs and errors).
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Database {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`) and applies
    /// `migrations` (in one transaction each; on PostgreSQL under the migrator's advisory lock,
    /// so several instances may start at once).
    pub async fn connect(url: &str, migrations: &[MigrationSql]) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl(redact_url(url)));
        };
        // A database that is down must not hold callers (a readiness probe, a worker) for
        // sqlx's default 30 s: they fail fast and retry.
        let mut options = AnyPoolOptions::new().acquire_timeout(std::time::Duration::from_secs(3));
        if backend == Backend::Sqlite {
            // Readers never wait for the writer; the writer's commit is durable at the WAL.
            options = options.max_connections(4).after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA journal_mode = WAL")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA synchronous = FULL")
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(url).await?;
        let db = Database {
            pool,
            backend,
            url: url.into(),
        };
        db.migrate(migrations).await?;
        Ok(db)
    }

    async fn migrate(&self, migrations: &[MigrationSql]) -> Result<(), DbError> {
        let list = migrations
            .iter()
            .map(|m| {
                let sql = match self.backend {
                    Backend::Sqlite => m.sqlite,
                    Backend::Postgres => m.postgres,
                };
                Migration::new(
                    m.version,
                    Cow::Borrowed(m.description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect();
        Migrator::with_migrations(list).run(&self.pool).await?;
        Ok(())
    }

    /// The pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a write transaction: on SQLite `BEGIN IMMEDIATE` (the write lock up front, so
    /// two writers queue instead of failing on the upgrade), on PostgreSQL `BEGIN`.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, DbError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Signals `channel` when `tx` commits (PostgreSQL `pg_notify`; a listener on another
    /// instance wakes at once). On SQLite (one machine) nothing is sent: other processes poll.
    pub async fn notify(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        channel: &str,
    ) -> Result<(), DbError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(channel.to_string())
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// A listener on `channel` over its own connection (PostgreSQL), or `None` on SQLite.
    /// Notifications are a hint, never the only signal: one sent while the listener was
    /// reconnecting is lost, so its user also polls.
    pub async fn listen(
        &self,
        channel: &str,
    ) -> Result<Option<sqlx::postgres::PgListener>, DbError> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        listener.listen(channel).await?;
        Ok(Some(listener))
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// Fresh databases for tests.
pub mod testing {
    use super::*;

    /// The variable naming the PostgreSQL server tests use (`.ci/run` and
    /// `scripts/with-postgres.sh` start a throwaway one and set it).
    pub const POSTGRES_URL_VAR: &str = "ZKGATE_TEST_POSTGRES_URL";

    /// A fresh SQLite database in a new temporary directory (removed by the caller with the
    /// returned path's parent when it wants).
    pub fn sqlite_url() -> String {
        let dir = std::env::temp_dir().join(format!(
            "zkgate-db-test-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        format!("sqlite://{}?mode=rwc", dir.join("test.db").display())
    }

    /// A fresh database on the test PostgreSQL server. Panics when the server is not
    /// configured: a test that needs it fails, it does not skip.
    pub async fn postgres_url() -> String {
        let server = std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| {
            panic!(
                "{POSTGRES_URL_VAR} is not set: run the tests under scripts/with-postgres.sh \
                 (.ci/run does), which starts a throwaway PostgreSQL"
            )
        });
        sqlx::any::install_default_drivers();
        let name = format!("t_{:016x}", rand::random::<u64>());
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&server)
            .await
            .unwrap_or_else(|e| panic!("test PostgreSQL at {}: {e}", redact_url(&server)));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&pool)
            .await
            .expect("create test database");
        pool.close().await;
        // Replace the database path of the server URL.
        let (base, query) = server.split_once('?').unwrap_or((&server, ""));
        let base = base.rsplit_once('/').map(|(b, _)| b).unwrap_or(base);
        if query.is_empty() {
            format!("{base}/{name}")
        } else {
            format!("{base}/{name}?{query}")
        }
    }

    /// A fresh database of `backend`.
    pub async fn url(backend: Backend) -> String {
        match backend {
            Backend::Sqlite => sqlite_url(),
            Backend::Postgres => postgres_url().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://zkgate:s3cret@127.0.0.1:5432/db"),
            "postgres://zkgate:***@127.0.0.1:5432/db"
        );
        assert_eq!(
            redact_url("postgres://zkgate@127.0.0.1/db"),
            "postgres://zkgate@127.0.0.1/db"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }

    #[tokio::test]
    async fn unsupported_urls_are_refused_by_name() {
        let err = Database::connect("mysql://u:pw@h/db", &[])
            .await
            .unwrap_err();
        assert!(matches!(err, DbError::UnsupportedUrl(ref u) if u == "mysql://u:***@h/db"));
    }
}
