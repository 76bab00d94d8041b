//! The home page: what matters today first (an urgent card, a word about today's check-in,
//! guidance, a one-tap check-in), then what to do next.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use domain::checkin::{CheckIn, CheckInId};
use domain::crisis::directory_for_country;
use domain::guidance::{Baseline, Level};
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
    /// Its id while details may still be added to it.
    add_more: Option<CheckInId>,
}

/// A tool that helped before, linked.
pub struct ToolOffer {
    id: &'static str,
    name: &'static str,
}

/// A kind word about a hard day: today's check-in is well below the person's usual (or low,
/// when there is no usual yet), though the guidance level may not have moved. After a very
/// low mood without a "yes" to the safety question, the help links are shown too, gently.
pub struct Acknowledgement {
    heading: &'static str,
    line: String,
    tools: Vec<ToolOffer>,
    /// Words before the tools, or in their place when none has helped yet.
    tools_line: &'static str,
    gentle_help: bool,
}

/// With no usual yet, a mood at or below this is acknowledged.
const LOW_WITHOUT_USUAL: u8 = 4;

/// The acknowledgement for today's latest check-in, if today is a hard day.
fn acknowledgement(
    today: Option<&CheckIn>,
    usual: Option<&Baseline>,
    helped: &[domain::coping::ToolId],
    low_points: f64,
) -> Option<Acknowledgement> {
    let c = today?;
    let mood = c.content.mood.get();
    let very_low = c.content.low_mood() && !c.content.said_yes();
    let (heading, line) = match usual {
        // The usual and the distance are guidance's own (the baseline and its low-day
        // points), so home never names a different "usual" from the evidence and the charts;
        // the everyday ups and downs of a point or so pass without comment.
        Some(u) if u.value - f64::from(mood) >= low_points => (
            "A harder day",
            format!("Today is lower than your usual {}. One hard day is common, and it doesn't undo what you've done so far.", u.in_words()),
        ),
        None if mood <= LOW_WITHOUT_USUAL => (
            "A harder day",
            "Today sounds hard. One hard day is common, and it doesn't undo what you've done so far.".to_string(),
        ),
        _ if very_low => (
            "A harder day",
            "Today sounds very hard. Thank you for checking in anyway.".to_string(),
        ),
        _ => return None,
    };
    let tools: Vec<ToolOffer> = helped
        .iter()
        .take(2)
        .map(|t| ToolOffer {
            id: t.code(),
            name: t.tool().name,
        })
        .collect();
    let tools_line = match tools.len() {
        0 => {
            "Once you've tried a few exercises in the toolkit and said how you felt before and after, the ones that help you will show up here."
        }
        1 => "Here is something that helped you before:",
        _ => "Here are two things that helped you before:",
    };
    Some(Acknowledgement {
        heading,
        line,
        tools,
        tools_line,
        gentle_help: very_low,
    })
}

