//! `to_tsvector('simple', text)` in its binary form, made in the service
//! for the search texts whose result is certain: lower-case ASCII letters
//! and digits in words separated by spaces. PostgreSQL's default parser
//! makes each such word one token, the `simple` dictionary keeps it as it
//! is, and each token takes the next position. Any other text is left to
//! PostgreSQL: punctuation, letters unaccent left, very long or much
//! repeated words, and a digit, `e` and a digit in one word (the parser
//! reads a number with an exponent there, and may split the word after
//! it). A test compares both on many texts.
//!
//! Format: `tsvectorsend` in PostgreSQL's `tsvector.c`: the number of
//! lexemes, then per lexeme (in byte order) its bytes, a NUL, the number
//! of its positions and each position (weight D, the top two bits zero).

use std::collections::BTreeMap;

/// Longest word the parser indexes (`MAXSTRLEN`: longer ones are skipped).
const MAX_WORD: usize = 2046;
/// Positions a lexeme keeps (`MAXNUMPOS` less one).
const MAX_POSITIONS: usize = 255;
/// Highest position (`MAXENTRYPOS` less one: later words all take it).
const MAX_POSITION: usize = (1 << 14) - 1;

/// The binary `tsvector` of `text`, when the service can make it exactly.
pub fn simple(text: &str) -> Option<Vec<u8>> {
    let plain = text
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' ');
    if !plain {
        return None;
    }
    let mut lexemes: BTreeMap<&str, Vec<u16>> = BTreeMap::new();
    for (index, word) in text.split(' ').filter(|word| !word.is_empty()).enumerate() {
        let position = index + 1;
        if word.len() > MAX_WORD || position > MAX_POSITION || has_exponent(word) {
            return None;
        }
        let positions = lexemes.entry(word).or_default();
        if positions.len() == MAX_POSITIONS {
            return None;
        }
        positions.push(u16::try_from(position).ok()?);
    }
    let mut out = Vec::with_capacity(4 + text.len() + lexemes.len() * 5);
    out.extend_from_slice(&u32::try_from(lexemes.len()).ok()?.to_be_bytes());
    for (lexeme, positions) in lexemes {
        out.extend_from_slice(lexeme.as_bytes());
        out.push(0);
        out.extend_from_slice(&u16::try_from(positions.len()).ok()?.to_be_bytes());
        for position in positions {
            out.extend_from_slice(&position.to_be_bytes());
        }
    }
    Some(out)
}

/// Whether `word` holds a digit, `e` and a digit, as in `9e0`.
fn has_exponent(word: &str) -> bool {
    word.as_bytes()
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'e' && w[2].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_sorted_by_bytes_with_their_positions() {
        let bytes = simple("b a b mp3 0x1f").expect("a plain text");
        let expected = [
            &[0, 0, 0, 4][..],
            b"0x1f\0",
            &[0, 1, 0, 5],
            b"a\0",
            &[0, 1, 0, 2],
            b"b\0",
            &[0, 2, 0, 1, 0, 3],
            b"mp3\0",
            &[0, 1, 0, 4],
        ]
        .concat();
        assert_eq!(bytes, expected);
    }

    #[test]
    fn spaces_do_not_take_positions() {
        assert_eq!(simple("  a   b "), simple("a b"));
        assert_eq!(simple(""), Some(vec![0, 0, 0, 0]));
    }

    #[test]
    fn texts_the_parser_may_split_otherwise_are_left_to_postgresql() {
        for text in [
            "ac-dc",
            "mr. brightside",
            "don't",
            "Upper",
            "joga ü",
            "a\tb",
            "9e0x1",
        ] {
            assert_eq!(simple(text), None, "{text:?}");
        }
        assert_eq!(simple(&"a ".repeat(MAX_POSITIONS + 1)), None);
        assert_eq!(simple(&"x".repeat(MAX_WORD + 1)), None);
    }
}
