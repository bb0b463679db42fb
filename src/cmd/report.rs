//! `kefu report <daily|causes|trend|compare|distribution>`: reports on
//! negative feedback in every format people open.

use std::path::PathBuf;

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use clap::{Args, Subcommand};

use super::import::{import_for_report, ImportKind};
use super::Globals;
use crate::dates::{self, Period};
use crate::domain::{Cause, FeedbackKind};
use crate::error::Usage;
use crate::render::{self, output, CsvOptions, Format};
use crate::report::{self, Context, GroupBy, TrendBy};
use crate::store::reports::Filters;
use crate::store::Store;
use crate::workspace::Workspace;

const AFTER_HELP: &str = "\
Formats: --format table|csv|json|jsonl|md|html|xlsx, or taken from -o FILE's extension
(another extension needs --format); -o - is stdout.
CSV for Excel: --excel (UTF-8 with BOM) or --encoding gbk. Customer phone numbers and ids
are masked (138****1234) unless --no-mask. Days are cut in the workspace timezone.

Examples:
  kefu report daily --date yesterday -o 差评日报.xlsx
  kefu report causes --from 2026-10-01 --to 2026-10-31 --format md
  kefu report trend --by month --from 2025-12-01 --to 2026-11-30 -o trend.html
  kefu report compare --by agent --period 2026-10 --vs 2026-11
  kefu report distribution --by hour --department 售后一组
  kefu classify export.csv | kefu report causes --input -";

/// Reports on negative feedback (差评报表): daily, causes, trend, compare, distribution.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub report: ReportKind,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Subcommand)]
pub enum ReportKind {
    /// One day's negative feedback (差评日报): items, totals by cause, channel,
    /// department and agent, change against the day before and the 7-day average
    Daily {
        /// The day: 2026-11-20, today, yesterday (今天, 昨天)
        #[arg(long, default_value = "yesterday")]
        date: String,
    },
    /// Cause analysis (原因分析): Pareto with main causes, causes found together, causes per department
    Causes(Range),
    /// Trend (趋势): counts and negative rate per period, high and low periods, mean and median
    Trend {
        #[command(flatten)]
        range: Range,
        /// Period length
        #[arg(long, value_enum, default_value = "day")]
        by: TrendBy,
    },
    /// Compare (对比) agents, departments or channels in one period against another
    Compare {
        /// What to compare
        #[arg(long, value_enum)]
        by: CompareBy,
        /// The period: 2026-11, 2026Q3, 2026, 2026-W47, 2026-11-20, 2026年第3季度, or this-month, last-month, last-week, last-quarter, yesterday (本月, 上月, 上周, 上季度, 昨天) [default: this month]
        #[arg(long)]
        period: Option<String>,
        /// The period to compare with [default: the period before]
        #[arg(long)]
        vs: Option<String>,
    },
    /// When and where negative feedback arrives (分布): by hour, weekday or channel
    Distribution {
        #[command(flatten)]
        range: Range,
        /// What to count by
        #[arg(long, value_enum)]
        by: DistributionBy,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareBy {
    Agent,
    Department,
    Channel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DistributionBy {
    Hour,
    Weekday,
    Channel,
}

/// A range of days (default: the last 30 days, today included; trend by
/// week or month: the last 12 weeks or months, the current one included).
#[derive(Debug, Args)]
pub struct Range {
    /// First day [default: 29 days before --to; trend --by week|month: 12 weeks or months, ending with --to's]
    #[arg(long)]
    pub from: Option<String>,
    /// Last day [default: today]
    #[arg(long)]
    pub to: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindFilter {
    #[value(
        alias = "reviews",
        alias = "评价",
        alias = "差评",
        alias = "評價",
        alias = "差評"
    )]
    Review,
    #[value(alias = "complaints", alias = "投诉", alias = "投訴")]
    Complaint,
    #[value(alias = "全部")]
    All,
}

/// Options every report takes.
#[derive(Debug, Args)]
pub struct Common {
    /// Output format [default: from -o's extension, else table]
    #[arg(long, value_enum, global = true)]
    pub format: Option<Format>,
    /// Write to this file instead of stdout
    #[arg(short, long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CSV for Excel: UTF-8 with a byte-order mark
    #[arg(long, global = true)]
    pub excel: bool,
    /// CSV encoding: utf-8, gbk, or gb18030 (GBK's superset: every character, emoji too)
    #[arg(long, global = true, value_name = "ENCODING")]
    pub encoding: Option<String>,
    /// Show customer phone numbers and ids unmasked, and agent ids or names
    /// the roster lacks that read as personal data (prints a warning)
    #[arg(long, global = true)]
    pub no_mask: bool,
    /// Only this section of the report (e.g. items, by_cause)
    #[arg(long, global = true)]
    pub section: Option<String>,
    /// Reviews, complaints, or all
    #[arg(long, value_enum, global = true, default_value = "all")]
    pub kind: KindFilter,
    /// Only this department (部门); "(none)" for records without one
    #[arg(long, global = true)]
    pub department: Option<String>,
    /// Only this agent (工号 or name)
    #[arg(long, global = true)]
    pub agent: Option<String>,
    /// Only this channel (渠道); "(none)" for records without one
    #[arg(long, global = true)]
    pub channel: Option<String>,
    /// Only this cause (id or Chinese label)
    #[arg(long, global = true)]
    pub cause: Option<String>,
    /// Report on an export (or `-` for stdin) instead of the store
    #[arg(long, global = true, value_name = "FILE")]
    pub input: Option<std::path::PathBuf>,
    /// What --input holds
    #[arg(long, value_enum, global = true, default_value = "reviews")]
    pub input_kind: InputKind,
    /// The encoding --input is read in (utf-8, gbk, gb18030, big5, utf-16le,
    /// utf-16be) [default: detected]
    #[arg(long, global = true, value_name = "ENC", requires = "input")]
    pub input_encoding: Option<String>,
    /// The sheet of an --input workbook [default: the first with the columns needed]
    #[arg(long, global = true, value_name = "NAME", requires = "input")]
    pub input_sheet: Option<String>,
    /// What format --input is in (csv, tsv, json, jsonl, xlsx) [default: by
    /// extension, else by content]: `json` for an API response on stdin
    #[arg(
        long,
        value_enum,
        global = true,
        value_name = "FORMAT",
        requires = "input"
    )]
    pub input_format: Option<crate::ingest::InputFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputKind {
    #[value(
        alias = "review",
        alias = "评价",
        alias = "差评",
        alias = "評價",
        alias = "差評"
    )]
    Reviews,
    #[value(alias = "complaint", alias = "投诉", alias = "投訴")]
    Complaints,
}

