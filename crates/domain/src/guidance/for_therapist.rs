//! The same levels and reasons in the words a therapist reads about a client: third person,
//! plain, and as calm as the client's own words.

use super::level::Level;
use super::reason::Reason;

impl Level {
    /// A short heading for a therapist's caseload and client page.
    pub fn for_therapist(self) -> &'static str {
        match self {
            Level::Steady => "Nothing stands out",
            Level::ExpectedDip => "An expected dip after a session",
            Level::ReachOut => "May want to hear from you",
            Level::Urgent => "Safety first: reported thoughts of self-harm",
        }
    }
}

impl Reason {
    /// [`Reason::summary`] for the therapist: the same thing seen, said about the client.
    pub fn summary_for_therapist(&self) -> String {
        match self {
            Reason::PostSessionDip { .. } => "Mood has dipped since the last session.".to_owned(),
            Reason::Persisting { days, .. } => format!(
                "Mood much lower than usual on each of the last {} they checked in.",
                if *days == 1 {
                    "day".to_owned()
                } else {
                    format!("{days} days")
                }
            ),
            Reason::Escalating { .. } => {
                "Mood has stayed low and hasn't started to lift.".to_owned()
            }
            Reason::CopingNotWorking { .. } => {
                "Coping exercises haven't been easing their distress.".to_owned()
            }
            Reason::CantFunction { .. } => {
                "Missed work, school or plans because of how they felt.".to_owned()
            }
            Reason::SelfHarmThoughts { .. } => {
                "Said they have had thoughts of harming themselves.".to_owned()
            }
            Reason::Phq9Item9 { .. } => {
                "PHQ-9 answers included thoughts of hurting themselves (item 9).".to_owned()
            }
            Reason::ReliableDeterioration {
                instrument,
                first_total,
                latest_total,
                ..
            } => format!(
                "{} went up from {first_total} to {latest_total}, more than the usual ups and \
                 downs.",
                instrument.name()
            ),
            Reason::Backsliding {
                instrument,
                best_total,
                latest_total,
                ..
            } => format!(
                "{} had come down to {best_total} and is back up to {latest_total}.",
                instrument.name()
            ),
        }
    }
}

/// The short list for a therapist, one line per thing seen: low moods found by several rules
/// are listed once, as on the client's own home page ([`super::summaries`]).
pub fn summaries_for_therapist(reasons: &[Reason]) -> Vec<String> {
    super::reason::low_mood_once(reasons)
        .map(Reason::summary_for_therapist)
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn every_level_has_words_for_the_therapist() {
        for l in Level::ALL {
            assert!(!l.for_therapist().is_empty());
        }
    }

    #[test]
    fn low_moods_seen_by_several_rules_are_listed_once() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let reasons = vec![
            Reason::SelfHarmThoughts { day: d },
            Reason::Persisting {
                days: 4,
                first_day: d,
                latest_day: d,
                baseline: 6.0,
                latest_mood: 2.0,
            },
            Reason::Escalating {
                days: vec![d],
                ewma: vec![1.5],
                limit: 1.0,
                latest_z: 2.0,
                baseline: 6.0,
                latest_mood: 2.0,
            },
        ];
        let said = summaries_for_therapist(&reasons);
        assert_eq!(
            said,
            [
                "Said they have had thoughts of harming themselves.",
                "Mood much lower than usual on each of the last 4 days they checked in.",
            ]
        );
    }
}
