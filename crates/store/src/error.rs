//! The one error type of the store layer.

/// What can go wrong when storing or reading.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value (such as an email) is already taken.
    #[error("{what} is already taken")]
    Conflict {
        /// The input field the value came from (`email`), so the answer can point at it.
        field: &'static str,
        /// The value's description for people ("that email address").
        what: &'static str,
    },
    /// The database URL names a scheme we do not support.
    #[error(
        "unsupported database URL scheme {0:?}: use sqlite://PATH (the default) or postgres://USER@HOST/DB"
    )]
    UnsupportedScheme(String),
    /// The database was migrated by a newer version of Between.
    #[error(
        "the database schema (version {database}) is newer than this build of Between knows (version {binary}); run the newer version, or restore a backup made for this one"
    )]
    SchemaNewer {
        /// Highest migration applied to the database.
        database: i64,
        /// Highest migration this binary carries.
        binary: i64,
    },
    /// A stored value no longer fits the domain rules (a bug or a hand-edited database).
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// A file of the database could not be given its private mode.
    #[error("{0}")]
    Files(String),
    /// A backup file that cannot be restored; the message names a line, never its content.
    #[error("the backup cannot be restored: {0}")]
    BackupFormat(String),
    /// A backup taken by a newer version of Between.
    #[error(
        "the backup was taken at schema version {backup}, newer than this build of Between knows (version {binary}); restore it with that version or a newer one"
    )]
    BackupNewer {
        /// The schema version named in the backup.
        backup: i64,
        /// Highest migration this binary carries.
        binary: i64,
    },
    /// The schema holds something the backup format cannot carry.
    #[error("a backup cannot carry {0}")]
    BackupUnsupported(String),
    /// A restore without replacing, into a database that already holds accounts.
    #[error(
        "this database already holds {accounts} account(s); a backup is restored only into a database without accounts"
    )]
    NotEmpty {
        /// How many accounts it holds.
        accounts: i64,
    },
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Applying migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database reported an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The embedded database reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A write ran but its transaction could not be committed, so it was not kept.
    #[error("the write was not saved: {0}")]
    NotCommitted(String),
    /// The database was closed while a write waited.
    #[error("the database is closed")]
    Closed,
    /// A sealed value that does not open with its account's key for its own row and column:
    /// damaged, or moved from elsewhere. Never shown; the message names only where it is.
    #[error("damaged data in {table}.{column}: it does not decrypt for its own row")]
    Damaged {
        /// The table holding it.
        table: &'static str,
        /// The column holding it.
        column: &'static str,
    },
    /// The master key needed to read this database's encrypted data is missing or wrong.
    #[error("{0}")]
    MasterKey(String),
}

impl StoreError {
    /// Maps a unique-constraint violation to [`StoreError::Conflict`].
    pub(crate) fn from_unique(
        e: sqlx::Error,
        field: &'static str,
        what: &'static str,
    ) -> StoreError {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict { field, what }
            }
            _ => StoreError::Database(e),
        }
    }
}
