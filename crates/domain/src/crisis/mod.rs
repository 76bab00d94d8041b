//! The crisis directory: for each country, the emergency number and the crisis lines to call,
//! text or chat, with where each came from and when it was last checked.
//!
//! The data is a compiled-in table (see `table.rs`) so that the "Get help now" page needs no
//! database, no network and no file to show it. `docs/crisis-directory.md` explains how to
//! update it.

mod country;
mod table;

pub use country::{Country, UnknownCountry};

use chrono::NaiveDate;
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Shown with the fallback entry when we do not know which country the person is in.
pub const PICK_COUNTRY_NOTE: &str = "Choose your country to see its crisis lines. \
     Until then: 112 reaches the emergency services anywhere in the European Union.";

/// A phone number kept as the organisation writes it, e.g. "116 123" or "0800-0113".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhoneNumber {
    display: &'static str,
}

impl PhoneNumber {
    /// Wraps a number written with digits, spaces and hyphens (and at most a leading +).
    const fn new(display: &'static str) -> Self {
        PhoneNumber { display }
    }

    /// The number as the organisation writes it, spaces and all, for showing on screen.
    pub fn display(&self) -> &'static str {
        self.display
    }

    /// The number to dial: its digits, with a leading + kept if it is written in that form.
    pub fn dial(&self) -> String {
        let digits = self.display.chars().filter(char::is_ascii_digit);
        if self.display.trim_start().starts_with('+') {
            std::iter::once('+').chain(digits).collect()
        } else {
            digits.collect()
        }
    }

    /// A `tel:` link that dials the number as a local call, e.g. `tel:116123`.
    pub fn tel_href(&self) -> String {
        format!("tel:{}", self.dial())
    }

    /// An `sms:` link to the number, with `body` prefilled when given.
    ///
    /// The body uses `?&body=`: Android reads the standard `?body=` query, older iOS looks
    /// for `&body=`, and this one form satisfies both.
    pub fn sms_href(&self, body: Option<&str>) -> String {
        match body {
            Some(body) if !body.is_empty() => {
                format!("sms:{}?&body={}", self.dial(), percent_encode(body))
            }
            _ => format!("sms:{}", self.dial()),
        }
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("PhoneNumber", 2)?;
        s.serialize_field("display", self.display)?;
        s.serialize_field("tel_href", &self.tel_href())?;
        s.end()
    }
}

/// Percent-encodes everything outside the URI "unreserved" set, so a body cannot break a link.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// How to reach a line by text message: the number, and the word to send if it asks for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TextOption {
    /// The number to text.
    pub number: PhoneNumber,
    /// The word the service asks people to send first, such as "HOME"; `None` if any message works.
    pub keyword: Option<&'static str>,
}

impl TextOption {
    /// An `sms:` link with the keyword prefilled, e.g. `sms:741741?&body=HOME`.
    pub fn sms_href(&self) -> String {
        self.number.sms_href(self.keyword)
    }
}

impl Serialize for TextOption {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("TextOption", 4)?;
        s.serialize_field("display", self.number.display())?;
        s.serialize_field("keyword", &self.keyword)?;
        s.serialize_field("sms_href", &self.sms_href())?;
        s.end()
    }
}

/// One crisis line: who answers, how to reach them, when, and where we checked the details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[non_exhaustive]
pub struct CrisisLine {
    /// The service's name as it presents itself.
    pub name: &'static str,
    /// One short line, in our words, saying what the service offers.
    pub description: &'static str,
    /// The number to call, if the line takes calls.
    pub phone: Option<PhoneNumber>,
    /// How to reach the line by text message, if it offers that.
    pub text: Option<TextOption>,
    /// The web chat address, only where we are sure of it.
    pub chat_url: Option<&'static str>,
    /// When the line is answered, e.g. "24/7".
    pub hours: &'static str,
    /// The organisation's official web address, where the details were checked.
    pub source: &'static str,
    /// The day the details were last checked, as `YYYY-MM-DD`.
    pub verified_on: &'static str,
}

impl CrisisLine {
    /// The `tel:` link for calling the line, if it takes calls.
    pub fn tel_href(&self) -> Option<String> {
        self.phone.map(|p| p.tel_href())
    }

    /// The `sms:` link for texting the line, if it takes texts.
    pub fn sms_href(&self) -> Option<String> {
        self.text.map(|t| t.sms_href())
    }

