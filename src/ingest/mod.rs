//! Readers of every input kefu accepts, in one place: CSV/TSV (delimiter
//! sniffed), JSON (an array of objects, or an object holding one), JSON Lines,
//! and Excel (`.xlsx`, `.xls`, `.ods` through calamine), in UTF-8, UTF-8 with
//! BOM, GBK/GB18030 or UTF-16 with BOM; `-` is stdin.
//!
//! Every reader yields the same thing: a header list and rows of text fields
//! aligned to it, each row with its position in the file (line, item or sheet
//! row) so that errors and rejects can name it. A row that cannot be read is
//! returned as [`ReadOutcome::Bad`] with a reason and its original text; the
//! caller decides whether that stops anything. Turning rows into records
//! (column aliases, value parsing) is `columns` and `feedback`/`agents`.

pub mod columns;
mod delimited;
pub mod encoding;
mod excel;
mod json;
pub mod records;

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

pub use encoding::TextEncoding;

/// A file format kefu reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Comma-, tab- or semicolon-separated text (delimiter sniffed).
    Csv,
    /// Tab-separated text.
    Tsv,
    /// A JSON array of objects, or an object holding one such array.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// An Excel workbook (.xlsx, .xlsm, .xls) or OpenDocument sheet (.ods).
    Xlsx,
}

impl InputFormat {
    /// The format a file name's extension implies, if any.
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" | "txt" => InputFormat::Csv,
            "tsv" | "tab" => InputFormat::Tsv,
            "json" => InputFormat::Json,
            "jsonl" | "ndjson" => InputFormat::Jsonl,
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => InputFormat::Xlsx,
            _ => return None,
        })
    }
}

/// How to open an input: everything a user can say about it on the command line.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    pub format: Option<InputFormat>,
    pub encoding: Option<TextEncoding>,
    /// Excel sheet name (default: the first sheet).
    pub sheet: Option<String>,
}

/// One row as read: its position and its fields aligned to the headers.
///
/// The fields are kept as bytes, checked once to be UTF-8 (`set_bytes`), so
/// that a stream can pass them through without converting each one.
#[derive(Debug, Default)]
pub struct Row {
    /// 1-based line (CSV, JSON Lines), item (JSON array) or sheet row (Excel)
    /// where the row starts.
    pub line: u64,
    fields: csv::ByteRecord,
}

/// Whether every field of `record` is UTF-8: the whole buffer is, and no
/// field starts inside a character (the buffer holds the fields back to back).
fn all_utf8(record: &csv::ByteRecord) -> Result<(), usize> {
    if simdutf8::basic::from_utf8(record.as_slice()).is_ok()
        && record
            .iter()
            .all(|f| f.first().is_none_or(|&b| (b as i8) >= -0x40))
    {
        return Ok(());
    }
    // Which field: the first that is not UTF-8 on its own.
    Err(record
        .iter()
        .position(|f| std::str::from_utf8(f).is_err())
        .unwrap_or(0))
}

impl Row {
    /// Field `i`, or "" when the row is shorter.
    pub fn get(&self, i: usize) -> &str {
        // Checked at `set_bytes`; a second check with simdutf8 costs little.
        self.fields
            .get(i)
            .and_then(|f| simdutf8::basic::from_utf8(f).ok())
            .unwrap_or("")
    }

    /// Field `i` as bytes (UTF-8), or empty.
    pub fn get_bytes(&self, i: usize) -> &[u8] {
        self.fields.get(i).unwrap_or(b"")
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The fields, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.fields.len()).map(|i| self.get(i))
    }

    /// Replaces the fields.
    pub fn set<T: AsRef<str>>(&mut self, fields: impl IntoIterator<Item = T>) {
        self.fields.clear();
        for f in fields {
            self.fields.push_field(f.as_ref().as_bytes());
        }
    }

    /// Takes the field buffer, to be refilled and given back with `set_bytes`.
    pub fn take_bytes(&mut self) -> csv::ByteRecord {
        std::mem::take(&mut self.fields)
    }

    /// Replaces the fields with `record` if all of them are UTF-8; otherwise
    /// gives it back with the index of the first field that is not.
    pub fn set_bytes(&mut self, record: csv::ByteRecord) -> Result<(), (usize, csv::ByteRecord)> {
        match all_utf8(&record) {
            Ok(()) => {
                self.fields = record;
                Ok(())
            }
            Err(i) => Err((i, record)),
        }
    }
}

