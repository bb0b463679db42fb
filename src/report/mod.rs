//! Reports on negative feedback: each is built once as a typed
//! [`Document`](crate::render::Document) from the store, and rendered to every
//! format by `render`. Days, weeks and months are cut in the workspace
//! timezone; customer phone numbers and ids are masked unless asked not to.
//!
//! - `daily`: one day's items and totals, the change against the day before
//!   and the 7-day average, the negative rate;
//! - `causes`: Pareto of causes, causes found together, causes per department;
//! - `trend`: counts and rate per day/week/month, high and low periods;
//! - `compare`: agents, departments or channels in one period against another;
//! - `distribution`: by hour of day, weekday or channel.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::Result;
use chrono::{Datelike, Duration, Months, NaiveDate, Timelike};
use chrono_tz::Tz;
use rusqlite::Connection;

use crate::dates::{self, Period};
use crate::domain::Cause;
use crate::privacy;
use crate::render::{Cell, Chart, Document, Section, Table, Tag};
use crate::store::reports::{self, Filters, Item};

/// What every report needs.
pub struct Context<'a> {
    pub conn: &'a Connection,
    pub tz: Tz,
    pub filters: Filters,
    /// Mask customer phone numbers and ids (the default).
    pub mask: bool,
    pub spellings: Spellings,
    /// The keys of the roster's agent ids and names
    /// ([`reports::roster_agent_keys`]).
    pub roster_agents: HashSet<String>,
    /// The report is of a file (`--input`), not of the workspace's store:
    /// no note about the store's history.
    pub from_input: bool,
}

/// An agent id as reports, points and bonus show it: one the roster lacks
/// that reads as personal data (a phone number shifted into 客服工号) is
/// masked unless `--no-mask` (found by exploratory testing: the import's
/// warning masked it, the bonus row and its statement's file name did not).
pub fn shown_agent_id(id: &str, on_roster: bool, mask: bool) -> std::borrow::Cow<'_, str> {
    if mask && !on_roster {
        privacy::mask_personal_data(id)
    } else {
        std::borrow::Cow::Borrowed(id)
    }
}

/// A text (a ledger line's source, a note) as points and bonus show it:
/// personal data masked unless `mask` is off, except where the text names a
/// roster agent (`roster`: ids and names of the roster), who is shown as the
/// roster has them (found by exploratory testing: `joint liability for
/// 138****8000` hid which of the leader's agents the roster's 13800138000
/// was).
pub fn shown_text<'t>(text: &'t str, roster: &[&str], mask: bool) -> std::borrow::Cow<'t, str> {
    if !mask {
        return std::borrow::Cow::Borrowed(text);
    }
    // Only a roster id or name that masking would change needs keeping.
    let mut kept: Vec<(usize, usize)> = vec![];
    for name in roster.iter().filter(|n| !n.is_empty()) {
        for (at, _) in text.match_indices(*name) {
            let end = at + name.len();
            let alone = !text[..at].ends_with(|c: char| c.is_alphanumeric())
                && !text[end..].starts_with(|c: char| c.is_alphanumeric());
            if alone && privacy::mask_personal_data(name) != *name {
                kept.push((at, end));
            }
        }
    }
    if kept.is_empty() {
        return privacy::mask_personal_data(text);
    }
    kept.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, end) in kept {
        if at < last {
            continue;
        }
        out.push_str(&privacy::mask_personal_data(&text[last..at]));
        out.push_str(&text[at..end]);
        last = end;
    }
    out.push_str(&privacy::mask_personal_data(&text[last..]));
    std::borrow::Cow::Owned(out)
}

impl Context<'_> {
    /// An agent id or name as a report shows it ([`shown_agent_id`]).
    fn agent<'s>(&self, id_or_name: &'s str) -> std::borrow::Cow<'s, str> {
        let on_roster = self
            .roster_agents
            .contains(&crate::domain::agent_key(id_or_name));
        shown_agent_id(id_or_name, on_roster, self.mask)
    }

    fn agent_cell(&self, id_or_name: Option<&str>) -> Cell {
        id_or_name.map(|s| self.agent(s).into_owned()).into()
    }
}

/// How tables name a department or channel, so that one written in either
/// script is one row (京东 and 京東, 售后一组 and 售後一組): a department as the
/// roster spells it, else (and a channel always) with Traditional characters
/// and full-width forms written as Simplified and half-width. The same
/// whichever records a report reads; items keep what the export wrote.
#[derive(Debug, Clone, Default)]
pub struct Spellings {
    /// The roster's departments, by their [`crate::domain::normalize_term`] key.
    departments: std::collections::HashMap<String, String>,
    /// Personal data in a channel or department (a phone number shifted
    /// into the column) masked, as in an agent id the roster lacks (found
    /// by exploratory testing: `客户电话138…` was shown whole by channel).
    mask: bool,
    /// Names already masked: reports ask for a record's channel or
    /// department once per record, and a department has few names.
    masked: std::cell::RefCell<std::collections::HashMap<String, String>>,
}

impl Spellings {
    /// With the roster's departments ([`reports::roster_departments`]).
    pub fn new(roster_departments: Vec<String>) -> Spellings {
        Spellings {
            departments: roster_departments
                .into_iter()
                .map(|d| (crate::domain::normalize_term(&d), d))
                .collect(),
            mask: false,
            masked: Default::default(),
        }
    }

    /// Masking personal data in the names it gives (reports: unless `--no-mask`).
    pub fn masked(mut self, mask: bool) -> Spellings {
        self.mask = mask;
        self
    }

    pub fn department(&self, d: Option<&str>) -> String {
        match d {
            None => reports::NONE.into(),
            Some(d) => self.shown(
                self.departments
                    .get(&crate::domain::normalize_term(d))
                    .cloned()
                    .unwrap_or_else(|| crate::domain::fold_script(d)),
            ),
        }
    }

    pub fn channel(&self, c: Option<&str>) -> String {
        c.map_or_else(
            || reports::NONE.into(),
            |c| self.shown(crate::domain::fold_script(c)),
        )
    }

