//! The home page: how things look (guidance) first, then what to do next.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use domain::crisis::directory_for_country;
use domain::guidance::Level;
use domain::questionnaire::Due;
use serde::Deserialize;

use super::errors::{PageResult, go};
use super::render;
use crate::AppState;
use crate::layout::Layout;
use crate::pages::help::Dial;
use crate::pages::history::local_time_phrase;
use crate::pages::toolkit::SuggestionView;
use crate::session::Visitor;

/// Short notices after a redirect; they carry no personal data.
#[derive(Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    welcome: Option<String>,
    #[serde(default)]
    reflected: Option<String>,
    #[serde(default)]
    homework: Option<String>,
}

/// The last check-in in words.
pub struct LastCheckIn {
    when: String,
    mood: u8,
}

/// The gentle invitation to the questionnaires that are due.
pub struct QuestionnaireCard {
    heading: String,
    text: String,
    offers: Vec<(&'static str, &'static str)>,
}

/// Words for the questionnaires due now; the most timely reason leads.
fn questionnaire_card(
    due: &[app::QuestionnaireDue],
    tz: chrono_tz::Tz,
) -> Option<QuestionnaireCard> {
    let offers: Vec<_> = due
        .iter()
        .map(|d| (d.instrument.code(), d.instrument.name()))
        .collect();
    let which = match offers.as_slice() {
        [(_, one)] => format!("the {one}"),
        _ => "the PHQ-9 and GAD-7".to_string(),
    };
    let before_session = due.iter().find_map(|d| match d.due {
        Due::BeforeSession { session_at } => Some(session_at),
        _ => None,
    });
    let interval = due.iter().find_map(|d| match d.due {
        Due::Interval { days_since } => Some(days_since),
        _ => None,
    });
    let (heading, text) = if let Some(at) = before_session {
        let local = at.with_timezone(&tz);
        (
            "Before your next session".to_string(),
            format!(
                "Your session is on {} at {}. Filling in {which} beforehand gives you and your \
                 therapist a recent picture to look at together. About two minutes each.",
                local.format("%A %-d %B"),
                local.format("%H:%M")
            ),
        )
    } else if let Some(days) = interval {
        (
            "Time for your fortnightly questionnaires".to_string(),
            format!(
                "It has been {days} days since you last filled in {which}. Doing it every two \
                 weeks shows how things are changing. About two minutes each."
            ),
        )
    } else if !offers.is_empty() {
        (
            "Two short questionnaires".to_string(),
            "The PHQ-9 and GAD-7 ask about low mood and anxiety over the last two weeks. \
             Filled in every two weeks, they show you and your therapist how things are \
             changing. About two minutes each, and only when you feel up to it."
                .to_string(),
        )
    } else {
        return None;
    };
    Some(QuestionnaireCard {
        heading,
        text,
        offers,
    })
}

/// The invitation to the post-session check-in.
pub struct ReflectionCard {
    session_id: domain::therapy::TherapySessionId,
    heading: String,
    prompt: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    notice: Option<&'static str>,
    first_visit: bool,
    urgent: bool,
    emergency: Vec<Dial>,
    first_line: Option<Dial>,
    level_code: &'static str,
    level_label: &'static str,
    headline: &'static str,
    advice: &'static str,
    reasons: Vec<String>,
    details: Vec<String>,
    basis: Option<&'static str>,
    reach_out: bool,
    dip: bool,
    no_baseline: bool,
    reflection: Option<ReflectionCard>,
    toolkit: SuggestionView,
    toolkit_after_today: bool,
    questionnaires: Option<QuestionnaireCard>,
    last_checkin: Option<LastCheckIn>,
    count_30: usize,
    homework: Vec<super::homework::HomeworkView>,
    next_session: Option<String>,
    therapist_name: Option<String>,
    plans: super::plans::HomePlans,
}

