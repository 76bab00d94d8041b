//! What the safety plan and backsliding plan pages share: call and text links for the
//! people a plan names, contact rows for the forms, the version history, and the short
//! summary of the safety plan shown first when things are urgent.

use app::{Actor, App, PlanChange, PlanVersion};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use domain::account::Account;
use domain::guidance::{Guidance, Level};
use domain::plans::{self, BackslidingPlan, Plan, PlanVersionNumber, Reach, ReachKind, SafetyPlan};

use axum::extract::{Path, State};

use super::errors::{PageResult, changed, found, go};
use super::{TokenForm, render};
use crate::AppState;
use crate::form::{CheckedForm, ReshownForm};
use crate::layout::Layout;
use crate::pages::help::Dial;
use crate::pages::sessions::when;
use crate::session::SignedIn;
use domain::checkin::FieldError;

/// The response header that tells the service worker whether this browser keeps the safety
/// plan offline (`keep`) or must delete any copy it has (`drop`).
pub const OFFLINE_HEADER: &str = "between-plan-offline";

/// How many empty rows a contact list offers beyond the filled ones, so the form works
/// without scripts.
const EMPTY_CONTACT_ROWS: usize = 2;

/// A person or service with its links, ready for the page.
pub struct ReachView {
    pub(crate) name: String,
    pub(crate) note: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) call: Option<Dial>,
    pub(crate) text: Option<Dial>,
    pub(crate) chat: Option<String>,
    pub(crate) emergency: bool,
}

impl ReachView {
    /// Personal contacts are called by name ("Call Jo"); services by number, as on the
    /// help page ("Call 116 123").
    pub fn from(r: &Reach) -> ReachView {
        let personal = matches!(r.kind, ReachKind::Own | ReachKind::Therapist);
        let call_label = match (&r.phone_display, personal) {
            (Some(p), false) => format!("Call {p}"),
            _ => format!("Call {}", r.name),
        };
        let text_label = if personal {
            format!("Text {}", r.name)
        } else {
            r.text_label.clone().unwrap_or_else(|| "Text".to_string())
        };
        ReachView {
            name: r.name.clone(),
            note: r.note.clone(),
            phone: r.phone_display.clone(),
            call: r.call_href.clone().map(|h| Dial::new(h, call_label)),
            text: r.text_href.clone().map(|h| Dial::new(h, text_label)),
            chat: r.chat_href.clone(),
            emergency: r.kind == ReachKind::Emergency,
        }
    }

    /// Every entry of a list.
    pub fn all(list: &[Reach]) -> Vec<ReachView> {
        list.iter().map(ReachView::from).collect()
    }
}

/// One row of a contact list in a form.
pub struct ContactRow {
    pub(crate) number: usize,
    pub(crate) name: String,
    pub(crate) phone: String,
}

/// The rows to show: the typed ones, then a couple of empty ones.
pub fn contact_rows(names: &[String], phones: &[String]) -> Vec<ContactRow> {
    let filled = names.len().max(phones.len());
    (0..filled + EMPTY_CONTACT_ROWS)
        .map(|i| ContactRow {
            number: i + 1,
            name: names.get(i).cloned().unwrap_or_default(),
            phone: phones.get(i).cloned().unwrap_or_default(),
        })
        .collect()
}

/// Pairs the repeated name and phone fields of a form into rows.
pub fn contact_inputs(names: &[String], phones: &[String]) -> Vec<plans::ContactInput> {
    let n = names.len().max(phones.len());
    (0..n)
        .map(|i| plans::ContactInput {
            name: names.get(i).cloned().unwrap_or_default(),
            phone: phones.get(i).cloned().unwrap_or_default(),
        })
        .collect()
}

/// The names and phones of stored contacts, as the form's repeated fields.
pub fn contact_fields(list: &[plans::ContactInput]) -> (Vec<String>, Vec<String>) {
    list.iter()
        .map(|c| (c.name.clone(), c.phone.clone()))
        .unzip()
}

