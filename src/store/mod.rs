//! The store: one SQLite file (`kefu.db`) per workspace, and every SQL
//! statement kefu runs. Nothing outside this module writes SQL.
//!
//! Durability and concurrency: WAL journal, `synchronous=NORMAL` (a commit is
//! atomic; a power cut can lose the last commit but never half of one), and a
//! busy timeout so that a second writer waits instead of failing. Readers see
//! the last committed state, never half an import. One import is one
//! `BEGIN IMMEDIATE … COMMIT`; a crash or `kill -9` before the commit leaves
//! the store exactly as it was.

pub mod agents;
pub mod feedback;
pub mod points;
pub mod reports;
mod schema;

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use chrono_tz::Tz;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

/// An open store.
pub struct Store {
    pub(crate) conn: Connection,
    tz: Tz,
}

/// The schema version this build writes.
pub fn latest_version() -> usize {
    schema::LATEST
}

impl Store {
    /// Creates a new store at `path` (which must not exist) and migrates it.
    pub fn create(path: &Path, tz: Tz) -> Result<Store> {
        if path.exists() {
            bail!("{} already exists", path.display());
        }
        let conn = Connection::open(path)
            .with_context(|| format!("cannot create the store {}", path.display()))?;
        // Larger pages: fewer b-tree splits on bulk imports (measured ~7% faster
        // than 4 KiB). Must be set before the first table exists.
        conn.pragma_update(None, "page_size", 16_384)?;
        Store::setup(conn, path, tz, Duration::from_secs(5))
    }

    /// A store in memory (for reports on an export given with `--input`).
    pub fn in_memory(tz: Tz) -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        Store::setup(conn, Path::new(":memory:"), tz, Duration::from_secs(5))
    }

    /// Opens an existing store, upgrading its schema if it is older than this
    /// build, and re-cutting local days if the workspace timezone changed.
    pub fn open(path: &Path, tz: Tz, busy_timeout: Duration) -> Result<Store> {
        if !path.exists() {
            bail!(crate::error::NoStore(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open the store {}", path.display()))?;
        Store::setup(conn, path, tz, busy_timeout)
    }

    fn setup(mut conn: Connection, path: &Path, tz: Tz, busy_timeout: Duration) -> Result<Store> {
        conn.busy_timeout(busy_timeout)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .with_context(|| format!("{} is not a kefu store (not SQLite?)", path.display()))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // 32 MiB page cache: enough to keep the indexes hot during a large
        // import, small enough for the 100 MB memory budget.
        conn.pragma_update(None, "cache_size", -32_768)?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let version = version as usize;
        if version > schema::LATEST {
            bail!(
                "{} was written by a newer kefu (schema version {version}, this kefu knows up to {}); upgrade kefu",
                path.display(),
                schema::LATEST
            );
        }
        if version < schema::LATEST {
            schema::migrations().to_latest(&mut conn).with_context(|| {
                format!(
                    "upgrading the store {} from schema version {version}",
                    path.display()
                )
            })?;
        }
        let mut store = Store { conn, tz };
        store.sync_timezone()?;
        Ok(store)
    }

    /// The workspace timezone the store's local days are cut in.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The schema version of the open store.
    pub fn schema_version(&self) -> Result<usize> {
        let v: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok(v as usize)
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Local days are precomputed for fast reports; if the configured timezone
    /// differs from the one they were cut in, re-cut them all (rare).
    fn sync_timezone(&mut self) -> Result<()> {
        let name = self.tz.name();
        match self.meta("timezone")? {
            Some(old) if old == name => Ok(()),
            old => {
                let tz = self.tz;
                let tx = self
                    .conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                if old.is_some() {
                    eprintln!(
                        "kefu: the workspace timezone changed from {} to {name}; re-cutting days",
                        old.unwrap_or_default()
                    );
                    let rows: Vec<(i64, i64)> = {
                        let mut st = tx.prepare("SELECT id, created_at FROM feedback")?;
                        let it = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                        it.collect::<rusqlite::Result<_>>()?
                    };
                    let mut up = tx.prepare("UPDATE feedback SET local_day = ?1 WHERE id = ?2")?;
                    for (id, ts) in rows {
                        up.execute(params![crate::dates::local_day(ts, tz), id])?;
                    }
                }
                tx.execute(
                    "INSERT INTO meta(key, value) VALUES ('timezone', ?1)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [name],
                )?;
                tx.commit()?;
                Ok(())
            }
        }
    }

    /// Sets this connection's page cache to `kib` KiB (at least 64): smaller
    /// than the default for an import's writer, which shares its memory
    /// budget with the classifier, and for a second connection that only
    /// probes an index beside a writer (pages it misses come from the OS
    /// cache).
    pub fn limit_cache(&self, kib: i64) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -kib.max(64))?;
        Ok(())
    }

    /// Starts a write transaction, taking the write lock now (waiting up to the
    /// busy timeout for another writer) so that it cannot fail half-way.
    pub fn begin_write(&mut self) -> Result<rusqlite::Transaction<'_>> {
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context(
                "cannot start writing: another process holds the store too long (busy timeout)",
            )
    }

    /// Checks the file's integrity (`PRAGMA integrity_check`).
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// Records one import run and returns its id.
pub fn insert_import(tx: &rusqlite::Transaction<'_>, kind: &str, started_at: i64) -> Result<i64> {
    tx.execute(
        "INSERT INTO imports(started_at, kind, files, read, new, updated, unchanged, rejected)
         VALUES (?1, ?2, '[]', 0, 0, 0, 0, 0)",
        params![started_at, kind],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Totals of one import run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub read: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

impl Counts {
    /// Counts one stored record.
    pub fn add(&mut self, outcome: feedback::Upsert) {
        match outcome {
            feedback::Upsert::New => self.new += 1,
            feedback::Upsert::Updated => self.updated += 1,
            feedback::Upsert::Unchanged => self.unchanged += 1,
        }
    }

    /// Adds another file's counts to these.
    pub fn merge(&mut self, other: &Counts) {
        self.read += other.read;
        self.new += other.new;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.rejected += other.rejected;
    }
}

/// Stores the final counts and per-file summary (JSON) of an import run.
pub fn finish_import(
    tx: &rusqlite::Transaction<'_>,
    import_id: i64,
    files_json: &str,
    c: Counts,
) -> Result<()> {
    tx.execute(
        "UPDATE imports SET files = ?2, read = ?3, new = ?4, updated = ?5, unchanged = ?6, rejected = ?7
         WHERE id = ?1",
        params![import_id, files_json, c.read as i64, c.new as i64, c.updated as i64, c.unchanged as i64, c.rejected as i64],
    )?;
    Ok(())
}
