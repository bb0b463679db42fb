//! Text encodings of input files: detection and streaming decoding to UTF-8.
//!
//! Detection (when `--encoding` is not given), on the first 64 KiB (or, when
//! those are all ASCII, on to 64 KiB past the first byte that is not, up
//! to 4 MiB: see [`read_sample`]):
//! 1. a byte-order mark decides (UTF-8, UTF-16 LE/BE);
//! 2. NUL bytes without a UTF-16 BOM mean the file is not text;
//! 3. valid UTF-8 (a character cut at the sample's end allowed, whether the
//!    sample stops there or the file does, as a `head -c` or an interrupted
//!    download leaves it) is UTF-8;
//! 4. mostly valid UTF-8 is UTF-8 too: at least [`UTF8_MAJORITY`] valid
//!    multi-byte characters for each invalid sequence (a stray Latin-1 byte,
//!    a row pasted from a GBK export); the rows holding the invalid bytes are
//!    rejected, the rest read as they are. GBK text is far from this: its
//!    double bytes form a valid UTF-8 character now and then by chance, but
//!    invalid sequences outnumber them. Encoded as GBK, the 6,114 labelled
//!    rows have 3.4 invalid sequences per valid character, no 200-byte
//!    stretch of them has more valid than invalid, and the most of any single
//!    row is 2 valid for 1 invalid (a three-character row);
//! 5. anything else is GB18030, the superset of GBK and GB2312 that Chinese
//!    Excel writes as "CSV", or Big5, what Traditional Chinese Excel (Taiwan,
//!    Hong Kong) writes: the one whose reading holds markedly fewer odd
//!    characters (kana, Greek, box drawing, malformed bytes: [`is_odd`]),
//!    else the one holding more than twice as many of the characters common
//!    in reviews and exports ([`crate::hanzi::is_common`]).
//!    Either encoding reads the other's bytes as text, but as rare
//!    characters: of the labelled reviews' text, 95% of the characters are
//!    common when read right, 6% when a GBK file is read as Big5 and 15%
//!    when a Big5 file is read as GB18030.
//!
//! Statistical detectors misread short GBK samples (as EUC-KR), so none is used.
//! A file that turns out not to be UTF-8 after the sample is not guessed at:
//! its bad rows are rejected with a hint to pass `--encoding gbk`.
//!
//! Decoding never replaces what it cannot read: a malformed sequence in a
//! GB18030 or UTF-16 file (a character cut short) comes out as [`MALFORMED`],
//! a byte that is never valid UTF-8, so that the row holding it fails the
//! readers' UTF-8 check and is rejected, like an invalid row of a UTF-8 file.
//! A U+FFFD written in the file itself is text like any other.

use std::io::{self, Read};

use anyhow::{bail, Result};
use encoding_rs::{DecoderResult, Encoding};

/// How many bytes detection looks at.
pub const SAMPLE_SIZE: usize = 64 * 1024;

/// A sample with invalid UTF-8 is still UTF-8 when it has at least this many
/// valid multi-byte characters for each invalid sequence.
pub const UTF8_MAJORITY: usize = 4;

/// What decoding writes in place of a malformed sequence: never valid in UTF-8.
pub const MALFORMED: u8 = 0xFF;

/// An encoding named on the command line or detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Gb18030,
    Utf16Le,
    Utf16Be,
    /// Big5 with the Hong Kong additions (HKSCS), as the WHATWG encoding
    /// standard defines it.
    Big5,
}

