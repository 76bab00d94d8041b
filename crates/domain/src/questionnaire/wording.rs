//! The exact standard English wording of the PHQ-9 and GAD-7, which both instruments'
//! authors allow anyone to reproduce (Kroenke, Spitzer & Williams 2001; Spitzer et al. 2006).
//!
//! Screening instruments are validated with their wording; rephrasing an item, even kindly,
//! would make its score mean something else. So this text is copied, not written.

use serde::{Deserialize, Serialize};

use super::Instrument;

/// The four answers every item shares, in score order (0, 1, 2, 3).
pub const ANSWER_LABELS: [&str; 4] = [
    "Not at all",
    "Several days",
    "More than half the days",
    "Nearly every day",
];

const PHQ9_ITEMS: [&str; 9] = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself \u{2014} or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite \u{2014} being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
];

const GAD7_ITEMS: [&str; 7] = [
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
];

/// The PHQ-9's closing question; it is asked but never added to the total.
pub const DIFFICULTY_QUESTION: &str = "If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?";

impl Instrument {
    /// The question every item answers.
    pub fn stem(self) -> &'static str {
        match self {
            Instrument::Phq9 => {
                "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
            }
            Instrument::Gad7 => {
                "Over the last 2 weeks, how often have you been bothered by the following problems?"
            }
        }
    }

    /// The items in order; item `n` on the printed form is `items()[n - 1]`.
    pub fn items(self) -> &'static [&'static str] {
        match self {
            Instrument::Phq9 => &PHQ9_ITEMS,
            Instrument::Gad7 => &GAD7_ITEMS,
        }
    }

    /// Whether the form ends with the (unscored) difficulty question.
    pub fn asks_difficulty(self) -> bool {
        self == Instrument::Phq9
    }

    /// What the questionnaire is about, in our words, for the overview page.
    pub fn about(self) -> &'static str {
        match self {
            Instrument::Phq9 => "Nine questions about low mood and how it affects you.",
            Instrument::Gad7 => "Seven questions about worry and anxiety.",
        }
    }
}

/// The answer to the difficulty question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// "Not difficult at all".
    NotDifficultAtAll,
    /// "Somewhat difficult".
    SomewhatDifficult,
    /// "Very difficult".
    VeryDifficult,
    /// "Extremely difficult".
    ExtremelyDifficult,
}

impl Difficulty {
    /// Every answer, in form order.
    pub const ALL: [Difficulty; 4] = [
        Difficulty::NotDifficultAtAll,
        Difficulty::SomewhatDifficult,
        Difficulty::VeryDifficult,
        Difficulty::ExtremelyDifficult,
    ];

    /// Stable code used in forms, the API and storage.
    pub fn code(self) -> &'static str {
        match self {
            Difficulty::NotDifficultAtAll => "not_difficult_at_all",
            Difficulty::SomewhatDifficult => "somewhat_difficult",
            Difficulty::VeryDifficult => "very_difficult",
            Difficulty::ExtremelyDifficult => "extremely_difficult",
        }
    }

    /// The standard wording of the answer.
    pub fn label(self) -> &'static str {
        match self {
            Difficulty::NotDifficultAtAll => "Not difficult at all",
            Difficulty::SomewhatDifficult => "Somewhat difficult",
            Difficulty::VeryDifficult => "Very difficult",
            Difficulty::ExtremelyDifficult => "Extremely difficult",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Difficulty> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_worded_and_counted() {
        for i in Instrument::ALL {
            assert_eq!(i.items().len(), i.item_count(), "{i}");
            assert!(i.items().iter().all(|t| !t.trim().is_empty()));
            assert!(i.stem().starts_with("Over the last 2 weeks, how often"));
        }
        assert_eq!(
            Instrument::Phq9.items()[8],
            "Thoughts that you would be better off dead or of hurting yourself in some way"
        );
        assert_eq!(ANSWER_LABELS[0], "Not at all");
        assert_eq!(ANSWER_LABELS[3], "Nearly every day");
    }

    #[test]
    fn only_the_phq9_asks_about_difficulty() {
        assert!(Instrument::Phq9.asks_difficulty());
        assert!(!Instrument::Gad7.asks_difficulty());
    }

    #[test]
    fn difficulty_codes_round_trip() {
        for d in Difficulty::ALL {
            assert_eq!(Difficulty::parse(d.code()), Some(d));
            assert_eq!(
                serde_json::to_string(&d).unwrap(),
                format!("\"{}\"", d.code())
            );
        }
        assert_eq!(Difficulty::parse("hard"), None);
    }
}
