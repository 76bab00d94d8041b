//! Guidance kept current as history is written: each account's [`GuidanceSummary`] (what
//! the engine needs from the history, of a size that doesn't grow with it) is updated in the
//! same transaction as every write guidance depends on, its level assessed, and a change of
//! level recorded then and there — once, since the summary's row is the one place the last
//! recorded level is read and written (the single writer on SQLite, a row lock on
//! PostgreSQL). A missing or outdated summary (a first write, a restore, a new time zone, a
//! deletion) is rebuilt from the history, read in the few columns guidance uses; a check-in
//! from long ago sets it aside until the next read (see [`Update::Later`]). Whatever removes
//! a row guidance reads must reassess with [`HistoryChange::Removed`] in its transaction.
//! A level becoming `reach_out` or `urgent` writes its alert emails (see
//! [`crate::outbox`]) in that same transaction, so there is one per change.

use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::guidance::{Added, Guidance, GuidanceSettings, GuidanceSummary, Level, Sensitivity};
use domain::history::{
    CheckInRecord, CopingRecord, History, QuestionnaireRecord, SessionRecord, TimeZone,
};
use domain::rating::Rating;

use crate::StoreError;
use crate::guidance::GuidanceChange;
use crate::rows::{from_ms, ms, rating};

/// What a write changed in the history guidance reads.
#[derive(Debug, Clone)]
pub(crate) enum HistoryChange {
    /// Nothing: only time has passed.
    Nothing,
    /// A new check-in.
    CheckIn(CheckInRecord),
    /// New sessions.
    Sessions(Vec<SessionRecord>),
    /// A new use of a coping tool.
    Coping(CopingRecord),
    /// A new questionnaire.
    Questionnaire(QuestionnaireRecord),
    /// Something was removed: the summary is rebuilt from what is left.
    Removed,
    /// The account's guidance thresholds changed (a therapist set its sensitivity): the
    /// summary is rebuilt for them, and the level assessed with them at once.
    Thresholds,
    /// A stored check-in was changed in place (details added after a one-tap check-in, a
    /// mood corrected): the summary is rebuilt, since a day's mood it already counted may
    /// have changed.
    Edited,
}

impl HistoryChange {
    /// New sessions, as guidance reads them.
    pub(crate) fn sessions(sessions: &[domain::therapy::TherapySession]) -> HistoryChange {
        HistoryChange::Sessions(
            sessions
                .iter()
                .map(|s| SessionRecord { at: s.at })
                .collect(),
        )
    }
}

/// The profile fields guidance reads, as stored: with the account's own thresholds (the
/// sensitivity a therapist may set), which every assessment uses.
#[derive(Debug, Clone)]
pub(crate) struct Basis {
    pub timezone: TimeZone,
    pub usual_mood: Option<Rating>,
    pub settings: GuidanceSettings,
}

/// The account's profile fields guidance reads, in [`BasisColumns`]' order.
pub(crate) const BASIS: &str = "SELECT timezone, usual_mood, low_day_points_tenths, \
     persisting_days FROM accounts WHERE id = $1";

/// The columns of [`BASIS`]: time zone, usual mood, and the two sensitivity thresholds.
pub(crate) type BasisColumns = (String, Option<i64>, Option<i64>, Option<i64>);
/// The same, locking the row until the transaction ends (PostgreSQL), so two writes for one
/// account update it one after the other.
pub(crate) const STORED_FOR_UPDATE: &str =
    "SELECT state, level, updated_ms FROM guidance_summaries WHERE account_id = $1 FOR UPDATE";
/// A row to lock, for an account that has none yet (PostgreSQL).
pub(crate) const PLACEHOLDER: &str = "INSERT INTO guidance_summaries \
     (account_id, state, level, updated_ms) VALUES ($1, '', NULL, 0) \
     ON CONFLICT (account_id) DO NOTHING";
/// Saves the summary and the level now recorded.
pub(crate) const SAVE: &str = "INSERT INTO guidance_summaries \
     (account_id, state, level, updated_ms) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (account_id) DO UPDATE SET state = excluded.state, level = excluded.level, \
     updated_ms = excluded.updated_ms";
/// The last level recorded before the account had a summary.
pub(crate) const LAST_LEVEL: &str = "SELECT level FROM guidance_changes WHERE account_id = $1 \
     ORDER BY at_ms DESC, id DESC LIMIT 1";
/// The state of a summary set aside as outdated.
const OUTDATED_STATE: &str = "";
/// Sets the summary aside as outdated (see [`Update::Later`]); the last level stays.
pub(crate) const OUTDATED: &str =
    "UPDATE guidance_summaries SET state = '', updated_ms = $2 WHERE account_id = $1";
