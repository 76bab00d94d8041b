//! The daily check-in: one tap from home or the full form, forgiving of mistakes, never
//! silent about the safety question and never refusing to save over it. "Add more" fills in
//! the details of a check-in just saved.

use app::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::checkin::{
    BodySignal, CheckIn, CheckInId, CheckInInput, FieldError, HARDER_TODAY_SUGGESTIONS, NewCheckIn,
    SafetyAnswer, UsualActivities,
};
use serde::Deserialize;
use uuid::Uuid;

use super::errors::{PageError, PageResult, found, go};
use super::{Choice, message_for, render};
use crate::AppState;
use crate::form::ReshownForm;
use crate::layout::Layout;
use crate::session::SignedIn;

/// The form as posted. Everything is text so that whatever was typed can be shown again.
#[derive(Debug, Default, Deserialize)]
pub struct CheckInForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    mood: String,
    #[serde(default)]
    anxiety: String,
    #[serde(default)]
    energy: String,
    #[serde(default)]
    self_harm_thoughts: String,
    #[serde(default)]
    body: Vec<String>,
    #[serde(default)]
    usual_activities: String,
    #[serde(default)]
    missed_usual_activities: Option<String>,
    #[serde(default)]
    harder_today: Vec<String>,
    #[serde(default)]
    harder_other: String,
    #[serde(default)]
    sleep_hours: String,
    #[serde(default)]
    substances: String,
    #[serde(default)]
    note: String,
    /// Set by the one-tap mood buttons on home: after saving, a very low mood is asked the
    /// safety question at once, and any other goes home with "add more" on offer.
    #[serde(default)]
    quick: Option<String>,
}

impl CheckInForm {
    /// The form filled in with what a stored check-in says, for "add more".
    fn of(c: &NewCheckIn) -> CheckInForm {
        let rating = |r: Option<domain::rating::Rating>| r.map(|r| r.get().to_string());
        let (suggested, own): (Vec<String>, Vec<String>) = c
            .harder_today
            .iter()
            .cloned()
            .partition(|t| HARDER_TODAY_SUGGESTIONS.iter().any(|(code, _)| code == t));
        // The person's own tags come back as ticked choices, so saving again keeps them.
        let harder_today = suggested.into_iter().chain(own).collect();
        CheckInForm {
            client_id: c.client_id.to_string(),
            mood: c.mood.get().to_string(),
            anxiety: rating(c.anxiety).unwrap_or_default(),
            energy: rating(c.energy).unwrap_or_default(),
            self_harm_thoughts: c
                .self_harm_thoughts
                .map(|a| a.code().to_string())
                .unwrap_or_default(),
            body: c.body.iter().map(|b| b.code().to_string()).collect(),
            usual_activities: c
                .usual_activities
                .map(|u| u.code().to_string())
                .unwrap_or_default(),
            missed_usual_activities: (c.missed_usual_activities == Some(true))
                .then(|| "yes".to_string()),
            harder_today,
            harder_other: String::new(),
            sleep_hours: c.sleep_hours.map(|h| h.to_string()).unwrap_or_default(),
            substances: c.substances.clone().unwrap_or_default(),
            note: c.note.clone().unwrap_or_default(),
            quick: None,
        }
    }
}

/// A 0–10 scale as radio buttons.
pub struct Scale {
    pub(crate) name: &'static str,
    pub(crate) legend: &'static str,
    pub(crate) hint: &'static str,
    pub(crate) low: &'static str,
    pub(crate) high: &'static str,
    pub(crate) required: bool,
    pub(crate) choices: Vec<Choice>,
    pub(crate) error: Option<String>,
}

/// The form's values in the shape the template reads.
pub struct FormView {
    client_id: String,
    missed_usual_activities: bool,
    harder_other: String,
    sleep_hours: String,
    substances: String,
    note: String,
}

/// Which check-in the form is for.
enum Target {
    /// A new one.
    New,
    /// One just saved, to add details to.
    Saved(CheckInId),
}

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckInPage {
    layout: Layout,
    form: FormView,
    scales: Vec<Scale>,
    body: Vec<Choice>,
    usual: Vec<Choice>,
    harder: Vec<Choice>,
    safety: Vec<Choice>,
    errors: Vec<FieldError>,
    show_safety: bool,
    /// The safety question leads the page: a very low mood was saved with one tap.
    safety_first: bool,
    always_ask: bool,
    more_open: bool,
    /// Where the form posts.
    action: String,
    /// Adding to a check-in already saved.
    editing: bool,
}

impl CheckInPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

