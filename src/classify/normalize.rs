//! Text normalisation before matching: lower case, full-width ASCII to
//! half-width, Traditional to Simplified characters ([`crate::hanzi`]'s table), apostrophes inside words removed (didn't → didnt; a single
//! quote around words stays, as `'`), and configured rewrites (typos, slang).

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};

use crate::hanzi::{CJK_FIRST, CJK_LAST};

/// How one normalisation pass works: a character map and optional rewrites.
pub struct Normalizer {
    /// Simplified form of each CJK ideograph (itself when it has none),
    /// indexed by code point − [`CJK_FIRST`]: a lookup, not a hash, per character.
    chars: Vec<char>,
    /// One bit per CJK ideograph: set when `chars` changes it.
    changed: Vec<u64>,
    /// The rewrites' `from` phrases (value: index into the `to` list),
    /// leftmost-longest.
    rewrites: Option<(CharwiseDoubleArrayAhoCorasick<u32>, Vec<String>)>,
}

impl Normalizer {
    /// Builds a normaliser with `rewrites` (from → to) applied after the
    /// character mapping.
    pub fn new(rewrites: &[(String, String)]) -> Normalizer {
        let chars: Vec<char> = (CJK_FIRST..=CJK_LAST)
            .map(|c| char::from_u32(c).map_or(' ', crate::hanzi::simplified))
            .collect();
        let mut changed = vec![0u64; chars.len().div_ceil(64)];
        for (i, &c) in chars.iter().enumerate() {
            if c as u32 != CJK_FIRST + i as u32 {
                changed[i / 64] |= 1 << (i % 64);
            }
        }
        let rewrites = if rewrites.is_empty() {
            None
        } else {
            // A later rewrite of the same phrase replaces an earlier one
            // (kefu.toml's after the built-in ones); an empty one is none.
            let mut from: Vec<String> = vec![];
            let mut to: Vec<String> = vec![];
            for (f, t) in rewrites {
                let f = normalize_chars(f, &chars, &changed);
                if f.is_empty() {
                    continue;
                }
                match from.iter().position(|x| *x == f) {
                    Some(i) => to[i] = t.clone(),
                    None => {
                        from.push(f);
                        to.push(t.clone());
                    }
                }
            }
            let ac = CharwiseDoubleArrayAhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build_with_values(from.iter().enumerate().map(|(i, f)| (f.as_str(), i as u32)))
                .expect("rewrite patterns are distinct, non-empty strings");
            Some((ac, to))
        };
        Normalizer {
            chars,
            changed,
            rewrites,
        }
    }

    /// Normalises `text` into `out` (cleared first).
    pub fn normalize_into(&self, text: &str, out: &mut String) {
        out.clear();
        push_normalized(text, &self.chars, &self.changed, out);
        if let Some((ac, to)) = &self.rewrites {
            let mut found = ac.leftmost_find_iter(out.as_str()).peekable();
            if found.peek().is_some() {
                let mut replaced = String::with_capacity(out.len());
                let mut last = 0;
                for m in found {
                    replaced.push_str(&out[last..m.start()]);
                    replaced.push_str(&to[m.value() as usize]);
                    last = m.end();
                }
                replaced.push_str(&out[last..]);
                *out = replaced;
            }
        }
    }

    /// Normalises a pattern (a rule phrase) the way text will be normalised.
    pub fn normalize_pattern(&self, text: &str) -> String {
        normalize_chars(text, &self.chars, &self.changed)
    }
}

/// `text` with its characters normalised (no rewrites).
fn normalize_chars(text: &str, map: &[char], changed: &[u64]) -> String {
    let mut out = String::with_capacity(text.len());
    push_normalized(text, map, changed, &mut out);
    out
}

