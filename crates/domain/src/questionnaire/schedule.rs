//! When to offer the questionnaires: every two weeks, and before a session when the last
//! one is more than a week old, so the therapist sees a recent score.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How often the questionnaires are offered; defaults follow the product specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Schedule {
    /// Offer again this many days after the last one.
    pub every_days: i64,
    /// Before a session, offer again when the last one is at least this many days old.
    pub before_session_if_older_than_days: i64,
    /// "Before a session" means a session starts within this many hours.
    pub before_session_within_hours: i64,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            every_days: 14,
            before_session_if_older_than_days: 7,
            // The day before and the day of the session: late enough to be recent, early
            // enough that there is still time to fill it in.
            before_session_within_hours: 48,
        }
    }
}

/// Why a questionnaire is offered now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Never filled in yet.
    First,
    /// The last one was this many whole days ago, at least the schedule's interval.
    Interval {
        /// Whole days since the last one.
        days_since: i64,
    },
    /// A session is near and the last one is more than a week old.
    BeforeSession {
        /// When the session starts.
        session_at: DateTime<Utc>,
    },
}

impl Schedule {
    /// Whether to offer a questionnaire last filled in at `last` (if ever), given the next
    /// planned session; `None` when it is not due.
    pub fn due(
        &self,
        last: Option<DateTime<Utc>>,
        next_session: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<Due> {
        let Some(last) = last else {
            return Some(Due::First);
        };
        let age = now - last;
        let session_near = next_session
            .filter(|s| *s >= now && *s - now <= Duration::hours(self.before_session_within_hours));
        if let Some(session_at) = session_near
            && age >= Duration::days(self.before_session_if_older_than_days)
            && age < Duration::days(self.every_days)
        {
            return Some(Due::BeforeSession { session_at });
        }
        (age >= Duration::days(self.every_days)).then(|| Due::Interval {
            days_since: age.num_days(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(day: i64, hour: i64) -> DateTime<Utc> {
        "2026-11-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
            + Duration::days(day)
            + Duration::hours(hour)
    }

    #[test]
    fn first_time_is_always_offered() {
        assert_eq!(
            Schedule::default().due(None, None, t(0, 9)),
            Some(Due::First)
        );
    }

    #[test]
    fn every_fourteen_days() {
        let s = Schedule::default();
        assert_eq!(s.due(Some(t(0, 9)), None, t(13, 20)), None);
        assert_eq!(
            s.due(Some(t(0, 9)), None, t(14, 9)),
            Some(Due::Interval { days_since: 14 })
        );
        assert_eq!(
            s.due(Some(t(0, 9)), None, t(30, 9)),
            Some(Due::Interval { days_since: 30 })
        );
    }

    #[test]
    fn before_a_session_when_the_last_is_a_week_old() {
        let s = Schedule::default();
        let session = t(9, 15);
        // Session tomorrow afternoon, last one 8 days ago: offered.
        assert_eq!(
            s.due(Some(t(0, 9)), Some(session), t(8, 18)),
            Some(Due::BeforeSession {
                session_at: session
            })
        );
        // Last one only 6 days ago: not yet.
        assert_eq!(s.due(Some(t(2, 9)), Some(session), t(8, 18)), None);
        // Session still 3 days away: not yet.
        assert_eq!(s.due(Some(t(0, 9)), Some(t(11, 15)), t(8, 18)), None);
        // A session in the past does not count.
        assert_eq!(s.due(Some(t(0, 9)), Some(t(8, 9)), t(8, 18)), None);
    }

    #[test]
    fn settings_change_the_intervals() {
        let s: Schedule = serde_json::from_str(r#"{"every_days": 7}"#).unwrap();
        assert_eq!(s.before_session_if_older_than_days, 7);
        assert_eq!(
            s.due(Some(t(0, 9)), None, t(7, 9)),
            Some(Due::Interval { days_since: 7 })
        );
        assert!(serde_json::from_str::<Schedule>(r#"{"every": 7}"#).is_err());
    }
}
