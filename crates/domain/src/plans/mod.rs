//! The person's own plans for hard times: the safety plan (for a crisis) and the backsliding
//! plan (for when old patterns come back). Both are kept as a list of saved versions; the
//! newest is the plan. This module holds their shapes, the checks on what was typed, and the
//! ready-made call and text links for the people and services they name.

pub mod backsliding;
mod reach;
pub mod safety;

pub use backsliding::{BackslidingPlan, BackslidingPlanInput, Stressor};
pub use reach::{Reach, ReachKind, people, professionals, therapist_reach};
pub use safety::{SafetyPlan, SafetyPlanInput};

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::checkin::FieldError;
use crate::contact::dialable;

/// Longest single item in a plan's list (one warning sign, one step).
pub const MAX_ITEM_CHARS: usize = 300;
/// Most items in one of a plan's lists.
pub const MAX_ITEMS: usize = 25;
/// Most people in one of a plan's contact lists.
pub const MAX_CONTACTS: usize = 12;
/// Longest name of a person or service in a plan.
pub const MAX_NAME_CHARS: usize = 100;
/// Most digits in a typed phone number (the international maximum is 15; extensions add a few).
pub const MAX_PHONE_DIGITS: usize = 20;
/// Longest free text (the backsliding plan's goal).
pub const MAX_TEXT_CHARS: usize = 1_000;

crate::id::id_type! {
    /// The number of a saved version of one plan: 1 for the first save, then one more for each.
    PlanVersionNumber
}

/// Which plan a stored version belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// The six-step plan for a crisis.
    Safety,
    /// The plan for when old patterns return after progress.
    Backsliding,
}

impl PlanKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            PlanKind::Safety => "safety",
            PlanKind::Backsliding => "backsliding",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<PlanKind> {
        match s {
            "safety" => Some(PlanKind::Safety),
            "backsliding" => Some(PlanKind::Backsliding),
            _ => None,
        }
    }
}

/// What both plans share: how they are stored, compared and summarised.
pub trait Plan: Serialize + DeserializeOwned + PartialEq + Clone + Default {
    /// Which plan this is.
    const KIND: PlanKind;

    /// The titles of the sections that differ from `older`, in page order.
    fn changed_sections(&self, older: &Self) -> Vec<&'static str>;

    /// True when nothing at all has been filled in.
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A person or service named in a plan, with the phone number as it was typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanContact {
    /// Who they are, as the person writes it ("my sister Jo", "GP surgery").
    pub name: String,
    /// Their number as typed, if any; links are made from its digits.
    pub phone: Option<String>,
}

impl PlanContact {
    /// The `tel:` link for the number, if it has one.
    pub fn call_href(&self) -> Option<String> {
        self.phone
            .as_deref()
            .and_then(dialable)
            .map(|d| format!("tel:{d}"))
    }

    /// The `sms:` link for the number, if it has one.
    pub fn text_href(&self) -> Option<String> {
        self.phone
            .as_deref()
            .and_then(dialable)
            .map(|d| format!("sms:{d}"))
    }
}

/// One row of a contact list as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ContactInput {
    /// The name as typed.
    pub name: String,
    /// The phone number as typed.
    pub phone: String,
}

