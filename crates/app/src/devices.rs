//! The devices a person is signed in on, and their password: seeing and ending sessions,
//! changing the password (which ends every other session), and an operator's reset (which
//! ends every session and API token).

use chrono::{DateTime, Duration, Utc};
use domain::account::{Email, check_new_password};
use domain::checkin::FieldError;
use store::{DeviceSession, PasswordChange};

use crate::tokens;
use crate::{Actor, App, AppError};

/// How stale a stored "last seen" or "last used" may be before a request refreshes it: a
/// minute, so a busy session or token costs one write a minute, not one per request.
pub(crate) const REFRESH_AFTER_SECS: i64 = 60;

/// Whether a "last seen" stored as `stored` is worth a write at `now`.
pub(crate) fn is_stale(stored: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    stored.is_none_or(|t| now - t >= Duration::seconds(REFRESH_AFTER_SECS))
}

/// A browser session that is signed in, as a request finds it.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    /// Who is signed in.
    pub actor: Actor,
    /// The session's form token.
    pub csrf: String,
    /// The session's public id, which marks "this device" in the list.
    pub id: String,
}

/// What the "change password" form sends, as typed.
#[derive(Clone, Default)]
pub struct PasswordForm {
    /// The password in use now.
    pub current: String,
    /// The new one.
    pub new: String,
}

impl std::fmt::Debug for PasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordForm(<redacted>)")
    }
}

/// A coarse browser family for the device list, such as "Firefox on Android", from a
/// User-Agent header. Only these few words are kept, never the header: it would tell a
/// reader of the database far more about the device than the person needs to recognise it.
/// Empty when neither the browser nor the system is recognised.
pub fn browser_family(user_agent: &str) -> String {
    let ua = user_agent;
    let has = |needle: &str| ua.contains(needle);
    // Order matters: Edge, Opera and Samsung Internet also say "Chrome", and Chrome also
    // says "Safari".
    let browser = if has("Edg/") || has("EdgA/") || has("EdgiOS/") {
        Some("Edge")
    } else if has("OPR/") || has("Opera") {
        Some("Opera")
    } else if has("SamsungBrowser/") {
        Some("Samsung Internet")
    } else if has("Firefox/") || has("FxiOS/") {
        Some("Firefox")
    } else if has("Chrome/") || has("CriOS/") || has("Chromium/") {
        Some("Chrome")
    } else if has("Safari/") && has("Version/") {
        Some("Safari")
    } else if has("curl/") || has("python-requests") || has("Wget/") {
        Some("A script or program")
    } else {
        None
    };
    let system = if has("Android") {
        Some("Android")
    } else if has("iPhone") {
        Some("iPhone")
    } else if has("iPad") {
        Some("iPad")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Windows") {
        Some("Windows")
    } else if has("Macintosh") || has("Mac OS X") {
        Some("Mac")
    } else if has("Linux") || has("X11") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) => String::new(),
    }
}

impl App {
    /// The signed-in session a cookie's secret stands for, if it is valid. Notes when it was
    /// used, at most once a minute, so the device list can say "last seen".
    pub async fn session(&self, secret: &str) -> Result<Option<CurrentSession>, AppError> {
        let hash = tokens::hash(secret);
        let now = Utc::now();
        let Some(found) = self.store.session(&hash, now).await? else {
            return Ok(None);
        };
        if is_stale(Some(found.last_seen_at), now) {
            self.store.touch_session(&hash, now).await?;
        }
        Ok(Some(CurrentSession {
            actor: Actor::new(found.account, crate::AuthMethod::Session),
            csrf: found.csrf_token,
            id: found.id,
        }))
    }

    /// The actor's signed-in devices, most recently used first.
    pub async fn devices(&self, actor: &Actor) -> Result<Vec<DeviceSession>, AppError> {
        Ok(self
            .store
            .device_sessions(actor.account.id, Utc::now())
            .await?)
    }

