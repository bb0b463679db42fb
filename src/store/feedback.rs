//! SQL for feedback (reviews and complaints): insert-or-update by
//! (source, ext_id) with change detection by hash.
//!
//! Records are written in batches: one `SELECT … IN (…)` finds which already
//! exist, one multi-row `INSERT` adds the new ones, and only changed records
//! get an `UPDATE` each. Per-statement overhead, not b-tree work, dominated
//! row-at-a-time imports; batching makes a re-import of an unchanged export a
//! handful of index probes per batch.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use anyhow::Result;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{params_from_iter, OptionalExtension, Transaction};

use crate::domain::{FeedbackKind, Polarity};
use crate::ingest::records::{FeedbackRecord, FileShape};

/// What storing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    New,
    Updated,
    Unchanged,
}

const COLUMNS: &str =
    "kind, source, ext_id, hash, created_at, local_day, channel, agent_id, agent_name, \
    department, polarity, stars, content, order_id, customer, customer_phone, declared_cause, \
    responsibility, validity, leader_id, extra, import_id, auto_cause, auto_causes, auto_evidence, cause, \
    naive_time, unrated";
const COLUMN_COUNT: usize = 28;
/// Rows per multi-row INSERT (64 × 28 = 1,792 parameters, well under SQLite's limit).
const INSERT_CHUNK: usize = 64;
/// Ids per existence lookup.
const LOOKUP_CHUNK: usize = 512;

/// Positions of the columns in [`COLUMNS`] that an update reads or keeps.
mod at {
    pub const HASH: usize = 3;
    pub const CREATED_AT: usize = 4;
    pub const LOCAL_DAY: usize = 5;
    pub const AGENT_ID: usize = 7;
    pub const AGENT_NAME: usize = 8;
    pub const POLARITY: usize = 10;
    pub const STARS: usize = 11;
    pub const CONTENT: usize = 12;
    pub const DECLARED_CAUSE: usize = 16;
    pub const EXTRA: usize = 20;
    pub const AUTO_CAUSE: usize = 22;
    pub const AUTO_EVIDENCE: usize = 24;
    pub const CAUSE: usize = 25;
    pub const NAIVE_TIME: usize = 26;
    pub const UNRATED: usize = 27;
    /// The columns that say what the record is: an update changing none of
    /// them changes nothing (the classifier's verdict follows the text).
    pub fn compared(i: usize) -> bool {
        (CREATED_AT..=EXTRA).contains(&i) || i == NAIVE_TIME || i == UNRATED
    }
}

/// An update writes the values [`merged`] gives (the row keeps its id and
/// first import; ?2 and ?3, source and id, are the row's already).
const UPDATE: &str = "UPDATE feedback SET
        kind = ?1, hash = ?4, created_at = ?5, local_day = ?6, channel = ?7,
        agent_id = ?8, agent_name = ?9, department = ?10, polarity = ?11, stars = ?12,
        content = ?13, order_id = ?14, customer = ?15, customer_phone = ?16, declared_cause = ?17,
        responsibility = ?18, validity = ?19, leader_id = ?20, extra = ?21, updated_import = ?22,
        auto_cause = ?23, auto_causes = ?24, auto_evidence = ?25, cause = ?26, naive_time = ?27,
        unrated = ?28
    WHERE id = ?29";

