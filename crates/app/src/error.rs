//! The one error type of the use-case layer. Messages here may be shown to people; causes
//! from the store are logged by the caller and never shown.

use std::error::Error;

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
    /// This needs two-step sign-in on first: a therapist sees no client data, and makes no
    /// API token in the web, before turning it on.
    #[error("two-step sign-in must be turned on first")]
    SecondFactorNeeded,
    /// A create re-sent a client id that already stands for different content; nothing
    /// was stored. (The same content again is a harmless retry, not this.)
    #[error("that client id was used for different content")]
    ClientIdConflict,
    /// The thing asked for does not exist for this account.
    #[error("not found")]
    NotFound,
    /// A therapist asked for a kind of data the client does not share with them.
    #[error("not shared")]
    NotShared,
    /// Stored words that do not decrypt for their own row: damaged, or moved there by hand.
    /// They are never shown; the cause (which table and column) is for the log only.
    #[error("damaged data: {0}")]
    Damaged(#[source] store::StoreError),
    /// Something failed inside; the cause is for the log only.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn Error + Send + Sync + 'static>),
}

impl AppError {
    /// One invalid field.
    pub fn field(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    /// An internal failure, keeping its cause for the log: an error, or a message when there
    /// is no error value to keep.
    pub fn internal(cause: impl Into<Box<dyn Error + Send + Sync + 'static>>) -> AppError {
        AppError::Internal(cause.into())
    }
}

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Conflict {
                field: field @ "email",
                what,
            } => AppError::field(
                field,
                format!("{what} already has an account. Try signing in."),
            ),
            store::StoreError::Conflict { field, what } => {
                AppError::field(field, format!("{what} is already taken."))
            }
            damaged @ store::StoreError::Damaged { .. } => AppError::Damaged(damaged),
            other => AppError::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn a_conflict_points_at_its_own_field() {
        let email = AppError::from(store::StoreError::Conflict {
            field: "email",
            what: "that email address",
        });
        let AppError::Invalid(errors) = email else {
            panic!("not a field error: {email:?}");
        };
        assert_eq!(errors[0].field, "email");
        assert!(errors[0].message.contains("already has an account"));

        let other = AppError::from(store::StoreError::Conflict {
            field: "label",
            what: "that label",
        });
        let AppError::Invalid(errors) = other else {
            panic!("not a field error: {other:?}");
        };
        assert_eq!(errors[0].field, "label");
        assert_eq!(errors[0].message, "that label is already taken.");
    }

    #[test]
    fn an_internal_error_keeps_its_cause() {
        let e = AppError::from(store::StoreError::Corrupt("role".into()));
        assert_eq!(
            e.to_string(),
            "internal error: stored data is not valid: role"
        );
        let source = e.source().expect("the store error is kept");
        assert!(source.downcast_ref::<store::StoreError>().is_some());
        assert_eq!(
            AppError::internal("hashing: bad salt").to_string(),
            "internal error: hashing: bad salt"
        );
    }
}
