//! Feedback for the therapist: what did not sit well, and what helped. Telling them is part
//! of the work; these notes are kept per session so they can be brought up in the next one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checkin::FieldError;
use crate::therapy::{ReflectionId, TherapySessionId};

/// Longest feedback note.
pub const MAX_FEEDBACK_CHARS: usize = 4_000;

/// What kind of feedback a note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// Something did not sit well.
    DidNotSitWell,
    /// Something helped; more of this.
    Helped,
}

impl FeedbackKind {
    /// Every kind, in form order.
    pub const ALL: [FeedbackKind; 2] = [FeedbackKind::DidNotSitWell, FeedbackKind::Helped];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            FeedbackKind::DidNotSitWell => "did_not_sit_well",
            FeedbackKind::Helped => "helped",
        }
    }

    /// Words shown to the person.
    pub fn label(self) -> &'static str {
        match self {
            FeedbackKind::DidNotSitWell => "This didn't sit well",
            FeedbackKind::Helped => "This helped: more of this",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<FeedbackKind> {
        Self::ALL.into_iter().find(|k| k.code() == s.trim())
    }
}

/// A feedback note as typed, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    /// Client-generated id; a retry never duplicates.
    pub client_id: Option<Uuid>,
    /// The session it is about, if any.
    pub session_id: Option<TherapySessionId>,
    /// A [`FeedbackKind`] code. Required.
    pub kind: Option<String>,
    /// The note. Required.
    pub text: Option<String>,
}

/// A checked feedback note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewFeedback {
    /// Client-generated id.
    pub client_id: Uuid,
    /// The session it is about.
    pub session_id: Option<TherapySessionId>,
    /// What kind of feedback.
    pub kind: FeedbackKind,
    /// The note.
    pub text: String,
}

impl FeedbackInput {
    /// Checks every field and returns the note, or every problem found.
    pub fn validate(self) -> Result<NewFeedback, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = match self.kind.as_deref().and_then(FeedbackKind::parse) {
            Some(k) => Some(k),
            None => {
                errors.push(FieldError::new(
                    "kind",
                    "Please choose whether it helped or didn't sit well.",
                ));
                None
            }
        };
        let text = crate::text::clean("text", &self.text.unwrap_or_default())
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
            .trim()
            .to_string();
        if text.is_empty() && errors.iter().all(|e| e.field != "text") {
            errors.push(FieldError::new("text", "Please write the note first."));
        } else if text.chars().count() > MAX_FEEDBACK_CHARS {
            errors.push(FieldError::new(
                "text",
                format!("Please keep the note under {MAX_FEEDBACK_CHARS} characters."),
            ));
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok(NewFeedback {
                client_id: self.client_id.unwrap_or_else(Uuid::new_v4),
                session_id: self.session_id,
                kind,
                text,
            }),
            _ => Err(errors),
        }
    }
}

impl NewFeedback {
    /// Whether a retry under the same client id sends what was stored. The session is not
    /// compared: one of another account, or one removed since, is stored as none.
    pub fn same_submission(&self, stored: &FeedbackNote) -> bool {
        self.kind == stored.kind && self.text == stored.text
    }
}

crate::id::id_type! {
    /// The server id of a feedback note.
    FeedbackNoteId
}

/// A stored feedback note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackNote {
    /// Server id.
    pub id: FeedbackNoteId,
    /// The session it is about, if it still exists.
    pub session_id: Option<TherapySessionId>,
    /// What kind of feedback.
    pub kind: FeedbackKind,
    /// The note.
    pub text: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// The feedback written in a post-session check-in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReflectionFeedback {
    /// The post-session check-in's id.
    pub reflection_id: ReflectionId,
    /// The session it is about, if it still exists.
    pub session_id: Option<TherapySessionId>,
    /// When the check-in was written.
    pub at: DateTime<Utc>,
    /// The feedback text.
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_need_a_kind_and_text() {
        let ok = FeedbackInput {
            session_id: Some(TherapySessionId(3)),
            kind: Some("helped".into()),
            text: Some(" the breathing at the end ".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.kind, FeedbackKind::Helped);
        assert_eq!(ok.text, "the breathing at the end");
        let bad = FeedbackInput::default().validate().unwrap_err();
        let fields: Vec<_> = bad.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["kind", "text"]);
        for k in FeedbackKind::ALL {
            assert_eq!(FeedbackKind::parse(k.code()), Some(k));
        }
    }
}
