//! A small per-account summary, kept up to date as items are written, from which guidance
//! is assessed without reading the history again.
//!
//! The summary keeps exactly what the rules can still use at its clock or later:
//!
//! - the mood ratings of each local day of the last days the day-based rules reach back to
//!   (baseline window, moving average, post-session dips), as a sum and a count, so a day
//!   takes the same room however many check-ins it has;
//! - for older days, only the "stairs" a low stretch would climb down: going back in time,
//!   each day rated higher than every later older day (see [`Stairs`]);
//! - the latest safety answer, the latest missed-activities day, the session days still in
//!   reach, coping uses without relief still in their window, and per instrument the first,
//!   latest and best-before-latest questionnaire totals;
//! - items dated after its clock, whole, so that they count once their time comes and not
//!   before (check-ins at the same instant share one entry).
//!
//! Assessing the summary builds the same [`Facts`] the engine builds from a full history,
//! so the rules, and every tie they break, are the same code.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::days::days_before;
use super::facts::{
    DayTotal, Facts, Item9, Item9Front, Older, ScoreFold, Scored, Sessions, add_mood, day_reach,
    instrument_index,
};
use super::stamp::{Day, Stamp};
use super::{Guidance, GuidanceSettings, assess_facts};
use crate::history::{
    CheckInRecord, CopingRecord, History, QuestionnaireRecord, SessionRecord, TimeZone,
};
use crate::rating::Rating;

/// Extra days kept beyond what the rules reach: where clocks fall back across midnight an
/// instant after the clock can lie on the day before the clock's day.
const MARGIN_DAYS: u32 = 2;

/// Whether an item was taken in exactly.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// The summary now gives the same guidance as the history with the item.
    Exact,
    /// The check-in is dated on a day older than the days the summary keeps whole (days
    /// whose ratings it has folded into its stairs): rebuild with
    /// [`GuidanceSummary::from_history`].
    NeedsRebuild,
}

/// How far back from its clock the summary keeps days and coping uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Keep {
    #[serde(rename = "d")]
    days: u32,
    #[serde(rename = "h")]
    hours: u32,
}

impl Keep {
    fn for_settings(s: &GuidanceSettings) -> Keep {
        Keep {
            days: day_reach(s).saturating_add(MARGIN_DAYS),
            hours: s.coping_window_hours,
        }
    }
}

/// The older rated days, reduced to what a low stretch reaching back into them needs.
///
/// "Low" is `mood ≤ some threshold` (the threshold depends on the baseline and settings, known
/// only when assessing). A stretch going back from the newest older day stops at the first
/// day above the threshold; that day is always a "step": a day rated higher than every
/// older day after it. The steps have strictly falling moods, oldest first, so there are few
/// of them, and each knows how many older days are after it and which day comes next.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Stairs {
    /// Older rated days in all.
    #[serde(rename = "n", default)]
    count: u64,
    /// The oldest of them.
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    oldest: Option<Day>,
    /// The steps, oldest first.
    #[serde(rename = "r", default, skip_serializing_if = "Vec::is_empty")]
    steps: Vec<Step>,
}

/// One step: the day, its place among the older days (0 = oldest), and the older day just
/// after it (none for the newest).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Step(DayTotal, u64, Option<Day>);

impl Stairs {
    fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Adds a day newer than every older day so far.
    fn push(&mut self, day: DayTotal) {
        let mood = day.mood();
        let place = self.count;
        self.count = self.count.saturating_add(1);
        self.oldest.get_or_insert(day.0);
        // A step no higher than the new day can no longer stop a stretch before the new day does.
        while self.steps.last().is_some_and(|s| s.0.mood() <= mood) {
            self.steps.pop();
        }
        if let Some(prev) = self.steps.last_mut()
            && prev.1.saturating_add(1) == place
        {
            prev.2 = Some(day.0);
        }
        self.steps.push(Step(day, place, None));
    }

