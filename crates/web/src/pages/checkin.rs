//! The daily check-in form: quick on a phone, forgiving of mistakes, and never silent about
//! the safety question.

use app::AppError;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::checkin::{
    BodySignal, CheckInInput, FieldError, HARDER_TODAY_SUGGESTIONS, UsualActivities,
};
use serde::Deserialize;
use uuid::Uuid;

use super::errors::{PageResult, go};
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
    self_harm_thoughts: String,
    missed_usual_activities: bool,
    harder_other: String,
    sleep_hours: String,
    substances: String,
    note: String,
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
    errors: Vec<FieldError>,
    show_safety: bool,
    ask_safety_now: bool,
    always_ask: bool,
    more_open: bool,
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
            .map(|i| Choice {
                value: i.to_string(),
                label: i.to_string(),
                checked: value == i.to_string(),
            })
            .collect(),
        error: message_for(errors, name).map(str::to_string),
    }
}

fn page(
    csrf: &str,
    form: CheckInForm,
    errors: Vec<FieldError>,
    always_ask: bool,
    ask_safety_now: bool,
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
        .map(|b| Choice {
            value: b.code().into(),
            label: b.label().into(),
            checked: form.body.iter().any(|v| v == b.code()),
        })
        .collect();
    let usual = UsualActivities::ALL
        .iter()
        .map(|u| Choice {
            value: u.code().into(),
            label: u.label().into(),
            checked: form.usual_activities == u.code(),
        })
        .collect();
    let harder = HARDER_TODAY_SUGGESTIONS
        .iter()
        .map(|(code, label)| Choice {
            value: (*code).into(),
            label: (*label).into(),
            checked: form.harder_today.iter().any(|v| v == code),
        })
        .collect();
    let low_mood = form
        .mood
        .parse::<u8>()
        .is_ok_and(|m| m <= domain::checkin::SAFETY_QUESTION_MOOD);
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
            self_harm_thoughts: form.self_harm_thoughts,
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
        errors,
        show_safety: always_ask || low_mood || ask_safety_now,
        ask_safety_now,
        always_ask,
        more_open,
    }
}

/// Shows an empty check-in form with a fresh client id.
pub async fn show(me: SignedIn) -> Response {
    let always = me.actor.account().always_ask_safety;
    render(
        StatusCode::OK,
        &page(&me.csrf, CheckInForm::default(), Vec::new(), always, false),
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
    let self_harm_thoughts = match form.self_harm_thoughts.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
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

/// Saves the check-in; asks the safety question first when it must; a "yes" goes straight
/// to the help page.
pub async fn submit(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<CheckInForm>,
) -> PageResult {
    let always = me.actor.account().always_ask_safety;
    // The form again with what was typed; `ask` shows the safety question.
    let again =
        |status: StatusCode, form: CheckInForm, errors: Vec<FieldError>, ask: bool| -> PageResult {
            Ok(render(status, &page(&me.csrf, form, errors, always, ask)))
        };
    if !fresh {
        let errors = vec![FieldError::new(
            "mood",
            "This form had expired, so nothing was saved yet. Please check your answers and save again.",
        )];
        return again(StatusCode::FORBIDDEN, form, errors, false);
    }
    let checked = match to_input(&form).and_then(|input| input.validate(chrono::Utc::now())) {
        Ok(c) => c,
        Err(errors) => return again(StatusCode::UNPROCESSABLE_ENTITY, form, errors, false),
    };
    if checked.needs_safety_answer(always) {
        return again(StatusCode::OK, form, Vec::new(), true);
    }
    let said_yes = checked.self_harm_thoughts == Some(true);
    match state.app.store_checkin(&me.actor, &checked, None).await {
        Ok(_) if said_yes => go("/help?from=checkin"),
        Ok(_) => go("/?saved=1"),
        Err(AppError::Invalid(errors)) => {
            again(StatusCode::UNPROCESSABLE_ENTITY, form, errors, false)
        }
        Err(e) => Err(e.into()),
    }
}
