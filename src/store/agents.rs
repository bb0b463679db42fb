//! SQL for the roster: upsert by agent id, resolving what exports name
//! (an id, or a name unique on the roster, compared in their
//! [`agent_key`] form) to roster ids, linking group leaders and feedback
//! that named an agent only by name.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::feedback::Upsert;
use crate::domain::{agent_key, agent_key_in_its_script};
use crate::ingest::records::AgentRecord;

/// Copies the roster (agents and their department and leader history) of
/// the store at `from` into `conn`'s empty store, both at this kefu's schema
/// version: `report --input` links names and knows departments as a report
/// from the workspace's store does. Returns how many agents it copied.
pub fn copy_roster(conn: &Connection, from: &std::path::Path) -> Result<usize> {
    conn.execute("ATTACH DATABASE ?1 AS workspace", [from.to_string_lossy()])?;
    let copied = conn
        .execute_batch(
            "INSERT INTO agents SELECT * FROM workspace.agents;
             INSERT INTO agent_history SELECT * FROM workspace.agent_history;
             INSERT INTO agent_other_names SELECT * FROM workspace.agent_other_names;",
        )
        .and_then(|()| conn.query_row("SELECT count(*) FROM agents", [], |r| r.get::<_, i64>(0)));
    conn.execute_batch("DETACH DATABASE workspace")?;
    Ok(copied? as usize)
}

/// The agents on the roster with no leaving date: (id, name), by id.
pub fn active(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut st = conn.prepare("SELECT id, name FROM agents WHERE left_on IS NULL ORDER BY id")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What a roster row did to an agent's employment besides the usual update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stint {
    /// Re-hired under the same id after leaving (返聘): the employment that
    /// ended is kept as an earlier one, and the new one began on `rejoined`.
    Rehired {
        joined: Option<NaiveDate>,
        left: NaiveDate,
        rejoined: NaiveDate,
    },
    /// A row of an earlier employment (it ended before the current one
    /// began: an old roster imported after the re-hire's), or one that
    /// corrects an earlier employment's dates: kept as such, the agent's
    /// current row left as it is.
    Earlier {
        joined: Option<NaiveDate>,
        left: NaiveDate,
    },
    /// A row of an earlier employment that gives no 离职日期, and none
    /// known ends where it begins: nothing is changed (the day it ended is
    /// not known).
    EarlierWithoutEnd { joined: NaiveDate },
    /// The 入职日期 moved later with no 离职日期 known: the current employment
    /// now begins on `now`, the days from `was` no longer count (a re-hire
    /// whose leaving was never imported, or a corrected 入职日期).
    Restarted { was: NaiveDate, now: NaiveDate },
    /// The 入职日期 moved earlier with no 离职日期: taken as a correction of
    /// the current employment (it may be an earlier employment's row, an
    /// old roster imported after a re-hire's, which kefu cannot tell).
    JoinedEarlier { was: NaiveDate, now: NaiveDate },
    /// The 离职日期 kefu held cleared by a row of the same employment
    /// without one (a leave cancelled, or an older roster imported after the
    /// leaving row, which kefu cannot tell).
    Reopened { left: NaiveDate },
}

impl Stint {
    /// The day a new department or leader the row gives takes effect, when
    /// the row has no 调岗日期: the day the agent (re)joined.
    pub fn effective(&self) -> Option<NaiveDate> {
        match self {
            Stint::Rehired { rejoined, .. } => Some(*rejoined),
            Stint::Restarted { now, .. } => Some(*now),
            Stint::Earlier { .. }
            | Stint::EarlierWithoutEnd { .. }
            | Stint::JoinedEarlier { .. }
            | Stint::Reopened { .. } => None,
        }
    }
}

/// The roster's ids by [`crate::domain::agent_key`], read once per import
/// and kept as rows are stored: a roster row that spells an agent's id
/// otherwise (kf001 or ＫＦ００１ for KF001, 2001.0 for 2001) is that agent's,
/// as feedback links to it, not a new one (found by exploratory testing:
/// each became a second agent, paid a second bonus).
#[derive(Default)]
pub struct RosterKeys {
    by_key: HashMap<String, Vec<(String, String)>>,
}

impl RosterKeys {
    /// The ids and names the roster holds.
    pub fn load(tx: &Transaction<'_>) -> Result<RosterKeys> {
        let mut keys = RosterKeys::default();
        let mut st = tx.prepare("SELECT id, name FROM agents ORDER BY id")?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            keys.note(&row.get::<_, String>(0)?, &row.get::<_, String>(1)?);
        }
        Ok(keys)
    }

    /// The id the roster has for `id` when it spells it otherwise; `None`
    /// when it has `id` as written, or no agent of that key. Of two stored
    /// agents of one key (kept apart by an earlier kefu), the one named
    /// `name`, else neither (found by regression testing: the other's row
    /// was overwritten).
    pub fn spelled_otherwise(&self, id: &str, name: &str) -> Option<String> {
        let found = self.by_key.get(&crate::domain::agent_key(id))?;
        if found.iter().any(|(stored, _)| stored == id) {
            return None;
        }
        match &found[..] {
            [(one, _)] => Some(one.clone()),
            several => several
                .iter()
                .find(|(_, n)| crate::domain::agent_key(n) == crate::domain::agent_key(name))
                .map(|(id, _)| id.clone()),
        }
    }

    /// Notes an agent stored as `id`, named `name`.
    pub fn note(&mut self, id: &str, name: &str) {
        let found = self.by_key.entry(crate::domain::agent_key(id)).or_default();
        match found.iter_mut().find(|(stored, _)| stored == id) {
            Some(entry) => entry.1 = name.to_string(),
            None => found.push((id.to_string(), name.to_string())),
        }
    }
}

/// An agent as the roster holds them.
struct Stored {
    hash: i64,
    name: String,
    joined: Option<String>,
    left: Option<String>,
    /// Department and leader.
    assignment: Assignment,
    extra: Option<String>,
}

/// A department and a group leader.
type Assignment = (Option<String>, Option<String>);

/// What storing a roster row did.
#[derive(Debug)]
pub struct RosterRow {
    pub outcome: Upsert,
    pub stint: Option<Stint>,
    /// Whether the row's 调岗日期 dates a move of the current employment
    /// (its department and leader are the roster's now): not for a row of
    /// another employment, nor for one already kept as an earlier move.
    pub dates_move: bool,
    /// Whether the row is of an earlier employment (kept, corrected or
    /// already known): with the current one's row, no repeat.
    pub of_earlier: bool,
    /// The day a row without a 调岗日期 dates its department and leader
    /// from: its 入职日期, where the roster knew none (a 调岗单 brought the
    /// agent first, and this is the roster of the days before it).
    pub dated_from: Option<NaiveDate>,
}