    /// See [`Older::low_tail`]. `is_low` must hold for every mood up to some value and for
    /// none above it, as the baseline's test does (its spread is positive).
    pub(crate) fn low_tail(&self, is_low: impl Fn(f64) -> bool) -> Option<(u32, NaiveDate)> {
        let newest = self.steps.last()?;
        if !is_low(newest.0.mood()) {
            return None;
        }
        let newest_place = self.count.saturating_sub(1);
        for step in self.steps.iter().rev() {
            if !is_low(step.0.mood()) {
                let after = newest_place.saturating_sub(step.1);
                return Some((u32::try_from(after).unwrap_or(u32::MAX), step.2?.0));
            }
        }
        Some((
            u32::try_from(self.count).unwrap_or(u32::MAX),
            self.oldest?.0,
        ))
    }
}

/// Check-ins at one instant after the clock: the sum and count of their moods, and flags
/// (bit 0: missed activities; bits 1–2: the safety answer, 0 none, 1 no, 2 yes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Ahead(Stamp, u64, u32, u8);

const MISSED: u8 = 1;

fn flags(c: &CheckInRecord) -> u8 {
    let safety = match c.self_harm_thoughts {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    };
    u8::from(c.missed_usual_activities == Some(true)) | (safety << 1)
}

fn safety_answer(flags: u8) -> Option<bool> {
    match flags >> 1 {
        0 => None,
        1 => Some(false),
        _ => Some(true),
    }
}

/// A questionnaire after the clock: time, order added, instrument index, total, item 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct AheadQ(Stamp, u64, u8, u8, u8);

fn fold_questionnaire(
    folds: &mut [Option<ScoreFold>; 2],
    item9: &mut Item9Front,
    tz: TimeZone,
    q: &AheadQ,
) {
    let AheadQ(at, seq, instrument, total, nine) = *q;
    if let Some(fold) = folds.get_mut(usize::from(instrument)) {
        ScoreFold::add(fold, Scored { at, seq, total });
    }
    if instrument == 0 && nine > 0 {
        item9.add(Item9 {
            at,
            seq,
            day: Day(tz.local_day(at.0)),
            item9: nine,
        });
    }
}

fn no_scores(scores: &[Option<ScoreFold>; 2]) -> bool {
    scores.iter().all(Option::is_none)
}

fn no_item9(front: &Item9Front) -> bool {
    front.0.is_empty()
}

/// One account's guidance summary; see the module documentation. Stored as compact JSON.
///
/// Contract: for a history `H`, adding `H`'s items in any order (questionnaires at the same
/// instant count in the order added, as in a history listed in write order), with
/// [`advance`](Self::advance) calls at non-decreasing times in between, rebuilding with
/// [`from_history`](Self::from_history) whenever an add answers [`Added::NeedsRebuild`], then
/// `assess(H.usual_mood, at, s)` equals `assess_with(&H, at, s)` for every `at` at or after the
/// last `advance` and every settings `s` the summary [`covers`](Self::covers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuidanceSummary {
    #[serde(rename = "z")]
    tz: TimeZone,
    #[serde(rename = "k")]
    keep: Keep,
    /// The latest `advance`; `None` before the first, when every item is "ahead".
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    clock: Option<Stamp>,
    /// Questionnaires added so far: their order breaks ties in time.
    #[serde(rename = "s", default)]
    seq: u64,
    /// Rated days from the cutoff on, oldest first.
    #[serde(rename = "d", default, skip_serializing_if = "Vec::is_empty")]
    days: Vec<DayTotal>,
    #[serde(rename = "o", default, skip_serializing_if = "Stairs::is_empty")]
    stairs: Stairs,
    /// Check-ins after the clock, by time.
    #[serde(rename = "p", default, skip_serializing_if = "Vec::is_empty")]
    ahead: Vec<Ahead>,
    /// The latest answered safety question at or before the clock (yes wins a tie).
    #[serde(rename = "h", default, skip_serializing_if = "Option::is_none")]
    self_harm: Option<(Stamp, bool)>,
    /// The latest local day of a missed-activities check-in at or before the clock.
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    missed: Option<Day>,
    /// Local days of sessions at or before the clock, from the cutoff on, sorted.
    #[serde(rename = "n", default, skip_serializing_if = "Vec::is_empty")]
    session_days: Vec<Day>,
    /// Sessions after the clock, by time.
    #[serde(rename = "f", default, skip_serializing_if = "Vec::is_empty")]
    sessions_ahead: Vec<Stamp>,
    /// Coping uses without relief still in reach, by time, with how many at that instant.
    #[serde(rename = "u", default, skip_serializing_if = "Vec::is_empty")]
    unhelpful: Vec<(Stamp, u32)>,
    /// PHQ-9 then GAD-7 totals at or before the clock.
    #[serde(rename = "q", default, skip_serializing_if = "no_scores")]
    scores: [Option<ScoreFold>; 2],
    /// PHQ-9s at or before the clock with item 9 above 0.
    #[serde(rename = "i", default, skip_serializing_if = "no_item9")]
    item9: Item9Front,
    /// Questionnaires after the clock.
    #[serde(rename = "w", default, skip_serializing_if = "Vec::is_empty")]
    questionnaires_ahead: Vec<AheadQ>,
}

