//! Random secrets (session cookies, CSRF tokens, API tokens) and the hashes we store
//! instead; and personal API tokens: made with a name and an optional expiry, listed,
//! revoked, and refused once expired.

use chrono::{Duration, Utc};
use domain::checkin::FieldError;
use rand::RngCore;
use sha2::{Digest, Sha256};
use store::ApiToken;

use crate::devices::is_stale;
use crate::{Actor, App, AppError};

/// A 128-bit random value as 32 hex characters.
pub(crate) fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the database keeps of a secret: its SHA-256, so a leaked table opens nothing.
pub(crate) fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new browser session's secret (for the cookie) and its form token.
#[derive(Clone)]
pub struct SessionToken {
    /// The cookie value; shown only to the browser that signed in.
    pub secret: String,
    /// The token every form in this session must carry.
    pub csrf: String,
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// Prefix that makes a Between API token recognisable (for secret scanners and people).
pub(crate) const API_TOKEN_PREFIX: &str = "btw_";

/// The name a token gets when its maker gives none (`between token create EMAIL`); a second
/// one becomes "personal token 2", and so on.
pub const DEFAULT_TOKEN_NAME: &str = "personal token";

/// The longest token name, in characters: enough to say what it is for.
pub const MAX_TOKEN_NAME_CHARS: usize = 60;

/// The longest expiry a token can be given, in days (ten years).
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// The expiries the settings page offers, in days.
pub const OFFERED_TOKEN_DAYS: [u32; 3] = [30, 90, 365];

/// A new API token: what is stored about it, and its secret, shown this once.
pub struct NewApiToken {
    /// The stored token (name, times, public id).
    pub token: ApiToken,
    /// The secret to give to the program that will use it; never stored.
    pub secret: String,
}

impl std::fmt::Debug for NewApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiToken")
            .field("token", &self.token)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Reads an expiry such as `90d` (a whole number of days, 1 to 3650); the message says
/// what is accepted.
pub fn parse_expiry_days(text: &str) -> Result<u32, String> {
    let refuse = || {
        format!(
            "{text:?} is not an expiry this understands: use a number of days followed by d,              such as 30d, 90d or 365d (from 1d to {MAX_TOKEN_DAYS}d)"
        )
    };
    let digits = text.trim().strip_suffix(['d', 'D']).ok_or_else(refuse)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse());
    }
    match digits.parse::<u32>() {
        Ok(days) if (1..=MAX_TOKEN_DAYS).contains(&days) => Ok(days),
        _ => Err(refuse()),
    }
}

/// A token name as typed, trimmed, or what is wrong with it.
fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    let problem = if name.is_empty() {
        Some("Please give the token a name, such as the app or program that will use it.".into())
    } else if name.chars().count() > MAX_TOKEN_NAME_CHARS {
        Some(format!(
            "Please use at most {MAX_TOKEN_NAME_CHARS} characters for the name."
        ))
    } else if name.chars().any(char::is_control) {
        Some("Please keep the name on one line.".to_string())
    } else {
        None
    };
    match problem {
        Some(m) => Err(AppError::Invalid(vec![FieldError::new("name", m)])),
        None => Ok(name.to_string()),
    }
}

