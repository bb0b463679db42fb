//! `kefu import <KIND> FILE...`: read exports into the store, in one
//! transaction, counting every row as new, updated, unchanged or rejected, and
//! keeping every rejected row with its file, line and reason in a rejects CSV.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use super::Globals;
use crate::classify::{Classifier, Scratch};
use crate::config::{read_toml, MappingFile};
use crate::domain::{shown, Cause, FeedbackKind, Polarity, StarScale, NOT_RATED};
use crate::error::Usage;
use crate::identity::Occurrences;
use crate::ingest::columns::{header_key, ColumnMap, FEEDBACK_FIELDS};
use crate::ingest::records::{
    specs_for, ActivityParser, ActivityRecord, AgentParser, AgentRecord, AutoCause, EventParser,
    FeedbackParser, FeedbackRecord, FileShape,
};
use crate::ingest::{self, InputFormat, InputOptions, ReadOutcome, Row, TextEncoding};
use crate::render::output::{self, Output};
use crate::render::{self, Cell, Table};
use crate::store::feedback::Upsert;
use crate::store::points::NewEvent;
use crate::store::{self, agents, feedback, Counts, Store, TimezoneSync};
use crate::workspace::Workspace;

const AFTER_HELP: &str = "\
Formats: CSV/TSV (delimiter sniffed), JSON (array of objects, or an object holding one),
JSON Lines, Excel .xlsx/.xlsm/.xls/.ods (first sheet, or --sheet). By extension, else by content.
Encodings: UTF-8 (with or without BOM), GBK/GB18030, Big5, UTF-16 with BOM: detected.

Headers are matched to fields through built-in Chinese and English aliases
(评价时间, 客服工号, 评价内容 …); other columns are kept with the record.
Identity: source + the export's id (without one: time, content, order and
customer; an event's agent, day, rule and note), so importing the same or an
overlapping export again adds nothing twice; changed rows are updated.

Examples:
  kefu import reviews taobao-20261120.csv jd-20261120.xlsx
  kefu import reviews --source taobao - < export.csv
  kefu import complaints complaints.jsonl --rejects bad.csv --strict
  kefu import events 奖惩登记表.xlsx --replace 2026Q3
  kefu import agents 客服名单.xlsx --sheet 在职
  kefu import reviews 差评登记表.xlsx --sheet '2025-*'
  kefu import reviews export.csv --map columns.toml --dry-run --format json";

/// Import exports: reviews (评价/差评), complaints (投诉), the roster (客服名单), reward/penalty events (奖惩记录) or monthly activity.
///
/// One invocation is one transaction: all files are imported, or (on an
/// error, or a reject under --strict) none. Rows that cannot be read are not
/// imported and not lost: they are counted and written with file, line, reason
/// and the original row to a rejects CSV.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct ImportArgs {
    /// What the files hold
    pub kind: ImportKind,

    /// Files to import; `-` reads stdin
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Summary format: table (on stderr) or json (on stdout). The input formats
    /// csv, tsv, jsonl, xlsx are accepted here too, as a shorthand for --input-format
    #[arg(long, value_enum, default_value = "table")]
    pub format: SummaryFormat,

    /// Input format, when the extension or content does not tell
    #[arg(long, value_enum, visible_alias = "from")]
    pub input_format: Option<InputFormat>,

    /// Input encoding: utf-8, gbk, gb18030, big5, utf-16le, utf-16be [default: detected]
    #[arg(long)]
    pub encoding: Option<String>,

    /// Excel sheet to read [default: the first]; repeat for several, or give
    /// a pattern (`2025-*`; `*`: every sheet), all in one transaction
    #[arg(long)]
    pub sheet: Vec<String>,

    /// Source name (数据来源): part of each record's identity; given here it also
    /// applies [sources.NAME] of kefu.toml (a name taken from the file does not)
    /// [default: the file name without dates, numbers and copy marks]
    #[arg(long)]
    pub source: Option<String>,

    /// Column mapping file: TOML with a [columns] section, field = "header as in the file"
    #[arg(long, value_name = "FILE.toml")]
    pub map: Option<PathBuf>,

    /// Channel (渠道) to record for rows that have none, e.g. 淘宝
    #[arg(long)]
    pub channel: Option<String>,

    /// Dates written day/month/year (03/11/2026 is 3 November: Hong Kong,
    /// Macau, the UK); without it a date whose day and month are both 12 or
    /// less is rejected as ambiguous
    #[arg(long, conflicts_with = "month_first")]
    pub day_first: bool,

    /// Dates written month/day/year (03/11/2026 is 11 March: the US)
    #[arg(long)]
    pub month_first: bool,

    /// Where to write rejected rows (`-`: stdout) [default: rejects/KIND-TIME-PID.csv in the workspace, only if any]
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,

    /// Fail, and write nothing, if any row is rejected
    #[arg(long)]
    pub strict: bool,

    /// Read and validate everything, count what would change, write nothing to the store
    #[arg(long)]
    pub dry_run: bool,

    /// The files are the whole register (登记表) of their source for PERIOD
    /// (2026Q3, 2026-08, 2026-W32, 2026, a day, or all): records of that source dated in it that
    /// they no longer hold are removed (rows deleted from the sheet). Reviews,
    /// complaints and events; refused, nothing imported, if any row is rejected
    #[arg(long, value_name = "PERIOD")]
    pub replace: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    /// Reviews (评价): all ratings, so that negative rates can be computed
    #[value(
        alias = "review",
        alias = "评价",
        alias = "差评",
        alias = "評價",
        alias = "差評"
    )]
    Reviews,
    /// Complaints (投诉): handled as negative reviews
    #[value(alias = "complaint", alias = "投诉", alias = "投訴")]
    Complaints,
    /// The roster (客服名单): agent id, name, department, leader, dates
    #[value(
        alias = "agent",
        alias = "名单",
        alias = "客服名单",
        alias = "名單",
        alias = "客服名單"
    )]
    Agents,
    /// Reward/penalty events (奖惩记录): agent, date, rule, count, note, reference, verified
    #[value(
        alias = "event",
        alias = "奖惩",
        alias = "奖惩记录",
        alias = "獎懲",
        alias = "獎懲記錄"
    )]
    Events,
    /// Monthly activity (业务量): month, agent, metric, value
    #[value(alias = "业务量", alias = "業務量")]
    Activity,
}

impl ImportKind {
    fn name(self) -> &'static str {
        match self {
            ImportKind::Reviews => "reviews",
            ImportKind::Complaints => "complaints",
            ImportKind::Agents => "agents",
            ImportKind::Events => "events",
            ImportKind::Activity => "activity",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    Table,
    Json,
    #[value(hide = true)]
    Csv,
    #[value(hide = true)]
    Tsv,
    #[value(hide = true)]
    Jsonl,
    #[value(hide = true)]
    Xlsx,
}

/// The validated form of the arguments.
struct Plan {
    kind: ImportKind,
    /// The files to read, a workbook once per sheet read (see `sheets`).
    files: Vec<PathBuf>,
    /// Per entry of `files`: the sheet to read (None: the first, or the
    /// one `find_columns` picks), and whether a pattern chose it (a sheet
    /// without the columns needed is then passed over, said on stderr).
    sheets: Vec<(Option<String>, bool)>,
    input: InputOptions,
    json_summary: bool,
    source: Option<String>,
    columns: BTreeMap<String, String>,
    channel: Option<String>,
    stars: StarScale,
    date_order: crate::dates::DateOrder,
    rejects: Option<PathBuf>,
    strict: bool,
    dry_run: bool,
    /// `--replace`: the first and last local day numbers of its period.
    replace: Option<(i64, i64)>,
    /// For `report --input`: rejected rows are said on stderr (the first
    /// ten), never written to a rejects file (found by exploratory testing:
    /// a report run from a home directory left files of customers' rows in
    /// ./rejects, unannounced).
    for_report: bool,
}

fn plan(args: ImportArgs, ws: &Workspace) -> Result<Plan> {
    let shorthand = match args.format {
        SummaryFormat::Csv => Some(InputFormat::Csv),
        SummaryFormat::Tsv => Some(InputFormat::Tsv),
        SummaryFormat::Jsonl => Some(InputFormat::Jsonl),
        SummaryFormat::Xlsx => Some(InputFormat::Xlsx),
        SummaryFormat::Table | SummaryFormat::Json => None,
    };
    if shorthand.is_some() && args.input_format.is_some() {
        bail!(Usage(
            "give the input format once: --input-format, or --format csv|tsv|jsonl|xlsx".into()
        ));
    }
    // `--source "$SRC"` with SRC unset in a cron job: no name at all, which
    // would pass for a source and slip past --replace's need of one; an
    // empty --channel, every record stored with an empty channel; and
    // `--source 'taobao '`, a second source (found by exploratory testing).
    let args = ImportArgs {
        source: trimmed_option(
            args.source,
            "--source",
            "give the source's name, or leave --source out to take it from the file name",
        )?,
        channel: trimmed_option(
            args.channel,
            "--channel",
            "give the channel's name (淘宝, 电话), or leave --channel out",
        )?,
        ..args
    };
    let replace = match args.replace.as_deref() {
        None => None,
        Some(_)
            if !matches!(
                args.kind,
                ImportKind::Reviews | ImportKind::Complaints | ImportKind::Events
            ) =>
        {
            bail!(Usage(format!(
                "--replace applies to reviews, complaints and events, not {}",
                args.kind.name()
            )));
        }
        Some(all) if matches!(all.trim().to_ascii_lowercase().as_str(), "all" | "全部") => {
            Some((i64::MIN, i64::MAX))
        }
        Some(period) => {
            let p = crate::dates::parse_period(period, ws.tz).map_err(|e| {
                Usage(format!(
                    "--replace {}: {e:#} (a quarter 2026Q3, a month 2026-08, an ISO week 2026-W32, a year, a day, or all)",
                    shown(period)
                ))
            })?;
            Some((
                crate::dates::day_number(p.first),
                crate::dates::day_number(p.last),
            ))
        }
    };
    if replace.is_some() && args.source.is_none() {
        if let Some(f) = args.files.iter().find(|f| {
            // A file named like the kind (complaints.jsonl) names the
            // shared source too (found by exploratory testing: a
            // register so named removed a daily log's records).
            source_named_by_file(&ingest::path_text(f)).is_none_or(|name| name == args.kind.name())
        }) {
            bail!(Usage(format!(
                "--replace needs a source of the register's own, and the name {} gives {:?}, the kind's, which other imports share: name it with --source NAME",
                if is_stdin(f) { "of stdin (-)".to_string() } else { format!("{:?}", ingest::path_text(f)) },
                args.kind.name()
            )));
        }
    }
    if args.files.iter().filter(|f| is_stdin(f)).count() > 1 {
        bail!(Usage("stdin (-) can be read only once".into()));
    }
    let encoding = args
        .encoding
        .as_deref()
        .map(TextEncoding::parse)
        .transpose()
        .map_err(|e| Usage(e.to_string()))?;
    let mut columns = BTreeMap::new();
    let mut channel = None;
    let mut stars = StarScale::default();
    let mut date_order = crate::dates::DateOrder::Either;
    let source = configured_source(&args.source, &args.files, ws)?;
    if let Some(name) = &source {
        if let Some(src) = ws.config.sources.get(name) {
            columns.extend(src.columns.clone());
            channel = src.channel.clone();
            if let Some(s) = src.stars {
                stars = s.into();
            }
            date_order = src.date_order.unwrap_or(date_order);
        }
    }
    if let Some(path) = &args.map {
        // The rejects file is written over: never the mapping read (found
        // by exploratory testing: it replaced the user's mapping).
        // `--rejects -`: the file stdout is redirected to (`>> map.toml`).
        let written = args.rejects.as_deref().and_then(|r| {
            if output::is_stdout(r) {
                output::direct_file(Some(r))
            } else {
                Some(r.to_path_buf())
            }
        });
        if let Some(w) = written.filter(|w| same_file(w, path)) {
            return Err(Usage(format!(
                "--rejects {} is the --map file: name another file",
                ingest::path_text(args.rejects.as_deref().unwrap_or(&w))
            ))
            .into());
        }
        let m: MappingFile = read_toml(path)?;
        columns.extend(m.columns);
        channel = m.channel.or(channel);
        if let Some(s) = m.stars {
            stars = s.into();
        }
        date_order = m.date_order.unwrap_or(date_order);
    }
    if args.day_first {
        date_order = crate::dates::DateOrder::DayFirst;
    } else if args.month_first {
        date_order = crate::dates::DateOrder::MonthFirst;
    }
    stars.validate()?;
    let format = args.input_format.or(shorthand);
    // A sheet named for a file that has none (a CSV) is a mistake, not a
    // no-op (found by exploratory testing: the whole file was imported).
    if !args.sheet.is_empty() && format.is_none_or(|f| f != InputFormat::Xlsx) {
        let text = args.files.iter().find(|f| {
            !is_stdin(f) && InputFormat::from_path(f).is_some_and(|f| f != InputFormat::Xlsx)
        });
        if let Some(file) = text {
            bail!(Usage(format!(
                "{}: --sheet is for workbooks (.xlsx, .xls, .ods); this file has no sheets",
                ingest::path_text(file)
            )));
        }
    }
    // `--rejects -` is stdout, which the JSON summary holds already; so is
    // `/dev/stdout`, or the file stdout is redirected to (found by
    // exploratory testing: the rejects and the JSON were mixed).
    if args.format == SummaryFormat::Json {
        // The summary's stdout, before anything is imported.
        output::check_stdout()?;
        if let Some(r) = args.rejects.as_deref().filter(|r| output::is_own_stdout(r)) {
            bail!(Usage(format!(
                "--rejects {} (stdout) and --format json: stdout holds the summary; name a file for the rejects",
                ingest::path_text(r)
            )));
        }
    }
    let (files, sheets) = sheets_to_read(args.files, &args.sheet)?;
    // The JSON summary would be appended to an export being imported
    // (`import --format json x.csv >> x.csv`), which the next import would
    // read as rows (found by exploratory testing).
    let summary_on_stdout = args.format == SummaryFormat::Json;
    if let Some(f) = files
        .iter()
        .find(|f| summary_on_stdout && output::is_own_stdout(read_path(f)))
    {
        let what = if is_stdin(f) {
            "the file standard input is read from".to_string()
        } else {
            format!("{}, a file being imported", ingest::path_text(f))
        };
        bail!(Usage(format!(
            "stdout is redirected into {what}: the JSON summary would be written into it; redirect it to another file"
        )));
    }
    Ok(Plan {
        kind: args.kind,
        files,
        sheets,
        input: InputOptions {
            format,
            encoding,
            sheet: None,
            cells_as_written: false,
        },
        json_summary: args.format == SummaryFormat::Json,
        source,
        columns,
        channel: args.channel.or(channel),
        stars,
        date_order,
        rejects: args.rejects,
        strict: args.strict,
        dry_run: args.dry_run,
        replace,
        for_report: false,
    })
}

impl Plan {
    /// A note or error of the importer as the command that runs it names its
    /// options: `report --input` reads with `--input-encoding` and
    /// `--input-sheet` (found by exploratory testing: its hints named
    /// import's `--encoding`, which in a report is the output's).
    fn options_named(&self, text: &str) -> String {
        if self.for_report {
            text.replace("--encoding", "--input-encoding")
                .replace("--sheet", "--input-sheet")
                .replace(
                    "--map FILE.toml or [sources.NAME.columns]",
                    "[sources.NAME.columns] in kefu.toml (for a file whose name gives NAME), or check --input-encoding",
                )
                // report has no --map (found by exploratory testing: its
                // hint led to an unknown option).
                .replace(
                    "--map FILE.toml with [columns]",
                    "[sources.NAME.columns] in kefu.toml (for a file whose name gives NAME) with",
                )
                .replace(
                    "with --map FILE.toml",
                    "in [sources.NAME.columns] in kefu.toml (for a file whose name gives NAME)",
                )
        } else {
            text.to_string()
        }
    }
}

/// The files to read, each with its sheet: one `--sheet NAME` applies to
/// every file as before; several, or a pattern (`2025-*`, `*`), expand each
/// workbook into the sheets they name, in the workbook's order (found by
/// exploratory testing: migrating 23 monthly sheets took 23 imports, not
/// one transaction).
#[allow(clippy::type_complexity)]
fn sheets_to_read(
    files: Vec<PathBuf>,
    sheets: &[String],
) -> Result<(Vec<PathBuf>, Vec<(Option<String>, bool)>)> {
    let is_pattern = |s: &str| s.contains(['*', '?']);
    match sheets {
        [] => {
            let n = files.len();
            return Ok((files, vec![(None, false); n]));
        }
        [one] if !is_pattern(one) => {
            let n = files.len();
            return Ok((files, vec![(Some(one.clone()), false); n]));
        }
        _ => {}
    }
    let mut out_files = vec![];
    let mut out_sheets = vec![];
    for path in files {
        if is_stdin(&path) {
            bail!(Usage(
                "stdin (-) is read once: one sheet per import (--sheet NAME), or save the workbook as a file to read several".into()
            ));
        }
        let file = ingest::path_text(&path);
        let workbook = InputFormat::from_path(&path) == Some(InputFormat::Xlsx);
        if !workbook {
            bail!(Usage(format!(
                "{file}: several sheets (--sheet given more than once, or a pattern) can be read from a workbook only"
            )));
        }
        let listed = crate::ingest::sheet_names(&path)?;
        let names: Vec<String> = listed.iter().map(|(n, _)| n.clone()).collect();
        for wanted in sheets.iter().filter(|w| !is_pattern(w)) {
            if !names.contains(wanted) {
                bail!(
                    "{file}: no sheet named {wanted:?} (sheets: {})",
                    names.join(", ")
                );
            }
        }
        let mut any = false;
        let mut hidden_matched = vec![];
        for (name, hidden) in &listed {
            let exact = sheets.iter().any(|w| w == name);
            let by_pattern = sheets.iter().any(|w| is_pattern(w) && glob_match(w, name));
            // A pattern reads the sheets Excel shows: a hidden one (last
            // month's rows, a lookup table) is read when named.
            if by_pattern && !exact && *hidden {
                hidden_matched.push(name.clone());
                continue;
            }
            if exact || by_pattern {
                any = true;
                out_files.push(path.clone());
                out_sheets.push((Some(name.clone()), !exact));
            }
        }
        if !any && !hidden_matched.is_empty() {
            bail!(
                "{file}: {} match only sheets hidden in Excel ({}): name one with --sheet to read it",
                sheets.join(", "),
                hidden_matched.join(", ")
            );
        }
        for name in &hidden_matched {
            crate::say!(
                "kefu: {file}: sheet {name:?} is hidden in Excel: passed over (name it with --sheet to read it)"
            );
        }
        if !any {
            bail!(
                "{file}: no sheet matches {} (sheets: {})",
                sheets.join(", "),
                names.join(", ")
            );
        }
    }
    Ok((out_files, out_sheets))
}

/// Says which agents a roster import re-hired under the same id, and which
/// rows were of an earlier employment: the first five of each, and how
/// many (a big roster's churn must not flood a cron job's mail).
fn say_stints(stints: &[(String, String, agents::Stint)], quiet: bool) {
    use agents::Stint;
    let range = |joined: &Option<chrono::NaiveDate>, left: &chrono::NaiveDate| match joined {
        Some(j) => format!("{j} – {left}"),
        None => format!("until {left}"),
    };
    let mut rehired = vec![];
    let mut earlier = vec![];
    let mut without_end = vec![];
    let mut restarted = vec![];
    let mut joined_earlier = vec![];
    let mut reopened = vec![];
    for (id, name, s) in stints {
        match s {
            Stint::Rehired {
                joined,
                left,
                rejoined,
            } => rehired.push(format!(
                "{id} {name} from {rejoined} (employed {})",
                range(joined, left)
            )),
            Stint::Earlier { joined, left } => {
                earlier.push(format!("{id} {name} ({})", range(joined, left)));
            }
            Stint::EarlierWithoutEnd { joined } => {
                without_end.push(format!("{id} {name} (from {joined})"));
            }
            // Not when a row of this import kept the days before as an
            // earlier employment (the re-hire's row came first in the file:
            // found by exploratory testing).
            Stint::Restarted { was, .. }
                if stints.iter().any(|(other, _, s)| {
                    other == id
                        && matches!(s, Stint::Earlier { joined, .. } if joined.is_none_or(|j| j <= *was))
                }) => {}
            Stint::Restarted { was, now } => {
                restarted.push(format!("{id} {name} ({was} → {now})"));
            }
            Stint::JoinedEarlier { was, now } => {
                joined_earlier.push(format!("{id} {name} ({was} → {now})"));
            }
            Stint::Reopened { left } => reopened.push(format!("{id} {name} (left {left})")),
        }
    }
    if !reopened.is_empty() {
        crate::say!(
            "kefu: warning: {} agent(s)' 离职日期 cleared by a row without one: {}; they are on the roster again. If the row is from an older roster imported after the leaving row, import the leaving row again",
            reopened.len(),
            first_of(&reopened, 5)
        );
    }
    if !joined_earlier.is_empty() {
        crate::say!(
            "kefu: warning: {} agent(s)' 入职日期 moved earlier with no 离职日期: {}; taken as a correction of the current employment. If the row is of an earlier employment (an old roster imported after a re-hire's), import the re-hire's roster again once the leaving row is in",
            joined_earlier.len(),
            first_of(&joined_earlier, 5)
        );
    }
    if !rehired.is_empty() && !quiet {
        crate::say!(
            "kefu: {} agent(s) re-hired under the same id: {}; the earlier employment is kept (its days still count in points, bonus and reports)",
            rehired.len(),
            first_of(&rehired, 5)
        );
    }
    if !earlier.is_empty() && !quiet {
        crate::say!(
            "kefu: {} roster row(s) of an earlier employment (it ended before the agent's current one began): {}; kept as such, the current one unchanged",
            earlier.len(),
            first_of(&earlier, 5)
        );
    }
    if !without_end.is_empty() && !quiet {
        crate::say!(
            "kefu: {} roster row(s) of an earlier employment without a 离职日期: {}; nothing changed (the current employment stays; give the 离职日期 to keep the earlier one)",
            without_end.len(),
            first_of(&without_end, 5)
        );
    }
    if !restarted.is_empty() {
        crate::say!(
            "kefu: warning: {} agent(s)' 入职日期 moved later with no 离职日期 before it: {}; the days before the new 入职日期 no longer count. If they left and were re-hired, import the roster row of the earlier employment with its 离职日期 (its 入职日期 the earlier one) to keep those days",
            restarted.len(),
            first_of(&restarted, 5)
        );
    }
}

/// Whether `path` is `-`, standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The path an input is read through: `/dev/stdin` for `-`, whose links
/// lead to the file stdin was redirected from (`< export.csv`), if any.
pub(crate) fn read_path(file: &Path) -> &Path {
    if is_stdin(file) {
        Path::new("/dev/stdin")
    } else {
        file
    }
}

/// Whether `text` matches `pattern`, where `*` is any run of characters and
/// `?` any one.
fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // The classic two-pointer match with backtracking to the last `*`.
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// An option's value without the white space (or invisible characters)
/// around it; an empty one is a usage error saying `advice`.
fn trimmed_option(value: Option<String>, option: &str, advice: &str) -> Result<Option<String>> {
    let invisible = |c: char| c.is_whitespace() || crate::domain::is_invisible(c);
    match value.as_deref().map(|v| v.trim_matches(invisible)) {
        Some("") => bail!(Usage(format!(
            "{option} is empty (an unset variable?): {advice}"
        ))),
        trimmed => Ok(trimmed.map(str::to_string)),
    }
}

/// The source to read the files as: `--source`, else the source the files'
/// names give when `[sources.NAME]` in kefu.toml configures it, so that its
/// settings apply with or without the option (found by exploratory testing:
/// a cron line without `--source` re-read a configured shop's export with
/// default stars and channel, and its records were silently "updated").
/// Files whose names give several sources, one of them configured, are a
/// usage error. A `--source` kefu.toml does not configure is a source of its
/// own; one a letter or two from a configured name is warned about.
fn configured_source(
    source: &Option<String>,
    files: &[PathBuf],
    ws: &Workspace,
) -> Result<Option<String>> {
    let sources = &ws.config.sources;
    if let Some(name) = source {
        // A warning, under -q too; a name in another case (PDD for pdd) is
        // one too (found by exploratory testing).
        if !sources.contains_key(name) {
            let lower = name.to_lowercase();
            let distance = |k: &str| strsim::levenshtein(&k.to_lowercase(), &lower);
            let near = sources
                .keys()
                .filter(|k| distance(k) <= 2.min(k.chars().count() / 2))
                .min_by_key(|k| distance(k));
            if let Some(near) = near {
                crate::say!(
                    "kefu: warning: --source {name}: kefu.toml has no [sources.{name}] (did you mean {near}?); read with the default settings, as a source of its own"
                );
            }
        }
        return Ok(source.clone());
    }
    let configured = |f: &PathBuf| {
        source_named_by_file(&ingest::path_text(f)).filter(|s| sources.contains_key(s))
    };
    let Some((first, name)) = files
        .iter()
        .find_map(|f| configured(f).map(|name| (f, name)))
    else {
        return Ok(None);
    };
    if let Some(other) = files.iter().find(|f| configured(f).as_ref() != Some(&name)) {
        let theirs = match source_named_by_file(&ingest::path_text(other)) {
            Some(s) => format!("source {s}"),
            None => "no source".to_string(),
        };
        bail!(Usage(format!(
            "{}'s name gives the source {name}, which [sources.{name}] in kefu.toml configures, but {}'s gives {theirs}: import them separately, or name the source with --source NAME",
            ingest::path_text(first),
            ingest::path_text(other)
        )));
    }
    if !ws.quiet {
        crate::say!(
            "kefu: read as source {name} with [sources.{name}] of kefu.toml, as the file name gives it"
        );
    }
    Ok(Some(name))
}

/// The default source of a file: its name without extension, and without
/// trailing dates and numbers, so that daily exports of one platform
/// (taobao-20261120.csv, taobao-20261121.csv) share one identity space; and
/// without the marks copies and versions of a sheet get (`奖惩登记表 - 副本`,
/// `Copy of`, `(2)`, `_v2`, `_7月份`, `_2026Q3`, `（最终版）`), which are the
/// same register. `kind` when the name gives none (stdin, `20261120.csv`).
pub fn source_from_file(file: &str, kind: &str) -> String {
    source_named_by_file(file).unwrap_or_else(|| kind.to_string())
}

/// [`source_from_file`], `None` when the file's name gives no source.
pub fn source_named_by_file(file: &str) -> Option<String> {
    named_by_file(file, Naming::Current)
}

/// The source an earlier kefu named a file by: a short number glued to a
/// word was a mark too (before 2201cab shop1-20261119.csv was source
/// `shop`, douyin_reviews_utf16.tsv `douyin_reviews_utf`; before f0ef7ee
/// 店铺1-… was `店铺`). A store that holds records under that name and none
/// under today's keeps it for files named like those that fed it: see
/// [`resolve_sources`].
pub fn legacy_source_from_file(file: &str, kind: &str) -> String {
    named_by_file(file, Naming::Legacy).unwrap_or_else(|| kind.to_string())
}

/// The source a kefu before 2026-12-07 named a file by: a time of
/// day (`T08-30-00`), a date range's `至`, a week (`W47`, `第47周`) or a
/// quarter in words (`第四季度`) were not marks, and every day's export
/// named so was a source of its own. A store holding records under that
/// name keeps it for the file: see [`resolve_sources`].
fn source_before_time_marks(file: &str, kind: &str) -> String {
    named_by_file(file, Naming::BeforeTimeMarks).unwrap_or_else(|| kind.to_string())
}

/// How a file's name gives its source: today's rule, or one of those
/// stores an earlier kefu wrote hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Naming {
    Current,
    /// Before the time marks of [`source_before_time_marks`].
    BeforeTimeMarks,
    /// Before 2201cab ([`legacy_source_from_file`]).
    Legacy,
}