/// Records a change of level.
pub(crate) const RECORD: &str = "INSERT INTO guidance_changes (account_id, at_ms, level, reasons) \
     VALUES ($1, $2, $3, $4)";

/// What a rebuild reads: the whole history, in the few columns guidance uses. A rebuild is
/// rare (a first assessment, a restore, a new time zone, a removal), and only the whole
/// history gives exactly the engine's answer: a low stretch may reach back any distance,
/// and the first questionnaire counts however old.
pub(crate) const CHECKINS: &str = "SELECT at_ms, mood, anxiety, energy, \
     missed_usual_activities, self_harm_thoughts FROM checkins \
     WHERE account_id = $1 ORDER BY at_ms, id";
pub(crate) const SESSIONS: &str =
    "SELECT at_ms FROM therapy_sessions WHERE account_id = $1 ORDER BY at_ms, id";
pub(crate) const COPING: &str = "SELECT started_ms, tool, distress_before, distress_after \
     FROM coping_uses WHERE account_id = $1 ORDER BY started_ms, id";
pub(crate) const QUESTIONNAIRES: &str = "SELECT at_ms, instrument, answers FROM questionnaires \
     WHERE account_id = $1 ORDER BY at_ms, id";

/// The stored profile fields.
pub(crate) fn basis(
    (timezone, usual_mood, low_tenths, persisting): &BasisColumns,
) -> Result<Basis, StoreError> {
    let sensitivity = Sensitivity::from_stored(*low_tenths, *persisting)
        .ok_or_else(|| StoreError::Corrupt("guidance sensitivity".into()))?;
    Ok(Basis {
        timezone: TimeZone::parse(timezone)
            .map_err(|_| StoreError::Corrupt("account time zone".into()))?,
        usual_mood: usual_mood.map(rating).transpose()?,
        settings: sensitivity.settings(),
    })
}

/// What becomes of the stored summary after a change.
pub(crate) enum Update {
    /// It took the change in.
    Ready(Box<GuidanceSummary>),
    /// It must be rebuilt from the history now: there is none, it can't be read, it was kept
    /// in another time zone, or something was removed.
    Rebuild,
    /// A check-in dated before the days it keeps whole, or any check-in while it is set
    /// aside: it is set aside as outdated and rebuilt when guidance is next read (or another
    /// kind of write comes). An import of years of check-ins then costs one rebuild instead
    /// of one per check-in; the level of a check-in written meanwhile is recorded at that
    /// next read.
    Later,
}

/// The stored summary after `change`.
pub(crate) fn updated(state: Option<&str>, basis: &Basis, change: &HistoryChange) -> Update {
    // Already set aside: more check-ins (the rest of an import) leave it so.
    if state == Some(OUTDATED_STATE) && matches!(change, HistoryChange::CheckIn(_)) {
        return Update::Later;
    }
    let Some(mut summary) = state.and_then(|s| serde_json::from_str::<GuidanceSummary>(s).ok())
    else {
        return Update::Rebuild;
    };
    // Kept for other thresholds that look back less far: rebuilt to keep what these need.
    if summary.timezone() != basis.timezone || !summary.covers(&basis.settings) {
        return Update::Rebuild;
    }
    match change {
        HistoryChange::Nothing => {}
        HistoryChange::CheckIn(c) => {
            if summary.add_checkin(c) == Added::NeedsRebuild {
                return Update::Later;
            }
        }
        HistoryChange::Sessions(sessions) => {
            for s in sessions {
                summary.add_session(s);
            }
        }
        HistoryChange::Coping(c) => summary.add_coping(c),
        HistoryChange::Questionnaire(q) => summary.add_questionnaire(q),
        HistoryChange::Removed | HistoryChange::Edited | HistoryChange::Thresholds => {
            return Update::Rebuild;
        }
    }
    Update::Ready(Box::new(summary))
}

/// A check-in's time, mood, anxiety, energy, missed activities and safety answer.
pub(crate) type CheckInColumns = (
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<bool>,
    Option<bool>,
);

/// What guidance reads of a check-in, from the columns of [`CHECKINS`].
pub(crate) fn checkin_record(
    (at, mood, anxiety, energy, missed, harm): CheckInColumns,
) -> Result<CheckInRecord, StoreError> {
    let mut c = CheckInRecord::new(from_ms(at)?, rating(mood)?);
    c.anxiety = anxiety.map(rating).transpose()?;
    c.energy = energy.map(rating).transpose()?;
    c.missed_usual_activities = missed;
    c.self_harm_thoughts = harm;
    Ok(c)
}

