//! The urgent rules: self-harm thoughts reported, or PHQ-9 item 9 above 0.

use chrono::{DateTime, NaiveDate, Utc};

use super::days::days_before;
use super::reason::Reason;
use super::settings::GuidanceSettings;
use crate::history::History;
use crate::questionnaire::Instrument;

/// Fires when the latest check-in that answered the safety question said yes.
pub(crate) fn self_harm_thoughts(history: &History, at: DateTime<Utc>) -> Option<Reason> {
    // On a tie in time a "yes" wins: we never let an answer at the same instant hide it.
    let (when, yes) = history
        .checkins
        .iter()
        .filter(|c| c.at <= at)
        .filter_map(|c| c.self_harm_thoughts.map(|yes| (c.at, yes)))
        .max()?;
    yes.then(|| Reason::SelfHarmThoughts {
        day: history.local_day(when),
    })
}

/// Fires for a PHQ-9 in the window whose item 9 is above 0.
pub(crate) fn phq9_item9(
    history: &History,
    at: DateTime<Utc>,
    today: NaiveDate,
    settings: &GuidanceSettings,
) -> Option<Reason> {
    let start = days_before(today, settings.phq9_item9_window_days.saturating_sub(1));
    let (when, item9) = history
        .questionnaires
        .iter()
        .filter(|q| q.at <= at && q.answers.instrument() == Instrument::Phq9)
        .filter(|q| history.local_day(q.at) >= start)
        .filter_map(|q| q.answers.item(9).filter(|v| *v > 0).map(|v| (q.at, v)))
        .max_by_key(|(when, _)| *when)?;
    Some(Reason::Phq9Item9 {
        day: history.local_day(when),
        item9,
        window_days: settings.phq9_item9_window_days,
    })
}
