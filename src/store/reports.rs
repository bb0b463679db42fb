//! SQL for reports: negative feedback in a range of local days, with filters,
//! streamed row by row (constant memory), and per-day counts answered from the
//! `feedback_by_day` index.

use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use crate::domain::{Cause, FeedbackKind};

/// The department of a feedback record: the export's, else the one its
/// agent had that day (the roster's history of moves, see schema v5), else
/// the roster's.
const DEPARTMENT: &str = "coalesce(f.department, \
     (SELECT h.department FROM agent_history h \
       WHERE h.agent_id = f.agent_id AND h.until_day >= f.local_day \
       ORDER BY h.until_day LIMIT 1), \
     a.department)";

/// Filters every report takes.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub kind: Option<FeedbackKind>,
    pub department: Option<String>,
    /// Agent id or name.
    pub agent: Option<String>,
    pub channel: Option<String>,
    pub cause: Option<Cause>,
}

impl Filters {
    /// Whether the report counts reviews, so that a negative rate (negative
    /// reviews / all reviews) applies: not when filtered to complaints.
    pub fn counts_reviews(&self) -> bool {
        self.kind != Some(FeedbackKind::Complaint)
    }

    /// SQL conditions (on `f` = feedback, `a` = agents) and their values.
    fn sql(&self, values: &mut Vec<Value>) -> String {
        let mut sql = String::new();
        if let Some(k) = self.kind {
            values.push(k.id().to_string().into());
            sql.push_str(&format!(" AND f.kind = ?{}", values.len()));
        }
        // Compared folded (京東 is 京东, 售後一組 售后一组: every spelling the
        // store holds); (none), the records without one.
        if let Some(d) = &self.department {
            if d == NONE {
                sql.push_str(&format!(" AND {DEPARTMENT} IS NULL"));
            } else {
                values.push(crate::domain::normalize_term(d).into());
                sql.push_str(&format!(" AND kefu_same({DEPARTMENT}, ?{})", values.len()));
            }
        }
        // An id the roster lacks in any case or width (KF099, kf099,
        // ＫＦ０９９), as reports count it, and as a name typed for it.
        if let Some(x) = &self.agent {
            values.push(x.clone().into());
            values.push(crate::domain::normalize_term(x).into());
            let (n, k) = (values.len() - 1, values.len());
            sql.push_str(&format!(
                " AND (f.agent_id = ?{n} OR coalesce(a.name, f.agent_name) = ?{n} \
                   OR kefu_same(f.agent_id, ?{k}) OR a.id IS NULL AND kefu_same(f.agent_name, ?{k}))"
            ));
        }
        if let Some(c) = &self.channel {
            if c == NONE {
                sql.push_str(" AND f.channel IS NULL");
            } else {
                values.push(crate::domain::normalize_term(c).into());
                sql.push_str(&format!(" AND kefu_same(f.channel, ?{})", values.len()));
            }
        }
        if let Some(c) = self.cause {
            values.push(c.id().to_string().into());
            sql.push_str(&format!(
                " AND coalesce(f.cause, 'other') = ?{}",
                values.len()
            ));
        }
        sql
    }

    /// True when the filters need the roster join.
    fn needs_agents(&self) -> bool {
        self.department.is_some() || self.agent.is_some()
    }
}

/// One negative feedback record, as reports see it.
#[derive(Debug, Clone, Default)]
pub struct Item {
    /// The store's row id: with the day and time, the order records were
    /// listed in (a counting report reads them in storage order).
    pub row_id: i64,
    pub created_at: i64,
    pub local_day: i64,
    pub kind: String,
    pub source: String,
    pub ext_id: String,
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    pub department: Option<String>,
    pub channel: Option<String>,
    /// Declared cause, else the automatic one; `None` when neither exists.
    pub cause: Option<String>,
    /// All automatic causes, `;`-separated.
    pub causes: Option<String>,
    pub content: Option<String>,
    pub customer: Option<String>,
    pub customer_phone: Option<String>,
    /// Whether a complaint was judged founded: `confirmed`, `rejected`
    /// (不成立), `pending`; `None` when nobody said (read when listed).
    pub validity: Option<String>,
}

