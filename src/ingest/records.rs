//! Turning a mapped row into a validated record: feedback (reviews and
//! complaints) or a roster entry. A row that fails gives a reason that names
//! the field and the value, for the rejects file.
//!
//! A field is read trimmed, and an Excel text guard around it (`="013812345678"`,
//! how exports keep long numbers and leading zeros) is dropped: see
//! [`field_text`].
//!
//! Records borrow their text from the row (no copies on the hot path). The
//! change-detection hash covers the values as read (the instant, not how the
//! time was written; the rating's polarity and stars; the extra columns), so
//! that the same record from an .xlsx or a .csv is unchanged; a record with
//! no id in the export is identified by a hash of its row as written.

use std::borrow::Cow;

use chrono::NaiveDate;
use chrono_tz::Tz;
use xxhash_rust::xxh3::Xxh3;

use crate::identity;
use crate::store::agents::Lookup;

use super::columns::{ColumnMap, FieldSpec, AGENT_FIELDS, FEEDBACK_FIELDS};
use super::Row;
use crate::dates;
use crate::domain::{
    is_placeholder, is_undecided, normalize_term, parse_rating, parse_validity,
    read_declared_cause, shown, Cause, DeclaredCause, FeedbackKind, Polarity, Responsibility,
    StarScale, Validity, YesNo,
};

/// The most occurrences one event row may record (次数).
pub const MAX_EVENT_COUNT: i64 = 1000;

/// A review or complaint ready for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackRecord<'a> {
    /// The export's id, or `k<key>` when the export has none (see
    /// [`crate::identity`]).
    pub ext_id: Cow<'a, str>,
    /// When the export gave no id: the record's key and the hash of its
    /// whole row, for the importer to number differing rows of a file that
    /// share the key ([`crate::identity::Occurrences`]).
    pub derived_key: Option<(u64, u64)>,
    /// Hash of the values read (not of how the export wrote them), to tell
    /// "updated" from "unchanged".
    pub hash: i64,
    pub created_at: i64,
    pub local_day: i64,
    /// True when the export wrote the time as a naive local clock time (no
    /// offset): it keeps its clock reading if the workspace timezone changes.
    pub naive_time: bool,
    /// A review from an export with no rating column (taken as negative):
    /// left out of the negative rate.
    pub unrated: bool,
    /// The export named the agent by name alone (no id): an update keeps
    /// the link the stored record has for that name (not stored).
    pub agent_by_name: bool,
    pub channel: Option<Cow<'a, str>>,
    pub agent_id: Option<Cow<'a, str>>,
    pub agent_name: Option<Cow<'a, str>>,
    pub department: Option<Cow<'a, str>>,
    pub polarity: Polarity,
    pub stars: Option<u8>,
    /// A complaint whose rating column reads as praise (好评, 5 stars): the
    /// import asks whether the file is a review export.
    pub rated_positive: bool,
    pub content: Option<Cow<'a, str>>,
    pub order_id: Option<Cow<'a, str>>,
    pub customer: Option<Cow<'a, str>>,
    pub customer_phone: Option<Cow<'a, str>>,
    pub declared_cause: Option<Cause>,
    /// The declared cause as written when kefu could not read it as a cause
    /// (the record has none then, and keeps the text with its extra
    /// columns): for the import's warning.
    pub unread_cause: Option<Cow<'a, str>>,
    pub responsibility: Option<Responsibility>,
    pub validity: Option<Validity>,
    pub leader_id: Option<Cow<'a, str>>,
    /// JSON object of the extra columns with a value.
    pub extra: Option<String>,
    /// The classifier's verdict, for negative feedback (set by the importer).
    pub auto: Option<AutoCause>,
}

/// What a feedback file has columns for. A record the file updates keeps
/// what the store holds for a field the file has no column for, and for an
/// extra column of the stored record the file does not have: a platform's
/// raw export imported after the managers' log, without its 是否成立,
/// 责任认定 and 差评原因, must not clear them (found by exploratory
/// testing: a confirmed, charged complaint became pending again). A column
/// the file has, left empty, still clears the value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileShape {
    /// The store's feedback columns (by name) the file gives no value for;
    /// `content` keeps the classifier's verdict on the stored text too.
    pub lacks: Vec<&'static str>,
    /// The file's column names, as its extra columns are keyed; `None`: no
    /// stored extra column is kept.
    pub columns: Option<std::collections::HashSet<String>>,
}

impl FileShape {
    /// What the hash of a record is marked with (xor) when an update by a
    /// file of this shape kept values the file lacks: a later import of
    /// the same values from a file of the same shape finds it unchanged
    /// by its hash, and any other file compares it value by value (a log
    /// with the column, left empty, hashes as the narrower file does, and
    /// must clear what it kept). Never 0.
    pub fn mark(&self) -> i64 {
        let mut h = Xxh3::new();
        for field in &self.lacks {
            h.update(field.as_bytes());
            h.update(b"\x1f");
        }
        h.update(b"\x1e");
        let mut columns: Vec<&String> = self.columns.iter().flatten().collect();
        columns.sort_unstable();
        for column in columns {
            h.update(column.as_bytes());
            h.update(b"\x1f");
        }
        h.digest() as i64 | 1
    }
}

/// The classifier's verdict as stored: primary cause, all causes, evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoCause {
    pub cause: Cause,
    pub causes: String,
    pub evidence: String,
}

fn own(v: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
    v.map(|c| Cow::Owned(c.into_owned()))
}

impl FeedbackRecord<'_> {
    /// Gives a record whose row names no channel the one `--channel` or its
    /// source names, which the change-detection hash then covers: a
    /// re-import under another channel updates the record (found by
    /// regression testing: it was `unchanged`, the old channel kept).
    pub fn take_channel(&mut self, channel: &str) {
        self.hash = ValueHash::new()
            .int(Some(self.hash))
            .text(Some(channel))
            .finish();
        self.channel = Some(Cow::Owned(channel.to_string()));
    }

    /// The change-detection hash of the values read from the export: set
    /// before the importer fills in what the export did not say (a roster
    /// id for a name, the default channel, the classifier's verdict).
    ///
    /// The time counts as the store keeps it when the workspace timezone
    /// changes (`kept_time`, see [`dates::kept_time`]); the local day
    /// follows.
    fn value_hash(&self, kept_time: i64) -> i64 {
        let mut hash = ValueHash::new();
        // Only when set, so that the hash of every rated record is what
        // kefu before schema version 7 stored, and a re-import of an export
        // without ratings marks its reviews (updated) rather than leaving
        // them unchanged.
        if self.unrated {
            hash.text(Some("unrated"));
        }
        hash.int(Some(kept_time))
            .int(Some(i64::from(self.naive_time)))
            .text(Some(self.polarity.id()))
            .int(self.stars.map(i64::from))
            .text(self.channel.as_deref())
            .text(self.agent_id.as_deref())
            .text(self.agent_name.as_deref())
            .text(self.department.as_deref())
            .text(self.content.as_deref())
            .text(self.order_id.as_deref())
            .text(self.customer.as_deref())
            .text(self.customer_phone.as_deref())
            .text(self.declared_cause.map(Cause::id))
            .text(self.responsibility.map(Responsibility::id))
            .text(self.validity.map(Validity::id))
            .text(self.leader_id.as_deref())
            .text(self.extra.as_deref())
            .finish()
    }

    /// A copy that owns its text, to outlive the row it was read from.
    pub fn into_owned(self) -> FeedbackRecord<'static> {
        FeedbackRecord {
            ext_id: Cow::Owned(self.ext_id.into_owned()),
            derived_key: self.derived_key,
            hash: self.hash,
            created_at: self.created_at,
            local_day: self.local_day,
            naive_time: self.naive_time,
            unrated: self.unrated,
            agent_by_name: self.agent_by_name,
            channel: own(self.channel),
            agent_id: own(self.agent_id),
            agent_name: own(self.agent_name),
            department: own(self.department),
            polarity: self.polarity,
            rated_positive: self.rated_positive,
            stars: self.stars,
            content: own(self.content),
            order_id: own(self.order_id),
            customer: own(self.customer),
            customer_phone: own(self.customer_phone),
            declared_cause: self.declared_cause,
            unread_cause: own(self.unread_cause),
            responsibility: self.responsibility,
            validity: self.validity,
            leader_id: own(self.leader_id),
            extra: self.extra,
            auto: self.auto,
        }
    }
}

/// Field positions resolved once per file, so each row is a few index reads.
#[derive(Debug, Clone)]
struct FeedbackColumns {
    id: Option<usize>,
    order_id: Option<usize>,
    created_at: Option<usize>,
    /// A date column: the date of a clock-time-only `created_at`, or the
    /// time itself when there is no `created_at`.
    created_date: Option<usize>,
    channel: Option<usize>,
    agent_id: Option<usize>,
    agent_name: Option<usize>,
    department: Option<usize>,
    rating: Option<usize>,
    content: Option<usize>,
    customer: Option<usize>,
    customer_phone: Option<usize>,
    cause: Option<usize>,
    responsibility: Option<usize>,
    validity: Option<usize>,
    leader_id: Option<usize>,
}

/// Parses rows of one feedback file.
pub struct FeedbackParser {
    kind: FeedbackKind,
    cols: FeedbackColumns,
    map: ColumnMap,
    headers: Vec<String>,
    tz: Tz,
    /// How dates with day and month before the year are read (see [`dates::DateOrder`]).
    order: dates::DateOrder,
    stars: StarScale,
    default_channel: Option<String>,
    /// Take the causes `kefu classify` wrote into the file as the records'
    /// automatic causes (for `report --input` on its output).
    given_causes: bool,
}

/// The value of a field as exported: trimmed, and the text inside an Excel
/// text guard `="…"` (how Excel and platforms keep `="013812345678"` or
/// `="287654321001123456"` from becoming a number), trimmed too. A field
/// with a quote inside the guard (`="a"&"b"`, a formula) is left as it is.
pub fn field_text(raw: &str) -> &str {
    // Invisible characters at either end too: a byte-order mark where two
    // exports were joined with `cat` (found by exploratory testing: `\u{feff}R2`
    // was a record apart from R2), a zero-width space pasted from a web page.
    let t = raw.trim_matches(|c: char| c.is_whitespace() || crate::domain::is_invisible(c));
    match t.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        Some(inner) if !inner.contains('"') => inner.trim(),
        _ => t,
    }
}

/// Whether `text` is one of Excel's (and WPS's) error values, as a cell of
/// a workbook holds it and as "save as CSV" writes it.
pub fn is_excel_error(text: &str) -> bool {
    text.starts_with('#')
        && EXCEL_ERRORS
            .iter()
            .any(|(e, _)| e.eq_ignore_ascii_case(text))
}

