//! What an installation leaves on disk: private files whatever the umask, one self-contained
//! database file after a clean stop, and no trace of deleted text.

// clippy.toml allows these inside #[test] functions only; `mode` and `files_in` unwrap too.
#![allow(clippy::unwrap_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use support::*;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn every_file_is_private_whatever_the_umask() {
    let base = tempfile::tempdir().unwrap();
    let data = base.path().join("data");
    let out = between_with_umask(
        &data,
        "000",
        &["user", "add", "sam@example.org"],
        Some("a long enough password\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(mode(&data), 0o700, "data folder");
    assert_eq!(mode(&data.join("between.sqlite3")), 0o600, "database");

    // While the server runs, the WAL and shm exist and are private too.
    let token = text(&between(&data, &["token", "create", "sam@example.org"], None).stdout)
        .trim()
        .to_string();
    let mut server = serve(&data);
    let (status, reply) = post_checkin(
        &server.addr,
        &token,
        r#"{"client_id":"0d6a3a52-8f3e-4c57-9a43-2f1e0b7c9d10","mood":6}"#,
    );
    assert_eq!(status, 201, "{reply}");
    for companion in ["between.sqlite3-wal", "between.sqlite3-shm"] {
        assert_eq!(mode(&data.join(companion)), 0o600, "{companion}");
    }
    assert!(server.stop().success());

    let export = base.path().join("sam.json");
    let out = between_with_umask(
        &data,
        "000",
        &[
            "export",
            "--user",
            "sam@example.org",
            "--output",
            export.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(mode(&export), 0o600, "export");
}

#[test]
fn a_data_folder_left_open_to_others_is_tightened_with_a_warning() {
    let base = tempfile::tempdir().unwrap();
    let data = base.path().join("data");
    assert!(between(&data, &["migrate"], None).status.success());
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = data.join("between.sqlite3");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();

    let out = between(&data, &["migrate"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&db), 0o600);
    let log = text(&out.stderr);
    assert!(log.contains("data folder was open to other users"), "{log}");
    assert!(
        log.contains("database file was readable by other users"),
        "{log}"
    );
}

/// Every file in the folder, as bytes.
fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The journal entry's text as stored (sealed), read beside the running server.
fn sealed_text(data: &std::path::Path, id: i64) -> String {
    use sqlx::Connection;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let url = format!(
                "sqlite://{}?mode=ro",
                data.join("between.sqlite3").display()
            );
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let text: String = sqlx::query_scalar("SELECT text FROM journal_entries WHERE id = $1")
                .bind(id)
                .fetch_one(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            text
        })
}

#[test]
fn deleted_journal_text_is_gone_from_every_file_after_a_clean_stop() {
    let base = tempfile::tempdir().unwrap();
    let data = base.path().join("data");
    let token = account_with_token(&data, "kim@example.org");
    let mut server = serve(&data);
    let addr = server.addr.clone();

    let first = "Quillon-Marrowby first draft about my SISTER";
    let edited = "Quillon-Marrowby edited words about my SISTER";
    let (status, reply) = http(
        &addr,
        &api_request(
            &addr,
            "POST",
            "/api/v1/journal",
            &token,
            Some(&format!(
                r#"{{"client_id":"7f1c2e3d-4b5a-4c6d-8e7f-9a0b1c2d3e4f","text":"{first}"}}"#
            )),
        ),
    );
    assert_eq!(status, 201, "{reply}");
    let id = json_body(&reply)["id"].as_i64().unwrap();
    let (status, reply) = http(
        &addr,
        &api_request(
            &addr,
            "PATCH",
            &format!("/api/v1/journal/{id}"),
            &token,
            Some(&format!(r#"{{"text":"{edited}"}}"#)),
        ),
    );
    assert_eq!(status, 200, "{reply}");
    // While the entry exists, its words are on disk only sealed (encryption at rest); the
    // sealed form is what the search below must no longer find once it is deleted.
    let sealed = sealed_text(&data, id);
    assert!(sealed.starts_with("v1:"), "{sealed}");
    let files = files_in(&data);
    assert!(
        files.iter().any(|(_, bytes)| contains(bytes, &sealed)),
        "the sealed entry was not found on disk while it existed"
    );
    for (file, bytes) in &files {
        assert!(
            !contains(bytes, "Quillon-Marrowby"),
            "{file} holds it in clear"
        );
    }
    let (status, reply) = http(
        &addr,
        &api_request(
            &addr,
            "DELETE",
            &format!("/api/v1/journal/{id}"),
            &token,
            None,
        ),
    );
    assert_eq!(status, 204, "{reply}");
    assert!(server.stop().success());

    assert!(server.log.lock().unwrap().contains("stopped"));
    for (file, bytes) in files_in(&data) {
        for marker in [
            sealed.as_str(),
            "Quillon-Marrowby",
            "quillon-marrowby",
            "about my SISTER",
            "about my sister",
        ] {
            assert!(!contains(&bytes, marker), "{file} still holds {marker:?}");
        }
    }
    let wal = data.join("between.sqlite3-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the WAL was not folded in at the clean stop"
    );
}
