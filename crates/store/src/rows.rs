//! Conversions between database values and domain values that every entity shares.

use chrono::{DateTime, TimeZone, Utc};
use domain::rating::Rating;

use crate::StoreError;

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The start of a `from <= at < to` range as stored; no start is before every time.
pub(crate) fn ms_from(from: Option<DateTime<Utc>>) -> i64 {
    from.map(ms).unwrap_or(i64::MIN)
}

/// The end of a `from <= at < to` range as stored; no end is after every time.
pub(crate) fn ms_until(to: Option<DateTime<Utc>>) -> i64 {
    to.map(ms).unwrap_or(i64::MAX)
}

pub(crate) fn from_ms(v: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_millis_opt(v)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {v} out of range")))
}

pub(crate) fn rating(v: i64) -> Result<Rating, StoreError> {
    Rating::new(v).map_err(|_| StoreError::Corrupt("a rating out of range".into()))
}

/// A client id as stored (text); `what` names the table for the error.
pub(crate) fn client_id(s: &str, what: &str) -> Result<uuid::Uuid, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what} client id")))
}

/// The one row an `INSERT … RETURNING` gave, read with `fetch_all` so the statement runs to
/// its end (on SQLite, `Sql::row` does the same for the embedded backend's statements).
pub(crate) fn first_row<T>(rows: Vec<T>) -> Option<T> {
    rows.into_iter().next()
}

/// Like [`first_row`], for a statement that always returns a row.
pub(crate) fn only_row<T>(rows: Vec<T>) -> Result<T, sqlx::Error> {
    first_row(rows).ok_or(sqlx::Error::RowNotFound)
}
