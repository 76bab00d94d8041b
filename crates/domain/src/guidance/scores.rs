//! Questionnaire trends: reliable deterioration and backsliding against earlier totals.

use super::facts::{Facts, Scored};
use super::reason::Reason;
use super::settings::GuidanceSettings;
use crate::questionnaire::Instrument;

/// Both questionnaire rules for both instruments, PHQ-9 first.
///
/// Totals are ordered by time, ties in the order given; the facts hold the first, the
/// latest, and the lowest before the latest (the earliest of equal lows). Their local days
/// are looked up only for a reason that names them.
pub(crate) fn questionnaire_reasons(facts: &Facts<'_>, settings: &GuidanceSettings) -> Vec<Reason> {
    let mut reasons = Vec::new();
    for (instrument, scores) in Instrument::ALL.into_iter().zip(&facts.scores) {
        let (rc, caseness) = match instrument {
            Instrument::Phq9 => (settings.phq9_reliable_change, settings.phq9_caseness),
            Instrument::Gad7 => (settings.gad7_reliable_change, settings.gad7_caseness),
        };
        // The rules need two totals or more; only then is there a best before the latest.
        let Some((fold, best)) = scores.as_ref().and_then(|f| Some((f, f.best?))) else {
            continue;
        };
        let day = |s: &Scored| facts.tz.local_day(s.at.0);
        let (first, latest) = (fold.first.total, fold.latest.total);
        if latest >= first.saturating_add(rc) {
            reasons.push(Reason::ReliableDeterioration {
                instrument,
                first_total: first,
                first_day: day(&fold.first),
                latest_total: latest,
                latest_day: day(&fold.latest),
                rise: latest - first,
            });
        }
        let best_total = best.total;
        let improved = first >= best_total.saturating_add(rc);
        let back_in_clinical_range = latest >= caseness && best_total < caseness;
        let rise_from_best = latest.saturating_sub(best_total);
        if improved && (back_in_clinical_range || rise_from_best >= rc) {
            reasons.push(Reason::Backsliding {
                instrument,
                first_total: first,
                first_day: day(&fold.first),
                best_total,
                best_day: day(&best),
                latest_total: latest,
                latest_day: day(&fold.latest),
                back_in_clinical_range,
                rise_from_best,
            });
        }
    }
    reasons
}
