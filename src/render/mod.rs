//! Rendering: every report kefu prints is built once as a [`Document`]
//! (facts, and sections of typed tables with an optional chart), and turned
//! into each output format here: a terminal table, CSV, JSON, JSON Lines,
//! Markdown, self-contained HTML, or an Excel workbook. Commands never format
//! output themselves. Where the output lands (stdout, or a file written
//! atomically) is [`output`]'s.
//!
//! Safety rules applied here, for every report: text that a spreadsheet would
//! execute (starting with `=`, `+`, `-`, `@`, tab or carriage return) is
//! neutralised in CSV and xlsx; numbers stay typed numbers.

mod html;
pub mod output;
pub mod stream;
mod xlsx;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{NaiveDate, NaiveDateTime};
use comfy_table::{presets, CellAlignment, ContentArrangement};
use rust_decimal::Decimal;

/// A typed cell: numbers stay numbers in every format.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// Exact decimal (money), shown with its scale.
    Decimal(Decimal),
    /// A ratio shown as a percentage (0.125 → 12.5%).
    Percent(f64),
    /// A measured number shown with the given decimals.
    Float(f64, u8),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    /// A list of short texts (flags): "a; b" in text, an array in JSON.
    List(Vec<String>),
    /// One of a fixed set of marks: its id in machine formats (json, jsonl,
    /// csv: `main`), its label where people read (table, md, html, xlsx:
    /// `main 主要`), as causes are id and label.
    Tag(Tag),
    /// Several marks, as [`Cell::List`] of their ids or labels.
    Tags(Vec<Tag>),
}

/// A mark's id and its label: see [`Cell::Tag`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    pub id: &'static str,
    pub label: &'static str,
}

impl Tag {
    pub const fn new(id: &'static str, label: &'static str) -> Tag {
        Tag { id, label }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Cell {
        Cell::Int(n as i64)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl From<Decimal> for Cell {
    fn from(d: Decimal) -> Cell {
        Cell::Decimal(d)
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Empty, Cell::Text)
    }
}

impl Cell {
    /// The text shown in text formats.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Decimal(d) => d.to_string(),
            Cell::Percent(p) => format!("{}%", half_up(p * 100.0, 1)),
            Cell::Float(f, d) => half_up(*f, u32::from(*d)),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            Cell::List(items) => items.join("; "),
            Cell::Tag(t) => t.label.to_string(),
            Cell::Tags(tags) => tags.iter().map(|t| t.label).collect::<Vec<_>>().join("; "),
        }
    }

    /// The text of a machine format (csv): a mark's id, else as
    /// [`Cell::text`].
    fn machine_text(&self) -> String {
        match self {
            Cell::Tag(t) => t.id.to_string(),
            Cell::Tags(tags) => tags.iter().map(|t| t.id).collect::<Vec<_>>().join("; "),
            other => other.text(),
        }
    }

    fn is_number(&self) -> bool {
        matches!(
            self,
            Cell::Int(_) | Cell::Decimal(_) | Cell::Percent(_) | Cell::Float(..)
        )
    }

    /// The JSON value: numbers as numbers (measured ones to 6 decimals, not
    /// to the decimals shown: a program reading the JSON gets what xlsx
    /// holds, not 0.1 for a 7-day average of 1/7), decimals (money) as
    /// strings with their scale ("120.00"), dates as ISO text, empty as null.
    pub fn json(&self) -> serde_json::Value {
        match self {
            Cell::Empty => serde_json::Value::Null,
            Cell::Text(s) => s.clone().into(),
            Cell::Int(n) => (*n).into(),
            Cell::Decimal(d) => d.to_string().into(),
            Cell::Percent(p) => serde_json::Number::from_f64(round(*p, 6))
                .map_or(serde_json::Value::Null, Into::into),
            Cell::Float(f, d) => serde_json::Number::from_f64(round(*f, i32::from(*d).max(6)))
                .map_or(serde_json::Value::Null, Into::into),
            Cell::Date(_) | Cell::DateTime(_) => self.text().into(),
            Cell::List(items) => items.clone().into(),
            Cell::Tag(t) => t.id.into(),
            Cell::Tags(tags) => tags.iter().map(|t| t.id).collect::<Vec<_>>().into(),
        }
    }

    /// The text for CSV: formula-like text is neutralised with a leading `'`.
    fn csv_text(&self) -> String {
        match self {
            Cell::Text(_) | Cell::List(_) => neutralize(&self.text()),
            other => other.machine_text(),
        }
    }
}

/// `v` to `places` decimals, halves away from zero (四舍五入), as Excel
/// shows the same number in the xlsx: 0.3125 is 31.3%, not 31.2% (Rust's
/// formatting rounds an exact half to even). Read to 12 decimals first, so
/// that 14.499999999999998 (0.145 × 100) is the 14.5 it stands for.
fn half_up(v: f64, places: u32) -> String {
    use rust_decimal::prelude::*;
    match Decimal::from_str(&format!("{v:.12}")) {
        Ok(d) => {
            let r = d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
            let r = if r.is_zero() { Decimal::ZERO } else { r };
            format!("{r:.*}", places as usize)
        }
        Err(_) => format!("{v:.*}", places as usize), // NaN, infinities
    }
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

/// Prefixes text a spreadsheet would execute (`=`, `+`, `-`, `@`, tab, CR)
/// with `'`, so it shows as text.
pub fn neutralize(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// A titled table of typed cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub title: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(columns: &[&str]) -> Table {
        Table {
            title: None,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: vec![],
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }
}

/// How a section appears in JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonShape {
    /// An array of objects, one per row, keyed by column name.
    Rows,
    /// An object: column `key`'s text → column `value`'s value.
    Object { key: usize, value: usize },
}