    /// Signs the actor's device with public id `id` out; [`AppError::NotFound`] when the
    /// actor has no such session (already ended, or someone else's).
    pub async fn end_device(&self, actor: &Actor, id: &str) -> Result<(), AppError> {
        if self.store.end_device_session(actor.account.id, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Signs out every device of the actor but the one whose cookie secret is `keep`;
    /// how many were signed out.
    pub async fn end_other_devices(&self, actor: &Actor, keep: &str) -> Result<u64, AppError> {
        Ok(self
            .store
            .end_other_sessions(actor.account.id, &tokens::hash(keep))
            .await?)
    }

    /// Changes the actor's password when the current one is right, and signs out every
    /// other device; the session whose cookie secret is `keep` stays signed in. Problems
    /// come back as fields `current_password` and `new_password`.
    ///
    /// Wrong current passwords are counted per account with the sign-in limits, so someone
    /// holding an unlocked device cannot guess the password (often used elsewhere too) at
    /// speed: after the free failures, [`AppError::RateLimited`] without checking.
    pub async fn change_password(
        &self,
        actor: &Actor,
        keep: &str,
        form: PasswordForm,
    ) -> Result<(), AppError> {
        let mut errors = Vec::new();
        if form.current.is_empty() {
            errors.push(FieldError::new(
                "current_password",
                "Please type the password you use now.",
            ));
        }
        if let Err(m) = check_new_password(&form.new) {
            errors.push(FieldError::new("new_password", m));
        }
        if form.current.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let limits = self.login_limits;
        let now = Utc::now();
        let since = now - Duration::from_std(limits.forget_after).unwrap_or(Duration::days(1));
        let key = tokens::hash(&format!("password change\n{}", actor.account.id.0));
        if let Some(count) = self.store.sign_in_failures(&key, since).await?
            && let Some(retry_after_secs) = limits.wait(count, limits.free_per_account_address, now)
        {
            return Err(AppError::RateLimited { retry_after_secs });
        }
        let stored = self
            .store
            .account_for_sign_in(&actor.account.email)
            .await?
            .map(|(_, hash)| hash);
        if self.passwords.verify(form.current, stored).await? {
            self.store.clear_sign_in_failures(&key).await?;
        } else {
            self.store
                .record_sign_in_failure(std::slice::from_ref(&key), Utc::now(), since)
                .await?;
            errors.insert(
                0,
                FieldError::new(
                    "current_password",
                    "That isn't the password you use now. Please try it again.",
                ),
            );
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let hash = self.passwords.hash(form.new).await?;
        self.store
            .set_password(
                actor.account.id,
                &hash,
                PasswordChange::KeepingSession(&tokens::hash(keep)),
            )
            .await?;
        Ok(())
    }

    /// Sets a new password for the account with this email (an operator's reset) and ends
    /// every one of its sessions and API tokens, with the same rules as signing up.
    pub async fn reset_password(&self, email: &str, password: String) -> Result<(), AppError> {
        let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
        check_new_password(&password).map_err(|m| AppError::field("password", m))?;
        let (account, _) = self
            .store
            .account_for_sign_in(&email)
            .await?
            .ok_or_else(|| AppError::field("email", "No account has that email address."))?;
        let hash = self.passwords.hash(password).await?;
        self.store
            .set_password(account.id, &hash, PasswordChange::EndingEverything)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_coarse_and_never_the_header() {
        let cases = [
            (
                "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0",
                "Firefox on Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like \
                 Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 HeadlessChrome/131.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, \
                 like Gecko) Version/17.5 Safari/605.1.15",
                "Safari on Mac",
            ),
            ("curl/8.5.0", "A script or program"),
            ("", ""),
            ("something (secret-device-name 123)", ""),
        ];
        for (ua, family) in cases {
            assert_eq!(browser_family(ua), family, "{ua}");
        }
    }

    #[test]
    fn last_seen_is_refreshed_once_a_minute() {
        let now = Utc::now();
        assert!(is_stale(None, now));
        assert!(!is_stale(Some(now - Duration::seconds(59)), now));
        assert!(is_stale(Some(now - Duration::seconds(60)), now));
    }
}