    /// A department, channel or source name as written, personal data in
    /// it masked when masking.
    pub fn shown(&self, name: String) -> String {
        if !self.mask {
            return name;
        }
        if let Some(masked) = self.masked.borrow().get(&name) {
            return masked.clone();
        }
        let masked = privacy::mask_personal_data(&name).into_owned();
        self.masked.borrow_mut().insert(name, masked.clone());
        masked
    }
}

/// The cause id of an item ("unclassified" when it has none).
fn cause_of(item: &Item) -> String {
    item.cause.clone().unwrap_or_else(|| "unclassified".into())
}

fn cause_label(id: &str) -> String {
    Cause::parse(id).map_or_else(|| "未分类".to_string(), |c| c.label().to_string())
}

/// Why a report filtered to complaints shows no negative rate.
const RATE_NOT_FOR_COMPLAINTS: &str =
    "with --kind complaint, the negative rate (差评率, negative reviews / all reviews) does not apply to complaints";

/// Says how many negative reviews came from exports with no rating column.
fn unrated_note(n: i64) -> String {
    format!(
        "{n} negative review(s) came from an export with no rating column (差评 only): counted as negative feedback, but left out of the negative rate and its review count, as that export's other reviews were not imported"
    )
}

fn share(n: i64, total: i64) -> Cell {
    if total == 0 {
        Cell::Empty
    } else {
        Cell::Percent(n as f64 / total as f64)
    }
}

/// A short, single-line excerpt of a text, with phone numbers and other
/// personal data masked.
fn excerpt(text: &str, mask: bool) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let t = if mask {
        privacy::mask_personal_data(&one_line)
    } else {
        one_line.as_str().into()
    };
    let mut out: String = t.chars().take(40).collect();
    if t.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Counts by key, largest first (ties by key), as a table with share.
fn count_table(first_col: &str, counts: &BTreeMap<String, i64>, total: i64) -> Table {
    let mut rows: Vec<(&String, &i64)> = counts.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut t = Table::new(&[first_col, "count", "share"]);
    for (k, n) in rows {
        t.push(vec![k.as_str().into(), (*n).into(), share(*n, total)]);
    }
    t
}

fn cause_table(counts: &BTreeMap<String, i64>, total: i64) -> Table {
    let mut t = Table::new(&["cause", "label", "count", "share"]);
    let mut rows: Vec<(&String, &i64)> = counts.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (k, n) in rows {
        t.push(vec![
            k.as_str().into(),
            cause_label(k).into(),
            (*n).into(),
            share(*n, total),
        ]);
    }
    t
}

