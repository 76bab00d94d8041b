//! Running the store's SQL on a rusqlite connection: the same statement text as the
//! PostgreSQL backend (`$1`, `$2`… parameters), rows read into the same row structs.

use domain::account::AccountId;
use domain::idempotency::Written;
use rusqlite::types::FromSql;
use rusqlite::{Connection, ToSql};

use crate::StoreError;

/// A value bound to a `$n` parameter.
pub(crate) type Arg<'a> = &'a dyn ToSql;

/// A type read from one result row.
pub(crate) trait FromSqliteRow: Sized {
    /// The columns it reads by position, in order, when it reads them so (checked against
    /// the statement in debug builds); `None` when it reads by name or is a tuple.
    const COLUMNS: Option<&'static [&'static str]> = None;

    /// Reads the row.
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

/// In debug builds, that a statement's columns are the ones `T` reads by position, in order.
fn check_columns<T: FromSqliteRow>(stmt: &rusqlite::Statement<'_>) {
    if cfg!(debug_assertions)
        && let Some(expected) = T::COLUMNS
    {
        // The column names alone: a statement's text with its values could carry
        // personal data into a log.
        debug_assert_eq!(
            stmt.column_names(),
            expected,
            "the statement's columns differ from the row's fields"
        );
    }
}

macro_rules! tuple_rows {
    ($($name:ident $index:tt),+) => {
        impl<$($name: FromSql),+> FromSqliteRow for ($($name,)+) {
            fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok(($(row.get::<usize, $name>($index)?,)+))
            }
        }
    };
}
tuple_rows!(A 0);
tuple_rows!(A 0, B 1);
tuple_rows!(A 0, B 1, C 2);
tuple_rows!(A 0, B 1, C 2, D 3);
tuple_rows!(A 0, B 1, C 2, D 3, E 4);
tuple_rows!(A 0, B 1, C 2, D 3, E 4, F 5);

/// Statements on a connection, with `$n` parameters bound from `args[n - 1]`.
pub(crate) trait Sql {
    /// Every row of a query.
    fn rows<T: FromSqliteRow>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>, StoreError>;
    /// The first row of a query, if any.
    fn row<T: FromSqliteRow>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Option<T>, StoreError>;
    /// The first column of the first row, if any.
    fn scalar<T: FromSql>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Option<T>, StoreError>;
    /// Runs a statement; how many rows it changed.
    fn exec(&self, sql: &str, args: &[Arg<'_>]) -> Result<usize, StoreError>;
}

impl Sql for Connection {
    fn rows<T: FromSqliteRow>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>, StoreError> {
        let mut stmt = self.prepare_cached(sql)?;
        check_columns::<T>(&stmt);
        bind(&mut stmt, args)?;
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(T::from_row(row)?);
        }
        Ok(out)
    }

    fn row<T: FromSqliteRow>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Option<T>, StoreError> {
        let mut stmt = self.prepare_cached(sql)?;
        check_columns::<T>(&stmt);
        bind(&mut stmt, args)?;
        let mut rows = stmt.raw_query();
        let first = rows.next()?.map(T::from_row).transpose()?;
        // Run the statement to its end: an INSERT … RETURNING must finish to take effect
        // in full, and a finished statement lets SQLite checkpoint.
        while rows.next()?.is_some() {}
        Ok(first)
    }

    fn scalar<T: FromSql>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Option<T>, StoreError> {
        Ok(self.row::<(T,)>(sql, args)?.map(|(v,)| v))
    }

    fn exec(&self, sql: &str, args: &[Arg<'_>]) -> Result<usize, StoreError> {
        let mut stmt = self.prepare_cached(sql)?;
        bind(&mut stmt, args)?;
        Ok(stmt.raw_execute()?)
    }
}

/// Binds `$n` to `args[n - 1]` by the parameter's name, so a statement may use its
/// parameters in any order and more than once, as on PostgreSQL.
fn bind(stmt: &mut rusqlite::CachedStatement<'_>, args: &[Arg<'_>]) -> Result<(), StoreError> {
    for index in 1..=stmt.parameter_count() {
        let number = stmt
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(index);
        let arg = number
            .checked_sub(1)
            .and_then(|i| args.get(i))
            .ok_or(rusqlite::Error::InvalidParameterCount(number, args.len()))?;
        stmt.raw_bind_parameter(index, arg)?;
    }
    Ok(())
}

/// Whether an error is a unique-constraint violation.
pub(crate) fn is_unique_violation(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

/// Stores a row once per (account, client id), as `insert_or_existing!` does on PostgreSQL:
/// `insert` is [`insert_new_sql!`] with its binds `args`, `existing` is [`existing_sql!`].
/// On the writer, so the insert and the read back see the same database.
pub(crate) fn insert_or_existing<T: FromSqliteRow>(
    conn: &Connection,
    insert: &str,
    existing: &str,
    args: &[Arg<'_>],
    account: AccountId,
    client_id: uuid::Uuid,
) -> Result<(T, Written), StoreError> {
    if let Some(row) = conn.row(insert, args)? {
        return Ok((row, Written::Created));
    }
    let row = conn
        .row(existing, &[&account.0, &client_id.to_string()])?
        .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    Ok((row, Written::Existing))
}
