//! Backups: every kind of data, seeded through the Store, goes SQLite → SQLite, SQLite →
//! PostgreSQL and PostgreSQL → SQLite and reads back the same; a restore is all or nothing;
//! it never lands on top of existing accounts; older backups are upgraded, newer refused.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use std::sync::Arc;
use store::vault::startup::INSTALLATION_TABLES;

use chrono::{Duration, DurationRound, Utc};
use domain::account::{AccountId, Email, Role, TherapistContact};
use domain::rating::Rating;
use store::backup::NOT_BACKED_UP;
use store::{
    BackupSummary, DatabaseUrl, GuidanceChange, JournalQuery, NewAccount, Profile, RestoreMode,
    Store, StoreError,
};
use uuid::Uuid;

fn new_account(email: &str, role: Role) -> NewAccount {
    NewAccount {
        email: Email::parse(email).unwrap(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role,
        country: Some(domain::crisis::Country::Ie),
        timezone: domain::history::TimeZone::parse("Europe/Dublin").unwrap(),
        usual_mood: Some(Rating::new(6).unwrap()),
        therapist: TherapistContact {
            name: Some("Dr Ada Okafor".into()),
            phone: Some("+353 1 555 0100".into()),
            email: Some(Email::parse("ada@clinic.example").unwrap()),
        },
    }
}

/// Writes every kind of data Between keeps, for two clients and a therapist, through the
/// Store's own methods. Returns the accounts and their session token hashes.
/// `url` is the store's database, for the one kind of row no store method writes here (an
/// audit row, which a therapist's read appends).
async fn seed(store: &Arc<dyn Store>, url: &DatabaseUrl) -> Vec<(AccountId, String)> {
    use domain::checkin::CheckInInput;
    use domain::coping::{CopingUseInput, ListKind};
    use domain::feedback::FeedbackInput;
    use domain::homework::{HomeworkInput, HomeworkLogInput};
    use domain::journal::JournalInput;
    use domain::plans::PlanKind;
    use domain::questionnaire::QuestionnaireInput;
    use domain::therapy::{AgendaSource, ReflectionInput};

    // Whole seconds, a few days back: inside every input rule, and exact in milliseconds.
    let now = Utc::now().duration_trunc(Duration::seconds(1)).unwrap();
    let t0 = now - Duration::days(6);
    let mut out = Vec::new();
    let therapist = store
        .create_account(&new_account("ada@clinic.example", Role::Therapist))
        .await
        .unwrap();
    for (n, email) in ["sam@example.org", "kim@example.org"]
        .into_iter()
        .enumerate()
    {
        let me = store
            .create_account(&new_account(email, Role::Client))
            .await
            .unwrap();
        let id = me.id;
        store
            .update_profile(
                id,
                &Profile {
                    country: Some(domain::crisis::Country::Gb),
                    timezone: domain::history::TimeZone::parse("Europe/London").unwrap(),
                    usual_mood: Some(Rating::new(7).unwrap()),
                    always_ask_safety: n == 0,
                    therapist: TherapistContact {
                        name: Some("Dr Ada Okafor — עדה".into()),
                        phone: None,
                        email: None,
                    },
                },
            )
            .await
            .unwrap();
        let session = format!("session-hash-{n}");
        store
            .create_session(id, &session, &format!("csrf-{n}"), now + Duration::days(30))
            .await
            .unwrap();
        store.set_plan_offline(id, &session, true).await.unwrap();
        store
            .create_api_token(id, &format!("token-hash-{n}"), "my phone")
            .await
            .unwrap();

        for (d, mood) in [6, 3, 2, 4].into_iter().enumerate() {
            let c = CheckInInput {
                client_id: Some(Uuid::new_v4()),
                at: Some(t0 + Duration::days(d as i64) + Duration::hours(20)),
                mood: Some(mood),
                anxiety: Some(5),
                energy: if d == 0 { None } else { Some(4) },
                body: Some(vec!["fatigue".into(), "tension".into()]),
                usual_activities: Some("partly".into()),
                missed_usual_activities: Some(d == 2),
                harder_today: Some(vec!["getting up".into()]),
                sleep_hours: Some(6.5 + d as f64 * 0.25),
                substances: if d == 1 {
                    Some("two glasses of wine".into())
                } else {
                    None
                },
                // One "rather not say", so the backup carries that answer too.
                self_harm_thoughts: Some(if d == 2 {
                    domain::checkin::SafetyAnswer::RatherNotSay
                } else {
                    domain::checkin::SafetyAnswer::No
                }),
                note: Some(format!("heavy day {d} — שלום — 🌧️ \"quoted\"\nsecond line")),
            }
            .validate(now)
            .unwrap();
            store.insert_checkin(id, &c).await.unwrap();
        }

        let sessions = store
            .add_therapy_sessions(
                id,
                &store::NewSessions {
                    client_id: Uuid::new_v4(),
                    at: &[t0, t0 + Duration::days(7)],
                    note: Some("weekly"),
                    series: Some(Uuid::new_v4()),
                    repeat: domain::therapy::Repeat::Weekly,
                },
            )
            .await
            .unwrap()
            .sessions;
        let r = ReflectionInput {
            client_id: Some(Uuid::new_v4()),
            session_feeling: Some(4),
            came_up: Some(vec!["ran_out_of_time".into()]),
            feedback: Some("the homework felt rushed".into()),
            topics: Some("my sister\nsleep".into()),
        }
        .validate()
        .unwrap();
        store
            .insert_reflection(id, Some(sessions[0].id), t0 + Duration::hours(2), &r)
            .await
            .unwrap();
        let topic = store
            .insert_agenda_item(id, uuid::Uuid::new_v4(), "the dream", AgendaSource::Manual)
            .await
            .unwrap()
            .0;
        store
            .set_agenda_discussed(id, topic.id, Some(t0 + Duration::days(1)))
            .await
            .unwrap();
        store
            .insert_agenda_item(id, Uuid::new_v4(), "work", AgendaSource::Manual)
            .await
            .unwrap();
        store
            .record_guidance(
                id,
                &GuidanceChange {
                    at: t0 + Duration::days(3),
                    level: domain::guidance::Level::ReachOut,
                    reasons: serde_json::json!([{"code": "persisting", "days": 3}]),
                },
            )
            .await
            .unwrap();

        for (tool, note) in [
            ("box-breathing", Some("calmer 🌿")),
            ("park-it", Some("the argument")),
        ] {
            let u = CopingUseInput {
                client_id: Some(Uuid::new_v4()),
                tool: Some(tool.into()),
                started_at: Some(t0 + Duration::days(2)),
                distress_before: Some(7),
                distress_after: Some(4),
                note: note.map(str::to_string),
            }
            .validate(now)
            .unwrap();
            store.insert_coping_use(id, &u).await.unwrap();
        }
        store
            .add_list_item(id, ListKind::SelfCare, "a hot bath")
            .await
            .unwrap();
        store
            .add_list_item(id, ListKind::Distraction, "the dishes")
            .await
            .unwrap();
        // Bedtime routine.
        store
            .save_bedtime_routine(
                id,
                &domain::bedtime::NewRoutine {
                    items: vec!["Dim the lights".into(), "A warm drink".into()],
                    target_time: chrono::NaiveTime::from_hms_opt(22, 30, 0).unwrap(),
                },
            )
            .await
            .unwrap();
        // Two-step sign-in: a confirmed key (sealed) and its recovery codes; a sign-in
        // waiting for its code is left out of backups.
        assert!(
            store
                .begin_second_factor(id, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", now)
                .await
                .unwrap()
        );
        let hashes: Vec<String> = (0..10).map(|i| format!("{n}-recovery-hash-{i}")).collect();
        assert!(
            store
                .confirm_second_factor(id, 56_666_666, &hashes, now)
                .await
                .unwrap()
        );
        store
            .begin_pending_sign_in(
                id,
                &format!("pending-{n}"),
                "",
                now,
                now + Duration::minutes(5),
            )
            .await
            .unwrap();

        for (instrument, answers) in [
            ("phq9", vec![2, 2, 1, 1, 2, 1, 1, 0, 0]),
            ("gad7", vec![1, 2, 1, 0, 1, 2, 1]),
        ] {
            let q = QuestionnaireInput {
                client_id: Some(Uuid::new_v4()),
                instrument: Some(instrument.into()),
                answers: Some(answers.into_iter().map(Some).collect()),
                difficulty: Some("somewhat_difficult".into()),
                at: Some(t0 + Duration::days(1)),
            }
            .validate(now)
            .unwrap();
            store.insert_questionnaire(id, &q).await.unwrap();
        }

        store
            .save_plan_version(
                id,
                PlanKind::Safety,
                r#"{"warning_signs":["not sleeping"]}"#,
                id,
                t0,
            )
            .await
            .unwrap();
        store
            .save_plan_version(
                id,
                PlanKind::Safety,
                r#"{"warning_signs":["not sleeping","skipping meals"]}"#,
                therapist.id,
                t0 + Duration::days(1),
            )
            .await
            .unwrap();
        store
            .save_plan_version(
                id,
                PlanKind::Backsliding,
                r#"{"goal":"walk daily"}"#,
                id,
                t0,
            )
            .await
            .unwrap();

        for (text, bring, parked) in [
            ("My sister's visit\nIt went badly.", true, false),
            ("A dream I had", false, true),
            ("Ordinary day", false, false),
        ] {
            let e = JournalInput {
                client_id: Some(Uuid::new_v4()),
                at: Some(t0 + Duration::days(2)),
                text: Some(text.into()),
                bring_to_session: Some(bring),
                parked: Some(parked),
            }
            .validate(now)
            .unwrap();
            store.insert_journal_entry(id, &e).await.unwrap();
        }

        let due = (t0 + Duration::days(5)).format("%Y-%m-%d").to_string();
        let hw = HomeworkInput {
            client_id: Some(Uuid::new_v4()),
            text: Some("write the letter, don't send it".into()),
            due_on: Some(due),
            frequency: Some("once".into()),
        }
        .validate(now.date_naive())
        .unwrap();
        let (h, _) = store.insert_homework(id, &hw).await.unwrap();
        let log = HomeworkLogInput {
            client_id: Some(Uuid::new_v4()),
            at: Some(t0 + Duration::days(3)),
            note: Some("hard, but done".into()),
        }
        .validate(now)
        .unwrap();
        store.log_homework(id, h.id, &log).await.unwrap();

        let f = FeedbackInput {
            client_id: Some(Uuid::new_v4()),
            session_id: Some(sessions[0].id),
            kind: Some("did_not_sit_well".into()),
            text: Some("the chair work felt too fast".into()),
        }
        .validate()
        .unwrap();
        store.insert_feedback(id, &f).await.unwrap();

        // A thought record brought to the session, with its use of the tool.
        let r = domain::thought_record::ThoughtRecordInput {
            client_id: Some(Uuid::new_v4()),
            thought: Some("I ruin everything".into()),
            feelings: Some(vec![domain::thought_record::FeelingInput {
                name: Some("Guilty".into()),
                before: Some(70),
                after: Some(35),
            }]),
            traps: Some(vec!["labelling".into()]),
            bring_to_session: Some(true),
            ..Default::default()
        }
        .validate()
        .unwrap();
        store.insert_thought_record(id, &r).await.unwrap();

        // Sharing with the therapist: a grant from a redeemed invite, one invite waiting,
        // and the therapist's read of the check-ins in the audit log.
        for (k, code) in ["K7QM4XZP2D", "1234567890"].into_iter().enumerate() {
            let code = format!("{code}{n}");
            let code = domain::invite::InviteCode::parse(&code[1..]).unwrap();
            store
                .create_invite(
                    id,
                    &store::NewInvite {
                        code_hash: code.hash(),
                        scopes: domain::sharing::Scopes::all(),
                        display_name: format!("Client {n}"),
                        alerts: k == 0,
                        created_at: t0,
                        expires_at: domain::invite::expires_at(t0),
                    },
                )
                .await
                .unwrap();
            if k == 0 {
                let joined = store
                    .redeem_invite(therapist.id, &code.hash(), t0 + Duration::hours(1))
                    .await
                    .unwrap()
                    .unwrap();
                raw(
                    url,
                    &format!(
                        "INSERT INTO audit_log (client_id, therapist_id, therapist_name, \
                         grant_id, at_ms, kind, what, endpoint) VALUES ({}, {}, 'Dr Ada', {}, \
                         {}, 'read', 'checkins', '/api/v1/therapist/clients/{}/checkins')",
                        id.0,
                        therapist.id.0,
                        joined.grant.0,
                        (t0 + Duration::hours(2)).timestamp_millis(),
                        joined.grant.0
                    ),
                )
                .await;
            }
        }
        out.push((id, session));
    }
    out.push((therapist.id, String::new()));
    out
}

/// Runs one statement on the database behind a store.
async fn raw(url: &DatabaseUrl, sql: &str) {
    use sqlx::Connection;
    match url {
        DatabaseUrl::Sqlite(u) => {
            let mut c = sqlx::SqliteConnection::connect(u).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
        DatabaseUrl::Postgres(u) => {
            let mut c = sqlx::PgConnection::connect(u).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
    }
}

/// Everything the Store can read about one account, as text to compare.
async fn account_view(store: &Arc<dyn Store>, id: AccountId, session: &str) -> String {
    use domain::coping::ListKind;
    use domain::plans::PlanKind;
    let epoch = chrono::DateTime::<Utc>::UNIX_EPOCH;
    let journal = store
        .journal_page(
            id,
            &JournalQuery {
                limit: 1000,
                ..JournalQuery::default()
            },
        )
        .await
        .unwrap();
    let mut v = format!("{:#?}\n", store.account(id).await.unwrap());
    v += &format!("{:#?}\n", store.session(session, Utc::now()).await.unwrap());
    v += &format!("{:#?}\n", store.plan_offline(id, session).await.unwrap());
    v += &format!(
        "{:#?}\n",
        store
            .account_for_api_token(&format!(
                "token-hash-{}",
                session.trim_start_matches("session-hash-")
            ))
            .await
            .unwrap()
            .map(|a| a.id)
    );
    v += &format!("{:#?}\n", store.checkins(id, None, None).await.unwrap());
    // Sharing with a therapist.
    v += &format!("{:#?}\n", store.client_grants(id).await.unwrap());
    v += &format!("{:#?}\n", store.pending_invites(id, epoch).await.unwrap());
    v += &format!("{:#?}\n", store.audit_log(id, 0, 100).await.unwrap());
    v += &format!(
        "{:#?}\n",
        store.account(id).await.unwrap().map(|a| a.display_name)
    );
    v += &format!(
        "{:#?}\n",
        store.therapy_sessions(id, None, None).await.unwrap()
    );
    v += &format!("{:#?}\n", store.reflections_since(id, epoch).await.unwrap());
    v += &format!("{:#?}\n", store.agenda(id, true).await.unwrap());
    v += &format!("{:#?}\n", store.guidance_history(id, None).await.unwrap());
    v += &format!("{:#?}\n", store.coping_uses(id, None, None).await.unwrap());
    v += &format!(
        "{:#?}\n",
        store.coping_list(id, ListKind::SelfCare).await.unwrap()
    );
    v += &format!(
        "{:#?}\n",
        store.coping_list(id, ListKind::Distraction).await.unwrap()
    );
    v += &format!(
        "{:#?}\n",
        store.questionnaires(id, None, None).await.unwrap()
    );
    v += &format!(
        "{:#?}\n",
        store.plan_versions(id, PlanKind::Safety).await.unwrap()
    );
    v += &format!(
        "{:#?}\n",
        store
            .plan_versions(id, PlanKind::Backsliding)
            .await
            .unwrap()
    );
    v += &format!("{journal:#?}\n");
    v += &format!("{:#?}\n", store.homework_list(id, true).await.unwrap());
    v += &format!(
        "{:#?}\n",
        store.homework_logs(id, None, None).await.unwrap()
    );
    v += &format!(
        "{:#?}\n",
        store.feedback_notes(id, None, None).await.unwrap()
    );
    v += &format!(
        "{:#?}\n",
        store.reflection_feedback(id, None, None).await.unwrap()
    );
    v += &format!(
        "{:#?}\n",
        store
            .thought_record_page(
                id,
                &store::RecordQuery {
                    limit: 1000,
                    ..store::RecordQuery::default()
                },
            )
            .await
            .unwrap()
    );
    v
}

async fn backup(store: &Arc<dyn Store>) -> (BackupSummary, Vec<u8>) {
    let mut out = Vec::new();
    let summary = store.backup(&mut out).await.unwrap();
    (summary, out)
}

async fn restore(
    store: &Arc<dyn Store>,
    file: &[u8],
    mode: RestoreMode,
) -> Result<BackupSummary, StoreError> {
    let mut input: &[u8] = file;
    store.restore(&mut input, mode).await
}

/// A backup's rows, table by table, each row keyed by column name (a column added by a
/// migration sits at the end in PostgreSQL, in place in a rebuilt SQLite table), with
/// booleans as 0/1 so that SQLite's and PostgreSQL's backups of the same data compare equal.
fn rows_of(file: &[u8]) -> BTreeMap<String, Vec<BTreeMap<String, serde_json::Value>>> {
    let mut tables = BTreeMap::new();
    let mut current = String::new();
    let mut columns: Vec<String> = Vec::new();
    for line in std::str::from_utf8(file).unwrap().lines().skip(1) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(t) = v.get("table") {
            current = t.as_str().unwrap().to_string();
            columns = v["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect();
            tables.insert(current.clone(), Vec::new());
        } else if let serde_json::Value::Array(values) = v {
            let row = columns
                .iter()
                .cloned()
                .zip(values.into_iter().map(|x| match x {
                    serde_json::Value::Bool(b) => serde_json::Value::from(i64::from(b)),
                    other => other,
                }))
                .collect();
            tables.get_mut(&current).unwrap().push(row);
        }
    }
    tables
}

async fn assert_same_data(
    a: &Arc<dyn Store>,
    b: &Arc<dyn Store>,
    accounts: &[(AccountId, String)],
    what: &str,
) {
    for (id, session) in accounts {
        assert_eq!(
            account_view(a, *id, session).await,
            account_view(b, *id, session).await,
            "{what}: account {id:?} reads differently"
        );
    }
    assert_eq!(
        rows_of(&backup(a).await.1),
        rows_of(&backup(b).await.1),
        "{what}: the tables differ"
    );
}

/// Opens a database with the master key every database of this test shares: a backup holds
/// account keys wrapped by the master key it was taken under, so a restore is readable only
/// where that key is in use (docs/privacy.md), as between installations.
async fn open_shared(url: &DatabaseUrl) -> Result<Arc<dyn Store>, StoreError> {
    static KEYS: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = KEYS.get_or_init(|| tempfile::tempdir().unwrap());
    store::open(url, &store::KeyFile::in_folder(dir.path())).await
}

async fn fresh_sqlite() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = open_shared(&DatabaseUrl::sqlite_in(dir.path()))
        .await
        .unwrap();
    (dir, store)
}

async fn fresh_postgres() -> Option<Arc<dyn Store>> {
    let url = store::testing::postgres_test_database().await?;
    Some(
        open_shared(&DatabaseUrl::parse(&url).unwrap())
            .await
            .unwrap(),
    )
}

/// Every table is either carried or left out by name; every carried one has rows in the
/// seed, so a table added by a later migration fails here until the seed writes to it (or
/// it joins the commented list of tables left out).
async fn check_coverage(store: &Arc<dyn Store>, summary: &BackupSummary) {
    for table in store.schema_tables().await.unwrap() {
        if NOT_BACKED_UP.contains(&table.as_str()) {
            assert_eq!(summary.rows_in(&table), None, "{table} is left out");
            continue;
        }
        let rows = summary.rows_in(&table);
        assert!(
            rows.is_some_and(|n| n > 0),
            "table {table} is neither backed up with rows from the seed nor listed in \
             store::backup::NOT_BACKED_UP ({rows:?} rows)"
        );
    }
}

#[tokio::test]
async fn sqlite_backup_restores_into_sqlite() {
    let (a, original) = fresh_sqlite().await;
    let accounts = seed(&original, &DatabaseUrl::sqlite_in(a.path())).await;
    let (summary, file) = backup(&original).await;
    check_coverage(&original, &summary).await;

    let (_b, copy) = fresh_sqlite().await;
    let restored = restore(&copy, &file, RestoreMode::IntoEmpty).await.unwrap();
    assert_eq!(restored, summary);
    assert_same_data(&original, &copy, &accounts, "SQLite → SQLite").await;
    // The same data gives the same file, apart from the moment in the header.
    assert_eq!(
        file.split(|b| *b == b'\n').skip(1).collect::<Vec<_>>(),
        backup(&copy)
            .await
            .1
            .split(|b| *b == b'\n')
            .skip(1)
            .collect::<Vec<_>>()
    );
    // New rows continue after the restored ids.
    let newest = copy
        .create_account(&new_account("new@example.org", Role::Client))
        .await
        .unwrap();
    assert!(accounts.iter().all(|(id, _)| newest.id.0 > id.0));
}

#[tokio::test]
async fn backups_move_between_sqlite_and_postgres() {
    let (a, original) = fresh_sqlite().await;
    let accounts = seed(&original, &DatabaseUrl::sqlite_in(a.path())).await;
    let (summary, from_sqlite) = backup(&original).await;
    let Some(pg) = fresh_postgres().await else {
        return;
    };
    // All or nothing on PostgreSQL too: a broken foreign key near the end stores nothing.
    let orphan = with_an_orphan(std::str::from_utf8(&from_sqlite).unwrap());
    let err = restore(&pg, orphan.as_bytes(), RestoreMode::IntoEmpty)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("foreign key"), "{err}");
    assert_eq!(pg.account_count().await.unwrap(), 0);
    let restored = restore(&pg, &from_sqlite, RestoreMode::IntoEmpty)
        .await
        .unwrap();
    assert_eq!(restored, summary);
    assert_same_data(&original, &pg, &accounts, "SQLite → PostgreSQL").await;
    check_coverage(&pg, &backup(&pg).await.0).await;

    // And back: PostgreSQL writes real booleans, SQLite reads them as 0 and 1.
    let (pg_summary, from_postgres) = backup(&pg).await;
    assert_eq!(pg_summary, summary);
    assert!(
        std::str::from_utf8(&from_postgres)
            .unwrap()
            .contains("true")
    );
    let (_c, back) = fresh_sqlite().await;
    restore(&back, &from_postgres, RestoreMode::IntoEmpty)
        .await
        .unwrap();
    assert_same_data(&original, &back, &accounts, "PostgreSQL → SQLite").await;

    // The identity sequences moved past the restored ids.
    let newest = pg
        .create_account(&new_account("new@example.org", Role::Client))
        .await
        .unwrap();
    assert!(accounts.iter().all(|(id, _)| newest.id.0 > id.0));
    let more = domain::checkin::CheckInInput {
        client_id: Some(Uuid::new_v4()),
        mood: Some(5),
        ..Default::default()
    }
    .validate(Utc::now())
    .unwrap();
    let (c, _) = pg.insert_checkin(accounts[0].0, &more).await.unwrap();
    assert!(c.id.0 > 8, "{}", c.id);

    // A database with accounts is refused on PostgreSQL too, and left as it was.
    let before = backup(&pg).await.1;
    let err = restore(&pg, &from_sqlite, RestoreMode::IntoEmpty)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotEmpty { accounts: 4 }), "{err}");
    assert_eq!(rows_of(&backup(&pg).await.1), rows_of(&before));
    // Replacing puts back exactly what the backup holds.
    restore(&pg, &from_sqlite, RestoreMode::Replace)
        .await
        .unwrap();
    assert_same_data(&original, &pg, &accounts, "PostgreSQL replaced").await;
}

