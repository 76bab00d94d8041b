//! Which tools to offer first, given how things look today and what has helped before.

use serde::Serialize;

use super::catalogue::ToolId;
use super::ranking::ToolStats;
use crate::guidance::Level;

/// Why these tools are offered, which decides the words around them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    /// After a session, when a dip is expected: something to close the session gently.
    ClosingRitual,
    /// The tools that have eased distress for this person before.
    WhatHelpsYou,
    /// Quick ways to calm down while reaching out, before anything is learned.
    SteadyingNow,
    /// Nothing learned yet and nothing pressing: good first tools to try.
    StartHere,
}

/// Tools to offer first, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// Why.
    pub kind: SuggestionKind,
    /// Which tools, most fitting first.
    pub tools: Vec<ToolId>,
}

/// Most tools suggested at once: a short list is easier to choose from when low.
pub const MAX_SUGGESTED: usize = 3;

/// What to offer at a guidance level, given `ranked` (as from
/// [`ranked`](super::ranking::ranked), best first).
///
/// After a session with a dip expected, a closing ritual: settle the body, find a calm
/// place, park what is unfinished. When low enough to reach out (or worse), the tools that
/// helped this person before, else quick steadying ones. Otherwise the helpful ones, or a
/// few good first tools.
pub fn suggest(level: Level, ranked: &[ToolStats]) -> Suggestion {
    let helpful: Vec<ToolId> = ranked
        .iter()
        .filter(|s| s.helps())
        .take(MAX_SUGGESTED)
        .map(|s| s.tool)
        .collect();
    match level {
        Level::ExpectedDip => Suggestion {
            kind: SuggestionKind::ClosingRitual,
            tools: vec![ToolId::BodyScan, ToolId::GuidedImagery, ToolId::ParkIt],
        },
        Level::ReachOut | Level::Urgent if helpful.is_empty() => Suggestion {
            kind: SuggestionKind::SteadyingNow,
            tools: vec![
                ToolId::BoxBreathing,
                ToolId::Grounding54321,
                ToolId::SensoryReset,
            ],
        },
        Level::Steady if helpful.is_empty() => Suggestion {
            kind: SuggestionKind::StartHere,
            tools: vec![
                ToolId::BoxBreathing,
                ToolId::Grounding54321,
                ToolId::TwoGoodThings,
            ],
        },
        _ => Suggestion {
            kind: SuggestionKind::WhatHelpsYou,
            tools: helpful,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coping::ranking::ranked;
    use crate::history::CopingRecord;
    use crate::rating::Rating;

    fn uses(tool: &str, before: i64, after: i64) -> Vec<CopingRecord> {
        (0..3)
            .map(|h| CopingRecord {
                at: "2026-03-01T09:00:00Z"
                    .parse::<chrono::DateTime<chrono::Utc>>()
                    .unwrap()
                    + chrono::Duration::hours(h),
                tool: Some(tool.into()),
                distress_before: Rating::new(before).ok(),
                distress_after: Rating::new(after).ok(),
            })
            .collect()
    }

    #[test]
    fn a_dip_after_a_session_offers_a_closing_ritual() {
        let learned = ranked(&uses("movement-break", 8, 3));
        for r in [Vec::new(), learned] {
            let s = suggest(Level::ExpectedDip, &r);
            assert_eq!(s.kind, SuggestionKind::ClosingRitual);
            assert_eq!(
                s.tools,
                [ToolId::BodyScan, ToolId::GuidedImagery, ToolId::ParkIt]
            );
        }
    }

    #[test]
    fn when_low_the_tools_that_helped_come_first() {
        let mut all = uses("movement-break", 8, 3);
        all.extend(uses("box-breathing", 8, 7));
        all.extend(uses("sensory-reset", 6, 8));
        let r = ranked(&all);
        let s = suggest(Level::ReachOut, &r);
        assert_eq!(s.kind, SuggestionKind::WhatHelpsYou);
        assert_eq!(s.tools, [ToolId::MovementBreak, ToolId::BoxBreathing]);
        assert_eq!(suggest(Level::Steady, &r), s);
        assert_eq!(suggest(Level::Urgent, &r), s);
    }

    #[test]
    fn before_anything_is_learned() {
        let unhelpful = ranked(&uses("sensory-reset", 5, 6));
        let s = suggest(Level::ReachOut, &unhelpful);
        assert_eq!(s.kind, SuggestionKind::SteadyingNow);
        assert_eq!(s.tools.len(), 3);
        let s = suggest(Level::Steady, &[]);
        assert_eq!(s.kind, SuggestionKind::StartHere);
        assert!(s.tools.contains(&ToolId::BoxBreathing));
    }
}