/// A short, calm label for the level, so colour is never the only signal. Plain words: the
/// engine's names ("expected dip") are for the docs, not for the person.
pub fn level_label(level: Level) -> &'static str {
    match level {
        Level::Steady => "Steady",
        Level::ExpectedDip => "Common after a session",
        Level::ReachOut => "Time to reach out",
        Level::Urgent => "Urgent",
    }
}

/// Home for the signed in; sign-up on a fresh install; sign-in otherwise.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<HomeQuery>,
) -> PageResult {
    let Some(me) = visitor.signed_in else {
        let fresh = state.app.is_fresh_install().await?;
        return go(if fresh { "/signup" } else { "/signin" });
    };
    let now = Utc::now();
    let app = &state.app;
    let actor = &me.actor;
    let (recent, guidance, next, due, questionnaires_due) = tokio::try_join!(
        app.checkins(actor, Some(now - Duration::days(30)), None),
        app.guidance(actor, now),
        app.next_session(actor, now),
        app.reflection_due(actor, now),
        app.questionnaires_due(actor, now),
    )?;
    // What to offer from the toolkit depends on how things look today.
    let suggestion = app.suggested_tools(actor, guidance.level).await?;
    let account = actor.account();
    let tz = account.timezone.tz();
    let urgent = guidance.level == Level::Urgent;
    let directory = directory_for_country(account.country).entry;
    let plans = super::plans::home_plans(app, actor, &guidance).await;
    // Homework stays on the home page until it is done or removed.
    let homework = app
        .homework(actor, false, now)
        .await?
        .iter()
        .map(|h| super::homework::view(h, tz))
        .collect();
    let page = HomePage {
        plans,
        layout: Layout::signed_in(&me.csrf, "home"),
        toolkit: SuggestionView::of(&suggestion),
        // On an ordinary day the check-in comes first; otherwise the tools do.
        toolkit_after_today: guidance.level == Level::Steady,
        notice: if q.saved.is_some() {
            Some("Thank you. Your check-in is saved.")
        } else if q.homework.is_some() {
            Some("Well done. It's in your homework log.")
        } else if q.reflected.is_some() {
            Some("Thank you. Your reflection is saved, and its topics are on your agenda.")
        } else if q.welcome.is_some() {
            Some("Your account is ready. Welcome to Between.")
        } else {
            None
        },
        first_visit: q.welcome.is_some(),
        urgent,
        emergency: directory
            .emergency_numbers()
            .map(|n| Dial::new(n.tel_href(), n.display().to_string()))
            .collect(),
        first_line: directory
            .lines
            .iter()
            .find_map(|l| l.phone)
            .map(|p| Dial::new(p.tel_href(), p.display().to_string())),
        level_code: guidance.level.code(),
        level_label: level_label(guidance.level),
        headline: guidance.level.headline(),
        advice: guidance.level.advice(),
        reasons: guidance.summaries(),
        details: guidance.sentences(),
        basis: guidance.level.basis(),
        reach_out: guidance.level == Level::ReachOut,
        dip: guidance.level == Level::ExpectedDip,
        no_baseline: account.usual_mood.is_none() && recent.len() < 14,
        reflection: due.map(|d| ReflectionCard {
            session_id: d.session.id,
            heading: match d.days_after {
                0 => "How was today's session?".to_string(),
                1 => "How are you a day after your session?".to_string(),
                n => format!("How are you {n} days after your session?"),
            },
            prompt: "A few taps: how it felt, what came up, and anything to bring next time. \
                     Reactions often arrive a day or two later; that is normal.",
        }),
        questionnaires: questionnaire_card(&questionnaires_due, tz),
        last_checkin: recent.last().map(|c| LastCheckIn {
            when: local_time_phrase(c.content.at, tz, now),
            mood: c.content.mood.get(),
        }),
        count_30: recent.len(),
        homework,
        next_session: next.map(|s| {
            let local = s.at.with_timezone(&tz);
            format!("{} at {}", local.format("%A %-d %B"), local.format("%H:%M"))
        }),
        therapist_name: account.therapist.name.clone(),
    };
    Ok(render(StatusCode::OK, &page))
}
