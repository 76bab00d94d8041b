//! "Since my last session": one page to read, print or save as PDF before a session. The
//! period is in the address only as dates (never anything the person wrote), and the page
//! title says nothing personal.

use app::{AppError, Brief, BriefRange};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::therapy::TherapySessionId;
use serde::Deserialize;

use super::errors::PageResult;
use super::render;
use crate::AppState;
use crate::chart::{DayMood, MoodChartText, Reader, describe, mood_chart_with};
use crate::layout::Layout;
use crate::pages::feedback::session_phrase;
use crate::pages::home::level_label;
use crate::session::SignedIn;

/// The period as chosen: `since=last` for only the days since the last session, or two
/// days; nothing for the default, since the session before last.
#[derive(Debug, Default, Deserialize)]
pub struct BriefQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    since: String,
}

/// One row of the mood table.
pub struct DayRow {
    date: String,
    mood: String,
    anxiety: String,
    energy: String,
    checkins: usize,
    marks: String,
}

/// One change of guidance level.
pub struct GuidanceView {
    when: String,
    level: &'static str,
    reasons: Vec<String>,
}

/// One questionnaire's totals.
pub struct ScoreView {
    name: &'static str,
    scores: Vec<String>,
    change: Option<String>,
}

/// Homework as it went in the period.
pub struct HomeworkView {
    text: String,
    how_often: &'static str,
    done: String,
    status: String,
    notes: Vec<String>,
}

/// A thought record, briefly: the thought, the fairer one, and how the feelings changed.
pub struct ThoughtView {
    thought: String,
    balanced: String,
    change: Option<String>,
    on_agenda: bool,
}

/// A feedback note.
pub struct NoteView {
    kind: &'static str,
    session: String,
    text: String,
}

#[derive(Template)]
#[template(path = "brief.html")]
struct BriefPage {
    layout: Layout,
    period: String,
    period_note: String,
    /// Which of the session periods is shown: "before_last", "last", or "" for chosen days.
    shown: &'static str,
    next_session: Option<String>,
    from: String,
    to: String,
    range_error: Option<String>,
    chart: String,
    mood_summary: String,
    usual: Option<String>,
    days: Vec<DayRow>,
    low_runs: Vec<String>,
    missed: Vec<String>,
    safety: Vec<String>,
    level_at_start: Option<String>,
    guidance: Vec<GuidanceView>,
    tools: Vec<String>,
    tool_uses: usize,
    scores: Vec<ScoreView>,
    agenda: Vec<String>,
    homework: Vec<HomeworkView>,
    feedback: Vec<NoteView>,
    thought_records: Vec<ThoughtView>,
    made_on: String,
}

fn long_day(d: NaiveDate) -> String {
    d.format("%A %-d %B %Y").to_string()
}

fn short_day(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}

/// The brief's mood chart, with its sessions and usual band, and the days it draws: the
/// client's brief and the therapist's view of it draw the same picture, each with a key in
/// its reader's words.
pub(crate) fn mood_chart(b: &Brief, tz: Tz, reader: Reader) -> (Vec<DayMood>, String) {
    let chart_days: Vec<DayMood> = b
        .days
        .iter()
        .map(|d| DayMood {
            day: d.day,
            mood: d.mood,
        })
        .collect();
    let title = format!(
        "Mood from {} to {}, 0 to 10",
        b.first_day.format("%-d %B"),
        b.last_day.format("%-d %B %Y")
    );
    let chart = mood_chart_with(
        &chart_days,
        b.first_day,
        b.last_day,
        &MoodChartText {
            title: &title,
            empty: "No check-ins in this period.",
            usual: b.baseline,
            sessions: &b
                .sessions
                .iter()
                .map(|s| local_day(s.at, tz))
                .collect::<Vec<_>>(),
            reader,
        },
    );
    (chart_days, chart)
}

fn local_day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

