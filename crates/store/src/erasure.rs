//! Erasing an account: every row it owns, on either backend, in one transaction.
//!
//! The statements name every table that holds the account's rows, children before parents,
//! even where `ON DELETE CASCADE` would reach them: the erasure does not depend on each
//! migration having remembered the cascade. A table added later that the list forgets is
//! caught by the deletion conformance test (crates/web/tests/deletion.rs), which counts the
//! rows of every table the database's own catalogue lists.

use async_trait::async_trait;
use domain::account::AccountId;

use crate::StoreError;
use crate::sqlite::Sql;

/// Removing an account and everything in it.
#[async_trait]
pub trait ErasureStore: Send + Sync {
    /// Deletes the account `id` and every row it owns, all at once or not at all. Its
    /// sessions and API tokens are among those rows, so every way in ends with it. Plan
    /// versions the account wrote in someone else's plan stay theirs, without an author.
    /// `false` when there was no such account.
    async fn delete_account(&self, id: AccountId) -> Result<bool, StoreError>;
}

/// The statements that erase account `$1`, run in this order inside one transaction.
///
/// Whatever must go before the data (a key that unlocks it) belongs at the top, so that a
/// failure further down leaves nothing readable behind the rolled-back rest. Then children
/// before their parents: homework's log before homework, agenda items (which may point at a
/// journal entry) before the journal, reflections and feedback (which may point at a therapy
/// session) before the sessions. The account's own row comes last.
pub(crate) const ERASE: &[&str] = &[
    // The data key first: without it nothing the account wrote can be read, even from a
    // copy of the rows below taken before they go.
    "DELETE FROM account_keys WHERE account_id = $1",
    "DELETE FROM auth_sessions WHERE account_id = $1",
    "DELETE FROM api_tokens WHERE account_id = $1",
    // Alert emails of the account's grants, as a client or as a therapist, before the grants.
    "DELETE FROM mail_outbox WHERE grant_id IN \
     (SELECT id FROM share_grants WHERE client_id = $1 OR therapist_id = $1)",
    // The second sign-in step: sign-ins waiting for a code, recovery codes, the secret.
    "DELETE FROM second_factor_sign_ins WHERE account_id = $1",
    "DELETE FROM recovery_codes WHERE account_id = $1",
    "DELETE FROM second_factors WHERE account_id = $1",
    "DELETE FROM homework_log WHERE account_id = $1",
    "DELETE FROM homework WHERE account_id = $1",
    "DELETE FROM agenda_items WHERE account_id = $1",
    // Thought records point at their coping use, so they go before the uses.
    "DELETE FROM thought_records WHERE account_id = $1",
    "DELETE FROM journal_entries WHERE account_id = $1",
    "DELETE FROM feedback_notes WHERE account_id = $1",
    "DELETE FROM reflections WHERE account_id = $1",
    "DELETE FROM therapy_sessions WHERE account_id = $1",
    "DELETE FROM checkins WHERE account_id = $1",
    "DELETE FROM guidance_changes WHERE account_id = $1",
    "DELETE FROM guidance_summaries WHERE account_id = $1",
    "DELETE FROM coping_tool_totals WHERE account_id = $1",
    "DELETE FROM coping_uses WHERE account_id = $1",
    "DELETE FROM coping_list_items WHERE account_id = $1",
    "DELETE FROM questionnaires WHERE account_id = $1",
    "DELETE FROM plan_versions WHERE account_id = $1",
    // Sharing: the account's invites, and its grants as a client or as a therapist. (A
    // therapist's reads stay in their clients' audit logs, under the name they had.)
    "DELETE FROM share_invites WHERE client_id = $1",
    "DELETE FROM share_grants WHERE client_id = $1 OR therapist_id = $1",
    // Versions this account wrote in other people's plans keep their text (it is theirs)
    // but no longer name who wrote it.
    "UPDATE plan_versions SET author_id = NULL WHERE author_id = $1",
];

/// The account's own row, after everything it owns.
pub(crate) const DELETE_ACCOUNT: &str = "DELETE FROM accounts WHERE id = $1";

/// What may go only once the account's row is gone: the audit log of therapists' reads,
/// whose triggers refuse a delete while the client's account exists (the foreign key's
/// cascade removes these rows too; this says so without relying on it).
pub(crate) const AFTER_ACCOUNT: &[&str] = &["DELETE FROM audit_log WHERE client_id = $1"];

#[async_trait]
impl ErasureStore for crate::sqlite::SqliteStore {
    async fn delete_account(&self, id: AccountId) -> Result<bool, StoreError> {
        // One write job is one transaction (or one savepoint in a batch): an error in any
        // statement undoes them all.
        let deleted = self
            .db()?
            .write(move |conn| {
                for sql in ERASE {
                    conn.exec(sql, &[&id.0])?;
                }
                let deleted = conn.exec(DELETE_ACCOUNT, &[&id.0])? == 1;
                for sql in AFTER_ACCOUNT {
                    conn.exec(sql, &[&id.0])?;
                }
                Ok(deleted)
            })
            .await?;
        // Nor is the key kept in memory.
        self.vault().forget(id.0);
        Ok(deleted)
    }
}

macro_rules! impl_erasure_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::erasure::ErasureStore for $ty {
            async fn delete_account(
                &self,
                id: domain::account::AccountId,
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                for sql in $crate::erasure::ERASE {
                    sqlx::query(sql).bind(id.0).execute(&mut *tx).await?;
                }
                let done = sqlx::query($crate::erasure::DELETE_ACCOUNT)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                for sql in $crate::erasure::AFTER_ACCOUNT {
                    sqlx::query(sql).bind(id.0).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                // Nor is the key kept in memory.
                self.vault.forget(id.0);
                Ok(done.rows_affected() == 1)
            }
        }
    };
}
