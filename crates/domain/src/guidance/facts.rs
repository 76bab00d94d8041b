//! The facts the guidance rules read, and how to take them from a full history.
//!
//! The rules never look at a history directly: they read `Facts`, which hold only what
//! some rule can use at one moment (the rated days of a bounded window, the latest safety
//! answers, a few questionnaire totals...). A full history and a stored
//! [`GuidanceSummary`](super::GuidanceSummary) both produce facts, so both give the same
//! guidance by construction. The folds here (`ScoreFold`, `Item9Front`) are shared by both
//! for the same reason: one piece of code decides every tie.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::days::{DayMood, days_before};
use super::settings::GuidanceSettings;
use super::stamp::{Day, Stamp};
use crate::history::{History, TimeZone};
use crate::questionnaire::Instrument;
use crate::rating::Rating;

/// How many days before today the day-based rules look at: the baseline window, the moving
/// average's window, and the sessions a current post-session dip may follow. Older rated
/// days matter only to a low stretch that reaches back past all of these (see `Older`).
pub(crate) fn day_reach(s: &GuidanceSettings) -> u32 {
    let baseline = s
        .baseline_gap_days
        .saturating_add(s.baseline_window_days.saturating_sub(1));
    let ewma = s.ewma_window_days.saturating_sub(1);
    // A dip's latest day is at most `run_max_age_days` old, its first day at most
    // `dip_max_days - 1` before that, and its session at most `dip_start_within_days` before.
    let dip = s
        .run_max_age_days
        .saturating_add(s.dip_max_days.saturating_sub(1))
        .saturating_add(s.dip_start_within_days);
    baseline.max(ewma).max(dip).max(s.run_max_age_days)
}

/// An instant before which every instant falls on a local day before `day`, in any zone:
/// no zone is a whole day ahead of UTC, so the day's UTC midnight less a day is safe.
pub(crate) fn utc_before(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN)
        .and_utc()
        .checked_sub_signed(Duration::days(1))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// One rated day as a sum and a count of mood ratings, so that any number of check-ins a
/// day takes the same room; serialized as `[day, sum, count]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DayTotal(pub Day, pub u64, pub u32);

impl DayTotal {
    /// The day's mean mood, computed exactly as the engine's `mean` would: ratings are small
    /// whole numbers, so their floating-point sum is exact in any order.
    pub fn mood(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let sum = self.1 as f64;
        sum / f64::from(self.2)
    }

    /// As the rules read it.
    pub fn day_mood(&self) -> DayMood {
        DayMood {
            day: self.0.0,
            mood: self.mood(),
        }
    }
}

/// Adds one rating to its day in a list kept oldest first; cheapest when ratings come in
/// time order, which they usually do.
pub(crate) fn add_mood(days: &mut Vec<DayTotal>, day: NaiveDate, sum: u64, count: u32) {
    let day = Day(day);
    match days.last_mut() {
        Some(last) if last.0 == day => {
            last.1 = last.1.saturating_add(sum);
            last.2 = last.2.saturating_add(count);
        }
        Some(last) if last.0 > day => match days.binary_search_by_key(&day, |d| d.0) {
            Ok(i) => {
                if let Some(d) = days.get_mut(i) {
                    d.1 = d.1.saturating_add(sum);
                    d.2 = d.2.saturating_add(count);
                }
            }
            Err(i) => days.insert(i, DayTotal(day, sum, count)),
        },
        _ => days.push(DayTotal(day, sum, count)),
    }
}

/// One questionnaire total; `seq` is its place in the history (or the order it was added),
/// which breaks ties between totals given at the same instant, as the engine's stable
/// sort by time does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Scored {
    #[serde(rename = "t")]
    pub at: Stamp,
    #[serde(rename = "q")]
    pub seq: u64,
    #[serde(rename = "v")]
    pub total: u8,
}

impl Scored {
    fn key(&self) -> (Stamp, u64) {
        (self.at, self.seq)
    }
}

