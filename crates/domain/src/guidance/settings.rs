//! Every threshold of the guidance engine in one place, so a therapist can tune them.

use serde::{Deserialize, Serialize};

/// The thresholds of every guidance rule; `Default` gives the documented values.
///
/// Missing fields take their default when deserialized, so a tuned profile only needs the
/// numbers it changes; unknown fields are refused so that a misspelt name is not ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuidanceSettings {
    /// Length of the baseline window in days (28).
    pub baseline_window_days: u32,
    /// Most recent days left out of the baseline window, today included (7).
    pub baseline_gap_days: u32,
    /// Rated days the baseline window needs before the "usual day" rating is set aside (14).
    pub baseline_min_rated_days: u32,
    /// Scale that turns the median absolute deviation into a standard deviation (1.4826).
    pub mad_scale: f64,
    /// Smallest spread used, in rating points (0.75); also the spread of the usual-day baseline.
    pub spread_floor: f64,
    /// A low day is at least this many spreads below the baseline (1.5).
    pub low_z: f64,
    /// A low day is also at least this many points below the baseline (2).
    pub low_points: f64,
    /// The latest rated day of a current low stretch is at most this many days old (2).
    pub run_max_age_days: u32,
    /// A dip counts as post-session when it starts on a session's day or up to this many days after (3).
    pub dip_start_within_days: u32,
    /// A post-session dip lasts at most this many calendar days, first to latest (3).
    pub dip_max_days: u32,
    /// Rated low days in a row that make a stretch "persisting" (3).
    pub persisting_min_rated_days: u32,
    /// Weight of the newest day in the moving average of daily deviations (0.3).
    pub ewma_lambda: f64,
    /// Days of ratings the moving average runs over (28).
    pub ewma_window_days: u32,
    /// Control limit the moving average must exceed (1.5).
    pub ewma_limit: f64,
    /// Rated days in a row the moving average must stay above its limit (3).
    pub ewma_consecutive_days: u32,
    /// The latest day's own deviation must be at least this (1).
    pub ewma_latest_min_z: f64,
    /// Hours of coping uses looked at (72).
    pub coping_window_hours: u32,
    /// Uses without relief in that window that count as "not working" (3).
    pub coping_min_unhelpful_uses: u32,
    /// Calendar days, today included, in which a missed-activities check-in counts (2).
    pub cant_function_window_days: u32,
    /// Calendar days, today included, in which a PHQ-9 item 9 answer above 0 counts (14).
    pub phq9_item9_window_days: u32,
    /// PHQ-9 reliable change (6).
    pub phq9_reliable_change: u8,
    /// GAD-7 reliable change (4).
    pub gad7_reliable_change: u8,
    /// PHQ-9 caseness threshold (10).
    pub phq9_caseness: u8,
    /// GAD-7 caseness threshold (8).
    pub gad7_caseness: u8,
}

impl Default for GuidanceSettings {
    fn default() -> Self {
        GuidanceSettings {
            baseline_window_days: 28,
            baseline_gap_days: 7,
            baseline_min_rated_days: 14,
            mad_scale: 1.4826,
            spread_floor: 0.75,
            low_z: 1.5,
            low_points: 2.0,
            run_max_age_days: 2,
            dip_start_within_days: 3,
            dip_max_days: 3,
            persisting_min_rated_days: 3,
            ewma_lambda: 0.3,
            ewma_window_days: 28,
            ewma_limit: 1.5,
            ewma_consecutive_days: 3,
            ewma_latest_min_z: 1.0,
            coping_window_hours: 72,
            coping_min_unhelpful_uses: 3,
            cant_function_window_days: 2,
            phq9_item9_window_days: 14,
            phq9_reliable_change: 6,
            gad7_reliable_change: 4,
            phq9_caseness: 10,
            gad7_caseness: 8,
        }
    }
}

/// A setting that would make a rule meaningless.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SettingsError {
    /// The setting's name.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: &'static str,
}

impl GuidanceSettings {
    /// Refuses values that would make a rule meaningless (the engine still runs on them).
    pub fn validate(&self) -> Result<(), SettingsError> {
        let fail = |field, message| Err(SettingsError { field, message });
        let positive = "must be a number above 0";
        if !(self.ewma_lambda > 0.0 && self.ewma_lambda <= 1.0) {
            return fail("ewma_lambda", "must be above 0 and at most 1");
        }
        for (field, value) in [
            ("mad_scale", self.mad_scale),
            ("spread_floor", self.spread_floor),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return fail(field, positive);
            }
        }
        for (field, value) in [
            ("low_z", self.low_z),
            ("low_points", self.low_points),
            ("ewma_limit", self.ewma_limit),
            ("ewma_latest_min_z", self.ewma_latest_min_z),
        ] {
            if !value.is_finite() {
                return fail(field, "must be a finite number");
            }
        }
        for (field, value) in [
            ("baseline_window_days", self.baseline_window_days),
            ("baseline_min_rated_days", self.baseline_min_rated_days),
            ("dip_max_days", self.dip_max_days),
            ("persisting_min_rated_days", self.persisting_min_rated_days),
            ("ewma_window_days", self.ewma_window_days),
            ("ewma_consecutive_days", self.ewma_consecutive_days),
            ("coping_window_hours", self.coping_window_hours),
            ("coping_min_unhelpful_uses", self.coping_min_unhelpful_uses),
            ("cant_function_window_days", self.cant_function_window_days),
            ("phq9_item9_window_days", self.phq9_item9_window_days),
        ] {
            if value == 0 {
                return fail(field, "must be at least 1");
            }
        }
        if self.baseline_min_rated_days > self.baseline_window_days {
            return fail(
                "baseline_min_rated_days",
                "must not exceed baseline_window_days",
            );
        }
        for (field, value) in [
            ("phq9_reliable_change", self.phq9_reliable_change),
            ("gad7_reliable_change", self.gad7_reliable_change),
            ("phq9_caseness", self.phq9_caseness),
            ("gad7_caseness", self.gad7_caseness),
        ] {
            if value == 0 {
                return fail(field, "must be at least 1");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let s = GuidanceSettings::default();
        assert_eq!(s.validate(), Ok(()));
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<GuidanceSettings>(&json).unwrap(), s);
    }

    #[test]
    fn partial_profiles_take_defaults_and_typos_are_refused() {
        let s: GuidanceSettings = serde_json::from_str(r#"{"low_points": 3}"#).unwrap();
        assert_eq!(s.low_points, 3.0);
        assert_eq!(s.low_z, 1.5);
        assert!(serde_json::from_str::<GuidanceSettings>(r#"{"low_point": 3}"#).is_err());
    }

    #[test]
    fn meaningless_values_are_named() {
        let s = GuidanceSettings {
            ewma_lambda: 0.0,
            ..GuidanceSettings::default()
        };
        assert_eq!(s.validate().unwrap_err().field, "ewma_lambda");
        let s = GuidanceSettings {
            ewma_consecutive_days: 0,
            ..GuidanceSettings::default()
        };
        assert_eq!(s.validate().unwrap_err().field, "ewma_consecutive_days");
    }
}
