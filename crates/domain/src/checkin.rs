//! The daily check-in: what a person logs, and the checks that keep it meaningful.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::account::AccountId;
use crate::rating::Rating;

/// A body signal a person may notice after a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodySignal {
    /// Tired, drained.
    Fatigue,
    /// A heavy feeling in the body.
    Heaviness,
    /// Headache.
    Headache,
    /// Tight or tense muscles.
    Tension,
    /// Nothing noticeable.
    None,
}

impl BodySignal {
    /// Every signal, in the order the form shows them.
    pub const ALL: [BodySignal; 5] = [
        BodySignal::Fatigue,
        BodySignal::Heaviness,
        BodySignal::Headache,
        BodySignal::Tension,
        BodySignal::None,
    ];

    /// Stable code used in forms, the API and storage.
    pub fn code(self) -> &'static str {
        match self {
            BodySignal::Fatigue => "fatigue",
            BodySignal::Heaviness => "heaviness",
            BodySignal::Headache => "headache",
            BodySignal::Tension => "tension",
            BodySignal::None => "none",
        }
    }

    /// Words shown to the person.
    pub fn label(self) -> &'static str {
        match self {
            BodySignal::Fatigue => "Fatigue",
            BodySignal::Heaviness => "Heaviness",
            BodySignal::Headache => "Headache",
            BodySignal::Tension => "Tension",
            BodySignal::None => "None",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<BodySignal> {
        Self::ALL.into_iter().find(|b| b.code() == s)
    }
}

/// Whether the person managed their usual day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsualActivities {
    /// Managed the usual day.
    Yes,
    /// Managed some of it.
    Partly,
    /// Did not manage it.
    No,
}

impl UsualActivities {
    /// Every answer, in form order.
    pub const ALL: [UsualActivities; 3] = [
        UsualActivities::Yes,
        UsualActivities::Partly,
        UsualActivities::No,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            UsualActivities::Yes => "yes",
            UsualActivities::Partly => "partly",
            UsualActivities::No => "no",
        }
    }

    /// Words shown to the person.
    pub fn label(self) -> &'static str {
        match self {
            UsualActivities::Yes => "Yes",
            UsualActivities::Partly => "Partly",
            UsualActivities::No => "No",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<UsualActivities> {
        Self::ALL.into_iter().find(|u| u.code() == s)
    }
}

/// The answer to the safety question ("Have you had thoughts of harming yourself or ending
/// your life?"). "I'd rather not say" is an answer of its own: it lets a person save a check-in
/// without being cornered, and it is never read as "yes" or as "no" (see docs/guidance.md).
///
/// In JSON it keeps the shape older clients know: `true` for yes, `false` for no, and the
/// string `"rather_not_say"` for the third answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SafetyAnswer {
    /// Yes: the crisis path follows at once.
    Yes,
    /// No.
    No,
    /// The person chose not to answer.
    RatherNotSay,
}

impl SafetyAnswer {
    /// Every answer, in the order the form shows them.
    pub const ALL: [SafetyAnswer; 3] = [
        SafetyAnswer::No,
        SafetyAnswer::Yes,
        SafetyAnswer::RatherNotSay,
    ];

    /// Stable code used in forms.
    pub fn code(self) -> &'static str {
        match self {
            SafetyAnswer::Yes => "yes",
            SafetyAnswer::No => "no",
            SafetyAnswer::RatherNotSay => "rather_not_say",
        }
    }

    /// Words shown to the person.
    pub fn label(self) -> &'static str {
        match self {
            SafetyAnswer::Yes => "Yes",
            SafetyAnswer::No => "No",
            SafetyAnswer::RatherNotSay => "I'd rather not say",
        }
    }

    /// Parses a form code.
    pub fn parse(s: &str) -> Option<SafetyAnswer> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }

    /// The answer as guidance reads it: yes or no, and nothing for "rather not say", which
    /// must never raise the level as a "yes" would nor reassure as a "no" would.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            SafetyAnswer::Yes => Some(true),
            SafetyAnswer::No => Some(false),
            SafetyAnswer::RatherNotSay => None,
        }
    }

    /// The answer from its stored columns: the yes/no column and the "rather not say" flag.
    pub fn from_stored(thoughts: Option<bool>, rather_not_say: bool) -> Option<SafetyAnswer> {
        match (thoughts, rather_not_say) {
            (Some(true), _) => Some(SafetyAnswer::Yes),
            (Some(false), _) => Some(SafetyAnswer::No),
            (None, true) => Some(SafetyAnswer::RatherNotSay),
            (None, false) => None,
        }
    }
}