/// What the questionnaire rules need of one instrument's totals, in any number of them:
/// the first, the latest, and the lowest of all but the latest (earliest on a tie).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ScoreFold {
    #[serde(rename = "f")]
    pub first: Scored,
    #[serde(rename = "l")]
    pub latest: Scored,
    /// `None` while there is only one total.
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    pub best: Option<Scored>,
}

impl ScoreFold {
    /// Folds one total into an instrument's fold, starting it when there is none.
    pub fn add(fold: &mut Option<ScoreFold>, q: Scored) {
        let Some(f) = fold else {
            *fold = Some(ScoreFold {
                first: q,
                latest: q,
                best: None,
            });
            return;
        };
        if q.key() < f.first.key() {
            f.first = q;
        }
        // Whichever of the new total and the old latest is not the latest joins the earlier ones.
        let earlier = if q.key() > f.latest.key() {
            std::mem::replace(&mut f.latest, q)
        } else {
            q
        };
        let lower = |a: &Scored, b: &Scored| (a.total, a.key()) < (b.total, b.key());
        f.best = match f.best {
            Some(b) if !lower(&earlier, &b) => Some(b),
            _ => Some(earlier),
        };
    }
}

/// A PHQ-9 whose item 9 was above 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Item9 {
    #[serde(rename = "t")]
    pub at: Stamp,
    #[serde(rename = "q")]
    pub seq: u64,
    #[serde(rename = "d")]
    pub day: Day,
    #[serde(rename = "v")]
    pub item9: u8,
}

/// The PHQ-9s with item 9 above 0 that can still be "the latest in the window".
///
/// The rule takes the latest by time among those whose local day is in the window. Local
/// days almost always follow time, and then one entry is enough; but where clocks fall back
/// across midnight a later instant can have an earlier day, so an entry is dropped only
/// when another is both later and on a day no earlier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Item9Front(pub Vec<Item9>);

impl Item9Front {
    /// Keeps `e` unless another entry dominates it.
    pub fn add(&mut self, e: Item9) {
        let key = |x: &Item9| (x.at, x.seq);
        if self.0.iter().any(|f| key(f) > key(&e) && f.day >= e.day) {
            return;
        }
        self.0.retain(|f| !(key(&e) > key(f) && e.day >= f.day));
        self.0.push(e);
    }

    /// The latest (last on a tie) on or after `start`, as the engine picks it.
    pub fn latest_from(&self, start: NaiveDate) -> Option<&Item9> {
        self.0
            .iter()
            .filter(|e| e.day.0 >= start)
            .max_by_key(|e| (e.at, e.seq))
    }
}

/// The rated days before `Facts::days`, read only when a low stretch reaches back past them.
pub(crate) enum Older<'a> {
    /// There are none.
    #[cfg(test)]
    Nothing,
    /// The check-ins of a full history at or before `at` on days before `before`.
    History {
        history: &'a History,
        at: DateTime<Utc>,
        before: NaiveDate,
    },
    /// A summary's record of its older days.
    Stairs(&'a super::summary::Stairs),
}

impl Older<'_> {
    /// How many of the latest older rated days are all low (going back until one is not),
    /// and the oldest of them; `None` when the newest older day is not low or there is none.
    pub fn low_tail(&self, is_low: impl Fn(f64) -> bool) -> Option<(u32, NaiveDate)> {
        match self {
            #[cfg(test)]
            Older::Nothing => None,
            Older::Stairs(stairs) => stairs.low_tail(is_low),
            Older::History {
                history,
                at,
                before,
            } => {
                let mut days = Vec::new();
                for c in history.checkins.iter().filter(|c| c.at <= *at) {
                    let day = history.local_day(c.at);
                    if day < *before {
                        add_mood(&mut days, day, u64::from(c.mood.get()), 1);
                    }
                }
                let mut tail: Option<(u32, NaiveDate)> = None;
                for d in days.iter().rev() {
                    if !is_low(d.mood()) {
                        break;
                    }
                    let n = tail.map_or(0, |(n, _)| n);
                    tail = Some((n.saturating_add(1), d.0.0));
                }
                tail
            }
        }
    }
}