#[tokio::test]
async fn restore_refuses_a_database_with_accounts_and_replace_replaces() {
    let (a, original) = fresh_sqlite().await;
    let accounts = seed(&original, &DatabaseUrl::sqlite_in(a.path())).await;
    let (_, file) = backup(&original).await;

    let (_b, other) = fresh_sqlite().await;
    let theirs = other
        .create_account(&new_account("someone@example.org", Role::Client))
        .await
        .unwrap();
    let before = backup(&other).await.1;
    let err = restore(&other, &file, RestoreMode::IntoEmpty)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotEmpty { accounts: 1 }), "{err}");
    assert!(err.to_string().contains("already holds 1 account"), "{err}");
    assert_eq!(rows_of(&backup(&other).await.1), rows_of(&before));

    restore(&other, &file, RestoreMode::Replace).await.unwrap();
    assert_same_data(&original, &other, &accounts, "replaced").await;
    assert!(
        other
            .account_for_sign_in(&Email::parse("someone@example.org").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    // The replaced account's id is not reused by mistake for anything it owned.
    assert!(
        other
            .checkins(theirs.id, None, None)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The backup with its first check-in moved to an account that does not exist.
fn with_an_orphan(text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let first = lines
        .iter()
        .position(|l| l.starts_with("{\"table\":\"checkins\""))
        .unwrap()
        + 1;
    let mut row: Vec<serde_json::Value> = serde_json::from_str(&lines[first]).unwrap();
    row[1] = serde_json::json!(424242);
    lines[first] = serde_json::to_string(&row).unwrap();
    lines.join("\n")
}

#[tokio::test]
async fn a_damaged_backup_changes_nothing() {
    let (a, original) = fresh_sqlite().await;
    seed(&original, &DatabaseUrl::sqlite_in(a.path())).await;
    let (_, file) = backup(&original).await;
    let text = String::from_utf8(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();

    // Cut off before its end line.
    let cut = lines[..lines.len() - 1].join("\n");
    // A bad value in the last table, after thousands of good inserts in earlier ones.
    let last_row = lines.len() - 2;
    let mut bad_value: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    bad_value[last_row] = {
        let mut row: Vec<serde_json::Value> = serde_json::from_str(lines[last_row]).unwrap();
        row[0] = serde_json::json!("PRIVATE-VALUE");
        serde_json::to_string(&row).unwrap()
    };
    let cases = [
        (cut, "ends early"),
        (bad_value.join("\n"), "holds a value that is not"),
        (with_an_orphan(&text), "FOREIGN KEY"),
        ("not a backup".to_string(), "not a Between backup"),
        (String::new(), "empty"),
    ];
    for (broken, expect) in cases {
        let (_b, target) = fresh_sqlite().await;
        let err = restore(&target, broken.as_bytes(), RestoreMode::IntoEmpty)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(expect), "{expect}: {err}");
        assert!(!err.contains("PRIVATE-VALUE"), "{err}");
        assert_eq!(target.account_count().await.unwrap(), 0, "{expect}");
        // Only the rows describing the target's own encryption, made at its first start.
        assert!(
            rows_of(&backup(&target).await.1)
                .iter()
                .filter(|(t, _)| !INSTALLATION_TABLES.contains(&t.as_str()))
                .all(|(_, rows)| rows.is_empty())
        );
    }
}

#[tokio::test]
async fn a_newer_schema_is_refused_and_an_older_one_upgraded() {
    let (a, original) = fresh_sqlite().await;
    seed(&original, &DatabaseUrl::sqlite_in(a.path())).await;
    let (summary, file) = backup(&original).await;
    let text = String::from_utf8(file).unwrap();
    let newer = text.replacen(
        &format!("\"schema\":{}", summary.schema),
        "\"schema\":999999",
        1,
    );
    let (_b, target) = fresh_sqlite().await;
    let err = restore(&target, newer.as_bytes(), RestoreMode::IntoEmpty)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::BackupNewer { backup: 999999, .. }),
        "{err}"
    );

    // A backup taken at schema 5, before migration 0006 rebuilt the agenda: written by hand
    // in the documented format, as Between wrote it then (booleans as SQLite's integers).
    let old = [
        r#"{"format":"between-backup","version":1,"schema":5,"backend":"sqlite","taken_at":"2026-06-01T10:00:00.000Z"}"#,
        r#"{"table":"accounts","columns":[{"name":"id","type":"integer"},{"name":"email","type":"text"},{"name":"password_hash","type":"text"},{"name":"role","type":"text"},{"name":"country","type":"text"},{"name":"timezone","type":"text"},{"name":"usual_mood","type":"integer"},{"name":"always_ask_safety","type":"integer"},{"name":"therapist_name","type":"text"},{"name":"therapist_phone","type":"text"},{"name":"therapist_email","type":"text"},{"name":"created_ms","type":"integer"}]}"#,
        r#"[7,"old@example.org","x","client",null,"UTC",5,1,null,null,null,1000]"#,
        r#"{"table":"agenda_items","columns":[{"name":"id","type":"integer"},{"name":"account_id","type":"integer"},{"name":"text","type":"text"},{"name":"source","type":"text"},{"name":"created_ms","type":"integer"},{"name":"discussed_ms","type":"integer"}]}"#,
        r#"[3,7,"my sister","post_session",1000,null]"#,
        r#"[4,7,"sleep","manual",2000,5000]"#,
        r#"{"end":{"tables":2,"rows":3}}"#,
    ]
    .join("\n");
    let (_c, sqlite) = fresh_sqlite().await;
    let mut targets = vec![sqlite];
    if let Some(pg) = fresh_postgres().await {
        targets.push(pg);
    }
    for target in targets {
        let restored = restore(&target, old.as_bytes(), RestoreMode::IntoEmpty)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", target.backend()));
        assert_eq!(restored.schema, summary.schema, "brought up to date");
        let account = target.account(AccountId(7)).await.unwrap().unwrap();
        assert!(account.always_ask_safety);
        let agenda = target.agenda(AccountId(7), true).await.unwrap();
        let seen: Vec<_> = agenda
            .iter()
            .map(|i| (i.id.0, i.text.as_str(), i.discussed_at.is_some()))
            .collect();
        assert_eq!(
            seen,
            [(3, "my sister", false), (4, "sleep", true)],
            "{}",
            target.backend()
        );
        let added = target
            .insert_agenda_item(
                AccountId(7),
                uuid::Uuid::new_v4(),
                "new",
                domain::therapy::AgendaSource::Manual,
            )
            .await
            .unwrap()
            .0;
        assert_eq!(added.id.0, 5, "{}", target.backend());
    }
}

/// A sink that, the first time the backup writes to it, has another connection store a
/// park-it use (a coping use and its agenda topic, in one transaction) and waits for it.
struct WriteMidway {
    out: Vec<u8>,
    url: DatabaseUrl,
    account: AccountId,
    done: bool,
}

impl std::io::Write for WriteMidway {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.done {
            self.done = true;
            let (url, account) = (self.url.clone(), self.account);
            // Its own thread and runtime: the backup's runtime is blocked in this call.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let other = open_shared(&url).await.unwrap();
                    let park = domain::coping::CopingUseInput {
                        client_id: Some(Uuid::new_v4()),
                        tool: Some("park-it".into()),
                        note: Some("written during the backup".into()),
                        ..Default::default()
                    }
                    .validate(Utc::now())
                    .unwrap();
                    other.insert_coping_use(account, &park).await.unwrap();
                });
            })
            .join()
            .unwrap();
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn a_backup_sees_one_moment(url: DatabaseUrl) {
    let store = open_shared(&url).await.unwrap();
    let accounts = seed(&store, &url).await;
    let (before, _) = backup(&store).await;
    let mut sink = WriteMidway {
        out: Vec::new(),
        url,
        account: accounts[0].0,
        done: false,
    };
    let during = store.backup(&mut sink).await.unwrap();
    assert!(sink.done);
    // The write landed, but after the backup's moment: neither of its rows is in it.
    let (after, _) = backup(&store).await;
    for table in ["coping_uses", "agenda_items"] {
        assert_eq!(after.rows_in(table), before.rows_in(table).map(|n| n + 1));
        assert_eq!(during.rows_in(table), before.rows_in(table), "{table}");
    }
    // And it restores whole.
    let (_dir, copy) = fresh_sqlite().await;
    restore(&copy, &sink.out, RestoreMode::IntoEmpty)
        .await
        .unwrap();
    assert_eq!(rows_of(&backup(&copy).await.1), rows_of(&sink.out));
}

#[tokio::test]
async fn a_sqlite_backup_sees_one_moment() {
    let dir = tempfile::tempdir().unwrap();
    a_backup_sees_one_moment(DatabaseUrl::sqlite_in(dir.path())).await;
}

#[tokio::test]
async fn a_postgres_backup_sees_one_moment() {
    let Some(url) = store::testing::postgres_test_database().await else {
        return;
    };
    a_backup_sees_one_moment(DatabaseUrl::parse(&url).unwrap()).await;
}
