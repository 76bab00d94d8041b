//! The bedtime routine: a short checklist in the person's own words and a target time, ticked
//! off in the evening, and a plain comparison of the next day's check-in on nights with and
//! without it.
//!
//! Nights are counted in the person's time zone, and a night runs until 05:00: ticking the
//! routine off at 00:40 belongs to the evening before, as it does for the person. The same
//! boundary splits the following days, so "the next check-in" after a night is the first one
//! made once that night is over (see [`compare`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize, Serializer};
use uuid::Uuid;

use crate::checkin::FieldError;
use crate::coping::ToolId;
use crate::history::TimeZone;
use crate::rating::Rating;

/// Most things on a routine: a wind-down is short, or it stops being one.
pub const MAX_ITEMS: usize = 10;
/// Longest thing on a routine, in characters.
pub const MAX_ITEM_CHARS: usize = 120;
/// The local hour a night ends and the next day begins.
pub const NIGHT_ENDS_AT_HOUR: i64 = 5;
/// How many nights the comparison looks back over.
pub const COMPARISON_NIGHTS: u32 = 90;
/// Nights of each kind (with the routine, without) the comparison waits for before showing
/// any numbers: fewer say too little to be worth a sentence.
pub const MIN_NIGHTS_EACH: u32 = 7;
/// The time a new routine's form offers.
pub const DEFAULT_TARGET_TIME: &str = "22:30";

/// Something the routine builder offers with one tap, in our own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggestion {
    /// The words that go on the routine.
    pub text: &'static str,
    /// A tool of the toolkit that guides this step, when there is one.
    pub tool: Option<ToolId>,
}

/// What the builder suggests, in the order it lists them.
pub const SUGGESTIONS: &[Suggestion] = &[
    Suggestion {
        text: "Put screens away",
        tool: None,
    },
    Suggestion {
        text: "Dim the lights",
        tool: None,
    },
    Suggestion {
        text: "A warm drink without caffeine",
        tool: None,
    },
    Suggestion {
        text: "Read a page of a book",
        tool: None,
    },
    Suggestion {
        text: "A round of slow breathing",
        tool: Some(ToolId::Breathing478),
    },
    Suggestion {
        text: "Go to bed at my usual time",
        tool: None,
    },
];

/// The suggestion whose words these are, if any (so a routine's step can link its tool).
pub fn suggestion_for(text: &str) -> Option<&'static Suggestion> {
    SUGGESTIONS
        .iter()
        .find(|s| s.text.eq_ignore_ascii_case(text))
}

/// A person's routine as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BedtimeRoutine {
    /// The steps, in the person's order.
    pub items: Vec<String>,
    /// When they mean to start winding down, local time.
    #[serde(serialize_with = "hh_mm")]
    pub target_time: NaiveTime,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
}

/// A checked routine, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRoutine {
    /// The steps.
    pub items: Vec<String>,
    /// The target time.
    pub target_time: NaiveTime,
}

fn hh_mm<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(*t))
}

