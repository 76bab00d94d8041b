//! PHQ-9 and GAD-7 scoring: totals, severity bands, caseness and reliable change.
//!
//! The cut-offs are the published ones (PHQ-9: Kroenke, Spitzer & Williams 2001; GAD-7:
//! Spitzer et al. 2006); caseness and the reliable change amounts follow the NHS Talking
//! Therapies manual. The submodules hold the exact item wording (`wording`), the checks on
//! what a form or API call sends (`input`), and when to offer them (`schedule`).

mod input;
mod schedule;
mod wording;

use serde::{Deserialize, Serialize};

pub use input::{
    ANSWER_FIELDS, NewQuestionnaire, Questionnaire, QuestionnaireId, QuestionnaireInput,
    QuestionnaireView, SCREENING_NOTE,
};
pub use schedule::{Due, Schedule};
pub use wording::{ANSWER_LABELS, DIFFICULTY_QUESTION, Difficulty};

/// A questionnaire Between can score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Instrument {
    /// Patient Health Questionnaire, nine items (low mood).
    Phq9,
    /// Generalised Anxiety Disorder scale, seven items.
    Gad7,
}

impl Instrument {
    /// Every instrument.
    pub const ALL: [Instrument; 2] = [Instrument::Phq9, Instrument::Gad7];

    /// Stable code used in the history file, the API and storage.
    pub fn code(self) -> &'static str {
        match self {
            Instrument::Phq9 => "phq9",
            Instrument::Gad7 => "gad7",
        }
    }

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            Instrument::Phq9 => "PHQ-9",
            Instrument::Gad7 => "GAD-7",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Instrument> {
        Self::ALL.into_iter().find(|i| i.code() == code)
    }

    /// How many items it has.
    pub fn item_count(self) -> usize {
        match self {
            Instrument::Phq9 => 9,
            Instrument::Gad7 => 7,
        }
    }

    /// The highest possible total (every item answered 3).
    pub fn max_total(self) -> u8 {
        match self {
            Instrument::Phq9 => 27,
            Instrument::Gad7 => 21,
        }
    }

    /// The lowest total that counts as a clinical case (NHS Talking Therapies).
    pub fn caseness_threshold(self) -> u8 {
        match self {
            Instrument::Phq9 => 10,
            Instrument::Gad7 => 8,
        }
    }

    /// The smallest change in total that exceeds measurement error (NHS Talking Therapies).
    pub fn reliable_change(self) -> u8 {
        match self {
            Instrument::Phq9 => 6,
            Instrument::Gad7 => 4,
        }
    }

    /// Whether a total is at or above the caseness threshold.
    pub fn is_case(self, total: u8) -> bool {
        total >= self.caseness_threshold()
    }

    /// The severity band of a total; totals above the maximum count as the top band.
    pub fn severity(self, total: u8) -> Severity {
        match (self, total) {
            (_, 0..=4) => Severity::Minimal,
            (_, 5..=9) => Severity::Mild,
            (_, 10..=14) => Severity::Moderate,
            (Instrument::Phq9, 15..=19) => Severity::ModeratelySevere,
            (Instrument::Phq9, _) | (Instrument::Gad7, _) => Severity::Severe,
        }
    }

    /// The lowest and highest totals of a band on this instrument; `None` for a band it
    /// does not have (GAD-7 has no "moderately severe").
    pub fn band_range(self, band: Severity) -> Option<(u8, u8)> {
        match (self, band) {
            (_, Severity::Minimal) => Some((0, 4)),
            (_, Severity::Mild) => Some((5, 9)),
            (_, Severity::Moderate) => Some((10, 14)),
            (Instrument::Phq9, Severity::ModeratelySevere) => Some((15, 19)),
            (Instrument::Gad7, Severity::ModeratelySevere) => None,
            (Instrument::Phq9, Severity::Severe) => Some((20, 27)),
            (Instrument::Gad7, Severity::Severe) => Some((15, 21)),
        }
    }

    /// How the totals of a first and a latest administration compare.
    pub fn change(self, first_total: u8, latest_total: u8) -> ChangeOutcome {
        let rc = self.reliable_change();
        let improved = first_total >= latest_total.saturating_add(rc);
        let deteriorated = latest_total >= first_total.saturating_add(rc);
        let started_at_caseness = self.is_case(first_total);
        let recovery = started_at_caseness && !self.is_case(latest_total);
        ChangeOutcome {
            started_at_caseness,
            reliable_improvement: improved,
            reliable_deterioration: deteriorated,
            recovery,
            reliable_recovery: recovery && improved,
        }
    }
}

