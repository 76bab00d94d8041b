//! What a therapist may change for a client, and nothing else: assign homework (scope
//! `session_prep`), and set how sensitive the client's guidance is to lower days (scope
//! `checkins`), within the bounds of [`domain::guidance::Sensitivity`]. Each goes through the
//! therapist gate ([`App::open_client_to_act`]) and appends an audit row of kind `action`
//! the client reads; looking at either is a read, audited like every other.

use chrono::{DateTime, Utc};
use domain::guidance::{Guidance, SensitivityInput, Tuning};
use domain::homework::{Homework, HomeworkInput};
use domain::idempotency::Written;
use domain::sharing::{GrantId, Scope};

use crate::therapist::OpenClient;
use crate::{Actor, App, AppError, HomeworkStatus};

/// The audit log's word for assigning homework.
pub const AUDIT_HOMEWORK: &str = "homework";
/// The audit log's word for changing guidance sensitivity.
pub const AUDIT_SENSITIVITY: &str = "sensitivity";

/// The name a client sees for what a therapist did: their display name, else their email.
fn therapist_name(actor: &Actor) -> String {
    let account = actor.account();
    account
        .display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| account.email.as_str().to_string())
}

/// A client's sensitivity as the therapist sees it, with the client's name and grant.
#[derive(Debug, Clone)]
pub struct ClientSensitivity {
    /// The opened client (their grant id and the name the client chose).
    pub client: OpenClient,
    /// The thresholds in force and who set them.
    pub tuning: Tuning,
}

/// Homework a therapist assigned to a client, with how it is going.
#[derive(Debug, Clone)]
pub struct AssignedHomework {
    /// The opened client.
    pub client: OpenClient,
    /// The client's time zone, which days are counted in.
    pub timezone: domain::history::TimeZone,
    /// What this therapist assigned, oldest first, finished too.
    pub homework: Vec<HomeworkStatus>,
}

impl App {
    /// Assigns homework to a client (scope `session_prep`), once per client id: it joins the
    /// client's own list marked with the therapist's name. A new assignment appends an
    /// audit row of kind `action`; a retry with the same content gives back the stored
    /// homework, and with other content is a client-id conflict.
    pub async fn assign_homework(
        &self,
        actor: &Actor,
        grant: GrantId,
        input: HomeworkInput,
        endpoint: &str,
    ) -> Result<(Homework, Written), AppError> {
        let open = self
            .open_client_to_act(actor, grant, Some(Scope::SessionPrep))
            .await?;
        let client = open.client_account();
        let today = client.timezone.local_day(Utc::now());
        let homework = input.validate(today).map_err(AppError::Invalid)?;
        let name = therapist_name(actor);
        let stored = self
            .store
            .assign_homework(client.id, actor.account().id, &name, &homework)
            .await?;
        match stored.1 {
            Written::Existing => {
                if !homework.same_submission(&stored.0)
                    || stored.0.from_therapist.as_deref() != Some(name.as_str())
                {
                    return Err(AppError::ClientIdConflict);
                }
            }
            Written::Created => {
                self.audit_action(&open, AUDIT_HOMEWORK, endpoint).await?;
            }
        }
        Ok(stored)
    }

    /// The homework this therapist assigned to a client, with how it is going as of `now`
    /// (scope `session_prep`; a read the client's audit log records).
    pub async fn assigned_homework(
        &self,
        actor: &Actor,
        grant: GrantId,
        endpoint: &str,
        now: DateTime<Utc>,
    ) -> Result<AssignedHomework, AppError> {
        let open = self
            .open_client(
                actor,
                grant,
                Some(Scope::SessionPrep),
                Scope::SessionPrep.code(),
                endpoint,
            )
            .await?;
        let client = open.client_account().clone();
        let (ids, all) = tokio::try_join!(
            async {
                Ok::<_, AppError>(
                    self.store
                        .homework_assigned_by(client.id, actor.account().id)
                        .await?,
                )
            },
            self.homework(open.client(), true, now),
        )?;
        let homework = all
            .into_iter()
            .filter(|h| ids.contains(&h.homework.id))
            .collect();
        Ok(AssignedHomework {
            client: open,
            timezone: client.timezone,
            homework,
        })
    }

    /// A client's guidance sensitivity (scope `checkins`; a read the audit log records).
    pub async fn client_sensitivity(
        &self,
        actor: &Actor,
        grant: GrantId,
        endpoint: &str,
    ) -> Result<ClientSensitivity, AppError> {
        let open = self
            .open_client(
                actor,
                grant,
                Some(Scope::Checkins),
                AUDIT_SENSITIVITY,
                endpoint,
            )
            .await?;
        let tuning = open.client_account().guidance.clone();
        Ok(ClientSensitivity {
            client: open,
            tuning,
        })
    }

    /// Sets a client's guidance sensitivity within its bounds (scope `checkins`; a missing
    /// threshold is its default, so an empty input resets both). The client's guidance is
    /// reassessed at once with the new thresholds, and an audit row of kind `action` is
    /// appended. Gives back the sensitivity now in force and the guidance it gives.
    pub async fn set_client_sensitivity(
        &self,
        actor: &Actor,
        grant: GrantId,
        input: &SensitivityInput,
        endpoint: &str,
    ) -> Result<(ClientSensitivity, Guidance), AppError> {
        let open = self
            .open_client_to_act(actor, grant, Some(Scope::Checkins))
            .await?;
        let sensitivity = input.validate().map_err(AppError::Invalid)?;
        let client = open.client_account().id;
        let now = Utc::now();
        let guidance = self
            .store
            .set_sensitivity(client, &sensitivity, &therapist_name(actor), now)
            .await?;
        self.audit_action(&open, AUDIT_SENSITIVITY, endpoint)
            .await?;
        let tuning = self
            .store
            .account(client)
            .await?
            .ok_or(AppError::NotFound)?
            .guidance;
        Ok((
            ClientSensitivity {
                client: open,
                tuning,
            },
            guidance,
        ))
    }
}