/// `report daily`.
pub fn daily(ctx: &Context<'_>, date: chrono::NaiveDate) -> Result<Document> {
    let day = dates::day_number(date);
    let mut items = Table::new(&[
        "time",
        "kind",
        "agent_id",
        "agent_name",
        "department",
        "channel",
        "cause",
        "cause_label",
        "excerpt",
        "customer",
        "customer_phone",
        "source",
        "id",
        "validity",
    ]);
    let mut by_cause: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_channel: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_department: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_agent: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut agent_departments: HashMap<(String, String), String> = HashMap::new();
    let mut ids = IdSpellings::default();
    let mut id_names: HashMap<String, String> = HashMap::new();
    let mut total = 0i64;
    let mut unfounded = 0i64;
    reports::each_negative(
        ctx.conn,
        day,
        day,
        &ctx.filters,
        reports::Read::Listed,
        |it| {
            total += 1;
            if it.validity.as_deref() == Some("rejected") {
                unfounded += 1;
            }
            let cause = cause_of(it);
            *by_cause.entry(cause.clone()).or_default() += 1;
            *by_channel
                .entry(ctx.spellings.channel(it.channel.as_deref()))
                .or_default() += 1;
            let dept = ctx.spellings.department(it.department.as_deref());
            *by_department.entry(dept.clone()).or_default() += 1;
            // An id is one agent whatever names exports gave it: the first
            // name met (found by exploratory testing: KF099 split in three
            // rows, one per name, where `compare` had one).
            let name = it.agent_name.as_deref().unwrap_or_default();
            let key = match it.agent_id.as_deref() {
                Some(id) => {
                    let id = ids.of(id);
                    if !name.is_empty() {
                        id_names
                            .entry(id.clone())
                            .or_insert_with(|| name.to_string());
                    }
                    (id, String::new())
                }
                None => (String::new(), ids.name(name)),
            };
            // One row per agent, in the department of their first record
            // (as `compare`: found by exploratory testing, an agent whose
            // exports gave two departments had two rows).
            agent_departments.entry(key.clone()).or_insert(dept);
            *by_agent.entry(key).or_default() += 1;
            let customer = it.customer.as_deref().map(|c| {
                if ctx.mask {
                    privacy::mask_id(c)
                } else {
                    c.to_string()
                }
            });
            let phone = it.customer_phone.as_deref().map(|p| {
                if ctx.mask {
                    privacy::mask_phone(p)
                } else {
                    p.to_string()
                }
            });
            items.push(vec![
                Cell::DateTime(dates::local_datetime(it.created_at, ctx.tz)),
                it.kind.as_str().into(),
                ctx.agent_cell(it.agent_id.as_deref()),
                ctx.agent_cell(it.agent_name.as_deref()),
                it.department.clone().map(|d| ctx.spellings.shown(d)).into(),
                it.channel.clone().map(|c| ctx.spellings.shown(c)).into(),
                cause.as_str().into(),
                cause_label(&cause).into(),
                excerpt(it.content.as_deref().unwrap_or(""), ctx.mask).into(),
                customer.into(),
                phone.into(),
                ctx.spellings.shown(it.source.clone()).into(),
                // A register keyed by the customer's phone: masked as
                // `bonus` and `points` mask such an id (found by
                // exploratory testing).
                if ctx.mask {
                    privacy::mask_personal_data(&it.ext_id).into_owned()
                } else {
                    it.ext_id.clone()
                }
                .into(),
                // 成立 / 不成立 / 待定 where people read, the id in data
                // (last: a column added after the others).
                it.validity
                    .as_deref()
                    .and_then(crate::domain::Validity::parse)
                    .map_or(Cell::Empty, |v| Cell::Tag(Tag::new(v.id(), v.label()))),
            ]);
        },
    )?;
    // The previous 7 days, for the change and the average; the day's reviews
    // for the negative rate.
    let mut per_day = [0i64; 7];
    let (mut neg_reviews, mut all_reviews) = (0i64, 0i64);
    for c in reports::day_counts(ctx.conn, day - 7, day, &ctx.filters)? {
        if c.day < day && c.is_counted_negative(&ctx.filters) {
            per_day[(c.day - (day - 7)) as usize] += c.n;
        }
        if c.day == day && c.is_review() {
            all_reviews += c.n;
            if c.is_counted_negative(&ctx.filters) {
                neg_reviews += c.n;
            }
        }
    }
    // Reviews of an export with no rating column are negative feedback, but
    // not part of the rate: their source's other reviews were not imported.
    // Those the report counts (its cause filter too) are said in a note.
    let mut unrated = 0;
    for c in reports::unrated_counts(ctx.conn, day, day, &ctx.filters)? {
        if c.is_review() {
            all_reviews -= c.n;
            if c.is_counted_negative(&ctx.filters) {
                neg_reviews -= c.n;
                unrated += c.n;
            }
        }
    }
    // Days before the store's first record are no days without
    // complaints: the previous day and the average are of the days since
    // (found by exploratory testing: the first week after going live
    // compared each day with an average of zeros). A day since that holds
    // nothing at all counts as 0, as a quiet day of a 差评-only export does,
    // and is named in a note.
    let first_stored = reports::first_stored_day(ctx.conn)?;
    // A file (--input) is no store with a history: seven days, as written.
    let covered = if ctx.from_input {
        7
    } else {
        first_stored.map_or(0, |first| (day - first.max(day - 7)).clamp(0, 7))
    };
    // The days of the seven before and the day itself that hold any record,
    // and whether whole exports come (a review of another rating in the
    // days around): fed 差评-only exports or complaint logs, a day with
    // nothing is a quiet day (found by exploratory testing).
    let (stored, whole_exports) = if ctx.from_input {
        (HashSet::new(), false)
    } else {
        (
            reports::days_with_records(ctx.conn, day - 7, day)?,
            reports::holds_other_ratings(ctx.conn, day - 7, day + 7)?,
        )
    };
    let previous = (covered > 0).then_some(per_day[6]);
    let average = per_day.iter().sum::<i64>() as f64 / covered.max(1) as f64;

    let mut doc = Document::new(format!("差评日报 Daily negative feedback report {date}"));
    doc.fact("date", "日期 date", Cell::Date(date));
    doc.fact("total", "差评/投诉 negative feedback", total);
    let history = |cell: Cell| if covered > 0 { cell } else { Cell::Empty };
    doc.fact(
        "previous_day",
        "前一日 previous day",
        previous.map_or(Cell::Empty, Cell::from),
    );
    doc.fact(
        "change",
        "较前一日 change",
        previous.map_or(Cell::Empty, |p| Cell::from(total - p)),
    );
    doc.fact(
        "seven_day_average",
        "近7日均值 7-day average",
        history(Cell::Float(average, 1)),
    );
    // The day against that average (issue #5: the change against the
    // previous day and the 7-day average; found by a conformance audit).
    doc.fact(
        "change_vs_average",
        "较7日均值 vs 7-day average",
        history(Cell::Float(total as f64 - average, 1)),
    );
    let rate_applies = ctx.filters.counts_reviews();
    doc.fact(
        "reviews",
        "当日评价总数 all reviews",
        if rate_applies {
            Cell::Int(all_reviews)
        } else {
            Cell::Empty
        },
    );
    doc.fact(
        "negative_rate",
        "差评率 negative rate",
        if rate_applies {
            share(neg_reviews, all_reviews)
        } else {
            Cell::Empty
        },
    );
    if !rate_applies {
        doc.notes.push(RATE_NOT_FOR_COMPLAINTS.into());
    } else if unrated > 0 {
        doc.notes.push(unrated_note(unrated));
    }
    let today = dates::day_number(dates::today(ctx.tz)?);
    if !ctx.from_input {
        // The days since the store's first record, of the seven before,
        // that hold nothing at all where whole exports come (an export
        // missing?); not days after today, whose exports have not come yet.
        let missing: Vec<i64> = (day - covered..day)
            .filter(|d| whole_exports && !stored.contains(d) && *d < today)
            .collect();
        match first_stored {
            Some(first) if first == day => doc.notes.push(format!(
                "the store holds nothing before {date}: no previous day or 7-day average to compare with"
            )),
            Some(first) if first < day && covered < 7 => doc.notes.push(format!(
                "the store holds nothing before {}: the 7-day average is of the {covered} day(s) since",
                dates::date_of_day(first)
            )),
            _ => {}
        }
        if !missing.is_empty() {
            let days: Vec<String> = missing
                .iter()
                .map(|d| dates::date_of_day(*d).to_string())
                .collect();
            doc.notes.push(format!(
                "nothing at all is stored for {} (an export missing?): counted as 0 in {}the 7-day average",
                days.join(", "),
                if missing.contains(&(day - 1)) {
                    "the previous day and "
                } else {
                    ""
                }
            ));
        }
    }
    if unfounded > 0 {
        doc.notes.push(format!(
            "{unfounded} of these {} judged unfounded (不成立, validity rejected): listed and counted as received; bonus does not charge them",
            if unfounded == 1 { "was" } else { "were" }
        ));
    }
    // Nothing at all on a day the store's history covers, that is over: an
    // export missing or an import that failed, not a quiet day (found by
    // exploratory testing: it said 当日无差评). A day before the store's
    // first record is not known at all; a day not over is said by the
    // command (today, or after it).
    if total == 0 {
        let note = if ctx.from_input {
            Some(format!("no negative feedback on {date} in the input"))
        } else if day > today {
            None
        } else if first_stored.is_none_or(|first| first > day) {
            Some(match first_stored {
                Some(first) => format!(
                    "the store's records begin on {}: nothing is known of {date} (not reported as 当日无差评)",
                    dates::date_of_day(first)
                ),
                None => "the store holds no feedback yet: import the day's exports first (not reported as 当日无差评)".into(),
            })
        } else if day < today && whole_exports && !stored.contains(&day) {
            Some(format!(
                "nothing at all is stored for {date}, no review of any rating and no complaint, while earlier days have records: an export missing, or an import that failed? (not reported as 当日无差评)"
            ))
        } else {
            Some(format!("no negative feedback on {date} (当日无差评)"))
        };
        doc.notes.extend(note);
    }
    doc.sections.push(
        Section::new("by_cause", "按原因 by cause", cause_table(&by_cause, total))
            .object(0, 2)
            .chart(Chart::Bars { label: 1, value: 2 }),
    );
    doc.sections.push(
        Section::new(
            "by_channel",
            "按渠道 by channel",
            count_table("channel", &by_channel, total),
        )
        .object(0, 1)
        .chart(Chart::Bars { label: 0, value: 1 }),
    );
    doc.sections.push(
        Section::new(
            "by_department",
            "按部门 by department",
            count_table("department", &by_department, total),
        )
        .object(0, 1),
    );
    // A "name" that is the id other records of the day carry is that
    // agent, as in `compare` (found by exploratory testing).
    let named: Vec<((String, String), String)> = by_agent
        .keys()
        .filter(|(id, _)| id.is_empty())
        .filter_map(|key| Some((key.clone(), ids.known(&key.1)?.clone())))
        .collect();
    for (key, id) in named {
        let n = by_agent.remove(&key).unwrap_or(0);
        *by_agent.entry((id, String::new())).or_default() += n;
    }
    let mut agents = Table::new(&["agent_id", "agent_name", "department", "count"]);
    let mut agent_rows: Vec<_> = by_agent.into_iter().collect();
    agent_rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((id, name), n) in agent_rows {
        let dept = agent_departments
            .get(&(id.clone(), name.clone()))
            .cloned()
            .unwrap_or_else(|| crate::store::reports::NONE.into());
        let name = id_names.get(&id).cloned().unwrap_or(name);
        agents.push(vec![
            // An agent known by name only: no id (null in JSON), as items.
            if id.is_empty() {
                Cell::Empty
            } else {
                ctx.agent(&id).into_owned().into()
            },
            ctx.agent(&name).into_owned().into(),
            dept.into(),
            n.into(),
        ]);
    }
    doc.sections
        .push(Section::new("by_agent", "按客服 by agent", agents));
    doc.sections
        .push(Section::new("items", "明细 items", items));
    Ok(doc)
}

