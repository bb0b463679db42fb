//! Readers of every input kefu accepts, in one place: CSV/TSV (delimiter
//! sniffed), JSON (an array of objects, or an object holding one), JSON Lines,
//! and Excel (`.xlsx`, `.xls`, `.ods` through calamine), in UTF-8, UTF-8 with
//! BOM, GBK/GB18030 or UTF-16 with BOM; `-` is stdin.
//!
//! Every reader yields the same thing: a header list and rows of text fields
//! aligned to it, each row with its position in the file (line, item or sheet
//! row) so that errors and rejects can name it. Text and sheets are read the
//! way exports are laid out: the header may sit below a title and blank rows
//! ([`header_index`]), or below metadata or group names when only a lower
//! row has the columns a command needs ([`Input::find_columns`]), rows that
//! hold nothing are skipped and counted, and
//! [`Input::notes`] says what was skipped. A row that cannot be read is
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

use anyhow::{anyhow, bail, Context, Result};

pub use encoding::TextEncoding;
pub(crate) use excel::EXCEL_COLUMNS;

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
            "csv" => InputFormat::Csv,
            // A .txt is whatever its content is: delimited text, or JSON
            // saved from a browser (found by exploratory testing).
            "tsv" | "tab" => InputFormat::Tsv,
            "json" => InputFormat::Json,
            "jsonl" | "ndjson" => InputFormat::Jsonl,
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => InputFormat::Xlsx,
            _ => return None,
        })
    }

    /// What messages call the format: CSV, TSV, JSON, JSON Lines, Excel.
    pub fn label(self) -> &'static str {
        match self {
            InputFormat::Csv => "CSV",
            InputFormat::Tsv => "TSV",
            InputFormat::Json => "JSON",
            InputFormat::Jsonl => "JSON Lines",
            InputFormat::Xlsx => "Excel",
        }
    }
}

/// What an error about the columns of JSON Lines adds: one line of JSON on
/// stdin is a record of JSON Lines (a review holding its 追评 in an array),
/// so an API response piped in needs its format said (found by
/// exploratory testing).
pub const JSON_DOCUMENT_HINT: &str = "if the input is one JSON document (an API response, {\"code\":0,\"data\":[…]}), pass --input-format json";

