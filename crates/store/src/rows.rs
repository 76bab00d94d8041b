//! Database rows and their conversion into domain types, shared by both backends.

use chrono::{DateTime, TimeZone, Utc};
use domain::account::{Account, AccountId, Email, Role, TherapistContact};
use domain::checkin::{BodySignal, CheckIn, NewCheckIn, UsualActivities};
use domain::rating::Rating;

use crate::StoreError;

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(v: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_millis_opt(v)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {v} out of range")))
}

fn rating(v: i64) -> Result<Rating, StoreError> {
    Rating::new(v).map_err(|_| StoreError::Corrupt("a rating out of range".into()))
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub country: Option<String>,
    pub timezone: String,
    pub usual_mood: Option<i64>,
    pub always_ask_safety: bool,
    pub therapist_name: Option<String>,
    pub therapist_phone: Option<String>,
    pub therapist_email: Option<String>,
}

impl AccountRow {
    pub fn into_account(self) -> Result<Account, StoreError> {
        Ok(Account {
            id: AccountId(self.id),
            email: Email::parse(&self.email)
                .map_err(|_| StoreError::Corrupt("account email".into()))?,
            role: Role::parse(&self.role).ok_or_else(|| StoreError::Corrupt("role".into()))?,
            country: self.country,
            timezone: self.timezone,
            usual_mood: self.usual_mood.map(rating).transpose()?,
            always_ask_safety: self.always_ask_safety,
            therapist: TherapistContact {
                name: self.therapist_name,
                phone: self.therapist_phone,
                email: self.therapist_email,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CheckInRow {
    pub id: i64,
    pub account_id: i64,
    pub client_id: String,
    pub at_ms: i64,
    pub mood: i64,
    pub anxiety: Option<i64>,
    pub energy: Option<i64>,
    pub body: String,
    pub usual_activities: Option<String>,
    pub missed_usual_activities: Option<bool>,
    pub harder_today: String,
    pub sleep_hours: Option<f64>,
    pub substances: Option<String>,
    pub self_harm_thoughts: Option<bool>,
    pub note: Option<String>,
    pub created_ms: i64,
}

impl CheckInRow {
    pub fn into_checkin(self) -> Result<CheckIn, StoreError> {
        let body_codes: Vec<String> = serde_json::from_str(&self.body)
            .map_err(|_| StoreError::Corrupt("check-in body signals".into()))?;
        let body = body_codes
            .iter()
            .map(|c| BodySignal::parse(c).ok_or_else(|| StoreError::Corrupt("body signal".into())))
            .collect::<Result<Vec<_>, _>>()?;
        let harder_today: Vec<String> = serde_json::from_str(&self.harder_today)
            .map_err(|_| StoreError::Corrupt("check-in tags".into()))?;
        Ok(CheckIn {
            id: self.id,
            account_id: AccountId(self.account_id),
            content: NewCheckIn {
                client_id: self
                    .client_id
                    .parse()
                    .map_err(|_| StoreError::Corrupt("client id".into()))?,
                at: from_ms(self.at_ms)?,
                mood: rating(self.mood)?,
                anxiety: self.anxiety.map(rating).transpose()?,
                energy: self.energy.map(rating).transpose()?,
                body,
                usual_activities: self
                    .usual_activities
                    .map(|u| {
                        UsualActivities::parse(&u)
                            .ok_or_else(|| StoreError::Corrupt("usual activities".into()))
                    })
                    .transpose()?,
                missed_usual_activities: self.missed_usual_activities,
                harder_today,
                sleep_hours: self.sleep_hours,
                substances: self.substances,
                self_harm_thoughts: self.self_harm_thoughts,
                note: self.note,
            },
            created_at: from_ms(self.created_ms)?,
        })
    }
}

/// Body signal codes as stored JSON text.
pub(crate) fn body_json(c: &NewCheckIn) -> String {
    let codes: Vec<&str> = c.body.iter().map(|b| b.code()).collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())
}

/// Tags as stored JSON text.
pub(crate) fn tags_json(c: &NewCheckIn) -> String {
    serde_json::to_string(&c.harder_today).unwrap_or_else(|_| "[]".into())
}

/// The one row an autocommitted `INSERT … RETURNING` gave, read with `fetch_all`.
///
/// Such statements must run to their end: SQLite checkpoints its write-ahead log when a
/// statement finishes, and `fetch_one`/`fetch_optional` stop at the first row, so the commit
/// happens on reset and the checkpoint never runs (the WAL then grows without bound).
pub(crate) fn first_row<T>(rows: Vec<T>) -> Option<T> {
    rows.into_iter().next()
}

/// Like [`first_row`], for a statement that always returns a row.
pub(crate) fn only_row<T>(rows: Vec<T>) -> Result<T, sqlx::Error> {
    first_row(rows).ok_or(sqlx::Error::RowNotFound)
}