impl Default for GuidanceSummary {
    fn default() -> Self {
        GuidanceSummary::new(TimeZone::UTC)
    }
}

impl GuidanceSummary {
    /// An empty summary in a time zone, keeping what the default settings need.
    pub fn new(tz: TimeZone) -> GuidanceSummary {
        GuidanceSummary::with_settings(tz, &GuidanceSettings::default())
    }

    /// An empty summary keeping what `settings` need (and any settings that look back no
    /// further).
    pub fn with_settings(tz: TimeZone, settings: &GuidanceSettings) -> GuidanceSummary {
        GuidanceSummary {
            tz,
            keep: Keep::for_settings(settings),
            clock: None,
            seq: 0,
            days: Vec::new(),
            stairs: Stairs::default(),
            ahead: Vec::new(),
            self_harm: None,
            missed: None,
            session_days: Vec::new(),
            sessions_ahead: Vec::new(),
            unhelpful: Vec::new(),
            scores: [None, None],
            item9: Item9Front::default(),
            questionnaires_ahead: Vec::new(),
        }
    }

    /// The summary of a whole history at `now`, keeping what the default settings need: for
    /// an account without one, or after a deletion or a time-zone change.
    pub fn from_history(history: &History, now: DateTime<Utc>) -> GuidanceSummary {
        GuidanceSummary::from_history_with(history, now, &GuidanceSettings::default())
    }

    /// The summary of a whole history at `now`, keeping what `settings` need.
    pub fn from_history_with(
        history: &History,
        now: DateTime<Utc>,
        settings: &GuidanceSettings,
    ) -> GuidanceSummary {
        let mut s = GuidanceSummary::with_settings(history.timezone, settings);
        s.clock = Some(Stamp(now));
        for c in &history.checkins {
            let mood = u64::from(c.mood.get());
            if c.at > now {
                insert_ahead(&mut s.ahead, Ahead(Stamp(c.at), mood, 1, flags(c)));
            } else {
                // Every day goes in whole first; `settle` then folds the old ones in order.
                s.fold_checkin(Stamp(c.at), history.local_day(c.at), mood, 1, flags(c));
            }
        }
        s.settle(now);
        for x in &history.sessions {
            s.add_session(x);
        }
        for c in &history.coping {
            s.add_coping(c);
        }
        for q in &history.questionnaires {
            s.add_questionnaire(q);
        }
        s
    }

    /// The time zone days are counted in; after a change, rebuild with `from_history`.
    pub fn timezone(&self) -> TimeZone {
        self.tz
    }

