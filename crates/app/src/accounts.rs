//! Signing up, signing in and out, sessions, API tokens and operator-created users.

use std::net::IpAddr;

use chrono::{Duration, Utc};
use domain::account::{Account, Email, Role, TherapistContact, check_new_password};
use domain::checkin::FieldError;
use domain::history::TimeZone;
use domain::profile::{ProfileInput, TimezoneRule};
use store::{FailureCount, NewAccount};

use crate::rate_limit::{self, InFlightGuard, LoginLimits};
use crate::tokens::{self, SessionToken};
use crate::two_step::SignInStep;
use crate::{Actor, App, AppError};

/// A sign-in attempt under way: the keys its failure would count under, and its place among
/// the attempts in flight, held until it is dropped.
pub(crate) struct SignInAttempt {
    pub(crate) pair_key: String,
    pub(crate) address_key: String,
    _in_flight: InFlightGuard,
}

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
    /// The browser's User-Agent header, read only for its coarse family (never stored).
    pub user_agent: Option<String>,
    /// Whether the person signs up as a therapist (to see what clients share with them)
    /// rather than to keep their own log.
    pub as_therapist: bool,
    /// A therapist's name as their clients will see it; required for a therapist, not
    /// used otherwise.
    pub display_name: String,
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
    /// `--country`: a two-letter code, checked; `None` leaves it for the welcome page.
    pub country: Option<String>,
    /// `--timezone`: an IANA name, checked; `None` is UTC until the welcome page asks.
    pub timezone: Option<String>,
}

