//! Between's own backup format, the same from both backends, and the [`BackupStore`] half
//! of the store that writes and reads it.
//!
//! A backup is UTF-8 text, one JSON value per line:
//!
//! ```text
//! {"format":"between-backup","version":1,"schema":6,"backend":"sqlite","taken_at":"…"}
//! {"table":"accounts","columns":[{"name":"id","type":"integer"},…]}
//! [1,"sam@example.org",…]
//! …
//! {"end":{"tables":16,"rows":1234}}
//! ```
//!
//! The header names the schema version (the newest migration applied) the rows were taken
//! at. Each table starts with its column names and types, then one array per row. Types are
//! `integer` (64-bit), `real`, `text` and `boolean`; SQLite keeps booleans as integers, so a
//! SQLite backup carries them as 0 and 1 and a restore converts by the type of the column it
//! writes to. Tables come parents first (foreign-key order), rows by primary key. The end
//! line makes a cut-off file detectable.
//!
//! Tables and columns are read from the database itself, so a migration that adds a column or
//! a table is carried without touching this file; a table may be left out only by naming it
//! in [`NOT_BACKED_UP`] with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

use async_trait::async_trait;

use crate::StoreError;

/// The `format` value of the header line.
pub const FORMAT: &str = "between-backup";
/// The version of the file layout this build writes and the newest it reads.
pub const FORMAT_VERSION: i64 = 1;

/// Tables a backup leaves out, each for a stated reason. Every other table is carried.
pub const NOT_BACKED_UP: &[&str] = &[
    // sqlx's record of applied migrations describes the database, not the data: the database
    // restored into keeps its own, and the header names the schema version instead.
    "_sqlx_migrations",
    // Recent failed sign-ins, keyed by hashes of an email and an address: short-lived security
    // state of this installation, forgotten within a day, and meaningless on another one.
    "sign_in_failures",
    // What guidance needs from each history, derived from the tables that are backed up and
    // rebuilt from them on first use; a restore starts without it.
    "guidance_summaries",
    // Alert emails waiting to be sent or sent lately: delivery state of this installation,
    // removed within a week. A restored database must not send old alerts again.
    "mail_outbox",
    // Sign-ins waiting for their second step: they end within five minutes, and a restore
    // asks for the password again.
    "second_factor_sign_ins",
];

/// Tables whose rows may be deleted only once the account they belong to is gone (the
/// audit log of therapists' reads: its triggers refuse any other delete). A restore that
/// replaces the data leaves them to the deletion of `accounts`, whose foreign-key cascade
/// takes them, and then empties them of anything left.
pub(crate) const GO_WITH_ACCOUNTS: &[&str] = &["audit_log"];

/// How a restore treats data already in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreMode {
    /// Load only into a database that holds no accounts.
    IntoEmpty,
    /// Delete everything first (the caller has saved it), in the same transaction.
    Replace,
}

/// One table's share of a backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    /// The table's name.
    pub table: String,
    /// How many rows it has in the backup.
    pub rows: u64,
}

/// What a backup holds: numbers only, never the data, so it is safe to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The schema version the rows are at.
    pub schema: i64,
    /// The tables in the order they were written, with their row counts.
    pub tables: Vec<TableCount>,
}

impl BackupSummary {
    /// Rows in all tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    /// The row count of one table, if it is in the backup.
    pub fn rows_in(&self, table: &str) -> Option<u64> {
        self.tables
            .iter()
            .find(|t| t.table == table)
            .map(|t| t.rows)
    }
}

/// Writing and reading backups, on either backend.
#[async_trait]
pub trait BackupStore: Send + Sync {
    /// Writes every backed-up table as it stood at one moment (a single read transaction),
    /// while other connections go on writing.
    async fn backup(&self, out: &mut (dyn Write + Send)) -> Result<BackupSummary, StoreError>;

    /// Loads a backup in one transaction: all of it, or nothing. Ids are kept. A backup of an
    /// older schema is brought up to this one first; a newer one is refused.
    async fn restore(
        &self,
        input: &mut (dyn BufRead + Send),
        mode: RestoreMode,
    ) -> Result<BackupSummary, StoreError>;

    /// The names of all tables in this database's schema.
    async fn schema_tables(&self) -> Result<Vec<String>, StoreError>;
}

