//! PHQ-9 and GAD-7: the overview with each one's history, the form (every question in one
//! form; on a phone `questionnaire.js` shows one at a time), and the result page. A PHQ-9
//! whose item 9 is above 0 goes to the crisis path before any result.

use std::collections::HashMap;

use app::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::checkin::FieldError;
use domain::questionnaire::{
    ANSWER_FIELDS, ANSWER_LABELS, DIFFICULTY_QUESTION, Difficulty, Due, Instrument, Questionnaire,
    QuestionnaireId, QuestionnaireInput, SCREENING_NOTE,
};
use uuid::Uuid;

use super::errors::{PageError, PageResult, found, go};
use super::shown_again;
use super::{Choice, render};
use crate::AppState;
use crate::chart::{ScorePoint, ScoreScale, score_chart};
use crate::form::ReshownForm;
use crate::layout::Layout;
use crate::pages::history::local_time_phrase;
use crate::session::SignedIn;

/// Where the crisis path starts after a PHQ-9 with item 9 above 0.
pub const CRISIS_PATH: &str = "/help?from=questionnaire";

/// The chart's scale for an instrument; `id` keeps element ids unique on the overview.
fn scale(instrument: Instrument) -> ScoreScale {
    ScoreScale {
        id: match instrument {
            Instrument::Phq9 => "phq9-chart",
            Instrument::Gad7 => "gad7-chart",
        },
        name: instrument.name(),
        max: instrument.max_total(),
        caseness: instrument.caseness_threshold(),
    }
}

/// Where the ranges and the size of a real change come from, for a small line on the pages.
const BASIS: &str = "the ranges are the questionnaire's published ones; where the higher range \
     starts, and how big a change has to be to count, follow NHS Talking Therapies, England's \
     national talking therapy service.";

/// What the questionnaire is about, in a heading.
fn topic(instrument: Instrument) -> &'static str {
    match instrument {
        Instrument::Phq9 => "low mood",
        Instrument::Gad7 => "anxiety",
    }
}

fn long_day(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%-d %B %Y").to_string()
}

/// A change between two totals, in words.
pub struct ChangeView {
    heading: String,
    movement: String,
    category: &'static str,
    explanation: String,
    worse: bool,
}

fn change_view(
    instrument: Instrument,
    heading: String,
    earlier: &Questionnaire,
    later: &Questionnaire,
) -> ChangeView {
    let (from, to) = (earlier.total(), later.total());
    let movement = match to.cmp(&from) {
        std::cmp::Ordering::Less => {
            let d = from - to;
            format!(
                "{from} to {to}: down {d} point{}",
                if d == 1 { "" } else { "s" }
            )
        }
        std::cmp::Ordering::Greater => {
            let d = to - from;
            format!(
                "{from} to {to}: up {d} point{}",
                if d == 1 { "" } else { "s" }
            )
        }
        std::cmp::Ordering::Equal => format!("{from} both times: no change"),
    };
    let outcome = instrument.change(from, to);
    let category = outcome.category();
    ChangeView {
        heading,
        movement,
        category: category.label(),
        explanation: category.explain(instrument),
        worse: outcome.reliable_deterioration,
    }
}

/// Changes up to `upto` (an index into `same`, one instrument oldest first): since the
/// first and since the one before, when they exist and differ.
fn changes(instrument: Instrument, same: &[Questionnaire], upto: usize, tz: Tz) -> Vec<ChangeView> {
    let Some(latest) = same.get(upto) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if upto >= 1
        && let Some(first) = same.first()
    {
        out.push(change_view(
            instrument,
            format!("Since your first, on {}", long_day(first.content.at, tz)),
            first,
            latest,
        ));
    }
    if upto >= 2
        && let Some(previous) = same.get(upto - 1)
    {
        out.push(change_view(
            instrument,
            format!(
                "Since the one before, on {}",
                long_day(previous.content.at, tz)
            ),
            previous,
            latest,
        ));
    }
    out
}

fn chart_for(instrument: Instrument, same: &[Questionnaire], tz: Tz) -> String {
    let points: Vec<ScorePoint> = same
        .iter()
        .map(|q| ScorePoint {
            at: q.content.at.with_timezone(&tz).naive_local(),
            total: q.total(),
        })
        .collect();
    score_chart(&scale(instrument), &points)
}

/// A past result in the overview's list.
pub struct PastView {
    id: QuestionnaireId,
    day: String,
    total: u8,
    band: &'static str,
}

/// One instrument on the overview.
pub struct InstrumentCard {
    code: &'static str,
    name: &'static str,
    topic: &'static str,
    about: &'static str,
    item_count: usize,
    due: Option<String>,
    latest: Option<String>,
    latest_id: Option<QuestionnaireId>,
    chart: Option<String>,
    changes: Vec<ChangeView>,
    past: Vec<PastView>,
}

#[derive(Template)]
#[template(path = "questionnaires.html")]
struct OverviewPage {
    layout: Layout,
    basis: &'static str,
    screening_note: &'static str,
    cards: Vec<InstrumentCard>,
}

