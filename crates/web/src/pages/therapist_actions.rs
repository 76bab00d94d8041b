//! A therapist's two pages for changing something of a client's: homework they assign
//! (`/therapist/clients/{id}/homework`) and how sensitive the client's guidance is to lower
//! days (`/therapist/clients/{id}/sensitivity`). `{id}` is the grant's id; every view and
//! change goes through the therapist gate, and the client sees each change.

use app::{AppError, AssignedHomework, ClientSensitivity};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use domain::checkin::FieldError;
use domain::guidance::{
    LOW_POINTS_DEFAULT_TENTHS, LOW_POINTS_MAX_TENTHS, LOW_POINTS_MIN_TENTHS,
    PERSISTING_DEFAULT_DAYS, PERSISTING_MAX_DAYS, PERSISTING_MIN_DAYS, SensitivityInput, points,
};
use domain::homework::HomeworkInput;
use domain::sharing::GrantId;
use serde::Deserialize;
use uuid::Uuid;

use super::errors::PageResult;
use super::homework::{HomeworkView, view};
use super::{Choice, DoneQuery, message_for, render, saved_or_again};
use crate::AppState;
use crate::form::CheckedForm;
use crate::layout::Layout;
use crate::session::SignedIn;

/// The route patterns the audit log names.
const HOMEWORK_ENDPOINT: &str = "/therapist/clients/{id}/homework";
const SENSITIVITY_ENDPOINT: &str = "/therapist/clients/{id}/sensitivity";

/// The assign-homework form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    frequency: String,
}

#[derive(Template)]
#[template(path = "therapist_homework.html")]
struct HomeworkPage {
    layout: Layout,
    id: GrantId,
    name: String,
    notice: Option<&'static str>,
    assigned: Vec<HomeworkView>,
    form: AssignForm,
    frequencies: Vec<Choice>,
    errors: Vec<FieldError>,
}

impl HomeworkPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

async fn homework_page(
    state: &AppState,
    me: &SignedIn,
    id: GrantId,
    mut form: AssignForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<HomeworkPage, AppError> {
    let AssignedHomework {
        client,
        timezone,
        homework,
    } = state
        .app
        .assigned_homework(&me.actor, id, HOMEWORK_ENDPOINT, Utc::now())
        .await?;
    if form.client_id.is_empty() {
        form.client_id = Uuid::new_v4().to_string();
    }
    Ok(HomeworkPage {
        layout: Layout::therapist(&me.csrf, "caseload"),
        id,
        name: client.display_name().to_string(),
        notice,
        assigned: homework
            .iter()
            .rev()
            .map(|h| view(h, timezone.tz()))
            .collect(),
        frequencies: super::homework::frequency_choices(&form.frequency),
        form,
        errors,
    })
}

/// What this therapist assigned to the client, and the form to assign more.
pub async fn homework_show(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<GrantId>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let notice = q.notice(&[(
        "assigned",
        "Homework assigned. It is on your client's homework list, marked as from you.",
    )]);
    let p = homework_page(&state, &me, id, AssignForm::default(), Vec::new(), notice).await?;
    Ok(render(StatusCode::OK, &p))
}

/// Assigns homework, or shows the form again with what to fix.
pub async fn homework_assign(
    State(state): State<AppState>,
    Path(id): Path<GrantId>,
    CheckedForm { me, form }: CheckedForm<AssignForm>,
) -> PageResult {
    let input = HomeworkInput {
        client_id: Uuid::parse_str(form.client_id.trim()).ok(),
        text: Some(form.text.clone()),
        due_on: Some(form.due_on.clone()),
        frequency: Some(form.frequency.clone()),
    };
    let result = state
        .app
        .assign_homework(&me.actor, id, input, HOMEWORK_ENDPOINT)
        .await;
    let to = format!("/therapist/clients/{}/homework?done=assigned", id.0);
    saved_or_again(result, &to, |errors| {
        homework_page(&state, &me, id, form, errors, None)
    })
    .await
}

/// The sensitivity form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct SensitivityForm {
    #[serde(default)]
    low_points: String,
    #[serde(default)]
    persisting_min_rated_days: String,
    /// Set by the "put back the defaults" button.
    #[serde(default)]
    reset: String,
}

impl SensitivityForm {
    fn of(s: &ClientSensitivity) -> SensitivityForm {
        let t = &s.tuning.sensitivity;
        SensitivityForm {
            low_points: points(t.low_points_tenths()),
            persisting_min_rated_days: t.persisting_min_rated_days().to_string(),
            reset: String::new(),
        }
    }

