use super::*;

/// Failure counters: counted per key, forgotten after the window, cleared by a success, and
/// shared by every store opened on the same database (as instances on one PostgreSQL are).
pub(crate) async fn story(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let day = Duration::hours(24);
    let (pair, addr, other) = (
        "pair-key".to_string(),
        "addr-key".to_string(),
        "x".to_string(),
    );
    assert_eq!(a.sign_in_failures(&pair, t0 - day).await.unwrap(), None);
    for i in 0..3 {
        let at = t0 + Duration::seconds(i);
        a.record_sign_in_failure(&[pair.clone(), addr.clone()], at, at - day)
            .await
            .unwrap();
    }
    // The other instance sees the same counts and adds to them.
    let seen = b.sign_in_failures(&pair, t0 - day).await.unwrap().unwrap();
    assert_eq!(seen.failures, 3);
    assert_eq!(seen.last_at, t0 + Duration::seconds(2));
    let at = t0 + Duration::seconds(10);
    b.record_sign_in_failure(std::slice::from_ref(&addr), at, at - day)
        .await
        .unwrap();
    assert_eq!(
        a.sign_in_failures(&addr, t0)
            .await
            .unwrap()
            .unwrap()
            .failures,
        4
    );
    assert_eq!(
        a.sign_in_failures(&pair, t0)
            .await
            .unwrap()
            .unwrap()
            .failures,
        3
    );
    // A late write never moves the last failure backwards.
    a.record_sign_in_failure(std::slice::from_ref(&addr), t0, t0 - day)
        .await
        .unwrap();
    let late = a.sign_in_failures(&addr, t0).await.unwrap().unwrap();
    assert_eq!((late.failures, late.last_at), (5, at));

    // A success clears one key and leaves the others.
    a.clear_sign_in_failures(&pair).await.unwrap();
    assert_eq!(b.sign_in_failures(&pair, t0 - day).await.unwrap(), None);
    assert_eq!(
        b.sign_in_failures(&addr, t0 - day)
            .await
            .unwrap()
            .map(|c| c.failures),
        Some(5)
    );

    // A day later the old count is forgotten: reads ignore it, the next failure starts again
    // at one, and stale rows of other keys are deleted on the way.
    let later = at + day + Duration::seconds(1);
    assert_eq!(a.sign_in_failures(&addr, later - day).await.unwrap(), None);
    b.record_sign_in_failure(&[pair.clone(), addr.clone()], t0, t0 - day)
        .await
        .unwrap();
    a.record_sign_in_failure(std::slice::from_ref(&other), later, later - day)
        .await
        .unwrap();
    assert_eq!(a.sign_in_failures(&pair, t0 - day).await.unwrap(), None);
    a.record_sign_in_failure(std::slice::from_ref(&addr), later, later - day)
        .await
        .unwrap();
    let fresh = a
        .sign_in_failures(&addr, later - day)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((fresh.failures, fresh.last_at), (1, later));
    assert_eq!(
        a.sign_in_failures(&addr, t0 - day)
            .await
            .unwrap()
            .map(|c| c.failures),
        Some(1)
    );
}

#[tokio::test]
async fn sqlite_sign_in_limits_are_shared_by_stores_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_in(dir.path());
    let a = store::testing::open(&url).await.unwrap();
    let b = store::testing::open(&url).await.unwrap();
    story(a, b).await;
}

#[tokio::test]
async fn postgres_sign_in_limits_are_shared_by_stores_on_one_database() {
    let Some(url) = store::testing::postgres_test_database().await else {
        return;
    };
    let url = DatabaseUrl::parse(&url).unwrap();
    let a = store::testing::open(&url).await.unwrap();
    let b = store::testing::open(&url).await.unwrap();
    story(a, b).await;
}
