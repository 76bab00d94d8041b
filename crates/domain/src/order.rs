//! Lists the person puts in their own order (the agenda, the coping lists).

/// Which way to move an item on a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// One place towards the top.
    Up,
    /// One place towards the bottom.
    Down,
}

impl Move {
    /// The place an item at `at` of a list of `len` moves to, or `None` when it is already
    /// at that end.
    pub fn neighbour(self, at: usize, len: usize) -> Option<usize> {
        match self {
            Move::Up => at.checked_sub(1),
            Move::Down => Some(at + 1).filter(|n| *n < len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_move_one_place_and_stop_at_the_ends() {
        assert_eq!(Move::Up.neighbour(2, 3), Some(1));
        assert_eq!(Move::Down.neighbour(1, 3), Some(2));
        assert_eq!(Move::Up.neighbour(0, 3), None);
        assert_eq!(Move::Down.neighbour(2, 3), None);
        assert_eq!(Move::Down.neighbour(0, 1), None);
    }
}
