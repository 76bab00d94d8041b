//! Migration 0009 adds what guidance and "what works for me" keep beside the history. Tool
//! totals start from the uses already stored, and guidance, which has no summary yet, is
//! rebuilt from the history on first use, on both backends.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, Utc};
use domain::coping::ToolId;
use domain::guidance::Level;

const OLD_ACCOUNT: &str = "INSERT INTO accounts (email, password_hash, role, timezone, created_ms) \
     VALUES ('old@example.org', 'x', 'client', 'UTC', 0)";

// Three uses of one tool (two rated: relief 4 and -1) and one of another, unrated.
const OLD_USES: &str = "INSERT INTO coping_uses (account_id, client_id, tool, started_ms, \
     distress_before, distress_after, created_ms) VALUES \
     (1, 'a1f0c1de-6a0e-4d7a-9a39-0f3a3b2c1d01', 'box-breathing', 1767261600000, 7, 3, 0), \
     (1, 'a1f0c1de-6a0e-4d7a-9a39-0f3a3b2c1d02', 'box-breathing', 1767866400000, 4, 5, 0), \
     (1, 'a1f0c1de-6a0e-4d7a-9a39-0f3a3b2c1d03', 'box-breathing', 1767000000000, NULL, NULL, 0), \
     (1, 'a1f0c1de-6a0e-4d7a-9a39-0f3a3b2c1d04', 'body-scan', 1768471200000, 6, NULL, 0)";

async fn check_after_upgrade(store: std::sync::Arc<dyn store::Store>) {
    let account = store
        .account_for_sign_in(&domain::account::Email::parse("old@example.org").unwrap())
        .await
        .unwrap()
        .unwrap()
        .0;
    let mut totals = store.coping_totals(account.id).await.unwrap();
    totals.sort_by_key(|t| t.tool.code());
    let seen: Vec<_> = totals
        .iter()
        .map(|t| {
            (
                t.tool,
                t.uses,
                t.rated_uses,
                t.total_relief,
                t.last_used.map(|at| at.timestamp_millis()),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (ToolId::BodyScan, 1, 0, 0, Some(1768471200000)),
            (ToolId::BoxBreathing, 3, 2, 3, Some(1767866400000)),
        ]
    );
    // Check-ins stored before count for guidance at once: its summary is built from them.
    let guidance = store
        .current_guidance(account.id, Utc::now())
        .await
        .unwrap();
    assert_eq!(guidance.level, Level::ReachOut, "{guidance:?}");
    assert_eq!(guidance.codes(), vec!["persisting"]);
    let recorded = store.guidance_history(account.id, None).await.unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].level, Level::ReachOut);
}

/// A steady month, then the last four days low, as stored before the summary existed.
fn old_checkins() -> String {
    let now = Utc::now();
    let rows: Vec<String> = (0..40)
        .rev()
        .map(|day| {
            let mood = if day < 4 { 3 } else { 6 + day % 3 };
            format!(
                "(1, '{}', {}, {mood}, 0)",
                uuid::Uuid::new_v4(),
                (now - Duration::days(day) - Duration::hours(1)).timestamp_millis()
            )
        })
        .collect();
    format!(
        "INSERT INTO checkins (account_id, client_id, at_ms, mood, created_ms) VALUES {}",
        rows.join(", ")
    )
}

async fn upgrade(backend: &str) {
    let Some((url, _dir)) =
        store::testing::database_before(backend, 9, &[OLD_ACCOUNT, OLD_USES, &old_checkins()])
            .await
    else {
        return;
    };
    check_after_upgrade(store::testing::open(&url).await.unwrap()).await;
}

#[tokio::test]
async fn sqlite_tool_totals_start_from_the_uses_stored() {
    upgrade("sqlite").await;
}

#[tokio::test]
async fn postgres_tool_totals_start_from_the_uses_stored() {
    upgrade("postgres").await;
}
