//! The stored guidance summary gives exactly the guidance of the full history, whatever the
//! order items are written in and however the clock moves; and it stays small.

// clippy.toml allows these inside #[test] functions only; the strategies and builders
// outside them unwrap too, on values the strategies keep in range.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::guidance::{self, Added, GuidanceSettings, GuidanceSummary};
use domain::history::{
    CheckInRecord, CopingRecord, History, QuestionnaireRecord, SessionRecord, TimeZone,
};
use domain::questionnaire::{Answers, Instrument};
use domain::rating::Rating;
use proptest::prelude::*;

/// Early 2019 holds São Paulo's last clock changes, made at midnight (so an instant after
/// another can fall on the day before), and the spring changes of New York, London and
/// Sydney's autumn one within 100 days.
fn base() -> DateTime<Utc> {
    "2019-01-10T00:00:00Z".parse().unwrap()
}

/// Three-hour slots make items at the same instant common; a few are a second or half a
/// second off, to exercise sub-second instants.
fn slot_time(slot: u32, jitter: u8) -> DateTime<Utc> {
    let extra = match jitter {
        0 => Duration::zero(),
        1 => Duration::seconds(1),
        _ => Duration::milliseconds(500),
    };
    base() + Duration::hours(3 * i64::from(slot)) + extra
}

fn rating(v: i64) -> Rating {
    Rating::new(v.clamp(0, 10)).unwrap()
}

#[derive(Debug, Clone)]
enum Item {
    CheckIn(CheckInRecord),
    Session(SessionRecord),
    Coping(CopingRecord),
    Questionnaire(QuestionnaireRecord),
}

#[derive(Debug, Clone)]
struct Case {
    tz: &'static str,
    usual: Option<u8>,
    /// Items in the order they are written.
    items: Vec<Item>,
    /// `(after how many writes, time)`, both non-decreasing.
    advances: Vec<(usize, DateTime<Utc>)>,
    /// Offsets of the assessment moments after the last advance, in minutes.
    moments: Vec<i64>,
}

fn checkin(level: i64) -> impl Strategy<Value = Item> {
    (
        0u32..(92 * 8),
        0u8..8,
        -3i64..=3,
        prop::option::weighted(0.15, any::<bool>()),
        prop::option::weighted(0.15, prop::bool::weighted(0.3)),
    )
        .prop_map(move |(slot, jitter, noise, missed, self_harm)| {
            let mut c = CheckInRecord::new(slot_time(slot, jitter), rating(level + noise));
            c.missed_usual_activities = missed;
            c.self_harm_thoughts = self_harm;
            Item::CheckIn(c)
        })
}

fn session() -> impl Strategy<Value = Item> {
    // Up to 150 days: many sessions lie ahead of every clock.
    (0u32..(150 * 8), 0u8..4).prop_map(|(slot, jitter)| {
        Item::Session(SessionRecord {
            at: slot_time(slot, jitter),
        })
    })
}

fn coping() -> impl Strategy<Value = Item> {
    (
        0u32..(92 * 8),
        0u8..4,
        prop::option::weighted(0.9, 3i64..=9),
        prop::option::weighted(0.9, -2i64..=2),
    )
        .prop_map(|(slot, jitter, before, change)| {
            Item::Coping(CopingRecord {
                at: slot_time(slot, jitter),
                tool: None,
                distress_before: before.map(rating),
                distress_after: change.map(|c| rating(before.unwrap_or(5) + c)),
            })
        })
}