/// Extensions of the files kefu reads (and of text saved from them).
const DATA_EXTENSIONS: &[&str] = &[
    "csv", "tsv", "txt", "json", "jsonl", "ndjson", "xlsx", "xls", "xlsm", "ods",
];

fn named_by_file(file: &str, naming: Naming) -> Option<String> {
    if file == "-" {
        return None;
    }
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name = stem.trim();
    // A second extension (taobao-20261120.csv.csv: Windows hides the
    // first, and a user typed it again) is no part of the name (found by
    // exploratory testing: every day's export was a source of its own).
    if naming == Naming::Current {
        while let Some((rest, ext)) = name.rsplit_once('.') {
            if !DATA_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) {
                break;
            }
            name = rest.trim_end();
        }
    }
    for copy in ["Copy of ", "copy of ", "副本 - "] {
        name = name.strip_prefix(copy).unwrap_or(name).trim_start();
    }
    let whole = name;
    loop {
        let before = name.len();
        name = strip_version_mark(name, naming);
        if name.len() == before {
            break;
        }
    }
    if name.is_empty() && naming != Naming::Legacy {
        // Numbers only: a leading number that is no date names the
        // source (12315-202611.csv is the 12315 platform's, not the
        // kind's; found by exploratory testing). 20261130.csv stays none.
        let first: String = whole.chars().take_while(char::is_ascii_digit).collect();
        if !first.is_empty() && !is_date_number(&first) {
            return Some(first);
        }
    }
    (!name.is_empty()).then(|| name.to_string())
}

/// Whether a run of digits reads as a date or a part of one: a day or a
/// month (up to 2 digits), a year (19xx, 20xx) or a month and day (1120,
/// 0315: daily exports named so share the kind's source, as before; found
/// by exploratory testing), year and month, or year, month and day.
fn is_date_number(digits: &str) -> bool {
    let year = |d: &str| d.starts_with("19") || d.starts_with("20");
    let month_day = |d: &str| {
        let (m, day) = (d[..2].parse::<u32>(), d[2..].parse::<u32>());
        matches!((m, day), (Ok(1..=12), Ok(1..=31)))
    };
    match digits.len() {
        1 | 2 => true,
        4 => year(digits) || month_day(digits),
        6 | 8 => year(digits),
        _ => false,
    }
}

/// Characters that separate a mark from a name (full-width ones too).
fn is_mark_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '_' | '.' | ' ' | '　' | '－' | '—' | '–' | '＿' | '~' | '～'
    )
}

/// Whether `text` (inside brackets) is nothing but marks: `2`, `v2`,
/// `最终版`, `副本 2`.
fn is_marks_only(text: &str) -> bool {
    let text = text.trim_matches(is_mark_separator);
    if text.is_empty() || VERSION_WORDS.iter().any(|w| text.eq_ignore_ascii_case(w)) {
        return true;
    }
    let shorter = strip_version_mark(text, Naming::Current);
    shorter.len() < text.len() && is_marks_only(shorter)
}

/// Words that mark a copy or version of a sheet.
const VERSION_WORDS: [&str; 14] = [
    "副本",
    "最终版",
    "终版",
    "修改版",
    "修订版",
    // As Traditional Chinese Windows and Excel write them (- 複本).
    "複本",
    "最終版",
    "終版",
    "修訂版",
    "已修改",
    "新版",
    "copy",
    "final",
    "new",
];

/// `name` without one trailing mark of a date, number, copy or version, if
/// it ends with one (see [`source_from_file`]); a bracketed mark goes with
/// its brackets, and only a bracket that holds nothing but marks does.
fn strip_version_mark(name: &str, naming: Naming) -> &str {
    // 奖惩登记表_, 奖惩登记表_v2 - : the separators a mark taken off left
    // (alone: the digits before them may be a version's, `_v2 - 副本`).
    let trimmed = name.trim_end_matches(is_mark_separator);
    if trimmed.len() < name.len() {
        return trimmed;
    }
    let without_digits = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if without_digits.len() < name.len() {
        // Q3, v2: a quarter or version, after a separator, a digit or a
        // non-ASCII letter.
        if let Some(rest) = without_digits.strip_suffix(['Q', 'q', 'V', 'v']) {
            if rest.is_empty()
                || rest.ends_with(|c: char| {
                    is_mark_separator(c) || c.is_ascii_digit() || !c.is_ascii()
                })
            {
                return rest;
            }
        }
        // A short number glued to a word is part of the name: shop1 and
        // shop2, 店铺1 and 店铺2, are two shops, utf16 no version (two
        // sources kept apart are safe: an import whose ids another source
        // holds is stopped; two merged would overwrite each other's
        // records). After a separator it is a mark (奖惩登记表_7), as after
        // a date's word (奖惩登记表2026年7月).
        let digits = name.len() - without_digits.len();
        // T083000, T08 (of T08-30-00): a time of day after a date's
        // digits; W47: a week, after a year or a separator.
        if naming == Naming::Current {
            if let Some(date) = without_digits.strip_suffix(['T', 't']) {
                if ends_with_digits(date, 2) {
                    return date;
                }
            }
            if let Some(year) = without_digits.strip_suffix(['W', 'w']) {
                if ends_with_digits(year, 4) || year.ends_with(is_mark_separator) {
                    return year;
                }
            }
        }
        // Nor after a range's word or a time's (至11-21, 08时30分).
        let time_word = |c: char| {
            naming == Naming::Current
                && matches!(c, '至' | '到')
                && date_ends(
                    without_digits[..without_digits.len() - c.len_utf8()]
                        .trim_end_matches(is_mark_separator),
                )
        };
        if naming != Naming::Legacy
            && digits < 4
            && without_digits.ends_with(|c: char| {
                c.is_alphabetic() && !matches!(c, '年' | '月' | '日' | '期') && !time_word(c)
            })
        {
            return name;
        }
        // 12, 20261120, and 2026-11-20 a number at a time.
        return without_digits;
    }
    // (2), (v2), （最终版）, (副本): a bracket of marks only.
    for (open, close) in [('(', ')'), ('（', '）'), ('[', ']'), ('【', '】')] {
        if let Some(inner) = name.strip_suffix(close) {
            if let Some(at) = inner.rfind(open) {
                if is_marks_only(&inner[at + open.len_utf8()..]) {
                    return &name[..at];
                }
            }
            return name;
        }
    }
    // 7月, 7月份, 2026年, 20日: a date in words, after its digits (not
    // 号: 店铺1号 and 店铺2号 are two shops).
    for unit in ["月份", "年", "月", "日"] {
        if let Some(rest) = name.strip_suffix(unit) {
            if rest.ends_with(|c: char| c.is_ascii_digit()) {
                return rest;
            }
        }
    }
    if naming == Naming::Current {
        if let Some(rest) = strip_time_mark(name) {
            return rest;
        }
    }
    let lower = name.to_ascii_lowercase();
    for word in VERSION_WORDS {
        if lower.ends_with(word) && name.len() > word.len() {
            let rest = &name[..name.len() - word.len()];
            // A whole word: after a separator, a bracket or a non-ASCII name.
            if !word.is_ascii() || rest.ends_with(|c: char| is_mark_separator(c) || !c.is_ascii()) {
                return rest;
            }
        }
    }
    name
}