/// A 0–10 radio scale with its current value and any error.
pub fn rating_scale(
    name: &'static str,
    legend: &'static str,
    hint: &'static str,
    (low, high): (&'static str, &'static str),
    value: &str,
    errors: &[FieldError],
) -> Scale {
    Scale {
        name,
        legend,
        hint,
        low,
        high,
        required: name == "mood",
        choices: (0..=10)
            .map(|i| Choice::new(i.to_string(), i.to_string(), value == i.to_string()))
            .collect(),
        error: message_for(errors, name).map(str::to_string),
    }
}

fn page(
    csrf: &str,
    form: CheckInForm,
    errors: Vec<FieldError>,
    always_ask: bool,
    target: Target,
) -> CheckInPage {
    let scales = vec![
        rating_scale(
            "mood",
            "Mood",
            "How are you feeling overall? 0 is the worst, 10 the best.",
            ("0 worst", "10 best"),
            &form.mood,
            &errors,
        ),
        rating_scale(
            "anxiety",
            "Anxiety",
            "How anxious or on edge? 0 is not at all, 10 the most.",
            ("0 none", "10 most"),
            &form.anxiety,
            &errors,
        ),
        rating_scale(
            "energy",
            "Energy",
            "How much energy do you have? 0 is none, 10 plenty.",
            ("0 none", "10 plenty"),
            &form.energy,
            &errors,
        ),
    ];
    let body = BodySignal::ALL
        .iter()
        .map(|b| Choice::new(b.code(), b.label(), form.body.iter().any(|v| v == b.code())))
        .collect();
    let usual = UsualActivities::ALL
        .iter()
        .map(|u| Choice::new(u.code(), u.label(), form.usual_activities == u.code()))
        .collect();
    let mut harder: Vec<Choice> = HARDER_TODAY_SUGGESTIONS
        .iter()
        .map(|(code, label)| {
            Choice::new(*code, *label, form.harder_today.iter().any(|v| v == code))
        })
        .collect();
    // A person's own words from a saved check-in, ticked, after the suggestions.
    for own in &form.harder_today {
        if !harder.iter().any(|c| &c.value == own) {
            harder.push(Choice::new(own.clone(), own.clone(), true));
        }
    }
    let safety = SafetyAnswer::ALL
        .iter()
        .map(|a| Choice::new(a.code(), a.label(), form.self_harm_thoughts == a.code()))
        .collect();
    let low_mood = form
        .mood
        .parse::<u8>()
        .is_ok_and(|m| m <= domain::checkin::SAFETY_QUESTION_MOOD);
    let (action, editing) = match target {
        Target::New => ("/checkin".to_string(), false),
        Target::Saved(id) => (format!("/checkin/{id}"), true),
    };
    // A one-tap low mood saved without an answer: the question comes first, not skipped.
    let answered = !form.self_harm_thoughts.is_empty();
    let safety_first = editing && low_mood && !answered;
    let more_open = !form.harder_today.is_empty()
        || !form.harder_other.is_empty()
        || !form.sleep_hours.is_empty()
        || !form.substances.is_empty();
    CheckInPage {
        layout: Layout::signed_in(csrf, "checkin"),
        form: FormView {
            client_id: if form.client_id.is_empty() {
                Uuid::new_v4().to_string()
            } else {
                form.client_id
            },
            missed_usual_activities: form.missed_usual_activities.is_some(),
            harder_other: form.harder_other,
            sleep_hours: form.sleep_hours,
            substances: form.substances,
            note: form.note,
        },
        scales,
        body,
        usual,
        harder,
        safety,
        errors,
        show_safety: always_ask || low_mood || answered,
        safety_first,
        always_ask,
        more_open,
        action,
        editing,
    }
}

/// Shows an empty check-in form with a fresh client id.
pub async fn show(me: SignedIn) -> Response {
    let always = me.actor.account().always_ask_safety;
    render(
        StatusCode::OK,
        &page(
            &me.csrf,
            CheckInForm::default(),
            Vec::new(),
            always,
            Target::New,
        ),
    )
}

fn rating_field(field: &'static str, raw: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "Please choose a number from 0 to 10.",
            ));
            None
        }
    }
}

