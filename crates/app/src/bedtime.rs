//! The bedtime routine: making and changing it, ticking it off each night (a coping use of
//! the tool `bedtime-routine`), and how the next day's check-in looked on nights with it and
//! without it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::bedtime::{
    BedtimeRoutine, COMPARISON_NIGHTS, Comparison, NightInput, RoutineInput, compare,
    night_client_id, night_of,
};
use domain::coping::{CopingUse, NewCopingUse, ToolId};
use domain::idempotency::Written;

use crate::{Actor, App, AppError};

/// Tonight's log, when the routine was ticked off tonight.
#[derive(Debug, Clone, PartialEq)]
pub struct Tonight {
    /// The night it is now.
    pub night: NaiveDate,
    /// The use that logged it, when there is one.
    pub logged: Option<CopingUse>,
}

impl App {
    /// The actor's routine, if they have made one.
    pub async fn bedtime_routine(&self, actor: &Actor) -> Result<Option<BedtimeRoutine>, AppError> {
        Ok(self.store.bedtime_routine(actor.account.id).await?)
    }

    /// Checks and saves the actor's routine, replacing the one before. Nights already
    /// logged keep the steps they ticked (in their note).
    pub async fn save_bedtime_routine(
        &self,
        actor: &Actor,
        input: RoutineInput,
    ) -> Result<BedtimeRoutine, AppError> {
        let routine = input.validate().map_err(AppError::Invalid)?;
        Ok(self
            .store
            .save_bedtime_routine(actor.account.id, &routine)
            .await?)
    }

    /// Logs a night of the routine as a coping use of `bedtime-routine`, its note the steps
    /// ticked. The use's client id is the night's own, so a second log the same night stores
    /// nothing: the first one stands and is given back with [`Written::Existing`], whatever
    /// the second ticked (the page shows the night as done and offers no second log).
    pub async fn log_bedtime_night(
        &self,
        actor: &Actor,
        input: NightInput,
        now: DateTime<Utc>,
    ) -> Result<(CopingUse, Written), AppError> {
        let Some(routine) = self.bedtime_routine(actor).await? else {
            return Err(AppError::field(
                "ticked",
                "There is no bedtime routine to tick off yet: make one first.",
            ));
        };
        let log = input
            .validate(&routine, actor.account.timezone, now)
            .map_err(AppError::Invalid)?;
        let new = NewCopingUse {
            client_id: log.client_id(),
            tool: ToolId::BedtimeRoutine,
            started_at: log.at,
            distress_before: None,
            distress_after: None,
            note: Some(log.note()),
        };
        Ok(self.store.insert_coping_use(actor.account.id, &new).await?)
    }

    /// The night it is for the actor now, and its log if the routine was ticked off.
    pub async fn bedtime_tonight(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tonight, AppError> {
        let night = night_of(now, actor.account.timezone);
        let logged = self
            .store
            .coping_use_by_client_id(actor.account.id, night_client_id(night))
            .await?;
        Ok(Tonight { night, logged })
    }

    /// Nights with the routine beside nights without, over the last
    /// [`COMPARISON_NIGHTS`] nights (see [`domain::bedtime::compare`]). Reads the times of
    /// the logs and the moods and sleep of the check-ins, never their words.
    pub async fn bedtime_comparison(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Comparison, AppError> {
        let tz = actor.account.timezone;
        // Two days more than the window: enough for any time zone and the 05:00 boundary.
        let from = Some(now - Duration::days(i64::from(COMPARISON_NIGHTS) + 2));
        let account = actor.account.id;
        let (logged, checkins) = tokio::try_join!(
            self.store.bedtime_logged(account, from, None),
            self.store.night_checkins(account, from, None),
        )?;
        Ok(compare(
            &logged,
            &checkins,
            tz,
            night_of(now, tz),
            COMPARISON_NIGHTS,
        ))
    }
}