/// The value types a column may have, named the same way on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
    Integer,
    Real,
    Text,
    Boolean,
}

impl ColumnType {
    /// Maps a type as the database declares it; `None` for a type the format cannot carry.
    pub(crate) fn from_declared(declared: &str) -> Option<ColumnType> {
        match declared.trim().to_ascii_lowercase().as_str() {
            "integer" | "bigint" | "int" | "int8" | "int4" | "int2" | "smallint" => {
                Some(ColumnType::Integer)
            }
            "real" | "double precision" | "float8" | "float4" | "double" => Some(ColumnType::Real),
            "text" => Some(ColumnType::Text),
            "boolean" | "bool" => Some(ColumnType::Boolean),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ColumnType::Integer => "integer",
            ColumnType::Real => "real",
            ColumnType::Text => "text",
            ColumnType::Boolean => "boolean",
        }
    }

    fn parse(name: &str) -> Option<ColumnType> {
        match name {
            "integer" => Some(ColumnType::Integer),
            "real" => Some(ColumnType::Real),
            "text" => Some(ColumnType::Text),
            "boolean" => Some(ColumnType::Boolean),
            _ => None,
        }
    }

    /// The PostgreSQL type a value is read as, so that `integer` and `bigint` columns alike
    /// decode as 64-bit integers.
    pub(crate) fn postgres_cast(self) -> &'static str {
        match self {
            ColumnType::Integer => "BIGINT",
            ColumnType::Real => "DOUBLE PRECISION",
            ColumnType::Text => "TEXT",
            ColumnType::Boolean => "BOOLEAN",
        }
    }
}

/// One column of a table in the database.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub name: String,
    pub ty: ColumnType,
    /// A PostgreSQL identity column, whose sequence must move past the restored ids.
    pub identity: bool,
}

/// One table in the database, as the catalog describes it.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// The primary key's columns, which order the rows.
    pub key: Vec<String>,
    /// Tables this one refers to by foreign key.
    pub parents: BTreeSet<String>,
}

impl Table {
    /// A table left out of backups ([`NOT_BACKED_UP`]): named, so the coverage test can see
    /// it, but never read. `None` for a table that is backed up, whose catalog is read.
    pub(crate) fn unread(name: &str) -> Option<Table> {
        NOT_BACKED_UP.contains(&name).then(|| Table {
            name: name.to_string(),
            columns: Vec::new(),
            key: Vec::new(),
            parents: BTreeSet::new(),
        })
    }

    fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// `SELECT` of every column, ordered by the primary key (or by every column when there
    /// is none), so two backups of the same data are the same file.
    pub(crate) fn select_sql(&self, postgres: bool) -> String {
        let columns: Vec<(&str, ColumnType)> = self
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.ty))
            .collect();
        select_sql(&self.name, &columns, &self.key, None, postgres)
    }
}

/// A column value as the format carries it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value.
    Null,
    /// A 64-bit integer.
    Integer(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// A yes or no (PostgreSQL; SQLite keeps them as integers).
    Boolean(bool),
}

