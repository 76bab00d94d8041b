//! Sharing with a therapist, from the client's side (invite, see, change, revoke, read the
//! audit log) and the therapist's one step into it (joining with a code).
//!
//! Only a client, or an admin using the client side for themself, may share; only a
//! therapist may join. Wrong codes are counted per therapist in the same database counters
//! as failed sign-ins, with the sign-in limits' free failures and doubling delays, so that
//! guessing a code (50 bits) is hopeless however many instances answer.

use chrono::{DateTime, Duration, Utc};
use domain::account::Role;
use domain::invite::{self, InviteCode};
use domain::sharing::{GrantId, Scopes, ScopesError};
use rand::RngCore;
use store::{AuditEntry, ClientGrant, FailureCount, GrantChange, Joined, NewInvite, PendingInvite};

use crate::{Actor, App, AppError};

/// The longest name a client may give the therapist to see.
pub const MAX_DISPLAY_NAME_CHARS: usize = 60;
/// Audit rows on one page.
pub const AUDIT_PAGE_ROWS: i64 = 100;

/// A new invite as asked for: the scopes' codes, the name to show (the part of the email
/// before '@' when none), and whether the therapist gets alert emails.
#[derive(Debug, Clone, Default)]
pub struct InviteInput {
    /// Scope codes, as sent.
    pub scopes: Vec<String>,
    /// The name the therapist will see, as typed.
    pub display_name: Option<String>,
    /// Whether the therapist gets alert emails.
    pub alerts: bool,
}

/// An invite just made, with its code: shown once, never stored.
#[derive(Debug, Clone)]
pub struct InviteMade {
    /// The code to give the therapist.
    pub code: InviteCode,
    /// The invite as stored.
    pub invite: PendingInvite,
}

/// A change to a grant as sent; `None` leaves that part as it is.
#[derive(Debug, Clone, Default)]
pub struct GrantInput {
    /// Scope codes, as sent.
    pub scopes: Option<Vec<String>>,
    /// Whether the therapist gets alert emails.
    pub alerts: Option<bool>,
    /// The name the therapist sees, as typed.
    pub display_name: Option<String>,
}

/// What a client shares: live grants and invites still waiting.
#[derive(Debug, Clone)]
pub struct Sharing {
    /// Live grants, oldest first.
    pub grants: Vec<ClientGrant>,
    /// Pending invites, newest first.
    pub invites: Vec<PendingInvite>,
}

/// Whether the actor may use the client side of sharing.
fn client_side(actor: &Actor) -> Result<(), AppError> {
    match actor.account.role {
        Role::Client | Role::Admin => Ok(()),
        Role::Therapist => Err(AppError::Forbidden),
    }
}

fn scopes(codes: &[String]) -> Result<Scopes, AppError> {
    Scopes::from_codes(codes).map_err(|e| {
        AppError::field(
            "scopes",
            match e {
                ScopesError::Empty => "Choose at least one thing to share.".to_string(),
                ScopesError::Unknown(_) => {
                    "One of the choices is not something that can be shared.".to_string()
                }
            },
        )
    })
}