fn questionnaire() -> impl Strategy<Value = Item> {
    (
        0u32..92,
        prop::sample::select(vec![10i64, 10, 22, 23]),
        any::<bool>(),
        0u8..=3,
        prop::collection::vec(prop::sample::select(vec![0u8, 0, 1, 1, 2, 3]), 9),
    )
        .prop_map(|(day, hour, phq9, severe, mut answers)| {
            let at = base() + Duration::days(i64::from(day)) + Duration::hours(hour);
            let answers = if phq9 {
                answers[8] = answers[8].min(severe);
                Answers::new(Instrument::Phq9, &answers).unwrap()
            } else {
                Answers::new(Instrument::Gad7, &answers[..7]).unwrap()
            };
            Item::Questionnaire(QuestionnaireRecord { at, answers })
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec![
            "UTC",
            "America/Sao_Paulo",
            "America/New_York",
            "Europe/London",
            "Australia/Sydney",
            "Asia/Kolkata",
        ]),
        prop::option::of(0u8..=10),
        // The person's typical mood: low levels with a high usual-day rating and few
        // check-ins give long low stretches against the usual-day baseline.
        1i64..=9,
    )
        .prop_flat_map(|(tz, usual, level)| {
            let items = (
                prop::collection::vec(checkin(level), 0..160),
                prop::collection::vec(session(), 0..20),
                prop::collection::vec(coping(), 0..25),
                prop::collection::vec(questionnaire(), 0..12),
            )
                .prop_map(|(mut a, b, c, d)| {
                    a.extend(b);
                    a.extend(c);
                    a.extend(d);
                    a
                })
                .prop_shuffle();
            (
                Just((tz, usual)),
                items,
                prop::collection::vec((0.0f64..=1.0, 0i64..(100 * 24 * 60)), 0..8),
                prop::collection::vec(
                    prop::sample::select(vec![0i64, 1, 60, 20 * 60, 2 * 24 * 60, 9 * 24 * 60]),
                    1..4,
                ),
            )
        })
        .prop_map(|((tz, usual), items, advances, moments)| {
            let mut positions: Vec<usize> = advances
                .iter()
                .map(|(f, _)| (f * items.len() as f64) as usize)
                .collect();
            positions.sort_unstable();
            let mut times: Vec<DateTime<Utc>> = advances
                .iter()
                .map(|(_, m)| base() - Duration::days(2) + Duration::minutes(*m))
                .collect();
            times.sort_unstable();
            Case {
                tz,
                usual,
                items,
                advances: positions.into_iter().zip(times).collect(),
                moments,
            }
        })
}

/// Non-default settings that look further back than the defaults, so a summary kept for
/// them covers both.
fn wider() -> GuidanceSettings {
    GuidanceSettings {
        baseline_window_days: 35,
        baseline_gap_days: 5,
        baseline_min_rated_days: 10,
        low_z: 1.0,
        low_points: 1.5,
        run_max_age_days: 3,
        dip_start_within_days: 4,
        dip_max_days: 4,
        persisting_min_rated_days: 2,
        ewma_lambda: 0.4,
        ewma_window_days: 40,
        ewma_limit: 1.0,
        ewma_consecutive_days: 2,
        coping_window_hours: 96,
        coping_min_unhelpful_uses: 2,
        cant_function_window_days: 3,
        phq9_item9_window_days: 20,
        phq9_reliable_change: 4,
        gad7_reliable_change: 3,
        ..GuidanceSettings::default()
    }
}

fn push(h: &mut History, item: &Item) {
    match item {
        Item::CheckIn(c) => h.checkins.push(c.clone()),
        Item::Session(s) => h.sessions.push(s.clone()),
        Item::Coping(c) => h.coping.push(c.clone()),
        Item::Questionnaire(q) => h.questionnaires.push(q.clone()),
    }
}

/// Writes the case's items into a summary as an app would, rebuilding when asked to, and
/// returns it with the history written so far (in write order) and the last advance.
fn write(case: &Case, settings: &GuidanceSettings) -> (GuidanceSummary, History, DateTime<Utc>) {
    let tz = TimeZone::parse(case.tz).unwrap();
    let mut h = History::new(tz);
    h.usual_mood = case.usual.map(|u| rating(i64::from(u)));
    let mut s = GuidanceSummary::with_settings(tz, settings);
    let mut clock = base() - Duration::days(3);
    let mut advances = case.advances.iter().peekable();
    for (i, item) in case.items.iter().enumerate() {
        while let Some((_, t)) = advances.next_if(|(at, _)| *at <= i) {
            s.advance(*t);
            clock = *t;
        }
        push(&mut h, item);
        let added = match item {
            Item::CheckIn(c) => s.add_checkin(c),
            Item::Session(x) => {
                s.add_session(x);
                Added::Exact
            }
            Item::Coping(c) => {
                s.add_coping(c);
                Added::Exact
            }
            Item::Questionnaire(q) => {
                s.add_questionnaire(q);
                Added::Exact
            }
        };
        if added == Added::NeedsRebuild {
            s = GuidanceSummary::from_history_with(&h, clock, settings);
        }
        // What is stored is the JSON: every write reads it back.
        let json = serde_json::to_string(&s).unwrap();
        s = serde_json::from_str(&json).unwrap();
    }
    for (_, t) in advances {
        s.advance(*t);
        clock = *t;
    }
    (s, h, clock)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_summary_assesses_exactly_as_the_history(case in case()) {
        let wide = wider();
        let (summary, history, clock) = write(&case, &wide);
        prop_assert!(summary.covers(&GuidanceSettings::default()));
        prop_assert!(summary.covers(&wide));
        let rebuilt = GuidanceSummary::from_history_with(&history, clock, &wide);
        for minutes in &case.moments {
            let at = clock + Duration::minutes(*minutes);
            for settings in [GuidanceSettings::default(), wide.clone()] {
                let expected = guidance::assess_with(&history, at, &settings);
                prop_assert_eq!(
                    &summary.assess(history.usual_mood, at, &settings),
                    &expected,
                    "written at {}",
                    at
                );
                prop_assert_eq!(
                    &rebuilt.assess(history.usual_mood, at, &settings),
                    &expected,
                    "rebuilt at {}",
                    at
                );
            }
        }
        let default_summary = write(&case, &GuidanceSettings::default()).0;
        let at = clock + Duration::minutes(case.moments[0]);
        prop_assert_eq!(
            default_summary.assess_default(history.usual_mood, at),
            guidance::assess(&history, at)
        );
    }
}

