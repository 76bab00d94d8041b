//! The mood and questionnaire charts: hand-written inline SVG with a title and a text description, so it needs
//! no script, passes the CSP (attributes, not styles) and reads well to a screen reader.
//!
//! This is the one place that produces markup outside a template; every piece of text in it
//! is a number or a date we formatted ourselves, so there is nothing to escape.

use chrono::{NaiveDate, NaiveDateTime};

/// One rated day: the mean of its mood ratings.
pub struct DayMood {
    /// The local calendar day.
    pub day: NaiveDate,
    /// Mean mood that day, 0–10.
    pub mood: f64,
}

const W: f64 = 320.0;
const H: f64 = 140.0;
const LEFT: f64 = 26.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 22.0;

/// What a mood chart says about itself: its title, its words when there are no ratings, and
/// optionally the person's usual mood, drawn as a dashed line.
pub struct MoodChartText<'a> {
    /// The chart's title (our own words and dates, never user text).
    pub title: &'a str,
    /// The description when there are no rated days.
    pub empty: &'a str,
    /// The personal baseline, when known.
    pub usual: Option<f64>,
}

/// An SVG chart of `days` (ascending) over the calendar range `first..=last`.
pub fn mood_chart(days: &[DayMood], first: NaiveDate, last: NaiveDate) -> String {
    mood_chart_with(
        days,
        first,
        last,
        &MoodChartText {
            title: "Mood over the last 30 days, 0 to 10",
            empty: "No check-ins in these 30 days yet.",
            usual: None,
        },
    )
}

