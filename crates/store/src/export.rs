//! One person's data as one JSON document, and that document loaded back into an empty
//! account: the [`ExportStore`] half of the store. The format is described for people in
//! docs/export-format.md.
//!
//! Like backups, the export is driven by the database's own catalogue: every table that
//! holds an `account_id` is exported, so a table added by a later migration is carried
//! without touching this file, and a table may be left out only by naming it in
//! [`NOT_EXPORTED`] with the reason. A table that is neither exported nor excluded (one
//! without an `account_id`, whose rows cannot be told apart by owner) makes the export fail,
//! and the coverage test with it.
//!
//! Every value leaves the database through [`outbound`] and enters it through [`inbound`],
//! each of which passes it through the store's [`ColumnCodec`] (the place where stored text
//! is decrypted on its way out and encrypted on its way in).

use std::collections::BTreeMap;

use async_trait::async_trait;
use domain::account::AccountId;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::StoreError;
use crate::backup::{ColumnType, Table, Value};

/// The `format` value of an export document.
pub const FORMAT: &str = "between-export";
/// The version of the document layout this build writes and the newest it reads.
pub const FORMAT_VERSION: i64 = 1;

/// Tables an export leaves out, each with the reason, which the document repeats under
/// `not_included`. Every other table but `accounts` (the profile) is exported.
pub const NOT_EXPORTED: &[(&str, &str)] = &[
    (
        "_sqlx_migrations",
        "the record of the database's own upgrades, not anyone's data",
    ),
    (
        "sign_in_failures",
        "recent failed sign-ins of this installation, kept only as hashes and forgotten within a day",
    ),
    (
        "auth_sessions",
        "the secret keys of signed-in browsers, which must never leave the server",
    ),
    (
        "api_tokens",
        "the secret keys of apps, which must never leave the server (make new ones where you import)",
    ),
    // The second sign-in step stays with the installation, like the password.
    (
        "second_factors",
        "the secret your authenticator app shares with this server, which must never leave it (turn the second step on again where you import)",
    ),
    (
        "recovery_codes",
        "your recovery codes, kept only as fingerprints that open nothing elsewhere (new ones come with the second step where you import)",
    ),
    (
        "second_factor_sign_ins",
        "sign-ins waiting for their code, which end within five minutes",
    ),
    (
        "guidance_summaries",
        "worked out from the check-ins, questionnaires and coping uses, and worked out again after an import",
    ),
    (
        "coping_tool_totals",
        "the sums of the coping uses, which are exported; added up again after an import",
    ),
    // Encryption at rest: the keys stay with the installation that made them; the export
    // carries the words themselves, and the importing installation seals them with its own.
    (
        "account_keys",
        "the key this installation locks your words with, which never leaves it",
    ),
    (
        "vault_state",
        "this installation's check of its own master key, not anyone's data",
    ),
    (
        "vault_sealed_columns",
        "this installation's record of which columns are locked, not anyone's data",
    ),
    // Sharing with a therapist.
    (
        "share_invites",
        "invite codes for a therapist, kept only as a fingerprint that can't be turned back \
         into the code; the ones still waiting are listed in Settings → Sharing",
    ),
    // Alert emails.
    (
        "mail_outbox",
        "alert emails to a therapist waiting to be sent or sent lately, which belong to this installation's delivery and are removed within a week",
    ),
];

/// Tables a client's export carries for reading only, each read by its own statement rather
/// than by `account_id`: what the client shares with therapists (the grants, revoked ones
/// too) and the audit log of what therapists looked at. They name other people's accounts
/// on this installation, so an import passes over them.
pub const READ_ONLY_EXPORTS: &[&str] = &["share_grants", "audit_log"];

/// The client's (`$1`) grants, with each therapist's name and address.
pub(crate) const SHARE_GRANTS_SQL: &str = "SELECT g.id, a.display_name, a.email, g.scopes, \
     g.display_name, g.alerts, g.since_ms, g.revoked_ms FROM share_grants g \
     LEFT JOIN accounts a ON a.id = g.therapist_id WHERE g.client_id = $1 ORDER BY g.id";

/// The client's (`$1`) audit log, oldest first.
pub(crate) const AUDIT_LOG_SQL: &str = "SELECT id, at_ms, therapist_name, grant_id, kind, \
     what, endpoint FROM audit_log WHERE client_id = $1 ORDER BY at_ms, id";

/// A stored grant as exported.
pub(crate) type GrantRecord = (
    i64,
    Option<String>,
    Option<String>,
    String,
    String,
    bool,
    i64,
    Option<i64>,
);

/// A stored audit row as exported.
pub(crate) type AuditRecord = (i64, i64, String, Option<i64>, String, String, String);

fn time_or_corrupt(ms: i64, what: &str) -> Result<Json, StoreError> {
    time_text(ms)
        .map(Json::from)
        .ok_or_else(|| StoreError::Corrupt(format!("{what} is not a time")))
}

/// A grant as a document row.
pub(crate) fn grant_object(g: GrantRecord) -> Result<Map<String, Json>, StoreError> {
    let (id, name, email, scopes, display_name, alerts, since, revoked) = g;
    let scopes = crate::sharing::scopes(&scopes)?;
    let mut o = Map::new();
    o.insert("id".into(), Json::from(id));
    o.insert("therapist_name".into(), name.map_or(Json::Null, Json::from));
    o.insert(
        "therapist_email".into(),
        email.map_or(Json::Null, Json::from),
    );
    o.insert(
        "scopes".into(),
        Json::from(
            scopes
                .codes()
                .into_iter()
                .map(Json::from)
                .collect::<Vec<_>>(),
        ),
    );
    o.insert("display_name".into(), Json::from(display_name));
    o.insert("alerts".into(), Json::Bool(alerts));
    o.insert(
        "since_at".into(),
        time_or_corrupt(since, "share_grants.since_ms")?,
    );
    o.insert(
        "revoked_at".into(),
        match revoked {
            Some(ms) => time_or_corrupt(ms, "share_grants.revoked_ms")?,
            None => Json::Null,
        },
    );
    Ok(o)
}

