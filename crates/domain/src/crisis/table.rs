//! The directory's data. To update it, edit the entries here, set `verified_on` on every line
//! you checked, and update the table in `docs/crisis-directory.md` to match.
//!
//! Numbers are written exactly as each organisation writes them; the links are derived from
//! them, and the tests in `mod.rs` pin every resulting link, so change those tests too.

use super::{Country, CrisisDirectoryEntry, CrisisLine, PhoneNumber, TextOption};

/// The day every line below was last checked against the product's list of required numbers.
pub(super) const VERIFIED_ON: &str = "2026-11-24";

/// 112: the emergency number across the European Union, and in India.
const N112: PhoneNumber = PhoneNumber::new("112");
/// 116 123: the EU-wide number reserved for emotional support; Samaritans answer it in UK and Ireland.
const N116_123: PhoneNumber = PhoneNumber::new("116 123");

/// The entry for a country; a `match` so that every country must have one.
pub(super) fn entry(country: Country) -> &'static CrisisDirectoryEntry {
    match country {
        Country::Us => &US,
        Country::Ca => &CA,
        Country::Gb => &GB,
        Country::Ie => &IE,
        Country::Au => &AU,
        Country::Nz => &NZ,
        Country::De => &DE,
        Country::Fr => &FR,
        Country::Es => &ES,
        Country::Nl => &NL,
        Country::In => &IN,
        Country::Europe => &EUROPE,
    }
}

static US: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::Us,
    emergency_number: PhoneNumber::new("911"),
    other_emergency_numbers: &[],
    lines: &[
        CrisisLine {
            name: "988 Suicide & Crisis Lifeline",
            description: "Free, confidential support by call, text or chat for anyone in \
                          emotional distress or thinking about suicide.",
            phone: Some(PhoneNumber::new("988")),
            text: Some(TextOption {
                number: PhoneNumber::new("988"),
                keyword: None,
            }),
            chat_url: Some("https://988lifeline.org/chat"),
            hours: "24/7",
            source: "https://988lifeline.org",
            verified_on: VERIFIED_ON,
        },
        CrisisLine {
            name: "Crisis Text Line",
            description: "Free text conversation with a trained volunteer crisis counselor.",
            phone: None,
            text: Some(TextOption {
                number: PhoneNumber::new("741741"),
                keyword: Some("HOME"),
            }),
            chat_url: None,
            hours: "24/7",
            source: "https://www.crisistextline.org",
            verified_on: VERIFIED_ON,
        },
    ],
};

static CA: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::Ca,
    emergency_number: PhoneNumber::new("911"),
    other_emergency_numbers: &[],
    lines: &[CrisisLine {
        name: "9-8-8 Suicide Crisis Helpline",
        description: "Free, confidential support by call or text for anyone thinking about \
                      suicide or worried about someone.",
        phone: Some(PhoneNumber::new("9-8-8")),
        text: Some(TextOption {
            number: PhoneNumber::new("9-8-8"),
            keyword: None,
        }),
        chat_url: None,
        hours: "24/7",
        source: "https://988.ca",
        verified_on: VERIFIED_ON,
    }],
};

static GB: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::Gb,
    emergency_number: PhoneNumber::new("999"),
    other_emergency_numbers: &[],
    lines: &[
        CrisisLine {
            name: "Samaritans",
            description: "Free phone line where someone will listen, whatever you are going \
                          through.",
            phone: Some(N116_123),
            text: None,
            chat_url: None,
            hours: "24/7",
            source: "https://www.samaritans.org",
            verified_on: VERIFIED_ON,
        },
        CrisisLine {
            name: "Shout",
            description: "Free, confidential text conversation with a trained volunteer.",
            phone: None,
            text: Some(TextOption {
                number: PhoneNumber::new("85258"),
                keyword: Some("SHOUT"),
            }),
            chat_url: None,
            hours: "24/7",
            source: "https://giveusashout.org",
            verified_on: VERIFIED_ON,
        },
    ],
};

static IE: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::Ie,
    emergency_number: N112,
    other_emergency_numbers: &[PhoneNumber::new("999")],
    lines: &[
        CrisisLine {
            name: "Samaritans",
            description: "Free phone line where someone will listen, whatever you are going \
                          through.",
            phone: Some(N116_123),
            text: None,
            chat_url: None,
            hours: "24/7",
            source: "https://www.samaritans.org",
            verified_on: VERIFIED_ON,
        },
        CrisisLine {
            name: "50808",
            description: "Free, anonymous text conversation with a trained volunteer.",
            phone: None,
            text: Some(TextOption {
                number: PhoneNumber::new("50808"),
                keyword: None,
            }),
            chat_url: None,
            hours: "24/7",
            source: "https://50808.ie",
            verified_on: VERIFIED_ON,
        },
    ],
};