impl TextEncoding {
    /// Parses `--encoding`: utf-8, gbk, gb2312, gb18030, big5, utf-16le, utf-16be.
    pub fn parse(name: &str) -> Result<TextEncoding> {
        let n = name.trim().to_ascii_lowercase().replace(['-', '_'], "");
        Ok(match n.as_str() {
            "utf8" | "utf8bom" | "utf8sig" => TextEncoding::Utf8,
            "gbk" | "gb2312" | "gb18030" | "cp936" | "ansi" => TextEncoding::Gb18030,
            "utf16" | "utf16le" | "unicode" => TextEncoding::Utf16Le,
            "utf16be" => TextEncoding::Utf16Be,
            "big5" | "big5hkscs" | "cp950" => TextEncoding::Big5,
            _ => bail!(
                "unknown encoding {name:?} (expected utf-8, gbk, gb18030, big5, utf-16le or utf-16be)"
            ),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Big5 => "Big5",
        }
    }

    /// The encoding_rs encoding of this one.
    pub fn encoding_rs(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Gb18030 => encoding_rs::GB18030,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            TextEncoding::Big5 => encoding_rs::BIG5,
        }
    }
}

/// The most detection reads past a start that is all ASCII.
pub const MAX_SAMPLE_SIZE: usize = 4 * 1024 * 1024;

