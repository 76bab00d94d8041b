//! The coping toolkit: the list of tools with what works for this person, a guided player
//! for each tool, and the person's own self-care and distraction lists.
//!
//! Every page works without JavaScript: the player is one form with the rating before, the
//! steps as an ordered list, the rating after and a save button. `player.js` turns it into
//! a paced, timed guide.

use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::checkin::FieldError;
use domain::coping::lists::MAX_LIST_ITEM_CHARS;
use domain::coping::{
    CopingUseInput, Group, Kind, ListItem, ListItemId, ListKind, MAX_COPING_NOTE_CHARS, Suggestion,
    SuggestionKind, Tool, ToolId, ToolStats, catalogue,
};
use domain::idempotency::Written;
use domain::order::Move;
use serde::Deserialize;
use uuid::Uuid;

use super::checkin::{Scale, rating_scale};
use super::errors::{PageError, PageResult, go};
use super::shown_again;
use super::{Choice, message_for, render};
use crate::AppState;
use crate::form::CheckedForm;
use crate::layout::Layout;
use crate::pages::history::local_time_phrase;
use crate::session::SignedIn;

/// A tool as a link in a list.
pub struct ToolLink {
    /// Its id, for the URL.
    pub id: &'static str,
    /// Its name.
    pub name: &'static str,
    /// One line about it.
    pub summary: &'static str,
    /// "About 2 minutes".
    pub duration: String,
}

impl ToolLink {
    fn of(t: &Tool) -> ToolLink {
        ToolLink {
            id: t.id.code(),
            name: t.name,
            summary: t.summary,
            duration: duration_phrase(t),
        }
    }
}

/// Tools offered first, with the words around them (the home page shows these).
pub struct SuggestionView {
    /// The card's heading.
    pub heading: &'static str,
    /// A sentence on why these.
    pub intro: &'static str,
    /// Why the bedtime routine is among them, when it is there for a short night.
    pub sleep_note: Option<&'static str>,
    /// The tools.
    pub tools: Vec<ToolLink>,
}

impl SuggestionView {
    /// The words for a suggestion.
    pub fn of(s: &Suggestion) -> SuggestionView {
        let (heading, intro) = match s.kind {
            SuggestionKind::ClosingRitual => (
                "A closing ritual for your session",
                "Something gentle to close the session: be kind to yourself, settle your body, \
                 or park what is still open until next time.",
            ),
            SuggestionKind::WhatHelpsYou => (
                "What has helped you",
                "These eased your distress most when you used them before.",
            ),
            SuggestionKind::SteadyingNow => (
                "To steady yourself now",
                "Quick ways to calm your body and come back to the present. A few minutes is \
                 enough.",
            ),
            SuggestionKind::StartHere => (
                "Your toolkit",
                "Guided exercises for hard moments. Try a few, rate how you feel before and \
                 after, and we will learn what helps you.",
            ),
        };
        SuggestionView {
            heading,
            intro,
            sleep_note: s.for_short_sleep.then_some(
                "You slept little last night. A gentle routine this evening can help sleep along.",
            ),
            tools: s.tools.iter().map(|t| ToolLink::of(t.tool())).collect(),
        }
    }
}

/// A tool's numbers, in words.
pub struct StatsView {
    id: &'static str,
    name: &'static str,
    relief: String,
    uses: String,
    last: String,
    helps: bool,
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn stats_view(s: &ToolStats, tz: Tz, now: DateTime<Utc>) -> StatsView {
    let relief = match s.mean_relief_rounded() {
        Some(m) if m > 0.0 => format!("eased distress by {m:.1} on average"),
        Some(m) if m < 0.0 => format!("distress rose by {:.1} on average", -m),
        Some(_) => "no change in distress on average".to_string(),
        None => "not rated yet".to_string(),
    };
    StatsView {
        id: s.tool.code(),
        name: s.tool.name(),
        relief,
        uses: format!(
            "{} rated of {}",
            s.rated_uses,
            plural(s.uses, "use", "uses")
        ),
        last: s
            .last_used
            .map(|t| format!("last used {}", local_time_phrase(t, tz, now)))
            .unwrap_or_default(),
        helps: s.helps(),
    }
}

/// One group of tools on the toolkit page.
pub struct GroupView {
    heading: &'static str,
    slug: &'static str,
    tools: Vec<ToolLink>,
    mine: bool,
}

fn group_slug(g: Group) -> &'static str {
    match g {
        Group::Breathing => "breathing",
        Group::Grounding => "grounding",
        Group::Body => "body",
        Group::Writing => "writing",
        Group::Thoughts => "thoughts",
        Group::Sleep => "sleep",
        Group::Mine => "mine",
    }
}

