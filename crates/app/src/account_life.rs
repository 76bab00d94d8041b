//! The start and end of an account: the first-run questions after an account made without
//! them, the operator's list of accounts, and deleting an account with everything in it.

use domain::account::{Account, Email};
use domain::checkin::FieldError;
use domain::crisis::Country;
use domain::profile::{Profile, ProfileInput, TimezoneRule};
use store::AccountListing;

use crate::{Actor, App, AppError};

/// The account's current settings, as a profile to change one part of.
fn profile_of(a: &Account) -> Profile {
    Profile {
        country: a.country,
        timezone: a.timezone,
        usual_mood: a.usual_mood,
        always_ask_safety: a.always_ask_safety,
        therapist: a.therapist.clone(),
    }
}

impl App {
    /// Whether the person should see the welcome page after signing in: their account has
    /// no country yet (so "Get help now" cannot show their lines), or nobody ever chose its
    /// time zone.
    pub async fn needs_welcome(&self, account: &Account) -> Result<bool, AppError> {
        if account.country.is_none() {
            return Ok(true);
        }
        Ok(!self.store.onboarded(account.id).await?)
    }

    /// Saves the welcome page's answers over the account's settings and marks it through
    /// the first-run questions. Every answer may be left empty. An empty time zone is guessed
    /// from the country (the page works without its script); one typed but unknown is
    /// refused. The page does not ask about the safety question, so its caller passes the
    /// account's own setting.
    pub async fn finish_welcome(
        &self,
        actor: &Actor,
        input: &ProfileInput,
    ) -> Result<Account, AppError> {
        let rule = if input.timezone.trim().is_empty() {
            TimezoneRule::GuessWhenUnknown
        } else {
            TimezoneRule::Refuse
        };
        let profile = input.validate(rule).map_err(AppError::Invalid)?;
        let account = self
            .store
            .update_profile(actor.account.id, &profile)
            .await?;
        self.store.mark_onboarded(actor.account.id).await?;
        Ok(account)
    }

    /// Saves only the country (the short question on "Get help now"), keeping every other
    /// setting as it is.
    pub async fn choose_country(&self, actor: &Actor, code: &str) -> Result<Account, AppError> {
        let country = Country::parse(code)
            .map_err(|_| AppError::field("country", "Please choose a country from the list."))?;
        let profile = Profile {
            country: Some(country),
            ..profile_of(&actor.account)
        };
        Ok(self
            .store
            .update_profile(actor.account.id, &profile)
            .await?)
    }

    /// Every account for the operator: email, role, since when, country and the time of the
    /// latest check-in, nothing more.
    pub async fn account_listing(&self) -> Result<Vec<AccountListing>, AppError> {
        Ok(self.store.account_listing().await?)
    }

    /// Deletes the signed-in person's own account and everything in it, once they have
    /// given their password again. A wrong password is [`AppError::Forbidden`] and deletes
    /// nothing; after as many wrong ones as sign-in allows, [`AppError::RateLimited`].
    pub async fn delete_own_account(
        &self,
        actor: &Actor,
        password: String,
    ) -> Result<(), AppError> {
        let stored = self
            .store
            .account_for_sign_in(&actor.account.email)
            .await?
            .map(|(_, hash)| hash);
        if stored.is_none() {
            // Deleted a moment ago, from another device: nothing is left to delete.
            return Err(AppError::Unauthenticated);
        }
        // Wrong passwords are counted as at sign-in, per account: a borrowed session must
        // not become a way to guess the password without the sign-in page's limits.
        let key = crate::tokens::hash(&format!("delete-account\n{}", actor.account.email.as_str()));
        let limits = self.login_limits;
        let now = chrono::Utc::now();
        let forget =
            chrono::Duration::from_std(limits.forget_after).unwrap_or(chrono::Duration::days(1));
        if let Some(count) = self.store.sign_in_failures(&key, now - forget).await?
            && let Some(retry_after_secs) = limits.wait(count, limits.free_per_account_address, now)
        {
            return Err(AppError::RateLimited { retry_after_secs });
        }
        if !self.passwords.verify(password, stored).await? {
            let now = chrono::Utc::now();
            self.store
                .record_sign_in_failure(&[key], now, now - forget)
                .await?;
            return Err(AppError::Forbidden);
        }
        self.store.delete_account(actor.account.id).await?;
        Ok(())
    }

    /// Deletes the account with this email and everything in it (the operator's command),
    /// returning what it was.
    pub async fn delete_account_by_email(&self, email: &str) -> Result<Account, AppError> {
        let account = self.account_by_email(email).await?;
        self.store.delete_account(account.id).await?;
        Ok(account)
    }

    /// The account with this email, for the operator's commands.
    pub async fn account_by_email(&self, email: &str) -> Result<Account, AppError> {
        let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
        let (account, _) = self
            .store
            .account_for_sign_in(&email)
            .await?
            .ok_or_else(|| AppError::field("email", "No account has that email address."))?;
        Ok(account)
    }
}

/// Checks the `--country` and `--timezone` of `between user add`: each is `None` when not
/// given, and either refused with a message naming the accepted values.
pub(crate) fn operator_profile(
    country: Option<&str>,
    timezone: Option<&str>,
) -> Result<(Option<Country>, Option<domain::history::TimeZone>), AppError> {
    let mut errors = Vec::new();
    let country = match country {
        None => None,
        Some(code) => Country::parse(code)
            .map_err(|_| {
                let codes: Vec<&str> = Country::all().iter().map(|c| c.code()).collect();
                errors.push(FieldError::new(
                    "country",
                    format!("unknown country {code:?}: use one of {}", codes.join(", ")),
                ));
            })
            .ok(),
    };
    let timezone = match timezone {
        None => None,
        Some(name) => domain::history::TimeZone::parse(name)
            .map_err(|_| {
                errors.push(FieldError::new(
                    "timezone",
                    format!(
                        "unknown time zone {name:?}: use an IANA name such as Europe/London or America/New_York"
                    ),
                ));
            })
            .ok(),
    };
    if errors.is_empty() {
        Ok((country, timezone))
    } else {
        Err(AppError::Invalid(errors))
    }
}
