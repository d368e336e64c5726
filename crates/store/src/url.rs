//! Database URLs: `sqlite://PATH`, a bare path, or `postgres://…` / `postgresql://…`.

use crate::StoreError;
use std::path::PathBuf;

/// Longest accepted URL, in bytes.
const MAX_URL: usize = 4096;

/// Where a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DbUrl {
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL, passed to `tokio_postgres::Config` unchanged.
    Postgres(String),
}

impl DbUrl {
    /// Parse a URL as described in the crate documentation.
    pub(crate) fn parse(url: &str) -> Result<DbUrl, StoreError> {
        let bad = |reason: &str| StoreError::BadUrl {
            url: redact(url),
            reason: reason.to_string(),
        };
        if url.len() > MAX_URL {
            return Err(bad("longer than 4096 bytes"));
        }
        if url.trim().is_empty() {
            return Err(bad("empty"));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_string()));
        }
        let path = if let Some(rest) = url.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            rest
        } else if let Some((scheme, _)) = url.split_once("://") {
            return Err(bad(&format!(
                "unsupported scheme {scheme:?}: use sqlite://PATH, a file path, or postgres://…"
            )));
        } else {
            url
        };
        if path.is_empty() {
            return Err(bad("no file path after sqlite://"));
        }
        if path == ":memory:" || path.contains('?') || path.starts_with("file:") {
            return Err(bad(
                "in-memory databases and SQLite URI options are not supported: give a file path",
            ));
        }
        Ok(DbUrl::Sqlite(PathBuf::from(path)))
    }
}

/// The URL with the password (if any) replaced by `***`, for messages and logs.
pub(crate) fn redact(url: &str) -> String {
    let shortened: String = url.chars().take(256).collect();
    let Some((scheme, rest)) = shortened.split_once("://") else {
        return shortened;
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let masked_tail = mask_password_param(tail);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{masked_tail}"),
            None => format!("{scheme}://{userinfo}@{host}{masked_tail}"),
        },
        None => format!("{scheme}://{authority}{masked_tail}"),
    }
}

/// Mask a `password=` query parameter.
fn mask_password_param(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_string();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_string(),
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_forms() {
        assert_eq!(
            DbUrl::parse("sqlite:///var/lib/c.db").unwrap(),
            DbUrl::Sqlite("/var/lib/c.db".into())
        );
        assert_eq!(
            DbUrl::parse("sqlite://data/c.db").unwrap(),
            DbUrl::Sqlite("data/c.db".into())
        );
        assert_eq!(
            DbUrl::parse("sqlite:c.db").unwrap(),
            DbUrl::Sqlite("c.db".into())
        );
        assert_eq!(
            DbUrl::parse("./c.db").unwrap(),
            DbUrl::Sqlite("./c.db".into())
        );
    }

    #[test]
    fn postgres_forms() {
        for u in [
            "postgres://u@h/db",
            "postgresql://u:p@h:5433/db?sslmode=disable",
        ] {
            assert_eq!(DbUrl::parse(u).unwrap(), DbUrl::Postgres(u.into()));
        }
    }

    #[test]
    fn rejects_other_schemes_memory_and_empty() {
        for u in [
            "",
            "  ",
            "sqlite://",
            "mysql://h/db",
            "sqlite::memory:",
            "sqlite://c.db?mode=ro",
        ] {
            let e = DbUrl::parse(u).unwrap_err();
            assert!(matches!(e, StoreError::BadUrl { .. }), "{u}: {e}");
        }
        let long = "x".repeat(MAX_URL + 1);
        assert!(DbUrl::parse(&long).is_err());
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            redact("postgres://alice:s3cret@db:5432/c?sslmode=disable"),
            "postgres://alice:***@db:5432/c?sslmode=disable"
        );
        assert_eq!(
            redact("postgres://db/c?user=a&password=s3cret"),
            "postgres://db/c?user=a&password=***"
        );
        assert_eq!(redact("postgres://alice@db/c"), "postgres://alice@db/c");
        let e = DbUrl::parse("mysql://bob:hunter2@h/db").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
