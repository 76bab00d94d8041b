//! The backsliding plan: for when old patterns return after progress. Clinicians advise
//! noticing it without shame, naming what is weighing on you, restarting what helped before,
//! taking small steps, revisiting the goal and leaning on the people around you.

use serde::{Deserialize, Serialize};

use super::{ContactInput, MAX_TEXT_CHARS, Plan, PlanContact, PlanKind, contacts, lines};
use crate::checkin::FieldError;

/// Title of the early warning signs section.
pub const WARNING_SIGNS: &str = "Early warning signs";
/// Title of the stressors section.
pub const STRESSORS: &str = "What might set me back";
/// Title of the coping skills section.
pub const COPING: &str = "Coping skills that worked before";
/// Title of the next steps section.
pub const NEXT_STEPS: &str = "Small next steps";
/// Title of the goal section.
pub const GOAL: &str = "My goal";
/// Title of the safety net section.
pub const SAFETY_NET: &str = "My safety net";
/// Title of the past wins section.
pub const PAST_WINS: &str = "I have made changes before";
/// Title of the prevention section.
pub const PREVENTION: &str = "What I will put in place so this is less likely next time";

/// A common stressor, offered as a checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stressor {
    /// Starting a new job or a big change at work.
    NewJob,
    /// A relationship ending.
    EndedRelationship,
    /// Moving home.
    Move,
    /// Conflict in the family.
    FamilyConflict,
    /// Losing someone or something important.
    Loss,
    /// Money worries.
    MoneyWorries,
    /// Health problems, one's own or someone close's.
    Health,
}

impl Stressor {
    /// Every option, in checklist order.
    pub const ALL: [Stressor; 7] = [
        Stressor::NewJob,
        Stressor::EndedRelationship,
        Stressor::Move,
        Stressor::FamilyConflict,
        Stressor::Loss,
        Stressor::MoneyWorries,
        Stressor::Health,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Stressor::NewJob => "new_job",
            Stressor::EndedRelationship => "ended_relationship",
            Stressor::Move => "move",
            Stressor::FamilyConflict => "family_conflict",
            Stressor::Loss => "loss",
            Stressor::MoneyWorries => "money_worries",
            Stressor::Health => "health",
        }
    }

    /// The words on the checklist.
    pub fn label(self) -> &'static str {
        match self {
            Stressor::NewJob => "A new job or a big change at work",
            Stressor::EndedRelationship => "A relationship ending",
            Stressor::Move => "Moving home",
            Stressor::FamilyConflict => "Conflict in the family",
            Stressor::Loss => "Losing someone or something important",
            Stressor::MoneyWorries => "Money worries",
            Stressor::Health => "Health problems, mine or someone close to me",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Stressor> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// A saved backsliding plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackslidingPlan {
    /// Signs that old patterns are coming back.
    pub warning_signs: Vec<String>,
    /// Stressors ticked on the checklist.
    pub stressors: Vec<Stressor>,
    /// Stressors in the person's own words.
    pub own_stressors: Vec<String>,
    /// Coping skills that helped before.
    pub coping_skills: Vec<String>,
    /// Small, doable next steps.
    pub next_steps: Vec<String>,
    /// The goal as it stands now; it may have shifted.
    pub goal: Option<String>,
    /// People to lean on (the therapist comes from settings).
    pub safety_net: Vec<PlanContact>,
    /// Changes the person has made before: proof it can be done.
    pub past_wins: Vec<String>,
    /// What will make a setback less likely next time.
    pub prevention: Vec<String>,
}

/// The backsliding plan form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BackslidingPlanInput {
    /// One per line.
    pub warning_signs: String,
    /// Checklist codes.
    pub stressors: Vec<String>,
    /// One per line.
    pub own_stressors: String,
    /// One per line.
    pub coping_skills: String,
    /// One per line.
    pub next_steps: String,
    /// Free text.
    pub goal: String,
    /// People, as rows.
    pub safety_net: Vec<ContactInput>,
    /// One per line.
    pub past_wins: String,
    /// One per line.
    pub prevention: String,
}

