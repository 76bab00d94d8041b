//! A questionnaire as sent (by the form or the API), its checks, and the stored record.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::wording::Difficulty;
use super::{Answers, Instrument, Severity};
use crate::account::AccountId;
use crate::checkin::FieldError;

/// The field names of single answers, as JSON paths counting from 0 like serde does, so an
/// error about the third answer names `answers[2]` whichever layer found it.
pub const ANSWER_FIELDS: [&str; 9] = [
    "answers[0]",
    "answers[1]",
    "answers[2]",
    "answers[3]",
    "answers[4]",
    "answers[5]",
    "answers[6]",
    "answers[7]",
    "answers[8]",
];

/// A questionnaire as posted, before it is checked. Answers are wide and optional so that a
/// missing or wrong one can be named instead of failing to parse.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireInput {
    /// Id made by the client so that a retry never duplicates.
    pub client_id: Option<Uuid>,
    /// `"phq9"` or `"gad7"`.
    pub instrument: Option<String>,
    /// One answer per item, 0–3, in item order; `null` for one not answered.
    pub answers: Option<Vec<Option<i64>>>,
    /// The code of the answer to the difficulty question, if given.
    pub difficulty: Option<String>,
    /// When it was filled in; defaults to now.
    pub at: Option<DateTime<Utc>>,
}

/// A checked questionnaire, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestionnaire {
    /// Client-generated id; the same id twice is the same questionnaire.
    pub client_id: Uuid,
    /// When it was filled in.
    pub at: DateTime<Utc>,
    /// The checked answers, which say which instrument it is.
    pub answers: Answers,
    /// The answer to the difficulty question; never scored.
    pub difficulty: Option<Difficulty>,
}

impl NewQuestionnaire {
    /// What the guidance engine reads of it.
    pub fn record(&self) -> crate::history::QuestionnaireRecord {
        crate::history::QuestionnaireRecord {
            at: self.at,
            answers: self.answers.clone(),
        }
    }
}

crate::id::id_type! {
    /// The server id of a filled-in questionnaire.
    QuestionnaireId
}

/// A stored questionnaire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Questionnaire {
    /// Server id.
    pub id: QuestionnaireId,
    /// Whose it is.
    pub account_id: AccountId,
    /// The checked content.
    pub content: NewQuestionnaire,
    /// When the server stored it.
    pub created_at: DateTime<Utc>,
}

impl Questionnaire {
    /// Which instrument it is.
    pub fn instrument(&self) -> Instrument {
        self.content.answers.instrument()
    }

    /// The total score.
    pub fn total(&self) -> u8 {
        self.content.answers.total()
    }

    /// The severity band of the total.
    pub fn severity(&self) -> Severity {
        self.content.answers.severity()
    }

    /// Whether this is a PHQ-9 whose item 9 (thoughts of being better off dead or of
    /// self-harm) is above 0: the answer that must always lead to the crisis path.
    pub fn needs_crisis_path(&self) -> bool {
        self.content.needs_crisis_path()
    }
}

impl NewQuestionnaire {
    /// Whether a retry under the same client id sends what was stored; a time left out
    /// (`at_sent` is `None`) was filled with "now" and is not compared.
    pub fn same_submission(
        &self,
        stored: &NewQuestionnaire,
        at_sent: Option<DateTime<Utc>>,
    ) -> bool {
        let mut mine = self.clone();
        mine.at = stored.at;
        crate::when::same_sent_instant(at_sent, stored.at) && mine == *stored
    }

    /// Whether this is a PHQ-9 whose item 9 is above 0.
    pub fn needs_crisis_path(&self) -> bool {
        self.answers.instrument() == Instrument::Phq9 && self.answers.item(9).is_some_and(|v| v > 0)
    }
}

/// The serialized form of a stored questionnaire: what the API returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionnaireView {
    /// Server id.
    pub id: QuestionnaireId,
    /// The client's id for it.
    pub client_id: Uuid,
    /// `phq9` or `gad7`.
    pub instrument: Instrument,
    /// When it was filled in.
    pub at: DateTime<Utc>,
    /// The answers, 0–3, in item order.
    pub answers: Vec<u8>,
    /// The answer to the difficulty question, if given.
    pub difficulty: Option<Difficulty>,
    /// The total score.
    pub total: u8,
    /// The highest possible total.
    pub max_total: u8,
    /// The severity band's code.
    pub severity: Severity,
    /// The band in words.
    pub severity_label: &'static str,
    /// Whether the total is at or above caseness.
    pub caseness: bool,
    /// True for a PHQ-9 with item 9 above 0: show the crisis path before anything else.
    pub show_crisis_path: bool,
    /// What the score is, in one sentence.
    pub note: &'static str,
    /// When the server stored it.
    pub created_at: DateTime<Utc>,
}

