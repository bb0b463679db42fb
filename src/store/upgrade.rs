//! Upgrades of stored data that a schema migration runs (in its
//! transaction): version 4 re-keys the reviews, complaints and events whose
//! export gave no id, from the hash of their whole row (`h…`, which changed
//! whenever a manager filled in 是否成立 or 是否核实, so that re-importing
//! the export added each record again) to the key of [`crate::identity`].
//!
//! Rows that older kefus stored twice that way (one record, two versions
//! from two imports) become one: the newest version is kept under the new
//! key, the older deleted, and the import after the upgrade says how many.
//! Rows of one import that share a key are different records and are
//! numbered as an import numbers them (by their order in the file).

use std::collections::HashMap;

use chrono_tz::Tz;
use rusqlite::{OptionalExtension, Transaction};

use crate::identity;

/// Version 8: the names stored feedback linked to an agent carries, where
/// they differ from the roster's name for that agent and are no agent's
/// name now, compared as names are compared (陳靜 and 陈 静 are 陈静): the
/// agent's other (former) names. A name typed beside the wrong id is
/// another agent's, not a former one (found by exploratory testing).
pub fn other_names_from_feedback(tx: &Transaction<'_>) -> rusqlite_migration::HookResult {
    let roster: Vec<(String, String)> = tx
        .prepare("SELECT id, name FROM agents")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let names: HashMap<&str, &str> = roster
        .iter()
        .map(|(i, n)| (i.as_str(), n.as_str()))
        .collect();
    // Current names and ids: neither is anyone's former name.
    let current: std::collections::HashSet<String> = roster
        .iter()
        .flat_map(|(i, n)| [crate::domain::agent_key(n), crate::domain::agent_key(i)])
        .collect();
    let mut st = tx.prepare(
        "SELECT DISTINCT agent_id, agent_name FROM feedback
          WHERE agent_id IS NOT NULL AND agent_name IS NOT NULL",
    )?;
    let carried: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut insert =
        tx.prepare("INSERT OR IGNORE INTO agent_other_names (agent_id, name) VALUES (?1, ?2)")?;
    for (id, name) in carried {
        let Some(own) = names.get(id.as_str()) else {
            continue;
        };
        let key = crate::domain::agent_key(&name);
        if key != crate::domain::agent_key(own) && !current.contains(&key) {
            insert.execute([&id, &name])?;
        }
    }
    Ok(())
}

/// The meta key under which the upgrade leaves its notice for the user.
pub const NOTICE_KEY: &str = "upgrade_notice";

/// One id-less row as stored by an older kefu.
struct OldRow {
    id: i64,
    source: String,
    old_ext_id: String,
    key: u64,
    import_id: i64,
}

