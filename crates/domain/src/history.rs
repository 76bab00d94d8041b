//! The history file: everything the guidance engine needs about one person, as JSON.
//!
//! `between assess` reads it, `between export` writes it, and the web app builds one from
//! the database. The format is described in `docs/history-format.md`. Fields we do not know
//! are ignored, so a file may carry more (an `"at"` and `"expect"` in the test scenarios).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::questionnaire::{Answers, Instrument};
use crate::rating::Rating;

/// Why a history file could not be read; the message names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    /// The text is not JSON at all.
    #[error("not valid JSON: {0}")]
    Syntax(String),
    /// The JSON is fine but a field is missing or wrong.
    #[error("{path}: {message}")]
    Field {
        /// Where, e.g. `checkins[2].mood`.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

/// The person's time zone, an IANA name such as `Europe/London`; UTC when not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TimeZone(Tz);

/// A time zone name that is not in the IANA database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone \"{0}\"; use an IANA name such as Europe/London")]
pub struct UnknownTimeZone(pub String);

impl TimeZone {
    /// Coordinated Universal Time.
    pub const UTC: TimeZone = TimeZone(Tz::UTC);

    /// Parses an IANA name, refusing names that are not in the database.
    pub fn parse(name: &str) -> Result<TimeZone, UnknownTimeZone> {
        name.parse::<Tz>()
            .map(TimeZone)
            .map_err(|_| UnknownTimeZone(name.to_owned()))
    }

    /// The IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The chrono-tz zone, for callers that format times.
    pub fn tz(self) -> Tz {
        self.0
    }

    /// The local calendar day of an instant in this zone.
    pub fn local_day(self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }
}

impl From<Tz> for TimeZone {
    fn from(tz: Tz) -> Self {
        TimeZone(tz)
    }
}

impl std::fmt::Display for TimeZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for TimeZone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = Option::<String>::deserialize(d)?;
        match name {
            None => Ok(TimeZone::UTC),
            Some(name) => TimeZone::parse(&name).map_err(serde::de::Error::custom),
        }
    }
}

/// One person's history: what the guidance engine reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct History {
    /// The person's time zone; calendar days are counted in it.
    #[serde(default)]
    pub timezone: TimeZone,
    /// The "usual day" mood given at onboarding, used until there are enough ratings.
    #[serde(
        default,
        deserialize_with = "optional_rating",
        skip_serializing_if = "Option::is_none"
    )]
    pub usual_mood: Option<Rating>,
    /// Therapy sessions.
    #[serde(default)]
    pub sessions: Vec<SessionRecord>,
    /// Check-ins, in any order.
    #[serde(default)]
    pub checkins: Vec<CheckInRecord>,
    /// Uses of coping tools.
    #[serde(default)]
    pub coping: Vec<CopingRecord>,
    /// Questionnaires filled in.
    #[serde(default)]
    pub questionnaires: Vec<QuestionnaireRecord>,
}

/// A therapy session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// When it took place.
    #[serde(with = "timestamp")]
    pub at: DateTime<Utc>,
}

/// One check-in; only the time and the mood are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInRecord {
    /// When it was made.
    #[serde(with = "timestamp")]
    pub at: DateTime<Utc>,
    /// Mood, 10 = best.
    #[serde(deserialize_with = "rating")]
    pub mood: Rating,
    /// Anxiety, 10 = most.
    #[serde(
        default,
        deserialize_with = "optional_rating",
        skip_serializing_if = "Option::is_none"
    )]
    pub anxiety: Option<Rating>,
    /// Energy, 10 = most.
    #[serde(
        default,
        deserialize_with = "optional_rating",
        skip_serializing_if = "Option::is_none"
    )]
    pub energy: Option<Rating>,
    /// Missed work, school or plans because of how they felt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_usual_activities: Option<bool>,
    /// The answer to the safety question, when it was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_harm_thoughts: Option<bool>,
}

impl CheckInRecord {
    /// A check-in with only a mood.
    pub fn new(at: DateTime<Utc>, mood: Rating) -> CheckInRecord {
        CheckInRecord {
            at,
            mood,
            anxiety: None,
            energy: None,
            missed_usual_activities: None,
            self_harm_thoughts: None,
        }
    }
}

/// One use of a coping tool, with distress before and after when the person gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopingRecord {
    /// When the exercise took place (the app records its start).
    #[serde(with = "timestamp")]
    pub at: DateTime<Utc>,
    /// The tool's code, e.g. `box-breathing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Distress before, 0–10.
    #[serde(
        default,
        deserialize_with = "optional_rating",
        skip_serializing_if = "Option::is_none"
    )]
    pub distress_before: Option<Rating>,
    /// Distress after, 0–10.
    #[serde(
        default,
        deserialize_with = "optional_rating",
        skip_serializing_if = "Option::is_none"
    )]
    pub distress_after: Option<Rating>,
}

