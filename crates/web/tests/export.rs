//! Export and import of a person's data over HTTP: the JSON document, the check-ins CSV,
//! and loading a document into an empty account, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use store::BackupStore;
use support::seed::{SEEDED_TABLES, seed_every_kind};
use support::test_app_with_store;

/// Tables that hold no person's data, or data of the installation rather than of a person.
const NOT_ACCOUNT_DATA: &[&str] = &["_sqlx_migrations", "sign_in_failures"];
/// Tables of an account that seeding leaves to signing in: sessions and the account itself.
const SIGN_IN: &[&str] = &["accounts", "auth_sessions", "api_tokens"];

#[tokio::test]
async fn seeding_reaches_every_table_of_account_data() {
    let (t, store, _) = test_app_with_store().await;
    seed_every_kind(&t, "sam@example.org", "Marker7q").await;
    let mut out = Vec::new();
    let summary = store.backup(&mut out).await.unwrap();
    for table in store.schema_tables().await.unwrap() {
        if NOT_ACCOUNT_DATA.contains(&table.as_str()) || SIGN_IN.contains(&table.as_str()) {
            continue;
        }
        assert!(
            SEEDED_TABLES.contains(&table.as_str()),
            "seeding does not know table {table}: add it to support/seed.rs"
        );
        // The backup leaves out derived summaries; their rows are checked by the export.
        if let Some(rows) = summary.rows_in(&table) {
            assert!(rows > 0, "seeding wrote no row of {table}");
        }
    }
}
