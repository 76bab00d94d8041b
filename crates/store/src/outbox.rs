//! Email waiting to be sent: the outbox. A message is written in the same transaction as
//! what it is about (an alert, with the change of guidance level that caused it), so it is
//! neither lost nor sent for something that was undone; a delivery worker then claims due
//! messages, sends them, and marks each sent or failed.
//!
//! A message never holds health data: the alert's wording is fixed ([`AlertMail`]), and the
//! row names only the grant it was written for, the address and that wording.
//!
//! Claiming: on PostgreSQL a claim is one statement that picks due rows with
//! `FOR UPDATE SKIP LOCKED` and stamps them with a claim of its own until a time, so workers
//! on several instances never take the same row; on SQLite the single writer does the same
//! one claim at a time. A claim that runs out (its worker stopped mid-send) makes the row due
//! again. Marking a row sent or failed names the claim, so a worker whose claim ran out
//! cannot overwrite the outcome of the one that took the row over.

use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;

/// The alert written for each therapist with alerts on when a client's guidance level
/// becomes `reach_out` or `urgent`: fixed wording, the same for everyone, without a name,
/// a level or a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertMail {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

/// Whether a store writes alerts, shared by all of its clones: set once mail can be sent
/// (the server's SMTP settings), so that without them no alert is ever written.
#[derive(Debug, Clone, Default)]
pub(crate) struct AlertSetting(Arc<RwLock<Option<Arc<AlertMail>>>>);

impl AlertSetting {
    /// The alert to write, if any.
    pub(crate) fn get(&self) -> Option<Arc<AlertMail>> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Starts (`Some`) or stops (`None`) writing alerts.
    pub(crate) fn set(&self, mail: Option<AlertMail>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = mail.map(Arc::new);
    }
}

/// A message claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedMail {
    /// The row.
    pub id: i64,
    /// The claim that holds it, to name when marking it.
    pub claim: String,
    /// Where it goes.
    pub recipient: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// When it was written.
    pub created: DateTime<Utc>,
}