/// Sessions at or before the moment, turned into local days only when a rule asks (a
/// post-session dip needs a current low stretch first, which is rare).
pub(crate) enum Sessions<'a> {
    /// Their local days, in any order, repeats allowed.
    Days(Vec<NaiveDate>),
    /// The sessions of a full history at or after `from` and at or before `at`.
    History {
        history: &'a History,
        from: DateTime<Utc>,
        at: DateTime<Utc>,
    },
}

impl Sessions<'_> {
    /// Their local days.
    pub fn days(&self) -> Vec<NaiveDate> {
        match self {
            Sessions::Days(days) => days.clone(),
            Sessions::History { history, from, at } => history
                .sessions
                .iter()
                .filter(|s| s.at <= *at && s.at >= *from)
                .map(|s| history.local_day(s.at))
                .collect(),
        }
    }
}

/// Everything the rules read at one moment with one set of settings.
pub(crate) struct Facts<'a> {
    /// The local day of the moment.
    pub today: NaiveDate,
    /// The "usual day" rating.
    pub usual_mood: Option<Rating>,
    /// Rated days at or before the moment, oldest first: at least every day of the last
    /// `day_reach` days, possibly more.
    pub days: Vec<DayMood>,
    /// The rated days before `days`.
    pub older: Older<'a>,
    /// The zone local days are counted in.
    pub tz: TimeZone,
    /// Sessions at or before the moment: at least those of the last `day_reach` days.
    pub sessions: Sessions<'a>,
    /// The time and answer of the latest answered safety question (yes wins a tie).
    pub self_harm: Option<(DateTime<Utc>, bool)>,
    /// The latest local day of a missed-activities check-in, at least when it is in the window.
    pub missed_day: Option<NaiveDate>,
    /// Coping uses without relief in the window.
    pub unhelpful_coping: u32,
    /// PHQ-9s with item 9 above 0, at least those in the window.
    pub item9: Item9Front,
    /// Questionnaire totals per instrument, in `Instrument::ALL` order.
    pub scores: [Option<ScoreFold>; 2],
}

/// The index of an instrument in `Instrument::ALL`.
pub(crate) fn instrument_index(i: Instrument) -> usize {
    match i {
        Instrument::Phq9 => 0,
        Instrument::Gad7 => 1,
    }
}

impl<'a> Facts<'a> {
    /// The facts of a full history at a moment. Only items that can matter are turned into
    /// local days (the costly step): instants are compared first.
    pub fn from_history(
        history: &'a History,
        at: DateTime<Utc>,
        settings: &GuidanceSettings,
    ) -> Facts<'a> {
        let tz = history.timezone;
        let today = tz.local_day(at);
        let from = days_before(today, day_reach(settings));
        let lo = utc_before(from);
        let missed_lo = utc_before(days_before(
            today,
            settings.cant_function_window_days.saturating_sub(1),
        ));
        let item9_lo = utc_before(days_before(
            today,
            settings.phq9_item9_window_days.saturating_sub(1),
        ));

        let mut totals: Vec<DayTotal> = Vec::with_capacity(64);
        // The latest answered safety question: a later answer wins, and on a tie a yes.
        let mut self_harm: Option<(DateTime<Utc>, bool)> = None;
        let mut missed_day = None;
        for c in &history.checkins {
            if c.at > at {
                continue;
            }
            if let Some(yes) = c.self_harm_thoughts {
                match &mut self_harm {
                    Some((when, answer)) if c.at <= *when => {
                        if c.at == *when {
                            *answer |= yes;
                        }
                    }
                    _ => self_harm = Some((c.at, yes)),
                }
            }
            let missed = c.missed_usual_activities == Some(true);
            if c.at < lo && !(missed && c.at >= missed_lo) {
                continue;
            }
            let day = tz.local_day(c.at);
            if missed && c.at >= missed_lo {
                missed_day = missed_day.max(Some(day));
            }
            if c.at >= lo && day >= from {
                add_mood(&mut totals, day, u64::from(c.mood.get()), 1);
            }
        }

        let unhelpful = unhelpful_uses(history, at, settings);

