//! Signing up, signing in and out, sessions, API tokens and operator-created users.

use std::net::IpAddr;

use chrono::{Duration, Utc};
use domain::account::{Account, Email, Role, TherapistContact, check_new_password};
use domain::checkin::FieldError;
use domain::rating::Rating;
use store::{FailureCount, NewAccount, Profile};

use crate::rate_limit::{self, LoginLimits};
use crate::tokens::{self, API_TOKEN_PREFIX, SessionToken};
use crate::{Actor, App, AppError};

/// How long a browser stays signed in.
const SESSION_DAYS: i64 = 30;

/// What the "create your account" form sends, as typed.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    /// Email as typed.
    pub email: String,
    /// Password as typed.
    pub password: String,
    /// Everything else, shared with the settings page.
    pub profile: ProfileInput,
}

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

/// What to do with a time zone name we do not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimezoneRule {
    /// Sign-up: the browser may not say; guess from the country.
    GuessWhenUnknown,
    /// Settings: the person typed it; say it is wrong.
    Refuse,
}

fn parse_profile(
    input: &ProfileInput,
    rule: TimezoneRule,
    errors: &mut Vec<FieldError>,
) -> Option<Profile> {
    let before = errors.len();
    let country = match input.country.trim() {
        "" => None,
        code => match domain::crisis::Country::parse(code) {
            Ok(c) => Some(c.code().to_string()),
            Err(_) => {
                errors.push(FieldError::new(
                    "country",
                    "Please choose a country from the list.",
                ));
                None
            }
        },
    };
    let usual_mood = match input.usual_mood.trim() {
        "" => None,
        s => match s.parse::<i64>().ok().and_then(|v| Rating::new(v).ok()) {
            Some(r) => Some(r),
            None => {
                errors.push(FieldError::new(
                    "usual_mood",
                    "Please give a whole number from 0 to 10.",
                ));
                None
            }
        },
    };
    let therapist = TherapistContact {
        name: optional(&input.therapist_name, 120, "therapist_name", errors),
        phone: optional(&input.therapist_phone, 40, "therapist_phone", errors),
        email: match input.therapist_email.trim() {
            "" => None,
            s => match Email::parse(s) {
                Ok(e) => Some(e.as_str().to_string()),
                Err(m) => {
                    errors.push(FieldError::new("therapist_email", m));
                    None
                }
            },
        },
    };
    let typed = input.timezone.trim();
    if rule == TimezoneRule::Refuse && typed.parse::<chrono_tz::Tz>().is_err() {
        errors.push(FieldError::new(
            "timezone",
            "Please give a time zone name such as Europe/London or America/New_York.",
        ));
    }
    let timezone = domain::account::pick_timezone(typed, country.as_deref());
    (errors.len() == before).then_some(Profile {
        country,
        timezone,
        usual_mood,
        always_ask_safety: input.always_ask_safety,
        therapist,
    })
}

/// A user made by an operator on the command line.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Email as typed.
    pub email: String,
    /// Password as typed.
    pub password: String,
    /// Role.
    pub role: Role,
}

fn forget_after(limits: &LoginLimits) -> Duration {
    Duration::from_std(limits.forget_after).unwrap_or(Duration::days(1))
}

fn optional(
    s: &str,
    max: usize,
    field: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let s = match domain::text::clean(field, s) {
        Ok(s) => s,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let s = s.trim();
    if s.is_empty() {
        None
    } else if s.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("Please keep this under {max} characters."),
        ));
        None
    } else {
        Some(s.to_string())
    }
}

impl App {
    /// Whether the sign-up page may create an account now: always on a fresh install,
    /// afterwards only when the operator opened sign-up.
    pub async fn sign_up_open(&self) -> Result<bool, AppError> {
        Ok(self.open_signup || self.store.account_count().await? == 0)
    }

    /// Whether nobody has an account yet (the first visit offers sign-up).
    pub async fn is_fresh_install(&self) -> Result<bool, AppError> {
        Ok(self.store.account_count().await? == 0)
    }

    /// Creates a client account from the sign-up form and signs it in.
    pub async fn sign_up(&self, form: SignUp) -> Result<(Account, SessionToken), AppError> {
        if !self.sign_up_open().await? {
            return Err(AppError::Forbidden);
        }
        let mut errors = Vec::new();
        let email = Email::parse(&form.email)
            .map_err(|m| errors.push(FieldError::new("email", m)))
            .ok();
        if let Err(m) = check_new_password(&form.password) {
            errors.push(FieldError::new("password", m));
        }
        let profile = parse_profile(&form.profile, TimezoneRule::GuessWhenUnknown, &mut errors);
        let (Some(email), Some(profile)) = (email, profile.filter(|_| errors.is_empty())) else {
            return Err(AppError::Invalid(errors));
        };
        let password_hash = self.passwords.hash(form.password).await?;
        let account = self
            .store
            .create_account(&NewAccount {
                email,
                password_hash,
                role: Role::Client,
                country: profile.country,
                timezone: profile.timezone,
                usual_mood: profile.usual_mood,
                therapist: profile.therapist,
            })
            .await?;
        let token = self.start_session(&account).await?;
        Ok((account, token))
    }

