//! The bedtime routine's pages: a calm builder the first time (and "Change my routine"
//! after), then each evening tonight's checklist, the target time, and how sleep and mood
//! looked on nights with and without the routine. Plain forms: no JavaScript needed.

use app::{AppError, Tonight};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use domain::bedtime::{
    BedtimeRoutine, Comparison, DEFAULT_TARGET_TIME, MAX_ITEM_CHARS, MAX_ITEMS, MIN_NIGHTS_EACH,
    NightInput, NightsSummary, RoutineInput, SUGGESTIONS, Ticked, format_time, suggestion_for,
};
use domain::checkin::FieldError;
use serde::Deserialize;

use super::errors::{PageResult, go};
use super::{Choice, DoneQuery, message_for, render, shown_again};
use crate::AppState;
use crate::form::CheckedForm;
use crate::layout::Layout;
use crate::session::SignedIn;

/// Where the routine lives.
const PAGE: &str = "/toolkit/bedtime-routine";
/// Blank boxes for steps in the person's own words, besides those already written.
const BLANK_OWN_STEPS: usize = 3;

/// The builder as typed: ticked suggestions, steps in the person's own words, the time.
#[derive(Debug, Default, Deserialize)]
pub struct RoutineForm {
    #[serde(default)]
    suggested: Vec<String>,
    #[serde(default)]
    own: Vec<String>,
    #[serde(default)]
    target_time: String,
}

impl RoutineForm {
    /// The form filled in from a saved routine: its suggested steps ticked, the rest in the
    /// boxes for the person's own words.
    fn of(r: &BedtimeRoutine) -> RoutineForm {
        let (suggested, own) = r
            .items
            .iter()
            .cloned()
            .partition(|i| suggestion_for(i).is_some());
        RoutineForm {
            suggested,
            own,
            target_time: format_time(r.target_time),
        }
    }

