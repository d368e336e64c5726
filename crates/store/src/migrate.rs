//! Versioned schema migrations, embedded in the binary and applied when a store opens.
//!
//! Each backend has its own list, written as SQL under `migrations/{sqlite,postgres}/`
//! (`NNNN_name.sql`) and compiled in with `include_str!`. A database records what it has in
//! `schema_migrations (version, name, checksum, applied_at)`; the checksum is the SHA-256
//! of the SQL text. At open the store, in one transaction:
//!
//! 1. creates `schema_migrations` if it is missing;
//! 2. refuses a database that records a version this build does not know (written by a
//!    newer build) or whose recorded checksum differs from the embedded SQL (an edited
//!    migration);
//! 3. applies the missing migrations in version order and records each one.
//!
//! Running it again is a no-op. SQLite also mirrors the newest version into
//! `PRAGMA user_version`; PostgreSQL serialises concurrent openers with an advisory lock.

use sha2::{Digest, Sha256};

/// One embedded migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Version number, from the file name (`0001_…` → 1). Strictly increasing.
    pub version: i64,
    /// Name, from the file name (`0001_initial.sql` → `initial`).
    pub name: &'static str,
    /// The SQL text.
    pub sql: &'static str,
}

impl Migration {
    /// Lower-case hex SHA-256 of the SQL text, as recorded in `schema_migrations`.
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// A migration as recorded in a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// Version number.
    pub version: i64,
    /// Name.
    pub name: String,
    /// Hex SHA-256 of the SQL that was applied.
    pub checksum: String,
    /// When it was applied, seconds since the Unix epoch (the database's clock).
    pub applied_at: i64,
}

/// The SQLite migrations, oldest first.
pub const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/sqlite/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "attestation_subjects",
        sql: include_str!("../migrations/sqlite/0002_attestation_subjects.sql"),
    },
    Migration {
        version: 3,
        name: "watchlists",
        sql: include_str!("../migrations/sqlite/0003_watchlists.sql"),
    },
    Migration {
        version: 4,
        name: "log",
        sql: include_str!("../migrations/sqlite/0004_log.sql"),
    },
    Migration {
        version: 5,
        name: "generation",
        sql: include_str!("../migrations/sqlite/0005_generation.sql"),
    },
    Migration {
        version: 6,
        name: "row_numbers",
        sql: include_str!("../migrations/sqlite/0006_row_numbers.sql"),
    },
    Migration {
        version: 7,
        name: "unused_indexes",
        sql: include_str!("../migrations/sqlite/0007_unused_indexes.sql"),
    },
];

/// The PostgreSQL migrations, oldest first.
pub const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "attestation_subjects",
        sql: include_str!("../migrations/postgres/0002_attestation_subjects.sql"),
    },
    Migration {
        version: 3,
        name: "watchlists",
        sql: include_str!("../migrations/postgres/0003_watchlists.sql"),
    },
    Migration {
        version: 4,
        name: "log",
        sql: include_str!("../migrations/postgres/0004_log.sql"),
    },
    Migration {
        version: 5,
        name: "generation",
        sql: include_str!("../migrations/postgres/0005_generation.sql"),
    },
    Migration {
        version: 6,
        name: "row_numbers",
        sql: include_str!("../migrations/postgres/0006_row_numbers.sql"),
    },
    Migration {
        version: 7,
        name: "unused_indexes",
        sql: include_str!("../migrations/postgres/0007_unused_indexes.sql"),
    },
];

/// Compare what a database records with the embedded list; return the migrations still to
/// apply, oldest first.
pub(crate) fn pending<'a>(
    known: &'a [Migration],
    applied: &[AppliedMigration],
) -> Result<Vec<&'a Migration>, crate::StoreError> {
    for a in applied {
        match known.iter().find(|m| m.version == a.version) {
            None => {
                return Err(crate::StoreError::Migration {
                    version: a.version,
                    name: a.name.clone(),
                    reason: "the database records a migration this build does not know \
                             (it was written by a newer catchcert): upgrade catchcert"
                        .to_string(),
                });
            }
            Some(m) if m.checksum() != a.checksum => {
                return Err(crate::StoreError::Migration {
                    version: a.version,
                    name: a.name.clone(),
                    reason: format!(
                        "checksum mismatch: the database applied SQL with SHA-256 {}, this \
                         build embeds {}; applied migrations must never be edited",
                        a.checksum,
                        m.checksum()
                    ),
                });
            }
            Some(_) => {}
        }
    }
    Ok(known
        .iter()
        .filter(|m| !applied.iter().any(|a| a.version == m.version))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every file under migrations/<backend>/ is embedded, in order, under its own name.
    fn check_dir(backend: &str, list: &[Migration]) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        let listed: Vec<String> = list
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(files, listed, "{backend}: files on disk vs embedded list");
        for (m, f) in list.iter().zip(&files) {
            let on_disk = std::fs::read_to_string(dir.join(f)).unwrap();
            assert_eq!(on_disk, m.sql, "{f} is not what is embedded");
            assert!(!m.sql.contains('\r'), "{f} must use LF line ends");
        }
        for w in list.windows(2) {
            assert!(
                w[0].version < w[1].version,
                "{backend}: versions must increase"
            );
        }
    }

    #[test]
    fn embedded_lists_match_the_files() {
        check_dir("sqlite", SQLITE);
        check_dir("postgres", POSTGRES);
        assert_eq!(
            SQLITE
                .iter()
                .map(|m| (m.version, m.name))
                .collect::<Vec<_>>(),
            POSTGRES
                .iter()
                .map(|m| (m.version, m.name))
                .collect::<Vec<_>>(),
            "both backends have the same migration versions"
        );
    }

    #[test]
    fn pending_refuses_unknown_and_edited() {
        const A: Migration = Migration {
            version: 1,
            name: "a",
            sql: "CREATE TABLE a (x INTEGER);",
        };
        const B: Migration = Migration {
            version: 2,
            name: "b",
            sql: "CREATE TABLE b (x INTEGER);",
        };
        let rec = |m: &Migration| AppliedMigration {
            version: m.version,
            name: m.name.into(),
            checksum: m.checksum(),
            applied_at: 0,
        };
        assert_eq!(pending(&[A, B], &[]).unwrap(), vec![&A, &B]);
        assert_eq!(pending(&[A, B], &[rec(&A)]).unwrap(), vec![&B]);
        assert!(pending(&[A, B], &[rec(&A), rec(&B)]).unwrap().is_empty());

        let e = pending(&[A], &[rec(&A), rec(&B)]).unwrap_err();
        assert!(e.to_string().contains("newer"), "{e}");

        let mut edited = rec(&A);
        edited.checksum = "00".repeat(32);
        let e = pending(&[A, B], &[edited]).unwrap_err();
        assert!(
            matches!(&e, crate::StoreError::Migration { version: 1, .. })
                && e.to_string().contains("checksum"),
            "{e}"
        );
    }
}