/// How far a tool is from being ranked.
pub struct LearningView {
    name: &'static str,
    rated: u32,
}

#[derive(Template)]
#[template(path = "toolkit.html")]
struct ToolkitPage {
    layout: Layout,
    notice: Option<String>,
    ranked: Vec<StatsView>,
    learning: Vec<LearningView>,
    min_rated: u32,
    groups: Vec<GroupView>,
    /// Bedtime routine: its line in "What works for me".
    bedtime: Option<String>,
}

/// Notices after a redirect; they carry no personal data.
#[derive(Deserialize)]
pub struct ToolkitQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    parked: Option<String>,
    #[serde(default)]
    kept: Option<String>,
}

/// Set by the service worker when it fetches a page to keep on the device: that copy must
/// hold no personal numbers, because only the safety plan is kept by the person's choice.
const OFFLINE_COPY_HEADER: &str = "between-offline-copy";

fn is_offline_copy(headers: &HeaderMap) -> bool {
    headers.contains_key(OFFLINE_COPY_HEADER)
}

/// The toolkit: what works for this person first, then every tool by group.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    headers: HeaderMap,
    Query(q): Query<ToolkitQuery>,
) -> PageResult {
    let now = Utc::now();
    let tz = me.actor.account().timezone.tz();
    let (stats, ranked) = if is_offline_copy(&headers) {
        (Vec::new(), Vec::new())
    } else {
        tokio::try_join!(
            state.app.coping_stats(&me.actor),
            state.app.ranked_tools(&me.actor),
        )?
    };
    let notice = if q.parked.is_some() {
        Some(
            "Parked. It is on your agenda for your next session, so you can put it down for now."
                .to_string(),
        )
    } else if q.saved.is_some() {
        let last = state.app.last_coping_use(&me.actor).await?;
        let mut notice = saved_notice(last.as_ref());
        if q.kept.is_some() {
            notice.push_str(" Your kind words are on your self-care list.");
        }
        Some(notice)
    } else {
        None
    };
    // Bedtime routine: how its nights compare, for a person who has one.
    let bedtime = if is_offline_copy(&headers) {
        None
    } else {
        super::bedtime::toolkit_summary(&state, &me).await?
    };
    let groups = Group::ALL
        .iter()
        .map(|g| GroupView {
            heading: g.heading(),
            slug: group_slug(*g),
            tools: catalogue()
                .filter(|t| t.group == *g)
                .map(ToolLink::of)
                .collect(),
            mine: *g == Group::Mine,
        })
        .collect();
    let page = ToolkitPage {
        layout: Layout::signed_in(&me.csrf, "toolkit"),
        notice,
        ranked: ranked.iter().map(|s| stats_view(s, tz, now)).collect(),
        learning: stats
            .iter()
            // Bedtime routine: its nights are never rated before and after; it has
            // a line of its own below instead.
            .filter(|s| !s.ranked && s.tool != ToolId::BedtimeRoutine)
            .map(|s| LearningView {
                name: s.tool.name(),
                rated: s.rated_uses,
            })
            .collect(),
        min_rated: domain::coping::MIN_RATED_USES,
        groups,
        bedtime,
    };
    Ok(render(StatusCode::OK, &page))
}

fn saved_notice(last: Option<&domain::coping::CopingUse>) -> String {
    let Some(u) = last else {
        return "Saved.".to_string();
    };
    let c = &u.content;
    match (c.distress_before, c.distress_after) {
        (Some(b), Some(a)) => format!(
            "Saved. {}: distress {} before, {} after. Thank you for taking that time for yourself.",
            c.tool.name(),
            b,
            a
        ),
        _ => format!(
            "Saved. Thank you for taking time for yourself with {}.",
            c.tool.name()
        ),
    }
}

/// One step as the ordered list and the player read it.
pub struct StepView {
    cue: &'static str,
    label: &'static str,
    text: &'static str,
    seconds: u16,
    duration: String,
    waits: bool,
}

/// How long a tool takes, in words. A pick from one of the person's own lists takes as
/// long as what they pick: its steps' timing is only a nudge to come back, so a minute
/// count (the same for both lists) would say something untrue.
fn duration_phrase(t: &Tool) -> String {
    match t.kind {
        Kind::List { .. } => "As long as it helps".to_string(),
        _ => t.duration_phrase(),
    }
}