    fn input(&self) -> RoutineInput {
        RoutineInput {
            items: Some(self.suggested.iter().chain(&self.own).cloned().collect()),
            target_time: Some(self.target_time.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "bedtime_edit.html")]
struct BuilderPage {
    layout: Layout,
    first_time: bool,
    suggestions: Vec<Choice>,
    own: Vec<String>,
    target_time: String,
    timezone: &'static str,
    max_items: usize,
    max_chars: usize,
    errors: Vec<FieldError>,
}

impl BuilderPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn builder(
    me: &SignedIn,
    first_time: bool,
    form: RoutineForm,
    errors: Vec<FieldError>,
) -> BuilderPage {
    let ticked = |text: &str| form.suggested.iter().any(|s| s.eq_ignore_ascii_case(text));
    let mut own = form.own.clone();
    own.retain(|o| !o.trim().is_empty());
    own.extend(std::iter::repeat_n(String::new(), BLANK_OWN_STEPS));
    BuilderPage {
        layout: Layout::signed_in(&me.csrf, "toolkit"),
        first_time,
        suggestions: SUGGESTIONS
            .iter()
            .map(|s| Choice::new(s.text, s.text, ticked(s.text)))
            .collect(),
        own,
        target_time: if first_time && form.target_time.is_empty() {
            DEFAULT_TARGET_TIME.to_string()
        } else {
            form.target_time
        },
        timezone: me.actor.account().timezone.name(),
        max_items: MAX_ITEMS,
        max_chars: MAX_ITEM_CHARS,
        errors,
    }
}

/// One step of tonight's checklist.
pub struct StepView {
    index: usize,
    text: String,
    checked: bool,
    /// A tool that guides this step: its address and name.
    tool: Option<(&'static str, &'static str)>,
}

/// Tonight's log, once made.
pub struct DoneView {
    time: String,
    ticked: Vec<String>,
}

/// The comparison in words.
pub struct ComparisonView {
    ready: bool,
    with_line: String,
    without_line: String,
    needed: String,
}

#[derive(Template)]
#[template(path = "bedtime.html")]
struct RoutinePage {
    layout: Layout,
    notice: Option<&'static str>,
    target_time: String,
    steps: Vec<StepView>,
    done: Option<DoneView>,
    comparison: ComparisonView,
    min_nights: u32,
    errors: Vec<FieldError>,
}

impl RoutinePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn nights(n: u32) -> String {
    if n == 1 {
        "1 night".to_string()
    } else {
        format!("{n} nights")
    }
}

/// One kind of night in a sentence: how many, the mood, and the sleep with its own count.
fn summary_line(s: &NightsSummary, kind: &str) -> String {
    let mood = s
        .mean_mood
        .map(|m| format!("your mood the next day was {m:.1} out of 10 on average"))
        .unwrap_or_default();
    let sleep = match s.mean_sleep_hours {
        Some(h) if s.nights_with_sleep == s.nights => {
            format!("you slept {h:.1} hours on average")
        }
        Some(h) => format!(
            "you slept {h:.1} hours on average (on the {} you said how long)",
            nights(s.nights_with_sleep)
        ),
        None => "you didn't say how long you slept".to_string(),
    };
    format!("On {} {kind}, {mood}, and {sleep}.", nights(s.nights))
}

/// How many more nights of each kind the comparison waits for, e.g. "5 more nights with
/// your routine and 1 more night without it"; empty once it has enough.
fn needed_phrase(c: &Comparison) -> String {
    let more = |n: u32| {
        if n == 1 {
            "1 more night".to_string()
        } else {
            format!("{n} more nights")
        }
    };
    match (c.needed_with, c.needed_without) {
        (0, 0) => String::new(),
        (w, 0) => format!("{} with your routine", more(w)),
        (0, wo) => format!("{} without it", more(wo)),
        (w, wo) => format!("{} with your routine and {} without it", more(w), more(wo)),
    }
}

/// The comparison in plain words: numbers only once there are enough nights of each kind,
/// and never a claim beyond what happened.
pub fn comparison_view(c: &Comparison) -> ComparisonView {
    ComparisonView {
        ready: c.ready,
        with_line: summary_line(&c.with_routine, "with your routine"),
        without_line: summary_line(&c.without_routine, "without it"),
        needed: needed_phrase(c),
    }
}

/// The toolkit's "What works for me" line for the routine, once the person has made one
/// (after a link naming the routine).
pub async fn toolkit_summary(state: &AppState, me: &SignedIn) -> Result<Option<String>, AppError> {
    if state.app.bedtime_routine(&me.actor).await?.is_none() {
        return Ok(None);
    }
    let c = state.app.bedtime_comparison(&me.actor, Utc::now()).await?;
    Ok(Some(toolkit_line(&c)))
}

/// The toolkit's "What works for me" line for the routine.
pub fn toolkit_line(c: &Comparison) -> String {
    let mean = |v: Option<f64>, unit: &str| v.map_or("no".to_string(), |v| format!("{v:.1}{unit}"));
    if c.ready {
        format!(
            "On {} with it, {} sleep and mood {} the next day; on {} without \
             it, {} sleep and mood {}. This shows what happened, not why.",
            nights(c.with_routine.nights),
            mean(c.with_routine.mean_sleep_hours, " hours"),
            mean(c.with_routine.mean_mood, ""),
            nights(c.without_routine.nights),
            mean(c.without_routine.mean_sleep_hours, " hours"),
            mean(c.without_routine.mean_mood, ""),
        )
    } else {
        format!(
            "{} still needed before your sleep and mood on nights with and \
             without it can be set side by side.",
            needed_phrase(c)
        )
    }
}

fn routine_page(
    me: &SignedIn,
    routine: &BedtimeRoutine,
    tonight: &Tonight,
    comparison: &Comparison,
    ticked: &[usize],
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> RoutinePage {
    let tz = me.actor.account().timezone.tz();
    RoutinePage {
        layout: Layout::signed_in(&me.csrf, "toolkit"),
        notice,
        target_time: format_time(routine.target_time),
        steps: routine
            .items
            .iter()
            .enumerate()
            .map(|(index, text)| StepView {
                index,
                text: text.clone(),
                checked: ticked.contains(&index),
                tool: suggestion_for(text)
                    .and_then(|s| s.tool)
                    .map(|t| (t.code(), t.name())),
            })
            .collect(),
        done: tonight.logged.as_ref().map(|u| DoneView {
            time: u
                .content
                .started_at
                .with_timezone(&tz)
                .format("%H:%M")
                .to_string(),
            ticked: u
                .content
                .note
                .as_deref()
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect(),
        }),
        comparison: comparison_view(comparison),
        min_nights: MIN_NIGHTS_EACH,
        errors,
    }
}

/// Notices after a redirect; they carry no personal data.
const NOTICES: &[(&str, &str)] = &[
    ("saved", "Your routine is saved."),
    ("logged", "Well done. That's tonight's routine ticked off."),
];

/// The routine: the builder when there is none yet, tonight's checklist otherwise.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let Some(routine) = state.app.bedtime_routine(&me.actor).await? else {
        return Ok(render(
            StatusCode::OK,
            &builder(&me, true, RoutineForm::default(), Vec::new()),
        ));
    };
    let now = Utc::now();
    let (tonight, comparison) = tokio::try_join!(
        state.app.bedtime_tonight(&me.actor, now),
        state.app.bedtime_comparison(&me.actor, now),
    )?;
    Ok(render(
        StatusCode::OK,
        &routine_page(
            &me,
            &routine,
            &tonight,
            &comparison,
            &[],
            Vec::new(),
            q.notice(NOTICES),
        ),
    ))
}

/// "Change my routine": the builder, filled in.
pub async fn edit(State(state): State<AppState>, me: SignedIn) -> PageResult {
    let routine = state.app.bedtime_routine(&me.actor).await?;
    let form = routine.as_ref().map(RoutineForm::of).unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &builder(&me, routine.is_none(), form, Vec::new()),
    ))
}

