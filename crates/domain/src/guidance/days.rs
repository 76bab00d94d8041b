//! Turning check-ins into one mood per local calendar day.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::stats::mean;
use crate::history::{History, TimeZone};

/// The mean mood of one rated day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DayMood {
    /// The local calendar day.
    pub day: NaiveDate,
    /// The mean of that day's mood ratings.
    pub mood: f64,
}

/// Every rated day up to the moment, oldest first; check-ins after the moment are ignored.
pub(crate) fn day_moods(history: &History, at: DateTime<Utc>) -> Vec<DayMood> {
    let checkins = history.checkins.iter().filter(|c| c.at <= at);
    by_local_day(checkins, history.timezone, |c| c.at)
        .into_iter()
        .filter_map(|(day, cs)| {
            let mood = mean(cs.iter().map(|c| f64::from(c.mood.get())))?;
            Some(DayMood { day, mood })
        })
        .collect()
}

/// Items grouped by the local calendar day of their moment, oldest day first, each day's
/// items in their given order.
pub(crate) fn by_local_day<T>(
    items: impl IntoIterator<Item = T>,
    tz: TimeZone,
    at: impl Fn(&T) -> DateTime<Utc>,
) -> BTreeMap<NaiveDate, Vec<T>> {
    let mut days: BTreeMap<NaiveDate, Vec<T>> = BTreeMap::new();
    for item in items {
        days.entry(tz.local_day(at(&item))).or_default().push(item);
    }
    days
}

/// Whole days from `earlier` to `later` (negative when `later` is before).
pub(crate) fn days_between(earlier: NaiveDate, later: NaiveDate) -> i64 {
    (later - earlier).num_days()
}

/// The day `n` days before `day`, or the earliest representable day.
pub(crate) fn days_before(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_sub_days(chrono::Days::new(u64::from(n)))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{CheckInRecord, TimeZone};
    use crate::rating::Rating;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn averages_each_local_day_and_ignores_the_future() {
        let mut h = History::new(TimeZone::parse("America/New_York").unwrap());
        for (t, m) in [
            ("2026-03-05T14:00:00Z", 4),
            ("2026-03-05T20:00:00Z", 7),
            // 02:00 UTC on the 6th is still the 5th in New York.
            ("2026-03-06T02:00:00Z", 7),
            ("2026-03-06T15:00:00Z", 3),
            ("2026-03-07T15:00:00Z", 9),
        ] {
            h.checkins
                .push(CheckInRecord::new(at(t), Rating::new(m).unwrap()));
        }
        let days = day_moods(&h, at("2026-03-06T15:00:00Z"));
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].day, "2026-03-05".parse::<NaiveDate>().unwrap());
        assert_eq!(days[0].mood, 6.0);
        assert_eq!(days[1].mood, 3.0);
    }
}