/// A name as typed, checked: trimmed, not empty, not too long, no control characters.
fn display_name(typed: &str) -> Result<String, AppError> {
    let name = typed.trim();
    if name.is_empty() {
        return Err(AppError::field(
            "display_name",
            "Please give a name your therapist will know you by.",
        ));
    }
    if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(AppError::field(
            "display_name",
            format!("Please keep the name to {MAX_DISPLAY_NAME_CHARS} characters or fewer."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::field(
            "display_name",
            "Please use letters, numbers and spaces in the name.",
        ));
    }
    Ok(name.to_string())
}

/// The counter key of a therapist's wrong codes: no email or address in it, and apart from
/// every sign-in key.
fn join_key(actor: &Actor) -> String {
    crate::tokens::hash(&format!("join\n{}", actor.account.id.0))
}

impl App {
    /// The name a client is shown as when they give none: their email's part before '@'.
    pub fn default_display_name(actor: &Actor) -> String {
        let email = actor.account.email.as_str();
        email.split('@').next().unwrap_or(email).to_string()
    }

    /// Makes an invite and its code, which is shown once and kept only as its hash.
    pub async fn create_invite(
        &self,
        actor: &Actor,
        input: InviteInput,
        now: DateTime<Utc>,
    ) -> Result<InviteMade, AppError> {
        client_side(actor)?;
        let scopes = scopes(&input.scopes);
        let name = match input.display_name.as_deref().map(str::trim) {
            None | Some("") => Ok(App::default_display_name(actor)),
            Some(typed) => display_name(typed),
        };
        let (scopes, name) = match (scopes, name) {
            (Ok(s), Ok(n)) => (s, n),
            (Err(AppError::Invalid(mut a)), Err(AppError::Invalid(b))) => {
                a.extend(b);
                return Err(AppError::Invalid(a));
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        let mut bytes = [0u8; invite::RANDOM_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let code = InviteCode::from_random(bytes);
        let stored = self
            .store
            .create_invite(
                actor.account.id,
                &NewInvite {
                    code_hash: code.hash(),
                    scopes,
                    display_name: name,
                    alerts: input.alerts,
                    created_at: now,
                    expires_at: invite::expires_at(now),
                },
            )
            .await?;
        Ok(InviteMade {
            code,
            invite: stored,
        })
    }

    /// The actor's live grants and pending invites.
    pub async fn sharing(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Sharing, AppError> {
        client_side(actor)?;
        Ok(Sharing {
            grants: self.store.client_grants(actor.account.id).await?,
            invites: self.store.pending_invites(actor.account.id, now).await?,
        })
    }

    /// One of the actor's live grants.
    pub async fn grant(&self, actor: &Actor, id: GrantId) -> Result<ClientGrant, AppError> {
        client_side(actor)?;
        self.store
            .client_grants(actor.account.id)
            .await?
            .into_iter()
            .find(|g| g.id == id)
            .ok_or(AppError::NotFound)
    }

    /// Cancels one of the actor's pending invites: its code stops working at once.
    pub async fn cancel_invite(
        &self,
        actor: &Actor,
        handle: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        client_side(actor)?;
        if self
            .store
            .cancel_invite(actor.account.id, handle, now)
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Changes what one of the actor's grants shares, its alerts or the name shown.
    pub async fn change_grant(
        &self,
        actor: &Actor,
        id: GrantId,
        input: GrantInput,
    ) -> Result<ClientGrant, AppError> {
        client_side(actor)?;
        let mut errors = Vec::new();
        let mut change = GrantChange {
            alerts: input.alerts,
            ..GrantChange::default()
        };
        if let Some(codes) = &input.scopes {
            match scopes(codes) {
                Ok(s) => change.scopes = Some(s),
                Err(AppError::Invalid(e)) => errors.extend(e),
                Err(e) => return Err(e),
            }
        }
        if let Some(typed) = &input.display_name {
            match display_name(typed) {
                Ok(n) => change.display_name = Some(n),
                Err(AppError::Invalid(e)) => errors.extend(e),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        self.store
            .change_grant(actor.account.id, id, &change)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Stops sharing with a therapist, from the next request on.
    pub async fn revoke_grant(
        &self,
        actor: &Actor,
        id: GrantId,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        client_side(actor)?;
        if self.store.revoke_grant(actor.account.id, id, now).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The actor's audit log, newest first, page `page` (from 0) of [`AUDIT_PAGE_ROWS`].
    pub async fn sharing_audit(
        &self,
        actor: &Actor,
        page: u32,
    ) -> Result<Vec<AuditEntry>, AppError> {
        client_side(actor)?;
        Ok(self
            .store
            .audit_log(
                actor.account.id,
                i64::from(page) * AUDIT_PAGE_ROWS,
                AUDIT_PAGE_ROWS,
            )
            .await?)
    }

    /// A therapist joins a client with the code the client gave them. A code that is
    /// unknown, used, expired or not a code at all is [`AppError::NotFound`] and counts as a
    /// wrong guess; after the free ones, each earns a doubling wait
    /// ([`AppError::RateLimited`]). A right code does not wipe the count: a therapist who
    /// could also make codes would otherwise guess without limit.
    pub async fn join_client(
        &self,
        actor: &Actor,
        typed: &str,
        now: DateTime<Utc>,
    ) -> Result<Joined, AppError> {
        self.require_therapist(actor)?;
        let limits = self.login_limits;
        let free = limits.free_per_account_address;
        let forget = Duration::from_std(limits.forget_after).unwrap_or(Duration::days(1));
        let key = join_key(actor);
        // Attempts in flight count as failures until they are known not to be, as at
        // sign-in: a burst of guesses at once cannot all slip past the check.
        let (in_flight, before) = self.sign_ins_in_flight.enter(std::slice::from_ref(&key));
        let stored = self.store.sign_in_failures(&key, now - forget).await?;
        let pending = before.first().copied().unwrap_or(0);
        let count = if pending > 0 {
            Some(FailureCount {
                failures: stored.map_or(0, |c| c.failures) + pending,
                last_at: now,
            })
        } else {
            stored
        };
        if let Some(retry_after_secs) = count.and_then(|c| limits.wait(c, free, now)) {
            return Err(AppError::RateLimited { retry_after_secs });
        }
        let joined = match InviteCode::parse(typed) {
            Some(code) => {
                self.store
                    .redeem_invite(actor.account.id, &code.hash(), now)
                    .await?
            }
            None => None,
        };
        let outcome = match joined {
            Some(j) => Ok(j),
            None => {
                self.store
                    .record_sign_in_failure(std::slice::from_ref(&key), now, now - forget)
                    .await?;
                Err(AppError::NotFound)
            }
        };
        drop(in_flight);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(display_name("  Sam  ").ok(), Some("Sam".to_string()));
        assert!(display_name("   ").is_err());
        assert!(display_name(&"x".repeat(MAX_DISPLAY_NAME_CHARS + 1)).is_err());
        assert!(display_name(&"é".repeat(MAX_DISPLAY_NAME_CHARS)).is_ok());
        assert!(display_name("Sam\u{7}").is_err());
    }

    #[test]
    fn scope_problems_point_at_the_scopes_field() {
        for codes in [vec![], vec!["journal".to_string()]] {
            match scopes(&codes) {
                Err(AppError::Invalid(e)) => assert_eq!(e[0].field, "scopes"),
                other => panic!("{other:?}"),
            }
        }
    }
}
