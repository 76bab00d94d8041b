//! Files and folders that hold personal data are the owner's alone: folders 0700, files 0600,
//! whatever the umask.

use std::fs::{DirBuilder, File, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

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

/// A file being written under a hidden temporary name in its final folder, created 0600.
/// Only [`PartialFile::commit`] gives it its final name, after syncing it: a write cut short
/// never carries the final name, and no one else can read it at any moment. Dropped without
/// a commit, the temporary file is removed.
pub struct PartialFile {
    partial: PathBuf,
    path: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl PartialFile {
    /// Creates the temporary file beside `path`.
    pub fn create(path: &Path) -> anyhow::Result<(PartialFile, File)> {
        let Some(name) = path.file_name() else {
            bail!("{} is not a file name", path.display());
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let partial = dir.join(format!(
            ".{}.{}.partial",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(PRIVATE_FILE)
            .open(&partial)
            .with_context(|| format!("could not create {}", partial.display()))?;
        let guard = PartialFile {
            partial,
            path: path.to_path_buf(),
            dir,
            committed: false,
        };
        // The mode given at creation is narrowed by the umask; set it outright as well.
        file.set_permissions(Permissions::from_mode(PRIVATE_FILE))
            .with_context(|| format!("could not make {} private", guard.partial.display()))?;
        Ok((guard, file))
    }

    /// Syncs the written file and renames it to its final name, durably.
    pub fn commit(mut self, file: File) -> anyhow::Result<()> {
        file.sync_all()
            .and_then(|()| std::fs::rename(&self.partial, &self.path))
            // The rename is durable only once the folder itself is synced.
            .and_then(|()| File::open(&self.dir)?.sync_all())
            .with_context(|| format!("could not write {}", self.path.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// Writes a whole file privately and atomically (see [`PartialFile`]).
pub fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let (partial, mut file) = PartialFile::create(path)?;
    file.write_all(bytes)
        .with_context(|| format!("could not write {}", path.display()))?;
    partial.commit(file)
}

#[cfg(test)]
mod tests {
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
        // Nothing is left beside it.
        assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_write_cut_short_leaves_the_old_file_and_no_partial_one() {
        let base = tempfile::tempdir().unwrap();
        let path = base.path().join("backup.jsonl");
        std::fs::write(&path, b"yesterday").unwrap();
        let (partial, mut file) = PartialFile::create(&path).unwrap();
        file.write_all(b"half of tod").unwrap();
        drop(partial);
        assert_eq!(std::fs::read(&path).unwrap(), b"yesterday");
        assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 1);
    }
}
