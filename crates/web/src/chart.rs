//! The mood chart: hand-written inline SVG with a title and a text description, so it needs
//! no script, passes the CSP (attributes, not styles) and reads well to a screen reader.
//!
//! This is the one place that produces markup outside a template; every piece of text in it
//! is a number or a date we formatted ourselves, so there is nothing to escape.

use chrono::NaiveDate;

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

/// An SVG chart of `days` (ascending) over the calendar range `first..=last`.
pub fn mood_chart(days: &[DayMood], first: NaiveDate, last: NaiveDate) -> String {
    let span = (last - first).num_days().max(1) as f64;
    let x = |d: NaiveDate| LEFT + (d - first).num_days() as f64 / span * (W - LEFT - RIGHT);
    let y = |m: f64| TOP + (10.0 - m) / 10.0 * (H - TOP - BOTTOM);
    let mut svg = String::with_capacity(2048);
    svg.push_str(&format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-title\">Mood over the last 30 days, 0 to 10</title><desc id=\"chart-desc\">{}</desc>",
        describe(days)
    ));
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

/// The chart in words, for screen readers and for anyone who prefers text.
fn describe(days: &[DayMood]) -> String {
    let Some(low) = days.iter().min_by(|a, b| a.mood.total_cmp(&b.mood)) else {
        return "No check-ins in these 30 days yet.".into();
    };
    let high = days
        .iter()
        .max_by(|a, b| a.mood.total_cmp(&b.mood))
        .unwrap_or(low);
    let mean = days.iter().map(|d| d.mood).sum::<f64>() / days.len() as f64;
    format!(
        "{} rated day{}. Average mood {:.1}. Lowest {:.1} on {}; highest {:.1} on {}.",
        days.len(),
        if days.len() == 1 { "" } else { "s" },
        mean,
        low.mood,
        low.day.format("%-d %B"),
        high.mood,
        high.day.format("%-d %B"),
    )
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
}
