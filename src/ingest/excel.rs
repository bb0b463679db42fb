//! Excel workbooks (.xlsx, .xlsm, .xls, .ods) through calamine: the first
//! sheet or a named one (or, when the first lacks the columns, the one other
//! sheet that has them: see [`Input::find_columns`](super::Input::find_columns));
//! the header is the first row, or the first below a title and blank rows
//! (see [`header_index`](super::header_index)), or, when a command asks, a
//! row below metadata or group names (see [`RowSource::move_header`]); a
//! header cell merged down from the row of group names above it (`订单号`
//! over A1:A2, beside `评价信息` over B1:D1) is named by that cell.
//!
//! Cells become text the rest of kefu parses like any export: date cells as
//! `YYYY-MM-DD HH:MM:SS` (local time, as Excel has no timezone), whole numbers
//! without `.0` (so phone numbers and ids survive), errors as `#N/A` etc. A
//! merged range below the header gives its value to every cell of it, as
//! Excel shows it (.xlsx, .xlsm and .xls; calamine reads no merged ranges
//! from .xlsb or .ods, whose merged cells stay empty but the first).
//!
//! Every row read has one field per column of the sheet that holds a cell
//! somewhere, header or not, left to right (see [`Columns`]): a column
//! empty from top to bottom is left out, so that a stray value typed far to
//! the right adds one column, not the thousands between.
//!
//! An .xlsx or .xlsm sheet is streamed, in memory that does not grow with
//! its rows: one pass over its cells finds where they lie and keeps its
//! first rows for the header search; once reading
//! begins, a thread reads the sheet again and sends its rows below the
//! header through a bounded channel ([`stream_rows`]). The workbook's bytes
//! and its table of shared strings stay in memory. Sheets calamine cannot
//! stream (.xls, .xlsb, .ods), and an .xlsx sheet whose cells are not in
//! row order, are read whole.

use std::collections::VecDeque;
use std::io::Cursor;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use anyhow::{anyhow, bail, Context, Result};
use calamine::{
    open_workbook_auto_from_rs, Data, DataRef, DataType, Dimensions, Range, Reader, Sheets, Xlsx,
    XlsxError,
};

use super::TextEncoding;
use super::{
    filled_cells, header_index, header_search_cells, header_search_done, HeaderMove, ReadOutcome,
    Row, RowSource, HEADER_CANDIDATE_ROWS,
};

/// The workbook as calamine opens it from memory.
type Workbook = Sheets<Cursor<Vec<u8>>>;

/// An .xlsx or .xlsm workbook, whose sheets can be streamed.
type XlsxBook = Xlsx<Cursor<Vec<u8>>>;

/// Rows a streamed sheet's thread may have read ahead of the reader: with
/// a dozen short cells each, well under a megabyte.
const ROWS_AHEAD: usize = 1024;

/// A row below the header that is not blank: its sheet row (0-based) and
/// its cells, or why the sheet could not be read on.
type SentRow = Result<(u32, Vec<String>), String>;

/// Rows of one sheet of a workbook.
pub struct ExcelSource {
    /// The file's name, for errors found while reading.
    file: String,
    /// The sheet being read.
    sheet: Sheet,
    /// Every sheet of the workbook, in order.
    all_sheets: Vec<String>,
    /// The sheets hidden in Excel (not shown to the user).
    hidden: Vec<String>,
    /// The workbook's sheets but the one being read, in order.
    other_sheets: Vec<String>,
    /// Whether [`RowSource::switch_sheet`] may choose another sheet: none
    /// was named and there are others.
    may_switch: bool,
    /// Whether .xlsx sheets are streamed.
    reading: Reading,
    /// The workbook, until the first row is read: for
    /// [`RowSource::switch_sheet`], and to stream the sheet chosen.
    book: Option<Workbook>,
    /// The rows below the header, once reading has begun.
    rows: Option<DataRows>,
    /// The sheet row (0-based) of the last row read, or the header's.
    last_row: u32,
    /// Rows whose every cell is empty, skipped and counted once a row
    /// follows them (blank rows at the very end are not the export's).
    blank_rows: u64,
}

/// One sheet, its header found: where its cells are, its first rows and
/// its header.
struct Sheet {
    name: String,
    /// The last row (0-based) holding a cell.
    last_row: u32,
    /// The columns read.
    columns: Columns,
    /// The first [`HEADER_CANDIDATE_ROWS`] rows that are not blank: all
    /// that the header search looks at.
    top: Vec<TopRow>,
    headers: Vec<String>,
    /// Sheet row (0-based) of the header.
    header_row: u32,
    /// The sheet's merged ranges, until reading begins (see
    /// [`fill_merged`] and [`MergedFill`]).
    merged: Vec<Dimensions>,
    cells: Cells,
}

/// A row near the top of a sheet that is not blank.
struct TopRow {
    /// Sheet row, 0-based.
    row: u32,
    /// One per column read.
    cells: Vec<String>,
    /// How many of them hold something.
    filled: usize,
}

/// Where a sheet's rows below the header come from.
enum Cells {
    /// The workbook, read again from the top by [`stream_rows`].
    Streamed,
    /// The whole sheet, read at once.
    Whole(Range<Data>),
}

/// The rows below the header, once reading has begun.
enum DataRows {
    /// From the thread reading the sheet; `reader` is joined once it is done.
    Streamed {
        rows: Receiver<SentRow>,
        reader: Option<JoinHandle<()>>,
    },
    /// From the whole sheet: the next sheet row to look at.
    Whole { next: u32 },
}

/// A cell as text, the way kefu reads every export, and as close to what
/// Excel shows (and writes to a CSV) as the cell says: a number to Excel's
/// 15 significant digits (59.7, not 59.699999999999996), TRUE / FALSE, a
/// time-of-day cell as its clock time (`09:05:00`), a line break in the
/// text as LF (a workbook may hold CRLF, `_x000D_`), so that the same row
/// from an `.xlsx` and from its CSV reads the same.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => text_of(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                // Rounded to 15 significant digits, then the shortest text.
                format!("{f:.14e}").parse::<f64>().unwrap_or(*f).to_string()
            }
        }
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            // Day 0 of Excel's calendar: a time of day without a date, in
            // a Mac workbook's 1904 calendar too (found by exploratory
            // testing: read as 1904-01-01 15:30:00).
            Some(t)
                if (0.0..1.0).contains(&dt.as_f64())
                    || t.date()
                        < chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default() =>
            {
                t.format("%H:%M:%S").to_string()
            }
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) => s.clone(),
        // An .ods time cell (PT23H59M59S): its clock time, as an Excel one.
        Data::DurationIso(s) => clock_of_duration(s).unwrap_or_else(|| s.clone()),
        Data::Error(e) => e.to_string(),
    }
}

/// An ISO 8601 duration of less than a day (`PT9H5M`, `PT23H59M59.000S`,
/// as LibreOffice and WPS store a time cell) as a clock time, `09:05:00`.
fn clock_of_duration(iso: &str) -> Option<String> {
    let rest = iso.strip_prefix("PT")?;
    let (mut h, mut m, mut sec) = (0u32, 0u32, 0f64);
    let mut number = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            'H' => h = std::mem::take(&mut number).parse().ok()?,
            'M' => m = std::mem::take(&mut number).parse().ok()?,
            'S' => sec = std::mem::take(&mut number).parse().ok()?,
            _ => return None,
        }
    }
    let sec = sec.round() as u32;
    (number.is_empty() && h < 24 && m < 60 && sec < 60).then(|| format!("{h:02}:{m:02}:{sec:02}"))
}

/// An .xlsx whose sheets hold error cells (`t="e"`) rewritten with those
/// cells as text cells of the same value (`t="str"`, as a formula's text
/// result is): calamine reads only Excel's classic error values (#N/A,
/// #REF!, …) and refuses a whole sheet holding a newer one (#SPILL!,
/// #CALC!, #FIELD!, #BUSY!, …), found by exploratory testing. The values
/// read the same either way (an error cell is read as its text), so a
/// column that maps to a field rejects the row naming the error, whatever
/// it is. `error_cells`: whether [`scan_sheets`] found one. Anything else
/// (no such cell, a zip that cannot be rewritten) is returned as it came.
fn with_new_errors_as_text(bytes: Vec<u8>, error_cells: bool) -> Vec<u8> {
    if !error_cells {
        return bytes;
    }
    rewrite_error_cells(&bytes).unwrap_or(bytes)
}

/// The XML attribute of an error cell, as Excel writes it.
const ERROR_CELL: &[u8] = b" t=\"e\"";

fn is_sheet_xml(name: &str) -> bool {
    name.starts_with("xl/worksheets/") && name.ends_with(".xml")
}

