//! The safety plan: six steps in the person's own words, with one-tap calls, a history of
//! every saved version, printing, and the choice to keep it on this device for offline use.

use app::AppError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use domain::checkin::FieldError;
use domain::crisis::directory_for_country;
use domain::plans::safety as t;
use domain::plans::{self, SafetyPlan, SafetyPlanInput};
use serde::Deserialize;

use super::errors::{PageResult, go};
use super::plans::PlanPages;
use super::plans::{
    ContactRow, OFFLINE_HEADER, OldVersion, ReachView, contact_fields, contact_inputs,
    contact_rows, long_date,
};
use super::{message_for, render};
use crate::AppState;
use crate::form::CheckedForm;
use crate::layout::Layout;
use crate::session::SignedIn;

/// What each step asks, in our words.
const HINTS: [&str; 6] = [
    "Thoughts, feelings, situations or things I do that tell me a crisis may be building.",
    "Things that help me cope or calm down without needing anyone else.",
    "People I can be around and places I can go that lift me or distract me, even if I \
     don't talk about how I feel.",
    "Family members or friends I can tell that I'm not OK and ask for help.",
    "My therapist, other professionals, and crisis lines I can call or text at any hour.",
    "What I can do to keep myself safer, such as putting away or handing over things I \
     could use to hurt myself.",
];
const REASONS_HINT: &str =
    "What matters to me and makes life worth living, even on the hardest days.";

/// One step, ready to read.
pub struct StepView {
    number: u8,
    title: &'static str,
    hint: &'static str,
    items: Vec<String>,
    contacts: Vec<ReachView>,
}

/// Notices after a redirect; they carry no personal data.
#[derive(Deserialize)]
pub struct PlanQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    offline: Option<String>,
    #[serde(default)]
    restored: Option<String>,
}

#[derive(Template)]
#[template(path = "safety_plan.html")]
struct PlanPage {
    layout: Layout,
    has_plan: bool,
    old_version: Option<OldVersion>,
    notice: Option<&'static str>,
    review_due: bool,
    made_with_therapist_on: Option<String>,
    review_on: Option<String>,
    steps: Vec<StepView>,
    reasons: Vec<String>,
    reasons_hint: &'static str,
    keep_offline: bool,
}

fn steps(plan: &SafetyPlan, me: &SignedIn) -> Vec<StepView> {
    let account = me.actor.account();
    let directory = directory_for_country(account.country).entry;
    let professionals = plans::professionals(&account.therapist, &plan.professionals, directory);
    let step = |number: u8, title, items: &[String], contacts: Vec<ReachView>| StepView {
        number,
        title,
        hint: HINTS[usize::from(number) - 1],
        items: items.to_vec(),
        contacts,
    };
    vec![
        step(1, t::WARNING_SIGNS, &plan.warning_signs, Vec::new()),
        step(2, t::ON_MY_OWN, &plan.on_my_own, Vec::new()),
        step(3, t::DISTRACTIONS, &plan.distractions, Vec::new()),
        step(
            4,
            t::HELPERS,
            &[],
            ReachView::all(&plans::people(&plan.helpers)),
        ),
        step(5, t::PROFESSIONALS, &[], ReachView::all(&professionals)),
        step(
            6,
            t::SAFER_SURROUNDINGS,
            &plan.safer_surroundings,
            Vec::new(),
        ),
    ]
}

fn plan_page(
    me: &SignedIn,
    plan: &SafetyPlan,
    has_plan: bool,
    old_version: Option<OldVersion>,
    notice: Option<&'static str>,
    keep_offline: bool,
) -> PlanPage {
    let account = me.actor.account();
    let today = account.timezone.local_day(chrono::Utc::now());
    PlanPage {
        layout: Layout::signed_in(&me.csrf, "safety"),
        has_plan,
        review_due: old_version.is_none() && plan.review_due(today),
        old_version,
        notice,
        made_with_therapist_on: plan.made_with_therapist_on.map(long_date),
        review_on: plan.review_on.map(long_date),
        steps: steps(plan, me),
        reasons: plan.reasons_for_living.clone(),
        reasons_hint: REASONS_HINT,
        keep_offline,
    }
}

/// Shows the plan as it stands (or how to start one), and tells the service worker whether
/// this browser keeps a copy.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<PlanQuery>,
) -> PageResult {
    let app = &state.app;
    let (current, keep) = tokio::try_join!(
        app.plan::<SafetyPlan>(&me.actor),
        app.plan_offline(&me.actor, &me.secret),
    )?;
    let notice = if q.saved.is_some() {
        Some("Your safety plan is saved.")
    } else if q.restored.is_some() {
        Some("That version is your plan again. The one before it is still in the history.")
    } else {
        match q.offline.as_deref() {
            Some("on") => Some("Your safety plan is now kept on this device."),
            Some("off") => Some("Your safety plan is no longer kept on this device."),
            _ => None,
        }
    };
    let has_plan = current.is_some();
    let plan = current.map(|v| v.plan).unwrap_or_default();
    let page = plan_page(&me, &plan, has_plan, None, notice, keep);
    let mut res = render(StatusCode::OK, &page);
    res.headers_mut().insert(
        OFFLINE_HEADER,
        HeaderValue::from_static(if keep && has_plan { "keep" } else { "drop" }),
    );
    Ok(res)
}