impl CopingRecord {
    /// Whether distress ended no lower than it started; `None` when either is missing.
    pub fn brought_no_relief(&self) -> Option<bool> {
        Some(self.distress_after? >= self.distress_before?)
    }
}

/// A questionnaire filled in at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawQuestionnaire", into = "RawQuestionnaire")]
pub struct QuestionnaireRecord {
    /// When it was filled in.
    pub at: DateTime<Utc>,
    /// The checked answers, which also say which instrument it was.
    pub answers: Answers,
}

#[derive(Serialize, Deserialize)]
struct RawQuestionnaire {
    #[serde(with = "timestamp")]
    at: DateTime<Utc>,
    instrument: Instrument,
    answers: Vec<ItemAnswer>,
}

/// One questionnaire answer, 0–3.
#[derive(Clone, Copy, Serialize)]
#[serde(transparent)]
struct ItemAnswer(u8);

impl<'de> Deserialize<'de> for ItemAnswer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        value
            .as_u64()
            .filter(|v| *v <= 3)
            .and_then(|v| u8::try_from(v).ok())
            .map(ItemAnswer)
            .ok_or_else(|| serde::de::Error::custom("must be a whole number from 0 to 3"))
    }
}

impl TryFrom<RawQuestionnaire> for QuestionnaireRecord {
    type Error = crate::questionnaire::AnswersError;
    fn try_from(raw: RawQuestionnaire) -> Result<Self, Self::Error> {
        let items: Vec<u8> = raw.answers.iter().map(|a| a.0).collect();
        Ok(QuestionnaireRecord {
            at: raw.at,
            answers: Answers::new(raw.instrument, &items)?,
        })
    }
}

impl From<QuestionnaireRecord> for RawQuestionnaire {
    fn from(q: QuestionnaireRecord) -> Self {
        RawQuestionnaire {
            at: q.at,
            instrument: q.answers.instrument(),
            answers: q.answers.items().iter().map(|v| ItemAnswer(*v)).collect(),
        }
    }
}

impl History {
    /// An empty history in a time zone.
    pub fn new(timezone: TimeZone) -> History {
        History {
            timezone,
            ..History::default()
        }
    }

    /// Reads a history file, naming the field at fault when something is wrong.
    pub fn from_json(text: &str) -> Result<History, HistoryError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| HistoryError::Syntax(e.to_string()))?;
        if !value.is_object() {
            return Err(HistoryError::Field {
                path: "history".to_owned(),
                message: "must be a JSON object".to_owned(),
            });
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." {
                "history".to_owned()
            } else {
                path
            };
            HistoryError::Field {
                path,
                message: e.into_inner().to_string(),
            }
        })
    }

    /// Writes the history file, pretty-printed.
    pub fn to_json_pretty(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// The person's local calendar day of an instant.
    pub fn local_day(&self, at: DateTime<Utc>) -> NaiveDate {
        self.timezone.local_day(at)
    }
}

const RATING_MESSAGE: &str = "must be a whole number from 0 to 10";

fn rating_from_value(value: &serde_json::Value) -> Option<Rating> {
    value.as_i64().and_then(|v| Rating::new(v).ok())
}

fn rating<'de, D: Deserializer<'de>>(d: D) -> Result<Rating, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    rating_from_value(&value).ok_or_else(|| serde::de::Error::custom(RATING_MESSAGE))
}

fn optional_rating<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Rating>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    if value.is_null() {
        return Ok(None);
    }
    rating_from_value(&value)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(RATING_MESSAGE))
}