/// Schema version 4: see the module documentation.
pub fn rekey_derived_ids(tx: &Transaction<'_>) -> rusqlite_migration::HookResult {
    // The timezone the stored instants of naive times were read in.
    let tz: Tz = tx
        .query_row("SELECT value FROM meta WHERE key = 'timezone'", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .and_then(|name| name.parse().ok())
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let mut renamed: HashMap<String, String> = HashMap::new();
    let (feedback_merged, feedback_rekeyed) = {
        let mut st = tx.prepare(&format!(
            "SELECT id, source, ext_id, created_at, naive_time, content, order_id, customer,
                    import_id
               FROM feedback WHERE {OLD_ID} ORDER BY id"
        ))?;
        let rows = st
            .query_map([], |r| {
                let kept_time = crate::dates::kept_time(r.get(3)?, r.get(4)?, tz);
                let text = |i| r.get::<_, Option<String>>(i);
                Ok(OldRow {
                    id: r.get(0)?,
                    source: r.get(1)?,
                    old_ext_id: r.get(2)?,
                    key: identity::feedback_key(
                        kept_time,
                        text(5)?.as_deref(),
                        text(6)?.as_deref(),
                        text(7)?.as_deref(),
                    ),
                    import_id: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rekey(tx, "feedback", "complaint", rows, &mut renamed)?
    };
    let (events_merged, events_rekeyed) = {
        let mut st = tx.prepare(&format!(
            "SELECT id, source, ext_id, agent_id, day, rule_id, note, import_id
               FROM events WHERE {OLD_ID} ORDER BY id"
        ))?;
        let rows = st
            .query_map([], |r| {
                Ok(OldRow {
                    id: r.get(0)?,
                    source: r.get(1)?,
                    old_ext_id: r.get(2)?,
                    key: identity::event_key(
                        &r.get::<_, String>(3)?,
                        r.get(4)?,
                        &r.get::<_, String>(5)?,
                        r.get::<_, Option<String>>(6)?.as_deref(),
                    ),
                    import_id: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rekey(tx, "events", "event", rows, &mut renamed)?
    };
    rename_closed_lines(tx, &renamed)?;
    if feedback_rekeyed + events_rekeyed > 0 {
        let notice = format!(
            "records the export gave no id for are now known by their time, content, order and customer (events: agent, day, rule and note) rather than by every column, so that re-importing an export after 是否成立 or 是否核实 was filled in updates them; {feedback_rekeyed} review(s)/complaint(s) and {events_rekeyed} event(s) re-keyed, and {feedback_merged} review(s)/complaint(s) and {events_merged} event(s) that an earlier re-import had stored a second time removed (the newest version of each kept)"
        );
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            [NOTICE_KEY, notice.as_str()],
        )?;
    }
    Ok(())
}

/// Ids older kefus derived from the whole row: `h` and 16 hex digits.
const OLD_ID: &str = "length(ext_id) = 17 AND ext_id GLOB 'h[0-9a-f]*' \
    AND substr(ext_id, 2) NOT GLOB '*[^0-9a-f]*'";

/// Gives `rows` (of `table`, in id order) their new ids, deleting older
/// versions of one record; records each rename (as the bonus ledger keys
/// them, `tag:source/id`) in `renamed`. Returns (removed, re-keyed).
fn rekey(
    tx: &Transaction<'_>,
    table: &str,
    tag: &str,
    rows: Vec<OldRow>,
    renamed: &mut HashMap<String, String>,
) -> rusqlite::Result<(usize, usize)> {
    // (source, key) → the rows with it.
    let mut groups: HashMap<(&str, u64), Vec<&OldRow>> = HashMap::new();
    for r in &rows {
        groups.entry((&r.source, r.key)).or_default().push(r);
    }
    let mut delete = vec![];
    let mut update = vec![];
    for ((_, key), mut members) in groups {
        members.sort_by_key(|r| (r.import_id, r.id));
        // Numbered within each import, in the order it stored them; the same
        // number in several imports is one record, its newest version kept.
        let mut place_in_import: HashMap<i64, u32> = HashMap::new();
        let mut newest: HashMap<u32, &OldRow> = HashMap::new();
        for r in members {
            let place = place_in_import.entry(r.import_id).or_insert(0);
            *place += 1;
            if let Some(older) = newest.insert(*place, r) {
                delete.push(older.id);
            }
        }
        for (place, r) in newest {
            update.push((r, identity::ext_id(key, place)));
        }
    }
    let mut del = tx.prepare(&format!("DELETE FROM {table} WHERE id = ?1"))?;
    for id in &delete {
        del.execute([id])?;
    }
    let mut set = tx.prepare(&format!("UPDATE {table} SET ext_id = ?1 WHERE id = ?2"))?;
    for (r, new_id) in &update {
        set.execute(rusqlite::params![new_id, r.id])?;
        renamed.insert(
            format!("{tag}:{}/{}", r.source, r.old_ext_id),
            format!("{tag}:{}/{new_id}", r.source),
        );
    }
    Ok((delete.len(), update.len()))
}

/// Closed bonus periods name their lines by the record behind each
/// (`event:source/id`, `leader:event:…`, `complaint:…`, `adjust:2026Q3:…`):
/// renamed records keep their lines, so that the period's adjustments do
/// not list them as gone and new. A line of a removed second copy keeps its
/// old name and shows as no longer counted: the record had been counted
/// twice.
fn rename_closed_lines(
    tx: &Transaction<'_>,
    renamed: &HashMap<String, String>,
) -> rusqlite::Result<()> {
    if renamed.is_empty() {
        return Ok(());
    }
    let lines: Vec<(String, String, String)> = tx
        .prepare("SELECT period, key, source FROM closed_lines")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut set =
        tx.prepare("UPDATE closed_lines SET key = ?1, source = ?2 WHERE period = ?3 AND key = ?4")?;
    for (period, key, source) in lines {
        let found = ["event:", "complaint:"].iter().find_map(|tag| {
            key.match_indices(tag)
                .find_map(|(at, _)| renamed.get(&key[at..]).map(|new| (at, new)))
        });
        if let Some((at, new)) = found {
            let old_id = key.rsplit('/').next().unwrap_or_default();
            let new_id = new.rsplit('/').next().unwrap_or_default();
            let new_key = format!("{}{new}", &key[..at]);
            set.execute([
                new_key.as_str(),
                &source.replace(old_id, new_id),
                &period,
                &key,
            ])?;
        }
    }
    Ok(())
}