/// `report causes`.
pub fn causes(ctx: &Context<'_>, period: &Period) -> Result<Document> {
    let (first, last) = period.days();
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    let mut pairs: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut multi = 0i64;
    let mut by_dept: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut total = 0i64;
    reports::each_negative(
        ctx.conn,
        first,
        last,
        &ctx.filters,
        reports::Read::Counted,
        |it| {
            total += 1;
            let cause = cause_of(it);
            *counts.entry(cause.clone()).or_default() += 1;
            *by_dept
                .entry(ctx.spellings.department(it.department.as_deref()))
                .or_default()
                .entry(cause)
                .or_default() += 1;
            let mut found: Vec<&str> = it
                .causes
                .as_deref()
                .unwrap_or("")
                .split(';')
                .filter(|s| !s.is_empty())
                .collect();
            found.sort_unstable();
            found.dedup();
            if found.len() > 1 {
                multi += 1;
            }
            for i in 0..found.len() {
                for j in i + 1..found.len() {
                    *pairs
                        .entry((found[i].to_string(), found[j].to_string()))
                        .or_default() += 1;
                }
            }
        },
    )?;
    let mut doc = Document::new(format!(
        "差评原因分析 Cause analysis {} – {}",
        period.first, period.last
    ));
    doc.fact("from", "开始 from", Cell::Date(period.first));
    doc.fact("to", "结束 to", Cell::Date(period.last));
    doc.fact("total", "差评/投诉 negative feedback", total);
    doc.fact(
        "with_several_causes",
        "含多个原因 with several causes",
        multi,
    );
    if total == 0 {
        doc.notes
            .push("no negative feedback in this period (本期无差评)".into());
    }
    // Pareto: causes by count, cumulative share, main causes up to 80%.
    let mut rows: Vec<(String, i64)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut pareto = Table::new(&["cause", "label", "count", "share", "cumulative", "main"]);
    let mut cumulative = 0i64;
    // A cause with as many as the last main cause is main too: which of two
    // tied causes comes first is only the order of their ids (found by
    // exploratory testing: response, alone of five tied causes, was
    // secondary).
    let mut last_main: Option<i64> = None;
    for (cause, n) in &rows {
        let main = (cumulative as f64) < 0.8 * total as f64 || last_main == Some(*n);
        if main {
            last_main = Some(*n);
        }
        cumulative += n;
        pareto.push(vec![
            cause.as_str().into(),
            cause_label(cause).into(),
            (*n).into(),
            share(*n, total),
            share(cumulative, total),
            Cell::Tag(if main {
                Tag::new("main", "main 主要")
            } else {
                Tag::new("secondary", "secondary 次要")
            }),
        ]);
    }
    doc.sections.push(
        Section::new("pareto", "原因帕累托 Pareto of causes", pareto)
            .chart(Chart::Pareto {
                label: 1,
                value: 2,
                cumulative: 4,
            })
            .note("main: the causes that together make up the first 80% of negative feedback, and any cause tied with the last of them"),
    );
    let mut together = Table::new(&["cause_a", "cause_b", "count", "share"]);
    let mut pair_rows: Vec<_> = pairs.into_iter().collect();
    pair_rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((a, b), n) in pair_rows {
        together.push(vec![a.into(), b.into(), n.into(), share(n, total)]);
    }
    doc.sections.push(
        Section::new("together", "同时出现的原因 causes found together", together).note(
            "pairs of causes the classifier found in the same text; share of all negative feedback",
        ),
    );
    let mut cols = vec!["department", "total"];
    cols.extend(Cause::ALL.iter().map(|c| c.id()));
    let mut per_dept = Table::new(&cols);
    for (dept, cs) in &by_dept {
        let dept_total: i64 = cs.values().sum();
        let mut row: Vec<Cell> = vec![dept.as_str().into(), dept_total.into()];
        row.extend(
            Cause::ALL
                .iter()
                .map(|c| Cell::Int(cs.get(c.id()).copied().unwrap_or(0))),
        );
        per_dept.push(row);
    }
    doc.sections.push(Section::new(
        "by_department",
        "各部门原因 causes per department",
        per_dept,
    ));
    Ok(doc)
}

