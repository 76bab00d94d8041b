//! Sharing with a therapist, the client's side: invites (known only by the SHA-256 of their
//! code), the grants they become when a therapist redeems one, changing and revoking a
//! grant, and reading the audit log of what therapists looked at. Also the name an account
//! shows to others (`accounts.display_name`, a therapist's name as clients see it).
//!
//! Every method that reads or changes a client's invites or grants takes the client's id,
//! so one client can never reach another's. Redeeming is the one therapist-side write here:
//! it takes the therapist's id and the code's hash, and tells the therapist nothing about
//! the client but the grant id, the name the client chose and the scopes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::sharing::{AuditKind, GrantId, Scopes};

use crate::StoreError;
use crate::sqlite::Sql;

/// An invite about to be stored: everything but the code itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvite {
    /// SHA-256 hex of the normalised code.
    pub code_hash: String,
    /// What the grant will share.
    pub scopes: Scopes,
    /// The name the therapist will see for the client.
    pub display_name: String,
    /// Whether the therapist gets alert emails.
    pub alerts: bool,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// An invite nobody has used yet, that has not expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvite {
    /// A handle to cancel it by, derived from the code's hash (see
    /// [`domain::invite::handle_of`]); never the code or its hash.
    pub handle: String,
    /// What the grant will share.
    pub scopes: Scopes,
    /// The name the therapist will see.
    pub display_name: String,
    /// Whether the therapist will get alert emails.
    pub alerts: bool,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// A live grant as its client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientGrant {
    /// The grant.
    pub id: GrantId,
    /// The therapist's name, when their account has one.
    pub therapist_name: Option<String>,
    /// The therapist's sign-in address.
    pub therapist_email: String,
    /// What is shared.
    pub scopes: Scopes,
    /// The name the therapist sees for the client.
    pub display_name: String,
    /// Whether the therapist gets alert emails.
    pub alerts: bool,
    /// When sharing started.
    pub since: DateTime<Utc>,
}

/// A change to a grant; `None` leaves that part as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantChange {
    /// What is shared from now on.
    pub scopes: Option<Scopes>,
    /// Whether the therapist gets alert emails.
    pub alerts: Option<bool>,
    /// The name the therapist sees.
    pub display_name: Option<String>,
}

/// What a therapist gets from redeeming a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    /// The grant: the only id the therapist knows the client by.
    pub grant: GrantId,
    /// The name the client chose to be shown as.
    pub display_name: String,
    /// What is shared.
    pub scopes: Scopes,
    /// Whether alert emails go to the therapist.
    pub alerts: bool,
}

/// One row of the client's audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The row's id.
    pub id: i64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The therapist's name (or address) as it was when it happened.
    pub therapist_name: String,
    /// The grant it happened under, if known.
    pub grant: Option<GrantId>,
    /// A read or an action.
    pub kind: AuditKind,
    /// What was read (a scope's code) or done.
    pub what: String,
    /// Which endpoint served it.
    pub endpoint: String,
}

