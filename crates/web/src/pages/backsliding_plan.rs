//! The backsliding plan: for when old patterns come back after progress. Kept in versions
//! like the safety plan, printable, and offered on the home page when guidance sees a
//! setback or low days that persist.

use app::AppError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::checkin::FieldError;
use domain::plans::backsliding as t;
use domain::plans::{self, BackslidingPlan, BackslidingPlanInput, Stressor};
use serde::Deserialize;

use super::errors::PageResult;
use super::plans::PlanPages;
use super::plans::{
    ContactRow, OldVersion, ReachView, contact_fields, contact_inputs, contact_rows,
};
use super::{Choice, message_for, render};
use crate::AppState;
use crate::layout::Layout;
use crate::session::SignedIn;

/// One section of the plan, ready to read.
pub struct SectionView {
    id: &'static str,
    title: &'static str,
    hint: &'static str,
    items: Vec<String>,
    text: Option<String>,
    contacts: Vec<ReachView>,
}

/// Notices after a redirect; they carry no personal data.
#[derive(Deserialize)]
pub struct PlanQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    restored: Option<String>,
}

#[derive(Template)]
#[template(path = "backsliding_plan.html")]
struct PlanPage {
    layout: Layout,
    has_plan: bool,
    old_version: Option<OldVersion>,
    notice: Option<&'static str>,
    sections: Vec<SectionView>,
}

fn sections(plan: &BackslidingPlan, me: &SignedIn) -> Vec<SectionView> {
    let mut stressors: Vec<String> = plan
        .stressors
        .iter()
        .map(|s| s.label().to_string())
        .collect();
    stressors.extend(plan.own_stressors.iter().cloned());
    let mut net: Vec<plans::Reach> = plans::therapist_reach(&me.actor.account().therapist)
        .into_iter()
        .collect();
    net.extend(plans::people(&plan.safety_net));
    let list = |id, title, hint, items: Vec<String>| SectionView {
        id,
        title,
        hint,
        items,
        text: None,
        contacts: Vec::new(),
    };
    vec![
        list(
            "warning",
            t::WARNING_SIGNS,
            "The first signs that old patterns are coming back.",
            plan.warning_signs.clone(),
        ),
        list(
            "stressors",
            t::STRESSORS,
            "Changes and pressures that have made things harder before, or might now.",
            stressors,
        ),
        list(
            "coping",
            t::COPING,
            "What helped last time. Start them again, even in a small way.",
            plan.coping_skills.clone(),
        ),
        list(
            "steps",
            t::NEXT_STEPS,
            "Small, doable things for the next few days. Small counts.",
            plan.next_steps.clone(),
        ),
        SectionView {
            id: "goal",
            title: t::GOAL,
            hint: "What I am working towards now. It is fine if it has shifted.",
            items: Vec::new(),
            text: plan.goal.clone(),
            contacts: Vec::new(),
        },
        SectionView {
            id: "net",
            title: t::SAFETY_NET,
            hint: "People I can lean on, and my therapist.",
            items: Vec::new(),
            text: None,
            contacts: ReachView::all(&net),
        },
        list(
            "wins",
            t::PAST_WINS,
            "Changes I have made before. I did it then; I can do it again.",
            plan.past_wins.clone(),
        ),
        list(
            "prevention",
            t::PREVENTION,
            "What I will put in place so a setback is less likely, or shorter, next time.",
            plan.prevention.clone(),
        ),
    ]
}

fn plan_page(
    me: &SignedIn,
    plan: &BackslidingPlan,
    has_plan: bool,
    old_version: Option<OldVersion>,
    notice: Option<&'static str>,
) -> PlanPage {
    PlanPage {
        layout: Layout::signed_in(&me.csrf, "backsliding"),
        has_plan,
        old_version,
        notice,
        sections: sections(plan, me),
    }
}

/// Shows the plan as it stands, or how to start one.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<PlanQuery>,
) -> PageResult {
    let current = state.app.plan::<BackslidingPlan>(&me.actor).await?;
    let notice = if q.saved.is_some() {
        Some("Your backsliding plan is saved.")
    } else if q.restored.is_some() {
        Some("That version is your plan again. The one before it is still in the history.")
    } else {
        None
    };
    let has_plan = current.is_some();
    let plan = current.map(|v| v.plan).unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &plan_page(&me, &plan, has_plan, None, notice),
    ))
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    warning_signs: String,
    #[serde(default)]
    stressors: Vec<String>,
    #[serde(default)]
    own_stressors: String,
    #[serde(default)]
    coping_skills: String,
    #[serde(default)]
    next_steps: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    net_name: Vec<String>,
    #[serde(default)]
    net_phone: Vec<String>,
    #[serde(default)]
    past_wins: String,
    #[serde(default)]
    prevention: String,
}

impl PlanForm {
    fn from_input(i: BackslidingPlanInput) -> PlanForm {
        let (net_name, net_phone) = contact_fields(&i.safety_net);
        PlanForm {
            warning_signs: i.warning_signs,
            stressors: i.stressors,
            own_stressors: i.own_stressors,
            coping_skills: i.coping_skills,
            next_steps: i.next_steps,
            goal: i.goal,
            net_name,
            net_phone,
            past_wins: i.past_wins,
            prevention: i.prevention,
        }
    }

    fn input(&self) -> BackslidingPlanInput {
        BackslidingPlanInput {
            warning_signs: self.warning_signs.clone(),
            stressors: self.stressors.clone(),
            own_stressors: self.own_stressors.clone(),
            coping_skills: self.coping_skills.clone(),
            next_steps: self.next_steps.clone(),
            goal: self.goal.clone(),
            safety_net: contact_inputs(&self.net_name, &self.net_phone),
            past_wins: self.past_wins.clone(),
            prevention: self.prevention.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "backsliding_plan_edit.html")]
struct EditPage {
    layout: Layout,
    is_new: bool,
    prefilled_tools: bool,
    stressors: Vec<Choice>,
    net: Vec<ContactRow>,
    therapist: Option<String>,
    form: PlanForm,
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
    let therapist =
        plans::therapist_reach(&me.actor.account().therapist).map(|r| match r.phone_display {
            Some(p) => format!("{} · {p}", r.name),
            None => r.name,
        });
    EditPage {
        layout: Layout::signed_in(&me.csrf, "backsliding"),
        is_new,
        prefilled_tools,
        stressors: Stressor::ALL
            .iter()
            .map(|s| {
                Choice::new(
                    s.code().to_string(),
                    s.label().to_string(),
                    form.stressors.iter().any(|c| c == s.code()),
                )
            })
            .collect(),
        net: contact_rows(&form.net_name, &form.net_phone),
        therapist,
        form,
        errors,
    }
}

impl PlanPages for BackslidingPlan {
    const NAV: &'static str = "backsliding";
    const TITLE: &'static str = "My backsliding plan";
    const PATH: &'static str = "/backsliding-plan";
    type Form = PlanForm;
    type Input = BackslidingPlanInput;

    fn input(&self) -> BackslidingPlanInput {
        self.to_input()
    }

    fn prefilled(input: &mut BackslidingPlanInput) -> &mut String {
        &mut input.coping_skills
    }

    fn form(input: BackslidingPlanInput) -> PlanForm {
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
        app.save_backsliding_plan(actor, form.input())
            .await
            .map(|_| ())
    }

    fn version_page(me: &SignedIn, plan: &BackslidingPlan, banner: OldVersion) -> Response {
        render(
            StatusCode::OK,
            &plan_page(me, plan, true, Some(banner), None),
        )
    }
}