/// How trend periods are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TrendBy {
    Day,
    Week,
    Month,
}

impl TrendBy {
    /// The period of this length containing `date`.
    pub fn period_of(self, date: NaiveDate) -> Period {
        match self {
            TrendBy::Day => Period::day(date),
            TrendBy::Week => Period::week_of(date),
            TrendBy::Month => Period::month_of(date),
        }
    }

    /// The first day of the default range ending on `to`: 30 days, or the 12
    /// weeks or 12 months ending with the one containing `to`.
    pub fn default_from(self, to: NaiveDate) -> NaiveDate {
        match self {
            TrendBy::Day => to - Duration::days(29),
            TrendBy::Week => Period::week_of(to).first - Duration::weeks(11),
            TrendBy::Month => Period::month_of(to).first - Months::new(11),
        }
    }
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// `report trend`. A week or month cut by the range's first or last day
/// shows the days it counts as its from and to, and is marked partial, as
/// is a period that has not ended by today:
/// the mean, median and standard deviation are those of the whole periods
/// (of all, when none is whole), and a partial period is never high or low
/// (a one-day stub of a week is not a quiet week).
pub fn trend(ctx: &Context<'_>, period: &Period, by: TrendBy) -> Result<Document> {
    let (first, last) = period.days();
    // Every bucket in the range, even empty ones (a quiet period is data),
    // and whether the range cuts it.
    let mut buckets: Vec<Period> = vec![];
    let mut partial: Vec<bool> = vec![];
    // A period that has not ended by today (today itself, this week, this
    // month) is as partial as one the range cuts: this morning's few
    // arrivals are not a quiet day (found by exploratory testing).
    let today = dates::day_number(dates::today(ctx.tz)?);
    let mut day = first;
    while day <= last {
        let whole = by.period_of(dates::date_of_day(day));
        let b = whole.clipped_to(period);
        day = dates::day_number(b.last) + 1;
        let cut = b.first != whole.first || b.last != whole.last;
        partial.push(cut || dates::day_number(whole.last) >= today);
        buckets.push(b);
    }
    let index_of = |d: i64| {
        buckets
            .iter()
            .position(|b| b.contains(dates::date_of_day(d)))
    };
    let mut negative = vec![0i64; buckets.len()];
    let mut per_cause = vec![[0i64; 5]; buckets.len()];
    let mut reviews = vec![(0i64, 0i64); buckets.len()];
    let mut current = None;
    for c in reports::day_counts(ctx.conn, first, last, &ctx.filters)? {
        // Rows come in day order: look the bucket up once per day.
        let i = match current {
            Some((d, i)) if d == c.day => i,
            _ => {
                let Some(i) = index_of(c.day) else { continue };
                current = Some((c.day, i));
                i
            }
        };
        if c.is_counted_negative(&ctx.filters) {
            negative[i] += c.n;
            let cause = c
                .cause
                .as_deref()
                .and_then(Cause::parse)
                .unwrap_or(Cause::Other);
            per_cause[i][cause as usize] += c.n;
        }
        if c.is_review() {
            reviews[i].1 += c.n;
            if c.is_counted_negative(&ctx.filters) {
                reviews[i].0 += c.n;
            }
        }
    }
    // As in the daily report: reviews of exports without ratings are out
    // of the rate.
    let mut unrated = 0;
    for c in reports::unrated_counts(ctx.conn, first, last, &ctx.filters)? {
        if let Some(i) = index_of(c.day).filter(|_| c.is_review()) {
            reviews[i].1 -= c.n;
            if c.is_counted_negative(&ctx.filters) {
                reviews[i].0 -= c.n;
                unrated += c.n;
            }
        }
    }
    let rate_applies = ctx.filters.counts_reviews();
    // A period that holds no record at all, of any kind or rating, is no
    // quiet period where whole exports come (an export missing, or an
    // import that failed), nor one before the store's first record: it is
    // marked no-data and left out of the statistics, as in the daily
    // report (found by exploratory testing: a day whose export was
    // missing was the month's "low"). Not for a file (--input).
    // A period that holds some such days (or begins before the store's
    // first record) counts only the days it has: partial, never high or
    // low (found by exploratory testing: the store's first week, begun on
    // a Thursday, was the range's "low").
    let mut no_data = vec![false; buckets.len()];
    let mut missing_days: Vec<i64> = vec![];
    let mut before_records = None;
    if !ctx.from_input {
        let first_stored = reports::first_stored_day(ctx.conn)?;
        let stored = reports::days_with_records(ctx.conn, first, last)?;
        // Whole exports come where a review of another rating is stored in
        // the seven days around, day by day as in the daily report (found
        // by exploratory testing: one 差评 re-rated 好评 made a 差评-only
        // store's every quiet day of the range an export missing).
        let rated = reports::days_with_other_ratings(ctx.conn, first - 7, last + 7)?;
        let whole_exports = |d: i64| (d - 7..=d + 7).any(|x| rated.contains(&x));
        for (i, b) in buckets.iter().enumerate() {
            let (b_first, b_last) = b.days();
            if first_stored.is_none_or(|f| b_last < f) {
                no_data[i] = true;
                before_records = Some(first_stored);
                continue;
            }
            let begins = first_stored.map_or(b_first, |f| f.max(b_first));
            if begins > b_first {
                partial[i] = true;
                before_records = Some(first_stored);
            }
            let empty: Vec<i64> = (begins..=b_last.min(today - 1))
                .filter(|d| !stored.contains(d) && whole_exports(*d))
                .collect();
            if !partial[i] && !empty.is_empty() && empty.len() as i64 == b_last - begins + 1 {
                no_data[i] = true;
            } else if !empty.is_empty() {
                partial[i] = true;
            }
            missing_days.extend(empty);
        }
    }
    let counted: Vec<bool> = partial
        .iter()
        .zip(&no_data)
        .map(|(p, none)| !p && !none)
        .collect();
    let any_whole = counted.iter().any(|c| *c);
    let values: Vec<f64> = negative
        .iter()
        .zip(counted.iter().zip(&no_data))
        .filter(|(_, (c, none))| **c || !any_whole && !**none)
        .map(|(n, _)| *n as f64)
        .collect();
    let mean = if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    };
    let sd = if values.len() > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt()
    } else {
        0.0
    };
    let med = median(&mut values.clone());
    let mut cols = vec![
        "period",
        "from",
        "to",
        "negative",
        "reviews",
        "negative_rate",
    ];
    cols.extend(Cause::ALL.iter().map(|c| c.id()));
    cols.push("mark");
    let mut t = Table::new(&cols);
    let (mut highs, mut lows) = (vec![], vec![]);
    for (i, b) in buckets.iter().enumerate() {
        let v = negative[i] as f64;
        let mark = if no_data[i] {
            Cell::Tag(Tag::new("no-data", "no data 无数据"))
        } else if partial[i] {
            Cell::Tag(Tag::new("partial", "partial 不完整"))
        } else if sd > 0.0 && v > mean + sd {
            highs.push(b.name.clone());
            Cell::Tag(Tag::new("high", "high 高峰"))
        } else if sd > 0.0 && v < mean - sd {
            lows.push(b.name.clone());
            Cell::Tag(Tag::new("low", "low 低谷"))
        } else {
            Cell::Empty
        };
        let mut row: Vec<Cell> = vec![
            b.name.as_str().into(),
            Cell::Date(b.first),
            Cell::Date(b.last),
            negative[i].into(),
            if rate_applies {
                reviews[i].1.into()
            } else {
                Cell::Empty
            },
            if rate_applies {
                share(reviews[i].0, reviews[i].1)
            } else {
                Cell::Empty
            },
        ];
        row.extend(per_cause[i].iter().map(|n| Cell::Int(*n)));
        row.push(mark);
        t.push(row);
    }
    let mark_col = cols.len() - 1;
    let by_name = match by {
        TrendBy::Day => "day",
        TrendBy::Week => "week",
        TrendBy::Month => "month",
    };
    let mut doc = Document::new(format!(
        "差评趋势 Trend by {by_name} {} – {}",
        period.first, period.last
    ));
    doc.fact("from", "开始 from", Cell::Date(period.first));
    doc.fact("to", "结束 to", Cell::Date(period.last));
    doc.fact("by", "周期 by", by_name);
    doc.fact(
        "total",
        "差评/投诉 negative feedback",
        negative.iter().sum::<i64>(),
    );
    doc.fact("mean", "均值 mean per period", Cell::Float(mean, 2));
    doc.fact("median", "中位数 median per period", Cell::Float(med, 2));
    doc.fact("std_dev", "标准差 standard deviation", Cell::Float(sd, 2));
    doc.fact("high_periods", "高峰 high periods", Cell::List(highs));
    doc.fact("low_periods", "低谷 low periods", Cell::List(lows));
    if !rate_applies {
        doc.notes.push(RATE_NOT_FOR_COMPLAINTS.into());
    } else if unrated > 0 {
        doc.notes.push(unrated_note(unrated));
    }
    match before_records {
        Some(Some(first)) => doc.notes.push(format!(
            "the store's records begin on {}: the periods before are marked no-data, one it begins in partial, and left out of the mean, median and standard deviation",
            dates::date_of_day(first)
        )),
        Some(None) => doc.notes.push("the store holds no feedback yet".into()),
        None => {}
    }
    if !missing_days.is_empty() {
        let shown: Vec<String> = missing_days
            .iter()
            .take(10)
            .map(|d| dates::date_of_day(*d).to_string())
            .collect();
        doc.notes.push(format!(
            "nothing at all is stored for {}{} (no review of any rating and no complaint, while the days around have records: an export missing, or an import that failed?): {}",
            shown.join(", "),
            if missing_days.len() > shown.len() {
                format!(" and {} more day(s)", missing_days.len() - shown.len())
            } else {
                String::new()
            },
            if by == TrendBy::Day {
                "marked no-data, and left out of the mean, median and standard deviation"
            } else {
                "a period with nothing at all is marked no-data, one with some of them partial (it counts the days it has), and left out of the mean, median and standard deviation"
            }
        ));
    }
    doc.sections.push(
        Section::new("periods", "各期 periods", t)
            .chart(Chart::Lines {
                x: 0,
                series: vec![3],
                marks: Some(mark_col),
            })
            .note("high/low: more than one standard deviation above/below the mean of the whole periods; partial: a period the range cuts (its from/to are the days counted) or that has not ended by today, never high or low"),
    );
    Ok(doc)
}