/// The days of `r`; without `--from`, `default_from(to)` gives the first.
fn range(
    r: &Range,
    tz: chrono_tz::Tz,
    default_from: impl Fn(NaiveDate) -> NaiveDate,
) -> Result<Period> {
    let to = match &r.to {
        Some(t) => dates::parse_date_arg(t, tz).map_err(|e| Usage(e.to_string()))?,
        None => dates::today(tz)?,
    };
    let from = match &r.from {
        Some(f) => dates::parse_date_arg(f, tz).map_err(|e| Usage(e.to_string()))?,
        None => default_from(to),
    };
    if r.to.is_none() && from > to {
        // The end is today's default, which the user never typed (found
        // by exploratory testing: "the period ends (2026-12-05)…").
        return Err(Usage(format!(
            "--from {from} is after today ({to}), where the period ends without --to: give --to as well"
        ))
        .into());
    }
    Period::range(from, to).map_err(|e| Usage(e.to_string()).into())
}

/// The first day of the default range ending on `to`: 30 days, `to` included.
fn last_30_days(to: NaiveDate) -> NaiveDate {
    to - Duration::days(29)
}

/// A department or channel as `--department`/`--channel` give it: trimmed,
/// and `（NONE）` as `(none)`.
fn filter_value(text: &str) -> String {
    let none = crate::store::reports::NONE;
    if crate::domain::normalize_term(text) == none {
        none.to_string()
    } else {
        text.trim().to_string()
    }
}

