//! `kefu points`: the ledger — every point with its date, rule and source.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::Args;

use super::Globals;
use crate::dates::{self, Period};
use crate::error::Usage;
use crate::points::rulebook::Rulebook;
use crate::points::{self, Line};
use crate::render::{self, Cell, CsvOptions, Document, Format, Section, Table};
use crate::store;
use crate::workspace::Workspace;

/// The period options shared by `points` and `bonus`.
#[derive(Debug, Args, Clone)]
pub struct PeriodArgs {
    /// A quarter (季度): 2026Q3, 2026-Q3, 2026年第3季度, or this-quarter, last-quarter (本季度, 上季度)
    #[arg(long, conflicts_with_all = ["month", "year", "from", "to"])]
    pub quarter: Option<String>,
    /// A month: 2026-08, 2026年8月, 202608, or this-month, last-month (本月, 上月)
    #[arg(long, conflicts_with_all = ["year", "from", "to"])]
    pub month: Option<String>,
    /// A year: 2026, or this-year, last-year (今年, 去年)
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub year: Option<String>,
    /// First day of a custom range
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// Last day of a custom range
    #[arg(long, requires = "from")]
    pub to: Option<String>,
}

impl PeriodArgs {
    /// The period, in the workspace timezone (default: the quarter containing `today`).
    pub fn period(&self, tz: chrono_tz::Tz, today: NaiveDate) -> Result<Period> {
        let usage = |e: anyhow::Error| anyhow::Error::new(Usage(e.to_string()));
        // By name, or from today (last-quarter, 上月, 今年) when the word
        // names a period of the option's kind.
        let named = |text: &str, parse: fn(&str) -> Result<Period>, kind: fn(&Period) -> bool| {
            match dates::relative_period(text, tz) {
                Some(Ok(p)) if kind(&p) => Ok(p),
                Some(Err(e)) => Err(e),
                _ => parse(text),
            }
            .map_err(usage)
        };
        Ok(if let Some(q) = &self.quarter {
            named(q, dates::parse_quarter, |p| p.name.contains('Q'))?
        } else if let Some(m) = &self.month {
            named(m, dates::parse_month, |p| p.name.len() == 7)?
        } else if let Some(y) = &self.year {
            named(y, dates::parse_year, |p| p.name.len() == 4)?
        } else if let (Some(f), Some(t)) = (&self.from, &self.to) {
            Period::range(
                dates::parse_date_arg(f, tz).map_err(usage)?,
                dates::parse_date_arg(t, tz).map_err(usage)?,
            )
            .map_err(usage)?
        } else {
            Period::quarter_of(today)
        })
    }
}

/// Output options shared by `points` and `bonus`.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format [default: from -o's extension, else table]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CSV for Excel: UTF-8 with a byte-order mark
    #[arg(long)]
    pub excel: bool,
    /// CSV encoding: utf-8, gbk, or gb18030 (GBK's superset: every character, emoji too)
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<String>,
    /// Show customers' phone numbers, ID-card numbers and e-mails that 奖惩
    /// notes quote, and agent ids the roster lacks that read as such (masked
    /// by default)
    #[arg(long)]
    pub no_mask: bool,
}

impl OutputArgs {
    /// Checks the options before any work is done (or any other file
    /// written): the format `-o` and `--format` give, the encoding, and the
    /// file `-o` names (found by exploratory testing: `bonus --statements`
    /// wrote every statement, then failed on `-o` in a missing directory).
    pub fn check(&self) -> Result<()> {
        let format = Format::choose(self.format, self.output.as_deref())?;
        CsvOptions::for_format(self.excel, self.encoding.as_deref(), format)?;
        // Stdout too (found by exploratory testing: `bonus --statements`
        // wrote every statement, then found stdout read-only).
        match &self.output {
            Some(o) => crate::render::output::check(o),
            None => crate::render::output::check_stdout(),
        }
    }

    /// Renders `doc`; its notes go to stderr (unless `quiet`) when the
    /// format has no place for them (CSV, JSON Lines, a JSON array).
    pub fn emit(&self, doc: &Document, quiet: bool) -> Result<()> {
        let format = Format::choose(self.format, self.output.as_deref())?;
        let csv = CsvOptions::for_format(self.excel, self.encoding.as_deref(), format)?;
        render::notes_to_stderr(doc, format, quiet, !self.no_mask);
        if self.no_mask {
            crate::say!("kefu: warning: customers' phone numbers and ids that 奖惩 notes quote, and agent ids the roster lacks that read as such, are NOT masked in this output (--no-mask); handle it as personal data");
        }
        render::emit(doc, format, csv, self.output.as_deref())?;
        if let Some(o) = self
            .output
            .as_deref()
            .filter(|o| !crate::render::output::is_stdout(o))
        {
            if !quiet {
                crate::say!("kefu: wrote {}", crate::ingest::path_text(o));
            }
        }
        Ok(())
    }
}

