//! The statements every entity runs on the rows an account owns: "insert or return the
//! existing row" for every create keyed by (account, client id), so a retried request never
//! stores its content twice, and "read those in a time range"; and the row structs both
//! backends read.

/// Stores a row once per (account, client id) and gives back `(row, Written)`.
///
/// Runs `INSERT INTO <table> <values> ON CONFLICT (account_id, client_id) DO NOTHING
/// RETURNING <columns>` with the binds the last argument adds to `$query`, on `$conn` (a pool
/// or `&mut *tx`). When a previous try stored the row, that row is read back instead, with
/// [`Written::Existing`](domain::idempotency::Written::Existing). Whether the stored content
/// matches the retry's is the caller's question (the app answers a difference with a
/// client-id conflict). Inside a transaction the existing row is read in it, so the caller
/// just commits (nothing was written) or does its follow-up writes when the row is new.
///
/// PostgreSQL's way; SQLite's is `sqlite::sql::insert_or_existing`, with the same SQL.
macro_rules! insert_or_existing {
    (
        $conn:expr, $account:expr, $client_id:expr,
        into $table:literal ($columns:expr) $values:expr,
        |$query:ident| $bind:expr $(,)?
    ) => {{
        let $query = sqlx::query_as(insert_new_sql!($table, $columns, $values));
        let inserted = $bind.fetch_all($conn).await.map($crate::rows::first_row)?;
        match inserted {
            Some(row) => (row, $crate::Written::Created),
            None => (
                sqlx::query_as(existing_sql!($table, $columns))
                    .bind($account.0)
                    .bind($client_id.to_string())
                    .fetch_one($conn)
                    .await?,
                $crate::Written::Existing,
            ),
        }
    }};
}

/// The insert of [`insert_or_existing!`]: nothing when the (account, client id) is taken,
/// the new row's `$columns` otherwise.
macro_rules! insert_new_sql {
    ($table:literal, $columns:expr, $values:expr) => {
        concat!(
            "INSERT INTO ",
            $table,
            " ",
            $values,
            " ON CONFLICT (account_id, client_id) DO NOTHING RETURNING ",
            $columns
        )
    };
}

/// The row a previous try stored: `$1` the account, `$2` the client id.
macro_rules! existing_sql {
    ($table:literal, $columns:expr) => {
        concat!(
            "SELECT ",
            $columns,
            " FROM ",
            $table,
            " WHERE account_id = $1 AND client_id = $2"
        )
    };
}

/// Reads the account's rows with `from <= at < to`, converting each with `$convert`. The
/// SQL binds `$1` to the account, `$2` to `from` and `$3` to `to` (stored milliseconds; a
/// missing bound is open).
macro_rules! rows_in_range {
    ($self:ident, $sql:expr, $account:expr, $from:expr, $to:expr, $convert:expr) => {{
        let rows: Vec<_> = sqlx::query_as($sql)
            .bind($account.0)
            .bind($crate::rows::ms_from($from))
            .bind($crate::rows::ms_until($to))
            .fetch_all($self.reader())
            .await?;
        rows.into_iter().map($convert).collect()
    }};
}

/// Reads at most one row (`sqlx` on `$self.reader()`, with the binds given in order) and
/// converts it with `$convert`: `Ok(None)` when there is none.
macro_rules! optional_row {
    ($self:ident, $sql:expr, [$($bind:expr),* $(,)?], $convert:expr) => {{
        let row: Option<_> = sqlx::query_as($sql)
            $(.bind($bind))*
            .fetch_optional($self.reader())
            .await?;
        row.map($convert).transpose()
    }};
}

/// Reads every row (`sqlx` on `$self.reader()`, with the binds given in order) and converts
/// each with `$convert`.
macro_rules! all_rows {
    ($self:ident, $sql:expr, [$($bind:expr),* $(,)?], $convert:expr) => {{
        let rows: Vec<_> = sqlx::query_as($sql)
            $(.bind($bind))*
            .fetch_all($self.reader())
            .await?;
        rows.into_iter().map($convert).collect()
    }};
}

/// Declares a row struct read by both backends: sqlx's `FromRow` for PostgreSQL, and
/// [`FromSqliteRow`](crate::sqlite::FromSqliteRow) for SQLite, which reads the columns by
/// position (looking each one up by name costs more than the rest of a short read). The
/// statement's columns must come in the order of the fields; debug builds check that on
/// every read, so the conformance suite catches a statement that drifts.
macro_rules! db_row {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($fvis:vis $field:ident : $ty:ty),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(sqlx::FromRow)]
        $vis struct $name { $($fvis $field: $ty),* }

        impl $crate::sqlite::FromSqliteRow for $name {
            const COLUMNS: Option<&'static [&'static str]> = Some(&[$(stringify!($field)),*]);

            fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                let mut column = 0usize;
                $(
                    let $field = row.get(column)?;
                    column += 1;
                )*
                let _ = column;
                Ok($name { $($field),* })
            }
        }
    };
}
