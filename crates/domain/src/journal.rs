//! The journal: free writing between sessions, with two gentle flags. "Bring to my next
//! session" puts the entry on the agenda; "parked" puts it away for the session without
//! asking the person to work it out now.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checkin::FieldError;
use crate::therapy::MAX_TOPIC_CHARS;

/// Longest entry we keep: several pages of writing.
pub const MAX_ENTRY_CHARS: usize = 20_000;
/// Longest search term.
pub const MAX_SEARCH_CHARS: usize = 100;
/// Entries on one page of the journal.
pub const PAGE_SIZE: usize = 20;

/// A journal entry as typed or posted, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalInput {
    /// Client-generated id; a retry never duplicates.
    pub client_id: Option<Uuid>,
    /// When it was written; defaults to now.
    pub at: Option<DateTime<Utc>>,
    /// The writing itself. Required.
    pub text: Option<String>,
    /// Put it on the agenda for the next session.
    pub bring_to_session: Option<bool>,
    /// Put it away for the session.
    pub parked: Option<bool>,
}

/// A checked entry, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewJournalEntry {
    /// Client-generated id.
    pub client_id: Uuid,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The writing, trimmed.
    pub text: String,
    /// On the agenda for the next session.
    pub bring_to_session: bool,
    /// Put away for the session.
    pub parked: bool,
}

/// Checks entry text: not empty, not too long. Line breaks inside are kept.
pub fn check_text(text: &str) -> Result<String, FieldError> {
    let text = crate::text::clean("text", text)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new("text", "Please write something first."));
    }
    if text.chars().count() > MAX_ENTRY_CHARS {
        return Err(FieldError::new(
            "text",
            format!("Please keep an entry under {MAX_ENTRY_CHARS} characters."),
        ));
    }
    Ok(text.to_string())
}

impl JournalInput {
    /// Checks every field; `now` fills a missing time and bounds how far ahead one may be.
    pub fn validate(self, now: DateTime<Utc>) -> Result<NewJournalEntry, Vec<FieldError>> {
        let mut errors = Vec::new();
        let at = self.at.unwrap_or(now);
        if let Err(e) = crate::when::happened("at", at, now) {
            errors.push(e);
        }
        let text = check_text(self.text.as_deref().unwrap_or(""))
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        if errors.is_empty() {
            Ok(NewJournalEntry {
                client_id: self.client_id.unwrap_or_else(Uuid::new_v4),
                at,
                text,
                bring_to_session: self.bring_to_session.unwrap_or(false),
                parked: self.parked.unwrap_or(false),
            })
        } else {
            Err(errors)
        }
    }
}

impl NewJournalEntry {
    /// Whether a retry under the same client id sends what was stored; a time left out
    /// (`at_sent` is `None`) was filled with "now" and is not compared.
    pub fn same_submission(&self, stored: &JournalEntry, at_sent: Option<DateTime<Utc>>) -> bool {
        crate::when::same_sent_instant(at_sent, stored.at)
            && self.text == stored.text
            && self.bring_to_session == stored.bring_to_session
            && self.parked == stored.parked
    }
}

/// A change to an entry: each field left `None` stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalEdit {
    /// New text.
    pub text: Option<String>,
    /// On the agenda for the next session, or not.
    pub bring_to_session: Option<bool>,
    /// Put away for the session, or not.
    pub parked: Option<bool>,
}

impl JournalEdit {
    /// Checks the new text, if any, and returns the edit with it trimmed.
    pub fn validate(self) -> Result<JournalEdit, Vec<FieldError>> {
        let text = match self.text {
            None => None,
            Some(t) => Some(check_text(&t).map_err(|e| vec![e])?),
        };
        Ok(JournalEdit { text, ..self })
    }
}

crate::id::id_type! {
    /// The server id of a journal entry.
    JournalEntryId
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalEntry {
    /// Server id.
    pub id: JournalEntryId,
    /// Client-generated id.
    pub client_id: Uuid,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The writing.
    pub text: String,
    /// On the agenda (an open agenda topic points at it).
    pub bring_to_session: bool,
    /// Put away for the session.
    pub parked: bool,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// Which entries to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalFilter {
    /// Every entry.
    #[default]
    All,
    /// Only those on the agenda for the next session.
    BringToSession,
    /// Only those parked.
    Parked,
}

impl JournalFilter {
    /// Stable code, used in the page address and the API.
    pub fn code(self) -> &'static str {
        match self {
            JournalFilter::All => "all",
            JournalFilter::BringToSession => "bring_to_session",
            JournalFilter::Parked => "parked",
        }
    }

    /// Parses a code; empty means every entry.
    pub fn parse(s: &str) -> Option<JournalFilter> {
        match s.trim() {
            "" | "all" => Some(JournalFilter::All),
            "bring_to_session" => Some(JournalFilter::BringToSession),
            "parked" => Some(JournalFilter::Parked),
            _ => None,
        }
    }
}

