//! Planning therapy sessions, and the check-in that follows one.

use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use domain::checkin::FieldError;
use domain::therapy::{
    AgendaItem, AgendaItemId, CameUp, NewSession, ReflectionInput, Repeat, TherapySession,
    TherapySessionId,
};
use serde::Deserialize;
use uuid::Uuid;

use super::checkin::{Scale, rating_scale};
use super::errors::{PageResult, changed, found, go};
use super::{Choice, message_for, render};
use super::{saved_or_again, shown_again};
use crate::AppState;
use crate::form::CheckedForm;
use crate::layout::Layout;
use crate::pages::history::local_time_phrase;
use crate::session::SignedIn;

/// One session, ready for a list.
pub struct SessionView {
    id: TherapySessionId,
    when: String,
    note: Option<String>,
}

fn view(s: &TherapySession, tz: Tz) -> SessionView {
    SessionView {
        id: s.id,
        when: when(s.at, tz),
        note: s.note.clone(),
    }
}

/// One thing coming up: a single session, or a repeating series shown once with its
/// later dates folded away, so a weekly repeat is one line and not eight.
pub struct UpcomingView {
    /// The next session; removing starts from it.
    next: SessionView,
    /// "Every Tuesday at 17:00" for a series.
    every: Option<String>,
    /// "Tue 8 Dec" for a series: when the next one is.
    next_short: String,
    /// The later sessions of a series, folded away.
    later: Vec<SessionView>,
}

/// "Every Tuesday at 17:00" or "Every other Tuesday at 17:00", from two sessions in a row
/// of a series (in local days, so a clock change does not make a week look shorter).
fn every_phrase(first: DateTime<Utc>, second: DateTime<Utc>, tz: Tz) -> String {
    let (a, b) = (first.with_timezone(&tz), second.with_timezone(&tz));
    let gap = (b.date_naive() - a.date_naive()).num_days();
    let day = a.format("%A");
    let time = a.format("%H:%M");
    match gap {
        7 => format!("Every {day} at {time}"),
        14 => format!("Every other {day} at {time}"),
        n => format!("Every {n} days, on {day}s at {time}"),
    }
}

/// How many later dates of a series the folded list shows.
const LATER_SHOWN: usize = 8;

/// Groups upcoming sessions (oldest first): each series once, at its next session.
fn upcoming_views(upcoming: &[&TherapySession], tz: Tz) -> Vec<UpcomingView> {
    let mut out: Vec<UpcomingView> = Vec::new();
    let mut seen = Vec::new();
    for s in upcoming {
        let Some(series) = s.series else {
            out.push(UpcomingView {
                next: view(s, tz),
                every: None,
                next_short: short_when(s.at, tz),
                later: Vec::new(),
            });
            continue;
        };
        if seen.contains(&series) {
            continue;
        }
        seen.push(series);
        let rest: Vec<&&TherapySession> = upcoming
            .iter()
            .filter(|o| o.series == Some(series) && o.id != s.id)
            .collect();
        out.push(UpcomingView {
            next: view(s, tz),
            every: rest.first().map(|second| every_phrase(s.at, second.at, tz)),
            next_short: short_when(s.at, tz),
            later: rest.iter().take(LATER_SHOWN).map(|o| view(o, tz)).collect(),
        });
    }
    out
}

/// "Tue 8 Dec".
fn short_when(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %-d %b").to_string()
}

/// A recent session not reflected on yet, offered first.
pub struct ReflectView {
    id: TherapySessionId,
    /// "yesterday at 17:00".
    when: String,
}

/// "Tuesday 17 November 2026 at 15:00" in the person's zone: when a session is or a plan
/// was saved.
pub fn when(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!(
        "{} at {}",
        local.format("%A %-d %B %Y"),
        local.format("%H:%M")
    )
}

/// The add-a-session form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    layout: Layout,
    notice: Option<&'static str>,
    reflect: Option<ReflectView>,
    upcoming: Vec<UpcomingView>,
    past: Vec<SessionView>,
    form: SessionForm,
    repeats: Vec<Choice>,
    errors: Vec<FieldError>,
}

impl SessionsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

