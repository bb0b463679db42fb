//! The store's schema as an ordered list of migrations. A newer kefu opens an
//! older store and upgrades it in one transaction; never edit a migration that
//! has shipped, add a new one.

use rusqlite_migration::{Migrations, M};

/// Every migration, oldest first. The index + 1 is the schema version
/// (SQLite's `user_version`).
pub fn migrations() -> Migrations<'static> {
    Migrations::new(
        ALL.iter()
            .enumerate()
            .map(|(i, sql)| migration(i, sql))
            .collect(),
    )
}

/// Migration `i` (0-based): its SQL, and for version 4 the re-keying of
/// records without an export id and for version 8 the other names from the
/// stored feedback, which need Rust ([`super::upgrade`]).
fn migration(i: usize, sql: &'static str) -> M<'static> {
    if i + 1 == 4 {
        M::up_with_hook(sql, super::upgrade::rekey_derived_ids)
    } else if i + 1 == 8 {
        M::up_with_hook(sql, super::upgrade::other_names_from_feedback)
    } else {
        M::up(sql)
    }
}

/// The migrations up to schema `version` only, to build the stores older
/// kefus wrote (for upgrade tests).
#[cfg(test)]
pub fn migrations_up_to(version: usize) -> Migrations<'static> {
    Migrations::new(
        ALL[..version]
            .iter()
            .enumerate()
            .map(|(i, sql)| migration(i, sql))
            .collect(),
    )
}

/// The migrations' SQL, oldest first.
const ALL: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11];

/// The schema version this build writes.
pub const LATEST: usize = ALL.len();

/// Version 1: feedback (reviews and complaints), the roster, import runs, meta.
/// No foreign keys and no CHECK constraints: kefu is the only writer and
/// validates every value before it is stored; a parent check and CHECKs on
/// every inserted row cost a quarter of import time.
const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,           -- Unix seconds
    kind        TEXT NOT NULL,
    files       TEXT NOT NULL,              -- JSON array of per-file summaries
    read        INTEGER NOT NULL,
    new         INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    rejected    INTEGER NOT NULL
) STRICT;

-- Reviews and complaints. A complaint is handled as a negative review.
CREATE TABLE feedback (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,          -- review | complaint
    source          TEXT NOT NULL,          -- export source (platform or --source)
    ext_id          TEXT NOT NULL,          -- id in the export, or h:<hash> when it has none
    hash            INTEGER NOT NULL,       -- hash of the imported fields, to detect changes
    created_at      INTEGER NOT NULL,       -- Unix seconds (UTC)
    local_day       INTEGER NOT NULL,       -- days since 1970-01-01 in the workspace timezone
    channel         TEXT,
    agent_id        TEXT,                   -- roster id, filled from the name when only a name was given
    agent_name      TEXT,
    department      TEXT,
    polarity        TEXT,                   -- negative | neutral | positive
    stars           INTEGER,
    content         TEXT,
    order_id        TEXT,
    customer        TEXT,
    customer_phone  TEXT,
    declared_cause  TEXT,                   -- cause the export declared (a manager's 差评原因)
    auto_cause      TEXT,                   -- cause found by the classifier
    auto_causes     TEXT,                   -- all causes found, ';'-separated, strongest first
    auto_evidence   TEXT,                   -- phrases that decided
    responsibility  TEXT,
    validity        TEXT,
    leader_id       TEXT,
    extra           TEXT,                   -- JSON object: columns that map to no field
    -- The cause reports use: coalesce(declared_cause, auto_cause), kept by
    -- every write. A plain column, not a generated one: SQLite never uses an
    -- index on a generated column as covering, and trend reports need that.
    cause           TEXT,
    import_id       INTEGER NOT NULL,       -- imports.id that first brought it
    updated_import  INTEGER,                -- imports.id that last changed it
    UNIQUE (source, ext_id)
) STRICT;
CREATE INDEX feedback_by_day ON feedback (local_day, kind, polarity, cause);
CREATE INDEX feedback_by_agent ON feedback (agent_id, local_day);

-- The roster (客服名单).
CREATE TABLE agents (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    department  TEXT,
    leader_id   TEXT,
    joined_on   TEXT,                       -- YYYY-MM-DD
    left_on     TEXT,                       -- YYYY-MM-DD
    extra       TEXT,
    hash        INTEGER NOT NULL,
    import_id   INTEGER NOT NULL
) STRICT;
CREATE INDEX agents_by_name ON agents (name);
"#;

/// Version 2: reward/penalty events, monthly activity, closed bonus periods.
const V2: &str = r#"
-- Recorded reward/penalty events (奖惩记录).
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    ext_id      TEXT NOT NULL,
    hash        INTEGER NOT NULL,
    agent_id    TEXT NOT NULL,
    day         INTEGER NOT NULL,           -- local day number
    rule_id     TEXT NOT NULL,
    count       INTEGER NOT NULL,
    note        TEXT,
    reference   TEXT,
    verified    INTEGER,                    -- 1 yes, 0 no, NULL not stated
    import_id   INTEGER NOT NULL,
    UNIQUE (source, ext_id)
) STRICT;
CREATE INDEX events_by_day ON events (day);
CREATE INDEX events_by_agent ON events (agent_id, rule_id, day);

