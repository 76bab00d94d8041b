//! The message a person may send their therapist when guidance says to reach out: built
//! from what the engine saw, in the first person, for the person to edit and send themselves.

use chrono::NaiveDate;

use crate::crisis::percent_encode;
use crate::guidance::{Guidance, Reason};

/// The subject of an email opened with the drafted message.
pub const DRAFT_SUBJECT: &str = "Before our next session";

fn day(d: NaiveDate) -> String {
    d.format("%A %-d %B").to_string()
}

fn days_word(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// A first-person sentence for one reason, or `None` when it is not worth a message.
fn line(reason: &Reason, last_session: Option<NaiveDate>) -> Option<String> {
    Some(match reason {
        Reason::PostSessionDip {
            session_day,
            first_day,
            latest_day,
            ..
        } => format!(
            "Since our session on {} I have felt lower than usual for {}.",
            day(*session_day),
            days_word((*latest_day - *first_day).num_days() + 1)
        ),
        Reason::Persisting {
            first_day,
            latest_day,
            ..
        } => {
            let span = days_word((*latest_day - *first_day).num_days() + 1);
            match last_session.filter(|s| s <= first_day) {
                Some(s) => format!(
                    "Since our session on {} I have felt much lower than usual for {span} (since {}).",
                    day(s),
                    day(*first_day)
                ),
                None => format!(
                    "I have felt much lower than usual for {span}, since {}.",
                    day(*first_day)
                ),
            }
        }
        Reason::Escalating { days, .. } => match days.first() {
            Some(first) => format!(
                "My mood has kept getting worse without lifting since {}.",
                day(*first)
            ),
            None => "My mood has kept getting worse without lifting.".into(),
        },
        Reason::CopingNotWorking {
            uses, window_hours, ..
        } => format!(
            "The coping skills I usually use haven't been helping: {uses} times in the last \
             {window_hours} hours they didn't bring my distress down."
        ),
        Reason::CantFunction { day: d, .. } => format!(
            "On {} I couldn't manage my usual day because of how I felt.",
            day(*d)
        ),
        Reason::ReliableDeterioration {
            instrument,
            first_total,
            latest_total,
            ..
        } => format!(
            "My {} score has gone up from {first_total} to {latest_total}.",
            instrument.name()
        ),
        Reason::Backsliding {
            instrument,
            best_total,
            latest_total,
            ..
        } => format!(
            "After some improvement, my {} score has gone back up from {best_total} to {latest_total}.",
            instrument.name()
        ),
        // Urgent reasons lead to the crisis path, not to a message that may be read days later.
        Reason::SelfHarmThoughts { .. } | Reason::Phq9Item9 { .. } => return None,
    })
}

/// The drafted message: a greeting, what the person noticed, and a request to talk.
pub fn draft_message(
    guidance: &Guidance,
    therapist_name: Option<&str>,
    last_session: Option<NaiveDate>,
    next_session: Option<NaiveDate>,
) -> String {
    let greeting = match therapist_name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => format!("Hi {name},"),
        None => "Hi,".to_string(),
    };
    // Low mood seen by several rules is one thing to say, as on the home page.
    let mut low_mood_said = false;
    let mut lines: Vec<String> = guidance
        .reasons
        .iter()
        .filter(|r| {
            let repeat = r.is_low_mood() && low_mood_said;
            low_mood_said |= r.is_low_mood();
            !repeat
        })
        .filter_map(|r| line(r, last_session))
        .collect();
    if lines.is_empty() {
        lines.push("I have been finding things harder than usual since our last session.".into());
    }
    let ask = match next_session {
        Some(d) => format!(
            "Could we talk before our next session on {}, or could you tell me what you suggest?",
            day(d)
        ),
        None => "Could we talk soon, or could you tell me what you suggest?".to_string(),
    };
    format!("{greeting}\n\n{}\n\n{ask}\n\nThank you.", lines.join(" "))
}

/// The digits of a phone number as a person typed it (with a leading + kept), for `tel:` and
/// `sms:` links; `None` when fewer than three digits are left, which no real number has.
pub fn dialable(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 3 {
        return None;
    }
    Some(if typed.trim_start().starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    })
}

/// An `sms:` link that opens the Messages app with `body` filled in, for a number from
/// [`dialable`]. `?&body=` is the one form both Android (`?body=`) and iOS (`&body=`) read.
/// The link is built into the page and opened by the device: the text never travels to the
/// server in an address.
pub fn sms_href(number: &str, body: &str) -> String {
    format!("sms:{number}?&body={}", percent_encode(body))
}