    /// The time of the latest [`advance`](Self::advance), if any.
    pub fn clock(&self) -> Option<DateTime<Utc>> {
        self.clock.map(|c| c.0)
    }

    /// Whether the summary keeps enough to assess exactly with `settings`.
    pub fn covers(&self, settings: &GuidanceSettings) -> bool {
        let needed = Keep::for_settings(settings);
        needed.days <= self.keep.days && needed.hours <= self.keep.hours
    }

    fn cutoff(&self) -> Option<NaiveDate> {
        let clock = self.clock?;
        Some(days_before(self.tz.local_day(clock.0), self.keep.days))
    }

    fn is_ahead(&self, at: DateTime<Utc>) -> bool {
        self.clock.is_none_or(|k| at > k.0)
    }

    /// Takes in a check-in; see [`Added`] for the one case that needs a rebuild.
    pub fn add_checkin(&mut self, c: &CheckInRecord) -> Added {
        let mood = u64::from(c.mood.get());
        if self.is_ahead(c.at) {
            insert_ahead(&mut self.ahead, Ahead(Stamp(c.at), mood, 1, flags(c)));
            return Added::Exact;
        }
        let day = self.tz.local_day(c.at);
        if self.cutoff().is_some_and(|cut| day < cut) {
            return Added::NeedsRebuild;
        }
        self.fold_checkin(Stamp(c.at), day, mood, 1, flags(c));
        Added::Exact
    }

    /// Folds check-ins at or before the clock into their day, whatever its age: callers
    /// make sure a day before the cutoff is newer than every day in the stairs.
    fn fold_checkin(&mut self, at: Stamp, day: NaiveDate, sum: u64, count: u32, flags: u8) {
        if let Some(yes) = safety_answer(flags) {
            self.self_harm = self.self_harm.max(Some((at, yes)));
        }
        if flags & MISSED != 0 {
            self.missed = self.missed.max(Some(Day(day)));
        }
        add_mood(&mut self.days, day, sum, count);
    }

    /// Takes in a session: its day once its time has come.
    pub fn add_session(&mut self, s: &SessionRecord) {
        if self.is_ahead(s.at) {
            let i = self.sessions_ahead.partition_point(|t| t.0 <= s.at);
            self.sessions_ahead.insert(i, Stamp(s.at));
        } else {
            self.add_session_day(self.tz.local_day(s.at));
        }
    }

    fn add_session_day(&mut self, day: NaiveDate) {
        if self.cutoff().is_some_and(|cut| day < cut) {
            // Too old to be the session a current dip follows.
            return;
        }
        if let Err(i) = self.session_days.binary_search(&Day(day)) {
            self.session_days.insert(i, Day(day));
        }
    }

    /// Takes in a coping use; only uses that brought no relief and may still be in the
    /// window are kept.
    pub fn add_coping(&mut self, c: &CopingRecord) {
        if c.brought_no_relief() != Some(true) {
            return;
        }
        if let Some(clock) = self.clock {
            let since = clock.0.checked_sub_signed(hours(self.keep.hours));
            if since.is_some_and(|since| c.at < since) {
                return;
            }
        }
        match self.unhelpful.binary_search_by_key(&Stamp(c.at), |u| u.0) {
            Ok(i) => {
                if let Some(u) = self.unhelpful.get_mut(i) {
                    u.1 = u.1.saturating_add(1);
                }
            }
            Err(i) => self.unhelpful.insert(i, (Stamp(c.at), 1)),
        }
    }

    /// Takes in a questionnaire; those at the same instant count in the order added.
    pub fn add_questionnaire(&mut self, q: &QuestionnaireRecord) {
        let seq = self.seq;
        self.seq = self.seq.saturating_add(1);
        let instrument = u8::try_from(instrument_index(q.answers.instrument())).unwrap_or(0);
        let nine = q.answers.item(9).unwrap_or(0);
        let entry = AheadQ(Stamp(q.at), seq, instrument, q.answers.total(), nine);
        if self.is_ahead(q.at) {
            self.questionnaires_ahead.push(entry);
        } else {
            fold_questionnaire(&mut self.scores, &mut self.item9, self.tz, &entry);
        }
    }