fn one_decimal(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn view(
    layout: Layout,
    b: &Brief,
    tz: Tz,
    query: &BriefQuery,
    range_error: Option<String>,
) -> BriefPage {
    let now = Utc::now();
    let days_in_period = (b.last_day - b.first_day).num_days() + 1;
    let period = if b.first_day == b.last_day {
        long_day(b.first_day)
    } else {
        format!("{} to {}", long_day(b.first_day), long_day(b.last_day))
    };
    let days_phrase = plural(days_in_period.unsigned_abs() as usize, "day", "days");
    let at_phrase = |at: DateTime<Utc>| {
        let local = at.with_timezone(&tz);
        format!(
            "on {} at {}",
            local.format("%A %-d %B"),
            local.format("%H:%M")
        )
    };
    let chosen_days = !(query.from.is_empty() && query.to.is_empty());
    let (period_note, shown) = match (&b.since_session, &b.last_session) {
        (Some(s), Some(last)) if s.id != last.id => (
            format!(
                "Since the session before last, {} ({days_phrase}), so the days before your last session (on {}) show too.",
                at_phrase(s.at),
                last.at.with_timezone(&tz).format("%A %-d %B")
            ),
            "before_last",
        ),
        (Some(s), _) => (
            format!(
                "Since your last session, {} ({days_phrase}).",
                at_phrase(s.at)
            ),
            // With one past session there is nothing further back to offer.
            if query.since == "last" { "last" } else { "" },
        ),
        (None, _) if !chosen_days => (
            format!(
                "No past session is recorded, so this covers the last {} days.",
                app::DEFAULT_BRIEF_DAYS
            ),
            "",
        ),
        (None, _) => (format!("The days you chose ({days_phrase})."), ""),
    };
    let (chart_days, chart) = mood_chart(b, tz, Reader::Own);
    let mood_summary = describe(&chart_days)
        .map(|s| {
            let lows: usize = b.low_runs.iter().map(|r| r.days).sum();
            format!(
                "{s} {} lower than usual.",
                match lows {
                    0 => "No day was".to_string(),
                    1 => "1 day was".to_string(),
                    n => format!("{n} days were"),
                }
            )
        })
        .unwrap_or_else(|| "No check-ins in this period.".to_string());
    let days = b
        .days
        .iter()
        .map(|d| {
            let mut marks = Vec::new();
            if d.low {
                marks.push("lower than usual");
            }
            if d.missed {
                marks.push("couldn't do the usual day");
            }
            if d.safety {
                marks.push("thoughts of self-harm");
            }
            if d.declined_safety {
                marks.push("chose not to answer the safety question");
            }
            DayRow {
                date: short_day(d.day),
                mood: one_decimal(d.mood),
                anxiety: d.anxiety.map(one_decimal).unwrap_or_else(|| "–".into()),
                energy: d.energy.map(one_decimal).unwrap_or_else(|| "–".into()),
                checkins: d.checkins,
                marks: marks.join("; "),
            }
        })
        .collect();
    let low_runs = b
        .low_runs
        .iter()
        .map(|r| {
            let when = if r.first == r.last {
                long_day(r.first)
            } else {
                format!("{} to {}", short_day(r.first), short_day(r.last))
            };
            format!(
                "{when}: {} lower than usual, the lowest at {}.",
                plural(r.days, "day", "days"),
                one_decimal(r.lowest)
            )
        })
        .collect();
    let missed = b
        .days
        .iter()
        .filter(|d| d.missed)
        .map(|d| long_day(d.day))
        .collect();
    let safety = b
        .days
        .iter()
        .filter(|d| d.safety)
        .map(|d| long_day(d.day))
        .collect();
    BriefPage {
        layout,
        period,
        period_note,
        shown,
        next_session: b.next_session.as_ref().map(|s| {
            format!(
                "{} at {}",
                s.at.with_timezone(&tz).format("%A %-d %B"),
                s.at.with_timezone(&tz).format("%H:%M")
            )
        }),
        from: if query.from.is_empty() {
            b.first_day.format("%Y-%m-%d").to_string()
        } else {
            query.from.clone()
        },
        to: if query.to.is_empty() {
            b.last_day.format("%Y-%m-%d").to_string()
        } else {
            query.to.clone()
        },
        range_error,
        chart,
        mood_summary,
        usual: b.baseline.map(|u| one_decimal(u.value)),
        days,
        low_runs,
        missed,
        safety,
        level_at_start: b
            .level_at_start
            .as_ref()
            .map(|g| level_label(g.level).to_string()),
        guidance: b
            .guidance
            .iter()
            .map(|g| GuidanceView {
                when: format!(
                    "{} at {}",
                    long_day(local_day(g.at, tz)),
                    g.at.with_timezone(&tz).format("%H:%M")
                ),
                level: level_label(g.level),
                reasons: g.reasons.iter().map(|r| r.sentence()).collect(),
            })
            .collect(),
        tools: b
            .tools
            .iter()
            .map(|t| {
                format!(
                    "{}: distress down by {} on average, over the {} I rated it.",
                    t.tool.name(),
                    t.mean_relief_rounded().map(one_decimal).unwrap_or_default(),
                    plural(t.rated_uses as usize, "time", "times")
                )
            })
            .collect(),
        tool_uses: b.tool_uses,
        scores: b
            .scores
            .iter()
            .map(|s| ScoreView {
                name: s.instrument.name(),
                scores: s
                    .scores
                    .iter()
                    .map(|(d, total, band)| {
                        format!("{} on {} ({})", total, long_day(*d), band.label())
                    })
                    .collect(),
                change: match (s.from, s.change) {
                    (Some((day, from)), Some((delta, category))) => Some(format!(
                        "Compared with {from} on {}: {}{delta}, {}.",
                        long_day(day),
                        if delta > 0 { "+" } else { "" },
                        category.label().to_lowercase()
                    )),
                    _ => None,
                },
            })
            .collect(),
        agenda: b.agenda.iter().map(|a| a.text.clone()).collect(),
        homework: b
            .homework
            .iter()
            .map(|h| {
                let hw = &h.status.homework;
                HomeworkView {
                    text: hw.text.clone(),
                    how_often: hw.frequency.label(),
                    done: format!(
                        "Done {} in this period.",
                        match h.done_in_period.len() {
                            0 => "no times".to_string(),
                            1 => "once".to_string(),
                            n => format!("{n} times"),
                        }
                    ),
                    status: match hw.finished_at {
                        Some(f) => format!("Finished on {}.", long_day(local_day(f, tz))),
                        None => h.status.progress.sentence(hw.frequency),
                    },
                    notes: h
                        .done_in_period
                        .iter()
                        .filter_map(|l| {
                            l.note
                                .as_ref()
                                .map(|n| format!("{}: {n}", short_day(local_day(l.at, tz))))
                        })
                        .collect(),
                }
            })
            .collect(),
        feedback: b
            .feedback
            .iter()
            .map(|n| NoteView {
                kind: n.kind.label(),
                session: session_label(b, n.session_id, tz),
                text: n.text.clone(),
            })
            .chain(b.session_feedback.iter().map(|r| NoteView {
                kind: "After the session",
                session: session_label(b, r.session_id, tz),
                text: r.text.clone(),
            }))
            .collect(),
        thought_records: b
            .thought_records
            .iter()
            .map(|r| ThoughtView {
                thought: r.content.title(),
                balanced: r.content.balanced.clone(),
                change: crate::pages::thought_records::change_phrase(r),
                on_agenda: r.bring_to_session,
            })
            .collect(),
        made_on: long_day(local_day(now, tz)),
    }
}

fn session_label(b: &Brief, session_id: Option<TherapySessionId>, tz: Tz) -> String {
    let Some(id) = session_id else {
        return "Not about one session".to_string();
    };
    b.since_session
        .iter()
        .chain(&b.last_session)
        .chain(&b.sessions)
        .find(|s| s.id == id)
        .map(|s| format!("About {}", session_phrase(s.at, tz)))
        .unwrap_or_else(|| "About an earlier session".to_string())
}

fn parse_day(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

/// Shows the brief for the period since the session before last, since the last session,
/// or for the chosen days.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<BriefQuery>,
) -> PageResult {
    let tz = me.actor.account().timezone.tz();
    // The default reaches back to the session before last: a slide that began before the
    // last session would otherwise be cut in half, its start invisible.
    let default = if q.since == "last" {
        BriefRange::SinceLastSession
    } else {
        BriefRange::SinceSessionBeforeLast
    };
    let (range, mut range_error) = match (q.from.trim(), q.to.trim()) {
        ("", "") => (default, None),
        (from, to) => match (parse_day(from), parse_day(to)) {
            (Some(first), Some(last)) => (BriefRange::Days { first, last }, None),
            _ => (
                default,
                Some("Please give both days, like 2026-11-03.".to_string()),
            ),
        },
    };
    let now = Utc::now();
    let brief = match state.app.brief(&me.actor, range, now).await {
        Ok(b) => b,
        Err(AppError::Invalid(errors)) => {
            range_error = errors.first().map(|e| e.message.clone());
            state.app.brief(&me.actor, default, now).await?
        }
        Err(e) => return Err(e.into()),
    };
    let status = if range_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let layout = Layout::signed_in(&me.csrf, "brief");
    Ok(render(status, &view(layout, &brief, tz, &q, range_error)))
}
