//! The mood and questionnaire charts: hand-written inline SVG with a title and a text
//! description, a key in words and the numbers as a table, so it needs no script, passes the
//! CSP (attributes, not styles) and reads well to a screen reader.
//!
//! This is the one place that produces markup outside a template; every piece of text in it
//! is a number or a date we formatted ourselves, so there is nothing to escape.

use chrono::{NaiveDate, NaiveDateTime};
use domain::guidance::Baseline;

/// One day with check-ins: the mean of its mood ratings.
pub struct DayMood {
    /// The local calendar day.
    pub day: NaiveDate,
    /// Mean mood that day, 0–10.
    pub mood: f64,
}

// The drawing's own units. The chart is as wide as its column, so these scale with it: at
// 390 px wide a unit is a little over one pixel, and the 13-unit labels read at 12 px or
// more (the browser tests measure them).
const W: f64 = 320.0;
const H: f64 = 150.0;
const LEFT: f64 = 28.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;

/// What a mood chart says about itself and what it shows besides the days.
pub struct MoodChartText<'a> {
    /// The chart's title (our own words and dates, never user text).
    pub title: &'a str,
    /// The description when there are no check-ins.
    pub empty: &'a str,
    /// The person's usual mood and how much it varies, drawn as a shaded band with a
    /// dashed line at its middle, when known.
    pub usual: Option<Baseline>,
    /// Days with a therapy session, drawn as dotted upright lines.
    pub sessions: &'a [NaiveDate],
    /// Who reads the chart, for the key's words.
    pub reader: Reader,
}

/// Who a chart's key speaks to: the person about their own days, or their therapist about
/// the client's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The person whose days these are.
    Own,
    /// The therapist they share them with.
    Therapist,
}

/// One decimal, without a trailing ".0".
fn one_decimal(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// The usual band's edges: a spread either side of the usual mood, inside 0–10.
fn band(u: &Baseline) -> (f64, f64) {
    (
        (u.value - u.spread).clamp(0.0, 10.0),
        (u.value + u.spread).clamp(0.0, 10.0),
    )
}

/// The mood chart over the calendar range `first..=last` (`days` ascending): the picture,
/// a key in words, and the same numbers as a table for anyone who prefers one.
pub fn mood_chart_with(
    days: &[DayMood],
    first: NaiveDate,
    last: NaiveDate,
    text: &MoodChartText<'_>,
) -> String {
    let span = (last - first).num_days().max(1) as f64;
    let x = |d: NaiveDate| LEFT + (d - first).num_days() as f64 / span * (W - LEFT - RIGHT);
    let y = |m: f64| TOP + (10.0 - m) / 10.0 * (H - TOP - BOTTOM);
    let sessions: Vec<NaiveDate> = text
        .sessions
        .iter()
        .copied()
        .filter(|d| (first..=last).contains(d))
        .collect();
    let mut svg = String::with_capacity(4096);
    let whose = match text.reader {
        Reader::Own => "your",
        Reader::Therapist => "their",
    };
    let mut desc = describe(days).unwrap_or_else(|| text.empty.to_string());
    if let Some(u) = &text.usual {
        let (low, high) = band(u);
        desc.push_str(&format!(
            " The shaded band is {whose} usual mood, about {} to {}.",
            one_decimal(low.round()),
            one_decimal(high.round())
        ));
    }
    match sessions.len() {
        0 => {}
        1 => desc.push_str(&format!(
            " The dotted upright line is {whose} therapy session."
        )),
        n => desc.push_str(&format!(
            " The {n} dotted upright lines are {whose} therapy sessions."
        )),
    }
    svg.push_str(&format!(
        "<figure class=\"chart-figure\"><svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{desc}</desc>",
        text.title
    ));
    if let Some(u) = &text.usual {
        let (low, high) = band(u);
        svg.push_str(&format!(
            "<rect class=\"usual-band\" x=\"{LEFT}\" y=\"{:.1}\" width=\"{}\" height=\"{:.1}\"/>\
             <line class=\"usual\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{uy:.1}\" y2=\"{uy:.1}\" stroke-dasharray=\"5 4\"/>",
            y(high),
            W - LEFT - RIGHT,
            y(low) - y(high),
            W - RIGHT,
            uy = y(u.value.clamp(0.0, 10.0)),
        ));
    }
    for level in [0.0, 5.0, 10.0] {
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{level}</text>",
            W - RIGHT,
            LEFT - 5.0,
            y(level) + 4.5,
            y = y(level),
        ));
    }
    for d in &sessions {
        svg.push_str(&format!(
            "<line class=\"session\" x1=\"{sx:.1}\" x2=\"{sx:.1}\" y1=\"{TOP}\" y2=\"{:.1}\" stroke-dasharray=\"2 3\"/>",
            H - BOTTOM,
            sx = x(*d),
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
            "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"/>",
            x(d.day),
            y(d.mood)
        ));
    }
    svg.push_str("</svg>");
    // The key, in words a glance can take in.
    let (mood_key, usual_key) = match text.reader {
        Reader::Own => (
            "Your mood, one dot for each day you checked in",
            "Your usual mood",
        ),
        Reader::Therapist => (
            "Mood, one dot for each day they checked in",
            "Their usual mood",
        ),
    };
    svg.push_str(&format!(
        "<ul class=\"chart-key\"><li><span class=\"swatch swatch-line\"></span>{mood_key}</li>"
    ));
    if let Some(u) = &text.usual {
        let (low, high) = band(u);
        svg.push_str(&format!(
            "<li><span class=\"swatch swatch-band\"></span>{usual_key}, about {} to {}</li>",
            one_decimal(low.round()),
            one_decimal(high.round())
        ));
    }
    if !sessions.is_empty() {
        svg.push_str("<li><span class=\"swatch swatch-session\"></span>A therapy session</li>");
    }
    svg.push_str("</ul>");
    // Every day with a check-in or a session, as a table.
    let mut rows: Vec<NaiveDate> = days
        .iter()
        .map(|d| d.day)
        .chain(sessions.iter().copied())
        .collect();
    rows.sort_unstable();
    rows.dedup();
    if !rows.is_empty() {
        svg.push_str(&format!(
            "<details class=\"chart-table\"><summary>Show as a table</summary><div class=\"table-wrap\"><table class=\"data\"><caption>{}</caption>\
             <thead><tr><th scope=\"col\">Day</th><th scope=\"col\">Mood</th><th scope=\"col\">Session</th></tr></thead><tbody>",
            text.title
        ));
        for day in rows {
            let mood = days
                .iter()
                .find(|d| d.day == day)
                .map(|d| one_decimal(d.mood))
                .unwrap_or_else(|| "–".into());
            let session = if sessions.contains(&day) {
                "Therapy session"
            } else {
                ""
            };
            svg.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>{mood}</td><td>{session}</td></tr>",
                day.format("%a %-d %b")
            ));
        }
        svg.push_str("</tbody></table></div></details>");
    }
    svg.push_str("</figure>");
    svg
}

