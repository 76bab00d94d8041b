//! Keeping the database file and its companions readable by their owner only.

use std::fs::{OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::StoreError;

/// Mode of every file holding personal data: read and write for the owner, nothing for others.
pub(crate) const PRIVATE_FILE: u32 = 0o600;

/// Creates the database file as 0600 when it is missing, and tightens the database, its
/// `-wal` and `-shm` files when group or others may read them (with a warning naming the
/// file, never its content).
///
/// SQLite creates the `-wal` and `-shm` files with the mode of the database file, so making
/// the database file private first keeps them private too, whatever the umask.
pub(crate) fn make_private(database: &Path) -> Result<(), StoreError> {
    if is_in_memory(database) {
        return Ok(());
    }
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(PRIVATE_FILE)
        .open(database);
    match created {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        // A missing folder or a read-only place: let SQLite report it in its own words.
        Err(_) => return Ok(()),
    }
    for path in [
        database.to_path_buf(),
        companion(database, "-wal"),
        companion(database, "-shm"),
    ] {
        tighten(&path).map_err(|e| {
            StoreError::Files(format!("could not make {} private: {e}", path.display()))
        })?;
    }
    Ok(())
}

fn is_in_memory(database: &Path) -> bool {
    let name = database.to_string_lossy();
    name.is_empty() || name.starts_with(":memory:") || name.starts_with("file:")
}

fn companion(database: &Path, suffix: &str) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes group and other permissions from a file that has any; a missing file is fine.
fn tighten(path: &Path) -> io::Result<()> {
    let mode = match std::fs::metadata(path) {
        Ok(m) => m.permissions().mode(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if mode & 0o077 != 0 {
        tracing::warn!(
            file = %path.display(),
            was = format!("{:o}", mode & 0o777),
            "database file was readable by other users; made it private (0600)"
        );
        std::fs::set_permissions(path, Permissions::from_mode(PRIVATE_FILE))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_database_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("between.sqlite3");
        make_private(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
    }

    #[test]
    fn loose_files_are_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("between.sqlite3");
        for p in [db.clone(), companion(&db, "-wal"), companion(&db, "-shm")] {
            std::fs::write(&p, b"").unwrap();
            std::fs::set_permissions(&p, Permissions::from_mode(0o644)).unwrap();
        }
        make_private(&db).unwrap();
        for p in [db.clone(), companion(&db, "-wal"), companion(&db, "-shm")] {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }

    #[test]
    fn memory_databases_are_left_alone() {
        assert!(is_in_memory(Path::new(":memory:")));
        assert!(!is_in_memory(Path::new("/tmp/x.sqlite3")));
    }
}