/// Reads up to [`SAMPLE_SIZE`] bytes (fewer only at end of input); when they
/// are all ASCII, which every candidate encoding reads alike (an export
/// whose first thousand rows hold ids, dates and numbers only), on to the
/// first byte that is not and [`SAMPLE_SIZE`] bytes after it, up to
/// [`MAX_SAMPLE_SIZE`] in all: what decides is the text, not its prefix.
pub fn read_sample(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut sample = vec![];
    let mut want = SAMPLE_SIZE;
    // Whether a byte that is not ASCII was found by an earlier read.
    let mut found = false;
    loop {
        let start = sample.len();
        sample.resize(want, 0);
        let mut filled = start;
        while filled < want {
            match reader.read(&mut sample[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        sample.truncate(filled);
        // Done at the end of input, at the cap, or once what was read
        // holds a byte that is not ASCII: the first read's, or one found
        // after an ASCII start (this read then went past it by a sample).
        if filled < want || want >= MAX_SAMPLE_SIZE || found {
            return Ok(sample);
        }
        // A byte-order mark is no text: after UTF-8's, an ASCII start is
        // read past as any other (found by exploratory testing: a marked
        // GBK file's rows after 64 KiB of ASCII were taken for UTF-8).
        let from = if start == 0 && sample.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            start
        };
        want = match sample[from..].iter().position(|b| !b.is_ascii()) {
            Some(_) if start == 0 => return Ok(sample),
            Some(at) => {
                found = true;
                from + at + SAMPLE_SIZE
            }
            None => want + SAMPLE_SIZE,
        }
        .min(MAX_SAMPLE_SIZE);
    }
}

/// Detects the encoding of a sample; `Err` when it is not text at all.
pub fn detect(sample: &[u8]) -> Result<TextEncoding, &'static str> {
    if let Some(rest) = sample.strip_prefix(b"\xEF\xBB\xBF") {
        // UTF-8's mark before text that is mostly not UTF-8: GBK or Big5 a
        // tool marked blindly (found by exploratory testing: no --encoding
        // read such a file, each message advising the other; a few GBK
        // pairs happen to be valid UTF-8). Where UTF-8 characters are as
        // many as the bytes that are not, the mark stands: a UTF-8 file
        // with a GBK row pasted in is UTF-8 with that row rejected.
        let (valid, invalid) = utf8_counts(rest);
        if invalid > valid && !rest.contains(&0) {
            return Ok(chinese_encoding(rest));
        }
        return Ok(TextEncoding::Utf8);
    }
    if sample.starts_with(b"\xFF\xFE") {
        return Ok(TextEncoding::Utf16Le);
    }
    if sample.starts_with(b"\xFE\xFF") {
        return Ok(TextEncoding::Utf16Be);
    }
    if sample.contains(&0) {
        // Text in UTF-16 with no byte-order mark: every other byte NUL
        // (the ASCII of delimiters, digits, line ends), on one side only.
        let zeros = |parity: usize| {
            sample
                .iter()
                .skip(parity)
                .step_by(2)
                .filter(|b| **b == 0)
                .count()
        };
        let (even, odd) = (zeros(0), zeros(1));
        // Mostly Chinese text has few ASCII characters to put NULs in (a
        // roster of names: only its commas and line ends), so the NULs all on
        // one side and the whole sample read as UTF-16 text also says so
        // (found by exploratory testing).
        if odd > sample.len() / 8 && even * 10 < odd || reads_as_utf16(sample, false) {
            return Err("NUL bytes after every other character: UTF-16 text without a byte-order mark? Read it with --encoding utf-16le");
        }
        if even > sample.len() / 8 && odd * 10 < even || reads_as_utf16(sample, true) {
            return Err("NUL bytes before every other character: UTF-16 text without a byte-order mark? Read it with --encoding utf-16be");
        }
        return Err("binary content (NUL bytes), not a text file");
    }
    if std::str::from_utf8(sample).is_ok() {
        return Ok(TextEncoding::Utf8);
    }
    // A multi-byte character cut by the sample's end is not counted invalid:
    // a file that ends in one is UTF-8 with its last row rejected.
    let (valid, invalid) = utf8_counts(sample);
    if valid >= UTF8_MAJORITY * invalid {
        Ok(TextEncoding::Utf8)
    } else {
        Ok(chinese_encoding(sample))
    }
}

/// Whether `sample` reads as UTF-16 text, little- or big-endian: nine in
/// ten of its characters or more are printable ASCII, line ends, Chinese
/// characters or CJK and full-width punctuation. Read the other way round,
/// the same bytes are neither.
fn reads_as_utf16(sample: &[u8], big_endian: bool) -> bool {
    let units = sample.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    let (mut all, mut text) = (0usize, 0usize);
    for unit in units {
        all += 1;
        if matches!(unit, 0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x3000..=0x303F | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
        {
            text += 1;
        }
    }
    all > 0 && text * 10 >= all * 9
}

/// GB18030 or Big5 for a sample that is not UTF-8: the reading with
/// markedly fewer odd characters ([`is_odd`]); failing that, Big5 when read
/// as Big5 it holds more than twice as many common characters as read as
/// GB18030 (GB18030 on a tie: a mainland export is the likelier).
fn chinese_encoding(sample: &[u8]) -> TextEncoding {
    // (common characters, odd ones) of the sample read in `encoding`.
    let read = |encoding: TextEncoding| {
        let (text, _) = encoding.encoding_rs().decode_without_bom_handling(sample);
        let common = text.chars().filter(|&c| crate::hanzi::is_common(c)).count();
        (common, text.chars().filter(|&c| is_odd(c)).count())
    };
    let (gb_common, gb_odd) = read(TextEncoding::Gb18030);
    let (big5_common, big5_odd) = read(TextEncoding::Big5);
    // Read in the wrong one, text turns up kana, Greek, box drawing or
    // malformed bytes (Big5's 王, A4FD, is no character in GBK): on a
    // roster holding nothing Chinese but names, the only sign there is.
    if gb_odd > 2 * big5_odd + 2 {
        return TextEncoding::Big5;
    }
    if big5_odd > 2 * gb_odd + 2 {
        return TextEncoding::Gb18030;
    }
    if big5_common > 2 * gb_common {
        TextEncoding::Big5
    } else {
        TextEncoding::Gb18030
    }
}

/// A character Chinese text does not hold, but a misread one does: not
/// ASCII, an ideograph, or the punctuation and full-width forms Chinese
/// writes (kana, Greek, Cyrillic, box drawing, private use, U+FFFD).
fn is_odd(c: char) -> bool {
    !(c.is_ascii()
        || matches!(c,
            '\u{3400}'..='\u{4dbf}'
            | '\u{4e00}'..='\u{9fff}'
            | '\u{f900}'..='\u{faff}'
            | '\u{2000}'..='\u{206f}'
            | '\u{3000}'..='\u{303f}'
            | '\u{ff00}'..='\u{ffef}'
            | '·' | '×' | '÷' | '°' | '±'
        ))
}

/// Counts the valid multi-byte UTF-8 characters and the invalid sequences in
/// `bytes`; a character cut at the end is neither.
fn utf8_counts(mut bytes: &[u8]) -> (usize, usize) {
    // In valid UTF-8, the bytes from 0xC0 up are exactly the lead bytes of
    // multi-byte characters.
    let multi_byte = |valid: &[u8]| valid.iter().filter(|&&b| b >= 0xC0).count();
    let (mut valid, mut invalid) = (0, 0);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return (valid + multi_byte(bytes), invalid),
            Err(e) => {
                valid += multi_byte(&bytes[..e.valid_up_to()]);
                match e.error_len() {
                    None => return (valid, invalid),
                    Some(len) => {
                        invalid += 1;
                        bytes = &bytes[e.valid_up_to() + len..];
                    }
                }
            }
        }
    }
}

