//! Typed ids: one newtype over the database's 64-bit id for each thing stored, so that an id of
//! one kind can never be passed where another is meant.
//!
//! ```compile_fail,E0308
//! use domain::checkin::CheckInId;
//! use domain::journal::JournalEntryId;
//!
//! fn delete_checkin(_: CheckInId) {}
//! delete_checkin(JournalEntryId(7)); // a journal entry's id is not a check-in's
//! ```
//!
//! On the wire and in templates an id is the bare number:
//!
//! ```
//! use domain::checkin::CheckInId;
//!
//! let id: CheckInId = "42".parse().unwrap();
//! assert_eq!(id, CheckInId(42));
//! assert_eq!(id.to_string(), "42");
//! assert_eq!(serde_json::to_string(&id).unwrap(), "42");
//! ```

/// Defines a typed id: a `Copy` newtype over `i64` that serializes, prints and parses as the
/// bare number. The doc comment written before the name goes on the type.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

pub(crate) use id_type;
