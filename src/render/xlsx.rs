//! Excel workbooks: a summary sheet with the facts, then one sheet per
//! section; numbers and dates as typed cells, header row frozen and bold,
//! column widths set from the content (CJK characters count double).

use anyhow::Result;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

use super::{neutralize, Cell, Document, Table};

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str, used: &mut Vec<String>) -> String {
    let mut base: String = name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(28)
        .collect();
    if base.is_empty() {
        base = "sheet".into();
    }
    let mut candidate = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&candidate)) {
        candidate = format!("{base}{n}");
        n += 1;
    }
    used.push(candidate.clone());
    candidate
}

fn width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
        .sum::<f64>()
        .min(60.0)
}

/// The most characters Excel holds in a cell.
const CELL_LIMIT: usize = 32_767;

/// Text for a cell: formula-looking text neutralized, and cut to Excel's
/// [`CELL_LIMIT`] with `…` at the end (a 40,000-character note in one
/// record must not cost the whole workbook); each cut is noted in `cut`.
/// Excel counts UTF-16 units (an emoji is two), so they are counted here.
fn cell_string(s: &str, at: (u32, u16), cut: &mut Vec<(u32, u16)>) -> String {
    let s = neutralize(s);
    if s.len() <= CELL_LIMIT || s.encode_utf16().count() <= CELL_LIMIT {
        return s;
    }
    cut.push(at);
    let mut units = 0;
    let mut kept: String = s
        .chars()
        .take_while(|c| {
            units += c.len_utf16();
            units < CELL_LIMIT
        })
        .collect();
    kept.push('…');
    kept
}

/// Writes `t` on `ws`; returns the cells (row, column) cut to Excel's limit.
fn write_table(ws: &mut Worksheet, t: &Table) -> Result<Vec<(u32, u16)>> {
    let mut cut = vec![];
    let header = Format::new().set_bold().set_background_color("#D9E2EC");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let percent = Format::new().set_num_format("0.0%");
    let wrap = Format::new().set_text_wrap();
    let mut widths: Vec<f64> = t.columns.iter().map(|c| width(c) + 2.0).collect();
    for (c, name) in t.columns.iter().enumerate() {
        ws.write_string_with_format(
            0,
            c as u16,
            cell_string(name, (0, c as u16), &mut cut),
            &header,
        )?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Empty => {}
                Cell::List(_) | Cell::Tag(_) | Cell::Tags(_) => {
                    ws.write_string(r, col, cell_string(&cell.text(), (r, col), &mut cut))?;
                }
                Cell::Text(s) => {
                    if s.contains('\n') {
                        ws.write_string_with_format(
                            r,
                            col,
                            cell_string(s, (r, col), &mut cut),
                            &wrap,
                        )?;
                    } else {
                        ws.write_string(r, col, cell_string(s, (r, col), &mut cut))?;
                    }
                }
                Cell::Int(n) => {
                    ws.write_number(r, col, *n as f64)?;
                }
                // A decimal a spreadsheet's number cannot show exactly (more
                // than 10 places or 15 digits: a rate of 0.0049999999999999
                // showed as 0.0050000000 beside a bonus worked out from the
                // exact rate; found by exploratory testing) is written as
                // its text, every digit kept.
                Cell::Decimal(d)
                    if d.scale() > 10 || d.mantissa().unsigned_abs().to_string().len() > 15 =>
                {
                    ws.write_string(r, col, d.to_string())?;
                }
                Cell::Decimal(d) => {
                    let places = d.scale() as usize;
                    let fmt = Format::new().set_num_format(if places == 0 {
                        "0".to_string()
                    } else {
                        format!("0.{}", "0".repeat(places))
                    });
                    ws.write_number_with_format(
                        r,
                        col,
                        d.to_string().parse::<f64>().unwrap_or(0.0),
                        &fmt,
                    )?;
                }
                Cell::Percent(p) => {
                    ws.write_number_with_format(r, col, *p, &percent)?;
                }
                Cell::Float(f, d) => {
                    let fmt = Format::new().set_num_format(if *d == 0 {
                        "0".to_string()
                    } else {
                        format!("0.{}", "0".repeat(*d as usize))
                    });
                    ws.write_number_with_format(r, col, *f, &fmt)?;
                }
                Cell::Date(d) => {
                    let dt = ExcelDateTime::from_ymd(
                        d.format("%Y").to_string().parse()?,
                        d.format("%m").to_string().parse()?,
                        d.format("%d").to_string().parse()?,
                    )?;
                    ws.write_datetime_with_format(r, col, &dt, &date)?;
                }
                Cell::DateTime(t) => {
                    let dt =
                        ExcelDateTime::parse_from_str(&t.format("%Y-%m-%dT%H:%M:%S").to_string())?;
                    ws.write_datetime_with_format(r, col, &dt, &datetime)?;
                }
            }
            let w = match cell {
                Cell::Date(_) => 12.0,
                Cell::DateTime(_) => 20.0,
                other => width(&other.text()) + 2.0,
            };
            if let Some(cw) = widths.get_mut(c) {
                *cw = cw.max(w);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(cut)
}

/// Says which cells of sheet `sheet` were cut to Excel's limit, if any.
fn say_cut(sheet: &str, t: &Table, cut: &[(u32, u16)]) {
    let Some(&(row, col)) = cut.first() else {
        return;
    };
    let column = t.columns.get(usize::from(col)).map_or("", String::as_str);
    let more = match cut.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    crate::say!(
        "kefu: warning: xlsx sheet {sheet:?}: row {}, column {column:?}{more}: longer than Excel's 32,767 characters per cell, cut (…); the csv, json and html outputs hold the whole text",
        row + 1
    );
}

/// The workbook's bytes.
pub fn workbook(doc: &Document) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let mut used = vec![];
    let mut summary = Table::new(&["项目 (item)", "值 (value)"]);
    summary.push(vec![
        Cell::Text("报表 (report)".into()),
        Cell::Text(doc.title.clone()),
    ]);
    for (_, label, value) in &doc.facts {
        summary.push(vec![Cell::Text(label.clone()), value.clone()]);
    }
    for n in &doc.notes {
        summary.push(vec![
            Cell::Text("说明 (note)".into()),
            Cell::Text(n.clone()),
        ]);
    }
    let ws = book.add_worksheet();
    let name = sheet_name("summary", &mut used);
    ws.set_name(&name)?;
    say_cut(&name, &summary, &write_table(ws, &summary)?);
    for s in &doc.sections {
        let ws = book.add_worksheet();
        let name = sheet_name(&s.key, &mut used);
        ws.set_name(&name)?;
        say_cut(&name, &s.table, &write_table(ws, &s.table)?);
    }
    Ok(book.save_to_buffer()?)
}
