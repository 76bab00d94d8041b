//! Therapy sessions, the check-in that follows one, and the agenda for the next.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checkin::FieldError;
use crate::rating::Rating;

/// How a newly added session repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Repeat {
    /// Just this one.
    Once,
    /// Every 7 days.
    Weekly,
    /// Every 14 days.
    Fortnightly,
}

impl Repeat {
    /// Parses a form or API value.
    pub fn parse(s: &str) -> Option<Repeat> {
        match s {
            "" | "once" => Some(Repeat::Once),
            "weekly" => Some(Repeat::Weekly),
            "fortnightly" => Some(Repeat::Fortnightly),
            _ => None,
        }
    }

    /// Days between occurrences, if it repeats.
    pub fn every_days(self) -> Option<i64> {
        match self {
            Repeat::Once => None,
            Repeat::Weekly => Some(7),
            Repeat::Fortnightly => Some(14),
        }
    }
}

/// How far ahead a repeating schedule is laid out; it is renewed as it runs out.
pub const SCHEDULE_HORIZON_DAYS: i64 = 182;

/// Longest session note.
pub const MAX_SESSION_NOTE_CHARS: usize = 2_000;

/// A session to add: one occurrence, or the first of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    /// Client-generated id; the same id twice is the same session (or series).
    pub client_id: Uuid,
    /// When it starts.
    pub at: DateTime<Utc>,
    /// A private note (e.g. "video call").
    pub note: Option<String>,
    /// Whether it repeats.
    pub repeat: Repeat,
}

