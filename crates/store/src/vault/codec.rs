//! Exports carry what people wrote, opened; imports seal it again under the importing
//! account's key, bound to the row it lands in.

use super::{DataKey, sealed};
use crate::StoreError;
use crate::backup::Value;
use crate::export::{Cell, ColumnCodec};

/// The codec of one account's export or import: opens its sealed columns on the way out,
/// seals them on the way in; every other value passes as it is.
pub struct SealingCodec {
    /// The account's key.
    pub key: DataKey,
}

/// What identifies the cell's row for its sealed column.
fn row_key(column: sealed::Column, cell: &Cell<'_>) -> Result<String, StoreError> {
    let missing = || StoreError::Corrupt(format!("{}.{} without its row", cell.table, cell.column));
    if column.row_key == column.account_column {
        // The account's own row (its profile, which carries no id in a document).
        Ok(cell.account.0.to_string())
    } else if column.row_key == "client_id" {
        cell.client_id.map(str::to_string).ok_or_else(missing)
    } else {
        cell.row.map(|id| id.to_string()).ok_or_else(missing)
    }
}

impl ColumnCodec for SealingCodec {
    fn outbound(&self, cell: &Cell<'_>, value: Value) -> Result<Value, StoreError> {
        match (sealed::of(cell.table, cell.column), value) {
            (Some(column), Value::Text(s)) => Ok(Value::Text(self.key.open(
                column,
                &row_key(column, cell)?,
                &s,
            )?)),
            (_, v) => Ok(v),
        }
    }

    fn inbound(&self, cell: &Cell<'_>, value: Value) -> Result<Value, StoreError> {
        match (sealed::of(cell.table, cell.column), value) {
            (Some(column), Value::Text(s)) => Ok(Value::Text(self.key.seal(
                column,
                &row_key(column, cell)?,
                &s,
            ))),
            (_, v) => Ok(v),
        }
    }
}
