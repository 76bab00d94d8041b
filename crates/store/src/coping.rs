//! The coping toolkit's data: each use of a tool, and the person's own self-care and
//! distraction lists. The [`CopingStore`], written once for both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::coping::{
    CopingUse, CopingUseId, ListItem, ListItemId, ListKind, NewCopingUse, ToolId, ToolTotals,
};
use domain::rating::Rating;

use domain::account::AccountId;
use domain::idempotency::Written;
use domain::order::Move;

use crate::StoreError;
use crate::sqlite::Sql;
use crate::vault::DataKey;
use crate::vault::sealed::{COPING_LIST_TEXT, COPING_USE_NOTE};

/// Uses of coping tools and the personal lists, each scoped to one account.
#[async_trait]
pub trait CopingStore: Send + Sync {
    /// Stores a use once per client id; a retry returns the stored one. A new `park-it` use
    /// puts its text on the agenda in the same transaction, so a retry never parks it twice
    /// and a failure never loses it.
    async fn insert_coping_use(
        &self,
        account: AccountId,
        new: &NewCopingUse,
    ) -> Result<(CopingUse, Written), StoreError>;
    /// What the account's uses of each tool add up to, kept with every new use: as many
    /// rows as tools used, however many uses. Tools this version does not know are left out.
    async fn coping_totals(&self, account: AccountId) -> Result<Vec<ToolTotals>, StoreError>;
    /// The account's use written last (whatever time it was about), if any.
    async fn last_coping_use(&self, account: AccountId) -> Result<Option<CopingUse>, StoreError>;
    /// The account's uses with `from <= started_at < to`, oldest first.
    async fn coping_uses(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<CopingUse>, StoreError>;

    /// One of the account's lists, in the person's order.
    async fn coping_list(
        &self,
        account: AccountId,
        kind: ListKind,
    ) -> Result<Vec<ListItem>, StoreError>;
    /// Adds an item at the end of a list.
    async fn add_list_item(
        &self,
        account: AccountId,
        kind: ListKind,
        text: &str,
    ) -> Result<ListItem, StoreError>;
    /// Changes an item's text; false when it is not this account's.
    async fn update_list_item(
        &self,
        account: AccountId,
        id: ListItemId,
        text: &str,
    ) -> Result<bool, StoreError>;
    /// Moves an item one place; false when it is not this account's. At either end of the
    /// list it stays where it is.
    async fn move_list_item(
        &self,
        account: AccountId,
        id: ListItemId,
        direction: Move,
    ) -> Result<bool, StoreError>;
    /// Removes an item; false when it is not this account's.
    async fn delete_list_item(
        &self,
        account: AccountId,
        id: ListItemId,
    ) -> Result<bool, StoreError>;
}

fn distress(v: Option<i64>) -> Result<Option<Rating>, StoreError> {
    v.map(|v| {
        Rating::new(v).map_err(|_| StoreError::Corrupt("a distress rating out of range".into()))
    })
    .transpose()
}

db_row! {
pub(crate) struct CopingUseRow {
    pub id: i64,
    pub client_id: String,
    pub tool: String,
    pub started_ms: i64,
    pub distress_before: Option<i64>,
    pub distress_after: Option<i64>,
    pub note: Option<String>,
    pub created_ms: i64,
}
}

impl CopingUseRow {
    /// The use, its note opened with the account's key.
    pub fn into_use(self, key: &DataKey) -> Result<CopingUse, StoreError> {
        let note = key.open_opt(COPING_USE_NOTE, &self.client_id, self.note)?;
        Ok(CopingUse {
            id: CopingUseId(self.id),
            content: NewCopingUse {
                client_id: self
                    .client_id
                    .parse()
                    .map_err(|_| StoreError::Corrupt("coping use client id".into()))?,
                tool: ToolId::parse(&self.tool)
                    .ok_or_else(|| StoreError::Corrupt(format!("coping tool {}", self.tool)))?,
                started_at: crate::rows::from_ms(self.started_ms)?,
                distress_before: distress(self.distress_before)?,
                distress_after: distress(self.distress_after)?,
                note,
            },
            created_at: crate::rows::from_ms(self.created_ms)?,
        })
    }
}

db_row! {
pub(crate) struct ListItemRow {
    pub id: i64,
    pub kind: String,
    pub text: String,
    pub position: i64,
}
}

impl ListItemRow {
    /// The item, its words opened with the account's key.
    pub fn into_item(self, key: &DataKey) -> Result<ListItem, StoreError> {
        Ok(ListItem {
            id: ListItemId(self.id),
            kind: ListKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt("list kind".into()))?,
            text: key.open(COPING_LIST_TEXT, &self.id.to_string(), &self.text)?,
            position: self.position,
        })
    }
}