/// What reading one more row gave.
#[derive(Debug)]
pub enum ReadOutcome {
    /// `row` holds the next row.
    Row,
    /// No more rows.
    End,
    /// A row that cannot be read: where, why, and its original text.
    Bad {
        line: u64,
        reason: String,
        raw: String,
    },
}

/// A source of rows with headers.
pub trait RowSource: Send {
    /// Column names, in file order. May grow while reading JSON Lines, when a
    /// later object has a key the earlier ones did not.
    fn headers(&self) -> &[String];
    /// What a position is called in messages: "line", "item" or "row".
    fn position_name(&self) -> &'static str;
    /// Reads the next row into `row`. `Err` only for failures that stop the
    /// whole file (I/O errors).
    fn read_row(&mut self, row: &mut Row) -> Result<ReadOutcome>;
    /// The encoding the text was decoded from, when the format is text.
    fn encoding(&self) -> Option<TextEncoding>;
    /// The field delimiter, for delimited text.
    fn delimiter(&self) -> Option<u8> {
        None
    }
}

/// An opened input: a display name and its rows.
pub struct Input {
    /// The path as given, or "<stdin>".
    pub name: String,
    pub path: Option<PathBuf>,
    pub format: InputFormat,
    pub rows: Box<dyn RowSource>,
    /// Bytes in the file when known (for progress bars).
    pub size: Option<u64>,
}