/// What `report compare` and `report distribution` group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    Agent,
    Department,
    Channel,
    Hour,
    Weekday,
}

impl GroupBy {
    /// The name a user typed (`--by agent`): report titles use it.
    fn name(self) -> &'static str {
        match self {
            GroupBy::Agent => "agent",
            GroupBy::Department => "department",
            GroupBy::Channel => "channel",
            GroupBy::Hour => "hour",
            GroupBy::Weekday => "weekday",
        }
    }

    /// The column holding the group's key (an agent's is their id).
    fn column(self) -> &'static str {
        match self {
            GroupBy::Agent => "agent_id",
            other => other.name(),
        }
    }
}

/// The weekday keys of `distribution --by weekday` and `compare`, Monday first.
const WEEKDAYS: [&str; 7] = [
    "1 Mon 周一",
    "2 Tue 周二",
    "3 Wed 周三",
    "4 Thu 周四",
    "5 Fri 周五",
    "6 Sat 周六",
    "7 Sun 周日",
];

fn group_key(
    it: &Item,
    by: GroupBy,
    tz: Tz,
    spellings: &Spellings,
    ids: &mut IdSpellings,
) -> String {
    match by {
        // An agent the roster does not know is counted under the name as
        // written, keyed apart from ids (see [`NAME_ONLY`]).
        GroupBy::Agent => match &it.agent_id {
            Some(id) => ids.of(id),
            None => format!(
                "{NAME_ONLY}{}",
                ids.name(it.agent_name.as_deref().unwrap_or_default())
            ),
        },
        GroupBy::Department => spellings.department(it.department.as_deref()),
        GroupBy::Channel => spellings.channel(it.channel.as_deref()),
        GroupBy::Hour => format!("{:02}", dates::local_datetime(it.created_at, tz).hour()),
        GroupBy::Weekday => {
            let wd = dates::local_datetime(it.created_at, tz).weekday();
            WEEKDAYS[wd.num_days_from_monday() as usize].to_string()
        }
    }
}