/// The period before `p`, of the same kind (week → week, month → month,
/// quarter → quarter, day range → as many days).
fn previous(p: &Period) -> Period {
    let before = p.first - Duration::days(1);
    if p.name.contains("-W") {
        Period::week_of(before)
    } else if p.name.contains('Q') {
        Period::quarter_of(before)
    } else if p.name.len() == 7 {
        Period::month_of(before)
    } else if p.name.len() == 4 {
        Period::year(before.format("%Y").to_string().parse().unwrap_or(2000))
            .unwrap_or_else(|| Period::day(before))
    } else {
        let len = (p.last - p.first).num_days();
        let mut q = Period::range(before - Duration::days(len), before).expect("ordered");
        if len == 0 {
            q = Period::day(before);
        }
        q
    }
}

pub fn run(globals: &Globals, args: ReportArgs) -> Result<()> {
    let ws = Workspace::load(globals.workspace.as_deref(), globals.quiet)?;
    let c = &args.common;
    // Validate everything before touching any file.
    let format = Format::choose(c.format, c.output.as_deref())?;
    // The report written over the export it is made from would lose it
    // (found by exploratory testing).
    // So would one written into it as it goes (found by exploratory
    // testing: `--input - -o /dev/stdin < x.csv` appended the report to
    // x.csv; `>> x.csv` too).
    if let Some(input) = &c.input {
        let read = super::import::read_path(input);
        let named = c.output.as_deref().filter(|o| !output::is_stdout(o));
        if output::file_behind(read).is_some() {
            if let Some(out) = named.filter(|o| super::import::same_file(read, o)) {
                return Err(crate::error::Usage(format!(
                    "-o {} is the --input file: name another",
                    crate::ingest::path_text(out)
                ))
                .into());
            }
            if let Some(out) = output::direct_file(c.output.as_deref())
                .filter(|o| super::import::same_file(read, o))
            {
                return Err(crate::error::Usage(format!(
                    "the report would be written into {}, the --input file: write it elsewhere",
                    crate::ingest::path_text(&out)
                ))
                .into());
            }
        }
    }
    let csv = CsvOptions::for_format(c.excel, c.encoding.as_deref(), format)?;
    let filters = Filters {
        kind: match c.kind {
            KindFilter::Review => Some(FeedbackKind::Review),
            KindFilter::Complaint => Some(FeedbackKind::Complaint),
            KindFilter::All => None,
        },
        // Padding typed around a value (" 售前组 ") is no part of it; (none)
        // in any width or case is the records without one.
        department: c.department.as_deref().map(filter_value),
        agent: c.agent.clone(),
        channel: c.channel.as_deref().map(filter_value),
        cause: c
            .cause
            .as_deref()
            .map(Cause::parse_or_err)
            .transpose()
            .map_err(Usage)?,
    };
    let tz = ws.tz;
    enum Plan {
        Daily(chrono::NaiveDate),
        Causes(Period),
        Trend(Period, TrendBy),
        Compare(GroupBy, Period, Period),
        Distribution(GroupBy, Period),
    }
    let plan = match &args.report {
        ReportKind::Daily { date } => {
            Plan::Daily(dates::parse_date_arg(date, tz).map_err(|e| Usage(e.to_string()))?)
        }
        ReportKind::Causes(r) => Plan::Causes(range(r, tz, last_30_days)?),
        ReportKind::Trend { range: r, by } => {
            Plan::Trend(range(r, tz, |to| by.default_from(to))?, *by)
        }
        ReportKind::Compare { by, period, vs } => {
            let p = match period {
                Some(p) => dates::parse_period(p, tz).map_err(|e| Usage(e.to_string()))?,
                None => Period::month_of(dates::today(tz)?),
            };
            let v = match vs {
                Some(v) => dates::parse_period(v, tz).map_err(|e| Usage(e.to_string()))?,
                None => previous(&p),
            };
            let g = match by {
                CompareBy::Agent => GroupBy::Agent,
                CompareBy::Department => GroupBy::Department,
                CompareBy::Channel => GroupBy::Channel,
            };
            Plan::Compare(g, p, v)
        }
        ReportKind::Distribution { range: r, by } => {
            let g = match by {
                DistributionBy::Hour => GroupBy::Hour,
                DistributionBy::Weekday => GroupBy::Weekday,
                DistributionBy::Channel => GroupBy::Channel,
            };
            Plan::Distribution(g, range(r, tz, last_30_days)?)
        }
    };
    let store = match &c.input {
        Some(input) => {
            let mut store = Store::in_memory(tz)?;
            // The workspace's roster, when it has a store: names link to
            // ids and agents have their departments, as in a report from
            // the store (found by exploratory testing: every department
            // was "(none)" and `--agent A03` was refused).
            if ws.store_path().exists() {
                let roster = ws.open_store()?;
                drop(roster); // opened only to be upgraded if older
                crate::store::agents::copy_roster(&store.conn, &ws.store_path())?;
            }
            let kind = match c.input_kind {
                InputKind::Reviews => ImportKind::Reviews,
                InputKind::Complaints => ImportKind::Complaints,
            };
            let encoding = c
                .input_encoding
                .as_deref()
                .map(crate::ingest::TextEncoding::parse)
                .transpose()
                .map_err(|e| crate::error::Usage(format!("--input-encoding: {e}")))?;
            let options = crate::ingest::InputOptions {
                encoding,
                sheet: c.input_sheet.clone(),
                format: c.input_format,
                ..Default::default()
            };
            import_for_report(globals, &ws, &mut store, vec![input.clone()], kind, options)?;
            store
        }
        None => {
            let store = ws.open_store()?;
            store.read_snapshot()?;
            store
        }
    };
    // --agent as the roster knows them: an id, or a unique name however
    // padded (王　芳); a name several agents share asks for the id.
    let mut filters = filters;
    // A name on no roster stays as written (an export's agent_name).
    if let Some(a) = filters.agent.clone() {
        let roster = crate::store::agents::Lookup::load(&store.conn)?;
        if let Some(id) = super::agent_arg(&roster, &a, globals.quiet)? {
            filters.agent = Some(id);
        }
    }
    // A filter that names nothing the store knows is a typo, not a day
    // without complaints (a cron report would say 当日无差评 forever).
    if let Some((what, value, known)) =
        crate::store::reports::unknown_filter(&store.conn, &filters)?
    {
        let known = if what == "agent" {
            crate::store::agents::Lookup::load(&store.conn)?.did_you_mean(&value)
        } else if known.is_empty() {
            String::new()
        } else {
            format!(" (known: {})", known.join(", "))
        };
        let place = if what == "channel" {
            "in the feedback"
        } else {
            "on the roster or in the feedback"
        };
        return Err(Usage(format!(
            "no {what} {} {place}{known}",
            crate::domain::shown(&value)
        ))
        .into());
    }
    if c.no_mask {
        crate::say!("kefu: warning: customer phone numbers and ids are NOT masked in this report (--no-mask); handle it as personal data");
    }
    let ctx = Context {
        conn: &store.conn,
        tz,
        filters,
        mask: !c.no_mask,
        spellings: crate::report::Spellings::new(crate::store::reports::roster_departments(
            &store.conn,
        )?)
        .masked(!c.no_mask),
        roster_agents: crate::store::reports::roster_agent_keys(&store.conn)?,
        from_input: c.input.is_some(),
    };
    let daily = match plan {
        Plan::Daily(date) => Some(date),
        _ => None,
    };
    let mut doc = match plan {
        Plan::Daily(date) => report::daily(&ctx, date)?,
        Plan::Causes(p) => report::causes(&ctx, &p)?,
        Plan::Trend(p, by) => report::trend(&ctx, &p, by)?,
        Plan::Compare(by, p, v) => report::compare(&ctx, by, &p, &v)?,
        Plan::Distribution(by, p) => report::distribution(&ctx, by, &p)?,
    };
    // A day not over, or still to come, is no quiet day (当日无差评).
    if let Some(date) = daily {
        let today = dates::today(tz)?;
        if date > today {
            doc.notes.push(format!(
                "{date} is after today ({today}): nothing can have arrived for it yet; anything shown is dated in the future (a wrong clock, or a typo in an export?)"
            ));
        } else if date == today {
            doc.notes
                .push(format!("{date} is today and not over: the figures so far"));
        }
    }
    if let Some(s) = &c.section {
        doc.only_section(s)?;
    }
    render::notes_to_stderr(&doc, format, globals.quiet, !c.no_mask);
    render::emit(&doc, format, csv, c.output.as_deref())?;
    if let Some(o) = c.output.as_deref().filter(|o| !output::is_stdout(o)) {
        if !globals.quiet {
            crate::say!("kefu: wrote {}", crate::ingest::path_text(o));
        }
    }
    Ok(())
}