        let mut folds: [Option<ScoreFold>; 2] = [None, None];
        let mut item9 = Item9Front::default();
        for (seq, q) in (0u64..).zip(&history.questionnaires) {
            if q.at > at {
                continue;
            }
            let instrument = q.answers.instrument();
            if let Some(fold) = folds.get_mut(instrument_index(instrument)) {
                let total = q.answers.total();
                ScoreFold::add(
                    fold,
                    Scored {
                        at: Stamp(q.at),
                        seq,
                        total,
                    },
                );
            }
            if instrument == Instrument::Phq9
                && q.at >= item9_lo
                && let Some(v) = q.answers.item(9).filter(|v| *v > 0)
            {
                item9.add(Item9 {
                    at: Stamp(q.at),
                    seq,
                    day: Day(tz.local_day(q.at)),
                    item9: v,
                });
            }
        }

        Facts {
            today,
            usual_mood: history.usual_mood,
            days: totals.iter().map(DayTotal::day_mood).collect(),
            older: Older::History {
                history,
                at,
                before: from,
            },
            tz,
            sessions: Sessions::History {
                history,
                from: lo,
                at,
            },
            self_harm,
            missed_day,
            unhelpful_coping: u32::try_from(unhelpful).unwrap_or(u32::MAX),
            item9,
            scores: folds,
        }
    }
}

/// Uses of a coping tool within the window before `at` that brought no relief.
fn unhelpful_uses(history: &History, at: DateTime<Utc>, settings: &GuidanceSettings) -> usize {
    let since = at - Duration::hours(i64::from(settings.coping_window_hours));
    history
        .coping
        .iter()
        .filter(|c| c.at <= at && c.at >= since && c.brought_no_relief() == Some(true))
        .count()
}

#[cfg(test)]
mod tests {
    //! `Facts::from_history` reads only a window and folds questionnaires as it goes; here it
    //! is checked against facts taken the plain way the rules used to take them (every rated
    //! day, every session, questionnaires sorted by time), on generated histories.

    use super::*;
    use crate::guidance::{Guidance, assess_facts, days::day_moods};
    use crate::history::{CheckInRecord, CopingRecord, QuestionnaireRecord, SessionRecord};
    use crate::questionnaire::Answers;
    use proptest::prelude::*;