/// Inserts or updates a roster entry; says when the row re-hires the agent,
/// is of an earlier employment, or restarts the current one (see [`Stint`]).
///
/// Roster files come in any order (last year's after this year's, a cron
/// replaying them all), so a row is read against what is known of the
/// agent's employments: a row whose 入职日期 falls in an earlier employment
/// (or before its end) is about that one and corrects it; one that ended
/// before the current employment began is an earlier one; one that joined
/// on or after the day the agent left is a re-hire; anything else updates
/// the current employment.
pub fn upsert(tx: &Transaction<'_>, a: &AgentRecord, import_id: i64) -> Result<RosterRow> {
    let existing: Option<Stored> = tx
        .prepare_cached(
            "SELECT hash, name, joined_on, left_on, department, leader_id, extra
               FROM agents WHERE id = ?1",
        )?
        .query_row([&a.id], |r| {
            Ok(Stored {
                hash: r.get(0)?,
                name: r.get(1)?,
                joined: r.get(2)?,
                left: r.get(3)?,
                assignment: (r.get(4)?, r.get(5)?),
                extra: r.get(6)?,
            })
        })
        .optional()?;
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let parse = |d: &Option<String>| d.as_deref().and_then(|d| d.parse::<NaiveDate>().ok());
    // The roster's other columns, a column the sheet lacks kept.
    let extra = super::merge_extra(
        existing.as_ref().and_then(|e| e.extra.as_deref()),
        a.extra.as_deref(),
        |k| a.extra_columns.iter().any(|c| c == k),
    )
    .0;
    let row_of = |outcome, stint: Option<Stint>, dates_move| RosterRow {
        outcome,
        of_earlier: matches!(
            stint,
            Some(Stint::Earlier { .. } | Stint::EarlierWithoutEnd { .. })
        ),
        stint,
        dates_move,
        dated_from: None,
    };
    let mut stint = None;
    if let Some(e) = &existing {
        let current = &e.assignment;
        // The row's department and leader, a column it lacks the roster's.
        let row: Assignment = (
            if a.has[0] {
                a.department.clone()
            } else {
                current.0.clone()
            },
            if a.has[1] {
                a.leader_id.clone()
            } else {
                current.1.clone()
            },
        );
        if e.hash == a.hash {
            return Ok(row_of(Upsert::Unchanged, None, row == *current));
        }
        let (jc, lc) = (parse(&e.joined), parse(&e.left));
        let jr = a.joined_on.filter(|_| a.has[2]);
        let lr = a.left_on.filter(|_| a.has[3]);
        let earlier = stints_of(tx, &a.id)?;
        let last_end = earlier.iter().map(|(_, l)| *l).max();
        // About an earlier employment: its 入职日期 on or before the end of
        // one (not the current one's: a re-hire on the day they left), or
        // its 离职日期 before the current one began, or on that day when it
        // began earlier (a re-hire on the day they left, the leaving row
        // imported after the re-hire's: found by exploratory testing).
        let of_earlier = jr
            .zip(last_end)
            .is_some_and(|(j, e)| j <= e && Some(j) != jc)
            || lr
                .zip(jc)
                .is_some_and(|(l, c)| l < c || (l == c && jr.is_some_and(|j| j < c)));
        if of_earlier {
            // The one it began on, else the one its 入职日期 falls in (a
            // same-day re-hire's employment begins on the day one ends).
            let found = jr.and_then(|j| {
                earlier
                    .iter()
                    .find(|(sj, _)| *sj == Some(j))
                    .or_else(|| {
                        // Not one that ended on the row's 入职日期: the
                        // row is the re-hire on the day they left (found
                        // by exploratory testing).
                        earlier
                            .iter()
                            .find(|(sj, sl)| sj.is_none_or(|sj| sj <= j) && j < *sl)
                    })
                    .copied()
            });
            let kept = match (found, lr) {
                // The same employment, its dates as the row gives them.
                (Some((_, old_left)), _) => {
                    let new_left = lr.unwrap_or(old_left);
                    let n = tx
                        .prepare_cached(
                            "UPDATE OR REPLACE agent_stints SET joined_on = ?3, left_on = ?4
                              WHERE agent_id = ?1 AND left_on = ?2
                                AND (joined_on IS NOT ?3 OR left_on <> ?4)",
                        )?
                        .execute(params![
                            a.id,
                            old_left.to_string(),
                            date(jr),
                            new_left.to_string()
                        ])?;
                    (n > 0).then_some(new_left)
                }
                (None, Some(l)) => {
                    let n = tx
                        .prepare_cached(
                            "INSERT INTO agent_stints (agent_id, joined_on, left_on) VALUES (?1, ?2, ?3)
                             ON CONFLICT (agent_id, left_on) DO UPDATE SET joined_on = excluded.joined_on
                              WHERE joined_on IS NOT excluded.joined_on",
                        )?
                        .execute(params![a.id, date(jr), l.to_string()])?;
                    (n > 0).then_some(l)
                }
                (None, None) => {
                    let joined = jr.unwrap_or_default();
                    let stint = Stint::EarlierWithoutEnd { joined };
                    return Ok(row_of(Upsert::Unchanged, Some(stint), false));
                }
            };
            let Some(left) = kept else {
                return Ok(RosterRow {
                    of_earlier: true,
                    ..row_of(Upsert::Unchanged, None, false)
                });
            };
            // Its department and leader: from its 调岗日期 on (to the next
            // move kept: the days after it ended keep the last held), or
            // for its last days, unless a move kept says otherwise.
            let moved_on = a
                .changed_on
                .filter(|d| *d <= left && jr.is_none_or(|j| *d > j) && a.has[0] && a.has[1]);
            let backdated = match moved_on {
                Some(d) => backdate(
                    tx,
                    &a.id,
                    crate::dates::day_number(d) - 1,
                    &row,
                    (&current.0, &current.1),
                )?
                .is_some(),
                None => false,
            };
            if !backdated {
                // To the day before the next employment began: the days
                // between keep the last department and leader held.
                // (One beginning on the day this one ended, a same-day
                // re-hire, has that day.)
                let next = earlier
                    .iter()
                    .filter_map(|(j, _)| *j)
                    .chain(jc)
                    .filter(|j| *j > left || (*j == left && Some(*j) != jr))
                    .min();
                let last = next.and_then(|n| n.pred_opt()).unwrap_or(left);
                // Whether an employment began before it.
                let employed_before = jr.is_some_and(|j| {
                    earlier
                        .iter()
                        .filter(|s| Some(**s) != found)
                        .any(|(sj, sl)| *sl < j || sj.is_some_and(|sj| sj < j))
                });
                keep_assignment(tx, a, (jr, employed_before, last), row, current)?;
            }
            let stint = Stint::Earlier { joined: jr, left };
            return Ok(row_of(Upsert::Updated, Some(stint), false));
        }
        match (lc, jr, jc) {
            // Re-hired: joined again on or after the day they left.
            (Some(l), Some(j), c) if j >= l && c.is_none_or(|c| j > c) => {
                tx.prepare_cached(
                    "INSERT INTO agent_stints (agent_id, joined_on, left_on) VALUES (?1, ?2, ?3)
                     ON CONFLICT (agent_id, left_on) DO UPDATE SET joined_on = excluded.joined_on",
                )?
                .execute(params![a.id, date(jc), l.to_string()])?;
                // The earlier employment keeps its department and leader:
                // those of its last day (a move since, dated after they
                // left, is the new employment's).
                let held = assignment_on(tx, &a.id, l)?.unwrap_or_else(|| current.clone());
                keep_assignment(tx, a, (None, false, j.pred_opt().unwrap_or(j)), held, &row)?;
                stint = Some(Stint::Rehired {
                    joined: jc,
                    left: l,
                    rejoined: j,
                });
            }
            (None, Some(j), Some(c)) if j > c => {
                stint = Some(Stint::Restarted { was: c, now: j });
            }
            (_, Some(j), Some(c)) if j < c && lr.is_none() => {
                stint = Some(Stint::JoinedEarlier { was: c, now: j });
            }
            (Some(l), j, c) if a.has[3] && lr.is_none() && (j.is_none() || j == c) => {
                stint = Some(Stint::Reopened { left: l });
            }
            _ => {}
        }
        if stint.is_none() {
            // A row that changes nothing the roster holds (a sheet imported
            // again, the hash of another sheet's row stored since).
            let same = |stored: &Option<String>, given: Option<String>, has: bool| {
                !has || *stored == given
            };
            if e.name == a.name
                && row == *current
                && same(&e.joined, date(a.joined_on), a.has[2])
                && same(&e.left, date(a.left_on), a.has[3])
                && e.extra == extra
            {
                return Ok(row_of(Upsert::Unchanged, None, true));
            }
            // A 调岗 row already kept as a move, a later one since (the
            // sheet imported again): nothing changes.
            let same_dates = (!a.has[2] || a.joined_on == jc) && (!a.has[3] || a.left_on == lc);
            if let Some(day) = a.changed_on.filter(|_| a.has[0] || a.has[1]) {
                if same_dates
                    && row != *current
                    && assignment_on(tx, &a.id, day)?.as_ref() == Some(&row)
                {
                    return Ok(row_of(Upsert::Unchanged, None, false));
                }
            }
        }
    }
    // A rename keeps the old name: exports written before it still name
    // the agent so (see [`Lookup::load`]).
    if let Some(old) = existing
        .as_ref()
        .map(|e| &e.name)
        .filter(|old| **old != a.name)
    {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO agent_other_names (agent_id, name) VALUES (?1, ?2)",
        )?
        .execute(params![a.id, old])?;
    }
    // A column the file does not have leaves the stored value; a re-hire
    // clears the day they left (a row without the column is still at work).
    let rehired = matches!(stint, Some(Stint::Rehired { .. }));
    tx.prepare_cached(
        "INSERT INTO agents (id, name, department, leader_id, joined_on, left_on, extra, hash, import_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name,
            department = CASE WHEN ?10 THEN excluded.department ELSE agents.department END,
            leader_id = CASE WHEN ?11 THEN excluded.leader_id ELSE agents.leader_id END,
            joined_on = CASE WHEN ?12 THEN excluded.joined_on ELSE agents.joined_on END,
            left_on = CASE WHEN ?13 THEN excluded.left_on ELSE agents.left_on END,
            extra = excluded.extra, hash = excluded.hash",
    )?
    .execute(params![
        a.id,
        a.name,
        a.department,
        a.leader_id,
        date(a.joined_on),
        date(a.left_on),
        extra,
        a.hash,
        import_id,
        a.has[0],
        a.has[1],
        a.has[2],
        a.has[3] || rehired
    ])?;
    // A new agent whose row dates its department from a 调岗日期 after they
    // joined: the days before are of a move not known yet, kept apart (a
    // boundary, the row's values on both sides), so that the earlier
    // roster's row, when it comes, fills them as a move dated before a later
    // one (found by permutation testing: this year's roster imported before
    // last year's made last year's department the current one).
    if existing.is_none() && (a.has[0] || a.has[1]) {
        if let Some(day) = a.changed_on.filter(|d| a.joined_on.is_none_or(|j| *d > j)) {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO agent_history (agent_id, until_day, department, leader_id)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                a.id,
                crate::dates::day_number(day) - 1,
                a.department,
                a.leader_id
            ])?;
        }
    }
    let outcome = if existing.is_some() {
        Upsert::Updated
    } else {
        Upsert::New
    };
    let dates_move = stint.is_none();
    // An agent a 调岗单 brought (no 入职日期 known), then a roster row with
    // one and no 调岗日期: that roster is of the days before the move kept
    // (found by exploratory testing: it became a move dated today).
    // (Only where the department or leader differs: the same ones date no
    // move, and would re-date the 调岗单's.)
    let dated_from = existing
        .as_ref()
        .filter(|e| e.joined.is_none() && a.changed_on.is_none() && a.has[2])
        .filter(|e| {
            (a.has[0] && a.department != e.assignment.0)
                || (a.has[1] && a.leader_id != e.assignment.1)
        })
        .and(a.joined_on);
    Ok(RosterRow {
        dated_from,
        ..row_of(outcome, stint, dates_move)
    })
}