/// "14 March 2026".
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// The banner above an earlier version.
pub struct OldVersion {
    pub(crate) version: PlanVersionNumber,
    pub(crate) when: String,
    pub(crate) current: bool,
}

impl OldVersion {
    /// The banner for `v`, which is current when it is the newest.
    pub fn of<P>(v: &PlanVersion<P>, newest: PlanVersionNumber, tz: Tz) -> OldVersion {
        OldVersion {
            version: v.version,
            when: when(v.saved_at, tz),
            current: v.version == newest,
        }
    }
}

/// One line of the history list.
pub struct HistoryRow {
    version: PlanVersionNumber,
    when: String,
    who: &'static str,
    changed: String,
    restored_from: Option<PlanVersionNumber>,
    current: bool,
    first: bool,
}

#[derive(Template)]
#[template(path = "plan_history.html")]
struct HistoryPage {
    layout: Layout,
    title: &'static str,
    base: &'static str,
    rows: Vec<HistoryRow>,
}

/// The history page of a plan, newest change first.
pub fn history_page(
    me: &SignedIn,
    nav: &'static str,
    title: &'static str,
    base: &'static str,
    changes: Vec<PlanChange>,
) -> Response {
    let tz = me.actor.account().timezone.tz();
    let newest = changes.first().map(|c| c.version);
    let rows = changes
        .into_iter()
        .map(|c| HistoryRow {
            version: c.version,
            when: when(c.saved_at, tz),
            who: if c.by_you {
                "you"
            } else {
                "someone else with access"
            },
            changed: if c.changed.is_empty() {
                "no sections".to_string()
            } else {
                c.changed.join(", ")
            },
            restored_from: c.restored_from,
            current: Some(c.version) == newest,
            first: c.version == PlanVersionNumber(1),
        })
        .collect();
    render(
        StatusCode::OK,
        &HistoryPage {
            layout: Layout::signed_in(&me.csrf, nav),
            title,
            base,
            rows,
        },
    )
}

/// How many items of each list the summary shows; the rest is one tap away, and the call
/// buttons below the summary must stay near the top of a phone screen.
const SUMMARY_ITEMS: usize = 3;

/// One titled list in the summary.
pub struct SummarySection {
    pub(crate) title: &'static str,
    pub(crate) items: Vec<String>,
    pub(crate) more: usize,
}

impl SummarySection {
    fn of(title: &'static str, items: &[String]) -> Option<SummarySection> {
        (!items.is_empty()).then(|| SummarySection {
            title,
            items: items.iter().take(SUMMARY_ITEMS).cloned().collect(),
            more: items.len().saturating_sub(SUMMARY_ITEMS),
        })
    }
}

/// The safety plan in brief, for the top of the home page and the help page when things are
/// urgent: from step 2 on (the warning signs have already been seen), the first few items of
/// each step, the people to call and the reasons for living.
pub struct PlanSummary {
    pub(crate) before: Vec<SummarySection>,
    pub(crate) people: Vec<ReachView>,
    pub(crate) professionals: Vec<ReachView>,
    pub(crate) after: Vec<SummarySection>,
}

