//! Text encodings of input files: detection and streaming decoding to UTF-8.
//!
//! Detection (when `--encoding` is not given), on the first 64 KiB:
//! 1. a byte-order mark decides (UTF-8, UTF-16 LE/BE);
//! 2. NUL bytes without a UTF-16 BOM mean the file is not text;
//! 3. valid UTF-8 (a character cut at the sample's end allowed, whether the
//!    sample stops there or the file does, as a `head -c` or an interrupted
//!    download leaves it) is UTF-8;
//! 4. anything else is GB18030, the superset of GBK and GB2312 that Chinese
//!    Excel writes as "CSV".
//!
//! Statistical detectors misread short GBK samples (as EUC-KR), so none is used.
//! A file that turns out not to be UTF-8 after the sample is not guessed at:
//! its bad rows are rejected with a hint to pass `--encoding gbk`.

use std::io::{self, Read};

use anyhow::{bail, Result};
use encoding_rs::Encoding;

/// How many bytes detection looks at.
pub const SAMPLE_SIZE: usize = 64 * 1024;

/// An encoding named on the command line or detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Gb18030,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    /// Parses `--encoding`: utf-8, gbk, gb2312, gb18030, utf-16le, utf-16be.
    pub fn parse(name: &str) -> Result<TextEncoding> {
        let n = name.trim().to_ascii_lowercase().replace(['-', '_'], "");
        Ok(match n.as_str() {
            "utf8" | "utf8bom" | "utf8sig" => TextEncoding::Utf8,
            "gbk" | "gb2312" | "gb18030" | "cp936" | "ansi" => TextEncoding::Gb18030,
            "utf16" | "utf16le" | "unicode" => TextEncoding::Utf16Le,
            "utf16be" => TextEncoding::Utf16Be,
            _ => bail!(
                "unknown encoding {name:?} (expected utf-8, gbk, gb18030, utf-16le or utf-16be)"
            ),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        }
    }

    fn encoding_rs(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Gb18030 => encoding_rs::GB18030,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }
}

/// Reads up to [`SAMPLE_SIZE`] bytes (fewer only at end of input).
pub fn read_sample(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut sample = vec![0; SAMPLE_SIZE];
    let mut filled = 0;
    while filled < SAMPLE_SIZE {
        match reader.read(&mut sample[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    sample.truncate(filled);
    Ok(sample)
}

/// Detects the encoding of a sample; `Err` when it is not text at all.
pub fn detect(sample: &[u8]) -> Result<TextEncoding, &'static str> {
    if sample.starts_with(b"\xEF\xBB\xBF") {
        return Ok(TextEncoding::Utf8);
    }
    if sample.starts_with(b"\xFF\xFE") {
        return Ok(TextEncoding::Utf16Le);
    }
    if sample.starts_with(b"\xFE\xFF") {
        return Ok(TextEncoding::Utf16Be);
    }
    if sample.contains(&0) {
        return Err("binary content (NUL bytes), not a text file");
    }
    match std::str::from_utf8(sample) {
        Ok(_) => Ok(TextEncoding::Utf8),
        // A multi-byte character cut by the sample's end is still UTF-8, and
        // so is a file that ends in one (its last row is then rejected, not
        // the whole file decoded as GB18030). GBK text never gets here: its
        // first Chinese character is already invalid UTF-8.
        Err(e) if e.error_len().is_none() => Ok(TextEncoding::Utf8),
        Err(_) => Ok(TextEncoding::Gb18030),
    }
}

/// Wraps the input (whose first bytes are `sample`, the rest in `rest`) so
/// that it yields UTF-8 with any byte-order mark removed. UTF-8 passes through
/// untouched; invalid bytes in it are caught per row by the readers.
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
        other => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(other.encoding_rs()))
                .bom_override(true)
                .build(io::Cursor::new(sample).chain(rest)),
        ),
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