/// How to open an input: everything a user can say about it on the command line.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    pub format: Option<InputFormat>,
    pub encoding: Option<TextEncoding>,
    /// Excel sheet name (default: the first sheet).
    pub sheet: Option<String>,
    /// CSV cells exactly as written, a CRLF in a quoted cell too (for a
    /// stream that writes the rows out again); else such a CRLF is read as
    /// the LF a workbook cell holds.
    pub cells_as_written: bool,
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
    /// For a JSON record: which fields held a JSON literal rather than a
    /// string (a number, true/false, null, an array or object), as its JSON
    /// text (null as empty), so that JSON written out again keeps its type.
    /// Empty for every other format.
    literal: Vec<bool>,
    /// For a JSON record: its text as the file has it (a JSON Lines line;
    /// an array's object written compactly), what a rejects file keeps as
    /// the original row. Empty for every other format, whose fields are
    /// the row.
    original: String,
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
    /// The bytes the row holds (its fields, and a JSON record's text), for
    /// batches bounded in bytes as well as rows.
    pub fn byte_len(&self) -> usize {
        self.fields.as_slice().len() + self.original.len()
    }

    /// The longest field: (its index, its length in bytes).
    pub fn longest_field(&self) -> Option<(usize, usize)> {
        self.fields
            .iter()
            .map(<[u8]>::len)
            .enumerate()
            .max_by_key(|&(_, len)| len)
    }

    /// The row as the file wrote it, for a rejects file: a JSON record's
    /// text, or its fields as a CSV line.
    pub fn original_text(&self) -> String {
        if self.original.is_empty() {
            fields_to_csv_line(self.iter())
        } else {
            self.original.clone()
        }
    }

    /// Keeps `text` as the row's original (JSON readers).
    pub fn set_original(&mut self, text: String) {
        self.original = text;
    }

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

    /// Whether every field is empty or white space: a row that holds nothing
    /// (Excel writes an empty row as `,,,,`).
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| {
            f.iter().all(|b| b.is_ascii_whitespace() || *b == 0x1a)
                || std::str::from_utf8(f).is_ok_and(|s| {
                    s.trim_matches(|c: char| c.is_whitespace() || crate::domain::is_invisible(c))
                        .is_empty()
                })
        })
    }

    /// The fields, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.fields.len()).map(|i| self.get(i))
    }

    /// Replaces the fields.
    pub fn set<T: AsRef<str>>(&mut self, fields: impl IntoIterator<Item = T>) {
        self.fields.clear();
        self.literal.clear();
        for f in fields {
            self.fields.push_field(f.as_ref().as_bytes());
        }
    }

    /// Whether a field holds a NUL byte, which no export's text has (a
    /// file of binary content past the part detection looked at).
    pub fn has_nul(&self) -> bool {
        memchr::memchr(0, self.fields.as_slice()).is_some()
    }

    /// Says which fields (of those just set) hold a JSON literal.
    pub fn set_literal(&mut self, literal: impl IntoIterator<Item = bool>) {
        self.literal.clear();
        self.literal.extend(literal);
    }

    /// Whether field `i` holds a JSON literal (see [`Row::set_literal`]).
    pub fn is_literal(&self, i: usize) -> bool {
        self.literal.get(i).copied().unwrap_or(false)
    }

    /// Makes the row `width` fields wide when the fields past the width are
    /// all empty, or the missing ones would be, `empty_tail` of the header's
    /// last names being empty: a trailing delimiter on every data row, or on
    /// the header only, as some exporters write it. True if it now is.
    pub fn fit_empty_tail(&mut self, width: usize, empty_tail: usize) -> bool {
        let len = self.fields.len();
        if len > width && (width..len).all(|i| self.fields[i].is_empty()) {
            self.fields.truncate(width);
            true
        } else if len < width && width - len <= empty_tail {
            for _ in len..width {
                self.fields.push_field(b"");
            }
            true
        } else {
            len == width
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
                self.literal.clear();
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
    /// The header's names as the file writes them (spaces around them kept),
    /// for output that gives the input back: `kefu classify`.
    fn headers_as_written(&self) -> &[String] {
        self.headers()
    }
    /// True for a source that holds no record and so no columns either (a
    /// JSON API's empty list): read as no rows, not matched to fields.
    fn no_records(&self) -> bool {
        false
    }
    /// What a position is called in messages: "line" or (a sheet's) "row".
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
    /// The line (or sheet row) the header is on: 1 unless title or blank
    /// rows above it were skipped (see [`header_index`]).
    fn header_line(&self) -> u64 {
        1
    }
    /// Rows skipped so far because every field was empty, counted once a
    /// row follows them (blank rows at the very end are not the export's).
    fn blank_rows(&self) -> u64 {
        0
    }
    /// For a workbook of several sheets: the sheet read, and the others.
    fn sheets(&self) -> Option<(&str, &[String])> {
        None
    }
    /// Whether the workbook's sheet `name` is hidden in Excel.
    fn is_hidden_sheet(&self, name: &str) -> bool {
        let _ = name;
        false
    }
    /// Switches a workbook opened without a sheet name, before any row is
    /// read, to the one other sheet that has a header `usable` accepts (its
    /// first row as [`header_index`] finds it, or a later one as
    /// [`RowSource::move_header`] would), if exactly one does; returns its
    /// name. Anything else has no sheets.
    fn switch_sheet(&mut self, usable: &dyn Fn(&[String]) -> bool) -> Result<Option<String>> {
        let _ = usable;
        Ok(None)
    }
    /// Moves the header, before any row is read, to the first row below it
    /// that has at least two cells filled and whose cells `usable` accepts,
    /// among the first [`HEADER_CANDIDATE_ROWS`] rows that are not blank;
    /// the rows above it are then skipped as title rows are. Formats
    /// without header rows (JSON) stay as they are.
    fn move_header(&mut self, usable: &dyn Fn(&[String]) -> bool) -> Result<HeaderMove> {
        let _ = usable;
        Ok(HeaderMove::Stayed { likeliest: None })
    }
}

/// What [`RowSource::move_header`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum HeaderMove {
    /// The header is now a row below the one first chosen.
    Moved,
    /// No row below has the columns. `likeliest` is the first of those
    /// tried with the most cells filled, more than the header has (the
    /// real header, most likely, under a row of group names): its position
    /// and cells, for the error to name.
    Stayed {
        likeliest: Option<(u64, Vec<String>)>,
    },
}

