//! Two-step sign-in: turning it on with an authenticator app (TOTP, see `totp`), ten one-time
//! recovery codes, turning it off, and the second step of signing in.
//!
//! Recovery codes are 80 random bits each (16 characters from an alphabet of 32), and are
//! kept as the SHA-256 of the account's id and the code. A slow hash such as the password's
//! protects a secret that people choose, and so may be guessed from a short list; 2^80
//! candidates cannot be tried at any hash speed, so a fast hash loses nothing here.

use chrono::{DateTime, Duration, Utc};
use domain::account::{Account, Role};
use rand::Rng;

use crate::tokens::{self, SessionToken};
use crate::totp;
use crate::{Actor, App, AppError};

/// How many recovery codes are made at a time.
pub const RECOVERY_CODES: usize = 10;

/// How long a sign-in waits for its second step after the right password.
pub const PENDING_MINUTES: i64 = 5;

/// The characters of a recovery code: lower-case letters and digits without `i`, `l`, `o`
/// and `1`, which are easily mistaken for one another (32 of them, 5 bits each).
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz023456789";

/// Characters in a recovery code: 16, so 80 bits.
const RECOVERY_CHARS: usize = 16;

/// Where the second step stands for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoStepStatus {
    /// Whether signing in asks for a code.
    pub enrolled: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: i64,
    /// Whether the account may turn it off (a therapist's may not).
    pub may_turn_off: bool,
}

/// What the "turn on" page shows: the new secret, as a key to type and as a link for the
/// QR code. Never logged.
#[derive(Clone)]
pub struct Enrolment {
    /// The key in base32, as apps take it.
    pub key: String,
    /// The `otpauth://` link the QR code holds.
    pub uri: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(<redacted>)")
    }
}

/// What signing in with a password leads to.
#[derive(Debug)]
pub enum SignInStep {
    /// Signed in: the account and its new session.
    Done(Account, SessionToken),
    /// The password was right and the account asks for a code: the secret of the waiting
    /// sign-in, for a short-lived cookie. It is not a session.
    NeedsCode(PendingToken),
}

/// The secret of a sign-in waiting for its code.
#[derive(Clone)]
pub struct PendingToken(pub String);

impl std::fmt::Debug for PendingToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingToken(<redacted>)")
    }
}

/// Ten new recovery codes, as shown once (`xxxx-xxxx-xxxx-xxxx`).
fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..RECOVERY_CHARS)
                .map(|_| char::from(RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())]))
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A recovery code as typed, in the form it is hashed: lower case, without spaces and
/// dashes; `None` when it cannot be one.
fn normalise_recovery(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (code.len() == RECOVERY_CHARS && code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)))
        .then_some(code)
}

/// What is kept of a recovery code: bound to its account, so equal codes of two accounts
/// (however unlikely) differ.
fn recovery_hash(account: &Account, normalised: &str) -> String {
    tokens::hash(&format!("recovery code\n{}\n{normalised}", account.id.0))
}

fn forget_after(app: &App) -> Duration {
    Duration::from_std(app.login_limits.forget_after).unwrap_or(Duration::days(1))
}

impl App {
    /// Where the actor's second step stands.
    pub async fn two_step_status(&self, actor: &Actor) -> Result<TwoStepStatus, AppError> {
        let factor = self.store.second_factor(actor.account.id).await?;
        let enrolled = factor.is_some_and(|f| f.enrolled_at.is_some());
        let recovery_codes_left = if enrolled {
            self.store.recovery_codes_left(actor.account.id).await?
        } else {
            0
        };
        Ok(TwoStepStatus {
            enrolled,
            recovery_codes_left,
            may_turn_off: actor.account.role != Role::Therapist,
        })
    }

    /// The secret to turn the second step on with: the one already waiting for its first
    /// code (so a reload shows the same QR code), or a new one. [`AppError::Forbidden`] when
    /// it is on already.
    pub async fn begin_two_step(&self, actor: &Actor) -> Result<Enrolment, AppError> {
        let id = actor.account.id;
        let secret = match self.store.second_factor(id).await? {
            Some(f) if f.enrolled_at.is_some() => return Err(AppError::Forbidden),
            Some(f) => totp::from_base32(&f.secret)
                .ok_or_else(|| AppError::internal("a stored second-step secret is not base32"))?,
            None => {
                let secret = totp::new_secret();
                if !self
                    .store
                    .begin_second_factor(id, &totp::base32(&secret), Utc::now())
                    .await?
                {
                    return Err(AppError::Forbidden);
                }
                secret
            }
        };
        Ok(Enrolment {
            key: totp::base32(&secret),
            uri: totp::otpauth_uri(&secret, actor.account.email.as_str()),
        })
    }