/// Notices after a redirect.
#[derive(Deserialize)]
pub struct SessionsQuery {
    #[serde(default)]
    added: Option<String>,
    #[serde(default)]
    removed: Option<String>,
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    mut form: SessionForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<SessionsPage, AppError> {
    // One id per form shown: pressing "Add" twice, or a retry, adds the session once.
    if form.client_id.is_empty() {
        form.client_id = Uuid::new_v4().to_string();
    }
    let now = Utc::now();
    let tz = me.actor.account().timezone.tz();
    let (all, unreflected) = tokio::try_join!(
        state
            .app
            .sessions(&me.actor, Some(now - Duration::days(90)), None),
        state.app.unreflected_session(&me.actor, now),
    )?;
    let (past, upcoming): (Vec<_>, Vec<_>) = all.iter().partition(|s| s.at <= now);
    let repeats = [
        ("once", "Just this once"),
        ("weekly", "Every week"),
        ("fortnightly", "Every two weeks"),
    ]
    .iter()
    .map(|(v, l)| Choice::new(*v, *l, form.repeat == *v))
    .collect();
    Ok(SessionsPage {
        layout: Layout::signed_in(&me.csrf, "sessions"),
        notice,
        reflect: unreflected.map(|s| ReflectView {
            id: s.id,
            when: local_time_phrase(s.at, tz, now),
        }),
        upcoming: upcoming_views(&upcoming, tz),
        past: past.iter().rev().take(10).map(|s| view(s, tz)).collect(),
        form,
        repeats,
        errors,
    })
}

/// Lists sessions and offers the form.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<SessionsQuery>,
) -> PageResult {
    let notice = if q.added.is_some() {
        Some("Session added.")
    } else if q.removed.is_some() {
        Some("Session removed.")
    } else {
        None
    };
    let p = page(&state, &me, SessionForm::default(), Vec::new(), notice).await?;
    Ok(render(StatusCode::OK, &p))
}