/// The values an update of the stored record `stored` (its [`COLUMNS`])
/// by `new` (the record's, as [`values`] gives them) writes, and whether it
/// kept any value the file did not have:
/// - a field the file has no column for (`shape`), and any extra column of
///   the stored record the file lacks, keep what the store holds; without
///   the text, the classifier's verdict on the stored text stays too;
/// - a record the export names by the same name alone keeps the agent it
///   was linked to (`by_name`): the roster may have changed since (a second
///   agent of that name, a new hire given a former name), and the link made
///   then is the one its points were counted by;
/// - a review a 差评-only export (no rating column) repeats keeps the
///   rating an export with ratings gave it (its stars while that said
///   negative too): it stays in the negative rate.
fn merged(
    stored: &[Value],
    new: [Sql<'_>; COLUMN_COUNT],
    shape: &FileShape,
    by_name: bool,
) -> (Vec<Value>, bool) {
    let mut out: Vec<Value> = new.into_iter().map(owned).collect();
    let mut kept = false;
    for field in &shape.lacks {
        // A value the record has all the same came from a key JSON Lines
        // revealed after the lines read ahead.
        let Some(i) = column_index(field).filter(|&i| out[i] == Value::Null) else {
            continue;
        };
        if stored[i] == Value::Null {
            continue;
        }
        kept = true;
        out[i] = stored[i].clone();
        if i == at::CONTENT {
            // The verdict on the stored text, or none where a review stored
            // as positive has none yet: the importer then classifies the
            // stored text.
            let verdict = at::AUTO_CAUSE..=at::AUTO_EVIDENCE;
            out[verdict.clone()].clone_from_slice(&stored[verdict]);
        }
    }
    if let Some(columns) = &shape.columns {
        let text = |v: &Value| match v {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        };
        let (extra, kept_some) = super::merge_extra(
            text(&stored[at::EXTRA]).as_deref(),
            text(&out[at::EXTRA]).as_deref(),
            |k| columns.contains(k),
        );
        kept |= kept_some;
        out[at::EXTRA] = extra.map_or(Value::Null, Value::Text);
    }
    if by_name
        && stored[at::AGENT_ID] != Value::Null
        && stored[at::AGENT_NAME] == out[at::AGENT_NAME]
    {
        out[at::AGENT_ID] = stored[at::AGENT_ID].clone();
    }
    let rated = |v: &Value| *v == Value::Integer(0);
    if out[at::UNRATED] == Value::Integer(1) && rated(&stored[at::UNRATED]) {
        if stored[at::POLARITY] == Value::Text(Polarity::Negative.id().to_string()) {
            out[at::STARS] = stored[at::STARS].clone();
        }
        out[at::UNRATED] = Value::Integer(0);
    }
    // The cause reports use: the declared one wins over the classifier's.
    out[at::CAUSE] = match &out[at::DECLARED_CAUSE] {
        Value::Null => out[at::AUTO_CAUSE].clone(),
        declared => declared.clone(),
    };
    (out, kept)
}

/// The position of the store column `name` in [`COLUMNS`].
fn column_index(name: &str) -> Option<usize> {
    COLUMNS.split(',').position(|c| c.trim() == name)
}

fn owned(v: Sql<'_>) -> Value {
    let from = |v: ValueRef<'_>| match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Integer(n),
        ValueRef::Real(x) => Value::Real(x),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    };
    match v {
        ToSqlOutput::Borrowed(v) => from(v),
        ToSqlOutput::Owned(v) => v,
        // `values` gives no other kind.
        _ => Value::Null,
    }
}

/// Whether writing `new` over `stored` changes what the record says: its
/// extra columns compared as a set (another order of the same columns is
/// the same record).
fn same_record(stored: &[Value], new: &[Value]) -> bool {
    (0..COLUMN_COUNT).filter(|&i| at::compared(i)).all(|i| {
        if i != at::EXTRA || stored[i] == new[i] {
            return stored[i] == new[i];
        }
        let object = |v: &Value| match v {
            Value::Text(text) => serde_json::from_str::<serde_json::Value>(text).ok(),
            _ => None,
        };
        matches!((object(&stored[i]), object(&new[i])), (Some(a), Some(b)) if a == b)
    })
}

/// A borrowed SQL value (no copy of the text).
type Sql<'a> = ToSqlOutput<'a>;

fn text(v: Option<&str>) -> Sql<'_> {
    ToSqlOutput::Borrowed(v.map_or(ValueRef::Null, |s| ValueRef::Text(s.as_bytes())))
}

