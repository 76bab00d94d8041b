//! The reasons behind a guidance level: a code, the evidence in numbers and dates, and a
//! plain sentence of what was seen.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::level::Level;
use crate::questionnaire::Instrument;

/// One thing the engine saw, with its evidence; serialized as `{"code": ..., evidence...}`.
///
/// Moods and averages are rounded to two decimals; days are the person's local calendar days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// Lower than usual, starting on or soon after a session's day, for a few days at most.
    PostSessionDip {
        /// The day of the session the dip follows.
        session_day: NaiveDate,
        /// Rated low days so far.
        days: u32,
        /// Calendar days from the first to the latest low day, both included.
        calendar_days: u32,
        /// The first low day.
        first_day: NaiveDate,
        /// The latest low day.
        latest_day: NaiveDate,
        /// The personal baseline mood.
        baseline: f64,
        /// The latest low day's mood.
        latest_mood: f64,
    },
    /// Low on several rated days in a row, and not a short post-session dip.
    Persisting {
        /// Rated low days in a row.
        days: u32,
        /// The first of them.
        first_day: NaiveDate,
        /// The latest of them.
        latest_day: NaiveDate,
        /// The personal baseline mood.
        baseline: f64,
        /// The latest low day's mood.
        latest_mood: f64,
    },
    /// The moving average of daily deviations stayed above its limit with no lift.
    Escalating {
        /// The rated days the average stayed above the limit on, oldest first.
        days: Vec<NaiveDate>,
        /// The moving average on each of those days.
        ewma: Vec<f64>,
        /// The limit it exceeded.
        limit: f64,
        /// The latest day's own deviation, in spreads below the baseline.
        latest_z: f64,
        /// The personal baseline mood.
        baseline: f64,
        /// The latest day's mood.
        latest_mood: f64,
    },
    /// While low, several coping exercises did not bring distress down.
    CopingNotWorking {
        /// Uses that ended with distress no lower than it started.
        uses: u32,
        /// The window looked at, in hours up to the moment of assessment.
        window_hours: u32,
        /// The personal baseline mood.
        baseline: f64,
        /// The latest day's mood.
        latest_mood: f64,
    },
    /// A recent check-in said usual activities were missed because of how they felt.
    CantFunction {
        /// The day of the latest such check-in.
        day: NaiveDate,
        /// The calendar days looked at, today included.
        window_days: u32,
    },
    /// The latest answer to the safety question was yes.
    SelfHarmThoughts {
        /// The day of that check-in.
        day: NaiveDate,
    },
    /// A recent PHQ-9 had item 9 above 0.
    Phq9Item9 {
        /// The day of the latest such PHQ-9.
        day: NaiveDate,
        /// Its item 9 answer (1–3).
        item9: u8,
        /// The calendar days looked at, today included.
        window_days: u32,
    },
    /// The latest total is reliably higher than the first.
    ReliableDeterioration {
        /// PHQ-9 or GAD-7.
        instrument: Instrument,
        /// The first total.
        first_total: u8,
        /// Its day.
        first_day: NaiveDate,
        /// The latest total.
        latest_total: u8,
        /// Its day.
        latest_day: NaiveDate,
        /// Latest minus first.
        rise: u8,
    },
    /// After reliable improvement, the total went back up.
    Backsliding {
        /// PHQ-9 or GAD-7.
        instrument: Instrument,
        /// The first total.
        first_total: u8,
        /// Its day.
        first_day: NaiveDate,
        /// The lowest total before the latest.
        best_total: u8,
        /// Its day.
        best_day: NaiveDate,
        /// The latest total.
        latest_total: u8,
        /// Its day.
        latest_day: NaiveDate,
        /// The latest total is at caseness again after having been below it.
        back_in_clinical_range: bool,
        /// Latest minus best.
        rise_from_best: u8,
    },
}

