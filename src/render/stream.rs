//! Streaming output of records (rows of text fields under headers) as CSV,
//! TSV, JSON Lines or a JSON array, row by row, in constant memory. Used for
//! pipelines (`kefu classify`), where every input row comes out again.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

/// A record output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordFormat {
    Csv,
    Tsv,
    Jsonl,
    Json,
}

impl RecordFormat {
    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            RecordFormat::Csv => "csv",
            RecordFormat::Tsv => "tsv",
            RecordFormat::Jsonl => "jsonl",
            RecordFormat::Json => "json",
        }
    }

    /// The output file extensions known, with their formats.
    const EXTENSIONS: &[(&str, RecordFormat)] = &[
        ("csv", RecordFormat::Csv),
        ("tsv", RecordFormat::Tsv),
        ("json", RecordFormat::Json),
        ("jsonl", RecordFormat::Jsonl),
        ("ndjson", RecordFormat::Jsonl),
    ];

    /// The format: `--format`, else `-o FILE`'s extension, else CSV (stdout,
    /// also `-o -`). A file whose extension names no record format
    /// (`out.xlsx`, `out`) is a usage error rather than CSV in disguise.
    pub fn choose(flag: Option<RecordFormat>, output_path: Option<&Path>) -> Result<RecordFormat> {
        match (flag, output_path.filter(|p| !super::output::is_stdout(p))) {
            (Some(f), path) => {
                super::agrees_with_extension(f, path, RecordFormat::EXTENSIONS, RecordFormat::name)
            }
            (None, None) => Ok(RecordFormat::Csv),
            (None, Some(path)) => {
                super::from_extension(path, RecordFormat::EXTENSIONS).ok_or_else(|| {
                    super::unknown_extension(path, "classify writes", RecordFormat::EXTENSIONS)
                })
            }
        }
    }
}

/// Where a [`RecordWriter`]'s records go, by format.
enum Sink<W: Write> {
    /// CSV or TSV (boxed: csv's writer is large beside a bare `W`).
    Delimited(Box<csv::Writer<W>>),
    /// JSON Lines or a JSON array.
    Json(W),
}

/// Writes records one at a time.
pub struct RecordWriter<W: Write> {
    format: RecordFormat,
    headers: Vec<String>,
    sink: Sink<W>,
    rows: u64,
    /// CSV/TSV values that held a NUL character, written as U+FFFD.
    nul_values: u64,
}

/// A CSV or TSV value without NUL characters: readers take a NUL byte for
/// a binary file (kefu too), so one `\u0000` from a JSON text would make
/// the whole output unreadable (found by exploratory testing: kefu refused
/// its own output). Each becomes U+FFFD, counted in `nul_values`.
fn without_nul<'a>(field: &'a [u8], nul_values: &mut u64) -> std::borrow::Cow<'a, [u8]> {
    if memchr::memchr(0, field).is_none() {
        return std::borrow::Cow::Borrowed(field);
    }
    *nul_values += 1;
    let mut out = Vec::with_capacity(field.len() + 2);
    for &b in field {
        if b == 0 {
            out.extend_from_slice("\u{fffd}".as_bytes());
        } else {
            out.push(b);
        }
    }
    std::borrow::Cow::Owned(out)
}

impl<W: Write> RecordWriter<W> {
    /// Starts the output (CSV/TSV write the header line now).
    pub fn new(format: RecordFormat, headers: Vec<String>, out: W) -> Result<RecordWriter<W>> {
        let mut nul_values = 0;
        let sink = match format {
            RecordFormat::Csv | RecordFormat::Tsv => {
                let mut c = csv::WriterBuilder::new()
                    .delimiter(if format == RecordFormat::Tsv {
                        b'\t'
                    } else {
                        b','
                    })
                    .flexible(true)
                    .buffer_capacity(256 * 1024)
                    .from_writer(out);
                c.write_record(
                    headers
                        .iter()
                        .map(|h| without_nul(h.as_bytes(), &mut nul_values)),
                )?;
                Sink::Delimited(Box::new(c))
            }
            RecordFormat::Jsonl | RecordFormat::Json => Sink::Json(out),
        };
        Ok(RecordWriter {
            format,
            headers,
            sink,
            rows: 0,
            nul_values,
        })
    }

