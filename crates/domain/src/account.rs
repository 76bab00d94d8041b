//! Accounts: who a person is to the app, their role and the profile they gave at sign-up.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::checkin::FieldError;
use crate::crisis::Country;
use crate::history::TimeZone;

crate::id::id_type! {
    /// The database id of an account.
    AccountId
}

/// What an account may do: clients log their own data, therapists see what is shared with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A person in therapy who keeps their own log.
    Client,
    /// A therapist who sees what clients choose to share.
    Therapist,
    /// An operator who manages the installation.
    Admin,
}

impl Role {
    /// The stored name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Therapist => "therapist",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored or typed role name.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "client" => Some(Role::Client),
            "therapist" => Some(Role::Therapist),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A normalised email address (trimmed, lower-case, one `@` with text on both sides).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses an email address, or says kindly what is wrong with it.
    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err("Please enter your email address.");
        }
        // No spaces, and no control characters (NUL included) that could hide in an address.
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("That doesn't look like an email address.");
        }
        match s.split_once('@') {
            Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.contains('@') =>
            {
                Ok(Email(s))
            }
            _ => Err("That doesn't look like an email address (it needs an @ and a domain)."),
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shortest password we accept; long passphrases beat complex short ones.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password we accept, so hashing cost stays bounded.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Checks a new password's length, with a kind message when it does not fit.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Err(format!(
            "Please use at least {MIN_PASSWORD_CHARS} characters. A few words together make a good password."
        ))
    } else if n > MAX_PASSWORD_CHARS {
        Err(format!(
            "Please use at most {MAX_PASSWORD_CHARS} characters."
        ))
    } else {
        Ok(())
    }
}

/// The time zone to count a person's days in: the browser's own when it is a real IANA
/// name, else the main zone of their country, else UTC. (Countries with several zones get
/// their most populous one; the person can correct it in settings.)
pub fn pick_timezone(browser: &str, country: Option<Country>) -> TimeZone {
    if let Ok(zone) = TimeZone::parse(browser.trim()) {
        return zone;
    }
    let by_country = match country {
        Some(Country::Us) => Tz::America__New_York,
        Some(Country::Ca) => Tz::America__Toronto,
        Some(Country::Gb) => Tz::Europe__London,
        Some(Country::Ie) => Tz::Europe__Dublin,
        Some(Country::Au) => Tz::Australia__Sydney,
        Some(Country::Nz) => Tz::Pacific__Auckland,
        Some(Country::De) => Tz::Europe__Berlin,
        Some(Country::Fr) => Tz::Europe__Paris,
        Some(Country::Es) => Tz::Europe__Madrid,
        Some(Country::Nl) => Tz::Europe__Amsterdam,
        Some(Country::In) => Tz::Asia__Kolkata,
        Some(Country::Europe) | None => Tz::UTC,
    };
    TimeZone::from(by_country)
}

/// How to reach the person's therapist; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TherapistContact {
    /// The therapist's name as the person writes it.
    pub name: Option<String>,
    /// A phone number, as typed.
    pub phone: Option<String>,
    /// An email address, checked like the sign-in address.
    pub email: Option<Email>,
}

/// An account as the rest of the app sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// Database id.
    pub id: AccountId,
    /// Sign-in address.
    pub email: Email,
    /// What the account may do.
    pub role: Role,
    /// The person's country, for the crisis directory; `None` until they choose one.
    pub country: Option<Country>,
    /// The IANA time zone days are counted in.
    pub timezone: TimeZone,
    /// How a usual day feels, 0–10, asked at sign-up; the baseline until there is enough data.
    pub usual_mood: Option<crate::rating::Rating>,
    /// Whether the safety question is shown on every check-in.
    pub always_ask_safety: bool,
    /// The therapist's contact details.
    pub therapist: TherapistContact,
    /// A therapist's name as their clients see it; `None` for other accounts.
    pub display_name: Option<String>,
    /// How sensitive guidance is to lower days, and which therapist set it.
    pub guidance: crate::guidance::Tuning,
    /// Whether signing in takes a second step (a code from an authenticator app) because the
    /// person turned it on and confirmed it with a first code.
    #[serde(default)]
    pub second_factor_enrolled: bool,
}

/// Longest name a therapist may give as the one clients see.
pub const MAX_DISPLAY_NAME_CHARS: usize = 80;

/// Checks the name a therapist gives clients: required, trimmed, at most
/// [`MAX_DISPLAY_NAME_CHARS`] characters.
pub fn check_display_name(raw: &str) -> Result<String, FieldError> {
    let cleaned = crate::text::clean("display_name", raw)?;
    let name = cleaned.trim();
    if name.is_empty() {
        Err(FieldError::new(
            "display_name",
            "Please write the name your clients will see, such as \"Dr Sam Rivera\".",
        ))
    } else if name.contains(['\n', '\t']) {
        Err(FieldError::new(
            "display_name",
            "Please keep the name on one line.",
        ))
    } else if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        Err(FieldError::new(
            "display_name",
            format!("Please keep the name under {MAX_DISPLAY_NAME_CHARS} characters."),
        ))
    } else {
        Ok(name.to_string())
    }
}

impl Account {
    /// Whether this is a therapist's account (kept off clients' own pages).
    pub fn is_therapist(&self) -> bool {
        self.role == Role::Therapist
    }

    /// The guidance engine's settings for this person.
    pub fn guidance_settings(&self) -> crate::guidance::GuidanceSettings {
        self.guidance.sensitivity.settings()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Sam@Example.ORG ").map(|e| e.as_str().to_string()),
            Ok("sam@example.org".to_string())
        );
        for bad in [
            "",
            "sam",
            "sam@",
            "@x.org",
            "sam@localhost",
            "a b@x.org",
            "a@b@c.org",
            "sam\u{0}@x.org",
            "sam@x.org\u{7f}",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn password_length_is_bounded() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("ten chars!").is_ok());
        assert!(check_new_password(&"x".repeat(257)).is_err());
    }

    #[test]
    fn timezone_prefers_the_browser_then_the_country() {
        let name = |browser, country| pick_timezone(browser, country).name();
        assert_eq!(name("Europe/Lisbon", Some(Country::Gb)), "Europe/Lisbon");
        assert_eq!(name(" Europe/Lisbon ", None), "Europe/Lisbon");
        assert_eq!(name("Mars/Olympus", Some(Country::Gb)), "Europe/London");
        assert_eq!(name("", Some(Country::In)), "Asia/Kolkata");
        assert_eq!(name("", Some(Country::Europe)), "UTC");
        assert_eq!(name("", None), "UTC");
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::Client, Role::Therapist, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