impl Reason {
    /// The level this reason calls for.
    pub fn level(&self) -> Level {
        match self {
            Reason::PostSessionDip { .. } => Level::ExpectedDip,
            Reason::SelfHarmThoughts { .. } | Reason::Phq9Item9 { .. } => Level::Urgent,
            Reason::Persisting { .. }
            | Reason::Escalating { .. }
            | Reason::CopingNotWorking { .. }
            | Reason::CantFunction { .. }
            | Reason::ReliableDeterioration { .. }
            | Reason::Backsliding { .. } => Level::ReachOut,
        }
    }

    /// The stable snake_case code, as serialized.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::PostSessionDip { .. } => "post_session_dip",
            Reason::Persisting { .. } => "persisting",
            Reason::Escalating { .. } => "escalating",
            Reason::CopingNotWorking { .. } => "coping_not_working",
            Reason::CantFunction { .. } => "cant_function",
            Reason::SelfHarmThoughts { .. } => "self_harm_thoughts",
            Reason::Phq9Item9 { .. } => "phq9_item9",
            Reason::ReliableDeterioration { .. } => "reliable_deterioration",
            Reason::Backsliding { .. } => "backsliding",
        }
    }

    /// A plain, kind sentence of what was seen, with its evidence (days and scores), for the
    /// details under the home page's list and for the brief.
    pub fn sentence(&self) -> String {
        match self {
            Reason::PostSessionDip {
                session_day,
                first_day,
                ..
            } => {
                let after = (*first_day - *session_day).num_days();
                let when = match after {
                    0 => "the day of your session".to_owned(),
                    1 => format!("the day after your session on {}", day(*session_day)),
                    n => format!("{n} days after your session on {}", day(*session_day)),
                };
                format!(
                    "Your mood has been lower than usual since {}, {when}.",
                    day(*first_day)
                )
            }
            Reason::Persisting {
                days,
                first_day,
                baseline,
                latest_mood,
                ..
            } => format!(
                "Since {} you checked in on {}, and each time your mood was much lower than \
                 your usual {}; the latest was {} out of 10.",
                day(*first_day),
                count(*days, "day"),
                mood(*baseline),
                mood(*latest_mood)
            ),
            Reason::Escalating {
                days, latest_mood, ..
            } => match days.first() {
                Some(first) => format!(
                    "Since {} your mood has stayed well below your usual without lifting; the \
                     latest was {} out of 10.",
                    day(*first),
                    mood(*latest_mood)
                ),
                None => "Your mood has stayed well below your usual without lifting.".to_owned(),
            },
            Reason::CopingNotWorking {
                uses, window_hours, ..
            } => format!(
                "In the last {} you tried a coping exercise {}, and your distress didn't go \
                 down, while your mood was much lower than usual.",
                hours(*window_hours),
                times(*uses)
            ),
            Reason::CantFunction { day: d, .. } => format!(
                "On {} you said you missed work, school or plans because of how you felt.",
                day(*d)
            ),
            Reason::SelfHarmThoughts { day: d } => format!(
                "On {} you said you have had thoughts of harming yourself or ending your life.",
                day(*d)
            ),
            Reason::Phq9Item9 { day: d, .. } => format!(
                "In your PHQ-9 on {} you said you have had thoughts of being better off dead or \
                 of hurting yourself.",
                day(*d)
            ),
            Reason::ReliableDeterioration {
                instrument,
                first_total,
                first_day,
                latest_total,
                latest_day,
                ..
            } => format!(
                "Your {} score went from {first_total} on {} to {latest_total} on {}. A rise \
                 of {} or more is bigger than the usual ups and downs.",
                named(*instrument),
                day(*first_day),
                day(*latest_day),
                instrument.reliable_change()
            ),
            Reason::Backsliding {
                instrument,
                first_total,
                best_total,
                best_day,
                latest_total,
                latest_day,
                ..
            } => format!(
                "Your {} score had come down from {first_total} to {best_total} by {}, and \
                 was back up to {latest_total} on {}.",
                named(*instrument),
                day(*best_day),
                day(*latest_day)
            ),
        }
    }

    /// The same in a few words, for the short list on the home page; the evidence stays in
    /// `sentence`.
    pub fn summary(&self) -> String {
        match self {
            Reason::PostSessionDip { .. } => "Your mood has dipped since your session.".to_owned(),
            Reason::Persisting { days, .. } => format!(
                "Your mood has been much lower than usual on each of the last {} you checked in.",
                count(*days, "day")
            ),
            Reason::Escalating { .. } => {
                "Your mood has stayed low and hasn't started to lift.".to_owned()
            }
            Reason::CopingNotWorking { .. } => {
                "Your coping exercises haven't been easing your distress.".to_owned()
            }
            Reason::CantFunction { .. } => {
                "You missed work, school or plans because of how you felt.".to_owned()
            }
            Reason::SelfHarmThoughts { .. } => {
                "You said you have had thoughts of harming yourself.".to_owned()
            }
            Reason::Phq9Item9 { .. } => {
                "Your PHQ-9 answers included thoughts of hurting yourself.".to_owned()
            }
            Reason::ReliableDeterioration {
                instrument,
                first_total,
                latest_total,
                ..
            } => format!(
                "Your {} score has gone up from {first_total} to {latest_total}.",
                named(*instrument)
            ),
            Reason::Backsliding {
                instrument,
                best_total,
                latest_total,
                ..
            } => format!(
                "Your {} score had come down to {best_total} and is back up to {latest_total}.",
                named(*instrument)
            ),
        }
    }

    /// Whether this reason is about day moods being low, which several rules see at once.
    pub(crate) fn is_low_mood(&self) -> bool {
        matches!(
            self,
            Reason::PostSessionDip { .. } | Reason::Persisting { .. } | Reason::Escalating { .. }
        )
    }
}