fn day(n: i64) -> DateTime<Utc> {
    let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(n);
    d.and_hms_opt(0, 0, 0).unwrap().and_utc()
}

fn size(s: &GuidanceSummary) -> usize {
    serde_json::to_string(s).unwrap().len()
}

#[test]
fn ten_thousand_checkins_in_one_day_take_the_room_of_one() {
    let tz = TimeZone::parse("Europe/London").unwrap();
    let mut h = History::new(tz);
    let mut s = GuidanceSummary::new(tz);
    for i in 0..10_000i64 {
        let at = day(0) + Duration::seconds(8 * i);
        s.advance(at);
        let c = CheckInRecord::new(at, rating(i % 11));
        assert_eq!(s.add_checkin(&c), Added::Exact);
        h.checkins.push(c);
    }
    let bytes = size(&s);
    eprintln!("10,000 check-ins in one day: {bytes} bytes");
    assert!(bytes < 300, "{bytes} bytes");
    let at = day(0) + Duration::hours(23);
    assert_eq!(s.assess_default(None, at), guidance::assess(&h, at));
}

#[test]
fn five_years_of_use_stay_small() {
    let tz = TimeZone::parse("America/New_York").unwrap();
    let mut h = History::new(tz);
    h.usual_mood = Some(rating(7));
    let mut s = GuidanceSummary::new(tz);
    let mut coping = 0;
    let mut questionnaires = 0;
    for d in 0..(5 * 365) {
        let noon = day(d) + Duration::hours(17);
        s.advance(noon);
        // A weekly series is planned two years ahead, as the therapy module lays it out.
        if d % 7 == 0 {
            let x = SessionRecord {
                at: noon + Duration::weeks(104),
            };
            s.add_session(&x);
            h.sessions.push(x);
        }
        let mut c = CheckInRecord::new(noon, rating(5 + (d * 7 % 5)));
        c.self_harm_thoughts = Some(d % 50 == 0);
        c.missed_usual_activities = Some(d % 30 == 0);
        assert_eq!(s.add_checkin(&c), Added::Exact);
        h.checkins.push(c);
        if d % 9 < 4 && coping < 800 {
            let u = CopingRecord {
                at: noon + Duration::hours(1),
                tool: None,
                distress_before: Some(rating(6)),
                distress_after: Some(rating(6 - d % 2)),
            };
            s.add_coping(&u);
            h.coping.push(u);
            coping += 1;
        }
        if d % 7 == 3 && questionnaires < 260 {
            let items = [1, 2, 1, 0, 1, 2, 1, 0, u8::from(d % 91 == 3)];
            let q = if questionnaires % 2 == 0 {
                QuestionnaireRecord {
                    at: noon,
                    answers: Answers::new(Instrument::Phq9, &items).unwrap(),
                }
            } else {
                QuestionnaireRecord {
                    at: noon,
                    answers: Answers::new(Instrument::Gad7, &items[..7]).unwrap(),
                }
            };
            s.add_questionnaire(&q);
            h.questionnaires.push(q);
            questionnaires += 1;
        }
    }
    assert_eq!((coping, questionnaires), (800, 260));
    let bytes = size(&s);
    eprintln!("five years: {bytes} bytes");
    assert!(bytes < 4096, "{bytes} bytes");
    let at = day(5 * 365) + Duration::hours(3);
    assert_eq!(s.assess_default(h.usual_mood, at), guidance::assess(&h, at));
    assert_eq!(
        GuidanceSummary::from_history(&h, s.clock().unwrap()),
        s.clone(),
        "a rebuild gives the same summary"
    );
}
