//! "Get help now": crisis lines and the emergency number, for anyone, signed in or not.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use domain::account::TherapistContact;
use domain::contact::dialable;
use domain::crisis::{CrisisLine, directory_for_code, directory_for_country};
use serde::Deserialize;

use super::{Choice, country_choices, render};
use crate::AppState;
use crate::layout::Layout;
use crate::session::Visitor;

/// A country chosen in the picker, and whether we came from a check-in or a questionnaire.
#[derive(Deserialize)]
pub struct HelpQuery {
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    from: Option<String>,
}

/// A number to call, ready for the page.
pub struct Dial {
    pub(crate) href: String,
    pub(crate) display: String,
}

impl Dial {
    /// A link and the text shown for it.
    pub fn new(href: String, display: String) -> Dial {
        Dial { href, display }
    }
}

/// One crisis line, ready for the page. Where its details come from is listed once, under
/// all the lines, rather than on every card.
pub struct LineView {
    name: &'static str,
    description: &'static str,
    call: Option<Dial>,
    text: Option<Dial>,
    chat: Option<&'static str>,
    hours: &'static str,
}

/// Where one line's details come from: its own website, named by its host.
pub struct SourceView {
    name: &'static str,
    href: &'static str,
    host: String,
}

impl SourceView {
    fn from(l: &CrisisLine) -> SourceView {
        let host = l
            .source
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.")
            .trim_end_matches('/')
            .to_string();
        SourceView {
            name: l.name,
            href: l.source,
            host,
        }
    }
}

/// "November 2026" for a directory date, "recently" if the table holds no date we can read.
fn checked_month(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%B %Y").to_string())
        .unwrap_or_else(|_| "recently".to_string())
}

/// The person's own therapist, when settings hold a number we can dial.
pub struct TherapistView {
    name: Option<String>,
    call: Dial,
    text: Dial,
}

impl TherapistView {
    fn of(t: &TherapistContact) -> Option<TherapistView> {
        let typed = t.phone.as_deref()?;
        let number = dialable(typed)?;
        let name = t
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let who = name.clone().unwrap_or_else(|| "my therapist".to_string());
        Some(TherapistView {
            call: Dial::new(format!("tel:{number}"), format!("Call {who}")),
            text: Dial::new(format!("sms:{number}"), format!("Text {who}")),
            name,
        })
    }
}

impl LineView {
    fn from(l: &CrisisLine) -> LineView {
        LineView {
            name: l.name,
            description: l.description,
            call: l.phone.map(|p| Dial {
                href: p.tel_href(),
                display: p.display().to_string(),
            }),
            text: l.text.map(|t| Dial {
                href: t.sms_href(),
                display: match t.keyword {
                    Some(k) => format!("Text {k} to {}", t.number.display()),
                    None => format!("Text {}", t.number.display()),
                },
            }),
            chat: l.chat_url,
            hours: l.hours,
        }
    }
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    layout: Layout,
    country_name: &'static str,
    entry_note: Option<&'static str>,
    emergency: Vec<Dial>,
    /// The first crisis line with a number, for the call row above a safety plan.
    first_line: Option<Dial>,
    lines: Vec<LineView>,
    sources: Vec<SourceView>,
    therapist: Option<TherapistView>,
    countries: Vec<Choice>,
    signed_in: bool,
    has_plan: bool,
    plan_first: Option<super::plans::PlanSummary>,
    from_checkin: bool,
    from_questionnaire: bool,
    checked: String,
    /// A signed-in person who has not chosen a country yet: the page asks for it first,
    /// showing the international lines meanwhile.
    ask_country: bool,
}

/// Shows the lines for the chosen country, else the account's, else a picker and 112.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<HelpQuery>,
) -> Response {
    let lookup = match q.country.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(code) => directory_for_code(Some(code)),
        None => directory_for_country(
            visitor
                .signed_in
                .as_ref()
                .and_then(|s| s.actor.account().country),
        ),
    };
    let entry = lookup.entry;
    // After a "yes" to a safety question the person's own plan comes first.
    let urgent = matches!(q.from.as_deref(), Some("checkin" | "questionnaire"));
    let (has_plan, plan_first) = match &visitor.signed_in {
        Some(me) => {
            let summary = super::plans::summary_for(&state.app, &me.actor).await;
            (summary.is_some(), summary.filter(|_| urgent))
        }
        None => (false, None),
    };
    let page = HelpPage {
        has_plan,
        plan_first,
        layout: Layout::for_visitor(&visitor, ""),
        country_name: entry.country.name(),
        entry_note: lookup.note,
        emergency: entry
            .emergency_numbers()
            .map(|n| Dial {
                href: n.tel_href(),
                display: n.display().to_string(),
            })
            .collect(),
        first_line: entry.lines.iter().find_map(|l| l.phone).map(|p| Dial {
            href: p.tel_href(),
            display: p.display().to_string(),
        }),
        lines: entry.lines.iter().map(LineView::from).collect(),
        sources: entry.lines.iter().map(SourceView::from).collect(),
        therapist: visitor
            .signed_in
            .as_ref()
            .and_then(|me| TherapistView::of(&me.actor.account().therapist)),
        countries: country_choices(lookup.note.is_none().then(|| entry.country.code())),
        signed_in: visitor.signed_in.is_some(),
        from_checkin: q.from.as_deref() == Some("checkin"),
        from_questionnaire: q.from.as_deref() == Some("questionnaire"),
        checked: checked_month(entry.verified_on()),
        ask_country: q.country.as_deref().is_none_or(|c| c.trim().is_empty())
            && visitor
                .signed_in
                .as_ref()
                .is_some_and(|me| me.actor.account().country.is_none()),
    };
    render(StatusCode::OK, &page)
}

/// The short "which country are you in?" form on this page.
#[derive(Deserialize)]
pub struct CountryForm {
    #[serde(default)]
    country: String,
}

/// Saves the country chosen on this page and shows its lines. Nothing chosen shows the
/// page again, still asking, with the international lines.
pub async fn choose_country(
    State(state): State<AppState>,
    crate::form::CheckedForm { me, form }: crate::form::CheckedForm<CountryForm>,
) -> super::errors::PageResult {
    match state.app.choose_country(&me.actor, &form.country).await {
        Ok(_) | Err(app::AppError::Invalid(_)) => super::errors::go("/help"),
        Err(e) => Err(e.into()),
    }
}
