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

use std::io::Cursor;

use anyhow::{bail, Result};
use calamine::{open_workbook_auto_from_rs, Data, Dimensions, Range, Reader, Sheets};

use super::TextEncoding;
use super::{
    filled_cells, header_index, header_search_done, HeaderMove, ReadOutcome, Row, RowSource,
    HEADER_CANDIDATE_ROWS,
};

/// The workbook as calamine opens it from memory.
type Workbook = Sheets<Cursor<Vec<u8>>>;

/// Rows of one sheet of a workbook.
pub struct ExcelSource {
    /// The sheet being read.
    sheet: Sheet,
    /// Index (within the range) of the next row to read.
    next: usize,
    /// Every sheet of the workbook, in order.
    all_sheets: Vec<String>,
    /// The workbook's sheets but the one being read, in order.
    other_sheets: Vec<String>,
    /// The workbook, kept until the first row is read when no sheet was
    /// named and there are others, for [`RowSource::switch_sheet`].
    book: Option<Workbook>,
    /// Rows whose every cell is empty, skipped and counted...
    blank_rows: u64,
    /// ...once a row follows them: these have none yet.
    blank_rows_pending: u64,
}

/// One sheet, read: its name, its cells and where its header is.
struct Sheet {
    name: String,
    range: Range<Data>,
    headers: Vec<String>,
    /// Index (within the range) of the header row.
    header_index: usize,
    /// Sheet row number (1-based) of the range's first row.
    first_row: u64,
    /// The sheet's merged ranges, until they are filled in below the header
    /// once it is settled (see [`fill_merged`]).
    merged: Vec<Dimensions>,
}

/// A cell as text, the way kefu reads every export.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim_end_matches('\r').to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

impl ExcelSource {
    pub fn open(name: &str, bytes: Vec<u8>, sheet: Option<&str>) -> Result<ExcelSource> {
        let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
            .map_err(|e| anyhow::anyhow!("{name}: not a readable Excel workbook ({e})"))?;
        let names = book.sheet_names();
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
            None => match names.first() {
                Some(first) => first.clone(),
                None => bail!("{name}: the workbook has no sheets"),
            },
        };
        let Some(read) = read_sheet(&mut book, &sheet_name)
            .map_err(|e| anyhow::anyhow!("{name}: cannot read sheet {sheet_name:?} ({e})"))?
        else {
            bail!("{name}: sheet {sheet_name:?} is empty");
        };
        let other_sheets: Vec<String> = names
            .iter()
            .filter(|n| **n != sheet_name)
            .cloned()
            .collect();
        let keep_book = sheet.is_none() && !other_sheets.is_empty();
        Ok(ExcelSource {
            next: read.header_index + 1,
            sheet: read,
            all_sheets: names,
            other_sheets,
            book: keep_book.then_some(book),
            blank_rows: 0,
            blank_rows_pending: 0,
        })
    }
}

/// Reads sheet `name`: its cells, its header (below any title rows) and its
/// merged ranges below the header filled in; `None` when it has no cells.
fn read_sheet(book: &mut Workbook, name: &str) -> Result<Option<Sheet>, calamine::Error> {
    let range = book.worksheet_range(name)?;
    let Some((top, _)) = range.start() else {
        return Ok(None);
    };
    let mut filled = vec![];
    while filled.len() < range.height() && !header_search_done(&filled) {
        let cells = row_cells(&range, filled.len());
        filled.push(filled_cells(cells.iter().map(String::as_bytes)));
    }
    let Some(header_index) = header_index(&filled) else {
        return Ok(None);
    };
    let merged = merged_ranges(book, name);
    Ok(Some(Sheet {
        name: name.to_string(),
        headers: header_cells(&range, &merged, header_index),
        range,
        header_index,
        first_row: u64::from(top) + 1,
        merged,
    }))
}

impl Sheet {
    /// Moves the header to the first row from `from` (an index within the
    /// range) on, among the first [`HEADER_CANDIDATE_ROWS`] rows that are
    /// not blank, that has at least two cells filled and whose cells
    /// `usable` accepts (see [`RowSource::move_header`]).
    fn find_header(&mut self, from: usize, usable: &dyn Fn(&[String]) -> bool) -> HeaderMove {
        let header_filled = self.headers.iter().filter(|h| !h.is_empty()).count();
        let mut likeliest: Option<(usize, u64, Vec<String>)> = None;
        let mut rank = 0;
        for index in 0..self.range.height() {
            let cells = row_cells(&self.range, index);
            let filled = filled_cells(cells.iter().map(String::as_bytes));
            if filled == 0 {
                continue;
            }
            rank += 1;
            if rank > HEADER_CANDIDATE_ROWS {
                break;
            }
            if index < from || filled < 2 {
                continue;
            }
            let cells = header_cells(&self.range, &self.merged, index);
            if usable(&cells) {
                self.header_index = index;
                self.headers = cells;
                return HeaderMove::Moved;
            }
            let most = likeliest.as_ref().map_or(header_filled, |(n, ..)| *n);
            if filled > most {
                likeliest = Some((filled, self.first_row + index as u64, cells));
            }
        }
        HeaderMove::Stayed {
            likeliest: likeliest.map(|(_, row, cells)| (row, cells)),
        }
    }
}