fn due_words(due: Due) -> String {
    match due {
        Due::First => "Not filled in yet.".to_string(),
        Due::Interval { days_since } => {
            format!("Due: it has been {days_since} days since the last one.")
        }
        Due::BeforeSession { .. } => {
            "Due before your next session, so your therapist sees a recent score.".to_string()
        }
    }
}

/// The overview: each questionnaire's latest score, history chart, changes and past results.
pub async fn overview(State(state): State<AppState>, me: SignedIn) -> PageResult {
    let now = Utc::now();
    let (all, due) = tokio::try_join!(
        state.app.questionnaires(&me.actor, None, None),
        state.app.questionnaires_due(&me.actor, now),
    )?;
    let tz = me.actor.account().timezone.tz();
    let cards = Instrument::ALL
        .into_iter()
        .map(|instrument| {
            let same: Vec<Questionnaire> = all
                .iter()
                .filter(|q| q.instrument() == instrument)
                .cloned()
                .collect();
            let latest = same.last();
            InstrumentCard {
                code: instrument.code(),
                name: instrument.name(),
                topic: topic(instrument),
                about: instrument.about(),
                item_count: instrument.item_count(),
                due: due
                    .iter()
                    .find(|d| d.instrument == instrument)
                    .map(|d| due_words(d.due)),
                latest: latest.map(|q| {
                    format!(
                        "{} out of {}, {}, {}",
                        q.total(),
                        instrument.max_total(),
                        q.severity().label().to_lowercase(),
                        local_time_phrase(q.content.at, tz, now)
                    )
                }),
                latest_id: latest.map(|q| q.id),
                chart: (!same.is_empty()).then(|| chart_for(instrument, &same, tz)),
                changes: changes(instrument, &same, same.len().saturating_sub(1), tz),
                past: same
                    .iter()
                    .rev()
                    .map(|q| PastView {
                        id: q.id,
                        day: long_day(q.content.at, tz),
                        total: q.total(),
                        band: q.severity().label(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &OverviewPage {
            layout: Layout::signed_in(&me.csrf, "questionnaires"),
            basis: BASIS,
            screening_note: SCREENING_NOTE,
            cards,
        },
    ))
}

/// One question, ready for the form.
pub struct ItemView {
    /// Its number on the form, from 1.
    number: usize,
    text: &'static str,
    /// The id of the fieldset, which error links point at.
    anchor: String,
    name: String,
    choices: Vec<Choice>,
    error: Option<String>,
}

/// An error in the summary, linking to its question.
pub struct ProblemView {
    href: String,
    message: String,
}

#[derive(Template)]
#[template(path = "questionnaire_form.html")]
struct FormPage {
    layout: Layout,
    code: &'static str,
    name: &'static str,
    topic: &'static str,
    stem: &'static str,
    screening_note: &'static str,
    client_id: String,
    items: Vec<ItemView>,
    difficulty_question: Option<&'static str>,
    difficulty: Vec<Choice>,
    difficulty_error: Option<String>,
    problems: Vec<ProblemView>,
    stale: bool,
}

/// The form as posted: `item1`…`item9`, `difficulty`, `client_id`, `csrf`. A map, because
/// the items differ by instrument and whatever was chosen must be shown again.
type Posted = HashMap<String, String>;

fn posted<'a>(form: &'a Posted, key: &str) -> &'a str {
    form.get(key).map(|v| v.trim()).unwrap_or("")
}

/// Where an error's field lives on the page.
fn anchor_for(field: &str) -> String {
    match ANSWER_FIELDS.iter().position(|f| *f == field) {
        Some(i) => format!("item-{}", i + 1),
        None => field.to_string(),
    }
}

fn form_page(
    me: &SignedIn,
    instrument: Instrument,
    form: &Posted,
    errors: &[FieldError],
    stale: bool,
) -> FormPage {
    let client_id = Uuid::parse_str(posted(form, "client_id"))
        .map(|u| u.to_string())
        .unwrap_or_else(|_| Uuid::new_v4().to_string());
    let items = instrument
        .items()
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let number = i + 1;
            let name = format!("item{number}");
            let chosen = posted(form, &name);
            ItemView {
                number,
                text,
                anchor: format!("item-{number}"),
                choices: ANSWER_LABELS
                    .iter()
                    .enumerate()
                    .map(|(v, label)| {
                        Choice::new(v.to_string(), (*label).to_string(), chosen == v.to_string())
                    })
                    .collect(),
                name,
                error: ANSWER_FIELDS
                    .get(i)
                    .and_then(|f| super::message_for(errors, f))
                    .map(str::to_string),
            }
        })
        .collect();
    let chosen_difficulty = posted(form, "difficulty");
    FormPage {
        layout: Layout::signed_in(&me.csrf, "questionnaires"),
        code: instrument.code(),
        name: instrument.name(),
        topic: topic(instrument),
        stem: instrument.stem(),
        screening_note: SCREENING_NOTE,
        client_id,
        items,
        difficulty_question: instrument.asks_difficulty().then_some(DIFFICULTY_QUESTION),
        difficulty: Difficulty::ALL
            .iter()
            .map(|d| {
                Choice::new(
                    d.code().to_string(),
                    d.label().to_string(),
                    chosen_difficulty == d.code(),
                )
            })
            .collect(),
        difficulty_error: super::message_for(errors, "difficulty").map(str::to_string),
        problems: errors
            .iter()
            .map(|e| ProblemView {
                href: format!("#{}", anchor_for(e.field)),
                message: e.message.clone(),
            })
            .collect(),
        stale,
    }
}

