//! Questionnaire trends: reliable deterioration and backsliding against earlier totals.

use super::facts::Facts;
use super::reason::Reason;
use super::settings::GuidanceSettings;
use crate::questionnaire::Instrument;

/// Both questionnaire rules for both instruments, PHQ-9 first.
///
/// Totals are ordered by time, ties in the order given; the facts hold the first, the
/// latest, and the lowest before the latest (the earliest of equal lows).
pub(crate) fn questionnaire_reasons(facts: &Facts<'_>, settings: &GuidanceSettings) -> Vec<Reason> {
    let mut reasons = Vec::new();
    for (instrument, scores) in Instrument::ALL.into_iter().zip(&facts.scores) {
        let (rc, caseness) = match instrument {
            Instrument::Phq9 => (settings.phq9_reliable_change, settings.phq9_caseness),
            Instrument::Gad7 => (settings.gad7_reliable_change, settings.gad7_caseness),
        };
        // Facts exist only for two totals or more.
        let Some(s) = scores else {
            continue;
        };
        let ((first_day, first), (latest_day, latest)) = (s.first, s.latest);
        if latest >= first.saturating_add(rc) {
            reasons.push(Reason::ReliableDeterioration {
                instrument,
                first_total: first,
                first_day,
                latest_total: latest,
                latest_day,
                rise: latest - first,
            });
        }
        let (best_day, best) = s.best;
        let improved = first >= best.saturating_add(rc);
        let back_in_clinical_range = latest >= caseness && best < caseness;
        let rise_from_best = latest.saturating_sub(best);
        if improved && (back_in_clinical_range || rise_from_best >= rc) {
            reasons.push(Reason::Backsliding {
                instrument,
                first_total: first,
                first_day,
                best_total: best,
                best_day,
                latest_total: latest,
                latest_day,
                back_in_clinical_range,
                rise_from_best,
            });
        }
    }
    reasons
}
