//! The one error type of the use-case layer. Messages here may be shown to people; causes
//! from the store are logged by the caller and never shown.

use domain::checkin::FieldError;

/// Why a use-case did not complete.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input has problems; each names its field.
    #[error("some fields need attention")]
    Invalid(Vec<FieldError>),
    /// The email or password is wrong, or the session/token is unknown.
    #[error("not signed in")]
    Unauthenticated,
    /// Too many attempts; try again later.
    #[error("too many attempts; please wait {retry_after_secs} seconds")]
    RateLimited {
        /// Seconds until another attempt is allowed.
        retry_after_secs: u64,
    },
    /// Signed in, but this account may not do that.
    #[error("not allowed")]
    Forbidden,
    /// A create re-sent a client id that already stands for different content; nothing
    /// was stored. (The same content again is a harmless retry, not this.)
    #[error("that client id was used for different content")]
    ClientIdConflict,
    /// The thing asked for does not exist for this account.
    #[error("not found")]
    NotFound,
    /// Something failed inside; the cause is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// One invalid field.
    pub fn field(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Conflict(what) => AppError::field(
                "email",
                format!("{what} already has an account. Try signing in."),
            ),
            other => AppError::Internal(other.to_string()),
        }
    }
}
