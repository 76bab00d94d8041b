//! How far back and ahead a time may lie. Imports bring years of history, so the past is
//! open back to 2000; what has happened can't be far in the future, while sessions and
//! homework are planned ahead, but not for decades.

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};

use crate::checkin::FieldError;

/// The earliest day any entry may be about.
pub const EARLIEST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// How far ahead something that already happened may be dated: device clocks and time
/// zones disagree by hours, never by more than a day.
pub const HAPPENED_AHEAD: Duration = Duration::days(1);

/// How far ahead a session or a due date may be planned.
pub const PLANNED_AHEAD_MONTHS: u32 = 24;

/// The earliest instant any entry may be about: midnight UTC starting [`EARLIEST_DAY`].
pub fn earliest() -> DateTime<Utc> {
    EARLIEST_DAY
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
}

const TOO_EARLY: &str = "Please check the date: entries can go back to 1 January 2000.";

/// Whether two times are the same to the millisecond, the precision times are stored at.
pub fn same_instant(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    a.timestamp_millis() == b.timestamp_millis()
}

/// Whether a retry's time matches the stored one. A time the retry left out was filled
/// with "now" and says nothing about the submission, so it always matches.
pub fn same_sent_instant(sent: Option<DateTime<Utc>>, stored: DateTime<Utc>) -> bool {
    sent.is_none_or(|t| same_instant(t, stored))
}

/// Something that happened: a check-in, a use of a tool, a questionnaire, a post-session
/// check-in, a journal entry, a "done" log. Not before 2000, not more than a day ahead.
pub fn happened(
    field: &'static str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, FieldError> {
    between(
        field,
        at,
        now + HAPPENED_AHEAD,
        "That is more than a day ahead. Please check the date and time.",
    )
}

fn planned_limit(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_add_months(Months::new(PLANNED_AHEAD_MONTHS))
        .unwrap_or(now)
}

const TOO_FAR: &str = "That is more than two years ahead. Please check the year.";

/// A session's time: not before 2000, at most two years ahead.
pub fn planned(
    field: &'static str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, FieldError> {
    between(field, at, planned_limit(now), TOO_FAR)
}

/// `at` itself when it lies from the earliest day to `latest`; otherwise what to change.
fn between(
    field: &'static str,
    at: DateTime<Utc>,
    latest: DateTime<Utc>,
    too_late: &str,
) -> Result<DateTime<Utc>, FieldError> {
    if at < earliest() {
        return Err(FieldError::new(field, TOO_EARLY));
    }
    if at > latest {
        return Err(FieldError::new(field, too_late));
    }
    Ok(at)
}

/// A due date in the person's calendar: not before 2000, at most two years after `today`.
pub fn planned_day(
    field: &'static str,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError> {
    if day < EARLIEST_DAY {
        return Err(FieldError::new(field, TOO_EARLY));
    }
    let limit = today
        .checked_add_months(Months::new(PLANNED_AHEAD_MONTHS))
        .unwrap_or(today);
    if day > limit {
        return Err(FieldError::new(field, TOO_FAR));
    }
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-24T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn happened_is_bounded_both_ways() {
        for bad in [
            "0001-01-01T00:00:00Z",
            "1000-01-01T00:00:00Z",
            "1999-12-31T23:59:59Z",
            "2026-11-25T12:00:01Z",
            "9999-01-01T00:00:00Z",
        ] {
            let at: DateTime<Utc> = bad.parse().unwrap();
            assert_eq!(happened("at", at, now()).unwrap_err().field, "at", "{bad}");
        }
        let before_zero = DateTime::<Utc>::MIN_UTC;
        assert!(happened("at", before_zero, now()).is_err());
        for ok in [
            "2000-01-01T00:00:00Z",
            "2026-11-24T12:00:00Z",
            "2026-11-25T12:00:00Z",
        ] {
            let at: DateTime<Utc> = ok.parse().unwrap();
            assert_eq!(happened("at", at, now()).unwrap(), at, "{ok}");
        }
    }

    #[test]
    fn planned_reaches_two_years() {
        let ok: DateTime<Utc> = "2028-11-24T12:00:00Z".parse().unwrap();
        assert!(planned("at", ok, now()).is_ok());
        let far: DateTime<Utc> = "2028-11-24T12:00:01Z".parse().unwrap();
        assert!(planned("at", far, now()).is_err());
        let early: DateTime<Utc> = "0001-01-01T00:00:00Z".parse().unwrap();
        assert!(planned("at", early, now()).is_err());
        let today = now().date_naive();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(planned_day("due_on", d("2028-11-24"), today).is_ok());
        assert!(planned_day("due_on", d("2028-11-25"), today).is_err());
        assert!(planned_day("due_on", d("2000-01-01"), today).is_ok());
        assert!(planned_day("due_on", d("0001-01-01"), today).is_err());
    }
}
