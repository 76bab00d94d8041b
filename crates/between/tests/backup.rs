//! `between backup` against a running server that is taking writes, and `between restore`
//! of what it wrote, through the real binary.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use support::*;

/// The row count `between backup`/`restore` printed for a table.
fn printed_rows(stdout: &str, table: &str) -> usize {
    stdout
        .lines()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some(table)).then(|| words.next().unwrap().parse().unwrap())
        })
        .unwrap_or_else(|| panic!("no {table} count in {stdout}"))
}

fn exported_checkins(data_dir: &Path, email: &str) -> usize {
    let out = between(data_dir, &["export", "--user", email], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let export: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    export["data"]["checkins"].as_array().unwrap().len()
}

#[test]
fn a_backup_taken_while_the_server_writes_restores_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let email = "kim@example.org";
    let added = between(
        &data,
        &["user", "add", email],
        Some("a long enough password\n"),
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let token = text(&between(&data, &["token", "create", email], None).stdout)
        .trim()
        .to_string();
    let server = serve(&data);

    // Writers keep posting check-ins until told to stop; each 201 is an acknowledged write.
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (stop, acknowledged) = (stop.clone(), acknowledged.clone());
            let (addr, token) = (server.addr.clone(), token.clone());
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    let body = format!(
                        r#"{{"client_id":"00000000-0000-4000-8{w:03}-{i:012}","mood":4,"self_harm_thoughts":false,"missed_usual_activities":true,"sleep_hours":6.5,"note":"PRIVATE note {i}"}}"#
                    );
                    assert_eq!(post_checkin(&addr, &token, &body).0, 201);
                    acknowledged.fetch_add(1, Ordering::SeqCst);
                    i += 1;
                }
            })
        })
        .collect();
    while acknowledged.load(Ordering::SeqCst) < 30 {
        std::thread::sleep(Duration::from_millis(20));
    }

    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let file = backups.join("between-nightly.jsonl");
    let before = acknowledged.load(Ordering::SeqCst);
    // A permissive umask must not make the backup readable by others.
    let out = between_with_umask(&data, "000", &["backup", file.to_str().unwrap()], None);
    let after = acknowledged.load(Ordering::SeqCst);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let in_backup = printed_rows(&stdout, "checkins");
    assert!(
        (before..=after).contains(&in_backup),
        "{before} ≤ {in_backup} ≤ {after}"
    );
    assert!(
        !stdout.contains("PRIVATE") && !stdout.contains(email),
        "{stdout}"
    );

    // Writes go on after the backup, and none of them are in it.
    while acknowledged.load(Ordering::SeqCst) < after + 20 {
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.join().unwrap();
    }
    drop(server);
    let total = acknowledged.load(Ordering::SeqCst);
    assert_eq!(exported_checkins(&data, email), total);
    assert!(in_backup < total);

    // Readable by its owner only, and nothing half-written is left beside it.
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    let names: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["between-nightly.jsonl"]);

    // Restored into a new data folder under its own new master key: refused whole, saying
    // which key it needs, since the accounts' keys are wrapped by the original's.
    let restored = dir.path().join("restored");
    let out = between(&restored, &["restore", file.to_str().unwrap()], None);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("different master key"), "{err}");
    assert!(err.contains("--master-key-file"), "{err}");
    // With the original's key in place: every check-in the backup counted, and only those.
    std::fs::copy(data.join("master.key"), restored.join("master.key")).unwrap();
    let out = between(&restored, &["restore", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(printed_rows(&text(&out.stdout), "checkins"), in_backup);
    assert_eq!(exported_checkins(&restored, email), in_backup);
    // The restored copy serves: the same token signs in and new check-ins get new ids.
    let server = serve(&restored);
    let body = r#"{"client_id":"00000000-0000-4000-8fff-000000000001","mood":6}"#;
    assert_eq!(post_checkin(&server.addr, &token, body).0, 201);
    drop(server);
    assert_eq!(exported_checkins(&restored, email), in_backup + 1);

    // A second restore on top is refused kindly and changes nothing.
    let out = between(&restored, &["restore", file.to_str().unwrap()], None);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("already holds 1 account"), "{err}");
    assert!(err.contains("--replace"), "{err}");
    assert_eq!(exported_checkins(&restored, email), in_backup + 1);

    // --replace saves what is there beside the database first, then replaces it.
    // A umask that takes the owner's write bit must not leave a backup it cannot replace.
    let out = between_with_umask(
        &restored,
        "277",
        &["restore", "--replace", file.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(exported_checkins(&restored, email), in_backup);
    let saved: Vec<_> = std::fs::read_dir(&restored)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("between-before-restore-")
        })
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert!(text(&out.stdout).contains(&saved[0].display().to_string()));
    assert_eq!(
        std::fs::metadata(&saved[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // And that saved file brings the replaced data back.
    let out = between(
        &restored,
        &["restore", "--replace", saved[0].to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(exported_checkins(&restored, email), in_backup + 1);
}

#[test]
fn restore_refuses_what_is_not_a_backup_and_names_no_content() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "PRIVATE diary text\n").unwrap();
    let out = between(
        &dir.path().join("data"),
        &["restore", file.to_str().unwrap()],
        None,
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("not a Between backup"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(!err.contains("PRIVATE"), "{err}");
}

/// A fresh database on the test PostgreSQL server (see `store::testing`).
fn postgres_test_database() -> Option<String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(store::testing::postgres_test_database())
}

/// The documented move: SQLite → backup → PostgreSQL, and back to a new SQLite folder.
#[test]
fn an_installation_moves_to_postgres_and_back() {
    let Some(pg) = postgres_test_database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let email = "lu@example.org";
    assert!(
        between(
            &data,
            &["user", "add", email],
            Some("a long enough password\n")
        )
        .status
        .success()
    );
    let token = text(&between(&data, &["token", "create", email], None).stdout)
        .trim()
        .to_string();
    let server = serve(&data);
    for i in 0..3 {
        let body = format!(
            r#"{{"client_id":"00000000-0000-4000-8000-{i:012}","mood":{i},"missed_usual_activities":true,"note":"PRIVATE {i}"}}"#
        );
        assert_eq!(post_checkin(&server.addr, &token, &body).0, 201);
    }
    drop(server);
    let moved = dir.path().join("move.jsonl");
    assert!(
        between(&data, &["backup", moved.to_str().unwrap()], None)
            .status
            .success()
    );

    // The master key moves with the data (docs/privacy.md): the move names it.
    let pg_data = dir.path().join("pg-data");
    let key = data.join("master.key");
    let key = key.to_str().unwrap();
    let on_pg = |args: &[&str]| {
        let mut all = vec!["--database-url", pg.as_str(), "--master-key-file", key];
        all.extend_from_slice(args);
        between(&pg_data, &all, None)
    };
    let out = on_pg(&["restore", moved.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("into the postgres database"));
    assert!(!text(&out.stdout).contains("PRIVATE"));
    let exported = on_pg(&["export", "--user", email]);
    let export: serde_json::Value = serde_json::from_slice(&exported.stdout).unwrap();
    assert_eq!(export["data"]["checkins"].as_array().unwrap().len(), 3);

    // --replace on PostgreSQL keeps the replaced data in the data folder.
    let out = on_pg(&["restore", "--replace", moved.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let saved: Vec<_> = std::fs::read_dir(&pg_data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("between-before-restore-"))
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(
        std::fs::metadata(&saved[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // And back into a new SQLite folder, from a backup PostgreSQL wrote.
    let back = dir.path().join("back.jsonl");
    assert!(on_pg(&["backup", back.to_str().unwrap()]).status.success());
    let again = dir.path().join("again");
    std::fs::create_dir_all(&again).unwrap();
    std::fs::copy(key, again.join("master.key")).unwrap();
    let out = between(&again, &["restore", back.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(exported_checkins(&again, email), 3);
    let out = between(&again, &["export", "--user", email], None);
    let export: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(export["data"]["checkins"][2]["mood"], 2);
    assert_eq!(
        export["data"]["checkins"][2]["missed_usual_activities"],
        true
    );
}