/// The short list for the home page: one line per thing seen. Low moods found by several
/// rules (low days in a row, a slide that does not lift, a dip after a session) are one
/// thing to the person, so only the first of them, the one of the highest level, is listed.
pub fn summaries(reasons: &[Reason]) -> Vec<String> {
    low_mood_once(reasons).map(Reason::summary).collect()
}

/// The reasons with every low-mood one after the first left out: one line per thing seen.
pub(crate) fn low_mood_once(reasons: &[Reason]) -> impl Iterator<Item = &Reason> {
    let mut low_mood_said = false;
    reasons.iter().filter(move |r| {
        if !r.is_low_mood() {
            return true;
        }
        let first = !low_mood_said;
        low_mood_said = true;
        first
    })
}

/// "PHQ-9 (low mood)": the name people see on the form, with what it asks about.
fn named(instrument: Instrument) -> String {
    let topic = match instrument {
        Instrument::Phq9 => "low mood",
        Instrument::Gad7 => "anxiety",
    };
    format!("{} ({topic})", instrument.name())
}

/// A mood or baseline as people say it: "7", or "6.5" when it is not whole.
pub(crate) fn mood(m: f64) -> String {
    let tenths = (m * 10.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}")
    } else {
        format!("{tenths:.1}")
    }
}