/// A time as `HH:MM`, the way it is stored and sent.
pub fn format_time(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// Reads `HH:MM` (or `H:MM`), a whole minute of the day.
pub fn parse_time(raw: &str) -> Option<NaiveTime> {
    let (h, m) = raw.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// A routine as sent by the API or the builder page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutineInput {
    /// The steps, 1 to [`MAX_ITEMS`]; blank ones are left out, and a step given twice is kept
    /// once.
    pub items: Option<Vec<String>>,
    /// `HH:MM`.
    pub target_time: Option<String>,
}

impl RoutineInput {
    /// Checks the routine and returns it, or every problem found.
    pub fn validate(self) -> Result<NewRoutine, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut items: Vec<String> = Vec::new();
        let mut too_long = false;
        for raw in self.items.unwrap_or_default() {
            let text = match crate::text::clean("items", &raw) {
                Ok(t) => t,
                Err(e) => {
                    if !errors.iter().any(|x: &FieldError| x.field == "items") {
                        errors.push(e);
                    }
                    continue;
                }
            };
            // One line each: a step is a line on a checklist.
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                continue;
            }
            too_long |= text.chars().count() > MAX_ITEM_CHARS;
            if !items
                .iter()
                .any(|i| i.to_lowercase() == text.to_lowercase())
            {
                items.push(text);
            }
        }
        if errors.is_empty() {
            let problem = if items.is_empty() {
                Some("Please choose or write at least one thing for your routine.".to_string())
            } else if items.len() > MAX_ITEMS {
                Some(format!(
                    "A routine holds up to {MAX_ITEMS} things, and this one has {}. A short \
                     routine is easier to keep: please leave some out.",
                    items.len()
                ))
            } else if too_long {
                Some(format!(
                    "Please keep each thing under {MAX_ITEM_CHARS} characters."
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                errors.push(FieldError::new("items", message));
            }
        }
        let target_time = match self.target_time.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::new(
                    "target_time",
                    "Please choose a time to start winding down, such as 22:30.",
                ));
                None
            }
            Some(raw) => {
                let t = parse_time(raw);
                if t.is_none() {
                    errors.push(FieldError::new(
                        "target_time",
                        "Please give the time as hours and minutes, such as 22:30.",
                    ));
                }
                t
            }
        };
        match target_time {
            Some(target_time) if errors.is_empty() => Ok(NewRoutine { items, target_time }),
            _ => Err(errors),
        }
    }
}

/// The night an instant belongs to: its local date, where times before 05:00 belong to the
/// evening before.
pub fn night_of(at: DateTime<Utc>, tz: TimeZone) -> NaiveDate {
    (at.with_timezone(&tz.tz()).naive_local() - Duration::hours(NIGHT_ENDS_AT_HOUR)).date()
}

/// The client id of the coping use that logs a night: the same for the same night, so a
/// second "done" the same night is the first one again and never a second use.
///
/// A UUID version 8 (RFC 9562, section 5.8, "custom"): the ASCII of `bedtime:` in the first
/// eight bytes and the night's day number in the last eight, with the version and variant bits
/// set over them. Two nights never share one, and a random (version 4) id never equals one.
pub fn night_client_id(night: NaiveDate) -> Uuid {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(b"bedtime:");
    let day = u64::try_from(night.num_days_from_ce()).unwrap_or_default();
    bytes[8..].copy_from_slice(&day.to_be_bytes());
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// One step ticked off, as the API takes it: its place on the routine (from 0) or its words.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Ticked {
    /// The step's place, counting from 0.
    Index(u64),
    /// The step's words, as on the routine.
    Text(String),
}

/// A night's log as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NightInput {
    /// Optional: the night's own id (see [`night_client_id`]), which a client may send back.
    pub client_id: Option<Uuid>,
    /// When; defaults to now.
    pub at: Option<DateTime<Utc>>,
    /// What was done tonight: at least one step.
    pub ticked: Option<Vec<Ticked>>,
}

/// A checked night's log, ready to store as a coping use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NightLog {
    /// The night it belongs to.
    pub night: NaiveDate,
    /// When it was logged.
    pub at: DateTime<Utc>,
    /// The steps done, in the routine's order.
    pub ticked: Vec<String>,
}

impl NightLog {
    /// The coping use's client id.
    pub fn client_id(&self) -> Uuid {
        night_client_id(self.night)
    }

    /// The coping use's note: the steps done, one a line.
    pub fn note(&self) -> String {
        self.ticked.join("\n")
    }
}

