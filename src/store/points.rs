//! SQL for points: recorded events, monthly activity, the inputs of a
//! ledger, and closed (frozen) periods.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use rust_decimal::Decimal;

use super::feedback::Upsert;
use crate::domain::{FeedbackKind, Responsibility, Validity};
use crate::points::{Agent, Charge, Event, Inputs, Line, Policy, Unlinked};

/// An event ready for the store.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub ext_id: String,
    /// When the export gave no id: see [`crate::ingest::records::FeedbackRecord::derived_key`].
    pub derived_key: Option<(u64, u64)>,
    pub hash: i64,
    pub agent_id: String,
    pub day: i64,
    pub rule_id: String,
    pub count: i64,
    pub note: Option<String>,
    pub reference: Option<String>,
    pub verified: Option<bool>,
    /// The same event as it would be stored under each other agent its
    /// name may have meant (a name a new hire took over, two agents of one
    /// name): (id in the store, agent, hash). A stored record of one of
    /// them keeps that agent (see [`upsert_event`]).
    pub as_other_agents: Vec<(String, String, i64)>,
}

/// An event moved to another day as another: (stored day, new day) and
/// what it was and is.
pub type MovedEvent = ((i64, i64), String);

/// Inserts or updates an event by (source, id). An event the register names
/// by a name several agents had, already stored under one of them (by its
/// id, or an id-less event by its key under that agent), keeps that agent:
/// a later roster change does not move or double it (found by exploratory
/// testing: a re-imported register moved or doubled closed quarters'
/// points). `e` is then that record: its id, agent and hash are set to the
/// stored one's (a register's `--replace` holds that id).
///
/// Also returns, for an update that moves the stored event to another day
/// as another event (another agent or rule), its stored and new days and
/// what it was and is: a register numbering its rows anew each day overwrites so.
pub fn upsert_event(
    tx: &Transaction<'_>,
    source: &str,
    e: &mut NewEvent,
    import_id: i64,
) -> Result<(Upsert, Option<MovedEvent>)> {
    type Stored = (String, i64, i64, String);
    let stored = |ext_id: &str| -> Result<Option<Stored>> {
        Ok(tx
            .prepare_cached(
                "SELECT agent_id, hash, day, rule_id FROM events WHERE source = ?1 AND ext_id = ?2",
            )?
            .query_row(params![source, ext_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?)
    };
    let mut existing = stored(&e.ext_id)?;
    if !e.as_other_agents.is_empty() {
        let found = match &existing {
            Some((agent, ..)) => e
                .as_other_agents
                .iter()
                .find(|(id, a, _)| *id == e.ext_id && a == agent)
                .cloned(),
            None => {
                let mut found = None;
                for alt in &e.as_other_agents {
                    if alt.0 != e.ext_id {
                        if let Some(s) = stored(&alt.0)?.filter(|(a, ..)| *a == alt.1) {
                            existing = Some(s);
                            found = Some(alt.clone());
                            break;
                        }
                    }
                }
                found
            }
        };
        if let Some((ext_id, agent_id, hash)) = found {
            (e.ext_id, e.agent_id, e.hash) = (ext_id, agent_id, hash);
        }
    }
    let moved = existing.as_ref().and_then(|(agent, _, day, rule)| {
        let other = crate::domain::agent_key(agent) != crate::domain::agent_key(&e.agent_id)
            || *rule != e.rule_id;
        (*day != e.day && other).then(|| {
            let date = crate::dates::date_of_day;
            let what = format!(
                "{}: {} {agent} {rule} → {} {} {}",
                e.ext_id,
                date(*day),
                date(e.day),
                e.agent_id,
                e.rule_id
            );
            ((*day, e.day), what)
        })
    });
    let existing = existing.map(|(_, hash, ..)| hash);
    if existing == Some(e.hash) {
        return Ok((Upsert::Unchanged, None));
    }
    tx.prepare_cached(
        "INSERT INTO events (source, ext_id, hash, agent_id, day, rule_id, count, note, reference, verified, import_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (source, ext_id) DO UPDATE SET hash = excluded.hash, agent_id = excluded.agent_id,
            day = excluded.day, rule_id = excluded.rule_id, count = excluded.count, note = excluded.note,
            reference = excluded.reference, verified = excluded.verified",
    )?
    .execute(params![source, e.ext_id, e.hash, e.agent_id, e.day, e.rule_id, e.count, e.note, e.reference, e.verified, import_id])?;
    Ok(if existing.is_some() {
        (Upsert::Updated, moved)
    } else {
        (Upsert::New, None)
    })
}

/// The events of `source` dated `first..=last` (local day numbers), as
/// (row id, id in the export): what a register re-imported with `--replace`
/// covers.
pub fn events_between(
    tx: &Transaction<'_>,
    source: &str,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, String)>> {
    let mut st =
        tx.prepare("SELECT id, ext_id FROM events WHERE source = ?1 AND day BETWEEN ?2 AND ?3")?;
    let rows = st.query_map(params![source, first, last], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// [`crate::store::feedback::derived_between`] for events.
pub fn derived_between(
    tx: &Transaction<'_>,
    source: &str,
    first: i64,
    last: i64,
    import_id: i64,
) -> Result<i64> {
    use crate::store::feedback::DERIVED_IDS;
    Ok(tx.query_row(
        &format!(
            "SELECT count(*) FROM events
              WHERE source = ?1 AND {DERIVED_IDS} AND day BETWEEN ?2 AND ?3 AND import_id <> ?4"
        ),
        params![source, first, last, import_id],
        |r| r.get(0),
    )?)
}

/// Removes events by row id.
pub fn remove_events(tx: &Transaction<'_>, ids: &[i64]) -> Result<()> {
    let mut st = tx.prepare_cached("DELETE FROM events WHERE id = ?1")?;
    for id in ids {
        st.execute([id])?;
    }
    Ok(())
}

/// Inserts or updates a monthly activity value by (month, metric, agent).
/// `as_other_agents`: (agent, hash) of the same row under each other agent
/// its name may have meant; a row stored under one of them keeps that agent
/// (as [`upsert_event`] does).
#[allow(clippy::too_many_arguments)]
pub fn upsert_activity(
    tx: &Transaction<'_>,
    month: &str,
    agent_id: &str,
    metric: &str,
    value: Decimal,
    hash: i64,
    as_other_agents: &[(String, i64)],
    import_id: i64,
) -> Result<Upsert> {
    let stored = |agent: &str| -> Result<Option<i64>> {
        Ok(tx
            .prepare_cached(
                "SELECT hash FROM activity WHERE month = ?1 AND metric = ?2 AND agent_id = ?3",
            )?
            .query_row(params![month, metric, agent], |r| r.get(0))
            .optional()?)
    };
    let (mut agent_id, mut hash) = (agent_id, hash);
    let mut existing = stored(agent_id)?;
    if existing.is_none() {
        for (other, other_hash) in as_other_agents {
            if let Some(h) = stored(other)? {
                (agent_id, hash, existing) = (other.as_str(), *other_hash, Some(h));
                break;
            }
        }
    }
    if existing == Some(hash) {
        return Ok(Upsert::Unchanged);
    }
    tx.prepare_cached(
        "INSERT INTO activity (month, agent_id, metric, value, hash, import_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (month, metric, agent_id) DO UPDATE SET value = excluded.value, hash = excluded.hash",
    )?
    .execute(params![month, agent_id, metric, value.to_string(), hash, import_id])?;
    Ok(if existing.is_some() {
        Upsert::Updated
    } else {
        Upsert::New
    })
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
}

/// The roster.
pub fn agents(conn: &Connection) -> Result<Vec<Agent>> {
    let mut st = conn.prepare(
        "SELECT id, name, department, leader_id, joined_on, left_on FROM agents ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(Agent {
            id: r.get(0)?,
            name: r.get(1)?,
            department: r.get(2)?,
            leader_id: r.get(3)?,
            joined_on: date(r.get(4)?),
            left_on: date(r.get(5)?),
            history: vec![],
            earlier: vec![],
        })
    })?;
    let mut agents: Vec<Agent> = rows.collect::<rusqlite::Result<_>>()?;
    for (id, stints) in super::agents::earlier_stints(conn)? {
        if let Ok(i) = agents.binary_search_by(|a| a.id.as_str().cmp(&id)) {
            agents[i].earlier = stints;
        }
    }
    let mut st = conn.prepare(
        "SELECT agent_id, until_day, department, leader_id FROM agent_history
          ORDER BY agent_id, until_day",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if let Ok(i) = agents.binary_search_by(|a| a.id.as_str().cmp(&id)) {
            agents[i].history.push((r.get(1)?, r.get(2)?, r.get(3)?));
        }
    }
    // A group leader the roster lacks, in one spelling as the ledger writes
    // ids (found by exploratory testing: kf 099 and ＫＦ０９９ as two
    // members' 组长工号 made two teams, and a leader's charge at every third
    // occurrence was never reached).
    let spelling = crate::points::OneSpelling::of(&agents);
    for a in &mut agents {
        let leaders = a
            .leader_id
            .iter_mut()
            .chain(a.history.iter_mut().filter_map(|(_, _, l)| l.as_mut()));
        leaders.for_each(|l| spelling.fix(l));
    }
    Ok(agents)
}