/// How reports write a missing department or channel; as a filter value it
/// selects the records without one.
pub const NONE: &str = "(none)";

/// A filter value that nothing in the store has ever carried (a typo: 售前
/// for 售前组, 王方 for 王芳), which would make every report say "nothing":
/// which filter, the value, and the values the store knows (for a
/// department or channel; at most 20). `None` when every filter names
/// something known. The roster is asked first; feedback only when it does
/// not know the value. A department or channel is compared folded (售後一組
/// is 售后一组), and `(none)`, the records without one, is always known.
pub fn unknown_filter(
    conn: &Connection,
    filters: &Filters,
) -> Result<Option<(&'static str, String, Vec<String>)>> {
    let any = |sql: &str, v: &str| -> Result<bool> { Ok(conn.prepare_cached(sql)?.exists([v])?) };
    let known = |sql: &str| -> Result<Vec<String>> {
        let mut st = conn.prepare(sql)?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    if let Some(a) = &filters.agent {
        let found = any("SELECT 1 FROM agents WHERE id = ?1 OR name = ?1", a)?
            || any("SELECT 1 FROM feedback WHERE agent_id = ?1", a)?
            || any("SELECT 1 FROM feedback WHERE agent_name = ?1", a)?
            || any(
                "SELECT 1 FROM feedback WHERE kefu_same(agent_id, ?1) OR kefu_same(agent_name, ?1)",
                &crate::domain::normalize_term(a),
            )?;
        if !found {
            return Ok(Some(("agent", a.clone(), vec![])));
        }
    }
    if let Some(d) = filters.department.as_ref().filter(|d| *d != NONE) {
        let key = crate::domain::normalize_term(d);
        let found = any("SELECT 1 FROM agents WHERE kefu_same(department, ?1)", &key)?
            || any(
                "SELECT 1 FROM agent_history WHERE kefu_same(department, ?1)",
                &key,
            )?
            || any(
                "SELECT 1 FROM feedback WHERE kefu_same(department, ?1)",
                &key,
            )?;
        if !found {
            let values = known(
                "SELECT department FROM agents WHERE department IS NOT NULL \
                 UNION SELECT department FROM agent_history WHERE department IS NOT NULL \
                 UNION SELECT department FROM feedback WHERE department IS NOT NULL \
                 ORDER BY 1 LIMIT 20",
            )?;
            return Ok(Some(("department", d.clone(), values)));
        }
    }
    if let Some(c) = filters.channel.as_ref().filter(|c| *c != NONE) {
        if !any(
            "SELECT 1 FROM feedback WHERE kefu_same(channel, ?1)",
            &crate::domain::normalize_term(c),
        )? {
            let mut values = known(
                "SELECT DISTINCT channel FROM feedback WHERE channel IS NOT NULL ORDER BY 1 LIMIT 20",
            )?;
            if conn
                .prepare_cached("SELECT 1 FROM feedback WHERE channel IS NULL")?
                .exists([])?
            {
                values.push(NONE.into());
            }
            return Ok(Some(("channel", c.clone(), values)));
        }
    }
    Ok(None)
}

/// The departments the roster names, now or in its history of moves: the
/// spellings report tables group departments under.
pub fn roster_departments(conn: &Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare(
        "SELECT department FROM agents WHERE department IS NOT NULL \
         UNION SELECT department FROM agent_history WHERE department IS NOT NULL ORDER BY 1",
    )?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The keys ([`crate::domain::agent_key`]) of every roster agent's id and
/// names, current and former: reports mask an agent id or name that is not
/// one of them when it reads as personal data.
pub fn roster_agent_keys(conn: &Connection) -> Result<std::collections::HashSet<String>> {
    let mut st = conn.prepare(
        "SELECT id FROM agents UNION SELECT name FROM agents \
         UNION SELECT name FROM agent_other_names",
    )?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut keys = std::collections::HashSet::new();
    for r in rows {
        keys.insert(crate::domain::agent_key(&r?));
    }
    Ok(keys)
}

/// What a report reads of each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Every column, in time order: a report that lists the records.
    Listed,
    /// No text, customer or phone (they are `None`), in no particular order:
    /// a report that only counts. Sorting a year's records by time, with
    /// their texts, took a 2,500,000-row store's year of `causes` or
    /// `distribution` 8 s (found by exploratory testing).
    Counted,
}

/// Calls `f` for each negative feedback record on local days `[first, last]`
/// matching `filters`, in time order when `read` is [`Read::Listed`].
pub fn each_negative(
    conn: &Connection,
    first: i64,
    last: i64,
    filters: &Filters,
    read: Read,
    mut f: impl FnMut(&Item),
) -> Result<()> {
    let mut values: Vec<Value> = vec![first.into(), last.into()];
    let conditions = filters.sql(&mut values);
    let (texts, order) = match read {
        Read::Listed => (
            "f.content, f.customer, f.customer_phone, f.validity",
            "ORDER BY f.local_day, f.created_at, f.id",
        ),
        Read::Counted => ("NULL, NULL, NULL, NULL", ""),
    };
    let scan = if read == Read::Counted && holds_a_large_share(conn, first, last)? {
        "NOT INDEXED"
    } else {
        ""
    };
    let sql = format!(
        "SELECT f.created_at, f.local_day, f.kind, f.source, f.ext_id, f.agent_id, coalesce(a.name, f.agent_name),
                {DEPARTMENT}, f.channel, f.cause, f.auto_causes, f.id, {texts}
         FROM feedback f {scan} LEFT JOIN agents a ON a.id = f.agent_id
         WHERE f.local_day BETWEEN ?1 AND ?2 AND f.polarity = 'negative'{conditions}
         {order}"
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params_from_iter(values))?;
    let mut item = Item::default();
    while let Some(r) = rows.next()? {
        item.created_at = r.get(0)?;
        item.local_day = r.get(1)?;
        item.kind = r.get(2)?;
        item.source = r.get(3)?;
        item.ext_id = r.get(4)?;
        item.agent_id = r.get(5)?;
        item.agent_name = r.get(6)?;
        item.department = r.get(7)?;
        item.channel = r.get(8)?;
        item.cause = r.get(9)?;
        item.causes = r.get(10)?;
        item.row_id = r.get(11)?;
        item.content = r.get(12)?;
        item.customer = r.get(13)?;
        item.customer_phone = r.get(14)?;
        item.validity = r.get(15)?;
        f(&item);
    }
    Ok(())
}

/// The first local day any feedback is stored for, if any: where the
/// store's history begins (on the `feedback_by_day` index).
pub fn first_stored_day(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn.query_row("SELECT min(local_day) FROM feedback", [], |r| r.get(0))?)
}