/// A chart drawn in HTML (inline SVG).
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Horizontal bars: label column, value column.
    Bars { label: usize, value: usize },
    /// Bars with a cumulative-share line (Pareto): label, value, cumulative share.
    Pareto {
        label: usize,
        value: usize,
        cumulative: usize,
    },
    /// Lines over an x column: one line per series column; `marks` is a text
    /// column whose non-empty cells mark a point (high/low periods).
    Lines {
        x: usize,
        series: Vec<usize>,
        marks: Option<usize>,
    },
}

/// One part of a report.
#[derive(Debug, Clone)]
pub struct Section {
    /// Key in JSON, sheet name in xlsx, anchor in HTML.
    pub key: String,
    pub title: String,
    pub table: Table,
    pub json: JsonShape,
    pub chart: Option<Chart>,
    pub note: Option<String>,
}

impl Section {
    pub fn new(key: &str, title: &str, table: Table) -> Section {
        Section {
            key: key.to_string(),
            title: title.to_string(),
            table,
            json: JsonShape::Rows,
            chart: None,
            note: None,
        }
    }

    pub fn object(mut self, key: usize, value: usize) -> Section {
        self.json = JsonShape::Object { key, value };
        self
    }

    pub fn chart(mut self, chart: Chart) -> Section {
        self.chart = Some(chart);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Section {
        self.note = Some(note.into());
        self
    }
}

/// A whole report.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub title: String,
    /// (json key, human label, value), shown first.
    pub facts: Vec<(String, String, Cell)>,
    pub sections: Vec<Section>,
    /// Remarks shown after the facts (e.g. "no negative feedback on this day").
    pub notes: Vec<String>,
    /// When set, the JSON form is this section's rows alone, an array: the
    /// shape `bonus` and `nominations` promise HR's scripts (`jq '.[]'`).
    /// Its facts then show in the other formats only, its notes on stderr.
    pub json_root: Option<String>,
}

impl Document {
    pub fn new(title: impl Into<String>) -> Document {
        Document {
            title: title.into(),
            ..Document::default()
        }
    }

    pub fn fact(&mut self, key: &str, label: &str, value: impl Into<Cell>) {
        self.facts
            .push((key.to_string(), label.to_string(), value.into()));
    }

    /// Keeps only the named section (for `--section`).
    /// Keeps only the section named `key`: its key (`items`, any case), or
    /// its title or a part of it as the table shows it (`明细`, `by cause`).
    pub fn only_section(&mut self, key: &str) -> Result<()> {
        // Each section as `key (title)`, for messages.
        let titles: Vec<String> = self
            .sections
            .iter()
            .map(|s| format!("{} ({})", s.key, s.title))
            .collect();
        let key = key.trim();
        // 明细, items, ITEMS, "按原因 by cause", "by cause", 渠道 (of 按渠道),
        // 帕累托 (of 原因帕累托): the title, a part of it before or after a
        // space, a word of it, or (two Chinese characters or more) a part of
        // its Chinese.
        let named = |s: &Section| {
            let (title, key) = (s.title.to_lowercase(), key.to_lowercase());
            let chinese = key.chars().count() >= 2 && !key.is_ascii();
            title == key
                || title.starts_with(&format!("{key} "))
                || title.ends_with(&format!(" {key}"))
                || title.split_whitespace().any(|w| w == key)
                || (chinese && title.contains(&key))
        };
        let by_key = self
            .sections
            .iter()
            .any(|s| s.key.eq_ignore_ascii_case(key));
        let key = self
            .sections
            .iter()
            .find(|s| s.key.eq_ignore_ascii_case(key))
            .map_or(key.to_string(), |s| s.key.clone());
        let key = key.as_str();
        if !by_key && self.sections.iter().filter(|s| named(s)).count() > 1 {
            bail!(crate::error::Usage(format!(
                "section {key:?} names several sections of this report (sections: {})",
                titles.join(", ")
            )));
        }
        self.sections
            .retain(|s| if by_key { s.key == key } else { named(s) });
        if self.sections.is_empty() {
            bail!(crate::error::Usage(format!(
                "no section {key:?} in this report (sections: {})",
                titles.join(", ")
            )));
        }
        Ok(())
    }
}

/// Every output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    Jsonl,
    Md,
    Html,
    Xlsx,
}

impl Format {
    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Md => "md",
            Format::Html => "html",
            Format::Xlsx => "xlsx",
        }
    }

    /// The output file extensions reports know, with their formats.
    const EXTENSIONS: &[(&str, Format)] = &[
        ("csv", Format::Csv),
        ("json", Format::Json),
        ("jsonl", Format::Jsonl),
        ("ndjson", Format::Jsonl),
        ("md", Format::Md),
        ("markdown", Format::Md),
        ("html", Format::Html),
        ("htm", Format::Html),
        ("xlsx", Format::Xlsx),
    ];

    /// A report's format: `--format`, else `-o FILE`'s extension, else a
    /// table (stdout, also `-o -`). A file whose extension names no format
    /// (`report.txt`, `report`) is a usage error rather than a guess.
    pub fn choose(flag: Option<Format>, output_path: Option<&Path>) -> Result<Format> {
        match (flag, output_path.filter(|p| !output::is_stdout(p))) {
            (Some(f), path) => agrees_with_extension(f, path, Format::EXTENSIONS, Format::name),
            (None, None) => Ok(Format::Table),
            (None, Some(path)) => from_extension(path, Format::EXTENSIONS)
                .ok_or_else(|| unknown_extension(path, "reports write", Format::EXTENSIONS)),
        }
    }
}