/// Shows an empty form with a fresh client id.
pub async fn show(me: SignedIn, Path(code): Path<String>) -> Response {
    let Some(instrument) = Instrument::parse(&code) else {
        return super::errors::not_found_page();
    };
    render(
        StatusCode::OK,
        &form_page(&me, instrument, &Posted::new(), &[], false),
    )
}

fn to_input(instrument: Instrument, form: &Posted) -> QuestionnaireInput {
    let answers = (1..=instrument.item_count())
        .map(|n| posted(form, &format!("item{n}")).parse::<i64>().ok())
        .collect();
    QuestionnaireInput {
        client_id: Uuid::parse_str(posted(form, "client_id")).ok(),
        instrument: Some(instrument.code().to_string()),
        answers: Some(answers),
        difficulty: Some(posted(form, "difficulty").to_string()),
        at: None,
    }
}

/// Saves the answers. Item 9 of the PHQ-9 above 0 goes straight to the crisis path;
/// anything else goes to the result.
pub async fn submit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ReshownForm { me, form, fresh }: ReshownForm<Posted>,
) -> PageResult {
    let Some(instrument) = Instrument::parse(&code) else {
        return Err(PageError::NotFound);
    };
    if !fresh {
        return Ok(render(
            StatusCode::FORBIDDEN,
            &form_page(&me, instrument, &form, &[], true),
        ));
    }
    match state
        .app
        .record_questionnaire(&me.actor, to_input(instrument, &form))
        .await
    {
        Ok((stored, _)) if stored.needs_crisis_path() => go(CRISIS_PATH),
        Ok((stored, _)) => go(&format!("/questionnaires/results/{}", stored.id)),
        Err(AppError::Invalid(errors)) => {
            shown_again(&form_page(&me, instrument, &form, &errors, false))
        }
        Err(e) => Err(e.into()),
    }
}

/// One answer as given, for "Your answers".
pub struct AnswerView {
    text: &'static str,
    answer: &'static str,
}

#[derive(Template)]
#[template(path = "questionnaire_result.html")]
struct ResultPage {
    layout: Layout,
    code: &'static str,
    name: &'static str,
    when: String,
    total: u8,
    max_total: u8,
    band: &'static str,
    band_sentence: String,
    caseness_sentence: String,
    basis: &'static str,
    screening_note: &'static str,
    crisis: bool,
    changes: Vec<ChangeView>,
    chart: String,
    answers: Vec<AnswerView>,
    difficulty: Option<(&'static str, &'static str)>,
}

/// One result: the total and its band in words, the changes up to it, and the chart.
pub async fn result(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<QuestionnaireId>,
) -> PageResult {
    let q = found(state.app.questionnaire(&me.actor, id).await)?;
    let instrument = q.instrument();
    let same = state
        .app
        .questionnaires(&me.actor, Some(instrument), None)
        .await?;
    let tz = me.actor.account().timezone.tz();
    let upto = same.iter().position(|s| s.id == q.id).unwrap_or(0);
    let total = q.total();
    let band = q.severity();
    let band_sentence = match instrument.band_range(band) {
        Some((low, high)) => format!(
            "Your answers add up to {total} out of {}. On the {}, {low} to {high} is the {} range.",
            instrument.max_total(),
            instrument.name(),
            band.label().to_lowercase()
        ),
        None => format!(
            "Your answers add up to {total} out of {}.",
            instrument.max_total()
        ),
    };
    let case = instrument.caseness_threshold();
    // The service's "clinical range", in words a person uses; its source is in `basis`.
    let caseness_sentence = if q.content.answers.is_case() {
        format!("That is {case} or more: the higher range, where services usually offer therapy.")
    } else {
        format!("That is under {case}, where the higher range starts.")
    };
    let page = ResultPage {
        layout: Layout::signed_in(&me.csrf, "questionnaires"),
        code: instrument.code(),
        name: instrument.name(),
        when: local_time_phrase(q.content.at, tz, Utc::now()),
        total,
        max_total: instrument.max_total(),
        band: band.label(),
        band_sentence,
        caseness_sentence,
        basis: BASIS,
        screening_note: SCREENING_NOTE,
        crisis: q.needs_crisis_path(),
        changes: changes(instrument, &same, upto, tz),
        chart: chart_for(instrument, same.get(..=upto).unwrap_or(&same), tz),
        answers: instrument
            .items()
            .iter()
            .zip(q.content.answers.items())
            .map(|(text, v)| AnswerView {
                text,
                answer: ANSWER_LABELS.get(usize::from(*v)).copied().unwrap_or(""),
            })
            .collect(),
        difficulty: q
            .content
            .difficulty
            .map(|d| (DIFFICULTY_QUESTION, d.label())),
    };
    Ok(render(StatusCode::OK, &page))
}