/// Excel's error values and what each means.
const EXCEL_ERRORS: [(&str, &str); 16] = [
    ("#N/A", "a lookup found nothing"),
    ("#REF!", "it refers to cells that were deleted"),
    ("#VALUE!", "a value of the wrong type"),
    ("#DIV/0!", "a division by zero"),
    ("#NAME?", "an unknown function or name"),
    ("#NUM!", "an impossible number"),
    ("#NULL!", "ranges that do not meet"),
    ("#SPILL!", "its result had no room"),
    ("#CALC!", "a calculation Excel cannot do"),
    ("#GETTING_DATA", "data still loading when saved"),
    ("#FIELD!", "a missing field of linked data"),
    ("#BLOCKED!", "a blocked external source"),
    ("#CONNECT!", "an unreachable external source"),
    ("#BUSY!", "a calculation still running when saved"),
    ("#UNKNOWN!", "a data type this Excel does not know"),
    ("#PYTHON!", "a Python formula that failed"),
];

/// What Excel's error value `text` means (see [`is_excel_error`]).
pub fn excel_error_meaning(text: &str) -> &'static str {
    EXCEL_ERRORS
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(text))
        .map_or("an error", |(_, m)| m)
}

/// Whether `text` labels a totals row of a sheet (小计, 合计：3人, Total),
/// not a record: a short cell that is, or starts with, a word for a total.
pub fn is_totals_label(text: &str) -> bool {
    const LABELS: [&str; 20] = [
        "小计",
        "合计",
        "总计",
        "共计",
        "总和",
        "汇总",
        "总数",
        "平均",
        "累计",
        "本页合计",
        "小計",
        "合計",
        "總計",
        "共計",
        "匯總",
        "subtotal",
        "sub-total",
        "grand total",
        "total",
        "totals",
    ];
    let t = text.trim();
    // The first character rules out nearly every cell without allocating
    // (this runs on every imported row).
    let starts = |c: char| "小合总共汇平累本總匯sStTgG".contains(c);
    if t.len() > 40 || !t.starts_with(starts) {
        return false;
    }
    // An export's footer: 共2条记录, 共 12 条, 共3项 — the whole cell.
    if let Some(rest) = t.strip_prefix('共').or_else(|| t.strip_prefix("总共")) {
        if is_count(rest) && rest.trim_start().starts_with(|c: char| c.is_ascii_digit()) {
            return true;
        }
    }
    // 合  计: Excel users pad a label to the column's width.
    let squeezed: String = if t.bytes().any(|b| b.is_ascii_alphabetic()) {
        t.to_string()
    } else {
        t.chars().filter(|c| !c.is_whitespace()).collect()
    };
    let lower = squeezed.to_ascii_lowercase();
    LABELS.iter().any(|label| {
        lower.strip_prefix(label).is_some_and(|rest| {
            // Alone, or with a colon or a count (合计：3人, Total 12, 小计(2)):
            // not Total Wine, a customer, nor 合计金额, a column's name.
            // The count is the whole rest of the cell: 合计3次都没人回复 is
            // a review (found by exploratory testing).
            let after = rest.trim_start_matches([' ', '\t', '(', '（']);
            rest.is_empty()
                || rest.strip_prefix([':', '：']).is_some_and(is_figure)
                || (after.starts_with(|c: char| c.is_ascii_digit()) && is_count(rest))
        })
    })
}

/// Whether what follows a totals label's colon is a figure and nothing
/// more: nothing, a count (`3人`, `2条记录`) or an amount (`¥1,234.00`,
/// `56元`), not words (合计：等了2小时 and `Total: 3 hours on hold` are
/// reviews; found by exploratory testing).
fn is_figure(rest: &str) -> bool {
    let r = rest.trim();
    let figure_char = |c: char| {
        c.is_ascii_digit()
            || matches!(c, '０'..='９')
            || c.is_whitespace()
            || ",.，、。:：;；()（）-—–/¥￥$%".contains(c)
            || "共约计总条項项笔筆件单單个個人次位名元块差好中评".contains(c)
    };
    // 合计：-, 合计：共12条, 合计：１２条, 合计：12条，差评3条, 合计：¥1,234.00.
    r.chars().all(figure_char)
        && (r.chars().all(|c| "-—–/ ".contains(c))
            || r.chars()
                .any(|c| c.is_ascii_digit() || matches!(c, '０'..='９')))
}

/// Whether `rest` (what follows a totals label) is a count and nothing
/// more: `3人`, ` 12`, `(2)`, `2条记录`, `3 件`.
fn is_count(rest: &str) -> bool {
    let r = rest
        .trim()
        .trim_start_matches(['(', '（'])
        .trim_end_matches([')', '）', '。', '.']);
    let digits = r
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .count();
    let unit = r[digits..].trim();
    let unit = [
        "条", "項", "项", "笔", "筆", "件", "人", "行", "单", "單", "个", "個", "次", "位", "名",
    ]
    .iter()
    .find_map(|u| unit.strip_prefix(u))
    .unwrap_or(unit);
    digits > 0 && ["", "记录", "記錄", "数据", "數據"].contains(&unit.trim())
}

/// Whether `text` is a number with at most a counting word (3, 12条, 2人):
/// what a totals row has where a record has its text.
pub fn is_bare_count(text: &str) -> bool {
    let digits = text
        .trim_end_matches(['条', '人', '次', '个', '件', '单', '笔'])
        .trim();
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// The reason a row whose key cells (`cols`) hold a totals label is no
/// record (found by exploratory testing: a day's 小计 under a merged date
/// was read as a negative review by an agent called 小计).
fn totals_row(row: &Row, cols: &[Option<usize>]) -> Result<(), String> {
    // The first cell with something in it: registers number their rows
    // (序号) and leave that cell blank on the totals row (found by
    // exploratory testing: `,合计,,,1` was rejected, and stopped --replace).
    let first = (0..row.len()).find(|&i| !field_text(row.get(i)).is_empty());
    for col in std::iter::once(&first).chain(cols).flatten() {
        let text = field_text(row.get(*col));
        if is_totals_label(text) {
            return Err(format!("{TOTALS_ROW} ({text}), not a record"));
        }
    }
    Ok(())
}

/// The fields of an unreadable row as [`super::ReadOutcome::Bad`] gives it
/// (`raw`: the row's fields written as CSV), at most `max` of them: those
/// beyond stay in the last, joined by `delimiter` as the input had them.
/// A broken row of ten million delimiters is one string, not ten million
/// (found by exploratory testing: 1.2 GB for a 20 MB line).
pub fn raw_fields(raw: &str, max: usize, delimiter: u8) -> Vec<String> {
    let mut record = csv::StringRecord::new();
    let read = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(raw.as_bytes())
        .read_record(&mut record);
    if !matches!(read, Ok(true)) {
        return vec![];
    }
    let max = max.max(1);
    let mut fields: Vec<String> = record.iter().take(max).map(String::from).collect();
    if record.len() > max {
        let last = &mut fields[max - 1];
        for f in record.iter().skip(max) {
            last.push(delimiter as char);
            last.push_str(f);
        }
    }
    fields
}

/// The fields every export of a kind has ([`OtherHeaders`]): feedback's id,
/// time and text; a roster's 工号; an event's id, date and rule; an
/// activity sheet's month and metric. Kinds as [`specs_for`] takes them.
pub fn keys_for(kind: &str) -> &'static [&'static str] {
    match kind {
        "agents" => &["agent_id"],
        "events" => &["id", "date", "rule"],
        "activity" => &["month", "metric"],
        _ => &["id", "created_at", "created_date", "content"],
    }
}

/// Rows that read as another header (`评价时间,评价内容,评价等级` below
/// `评价ID,评价等级,评价内容`): exports with other columns joined into one
/// file, whose later rows would be read with the first header's columns
/// (text and rating swapped). A row is one when two in three of its values
/// or more are names (some field's alias or one of the file's headers),
/// three or more, and one names a field that every export of its kind has
/// (an id, a time, the text; a roster's 工号; an event's date or rule; a
/// month or metric); or
/// when three in five of the file's own headers or more stand in it at other
/// places than in the header, whatever else it holds (a wider export's
/// header, 序号 and 备注 added before them). A register row of generic words
/// (`,电话,客户,客服,,`), a masked export's `客户` under 客户, or a record with its
/// id or text is no header.
pub struct OtherHeaders {
    /// The file's own headers: as written (trimmed, no byte-order mark),
    /// normalised, and whether they hold a digit.
    own: Vec<(String, String, bool)>,
    names: std::collections::HashSet<String>,
    /// The names of the fields every export of the kind has (`keys`).
    keys: std::collections::HashSet<String>,
    /// Whether a name holds a digit: when none does, a cell with one (an id,
    /// a date: most rows' first) is no name, without normalising it.
    digits: bool,
}

impl OtherHeaders {
    /// For a file with `headers`, of a kind whose fields are `specs`, the
    /// fields every export of the kind has named in `keys`.
    pub fn new(
        headers: &[String],
        specs: &[super::columns::FieldSpec],
        keys: &[&str],
    ) -> OtherHeaders {
        let aliases = |s: &super::columns::FieldSpec| {
            s.aliases
                .iter()
                .map(|a| super::columns::normalize_header(a))
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
        };
        let key_names = specs
            .iter()
            .filter(|s| keys.contains(&s.name))
            .flat_map(aliases)
            .collect();
        let names = specs
            .iter()
            .flat_map(aliases)
            .chain(headers.iter().map(|h| super::columns::normalize_header(h)))
            .filter(|n| !n.is_empty())
            .collect::<std::collections::HashSet<String>>();
        let digits = names.iter().any(|n| n.bytes().any(|b| b.is_ascii_digit()));
        let own = headers
            .iter()
            .map(|h| {
                let h = h.trim_start_matches('\u{feff}').trim();
                // ASCII or full-width (评分（１-５）): either may be repeated.
                let digit = h
                    .chars()
                    .any(|c| crate::domain::fold_full_width(c).is_ascii_digit());
                (h.to_string(), super::columns::normalize_header(h), digit)
            })
            .collect();
        OtherHeaders {
            own,
            names,
            keys: key_names,
            digits,
        }
    }

    /// Whether `row` repeats the file's header (exports joined with `cat`, a
    /// byte-order mark where the second began): every cell with a value is
    /// its column's name, as headers compare (評價時間 is 评价时间, ＩＤ is
    /// ID), and two or more are (a row `kefu classify` wrote keeps its cause
    /// columns empty).
    pub fn repeats(&self, row: &Row) -> bool {
        let mut named = 0;
        for (c, (h, normalized, digit)) in self.own.iter().enumerate() {
            let cell = row.get(c).trim_start_matches('\u{feff}').trim();
            if cell.is_empty() {
                continue;
            }
            // Most rows differ at once (an id or a date where a name with no
            // digit is), without normalising anything.
            if cell != h
                && ((!digit && cell.bytes().any(|b| b.is_ascii_digit()))
                    || cell.len() > 4 * h.len().max(8)
                    || super::columns::normalize_header(cell) != *normalized)
            {
                return false;
            }
            named += 1;
        }
        named >= 2
    }