/// Counts bytes read through it, for progress bars.
pub struct Counted<R> {
    inner: R,
    counter: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens `path` (or stdin for `-`) as rows, choosing the format from
/// `--format`, else the extension, else the content; and the encoding from
/// `--encoding`, else detection. `progress` counts raw bytes read.
pub fn open(
    path: &str,
    opts: &InputOptions,
    progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
) -> Result<Input> {
    let (name, file_path, raw, size): (String, Option<PathBuf>, Box<dyn Read + Send>, Option<u64>) =
        if path == "-" {
            ("<stdin>".into(), None, Box::new(io::stdin()), None)
        } else {
            let p = PathBuf::from(path);
            let file = File::open(&p).with_context(|| format!("cannot open {path}"))?;
            let meta = file
                .metadata()
                .with_context(|| format!("cannot read {path}"))?;
            if meta.is_dir() {
                bail!("{path} is a directory, not a file");
            }
            (path.to_string(), Some(p), Box::new(file), Some(meta.len()))
        };
    let mut raw: Box<dyn Read + Send> = match progress {
        Some(counter) => Box::new(Counted {
            inner: raw,
            counter,
        }),
        None => raw,
    };
    let sample = encoding::read_sample(&mut raw).with_context(|| format!("cannot read {name}"))?;
    if sample.iter().all(|b| b.is_ascii_whitespace()) {
        bail!("{name}: the file is empty");
    }
    let sniffed = sniff_format(&sample);
    let format = opts
        .format
        .or_else(|| file_path.as_deref().and_then(InputFormat::from_path))
        .unwrap_or(sniffed);
    if format != InputFormat::Xlsx && sniffed == InputFormat::Xlsx {
        bail!("{name}: this is an Excel/zip file, not {format:?} text; name it .xlsx or pass --format xlsx");
    }
    let rows: Box<dyn RowSource> = match format {
        InputFormat::Xlsx => {
            if sniffed != InputFormat::Xlsx {
                bail!("{name}: not an Excel workbook (no xlsx/xls signature)");
            }
            let mut bytes = sample;
            raw.read_to_end(&mut bytes)
                .with_context(|| format!("cannot read {name}"))?;
            Box::new(excel::ExcelSource::open(
                &name,
                bytes,
                opts.sheet.as_deref(),
            )?)
        }
        text_format => {
            let enc = match opts.encoding {
                Some(e) => e,
                None => {
                    encoding::detect(&sample).map_err(|why| anyhow::anyhow!("{name}: {why}"))?
                }
            };
            let text = BufReader::with_capacity(256 * 1024, encoding::decode(sample, raw, enc));
            match text_format {
                InputFormat::Csv | InputFormat::Tsv => Box::new(delimited::DelimitedSource::open(
                    &name,
                    text,
                    enc,
                    (text_format == InputFormat::Tsv).then_some(b'\t'),
                )?),
                InputFormat::Json => Box::new(json::JsonSource::open_array(&name, text, enc)?),
                InputFormat::Jsonl => Box::new(json::JsonSource::open_lines(&name, text, enc)?),
                InputFormat::Xlsx => unreachable!("handled above"),
            }
        }
    };
    Ok(Input {
        name,
        path: file_path,
        format,
        rows,
        size,
    })
}

/// Guesses a format from the first bytes: zip or OLE signatures are Excel,
/// `[` is JSON, `{` is JSON Lines when the first line is a whole object,
/// anything else is delimited text.
fn sniff_format(sample: &[u8]) -> InputFormat {
    if sample.starts_with(b"PK\x03\x04") || sample.starts_with(b"\xD0\xCF\x11\xE0") {
        return InputFormat::Xlsx;
    }
    let body = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(sample);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    match body.get(start) {
        Some(b'[') => InputFormat::Json,
        Some(b'{') => {
            let line_end = body[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|i| start + i);
            match line_end {
                Some(end)
                    if serde_json::from_slice::<serde_json::Value>(&body[start..end]).is_ok() =>
                {
                    InputFormat::Jsonl
                }
                _ => InputFormat::Json,
            }
        }
        _ => InputFormat::Csv,
    }
}

/// Writes fields as one CSV line (for the "original row" of a reject).
pub fn fields_to_csv_line<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record(fields);
    let bytes = w.into_inner().unwrap_or_default();
    let mut s = String::from_utf8_lossy(&bytes).into_owned();
    if s.ends_with('\n') {
        s.pop();
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_character_split_across_fields_is_not_utf8() {
        use super::Row;
        let mut row = Row::default();
        // The buffer reads 中 whole, but neither field is UTF-8 alone.
        let split = csv::ByteRecord::from(vec![&b"\xE4\xB8"[..], &b"\xAD"[..]]);
        assert_eq!(row.set_bytes(split).map_err(|(i, _)| i), Err(0));
        let good = csv::ByteRecord::from(vec!["中", "文"]);
        assert!(row.set_bytes(good).is_ok());
        assert_eq!(row.iter().collect::<Vec<_>>(), ["中", "文"]);
    }

    use super::*;

    #[test]
    fn sniffs_formats() {
        assert_eq!(sniff_format(b"PK\x03\x04rest"), InputFormat::Xlsx);
        assert_eq!(sniff_format(b"  [{\"a\":1}]"), InputFormat::Json);
        assert_eq!(sniff_format(b"{\"a\":1}\n{\"a\":2}\n"), InputFormat::Jsonl);
        assert_eq!(sniff_format(b"{\n \"data\": []\n}"), InputFormat::Json);
        assert_eq!(sniff_format("评价ID,内容\n".as_bytes()), InputFormat::Csv);
    }

    #[test]
    fn csv_line_quotes_what_needs_it() {
        assert_eq!(
            fields_to_csv_line(["a", "b,c", "say \"hi\""]),
            "a,\"b,c\",\"say \"\"hi\"\"\""
        );
    }
}