/// What one pass over the workbook's sheets finds, each sheet's XML
/// decompressed through a small window, not held.
#[derive(Debug, Default, PartialEq)]
struct SheetScan {
    /// A sheet holds an error cell (see [`with_new_errors_as_text`]).
    error_cells: bool,
    /// Formula cells holding no value (how openpyxl and report generators
    /// write them: `<f>UPPER(A2)</f><v />`), which calamine reads as empty,
    /// losing an agent's id or a complaint's 是否成立 without a word (found
    /// by exploratory testing); Excel and WPS save every formula's value.
    unsaved_formulas: usize,
    /// The first such cell and its sheet (`cell D2 in sheet "明细"`).
    first_unsaved: Option<String>,
}

fn scan_sheets(bytes: &[u8]) -> SheetScan {
    use std::io::Read;
    // Bytes kept from one window to the next: a cell's XML looked back on.
    const KEEP: usize = 512;
    let mut scan = SheetScan::default();
    if !bytes.starts_with(b"PK\x03\x04") {
        return scan;
    }
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return scan;
    };
    let errors = memchr::memmem::Finder::new(ERROR_CELL);
    // The first formula without a value: its sheet's part and cell.
    let mut first: Option<(String, Option<String>)> = None;
    for i in 0..zip.len() {
        let Ok(mut file) = zip.by_index(i) else {
            continue;
        };
        if !is_sheet_xml(file.name()) {
            continue;
        }
        let mut window = vec![0u8; 64 * 1024 + KEEP];
        let mut kept = 0;
        loop {
            let n = match file.read(&mut window[kept..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let end = kept + n;
            let seen = &window[..end];
            // From where a match cut by the last window's end may begin.
            let new = |len: usize| kept.saturating_sub(len - 1);
            scan.error_cells |= errors.find(&seen[new(ERROR_CELL.len())..]).is_some();
            let from = new(4);
            for at in memchr::memmem::find_iter(&seen[from..], b"</c>") {
                let before = &seen[..from + at];
                if holds_formula_without_value(before) {
                    scan.unsaved_formulas += 1;
                    if first.is_none() {
                        first = Some((file.name().to_string(), cell_reference(before)));
                    }
                }
            }
            let tail = end.saturating_sub(KEEP);
            window.copy_within(tail..end, 0);
            kept = end - tail;
        }
    }
    scan.first_unsaved = first.map(|(part, cell)| {
        let names = sheet_names_by_part(&mut zip);
        let sheet = match names.iter().find(|(p, _)| *p == part) {
            Some((_, name)) => format!("sheet {}", crate::domain::shown(name)),
            None => part,
        };
        match cell {
            Some(cell) => format!("cell {cell} in {sheet}"),
            None => sheet,
        }
    });
    scan
}

/// Each sheet's XML part (`xl/worksheets/sheet2.xml`) and the sheet's name
/// (`明细`), from the workbook's list of sheets and its relationships; what
/// cannot be read is left out.
fn sheet_names_by_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Vec<(String, String)> {
    use std::io::Read;
    let mut text = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).ok()?.read_to_string(&mut s).ok()?;
        Some(s)
    };
    let (Some(book), Some(rels)) = (text("xl/workbook.xml"), text("xl/_rels/workbook.xml.rels"))
    else {
        return vec![];
    };
    // The value of attribute `name` in a tag (`r:id="rId2"`), XML entities read.
    let attribute = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let value = &tag[at..at + tag[at..].find('"')?];
        Some(
            value
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        )
    };
    let tags = |xml: &str, open: &str| -> Vec<String> {
        xml.match_indices(open)
            .filter_map(|(at, _)| xml[at..].find('>').map(|end| xml[at..at + end].to_string()))
            .collect()
    };
    let targets: Vec<(String, String)> = tags(&rels, "<Relationship ")
        .iter()
        .filter_map(|t| Some((attribute(t, "Id")?, attribute(t, "Target")?)))
        .collect();
    tags(&book, "<sheet ")
        .iter()
        .filter_map(|t| {
            let id = attribute(t, "r:id")?;
            let target = &targets.iter().find(|(i, _)| *i == id)?.1;
            let part = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("xl/{target}"),
            };
            Some((part, attribute(t, "name")?))
        })
        .collect()
}

/// Whether a cell's XML (what comes before its `</c>`) ends in a formula
/// with no value: `</f>`, `<f t="shared" si="0"/>`, then no `<v>` or an
/// empty one.
fn holds_formula_without_value(before: &[u8]) -> bool {
    let mut xml = before;
    for empty in [&b"<v/>"[..], b"<v />", b"<v></v>"] {
        if let Some(rest) = xml.strip_suffix(empty) {
            // A text result saved empty (Excel's and LibreOffice's
            // `t="str"` cell of `=IF(A2="","",…)`) is a value.
            let cell = memchr::memmem::rfind(rest, b"<c ").map_or(rest, |c| &rest[c..]);
            let tag = &cell[..memchr::memchr(b'>', cell).unwrap_or(cell.len())];
            if memchr::memmem::find(tag, b" t=\"str\"").is_some() {
                return false;
            }
            xml = rest;
            break;
        }
    }
    if xml.ends_with(b"</f>") {
        return true;
    }
    xml.ends_with(b"/>")
        && memchr::memrchr(b'<', xml).is_some_and(|lt| {
            let tag = &xml[lt..];
            tag.starts_with(b"<f ") || tag.starts_with(b"<f/")
        })
}

/// The reference (`D2`) of the last cell opened in `before`.
fn cell_reference(before: &[u8]) -> Option<String> {
    let start = memchr::memmem::rfind(before, b"<c ")?;
    let cell = &before[start..];
    let r = memchr::memmem::find(cell, b" r=\"")? + 4;
    let len = cell[r..].iter().position(|&b| b == b'"')?;
    std::str::from_utf8(&cell[r..r + len])
        .ok()
        .map(str::to_string)
}

/// The workbook with every sheet's error cells as text cells.
fn rewrite_error_cells(bytes: &[u8]) -> Result<Vec<u8>, zip::result::ZipError> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    for i in 0..zip.len() {
        let mut file = zip.by_index(i)?;
        if !is_sheet_xml(file.name()) {
            out.raw_copy_file(file)?;
            continue;
        }
        let name = file.name().to_string();
        let mut xml = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut xml)?;
        let finder = memchr::memmem::Finder::new(ERROR_CELL);
        let mut rewritten = Vec::with_capacity(xml.len() + 64);
        let mut at = 0;
        for found in finder.find_iter(&xml) {
            rewritten.extend_from_slice(&xml[at..found]);
            rewritten.extend_from_slice(b" t=\"str\"");
            at = found + ERROR_CELL.len();
        }
        rewritten.extend_from_slice(&xml[at..]);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file(name, options)?;
        out.write_all(&rewritten)?;
    }
    Ok(out.finish()?.into_inner())
}

/// The built-in number formats Chinese (and Japanese, Korean) Excel gives
/// dates and times, which calamine does not know for dates: 27–31, 36, 50–54,
/// 57, 58 are dates (`yyyy"年"m"月"d"日"`, `m"月"d"日"`, …), 32–35, 55, 56
/// times (`h"时"mm"分"`, `上午/下午h"时"mm"分"ss"秒"`). Read as plain numbers,
/// their serials were taken as the 1900 calendar's, 1,462 days early in a
/// workbook of the 1904 calendar (a Mac's; found by exploratory testing).
fn cjk_date_format(id: &[u8]) -> Option<&'static [u8]> {
    match id {
        b"27" | b"28" | b"29" | b"30" | b"31" | b"36" | b"50" | b"51" | b"52" | b"53" | b"54"
        | b"57" | b"58" => Some(b"14"),
        b"32" | b"33" | b"34" | b"35" | b"55" | b"56" => Some(b"21"),
        _ => None,
    }
}

/// An .xlsx whose styles give cells a Chinese built-in date or time format
/// ([`cjk_date_format`]) rewritten with Excel's own date (14) or time (21)
/// format in their place, which calamine reads as dates in either
/// calendar; the styles alone are rewritten. Anything else is returned as
/// it came.
fn with_cjk_date_formats_known(bytes: Vec<u8>) -> Vec<u8> {
    const ID: &[u8] = b"numFmtId=\"";
    with_part_rewritten(bytes, "xl/styles.xml", |xml| {
        let mut rewritten = Vec::with_capacity(xml.len());
        let mut at = 0;
        for found in memchr::memmem::find_iter(xml, ID) {
            let start = found + ID.len();
            let Some(len) = xml[start..].iter().position(|&b| b == b'"') else {
                break;
            };
            if let Some(known) = cjk_date_format(&xml[start..start + len]) {
                rewritten.extend_from_slice(&xml[at..start]);
                rewritten.extend_from_slice(known);
                at = start + len;
            }
        }
        (at > 0).then(|| {
            rewritten.extend_from_slice(&xml[at..]);
            rewritten
        })
    })
}