impl NewSession {
    /// Checks a session: its time lies between 2000 and two years after `now` (past ones
    /// are allowed, people add the sessions they already had), and its note is clean text.
    pub fn new(
        client_id: Uuid,
        at: DateTime<Utc>,
        note: &str,
        repeat: Repeat,
        now: DateTime<Utc>,
    ) -> Result<NewSession, Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Err(e) = crate::when::planned("at", at, now) {
            errors.push(e);
        }
        let note = match crate::text::clean("note", note) {
            Ok(n) => n.trim().to_string(),
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        if note.chars().count() > MAX_SESSION_NOTE_CHARS {
            errors.push(FieldError::new(
                "note",
                format!("Please keep the note under {MAX_SESSION_NOTE_CHARS} characters."),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewSession {
            client_id,
            at,
            note: (!note.is_empty()).then_some(note),
            repeat,
        })
    }

    /// Whether a retry under the same client id asks for what was stored: the first
    /// session of the earlier request and the repeat it asked for.
    pub fn same_submission(&self, first: &TherapySession, repeat: Repeat) -> bool {
        crate::when::same_instant(self.at, first.at)
            && self.note == first.note
            && self.repeat == repeat
    }

    /// Every occurrence to store: the first, then repeats up to the horizon.
    pub fn occurrences(&self) -> Vec<DateTime<Utc>> {
        match self.repeat.every_days() {
            None => vec![self.at],
            Some(step) => (0..)
                .map(|i| self.at + Duration::days(step * i))
                .take_while(|t| *t <= self.at + Duration::days(SCHEDULE_HORIZON_DAYS))
                .collect(),
        }
    }
}

crate::id::id_type! {
    /// The server id of a therapy session.
    TherapySessionId
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TherapySession {
    /// Server id.
    pub id: TherapySessionId,
    /// When it starts.
    pub at: DateTime<Utc>,
    /// Private note.
    pub note: Option<String>,
    /// The series it belongs to, when it was added as repeating.
    pub series: Option<Uuid>,
}

/// What came up in a session, as the post-session check-in asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CameUp {
    /// Feelings that had been hidden came to the surface.
    HiddenFeelings,
    /// The session ran out of time.
    RanOutOfTime,
    /// A problem was not solved yet.
    ProblemNotSolved,
    /// An approach did not sit well.
    ApproachDidNotSitWell,
    /// A breakthrough.
    Breakthrough,
}

impl CameUp {
    /// Every option, in form order.
    pub const ALL: [CameUp; 5] = [
        CameUp::HiddenFeelings,
        CameUp::RanOutOfTime,
        CameUp::ProblemNotSolved,
        CameUp::ApproachDidNotSitWell,
        CameUp::Breakthrough,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            CameUp::HiddenFeelings => "hidden_feelings",
            CameUp::RanOutOfTime => "ran_out_of_time",
            CameUp::ProblemNotSolved => "problem_not_solved",
            CameUp::ApproachDidNotSitWell => "approach_did_not_sit_well",
            CameUp::Breakthrough => "breakthrough",
        }
    }

    /// Words shown to the person.
    pub fn label(self) -> &'static str {
        match self {
            CameUp::HiddenFeelings => "Feelings I had kept hidden came up",
            CameUp::RanOutOfTime => "We ran out of time",
            CameUp::ProblemNotSolved => "A problem isn't solved yet",
            CameUp::ApproachDidNotSitWell => "Something didn't sit well with me",
            CameUp::Breakthrough => "A breakthrough",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<CameUp> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// Longest feedback or topic text.
pub const MAX_REFLECTION_CHARS: usize = 4_000;
/// Longest single agenda topic.
pub const MAX_TOPIC_CHARS: usize = 300;

/// The post-session check-in as typed, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReflectionInput {
    /// Client-generated id; a retry never duplicates.
    pub client_id: Option<Uuid>,
    /// How the session felt, 0 (very hard) to 10 (very good).
    pub session_feeling: Option<i64>,
    /// What came up, as codes.
    pub came_up: Option<Vec<String>>,
    /// Feedback for the therapist.
    pub feedback: Option<String>,
    /// Topics to bring next time, one per line.
    pub topics: Option<String>,
}

crate::id::id_type! {
    /// The server id of a post-session check-in (a reflection).
    ReflectionId
}

/// A checked post-session check-in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reflection {
    /// Client-generated id.
    pub client_id: Uuid,
    /// How the session felt.
    pub session_feeling: Option<Rating>,
    /// What came up.
    pub came_up: Vec<CameUp>,
    /// Feedback for the therapist.
    pub feedback: Option<String>,
    /// Topics for the agenda, one each.
    pub topics: Vec<String>,
}

impl ReflectionInput {
    /// Checks every field; topics are split by line and trimmed.
    pub fn validate(self) -> Result<Reflection, Vec<FieldError>> {
        let mut errors = Vec::new();
        let session_feeling = match self.session_feeling {
            None => None,
            Some(v) => match Rating::new(v) {
                Ok(r) => Some(r),
                Err(e) => {
                    errors.push(FieldError::new("session_feeling", e.to_string()));
                    None
                }
            },
        };
        let mut came_up = Vec::new();
        for code in self.came_up.unwrap_or_default() {
            match CameUp::parse(code.trim()) {
                Some(c) if !came_up.contains(&c) => came_up.push(c),
                Some(_) => {}
                None => errors.push(FieldError::new("came_up", "Please choose from the list.")),
            }
        }
        let feedback = crate::text::clean_opt("feedback", self.feedback)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty());
        if feedback
            .as_ref()
            .is_some_and(|f| f.chars().count() > MAX_REFLECTION_CHARS)
        {
            errors.push(FieldError::new(
                "feedback",
                format!("Please keep this under {MAX_REFLECTION_CHARS} characters."),
            ));
        }
        let topics = crate::text::clean("topics", &self.topics.unwrap_or_default())
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let topics: Vec<String> = topics
            .lines()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        if topics.iter().any(|t| t.chars().count() > MAX_TOPIC_CHARS) {
            errors.push(FieldError::new(
                "topics",
                format!("Please keep each topic under {MAX_TOPIC_CHARS} characters."),
            ));
        }
        if topics.len() > 20 {
            errors.push(FieldError::new(
                "topics",
                "Please add at most 20 topics at once.",
            ));
        }
        if errors.is_empty() {
            Ok(Reflection {
                client_id: self.client_id.unwrap_or_else(Uuid::new_v4),
                session_feeling,
                came_up,
                feedback,
                topics,
            })
        } else {
            Err(errors)
        }
    }
}

/// Where an agenda topic came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgendaSource {
    /// Typed on the agenda.
    Manual,
    /// From a post-session check-in.
    PostSession,
    /// Put away with "park it" in the toolkit.
    Parked,
    /// A journal entry marked "bring to my next session"; it follows the entry.
    Journal,
    /// A check-in's note, sent to the agenda.
    CheckIn,
    /// A thought record brought to the next session; it follows the record.
    ThoughtRecord,
}