/// An audit row as a document row.
pub(crate) fn audit_object(a: AuditRecord) -> Result<Map<String, Json>, StoreError> {
    let (id, at, therapist, grant, kind, what, endpoint) = a;
    let mut o = Map::new();
    o.insert("id".into(), Json::from(id));
    o.insert("at".into(), time_or_corrupt(at, "audit_log.at_ms")?);
    o.insert("therapist_name".into(), Json::from(therapist));
    o.insert("grant_id".into(), grant.map_or(Json::Null, Json::from));
    o.insert("kind".into(), Json::from(kind));
    o.insert("what".into(), Json::from(what));
    o.insert("endpoint".into(), Json::from(endpoint));
    Ok(o)
}

/// Exported tables that Between writes by itself rather than the person: guidance records its
/// first level the first time it is read, so an account nobody has used yet holds a row.
/// They do not make an account "hold data" for an import, which replaces their rows.
pub const WRITTEN_BY_BETWEEN: &[&str] = &["guidance_changes"];

/// Columns of `accounts` the profile leaves out, each with the reason. Every other column
/// of `accounts` is in the profile, so a test makes sure a new one is put in one list or
/// the other on purpose.
pub const NOT_IN_PROFILE: &[(&str, &str)] = &[
    (
        "id",
        "the account's number on this installation, meaningless on another",
    ),
    (
        "password_hash",
        "a secret of this installation; an import keeps the importing account's password",
    ),
];

/// Profile fields an import leaves as they are in the importing account: who signs in, and
/// what they may do, belong to the installation, not to the document.
pub const PROFILE_NOT_IMPORTED: &[&str] = &["email", "role"];

/// The column that names a row's owner; never exported, set to the importing account.
const OWNER: &str = "account_id";

/// Text columns that hold JSON, carried as the JSON value itself rather than as text.
const JSON_COLUMNS: &[(&str, &str)] = &[
    ("checkins", "body"),
    ("checkins", "harder_today"),
    ("reflections", "came_up"),
    ("guidance_changes", "reasons"),
    ("questionnaires", "answers"),
    ("plan_versions", "body"),
    // Bedtime routine: the steps, a list of texts.
    ("bedtime_routines", "items"),
    // Thought records: the feelings with their ratings, and the thinking traps' codes.
    ("thought_records", "feelings"),
    ("thought_records", "traps"),
];

/// Yes/no columns. PostgreSQL declares them BOOLEAN; SQLite keeps them as 0 and 1, so this
/// list makes both backends write `true` and `false` (a test compares it with PostgreSQL's
/// catalogue).
pub const BOOLEAN_COLUMNS: &[(&str, &str)] = &[
    ("accounts", "always_ask_safety"),
    ("checkins", "missed_usual_activities"),
    ("checkins", "self_harm_thoughts"),
    ("checkins", "self_harm_rather_not_say"),
    ("journal_entries", "parked"),
];

/// Integer columns that hold a key in the same space as the table's ids: an agenda topic the
/// person moved sorts by `position`, which took the id of a neighbour. An import maps each to
/// the new id of the row whose old id it was, or of the next row after it, so the order
/// stays.
const SORT_KEYS: &[(&str, &str)] = &[("agenda_items", "position")];

/// The value a column that refers to an account holds in a document when it refers to the
/// exporting account itself (who wrote a plan version); any other account is not part of
/// the export and is written as `null`.
pub const SELF: &str = "self";

/// Where a value sits: whose it is, its table and column, and the id of its row in this
/// database (the account's id for the profile).
#[derive(Debug, Clone, Copy)]
pub struct Cell<'a> {
    /// The account the value belongs to.
    pub account: AccountId,
    /// The table.
    pub table: &'a str,
    /// The column.
    pub column: &'a str,
    /// The row's id here; `None` for a table without an `id` column.
    pub row: Option<i64>,
    /// The row's client id, where its table has one (it identifies the row for the values
    /// sealed under it).
    pub client_id: Option<&'a str>,
}

/// What every value passes through between the database and a document: on its way out
/// ([`ColumnCodec::outbound`]) and on its way in ([`ColumnCodec::inbound`], with the id the
/// row will have). Values are as stored: the codec is where stored text is turned into what
/// the person wrote, and back.
pub trait ColumnCodec: Send + Sync {
    /// A value read from the database, on its way into a document.
    fn outbound(&self, cell: &Cell<'_>, value: Value) -> Result<Value, StoreError>;
    /// A value read from a document, on its way into the database.
    fn inbound(&self, cell: &Cell<'_>, value: Value) -> Result<Value, StoreError>;
}

/// The codec of a database that stores values as they are.
pub struct PlainCodec;

impl ColumnCodec for PlainCodec {
    fn outbound(&self, _cell: &Cell<'_>, value: Value) -> Result<Value, StoreError> {
        Ok(value)
    }

    fn inbound(&self, _cell: &Cell<'_>, value: Value) -> Result<Value, StoreError> {
        Ok(value)
    }
}

/// An export document, its fields in the order they are written.
#[derive(Debug, Clone, Serialize)]
pub struct ExportDocument {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// [`FORMAT_VERSION`].
    pub version: i64,
    /// When it was made, RFC 3339.
    pub exported_at: String,
    /// The schema version (newest migration) the data was read at.
    pub schema: i64,
    /// The account's own settings.
    pub profile: Map<String, Json>,
    /// Each exported table's rows, by table name.
    pub data: BTreeMap<String, Vec<Map<String, Json>>>,
    /// What was left out, and why.
    pub not_included: BTreeMap<&'static str, &'static str>,
}

impl ExportDocument {
    /// The rows of one table (empty when it has none).
    pub fn rows(&self, table: &str) -> &[Map<String, Json>] {
        self.data.get(table).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// What an import loaded: rows per table, never their content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// Table names with the rows loaded into each.
    pub tables: BTreeMap<String, u64>,
}

/// Why an import loaded nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The account already holds data of its own.
    #[error("the account already holds data")]
    NotEmpty,
    /// The document is not one this build can load; `path` names the bad field, as in
    /// `data.checkins[3].mood`. The message never quotes a value.
    #[error("{path}: {message}")]
    Invalid {
        /// Where in the document.
        path: String,
        /// What is wrong, for people.
        message: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(path: impl Into<String>, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        path: path.into(),
        message: message.into(),
    }
}

/// Exporting and importing one account's data, on either backend.
#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Every piece of the account's data, read at one moment.
    async fn export_account(&self, account: AccountId) -> Result<ExportDocument, StoreError>;

    /// Loads a document into an account that holds no data yet, in one transaction: all of
    /// it, or nothing. Rows get new ids (references between them follow); the profile is
    /// taken from the document but for [`PROFILE_NOT_IMPORTED`]. Derived tables are rebuilt.
    async fn import_account(
        &self,
        account: AccountId,
        document: &Json,
    ) -> Result<ImportSummary, ImportError>;

    /// The codec one account's values pass through on their way out and in, made once per
    /// export or import (so it can hold that account's key).
    async fn column_codec(&self, account: AccountId) -> Result<Box<dyn ColumnCodec>, StoreError> {
        let _ = account;
        Ok(Box::new(PlainCodec))
    }
}

/// How a column's value is carried.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Plain,
    /// Unix milliseconds, carried as RFC 3339.
    Time,
    Boolean,
    /// JSON text, carried as the JSON value.
    Json,
    /// The id of a row of another exported table.
    Reference(String),
    /// The id of an account ([`SELF`] or `null` in a document).
    Account,
    /// A sort key among the table's own ids ([`SORT_KEYS`]).
    SortKey,
}

/// One column as a document carries it.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub column: String,
    /// Its name in a document: `at_ms` is `at`, another `x_ms` is `x_at`.
    pub key: String,
    pub ty: ColumnType,
    pub kind: Kind,
}

