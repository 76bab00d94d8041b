//! The profile a person gives at sign-up and changes in settings: country, time zone, usual
//! day, the safety question and their therapist's contact, checked once into typed values.

use crate::account::{Email, TherapistContact, pick_timezone};
use crate::checkin::{FieldError, optional_text};
use crate::crisis::Country;
use crate::history::TimeZone;
use crate::rating::Rating;

/// The profile fields of the sign-up and settings forms, as typed.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    /// Country code from the picker; empty for "not chosen".
    pub country: String,
    /// IANA time zone: from the browser's script at sign-up, typed in settings.
    pub timezone: String,
    /// "How does a usual day feel" as typed.
    pub usual_mood: String,
    /// Therapist's name, optional.
    pub therapist_name: String,
    /// Therapist's phone, optional.
    pub therapist_phone: String,
    /// Therapist's email, optional.
    pub therapist_email: String,
    /// Show the safety question on every check-in.
    pub always_ask_safety: bool,
}

/// A checked profile, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The country for the crisis directory.
    pub country: Option<Country>,
    /// The time zone days are counted in.
    pub timezone: TimeZone,
    /// The "usual day" rating.
    pub usual_mood: Option<Rating>,
    /// Whether the safety question is shown on every check-in.
    pub always_ask_safety: bool,
    /// The therapist's contact details.
    pub therapist: TherapistContact,
}

/// What to do with a time zone name we do not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimezoneRule {
    /// Sign-up: the browser may not say; guess from the country.
    GuessWhenUnknown,
    /// Settings: the person typed it; say it is wrong.
    Refuse,
}

impl ProfileInput {
    /// Checks every field, returning the typed profile or every problem found.
    pub fn validate(&self, rule: TimezoneRule) -> Result<Profile, Vec<FieldError>> {
        let mut errors = Vec::new();
        let country = match self.country.trim() {
            "" => None,
            code => Country::parse(code)
                .map_err(|_| {
                    errors.push(FieldError::new(
                        "country",
                        "Please choose a country from the list.",
                    ));
                })
                .ok(),
        };
        let usual_mood = match self.usual_mood.trim() {
            "" => None,
            s => {
                let rating = s.parse::<i64>().ok().and_then(|v| Rating::new(v).ok());
                if rating.is_none() {
                    errors.push(FieldError::new(
                        "usual_mood",
                        "Please give a whole number from 0 to 10.",
                    ));
                }
                rating
            }
        };
        let therapist = TherapistContact {
            name: optional_text(
                "therapist_name",
                Some(self.therapist_name.clone()),
                120,
                &mut errors,
            ),
            phone: optional_text(
                "therapist_phone",
                Some(self.therapist_phone.clone()),
                40,
                &mut errors,
            ),
            email: match self.therapist_email.trim() {
                "" => None,
                s => Email::parse(s)
                    .map_err(|m| errors.push(FieldError::new("therapist_email", m)))
                    .ok(),
            },
        };
        let typed = self.timezone.trim();
        if rule == TimezoneRule::Refuse && TimeZone::parse(typed).is_err() {
            errors.push(FieldError::new(
                "timezone",
                "Please give a time zone name such as Europe/London or America/New_York.",
            ));
        }
        let timezone = pick_timezone(typed, country);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Profile {
            country,
            timezone,
            usual_mood,
            always_ask_safety: self.always_ask_safety,
            therapist,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProfileInput {
        ProfileInput {
            country: "gb".into(),
            timezone: "Europe/Lisbon".into(),
            usual_mood: " 6 ".into(),
            therapist_name: " Dr Ada ".into(),
            therapist_phone: String::new(),
            therapist_email: "Ada@Clinic.example".into(),
            always_ask_safety: true,
        }
    }

    #[test]
    fn a_good_profile_is_typed() {
        let p = input().validate(TimezoneRule::Refuse).unwrap();
        assert_eq!(p.country, Some(Country::Gb));
        assert_eq!(p.timezone.name(), "Europe/Lisbon");
        assert_eq!(p.usual_mood.map(Rating::get), Some(6));
        assert_eq!(p.therapist.name.as_deref(), Some("Dr Ada"));
        assert_eq!(p.therapist.phone, None);
        assert_eq!(
            p.therapist.email.as_ref().map(Email::as_str),
            Some("ada@clinic.example")
        );
        assert!(p.always_ask_safety);
    }

    #[test]
    fn an_unknown_zone_is_guessed_at_sign_up_and_refused_in_settings() {
        let typed = ProfileInput {
            timezone: "Mars/Base".into(),
            ..input()
        };
        let guessed = typed.validate(TimezoneRule::GuessWhenUnknown).unwrap();
        assert_eq!(guessed.timezone.name(), "Europe/London");
        let refused = typed.validate(TimezoneRule::Refuse).unwrap_err();
        assert_eq!(
            refused.iter().map(|e| e.field).collect::<Vec<_>>(),
            ["timezone"]
        );
    }

    #[test]
    fn every_problem_is_named() {
        let bad = ProfileInput {
            country: "JP".into(),
            timezone: "Mars/Base".into(),
            usual_mood: "11".into(),
            therapist_name: "x".repeat(121),
            therapist_phone: "0\u{7}1".into(),
            therapist_email: "ada".into(),
            always_ask_safety: false,
        };
        let errors = bad.validate(TimezoneRule::Refuse).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.field).collect::<Vec<_>>(),
            [
                "country",
                "usual_mood",
                "therapist_name",
                "therapist_phone",
                "therapist_email",
                "timezone"
            ]
        );
    }
}
