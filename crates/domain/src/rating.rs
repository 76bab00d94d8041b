//! A 0–10 rating (mood, anxiety, energy, distress) that cannot hold anything else.

use serde::{Deserialize, Serialize};

/// A whole-number rating from 0 to 10 inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u8")]
pub struct Rating(u8);

/// Why a number is not a rating.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a whole number from 0 to 10")]
pub struct RatingOutOfRange;

impl Rating {
    /// The lowest rating.
    pub const MIN: Rating = Rating(0);
    /// The highest rating.
    pub const MAX: Rating = Rating(10);

    /// Parses a rating, refusing anything outside 0–10.
    pub fn new(value: i64) -> Result<Self, RatingOutOfRange> {
        u8::try_from(value)
            .ok()
            .filter(|v| *v <= 10)
            .map(Rating)
            .ok_or(RatingOutOfRange)
    }

    /// The rating as a plain number.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Rating {
    type Error = RatingOutOfRange;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Rating::new(value)
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.0
    }
}

impl std::fmt::Display for Rating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn accepts_exactly_zero_to_ten(v in -1000i64..1000) {
            prop_assert_eq!(Rating::new(v).is_ok(), (0..=10).contains(&v));
        }
    }

    #[test]
    fn deserializes_only_in_range() {
        assert_eq!(
            serde_json::from_str::<Rating>("7").ok(),
            Rating::new(7).ok()
        );
        assert!(serde_json::from_str::<Rating>("11").is_err());
        assert!(serde_json::from_str::<Rating>("-1").is_err());
        assert!(serde_json::from_str::<Rating>("4.5").is_err());
    }
}