/// What the outputs of an open period say until it has ended by `today`:
/// its figures can still change. `None` once it has ended.
pub fn provisional_note(p: &Period, today: NaiveDate) -> Option<String> {
    (!p.has_ended(today)).then(|| {
        format!(
            "provisional (暂定): {} is not over (it ends on {}, today is {today}); zero-complaint months are credited once they have ended, and the period can be closed from {}",
            p.name,
            p.last,
            p.last + chrono::Duration::days(1)
        )
    })
}

/// What a ledger says of rules that count for nothing, which the user
/// should know: stored events whose rule the rulebook no longer has
/// (renamed or removed in kefu.toml, or another scheme), in the period or
/// in a closed period it books adjustments to; top-metric rules for a
/// department no one on the roster is or was in. Personal data in them (a
/// phone number in the column of the agent's name) is masked unless `mask`
/// is off, as in the lines (found by exploratory testing: the note of
/// records charged to nobody showed it; `names`: the roster, id → name).
pub fn ledger_notes(
    l: &points::Ledger,
    names: &std::collections::HashMap<String, String>,
    mask: bool,
) -> Option<String> {
    let list = |rules: &std::collections::BTreeMap<String, usize>| -> (usize, String) {
        let names: Vec<String> = rules
            .iter()
            .map(|(rule, n)| format!("{rule} ({n})"))
            .collect();
        (rules.values().sum(), names.join(", "))
    };
    let mut notes = vec![];
    if !l.unknown_rules.is_empty() {
        let (total, names) = list(&l.unknown_rule_counts());
        notes.push(format!(
            "{total} recorded event(s) in the period name rules that [points] in kefu.toml does not have, and count for nothing: {names}"
        ));
    }
    for (period, rules) in &l.closed_unknown_rules {
        let (total, names) = list(rules);
        notes.push(format!(
            "{total} recorded event(s) dated in closed {period} name rules that the rulebook it was closed with does not have (renamed or added since?), and count for nothing there: {names}"
        ));
    }
    let leaderless: Vec<String> = l
        .flags
        .iter()
        .flat_map(|(agent, flags)| {
            flags
                .iter()
                .filter_map(|f| f.strip_prefix("no-leader-for:"))
                .map(move |f| format!("{agent} ({f})"))
        })
        .collect();
    if !leaderless.is_empty() {
        notes.push(format!(
            "no-leader-for: a rule that charges the agent's group leader too had no leader to charge, as the roster gives the agent none (组长工号) that day, or one not employed that day (left, or not yet joined), or, for a supervisor, a chain of leaders that loops back (an agent their own leader, two leading each other); nobody was charged: {}",
            leaderless.join(", ")
        ));
    }
    if !l.unlinked.is_empty() {
        let counted = l.unlinked.iter().filter(|(_, counts)| *counts).count();
        let shown: Vec<String> = l
            .unlinked
            .iter()
            .take(5)
            .map(|(u, _)| {
                format!(
                    "{} {} ({}, {})",
                    u.charge.kind.id(),
                    u.charge.ext_id,
                    u.name.as_deref().unwrap_or("no agent named"),
                    crate::dates::date_of_day(u.charge.day)
                )
            })
            .collect();
        notes.push(format!(
            "{} record(s) in the period would count against an agent ({counted}) or are pending ({}) but name no agent kefu could link (a name several agents share, or a name no one on the roster has), and are charged to nobody: {}{}; put the agent id (客服工号) in the export and import it again",
            l.unlinked.len(),
            l.unlinked.len() - counted,
            shown.join(", "),
            if l.unlinked.len() > shown.len() { ", …" } else { "" }
        ));
    }
    if !l.uncounted_complaint_rules.is_empty() {
        let (total, names) = list(&l.uncounted_complaint_rules);
        notes.push(format!(
            "{total} recorded event(s) in the period are of rules whose name says complaint (投诉) but which do not say whether they count as complaints, and are not counted as complaints (zero-complaint months, thresholds, nominations): {names}; add `complaint = true` to the rule in kefu.toml to count them (业务员或兄弟公司投诉 count with the customers' in DOMAIN.md §2), or `complaint = false` to keep them apart"
        ));
    }
    if let Some((_, _, held)) = l.unknown_departments.first() {
        let rules: Vec<String> = l
            .unknown_departments
            .iter()
            .map(|(rule, department, _)| format!("{rule} ({department})"))
            .collect();
        notes.push(format!(
            "top-metric rule(s) {} name a department no one on the roster is or was in, and award nothing (the roster's departments: {})",
            rules.join(", "),
            if held.is_empty() { "none".to_string() } else { held.join(", ") }
        ));
    }
    (!notes.is_empty()).then(|| {
        crate::report::shown_text(&notes.join("; "), &roster_words(names), mask).into_owned()
    })
}