/// Checks a search term: trimmed, not empty, not too long.
pub fn check_search(term: &str) -> Result<String, FieldError> {
    let term = crate::text::clean("q", term)?;
    let term = term.trim();
    if term.is_empty() {
        return Err(FieldError::new("q", "Please type a word to look for."));
    }
    if term.chars().count() > MAX_SEARCH_CHARS {
        return Err(FieldError::new(
            "q",
            format!("Please search for under {MAX_SEARCH_CHARS} characters."),
        ));
    }
    Ok(term.to_string())
}

/// The agenda topic an entry becomes: its first non-empty line, shortened to fit a topic.
pub fn topic(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() <= MAX_TOPIC_CHARS {
        return line.to_string();
    }
    // Leave room for the ellipsis that says there is more in the journal.
    let mut short: String = line.chars().take(MAX_TOPIC_CHARS - 1).collect();
    short.truncate(short.trim_end().len());
    short.push('…');
    short
}

/// Where a page of the journal starts: just older than this entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalCursor {
    /// The entry's time, Unix milliseconds.
    pub at_ms: i64,
    /// The entry's id, which breaks ties between entries written in the same millisecond.
    pub id: JournalEntryId,
}

impl JournalCursor {
    /// The cursor just after `entry` in newest-first order.
    pub fn after(entry: &JournalEntry) -> JournalCursor {
        JournalCursor {
            at_ms: entry.at.timestamp_millis(),
            id: entry.id,
        }
    }

    /// The cursor as a short query value, `AT-ID`. It holds no text, only numbers.
    pub fn to_param(self) -> String {
        format!("{}-{}", self.at_ms, self.id)
    }

    /// Parses [`JournalCursor::to_param`]'s form.
    pub fn parse(s: &str) -> Option<JournalCursor> {
        let (at, id) = s.trim().rsplit_once('-')?;
        Some(JournalCursor {
            at_ms: at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// One page of entries, newest first, and where the next (older) page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalPage {
    /// The entries.
    pub entries: Vec<JournalEntry>,
    /// Where the next page starts, when there are older entries.
    pub next: Option<JournalCursor>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn cursors_round_trip() {
        let c = JournalCursor {
            at_ms: 1_790_000_000_000,
            id: JournalEntryId(42),
        };
        assert_eq!(JournalCursor::parse(&c.to_param()), Some(c));
        let negative = JournalCursor {
            at_ms: -5,
            id: JournalEntryId(1),
        };
        assert_eq!(JournalCursor::parse(&negative.to_param()), Some(negative));
        assert_eq!(JournalCursor::parse("x-1"), None);
        assert_eq!(JournalCursor::parse(""), None);
    }

    #[test]
    fn entries_need_text_and_keep_their_lines() {
        let now = Utc::now();
        let ok = JournalInput {
            text: Some("  first line\nsecond line  ".into()),
            bring_to_session: Some(true),
            ..Default::default()
        }
        .validate(now)
        .unwrap();
        assert_eq!(ok.text, "first line\nsecond line");
        assert!(ok.bring_to_session && !ok.parked);
        assert_eq!(ok.at, now);

        let empty = JournalInput {
            text: Some("   ".into()),
            at: Some(now + Duration::days(2)),
            ..Default::default()
        }
        .validate(now)
        .unwrap_err();
        let fields: Vec<_> = empty.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["at", "text"]);

        let long = "x".repeat(MAX_ENTRY_CHARS + 1);
        assert!(check_text(&long).is_err());
        assert!(check_text(&"é".repeat(MAX_ENTRY_CHARS)).is_ok());
    }

    #[test]
    fn edits_check_only_what_changes() {
        let e = JournalEdit {
            parked: Some(true),
            ..Default::default()
        };
        assert_eq!(e.clone().validate().unwrap(), e);
        let bad = JournalEdit {
            text: Some(" ".into()),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn a_topic_is_the_first_line_and_fits() {
        assert_eq!(topic("\n  my sister  \nmore"), "my sister");
        let long = format!("{} tail", "ab ".repeat(200));
        let t = topic(&long);
        assert!(t.chars().count() <= MAX_TOPIC_CHARS);
        assert!(t.ends_with('…'));
        // Multi-byte text is cut on a character boundary.
        let emoji = "🌧".repeat(400);
        assert_eq!(topic(&emoji).chars().count(), MAX_TOPIC_CHARS);
    }

    #[test]
    fn filters_and_search_terms() {
        for f in [
            JournalFilter::All,
            JournalFilter::BringToSession,
            JournalFilter::Parked,
        ] {
            assert_eq!(JournalFilter::parse(f.code()), Some(f));
        }
        assert_eq!(JournalFilter::parse(""), Some(JournalFilter::All));
        assert_eq!(JournalFilter::parse("secret"), None);
        assert_eq!(check_search("  sleep ").unwrap(), "sleep");
        assert!(check_search(" ").is_err());
        assert!(check_search(&"a".repeat(MAX_SEARCH_CHARS + 1)).is_err());
    }
}