/// The thank-you after saving, naming what was saved.
fn saved_notice(last: Option<&CheckIn>, now: DateTime<Utc>) -> String {
    match last {
        Some(c) if now - c.created_at < Duration::minutes(10) => format!(
            "Thank you. Your check-in is saved: mood {} out of 10.",
            c.content.mood.get()
        ),
        _ => "Thank you. Your check-in is saved.".to_string(),
    }
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
    notice: Option<String>,
    /// "Add more" after the thank-you, for the check-in just saved.
    notice_add_more: Option<CheckInId>,
    first_visit: bool,
    acknowledgement: Option<Acknowledgement>,
    /// On an ordinary day with no check-in yet, the one-tap check-in comes first.
    checkin_first: bool,
    /// A fresh id for the one-tap check-in, so a retried tap is stored once.
    quick_client_id: String,
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
    /// The toolkit card, unless the word about today already offers what helped before.
    show_toolkit: bool,
    questionnaires: Option<QuestionnaireCard>,
    last_checkin: Option<LastCheckIn>,
    count_30: usize,
    homework: Vec<super::homework::HomeworkView>,
    next_session: Option<String>,
    therapist_name: Option<String>,
    plans: super::plans::HomePlans,
    /// What a therapist changed in how the app notices lower days, for the guidance card.
    tuning: Vec<String>,
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
    // A therapist's account keeps no log: its home is the caseload.
    if me.actor.account().is_therapist() {
        return go(crate::session::THERAPIST_HOME);
    }
    let now = Utc::now();
    let app = &state.app;
    let actor = &me.actor;
    // One read of moods (not the words, which stay sealed) serves the usual mood, which
    // looks back furthest, and the count of the last 30 days; only the latest check-in is
    // read whole.
    let (moods, latest, guidance, next, due, questionnaires_due) = tokio::try_join!(
        app.checkin_records(actor, Some(now - ::app::USUAL_MOOD_LOOKS_BACK), None),
        app.last_checkin(actor),
        app.guidance(actor, now),
        app.next_session(actor, now),
        app.reflection_due(actor, now),
        app.questionnaires_due(actor, now),
    )?;
    // What to offer from the toolkit depends on how things look today, and on last night's
    // sleep when the latest check-in is recent enough to speak of it.
    let short_sleep = latest.as_ref().is_some_and(|c| {
        c.content.at >= now - Duration::hours(36)
            && domain::coping::is_short_sleep(c.content.sleep_hours)
    });
    let (suggestion, helped) = tokio::try_join!(
        app.suggested_tools(actor, guidance.level, short_sleep),
        app.best_tools(actor, 2),
    )?;
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
    let today = now.with_timezone(&tz).date_naive();
    let is_today = |c: &CheckIn| c.content.at.with_timezone(&tz).date_naive() == today;
    let since_30 = now - Duration::days(30);
    let count_30 = moods.len() - moods.partition_point(|c| c.at < since_30);
    let usual = ::app::usual_mood_of(actor, moods, now);
    let last = latest.as_ref().filter(|c| c.content.at >= since_30);
    let today_last = last.filter(|c| is_today(c));
    // On an urgent or reach-out day the guidance card speaks to the day already.
    let acknowledgement = matches!(guidance.level, Level::Steady | Level::ExpectedDip)
        .then(|| {
            acknowledgement(
                today_last,
                usual.as_ref(),
                &helped,
                actor.account().guidance.sensitivity.low_points(),
            )
        })
        .flatten();
    let saved = q.saved.is_some();
    let show_toolkit = acknowledgement.as_ref().is_none_or(|a| a.tools.is_empty());
    let page = HomePage {
        show_toolkit,
        notice_add_more: if saved {
            last.filter(|c| c.editable(now)).map(|c| c.id)
        } else {
            None
        },
        acknowledgement,
        checkin_first: guidance.level == Level::Steady && today_last.is_none(),
        quick_client_id: uuid::Uuid::new_v4().to_string(),
        plans,
        tuning: account.guidance.plain_words(),
        layout: Layout::signed_in(&me.csrf, "home"),
        toolkit: SuggestionView::of(&suggestion),
        // On an ordinary day the check-in comes first; otherwise the tools do.
        toolkit_after_today: guidance.level == Level::Steady,
        notice: if saved {
            Some(saved_notice(last, now))
        } else if q.homework.is_some() {
            Some("Well done. It's in your homework log.".to_string())
        } else if q.reflected.is_some() {
            Some(
                "Thank you. Your reflection is saved, and its topics are on your agenda."
                    .to_string(),
            )
        } else if q.welcome.is_some() {
            Some("Your account is ready. Welcome to Between.".to_string())
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
        no_baseline: account.usual_mood.is_none() && count_30 < 14,
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
        last_checkin: last.map(|c| LastCheckIn {
            when: local_time_phrase(c.content.at, tz, now),
            mood: c.content.mood.get(),
            add_more: c.editable(now).then_some(c.id),
        }),
        count_30,
        homework,
        next_session: next.map(|s| {
            let local = s.at.with_timezone(&tz);
            format!("{} at {}", local.format("%A %-d %B"), local.format("%H:%M"))
        }),
        therapist_name: account.therapist.name.clone(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::checkin::{CheckInInput, SafetyAnswer};
    use domain::coping::ToolId;

    fn checkin(mood: i64, answer: Option<SafetyAnswer>) -> CheckIn {
        let now = Utc::now();
        CheckIn {
            id: CheckInId(1),
            account_id: domain::account::AccountId(1),
            content: CheckInInput {
                mood: Some(mood),
                self_harm_thoughts: answer,
                ..Default::default()
            }
            .validate(now)
            .unwrap_or_else(|e| panic!("{e:?}")),
            created_at: now,
        }
    }

    fn usual(value: f64) -> Baseline {
        Baseline {
            value,
            spread: 1.0,
            source: domain::guidance::BaselineSource::UsualDay,
        }
    }

    const HELPED: [ToolId; 3] = [
        ToolId::BoxBreathing,
        ToolId::Grounding54321,
        ToolId::BoxBreathing,
    ];

    #[test]
    fn a_day_well_below_the_usual_is_named_with_two_tools() {
        let today = checkin(4, None);
        let a = acknowledgement(Some(&today), Some(&usual(7.0)), &HELPED, 2.0);
        let a = a.unwrap_or_else(|| panic!("a 4 against a usual 7 is acknowledged"));
        assert!(a.line.starts_with("Today is lower than your usual 7."));
        assert_eq!(a.tools.len(), 2);
        assert_eq!(a.tools_line, "Here are two things that helped you before:");
        assert!(!a.gentle_help);
        // Everyday ups and downs pass without comment.
        assert!(
            acknowledgement(Some(&checkin(6, None)), Some(&usual(7.0)), &HELPED, 2.0).is_none()
        );
        assert!(acknowledgement(None, Some(&usual(7.0)), &HELPED, 2.0).is_none());
    }

    #[test]
    fn sensible_words_without_a_usual_or_tools() {
        let a = acknowledgement(Some(&checkin(3, None)), None, &[], 2.0);
        let a = a.unwrap_or_else(|| panic!("a 3 with no usual is acknowledged"));
        assert!(a.line.starts_with("Today sounds hard."));
        assert!(a.tools.is_empty());
        assert!(a.tools_line.contains("toolkit"));
        let one = acknowledgement(Some(&checkin(3, None)), None, &HELPED[..1], 2.0);
        assert_eq!(
            one.map(|a| a.tools_line),
            Some("Here is something that helped you before:")
        );
    }

    #[test]
    fn a_very_low_mood_shows_help_gently_unless_it_was_a_yes() {
        for answer in [
            None,
            Some(SafetyAnswer::No),
            Some(SafetyAnswer::RatherNotSay),
        ] {
            let a = acknowledgement(Some(&checkin(1, answer)), Some(&usual(2.0)), &[], 2.0);
            assert!(a.is_some_and(|a| a.gentle_help), "{answer:?}");
        }
        // A "yes" goes to the crisis path instead (the urgent card on home).
        let yes = acknowledgement(
            Some(&checkin(1, Some(SafetyAnswer::Yes))),
            Some(&usual(7.0)),
            &[],
            2.0,
        );
        assert!(yes.is_some_and(|a| !a.gentle_help));
    }
}