    fn plain_facts<'a>(
        history: &'a History,
        at: DateTime<Utc>,
        settings: &GuidanceSettings,
    ) -> Facts<'a> {
        let today = history.local_day(at);
        let self_harm = history
            .checkins
            .iter()
            .filter(|c| c.at <= at)
            .filter_map(|c| c.self_harm_thoughts.map(|yes| (c.at, yes)))
            .max();
        let missed_day = history
            .checkins
            .iter()
            .filter(|c| c.at <= at && c.missed_usual_activities == Some(true))
            .map(|c| history.local_day(c.at))
            .max();
        let start = days_before(today, settings.phq9_item9_window_days.saturating_sub(1));
        let mut item9 = Item9Front::default();
        if let Some((seq, q)) = (0u64..)
            .zip(&history.questionnaires)
            .filter(|(_, q)| q.at <= at && q.answers.instrument() == Instrument::Phq9)
            .filter(|(_, q)| history.local_day(q.at) >= start)
            .filter(|(_, q)| q.answers.item(9).is_some_and(|v| v > 0))
            .max_by_key(|(_, q)| q.at)
        {
            item9.0.push(Item9 {
                at: Stamp(q.at),
                seq,
                day: Day(history.local_day(q.at)),
                item9: q.answers.item(9).unwrap_or(0),
            });
        }
        let scores = Instrument::ALL.map(|instrument| {
            let mut totals: Vec<Scored> = (0u64..)
                .zip(&history.questionnaires)
                .filter(|(_, q)| q.at <= at && q.answers.instrument() == instrument)
                .map(|(seq, q)| Scored {
                    at: Stamp(q.at),
                    seq,
                    total: q.answers.total(),
                })
                .collect();
            totals.sort_by_key(|s| s.at);
            let latest = *totals.last()?;
            let earlier = totals.get(..totals.len() - 1)?;
            let best = earlier.iter().min_by_key(|s| s.total).copied();
            Some(ScoreFold {
                first: *totals.first()?,
                latest,
                best,
            })
        });
        let unhelpful = unhelpful_uses(history, at, settings);
        Facts {
            today,
            usual_mood: history.usual_mood,
            days: day_moods(history, at),
            older: Older::Nothing,
            tz: history.timezone,
            sessions: Sessions::Days(
                history
                    .sessions
                    .iter()
                    .filter(|s| s.at <= at)
                    .map(|s| history.local_day(s.at))
                    .collect(),
            ),
            self_harm,
            missed_day,
            unhelpful_coping: u32::try_from(unhelpful).unwrap_or(u32::MAX),
            item9,
            scores,
        }
    }

    fn t0() -> DateTime<Utc> {
        "2019-01-20T00:00:00Z".parse().unwrap()
    }

    fn r(v: i64) -> Rating {
        Rating::new(v.clamp(0, 10)).unwrap()
    }

    prop_compose! {
        /// Histories over 120 days, some sparse and low against a high usual day (long low
        /// stretches), with many items at the same instant and questionnaire totals that
        /// repeat (answers often all alike), in zones with clock changes.
        fn history()(
            tz in prop::sample::select(vec!["UTC", "America/Sao_Paulo", "Europe/London", "Australia/Sydney"]),
            usual in prop::option::of(0i64..=10),
            level in 1i64..=9,
            checkins in prop::collection::vec((0i64..960, -3i64..=3, prop::option::of(any::<bool>()), prop::option::weighted(0.1, any::<bool>())), 0..200),
            sessions in prop::collection::vec(0i64..960, 0..15),
            coping in prop::collection::vec((0i64..960, 4i64..=6, 3i64..=7), 0..20),
            questionnaires in prop::collection::vec((0i64..120, prop::sample::select(vec![10i64, 10, 23]), any::<bool>(), any::<bool>(), 0u8..=3, prop::collection::vec(0u8..=3, 9)), 0..14),
        ) -> History {
            let mut h = History::new(TimeZone::parse(tz).unwrap());
            h.usual_mood = usual.map(r);
            let at = |slot: i64| t0() + Duration::hours(3 * slot);
            for (slot, noise, self_harm, missed) in checkins {
                let mut c = CheckInRecord::new(at(slot), r(level + noise));
                c.self_harm_thoughts = self_harm;
                c.missed_usual_activities = missed;
                h.checkins.push(c);
            }
            for slot in sessions {
                h.sessions.push(SessionRecord { at: at(slot) });
            }
            for (slot, before, after) in coping {
                h.coping.push(CopingRecord { at: at(slot), tool: None, distress_before: Some(r(before)), distress_after: Some(r(after)) });
            }
            for (day, hour, phq9, alike, v, mut items) in questionnaires {
                if alike {
                    items = vec![v; 9];
                }
                let when = t0() + Duration::days(day) + Duration::hours(hour);
                let answers = if phq9 {
                    Answers::new(Instrument::Phq9, &items)
                } else {
                    Answers::new(Instrument::Gad7, &items[..7])
                };
                h.questionnaires.push(QuestionnaireRecord { at: when, answers: answers.unwrap() });
            }
            h
        }
    }

    fn wide() -> GuidanceSettings {
        GuidanceSettings {
            baseline_min_rated_days: 8,
            low_points: 1.0,
            low_z: 1.0,
            persisting_min_rated_days: 2,
            coping_min_unhelpful_uses: 1,
            phq9_reliable_change: 3,
            gad7_reliable_change: 3,
            ..GuidanceSettings::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn windowed_facts_give_the_plain_guidance(h in history(), hours in prop::collection::vec(0i64..1000, 1..4)) {
            for settings in [GuidanceSettings::default(), wide()] {
                for hour in &hours {
                    let at = t0() + Duration::hours(*hour);
                    let plain: Guidance = assess_facts(&plain_facts(&h, at, &settings), &settings);
                    let windowed = assess_facts(&Facts::from_history(&h, at, &settings), &settings);
                    prop_assert_eq!(windowed, plain, "at {}", at);
                }
            }
        }
    }
}