/// A table as a document carries it: its fields but the owner, and whether rows have ids.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub table: String,
    pub fields: Vec<Field>,
    /// The order rows are read in (the primary key).
    pub key: Vec<String>,
    /// Whether rows have an integer `id`, which an import gives anew.
    pub has_id: bool,
}

/// A column's name in a document.
pub(crate) fn key_of(column: &str) -> String {
    match column.strip_suffix("_ms") {
        Some("at") => "at".to_string(),
        Some(stem) => format!("{stem}_at"),
        None => column.to_string(),
    }
}

impl Shape {
    /// The shape of a table from the catalogue and its foreign keys (column, table).
    pub(crate) fn of(table: &Table, references: &[(String, String)]) -> Shape {
        let fields = table
            .columns
            .iter()
            .filter(|c| c.name != OWNER)
            .map(|c| {
                let pair = (table.name.as_str(), c.name.as_str());
                let reference = references
                    .iter()
                    .find(|(col, _)| col == &c.name)
                    .map(|(_, t)| t.clone());
                let kind = match reference {
                    Some(t) if t == "accounts" => Kind::Account,
                    Some(t) => Kind::Reference(t),
                    None if c.name.ends_with("_ms") => Kind::Time,
                    None if BOOLEAN_COLUMNS.contains(&pair) => Kind::Boolean,
                    None if JSON_COLUMNS.contains(&pair) => Kind::Json,
                    None if SORT_KEYS.contains(&pair) => Kind::SortKey,
                    None => Kind::Plain,
                };
                Field {
                    key: key_of(&c.name),
                    column: c.name.clone(),
                    ty: c.ty,
                    kind,
                }
            })
            .collect();
        Shape {
            table: table.name.clone(),
            fields,
            key: table.key.clone(),
            has_id: table
                .columns
                .iter()
                .any(|c| c.name == "id" && c.ty == ColumnType::Integer),
        }
    }

    fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// `SELECT` of every field of the rows of `$1`, by `filter` (`account_id` or `id`), in
    /// primary-key order.
    pub(crate) fn select_sql(&self, filter: &str, postgres: bool) -> String {
        let columns: Vec<(&str, ColumnType)> = self
            .fields
            .iter()
            .map(|f| (f.column.as_str(), f.ty))
            .collect();
        crate::backup::select_sql(&self.table, &columns, &self.key, Some(filter), postgres)
    }
}

/// The tables an export carries, parents first, checking that each can be told apart by
/// owner; `accounts` (the profile) and [`NOT_EXPORTED`] are not among them.
pub(crate) fn exported_tables(catalog: Vec<Table>) -> Result<Vec<Table>, StoreError> {
    let tables: Vec<Table> = crate::backup::backed_up_in_order(catalog)?
        .into_iter()
        .filter(|t| {
            t.name != "accounts"
                && !NOT_EXPORTED.iter().any(|(n, _)| *n == t.name)
                && !READ_ONLY_EXPORTS.contains(&t.name.as_str())
        })
        .collect();
    for t in &tables {
        if !t.columns.iter().any(|c| c.name == OWNER) {
            return Err(StoreError::BackupUnsupported(format!(
                "an export of table {} (it has no {OWNER}): name it in export::NOT_EXPORTED \
                 with the reason, or give it an owner",
                t.name
            )));
        }
    }
    Ok(tables)
}

/// Finds the `accounts` table in a catalogue.
pub(crate) fn accounts_table(catalog: &[Table]) -> Result<Table, StoreError> {
    let mut t = catalog
        .iter()
        .find(|t| t.name == "accounts")
        .cloned()
        .ok_or_else(|| StoreError::Corrupt("the database has no accounts table".into()))?;
    t.columns
        .retain(|c| !NOT_IN_PROFILE.iter().any(|(n, _)| *n == c.name));
    Ok(t)
}