fn int(v: i64) -> Sql<'static> {
    ToSqlOutput::Borrowed(ValueRef::Integer(v))
}

/// The 28 column values of a record, in [`COLUMNS`] order.
fn values<'a>(
    kind: FeedbackKind,
    source: &'a str,
    r: &'a FeedbackRecord<'_>,
    import_id: i64,
) -> [Sql<'a>; COLUMN_COUNT] {
    [
        text(Some(kind.id())),
        text(Some(source)),
        text(Some(&r.ext_id)),
        int(r.hash),
        int(r.created_at),
        int(r.local_day),
        text(r.channel.as_deref()),
        text(r.agent_id.as_deref()),
        text(r.agent_name.as_deref()),
        text(r.department.as_deref()),
        text(Some(r.polarity.id())),
        r.stars.map_or(text(None), |s| int(i64::from(s))),
        text(r.content.as_deref()),
        text(r.order_id.as_deref()),
        text(r.customer.as_deref()),
        text(r.customer_phone.as_deref()),
        text(r.declared_cause.map(|c| c.id())),
        text(r.responsibility.map(|c| c.id())),
        text(r.validity.map(|c| c.id())),
        text(r.leader_id.as_deref()),
        text(r.extra.as_deref()),
        int(import_id),
        text(r.auto.as_ref().map(|a| a.cause.id())),
        text(r.auto.as_ref().map(|a| a.causes.as_str())),
        text(r.auto.as_ref().map(|a| a.evidence.as_str())),
        // The cause reports use: the declared one wins over the classifier's.
        text(
            r.declared_cause
                .or(r.auto.as_ref().map(|a| a.cause))
                .map(|c| c.id()),
        ),
        int(i64::from(r.naive_time)),
        int(i64::from(r.unrated)),
    ]
}

fn placeholders(rows: usize, per_row: usize, first: usize) -> String {
    let mut sql = String::with_capacity(rows * per_row * 6);
    let mut n = first;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..per_row {
            if c > 0 {
                sql.push(',');
            }
            sql.push('?');
            sql.push_str(&n.to_string());
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// `SELECT` of the stored id and hash of `n` ids of one source, `n` a power
/// of two up to [`LOOKUP_CHUNK`] (see [`lookup_size`]), each built once:
/// formatting ~500 placeholders per batch showed in profiles, and so did
/// parsing a statement of a new size per batch (SQLite names numbered
/// parameters in time quadratic in their count).
fn lookup_sql(n: usize) -> &'static str {
    static SIZES: [OnceLock<String>; LOOKUP_SIZES] = [const { OnceLock::new() }; LOOKUP_SIZES];
    let build = |n: usize| {
        format!(
            "SELECT ext_id, id, hash, (import_id = ?{i} OR updated_import = ?{i}), kind
               FROM feedback WHERE source = ?1 AND ext_id IN ({})",
            (2..n + 2)
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(","),
            i = n + 2
        )
    };
    debug_assert!(n.is_power_of_two() && n <= LOOKUP_CHUNK);
    SIZES[n.trailing_zeros() as usize].get_or_init(|| build(n))
}

/// Statement sizes of the existence lookup: 1, 2, 4, … [`LOOKUP_CHUNK`].
const LOOKUP_SIZES: usize = LOOKUP_CHUNK.trailing_zeros() as usize + 1;

/// The lookup statement that holds `n` ids: the next power of two, so that a
/// handful of statements serve every batch from the statement cache (the
/// ids are padded by repeating the last, which `IN` ignores).
fn lookup_size(n: usize) -> usize {
    n.next_power_of_two().min(LOOKUP_CHUNK)
}

/// Multi-row `INSERT` of `n` records, `n` a power of two up to
/// [`INSERT_CHUNK`], each built once.
fn insert_sql(n: usize) -> &'static str {
    static SIZES: [OnceLock<String>; INSERT_SIZES] = [const { OnceLock::new() }; INSERT_SIZES];
    let build = |n: usize| {
        format!(
            "INSERT OR IGNORE INTO feedback ({COLUMNS}) VALUES {}",
            placeholders(n, COLUMN_COUNT, 1)
        )
    };
    debug_assert!(n.is_power_of_two() && n <= INSERT_CHUNK);
    SIZES[n.trailing_zeros() as usize].get_or_init(|| build(n))
}

