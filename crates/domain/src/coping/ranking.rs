//! "What works for me": per tool, how often it was used, how much it eased distress on
//! average, and the order in which to offer tools to this person.
//!
//! Only uses rated both before and after count towards relief. A tool is ranked once it
//! has [`MIN_RATED_USES`] rated uses, so one lucky or unlucky try does not decide.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::catalogue::ToolId;
use crate::history::CopingRecord;

/// Rated uses a tool needs before it is ranked.
pub const MIN_RATED_USES: u32 = 3;

/// What the uses of one tool add up to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolStats {
    /// Which tool.
    pub tool: ToolId,
    /// Every use, rated or not.
    pub uses: u32,
    /// Uses with distress given both before and after.
    pub rated_uses: u32,
    /// The sum of (before − after) over rated uses; kept whole so ordering is exact.
    pub total_relief: i64,
    /// The mean of (before − after) over rated uses; `None` with no rated use.
    pub mean_relief: Option<f64>,
    /// The most recent use.
    pub last_used: Option<DateTime<Utc>>,
    /// Whether there are enough rated uses to rank it.
    pub ranked: bool,
}

impl ToolStats {
    /// Ranked, and on average it eased distress.
    pub fn helps(&self) -> bool {
        self.ranked && self.total_relief > 0
    }

    /// The mean relief to one decimal, for people to read.
    pub fn mean_relief_rounded(&self) -> Option<f64> {
        self.mean_relief.map(|m| (m * 10.0).round() / 10.0)
    }
}

/// Best first: higher mean relief; then more rated uses (more evidence); then used more
/// recently; then catalogue order, so the order never depends on how the input was sorted.
fn best_first(a: &ToolStats, b: &ToolStats) -> Ordering {
    // Compare total_a / rated_a with total_b / rated_b without floating point.
    let mean = |s: &ToolStats, other: &ToolStats| s.total_relief * i64::from(other.rated_uses);
    mean(b, a)
        .cmp(&mean(a, b))
        .then(b.rated_uses.cmp(&a.rated_uses))
        .then(b.last_used.cmp(&a.last_used))
        .then(catalogue_index(a.tool).cmp(&catalogue_index(b.tool)))
}

fn catalogue_index(tool: ToolId) -> usize {
    ToolId::ALL
        .iter()
        .position(|t| *t == tool)
        .unwrap_or(usize::MAX)
}

/// What the uses of one tool add up to, as the store keeps it beside the uses, so "what works
/// for me" never has to read every use again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolTotals {
    /// Which tool.
    pub tool: ToolId,
    /// Every use, rated or not.
    pub uses: u32,
    /// Uses with distress given both before and after.
    pub rated_uses: u32,
    /// The sum of (before − after) over rated uses.
    pub total_relief: i64,
    /// The latest start of a use.
    pub last_used: Option<DateTime<Utc>>,
}

impl ToolTotals {
    /// No use yet.
    pub fn empty(tool: ToolId) -> ToolTotals {
        ToolTotals {
            tool,
            uses: 0,
            rated_uses: 0,
            total_relief: 0,
            last_used: None,
        }
    }

    /// Adds one use.
    pub fn add(&mut self, u: &CopingRecord) {
        self.uses += 1;
        self.last_used = self.last_used.max(Some(u.at));
        if let Some(relief) = relief(u) {
            self.rated_uses += 1;
            self.total_relief += relief;
        }
    }
}

/// What one use adds to its tool's relief: before − after, when both were given.
pub fn relief(u: &CopingRecord) -> Option<i64> {
    let (before, after) = (u.distress_before?, u.distress_after?);
    Some(i64::from(before.get()) - i64::from(after.get()))
}

/// The totals of every tool that was used at least once, in catalogue order. Uses naming no
/// tool, or a tool this version does not know, are left out.
pub fn tool_totals(uses: &[CopingRecord]) -> Vec<ToolTotals> {
    let mut totals: Vec<ToolTotals> = ToolId::ALL.into_iter().map(ToolTotals::empty).collect();
    for u in uses {
        let Some(tool) = u.tool.as_deref().and_then(ToolId::parse) else {
            continue;
        };
        if let Some(t) = totals.iter_mut().find(|t| t.tool == tool) {
            t.add(u);
        }
    }
    totals.retain(|t| t.uses > 0);
    totals
}

/// One summary per tool that was used at least once, in catalogue order. Uses naming no
/// tool, or a tool this version does not know, are left out.
pub fn tool_stats(uses: &[CopingRecord]) -> Vec<ToolStats> {
    stats_of(&tool_totals(uses))
}

/// The summaries of kept totals, in catalogue order; tools never used are left out.
pub fn stats_of(totals: &[ToolTotals]) -> Vec<ToolStats> {
    ToolId::ALL
        .into_iter()
        .filter_map(|tool| totals.iter().find(|t| t.tool == tool && t.uses > 0))
        .map(|t| ToolStats {
            tool: t.tool,
            uses: t.uses,
            rated_uses: t.rated_uses,
            total_relief: t.total_relief,
            mean_relief: (t.rated_uses > 0)
                .then(|| t.total_relief as f64 / f64::from(t.rated_uses)),
            last_used: t.last_used,
            ranked: t.rated_uses >= MIN_RATED_USES,
        })
        .collect()
}

