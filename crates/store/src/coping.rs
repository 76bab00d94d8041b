//! The coping toolkit's data: each use of a tool, and the person's own self-care and
//! distraction lists. The [`CopingStore`], written once for both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::coping::{
    CopingUse, CopingUseId, ListItem, ListItemId, ListKind, NewCopingUse, ToolId,
};
use domain::rating::Rating;

use domain::account::AccountId;
use domain::idempotency::Written;
use domain::order::Move;

use crate::StoreError;

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

#[derive(sqlx::FromRow)]
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

impl CopingUseRow {
    pub fn into_use(self) -> Result<CopingUse, StoreError> {
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
                note: self.note,
            },
            created_at: crate::rows::from_ms(self.created_ms)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ListItemRow {
    pub id: i64,
    pub kind: String,
    pub text: String,
    pub position: i64,
}

impl ListItemRow {
    pub fn into_item(self) -> Result<ListItem, StoreError> {
        Ok(ListItem {
            id: ListItemId(self.id),
            kind: ListKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt("list kind".into()))?,
            text: self.text,
            position: self.position,
        })
    }
}

macro_rules! coping_use_columns {
    () => {
        "id, client_id, tool, started_ms, distress_before, distress_after, note, created_ms"
    };
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
                let (row, written): ($crate::coping::CopingUseRow, _) = insert_or_existing!(
                    &mut *tx, account, u.client_id,
                    into "coping_uses" (coping_use_columns!())
                    "(account_id, client_id, tool, started_ms, distress_before, distress_after, \
                     note, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    |q| q
                        .bind(account.0)
                        .bind(u.client_id.to_string())
                        .bind(u.tool.code())
                        .bind($crate::rows::ms(u.started_at))
                        .bind(u.distress_before.map(|r| i64::from(r.get())))
                        .bind(u.distress_after.map(|r| i64::from(r.get())))
                        .bind(&u.note)
                        .bind(now)
                );
                if written == $crate::Written::Created {
                    if let Some(text) = u.parked_text() {
                        sqlx::query(
                            "INSERT INTO agenda_items (account_id, text, source, created_ms) \
                             VALUES ($1, $2, 'parked', $3)",
                        )
                        .bind(account.0)
                        .bind(text)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok((row.into_use()?, written))
            }

            async fn coping_uses(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::coping::CopingUse>, $crate::StoreError> {
                rows_in_range!(
                    self,
                    concat!(
                        "SELECT ",
                        coping_use_columns!(),
                        " FROM coping_uses WHERE account_id = $1 AND started_ms >= $2 \
                         AND started_ms < $3 ORDER BY started_ms, id"
                    ),
                    account,
                    from,
                    to,
                    $crate::coping::CopingUseRow::into_use
                )
            }

            async fn coping_list(
                &self,
                account: domain::account::AccountId,
                kind: domain::coping::ListKind,
            ) -> Result<Vec<domain::coping::ListItem>, $crate::StoreError> {
                let rows: Vec<$crate::coping::ListItemRow> = sqlx::query_as(
                    "SELECT id, kind, text, position FROM coping_list_items \
                     WHERE account_id = $1 AND kind = $2 ORDER BY position, id",
                )
                .bind(account.0)
                .bind(kind.code())
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map($crate::coping::ListItemRow::into_item).collect()
            }

            async fn add_list_item(
                &self,
                account: domain::account::AccountId,
                kind: domain::coping::ListKind,
                text: &str,
            ) -> Result<domain::coping::ListItem, $crate::StoreError> {
                let row: $crate::coping::ListItemRow = sqlx::query_as(
                    "INSERT INTO coping_list_items (account_id, kind, text, position, created_ms) \
                     SELECT $1, $2, $3, COALESCE(MAX(position), 0) + 1, $4 \
                     FROM coping_list_items WHERE account_id = $1 AND kind = $2 \
                     RETURNING id, kind, text, position",
                )
                .bind(account.0)
                .bind(kind.code())
                .bind(text)
                .bind($crate::rows::ms(chrono::Utc::now()))
                .fetch_all(self.writer())
                .await
                .and_then($crate::rows::only_row)?;
                row.into_item()
            }

            async fn update_list_item(
                &self,
                account: domain::account::AccountId,
                id: domain::coping::ListItemId,
                text: &str,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query(
                    "UPDATE coping_list_items SET text = $1 WHERE account_id = $2 AND id = $3",
                )
                .bind(text)
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
                // The whole list is short; renumbering it keeps positions dense and distinct
                // however they were left by earlier writes.
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM coping_list_items WHERE account_id = $1 AND kind = \
                     (SELECT kind FROM coping_list_items WHERE account_id = $1 AND id = $2) \
                     ORDER BY position, id",
                )
                .bind(account.0)
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await?;
                let Some(at) = ids.iter().position(|i| *i == id.0) else {
                    tx.rollback().await?;
                    return Ok(false);
                };
                let mut order = ids.clone();
                if let Some(other) = direction.neighbour(at, order.len()) {
                    order.swap(at, other);
                }
                for (position, item) in (1_i64..).zip(&order) {
                    sqlx::query(
                        "UPDATE coping_list_items SET position = $1 \
                         WHERE account_id = $2 AND id = $3",
                    )
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
                delete_owned!(self, "coping_list_items", account, id)
            }
        }
    };
}