/// Statement sizes of the multi-row insert: 1, 2, 4, … [`INSERT_CHUNK`].
const INSERT_SIZES: usize = INSERT_CHUNK.trailing_zeros() as usize + 1;

/// `SELECT` of a stored record's [`COLUMNS`] by row id.
fn stored_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| format!("SELECT {COLUMNS} FROM feedback WHERE id = ?1"))
}

/// A record's day, agent id, agent name and text, from its [`COLUMNS`].
fn parts(v: &[Value]) -> RecordParts {
    let text = |v: &Value| match v {
        Value::Text(t) => Some(t.clone()),
        _ => None,
    };
    let day = match v[at::LOCAL_DAY] {
        Value::Integer(d) => d,
        _ => 0,
    };
    (
        day,
        text(&v[at::AGENT_ID]),
        text(&v[at::AGENT_NAME]),
        text(&v[at::CONTENT]),
    )
}

/// Which stored records the file being imported wrote so far: those with a
/// rowid from `first_new` up (added by it), and `updated`, the rowids of
/// older ones it changed. An id repeated within one file is worth a
/// warning (two reviews sharing an id, one of them lost); the same record
/// in two overlapping exports of one import is not.
///
/// `moved` counts the records it updated into another day as other
/// records (see [`FileWrites::note_update`]), `moved_first` describes the
/// first few: an export that numbers its rows anew each day (a daily log's
/// 投诉编号 1, 2, …) overwrites the records of other days so, where a
/// correction changes the date or the rest, not both. Under `--replace`,
/// `replaced` is the register's period (first and last day): a record it
/// moves within the period is the register's truth, any other is counted
/// (found by exploratory testing: a register of
/// 2026-11-22 numbering its rows anew overwrote 2026-11-20's; a row dated
/// outside a month's register overwrote one of the month's).
#[derive(Debug, Default)]
pub struct FileWrites {
    pub first_new: i64,
    pub updated: HashSet<i64>,
    pub moved: usize,
    pub moved_first: Vec<String>,
    pub replaced: Option<(i64, i64)>,
    /// What the file has columns for: an update keeps the rest.
    pub shape: FileShape,
    /// The shape's [`FileShape::mark`].
    pub mark: i64,
}

/// A record's day, agent id, agent name and text.
type RecordParts = (i64, Option<String>, Option<String>, Option<String>);

impl FileWrites {
    /// A new file of `shape` starts: the table's next rowid is `first_new`.
    pub fn start(&mut self, first_new: i64, shape: FileShape) {
        self.first_new = first_new;
        self.mark = shape.mark();
        self.shape = shape;
        self.updated.clear();
        self.moved = 0;
        self.moved_first.clear();
    }

    /// Notes an update of a stored record (its day, agent and text as
    /// stored) into `new` (as updated), if it moves it to another day and
    /// makes it another record: another agent, or another text (a log
    /// sorted by agent numbers one agent's rows alike each day). A date
    /// corrected keeps both.
    fn note_update(&mut self, ext_id: &str, stored: RecordParts, new: RecordParts) {
        let (day, agent_id, agent_name, content) = stored;
        let (new_day, new_agent_id, new_agent_name, new_content) = new;
        // Compared as the roster compares them (KF099 is kf099, ＫＦ０９９).
        let agent = |id: Option<String>, name: Option<String>| id.or(name);
        let key = |a: &Option<String>| a.as_deref().map(crate::domain::agent_key);
        let was = agent(agent_id, agent_name);
        let now = agent(new_agent_id, new_agent_name);
        if day == new_day || key(&was) == key(&now) && content == new_content {
            return;
        }
        let date = crate::dates::date_of_day;
        self.note_moved(
            (day, new_day),
            format!(
                "{}: {} {} → {} {}",
                ext_id,
                date(day),
                was.as_deref().unwrap_or("(no agent)"),
                date(new_day),
                now.as_deref().unwrap_or("(no agent)")
            ),
        );
    }

