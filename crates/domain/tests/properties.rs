//! Property tests that pin what the guidance rules promise, on generated histories.
//!
//! About missing days: "removing rated days from a steady history keeps it below reach_out"
//! is NOT true in general, and we do not claim it. Removing a rated day can
//!
//!  - join two low stretches into one (missing days do not reset a stretch, by design),
//!  - change the baseline window, or push it below 14 rated days onto the usual-day rating,
//!  - change the path of the moving average (it is not monotone in deletions: dropping a day
//!    that was better than the running average raises the days after it).
//!
//! What holds, and is tested here:
//!
//!  1. making low days of the last 7 days missing never adds `persisting` or
//!     `coping_not_working` (the current low stretch can only shrink);
//!  2. with no check-in in the last 3 days, no mood rule fires at all (silence is never
//!     evidence);
//!  3. making an inner day of a persisting stretch missing keeps it persisting (missing days
//!     do not reset).

// clippy.toml allows these inside #[test] functions only; here the strategies and history
// builders outside them unwrap too, on values the strategies keep in range.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::guidance::{self, GuidanceSettings, Level};
use domain::history::{
    CheckInRecord, CopingRecord, History, QuestionnaireRecord, SessionRecord, TimeZone,
};
use domain::questionnaire::{Answers, Instrument};
use domain::rating::Rating;
use proptest::prelude::*;

const MOOD_CODES: [&str; 4] = [
    "post_session_dip",
    "persisting",
    "escalating",
    "coping_not_working",
];

#[derive(Debug, Clone)]
struct Person {
    tz: &'static str,
    usual: Option<u8>,
    /// Per day: the ratings (mood, UTC hour), or `None` for a missing day.
    days: Vec<Option<Vec<(u8, u32)>>>,
    sessions: Vec<u32>,
    missed: Vec<u32>,
    self_harm: Vec<(u32, bool)>,
    coping: Vec<(u32, u32, u8, u8)>,
    moment_hour: u32,
}

fn instant(day: u32, hour: u32) -> DateTime<Utc> {
    let d = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Days::new(u64::from(day));
    d.and_hms_opt(hour, 30, 0).unwrap().and_utc()
}

fn rating(v: u8) -> Rating {
    Rating::new(i64::from(v)).unwrap()
}

impl Person {
    fn build(&self) -> (History, DateTime<Utc>) {
        let mut h = History::new(TimeZone::parse(self.tz).unwrap());
        h.usual_mood = self.usual.map(rating);
        for (d, ratings) in self.days.iter().enumerate() {
            let d = u32::try_from(d).unwrap();
            for (i, (mood, hour)) in ratings.iter().flatten().enumerate() {
                let mut c = CheckInRecord::new(instant(d, *hour), rating(*mood));
                if i == 0 && self.missed.contains(&d) {
                    c.missed_usual_activities = Some(true);
                }
                if i == 0 {
                    c.self_harm_thoughts = self
                        .self_harm
                        .iter()
                        .find(|(day, _)| *day == d)
                        .map(|(_, yes)| *yes);
                }
                h.checkins.push(c);
            }
        }
        for s in &self.sessions {
            h.sessions.push(SessionRecord {
                at: instant(*s, 15),
            });
        }
        for (d, hour, before, after) in &self.coping {
            h.coping.push(CopingRecord {
                at: instant(*d, *hour),
                tool: Some("box-breathing".to_owned()),
                distress_before: Some(rating(*before)),
                distress_after: Some(rating(*after)),
            });
        }
        let last = u32::try_from(self.days.len()).unwrap() - 1;
        (h, instant(last, self.moment_hour))
    }
}

/// People with a personal mean, small daily noise, about 20% missing days and, at the end,
/// an optional stretch of lower days; plus sessions, flags and coping uses.
fn person() -> impl Strategy<Value = Person> {
    (
        3u8..=7,
        20usize..=60,
        0usize..=10,
        0u8..=5,
        prop::sample::select(vec![
            "UTC",
            "Europe/London",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Sydney",
        ]),
        prop::option::of(3u8..=8),
    )
        .prop_flat_map(|(mean, n, stretch, depth, tz, usual)| {
            let n32 = u32::try_from(n).unwrap();
            let day =
                prop::option::weighted(0.8, prop::collection::vec((-1i8..=1, 0u32..24), 1..=2));
            (
                Just((mean, stretch, depth, tz, usual)),
                prop::collection::vec(day, n),
                prop::collection::vec(0..n32, 0..8),
                prop::collection::vec(n32.saturating_sub(4)..n32, 0..3),
                prop::collection::vec(
                    (n32.saturating_sub(20)..n32, prop::bool::weighted(0.3)),
                    0..3,
                ),
                prop::collection::vec(
                    (n32.saturating_sub(4)..n32, 0u32..24, 0u8..=10, 0u8..=10),
                    0..6,
                ),
                0u32..24,
            )
        })
        .prop_map(
            |(
                (mean, stretch, depth, tz, usual),
                days,
                sessions,
                missed,
                self_harm,
                coping,
                moment_hour,
            )| {
                let n = days.len();
                let days = days
                    .into_iter()
                    .enumerate()
                    .map(|(i, ratings)| {
                        ratings.map(|rs| {
                            rs.into_iter()
                                .map(|(noise, hour)| {
                                    let drop = if i + stretch >= n {
                                        i16::from(depth)
                                    } else {
                                        0
                                    };
                                    let m = i16::from(mean) + i16::from(noise) - drop;
                                    (u8::try_from(m.clamp(0, 10)).unwrap(), hour)
                                })
                                .collect()
                        })
                    })
                    .collect();
                Person {
                    tz,
                    usual,
                    days,
                    sessions,
                    missed,
                    self_harm,
                    coping,
                    moment_hour,
                }
            },
        )
}

