//! Sharing with a therapist: invites known only by their code's hash, redeemed once before
//! they expire into a grant (or an update of the pair's live grant), grants the client alone
//! can change or revoke, the audit log read newest first and protected from change, and all
//! of it gone with the client's account (a therapist's deletion takes their grants).

use super::*;
use domain::invite::InviteCode;
use domain::sharing::{AuditKind, GrantId, Scope, Scopes};
use store::{GrantChange, NewInvite, RestoreMode};

fn therapist(email: &str) -> store::NewAccount {
    store::NewAccount {
        role: Role::Therapist,
        ..new_account(email)
    }
}

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
}

/// A new invite made at `at`, with its code.
fn invite(
    code: &str,
    scopes: &[Scope],
    name: &str,
    at: chrono::DateTime<Utc>,
) -> (InviteCode, NewInvite) {
    let code = InviteCode::parse(code).unwrap();
    let new = NewInvite {
        code_hash: code.hash(),
        scopes: scopes.iter().copied().collect(),
        display_name: name.into(),
        alerts: false,
        created_at: at,
        expires_at: domain::invite::expires_at(at),
    };
    (code, new)
}

pub(crate) async fn story(store: Arc<dyn Store>) {
    let (ada, bo) = two_accounts(&store, "ada@example.org", "bo@example.org").await;
    let rivera = store
        .create_account(&therapist("rivera@clinic.example"))
        .await
        .unwrap();
    let other = store
        .create_account(&therapist("other@clinic.example"))
        .await
        .unwrap();
    assert_eq!(rivera.display_name, None);
    let rivera = store
        .set_display_name(rivera.id, "Dr Rivera — ריברה")
        .await
        .unwrap();
    assert_eq!(rivera.display_name.as_deref(), Some("Dr Rivera — ריברה"));

    // An invite is pending for its client only, until it expires.
    let (code, new) = invite("K7QM4XZP2D", &[Scope::Checkins], "Ada", t0());
    let made = store.create_invite(ada.id, &new).await.unwrap();
    assert_eq!(made.handle, domain::invite::handle_of(&code.hash()));
    assert_eq!(made.expires_at, t0() + Duration::days(7));
    let later = t0() + Duration::hours(1);
    assert_eq!(
        store.pending_invites(ada.id, later).await.unwrap(),
        std::slice::from_ref(&made)
    );
    assert!(
        store
            .pending_invites(bo.id, later)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .pending_invites(ada.id, t0() + Duration::days(7))
            .await
            .unwrap()
            .is_empty()
    );

    // Unknown or expired codes redeem nothing and use nothing up.
    let wrong = InviteCode::parse("0000000000").unwrap();
    assert_eq!(
        store
            .redeem_invite(rivera.id, &wrong.hash(), later)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .redeem_invite(rivera.id, &code.hash(), t0() + Duration::days(7))
            .await
            .unwrap(),
        None
    );
    assert!(store.client_grants(ada.id).await.unwrap().is_empty());

    // Redeemed once: a grant; the second time nothing, for anyone.
    let joined = store
        .redeem_invite(rivera.id, &code.hash(), later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(joined.display_name, "Ada");
    assert_eq!(joined.scopes, Scopes::NONE.with(Scope::Checkins));
    assert!(!joined.alerts);
    assert_eq!(
        store
            .redeem_invite(rivera.id, &code.hash(), later)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .redeem_invite(other.id, &code.hash(), later)
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .pending_invites(ada.id, later)
            .await
            .unwrap()
            .is_empty()
    );

    let grants = store.client_grants(ada.id).await.unwrap();
    assert_eq!(grants.len(), 1);
    let g = &grants[0];
    assert_eq!(g.id, joined.grant);
    assert_eq!(g.therapist_name.as_deref(), Some("Dr Rivera — ריברה"));
    assert_eq!(g.therapist_email, "rivera@clinic.example");
    assert_eq!(g.since, later);
    assert!(store.client_grants(bo.id).await.unwrap().is_empty());

    // A second code for the same pair updates the live grant rather than adding one.
    let (code2, mut new2) = invite(
        "1234-5678-9A",
        &[Scope::Plans, Scope::Checkins],
        "A.",
        later,
    );
    new2.alerts = true;
    store.create_invite(ada.id, &new2).await.unwrap();
    let again = store
        .redeem_invite(rivera.id, &code2.hash(), later + Duration::minutes(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.grant, joined.grant);
    let grants = store.client_grants(ada.id).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(
        grants[0].scopes,
        Scopes::NONE.with(Scope::Checkins).with(Scope::Plans)
    );
    assert_eq!(grants[0].display_name, "A.");
    assert!(grants[0].alerts);
    assert_eq!(grants[0].since, later, "the grant keeps when sharing began");

    // Only the client changes their grant; parts left out stay.
    let change = GrantChange {
        scopes: Some(Scopes::NONE.with(Scope::Questionnaires)),
        ..GrantChange::default()
    };
    assert_eq!(
        store
            .change_grant(bo.id, joined.grant, &change)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .change_grant(ada.id, GrantId(joined.grant.0 + 1000), &change)
            .await
            .unwrap(),
        None
    );
    let changed = store
        .change_grant(ada.id, joined.grant, &change)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.scopes, Scopes::NONE.with(Scope::Questionnaires));
    assert!(changed.alerts);
    assert_eq!(changed.display_name, "A.");
    let changed = store
        .change_grant(
            ada.id,
            joined.grant,
            &GrantChange {
                alerts: Some(false),
                display_name: Some("Ada L.".into()),
                ..GrantChange::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.scopes, Scopes::NONE.with(Scope::Questionnaires));
    assert!(!changed.alerts);
    assert_eq!(changed.display_name, "Ada L.");

    // Cancelling a pending invite: only the client's own, by its handle; its code is dead.
    let (code3, new3) = invite("ABCD-EFGH-JK", &[Scope::SessionPrep], "Ada", later);
    let pending = store.create_invite(ada.id, &new3).await.unwrap();
    assert!(!store.cancel_invite(ada.id, "nope", later).await.unwrap());
    assert!(
        !store
            .cancel_invite(bo.id, &pending.handle, later)
            .await
            .unwrap()
    );
    assert!(
        store
            .cancel_invite(ada.id, &pending.handle, later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .cancel_invite(ada.id, &pending.handle, later)
            .await
            .unwrap()
    );
    assert!(
        store
            .pending_invites(ada.id, later)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .redeem_invite(other.id, &code3.hash(), later)
            .await
            .unwrap(),
        None
    );

    // Revoking: only the client's own live grant, once; then nothing to change or list.
    assert!(
        !store
            .revoke_grant(bo.id, joined.grant, later)
            .await
            .unwrap()
    );
    assert!(
        store
            .revoke_grant(ada.id, joined.grant, later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_grant(ada.id, joined.grant, later)
            .await
            .unwrap()
    );
    assert!(store.client_grants(ada.id).await.unwrap().is_empty());
    assert_eq!(
        store
            .change_grant(ada.id, joined.grant, &change)
            .await
            .unwrap(),
        None
    );

    // Sharing again after a revoke is a new grant.
    let (code4, new4) = invite("MNPQ-RSTV-WX", &[Scope::Checkins], "Ada", later);
    store.create_invite(ada.id, &new4).await.unwrap();
    let fresh = store
        .redeem_invite(rivera.id, &code4.hash(), later)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(fresh.grant, joined.grant);
    assert_eq!(store.client_grants(ada.id).await.unwrap().len(), 1);
    assert!(store.audit_log(ada.id, 0, 10).await.unwrap().is_empty());
}

/// Runs one statement on the database behind a store, as code outside the store would.
async fn raw(url: &DatabaseUrl, sql: &str) -> Result<u64, sqlx::Error> {
    use sqlx::Connection;
    match url {
        DatabaseUrl::Sqlite(raw) => {
            let mut conn = sqlx::SqliteConnection::connect(raw).await?;
            let r = sqlx::query(sql).execute(&mut conn).await;
            conn.close().await?;
            r.map(|r| r.rows_affected())
        }
        DatabaseUrl::Postgres(raw) => {
            let mut conn = sqlx::PgConnection::connect(raw).await?;
            let r = sqlx::query(sql).execute(&mut conn).await;
            conn.close().await?;
            r.map(|r| r.rows_affected())
        }
    }
}

async fn count(url: &DatabaseUrl, sql: &str) -> i64 {
    use sqlx::Connection;
    match url {
        DatabaseUrl::Sqlite(raw) => {
            let mut conn = sqlx::SqliteConnection::connect(raw).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
        DatabaseUrl::Postgres(raw) => {
            let mut conn = sqlx::PgConnection::connect(raw).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
    }
}

/// A client sharing with a therapist, and audit rows written as a therapist's reads write
/// them (by the statement outside this module that appends them).
async fn shared_and_read(
    store: &Arc<dyn Store>,
    url: &DatabaseUrl,
    client: &str,
    code: &str,
    therapist_id: domain::account::AccountId,
) -> (Account, GrantId) {
    let c = store.create_account(&new_account(client)).await.unwrap();
    let (code, new) = invite(code, &[Scope::Checkins, Scope::Plans], "Sam", t0());
    store.create_invite(c.id, &new).await.unwrap();
    let j = store
        .redeem_invite(therapist_id, &code.hash(), t0())
        .await
        .unwrap()
        .unwrap();
    for (minutes, kind, what) in [
        (1, "read", "checkins"),
        (3, "action", "homework"),
        (2, "read", "plans"),
    ] {
        let at = (t0() + Duration::minutes(minutes)).timestamp_millis();
        raw(
            url,
            &format!(
                "INSERT INTO audit_log (client_id, therapist_id, therapist_name, grant_id, at_ms, \
                 kind, what, endpoint) VALUES ({}, {}, 'Dr Rivera', {}, {at}, '{kind}', '{what}', \
                 '/api/v1/therapist/clients/{}/{what}')",
                c.id.0, therapist_id.0, j.grant.0, j.grant.0
            ),
        )
        .await
        .unwrap();
    }
    (c, j.grant)
}

/// The audit log: newest first and paged, refusing any change or deletion while the
/// client's account exists, gone with it; a therapist's deletion takes their grants and
/// leaves their clients' logs.
pub(crate) async fn audit(store: Arc<dyn Store>, url: DatabaseUrl) {
    let rivera = store
        .create_account(&therapist("rivera@clinic.example"))
        .await
        .unwrap();
    let (sam, grant) =
        shared_and_read(&store, &url, "sam@example.org", "K7QM4XZP2D", rivera.id).await;
    let (kim, _) = shared_and_read(&store, &url, "kim@example.org", "1234567890", rivera.id).await;

    let first = store.audit_log(sam.id, 0, 2).await.unwrap();
    assert_eq!(
        first
            .iter()
            .map(|e| (e.kind, e.what.as_str()))
            .collect::<Vec<_>>(),
        [(AuditKind::Action, "homework"), (AuditKind::Read, "plans")]
    );
    assert_eq!(first[0].at, t0() + Duration::minutes(3));
    assert_eq!(first[0].therapist_name, "Dr Rivera");
    assert_eq!(first[0].grant, Some(grant));
    assert_eq!(
        first[0].endpoint,
        format!("/api/v1/therapist/clients/{grant}/homework")
    );
    let rest = store.audit_log(sam.id, 2, 2).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].what, "checkins");
    assert!(store.audit_log(sam.id, 3, 2).await.unwrap().is_empty());

    // Revoking keeps the log.
    assert!(store.revoke_grant(sam.id, grant, t0()).await.unwrap());
    assert_eq!(store.audit_log(sam.id, 0, 10).await.unwrap().len(), 3);

    // No change and no deletion while the client's account exists.
    let sam_rows = format!(
        "SELECT COUNT(*) FROM audit_log WHERE client_id = {}",
        sam.id.0
    );
    assert!(
        raw(&url, "UPDATE audit_log SET what = 'nothing'")
            .await
            .is_err()
    );
    assert!(
        raw(
            &url,
            &format!(
                "UPDATE audit_log SET at_ms = 0 WHERE client_id = {}",
                sam.id.0
            )
        )
        .await
        .is_err()
    );
    assert!(
        raw(
            &url,
            &format!("DELETE FROM audit_log WHERE client_id = {}", sam.id.0)
        )
        .await
        .is_err()
    );
    assert!(raw(&url, "DELETE FROM audit_log").await.is_err());
    assert_eq!(count(&url, &sam_rows).await, 3);
    assert_eq!(
        store.audit_log(sam.id, 0, 10).await.unwrap()[2].what,
        "checkins",
        "nothing was changed"
    );

    // The therapist's deletion takes their grants, not their clients' logs.
    assert!(store.delete_account(rivera.id).await.unwrap());
    assert!(store.client_grants(kim.id).await.unwrap().is_empty());
    assert_eq!(store.audit_log(kim.id, 0, 10).await.unwrap().len(), 3);
    assert_eq!(count(&url, "SELECT COUNT(*) FROM share_grants").await, 0);

    // The client's deletion takes their log, their invites and grants.
    assert!(store.delete_account(sam.id).await.unwrap());
    assert_eq!(count(&url, &sam_rows).await, 0);
    assert_eq!(
        count(
            &url,
            &format!(
                "SELECT COUNT(*) FROM share_invites WHERE client_id = {}",
                sam.id.0
            )
        )
        .await,
        0
    );
    assert_eq!(store.audit_log(kim.id, 0, 10).await.unwrap().len(), 3);
}

/// A backup restored over the data it was taken from (the operator's `restore --replace`)
/// clears the audit log only with the accounts; restored into an empty database, the next
/// grant there gets an id past the restored ones.
pub(crate) async fn restore(store: Arc<dyn Store>, url: DatabaseUrl, empty: Arc<dyn Store>) {
    let rivera = store
        .create_account(&therapist("rivera@clinic.example"))
        .await
        .unwrap();
    let (sam, grant) =
        shared_and_read(&store, &url, "sam@example.org", "K7QM4XZP2D", rivera.id).await;
    let mut backup = Vec::new();
    let summary = store.backup(&mut backup).await.unwrap();
    assert_eq!(summary.rows_in("audit_log"), Some(3));
    assert_eq!(summary.rows_in("share_grants"), Some(1));
    assert_eq!(summary.rows_in("share_invites"), Some(1));

    let restored = store
        .restore(&mut backup.as_slice(), RestoreMode::Replace)
        .await
        .unwrap();
    assert_eq!(restored.rows(), summary.rows());
    assert_eq!(store.audit_log(sam.id, 0, 10).await.unwrap().len(), 3);
    assert_eq!(store.client_grants(sam.id).await.unwrap()[0].id, grant);

    // Into an empty database: ids there carry on past the restored ones.
    empty
        .restore(&mut backup.as_slice(), RestoreMode::IntoEmpty)
        .await
        .unwrap();
    assert_eq!(empty.audit_log(sam.id, 0, 10).await.unwrap().len(), 3);
    let (code, new) = invite("ABCDEFGHJK", &[Scope::Checkins], "Kim", t0());
    let kim = empty
        .create_account(&new_account("kim@example.org"))
        .await
        .unwrap();
    empty.create_invite(kim.id, &new).await.unwrap();
    let j = empty
        .redeem_invite(rivera.id, &code.hash(), t0())
        .await
        .unwrap()
        .unwrap();
    assert!(j.grant.0 > grant.0);
    assert_eq!(empty.client_grants(kim.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn sqlite_sharing_audit_log() {
    let (store, url, _dir) = sqlite_store().await;
    audit(store, url).await;
}

#[tokio::test]
async fn postgres_sharing_audit_log() {
    if let Some((store, url)) = postgres_store().await {
        audit(store, url).await;
    }
}

#[tokio::test]
async fn sqlite_sharing_restore() {
    let (store, url, _dir) = sqlite_store().await;
    let empty_dir = tempfile::tempdir().unwrap();
    let empty = DatabaseUrl::sqlite_in(empty_dir.path());
    // Under the same master key, as a restore onto a new machine with the key file moved.
    let empty = store::open(&empty, &store::testing::test_key_file(&url))
        .await
        .unwrap();
    restore(store, url, empty).await;
}

#[tokio::test]
async fn postgres_sharing_restore() {
    if let (Some((store, url)), Some(empty)) = (
        postgres_store().await,
        store::testing::postgres_test_database().await,
    ) {
        let empty = DatabaseUrl::parse(&empty).unwrap();
        let empty = store::open(&empty, &store::testing::test_key_file(&url))
            .await
            .unwrap();
        restore(store, url, empty).await;
    }
}