fn seconds_phrase(s: u16) -> String {
    match s {
        1 => "1 second".to_string(),
        s if s < 60 => format!("{s} seconds"),
        60 => "1 minute".to_string(),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{} min {} s", s / 60, s % 60),
    }
}

/// The player form as posted. Everything is text so that what was typed can be shown again.
#[derive(Debug, Default, Deserialize)]
pub struct UseForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    started_at: String,
    #[serde(default)]
    distress_before: String,
    #[serde(default)]
    distress_after: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    good_1: String,
    #[serde(default)]
    good_2: String,
    /// "yes" when the kind words of a self-compassion break go on the self-care list.
    #[serde(default)]
    keep: String,
}

impl UseForm {
    fn keeps_kind_words(&self) -> bool {
        self.keep == "yes"
    }
}

#[derive(Template)]
#[template(path = "tool.html")]
struct ToolPage {
    layout: Layout,
    tool: &'static Tool,
    duration: String,
    breathing: bool,
    writing: bool,
    /// The self-compassion break: its note is one kind sentence, which can be kept.
    kind_words: bool,
    list: Option<ListKind>,
    list_heading: &'static str,
    list_items: Vec<ListItem>,
    list_ideas: &'static [&'static str],
    steps: Vec<StepView>,
    rounds: Vec<Choice>,
    default_rounds: u8,
    list_item_max: usize,
    before: Scale,
    after: Scale,
    form: UseForm,
    errors: Vec<FieldError>,
    stats: Option<StatsView>,
    note_max: usize,
}

impl ToolPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn tool_page(
    me: &SignedIn,
    tool: &'static Tool,
    list_items: Vec<ListItem>,
    stats: Option<StatsView>,
    mut form: UseForm,
    errors: Vec<FieldError>,
) -> ToolPage {
    if form.client_id.is_empty() {
        form.client_id = Uuid::new_v4().to_string();
    }
    let list = match tool.kind {
        Kind::List { list } => Some(list),
        _ => None,
    };
    let default_rounds = tool.default_rounds();
    ToolPage {
        layout: Layout::signed_in(&me.csrf, "toolkit"),
        tool,
        duration: duration_phrase(tool),
        breathing: tool.is_breathing(),
        writing: matches!(tool.kind, Kind::Writing),
        kind_words: tool.id == ToolId::SelfCompassion,
        list,
        list_heading: list.map(ListKind::heading).unwrap_or_default(),
        list_items,
        list_ideas: list.map(ListKind::ideas).unwrap_or_default(),
        steps: tool
            .steps
            .iter()
            .map(|s| StepView {
                cue: s.cue.code(),
                label: s.cue.label().unwrap_or(""),
                text: s.text,
                seconds: s.seconds,
                duration: if s.cue.waits() {
                    format!("about {}", seconds_phrase(s.seconds))
                } else {
                    seconds_phrase(s.seconds)
                },
                waits: s.cue.waits(),
            })
            .collect(),
        rounds: tool
            .rounds_range()
            .into_iter()
            .flatten()
            .map(|r| Choice::new(r.to_string(), r.to_string(), r == default_rounds))
            .collect(),
        default_rounds,
        list_item_max: MAX_LIST_ITEM_CHARS,
        before: rating_scale(
            "distress_before",
            "How distressed do you feel right now?",
            "0 is calm, 10 the most distressed you can imagine. Optional: skip it if you like.",
            ("0 calm", "10 most"),
            &form.distress_before,
            &errors,
        ),
        after: rating_scale(
            "distress_after",
            "How distressed do you feel now?",
            "The same scale as before. Optional too.",
            ("0 calm", "10 most"),
            &form.distress_after,
            &errors,
        ),
        form,
        errors,
        stats,
        note_max: MAX_COPING_NOTE_CHARS,
    }
}

async fn tool_context(
    state: &AppState,
    me: &SignedIn,
    tool: &'static Tool,
) -> Result<(Vec<ListItem>, Option<StatsView>), AppError> {
    let items = match tool.kind {
        Kind::List { list } => state.app.coping_list(&me.actor, list).await?,
        _ => Vec::new(),
    };
    let tz = me.actor.account().timezone.tz();
    let stats = state
        .app
        .coping_stats(&me.actor)
        .await?
        .iter()
        .find(|s| s.tool == tool.id)
        .map(|s| stats_view(s, tz, Utc::now()));
    Ok((items, stats))
}

/// The tool the guided player plays; the tools with pages of their own have routes of
/// their own and are not played.
fn player_tool(code: &str) -> Option<&'static Tool> {
    ToolId::parse(code)
        .map(ToolId::tool)
        .filter(|t| !t.has_own_pages())
}