impl AgendaSource {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            AgendaSource::Manual => "manual",
            AgendaSource::PostSession => "post_session",
            AgendaSource::Parked => "parked",
            AgendaSource::Journal => "journal",
            AgendaSource::CheckIn => "checkin",
            AgendaSource::ThoughtRecord => "thought_record",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<AgendaSource> {
        [
            AgendaSource::Manual,
            AgendaSource::PostSession,
            AgendaSource::Parked,
            AgendaSource::Journal,
            AgendaSource::CheckIn,
            AgendaSource::ThoughtRecord,
        ]
        .into_iter()
        .find(|a| a.code() == s)
    }
}

crate::id::id_type! {
    /// The server id of an agenda item.
    AgendaItemId
}

/// A topic to bring to the next session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaItem {
    /// Server id.
    pub id: AgendaItemId,
    /// The topic.
    pub text: String,
    /// Where it came from.
    pub source: AgendaSource,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was marked as discussed.
    pub discussed_at: Option<DateTime<Utc>>,
    /// The journal entry it stands for, when it came from the journal.
    pub journal_entry_id: Option<crate::journal::JournalEntryId>,
    /// The thought record it stands for, when one was brought to the session.
    pub thought_record_id: Option<crate::thought_record::ThoughtRecordId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn weekly_series_covers_the_horizon() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 3, 15, 0, 0)
            .single()
            .unwrap_or_default();
        let id = Uuid::new_v4();
        let s = NewSession::new(id, at, "", Repeat::Weekly, at).map_err(|e| format!("{e:?}"));
        let occ = s.map(|s| s.occurrences()).unwrap_or_default();
        assert_eq!(occ.len(), 27);
        assert_eq!(occ[1] - occ[0], Duration::days(7));
        let f = NewSession::new(id, at, "", Repeat::Fortnightly, at).map(|s| s.occurrences().len());
        assert_eq!(f.ok(), Some(14));
        assert_eq!(
            NewSession::new(id, at, " ", Repeat::Once, at)
                .map(|s| s.note)
                .ok(),
            Some(None)
        );
    }

    #[test]
    fn sessions_are_bounded_and_compared_on_what_was_asked() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 24, 12, 0, 0)
            .single()
            .unwrap_or_default();
        let id = Uuid::new_v4();
        for bad in [
            Utc.with_ymd_and_hms(1, 1, 1, 10, 0, 0).single(),
            Utc.with_ymd_and_hms(9999, 1, 1, 10, 0, 0).single(),
        ] {
            let at = bad.unwrap_or_default();
            let e = NewSession::new(id, at, "", Repeat::Once, now)
                .err()
                .unwrap_or_default();
            assert_eq!(e.first().map(|e| e.field), Some("at"));
        }
        let e = NewSession::new(id, now, "room\u{0}", Repeat::Once, now)
            .err()
            .unwrap_or_default();
        assert_eq!(e.first().map(|e| e.field), Some("note"));
        let s = NewSession::new(id, now, " video ", Repeat::Weekly, now);
        let s = s.unwrap_or_else(|e| panic!("{e:?}"));
        let first = TherapySession {
            id: TherapySessionId(1),
            at: now,
            note: Some("video".into()),
            series: Some(Uuid::new_v4()),
        };
        assert!(s.same_submission(&first, Repeat::Weekly));
        assert!(!s.same_submission(&first, Repeat::Fortnightly));
        let moved = TherapySession {
            at: now + Duration::hours(1),
            ..first
        };
        assert!(!s.same_submission(&moved, Repeat::Weekly));
    }

    #[test]
    fn reflection_splits_topics_and_checks_codes() {
        let r = ReflectionInput {
            session_feeling: Some(4),
            came_up: Some(vec!["ran_out_of_time".into(), "breakthrough".into()]),
            topics: Some("my sister\n\n  sleep  \n".into()),
            ..Default::default()
        }
        .validate();
        let r = r.map_err(|e| format!("{e:?}"));
        assert!(matches!(&r, Ok(r) if r.topics == ["my sister", "sleep"] && r.came_up.len() == 2));
        let bad = ReflectionInput {
            session_feeling: Some(12),
            came_up: Some(vec!["nope".into()]),
            ..Default::default()
        }
        .validate()
        .err()
        .unwrap_or_default();
        assert_eq!(bad.len(), 2);
    }
}