/// The cells of row `index` (within the range) as header names, trimmed. A
/// cell that a merged range starting above covers in its first column (the
/// name of a column not in any group, merged down over the group row and
/// the header) takes the range's value, as Excel shows it.
fn header_cells(range: &Range<Data>, merged: &[Dimensions], index: usize) -> Vec<String> {
    let mut cells = row_cells(range, index);
    let Some((top, left)) = range.start() else {
        return cells;
    };
    let row = top + index as u32;
    for m in merged.iter().filter(|m| m.start.0 < row && row <= m.end.0) {
        let Some(cell) = m.start.1.checked_sub(left).map(|c| c as usize) else {
            continue;
        };
        if cells.get(cell).is_some_and(|c| c.trim().is_empty()) {
            if let Some(value) = range.get_value(m.start) {
                cells[cell] = cell_text(value);
            }
        }
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The merged ranges of a sheet, where calamine reads them (.xlsx, .xlsm,
/// .xls). A sheet whose list of merged ranges cannot be read is read
/// without it: its values are all there, only the copies are not. For
/// .xlsx this is a second pass over the sheet's XML (no cells built): a
/// 50,000-row sheet took a fifth longer to import (debug build, 2.2 s
/// against 1.8 s); .xls holds them from the first.
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

/// Gives every cell of each merged range below the header row (`渠道`
/// merged over F2:F4 = 天猫) the value of its first cell, the only one the
/// file holds. Ranges that start on or above the header (a title merged
/// across the columns, a heading over several columns) are left as they
/// are, and no cell is added beyond the sheet's data.
fn fill_merged(range: &mut Range<Data>, merged: &[Dimensions], header_row: u32) {
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return;
    };
    for m in merged.iter().filter(|m| m.start.0 > header_row) {
        let value = match range.get_value(m.start) {
            Some(Data::Empty) | None => continue,
            Some(v) => v.clone(),
        };
        for r in m.start.0..=m.end.0.min(end.0) {
            for c in m.start.1.max(start.1)..=m.end.1.min(end.1) {
                if (r, c) != m.start {
                    range.set_value((r, c), value.clone());
                }
            }
        }
    }
}

/// The cells of row `index` (within the range) as text, one per column.
fn row_cells(range: &Range<Data>, index: usize) -> Vec<String> {
    (0..range.width())
        .map(|col| range.get((index, col)).map(cell_text).unwrap_or_default())
        .collect()
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
        self.sheet.first_row + self.sheet.header_index as u64
    }

    fn blank_rows(&self) -> u64 {
        self.blank_rows
    }

    fn sheets(&self) -> Option<(&str, &[String])> {
        (!self.other_sheets.is_empty()).then_some((&self.sheet.name, &self.other_sheets[..]))
    }

    fn switch_sheet(&mut self, usable: &dyn Fn(&[String]) -> bool) -> Result<Option<String>> {
        let Some(book) = self.book.as_mut() else {
            return Ok(None);
        };
        let mut found = vec![];
        for name in &self.other_sheets {
            // A sheet that cannot be read is not the one.
            if let Ok(Some(mut sheet)) = read_sheet(book, name) {
                let first_try = sheet.header_index;
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
        let Some(sheet) = found.pop() else {
            return Ok(None);
        };
        self.next = sheet.header_index + 1;
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
        let moved = self.sheet.find_header(self.sheet.header_index + 1, usable);
        self.next = self.sheet.header_index + 1;
        Ok(moved)
    }

    fn read_row(&mut self, row: &mut Row) -> Result<ReadOutcome> {
        // Reading has begun: the sheet and its header are chosen.
        self.book = None;
        if !self.sheet.merged.is_empty() {
            let merged = std::mem::take(&mut self.sheet.merged);
            let header_row = self.sheet.first_row - 1 + self.sheet.header_index as u64;
            fill_merged(&mut self.sheet.range, &merged, header_row as u32);
        }
        while self.next < self.sheet.range.height() {
            let index = self.next;
            self.next += 1;
            let cells = row_cells(&self.sheet.range, index);
            if cells.iter().all(|c| c.trim().is_empty()) {
                self.blank_rows_pending += 1;
                continue;
            }
            self.blank_rows += std::mem::take(&mut self.blank_rows_pending);
            row.line = self.sheet.first_row + index as u64;
            row.set(cells);
            return Ok(ReadOutcome::Row);
        }
        Ok(ReadOutcome::End)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{Format, Workbook, Worksheet};

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

    #[test]
    fn a_two_level_header_is_read_from_its_second_row() {
        // Found by exploratory testing: group names over merged cells in
        // row 1 were taken for the header. 订单号 is merged down over
        // A1:A2, as a column in no group is; 评价内容 over D2:E2 is one
        // header (the second column stays unnamed); 客服 over F3:F4 is data.
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
        let bytes = book.save_to_buffer().unwrap();
        let mut src = ExcelSource::open("t.xlsx", bytes, None).unwrap();
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
}