    /// Moves the clock forward to `now` (an earlier time is ignored): items whose time has
    /// come are folded in, and what no assessment at or after `now` can use is dropped.
    pub fn advance(&mut self, now: DateTime<Utc>) {
        if self.clock.is_some_and(|k| now <= k.0) {
            return;
        }
        self.clock = Some(Stamp(now));
        let due = self.ahead.partition_point(|a| a.0.0 <= now);
        let checkins: Vec<Ahead> = self.ahead.drain(..due).collect();
        for Ahead(at, sum, count, flags) in checkins {
            // Days before the new cutoff go in whole; `settle` folds them into the stairs.
            self.fold_checkin(at, self.tz.local_day(at.0), sum, count, flags);
        }
        let due = self.sessions_ahead.partition_point(|t| t.0 <= now);
        let sessions: Vec<Stamp> = self.sessions_ahead.drain(..due).collect();
        for t in sessions {
            self.add_session_day(self.tz.local_day(t.0));
        }
        let (due, ahead): (Vec<AheadQ>, Vec<AheadQ>) =
            self.questionnaires_ahead.iter().partition(|q| q.0.0 <= now);
        self.questionnaires_ahead = ahead;
        for q in &due {
            fold_questionnaire(&mut self.scores, &mut self.item9, self.tz, q);
        }
        self.settle(now);
    }

    /// Folds days before the cutoff into the stairs, oldest first, and drops session days
    /// and coping uses out of reach.
    fn settle(&mut self, now: DateTime<Utc>) {
        let Some(cut) = self.cutoff() else {
            return;
        };
        let old = self.days.partition_point(|d| d.0.0 < cut);
        for day in self.days.drain(..old) {
            self.stairs.push(day);
        }
        self.session_days.retain(|d| d.0 >= cut);
        if let Some(since) = now.checked_sub_signed(hours(self.keep.hours)) {
            self.unhelpful.retain(|u| u.0.0 >= since);
        }
    }

    /// The guidance at `at` (at or after the clock) with the default settings.
    pub fn assess_default(&self, usual_mood: Option<Rating>, at: DateTime<Utc>) -> Guidance {
        self.assess(usual_mood, at, &GuidanceSettings::default())
    }

    /// The guidance at `at`, which must be at or after the clock, with `settings`, which the
    /// summary must [`cover`](Self::covers): then equal to `assess_with` on the full history.
    pub fn assess(
        &self,
        usual_mood: Option<Rating>,
        at: DateTime<Utc>,
        settings: &GuidanceSettings,
    ) -> Guidance {
        let tz = self.tz;
        let mut totals = self.days.clone();
        let mut self_harm = self.self_harm;
        let mut missed = self.missed.map(|d| d.0);
        for &Ahead(when, sum, count, flags) in self.ahead.iter().take_while(|a| a.0.0 <= at) {
            if let Some(yes) = safety_answer(flags) {
                self_harm = self_harm.max(Some((when, yes)));
            }
            let day = tz.local_day(when.0);
            if flags & MISSED != 0 {
                missed = missed.max(Some(day));
            }
            add_mood(&mut totals, day, sum, count);
        }
        let mut session_days: Vec<NaiveDate> = self.session_days.iter().map(|d| d.0).collect();
        session_days.extend(
            self.sessions_ahead
                .iter()
                .take_while(|t| t.0 <= at)
                .map(|t| tz.local_day(t.0)),
        );
        // The same window arithmetic as the engine's, so the same instants count.
        let since = at - Duration::hours(i64::from(settings.coping_window_hours));
        let uses: u64 = self
            .unhelpful
            .iter()
            .filter(|u| u.0.0 >= since && u.0.0 <= at)
            .map(|u| u64::from(u.1))
            .sum();
        let mut folds = self.scores;
        let mut item9 = self.item9.clone();
        for q in self.questionnaires_ahead.iter().filter(|q| q.0.0 <= at) {
            fold_questionnaire(&mut folds, &mut item9, tz, q);
        }
        let facts = Facts {
            today: tz.local_day(at),
            usual_mood,
            days: totals.iter().map(DayTotal::day_mood).collect(),
            older: Older::Stairs(&self.stairs),
            tz,
            sessions: Sessions::Days(session_days),
            self_harm: self_harm.map(|(t, yes)| (t.0, yes)),
            missed_day: missed,
            unhelpful_coping: u32::try_from(uses).unwrap_or(u32::MAX),
            item9,
            scores: folds,
        };
        assess_facts(&facts, settings)
    }
}

