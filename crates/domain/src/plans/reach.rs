//! Who a plan says to reach, as one list with ready-made call and text links: the person's
//! own contacts, their therapist from settings, and the crisis lines and emergency number of
//! their country from the crisis directory. The therapist and the directory are read live, so
//! a changed number in settings or in the directory is never stale in the plan.

use serde::Serialize;

use super::PlanContact;
use crate::account::TherapistContact;
use crate::contact::dialable;
use crate::crisis::CrisisDirectoryEntry;

/// Where an entry came from, so the page can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReachKind {
    /// Someone the person added to the plan.
    Own,
    /// The therapist, from the account's settings.
    Therapist,
    /// A crisis line from the directory.
    CrisisLine,
    /// The country's emergency number.
    Emergency,
}

/// One person or service to reach, with links ready for the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reach {
    /// Who it is.
    pub name: String,
    /// A short line under the name (e.g. "Your therapist", "24/7").
    pub note: Option<String>,
    /// Where it came from.
    pub kind: ReachKind,
    /// The number as written, for showing.
    pub phone_display: Option<String>,
    /// A `tel:` link.
    pub call_href: Option<String>,
    /// An `sms:` link (with the keyword prefilled where a line asks for one).
    pub text_href: Option<String>,
    /// What the text link says, e.g. "Text HOME to 741741".
    pub text_label: Option<String>,
    /// A web chat address, where the directory has one.
    pub chat_href: Option<String>,
}

impl Reach {
    fn from_contact(c: &PlanContact, kind: ReachKind, note: Option<String>) -> Reach {
        let display = c.phone.clone().filter(|p| dialable(p).is_some());
        Reach {
            name: c.name.clone(),
            note,
            kind,
            text_label: display.as_ref().map(|p| format!("Text {p}")),
            phone_display: display,
            call_href: c.call_href(),
            text_href: c.text_href(),
            chat_href: None,
        }
    }
}

/// The people a plan lists, with their links.
pub fn people(contacts: &[PlanContact]) -> Vec<Reach> {
    contacts
        .iter()
        .map(|c| Reach::from_contact(c, ReachKind::Own, None))
        .collect()
}

/// Step 5 of the safety plan: the therapist first, then the professionals the person added,
/// then the country's crisis lines and its emergency numbers.
pub fn professionals(
    therapist: &TherapistContact,
    own: &[PlanContact],
    entry: &CrisisDirectoryEntry,
) -> Vec<Reach> {
    let mut out = Vec::new();
    out.extend(therapist_reach(therapist));
    out.extend(
        own.iter()
            .map(|c| Reach::from_contact(c, ReachKind::Own, None)),
    );
    for line in entry.lines {
        out.push(Reach {
            name: line.name.to_string(),
            note: Some(format!("{} · {}", line.hours, line.description)),
            kind: ReachKind::CrisisLine,
            phone_display: line.phone.map(|p| p.display().to_string()),
            call_href: line.tel_href(),
            text_href: line.sms_href(),
            text_label: line.text.map(|t| match t.keyword {
                Some(k) => format!("Text {k} to {}", t.number.display()),
                None => format!("Text {}", t.number.display()),
            }),
            chat_href: line.chat_url.map(str::to_string),
        });
    }
    for number in entry.emergency_numbers() {
        out.push(Reach {
            name: "Emergency services".to_string(),
            note: Some("If you are in danger right now".to_string()),
            kind: ReachKind::Emergency,
            phone_display: Some(number.display().to_string()),
            call_href: Some(number.tel_href()),
            text_href: None,
            text_label: None,
            chat_href: None,
        });
    }
    out
}

