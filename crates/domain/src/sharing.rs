//! Sharing with a therapist: what a client may share (scopes), the grant that records it,
//! and the words the audit log uses for what a therapist read or did.

use serde::{Deserialize, Serialize};

crate::id::id_type! {
    /// The id of one client-therapist grant: the only id a therapist ever sees for a client.
    GrantId
}

/// One kind of data a client may share with a therapist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Check-ins, the guidance level and its reasons.
    Checkins,
    /// PHQ-9 and GAD-7 results.
    Questionnaires,
    /// The agenda, items brought to the session, homework and session feedback.
    SessionPrep,
    /// The safety plan and the backsliding plan.
    Plans,
}

impl Scope {
    /// Every scope, in the order they are stored, listed and shown.
    pub const ALL: [Scope; 4] = [
        Scope::Checkins,
        Scope::Questionnaires,
        Scope::SessionPrep,
        Scope::Plans,
    ];

    /// The stable code used in the API and in the database.
    pub fn code(self) -> &'static str {
        match self {
            Scope::Checkins => "checkins",
            Scope::Questionnaires => "questionnaires",
            Scope::SessionPrep => "session_prep",
            Scope::Plans => "plans",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.code() == code)
    }

    /// What the scope shares, in words for the client choosing it.
    pub fn label(self) -> &'static str {
        match self {
            Scope::Checkins => "Check-ins, and what the app suggests from them (with its reasons)",
            Scope::Questionnaires => "Questionnaire results (PHQ-9 and GAD-7)",
            Scope::SessionPrep => "Session preparation: agenda, homework and session feedback",
            Scope::Plans => "My safety plan and backsliding plan",
        }
    }

    /// What the scope shares, in words for the therapist it is shared with.
    pub fn for_therapist(self) -> &'static str {
        match self {
            Scope::Plans => "Their safety plan and backsliding plan",
            other => other.label(),
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of scopes. Kept as a small bit set; stored and sent as the list of codes in
/// [`Scope::ALL`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Scopes(u8);

/// A scope list that names an unknown scope, or none at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopesError {
    /// A code that is not a scope.
    #[error("\"{0}\" is not something that can be shared")]
    Unknown(String),
    /// Nothing chosen.
    #[error("choose at least one thing to share")]
    Empty,
}

impl Scopes {
    /// No scopes.
    pub const NONE: Scopes = Scopes(0);

    /// Every scope.
    pub fn all() -> Scopes {
        Scope::ALL.into_iter().collect()
    }

    /// Whether `scope` is in the set.
    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    /// The set with `scope` added.
    pub fn with(self, scope: Scope) -> Scopes {
        Scopes(self.0 | scope.bit())
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The scopes in the set, in [`Scope::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// The codes in order.
    pub fn codes(self) -> Vec<&'static str> {
        self.iter().map(Scope::code).collect()
    }

    /// Parses a list of codes as a person or API sends it: duplicates are harmless, an
    /// unknown code or an empty list is refused.
    pub fn from_codes<S: AsRef<str>>(codes: &[S]) -> Result<Scopes, ScopesError> {
        let mut set = Scopes::NONE;
        for code in codes {
            let code = code.as_ref();
            let scope = Scope::parse(code).ok_or_else(|| ScopesError::Unknown(code.to_string()))?;
            set = set.with(scope);
        }
        if set.is_empty() {
            return Err(ScopesError::Empty);
        }
        Ok(set)
    }

    /// The stored form: codes joined by commas, in order.
    pub fn to_stored(self) -> String {
        self.codes().join(",")
    }

    /// Reads the stored form; `None` when it names an unknown scope.
    pub fn from_stored(stored: &str) -> Option<Scopes> {
        stored
            .split(',')
            .filter(|c| !c.is_empty())
            .try_fold(Scopes::NONE, |set, code| {
                Scope::parse(code).map(|s| set.with(s))
            })
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Scopes {
        iter.into_iter().fold(Scopes::NONE, Scopes::with)
    }
}

impl Serialize for Scopes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// Whether an audit row records a read of the client's data or something the therapist did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// The therapist looked at data of a scope.
    Read,
    /// The therapist changed something the client sees (assigned homework, set sensitivity).
    Action,
}

impl AuditKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            AuditKind::Read => "read",
            AuditKind::Action => "action",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<AuditKind> {
        match code {
            "read" => Some(AuditKind::Read),
            "action" => Some(AuditKind::Action),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_storage_in_a_fixed_order() {
        let set = Scopes::from_codes(&["plans", "checkins", "plans"]).unwrap();
        assert_eq!(set.to_stored(), "checkins,plans");
        assert_eq!(Scopes::from_stored("checkins,plans"), Some(set));
        assert_eq!(
            Scopes::from_stored(&Scopes::all().to_stored()),
            Some(Scopes::all())
        );
        assert_eq!(Scopes::from_stored("checkins,secrets"), None);
        assert_eq!(
            serde_json::to_string(&set).unwrap(),
            r#"["checkins","plans"]"#
        );
    }

    #[test]
    fn an_unknown_or_empty_scope_list_is_refused() {
        assert_eq!(
            Scopes::from_codes(&["journal"]),
            Err(ScopesError::Unknown("journal".into()))
        );
        assert_eq!(Scopes::from_codes::<&str>(&[]), Err(ScopesError::Empty));
    }

    #[test]
    fn codes_parse_back_to_their_scope() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.code()), Some(s));
            assert!(Scopes::all().contains(s));
            assert!(!Scopes::NONE.contains(s));
        }
        assert_eq!(Scope::parse("journal"), None);
    }
}
