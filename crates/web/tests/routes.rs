//! Every state-changing HTML route checks its form token before its handler runs.
//!
//! axum keeps no route list to walk, so this walks the source: outside `src/api/` (the JSON
//! API, which takes bearer tokens and is guarded against cross-site requests instead),
//! a route may change state only through `checked_post`, whose handler must take a
//! form-token extractor as its last argument (a trait bound checked when it compiles). Any
//! plain `post(`, `put(`, `patch(`, `delete(`, `any(` or `MethodFilter` fails this test.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The unchecked routing calls on one line of source.
fn unchecked_routes(line: &str) -> Vec<&'static str> {
    let code = line.split("//").next().unwrap_or_default();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut found = Vec::new();
    for name in ["post(", "put(", "patch(", "delete(", "any("] {
        for (at, _) in code.match_indices(name) {
            // A handler may be named `delete`; defining it is not routing it.
            if code[..at].ends_with("fn ") {
                continue;
            }
            let before = code[..at].chars().next_back();
            let plain = match before {
                None => true,
                // `.any(` is an iterator; `.post(` is a method router's.
                Some('.') => name != "any(",
                Some(c) => !word(c),
            };
            if plain {
                found.push(name);
            }
        }
    }
    if code.contains("MethodFilter") {
        found.push("MethodFilter");
    }
    found
}

/// The routes that use a given file, found by the scanner; the API's own router is left out.
fn unchecked_in(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut problems = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // The API is JSON with bearer tokens; form.rs defines `checked_post` itself.
        if rel.starts_with("api/") || rel == "form.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for call in unchecked_routes(line) {
                problems.push(format!("src/{rel}:{}: {call} {}", n + 1, line.trim()));
            }
        }
    }
    problems
}

#[test]
fn every_html_route_that_changes_state_checks_its_form_token() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = unchecked_in(&src);
    assert!(
        problems.is_empty(),
        "state-changing HTML routes must use checked_post (with CheckedForm, ReshownForm or \
         SignedOutForm as the handler's last argument):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scanner_finds_a_plain_post() {
    assert_eq!(
        unchecked_routes(r#"        .route("/x", post(pages::x::save))"#),
        ["post("]
    );
    assert_eq!(
        unchecked_routes(r#"        .route("/x", get(pages::x::show).post(pages::x::save))"#),
        ["post("]
    );
    assert_eq!(
        unchecked_routes(r#"        .route("/x", axum::routing::delete(h))"#),
        ["delete("]
    );
    assert!(unchecked_routes(r#"        .route("/x", checked_post(pages::x::save))"#).is_empty());
    assert!(
        unchecked_routes(r#"        .route("/x", get(a).checked_post(pages::x::save))"#).is_empty()
    );
    assert!(unchecked_routes("    items.iter().any(|i| i.done)").is_empty());
    assert!(unchecked_routes("    state.app.delete_agenda_item(&me.actor, id)").is_empty());
    assert!(unchecked_routes("pub async fn delete(").is_empty());
}