fn time_text(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// A value on its way out: through the codec, then into its document form.
pub(crate) fn outbound(
    codec: &dyn ColumnCodec,
    cell: &Cell<'_>,
    field: &Field,
    value: Value,
) -> Result<Json, StoreError> {
    let value = codec.outbound(cell, value)?;
    let corrupt = |what: &str| {
        StoreError::Corrupt(format!(
            "{}.{} of row {:?} is not {what}",
            cell.table, cell.column, cell.row
        ))
    };
    Ok(match (value, &field.kind) {
        (Value::Null, _) => Json::Null,
        (Value::Integer(id), Kind::Account) => {
            if id == cell.account.0 {
                Json::from(SELF)
            } else {
                Json::Null
            }
        }
        (Value::Integer(ms), Kind::Time) => {
            Json::from(time_text(ms).ok_or_else(|| corrupt("a time"))?)
        }
        (Value::Integer(i), Kind::Boolean) => Json::Bool(i != 0),
        (Value::Text(s), Kind::Json) => serde_json::from_str(&s).map_err(|_| corrupt("JSON"))?,
        (Value::Integer(i), _) => Json::from(i),
        (Value::Real(f), _) => serde_json::Number::from_f64(f)
            .map(Json::Number)
            .ok_or_else(|| corrupt("a finite number"))?,
        (Value::Text(s), _) => Json::from(s),
        (Value::Boolean(b), _) => Json::Bool(b),
    })
}

/// What a field must hold, for error messages.
fn expected(field: &Field) -> &'static str {
    match (&field.kind, field.ty) {
        (Kind::Time, _) => "a time such as 2026-11-24T09:00:00.000Z",
        (Kind::Boolean, _) | (_, ColumnType::Boolean) => "true or false",
        (Kind::Json, _) => "a list or an object",
        (Kind::Reference(_), _) => "the id of an item elsewhere in this document",
        (Kind::Account, _) => "\"self\" or null",
        (_, ColumnType::Integer) => "a whole number",
        (_, ColumnType::Real) => "a number",
        (_, ColumnType::Text) => "text",
    }
}

/// A value on its way in: from its document form (references already given their new ids)
/// to the stored form, then through the codec. `Err` holds the message for a bad value.
pub(crate) fn inbound(
    codec: &dyn ColumnCodec,
    cell: &Cell<'_>,
    field: &Field,
    json: Json,
) -> Result<Result<Value, String>, StoreError> {
    let wrong = || Err(format!("must be {}", expected(field)));
    let value = match (json, &field.kind, field.ty) {
        (Json::Null, _, _) => Value::Null,
        (Json::String(s), Kind::Time, ColumnType::Integer) => {
            match chrono::DateTime::parse_from_rfc3339(&s) {
                Ok(t) => Value::Integer(t.timestamp_millis()),
                Err(_) => return Ok(wrong()),
            }
        }
        (Json::Bool(b), Kind::Boolean, ColumnType::Integer) => Value::Integer(i64::from(b)),
        (j @ (Json::Array(_) | Json::Object(_)), Kind::Json, ColumnType::Text) => {
            Value::Text(j.to_string())
        }
        (
            Json::Number(n),
            Kind::Plain | Kind::Reference(_) | Kind::Account | Kind::SortKey,
            ColumnType::Integer,
        ) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => return Ok(wrong()),
        },
        (Json::Number(n), Kind::Plain, ColumnType::Real) => match n.as_f64() {
            Some(f) => Value::Real(f),
            None => return Ok(wrong()),
        },
        (Json::String(s), Kind::Plain, ColumnType::Text) => Value::Text(s),
        (Json::Bool(b), Kind::Plain | Kind::Boolean, ColumnType::Boolean) => Value::Boolean(b),
        _ => return Ok(wrong()),
    };
    Ok(Ok(codec.inbound(cell, value)?))
}

/// Checks the header of a document: its format, version and schema.
pub(crate) fn check_header(document: &Json, binary_schema: i64) -> Result<(), ImportError> {
    let Some(doc) = document.as_object() else {
        return Err(invalid("$", "must be a JSON object"));
    };
    if doc.get("format").and_then(Json::as_str) != Some(FORMAT) {
        return Err(invalid(
            "format",
            format!("is not \"{FORMAT}\": this is not a Between export"),
        ));
    }
    match doc.get("version").and_then(Json::as_i64) {
        Some(v) if (1..=FORMAT_VERSION).contains(&v) => {}
        Some(v) if v > FORMAT_VERSION => {
            return Err(invalid(
                "version",
                format!(
                    "is {v}, newer than this Between reads ({FORMAT_VERSION}): import it \
                     into a newer version of Between"
                ),
            ));
        }
        _ => return Err(invalid("version", "must be a whole number from 1")),
    }
    match doc.get("schema").and_then(Json::as_i64) {
        Some(s) if (1..=binary_schema).contains(&s) => {}
        Some(s) if s > binary_schema => {
            return Err(invalid(
                "schema",
                format!(
                    "is {s}, newer than this Between knows ({binary_schema}): import it \
                     into a newer version of Between"
                ),
            ));
        }
        _ => return Err(invalid("schema", "must be a whole number from 1")),
    }
    if !doc.get("profile").is_some_and(Json::is_object) {
        return Err(invalid("profile", "must be an object"));
    }
    if !doc.get("data").is_some_and(Json::is_object) {
        return Err(invalid("data", "must be an object"));
    }
    Ok(())
}

/// Checks that every table named under `data` is one an import loads.
pub(crate) fn check_tables(data: &Map<String, Json>, shapes: &[Shape]) -> Result<(), ImportError> {
    for (name, rows) in data {
        if READ_ONLY_EXPORTS.contains(&name.as_str()) {
            // Carried for the person to read; an import passes over it.
            continue;
        }
        if !shapes.iter().any(|s| &s.table == name) {
            let why = if NOT_EXPORTED.iter().any(|(n, _)| n == name) || name == "accounts" {
                "is never imported"
            } else {
                "is not a kind of data this Between keeps"
            };
            return Err(invalid(format!("data.{name}"), why));
        }
        if !rows.is_array() {
            return Err(invalid(format!("data.{name}"), "must be a list"));
        }
    }
    Ok(())
}

