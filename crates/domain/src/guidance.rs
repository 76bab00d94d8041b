//! The guidance engine: from a history and a moment to one level with its reasons.
//!
//! Pure and deterministic: the same history, moment and settings always give the same
//! answer, and only data at or before the moment counts. Days are the person's local
//! calendar days. Every rule, threshold and source is described in `docs/guidance.md`.

mod baseline;
mod coping;
pub(crate) mod days;
mod escalation;
mod facts;
// The levels and reasons in a therapist's words.
mod for_therapist;
mod functioning;
mod level;
pub(crate) mod low_run;
mod reason;
mod safety;
mod scores;
// Per-person sensitivity a therapist may set.
mod sensitivity;
mod settings;
mod stamp;
pub(crate) mod stats;
mod summary;

#[cfg(test)]
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use baseline::{Baseline, BaselineSource, personal_baseline};
pub use for_therapist::summaries_for_therapist;
pub use level::Level;
pub use reason::{Reason, summaries};
pub use sensitivity::{
    LOW_POINTS_DEFAULT_TENTHS, LOW_POINTS_MAX_TENTHS, LOW_POINTS_MIN_TENTHS,
    PERSISTING_DEFAULT_DAYS, PERSISTING_MAX_DAYS, PERSISTING_MIN_DAYS, Sensitivity,
    SensitivityInput, Tuning, points,
};
pub use settings::{GuidanceSettings, SettingsError};
pub use summary::{Added, GuidanceSummary};

use crate::history::History;
use facts::Facts;

/// One level and the reasons behind it; serialized as `{"level": ..., "reasons": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guidance {
    /// The highest level any reason calls for; `steady` when there is no reason.
    pub level: Level,
    /// Every reason found, highest level first.
    pub reasons: Vec<Reason>,
}

impl Guidance {
    /// Nothing notable.
    pub fn steady() -> Guidance {
        Guidance::from_reasons(Vec::new())
    }

    /// The guidance that a set of reasons calls for, with the reasons ordered by level.
    pub fn from_reasons(mut reasons: Vec<Reason>) -> Guidance {
        reasons.sort_by_key(|r| std::cmp::Reverse(r.level()));
        let level = reasons.first().map_or(Level::Steady, Reason::level);
        Guidance { level, reasons }
    }

    /// The reason codes, in order.
    pub fn codes(&self) -> Vec<&'static str> {
        self.reasons.iter().map(Reason::code).collect()
    }

    /// The plain sentences of every reason, in order.
    pub fn sentences(&self) -> Vec<String> {
        self.reasons.iter().map(Reason::sentence).collect()
    }

    /// The short list for the home page, without saying the same thing twice.
    pub fn summaries(&self) -> Vec<String> {
        summaries(&self.reasons)
    }
}

/// Assesses a history at a moment with the default settings.
pub fn assess(history: &History, at: DateTime<Utc>) -> Guidance {
    assess_with(history, at, &GuidanceSettings::default())
}

/// Assesses a history at a moment with the given settings.
pub fn assess_with(history: &History, at: DateTime<Utc>, settings: &GuidanceSettings) -> Guidance {
    assess_facts(&Facts::from_history(history, at, settings), settings)
}

/// Runs every rule on the facts of one moment.
pub(crate) fn assess_facts(facts: &Facts<'_>, settings: &GuidanceSettings) -> Guidance {
    let mut reasons = Vec::new();
    reasons.extend(safety::self_harm_thoughts(facts));
    reasons.extend(safety::phq9_item9(facts, settings));
    reasons.extend(mood_reasons(facts, settings));
    reasons.extend(functioning::cant_function(facts, settings));
    reasons.extend(scores::questionnaire_reasons(facts, settings));
    Guidance::from_reasons(reasons)
}

