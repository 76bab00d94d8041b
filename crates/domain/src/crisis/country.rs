//! The countries the crisis directory covers, named by ISO 3166-1 alpha-2 code.

use serde::{Deserialize, Serialize};

/// A country (or the European fallback) that has an entry in the crisis directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Country {
    /// Australia (AU).
    Au,
    /// Canada (CA).
    Ca,
    /// France (FR).
    Fr,
    /// Germany (DE).
    De,
    /// India (IN).
    In,
    /// Ireland (IE).
    Ie,
    /// The Netherlands (NL).
    Nl,
    /// New Zealand (NZ).
    Nz,
    /// Spain (ES).
    Es,
    /// The United Kingdom (GB; "UK" is accepted when parsing).
    Gb,
    /// The United States (US).
    Us,
    /// Anywhere else in Europe, where 112 reaches the emergency services (code "EU").
    Europe,
}

/// Why a string does not name a country in the directory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a country in the crisis directory; choose one from the list")]
pub struct UnknownCountry;

/// Every country in picker order: alphabetical by English name, the European fallback last.
const ALL: [Country; 12] = [
    Country::Au,
    Country::Ca,
    Country::Fr,
    Country::De,
    Country::In,
    Country::Ie,
    Country::Nl,
    Country::Nz,
    Country::Es,
    Country::Gb,
    Country::Us,
    Country::Europe,
];

impl Country {
    /// Every country in the order a country picker should list them.
    pub fn all() -> &'static [Country] {
        &ALL
    }

    /// Parses a two-letter code, ignoring case and surrounding spaces ("gb", "UK", " us ").
    pub fn parse(code: &str) -> Result<Self, UnknownCountry> {
        let code = code.trim();
        if code.eq_ignore_ascii_case("UK") {
            return Ok(Country::Gb);
        }
        ALL.iter()
            .copied()
            .find(|c| c.code().eq_ignore_ascii_case(code))
            .ok_or(UnknownCountry)
    }

    /// The upper-case two-letter code: ISO 3166-1 alpha-2, or "EU" for the European fallback.
    pub fn code(self) -> &'static str {
        match self {
            Country::Au => "AU",
            Country::Ca => "CA",
            Country::Fr => "FR",
            Country::De => "DE",
            Country::In => "IN",
            Country::Ie => "IE",
            Country::Nl => "NL",
            Country::Nz => "NZ",
            Country::Es => "ES",
            Country::Gb => "GB",
            Country::Us => "US",
            Country::Europe => "EU",
        }
    }

    /// The name in English, as a country picker shows it.
    pub fn name(self) -> &'static str {
        match self {
            Country::Au => "Australia",
            Country::Ca => "Canada",
            Country::Fr => "France",
            Country::De => "Germany",
            Country::In => "India",
            Country::Ie => "Ireland",
            Country::Nl => "Netherlands",
            Country::Nz => "New Zealand",
            Country::Es => "Spain",
            Country::Gb => "United Kingdom",
            Country::Us => "United States",
            Country::Europe => "Elsewhere in Europe",
        }
    }
}

impl std::str::FromStr for Country {
    type Err = UnknownCountry;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Country::parse(s)
    }
}

impl TryFrom<String> for Country {
    type Error = UnknownCountry;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Country::parse(&value)
    }
}

impl From<Country> for &'static str {
    fn from(c: Country) -> &'static str {
        c.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_in_any_case() {
        assert_eq!(Country::parse("gb"), Ok(Country::Gb));
        assert_eq!(Country::parse("GB"), Ok(Country::Gb));
        assert_eq!(Country::parse("uk"), Ok(Country::Gb));
        assert_eq!(Country::parse(" Us "), Ok(Country::Us));
        assert_eq!(Country::parse("eu"), Ok(Country::Europe));
        assert_eq!("nz".parse::<Country>(), Ok(Country::Nz));
    }

    #[test]
    fn refuses_unknown_codes() {
        for bad in ["", "X", "USA", "JP", "gbr", "G B"] {
            assert_eq!(Country::parse(bad), Err(UnknownCountry), "{bad:?}");
        }
    }

    #[test]
    fn every_code_round_trips() {
        for c in Country::all() {
            assert_eq!(Country::parse(c.code()), Ok(*c));
            assert_eq!(Country::parse(&c.code().to_lowercase()), Ok(*c));
            assert_eq!(c.code().len(), 2);
            assert!(c.code().chars().all(|ch| ch.is_ascii_uppercase()));
            assert!(!c.name().is_empty());
        }
    }

    #[test]
    fn lists_each_country_once_with_the_fallback_last() {
        let all = Country::all();
        assert_eq!(all.len(), 12);
        assert_eq!(all.last(), Some(&Country::Europe));
        let mut codes: Vec<&str> = all.iter().map(|c| c.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        let names: Vec<&str> = all[..all.len() - 1].iter().map(|c| c.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }

    #[test]
    fn serializes_as_the_code() {
        assert_eq!(
            serde_json::to_string(&Country::Gb).ok().as_deref(),
            Some("\"GB\"")
        );
        assert_eq!(
            serde_json::from_str::<Country>("\"ie\"").ok(),
            Some(Country::Ie)
        );
        assert!(serde_json::from_str::<Country>("\"JP\"").is_err());
    }
}