/// The ranked tools among `stats`, best first (helpful or not).
pub fn ranked_of(stats: &[ToolStats]) -> Vec<ToolStats> {
    let mut ranked: Vec<ToolStats> = stats.iter().filter(|s| s.ranked).cloned().collect();
    ranked.sort_by(best_first);
    ranked
}

/// The tools with enough rated uses, best first (helpful or not).
pub fn ranked(uses: &[CopingRecord]) -> Vec<ToolStats> {
    ranked_of(&tool_stats(uses))
}

/// Up to `n` ranked tools that eased distress on average, best first; what to offer first
/// in the toolkit, the safety plan and the backsliding plan.
pub fn best_tools(uses: &[CopingRecord], n: usize) -> Vec<ToolId> {
    best_of(&ranked(uses), n)
}

/// Up to `n` of the `ranked` tools (best first) that eased distress on average.
pub fn best_of(ranked: &[ToolStats], n: usize) -> Vec<ToolId> {
    ranked
        .iter()
        .filter(|s| s.helps())
        .take(n)
        .map(|s| s.tool)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rating::Rating;
    use chrono::Duration;

    fn t0() -> DateTime<Utc> {
        "2026-03-01T09:00:00Z".parse().unwrap()
    }

    fn used(tool: &str, hour: i64, before: Option<i64>, after: Option<i64>) -> CopingRecord {
        CopingRecord {
            at: t0() + Duration::hours(hour),
            tool: Some(tool.to_string()),
            distress_before: before.map(|v| Rating::new(v).unwrap()),
            distress_after: after.map(|v| Rating::new(v).unwrap()),
        }
    }

    fn rated(tool: &str, hour: i64, before: i64, after: i64) -> CopingRecord {
        used(tool, hour, Some(before), Some(after))
    }

    #[test]
    fn counts_rated_uses_and_averages_relief() {
        let uses = [
            rated("box-breathing", 0, 7, 4),
            rated("box-breathing", 1, 6, 5),
            rated("box-breathing", 2, 8, 4),
            used("box-breathing", 3, Some(9), None),
            used("box-breathing", 4, None, Some(2)),
            used("box-breathing", 5, None, None),
        ];
        let stats = tool_stats(&uses);
        assert_eq!(stats.len(), 1);
        let s = &stats[0];
        assert_eq!(s.tool, ToolId::BoxBreathing);
        assert_eq!(s.uses, 6);
        assert_eq!(s.rated_uses, 3);
        assert_eq!(s.total_relief, 3 + 1 + 4);
        assert_eq!(s.mean_relief, Some(8.0 / 3.0));
        assert_eq!(s.mean_relief_rounded(), Some(2.7));
        assert_eq!(s.last_used, Some(t0() + Duration::hours(5)));
        assert!(s.ranked && s.helps());
    }

    #[test]
    fn relief_can_be_negative_and_a_worse_tool_never_helps() {
        let uses = [
            rated("sensory-reset", 0, 5, 7),
            rated("sensory-reset", 1, 5, 5),
            rated("sensory-reset", 2, 6, 5),
        ];
        let s = &tool_stats(&uses)[0];
        assert_eq!(s.total_relief, -1);
        assert_eq!(s.mean_relief, Some(-1.0 / 3.0));
        assert!(s.ranked && !s.helps());
        assert_eq!(ranked(&uses).len(), 1);
        assert!(best_tools(&uses, 3).is_empty());
    }

    #[test]
    fn a_tool_is_ranked_from_its_third_rated_use() {
        let mut uses = vec![
            rated("body-scan", 0, 8, 2),
            rated("body-scan", 1, 8, 2),
            used("body-scan", 2, Some(8), None),
        ];
        assert_eq!(tool_stats(&uses)[0].rated_uses, 2);
        assert!(ranked(&uses).is_empty());
        assert!(best_tools(&uses, 3).is_empty());
        uses.push(rated("body-scan", 3, 8, 2));
        assert_eq!(best_tools(&uses, 3), [ToolId::BodyScan]);
        assert_eq!(MIN_RATED_USES, 3);
    }

    #[test]
    fn best_first_by_mean_relief() {
        let mut uses = Vec::new();
        // Grounding: relief 1, 1, 1 → mean 1.
        for h in 0..3 {
            uses.push(rated("grounding-5-4-3-2-1", h, 6, 5));
        }
        // Box breathing: relief 3, 2, 4 → mean 3.
        for (h, after) in [(3, 4), (4, 5), (5, 3)] {
            uses.push(rated("box-breathing", h, 7, after));
        }
        // Movement: relief 0, 0, 3 → mean 1, but with four rated uses.
        for (h, after) in [(6, 6), (7, 6), (8, 3), (9, 5)] {
            uses.push(rated("movement-break", h, 6, after));
        }
        // Body scan: only two rated uses, however good.
        uses.push(rated("body-scan", 10, 10, 0));
        uses.push(rated("body-scan", 11, 10, 0));
        let order: Vec<_> = ranked(&uses).iter().map(|s| s.tool).collect();
        // Movement's mean is (0 + 0 + 3 + 1) / 4 = 1, tied with grounding; more evidence wins.
        assert_eq!(
            order,
            [
                ToolId::BoxBreathing,
                ToolId::MovementBreak,
                ToolId::Grounding54321
            ]
        );
        assert_eq!(
            best_tools(&uses, 2),
            [ToolId::BoxBreathing, ToolId::MovementBreak]
        );
    }

    #[test]
    fn ties_go_to_the_more_recent_then_to_catalogue_order() {
        let uses = [
            rated("body-scan", 0, 5, 3),
            rated("body-scan", 1, 5, 3),
            rated("body-scan", 2, 5, 3),
            rated("guided-imagery", 0, 4, 2),
            rated("guided-imagery", 1, 4, 2),
            rated("guided-imagery", 9, 4, 2),
        ];
        let order: Vec<_> = ranked(&uses).iter().map(|s| s.tool).collect();
        assert_eq!(order, [ToolId::GuidedImagery, ToolId::BodyScan]);
        let same_time = [
            rated("body-scan", 0, 5, 3),
            rated("body-scan", 0, 5, 3),
            rated("body-scan", 0, 5, 3),
            rated("box-breathing", 0, 4, 2),
            rated("box-breathing", 0, 4, 2),
            rated("box-breathing", 0, 4, 2),
        ];
        let order: Vec<_> = ranked(&same_time).iter().map(|s| s.tool).collect();
        assert_eq!(order, [ToolId::BoxBreathing, ToolId::BodyScan]);
        let mut reversed = same_time.to_vec();
        reversed.reverse();
        assert_eq!(ranked(&reversed), ranked(&same_time));
    }

    #[test]
    fn close_means_are_compared_exactly() {
        // 2/3 versus 7/11: 0.6667 > 0.6364, and no rounding may flip or tie them.
        let mut uses = Vec::new();
        for (h, relief) in [(0, 1), (1, 1), (2, 0)] {
            uses.push(rated("body-scan", h, 5, 5 - relief));
        }
        for h in 0..11 {
            let relief = i64::from(h < 7);
            uses.push(rated("box-breathing", h, 5, 5 - relief));
        }
        let order: Vec<_> = ranked(&uses).iter().map(|s| s.tool).collect();
        assert_eq!(order, [ToolId::BodyScan, ToolId::BoxBreathing]);
    }

    fn arbitrary_uses() -> impl proptest::strategy::Strategy<Value = Vec<CopingRecord>> {
        use proptest::prelude::*;
        let tool = proptest::sample::select(ToolId::ALL.to_vec());
        let rating = proptest::option::of(0i64..=10);
        proptest::collection::vec((tool, 0i64..500, rating.clone(), rating), 0..60).prop_map(
            |uses| {
                uses.into_iter()
                    .map(|(tool, hour, before, after)| used(tool.code(), hour, before, after))
                    .collect()
            },
        )
    }

    proptest::proptest! {
        #[test]
        fn the_ranking_does_not_depend_on_input_order(
            uses in arbitrary_uses(),
            seed in 0usize..1000,
        ) {
            let mut shuffled = uses.clone();
            let n = shuffled.len().max(1);
            shuffled.rotate_left(seed % n);
            shuffled.reverse();
            proptest::prop_assert_eq!(ranked(&shuffled), ranked(&uses));
            proptest::prop_assert_eq!(tool_stats(&shuffled), tool_stats(&uses));
        }

        #[test]
        fn stats_stay_within_the_scale(uses in arbitrary_uses()) {
            let stats = tool_stats(&uses);
            let total: u32 = stats.iter().map(|s| s.uses).sum();
            proptest::prop_assert_eq!(total as usize, uses.len());
            for s in &stats {
                proptest::prop_assert!(s.rated_uses <= s.uses);
                proptest::prop_assert_eq!(s.ranked, s.rated_uses >= MIN_RATED_USES);
                if let Some(m) = s.mean_relief {
                    proptest::prop_assert!((-10.0..=10.0).contains(&m));
                }
            }
            let r = ranked(&uses);
            for pair in r.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                proptest::prop_assert!(a.mean_relief >= b.mean_relief);
            }
        }
    }

    #[test]
    fn unknown_or_missing_tools_are_left_out() {
        let mut nameless = rated("box-breathing", 0, 7, 2);
        nameless.tool = None;
        let uses = [nameless, rated("4-7-8-breathing", 1, 7, 2)];
        assert!(tool_stats(&uses).is_empty());
    }
}