/// How many rows, from the first that is not blank, are searched for the
/// header (see [`header_index`]).
const HEADER_SEARCH_ROWS: usize = 10;

/// How many rows that are not blank, from the first, may hold the header
/// when the row [`header_index`] chose lacks the columns a command needs:
/// an export's metadata (`导出人：,张三`, a dozen `筛选条件` lines) or a row
/// of group names above the header (see [`RowSource::move_header`]).
const HEADER_CANDIDATE_ROWS: usize = 20;

/// How many cells of a row hold something other than white space.
fn filled_cells<'a>(cells: impl IntoIterator<Item = &'a [u8]>) -> usize {
    cells
        .into_iter()
        .filter(|c| !String::from_utf8_lossy(c).trim().is_empty())
        .count()
}

/// How many cells a row holds, as the header search counts them: a row
/// with only its first cell empty counts as full. pandas writes its index
/// column so (`,评价内容` above `0,客服态度很差`), and that row is the header,
/// not a title above one (found by exploratory testing: the first record
/// was taken for the header, and its text for a column's name).
fn header_search_cells<'a>(cells: impl IntoIterator<Item = &'a [u8]>) -> usize {
    let filled: Vec<bool> = cells
        .into_iter()
        .map(|c| !String::from_utf8_lossy(c).trim().is_empty())
        .collect();
    match filled.split_first() {
        Some((false, rest)) if !rest.is_empty() && rest.iter().all(|&f| f) => filled.len(),
        _ => filled.iter().filter(|&&f| f).count(),
    }
}

/// Whether the rows read so far from the top (`filled`: how many cells each
/// holds) are enough for [`header_index`]: the first row that is not blank
/// has two cells filled (the usual header on line 1), or the search window
/// after it is read in full.
fn header_search_done(filled: &[usize]) -> bool {
    match filled.iter().position(|&n| n > 0) {
        None => false,
        Some(first) => filled[first] >= 2 || filled.len() - first > HEADER_SEARCH_ROWS,
    }
}

/// Which of the top rows is the header, given how many cells each holds;
/// `None` when every row is blank.
///
/// Chinese Excel/WPS exports put a title (`2026年11月差评明细表`, one cell,
/// merged across the columns in a workbook) and a blank row above the
/// header. So: leading blank rows are skipped, and then, of the next
/// [`HEADER_SEARCH_ROWS`], the first with at least two cells filled is the
/// header, when the next row that is not blank has two as well (or there is
/// none); otherwise the first row that is not blank is. A one-column file
/// keeps its first row (no later row qualifies), and the check of the next
/// row keeps one whose third line holds a stray comma (`回复慢,等了半天`)
/// from taking that line for its header.
fn header_index(filled: &[usize]) -> Option<usize> {
    let first = filled.iter().position(|&n| n > 0)?;
    let candidate = filled[first..]
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|&n| n >= 2)
        .map(|i| first + i);
    let confirmed = |at: usize| {
        filled[at + 1..]
            .iter()
            .find(|&&n| n > 0)
            .is_none_or(|&n| n >= 2)
    };
    Some(candidate.filter(|&at| confirmed(at)).unwrap_or(first))
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
    /// The sheet first read and the sheet read instead, when
    /// [`Input::find_columns`] switched.
    switched: Option<(String, String)>,
    /// The encoding text was read in when it was found not to be UTF-8
    /// without `--encoding` saying so (GB18030 or Big5): a guess the user
    /// should be able to see.
    guessed: Option<TextEncoding>,
    /// What opening chose that the user should hear of (a text file named
    /// .xls read as text), said with [`Input::end_notes`].
    notes: Vec<String>,
}

