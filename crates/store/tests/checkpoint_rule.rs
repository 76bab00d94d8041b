//! SQLite checkpoints its write-ahead log from a commit only when the committing statement
//! runs to its end. An autocommitted `INSERT … RETURNING` read with `fetch_one` or
//! `fetch_optional` stops at its first row and commits on reset, so it never checkpoints: a
//! backend whose writes all looked like that grew its WAL without bound. Writes that return
//! rows use `fetch_all` (see `rows::first_row`); inside a transaction, `COMMIT` runs to its
//! end and the rule does not apply. This test holds every statement in the store to it; the
//! behaviour itself is tested in `crates/app/tests/wal.rs`.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            sources(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path)?));
        }
    }
    Ok(())
}

/// The statements of a file that write and stop at their first row, outside a transaction.
fn early_stopping_writes(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for statement in text.split("sqlx::query").skip(1) {
        let Some(end) = statement.find(".await") else {
            continue;
        };
        let statement = &statement[..end];
        let writes = ["INSERT ", "UPDATE ", "DELETE "]
            .iter()
            .any(|w| statement.contains(w));
        // Anything but an open transaction may autocommit: the writer pool, or the
        // connection a shared macro such as `insert_or_existing!` was handed.
        let stops_early = [".fetch_one(", ".fetch_optional("].iter().any(|fetch| {
            statement
                .split(fetch)
                .skip(1)
                .any(|arg| !arg.starts_with("&mut *tx") && !arg.starts_with("&mut **tx"))
        });
        if writes && stops_early {
            found.push(statement.lines().take(3).collect::<Vec<_>>().join(" "));
        }
    }
    found
}

#[test]
fn autocommitted_writes_run_to_their_end() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    )
    .unwrap();
    assert!(files.len() > 5, "the store's sources were not found");
    // The shared insert of every create keyed by a client id must be among them.
    assert!(
        files
            .iter()
            .any(|(_, text)| text.contains("macro_rules! insert_or_existing")),
        "insert_or_existing! was not found among the store's sources"
    );
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|(path, text)| {
            early_stopping_writes(text)
                .into_iter()
                .map(move |s| format!("{path}: {s}"))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "writes read with fetch_one/fetch_optional on the writer never checkpoint the WAL; \
         use fetch_all with rows::first_row / rows::only_row:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_rule_sees_an_early_stopping_write() {
    let bad = r#"let x = sqlx::query_as::<_, (i64,)>("INSERT INTO t (a) VALUES ($1) RETURNING id")
        .bind(1)
        .fetch_one(self.writer())
        .await?;"#;
    assert_eq!(early_stopping_writes(bad).len(), 1);
    let good = r#"let x = sqlx::query_as::<_, (i64,)>("INSERT INTO t (a) VALUES ($1) RETURNING id")
        .bind(1)
        .fetch_all(self.writer())
        .await
        .and_then(rows::only_row)?;"#;
    assert!(early_stopping_writes(good).is_empty());
    let handed = r#"let $query = sqlx::query_as(concat!("INSERT INTO ", $table));
        let inserted = $bind.fetch_optional($conn).await?;"#;
    assert_eq!(early_stopping_writes(handed).len(), 1);
    let in_transaction = r#"sqlx::query_as("INSERT INTO t (a) VALUES ($1) RETURNING id")
        .fetch_optional(&mut *tx)
        .await?;"#;
    assert!(early_stopping_writes(in_transaction).is_empty());
    let read = r#"sqlx::query_as("SELECT id FROM t").fetch_one(self.writer()).await?"#;
    assert!(early_stopping_writes(read).is_empty());
}
