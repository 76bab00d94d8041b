//! The master key and its file: one line of text, readable by its owner only (0600), made at
//! first start. It is kept apart from database backups where possible, so a stolen backup
//! alone reveals nothing a person wrote.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::KeyInit;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::StoreError;

/// What a key file's one line starts with, naming the format.
const HEADER: &str = "between-master-key:v1:";
/// The mode of the key file: read and write for its owner, nothing for anyone else.
const PRIVATE: u32 = 0o600;

/// The installation's master key, which wraps every account's data key.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself.
        f.write_str("MasterKey")
    }
}

impl MasterKey {
    /// A new random key.
    pub fn generate() -> MasterKey {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        MasterKey(key)
    }

    pub(crate) fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }

    fn to_line(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{HEADER}{}\n",
            STANDARD_NO_PAD.encode(self.0.as_ref())
        ))
    }

    fn from_line(line: &str, path: &Path) -> Result<MasterKey, StoreError> {
        let bad = || {
            StoreError::MasterKey(format!(
                "{} is not a Between master key file (it should be one line starting with \
                 {HEADER:?})",
                path.display()
            ))
        };
        let encoded = line.trim().strip_prefix(HEADER).ok_or_else(bad)?;
        let raw = Zeroizing::new(STANDARD_NO_PAD.decode(encoded).map_err(|_| bad())?);
        let key: [u8; 32] = raw.as_slice().try_into().map_err(|_| bad())?;
        Ok(MasterKey(Zeroizing::new(key)))
    }

    /// Reads the key file; `None` when there is none. A file others may read is made private
    /// with a warning, as the database files are.
    pub fn read(path: &Path) -> Result<Option<MasterKey>, StoreError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => Zeroizing::new(t),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StoreError::MasterKey(format!(
                    "could not read the master key file {}: {e}",
                    path.display()
                )));
            }
        };
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                file = %path.display(),
                was = format!("{:o}", mode & 0o777),
                "master key file was readable by other users; made it private (0600)"
            );
            std::fs::set_permissions(path, Permissions::from_mode(PRIVATE))?;
        }
        MasterKey::from_line(&text, path).map(Some)
    }

    /// Writes the key to a new file (0600), on disk before this returns; an existing file is
    /// never overwritten.
    pub fn create(&self, path: &Path) -> Result<(), StoreError> {
        let failed = |e: io::Error| {
            StoreError::MasterKey(format!(
                "could not create the master key file {}: {e}",
                path.display()
            ))
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(PRIVATE)
            .open(path)
            .map_err(failed)?;
        file.write_all(self.to_line().as_bytes()).map_err(failed)?;
        file.sync_all().map_err(failed)?;
        sync_folder(path).map_err(failed)
    }
}

/// Where a new master key waits during `between key rotate`, until the database's keys are
/// re-wrapped under it.
pub fn pending_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

/// Where the replaced master key is kept after a rotation (for backups taken before it).
pub fn retired_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".old");
    PathBuf::from(name)
}

/// Puts the pending key in the key file's place, keeping the replaced one beside it.
pub fn promote_pending(path: &Path) -> Result<(), StoreError> {
    let retired = retired_path(path);
    if path.exists() {
        // An earlier rotation's retired key makes way: backups from before that rotation
        // need that one, which the docs ask operators to keep with those backups.
        std::fs::rename(path, &retired)?;
    }
    std::fs::rename(pending_path(path), path)?;
    sync_folder(path)?;
    Ok(())
}

fn sync_folder(path: &Path) -> io::Result<()> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => File::open(dir)?.sync_all(),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_key_file_is_private_and_reads_back_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let key = MasterKey::generate();
        key.create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let again = MasterKey::read(&path).unwrap().unwrap();
        assert_eq!(again.0.as_ref(), key.0.as_ref());
        // Never overwritten.
        assert!(MasterKey::generate().create(&path).is_err());
    }

    #[test]
    fn a_missing_file_is_none_and_a_garbled_one_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        assert!(MasterKey::read(&path).unwrap().is_none());
        std::fs::write(&path, "not a key\n").unwrap();
        let err = MasterKey::read(&path).unwrap_err().to_string();
        assert!(err.contains("not a Between master key file"), "{err}");
    }

    #[test]
    fn a_readable_key_file_is_made_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        MasterKey::generate().create(&path).unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
        MasterKey::read(&path).unwrap().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
