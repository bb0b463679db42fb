//! Writes a CSV file as a one-sheet workbook, every cell text, for
//! measuring workbook import (see README, Known limits).
//!
//! ```text
//! cargo run --example gen_exports -- reviews 100000 > reviews.csv
//! cargo run --example csv_to_xlsx -- reviews.csv reviews.xlsx
//! ```

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        return Err("usage: csv_to_xlsx IN.csv OUT.xlsx".into());
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(input)?;
    for (r, record) in reader.records().enumerate() {
        for (c, field) in record?.iter().enumerate() {
            sheet.write_string(u32::try_from(r)?, u16::try_from(c)?, field)?;
        }
    }
    book.save(output)?;
    Ok(())
}