    /// Whether `cell` is a name (a quick look before [`OtherHeaders::is_header`]).
    pub fn is_name(&self, cell: &str) -> bool {
        let cell = cell.trim_start_matches('\u{feff}').trim();
        cell.len() <= 64
            && (self.digits || !cell.bytes().any(|b| b.is_ascii_digit()))
            && self.names.contains(&super::columns::normalize_header(cell))
    }

    /// A quick look before [`OtherHeaders::is_header`]: whether one of the
    /// row's first two values is a name (most rows' are an id and a date; a
    /// wider export's header may begin with 序号).
    pub fn might_be_header(&self, row: &Row) -> bool {
        (0..row.len())
            .map(|c| row.get(c))
            .filter(|c| !c.trim().is_empty())
            .take(2)
            .any(|c| self.is_name(c))
    }

    /// Whether `row` reads as a header (not the file's own: see [`OtherHeaders::repeats`]).
    pub fn is_header(&self, row: &Row) -> bool {
        self.are_header_cells((0..row.len()).map(|c| row.get(c)))
    }

    /// [`OtherHeaders::is_header`] for a row's cells (one with more or fewer
    /// fields than the header, read as unreadable).
    pub fn are_header_cells<'c>(&self, cells: impl Iterator<Item = &'c str>) -> bool {
        let (mut named, mut other, mut key) = (0, 0, false);
        // The file's own headers standing elsewhere than in its header.
        let mut moved: Vec<usize> = vec![];
        for (at, cell) in cells.enumerate() {
            let cell = cell.trim_start_matches('\u{feff}').trim();
            if cell.is_empty() {
                continue;
            }
            // A long text is no name, without normalising it.
            let name = (cell.len() <= 64).then(|| super::columns::normalize_header(cell));
            match name.as_deref() {
                Some(n) if self.names.contains(n) => {
                    named += 1;
                    key |= self.keys.contains(n);
                    if let Some(own) = self.own.iter().position(|(_, o, _)| o == n) {
                        if own != at && !moved.contains(&own) {
                            moved.push(own);
                        }
                    }
                }
                _ => other += 1,
            }
        }
        (named >= 3 && key && 3 * named >= 2 * (named + other))
            || (moved.len() >= 3 && 5 * moved.len() >= 3 * self.own.len())
    }

    /// The error for a row, at `line`, whose `cells` are another header.
    pub fn error(file: &str, position: &str, line: u64, cells: &[&str]) -> String {
        format!(
            "{file}: {position} {line} is another header ({}): exports with other columns joined into one file (cat a.csv b.csv?) would be read with the first header's columns; give each export on its own",
            cells.join(",")
        )
    }
}

/// How the reason for a totals row starts: the importer skips such rows
/// (counted and said) rather than rejecting them.
pub const TOTALS_ROW: &str = "a totals row";

/// Field `col` of the row as exported ([`field_text`]), if it has a value.
fn value(row: &Row, col: Option<usize>) -> Option<&str> {
    col.map(|c| field_text(row.get(c)))
        .filter(|s| !s.is_empty())
}

/// [`value`], a placeholder (`-`, `无`, `N/A`: [`is_placeholder`]) read as
/// empty: who and where (agent, channel, department, leader), where such a
/// value would become an agent `-` or a channel `无` of its own (found by
/// exploratory testing).
fn named(row: &Row, col: Option<usize>) -> Option<&str> {
    value(row, col).filter(|v| !is_placeholder(v))
}

/// Builds the JSON object of the extra columns that have a value, keyed by
/// their unique names ([`super::columns::unique_names`]), in column order;
/// the columns `also` (mapped columns whose value went unused: a date the
/// time did not need, a declared cause kefu could not read), in column
/// order, with them.
fn extras_json(row: &Row, map: &ColumnMap, headers: &[String], also: &[usize]) -> Option<String> {
    let mut obj = serde_json::Map::new();
    let mut add = |c: usize| {
        let v = field_text(row.get(c));
        if !v.is_empty() {
            obj.insert(headers[c].clone(), serde_json::Value::String(v.to_string()));
        }
    };
    let mut also = also.iter().copied().peekable();
    for &c in &map.extras {
        while let Some(a) = also.next_if(|&a| a < c) {
            add(a);
        }
        add(c);
    }
    also.for_each(add);
    (!obj.is_empty()).then(|| serde_json::Value::Object(obj).to_string())
}

/// The change-detection hash of a record: each value it stores, in a fixed
/// order, with its length or its absence (so that no two lists of values
/// run together). Two readings of one record that store the same values
/// hash the same, however the export wrote them.
struct ValueHash(Xxh3);

impl ValueHash {
    fn new() -> ValueHash {
        ValueHash(Xxh3::new())
    }

    fn text(&mut self, v: Option<&str>) -> &mut ValueHash {
        match v {
            None => self.0.update(&[0]),
            Some(s) => {
                self.0.update(&[1]);
                self.0.update(&(s.len() as u64).to_le_bytes());
                self.0.update(s.as_bytes());
            }
        }
        self
    }

    fn int(&mut self, v: Option<i64>) -> &mut ValueHash {
        match v {
            None => self.0.update(&[0]),
            Some(n) => {
                self.0.update(&[1]);
                self.0.update(&n.to_le_bytes());
            }
        }
        self
    }

    fn finish(&self) -> i64 {
        self.0.digest() as i64
    }
}

/// Hash of every field of the row (mapped and extra) as written, in column
/// order: tells a row written twice from another that shares its key.
fn row_hash(row: &Row) -> u64 {
    let mut h = Xxh3::new();
    for f in row.iter() {
        h.update(f.trim().as_bytes());
        h.update(b"\x1f");
    }
    h.digest()
}

impl FeedbackParser {
    /// The columns this parser reads the file's headers as.
    pub fn map(&self) -> &ColumnMap {
        &self.map
    }

    /// Reads dates with day and month before the year in `order`
    /// (`--day-first`, `--month-first`).
    pub fn with_date_order(mut self, order: dates::DateOrder) -> Self {
        self.order = order;
        self
    }

    /// Takes the causes a file `kefu classify` wrote gives (its `cause`,
    /// `causes` and `cause_evidence`) as the records' automatic causes, so
    /// that `kefu classify … | kefu report causes --input -` reports what
    /// the classification found (found by exploratory testing: the report
    /// classified again, with other settings, and said other numbers).
    pub fn with_given_causes(mut self, given: bool) -> Self {
        self.given_causes = given;
        self
    }