/// The JSON value of "rather not say".
const RATHER_NOT_SAY: &str = "rather_not_say";

impl Serialize for SafetyAnswer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SafetyAnswer::Yes => s.serialize_bool(true),
            SafetyAnswer::No => s.serialize_bool(false),
            SafetyAnswer::RatherNotSay => s.serialize_str(RATHER_NOT_SAY),
        }
    }
}

impl<'de> Deserialize<'de> for SafetyAnswer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Answer;
        impl serde::de::Visitor<'_> for Answer {
            type Value = SafetyAnswer;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("true, false or \"rather_not_say\"")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<SafetyAnswer, E> {
                Ok(if v {
                    SafetyAnswer::Yes
                } else {
                    SafetyAnswer::No
                })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SafetyAnswer, E> {
                if v == RATHER_NOT_SAY {
                    Ok(SafetyAnswer::RatherNotSay)
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Str(v), &self))
                }
            }
        }
        d.deserialize_any(Answer)
    }
}

/// Suggested "harder today" tags; people may add their own short ones too.
pub const HARDER_TODAY_SUGGESTIONS: [(&str, &str); 8] = [
    ("getting-up", "Getting up"),
    ("work-or-study", "Work or study"),
    ("eating", "Eating"),
    ("seeing-people", "Seeing people"),
    ("concentrating", "Concentrating"),
    ("sleeping", "Sleeping"),
    ("chores", "Chores"),
    ("looking-after-myself", "Looking after myself"),
];

/// Longest note we keep; long enough for a page of thoughts.
pub const MAX_NOTE_CHARS: usize = 10_000;
/// Longest free-text tag.
pub const MAX_TAG_CHARS: usize = 40;
/// Most tags on one check-in.
pub const MAX_TAGS: usize = 16;
/// Longest substances answer.
pub const MAX_SUBSTANCES_CHARS: usize = 200;

/// A check-in as typed or posted, before it is checked. Numbers are wide so that a wrong
/// value can be named in the error instead of failing to parse.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInInput {
    /// Id made by the client so that a retry never duplicates.
    pub client_id: Option<Uuid>,
    /// When the check-in is about; defaults to now.
    pub at: Option<DateTime<Utc>>,
    /// Mood 0–10, 10 = best. Required.
    pub mood: Option<i64>,
    /// Anxiety 0–10.
    pub anxiety: Option<i64>,
    /// Energy 0–10.
    pub energy: Option<i64>,
    /// Body signal codes.
    pub body: Option<Vec<String>>,
    /// "yes" | "partly" | "no".
    pub usual_activities: Option<String>,
    /// Missed work, school or plans because of how they feel.
    pub missed_usual_activities: Option<bool>,
    /// Short tags for what was harder today.
    pub harder_today: Option<Vec<String>>,
    /// Hours of sleep, 0–24.
    pub sleep_hours: Option<f64>,
    /// Alcohol or other substances, as the person puts it.
    pub substances: Option<String>,
    /// Answer to the safety question, when it was asked: `true`, `false` or
    /// `"rather_not_say"`.
    pub self_harm_thoughts: Option<SafetyAnswer>,
    /// Free-text note.
    pub note: Option<String>,
}

/// A problem with one field, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name in the API and the form.
    pub field: &'static str,
    /// What to change.
    pub message: String,
}

impl FieldError {
    /// A new field error.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

/// A checked check-in, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewCheckIn {
    /// Client-generated id; the same id twice is the same check-in.
    pub client_id: Uuid,
    /// When it is about.
    pub at: DateTime<Utc>,
    /// Mood 0–10.
    pub mood: Rating,
    /// Anxiety 0–10.
    pub anxiety: Option<Rating>,
    /// Energy 0–10.
    pub energy: Option<Rating>,
    /// Body signals noticed.
    pub body: Vec<BodySignal>,
    /// Whether the usual day was managed.
    pub usual_activities: Option<UsualActivities>,
    /// Missed work, school or plans because of how they feel.
    pub missed_usual_activities: Option<bool>,
    /// What was harder today.
    pub harder_today: Vec<String>,
    /// Hours of sleep.
    pub sleep_hours: Option<f64>,
    /// Alcohol or other substances.
    pub substances: Option<String>,
    /// Answer to the safety question, if asked.
    pub self_harm_thoughts: Option<SafetyAnswer>,
    /// Free-text note.
    pub note: Option<String>,
}