impl App {
    /// Makes a personal API token for the actor, named `name` (unique among theirs),
    /// expiring after `expires_in_days` when given. The secret is returned once; only its
    /// hash is kept.
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        expires_in_days: Option<u32>,
    ) -> Result<NewApiToken, AppError> {
        // A token reads what a session reads, without asking for a code again: a therapist
        // makes one only with two-step sign-in on. The operator's command passes, since
        // whoever runs it already holds the database.
        if actor.account.role == domain::account::Role::Therapist && !actor.second_factor_ok() {
            return Err(AppError::SecondFactorNeeded);
        }
        let name = check_name(name)?;
        let expires_at = match expires_in_days {
            Some(days) if (1..=MAX_TOKEN_DAYS).contains(&days) => {
                Some(Utc::now() + Duration::days(i64::from(days)))
            }
            Some(_) => {
                return Err(AppError::field(
                    "expires",
                    format!("Please choose an expiry from 1 to {MAX_TOKEN_DAYS} days."),
                ));
            }
            None => None,
        };
        let secret = format!("{API_TOKEN_PREFIX}{}", random_hex());
        match self
            .store
            .add_api_token(actor.account.id, &hash(&secret), &name, expires_at)
            .await
        {
            Ok(token) => Ok(NewApiToken { token, secret }),
            Err(store::StoreError::Conflict { .. }) => Err(AppError::field(
                "name",
                format!(
                    "You already have a token called \u{201c}{name}\u{201d}. Please choose \
                     another name, or revoke that one first."
                ),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Makes a token for the account with this email (the operator's `between token
    /// create`). Without a name it is "personal token", or the first of "personal token 2",
    /// "personal token 3"… not taken yet, so the command works as often as it is run.
    pub async fn create_token_for(
        &self,
        email: &str,
        name: Option<&str>,
        expires_in_days: Option<u32>,
    ) -> Result<NewApiToken, AppError> {
        let actor = self.operator_actor(email).await?;
        if let Some(name) = name {
            return self.create_token(&actor, name, expires_in_days).await;
        }
        let taken: Vec<String> = self
            .store
            .api_tokens(actor.account.id)
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect();
        let name = (1..)
            .map(|n| match n {
                1 => DEFAULT_TOKEN_NAME.to_string(),
                n => format!("{DEFAULT_TOKEN_NAME} {n}"),
            })
            .find(|candidate| !taken.contains(candidate))
            .unwrap_or_else(|| DEFAULT_TOKEN_NAME.to_string());
        self.create_token(&actor, &name, expires_in_days).await
    }

    /// The actor's API tokens, oldest first (never their secrets).
    pub async fn api_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, AppError> {
        Ok(self.store.api_tokens(actor.account.id).await?)
    }

    /// Revokes the actor's token with public id `id`; [`AppError::NotFound`] when none.
    pub async fn revoke_token(&self, actor: &Actor, id: &str) -> Result<(), AppError> {
        if self.store.revoke_api_token(actor.account.id, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Revokes the token named `name` of the account with this email (the operator's
    /// `between token revoke`); [`AppError::NotFound`] when it has none of that name.
    pub async fn revoke_token_named(&self, email: &str, name: &str) -> Result<(), AppError> {
        let actor = self.operator_actor(email).await?;
        let found = self
            .store
            .api_tokens(actor.account.id)
            .await?
            .into_iter()
            .find(|t| t.name == name.trim())
            .ok_or(AppError::NotFound)?;
        self.revoke_token(&actor, &found.id).await
    }

    /// The tokens of the account with this email (the operator's `between token list`).
    pub async fn api_tokens_for(&self, email: &str) -> Result<Vec<ApiToken>, AppError> {
        let actor = self.operator_actor(email).await?;
        self.api_tokens(&actor).await
    }

    /// The actor a bearer token stands for: unknown and expired tokens are refused alike.
    /// Notes when it was used, at most once a minute.
    pub async fn bearer(&self, token: &str) -> Result<Actor, AppError> {
        if !token.starts_with(API_TOKEN_PREFIX) {
            return Err(AppError::Unauthenticated);
        }
        let token_hash = hash(token);
        let now = Utc::now();
        let (account, token) = self
            .store
            .api_token(&token_hash)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if token.expires_at.is_some_and(|at| at <= now) {
            return Err(AppError::Unauthenticated);
        }
        if is_stale(token.last_used_at, now) {
            self.store.touch_api_token(&token_hash, now).await?;
        }
        Ok(Actor::new(account, crate::AuthMethod::Token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hashed() {
        let (a, b) = (random_hex(), random_hex());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert_eq!(hash("x").len(), 64);
        assert_ne!(hash(&a), a);
        let t = SessionToken {
            secret: a.clone(),
            csrf: b,
        };
        assert!(!format!("{t:?}").contains(&a));
    }

    #[test]
    fn expiries_are_whole_days() {
        assert_eq!(parse_expiry_days("90d"), Ok(90));
        assert_eq!(parse_expiry_days("1D"), Ok(1));
        assert_eq!(parse_expiry_days("3650d"), Ok(3650));
        for bad in [
            "90", "d", "0d", "-5d", "3651d", "1.5d", "90days", "1w", " d", "+3d",
        ] {
            let message = parse_expiry_days(bad).unwrap_err();
            assert!(message.contains("such as 30d"), "{bad}: {message}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  my phone ").ok().as_deref(), Some("my phone"));
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(61)).is_err());
        assert!(check_name("two\nlines").is_err());
    }
}