/// `flag` (what `--format` chose), unless `path`'s extension names another
/// format: `--format csv -o bonus.xlsx` would write CSV text that Excel then
/// refuses to open, so it is a usage error, not a surprise. Another format
/// is one of `known` (this writer's) or of [`DATA_EXTENSIONS`] (a format
/// this writer does not write: `kefu classify --format csv -o out.xlsx`).
pub(crate) fn agrees_with_extension<F: Copy + PartialEq>(
    flag: F,
    path: Option<&Path>,
    known: &[(&str, F)],
    name: fn(F) -> &'static str,
) -> Result<F> {
    let Some(path) = path else {
        return Ok(flag);
    };
    let says = match from_extension(path, known) {
        Some(f) if f == flag => return Ok(flag),
        Some(f) => name(f),
        None => match from_extension(path, DATA_EXTENSIONS) {
            // A format this command does not write: leaving --format out
            // would not help (found by exploratory testing: the two
            // messages sent the user from one to the other).
            Some(_) => return Err(not_written_here(path, known)),
            None => return Ok(flag),
        },
    };
    Err(anyhow::Error::new(crate::error::Usage(format!(
        "--format {} does not match the output file's name {} (a .{} name says {says}): name the file for the format, or leave --format out to write what the name says",
        name(flag),
        crate::ingest::path_text(path),
        path.extension().map_or(String::new(), |e| e.to_string_lossy().into_owned()),
    ))))
}

/// The extensions of data files any program reads by their name, with the
/// format each says.
const DATA_EXTENSIONS: &[(&str, &str)] = &[
    ("csv", "csv"),
    ("tsv", "tsv"),
    ("json", "json"),
    ("jsonl", "jsonl"),
    ("ndjson", "jsonl"),
    ("md", "md"),
    ("markdown", "md"),
    ("html", "html"),
    ("htm", "html"),
    ("xlsx", "xlsx"),
    ("xlsm", "an Excel workbook"),
    ("xls", "an Excel workbook"),
    ("xlsb", "an Excel workbook"),
    ("ods", "a spreadsheet"),
];

/// The format `path`'s extension (any case) has in `known`.
pub(crate) fn from_extension<F: Copy>(path: &Path, known: &[(&str, F)]) -> Option<F> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    known.iter().find(|(e, _)| *e == ext).map(|(_, f)| *f)
}

/// The usage error for an output file whose extension is not among
/// `known`, listing them; `writer` says who writes them ("reports write").
pub(crate) fn unknown_extension<F>(
    path: &Path,
    writer: &str,
    known: &[(&str, F)],
) -> anyhow::Error {
    if from_extension(path, DATA_EXTENSIONS).is_some() {
        return not_written_here(path, known);
    }
    let names: Vec<String> = known.iter().map(|(e, _)| format!(".{e}")).collect();
    let list = one_of(&names);
    anyhow::Error::new(crate::error::Usage(format!(
        "cannot tell the output format from the name {} ({writer} {list}); pass --format, or name the file with one of these extensions",
        crate::ingest::path_text(path)
    )))
}

/// The usage error for an output file named for a data format this
/// command does not write (`kefu classify -o out.xlsx`).
fn not_written_here<F>(path: &Path, known: &[(&str, F)]) -> anyhow::Error {
    let names: Vec<String> = known.iter().map(|(e, _)| format!(".{e}")).collect();
    let ext = path
        .extension()
        .map_or(String::new(), |e| e.to_string_lossy().to_lowercase());
    let spreadsheet = ["xlsx", "xlsm", "xls", "xlsb", "ods"].contains(&ext.as_str());
    let excel = match spreadsheet {
        // Reports write workbooks, as .xlsx (found by exploratory testing:
        // `report -o out.xls` was told to write a CSV).
        true if names.iter().any(|n| n == ".xlsx") => "; for Excel, name it .xlsx",
        true => "; for Excel, write a .csv with --excel (UTF-8 with the mark Excel needs)",
        false => "",
    };
    anyhow::Error::new(crate::error::Usage(format!(
        "this command does not write .{ext} files ({}): it writes {}{excel}",
        crate::ingest::path_text(path),
        one_of(&names)
    )))
}

/// Options of text output for spreadsheet users.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    /// UTF-8 with a byte-order mark (what Chinese Excel needs to show UTF-8).
    pub bom: bool,
    /// The encoding CSV is written in.
    pub encoding: CsvEncoding,
}

/// What `--encoding` asks CSV to be written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CsvEncoding {
    #[default]
    Utf8,
    /// GBK: a character it has no code for (an emoji) is written `?`.
    Gbk,
    /// GB18030, GBK's superset, which has a code for every character.
    Gb18030,
}

impl CsvOptions {
    /// The options `--excel` and `--encoding utf-8|gbk` ask for (an
    /// unknown encoding is a usage error).
    pub fn from_args(excel: bool, encoding: Option<&str>) -> Result<CsvOptions> {
        // Spelt as input's --encoding may be (UTF_8, cp936: Windows's name for GBK).
        let name = encoding.map(|e| e.trim().to_ascii_lowercase().replace(['-', '_'], ""));
        let encoding = match name.as_deref() {
            None | Some("utf8") => CsvEncoding::Utf8,
            Some("gbk" | "gb2312" | "cp936") => CsvEncoding::Gbk,
            Some("gb18030") => CsvEncoding::Gb18030,
            Some(_) => bail!(crate::error::Usage(format!(
                "unknown --encoding {:?} (expected utf-8, gbk or gb18030; Big5 and UTF-16 are read, not written)",
                encoding.unwrap_or_default()
            ))),
        };
        Ok(CsvOptions {
            bom: excel,
            encoding,
        })
    }