fn hours(h: u32) -> Duration {
    Duration::hours(i64::from(h))
}

/// Adds check-ins to those at the same instant, or as a new instant in time order.
fn insert_ahead(ahead: &mut Vec<Ahead>, a: Ahead) {
    match ahead.binary_search_by_key(&a.0, |x| x.0) {
        Ok(i) => {
            if let Some(x) = ahead.get_mut(i) {
                x.1 = x.1.saturating_add(a.1);
                x.2 = x.2.saturating_add(a.2);
                x.3 = ((x.3 | a.3) & MISSED) | ((x.3 >> 1).max(a.3 >> 1) << 1);
            }
        }
        Err(i) => ahead.insert(i, a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(day: i64, mood: u64) -> DayTotal {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + Duration::days(day);
        DayTotal(Day(d), mood, 1)
    }

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + Duration::days(n)
    }

    #[test]
    fn stairs_find_where_a_low_stretch_stops() {
        let mut stairs = Stairs::default();
        // Oldest first: 9, 3, 6, 2, 4, 3; only 9, 6, 4 and 3 (the newest) are steps.
        for (i, mood) in [9, 3, 6, 2, 4, 3].into_iter().enumerate() {
            stairs.push(total(i as i64, mood));
        }
        assert_eq!(stairs.steps.len(), 4);
        let below = |limit: f64| move |m: f64| m <= limit;
        assert_eq!(stairs.low_tail(below(2.0)), None);
        assert_eq!(stairs.low_tail(below(3.0)), Some((1, day(5))));
        assert_eq!(stairs.low_tail(below(4.0)), Some((3, day(3))));
        assert_eq!(stairs.low_tail(below(8.0)), Some((5, day(1))));
        assert_eq!(stairs.low_tail(below(9.0)), Some((6, day(0))));
    }

    #[test]
    fn a_summary_keeps_what_its_settings_need() {
        let s = GuidanceSummary::new(TimeZone::UTC);
        assert!(s.covers(&GuidanceSettings::default()));
        let wider = GuidanceSettings {
            baseline_window_days: 60,
            ..GuidanceSettings::default()
        };
        assert!(!s.covers(&wider));
        assert!(GuidanceSummary::with_settings(TimeZone::UTC, &wider).covers(&wider));
        assert_eq!(s, GuidanceSummary::default());
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"z":"UTC","k":{"d":36,"h":72},"s":0}"#
        );
    }

    #[test]
    fn a_checkin_older_than_the_kept_days_asks_for_a_rebuild() {
        let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        let mut s = GuidanceSummary::new(TimeZone::UTC);
        s.advance(now);
        let mood = Rating::new(5).unwrap();
        let recent = CheckInRecord::new(now - Duration::days(36), mood);
        assert_eq!(s.add_checkin(&recent), Added::Exact);
        let old = CheckInRecord::new(now - Duration::days(37), mood);
        assert_eq!(s.add_checkin(&old), Added::NeedsRebuild);
    }
}
