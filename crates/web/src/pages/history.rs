//! The history page: check-ins by day, newest first, with a 30-day mood chart.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::brief::local_midnight;
use domain::checkin::{CheckIn, CheckInId, HARDER_TODAY_SUGGESTIONS};
use serde::Deserialize;

use super::errors::PageResult;
use super::render;
use crate::AppState;
use crate::chart::{DayMood, MoodChartText, Reader, describe, mood_chart_with};
use crate::layout::Layout;
use crate::session::SignedIn;

/// How many days one page of history covers.
const PAGE_DAYS: u64 = 30;

/// "today at 18:05", "yesterday at 09:10" or "Tue 17 Nov at 21:00", in the person's zone.
pub fn local_time_phrase(at: DateTime<Utc>, tz: Tz, now: DateTime<Utc>) -> String {
    let local = at.with_timezone(&tz);
    let today = now.with_timezone(&tz).date_naive();
    let day = local.date_naive();
    let time = local.format("%H:%M");
    if day == today {
        format!("today at {time}")
    } else if Some(day) == today.pred_opt() {
        format!("yesterday at {time}")
    } else {
        format!("{} at {time}", local.format("%a %-d %b"))
    }
}

/// Which page of history: days before this date (exclusive).
#[derive(Deserialize)]
pub struct HistoryQuery {
    #[serde(default)]
    before: Option<String>,
}

/// One check-in, ready to read.
pub struct EntryView {
    id: CheckInId,
    time: String,
    mood: u8,
    ratings: Vec<String>,
    details: Vec<Detail>,
    note: Option<String>,
}

/// One line of a check-in's details: our words, then what the person wrote (each part
/// shown isolated, so their text can't change the direction of the rest of the line).
pub struct Detail {
    label: String,
    written: Vec<String>,
}

impl Detail {
    fn ours(label: impl Into<String>) -> Detail {
        Detail {
            label: label.into(),
            written: Vec::new(),
        }
    }
}

/// One day's check-ins.
pub struct DayView {
    id: String,
    label: String,
    entries: Vec<EntryView>,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    layout: Layout,
    chart: String,
    /// The 30 days in one sentence, beside the chart.
    summary: Option<String>,
    days: Vec<DayView>,
    older_than: Option<NaiveDate>,
    newer_link: Option<String>,
    older_link: Option<String>,
}

fn entry_view(c: &CheckIn, tz: Tz) -> EntryView {
    let x = &c.content;
    let mut ratings = Vec::new();
    if let Some(a) = x.anxiety {
        ratings.push(format!("Anxiety {a}"));
    }
    if let Some(e) = x.energy {
        ratings.push(format!("Energy {e}"));
    }
    let mut details = Vec::new();
    if !x.body.is_empty() {
        let labels: Vec<&str> = x.body.iter().map(|b| b.label()).collect();
        details.push(Detail::ours(format!("Body: {}", labels.join(", "))));
    }
    if let Some(u) = x.usual_activities {
        details.push(Detail::ours(format!("Managed my usual day: {}", u.label())));
    }
    if x.missed_usual_activities == Some(true) {
        details.push(Detail::ours(
            "Missed work, school or plans because of how I felt",
        ));
    }
    if !x.harder_today.is_empty() {
        let labels: Vec<String> = x
            .harder_today
            .iter()
            .map(|t| {
                HARDER_TODAY_SUGGESTIONS
                    .iter()
                    .find(|(code, _)| code == t)
                    .map(|(_, label)| *label)
                    .unwrap_or(t.as_str())
                    .to_string()
            })
            .collect();
        details.push(Detail {
            label: "Harder today: ".into(),
            written: labels,
        });
    }
    if let Some(h) = x.sleep_hours {
        details.push(Detail::ours(format!("Sleep: {h} hours")));
    }
    if let Some(s) = &x.substances {
        details.push(Detail {
            label: "Alcohol or substances: ".into(),
            written: vec![s.clone()],
        });
    }
    match x.self_harm_thoughts {
        Some(domain::checkin::SafetyAnswer::Yes) => {
            details.push(Detail::ours("Said yes to the safety question"));
        }
        Some(domain::checkin::SafetyAnswer::RatherNotSay) => {
            details.push(Detail::ours("Chose not to answer the safety question"));
        }
        _ => {}
    }
    EntryView {
        id: c.id,
        time: x.at.with_timezone(&tz).format("%H:%M").to_string(),
        mood: x.mood.get(),
        ratings,
        details,
        note: x.note.clone(),
    }
}

/// Shows 30 days of check-ins ending before `before` (default: today included).
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<HistoryQuery>,
) -> PageResult {
    let zone = me.actor.account().timezone;
    let tz = zone.tz();
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let older_than = q
        .before
        .as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .filter(|d| *d <= today);
    let end = older_than.unwrap_or_else(|| today + Days::new(1));
    let start = end - Days::new(PAGE_DAYS);
    let start_utc = local_midnight(start, zone);
    let end_utc = local_midnight(end, zone);
    let (checkins, sessions, usual) = tokio::try_join!(
        state
            .app
            .checkins(&me.actor, Some(start_utc), Some(end_utc)),
        state
            .app
            .sessions(&me.actor, Some(start_utc), Some(end_utc)),
        // The usual mood as it stood at the end of the page's days.
        state.app.usual_mood(&me.actor, end_utc.min(now)),
    )?;
    let session_days: Vec<NaiveDate> = sessions
        .iter()
        .map(|s| s.at.with_timezone(&tz).date_naive())
        .collect();
    let mut by_day: BTreeMap<NaiveDate, Vec<&CheckIn>> = BTreeMap::new();
    for c in &checkins {
        by_day
            .entry(c.content.at.with_timezone(&tz).date_naive())
            .or_default()
            .push(c);
    }
    let chart_days: Vec<DayMood> = by_day
        .iter()
        .map(|(day, cs)| DayMood {
            day: *day,
            mood: cs
                .iter()
                .map(|c| f64::from(c.content.mood.get()))
                .sum::<f64>()
                / cs.len() as f64,
        })
        .collect();
    let days = by_day
        .iter()
        .rev()
        .map(|(day, cs)| DayView {
            id: day.format("%Y-%m-%d").to_string(),
            label: day.format("%A %-d %B %Y").to_string(),
            entries: cs.iter().rev().map(|c| entry_view(c, tz)).collect(),
        })
        .collect();
    let page = HistoryPage {
        layout: Layout::signed_in(&me.csrf, "history"),
        chart: mood_chart_with(
            &chart_days,
            start,
            end - Days::new(1),
            &MoodChartText {
                title: &format!(
                    "Mood from {} to {}, 0 to 10",
                    start.format("%-d %B"),
                    (end - Days::new(1)).format("%-d %B %Y")
                ),
                empty: "No check-ins in these 30 days yet.",
                usual,
                sessions: &session_days,
                reader: Reader::Own,
            },
        ),
        summary: describe(&chart_days),
        days,
        older_than,
        newer_link: older_than.map(|d| {
            let next = d + Days::new(PAGE_DAYS);
            if next > today {
                "/history".to_string()
            } else {
                format!("/history?before={}", next.format("%Y-%m-%d"))
            }
        }),
        older_link: Some(format!("/history?before={}", start.format("%Y-%m-%d"))),
    };
    Ok(render(StatusCode::OK, &page))
}
