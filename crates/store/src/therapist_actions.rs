//! What a therapist may change for a client who shares with them: homework they assign
//! (kept in the client's own homework list, marked with who assigned it), and the client's
//! guidance sensitivity, which is reassessed in the same transaction so the level and its
//! reasons follow the new thresholds at once. Whether the therapist may do either is the
//! app's question (the therapist gate); these statements only ever touch the client's rows.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::guidance::{Guidance, Sensitivity};
use domain::homework::{Homework, HomeworkId, NewHomework};
use domain::idempotency::Written;

use crate::StoreError;
use crate::homework::{HomeworkRow, day_text};
use crate::sqlite::Sql;
use crate::summaries::HistoryChange;
use crate::vault::sealed::HOMEWORK_TEXT;

/// Changes a therapist makes to a client's data, scoped to that client.
#[async_trait]
pub trait TherapistActionStore: Send + Sync {
    /// Stores homework `therapist` (named `therapist_name` to the client) assigned to
    /// `client`, once per client id; a retry gives back the stored homework.
    async fn assign_homework(
        &self,
        client: AccountId,
        therapist: AccountId,
        therapist_name: &str,
        homework: &NewHomework,
    ) -> Result<(Homework, Written), StoreError>;
    /// The ids of the client's homework that `therapist` assigned, oldest first.
    async fn homework_assigned_by(
        &self,
        client: AccountId,
        therapist: AccountId,
    ) -> Result<Vec<HomeworkId>, StoreError>;
    /// Sets the client's guidance sensitivity (the defaults forget who set it) and
    /// reassesses the client's guidance in the same transaction, rebuilding its summary, so a
    /// change of level is recorded then and there.
    async fn set_sensitivity(
        &self,
        client: AccountId,
        sensitivity: &Sensitivity,
        set_by: &str,
        now: DateTime<Utc>,
    ) -> Result<Guidance, StoreError>;
}

/// The insert's column list and values, shared by both backends.
macro_rules! assigned_homework_values {
    () => {
        "(account_id, client_id, text, due_on, frequency, created_ms, assigned_by, \
         assigned_by_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    };
}

/// The ids of the client's (`$1`) homework the therapist (`$2`) assigned.
pub(crate) const ASSIGNED_BY: &str = "SELECT id FROM homework \
     WHERE account_id = $1 AND assigned_by = $2 ORDER BY created_ms, id";

/// Sets the sensitivity of account `$5`: `$1` low-day tenths, `$2` persisting days (both
/// `NULL` for the default), `$3` who set it and `$4` when (`NULL` with the defaults).
pub(crate) const SET_SENSITIVITY: &str = "UPDATE accounts SET low_day_points_tenths = $1, \
     persisting_days = $2, sensitivity_set_by = $3, sensitivity_set_ms = $4 WHERE id = $5";

/// Who set the sensitivity and when, as stored: nobody once it is back to the defaults.
pub(crate) fn set_by(
    sensitivity: &Sensitivity,
    name: &str,
    now: DateTime<Utc>,
) -> (Option<String>, Option<i64>) {
    if sensitivity.is_default() {
        (None, None)
    } else {
        (Some(name.to_string()), Some(crate::rows::ms(now)))
    }
}

#[async_trait]
impl TherapistActionStore for crate::sqlite::SqliteStore {
    async fn assign_homework(
        &self,
        client: AccountId,
        therapist: AccountId,
        therapist_name: &str,
        h: &NewHomework,
    ) -> Result<(Homework, Written), StoreError> {
        let h = h.clone();
        let name = therapist_name.to_string();
        let vault = self.vault();
        let (row, written): (HomeworkRow, Written) = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, client)?;
                crate::sqlite::sql::insert_or_existing(
                    conn,
                    insert_new_sql!("homework", homework_columns!(), assigned_homework_values!()),
                    existing_sql!("homework", homework_columns!()),
                    &[
                        &client.0,
                        &h.client_id.to_string(),
                        &key.seal(HOMEWORK_TEXT, &h.client_id.to_string(), &h.text),
                        &h.due_on.map(day_text),
                        &h.frequency.code(),
                        &crate::rows::ms(Utc::now()),
                        &therapist.0,
                        &name,
                    ],
                    client,
                    h.client_id,
                )
            })
            .await?;
        Ok((row.into_homework(&self.data_key(client)?)?, written))
    }

    async fn homework_assigned_by(
        &self,
        client: AccountId,
        therapist: AccountId,
    ) -> Result<Vec<HomeworkId>, StoreError> {
        self.all_rows(ASSIGNED_BY, &[&client.0, &therapist.0], |(id,): (i64,)| {
            Ok(HomeworkId(id))
        })
    }

    async fn set_sensitivity(
        &self,
        client: AccountId,
        sensitivity: &Sensitivity,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Guidance, StoreError> {
        let s = *sensitivity;
        let (by, at) = set_by(&s, name, now);
        let alerts = self.alert_mail();
        self.db()?
            .write(move |conn| {
                let changed = conn.exec(
                    SET_SENSITIVITY,
                    &[
                        &s.stored_low_tenths(),
                        &s.stored_persisting_days(),
                        &by,
                        &at,
                        &client.0,
                    ],
                )?;
                if changed == 0 {
                    return Err(StoreError::Corrupt("no such account".into()));
                }
                // A level the new thresholds reach alerts the therapists like any other.
                crate::summaries::reassess_sqlite(
                    conn,
                    client,
                    &HistoryChange::Thresholds,
                    now,
                    alerts.as_deref(),
                )
                .and_then(crate::summaries::assessed)
            })
            .await
    }
}