/// Said wherever a score is shown.
pub const SCREENING_NOTE: &str =
    "A screening result to discuss with your therapist, not a diagnosis.";

impl From<&Questionnaire> for QuestionnaireView {
    fn from(q: &Questionnaire) -> Self {
        let a = &q.content.answers;
        QuestionnaireView {
            id: q.id,
            client_id: q.content.client_id,
            instrument: a.instrument(),
            at: q.content.at,
            answers: a.items().to_vec(),
            difficulty: q.content.difficulty,
            total: a.total(),
            max_total: a.instrument().max_total(),
            severity: a.severity(),
            severity_label: a.severity().label(),
            caseness: a.is_case(),
            show_crisis_path: q.needs_crisis_path(),
            note: SCREENING_NOTE,
            created_at: q.created_at,
        }
    }
}

impl QuestionnaireInput {
    /// Checks every field and returns the questionnaire, or every problem found.
    /// `now` fills a missing time and bounds how far ahead a time may be.
    pub fn validate(self, now: DateTime<Utc>) -> Result<NewQuestionnaire, Vec<FieldError>> {
        let mut errors = Vec::new();
        let at = self.at.unwrap_or(now);
        if let Err(e) = crate::when::happened("at", at, now) {
            errors.push(e);
        }
        let instrument = match self.instrument.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::new(
                    "instrument",
                    "Please say which questionnaire this is: \"phq9\" or \"gad7\".",
                ));
                None
            }
            Some(code) => match Instrument::parse(&code.to_ascii_lowercase()) {
                Some(i) => Some(i),
                None => {
                    errors.push(FieldError::new(
                        "instrument",
                        "The questionnaire must be \"phq9\" or \"gad7\".",
                    ));
                    None
                }
            },
        };
        let difficulty = match self.difficulty.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => match Difficulty::parse(code) {
                Some(d) => Some(d),
                None => {
                    errors.push(FieldError::new(
                        "difficulty",
                        "The difficulty answer must be not_difficult_at_all, somewhat_difficult, \
                         very_difficult or extremely_difficult.",
                    ));
                    None
                }
            },
        };
        let answers = instrument.and_then(|i| check_answers(i, self.answers, &mut errors));
        match (answers, errors.is_empty()) {
            (Some(answers), true) => Ok(NewQuestionnaire {
                client_id: self.client_id.unwrap_or_else(Uuid::new_v4),
                at,
                answers,
                difficulty,
            }),
            _ => Err(errors),
        }
    }
}