/// Whether `text` ends as a date does: a digit, 日, 号, 月 or 年.
fn date_ends(text: &str) -> bool {
    ends_with_digits(text, 1) || text.ends_with(['日', '号', '月', '年'])
}

/// `name` without a clock time in words at its end, after a date
/// (`…21日08时30分`, `…日下午3点`, `2026-11-20 上午08时30分12秒`): an hour of
/// one or two digits and 时 or 点, then perhaps minutes (分) and seconds
/// (秒), a half-day's word (上午, 下午 …) perhaps before the hour. Only
/// after a date (日, 号, or a separator after digits): 24点, 60秒, 满分100分
/// and 全家24点 are names.
fn strip_clock_in_words(name: &str) -> Option<&str> {
    let number = |s: &str| -> Option<usize> {
        let digits = s.bytes().rev().take_while(u8::is_ascii_digit).count();
        (1..=2).contains(&digits).then_some(s.len() - digits)
    };
    let mut rest = name;
    if let Some(r) = rest.strip_suffix('秒') {
        rest = &r[..number(r)?];
        if !rest.ends_with('分') {
            return None;
        }
    }
    if let Some(r) = rest.strip_suffix('分') {
        rest = &r[..number(r)?];
        if !rest.ends_with(['时', '点']) {
            return None;
        }
    }
    let r = rest.strip_suffix(['时', '点'])?;
    rest = &r[..number(r)?];
    let mut half_day = false;
    for half in ["上午", "下午", "凌晨", "早上", "中午", "晚上"] {
        if let Some(r) = rest.strip_suffix(half) {
            (rest, half_day) = (r, true);
            break;
        }
    }
    // After 日 or 号, a separator between or not; after a date's digits, a
    // separator or a half-day's word between (20261120下午3点).
    let date = rest.trim_end_matches(is_mark_separator);
    let after_date = date.ends_with(['日', '号'])
        || ((date.len() < rest.len() || half_day) && ends_with_digits(date, 1));
    after_date.then_some(rest)
}

/// Whether `text` ends with at least `n` ASCII digits.
fn ends_with_digits(text: &str, n: usize) -> bool {
    text.bytes().rev().take_while(u8::is_ascii_digit).count() >= n
}

/// `name` without one trailing mark of a time, a range or a period kefu
/// before 2026-12-07 left in sources ([`source_before_time_marks`]):
/// - `Z` (UTC) after a time's digits, `T` before them (`20261120T0830Z`);
/// - `至`, `到` (a date range: `2026-11-20至2026-11-21`), after a date;
/// - a week: `47周`, `第47周` (`W47` is taken off with its digits); a
///   year, a half or a quarter: `年度`,
///   `第四季度`, `第4季度`, `四季度`, `上半年`, `下半年`;
/// - `第` left before a number taken off, after a year or a separator.
fn strip_time_mark(name: &str) -> Option<&str> {
    let date_before = date_ends;
    if let Some(rest) = name.strip_suffix(['Z', 'z']) {
        let time = rest.trim_end_matches(|c: char| c.is_ascii_digit());
        if time.len() < rest.len()
            && time
                .strip_suffix(['T', 't'])
                .is_some_and(|d| ends_with_digits(d, 2))
        {
            return Some(rest);
        }
    }
    // Spaced or not (2026-11-20 至 2026-11-21, _至_).
    for word in ["至", "到"] {
        if let Some(rest) = name.strip_suffix(word) {
            if date_before(rest.trim_end_matches(is_mark_separator)) {
                return Some(rest);
            }
        }
    }
    if let Some(rest) = strip_clock_in_words(name) {
        return Some(rest);
    }
    for word in ["年度", "上半年", "下半年", "周", "週"] {
        if let Some(rest) = name.strip_suffix(word) {
            if word == "周" || word == "週" {
                if ends_with_digits(rest, 1) {
                    return Some(rest.trim_end_matches(|c: char| c.is_ascii_digit()));
                }
            } else if rest.is_empty() || date_before(rest) || rest.ends_with(is_mark_separator) {
                return Some(rest);
            }
        }
    }
    if let Some(rest) = name.strip_suffix("季度") {
        let number = rest.trim_end_matches(['一', '二', '三', '四', '1', '2', '3', '4']);
        if number.len() < rest.len() {
            return Some(number);
        }
    }
    // 08:30:00 (a name only some systems allow), +0800 (a time's offset).
    if let Some(rest) = name.strip_suffix([':', '+']) {
        if ends_with_digits(rest, 2) {
            return Some(rest);
        }
    }
    if let Some(rest) = name.strip_suffix('第') {
        if rest.is_empty() || date_before(rest) || rest.ends_with(is_mark_separator) {
            return Some(rest);
        }
    }
    None
}

/// The source of each file of `plan`: `--source`, else what the file's name
/// gives ([`source_from_file`]); but where `table` holds records under the
/// name kefu before 2201cab gave it ([`legacy_source_from_file`]: shop1-…
/// was `shop`) and none under today's, that one, so that an upgraded
/// store's daily exports stay one source (found by exploratory testing:
/// the next day's export became a source of its own, and the same day's
/// was stopped as a copy of the old one).
fn resolve_sources(
    tx: &rusqlite::Transaction<'_>,
    plan: &Plan,
    table: Option<&str>,
    quiet: bool,
) -> Result<Vec<String>> {
    let kind = plan.kind.name();
    // Files earlier imports read, read once if needed.
    let mut history: Option<Vec<String>> = None;
    plan.files
        .iter()
        .map(|file| {
            if let Some(s) = &plan.source {
                return Ok(s.clone());
            }
            let name = ingest::path_text(file);
            let current = source_from_file(&name, kind);
            // A file a kefu before 2026-12-07 named with its time marks
            // (taobao-2026-11-20T08-30-00): its records stay where they
            // are, not a copy under today's name (each such name was one
            // file's, or one day's).
            let before = source_before_time_marks(&name, kind);
            if let Some(table) = table.filter(|_| before != current) {
                if store::holds_source(tx, table, &before)? {
                    if !quiet {
                        crate::say!(
                            "kefu: {}: source {before}, as an earlier kefu named this file: the store holds its records under that name (today's name for it is {current})",
                            ingest::path_text(file)
                        );
                    }
                    return Ok(before);
                }
            }
            let legacy = legacy_source_from_file(&name, kind);
            let Some(table) = table.filter(|_| legacy != current) else {
                return Ok(current);
            };
            if store::holds_source(tx, table, &legacy)? && !store::holds_source(tx, table, &current)? {
                // Only where the store's `legacy` records came from files
                // named like this one: shop1-… and shop2-… both went to
                // `shop`, but a store that only ever read shop1-… files
                // starts `shop2` apart (found by a regression sweep: a
                // second shop's export overwrote the first's records).
                let history = match &mut history {
                    Some(h) => h,
                    None => history.insert(store::imported_files(tx)?),
                };
                let earlier: Vec<&String> = history
                    .iter()
                    .filter(|f| legacy_source_from_file(f, kind) == legacy)
                    .collect();
                if !earlier.is_empty()
                    && !earlier.iter().any(|f| source_from_file(f, kind) == current)
                {
                    return Ok(current);
                }
                if !quiet {
                    crate::say!(
                        "kefu: {}: source {legacy}, as an earlier kefu named files like this one: the store holds that source's records, none of {current}",
                        ingest::path_text(file)
                    );
                }
                return Ok(legacy);
            }
            Ok(current)
        })
        .collect()
}

/// Whether two paths name one existing file (links followed).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        #[cfg(unix)]
        (Ok(x), Ok(y)) => {
            use std::os::unix::fs::MetadataExt;
            x.dev() == y.dev() && x.ino() == y.ino()
        }
        #[cfg(not(unix))]
        (Ok(_), Ok(_)) => a.canonicalize().ok() == b.canonicalize().ok(),
        _ => false,
    }
}

/// Per-file counts, in the JSON summary's shape.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    pub file: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub files: Vec<FileSummary>,
    #[serde(flatten)]
    pub total: Counts,
}

/// Writes rejected rows as they come (constant memory), into a file that
/// appears once the import has finished (see `render::output`), or to
/// stdout for `--rejects -`.
struct Rejects {
    path: PathBuf,
    writer: Option<csv::Writer<Output>>,
    always: bool,
    shown: usize,
}

impl Rejects {
    fn add(&mut self, file: &str, line: u64, reason: &str, raw: &str) -> Result<()> {
        if self.writer.is_none() {
            self.open()?;
        }
        if let Some(w) = &mut self.writer {
            // Opened in a spreadsheet to be corrected: a row or file name
            // that starts like a formula (`=cmd|…`, `@SUM(…)`) shows as text
            // (found by exploratory testing).
            let (file, raw) = (
                crate::render::neutralize(file),
                crate::render::neutralize(raw),
            );
            w.write_record([&file, &line.to_string(), reason, &raw])
                .with_context(|| format!("cannot write {}", rejects_name(&self.path)))
                .map_err(|e| self.closed(e))?;
        }
        Ok(())
    }

    /// A rejects stream to stdout that its reader closed (`--rejects - |
    /// head`) fails the import, said: the rows would be lost, and a broken
    /// pipe alone ends kefu without a word (found by exploratory testing:
    /// exit 0 and nothing imported).
    fn closed(&self, e: anyhow::Error) -> anyhow::Error {
        if output::is_stdout(&self.path) && crate::error::is_broken_pipe(&e) {
            anyhow::anyhow!(
                "cannot write the rejected rows to stdout: its reader closed it; nothing was imported (--rejects FILE keeps them in a file)"
            )
        } else {
            e
        }
    }

    fn open(&mut self) -> Result<()> {
        let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir.filter(|_| !output::is_stdout(&self.path)) {
            std::fs::create_dir_all(dir).map_err(|e| {
                // The workspace's rejects/ taken by a file or a link that
                // leads nowhere (said as "File exists", naming nothing).
                let what = if let Some(why) = output::unfollowable(dir) {
                    Some(format!(
                        "it is a symbolic link that cannot be followed ({why})"
                    ))
                } else if dir.is_symlink() && !dir.exists() {
                    Some("it is a symbolic link to a directory that does not exist".to_string())
                } else if let Some(m) = std::fs::metadata(dir).ok().filter(|m| !m.is_dir()) {
                    let what = if m.is_file() {
                        "a file"
                    } else {
                        "a pipe, a device or a socket"
                    };
                    Some(format!("it is {what}, not a directory"))
                } else {
                    None
                };
                let shown = ingest::path_text(dir);
                let hint = "where rejected rows are kept; or name a file with --rejects PATH";
                match what {
                    Some(what) => anyhow::anyhow!("cannot create {shown}: {what} ({hint})"),
                    None => {
                        anyhow::Error::new(e).context(format!("cannot create {shown} ({hint})"))
                    }
                }
            })?;
            // The workspace's rejects/: each import a new name, so what an
            // import killed mid-way left is removed here, not by a later
            // write of its name (found by exploratory testing).
            if !self.always {
                crate::render::output::remove_stale_temps_in(dir);
            }
        }
        // A large buffer: the csv writer looks again for characters that
        // need quoting each time a field fills it, which is quadratic in a
        // field of megabytes (a rejected 50 MB cell took 7 s at 8 KiB).
        let mut w = csv::WriterBuilder::new()
            .buffer_capacity(1 << 20)
            .from_writer(Output::open(Some(&self.path)).context("cannot create the rejects file")?);
        w.write_record(["file", "line", "reason", "raw"])
            .with_context(|| format!("cannot write {}", rejects_name(&self.path)))
            .map_err(|e| self.closed(e))?;
        self.writer = Some(w);
        Ok(())
    }

