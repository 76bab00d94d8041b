//! Person-written text as it may be stored: no control characters that could hide content,
//! break an export or end a string early in another program, and one kind of line break.

use crate::checkin::FieldError;

/// What a person is told when their text holds a control character.
pub const CONTROL_MESSAGE: &str = "This contains an invisible control character that can't be \
     saved. Please retype the text, or paste it as plain text.";

/// Normalises line breaks and refuses control characters other than tab and newline.
///
/// A browser's textarea sends CRLF (the HTML form encoding says so), so CRLF and a lone CR
/// become LF instead of being refused: a person who pressed Enter did nothing wrong. NUL and
/// the other C0 and C1 controls (and DEL) have no place in writing and are refused, never
/// silently dropped, so what is stored is exactly what the person sees.
pub fn clean(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {
                return Err(FieldError::new(field, CONTROL_MESSAGE));
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// [`clean`] for an optional value.
pub fn clean_opt(field: &'static str, raw: Option<String>) -> Result<Option<String>, FieldError> {
    raw.map(|r| clean(field, &r)).transpose()
}

/// Whether a text holds a character [`clean`] refuses; for checks that only need a yes/no.
pub fn has_forbidden_control(raw: &str) -> bool {
    raw.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn line_breaks_become_newlines() {
        assert_eq!(clean("note", "a\r\nb\rc\nd\te").unwrap(), "a\nb\nc\nd\te");
    }

    #[test]
    fn controls_are_refused_and_named() {
        for bad in [
            "\0",
            "a\u{0}b",
            "\u{7}",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{9b}",
        ] {
            let e = clean("note", bad).unwrap_err();
            assert_eq!(e.field, "note", "{bad:?}");
            assert!(has_forbidden_control(bad), "{bad:?}");
        }
    }

    #[test]
    fn other_scripts_and_direction_marks_are_kept() {
        // Right-to-left writing and direction marks are content; pages isolate them.
        for ok in ["שלום עולם", "مرحبا", "a\u{202e}b", "\u{200f}x", "🌧 ok"] {
            assert_eq!(clean("text", ok).unwrap(), ok);
            assert!(!has_forbidden_control(ok));
        }
    }

    proptest! {
        #[test]
        fn clean_text_never_holds_a_control(s in "\\PC{0,64}") {
            if let Ok(c) = clean("t", &s) {
                prop_assert!(!c.chars().any(|c| c.is_control() && c != '\t' && c != '\n'));
            }
        }
    }
}
