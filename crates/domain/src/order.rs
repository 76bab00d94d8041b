//! Lists the person puts in their own order (the agenda, the coping lists).

/// Which way to move an item on a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// One place towards the top.
    Up,
    /// One place towards the bottom.
    Down,
}
