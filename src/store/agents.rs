//! SQL for the roster: upsert by agent id, name lookups, and linking feedback
//! that named an agent only by name.

use std::collections::HashMap;

use anyhow::Result;
use rusqlite::{params, OptionalExtension, Transaction};

use super::feedback::Upsert;
use crate::ingest::records::AgentRecord;

/// Inserts or updates a roster entry.
pub fn upsert(tx: &Transaction<'_>, a: &AgentRecord, import_id: i64) -> Result<Upsert> {
    let existing: Option<i64> = tx
        .prepare_cached("SELECT hash FROM agents WHERE id = ?1")?
        .query_row([&a.id], |r| r.get(0))
        .optional()?;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    match existing {
        Some(h) if h == a.hash => Ok(Upsert::Unchanged),
        existing => {
            tx.prepare_cached(
                "INSERT INTO agents (id, name, department, leader_id, joined_on, left_on, extra, hash, import_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, department = excluded.department,
                    leader_id = excluded.leader_id, joined_on = excluded.joined_on, left_on = excluded.left_on,
                    extra = excluded.extra, hash = excluded.hash",
            )?
            .execute(params![
                a.id,
                a.name,
                a.department,
                a.leader_id,
                date(a.joined_on),
                date(a.left_on),
                a.extra,
                a.hash,
                import_id
            ])?;
            Ok(if existing.is_some() {
                Upsert::Updated
            } else {
                Upsert::New
            })
        }
    }
}

/// Group leaders' ids (组长工号) that are not on the roster themselves, with
/// how many agents name each: joint liability would charge someone HR
/// cannot find.
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

/// Agent ids by name, for names that belong to exactly one agent.
pub fn ids_by_unique_name(tx: &Transaction<'_>) -> Result<HashMap<String, String>> {
    let mut st =
        tx.prepare("SELECT name, min(id) FROM agents GROUP BY name HAVING count(*) = 1")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Gives feedback that named an agent only by name the roster id of that
/// name, where the name is unique on the roster: a name alone, or a name in
/// the id column (客服工号 = 王芳) that is no roster id. Returns how many
/// were linked.
pub fn link_feedback_by_name(tx: &Transaction<'_>) -> Result<usize> {
    let by_name = tx.execute(
        "UPDATE feedback SET agent_id = (SELECT a.id FROM agents a WHERE a.name = feedback.agent_name)
         WHERE agent_id IS NULL AND agent_name IS NOT NULL
           AND (SELECT count(*) FROM agents a WHERE a.name = feedback.agent_name) = 1",
        [],
    )?;
    let name_as_id = tx.execute(
        "UPDATE feedback
            SET agent_name = coalesce(agent_name, agent_id),
                agent_id = (SELECT a.id FROM agents a WHERE a.name = feedback.agent_id)
          WHERE agent_id IN (SELECT name FROM agents GROUP BY name HAVING count(*) = 1)
            AND agent_id NOT IN (SELECT id FROM agents)",
        [],
    )?;
    Ok(by_name + name_as_id)
}
