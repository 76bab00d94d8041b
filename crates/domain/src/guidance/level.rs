//! The four guidance levels, in order of precedence, with what the home page says for each.

use serde::{Deserialize, Serialize};

/// How things look, from nothing notable to "get help now"; later variants win.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Nothing notable.
    Steady,
    /// Lower than usual, starting within a few days of a session, and not for long yet.
    ExpectedDip,
    /// A reason to contact the therapist.
    ReachOut,
    /// Self-harm thoughts reported: safety first.
    Urgent,
}

impl Level {
    /// Every level, lowest precedence first.
    pub const ALL: [Level; 4] = [
        Level::Steady,
        Level::ExpectedDip,
        Level::ReachOut,
        Level::Urgent,
    ];

    /// Stable code used in JSON, storage and page classes.
    pub fn code(self) -> &'static str {
        match self {
            Level::Steady => "steady",
            Level::ExpectedDip => "expected_dip",
            Level::ReachOut => "reach_out",
            Level::Urgent => "urgent",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Level> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// A short heading for the home page.
    pub fn headline(self) -> &'static str {
        match self {
            Level::Steady => "Nothing stands out right now",
            Level::ExpectedDip => "A dip after your session",
            Level::ReachOut => "It would be good to contact your therapist",
            // The urgent call card above already says "Please get support now".
            Level::Urgent => "Your safety comes first",
        }
    }

    /// The usual advice for this level, in a sentence or two.
    pub fn advice(self) -> &'static str {
        match self {
            Level::Steady => "Keep checking in, and use your toolkit whenever it helps.",
            Level::ExpectedDip => {
                "Feeling lower in the days after a session is common and usually passes within \
                 two or three days. Be gentle with yourself: a closing ritual, a tool from your \
                 toolkit, or parking a thought for your next session can help."
            }
            Level::ReachOut => {
                "The usual advice is to let your therapist know before your next session. \
                 We have drafted a message you can change and send."
            }
            Level::Urgent => {
                "Open your safety plan and call a crisis line now. If you are in danger right \
                 now, call the emergency number."
            }
        }
    }
}

impl Level {
    /// Where the advice comes from, in a sentence, for a small "Where this comes from" line;
    /// `None` when there is nothing to explain.
    pub fn basis(self) -> Option<&'static str> {
        match self {
            Level::Steady => None,
            Level::ExpectedDip => Some(
                "therapists often say that feeling worse for two or three days after a session \
                 is a normal part of the work, and passes.",
            ),
            Level::ReachOut => Some(
                "therapists usually advise getting in touch when low days go on for more than \
                 two or three days, when coping skills stop helping, or when you can't manage \
                 your usual day.",
            ),
            Level::Urgent => Some(
                "thoughts of harming yourself always deserve support straight away, whatever \
                 else is going on.",
            ),
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_codes() {
        assert!(Level::Urgent > Level::ReachOut);
        assert!(Level::ReachOut > Level::ExpectedDip);
        assert!(Level::ExpectedDip > Level::Steady);
        for l in Level::ALL {
            assert_eq!(Level::parse(l.code()), Some(l));
            assert_eq!(
                serde_json::to_string(&l).unwrap(),
                format!("\"{}\"", l.code())
            );
            assert!(!l.headline().is_empty() && !l.advice().is_empty());
        }
    }
}