/// The outbox, shared by the whole installation (no account's own data).
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Starts (`Some`) or stops (`None`) writing an alert whenever a client's guidance level
    /// becomes `reach_out` or `urgent`, one per live grant with alerts on.
    fn set_alert_mail(&self, mail: Option<AlertMail>);

    /// Claims up to `limit` messages due at `now` (not sent, not given up, not held by an
    /// unexpired claim, and whose grant is still live with alerts on) until `until`, and
    /// counts an attempt on each.
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedMail>, StoreError>;

    /// Marks a claimed message sent; `false` when the claim no longer holds it.
    async fn mail_sent(&self, id: i64, claim: &str, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Records a failed attempt: the message is tried again at `retry_at`, or given up when
    /// that is `None`. `error` must not carry personal data beyond what the row holds.
    /// `false` when the claim no longer holds it.
    async fn mail_failed(
        &self,
        id: i64,
        claim: &str,
        at: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
    ) -> Result<bool, StoreError>;

    /// Removes messages written before `before` (sent, given up or never sendable): how
    /// many.
    async fn forget_old_mail(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Writes the alert for every live grant of client `$1` with alerts on, to the therapist's
/// address, dated `$2`: `$3` subject, `$4` body, `$5` the end of the dedupe key (`:` and
/// the change's time), so a level change writes one alert per grant however often this runs.
pub(crate) const ENQUEUE_ALERTS: &str = "INSERT INTO mail_outbox \
     (grant_id, recipient, subject, body, dedupe_key, created_ms, next_attempt_ms) \
     SELECT g.id, a.email, $3, $4, 'alert:' || CAST(g.id AS TEXT) || $5, $2, $2 \
     FROM share_grants g JOIN accounts a ON a.id = g.therapist_id \
     WHERE g.client_id = $1 AND g.revoked_ms IS NULL AND g.alerts \
     ON CONFLICT (dedupe_key) DO NOTHING";

/// The rows a claim at `$1` may take, oldest due first: the part both backends share.
macro_rules! due_mail {
    () => {
        "SELECT o.id FROM mail_outbox o \
         WHERE o.sent_ms IS NULL AND o.gave_up_ms IS NULL AND o.next_attempt_ms <= $1 \
         AND (o.claimed_until_ms IS NULL OR o.claimed_until_ms <= $1) \
         AND EXISTS (SELECT 1 FROM share_grants g WHERE g.id = o.grant_id \
                     AND g.revoked_ms IS NULL AND g.alerts) \
         ORDER BY o.next_attempt_ms, o.id LIMIT $4"
    };
}

/// The rows a claim at `$1` would take, at most `$4` (`$2` and `$3` unused).
pub(crate) const DUE_SQLITE: &str = due_mail!();

/// Claims due rows until `$2` under claim `$3`, at most `$4` (SQLite, whose one writer runs
/// one claim at a time).
pub(crate) const CLAIM_SQLITE: &str = concat!(
    "UPDATE mail_outbox SET claim = $3, claimed_until_ms = $2, attempts = attempts + 1 \
     WHERE id IN (",
    due_mail!(),
    ") RETURNING id, recipient, subject, body, attempts, created_ms"
);

/// The same on PostgreSQL: rows another claim has locked are skipped, and a row another
/// claim has just stamped no longer matches when its lock is taken (the condition is checked
/// again on the row's newest version), so no row is claimed twice.
pub(crate) const CLAIM_POSTGRES: &str = concat!(
    "UPDATE mail_outbox SET claim = $3, claimed_until_ms = $2, attempts = attempts + 1 \
     WHERE id IN (",
    due_mail!(),
    " FOR UPDATE SKIP LOCKED) RETURNING id, recipient, subject, body, attempts, created_ms"
);

/// Marks row `$1` of claim `$2` sent at `$3`.
pub(crate) const SENT: &str = "UPDATE mail_outbox SET sent_ms = $3, claim = NULL, \
     claimed_until_ms = NULL, last_error = NULL WHERE id = $1 AND claim = $2";

/// Records a failure of row `$1` of claim `$2` at `$3`: tried again at `$4`, or given up
/// when `$4` is null; `$5` says what went wrong.
pub(crate) const FAILED: &str = "UPDATE mail_outbox SET \
     next_attempt_ms = COALESCE($4, next_attempt_ms), \
     gave_up_ms = CASE WHEN $4 IS NULL THEN $3 ELSE NULL END, \
     claim = NULL, claimed_until_ms = NULL, last_error = $5 \
     WHERE id = $1 AND claim = $2";

/// Removes rows written before `$1`.
pub(crate) const FORGET: &str = "DELETE FROM mail_outbox WHERE created_ms < $1";

/// The columns a claim returns.
pub(crate) type ClaimedRow = (i64, String, String, String, i64, i64);

/// A claimed row as a [`ClaimedMail`].
pub(crate) fn claimed(
    claim: &str,
    (id, recipient, subject, body, attempts, created_ms): ClaimedRow,
) -> Result<ClaimedMail, StoreError> {
    Ok(ClaimedMail {
        id,
        claim: claim.to_string(),
        recipient,
        subject,
        body,
        attempts,
        created: crate::rows::from_ms(created_ms)?,
    })
}

/// Writes the alerts for a change of `account`'s level to `level` at `at_ms`, when alerts
/// are on and the level is one a therapist hears about (SQLite's writer, inside the change's
/// own transaction).
pub(crate) fn enqueue_alerts_sqlite(
    conn: &rusqlite::Connection,
    alerts: Option<&AlertMail>,
    account: domain::account::AccountId,
    level: domain::guidance::Level,
    at_ms: i64,
) -> Result<(), StoreError> {
    use crate::sqlite::Sql;
    if let Some(mail) = alerts
        && alerts_therapist(level)
    {
        conn.exec(
            ENQUEUE_ALERTS,
            &[
                &account.0,
                &at_ms,
                &mail.subject,
                &mail.body,
                &format!(":{at_ms}"),
            ],
        )?;
    }
    Ok(())
}

/// The same on PostgreSQL, inside the change's transaction.
pub(crate) async fn enqueue_alerts_postgres(
    tx: &mut sqlx::PgConnection,
    alerts: Option<&AlertMail>,
    account: domain::account::AccountId,
    level: domain::guidance::Level,
    at_ms: i64,
) -> Result<(), StoreError> {
    if let Some(mail) = alerts
        && alerts_therapist(level)
    {
        sqlx::query(ENQUEUE_ALERTS)
            .bind(account.0)
            .bind(at_ms)
            .bind(&mail.subject)
            .bind(&mail.body)
            .bind(format!(":{at_ms}"))
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Whether becoming `level` is something a therapist with alerts on hears about.
pub fn alerts_therapist(level: domain::guidance::Level) -> bool {
    use domain::guidance::Level;
    matches!(level, Level::ReachOut | Level::Urgent)
}

#[async_trait]
impl OutboxStore for crate::sqlite::SqliteStore {
    fn set_alert_mail(&self, mail: Option<AlertMail>) {
        self.alert_setting().set(mail);
    }

    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedMail>, StoreError> {
        use crate::sqlite::Sql;
        let claim = uuid::Uuid::new_v4().to_string();
        let (now, until) = (crate::rows::ms(now), crate::rows::ms(until));
        let token = claim.clone();
        // Most rounds find nothing due: a read says so without a write (and its sync to
        // disk) every round.
        let due: Option<(i64,)> = self
            .db()?
            .read(|conn| conn.row(DUE_SQLITE, &[&now, &until, &token, &limit]))?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let rows: Vec<ClaimedRow> = self
            .db()?
            .write(move |conn| conn.rows(CLAIM_SQLITE, &[&now, &until, &token, &limit]))
            .await?;
        rows.into_iter().map(|r| claimed(&claim, r)).collect()
    }

    async fn mail_sent(&self, id: i64, claim: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        use crate::sqlite::Sql;
        let (claim, at) = (claim.to_string(), crate::rows::ms(at));
        let n = self
            .db()?
            .write(move |conn| conn.exec(SENT, &[&id, &claim, &at]))
            .await?;
        Ok(n == 1)
    }

    async fn mail_failed(
        &self,
        id: i64,
        claim: &str,
        at: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
    ) -> Result<bool, StoreError> {
        use crate::sqlite::Sql;
        let (claim, at, error) = (claim.to_string(), crate::rows::ms(at), error.to_string());
        let retry = retry_at.map(crate::rows::ms);
        let n = self
            .db()?
            .write(move |conn| conn.exec(FAILED, &[&id, &claim, &at, &retry, &error]))
            .await?;
        Ok(n == 1)
    }

    async fn forget_old_mail(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        use crate::sqlite::Sql;
        let before = crate::rows::ms(before);
        let n = self
            .db()?
            .write(move |conn| conn.exec(FORGET, &[&before]))
            .await?;
        Ok(n as u64)
    }
}

macro_rules! impl_outbox_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::outbox::OutboxStore for $ty {
            fn set_alert_mail(&self, mail: Option<$crate::outbox::AlertMail>) {
                self.alert_setting().set(mail);
            }

            async fn claim_mail(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                until: chrono::DateTime<chrono::Utc>,
                limit: i64,
            ) -> Result<Vec<$crate::outbox::ClaimedMail>, $crate::StoreError> {
                let claim = uuid::Uuid::new_v4().to_string();
                let rows: Vec<$crate::outbox::ClaimedRow> =
                    sqlx::query_as($crate::outbox::CLAIM_POSTGRES)
                        .bind($crate::rows::ms(now))
                        .bind($crate::rows::ms(until))
                        .bind(&claim)
                        .bind(limit)
                        .fetch_all(self.writer())
                        .await?;
                rows.into_iter()
                    .map(|r| $crate::outbox::claimed(&claim, r))
                    .collect()
            }

            async fn mail_sent(
                &self,
                id: i64,
                claim: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::outbox::SENT)
                    .bind(id)
                    .bind(claim)
                    .bind($crate::rows::ms(at))
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn mail_failed(
                &self,
                id: i64,
                claim: &str,
                at: chrono::DateTime<chrono::Utc>,
                retry_at: Option<chrono::DateTime<chrono::Utc>>,
                error: &str,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::outbox::FAILED)
                    .bind(id)
                    .bind(claim)
                    .bind($crate::rows::ms(at))
                    .bind(retry_at.map($crate::rows::ms))
                    .bind(error)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn forget_old_mail(
                &self,
                before: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::StoreError> {
                let done = sqlx::query($crate::outbox::FORGET)
                    .bind($crate::rows::ms(before))
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
