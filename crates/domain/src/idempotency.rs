//! Creates keyed by a client id, so a retried request never stores its content twice.

/// Whether a write created a new row or found the one a previous try made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A new row was stored.
    Created,
    /// The same client id was stored before; nothing was duplicated.
    Existing,
}