    /// The options for output in `format`: `--excel` and `--encoding gbk`
    /// only mean something for CSV, and asked for with another format they
    /// are a usage error rather than quietly dropped (found by exploratory
    /// testing: `--format json --encoding gbk` wrote UTF-8).
    pub fn for_format(excel: bool, encoding: Option<&str>, format: Format) -> Result<CsvOptions> {
        let options = CsvOptions::from_args(excel, encoding)?;
        let chinese = options.encoding != CsvEncoding::Utf8;
        if format != Format::Csv && (options.bom || chinese) {
            let flag = if chinese { "--encoding" } else { "--excel" };
            bail!(crate::error::Usage(format!(
                "{flag} is for CSV output; {} is always written as UTF-8{}",
                format.name(),
                if format == Format::Xlsx {
                    " (an .xlsx opens in Excel as it is)"
                } else {
                    ""
                }
            )));
        }
        Ok(options)
    }
}

/// `text` in GBK, each character GBK has no code for written as `?`
/// (encoding_rs would write an HTML character reference, `&#128580;`, which
/// is not what a spreadsheet shows); with how many there were.
fn to_gbk(text: &str) -> (Vec<u8>, usize) {
    let mut encoder = encoding_rs::GBK.new_encoder();
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    let mut lost = 0;
    loop {
        let room = encoder
            .max_buffer_length_from_utf8_without_replacement(rest.len())
            .unwrap_or(rest.len() * 2 + 16);
        let start = out.len();
        out.resize(start + room, 0);
        let (result, read, written) =
            encoder.encode_from_utf8_without_replacement(rest, &mut out[start..], true);
        out.truncate(start + written);
        rest = &rest[read..];
        match result {
            encoding_rs::EncoderResult::Unmappable(_) => {
                out.push(b'?');
                lost += 1;
            }
            encoding_rs::EncoderResult::InputEmpty => return (out, lost),
            encoding_rs::EncoderResult::OutputFull => {}
        }
    }
}

/// Renders a document to bytes in `format`.
pub fn render(doc: &Document, format: Format, csv: CsvOptions) -> Result<Vec<u8>> {
    Ok(match format {
        Format::Table => terminal(doc).into_bytes(),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&json(doc))?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Jsonl => jsonl(doc)?.into_bytes(),
        Format::Md => markdown(doc).into_bytes(),
        Format::Html => html::page(doc).into_bytes(),
        Format::Xlsx => xlsx::workbook(doc)?,
        Format::Csv => {
            let text = csv_text(doc)?;
            match csv.encoding {
                CsvEncoding::Gb18030 => encoding_rs::GB18030.encode(&text).0.into_owned(),
                CsvEncoding::Gbk => {
                    let (bytes, lost) = to_gbk(&text);
                    if lost > 0 {
                        crate::say!(
                            "kefu: warning: {lost} character(s) GBK has no code for (emoji and the like) written as '?'; leave out --encoding gbk for UTF-8, or write --encoding gb18030: both hold every character"
                        );
                    }
                    bytes
                }
                // With a byte-order mark for Excel (--excel), or without.
                CsvEncoding::Utf8 if csv.bom => {
                    [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()
                }
                CsvEncoding::Utf8 => text.into_bytes(),
            }
        }
    })
}

/// Whether `format` shows a document's notes: a JSON array (`json_root`),
/// and CSV and JSON Lines of one section, have no place for them.
pub fn shows_notes(doc: &Document, format: Format) -> bool {
    match format {
        Format::Csv | Format::Jsonl => doc.sections.len() > 1,
        Format::Json => json_root(doc).is_none(),
        Format::Table | Format::Md | Format::Html | Format::Xlsx => true,
    }
}

/// The section whose rows alone are the JSON form, if the document names
/// one and still holds it.
fn json_root(doc: &Document) -> Option<&Section> {
    let root = doc.json_root.as_ref()?;
    doc.sections.iter().find(|s| &s.key == root)
}

/// Prints a document's notes on stderr (unless `quiet`) when `format` has
/// no place for them (see [`shows_notes`]).
pub fn notes_to_stderr(doc: &Document, format: Format, quiet: bool, mask: bool) {
    if !quiet && !shows_notes(doc, format) {
        for n in &doc.notes {
            if mask {
                crate::say!("kefu: note: {n}");
            } else {
                // As the document shows them under --no-mask (found by
                // exploratory testing: a CSV user could not see the record
                // a note named, which the table showed).
                crate::say_unmasked(&format!("kefu: note: {n}"));
            }
        }
    }
}

