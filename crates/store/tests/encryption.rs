//! Encryption at rest, on both backends: what a person writes in a sealed column never
//! reaches the database in clear; a swapped ciphertext is damaged data, never shown; the
//! right master key is required to start; existing plain values are sealed once at start;
//! and a key rotation keeps every account readable under the new key only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use domain::account::{Account, Email, Role, TherapistContact};
use domain::checkin::CheckInInput;
use store::{DatabaseUrl, KeyFile, NewAccount, Store, StoreError};
use uuid::Uuid;

fn new_account(email: &str) -> NewAccount {
    NewAccount {
        email: Email::parse(email).unwrap(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Client,
        country: None,
        timezone: domain::history::TimeZone::parse("UTC").unwrap(),
        usual_mood: None,
        therapist: TherapistContact::default(),
    }
}

async fn note_checkin(store: &Arc<dyn Store>, account: &Account, note: &str) -> Uuid {
    let client_id = Uuid::new_v4();
    let c = CheckInInput {
        client_id: Some(client_id),
        mood: Some(4),
        note: Some(note.into()),
        ..Default::default()
    }
    .validate(Utc::now())
    .unwrap();
    store.insert_checkin(account.id, &c).await.unwrap();
    client_id
}

/// Writes `marker` into every sealed column the store writes: a check-in note, a journal
/// entry brought to the session (whose first line becomes an agenda topic), an edit of it,
/// and a topic of its own; and reads each back in clear.
async fn write_marked(store: &Arc<dyn Store>, account: &Account, marker: &str) {
    use domain::journal::{JournalEdit, JournalInput};
    use domain::therapy::AgendaSource;
    note_checkin(store, account, &format!("a hard evening {marker}")).await;
    let entry = JournalInput {
        client_id: Some(Uuid::new_v4()),
        text: Some(format!("first line {marker}\nmore")),
        bring_to_session: Some(true),
        ..Default::default()
    }
    .validate(Utc::now())
    .unwrap();
    let (entry, _) = store
        .insert_journal_entry(account.id, &entry)
        .await
        .unwrap();
    store
        .edit_journal_entry(
            account.id,
            entry.id,
            &JournalEdit {
                text: Some(format!("edited {marker}\nmore")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    store
        .insert_agenda_item(
            account.id,
            Uuid::new_v4(),
            &format!("topic {marker}"),
            AgendaSource::Manual,
        )
        .await
        .unwrap();
    let topics: Vec<String> = store
        .agenda(account.id, true)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.text)
        .collect();
    assert_eq!(
        topics,
        [format!("edited {marker}"), format!("topic {marker}")]
    );
    let found = store
        .journal_page(
            account.id,
            &store::JournalQuery {
                search: Some(marker.to_uppercase()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        found.entries.len(),
        1,
        "search opens and matches in the app"
    );
}

#[tokio::test]
async fn sqlite_files_never_hold_sealed_words_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_in(dir.path());
    let store = store::testing::open(&url).await.unwrap();
    let sam = store
        .create_account(&new_account("sam@example.org"))
        .await
        .unwrap();
    let marker = format!("marker-{}", Uuid::new_v4().simple());
    write_marked(&store, &sam, &marker).await;
    // Read back in clear through the store.
    let read = store.checkins(sam.id, None, None).await.unwrap();
    assert_eq!(
        read[0].content.note.as_deref(),
        Some(format!("a hard evening {marker}").as_str())
    );
    // Checked while the server would still be running (the write may sit in the WAL) and
    // again after a clean stop has folded the WAL into the database file.
    assert_eq!(
        store::testing::files_holding(dir.path(), &marker),
        [] as [PathBuf; 0]
    );
    store.close().await.unwrap();
    assert!(dir.path().join("master.key").is_file());
    assert_eq!(
        store::testing::files_holding(dir.path(), &marker),
        [] as [PathBuf; 0]
    );
}

#[tokio::test]
async fn a_postgres_dump_never_holds_sealed_words_in_clear() {
    let Some(raw) = store::testing::postgres_test_database().await else {
        return;
    };
    let url = DatabaseUrl::parse(&raw).unwrap();
    let store = store::testing::open(&url).await.unwrap();
    let sam = store
        .create_account(&new_account("sam@example.org"))
        .await
        .unwrap();
    let marker = format!("marker-{}", Uuid::new_v4().simple());
    write_marked(&store, &sam, &marker).await;
    let dump = store::testing::postgres_dump(&raw).await;
    assert!(dump.contains("v1:"), "the dump should hold sealed values");
    assert!(!dump.contains(&marker));
}

/// The sealed notes of two check-ins swapped by hand: each is damaged data, reported as
/// such, and the other check-in's words are never returned.
async fn swapped(store: Arc<dyn Store>, url: &DatabaseUrl) {
    let sam = store
        .create_account(&new_account("sam@example.org"))
        .await
        .unwrap();
    let first = note_checkin(&store, &sam, "first note").await;
    let second = note_checkin(&store, &sam, "second note").await;
    let swap = format!(
        "UPDATE checkins SET note = CASE client_id \
         WHEN '{first}' THEN (SELECT note FROM checkins WHERE client_id = '{second}') \
         ELSE (SELECT note FROM checkins WHERE client_id = '{first}') END \
         WHERE client_id IN ('{first}', '{second}')"
    );
    raw_sql(url, &swap).await;
    let err = store.checkins(sam.id, None, None).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Damaged {
                table: "checkins",
                column: "note"
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("note\u{20}"));
    assert!(!err.to_string().contains("first"));
}

async fn raw_sql(url: &DatabaseUrl, sql: &str) {
    use sqlx::Connection;
    match url {
        DatabaseUrl::Sqlite(u) => {
            let mut c = sqlx::SqliteConnection::connect(u).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        DatabaseUrl::Postgres(u) => {
            let mut c = sqlx::PgConnection::connect(u).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }
}

#[tokio::test]
async fn sqlite_a_swapped_note_is_damaged_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_in(dir.path());
    swapped(store::testing::open(&url).await.unwrap(), &url).await;
}

#[tokio::test]
async fn postgres_a_swapped_note_is_damaged_data() {
    let Some(raw) = store::testing::postgres_test_database().await else {
        return;
    };
    let url = DatabaseUrl::parse(&raw).unwrap();
    swapped(store::testing::open(&url).await.unwrap(), &url).await;
}

/// A database with encrypted data opens only with its own key: a wrong key or none is
/// refused with a message saying what to do, and neither the database nor the key file
/// is changed.
async fn keys_are_checked(url: DatabaseUrl, key: KeyFile) {
    let store = store::open(&url, &key).await.unwrap();
    let sam = store
        .create_account(&new_account("sam@example.org"))
        .await
        .unwrap();
    note_checkin(&store, &sam, "kept safe").await;
    store.close().await.unwrap();

    // A wrong key: refused, and the file is left as it was.
    let elsewhere = tempfile::tempdir().unwrap();
    let wrong = KeyFile::in_folder(elsewhere.path());
    store::vault::MasterKey::generate()
        .create(wrong.path())
        .unwrap();
    let before = std::fs::read(wrong.path()).unwrap();
    let err = refusal(&url, &wrong).await.to_string();
    assert!(err.contains("is not the one this database"), "{err}");
    assert!(err.contains("--master-key-file"), "{err}");
    assert_eq!(std::fs::read(wrong.path()).unwrap(), before);

    // No key at all: refused, and no new key is made in its place.
    let missing = KeyFile::in_folder(&elsewhere.path().join("none"));
    let err = refusal(&url, &missing).await.to_string();
    assert!(err.contains("there is no master key file"), "{err}");
    assert!(!missing.path().exists());

    // The right key still opens it, with the note readable.
    let store = store::open(&url, &key).await.unwrap();
    let read = store.checkins(sam.id, None, None).await.unwrap();
    assert_eq!(read[0].content.note.as_deref(), Some("kept safe"));
    store.close().await.unwrap();
}

/// The error opening `url` with `key` gives; opening must fail.
async fn refusal(url: &DatabaseUrl, key: &KeyFile) -> StoreError {
    match store::open(url, key).await {
        Ok(_) => panic!("opened with the wrong master key"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn sqlite_starts_only_with_its_own_key() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_in(dir.path());
    let key = KeyFile::in_folder(dir.path());
    keys_are_checked(url, key).await;
}

#[tokio::test]
async fn postgres_starts_only_with_its_own_key() {
    let Some(raw) = store::testing::postgres_test_database().await else {
        return;
    };
    let keys = tempfile::tempdir().unwrap();
    keys_are_checked(
        DatabaseUrl::parse(&raw).unwrap(),
        KeyFile::in_folder(keys.path()),
    )
    .await;
}

/// Notes written before encryption existed are sealed at the first start, readable through
/// the store, and absent in clear from the database.
async fn plain_notes_are_sealed_at_start(backend: &str) {
    let rows = [
        "INSERT INTO accounts (email, password_hash, role, timezone, created_ms) \
         VALUES ('old@example.org', 'x', 'client', 'UTC', 0)",
        "INSERT INTO checkins (account_id, client_id, at_ms, mood, note, created_ms) \
         VALUES (1, '7d3c2b1a-0000-4000-8000-000000000001', 1000, 5, 'old plain words', 1000)",
    ];
    let Some((url, _dir)) = store::testing::database_before(backend, 14, &rows).await else {
        return;
    };
    let store = store::testing::open(&url).await.unwrap();
    let old = store
        .account_for_sign_in(&Email::parse("old@example.org").unwrap())
        .await
        .unwrap()
        .unwrap()
        .0;
    let read = store.checkins(old.id, None, None).await.unwrap();
    assert_eq!(read[0].content.note.as_deref(), Some("old plain words"));
    let stored = raw_value(&url, "SELECT note FROM checkins").await;
    assert!(stored.starts_with("v1:"), "{stored}");
    store.close().await.unwrap();
    // A second start seals nothing twice.
    let store = store::testing::open(&url).await.unwrap();
    let read = store.checkins(old.id, None, None).await.unwrap();
    assert_eq!(read[0].content.note.as_deref(), Some("old plain words"));
}

async fn raw_value(url: &DatabaseUrl, sql: &str) -> String {
    use sqlx::Connection;
    match url {
        DatabaseUrl::Sqlite(u) => {
            let mut c = sqlx::SqliteConnection::connect(u).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
        }
        DatabaseUrl::Postgres(u) => {
            let mut c = sqlx::PgConnection::connect(u).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
        }
    }
}

#[tokio::test]
async fn sqlite_plain_notes_are_sealed_at_start() {
    plain_notes_are_sealed_at_start("sqlite").await;
}

#[tokio::test]
async fn postgres_plain_notes_are_sealed_at_start() {
    plain_notes_are_sealed_at_start("postgres").await;
}

/// After a rotation the new key opens everything and the old one (kept as `.old`) no longer
/// starts the database.
async fn rotation(url: DatabaseUrl, key: KeyFile) {
    let store = store::open(&url, &key).await.unwrap();
    let sam = store
        .create_account(&new_account("sam@example.org"))
        .await
        .unwrap();
    note_checkin(&store, &sam, "before rotation").await;
    store.close().await.unwrap();
    let before = std::fs::read(key.path()).unwrap();

    assert_eq!(store::rotate_master_key(&url, &key).await.unwrap(), 1);
    let after = std::fs::read(key.path()).unwrap();
    assert_ne!(before, after);
    let old = store::vault::keyfile::retired_path(key.path());
    assert_eq!(std::fs::read(&old).unwrap(), before);

    let store = store::open(&url, &key).await.unwrap();
    let read = store.checkins(sam.id, None, None).await.unwrap();
    assert_eq!(read[0].content.note.as_deref(), Some("before rotation"));
    store.close().await.unwrap();
    let err = refusal(&url, &KeyFile(old)).await;
    assert!(matches!(err, StoreError::MasterKey(_)), "{err:?}");
}

#[tokio::test]
async fn sqlite_key_rotation() {
    let dir = tempfile::tempdir().unwrap();
    rotation(
        DatabaseUrl::sqlite_in(dir.path()),
        KeyFile::in_folder(dir.path()),
    )
    .await;
}

#[tokio::test]
async fn postgres_key_rotation() {
    let Some(raw) = store::testing::postgres_test_database().await else {
        return;
    };
    let keys = tempfile::tempdir().unwrap();
    rotation(
        DatabaseUrl::parse(&raw).unwrap(),
        KeyFile::in_folder(keys.path()),
    )
    .await;
}