/// One spelling of each agent id however the exports wrote it: the first
/// met. An id the roster lacks is kept as written, and KF099, kf099 and
/// ＫＦ０９９ are one agent, compared as the roster compares them
/// ([`crate::domain::agent_key`]; found by exploratory testing: three rows).
#[derive(Default)]
struct IdSpellings(HashMap<String, String>, HashMap<String, String>);

impl IdSpellings {
    fn of(&mut self, id: &str) -> String {
        self.0
            .entry(crate::domain::agent_key(id))
            .or_insert_with(|| id.to_string())
            .clone()
    }

    /// The spelling of the id a name is, if one was met (KF099 typed into
    /// a name column).
    fn known(&self, name: &str) -> Option<&String> {
        self.0.get(&crate::domain::agent_key(name))
    }

    /// One spelling of a name the roster lacks, the first met: 陈静, 陳靜
    /// and 陈 静 are one agent, as `--agent` finds them (found by
    /// exploratory testing: a report of one agent listed three).
    fn name(&mut self, name: &str) -> String {
        self.1
            .entry(crate::domain::normalize_term(name))
            .or_insert_with(|| name.to_string())
            .clone()
    }
}

/// Starts the key of an agent named only by a name the roster lacks: its
/// row shows no id (as in the daily report), and a name never passes for
/// an id.
const NAME_ONLY: char = '\u{1}';

