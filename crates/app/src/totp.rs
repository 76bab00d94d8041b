//! Time-based one-time codes: HOTP (RFC 4226) over 30-second steps of Unix time, which is
//! TOTP (RFC 6238) with HMAC-SHA-1 and six digits, the form every common authenticator app
//! reads from an `otpauth://` link. Also the base32 (RFC 4648, section 6) that shows the
//! shared secret to people and apps.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

/// Length of a step, in seconds: RFC 6238 section 5.2 recommends 30.
pub const STEP_SECS: i64 = 30;

/// Digits in a code: six, what authenticator apps show by default.
pub const DIGITS: u32 = 6;

/// Steps either side of now that are still accepted, for a phone's clock that is a little
/// off and for the time a code takes to type: RFC 6238 section 5.2 recommends at most one.
pub const DRIFT_STEPS: i64 = 1;

/// Bytes of a new secret: 160 bits, the length RFC 4226 section 4 recommends (R6) and the
/// output size of HMAC-SHA-1.
pub const SECRET_BYTES: usize = 20;

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// The HOTP value of `counter` (RFC 4226 section 5.3): HMAC-SHA-1 of the counter as 8
/// big-endian bytes, dynamically truncated to 31 bits, reduced to `digits` decimal digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC takes a key of any length, so this never fails.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = (u32::from(hash[offset]) & 0x7f) << 24
        | u32::from(hash[offset + 1]) << 16
        | u32::from(hash[offset + 2]) << 8
        | u32::from(hash[offset + 3]);
    binary % 10u32.pow(digits)
}

/// The step a Unix time (seconds) falls in: T = floor(t / 30), counting from T0 = 0
/// (RFC 6238 section 4.2).
pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The code of a step, as the six digits people type (leading zeros kept).
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    let value = hotp(secret, u64::try_from(step).unwrap_or(0), DIGITS);
    format!("{value:0width$}", width = DIGITS as usize)
}

/// The code at a Unix time (seconds).
pub fn code_at(secret: &[u8], unix_secs: i64) -> String {
    code_at_step(secret, step_of(unix_secs))
}

/// A code as typed, with spaces and dashes left out; `None` unless it is six digits.
pub fn normalise_code(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// The step whose code `typed` is, among the steps within [`DRIFT_STEPS`] of `unix_secs`
/// and later than `last_used` (a code is never accepted twice, nor one older than the last
/// accepted: RFC 6238 section 5.2). `None` when it matches none of them.
pub fn verify(secret: &[u8], typed: &str, unix_secs: i64, last_used: Option<i64>) -> Option<i64> {
    let code = normalise_code(typed)?;
    let now = step_of(unix_secs);
    let mut found = None;
    // Every candidate is compared, in constant time, so the time taken says nothing of
    // which one matched.
    for step in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        if step < 0 || last_used.is_some_and(|last| step <= last) {
            continue;
        }
        if same(code_at_step(secret, step).as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Whether two byte strings are equal, in time that depends only on their length.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 (RFC 4648 section 6) without padding, as authenticator apps take a key.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Reads base32 (either case; spaces and padding ignored); `None` for any other character.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| *c != b' ' && *c != b'=') {
        let value = BASE32.iter().position(|&b| b == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The key as people type it into an app: base32 in groups of four.
pub fn grouped(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `otpauth://` link an authenticator app reads from the QR code (the "Key Uri Format"
/// of the apps that introduced it): the label is `Between:<email>`, and the issuer is named
/// again as a parameter, as that format recommends.
pub fn otpauth_uri(secret: &[u8], email: &str) -> String {
    format!(
        "otpauth://totp/Between:{}?secret={}&issuer=Between",
        percent_encode(email),
        base32(secret)
    )
}

/// Percent-encodes everything but unreserved characters (RFC 3986 section 2.3) and `@`,
/// which a path may hold as it is (its `pchar`, section 3.3) and which people expect to see.
/// A `+` is encoded: some apps read it as a space.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed of RFC 6238 Appendix B for HMAC-SHA-1: the ASCII of "12345678901234567890"
    /// (20 bytes), also the secret of RFC 4226 Appendix D.
    const RFC_SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn hotp_matches_rfc_4226_appendix_d() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, want) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_SEED, counter as u64, 6), want, "counter {counter}");
        }
    }

    #[test]
    fn totp_matches_rfc_6238_appendix_b_for_sha1() {
        // RFC 6238 Appendix B, the SHA-1 rows: (time in seconds, step in hex, 8-digit TOTP).
        let vectors: [(i64, u64, &str); 6] = [
            (59, 0x1, "94287082"),
            (1111111109, 0x23523EC, "07081804"),
            (1111111111, 0x23523ED, "14050471"),
            (1234567890, 0x273EF07, "89005924"),
            (2000000000, 0x3F940AA, "69279037"),
            (20000000000, 0x27BC86AA, "65353130"),
        ];
        for (time, step, want) in vectors {
            assert_eq!(step_of(time), step as i64, "step of {time}");
            let got = format!("{:08}", hotp(RFC_SEED, step, 8));
            assert_eq!(got, want, "time {time}");
            // Six digits are the last six of eight (the same value, modulo a smaller power).
            assert_eq!(code_at(RFC_SEED, time), want[2..], "six digits at {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_never_twice() {
        let t = 1_700_000_000;
        let now = step_of(t);
        let code = |step| code_at_step(RFC_SEED, step);
        assert_eq!(verify(RFC_SEED, &code(now), t, None), Some(now));
        assert_eq!(verify(RFC_SEED, &code(now - 1), t, None), Some(now - 1));
        assert_eq!(verify(RFC_SEED, &code(now + 1), t, None), Some(now + 1));
        assert_eq!(verify(RFC_SEED, &code(now - 2), t, None), None);
        assert_eq!(verify(RFC_SEED, &code(now + 2), t, None), None);
        // Used once: that step and every earlier one are refused.
        assert_eq!(verify(RFC_SEED, &code(now), t, Some(now)), None);
        assert_eq!(verify(RFC_SEED, &code(now - 1), t, Some(now)), None);
        assert_eq!(
            verify(RFC_SEED, &code(now + 1), t, Some(now)),
            Some(now + 1)
        );
        // Typed with a space or a dash, it still counts; anything but six digits does not.
        let spaced = format!("{} {}", &code(now)[..3], &code(now)[3..]);
        assert_eq!(verify(RFC_SEED, &spaced, t, None), Some(now));
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(verify(RFC_SEED, bad, t, None), None, "{bad}");
        }
    }

    #[test]
    fn base32_matches_rfc_4648_section_10() {
        // RFC 4648 section 10, without the padding ("=") that keys leave out.
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), encoded);
            assert_eq!(from_base32(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(from_base32("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert_eq!(from_base32("MZX1"), None);
        let secret = new_secret();
        assert_eq!(secret.len(), 20);
        assert_eq!(base32(&secret).len(), 32);
        assert_eq!(from_base32(&base32(&secret)).unwrap(), secret);
        assert_ne!(new_secret(), secret);
    }

    #[test]
    fn the_link_names_between_and_the_account() {
        let uri = otpauth_uri(RFC_SEED, "sam+x@example.org");
        assert_eq!(
            uri,
            "otpauth://totp/Between:sam%2Bx@example.org?secret=\
             GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Between"
        );
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