/// Keeps `held` (an earlier employment's department and leader) as what
/// the agent had on `last_day` and the days before it back to the previous
/// kept move, unless those days show it already: those of the first kept
/// move after it, else `after` (what the roster holds once the row is
/// stored). A row with neither column says nothing of it.
///
/// With the employment's first day (`span.0`), where the days it ends are
/// one stretch with days before it began (an employment between two
/// others, or one whose 调岗单 came first, its row imported last), the
/// employment's days take `held`, to its first kept move if it has one
/// (the row is then of the days before that move), and, where an
/// employment began before it (`span.1`), the days before keep what they
/// showed (found by exploratory testing: they kept another employment's
/// department and leader, or gave it theirs).
fn keep_assignment(
    tx: &Transaction<'_>,
    a: &AgentRecord,
    span: (Option<NaiveDate>, bool, NaiveDate),
    held: Assignment,
    after: &Assignment,
) -> Result<()> {
    if !a.has[0] && !a.has[1] {
        return Ok(());
    }
    let (first_day, employed_before, last_day) = span;
    let last = crate::dates::day_number(last_day);
    let shown_on = |day: i64| -> Result<Assignment> {
        Ok(assignment_on(tx, &a.id, crate::dates::date_of_day(day))?
            .unwrap_or_else(|| after.clone()))
    };
    let keep = |day: i64, values: &Assignment| -> Result<()> {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO agent_history (agent_id, until_day, department, leader_id)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![a.id, day, values.0, values.1])?;
        Ok(())
    };
    if let Some(first) = first_day
        .map(crate::dates::day_number)
        .filter(|f| *f <= last)
    {
        // The employment's first kept move (before its last day), and the
        // last one kept before it began.
        let (inside, previous): (Option<i64>, Option<i64>) = tx
            .prepare_cached(
                "SELECT (SELECT min(until_day) FROM agent_history
                          WHERE agent_id = ?1 AND until_day >= ?2 AND until_day < ?3),
                        (SELECT max(until_day) FROM agent_history
                          WHERE agent_id = ?1 AND until_day < ?2)",
            )?
            .query_row(params![a.id, first, last], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let end = inside.unwrap_or(last);
        let spans = previous.is_none_or(|p| p < first - 1);
        if spans || inside.is_some() {
            if spans && employed_before {
                let before = shown_on(first - 1)?;
                if before != held {
                    keep(first - 1, &before)?;
                }
            }
            if shown_on(end)? != held {
                keep(end, &held)?;
            }
            return Ok(());
        }
    }
    if shown_on(last)? != held {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO agent_history (agent_id, until_day, department, leader_id)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![a.id, last, held.0, held.1])?;
    }
    Ok(())
}