impl PlanSummary {
    /// The summary of a saved plan. Crisis lines are left out: the pages that show the
    /// summary list them right after it.
    pub fn of(plan: &SafetyPlan, account: &Account) -> PlanSummary {
        use domain::plans::safety as t;
        let mut professionals: Vec<Reach> = plans::therapist_reach(&account.therapist)
            .into_iter()
            .collect();
        professionals.extend(plans::people(&plan.professionals));
        professionals.truncate(SUMMARY_ITEMS);
        let mut people = plans::people(&plan.helpers);
        people.truncate(SUMMARY_ITEMS);
        PlanSummary {
            before: [
                SummarySection::of(t::ON_MY_OWN, &plan.on_my_own),
                SummarySection::of(t::DISTRACTIONS, &plan.distractions),
            ]
            .into_iter()
            .flatten()
            .collect(),
            people: ReachView::all(&people),
            professionals: ReachView::all(&professionals),
            after: [
                SummarySection::of(t::SAFER_SURROUNDINGS, &plan.safer_surroundings),
                SummarySection::of(t::REASONS, &plan.reasons_for_living),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }
}

/// The actor's safety plan in brief, if they have one; an error leaves it out rather than
/// keep someone in crisis from the numbers on the same page.
pub async fn summary_for(app: &App, actor: &Actor) -> Option<PlanSummary> {
    match app.plan::<SafetyPlan>(actor).await {
        Ok(Some(v)) if !v.plan.is_empty() => Some(PlanSummary::of(&v.plan, actor.account())),
        Ok(_) => None,
        Err(e) => {
            tracing::error!(error = %super::errors::error_chain(&e), "the safety plan could not be read for a summary");
            None
        }
    }
}

/// The home page's offer of the backsliding plan.
pub struct BackslidingOffer {
    pub(crate) has_plan: bool,
}

/// What the home page shows of the plans.
pub struct HomePlans {
    /// The safety plan in brief, first on the page, when guidance is urgent.
    pub(crate) summary: Option<PlanSummary>,
    pub(crate) has_safety_plan: bool,
    pub(crate) review_due: bool,
    /// The backsliding plan, when guidance sees a setback or low days that persist.
    pub(crate) backsliding: Option<BackslidingOffer>,
}

/// The plans' part of the home page for today's guidance. Errors are logged and the parts
/// left out: the home page must still show guidance and help.
pub async fn home_plans(app: &App, actor: &Actor, guidance: &Guidance) -> HomePlans {
    let (safety, backsliding) = tokio::join!(
        app.plan::<SafetyPlan>(actor),
        app.plan::<BackslidingPlan>(actor)
    );
    let safety = safety
        .map_err(|e| tracing::error!(error = %super::errors::error_chain(&e), "the safety plan could not be read"))
        .ok()
        .flatten()
        .filter(|v| !v.plan.is_empty());
    let today = actor.account().timezone.local_day(Utc::now());
    let wants_backsliding = guidance
        .reasons
        .iter()
        .any(|r| matches!(r.code(), "backsliding" | "persisting"));
    HomePlans {
        summary: safety
            .as_ref()
            .filter(|_| guidance.level == Level::Urgent)
            .map(|v| PlanSummary::of(&v.plan, actor.account())),
        has_safety_plan: safety.is_some(),
        review_due: safety.as_ref().is_some_and(|v| v.plan.review_due(today)),
        backsliding: wants_backsliding.then_some(BackslidingOffer {
            has_plan: matches!(backsliding, Ok(Some(_))),
        }),
    }
}

/// Fills an empty list on a plan with the tools that have helped this person (from the
/// toolkit's "what works for me"); true when it did. The form is still useful without
/// them, so a failure only goes to the log.
pub async fn prefill_with_what_helped(app: &App, actor: &Actor, field: &mut String) -> bool {
    if !field.trim().is_empty() {
        return false;
    }
    match app.what_helped_before(actor).await {
        Ok(names) if !names.is_empty() => {
            *field = names.join("\n");
            true
        }
        Ok(_) => false,
        Err(e) => {
            tracing::warn!(error = %super::errors::error_chain(&e), "toolkit ranking unavailable for the plan");
            false
        }
    }
}

/// An earlier version of a plan and the number of the newest, for the read-only view.
async fn old_and_newest<P: Plan>(
    app: &App,
    actor: &Actor,
    version: PlanVersionNumber,
) -> Result<(PlanVersion<P>, PlanVersionNumber), app::AppError> {
    let (old, newest) =
        tokio::try_join!(app.plan_version::<P>(actor, version), app.plan::<P>(actor))?;
    Ok((old, newest.map(|n| n.version).unwrap_or(version)))
}

/// What the edit, history, earlier-version and restore pages need to know about a kind of
/// plan; their handlers are written once, below, for both plans.
pub trait PlanPages: Plan + Send + Sync + 'static {
    /// The navigation item.
    const NAV: &'static str;
    /// The page's heading.
    const TITLE: &'static str;
    /// Where the plan lives.
    const PATH: &'static str;

    /// The plan as the edit form's fields.
    type Form: serde::de::DeserializeOwned + Send + 'static;
    /// The plan as its use-case takes it.
    type Input: Default + Send;

    /// The plan as input, for editing.
    fn input(&self) -> Self::Input;
    /// The list a new plan starts from what helped before.
    fn prefilled(input: &mut Self::Input) -> &mut String;
    /// The edit form holding `input`.
    fn form(input: Self::Input) -> Self::Form;
    /// The edit page, drawn with `status`.
    fn edit_page(
        status: StatusCode,
        me: &SignedIn,
        form: Self::Form,
        is_new: bool,
        prefilled: bool,
        errors: Vec<FieldError>,
    ) -> Response;
    /// Saves the form as a new version.
    fn save(
        app: &App,
        actor: &Actor,
        form: &Self::Form,
    ) -> impl Future<Output = Result<(), app::AppError>> + Send;
    /// The plan page showing an earlier version, read-only.
    fn version_page(me: &SignedIn, plan: &Self, banner: OldVersion) -> Response;
}

/// The form, filled with the plan as it stands; a new plan starts one list from the
/// toolkit's "what works for me".
pub async fn edit<P: PlanPages>(State(state): State<AppState>, me: SignedIn) -> PageResult {
    let current = state.app.plan::<P>(&me.actor).await?;
    let is_new = current.is_none();
    let mut input = current.map(|v| v.plan.input()).unwrap_or_default();
    let prefilled = prefill_with_what_helped(&state.app, &me.actor, P::prefilled(&mut input)).await;
    let form = P::form(input);
    Ok(P::edit_page(
        StatusCode::OK,
        &me,
        form,
        is_new,
        prefilled,
        Vec::new(),
    ))
}

/// Saves the plan as a new version, or shows the form again with what to fix.
pub async fn save<P: PlanPages>(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<P::Form>,
) -> PageResult {
    if !fresh {
        let errors = crate::form::expired("warning_signs");
        return Ok(P::edit_page(
            StatusCode::FORBIDDEN,
            &me,
            form,
            false,
            false,
            errors,
        ));
    }
    match P::save(&state.app, &me.actor, &form).await {
        Ok(()) => go(&format!("{}?saved=1", P::PATH)),
        Err(app::AppError::Invalid(errors)) => Ok(P::edit_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &me,
            form,
            false,
            false,
            errors,
        )),
        Err(e) => Err(e.into()),
    }
}

/// Every saved version, newest first.
pub async fn history<P: PlanPages>(State(state): State<AppState>, me: SignedIn) -> PageResult {
    let changes = state.app.plan_history::<P>(&me.actor).await?;
    Ok(history_page(&me, P::NAV, P::TITLE, P::PATH, changes))
}

/// One earlier version, read-only, with a way to make it the plan again.
pub async fn version<P: PlanPages>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(version): Path<PlanVersionNumber>,
) -> PageResult {
    let (old, newest) = found(old_and_newest::<P>(&state.app, &me.actor, version).await)?;
    let banner = OldVersion::of(&old, newest, me.actor.account().timezone.tz());
    Ok(P::version_page(&me, &old.plan, banner))
}

/// Makes an earlier version the plan again (as a new version).
pub async fn restore<P: PlanPages>(
    State(state): State<AppState>,
    Path(version): Path<PlanVersionNumber>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    let restored = state
        .app
        .restore_plan_version::<P>(&me.actor, version)
        .await;
    changed(restored, &format!("{}?restored=1", P::PATH))
}