/// A row's problem found by the database (a rule of the schema), named by the row only:
/// the database's own message may quote values.
pub(crate) fn rule_broken(e: sqlx::Error, path: &str) -> ImportError {
    use sqlx::error::ErrorKind;
    let message = match &e {
        sqlx::Error::Database(db) => match db.kind() {
            ErrorKind::UniqueViolation => {
                Some("repeats a value that must be unique (such as a client_id)")
            }
            ErrorKind::ForeignKeyViolation => Some("refers to something that does not exist"),
            ErrorKind::NotNullViolation => Some("lacks a field that is required"),
            ErrorKind::CheckViolation => {
                Some("has a value outside what is allowed (such as a rating above 10)")
            }
            _ => None,
        },
        _ => None,
    };
    match message {
        Some(m) => invalid(path, m),
        None => ImportError::Store(StoreError::Database(e)),
    }
}

/// Rebuilds the totals of the account's coping uses after an import.
pub(crate) const REBUILD_COPING_TOTALS: &str = "INSERT INTO coping_tool_totals \
     (account_id, tool, uses, rated_uses, total_relief, last_used_ms) \
     SELECT account_id, tool, COUNT(*), \
     SUM(CASE WHEN distress_before IS NOT NULL AND distress_after IS NOT NULL THEN 1 ELSE 0 END), \
     SUM(CASE WHEN distress_before IS NOT NULL AND distress_after IS NOT NULL \
     THEN distress_before - distress_after ELSE 0 END), MAX(started_ms) \
     FROM coping_uses WHERE account_id = $1 GROUP BY account_id, tool";

/// The profile's fields an import writes, checked: `email` and `role` are skipped, and any
/// key that is not a profile field is refused.
pub(crate) fn profile_updates<'a>(
    profile: &'a Map<String, Json>,
    shape: &'a Shape,
) -> Result<Vec<(&'a Field, &'a Json)>, ImportError> {
    let mut out = Vec::new();
    for (key, value) in profile {
        let Some(field) = shape.field(key) else {
            return Err(invalid(
                format!("profile.{key}"),
                "is not a field of the profile",
            ));
        };
        if PROFILE_NOT_IMPORTED.contains(&field.column.as_str()) {
            continue;
        }
        out.push((field, value));
    }
    Ok(out)
}

/// One row of a document checked and converted, ready to insert: its columns and values,
/// after references took their new ids.
pub(crate) fn prepare_row(
    codec: &dyn ColumnCodec,
    account: AccountId,
    shape: &Shape,
    row: &Json,
    path: &str,
    new_id: Option<i64>,
    ids: &BTreeMap<String, BTreeMap<i64, i64>>,
) -> Result<Vec<(String, ColumnType, Value)>, ImportError> {
    let Some(object) = row.as_object() else {
        return Err(invalid(path, "must be an object"));
    };
    let client_id = object.get("client_id").and_then(Json::as_str);
    let mut out = Vec::with_capacity(object.len());
    for (key, json) in object {
        let at = format!("{path}.{key}");
        if shape.has_id && key == "id" {
            continue;
        }
        let Some(field) = shape.field(key) else {
            return Err(invalid(at, format!("is not a field of {}", shape.table)));
        };
        let json = match (&field.kind, json) {
            (_, Json::Null) => Json::Null,
            (Kind::Reference(parent), j) => {
                let new = j
                    .as_i64()
                    .and_then(|old| ids.get(parent).and_then(|m| m.get(&old)));
                match new {
                    Some(n) => Json::from(*n),
                    None => {
                        return Err(invalid(
                            at,
                            format!("refers to an item of {parent} that is not in this document"),
                        ));
                    }
                }
            }
            (Kind::SortKey, j) => {
                let own = ids.get(&shape.table);
                let new = j.as_i64().and_then(|old| {
                    own.and_then(|m| {
                        m.range(old..)
                            .next()
                            .map(|(_, n)| *n)
                            .or_else(|| m.values().last().map(|n| n + 1))
                    })
                });
                match new {
                    Some(n) => Json::from(n),
                    None => return Err(invalid(at, "must be a whole number")),
                }
            }
            (Kind::Account, Json::String(s)) if s == SELF => Json::from(account.0),
            (Kind::Account, _) => return Err(invalid(at, "must be \"self\" or null")),
            (_, j) => j.clone(),
        };
        let cell = Cell {
            account,
            table: &shape.table,
            column: &field.column,
            row: new_id,
            client_id,
        };
        match inbound(codec, &cell, field, json)? {
            Ok(v) => out.push((field.column.clone(), field.ty, v)),
            Err(message) => return Err(invalid(at, message)),
        }
    }
    Ok(out)
}

/// The old id of a row of a table with ids, checked to be a whole number not seen before.
pub(crate) fn old_id(
    row: &Json,
    path: &str,
    seen: &BTreeMap<i64, i64>,
) -> Result<i64, ImportError> {
    match row.get("id").and_then(Json::as_i64) {
        Some(id) if seen.contains_key(&id) => Err(invalid(
            format!("{path}.id"),
            "is the id of another item of the same kind",
        )),
        Some(id) => Ok(id),
        None => Err(invalid(format!("{path}.id"), "must be a whole number")),
    }
}

