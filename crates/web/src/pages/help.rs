//! "Get help now": crisis lines and the emergency number, for anyone, signed in or not.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
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

/// One crisis line, ready for the page.
pub struct LineView {
    name: &'static str,
    description: &'static str,
    call: Option<Dial>,
    text: Option<Dial>,
    chat: Option<&'static str>,
    hours: &'static str,
    source: &'static str,
    verified_on: &'static str,
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
            source: l.source,
            verified_on: l.verified_on,
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
    lines: Vec<LineView>,
    countries: Vec<Choice>,
    signed_in: bool,
    has_plan: bool,
    plan_first: Option<super::plans::PlanSummary>,
    from_checkin: bool,
    from_questionnaire: bool,
    verified_on: &'static str,
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
        lines: entry.lines.iter().map(LineView::from).collect(),
        countries: country_choices(lookup.note.is_none().then(|| entry.country.code())),
        signed_in: visitor.signed_in.is_some(),
        from_checkin: q.from.as_deref() == Some("checkin"),
        from_questionnaire: q.from.as_deref() == Some("questionnaire"),
        verified_on: entry.verified_on(),
    };
    render(StatusCode::OK, &page)
}
