//! Choosing and opening the backend from a database URL.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{Store, StoreError};

/// A database location whose scheme we support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An embedded SQLite file.
    Sqlite(String),
    /// A PostgreSQL server shared by many instances.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses a URL; any scheme other than sqlite: or postgres(ql): is refused.
    pub fn parse(url: &str) -> Result<DatabaseUrl, StoreError> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Ok(DatabaseUrl::Sqlite(url.to_string())),
            "postgres" | "postgresql" => Ok(DatabaseUrl::Postgres(url.to_string())),
            _ => Err(StoreError::UnsupportedScheme(scheme.to_string())),
        }
    }

    /// The default: a SQLite file inside the data directory.
    pub fn sqlite_in(data_dir: &Path) -> DatabaseUrl {
        DatabaseUrl::Sqlite(format!(
            "sqlite://{}",
            data_dir.join("between.sqlite3").display()
        ))
    }

    /// The database file of a SQLite URL (`None` for PostgreSQL or an in-memory database).
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        let DatabaseUrl::Sqlite(u) = self else {
            return None;
        };
        let options =
            <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(u).ok()?;
        let file = options.get_filename();
        (!file.as_os_str().is_empty() && file != Path::new(":memory:")).then(|| file.to_path_buf())
    }

    /// The URL with any password hidden, safe to print.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(u) => u.clone(),
            DatabaseUrl::Postgres(u) => redact_password(u),
        }
    }
}

fn redact_password(url: &str) -> String {
    // postgres://user:secret@host/db → postgres://user:***@host/db
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// Where the master key lives: a file of its own, apart from the database (docs/privacy.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFile(pub PathBuf);

impl KeyFile {
    /// The default: `master.key` in the data directory.
    pub fn in_folder(data_dir: &Path) -> KeyFile {
        KeyFile(data_dir.join("master.key"))
    }

    /// The path of the file.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

/// Opens the database: refuses a schema newer than this binary, checks the master key in
/// `key` (creating it when the database holds nothing encrypted and there is no file), and
/// applies migrations.
pub async fn open(url: &DatabaseUrl, key: &KeyFile) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match url {
        DatabaseUrl::Sqlite(u) => Arc::new(crate::sqlite::SqliteStore::open(u, key.path()).await?),
        DatabaseUrl::Postgres(u) => {
            Arc::new(crate::postgres::PostgresStore::open(u, key.path()).await?)
        }
    })
}

/// Replaces the master key with a new one: every account's data key is re-wrapped under it
/// in one transaction, then the new key file takes the old one's place (the old one is kept
/// beside it as `.old`, for backups taken before). A crash in between is finished at the
/// next start. Returns how many account keys were re-wrapped. Every server using the
/// database must be stopped first: one still running would wrap new accounts' keys under
/// the old master key.
pub async fn rotate_master_key(url: &DatabaseUrl, key: &KeyFile) -> Result<u64, StoreError> {
    let pending = crate::vault::keyfile::pending_path(key.path());
    if pending.exists() {
        // A rotation that never reached its database commit: the database still answers
        // to the current key (checked by opening below), so the stale pending key goes.
        std::fs::remove_file(&pending)?;
    }
    let next = crate::vault::MasterKey::generate();
    let rewrapped = match url {
        DatabaseUrl::Sqlite(u) => {
            let store = crate::sqlite::SqliteStore::open(u, key.path()).await?;
            next.create(&pending)?;
            let n = store.rewrap(&crate::vault::Vault::new(next)).await?;
            store.close_pools().await?;
            n
        }
        DatabaseUrl::Postgres(u) => {
            let store = crate::postgres::PostgresStore::open(u, key.path()).await?;
            next.create(&pending)?;
            let n = store.rewrap(&crate::vault::Vault::new(next)).await?;
            store.close_pools().await?;
            n
        }
    };
    crate::vault::keyfile::promote_pending(key.path())?;
    Ok(rewrapped)
}

/// The migrations of `migrator` up to and including `last`: the schema an older build left.
pub(crate) fn migrations_up_to(
    migrator: &sqlx::migrate::Migrator,
    last: i64,
) -> sqlx::migrate::Migrator {
    // The migrator's fields are public (though outside sqlx's semver promise) so that
    // `migrate!` can build one; sqlx is pinned in Cargo.lock, and a change there would fail
    // to compile here rather than misbehave.
    sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(
            migrator
                .iter()
                .filter(|m| m.version <= last)
                .cloned()
                .collect(),
        ),
        ..sqlx::migrate::Migrator::DEFAULT
    }
}

/// Highest version a migrator carries.
pub(crate) fn newest_known(migrator: &sqlx::migrate::Migrator) -> i64 {
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert!(matches!(
            DatabaseUrl::parse("sqlite:///tmp/x.db"),
            Ok(DatabaseUrl::Sqlite(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgres://a@b/c"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgresql://a@b/c"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        for bad in ["mysql://x", "any://x", "", "/tmp/file.db"] {
            let err = DatabaseUrl::parse(bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("unsupported database URL"), "{bad}: {err}");
        }
    }

    #[test]
    fn sqlite_files_are_found() {
        assert_eq!(
            DatabaseUrl::sqlite_in(Path::new("/srv/between")).sqlite_file(),
            Some(std::path::PathBuf::from("/srv/between/between.sqlite3"))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/b.db?mode=rwc")
                .ok()
                .and_then(|u| u.sqlite_file()),
            Some(std::path::PathBuf::from("/tmp/b.db"))
        );
        assert_eq!(
            DatabaseUrl::Postgres("postgres://a@b/c".into()).sqlite_file(),
            None
        );
    }

    #[test]
    fn passwords_are_hidden() {
        let u = DatabaseUrl::Postgres("postgres://me:hunter2@db:5432/between".into());
        assert_eq!(u.redacted(), "postgres://me:***@db:5432/between");
    }
}