/// The workspace's rulebook, or how to add one.
pub fn rulebook(ws: &Workspace) -> Result<&Rulebook> {
    // No workspace at all is the first thing to say.
    if !ws.store_path().exists() {
        return Err(crate::error::NoStore(ws.store_path()).into());
    }
    ws.config.points.as_ref().context(
        "kefu.toml has no [points] rulebook; copy examples/scheme-a.toml or scheme-b.toml into it",
    )
}

/// Show the ledger (积分明细): every line with date, agent, rule, points and source.
///
/// Anyone can check a bonus line by line: each line names the event, the
/// feedback record, or the derivation ("zero complaints in 2026-08") it comes
/// from. A closed period shows its frozen ledger.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  kefu points --quarter 2026Q3\n  kefu points --quarter 2026Q3 --agent KF003 --format csv\n  kefu points --month 2026-08 -o ledger.xlsx"
)]
pub struct PointsArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Only this agent (工号 or unique name)
    #[arg(long)]
    pub agent: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The roster's agent ids and names (`names`: id → name), which
/// [`crate::report::shown_text`] shows unmasked.
pub fn roster_words(names: &std::collections::HashMap<String, String>) -> Vec<&str> {
    names
        .iter()
        .flat_map(|(id, name)| [id.as_str(), name.as_str()])
        .collect()
}

/// The names of the rules ledger lines give: a line on a closed period's
/// days by the rulebook that period was closed with (found by exploratory
/// testing: a rule renamed in kefu.toml after the close left the frozen
/// line without a name), any other by kefu.toml's, and an adjustment to a
/// closed period whose rule kefu.toml no longer has by the closed one's.
pub struct RuleNames {
    now: std::collections::HashMap<String, String>,
    /// Per closed period with a rulebook kept: its days and its names,
    /// the narrowest period first.
    closed: Vec<(i64, i64, std::collections::HashMap<String, String>)>,
}

impl RuleNames {
    pub fn load(conn: &rusqlite::Connection, book: &Rulebook) -> Result<RuleNames> {
        let names_of = |book: &Rulebook| {
            book.rules
                .iter()
                .map(|r| (r.id.clone(), r.name.clone()))
                .collect()
        };
        let mut closed = vec![];
        for (name, first, last) in store::points::closed_periods(conn)? {
            if let Some(then) = points::closed_book(conn, &name)? {
                closed.push((first, last, names_of(&then)));
            }
        }
        closed.sort_by_key(|(first, last, _)| last - first);
        Ok(RuleNames {
            now: names_of(book),
            closed,
        })
    }

    /// The name of `rule` for a line on `day`; empty when no rulebook has it.
    fn name(&self, rule: &str, day: i64) -> &str {
        let on_day = self
            .closed
            .iter()
            .filter(|(first, last, _)| (*first..=*last).contains(&day));
        let any = self.closed.iter();
        on_day
            .filter_map(|(.., names)| names.get(rule))
            .chain(self.now.get(rule))
            .chain(any.filter_map(|(.., names)| names.get(rule)))
            .next()
            .map_or("", String::as_str)
    }
}

/// The ledger lines of a period as a table.
pub fn ledger_table(
    lines: &[Line],
    rules: &RuleNames,
    names: &std::collections::HashMap<String, String>,
    mask: bool,
) -> Table {
    let mut t = Table::new(&[
        "date",
        "agent_id",
        "agent_name",
        "rule_id",
        "rule_name",
        "points",
        "source",
    ]);
    let roster = roster_words(names);
    for l in lines {
        let rule = rules.name(&l.rule_id, l.day);
        t.push(vec![
            Cell::Date(dates::date_of_day(l.day)),
            crate::report::shown_agent_id(&l.agent_id, names.contains_key(&l.agent_id), mask)
                .into_owned()
                .into(),
            names.get(&l.agent_id).cloned().unwrap_or_default().into(),
            l.rule_id.as_str().into(),
            rule.into(),
            l.points.into(),
            // An event's note (客户张三(138…)来信表扬) may quote a customer.
            crate::report::shown_text(&l.source, &roster, mask)
                .into_owned()
                .into(),
        ]);
    }
    t
}