/// The therapist as a plan entry, when settings hold a name or a number.
pub fn therapist_reach(t: &TherapistContact) -> Option<Reach> {
    let name = t.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let phone = t.phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if name.is_none() && phone.is_none() {
        return None;
    }
    let contact = PlanContact {
        name: name.unwrap_or("My therapist").to_string(),
        phone: phone.map(str::to_string),
    };
    Some(Reach::from_contact(
        &contact,
        ReachKind::Therapist,
        Some("Your therapist (from Settings)".to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crisis::{Country, directory_for};

    fn therapist() -> TherapistContact {
        TherapistContact {
            name: Some("Dr Ada Okafor".into()),
            phone: Some("+44 20 7946 0000".into()),
            email: None,
        }
    }

    /// Every link in the section, in page order.
    fn links(section: &[Reach]) -> Vec<String> {
        section
            .iter()
            .flat_map(|r| r.call_href.clone().into_iter().chain(r.text_href.clone()))
            .collect()
    }

    #[test]
    fn the_professionals_section_links_are_exact_for_every_country() {
        let own = [PlanContact {
            name: "GP surgery".into(),
            phone: Some("(020) 7946-0001".into()),
        }];
        let expected: [(Country, &[&str]); 12] = [
            (
                Country::Us,
                &["tel:988", "sms:988", "sms:741741?&body=HOME", "tel:911"],
            ),
            (Country::Ca, &["tel:988", "sms:988", "tel:911"]),
            (
                Country::Gb,
                &["tel:116123", "sms:85258?&body=SHOUT", "tel:999"],
            ),
            (
                Country::Ie,
                &["tel:116123", "sms:50808", "tel:112", "tel:999"],
            ),
            (Country::Au, &["tel:131114", "sms:0477131114", "tel:000"]),
            (Country::Nz, &["tel:1737", "sms:1737", "tel:111"]),
            (
                Country::De,
                &["tel:08001110111", "tel:08001110222", "tel:112"],
            ),
            (Country::Fr, &["tel:3114", "tel:112"]),
            (Country::Es, &["tel:024", "tel:112"]),
            (Country::Nl, &["tel:113", "tel:08000113", "tel:112"]),
            (Country::In, &["tel:14416", "tel:112"]),
            (Country::Europe, &["tel:116123", "tel:112"]),
        ];
        for (country, directory_links) in expected {
            let section = professionals(&therapist(), &own, directory_for(country));
            let mut want = vec![
                "tel:+442079460000".to_string(),
                "sms:+442079460000".to_string(),
                "tel:02079460001".to_string(),
                "sms:02079460001".to_string(),
            ];
            want.extend(directory_links.iter().map(|s| s.to_string()));
            assert_eq!(links(&section), want, "{}", country.code());
            // The therapist leads and the emergency number closes the list.
            assert_eq!(section[0].kind, ReachKind::Therapist);
            assert_eq!(section[1].kind, ReachKind::Own);
            assert_eq!(section.last().map(|r| r.kind), Some(ReachKind::Emergency));
        }
        // The table above covers every country, so a new one cannot slip in untested.
        let mut covered: Vec<Country> = expected.iter().map(|(c, _)| *c).collect();
        covered.sort_unstable();
        let mut all = Country::all().to_vec();
        all.sort_unstable();
        assert_eq!(covered, all);
    }

    #[test]
    fn text_links_say_what_to_send() {
        let us = professionals(
            &TherapistContact::default(),
            &[],
            directory_for(Country::Us),
        );
        let labels: Vec<_> = us.iter().filter_map(|r| r.text_label.as_deref()).collect();
        assert_eq!(labels, ["Text 988", "Text HOME to 741741"]);
        assert_eq!(
            us[0].chat_href.as_deref(),
            Some("https://988lifeline.org/chat")
        );
        assert!(us.iter().all(|r| r.kind != ReachKind::Therapist));
    }

    #[test]
    fn a_therapist_without_a_number_is_listed_without_links() {
        let t = TherapistContact {
            name: Some("Sam".into()),
            phone: None,
            email: crate::account::Email::parse("sam@example.org").ok(),
        };
        let r = therapist_reach(&t);
        assert_eq!(r.as_ref().map(|r| r.name.as_str()), Some("Sam"));
        assert_eq!(r.and_then(|r| r.call_href), None);
        let numbered = therapist_reach(&TherapistContact {
            name: None,
            phone: Some("555 0100".into()),
            email: None,
        });
        assert_eq!(
            numbered.as_ref().map(|r| r.name.as_str()),
            Some("My therapist")
        );
        assert_eq!(
            numbered.and_then(|r| r.call_href).as_deref(),
            Some("tel:5550100")
        );
        assert_eq!(therapist_reach(&TherapistContact::default()), None);
    }

    #[test]
    fn people_keep_their_order_and_skip_undialable_numbers() {
        let list = people(&[
            PlanContact {
                name: "Jo".into(),
                phone: Some("07700 900123".into()),
            },
            PlanContact {
                name: "Neighbour".into(),
                phone: None,
            },
        ]);
        assert_eq!(links(&list), ["tel:07700900123", "sms:07700900123"]);
        assert_eq!(list[1].phone_display, None);
        assert_eq!(list[0].text_label.as_deref(), Some("Text 07700 900123"));
    }
}
