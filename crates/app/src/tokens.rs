//! Random secrets (session cookies, CSRF tokens, API tokens) and the hashes we store instead.

use rand::RngCore;
use sha2::{Digest, Sha256};

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
}