/// Appends the normalised `text` to `out`. Most of a Chinese review is
/// ideographs that stay as they are: runs of unchanged text are copied as
/// they are, and only characters that change are looked at one by one.
fn push_normalized(text: &str, map: &[char], changed: &[u64], out: &mut String) {
    out.reserve(text.len());
    let bytes = text.as_bytes();
    let mut run = 0; // start of the unchanged text not yet copied
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (len, replacement) = match b {
            b'A'..=b'Z' => (1, Some(b.to_ascii_lowercase() as char)),
            b'\'' if inside_word(out, &text[run..i], &text[i + 1..], map) => (1, None),
            // A run of blanks is one space (`never  responded`, a phrase
            // typed with two spaces): one tab or ideographic space after
            // another blank is dropped, a tab is a space.
            b' ' | b'\t' if follows_blank(&text[..i]) => (1, None),
            b'\t' => (1, Some(' ')),
            0..0x80 => {
                i += 1;
                continue;
            }
            // U+4E00–U+9FFF: three bytes, lead byte E4–E9 (E4 80–B7 is
            // below the block). Decoded by hand: the text is valid UTF-8.
            0xE4..=0xE9 => {
                let (b1, b2) = (bytes[i + 1], bytes[i + 2]);
                let c =
                    u32::from(b & 0x0F) << 12 | u32::from(b1 & 0x3F) << 6 | u32::from(b2 & 0x3F);
                match c.checked_sub(CJK_FIRST) {
                    Some(k) if changed[k as usize / 64] >> (k % 64) & 1 == 1 => {
                        (3, Some(map[k as usize]))
                    }
                    _ => {
                        i += 3;
                        continue;
                    }
                }
            }
            _ => {
                let c = text[i..].chars().next().unwrap_or(' ');
                let len = c.len_utf8();
                // A full-width apostrophe (＇) too (found by exploratory
                // testing: didn＇t was no word kefu knew).
                if matches!(c, '’' | '‘' | '＇') {
                    let inside = inside_word(out, &text[run..i], &text[i + len..], map);
                    (len, (!inside).then_some('\''))
                } else if c == '\u{3000}' && follows_blank(&text[..i]) {
                    (len, None)
                } else {
                    match normalize_other(c, map) {
                        Some(n) if n == c => {
                            i += len;
                            continue;
                        }
                        n => (len, n),
                    }
                }
            }
        };
        out.push_str(&text[run..i]);
        if let Some(c) = replacement {
            out.push(c);
        }
        i += len;
        run = i;
    }
    out.push_str(&text[run..]);
}

/// Whether `before` ends with a blank (space, tab, ideographic space).
fn follows_blank(before: &str) -> bool {
    before.ends_with([' ', '\t', '\u{3000}'])
}

/// Whether an apostrophe sits between two letters or digits (didn't,
/// o'clock): `done` is the output so far, `pending` the input after it not
/// yet copied, `after` the input after the apostrophe.
fn inside_word(done: &str, pending: &str, after: &str, map: &[char]) -> bool {
    let before = pending
        .chars()
        .next_back()
        .or_else(|| done.chars().next_back());
    let next = after.chars().next().and_then(|c| normalize_other(c, map));
    before
        .and_then(|c| normalize_other(c, map))
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && next.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The normalised form of a character outside ASCII and the CJK block
/// (`None`: dropped); ASCII and CJK characters come back as they are.
fn normalize_other(c: char, map: &[char]) -> Option<char> {
    Some(match c {
        '\u{3000}' => ' ',
        '\u{FF21}'..='\u{FF3A}' => char::from_u32(c as u32 - 0xFEE0 + 32).unwrap_or(c),
        // Full-width ASCII, except the Chinese punctuation people type on
        // purpose (，！？：；) which stays as it is; it splits clauses either way.
        '\u{FF01}'..='\u{FF5E}' if !matches!(c, '，' | '！' | '？' | '：' | '；') => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => match (c as u32).checked_sub(CJK_FIRST) {
            Some(i) if c as u32 <= CJK_LAST => map[i as usize],
            _ => c,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_take_the_longest_phrase_and_the_last_word_on_it() {
        let n = Normalizer::new(&[
            ("太度".into(), "态度".into()),
            ("太度差".into(), "态度很差".into()),
            // kefu.toml's rewrite of a built-in phrase comes later and wins.
            ("回覆慢".into(), "回复很慢".into()),
            ("回复慢".into(), "回复太慢".into()),
        ]);
        let mut out = String::new();
        n.normalize_into("太度差，太度，回覆慢，回复慢!", &mut out);
        assert_eq!(out, "态度很差，态度，回复太慢，回复太慢!");
    }

    #[test]
    fn normalises_case_width_traditional_and_typos() {
        let n = Normalizer::new(&[("太度".into(), "态度".into())]);
        let mut out = String::new();
        n.normalize_into("客服態度很差，回覆太慢 ＡＢＣ Didn't", &mut out);
        assert_eq!(out, "客服态度很差，回复太慢 abc didnt");
        n.normalize_into("太度极差", &mut out);
        assert_eq!(out, "态度极差");
        n.normalize_into("", &mut out);
        assert_eq!(out, "");
        n.normalize_into("ＡＢ’Ｃ😀說A\'b。態", &mut out);
        assert_eq!(out, "abc😀说ab。态");
        n.normalize_into("didn＇t know", &mut out);
        assert_eq!(out, "didnt know");
        // Quotes around words stay (a quoted reply is evidence).
        n.normalize_into("She said 'Read it yourself' and ‘left’, o'clock", &mut out);
        assert_eq!(out, "she said 'read it yourself' and 'left', oclock");
        // Runs of blanks are one space; a line break stays (it ends a clause).
        n.normalize_into("never  responded\t\tat　 all \n  ok\t", &mut out);
        assert_eq!(out, "never responded at all \n ok ");
    }
}