/// `report compare`: counts per key in `period` against `vs`.
pub fn compare(ctx: &Context<'_>, by: GroupBy, period: &Period, vs: &Period) -> Result<Document> {
    let mut now: BTreeMap<String, i64> = BTreeMap::new();
    let mut before: BTreeMap<String, i64> = BTreeMap::new();
    // Per agent: the name and department of their first record (period
    // first, then by day, time and row), whatever order they are read in.
    type Order = (usize, i64, i64, i64);
    let mut names: BTreeMap<String, (Order, String, String)> = BTreeMap::new();
    let mut ids = IdSpellings::default();
    let today = dates::today(ctx.tz)?;
    // Per period: how many of its records are dated after today, which are
    // not counted: a running period is compared as far as it has run, as
    // its note says and as `trend` counts it (found by exploratory testing:
    // counted, against a note saying they were not).
    let mut future = [0i64; 2];
    for (i, (p, counts)) in [(period, &mut now), (vs, &mut before)]
        .into_iter()
        .enumerate()
    {
        let (first, last) = p.days();
        reports::each_negative(
            ctx.conn,
            first,
            last,
            &ctx.filters,
            reports::Read::Counted,
            |it| {
                if dates::local_datetime(it.created_at, ctx.tz).date() > today {
                    future[i] += 1;
                    return;
                }
                let key = group_key(it, by, ctx.tz, &ctx.spellings, &mut ids);
                if by == GroupBy::Agent {
                    // The first record giving a name, else the first.
                    let order = (i, it.local_day, it.created_at, it.row_id);
                    let name = it.agent_name.clone().unwrap_or_default();
                    let first = names
                        .get(&key)
                        .is_none_or(|(o, n, _)| (n.is_empty(), *o) > (name.is_empty(), order));
                    if first {
                        let department = ctx.spellings.department(it.department.as_deref());
                        names.insert(key.clone(), (order, name, department));
                    }
                }
                *counts.entry(key).or_default() += 1;
            },
        )?;
    }
    // A "name" that is an id other records carry (KF099 typed into one
    // export's name column, in another's id column) is that agent: one row
    // (found by exploratory testing: the agent was split in two).
    if by == GroupBy::Agent {
        for counts in [&mut now, &mut before] {
            let named: Vec<(String, String)> = counts
                .keys()
                .filter_map(|k| Some((k.clone(), ids.known(k.strip_prefix(NAME_ONLY)?)?.clone())))
                .collect();
            for (k, id) in named {
                let n = counts.remove(&k).unwrap_or(0);
                *counts.entry(id).or_default() += n;
            }
        }
    }
    // Agents on the roster in either period with no negative feedback in
    // both are ranked too (with 0: the best), not left out.
    let mut quiet: Vec<String> = vec![];
    if by == GroupBy::Agent {
        let f = &ctx.filters;
        for a in crate::store::points::agents(ctx.conn)? {
            // In the department they were in at the end of either period
            // (the roster's history of moves), not today's.
            let in_department = |p: &Period| {
                a.on_roster(p)
                    && f.department.as_ref().is_none_or(|d| {
                        let d = (d != crate::store::reports::NONE)
                            .then(|| crate::domain::normalize_term(d));
                        a.department_on(dates::day_number(p.last))
                            .map(crate::domain::normalize_term)
                            == d
                    })
            };
            let wanted = (in_department(period) || in_department(vs))
                && f.agent.as_ref().is_none_or(|x| *x == a.id || *x == a.name);
            if wanted && !now.contains_key(&a.id) && !before.contains_key(&a.id) {
                let department = ctx
                    .spellings
                    .department(a.department_on(dates::day_number(period.last)));
                names.insert(
                    a.id.clone(),
                    (Default::default(), a.name.clone(), department),
                );
                quiet.push(a.id);
            }
        }
    }
    let keys: std::collections::BTreeSet<&String> =
        now.keys().chain(before.keys()).chain(&quiet).collect();
    let mut rows: Vec<(String, i64, i64)> = keys
        .into_iter()
        .map(|k| {
            (
                k.clone(),
                now.get(k).copied().unwrap_or(0),
                before.get(k).copied().unwrap_or(0),
            )
        })
        .collect();
    // Rank 1 = the fewest negative feedback in the period (best).
    rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    let key_name = by.column();
    let mut cols = vec!["rank", key_name];
    if by == GroupBy::Agent {
        cols.extend(["agent_name", "department"]);
    }
    cols.extend(["count", "previous", "change", "change_rate", "mark"]);
    let mut t = Table::new(&cols);
    // Ties share a rank (1, 1, 3) and a mark: every key with the fewest is
    // best, every key with the most is worst (none when all are equal).
    let (fewest, most) = (rows.first().map(|r| r.1), rows.last().map(|r| r.1));
    let mut rank = 0;
    for (i, (k, c, p)) in rows.iter().enumerate() {
        // Rows are sorted by count: a new count starts a new rank.
        if i == 0 || rows[i - 1].1 != *c {
            rank = i as i64 + 1;
        }
        let key = if by == GroupBy::Agent && k.starts_with(NAME_ONLY) {
            ""
        } else {
            k.as_str()
        };
        let mut row: Vec<Cell> = vec![Cell::Int(rank)];
        if by == GroupBy::Agent {
            let (_, name, dept) = names.get(k).cloned().unwrap_or_default();
            row.extend([
                Cell::Text(ctx.agent(key).into_owned()),
                Cell::Text(ctx.agent(&name).into_owned()),
                Cell::Text(dept),
            ]);
        } else {
            row.push(key.into());
        }
        let mark = if fewest == most {
            Cell::Empty
        } else if Some(*c) == fewest {
            Cell::Tag(Tag::new("best", "best 最好"))
        } else if Some(*c) == most {
            Cell::Tag(Tag::new("worst", "worst 最差"))
        } else {
            Cell::Empty
        };
        row.extend([
            Cell::Int(*c),
            Cell::Int(*p),
            Cell::Int(c - p),
            if *p > 0 {
                Cell::Percent((c - p) as f64 / *p as f64)
            } else {
                Cell::Empty
            },
            mark,
        ]);
        t.push(row);
    }
    let mut doc = Document::new(format!(
        "对比 Comparison by {}: {} vs {}",
        by.name(),
        period.name,
        vs.name
    ));
    doc.fact("period", "本期 period", period.name.as_str());
    doc.fact("vs", "对比期 compared with", vs.name.as_str());
    doc.fact(
        "total",
        "本期合计 total in period",
        now.values().sum::<i64>(),
    );
    doc.fact(
        "previous_total",
        "对比期合计 total compared with",
        before.values().sum::<i64>(),
    );
    // A period not over by today is compared as far as it has run, which
    // the reader must know (found by exploratory testing: March's first 5
    // days ranked against the whole of February without a word), as trend
    // marks it partial and daily says a day is after today.
    for (i, (p, other, future)) in [(period, vs, future[0]), (vs, period, future[1])]
        .into_iter()
        .enumerate()
    {
        // A period compared with itself is said once.
        if p.last < today || (i == 1 && vs.name == period.name) {
            continue;
        }
        let so_far = if p.first > today {
            format!("{} has not begun (today is {today})", p.name)
        } else if p.first == p.last {
            format!("{} is today: its counts are of the day so far", p.name)
        } else {
            let against = if other.last < today {
                format!(", set against the whole of {}", other.name)
            } else {
                String::new()
            };
            format!(
                "{} is not over (it runs to {}; today is {today}): its counts are of its first {} of {} days{against}",
                p.name,
                p.last,
                (today - p.first).num_days() + 1,
                (p.last - p.first).num_days() + 1
            )
        };
        let dated = if future > 0 {
            format!("; {future} record(s) in it are dated after today, not counted (a wrong clock, or a typo in an export?)")
        } else {
            String::new()
        };
        doc.notes.push(format!("{so_far}{dated}"));
    }
    doc.sections.push(
        Section::new("ranking", "排名 ranking (1 = fewest negative feedback)", t).chart(
            Chart::Bars {
                label: 1,
                value: if by == GroupBy::Agent { 4 } else { 2 },
            },
        ),
    );
    Ok(doc)
}

/// `report distribution`.
pub fn distribution(ctx: &Context<'_>, by: GroupBy, period: &Period) -> Result<Document> {
    let (first, last) = period.days();
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    // Every hour and every weekday is listed, those with none too.
    match by {
        GroupBy::Hour => counts.extend((0..24).map(|h| (format!("{h:02}"), 0))),
        GroupBy::Weekday => counts.extend(WEEKDAYS.map(|d| (d.to_string(), 0))),
        _ => {}
    }
    let mut total = 0i64;
    let mut ids = IdSpellings::default();
    reports::each_negative(
        ctx.conn,
        first,
        last,
        &ctx.filters,
        reports::Read::Counted,
        |it| {
            total += 1;
            *counts
                .entry(group_key(it, by, ctx.tz, &ctx.spellings, &mut ids))
                .or_default() += 1;
        },
    )?;
    let key_name = by.column();
    let mut t = Table::new(&[key_name, "count", "share"]);
    for (k, n) in &counts {
        t.push(vec![k.as_str().into(), (*n).into(), share(*n, total)]);
    }
    if matches!(by, GroupBy::Channel | GroupBy::Agent | GroupBy::Department) {
        t = count_table(key_name, &counts, total);
    }
    let mut doc = Document::new(format!(
        "分布 Distribution by {} {} – {}",
        by.name(),
        period.first,
        period.last
    ));
    doc.fact("from", "开始 from", Cell::Date(period.first));
    doc.fact("to", "结束 to", Cell::Date(period.last));
    doc.fact("total", "差评/投诉 negative feedback", total);
    doc.sections.push(
        Section::new("distribution", "分布 distribution", t)
            .object(0, 1)
            .chart(Chart::Bars { label: 0, value: 1 }),
    );
    Ok(doc)
}