/// The export and import methods, stamped onto each backend; `$postgres` picks the few
/// places where the SQL differs.
macro_rules! impl_export_store {
    ($ty:ty, $db:ty, $postgres:literal) => {
        impl $ty {
            /// The foreign keys of a table: (column, referenced table).
            async fn export_references(
                tx: &mut sqlx::Transaction<'_, $db>,
                table: &str,
            ) -> Result<Vec<(String, String)>, $crate::StoreError> {
                let sql = if $postgres {
                    "SELECT a.attname::text, p.relname::text FROM pg_constraint c \
                     JOIN pg_class t ON t.oid = c.conrelid \
                     JOIN pg_class p ON p.oid = c.confrelid \
                     JOIN pg_namespace n ON n.oid = t.relnamespace \
                     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (c.conkey) \
                     WHERE c.contype = 'f' AND n.nspname = current_schema() \
                     AND t.relname::text = $1"
                } else {
                    "SELECT \"from\", \"table\" FROM pragma_foreign_key_list($1)"
                };
                Ok(sqlx::query_as(sql).bind(table).fetch_all(&mut **tx).await?)
            }

            /// The shapes of the profile and of every exported table, parents first.
            async fn export_shapes(
                tx: &mut sqlx::Transaction<'_, $db>,
            ) -> Result<($crate::export::Shape, Vec<$crate::export::Shape>), $crate::StoreError>
            {
                use $crate::export::Shape;
                let catalog = Self::catalog(tx).await?;
                let accounts = $crate::export::accounts_table(&catalog)?;
                let profile = Shape::of(&accounts, &[]);
                let mut shapes = Vec::new();
                for t in $crate::export::exported_tables(catalog)? {
                    let references = Self::export_references(tx, &t.name).await?;
                    shapes.push(Shape::of(&t, &references));
                }
                Ok((profile, shapes))
            }

            /// Reads rows of a shape (`$1` bound to `key`) as document objects.
            async fn export_rows(
                tx: &mut sqlx::Transaction<'_, $db>,
                shape: &$crate::export::Shape,
                filter: &str,
                account: domain::account::AccountId,
                codec: &dyn $crate::export::ColumnCodec,
            ) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, $crate::StoreError> {
                use $crate::backup::{ColumnType, Value};
                use futures_util::TryStreamExt;
                use sqlx::Row;
                let sql = shape.select_sql(filter, $postgres);
                let mut rows = sqlx::query(&sql).bind(account.0).fetch(&mut **tx);
                let mut out = Vec::new();
                let id_at = shape.fields.iter().position(|f| f.column == "id");
                let client_id_at = shape.fields.iter().position(|f| f.column == "client_id");
                while let Some(row) = rows.try_next().await? {
                    let row_id = match id_at {
                        Some(i) => row.try_get::<Option<i64>, _>(i)?,
                        None => None,
                    };
                    let client_id = match client_id_at {
                        Some(i) => row.try_get::<Option<String>, _>(i)?,
                        None => None,
                    };
                    let mut object = serde_json::Map::new();
                    for (i, f) in shape.fields.iter().enumerate() {
                        let v = match f.ty {
                            ColumnType::Integer => {
                                row.try_get::<Option<i64>, _>(i)?.map(Value::Integer)
                            }
                            ColumnType::Real => row.try_get::<Option<f64>, _>(i)?.map(Value::Real),
                            ColumnType::Text => {
                                row.try_get::<Option<String>, _>(i)?.map(Value::Text)
                            }
                            ColumnType::Boolean => {
                                row.try_get::<Option<bool>, _>(i)?.map(Value::Boolean)
                            }
                        }
                        .unwrap_or(Value::Null);
                        let cell = $crate::export::Cell {
                            account,
                            table: &shape.table,
                            column: &f.column,
                            row: row_id,
                            client_id: client_id.as_deref(),
                        };
                        object.insert(f.key.clone(), $crate::export::outbound(codec, &cell, f, v)?);
                    }
                    out.push(object);
                }
                Ok(out)
            }

            /// Binds one value with its column's type (a NULL too: PostgreSQL refuses a NULL
            /// typed for another column type).
            fn export_bind<'q>(
                q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
                ty: $crate::backup::ColumnType,
                v: $crate::backup::Value,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>> {
                use $crate::backup::{ColumnType, Value};
                match (v, ty) {
                    (Value::Integer(i), _) => q.bind(i),
                    (Value::Real(f), _) => q.bind(f),
                    (Value::Text(s), _) => q.bind(s),
                    (Value::Boolean(x), _) => q.bind(x),
                    (Value::Null, ColumnType::Integer) => q.bind(None::<i64>),
                    (Value::Null, ColumnType::Real) => q.bind(None::<f64>),
                    (Value::Null, ColumnType::Text) => q.bind(None::<String>),
                    (Value::Null, ColumnType::Boolean) => q.bind(None::<bool>),
                }
            }

            /// `n` fresh ids for new rows of a table, taken inside the write transaction so
            /// the codec can bind each value to the row it will be in.
            async fn export_fresh_ids(
                tx: &mut sqlx::Transaction<'_, $db>,
                table: &str,
                n: usize,
            ) -> Result<Vec<i64>, $crate::StoreError> {
                use $crate::backup::quote;
                if n == 0 {
                    return Ok(Vec::new());
                }
                let count = i64::try_from(n).unwrap_or(i64::MAX);
                if $postgres {
                    Ok(sqlx::query_scalar(
                        "SELECT nextval(pg_get_serial_sequence($1, 'id')) \
                         FROM generate_series(1, $2)",
                    )
                    .bind(quote(table))
                    .bind(count)
                    .fetch_all(&mut **tx)
                    .await?)
                } else {
                    // AUTOINCREMENT never reuses an id, even a deleted row's: start past both
                    // the largest id there is and the largest ever given.
                    let last: i64 = sqlx::query_scalar(&format!(
                        "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = $1), 0), \
                         COALESCE((SELECT MAX(id) FROM {}), 0))",
                        quote(table)
                    ))
                    .bind(table)
                    .fetch_one(&mut **tx)
                    .await?;
                    Ok((1..=count).map(|i| last + i).collect())
                }
            }
        }

        #[async_trait::async_trait]
        impl $crate::export::ExportStore for $ty {
            async fn column_codec(
                &self,
                account: domain::account::AccountId,
            ) -> Result<Box<dyn $crate::export::ColumnCodec>, $crate::StoreError> {
                Ok(Box::new($crate::vault::codec::SealingCodec {
                    key: self.account_key(account).await?,
                }))
            }

            async fn export_account(
                &self,
                account: domain::account::AccountId,
            ) -> Result<$crate::export::ExportDocument, $crate::StoreError> {
                use $crate::export::{ExportDocument, FORMAT, FORMAT_VERSION, NOT_EXPORTED};
                let codec = self.column_codec(account).await?;
                let mut tx = self.snapshot().await?;
                let schema: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
                        .fetch_one(&mut *tx)
                        .await?;
                let schema = schema.ok_or_else(|| {
                    $crate::StoreError::Corrupt("the database has no schema version".into())
                })?;
                let (profile_shape, shapes) = Self::export_shapes(&mut tx).await?;
                let profile = Self::export_rows(&mut tx, &profile_shape, "id", account, &*codec)
                    .await?
                    .pop()
                    .ok_or_else(|| {
                        $crate::StoreError::Corrupt("the account to export does not exist".into())
                    })?;
                let mut data = std::collections::BTreeMap::new();
                for shape in &shapes {
                    let rows =
                        Self::export_rows(&mut tx, shape, "account_id", account, &*codec).await?;
                    data.insert(shape.table.clone(), rows);
                }
                // Sharing with a therapist: read for the person, never imported.
                let grants: Vec<$crate::export::GrantRecord> =
                    sqlx::query_as($crate::export::SHARE_GRANTS_SQL)
                        .bind(account.0)
                        .fetch_all(&mut *tx)
                        .await?;
                data.insert(
                    "share_grants".to_string(),
                    grants
                        .into_iter()
                        .map($crate::export::grant_object)
                        .collect::<Result<_, _>>()?,
                );
                let audit: Vec<$crate::export::AuditRecord> =
                    sqlx::query_as($crate::export::AUDIT_LOG_SQL)
                        .bind(account.0)
                        .fetch_all(&mut *tx)
                        .await?;
                data.insert(
                    "audit_log".to_string(),
                    audit
                        .into_iter()
                        .map($crate::export::audit_object)
                        .collect::<Result<_, _>>()?,
                );
                tx.rollback().await?;
                Ok(ExportDocument {
                    format: FORMAT,
                    version: FORMAT_VERSION,
                    exported_at: chrono::Utc::now()
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    schema,
                    profile,
                    data,
                    not_included: NOT_EXPORTED.iter().copied().collect(),
                })
            }

            async fn import_account(
                &self,
                account: domain::account::AccountId,
                document: &serde_json::Value,
            ) -> Result<$crate::export::ImportSummary, $crate::export::ImportError> {
                use $crate::backup::quote;
                use $crate::export::{ImportError, ImportSummary};
                let binary = $crate::open::newest_known(Self::migrator());
                $crate::export::check_header(document, binary)?;
                let codec = self.column_codec(account).await?;
                let codec = &*codec;
                // SQLite: take the write lock first, so that nothing written meanwhile can
                // make this transaction's first reads stale when it starts writing.
                let mut tx = if $postgres {
                    self.writer().begin().await.map_err($crate::StoreError::from)?
                } else {
                    self.writer()
                        .begin_with("BEGIN IMMEDIATE")
                        .await
                        .map_err($crate::StoreError::from)?
                };
                let (profile_shape, shapes) = Self::export_shapes(&mut tx).await?;
                for shape in &shapes {
                    if $crate::export::WRITTEN_BY_BETWEEN.contains(&shape.table.as_str()) {
                        sqlx::query(&format!(
                            "DELETE FROM {} WHERE account_id = $1",
                            quote(&shape.table)
                        ))
                        .bind(account.0)
                        .execute(&mut *tx)
                        .await
                        .map_err($crate::StoreError::from)?;
                        continue;
                    }
                    let held: i64 = sqlx::query_scalar(&format!(
                        "SELECT COUNT(*) FROM {} WHERE account_id = $1",
                        quote(&shape.table)
                    ))
                    .bind(account.0)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::StoreError::from)?;
                    if held > 0 {
                        return Err(ImportError::NotEmpty);
                    }
                }
                let empty = serde_json::Map::new();
                let data = document
                    .get("data")
                    .and_then(serde_json::Value::as_object)
                    .unwrap_or(&empty);
                $crate::export::check_tables(data, &shapes)?;

                // The profile.
                let profile = document
                    .get("profile")
                    .and_then(serde_json::Value::as_object)
                    .unwrap_or(&empty);
                let mut sets = Vec::new();
                for (field, json) in $crate::export::profile_updates(profile, &profile_shape)? {
                    let cell = $crate::export::Cell {
                        account,
                        table: "accounts",
                        column: &field.column,
                        row: Some(account.0),
                        client_id: None,
                    };
                    match $crate::export::inbound(codec, &cell, field, json.clone())? {
                        Ok(v) => sets.push((field.column.clone(), field.ty, v)),
                        Err(message) => {
                            return Err(ImportError::Invalid {
                                path: format!("profile.{}", field.key),
                                message,
                            });
                        }
                    }
                }
                if !sets.is_empty() {
                    let assignments: Vec<String> = sets
                        .iter()
                        .enumerate()
                        .map(|(i, (c, _, _))| format!("{} = ${}", quote(c), i + 2))
                        .collect();
                    let sql = format!(
                        "UPDATE accounts SET {} WHERE id = $1",
                        assignments.join(", ")
                    );
                    let mut q = sqlx::query(&sql).bind(account.0);
                    for (_, ty, v) in sets {
                        q = Self::export_bind(q, ty, v);
                    }
                    q.execute(&mut *tx)
                        .await
                        .map_err(|e| $crate::export::rule_broken(e, "profile"))?;
                }

                // The rows, parents first, each with a new id that references follow.
                let mut ids: std::collections::BTreeMap<
                    String,
                    std::collections::BTreeMap<i64, i64>,
                > = std::collections::BTreeMap::new();
                let mut summary = ImportSummary {
                    tables: std::collections::BTreeMap::new(),
                };
                for shape in &shapes {
                    let rows: &[serde_json::Value] = data
                        .get(&shape.table)
                        .and_then(serde_json::Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or(&[]);
                    let fresh = if shape.has_id {
                        Self::export_fresh_ids(&mut tx, &shape.table, rows.len()).await?
                    } else {
                        Vec::new()
                    };
                    // Every row's new id is known before any is written, so a reference
                    // to a row of the same table (or a sort key among them) can follow too.
                    let mut map = std::collections::BTreeMap::new();
                    if shape.has_id {
                        for (i, row) in rows.iter().enumerate() {
                            let path = format!("data.{}[{i}]", shape.table);
                            let old = $crate::export::old_id(row, &path, &map)?;
                            map.insert(old, fresh[i]);
                        }
                    }
                    ids.insert(shape.table.clone(), map);
                    for (i, row) in rows.iter().enumerate() {
                        let path = format!("data.{}[{i}]", shape.table);
                        let new_id = fresh.get(i).copied();
                        let values = $crate::export::prepare_row(
                            codec, account, shape, row, &path, new_id, &ids,
                        )?;
                        let mut columns = vec![quote("account_id")];
                        if new_id.is_some() {
                            columns.push(quote("id"));
                        }
                        columns.extend(values.iter().map(|(c, _, _)| quote(c)));
                        let marks: Vec<String> =
                            (1..=columns.len()).map(|n| format!("${n}")).collect();
                        let sql = format!(
                            "INSERT INTO {} ({}){} VALUES ({})",
                            quote(&shape.table),
                            columns.join(", "),
                            if $postgres && new_id.is_some() {
                                " OVERRIDING SYSTEM VALUE"
                            } else {
                                ""
                            },
                            marks.join(", ")
                        );
                        let mut q = sqlx::query(&sql).bind(account.0);
                        if let Some(id) = new_id {
                            q = q.bind(id);
                        }
                        for (_, ty, v) in values {
                            q = Self::export_bind(q, ty, v);
                        }
                        q.execute(&mut *tx)
                            .await
                            .map_err(|e| $crate::export::rule_broken(e, &path))?;
                    }
                    summary
                        .tables
                        .insert(shape.table.clone(), rows.len() as u64);
                }

                // Derived tables: started afresh from what was loaded.
                sqlx::query("DELETE FROM coping_tool_totals WHERE account_id = $1")
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::StoreError::from)?;
                sqlx::query($crate::export::REBUILD_COPING_TOTALS)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::StoreError::from)?;
                // Guidance rebuilds a missing summary from the history when next read.
                sqlx::query("DELETE FROM guidance_summaries WHERE account_id = $1")
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::StoreError::from)?;
                tx.commit().await.map_err($crate::StoreError::from)?;
                Ok(summary)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_are_named_for_what_they_are() {
        assert_eq!(key_of("at_ms"), "at");
        assert_eq!(key_of("created_ms"), "created_at");
        assert_eq!(key_of("last_used_ms"), "last_used_at");
        assert_eq!(key_of("note"), "note");
    }

    /// Stands for encryption: stored text is the person's text reversed.
    struct Reversing;

    impl ColumnCodec for Reversing {
        fn outbound(&self, _cell: &Cell<'_>, value: Value) -> Result<Value, StoreError> {
            Ok(match value {
                Value::Text(s) => Value::Text(s.chars().rev().collect()),
                v => v,
            })
        }
        fn inbound(&self, cell: &Cell<'_>, value: Value) -> Result<Value, StoreError> {
            assert_eq!(
                cell.row,
                Some(77),
                "the codec knows the row the value goes into"
            );
            self.outbound(cell, value)
        }
    }

    fn field(kind: Kind, ty: ColumnType) -> Field {
        Field {
            column: "c".into(),
            key: "c".into(),
            ty,
            kind,
        }
    }

    #[test]
    fn every_value_passes_the_codec_both_ways() {
        let cell = Cell {
            account: AccountId(5),
            table: "checkins",
            column: "note",
            row: Some(77),
            client_id: None,
        };
        let note = field(Kind::Plain, ColumnType::Text);
        let out = outbound(&Reversing, &cell, &note, Value::Text("olleh".into())).ok();
        assert_eq!(out, Some(json!("hello")));
        let back = inbound(&Reversing, &cell, &note, json!("hello")).ok();
        assert_eq!(back, Some(Ok(Value::Text("olleh".into()))));
    }

    #[test]
    fn values_take_their_document_forms_and_back() {
        let cell = Cell {
            account: AccountId(5),
            table: "t",
            column: "c",
            row: Some(77),
            client_id: None,
        };
        let cases = [
            (
                field(Kind::Time, ColumnType::Integer),
                Value::Integer(1_764_626_400_123),
                json!("2025-12-01T22:00:00.123Z"),
            ),
            (
                field(Kind::Boolean, ColumnType::Integer),
                Value::Integer(1),
                json!(true),
            ),
            (
                field(Kind::Boolean, ColumnType::Boolean),
                Value::Boolean(false),
                json!(false),
            ),
            (
                field(Kind::Json, ColumnType::Text),
                Value::Text("[\"headache\"]".into()),
                json!(["headache"]),
            ),
            (
                field(Kind::Account, ColumnType::Integer),
                Value::Integer(5),
                json!("self"),
            ),
            (
                field(Kind::Plain, ColumnType::Real),
                Value::Real(7.5),
                json!(7.5),
            ),
            (
                field(Kind::Plain, ColumnType::Text),
                Value::Null,
                json!(null),
            ),
        ];
        for (f, stored, doc) in cases {
            assert_eq!(
                outbound(&PlainCodec, &cell, &f, stored.clone()).ok(),
                Some(doc.clone())
            );
            // An account reference comes back through the import's own mapping, not here.
            if f.kind != Kind::Account {
                assert_eq!(inbound(&PlainCodec, &cell, &f, doc).ok(), Some(Ok(stored)));
            }
        }
        // Someone else's account is not part of the export.
        let other = field(Kind::Account, ColumnType::Integer);
        assert_eq!(
            outbound(&PlainCodec, &cell, &other, Value::Integer(9)).ok(),
            Some(json!(null))
        );
        // Wrong forms are refused with what was expected, never the value.
        let time = field(Kind::Time, ColumnType::Integer);
        let refused = inbound(&PlainCodec, &cell, &time, json!("yesterday")).ok();
        assert!(matches!(refused, Some(Err(m)) if m.contains("a time such as")));
        let json_col = field(Kind::Json, ColumnType::Text);
        assert!(matches!(
            inbound(&PlainCodec, &cell, &json_col, json!("[1]")).ok(),
            Some(Err(_))
        ));
    }
}
