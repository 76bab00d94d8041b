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
    /// The bedtime routine was offered because the last night's sleep was short.
    pub for_short_sleep: bool,
}

/// Most tools suggested at once: a short list is easier to choose from when low.
pub const MAX_SUGGESTED: usize = 3;

/// Fewer hours than this, in the latest check-in, count as a short night. Adults are advised
/// to sleep 7 hours or more (the joint consensus of the American Academy of Sleep Medicine
/// and the Sleep Research Society, Watson et al., Sleep 2015); under 6 is clearly short.
pub const SHORT_SLEEP_HOURS: f64 = 6.0;

/// Whether a night of `hours` is short enough to offer the bedtime routine.
pub fn is_short_sleep(hours: Option<f64>) -> bool {
    hours.is_some_and(|h| h < SHORT_SLEEP_HOURS)
}

/// What to offer at a guidance level, given `ranked` (as from
/// [`ranked`](super::ranking::ranked), best first), and whether the last night was short.
///
/// After a session with a dip expected, a closing ritual: answer the harsh inner voice,
/// settle the body, park what is unfinished. When low enough to reach out (or worse), the
/// tools that helped this person before, else quick steadying ones. Otherwise the helpful
/// ones, or a few good first tools. On a steady day or an expected dip after a short night,
/// the bedtime routine takes the last place; on harder days steadying comes first.
pub fn suggest(level: Level, ranked: &[ToolStats], short_sleep: bool) -> Suggestion {
    let mut s = by_level(level, ranked);
    if short_sleep
        && matches!(level, Level::Steady | Level::ExpectedDip)
        && !s.tools.contains(&ToolId::BedtimeRoutine)
    {
        if s.tools.len() >= MAX_SUGGESTED {
            s.tools.truncate(MAX_SUGGESTED - 1);
        }
        s.tools.push(ToolId::BedtimeRoutine);
        s.for_short_sleep = true;
    }
    s
}

fn by_level(level: Level, ranked: &[ToolStats]) -> Suggestion {
    let helpful: Vec<ToolId> = ranked
        .iter()
        .filter(|s| s.helps())
        .take(MAX_SUGGESTED)
        .map(|s| s.tool)
        .collect();
    let (kind, tools) = match level {
        Level::ExpectedDip => (
            SuggestionKind::ClosingRitual,
            vec![ToolId::SelfCompassion, ToolId::BodyScan, ToolId::ParkIt],
        ),
        Level::ReachOut | Level::Urgent if helpful.is_empty() => (
            SuggestionKind::SteadyingNow,
            vec![
                ToolId::BoxBreathing,
                ToolId::Grounding54321,
                ToolId::SensoryReset,
            ],
        ),
        Level::Steady if helpful.is_empty() => (
            SuggestionKind::StartHere,
            vec![
                ToolId::BoxBreathing,
                ToolId::Grounding54321,
                ToolId::ThoughtRecord,
            ],
        ),
        _ => (SuggestionKind::WhatHelpsYou, helpful),
    };
    Suggestion {
        kind,
        tools,
        for_short_sleep: false,
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
            let s = suggest(Level::ExpectedDip, &r, false);
            assert_eq!(s.kind, SuggestionKind::ClosingRitual);
            assert_eq!(
                s.tools,
                [ToolId::SelfCompassion, ToolId::BodyScan, ToolId::ParkIt]
            );
        }
    }

    #[test]
    fn when_low_the_tools_that_helped_come_first() {
        let mut all = uses("movement-break", 8, 3);
        all.extend(uses("box-breathing", 8, 7));
        all.extend(uses("sensory-reset", 6, 8));
        let r = ranked(&all);
        let s = suggest(Level::ReachOut, &r, false);
        assert_eq!(s.kind, SuggestionKind::WhatHelpsYou);
        assert_eq!(s.tools, [ToolId::MovementBreak, ToolId::BoxBreathing]);
        assert_eq!(suggest(Level::Steady, &r, false), s);
        assert_eq!(suggest(Level::Urgent, &r, false), s);
    }

    #[test]
    fn before_anything_is_learned() {
        let unhelpful = ranked(&uses("sensory-reset", 5, 6));
        let s = suggest(Level::ReachOut, &unhelpful, false);
        assert_eq!(s.kind, SuggestionKind::SteadyingNow);
        assert_eq!(s.tools.len(), 3);
        let s = suggest(Level::Steady, &[], false);
        assert_eq!(s.kind, SuggestionKind::StartHere);
        assert!(s.tools.contains(&ToolId::BoxBreathing));
        assert!(s.tools.contains(&ToolId::ThoughtRecord));
    }

    #[test]
    fn a_short_night_offers_the_bedtime_routine_on_calmer_days_only() {
        assert!(is_short_sleep(Some(5.5)));
        assert!(!is_short_sleep(Some(6.0)));
        assert!(!is_short_sleep(None));
        let s = suggest(Level::Steady, &[], true);
        assert_eq!(
            s.tools,
            [
                ToolId::BoxBreathing,
                ToolId::Grounding54321,
                ToolId::BedtimeRoutine
            ]
        );
        assert!(s.for_short_sleep);
        let s = suggest(Level::ExpectedDip, &[], true);
        assert_eq!(s.tools.last(), Some(&ToolId::BedtimeRoutine));
        assert_eq!(s.tools.len(), MAX_SUGGESTED);
        // One helpful tool leaves room: the routine is added, not swapped in.
        let one = ranked(&uses("movement-break", 8, 3));
        let s = suggest(Level::Steady, &one, true);
        assert_eq!(s.tools, [ToolId::MovementBreak, ToolId::BedtimeRoutine]);
        // When reaching out, steadying comes first and sleep can wait.
        for level in [Level::ReachOut, Level::Urgent] {
            let s = suggest(level, &[], true);
            assert!(!s.tools.contains(&ToolId::BedtimeRoutine));
            assert!(!s.for_short_sleep);
        }
    }
}
