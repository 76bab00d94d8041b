//! The safety plan: six steps to take in order when a crisis builds, plus the person's
//! reasons for living. The steps follow the structure clinicians commonly use; the words are
//! ours.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ContactInput, Plan, PlanContact, PlanKind, contacts, date, lines};
use crate::checkin::FieldError;

/// Step 1's title.
pub const WARNING_SIGNS: &str = "Warning signs";
/// Step 2's title.
pub const ON_MY_OWN: &str = "Things I can do on my own";
/// Step 3's title.
pub const DISTRACTIONS: &str = "People and places that take my mind off things";
/// Step 4's title.
pub const HELPERS: &str = "People I can ask for help";
/// Step 5's title.
pub const PROFESSIONALS: &str = "Professionals and crisis lines";
/// Step 6's title.
pub const SAFER_SURROUNDINGS: &str = "Making my surroundings safer";
/// The closing section's title.
pub const REASONS: &str = "My reasons for living";
/// The dates' section title.
pub const DATES: &str = "Dates";

/// A saved safety plan. Every list keeps the person's own words, one item per entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SafetyPlan {
    /// Thoughts, feelings, situations or behaviours that tell a crisis may be starting.
    pub warning_signs: Vec<String>,
    /// Things that help without needing anyone else.
    pub on_my_own: Vec<String>,
    /// People and places that take the person's mind off things.
    pub distractions: Vec<String>,
    /// Family or friends to tell when things are bad.
    pub helpers: Vec<PlanContact>,
    /// Professionals the person added (the therapist and crisis lines come from elsewhere).
    pub professionals: Vec<PlanContact>,
    /// Ways to make the surroundings safer.
    pub safer_surroundings: Vec<String>,
    /// What makes life worth living.
    pub reasons_for_living: Vec<String>,
    /// The day the plan was made with the therapist, if it was.
    pub made_with_therapist_on: Option<NaiveDate>,
    /// When to look over the plan again.
    pub review_on: Option<NaiveDate>,
}

/// The safety plan form as typed: lists one item per line, contacts as rows.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SafetyPlanInput {
    /// Step 1, one per line.
    pub warning_signs: String,
    /// Step 2, one per line.
    pub on_my_own: String,
    /// Step 3, one per line.
    pub distractions: String,
    /// Step 4's people.
    pub helpers: Vec<ContactInput>,
    /// Step 5's own additions.
    pub professionals: Vec<ContactInput>,
    /// Step 6, one per line.
    pub safer_surroundings: String,
    /// Reasons for living, one per line.
    pub reasons_for_living: String,
    /// `YYYY-MM-DD` or empty.
    pub made_with_therapist_on: String,
    /// `YYYY-MM-DD` or empty.
    pub review_on: String,
}

impl SafetyPlanInput {
    /// Checks every field; `today` (the person's local day) bounds "made with my therapist on".
    pub fn validate(self, today: NaiveDate) -> Result<SafetyPlan, Vec<FieldError>> {
        let mut errors = Vec::new();
        let plan = SafetyPlan {
            warning_signs: lines("warning_signs", &self.warning_signs, &mut errors),
            on_my_own: lines("on_my_own", &self.on_my_own, &mut errors),
            distractions: lines("distractions", &self.distractions, &mut errors),
            helpers: contacts("helpers", self.helpers, &mut errors),
            professionals: contacts("professionals", self.professionals, &mut errors),
            safer_surroundings: lines("safer_surroundings", &self.safer_surroundings, &mut errors),
            reasons_for_living: lines("reasons_for_living", &self.reasons_for_living, &mut errors),
            made_with_therapist_on: date(
                "made_with_therapist_on",
                &self.made_with_therapist_on,
                &mut errors,
            ),
            review_on: date("review_on", &self.review_on, &mut errors),
        };
        // Plans are dated like sessions: not before 2000, and a review at most two years on.
        // (A day the plan was made that is still to come has its own message below.)
        if let Some(Err(e)) = plan
            .review_on
            .map(|d| crate::when::planned_day("review_on", d, today))
        {
            errors.push(e);
        }
        if let Some(Err(e)) = plan
            .made_with_therapist_on
            .filter(|d| *d <= today)
            .map(|d| crate::when::planned_day("made_with_therapist_on", d, today))
        {
            errors.push(e);
        }
        if plan.made_with_therapist_on.is_some_and(|d| d > today) {
            errors.push(FieldError::new(
                "made_with_therapist_on",
                "That day is still to come. Please give the day you made the plan together.",
            ));
        }
        if errors.is_empty() {
            Ok(plan)
        } else {
            Err(errors)
        }
    }
}

