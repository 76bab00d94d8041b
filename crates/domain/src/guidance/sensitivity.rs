//! How sensitive one person's guidance is to lower days: the two thresholds a therapist may
//! tune for a client, each only within bounds that keep the rule meaningful. Why these
//! bounds is in docs/guidance.md ("Sensitivity set by a therapist").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::GuidanceSettings;
use crate::checkin::FieldError;

/// The default low-day threshold, in tenths of a rating point (2 points).
pub const LOW_POINTS_DEFAULT_TENTHS: u8 = 20;
/// The smallest low-day threshold a therapist may set (1.5 points): below it, an ordinary
/// day's ups and downs on a 0–10 scale would start to count as low days.
pub const LOW_POINTS_MIN_TENTHS: u8 = 15;
/// The largest low-day threshold a therapist may set (3 points): above it, a clearly harder
/// day for most people would no longer count.
pub const LOW_POINTS_MAX_TENTHS: u8 = 30;
/// The default number of rated low days in a row that make a stretch "persisting" (3).
pub const PERSISTING_DEFAULT_DAYS: u8 = 3;
/// The fewest a therapist may set (2): one low day is never a pattern.
pub const PERSISTING_MIN_DAYS: u8 = 2;
/// The most a therapist may set (5): the usual advice is to call after two or three days,
/// and waiting beyond five days stretches it too far.
pub const PERSISTING_MAX_DAYS: u8 = 5;

/// The two thresholds, always within their bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sensitivity {
    low_points_tenths: u8,
    persisting_days: u8,
}

impl Default for Sensitivity {
    fn default() -> Self {
        Sensitivity {
            low_points_tenths: LOW_POINTS_DEFAULT_TENTHS,
            persisting_days: PERSISTING_DEFAULT_DAYS,
        }
    }
}

/// What a therapist sends: each threshold optional (missing means the default).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivityInput {
    /// Points below the person's usual mood that make a day low (1.5–3, in steps of 0.1).
    pub low_points: Option<f64>,
    /// Rated low days in a row that make a stretch persisting (2–5).
    pub persisting_min_rated_days: Option<i64>,
}