impl Input {
    /// Applies `columns` (what finds the columns a command needs, or says
    /// which are missing) to the header. When the header lacks them, the
    /// rows below it are tried in turn (see [`RowSource::move_header`]):
    /// exports put their metadata (`导出人：,张三`) or a row of group names
    /// (`订单信息,,评价信息,,`) above the real header. Then a workbook opened
    /// without `--sheet` is read from the one other sheet that has them, if
    /// exactly one does (a summary sheet before the data is common;
    /// [`Input::notes`] says so). Otherwise the error is the header's, naming
    /// the row below that looked most like a header, and the sheet read and
    /// the workbook's other sheets.
    pub fn find_columns<T>(&mut self, columns: impl Fn(&[String]) -> Result<T>) -> Result<T> {
        let error = match columns(self.rows.headers()) {
            Ok(found) => return Ok(found),
            Err(e) => e,
        };
        // A usage error (`--column` naming no column) stays one, exit 2,
        // with what was tried said (found by exploratory testing: exit 1
        // where a blank header cell had the rows below tried).
        let usage = error.downcast_ref::<crate::error::Usage>().is_some();
        let keep_kind = |e: anyhow::Error| {
            if usage && e.downcast_ref::<crate::error::Usage>().is_none() {
                anyhow::Error::new(crate::error::Usage(format!("{e:#}")))
            } else {
                e
            }
        };
        let usable = |headers: &[String]| columns(headers).is_ok();
        let likeliest = match self.rows.move_header(&usable)? {
            HeaderMove::Moved => return columns(self.rows.headers()),
            HeaderMove::Stayed { likeliest } => likeliest,
        };
        let first = self.rows.sheets().map(|(sheet, _)| sheet.to_string());
        if let Some(sheet) = self.rows.switch_sheet(&usable)? {
            // Rows are named by the sheet they are on (a reject's "row 5"
            // is looked for there, not on the first sheet).
            self.name = format!("{} [{sheet}]", self.name);
            self.switched = first.map(|first| (first, sheet));
            return columns(self.rows.headers());
        }
        // What opening chose (a text file named .xlsx read as text) explains
        // the error.
        let error = match self.notes.as_slice() {
            [] => error,
            notes => anyhow!("{error:#} ({})", notes.join("; ")),
        };
        let error = match likeliest {
            Some((line, cells)) => anyhow!(
                "{error:#} ({} {line}, below it, was tried as the header too: {})",
                self.rows.position_name(),
                cells.join(", ")
            ),
            None => error,
        };
        let error = match self.rows.sheets() {
            Some((sheet, others)) => anyhow!(
                "{error:#} (read sheet {sheet:?}; the workbook also has {} — choose one with --sheet)",
                others
                    .iter()
                    .map(|o| if self.rows.is_hidden_sheet(o) {
                        format!("{o} (hidden)")
                    } else {
                        o.clone()
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => error,
        };
        Err(keep_kind(error))
    }

    /// What is worth saying about how the input was read, once its columns
    /// are found: the sheet read instead of the first, the header's line when
    /// title, metadata or blank rows above it were skipped.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = vec![];
        if let Some((first, sheet)) = &self.switched {
            let hidden = if self.rows.is_hidden_sheet(sheet) {
                ", a sheet hidden in Excel"
            } else {
                ""
            };
            notes.push(format!(
                "the first sheet, {first:?}, lacks the columns needed; reading sheet {sheet:?}{hidden}, the only one that has them (--sheet chooses another)"
            ));
        } else if let Some((sheet, _)) = self.rows.sheets() {
            if self.rows.is_hidden_sheet(sheet) {
                notes.push(format!("reading sheet {sheet:?}, which is hidden in Excel"));
            }
        }
        match self.guessed {
            Some(TextEncoding::Gb18030) => notes.push(
                "read as GB18030/GBK (not UTF-8); if the text comes out garbled, pass --encoding utf-8 or --encoding big5"
                    .into(),
            ),
            Some(TextEncoding::Big5) => notes.push(
                "read as Big5 (Traditional Chinese; not UTF-8); if the text comes out garbled, pass --encoding utf-8 or --encoding gbk"
                    .into(),
            ),
            _ => {}
        }
        let line = self.rows.header_line();
        if line > 1 {
            let position = self.rows.position_name();
            let above = line - 1;
            let plural = if above == 1 { "" } else { "s" };
            notes.push(format!(
                "header on {position} {line} ({above} title/blank {position}{plural} above it skipped)"
            ));
        }
        notes
    }

    /// Once every row is read: what opening chose that the user should
    /// hear of, and how many blank rows were skipped, if any.
    pub fn end_notes(&self) -> Vec<String> {
        let mut notes = self.notes.clone();
        match self.rows.blank_rows() {
            0 => {}
            1 => notes.push("1 blank row skipped".into()),
            n => notes.push(format!("{n} blank rows skipped")),
        }
        notes
    }
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

/// A file's name as text: as it is when it is UTF-8, else read as GBK when
/// its bytes are (a zip made on Chinese Windows, unpacked on Linux, names
/// its files so: `差评导出.csv`), else with the bytes it cannot decode
/// replaced.
pub fn path_text(path: &Path) -> String {
    if let Some(text) = path.to_str() {
        return text.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        if let Some(text) =
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
        {
            return text.into_owned();
        }
    }
    path.to_string_lossy().into_owned()
}

/// The names of a workbook's sheets, in order, each with whether Excel
/// hides it.
pub fn sheet_names(path: &Path) -> Result<Vec<(String, bool)>> {
    excel::ExcelSource::sheet_names(path)
}

/// What stdin (`-`) is called as an input's name.
pub const STDIN_NAME: &str = "<stdin>";

/// Opens `path` (or stdin for `-`) as rows, choosing the format from
/// `--format`, else the extension, else the content; and the encoding from
/// `--encoding`, else detection. `progress` counts raw bytes read. A name
/// that is not UTF-8 (GBK bytes from a zip made on Chinese Windows) is
/// opened as it is and shown as [`path_text`] reads it.
pub fn open(
    path: &Path,
    opts: &InputOptions,
    progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
) -> Result<Input> {
    let (name, file_path, raw, size): (String, Option<PathBuf>, Box<dyn Read + Send>, Option<u64>) =
        if path.as_os_str() == "-" {
            (STDIN_NAME.into(), None, Box::new(io::stdin()), None)
        } else {
            let p = path.to_path_buf();
            let path = path_text(path);
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
    // (A byte-order mark alone is empty too.)
    let unmarked = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&sample);
    if unmarked.iter().all(|b| b.is_ascii_whitespace()) {
        // JSON Lines has no header: a day without records is a file without
        // lines, which is what it claims to be (found by exploratory
        // testing: a quiet day's empty complaints export stopped the
        // import of every other file of the day). Any other format empty
        // is a copy cut short.
        let named = opts
            .format
            .or_else(|| file_path.as_deref().and_then(InputFormat::from_path));
        if named == Some(InputFormat::Jsonl) {
            return Ok(Input {
                name,
                path: file_path,
                format: InputFormat::Jsonl,
                rows: Box::new(json::JsonSource::no_lines()),
                size,
                switched: None,
                guessed: None,
                notes: vec![],
            });
        }
        bail!("{name}: the file is empty");
    }
    let sniffed = sniff_format(&sample);
    let mut notes = vec![];
    let format = match (
        opts.format,
        file_path.as_deref().and_then(InputFormat::from_path),
    ) {
        (Some(given), _) => given,
        // Platforms export text (tab-separated, or an HTML table) named
        // .xls, and people save CSV under a workbook's name: text is read as
        // text, and said (found by exploratory testing). Text that is not
        // (a binary, a broken zip) is refused by the text reader.
        (None, Some(InputFormat::Xlsx)) if sniffed != InputFormat::Xlsx => {
            let start =
                String::from_utf8_lossy(&sample[..sample.len().min(512)]).to_ascii_lowercase();
            let start = start.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
            if start.starts_with('<')
                && (start.contains("<html")
                    || start.contains("<table")
                    || start.starts_with("<!doctype"))
            {
                bail!("{name}: an HTML page named like a workbook (some platforms export a table so): open it in Excel and save it as .xlsx, or export CSV");
            }
            notes.push(format!(
                "a text file named like a workbook: read as {} text",
                match sniffed {
                    InputFormat::Json => "JSON",
                    InputFormat::Jsonl => "JSON Lines",
                    _ => "delimited",
                }
            ));
            sniffed
        }
        (None, named) => named.unwrap_or(sniffed),
    };
    if format != InputFormat::Xlsx && sniffed == InputFormat::Xlsx {
        // An encrypted workbook, whatever its name, says so.
        let mut bytes = sample;
        if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
            let _ = raw.read_to_end(&mut bytes);
            if is_encrypted_workbook(&bytes) {
                bail!("{name}: a password-protected (encrypted) Excel workbook, not {} text, which kefu cannot read: open it in Excel or WPS, remove the password and save it as .xlsx, then import again", format.label());
            }
        }
        if opts.format.is_some() {
            // Found by exploratory testing: the advice named the file's
            // own extension, not the option that caused the error.
            bail!("{name}: this is an Excel workbook (or another zip file), not {} text as the input format given says: leave that option out (--input-format, or import's --format) to read it as a workbook", format.label());
        }
        bail!("{name}: this is an Excel/zip file, not {} text; name it .xlsx or pass --input-format xlsx", format.label());
    }
    // A sheet asked of text (stdin, a .txt, CSV saved under a workbook's
    // name) is a mistake, as it is of a file named .csv (found by
    // exploratory testing: it was ignored and the whole text imported).
    if format != InputFormat::Xlsx {
        if let Some(sheet) = &opts.sheet {
            bail!(crate::error::Usage(format!(
                "{name}: --sheet {sheet:?} is for workbooks (.xlsx, .xls, .ods); this is {} text, which has no sheets",
                format.label()
            )));
        }
    }
    let mut guessed = None;
    let rows: Box<dyn RowSource> = match format {
        InputFormat::Xlsx => {
            if sniffed != InputFormat::Xlsx {
                bail!("{name}: not an Excel workbook (no xlsx/xls signature)");
            }
            let mut bytes = sample;
            raw.read_to_end(&mut bytes)
                .with_context(|| format!("cannot read {name}"))?;
            if is_encrypted_workbook(&bytes) {
                bail!("{name}: the workbook is password-protected (encrypted), which kefu cannot read: open it in Excel or WPS, remove the password (File > Info > Protect Workbook > Encrypt with Password / 文件 > 信息 > 保护工作簿 > 用密码进行加密: clear it) and save, then import again");
            }
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
                    let detected = encoding::detect(&sample)
                        .map_err(|why| anyhow::anyhow!("{name}: {why}"))?;
                    guessed = matches!(detected, TextEncoding::Gb18030 | TextEncoding::Big5)
                        .then_some(detected);
                    detected
                }
            };
            let text = BufReader::with_capacity(256 * 1024, encoding::decode(sample, raw, enc));
            match text_format {
                InputFormat::Csv | InputFormat::Tsv => {
                    Box::new(delimited::DelimitedSource::open_as(
                        &name,
                        text,
                        enc,
                        (text_format == InputFormat::Tsv).then_some(b'\t'),
                        opts.cells_as_written,
                    )?)
                }
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
        switched: None,
        guessed,
        notes,
    })
}

/// Whether `bytes` are an encrypted Office workbook: what Excel writes when
/// a password protects the file is an OLE container (the .xls signature)
/// holding an `EncryptedPackage` stream, whose name its directory holds in
/// UTF-16.
fn is_encrypted_workbook(bytes: &[u8]) -> bool {
    const NAME: &[u8] = b"E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";
    bytes.starts_with(b"\xD0\xCF\x11\xE0") && bytes.windows(NAME.len()).any(|w| w == NAME)
}

/// Guesses a format from the first bytes: zip or OLE signatures are Excel,
/// `[` is JSON, `{` is JSON Lines when the first line is a whole object,
/// anything else is delimited text.
fn sniff_format(sample: &[u8]) -> InputFormat {
    if sample.starts_with(b"PK\x03\x04") || sample.starts_with(b"\xD0\xCF\x11\xE0") {
        return InputFormat::Xlsx;
    }
    // UTF-16 text (what Windows PowerShell's `>` writes) is sniffed as the
    // UTF-8 it decodes to (found by exploratory testing: JSON Lines on
    // stdin or in a .txt was read as CSV).
    let utf16 = match sample {
        [0xFF, 0xFE, rest @ ..] => Some((encoding_rs::UTF_16LE, rest)),
        [0xFE, 0xFF, rest @ ..] => Some((encoding_rs::UTF_16BE, rest)),
        _ => None,
    };
    if let Some((enc, rest)) = utf16 {
        let (text, _) = enc.decode_without_bom_handling(rest);
        return sniff_format(text.as_bytes());
    }
    let body = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(sample);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    // What follows the opening bracket: JSON has an object (or the end of
    // an empty array) after `[`, a key or the end after `{`; text that only
    // starts with a bracket (`[置顶] 评价内容,…` in a .txt) is delimited text.
    let after = body[start..]
        .iter()
        .skip(1)
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    match body.get(start) {
        Some(b'[') if matches!(after, None | Some(b'{' | b']')) => InputFormat::Json,
        Some(b'{') if matches!(after, None | Some(b'"' | b'}')) => {
            let line_end = body[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|i| start + i);
            // JSON Lines when the first line is a whole object, or looks
            // meant as one (it closes what it opens and ends with `}`: a
            // stray comma, an emoji cut in half): a JSON document's first
            // line leaves something open (`{"data": [{…}`). A bad first
            // record is then a bad row, said.
            match line_end {
                Some(end) => {
                    let first = &body[start..end];
                    let parsed = serde_json::from_slice::<serde_json::Value>(first);
                    if parsed.is_ok()
                        || (first.trim_ascii_end().ends_with(b"}") && closes_what_it_opens(first))
                    {
                        InputFormat::Jsonl
                    } else {
                        InputFormat::Json
                    }
                }
                _ => InputFormat::Json,
            }
        }
        _ => InputFormat::Csv,
    }
}

/// Whether a line of JSON closes every `{` and `[` it opens (outside
/// strings), as one record of JSON Lines does.
fn closes_what_it_opens(line: &[u8]) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0i64, false, false);
    for &b in line {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            _ => {}
        }
    }
    depth == 0 && !in_string
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
        // A first record with a stray comma is a bad row of JSON Lines.
        assert_eq!(sniff_format(b"{\"a\":1,}\n{\"a\":2}\n"), InputFormat::Jsonl);
        assert_eq!(sniff_format(b"{\"a\":1,}\n"), InputFormat::Jsonl);
        assert_eq!(
            sniff_format(b"{\"data\": [\n{\"a\":1}\n]}"),
            InputFormat::Json
        );
        // One line is one record, whatever it holds (a review's 追评 as an
        // array of objects); an API response on stdin is told to say
        // --input-format json (see the import's hint).
        assert_eq!(
            sniff_format(b"{\"id\":1,\"append\":[{\"a\":1}]}\n"),
            InputFormat::Jsonl
        );
        // A document whose first line ends with a record still open around
        // it (found by exploratory testing: read as JSON Lines).
        assert_eq!(
            sniff_format(b"{\"data\": [{\"id\":\"a}1\"}\n{\"id\":\"a2\"}\n]}\n"),
            InputFormat::Json
        );
        assert_eq!(sniff_format("评价ID,内容\n".as_bytes()), InputFormat::Csv);
        // Text that only starts with a bracket.
        assert_eq!(
            sniff_format("[置顶] 评价内容,评分\n".as_bytes()),
            InputFormat::Csv
        );
        assert_eq!(sniff_format("{备注},内容\n".as_bytes()), InputFormat::Csv);
        assert_eq!(sniff_format(b"[\n  {\"a\": 1}\n]"), InputFormat::Json);
        assert_eq!(sniff_format(b"[]"), InputFormat::Json);
        // UTF-16 with its byte-order mark, either order.
        let utf16 = |text: &str, big: bool| -> Vec<u8> {
            let mut out = if big {
                vec![0xFE, 0xFF]
            } else {
                vec![0xFF, 0xFE]
            };
            for unit in text.encode_utf16() {
                out.extend(if big {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                });
            }
            out
        };
        for big in [false, true] {
            let jsonl = utf16("{\"id\":\"a\",\"内容\":\"慢\"}\n{\"id\":\"b\"}\n", big);
            assert_eq!(sniff_format(&jsonl), InputFormat::Jsonl);
            assert_eq!(sniff_format(&utf16("[{\"a\":1}]", big)), InputFormat::Json);
            assert_eq!(sniff_format(&utf16("评价ID,内容\n", big)), InputFormat::Csv);
        }
    }

    #[test]
    fn a_header_with_only_its_first_cell_empty_counts_as_full() {
        let count = |cells: &[&str]| header_search_cells(cells.iter().map(|c| c.as_bytes()));
        assert_eq!(count(&["", "评价内容"]), 2, "pandas' unnamed index column");
        assert_eq!(count(&["", "评价内容", "评分"]), 3);
        assert_eq!(count(&["2026年11月差评明细表", "", ""]), 1, "a title");
        assert_eq!(count(&["", "", "标题"]), 1);
        assert_eq!(count(&["", "评价内容", ""]), 1);
        assert_eq!(count(&[""]), 0);
    }

    #[test]
    fn the_header_is_found_below_titles_and_blank_rows() {
        // Header on line 1: found without reading further.
        assert!(header_search_done(&[5]));
        assert_eq!(header_index(&[5]), Some(0));
        // A title, a blank row, the header, a row: the header is the third.
        assert!(!header_search_done(&[1, 0, 7]));
        assert_eq!(header_index(&[1, 0, 7, 7]), Some(2));
        // Leading blank rows are not titles, and not counted in the window.
        assert_eq!(header_index(&[0, 0, 1, 7, 6]), Some(3));
        // A one-column file keeps its first row.
        let one_column = [1; HEADER_SEARCH_ROWS + 1];
        assert!(header_search_done(&one_column));
        assert_eq!(header_index(&one_column), Some(0));
        // ... even with a stray comma on its third line: the next row has
        // one cell again, so that line is not a header.
        assert_eq!(header_index(&[1, 1, 2, 1, 1]), Some(0));
        // A header too far down is not looked for.
        let mut late = vec![1; HEADER_SEARCH_ROWS];
        late.push(5);
        assert_eq!(header_index(&late), Some(0));
        // A title and a header with no row after it.
        assert_eq!(header_index(&[1, 3]), Some(1));
        assert_eq!(header_index(&[0, 0]), None);
    }

    #[test]
    fn blank_rows_hold_only_white_space() {
        let mut row = Row::default();
        row.set(["", " ", "\u{3000}"]);
        assert!(row.is_blank());
        row.set(["", "x", ""]);
        assert!(!row.is_blank());
        assert_eq!(filled_cells([&b" "[..], b"a", b"\xE3\x80\x80", b"b"]), 2);
    }

    #[test]
    fn csv_line_quotes_what_needs_it() {
        assert_eq!(
            fields_to_csv_line(["a", "b,c", "say \"hi\""]),
            "a,\"b,c\",\"say \"\"hi\"\"\""
        );
    }
}