/// An .xlsx whose shared strings hold an empty one written `<si/>` (valid,
/// and how some writers write ""), rewritten as `<si><t></t></si>`:
/// calamine skips the short form, and every later text cell was read as
/// the string after its own (found by exploratory testing: a review's text
/// stored as another cell's, without a word).
fn with_empty_shared_strings_kept(bytes: Vec<u8>) -> Vec<u8> {
    with_part_rewritten(bytes, "xl/sharedStrings.xml", |xml| {
        let mut out = Vec::with_capacity(xml.len() + 64);
        let mut at = 0;
        let mut i = 0;
        while let Some(found) = memchr::memmem::find(&xml[i..], b"<si").map(|f| f + i) {
            let rest = &xml[found + 3..];
            let len = if rest.starts_with(b"/>") {
                5
            } else if rest.starts_with(b" />") {
                6
            } else {
                i = found + 3;
                continue;
            };
            out.extend_from_slice(&xml[at..found]);
            out.extend_from_slice(b"<si><t></t></si>");
            at = found + len;
            i = at;
        }
        (at > 0).then(|| {
            out.extend_from_slice(&xml[at..]);
            out
        })
    })
}

/// The workbook with its part `name` rewritten by `rewrite`, the other
/// parts copied as they are; as it came when `rewrite` says `None`, or it
/// is no zip, or has no such part.
fn with_part_rewritten(
    bytes: Vec<u8>,
    name: &str,
    rewrite: impl FnOnce(&[u8]) -> Option<Vec<u8>>,
) -> Vec<u8> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return bytes;
    }
    match rewrite_part(&bytes, name, rewrite) {
        Ok(Some(rewritten)) => rewritten,
        _ => bytes,
    }
}

fn rewrite_part(
    bytes: &[u8],
    name: &str,
    rewrite: impl FnOnce(&[u8]) -> Option<Vec<u8>>,
) -> Result<Option<Vec<u8>>, zip::result::ZipError> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut xml = vec![];
    zip.by_name(name)?.read_to_end(&mut xml)?;
    let Some(rewritten) = rewrite(&xml) else {
        return Ok(None);
    };
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    for i in 0..zip.len() {
        let file = zip.by_index(i)?;
        if file.name() != name {
            out.raw_copy_file(file)?;
            continue;
        }
        drop(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file(name, options)?;
        out.write_all(&rewritten)?;
    }
    Ok(Some(out.finish()?.into_inner()))
}

/// A text cell as read: a CRLF or lone CR as LF, a CR at the end dropped.
fn text_of(s: &str) -> String {
    let s = s.trim_end_matches('\r');
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_string()
    }
}

/// A cell of a streamed sheet as text: [`cell_text`] of the value a whole
/// sheet would hold (a shared string, the usual cell, without copying it
/// twice).
fn cell_ref_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::SharedString(s) => text_of(s),
        other => cell_text(&Data::from(other.clone())),
    }
}

impl ExcelSource {
    /// The names of a workbook's sheets, in order, each with whether it is
    /// hidden in Excel.
    pub fn sheet_names(path: &std::path::Path) -> Result<Vec<(String, bool)>> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let book = open_book(bytes)
            .map_err(|e| anyhow!("{}: not a readable Excel workbook ({e})", path.display()))?;
        let hidden = hidden_sheets(&book);
        Ok(book
            .sheet_names()
            .into_iter()
            .map(|n| {
                let h = hidden.contains(&n);
                (n, h)
            })
            .collect())
    }

    pub fn open(name: &str, bytes: Vec<u8>, sheet: Option<&str>) -> Result<ExcelSource> {
        let scan = scan_sheets(&bytes);
        if let Some(first) = &scan.first_unsaved {
            crate::say!(
                "kefu: warning: {name}: {} formula cell(s) hold no saved value (first: {first}), read as empty: the workbook was written by a program that does not compute formulas (a script, a report generator); open it in Excel or WPS, save it, and read it again",
                scan.unsaved_formulas
            );
        }
        let bytes = with_empty_shared_strings_kept(with_cjk_date_formats_known(
            with_new_errors_as_text(bytes, scan.error_cells),
        ));
        ExcelSource::open_as(name, bytes, sheet, Reading::Streamed)
    }

    /// Opens the workbook; `reading` says whether an .xlsx sheet may be
    /// streamed (the tests read one both ways to compare).
    fn open_as(
        name: &str,
        bytes: Vec<u8>,
        sheet: Option<&str>,
        reading: Reading,
    ) -> Result<ExcelSource> {
        let mut book =
            open_book(bytes).map_err(|e| anyhow!("{name}: not a readable Excel workbook ({e})"))?;
        let names = book.sheet_names();
        let hidden = hidden_sheets(&book);
        let sheet_name = match sheet {
            Some(s) => {
                if !names.iter().any(|n| n == s) {
                    bail!(
                        "{name}: no sheet named {s:?} (sheets: {})",
                        names.join(", ")
                    );
                }
                s.to_string()
            }
            // The first sheet Excel shows (a hidden one is not what the
            // user sees as the first).
            None => match names.iter().find(|n| !hidden.contains(n)).or(names.first()) {
                Some(first) => first.clone(),
                None => bail!("{name}: the workbook has no sheets"),
            },
        };
        let read = match read_sheet(&mut book, &sheet_name, reading)
            .map_err(|e| anyhow!("{name}: cannot read sheet {sheet_name:?} ({e})"))?
        {
            Some(read) => read,
            // An empty first sheet (Excel's default Sheet1, the data put on
            // Sheet2): no header, so that another sheet with the columns
            // needed is chosen, as for a first sheet without them.
            None if sheet.is_none() && names.len() > 1 => Sheet::empty(&sheet_name),
            None => bail!("{name}: sheet {sheet_name:?} is empty"),
        };
        let other_sheets: Vec<String> = names
            .iter()
            .filter(|n| **n != sheet_name)
            .cloned()
            .collect();
        let may_switch = sheet.is_none() && !other_sheets.is_empty();
        let keep_book = may_switch || matches!(read.cells, Cells::Streamed);
        Ok(ExcelSource {
            file: name.to_string(),
            last_row: read.header_row,
            sheet: read,
            all_sheets: names,
            hidden,
            other_sheets,
            may_switch,
            reading,
            book: keep_book.then_some(book),
            rows: None,
            blank_rows: 0,
        })
    }

    /// Begins reading below the header: fills the merged ranges of a whole
    /// sheet, or starts the thread that streams it.
    fn begin(&mut self) -> Result<DataRows> {
        let book = self.book.take();
        let sheet = &mut self.sheet;
        let merged = std::mem::take(&mut sheet.merged);
        match &mut sheet.cells {
            Cells::Whole(range) => {
                fill_merged(range, &merged, sheet.header_row);
                Ok(DataRows::Whole {
                    next: sheet.header_row + 1,
                })
            }
            Cells::Streamed => {
                let Some(Sheets::Xlsx(xlsx)) = book else {
                    bail!(
                        "{}: the workbook was closed before its rows were read (a bug)",
                        self.file
                    );
                };
                let plan = StreamPlan {
                    sheet: sheet.name.clone(),
                    end_row: sheet.last_row,
                    columns: sheet.columns.clone(),
                    header_row: sheet.header_row,
                    merged,
                };
                let (sender, rows) = sync_channel(ROWS_AHEAD);
                let reader = std::thread::Builder::new()
                    .name("xlsx sheet".into())
                    .spawn(move || stream_rows(xlsx, plan, sender))
                    .context("cannot start the thread that reads the sheet")?;
                Ok(DataRows::Streamed {
                    rows,
                    reader: Some(reader),
                })
            }
        }
    }

    /// The next row below the header that is not blank, if any.
    fn next_row(&mut self) -> Result<Option<(u32, Vec<String>)>> {
        if self.rows.is_none() {
            self.rows = Some(self.begin()?);
        }
        let Some(rows) = self.rows.as_mut() else {
            return Ok(None);
        };
        match rows {
            DataRows::Whole { next } => {
                let Cells::Whole(range) = &self.sheet.cells else {
                    return Ok(None);
                };
                while *next <= self.sheet.last_row {
                    let row = *next;
                    *next += 1;
                    let cells = row_cells(range, row, &self.sheet.columns);
                    if !is_blank(&cells) {
                        return Ok(Some((row, cells)));
                    }
                }
                Ok(None)
            }
            DataRows::Streamed { rows, reader } => match rows.recv() {
                Ok(Ok(row)) => Ok(Some(row)),
                Ok(Err(e)) => bail!(
                    "{}: cannot read sheet {:?} ({e})",
                    self.file,
                    self.sheet.name
                ),
                // The thread is done, or stopped: a panic must not pass
                // for the end of the sheet.
                Err(_) => match reader.take().map(JoinHandle::join) {
                    Some(Err(_)) => bail!(
                        "{}: the thread reading sheet {:?} stopped (a bug)",
                        self.file,
                        self.sheet.name
                    ),
                    _ => Ok(None),
                },
            },
        }
    }
}

