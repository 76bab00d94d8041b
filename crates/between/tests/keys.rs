//! The master key through the real binary: made private at first start, required to start
//! again, and replaced by `between key rotate`.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::os::unix::fs::PermissionsExt;

use support::*;

/// How many of the account's check-ins, read back through a server on `data`, say `note`.
fn note_count(data: &std::path::Path, token: &str, note: &str) -> usize {
    let server = serve(data);
    let (status, response) = http(
        &server.addr,
        &api_request(&server.addr, "GET", "/api/v1/checkins", token, None),
    );
    assert_eq!(status, 200, "{response}");
    response.matches(note).count()
}

#[test]
fn the_master_key_is_private_required_and_rotatable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let email = "ira@example.org";
    let token = account_with_token(&data, email);
    let key = data.join("master.key");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");

    let server = serve(&data);
    let body =
        r#"{"client_id":"00000000-0000-4000-8000-0000000000a1","mood":3,"note":"SEALED-WORDS"}"#;
    assert_eq!(post_checkin(&server.addr, &token, body).0, 201);
    drop(server);
    assert_eq!(note_count(&data, &token, "SEALED-WORDS"), 1);

    // Without its key the database is not opened, and no new key is made in its place.
    let elsewhere = dir.path().join("elsewhere.key");
    let out = between(
        &data,
        &["--master-key-file", elsewhere.to_str().unwrap(), "migrate"],
        None,
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("there is no master key file"), "{err}");
    assert!(!elsewhere.exists());

    // Rotation: a new key file, the old one kept beside it, and the data still readable.
    let before = std::fs::read(&key).unwrap();
    let out = between(&data, &["key", "rotate"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("re-wrapped 1 account key"));
    assert_ne!(std::fs::read(&key).unwrap(), before);
    let old = data.join("master.key.old");
    assert_eq!(std::fs::read(&old).unwrap(), before);
    assert_eq!(note_count(&data, &token, "SEALED-WORDS"), 1);

    // The old key no longer opens it.
    let out = between(
        &data,
        &["--master-key-file", old.to_str().unwrap(), "migrate"],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("is not the one this database"));
}
