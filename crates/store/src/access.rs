//! A therapist's access to a client: the live grant that allows it, and the audit row every
//! read or action appends. Every therapist read goes through [`AccessStore::live_grant`]
//! first, so a revoked grant, another therapist's grant or an unknown id all end the same
//! way: no row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::sharing::{AuditKind, GrantId, Scopes};

use crate::StoreError;
use crate::sqlite::Sql;

/// A grant that is in force: not revoked, and held by the therapist who asked.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveGrant {
    /// The grant's id: the only id the therapist sees for the client.
    pub id: GrantId,
    /// The client's account (never shown to the therapist).
    pub client: AccountId,
    /// What the client shares.
    pub scopes: Scopes,
    /// The name the client chose for the therapist to see.
    pub display_name: String,
    /// Whether the client asked for alert emails to this therapist.
    pub alerts: bool,
    /// When the grant began.
    pub since: DateTime<Utc>,
    /// The therapist's name as audit rows keep it: their display name, else their email.
    pub therapist_name: String,
}

/// One row to append to the client's audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewAuditEntry<'a> {
    /// Whose data was read or acted on.
    pub client: AccountId,
    /// Who read or acted.
    pub therapist: AccountId,
    /// The therapist's name, kept in the row so it outlives their account.
    pub therapist_name: &'a str,
    /// Under which grant.
    pub grant: GrantId,
    /// When.
    pub at: DateTime<Utc>,
    /// A read or an action.
    pub kind: AuditKind,
    /// What was read or done: a scope code or a short kind such as `caseload` — never data.
    pub what: &'a str,
    /// The route, with its id as a pattern (`/api/v1/therapist/clients/{id}/checkins`).
    pub endpoint: &'a str,
}