fn to_input(form: &CheckInForm) -> Result<CheckInInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let client_id = Uuid::parse_str(form.client_id.trim()).ok();
    let mood = rating_field("mood", &form.mood, &mut errors);
    let anxiety = rating_field("anxiety", &form.anxiety, &mut errors);
    let energy = rating_field("energy", &form.energy, &mut errors);
    let sleep_hours = match form.sleep_hours.trim() {
        "" => None,
        s => match s.replace(',', ".").parse::<f64>() {
            Ok(h) => Some(h),
            Err(_) => {
                errors.push(FieldError::new(
                    "sleep_hours",
                    "Please give hours of sleep as a number, like 7 or 6.5.",
                ));
                None
            }
        },
    };
    let mut harder = form.harder_today.clone();
    if !form.harder_other.trim().is_empty() {
        harder.push(form.harder_other.trim().to_string());
    }
    let self_harm_thoughts = SafetyAnswer::parse(form.self_harm_thoughts.trim());
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CheckInInput {
        client_id,
        at: None,
        mood,
        anxiety,
        energy,
        body: Some(form.body.clone()),
        usual_activities: Some(form.usual_activities.clone()),
        missed_usual_activities: Some(form.missed_usual_activities.is_some()),
        harder_today: Some(harder),
        sleep_hours,
        substances: Some(form.substances.clone()),
        self_harm_thoughts,
        note: Some(form.note.clone()),
    })
}

/// Where to go after saving: a "yes" to the safety question goes straight to the help page;
/// a very low mood saved with one tap is asked the safety question right away on its "add
/// more" page; everything else goes home, where the check-in is acknowledged (and, after a
/// very low mood, the help links are shown gently).
fn after_saving(c: &CheckIn, quick: bool) -> PageResult {
    if c.content.said_yes() {
        go("/help?from=checkin")
    } else if quick && c.content.safety_still_to_ask() {
        go(&format!("/checkin/{}", c.id))
    } else {
        go("/?saved=1")
    }
}

/// The form again, keeping what the person chose, with what needs their attention.
fn shown_again(
    me: &SignedIn,
    target: Target,
    status: StatusCode,
    form: CheckInForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let always = me.actor.account().always_ask_safety;
    Ok(render(
        status,
        &page(&me.csrf, form, errors, always, target),
    ))
}

/// What an expired form says: nothing was `done` yet (saved, changed), and what to do.
fn expired(done: &str) -> Vec<FieldError> {
    vec![FieldError::new(
        "mood",
        format!(
            "This form had expired, so nothing was {done} yet. Please check your answers and save again."
        ),
    )]
}

/// Saves the check-in, from the full form or the one-tap mood buttons on home. Nothing
/// blocks the save: an unanswered safety question at a very low mood is saved as not
/// answered (see docs/guidance.md).
pub async fn submit(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<CheckInForm>,
) -> PageResult {
    let again = |status, form, errors| shown_again(&me, Target::New, status, form, errors);
    if !fresh {
        return again(StatusCode::FORBIDDEN, form, expired("saved"));
    }
    let checked = match to_input(&form).and_then(|input| input.validate(chrono::Utc::now())) {
        Ok(c) => c,
        Err(errors) => return again(StatusCode::UNPROCESSABLE_ENTITY, form, errors),
    };
    match state.app.store_checkin(&me.actor, &checked, None).await {
        Ok((saved, _)) => after_saving(&saved, form.quick.is_some()),
        Err(AppError::Invalid(errors)) => again(StatusCode::UNPROCESSABLE_ENTITY, form, errors),
        Err(e) => Err(e.into()),
    }
}

/// "Add more": the full form for a check-in saved in the last day, filled in with what it
/// says. After a one-tap very low mood, the safety question leads.
pub async fn edit(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<CheckInId>,
) -> PageResult {
    let saved = found(state.app.checkin(&me.actor, id).await)?;
    let always = me.actor.account().always_ask_safety;
    let errors = if saved.editable(chrono::Utc::now()) {
        Vec::new()
    } else {
        vec![FieldError::new(
            "mood",
            "This check-in is more than a day old, so it can't be changed now. Please make a new check-in instead.",
        )]
    };
    Ok(render(
        StatusCode::OK,
        &page(
            &me.csrf,
            CheckInForm::of(&saved.content),
            errors,
            always,
            Target::Saved(id),
        ),
    ))
}

/// Saves the details added to a check-in (the same details again change nothing, so a
/// retry is harmless).
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<CheckInId>,
    ReshownForm { me, form, fresh }: ReshownForm<CheckInForm>,
) -> PageResult {
    let again = |status, form, errors| shown_again(&me, Target::Saved(id), status, form, errors);
    if !fresh {
        return again(StatusCode::FORBIDDEN, form, expired("changed"));
    }
    let input = match to_input(&form) {
        Ok(input) => input,
        Err(errors) => return again(StatusCode::UNPROCESSABLE_ENTITY, form, errors),
    };
    match state.app.update_checkin(&me.actor, id, input).await {
        Ok(saved) => after_saving(&saved, false),
        Err(AppError::Invalid(errors)) => again(StatusCode::UNPROCESSABLE_ENTITY, form, errors),
        Err(AppError::NotFound) => Err(PageError::NotFound),
        Err(e) => Err(e.into()),
    }
}