    /// The cause a `kefu classify` column gives `row` when kefu cannot read
    /// it (a hand edit: `attitdue`): the record is classified again, and
    /// the import says so.
    pub fn unread_given_cause<'r>(&self, row: &'r Row) -> Option<&'r str> {
        let [Some(cause), ..] = self.map.classified? else {
            return None;
        };
        let text = value(row, Some(cause))?;
        (self.given_causes && matches!(read_declared_cause(text), DeclaredCause::Unknown))
            .then_some(text)
    }

    /// Prepares to parse rows with these headers. Fails when the file lacks
    /// what every record needs.
    pub fn new(
        kind: FeedbackKind,
        headers: &[String],
        map: ColumnMap,
        tz: Tz,
        stars: StarScale,
        default_channel: Option<String>,
    ) -> Result<FeedbackParser, String> {
        let col = |name: &str| map.column(FEEDBACK_FIELDS, name);
        let cols = FeedbackColumns {
            id: col("id"),
            order_id: col("order_id"),
            created_at: col("created_at"),
            created_date: col("created_date"),
            channel: col("channel"),
            agent_id: col("agent_id"),
            agent_name: col("agent_name"),
            department: col("department"),
            rating: col("rating"),
            content: col("content"),
            customer: col("customer"),
            customer_phone: col("customer_phone"),
            cause: col("cause"),
            responsibility: col("responsibility"),
            validity: col("validity"),
            leader_id: col("leader_id"),
        };
        if map.is_empty() {
            return Err(format!(
                "no column matches a known field (columns: {}); map them with --map FILE.toml or [sources.NAME.columns]",
                headers.join(", ")
            ));
        }
        if cols.created_at.is_none() && cols.created_date.is_none() {
            return Err(format!(
                "no time column (looked for {}, or a date: {}); map one with --map FILE.toml",
                super::columns::aliases_of(FEEDBACK_FIELDS, "created_at"),
                super::columns::aliases_of(FEEDBACK_FIELDS, "created_date")
            ));
        }
        // A complaint log imported as reviews (its 投诉编号, 投诉时间 …, no
        // rating): every row would be a negative review, and importing it
        // again as complaints would clash with them.
        if kind == FeedbackKind::Review && cols.rating.is_none() {
            let complaint_columns: Vec<&String> = headers
                .iter()
                .filter(|h| {
                    let h = super::columns::normalize_header(h);
                    [
                        "投诉编号",
                        "投诉时间",
                        "投诉日期",
                        "投诉内容",
                        "投诉人",
                        "投诉原因",
                    ]
                    .contains(&h.as_str())
                })
                .collect();
            if complaint_columns.len() >= 2 {
                return Err(format!(
                    "this looks like a complaint log ({}) and has no rating column: import it as complaints (`kefu import complaints`; `--input-kind complaints` for a report's input)",
                    complaint_columns.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        if cols.content.is_none() && cols.rating.is_none() {
            return Err(format!(
                "neither a content nor a rating column (looked for {} / {})",
                super::columns::aliases_of(FEEDBACK_FIELDS, "content"),
                super::columns::aliases_of(FEEDBACK_FIELDS, "rating")
            ));
        }
        Ok(FeedbackParser {
            kind,
            cols,
            map,
            headers: super::columns::unique_names(headers),
            tz,
            order: dates::DateOrder::Either,
            stars,
            default_channel,
            given_causes: false,
        })
    }

    /// True when the file has no rating column, so reviews count as negative
    /// (a 差评-only export).
    pub fn assumes_negative(&self) -> bool {
        self.kind == FeedbackKind::Review && self.cols.rating.is_none()
    }

    /// Which stored fields this file has no column for, and its column
    /// names (see [`FileShape`]).
    pub fn shape(&self) -> FileShape {
        let c = &self.cols;
        let lacks = [
            (
                c.channel.is_none() && self.default_channel.is_none(),
                "channel",
            ),
            (c.agent_id.is_none() && c.agent_name.is_none(), "agent_id"),
            (c.agent_id.is_none() && c.agent_name.is_none(), "agent_name"),
            (c.department.is_none(), "department"),
            (c.content.is_none(), "content"),
            (c.order_id.is_none(), "order_id"),
            (c.customer.is_none(), "customer"),
            (c.customer_phone.is_none(), "customer_phone"),
            (c.cause.is_none(), "declared_cause"),
            (c.responsibility.is_none(), "responsibility"),
            (c.validity.is_none(), "validity"),
            (c.leader_id.is_none(), "leader_id"),
        ];
        FileShape {
            lacks: lacks
                .into_iter()
                .filter_map(|(lacks, field)| lacks.then_some(field))
                .collect(),
            columns: Some(self.headers.iter().cloned().collect()),
        }
    }

    /// The default channel recorded when a row has none.
    pub fn default_channel(&self) -> Option<&str> {
        self.default_channel.as_deref()
    }

    /// Watches this file's text column for values that all read as ratings
    /// (评价 holding 好评/差评, the text in another column).
    pub fn text_lookalike(&self, raw_headers: &[String]) -> Option<RatingLookalikes> {
        // With a rating column, short texts (很差, 满意) are texts.
        if self.cols.rating.is_some() {
            return None;
        }
        let c = self.cols.content?;
        Some(RatingLookalikes::new(
            vec![(c, raw_headers.get(c)?.clone())],
            self.stars,
        ))
    }

    /// Watches this file's rows for an unmapped column that looks like the
    /// rating, when the file has none and every review is taken as negative.
    pub fn rating_lookalikes(&self, raw_headers: &[String]) -> Option<RatingLookalikes> {
        self.assumes_negative().then(|| {
            let columns = self
                .map
                .extras
                .iter()
                .filter_map(|&c| Some((c, raw_headers.get(c)?.clone())))
                .collect();
            RatingLookalikes::new(columns, self.stars)
        })
    }

    /// When the record was made, and whether the date column gave (part of)
    /// it: the time column as a timestamp; a clock time there (`09:05`) on
    /// the date column's date; or the date column alone when the row has no
    /// time (a date is the start of that day).
    fn created(&self, row: &Row) -> Result<(dates::ReadTimestamp, bool), String> {
        let c = &self.cols;
        let date = value(row, c.created_date);
        let Some(time) = value(row, c.created_at) else {
            let date = date.ok_or("the time (created_at) is empty")?;
            return dates::read_timestamp_as(date, self.tz, self.order)
                .map(|t| (t, true))
                .map_err(|e| format!("created_date: {e}"));
        };
        // A workbook's time-of-day cell reads as a time on 1899-12-31.
        if !time.starts_with("1899-12-3") {
            if let Ok(t) = dates::read_timestamp_as(time, self.tz, self.order) {
                return Ok((t, false));
            }
        }
        match (dates::parse_clock_time(time), date) {
            (Some(clock), Some(date)) => dates::read_date_at(date, clock, self.tz, self.order)
                .map(|t| (t, true))
                .map_err(|e| format!("created_date: {e}")),
            (Some(_), None) => Err(format!(
                "created_at: {} is a clock time with no date ({})",
                shown(time),
                if c.created_date.is_some() {
                    "the date is empty".to_string()
                } else {
                    format!(
                        "no date column: {}",
                        super::columns::aliases_of(FEEDBACK_FIELDS, "created_date")
                    )
                }
            )),
            (None, _) => dates::read_timestamp_as(time, self.tz, self.order)
                .map(|t| (t, false))
                .map_err(|e| format!("created_at: {e}")),
        }
    }

    /// Parses one row. `Err` is the reason it is rejected.
    pub fn parse<'a>(&self, row: &'a Row) -> Result<FeedbackRecord<'a>, String> {
        let c = &self.cols;
        // A totals row holds a label where a record holds its agent, id or
        // channel (or in its first cell, unless that is the buyer's), and no
        // review text of its own: a row with text is a record, whatever its
        // agent or buyer is called (found by exploratory testing: buyers
        // called 合计, texts 总计3次, an agent column reading 合计 beside a
        // review were dropped).
        let cols = [c.agent_name, c.agent_id, c.id, c.channel];
        let labelled = |col: &Option<usize>| value(row, *col).is_some_and(is_totals_label);
        let content = value(row, c.content);
        let no_text = match content {
            None => true,
            // A count under the text's column (合计 … 1条): the totals'.
            Some(text) if is_bare_count(text) => true,
            // The label is the text, in the first cell, and nothing names
            // an agent or record: a footer.
            Some(text) => {
                is_totals_label(text)
                    && c.content == Some(0)
                    && [c.agent_name, c.agent_id, c.id]
                        .iter()
                        .all(|col| value(row, *col).is_none() || labelled(col))
            }
        };
        // A label in the buyer's column (the first) counts only on a row
        // that names no agent and no record.
        let first_is_buyer = c.customer == Some(0);
        let names_nothing = [c.agent_name, c.agent_id, c.id]
            .iter()
            .all(|col| value(row, *col).is_none());
        if no_text && (!first_is_buyer || names_nothing || cols.iter().any(labelled)) {
            // The buyer's column too on a row naming no agent or record
            // (合计：3人 under 买家昵称, the rest empty).
            let with_buyer = [c.agent_name, c.agent_id, c.id, c.channel, c.customer];
            totals_row(
                row,
                if names_nothing {
                    &with_buyer[..]
                } else {
                    &cols[..]
                },
            )?;
        }
        let (created, date_used) = self.created(row)?;
        let mut rated_positive = false;
        let (polarity, stars) = match (self.kind, value(row, c.rating)) {
            // A complaint is negative whatever a rating column says; the
            // rating is kept with the record's other columns.
            (FeedbackKind::Complaint, rating) => {
                rated_positive = rating.is_some_and(|r| {
                    parse_rating(r, self.stars).is_ok_and(|r| r.polarity == Polarity::Positive)
                });
                (Polarity::Negative, None)
            }
            (FeedbackKind::Review, Some(r)) => {
                let rating = parse_rating(r, self.stars)?;
                (rating.polarity, rating.stars)
            }
            (FeedbackKind::Review, None) if c.rating.is_none() => (Polarity::Negative, None),
            (FeedbackKind::Review, None) => return Err("the rating is empty".into()),
        };
        if self.kind == FeedbackKind::Complaint && content.is_none() {
            return Err("the complaint has no content".into());
        }
        // A cause kefu cannot read is no reason to drop the record: it is
        // imported without one (the classifier's stands), the text kept.
        let written_cause = value(row, c.cause);
        let (declared_cause, unread_cause) = match written_cause.map(read_declared_cause) {
            None | Some(DeclaredCause::Nothing) => (None, None),
            Some(DeclaredCause::Cause(cause)) => (Some(cause), None),
            Some(DeclaredCause::Unknown) => (None, written_cause.map(Cow::Borrowed)),
        };
        // The vocabulary first (no allocation for what exports nearly always
        // hold); placeholders (-, 无) and 待定 only for what it cannot read.
        let responsibility = match value(row, c.responsibility) {
            None => None,
            Some(v) => match Responsibility::parse(v) {
                Some(r) => Some(r),
                None if is_placeholder(v) || is_undecided(v) => None,
                None => Some(Responsibility::parse_or_err(v)?),
            },
        };
        let validity = match value(row, c.validity) {
            None => None,
            Some(v) => match parse_validity(v) {
                Ok(x) => Some(x),
                Err(_) if is_placeholder(v) => None,
                Err(e) => return Err(e),
            },
        };
        let clock = dates::local_datetime(created.unix_seconds, self.tz);
        let kept_time = dates::kept_time(created.unix_seconds, created.naive, self.tz);
        let (ext_id, derived_key) = match value(row, c.id) {
            Some(id) => (Cow::Borrowed(id), None),
            None => {
                let key = identity::feedback_key(
                    kept_time,
                    content,
                    value(row, c.order_id),
                    value(row, c.customer),
                );
                (
                    Cow::Owned(identity::ext_id(key, 1)),
                    Some((key, row_hash(row))),
                )
            }
        };
        // A date column whose value the time did not need is kept as extra,
        // and so is a declared cause kefu could not read.
        let unused_date = c.created_date.filter(|_| !date_used);
        let unused_cause = c.cause.filter(|_| unread_cause.is_some());
        let unused_rating = c.rating.filter(|_| self.kind == FeedbackKind::Complaint);
        let mut unused = [unused_date, unused_cause, unused_rating];
        unused.sort_unstable();
        let (mut buffer, mut n) = ([0usize; 3], 0);
        for u in unused.into_iter().flatten() {
            buffer[n] = u;
            n += 1;
        }
        let unused = &buffer[..n];
        let mut rec = FeedbackRecord {
            ext_id,
            derived_key,
            hash: 0,
            created_at: created.unix_seconds,
            local_day: dates::day_number(clock.date()),
            naive_time: created.naive,
            unrated: self.assumes_negative(),
            agent_by_name: false,
            channel: named(row, c.channel).map(Cow::Borrowed),
            agent_id: named(row, c.agent_id).map(Cow::Borrowed),
            agent_name: named(row, c.agent_name).map(Cow::Borrowed),
            department: named(row, c.department).map(Cow::Borrowed),
            polarity,
            stars,
            rated_positive,
            content: content.map(Cow::Borrowed),
            order_id: value(row, c.order_id).map(Cow::Borrowed),
            customer: value(row, c.customer).map(Cow::Borrowed),
            customer_phone: value(row, c.customer_phone).map(Cow::Borrowed),
            declared_cause,
            unread_cause,
            responsibility,
            validity,
            leader_id: named(row, c.leader_id).map(Cow::Borrowed),
            extra: if self.map.extras.is_empty() && unused.is_empty() {
                None
            } else {
                extras_json(row, &self.map, &self.headers, unused)
            },
            auto: None,
        };
        if self.given_causes && rec.polarity == Polarity::Negative {
            if let Some([Some(cause), causes, evidence]) = self.map.classified {
                // Read as a declared cause is (a label, 态度问题, a list's
                // first); the causes found as ids, the decision first (found
                // by exploratory testing: the raw column went into "causes
                // found together" as written).
                let read = value(row, Some(cause)).map(read_declared_cause);
                if let Some(DeclaredCause::Cause(c)) = read {
                    let mut ids = vec![c.id()];
                    for part in value(row, causes)
                        .unwrap_or("")
                        .split([';', '；', ',', '，'])
                    {
                        if let DeclaredCause::Cause(found) = read_declared_cause(part) {
                            if !ids.contains(&found.id()) {
                                ids.push(found.id());
                            }
                        }
                    }
                    rec.auto = Some(AutoCause {
                        cause: c,
                        causes: ids.join(";"),
                        evidence: value(row, evidence).unwrap_or("").to_string(),
                    });
                }
            }
        }
        rec.hash = rec.value_hash(kept_time);
        Ok(rec)
    }
}

/// How many rows of a file [`RatingLookalikes`] looks at: enough to tell,
/// and nothing to measure on a large file.
const LOOKALIKE_ROWS: u32 = 1000;

/// Columns watched for one whose every value reads as a rating (`5`, `3星`,
/// `★★☆☆☆`, 好评/差评): most likely the rating under a header kefu does not
/// know (买家打分), or a rating where the text should be. Shared by the
/// importer (the unmapped columns of a review file with no rating column)
/// and `kefu classify`. A column counts when, in its first rows, every value
/// reads as a rating or as none (未评价), some value is positive or negative
/// (a column of 普通 alone is no rating), and, when no value has a rating's
/// own words (好评, 3星, ★, satisfied: numbers alone, a row number, a
/// quantity, 1级, 一), its header says it is a score (评分, 打分, 得分, 星级,
/// 满意, rating, score, star; not 星期, 积分, 分类 or 评论数).
pub struct RatingLookalikes {
    columns: Vec<Lookalike>,
    rows_seen: u32,
    stars: StarScale,
}

/// One column as [`RatingLookalikes`] sees it.
struct Lookalike {
    column: usize,
    /// The header as in the file, for `--map`.
    header: String,
    /// Its first value read as a rating, once one was seen.
    first: Option<String>,
    /// False once a value did not read as a rating.
    plausible: bool,
    /// Whether a value was positive or negative.
    polar: bool,
    /// Whether a value was more than digits (差评, 3星).
    worded: bool,
}

impl RatingLookalikes {
    /// Watches `columns` (with their headers) of a file.
    pub fn new(columns: Vec<(usize, String)>, stars: StarScale) -> RatingLookalikes {
        let columns = columns
            .into_iter()
            .filter_map(|(column, header)| {
                // A column with no header cannot be named in a mapping.
                let header = header.trim();
                (!header.is_empty()).then(|| Lookalike {
                    column,
                    header: header.to_string(),
                    first: None,
                    plausible: true,
                    polar: false,
                    worded: false,
                })
            })
            .collect();
        RatingLookalikes {
            columns,
            rows_seen: 0,
            stars,
        }
    }

    /// Looks at one more row (only the first thousand count).
    pub fn look_at(&mut self, row: &Row) {
        if self.rows_seen >= LOOKALIKE_ROWS {
            return;
        }
        self.rows_seen += 1;
        for col in self.columns.iter_mut().filter(|c| c.plausible) {
            let Some(v) = value(row, Some(col.column)) else {
                continue;
            };
            if crate::domain::is_unrated(v.trim()) {
                continue;
            }
            match parse_rating(v, self.stars) {
                Err(_) => col.plausible = false,
                Ok(r) => {
                    col.polar |= r.polarity != crate::domain::Polarity::Neutral;
                    // A rating's own words (好评, 3星, ★, satisfied), not a
                    // number that reads as stars (1级, 一, 2.0).
                    col.worded |= v
                        .chars()
                        .any(|c| c.is_ascii_alphabetic() || "好差中评满意星★☆⭐".contains(c));
                    if col.first.is_none() {
                        col.first = Some(v.to_string());
                    }
                }
            }
        }
    }

    /// The columns that read as ratings, in file order: (column, header,
    /// first value).
    pub fn found(&self) -> impl Iterator<Item = (usize, &str, &str)> {
        let scored = |header: &str| {
            let h = normalize_term(header);
            [
                "评分", "打分", "得分", "星级", "星等", "星数", "满意", "rating", "score", "star",
            ]
            .iter()
            .any(|w| h.contains(w))
        };
        self.columns
            .iter()
            .filter(move |c| c.plausible && c.polar && (c.worded || scored(&c.header)))
            .filter_map(|c| Some((c.column, c.header.as_str(), c.first.as_deref()?)))
    }

    /// What the importer's warning adds: the columns whose every value seen
    /// reads as a rating, the first of them with how to map it.
    pub fn hint(&self) -> Option<String> {
        let mut found = self.found();
        let (_, header, first) = found.next()?;
        let others: Vec<String> = found.map(|(_, h, _)| format!("{h:?}")).collect();
        Some(format!(
            "column {header:?} holds only values that read as ratings (the first: {first:?}){}; if it is the rating, map it: --map FILE.toml with [columns] rating = {header:?}",
            if others.is_empty() {
                String::new()
            } else {
                format!(", and so do {}", others.join(", "))
            },
        ))
    }
}

/// Whether an event was verified (是否核实): a yes or a no as every yes/no
/// column reads it ([`YesNo`]), or 已核实/核实/verified, 未核实/unverified.
fn read_verified(text: &str) -> Option<bool> {
    YesNo::parse(text)
        .map(|answer| answer == YesNo::Yes)
        .or_else(|| match normalize_term(text).as_str() {
            "已核实" | "核实" | "verified" => Some(true),
            "未核实" | "unverified" => Some(false),
            _ => None,
        })
}

/// A number as spreadsheets write it: `1234`, `1234.5`, `-3`, thousands
/// separated by commas (`1,234`, `1,234.5`), full-width digits and commas
/// (`１，２３４`). `None` for anything else, including a comma that does
/// not separate thousands (`1,23`, a decimal comma kefu does not guess at).
fn read_number(text: &str) -> Option<rust_decimal::Decimal> {
    let folded: String = text
        .trim()
        .chars()
        .map(crate::domain::fold_full_width)
        .collect();
    let t = folded.trim();
    if !t.contains(',') {
        return t.parse().ok();
    }
    let whole = t.split_once('.').map_or(t, |(whole, _)| whole);
    let mut groups = whole.strip_prefix('-').unwrap_or(whole).split(',');
    let first = groups.next().unwrap_or_default();
    let grouped = (1..=3).contains(&first.len())
        && groups.all(|g| g.len() == 3)
        && !t[whole.len()..].contains(',');
    if !grouped {
        return None;
    }
    t.replace(',', "").parse().ok()
}

/// A roster entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRecord {
    pub id: String,
    pub name: String,
    pub department: Option<String>,
    pub leader_id: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    /// The day a change of department or leader took effect (调岗日期),
    /// when the roster says: earlier days keep the old ones.
    pub changed_on: Option<NaiveDate>,
    /// Whether the file has a column for the department, leader, 入职日期
    /// and 离职日期: a sheet without one (a 调岗单 of 工号, 姓名, 部门,
    /// 调岗日期) leaves what the roster holds for it as it is.
    pub has: [bool; 4],
    pub extra: Option<String>,
    /// The file's columns that map to no field (`extra` holds those with a
    /// value): the roster's other columns the file lacks are kept.
    pub extra_columns: std::sync::Arc<[String]>,
    pub hash: i64,
}