/// Agent `id`'s 入职日期 (of the current employment), if known.
fn joined_on(tx: &Transaction<'_>, id: &str) -> Result<Option<NaiveDate>> {
    let joined: Option<String> = tx
        .prepare_cached("SELECT joined_on FROM agents WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(joined.and_then(|j| j.parse::<NaiveDate>().ok()))
}

/// Whether agent `id` has no kept move.
fn no_move_kept(tx: &Transaction<'_>, id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM agent_history WHERE agent_id = ?1 LIMIT 1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_none())
}

/// Whether agent `id`'s last kept move took effect in their current
/// employment (on or after its 入职日期, or no 入职日期 known).
fn last_move_in_employment(tx: &Transaction<'_>, id: &str) -> Result<bool> {
    let (last, joined): (Option<i64>, Option<String>) = tx
        .prepare_cached(
            "SELECT (SELECT max(until_day) FROM agent_history WHERE agent_id = ?1),
                    (SELECT joined_on FROM agents WHERE id = ?1)",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let joined = joined.and_then(|j| j.parse::<NaiveDate>().ok());
    Ok(match (last, joined) {
        (Some(last), Some(j)) => last + 1 >= crate::dates::day_number(j),
        _ => true,
    })
}

/// The department and leader a kept move gives agent `id` on `day`, if
/// one covers it (else the roster's current ones hold).
fn assignment_on(tx: &Transaction<'_>, id: &str, day: NaiveDate) -> Result<Option<Assignment>> {
    Ok(tx
        .prepare_cached(
            "SELECT department, leader_id FROM agent_history
              WHERE agent_id = ?1 AND until_day >= ?2 ORDER BY until_day LIMIT 1",
        )?
        .query_row(params![id, crate::dates::day_number(day)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

/// An agent's earlier employments: (joined, left), oldest first.
fn stints_of(tx: &Transaction<'_>, id: &str) -> Result<Stints> {
    let rows = tx
        .prepare_cached(
            "SELECT joined_on, left_on FROM agent_stints WHERE agent_id = ?1 ORDER BY left_on",
        )?
        .query_map([id], |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(j, l)| Some((j.and_then(|j| j.parse().ok()), l.parse().ok()?)))
        .collect())
}

/// An agent's earlier employments (see [`Stint`]): (joined, left), oldest
/// first.
pub type Stints = Vec<(Option<NaiveDate>, NaiveDate)>;

/// Each agent's earlier employments, by id.
pub fn earlier_stints(conn: &Connection) -> Result<HashMap<String, Stints>> {
    let mut st = conn.prepare(
        "SELECT agent_id, joined_on, left_on FROM agent_stints ORDER BY agent_id, left_on",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out: HashMap<String, Vec<_>> = HashMap::new();
    for row in rows {
        let (id, joined, left) = row?;
        let Ok(left) = left.parse::<chrono::NaiveDate>() else {
            continue;
        };
        let joined = joined.and_then(|j| j.parse().ok());
        out.entry(id).or_default().push((joined, left));
    }
    Ok(out)
}

/// Every agent's employments, oldest first, the roster's current one last
/// (an open end as `NaiveDate::MAX`), by id: what [`outside_employment`]
/// reads. Taken before and after a roster import to see whose dates it
/// changed.
pub fn employments(conn: &Connection) -> Result<HashMap<String, Stints>> {
    let mut all = earlier_stints(conn)?;
    let mut st = conn.prepare("SELECT id, joined_on, left_on FROM agents")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    for row in rows {
        let (id, joined, left) = row?;
        let date = |d: Option<String>| d.and_then(|d| d.parse::<NaiveDate>().ok());
        all.entry(id)
            .or_default()
            .push((date(joined), date(left).unwrap_or(NaiveDate::MAX)));
    }
    Ok(all)
}

/// Each agent's department and leader as the roster holds them now.
pub type Assignments = HashMap<String, (Option<String>, Option<String>)>;

/// The roster's departments and leaders, before an import changes them.
pub fn assignments(tx: &Transaction<'_>) -> Result<Assignments> {
    let mut st = tx.prepare("SELECT id, department, leader_id FROM agents")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Keeps, for each agent whose department or leader the import changed
/// (compared once leaders are linked: a leader written by name is no
/// change), what they had until the day before the change took effect:
/// `effective` (the roster's 调岗日期), else `rejoined` (the day a re-hire began),
/// else `today`; and, for an agent not
/// moved again whose 调岗日期 changed, moves their last move to that day (a
/// corrected date); a move dated before a later one already kept fills
/// the days between them (see [`backdate`]). Returns the agents moved, those
/// whose move was re-dated and those whose move was backdated ([`Moves`]).
pub fn keep_history(
    tx: &Transaction<'_>,
    before: &Assignments,
    effective: &HashMap<String, chrono::NaiveDate>,
    rejoined: &HashMap<String, chrono::NaiveDate>,
    today: chrono::NaiveDate,
    lookup: &Lookup,
) -> Result<Moves> {
    let now = assignments(tx)?;
    let (mut moved, mut redated, mut backdated) = (vec![], vec![], vec![]);
    // A second change on one day keeps the values from before the first.
    let mut insert = tx.prepare(
        "INSERT OR IGNORE INTO agent_history (agent_id, until_day, department, leader_id)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    // A corrected 调岗日期 for a move already kept (the department and
    // leader unchanged since): the move takes effect on the corrected day.
    let mut redate = tx.prepare(
        "UPDATE OR REPLACE agent_history SET until_day = ?2
          WHERE agent_id = ?1 AND until_day <> ?2
            AND until_day = (SELECT max(until_day) FROM agent_history WHERE agent_id = ?1)",
    )?;
    let mut count_ending =
        tx.prepare("SELECT count(*) FROM agent_history WHERE agent_id = ?1 AND until_day >= ?2")?;
    for (id, (department, leader)) in before {
        let Some(current) = now.get(id) else { continue };
        // A leader written by name and only now linked to their id (the
        // leaders' sheet imported after the agents') is no move.
        let leader_linked = leader.as_ref().is_some_and(|l| {
            !before.contains_key(l) && lookup.find(l).map(String::as_str) == current.1.as_deref()
        });
        let unchanged_leader = current.1 == *leader || leader_linked;
        // A move dated before an employment began (an earlier employment's
        // 调岗单, a cron catching up) is of the days up to it alone: the
        // later employments keep what they had (found by exploratory
        // testing: the earlier employment's move ran on into the re-hire).
        // Those days are kept apart first: up to the first employment to
        // begin after its date (the current one, or an earlier one).
        let dated = effective.get(id).copied();
        let (next_start, joined) = match dated {
            Some(day) => {
                let joined = joined_on(tx, id)?;
                let next = stints_of(tx, id)?
                    .iter()
                    .filter_map(|(j, _)| *j)
                    .chain(joined)
                    .filter(|j| *j > day)
                    .min();
                (next, joined)
            }
            None => (None, None),
        };
        if let Some(next) = next_start {
            let end = crate::dates::day_number(next) - 1;
            let (d, l) = assignment_on(tx, id, next.pred_opt().unwrap_or(next))?
                .unwrap_or_else(|| (department.clone(), leader.clone()));
            insert.execute(params![id, end, d, l])?;
        }
        if current.0 == *department && unchanged_leader {
            if let Some(day) = &dated {
                let until = crate::dates::day_number(*day) - 1;
                // The same department and leader, of an earlier employment:
                // from its date, as any move (its date kept where those
                // days show it already, so that the employment's roster
                // row, when it comes, keeps the days before).
                if next_start.is_some() {
                    match backdate(tx, id, until, current, (department, leader))? {
                        Some(Some(next)) => {
                            backdated.push((id.clone(), *day, next));
                            moved.push((id.clone(), *day));
                        }
                        _ => {
                            insert.execute(params![id, until, current.0, current.1])?;
                        }
                    }
                    continue;
                }
                // A date before the move ahead of the last is no correction
                // of the last move's: a move of its own, to the days up to
                // the next one kept.
                let crossed: i64 = count_ending.query_row(params![id, until], |r| r.get(0))?;
                if crossed > 1 {
                    if let Some(Some(next)) =
                        backdate(tx, id, until, current, (department, leader))?
                    {
                        backdated.push((id.clone(), *day, next));
                        moved.push((id.clone(), *day));
                    }
                } else if last_move_in_employment(tx, id)?
                    && redate.execute(params![id, until])? > 0
                {
                    // (A last move before the current employment began is
                    // an earlier employment's, not this one to correct.)
                    redated.push((id.clone(), *day));
                } else if no_move_kept(tx, id)? && joined.is_none_or(|j| *day > j) {
                    // The first dated move, to what the roster holds now
                    // (a move back, its sheet before the move away): its
                    // date is kept as a boundary, the same values on both
                    // sides, so that a move dated before it, when it
                    // comes, ends there (found by exploratory testing: the
                    // move away became the current one).
                    insert.execute(params![id, until, current.0, current.1])?;
                }
            }
            continue;
        }
        let day = dated.or(rejoined.get(id).copied()).unwrap_or(today);
        let until = crate::dates::day_number(day) - 1;
        match backdate(tx, id, until, current, (department, leader))? {
            Some(Some(next)) => backdated.push((id.clone(), day, next)),
            // Again (a sheet imported before): the days hold it already.
            Some(None) => continue,
            None => {
                insert.execute(params![id, until, department, leader])?;
            }
        }
        moved.push((id.clone(), day));
    }
    moved.sort();
    redated.sort();
    backdated.sort();
    Ok((moved, redated, backdated))
}

/// A move dated before a later one already kept (调岗 sheets imported out
/// of date order): the days from it to the next change get the new
/// department and leader, the days before keep theirs, and the roster's
/// current ones (`before`, from the later move) are put back. Returns
/// `None` when no later move is kept (an ordinary move), else the day of
/// the next change, `None` inside when the days from the move held the new
/// department and leader already (the sheet imported again). `until` is the
/// last day before the move; `new` what the import wrote.
fn backdate(
    tx: &Transaction<'_>,
    id: &str,
    until: i64,
    new: &(Option<String>, Option<String>),
    before: (&Option<String>, &Option<String>),
) -> Result<Option<Option<chrono::NaiveDate>>> {
    let rows: Vec<(i64, Option<String>, Option<String>)> = tx
        .prepare_cached(
            "SELECT until_day, department, leader_id FROM agent_history
              WHERE agent_id = ?1 ORDER BY until_day",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if rows.last().is_none_or(|last| last.0 <= until) {
        return Ok(None);
    }
    let mut set = tx.prepare_cached(
        "UPDATE agent_history SET department = ?3, leader_id = ?4
          WHERE agent_id = ?1 AND until_day = ?2",
    )?;
    // The kept span the move falls in: the first that ends on or after it.
    let j = rows.iter().position(|r| r.0 >= until).unwrap_or(0);
    // What the move's first day holds now.
    let held = if rows[j].0 == until {
        rows.get(j + 1).map(|r| (&r.1, &r.2))
    } else {
        Some((&rows[j].1, &rows[j].2))
    };
    let restore = tx
        .prepare_cached("UPDATE agents SET department = ?2, leader_id = ?3 WHERE id = ?1")?
        .execute(params![id, before.0, before.1]);
    if held == Some((&new.0, &new.1)) {
        restore?;
        return Ok(Some(None));
    }
    let changed_until = if rows[j].0 == until {
        // The move starts the next span (one already begins that day).
        let next = rows.get(j + 1).map_or(rows[j].0, |r| r.0);
        set.execute(params![id, next, new.0, new.1])?;
        next
    } else {
        tx.prepare_cached(
            "INSERT INTO agent_history (agent_id, until_day, department, leader_id)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, until, rows[j].1, rows[j].2])?;
        set.execute(params![id, rows[j].0, new.0, new.1])?;
        rows[j].0
    };
    restore?;
    Ok(Some(Some(crate::dates::date_of_day(changed_until + 1))))
}

/// Of `moved`, those whose move is dated on a day the agent was on the
/// roster in no employment: (id, day, why: see [`Outside`]).
pub fn moves_outside_employment(
    tx: &Transaction<'_>,
    moved: &[(String, NaiveDate)],
) -> Result<Vec<(String, NaiveDate, String)>> {
    let mut st = tx.prepare_cached("SELECT joined_on, left_on FROM agents WHERE id = ?1")?;
    let mut out = vec![];
    for (id, day) in moved {
        let (joined, left): (Option<String>, Option<String>) =
            st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let date = |d: Option<String>| d.and_then(|d| d.parse::<NaiveDate>().ok());
        let mut spans = stints_of(tx, id)?;
        spans.push((date(joined), date(left).unwrap_or(NaiveDate::MAX)));
        if let Some(outside) = outside_employment(&spans, *day) {
            out.push((id.clone(), *day, outside.why("they")));
        }
    }
    Ok(out)
}

/// Where a day lies that is in none of an agent's employments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outside {
    /// Before the first employment began (its 入职日期).
    Before(NaiveDate),
    /// After the last employment ended (its 离职日期).
    After(NaiveDate),
    /// Between two employments: the day one ended and the day the next began.
    Between(NaiveDate, NaiveDate),
}

impl Outside {
    /// Why, of `who` ("they", an agent's id).
    pub fn why(&self, who: &str) -> String {
        match self {
            Outside::Before(j) => format!("before {who} joined ({j})"),
            Outside::After(l) => format!("after {who} left ({l})"),
            Outside::Between(l, j) => {
                format!("between two employments of {who} (left {l}, re-hired {j})")
            }
        }
    }
}

/// Where `day` lies when it is in none of `spans` (an agent's employments,
/// (joined, left), oldest first; an open end as `NaiveDate::MAX`); `None`
/// when it is in one.
pub fn outside_employment(
    spans: &[(Option<NaiveDate>, NaiveDate)],
    day: NaiveDate,
) -> Option<Outside> {
    if spans
        .iter()
        .any(|(j, l)| j.is_none_or(|j| j <= day) && day <= *l)
    {
        return None;
    }
    let first = spans.iter().filter_map(|(j, _)| *j).min();
    if let Some(j) = first.filter(|j| day < *j) {
        return Some(Outside::Before(j));
    }
    let left_before = spans.iter().map(|(_, l)| *l).filter(|l| *l < day).max();
    let joined_after = spans
        .iter()
        .filter_map(|(j, _)| *j)
        .filter(|j| *j > day)
        .min();
    match (left_before, joined_after) {
        (Some(l), Some(j)) => Some(Outside::Between(l, j)),
        (Some(l), None) => Some(Outside::After(l)),
        _ => None,
    }
}

/// Agents moved, and agents whose move was re-dated: (id, effective day);
/// and of the moved, those whose move came before a later one already
/// kept: (id, effective day, the later move's day).
pub type Moves = (
    Vec<(String, chrono::NaiveDate)>,
    Vec<(String, chrono::NaiveDate)>,
    Vec<(String, chrono::NaiveDate, chrono::NaiveDate)>,
);

/// Group leaders' ids (组长工号) that are not on the roster themselves, with
/// how many agents name each: joint liability would charge someone HR
/// cannot find. Run after [`link_leaders`], so that what is left is neither
/// an id nor a name unique on the roster.
pub fn leaders_not_on_roster(tx: &Transaction<'_>) -> Result<Vec<(String, i64)>> {
    let mut st = tx.prepare(
        "SELECT leader_id, count(*) FROM agents
          WHERE leader_id IS NOT NULL AND leader_id <> ''
            AND leader_id NOT IN (SELECT id FROM agents)
          GROUP BY leader_id ORDER BY leader_id",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A name (in its [`agent_key`] form) that several agents on the roster share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedName {
    /// The name as the roster writes it (each way, when they differ:
    /// 王芳 and 王　芳).
    pub names: Vec<String>,
    /// The agents who have it, in id order.
    pub ids: Vec<String>,
    /// Only in Simplified characters: the roster writes two names (鍾明,
    /// 鐘明), each found as written; only the Simplified form (钟明) is
    /// shared.
    pub by_script_only: bool,
}

impl SharedName {
    /// The names as written, `王芳 / 王　芳`.
    pub fn written(&self) -> String {
        self.names.join(" / ")
    }
}

/// The roster as imports resolve what an export names: an agent's id, or a
/// name only one agent has, both compared in their [`agent_key`] form (an id
/// as written wins, then an id in that form, then a name).
#[derive(Debug, Default)]
pub struct Lookup {
    /// Roster ids by id as written, by id's key and by unique name's key.
    pub ids: HashMap<String, String>,
    /// Names several agents share, by key: nothing naming only them links.
    pub shared: BTreeMap<String, SharedName>,
    /// Roster ids by the key of another name the agent was known by (a
    /// former name), when no agent has it now and no other agent had it.
    pub former: HashMap<String, String>,
    /// Every agent once known by a name, by the name's key (whether or not
    /// another agent has it now).
    pub once_named: BTreeMap<String, Vec<String>>,
    /// Each agent's first and last day on the roster (local day numbers),
    /// where the roster gives them: a name several agents had is theirs who
    /// was there on a record's day ([`Lookup::find_on`]).
    pub on_roster: HashMap<String, Employment>,
    /// Each agent's id and current name, by id: for "did you mean" hints.
    pub names: Vec<(String, String)>,
}

/// The days an agent was on the roster, as local day numbers: (joined,
/// left) of the current employment, then of any earlier ones (see
/// [`Stint`]); a bound not known is open.
#[derive(Debug, Clone, Default)]
pub struct Employment(Vec<(Option<i64>, Option<i64>)>);

impl Employment {
    /// Whether the agent was on the roster on local day `day`.
    pub fn on(&self, day: i64) -> bool {
        self.0
            .iter()
            .any(|(joined, left)| joined.is_none_or(|j| j <= day) && left.is_none_or(|l| day <= l))
    }
}

impl Lookup {
    /// Reads the roster (a few thousand agents at most: held in memory).
    pub fn load(conn: &Connection) -> Result<Lookup> {
        let mut st = conn.prepare("SELECT id, name, joined_on, left_on FROM agents ORDER BY id")?;
        let mut on_roster = HashMap::new();
        let stints = earlier_stints(conn)?;
        let day = |d: Option<String>| {
            d.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                .map(crate::dates::day_number)
        };
        let roster = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(id, name, joined, left)| {
                let mut spans = vec![(day(joined), day(left))];
                if let Some(earlier) = stints.get(&id) {
                    spans.extend(earlier.iter().map(|(j, l)| {
                        (
                            j.map(crate::dates::day_number),
                            Some(crate::dates::day_number(*l)),
                        )
                    }));
                }
                on_roster.insert(id.clone(), Employment(spans));
                (id, name)
            })
            .collect::<Vec<_>>();
        let mut ids: HashMap<String, String> = roster
            .iter()
            .map(|(id, _)| (id.clone(), id.clone()))
            .collect();
        let mut id_keys: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        // Names by their key as written, then by their key with Traditional
        // characters read as Simplified: 陳靜 finds the roster's 陈静, but
        // 鍾明 and 鐘明 (both 钟明) are each found as written.
        let mut written_keys: BTreeMap<String, Vec<(&str, &str)>> = BTreeMap::new();
        let mut name_keys: BTreeMap<String, Vec<(&str, &str)>> = BTreeMap::new();
        for (id, name) in &roster {
            id_keys.entry(agent_key(id)).or_default().push(id);
            written_keys
                .entry(agent_key_in_its_script(name))
                .or_default()
                .push((id, name));
            name_keys
                .entry(agent_key(name))
                .or_default()
                .push((id, name));
        }
        for (key, found) in id_keys {
            if let [id] = found[..] {
                ids.entry(key).or_insert_with(|| id.to_string());
            }
        }
        let mut shared = BTreeMap::new();
        for (key, found) in &written_keys {
            if let [(id, _)] = found[..] {
                ids.entry(key.clone()).or_insert_with(|| id.to_string());
            }
        }
        for (key, found) in name_keys {
            if let [(id, _)] = found[..] {
                ids.entry(key).or_insert_with(|| id.to_string());
            } else if !ids.contains_key(&key) {
                let mut names: Vec<String> = vec![];
                for (_, name) in &found {
                    if !names.iter().any(|n| n == name) {
                        names.push(name.to_string());
                    }
                }
                let by_script_only = found
                    .iter()
                    .all(|(_, name)| written_keys[&agent_key_in_its_script(name)].len() == 1);
                let ids = found.iter().map(|(id, _)| id.to_string()).collect();
                shared.insert(
                    key,
                    SharedName {
                        names,
                        ids,
                        by_script_only,
                    },
                );
            }
        }
        // Other names (a former name): found where no id or current name
        // is, and only when one agent had it.
        let mut st =
            conn.prepare("SELECT agent_id, name FROM agent_other_names ORDER BY agent_id")?;
        let others = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut other_keys: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for (id, name) in &others {
            let mut keys = vec![agent_key_in_its_script(name), agent_key(name)];
            keys.dedup();
            for key in keys {
                let ids_of = other_keys.entry(key).or_default();
                if !ids_of.contains(&id.as_str()) {
                    ids_of.push(id);
                }
            }
        }
        let once_named: BTreeMap<String, Vec<String>> = other_keys
            .into_iter()
            .map(|(key, found)| (key, found.iter().map(|id| id.to_string()).collect()))
            .collect();
        let former = once_named
            .iter()
            .filter(|(key, _)| !ids.contains_key(*key) && !shared.contains_key(*key))
            .filter_map(|(key, found)| match &found[..] {
                [id] => Some((key.clone(), id.clone())),
                _ => None,
            })
            .collect();
        Ok(Lookup {
            ids,
            shared,
            former,
            once_named,
            on_roster,
            names: roster,
        })
    }

    /// ` (did you mean 张伟 (KF003)?)`: the agents whose id or name is
    /// nearest to a `text` the roster does not know, or nothing.
    pub fn did_you_mean(&self, text: &str) -> String {
        let shown = |id: &str, name: &str| format!("{name} ({id})");
        let candidates = self.names.iter().flat_map(|(id, name)| {
            [
                (id.as_str(), shown(id, name)),
                (name.as_str(), shown(id, name)),
            ]
        });
        crate::domain::did_you_mean(&crate::domain::nearest(text, candidates))
    }

    /// The roster id `text` names, if it names exactly one agent: by an id
    /// or current name, else by a former name ([`Lookup::find_former`]).
    pub fn find(&self, text: &str) -> Option<&String> {
        let text = self.as_named(text);
        find(&self.ids, text).or_else(|| self.find_former(text))
    }

    /// `text` as the roster would name it: a platform's sub-account name
    /// (店铺名:阿杰, as 千牛 and 京麦 write who served a customer) is the
    /// name after its colon, when the whole names no one and that part
    /// names someone (or several).
    fn as_named<'t>(&self, text: &'t str) -> &'t str {
        let knows = |t: &str| {
            find(&self.ids, t).is_some()
                || self.shared.contains_key(&agent_key(t))
                || !self.others_once_named(t, "").is_empty()
        };
        match text.rsplit_once([':', '：']) {
            Some((shop, nick)) if !shop.trim().is_empty() && !knows(text) => {
                let nick = nick.trim();
                if !nick.is_empty() && knows(nick) {
                    nick
                } else {
                    text
                }
            }
            _ => text,
        }
    }

    /// The roster id `text` names for a record of local day `day`: as
    /// [`Lookup::find`], except where a name was several agents': the one
    /// on the roster that day (where the roster gives dates) among those
    /// who share it, or, when the agent who has it now had not joined yet
    /// (or had left), the one agent who had it before and was there. A name
    /// no other agent ever had is found as by `find`, whatever the day.
    pub fn find_on(&self, text: &str, day: i64) -> Option<&String> {
        let text = self.as_named(text);
        let found = self.find(text);
        if self.once_named.is_empty() && self.shared.is_empty() {
            return found;
        }
        let there = |id: &String| self.on_roster.get(id).is_none_or(|e| e.on(day));
        match found {
            // An id, or a name whose holder was there that day.
            Some(id) if there(id) || *id == text => Some(id),
            Some(id) => {
                let before: Vec<&String> = self
                    .others_once_named(text, id)
                    .into_iter()
                    .filter(|o| there(o))
                    .collect();
                match before[..] {
                    [other] => Some(other),
                    _ => Some(id),
                }
            }
            // A name several agents share now, or several had before: the
            // one there that day.
            None => {
                let candidates: Vec<&String> = match self.shared(text) {
                    Some(shared) => shared.ids.iter().collect(),
                    None => self.others_once_named(text, ""),
                };
                let mut present = candidates.into_iter().filter(|id| there(id));
                match (present.next(), present.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            }
        }
    }

    /// Every agent `text` may have meant at some time, when that is more
    /// than one (a name two agents share, or one had before another): for
    /// a stored record named so, which of them it already is. Empty for a
    /// name only one agent ever had, and for an id.
    pub fn ever_named(&self, text: &str) -> Vec<&String> {
        let text = self.as_named(text);
        if self.on_roster.contains_key(text) {
            return vec![];
        }
        let mut all = self.others_once_named(text, "");
        if let Some(shared) = self.shared(text) {
            all.extend(shared.ids.iter());
        }
        if let Some(id) = find(&self.ids, text) {
            all.push(id);
        }
        all.sort();
        all.dedup();
        if all.len() < 2 {
            all.clear();
        }
        all
    }

    /// Whether `text` is the current name of several agents on the roster
    /// on local day `day` (so that it names none of them that day).
    pub fn shared_on(&self, text: &str, day: i64) -> bool {
        self.shared(text).is_some_and(|shared| {
            shared
                .ids
                .iter()
                .filter(|id| self.on_roster.get(*id).is_none_or(|e| e.on(day)))
                .count()
                > 1
        })
    }

    /// The agents other than `id` once known by the name `text` (a name
    /// that is now `id`'s, or several agents' former name).
    pub fn others_once_named(&self, text: &str, id: &str) -> Vec<&String> {
        if self.once_named.is_empty() {
            return vec![];
        }
        let mut keys = vec![agent_key_in_its_script(text), agent_key(text)];
        keys.dedup();
        let mut out: Vec<&String> = keys
            .iter()
            .filter_map(|k| self.once_named.get(k))
            .flatten()
            .filter(|other| *other != id)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The roster id of the one agent once known by `text`, which is no
    /// agent's id or current name.
    pub fn find_former(&self, text: &str) -> Option<&String> {
        if self.former.is_empty() || find(&self.ids, text).is_some() {
            return None;
        }
        find(&self.former, text)
    }

    /// The roster id `--agent TEXT` names: `Ok(None)` when it names no one
    /// on the roster, a usage error when it is a name several agents share.
    pub fn resolve(&self, text: &str) -> Result<Option<&String>> {
        if let Some(id) = self.find(text) {
            return Ok(Some(id));
        }
        match self.shared(text) {
            Some(shared) => Err(crate::error::Usage(format!(
                "{text:?} is the name of {} agents ({}): give the id",
                shared.ids.len(),
                shared.ids.join(", ")
            ))
            .into()),
            None => Ok(None),
        }
    }

    /// The agents `text` may name, when it is a name several of them share
    /// (and not an id).
    pub fn shared(&self, text: &str) -> Option<&SharedName> {
        if self.shared.is_empty() {
            return None;
        }
        self.shared.get(&agent_key(self.as_named(text)))
    }
}

/// The roster id `text` names in `ids` (a [`Lookup`]'s): as written, else
/// in its key in its own script, else in its [`agent_key`] form.
pub fn find<'a>(ids: &'a HashMap<String, String>, text: &str) -> Option<&'a String> {
    ids.get(text)
        .or_else(|| ids.get(&agent_key_in_its_script(text)))
        .or_else(|| ids.get(&agent_key(text)))
}

/// Whether `text`, which names agent `id`, is that id in another form
/// (`2001.0`, `２００１`) rather than their name.
fn is_id_form(text: &str, id: &str) -> bool {
    text == id || agent_key(text) == agent_key(id)
}

/// Gives a group leader (组长工号) written as something other than a roster
/// id the id it names: a name only one agent has (组长 = 周杰), or an id in
/// another form (`2010.0`). Run after the whole roster is imported, so that
/// the order of the rows does not matter. Returns how many agents' leader
/// was linked.
pub fn link_leaders(tx: &Transaction<'_>, lookup: &Lookup) -> Result<usize> {
    let leaders: Vec<String> = tx
        .prepare(
            "SELECT DISTINCT leader_id FROM agents
              WHERE leader_id IS NOT NULL AND leader_id <> ''
                AND leader_id NOT IN (SELECT id FROM agents)",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut linked = 0;
    for leader in leaders {
        if let Some(id) = lookup.find(&leader) {
            linked += tx
                .prepare_cached("UPDATE agents SET leader_id = ?1 WHERE leader_id = ?2")?
                .execute(params![id, leader])?;
        }
    }
    Ok(linked)
}

/// Gives feedback that names an agent only by name, or by an id in another
/// form, the roster id it names, where the name is unique on the roster: a
/// name alone (王　芳 on the roster, 王芳 in the export), an id written
/// otherwise (`2001.0`), or a name in the id column (客服工号 = 王芳), which
/// then becomes the record's name if it had none. Returns how many records
/// were linked, and the row ids of those that could be charged (the
/// `feedback_charges` index), whose agent's employment no import checked.
pub fn link_feedback_by_name(
    tx: &Transaction<'_>,
    lookup: &Lookup,
) -> Result<(usize, HashSet<i64>)> {
    let mut linked = 0;
    let mut charges = HashSet::new();
    // One pass over the records with a name and no agent, in chunks of the
    // table's order: a query per name read them all once per name (a roster
    // of 1,500 agents over 60,000 such reviews took 17 s, found by
    // exploratory testing). Each name is looked up once.
    enum NameLink {
        // A name several agents have or had: each record by its day (see
        // [`Lookup::find_on`]), so that the links do not depend on whether
        // the roster came first (found by exploratory testing).
        ByDay,
        To(String),
        Nobody,
    }
    let mut links: HashMap<String, NameLink> = HashMap::new();
    // In the order of the agent index (its NULLs, by day), from where the
    // last chunk ended: no sort, and the records with an agent unread.
    let mut chunk = tx.prepare(&format!(
        "SELECT id, agent_name, local_day, {} FROM feedback
          WHERE agent_id IS NULL AND agent_name IS NOT NULL AND (local_day, id) > (?1, ?2)
          ORDER BY local_day, id LIMIT 50000",
        super::schema::CHARGES_INDEXED
    ))?;
    let mut set = tx.prepare("UPDATE feedback SET agent_id = ?1 WHERE id = ?2")?;
    let mut last = (i64::MIN, 0i64);
    loop {
        let mut to_link: Vec<(i64, String, bool)> = vec![];
        let mut read = 0;
        let mut rows = chunk.query(params![last.0, last.1])?;
        while let Some(r) = rows.next()? {
            read += 1;
            let record: i64 = r.get(0)?;
            let day: i64 = r.get(2)?;
            last = (day, record);
            let name = r.get_ref(1)?.as_str()?;
            if !links.contains_key(name) {
                let link = if lookup.shared(name).is_some()
                    || !lookup.others_once_named(name, "").is_empty()
                {
                    NameLink::ByDay
                } else {
                    lookup
                        .find(name)
                        .map_or(NameLink::Nobody, |id| NameLink::To(id.clone()))
                };
                links.insert(name.to_string(), link);
            }
            let id = match &links[name] {
                NameLink::ByDay => lookup.find_on(name, day).cloned(),
                NameLink::To(id) => Some(id.clone()),
                NameLink::Nobody => None,
            };
            if let Some(id) = id {
                to_link.push((record, id, r.get(3)?));
            }
        }
        drop(rows);
        if read == 0 {
            break;
        }
        for (record, id, charge) in to_link {
            linked += set.execute(params![id, record])?;
            if charge {
                charges.insert(record);
            }
        }
    }
    // The distinct ids, one index seek each (a store holds millions of
    // records and a few thousand ids).
    let mut next =
        tx.prepare("SELECT agent_id FROM feedback WHERE agent_id > ?1 ORDER BY agent_id LIMIT 1")?;
    let mut after = String::new();
    while let Some(text) = next
        .query_row([&after], |r| r.get::<_, String>(0))
        .optional()?
    {
        // A name in the id column that several agents have or had: each
        // record by its day, as when the roster came first (found by
        // exploratory testing).
        let by_day =
            lookup.shared(&text).is_some() || !lookup.others_once_named(&text, "").is_empty();
        let sql = |id: &str| {
            if is_id_form(&text, id) {
                "UPDATE feedback SET agent_id = ?1 WHERE agent_id = ?2"
            } else {
                "UPDATE feedback SET agent_name = coalesce(agent_name, agent_id), agent_id = ?1
                  WHERE agent_id = ?2"
            }
        };
        if by_day {
            let records: Vec<(i64, i64, bool)> = tx
                .prepare_cached(&format!(
                    "SELECT id, local_day, {} FROM feedback WHERE agent_id = ?1",
                    super::schema::CHARGES_INDEXED
                ))?
                .query_map([&text], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (record, day, charge) in records {
                let Some(id) = lookup.find_on(&text, day).filter(|id| **id != text) else {
                    continue;
                };
                let sql = format!("{} AND id = ?3", sql(id));
                linked += tx
                    .prepare_cached(&sql)?
                    .execute(params![id, text, record])?;
                if charge {
                    charges.insert(record);
                }
            }
        } else if let Some(id) = lookup.find(&text).filter(|id| **id != text) {
            let sql = format!(
                "{} RETURNING id, {}",
                sql(id),
                super::schema::CHARGES_INDEXED
            );
            let mut st = tx.prepare_cached(&sql)?;
            let mut rows = st.query(params![id, text])?;
            while let Some(r) = rows.next()? {
                linked += 1;
                if r.get::<_, bool>(1)? {
                    charges.insert(r.get::<_, i64>(0)?);
                }
            }
        }
        after = text;
    }
    Ok((linked, charges))
}

/// What linking a record's agent to the roster found.
#[derive(Debug)]
pub enum Link<'l> {
    /// Linked, already the roster's id, no agent named, or no roster.
    Done,
    /// Named only by a name several agents share: not linked.
    Shared(&'l SharedName),
    /// Named only by a name several agents had before (none has it now).
    FormerOfSeveral,
    /// Named by an id or name the roster does not have.
    NotOnRoster,
}

/// Links a record's agent to the roster as it is imported (see
/// [`link_feedback_by_name`] for what links).
pub fn link_record<'l, 'r>(
    lookup: &'l Lookup,
    day: i64,
    agent_id: &mut Option<Cow<'r, str>>,
    agent_name: &mut Option<Cow<'r, str>>,
) -> Link<'l> {
    if lookup.ids.is_empty() {
        return Link::Done;
    }
    let text = match (agent_id.as_deref(), agent_name.as_deref()) {
        (Some(text), _) | (None, Some(text)) => text,
        (None, None) => return Link::Done,
    };
    let Some(id) = lookup.find_on(text, day) else {
        if let Some(shared) = lookup.shared(text) {
            return Link::Shared(shared);
        }
        return if lookup.others_once_named(text, "").len() > 1 {
            Link::FormerOfSeveral
        } else {
            Link::NotOnRoster
        };
    };
    if agent_id.as_deref() == Some(id.as_str()) {
        return Link::Done;
    }
    if let Some(written) = agent_id.take() {
        if !is_id_form(&written, id) && agent_name.is_none() {
            *agent_name = Some(written);
        }
    }
    *agent_id = Some(Cow::Owned(id.clone()));
    Link::Done
}

#[cfg(test)]
mod tests {
    use super::RosterKeys;

    #[test]
    fn a_roster_id_spelt_otherwise_is_the_stored_agents() {
        let mut keys = RosterKeys::default();
        keys.note("KF001", "王芳");
        keys.note("2001", "李娜");
        assert_eq!(keys.spelled_otherwise("KF001", "王芳"), None, "as stored");
        assert_eq!(
            keys.spelled_otherwise("kf001", "王芳").as_deref(),
            Some("KF001")
        );
        assert_eq!(
            keys.spelled_otherwise("ＫＦ００１", "").as_deref(),
            Some("KF001")
        );
        assert_eq!(
            keys.spelled_otherwise("2001.0", "李娜").as_deref(),
            Some("2001")
        );
        assert_eq!(
            keys.spelled_otherwise("007", "x"),
            None,
            "no agent of that key"
        );
        // Two of one key, kept apart by an earlier kefu: the one named so.
        keys.note("kf001", "李娜");
        assert_eq!(
            keys.spelled_otherwise("ＫＦ００１", "李娜").as_deref(),
            Some("kf001")
        );
        assert_eq!(keys.spelled_otherwise("Kf001", "张伟"), None);
    }
}