/// The chart in words, for screen readers and for anyone who prefers text; `None` without
/// any day with a check-in.
pub fn describe(days: &[DayMood]) -> Option<String> {
    let low = days.iter().min_by(|a, b| a.mood.total_cmp(&b.mood))?;
    let high = days
        .iter()
        .max_by(|a, b| a.mood.total_cmp(&b.mood))
        .unwrap_or(low);
    let mean = days.iter().map(|d| d.mood).sum::<f64>() / days.len() as f64;
    Some(format!(
        "{} with a check-in. Average mood {:.1}. Lowest {:.1} on {}; highest {:.1} on {}.",
        if days.len() == 1 {
            "1 day".to_string()
        } else {
            format!("{} days", days.len())
        },
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
    // The line's meaning is said in the key below the chart, not in a label on the line:
    // there it would sit on top of the scores it is drawn among.
    let case_y = y(f64::from(scale.caseness));
    svg.push_str(&format!(
        "<line class=\"caseness\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{case_y:.1}\" y2=\"{case_y:.1}\" stroke-dasharray=\"5 4\"/>\
         <text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        W - RIGHT,
        LEFT - 5.0,
        case_y + 4.5,
        scale.caseness,
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
            // Above the dot; below it when the dot is near the top or the label would sit
            // on the dashed line (a 13-unit label's box runs from about 13 units above its
            // baseline to 4 below).
            let crosses =
                |baseline: f64| baseline - 13.0 <= case_y + 1.0 && baseline + 4.0 >= case_y - 1.0;
            let above = cy - 8.0;
            let below = cy + 17.0;
            let ly = if cy < TOP + 14.0 || (crosses(above) && !crosses(below)) {
                below
            } else {
                above
            };
            svg.push_str(&format!(
                "<text class=\"value\" x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\">{}</text>",
                p.total
            ));
        }
    }
    svg.push_str("</svg>");
    svg.push_str(&score_key(scale));
    svg.push_str(&score_table(scale, points));
    svg.push_str("</figure>");
    svg
}

/// "Where the higher range begins": the caseness line in the words the result page uses.
fn watched_range(scale: &ScoreScale) -> String {
    format!("where the higher range begins ({} or more)", scale.caseness)
}

fn score_key(scale: &ScoreScale) -> String {
    format!(
        "<ul class=\"chart-key\"><li><span class=\"swatch swatch-line\"></span>Your {} scores</li>\
         <li><span class=\"swatch swatch-watch\"></span>Dashed line at {}: {}</li></ul>",
        scale.name,
        scale.caseness,
        watched_range(scale)
    )
}

fn score_table(scale: &ScoreScale, points: &[ScorePoint]) -> String {
    let mut t = format!(
        "<details class=\"chart-table\"><summary>Show as a table</summary><div class=\"table-wrap\"><table class=\"data\">\
         <caption>{} scores, 0 to {}</caption><thead><tr><th scope=\"col\">Day</th><th scope=\"col\">Score</th></tr></thead><tbody>",
        scale.name, scale.max
    );
    for p in points {
        t.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            p.at.format("%a %-d %b %Y, %H:%M"),
            p.total
        ));
    }
    t.push_str("</tbody></table></div></details>");
    t
}