/// The rules that compare day moods with the personal baseline; none without a baseline.
fn mood_reasons(facts: &Facts<'_>, settings: &GuidanceSettings) -> Vec<Reason> {
    let days = &facts.days;
    let today = facts.today;
    let Some(baseline) = baseline::from_days(days, today, facts.usual_mood, settings) else {
        return Vec::new();
    };
    let run = low_run::current_low_run_with(days, &facts.older, &baseline, today, settings);
    let mut reasons = Vec::new();
    if let Some(run) = &run {
        reasons.extend(low_run::dip_or_persisting(
            run,
            &facts.sessions.days(),
            &baseline,
            settings,
        ));
    }
    reasons.extend(escalation::escalating(days, &baseline, today, settings));
    reasons.extend(coping::coping_not_working(
        facts.unhelpful_coping,
        run.as_ref(),
        &baseline,
        settings,
    ));
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{CheckInRecord, CopingRecord, QuestionnaireRecord, SessionRecord};
    use crate::questionnaire::{Answers, Instrument};
    use crate::rating::Rating;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(day));
        d.and_hms_opt(hour, 0, 0).unwrap().and_utc()
    }

    fn r(v: i64) -> Rating {
        Rating::new(v).unwrap()
    }

    /// A person whose mood alternates 6, 7, 8 for `days` days.
    fn ordinary(days: u32) -> History {
        let mut h = History::default();
        for d in 0..days {
            h.checkins
                .push(CheckInRecord::new(at(d, 12), r(6 + i64::from(d % 3))));
        }
        h
    }

    fn with_moods(mut h: History, from: u32, moods: &[i64]) -> History {
        for (i, m) in moods.iter().enumerate() {
            let day = from + u32::try_from(i).unwrap();
            h.checkins.push(CheckInRecord::new(at(day, 12), r(*m)));
        }
        h
    }

    fn phq9(day: u32, answers: [u8; 9]) -> QuestionnaireRecord {
        QuestionnaireRecord {
            at: at(day, 10),
            answers: Answers::new(Instrument::Phq9, &answers).unwrap(),
        }
    }

    fn gad7(day: u32, answers: [u8; 7]) -> QuestionnaireRecord {
        QuestionnaireRecord {
            at: at(day, 10),
            answers: Answers::new(Instrument::Gad7, &answers).unwrap(),
        }
    }

    #[test]
    fn ordinary_days_are_steady() {
        let g = assess(&ordinary(50), at(49, 20));
        assert_eq!(g, Guidance::steady());
        assert_eq!(
            serde_json::to_string(&g).unwrap(),
            r#"{"level":"steady","reasons":[]}"#
        );
    }

    #[test]
    fn settings_defaults_match_the_questionnaire_module() {
        let s = GuidanceSettings::default();
        assert_eq!(s.phq9_caseness, Instrument::Phq9.caseness_threshold());
        assert_eq!(s.gad7_caseness, Instrument::Gad7.caseness_threshold());
        assert_eq!(s.phq9_reliable_change, Instrument::Phq9.reliable_change());
        assert_eq!(s.gad7_reliable_change, Instrument::Gad7.reliable_change());
    }

    #[test]
    fn persisting_after_three_low_rated_days() {
        let h = with_moods(ordinary(40), 40, &[4, 3]);
        assert_eq!(assess(&h, at(41, 20)).level, Level::Steady);
        let h = with_moods(ordinary(40), 40, &[4, 3, 4]);
        let g = assess(&h, at(42, 20));
        assert_eq!(g.level, Level::ReachOut);
        assert_eq!(g.codes(), vec!["persisting"]);
        match &g.reasons[0] {
            Reason::Persisting { days, baseline, .. } => {
                assert_eq!(*days, 3);
                assert_eq!(*baseline, 7.0);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn post_session_dip_then_persisting() {
        let mut h = with_moods(ordinary(40), 40, &[4, 3, 4, 4]);
        h.sessions.push(SessionRecord { at: at(39, 15) });
        let g = assess(&h, at(42, 20));
        assert_eq!(g.level, Level::ExpectedDip);
        assert_eq!(g.codes(), vec!["post_session_dip"]);
        let g = assess(&h, at(43, 20));
        assert_eq!(g.level, Level::ReachOut);
        assert!(g.codes().contains(&"persisting"));
    }

    #[test]
    fn sessions_after_the_moment_do_not_count() {
        let mut h = with_moods(ordinary(40), 40, &[4]);
        h.sessions.push(SessionRecord { at: at(40, 21) });
        assert_eq!(assess(&h, at(40, 20)).level, Level::Steady);
        assert_eq!(assess(&h, at(40, 22)).level, Level::ExpectedDip);
    }

    #[test]
    fn coping_not_working_needs_a_low_day_and_three_unhelpful_uses() {
        let mut h = with_moods(ordinary(40), 40, &[4]);
        for hour in [13, 14, 15] {
            h.coping.push(CopingRecord {
                at: at(40, hour),
                tool: Some("box-breathing".into()),
                distress_before: Some(r(7)),
                distress_after: Some(r(7)),
            });
        }
        let g = assess(&h, at(40, 20));
        assert_eq!(g.codes(), vec!["coping_not_working"]);
        // Not while the latest rated day is ordinary.
        let h2 = with_moods(h.clone(), 41, &[7]);
        assert_eq!(assess(&h2, at(41, 20)).level, Level::Steady);
        // A use that helped does not count.
        let mut h3 = h.clone();
        h3.coping[0].distress_after = Some(r(5));
        assert_eq!(assess(&h3, at(40, 20)).level, Level::Steady);
        // Uses older than 72 hours do not count.
        assert_eq!(assess(&h, at(43, 16)).codes(), Vec::<&str>::new());
    }

    #[test]
    fn cant_function_counts_today_and_yesterday() {
        let mut h = ordinary(40);
        h.checkins[38].missed_usual_activities = Some(true);
        assert_eq!(assess(&h, at(39, 20)).codes(), vec!["cant_function"]);
        assert_eq!(assess(&h, at(40, 20)).level, Level::Steady);
    }

    #[test]
    fn self_harm_answer_latest_wins() {
        let mut h = ordinary(40);
        h.checkins[30].self_harm_thoughts = Some(true);
        assert_eq!(assess(&h, at(39, 20)).level, Level::Urgent);
        h.checkins[35].self_harm_thoughts = Some(false);
        assert_eq!(assess(&h, at(39, 20)).level, Level::Steady);
        assert_eq!(assess(&h, at(33, 20)).level, Level::Urgent);
    }

    #[test]
    fn phq9_item9_within_fourteen_days() {
        let mut h = ordinary(40);
        h.questionnaires.push(phq9(20, [1, 1, 1, 1, 1, 0, 0, 0, 1]));
        assert_eq!(assess(&h, at(33, 20)).codes(), vec!["phq9_item9"]);
        assert_eq!(assess(&h, at(34, 20)).level, Level::Steady);
        assert_eq!(assess(&h, at(19, 20)).level, Level::Steady);
    }

    #[test]
    fn reliable_deterioration_boundaries() {
        let mut h = ordinary(10);
        h.questionnaires.push(phq9(1, [1, 1, 1, 1, 0, 0, 0, 0, 0]));
        h.questionnaires.push(phq9(5, [2, 2, 1, 1, 1, 1, 1, 0, 0]));
        // 4 → 9: a rise of 5 is not reliable.
        assert_eq!(assess(&h, at(9, 20)).level, Level::Steady);
        h.questionnaires.push(phq9(8, [2, 2, 1, 1, 1, 1, 1, 1, 0]));
        assert_eq!(
            assess(&h, at(9, 20)).codes(),
            vec!["reliable_deterioration"]
        );
        let mut h = ordinary(10);
        h.questionnaires.push(gad7(1, [1, 1, 0, 0, 0, 0, 0]));
        h.questionnaires.push(gad7(8, [1, 1, 1, 1, 1, 1, 0]));
        assert_eq!(assess(&h, at(7, 20)).level, Level::Steady);
        assert_eq!(
            assess(&h, at(9, 20)).codes(),
            vec!["reliable_deterioration"]
        );
    }

    #[test]
    fn backsliding_after_reliable_improvement() {
        let mut h = ordinary(10);
        h.questionnaires.push(phq9(1, [2, 2, 2, 2, 2, 2, 2, 0, 0])); // 14
        h.questionnaires.push(phq9(4, [1, 1, 1, 1, 0, 0, 0, 0, 0])); // 4
        h.questionnaires.push(phq9(8, [2, 2, 1, 1, 1, 1, 1, 0, 0])); // 9
        assert_eq!(assess(&h, at(9, 20)).level, Level::Steady);
        h.questionnaires.push(phq9(9, [2, 2, 2, 1, 1, 1, 1, 0, 0])); // 10
        let g = assess(&h, at(9, 20));
        assert_eq!(g.codes(), vec!["backsliding"]);
        match &g.reasons[0] {
            Reason::Backsliding {
                best_total,
                back_in_clinical_range,
                rise_from_best,
                ..
            } => assert_eq!(
                (*best_total, *back_in_clinical_range, *rise_from_best),
                (4, true, 6)
            ),
            other => panic!("unexpected {other:?}"),
        }
        // Never below caseness: the clinical-range clause needs a return to it.
        let mut h = ordinary(10);
        h.questionnaires.push(gad7(1, [3, 3, 3, 3, 3, 3, 3])); // 21
        h.questionnaires.push(gad7(4, [2, 2, 2, 2, 2, 2, 1])); // 13
        h.questionnaires.push(gad7(8, [2, 2, 2, 2, 2, 2, 2])); // 14
        assert_eq!(assess(&h, at(9, 20)).level, Level::Steady);
        h.questionnaires.push(gad7(9, [3, 3, 3, 2, 2, 2, 2])); // 17
        assert_eq!(assess(&h, at(9, 20)).codes(), vec!["backsliding"]);
    }

    #[test]
    fn reasons_are_ordered_by_level() {
        let mut h = with_moods(ordinary(40), 40, &[4, 3, 4]);
        h.checkins[41].self_harm_thoughts = Some(true);
        h.checkins[42].missed_usual_activities = Some(true);
        let g = assess(&h, at(42, 20));
        assert_eq!(g.level, Level::Urgent);
        assert_eq!(
            g.codes(),
            vec!["self_harm_thoughts", "persisting", "cant_function"]
        );
    }

    #[test]
    fn local_days_follow_the_time_zone() {
        // 23:30 UTC is already the next day in Sydney: three low days there, two in UTC.
        let mut h = ordinary(40);
        for (d, hour) in [(40, 12), (40, 23), (41, 23)] {
            h.checkins.push(CheckInRecord::new(at(d, hour), r(3)));
        }
        let moment = at(42, 1);
        assert_eq!(assess(&h, moment).level, Level::Steady);
        h.timezone = crate::history::TimeZone::parse("Australia/Sydney").unwrap();
        // In Sydney the ordinary days also shift, but their moods are the same pattern.
        assert_eq!(assess(&h, moment).codes(), vec!["persisting"]);
    }
}