static AU: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::Au,
    emergency_number: PhoneNumber::new("000"),
    other_emergency_numbers: &[],
    lines: &[CrisisLine {
        name: "Lifeline",
        description: "Crisis support and suicide prevention by phone or text message.",
        phone: Some(PhoneNumber::new("13 11 14")),
        text: Some(TextOption {
            number: PhoneNumber::new("0477 13 11 14"),
            keyword: None,
        }),
        chat_url: None,
        hours: "24/7",
        source: "https://www.lifeline.org.au",
        verified_on: VERIFIED_ON,
    }],
};

static NZ: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::Nz,
    emergency_number: PhoneNumber::new("111"),
    other_emergency_numbers: &[],
    lines: &[CrisisLine {
        name: "1737, Need to talk?",
        description: "Free call or text to talk with a trained counsellor.",
        phone: Some(PhoneNumber::new("1737")),
        text: Some(TextOption {
            number: PhoneNumber::new("1737"),
            keyword: None,
        }),
        chat_url: None,
        hours: "24/7",
        source: "https://1737.org.nz",
        verified_on: VERIFIED_ON,
    }],
};

static DE: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::De,
    emergency_number: N112,
    other_emergency_numbers: &[],
    lines: &[
        CrisisLine {
            name: "TelefonSeelsorge",
            description: "Free, anonymous phone line to talk through whatever weighs on you \
                          (in German).",
            phone: Some(PhoneNumber::new("0800 111 0 111")),
            text: None,
            chat_url: None,
            hours: "24/7",
            source: "https://www.telefonseelsorge.de",
            verified_on: VERIFIED_ON,
        },
        CrisisLine {
            name: "TelefonSeelsorge",
            description: "The same service on its second free number.",
            phone: Some(PhoneNumber::new("0800 111 0 222")),
            text: None,
            chat_url: None,
            hours: "24/7",
            source: "https://www.telefonseelsorge.de",
            verified_on: VERIFIED_ON,
        },
    ],
};

static FR: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::Fr,
    emergency_number: N112,
    other_emergency_numbers: &[],
    lines: &[CrisisLine {
        name: "3114, numéro national de prévention du suicide",
        description: "Free national suicide prevention line answered by trained health \
                      professionals (in French).",
        phone: Some(PhoneNumber::new("3114")),
        text: None,
        chat_url: None,
        hours: "24/7",
        source: "https://3114.fr",
        verified_on: VERIFIED_ON,
    }],
};

static ES: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::Es,
    emergency_number: N112,
    other_emergency_numbers: &[],
    lines: &[CrisisLine {
        name: "Línea 024",
        description: "Free national line for people with thoughts of suicide and those close \
                      to them (in Spanish).",
        phone: Some(PhoneNumber::new("024")),
        text: None,
        chat_url: None,
        hours: "24/7",
        source: "https://www.sanidad.gob.es",
        verified_on: VERIFIED_ON,
    }],
};

static NL: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::Nl,
    emergency_number: N112,
    other_emergency_numbers: &[],
    lines: &[
        CrisisLine {
            name: "113 Zelfmoordpreventie",
            description: "Anonymous suicide prevention line; talk with a trained listener \
                          (in Dutch).",
            phone: Some(PhoneNumber::new("113")),
            text: None,
            chat_url: None,
            hours: "24/7",
            source: "https://www.113.nl",
            verified_on: VERIFIED_ON,
        },
        CrisisLine {
            name: "113 Zelfmoordpreventie",
            description: "The same service on its free 0800 number.",
            phone: Some(PhoneNumber::new("0800-0113")),
            text: None,
            chat_url: None,
            hours: "24/7",
            source: "https://www.113.nl",
            verified_on: VERIFIED_ON,
        },
    ],
};

static IN: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::In,
    emergency_number: N112,
    other_emergency_numbers: &[],
    lines: &[CrisisLine {
        name: "Tele-MANAS",
        description: "Free national mental health helpline, in many Indian languages.",
        phone: Some(PhoneNumber::new("14416")),
        text: None,
        chat_url: None,
        hours: "24/7",
        source: "https://telemanas.mohfw.gov.in",
        verified_on: VERIFIED_ON,
    }],
};

static EUROPE: CrisisDirectoryEntry = CrisisDirectoryEntry {
    country: Country::Europe,
    emergency_number: N112,
    other_emergency_numbers: &[],
    lines: &[CrisisLine {
        name: "116 123",
        description: "Emotional support number reserved across the EU; answered in many \
                      countries, not all.",
        phone: Some(N116_123),
        text: None,
        chat_url: None,
        hours: "Varies by country",
        source: "https://eur-lex.europa.eu/eli/dec/2007/698/oj",
        verified_on: VERIFIED_ON,
    }],
};