/// The names of the sheets a workbook hides (hidden, or "very hidden",
/// which only a macro can show).
fn hidden_sheets(book: &Workbook) -> Vec<String> {
    book.sheets_metadata()
        .iter()
        .filter(|s| s.visible != calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect()
}

/// Whether an .xlsx sheet may be streamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Streamed,
    /// Read whole, as .xls and .ods are: what the tests compare with.
    #[cfg_attr(not(test), allow(dead_code))]
    Whole,
}

/// Whether every cell is empty or white space.
fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Reads sheet `name`: where its cells are, its first rows and its header
/// (below any title rows); `None` when it has no cells.
fn read_sheet(
    book: &mut Workbook,
    name: &str,
    reading: Reading,
) -> Result<Option<Sheet>, calamine::Error> {
    let scanned = match book {
        Sheets::Xlsx(xlsx) if reading == Reading::Streamed => {
            // calamine panics on some malformed sheets (a shared string past
            // the end of the table): a file error, not a crash.
            let scanned = quietly(|| scan_xlsx(xlsx, name)).map_err(|_| MALFORMED)?;
            Some(scanned?)
        }
        _ => None,
    };
    let (last_row, columns, top, cells) = match scanned {
        Some(Scanned::NoCells) => return Ok(None),
        Some(Scanned::InOrder {
            last_row,
            columns,
            top,
        }) => (last_row, columns, top, Cells::Streamed),
        Some(Scanned::OutOfOrder { grid }) if grid > MAX_WHOLE_SHEET_CELLS => {
            return Err(calamine::Error::Msg(
                "the sheet's rows are out of order, and it spans more cells than kefu reads at once (20,000,000): open it in Excel or WPS and save it again",
            ));
        }
        Some(Scanned::OutOfOrder { .. }) | None => {
            // calamine panics on some damaged .xls files too.
            let range = quietly(|| book.worksheet_range(name)).map_err(|_| MALFORMED)??;
            let (Some(start), Some(end)) = (range.start(), range.end()) else {
                return Ok(None);
            };
            let mut used = UsedColumns::default();
            for (_, col, _) in range.used_cells() {
                used.add(start.1 + col as u32);
            }
            let columns = used.columns();
            let top = top_of_range(&range, &columns);
            (end.0, columns, top, Cells::Whole(range))
        }
    };
    let Some(header_row) = first_header_row(&top, last_row) else {
        return Ok(None);
    };
    let mut sheet = Sheet {
        name: name.to_string(),
        last_row,
        columns,
        top,
        headers: vec![],
        header_row,
        merged: merged_ranges(book, name),
        cells,
    };
    sheet.headers = sheet.header_cells(header_row);
    Ok(Some(sheet))
}

/// The most cells (rows × columns) of a sheet kefu reads whole, as one
/// whose rows are out of order is (calamine holds every cell of the grid:
/// a 1.5 KB workbook with a cell at XFD1048576 before row 1 asked for 512
/// GiB; found by exploratory testing). 20,000,000 cells are ~640 MB.
const MAX_WHOLE_SHEET_CELLS: u64 = 20_000_000;

/// What one pass over an .xlsx sheet's cells found.
enum Scanned {
    /// No cell holds anything (or the sheet is a chart).
    NoCells,
    /// A row comes after a later one: the sheet must be read whole, a grid
    /// of this many cells (rows × columns, from the first cell that holds
    /// something to the last).
    OutOfOrder { grid: u64 },
    /// Where the cells are, and the first rows that are not blank.
    InOrder {
        last_row: u32,
        columns: Columns,
        top: Vec<TopRow>,
    },
}

/// Reads every cell of sheet `name` once, keeping none but those of its
/// first [`HEADER_CANDIDATE_ROWS`] rows that are not blank: the last row
/// and the columns that hold something (empty cells, which only carry a
/// format, are not counted, as calamine's `Range` does not count them).
fn scan_xlsx(xlsx: &mut XlsxBook, name: &str) -> Result<Scanned, XlsxError> {
    let mut cells = match xlsx.worksheet_cells_reader(name) {
        Ok(cells) => cells,
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Scanned::NoCells),
        Err(e) => return Err(e),
    };
    // The last row holding a cell, once one is found.
    let mut last_row: Option<u32> = None;
    // The first and last rows and columns holding something; whether a row
    // came after a later one.
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    let mut out_of_order = false;
    let mut used = UsedColumns::default();
    // Rows near the top as read: sheet row and (column, text) of each cell.
    let mut top: Vec<(u32, Vec<(u32, String)>)> = vec![];
    let mut row: (u32, Vec<(u32, String)>) = (0, vec![]);
    let keep = |top: &mut Vec<(u32, Vec<(u32, String)>)>, row: (u32, Vec<(u32, String)>)| {
        if filled_cells(row.1.iter().map(|(_, text)| text.as_bytes())) > 0 {
            top.push(row);
        }
    };
    while let Some(cell) = cells.next_cell()? {
        let value = cell.get_value();
        if value.is_empty() {
            continue;
        }
        let (r, c) = cell.get_position();
        if r >= EXCEL_ROWS || c >= EXCEL_COLUMNS {
            return Err(XlsxError::Unexpected(
                "a cell lies beyond Excel's last row (1,048,576) or column (XFD)",
            ));
        }
        used.add(c);
        bounds = Some(bounds.map_or((r, r, c, c), |(r0, r1, c0, c1)| {
            (r0.min(r), r1.max(r), c0.min(c), c1.max(c))
        }));
        // Out of order: the rest read for the grid it spans only.
        if out_of_order || last_row.is_some_and(|last| r < last) {
            out_of_order = true;
            continue;
        }
        last_row = Some(r);
        if top.len() < HEADER_CANDIDATE_ROWS {
            if r != row.0 {
                keep(&mut top, std::mem::replace(&mut row, (r, vec![])));
            }
            row.1.push((c, cell_ref_text(value)));
        }
    }
    if let (true, Some((r0, r1, c0, c1))) = (out_of_order, bounds) {
        return Ok(Scanned::OutOfOrder {
            grid: u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1),
        });
    }
    if top.len() < HEADER_CANDIDATE_ROWS {
        keep(&mut top, row);
    }
    let Some(last_row) = last_row else {
        return Ok(Scanned::NoCells);
    };
    let columns = used.columns();
    let top = top
        .into_iter()
        .map(|(row, sparse)| {
            let mut cells = vec![String::new(); columns.len()];
            for (c, text) in sparse {
                if let Some(i) = columns.position(c) {
                    cells[i] = text;
                }
            }
            let filled = header_search_cells(cells.iter().map(String::as_bytes));
            TopRow { row, cells, filled }
        })
        .collect();
    Ok(Scanned::InOrder {
        last_row,
        columns,
        top,
    })
}

/// The first [`HEADER_CANDIDATE_ROWS`] rows of a whole sheet that are not
/// blank.
fn top_of_range(range: &Range<Data>, columns: &Columns) -> Vec<TopRow> {
    let first = range.start().map_or(0, |(row, _)| row);
    (first..first + range.height() as u32)
        .filter_map(|row| {
            let cells = row_cells(range, row, columns);
            let filled = header_search_cells(cells.iter().map(String::as_bytes));
            (filled > 0).then_some(TopRow { row, cells, filled })
        })
        .take(HEADER_CANDIDATE_ROWS)
        .collect()
}

/// The header row as [`header_index`] finds it among the rows from the
/// first that is not blank (the rows above it count for nothing there);
/// `None` when every row is blank. `top` holds every row the search can
/// reach: it ends at most [`HEADER_SEARCH_ROWS`](super::HEADER_SEARCH_ROWS)
/// rows below the first.
fn first_header_row(top: &[TopRow], last_row: u32) -> Option<u32> {
    let first = top.first()?.row;
    let mut filled = vec![];
    let mut row = first;
    while row <= last_row && !header_search_done(&filled) {
        filled.push(top.iter().find(|t| t.row == row).map_or(0, |t| t.filled));
        row += 1;
    }
    header_index(&filled).map(|i| first + i as u32)
}

impl Sheet {
    /// A sheet without a cell.
    fn empty(name: &str) -> Sheet {
        Sheet {
            name: name.to_string(),
            last_row: 0,
            columns: UsedColumns::default().columns(),
            top: vec![],
            headers: vec![],
            header_row: 0,
            merged: vec![],
            cells: Cells::Whole(Range::empty()),
        }
    }

    /// Moves the header to the first row from `from` on, among the first
    /// [`HEADER_CANDIDATE_ROWS`] rows that are not blank, that has at least
    /// two cells filled and whose cells `usable` accepts (see
    /// [`RowSource::move_header`]).
    fn find_header(&mut self, from: u32, usable: &dyn Fn(&[String]) -> bool) -> HeaderMove {
        let header_filled = self.headers.iter().filter(|h| !h.is_empty()).count();
        let mut likeliest: Option<(usize, u64, Vec<String>)> = None;
        for (row, filled) in self.top.iter().map(|t| (t.row, t.filled)) {
            if row < from || filled < 2 {
                continue;
            }
            let cells = self.header_cells(row);
            if usable(&cells) {
                self.header_row = row;
                self.headers = cells;
                return HeaderMove::Moved;
            }
            let most = likeliest.as_ref().map_or(header_filled, |(n, ..)| *n);
            if filled > most {
                likeliest = Some((filled, u64::from(row) + 1, cells));
            }
        }
        HeaderMove::Stayed {
            likeliest: likeliest.map(|(_, row, cells)| (row, cells)),
        }
    }

