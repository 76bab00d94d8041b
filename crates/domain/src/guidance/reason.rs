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

    /// A plain, kind sentence of what was seen, for the home page and the drafted message.
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
                days, first_day, ..
            } => format!(
                "Your mood has been much lower than usual on {days} rated days since {}.",
                day(*first_day)
            ),
            Reason::Escalating { days, .. } => match days.first() {
                Some(first) => format!(
                    "Your recent check-ins show your mood staying well below your usual level, \
                     without lifting, since {}.",
                    day(*first)
                ),
                None => "Your recent check-ins show your mood staying well below your usual \
                         level, without lifting."
                    .to_owned(),
            },
            Reason::CopingNotWorking {
                uses, window_hours, ..
            } => format!(
                "In the last {window_hours} hours you used coping exercises {uses} times without \
                 your distress going down, while your mood has been much lower than usual."
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
                "On {} your PHQ-9 answers included thoughts of hurting yourself.",
                day(*d)
            ),
            Reason::ReliableDeterioration {
                instrument,
                first_total,
                first_day,
                latest_total,
                latest_day,
                rise,
            } => format!(
                "Your {instrument} score went up from {first_total} on {} to {latest_total} on {}, \
                 a rise of {rise} points, which is more than everyday ups and downs.",
                day(*first_day),
                day(*latest_day)
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
                "Your {instrument} score had come down from {first_total} to {best_total} by {}, \
                 and was back up to {latest_total} on {}.",
                day(*best_day),
                day(*latest_day)
            ),
        }
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
            "Your mood has been much lower than usual on 4 rated days since 5 March."
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
}