-- Monthly activity per agent and metric (queries, orders taken …).
CREATE TABLE activity (
    month       TEXT NOT NULL,              -- YYYY-MM
    agent_id    TEXT NOT NULL,
    metric      TEXT NOT NULL,
    value       TEXT NOT NULL,              -- exact decimal
    hash        INTEGER NOT NULL,
    import_id   INTEGER NOT NULL,
    PRIMARY KEY (month, metric, agent_id)
) STRICT;

-- Closed bonus periods: the frozen ledger and payout.
CREATE TABLE closed_periods (
    name        TEXT PRIMARY KEY,           -- 2026Q3
    first_day   INTEGER NOT NULL,
    last_day    INTEGER NOT NULL,
    closed_at   INTEGER NOT NULL,
    payout      TEXT NOT NULL               -- JSON of the bonus table as closed
) STRICT;
CREATE TABLE closed_lines (
    period      TEXT NOT NULL REFERENCES closed_periods(name),
    key         TEXT NOT NULL,              -- stable identity of the line
    day         INTEGER NOT NULL,
    agent_id    TEXT NOT NULL,
    rule_id     TEXT NOT NULL,
    points      INTEGER NOT NULL,
    source      TEXT NOT NULL,
    PRIMARY KEY (period, key)
) STRICT;
"#;

/// Version 3: whether each feedback time was a naive local clock time (no
/// offset), so that a change of the workspace timezone can re-read clock
/// times in the new zone and keep the instant of those that had an offset.
/// Rows stored before this version did not record it and count as naive (1):
/// most exports write clock times, and a naive time read in the wrong zone is
/// the mistake a timezone change usually corrects.
const V3: &str = r#"
-- 1: created_at was written as a local clock time, read in the workspace
-- timezone; 0: it carried Z or an offset, and its instant is what counts.
ALTER TABLE feedback ADD COLUMN naive_time INTEGER NOT NULL DEFAULT 1;
"#;

/// Version 4: records an export gave no id for are keyed by the fields that
/// name them, not by their whole row (see [`crate::identity`]); the hook
/// re-keys those older kefus stored. No change to the tables.
const V4: &str = "-- re-key records without an export id (see store/upgrade.rs)";

/// Version 5: the roster's history. A roster import that moves an agent to
/// another department or leader keeps what they had before, so that points
/// and reports of earlier days are not rewritten by a transfer.
const V5: &str = r#"
-- An agent's department and leader up to and including local day
-- `until_day` (the day before a change took effect). The values of a day
-- are those of the first row whose until_day is on or after it, else the
-- roster's own.
CREATE TABLE agent_history (
    agent_id    TEXT NOT NULL,
    until_day   INTEGER NOT NULL,
    department  TEXT,
    leader_id   TEXT,
    PRIMARY KEY (agent_id, until_day)
) STRICT;
"#;

/// Version 6: a leader's joint-liability line in the bonus ledger is keyed
/// by the leader too (`leader:L1:event:SOURCE/ID`), so that a move to
/// another leader dated inside a closed period is an adjustment rather than
/// no change; the keys of closed periods' lines, and of the adjustments
/// they froze, are renamed to match.
const V6: &str = r#"
UPDATE closed_lines SET key = 'leader:' || agent_id || ':' || substr(key, 8)
 WHERE key LIKE 'leader:%';
UPDATE closed_lines
   SET key = substr(key, 1, instr(key, ':leader:') + 7) || agent_id || ':'
             || substr(key, instr(key, ':leader:') + 8),
       -- The key an adjustment's text ends with, `(leader:event:…)`, too.
       source = replace(source, '(leader:', '(leader:' || agent_id || ':')
 WHERE key LIKE 'adjust:%' AND instr(key, ':leader:') > 0;
"#;

