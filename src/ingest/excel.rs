//! Excel workbooks (.xlsx, .xlsm, .xls, .ods) through calamine: the first
//! sheet or a named one; the first non-empty row is the header.
//!
//! Cells become text the rest of kefu parses like any export: date cells as
//! `YYYY-MM-DD HH:MM:SS` (local time, as Excel has no timezone), whole numbers
//! without `.0` (so phone numbers and ids survive), errors as `#N/A` etc.

use std::io::Cursor;

use anyhow::{bail, Result};
use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};

use super::{ReadOutcome, Row, RowSource, TextEncoding};

pub struct ExcelSource {
    headers: Vec<String>,
    range: Range<Data>,
    /// Index (within the range) of the next row to read.
    next: usize,
    /// Sheet row number (1-based) of the range's first row.
    first_row: u64,
}

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
        let range = book
            .worksheet_range(&sheet_name)
            .map_err(|e| anyhow::anyhow!("{name}: cannot read sheet {sheet_name:?} ({e})"))?;
        let first_row = range.start().map(|(r, _)| u64::from(r) + 1).unwrap_or(1);
        let mut src = ExcelSource {
            headers: vec![],
            range,
            next: 0,
            first_row,
        };
        // The header is the first row with any non-empty cell.
        while src.next < src.range.height() {
            let cells: Vec<String> = src.row_cells(src.next);
            src.next += 1;
            if cells.iter().any(|c| !c.trim().is_empty()) {
                src.headers = cells.into_iter().map(|c| c.trim().to_string()).collect();
                break;
            }
        }
        if src.headers.is_empty() {
            bail!("{name}: sheet {sheet_name:?} is empty");
        }
        Ok(src)
    }

    fn row_cells(&self, index: usize) -> Vec<String> {
        let width = self.range.width();
        (0..width)
            .map(|col| {
                self.range
                    .get((index, col))
                    .map(cell_text)
                    .unwrap_or_default()
            })
            .collect()
    }
}

impl RowSource for ExcelSource {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn position_name(&self) -> &'static str {
        "row"
    }

    fn encoding(&self) -> Option<TextEncoding> {
        None
    }

    fn read_row(&mut self, row: &mut Row) -> Result<ReadOutcome> {
        while self.next < self.range.height() {
            let index = self.next;
            self.next += 1;
            let cells = self.row_cells(index);
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            row.line = self.first_row + index as u64;
            row.set(cells);
            return Ok(ReadOutcome::Row);
        }
        Ok(ReadOutcome::End)
    }
}
