//! Text helpers shared by the loader and the policy model.

/// `s.trim()`, exactly, with a fast path: when the first and last bytes are ASCII and not
/// whitespace there is nothing to trim (`str::trim` decodes a character at each end to
/// ask Unicode; the loader trims ~30 values per record, the engine every id it looks up).
/// ASCII whitespace for `char::is_whitespace` is `\t`, `\n`, `\x0B`, `\x0C`, `\r` and
/// space (`u8::is_ascii_whitespace` leaves out `\x0B`, so it is not used here).
pub fn trim(s: &str) -> &str {
    let solid = |b: u8| b.is_ascii() && b != b' ' && !(0x09..=0x0D).contains(&b);
    match s.as_bytes() {
        [first, .., last] if solid(*first) && solid(*last) => s,
        [only] if solid(*only) => s,
        _ => s.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trims_as_str_trim_on_edge_cases() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{b}a\u{b}",
            "\u{a0}a",
            "a\u{3000}",
            "\u{85}",
            "\u{1c}a\u{1f}",
            "\t\n\r x \r\n\t",
            "é",
            " é ",
            "a\u{2029}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn trims_as_str_trim(s in "\\PC{0,6}|[ \t\\x0B\\x0C\\r\\n\u{a0}\u{85}\u{2000}a-z\u{1c}-\u{1f}]{0,6}") {
            prop_assert_eq!(trim(&s), s.trim());
        }
    }
}