/// "a, b or c".
pub(crate) fn one_of(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Writes a rendered document to `-o FILE` or stdout (see [`output`]: a
/// file is replaced atomically, a FIFO or device written directly).
pub fn emit(
    doc: &Document,
    format: Format,
    csv: CsvOptions,
    output_path: Option<&Path>,
) -> Result<()> {
    let bytes = render(doc, format, csv)?;
    let mut out = output::Output::open(output_path)?;
    if matches!(out, output::Output::Stdout(_))
        && format == Format::Xlsx
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
    {
        bail!("xlsx is binary: write it to a file with -o report.xlsx");
    }
    out.write_all(&bytes)
        .with_context(|| format!("cannot write {}", out.name()))?;
    out.finish()
}

/// Writes several documents, each to its file, as one set: every file is
/// rendered and written beside its target first, and only then are they
/// all renamed into place, so that a run killed mid-way leaves the old set
/// whole rather than half old and half new (found by exploratory testing:
/// a killed `bonus --statements` left statements at two rates).
/// (At most 256 files are held open at once: past that, the set is
/// renamed into place 256 at a time.)
pub fn emit_all(docs: &[(Document, PathBuf)], format: Format, csv: CsvOptions) -> Result<()> {
    let rendered = docs
        .iter()
        .map(|(doc, path)| Ok((render(doc, format, csv)?, path)))
        .collect::<Result<Vec<_>>>()?;
    for chunk in rendered.chunks(256) {
        let mut written = Vec::with_capacity(chunk.len());
        for (bytes, path) in chunk {
            let mut out = output::Output::open(Some(path))?;
            out.write_all(bytes)
                .with_context(|| format!("cannot write {}", out.name()))?;
            written.push(out);
        }
        for out in written {
            out.finish()?;
        }
    }
    Ok(())
}

/// Tables longer than this are not wrapped to the terminal.
const MAX_WRAPPED_ROWS: usize = 2_000;

fn comfy(table: &Table) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    // A very long table is laid out unwrapped (still aligned, CJK counted
    // double): wrapping costs more than the rest of a report.
    let arrangement = if table.rows.len() > MAX_WRAPPED_ROWS {
        ContentArrangement::Disabled
    } else {
        ContentArrangement::Dynamic
    };
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(arrangement)
        .set_header(table.columns.iter());
    if let Some((w, _)) = terminal_size() {
        t.set_width(w);
    }
    for row in &table.rows {
        t.add_row(row.iter().map(|c| {
            let cell = comfy_table::Cell::new(cut_for_table(c.text()));
            if c.is_number() {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    t
}

/// The widths a table needs so that no short value (an id, a day, a time, a
/// number, a masked phone) is broken across lines, and text of several words
/// (a review's excerpt) keeps at least [`MIN_TEXT_WIDTH`] columns: per
/// column, `Some(width)` for a column of short values, `None` for text.
fn whole_widths(table: &Table) -> Vec<(Option<usize>, usize)> {
    use unicode_width::UnicodeWidthStr;
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let mut widest = header
                .split_whitespace()
                .map(UnicodeWidthStr::width)
                .max()
                .unwrap_or(0);
            let mut short = true;
            for row in &table.rows {
                let Some(cell) = row.get(i) else { continue };
                let text = printable(&cut_for_table(cell.text())).into_owned();
                let width = text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0);
                widest = widest.max(width);
                short &= width <= SHORT_VALUE
                    && (matches!(cell, Cell::DateTime(_)) || !text.contains(char::is_whitespace));
            }
            (short.then_some(widest), widest)
        })
        .collect()
}

/// The widest value without a space a table keeps whole (an id, a time, a
/// masked phone).
const SHORT_VALUE: usize = 24;

/// The fewest columns a wrapping text column keeps in a table.
const MIN_TEXT_WIDTH: usize = 16;

/// The table for a terminal. Columns of short values are never broken
/// across lines: comfy-table would share a narrow terminal out evenly,
/// writing 2026-11-19 00:05:00 as "2026-11 / -19 00: / 05:00" and a phone as
/// "138*** / *0001" (found by exploratory testing); text wraps in what is
/// left. When even that does not fit the terminal, each row is written as a
/// block of `column │ value` lines instead (as psql's expanded display).
fn table_text(table: &Table) -> String {
    use comfy_table::{ColumnConstraint, Width};
    let mut t = comfy(table);
    let widths = whole_widths(table);
    if let Some(terminal) = t.width() {
        // Each column has a space either side and a border after it.
        let needed: usize = 1 + widths
            .iter()
            .map(|(short, widest)| short.unwrap_or((*widest).min(MIN_TEXT_WIDTH)) + 3)
            .sum::<usize>();
        if needed > usize::from(terminal) {
            return expanded(table, Some(usize::from(terminal)));
        }
    }
    // Wrapping to the terminal width costs more than the rest of a report on
    // a very long table that fits (a 10M-row store's daily items): laid out
    // unwrapped.
    if table.rows.len() > MAX_WRAPPED_ROWS {
        return t.to_string();
    }
    for (i, (short, _)) in widths.iter().enumerate() {
        if let (Some(width), Some(column)) = (short, t.column_mut(i)) {
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                u16::try_from(width + 2).unwrap_or(u16::MAX),
            )));
        }
    }
    t.to_string()
}

/// Rows as blocks of `column │ value` lines, for a table too wide for the
/// terminal (`width` columns, when known): values wrap within it.
fn expanded(table: &Table, width: Option<usize>) -> String {
    use unicode_width::UnicodeWidthStr;
    let label = table.columns.iter().map(|c| c.width()).max().unwrap_or(0);
    // What is left of a line for a value: at least 10 columns.
    let room = width.map(|w| w.saturating_sub(label + 3).max(10));
    let rule = width.unwrap_or(label + 12).min(label + 40);
    let mut out = String::new();
    for (n, row) in table.rows.iter().enumerate() {
        let head = format!("─[ {} ]", n + 1);
        out.push_str(&head);
        out.push_str(&"─".repeat(rule.saturating_sub(head.width()).max(2)));
        out.push('\n');
        for (column, cell) in table.columns.iter().zip(row) {
            let value = printable(&cut_for_table(cell.text())).into_owned();
            // A short value (an id, a time, a phone) stays whole, past a very
            // narrow terminal's edge if need be.
            let short = value.width() <= SHORT_VALUE
                && (cell.is_number()
                    || matches!(cell, Cell::Date(_) | Cell::DateTime(_))
                    || (value.is_ascii() && !value.contains(char::is_whitespace)));
            let mut first = true;
            for line in value.split('\n') {
                for piece in wrap_to(line, room.filter(|_| !short)) {
                    let name = if first {
                        printable(column).into_owned()
                    } else {
                        String::new()
                    };
                    let pad = " ".repeat(label.saturating_sub(name.width()));
                    out.push_str(format!("{name}{pad} │ {piece}").trim_end());
                    out.push('\n');
                    first = false;
                }
            }
        }
    }
    out.pop();
    out
}

