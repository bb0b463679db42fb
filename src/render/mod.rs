//! Rendering: every table kefu prints, in every output format, is built as a
//! [`Table`] (typed cells) and turned into text here. Commands never format
//! output themselves.

pub mod stream;

use std::io::Write;

use anyhow::Result;
use comfy_table::{presets, CellAlignment, ContentArrangement};

/// A typed cell: numbers stay numbers in every format.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
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

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
        }
    }

    fn is_number(&self) -> bool {
        matches!(self, Cell::Int(_))
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

/// Renders a table for a terminal: box-drawn, numbers right-aligned, CJK
/// characters counted as double width, wrapped to the terminal's width.
pub fn terminal_table(table: &Table) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(table.columns.iter());
    for row in &table.rows {
        t.add_row(row.iter().map(|c| {
            let cell = comfy_table::Cell::new(c.text());
            if c.is_number() {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    let mut out = String::new();
    if let Some(title) = &table.title {
        out.push_str(title);
        out.push('\n');
    }
    out.push_str(&t.to_string());
    out.push('\n');
    out
}

/// Writes text to a writer, for output that may go to a closed pipe.
pub fn write_all(out: &mut dyn Write, text: &str) -> Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
