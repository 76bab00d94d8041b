//! Runs every scenario file in `tests/scenarios/` through the same path `between assess`
//! uses: `History::from_json`, then `guidance::assess` at the file's `"at"`.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use domain::guidance::{self, Level};
use domain::history::History;
use serde::Deserialize;

#[derive(Deserialize)]
struct Expect {
    level: Level,
    reasons: Vec<String>,
}

#[derive(Deserialize)]
struct ScenarioMeta {
    at: DateTime<Utc>,
    expect: Expect,
}

fn scenario_files() -> std::io::Result<Vec<PathBuf>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[test]
fn every_scenario_gives_its_expected_guidance() {
    let files = scenario_files().unwrap();
    assert!(files.len() >= 11, "expected at least 11 scenarios");
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let history = History::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let meta: ScenarioMeta =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let g = guidance::assess(&history, meta.at);
        let codes: Vec<String> = g.codes().iter().map(|c| (*c).to_owned()).collect();
        println!("{name}: {} {:?}", g.level, codes);
        for s in g.sentences() {
            println!("    {s}");
        }
        if g.level != meta.expect.level || codes != meta.expect.reasons {
            failures.push(format!(
                "{name}: expected {} {:?}, got {} {:?}\n{}",
                meta.expect.level,
                meta.expect.reasons,
                g.level,
                codes,
                serde_json::to_string(&g).unwrap()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_required_situations_are_covered() {
    let names: Vec<String> = scenario_files()
        .unwrap()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for required in [
        "steady",
        "post_session_dip",
        "persisting_after_session",
        "escalating",
        "coping_not_working",
        "cant_function",
        "self_harm_urgent",
        "phq9_item9",
        "reliable_deterioration",
        "backsliding",
        "too_little_data",
    ] {
        assert!(
            names.iter().any(|n| n == required),
            "missing scenario {required}"
        );
    }
}

#[test]
fn scenario_histories_round_trip_through_export() {
    for path in scenario_files().unwrap() {
        let text = std::fs::read_to_string(&path).unwrap();
        let history = History::from_json(&text).unwrap();
        let exported = history.to_json_pretty().unwrap();
        assert_eq!(History::from_json(&exported).unwrap(), history);
    }
}