impl NightInput {
    /// Checks a night's log against the routine it ticks off.
    pub fn validate(
        self,
        routine: &BedtimeRoutine,
        tz: TimeZone,
        now: DateTime<Utc>,
    ) -> Result<NightLog, Vec<FieldError>> {
        let mut errors = Vec::new();
        let at = self.at.unwrap_or(now);
        if let Err(e) = crate::when::happened("at", at, now) {
            errors.push(e);
        }
        let night = night_of(at, tz);
        if let Some(sent) = self.client_id
            && sent != night_client_id(night)
        {
            errors.push(FieldError::new(
                "client_id",
                "A night's log is known by its night: leave client_id out, or send the one \
                 this night's log was given.",
            ));
        }
        let mut done = vec![false; routine.items.len()];
        let mut unknown = false;
        for t in self.ticked.unwrap_or_default() {
            let place = match &t {
                Ticked::Index(i) => usize::try_from(*i)
                    .ok()
                    .filter(|i| *i < routine.items.len()),
                Ticked::Text(s) => routine
                    .items
                    .iter()
                    .position(|item| item.eq_ignore_ascii_case(s.trim())),
            };
            match place {
                Some(i) => done[i] = true,
                None => unknown = true,
            }
        }
        if unknown {
            errors.push(FieldError::new(
                "ticked",
                "Something ticked is not on your routine: send each step's place (from 0) or \
                 its words.",
            ));
        } else if !done.contains(&true) {
            errors.push(FieldError::new(
                "ticked",
                "Please tick at least one thing you did tonight.",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let ticked = routine
            .items
            .iter()
            .zip(&done)
            .filter(|(_, d)| **d)
            .map(|(i, _)| i.clone())
            .collect();
        Ok(NightLog { night, at, ticked })
    }
}

/// What the comparison reads of a check-in: when, the mood and the hours slept (if given);
/// never the words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NightCheckIn {
    /// When it was made.
    pub at: DateTime<Utc>,
    /// Mood, 10 = best.
    pub mood: Rating,
    /// Hours of sleep, when the person gave them.
    pub sleep_hours: Option<f64>,
}

/// The next-day check-ins after one kind of night.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct NightsSummary {
    /// Nights of this kind followed by a check-in.
    pub nights: u32,
    /// The mean mood of those check-ins.
    pub mean_mood: Option<f64>,
    /// How many of those check-ins gave hours of sleep.
    pub nights_with_sleep: u32,
    /// The mean hours of sleep, over the check-ins that gave them.
    pub mean_sleep_hours: Option<f64>,
}

/// Nights with the routine beside nights without, over a window of nights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Comparison {
    /// The window's first night.
    pub first_night: NaiveDate,
    /// The window's last night (the one before the current one).
    pub last_night: NaiveDate,
    /// Nights the routine was logged.
    pub with_routine: NightsSummary,
    /// Nights it was not.
    pub without_routine: NightsSummary,
    /// More nights with the routine (and a check-in after) still needed before numbers show.
    pub needed_with: u32,
    /// More nights without it still needed.
    pub needed_without: u32,
    /// Whether there are enough of both to show the numbers.
    pub ready: bool,
}

#[derive(Default)]
struct Sums {
    nights: u32,
    mood: f64,
    sleep_nights: u32,
    sleep: f64,
}

impl Sums {
    fn add(&mut self, c: &NightCheckIn) {
        self.nights += 1;
        self.mood += f64::from(c.mood.get());
        if let Some(h) = c.sleep_hours {
            self.sleep_nights += 1;
            self.sleep += h;
        }
    }

    fn summary(&self) -> NightsSummary {
        let mean = |sum: f64, n: u32| (n > 0).then(|| sum / f64::from(n));
        NightsSummary {
            nights: self.nights,
            mean_mood: mean(self.mood, self.nights),
            nights_with_sleep: self.sleep_nights,
            mean_sleep_hours: mean(self.sleep, self.sleep_nights),
        }
    }
}

