//! Files and folders that hold personal data are the owner's alone: folders 0700, files 0600,
//! whatever the umask.

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;

const PRIVATE_DIR: u32 = 0o700;
const PRIVATE_FILE: u32 = 0o600;

/// Creates the folder (0700) when missing, its parents with the usual mode; a folder that
/// others may read is tightened, with a warning in the log.
pub fn folder(dir: &Path) -> anyhow::Result<()> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("could not create the folder {}", parent.display()))?;
    }
    match DirBuilder::new().mode(PRIVATE_DIR).create(dir) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => {
            return Err(e)
                .with_context(|| format!("could not create the folder {}", dir.display()));
        }
    }
    let mode = std::fs::metadata(dir)
        .with_context(|| format!("could not read {}", dir.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        tracing::warn!(
            folder = %dir.display(),
            was = format!("{:o}", mode & 0o777),
            "data folder was open to other users; made it private (0700)"
        );
        std::fs::set_permissions(dir, Permissions::from_mode(PRIVATE_DIR))
            .with_context(|| format!("could not make {} private", dir.display()))?;
    }
    Ok(())
}

/// Writes a file only its owner can read, replacing any earlier file of that name (whose
/// mode is tightened before anything is written into it).
pub fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(PRIVATE_FILE)
        .open(path)
        .with_context(|| format!("could not write {}", path.display()))?;
    // `mode` applies only when the file is created; an existing file keeps its own.
    file.set_permissions(Permissions::from_mode(PRIVATE_FILE))
        .with_context(|| format!("could not make {} private", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("could not write {}", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_are_created_private_and_loose_ones_tightened() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("a").join("data");
        folder(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, Permissions::from_mode(0o755)).unwrap();
        folder(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn files_are_written_private_even_over_a_loose_one() {
        let base = tempfile::tempdir().unwrap();
        let path = base.path().join("export.json");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
        write(&path, b"new").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }
}