crate::id::id_type! {
    /// The server id of a check-in.
    CheckInId
}

/// A stored check-in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckIn {
    /// Server id.
    pub id: CheckInId,
    /// Whose it is.
    #[serde(skip)]
    pub account_id: AccountId,
    /// The checked content.
    #[serde(flatten)]
    pub content: NewCheckIn,
    /// When the server stored it.
    pub created_at: DateTime<Utc>,
}

/// How long after saving a check-in its details may still be added or changed ("add more"
/// after a one-tap check-in, later the same day).
pub const DETAILS_EDITABLE_HOURS: i64 = 24;

impl CheckIn {
    /// Whether its details may still be added or changed at `now`.
    pub fn editable(&self, now: DateTime<Utc>) -> bool {
        now - self.created_at < chrono::Duration::hours(DETAILS_EDITABLE_HOURS)
    }
}

/// The mood at or below which the safety question is always asked.
pub const SAFETY_QUESTION_MOOD: u8 = 2;

impl NewCheckIn {
    /// What the guidance engine reads of it.
    pub fn record(&self) -> crate::history::CheckInRecord {
        let mut r = crate::history::CheckInRecord::new(self.at, self.mood);
        r.anxiety = self.anxiety;
        r.energy = self.energy;
        r.missed_usual_activities = self.missed_usual_activities;
        // "Rather not say" reaches guidance as no answer (see docs/guidance.md).
        r.self_harm_thoughts = self.self_harm_thoughts.and_then(SafetyAnswer::as_bool);
        r
    }

    /// Whether a retry under the same client id sends what was stored. `at_sent` is the
    /// time as sent: one left out was filled with "now" and is not compared.
    /// Body signals and tags are sets: the same ones in another order are the same answer.
    pub fn same_submission(&self, stored: &NewCheckIn, at_sent: Option<DateTime<Utc>>) -> bool {
        let sorted = |c: &NewCheckIn| {
            let mut c = c.clone();
            c.client_id = stored.client_id;
            c.at = stored.at;
            c.body.sort_by_key(|b| b.code());
            c.harder_today.sort();
            c
        };
        crate::when::same_sent_instant(at_sent, stored.at) && sorted(self) == sorted(stored)
    }

    /// Whether the mood is low enough that the safety question is always asked.
    pub fn low_mood(&self) -> bool {
        self.mood.get() <= SAFETY_QUESTION_MOOD
    }

    /// Whether the safety question should still be put to the person right after saving:
    /// a very low mood saved without any answer (a one-tap check-in, where it could not be
    /// asked first). Never a reason to refuse the save.
    pub fn safety_still_to_ask(&self) -> bool {
        self.self_harm_thoughts.is_none() && self.low_mood()
    }

    /// Whether the person answered "yes" to the safety question.
    pub fn said_yes(&self) -> bool {
        self.self_harm_thoughts == Some(SafetyAnswer::Yes)
    }
}

fn rating(field: &'static str, value: Option<i64>, errors: &mut Vec<FieldError>) -> Option<Rating> {
    let v = value?;
    match Rating::new(v) {
        Ok(r) => Some(r),
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }
    }
}

/// An optional text field: missing or blank is `None`; too long or holding control
/// characters is an error for `field`.
pub(crate) fn optional_text(
    field: &'static str,
    value: Option<String>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = value?;
    let v = match crate::text::clean(field, &v) {
        Ok(v) => v,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("Please keep this under {max} characters."),
        ));
        return None;
    }
    Some(v.to_string())
}