impl Value {
    fn to_json(&self) -> Result<serde_json::Value, StoreError> {
        Ok(match self {
            Value::Null => serde_json::Value::Null,
            Value::Integer(i) => serde_json::Value::from(*i),
            Value::Real(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                // JSON has no NaN or infinity; writing null would change the data silently.
                .ok_or_else(|| StoreError::Corrupt("a number that is not finite".into()))?,
            Value::Text(s) => serde_json::Value::from(s.as_str()),
            Value::Boolean(b) => serde_json::Value::from(*b),
        })
    }

    /// Reads a JSON value into the type of the column it is written to. Booleans and the
    /// integers 0 and 1 stand for each other, since SQLite stores booleans as integers.
    fn from_json(json: serde_json::Value, ty: ColumnType) -> Option<Value> {
        use serde_json::Value as J;
        match (json, ty) {
            (J::Null, _) => Some(Value::Null),
            (J::Number(n), ColumnType::Integer) => n.as_i64().map(Value::Integer),
            (J::Bool(b), ColumnType::Integer) => Some(Value::Integer(i64::from(b))),
            (J::Number(n), ColumnType::Real) => n.as_f64().map(Value::Real),
            (J::String(s), ColumnType::Text) => Some(Value::Text(s)),
            (J::Bool(b), ColumnType::Boolean) => Some(Value::Boolean(b)),
            (J::Number(n), ColumnType::Boolean) => match n.as_i64() {
                Some(0) => Some(Value::Boolean(false)),
                Some(1) => Some(Value::Boolean(true)),
                _ => None,
            },
            _ => None,
        }
    }
}

/// An identifier quoted for SQL. Names come from the database's own catalog, never from a
/// backup file, but quoting keeps even an odd name harmless.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Drops the tables left out of backups and orders the rest parents first (ties by name),
/// so rows can be inserted with foreign keys checked as they go.
pub(crate) fn backed_up_in_order(tables: Vec<Table>) -> Result<Vec<Table>, StoreError> {
    let mut pending: BTreeMap<String, Table> = tables
        .into_iter()
        .filter(|t| !NOT_BACKED_UP.contains(&t.name.as_str()))
        .map(|t| (t.name.clone(), t))
        .collect();
    let mut ordered = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready: Option<String> = pending
            .values()
            .find(|t| {
                t.parents
                    .iter()
                    // A reference to itself or to a table outside the backup does not wait. (A
                    // table referring to itself would also need its rows in parent-first
                    // order; rows go by primary key, which suits ids that only point back.)
                    .all(|p| p == &t.name || !pending.contains_key(p))
            })
            .map(|t| t.name.clone());
        let Some(name) = ready else {
            return Err(StoreError::BackupUnsupported(
                "tables whose foreign keys form a cycle (no order loads them)".into(),
            ));
        };
        if let Some(t) = pending.remove(&name) {
            ordered.push(t);
        }
    }
    Ok(ordered)
}

/// The parsed header line.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub schema: i64,
}

/// Writes the format, line by line, counting as it goes.
pub(crate) struct BackupWriter<'a> {
    out: &'a mut (dyn Write + Send),
    summary: BackupSummary,
}

