//! The urgent rules: self-harm thoughts reported, or PHQ-9 item 9 above 0.

use super::days::days_before;
use super::facts::Facts;
use super::reason::Reason;
use super::settings::GuidanceSettings;

/// Fires when the latest check-in that answered the safety question said yes (on a tie in
/// time a "yes" wins: an answer at the same instant never hides it; see `Facts`).
pub(crate) fn self_harm_thoughts(facts: &Facts<'_>) -> Option<Reason> {
    let (when, yes) = facts.self_harm?;
    yes.then(|| Reason::SelfHarmThoughts {
        day: facts.tz.local_day(when),
    })
}

/// Fires for a PHQ-9 in the window whose item 9 is above 0.
pub(crate) fn phq9_item9(facts: &Facts<'_>, settings: &GuidanceSettings) -> Option<Reason> {
    let start = days_before(
        facts.today,
        settings.phq9_item9_window_days.saturating_sub(1),
    );
    let latest = facts.item9.latest_from(start)?;
    Some(Reason::Phq9Item9 {
        day: latest.day.0,
        item9: latest.item9,
        window_days: settings.phq9_item9_window_days,
    })
}