impl CheckInInput {
    /// Checks every field and returns the check-in, or every problem found.
    /// `now` fills a missing time and bounds how far ahead a time may be.
    pub fn validate(self, now: DateTime<Utc>) -> Result<NewCheckIn, Vec<FieldError>> {
        let mut errors = Vec::new();
        let client_id = self.client_id.unwrap_or_else(Uuid::new_v4);
        let at = self.at.unwrap_or(now);
        if let Err(e) = crate::when::happened("at", at, now) {
            errors.push(e);
        }
        let mood = match self.mood {
            None => {
                errors.push(FieldError::new(
                    "mood",
                    "Please choose how your mood is, from 0 to 10.",
                ));
                None
            }
            v => rating("mood", v, &mut errors),
        };
        let anxiety = rating("anxiety", self.anxiety, &mut errors);
        let energy = rating("energy", self.energy, &mut errors);

        let mut body = Vec::new();
        for code in self.body.unwrap_or_default() {
            match BodySignal::parse(code.trim()) {
                Some(b) if !body.contains(&b) => body.push(b),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    "body",
                    "Body signals are fatigue, heaviness, headache, tension or none.",
                )),
            }
        }
        if body.contains(&BodySignal::None) && body.len() > 1 {
            errors.push(FieldError::new(
                "body",
                "\"None\" can't go with other body signals.",
            ));
        }

        let usual_activities = match self.usual_activities.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => match UsualActivities::parse(s) {
                Some(u) => Some(u),
                None => {
                    errors.push(FieldError::new(
                        "usual_activities",
                        "Please answer yes, partly or no.",
                    ));
                    None
                }
            },
        };

        let mut harder_today: Vec<String> = Vec::new();
        for tag in self.harder_today.unwrap_or_default() {
            let tag = match crate::text::clean("harder_today", &tag) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let tag = tag.trim();
            if tag.is_empty() || harder_today.iter().any(|t| t == tag) {
                continue;
            }
            if tag.chars().count() > MAX_TAG_CHARS {
                errors.push(FieldError::new(
                    "harder_today",
                    format!("Please keep each item under {MAX_TAG_CHARS} characters."),
                ));
            } else {
                harder_today.push(tag.to_string());
            }
        }
        if harder_today.len() > MAX_TAGS {
            errors.push(FieldError::new(
                "harder_today",
                format!("Please choose at most {MAX_TAGS} items."),
            ));
        }

        let sleep_hours = match self.sleep_hours {
            Some(h) if !(0.0..=24.0).contains(&h) || !h.is_finite() => {
                errors.push(FieldError::new(
                    "sleep_hours",
                    "Hours of sleep must be between 0 and 24.",
                ));
                None
            }
            h => h,
        };
        let substances = optional_text(
            "substances",
            self.substances,
            MAX_SUBSTANCES_CHARS,
            &mut errors,
        );
        let note = optional_text("note", self.note, MAX_NOTE_CHARS, &mut errors);

        match (mood, errors.is_empty()) {
            (Some(mood), true) => Ok(NewCheckIn {
                client_id,
                at,
                mood,
                anxiety,
                energy,
                body,
                usual_activities,
                missed_usual_activities: self.missed_usual_activities,
                harder_today,
                sleep_hours,
                substances,
                self_harm_thoughts: self.self_harm_thoughts,
                note,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn minimal_check_in_is_mood_only() {
        let c = CheckInInput {
            mood: Some(7),
            ..Default::default()
        }
        .validate(now());
        let c = c.map_err(|e| format!("{e:?}"));
        assert!(matches!(c, Ok(ref c) if c.mood.get() == 7 && c.at == now()));
    }

    #[test]
    fn every_bad_field_is_named() {
        let errs = CheckInInput {
            mood: Some(11),
            anxiety: Some(-1),
            body: Some(vec!["itchy".into()]),
            usual_activities: Some("maybe".into()),
            sleep_hours: Some(25.0),
            note: Some("x".repeat(MAX_NOTE_CHARS + 1)),
            at: Some(now() + Duration::days(2)),
            ..Default::default()
        }
        .validate(now())
        .err()
        .unwrap_or_default();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        for f in [
            "mood",
            "anxiety",
            "body",
            "usual_activities",
            "sleep_hours",
            "note",
            "at",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn missing_mood_is_an_error() {
        let errs = CheckInInput::default()
            .validate(now())
            .err()
            .unwrap_or_default();
        assert_eq!(errs.first().map(|e| e.field), Some("mood"));
    }

    #[test]
    fn none_excludes_other_body_signals() {
        let r = CheckInInput {
            mood: Some(5),
            body: Some(vec!["none".into(), "fatigue".into()]),
            ..Default::default()
        }
        .validate(now());
        assert!(r.is_err());
    }

    #[test]
    fn a_low_mood_saves_without_an_answer_and_is_asked_after() {
        let low = CheckInInput {
            mood: Some(2),
            ..Default::default()
        }
        .validate(now());
        assert!(matches!(low, Ok(ref c) if c.safety_still_to_ask() && !c.said_yes()));
        let ok = CheckInInput {
            mood: Some(3),
            ..Default::default()
        }
        .validate(now());
        assert!(matches!(ok, Ok(ref c) if !c.safety_still_to_ask()));
        for answer in SafetyAnswer::ALL {
            let answered = CheckInInput {
                mood: Some(1),
                self_harm_thoughts: Some(answer),
                ..Default::default()
            }
            .validate(now());
            assert!(matches!(answered, Ok(ref c) if !c.safety_still_to_ask()));
        }
    }

    #[test]
    fn details_may_be_added_for_a_day_after_saving() {
        let content = CheckInInput {
            mood: Some(6),
            ..Default::default()
        }
        .validate(now())
        .unwrap_or_else(|e| panic!("{e:?}"));
        let saved = CheckIn {
            id: CheckInId(1),
            account_id: AccountId(1),
            content,
            created_at: now(),
        };
        assert!(saved.editable(now() + Duration::hours(DETAILS_EDITABLE_HOURS - 1)));
        assert!(!saved.editable(now() + Duration::hours(DETAILS_EDITABLE_HOURS)));
    }

    #[test]
    fn rather_not_say_is_its_own_answer_and_never_a_yes() {
        let c = CheckInInput {
            mood: Some(1),
            self_harm_thoughts: Some(SafetyAnswer::RatherNotSay),
            ..Default::default()
        }
        .validate(now())
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(!c.said_yes());
        assert_eq!(c.record().self_harm_thoughts, None);
        let json = serde_json::to_value(&c).unwrap_or_default();
        assert_eq!(json["self_harm_thoughts"], "rather_not_say");
        for (text, answer) in [
            ("true", SafetyAnswer::Yes),
            ("false", SafetyAnswer::No),
            ("\"rather_not_say\"", SafetyAnswer::RatherNotSay),
        ] {
            let parsed: Result<SafetyAnswer, _> = serde_json::from_str(text);
            assert_eq!(parsed.ok(), Some(answer), "{text}");
            assert_eq!(serde_json::to_string(&answer).ok().as_deref(), Some(text));
        }
        assert!(serde_json::from_str::<SafetyAnswer>("\"maybe\"").is_err());
        assert_eq!(
            SafetyAnswer::from_stored(None, true),
            Some(SafetyAnswer::RatherNotSay)
        );
        assert_eq!(SafetyAnswer::from_stored(None, false), None);
    }

    #[test]
    fn a_retry_is_the_same_submission_only_with_the_same_fields() {
        let sent = CheckInInput {
            client_id: Some(Uuid::new_v4()),
            mood: Some(2),
            self_harm_thoughts: Some(SafetyAnswer::No),
            note: Some("tired\r\n".into()),
            ..Default::default()
        };
        let stored = sent
            .clone()
            .validate(now())
            .unwrap_or_else(|e| panic!("{e:?}"));
        // A retry without a time is filled with a later "now"; that alone changes nothing.
        let later = now() + Duration::minutes(3);
        let retry = sent
            .clone()
            .validate(later)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(retry.same_submission(&stored, None));
        // A time that was sent is compared, to the millisecond it is stored at.
        assert!(!retry.same_submission(&stored, Some(later)));
        let ns = now() + Duration::nanoseconds(300);
        assert!(retry.same_submission(&stored, Some(ns)));
        let changed = CheckInInput {
            self_harm_thoughts: Some(SafetyAnswer::Yes),
            ..sent
        }
        .validate(now())
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(!changed.same_submission(&stored, None));
        let tags = |body: [&str; 2], tags: [&str; 2]| {
            CheckInInput {
                mood: Some(5),
                body: Some(body.map(String::from).to_vec()),
                harder_today: Some(tags.map(String::from).to_vec()),
                ..Default::default()
            }
            .validate(now())
            .unwrap_or_else(|e| panic!("{e:?}"))
        };
        let a = tags(["fatigue", "tension"], ["eating", "sleeping"]);
        let b = tags(["tension", "fatigue"], ["sleeping", "eating"]);
        assert!(b.same_submission(&a, None));
        let c = tags(["tension", "headache"], ["sleeping", "eating"]);
        assert!(!c.same_submission(&a, None));
    }

    #[test]
    fn control_characters_and_old_dates_are_refused_by_field() {
        let errs = CheckInInput {
            mood: Some(5),
            note: Some("a\u{0}".into()),
            substances: Some("\u{1b}".into()),
            harder_today: Some(vec!["x\u{7}".into()]),
            at: "1000-01-01T00:00:00Z".parse().ok(),
            ..Default::default()
        }
        .validate(now())
        .err()
        .unwrap_or_default();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["at", "harder_today", "substances", "note"]);
    }

    proptest! {
        #[test]
        fn valid_moods_always_pass(m in 0i64..=10, note in "\\PC{0,200}") {
            let r = CheckInInput { mood: Some(m), note: Some(note), ..Default::default() }.validate(now());
            prop_assert!(r.is_ok());
        }
    }
}