/// Rows a rebuild read, as a history.
pub(crate) struct Rebuild {
    pub checkins: Vec<CheckInColumns>,
    pub sessions: Vec<(i64,)>,
    pub coping: Vec<(i64, String, Option<i64>, Option<i64>)>,
    pub questionnaires: Vec<(i64, String, String)>,
}

impl Rebuild {
    /// The summary of these rows, as of `now`.
    pub(crate) fn summary(
        self,
        basis: &Basis,
        now: DateTime<Utc>,
    ) -> Result<GuidanceSummary, StoreError> {
        let mut history = History::new(basis.timezone);
        history.usual_mood = basis.usual_mood;
        history.checkins = self
            .checkins
            .into_iter()
            .map(checkin_record)
            .collect::<Result<_, _>>()?;
        for (at,) in self.sessions {
            history.sessions.push(SessionRecord { at: from_ms(at)? });
        }
        for (at, tool, before, after) in self.coping {
            history.coping.push(CopingRecord {
                at: from_ms(at)?,
                tool: Some(tool),
                distress_before: before.map(rating).transpose()?,
                distress_after: after.map(rating).transpose()?,
            });
        }
        for (at, instrument, answers) in self.questionnaires {
            history.questionnaires.push(QuestionnaireRecord {
                at: from_ms(at)?,
                answers: crate::questionnaires::stored_answers(&instrument, &answers)?,
            });
        }
        Ok(GuidanceSummary::from_history_with(
            &history,
            now,
            &basis.settings,
        ))
    }
}

/// What to write after assessing: the summary as of now, and the change to record when the
/// level differs from the last one.
pub(crate) struct Outcome {
    pub guidance: Guidance,
    pub summary: GuidanceSummary,
    pub change: Option<GuidanceChange>,
}

impl Outcome {
    /// The summary as stored (JSON), and the level now recorded.
    fn to_save(&self) -> Result<(String, &'static str), StoreError> {
        let state = serde_json::to_string(&self.summary)
            .map_err(|e| StoreError::Corrupt(format!("guidance summary: {e}")))?;
        let level = self
            .change
            .as_ref()
            .map_or(self.guidance.level, |c| c.level);
        Ok((state, level.code()))
    }
}

/// Assesses the summary as of `now` against the last recorded level.
pub(crate) fn assess(
    mut summary: GuidanceSummary,
    basis: &Basis,
    last: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    summary.advance(now);
    let guidance = summary.assess(basis.usual_mood, now, &basis.settings);
    let last = last.and_then(Level::parse);
    let change = if last == Some(guidance.level) {
        None
    } else {
        Some(GuidanceChange {
            at: now,
            level: guidance.level,
            reasons: serde_json::to_value(&guidance.reasons)
                .map_err(|e| StoreError::Corrupt(format!("guidance reasons: {e}")))?,
        })
    };
    Ok(Outcome {
        guidance,
        summary,
        change,
    })
}

/// Keeps the account's guidance current after `change`, on the SQLite writer (inside the
/// write's own transaction). The single writer makes read-then-write atomic. A change of
/// level writes its alerts (`alerts`, when mail is configured) in the same transaction.
pub(crate) fn reassess_sqlite(
    conn: &rusqlite::Connection,
    account: AccountId,
    change: &HistoryChange,
    now: DateTime<Utc>,
    alerts: Option<&crate::outbox::AlertMail>,
) -> Result<Option<Guidance>, StoreError> {
    use crate::sqlite::Sql;
    let (tz, usual, low, persisting, state, mut last): crate::guidance::BasisAndSummary = conn
        .row(crate::guidance::BASIS_AND_SUMMARY, &[&account.0])?
        .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    let basis = basis(&(tz, usual, low, persisting))?;
    let summary = match updated(state.as_deref(), &basis, change) {
        Update::Ready(summary) => *summary,
        Update::Rebuild => Rebuild {
            checkins: conn.rows(CHECKINS, &[&account.0])?,
            sessions: conn.rows(SESSIONS, &[&account.0])?,
            coping: conn.rows(COPING, &[&account.0])?,
            questionnaires: conn.rows(QUESTIONNAIRES, &[&account.0])?,
        }
        .summary(&basis, now)?,
        Update::Later => {
            conn.exec(OUTDATED, &[&account.0, &ms(now)])?;
            return Ok(None);
        }
    };
    if state.is_none() {
        last = conn.scalar(LAST_LEVEL, &[&account.0])?;
    }
    let outcome = assess(summary, &basis, last.as_deref(), now)?;
    if let Some(c) = &outcome.change {
        conn.exec(
            RECORD,
            &[
                &account.0,
                &ms(c.at),
                &c.level.code(),
                &c.reasons.to_string(),
            ],
        )?;
        crate::outbox::enqueue_alerts_sqlite(conn, alerts, account, c.level, ms(c.at))?;
    }
    let (state, level) = outcome.to_save()?;
    conn.exec(SAVE, &[&account.0, &state, &level, &ms(now)])?;
    Ok(Some(outcome.guidance))
}