    /// Counts a record moved from one day to another (`days`) as another
    /// record (`what` says how), keeping the first few descriptions; under
    /// `--replace`, not one moved between two days of the register's period.
    pub fn note_moved(&mut self, days: (i64, i64), what: String) {
        if self.replaced.is_some_and(|(first, last)| {
            (first..=last).contains(&days.0) && (first..=last).contains(&days.1)
        }) {
            return;
        }
        self.moved += 1;
        if self.moved_first.len() < 3 {
            self.moved_first.push(what);
        }
    }

    fn wrote(&self, id: i64) -> bool {
        id >= self.first_new || self.updated.contains(&id)
    }
}

/// Stores a batch of records of one kind and source; returns what happened to
/// each, in order. A record whose id repeats within the batch is compared with
/// the earlier one, as if imported after it. `repeats` gets the ids of the
/// records whose id an earlier record of the same file already had (it
/// replaced that one, or was the same): two different reviews sharing an id
/// in an export would otherwise leave one of them lost without a word.
pub fn upsert_batch(
    tx: &Transaction<'_>,
    kind: FeedbackKind,
    source: &str,
    records: &[FeedbackRecord<'_>],
    import_id: i64,
    file: &mut FileWrites,
    repeats: &mut Vec<String>,
) -> Result<Vec<Upsert>> {
    let mut out = Vec::with_capacity(records.len());
    let mut start = 0;
    let mut seen: HashSet<&str> = HashSet::with_capacity(records.len());
    let mut write = |records, out: &mut Vec<Upsert>| {
        write_distinct(tx, kind, source, records, import_id, file, out, repeats)
    };
    for (i, r) in records.iter().enumerate() {
        if !seen.insert(&r.ext_id) {
            write(&records[start..i], &mut out)?;
            seen.clear();
            seen.insert(&r.ext_id);
            start = i;
        }
    }
    write(&records[start..], &mut out)?;
    Ok(out)
}

/// [`upsert_batch`] for records whose ids are distinct.
#[allow(clippy::too_many_arguments)]
fn write_distinct(
    tx: &Transaction<'_>,
    kind: FeedbackKind,
    source: &str,
    records: &[FeedbackRecord<'_>],
    import_id: i64,
    file: &mut FileWrites,
    out: &mut Vec<Upsert>,
    repeats: &mut Vec<String>,
) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = records.iter().map(|r| &*r.ext_id).collect();
    let existing = stored_by(tx, source, &ids, import_id)?;
    let mut fresh: Vec<&FeedbackRecord<'_>> = Vec::with_capacity(records.len());
    for r in records {
        let found = existing.get(r.ext_id.as_ref());
        // Reviews and complaints of one source share its ids: one kind must
        // not overwrite the other (two exports both named jd-….csv).
        let complaint = kind == FeedbackKind::Complaint;
        if found.is_some_and(|s| s.complaint != complaint) {
            let (stored, this) = if complaint {
                ("review", "complaint")
            } else {
                ("complaint", "review")
            };
            anyhow::bail!(
                "source {source} already holds a {stored} with id {}, and this import has a {this} with that id: nothing was imported; give one of the two exports a source of its own (--source NAME)",
                r.ext_id
            );
        }
        if found.is_some_and(|s| s.this_import && file.wrote(s.id)) {
            repeats.push(r.ext_id.to_string());
        }
        match found {
            None => {
                fresh.push(r);
                out.push(Upsert::New);
            }
            Some(s) if s.hash == r.hash => out.push(Upsert::Unchanged),
            // Last written by a file of this shape with these values, with
            // what it kept (see `FileShape::mark`).
            Some(s) if s.hash == r.hash ^ file.mark => out.push(Upsert::Unchanged),
            Some(&Stored { id, .. }) => {
                let stored: Vec<Value> = tx
                    .prepare_cached(stored_sql())?
                    .query_row([id], |row| (0..COLUMN_COUNT).map(|i| row.get(i)).collect())?;
                let new = values(kind, source, r, import_id);
                let (mut new, kept) = merged(&stored, new, &file.shape, r.agent_by_name);
                // A record that kept values the file lacks is marked (see
                // `FileShape::mark`).
                let hash = if kept { r.hash ^ file.mark } else { r.hash };
                if same_record(&stored, &new) {
                    // The same record (its extra columns in another order,
                    // or a narrower export of it): its hash is this
                    // reading's, so that the next import of it finds it so.
                    tx.prepare_cached("UPDATE feedback SET hash = ?2 WHERE id = ?1")?
                        .execute([id, hash])?;
                    out.push(Upsert::Unchanged);
                    continue;
                }
                new[at::HASH] = Value::Integer(hash);
                if !file.wrote(id) {
                    // The text as the file has it: a text it keeps is no
                    // sign that the record is the same one (a daily export
                    // without text numbering its rows anew would take the
                    // other day's texts; found by regression testing).
                    let mut now = parts(&new);
                    if file.shape.lacks.contains(&"content") {
                        now.3 = r.content.as_deref().map(str::to_string);
                    }
                    file.note_update(&r.ext_id, parts(&stored), now);
                }
                tx.prepare_cached(UPDATE)?
                    .execute(params_from_iter(new.iter().chain([&Value::Integer(id)])))?;
                if id < file.first_new {
                    file.updated.insert(id);
                }
                out.push(Upsert::Updated);
            }
        }
    }
    // Chunks of 64 records, the rest in powers of two (37 = 32 + 4 + 1): a
    // handful of statements, each parsed once and then taken from the cache.
    let mut rest = &fresh[..];
    while !rest.is_empty() {
        let size = if rest.len() >= INSERT_CHUNK {
            INSERT_CHUNK
        } else {
            1 << rest.len().ilog2()
        };
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        // OR IGNORE: a statement that cannot abort needs no statement journal,
        // which otherwise costs a quarter of import time. The rows were checked
        // for existence and in-batch duplicates above, so every one must be
        // stored; the count below makes sure none was skipped.
        let mut st = tx.prepare_cached(insert_sql(chunk.len()))?;
        let params = chunk
            .iter()
            .flat_map(|r| values(kind, source, r, import_id));
        let stored = st.execute(params_from_iter(params))?;
        if stored != chunk.len() {
            anyhow::bail!(
                "the store refused {} of {} new records from source {source} (first id {}); nothing was imported",
                chunk.len() - stored,
                chunk.len(),
                chunk[0].ext_id
            );
        }
    }
    Ok(())
}

/// The stored row id and hash of each of `ids` (of one source) that is in
/// the store, as `conn` sees it: the import's writer inside its transaction,
/// its classifier thread on a connection of its own (as committed).
pub fn stored(
    conn: &rusqlite::Connection,
    source: &str,
    ids: &[&str],
) -> Result<HashMap<String, (i64, i64)>> {
    Ok(stored_by(conn, source, ids, 0)?
        .into_iter()
        .map(|(ext_id, s)| (ext_id, (s.id, s.hash)))
        .collect())
}

/// A stored record as an import sees it.
struct Stored {
    id: i64,
    hash: i64,
    /// Added or last changed by import `import_id` (this one).
    this_import: bool,
    /// A complaint, not a review.
    complaint: bool,
}

/// [`stored`], and whether import `import_id` stored each.
fn stored_by(
    conn: &rusqlite::Connection,
    source: &str,
    ids: &[&str],
    import_id: i64,
) -> Result<HashMap<String, Stored>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let size = lookup_size(chunk.len());
        let mut st = conn.prepare_cached(lookup_sql(size))?;
        let last = chunk[chunk.len() - 1];
        let padded = chunk
            .iter()
            .copied()
            .chain(std::iter::repeat_n(last, size - chunk.len()));
        let params = std::iter::once(text(Some(source)))
            .chain(padded.map(|id| text(Some(id))))
            .chain(std::iter::once(int(import_id)));
        let mut rows = st.query(params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            out.insert(
                row.get(0)?,
                Stored {
                    id: row.get(1)?,
                    hash: row.get(2)?,
                    this_import: row.get::<_, Option<bool>>(3)?.unwrap_or(false),
                    complaint: row.get_ref(4)?.as_str()? == FeedbackKind::Complaint.id(),
                },
            );
        }
    }
    Ok(out)
}