/// The guided player for one tool.
pub async fn player(
    State(state): State<AppState>,
    me: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let Some(tool) = player_tool(&id) else {
        return Err(PageError::NotFound);
    };
    let (items, stats) = tool_context(&state, &me, tool).await?;
    Ok(render(
        StatusCode::OK,
        &tool_page(
            &me,
            tool,
            items,
            stats.filter(|_| !is_offline_copy(&headers)),
            UseForm::default(),
            Vec::new(),
        ),
    ))
}

fn optional_number(field: &'static str, raw: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match raw.trim() {
        "" => None,
        v => v.parse().map_or_else(
            |_| {
                errors.push(FieldError::new(
                    field,
                    "Please choose a number from 0 to 10.",
                ));
                None
            },
            Some,
        ),
    }
}

/// The note a use keeps: the two good things together, or what was written.
fn note_of(tool: ToolId, form: &UseForm) -> String {
    if tool == ToolId::TwoGoodThings {
        [form.good_1.trim(), form.good_2.trim()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        form.note.clone()
    }
}

/// The kind words of a self-compassion break that the person asked to keep on their
/// self-care list, checked against the list's length limit before anything is saved.
fn kept_kind_words<'f>(
    tool: ToolId,
    form: &'f UseForm,
    errors: &mut Vec<FieldError>,
) -> Option<&'f str> {
    let words = form.note.trim();
    if tool != ToolId::SelfCompassion || !form.keeps_kind_words() || words.is_empty() {
        return None;
    }
    if words.chars().count() > MAX_LIST_ITEM_CHARS {
        errors.push(FieldError::new(
            "note",
            format!(
                "To keep it on your self-care list, please make it {MAX_LIST_ITEM_CHARS} characters or fewer."
            ),
        ));
        return None;
    }
    Some(words)
}

