//! Self-contained HTML: inline CSS and inline SVG charts, no external fonts,
//! scripts or images, readable offline and printable.

use super::{Cell, Chart, Document, Section};

/// Text as HTML shows it: markup characters as entities, and a NUL (which
/// HTML forbids, and browsers show as U+FFFD) as U+FFFD.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\0', "\u{fffd}")
}

const CSS: &str = "
body{font-family:system-ui,-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif;margin:2rem auto;max-width:1100px;color:#1f2933;padding:0 1rem}
h1{font-size:1.6rem;border-bottom:3px solid #c0392b;padding-bottom:.4rem}
h2{font-size:1.15rem;margin-top:2rem;color:#243b53}
.facts{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.fact{background:#f5f7fa;border-left:4px solid #c0392b;padding:.5rem .9rem;min-width:9rem;display:flex;flex-direction:column-reverse}
.fact dd{margin:0;font-size:1.3rem;font-weight:bold}
.fact dt{font-size:.8rem;color:#52606d}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.5rem 0}
th{background:#243b53;color:#fff;text-align:left;padding:.35rem .5rem}
td{border-bottom:1px solid #d9e2ec;padding:.3rem .5rem;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr:nth-child(even) td{background:#f8fafc}
.note{color:#52606d;font-size:.85rem}
svg{max-width:100%;height:auto;margin:.5rem 0}
svg text{font-size:11px;fill:#334e68}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,svg{break-inside:avoid}}
";

const PALETTE: &[&str] = &[
    "#c0392b", "#2980b9", "#27ae60", "#8e44ad", "#d68910", "#16a085", "#7f8c8d",
];

fn number(c: &Cell) -> f64 {
    match c {
        Cell::Int(n) => *n as f64,
        Cell::Float(f, _) | Cell::Percent(f) => *f,
        Cell::Decimal(d) => d.to_string().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// The most bars a chart draws: a ranking of 2,000 agents is a table, not a
/// chart 65 screens tall (found by exploratory testing). A longer ranking
/// shows its first and last half of these, a Pareto its first.
const MAX_BARS: usize = 40;

/// A bar's label: the label column's text, or where it is empty the next
/// column's (an agent known by name only has no id; found by exploratory
/// testing: the bar had no label).
fn bar_label(row: &[Cell], label: usize) -> String {
    let text = row[label].text();
    if text.is_empty() {
        row.get(label + 1).map(Cell::text).unwrap_or_default()
    } else {
        text
    }
}

fn bars(s: &Section, label: usize, value: usize, cumulative: Option<usize>) -> String {
    let all = &s.table.rows;
    if all.is_empty() {
        return String::new();
    }
    let n = all.len();
    let (rows, left_out): (Vec<&Vec<Cell>>, usize) = if n <= MAX_BARS {
        (all.iter().collect(), 0)
    } else if cumulative.is_some() {
        (all.iter().take(MAX_BARS).collect(), n - MAX_BARS)
    } else {
        let half = MAX_BARS / 2;
        (
            all.iter()
                .take(half)
                .chain(all.iter().skip(n - half))
                .collect(),
            n - MAX_BARS,
        )
    };
    let max = rows
        .iter()
        .map(|r| number(&r[value]))
        .fold(0.0, f64::max)
        .max(1e-9);
    let (w, row_h, left) = (720.0, 24.0, 170.0);
    // A longer list: a line in the chart says how many bars are left out.
    let gap = usize::from(left_out > 0);
    let h = row_h * (rows.len() + gap) as f64 + 20.0;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
        esc(&s.title)
    );
    let span = w - left - 90.0;
    let mut points = vec![];
    // The gap's place: after the first half of a ranking, after the end of a Pareto.
    let gap_at = if cumulative.is_some() {
        rows.len()
    } else {
        MAX_BARS / 2
    };
    if left_out > 0 {
        svg.push_str(&format!(
            "<text x=\"{left}\" y=\"{}\">… {left_out} more in the table</text>",
            10.0 + gap_at as f64 * row_h + 15.0
        ));
    }
    for (i, r) in rows.iter().enumerate() {
        let slot = if left_out > 0 && i >= gap_at {
            i + 1
        } else {
            i
        };
        let y = 10.0 + slot as f64 * row_h;
        let v = number(&r[value]);
        let bw = (v / max * span).max(1.0);
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{left}\" y=\"{}\" width=\"{bw:.1}\" height=\"{}\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            left - 6.0,
            y + 15.0,
            esc(&bar_label(r, label)),
            y + 3.0,
            row_h - 6.0,
            PALETTE[0],
            left + bw + 4.0,
            y + 15.0,
            esc(&r[value].text())
        ));
        if let Some(c) = cumulative {
            points.push(format!(
                "{:.1},{:.1}",
                left + number(&r[c]) * span,
                y + row_h / 2.0
            ));
        }
    }
    if !points.is_empty() {
        svg.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/><line x1=\"{x}\" x2=\"{x}\" y1=\"0\" y2=\"{h}\" stroke=\"#7f8c8d\" stroke-dasharray=\"4 3\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">80%</text>",
            points.join(" "),
            PALETTE[1],
            h - 2.0,
            x = left + 0.8 * span,
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn lines(s: &Section, x: usize, series: &[usize], marks: Option<usize>) -> String {
    let rows = &s.table.rows;
    if rows.len() < 2 {
        return String::new();
    }
    let (w, h, left, top, bottom) = (760.0, 280.0, 50.0, 20.0, 40.0);
    let max = rows
        .iter()
        .flat_map(|r| series.iter().map(move |&c| number(&r[c])))
        .fold(0.0, f64::max)
        .max(1e-9);
    let step = (w - left - 20.0) / (rows.len() - 1) as f64;
    let y_of = |v: f64| top + (h - top - bottom) * (1.0 - v / max);
    let mut svg = format!(
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
        esc(&s.title)
    );
    svg.push_str(&format!(
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#9fb3c8\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>",
        w - 20.0,
        h - bottom,
        h - bottom,
        left - 4.0,
        top + 4.0,
        (max * 100.0).round() / 100.0,
        left - 4.0,
        h - bottom
    ));
    for (k, &c) in series.iter().enumerate() {
        let pts: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{:.1},{:.1}", left + i as f64 * step, y_of(number(&r[c]))))
            .collect();
        svg.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
            pts.join(" "),
            PALETTE[k % PALETTE.len()]
        ));
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" fill=\"{}\">{}</text>",
            left + 8.0 + 110.0 * k as f64,
            h - 6.0,
            PALETTE[k % PALETTE.len()],
            esc(&s.table.columns[c])
        ));
    }
    let every = (rows.len() / 8).max(1);
    for (i, r) in rows.iter().enumerate() {
        let px = left + i as f64 * step;
        if i % every == 0 {
            svg.push_str(&format!(
                "<text x=\"{px:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                h - bottom + 14.0,
                esc(&r[x].text())
            ));
        }
        if let Some(m) = marks {
            let mark = r[m].text();
            if !mark.is_empty() {
                let colour = if mark.contains("high") {
                    PALETTE[0]
                } else {
                    PALETTE[2]
                };
                svg.push_str(&format!(
                    "<circle cx=\"{px:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{colour}\"><title>{}</title></circle>",
                    y_of(number(&r[series[0]])),
                    esc(&mark)
                ));
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A section's table, named for screen readers by the section's heading
/// (`aria-labelledby`), its header cells column headers (`scope`).
fn table(s: &Section) -> String {
    let mut out = format!("<table aria-labelledby=\"{}\"><thead><tr>", esc(&s.key));
    for c in &s.table.columns {
        out.push_str(&format!("<th scope=\"col\">{}</th>", esc(c)));
    }
    out.push_str("</tr></thead><tbody>");
    for r in &s.table.rows {
        out.push_str("<tr>");
        for c in r {
            let class = if c.is_number() { " class=\"n\"" } else { "" };
            out.push_str(&format!(
                "<td{class}>{}</td>",
                esc(&c.text()).replace('\n', "<br>")
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The whole page.
pub fn page(doc: &Document) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>\n<h1>{}</h1>\n",
        esc(&doc.title),
        esc(&doc.title)
    );
    // A description list, label then value: read so without the style
    // sheet (a mail client, a screen reader); the style shows the value
    // large above its label.
    if !doc.facts.is_empty() {
        out.push_str("<dl class=\"facts\">");
        for (_, label, value) in &doc.facts {
            out.push_str(&format!(
                "<div class=\"fact\"><dt>{}</dt><dd>{}</dd></div>",
                esc(label),
                esc(&value.text())
            ));
        }
        out.push_str("</dl>\n");
    }
    for n in &doc.notes {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", esc(n)));
    }
    for s in &doc.sections {
        out.push_str(&format!(
            "<h2 id=\"{}\">{}</h2>\n",
            esc(&s.key),
            esc(&s.title)
        ));
        match &s.chart {
            Some(Chart::Bars { label, value }) => out.push_str(&bars(s, *label, *value, None)),
            Some(Chart::Pareto {
                label,
                value,
                cumulative,
            }) => out.push_str(&bars(s, *label, *value, Some(*cumulative))),
            Some(Chart::Lines { x, series, marks }) => out.push_str(&lines(s, *x, series, *marks)),
            None => {}
        }
        if s.table.rows.is_empty() {
            out.push_str("<p class=\"note\">(none)</p>\n");
        } else {
            out.push_str(&table(s));
        }
        if let Some(n) = &s.note {
            out.push_str(&format!("<p class=\"note\">{}</p>\n", esc(n)));
        }
        out.push('\n');
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Table;

    #[test]
    fn a_long_ranking_charts_its_ends_and_says_what_is_left_out() {
        let mut t = Table::new(&["agent", "count"]);
        for i in 0..100i64 {
            t.push(vec![format!("A{i:03}").as_str().into(), i.into()]);
        }
        let s = Section::new("ranking", "ranking", t);
        let svg = bars(&s, 0, 1, None);
        assert_eq!(svg.matches("<rect").count(), MAX_BARS);
        assert!(svg.contains("… 60 more in the table"), "{svg}");
        assert!(svg.contains(">A000<") && svg.contains(">A099<") && !svg.contains(">A050<"));
        let short = Section::new("s", "s", {
            let mut t = Table::new(&["k", "n"]);
            t.push(vec!["x".into(), 1i64.into()]);
            t
        });
        assert!(!bars(&short, 0, 1, None).contains("more in the table"));
    }
}