/// Invites, grants and the audit log, from the client's side.
#[async_trait]
pub trait SharingStore: Send + Sync {
    /// Stores a new invite of `client`'s.
    async fn create_invite(
        &self,
        client: AccountId,
        invite: &NewInvite,
    ) -> Result<PendingInvite, StoreError>;
    /// The client's invites that are neither used nor expired at `now`, newest first.
    async fn pending_invites(
        &self,
        client: AccountId,
        now: DateTime<Utc>,
    ) -> Result<Vec<PendingInvite>, StoreError>;
    /// Ends one of the client's pending invites at `now` (it stays, expired, so its code can
    /// never work); `false` when the client has no pending invite with that handle.
    async fn cancel_invite(
        &self,
        client: AccountId,
        handle: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Redeems the invite whose code hashes to `code_hash` for `therapist`, all at once: an
    /// unknown, used or expired code gives `None` and changes nothing; otherwise the invite
    /// is marked used and the grant made, or, when the pair already has a live grant, that
    /// grant takes the invite's scopes, name and alerts.
    async fn redeem_invite(
        &self,
        therapist: AccountId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Joined>, StoreError>;
    /// The client's live grants, oldest first, with each therapist's name and address.
    async fn client_grants(&self, client: AccountId) -> Result<Vec<ClientGrant>, StoreError>;
    /// Changes one of the client's live grants; `None` when there is none such.
    async fn change_grant(
        &self,
        client: AccountId,
        grant: GrantId,
        change: &GrantChange,
    ) -> Result<Option<ClientGrant>, StoreError>;
    /// Revokes one of the client's live grants at `now`; `false` when there is none such.
    /// The row stays (the audit log refers to it), and every therapist read checks
    /// `revoked_ms IS NULL`.
    async fn revoke_grant(
        &self,
        client: AccountId,
        grant: GrantId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// The client's audit log, newest first: `limit` rows after skipping `offset`.
    async fn audit_log(
        &self,
        client: AccountId,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError>;
}

db_row! {
pub(crate) struct InviteRow {
    pub code_hash: String,
    pub scopes: String,
    pub display_name: String,
    pub alerts: bool,
    pub created_ms: i64,
    pub expires_ms: i64,
}
}

db_row! {
pub(crate) struct RedeemedRow {
    pub client_id: i64,
    pub scopes: String,
    pub display_name: String,
    pub alerts: bool,
}
}

db_row! {
pub(crate) struct GrantRow {
    pub id: i64,
    pub therapist_name: Option<String>,
    pub therapist_email: String,
    pub scopes: String,
    pub display_name: String,
    pub alerts: bool,
    pub since_ms: i64,
}
}

db_row! {
pub(crate) struct AuditRow {
    pub id: i64,
    pub at_ms: i64,
    pub therapist_name: String,
    pub grant_id: Option<i64>,
    pub kind: String,
    pub what: String,
    pub endpoint: String,
}
}

pub(crate) fn scopes(stored: &str) -> Result<Scopes, StoreError> {
    Scopes::from_stored(stored).ok_or_else(|| StoreError::Corrupt("sharing scopes".into()))
}

impl InviteRow {
    pub fn into_invite(self) -> Result<PendingInvite, StoreError> {
        Ok(PendingInvite {
            handle: domain::invite::handle_of(&self.code_hash),
            scopes: scopes(&self.scopes)?,
            display_name: self.display_name,
            alerts: self.alerts,
            created_at: crate::rows::from_ms(self.created_ms)?,
            expires_at: crate::rows::from_ms(self.expires_ms)?,
        })
    }
}

impl GrantRow {
    pub fn into_grant(self) -> Result<ClientGrant, StoreError> {
        Ok(ClientGrant {
            id: GrantId(self.id),
            therapist_name: self.therapist_name,
            therapist_email: self.therapist_email,
            scopes: scopes(&self.scopes)?,
            display_name: self.display_name,
            alerts: self.alerts,
            since: crate::rows::from_ms(self.since_ms)?,
        })
    }
}

impl AuditRow {
    pub fn into_entry(self) -> Result<AuditEntry, StoreError> {
        Ok(AuditEntry {
            id: self.id,
            at: crate::rows::from_ms(self.at_ms)?,
            therapist_name: self.therapist_name,
            grant: self.grant_id.map(GrantId),
            kind: AuditKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt("audit log kind".into()))?,
            what: self.what,
            endpoint: self.endpoint,
        })
    }
}

/// Stores invite `$1` (the code's hash) of client `$2`.
pub(crate) const CREATE_INVITE: &str = "INSERT INTO share_invites \
     (code_hash, client_id, scopes, display_name, alerts, created_ms, expires_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Client `$1`'s invites unused and unexpired at `$2`, newest first.
pub(crate) const PENDING: &str = "SELECT code_hash, scopes, display_name, alerts, created_ms, \
     expires_ms FROM share_invites \
     WHERE client_id = $1 AND used_ms IS NULL AND expires_ms > $2 \
     ORDER BY created_ms DESC, code_hash";

/// Ends client `$1`'s pending invite `$2` (the code's hash) at `$3`.
pub(crate) const CANCEL: &str = "UPDATE share_invites SET expires_ms = $3 \
     WHERE client_id = $1 AND code_hash = $2 AND used_ms IS NULL AND expires_ms > $3";

/// Marks invite `$1` used at `$2` when it is still pending, giving what it grants.
pub(crate) const REDEEM: &str = "UPDATE share_invites SET used_ms = $2 \
     WHERE code_hash = $1 AND used_ms IS NULL AND expires_ms > $2 \
     RETURNING client_id, scopes, display_name, alerts";

/// Makes the grant of client `$1` to therapist `$2`, or updates the pair's live grant.
pub(crate) const UPSERT_GRANT: &str = "INSERT INTO share_grants \
     (client_id, therapist_id, scopes, display_name, alerts, since_ms) \
     VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (client_id, therapist_id) WHERE revoked_ms IS NULL DO UPDATE SET \
     scopes = excluded.scopes, display_name = excluded.display_name, alerts = excluded.alerts \
     RETURNING id";

/// The columns of a [`GrantRow`], from `share_grants g` joined to the therapist's account `a`.
macro_rules! grant_select {
    () => {
        "SELECT g.id, a.display_name AS therapist_name, a.email AS therapist_email, g.scopes, \
         g.display_name, g.alerts, g.since_ms \
         FROM share_grants g JOIN accounts a ON a.id = g.therapist_id \
         WHERE g.client_id = $1 AND g.revoked_ms IS NULL"
    };
}

/// Client `$1`'s live grants.
pub(crate) const CLIENT_GRANTS: &str = concat!(grant_select!(), " ORDER BY g.since_ms, g.id");

/// Client `$1`'s live grant `$2`.
pub(crate) const ONE_GRANT: &str = concat!(grant_select!(), " AND g.id = $2");

/// Changes client `$1`'s live grant `$2`: scopes `$3`, alerts `$4`, name `$5`, each kept
/// when NULL.
pub(crate) const CHANGE_GRANT: &str = "UPDATE share_grants SET \
     scopes = COALESCE($3, scopes), alerts = COALESCE($4, alerts), \
     display_name = COALESCE($5, display_name) \
     WHERE id = $2 AND client_id = $1 AND revoked_ms IS NULL";

/// Revokes client `$1`'s live grant `$2` at `$3`.
pub(crate) const REVOKE: &str = "UPDATE share_grants SET revoked_ms = $3 \
     WHERE id = $2 AND client_id = $1 AND revoked_ms IS NULL";

/// Client `$1`'s audit log, newest first, `$2` rows after skipping `$3`.
pub(crate) const AUDIT: &str = "SELECT id, at_ms, therapist_name, grant_id, kind, what, \
     endpoint FROM audit_log WHERE client_id = $1 \
     ORDER BY at_ms DESC, id DESC LIMIT $2 OFFSET $3";

/// The stored values of a grant change: scopes, alerts and name, each `None` to keep.
pub(crate) fn change_values(
    change: &GrantChange,
) -> (Option<String>, Option<bool>, Option<String>) {
    (
        change.scopes.map(Scopes::to_stored),
        change.alerts,
        change.display_name.clone(),
    )
}

/// The hash of the client's pending invite with `handle`, among `pending` (code hashes).
pub(crate) fn hash_for_handle(pending: Vec<InviteRow>, handle: &str) -> Option<String> {
    pending
        .into_iter()
        .map(|r| r.code_hash)
        .find(|h| domain::invite::handle_of(h) == handle)
}

#[async_trait]
impl SharingStore for crate::sqlite::SqliteStore {
    async fn create_invite(
        &self,
        client: AccountId,
        invite: &NewInvite,
    ) -> Result<PendingInvite, StoreError> {
        let i = invite.clone();
        self.db()?
            .write(move |conn| {
                conn.exec(
                    CREATE_INVITE,
                    &[
                        &i.code_hash,
                        &client.0,
                        &i.scopes.to_stored(),
                        &i.display_name,
                        &i.alerts,
                        &crate::rows::ms(i.created_at),
                        &crate::rows::ms(i.expires_at),
                    ],
                )?;
                Ok(())
            })
            .await?;
        Ok(PendingInvite {
            handle: domain::invite::handle_of(&invite.code_hash),
            scopes: invite.scopes,
            display_name: invite.display_name.clone(),
            alerts: invite.alerts,
            created_at: invite.created_at,
            expires_at: invite.expires_at,
        })
    }

    async fn pending_invites(
        &self,
        client: AccountId,
        now: DateTime<Utc>,
    ) -> Result<Vec<PendingInvite>, StoreError> {
        self.all_rows(
            PENDING,
            &[&client.0, &crate::rows::ms(now)],
            InviteRow::into_invite,
        )
    }

    async fn cancel_invite(
        &self,
        client: AccountId,
        handle: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let handle = handle.to_string();
        let now = crate::rows::ms(now);
        self.db()?
            .write(move |conn| {
                let pending: Vec<InviteRow> = conn.rows(PENDING, &[&client.0, &now])?;
                let Some(hash) = hash_for_handle(pending, &handle) else {
                    return Ok(false);
                };
                Ok(conn.exec(CANCEL, &[&client.0, &hash, &now])? == 1)
            })
            .await
    }

    async fn redeem_invite(
        &self,
        therapist: AccountId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Joined>, StoreError> {
        let hash = code_hash.to_string();
        let now = crate::rows::ms(now);
        self.db()?
            .write(move |conn| {
                let Some(r): Option<RedeemedRow> = conn.row(REDEEM, &[&hash, &now])? else {
                    return Ok(None);
                };
                let id: Option<i64> = conn.scalar(
                    UPSERT_GRANT,
                    &[
                        &r.client_id,
                        &therapist.0,
                        &r.scopes,
                        &r.display_name,
                        &r.alerts,
                        &now,
                    ],
                )?;
                let id = id.ok_or_else(|| StoreError::Corrupt("a grant not made".into()))?;
                Ok(Some(Joined {
                    grant: GrantId(id),
                    scopes: scopes(&r.scopes)?,
                    display_name: r.display_name,
                    alerts: r.alerts,
                }))
            })
            .await
    }

    async fn client_grants(&self, client: AccountId) -> Result<Vec<ClientGrant>, StoreError> {
        self.all_rows(CLIENT_GRANTS, &[&client.0], GrantRow::into_grant)
    }

    async fn change_grant(
        &self,
        client: AccountId,
        grant: GrantId,
        change: &GrantChange,
    ) -> Result<Option<ClientGrant>, StoreError> {
        let (scopes, alerts, name) = change_values(change);
        let row: Option<GrantRow> = self
            .db()?
            .write(move |conn| {
                conn.exec(
                    CHANGE_GRANT,
                    &[&client.0, &grant.0, &scopes, &alerts, &name],
                )?;
                conn.row(ONE_GRANT, &[&client.0, &grant.0])
            })
            .await?;
        row.map(GrantRow::into_grant).transpose()
    }

    async fn revoke_grant(
        &self,
        client: AccountId,
        grant: GrantId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = crate::rows::ms(now);
        let n = self
            .db()?
            .write(move |conn| conn.exec(REVOKE, &[&client.0, &grant.0, &now]))
            .await?;
        Ok(n == 1)
    }

    async fn audit_log(
        &self,
        client: AccountId,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.all_rows(AUDIT, &[&client.0, &limit, &offset], AuditRow::into_entry)
    }
}

macro_rules! impl_sharing_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::sharing::SharingStore for $ty {
            async fn create_invite(
                &self,
                client: domain::account::AccountId,
                invite: &$crate::sharing::NewInvite,
            ) -> Result<$crate::sharing::PendingInvite, $crate::StoreError> {
                sqlx::query($crate::sharing::CREATE_INVITE)
                    .bind(&invite.code_hash)
                    .bind(client.0)
                    .bind(invite.scopes.to_stored())
                    .bind(&invite.display_name)
                    .bind(invite.alerts)
                    .bind($crate::rows::ms(invite.created_at))
                    .bind($crate::rows::ms(invite.expires_at))
                    .execute(self.writer())
                    .await?;
                Ok($crate::sharing::PendingInvite {
                    handle: domain::invite::handle_of(&invite.code_hash),
                    scopes: invite.scopes,
                    display_name: invite.display_name.clone(),
                    alerts: invite.alerts,
                    created_at: invite.created_at,
                    expires_at: invite.expires_at,
                })
            }

            async fn pending_invites(
                &self,
                client: domain::account::AccountId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::sharing::PendingInvite>, $crate::StoreError> {
                all_rows!(
                    self,
                    $crate::sharing::PENDING,
                    [client.0, $crate::rows::ms(now)],
                    $crate::sharing::InviteRow::into_invite
                )
            }

            async fn cancel_invite(
                &self,
                client: domain::account::AccountId,
                handle: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let now = $crate::rows::ms(now);
                let mut tx = self.writer().begin().await?;
                let pending: Vec<$crate::sharing::InviteRow> =
                    sqlx::query_as($crate::sharing::PENDING)
                        .bind(client.0)
                        .bind(now)
                        .fetch_all(&mut *tx)
                        .await?;
                let Some(hash) = $crate::sharing::hash_for_handle(pending, handle) else {
                    return Ok(false);
                };
                let done = sqlx::query($crate::sharing::CANCEL)
                    .bind(client.0)
                    .bind(hash)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn redeem_invite(
                &self,
                therapist: domain::account::AccountId,
                code_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::sharing::Joined>, $crate::StoreError> {
                let now = $crate::rows::ms(now);
                let mut tx = self.writer().begin().await?;
                // The UPDATE takes the invite's row lock: of two redeems of one code at
                // once, the second waits, then finds it used.
                let redeemed: Option<$crate::sharing::RedeemedRow> =
                    sqlx::query_as($crate::sharing::REDEEM)
                        .bind(code_hash)
                        .bind(now)
                        .fetch_all(&mut *tx)
                        .await
                        .map($crate::rows::first_row)?;
                let Some(r) = redeemed else {
                    return Ok(None);
                };
                let id: i64 = sqlx::query_scalar($crate::sharing::UPSERT_GRANT)
                    .bind(r.client_id)
                    .bind(therapist.0)
                    .bind(&r.scopes)
                    .bind(&r.display_name)
                    .bind(r.alerts)
                    .bind(now)
                    .fetch_all(&mut *tx)
                    .await
                    .map($crate::rows::only_row)??;
                tx.commit().await?;
                Ok(Some($crate::sharing::Joined {
                    grant: domain::sharing::GrantId(id),
                    scopes: $crate::sharing::scopes(&r.scopes)?,
                    display_name: r.display_name,
                    alerts: r.alerts,
                }))
            }

            async fn client_grants(
                &self,
                client: domain::account::AccountId,
            ) -> Result<Vec<$crate::sharing::ClientGrant>, $crate::StoreError> {
                all_rows!(
                    self,
                    $crate::sharing::CLIENT_GRANTS,
                    [client.0],
                    $crate::sharing::GrantRow::into_grant
                )
            }

            async fn change_grant(
                &self,
                client: domain::account::AccountId,
                grant: domain::sharing::GrantId,
                change: &$crate::sharing::GrantChange,
            ) -> Result<Option<$crate::sharing::ClientGrant>, $crate::StoreError> {
                let (scopes, alerts, name) = $crate::sharing::change_values(change);
                let mut tx = self.writer().begin().await?;
                sqlx::query($crate::sharing::CHANGE_GRANT)
                    .bind(client.0)
                    .bind(grant.0)
                    .bind(scopes)
                    .bind(alerts)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                let row: Option<$crate::sharing::GrantRow> =
                    sqlx::query_as($crate::sharing::ONE_GRANT)
                        .bind(client.0)
                        .bind(grant.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                tx.commit().await?;
                row.map($crate::sharing::GrantRow::into_grant).transpose()
            }

            async fn revoke_grant(
                &self,
                client: domain::account::AccountId,
                grant: domain::sharing::GrantId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::sharing::REVOKE)
                    .bind(client.0)
                    .bind(grant.0)
                    .bind($crate::rows::ms(now))
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn audit_log(
                &self,
                client: domain::account::AccountId,
                offset: i64,
                limit: i64,
            ) -> Result<Vec<$crate::sharing::AuditEntry>, $crate::StoreError> {
                all_rows!(
                    self,
                    $crate::sharing::AUDIT,
                    [client.0, limit, offset],
                    $crate::sharing::AuditRow::into_entry
                )
            }
        }
    };
}