impl SafetyPlan {
    /// The form's values for this plan, so editing starts from what is saved.
    pub fn to_input(&self) -> SafetyPlanInput {
        let rows = |list: &[PlanContact]| {
            list.iter()
                .map(|c| ContactInput {
                    name: c.name.clone(),
                    phone: c.phone.clone().unwrap_or_default(),
                })
                .collect()
        };
        let fmt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        SafetyPlanInput {
            warning_signs: self.warning_signs.join("\n"),
            on_my_own: self.on_my_own.join("\n"),
            distractions: self.distractions.join("\n"),
            helpers: rows(&self.helpers),
            professionals: rows(&self.professionals),
            safer_surroundings: self.safer_surroundings.join("\n"),
            reasons_for_living: self.reasons_for_living.join("\n"),
            made_with_therapist_on: fmt(self.made_with_therapist_on),
            review_on: fmt(self.review_on),
        }
    }

    /// Whether the review day has come (on `today` or before).
    pub fn review_due(&self, today: NaiveDate) -> bool {
        self.review_on.is_some_and(|d| d <= today)
    }
}

impl Plan for SafetyPlan {
    const KIND: PlanKind = PlanKind::Safety;

    fn changed_sections(&self, older: &Self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut note = |changed: bool, title: &'static str| {
            if changed {
                out.push(title);
            }
        };
        note(self.warning_signs != older.warning_signs, WARNING_SIGNS);
        note(self.on_my_own != older.on_my_own, ON_MY_OWN);
        note(self.distractions != older.distractions, DISTRACTIONS);
        note(self.helpers != older.helpers, HELPERS);
        note(self.professionals != older.professionals, PROFESSIONALS);
        note(
            self.safer_surroundings != older.safer_surroundings,
            SAFER_SURROUNDINGS,
        );
        note(self.reasons_for_living != older.reasons_for_living, REASONS);
        note(
            self.made_with_therapist_on != older.made_with_therapist_on
                || self.review_on != older.review_on,
            DATES,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default()
    }

    fn filled() -> SafetyPlanInput {
        SafetyPlanInput {
            warning_signs: "Not sleeping\nPulling away from friends".into(),
            on_my_own: "Box breathing\nA hot shower".into(),
            distractions: "The library café".into(),
            helpers: vec![
                ContactInput {
                    name: "Jo (sister)".into(),
                    phone: "07700 900123".into(),
                },
                ContactInput::default(),
            ],
            professionals: vec![ContactInput {
                name: "GP surgery".into(),
                phone: "020 7946 0001".into(),
            }],
            safer_surroundings: "Give the spare pills to Jo".into(),
            reasons_for_living: "My cat, Miso".into(),
            made_with_therapist_on: "2026-03-10".into(),
            review_on: "2026-06-10".into(),
        }
    }

    #[test]
    fn a_filled_plan_survives_validation_and_round_trips_through_the_form() {
        let plan = filled().validate(day(3, 14)).map_err(|e| format!("{e:?}"));
        let Ok(plan) = plan else {
            unreachable!("{plan:?}")
        };
        assert_eq!(plan.warning_signs.len(), 2);
        assert_eq!(plan.helpers.len(), 1);
        assert_eq!(plan.made_with_therapist_on, Some(day(3, 10)));
        assert!(!plan.is_empty());
        let again = plan.to_input().validate(day(3, 14)).ok();
        assert_eq!(again.as_ref(), Some(&plan));
        assert!(plan.review_due(day(6, 10)));
        assert!(!plan.review_due(day(6, 9)));
    }

    #[test]
    fn a_plan_made_with_the_therapist_cannot_be_dated_in_the_future() {
        let errors = filled().validate(day(3, 9)).err().unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "made_with_therapist_on");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let input = SafetyPlanInput {
            warning_signs: "x".repeat(400),
            helpers: vec![ContactInput {
                name: String::new(),
                phone: "07700 900123".into(),
            }],
            review_on: "soon".into(),
            ..Default::default()
        };
        let errors = input.validate(day(3, 14)).err().unwrap_or_default();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["warning_signs", "helpers", "review_on"]);
    }

    #[test]
    fn changes_are_named_by_section() {
        let older = filled().validate(day(3, 14)).unwrap_or_default();
        let mut newer = older.clone();
        assert!(newer.changed_sections(&older).is_empty());
        newer.reasons_for_living.push("Seeing the sea again".into());
        newer.review_on = None;
        assert_eq!(newer.changed_sections(&older), [REASONS, DATES]);
        assert_eq!(
            older.changed_sections(&SafetyPlan::default()).len(),
            8,
            "a first version changes every filled section"
        );
    }

    #[test]
    fn older_stored_versions_still_read_when_fields_are_added() {
        let old: SafetyPlan =
            serde_json::from_str(r#"{"warning_signs":["a"]}"#).unwrap_or_default();
        assert_eq!(old.warning_signs, ["a"]);
        assert!(old.helpers.is_empty());
    }
}