/// Resolves `--agent` (id, unique name or former name) through the roster
/// (see [`super::agent_arg`]).
pub fn resolve_agent(
    conn: &rusqlite::Connection,
    agent: Option<&str>,
    quiet: bool,
) -> Result<Option<String>> {
    match agent {
        None => Ok(None),
        Some(a) => {
            let roster = store::agents::Lookup::load(conn)?;
            match super::agent_arg(&roster, a, quiet)? {
                Some(id) => Ok(Some(id)),
                // An id the exports gave that the roster lacks has its own
                // bonus row (not-on-roster): its lines too (found by
                // exploratory testing: HR typed the id the bonus showed).
                None if store::points::charged_id(conn, a)? => {
                    let one = crate::domain::off_roster_id(a);
                    if !quiet {
                        crate::say!(
                            "kefu: --agent {}: not on the roster; its records as the exports gave them, in any case or width, as {} (import the roster to link them)",
                            crate::domain::shown(a),
                            crate::domain::shown(&one)
                        );
                    }
                    Ok(Some(one))
                }
                None => bail!(Usage(format!(
                    "no agent {} on the roster (by id or unique name){}",
                    crate::domain::shown(a),
                    roster.did_you_mean(a)
                ))),
            }
        }
    }
}

pub fn run(globals: &Globals, args: PointsArgs) -> Result<()> {
    let ws = Workspace::load(globals.workspace.as_deref(), globals.quiet)?;
    // Before anything is computed or said.
    args.output.check()?;
    let book = rulebook(&ws)?;
    let today = dates::today(ws.tz)?;
    let period = args.period.period(ws.tz, today)?;
    let store = ws.open_store()?;
    store.read_snapshot()?;
    let agent = resolve_agent(&store.conn, args.agent.as_deref(), globals.quiet)?;
    let roster = store::points::agents(&store.conn)?;
    let spelling = points::OneSpelling::of(&roster);
    let names: std::collections::HashMap<String, String> =
        roster.into_iter().map(|a| (a.id, a.name)).collect();
    // Closed by its name, or by its days under another (a --from/--to).
    let (first, last) = period.days();
    let closed_name = store::points::closed_with_days(&store.conn, first, last)?;
    let closed = match &closed_name {
        Some(name) => store::points::closed(&store.conn, name)?,
        None => None,
    };
    let mut agent = agent;
    let (lines, unknown): (Vec<Line>, Option<String>) = match &closed {
        Some((_, payout)) => {
            let mut lines = store::points::closed_lines(
                &store.conn,
                closed_name.as_deref().unwrap_or_default(),
            )?;
            // Written as the ledger writes ids now (a snapshot an earlier
            // kefu closed kept an id the roster lacks as the export gave
            // it), unless that merges rows the snapshot holds apart, as
            // `bonus` shows them (found by exploratory testing: the ledger
            // gave KF099 -3 beside its bonus row's -1).
            let pays = points::read_payout(payout)?;
            if spelling.respells(pays.iter().map(|p| p.agent_id.as_str())) {
                lines = lines.into_iter().map(|l| spelling.line(l)).collect();
            } else if let Some(typed) = args.agent.as_deref() {
                // --agent kf099: that row, where the snapshot has one.
                if lines.iter().any(|l| l.agent_id == typed) {
                    agent = Some(typed.to_string());
                }
            }
            // Records charged to nobody, as the store has them now, as
            // `bonus` says them (found by exploratory testing).
            let live = points::compute(&store.conn, book, &period, agent.as_deref(), today)?;
            (
                lines
                    .into_iter()
                    .filter(|l| agent.as_ref().is_none_or(|a| &l.agent_id == a))
                    .collect(),
                ledger_notes(&live, &names, !args.output.no_mask),
            )
        }
        None => {
            let l = points::compute(&store.conn, book, &period, agent.as_deref(), today)?;
            let note = ledger_notes(&l, &names, !args.output.no_mask);
            (l.lines, note)
        }
    };
    let net: i64 = lines.iter().map(|l| l.points).sum();
    let mut doc = Document::new(format!("积分明细 Points ledger {}", period.name));
    doc.fact("period", "期间 period", period.name.as_str());
    if let Some(a) = &agent {
        doc.fact(
            "agent_id",
            "客服 agent",
            crate::report::shown_agent_id(a, names.contains_key(a), !args.output.no_mask)
                .into_owned(),
        );
    }
    doc.fact("lines", "条目 lines", lines.len() as i64);
    doc.fact("net_points", "净积分 net points", net);
    match closed {
        Some((at, _)) => doc.notes.push(format!(
            "closed on {}: this is the frozen ledger; {} (已结算)",
            dates::local_datetime(at, ws.tz).format("%Y-%m-%d %H:%M"),
            points::later_changes(&store.conn, last)?
        )),
        None => doc.notes.extend(provisional_note(&period, today)),
    }
    doc.notes.extend(unknown);
    doc.sections.push(Section::new(
        "lines",
        "明细 lines",
        ledger_table(
            &lines,
            &RuleNames::load(&store.conn, book)?,
            &names,
            !args.output.no_mask,
        ),
    ));
    args.output.emit(&doc, globals.quiet)
}