impl std::fmt::Display for Instrument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A severity band. GAD-7 has no "moderately severe" band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// PHQ-9 and GAD-7 0–4.
    Minimal,
    /// PHQ-9 and GAD-7 5–9.
    Mild,
    /// PHQ-9 and GAD-7 10–14.
    Moderate,
    /// PHQ-9 15–19.
    ModeratelySevere,
    /// PHQ-9 20–27, GAD-7 15–21.
    Severe,
}

impl Severity {
    /// Words shown to the person, always beside "a screening result to discuss, not a diagnosis".
    pub fn label(self) -> &'static str {
        match self {
            Severity::Minimal => "Minimal",
            Severity::Mild => "Mild",
            Severity::Moderate => "Moderate",
            Severity::ModeratelySevere => "Moderately severe",
            Severity::Severe => "Severe",
        }
    }
}

/// What changed between a first and a latest score, in NHS Talking Therapies terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeOutcome {
    /// The first score was at caseness; recovery only applies then.
    pub started_at_caseness: bool,
    /// The total fell by at least the reliable change amount.
    pub reliable_improvement: bool,
    /// The total rose by at least the reliable change amount.
    pub reliable_deterioration: bool,
    /// At caseness at first, below caseness at the latest.
    pub recovery: bool,
    /// Recovery together with reliable improvement.
    pub reliable_recovery: bool,
}

/// The one NHS Talking Therapies category that best names a change, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeCategory {
    /// Recovery together with reliable improvement.
    ReliableRecovery,
    /// From the clinical range to below it, by less than the reliable change amount.
    Recovery,
    /// A fall of at least the reliable change amount that did not leave the clinical range
    /// (or did not start in it).
    ReliableImprovement,
    /// A rise of at least the reliable change amount.
    ReliableDeterioration,
    /// Any change smaller than the reliable change amount that is not recovery.
    NoReliableChange,
}

impl ChangeCategory {
    /// The category in plain words, as the person sees it. The service's own names
    /// ("reliable deterioration" and so on) are in `docs/guidance.md`, not on the pages.
    pub fn label(self) -> &'static str {
        match self {
            ChangeCategory::ReliableRecovery => "Clearly better, and out of the higher range",
            ChangeCategory::Recovery => "Now out of the higher range",
            ChangeCategory::ReliableImprovement => "Clearly better",
            ChangeCategory::ReliableDeterioration => "A rise worth talking about",
            ChangeCategory::NoReliableChange => "Within everyday ups and downs",
        }
    }

    /// What the category means, in plain words. "The higher range" is the service's clinical
    /// range: the scores from which services usually offer therapy.
    pub fn explain(self, instrument: Instrument) -> String {
        let rc = instrument.reliable_change();
        let case = instrument.caseness_threshold();
        match self {
            ChangeCategory::ReliableRecovery => format!(
                "The score fell by {rc} or more, which is more than everyday ups and downs, \
                 and is now under {case}: out of the higher range, where services usually offer \
                 therapy."
            ),
            ChangeCategory::Recovery => format!(
                "The score is now under {case}: out of the higher range, where services usually \
                 offer therapy. It moved by less than {rc}, so part of the change may be \
                 everyday ups and downs."
            ),
            ChangeCategory::ReliableImprovement => format!(
                "The score fell by {rc} or more, which is more than everyday ups and downs."
            ),
            ChangeCategory::ReliableDeterioration => format!(
                "The score went up by {rc} or more, which is more than everyday ups and downs. \
                 It doesn't say why: your therapist can help you make sense of it."
            ),
            ChangeCategory::NoReliableChange => format!(
                "A change smaller than {rc} often happens from one time to the next, so it \
                 doesn't tell us much on its own."
            ),
        }
    }
}

impl ChangeOutcome {
    /// The most specific category: reliable recovery, then recovery, then reliable
    /// improvement or deterioration, else no reliable change.
    pub fn category(&self) -> ChangeCategory {
        if self.reliable_recovery {
            ChangeCategory::ReliableRecovery
        } else if self.recovery {
            ChangeCategory::Recovery
        } else if self.reliable_improvement {
            ChangeCategory::ReliableImprovement
        } else if self.reliable_deterioration {
            ChangeCategory::ReliableDeterioration
        } else {
            ChangeCategory::NoReliableChange
        }
    }
}

