//! SQL for feedback (reviews and complaints): insert-or-update by
//! (source, ext_id) with change detection by hash.

use anyhow::Result;
use rusqlite::{params, OptionalExtension, Transaction};

use crate::domain::FeedbackKind;
use crate::ingest::records::FeedbackRecord;

/// What storing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    New,
    Updated,
    Unchanged,
}

const INSERT: &str = "INSERT INTO feedback (
        kind, source, ext_id, hash, created_at, local_day, channel, agent_id, agent_name, department,
        polarity, stars, content, order_id, customer, customer_phone, declared_cause,
        responsibility, validity, leader_id, extra, import_id)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
    ON CONFLICT (source, ext_id) DO NOTHING";

const LOOKUP: &str = "SELECT id, hash FROM feedback WHERE source = ?1 AND ext_id = ?2";

/// An update keeps the row's id, its first import and its classification
/// unless the text changed (then the classifier must look again).
const UPDATE: &str = "UPDATE feedback SET
        kind = ?1, hash = ?4, created_at = ?5, local_day = ?6, channel = ?7, agent_id = ?8,
        agent_name = ?9, department = ?10, polarity = ?11, stars = ?12,
        auto_cause = CASE WHEN content IS ?13 THEN auto_cause END,
        auto_causes = CASE WHEN content IS ?13 THEN auto_causes END,
        auto_evidence = CASE WHEN content IS ?13 THEN auto_evidence END,
        content = ?13, order_id = ?14, customer = ?15, customer_phone = ?16, declared_cause = ?17,
        responsibility = ?18, validity = ?19, leader_id = ?20, extra = ?21, updated_import = ?22
    WHERE id = ?23 AND source = ?2 AND ext_id = ?3";

/// Inserts a record, or updates the stored one with the same source and id
/// if any field changed. Statements are cached on the connection.
pub fn upsert(
    tx: &Transaction<'_>,
    kind: FeedbackKind,
    source: &str,
    rec: &FeedbackRecord<'_>,
    import_id: i64,
) -> Result<Upsert> {
    let agent_id = rec.agent_id.as_deref();
    let values = params![
        kind.id(),
        source,
        rec.ext_id.as_ref(),
        rec.hash,
        rec.created_at,
        rec.local_day,
        rec.channel,
        agent_id,
        rec.agent_name,
        rec.department,
        rec.polarity.id(),
        rec.stars,
        rec.content,
        rec.order_id,
        rec.customer,
        rec.customer_phone,
        rec.declared_cause.map(|c| c.id()),
        rec.responsibility.map(|r| r.id()),
        rec.validity.map(|v| v.id()),
        rec.leader_id,
        rec.extra.as_deref(),
        import_id,
    ];
    if tx.prepare_cached(INSERT)?.execute(values)? == 1 {
        return Ok(Upsert::New);
    }
    let (id, hash): (i64, i64) = tx
        .prepare_cached(LOOKUP)?
        .query_row(params![source, rec.ext_id.as_ref()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| anyhow::anyhow!("record {source}/{} vanished during import", rec.ext_id))?;
    if hash == rec.hash {
        return Ok(Upsert::Unchanged);
    }
    let mut update_values: Vec<&dyn rusqlite::ToSql> = values.to_vec();
    update_values.push(&id);
    tx.prepare_cached(UPDATE)?.execute(&*update_values)?;
    Ok(Upsert::Updated)
}

/// Number of feedback rows in the store.
pub fn count(conn: &rusqlite::Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM feedback", [], |r| r.get(0))?)
}