macro_rules! coping_use_columns {
    () => {
        "id, client_id, tool, started_ms, distress_before, distress_after, note, created_ms"
    };
}

/// The insert's column list and values, shared by both backends.
macro_rules! coping_use_values {
    () => {
        "(account_id, client_id, tool, started_ms, distress_before, distress_after, note, \
         created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    };
}

/// A new use's parked text on the agenda: account `$1`, text `$2`, created at `$3`.
/// Adds a new use to its tool's totals. The later of two times is `MAX` on SQLite and
/// `GREATEST` on PostgreSQL (where `MAX` is only an aggregate), so the text differs there.
macro_rules! add_to_totals {
    ($greatest:literal) => {
        concat!(
            "INSERT INTO coping_tool_totals \
             (account_id, tool, uses, rated_uses, total_relief, last_used_ms) \
             VALUES ($1, $2, 1, $3, $4, $5) ON CONFLICT (account_id, tool) DO UPDATE SET \
             uses = coping_tool_totals.uses + 1, \
             rated_uses = coping_tool_totals.rated_uses + excluded.rated_uses, \
             total_relief = coping_tool_totals.total_relief + excluded.total_relief, \
             last_used_ms = ",
            $greatest,
            "(coping_tool_totals.last_used_ms, excluded.last_used_ms)"
        )
    };
}
pub(crate) const ADD_TO_TOTALS_SQLITE: &str = add_to_totals!("MAX");
pub(crate) const ADD_TO_TOTALS_POSTGRES: &str = add_to_totals!("GREATEST");
/// The account's totals per tool.
pub(crate) const TOTALS: &str = "SELECT tool, uses, rated_uses, total_relief, last_used_ms \
     FROM coping_tool_totals WHERE account_id = $1";

/// What one use adds to its tool's totals: tool, rated (0 or 1), relief, time.
pub(crate) fn totals_args(u: &NewCopingUse) -> (&'static str, i64, i64, i64) {
    let relief = domain::coping::ranking::relief(&u.record());
    (
        u.tool.code(),
        i64::from(relief.is_some()),
        relief.unwrap_or(0),
        crate::rows::ms(u.started_at),
    )
}

/// Totals as stored; a tool this version does not know is left out, as in the ranking.
pub(crate) fn totals_of(
    rows: Vec<(String, i64, i64, i64, i64)>,
) -> Result<Vec<ToolTotals>, StoreError> {
    let count = |v: i64| u32::try_from(v).map_err(|_| StoreError::Corrupt("tool totals".into()));
    let mut totals = Vec::with_capacity(rows.len());
    for (tool, uses, rated_uses, total_relief, last_used) in rows {
        let Some(tool) = ToolId::parse(&tool) else {
            continue;
        };
        totals.push(ToolTotals {
            tool,
            uses: count(uses)?,
            rated_uses: count(rated_uses)?,
            total_relief,
            last_used: Some(crate::rows::from_ms(last_used)?),
        });
    }
    Ok(totals)
}

/// A parked worry's topic on the agenda: `$1` the account, `$2` the time; its id, for its
/// text to be sealed next (see `agenda::SEAL_TEXT`).
pub(crate) const PARK_ON_AGENDA: &str = "INSERT INTO agenda_items (account_id, text, source, \
     created_ms) VALUES ($1, '', 'parked', $2) RETURNING id";

/// The account's use written last.
pub(crate) const LAST_USE: &str = concat!(
    "SELECT ",
    coping_use_columns!(),
    " FROM coping_uses WHERE account_id = $1 ORDER BY id DESC LIMIT 1"
);

/// The account's uses in a range, oldest first (binds as `rows_in_range!`).
pub(crate) const USES_IN_RANGE: &str = concat!(
    "SELECT ",
    coping_use_columns!(),
    " FROM coping_uses WHERE account_id = $1 AND started_ms >= $2 \
     AND started_ms < $3 ORDER BY started_ms, id"
);

/// The account's (`$1`) list of kind `$2`, in order.
pub(crate) const LIST: &str = "SELECT id, kind, text, position FROM coping_list_items \
     WHERE account_id = $1 AND kind = $2 ORDER BY position, id";

/// Adds an item at the end of the account's (`$1`) list of kind `$2`, created at `$3`. Its
/// text is sealed bound to its id, which exists only once the row does: it is written
/// empty, and [`UPDATE_ITEM`] writes the sealed text in the same transaction.
pub(crate) const ADD_ITEM: &str = "INSERT INTO coping_list_items (account_id, kind, text, \
     position, created_ms) \
     SELECT $1, $2, '', COALESCE(MAX(position), 0) + 1, $3 \
     FROM coping_list_items WHERE account_id = $1 AND kind = $2 \
     RETURNING id, kind, text, position";

/// The item's text as stored: sealed, bound to its id.
pub(crate) fn seal_item(key: &DataKey, id: i64, text: &str) -> String {
    key.seal(COPING_LIST_TEXT, &id.to_string(), text)
}

/// Sets the sealed text `$1` of the account's (`$2`) item `$3`.
pub(crate) const UPDATE_ITEM: &str =
    "UPDATE coping_list_items SET text = $1 WHERE account_id = $2 AND id = $3";

/// The ids of the list holding the account's (`$1`) item `$2`, in order; none when the item
/// is not the account's.
pub(crate) const SAME_LIST_IDS: &str = "SELECT id FROM coping_list_items WHERE account_id = $1 \
     AND kind = (SELECT kind FROM coping_list_items WHERE account_id = $1 AND id = $2) \
     ORDER BY position, id";

/// Puts the account's (`$2`) item `$3` at position `$1`.
pub(crate) const SET_POSITION: &str =
    "UPDATE coping_list_items SET position = $1 WHERE account_id = $2 AND id = $3";

/// Deletes the account's (`$1`) item `$2`.
pub(crate) const DELETE_ITEM: &str =
    "DELETE FROM coping_list_items WHERE account_id = $1 AND id = $2";

/// The list's ids after moving `id` one place, or `None` when `id` is not among them. The
/// whole list is short; renumbering it keeps positions dense and distinct however they were
/// left by earlier writes.
pub(crate) fn moved(ids: &[i64], id: i64, direction: Move) -> Option<Vec<i64>> {
    let at = ids.iter().position(|i| *i == id)?;
    let mut order = ids.to_vec();
    if let Some(other) = direction.neighbour(at, order.len()) {
        order.swap(at, other);
    }
    Some(order)
}

#[async_trait]
impl CopingStore for crate::sqlite::SqliteStore {
    async fn insert_coping_use(
        &self,
        account: AccountId,
        new: &NewCopingUse,
    ) -> Result<(CopingUse, Written), StoreError> {
        let u = new.clone();
        let now = crate::rows::ms(Utc::now());
        let vault = self.vault();
        let alerts = self.alert_mail();
        let (row, written): (CopingUseRow, Written) = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let (row, written) = crate::sqlite::sql::insert_or_existing(
                    conn,
                    insert_new_sql!("coping_uses", coping_use_columns!(), coping_use_values!()),
                    existing_sql!("coping_uses", coping_use_columns!()),
                    &[
                        &account.0,
                        &u.client_id.to_string(),
                        &u.tool.code(),
                        &crate::rows::ms(u.started_at),
                        &u.distress_before.map(|r| i64::from(r.get())),
                        &u.distress_after.map(|r| i64::from(r.get())),
                        &key.seal_opt(COPING_USE_NOTE, &u.client_id.to_string(), u.note.as_deref()),
                        &now,
                    ],
                    account,
                    u.client_id,
                )?;
                // In the same write as the use, so a retry never parks it twice and a
                // failure never loses it.
                if written == Written::Created
                    && let Some(text) = u.parked_text()
                {
                    let id: Option<i64> = conn.scalar(PARK_ON_AGENDA, &[&account.0, &now])?;
                    let id = id.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                    crate::agenda::seal_text_sqlite(conn, &key, account, id, text)?;
                }
                if written == Written::Created {
                    let (tool, rated, relief, at) = totals_args(&u);
                    conn.exec(
                        ADD_TO_TOTALS_SQLITE,
                        &[&account.0, &tool, &rated, &relief, &at],
                    )?;
                    // Guidance sees the use in the same transaction.
                    crate::summaries::reassess_sqlite(
                        conn,
                        account,
                        &crate::summaries::HistoryChange::Coping(u.record()),
                        Utc::now(),
                        alerts.as_deref(),
                    )?;
                }
                Ok((row, written))
            })
            .await?;
        Ok((row.into_use(&self.data_key(account)?)?, written))
    }

    async fn coping_totals(&self, account: AccountId) -> Result<Vec<ToolTotals>, StoreError> {
        let rows = self.db()?.read(|conn| conn.rows(TOTALS, &[&account.0]))?;
        totals_of(rows)
    }

    async fn last_coping_use(&self, account: AccountId) -> Result<Option<CopingUse>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(LAST_USE, &[&account.0], |r: CopingUseRow| r.into_use(&key))
    }

    async fn coping_uses(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<CopingUse>, StoreError> {
        let key = self.data_key(account)?;
        self.rows_in_range(USES_IN_RANGE, account, from, to, |r: CopingUseRow| {
            r.into_use(&key)
        })
    }

    async fn coping_list(
        &self,
        account: AccountId,
        kind: ListKind,
    ) -> Result<Vec<ListItem>, StoreError> {
        let key = self.data_key(account)?;
        self.all_rows(LIST, &[&account.0, &kind.code()], |r: ListItemRow| {
            r.into_item(&key)
        })
    }

    async fn add_list_item(
        &self,
        account: AccountId,
        kind: ListKind,
        text: &str,
    ) -> Result<ListItem, StoreError> {
        let text = text.to_owned();
        let vault = self.vault();
        self.db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let row: ListItemRow = conn
                    .row(
                        ADD_ITEM,
                        &[&account.0, &kind.code(), &crate::rows::ms(Utc::now())],
                    )?
                    .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                let sealed = seal_item(&key, row.id, &text);
                conn.exec(UPDATE_ITEM, &[&sealed, &account.0, &row.id])?;
                ListItemRow {
                    text: sealed,
                    ..row
                }
                .into_item(&key)
            })
            .await
    }

    async fn update_list_item(
        &self,
        account: AccountId,
        id: ListItemId,
        text: &str,
    ) -> Result<bool, StoreError> {
        let text = text.to_owned();
        let vault = self.vault();
        self.db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let sealed = seal_item(&key, id.0, &text);
                Ok(conn.exec(UPDATE_ITEM, &[&sealed, &account.0, &id.0])? == 1)
            })
            .await
    }

    async fn move_list_item(
        &self,
        account: AccountId,
        id: ListItemId,
        direction: Move,
    ) -> Result<bool, StoreError> {
        self.db()?
            .write(move |conn| {
                // On the writer, so the list read is the one renumbered.
                let ids: Vec<(i64,)> = conn.rows(SAME_LIST_IDS, &[&account.0, &id.0])?;
                let ids: Vec<i64> = ids.into_iter().map(|(i,)| i).collect();
                let Some(order) = moved(&ids, id.0, direction) else {
                    return Ok(false);
                };
                for (position, item) in (1_i64..).zip(&order) {
                    conn.exec(SET_POSITION, &[&position, &account.0, item])?;
                }
                Ok(true)
            })
            .await
    }

    async fn delete_list_item(
        &self,
        account: AccountId,
        id: ListItemId,
    ) -> Result<bool, StoreError> {
        self.db()?
            .write(move |conn| Ok(conn.exec(DELETE_ITEM, &[&account.0, &id.0])? == 1))
            .await
    }
}