    /// The day the details were last checked, or `None` if the table holds a malformed date.
    pub fn verified_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(self.verified_on, "%Y-%m-%d").ok()
    }
}

/// Everything the "Get help now" page shows for one country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[non_exhaustive]
pub struct CrisisDirectoryEntry {
    /// The country this entry is for.
    pub country: Country,
    /// The number for police, ambulance and fire; shown first.
    pub emergency_number: PhoneNumber,
    /// Further emergency numbers that also work there (Ireland: 999 besides 112).
    pub other_emergency_numbers: &'static [PhoneNumber],
    /// The crisis lines, most widely useful first; never empty.
    pub lines: &'static [CrisisLine],
}

impl CrisisDirectoryEntry {
    /// All emergency numbers, the main one first.
    pub fn emergency_numbers(&self) -> impl Iterator<Item = PhoneNumber> + '_ {
        std::iter::once(self.emergency_number).chain(self.other_emergency_numbers.iter().copied())
    }

    /// The oldest `verified_on` among the lines, as `YYYY-MM-DD`, for a "checked on" note.
    pub fn verified_on(&self) -> &'static str {
        // ISO dates order the same as strings, so the smallest string is the oldest day.
        self.lines
            .iter()
            .map(|l| l.verified_on)
            .min()
            .unwrap_or(table::VERIFIED_ON)
    }
}

/// The directory entry for a country.
pub fn directory_for(country: Country) -> &'static CrisisDirectoryEntry {
    table::entry(country)
}

/// The entry shown when we do not know the country: 112 and the European support number.
pub fn fallback() -> &'static CrisisDirectoryEntry {
    table::entry(Country::Europe)
}

/// Every entry, in the order of [`Country::all`].
pub fn all_entries() -> impl Iterator<Item = &'static CrisisDirectoryEntry> {
    Country::all().iter().map(|c| directory_for(*c))
}

/// What to show for a stored or requested country code, with a note when we had to guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryLookup {
    /// The entry to show.
    pub entry: &'static CrisisDirectoryEntry,
    /// [`PICK_COUNTRY_NOTE`] when the code was missing or unknown and this is the fallback.
    pub note: Option<&'static str>,
}

/// Looks up a country code (any case); a missing or unknown code gives the fallback and a note.
pub fn directory_for_code(code: Option<&str>) -> DirectoryLookup {
    directory_for_country(code.and_then(|c| Country::parse(c).ok()))
}