/// RFC 3339 timestamps in, RFC 3339 UTC timestamps out.
mod timestamp {
    use super::*;

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        value
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                serde::de::Error::custom(
                    "must be an RFC 3339 timestamp such as 2026-03-03T15:00:00Z",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{"timezone": "Europe/London", "usual_mood": 7,
     "sessions": [{"at": "2026-03-03T15:00:00Z"}],
     "checkins": [{"at": "2026-03-04T09:00:00+01:00", "mood": 4, "anxiety": 6, "energy": 3,
                   "missed_usual_activities": false, "self_harm_thoughts": false, "note": "x"}],
     "coping": [{"at": "2026-03-04T10:00:00Z", "tool": "box-breathing", "distress_before": 7, "distress_after": 7}],
     "questionnaires": [{"at": "2026-03-04T11:00:00Z", "instrument": "phq9", "answers": [0,1,2,1,0,0,1,0,0]}],
     "expect": {"level": "steady"}}"#;

    fn error_of(text: &str) -> String {
        History::from_json(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_the_documented_example() {
        let h = History::from_json(EXAMPLE).unwrap();
        assert_eq!(h.timezone.name(), "Europe/London");
        assert_eq!(h.usual_mood, Rating::new(7).ok());
        assert_eq!(h.sessions.len(), 1);
        assert_eq!(h.checkins[0].mood.get(), 4);
        assert_eq!(
            h.checkins[0].at,
            "2026-03-04T08:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(h.coping[0].brought_no_relief(), Some(true));
        assert_eq!(h.questionnaires[0].answers.total(), 5);
    }

    #[test]
    fn only_checkin_time_and_mood_are_required() {
        let h = History::from_json(r#"{"checkins": [{"at": "2026-03-04T09:00:00Z", "mood": 0}]}"#)
            .unwrap();
        assert_eq!(h.timezone, TimeZone::UTC);
        assert_eq!(h.usual_mood, None);
        assert!(History::from_json("{}").is_ok());
    }

    #[test]
    fn round_trips_through_serde() {
        let h = History::from_json(EXAMPLE).unwrap();
        let again = History::from_json(&h.to_json_pretty().unwrap()).unwrap();
        assert_eq!(h, again);
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(json["checkins"][0]["at"], "2026-03-04T08:00:00Z");
        assert_eq!(json["questionnaires"][0]["instrument"], "phq9");
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            error_of(
                r#"{"checkins": [{"at": "2026-03-04T09:00:00Z", "mood": 4},
                {"at": "2026-03-04T09:00:00Z", "mood": 4},
                {"at": "2026-03-04T09:00:00Z", "mood": 11}]}"#
            ),
            "checkins[2].mood: must be a whole number from 0 to 10"
        );
        assert_eq!(
            error_of(r#"{"checkins": [{"at": "2026-03-04T09:00:00Z", "mood": 4.5}]}"#),
            "checkins[0].mood: must be a whole number from 0 to 10"
        );
        assert_eq!(
            error_of(r#"{"checkins": [{"at": "yesterday", "mood": 4}]}"#),
            "checkins[0].at: must be an RFC 3339 timestamp such as 2026-03-03T15:00:00Z"
        );
        assert_eq!(
            error_of(r#"{"checkins": [{"at": "2026-03-04T09:00:00Z"}]}"#),
            "checkins[0]: missing field `mood`"
        );
        assert_eq!(
            error_of(r#"{"timezone": "Mars/Olympus"}"#),
            "timezone: unknown time zone \"Mars/Olympus\"; use an IANA name such as Europe/London"
        );
        assert_eq!(
            error_of(r#"{"usual_mood": -1}"#),
            "usual_mood: must be a whole number from 0 to 10"
        );
        assert_eq!(
            error_of(r#"{"coping": [{"at": "2026-03-04T09:00:00Z", "distress_before": 12}]}"#),
            "coping[0].distress_before: must be a whole number from 0 to 10"
        );
        assert!(error_of("[1, 2").starts_with("not valid JSON"));
        assert_eq!(error_of("[]"), "history: must be a JSON object");
        assert!(error_of(r#"{"checkins": 3}"#).starts_with("checkins: invalid type"));
    }

    #[test]
    fn questionnaire_answers_are_checked() {
        assert_eq!(
            error_of(
                r#"{"questionnaires": [{"at": "2026-03-04T09:00:00Z", "instrument": "phq9",
                   "answers": [0,0,0,0,0,0,0,0]}]}"#
            ),
            "questionnaires[0]: a PHQ-9 has exactly 9 answers, found 8"
        );
        assert_eq!(
            error_of(
                r#"{"questionnaires": [{"at": "2026-03-04T09:00:00Z", "instrument": "gad7",
                   "answers": [0,0,0,4,0,0,0]}]}"#
            ),
            "questionnaires[0].answers[3]: must be a whole number from 0 to 3"
        );
        assert!(
            error_of(
                r#"{"questionnaires": [{"at": "2026-03-04T09:00:00Z", "instrument": "phq8",
                   "answers": []}]}"#
            )
            .starts_with("questionnaires[0].instrument: unknown variant `phq8`")
        );
    }

    #[test]
    fn null_timezone_means_utc() {
        let h = History::from_json(r#"{"timezone": null}"#).unwrap();
        assert_eq!(h.timezone, TimeZone::UTC);
    }

    #[test]
    fn local_day_follows_the_zone() {
        let h = History::new(TimeZone::parse("Australia/Sydney").unwrap());
        let at = "2026-03-04T20:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            h.local_day(at),
            NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()
        );
    }
}