/// A local date and time in `tz` as a UTC instant; in a clock change's gap, the earliest valid.
pub fn local_to_utc(date: NaiveDate, time: NaiveTime, tz: Tz) -> Option<DateTime<Utc>> {
    let naive = date.and_time(time);
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

fn parse_session(form: &SessionForm, tz: Tz) -> Result<NewSession, Vec<FieldError>> {
    let mut errors = Vec::new();
    let date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d")
        .map_err(|_| {
            errors.push(FieldError::new(
                "date",
                "Please give the date, like 2026-12-01.",
            ))
        })
        .ok();
    let time = NaiveTime::parse_from_str(form.time.trim(), "%H:%M")
        .map_err(|_| errors.push(FieldError::new("time", "Please give the time, like 15:00.")))
        .ok();
    let repeat = Repeat::parse(form.repeat.trim())
        .ok_or_else(|| errors.push(FieldError::new("repeat", "Please choose how it repeats.")))
        .ok();
    match (date, time, repeat) {
        (Some(d), Some(t), Some(r)) if errors.is_empty() => {
            let at = local_to_utc(d, t, tz).ok_or_else(|| {
                vec![FieldError::new(
                    "time",
                    "That time does not exist on that day.",
                )]
            })?;
            let client_id =
                Uuid::parse_str(form.client_id.trim()).unwrap_or_else(|_| Uuid::new_v4());
            // The form asks for a date and a time; a time out of range is about the date.
            NewSession::new(client_id, at, &form.note, r, Utc::now()).map_err(|errors| {
                errors
                    .into_iter()
                    .map(|e| match e.field {
                        "at" => FieldError::new("date", e.message),
                        _ => e,
                    })
                    .collect()
            })
        }
        _ => Err(errors),
    }
}

/// Adds a session, or shows the form again with what to fix.
pub async fn add(
    State(state): State<AppState>,
    CheckedForm { me, form }: CheckedForm<SessionForm>,
) -> PageResult {
    let tz = me.actor.account().timezone.tz();
    let result = match parse_session(&form, tz) {
        Ok(new) => state.app.add_session(&me.actor, new).await.map(|_| ()),
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    saved_or_again(result, "/sessions?added=1", |errors| {
        page(&state, &me, form, errors, None)
    })
    .await
}

#[derive(Template)]
#[template(path = "session_remove.html")]
struct RemovePage {
    layout: Layout,
    id: TherapySessionId,
    when: String,
    /// "every Tuesday at 17:00" when later sessions of its series follow.
    every: Option<String>,
    /// How many later sessions of its series are planned.
    later: usize,
}

/// Asks before removing: a page of its own, so the confirmation works without script.
pub async fn confirm_remove(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<TherapySessionId>,
) -> PageResult {
    let s = found(find_session(&state, &me, id).await)?;
    let tz = me.actor.account().timezone.tz();
    let later: Vec<TherapySession> = match s.series {
        Some(series) => state
            .app
            .sessions(&me.actor, Some(s.at), None)
            .await?
            .into_iter()
            .filter(|o| o.series == Some(series) && o.id != s.id && o.at >= s.at)
            .collect(),
        None => Vec::new(),
    };
    let page = RemovePage {
        layout: Layout::signed_in(&me.csrf, "sessions"),
        id: s.id,
        when: when(s.at, tz),
        // "repeats every Monday at 17:00": the phrase mid-sentence.
        every: later
            .first()
            .map(|second| every_phrase(s.at, second.at, tz).replacen("Every", "every", 1)),
        later: later.len(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The remove button's form.
#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    later: Option<String>,
}

/// Removes a session (or it and the later ones of its series).
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<TherapySessionId>,
    CheckedForm { me, form }: CheckedForm<DeleteForm>,
) -> PageResult {
    changed(
        state
            .app
            .delete_session(&me.actor, id, form.later.is_some())
            .await,
        "/sessions?removed=1",
    )
}

/// The post-session check-in as typed.
#[derive(Debug, Default, Deserialize)]
pub struct ReflectForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    session_feeling: String,
    #[serde(default)]
    came_up: Vec<String>,
    #[serde(default)]
    feedback: String,
    #[serde(default)]
    topics: String,
    /// Agenda topics ticked "we talked about this", by id.
    #[serde(default)]
    discussed: Vec<String>,
}

#[derive(Template)]
#[template(path = "reflect.html")]
struct ReflectPage {
    layout: Layout,
    session_id: TherapySessionId,
    session_when: String,
    scale: Scale,
    came_up: Vec<Choice>,
    /// Open agenda topics, to tick the ones the session covered.
    agenda: Vec<Choice>,
    form: ReflectForm,
    errors: Vec<FieldError>,
}

async fn find_session(
    state: &AppState,
    me: &SignedIn,
    id: TherapySessionId,
) -> Result<TherapySession, AppError> {
    state.app.therapy_session(&me.actor, id).await
}

fn reflect_page(
    me: &SignedIn,
    s: &TherapySession,
    agenda: &[AgendaItem],
    mut form: ReflectForm,
    errors: Vec<FieldError>,
) -> ReflectPage {
    if form.client_id.is_empty() {
        form.client_id = Uuid::new_v4().to_string();
    }
    let tz = me.actor.account().timezone.tz();
    ReflectPage {
        layout: Layout::signed_in(&me.csrf, "sessions"),
        session_id: s.id,
        session_when: format!("Your session on {}", when(s.at, tz)),
        scale: rating_scale(
            "session_feeling",
            "How did the session feel?",
            "0 is very hard, 10 very good. Hard sessions are often useful ones.",
            ("0 very hard", "10 very good"),
            &form.session_feeling,
            &errors,
        ),
        came_up: CameUp::ALL
            .iter()
            .map(|c| {
                Choice::new(
                    c.code(),
                    c.label(),
                    form.came_up.iter().any(|v| v == c.code()),
                )
            })
            .collect(),
        agenda: agenda
            .iter()
            .map(|a| {
                Choice::new(
                    a.id.to_string(),
                    a.text.clone(),
                    form.discussed.iter().any(|d| *d == a.id.to_string()),
                )
            })
            .collect(),
        form,
        errors,
    }
}

/// Shows the post-session check-in for one session.
pub async fn reflect_show(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<TherapySessionId>,
) -> PageResult {
    let (s, agenda) = found(tokio::try_join!(
        find_session(&state, &me, id),
        state.app.agenda(&me.actor, false)
    ))?;
    Ok(render(
        StatusCode::OK,
        &reflect_page(&me, &s, &agenda, ReflectForm::default(), Vec::new()),
    ))
}

/// Saves the post-session check-in; its topics join the agenda.
pub async fn reflect_submit(
    State(state): State<AppState>,
    Path(id): Path<TherapySessionId>,
    CheckedForm { me, form }: CheckedForm<ReflectForm>,
) -> PageResult {
    let (s, agenda) = found(tokio::try_join!(
        find_session(&state, &me, id),
        state.app.agenda(&me.actor, false)
    ))?;
    let feeling = match form.session_feeling.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let errors = vec![FieldError::new(
                    "session_feeling",
                    "Please choose a number from 0 to 10.",
                )];
                return shown_again(&reflect_page(&me, &s, &agenda, form, errors));
            }
        },
    };
    let input = ReflectionInput {
        client_id: Uuid::parse_str(form.client_id.trim()).ok(),
        session_feeling: feeling,
        came_up: Some(form.came_up.clone()),
        feedback: Some(form.feedback.clone()),
        topics: Some(form.topics.clone()),
    };
    match state
        .app
        .record_reflection(&me.actor, Some(s.id), input)
        .await
    {
        Ok(_) => {
            // Topics ticked "we talked about this" count as discussed at the session.
            let ids: Vec<AgendaItemId> = form
                .discussed
                .iter()
                .filter_map(|d| d.trim().parse().ok())
                .collect();
            state.app.mark_discussed(&me.actor, &ids, s.at).await?;
            go("/?reflected=1")
        }
        Err(AppError::Invalid(errors)) => {
            shown_again(&reflect_page(&me, &s, &agenda, form, errors))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn london(d: u32, m: u32, h: u32) -> DateTime<Utc> {
        let tz = chrono_tz::Europe::London;
        let day = NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default();
        local_to_utc(
            day,
            NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default(),
            tz,
        )
        .unwrap_or_default()
    }

    #[test]
    fn a_series_is_said_in_local_days_across_a_clock_change() {
        let tz = chrono_tz::Europe::London;
        // The clocks go back on 25 October 2026: a week of local days, 169 hours.
        assert_eq!(
            every_phrase(london(20, 10, 17), london(27, 10, 17), tz),
            "Every Tuesday at 17:00"
        );
        assert_eq!(
            every_phrase(london(20, 10, 17), london(3, 11, 17), tz),
            "Every other Tuesday at 17:00"
        );
    }
}