/// The form as posted: lists one item per line, contacts as repeated name and phone fields.
#[derive(Debug, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    warning_signs: String,
    #[serde(default)]
    on_my_own: String,
    #[serde(default)]
    distractions: String,
    #[serde(default)]
    helper_name: Vec<String>,
    #[serde(default)]
    helper_phone: Vec<String>,
    #[serde(default)]
    professional_name: Vec<String>,
    #[serde(default)]
    professional_phone: Vec<String>,
    #[serde(default)]
    safer_surroundings: String,
    #[serde(default)]
    reasons_for_living: String,
    #[serde(default)]
    made_with_therapist_on: String,
    #[serde(default)]
    review_on: String,
}

impl PlanForm {
    fn from_input(i: SafetyPlanInput) -> PlanForm {
        let (helper_name, helper_phone) = contact_fields(&i.helpers);
        let (professional_name, professional_phone) = contact_fields(&i.professionals);
        PlanForm {
            warning_signs: i.warning_signs,
            on_my_own: i.on_my_own,
            distractions: i.distractions,
            helper_name,
            helper_phone,
            professional_name,
            professional_phone,
            safer_surroundings: i.safer_surroundings,
            reasons_for_living: i.reasons_for_living,
            made_with_therapist_on: i.made_with_therapist_on,
            review_on: i.review_on,
        }
    }

    fn input(&self) -> SafetyPlanInput {
        SafetyPlanInput {
            warning_signs: self.warning_signs.clone(),
            on_my_own: self.on_my_own.clone(),
            distractions: self.distractions.clone(),
            helpers: contact_inputs(&self.helper_name, &self.helper_phone),
            professionals: contact_inputs(&self.professional_name, &self.professional_phone),
            safer_surroundings: self.safer_surroundings.clone(),
            reasons_for_living: self.reasons_for_living.clone(),
            made_with_therapist_on: self.made_with_therapist_on.clone(),
            review_on: self.review_on.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "safety_plan_edit.html")]
struct EditPage {
    layout: Layout,
    is_new: bool,
    prefilled_tools: bool,
    form: PlanForm,
    helpers: Vec<ContactRow>,
    professionals: Vec<ContactRow>,
    always_included: Vec<ReachView>,
    country_name: &'static str,
    hints: [&'static str; 6],
    reasons_hint: &'static str,
    errors: Vec<FieldError>,
}

impl EditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn edit_page(
    me: &SignedIn,
    form: PlanForm,
    is_new: bool,
    prefilled_tools: bool,
    errors: Vec<FieldError>,
) -> EditPage {
    let account = me.actor.account();
    let directory = directory_for_country(account.country).entry;
    EditPage {
        layout: Layout::signed_in(&me.csrf, "safety"),
        is_new,
        prefilled_tools,
        helpers: contact_rows(&form.helper_name, &form.helper_phone),
        professionals: contact_rows(&form.professional_name, &form.professional_phone),
        always_included: ReachView::all(&plans::professionals(&account.therapist, &[], directory)),
        country_name: directory.country.name(),
        form,
        hints: HINTS,
        reasons_hint: REASONS_HINT,
        errors,
    }
}

/// The "keep on this device" choice as posted.
#[derive(Deserialize)]
pub struct OfflineForm {
    #[serde(default)]
    keep: String,
}

/// Turns "keep my safety plan on this device" on or off for this browser's session. The
/// plan page that follows carries the answer to the service worker.
pub async fn offline(
    State(state): State<AppState>,
    CheckedForm { me, form }: CheckedForm<OfflineForm>,
) -> PageResult {
    let keep = form.keep == "on";
    state
        .app
        .set_plan_offline(&me.actor, &me.secret, keep)
        .await?;
    go(if keep {
        "/safety-plan?offline=on#offline"
    } else {
        "/safety-plan?offline=off#offline"
    })
}

impl PlanPages for SafetyPlan {
    const NAV: &'static str = "safety";
    const TITLE: &'static str = "My safety plan";
    const PATH: &'static str = "/safety-plan";
    type Form = PlanForm;
    type Input = SafetyPlanInput;

    fn input(&self) -> SafetyPlanInput {
        self.to_input()
    }

    fn prefilled(input: &mut SafetyPlanInput) -> &mut String {
        &mut input.on_my_own
    }

    fn form(input: SafetyPlanInput) -> PlanForm {
        PlanForm::from_input(input)
    }

    fn edit_page(
        status: StatusCode,
        me: &SignedIn,
        form: PlanForm,
        is_new: bool,
        prefilled: bool,
        errors: Vec<FieldError>,
    ) -> Response {
        render(status, &edit_page(me, form, is_new, prefilled, errors))
    }

    async fn save(app: &app::App, actor: &app::Actor, form: &PlanForm) -> Result<(), AppError> {
        app.save_safety_plan(actor, form.input()).await.map(|_| ())
    }

    fn version_page(me: &SignedIn, plan: &SafetyPlan, banner: OldVersion) -> Response {
        render(
            StatusCode::OK,
            &plan_page(me, plan, true, Some(banner), None, false),
        )
    }
}