/// The same on PostgreSQL, inside the write's transaction: the summary's row is locked
/// first, so concurrent writes for one account (on any instance) take turns.
pub(crate) async fn reassess_postgres(
    tx: &mut sqlx::PgConnection,
    account: AccountId,
    change: &HistoryChange,
    now: DateTime<Utc>,
    alerts: Option<&crate::outbox::AlertMail>,
) -> Result<Option<Guidance>, StoreError> {
    let columns: BasisColumns = sqlx::query_as(BASIS)
        .bind(account.0)
        .fetch_one(&mut *tx)
        .await?;
    let basis = basis(&columns)?;
    sqlx::query(PLACEHOLDER)
        .bind(account.0)
        .execute(&mut *tx)
        .await?;
    let (state, mut last, updated_ms): (String, Option<String>, i64) =
        sqlx::query_as(STORED_FOR_UPDATE)
            .bind(account.0)
            .fetch_one(&mut *tx)
            .await?;
    // Only the placeholder just made was never written.
    let fresh = updated_ms == 0;
    let summary = match updated((!fresh).then_some(state.as_str()), &basis, change) {
        Update::Ready(summary) => *summary,
        Update::Later => {
            sqlx::query(OUTDATED)
                .bind(account.0)
                .bind(ms(now))
                .execute(&mut *tx)
                .await?;
            return Ok(None);
        }
        Update::Rebuild => Rebuild {
            checkins: sqlx::query_as(CHECKINS)
                .bind(account.0)
                .fetch_all(&mut *tx)
                .await?,
            sessions: sqlx::query_as(SESSIONS)
                .bind(account.0)
                .fetch_all(&mut *tx)
                .await?,
            coping: sqlx::query_as(COPING)
                .bind(account.0)
                .fetch_all(&mut *tx)
                .await?,
            questionnaires: sqlx::query_as(QUESTIONNAIRES)
                .bind(account.0)
                .fetch_all(&mut *tx)
                .await?,
        }
        .summary(&basis, now)?,
    };
    if fresh {
        last = sqlx::query_scalar(LAST_LEVEL)
            .bind(account.0)
            .fetch_optional(&mut *tx)
            .await?;
    }
    let outcome = assess(summary, &basis, last.as_deref(), now)?;
    if let Some(c) = &outcome.change {
        sqlx::query(RECORD)
            .bind(account.0)
            .bind(ms(c.at))
            .bind(c.level.code())
            .bind(c.reasons.to_string())
            .execute(&mut *tx)
            .await?;
        crate::outbox::enqueue_alerts_postgres(tx, alerts, account, c.level, ms(c.at)).await?;
    }
    let (state, level) = outcome.to_save()?;
    sqlx::query(SAVE)
        .bind(account.0)
        .bind(state)
        .bind(level)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
    Ok(Some(outcome.guidance))
}

/// The guidance of a reassessment that only time or a removal asked for, which is always
/// assessed (only a new check-in can be set aside for later).
pub(crate) fn assessed(guidance: Option<Guidance>) -> Result<Guidance, StoreError> {
    guidance.ok_or_else(|| StoreError::Corrupt("guidance was set aside, not assessed".into()))
}

/// Today's guidance from a stored summary without writing, when it can be had that way:
/// `None` when the summary is missing or outdated, or the level differs from the one last
/// recorded (the caller then reassesses on the writer, which records the change once).
pub(crate) fn read_only(
    columns: &BasisColumns,
    stored: Option<(String, Option<String>)>,
    now: DateTime<Utc>,
) -> Result<Option<Guidance>, StoreError> {
    let basis = basis(columns)?;
    let Some((state, last)) = stored else {
        return Ok(None);
    };
    let Update::Ready(summary) = updated(Some(&state), &basis, &HistoryChange::Nothing) else {
        return Ok(None);
    };
    let outcome = assess(*summary, &basis, last.as_deref(), now)?;
    Ok(outcome.change.is_none().then_some(outcome.guidance))
}
