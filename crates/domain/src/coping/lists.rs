//! The person's own lists: self-care ("an arsenal" of comforts) and distraction.

use serde::{Deserialize, Serialize};

use crate::checkin::FieldError;

/// Which of the person's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// Ways to look after oneself.
    SelfCare,
    /// Things that absorb attention for a while.
    Distraction,
}

impl ListKind {
    /// Both lists, in page order.
    pub const ALL: [ListKind; 2] = [ListKind::SelfCare, ListKind::Distraction];

    /// Stable code used in forms and storage.
    pub fn code(self) -> &'static str {
        match self {
            ListKind::SelfCare => "self_care",
            ListKind::Distraction => "distraction",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<ListKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The list's heading.
    pub fn heading(self) -> &'static str {
        match self {
            ListKind::SelfCare => "My self-care list",
            ListKind::Distraction => "My distraction list",
        }
    }

    /// A few ideas for an empty list.
    pub fn ideas(self) -> &'static [&'static str] {
        match self {
            ListKind::SelfCare => &[
                "A warm bath or shower",
                "A chapter of a favourite book",
                "A funny video",
                "A cup of tea under a blanket",
                "Calling or texting someone kind",
            ],
            ListKind::Distraction => &[
                "A small chore, like the dishes",
                "A game or a puzzle",
                "Planning something to look forward to",
                "Tidying one drawer",
                "Cooking something simple",
            ],
        }
    }
}

/// Longest item on a list.
pub const MAX_LIST_ITEM_CHARS: usize = 120;
/// Most items on one list; a list is for picking from, not for everything.
pub const MAX_LIST_ITEMS: usize = 40;

crate::id::id_type! {
    /// The server id of an item on a personal list.
    ListItemId
}

/// One item on a personal list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListItem {
    /// Server id.
    pub id: ListItemId,
    /// Which list.
    pub kind: ListKind,
    /// What it says.
    pub text: String,
    /// Its place in the list, lowest first.
    pub position: i64,
}

/// Checks an item's text: trimmed, not empty, not too long.
pub fn list_item_text(raw: &str) -> Result<String, FieldError> {
    let text = crate::text::clean("text", raw)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new("text", "Please write something first."));
    }
    if text.chars().count() > MAX_LIST_ITEM_CHARS {
        return Err(FieldError::new(
            "text",
            format!("Please keep it under {MAX_LIST_ITEM_CHARS} characters."),
        ));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_text_is_trimmed_and_bounded() {
        assert_eq!(list_item_text("  a bath ").ok().as_deref(), Some("a bath"));
        assert!(list_item_text("   ").is_err());
        assert!(list_item_text(&"x".repeat(MAX_LIST_ITEM_CHARS + 1)).is_err());
        assert!(list_item_text(&"x".repeat(MAX_LIST_ITEM_CHARS)).is_ok());
    }

    #[test]
    fn kinds_round_trip() {
        for k in ListKind::ALL {
            assert_eq!(ListKind::parse(k.code()), Some(k));
            assert!(!k.ideas().is_empty());
        }
        assert_eq!(ListKind::parse("self-care"), None);
    }
}