fn codes(h: &History, at: DateTime<Utc>) -> Vec<&'static str> {
    guidance::assess(h, at).codes()
}

/// Mean mood per local day, for check-ins at or before the moment.
fn day_means(h: &History, at: DateTime<Utc>) -> BTreeMap<NaiveDate, f64> {
    let mut sums: BTreeMap<NaiveDate, (f64, f64)> = BTreeMap::new();
    for c in h.checkins.iter().filter(|c| c.at <= at) {
        let e = sums.entry(h.local_day(c.at)).or_insert((0.0, 0.0));
        e.0 += f64::from(c.mood.get());
        e.1 += 1.0;
    }
    sums.into_iter().map(|(d, (s, n))| (d, s / n)).collect()
}

fn without_days(h: &History, days: &BTreeSet<NaiveDate>) -> History {
    let mut out = h.clone();
    out.checkins.retain(|c| !days.contains(&h.local_day(c.at)));
    out
}

fn shifted(h: &History, k: i64) -> History {
    let mut out = h.clone();
    let shift = |r: Rating| Rating::new(i64::from(r.get()) + k).unwrap();
    out.usual_mood = out.usual_mood.map(shift);
    for c in &mut out.checkins {
        c.mood = shift(c.mood);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Moving every mood and the usual-day rating by the same amount never changes the
    /// level or the reasons: the rules only look at differences from the baseline.
    #[test]
    fn shifting_all_moods_changes_nothing(p in person(), pick in 0usize..100) {
        let (h, at) = p.build();
        let moods: Vec<i64> = h
            .checkins
            .iter()
            .map(|c| i64::from(c.mood.get()))
            .chain(h.usual_mood.map(|u| i64::from(u.get())))
            .collect();
        let lo = -moods.iter().copied().min().unwrap_or(0);
        let hi = 10 - moods.iter().copied().max().unwrap_or(10);
        let span = usize::try_from(hi - lo + 1).unwrap();
        let k = lo + i64::try_from(pick % span).unwrap();
        let before = guidance::assess(&h, at);
        let after = guidance::assess(&shifted(&h, k), at);
        prop_assert_eq!(before.level, after.level, "shift {}", k);
        prop_assert_eq!(before.codes(), after.codes(), "shift {}", k);
    }

    /// A "yes" to the safety question at the moment always makes the level urgent, whatever
    /// else the history says, and it is the first reason.
    #[test]
    fn self_harm_yes_always_wins(p in person(), mood in 0u8..=10) {
        let (mut h, at) = p.build();
        let mut c = CheckInRecord::new(at, rating(mood));
        c.self_harm_thoughts = Some(true);
        h.checkins.push(c);
        let g = guidance::assess(&h, at);
        prop_assert_eq!(g.level, Level::Urgent);
        prop_assert_eq!(g.codes().first().copied(), Some("self_harm_thoughts"));
    }

    /// A recent PHQ-9 with item 9 above 0 always makes the level urgent.
    #[test]
    fn phq9_item9_always_wins(p in person(), item9 in 1u8..=3, hours_ago in 0i64..(24 * 12)) {
        let (mut h, at) = p.build();
        let answers = Answers::new(Instrument::Phq9, &[1, 0, 1, 0, 1, 0, 1, 0, item9]).unwrap();
        h.questionnaires.push(QuestionnaireRecord { at: at - Duration::hours(hours_ago), answers });
        prop_assert_eq!(guidance::assess(&h, at).level, Level::Urgent);
    }

    /// Anything recorded after the moment is ignored.
    #[test]
    fn later_data_is_ignored(p in person(), later in 1i64..5000, mood in 0u8..=10) {
        let (h, at) = p.build();
        let mut more = h.clone();
        let t = at + Duration::minutes(later);
        let mut c = CheckInRecord::new(t, rating(mood));
        c.self_harm_thoughts = Some(true);
        c.missed_usual_activities = Some(true);
        more.checkins.push(c);
        more.sessions.push(SessionRecord { at: t });
        more.coping.push(CopingRecord { at: t, tool: None, distress_before: Some(rating(9)), distress_after: Some(rating(9)) });
        more.questionnaires.push(QuestionnaireRecord { at: t, answers: Answers::new(Instrument::Phq9, &[3; 9]).unwrap() });
        prop_assert_eq!(guidance::assess(&h, at), guidance::assess(&more, at));
    }

    /// Without sessions there is never an expected dip.
    #[test]
    fn no_session_no_expected_dip(p in person()) {
        let (mut h, at) = p.build();
        h.sessions.clear();
        prop_assert!(!codes(&h, at).contains(&"post_session_dip"));
    }

    /// Missing days are not evidence (property 1 in the file comment).
    #[test]
    fn making_recent_low_days_missing_never_adds_a_stretch_reason(p in person(), mask in prop::collection::vec(any::<bool>(), 7)) {
        let (h, at) = p.build();
        let settings = GuidanceSettings::default();
        let before = codes(&h, at);
        prop_assume!(!before.contains(&"persisting") && !before.contains(&"coping_not_working"));
        let Some(baseline) = guidance::personal_baseline(&h, at, &settings) else {
            return Ok(());
        };
        let today = h.local_day(at);
        let removed: BTreeSet<NaiveDate> = day_means(&h, at)
            .into_iter()
            .filter(|(d, m)| {
                let age = (today - *d).num_days();
                (0..7).contains(&age)
                    && mask[usize::try_from(age).unwrap()]
                    && baseline.is_low(*m, &settings)
            })
            .map(|(d, _)| d)
            .collect();
        let after = codes(&without_days(&h, &removed), at);
        prop_assert!(!after.contains(&"persisting"), "removed {:?}: {:?}", removed, after);
        prop_assert!(!after.contains(&"coping_not_working"), "removed {:?}: {:?}", removed, after);
    }

    /// Silence is never evidence (property 2 in the file comment).
    #[test]
    fn no_recent_check_ins_no_mood_reasons(p in person()) {
        let (h, at) = p.build();
        let today = h.local_day(at);
        let recent: BTreeSet<NaiveDate> = (0..3).map(|k| today - chrono::Days::new(k)).collect();
        let quiet = without_days(&h, &recent);
        let after = codes(&quiet, at);
        prop_assert!(after.iter().all(|c| !MOOD_CODES.contains(c)), "{:?}", after);
    }

    /// Missing days do not reset a stretch (property 3 in the file comment).
    #[test]
    fn a_missing_day_inside_a_persisting_stretch_keeps_it(
        mean in 6u8..=8,
        noise in prop::collection::vec(-1i8..=1, 35),
        low in prop::collection::vec(0u8..=1, 4..=6),
        drop_index in 1usize..3,
    ) {
        let mut h = History::default();
        for (d, n) in noise.iter().enumerate() {
            let m = u8::try_from(i16::from(mean) + i16::from(*n)).unwrap();
            h.checkins.push(CheckInRecord::new(instant(u32::try_from(d).unwrap(), 12), rating(m)));
        }
        // The low stretch fills the last days, one rated day each.
        let start = 35u32;
        for (i, m) in low.iter().enumerate() {
            h.checkins.push(CheckInRecord::new(instant(start + u32::try_from(i).unwrap(), 12), rating(*m)));
        }
        let at = instant(start + u32::try_from(low.len()).unwrap() - 1, 20);
        let g = guidance::assess(&h, at);
        prop_assert!(g.codes().contains(&"persisting"), "{:?}", g);
        let inner: BTreeSet<NaiveDate> = [h.local_day(instant(start + u32::try_from(drop_index).unwrap(), 12))].into();
        let after = guidance::assess(&without_days(&h, &inner), at);
        prop_assert!(after.codes().contains(&"persisting"), "{:?}", after);
    }
}

/// Removing a rated ordinary day between low days joins them into one stretch: missing days
/// do not reset it. This is why "removing days never raises the level" is not a property.
#[test]
fn a_removed_ordinary_day_joins_two_low_stretches() {
    let mut h = History::new(TimeZone::UTC);
    h.usual_mood = Some(rating(7));
    for (d, m) in [(0, 4), (1, 7), (2, 4), (3, 4)] {
        h.checkins
            .push(CheckInRecord::new(instant(d, 12), rating(m)));
    }
    let at = instant(3, 20);
    assert_eq!(guidance::assess(&h, at).level, Level::Steady);
    let ordinary: BTreeSet<NaiveDate> = [h.local_day(instant(1, 12))].into();
    assert_eq!(
        guidance::assess(&without_days(&h, &ordinary), at).codes(),
        vec!["persisting"]
    );
}

/// The moving average is not monotone in deletions: making a low day missing can raise the
/// average on the days after it, when that day was better than the running average.
#[test]
fn a_removed_low_day_can_start_an_escalation() {
    let mut h = History::new(TimeZone::UTC);
    h.usual_mood = Some(rating(7));
    for (d, m) in [(0, 2), (1, 2), (2, 5), (3, 9), (4, 2)] {
        h.checkins
            .push(CheckInRecord::new(instant(d, 12), rating(m)));
    }
    let at = instant(4, 20);
    assert_eq!(guidance::assess(&h, at).level, Level::Steady);
    let low_day: BTreeSet<NaiveDate> = [h.local_day(instant(2, 12))].into();
    assert_eq!(
        guidance::assess(&without_days(&h, &low_day), at).codes(),
        vec!["escalating"]
    );
}