/// Parses rows of a roster file.
pub struct AgentParser {
    map: ColumnMap,
    headers: Vec<String>,
    tz: Tz,
    /// How dates with day and month before the year are read (see [`dates::DateOrder`]).
    order: dates::DateOrder,
    extra_columns: std::sync::Arc<[String]>,
}

impl AgentParser {
    /// The columns this parser reads the file's headers as.
    pub fn map(&self) -> &ColumnMap {
        &self.map
    }

    /// Reads dates with day and month before the year in `order`
    /// (`--day-first`, `--month-first`).
    pub fn with_date_order(mut self, order: dates::DateOrder) -> Self {
        self.order = order;
        self
    }

    pub fn new(headers: &[String], map: ColumnMap, tz: Tz) -> Result<AgentParser, String> {
        for field in ["agent_id", "agent_name"] {
            if map.column(AGENT_FIELDS, field).is_none() {
                return Err(format!(
                    "the roster has no {field} column (looked for {})",
                    super::columns::aliases_of(AGENT_FIELDS, field)
                ));
            }
        }
        let headers = super::columns::unique_names(headers);
        let extra_columns = map.extras.iter().map(|&c| headers[c].clone()).collect();
        Ok(AgentParser {
            map,
            headers,
            tz,
            order: dates::DateOrder::Either,
            extra_columns,
        })
    }

    /// A roster date (入职日期, 离职日期, 调岗日期); empty when the cell is, or holds a
    /// placeholder ([`is_placeholder`]) or says the agent is still there
    /// (在职, 至今).
    fn date(&self, row: &Row, field: &str) -> Result<Option<NaiveDate>, String> {
        match value(row, self.map.column(AGENT_FIELDS, field)) {
            None => Ok(None),
            Some(v)
                if is_placeholder(v) || matches!(normalize_term(v).as_str(), "在职" | "至今") =>
            {
                Ok(None)
            }
            Some(v) => {
                let ts = dates::parse_timestamp_as(v, self.tz, self.order)
                    .map_err(|e| format!("{field}: {e}"))?;
                Ok(Some(dates::date_of_day(dates::local_day(ts, self.tz))))
            }
        }
    }

    pub fn parse(&self, row: &Row) -> Result<AgentRecord, String> {
        totals_row(
            row,
            &[
                self.map.column(AGENT_FIELDS, "agent_id"),
                self.map.column(AGENT_FIELDS, "agent_name"),
                self.map.column(AGENT_FIELDS, "department"),
            ],
        )?;
        let get = |f: &str| value(row, self.map.column(AGENT_FIELDS, f)).map(str::to_string);
        // A placeholder is no id, department or leader (`-` for "no leader
        // above": found by exploratory testing, a leader `-` was charged).
        let get_named = |f: &str| named(row, self.map.column(AGENT_FIELDS, f)).map(str::to_string);
        let id = get_named("agent_id").ok_or("the agent id (工号) is empty")?;
        let name = get("agent_name").ok_or("the agent name (客服姓名) is empty")?;
        let joined_on = self.date(row, "joined_at")?;
        let left_on = self.date(row, "left_at")?;
        if let (Some(j), Some(l)) = (joined_on, left_on) {
            if l < j {
                return Err(format!("left_at {l} is before joined_at {j}"));
            }
        }
        let changed_on = self.date(row, "changed_at")?;
        let department = get_named("department");
        let leader_id = get_named("leader_id");
        let extra = extras_json(row, &self.map, &self.headers, &[]);
        let day = |d: Option<NaiveDate>| d.map(dates::day_number);
        let mut hash = ValueHash::new();
        hash.text(Some(&id))
            .text(Some(&name))
            .text(department.as_deref())
            .text(leader_id.as_deref())
            .int(day(joined_on))
            .int(day(left_on));
        // Only when given: a roster without the column hashes as it did.
        if changed_on.is_some() {
            hash.int(day(changed_on));
        }
        let hash = hash.text(extra.as_deref()).finish();
        Ok(AgentRecord {
            id,
            name,
            department,
            leader_id,
            joined_on,
            left_on,
            changed_on,
            has: ["department", "leader_id", "joined_at", "left_at"]
                .map(|f| self.map.column(AGENT_FIELDS, f).is_some()),
            extra,
            extra_columns: self.extra_columns.clone(),
            hash,
        })
    }
}