/// Looks up a person's country; without one, the fallback and a note.
pub fn directory_for_country(country: Option<Country>) -> DirectoryLookup {
    match country {
        Some(country) => DirectoryLookup {
            entry: directory_for(country),
            note: None,
        },
        None => DirectoryLookup {
            entry: fallback(),
            note: Some(PICK_COUNTRY_NOTE),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every link an entry offers, in page order: emergency numbers, then each line's
    /// call link and text link.
    fn hrefs(country: Country) -> Vec<String> {
        let entry = directory_for(country);
        let mut out: Vec<String> = entry.emergency_numbers().map(|n| n.tel_href()).collect();
        for line in entry.lines {
            out.extend(line.tel_href());
            out.extend(line.sms_href());
        }
        out
    }

    #[test]
    fn every_link_is_exactly_right() {
        let expected: [(Country, &[&str]); 12] = [
            (
                Country::Us,
                &["tel:911", "tel:988", "sms:988", "sms:741741?&body=HOME"],
            ),
            (Country::Ca, &["tel:911", "tel:988", "sms:988"]),
            (
                Country::Gb,
                &["tel:999", "tel:116123", "sms:85258?&body=SHOUT"],
            ),
            (
                Country::Ie,
                &["tel:112", "tel:999", "tel:116123", "sms:50808"],
            ),
            (Country::Au, &["tel:000", "tel:131114", "sms:0477131114"]),
            (Country::Nz, &["tel:111", "tel:1737", "sms:1737"]),
            (
                Country::De,
                &["tel:112", "tel:08001110111", "tel:08001110222"],
            ),
            (Country::Fr, &["tel:112", "tel:3114"]),
            (Country::Es, &["tel:112", "tel:024"]),
            (Country::Nl, &["tel:112", "tel:113", "tel:08000113"]),
            (Country::In, &["tel:112", "tel:14416"]),
            (Country::Europe, &["tel:112", "tel:116123"]),
        ];
        for (country, links) in expected {
            assert_eq!(hrefs(country), links, "{}", country.code());
        }
        // The table above must cover every country, so a new one cannot slip in untested.
        let mut covered: Vec<Country> = expected.iter().map(|(c, _)| *c).collect();
        covered.sort_unstable();
        let mut all = Country::all().to_vec();
        all.sort_unstable();
        assert_eq!(covered, all);
    }

    #[test]
    fn numbers_are_displayed_as_the_organisations_write_them() {
        let displays = |c: Country| -> Vec<&str> {
            let entry = directory_for(c);
            let mut out: Vec<&str> = entry.emergency_numbers().map(|n| n.display()).collect();
            for line in entry.lines {
                out.extend(line.phone.map(|p| p.display()));
                out.extend(line.text.map(|t| t.number.display()));
            }
            out
        };
        assert_eq!(displays(Country::Us), ["911", "988", "988", "741741"]);
        assert_eq!(displays(Country::Ca), ["911", "9-8-8", "9-8-8"]);
        assert_eq!(displays(Country::Gb), ["999", "116 123", "85258"]);
        assert_eq!(displays(Country::Ie), ["112", "999", "116 123", "50808"]);
        assert_eq!(displays(Country::Au), ["000", "13 11 14", "0477 13 11 14"]);
        assert_eq!(displays(Country::Nz), ["111", "1737", "1737"]);
        assert_eq!(
            displays(Country::De),
            ["112", "0800 111 0 111", "0800 111 0 222"]
        );
        assert_eq!(displays(Country::Fr), ["112", "3114"]);
        assert_eq!(displays(Country::Es), ["112", "024"]);
        assert_eq!(displays(Country::Nl), ["112", "113", "0800-0113"]);
        assert_eq!(displays(Country::In), ["112", "14416"]);
        assert_eq!(displays(Country::Europe), ["112", "116 123"]);
    }

    #[test]
    fn every_country_has_an_emergency_number_and_a_line() {
        for entry in all_entries() {
            let code = entry.country.code();
            assert!(entry.emergency_number.dial().len() >= 3, "{code}");
            assert!(!entry.lines.is_empty(), "{code}");
            for line in entry.lines {
                assert!(
                    line.phone.is_some() || line.text.is_some() || line.chat_url.is_some(),
                    "{code}: {} has no way to reach it",
                    line.name
                );
            }
        }
    }

    #[test]
    fn each_entry_belongs_to_its_country() {
        for c in Country::all() {
            assert_eq!(directory_for(*c).country, *c);
        }
        assert_eq!(fallback().country, Country::Europe);
        assert_eq!(fallback().emergency_number.tel_href(), "tel:112");
    }

    #[test]
    fn hrefs_contain_only_allowed_characters() {
        fn is_tel(href: &str) -> bool {
            href.strip_prefix("tel:").is_some_and(|rest| {
                let rest = rest.strip_prefix('+').unwrap_or(rest);
                !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
            })
        }
        fn is_sms(href: &str) -> bool {
            href.strip_prefix("sms:").is_some_and(|rest| {
                let (number, body) = match rest.split_once("?&body=") {
                    Some((n, b)) => (n, Some(b)),
                    None => (rest, None),
                };
                !number.is_empty()
                    && number.bytes().all(|b| b.is_ascii_digit())
                    && body.is_none_or(|b| {
                        !b.is_empty() && b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'%')
                    })
            })
        }
        for c in Country::all() {
            for href in hrefs(*c) {
                assert!(is_tel(&href) || is_sms(&href), "{}: {href}", c.code());
            }
        }
    }

    #[test]
    fn phone_numbers_are_written_with_digits_spaces_and_hyphens_only() {
        let all_numbers = all_entries().flat_map(|e| {
            e.emergency_numbers().chain(
                e.lines
                    .iter()
                    .flat_map(|l| l.phone.into_iter().chain(l.text.map(|t| t.number))),
            )
        });
        for n in all_numbers {
            let d = n.display();
            assert!(
                d.bytes()
                    .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-'),
                "{d:?}"
            );
            assert!(
                !d.starts_with([' ', '-']) && !d.ends_with([' ', '-']),
                "{d:?}"
            );
        }
    }

    #[test]
    fn every_line_is_dated_sourced_and_described() {
        let checked = NaiveDate::from_ymd_opt(2026, 11, 24);
        for entry in all_entries() {
            let code = entry.country.code();
            assert_eq!(entry.verified_on(), "2026-11-24", "{code}");
            for line in entry.lines {
                assert!(line.verified_date().is_some(), "{code}: {}", line.name);
                assert_eq!(line.verified_date(), checked, "{code}: {}", line.name);
                assert!(line.source.starts_with("https://"), "{code}: {}", line.name);
                assert!(!line.name.is_empty() && !line.hours.is_empty(), "{code}");
                assert!(!line.description.is_empty(), "{code}: {}", line.name);
                assert!(!line.description.contains('\n'), "{code}: {}", line.name);
                assert!(line.description.len() <= 120, "{code}: {}", line.name);
                if let Some(url) = line.chat_url {
                    assert!(url.starts_with("https://"), "{code}: {url}");
                }
            }
        }
    }

    #[test]
    fn the_retired_us_lifeline_number_appears_nowhere() {
        // 988 replaced this number in July 2022; it must not come back by copy and paste.
        let retired_digits = "18002738255";
        let retired_tail = "2738255";
        for entry in all_entries() {
            let json = serde_json::to_string(entry).unwrap_or_default();
            assert!(!json.is_empty());
            let digits: String = json.chars().filter(char::is_ascii_digit).collect();
            assert!(!json.contains(retired_tail), "{}", entry.country.code());
            assert!(!json.contains("273-8255"), "{}", entry.country.code());
            assert!(!json.contains("273-TALK"), "{}", entry.country.code());
            assert!(!digits.contains(retired_digits), "{}", entry.country.code());
            for n in entry.emergency_numbers() {
                assert!(!n.dial().contains(retired_tail));
            }
            for line in entry.lines {
                for href in line.tel_href().into_iter().chain(line.sms_href()) {
                    assert!(!href.contains(retired_tail), "{href}");
                }
            }
        }
        let source = include_str!("table.rs");
        let source_digits: String = source.chars().filter(char::is_ascii_digit).collect();
        assert!(!source.contains("273-8255") && !source.contains("273 8255"));
        assert!(!source.contains(retired_tail));
        assert!(!source_digits.contains(retired_digits));
    }

    #[test]
    fn unknown_or_missing_codes_fall_back_to_112_with_a_note() {
        for code in [None, Some(""), Some("JP"), Some("usa")] {
            let found = directory_for_code(code);
            assert_eq!(found.entry.country, Country::Europe, "{code:?}");
            assert_eq!(found.note, Some(PICK_COUNTRY_NOTE), "{code:?}");
            assert_eq!(found.entry.emergency_number.display(), "112");
        }
        let found = directory_for_code(Some("gb"));
        assert_eq!(found.entry.country, Country::Gb);
        assert_eq!(found.note, None);
        let chosen = directory_for_code(Some("EU"));
        assert_eq!(chosen.entry.country, Country::Europe);
        assert_eq!(chosen.note, None);
    }

    #[test]
    fn a_known_country_needs_no_note() {
        let found = directory_for_country(Some(Country::Ie));
        assert_eq!((found.entry.country, found.note), (Country::Ie, None));
        let missing = directory_for_country(None);
        assert_eq!(missing.entry.country, Country::Europe);
        assert_eq!(missing.note, Some(PICK_COUNTRY_NOTE));
    }

    #[test]
    fn dial_keeps_an_international_plus() {
        let n = PhoneNumber::new("+61 477 131 114");
        assert_eq!(n.tel_href(), "tel:+61477131114");
        assert_eq!(n.sms_href(None), "sms:+61477131114");
    }

    #[test]
    fn sms_bodies_are_percent_encoded() {
        let n = PhoneNumber::new("741741");
        assert_eq!(n.sms_href(Some("HOME")), "sms:741741?&body=HOME");
        assert_eq!(n.sms_href(Some("")), "sms:741741");
        assert_eq!(n.sms_href(Some("a b&c")), "sms:741741?&body=a%20b%26c");
        assert_eq!(n.sms_href(Some("é")), "sms:741741?&body=%C3%A9");
    }

    #[test]
    fn serializes_with_ready_made_links() {
        let json = serde_json::to_value(directory_for(Country::Us)).unwrap_or_default();
        assert_eq!(json["country"], "US");
        assert_eq!(json["emergency_number"]["display"], "911");
        assert_eq!(json["emergency_number"]["tel_href"], "tel:911");
        assert_eq!(
            json["lines"][1]["text"]["sms_href"],
            "sms:741741?&body=HOME"
        );
        assert_eq!(json["lines"][1]["text"]["keyword"], "HOME");
        assert_eq!(json["lines"][0]["verified_on"], "2026-11-24");
    }
}