/// Saves the routine, or shows the builder again with what was typed and what to change.
pub async fn save(
    State(state): State<AppState>,
    CheckedForm { me, form }: CheckedForm<RoutineForm>,
) -> PageResult {
    match state
        .app
        .save_bedtime_routine(&me.actor, form.input())
        .await
    {
        Ok(_) => go(&format!("{PAGE}?done=saved")),
        Err(AppError::Invalid(errors)) => {
            let first_time = state.app.bedtime_routine(&me.actor).await?.is_none();
            shown_again(&builder(&me, first_time, form, errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// Tonight's ticks.
#[derive(Debug, Default, Deserialize)]
pub struct NightForm {
    #[serde(default)]
    ticked: Vec<String>,
}

/// "Done for tonight": logs the night once; a second press the same night changes nothing.
pub async fn log_night(
    State(state): State<AppState>,
    CheckedForm { me, form }: CheckedForm<NightForm>,
) -> PageResult {
    let ticked: Vec<usize> = form.ticked.iter().filter_map(|t| t.parse().ok()).collect();
    let input = NightInput {
        client_id: None,
        at: None,
        ticked: Some(ticked.iter().map(|i| Ticked::Index(*i as u64)).collect()),
    };
    let now = Utc::now();
    match state.app.log_bedtime_night(&me.actor, input, now).await {
        Ok(_) => go(&format!("{PAGE}?done=logged")),
        Err(AppError::Invalid(errors)) => {
            let Some(routine) = state.app.bedtime_routine(&me.actor).await? else {
                return go(PAGE);
            };
            let (tonight, comparison) = tokio::try_join!(
                state.app.bedtime_tonight(&me.actor, now),
                state.app.bedtime_comparison(&me.actor, now),
            )?;
            shown_again(&routine_page(
                &me,
                &routine,
                &tonight,
                &comparison,
                &ticked,
                errors,
                None,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(nights: u32, mood: f64, with_sleep: u32, sleep: Option<f64>) -> NightsSummary {
        NightsSummary {
            nights,
            mean_mood: Some(mood),
            nights_with_sleep: with_sleep,
            mean_sleep_hours: sleep,
        }
    }

    #[test]
    fn the_comparison_says_the_counts_and_nothing_more() {
        let c = Comparison {
            first_night: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            last_night: chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            with_routine: summary(9, 6.25, 8, Some(7.44)),
            without_routine: summary(12, 5.0, 12, Some(6.5)),
            needed_with: 0,
            needed_without: 0,
            ready: true,
        };
        let v = comparison_view(&c);
        assert_eq!(
            v.with_line,
            "On 9 nights with your routine, your mood the next day was 6.2 out of 10 on \
             average, and you slept 7.4 hours on average (on the 8 nights you said how long)."
        );
        assert_eq!(
            v.without_line,
            "On 12 nights without it, your mood the next day was 5.0 out of 10 on average, \
             and you slept 6.5 hours on average."
        );
        let line = toolkit_line(&c);
        assert!(
            line.contains("On 9 nights with it, 7.4 hours sleep and mood 6.2"),
            "{line}"
        );
        assert!(
            line.contains("on 12 nights without it, 6.5 hours sleep and mood 5.0"),
            "{line}"
        );
        for claim in ["works", "helps", "better", "because"] {
            assert!(!line.contains(claim), "{line}");
            assert!(!v.with_line.contains(claim));
        }
        let waiting = Comparison {
            ready: false,
            needed_with: 5,
            needed_without: 1,
            ..c
        };
        assert_eq!(
            comparison_view(&waiting).needed,
            "5 more nights with your routine and 1 more night without it"
        );
        assert!(toolkit_line(&waiting).starts_with(
            "5 more nights with your routine and 1 more night without it \
             still needed"
        ));
    }
}