/// The spec list for a kind of import.
pub fn specs_for(kind: &str) -> &'static [FieldSpec] {
    match kind {
        "agents" => AGENT_FIELDS,
        "events" => super::columns::EVENT_FIELDS,
        "activity" => super::columns::ACTIVITY_FIELDS,
        _ => FEEDBACK_FIELDS,
    }
}

/// Resolves an agent id or unique name through the roster.
fn resolve_agent(roster: &Lookup, text: &str, day: i64) -> Result<String, String> {
    if let Some(id) = roster.find_on(text, day) {
        return Ok(id.clone());
    }
    let former: Vec<&str> = roster
        .others_once_named(text, "")
        .into_iter()
        .map(String::as_str)
        .collect();
    Err(match roster.shared(text) {
        Some(shared) => format!(
            "agent {} is the name of {} agents on the roster ({}): give the id (工号)",
            shown(text),
            shared.ids.len(),
            shared.ids.join(", ")
        ),
        None if roster.ids.is_empty() => format!(
            "unknown agent {}: the roster is empty; import it first with `kefu import agents`",
            shown(text)
        ),
        None if former.len() > 1 => format!(
            "agent {} is a former name of {} agents on the roster ({}): give the id (工号)",
            shown(text),
            former.len(),
            former.join(", ")
        ),
        None => format!(
            "unknown agent {}: no agent on the roster has that id or name{}",
            shown(text),
            roster.did_you_mean(text)
        ),
    })
}

/// Parses rows of an events file against the rulebook and the roster.
pub struct EventParser<'a> {
    map: ColumnMap,
    tz: Tz,
    /// How dates with day and month before the year are read (see [`dates::DateOrder`]).
    order: dates::DateOrder,
    book: &'a crate::points::rulebook::Rulebook,
    agents: &'a Lookup,
}

impl<'a> EventParser<'a> {
    /// The columns this parser reads the file's headers as.
    pub fn map(&self) -> &ColumnMap {
        &self.map
    }

    /// Reads dates with day and month before the year in `order`
    /// (`--day-first`, `--month-first`).
    pub fn with_date_order(mut self, order: dates::DateOrder) -> Self {
        self.order = order;
        self
    }

    pub fn new(
        map: ColumnMap,
        tz: Tz,
        book: &'a crate::points::rulebook::Rulebook,
        agents: &'a Lookup,
    ) -> Result<EventParser<'a>, String> {
        for field in ["agent", "date", "rule"] {
            if map.column(super::columns::EVENT_FIELDS, field).is_none() {
                return Err(format!(
                    "no {field} column (looked for {})",
                    super::columns::aliases_of(super::columns::EVENT_FIELDS, field)
                ));
            }
        }
        Ok(EventParser {
            map,
            tz,
            order: dates::DateOrder::Either,
            book,
            agents,
        })
    }

    pub fn parse(&self, row: &Row) -> Result<crate::store::points::NewEvent, String> {
        totals_row(
            row,
            &[self.map.column(super::columns::EVENT_FIELDS, "agent")],
        )?;
        let get = |f: &str| value(row, self.map.column(super::columns::EVENT_FIELDS, f));
        let agent_text = get("agent").ok_or("the agent is empty")?;
        let ts =
            dates::parse_timestamp_as(get("date").ok_or("the date is empty")?, self.tz, self.order)
                .map_err(|e| format!("date: {e}"))?;
        // The agent as of the event's day: a name a new hire took over
        // stays the earlier agent's for events before they joined.
        let agent = resolve_agent(self.agents, agent_text, dates::local_day(ts, self.tz))?;
        let rule_text = get("rule").ok_or("the rule is empty")?;
        let rule = self.book.find(rule_text).ok_or_else(|| {
            let recorded = || self.book.rules.iter().filter(|r| r.is_recorded());
            let hint = crate::domain::nearest(
                rule_text,
                recorded().flat_map(|r| {
                    let shown = format!("{} ({})", r.name, r.id);
                    [(r.name.as_str(), shown.clone()), (r.id.as_str(), shown)]
                }),
            );
            if hint.is_empty() {
                let all: Vec<String> = recorded().map(|r| format!("{} {}", r.id, r.name)).collect();
                format!(
                    "unknown rule {} (recorded rules: {})",
                    shown(rule_text),
                    all.join(", ")
                )
            } else {
                format!(
                    "unknown rule {}{}",
                    shown(rule_text),
                    crate::domain::did_you_mean(&hint)
                )
            }
        })?;
        if !rule.is_recorded() {
            return Err(format!(
                "rule {:?} is derived from data, not recorded as an event",
                rule.id
            ));
        }
        let count = match get("count") {
            None => 1,
            Some(c) => match read_number(c.trim_end_matches('次')).map(|n| n.normalize()) {
                Some(n)
                    if n.scale() == 0
                        && n >= rust_decimal::Decimal::ONE
                        && n > rust_decimal::Decimal::from(MAX_EVENT_COUNT) =>
                {
                    // An order number pasted into the column would make a
                    // fortune of points (found by exploratory testing: a
                    // count that overflowed turned +2 into -2).
                    return Err(format!(
                        "count {} is more than {MAX_EVENT_COUNT} occurrences in one row (an order or phone number in the wrong column?)",
                        shown(c)
                    ));
                }
                Some(n) if n.scale() == 0 && n >= rust_decimal::Decimal::ONE => {
                    i64::try_from(n).unwrap_or(i64::MAX)
                }
                _ => {
                    return Err(format!(
                        "count {} is not a whole number of at least 1",
                        shown(c)
                    ))
                }
            },
        };
        // A placeholder (无, -, N/A) is no blank here: a blank counts the
        // event, and 无 in 是否核实 may well mean "not verified" (found by
        // exploratory testing: it was paid).
        let verified = match get("verified") {
            None => None,
            Some(v) => Some(read_verified(v).ok_or_else(|| {
                if is_placeholder(v) {
                    format!(
                        "verified {} says neither yes nor no (a blank 是否核实 counts the event): write 是 or 否 (已核实/未核实)",
                        shown(v)
                    )
                } else {
                    format!(
                        "verified {} (expected 是/否, √/×, Y/N, TRUE/FALSE, 1/0, 已核实/未核实)",
                        shown(v)
                    )
                }
            })?),
        };
        let day = dates::local_day(ts, self.tz);
        let (note, reference) = (get("note"), get("reference"));
        let hash_for = |agent: &str| {
            ValueHash::new()
                .text(Some(agent))
                .int(Some(day))
                .text(Some(&rule.id))
                .int(Some(count))
                .text(note)
                .text(reference)
                .int(verified.map(i64::from))
                .finish()
        };
        let hash = hash_for(&agent);
        let id = get("id");
        let ext_id_for = |agent: &str| match id {
            Some(id) => id.to_string(),
            None => identity::ext_id(identity::event_key(agent, day, &rule.id, note), 1),
        };
        let (ext_id, derived_key) = match id {
            Some(id) => (id.to_string(), None),
            None => {
                let key = identity::event_key(&agent, day, &rule.id, note);
                (identity::ext_id(key, 1), Some((key, row_hash(row))))
            }
        };
        // The same event under each other agent its name may have meant.
        let as_other_agents = self
            .agents
            .ever_named(agent_text)
            .into_iter()
            .filter(|other| **other != agent)
            .map(|other| (ext_id_for(other), other.clone(), hash_for(other)))
            .collect();
        Ok(crate::store::points::NewEvent {
            as_other_agents,
            ext_id,
            derived_key,
            hash,
            agent_id: agent,
            day,
            rule_id: rule.id.clone(),
            count,
            note: note.map(str::to_string),
            reference: reference.map(str::to_string),
            verified,
        })
    }
}

/// A monthly activity value.
#[derive(Debug, Clone)]
pub struct ActivityRecord {
    pub month: String,
    pub agent_id: String,
    pub metric: String,
    pub value: rust_decimal::Decimal,
    pub hash: i64,
    /// (agent, hash) of the same row under each other agent its name may
    /// have meant (see [`crate::store::points::upsert_activity`]).
    pub as_other_agents: Vec<(String, i64)>,
}

/// Parses rows of an activity file.
pub struct ActivityParser<'a> {
    map: ColumnMap,
    agents: &'a Lookup,
    /// How a month written as a date is read (see [`dates::DateOrder`]).
    order: dates::DateOrder,
}

impl<'a> ActivityParser<'a> {
    /// The columns this parser reads the file's headers as.
    pub fn map(&self) -> &ColumnMap {
        &self.map
    }

    /// Reads months written as dates with day and month before the year in
    /// `order` (`--day-first`, `--month-first`).
    pub fn with_date_order(mut self, order: dates::DateOrder) -> Self {
        self.order = order;
        self
    }