fn score_chart_open(scale: &ScoreScale, desc: &str) -> String {
    format!(
        "<figure class=\"chart-figure\"><svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{name} scores over time, 0 to {max}</title><desc id=\"{id}-desc\">{desc}</desc>",
        id = scale.id,
        name = scale.name,
        max = scale.max,
    )
}

fn empty_score_chart(scale: &ScoreScale) -> String {
    let mut svg = score_chart_open(scale, &format!("No {} scores yet.", scale.name));
    svg.push_str("</svg></figure>");
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
        " The dashed line at {} marks {}.",
        scale.caseness,
        watched_range(scale)
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default()
    }

    fn mood_chart(days: &[DayMood], first: NaiveDate, last: NaiveDate) -> String {
        mood_chart_with(
            days,
            first,
            last,
            &MoodChartText {
                title: "Mood over the last 30 days, 0 to 10",
                empty: "No check-ins in these 30 days yet.",
                usual: None,
                sessions: &[],
                reader: Reader::Own,
            },
        )
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
        assert!(svg.starts_with("<figure") && svg.ends_with("</figure>"));
        assert!(svg.contains("role=\"img\""));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(
            "2 days with a check-in. Average mood 5.2. Lowest 3.0 on 2 November; highest 7.5 on 5 November"
        ));
        assert!(!svg.contains("rated"), "plain words");
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
        assert!(svg.starts_with("<figure") && svg.ends_with("</figure>"));
        assert!(svg.contains("aria-labelledby=\"phq9-chart-title phq9-chart-desc\""));
        assert!(
            svg.contains("<title id=\"phq9-chart-title\">PHQ-9 scores over time, 0 to 27</title>")
        );
        assert!(svg.contains("2 scores: 14 on 2 November 2026, 8 on 16 November 2026."));
        assert!(
            svg.contains("The dashed line at 10 marks where the higher range begins (10 or more).")
        );
        assert!(svg.contains("Dashed line at 10: where the higher range begins (10 or more)"));
        assert!(!svg.contains("clinical"), "plain words");
        assert!(
            !svg.contains("caseness-label"),
            "no label on the line itself"
        );
        assert!(svg.contains("<th scope=\"row\">Mon 2 Nov 2026, 12:00</th><td>14</td>"));
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
    fn value_labels_keep_off_the_dashed_line() {
        // Just under the line at 10: above the dot, the label would sit on the line.
        let points = [
            ScorePoint {
                at: noon(2),
                total: 9,
            },
            ScorePoint {
                at: noon(9),
                total: 8,
            },
        ];
        let svg = score_chart(&PHQ, &points);
        let attr = |tag: &str, name: &str| -> Vec<f64> {
            svg.match_indices(tag)
                .filter_map(|(i, _)| {
                    let rest = &svg[i..];
                    let at = rest.find(&format!(" {name}=\""))? + name.len() + 3;
                    rest[at..].split('"').next()?.parse().ok()
                })
                .collect()
        };
        let case_y = attr("<line class=\"caseness\"", "y1")[0];
        for baseline in attr("<text class=\"value\"", "y") {
            assert!(
                baseline - 13.0 > case_y + 1.0 || baseline + 4.0 < case_y - 1.0,
                "a label at {baseline} crosses the line at {case_y}"
            );
        }
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

    #[test]
    fn mood_chart_marks_sessions_the_usual_band_and_has_a_table() {
        let days = [
            DayMood {
                day: d(2),
                mood: 3.0,
            },
            DayMood {
                day: d(9),
                mood: 6.5,
            },
        ];
        let svg = mood_chart_with(
            &days,
            d(1),
            d(30),
            &MoodChartText {
                title: "Mood",
                empty: "None.",
                usual: Some(Baseline {
                    value: 7.0,
                    spread: 1.2,
                    source: domain::guidance::BaselineSource::UsualDay,
                }),
                // The one outside the range is not drawn.
                sessions: &[
                    d(4),
                    d(9),
                    NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default(),
                ],
                reader: Reader::Own,
            },
        );
        assert_eq!(svg.matches("<line class=\"session\"").count(), 2);
        assert_eq!(svg.matches("<rect class=\"usual-band\"").count(), 1);
        assert!(svg.contains("The shaded band is your usual mood, about 6 to 8."));
        assert!(svg.contains("The 2 dotted upright lines are your therapy sessions."));
        assert!(svg.contains(
            "<li><span class=\"swatch swatch-band\"></span>Your usual mood, about 6 to 8</li>"
        ));
        assert!(svg.contains("<summary>Show as a table</summary>"));
        // A session day without a check-in is a row too.
        assert!(svg.contains(
            "<tr><th scope=\"row\">Wed 4 Nov</th><td>–</td><td>Therapy session</td></tr>"
        ));
        assert!(svg.contains(
            "<tr><th scope=\"row\">Mon 9 Nov</th><td>6.5</td><td>Therapy session</td></tr>"
        ));
        assert!(svg.contains("<tr><th scope=\"row\">Mon 2 Nov</th><td>3</td><td></td></tr>"));
        assert!(!svg.contains("style="), "inline styles would break the CSP");
    }
}
