//! Argon2id password hashing off the async threads, with a cap on concurrent hashes so a
//! burst of sign-ins cannot exhaust memory (each hash takes 19 MiB).

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::AppError;

/// OWASP's minimum for Argon2id: 19 MiB memory, 2 iterations, 1 lane.
fn argon2() -> Result<Argon2<'static>, AppError> {
    // argon2's error is not a std::error::Error; its message is kept.
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| AppError::internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[derive(Clone)]
pub(crate) struct Hasher {
    permits: Arc<Semaphore>,
}

impl Hasher {
    pub fn new() -> Hasher {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Hasher {
            permits: Arc::new(Semaphore::new(cores.max(2))),
        }
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            argon2()?
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                // password_hash's error is not a std::error::Error; its message is kept.
                .map_err(|e| AppError::internal(format!("hashing: {e}")))
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Verifies a password; with no stored hash it still spends the same time, so a
    /// response does not reveal whether an email has an account.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let argon = argon2()?;
            match stored {
                Some(stored) => {
                    let parsed = PasswordHash::new(&stored)
                        .map_err(|e| AppError::internal(format!("stored hash: {e}")))?;
                    Ok(argon.verify_password(password.as_bytes(), &parsed).is_ok())
                }
                None => {
                    let salt = SaltString::generate(&mut rand::rngs::OsRng);
                    let _ = argon.hash_password(password.as_bytes(), &salt);
                    Ok(false)
                }
            }
        })
        .await
        .map_err(AppError::internal)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let h = Hasher::new();
        let a = h.hash("correct horse battery".into()).await.ok();
        let b = h.hash("correct horse battery".into()).await.ok();
        assert!(
            a.as_deref()
                .is_some_and(|s| s.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"))
        );
        assert_ne!(a, b, "salts must differ");
        assert!(matches!(
            h.verify("correct horse battery".into(), a.clone()).await,
            Ok(true)
        ));
        assert!(matches!(
            h.verify("wrong horse battery".into(), a).await,
            Ok(false)
        ));
        assert!(matches!(h.verify("anything".into(), None).await, Ok(false)));
    }
}
