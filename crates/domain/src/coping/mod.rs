//! The coping toolkit: the catalogue of guided tools, the person's own lists, each use with
//! distress before and after, and what the uses say about which tools help this person.

pub mod catalogue;
pub mod lists;
pub mod ranking;
pub mod suggest;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use catalogue::{Cue, Group, Kind, Step, Tool, ToolId, catalogue};
pub use lists::{ListItem, ListItemId, ListKind};
pub use ranking::{
    MIN_RATED_USES, ToolStats, ToolTotals, best_of, best_tools, ranked, ranked_of, stats_of,
    tool_stats, tool_totals,
};
pub use suggest::{Suggestion, SuggestionKind, is_short_sleep, suggest};

use crate::checkin::FieldError;
use crate::history::CopingRecord;
use crate::rating::Rating;

/// Longest note on a use (what was parked, the two good things, anything noticed).
pub const MAX_COPING_NOTE_CHARS: usize = 2_000;

/// A use of a tool as posted, before it is checked. Numbers are wide so that a wrong value
/// can be named in the error instead of failing to parse.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopingUseInput {
    /// Id made by the client so that a retry never duplicates.
    pub client_id: Option<Uuid>,
    /// The tool's code, e.g. `box-breathing`. Required.
    pub tool: Option<String>,
    /// When the exercise started; defaults to now.
    pub started_at: Option<DateTime<Utc>>,
    /// Distress before, 0–10 (10 = most).
    pub distress_before: Option<i64>,
    /// Distress after, 0–10.
    pub distress_after: Option<i64>,
    /// A note; for `park-it`, the thought that is parked on the agenda.
    pub note: Option<String>,
}

/// A checked use of a tool, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCopingUse {
    /// Client-generated id; the same id twice is the same use.
    pub client_id: Uuid,
    /// Which tool.
    pub tool: ToolId,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Distress before, when given.
    pub distress_before: Option<Rating>,
    /// Distress after, when given.
    pub distress_after: Option<Rating>,
    /// The note, when given.
    pub note: Option<String>,
}

crate::id::id_type! {
    /// The server id of one use of a coping tool.
    CopingUseId
}

/// A stored use of a tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopingUse {
    /// Server id.
    pub id: CopingUseId,
    /// The checked content.
    #[serde(flatten)]
    pub content: NewCopingUse,
    /// When the server stored it.
    pub created_at: DateTime<Utc>,
}

impl NewCopingUse {
    /// Whether a retry under the same client id sends what was stored; a start left out
    /// (`started_sent` is `None`) was filled with "now" and is not compared.
    pub fn same_submission(
        &self,
        stored: &NewCopingUse,
        started_sent: Option<DateTime<Utc>>,
    ) -> bool {
        let mut mine = self.clone();
        mine.started_at = stored.started_at;
        crate::when::same_sent_instant(started_sent, stored.started_at) && mine == *stored
    }

    /// Distress before minus after, when both were given; positive means it eased.
    pub fn relief(&self) -> Option<i16> {
        Some(i16::from(self.distress_before?.get()) - i16::from(self.distress_after?.get()))
    }

    /// The text to park on the agenda: the note of a `park-it` use.
    pub fn parked_text(&self) -> Option<&str> {
        (self.tool == ToolId::ParkIt)
            .then_some(self.note.as_deref())
            .flatten()
    }

    /// The use as the guidance engine and the ranking read it. The start time stands for
    /// the use: exercises last minutes, and the engine looks at days.
    pub fn record(&self) -> CopingRecord {
        CopingRecord {
            at: self.started_at,
            tool: Some(self.tool.code().to_string()),
            distress_before: self.distress_before,
            distress_after: self.distress_after,
        }
    }
}

fn distress(
    field: &'static str,
    value: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Option<Rating> {
    let v = value?;
    match Rating::new(v) {
        Ok(r) => Some(r),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "Distress is a whole number from 0 to 10.",
            ));
            None
        }
    }
}

impl CopingUseInput {
    /// Checks every field and returns the use, or every problem found. `now` fills a
    /// missing start and bounds how far ahead a start may be.
    pub fn validate(self, now: DateTime<Utc>) -> Result<NewCopingUse, Vec<FieldError>> {
        let mut errors = Vec::new();
        let tool = match self.tool.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::new("tool", "Please say which tool was used."));
                None
            }
            Some(code) => {
                let tool = ToolId::parse(code);
                if tool.is_none() {
                    errors.push(FieldError::new(
                        "tool",
                        "That is not a tool in the toolkit; use an id such as box-breathing.",
                    ));
                }
                tool
            }
        };
        let started_at = self.started_at.unwrap_or(now);
        if let Err(e) = crate::when::happened("started_at", started_at, now) {
            errors.push(e);
        }
        let distress_before = distress("distress_before", self.distress_before, &mut errors);
        let distress_after = distress("distress_after", self.distress_after, &mut errors);
        let note = crate::text::clean_opt("note", self.note)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_COPING_NOTE_CHARS)
        {
            errors.push(FieldError::new(
                "note",
                format!("Please keep this under {MAX_COPING_NOTE_CHARS} characters."),
            ));
        }
        match (tool, errors.is_empty()) {
            (Some(tool), true) => Ok(NewCopingUse {
                client_id: self.client_id.unwrap_or_else(Uuid::new_v4),
                tool,
                started_at,
                distress_before,
                distress_after,
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

    fn now() -> DateTime<Utc> {
        "2026-11-24T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_tool_is_enough() {
        let u = CopingUseInput {
            tool: Some("box-breathing".into()),
            ..Default::default()
        }
        .validate(now())
        .unwrap();
        assert_eq!(u.tool, ToolId::BoxBreathing);
        assert_eq!(u.started_at, now());
        assert_eq!(u.relief(), None);
        assert_eq!(u.note, None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let errs = CopingUseInput {
            tool: Some("deep-sighing".into()),
            started_at: Some(now() + Duration::days(2)),
            distress_before: Some(11),
            distress_after: Some(-1),
            note: Some("x".repeat(MAX_COPING_NOTE_CHARS + 1)),
            ..Default::default()
        }
        .validate(now())
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "tool",
                "started_at",
                "distress_before",
                "distress_after",
                "note"
            ]
        );
        let missing = CopingUseInput::default().validate(now()).unwrap_err();
        assert_eq!(missing[0].field, "tool");
    }

    #[test]
    fn relief_is_before_minus_after() {
        let u = CopingUseInput {
            tool: Some("grounding-5-4-3-2-1".into()),
            distress_before: Some(7),
            distress_after: Some(4),
            note: Some("  ".into()),
            ..Default::default()
        }
        .validate(now())
        .unwrap();
        assert_eq!(u.relief(), Some(3));
        assert_eq!(u.note, None);
        let r = u.record();
        assert_eq!(r.tool.as_deref(), Some("grounding-5-4-3-2-1"));
        assert_eq!(r.brought_no_relief(), Some(false));
    }

    #[test]
    fn only_park_it_parks_its_note() {
        let park = CopingUseInput {
            tool: Some("park-it".into()),
            note: Some(" my sister's call ".into()),
            ..Default::default()
        }
        .validate(now())
        .unwrap();
        assert_eq!(park.parked_text(), Some("my sister's call"));
        let other = CopingUseInput {
            tool: Some("body-scan".into()),
            note: Some("calmer".into()),
            ..Default::default()
        }
        .validate(now())
        .unwrap();
        assert_eq!(other.parked_text(), None);
    }
}
