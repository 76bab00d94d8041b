//! Therapy sessions, the post-session check-in and the agenda.

use chrono::{DateTime, Duration, Utc};
use domain::idempotency::Written;
use domain::therapy::{
    AgendaItem, AgendaItemId, NewSession, Reflection, ReflectionInput, TherapySession,
    TherapySessionId,
};
use store::{NewSessions, StoredReflection};
use uuid::Uuid;

use crate::{Actor, App, AppError};

/// Days after a session on which the post-session check-in is offered (the day itself, the
/// next day, and three days later), because reactions often arrive late.
pub const REFLECTION_OFFSET_DAYS: [i64; 3] = [0, 1, 3];

/// How far back the sessions page looks for a session not yet reflected on.
pub const UNREFLECTED_DAYS: i64 = 7;

/// A session whose follow-up check-in is due today.
#[derive(Debug, Clone)]
pub struct ReflectionDue {
    /// The session.
    pub session: TherapySession,
    /// Whole local days since it (0, 1 or 3).
    pub days_after: i64,
}

impl App {
    /// Adds a session (or a repeating series) once per client id and re-assesses guidance.
    /// A retry returns what the first try stored; one asking for something else is
    /// [`AppError::ClientIdConflict`].
    pub async fn add_session(
        &self,
        actor: &Actor,
        new: NewSession,
    ) -> Result<(Vec<TherapySession>, Written), AppError> {
        let series = new.repeat.every_days().map(|_| Uuid::new_v4());
        let added = self
            .store
            .add_therapy_sessions(
                actor.account.id,
                &NewSessions {
                    client_id: new.client_id,
                    at: &new.occurrences(),
                    note: new.note.as_deref(),
                    series,
                    repeat: new.repeat,
                },
            )
            .await?;
        if added.written == Written::Existing {
            let same = added
                .sessions
                .first()
                .is_some_and(|first| new.same_submission(first, added.repeat));
            if !same {
                return Err(AppError::ClientIdConflict);
            }
            return Ok((added.sessions, Written::Existing));
        }
        Ok((added.sessions, Written::Created))
    }

    /// The actor's sessions in a range, oldest first.
    pub async fn sessions(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<TherapySession>, AppError> {
        Ok(self
            .store
            .therapy_sessions(actor.account.id, from, to)
            .await?)
    }

    /// The next session after `now`, if one is planned.
    pub async fn next_session(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<TherapySession>, AppError> {
        Ok(self
            .store
            .next_therapy_session(actor.account.id, now)
            .await?)
    }

    /// Removes a session (and, if asked, the later ones of its series).
    pub async fn delete_session(
        &self,
        actor: &Actor,
        id: TherapySessionId,
        and_later: bool,
    ) -> Result<(), AppError> {
        let removed = self
            .store
            .delete_therapy_session(actor.account.id, id, and_later)
            .await?;
        if removed == 0 {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    /// One of the actor's sessions; [`AppError::NotFound`] when it is not theirs.
    pub async fn therapy_session(
        &self,
        actor: &Actor,
        id: TherapySessionId,
    ) -> Result<TherapySession, AppError> {
        self.store
            .therapy_session(actor.account.id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The most recent session of the last [`UNREFLECTED_DAYS`] days that has no
    /// post-session check-in yet: the sessions page offers it first, whatever the day, so a
    /// reflection missed on the day it was due is still one tap away.
    pub async fn unreflected_session(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<TherapySession>, AppError> {
        let since = now - Duration::days(UNREFLECTED_DAYS);
        let (past, done) = tokio::try_join!(
            self.store
                .therapy_sessions(actor.account.id, Some(since), Some(now)),
            self.store.reflections_since(actor.account.id, since),
        )?;
        Ok(past
            .into_iter()
            .rev()
            .find(|s| !done.iter().any(|r| r.session_id == Some(s.id))))
    }

    /// The most recent past session whose follow-up check-in is due today and not yet done.
    pub async fn reflection_due(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<ReflectionDue>, AppError> {
        let tz = actor.account.timezone;
        let today = tz.local_day(now);
        let past = self
            .store
            .therapy_sessions(actor.account.id, Some(now - Duration::days(4)), Some(now))
            .await?;
        let done = self
            .store
            .reflections_since(actor.account.id, now - Duration::days(5))
            .await?;
        for session in past.into_iter().rev() {
            let days_after = (today - tz.local_day(session.at)).num_days();
            if !REFLECTION_OFFSET_DAYS.contains(&days_after) {
                continue;
            }
            let answered_today = done
                .iter()
                .any(|r| r.session_id == Some(session.id) && tz.local_day(r.at) == today);
            if !answered_today {
                return Ok(Some(ReflectionDue {
                    session,
                    days_after,
                }));
            }
        }
        Ok(None)
    }

    /// Stores a post-session check-in; its topics join the agenda.
    pub async fn record_reflection(
        &self,
        actor: &Actor,
        session_id: Option<TherapySessionId>,
        input: ReflectionInput,
    ) -> Result<(Reflection, StoredReflection, Written), AppError> {
        let reflection = input.validate().map_err(AppError::Invalid)?;
        let (stored, written) = self
            .store
            .insert_reflection(actor.account.id, session_id, Utc::now(), &reflection)
            .await?;
        // Topics are not kept on the check-in itself (they became agenda topics, which the
        // person may have changed since), so the retry is compared on what it keeps.
        // What came up is a set: the same answers in another order are the same check-in.
        let same = stored.session_feeling == reflection.session_feeling
            && stored.came_up.len() == reflection.came_up.len()
            && stored
                .came_up
                .iter()
                .all(|c| reflection.came_up.contains(c))
            && stored.feedback == reflection.feedback;
        if written == Written::Existing && !same {
            return Err(AppError::ClientIdConflict);
        }
        Ok((reflection, stored, written))
    }

    /// The agenda for the next session.
    pub async fn agenda(
        &self,
        actor: &Actor,
        include_discussed: bool,
    ) -> Result<Vec<AgendaItem>, AppError> {
        Ok(self
            .store
            .agenda(actor.account.id, include_discussed)
            .await?)
    }

    /// Marks a topic discussed, or open again.
    pub async fn set_agenda_discussed(
        &self,
        actor: &Actor,
        id: AgendaItemId,
        discussed: bool,
    ) -> Result<(), AppError> {
        let at = discussed.then(Utc::now);
        if self
            .store
            .set_agenda_discussed(actor.account.id, id, at)
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}
