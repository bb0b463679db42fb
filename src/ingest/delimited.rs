//! Delimited text (CSV, TSV, semicolon-separated): delimiter sniffing and a
//! streaming, allocation-free row reader over the csv crate.

use std::io::{BufRead, Read};

use anyhow::{bail, Context, Result};
use csv::ByteRecord;

use super::encoding::invalid_text_reason;
use super::{fields_to_csv_line, ReadOutcome, Row, RowSource, TextEncoding};

pub struct DelimitedSource {
    reader: csv::Reader<Box<dyn Read + Send>>,
    /// A record (or error) read ahead while checking for an unclosed quote.
    pending: Option<csv::Result<ByteRecord>>,
    headers: Vec<String>,
    encoding: TextEncoding,
    delimiter: u8,
}

/// Picks the delimiter that occurs most often (outside quotes) in the first line.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in &head[..line_end] {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b'\t' if !quoted => counts[1] += 1,
            b';' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let delimiters = [b',', b'\t', b';'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        delimiters[best]
    }
}

impl DelimitedSource {
    pub fn open<R: BufRead + Send + 'static>(
        name: &str,
        mut text: R,
        encoding: TextEncoding,
        delimiter: Option<u8>,
    ) -> Result<DelimitedSource> {
        let head = text
            .fill_buf()
            .with_context(|| format!("cannot read {name}"))?;
        let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(head));
        let boxed: Box<dyn Read + Send> = Box::new(text);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(boxed);
        let headers = match reader.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_string()).collect::<Vec<_>>(),
            Err(e) => match e.kind() {
                csv::ErrorKind::Utf8 { .. } => bail!(
                    "{name}: the header line is not valid {}; pass the right --encoding (e.g. --encoding gbk)",
                    encoding.name()
                ),
                _ => return Err(e).with_context(|| format!("cannot read the header line of {name}")),
            },
        };
        if headers.iter().all(|h| h.is_empty()) {
            bail!("{name}: the header line is empty");
        }
        Ok(DelimitedSource {
            reader,
            pending: None,
            headers,
            encoding,
            delimiter,
        })
    }
}

impl DelimitedSource {
    /// True when no record follows. Reads one ahead (kept for the next call);
    /// used only when a field ends in a line break, the mark of a quote left
    /// open until the end of the file.
    fn at_end_after_this(&mut self) -> bool {
        let mut ahead = ByteRecord::new();
        match self.reader.read_byte_record(&mut ahead) {
            Ok(false) => true,
            Ok(true) => {
                self.pending = Some(Ok(ahead));
                false
            }
            Err(e) => {
                self.pending = Some(Err(e));
                false
            }
        }
    }
}

impl RowSource for DelimitedSource {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn position_name(&self) -> &'static str {
        "line"
    }

    fn encoding(&self) -> Option<TextEncoding> {
        Some(self.encoding)
    }

    fn delimiter(&self) -> Option<u8> {
        Some(self.delimiter)
    }

    fn read_row(&mut self, row: &mut Row) -> Result<ReadOutcome> {
        // Reuse the row's buffer: it moves out and back, nothing is copied.
        let mut bytes: ByteRecord = row.take_bytes();
        loop {
            let read = match self.pending.take() {
                Some(Ok(ahead)) => {
                    bytes = ahead;
                    Ok(true)
                }
                Some(Err(e)) => Err(e),
                None => self.reader.read_byte_record(&mut bytes),
            };
            match read {
                Ok(false) => return Ok(ReadOutcome::End),
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    if let csv::ErrorKind::Io(_) = e.kind() {
                        return Err(e).context("reading failed");
                    }
                    return Ok(ReadOutcome::Bad {
                        line,
                        reason: format!("unreadable CSV: {e}"),
                        raw: String::new(),
                    });
                }
            }
            // Skip lines that are entirely empty (trailing blank lines in exports).
            if bytes.len() == 1 && bytes[0].is_empty() {
                continue;
            }
            break;
        }
        let line = bytes.position().map(|p| p.line()).unwrap_or(0);
        match row.set_bytes(bytes) {
            Ok(()) => {
                row.line = line;
                // An unterminated quote swallows the rest of the file, line
                // ends included, and the reader stops at end of input inside it.
                let broken_quote = (0..row.len()).any(|i| row.get_bytes(i).ends_with(b"\n"))
                    && self.at_end_after_this();
                if broken_quote || row.len() != self.headers.len() {
                    let raw = fields_to_csv_line(row.iter());
                    let reason = if broken_quote {
                        format!(
                            "broken quoting: a quoted field opened on line {line} is never closed (the rest of the file was read into it)"
                        )
                    } else {
                        format!(
                            "expected {} fields, found {} (a stray delimiter or unbalanced quote?)",
                            self.headers.len(),
                            row.len()
                        )
                    };
                    return Ok(ReadOutcome::Bad { line, reason, raw });
                }
                Ok(ReadOutcome::Row)
            }
            Err((field, bytes)) => {
                let raw = bytes
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect::<Vec<_>>();
                Ok(ReadOutcome::Bad {
                    line,
                    reason: format!(
                        "field {} is {}",
                        field + 1,
                        invalid_text_reason(&bytes[field], self.encoding)
                    ),
                    raw: fields_to_csv_line(raw.iter().map(String::as_str)),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"id;created_at;\"x,y\"\n"), b';');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }

    /// A row read: (line, fields), or (line, reason) for a bad row.
    type RowRead = Result<(u64, Vec<String>), (u64, String)>;

    fn read_all(text: &'static str) -> (Vec<String>, Vec<RowRead>) {
        let mut src =
            DelimitedSource::open("t.csv", text.as_bytes(), TextEncoding::Utf8, None).unwrap();
        let mut out = vec![];
        let mut row = Row::default();
        loop {
            match src.read_row(&mut row).unwrap() {
                ReadOutcome::Row => {
                    out.push(Ok((row.line, row.iter().map(String::from).collect())))
                }
                ReadOutcome::Bad { line, reason, .. } => out.push(Err((line, reason))),
                ReadOutcome::End => break,
            }
        }
        (src.headers().to_vec(), out)
    }

    #[test]
    fn quoted_newlines_keep_line_numbers() {
        let (h, rows) = read_all("id,text\n1,\"a\nb\"\n2,c\n");
        assert_eq!(h, ["id", "text"]);
        assert_eq!(rows[0], Ok((2, vec!["1".into(), "a\nb".into()])));
        assert_eq!(rows[1], Ok((4, vec!["2".into(), "c".into()])));
    }

    #[test]
    fn wrong_field_counts_and_broken_quotes_are_bad_rows() {
        let (_, rows) = read_all("id,text\n1,a,extra\n2,b\n3,\"never closed\n4,d\n");
        assert!(matches!(&rows[0], Err((2, r)) if r.contains("expected 2 fields, found 3")));
        assert_eq!(rows[1], Ok((3, vec!["2".into(), "b".into()])));
        assert!(
            matches!(&rows[2], Err((4, r)) if r.contains("broken quoting")),
            "{:?}",
            rows[2]
        );
        assert_eq!(rows.len(), 3);
    }
}