fn forget_after(limits: &LoginLimits) -> Duration {
    Duration::from_std(limits.forget_after).unwrap_or(Duration::days(1))
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
        // A therapist keeps no log: the questions about their own usual day and their own
        // therapist are not theirs to answer, so whatever those fields hold is left out.
        let mut profile_input = form.profile.clone();
        if form.as_therapist {
            profile_input.usual_mood = String::new();
            profile_input.therapist_name = String::new();
            profile_input.therapist_phone = String::new();
            profile_input.therapist_email = String::new();
        }
        let profile = profile_input
            .validate(TimezoneRule::GuessWhenUnknown)
            .map_err(|e| errors.extend(e))
            .ok();
        let display_name = if form.as_therapist {
            domain::account::check_display_name(&form.display_name)
                .map_err(|e| errors.push(e))
                .ok()
        } else {
            None
        };
        let (Some(email), Some(profile)) = (email, profile.filter(|_| errors.is_empty())) else {
            return Err(AppError::Invalid(errors));
        };
        let password_hash = self.passwords.hash(form.password).await?;
        let account = self
            .store
            .create_account(&NewAccount {
                email,
                password_hash,
                role: if form.as_therapist {
                    Role::Therapist
                } else {
                    Role::Client
                },
                country: profile.country,
                timezone: profile.timezone,
                usual_mood: profile.usual_mood,
                therapist: profile.therapist,
            })
            .await?;
        let account = match display_name {
            Some(name) => self.store.set_display_name(account.id, &name).await?,
            None => account,
        };
        // Sign-up asks the first-run questions itself (the time zone comes from the
        // browser), so the welcome page does not ask them again.
        self.store.mark_onboarded(account.id).await?;
        let token = self
            .start_session(&account, form.user_agent.as_deref())
            .await?;
        Ok((account, token))
    }

    /// Saves the actor's own settings and returns the updated account.
    pub async fn update_profile(
        &self,
        actor: &Actor,
        input: &ProfileInput,
    ) -> Result<Account, AppError> {
        let profile = input
            .validate(TimezoneRule::Refuse)
            .map_err(AppError::Invalid)?;
        Ok(self
            .store
            .update_profile(actor.account.id, &profile)
            .await?)
    }

    /// Changes the name a therapist's clients see (therapists only).
    pub async fn set_display_name(&self, actor: &Actor, raw: &str) -> Result<Account, AppError> {
        if !actor.account.is_therapist() {
            return Err(AppError::Forbidden);
        }
        let name =
            domain::account::check_display_name(raw).map_err(|e| AppError::Invalid(vec![e]))?;
        Ok(self.store.set_display_name(actor.account.id, &name).await?)
    }

    /// Creates a user from the command line (any role).
    pub async fn add_user(&self, user: NewUser) -> Result<Account, AppError> {
        let email = Email::parse(&user.email).map_err(|m| AppError::field("email", m))?;
        check_new_password(&user.password).map_err(|m| AppError::field("password", m))?;
        let (country, timezone) = crate::account_life::operator_profile(
            user.country.as_deref(),
            user.timezone.as_deref(),
        )?;
        let password_hash = self.passwords.hash(user.password).await?;
        let account = self
            .store
            .create_account(&NewAccount {
                email,
                password_hash,
                role: user.role,
                country,
                timezone: timezone.unwrap_or(TimeZone::UTC),
                usual_mood: None,
                therapist: TherapistContact::default(),
            })
            .await?;
        // With both given, the operator answered the first-run questions that matter: the
        // person is not asked them after signing in.
        if country.is_some() && timezone.is_some() {
            self.store.mark_onboarded(account.id).await?;
        }
        Ok(account)
    }

    /// Checks an email and password and starts a session, or, for an account with two-step
    /// sign-in on, a sign-in that waits for its code ([`SignInStep::NeedsCode`]; see
    /// [`App::finish_sign_in`]). `address` is the client's network address, used only to
    /// count failures; `user_agent` is read only for the coarse browser family the device
    /// list shows.
    ///
    /// Failures are counted per (email, address) and per address; an address with too many
    /// recent failures must wait, growing with each further failure. The same work is done
    /// whether the email has an account or not, so timing does not tell.
    pub async fn sign_in(
        &self,
        email: &str,
        password: String,
        address: Option<IpAddr>,
        user_agent: Option<&str>,
    ) -> Result<SignInStep, AppError> {
        let email = Email::parse(email).map_err(|_| AppError::Unauthenticated)?;
        let attempt = self.sign_in_attempt(&email, address).await?;
        let found = self.store.account_for_sign_in(&email).await?;
        let (account, stored) = match found {
            Some((a, h)) => (Some(a), Some(h)),
            None => (None, None),
        };
        let ok = self.passwords.verify(password, stored).await?;
        let outcome = match account.filter(|_| ok) {
            // The pair's failures are forgotten only once the code is right too: otherwise
            // the right password would hand a guesser of codes fresh free tries.
            Some(account) if account.second_factor_enrolled => Ok(SignInStep::NeedsCode(
                self.begin_pending_sign_in(&account, user_agent).await?,
            )),
            Some(account) => {
                self.store.clear_sign_in_failures(&attempt.pair_key).await?;
                let token = self.start_session(&account, user_agent).await?;
                Ok(SignInStep::Done(account, token))
            }
            None => {
                self.record_sign_in_failure(&attempt).await?;
                Err(AppError::Unauthenticated)
            }
        };
        drop(attempt);
        outcome
    }

    /// Begins a sign-in attempt for `email` from `address`: [`AppError::RateLimited`] when
    /// either key has had too many recent failures. The attempt counts as in flight until
    /// it is dropped.
    pub(crate) async fn sign_in_attempt(
        &self,
        email: &Email,
        address: Option<IpAddr>,
    ) -> Result<SignInAttempt, AppError> {
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
        Ok(SignInAttempt {
            pair_key,
            address_key,
            _in_flight: in_flight,
        })
    }

    /// Counts a failed attempt (a wrong password, or a wrong second-step code) under both
    /// of its keys.
    pub(crate) async fn record_sign_in_failure(
        &self,
        attempt: &SignInAttempt,
    ) -> Result<(), AppError> {
        let now = Utc::now();
        self.store
            .record_sign_in_failure(
                &[attempt.pair_key.clone(), attempt.address_key.clone()],
                now,
                now - forget_after(&self.login_limits),
            )
            .await?;
        Ok(())
    }

    async fn start_session(
        &self,
        account: &Account,
        user_agent: Option<&str>,
    ) -> Result<SessionToken, AppError> {
        self.start_session_on(
            account,
            &crate::devices::browser_family(user_agent.unwrap_or("")),
        )
        .await
    }

    /// Starts a session for `account` on a device of this coarse browser family.
    pub(crate) async fn start_session_on(
        &self,
        account: &Account,
        device: &str,
    ) -> Result<SessionToken, AppError> {
        let token = SessionToken {
            secret: tokens::random_hex(),
            csrf: tokens::random_hex(),
        };
        self.store
            .create_device_session(
                account.id,
                &tokens::hash(&token.secret),
                &token.csrf,
                Utc::now() + Duration::days(SESSION_DAYS),
                device,
            )
            .await?;
        Ok(token)
    }

    /// Ends a session.
    pub async fn sign_out(&self, secret: &str) -> Result<(), AppError> {
        Ok(self.store.delete_session(&tokens::hash(secret)).await?)
    }
}