/// Events this import added that HR should look at again: dated after
/// `today`, or outside their agent's time on the roster: (ext id, why), in
/// date order.
pub fn doubtful_events(
    conn: &Connection,
    import_id: i64,
    today: NaiveDate,
) -> Result<Vec<(String, String)>> {
    let mut st = conn.prepare(
        "SELECT e.ext_id, e.agent_id, e.day, a.joined_on, a.left_on, e.rule_id, e.note
           FROM events e LEFT JOIN agents a ON a.id = e.agent_id
          WHERE e.import_id = ?1 ORDER BY e.day, e.ext_id",
    )?;
    let rows = st.query_map([import_id], |r| {
        Ok((
            event_label(r.get(0)?, &r.get::<_, String>(1)?, r.get(5)?, r.get(6)?),
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let stints = super::agents::earlier_stints(conn)?;
    let mut out = vec![];
    for row in rows {
        let (ext_id, agent, day, joined, left) = row?;
        let date = crate::dates::date_of_day(day);
        let why = if date > today {
            format!("dated {date}, after today ({today})")
        } else if let Some(why) = outside_employment(&stints, &agent, joined, left, date) {
            why
        } else {
            continue;
        };
        out.push((ext_id, why));
    }
    // The same event entered twice under two ids (found by exploratory
    // testing: one praise letter credited twice): one 关联单号 cited by two
    // events of the agent and rule, or, from an earlier import (a
    // renumbered copy of the register), the same agent, day, rule, count
    // and note.
    let mut twice = conn.prepare(
        "SELECT n.ext_id, n.agent_id, n.rule_id, n.note, o.ext_id, o.source, n.reference
           FROM events n JOIN events o
             ON o.agent_id = n.agent_id AND o.rule_id = n.rule_id AND o.id != n.id
                AND (o.reference = n.reference
                     OR o.import_id != n.import_id AND o.day = n.day AND o.count = n.count
                        AND o.note IS n.note AND (o.reference IS NULL OR n.reference IS NULL))
          WHERE n.import_id = ?1 AND (o.import_id != ?1 OR o.id < n.id)
          GROUP BY n.id ORDER BY n.day, n.ext_id",
    )?;
    let rows = twice.query_map([import_id], |r| {
        Ok((
            event_label(r.get(0)?, &r.get::<_, String>(1)?, r.get(2)?, r.get(3)?),
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    for row in rows {
        let (label, other, source, reference) = row?;
        let cited = match reference {
            Some(r) => format!(
                "the second to cite 关联单号 {r} for its agent and rule (event {other}, source {source})"
            ),
            None => format!(
                "like event {other} of source {source}: the same agent, day, rule, count and note (a renumbered copy of a register?)"
            ),
        };
        out.push((label, format!("{cited}; both are counted: if they are one event, remove one from its register and import that again with --replace")));
    }
    Ok(out)
}

/// How a warning names an event: its id in the export, or, for an id kefu
/// made (the export had none, and it means nothing to the reader), its rule,
/// agent and note.
fn event_label(ext_id: String, agent: &str, rule: String, note: Option<String>) -> String {
    if crate::identity::is_derived(&ext_id) {
        format!(
            "{rule} of {agent}{} (no id in the export)",
            note.map(|n| format!(", note {n:?}")).unwrap_or_default()
        )
    } else {
        ext_id
    }
}

/// A stored record outside its agent's employment: ("complaint C-1",
/// agent, why).
pub type Outside = (String, String, String);

/// Stored records that a roster import's dates put outside their agent's
/// employment, where the employments before it (`before`; none for an
/// agent new to the roster) did not: feedback that could be charged (the
/// `feedback_charges` index) and events of the agents whose employments
/// changed from `before` to `after`, and the records `linked` to an agent
/// by this import (by name, or by an id in another form: their agent was
/// unknown at their own import). The first `limit` by date, as
/// ("complaint C-1", agent, why), and how many there are. Such records were
/// checked against the dates of their own import only (found by
/// exploratory testing: a roster imported later with a corrected 入职日期
/// said nothing of the complaints it left outside). The feedback is read
/// from the index alone (a roster of 1,500 new agents over 500,000 stored
/// complaints: 0.1 s); only the records named are read whole.
pub fn newly_outside(
    conn: &Connection,
    before: &HashMap<String, super::agents::Stints>,
    after: &HashMap<String, super::agents::Stints>,
    linked: &std::collections::HashSet<i64>,
    limit: usize,
) -> Result<(Vec<Outside>, usize)> {
    let changed: HashMap<&str, &super::agents::Stints> = after
        .iter()
        .filter(|(id, spans)| before.get(*id) != Some(*spans))
        .map(|(id, spans)| (id.as_str(), spans))
        .collect();
    if changed.is_empty() && linked.is_empty() {
        return Ok((vec![], 0));
    }
    // (day, an event?, rowid) of the first `limit`, and the count.
    let mut first: std::collections::BTreeSet<(i64, bool, i64)> = Default::default();
    let mut count = 0;
    let mut check = |agent: &str, day: i64, event: bool, rowid: i64| {
        let just_linked = !event && linked.contains(&rowid);
        let spans = if just_linked {
            after.get(agent)
        } else {
            changed.get(agent).copied()
        };
        let Some(spans) = spans else {
            return;
        };
        let date = crate::dates::date_of_day(day);
        if super::agents::outside_employment(spans, date).is_none() {
            return;
        }
        if !just_linked
            && before
                .get(agent)
                .is_some_and(|s| super::agents::outside_employment(s, date).is_some())
        {
            return; // outside already, and said so when it was imported
        }
        count += 1;
        first.insert((day, event, rowid));
        if first.len() > limit {
            first.pop_last();
        }
    };
    // One pass over the index of what can be charged, whatever the day.
    let mut st = conn.prepare(&format!(
        "SELECT f.rowid, f.agent_id, f.local_day FROM feedback f INDEXED BY feedback_charges
          WHERE {}",
        super::schema::CHARGES_INDEXED
    ))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        if let Some(agent) = r.get_ref(1)?.as_str_or_null()? {
            check(agent, r.get(2)?, false, r.get(0)?);
        }
    }
    let mut st = conn.prepare_cached("SELECT id, day FROM events WHERE agent_id = ?1")?;
    for id in changed.keys() {
        let mut rows = st.query([id])?;
        while let Some(r) = rows.next()? {
            check(id, r.get(1)?, true, r.get(0)?);
        }
    }
    let mut named = vec![];
    for (day, event, rowid) in first {
        let (what, agent) = if event {
            conn.query_row(
                "SELECT ext_id, agent_id, rule_id, note FROM events WHERE id = ?1",
                [rowid],
                |r| {
                    let agent: String = r.get(1)?;
                    let what = event_label(r.get(0)?, &agent, r.get(2)?, r.get(3)?);
                    Ok((format!("event {what}"), agent))
                },
            )?
        } else {
            conn.query_row(
                "SELECT kind, ext_id, agent_id FROM feedback WHERE rowid = ?1",
                [rowid],
                |r| {
                    let (kind, ext_id): (String, String) = (r.get(0)?, r.get(1)?);
                    Ok((format!("{kind} {ext_id}"), r.get(2)?))
                },
            )?
        };
        let date = crate::dates::date_of_day(day);
        let why = super::agents::outside_employment(&after[&agent], date)
            .map(|o| format!("dated {date}, {}", o.why(&agent)))
            .unwrap_or_default();
        named.push((what, agent, why));
    }
    Ok((named, count))
}

/// Why `date` is outside every employment of `agent` (the roster's
/// current one, `joined`–`left`, and earlier ones in `stints`), if it is.
fn outside_employment(
    stints: &HashMap<String, super::agents::Stints>,
    agent: &str,
    joined: Option<String>,
    left: Option<String>,
    date: NaiveDate,
) -> Option<String> {
    let parse = |d: Option<String>| d.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    // Every employment, the current one last (re-hired under one id).
    let mut spans = stints.get(agent).cloned().unwrap_or_default();
    spans.push((parse(joined), parse(left).unwrap_or(NaiveDate::MAX)));
    super::agents::outside_employment(&spans, date)
        .map(|o| format!("dated {date}, {}", o.why(agent)))
}

/// Feedback this import added or changed that could be charged to an agent
/// (judged, or a complaint: the `feedback_charges` index) and is dated
/// outside that agent's time on the roster, as events are checked (a
/// complaint logged under a wrong 工号 is charged to whoever has it, found
/// by exploratory testing): (kind, id in the export, agent, why), in date
/// order. `days`: the first and last local day the import wrote, so that a
/// day's import into a store of millions of complaints reads that day's.
pub fn doubtful_charges(
    conn: &Connection,
    import_id: i64,
    days: (i64, i64),
) -> Result<Vec<(String, String, String, String)>> {
    let mut st = conn.prepare(&format!(
        "SELECT f.kind, f.ext_id, f.agent_id, f.local_day, a.joined_on, a.left_on
           FROM feedback f INDEXED BY feedback_charges JOIN agents a ON a.id = f.agent_id
          WHERE f.local_day BETWEEN ?2 AND ?3 AND {}
            AND (f.import_id = ?1 OR f.updated_import = ?1)
          ORDER BY f.local_day, f.ext_id",
        super::schema::CHARGES_INDEXED
    ))?;
    let rows = st.query_map(params![import_id, days.0, days.1], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let stints = super::agents::earlier_stints(conn)?;
    let mut out = vec![];
    for row in rows {
        let (kind, ext_id, agent, day, joined, left) = row?;
        let date = crate::dates::date_of_day(day);
        if let Some(why) = outside_employment(&stints, &agent, joined, left, date) {
            out.push((kind, ext_id, agent, why));
        }
    }
    Ok(out)
}

/// Whether some feedback is charged to the agent id `id` (an id the
/// exports gave, on the roster or not), in any case or width (kf099 finds
/// KF099: the ledger counts them as one).
pub fn charged_id(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM feedback WHERE agent_id = ?1 OR kefu_agent_is(agent_id, ?2) LIMIT 1",
            [id, &crate::domain::agent_key(id)],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// What the ledger needs from the store for one computation.
pub struct Scope<'a> {
    /// Days of the period.
    pub first: i64,
    pub last: i64,
    /// Events of `carry_rules` are read from this day on (the start of the
    /// widest counting window), so that occurrences count from its start.
    pub events_from: i64,
    /// Rules whose earlier events matter (escalating, or leader every Nth).
    pub carry_rules: Vec<String>,
    /// Only this agent (and their team, for leaders).
    pub agent: Option<&'a str>,
    /// Feedback neither counted nor pending under this policy is not read.
    pub policy: &'a Policy,
}

fn json_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    serde_json::to_string(&items.into_iter().collect::<Vec<_>>()).expect("strings serialise")
}

/// The ledger's inputs: events of the period (and of `carry_rules` from
/// `events_from`), the period's feedback that counts or is pending, and its
/// activity; for one agent only (and their team, for leaders) when `agent` is set.
pub fn inputs(conn: &Connection, scope: &Scope<'_>) -> Result<Inputs> {
    let Scope {
        first,
        last,
        events_from,
        agent,
        policy,
        ..
    } = *scope;
    let agents = agents(conn)?;
    // An id the roster lacks is read in any spelling (KF099, kf099,
    // ＫＦ０９９), by its key.
    let off_roster_key = agent
        .filter(|a| !agents.iter().any(|x| x.id == *a))
        .map(crate::domain::agent_key);
    // For one agent, the lines that can land on them: their own, and their
    // team's joint-liability lines if they lead one, or led one before a
    // move (the line of a day the agent was theirs is theirs); a
    // supervisor's (`liable = "supervisor"`) come from the teams of the
    // leaders under them too, so the chain is followed down.
    let team: Option<Vec<String>> = agent.map(|a| {
        let mut t: Vec<String> = vec![a.to_string()];
        let mut next = 0;
        while next < t.len() {
            let lead = t[next].clone();
            next += 1;
            for x in &agents {
                let under = x.leader_id.as_deref() == Some(lead.as_str())
                    || x.history
                        .iter()
                        .any(|(_, _, l)| l.as_deref() == Some(lead.as_str()));
                if under && !t.contains(&x.id) {
                    t.push(x.id.clone());
                }
            }
        }
        t
    });
    let mut events = vec![];
    {
        const COLUMNS: &str =
            "SELECT id, source, ext_id, agent_id, day, rule_id, count, verified, note, reference FROM events";
        let who = if off_roster_key.is_some() {
            "kefu_agent_is(agent_id, ?3)"
        } else if agent.is_some() {
            "agent_id = ?3"
        } else {
            "?3 IS NULL"
        };
        let sql = format!(
            "{COLUMNS} WHERE {who} AND day BETWEEN ?1 AND ?2
             UNION ALL
             {COLUMNS} WHERE {who} AND day >= ?4 AND day < ?1
                AND rule_id IN (SELECT value FROM json_each(?5))"
        );
        let ids: Vec<Option<String>> = match (&off_roster_key, &team) {
            (Some(key), _) => vec![Some(key.clone())],
            (None, Some(t)) => t.iter().cloned().map(Some).collect(),
            (None, None) => vec![None],
        };
        let carry = json_list(scope.carry_rules.iter().map(String::as_str));
        let mut st = conn.prepare(&sql)?;
        for id in ids {
            let rows = st.query_map(params![first, last, id, events_from, carry], |r| {
                Ok(Event {
                    row_id: r.get(0)?,
                    source: r.get(1)?,
                    ext_id: r.get(2)?,
                    agent_id: r.get(3)?,
                    day: r.get(4)?,
                    rule_id: r.get(5)?,
                    count: r.get(6)?,
                    verified: r.get::<_, Option<i64>>(7)?.map(|v| v != 0),
                    note: r.get(8)?,
                    reference: r.get(9)?,
                })
            })?;
            for e in rows {
                events.push(e?);
            }
        }
    }
    let (mut charges, mut unlinked) = (vec![], vec![]);
    {
        let sql = charges_sql(agent.is_some(), off_roster_key.is_some());
        let who = off_roster_key.as_deref().or(agent);
        let kinds = json_list(policy.kinds.iter().map(|k| k.id()));
        let validities = json_list(policy.validities.iter().map(|v| v.id()));
        let resps = json_list(policy.responsibilities.iter().map(|r| r.id()));
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map(params![first, last, who, kinds, validities, resps], |r| {
            let kind: String = r.get(4)?;
            let validity: Option<String> = r.get(5)?;
            let resp: Option<String> = r.get(6)?;
            let agent_id: Option<String> = r.get(2)?;
            let charge = Charge {
                source: r.get(0)?,
                ext_id: r.get(1)?,
                agent_id: agent_id.clone().unwrap_or_default(),
                day: r.get(3)?,
                kind: FeedbackKind::parse(&kind).unwrap_or(FeedbackKind::Review),
                validity: validity.as_deref().and_then(Validity::parse),
                responsibility: resp.as_deref().and_then(Responsibility::parse),
            };
            Ok((agent_id.is_some(), charge, r.get::<_, Option<String>>(7)?))
        })?;
        for row in rows {
            match row? {
                (true, c, _) => charges.push(c),
                (false, charge, name) => unlinked.push(Unlinked { charge, name }),
            }
        }
    }
    let mut activity = vec![];
    {
        let from = crate::dates::date_of_day(first).format("%Y-%m").to_string();
        let to = crate::dates::date_of_day(last).format("%Y-%m").to_string();
        let mut st = conn.prepare(
            "SELECT month, metric, agent_id, value FROM activity WHERE month BETWEEN ?1 AND ?2",
        )?;
        let rows = st.query_map(params![from, to], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (m, metric, a, v) = row?;
            let value: Decimal = v
                .parse()
                .with_context(|| format!("stored activity value {v:?}"))?;
            activity.push((m, metric, a, value));
        }
    }
    // An id the roster lacks, in any spelling, is one agent (found by
    // exploratory testing: three complaints in a month under three
    // spellings raised no dismissal review).
    let spelling = crate::points::OneSpelling::of(&agents);
    events
        .iter_mut()
        .for_each(|e| spelling.fix(&mut e.agent_id));
    charges
        .iter_mut()
        .for_each(|c| spelling.fix(&mut c.agent_id));
    Ok(Inputs {
        agents,
        events,
        charges,
        unlinked,
        activity,
    })
}

/// The feedback a ledger reads on days ?1..=?2 (of agent ?3 when
/// `one_agent`, else of every agent and of none: ?3 NULL), kinds ?4,
/// validities ?5 and responsibilities ?6 as JSON lists: what
/// `Policy::counts` or `Policy::pending` may take (they decide, in
/// `points::ledger`): a validity the policy counts, or pending (said so, or
/// a complaint that says nothing), with a responsibility it counts or none
/// yet. Within the rows of the `feedback_charges` index,
/// whose condition is repeated for SQLite to use it: a negative review
/// nobody judged is never read.
pub(super) fn charges_sql(one_agent: bool, by_key: bool) -> String {
    let relevant = "kind IN (SELECT value FROM json_each(?4))
         AND (validity IN (SELECT value FROM json_each(?5))
              OR validity = 'pending' OR (validity IS NULL AND kind = 'complaint'))
         AND (responsibility IS NULL
              OR responsibility IN (SELECT value FROM json_each(?6)))";
    let indexed = super::schema::CHARGES_INDEXED;
    let who = if by_key {
        // An id the roster lacks, in any spelling (?3 is its key).
        "kefu_agent_is(agent_id, ?3)"
    } else if one_agent {
        "agent_id = ?3"
    } else {
        // With the records that name no agent kefu could link.
        "?3 IS NULL"
    };
    format!(
        "SELECT source, ext_id, agent_id, local_day, kind, validity, responsibility, agent_name
           FROM feedback
          WHERE {who} AND local_day BETWEEN ?1 AND ?2 AND {indexed} AND {relevant}"
    )
}

/// A closed period, if `name` was closed: (closed_at, payout JSON).
pub fn closed(conn: &Connection, name: &str) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT closed_at, payout FROM closed_periods WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The closed period whose days are `first..=last`, by whatever name it
/// was closed (`--from 2026-07-01 --to 2026-09-30` is 2026Q3).
pub fn closed_with_days(conn: &Connection, first: i64, last: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT name FROM closed_periods WHERE first_day = ?1 AND last_day = ?2",
            [first, last],
            |r| r.get(0),
        )
        .optional()?)
}

/// Every department the roster has held (now or before a move), sorted.
pub fn roster_departments(conn: &Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare(
        "SELECT department FROM agents WHERE department IS NOT NULL \
         UNION SELECT department FROM agent_history WHERE department IS NOT NULL \
         ORDER BY 1",
    )?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every closed period: (name, first day, last day).
pub fn closed_periods(conn: &Connection) -> Result<Vec<(String, i64, i64)>> {
    let mut st =
        conn.prepare("SELECT name, first_day, last_day FROM closed_periods ORDER BY first_day")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A ledger line from `SELECT key, day, agent_id, rule_id, points, source, complaints`.
fn line_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Line> {
    Ok(Line {
        key: r.get(0)?,
        day: r.get(1)?,
        agent_id: r.get(2)?,
        rule_id: r.get(3)?,
        points: r.get(4)?,
        source: r.get(5)?,
        complaints: r.get(6)?,
    })
}

/// The frozen lines of a closed period.
pub fn closed_lines(conn: &Connection, period: &str) -> Result<Vec<Line>> {
    let mut st = conn.prepare("SELECT key, day, agent_id, rule_id, points, source, complaints FROM closed_lines WHERE period = ?1 ORDER BY day, agent_id, key")?;
    let rows = st.query_map([period], line_of)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Frozen adjustment lines that correct `period` (frozen in later closes),
/// each once: a closed month inside a closed quarter is part of the
/// quarter's snapshot, so only the outermost closed periods' lines count.
/// Those correcting a closed period inside it (`inner`: a month closed
/// before its quarter, whose corrections a later month froze) are its too,
/// keyed as its own (found by exploratory testing: closing 2026Q3 after
/// October froze a correction to a closed September lost the next one).
pub fn absorbed_adjustments(conn: &Connection, period: &str, inner: &[&str]) -> Result<Vec<Line>> {
    let mut st = conn.prepare(
        "SELECT l.key, l.day, l.agent_id, l.rule_id, l.points, l.source, l.complaints
           FROM closed_lines l JOIN closed_periods p ON p.name = l.period
          WHERE l.key LIKE ?1 AND l.period <> ?2
            AND NOT EXISTS (SELECT 1 FROM closed_periods o
                             WHERE o.name <> p.name
                               AND o.first_day <= p.first_day AND p.last_day <= o.last_day)",
    )?;
    let mut lines = vec![];
    for name in std::iter::once(&period).chain(inner) {
        let prefix = format!("adjust:{name}:");
        let rows = st.query_map(params![format!("{prefix}%"), period], line_of)?;
        for line in rows {
            let mut line = line?;
            if let Some(rest) = line.key.strip_prefix(&prefix) {
                line.key = format!("adjust:{period}:{rest}");
            }
            lines.push(line);
        }
    }
    Ok(lines)
}

/// The periods closed after `period` was (in the order of the closes,
/// which `closed_at`'s seconds cannot always tell).
pub fn closed_after(conn: &Connection, period: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare(
        "SELECT name FROM closed_periods
          WHERE rowid > (SELECT rowid FROM closed_periods WHERE name = ?1)",
    )?;
    let rows = st.query_map([period], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Undoes a close: the period's frozen lines go; the row of its close is
/// kept in `meta` as `reopened:NAME:CLOSED_AT` (its payout JSON), so that
/// what was frozen, and perhaps paid, can still be looked up.
pub fn reopen(tx: &Transaction<'_>, name: &str) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value)
         SELECT 'reopened:' || name || ':' || closed_at, payout FROM closed_periods WHERE name = ?1",
        [name],
    )?;
    tx.execute("DELETE FROM closed_lines WHERE period = ?1", [name])?;
    tx.execute("DELETE FROM closed_periods WHERE name = ?1", [name])?;
    tx.execute(
        "DELETE FROM meta WHERE key = ?1",
        [format!("{CLOSED_RULEBOOK}{name}")],
    )?;
    Ok(())
}

/// Key prefix in `meta` of the rulebook a period was closed with (JSON).
const CLOSED_RULEBOOK: &str = "rulebook:";

/// The rulebook (JSON) period `name` was closed with, if it was closed by a
/// kefu that kept it.
pub fn closed_rulebook(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [format!("{CLOSED_RULEBOOK}{name}")],
            |r| r.get(0),
        )
        .optional()?)
}

/// Freezes a period: its lines, its payout and the rulebook it was closed
/// with (later adjustments to it compare today's data under that rulebook,
/// so that a rule changed for later periods does not re-price this one).
pub fn close(
    tx: &Transaction<'_>,
    name: &str,
    first: i64,
    last: i64,
    payout_json: &str,
    rulebook_json: &str,
    lines: &[Line],
) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        params![format!("{CLOSED_RULEBOOK}{name}"), rulebook_json],
    )?;
    tx.execute(
        "INSERT INTO closed_periods (name, first_day, last_day, closed_at, payout) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, first, last, chrono::Utc::now().timestamp(), payout_json],
    )?;
    let mut st = tx.prepare("INSERT INTO closed_lines (period, key, day, agent_id, rule_id, points, source, complaints) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?;
    // A key met again (an adjustment to one record frozen in a month closed
    // on its own, and corrected again after: found by exploratory testing,
    // the quarter could not be closed) is kept apart by its day.
    let mut seen = std::collections::HashSet::new();
    for l in lines {
        let key = if seen.insert(l.key.as_str()) {
            l.key.clone()
        } else {
            crate::points::key_on_day(&l.key, l.day)
        };
        st.execute(params![
            name,
            key,
            l.day,
            l.agent_id,
            l.rule_id,
            l.points,
            l.source,
            l.complaints
        ])
        .with_context(|| format!("freezing line {key}"))?;
    }
    Ok(())
}