    /// Writes the rejects file out; whether there is one.
    fn finish(&mut self) -> Result<bool> {
        if self.always && self.writer.is_none() {
            self.open()?;
        }
        match self.writer.take() {
            Some(w) => {
                w.into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| format!("cannot write {}", rejects_name(&self.path)))
                    .and_then(|out| out.finish())
                    .map_err(|e| self.closed(e))?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// An error storing `file`'s records, naming it (found by exploratory
/// testing: "source reg already holds a review with id 1 …" named no file).
fn in_file(e: anyhow::Error, file: &str) -> anyhow::Error {
    anyhow::anyhow!("{file}: {e:#}")
}

/// A file of an import that updated records into other days as other
/// records (see `FileWrites::note_update` in the store).
struct MovedRecords {
    file: String,
    source: String,
    /// How many of its updates did, of `updated`.
    moved: usize,
    updated: u64,
    /// The first few, described.
    first: Vec<String>,
}

/// A file's name as shown, without its directory and extension (none for
/// stdin).
fn file_stem_text(file: &str) -> Option<String> {
    if file == crate::ingest::STDIN_NAME {
        return None;
    }
    Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
}

/// What to call the rejects file in messages: its name, or stdout for `-`.
fn rejects_name(path: &Path) -> String {
    if output::is_stdout(path) {
        "stdout".into()
    } else {
        ingest::path_text(path)
    }
}

/// What the reader thread sends the writer, in file order.
// Nearly every item is a feedback record, so boxing it would only add an
// allocation per row.
#[allow(clippy::large_enum_variant)]
enum Item {
    /// A new file starts; its records belong to `source`.
    File {
        name: String,
        source: String,
        position: &'static str,
        /// What a feedback file has columns for (set once its columns are
        /// found).
        shape: FileShape,
    },
    Feedback(FeedbackRecord<'static>),
    Agent(AgentRecord),
    Event(NewEvent),
    Activity(ActivityRecord),
    Reject {
        line: u64,
        reason: String,
        raw: String,
    },
}

/// Negative feedback is classified as it is imported, except records the
/// store already holds unchanged (a re-import): `lookup`, a connection of the
/// classifier thread's own, reads their stored hashes. The writer classifies
/// any such record it still has to write (see [`classify_missing`]).
fn classify_batch(
    classifier: &Classifier,
    lookup: Option<&Store>,
    source: &mut String,
    mark: &mut i64,
    batch: &mut [Item],
    scratch: &mut Scratch,
) -> Result<()> {
    let mut start = 0;
    while start < batch.len() {
        if let Item::File {
            source: s, shape, ..
        } = &batch[start]
        {
            source.clone_from(s);
            *mark = shape.mark();
            start += 1;
            continue;
        }
        let end = batch[start..]
            .iter()
            .position(|i| matches!(i, Item::File { .. }))
            .map_or(batch.len(), |p| start + p);
        let segment = &mut batch[start..end];
        let stored = match lookup {
            Some(store) => {
                let ids: Vec<&str> = segment
                    .iter()
                    .filter_map(|i| match i {
                        Item::Feedback(r) if r.polarity == Polarity::Negative => Some(&*r.ext_id),
                        _ => None,
                    })
                    .collect();
                feedback::stored(&store.conn, source, &ids)?
            }
            None => HashMap::new(),
        };
        for item in segment {
            if let Item::Feedback(rec) = item {
                // Stored as this reading is, or as a file of this shape
                // with these values left it (see `FileShape::mark`).
                let known = stored
                    .get(&*rec.ext_id)
                    .is_some_and(|&(_, hash)| hash == rec.hash || hash == rec.hash ^ *mark);
                if rec.polarity == Polarity::Negative && rec.auto.is_none() && !known {
                    classify_record(classifier, rec, scratch);
                }
            }
        }
        start = end;
    }
    Ok(())
}

fn classify_record(classifier: &Classifier, rec: &mut FeedbackRecord<'_>, scratch: &mut Scratch) {
    rec.auto = Some(verdict(
        classifier,
        rec.content.as_deref().unwrap_or(""),
        scratch,
    ));
}

/// The classifier's verdict on `text`, as stored.
fn verdict(classifier: &Classifier, text: &str, scratch: &mut Scratch) -> AutoCause {
    let v = classifier.classify(text, scratch);
    AutoCause {
        cause: v.cause,
        causes: v.causes_text(),
        evidence: v.evidence_text(),
    }
}

/// A record left unclassified because the store held it unchanged can still
/// be written: when an earlier row of the same import changed it. Classifies
/// each such record now and stores the verdict. A negative record a file
/// without a text column (`keeps_text`) updated keeps the stored text and
/// its verdict; where that has none (a review stored as positive), the
/// stored text is classified (found by regression testing: such reviews,
/// alone or made positive, then negative again, in one import, kept none).
#[allow(clippy::too_many_arguments)]
fn classify_missing(
    tx: &rusqlite::Transaction<'_>,
    classifier: &Classifier,
    source: &str,
    records: &mut [FeedbackRecord<'static>],
    outcomes: &[Upsert],
    keeps_text: bool,
    scratch: &mut Scratch,
) -> Result<()> {
    for (rec, outcome) in records.iter_mut().zip(outcomes) {
        let negative = rec.polarity == Polarity::Negative;
        if keeps_text && negative && *outcome == Upsert::Updated {
            if let Some(text) = feedback::text_without_verdict(tx, source, &rec.ext_id)? {
                let auto = verdict(classifier, text.as_deref().unwrap_or(""), scratch);
                feedback::set_auto_cause(tx, source, &rec.ext_id, &auto)?;
            }
            continue;
        }
        if *outcome != Upsert::Unchanged && negative && rec.auto.is_none() {
            classify_record(classifier, rec, scratch);
            if let Some(auto) = &rec.auto {
                feedback::set_auto_cause(tx, source, &rec.ext_id, auto)?;
            }
        }
    }
    Ok(())
}

/// Whether an id reads like a number Excel wrote in scientific notation
/// (4.12012E+12): rounded, so that different records share it.
fn looks_like_rounded_number(id: &str) -> bool {
    let id = id.rsplit('/').next().unwrap_or(id).to_ascii_uppercase();
    id.split_once("E+").is_some_and(|(mantissa, exponent)| {
        !mantissa.is_empty()
            && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
            && !exponent.is_empty()
            && exponent.chars().all(|c| c.is_ascii_digit())
    })
}

/// Items per message between the threads. With channels (reader →
/// classifier → writer) of [`BATCHES_IN_FLIGHT`] each, this bounds memory
/// whatever the file size: at most ~7 batches exist at once.
const BATCH: usize = 1024;
const BATCHES_IN_FLIGHT: usize = 2;
/// A batch is also sent once its rows hold this many bytes (rows of
/// 20,000 columns would otherwise hold hundreds of MB in flight).
const BATCH_BYTES: usize = 1 << 20;

/// The longest field an import reads (1 MiB); a row with a longer one is
/// rejected.
const MAX_FIELD_BYTES: usize = 1 << 20;

/// Reads and parses every file on its own thread, so that parsing and
/// SQLite writing use both cores. Stops at the first file-level error.
#[allow(clippy::too_many_arguments)]
fn read_files(
    plan: &Plan,
    sources: &[String],
    ws: &Workspace,
    names: &agents::Lookup,
    quiet: bool,
    show_progress: bool,
    send: &SyncSender<Result<Vec<Item>>>,
) -> Result<(Unlinked, RowNotes)> {
    let kind_name = plan.kind.name();
    let specs = specs_for(kind_name);
    let feedback_kind = feedback_kind_of(plan.kind);
    let mut batch = Vec::with_capacity(BATCH);
    let mut unlinked = Unlinked::new();
    let mut notes = RowNotes::default();
    // Bytes of the rows in `batch`.
    let mut batch_bytes = 0;
    let flush = |batch: &mut Vec<Item>, bytes: &mut usize, force: bool| -> Result<()> {
        if force || batch.len() >= BATCH || *bytes >= BATCH_BYTES {
            *bytes = 0;
            let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
            send.send(Ok(full))
                .map_err(|_| anyhow::anyhow!("the import was stopped"))?;
        }
        Ok(())
    };
    let several_sheets = plan.sheets.iter().any(|(_, by_pattern)| *by_pattern)
        || plan.files.windows(2).any(|w| w[0] == w[1]);
    // Sheets a pattern chose that were read (not passed over).
    let mut sheets_read = 0;
    for ((file, source), (sheet, by_pattern)) in plan.files.iter().zip(sources).zip(&plan.sheets) {
        let counter = Arc::new(AtomicU64::new(0));
        let options = InputOptions {
            sheet: sheet.clone(),
            ..plan.input.clone()
        };
        let mut input = match ingest::open(file, &options, show_progress.then(|| counter.clone())) {
            Ok(input) => input,
            // An empty sheet a pattern chose: passed over, and said.
            Err(e) if *by_pattern => {
                crate::say!(
                    "kefu: {} [{}]: passed over: {e:#}",
                    ingest::path_text(file),
                    sheet.as_deref().unwrap_or("")
                );
                continue;
            }
            Err(e) => {
                let message = plan.options_named(&format!("{e:#}"));
                // A usage error stays one (exit 2), reworded or not.
                if e.chain().any(|c| c.is::<Usage>()) {
                    return Err(Usage(message).into());
                }
                return Err(anyhow::anyhow!("{message}"));
            }
        };
        // A workbook read sheet by sheet: each sheet is a file of its own in
        // the summary and the rejects file.
        if several_sheets {
            if let Some(sheet) = sheet {
                input.name = format!("{} [{sheet}]", input.name);
            }
        }
        let progress = progress_bar(show_progress, input.size, &input.name);
        let mut name = input.name.clone();
        batch.push(Item::File {
            name: name.clone(),
            source: source.clone(),
            position: input.rows.position_name(),
            shape: FileShape::default(),
        });
        if input.rows.no_records() {
            // A register is the whole truth of its period: read as no
            // records, a cut export would remove every record of it (found
            // by exploratory testing).
            if input.format == InputFormat::Jsonl && plan.replace.is_some() {
                bail!("{name}: empty: with --replace, a JSON Lines file with no line would remove every record of the period, and a cut export looks the same; nothing imported (a register with no records is `[]` in a .json file, or a CSV with its header only)");
            }
            // An empty JSON Lines file is said under -q too: a cut export
            // looks the same as a quiet day's.
            if input.format == InputFormat::Jsonl {
                crate::say!("kefu: warning: {name}: empty: read as JSON Lines with no records");
            } else if !quiet {
                crate::say!("kefu: {name}: no records (an empty list)");
            }
            continue;
        }
        let jsonl = input.format == InputFormat::Jsonl;
        let found = input
            .find_columns(|headers| Parsers::new(plan, ws, feedback_kind, headers, specs, names))
            .map_err(|e| {
                let said = plan.options_named(&format!("{e:#}"));
                // JSON Lines whose keys name no field (`code`, `data`).
                if jsonl && said.contains("no column matches a known field") {
                    anyhow::anyhow!("{said}; {}", ingest::JSON_DOCUMENT_HINT)
                } else {
                    anyhow::anyhow!("{said}")
                }
            });
        // JSON has no header rows (its records are keyed by name), and no
        // spreadsheet's error values.
        let json_in = matches!(input.format, InputFormat::Json | InputFormat::Jsonl);
        let mut parsers = match found {
            Ok(parsers) if json_in => parsers.without_excel_errors(),
            Ok(parsers) => parsers,
            // A sheet a pattern chose that holds no such records (a summary
            // sheet, notes): passed over, and said.
            Err(e) if *by_pattern => {
                // Without the advice to choose another sheet: the others
                // the pattern chose are being read.
                let why = format!("{e:#}");
                let why = why.split(" (read sheet ").next().unwrap_or(&why);
                crate::say!("kefu: {name}: passed over: {why}");
                batch.pop();
                continue;
            }
            Err(e) => return Err(anyhow::anyhow!("{name}: {e:#}")),
        };
        sheets_read += 1;
        // Read from another sheet than the first: named so (`x.xlsx [明细]`)
        // in the summary, the rejects file and every message.
        if let Some(Item::File {
            name: file_name,
            shape,
            ..
        }) = batch.last_mut()
        {
            if input.name != name {
                name.clone_from(&input.name);
                file_name.clone_from(&name);
            }
            if let Parsers::Feedback(p, _) = &parsers {
                *shape = p.shape();
            }
        }
        let headers = input.rows.headers();
        {
            let map = parsers.map();
            // Reviews with no text to classify are all `other`, said (found
            // by exploratory testing: a 买家留言 column went unread, silently;
            // `kefu classify` refuses the same file).
            if plan.kind == ImportKind::Reviews
                && map.column(specs, "content").is_none()
                && !(plan.for_report && map.classified.is_some())
            {
                crate::say!(
                    "kefu: warning: {name}: no text column ({}): negative reviews without a declared cause count as other{}; {}",
                    crate::ingest::columns::aliases_of(specs, "content"),
                    if plan.for_report {
                        ""
                    } else {
                        " (a stored review keeps its text and its cause)"
                    },
                    if plan.for_report {
                        "give the text column one of those names"
                    } else {
                        "name the text column with --map FILE ([columns] content = \"…\")"
                    }
                );
            }
            for (field, read, other) in &map.ambiguous {
                let to_read_other = if plan.for_report {
                    "to read the other, rename one of them".to_string()
                } else {
                    // Two columns of one name: the other by its number.
                    let other_name = if header_key(&headers[*other]) == header_key(&headers[*read])
                    {
                        format!("{} (column {})", headers[*other].trim(), other + 1)
                    } else {
                        headers[*other].clone()
                    };
                    format!(
                        "to read the other, map it (--map FILE with [columns] {field} = {other_name:?})"
                    )
                };
                crate::say!(
                    "kefu: warning: {name}: columns {:?} and {:?} both name {field}: {:?} is read, {:?} kept with the record; {to_read_other}",
                    headers[*read],
                    headers[*other],
                    headers[*read],
                    headers[*other],
                );
            }
        }
        if !quiet {
            for note in input.notes() {
                let note = plan.options_named(&note);
                crate::say!("kefu: {name}: {note}");
            }
        }
        // Said once the rows were seen, with a column that looks like the
        // rating if one does, so that a header kefu does not know does not
        // silently turn every 5-star review into a 差评.
        // A 差评-only export is no register of a source's reviews: replacing
        // with it would remove every 好评 (found by exploratory testing).
        if plan.replace.is_some()
            && matches!(&parsers, Parsers::Feedback(p, _) if p.assumes_negative())
        {
            bail!(crate::error::Usage(format!(
                "{name}: --replace with a review export that has no rating column (差评 only) would remove the source's other reviews: import it without --replace"
            )));
        }
        let (mut lookalikes, mut text_lookalike) = match &parsers {
            Parsers::Feedback(p, _) => (
                p.rating_lookalikes(input.rows.headers()),
                p.text_lookalike(input.rows.headers()),
            ),
            _ => (None, None),
        };
        let mut row = Row::default();
        let mut rows_read: u64 = 0;
        let mut occurrences = Occurrences::default();
        // Rows whose rating says there is none (未评价): no review, skipped
        // and said, like blank rows.
        let mut not_rated: u64 = 0;
        // Totals rows and footers (小计, 合计：3人, 共2条记录): skipped, said.
        let mut totals: u64 = 0;
        // Rows repeating the header (exports joined with cat): skipped, said.
        let mut repeated_headers: (u64, u64) = (0, 0);
        let other_headers = crate::ingest::records::OtherHeaders::new(
            input.rows.headers(),
            specs,
            crate::ingest::records::keys_for(kind_name),
        );
        loop {
            let outcome = input
                .rows
                .read_row(&mut row)
                .with_context(|| format!("reading {name}"))?;
            let item = match outcome {
                ReadOutcome::End => break,
                // A footer alone on its line (共2条记录, 合计：3人): skipped
                // and said, not rejected (it would stop --strict and
                // --replace; found by exploratory testing).
                ReadOutcome::Bad { reason, raw, .. }
                    if reason.starts_with("one field where")
                        && crate::ingest::records::is_totals_label(
                            raw.trim_matches([',', '"', '\t', ';']),
                        ) =>
                {
                    totals += 1;
                    continue;
                }
                ReadOutcome::Bad { line, reason, raw } => {
                    // Another export's header, with more or fewer columns
                    // (`raw` is the row's fields written as CSV).
                    // (No header has more columns than a sheet may.)
                    let cells = crate::ingest::records::raw_fields(
                        &raw,
                        crate::ingest::EXCEL_COLUMNS as usize,
                        b',',
                    );
                    if !json_in && other_headers.are_header_cells(cells.iter().map(String::as_str))
                    {
                        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                        bail!(crate::ingest::records::OtherHeaders::error(
                            &name,
                            input.rows.position_name(),
                            line,
                            &cells
                        ));
                    }
                    Item::Reject { line, reason, raw }
                }
                ReadOutcome::Row => {
                    if !json_in && other_headers.repeats(&row) {
                        repeated_headers.0 += 1;
                        if repeated_headers.0 == 1 {
                            repeated_headers.1 = row.line;
                        }
                        continue;
                    }

                    // JSON Lines may reveal new keys: rebuild the parser if so.
                    if input.rows.headers().len() != parsers.width() {
                        parsers = Parsers::new(
                            plan,
                            ws,
                            feedback_kind,
                            input.rows.headers(),
                            specs,
                            names,
                        )
                        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?
                        .without_excel_errors();
                    }
                    if let Some(l) = &mut lookalikes {
                        l.look_at(&row);
                    }
                    if let Some(l) = &mut text_lookalike {
                        l.look_at(&row);
                    }
                    // Another export's header (a quick look at its first
                    // value first: most rows' is an id or a date).
                    if !json_in
                        && other_headers.might_be_header(&row)
                        && other_headers.is_header(&row)
                    {
                        let cells: Vec<&str> = (0..row.len()).map(|c| row.get(c)).collect();
                        bail!(crate::ingest::records::OtherHeaders::error(
                            &name,
                            input.rows.position_name(),
                            row.line,
                            &cells
                        ));
                    }
                    let mut item = parsers.parse(&row, names, &mut unlinked, &mut notes);
                    if matches!(&item, Item::Feedback(rec) if rec.rated_positive) {
                        let first = &mut notes.rated_positive;
                        first.0 += 1;
                        first.1.get_or_insert_with(|| (name.clone(), row.line));
                    }
                    if matches!(&item, Item::Reject { reason, .. } if reason.starts_with(NOT_RATED))
                    {
                        not_rated += 1;
                        continue;
                    }
                    if matches!(&item, Item::Reject { reason, .. } if reason.starts_with(crate::ingest::records::TOTALS_ROW))
                    {
                        totals += 1;
                        continue;
                    }
                    number_occurrence(&mut item, &mut occurrences);
                    item
                }
            };
            batch.push(item);
            batch_bytes += row.byte_len();
            flush(&mut batch, &mut batch_bytes, false)?;
            rows_read += 1;
            if rows_read % 8192 == 0 {
                progress.set_position(counter.load(Ordering::Relaxed));
            }
        }
        progress.finish_and_clear();
        // Ratings where the text should be: every record's cause would be
        // found in 好评/差评 (found by exploratory testing: classify said so,
        // import did not).
        if let Some((_, header, first)) = text_lookalike.as_ref().and_then(|l| l.found().next()) {
            crate::say!(
                "{}",
                plan.options_named(&format!("kefu: warning: {name}: the text column {header:?} holds only values that read as ratings (the first: {first:?}): if the text is another column, map it: --map FILE.toml with [columns] content = \"…\" (and rating = {header:?})"))
            );
        }
        if let Some(l) = lookalikes {
            // Under -q too when a column looks like the rating: every
            // 很满意 would be stored as a 差评 (found by exploratory
            // testing: a cron import said nothing).
            match l.hint() {
                Some(h) => crate::say!(
                    "kefu: warning: {name}: no rating column; every review is taken as negative (差评), and left out of the negative rate; but {}",
                    plan.options_named(&h)
                ),
                None if !quiet => crate::say!(
                    "kefu: {name}: no rating column; every review is taken as negative (差评), and left out of the negative rate"
                ),
                None => {}
            }
        }
        if !quiet {
            for note in input.end_notes() {
                crate::say!("kefu: {name}: {note}");
            }
            if not_rated > 0 {
                crate::say!(
                    "kefu: {name}: {not_rated} row(s) not rated (未评价) skipped: no review to count"
                );
            }
            if totals > 0 {
                crate::say!(
                    "kefu: {name}: {totals} totals row(s) skipped (小计, 合计, 共N条记录): not records"
                );
            }
            if repeated_headers.0 > 0 {
                crate::say!(
                    "kefu: {name}: {} row(s) repeating the header skipped (first: {} {}; exports joined with cat?): not records",
                    repeated_headers.0,
                    input.rows.position_name(),
                    repeated_headers.1
                );
            }
        }
    }
    // A pattern that read nothing imports nothing: an error, not a quiet
    // success a cron job would not notice.
    if sheets_read == 0 && plan.sheets.iter().any(|(_, by_pattern)| *by_pattern) {
        bail!(
            "no sheet the --sheet pattern chose holds {} (each was passed over, as said above): name the sheet with --sheet, or check the workbook",
            plan.kind.name()
        );
    }
    flush(&mut batch, &mut batch_bytes, true)?;
    Ok((unlinked, notes))
}

/// The first few of a (count, first few) list, `…` when there were more.
fn first_few((count, first): &(u64, Vec<String>)) -> String {
    let more = if *count > first.len() as u64 {
        ", …"
    } else {
        ""
    };
    format!("{}{more}", first.join(", "))
}

/// A record the export gave no id for gets its key numbered by its place
/// among the file's differing rows that share it (see [`crate::identity`]).
fn number_occurrence(item: &mut Item, occurrences: &mut Occurrences) {
    match item {
        Item::Feedback(FeedbackRecord {
            ext_id,
            derived_key: Some((key, row)),
            ..
        }) => *ext_id = Cow::Owned(occurrences.ext_id(*key, *row)),
        Item::Event(NewEvent {
            ext_id,
            derived_key: Some((key, row)),
            ..
        }) => *ext_id = occurrences.ext_id(*key, *row),
        _ => {}
    }
}

/// The feedback kind an import of `kind` stores.
fn feedback_kind_of(kind: ImportKind) -> FeedbackKind {
    match kind {
        ImportKind::Complaints => FeedbackKind::Complaint,
        _ => FeedbackKind::Review,
    }
}

/// The first and last day of some records, per source.
#[derive(Default)]
struct DaysBySource(BTreeMap<String, (i64, i64)>);

impl DaysBySource {
    fn note(&mut self, source: &str, day: i64) {
        match self.0.get_mut(source) {
            Some((first, last)) => {
                *first = (*first).min(day);
                *last = (*last).max(day);
            }
            None => {
                self.0.insert(source.to_string(), (day, day));
            }
        }
    }
}

/// What the files of an import with `--replace` hold: the ids read, per
/// source, and the days the register covers.
struct Register {
    days: (i64, i64),
    sources: HashMap<String, Held>,
}

/// What a register's files hold of one source.
#[derive(Default)]
struct Held {
    ids: HashSet<String>,
    /// Rows read dated inside the register's days.
    inside: u64,
    /// The first row read dated outside them.
    first_outside: Option<i64>,
}

impl Register {
    fn new(days: (i64, i64)) -> Register {
        Register {
            days,
            sources: HashMap::new(),
        }
    }

    fn hold(&mut self, source: &str, ext_id: &str, day: i64) {
        if !self.sources.contains_key(source) {
            self.sources.insert(source.to_string(), Held::default());
        }
        let held = self.sources.get_mut(source).expect("inserted above");
        if (self.days.0..=self.days.1).contains(&day) {
            held.inside += 1;
        } else if held.first_outside.is_none() {
            held.first_outside = Some(day);
        }
        held.ids.insert(ext_id.to_string());
    }

    /// Removes the records of each source dated in the register's days that
    /// its files no longer hold; returns how many.
    fn remove_the_rest(
        &self,
        tx: &rusqlite::Transaction<'_>,
        kind: ImportKind,
        feedback_kind: FeedbackKind,
    ) -> Result<u64> {
        let mut removed = 0;
        let (first, last) = self.days;
        // Rows read, none of them in the period: a period mistyped
        // (September's register with --replace 2026-08) would remove the
        // whole period (found by exploratory testing: exit 0, `removed 2`).
        // Per source, as removal is (found by exploratory testing: a second
        // register of another source with a row in the period let the
        // first be emptied).
        let refuse = |source: &str, held: &Held, gone: usize| -> Result<()> {
            match held.first_outside.filter(|_| held.inside == 0 && gone > 0) {
                Some(day) => bail!(
                    "--replace: none of the rows read of source {source} is dated in the period ({} to {}; the first is dated {}), and importing would remove all {gone} record(s) of the period as no longer in the register: is the period right? nothing imported or removed (a register with no records for the period is a CSV with its header only)",
                    crate::dates::date_of_day(first),
                    crate::dates::date_of_day(last),
                    crate::dates::date_of_day(day),
                ),
                None => Ok(()),
            }
        };
        for (source, held) in &self.sources {
            let stored = if kind == ImportKind::Events {
                store::points::events_between(tx, source, first, last)?
            } else {
                feedback::between(tx, feedback_kind, source, first, last)?
            };
            let gone: Vec<i64> = stored
                .into_iter()
                .filter(|(_, ext_id)| !held.ids.contains(ext_id))
                .map(|(id, _)| id)
                .collect();
            refuse(source, held, gone.len())?;
            if kind == ImportKind::Events {
                store::points::remove_events(tx, &gone)?;
            } else {
                feedback::remove(tx, &gone)?;
            }
            removed += gone.len() as u64;
        }
        Ok(removed)
    }
}

/// Feedback records read that name their agent only by a name several agents
/// share, so that they could not be linked: by the name's key, the name as
/// first written and how many.
type Unlinked = BTreeMap<String, (String, u64)>;

/// What the rows of an import said that the summary warns about once.
#[derive(Debug, Default)]
struct RowNotes {
    causes: UnreadCauses,
    /// `kefu classify` causes a report's input gives that kefu cannot read
    /// (classified again).
    given_causes: FirstValues,
    /// Feedback naming an agent the roster does not have.
    off_roster: OffRoster,
    /// Complaints rated as praise (好评, 5 stars): how many, and the first
    /// (file, line).
    rated_positive: (u64, Option<(String, u64)>),
}

impl RowNotes {
    fn rated_positive_warning(&self) -> Option<String> {
        let (n, first) = &self.rated_positive;
        let (file, line) = first.as_ref()?;
        Some(format!(
            "{n} complaint(s) carry a rating that reads as praise (first: {file} line {line}): is this a review export? Complaints are all negative; reviews are imported with `kefu import reviews` (the rating is kept with each complaint's other columns)"
        ))
    }
}

/// Values rows gave that an import warns about once: how many rows, and
/// the first few different values as written, with how many rows gave each.
#[derive(Debug, Default)]
struct FirstValues {
    records: u64,
    /// The first [`FirstValues::SHOWN`] different values, with their counts.
    first: Vec<(String, u64)>,
    /// True when there were more different values than those.
    more: bool,
}

impl FirstValues {
    const SHOWN: usize = 5;

    fn note(&mut self, written: &str) {
        self.records += 1;
        if let Some(entry) = self.first.iter_mut().find(|(w, _)| w == written) {
            entry.1 += 1;
        } else if self.first.len() < Self::SHOWN {
            self.first.push((written.to_string(), 1));
        } else {
            self.more = true;
        }
    }

    /// The values quoted, with their counts or not, and `…` when there were
    /// more. Free text a manager typed may hold a customer's number: masked,
    /// as in reports (cron logs keep these lines).
    fn list(&self, counts: bool) -> String {
        let values: Vec<String> = self
            .first
            .iter()
            .map(|(w, n)| {
                let value = shown(&crate::privacy::mask_personal_data(w));
                if counts {
                    format!("{value} ({n})")
                } else {
                    value
                }
            })
            .collect();
        format!(
            "{}{}",
            values.join(", "),
            if self.more { ", …" } else { "" }
        )
    }
}

/// Feedback naming an agent the roster (not empty) does not have (found by
/// exploratory testing: agents written in another form than the roster's
/// were counted apart and in no one's points, without a word).
#[derive(Debug, Default)]
struct OffRoster(FirstValues);

impl OffRoster {
    fn note(&mut self, written: &str) {
        self.0.note(written);
    }

    fn warning(&self) -> Option<String> {
        (self.0.records > 0).then(|| {
            format!(
                "{} record(s) name an agent the roster does not have: {}; they count under the name as written, in no roster agent's points (an id gets a row of its own in the bonus, flagged not-on-roster); import the roster (kefu import agents) or correct the names",
                self.0.records,
                self.0.list(true)
            )
        })
    }
}

/// Declared causes (差评原因) kefu could not read: the records were imported
/// without one, and the import says so once, with how many and the first
/// few values as written.
#[derive(Debug, Default)]
struct UnreadCauses(FirstValues);

impl UnreadCauses {
    fn note(&mut self, written: &str) {
        self.0.note(written);
    }

    /// The warning, if any record had one.
    fn warning(&self) -> Option<String> {
        (self.0.records > 0).then(|| {
            let causes: Vec<String> = Cause::ALL
                .iter()
                .map(|c| format!("{} {}", c.id(), c.label()))
                .collect();
            format!(
                "{} record(s) declare a cause (差评原因) kefu does not know: {}; imported without a declared cause (the automatic one stands), the text kept with the record's other columns (causes: {})",
                self.0.records,
                self.0.list(false),
                causes.join(", ")
            )
        })
    }
}

/// The row parser for the kind being imported.
enum Parsers<'a> {
    Feedback(Box<FeedbackParser>, FileColumns),
    Agents(AgentParser, FileColumns),
    Events(EventParser<'a>, FileColumns),
    Activity(ActivityParser<'a>, FileColumns),
}

/// What a parser knows of its file's columns: how many, and the header of
/// each that maps to a field.
struct FileColumns {
    width: usize,
    mapped: Vec<(usize, String)>,
    /// Whether values are checked for Excel's error values: not in JSON,
    /// which no spreadsheet wrote (a buyer nicknamed `#NAME?` is one).
    excel_errors: bool,
}

impl FileColumns {
    fn new(headers: &[String], map: &ColumnMap) -> FileColumns {
        FileColumns {
            width: headers.len(),
            mapped: map
                .fields
                .iter()
                .flatten()
                .map(|&c| (c, headers.get(c).cloned().unwrap_or_default()))
                .collect(),
            excel_errors: true,
        }
    }

    /// Why `row` is rejected when a column that maps to a field holds one
    /// of Excel's error values (`#N/A` where a VLOOKUP found no 工号,
    /// `#REF!`): the value of no field, which kefu must not store as an
    /// agent's id or a review's text.
    fn excel_error(&self, row: &Row) -> Option<String> {
        if !self.excel_errors {
            return None;
        }
        self.mapped.iter().find_map(|(c, header)| {
            // Most values start with anything but `#` (or white space):
            // looked at as bytes first, per row.
            // (A byte past ASCII may be an invisible mark or a full-width
            // space before it: decoded.)
            let bytes = row.get_bytes(*c);
            let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
            if first.is_none_or(|b| b.is_ascii() && *b != b'#') {
                return None;
            }
            // As written but for white space and invisible marks: a text
            // guard (="#N/A") says it is text.
            let value = row
                .get(*c)
                .trim_matches(|c: char| c.is_whitespace() || crate::domain::is_invisible(c));
            crate::ingest::records::is_excel_error(value).then(|| {
                format!(
                    "column {header:?} holds Excel's error value {value} (a formula that failed: {}), not a value; correct the cell and import again",
                    crate::ingest::records::excel_error_meaning(value)
                )
            })
        })
    }
}

/// Refuses a review or complaint export given as a roster (`import agents
/// taobao.csv`): one with the text of a review and its time, and none of a
/// roster's dates (入职日期, 离职日期, 调岗日期). Its 工号 and 客服姓名 would
/// make every agent it names one of the roster's, paid a bonus (found by
/// exploratory testing). A roster's 内容 (job content), 评价 or 评分 and
/// 时间 alone are no review's (found by regression testing).
fn refuse_feedback_as_roster(headers: &[String], roster: &ColumnMap) -> Result<()> {
    use crate::ingest::columns::AGENT_FIELDS;
    let Ok(feedback) = ColumnMap::build(headers, FEEDBACK_FIELDS, &BTreeMap::new()) else {
        return Ok(());
    };
    let named = |f: &str| feedback.column(FEEDBACK_FIELDS, f);
    let dated = ["joined_at", "left_at", "changed_at"]
        .iter()
        .any(|f| roster.column(AGENT_FIELDS, f).is_some());
    let Some((text, time)) = named("content").zip(named("created_at")) else {
        return Ok(());
    };
    if dated {
        return Ok(());
    }
    let shown: Vec<String> = [text, time]
        .iter()
        .map(|&c| crate::domain::shown(&headers[c]))
        .collect();
    bail!(
        "looks like a review or complaint export (columns {}), not a roster: nothing imported; import it with `kefu import reviews` (or complaints), or, if it is a roster, name its columns with --map",
        shown.join(", ")
    )
}

impl<'a> Parsers<'a> {
    fn new(
        plan: &Plan,
        ws: &'a Workspace,
        kind: FeedbackKind,
        headers: &[String],
        specs: &'static [crate::ingest::columns::FieldSpec],
        names: &'a agents::Lookup,
    ) -> Result<Parsers<'a>> {
        let map = ColumnMap::build(headers, specs, &plan.columns)?;
        let width = FileColumns::new(headers, &map);
        if plan.kind == ImportKind::Events {
            let book = ws
                .config
                .points
                .as_ref()
                .context("kefu.toml has no [points] rulebook; add one (see examples/scheme-a.toml) before importing events")?;
            return Ok(Parsers::Events(
                EventParser::new(map, ws.tz, book, names)
                    .map_err(anyhow::Error::msg)?
                    .with_date_order(plan.date_order),
                width,
            ));
        }
        if plan.kind == ImportKind::Activity {
            return Ok(Parsers::Activity(
                ActivityParser::new(map, names)
                    .map_err(anyhow::Error::msg)?
                    .with_date_order(plan.date_order),
                width,
            ));
        }
        if plan.kind == ImportKind::Agents && plan.columns.is_empty() {
            refuse_feedback_as_roster(headers, &map)?;
        }
        Ok(if plan.kind == ImportKind::Agents {
            Parsers::Agents(
                AgentParser::new(headers, map, ws.tz)
                    .map_err(anyhow::Error::msg)?
                    .with_date_order(plan.date_order),
                width,
            )
        } else {
            Parsers::Feedback(
                Box::new(
                    FeedbackParser::new(
                        kind,
                        headers,
                        map,
                        ws.tz,
                        plan.stars,
                        plan.channel.clone(),
                    )
                    .map_err(anyhow::Error::msg)?
                    .with_date_order(plan.date_order)
                    .with_given_causes(plan.for_report),
                ),
                width,
            )
        })
    }

    /// The columns the parser reads the file's headers as.
    fn map(&self) -> &ColumnMap {
        match self {
            Parsers::Feedback(p, _) => p.map(),
            Parsers::Agents(p, _) => p.map(),
            Parsers::Events(p, _) => p.map(),
            Parsers::Activity(p, _) => p.map(),
        }
    }

    fn width(&self) -> usize {
        match self {
            Parsers::Feedback(_, w)
            | Parsers::Agents(_, w)
            | Parsers::Events(_, w)
            | Parsers::Activity(_, w) => w.width,
        }
    }

    fn columns(&self) -> &FileColumns {
        match self {
            Parsers::Feedback(_, c)
            | Parsers::Agents(_, c)
            | Parsers::Events(_, c)
            | Parsers::Activity(_, c) => c,
        }
    }

    /// Values are not checked for Excel's error values (JSON input).
    fn without_excel_errors(mut self) -> Self {
        match &mut self {
            Parsers::Feedback(_, c)
            | Parsers::Agents(_, c)
            | Parsers::Events(_, c)
            | Parsers::Activity(_, c) => c.excel_errors = false,
        }
        self
    }

    fn parse(
        &self,
        row: &Row,
        names: &agents::Lookup,
        unlinked: &mut Unlinked,
        notes: &mut RowNotes,
    ) -> Item {
        let reject = |reason: String| Item::Reject {
            line: row.line,
            reason,
            raw: row.original_text(),
        };
        // A field of megabytes is no review, roster line or event: a quote
        // left open swallowing rows, or a binary pasted into a cell (found
        // by exploratory testing: a 50 MB cell took 870 MB to import).
        if let Some((column, len)) = row
            .longest_field()
            .filter(|&(_, len)| len > MAX_FIELD_BYTES)
        {
            return reject(format!(
                "column {} holds {:.1} MB, more than a field can (1 MB) (in a CSV file: a quote left open swallowing the rows after it?)",
                column + 1,
                len as f64 / 1e6
            ));
        }
        if let Some(reason) = self.columns().excel_error(row) {
            return reject(reason);
        }
        match self {
            Parsers::Feedback(p, _) => match p.parse(row) {
                Ok(mut rec) => {
                    if let Some(cause) = &rec.unread_cause {
                        notes.causes.note(cause);
                    }
                    if rec.polarity == Polarity::Negative {
                        if let Some(cause) = p.unread_given_cause(row) {
                            notes.given_causes.note(cause);
                        }
                    }

                    // A name, an id written otherwise (2001.0), or a name in
                    // the id column (客服工号 = 王芳): the roster's id for it.
                    rec.agent_by_name = rec.agent_id.is_none() && rec.agent_name.is_some();
                    let link = agents::link_record(
                        names,
                        rec.local_day,
                        &mut rec.agent_id,
                        &mut rec.agent_name,
                    );
                    let written = rec.agent_id.as_deref().or(rec.agent_name.as_deref());
                    let written = written.unwrap_or_default();
                    match link {
                        agents::Link::Done => {}
                        agents::Link::Shared(_) | agents::Link::FormerOfSeveral => {
                            unlinked
                                .entry(crate::domain::agent_key(written))
                                .or_insert_with(|| (written.to_string(), 0))
                                .1 += 1;
                        }
                        agents::Link::NotOnRoster => notes.off_roster.note(written),
                    }
                    if let (None, Some(channel)) = (&rec.channel, p.default_channel()) {
                        rec.take_channel(channel);
                    }
                    Item::Feedback(rec.into_owned())
                }
                Err(reason) => reject(reason),
            },
            Parsers::Agents(p, _) => match p.parse(row) {
                Ok(rec) => Item::Agent(rec),
                Err(reason) => reject(reason),
            },
            Parsers::Events(p, _) => match p.parse(row) {
                Ok(rec) => Item::Event(rec),
                Err(reason) => reject(reason),
            },
            Parsers::Activity(p, _) => match p.parse(row) {
                Ok(rec) => Item::Activity(rec),
                Err(reason) => reject(reason),
            },
        }
    }
}

pub fn run(globals: &Globals, args: ImportArgs) -> Result<()> {
    let ws = Workspace::load(globals.workspace.as_deref(), globals.quiet)?;
    let plan = plan(args, &ws)?;
    // A dry run writes nothing, a timezone change's re-cut included: it
    // re-cuts inside its own transaction, which it rolls back (found by
    // exploratory testing: a dry run to try a new timezone had re-cut the
    // store for good, moving clock times the new zone skips).
    let mut store = ws.open_store_with(if plan.dry_run {
        TimezoneSync::Defer
    } else {
        TimezoneSync::Now
    })?;
    let (summary, linked, rejects) = import(globals, &ws, &mut store, &plan).map_err(|e| {
        let files: std::collections::HashSet<_> = plan.files.iter().collect();
        all_or_nothing(e, files.len(), plan.dry_run)
    })?;
    print_summary(globals, &plan, &summary, linked, rejects.as_deref())
}

/// An import of several files that failed on one says that the others were
/// not imported either: one import is one transaction (found by
/// exploratory testing: a cron mail naming only the empty JD export read
/// as if the Taobao one had gone in).
fn all_or_nothing(e: anyhow::Error, files: usize, dry_run: bool) -> anyhow::Error {
    let said = format!("{e:#}");
    if files < 2
        || dry_run
        || e.downcast_ref::<crate::error::Usage>().is_some()
        || said.contains("nothing was imported")
        || said.contains("nothing imported")
    {
        return e;
    }
    e.context(format!(
        "nothing was imported from any of the {files} files (one import is all or nothing): fix the file named below, or leave it out, and run the import again"
    ))
}

/// Imports `files` into an in-memory store (for `report --input`): the same
/// code path as `kefu import`, rejects reported on stderr.
pub fn import_for_report(
    globals: &Globals,
    ws: &Workspace,
    store: &mut crate::store::Store,
    files: Vec<PathBuf>,
    kind: ImportKind,
    input: InputOptions,
) -> Result<()> {
    // A source kefu.toml configures, given by the file's name, is read with
    // its settings, as `kefu import` reads it (found by exploratory testing).
    let source = configured_source(&None, &files, ws)?;
    let configured = source.as_ref().and_then(|name| ws.config.sources.get(name));
    let plan = Plan {
        kind,
        sheets: vec![(input.sheet.clone(), false); files.len()],
        files,
        input,
        json_summary: false,
        source,
        columns: configured.map(|s| s.columns.clone()).unwrap_or_default(),
        channel: configured.and_then(|s| s.channel.clone()),
        stars: configured
            .and_then(|s| s.stars)
            .map(Into::into)
            .unwrap_or_default(),
        date_order: configured
            .and_then(|s| s.date_order)
            .unwrap_or(crate::dates::DateOrder::Either),
        rejects: None,
        strict: false,
        dry_run: false,
        replace: None,
        for_report: true,
    };
    let quiet = Globals {
        workspace: None,
        quiet: globals.quiet,
    };
    let (summary, _, _) = import(&quiet, ws, store, &plan)?;
    // Said under -q too: rows left out of a report are a warning (found
    // by exploratory testing: under -q they vanished without a word).
    if summary.total.rejected > 0 {
        let shown = summary.total.rejected.min(10);
        crate::say!(
            "kefu: warning: {} input row(s) could not be read and are not in the report ({})",
            summary.total.rejected,
            if globals.quiet {
                "-q: not listed".to_string()
            } else if shown == summary.total.rejected {
                "shown above".to_string()
            } else {
                format!("the first {shown} shown above")
            }
        );
    }
    Ok(())
}

/// Imports per `plan` into `store`: returns the summary, how many feedback
/// records were linked to agents by name, and the rejects file if written.
fn import(
    globals: &Globals,
    ws: &Workspace,
    store: &mut crate::store::Store,
    plan: &Plan,
) -> Result<(Summary, usize, Option<PathBuf>)> {
    let kind_name = plan.kind.name();
    let feedback_kind = feedback_kind_of(plan.kind);
    let explicit_rejects = plan.rejects.is_some();
    // The rejects file is written over: never one of the files imported.
    // `--rejects -` is the file stdout is redirected to, if any (found by
    // exploratory testing: `>> export.csv` read its own rejects back, and
    // grew without end).
    let stdout_file = plan
        .rejects
        .as_deref()
        .filter(|r| output::is_stdout(r))
        .and_then(|r| output::direct_file(Some(r)));
    if let Some(r) = stdout_file
        .as_deref()
        .or_else(|| plan.rejects.as_deref().filter(|r| !output::is_stdout(r)))
    {
        if let Some(f) = plan.files.iter().find(|f| same_file(read_path(f), r)) {
            let what = if is_stdin(f) {
                "the file standard input is read from".to_string()
            } else {
                format!("{}, a file being imported", ingest::path_text(f))
            };
            let named = if stdout_file.is_some() {
                format!("- (stdout, {})", ingest::path_text(r))
            } else {
                ingest::path_text(r)
            };
            return Err(Usage(format!("--rejects {named} is {what}: name another file")).into());
        }
    }
    // A rejects file named in a directory that is not there is a typo, not
    // a new tree of directories, said before anything is read, as `-o`
    // says it (found by exploratory testing).
    if let Some(path) = plan.rejects.as_deref() {
        crate::render::output::check(path)?;
    }
    let mut rejects = Rejects {
        path: plan
            .rejects
            .clone()
            .unwrap_or_else(|| ws.default_rejects_path(kind_name)),
        writer: None,
        always: explicit_rejects,
        shown: 0,
    };
    // Under --strict or --dry-run nothing is written unless the user named a rejects file.
    let keep_rejects = !plan.for_report && (explicit_rejects || !(plan.strict || plan.dry_run));
    let show_progress = !globals.quiet && std::io::stderr().is_terminal();

    // A quarter less page cache than other commands: the classifier and the
    // batches in flight share the import's 100 MB budget with it.
    store.limit_cache(24 * 1024)?;
    let (tz, timezone_pending) = (store.tz(), store.timezone_pending());
    let tx = store.begin_write()?;
    if timezone_pending {
        if let Some(change) = store::sync_timezone_in(&tx, tz)? {
            if !globals.quiet {
                crate::say!(
                    "kefu: dry run: {}; as the next command that is not a dry run will do for good (this one writes nothing)",
                    change.notice()
                );
            }
        }
    }
    let import_id = store::insert_import(&tx, kind_name, chrono::Utc::now().timestamp())?;
    // Each file's rows come after the table's last rowid when it began:
    // (file, source, that rowid), to look for copies of another source.
    let copy_table = match plan.kind {
        ImportKind::Reviews | ImportKind::Complaints => Some("feedback"),
        ImportKind::Events => Some("events"),
        _ => None,
    };
    let mut file_starts: Vec<(String, String, i64)> = vec![];
    let sources = resolve_sources(&tx, plan, copy_table, globals.quiet)?;
    // What the file being read wrote so far, to tell an id repeated within
    // it from the same record in two overlapping exports.
    let mut file_writes = feedback::FileWrites {
        replaced: plan.replace,
        ..Default::default()
    };
    // The files that moved records to other days as other records.
    let mut moved_files: Vec<MovedRecords> = vec![];
    let mut note_moved =
        |files: &[FileSummary], source: &str, writes: &mut feedback::FileWrites| {
            if let Some(file) = files.last().filter(|_| writes.moved > 0) {
                moved_files.push(MovedRecords {
                    file: file.file.clone(),
                    source: source.to_string(),
                    moved: writes.moved,
                    updated: file.counts.updated,
                    first: std::mem::take(&mut writes.moved_first),
                });
                writes.moved = 0;
            }
        };
    let names = match plan.kind {
        ImportKind::Agents => agents::Lookup::default(),
        _ => agents::Lookup::load(&tx)?,
    };
    // The roster before this import, and the days its changes take effect
    // (调岗日期), to keep each moved agent's department and leader before.
    let assigned_before = match plan.kind {
        ImportKind::Agents => agents::assignments(&tx)?,
        _ => Default::default(),
    };
    // Everyone's employments before this import, to find the stored
    // complaints and events its dates leave outside them.
    let employed_before = match plan.kind {
        ImportKind::Agents => agents::employments(&tx)?,
        _ => Default::default(),
    };
    let mut effective: HashMap<String, chrono::NaiveDate> = HashMap::new();
    // Roster ids this import listed, and those listed again.
    let mut agents_listed: HashSet<String> = HashSet::new();
    let mut agents_again: Vec<String> = vec![];
    // Agents with a row of an earlier employment in this import.
    let mut of_earlier: HashSet<String> = HashSet::new();
    // Re-hires under the same id, and rows of earlier employments.
    let mut stints: Vec<(String, String, agents::Stint)> = vec![];
    // The day agents were re-hired (or their employment restarted): the day
    // a department the row changes counts from, when it gives no 调岗日期.
    let mut rejoined: HashMap<String, chrono::NaiveDate> = HashMap::new();
    let mut files: Vec<FileSummary> = vec![];
    // Records that came twice: (count, the first few) of those with the
    // export's id, and of those without one (keyed by identity).
    let mut repeated: (u64, Vec<String>) = (0, vec![]);
    let mut repeated_derived: (u64, Vec<String>) = (0, vec![]);
    // Activity rows per metric, to say which metrics no rule reads.
    let mut metrics: BTreeMap<String, u64> = BTreeMap::new();
    // Days of the records added with the export's id, per source: to warn
    // when the source holds records without one on those days.
    let mut with_ids = DaysBySource::default();
    let mut events_with_ids = DaysBySource::default();
    // Under --replace: what the files hold, to remove what they no longer do.
    let mut register = plan.replace.map(Register::new);
    // Events written by this import (source, id), and those that came again.
    let mut events_written: HashSet<(String, String)> = HashSet::new();
    let mut events_again: Vec<String> = vec![];
    // Activity values written by this import (month, metric, agent), and
    // those that came again (the later replaced the earlier).
    let mut activity_written: HashSet<(String, String, String)> = HashSet::new();
    let mut activity_again: Vec<String> = vec![];
    // Activity of months after this one (a typo in the year): rows, first.
    let this_month = crate::dates::today(ws.tz)?.format("%Y-%m").to_string();
    let mut activity_later: (usize, Option<String>) = (0, None);
    let mut total = Counts::default();
    // The roster's ids by key, read at the first roster row.
    let mut roster_keys: Option<agents::RosterKeys> = None;
    // The first and last local day of the feedback this import added or
    // changed: where to look for records dated outside their agent's time.
    let mut written_days: Option<(i64, i64)> = None;
    // Only feedback is classified: a roster, events or activity import does
    // not build the classifier (a fifth of a second learning the built-in
    // model), nor reads a trained model it has no use for.
    let classifier = match plan.kind {
        ImportKind::Reviews | ImportKind::Complaints => Some(Classifier::for_workspace(
            &ws.dir,
            &ws.config.classify,
            false,
        )?),
        _ => None,
    };
    // reader -> classifier -> writer (this thread), each on its own thread.
    let (send, parsed) = sync_channel::<Result<Vec<Item>>>(BATCHES_IN_FLIGHT);
    let (classified, receive) = sync_channel::<Result<Vec<Item>>>(BATCHES_IN_FLIGHT);
    let (unlinked, notes) = std::thread::scope(|scope| -> Result<_> {
        let reader = scope.spawn(|| {
            let send = send;
            read_files(
                plan,
                &sources,
                ws,
                &names,
                globals.quiet,
                show_progress,
                &send,
            )
            .unwrap_or_else(|e| {
                let _ = send.send(Err(e));
                Default::default()
            })
        });
        let classifier = classifier.as_ref();
        scope.spawn(move || {
            let mut scratch = Scratch::default();
            // Without a connection of its own (it should not fail: the writer
            // has one), every negative record is classified.
            let lookup = matches!(plan.kind, ImportKind::Reviews | ImportKind::Complaints)
                .then(|| {
                    ws.open_store_with(TimezoneSync::Defer)
                        .and_then(|s| s.limit_cache(2048).map(|()| s))
                })
                .and_then(Result::ok);
            let mut source = String::new();
            let mut mark = 0;
            for mut message in parsed.iter() {
                if let (Ok(batch), Some(classifier)) = (&mut message, classifier) {
                    if let Err(e) = classify_batch(
                        classifier,
                        lookup.as_ref(),
                        &mut source,
                        &mut mark,
                        batch,
                        &mut scratch,
                    ) {
                        message = Err(e);
                    }
                }
                if classified.send(message).is_err() {
                    return; // the writer stopped
                }
            }
        });
        let mut writer_scratch = Scratch::default();
        // Records whose id an earlier record of the same file had: how
        // many, and the first few (source/id).
        let (repeated, repeated_derived) = (&mut repeated, &mut repeated_derived);
        let with_ids = &mut with_ids;
        let written_days = &mut written_days;
        let mut source = String::new();
        let mut position = "line";
        let mut pending: Vec<FeedbackRecord<'static>> = Vec::with_capacity(BATCH);
        let mut write_pending = |pending: &mut Vec<FeedbackRecord<'static>>,
                                 source: &str,
                                 file_writes: &mut feedback::FileWrites,
                                 counts: &mut Counts|
         -> Result<()> {
            let mut repeats = vec![];
            let outcomes = feedback::upsert_batch(
                &tx,
                feedback_kind,
                source,
                pending,
                import_id,
                file_writes,
                &mut repeats,
            )?;
            for id in repeats {
                let list = if crate::identity::is_derived(&id) {
                    &mut *repeated_derived
                } else {
                    &mut *repeated
                };
                list.0 += 1;
                if list.1.len() < 3 {
                    list.1.push(format!("{source}/{id}"));
                }
            }
            // Without a text column, an update keeps the verdict on the
            // stored text (see `FileShape`).
            let keeps_text = file_writes.shape.lacks.contains(&"content");
            if let Some(classifier) = classifier {
                classify_missing(
                    &tx,
                    classifier,
                    source,
                    pending,
                    &outcomes,
                    keeps_text,
                    &mut writer_scratch,
                )?;
            }
            let days = pending
                .iter()
                .zip(&outcomes)
                .filter(|(rec, outcome)| **outcome == Upsert::New && rec.derived_key.is_none())
                .map(|(rec, _)| rec.local_day);
            if let (Some(first), Some(last)) = (days.clone().min(), days.max()) {
                with_ids.note(source, first);
                with_ids.note(source, last);
            }
            for (rec, outcome) in pending.iter().zip(&outcomes) {
                if *outcome != Upsert::Unchanged {
                    let d = rec.local_day;
                    *written_days =
                        Some(written_days.map_or((d, d), |(a, b)| (a.min(d), b.max(d))));
                }
            }
            for outcome in outcomes {
                counts.add(outcome);
            }
            pending.clear();
            Ok(())
        };
        for message in receive.iter() {
            let batch = match message {
                Ok(batch) => batch,
                Err(e) => {
                    drop(receive);
                    let _ = reader.join();
                    return Err(e);
                }
            };
            for item in batch {
                if !matches!(item, Item::Feedback(_)) && !pending.is_empty() {
                    let file = files.last_mut().expect("a file is open");
                    write_pending(&mut pending, &source, &mut file_writes, &mut file.counts)
                        .map_err(|e| in_file(e, &file.file))?;
                }
                match item {
                    Item::File {
                        name,
                        source: s,
                        position: p,
                        shape,
                    } => {
                        // A register of a source with no row left still
                        // covers its days.
                        if let Some(r) = &mut register {
                            r.sources.entry(s.clone()).or_default();
                        }
                        if let Some(table) = copy_table {
                            let last = store::last_id(&tx, table)?;
                            file_starts.push((name.clone(), s.clone(), last));
                            note_moved(&files, &source, &mut file_writes);
                            file_writes.start(last + 1, shape);
                        }
                        events_written.clear();
                        source = s;
                        position = p;
                        files.push(FileSummary {
                            file: name,
                            counts: Counts::default(),
                        });
                    }
                    Item::Feedback(rec) => {
                        files.last_mut().expect("a file is open").counts.read += 1;
                        if let Some(r) = &mut register {
                            r.hold(&source, &rec.ext_id, rec.local_day);
                        }
                        pending.push(rec);
                    }
                    Item::Agent(mut rec) => {
                        let counts = &mut files.last_mut().expect("a file is open").counts;
                        counts.read += 1;
                        let keys = match &mut roster_keys {
                            Some(keys) => keys,
                            None => roster_keys.insert(agents::RosterKeys::load(&tx)?),
                        };
                        if let Some(id) = keys.spelled_otherwise(&rec.id, &rec.name) {
                            rec.id = id;
                        }
                        keys.note(&rec.id, &rec.name);
                        let stored = agents::upsert(&tx, &rec, import_id)?;
                        counts.add(stored.outcome);
                        // A row of an earlier employment, a re-hire's (its
                        // 调岗日期 is the new employment's) or one already kept
                        // as an earlier move dates no move of the current
                        // employment (see `RosterRow::dates_move`).
                        if let Some(day) = rec
                            .changed_on
                            .or(stored.dated_from)
                            .filter(|_| stored.dates_move)
                        {
                            effective.insert(rec.id.clone(), day);
                        }
                        if let Some(stint) = stored.stint {
                            // A re-hire into another department or leader
                            // moves on the day they rejoined (or its 调岗日期),
                            // not today.
                            if let Some(day) =
                                stint.effective().map(|d| rec.changed_on.unwrap_or(d))
                            {
                                rejoined.entry(rec.id.clone()).or_insert(day);
                            }
                            stints.push((rec.id.clone(), rec.name.clone(), stint));
                        }
                        if stored.of_earlier {
                            of_earlier.insert(rec.id.clone());
                        }
                        if !agents_listed.insert(rec.id.clone()) {
                            agents_again.push(rec.id.clone());
                        }
                    }
                    Item::Event(mut rec) => {
                        let counts = &mut files.last_mut().expect("a file is open").counts;
                        counts.read += 1;
                        let (outcome, moved) =
                            store::points::upsert_event(&tx, &source, &mut rec, import_id)?;
                        let again = events_written.contains(&(source.clone(), rec.ext_id.clone()));
                        if let Some((days, moved)) = moved.filter(|_| !again) {
                            file_writes.note_moved(days, moved);
                        }
                        if outcome == Upsert::New && rec.derived_key.is_none() {
                            events_with_ids.note(&source, rec.day);
                        }
                        counts.add(outcome);
                        if let Some(r) = &mut register {
                            r.hold(&source, &rec.ext_id, rec.day);
                        }
                        if !events_written.insert((source.clone(), rec.ext_id.clone())) {
                            events_again.push(format!("{source}/{}", rec.ext_id));
                        }
                    }
                    Item::Activity(rec) => {
                        *metrics.entry(rec.metric.clone()).or_default() += 1;
                        let counts = &mut files.last_mut().expect("a file is open").counts;
                        counts.read += 1;
                        counts.add(store::points::upsert_activity(
                            &tx,
                            &rec.month,
                            &rec.agent_id,
                            &rec.metric,
                            rec.value,
                            rec.hash,
                            &rec.as_other_agents,
                            import_id,
                        )?);
                        if rec.month > this_month {
                            activity_later.0 += 1;
                            activity_later.1.get_or_insert_with(|| {
                                format!("{} {} {}", rec.month, rec.agent_id, rec.metric)
                            });
                        }
                        let key = (rec.month.clone(), rec.metric.clone(), rec.agent_id.clone());
                        if !activity_written.insert(key) {
                            activity_again
                                .push(format!("{} {} {}", rec.month, rec.agent_id, rec.metric));
                        }
                    }
                    Item::Reject { line, reason, raw } => {
                        let file = files.last_mut().expect("a file is open");
                        file.counts.read += 1;
                        file.counts.rejected += 1;
                        // Under --strict they are the run's errors, and a dry
                        // run's findings, said under -q too (found by
                        // exploratory testing: `--dry-run -q` said only a count).
                        if rejects.shown < 10
                            && (plan.strict || plan.dry_run || (!globals.quiet && !keep_rejects))
                        {
                            crate::say!("kefu: {}: {position} {line}: {reason}", file.file);
                            rejects.shown += 1;
                        }
                        if keep_rejects {
                            rejects.add(&file.file, line, &reason, &raw)?;
                        }
                    }
                }
            }
            if !pending.is_empty() {
                let file = files.last_mut().expect("a file is open");
                write_pending(&mut pending, &source, &mut file_writes, &mut file.counts)
                    .map_err(|e| in_file(e, &file.file))?;
            }
        }
        note_moved(&files, &source, &mut file_writes);
        reader
            .join()
            .map_err(|_| anyhow::anyhow!("the reader thread panicked"))
    })?;
    for id in events_again {
        let derived = id
            .rsplit('/')
            .next()
            .is_some_and(crate::identity::is_derived);
        let list = if derived {
            &mut repeated_derived
        } else {
            &mut repeated
        };
        list.0 += 1;
        if list.1.len() < 3 {
            list.1.push(id);
        }
    }
    for f in &files {
        total.merge(&f.counts);
    }
    for (source, (first, last)) in events_with_ids.0 {
        with_ids.note(&source, first);
        with_ids.note(&source, last);
    }
    // A later copy of an export under another name is a new source, and
    // every record of it counts twice (投诉.jsonl, then 投诉-申诉后.jsonl).
    // With the source taken from the file name and most of what a file
    // adds already another source's, nothing is stored: the user says which.
    if let Some(table) = copy_table {
        for (i, (file, source, after)) in file_starts.iter().enumerate() {
            let upto = file_starts.get(i + 1).map_or(i64::MAX, |f| f.2);
            let Some((other, n, looked, first)) =
                store::ids_in_other_sources(&tx, table, *after, upto)?
            else {
                continue;
            };
            let copy = format!(
                "{file}: {n} of {looked} record(s) it adds to source {source} have ids source {other} already holds (first: {first})"
            );
            if plan.source.is_none() && 2 * n > looked {
                // The same file name read before into `other`: an earlier
                // kefu named its source otherwise (found by exploratory
                // testing: "a later copy … under another name" of itself).
                // Or a file of the same feed (shop1-20261120.csv before
                // shop1-20261122.csv), which today's naming gives this source.
                // Not stdin, which has no name of its own (found by
                // exploratory testing: an earlier `-` into another source
                // was taken for this file).
                let base = |f: &str| Path::new(f).file_name().map(|b| b.to_os_string());
                let earlier = if file == crate::ingest::STDIN_NAME {
                    None
                } else {
                    store::imported_files(&tx)?.into_iter().find(|f| {
                        f == file
                            || base(f).is_some_and(|b| Some(b) == base(file))
                            || source_from_file(f, kind_name) == *source
                    })
                };
                if let Some(earlier) = earlier {
                    bail!(
                        "{copy}: {} was imported before into source {other}, as an earlier kefu named its source; nothing imported: import it with --source {other} to go on updating those records",
                        if base(&earlier) == base(file) {
                            "a file of this name".to_string()
                        } else {
                            format!("a file named like this one ({earlier})")
                        }
                    );
                }
                bail!(
                    "{copy}: the file looks like a later copy of {other}'s export under another name (申诉后, 最新 …), whose records would count twice; nothing imported: import it with --source {other}, or with --source NAME to keep it apart"
                );
            } else {
                crate::say!(
                    "kefu: warning: {copy}: if the file is a later copy of {other}'s export, each of them {} twice (import it with --source {other})",
                    if plan.dry_run {
                        "would count"
                    } else {
                        "now counts"
                    }
                );
            }
        }
    }
    // A daily log numbering its rows anew each day (投诉编号 1, 2, …) under
    // a source other days share (1120.csv, 1121.csv: the kind's) overwrites
    // their records: most of its updates move a record to another day as
    // another record, which corrections do not (found by exploratory
    // testing). A register (--replace) is the whole truth of its period,
    // renumbered rows and all, but not of the days outside it: only the
    // records it moves into, out of or outside the period are counted (see
    // `FileWrites`), and its --source, the register's own, does not make
    // them corrections.
    let how = if plan.kind == ImportKind::Events {
        "another agent or rule"
    } else {
        "another agent or text"
    };
    let nothing = match plan.files.iter().collect::<HashSet<_>>().len() {
        1 => "nothing imported".to_string(),
        n => format!("nothing imported from any of the {n} files (one import is all or nothing)"),
    };
    for MovedRecords {
        file,
        source,
        moved,
        updated,
        first,
    } in moved_files
    {
        let what = format!(
            "{file}: {moved} of {updated} record(s) it updates in source {source} move {} as other records ({how}; first: {})",
            if plan.replace.is_some() {
                "to another day, not both within the --replace period,"
            } else {
                "to another day"
            },
            first.join("; ")
        );
        if let Some(period) = plan.replace.filter(|_| 2 * moved as u64 > updated) {
            let period = crate::dates::date_of_day(period.0).to_string()
                + &if period.0 == period.1 {
                    String::new()
                } else {
                    format!("..{}", crate::dates::date_of_day(period.1))
                };
            bail!(
                "{what}: the register looks like it numbers its rows anew each period, and would overwrite records it is not the register of (it is the whole truth of {period} only); {nothing}: import each period's register with a --source of its own, or, if these are corrections, without --replace"
            );
        }
        if plan.source.is_none() && 2 * moved as u64 > updated {
            // The file's own name, the kind's before a bare date (1121 →
            // reviews-1121; shop-20261121 as it is).
            let example = match file_stem_text(&file) {
                Some(stem) if stem == source => String::new(),
                Some(stem) if stem.starts_with(source.as_str()) => {
                    format!(" (e.g. --source {stem})")
                }
                Some(stem) => format!(" (e.g. --source {source}-{stem})"),
                None => String::new(),
            };
            bail!(
                "{what}: the file looks like it numbers its rows anew (1, 2, … each day), and would overwrite other days' records; {nothing}: import it with --source NAME of its own{example}, or, if these are corrections, with --source {source}"
            );
        }
        crate::say!(
            "kefu: warning: {what}: if the file numbers its rows anew each day, it {} other days' records (import it with --source NAME of its own)",
            if plan.dry_run {
                "would overwrite"
            } else {
                "overwrote"
            }
        );
    }
    // Under --replace the id-less records not in the sheet are removed below.
    if plan.replace.is_none() {
        for (source, (first, last)) in &with_ids.0 {
            let older = if plan.kind == ImportKind::Events {
                store::points::derived_between(&tx, source, *first, *last, import_id)?
            } else {
                feedback::derived_between(&tx, feedback_kind, source, *first, *last, import_id)?
            };
            if older > 0 {
                let days = if first == last {
                    format!("on {}", crate::dates::date_of_day(*first))
                } else {
                    format!(
                        "from {} to {}",
                        crate::dates::date_of_day(*first),
                        crate::dates::date_of_day(*last)
                    )
                };
                crate::say!(
                    "kefu: warning: source {source} already holds {older} record(s) without an id in the export dated {days}, the days of records this import added with one: if the sheet gained an id column (编号), each is now counted twice; import it with --replace PERIOD to keep only what the sheet holds"
                );
            }
        }
    }
    if let Some(register) = register.filter(|_| total.rejected == 0) {
        total.removed = Some(register.remove_the_rest(&tx, plan.kind, feedback_kind)?);
    }
    let mut linked = 0;
    if plan.kind == ImportKind::Agents {
        // Leaders and feedback that name someone the whole roster now knows,
        // whichever order the rows and imports came in.
        let roster = agents::Lookup::load(&tx)?;
        agents::link_leaders(&tx, &roster)?;
        let linked_charges;
        (linked, linked_charges) = agents::link_feedback_by_name(&tx, &roster)?;
        let today = crate::dates::today(ws.tz)?;
        let (moved, redated, backdated) =
            agents::keep_history(&tx, &assigned_before, &effective, &rejoined, today, &roster)?;
        say_stints(&stints, globals.quiet);
        if let Some((id, day, next)) = backdated.first() {
            crate::say!(
                "kefu: {} agent(s)' move dated before a later move already recorded (first: {id} from {day}, before the move of {next}): kept for the days in between; the later move and the current department stay",
                backdated.len()
            );
        }
        // Two rows of two employments are no repeat.
        agents_again.retain(|id| {
            !of_earlier.contains(id)
                && !stints
                    .iter()
                    .any(|(s, _, stint)| s == id && matches!(stint, agents::Stint::Rehired { .. }))
        });
        if !agents_again.is_empty() {
            agents_again.sort();
            agents_again.dedup();
            crate::say!(
                "kefu: warning: {} agent(s) listed more than once ({}): the last row counts; two moves of one agent are two roster imports, each with its 调岗日期",
                agents_again.len(),
                agents_again.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            );
        }
        let outside: Vec<String> = agents::moves_outside_employment(&tx, &moved)?
            .into_iter()
            .map(|(id, day, why)| format!("{id}'s from {day}, {why}"))
            .collect();
        if !outside.is_empty() {
            crate::say!(
                "kefu: warning: {} move(s) dated on a day the agent was not employed ({}): a typo in the 调岗日期? (earlier days keep the old department and leader)",
                outside.len(),
                first_of(&outside, 5)
            );
        }
        let (now_outside, count) = store::points::newly_outside(
            &tx,
            &employed_before,
            &agents::employments(&tx)?,
            &linked_charges,
            10,
        )?;
        for (what, agent, why) in &now_outside {
            crate::say!("kefu: warning: {what}, stored earlier, is {why} by the dates this roster gives: kept against {agent} as recorded; check the roster's 入职/离职日期, or the record's agent id (客服工号)");
        }
        if count > now_outside.len() {
            crate::say!(
                "kefu: warning: {} more stored record(s) like these",
                count - now_outside.len()
            );
        }
        if let Some((id, day)) = redated.first().filter(|_| !globals.quiet) {
            crate::say!(
                "kefu: {} agent(s)' move now takes effect on the 调岗日期 given (first: {id} from {day}): their earlier days keep the old department and leader",
                redated.len()
            );
        }
        if !moved.is_empty() && !globals.quiet {
            let first = &moved[0];
            crate::say!(
                "kefu: {} agent(s) moved to another department or leader (first: {} from {}): their earlier days keep the old ones{}",
                moved.len(),
                first.0,
                first.1,
                // A re-hire's counts from the day they rejoined (found by
                // exploratory testing: said to count from today).
                if moved
                    .iter()
                    .any(|(id, _)| !effective.contains_key(id) && !rejoined.contains_key(id))
                {
                    " (a change with no 调岗日期 counts from today; a 调岗日期 column gives the day)"
                } else {
                    ""
                }
            );
        }
        warn_roster(&tx, &roster, globals.quiet)?;
        // A whole roster (most of the active agents) that leaves some out:
        // they stay, active, earning month points (found by exploratory
        // testing: a corrected 工号 typo left the wrong id paid twice).
        let active = agents::active(&tx)?;
        let missing: Vec<String> = active
            .iter()
            .filter(|(id, _)| !agents_listed.contains(id))
            .map(|(id, name)| format!("{id} {name}"))
            .collect();
        // Active agents the file lists: a file of leavers or new hires
        // alone is no whole roster.
        let listed_active = active
            .iter()
            .filter(|(id, _)| agents_listed.contains(id))
            .count();
        if !missing.is_empty() && listed_active * 2 >= active.len() {
            crate::say!(
                "kefu: warning: {} active agent(s) on the roster are not in this file ({}{}): they stay on the roster and keep earning month points (零投诉); give those who left a 离职日期, and a 工号 corrected from a typo its own 入职日期 as its 离职日期 (a month not whole on the roster earns no month points)",
                missing.len(),
                missing.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
                if missing.len() > 5 { ", …" } else { "" }
            );
        }
    }
    // Bounded: a roster of thousands shares hundreds of names.
    let (mut shared_names, mut former_names) = ((0, vec![]), (0, vec![]));
    let mut unlinked_names: Vec<&(String, u64)> = unlinked.values().collect();
    unlinked_names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (written, n) in unlinked_names {
        if let Some(shared) = names.shared(written) {
            shared_names.0 += n;
            shared_names.1.push(format!(
                "{n} name {written}, who is {}",
                crate::render::one_of(&shared.ids)
            ));
        } else {
            let ids: Vec<String> = names
                .others_once_named(written, "")
                .into_iter()
                .cloned()
                .collect();
            if ids.len() > 1 {
                former_names.0 += n;
                former_names.1.push(format!(
                    "{n} name {written}, a former name of {}",
                    crate::render::one_of(&ids)
                ));
            }
        }
    }
    if !shared_names.1.is_empty() {
        crate::say!(
            "kefu: warning: {} record(s) name an agent by a name several agents on the roster have, and were not linked ({}): put the id (客服工号) in the export",
            shared_names.0,
            first_of(&shared_names.1, 5)
        );
    }
    if !former_names.1.is_empty() {
        crate::say!(
            "kefu: warning: {} record(s) name an agent by a name several agents on the roster once had, and were not linked ({}): put the id (客服工号) in the export",
            former_names.0,
            first_of(&former_names.1, 5)
        );
    }
    if repeated.0 > 0 {
        crate::say!(
            "kefu: warning: {} record(s) repeat an id an earlier row of the same file had ({}): each replaced the one before (counted as updated or unchanged); if they are different records, the export's ids are not unique{}",
            repeated.0,
            first_few(&repeated),
            if repeated.1.iter().any(|id| looks_like_rounded_number(id)) {
                " (an id like 4.12012E+12 is a number Excel rounded: save the id column as text)"
            } else {
                ""
            }
        );
    }
    if repeated_derived.0 > 0 {
        crate::say!(
            "kefu: warning: {} record(s) without an id in the export came a second time in the same file ({}): the same record (reviews and complaints: time, content, order and customer; events: agent, day, rule and note), stored once, the later one kept",
            repeated_derived.0,
            first_few(&repeated_derived),
        );
    }
    if !activity_again.is_empty() {
        let shown: Vec<&str> = activity_again.iter().take(3).map(String::as_str).collect();
        crate::say!(
            "kefu: warning: {} activity row(s) repeat the month, agent and metric of an earlier row of this import ({}{}): each replaced the one before, values are not added up; give one row per month, agent and metric",
            activity_again.len(),
            shown.join(", "),
            if activity_again.len() > 3 { ", …" } else { "" }
        );
    }
    if let Some(warning) = notes.rated_positive_warning() {
        crate::say!("kefu: warning: {warning}");
    }
    if let Some(warning) = notes.off_roster.warning() {
        crate::say!("kefu: warning: {warning}");
    }
    if let Some(warning) = notes.causes.warning() {
        crate::say!("kefu: warning: {warning}");
    }
    // Found by exploratory testing: such a cause was classified again,
    // without a word.
    if notes.given_causes.records > 0 {
        crate::say!(
            "kefu: warning: {} record(s) give a cause in kefu classify's column that kefu does not know: {}; classified again",
            notes.given_causes.records,
            notes.given_causes.list(false)
        );
    }
    if matches!(plan.kind, ImportKind::Reviews | ImportKind::Complaints) {
        // Imported as recorded, but a wrong clock or a typo in the year
        // would count in reports of days still to come.
        let today = crate::dates::today(ws.tz)?;
        let later = store::feedback::dated_after(&tx, import_id, crate::dates::day_number(today))?;
        if let Some(f) = later {
            crate::say!(
                "kefu: warning: {} record(s) dated after today ({today}), the first {}/{} on {}",
                f.count,
                f.source,
                f.ext_id,
                crate::dates::date_of_day(f.day)
            );
        }
    }
    // Found by exploratory testing: a month still to come (2027-11 for
    // 2026-11) was imported unsaid, and would win that month's top.
    if let (n @ 1.., Some(first)) = &activity_later {
        crate::say!(
            "kefu: warning: {n} activity row(s) are of a month after this one ({this_month}), the first: {first}; imported as given (a typo in the year?)"
        );
    }
    if plan.kind == ImportKind::Activity {
        // Imported all the same (a rule may come later), but a metric no
        // rule reads is often a misspelt one (查询量 for queries).
        let mut used: Vec<&str> = ws
            .config
            .points
            .iter()
            .flat_map(|book| book.rules.iter().filter_map(|r| r.metric.as_deref()))
            .collect();
        used.sort_unstable();
        used.dedup();
        for (metric, n) in &metrics {
            if !used.contains(&metric.as_str()) {
                crate::say!(
                    "kefu: warning: metric {metric:?} ({n} row(s)) is read by no rule of the [points] rulebook{}",
                    if used.is_empty() {
                        String::new()
                    } else {
                        format!(" (rules read: {})", used.join(", "))
                    }
                );
            }
        }
    }
    if matches!(plan.kind, ImportKind::Reviews | ImportKind::Complaints) {
        // Charged as recorded, but worth a second look (a wrong 工号).
        let doubtful = match written_days {
            Some(days) => store::points::doubtful_charges(&tx, import_id, days)?,
            None => vec![],
        };
        for (kind, id, agent, why) in doubtful.iter().take(10) {
            crate::say!("kefu: warning: {kind} {id} is {why}: kept against {agent} as recorded; check its agent id (客服工号)");
        }
        if doubtful.len() > 10 {
            crate::say!(
                "kefu: warning: {} more record(s) like these",
                doubtful.len() - 10
            );
        }
    }
    if plan.kind == ImportKind::Events {
        // Imported and counted as they are, but worth a second look.
        let doubtful = store::points::doubtful_events(&tx, import_id, crate::dates::today(ws.tz)?)?;
        for (id, why) in doubtful.iter().take(10) {
            crate::say!("kefu: warning: event {id} is {why}");
        }
        if doubtful.len() > 10 {
            crate::say!(
                "kefu: warning: {} more event(s) like these",
                doubtful.len() - 10
            );
        }
    }
    let summary = Summary { files, total };
    store::finish_import(
        &tx,
        import_id,
        &serde_json::to_string(&summary.files)?,
        total,
    )?;
    let wrote_rejects = if keep_rejects {
        rejects.finish()?
    } else {
        false
    };

    if (plan.strict || plan.replace.is_some()) && total.rejected > 0 {
        drop(tx);
        let mut msg = if plan.strict {
            format!(
                "{} row(s) rejected under --strict; nothing was imported",
                total.rejected
            )
        } else {
            format!(
                "{} row(s) rejected under --replace; nothing was imported or removed (the records of the rows that could not be read would have been removed as no longer in the register)",
                total.rejected
            )
        };
        if wrote_rejects {
            msg.push_str(&format!(
                " (rejected rows: {})",
                rejects_name(&rejects.path)
            ));
        } else if total.rejected as usize > rejects.shown {
            // Only the first few were said (found by exploratory testing:
            // 12 rejected, 10 shown, nothing said of the other 2).
            msg.push_str(&format!(
                " ({} shown above; --rejects FILE writes every one, with its reason and row)",
                rejects.shown
            ));
        }
        bail!(msg);
    }
    if plan.dry_run {
        drop(tx);
        if !wrote_rejects && total.rejected as usize > rejects.shown {
            crate::say!(
                "kefu: {} row(s) rejected, the first {} shown above; --rejects FILE writes every one, with its reason and row",
                total.rejected,
                rejects.shown
            );
        }
    } else {
        tx.commit().context("cannot commit the import")?;
    }
    Ok((summary, linked, wrote_rejects.then_some(rejects.path)))
}

/// After a roster import: group leaders that name no one on the roster, or
/// a name several agents share, and names several agents share, which
/// nothing naming only them can be linked to.
fn warn_roster(tx: &rusqlite::Transaction<'_>, roster: &agents::Lookup, quiet: bool) -> Result<()> {
    for (leader, n) in agents::leaders_not_on_roster(tx)? {
        match roster.shared(&leader) {
            Some(shared) => crate::say!(
                "kefu: warning: group leader {leader} ({n} agent(s) name them) is the name of {} agents on the roster ({}): not linked; give the leader's id (组长工号)",
                shared.ids.len(),
                shared.ids.join(", ")
            ),
            None => crate::say!(
                "kefu: warning: group leader {leader} ({n} agent(s) name them) is not on the roster"
            ),
        }
    }
    // One line each, the first few named: a roster of thousands shares
    // hundreds of names (found by exploratory testing: 1,105 lines on every
    // import of a 5,000-agent roster).
    let (mut by_script, mut shared_names) = (vec![], vec![]);
    for (key, shared) in &roster.shared {
        let name = shared.written();
        if shared.by_script_only {
            // 鍾明 and 鐘明: each found as written; only 钟明 is either.
            by_script.push(format!("{name} ({}) are {key}", shared.ids.join(", ")));
        } else {
            shared_names.push(format!("{name}: {}", shared.ids.join(", ")));
        }
    }
    if !by_script.is_empty() && !quiet {
        crate::say!(
            "kefu: note: {} name(s) of the roster are one name in Simplified characters ({}): each is found as written, but feedback, events and activity naming the Simplified name cannot be linked to either",
            by_script.len(),
            first_of(&by_script, 5)
        );
    }
    if !shared_names.is_empty() {
        crate::say!(
            "kefu: warning: {} name(s) are each the name of several agents on the roster ({}): feedback, events and activity naming only such a name are linked only where the roster's 入职/离职 dates tell them apart on the record's day; otherwise they need the id (工号)",
            shared_names.len(),
            first_of(&shared_names, 5)
        );
    }
    Ok(())
}

/// The first `n` of `items` joined with "; ", and how many more there are.
fn first_of(items: &[String], n: usize) -> String {
    let shown = items.iter().take(n).cloned().collect::<Vec<_>>().join("; ");
    match items.len() {
        len if len > n => format!("{shown}; and {} more", len - n),
        _ => shown,
    }
}

fn progress_bar(show: bool, size: Option<u64>, name: &str) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match size {
        Some(n) => indicatif::ProgressBar::new(n).with_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        ),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_message(name.to_string());
    bar
}

fn print_summary(
    globals: &Globals,
    plan: &Plan,
    summary: &Summary,
    linked: usize,
    rejects: Option<&Path>,
) -> Result<()> {
    if plan.json_summary {
        let mut text = serde_json::to_string(summary)?;
        text.push('\n');
        // Said as such: the records are in the store whatever stdout
        // does (found by exploratory testing: a full disk's bare "No space
        // left on device" read as the store's).
        render::write_stdout(&text).with_context(|| {
            if plan.dry_run {
                "cannot write the summary to stdout".to_string()
            } else {
                "cannot write the summary to stdout; the import itself is done (its records are in the store)".to_string()
            }
        })?;
    } else if !globals.quiet {
        let mut headers = vec!["file", "read", "new", "updated", "unchanged", "rejected"];
        if plan.replace.is_some() {
            headers.push("removed");
        }
        let mut table = Table::new(&headers);
        let row = |name: &str, c: &Counts| -> Vec<Cell> {
            let mut cells = vec![
                name.into(),
                c.read.into(),
                c.new.into(),
                c.updated.into(),
                c.unchanged.into(),
                c.rejected.into(),
            ];
            if plan.replace.is_some() {
                cells.push(c.removed.map_or(Cell::Empty, Cell::from));
            }
            cells
        };
        // File and sheet names masked as every message on stderr is (found
        // by exploratory testing: 客户13812345678投诉.csv shown whole).
        for f in &summary.files {
            table.push(row(&crate::privacy::mask_personal_data(&f.file), &f.counts));
        }
        // Always a total (issue #2: per file and a total), also for one
        // file, where it repeats that file's line (removals are per source,
        // not per file: said in the total only).
        table.push(row("total", &summary.total));
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("{}", render::terminal_table(&table)),
        );
    }
    if !globals.quiet {
        if linked > 0 {
            crate::say!("kefu: linked {linked} feedback record(s) to roster agents by name or id");
        }
        if plan.dry_run {
            crate::say!("kefu: dry run: nothing was written to the store");
        }
        if let Some(p) = rejects.filter(|_| summary.total.rejected == 0) {
            crate::say!(
                "kefu: no row rejected ({} holds the header only)",
                ingest::path_text(p)
            );
        }
    }
    if summary.total.rejected > 0 && !plan.strict {
        // Rows not imported are a cron log's business (found by
        // exploratory testing: -q said nothing of 5 rows of 12 rejected),
        // one warning with or without -q (a log grepped for "warning"
        // found it only under -q). Under --strict they are the run's
        // errors, said already.
        let kept = match &rejects {
            Some(p) => format!("written to {}", rejects_name(p)),
            None => "not kept (--rejects FILE keeps them)".to_string(),
        };
        crate::say!(
            "kefu: warning: {} row(s) rejected, not imported: {kept}",
            summary.total.rejected
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{source_from_file, source_named_by_file, UnreadCauses};

    #[test]
    fn unread_causes_are_counted_and_the_first_few_shown_once() {
        let mut unread = UnreadCauses::default();
        assert_eq!(unread.warning(), None);
        for v in ["退款", "退款", "说不清"] {
            unread.note(v);
        }
        let w = unread.warning().unwrap();
        assert!(
            w.starts_with(
                "3 record(s) declare a cause (差评原因) kefu does not know: \"退款\", \"说不清\"; imported"
            ),
            "{w}"
        );
        for i in 0..10 {
            unread.note(&format!("原因{i}"));
        }
        let w = unread.warning().unwrap();
        assert!(w.contains("\"原因2\", …;") && !w.contains("原因3"), "{w}");
    }

    #[test]
    fn an_unread_cause_shows_no_phone_number() {
        let mut unread = UnreadCauses::default();
        unread.note("客户电话13812345678要求回电");
        let w = unread.warning().unwrap();
        assert!(
            w.contains("138****5678") && !w.contains("13812345678"),
            "{w}"
        );
    }

    #[test]
    fn sources_from_daily_file_names() {
        assert_eq!(
            source_from_file("exports/taobao-20261120.csv", "reviews"),
            "taobao"
        );
        assert_eq!(
            source_from_file("jd_reviews_2026-11-20 (1).xlsx", "reviews"),
            "jd_reviews"
        );
        assert_eq!(source_from_file("20261120.csv", "reviews"), "reviews");
        // An extension typed twice (Windows hid the first); a dot inside
        // a name stays.
        assert_eq!(
            source_from_file("taobao-20261120.csv.csv", "reviews"),
            "taobao"
        );
        assert_eq!(source_from_file("jd-20261121.XLSX.xlsx", "reviews"), "jd");
        assert_eq!(
            source_from_file("shop.cn-20261121.csv", "reviews"),
            "shop.cn"
        );
        // A number that is no date names a source: the 12315 platform's
        // export (found by exploratory testing).
        assert_eq!(source_from_file("12315-202611.csv", "complaints"), "12315");
        assert_eq!(source_from_file("12315.xlsx", "complaints"), "12315");
        for dates in [
            "2026-11-30.csv",
            "202611.csv",
            "2026_11.csv",
            "11-30.csv",
            "1120.csv",
            "0315.csv",
        ] {
            assert_eq!(
                source_from_file(dates, "complaints"),
                "complaints",
                "{dates}"
            );
        }
        assert_eq!(
            super::legacy_source_from_file("12315-202611.csv", "complaints"),
            "complaints"
        );
        // The names stores written before 2201cab hold.
        assert_eq!(
            super::legacy_source_from_file("shop1-20261119.csv", "reviews"),
            "shop"
        );
        assert_eq!(
            super::legacy_source_from_file("douyin_reviews_utf16.tsv", "reviews"),
            "douyin_reviews_utf"
        );
        assert_eq!(source_from_file("shop1-20261119.csv", "reviews"), "shop1");
        // Times, ranges, weeks and quarters in words (round 97: each
        // day's export a source of its own).
        for stamped in [
            "taobao-2026-11-20T08-30-00.csv",
            "taobao-20261120T083000.csv",
            "taobao-2026-11-20T08:30:00.csv",
            "taobao-20261120T0830Z.csv",
            "taobao_2026-11-20至2026-11-21.csv",
            "taobao_2026年11月20日至2026年11月21日.csv",
            "taobao-20261120到20261121.csv",
            "taobao-2026-W47.csv",
            "taobao-2026W47.csv",
            "taobao-2026年第47周.csv",
            "taobao-第47周.csv",
            "taobao-2026年第四季度.csv",
            "taobao_2026年4季度.csv",
            "taobao_2026年度.csv",
            "taobao_2026上半年.csv",
            // Round 98: a range's short end, a time in words, an offset.
            "taobao_2026-11-20至11-21.csv",
            "taobao_11月20日至11月21日.csv",
            "taobao_2026年11月20日至21日.csv",
            "taobao_2026-11-20到11-21.csv",
            "taobao-20261120T0830+0800.csv",
            "taobao_2026年11月21日08时30分.csv",
            "taobao_2026年11月21日08点30分.csv",
            "taobao_2026年11月21日08时30分12秒.csv",
            // Round 99: spaced ranges, a half-day's word.
            "taobao_2026-11-20 至 2026-11-21.csv",
            "taobao_2026-11-20_至_2026-11-21.csv",
            "taobao（2026-11-20 至 2026-11-21）.csv",
            "taobao_2026年11月21日下午3点.csv",
            "taobao_2026-11-20 上午08时30分.csv",
            // Round 100: a space or _ after 日, a half-day's word glued.
            "taobao_2026年11月20日 08时30分.csv",
            "taobao_2026年11月20日_15时.csv",
            "taobao_2026年11月20日 8点.csv",
            "taobao-20261120下午3点.csv",
            "taobao_2026年11月20日 下午3点.csv",
        ] {
            assert_eq!(source_from_file(stamped, "reviews"), "taobao", "{stamped}");
        }
        assert_eq!(
            source_from_file("差评导出-2026年11月20日至2026年11月21日.csv", "reviews"),
            "差评导出"
        );
        assert_eq!(
            source_from_file("全家24点-20261120.csv", "reviews"),
            "全家24点"
        );
        // What they were named before, which a store may hold.
        assert_eq!(
            super::source_before_time_marks("taobao-2026-11-20T08-30-00.csv", "reviews"),
            "taobao-2026-11-20T08"
        );
        assert_eq!(
            super::source_before_time_marks("taobao-2026-W47.csv", "reviews"),
            "taobao-2026-W47"
        );
        // Words that only look like marks stay.
        for name in [
            "送到",
            "销售季度",
            "ADW",
            "shop2T",
            "第一店",
            "周",
            "1点点",
            "至尊旗舰店",
            "直到",
            "24点",
            "3分钟",
            "分享店",
            "时尚馆",
            "60秒",
            "99分",
            "8点30",
            "满分100分",
            "7点到9点",
            "从早8点到晚10点",
            "分享店8点",
        ] {
            assert_eq!(source_from_file(&format!("{name}.csv"), "reviews"), name);
        }
        // Found by a regression sweep: 店铺1 and 店铺2 were one source.
        assert_eq!(source_from_file("店铺1-20261119.csv", "reviews"), "店铺1");
        assert_eq!(source_from_file("店铺2_20261119.csv", "reviews"), "店铺2");
        assert_eq!(source_from_file("奖惩登记表_7.csv", "events"), "奖惩登记表");
        for copy in [
            "奖惩登记表 - 複本.xlsx",
            "奖惩登记表(最終版).xlsx",
            "奖惩登记表 - 副本.csv",
            "奖惩登记表 - 副本 (2).csv",
            "奖惩登记表_v2.xlsx",
            "奖惩登记表v3.xlsx",
            "奖惩登记表(v2).xlsx",
            "奖惩登记表_7月.csv",
            "奖惩登记表_7月份.csv",
            "奖惩登记表2026年7月.csv",
            "奖惩登记表_Q3.csv",
            "奖惩登记表_2026Q3.csv",
            "奖惩登记表（最终版）.xlsx",
            "奖惩登记表(已修改).xlsx",
            "奖惩登记表－副本.csv",
            "奖惩登记表 - Copy.csv",
            "Copy of 奖惩登记表.csv",
            " 奖惩登记表 .csv",
            // Version and copy marks together (found by exploratory
            // testing: `_v2 - 副本` left 奖惩登记表_v, a new source).
            "奖惩登记表_v2 - 副本.csv",
            "奖惩登记表_v2 (1).csv",
            "奖惩登记表_v2 - Copy.csv",
            "奖惩登记表_v2_副本.csv",
            "奖惩登记表_v2_20261120.csv",
            "奖惩登记表_2026Q3_v2 - 副本 (2).xlsx",
        ] {
            assert_eq!(source_from_file(copy, "events"), "奖惩登记表", "{copy}");
        }
        // Words that only end like a mark stay, and so do brackets that
        // say something else (two platforms' exports stay apart).
        assert_eq!(source_from_file("每日.csv", "reviews"), "每日");
        assert_eq!(source_from_file("dev.csv", "reviews"), "dev");
        assert_eq!(source_from_file("dev3.csv", "reviews"), "dev3");
        assert_eq!(source_from_file("shop1.csv", "reviews"), "shop1");
        assert_eq!(
            source_from_file("douyin_reviews_utf16.tsv", "reviews"),
            "douyin_reviews_utf16"
        );
        assert_eq!(source_from_file("taobao20261120.csv", "reviews"), "taobao");
        assert_eq!(source_from_file("shop1_20261120.csv", "reviews"), "shop1");
        assert_eq!(source_from_file("copy.csv", "reviews"), "copy");
        assert_eq!(source_from_file("renew.csv", "reviews"), "renew");
        assert_eq!(source_from_file("FAQ.csv", "reviews"), "FAQ");
        assert_eq!(
            source_from_file("评价导出(京东).csv", "reviews"),
            "评价导出(京东)"
        );
        assert_eq!(source_from_file("店铺1号.csv", "reviews"), "店铺1号");
        assert_eq!(source_named_by_file("2026Q3.csv"), None);
        assert_eq!(source_named_by_file("-"), None);
        assert_eq!(source_from_file("-", "complaints"), "complaints");
        assert_eq!(
            source_from_file("评价导出20261120.csv", "reviews"),
            "评价导出"
        );
    }
}