impl BackslidingPlanInput {
    /// Checks every field and returns the plan, or every problem found.
    pub fn validate(self) -> Result<BackslidingPlan, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut stressors = Vec::new();
        for code in &self.stressors {
            match Stressor::parse(code.trim()) {
                Some(s) if !stressors.contains(&s) => stressors.push(s),
                Some(_) => {}
                None => errors.push(FieldError::new("stressors", "Please choose from the list.")),
            }
        }
        let goal = crate::text::clean("goal", &self.goal)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
            .trim()
            .to_string();
        if goal.chars().count() > MAX_TEXT_CHARS {
            errors.push(FieldError::new(
                "goal",
                format!("Please keep your goal under {MAX_TEXT_CHARS} characters."),
            ));
        }
        let plan = BackslidingPlan {
            warning_signs: lines("warning_signs", &self.warning_signs, &mut errors),
            stressors,
            own_stressors: lines("own_stressors", &self.own_stressors, &mut errors),
            coping_skills: lines("coping_skills", &self.coping_skills, &mut errors),
            next_steps: lines("next_steps", &self.next_steps, &mut errors),
            goal: (!goal.is_empty()).then_some(goal),
            safety_net: contacts("safety_net", self.safety_net, &mut errors),
            past_wins: lines("past_wins", &self.past_wins, &mut errors),
            prevention: lines("prevention", &self.prevention, &mut errors),
        };
        if errors.is_empty() {
            Ok(plan)
        } else {
            Err(errors)
        }
    }
}

impl BackslidingPlan {
    /// The form's values for this plan, so editing starts from what is saved.
    pub fn to_input(&self) -> BackslidingPlanInput {
        BackslidingPlanInput {
            warning_signs: self.warning_signs.join("\n"),
            stressors: self
                .stressors
                .iter()
                .map(|s| s.code().to_string())
                .collect(),
            own_stressors: self.own_stressors.join("\n"),
            coping_skills: self.coping_skills.join("\n"),
            next_steps: self.next_steps.join("\n"),
            goal: self.goal.clone().unwrap_or_default(),
            safety_net: self
                .safety_net
                .iter()
                .map(|c| ContactInput {
                    name: c.name.clone(),
                    phone: c.phone.clone().unwrap_or_default(),
                })
                .collect(),
            past_wins: self.past_wins.join("\n"),
            prevention: self.prevention.join("\n"),
        }
    }
}

impl Plan for BackslidingPlan {
    const KIND: PlanKind = PlanKind::Backsliding;

    fn changed_sections(&self, older: &Self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut note = |changed: bool, title: &'static str| {
            if changed {
                out.push(title);
            }
        };
        note(self.warning_signs != older.warning_signs, WARNING_SIGNS);
        note(
            self.stressors != older.stressors || self.own_stressors != older.own_stressors,
            STRESSORS,
        );
        note(self.coping_skills != older.coping_skills, COPING);
        note(self.next_steps != older.next_steps, NEXT_STEPS);
        note(self.goal != older.goal, GOAL);
        note(self.safety_net != older.safety_net, SAFETY_NET);
        note(self.past_wins != older.past_wins, PAST_WINS);
        note(self.prevention != older.prevention, PREVENTION);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stressors_are_checked_and_deduplicated() {
        let plan = BackslidingPlanInput {
            stressors: vec!["move".into(), "loss".into(), "move".into()],
            own_stressors: "Exams in May".into(),
            coping_skills: "Box breathing\nWalk after lunch".into(),
            goal: "  Sleep before midnight most nights  ".into(),
            safety_net: vec![ContactInput {
                name: "Ali".into(),
                phone: "+1 555 010 2030".into(),
            }],
            ..Default::default()
        }
        .validate();
        let Ok(plan) = plan else {
            unreachable!("{plan:?}")
        };
        assert_eq!(plan.stressors, [Stressor::Move, Stressor::Loss]);
        assert_eq!(
            plan.goal.as_deref(),
            Some("Sleep before midnight most nights")
        );
        assert_eq!(
            plan.safety_net[0].call_href().as_deref(),
            Some("tel:+15550102030")
        );
        assert_eq!(plan.to_input().validate().ok(), Some(plan));

        let bad = BackslidingPlanInput {
            stressors: vec!["aliens".into()],
            goal: "g".repeat(MAX_TEXT_CHARS + 1),
            ..Default::default()
        }
        .validate()
        .err()
        .unwrap_or_default();
        let fields: Vec<_> = bad.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["stressors", "goal"]);
    }

    #[test]
    fn every_stressor_round_trips_and_has_words() {
        for s in Stressor::ALL {
            assert_eq!(Stressor::parse(s.code()), Some(s));
            assert!(!s.label().is_empty());
        }
    }

    #[test]
    fn changes_are_named_by_section() {
        let older = BackslidingPlan {
            goal: Some("Back to work".into()),
            ..Default::default()
        };
        let mut newer = older.clone();
        newer.stressors.push(Stressor::NewJob);
        newer.goal = Some("Part-time work first".into());
        assert_eq!(newer.changed_sections(&older), [STRESSORS, GOAL]);
        assert!(BackslidingPlan::default().is_empty());
    }
}
