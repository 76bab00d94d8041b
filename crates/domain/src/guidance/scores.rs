//! Questionnaire trends: reliable deterioration and backsliding against earlier totals.

use chrono::{DateTime, Utc};

use super::reason::Reason;
use super::settings::GuidanceSettings;
use crate::history::History;
use crate::questionnaire::Instrument;

/// Both questionnaire rules for both instruments, PHQ-9 first.
pub(crate) fn questionnaire_reasons(
    history: &History,
    at: DateTime<Utc>,
    settings: &GuidanceSettings,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    for instrument in Instrument::ALL {
        let (rc, caseness) = match instrument {
            Instrument::Phq9 => (settings.phq9_reliable_change, settings.phq9_caseness),
            Instrument::Gad7 => (settings.gad7_reliable_change, settings.gad7_caseness),
        };
        let mut totals: Vec<(DateTime<Utc>, u8)> = history
            .questionnaires
            .iter()
            .filter(|q| q.at <= at && q.answers.instrument() == instrument)
            .map(|q| (q.at, q.answers.total()))
            .collect();
        totals.sort_by_key(|(when, _)| *when);
        let (Some(first), Some(latest)) = (totals.first().copied(), totals.last().copied()) else {
            continue;
        };
        if totals.len() < 2 {
            continue;
        }
        let day = |when| history.local_day(when);
        if latest.1 >= first.1.saturating_add(rc) {
            reasons.push(Reason::ReliableDeterioration {
                instrument,
                first_total: first.1,
                first_day: day(first.0),
                latest_total: latest.1,
                latest_day: day(latest.0),
                rise: latest.1 - first.1,
            });
        }
        let earlier = totals.get(..totals.len() - 1).unwrap_or_default();
        let Some(best) = earlier.iter().min_by_key(|(_, total)| *total).copied() else {
            continue;
        };
        let improved = first.1 >= best.1.saturating_add(rc);
        let back_in_clinical_range = latest.1 >= caseness && best.1 < caseness;
        let rise_from_best = latest.1.saturating_sub(best.1);
        if improved && (back_in_clinical_range || rise_from_best >= rc) {
            reasons.push(Reason::Backsliding {
                instrument,
                first_total: first.1,
                first_day: day(first.0),
                best_total: best.1,
                best_day: day(best.0),
                latest_total: latest.1,
                latest_day: day(latest.0),
                back_in_clinical_range,
                rise_from_best,
            });
        }
    }
    reasons
}