    /// The cells of `row` (one of the top rows) as header names, trimmed. A
    /// cell that a merged range starting above covers in its first column
    /// (the name of a column not in any group, merged down over the group
    /// row and the header) takes the range's value, as Excel shows it.
    fn header_cells(&self, row: u32) -> Vec<String> {
        let mut cells = self
            .top_row(row)
            .map(|t| t.cells.clone())
            .unwrap_or_default();
        for m in self
            .merged
            .iter()
            .filter(|m| m.start.0 < row && row <= m.end.0)
        {
            let Some(cell) = self.columns.position(m.start.1) else {
                continue;
            };
            if cells.get(cell).is_some_and(|c| c.trim().is_empty()) {
                // A range's first cell lies in a top row, or in a blank one.
                if let Some(value) = self.top_row(m.start.0).and_then(|t| t.cells.get(cell)) {
                    cells[cell] = value.clone();
                }
            }
        }
        cells.into_iter().map(|c| c.trim().to_string()).collect()
    }

    fn top_row(&self, row: u32) -> Option<&TopRow> {
        self.top.iter().find(|t| t.row == row)
    }
}

/// The merged ranges of a sheet, where calamine reads them (.xlsx, .xlsm,
/// .xls): 16 bytes each. A sheet whose list of merged ranges cannot be read
/// is read without it: its values are all there, only the copies are not.
/// For .xlsx this is a pass of its own over the sheet's XML (no cells
/// built); .xls holds them from the first.
fn merged_ranges(book: &mut Workbook, sheet: &str) -> Vec<Dimensions> {
    match book {
        Sheets::Xlsx(xlsx) => xlsx
            .worksheet_merge_cells(sheet)
            .and_then(Result::ok)
            .unwrap_or_default(),
        Sheets::Xls(xls) => xls.worksheet_merge_cells(sheet).unwrap_or_default(),
        Sheets::Xlsb(_) | Sheets::Ods(_) => vec![],
    }
}

/// Gives the value of each merged range below the header row (`渠道`
/// merged over F2:F4 = 天猫), which the file holds in its first cell only,
/// to the cell of its first column in each row below that it covers, as a
/// value grouped down a column is read. Not across: a row merged over the
/// width (a divider 2026年11月20日, a footer 合计：3人) stays a one-cell row,
/// a note and no record, as in the CSV of the sheet; and not to a row blank
/// in its own cells. Ranges that start on or above the header (a title, a
/// heading over several columns) are left as they are. [`MergedFill`] does
/// the same row by row.
fn fill_merged(range: &mut Range<Data>, merged: &[Dimensions], header_row: u32) {
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return;
    };
    let holds = |range: &Range<Data>, r: u32| {
        (start.1..=end.1).any(|c| {
            range
                .get_value((r, c))
                .is_some_and(|v| !cell_text(v).trim().is_empty())
        })
    };
    // Decided on the cells as the file holds them, before any is filled.
    let mut fills = vec![];
    for m in merged.iter().filter(|m| m.start.0 > header_row) {
        let value = match range.get_value(m.start) {
            Some(Data::Empty) | None => continue,
            Some(v) => v.clone(),
        };
        for r in m.start.0 + 1..=m.end.0.min(end.0) {
            if (start.1..=end.1).contains(&m.start.1) && holds(range, r) {
                fills.push(((r, m.start.1), value.clone()));
            }
        }
    }
    for (at, value) in fills {
        range.set_value(at, value);
    }
}

/// The cells of sheet row `row` as text, one per column read.
fn row_cells(range: &Range<Data>, row: u32, columns: &Columns) -> Vec<String> {
    columns
        .kept
        .iter()
        .map(|&col| {
            range
                .get_value((row, col))
                .map(cell_text)
                .unwrap_or_default()
        })
        .collect()
}

/// The columns of a sheet that are read, left to right: those that hold a
/// cell somewhere (header or not). One empty from top to bottom is left
/// out: a note typed in column XFD makes one more column, not 16,000
/// empty ones in every row.
#[derive(Clone)]
struct Columns {
    /// Sheet column (0-based) of each column read.
    kept: Vec<u32>,
    /// Position in `kept` of each sheet column from the first kept, or
    /// `u32::MAX` for one left out.
    position: Vec<u32>,
}

impl Columns {
    fn len(&self) -> usize {
        self.kept.len()
    }

    /// Where sheet column `col` is in a row read, unless it is left out.
    fn position(&self, col: u32) -> Option<usize> {
        let first = *self.kept.first()?;
        let i = *self.position.get(col.checked_sub(first)? as usize)?;
        (i != u32::MAX).then_some(i as usize)
    }
}

/// Which sheet columns hold a cell, as a sheet's cells are read.
struct UsedColumns([u64; EXCEL_COLUMNS as usize / 64]);

impl Default for UsedColumns {
    fn default() -> UsedColumns {
        UsedColumns([0; EXCEL_COLUMNS as usize / 64])
    }
}

impl UsedColumns {
    /// Column `col` holds a cell (one beyond Excel's last is not counted).
    fn add(&mut self, col: u32) {
        if let Some(word) = self.0.get_mut(col as usize / 64) {
            *word |= 1 << (col % 64);
        }
    }

    fn columns(&self) -> Columns {
        let kept: Vec<u32> = (0..EXCEL_COLUMNS)
            .filter(|&c| self.0[c as usize / 64] & (1 << (c % 64)) != 0)
            .collect();
        let mut position = vec![];
        if let (Some(&first), Some(&last)) = (kept.first(), kept.last()) {
            position = vec![u32::MAX; (last - first + 1) as usize];
            for (i, &c) in kept.iter().enumerate() {
                position[(c - first) as usize] = i as u32;
            }
        }
        Columns { kept, position }
    }
}

/// What the thread streaming a sheet needs to know of it.
struct StreamPlan {
    sheet: String,
    /// The last row holding a cell.
    end_row: u32,
    columns: Columns,
    header_row: u32,
    merged: Vec<Dimensions>,
}

/// Reads the rows below the header of an .xlsx sheet (cells in row order,
/// as [`scan_xlsx`] found them) and sends those that are not blank, merged
/// ranges filled, until the sheet ends or the receiver hangs up; an error
/// is sent as the last message.
fn stream_rows(mut xlsx: XlsxBook, plan: StreamPlan, rows: SyncSender<SentRow>) {
    let sent = quietly(|| send_rows(&mut xlsx, plan, &rows));
    match sent {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            let _ = rows.send(Err(calamine::Error::from(e).to_string()));
        }
        Err(_) => {
            let _ = rows.send(Err(MALFORMED.to_string()));
        }
    }
}

std::thread_local! {
    /// Whether this thread is in [`quietly`].
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, a panic in it caught and not printed: calamine panics on some
/// malformed sheets, which kefu reports as a file error, and the default
/// hook had printed the panic (and a backtrace with RUST_BACKTRACE) on
/// stderr before it (found by exploratory testing). Panics elsewhere are
/// printed as before.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let printing = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                printing(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result
}

/// Opens a workbook with calamine, once an .xls's compound file is known
/// to be sound ([`check_compound_file`]), and without a panic's message.
fn open_book(bytes: Vec<u8>) -> Result<Workbook, String> {
    if bytes.starts_with(&OLE_SIGNATURE) {
        check_compound_file(&bytes).map_err(|why| format!("a damaged .xls file: {why}"))?;
    }
    quietly(|| open_workbook_auto_from_rs(Cursor::new(bytes)))
        .map_err(|_| "a damaged workbook: its structure is not what Excel writes".to_string())?
        .map_err(|e| e.to_string())
}