    /// Saves the actor's own settings and returns the updated account.
    pub async fn update_profile(
        &self,
        actor: &Actor,
        input: &ProfileInput,
    ) -> Result<Account, AppError> {
        let mut errors = Vec::new();
        match parse_profile(input, TimezoneRule::Refuse, &mut errors) {
            Some(profile) => Ok(self
                .store
                .update_profile(actor.account.id, &profile)
                .await?),
            None => Err(AppError::Invalid(errors)),
        }
    }

    /// Creates a user from the command line (any role).
    pub async fn add_user(&self, user: NewUser) -> Result<Account, AppError> {
        let email = Email::parse(&user.email).map_err(|m| AppError::field("email", m))?;
        check_new_password(&user.password).map_err(|m| AppError::field("password", m))?;
        let password_hash = self.passwords.hash(user.password).await?;
        Ok(self
            .store
            .create_account(&NewAccount {
                email,
                password_hash,
                role: user.role,
                country: None,
                timezone: "UTC".into(),
                usual_mood: None,
                therapist: TherapistContact::default(),
            })
            .await?)
    }

    /// Checks an email and password and starts a session. `address` is the client's network
    /// address, used only to count failures.
    ///
    /// Failures are counted per (email, address) and per address; an address with too many
    /// recent failures must wait, growing with each further failure. The same work is done
    /// whether the email has an account or not, so timing does not tell.
    pub async fn sign_in(
        &self,
        email: &str,
        password: String,
        address: Option<IpAddr>,
    ) -> Result<(Account, SessionToken), AppError> {
        let email = Email::parse(email).map_err(|_| AppError::Unauthenticated)?;
        let address = rate_limit::address_label(address);
        let pair_key = tokens::hash(&format!("pair\n{}\n{address}", email.as_str()));
        let address_key = tokens::hash(&format!("address\n{address}"));
        let limits = self.login_limits;
        let now = Utc::now();
        let since = now - forget_after(&limits);
        // Attempts this instance is checking right now count as failures until they are
        // known not to be, so a burst of simultaneous guesses cannot all pass this check.
        let (in_flight, before) = self
            .sign_ins_in_flight
            .enter(&[pair_key.clone(), address_key.clone()]);
        let mut wait = None;
        for ((key, free), in_flight) in [
            (&pair_key, limits.free_per_account_address),
            (&address_key, limits.free_per_address),
        ]
        .into_iter()
        .zip(before)
        {
            let stored = self.store.sign_in_failures(key, since).await?;
            let count = match stored {
                _ if in_flight > 0 => Some(FailureCount {
                    failures: stored.map_or(0, |c| c.failures) + in_flight,
                    last_at: now,
                }),
                other => other,
            };
            if let Some(secs) = count.and_then(|c| limits.wait(c, free, now)) {
                wait = wait.max(Some(secs));
            }
        }
        if let Some(retry_after_secs) = wait {
            return Err(AppError::RateLimited { retry_after_secs });
        }
        let found = self.store.account_for_sign_in(&email).await?;
        let (account, stored) = match found {
            Some((a, h)) => (Some(a), Some(h)),
            None => (None, None),
        };
        let ok = self.passwords.verify(password, stored).await?;
        let outcome = match account.filter(|_| ok) {
            Some(account) => {
                self.store.clear_sign_in_failures(&pair_key).await?;
                let token = self.start_session(&account).await?;
                Ok((account, token))
            }
            None => {
                let now = Utc::now();
                self.store
                    .record_sign_in_failure(
                        &[pair_key, address_key],
                        now,
                        now - forget_after(&limits),
                    )
                    .await?;
                Err(AppError::Unauthenticated)
            }
        };
        drop(in_flight);
        outcome
    }

    async fn start_session(&self, account: &Account) -> Result<SessionToken, AppError> {
        let token = SessionToken {
            secret: tokens::random_hex(),
            csrf: tokens::random_hex(),
        };
        self.store
            .create_session(
                account.id,
                &tokens::hash(&token.secret),
                &token.csrf,
                Utc::now() + Duration::days(SESSION_DAYS),
            )
            .await?;
        Ok(token)
    }

    /// The actor and form token for a session cookie, if it is valid.
    pub async fn session(&self, secret: &str) -> Result<Option<(Actor, String)>, AppError> {
        let found = self
            .store
            .session(&tokens::hash(secret), Utc::now())
            .await?;
        Ok(found.map(|s| (Actor { account: s.account }, s.csrf_token)))
    }

    /// Ends a session.
    pub async fn sign_out(&self, secret: &str) -> Result<(), AppError> {
        Ok(self.store.delete_session(&tokens::hash(secret)).await?)
    }

    /// Creates a personal API token for an account, returned once and stored only hashed.
    pub async fn create_api_token(&self, email: &str, label: &str) -> Result<String, AppError> {
        let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
        let (account, _) = self
            .store
            .account_for_sign_in(&email)
            .await?
            .ok_or_else(|| AppError::field("email", "No account has that email address."))?;
        let token = format!("{API_TOKEN_PREFIX}{}", tokens::random_hex());
        self.store
            .create_api_token(account.id, &tokens::hash(&token), label)
            .await?;
        Ok(token)
    }

    /// The actor a bearer token stands for.
    pub async fn bearer(&self, token: &str) -> Result<Actor, AppError> {
        if !token.starts_with(API_TOKEN_PREFIX) {
            return Err(AppError::Unauthenticated);
        }
        self.store
            .account_for_api_token(&tokens::hash(token))
            .await?
            .map(|account| Actor { account })
            .ok_or(AppError::Unauthenticated)
    }
}