/// The feedback of one kind and `source` dated `first..=last` (local day
/// numbers), as (row id, id in the export): what a register re-imported
/// with `--replace` covers.
pub fn between(
    tx: &Transaction<'_>,
    kind: FeedbackKind,
    source: &str,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, String)>> {
    let mut st = tx.prepare(
        "SELECT id, ext_id FROM feedback
          WHERE local_day BETWEEN ?3 AND ?4 AND kind = ?1 AND source = ?2",
    )?;
    let rows = st.query_map(rusqlite::params![kind.id(), source, first, last], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many records of one kind and `source` dated `first..=last` have an
/// id kefu made (their export had none) and were stored before import
/// `import_id`. Answered at once for a source that has none.
pub fn derived_between(
    tx: &Transaction<'_>,
    kind: FeedbackKind,
    source: &str,
    first: i64,
    last: i64,
    import_id: i64,
) -> Result<i64> {
    let any: Option<i64> = tx
        .query_row(
            &format!("SELECT 1 FROM feedback WHERE source = ?1 AND {DERIVED_IDS} LIMIT 1"),
            [source],
            |r| r.get(0),
        )
        .optional()?;
    if any.is_none() {
        return Ok(0);
    }
    Ok(tx.query_row(
        &format!(
            "SELECT count(*) FROM feedback
              WHERE source = ?2 AND {DERIVED_IDS} AND kind = ?1
                AND local_day BETWEEN ?3 AND ?4 AND import_id <> ?5"
        ),
        rusqlite::params![kind.id(), source, first, last, import_id],
        |r| r.get(0),
    )?)
}

/// Ids kefu made ([`crate::identity`]): a range of the (source, ext_id)
/// index, then their shape (`k` and 16 hex digits, maybe `.2`).
pub const DERIVED_IDS: &str = "ext_id >= 'k0' AND ext_id < 'kg' AND length(ext_id) >= 17 \
    AND substr(ext_id, 2, 16) NOT GLOB '*[^0-9a-f]*'";

/// Removes feedback by row id.
pub fn remove(tx: &Transaction<'_>, ids: &[i64]) -> Result<()> {
    let mut st = tx.prepare_cached("DELETE FROM feedback WHERE id = ?1")?;
    for id in ids {
        st.execute([id])?;
    }
    Ok(())
}

/// Feedback an import added or changed that is dated after today.
pub struct DatedAfter {
    pub count: i64,
    /// The first of them by date: source, id in the export, local day.
    pub source: String,
    pub ext_id: String,
    pub day: i64,
}

/// Feedback this import added or changed that is dated after `today` (a
/// local day number), if any. Found through the day index (nearly always an
/// empty range).
pub fn dated_after(
    conn: &rusqlite::Connection,
    import_id: i64,
    today: i64,
) -> Result<Option<DatedAfter>> {
    let mut st = conn.prepare(
        "SELECT source, ext_id, local_day FROM feedback
          WHERE local_day > ?1 AND (import_id = ?2 OR updated_import = ?2)
          ORDER BY local_day, source, ext_id",
    )?;
    let mut rows = st.query(rusqlite::params![today, import_id])?;
    let mut found: Option<DatedAfter> = None;
    while let Some(row) = rows.next()? {
        match &mut found {
            Some(f) => f.count += 1,
            None => {
                found = Some(DatedAfter {
                    count: 1,
                    source: row.get(0)?,
                    ext_id: row.get(1)?,
                    day: row.get(2)?,
                })
            }
        }
    }
    Ok(found)
}

/// Sets the classifier's verdict on a stored record (and the cause reports
/// use, unless the export declared one).
pub fn set_auto_cause(
    tx: &Transaction<'_>,
    source: &str,
    ext_id: &str,
    auto: &crate::ingest::records::AutoCause,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE feedback SET auto_cause = ?3, auto_causes = ?4, auto_evidence = ?5,
                cause = coalesce(declared_cause, ?3)
         WHERE source = ?1 AND ext_id = ?2",
    )?
    .execute(rusqlite::params![
        source,
        ext_id,
        auto.cause.id(),
        auto.causes,
        auto.evidence
    ])?;
    Ok(())
}

/// The stored text of a record that has no automatic cause (`None`: it
/// has one, or there is no such record).
pub fn text_without_verdict(
    tx: &Transaction<'_>,
    source: &str,
    ext_id: &str,
) -> Result<Option<Option<String>>> {
    Ok(tx
        .prepare_cached(
            "SELECT content FROM feedback
              WHERE source = ?1 AND ext_id = ?2 AND auto_cause IS NULL",
        )?
        .query_row([source, ext_id], |r| r.get(0))
        .optional()?)
}

/// Number of feedback rows in the store.
pub fn count(conn: &rusqlite::Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM feedback", [], |r| r.get(0))?)
}

/// Stored feedback whose export declared a cause (差评原因): (text, cause),
/// for training.
pub fn declared_causes(store: &super::Store) -> Result<Vec<(String, crate::domain::Cause)>> {
    let mut st = store
        .conn
        .prepare("SELECT content, declared_cause FROM feedback WHERE declared_cause IS NOT NULL AND content IS NOT NULL")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = vec![];
    for row in rows {
        let (text, cause) = row?;
        if let Some(c) = crate::domain::Cause::parse(&cause) {
            out.push((text, c));
        }
    }
    Ok(out)
}

/// Classifies negative feedback (all of it with `all`, else only records with
/// no automatic cause yet) in one transaction, reading in chunks so memory
/// stays flat. Returns how many were classified.
pub fn classify_all(
    store: &mut super::Store,
    all: bool,
    classify: impl Fn(&str, &mut crate::classify::Scratch) -> crate::classify::Verdict,
) -> Result<u64> {
    const CHUNK: i64 = 10_000;
    let tx = store.begin_write()?;
    let mut last_id = 0i64;
    let mut done = 0u64;
    let mut scratch = crate::classify::Scratch::default();
    loop {
        let chunk: Vec<(i64, String)> = {
            let mut st = tx.prepare_cached(
                "SELECT id, coalesce(content, '') FROM feedback
                 WHERE id > ?1 AND polarity = 'negative' AND (?2 OR auto_cause IS NULL)
                 ORDER BY id LIMIT ?3",
            )?;
            let rows = st.query_map(rusqlite::params![last_id, all, CHUNK], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let Some(&(last, _)) = chunk.last() else {
            break;
        };
        last_id = last;
        let mut up = tx.prepare_cached(
            "UPDATE feedback SET auto_cause = ?2, auto_causes = ?3, auto_evidence = ?4,
                 cause = coalesce(declared_cause, ?2) WHERE id = ?1",
        )?;
        for (id, text) in &chunk {
            let v = classify(text, &mut scratch);
            up.execute(rusqlite::params![
                id,
                v.cause.id(),
                v.causes_text(),
                v.evidence_text()
            ])?;
            done += 1;
        }
    }
    tx.commit()?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_from_first() {
        assert_eq!(super::placeholders(2, 2, 1), "(?1,?2),(?3,?4)");
    }
}