    /// Turns the second step on once `code` shows the app holds the waiting secret; returns
    /// the ten recovery codes, shown this once. A wrong code is a `code` field error.
    pub async fn confirm_two_step(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<Vec<String>, AppError> {
        let wrong = || {
            AppError::field(
                "code",
                "That code didn't match. Please check the app shows \u{201c}Between\u{201d} \
                 with your email, and type the six digits it shows now.",
            )
        };
        let id = actor.account.id;
        let factor = match self.store.second_factor(id).await? {
            Some(f) if f.enrolled_at.is_none() => f,
            Some(_) => return Err(AppError::Forbidden),
            None => return Err(AppError::NotFound),
        };
        let secret = totp::from_base32(&factor.secret)
            .ok_or_else(|| AppError::internal("a stored second-step secret is not base32"))?;
        let now = Utc::now();
        let Some(step) = totp::verify(&secret, code, now.timestamp(), factor.last_step) else {
            return Err(wrong());
        };
        let codes = new_recovery_codes();
        let hashes = self.recovery_hashes(&actor.account, &codes);
        if !self
            .store
            .confirm_second_factor(id, step, &hashes, now)
            .await?
        {
            return Err(AppError::Forbidden);
        }
        Ok(codes)
    }

    /// Makes ten new recovery codes in place of the old ones, once `proof` (a current code,
    /// or the password) is right; returns them, shown this once.
    pub async fn regenerate_recovery_codes(
        &self,
        actor: &Actor,
        proof: &str,
    ) -> Result<Vec<String>, AppError> {
        self.check_proof(actor, proof).await?;
        let codes = new_recovery_codes();
        let hashes = self.recovery_hashes(&actor.account, &codes);
        self.store
            .replace_recovery_codes(actor.account.id, &hashes, Utc::now())
            .await?;
        Ok(codes)
    }

    /// Turns the second step off once `proof` (a current code, or the password) is right.
    /// A therapist's account may not: [`AppError::Forbidden`].
    pub async fn turn_off_two_step(&self, actor: &Actor, proof: &str) -> Result<(), AppError> {
        if actor.account.role == Role::Therapist {
            return Err(AppError::Forbidden);
        }
        self.check_proof(actor, proof).await?;
        self.store.remove_second_factor(actor.account.id).await?;
        Ok(())
    }

    /// Turns two-step sign-in off for the account with this email (the operator's `between
    /// user two-step-off`, for someone who lost both phone and recovery codes); `false` when
    /// it had none. A therapist's account must then turn it on again before client data.
    pub async fn turn_off_two_step_for(&self, email: &str) -> Result<bool, AppError> {
        let actor = self.operator_actor(email).await?;
        Ok(self.store.remove_second_factor(actor.account.id).await?)
    }

    fn recovery_hashes(&self, account: &Account, codes: &[String]) -> Vec<String> {
        codes
            .iter()
            .filter_map(|c| normalise_recovery(c))
            .map(|c| recovery_hash(account, &c))
            .collect()
    }

    /// Checks that the signed-in person is at the keyboard: six digits are checked as a
    /// current code (and used up), anything else as the password. Wrong answers count per
    /// account with the sign-in limits, as when changing the password. A wrong one is a
    /// `proof` field error.
    async fn check_proof(&self, actor: &Actor, proof: &str) -> Result<(), AppError> {
        let limits = self.login_limits;
        let now = Utc::now();
        let since = now - forget_after(self);
        let key = tokens::hash(&format!("two-step settings\n{}", actor.account.id.0));
        if let Some(count) = self.store.sign_in_failures(&key, since).await?
            && let Some(retry_after_secs) = limits.wait(count, limits.free_per_account_address, now)
        {
            return Err(AppError::RateLimited { retry_after_secs });
        }
        let ok = if totp::normalise_code(proof).is_some() {
            self.code_is_right(&actor.account, proof, now).await?
        } else {
            let stored = self
                .store
                .account_for_sign_in(&actor.account.email)
                .await?
                .map(|(_, hash)| hash);
            !proof.is_empty() && self.passwords.verify(proof.to_string(), stored).await?
        };
        if ok {
            self.store.clear_sign_in_failures(&key).await?;
            Ok(())
        } else {
            self.store
                .record_sign_in_failure(std::slice::from_ref(&key), Utc::now(), since)
                .await?;
            Err(AppError::field(
                "proof",
                "That isn't a current code from your app or your password. Please try again.",
            ))
        }
    }

    /// Whether `code` is a current authenticator code of the account's confirmed secret not
    /// used before; when it is, its step is used up.
    async fn code_is_right(
        &self,
        account: &Account,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let Some(factor) = self.store.second_factor(account.id).await? else {
            return Ok(false);
        };
        if factor.enrolled_at.is_none() {
            return Ok(false);
        }
        let secret = totp::from_base32(&factor.secret)
            .ok_or_else(|| AppError::internal("a stored second-step secret is not base32"))?;
        match totp::verify(&secret, code, now.timestamp(), factor.last_step) {
            // One statement decides, so two requests with the same code can't both pass.
            Some(step) => Ok(self.store.use_second_factor_step(account.id, step).await?),
            None => Ok(false),
        }
    }

    /// Whether `typed` is a current code, or one of the account's unused recovery codes
    /// (which is then used up).
    async fn second_step_is_right(
        &self,
        account: &Account,
        typed: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        if totp::normalise_code(typed).is_some() {
            return self.code_is_right(account, typed, now).await;
        }
        match normalise_recovery(typed) {
            Some(code) => Ok(self
                .store
                .use_recovery_code(account.id, &recovery_hash(account, &code), now)
                .await?),
            None => Ok(false),
        }
    }

    /// Keeps a sign-in waiting for its code for [`PENDING_MINUTES`], and gives the secret
    /// for its cookie.
    pub(crate) async fn begin_pending_sign_in(
        &self,
        account: &Account,
        user_agent: Option<&str>,
    ) -> Result<PendingToken, AppError> {
        let secret = tokens::random_hex();
        let now = Utc::now();
        self.store
            .begin_pending_sign_in(
                account.id,
                &tokens::hash(&secret),
                &crate::devices::browser_family(user_agent.unwrap_or("")),
                now,
                now + Duration::minutes(PENDING_MINUTES),
            )
            .await?;
        Ok(PendingToken(secret))
    }

    /// Whether a sign-in waits for its code under this cookie secret (unexpired).
    pub async fn sign_in_waiting(&self, pending: &str) -> Result<bool, AppError> {
        if pending.is_empty() {
            return Ok(false);
        }
        Ok(self
            .store
            .pending_sign_in(&tokens::hash(pending), Utc::now())
            .await?
            .is_some())
    }

    /// The second step of signing in: the waiting sign-in of this cookie secret, and a
    /// current code or a recovery code. Starts the session and ends the waiting sign-in.
    ///
    /// [`AppError::NotFound`] when no sign-in waits (expired, used, or never begun): the
    /// person signs in again. A wrong code is [`AppError::Unauthenticated`] and counts as a
    /// failed sign-in, under the same limits as a wrong password.
    pub async fn finish_sign_in(
        &self,
        pending: &str,
        typed: &str,
        address: Option<std::net::IpAddr>,
    ) -> Result<(Account, SessionToken), AppError> {
        let hash = tokens::hash(pending);
        let now = Utc::now();
        let waiting = self
            .store
            .pending_sign_in(&hash, now)
            .await?
            .ok_or(AppError::NotFound)?;
        let account = waiting.account;
        let attempt = self.sign_in_attempt(&account.email, address).await?;
        if !self.second_step_is_right(&account, typed, now).await? {
            self.record_sign_in_failure(&attempt).await?;
            return Err(AppError::Unauthenticated);
        }
        // Used once: of two requests racing with right codes, only one ends it.
        if !self.store.end_pending_sign_in(&hash).await? {
            return Err(AppError::NotFound);
        }
        self.store.clear_sign_in_failures(&attempt.pair_key).await?;
        let token = self.start_session_on(&account, &waiting.device).await?;
        drop(attempt);
        Ok((account, token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_distinct_and_read_back_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        for c in &codes {
            assert_eq!(c.len(), 19, "{c}");
            let plain = normalise_recovery(c).unwrap();
            assert_eq!(plain.len(), 16);
            assert_eq!(
                normalise_recovery(&c.to_uppercase()).as_deref(),
                Some(&*plain)
            );
            assert_eq!(
                normalise_recovery(&c.replace('-', " ")).as_deref(),
                Some(&*plain)
            );
        }
        assert_eq!(normalise_recovery("abcd-efgh-jkmn-pqr"), None);
        assert_eq!(normalise_recovery("abcd-efgh-jkmn-pqri"), None);
        assert_eq!(normalise_recovery("123456"), None);
    }
}