/// The local days of `[first, last]` that hold any feedback record, of any
/// kind and rating, whatever a report's filters (on the day index).
pub fn days_with_records(
    conn: &Connection,
    first: i64,
    last: i64,
) -> Result<std::collections::HashSet<i64>> {
    days_where(conn, first, last, "")
}

/// The local days of `[first, last]` holding a record that meets `and`
/// (SQL after `AND`, or nothing).
fn days_where(
    conn: &Connection,
    first: i64,
    last: i64,
    and: &str,
) -> Result<std::collections::HashSet<i64>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT DISTINCT local_day FROM feedback WHERE local_day BETWEEN ?1 AND ?2{and}"
    ))?;
    let days = st.query_map([first, last], |r| r.get(0))?;
    Ok(days.collect::<rusqlite::Result<_>>()?)
}

/// The local days of `[first, last]` that hold a review rated other than
/// negative (see [`holds_other_ratings`]).
pub fn days_with_other_ratings(
    conn: &Connection,
    first: i64,
    last: i64,
) -> Result<std::collections::HashSet<i64>> {
    days_where(conn, first, last, " AND polarity != 'negative'")
}

/// Whether local days `[first, last]` hold a review rated other than
/// negative: the store is fed whole exports (every rating), so that a day
/// with nothing at all is an export missing; fed 差评-only exports or
/// complaint logs, such a day is a quiet one.
pub fn holds_other_ratings(conn: &Connection, first: i64, last: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM feedback WHERE local_day BETWEEN ?1 AND ?2 AND polarity != 'negative' LIMIT 1",
        )?
        .exists([first, last])?)
}