/// The NHS Talking Therapies outcome for a person who completed both PHQ-9 and GAD-7.
///
/// Reliable improvement needs a reliable fall on either measure and a reliable rise on
/// neither (and the other way round for deterioration); recovery needs caseness on at least
/// one measure at first and on neither at the latest.
pub fn paired_change(phq9: (u8, u8), gad7: (u8, u8)) -> ChangeOutcome {
    let p = Instrument::Phq9.change(phq9.0, phq9.1);
    let g = Instrument::Gad7.change(gad7.0, gad7.1);
    let any_fall = p.reliable_improvement || g.reliable_improvement;
    let any_rise = p.reliable_deterioration || g.reliable_deterioration;
    let reliable_improvement = any_fall && !any_rise;
    let reliable_deterioration = any_rise && !any_fall;
    let started_at_caseness = p.started_at_caseness || g.started_at_caseness;
    let recovery = started_at_caseness
        && !Instrument::Phq9.is_case(phq9.1)
        && !Instrument::Gad7.is_case(gad7.1);
    ChangeOutcome {
        started_at_caseness,
        reliable_improvement,
        reliable_deterioration,
        recovery,
        reliable_recovery: recovery && reliable_improvement,
    }
}

/// Why a list of answers is not a valid administration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswersError {
    /// The number of answers does not match the instrument.
    #[error("a {instrument} has exactly {expected} answers, found {found}")]
    WrongCount {
        /// The instrument.
        instrument: Instrument,
        /// How many it needs.
        expected: usize,
        /// How many were given.
        found: usize,
    },
    /// An answer is outside 0–3.
    #[error("answer {item} must be 0, 1, 2 or 3, found {value}")]
    OutOfRange {
        /// The item number, counting from 1.
        item: usize,
        /// The value given.
        value: u8,
    },
}

/// A complete, checked set of answers to one instrument (each 0–3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Answers {
    instrument: Instrument,
    items: Vec<u8>,
}

impl Answers {
    /// Checks the count and the range of every answer.
    pub fn new(instrument: Instrument, items: &[u8]) -> Result<Answers, AnswersError> {
        if items.len() != instrument.item_count() {
            return Err(AnswersError::WrongCount {
                instrument,
                expected: instrument.item_count(),
                found: items.len(),
            });
        }
        if let Some((i, v)) = items.iter().enumerate().find(|(_, v)| **v > 3) {
            return Err(AnswersError::OutOfRange {
                item: i + 1,
                value: *v,
            });
        }
        Ok(Answers {
            instrument,
            items: items.to_vec(),
        })
    }

    /// Which instrument these answer.
    pub fn instrument(&self) -> Instrument {
        self.instrument
    }

    /// The answers in item order.
    pub fn items(&self) -> &[u8] {
        &self.items
    }

    /// The answer to item `number`, counting from 1 as printed on the form.
    pub fn item(&self, number: usize) -> Option<u8> {
        number
            .checked_sub(1)
            .and_then(|i| self.items.get(i))
            .copied()
    }

    /// The sum of all answers.
    pub fn total(&self) -> u8 {
        self.items.iter().sum()
    }

    /// The severity band of the total.
    pub fn severity(&self) -> Severity {
        self.instrument.severity(self.total())
    }