    /// Writes one record: fields aligned to the headers (a shorter record is
    /// padded in JSON; CSV writes what it is given).
    pub fn write<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) -> Result<()> {
        self.write_with_late(fields, std::iter::empty(), &|_| false)
    }

    /// [`Self::write`], plus keys that are no column (a JSON Lines key first
    /// seen after the columns were fixed): kept in JSON, left out of CSV.
    /// In JSON, a field (by its place) that `literal` says held a JSON
    /// literal (see [`crate::ingest::Row::is_literal`]), and a late key whose
    /// value did, is written as that literal, an empty one as null.
    fn write_with_late<'a, 'b>(
        &mut self,
        fields: impl IntoIterator<Item = &'a str>,
        late: impl Iterator<Item = (&'b str, &'b str, bool)>,
        literal: &dyn Fn(usize) -> bool,
    ) -> Result<()> {
        match &mut self.sink {
            Sink::Delimited(c) => {
                let nul = &mut self.nul_values;
                c.write_record(fields.into_iter().map(|f| without_nul(f.as_bytes(), nul)))?
            }
            Sink::Json(out) => {
                let value = |literal: bool, text: &str| {
                    if !literal {
                        return serde_json::Value::String(text.to_string());
                    }
                    if text.is_empty() {
                        return serde_json::Value::Null;
                    }
                    serde_json::from_str(text)
                        .unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
                };
                let mut obj = serde_json::Map::with_capacity(self.headers.len());
                let mut it = fields.into_iter();
                for (i, h) in self.headers.iter().enumerate() {
                    obj.insert(h.clone(), value(literal(i), it.next().unwrap_or("")));
                }
                for (key, v, is_literal) in late {
                    obj.entry(key).or_insert_with(|| value(is_literal, v));
                }
                let prefix: &[u8] = match (self.format, self.rows) {
                    (RecordFormat::Json, 0) => b"[\n",
                    (RecordFormat::Json, _) => b",\n",
                    _ => b"",
                };
                out.write_all(prefix)?;
                serde_json::to_writer(&mut *out, &obj)?;
                if self.format == RecordFormat::Jsonl {
                    out.write_all(b"\n")?;
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Writes one record of UTF-8 byte fields (CSV and TSV pass them through
    /// without converting them to text first), plus keys that are no column
    /// (see [`Self::write_with_late`], and for `literal`). `may_hold_nul`
    /// false (the caller looked at the row's bytes once) spares the look
    /// at each field.
    pub fn write_bytes_and_late<'a, 'b>(
        &mut self,
        fields: impl IntoIterator<Item = &'a [u8]>,
        late: impl Iterator<Item = (&'b str, &'b [u8], bool)>,
        literal: &dyn Fn(usize) -> bool,
        may_hold_nul: bool,
    ) -> Result<()> {
        if let Sink::Delimited(c) = &mut self.sink {
            if may_hold_nul {
                let nul = &mut self.nul_values;
                c.write_record(fields.into_iter().map(|f| without_nul(f, nul)))?;
            } else {
                c.write_record(fields)?;
            }
            self.rows += 1;
            Ok(())
        } else {
            let fields: Vec<std::borrow::Cow<'a, str>> =
                fields.into_iter().map(String::from_utf8_lossy).collect();
            let late: Vec<(&str, std::borrow::Cow<'b, str>, bool)> = late
                .map(|(k, v, l)| (k, String::from_utf8_lossy(v), l))
                .collect();
            self.write_with_late(
                fields.iter().map(|f| f.as_ref()),
                late.iter().map(|(k, v, l)| (*k, v.as_ref(), *l)),
                literal,
            )
        }
    }

    /// Hands what is buffered to the writer, and flushes it.
    pub fn flush(&mut self) -> Result<()> {
        match &mut self.sink {
            Sink::Delimited(c) => c.flush()?,
            Sink::Json(out) => out.flush()?,
        }
        Ok(())
    }

    /// Ends the output, flushes it, and hands back the writer (for an
    /// output file to be committed once the whole run has succeeded).
    pub fn finish(self) -> Result<W> {
        if self.nul_values > 0 {
            crate::say!(
                "kefu: warning: {} value(s) held a NUL character (\\u0000), which CSV readers take for a binary file: written as U+FFFD (�); JSON output keeps it",
                self.nul_values
            );
        }
        match self.sink {
            Sink::Delimited(c) => Ok(c.into_inner().map_err(|e| e.into_error())?),
            Sink::Json(mut out) => {
                if self.format == RecordFormat::Json {
                    out.write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })?;
                }
                out.flush()?;
                Ok(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: RecordFormat, rows: &[&[&str]]) -> String {
        let mut buf = Vec::new();
        let mut w = RecordWriter::new(format, vec!["a".into(), "b".into()], &mut buf).unwrap();
        for r in rows {
            w.write(r.iter().copied()).unwrap();
        }
        w.finish().unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn every_format() {
        let rows: &[&[&str]] = &[&["1", "x,y"], &["2", "说\"好\""]];
        assert_eq!(
            render(RecordFormat::Csv, rows),
            "a,b\n1,\"x,y\"\n2,\"说\"\"好\"\"\"\n"
        );
        assert_eq!(
            render(RecordFormat::Tsv, rows),
            "a\tb\n1\tx,y\n2\t\"说\"\"好\"\"\"\n"
        );
        assert_eq!(
            render(RecordFormat::Jsonl, rows),
            "{\"a\":\"1\",\"b\":\"x,y\"}\n{\"a\":\"2\",\"b\":\"说\\\"好\\\"\"}\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(RecordFormat::Json, rows)).unwrap();
        assert_eq!(json[1]["a"], "2");
        assert_eq!(render(RecordFormat::Json, &[]), "[]\n");
    }
}
