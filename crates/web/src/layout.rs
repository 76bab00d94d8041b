//! What the shared page frame needs: whether someone is signed in, their form token, and
//! which navigation item is current.

/// Bumped with the crate version so browsers fetch changed assets.
pub const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The page frame's data.
pub struct Layout {
    /// Show the navigation and sign-out button.
    pub signed_in: bool,
    /// Form token for the sign-out form.
    pub csrf: String,
    /// The current navigation item ("home", "checkin", "history", or "").
    pub current: &'static str,
    /// Cache-busting version for asset URLs.
    pub asset_version: &'static str,
}

impl Layout {
    /// The frame for a signed-out page.
    pub fn anonymous() -> Layout {
        Layout {
            signed_in: false,
            csrf: String::new(),
            current: "",
            asset_version: ASSET_VERSION,
        }
    }

    /// The frame for a signed-in page.
    pub fn signed_in(csrf: &str, current: &'static str) -> Layout {
        Layout {
            signed_in: true,
            csrf: csrf.to_string(),
            current,
            asset_version: ASSET_VERSION,
        }
    }

    /// The right frame for whoever is visiting.
    pub fn for_visitor(v: &crate::session::Visitor, current: &'static str) -> Layout {
        match &v.signed_in {
            Some(s) => Layout::signed_in(&s.csrf, current),
            None => Layout::anonymous(),
        }
    }
}
