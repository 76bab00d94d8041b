//! Values are checked once, where a row is read: a stored country, time zone, therapist email
//! or guidance level that does not parse (written by hand, or by a later version) is reported as `Corrupt`, never replaced by a guess
//! (a silent UTC would move every one of the person's days).

use super::*;
use domain::crisis::Country;
use domain::guidance::Level;
use domain::history::TimeZone as Zone;
use store::GuidanceChange;

/// Runs statements on the database behind a store, in order, as damage from outside would.
async fn raw_all(url: &DatabaseUrl, statements: &[&str]) {
    use sqlx::Connection;
    match url {
        DatabaseUrl::Sqlite(raw) => {
            let mut conn = sqlx::SqliteConnection::connect(raw).await.unwrap();
            for sql in statements {
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
        }
        DatabaseUrl::Postgres(raw) => {
            let mut conn = sqlx::PgConnection::connect(raw).await.unwrap();
            for sql in statements {
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
        }
    }
}

async fn raw(url: &DatabaseUrl, sql: &str) {
    raw_all(url, &[sql]).await;
}

/// The account reads as damage: `Corrupt`, or `Damaged` for a value in a sealed column (the
/// therapist's email), which a value written by hand in clear can never open as.
async fn assert_corrupt(store: &Arc<dyn Store>, id: domain::account::AccountId, what: &str) {
    let email = Email::parse("sam@example.org").unwrap();
    fn damage<T>(r: &Result<T, StoreError>) -> bool {
        matches!(r, Err(StoreError::Corrupt(_) | StoreError::Damaged { .. }))
    }
    assert!(damage(&store.account(id).await), "{what}: account");
    assert!(
        damage(&store.account_for_sign_in(&email).await),
        "{what}: sign-in"
    );
}

pub(crate) async fn story(store: Arc<dyn Store>, url: DatabaseUrl) {
    let mut new = new_account("sam@example.org");
    new.therapist.email = Some(Email::parse("Ada@Clinic.example").unwrap());
    let sam = store.create_account(&new).await.unwrap();
    assert_eq!(sam.country, Some(Country::Gb));
    assert_eq!(sam.timezone.name(), "Europe/London");
    assert_eq!(
        sam.therapist.email.as_ref().map(Email::as_str),
        Some("ada@clinic.example")
    );
    let id = sam.id.0;

    // What older versions could store reads back: no country (`between user add`), the
    // European fallback, UTC, no therapist email.
    raw(
        &url,
        &format!(
            "UPDATE accounts SET country = NULL, timezone = 'UTC', therapist_email = NULL \
             WHERE id = {id}"
        ),
    )
    .await;
    let plain = store.account(sam.id).await.unwrap().unwrap();
    assert_eq!(plain.country, None);
    assert_eq!(plain.timezone, Zone::UTC);
    assert_eq!(plain.therapist.email, None);
    raw(
        &url,
        &format!("UPDATE accounts SET country = 'EU' WHERE id = {id}"),
    )
    .await;
    assert_eq!(
        store.account(sam.id).await.unwrap().unwrap().country,
        Some(Country::Europe)
    );

    // Each damaged value on its own makes the account unreadable, named as corrupt.
    for (column, bad) in [
        ("timezone", "'Mars/Olympus'"),
        ("timezone", "''"),
        ("country", "'XX'"),
        ("therapist_email", "'call her on Tuesdays'"),
    ] {
        raw(
            &url,
            &format!("UPDATE accounts SET {column} = {bad} WHERE id = {id}"),
        )
        .await;
        assert_corrupt(&store, sam.id, column).await;
        raw(
            &url,
            &format!(
                "UPDATE accounts SET country = 'GB', timezone = 'Europe/London', \
                 therapist_email = NULL WHERE id = {id}"
            ),
        )
        .await;
        assert!(store.account(sam.id).await.unwrap().is_some(), "{column}");
    }

    // A guidance level the engine does not know is corrupt too.
    let change = GuidanceChange {
        at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
        level: Level::ReachOut,
        reasons: serde_json::json!([]),
    };
    store.record_guidance(sam.id, &change).await.unwrap();
    assert_eq!(
        store.latest_guidance(sam.id).await.unwrap(),
        Some(change.clone())
    );
    // The schema's CHECK refuses unknown levels, so the damage has to get past it first.
    let damage = format!("UPDATE guidance_changes SET level = 'panic' WHERE account_id = {id}");
    let past_the_check = match url {
        DatabaseUrl::Sqlite(_) => "PRAGMA ignore_check_constraints = ON",
        DatabaseUrl::Postgres(_) => {
            "ALTER TABLE guidance_changes DROP CONSTRAINT guidance_changes_level_check"
        }
    };
    raw_all(&url, &[past_the_check, &damage]).await;
    assert!(matches!(
        store.latest_guidance(sam.id).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        store.guidance_history(sam.id, None).await,
        Err(StoreError::Corrupt(_))
    ));
}

#[tokio::test]
async fn sqlite_stored_values() {
    let (store, url, _dir) = sqlite_store().await;
    story(store, url).await;
}

#[tokio::test]
async fn postgres_stored_values() {
    if let Some((store, url)) = postgres_store().await {
        story(store, url).await;
    }
}