/// Saves a use of a tool, with whatever ratings were given.
pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { me, form }: CheckedForm<UseForm>,
) -> PageResult {
    let Some(tool) = player_tool(&id) else {
        return Err(PageError::NotFound);
    };
    let mut errors = Vec::new();
    let before = optional_number("distress_before", &form.distress_before, &mut errors);
    let after = optional_number("distress_after", &form.distress_after, &mut errors);
    let kept_words = kept_kind_words(tool.id, &form, &mut errors);
    let result = if errors.is_empty() {
        let input = CopingUseInput {
            client_id: Uuid::parse_str(form.client_id.trim()).ok(),
            tool: Some(tool.id.code().to_string()),
            // Set by the player when the person pressed Start; without it, now. The device's
            // clock may run ahead of ours, and a start cannot be later than the save.
            started_at: DateTime::parse_from_rfc3339(form.started_at.trim())
                .ok()
                .map(|t| t.with_timezone(&Utc).min(Utc::now())),
            distress_before: before,
            distress_after: after,
            note: Some(note_of(tool.id, &form)),
        };
        state.app.record_coping_use(&me.actor, input).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok((u, _)) if u.content.parked_text().is_some() => go("/toolkit?parked=1"),
        Ok((_, written)) => match kept_words {
            Some(words) => {
                // A retry of the same save must not put the words on the list twice.
                if written == Written::Created {
                    state
                        .app
                        .add_list_item(&me.actor, ListKind::SelfCare, words)
                        .await?;
                }
                go("/toolkit?saved=1&kept=1")
            }
            None => go("/toolkit?saved=1"),
        },
        Err(AppError::Invalid(errors)) => {
            let (items, stats) = tool_context(&state, &me, tool).await?;
            shown_again(&tool_page(&me, tool, items, stats, form, errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// One personal list, ready for the lists page.
pub struct ListView {
    kind: &'static str,
    heading: &'static str,
    hint: &'static str,
    items: Vec<ListItem>,
    ideas: &'static [&'static str],
    draft: String,
    error: Option<String>,
    tool: &'static str,
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    layout: Layout,
    lists: Vec<ListView>,
    max_chars: usize,
    notice: Option<&'static str>,
    item_error: Option<(ListItemId, String)>,
}

impl ListsPage {
    fn error_for_item(&self, id: &ListItemId) -> Option<&str> {
        self.item_error
            .as_ref()
            .filter(|(i, _)| i == id)
            .map(|(_, m)| m.as_str())
    }
}

/// What went wrong on the lists page, and where.
enum ListProblem {
    None,
    Add(ListKind, String, String),
    Item(ListItemId, String),
}

async fn lists_page(
    state: &AppState,
    me: &SignedIn,
    problem: ListProblem,
    notice: Option<&'static str>,
) -> Result<ListsPage, AppError> {
    let mut lists = Vec::new();
    for kind in ListKind::ALL {
        let items = state.app.coping_list(&me.actor, kind).await?;
        let (draft, error) = match &problem {
            ListProblem::Add(k, draft, message) if *k == kind => {
                (draft.clone(), Some(message.clone()))
            }
            _ => (String::new(), None),
        };
        lists.push(ListView {
            kind: kind.code(),
            heading: kind.heading(),
            hint: match kind {
                ListKind::SelfCare => {
                    "Small things that comfort you or look after you. Pick one when you are low."
                }
                ListKind::Distraction => {
                    "Things that absorb you for a while and give your mind a rest."
                }
            },
            items,
            ideas: kind.ideas(),
            draft,
            error,
            tool: match kind {
                ListKind::SelfCare => ToolId::SelfCare.code(),
                ListKind::Distraction => ToolId::Distraction.code(),
            },
        });
    }
    Ok(ListsPage {
        layout: Layout::signed_in(&me.csrf, "toolkit"),
        lists,
        max_chars: MAX_LIST_ITEM_CHARS,
        notice,
        item_error: match problem {
            ListProblem::Item(id, m) => Some((id, m)),
            _ => None,
        },
    })
}

/// Which change just happened, for a short notice; no personal data.
#[derive(Deserialize)]
pub struct ListsQuery {
    #[serde(default)]
    done: Option<String>,
}

/// Shows both personal lists with their controls.
pub async fn lists(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<ListsQuery>,
) -> PageResult {
    let notice = match q.done.as_deref() {
        Some("moved") => Some("Moved."),
        Some("saved") => Some("Saved."),
        Some("removed") => Some("Removed."),
        _ => None,
    };
    let p = lists_page(&state, &me, ListProblem::None, notice).await?;
    Ok(render(StatusCode::OK, &p))
}

/// The add-to-a-list form.
#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    text: String,
}

/// Adds an item to the end of a list.
pub async fn add_item(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    CheckedForm { me, form }: CheckedForm<AddForm>,
) -> PageResult {
    let Some(kind) = ListKind::parse(&kind) else {
        return Err(PageError::NotFound);
    };
    match state.app.add_list_item(&me.actor, kind, &form.text).await {
        Ok(_) => go(&format!("/toolkit/lists#list-{}", kind.code())),
        Err(AppError::Invalid(errors)) => {
            let message = errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            let problem = ListProblem::Add(kind, form.text, message);
            shown_again(&lists_page(&state, &me, problem, None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// One item's form: its text, and which button was pressed.
#[derive(Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    action: String,
}

/// Saves, moves or removes one item, depending on the button pressed.
pub async fn change_item(
    State(state): State<AppState>,
    Path(id): Path<ListItemId>,
    CheckedForm { me, form }: CheckedForm<ItemForm>,
) -> PageResult {
    let app = &state.app;
    let (result, done) = match form.action.as_str() {
        "up" => (app.move_list_item(&me.actor, id, Move::Up).await, "moved"),
        "down" => (app.move_list_item(&me.actor, id, Move::Down).await, "moved"),
        "remove" => (app.remove_list_item(&me.actor, id).await, "removed"),
        // Enter in the text box presses the first button, which is Save.
        _ => (app.edit_list_item(&me.actor, id, &form.text).await, "saved"),
    };
    match result {
        Ok(()) if done == "removed" => go("/toolkit/lists?done=removed"),
        Ok(()) => go(&format!("/toolkit/lists?done={done}#item-{id}")),
        Err(AppError::NotFound) => Err(PageError::NotFound),
        Err(AppError::Invalid(errors)) => {
            let message = errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            shown_again(&lists_page(&state, &me, ListProblem::Item(id, message), None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_tools_do_not_claim_a_length() {
        for id in ToolId::ALL {
            let t = id.tool();
            let phrase = duration_phrase(t);
            match t.kind {
                Kind::List { .. } => assert_eq!(phrase, "As long as it helps"),
                _ => assert!(phrase.starts_with("About "), "{phrase}"),
            }
        }
    }

    #[test]
    fn step_durations_read_naturally() {
        assert_eq!(seconds_phrase(4), "4 seconds");
        assert_eq!(seconds_phrase(60), "1 minute");
        assert_eq!(seconds_phrase(120), "2 minutes");
        assert_eq!(seconds_phrase(900), "15 minutes");
        assert_eq!(seconds_phrase(90), "1 min 30 s");
    }
}
