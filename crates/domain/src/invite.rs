//! The one-time code a client gives their therapist to start sharing: short enough to read
//! aloud or type from a phone screen, long enough that guessing one is hopeless under the
//! join page's attempt limits.
//!
//! A code is 10 characters of Crockford's Base32 (<https://www.crockford.com/base32.html>):
//! digits and capital letters without I, L, O and U, so 50 random bits. It is shown in groups,
//! `K7QM-4XZP-2D`. Reading a typed code forgives what people do when copying one: lower case,
//! spaces and hyphens anywhere, and the look-alikes Crockford's alphabet maps (O is zero, I
//! and L are one). Only the SHA-256 of the normalised code is stored.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// Characters in a code.
pub const CODE_CHARS: usize = 10;
/// Random bits in a code: 5 per character.
pub const CODE_BITS: u32 = 5 * CODE_CHARS as u32;
/// Random bytes a new code is drawn from (the first [`CODE_BITS`] bits are used).
pub const RANDOM_BYTES: usize = 7;
/// How long a code can be used after it was made.
pub const VALID_DAYS: i64 = 7;

/// Crockford's Base32 alphabet, in value order.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A well-formed invite code, normalised (10 alphabet characters, no separators).
#[derive(Clone, PartialEq, Eq)]
pub struct InviteCode(String);

// A code is a secret until it is used: it never shows in a debug print or a log line.
impl std::fmt::Debug for InviteCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InviteCode(…)")
    }
}

impl InviteCode {
    /// A code from random bytes (the caller draws them from the operating system).
    pub fn from_random(bytes: [u8; RANDOM_BYTES]) -> InviteCode {
        let mut bits = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        // 56 bits drawn, 50 used: drop the lowest six.
        bits >>= 8 * RANDOM_BYTES as u32 - CODE_BITS;
        let mut chars = [0u8; CODE_CHARS];
        for slot in chars.iter_mut().rev() {
            *slot = ALPHABET[(bits & 31) as usize];
            bits >>= 5;
        }
        InviteCode(chars.iter().map(|c| char::from(*c)).collect())
    }

    /// Reads a code as a person typed it; `None` when it cannot be one (wrong length, or a
    /// character outside the alphabet once look-alikes are mapped).
    pub fn parse(typed: &str) -> Option<InviteCode> {
        let mut code = String::with_capacity(CODE_CHARS);
        for c in typed.chars() {
            if c.is_whitespace() || c == '-' || c == '‐' || c == '–' {
                continue;
            }
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return None;
            }
            if code.len() == CODE_CHARS {
                return None;
            }
            code.push(c);
        }
        (code.len() == CODE_CHARS).then_some(InviteCode(code))
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code for reading aloud or copying: groups of four, four and two, joined by
    /// hyphens ("K7QM-4XZP-2D").
    pub fn grouped(&self) -> String {
        let c = &self.0;
        format!("{}-{}-{}", &c[0..4], &c[4..8], &c[8..])
    }

    /// What the database keeps: the SHA-256 of the normalised code, in lower-case hex.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// When a code made at `created` stops working.
pub fn expires_at(created: DateTime<Utc>) -> DateTime<Utc> {
    created + Duration::days(VALID_DAYS)
}

/// A handle for a pending invite that a client's page or program may carry (to cancel it):
/// derived from the stored hash again, so that it tells nothing about the code itself.
pub fn handle_of(code_hash: &str) -> String {
    let digest = Sha256::digest(format!("invite handle\n{code_hash}").as_bytes());
    hex::encode(&digest[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_carries_at_least_forty_bits_in_ten_readable_characters() {
        const { assert!(CODE_BITS >= 40) };
        assert!(8 * RANDOM_BYTES as u32 >= CODE_BITS);
        let code = InviteCode::from_random([0xff; RANDOM_BYTES]);
        assert_eq!(code.as_str(), "ZZZZZZZZZZ");
        assert_eq!(
            InviteCode::from_random([0; RANDOM_BYTES]).as_str(),
            "0000000000"
        );
        // Every one of the 50 bits reaches the code: flipping any changes it.
        let base = InviteCode::from_random([0; RANDOM_BYTES]);
        let mut seen = std::collections::BTreeSet::new();
        for bit in 0..CODE_BITS {
            let mut bytes = [0u8; RANDOM_BYTES];
            bytes[(bit / 8) as usize] |= 0x80 >> (bit % 8);
            let c = InviteCode::from_random(bytes);
            assert_ne!(c, base, "bit {bit}");
            assert!(seen.insert(c.as_str().to_string()), "bit {bit}");
        }
        for c in code.as_str().chars() {
            assert!(!"ILOU".contains(c));
        }
    }

    #[test]
    fn a_code_is_shown_in_groups_and_read_back_however_it_was_typed() {
        let code = InviteCode::parse("K7QM4XZP2D").unwrap();
        assert_eq!(code.grouped(), "K7QM-4XZP-2D");
        for typed in [
            "K7QM-4XZP-2D",
            "k7qm 4xzp 2d",
            "  k7QM-4xzp2D ",
            "K7QM–4XZP–2D",
            "K-7-Q-M-4-X-Z-P-2-D",
        ] {
            assert_eq!(InviteCode::parse(typed), Some(code.clone()), "{typed}");
        }
        // Look-alikes: O is zero, I and L are one.
        assert_eq!(
            InviteCode::parse("OIL0-1234-56").map(|c| c.as_str().to_string()),
            Some("0110123456".into())
        );
        assert_eq!(
            InviteCode::parse("oil01234 56").unwrap().hash(),
            InviteCode::parse("0110123456").unwrap().hash()
        );
    }

    #[test]
    fn what_cannot_be_a_code_is_refused() {
        for typed in [
            "",
            "K7QM-4XZP-2",
            "K7QM-4XZP-2DD",
            "K7QM-4XZP-2U",
            "K7QM_4XZP_2D",
            "K7QM-4XZP-2É",
            "K7QM-4XZP-2D!",
        ] {
            assert_eq!(InviteCode::parse(typed), None, "{typed:?}");
        }
    }

    #[test]
    fn the_store_keeps_the_sha256_of_the_normalised_code() {
        let code = InviteCode::parse("0000000000").unwrap();
        // SHA-256("0000000000"), as `printf 0000000000 | sha256sum` gives it.
        assert_eq!(
            code.hash(),
            "84d9c4b849506b6d8f8075a9000e7e0a254be71060ea889fad3c88395988f4fc"
        );
        assert_eq!(code.hash().len(), 64);
        assert!(
            code.hash()
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(code.hash(), InviteCode::parse("0000000001").unwrap().hash());
        assert_eq!(format!("{code:?}"), "InviteCode(…)");
        assert_ne!(handle_of(&code.hash()), code.hash());
        assert_eq!(handle_of(&code.hash()).len(), 16);
    }

    #[test]
    fn a_code_expires_seven_days_after_it_was_made() {
        let t = DateTime::parse_from_rfc3339("2026-11-24T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            expires_at(t),
            DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z").unwrap()
        );
    }
}