/// Splits a text area into trimmed, non-empty lines and checks their number and length.
pub(crate) fn lines(field: &'static str, text: &str, errors: &mut Vec<FieldError>) -> Vec<String> {
    let text = crate::text::clean(field, text)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let items: Vec<String> = text
        .lines()
        .map(|l| l.trim().trim_start_matches(['-', '•', '*']).trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if items.iter().any(|i| i.chars().count() > MAX_ITEM_CHARS) {
        errors.push(FieldError::new(
            field,
            format!("Please keep each line under {MAX_ITEM_CHARS} characters."),
        ));
    }
    if items.len() > MAX_ITEMS {
        errors.push(FieldError::new(
            field,
            format!("Please keep this to {MAX_ITEMS} lines or fewer."),
        ));
    }
    items
}

/// Checks a contact list: blank rows are dropped, a number needs a name, and a number must
/// be one a phone can dial.
pub(crate) fn contacts(
    field: &'static str,
    rows: Vec<ContactInput>,
    errors: &mut Vec<FieldError>,
) -> Vec<PlanContact> {
    let mut out = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for row in rows {
        if crate::text::has_forbidden_control(&row.name)
            || crate::text::has_forbidden_control(&row.phone)
        {
            problems.push(crate::text::CONTROL_MESSAGE.to_string());
            continue;
        }
        let name = row.name.trim().to_string();
        let phone = row.phone.trim().to_string();
        if name.is_empty() && phone.is_empty() {
            continue;
        }
        if name.is_empty() {
            problems.push(format!("Please add a name for {phone}."));
        } else if name.chars().count() > MAX_NAME_CHARS {
            problems.push(format!(
                "Please keep each name under {MAX_NAME_CHARS} characters."
            ));
        }
        let phone_problem = if phone.is_empty() {
            None
        } else {
            check_phone(&phone).err()
        };
        problems.extend(phone_problem.map(str::to_string));
        out.push(PlanContact {
            name,
            phone: (!phone.is_empty()).then_some(phone),
        });
    }
    if out.len() > MAX_CONTACTS {
        problems.push(format!("Please list at most {MAX_CONTACTS} people here."));
    }
    problems.dedup();
    errors.extend(problems.into_iter().map(|m| FieldError::new(field, m)));
    out
}

/// A typed number must hold only what people write in numbers, and enough digits to dial.
fn check_phone(phone: &str) -> Result<(), &'static str> {
    let body = phone.strip_prefix('+').unwrap_or(phone);
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.' | '/'))
    {
        return Err(
            "Please type phone numbers with digits only (spaces, +, - and brackets are fine).",
        );
    }
    match dialable(phone) {
        None => Err("That phone number looks too short to dial."),
        Some(d) if d.trim_start_matches('+').len() > MAX_PHONE_DIGITS => {
            Err("That phone number looks too long to dial.")
        }
        Some(_) => Ok(()),
    }
}

/// Reads an optional `YYYY-MM-DD` date, as date inputs send it.
pub(crate) fn date(
    field: &'static str,
    text: &str,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "Please give the date as year-month-day, for example 2026-03-14.",
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_and_bullets_dropped() {
        let mut errors = Vec::new();
        let got = lines(
            "x",
            "  - call Jo \n\n• walk the dog\n* tea\nplain",
            &mut errors,
        );
        assert_eq!(got, ["call Jo", "walk the dog", "tea", "plain"]);
        assert!(errors.is_empty());
        let long = "a".repeat(MAX_ITEM_CHARS + 1);
        lines("x", &long, &mut errors);
        let many = "a\n".repeat(MAX_ITEMS + 1);
        lines("y", &many, &mut errors);
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn contact_rows_need_a_name_and_a_dialable_number() {
        let mut errors = Vec::new();
        let rows = vec![
            ContactInput {
                name: " Jo ".into(),
                phone: " +44 7700 900123 ".into(),
            },
            ContactInput::default(),
            ContactInput {
                name: "Sam next door".into(),
                phone: String::new(),
            },
        ];
        let got = contacts("helpers", rows, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "Jo");
        assert_eq!(got[0].call_href().as_deref(), Some("tel:+447700900123"));
        assert_eq!(got[0].text_href().as_deref(), Some("sms:+447700900123"));
        assert_eq!(got[1].call_href(), None);

        for (name, phone) in [
            ("", "07700 900123"),
            ("Jo", "call me"),
            ("Jo", "12"),
            ("Jo", "1234567890123456789012"),
        ] {
            let mut errors = Vec::new();
            contacts(
                "helpers",
                vec![ContactInput {
                    name: name.into(),
                    phone: phone.into(),
                }],
                &mut errors,
            );
            assert_eq!(errors.len(), 1, "{name:?} {phone:?}");
            assert_eq!(errors[0].field, "helpers");
        }
    }

    #[test]
    fn dates_are_year_month_day() {
        let mut errors = Vec::new();
        assert_eq!(date("d", "", &mut errors), None);
        assert_eq!(
            date("d", "2026-03-14", &mut errors),
            NaiveDate::from_ymd_opt(2026, 3, 14)
        );
        assert!(errors.is_empty());
        assert_eq!(date("d", "14/03/2026", &mut errors), None);
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn kinds_round_trip() {
        for k in [PlanKind::Safety, PlanKind::Backsliding] {
            assert_eq!(PlanKind::parse(k.code()), Some(k));
        }
        assert_eq!(PlanKind::parse("other"), None);
    }
}