/// Why `text`, read from a file in `encoding`, is not valid UTF-8: the bad
/// bytes and the text before them, for a rejected row's reason.
pub fn invalid_text_reason(text: &[u8], encoding: TextEncoding) -> String {
    let (at, len) = match std::str::from_utf8(text) {
        Ok(_) => return format!("not valid {} text", encoding.name()),
        Err(e) => (e.valid_up_to(), e.error_len()),
    };
    // The last 12 characters, and the rest of a number they start inside:
    // a number cut in two is not masked where the message is printed
    // (found by exploratory testing: `after "3812345678谢谢"`).
    let lossy = String::from_utf8_lossy(&text[..at]);
    let chars: Vec<char> = lossy.chars().collect();
    let mut from = chars.len().saturating_sub(12);
    let in_number = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    while from > 0
        && chars.len() - from < 40
        && in_number(chars[from])
        && (in_number(chars[from - 1]) || matches!(chars[from - 1], ' ' | '-'))
    {
        from -= 1;
    }
    let before: String = chars[from..].iter().collect();
    let place = if before.is_empty() {
        "at the start".to_string()
    } else {
        format!("after {before:?}")
    };
    if encoding != TextEncoding::Utf8 {
        return format!(
            "not valid {}: a malformed byte sequence {place} (a character cut short, or text in another encoding)",
            encoding.name()
        );
    }
    let bad = &text[at..at + len.unwrap_or(text.len() - at).min(4)];
    let bytes = bad
        .iter()
        .map(|b| format!("0x{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ");
    let what = match (bad.len(), len) {
        (_, None) => format!("a character cut short ({bytes})"),
        (1, _) => format!("byte {bytes}"),
        _ => format!("bytes {bytes}"),
    };
    format!(
        "not valid UTF-8 (the file is read as UTF-8; {what} {place}); pass --encoding gbk (or big5) if the whole file is GBK (or Big5)"
    )
}

/// Wraps the input (whose first bytes are `sample`, the rest in `rest`) so
/// that it yields UTF-8 with any byte-order mark removed (a BOM also overrides
/// the encoding given). UTF-8 passes through untouched; invalid bytes in it,
/// and the [`MALFORMED`] marks of other encodings, are caught per row by the
/// readers.
pub fn decode(
    mut sample: Vec<u8>,
    rest: Box<dyn Read + Send>,
    encoding: TextEncoding,
) -> Box<dyn Read + Send> {
    match encoding {
        TextEncoding::Utf8 => {
            if sample.starts_with(b"\xEF\xBB\xBF") {
                sample.drain(..3);
            }
            Box::new(io::Cursor::new(sample).chain(rest))
        }
        other => {
            // A UTF-8 mark before GBK or Big5 text is no character of it.
            if matches!(other, TextEncoding::Gb18030 | TextEncoding::Big5)
                && sample.starts_with(b"\xEF\xBB\xBF")
            {
                sample.drain(..3);
            }
            Box::new(StrictDecoder::new(
                io::Cursor::new(sample).chain(rest),
                other.encoding_rs(),
            ))
        }
    }
}

/// How many bytes [`StrictDecoder`] reads, and writes, at a time.
const DECODE_BUFFER: usize = 64 * 1024;

/// A streaming decoder to UTF-8 that marks each malformed sequence with
/// [`MALFORMED`] instead of replacing it with U+FFFD. Memory is two fixed
/// buffers, whatever the size of the input.
struct StrictDecoder<R> {
    input: R,
    decoder: encoding_rs::Decoder,
    /// Bytes read from `input`; `in_buf[in_start..in_end]` not yet decoded.
    in_buf: Box<[u8]>,
    in_start: usize,
    in_end: usize,
    /// `input` has no more bytes.
    input_done: bool,
    /// The decoder has been told the input ended and has flushed everything.
    finished: bool,
    /// Decoded text; `out_buf[out_start..out_end]` not yet handed out.
    out_buf: Box<[u8]>,
    out_start: usize,
    out_end: usize,
}

impl<R: Read> StrictDecoder<R> {
    fn new(input: R, encoding: &'static Encoding) -> StrictDecoder<R> {
        StrictDecoder {
            input,
            decoder: encoding.new_decoder(),
            in_buf: vec![0; DECODE_BUFFER].into_boxed_slice(),
            in_start: 0,
            in_end: 0,
            input_done: false,
            finished: false,
            out_buf: vec![0; DECODE_BUFFER].into_boxed_slice(),
            out_start: 0,
            out_end: 0,
        }
    }

    /// Decodes into the (empty) output buffer until it holds something or
    /// the input is finished.
    fn fill(&mut self) -> io::Result<()> {
        self.out_start = 0;
        self.out_end = 0;
        while self.out_end == 0 && !self.finished {
            if self.in_start == self.in_end && !self.input_done {
                self.in_start = 0;
                self.in_end = loop {
                    match self.input.read(&mut self.in_buf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        other => break other?,
                    }
                };
                self.input_done = self.in_end == 0;
            }
            // One byte is kept free for a MALFORMED mark.
            let room = self.out_buf.len() - 1;
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.in_buf[self.in_start..self.in_end],
                &mut self.out_buf[..room],
                self.input_done,
            );
            self.in_start += read;
            self.out_end = written;
            match result {
                DecoderResult::Malformed(..) => {
                    self.out_buf[self.out_end] = MALFORMED;
                    self.out_end += 1;
                }
                DecoderResult::InputEmpty => self.finished = self.input_done,
                DecoderResult::OutputFull => {}
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for StrictDecoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_start == self.out_end {
            self.fill()?;
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.out_buf[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> (TextEncoding, String) {
        let mut r: &[u8] = bytes;
        let sample = read_sample(&mut r).unwrap();
        let enc = detect(&sample).unwrap();
        let mut out = String::new();
        decode(sample, Box::new(std::io::Cursor::new(r.to_vec())), enc)
            .read_to_string(&mut out)
            .unwrap();
        (enc, out)
    }

    #[test]
    fn detects_and_decodes() {
        let text = "评价ID,评价内容\n1,客服态度很差\n";
        assert_eq!(
            decode_all(text.as_bytes()),
            (TextEncoding::Utf8, text.to_string())
        );
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(decode_all(&bom), (TextEncoding::Utf8, text.to_string()));
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode_all(&gbk), (TextEncoding::Gb18030, text.to_string()));
        let mut utf16 = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            decode_all(&utf16),
            (TextEncoding::Utf16Le, text.to_string())
        );
    }

    #[test]
    fn mostly_chinese_utf16_without_a_mark_is_named() {
        // A roster of names: NULs only after its commas and line ends.
        let text = "客服姓名,部门\n王芳,售前组\n李娜,售后一组\n张伟,售后二组\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(detect(&le).unwrap_err().contains("--encoding utf-16le"));
        assert!(detect(&be).unwrap_err().contains("--encoding utf-16be"));
        // One NUL, on one side, in what reads as a control character: binary.
        let binary = [
            b"\x07\x00".as_slice(),
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn",
        ]
        .concat();
        assert!(detect(&binary).unwrap_err().starts_with("binary content"));
    }

    #[test]
    fn gbk_after_an_ascii_start_is_gbk() {
        // 100 KiB of ids and dates, then GBK text (found by exploratory
        // testing: read as UTF-8, every Chinese row was rejected).
        let mut bytes = "id,date\n".to_string().into_bytes();
        while bytes.len() < 100 * 1024 {
            bytes.extend_from_slice(b"R1,2026-11-20\n");
        }
        let ascii = bytes.len();
        let (gbk, _, _) = encoding_rs::GBK.encode("R2,客服态度很差\n");
        for _ in 0..100 {
            bytes.extend_from_slice(&gbk);
        }
        let sample = read_sample(&mut &bytes[..]).unwrap();
        assert!(sample.len() > ascii && sample.len() < bytes.len() + 1);
        assert_eq!(detect(&sample), Ok(TextEncoding::Gb18030));
        // All ASCII: read to the end, or to the cap.
        let long = vec![b'a'; MAX_SAMPLE_SIZE + 10];
        assert_eq!(read_sample(&mut &long[..]).unwrap().len(), MAX_SAMPLE_SIZE);
        // A first read that is not all ASCII is the sample.
        let mut utf8 = "客服".repeat(30_000).into_bytes();
        utf8.extend_from_slice(&gbk);
        assert_eq!(read_sample(&mut &utf8[..]).unwrap().len(), SAMPLE_SIZE);
    }

    #[test]
    fn short_gbk_is_not_mistaken() {
        // Two characters of GBK: the case statistical detectors get wrong.
        let (gbk, _, _) = encoding_rs::GBK.encode("差评");
        assert_eq!(detect(&gbk), Ok(TextEncoding::Gb18030));
    }

    #[test]
    fn utf8_cut_in_a_character_stays_utf8() {
        let text = "评价ID,评价内容\n1,客服态度很差\n2,回复太慢".as_bytes();
        // Cut inside the last character: at the end of a short file, and at
        // the end of a full sample.
        assert_eq!(detect(&text[..text.len() - 1]), Ok(TextEncoding::Utf8));
        let long = [vec![b'a'; SAMPLE_SIZE - 1], text.to_vec()].concat();
        let cut = &long[..SAMPLE_SIZE];
        assert!(std::str::from_utf8(cut).is_err());
        assert_eq!(detect(cut), Ok(TextEncoding::Utf8));
    }

    #[test]
    fn mostly_utf8_with_stray_bytes_stays_utf8() {
        let rows = "id,content\n1,客服态度很差\n2,回复太慢了\n".as_bytes();
        let latin1 = [rows, b"3,caf\xE9 late\n"].concat();
        assert_eq!(detect(&latin1), Ok(TextEncoding::Utf8));
        let (gbk_row, _, _) = encoding_rs::GBK.encode("4,等了很久\n");
        let pasted = [rows, rows, &gbk_row].concat();
        assert_eq!(detect(&pasted), Ok(TextEncoding::Utf8));
        // Invalid sequences above a quarter of the valid characters: GB18030.
        let few = [b"1,\xE5\xA5\xBD,".as_slice(), b"\xE9 \xE9 \n"].concat();
        assert_eq!(utf8_counts(&few), (1, 2));
        assert_eq!(detect(&few), Ok(TextEncoding::Gb18030));
    }

    /// Simplified text written with the Traditional characters of the
    /// table (客服態度很差), as a Taiwan or Hong Kong export would have it.
    fn traditional(text: &str) -> String {
        let pairs: Vec<char> = crate::hanzi::TRADITIONAL.chars().collect();
        text.chars()
            .map(|c| pairs.chunks(2).find(|p| p[1] == c).map_or(c, |p| p[0]))
            .collect()
    }

    #[test]
    fn big5_is_told_from_gbk() {
        let header = "評價編號,評價時間,客服姓名,評價內容\n";
        let (big5, _, _) = encoding_rs::BIG5.encode(header);
        assert_eq!(detect(&big5), Ok(TextEncoding::Big5));
        // A roster holding nothing Chinese but names (found by a regression
        // sweep: read as GBK), and the same in Simplified as GBK.
        let trad =
            "王芳李娜張偉劉洋陳靜楊磊黃敏趙強周傑吳婷徐剛孫麗馬超朱紅胡軍郭鵬何雪林濤羅蘭梁宇";
        let simp =
            "王芳李娜张伟刘洋陈静杨磊黄敏赵强周杰吴婷徐刚孙丽马超朱红胡军郭鹏何雪林涛罗兰梁宇";
        let roster = |names: &str| {
            let mut text = "id,name,dept,joined\n".to_string();
            let names: Vec<char> = names.chars().collect();
            for (i, name) in names.chunks(2).enumerate() {
                let name: String = name.iter().collect();
                text.push_str(&format!("A{i:03},{name},X,2024-01-01\n"));
            }
            text
        };
        let big5 = encoding_rs::BIG5.encode(&roster(trad)).0.into_owned();
        assert_eq!(detect(&big5), Ok(TextEncoding::Big5));
        let gbk = encoding_rs::GBK.encode(&roster(simp)).0.into_owned();
        assert_eq!(detect(&gbk), Ok(TextEncoding::Gb18030));
        // A one-row Cantonese log (found by exploratory testing: read as GBK).
        for text in ["等咗好耐都冇人覆", "個客服態度好差，講嘢好衝"] {
            let (big5, _, _) = encoding_rs::BIG5.encode(text);
            assert_eq!(detect(&big5), Ok(TextEncoding::Big5), "{text}");
        }
        let text = "TW1,2026/11/19 10:12,張偉,客服態度很差，問了三次都不回覆\n";
        let big5 = encoding_rs::BIG5
            .encode(&format!("{header}{text}"))
            .0
            .into_owned();
        let (encoding, decoded) = decode_all(&big5);
        assert_eq!(
            (encoding, decoded),
            (TextEncoding::Big5, format!("{header}{text}"))
        );
        assert_eq!(
            TextEncoding::parse("BIG5-HKSCS").unwrap(),
            TextEncoding::Big5
        );
        assert_eq!(TextEncoding::parse("cp950").unwrap(), TextEncoding::Big5);
        // Every labelled set, as a GBK file and (in Traditional characters)
        // as a Big5 one, and each of its rows of six characters or more alone.
        let sets = [
            include_str!("../../fixtures/labeled/test2.csv"),
            include_str!("../../fixtures/labeled/dev11.csv"),
            include_str!("../../fixtures/labeled/hard.csv"),
        ];
        let (mut rows, mut wrong) = (0, 0);
        for set in sets {
            let (gbk, _, _) = encoding_rs::GBK.encode(set);
            assert_eq!(
                detect(&gbk[..gbk.len().min(SAMPLE_SIZE)]),
                Ok(TextEncoding::Gb18030)
            );
            let big5 = encoding_rs::BIG5.encode(&traditional(set)).0.into_owned();
            assert_eq!(
                detect(&big5[..big5.len().min(SAMPLE_SIZE)]),
                Ok(TextEncoding::Big5)
            );
            for line in set
                .lines()
                .filter(|l| l.chars().filter(|c| *c > '\u{4e00}').count() >= 6)
            {
                let (gbk, _, _) = encoding_rs::GBK.encode(line);
                let big5 = encoding_rs::BIG5.encode(&traditional(line)).0.into_owned();
                rows += 2;
                wrong += usize::from(detect(&gbk) != Ok(TextEncoding::Gb18030));
                wrong += usize::from(detect(&big5) != Ok(TextEncoding::Big5));
            }
        }
        assert!(
            wrong * 100 <= rows,
            "{wrong} of {rows} single rows detected wrong"
        );
    }

    #[test]
    fn gbk_fixtures_are_gb18030() {
        for gbk in [
            include_bytes!("../../fixtures/taobao_reviews_gbk.csv").as_slice(),
            include_bytes!("../../fixtures/bad/gbk_mislabeled.csv").as_slice(),
        ] {
            let sample = &gbk[..gbk.len().min(SAMPLE_SIZE)];
            assert_eq!(detect(sample), Ok(TextEncoding::Gb18030));
            let (valid, invalid) = utf8_counts(sample);
            assert!(valid * 2 < invalid, "{valid} valid, {invalid} invalid");
        }
    }

    /// Decodes `bytes` handed over `chunk` bytes at a time.
    fn decode_in_chunks(bytes: &[u8], encoding: TextEncoding, chunk: usize) -> Vec<u8> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = vec![];
        StrictDecoder::new(Chunks(bytes, chunk), encoding.encoding_rs())
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn malformed_input_is_marked_not_replaced() {
        let (gbk, _, _) = encoding_rs::GBK.encode("1,客服态度很差\n2,等了很久");
        // Cut inside the last character; a character split between reads is fine.
        let mut want = "1,客服态度很差\n2,等了很".as_bytes().to_vec();
        want.push(MALFORMED);
        for chunk in [1, 3, DECODE_BUFFER] {
            let out = decode_in_chunks(&gbk[..gbk.len() - 1], TextEncoding::Gb18030, chunk);
            assert_eq!(out, want, "read {chunk} bytes at a time");
        }
        // A lead byte followed by a line break: the line break is kept.
        let out = decode_in_chunks(b"a\x81\nb", TextEncoding::Gb18030, 2);
        assert_eq!(out, b"a\xFF\nb");
        // U+FFFD written in the file is text, not a mark.
        let (fffd, _, _) = encoding_rs::GB18030.encode("x\u{FFFD}y");
        assert_eq!(fffd.len(), 6);
        assert_eq!(
            decode_in_chunks(&fffd, TextEncoding::Gb18030, 2),
            "x\u{FFFD}y".as_bytes()
        );
        // UTF-16 with an unpaired surrogate.
        let out = decode_in_chunks(b"\xFF\xFEa\x00\x00\xD8b\x00", TextEncoding::Utf16Le, 64);
        assert_eq!(out, b"a\xFFb");
        // Larger than the buffers: everything comes through once, in order.
        let long = "客服回复太慢了，".repeat(20_000);
        let (gbk, _, _) = encoding_rs::GBK.encode(&long);
        assert_eq!(
            decode_in_chunks(&gbk, TextEncoding::Gb18030, 5000),
            long.as_bytes()
        );
    }

    #[test]
    fn reasons_name_the_bad_bytes_and_where() {
        assert_eq!(
            invalid_text_reason(b"caf\xE9 late", TextEncoding::Utf8),
            "not valid UTF-8 (the file is read as UTF-8; byte 0xE9 after \"caf\"); pass --encoding gbk (or big5) if the whole file is GBK (or Big5)"
        );
        let cut = &"回复太慢".as_bytes()[..11];
        assert!(invalid_text_reason(cut, TextEncoding::Utf8)
            .contains("a character cut short (0xE6 0x85) after \"回复太\""));
        // A number the twelve characters start inside is quoted whole, to
        // be masked where the message is printed.
        let mut cut = "我的手机13812345678谢谢谢谢".as_bytes().to_vec();
        cut.push(0xFF);
        let reason = invalid_text_reason(&cut, TextEncoding::Utf8);
        assert!(reason.contains("after \"13812345678谢谢谢谢\""), "{reason}");
        assert!(invalid_text_reason(b"\xFFx", TextEncoding::Gb18030)
            .starts_with("not valid GB18030: a malformed byte sequence at the start"));
    }

    #[test]
    fn binary_is_refused() {
        assert!(detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(TextEncoding::parse("GBK").unwrap(), TextEncoding::Gb18030);
        assert_eq!(TextEncoding::parse("utf-8").unwrap(), TextEncoding::Utf8);
        assert!(TextEncoding::parse("latin9").is_err());
    }
}
