//! What the shared page frame needs: whether someone is signed in, their form token, and
//! which navigation item is current; and the list of places the navigation leads to.

/// A page the navigation leads to that is not on the phone's bottom bar. On a phone these
/// are listed on the "More" page; on a wide screen in the side navigation.
pub struct Destination {
    /// The `current` key of the page, matched against [`Layout::current`].
    pub key: &'static str,
    /// Where it is.
    pub href: &'static str,
    /// Its name in the navigation.
    pub label: &'static str,
    /// One plain line on the "More" page saying what it is for.
    pub blurb: &'static str,
}

/// Everything besides the four bottom-bar pages (Home, Check in, Toolkit, Safety plan), in
/// the order a person between sessions is likely to want them.
pub const MORE_DESTINATIONS: [Destination; 8] = [
    Destination {
        key: "journal",
        href: "/journal",
        label: "Journal",
        blurb: "Write down what is on your mind and read it back later.",
    },
    Destination {
        key: "history",
        href: "/history",
        label: "History",
        blurb: "Your check-ins day by day, with a chart of your mood.",
    },
    Destination {
        key: "sessions",
        href: "/sessions",
        label: "Sessions",
        blurb: "When your therapy sessions are, and how they went.",
    },
    Destination {
        key: "agenda",
        href: "/agenda",
        label: "Agenda",
        blurb: "Things you want to bring up at your next session.",
    },
    Destination {
        key: "homework",
        href: "/homework",
        label: "Homework",
        blurb: "What your therapist suggested trying between sessions.",
    },
    Destination {
        key: "brief",
        href: "/brief",
        label: "Brief",
        blurb: "A short summary since your last session, to show or print.",
    },
    Destination {
        key: "questionnaires",
        href: "/questionnaires",
        label: "Questionnaires",
        blurb: "Two short sets of questions every two weeks, and your past scores.",
    },
    Destination {
        key: "settings",
        href: "/settings",
        label: "Settings",
        blurb: "Your therapist's details, your country and your usual day.",
    },
];

/// Pages without a navigation item of their own, and the bottom-bar item they belong to.
const PART_OF: [(&str, &str); 2] = [("feedback", "more"), ("backsliding", "safety")];

/// The page frame's data.
pub struct Layout {
    /// Show the navigation and sign-out button.
    pub signed_in: bool,
    /// Form token for the sign-out form.
    pub csrf: String,
    /// The current navigation item ("home", "checkin", "history", …, or "").
    pub current: &'static str,
    /// Show a therapist's navigation (caseload, add a client, settings, help) instead of
    /// a client's.
    pub therapist: bool,
}

/// A therapist's navigation: (`current` key, where, label). Their account keeps no log of
/// its own, so none of a client's pages are offered.
pub const THERAPIST_DESTINATIONS: [(&str, &str, &str); 4] = [
    ("caseload", "/therapist", "Caseload"),
    ("join", "/therapist/join", "Add a client"),
    ("settings", "/settings", "Settings"),
    ("help", "/help", "Help"),
];

impl Layout {
    /// The frame for a signed-out page.
    pub fn anonymous() -> Layout {
        Layout {
            signed_in: false,
            csrf: String::new(),
            current: "",
            therapist: false,
        }
    }

    /// The frame for a signed-in page.
    pub fn signed_in(csrf: &str, current: &'static str) -> Layout {
        Layout {
            signed_in: true,
            csrf: csrf.to_string(),
            current,
            therapist: false,
        }
    }

    /// The frame for a signed-in page, with the navigation of the account's role: pages
    /// that clients and therapists share use this one.
    pub fn for_user(me: &crate::session::SignedIn, current: &'static str) -> Layout {
        Layout {
            therapist: me.actor.account().is_therapist(),
            ..Layout::signed_in(&me.csrf, current)
        }
    }

    /// The frame for a therapist's own page.
    pub fn therapist(csrf: &str, current: &'static str) -> Layout {
        Layout {
            therapist: true,
            ..Layout::signed_in(csrf, current)
        }
    }

    /// A therapist's navigation.
    pub fn therapist_nav(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &THERAPIST_DESTINATIONS
    }

    /// The URL of an embedded file, carrying the hash of its bytes.
    pub fn asset(&self, name: &str) -> String {
        crate::assets::url(name)
    }

    /// The right frame for whoever is visiting.
    pub fn for_visitor(v: &crate::session::Visitor, current: &'static str) -> Layout {
        match &v.signed_in {
            Some(s) => Layout::for_user(s, current),
            None => Layout::anonymous(),
        }
    }

    /// The destinations beyond the bottom bar.
    pub fn more(&self) -> &'static [Destination] {
        &MORE_DESTINATIONS
    }

    /// The bottom-bar item ("home", "checkin", "toolkit", "safety" or "more") of the part of
    /// the app the person is in, so a phone shows where they are even on a page with no
    /// place of its own on the bar.
    pub fn section(&self) -> &'static str {
        if MORE_DESTINATIONS.iter().any(|d| d.key == self.current) {
            return "more";
        }
        PART_OF
            .iter()
            .find(|(page, _)| *page == self.current)
            .map_or(self.current, |(_, part)| part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_belongs_to_one_bottom_bar_item() {
        for key in ["journal", "settings", "feedback", "more"] {
            assert_eq!(Layout::signed_in("t", key).section(), "more", "{key}");
        }
        assert_eq!(Layout::signed_in("t", "backsliding").section(), "safety");
        for key in ["home", "checkin", "toolkit", "safety", ""] {
            assert_eq!(Layout::signed_in("t", key).section(), key);
        }
    }
}