/// The first bytes of an OLE compound file (.xls, .doc, an encrypted .xlsx).
const OLE_SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Checks what calamine trusts in an OLE compound file (an .xls): the
/// header's counts and every sector number in the allocation table and the
/// directory must lie inside the file. One damaged byte there made calamine
/// ask for gigabytes to terabytes of memory and abort, or panic (found by
/// exploratory fuzzing: 205 of 300 mutated copies of a small .xls aborted).
fn check_compound_file(bytes: &[u8]) -> Result<(), String> {
    const FREE_OR_END: u32 = 0xFFFF_FFFA; // and above: special sector numbers
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    // A little-endian u32 at the start of a slice.
    let le = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let u32_at = |i: usize| le(&bytes[i..]);
    if bytes.len() < 512 {
        return Err("shorter than its header".into());
    }
    let size: usize = match u16_at(30) {
        9 => 512,
        12 => 4096,
        _ => return Err("its sector size is not 512 or 4096 bytes".into()),
    };
    let body = bytes.len().saturating_sub(size.max(512));
    let sectors = body.div_ceil(size) as u64;
    let inside = |id: u32| u64::from(id) < sectors;
    let sector = |id: u32| {
        let from = size.max(512) + id as usize * size;
        &bytes[from.min(bytes.len())..(from + size).min(bytes.len())]
    };
    let (dir_len, fat_len, mini_fat_len, difat_len) = (
        u64::from(u32_at(40)),
        u64::from(u32_at(44)),
        u64::from(u32_at(64)),
        u64::from(u32_at(72)),
    );
    // A mini allocation sector maps size / 4 mini sectors of 64 bytes, all
    // inside the file (calamine reserves memory by this count too).
    if dir_len > sectors
        || fat_len > sectors
        || mini_fat_len > sectors / 16 + 1
        || difat_len > sectors
    {
        return Err("its header counts more sectors than the file holds".into());
    }
    for at in [48, 60, 68] {
        let id = u32_at(at);
        if id < FREE_OR_END && !inside(id) {
            return Err("its header points past the end of the file".into());
        }
    }
    // The allocation table's sectors: listed in the header, then in a chain
    // of further lists (DIFAT).
    let mut fat_sectors: Vec<u32> = (76..512).step_by(4).map(u32_at).collect();
    let mut next = u32_at(68);
    let mut hops = 0;
    while next < FREE_OR_END {
        if !inside(next) || hops > sectors {
            return Err("its list of allocation sectors leads outside the file".into());
        }
        let list = sector(next);
        let ids: Vec<u32> = list.chunks_exact(4).map(le).collect();
        let Some((&last, rest)) = ids.split_last() else {
            break;
        };
        fat_sectors.extend_from_slice(rest);
        next = last;
        hops += 1;
    }
    // As many as the header counts: writers leave the unused slots 0 as
    // well as the standard's free mark (found by exploratory testing).
    fat_sectors.truncate(fat_len as usize);
    let mut fat: Vec<u32> = vec![];
    for id in fat_sectors.into_iter().filter(|&id| id < FREE_OR_END) {
        if !inside(id) {
            return Err("an allocation sector lies outside the file".into());
        }
        fat.extend(sector(id).chunks_exact(4).map(le));
    }
    if fat.iter().any(|&id| id < FREE_OR_END && !inside(id)) {
        return Err("its allocation table points outside the file".into());
    }
    // The directory: a chain from the header's start; each entry's first
    // sector inside the file, and its size no larger than the file.
    let mut id = u32_at(48);
    let mut hops = 0;
    while id < FREE_OR_END {
        if !inside(id) || hops > sectors {
            return Err("its directory leads outside the file".into());
        }
        for entry in sector(id).chunks_exact(128) {
            if entry[66] == 0 {
                continue; // an unused entry
            }
            let start = le(&entry[116..]);
            let len = le(&entry[120..]);
            if len as usize > bytes.len()
                || (start < FREE_OR_END && len as usize >= 4096 && !inside(start))
            {
                return Err("a stream in its directory lies outside the file".into());
            }
        }
        id = fat.get(id as usize).copied().unwrap_or(u32::MAX);
        hops += 1;
    }
    Ok(())
}

/// What a sheet calamine panicked on is said to be.
const MALFORMED: calamine::Error =
    calamine::Error::Msg("malformed sheet: the workbook's XML is not what Excel writes");

/// Excel's last row and column, 0-based, plus one: a cell beyond them is
/// no workbook Excel wrote (and would make every row that wide).
const EXCEL_ROWS: u32 = 1_048_576;
pub(crate) const EXCEL_COLUMNS: u32 = 16_384;

fn send_rows(
    xlsx: &mut XlsxBook,
    plan: StreamPlan,
    rows: &SyncSender<SentRow>,
) -> Result<(), XlsxError> {
    let mut cells = xlsx.worksheet_cells_reader(&plan.sheet)?;
    let last_row = plan.end_row;
    let mut row = RowBuilder::new(&plan);
    while let Some(cell) = cells.next_cell()? {
        let value = cell.get_value();
        let (r, c) = cell.get_position();
        if r <= plan.header_row || value.is_empty() {
            continue;
        }
        if r > last_row {
            break;
        }
        if r != row.row && !row.finish_until(r, rows) {
            return Ok(());
        }
        row.set(c, cell_ref_text(value));
    }
    row.finish_until(last_row + 1, rows);
    Ok(())
}

/// The row being read from a streamed sheet.
struct RowBuilder {
    /// Its sheet row, 0-based.
    row: u32,
    columns: Columns,
    /// One per column read.
    cells: Vec<String>,
    /// Which cells hold something (a merged range whose first cell does
    /// not gives nothing).
    held: Vec<bool>,
    merged: MergedFill,
}

impl RowBuilder {
    fn new(plan: &StreamPlan) -> RowBuilder {
        let width = plan.columns.len();
        RowBuilder {
            row: plan.header_row + 1,
            columns: plan.columns.clone(),
            cells: vec![String::new(); width],
            held: vec![false; width],
            merged: MergedFill::new(&plan.merged, plan.header_row),
        }
    }

    fn set(&mut self, col: u32, text: String) {
        if let Some(i) = self.columns.position(col) {
            self.cells[i] = text;
            self.held[i] = true;
        }
    }

    /// Finishes the row being read, and every row after it before `until`
    /// (rows without a cell, which a merged range may cover): sends those
    /// that are not blank, merged ranges filled, and begins row `until`.
    /// False when the receiver hung up.
    fn finish_until(&mut self, until: u32, rows: &SyncSender<SentRow>) -> bool {
        if self.row < until {
            let row = self.row;
            // A row blank in its own cells stays blank: a merged range
            // gives nothing to it (the CSV of the sheet has an empty line).
            if is_blank(&self.cells) {
                self.cells.iter_mut().for_each(String::clear);
            } else {
                self.merged
                    .fill(row, &mut self.cells, &self.held, &self.columns);
                let cells =
                    std::mem::replace(&mut self.cells, vec![String::new(); self.held.len()]);
                if rows.send(Ok((row, cells))).is_err() {
                    return false;
                }
            }
            self.held.fill(false);
            // Rows without a cell are blank, merged ranges or not.
            self.row = until;
        }
        true
    }
}

/// The merged ranges below the header, given to a streamed sheet's rows
/// one by one as [`fill_merged`] gives them to a whole sheet: those not
/// reached yet, by their first row, and those being filled with their
/// first cell's value. Only the ranges' corners are kept, not rows.
struct MergedFill {
    waiting: VecDeque<Dimensions>,
    filling: Vec<(Dimensions, String)>,
}

impl MergedFill {
    fn new(merged: &[Dimensions], header_row: u32) -> MergedFill {
        let mut waiting: Vec<Dimensions> = merged
            .iter()
            .filter(|m| m.start.0 > header_row)
            .copied()
            .collect();
        waiting.sort_by_key(|m| m.start.0);
        MergedFill {
            waiting: waiting.into(),
            filling: vec![],
        }
    }

    /// Fills `row` (a cell per column read; `held`: which hold something),
    /// taking the value of each range that starts on it.
    fn fill(&mut self, row: u32, cells: &mut [String], held: &[bool], columns: &Columns) {
        self.filling.retain(|(m, _)| m.end.0 >= row);
        while let Some(m) = self.waiting.front().copied().filter(|m| m.start.0 <= row) {
            self.waiting.pop_front();
            let first = columns.position(m.start.1).filter(|_| m.start.0 == row);
            if let Some(i) = first.filter(|&i| held[i]) {
                self.filling.push((m, cells[i].clone()));
            }
        }
        for (m, value) in &self.filling {
            if let Some(i) = columns.position(m.start.1).filter(|_| row > m.start.0) {
                cells[i].clone_from(value);
            }
        }
    }
}

impl RowSource for ExcelSource {
    fn headers(&self) -> &[String] {
        &self.sheet.headers
    }