impl SensitivityInput {
    /// Checks both thresholds against their bounds, naming each one outside them.
    pub fn validate(&self) -> Result<Sensitivity, Vec<FieldError>> {
        let mut errors = Vec::new();
        let low = match self.low_points {
            None => Some(LOW_POINTS_DEFAULT_TENTHS),
            Some(v) => {
                let tenths = (v * 10.0).round();
                let in_bounds = v.is_finite()
                    && (v * 10.0 - tenths).abs() < 1e-6
                    && tenths >= f64::from(LOW_POINTS_MIN_TENTHS)
                    && tenths <= f64::from(LOW_POINTS_MAX_TENTHS);
                if in_bounds {
                    // In bounds, so it fits: 15..=30.
                    u8::try_from(tenths as i64).ok()
                } else {
                    errors.push(FieldError::new(
                        "low_points",
                        format!(
                            "A low day can be set between {} and {} points below the usual, in steps of 0.1.",
                            points(LOW_POINTS_MIN_TENTHS),
                            points(LOW_POINTS_MAX_TENTHS)
                        ),
                    ));
                    None
                }
            }
        };
        let days = match self.persisting_min_rated_days {
            None => Some(PERSISTING_DEFAULT_DAYS),
            Some(d)
                if (i64::from(PERSISTING_MIN_DAYS)..=i64::from(PERSISTING_MAX_DAYS))
                    .contains(&d) =>
            {
                u8::try_from(d).ok()
            }
            Some(_) => {
                errors.push(FieldError::new(
                    "persisting_min_rated_days",
                    format!(
                        "Low days in a row can be set between {PERSISTING_MIN_DAYS} and {PERSISTING_MAX_DAYS}."
                    ),
                ));
                None
            }
        };
        match (low, days) {
            (Some(low_points_tenths), Some(persisting_days)) if errors.is_empty() => {
                Ok(Sensitivity {
                    low_points_tenths,
                    persisting_days,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Tenths of a point as a person reads them: "1.5", "2".
pub fn points(tenths: u8) -> String {
    if tenths.is_multiple_of(10) {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

impl Sensitivity {
    /// The thresholds as stored (`NULL` is the default); `None` when a stored value is
    /// outside its bounds (the database refuses those, so that is damage).
    pub fn from_stored(low_tenths: Option<i64>, persisting: Option<i64>) -> Option<Sensitivity> {
        let low = match low_tenths {
            None => LOW_POINTS_DEFAULT_TENTHS,
            Some(t) => u8::try_from(t)
                .ok()
                .filter(|t| (LOW_POINTS_MIN_TENTHS..=LOW_POINTS_MAX_TENTHS).contains(t))?,
        };
        let days = match persisting {
            None => PERSISTING_DEFAULT_DAYS,
            Some(d) => u8::try_from(d)
                .ok()
                .filter(|d| (PERSISTING_MIN_DAYS..=PERSISTING_MAX_DAYS).contains(d))?,
        };
        Some(Sensitivity {
            low_points_tenths: low,
            persisting_days: days,
        })
    }

    /// The low-day threshold as stored: `None` when it is the default.
    pub fn stored_low_tenths(&self) -> Option<i64> {
        (self.low_points_tenths != LOW_POINTS_DEFAULT_TENTHS)
            .then_some(i64::from(self.low_points_tenths))
    }

    /// The persisting threshold as stored: `None` when it is the default.
    pub fn stored_persisting_days(&self) -> Option<i64> {
        (self.persisting_days != PERSISTING_DEFAULT_DAYS).then_some(i64::from(self.persisting_days))
    }

    /// Whether both thresholds are the defaults.
    pub fn is_default(&self) -> bool {
        *self == Sensitivity::default()
    }

    /// Points below the usual mood that make a day low.
    pub fn low_points(&self) -> f64 {
        f64::from(self.low_points_tenths) / 10.0
    }

    /// The low-day threshold in tenths of a point.
    pub fn low_points_tenths(&self) -> u8 {
        self.low_points_tenths
    }

    /// Rated low days in a row that make a stretch persisting.
    pub fn persisting_min_rated_days(&self) -> u32 {
        u32::from(self.persisting_days)
    }

    /// The settings with these thresholds in place of theirs.
    pub fn apply(&self, settings: GuidanceSettings) -> GuidanceSettings {
        GuidanceSettings {
            low_points: self.low_points(),
            persisting_min_rated_days: self.persisting_min_rated_days(),
            ..settings
        }
    }

    /// The engine's settings for a person with these thresholds.
    pub fn settings(&self) -> GuidanceSettings {
        self.apply(GuidanceSettings::default())
    }

    /// What differs from the defaults, in plain words for the person, naming who asked
    /// ("Your therapist Dr Rivera"); empty when nothing differs.
    pub fn plain_words(&self, who: &str) -> Vec<String> {
        let mut out = Vec::new();
        let usual = LOW_POINTS_DEFAULT_TENTHS;
        if self.low_points_tenths != usual {
            let how = if self.low_points_tenths < usual {
                "to notice lower days sooner"
            } else {
                "to wait for bigger drops before calling a day low"
            };
            out.push(format!(
                "{who} asked the app {how}: a day counts as low when it is {} points below your usual, instead of {}.",
                points(self.low_points_tenths),
                points(usual)
            ));
        }
        let usual = PERSISTING_DEFAULT_DAYS;
        if self.persisting_days != usual {
            let how = if self.persisting_days < usual {
                "to suggest reaching out sooner"
            } else {
                "to wait a little longer before suggesting reaching out"
            };
            out.push(format!(
                "{who} asked the app {how}: after {} low days in a row, instead of {usual}.",
                self.persisting_days
            ));
        }
        out
    }
}

/// A person's sensitivity and who set it last.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tuning {
    /// The thresholds in force.
    pub sensitivity: Sensitivity,
    /// The name of the therapist who set them, as the person sees it; `None` for defaults.
    pub set_by: Option<String>,
    /// When they were set.
    pub set_at: Option<DateTime<Utc>>,
}

impl Tuning {
    /// Who asked, for the person's own pages: "Your therapist Dr Rivera", or "Your
    /// therapist" when the name is not known.
    pub fn who(&self) -> String {
        match self
            .set_by
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(name) => format!("Your therapist {name}"),
            None => "Your therapist".to_string(),
        }
    }

    /// What differs from the defaults, in plain words for the person.
    pub fn plain_words(&self) -> Vec<String> {
        self.sensitivity.plain_words(&self.who())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(low: Option<f64>, days: Option<i64>) -> SensitivityInput {
        SensitivityInput {
            low_points: low,
            persisting_min_rated_days: days,
        }
    }

    #[test]
    fn defaults_are_the_engine_defaults() {
        let s = Sensitivity::default();
        assert_eq!(s.settings(), GuidanceSettings::default());
        assert!(s.is_default());
        assert_eq!(input(None, None).validate(), Ok(s));
        assert_eq!(s.stored_low_tenths(), None);
        assert_eq!(s.stored_persisting_days(), None);
        assert!(s.plain_words("Your therapist").is_empty());
    }

    #[test]
    fn bounds_are_inclusive_and_named_when_crossed() {
        for (low, days) in [(1.5, 2), (3.0, 5), (2.3, 4)] {
            let s = input(Some(low), Some(days)).validate().unwrap();
            assert_eq!(s.low_points(), low);
            assert_eq!(s.persisting_min_rated_days(), u32::try_from(days).unwrap());
            assert_eq!(s.settings().validate(), Ok(()));
        }
        for low in [1.4, 3.1, 0.0, -2.0, 1.55, f64::NAN, f64::INFINITY] {
            let e = input(Some(low), None).validate().unwrap_err();
            assert_eq!(e.len(), 1);
            assert_eq!(e[0].field, "low_points", "{low}");
        }
        for days in [1, 6, 0, -3, 1000] {
            let e = input(None, Some(days)).validate().unwrap_err();
            assert_eq!(e[0].field, "persisting_min_rated_days", "{days}");
        }
        let both = input(Some(9.0), Some(9)).validate().unwrap_err();
        assert_eq!(both.len(), 2);
    }

    #[test]
    fn stored_values_round_trip_and_damage_is_refused() {
        let s = input(Some(1.5), Some(2)).validate().unwrap();
        assert_eq!(
            Sensitivity::from_stored(s.stored_low_tenths(), s.stored_persisting_days()),
            Some(s)
        );
        assert_eq!(
            Sensitivity::from_stored(None, None),
            Some(Sensitivity::default())
        );
        assert_eq!(Sensitivity::from_stored(Some(14), None), None);
        assert_eq!(Sensitivity::from_stored(None, Some(6)), None);
    }

    #[test]
    fn the_person_reads_what_changed_in_plain_words() {
        let t = Tuning {
            sensitivity: input(Some(1.5), Some(2)).validate().unwrap(),
            set_by: Some("Dr Rivera".into()),
            set_at: None,
        };
        assert_eq!(
            t.plain_words(),
            vec![
                "Your therapist Dr Rivera asked the app to notice lower days sooner: a day counts as low when it is 1.5 points below your usual, instead of 2.".to_string(),
                "Your therapist Dr Rivera asked the app to suggest reaching out sooner: after 2 low days in a row, instead of 3.".to_string(),
            ]
        );
        let later = input(Some(2.5), Some(4)).validate().unwrap();
        let words = later.plain_words("Your therapist");
        assert!(words[0].contains("2.5 points below your usual, instead of 2."));
        assert!(words[1].contains("after 4 low days in a row, instead of 3."));
        assert_eq!(points(30), "3");
    }
}
