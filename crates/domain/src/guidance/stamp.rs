//! Compact JSON forms of instants and calendar days for the stored guidance summary.
//!
//! The summary is read and rewritten on every write, so its instants are Unix seconds (an
//! RFC 3339 string is twice as long) and its days are day numbers. Sub-second instants keep
//! their nanoseconds, because the engine compares instants exactly.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant; serialized as Unix seconds, or `[seconds, nanoseconds]` when not whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Stamp(pub DateTime<Utc>);

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let secs = self.0.timestamp();
        match self.0.timestamp_subsec_nanos() {
            0 => s.serialize_i64(secs),
            nanos => (secs, nanos).serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StampVisitor)
    }
}

struct StampVisitor;

impl StampVisitor {
    fn make<E: de::Error>(secs: i64, nanos: u32) -> Result<Stamp, E> {
        DateTime::from_timestamp(secs, nanos)
            .map(Stamp)
            .ok_or_else(|| E::custom("instant out of range"))
    }
}

impl<'de> Visitor<'de> for StampVisitor {
    type Value = Stamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Unix seconds or [seconds, nanoseconds]")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Stamp, E> {
        Self::make(v, 0)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Stamp, E> {
        let secs = i64::try_from(v).map_err(|_| E::custom("instant out of range"))?;
        Self::make(secs, 0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Stamp, A::Error> {
        let secs: i64 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let nanos: u32 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        Self::make(secs, nanos)
    }
}

/// A local calendar day; serialized as its day number counted from 1 January of year 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Day(pub NaiveDate);

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(self.0.num_days_from_ce())
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = i32::deserialize(d)?;
        NaiveDate::from_num_days_from_ce_opt(n)
            .map(Day)
            .ok_or_else(|| de::Error::custom("day out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_are_numbers_and_fractions_keep_their_nanoseconds() {
        let whole = Stamp("2026-03-05T14:00:00Z".parse().unwrap());
        assert_eq!(serde_json::to_string(&whole).unwrap(), "1772719200");
        let frac = Stamp("2026-03-05T14:00:00.000000300Z".parse().unwrap());
        let json = serde_json::to_string(&frac).unwrap();
        assert_eq!(json, "[1772719200,300]");
        for s in [whole, frac] {
            let text = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<Stamp>(&text).unwrap(), s);
        }
        let before_1970 = Stamp("1960-01-01T00:00:00.5Z".parse().unwrap());
        let text = serde_json::to_string(&before_1970).unwrap();
        assert_eq!(serde_json::from_str::<Stamp>(&text).unwrap(), before_1970);
    }

    #[test]
    fn days_round_trip_as_numbers() {
        let d = Day("2026-03-05".parse().unwrap());
        let text = serde_json::to_string(&d).unwrap();
        assert!(text.parse::<i32>().is_ok());
        assert_eq!(serde_json::from_str::<Day>(&text).unwrap(), d);
    }
}