/// Compares the next day's check-in after nights with the routine and nights without.
///
/// - The window is the `nights` nights before `current` (the night it is now, by
///   [`night_of`]); the current night is left out, since its next day has not come.
/// - A night D is "with the routine" when a use of the routine was logged that night (by
///   [`night_of`] its time), and "without" otherwise.
/// - Its next check-in is the first check-in of the day after it, D+1: made from 05:00 on
///   D+1 until 05:00 on D+2, by the person's clock, so the same boundary that decides a
///   routine's night decides the day after (a check-in at 01:00 still belongs to the evening
///   before, and says nothing of the sleep to come). It is the earliest check-in that can
///   know how that night went.
/// - A night with no such check-in counts in neither group.
/// - Moods are averaged over every counted night; hours of sleep only over the check-ins that
///   gave them, with their own count.
/// - Numbers are "ready" once there are [`MIN_NIGHTS_EACH`] counted nights of each kind.
pub fn compare(
    logged: &[DateTime<Utc>],
    checkins: &[NightCheckIn],
    tz: TimeZone,
    current: NaiveDate,
    nights: u32,
) -> Comparison {
    let logged: BTreeSet<NaiveDate> = logged.iter().map(|t| night_of(*t, tz)).collect();
    let mut first_of_day: BTreeMap<NaiveDate, &NightCheckIn> = BTreeMap::new();
    for c in checkins {
        let day = night_of(c.at, tz);
        first_of_day
            .entry(day)
            .and_modify(|f| {
                if c.at < f.at {
                    *f = c;
                }
            })
            .or_insert(c);
    }
    let first_night = current - Duration::days(i64::from(nights));
    let last_night = current - Duration::days(1);
    let (mut with, mut without) = (Sums::default(), Sums::default());
    let mut night = first_night;
    while night <= last_night {
        if let Some(c) = first_of_day.get(&(night + Duration::days(1))) {
            if logged.contains(&night) {
                with.add(c);
            } else {
                without.add(c);
            }
        }
        night += Duration::days(1);
    }
    let needed = |s: &Sums| MIN_NIGHTS_EACH.saturating_sub(s.nights);
    Comparison {
        first_night,
        last_night,
        with_routine: with.summary(),
        without_routine: without.summary(),
        needed_with: needed(&with),
        needed_without: needed(&without),
        ready: needed(&with) == 0 && needed(&without) == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn london() -> TimeZone {
        TimeZone::parse("Europe/London").unwrap()
    }

    fn routine(items: &[&str]) -> BedtimeRoutine {
        BedtimeRoutine {
            items: items.iter().map(|s| s.to_string()).collect(),
            target_time: NaiveTime::from_hms_opt(22, 30, 0).unwrap(),
            updated_at: Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap(),
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn a_routine_is_one_to_ten_short_steps_and_a_time() {
        let ok = RoutineInput {
            items: Some(vec![
                " Put screens away ".into(),
                "".into(),
                "put SCREENS away".into(),
                "tea\nwith   honey".into(),
            ]),
            target_time: Some("9:05".into()),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.items, ["Put screens away", "tea with honey"]);
        assert_eq!(ok.target_time, NaiveTime::from_hms_opt(9, 5, 0).unwrap());

        let fields = |input: RoutineInput| -> Vec<&'static str> {
            input
                .validate()
                .unwrap_err()
                .iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields(RoutineInput::default()), ["items", "target_time"]);
        let eleven = (0..11).map(|i| format!("step {i}")).collect();
        assert_eq!(
            fields(RoutineInput {
                items: Some(eleven),
                target_time: Some("24:00".into()),
            }),
            ["items", "target_time"]
        );
        assert_eq!(
            fields(RoutineInput {
                items: Some(vec!["x".repeat(MAX_ITEM_CHARS + 1)]),
                target_time: Some("22:30".into()),
            }),
            ["items"]
        );
        assert_eq!(
            fields(RoutineInput {
                items: Some(vec!["a\u{0}b".into()]),
                target_time: Some("22:3".into()),
            }),
            ["items", "target_time"]
        );
        let ten = (0..10).map(|i| format!("step {i}")).collect();
        assert!(
            RoutineInput {
                items: Some(ten),
                target_time: Some("23:59".into()),
            }
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn times_are_hours_and_minutes() {
        assert_eq!(parse_time("00:00"), NaiveTime::from_hms_opt(0, 0, 0));
        assert_eq!(parse_time(" 23:59 "), NaiveTime::from_hms_opt(23, 59, 0));
        for bad in [
            "", "22", "22:5", "22:60", "24:00", "-1:00", "22:30:00", "ab:cd", "+2:30",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert_eq!(
            format_time(NaiveTime::from_hms_opt(7, 5, 0).unwrap()),
            "07:05"
        );
    }

    #[test]
    fn a_night_runs_until_five_in_the_morning_local_time() {
        let tz = london();
        // 23:30 and 04:59 the next morning are the same night; 05:00 is the next day.
        let evening = Utc.with_ymd_and_hms(2026, 11, 10, 23, 30, 0).unwrap();
        let late = Utc.with_ymd_and_hms(2026, 11, 11, 4, 59, 0).unwrap();
        let morning = Utc.with_ymd_and_hms(2026, 11, 11, 5, 0, 0).unwrap();
        assert_eq!(night_of(evening, tz), day(10));
        assert_eq!(night_of(late, tz), day(10));
        assert_eq!(night_of(morning, tz), day(11));
        // In Sydney (UTC+11 in November), 20:00 UTC is 07:00 the next day.
        let sydney = TimeZone::parse("Australia/Sydney").unwrap();
        assert_eq!(
            night_of(
                Utc.with_ymd_and_hms(2026, 11, 10, 20, 0, 0).unwrap(),
                sydney
            ),
            day(11)
        );
        assert_eq!(
            night_of(
                Utc.with_ymd_and_hms(2026, 11, 10, 17, 0, 0).unwrap(),
                sydney
            ),
            day(10)
        );
    }

    #[test]
    fn each_night_has_its_own_stable_client_id() {
        let a = night_client_id(day(10));
        assert_eq!(a, night_client_id(day(10)));
        assert_ne!(a, night_client_id(day(11)));
        assert_eq!(a.get_version_num(), 8);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
    }

    #[test]
    fn a_night_ticks_steps_by_place_or_words_in_the_routines_order() {
        let r = routine(&["Put screens away", "Dim the lights", "Read a page"]);
        let now = Utc.with_ymd_and_hms(2026, 11, 10, 22, 10, 0).unwrap();
        let log = NightInput {
            ticked: Some(vec![
                Ticked::Text("read a PAGE".into()),
                Ticked::Index(0),
                Ticked::Index(0),
            ]),
            ..Default::default()
        }
        .validate(&r, london(), now)
        .unwrap();
        assert_eq!(log.ticked, ["Put screens away", "Read a page"]);
        assert_eq!(log.night, day(10));
        assert_eq!(log.at, now);
        assert_eq!(log.note(), "Put screens away\nRead a page");
        assert_eq!(log.client_id(), night_client_id(day(10)));

        let problem = |input: NightInput| -> Vec<&'static str> {
            input
                .validate(&r, london(), now)
                .unwrap_err()
                .iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(problem(NightInput::default()), ["ticked"]);
        assert_eq!(
            problem(NightInput {
                ticked: Some(vec![Ticked::Index(3)]),
                ..Default::default()
            }),
            ["ticked"]
        );
        assert_eq!(
            problem(NightInput {
                ticked: Some(vec![Ticked::Text("Go for a run".into())]),
                ..Default::default()
            }),
            ["ticked"]
        );
        assert_eq!(
            problem(NightInput {
                client_id: Some(night_client_id(day(9))),
                at: Some(now + Duration::days(3)),
                ticked: Some(vec![Ticked::Index(1)]),
            }),
            ["at", "client_id"]
        );
        // The night's own id may be sent back.
        assert!(
            NightInput {
                client_id: Some(night_client_id(day(10))),
                ticked: Some(vec![Ticked::Index(1)]),
                ..Default::default()
            }
            .validate(&r, london(), now)
            .is_ok()
        );
    }

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        // London is on UTC in November.
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
    }

    fn checkin(at: DateTime<Utc>, mood: i64, sleep: Option<f64>) -> NightCheckIn {
        NightCheckIn {
            at,
            mood: Rating::new(mood).unwrap(),
            sleep_hours: sleep,
        }
    }

    #[test]
    fn the_next_check_in_is_the_first_of_the_day_after_the_night() {
        let tz = london();
        // Night of the 10th with the routine (logged 00:30 on the 11th, still that night).
        // The check-in at 01:00 on the 11th belongs to the evening before; the 08:00 one is
        // the next check-in; the evening one that day is not.
        let logged = [at(11, 0, 30)];
        let checkins = [
            checkin(at(11, 1, 0), 1, Some(2.0)),
            checkin(at(11, 21, 0), 2, Some(3.0)),
            checkin(at(11, 8, 0), 8, Some(7.5)),
            // The 12th: after the night of the 11th, without the routine, no sleep given.
            checkin(at(12, 19, 0), 4, None),
            // The 14th follows the night of the 13th, which is outside a 3-night window
            // ending with the night of the 13th as the current one.
            checkin(at(14, 9, 0), 9, Some(9.0)),
        ];
        let c = compare(&logged, &checkins, tz, day(13), 3);
        assert_eq!(c.first_night, day(10));
        assert_eq!(c.last_night, day(12));
        assert_eq!(
            c.with_routine,
            NightsSummary {
                nights: 1,
                mean_mood: Some(8.0),
                nights_with_sleep: 1,
                mean_sleep_hours: Some(7.5),
            }
        );
        // The night of the 11th (check-in on the 12th), and the 12th has none after it.
        assert_eq!(
            c.without_routine,
            NightsSummary {
                nights: 1,
                mean_mood: Some(4.0),
                nights_with_sleep: 0,
                mean_sleep_hours: None,
            }
        );
        assert_eq!((c.needed_with, c.needed_without, c.ready), (6, 6, false));
    }

    #[test]
    fn numbers_are_ready_with_seven_nights_of_each() {
        let tz = london();
        // Nights of the 1st to the 14th, each followed by a morning check-in; the routine on
        // the odd ones. With: mood 7, sleep 8 (on all but one); without: mood 5, sleep 6.
        let mut logged = Vec::new();
        let mut checkins = Vec::new();
        for d in 1..=14 {
            let with = d % 2 == 1;
            if with {
                logged.push(at(d, 22, 0));
            }
            let sleep = match (with, d) {
                (true, 1) => None,
                (true, _) => Some(8.0),
                (false, _) => Some(6.0),
            };
            checkins.push(checkin(at(d + 1, 7, 30), if with { 7 } else { 5 }, sleep));
        }
        let c = compare(&logged, &checkins, tz, day(15), 90);
        assert!(c.ready);
        assert_eq!(c.with_routine.nights, 7);
        assert_eq!(c.with_routine.nights_with_sleep, 6);
        assert_eq!(c.with_routine.mean_sleep_hours, Some(8.0));
        assert_eq!(c.with_routine.mean_mood, Some(7.0));
        assert_eq!(c.without_routine.nights, 7);
        assert_eq!(c.without_routine.mean_sleep_hours, Some(6.0));
        assert_eq!(c.without_routine.mean_mood, Some(5.0));
        assert_eq!((c.needed_with, c.needed_without), (0, 0));
        // One night fewer of one kind, and it waits.
        let c = compare(&logged[1..], &checkins, tz, day(15), 90);
        assert!(!c.ready);
        assert_eq!((c.needed_with, c.needed_without), (1, 0));
    }

    #[test]
    fn suggestions_are_found_by_their_words() {
        assert_eq!(
            suggestion_for("a round of SLOW breathing").and_then(|s| s.tool),
            Some(ToolId::Breathing478)
        );
        assert!(suggestion_for("Go for a run").is_none());
        assert!(
            SUGGESTIONS
                .iter()
                .all(|s| s.text.chars().count() <= MAX_ITEM_CHARS)
        );
    }
}
