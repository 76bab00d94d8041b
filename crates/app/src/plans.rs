//! The safety plan and the backsliding plan: read, save (every save is a new version),
//! look back through the versions, restore one, and the per-browser choice to keep the
//! safety plan offline.

use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::coping::ToolId;
use domain::plans::{
    BackslidingPlan, BackslidingPlanInput, Plan, PlanVersionNumber, SafetyPlan, SafetyPlanInput,
};
use store::StoredPlanVersion;

use crate::{Actor, App, AppError, tokens};

/// How many of the toolkit's best tools are offered when a plan asks what helped before.
pub const BEST_TOOLS_OFFERED: usize = 5;

/// One saved version of a plan, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanVersion<P> {
    /// Its number: 1 for the first save.
    pub version: PlanVersionNumber,
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
    /// Who saved it.
    pub author: Option<AccountId>,
    /// The plan as it was then.
    pub plan: P,
}

/// One line of a plan's history: when, who, and which sections changed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanChange {
    /// The version this change made.
    pub version: PlanVersionNumber,
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
    /// Who saved it.
    pub author: Option<AccountId>,
    /// Whether the person asking saved it themselves.
    pub by_you: bool,
    /// The titles of the sections that changed from the version before.
    pub changed: Vec<&'static str>,
    /// The version it was restored from, when it was a restore.
    pub restored_from: Option<PlanVersionNumber>,
}

/// A stored body: the plan, and (for restores) the version it came back from.
#[derive(serde::Serialize, serde::Deserialize)]
struct Body<P> {
    #[serde(flatten)]
    plan: P,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    restored_from: Option<PlanVersionNumber>,
}

fn read<P: Plan>(
    v: StoredPlanVersion,
) -> Result<(PlanVersion<P>, Option<PlanVersionNumber>), AppError> {
    // A body that no longer reads is a bug or a hand-edited database; the caller logs it.
    // serde_json's message can quote the text it choked on, so only its kind and place are kept.
    let body: Body<P> = serde_json::from_str(&v.body).map_err(|e| {
        AppError::internal(format!(
            "stored plan version {} does not read: {:?} error at line {} column {}",
            v.version,
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    Ok((
        PlanVersion {
            version: v.version,
            saved_at: v.created_at,
            author: v.author,
            plan: body.plan,
        },
        body.restored_from,
    ))
}

impl App {
    /// The actor's plan of kind `P` as it stands, if they have saved one.
    pub async fn plan<P: Plan>(&self, actor: &Actor) -> Result<Option<PlanVersion<P>>, AppError> {
        match self
            .store
            .latest_plan_version(actor.account.id, P::KIND)
            .await?
        {
            Some(v) => Ok(Some(read(v)?.0)),
            None => Ok(None),
        }
    }

    /// One earlier version of the actor's plan.
    pub async fn plan_version<P: Plan>(
        &self,
        actor: &Actor,
        version: PlanVersionNumber,
    ) -> Result<PlanVersion<P>, AppError> {
        let v = self
            .store
            .plan_version(actor.account.id, P::KIND, version)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(read(v)?.0)
    }

    /// Every change to the actor's plan, newest first.
    pub async fn plan_history<P: Plan>(&self, actor: &Actor) -> Result<Vec<PlanChange>, AppError> {
        let versions = self.store.plan_versions(actor.account.id, P::KIND).await?;
        let mut previous = P::default();
        let mut out = Vec::with_capacity(versions.len());
        for v in versions {
            let (read, restored_from) = read::<P>(v)?;
            out.push(PlanChange {
                version: read.version,
                saved_at: read.saved_at,
                author: read.author,
                by_you: read.author == Some(actor.account.id),
                changed: read.plan.changed_sections(&previous),
                restored_from,
            });
            previous = read.plan;
        }
        out.reverse();
        Ok(out)
    }

    /// Saves the safety plan as typed; `today` is the person's local day.
    pub async fn save_safety_plan(
        &self,
        actor: &Actor,
        input: SafetyPlanInput,
    ) -> Result<PlanVersion<SafetyPlan>, AppError> {
        let today = actor.account.timezone.local_day(Utc::now());
        let plan = input.validate(today).map_err(AppError::Invalid)?;
        self.save_plan(actor, plan, None).await
    }

    /// Saves the backsliding plan as typed.
    pub async fn save_backsliding_plan(
        &self,
        actor: &Actor,
        input: BackslidingPlanInput,
    ) -> Result<PlanVersion<BackslidingPlan>, AppError> {
        let plan = input.validate().map_err(AppError::Invalid)?;
        self.save_plan(actor, plan, None).await
    }

    /// Makes an earlier version the plan again, as a new version (nothing is lost).
    pub async fn restore_plan_version<P: Plan>(
        &self,
        actor: &Actor,
        version: PlanVersionNumber,
    ) -> Result<PlanVersion<P>, AppError> {
        let old = self.plan_version::<P>(actor, version).await?;
        self.save_plan(actor, old.plan, Some(version)).await
    }

    /// Stores a checked plan as a new version, unless it is the same as the newest: saving
    /// an unchanged form should not fill the history with copies.
    async fn save_plan<P: Plan>(
        &self,
        actor: &Actor,
        plan: P,
        restored_from: Option<PlanVersionNumber>,
    ) -> Result<PlanVersion<P>, AppError> {
        match self.plan::<P>(actor).await? {
            Some(current) if current.plan == plan => return Ok(current),
            _ => {}
        }
        let body = serde_json::to_string(&Body {
            plan: &plan,
            restored_from,
        })
        .map_err(AppError::internal)?;
        let id = actor.account.id;
        let saved = self
            .store
            .save_plan_version(id, P::KIND, &body, id, Utc::now())
            .await?;
        Ok(PlanVersion {
            version: saved.version,
            saved_at: saved.created_at,
            author: saved.author,
            plan,
        })
    }

    /// The names of the toolkit tools that have eased the actor's distress most, best first,
    /// for pre-filling "what helped before" in the plans.
    pub async fn what_helped_before(&self, actor: &Actor) -> Result<Vec<String>, AppError> {
        let best: Vec<ToolId> = self.best_tools(actor, BEST_TOOLS_OFFERED).await?;
        Ok(best.into_iter().map(|t| t.name().to_string()).collect())
    }

    /// Records whether the browser signed in with `session_secret` keeps the safety plan
    /// offline.
    pub async fn set_plan_offline(
        &self,
        actor: &Actor,
        session_secret: &str,
        keep: bool,
    ) -> Result<(), AppError> {
        if self
            .store
            .set_plan_offline(actor.account.id, &tokens::hash(session_secret), keep)
            .await?
        {
            Ok(())
        } else {
            Err(AppError::Unauthenticated)
        }
    }

    /// Whether the browser signed in with `session_secret` keeps the safety plan offline.
    pub async fn plan_offline(
        &self,
        actor: &Actor,
        session_secret: &str,
    ) -> Result<bool, AppError> {
        Ok(self
            .store
            .plan_offline(actor.account.id, &tokens::hash(session_secret))
            .await?)
    }
}