macro_rules! impl_therapist_action_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::therapist_actions::TherapistActionStore for $ty {
            async fn assign_homework(
                &self,
                client: domain::account::AccountId,
                therapist: domain::account::AccountId,
                therapist_name: &str,
                h: &domain::homework::NewHomework,
            ) -> Result<(domain::homework::Homework, $crate::Written), $crate::StoreError> {
                let key = self.data_key(self.writer(), client).await?;
                let sealed = key.seal(
                    $crate::vault::sealed::HOMEWORK_TEXT,
                    &h.client_id.to_string(),
                    &h.text,
                );
                let (row, written): ($crate::homework::HomeworkRow, _) = insert_or_existing!(
                    self.writer(), client, h.client_id,
                    into "homework" (homework_columns!()) assigned_homework_values!(),
                    |q| q
                        .bind(client.0)
                        .bind(h.client_id.to_string())
                        .bind(&sealed)
                        .bind(h.due_on.map($crate::homework::day_text))
                        .bind(h.frequency.code())
                        .bind($crate::rows::ms(chrono::Utc::now()))
                        .bind(therapist.0)
                        .bind(therapist_name)
                );
                Ok((row.into_homework(&key)?, written))
            }

            async fn homework_assigned_by(
                &self,
                client: domain::account::AccountId,
                therapist: domain::account::AccountId,
            ) -> Result<Vec<domain::homework::HomeworkId>, $crate::StoreError> {
                all_rows!(
                    self,
                    $crate::therapist_actions::ASSIGNED_BY,
                    [client.0, therapist.0],
                    |(id,): (i64,)| Ok(domain::homework::HomeworkId(id))
                )
            }

            async fn set_sensitivity(
                &self,
                client: domain::account::AccountId,
                sensitivity: &domain::guidance::Sensitivity,
                name: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<domain::guidance::Guidance, $crate::StoreError> {
                let (by, at) = $crate::therapist_actions::set_by(sensitivity, name, now);
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query($crate::therapist_actions::SET_SENSITIVITY)
                    .bind(sensitivity.stored_low_tenths())
                    .bind(sensitivity.stored_persisting_days())
                    .bind(by)
                    .bind(at)
                    .bind(client.0)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::Corrupt("no such account".into()));
                }
                let guidance = $crate::summaries::reassess_postgres(
                    &mut tx,
                    client,
                    &$crate::summaries::HistoryChange::Thresholds,
                    now,
                    self.alert_mail().as_deref(),
                )
                .await
                .and_then($crate::summaries::assessed)?;
                tx.commit().await?;
                Ok(guidance)
            }
        }
    };
}
