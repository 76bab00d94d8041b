//! What the shared page frame needs: whether someone is signed in, their form token, and
//! which navigation item is current.

/// The page frame's data.
pub struct Layout {
    /// Show the navigation and sign-out button.
    pub signed_in: bool,
    /// Form token for the sign-out form.
    pub csrf: String,
    /// The current navigation item ("home", "checkin", "history", or "").
    pub current: &'static str,
}

impl Layout {
    /// The frame for a signed-out page.
    pub fn anonymous() -> Layout {
        Layout {
            signed_in: false,
            csrf: String::new(),
            current: "",
        }
    }

    /// The frame for a signed-in page.
    pub fn signed_in(csrf: &str, current: &'static str) -> Layout {
        Layout {
            signed_in: true,
            csrf: csrf.to_string(),
            current,
        }
    }

    /// The URL of an embedded file, carrying the hash of its bytes.
    pub fn asset(&self, name: &str) -> String {
        crate::assets::url(name)
    }

    /// The right frame for whoever is visiting.
    pub fn for_visitor(v: &crate::session::Visitor, current: &'static str) -> Layout {
        match &v.signed_in {
            Some(s) => Layout::signed_in(&s.csrf, current),
            None => Layout::anonymous(),
        }
    }
}