    fn position_name(&self) -> &'static str {
        "row"
    }

    fn encoding(&self) -> Option<TextEncoding> {
        None
    }

    fn header_line(&self) -> u64 {
        u64::from(self.sheet.header_row) + 1
    }

    fn blank_rows(&self) -> u64 {
        self.blank_rows
    }

    fn sheets(&self) -> Option<(&str, &[String])> {
        (!self.other_sheets.is_empty()).then_some((&self.sheet.name, &self.other_sheets[..]))
    }

    fn is_hidden_sheet(&self, name: &str) -> bool {
        self.hidden.iter().any(|h| h == name)
    }

    fn switch_sheet(&mut self, usable: &dyn Fn(&[String]) -> bool) -> Result<Option<String>> {
        if !self.may_switch || self.rows.is_some() {
            return Ok(None);
        }
        let Some(book) = self.book.as_mut() else {
            return Ok(None);
        };
        let reading = self.reading;
        // The sheets Excel shows first; hidden ones only when none of those
        // has the columns (a hidden sheet of last month's rows beside this
        // month's is not a second choice the user can see).
        let mut chosen = None;
        for hidden in [false, true] {
            let mut found = vec![];
            for name in self
                .other_sheets
                .iter()
                .filter(|n| self.hidden.contains(n) == hidden)
            {
                // A sheet that cannot be read is not the one.
                if let Ok(Some(mut sheet)) = read_sheet(book, name, reading) {
                    let first_try = sheet.header_row;
                    if usable(&sheet.headers)
                        || sheet.find_header(first_try + 1, usable) == HeaderMove::Moved
                    {
                        found.push(sheet);
                        if found.len() > 1 {
                            return Ok(None);
                        }
                    }
                }
            }
            if let Some(sheet) = found.pop() {
                chosen = Some(sheet);
                break;
            }
        }
        let Some(sheet) = chosen else {
            return Ok(None);
        };
        self.last_row = sheet.header_row;
        self.other_sheets = self
            .all_sheets
            .iter()
            .filter(|n| **n != sheet.name)
            .cloned()
            .collect();
        self.sheet = sheet;
        Ok(Some(self.sheet.name.clone()))
    }

    fn move_header(&mut self, usable: &dyn Fn(&[String]) -> bool) -> Result<HeaderMove> {
        let moved = self.sheet.find_header(self.sheet.header_row + 1, usable);
        self.last_row = self.sheet.header_row;
        Ok(moved)
    }

    fn read_row(&mut self, row: &mut Row) -> Result<ReadOutcome> {
        let Some((at, cells)) = self.next_row()? else {
            return Ok(ReadOutcome::End);
        };
        self.blank_rows += u64::from(at - self.last_row - 1);
        self.last_row = at;
        row.line = u64::from(at) + 1;
        row.set(cells);
        Ok(ReadOutcome::Row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{Format, Workbook, Worksheet};

    #[test]
    fn formulas_with_no_saved_value_are_found() {
        let formulas_without_values = |bytes: &[u8]| {
            let scan = scan_sheets(bytes);
            scan.first_unsaved
                .map(|first| (scan.unsaved_formulas, first))
        };
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        write_rows(sheet, &[&["投诉编号", "客服工号", "是否成立"], &["C1"]]);
        sheet.write_formula(1, 1, "=UPPER(\"kf001\")").unwrap();
        sheet
            .write_formula(1, 2, "=IF(TRUE,\"成立\",\"不成立\")")
            .unwrap();
        let saved = book.save_to_buffer().unwrap();
        // rust_xlsxwriter saves a value (0) with each formula, as Excel does.
        assert_eq!(formulas_without_values(&saved), None);
        // openpyxl's form, and a formula alone.
        let unsaved = with_part_rewritten(saved, "xl/worksheets/sheet1.xml", |xml| {
            let text = String::from_utf8_lossy(xml);
            Some(
                text.replacen("</f><v>0</v>", "</f><v />", 1)
                    .replacen("</f><v>0</v>", "</f>", 1)
                    .into_bytes(),
            )
        });
        assert_eq!(
            formulas_without_values(&unsaved),
            Some((2, "cell B2 in sheet \"Sheet1\"".to_string()))
        );
        assert!(holds_formula_without_value(
            b"<c r=\"A9\"><f t=\"shared\" si=\"0\"/>"
        ));
        assert!(!holds_formula_without_value(
            b"<c r=\"A9\"><f>A1</f><v>3</v>"
        ));
        assert!(!holds_formula_without_value(
            b"<c r=\"A9\" t=\"s\"><v>3</v>"
        ));
        // An empty text result, saved (Excel, LibreOffice).
        assert!(!holds_formula_without_value(
            b"<c r=\"A9\" s=\"1\" t=\"str\"><f>IF(A1=\"\",\"\",1)</f><v></v>"
        ));
    }

    #[test]
    fn a_time_of_day_cell_is_its_clock_time_in_either_calendar() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let cell = |v: f64, is_1904| {
            cell_text(&Data::DateTime(ExcelDateTime::new(
                v,
                ExcelDateTimeType::DateTime,
                is_1904,
            )))
        };
        for is_1904 in [false, true] {
            assert_eq!(cell(0.6458333333333334, is_1904), "15:30:00");
        }
        assert_eq!(cell(46346.5, false), "2026-11-20 12:00:00");
        assert_eq!(cell(44884.5, true), "2026-11-20 12:00:00");
    }

    /// Writes `rows` into `sheet` as text from its first row (empty cells
    /// left out).
    fn write_rows(sheet: &mut Worksheet, rows: &[&[&str]]) {
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }

    /// Whether `headers` name a review's id and text, as a command's column
    /// finder would say.
    fn has_id_and_text(headers: &[String]) -> bool {
        ["评价ID", "评价内容"]
            .iter()
            .all(|name| headers.iter().any(|h| h == name))
    }

    /// Every row left: (sheet row, cells).
    fn rows_of(src: &mut ExcelSource) -> Vec<(u64, Vec<String>)> {
        let mut row = Row::default();
        let mut out = vec![];
        while let ReadOutcome::Row = src.read_row(&mut row).unwrap() {
            out.push((row.line, row.iter().map(String::from).collect()));
        }
        out
    }

    /// A two-level header: 订单号 merged down over A1:A2, as a column in no
    /// group is; 评价内容 over D2:E2 one header (the second column stays
    /// unnamed); 客服 over F3:F4 data.
    fn two_level_header_book() -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        write_rows(
            sheet,
            &[
                &[],
                &["", "评价ID", "评价时间", "", "", "客服"],
                &["O1", "A1", "2026-11-25 10:00", "态度差", "追评"],
                &["O2", "A2", "2026-11-25 11:00", "回复慢", ""],
            ],
        );
        let plain = Format::new();
        sheet.merge_range(0, 0, 1, 0, "订单号", &plain).unwrap();
        sheet.merge_range(0, 1, 0, 4, "评价信息", &plain).unwrap();
        sheet.write_string(0, 5, "客服信息").unwrap();
        sheet.merge_range(1, 3, 1, 4, "评价内容", &plain).unwrap();
        sheet.merge_range(2, 5, 3, 5, "王芳", &plain).unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_two_level_header_is_read_from_its_second_row() {
        // Found by exploratory testing: group names over merged cells in
        // row 1 were taken for the header.
        let mut src = ExcelSource::open("t.xlsx", two_level_header_book(), None).unwrap();
        assert_eq!(
            src.headers(),
            ["订单号", "评价信息", "", "", "", "客服信息"]
        );
        assert_eq!(
            src.move_header(&has_id_and_text).unwrap(),
            HeaderMove::Moved
        );
        assert_eq!(
            src.headers(),
            ["订单号", "评价ID", "评价时间", "评价内容", "", "客服"]
        );
        assert_eq!(src.header_line(), 2);
        let rows = rows_of(&mut src);
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(
            rows[1].1,
            ["O2", "A2", "2026-11-25 11:00", "回复慢", "", "王芳"]
        );
    }

    #[test]
    fn a_header_below_metadata_is_found_on_the_one_sheet_that_has_it() {
        // A summary sheet first, then the data below an ERP export's
        // metadata, its header on row 5.
        let mut book = Workbook::new();
        write_rows(
            book.add_worksheet().set_name("汇总").unwrap(),
            &[&["渠道", "差评数"], &["天猫", "2"]],
        );
        write_rows(
            book.add_worksheet().set_name("明细").unwrap(),
            &[
                &["2026年11月差评明细"],
                &["导出人：", "张三"],
                &["导出时间：", "2026-11-26 09:00"],
                &[],
                &["评价ID", "评价时间", "评价内容"],
                &["C1", "2026-11-25 10:00", "态度差"],
            ],
        );
        let bytes = book.save_to_buffer().unwrap();
        let mut src = ExcelSource::open("t.xlsx", bytes, None).unwrap();
        // No row of the summary has the columns, and none looks more like a
        // header than its first.
        assert_eq!(
            src.move_header(&has_id_and_text).unwrap(),
            HeaderMove::Stayed { likeliest: None }
        );
        assert_eq!(
            src.switch_sheet(&has_id_and_text).unwrap().as_deref(),
            Some("明细")
        );
        assert_eq!(src.headers(), ["评价ID", "评价时间", "评价内容"]);
        assert_eq!(src.header_line(), 5);
        assert_eq!(
            rows_of(&mut src).iter().map(|r| r.0).collect::<Vec<_>>(),
            [6]
        );
    }

    /// What a source read: header, its row, every row below it, and the
    /// blank rows skipped.
    #[derive(Debug, PartialEq)]
    struct Read {
        headers: Vec<String>,
        header_line: u64,
        rows: Vec<(u64, Vec<String>)>,
        blank_rows: u64,
    }

    /// Reads `bytes` as a command would, streamed or whole: its columns
    /// found by `usable` (the header moved, or another sheet read).
    fn read_as(bytes: &[u8], reading: Reading, usable: &dyn Fn(&[String]) -> bool) -> Read {
        let mut src = ExcelSource::open_as("t.xlsx", bytes.to_vec(), None, reading).unwrap();
        if !usable(src.headers()) && src.move_header(usable).unwrap() != HeaderMove::Moved {
            src.switch_sheet(usable).unwrap();
        }
        assert_eq!(
            matches!(src.sheet.cells, Cells::Streamed),
            reading == Reading::Streamed
        );
        let rows = rows_of(&mut src);
        Read {
            headers: src.headers().to_vec(),
            header_line: src.header_line(),
            rows,
            blank_rows: src.blank_rows(),
        }
    }

    /// Reads `bytes` streamed and whole, asserts both read the same, and
    /// returns it.
    fn read_both(bytes: &[u8], usable: &dyn Fn(&[String]) -> bool) -> Read {
        let streamed = read_as(bytes, Reading::Streamed, usable);
        assert_eq!(streamed, read_as(bytes, Reading::Whole, usable));
        streamed
    }

    #[test]
    fn a_streamed_sheet_reads_as_the_whole_sheet_did() {
        use rust_xlsxwriter::ExcelDateTime;
        // An export as WPS writes it: nothing in column A, a title merged
        // across, a blank row, the header; 渠道 merged down over four rows
        // (one otherwise empty), a blank row and a row of white space in
        // the middle, typed cells, a note far to the right, and a merged
        // range that runs past the last row.
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let plain = Format::new();
        let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        let time = Format::new().set_num_format("hh:mm:ss");
        sheet
            .merge_range(0, 1, 0, 7, "2026年11月差评明细表", &plain)
            .unwrap();
        let header = [
            "评价ID",
            "评价时间",
            "评价等级",
            "评价内容",
            "客服工号",
            "渠道",
            "耗时",
        ];
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(2, c as u16 + 1, *h).unwrap();
        }
        for r in 3..14u32 {
            if r == 5 || r == 8 || r == 9 {
                continue;
            }
            sheet.write_string(r, 1, format!("S{r}")).unwrap();
            let at =
                ExcelDateTime::parse_from_str(&format!("2026-11-{:02} 09:{:02}:00", r + 10, r))
                    .unwrap();
            sheet.write_datetime_with_format(r, 2, at, &date).unwrap();
            sheet.write_number(r, 3, 1.0).unwrap();
            sheet.write_string(r, 4, "客服态度差\r").unwrap();
            sheet
                .write_number(r, 5, 13_800_138_000.0 + f64::from(r))
                .unwrap();
            sheet
                .write_datetime_with_format(
                    r,
                    7,
                    ExcelDateTime::from_hms(0, 3, 30.5).unwrap(),
                    &time,
                )
                .unwrap();
        }
        sheet.merge_range(3, 6, 6, 6, "天猫", &plain).unwrap();
        sheet.write_string(9, 3, " \u{3000}").unwrap();
        sheet.write_boolean(10, 6, true).unwrap();
        sheet.write_number(11, 6, 4.5).unwrap();
        sheet.write_string(11, 10, "备注：重复投诉").unwrap();
        sheet.merge_range(13, 6, 16, 6, "京东", &plain).unwrap();
        sheet.merge_range(12, 3, 12, 4, "合并", &plain).unwrap();
        // A merged range whose first cell is empty gives nothing: the value
        // a cell below holds (as a file may) stays.
        sheet.merge_range(11, 8, 12, 8, "", &plain).unwrap();
        sheet.write_string(12, 8, "保留").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let read = read_both(&bytes, &|_: &[String]| true);
        assert_eq!(read.header_line, 3);
        // From column B to the note in column K, but column J, which is
        // empty from top to bottom.
        assert_eq!(read.headers.len(), 9);
        assert_eq!(read.headers[..7], header);
        let lines: Vec<u64> = read.rows.iter().map(|r| r.0).collect();
        // Row 6 is blank but for the range 天猫 covers: blank, as its CSV
        // line is; rows 9 and 10 are blank.
        assert_eq!(lines, [4, 5, 7, 8, 11, 12, 13, 14]);
        assert_eq!(read.blank_rows, 3);
        assert_eq!(
            read.rows[0].1[..7],
            [
                "S3",
                "2026-11-13 09:03:00",
                "1",
                "客服态度差",
                "13800138003",
                "天猫",
                "00:03:30"
            ]
        );
        assert_eq!(read.rows[1].1[5], "天猫");
        assert_eq!(read.rows[2].1[5], "天猫");
        assert_eq!(read.rows[3].1[5], "");
        assert_eq!(read.rows[4].1[5], "TRUE");
        assert_eq!(read.rows[5].1[5], "4.5");
        assert_eq!(read.rows[5].1[8], "备注：重复投诉");
        // Merged across a row: the value once, where the file holds it.
        assert_eq!(read.rows[6].1[2..4], ["合并", ""]);
        assert_eq!(read.rows[6].1[7], "保留");
        // 京东 over N14:N17: row 14 is the last; nothing below it is made up.
        assert_eq!(read.rows[7].1[5], "京东");
    }

    #[test]
    fn a_stray_value_far_to_the_right_adds_one_column() {
        // A note typed in column XFD of one row: one more column, not the
        // 16,000 empty ones between in every row; a column empty from top
        // to bottom between two that hold cells is left out too.
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        write_rows(
            sheet,
            &[
                &["评价ID", "", "评价内容"],
                &["R1", "", "太慢"],
                &["R2", "", "态度差"],
            ],
        );
        sheet.write_string(2, 16_383, "备注").unwrap();
        let read = read_both(&book.save_to_buffer().unwrap(), &|_: &[String]| true);
        assert_eq!(read.headers, ["评价ID", "评价内容", ""]);
        assert_eq!(
            read.rows,
            [
                (2, vec!["R1".to_string(), "太慢".into(), "".into()]),
                (3, vec!["R2".to_string(), "态度差".into(), "备注".into()]),
            ]
        );
    }

    #[test]
    fn streamed_and_whole_sheets_find_the_same_header_and_sheet() {
        // The two-level header and the summary sheet of the tests above,
        // read both ways as a command does.
        let read = read_both(&two_level_header_book(), &has_id_and_text);
        assert_eq!(
            read.headers,
            ["订单号", "评价ID", "评价时间", "评价内容", "", "客服"]
        );
        assert_eq!(read.rows[1].1[5], "王芳");

        let mut book = Workbook::new();
        write_rows(
            book.add_worksheet().set_name("汇总").unwrap(),
            &[&["渠道", "差评数"], &["天猫", "2"]],
        );
        write_rows(
            book.add_worksheet().set_name("明细").unwrap(),
            &[
                &["导出人：", "张三"],
                &[],
                &["评价ID", "评价时间", "评价内容"],
                &["C1", "2026-11-25 10:00", "态度差"],
            ],
        );
        let read = read_both(&book.save_to_buffer().unwrap(), &has_id_and_text);
        assert_eq!(read.header_line, 3);
        assert_eq!(
            read.rows,
            [(
                4,
                vec!["C1".into(), "2026-11-25 10:00".into(), "态度差".into()]
            )]
        );
    }

    #[test]
    fn a_long_sheet_is_streamed_to_its_last_row() {
        // Far more rows than the thread may read ahead, every 1,000th blank.
        const ROWS: u32 = 30_000;
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        write_rows(sheet, &[&["差评明细"], &[], &["评价ID", "评价内容"]]);
        for r in 3..3 + ROWS {
            if r % 1000 != 0 {
                sheet.write_string(r, 0, format!("L{r}")).unwrap();
                sheet.write_number(r, 1, f64::from(r)).unwrap();
            }
        }
        let bytes = book.save_to_buffer().unwrap();
        let mut src = ExcelSource::open("t.xlsx", bytes.clone(), None).unwrap();
        assert_eq!(src.header_line(), 3);
        let rows = rows_of(&mut src);
        assert_eq!(rows.len(), ROWS as usize - 30);
        assert_eq!(src.blank_rows(), 30);
        for (line, cells) in &rows {
            assert_eq!(cells, &[format!("L{}", line - 1), (line - 1).to_string()]);
        }
        assert_eq!(rows.last().unwrap().0, u64::from(ROWS) + 3);
        // Reading ends as it ends.
        let mut row = Row::default();
        assert!(matches!(src.read_row(&mut row).unwrap(), ReadOutcome::End));
        // A reader that stops early lets the thread go.
        let mut src = ExcelSource::open("t.xlsx", bytes, None).unwrap();
        for _ in 0..10 {
            src.read_row(&mut row).unwrap();
        }
        assert_eq!(row.line, 13);
        drop(src);
    }
}