/// Every answer present and 0–3, and exactly as many as the instrument has items.
fn check_answers(
    instrument: Instrument,
    given: Option<Vec<Option<i64>>>,
    errors: &mut Vec<FieldError>,
) -> Option<Answers> {
    let expected = instrument.item_count();
    let Some(given) = given else {
        errors.push(FieldError::new(
            "answers",
            format!("Please send the {expected} answers of the {instrument}, each 0, 1, 2 or 3."),
        ));
        return None;
    };
    if given.len() != expected {
        errors.push(FieldError::new(
            "answers",
            format!(
                "The {instrument} has {expected} questions, so it needs exactly {expected} \
                 answers; {} {} sent.",
                given.len(),
                if given.len() == 1 { "was" } else { "were" }
            ),
        ));
        return None;
    }
    let before = errors.len();
    let mut items = Vec::with_capacity(expected);
    for ((number, value), field) in given
        .iter()
        .enumerate()
        .map(|(i, v)| (i + 1, v))
        .zip(ANSWER_FIELDS)
    {
        match value.map(u8::try_from) {
            None => errors.push(FieldError::new(
                field,
                format!("Please answer question {number}."),
            )),
            Some(Ok(v)) if v <= 3 => items.push(v),
            Some(_) => errors.push(FieldError::new(
                field,
                format!(
                    "The answer to question {number} must be 0, 1, 2 or 3; {} is not one of them.",
                    value.unwrap_or_default()
                ),
            )),
        }
    }
    if errors.len() > before {
        return None;
    }
    // Count and range were checked above; the constructor agrees by construction.
    Answers::new(instrument, &items)
        .map_err(|e| errors.push(FieldError::new("answers", e.to_string())))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        "2026-11-24T12:00:00Z".parse().unwrap()
    }

    fn input(instrument: &str, answers: &[Option<i64>]) -> QuestionnaireInput {
        QuestionnaireInput {
            instrument: Some(instrument.into()),
            answers: Some(answers.to_vec()),
            ..QuestionnaireInput::default()
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_complete_phq9_is_accepted_with_its_difficulty() {
        let mut i = input("phq9", &[Some(1); 9]);
        i.difficulty = Some("very_difficult".into());
        let q = i.validate(now()).unwrap();
        assert_eq!(q.answers.total(), 9);
        assert_eq!(q.difficulty, Some(Difficulty::VeryDifficult));
        assert_eq!(q.at, now());
        assert!(q.needs_crisis_path(), "item 9 is 1");
    }

    #[test]
    fn difficulty_is_never_scored() {
        let plain = input("phq9", &[Some(0); 9]).validate(now()).unwrap();
        let mut i = input("phq9", &[Some(0); 9]);
        i.difficulty = Some("extremely_difficult".into());
        let with = i.validate(now()).unwrap();
        assert_eq!(plain.answers.total(), with.answers.total());
        assert!(!with.needs_crisis_path());
    }

    #[test]
    fn wrong_counts_name_the_instrument_and_the_number() {
        let e = input("phq9", &[Some(0); 8]).validate(now()).unwrap_err();
        assert_eq!(fields(&e), vec!["answers"]);
        assert_eq!(
            e[0].message,
            "The PHQ-9 has 9 questions, so it needs exactly 9 answers; 8 were sent."
        );
        let e = input("gad7", &[Some(0); 9]).validate(now()).unwrap_err();
        assert!(e[0].message.contains("exactly 7 answers; 9 were sent"));
        let e = QuestionnaireInput {
            instrument: Some("gad7".into()),
            ..QuestionnaireInput::default()
        }
        .validate(now())
        .unwrap_err();
        assert_eq!(fields(&e), vec!["answers"]);
    }

    #[test]
    fn wrong_and_missing_values_name_their_question() {
        let e = input(
            "gad7",
            &[Some(0), Some(0), Some(4), None, Some(-1), Some(3), Some(0)],
        )
        .validate(now())
        .unwrap_err();
        assert_eq!(fields(&e), vec!["answers[2]", "answers[3]", "answers[4]"]);
        assert_eq!(
            e[0].message,
            "The answer to question 3 must be 0, 1, 2 or 3; 4 is not one of them."
        );
        assert_eq!(e[1].message, "Please answer question 4.");
        assert!(e[2].message.contains("-1 is not one of them"));
    }

    #[test]
    fn instrument_difficulty_and_time_are_checked() {
        let e = input("phq-8", &[Some(0); 8]).validate(now()).unwrap_err();
        assert_eq!(fields(&e), vec!["instrument"]);
        assert!(e[0].message.contains("\"phq9\" or \"gad7\""));
        assert!(input("PHQ9", &[Some(0); 9]).validate(now()).is_ok());
        let mut i = input("phq9", &[Some(0); 9]);
        i.difficulty = Some("hard".into());
        i.at = Some(now() + Duration::days(2));
        let e = i.validate(now()).unwrap_err();
        assert_eq!(fields(&e), vec!["at", "difficulty"]);
    }

    #[test]
    fn item_nine_only_matters_on_the_phq9() {
        let mut gad = vec![Some(0); 7];
        gad[6] = Some(3);
        assert!(
            !input("gad7", &gad)
                .validate(now())
                .unwrap()
                .needs_crisis_path()
        );
        let mut phq = vec![Some(0); 9];
        phq[8] = Some(2);
        assert!(
            input("phq9", &phq)
                .validate(now())
                .unwrap()
                .needs_crisis_path()
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let r: Result<QuestionnaireInput, _> =
            serde_json::from_str(r#"{"instrument":"phq9","answers":[],"score":3}"#);
        assert!(r.is_err());
    }
}