/// `line` in pieces of at most `room` columns (CJK characters counted
/// double), cut between characters; whole when `room` is unknown.
fn wrap_to(line: &str, room: Option<usize>) -> Vec<&str> {
    use unicode_width::UnicodeWidthChar;
    let Some(room) = room else {
        return vec![line];
    };
    let mut pieces = vec![];
    let (mut start, mut used) = (0, 0);
    for (at, c) in line.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > room && at > start {
            pieces.push(&line[start..at]);
            (start, used) = (at, 0);
        }
        used += w;
    }
    pieces.push(&line[start..]);
    pieces
}

/// The most characters a table cell shows: laying out a cell costs time in
/// the square of its width (found by exploratory testing: a 1,000,000-
/// character agent name from a shifted column ran for ten minutes). Other
/// formats carry every value whole.
const MAX_TABLE_CELL_CHARS: usize = 120;

/// `text` for a terminal: control characters other than a line break are
/// written `<U+001B>` (a tab as a space), so that an escape sequence in an
/// export (a review text, an agent's name) cannot clear the screen, set the
/// window's title or write the clipboard (found by exploratory testing).
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() => out.push_str(&format!("<U+{:04X}>", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` cut to [`MAX_TABLE_CELL_CHARS`] characters, `…` marking the cut,
/// and [`printable`].
fn cut_for_table(text: String) -> String {
    let mut text = match printable(&text) {
        std::borrow::Cow::Owned(shown) => shown,
        std::borrow::Cow::Borrowed(_) => text,
    };
    if let Some((at, _)) = text.char_indices().nth(MAX_TABLE_CELL_CHARS) {
        let keep = text[..at]
            .char_indices()
            .nth(MAX_TABLE_CELL_CHARS - 1)
            .map_or(at, |(i, _)| i);
        text.truncate(keep);
        text.push('…');
    }
    text
}

/// The terminal's width from `COLUMNS` when stdout is not a terminal
/// (comfy-table asks the terminal itself when it is one).
fn terminal_size() -> Option<(u16, u16)> {
    std::env::var("COLUMNS").ok()?.parse().ok().map(|w| (w, 0))
}

/// Renders a table for a terminal: box-drawn, numbers right-aligned, CJK
/// characters counted as double width, wrapped to the terminal's width.
pub fn terminal_table(table: &Table) -> String {
    let mut out = String::new();
    if let Some(title) = &table.title {
        out.push_str(&printable(title));
        out.push('\n');
    }
    out.push_str(&table_text(table));
    out.push('\n');
    out
}

fn terminal(doc: &Document) -> String {
    let mut out = format!("{}\n", printable(&doc.title));
    for (_, label, value) in &doc.facts {
        out.push_str(&format!("  {label}: {}\n", printable(&value.text())));
    }
    for n in &doc.notes {
        out.push_str(&format!("  {}\n", printable(n)));
    }
    for s in &doc.sections {
        out.push('\n');
        out.push_str(&printable(&s.title));
        out.push('\n');
        if s.table.rows.is_empty() {
            out.push_str("  (none)\n");
        } else {
            out.push_str(&table_text(&s.table));
            out.push('\n');
        }
        if let Some(n) = &s.note {
            out.push_str(&format!("  {}\n", printable(n)));
        }
    }
    out
}

fn section_json(s: &Section) -> serde_json::Value {
    match s.json {
        JsonShape::Object { key, value } => {
            let map: serde_json::Map<String, serde_json::Value> = s
                .table
                .rows
                .iter()
                .map(|r| (r[key].text(), r[value].json()))
                .collect();
            map.into()
        }
        JsonShape::Rows => s
            .table
            .rows
            .iter()
            .map(|r| {
                let obj: serde_json::Map<String, serde_json::Value> = s
                    .table
                    .columns
                    .iter()
                    .cloned()
                    .zip(r.iter().map(Cell::json))
                    .collect();
                serde_json::Value::Object(obj)
            })
            .collect(),
    }
}

/// The JSON form: facts as top-level keys, then `notes`, then one key per
/// section (or, with `json_root`, that section's rows as an array).
pub fn json(doc: &Document) -> serde_json::Value {
    if let Some(root) = json_root(doc) {
        return section_json(root);
    }
    let mut obj = serde_json::Map::new();
    for (key, _, value) in &doc.facts {
        obj.insert(key.clone(), value.json());
    }
    if !doc.notes.is_empty() {
        obj.insert("notes".into(), doc.notes.clone().into());
    }
    for s in &doc.sections {
        obj.insert(s.key.clone(), section_json(s));
    }
    obj.into()
}

/// JSON Lines: one object per row of every section, with its section key.
fn jsonl(doc: &Document) -> Result<String> {
    let mut out = String::new();
    // Several sections: the facts and notes first, as a `summary` line.
    if doc.sections.len() > 1 && (!doc.facts.is_empty() || !doc.notes.is_empty()) {
        let mut obj = serde_json::Map::new();
        obj.insert("section".into(), "summary".into());
        for (key, _, value) in &doc.facts {
            obj.insert(key.clone(), value.json());
        }
        if !doc.notes.is_empty() {
            obj.insert("notes".into(), doc.notes.clone().into());
        }
        out.push_str(&serde_json::to_string(&obj)?);
        out.push('\n');
    }
    for s in &doc.sections {
        for r in &s.table.rows {
            let mut obj = serde_json::Map::new();
            obj.insert("section".into(), s.key.clone().into());
            for (c, v) in s.table.columns.iter().zip(r) {
                obj.insert(c.clone(), v.json());
            }
            out.push_str(&serde_json::to_string(&obj)?);
            out.push('\n');
        }
    }
    Ok(out)
}

/// CSV: each section as a block (a title row, the header, the rows), blocks
/// separated by an empty line; with one section (`--section`), plain CSV.
fn csv_text(doc: &Document) -> Result<String> {
    // Several blocks: the facts and notes first (date, totals, rates, "no
    // negative feedback"), as a block of their own; blocks apart by a blank
    // line (a record of one empty field would be written `""`).
    let single = doc.sections.len() == 1;
    let mut blocks: Vec<Vec<u8>> = vec![];
    let writer = || {
        csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new())
    };
    let finish = |w: csv::Writer<Vec<u8>>| -> Result<Vec<u8>> {
        w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
    };
    if !single && (!doc.facts.is_empty() || !doc.notes.is_empty()) {
        let mut w = writer();
        w.write_record(["概要 summary"])?;
        w.write_record(["key", "label", "value"])?;
        for (key, label, value) in &doc.facts {
            w.write_record([key.as_str(), label.as_str(), &value.csv_text()])?;
        }
        for n in &doc.notes {
            w.write_record(["note", "备注 note", &neutralize(n)])?;
        }
        blocks.push(finish(w)?);
    }
    for s in &doc.sections {
        let mut w = writer();
        if !single {
            w.write_record([neutralize(&s.title)])?;
        }
        w.write_record(s.table.columns.iter().map(|c| neutralize(c)))?;
        for r in &s.table.rows {
            w.write_record(r.iter().map(Cell::csv_text))?;
        }
        blocks.push(finish(w)?);
    }
    let text = String::from_utf8(blocks.join(&b"\n"[..]))?;
    // A NUL (from a JSON export's `\u0000`) makes CSV readers take the file
    // for binary: U+FFFD in its place, said (found by exploratory testing).
    if text.contains('\0') {
        crate::say!(
            "kefu: warning: the report holds NUL characters (\\u0000, from the data), which CSV readers take for a binary file: written as U+FFFD (�)"
        );
        return Ok(text.replace('\0', "\u{fffd}"));
    }
    Ok(text)
}

/// Text as Markdown shows it literally: customer text is data, so its
/// `<img …>` or `&nbsp;` must not become markup in a wiki or a preview, nor
/// its `*`, `_` (but inside a word), `~~`, backquotes or brackets emphasis,
/// strikethrough, code or links (a masked phone's `****` stays stars); `|`
/// would end the cell
/// and a line break the row (`<br>`, which Markdown tables take).
fn md_escape(s: &str) -> String {
    let s = printable(s);
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // `_` inside a word (agent_id) never marks emphasis.
        let inside_word = || {
            i > 0
                && chars[i - 1].is_alphanumeric()
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
        };
        match c {
            '_' if inside_word() => out.push(c),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

fn markdown(doc: &Document) -> String {
    let mut out = format!("# {}\n\n", md_escape(&doc.title));
    for (_, label, value) in &doc.facts {
        out.push_str(&format!("- **{label}**: {}\n", md_escape(&value.text())));
    }
    for n in &doc.notes {
        out.push_str(&format!("\n> {}\n", md_escape(n)));
    }
    for s in &doc.sections {
        out.push_str(&format!("\n## {}\n\n", md_escape(&s.title)));
        if s.table.rows.is_empty() {
            out.push_str("(none)\n");
            continue;
        }
        out.push_str(&format!(
            "| {} |\n",
            s.table
                .columns
                .iter()
                .map(|c| md_escape(c))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        let aligns: Vec<&str> = (0..s.table.columns.len())
            .map(|i| {
                if s.table
                    .rows
                    .first()
                    .is_some_and(|r| r.get(i).is_some_and(Cell::is_number))
                {
                    "---:"
                } else {
                    "---"
                }
            })
            .collect();
        out.push_str(&format!("| {} |\n", aligns.join(" | ")));
        for r in &s.table.rows {
            out.push_str(&format!(
                "| {} |\n",
                r.iter()
                    .map(|c| md_escape(&c.text()))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
        if let Some(n) = &s.note {
            out.push_str(&format!("\n{}\n", md_escape(n)));
        }
    }
    out
}

/// Writes text to a writer, for output that may go to a closed pipe.
/// Writes `text` to stdout, once [`output::check_stdout`] finds it can
/// take it.
pub fn write_stdout(text: &str) -> Result<()> {
    output::check_stdout()?;
    write_all(&mut std::io::stdout().lock(), text).context("cannot write stdout")
}

pub fn write_all(out: &mut dyn Write, text: &str) -> Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_cell_is_cut_in_tables_only() {
        assert_eq!(cut_for_table("张".repeat(120)), "张".repeat(120));
        let cut = cut_for_table("张".repeat(1_000_000));
        assert_eq!(cut.chars().count(), 120);
        assert!(cut.ends_with("张…"));
        let mut t = Table::new(&["agent"]);
        t.push(vec!["张".repeat(5_000).into()]);
        let shown = terminal_table(&t);
        assert!(shown.contains('…') && shown.chars().filter(|&c| c == '张').count() == 119);
        let mut d = Document::new("t");
        d.sections.push(Section::new("agents", "agents", t));
        let csv = render(&d, Format::Csv, CsvOptions::default()).unwrap();
        assert!(String::from_utf8(csv)
            .unwrap()
            .contains(&"张".repeat(5_000)));
    }

    #[test]
    fn percentages_round_halves_up_as_excel_shows_them() {
        // Found by exploratory testing: 5/16 was 31.2% in the table and
        // 31.3% in the xlsx of the same report.
        for (p, shown) in [
            (5.0 / 16.0, "31.3%"),
            (1.0 / 16.0, "6.3%"),
            (0.145, "14.5%"),
            (2.0 / 3.0, "66.7%"),
            (-5.0 / 16.0, "-31.3%"),
            (-0.0001, "0.0%"),
            (0.0, "0.0%"),
            (1.0, "100.0%"),
        ] {
            assert_eq!(Cell::Percent(p).text(), shown, "{p}");
        }
        assert_eq!(Cell::Float(2.25, 1).text(), "2.3");
        assert_eq!(Cell::Float(1.0 / 7.0, 2).text(), "0.14");
        assert_eq!(Cell::Float(f64::NAN, 1).text(), "NaN");
    }

    fn doc() -> Document {
        let mut d = Document::new("测试报表");
        d.fact(
            "date",
            "日期",
            Cell::Date(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
        );
        d.fact("total", "合计", 3i64);
        let mut t = Table::new(&["cause", "count", "share"]);
        t.push(vec![
            "attitude".into(),
            2i64.into(),
            Cell::Percent(2.0 / 3.0),
        ]);
        t.push(vec![
            "=cmd|' /C calc'!A0".into(),
            (-5i64).into(),
            Cell::Percent(1.0 / 3.0),
        ]);
        d.sections
            .push(Section::new("by_cause", "按原因", t).object(0, 1));
        d
    }

    #[test]
    fn json_shape_from_sections() {
        let v = json(&doc());
        assert_eq!(v["date"], "2026-11-20");
        assert_eq!(v["total"], 3);
        assert_eq!(v["by_cause"]["attitude"], 2);
    }

    #[test]
    fn csv_neutralises_formulas_but_keeps_numbers() {
        let text =
            String::from_utf8(render(&doc(), Format::Csv, CsvOptions::default()).unwrap()).unwrap();
        assert!(text.contains("'=cmd"), "{text}");
        assert!(
            text.contains(",-5,"),
            "a negative number stays a number: {text}"
        );
        let bom = render(
            &doc(),
            Format::Csv,
            CsvOptions {
                bom: true,
                ..CsvOptions::default()
            },
        )
        .unwrap();
        assert!(bom.starts_with(b"\xEF\xBB\xBF"));
        let gbk = render(
            &doc(),
            Format::Csv,
            CsvOptions::from_args(false, Some("GBK")).unwrap(),
        )
        .unwrap();
        assert_eq!(encoding_rs::GBK.decode(&gbk).0, text);
        // GB18030 holds every character: emoji survive the round trip.
        let mut d = Document::new("t");
        let mut t = Table::new(&["text"]);
        t.push(vec!["没用🙄".into()]);
        d.sections.push(Section::new("items", "明细", t));
        let gb18030 = render(
            &d,
            Format::Csv,
            CsvOptions::from_args(false, Some("gb18030")).unwrap(),
        )
        .unwrap();
        let utf8 =
            String::from_utf8(render(&d, Format::Csv, CsvOptions::default()).unwrap()).unwrap();
        assert!(utf8.contains("没用🙄"), "{utf8}");
        assert_eq!(encoding_rs::GB18030.decode(&gb18030).0, utf8);
        // What GBK cannot hold becomes '?', counted, not an HTML reference.
        assert_eq!(
            to_gbk("没用🙄了😡"),
            (encoding_rs::GBK.encode("没用?了?").0.into_owned(), 2)
        );
    }

    #[test]
    fn notes_shown_where_the_format_has_a_place_for_them() {
        let mut d = doc();
        d.notes.push("provisional".into());
        for f in [Format::Table, Format::Md, Format::Html, Format::Json] {
            assert!(shows_notes(&d, f), "{f:?}");
        }
        assert_eq!(d.sections.len(), 1);
        assert!(!shows_notes(&d, Format::Csv) && !shows_notes(&d, Format::Jsonl));
        let json = String::from_utf8(render(&d, Format::Json, CsvOptions::default()).unwrap());
        assert!(json.unwrap().contains("provisional"));
        // The root section's rows alone have no place for them (nor for
        // the facts).
        d.json_root = Some(d.sections[0].key.clone());
        assert!(!shows_notes(&d, Format::Json));
        let json = String::from_utf8(render(&d, Format::Json, CsvOptions::default()).unwrap());
        let json = json.unwrap();
        assert!(
            !json.contains("provisional") && json.trim_start().starts_with("{\n  \"attitude\""),
            "{json}"
        );
        // Once --section has removed the root, the object form again.
        d.sections.clear();
        assert!(shows_notes(&d, Format::Json));
    }

    #[test]
    fn decimals_are_strings_in_json() {
        assert_eq!(Cell::Decimal(Decimal::new(12000, 2)).json(), "120.00");
    }
}