/// The mood chart with its own title and description, for pages other than the history.
pub fn mood_chart_with(
    days: &[DayMood],
    first: NaiveDate,
    last: NaiveDate,
    text: &MoodChartText<'_>,
) -> String {
    let span = (last - first).num_days().max(1) as f64;
    let x = |d: NaiveDate| LEFT + (d - first).num_days() as f64 / span * (W - LEFT - RIGHT);
    let y = |m: f64| TOP + (10.0 - m) / 10.0 * (H - TOP - BOTTOM);
    let mut svg = String::with_capacity(2048);
    let mut desc = describe(days).unwrap_or_else(|| text.empty.to_string());
    if let Some(u) = text.usual {
        desc.push_str(&format!(" The dashed line is your usual mood, {u:.1}."));
    }
    svg.push_str(&format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{desc}</desc>",
        text.title
    ));
    if let Some(u) = text.usual {
        svg.push_str(&format!(
            "<line class=\"usual\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{uy:.1}\" y2=\"{uy:.1}\" stroke-dasharray=\"5 4\"/>",
            W - RIGHT,
            uy = y(u.clamp(0.0, 10.0)),
        ));
    }
    for level in [0.0, 5.0, 10.0] {
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{level}</text>",
            W - RIGHT,
            LEFT - 6.0,
            y(level) + 4.0,
            y = y(level),
        ));
    }
    for (d, anchor) in [(first, "start"), (last, "end")] {
        svg.push_str(&format!(
            "<text class=\"axis\" x=\"{:.1}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            x(d),
            H - 6.0,
            d.format("%-d %b")
        ));
    }
    if days.len() > 1 {
        let points: Vec<String> = days
            .iter()
            .map(|d| format!("{:.1},{:.1}", x(d.day), y(d.mood)))
            .collect();
        svg.push_str(&format!(
            "<polyline class=\"line\" fill=\"none\" points=\"{}\"/>",
            points.join(" ")
        ));
    }
    for d in days {
        svg.push_str(&format!(
            "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"/>",
            x(d.day),
            y(d.mood)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The chart in words, for screen readers and for anyone who prefers text; `None` without
/// any rated day.
pub fn describe(days: &[DayMood]) -> Option<String> {
    let low = days.iter().min_by(|a, b| a.mood.total_cmp(&b.mood))?;
    let high = days
        .iter()
        .max_by(|a, b| a.mood.total_cmp(&b.mood))
        .unwrap_or(low);
    let mean = days.iter().map(|d| d.mood).sum::<f64>() / days.len() as f64;
    Some(format!(
        "{} rated day{}. Average mood {:.1}. Lowest {:.1} on {}; highest {:.1} on {}.",
        days.len(),
        if days.len() == 1 { "" } else { "s" },
        mean,
        low.mood,
        low.day.format("%-d %B"),
        high.mood,
        high.day.format("%-d %B"),
    ))
}

/// One questionnaire total at its local time.
pub struct ScorePoint {
    /// When it was filled in, in the person's zone; two on one day sit apart.
    pub at: NaiveDateTime,
    /// The total score.
    pub total: u8,
}

/// What a score chart shows: one instrument's totals with its caseness line.
pub struct ScoreScale {
    /// Makes the title and description ids unique when several charts share a page.
    pub id: &'static str,
    /// "PHQ-9" or "GAD-7".
    pub name: &'static str,
    /// The highest possible total.
    pub max: u8,
    /// The lowest total in the clinical range, drawn as a dashed line.
    pub caseness: u8,
}

/// At most this many points carry their total as a label; more would overlap.
const LABELLED_POINTS: usize = 12;

/// An SVG chart of questionnaire totals (ascending by day) with the caseness line.
pub fn score_chart(scale: &ScoreScale, points: &[ScorePoint]) -> String {
    let max = f64::from(scale.max.max(1));
    let (first, last) = match (points.first(), points.last()) {
        (Some(f), Some(l)) => (f.at, l.at),
        _ => return empty_score_chart(scale),
    };
    let span = (last - first).num_milliseconds();
    // A single point sits in the middle rather than on the axis; the others are inset a
    // little so their value labels stay inside.
    let x = |t: NaiveDateTime| {
        if span == 0 {
            LEFT + (W - LEFT - RIGHT) / 2.0
        } else {
            LEFT + 4.0
                + (t - first).num_milliseconds() as f64 / span as f64 * (W - LEFT - RIGHT - 8.0)
        }
    };
    let y = |v: f64| TOP + (max - v) / max * (H - TOP - BOTTOM);
    let mut svg = String::with_capacity(2048);
    svg.push_str(&score_chart_open(scale, &describe_scores(scale, points)));
    for level in [0, scale.max] {
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{level}</text>",
            W - RIGHT,
            LEFT - 6.0,
            y(f64::from(level)) + 4.0,
            y = y(f64::from(level)),
        ));
    }
    let case_y = y(f64::from(scale.caseness));
    svg.push_str(&format!(
        "<line class=\"caseness\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{case_y:.1}\" y2=\"{case_y:.1}\" stroke-dasharray=\"5 4\"/>\
         <text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
         <text class=\"axis caseness-label\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">clinical range</text>",
        W - RIGHT,
        LEFT - 6.0,
        case_y + 4.0,
        scale.caseness,
        W - RIGHT,
        case_y - 4.0,
    ));
    let ends: &[(f64, NaiveDate, &str)] = if first.date() == last.date() {
        &[((W + LEFT - RIGHT) / 2.0, first.date(), "middle")]
    } else {
        &[
            (LEFT, first.date(), "start"),
            (W - RIGHT, last.date(), "end"),
        ]
    };
    for (ex, d, anchor) in ends {
        svg.push_str(&format!(
            "<text class=\"axis\" x=\"{ex:.1}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            H - 6.0,
            d.format("%-d %b")
        ));
    }
    if points.len() > 1 {
        let line: Vec<String> = points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.at), y(f64::from(p.total))))
            .collect();
        svg.push_str(&format!(
            "<polyline class=\"line\" fill=\"none\" points=\"{}\"/>",
            line.join(" ")
        ));
    }
    let labelled = points.len() <= LABELLED_POINTS;
    for p in points {
        let (cx, cy) = (x(p.at), y(f64::from(p.total)));
        svg.push_str(&format!(
            "<circle class=\"dot\" cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"3.5\"/>"
        ));
        if labelled {
            // Above the dot, or below it when the dot is at the top.
            let ly = if cy < TOP + 12.0 { cy + 14.0 } else { cy - 7.0 };
            svg.push_str(&format!(
                "<text class=\"value\" x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\">{}</text>",
                p.total
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

fn score_chart_open(scale: &ScoreScale, desc: &str) -> String {
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{name} scores over time, 0 to {max}</title><desc id=\"{id}-desc\">{desc}</desc>",
        id = scale.id,
        name = scale.name,
        max = scale.max,
    )
}

fn empty_score_chart(scale: &ScoreScale) -> String {
    let mut svg = score_chart_open(scale, &format!("No {} scores yet.", scale.name));
    svg.push_str("</svg>");
    svg
}

/// The score chart in words.
fn describe_scores(scale: &ScoreScale, points: &[ScorePoint]) -> String {
    let day = |t: NaiveDateTime| t.format("%-d %B %Y").to_string();
    let n = points.len();
    let mut text = if n <= LABELLED_POINTS {
        let each: Vec<String> = points
            .iter()
            .map(|p| format!("{} on {}", p.total, day(p.at)))
            .collect();
        format!(
            "{n} score{}: {}.",
            if n == 1 { "" } else { "s" },
            each.join(", ")
        )
    } else {
        let low = points.iter().min_by_key(|p| p.total);
        let high = points.iter().max_by_key(|p| p.total);
        let latest = points.last();
        match (low, high, latest) {
            (Some(l), Some(h), Some(z)) => format!(
                "{n} scores. Lowest {} on {}; highest {} on {}; latest {} on {}.",
                l.total,
                day(l.at),
                h.total,
                day(h.at),
                z.total,
                day(z.at)
            ),
            _ => String::new(),
        }
    };
    text.push_str(&format!(
        " The dashed line at {} marks the clinical range, {} or more.",
        scale.caseness, scale.caseness
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default()
    }

    #[test]
    fn chart_is_labelled_and_plots_every_day() {
        let days = [
            DayMood {
                day: d(2),
                mood: 3.0,
            },
            DayMood {
                day: d(5),
                mood: 7.5,
            },
        ];
        let svg = mood_chart(&days, d(1), d(30));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\""));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("Lowest 3.0 on 2 November; highest 7.5 on 5 November"));
        assert!(!svg.contains("style="), "inline styles would break the CSP");
    }

    #[test]
    fn empty_chart_says_so() {
        let svg = mood_chart(&[], d(1), d(30));
        assert!(svg.contains("No check-ins in these 30 days yet."));
        assert!(!svg.contains("<polyline"));
    }

    fn noon(day: u32) -> NaiveDateTime {
        d(day).and_hms_opt(12, 0, 0).unwrap_or_default()
    }

    #[test]
    fn two_scores_on_one_day_sit_apart() {
        let points = [
            ScorePoint {
                at: noon(2),
                total: 9,
            },
            ScorePoint {
                at: noon(2) + chrono::Duration::hours(3),
                total: 14,
            },
        ];
        let svg = score_chart(&PHQ, &points);
        let xs: Vec<&str> = svg
            .match_indices("<circle class=\"dot\" cx=\"")
            .map(|(i, m)| svg[i + m.len()..].split('"').next().unwrap_or(""))
            .collect();
        assert_eq!(xs.len(), 2);
        assert_ne!(xs[0], xs[1]);
        assert_eq!(
            svg.matches(">2 Nov</text>").count(),
            1,
            "one date label for one day"
        );
    }

    const PHQ: ScoreScale = ScoreScale {
        id: "phq9-chart",
        name: "PHQ-9",
        max: 27,
        caseness: 10,
    };

    #[test]
    fn score_chart_labels_points_and_the_caseness_line() {
        let points = [
            ScorePoint {
                at: noon(2),
                total: 14,
            },
            ScorePoint {
                at: noon(16),
                total: 8,
            },
        ];
        let svg = score_chart(&PHQ, &points);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("aria-labelledby=\"phq9-chart-title phq9-chart-desc\""));
        assert!(
            svg.contains("<title id=\"phq9-chart-title\">PHQ-9 scores over time, 0 to 27</title>")
        );
        assert!(svg.contains("2 scores: 14 on 2 November 2026, 8 on 16 November 2026."));
        assert!(svg.contains("The dashed line at 10 marks the clinical range"));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches("class=\"caseness\"").count(), 1);
        assert!(svg.contains(">14</text>") && svg.contains(">8</text>"));
        assert!(!svg.contains("style="), "inline styles would break the CSP");
    }

    #[test]
    fn score_chart_with_one_point_or_none() {
        let one = score_chart(
            &PHQ,
            &[ScorePoint {
                at: noon(2),
                total: 27,
            }],
        );
        assert_eq!(one.matches("<circle").count(), 1);
        assert!(!one.contains("<polyline"));
        assert!(one.contains("1 score: 27 on 2 November 2026."));
        let none = score_chart(&PHQ, &[]);
        assert!(none.contains("No PHQ-9 scores yet."));
        assert!(!none.contains("<circle"));
    }

    #[test]
    fn many_scores_are_summarised_in_words() {
        let points: Vec<ScorePoint> = (1..=20)
            .map(|i| ScorePoint {
                at: noon(i),
                total: u8::try_from(i).unwrap_or(0),
            })
            .collect();
        let svg = score_chart(&PHQ, &points);
        assert!(svg.contains("20 scores. Lowest 1 on 1 November 2026; highest 20 on 20 November 2026; latest 20 on 20 November 2026."));
        assert!(!svg.contains("class=\"value\""));
    }
}