    /// The input, or what to fix when a field is not a number at all.
    fn input(&self) -> Result<SensitivityInput, Vec<FieldError>> {
        if !self.reset.is_empty() {
            return Ok(SensitivityInput::default());
        }
        let mut errors = Vec::new();
        let low = match self.low_points.trim() {
            "" => None,
            s => s
                .parse::<f64>()
                .map_err(|_| {
                    errors.push(FieldError::new(
                        "low_points",
                        "Please write a number of points, such as 1.5.",
                    ))
                })
                .ok(),
        };
        let days = match self.persisting_min_rated_days.trim() {
            "" => None,
            s => s
                .parse::<i64>()
                .map_err(|_| {
                    errors.push(FieldError::new(
                        "persisting_min_rated_days",
                        "Please choose a number of days.",
                    ))
                })
                .ok(),
        };
        if errors.is_empty() {
            Ok(SensitivityInput {
                low_points: low,
                persisting_min_rated_days: days,
            })
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "therapist_sensitivity.html")]
struct SensitivityPage {
    layout: Layout,
    id: GrantId,
    name: String,
    notice: Option<&'static str>,
    /// What is in force, in words for the therapist.
    current: Vec<String>,
    is_default: bool,
    form: SensitivityForm,
    days: Vec<Choice>,
    low_min: String,
    low_max: String,
    low_default: String,
    days_min: u8,
    days_max: u8,
    days_default: u8,
    errors: Vec<FieldError>,
}

impl SensitivityPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn sensitivity_page(
    me: &SignedIn,
    s: &ClientSensitivity,
    form: SensitivityForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> SensitivityPage {
    let t = &s.tuning.sensitivity;
    let mut current = vec![
        format!(
            "A day counts as low when it is {} points below their usual (the default is {}).",
            points(t.low_points_tenths()),
            points(LOW_POINTS_DEFAULT_TENTHS)
        ),
        format!(
            "Reaching out is suggested after {} low days in a row (the default is {PERSISTING_DEFAULT_DAYS}).",
            t.persisting_min_rated_days()
        ),
    ];
    if let Some(by) = &s.tuning.set_by {
        current.push(format!("Last set by {by}."));
    }
    SensitivityPage {
        layout: Layout::therapist(&me.csrf, "caseload"),
        id: s.client.id(),
        name: s.client.display_name().to_string(),
        notice,
        current,
        is_default: t.is_default(),
        days: (PERSISTING_MIN_DAYS..=PERSISTING_MAX_DAYS)
            .map(|d| {
                let v = d.to_string();
                let checked = form.persisting_min_rated_days == v;
                Choice::new(v, format!("{d} days"), checked)
            })
            .collect(),
        form,
        low_min: points(LOW_POINTS_MIN_TENTHS),
        low_max: points(LOW_POINTS_MAX_TENTHS),
        low_default: points(LOW_POINTS_DEFAULT_TENTHS),
        days_min: PERSISTING_MIN_DAYS,
        days_max: PERSISTING_MAX_DAYS,
        days_default: PERSISTING_DEFAULT_DAYS,
        errors,
    }
}

/// The client's sensitivity, and the form to change it.
pub async fn sensitivity_show(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<GrantId>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let notice = q.notice(&[(
        "saved",
        "Saved. Your client's guidance was checked again with these settings, and they can see the change.",
    )]);
    let s = state
        .app
        .client_sensitivity(&me.actor, id, SENSITIVITY_ENDPOINT)
        .await?;
    let form = SensitivityForm::of(&s);
    Ok(render(
        StatusCode::OK,
        &sensitivity_page(&me, &s, form, Vec::new(), notice),
    ))
}

/// Saves the client's sensitivity (or puts back the defaults), or shows the form again
/// with what to fix.
pub async fn sensitivity_save(
    State(state): State<AppState>,
    Path(id): Path<GrantId>,
    CheckedForm { me, form }: CheckedForm<SensitivityForm>,
) -> PageResult {
    let result = match form.input() {
        Ok(input) => {
            state
                .app
                .set_client_sensitivity(&me.actor, id, &input, SENSITIVITY_ENDPOINT)
                .await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    let to = format!("/therapist/clients/{}/sensitivity?done=saved", id.0);
    let state = &state;
    let me = &me;
    saved_or_again(result, &to, |errors| async move {
        let s = state
            .app
            .client_sensitivity(&me.actor, id, SENSITIVITY_ENDPOINT)
            .await?;
        Ok(sensitivity_page(me, &s, form, errors, None))
    })
    .await
}