    /// Whether the total is at caseness.
    pub fn is_case(&self) -> bool {
        self.instrument.is_case(self.total())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phq9_band_boundaries() {
        let expected = [
            (0, Severity::Minimal),
            (4, Severity::Minimal),
            (5, Severity::Mild),
            (9, Severity::Mild),
            (10, Severity::Moderate),
            (14, Severity::Moderate),
            (15, Severity::ModeratelySevere),
            (19, Severity::ModeratelySevere),
            (20, Severity::Severe),
            (27, Severity::Severe),
        ];
        for (total, band) in expected {
            assert_eq!(
                Instrument::Phq9.severity(total),
                band,
                "PHQ-9 total {total}"
            );
        }
    }

    #[test]
    fn gad7_band_boundaries() {
        let expected = [
            (0, Severity::Minimal),
            (4, Severity::Minimal),
            (5, Severity::Mild),
            (9, Severity::Mild),
            (10, Severity::Moderate),
            (14, Severity::Moderate),
            (15, Severity::Severe),
            (21, Severity::Severe),
        ];
        for (total, band) in expected {
            assert_eq!(
                Instrument::Gad7.severity(total),
                band,
                "GAD-7 total {total}"
            );
        }
    }

    #[test]
    fn every_total_has_exactly_the_documented_band() {
        for total in 0..=27u8 {
            let band = match total {
                0..=4 => Severity::Minimal,
                5..=9 => Severity::Mild,
                10..=14 => Severity::Moderate,
                15..=19 => Severity::ModeratelySevere,
                _ => Severity::Severe,
            };
            assert_eq!(Instrument::Phq9.severity(total), band);
        }
        for total in 0..=21u8 {
            let band = match total {
                0..=4 => Severity::Minimal,
                5..=9 => Severity::Mild,
                10..=14 => Severity::Moderate,
                _ => Severity::Severe,
            };
            assert_eq!(Instrument::Gad7.severity(total), band);
        }
    }

    #[test]
    fn caseness_boundaries() {
        assert!(!Instrument::Phq9.is_case(9));
        assert!(Instrument::Phq9.is_case(10));
        assert!(!Instrument::Gad7.is_case(7));
        assert!(Instrument::Gad7.is_case(8));
    }

    #[test]
    fn reliable_change_boundaries() {
        assert!(!Instrument::Phq9.change(15, 10).reliable_improvement);
        assert!(Instrument::Phq9.change(15, 9).reliable_improvement);
        assert!(!Instrument::Phq9.change(10, 15).reliable_deterioration);
        assert!(Instrument::Phq9.change(10, 16).reliable_deterioration);
        assert!(!Instrument::Gad7.change(12, 9).reliable_improvement);
        assert!(Instrument::Gad7.change(12, 8).reliable_improvement);
        assert!(!Instrument::Gad7.change(5, 8).reliable_deterioration);
        assert!(Instrument::Gad7.change(5, 9).reliable_deterioration);
    }

    #[test]
    fn recovery_needs_caseness_first_and_not_at_the_end() {
        let c = Instrument::Phq9.change(12, 9);
        assert!(c.recovery && !c.reliable_recovery);
        let c = Instrument::Phq9.change(16, 9);
        assert!(c.recovery && c.reliable_recovery);
        let c = Instrument::Phq9.change(9, 2);
        assert!(!c.started_at_caseness && !c.recovery && c.reliable_improvement);
        let c = Instrument::Gad7.change(8, 7);
        assert!(c.recovery && !c.reliable_recovery);
        let c = Instrument::Gad7.change(8, 8);
        assert!(!c.recovery);
    }

    #[test]
    fn band_ranges_agree_with_severity_and_cover_every_total_once() {
        let bands = [
            Severity::Minimal,
            Severity::Mild,
            Severity::Moderate,
            Severity::ModeratelySevere,
            Severity::Severe,
        ];
        for i in Instrument::ALL {
            let mut covered = 0u8;
            for band in bands {
                let Some((low, high)) = i.band_range(band) else {
                    assert_eq!((i, band), (Instrument::Gad7, Severity::ModeratelySevere));
                    continue;
                };
                for total in low..=high {
                    assert_eq!(i.severity(total), band, "{i} total {total}");
                }
                covered += high - low + 1;
            }
            assert_eq!(covered, i.max_total() + 1, "{i}: bands cover 0..=max once");
        }
    }

    /// Worked examples of the NHS Talking Therapies categories, first score to latest.
    #[test]
    fn change_categories_on_worked_examples() {
        use ChangeCategory::*;
        let cases = [
            // PHQ-9: 18 -> 7 falls 11 (>= 6) and leaves caseness (10): reliable recovery.
            (Instrument::Phq9, 18, 7, ReliableRecovery),
            // 12 -> 9 leaves caseness but falls only 3: recovery, not reliable.
            (Instrument::Phq9, 12, 9, Recovery),
            // 22 -> 16 falls exactly 6 but stays at caseness: reliable improvement.
            (Instrument::Phq9, 22, 16, ReliableImprovement),
            // 9 -> 3 falls 6 but never was at caseness: reliable improvement, no recovery.
            (Instrument::Phq9, 9, 3, ReliableImprovement),
            // 8 -> 14 rises exactly 6: reliable deterioration.
            (Instrument::Phq9, 8, 14, ReliableDeterioration),
            // 8 -> 13 rises 5: no reliable change, even though it crosses into caseness.
            (Instrument::Phq9, 8, 13, NoReliableChange),
            // 15 -> 10 falls 5 and stays at caseness: no reliable change.
            (Instrument::Phq9, 15, 10, NoReliableChange),
            // GAD-7: 13 -> 5 falls 8 (>= 4) and leaves caseness (8): reliable recovery.
            (Instrument::Gad7, 13, 5, ReliableRecovery),
            // 9 -> 7 leaves caseness by 2: recovery.
            (Instrument::Gad7, 9, 7, Recovery),
            // 16 -> 12 falls exactly 4 and stays at caseness: reliable improvement.
            (Instrument::Gad7, 16, 12, ReliableImprovement),
            // 3 -> 7 rises exactly 4: reliable deterioration.
            (Instrument::Gad7, 3, 7, ReliableDeterioration),
            // 10 -> 13 rises 3: no reliable change.
            (Instrument::Gad7, 10, 13, NoReliableChange),
            // No change at all.
            (Instrument::Gad7, 6, 6, NoReliableChange),
        ];
        for (instrument, first, latest, expected) in cases {
            assert_eq!(
                instrument.change(first, latest).category(),
                expected,
                "{instrument} {first} -> {latest}"
            );
        }
    }

    #[test]
    fn every_category_has_words() {
        for c in [
            ChangeCategory::ReliableRecovery,
            ChangeCategory::Recovery,
            ChangeCategory::ReliableImprovement,
            ChangeCategory::ReliableDeterioration,
            ChangeCategory::NoReliableChange,
        ] {
            assert!(!c.label().is_empty());
            assert!(c.explain(Instrument::Phq9).contains('6'));
            assert!(c.explain(Instrument::Gad7).contains('4'));
        }
    }

    #[test]
    fn paired_outcome_follows_both_measures() {
        // PHQ-9 falls reliably, GAD-7 rises reliably: neither improvement nor deterioration.
        let c = paired_change((16, 8), (4, 9));
        assert!(!c.reliable_improvement && !c.reliable_deterioration);
        // Recovery needs both below caseness at the end.
        let c = paired_change((16, 8), (10, 8));
        assert!(c.reliable_improvement && !c.recovery);
        let c = paired_change((16, 8), (10, 7));
        assert!(c.reliable_recovery);
        // Caseness on one measure at the start is enough.
        let c = paired_change((6, 2), (9, 3));
        assert!(c.started_at_caseness && c.reliable_recovery);
    }

    #[test]
    fn answers_are_checked() {
        assert!(Answers::new(Instrument::Phq9, &[0; 9]).is_ok());
        assert_eq!(
            Answers::new(Instrument::Phq9, &[0; 8]),
            Err(AnswersError::WrongCount {
                instrument: Instrument::Phq9,
                expected: 9,
                found: 8
            })
        );
        assert!(Answers::new(Instrument::Gad7, &[0; 9]).is_err());
        assert_eq!(
            Answers::new(Instrument::Gad7, &[0, 0, 4, 0, 0, 0, 0]),
            Err(AnswersError::OutOfRange { item: 3, value: 4 })
        );
        let a = Answers::new(Instrument::Phq9, &[0, 1, 2, 1, 0, 0, 1, 0, 3]).unwrap();
        assert_eq!(a.total(), 8);
        assert_eq!(a.item(9), Some(3));
        assert_eq!(a.item(0), None);
        assert_eq!(a.item(10), None);
        assert_eq!(a.severity(), Severity::Mild);
        assert!(!a.is_case());
    }

    #[test]
    fn instrument_codes_round_trip() {
        for i in Instrument::ALL {
            assert_eq!(Instrument::parse(i.code()), Some(i));
            let json = serde_json::to_string(&i).unwrap();
            assert_eq!(json, format!("\"{}\"", i.code()));
        }
    }

    proptest! {
        #[test]
        fn total_is_the_sum_and_within_range(items in proptest::collection::vec(0u8..=3, 9)) {
            let a = Answers::new(Instrument::Phq9, &items).unwrap();
            prop_assert_eq!(u32::from(a.total()), items.iter().map(|v| u32::from(*v)).sum::<u32>());
            prop_assert!(a.total() <= Instrument::Phq9.max_total());
        }

        #[test]
        fn improvement_and_deterioration_exclude_each_other(first in 0u8..=27, latest in 0u8..=27) {
            let c = Instrument::Phq9.change(first, latest);
            prop_assert!(!(c.reliable_improvement && c.reliable_deterioration));
            prop_assert_eq!(c.reliable_improvement, i16::from(first) - i16::from(latest) >= 6);
            prop_assert_eq!(c.reliable_deterioration, i16::from(latest) - i16::from(first) >= 6);
            prop_assert!(!c.reliable_recovery || (c.recovery && c.reliable_improvement));
        }
    }
}