impl<'a> BackupWriter<'a> {
    pub(crate) fn start(
        out: &'a mut (dyn Write + Send),
        schema: i64,
        backend: &str,
    ) -> Result<BackupWriter<'a>, StoreError> {
        let taken_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        // Written by hand rather than through a JSON map, which would sort the keys: the
        // format name belongs first, where `head -1` shows it.
        let header = format!(
            "{{\"format\":\"{FORMAT}\",\"version\":{FORMAT_VERSION},\"schema\":{schema},\
             \"backend\":{},\"taken_at\":\"{taken_at}\"}}",
            serde_json::Value::from(backend)
        );
        let mut w = BackupWriter {
            out,
            summary: BackupSummary {
                schema,
                tables: Vec::new(),
            },
        };
        w.raw_line(&header)?;
        Ok(w)
    }

    fn raw_line(&mut self, line: &str) -> Result<(), StoreError> {
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    fn line(&mut self, v: &serde_json::Value) -> Result<(), StoreError> {
        serde_json::to_writer(&mut *self.out, v)
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    pub(crate) fn table(&mut self, t: &Table) -> Result<(), StoreError> {
        let columns: Vec<serde_json::Value> = t
            .columns
            .iter()
            .map(|c| serde_json::json!({"name": c.name, "type": c.ty.name()}))
            .collect();
        self.raw_line(&format!(
            "{{\"table\":{},\"columns\":{}}}",
            serde_json::Value::from(t.name.as_str()),
            serde_json::Value::Array(columns)
        ))?;
        self.summary.tables.push(TableCount {
            table: t.name.clone(),
            rows: 0,
        });
        Ok(())
    }

    pub(crate) fn row(&mut self, values: &[Value]) -> Result<(), StoreError> {
        let row = values
            .iter()
            .map(Value::to_json)
            .collect::<Result<Vec<_>, _>>()?;
        self.line(&serde_json::Value::Array(row))?;
        if let Some(t) = self.summary.tables.last_mut() {
            t.rows += 1;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<BackupSummary, StoreError> {
        let end = format!(
            "{{\"end\":{{\"tables\":{},\"rows\":{}}}}}",
            self.summary.tables.len(),
            self.summary.rows()
        );
        self.raw_line(&end)?;
        self.out.flush()?;
        Ok(self.summary)
    }
}

/// One line of a backup after the header.
pub(crate) enum Item {
    Table {
        name: String,
        columns: Vec<(String, ColumnType)>,
    },
    Row(Vec<serde_json::Value>),
    End {
        tables: u64,
        rows: u64,
    },
}

/// Reads the format line by line. Error messages name line numbers and tables, never a
/// value, since the file is full of personal data.
pub(crate) struct BackupReader<'a> {
    input: &'a mut (dyn BufRead + Send),
    line: String,
    number: u64,
}

fn bad(msg: impl Into<String>) -> StoreError {
    StoreError::BackupFormat(msg.into())
}

impl<'a> BackupReader<'a> {
    pub(crate) fn new(input: &'a mut (dyn BufRead + Send)) -> BackupReader<'a> {
        BackupReader {
            input,
            line: String::new(),
            number: 0,
        }
    }

    /// The next line parsed as JSON; `None` at the end of the file.
    fn next_json(&mut self) -> Result<Option<serde_json::Value>, StoreError> {
        loop {
            self.line.clear();
            let n = self.input.read_line(&mut self.line).map_err(|e| {
                if e.kind() == std::io::ErrorKind::InvalidData {
                    bad(format!("line {} is not UTF-8 text", self.number + 1))
                } else {
                    StoreError::Io(e)
                }
            })?;
            if n == 0 {
                return Ok(None);
            }
            self.number += 1;
            if self.line.trim().is_empty() {
                continue;
            }
            return serde_json::from_str(&self.line)
                .map(Some)
                // serde_json's message could quote a piece of the line; say only where.
                .map_err(|e| {
                    bad(format!(
                        "line {} is not valid JSON (at column {})",
                        self.number,
                        e.column()
                    ))
                });
        }
    }

    pub(crate) fn header(&mut self) -> Result<Header, StoreError> {
        let not_ours =
            || bad("this is not a Between backup (its first line is not a backup header)");
        let json = match self.next_json() {
            Ok(Some(j)) => j,
            Ok(None) => return Err(bad("the file is empty")),
            Err(StoreError::BackupFormat(_)) => return Err(not_ours()),
            Err(e) => return Err(e),
        };
        if json.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(not_ours());
        }
        let version = json
            .get("version")
            .and_then(|v| v.as_i64())
            .ok_or_else(not_ours)?;
        if version > FORMAT_VERSION {
            return Err(bad(format!(
                "it was written in backup format {version}, newer than this build of Between \
                 reads ({FORMAT_VERSION}); restore it with a newer version"
            )));
        }
        let schema = json
            .get("schema")
            .and_then(|v| v.as_i64())
            .filter(|s| *s >= 1)
            .ok_or_else(|| bad("its header names no schema version"))?;
        Ok(Header { schema })
    }

    pub(crate) fn next(&mut self) -> Result<Option<Item>, StoreError> {
        let Some(json) = self.next_json()? else {
            return Ok(None);
        };
        let at = self.number;
        match json {
            serde_json::Value::Array(values) => Ok(Some(Item::Row(values))),
            serde_json::Value::Object(mut o) => {
                if let Some(name) = o.remove("table") {
                    let name = name
                        .as_str()
                        .ok_or_else(|| bad(format!("line {at}: a table name must be text")))?
                        .to_string();
                    let columns = o
                        .get("columns")
                        .and_then(|c| c.as_array())
                        .ok_or_else(|| bad(format!("line {at}: table {name} lists no columns")))?
                        .iter()
                        .map(|c| {
                            let n = c.get("name").and_then(|n| n.as_str());
                            let t = c
                                .get("type")
                                .and_then(|t| t.as_str())
                                .and_then(ColumnType::parse);
                            match (n, t) {
                                (Some(n), Some(t)) => Ok((n.to_string(), t)),
                                _ => Err(bad(format!(
                                    "line {at}: a column of table {name} lacks a name or a known type"
                                ))),
                            }
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Some(Item::Table { name, columns }))
                } else if let Some(end) = o.get("end") {
                    let count = |k: &str| {
                        end.get(k)
                            .and_then(|v| v.as_u64())
                            .ok_or_else(|| bad(format!("line {at}: the end line lacks {k}")))
                    };
                    Ok(Some(Item::End {
                        tables: count("tables")?,
                        rows: count("rows")?,
                    }))
                } else {
                    Err(bad(format!("line {at} is neither a table nor a row")))
                }
            }
            _ => Err(bad(format!("line {at} is neither a table nor a row"))),
        }
    }

    pub(crate) fn line_number(&self) -> u64 {
        self.number
    }
}

/// Where the rows of the current table go: the target table's columns in the backup's
/// column order.
pub(crate) struct Target {
    pub table: String,
    pub columns: Vec<Column>,
}

/// Matches a backup table's columns to the database's table.
pub(crate) fn target_for(
    tables: &[Table],
    name: &str,
    columns: &[(String, ColumnType)],
) -> Result<Target, StoreError> {
    let table = tables.iter().find(|t| t.name == name).ok_or_else(|| {
        bad(format!(
            "it holds a table ({name}) that this database does not have"
        ))
    })?;
    let mut seen = BTreeSet::new();
    let columns = columns
        .iter()
        .map(|(c, _)| {
            if !seen.insert(c.clone()) {
                return Err(bad(format!("table {name} lists column {c} twice")));
            }
            table.column(c).cloned().ok_or_else(|| {
                bad(format!(
                    "table {name} has a column ({c}) that this database does not have"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Target {
        table: table.name.clone(),
        columns,
    })
}

/// Converts one row of JSON values to the target's column types.
pub(crate) fn convert_row(
    target: &Target,
    values: Vec<serde_json::Value>,
    line: u64,
) -> Result<Vec<Value>, StoreError> {
    if values.len() != target.columns.len() {
        return Err(bad(format!(
            "line {line}: a row of {} has {} values for {} columns",
            target.table,
            values.len(),
            target.columns.len()
        )));
    }
    values
        .into_iter()
        .zip(&target.columns)
        .map(|(v, c)| {
            Value::from_json(v, c.ty).ok_or_else(|| {
                bad(format!(
                    "line {line}: {}.{} holds a value that is not {}",
                    target.table,
                    c.name,
                    c.ty.name()
                ))
            })
        })
        .collect()
}

/// How many rows go into one `INSERT`: well under both backends' limits on bound values
/// (32,766 in SQLite, 65,535 in PostgreSQL).
pub(crate) fn rows_per_insert(columns: usize) -> usize {
    (20_000 / columns.max(1)).clamp(1, 500)
}

/// The `INSERT … VALUES` head for a target; PostgreSQL needs `OVERRIDING SYSTEM VALUE` to
/// keep the ids of `GENERATED ALWAYS` identity columns.
pub(crate) fn insert_head(target: &Target, postgres: bool) -> String {
    let cols: Vec<String> = target.columns.iter().map(|c| quote(&c.name)).collect();
    format!(
        "INSERT INTO {} ({}){} ",
        quote(&target.table),
        cols.join(", "),
        if postgres {
            " OVERRIDING SYSTEM VALUE"
        } else {
            ""
        }
    )
}

/// `SELECT` of `columns` (name and type) from `table`, only the rows whose `filter` column
/// is `$1` when one is named, in the order of `key` (or of every column when there is
/// none), so the same data always reads the same. PostgreSQL casts each column to the type
/// the format carries.
pub(crate) fn select_sql(
    table: &str,
    columns: &[(&str, ColumnType)],
    key: &[String],
    filter: Option<&str>,
    postgres: bool,
) -> String {
    let cols: Vec<String> = columns
        .iter()
        .map(|(name, ty)| {
            if postgres {
                format!("{}::{}", quote(name), ty.postgres_cast())
            } else {
                quote(name)
            }
        })
        .collect();
    let order: Vec<String> = if key.is_empty() {
        columns.iter().map(|(name, _)| quote(name)).collect()
    } else {
        key.iter().map(|k| quote(k)).collect()
    };
    let filter = filter
        .map(|f| format!(" WHERE {} = $1", quote(f)))
        .unwrap_or_default();
    format!(
        "SELECT {} FROM {}{filter} ORDER BY {}",
        cols.join(", "),
        quote(table),
        order.join(", ")
    )
}

/// Checks the end line against what was read.
pub(crate) fn check_end(summary: &BackupSummary, tables: u64, rows: u64) -> Result<(), StoreError> {
    if summary.tables.len() as u64 != tables || summary.rows() != rows {
        return Err(bad(format!(
            "its end line counts {tables} tables and {rows} rows, but the file holds {} and {}",
            summary.tables.len(),
            summary.rows()
        )));
    }
    Ok(())
}

/// The error for a file that stops before its end line.
pub(crate) fn cut_off() -> StoreError {
    bad("the file ends early (it has no end line): it may have been cut off while copying")
}

/// Restores a backup of an older schema into an in-memory SQLite database at that schema,
/// applies the later migrations there, and returns it as a backup of the current schema.
/// The real migrations do the upgrade, so every change they make to existing rows applies
/// to restored ones exactly as it did to live ones.
pub(crate) async fn upgrade(
    header: &Header,
    reader: &mut BackupReader<'_>,
) -> Result<Vec<u8>, StoreError> {
    let staging = crate::sqlite::SqliteStore::staging(header.schema).await?;
    staging.load(header, reader, RestoreMode::IntoEmpty).await?;
    staging.migrate().await?;
    let mut upgraded = Vec::new();
    staging.backup(&mut upgraded).await?;
    Ok(upgraded)
}

/// The backup and restore methods, stamped onto each backend; `$postgres` picks the few
/// places where the SQL differs.
macro_rules! impl_backup_store {
    ($ty:ty, $db:ty, $postgres:literal) => {
        #[async_trait::async_trait]
        impl $crate::backup::BackupStore for $ty {
            async fn backup(
                &self,
                out: &mut (dyn std::io::Write + Send),
            ) -> Result<$crate::backup::BackupSummary, $crate::StoreError> {
                use futures_util::TryStreamExt;
                use sqlx::Row;
                let mut tx = self.snapshot().await?;
                let schema: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
                        .fetch_one(&mut *tx)
                        .await?;
                let schema = schema.ok_or_else(|| {
                    $crate::StoreError::Corrupt("the database has no schema version".into())
                })?;
                let tables = $crate::backup::backed_up_in_order(Self::catalog(&mut tx).await?)?;
                let mut w =
                    $crate::backup::BackupWriter::start(out, schema, $crate::Store::backend(self))?;
                for t in &tables {
                    w.table(t)?;
                    let sql = t.select_sql($postgres);
                    let mut rows = sqlx::query(&sql).fetch(&mut *tx);
                    while let Some(row) = rows.try_next().await? {
                        let mut values = Vec::with_capacity(t.columns.len());
                        for (i, c) in t.columns.iter().enumerate() {
                            use $crate::backup::{ColumnType, Value};
                            let v = match c.ty {
                                ColumnType::Integer => {
                                    row.try_get::<Option<i64>, _>(i)?.map(Value::Integer)
                                }
                                ColumnType::Real => {
                                    row.try_get::<Option<f64>, _>(i)?.map(Value::Real)
                                }
                                ColumnType::Text => {
                                    row.try_get::<Option<String>, _>(i)?.map(Value::Text)
                                }
                                ColumnType::Boolean => {
                                    row.try_get::<Option<bool>, _>(i)?.map(Value::Boolean)
                                }
                            };
                            values.push(v.unwrap_or(Value::Null));
                        }
                        w.row(&values)?;
                    }
                }
                let summary = w.finish()?;
                tx.rollback().await?;
                Ok(summary)
            }

            async fn restore(
                &self,
                input: &mut (dyn std::io::BufRead + Send),
                mode: $crate::backup::RestoreMode,
            ) -> Result<$crate::backup::BackupSummary, $crate::StoreError> {
                let mut reader = $crate::backup::BackupReader::new(input);
                let header = reader.header()?;
                let binary = $crate::open::newest_known(Self::migrator());
                if header.schema > binary {
                    return Err($crate::StoreError::BackupNewer {
                        backup: header.schema,
                        binary,
                    });
                }
                if header.schema < binary {
                    let upgraded = $crate::backup::upgrade(&header, &mut reader).await?;
                    let mut slice: &[u8] = &upgraded;
                    let mut reader = $crate::backup::BackupReader::new(&mut slice);
                    let header = reader.header()?;
                    return self.load(&header, &mut reader, mode).await;
                }
                self.load(&header, &mut reader, mode).await
            }

            async fn schema_tables(&self) -> Result<Vec<String>, $crate::StoreError> {
                let mut tx = self.snapshot().await?;
                let tables = Self::catalog(&mut tx).await?;
                tx.rollback().await?;
                Ok(tables.into_iter().map(|t| t.name).collect())
            }
        }

        impl $ty {
            /// Loads the rows after a backup's header, in one transaction on the writer.
            pub(crate) async fn load(
                &self,
                header: &$crate::backup::Header,
                reader: &mut $crate::backup::BackupReader<'_>,
                mode: $crate::backup::RestoreMode,
            ) -> Result<$crate::backup::BackupSummary, $crate::StoreError> {
                use $crate::backup::{Item, RestoreMode, TableCount, Value};
                let mut tx = self.writer().begin().await?;
                let tables = $crate::backup::backed_up_in_order(Self::catalog(&mut tx).await?)?;
                let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
                    .fetch_one(&mut *tx)
                    .await?;
                match mode {
                    RestoreMode::IntoEmpty if accounts > 0 => {
                        return Err($crate::StoreError::NotEmpty { accounts });
                    }
                    RestoreMode::IntoEmpty => {
                        // A database without accounts still describes its own encryption;
                        // the backup's description (and the master key it names) replaces it.
                        for t in tables.iter().filter(|t| {
                            $crate::vault::startup::INSTALLATION_TABLES.contains(&t.name.as_str())
                        }) {
                            sqlx::query(&format!("DELETE FROM {}", $crate::backup::quote(&t.name)))
                                .execute(&mut *tx)
                                .await?;
                        }
                    }
                    RestoreMode::Replace => {
                        // Children first, so no foreign key is left pointing at nothing;
                        // the audit log only after the accounts it belongs to.
                        let (after, before): (Vec<_>, Vec<_>) = tables.iter().partition(|t| {
                            $crate::backup::GO_WITH_ACCOUNTS.contains(&t.name.as_str())
                        });
                        for t in before.iter().rev().chain(after.iter()) {
                            sqlx::query(&format!("DELETE FROM {}", $crate::backup::quote(&t.name)))
                                .execute(&mut *tx)
                                .await?;
                        }
                    }
                }
                let mut summary = $crate::backup::BackupSummary {
                    schema: header.schema,
                    tables: Vec::new(),
                };
                let mut target: Option<$crate::backup::Target> = None;
                let mut pending: Vec<Vec<Value>> = Vec::new();
                let mut ended = false;
                while let Some(item) = reader.next()? {
                    match item {
                        Item::Table { name, columns } => {
                            if let Some(t) = &target {
                                Self::insert(&mut tx, t, &mut pending).await?;
                            }
                            if summary.tables.iter().any(|t| t.table == name) {
                                return Err($crate::StoreError::BackupFormat(format!(
                                    "table {name} appears twice"
                                )));
                            }
                            target = Some($crate::backup::target_for(&tables, &name, &columns)?);
                            summary.tables.push(TableCount {
                                table: name,
                                rows: 0,
                            });
                        }
                        Item::Row(values) => {
                            let Some(t) = &target else {
                                return Err($crate::StoreError::BackupFormat(format!(
                                    "line {}: a row before any table",
                                    reader.line_number()
                                )));
                            };
                            pending.push($crate::backup::convert_row(
                                t,
                                values,
                                reader.line_number(),
                            )?);
                            if let Some(c) = summary.tables.last_mut() {
                                c.rows += 1;
                            }
                            if pending.len() >= $crate::backup::rows_per_insert(t.columns.len()) {
                                Self::insert(&mut tx, t, &mut pending).await?;
                            }
                        }
                        Item::End { tables, rows } => {
                            if let Some(t) = &target {
                                Self::insert(&mut tx, t, &mut pending).await?;
                            }
                            $crate::backup::check_end(&summary, tables, rows)?;
                            ended = true;
                            break;
                        }
                    }
                }
                if !ended {
                    return Err($crate::backup::cut_off());
                }
                Self::after_load(&mut tx, &tables).await?;
                // Accounts whose keys this installation's master key can't unwrap would
                // be unreadable: such a restore is refused whole, with what to do instead.
                if self.checks_restored_key()
                    && tables.iter().any(|t| t.name == "vault_state")
                    && !self.restored_key_fits(&mut tx).await?
                {
                    return Err($crate::vault::startup::restored_under_another_key());
                }
                tx.commit().await?;
                if self.checks_restored_key() {
                    // The keys kept in memory were the replaced accounts'; and a backup from
                    // before a column was sealed brings its values plain, to be sealed now as
                    // at a start.
                    self.forget_data_keys();
                    self.seal_restored().await?;
                }
                Ok(summary)
            }

            async fn insert(
                tx: &mut sqlx::Transaction<'_, $db>,
                target: &$crate::backup::Target,
                rows: &mut Vec<Vec<$crate::backup::Value>>,
            ) -> Result<(), $crate::StoreError> {
                use $crate::backup::{ColumnType, Value};
                if rows.is_empty() {
                    return Ok(());
                }
                let mut q =
                    sqlx::QueryBuilder::<$db>::new($crate::backup::insert_head(target, $postgres));
                q.push_values(rows.drain(..), |mut b, row| {
                    for (v, c) in row.into_iter().zip(&target.columns) {
                        // A NULL is bound with the column's own type: PostgreSQL refuses
                        // a NULL typed as an integer for a text column.
                        match (v, c.ty) {
                            (Value::Integer(i), _) => b.push_bind(i),
                            (Value::Real(f), _) => b.push_bind(f),
                            (Value::Text(s), _) => b.push_bind(s),
                            (Value::Boolean(x), _) => b.push_bind(x),
                            (Value::Null, ColumnType::Integer) => b.push_bind(None::<i64>),
                            (Value::Null, ColumnType::Real) => b.push_bind(None::<f64>),
                            (Value::Null, ColumnType::Text) => b.push_bind(None::<String>),
                            (Value::Null, ColumnType::Boolean) => b.push_bind(None::<bool>),
                        };
                    }
                });
                q.build().persistent(false).execute(&mut **tx).await?;
                Ok(())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn booleans_and_integers_stand_for_each_other_only_as_0_and_1() {
        let b = ColumnType::Boolean;
        assert_eq!(Value::from_json(json!(1), b), Some(Value::Boolean(true)));
        assert_eq!(Value::from_json(json!(0), b), Some(Value::Boolean(false)));
        assert_eq!(Value::from_json(json!(2), b), None);
        assert_eq!(Value::from_json(json!("true"), b), None);
        let i = ColumnType::Integer;
        assert_eq!(Value::from_json(json!(true), i), Some(Value::Integer(1)));
        assert_eq!(Value::from_json(json!(1.5), i), None);
        assert_eq!(Value::from_json(json!(null), i), Some(Value::Null));
        assert_eq!(
            Value::from_json(json!(7), ColumnType::Real),
            Some(Value::Real(7.0))
        );
        assert_eq!(Value::from_json(json!(7), ColumnType::Text), None);
    }

    #[test]
    fn a_number_json_cannot_hold_is_refused_rather_than_written_as_null() {
        assert!(Value::Real(f64::NAN).to_json().is_err());
        assert!(Value::Real(f64::INFINITY).to_json().is_err());
        assert_eq!(Value::Real(6.25).to_json().ok(), Some(json!(6.25)));
    }

    fn table(name: &str, parents: &[&str]) -> Table {
        Table {
            name: name.into(),
            columns: Vec::new(),
            key: Vec::new(),
            parents: parents.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn parents_come_first_and_excluded_tables_not_at_all() {
        let ordered = backed_up_in_order(vec![
            table("agenda_items", &["accounts", "journal_entries"]),
            table("journal_entries", &["accounts"]),
            table("_sqlx_migrations", &[]),
            table("accounts", &[]),
            table("tree", &["tree", "accounts"]),
        ])
        .map(|t| t.into_iter().map(|t| t.name).collect::<Vec<_>>())
        .ok();
        assert_eq!(
            ordered,
            Some(vec![
                "accounts".to_string(),
                "journal_entries".into(),
                "agenda_items".into(),
                "tree".into(),
            ])
        );
        assert!(backed_up_in_order(vec![table("a", &["b"]), table("b", &["a"])]).is_err());
    }
}