/// Whether local days `[first, last]` hold a quarter or more of the stored
/// feedback (counted on the `feedback_by_day` index): then reading the whole
/// table in storage order is faster than fetching each record through the
/// index. On a 2,500,000-row store imported out of time order, a year of
/// negative feedback through the index took 7.7 s (a page read a record),
/// the table 0.5 s; imported in time order (1,000,000 rows), a year 1.15 s
/// against 0.44 s, a quarter (23%) 0.21 s against 0.26 s.
fn holds_a_large_share(conn: &Connection, first: i64, last: i64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM feedback WHERE local_day BETWEEN ?1 AND ?2) * 4
              >= coalesce((SELECT max(id) FROM feedback), 0)",
        [first, last],
        |r| r.get(0),
    )?)
}

/// Counts per local day, kind, polarity and cause.
#[derive(Debug, Clone)]
pub struct DayCount {
    pub day: i64,
    pub kind: String,
    pub polarity: Option<String>,
    pub cause: Option<String>,
    pub n: i64,
}

/// Counts of all feedback on local days `[first, last]` by (day, kind,
/// polarity, cause), in one pass over the feedback_by_day index. Kind, cause
/// and polarity filters are left to the caller: with a condition on a middle
/// column of the index SQLite sorts every entry for the GROUP BY (7 s and
/// 500 MB on 10M rows); without one it streams the index in order, and one
/// scan answers both the negative counts and the negative rate's denominator.
pub fn day_counts(
    conn: &Connection,
    first: i64,
    last: i64,
    filters: &Filters,
) -> Result<Vec<DayCount>> {
    counts_by_day(conn, first, last, filters, false)
}

/// [`day_counts`] of the reviews from exports with no rating column
/// (stored as negative, `unrated`), which the negative rate leaves out:
/// through the partial index of those rows, so a store with none pays
/// nothing.
pub fn unrated_counts(
    conn: &Connection,
    first: i64,
    last: i64,
    filters: &Filters,
) -> Result<Vec<DayCount>> {
    counts_by_day(conn, first, last, filters, true)
}

fn counts_by_day(
    conn: &Connection,
    first: i64,
    last: i64,
    filters: &Filters,
    unrated_only: bool,
) -> Result<Vec<DayCount>> {
    // The partial index of such rows, named: the planner would otherwise
    // take feedback_by_day for the range and read every row in it.
    let (table, only) = if unrated_only {
        (
            "feedback f INDEXED BY feedback_unrated",
            " AND f.unrated = 1",
        )
    } else {
        ("feedback f", "")
    };
    let mut f = filters.clone();
    f.kind = None;
    f.cause = None;
    let mut values: Vec<Value> = vec![first.into(), last.into()];
    let conditions = f.sql(&mut values);
    let join = if f.needs_agents() {
        "LEFT JOIN agents a ON a.id = f.agent_id"
    } else {
        ""
    };
    let sql = format!(
        "SELECT f.local_day, f.kind, f.polarity, f.cause, count(*) FROM {table} {join}
         WHERE f.local_day BETWEEN ?1 AND ?2{only}{conditions}
         GROUP BY f.local_day, f.kind, f.polarity, f.cause"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(values), |r| {
        Ok(DayCount {
            day: r.get(0)?,
            kind: r.get(1)?,
            polarity: r.get(2)?,
            cause: r.get(3)?,
            n: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl DayCount {
    /// Negative feedback that passes the kind and cause filters.
    pub fn is_counted_negative(&self, filters: &Filters) -> bool {
        self.polarity.as_deref() == Some("negative")
            && filters.kind.is_none_or(|k| k.id() == self.kind)
            && filters
                .cause
                .is_none_or(|c| self.cause.as_deref().unwrap_or("other") == c.id())
    }

    /// A review (any rating): the negative rate's denominator. The
    /// numerator is the reviews [`Self::is_counted_negative`] counts: with
    /// `--cause attitude`, the share of reviews negative for their attitude.
    pub fn is_review(&self) -> bool {
        self.kind == "review"
    }
}