/// "1 day", "4 days".
fn count(n: u32, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// "once", "twice", "3 times".
fn times(n: u32) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

/// A window in hours, in days when it is whole days: "3 days", "36 hours".
fn hours(h: u32) -> String {
    if h.is_multiple_of(24) {
        count(h / 24, "day")
    } else {
        count(h, "hour")
    }
}

/// A day as people write it: "5 March".
fn day(d: NaiveDate) -> String {
    d.format("%-d %B").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn persisting_serializes_as_documented() {
        let r = Reason::Persisting {
            days: 4,
            first_day: d("2026-03-05"),
            latest_day: d("2026-03-08"),
            baseline: 7.0,
            latest_mood: 3.0,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"code":"persisting","days":4,"first_day":"2026-03-05","latest_day":"2026-03-08","baseline":7.0,"latest_mood":3.0}"#
        );
        assert_eq!(
            r.sentence(),
            "Since 5 March you checked in on 4 days, and each time your mood was much lower \
             than your usual 7; the latest was 3 out of 10."
        );
        assert_eq!(
            r.summary(),
            "Your mood has been much lower than usual on each of the last 4 days you checked in."
        );
        let back: Reason = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn codes_match_serialization() {
        let reasons = [
            Reason::Phq9Item9 {
                day: d("2026-03-05"),
                item9: 1,
                window_days: 14,
            },
            Reason::CantFunction {
                day: d("2026-03-05"),
                window_days: 2,
            },
            Reason::SelfHarmThoughts {
                day: d("2026-03-05"),
            },
            Reason::PostSessionDip {
                session_day: d("2026-03-03"),
                days: 2,
                calendar_days: 2,
                first_day: d("2026-03-04"),
                latest_day: d("2026-03-05"),
                baseline: 7.0,
                latest_mood: 4.0,
            },
        ];
        for r in reasons {
            let v = serde_json::to_value(&r).unwrap();
            assert_eq!(v["code"], r.code());
            assert!(r.sentence().ends_with('.'));
        }
    }

    #[test]
    fn dip_sentence_names_the_session() {
        let dip = |first: &str| Reason::PostSessionDip {
            session_day: d("2026-03-03"),
            days: 1,
            calendar_days: 1,
            first_day: d(first),
            latest_day: d(first),
            baseline: 7.0,
            latest_mood: 4.0,
        };
        assert_eq!(
            dip("2026-03-03").sentence(),
            "Your mood has been lower than usual since 3 March, the day of your session."
        );
        assert_eq!(
            dip("2026-03-04").sentence(),
            "Your mood has been lower than usual since 4 March, the day after your session on 3 March."
        );
        assert_eq!(
            dip("2026-03-06").sentence(),
            "Your mood has been lower than usual since 6 March, 3 days after your session on 3 March."
        );
    }

    #[test]
    fn the_short_list_says_low_mood_once_and_keeps_everything_else() {
        let persisting = Reason::Persisting {
            days: 4,
            first_day: d("2026-03-05"),
            latest_day: d("2026-03-08"),
            baseline: 6.5,
            latest_mood: 2.0,
        };
        let escalating = Reason::Escalating {
            days: vec![d("2026-03-06"), d("2026-03-07")],
            ewma: vec![1.2, 1.4],
            limit: 1.0,
            latest_z: 2.0,
            baseline: 6.5,
            latest_mood: 2.0,
        };
        let cant = Reason::CantFunction {
            day: d("2026-03-08"),
            window_days: 2,
        };
        let lines = summaries(&[persisting.clone(), escalating.clone(), cant]);
        assert_eq!(
            lines,
            [
                "Your mood has been much lower than usual on each of the last 4 days you checked in.",
                "You missed work, school or plans because of how you felt.",
            ]
        );
        // Alone, the slide without a lift still has its own line.
        assert_eq!(
            summaries(std::slice::from_ref(&escalating)),
            ["Your mood has stayed low and hasn't started to lift."]
        );
        // The evidence keeps the numbers, in words.
        assert!(
            persisting
                .sentence()
                .contains("your usual 6.5; the latest was 2 out of 10")
        );
        for r in [persisting, escalating] {
            let s = r.sentence().to_lowercase();
            assert!(!s.contains("rated"), "{s}");
        }
    }

    #[test]
    fn score_rises_name_the_questionnaire_and_the_usual_ups_and_downs() {
        let r = Reason::ReliableDeterioration {
            instrument: Instrument::Phq9,
            first_total: 5,
            first_day: d("2026-03-01"),
            latest_total: 11,
            latest_day: d("2026-03-22"),
            rise: 6,
        };
        assert_eq!(
            r.summary(),
            "Your PHQ-9 (low mood) score has gone up from 5 to 11."
        );
        assert_eq!(
            r.sentence(),
            "Your PHQ-9 (low mood) score went from 5 on 1 March to 11 on 22 March. A rise of 6 \
             or more is bigger than the usual ups and downs."
        );
    }
}
