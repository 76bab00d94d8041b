//! The profile questions, as typed: asked when signing up, on the welcome page and in
//! settings, so each form keeps what was typed and fills in what the account holds the same
//! way.

use app::ProfileInput;
use domain::account::Account;
use serde::Deserialize;

/// Country, time zone, usual mood and the therapist's contact, as typed. A form that asks
/// more takes these in with `#[serde(flatten)]`.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ProfileFields {
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub timezone: String,
    #[serde(default)]
    pub usual_mood: String,
    #[serde(default)]
    pub therapist_name: String,
    #[serde(default)]
    pub therapist_phone: String,
    #[serde(default)]
    pub therapist_email: String,
}

impl ProfileFields {
    /// What the account holds.
    pub fn of(a: &Account) -> ProfileFields {
        ProfileFields {
            country: a.country.map(|c| c.code().to_string()).unwrap_or_default(),
            timezone: a.timezone.name().to_string(),
            usual_mood: a.usual_mood.map(|r| r.to_string()).unwrap_or_default(),
            therapist_name: a.therapist.name.clone().unwrap_or_default(),
            therapist_phone: a.therapist.phone.clone().unwrap_or_default(),
            therapist_email: a
                .therapist
                .email
                .as_ref()
                .map(|e| e.as_str().to_string())
                .unwrap_or_default(),
        }
    }

    /// The answers as a profile, with whether the safety question is always asked.
    pub fn profile(&self, always_ask_safety: bool) -> ProfileInput {
        ProfileInput {
            country: self.country.clone(),
            timezone: self.timezone.clone(),
            usual_mood: self.usual_mood.clone(),
            therapist_name: self.therapist_name.clone(),
            therapist_phone: self.therapist_phone.clone(),
            therapist_email: self.therapist_email.clone(),
            always_ask_safety,
        }
    }
}