macro_rules! impl_coping_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::coping::CopingStore for $ty {
            async fn insert_coping_use(
                &self,
                account: domain::account::AccountId,
                u: &domain::coping::NewCopingUse,
            ) -> Result<(domain::coping::CopingUse, $crate::Written), $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let note = key.seal_opt(
                    $crate::vault::sealed::COPING_USE_NOTE,
                    &u.client_id.to_string(),
                    u.note.as_deref(),
                );
                let (row, written): ($crate::coping::CopingUseRow, _) = insert_or_existing!(
                    &mut *tx, account, u.client_id,
                    into "coping_uses" (coping_use_columns!()) coping_use_values!(),
                    |q| q
                        .bind(account.0)
                        .bind(u.client_id.to_string())
                        .bind(u.tool.code())
                        .bind($crate::rows::ms(u.started_at))
                        .bind(u.distress_before.map(|r| i64::from(r.get())))
                        .bind(u.distress_after.map(|r| i64::from(r.get())))
                        .bind(&note)
                        .bind(now)
                );
                if written == $crate::Written::Created {
                    if let Some(text) = u.parked_text() {
                        let id: i64 = sqlx::query_scalar($crate::coping::PARK_ON_AGENDA)
                            .bind(account.0)
                            .bind(now)
                            .fetch_all(&mut *tx)
                            .await
                            .and_then($crate::rows::only_row)?;
                        $crate::agenda::seal_text_postgres(&mut *tx, &key, account, id, &text)
                            .await?;
                    }
                    let (tool, rated, relief, at) = $crate::coping::totals_args(u);
                    sqlx::query($crate::coping::ADD_TO_TOTALS_POSTGRES)
                        .bind(account.0)
                        .bind(tool)
                        .bind(rated)
                        .bind(relief)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    // Guidance sees the use in the same transaction.
                    $crate::summaries::reassess_postgres(
                        &mut tx,
                        account,
                        &$crate::summaries::HistoryChange::Coping(u.record()),
                        chrono::Utc::now(),
                        self.alert_mail().as_deref(),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok((row.into_use(&key)?, written))
            }

            async fn coping_totals(
                &self,
                account: domain::account::AccountId,
            ) -> Result<Vec<domain::coping::ToolTotals>, $crate::StoreError> {
                let rows = sqlx::query_as($crate::coping::TOTALS)
                    .bind(account.0)
                    .fetch_all(self.reader())
                    .await?;
                $crate::coping::totals_of(rows)
            }

            async fn last_coping_use(
                &self,
                account: domain::account::AccountId,
            ) -> Result<Option<domain::coping::CopingUse>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                optional_row!(
                    self,
                    $crate::coping::LAST_USE,
                    [account.0],
                    |r: $crate::coping::CopingUseRow| r.into_use(&key)
                )
            }

            async fn coping_uses(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::coping::CopingUse>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                rows_in_range!(
                    self,
                    $crate::coping::USES_IN_RANGE,
                    account,
                    from,
                    to,
                    |r: $crate::coping::CopingUseRow| r.into_use(&key)
                )
            }

            async fn coping_list(
                &self,
                account: domain::account::AccountId,
                kind: domain::coping::ListKind,
            ) -> Result<Vec<domain::coping::ListItem>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                all_rows!(
                    self,
                    $crate::coping::LIST,
                    [account.0, kind.code()],
                    |r: $crate::coping::ListItemRow| r.into_item(&key)
                )
            }

            async fn add_list_item(
                &self,
                account: domain::account::AccountId,
                kind: domain::coping::ListKind,
                text: &str,
            ) -> Result<domain::coping::ListItem, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let row: $crate::coping::ListItemRow = sqlx::query_as($crate::coping::ADD_ITEM)
                    .bind(account.0)
                    .bind(kind.code())
                    .bind($crate::rows::ms(chrono::Utc::now()))
                    .fetch_all(&mut *tx)
                    .await
                    .and_then($crate::rows::only_row)?;
                let sealed = $crate::coping::seal_item(&key, row.id, text);
                sqlx::query($crate::coping::UPDATE_ITEM)
                    .bind(&sealed)
                    .bind(account.0)
                    .bind(row.id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                $crate::coping::ListItemRow { text: sealed, ..row }.into_item(&key)
            }

            async fn update_list_item(
                &self,
                account: domain::account::AccountId,
                id: domain::coping::ListItemId,
                text: &str,
            ) -> Result<bool, $crate::StoreError> {
                let key = self.data_key(self.writer(), account).await?;
                let done = sqlx::query($crate::coping::UPDATE_ITEM)
                .bind($crate::coping::seal_item(&key, id.0, text))
                .bind(account.0)
                .bind(id.0)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn move_list_item(
                &self,
                account: domain::account::AccountId,
                id: domain::coping::ListItemId,
                direction: $crate::Move,
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let ids: Vec<i64> = sqlx::query_scalar($crate::coping::SAME_LIST_IDS)
                .bind(account.0)
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await?;
                let Some(order) = $crate::coping::moved(&ids, id.0, direction) else {
                    tx.rollback().await?;
                    return Ok(false);
                };
                for (position, item) in (1_i64..).zip(&order) {
                    sqlx::query($crate::coping::SET_POSITION)
                    .bind(position)
                    .bind(account.0)
                    .bind(*item)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn delete_list_item(
                &self,
                account: domain::account::AccountId,
                id: domain::coping::ListItemId,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::coping::DELETE_ITEM)
                    .bind(account.0)
                    .bind(id.0)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}
