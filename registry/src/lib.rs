//! zkgate's registry service (issue 12, in progress): the issuers' credential trees and the
//! sanctions list on a real database. This first part is the storage: versioned quaternary
//! Poseidon trees ([`store::TreeStore`]) equal to `zkgate_circuits::merkle`'s, on SQLite or
//! PostgreSQL through `zkgate-db`.
#![deny(missing_docs)]

pub mod indexed;
pub mod store;

/// The registry's migrations, one per backend.
pub const MIGRATIONS: &[zkgate_db::MigrationSql] = &[
    zkgate_db::MigrationSql {
        version: 1,
        description: "versioned trees",
        sqlite: include_str!("../migrations/sqlite/0001_trees.sql"),
        postgres: include_str!("../migrations/postgres/0001_trees.sql"),
    },
    zkgate_db::MigrationSql {
        version: 2,
        description: "sanctions lists, issuers, credentials, publications, challenges",
        sqlite: include_str!("../migrations/sqlite/0002_registry.sql"),
        postgres: include_str!("../migrations/postgres/0002_registry.sql"),
    },
];