/// A `mailto:` link that opens the mail app with a subject and `body` filled in; line breaks
/// become CRLF, as RFC 6068 asks for message bodies.
pub fn mailto_href(address: &str, subject: &str, body: &str) -> String {
    let crlf = body.replace("\r\n", "\n").replace('\n', "\r\n");
    // Each side of the @ is encoded, so an address with a ? or & cannot end it early.
    let address = address
        .split('@')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("@");
    format!(
        "mailto:{address}?subject={}&body={}",
        percent_encode(subject),
        percent_encode(&crlf)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guidance::Level;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default()
    }

    #[test]
    fn persisting_after_a_session_names_the_session_and_the_days() {
        let g = Guidance {
            level: Level::ReachOut,
            reasons: vec![
                Reason::Persisting {
                    days: 4,
                    first_day: d(18),
                    latest_day: d(21),
                    baseline: 7.0,
                    latest_mood: 3.0,
                },
                Reason::CantFunction {
                    day: d(21),
                    window_days: 2,
                },
            ],
        };
        let m = draft_message(&g, Some("Dr Okafor"), Some(d(17)), Some(d(24)));
        assert!(m.starts_with("Hi Dr Okafor,"));
        assert!(m.contains(
            "Since our session on Tuesday 17 November I have felt much lower than usual for 4 days (since Wednesday 18 November)."
        ), "{m}");
        assert!(m.contains("On Saturday 21 November I couldn't manage my usual day"));
        assert!(m.contains("before our next session on Tuesday 24 November"));
    }

    #[test]
    fn low_mood_is_said_once() {
        let g = Guidance {
            level: Level::ReachOut,
            reasons: vec![
                Reason::Persisting {
                    days: 4,
                    first_day: d(18),
                    latest_day: d(21),
                    baseline: 7.0,
                    latest_mood: 3.0,
                },
                Reason::Escalating {
                    days: vec![d(20), d(21)],
                    ewma: vec![1.2, 1.3],
                    limit: 1.0,
                    latest_z: 2.0,
                    baseline: 7.0,
                    latest_mood: 3.0,
                },
            ],
        };
        let m = draft_message(&g, None, None, None);
        assert!(m.contains("much lower than usual for 4 days"), "{m}");
        assert!(!m.contains("without lifting"), "{m}");
    }

    #[test]
    fn without_a_session_or_name_it_still_reads_well() {
        let g = Guidance {
            level: Level::ReachOut,
            reasons: vec![Reason::Persisting {
                days: 3,
                first_day: d(1),
                latest_day: d(3),
                baseline: 6.0,
                latest_mood: 2.0,
            }],
        };
        let m = draft_message(&g, None, None, None);
        assert!(m.starts_with("Hi,\n"));
        assert!(m.contains("for 3 days, since Sunday 1 November."), "{m}");
        assert!(m.contains("Could we talk soon"));
    }

    #[test]
    fn links_carry_the_message_encoded() {
        let body = "Hi Jo,\n\nI feel 50% worse & can't sleep?";
        assert_eq!(
            sms_href("+447700900123", body),
            "sms:+447700900123?&body=Hi%20Jo%2C%0A%0AI%20feel%2050%25%20worse%20%26%20can%27t%20sleep%3F"
        );
        assert_eq!(
            mailto_href("jo@example.org", DRAFT_SUBJECT, body),
            "mailto:jo@example.org?subject=Before%20our%20next%20session&body=Hi%20Jo%2C%0D%0A%0D%0AI%20feel%2050%25%20worse%20%26%20can%27t%20sleep%3F"
        );
        // Letters beyond ASCII are encoded as UTF-8 bytes, as encodeURIComponent does.
        assert_eq!(sms_href("1", "é"), "sms:1?&body=%C3%A9");
    }

    #[test]
    fn typed_phone_numbers_become_dialable() {
        assert_eq!(
            dialable("+44 20 7946 0000").as_deref(),
            Some("+442079460000")
        );
        assert_eq!(dialable("(555) 010-2030").as_deref(), Some("5550102030"));
        assert_eq!(
            dialable(" +1 (555) 010.2030").as_deref(),
            Some("+15550102030")
        );
        assert_eq!(dialable("ask at reception"), None);
        assert_eq!(dialable("12"), None);
    }
}