    pub fn new(map: ColumnMap, agents: &'a Lookup) -> Result<ActivityParser<'a>, String> {
        for field in ["month", "agent", "metric", "value"] {
            if map.column(super::columns::ACTIVITY_FIELDS, field).is_none() {
                return Err(format!(
                    "no {field} column (looked for {})",
                    super::columns::aliases_of(super::columns::ACTIVITY_FIELDS, field)
                ));
            }
        }
        Ok(ActivityParser {
            map,
            agents,
            order: dates::DateOrder::Either,
        })
    }

    pub fn parse(&self, row: &Row) -> Result<ActivityRecord, String> {
        totals_row(
            row,
            &[self.map.column(super::columns::ACTIVITY_FIELDS, "agent")],
        )?;
        let get = |f: &str| value(row, self.map.column(super::columns::ACTIVITY_FIELDS, f));
        let month = dates::read_month_as(get("month").ok_or("the month is empty")?, self.order)?;
        // The agent the name is on the month's first and on its last day,
        // as an event of that day would find them: two different ones, or a
        // day two agents of the name were both there, name neither; one of
        // them alone (a leaver's last month, a joiner's first), that one
        // (found by exploratory testing).
        let text = get("agent").ok_or("the agent is empty")?;
        let (first, last) = (
            dates::day_number(month.first),
            dates::day_number(month.last),
        );
        let two = || {
            format!(
                "agent {} named two agents in {} (the roster's 入职/离职 dates): give the id (工号)",
                shown(text),
                month.name
            )
        };
        if self.agents.shared_on(text, first) || self.agents.shared_on(text, last) {
            return Err(two());
        }
        let agent_id = match (
            self.agents.find_on(text, first),
            self.agents.find_on(text, last),
        ) {
            (Some(a), Some(b)) if a != b => return Err(two()),
            (Some(a), _) | (_, Some(a)) => a.clone(),
            (None, None) => resolve_agent(self.agents, text, last)?,
        };
        let metric = get("metric").ok_or("the metric is empty")?.to_string();
        let v = get("value").ok_or("the value is empty")?;
        let value = read_number(v).ok_or_else(|| format!("value {} is not a number", shown(v)))?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(format!(
                "value {v} is negative: activity is a count or amount (queries, orders …)"
            ));
        }
        // 12 and 12.0 are one value.
        let hash_for = |agent: &str| {
            ValueHash::new()
                .text(Some(&month.name))
                .text(Some(agent))
                .text(Some(&metric))
                .text(Some(&value.normalize().to_string()))
                .finish()
        };
        let hash = hash_for(&agent_id);
        // The same row under each other agent its name may have meant.
        let as_other_agents = self
            .agents
            .ever_named(text)
            .into_iter()
            .filter(|other| **other != agent_id)
            .map(|other| (other.clone(), hash_for(other)))
            .collect();
        Ok(ActivityRecord {
            as_other_agents,
            month: month.name,
            agent_id,
            metric,
            value,
            hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by exploratory testing: a broken row of ten million fields
    /// became ten million strings (1.2 GB for a 20 MB line).
    #[test]
    fn raw_fields_keeps_the_fields_past_the_last_in_it() {
        assert_eq!(raw_fields("a,\"b,c\",d", 10, b','), ["a", "b,c", "d"]);
        assert_eq!(raw_fields("a,b,c,d", 2, b';'), ["a", "b;c;d"]);
        assert_eq!(raw_fields("a,b", 0, b','), ["a,b"]);
        assert!(raw_fields("", 3, b',').is_empty());
    }
    use std::collections::BTreeMap;

    fn tz() -> Tz {
        dates::parse_tz("Asia/Shanghai").unwrap()
    }

    fn parser(kind: FeedbackKind, headers: &[&str]) -> FeedbackParser {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let map = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        FeedbackParser::new(kind, &h, map, tz(), StarScale::default(), None).unwrap()
    }

    fn row(fields: &[&str]) -> Row {
        Row {
            line: 2,
            fields: fields.iter().collect(),
            ..Row::default()
        }
    }

    #[test]
    fn a_review_row() {
        let p = parser(
            FeedbackKind::Review,
            &[
                "评价ID",
                "评价时间",
                "评价等级",
                "评价内容",
                "接待客服",
                "差评原因",
                "商品",
            ],
        );
        let r = row(&[
            "T1",
            "2026/11/20 9:05",
            "差评",
            "态度差",
            "王芳",
            "服务态度",
            "耳机",
        ]);
        let rec = p.parse(&r).unwrap();
        assert_eq!(rec.ext_id, "T1");
        assert_eq!(rec.polarity, Polarity::Negative);
        assert_eq!(rec.agent_name.as_deref(), Some("王芳"));
        assert_eq!(rec.declared_cause, Some(Cause::Attitude));
        assert_eq!(rec.extra.as_deref(), Some(r#"{"商品":"耳机"}"#));
        assert_eq!(dates::date_of_day(rec.local_day).to_string(), "2026-11-20");
    }

    #[test]
    fn totals_labels() {
        for t in [
            "小计",
            "合计：3人",
            "合  计",
            "Total",
            "grand total: 12",
            "總計",
            "小计2",
            "Total 12",
            "小计 (2)",
        ] {
            assert!(is_totals_label(t), "{t}");
        }
        for t in [
            "",
            "王小计",
            "totally rude",
            "Total Wine",
            "合计金额",
            "合计退款200元给我的那个订单到现在没到账，客服也不理",
            "张三",
        ] {
            assert!(!is_totals_label(t), "{t}");
        }
    }

    #[test]
    fn rejects_say_why() {
        let p = parser(
            FeedbackKind::Review,
            &["评价ID", "评价时间", "评价等级", "差评原因"],
        );
        assert!(p
            .parse(&row(&["1", "", "差评", ""]))
            .unwrap_err()
            .contains("time"));
        assert!(p
            .parse(&row(&["1", "2026-02-30", "差评", ""]))
            .unwrap_err()
            .contains("impossible date"));
        assert!(p
            .parse(&row(&["1", "2026-02-03", "9星", ""]))
            .unwrap_err()
            .contains("1 to 5"));
        assert!(p
            .parse(&row(&["1", "2026-02-03", "好多星", ""]))
            .unwrap_err()
            .contains("unknown rating"));
    }

    #[test]
    fn a_declared_cause_kefu_cannot_read_leaves_the_record_without_one() {
        let p = parser(
            FeedbackKind::Review,
            &["评价ID", "评价时间", "评价等级", "差评原因", "商品"],
        );
        let read = |cause: &str| {
            let r = row(&["1", "2026-11-25 10:00", "差评", cause, "耳机"]);
            p.parse(&r).map(|rec| {
                (
                    rec.declared_cause,
                    rec.unread_cause.map(|c| c.into_owned()),
                    rec.extra,
                )
            })
        };
        let goods = Some(r#"{"商品":"耳机"}"#.to_string());
        assert_eq!(
            read("态度问题"),
            Ok((Some(Cause::Attitude), None, goods.clone()))
        );
        assert_eq!(read("物流"), Ok((Some(Cause::Other), None, goods.clone())));
        assert_eq!(
            read("服务态度;响应速度"),
            Ok((Some(Cause::Attitude), None, goods.clone()))
        );
        for placeholder in ["无", "-", "/", "待定", "—"] {
            assert_eq!(
                read(placeholder),
                Ok((None, None, goods.clone())),
                "{placeholder}"
            );
        }
        // Not a reject: imported without a declared cause, the text kept.
        assert_eq!(
            read("客户无理取闹"),
            Ok((
                None,
                Some("客户无理取闹".to_string()),
                Some(r#"{"差评原因":"客户无理取闹","商品":"耳机"}"#.to_string())
            ))
        );
    }

    #[test]
    fn validity_and_responsibility_read_marks_and_placeholders() {
        let p = parser(
            FeedbackKind::Complaint,
            &["投诉单号", "投诉时间", "投诉内容", "责任认定", "是否成立"],
        );
        let read = |resp: &str, valid: &str| {
            let r = row(&["V1", "2026-11-25 10:00", "态度差", resp, valid]);
            p.parse(&r).map(|rec| (rec.responsibility, rec.validity))
        };
        assert_eq!(
            read("公司", "√"),
            Ok((Some(Responsibility::Process), Some(Validity::Confirmed)))
        );
        assert_eq!(
            read("无责", "FALSE"),
            Ok((Some(Responsibility::External), Some(Validity::Rejected)))
        );
        assert_eq!(read("-", "—"), Ok((None, None)));
        assert_eq!(read("待定", "待定"), Ok((None, Some(Validity::Pending))));
        assert!(read("个人", "也许")
            .unwrap_err()
            .contains("unknown validity"));
        assert!(read("领导", "是")
            .unwrap_err()
            .contains("unknown responsibility"));
    }

    #[test]
    fn roster_dates_that_say_nothing_are_empty() {
        let h: Vec<String> = ["工号", "姓名", "入职日期", "离职日期"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let map = ColumnMap::build(&h, AGENT_FIELDS, &BTreeMap::new()).unwrap();
        let p = AgentParser::new(&h, map, tz()).unwrap();
        for left in ["—", "-", "/", "在职", "无", "空", "至今", ""] {
            let rec = p
                .parse(&row(&["KF001", "王芳", "2026-03-01", left]))
                .unwrap_or_else(|e| panic!("{left}: {e}"));
            assert_eq!(rec.left_on, None, "{left}");
            assert_eq!(rec.joined_on.unwrap().to_string(), "2026-03-01");
        }
        let rec = p.parse(&row(&["KF001", "王芳", "-", "20261130"])).unwrap();
        assert_eq!(
            (rec.joined_on, rec.left_on.map(|d| d.to_string())),
            (None, Some("2026-11-30".into()))
        );
        assert!(p
            .parse(&row(&["KF001", "王芳", "2026-03-01", "离开了"]))
            .unwrap_err()
            .starts_with("left_at: unreadable timestamp"));
    }

    #[test]
    fn activity_months_from_date_cells_and_numbers_with_thousands_separators() {
        let h: Vec<String> = ["月份", "工号", "指标", "数值"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let map =
            ColumnMap::build(&h, super::super::columns::ACTIVITY_FIELDS, &BTreeMap::new()).unwrap();
        let agents = Lookup {
            ids: [("KF001".to_string(), "KF001".to_string())].into(),
            ..Lookup::default()
        };
        let p = ActivityParser::new(map, &agents).unwrap();
        let read = |month: &str, value: &str| {
            p.parse(&row(&[month, "KF001", "queries", value]))
                .map(|r| (r.month, r.value.to_string()))
        };
        assert_eq!(
            read("2026-10", "1234"),
            Ok(("2026-10".into(), "1234".into()))
        );
        // A month typed into Excel is a date cell; any day is its month.
        assert_eq!(
            read("2026-10-01 00:00:00", "1,234"),
            Ok(("2026-10".into(), "1234".into()))
        );
        assert_eq!(
            read("2026/10/17", "１，２３４.5"),
            Ok(("2026-10".into(), "1234.5".into()))
        );
        assert_eq!(
            read("2026年10月", "12"),
            Ok(("2026-10".into(), "12".into()))
        );
        assert!(read("2026-10", "1,23")
            .unwrap_err()
            .contains("not a number"));
        assert!(read("10月", "1").unwrap_err().starts_with("no year in"));
        // The same value however written is the same record.
        assert_eq!(
            p.parse(&row(&["2026-10", "KF001", "queries", "1,234"]))
                .unwrap()
                .hash,
            p.parse(&row(&["2026-10-01 00:00:00", "KF001", "queries", "1234.0"]))
                .unwrap()
                .hash
        );
    }

    #[test]
    fn numbers_as_spreadsheets_write_them() {
        let n = |t: &str| read_number(t).map(|d| d.to_string());
        assert_eq!(n("1234").as_deref(), Some("1234"));
        assert_eq!(n(" 1,234,567 ").as_deref(), Some("1234567"));
        assert_eq!(n("-1,234.50").as_deref(), Some("-1234.50"));
        assert_eq!(n("１２").as_deref(), Some("12"));
        for bad in ["1,23", "12,34,567", ",123", "1,234,5", "1.234,5", "abc", ""] {
            assert_eq!(n(bad), None, "{bad}");
        }
    }

    #[test]
    fn verified_reads_the_yes_no_vocabulary() {
        for t in ["是", "Y", "TRUE", "1", "√", "✓", "已核实", "verified"] {
            assert_eq!(read_verified(t), Some(true), "{t}");
        }
        for t in ["否", "n", "false", "0", "×", "✗", "未核实"] {
            assert_eq!(read_verified(t), Some(false), "{t}");
        }
        assert_eq!(read_verified("大概"), None);
    }

    #[test]
    fn ids_fall_back_to_a_stable_hash() {
        let p = parser(FeedbackKind::Complaint, &["投诉时间", "投诉内容"]);
        let a = row(&["2026-11-20 10:00", "客服挂我电话"]);
        let b = row(&["2026-11-20 10:00", "客服挂我电话"]);
        let c = row(&["2026-11-20 10:00", "客服挂我电话了"]);
        assert_eq!(p.parse(&a).unwrap().ext_id, p.parse(&b).unwrap().ext_id);
        assert_ne!(p.parse(&a).unwrap().ext_id, p.parse(&c).unwrap().ext_id);
        assert!(crate::identity::is_derived(&p.parse(&a).unwrap().ext_id));
        // Handling filled in later keeps the record's key (it is updated).
        let p = parser(
            FeedbackKind::Complaint,
            &["投诉时间", "投诉内容", "是否成立"],
        );
        let (a, b) = (
            row(&["2026-11-20 10:00", "客服挂我电话", ""]),
            row(&["2026-11-20 10:00", "客服挂我电话", "成立"]),
        );
        let (before, after) = (p.parse(&a).unwrap(), p.parse(&b).unwrap());
        assert_eq!(before.ext_id, after.ext_id);
        assert_ne!(before.hash, after.hash);
        assert_ne!(before.derived_key.unwrap().1, after.derived_key.unwrap().1);
    }

    #[test]
    fn an_excel_text_guard_is_read_as_its_text() {
        assert_eq!(field_text(r#"="013812345678""#), "013812345678");
        assert_eq!(field_text(r#" =" KF001 " "#), "KF001");
        assert_eq!(field_text(r#"="""#), "");
        // Not a guard: a formula, a lone `=`, text that only starts so.
        assert_eq!(field_text(r#"="态度"&"冷漠""#), r#"="态度"&"冷漠""#);
        assert_eq!(field_text("=1+1"), "=1+1");
        assert_eq!(field_text(r#"="abc"#), r#"="abc"#);
        let p = parser(
            FeedbackKind::Review,
            &[
                "评价ID",
                "评价时间",
                "评价等级",
                "评价内容",
                "客服工号",
                "手机号",
                "商品编码",
            ],
        );
        let guarded = row(&[
            r#"="E1""#,
            r#"="2026-11-22 09:05""#,
            r#"="1""#,
            "态度差",
            r#"="KF001""#,
            r#"="013812345678""#,
            r#"="00123""#,
        ]);
        let plain = row(&[
            "E1",
            "2026-11-22 09:05",
            "1",
            "态度差",
            "KF001",
            "013812345678",
            "00123",
        ]);
        let (g, p) = (p.parse(&guarded).unwrap(), p.parse(&plain).unwrap());
        assert_eq!(g.ext_id, "E1");
        assert_eq!(g.agent_id.as_deref(), Some("KF001"));
        assert_eq!(g.customer_phone.as_deref(), Some("013812345678"));
        assert_eq!(g.extra.as_deref(), Some(r#"{"商品编码":"00123"}"#));
        assert_eq!(g, p);
    }

    #[test]
    fn the_hash_covers_values_read_not_how_they_were_written() {
        let p = parser(
            FeedbackKind::Review,
            &["评价ID", "评价时间", "评价等级", "评价内容", "商品"],
        );
        let hash = |fields: &[&str]| p.parse(&row(fields)).unwrap().hash;
        let base = hash(&["T1", "2026/11/30 9:06:30", "差评", "回复慢", "耳机"]);
        // The same values written otherwise (as an .xlsx reads, spaced).
        assert_eq!(
            base,
            hash(&["T1", "2026-11-30 09:06:30", "差评 ", " 回复慢", "耳机"])
        );
        assert_eq!(
            base,
            hash(&[
                "T1",
                "2026年11月30日 09:06:30",
                "negative",
                "回复慢",
                "耳机"
            ])
        );
        // Any stored value that changes changes it.
        assert_ne!(
            base,
            hash(&["T1", "2026-11-30 09:06:31", "差评", "回复慢", "耳机"])
        );
        assert_ne!(
            base,
            hash(&["T1", "2026/11/30 9:06:30", "1", "回复慢", "耳机"])
        );
        assert_ne!(
            base,
            hash(&["T1", "2026/11/30 9:06:30", "差评", "回复慢了", "耳机"])
        );
        assert_ne!(
            base,
            hash(&["T1", "2026/11/30 9:06:30", "差评", "回复慢", "耳机2"])
        );
        assert_ne!(
            base,
            hash(&["T1", "2026/11/30 9:06:30", "差评", "回复慢", ""])
        );
        // A value moving to the next field is a change, not the same bytes.
        let q = parser(
            FeedbackKind::Review,
            &["评价时间", "评价内容", "客服", "差评原因"],
        );
        let (a, b) = (
            row(&["2026-11-30", "态度", "差", ""]),
            row(&["2026-11-30", "态度差", "", ""]),
        );
        assert_ne!(q.parse(&a).unwrap().hash, q.parse(&b).unwrap().hash);
    }

    #[test]
    fn a_clock_time_takes_its_date_from_the_date_column() {
        // The local time a row is read at, and its extra columns.
        let read = |p: &FeedbackParser, fields: &[&str]| {
            let r = row(fields);
            p.parse(&r).map(|rec| {
                let at = dates::local_datetime(rec.created_at, tz()).format("%Y-%m-%d %H:%M");
                (at.to_string(), rec.extra)
            })
        };
        let p = parser(
            FeedbackKind::Complaint,
            &["投诉编号", "日期", "时间", "投诉内容"],
        );
        assert_eq!(
            read(&p, &["S1", "2026-11-22", "09:05", "态度差"]),
            Ok(("2026-11-22 09:05".to_string(), None))
        );
        // An Excel date cell and a time-of-day cell, as the workbook reader writes them.
        assert_eq!(
            read(
                &p,
                &["S1", "2026-11-22 00:00:00", "1899-12-31 09:05:00", "态度差"]
            ),
            Ok(("2026-11-22 09:05".to_string(), None))
        );
        // A full timestamp in the time column wins; the date is kept as extra.
        assert_eq!(
            read(&p, &["S1", "2026-11-21", "2026-11-22 09:05", "态度差"]),
            Ok((
                "2026-11-22 09:05".to_string(),
                Some(r#"{"日期":"2026-11-21"}"#.to_string())
            ))
        );
        // No time: the date, from the start of the day.
        assert_eq!(
            read(&p, &["S1", "2026-11-22", "", "态度差"]),
            Ok(("2026-11-22 00:00".to_string(), None))
        );
        let e = read(&p, &["S1", "", "09:05", "态度差"]).unwrap_err();
        assert!(
            e.contains("clock time with no date (the date is empty)"),
            "{e}"
        );
        let e = read(&p, &["S1", "2026-13-01", "09:05", "态度差"]).unwrap_err();
        assert!(e.starts_with("created_date:"), "{e}");
        // A date column alone is the time.
        let p = parser(
            FeedbackKind::Complaint,
            &["投诉编号", "投诉日期", "投诉内容"],
        );
        assert_eq!(
            read(&p, &["S1", "2026/11/22", "态度差"]),
            Ok(("2026-11-22 00:00".to_string(), None))
        );
        // A clock time with no date column says where a date is looked for.
        let p = parser(FeedbackKind::Complaint, &["投诉编号", "时间", "投诉内容"]);
        let e = read(&p, &["S1", "09:05", "态度差"]).unwrap_err();
        assert!(e.contains("no date column: created_date, 评价日期"), "{e}");
    }

    #[test]
    fn a_column_of_ratings_under_an_unknown_header_is_named() {
        let h: Vec<String> = ["评价ID", "评价时间", "买家打分", "数量", "评价内容"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let map = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        let p = FeedbackParser::new(
            FeedbackKind::Review,
            &h,
            map,
            tz(),
            StarScale::default(),
            None,
        )
        .unwrap();
        let mut l = p.rating_lookalikes(&h).unwrap();
        assert_eq!(l.hint(), None);
        l.look_at(&row(&["1", "2026-11-22", "5", "2", "很好"]));
        l.look_at(&row(&["2", "2026-11-22", "1", "12", "态度差"]));
        l.look_at(&row(&["3", "2026-11-22", "", "1", "一般"]));
        let hint = l.hint().unwrap();
        assert!(
            hint.starts_with(
                r#"column "买家打分" holds only values that read as ratings (the first: "5");"#
            ),
            "{hint}"
        );
        assert!(hint.ends_with(r#"[columns] rating = "买家打分""#), "{hint}");
        // Complaints, or reviews with a rating column, need no such look.
        let p = parser(FeedbackKind::Review, &["评价时间", "星级：", "评价内容"]);
        assert!(p.rating_lookalikes(&[]).is_none());
        let p = parser(FeedbackKind::Complaint, &["投诉时间", "投诉内容"]);
        assert!(p.rating_lookalikes(&[]).is_none());
    }

    #[test]
    fn roster_event_and_activity_hashes_cover_values_read() {
        let h: Vec<String> = ["工号", "姓名", "入职日期", "备注"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let map = ColumnMap::build(&h, AGENT_FIELDS, &BTreeMap::new()).unwrap();
        let p = AgentParser::new(&h, map, tz()).unwrap();
        let a = p.parse(&row(&["KF001", "王芳", "2026/3/1", "x"])).unwrap();
        let b = p
            .parse(&row(&[r#"="KF001""#, "王芳 ", "2026-03-01 00:00:00", "x"]))
            .unwrap();
        assert_eq!(a, b);
        let c = p
            .parse(&row(&["KF001", "王芳", "2026-03-02", "x"]))
            .unwrap();
        assert_ne!(a.hash, c.hash);
        let d = p
            .parse(&row(&["KF001", "王芳", "2026-03-01", "y"]))
            .unwrap();
        assert_ne!(a.hash, d.hash);
    }

    #[test]
    fn missing_required_columns_are_file_errors() {
        let h: Vec<String> = vec!["商品名称".into(), "价格".into()];
        let map = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        let e = FeedbackParser::new(
            FeedbackKind::Review,
            &h,
            map,
            tz(),
            StarScale::default(),
            None,
        )
        .err()
        .unwrap();
        assert!(e.contains("no column matches"), "{e}");
    }
}