/// Version 7: reviews from an export with no rating column (every one taken
/// as negative: the export held only 差评) are marked, so that the negative
/// rate leaves them out: their source's other reviews were never imported.
/// A partial index finds the few there are by day. Rows stored before this
/// version are NULL, not known: they count as rated until an export says
/// (a 差评-only export imported again marks its reviews; a rated one, 0).
const V7: &str = r#"
ALTER TABLE feedback ADD COLUMN unrated INTEGER;
CREATE INDEX feedback_unrated ON feedback (local_day) WHERE unrated = 1;
"#;

/// Version 8: names an agent was known by besides the roster's current one,
/// so that an export naming an agent by a former name still links to them
/// (a re-import after a rename had unlinked records, and charged a closed
/// quarter's complaint to no one). A roster import that renames an agent
/// keeps the old name here; the upgrade fills it with the names stored
/// feedback linked to an agent carries where they differ from the roster's
/// and are no agent's name now (a name typed beside the wrong id is
/// another agent's, not a former one).
const V8: &str = r#"
CREATE TABLE agent_other_names (
    agent_id    TEXT NOT NULL,
    name        TEXT NOT NULL,
    PRIMARY KEY (agent_id, name)
) STRICT, WITHOUT ROWID;
-- Filled from the stored feedback by store/upgrade.rs.
"#;

/// Version 9: earlier employments of agents re-hired under the same id
/// (返聘 with the old 工号). The roster row holds the current employment; a
/// re-hire used to overwrite the first, and the months worked then stopped
/// counting (their points, a closed quarter's clawed back).
const V9: &str = r#"
CREATE TABLE agent_stints (
    agent_id    TEXT NOT NULL,
    joined_on   TEXT,                       -- YYYY-MM-DD, NULL when not known
    left_on     TEXT NOT NULL,              -- YYYY-MM-DD
    PRIMARY KEY (agent_id, left_on)
) STRICT, WITHOUT ROWID;
"#;

/// Version 10: the negative feedback that can count against an agent or be
/// pending under any policy ([`crate::points::Policy`]): everything with a
/// validity, and complaints without one (pending until investigated). A
/// negative review nobody has judged never counts, so `bonus` and `points`
/// read these alone, in time and memory that do not grow with the ordinary
/// reviews in the store (found by exploratory testing: 2,000,000 stored
/// reviews took a year's bonus 9 s and 209 MB). Import pays for the index only
/// on such rows. Not `IF NOT EXISTS`: a kefu that waited for another's
/// upgrade fails on the index and finds the store upgraded, so that only
/// the one that upgraded it says so (found by exploratory testing).
const V10: &str = r#"
CREATE INDEX feedback_charges ON feedback (local_day, agent_id)
    WHERE polarity = 'negative' AND (validity IS NOT NULL OR kind = 'complaint');
"#;

/// Version 11: how many complaints a frozen ledger line counts (an event
/// of a rule with `complaint = true` counts its occurrences; a feedback
/// complaint's line is known by its key, as before).
const V11: &str = r#"
ALTER TABLE closed_lines ADD COLUMN complaints INTEGER NOT NULL DEFAULT 0;
"#;

/// The condition of the `feedback_charges` index (version 10), to be
/// repeated word for word in a query that is to use it.
pub const CHARGES_INDEXED: &str =
    "polarity = 'negative' AND (validity IS NOT NULL OR kind = 'complaint')";

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }

    /// Found by exploratory testing: the upgrade renamed a frozen
    /// adjustment's key but left the old key at the end of its text.
    #[test]
    fn version_6_renames_leader_keys_and_the_text_that_names_them() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations_up_to(5).to_latest(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO closed_periods VALUES ('2026Q4', 1, 2, 3, '[]');
             INSERT INTO closed_lines VALUES ('2026Q4', 'leader:event:e/V1', 1, 'L1', 'r', -2, 'joint liability');
             INSERT INTO closed_lines VALUES ('2026Q4', 'adjust:2026Q3:leader:event:e/V2', 1, 'L1', 'r', -2,
                 'adjustment to closed 2026Q3: newly counted: joint liability (leader:event:e/V2)');",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let rows: Vec<(String, String)> = conn
            .prepare("SELECT key, source FROM closed_lines ORDER BY key")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "adjust:2026Q3:leader:L1:event:e/V2".to_string(),
                    "adjustment to closed 2026Q3: newly counted: joint liability (leader:L1:event:e/V2)"
                        .to_string()
                ),
                ("leader:L1:event:e/V1".to_string(), "joint liability".to_string()),
            ]
        );
    }
}