/// Live grants for a therapist, and the append-only audit log.
#[async_trait]
pub trait AccessStore: Send + Sync {
    /// The grant `grant` when it is live and held by `therapist`; `None` otherwise (revoked,
    /// another therapist's, or unknown: the caller can't and mustn't tell which).
    async fn live_grant(
        &self,
        therapist: AccountId,
        grant: GrantId,
    ) -> Result<Option<LiveGrant>, StoreError>;
    /// Every live grant the therapist holds, oldest first.
    async fn live_grants_of(&self, therapist: AccountId) -> Result<Vec<LiveGrant>, StoreError>;
    /// Appends one row to the client's audit log.
    async fn append_audit(&self, entry: &NewAuditEntry<'_>) -> Result<(), StoreError> {
        self.append_audits(std::slice::from_ref(entry)).await
    }
    /// Appends several rows at once, in one transaction.
    async fn append_audits(&self, entries: &[NewAuditEntry<'_>]) -> Result<(), StoreError> {
        self.append_audits_noting(entries, false).await
    }
    /// Appends the rows of a look at the caseload, and notes on each row's grant that a look
    /// was logged then (`caseload_logged_ms`, which the caseload reads back), in one
    /// transaction.
    async fn log_caseload_look(&self, entries: &[NewAuditEntry<'_>]) -> Result<(), StoreError> {
        self.append_audits_noting(entries, true).await
    }
    /// Appends the rows in one transaction; with `caseload`, notes the look on each grant.
    async fn append_audits_noting(
        &self,
        entries: &[NewAuditEntry<'_>],
        caseload: bool,
    ) -> Result<(), StoreError>;
}

db_row! {
pub(crate) struct GrantRow {
    pub id: i64,
    pub client_id: i64,
    pub scopes: String,
    pub display_name: String,
    pub alerts: bool,
    pub since_ms: i64,
    pub therapist_name: String,
}
}

impl GrantRow {
    pub(crate) fn into_grant(self) -> Result<LiveGrant, StoreError> {
        Ok(LiveGrant {
            id: GrantId(self.id),
            client: AccountId(self.client_id),
            scopes: Scopes::from_stored(&self.scopes)
                .ok_or_else(|| StoreError::Corrupt("grant scopes".into()))?,
            display_name: self.display_name,
            alerts: self.alerts,
            since: crate::rows::from_ms(self.since_ms)?,
            therapist_name: self.therapist_name,
        })
    }
}

/// The columns of [`GrantRow`], from `share_grants g` joined to the therapist's `accounts t`.
macro_rules! grant_columns {
    () => {
        "SELECT g.id, g.client_id, g.scopes, g.display_name, g.alerts, g.since_ms, \
         COALESCE(t.display_name, t.email) AS therapist_name \
         FROM share_grants g JOIN accounts t ON t.id = g.therapist_id "
    };
}

/// The live grant `$2` of therapist `$1`.
pub(crate) const LIVE_GRANT: &str = concat!(
    grant_columns!(),
    "WHERE g.therapist_id = $1 AND g.id = $2 AND g.revoked_ms IS NULL"
);

/// Every live grant of therapist `$1`.
pub(crate) const LIVE_GRANTS_OF: &str = concat!(
    grant_columns!(),
    "WHERE g.therapist_id = $1 AND g.revoked_ms IS NULL ORDER BY g.since_ms, g.id"
);

/// Appends one audit row.
pub(crate) const APPEND: &str = "INSERT INTO audit_log \
     (client_id, therapist_id, therapist_name, grant_id, at_ms, kind, what, endpoint) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Notes on grant `$1` that a look at the caseload was logged at `$2`.
pub(crate) const NOTE_CASELOAD_LOOK: &str =
    "UPDATE share_grants SET caseload_logged_ms = $2 WHERE id = $1";

/// The same for every grant in the array `$1` (PostgreSQL).
pub(crate) const NOTE_CASELOAD_LOOKS_POSTGRES: &str =
    "UPDATE share_grants SET caseload_logged_ms = $2 WHERE id = ANY($1)";

/// Appends many audit rows in one statement (PostgreSQL), one array per column.
pub(crate) const APPEND_MANY_POSTGRES: &str = "INSERT INTO audit_log \
     (client_id, therapist_id, therapist_name, grant_id, at_ms, kind, what, endpoint) \
     SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::BIGINT[], \
     $5::BIGINT[], $6::TEXT[], $7::TEXT[], $8::TEXT[])";

#[async_trait]
impl AccessStore for crate::sqlite::SqliteStore {
    async fn live_grant(
        &self,
        therapist: AccountId,
        grant: GrantId,
    ) -> Result<Option<LiveGrant>, StoreError> {
        self.optional_row(LIVE_GRANT, &[&therapist.0, &grant.0], GrantRow::into_grant)
    }

    async fn live_grants_of(&self, therapist: AccountId) -> Result<Vec<LiveGrant>, StoreError> {
        self.all_rows(LIVE_GRANTS_OF, &[&therapist.0], GrantRow::into_grant)
    }

    async fn append_audits_noting(
        &self,
        entries: &[NewAuditEntry<'_>],
        caseload: bool,
    ) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        type Owned = (i64, i64, String, i64, i64, &'static str, String, String);
        let rows: Vec<Owned> = entries
            .iter()
            .map(|e| {
                (
                    e.client.0,
                    e.therapist.0,
                    e.therapist_name.to_owned(),
                    e.grant.0,
                    crate::rows::ms(e.at),
                    e.kind.code(),
                    e.what.to_owned(),
                    e.endpoint.to_owned(),
                )
            })
            .collect();
        // The writer commits everything it runs in one go together, so these rows land
        // all at once or not at all.
        self.db()?
            .write(move |conn| {
                for (client, therapist, name, grant, at, kind, what, endpoint) in &rows {
                    conn.exec(
                        APPEND,
                        &[client, therapist, name, grant, at, kind, what, endpoint],
                    )?;
                    if caseload {
                        conn.exec(NOTE_CASELOAD_LOOK, &[grant, at])?;
                    }
                }
                Ok(())
            })
            .await
    }
}

macro_rules! impl_access_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::access::AccessStore for $ty {
            async fn live_grant(
                &self,
                therapist: domain::account::AccountId,
                grant: domain::sharing::GrantId,
            ) -> Result<Option<$crate::access::LiveGrant>, $crate::StoreError> {
                optional_row!(
                    self,
                    $crate::access::LIVE_GRANT,
                    [therapist.0, grant.0],
                    $crate::access::GrantRow::into_grant
                )
            }

            async fn live_grants_of(
                &self,
                therapist: domain::account::AccountId,
            ) -> Result<Vec<$crate::access::LiveGrant>, $crate::StoreError> {
                all_rows!(
                    self,
                    $crate::access::LIVE_GRANTS_OF,
                    [therapist.0],
                    $crate::access::GrantRow::into_grant
                )
            }

            async fn append_audits_noting(
                &self,
                entries: &[$crate::access::NewAuditEntry<'_>],
                caseload: bool,
            ) -> Result<(), $crate::StoreError> {
                if entries.is_empty() {
                    return Ok(());
                }
                // One statement for the lot: a caseload of hundreds costs one round trip.
                let column = |f: fn(&$crate::access::NewAuditEntry<'_>) -> String| {
                    entries.iter().map(f).collect::<Vec<String>>()
                };
                let ids = |f: fn(&$crate::access::NewAuditEntry<'_>) -> i64| {
                    entries.iter().map(f).collect::<Vec<i64>>()
                };
                let mut tx = self.writer().begin().await?;
                sqlx::query($crate::access::APPEND_MANY_POSTGRES)
                    .bind(ids(|e| e.client.0))
                    .bind(ids(|e| e.therapist.0))
                    .bind(column(|e| e.therapist_name.to_owned()))
                    .bind(ids(|e| e.grant.0))
                    .bind(ids(|e| $crate::rows::ms(e.at)))
                    .bind(column(|e| e.kind.code().to_owned()))
                    .bind(column(|e| e.what.to_owned()))
                    .bind(column(|e| e.endpoint.to_owned()))
                    .execute(&mut *tx)
                    .await?;
                if caseload {
                    // One look is one moment: every row of it has the same time.
                    sqlx::query($crate::access::NOTE_CASELOAD_LOOKS_POSTGRES)
                        .bind(ids(|e| e.grant.0))
                        .bind($crate::rows::ms(entries[0].at))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
