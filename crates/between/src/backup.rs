//! `between backup` and `between restore`: files written privately and atomically around the
//! store's backup format.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use store::{BackupSummary, DatabaseUrl, RestoreMode, Store, StoreError};

use crate::cli::Cli;
use crate::commands::{data_dir, open_store};
use crate::private::PartialFile;

/// Writes a backup to `path`. The rows go to a temporary file in the same folder, created
/// 0600, which is synced and then renamed: a backup cut short never carries the final name,
/// and no one else can read it at any moment.
pub(crate) async fn write(store: &dyn Store, path: &Path) -> anyhow::Result<BackupSummary> {
    if path.file_name().is_none() {
        bail!("name the backup file, such as between-backup.jsonl");
    }
    let (partial, file) = PartialFile::create(path)?;
    let mut out = BufWriter::new(file);
    let summary = store
        .backup(&mut out)
        .await
        .with_context(|| format!("could not write the backup {}", path.display()))?;
    let file = out
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("could not write the backup {}", path.display()))?;
    partial.commit(file)?;
    Ok(summary)
}

/// Prints a line to standard output. The work is done by then, so a reader that went away
/// (`between backup FILE | head -1`) is no reason to fail.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `between backup FILE`.
pub(crate) async fn backup(cli: &Cli, file: &Path) -> anyhow::Result<ExitCode> {
    let (store, url) = open_store(cli).await?;
    let summary = write(&*store, file).await?;
    say!(
        "Backed up the {} database at {} to {}.",
        store.backend(),
        url.redacted(),
        file.display()
    );
    print_summary(&summary);
    Ok(ExitCode::SUCCESS)
}

/// Tables and row counts: numbers only, nothing personal.
fn print_summary(summary: &BackupSummary) {
    say!(
        "Schema version {}; {} tables, {} rows:",
        summary.schema,
        summary.tables.len(),
        summary.rows()
    );
    let width = summary
        .tables
        .iter()
        .map(|t| t.table.len())
        .max()
        .unwrap_or(0);
    for t in &summary.tables {
        say!("  {:width$}  {:>9}", t.table, t.rows);
    }
}

/// Where `--replace` keeps the data it is about to replace: beside the SQLite file, or in
/// the data folder for PostgreSQL.
fn replaced_data_file(cli: &Cli, url: &DatabaseUrl) -> anyhow::Result<PathBuf> {
    let dir = match url
        .sqlite_file()
        .and_then(|f| f.parent().map(Path::to_path_buf))
    {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => data_dir(cli)?,
    };
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    Ok(dir.join(format!("between-before-restore-{stamp}.backup")))
}

/// `between restore [--replace] FILE`.
pub(crate) async fn restore(cli: &Cli, file: &Path, replace: bool) -> anyhow::Result<ExitCode> {
    let input = File::open(file).with_context(|| format!("could not open {}", file.display()))?;
    let (store, url) = open_store(cli).await?;
    let mode = if replace {
        let saved = replaced_data_file(cli, &url)?;
        let summary = write(&*store, &saved).await?;
        say!(
            "Saved the current data ({} rows) to {} before replacing it; restore that file \
             with --replace to go back.",
            summary.rows(),
            saved.display()
        );
        RestoreMode::Replace
    } else {
        RestoreMode::IntoEmpty
    };
    match store.restore(&mut BufReader::new(input), mode).await {
        Ok(summary) => {
            say!(
                "Restored {} into the {} database at {}.",
                file.display(),
                store.backend(),
                url.redacted()
            );
            print_summary(&summary);
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::NotEmpty { accounts }) => {
            eprintln!(
                "between restore: nothing was changed. The database at {} already holds {accounts} \
                 account(s), and a restore adds data only to a database without any.\n\
                 To replace everything in it with the backup, stop the server and run\n  \
                 between restore --replace {}\n\
                 which first saves the current data as a backup beside the database.",
                url.redacted(),
                file.display()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!(
            "could not restore {}; nothing was changed",
            file.display()
        ))),
    }
}
