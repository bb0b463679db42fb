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

/// The extra columns (a JSON object) of a stored record once a row whose
/// own are `row` is written over them (`stored`), and whether any was kept
/// from `stored`: the stored ones in their order (so that a row changing
/// nothing changes nothing), each with the row's value where it has one,
/// as stored where the row's file has no such column (`has_column`), gone
/// where it has one left empty; then the row's new ones. A later file
/// without a column (a 调岗单 after the roster's 手机号 and 备注, the
/// platform's raw export after the managers' log) leaves what the store
/// holds for it (found by exploratory testing: it erased them).
pub fn merge_extra(
    stored: Option<&str>,
    row: Option<&str>,
    has_column: impl Fn(&str) -> bool,
) -> (Option<String>, bool) {
    let object = |text: &str| match serde_json::from_str(text) {
        Ok(serde_json::Value::Object(map)) => Some(map),
        _ => None,
    };
    let Some(stored) = stored.and_then(object) else {
        return (row.map(str::to_string), false);
    };
    let row = row.and_then(object).unwrap_or_default();
    let (mut merged, mut kept) = (serde_json::Map::new(), false);
    for (k, v) in stored {
        if let Some(now) = row.get(&k) {
            merged.insert(k, now.clone());
        } else if !has_column(&k) {
            merged.insert(k, v);
            kept = true;
        }
    }
    for (k, v) in row {
        if !merged.contains_key(&k) {
            merged.insert(k, v);
        }
    }
    let text = (!merged.is_empty()).then(|| serde_json::Value::Object(merged).to_string());
    (text, kept)
}
pub mod points;
pub mod reports;
mod schema;
mod upgrade;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use chrono_tz::Tz;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};

/// What the first statement on a store says when it fails: a file that is
/// no SQLite database, or one kefu may not write (a workspace the user may
/// only read: SQLite's WAL journal needs `kefu.db-wal` and `kefu.db-shm`
/// beside the store, even to read it).
fn open_error(e: rusqlite::Error, path: &Path) -> anyhow::Error {
    use rusqlite::ErrorCode;
    // Of the file a link leads to, where SQLite puts its journals (found
    // by exploratory testing: the link's directory was named, writable).
    let real = std::fs::canonicalize(path).ok();
    let dir = real
        .as_deref()
        .unwrap_or(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            anyhow::anyhow!("{} is not a kefu store (not SQLite?)", path.display())
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            anyhow::anyhow!(
                "cannot use the store {}: kefu needs to write it and its directory {} (SQLite's journal files kefu.db-wal and kefu.db-shm go there, even for a report); ask for write access, or work on a copy of the workspace",
                path.display(),
                dir.display()
            )
        }
        _ => anyhow::Error::new(e).context(format!("cannot open the store {}", path.display())),
    }
}

/// Refuses a journal of the store at `path` that is a device or a pipe,
/// which SQLite opens and would wait on (found by exploratory testing: a
/// pipe named kefu.db-wal hung every command): beside the file a link
/// leads to, where SQLite keeps them, and beside the link itself.
fn refuse_odd_journals(path: &Path) -> Result<()> {
    for beside in journals_beside(path, &["-wal", "-shm", "-journal"]) {
        if crate::workspace::is_device_or_pipe(&beside) {
            bail!(
                "{} is not a file (a device or a pipe): SQLite keeps the store's journal or its index there; remove it",
                beside.display()
            );
        }
    }
    Ok(())
}

/// The files named `path` + each suffix, beside `path` and beside the file
/// its links lead to (or, for a store still to be made, will lead to).
fn journals_beside(path: &Path, suffixes: &[&str]) -> Vec<PathBuf> {
    let end =
        std::fs::canonicalize(path).unwrap_or_else(|_| crate::render::output::written_path(path));
    let mut out = vec![];
    for file in [path, end.as_path()] {
        for suffix in suffixes {
            let mut beside = file.as_os_str().to_owned();
            beside.push(suffix);
            out.push(PathBuf::from(beside));
        }
    }
    out
}

/// Refuses to make a store at `path` beside a WAL or rollback journal with
/// data in it (of a store deleted or moved without them).
fn refuse_leftover_journals(path: &Path) -> Result<()> {
    for beside in journals_beside(path, &["-wal", "-journal"]) {
        if std::fs::metadata(&beside).is_ok_and(|m| m.is_file() && m.len() > 0) {
            bail!(
                "{} is left beside where the store goes, without its store (one deleted or moved without it): SQLite would replay it into the new store; move it away (with its -shm), then run kefu init again",
                beside.display()
            );
        }
    }
    Ok(())
}

/// Refuses a store this user may not write, or whose `-wal`, `-shm` or
/// `-journal` files beside it they may not write, before SQLite opens
/// anything. SQLite would open a write-protected kefu.db read-only,
/// silently, and a report would create the `-wal` and `-shm` files as this
/// user, which the store's owner then could not write: every later import
/// failed (found by exploratory testing on a group-shared workspace).
fn check_writable(path: &Path) -> Result<()> {
    use std::io::ErrorKind::PermissionDenied;
    let mut files = vec![path.to_path_buf()];
    // SQLite's journals are beside the file a link leads to (found by
    // exploratory testing: those beside the link were checked).
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    // A rollback journal too (found by exploratory testing: the directory
    // was blamed for one another user left).
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = real.as_os_str().to_owned();
        name.push(suffix);
        files.push(PathBuf::from(name));
    }
    // An empty rollback journal is no journal to SQLite, which never
    // writes it (found by exploratory testing: one another user left
    // stopped every command).
    let needed = |f: &PathBuf| {
        f.exists()
            && !(f.to_string_lossy().ends_with("-journal")
                && std::fs::metadata(f).is_ok_and(|m| m.len() == 0))
    };
    for file in files.iter().filter(|f| needed(f)) {
        // Opened for writing and closed at once: nothing is written.
        match std::fs::OpenOptions::new().write(true).open(file) {
            Err(e) if e.kind() == PermissionDenied && file == path => {
                return Err(open_error(
                    rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                        None,
                    ),
                    path,
                ));
            }
            Err(e) if e.kind() == PermissionDenied => {
                bail!(
                    "cannot use the store {}: {} {} is not writable by this user: SQLite's {} (made by a kefu another user ran, or its mode changed); ask its owner or an administrator to make it writable for you (chmod g+w, with the group shared) or, while no kefu runs, to remove it{}",
                    path.display(),
                    file.display(),
                    owner_and_mode(file),
                    if file.to_string_lossy().ends_with("-shm") {
                        "shared-memory index of its write-ahead log"
                    } else {
                        "journal file"
                    },
                    if file.to_string_lossy().ends_with("-shm") {
                        " (it holds no data)"
                    } else if file.to_string_lossy().ends_with("-journal") {
                        " if it is empty (0 bytes; otherwise it holds what undoes a write cut short, which SQLite replays when the store is next opened by a user who can write it)"
                    } else {
                        " if it is empty (0 bytes)"
                    }
                );
            }
            _ => {}
        }
    }
    Ok(())
}

/// `(owned by user 1001, mode 0640)`, where the system says.
fn owner_and_mode(file: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = std::fs::metadata(file) {
            return format!(
                "(owned by user {}, mode {:04o})",
                m.uid(),
                m.mode() & 0o7777
            );
        }
    }
    let _ = file;
    String::new()
}

/// SQL functions kefu's queries use: `kefu_same(text, key)`, whether `text`
/// reads as `key` (a [`crate::domain::normalize_term`] form) as
/// vocabularies compare (width, case, white space and script folded: 京東
/// and 京东 alike), NULL when either is NULL. Compared character by character
/// without a copy: it runs once per record a filtered report reads. And
/// `kefu_agent_is(text, key)`, whether `text` is the agent id whose
/// [`crate::domain::agent_key`] is `key` (`2001.0` is `2001`).
fn register_functions(conn: &Connection) -> Result<()> {
    text_function(conn, "kefu_same", crate::domain::same_term)?;
    text_function(conn, "kefu_agent_is", |text, key| {
        crate::domain::agent_key(text) == key
    })
}

/// Registers `name(text, key)`: `test` of the two texts, NULL when either
/// is NULL, false for anything else.
fn text_function(conn: &Connection, name: &str, test: fn(&str, &str) -> bool) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    use rusqlite::types::ValueRef;
    conn.create_scalar_function(
        name,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| {
            Ok(match (ctx.get_raw(0), ctx.get_raw(1)) {
                (ValueRef::Text(text), ValueRef::Text(key)) => {
                    match (std::str::from_utf8(text), std::str::from_utf8(key)) {
                        (Ok(text), Ok(key)) => Some(test(text, key)),
                        _ => Some(false),
                    }
                }
                (ValueRef::Null, _) | (_, ValueRef::Null) => None,
                _ => Some(false),
            })
        },
    )?;
    Ok(())
}

/// An open store.
pub struct Store {
    pub(crate) conn: Connection,
    tz: Tz,
    /// What opening did because the workspace timezone had changed, if anything.
    timezone_change: Option<TimezoneChange>,
    /// See [`Store::upgrade_notice`].
    upgrade_notice: Option<String>,
    /// The schema version this process upgraded the store from, if it did.
    upgraded_from: Option<usize>,
    /// Opened with [`TimezoneSync::Defer`] while the workspace timezone
    /// differs from the one the store was cut in.
    timezone_pending: bool,
}

/// Whether opening a store re-cuts it when the workspace timezone changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimezoneSync {
    /// Re-read times and re-cut days now, for good (every command but those below).
    Now,
    /// Leave the store as it is: a dry run, which writes nothing, re-cuts
    /// inside its own transaction ([`sync_timezone_in`]) and rolls it back;
    /// a second connection beside a writer that has already re-cut.
    Defer,
}

/// What opening the store did because the workspace timezone had changed
/// since the store last saw it and the store holds feedback, for a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimezoneChange {
    /// The timezone the stored times had been read and cut in …
    pub from: String,
    /// … and the one they are read and cut in now.
    pub to: String,
    /// Naive clock times re-read in the new timezone: same clock time, so a
    /// new instant.
    pub reread: u64,
    /// Of those, clock times the new timezone skips (the spring-forward hour
    /// of DST): stored rows cannot be rejected, so they moved forward by the
    /// jump (02:30 becomes 03:30).
    pub moved_forward: u64,
    /// Times that carried `Z` or an offset: same instant, day re-cut. Naive
    /// times too when the old timezone is unknown to this kefu.
    pub kept_instant: u64,
    /// The old timezone's name is unknown to this kefu (written by one with
    /// a newer timezone database), so naive times could not be re-read.
    pub from_unknown: bool,
}

impl TimezoneChange {
    /// One line saying what changed, for stderr.
    pub fn notice(&self) -> String {
        let mut notice = format!(
            "the workspace timezone changed from {} to {}; ",
            self.from, self.to
        );
        if self.from_unknown {
            notice.push_str(&format!(
                "{} is unknown to this kefu, so naive times could not be re-read: all {} time(s) kept their instant; days re-cut",
                self.from, self.kept_instant
            ));
            return notice;
        }
        notice.push_str(&format!(
            "re-read {} naive time(s) in {} (same clock time, new instant); {} with an offset kept their instant; days re-cut",
            self.reread, self.to, self.kept_instant
        ));
        if self.moved_forward > 0 {
            notice.push_str(&format!(
                "; {} naive time(s) do not exist in {} (clocks go forward there) and moved forward by the jump",
                self.moved_forward, self.to
            ));
        }
        notice
    }
}

/// The store this process opened first (for messages about it).
static OPENED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Removes the temporary stores of `kefu init`s that were killed mid-way
/// (`.kefu.db.PID.kefu-tmp` and its journals, whose process is gone). Only
/// where the system says which processes run (Linux's /proc).
fn remove_abandoned_stores(dir: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let Some((pid, tail)) = rest.split_once('.') else {
            continue;
        };
        let gone = pid
            .parse::<u32>()
            .is_ok_and(|p| !Path::new(&format!("/proc/{p}")).exists());
        if gone && tail.starts_with("kefu-tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The path of the store this process opened first, if any.
pub fn opened_path() -> Option<&'static Path> {
    OPENED.get().map(PathBuf::as_path)
}

/// The schema version this build writes.
pub fn latest_version() -> usize {
    schema::LATEST
}

impl Store {
    /// Creates a new store at `path` (which must not exist) and migrates it.
    ///
    /// The store is made beside `path` under a temporary name and moved into
    /// place complete: a `kefu init` killed mid-way leaves no half-made
    /// store (it left a 0-byte kefu.db, refused ever after), and of two run
    /// at once one makes it and the other opens it (both found by
    /// exploratory testing).
    pub fn create(path: &Path, tz: Tz) -> Result<Store> {
        Store::place_new(path, tz)?;
        Store::open(path, tz, Duration::from_secs(5))
    }

    /// Makes a new, empty store at `path` (see [`Store::create`]): false
    /// when another process made it meanwhile (several `kefu init` at once:
    /// one makes the store, the others find it).
    pub fn place_new(path: &Path, tz: Tz) -> Result<bool> {
        if path.exists() {
            bail!("{} already exists", path.display());
        }
        // Not beside a journal that would hang every command after (found
        // by exploratory testing: init made the store beside a pipe).
        refuse_odd_journals(path)?;
        // Nor beside what a store gone left of its writes: SQLite would
        // replay that into the new store (found by exploratory testing:
        // the next command found another program's database there).
        refuse_leftover_journals(path)?;
        // kefu.db as a symbolic link to a store still to be made (on another
        // disk): made where it points.
        // Through a chain of links too (found by exploratory testing); one
        // that cannot be followed to its end (a directory missing) names
        // its first target, for the message below.
        let place = match std::fs::read_link(path) {
            Ok(target) => match crate::render::output::written_path(path) {
                end if end != path => end,
                _ if target.is_absolute() => target,
                _ => path.parent().unwrap_or(Path::new("")).join(target),
            },
            Err(_) => path.to_path_buf(),
        };
        let name = place
            .file_name()
            .map_or("kefu.db".into(), |n| n.to_string_lossy().into_owned());
        let dir = place
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if place != path && !dir.is_dir() {
            bail!(
                "{} is a symbolic link to {}, whose directory {} does not exist: create it, then run kefu init again",
                path.display(),
                place.display(),
                dir.display()
            );
        }
        remove_abandoned_stores(dir, &name);
        let temp = dir.join(format!(".{name}.{}.kefu-tmp", std::process::id()));
        let _ = std::fs::remove_file(&temp);
        // Made here first (an empty file is a new database to SQLite), so
        // that a directory this user may not write is said as such (found by
        // exploratory testing: SQLite's "unable to open database file").
        if let Err(e) = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            if e.kind() == std::io::ErrorKind::PermissionDenied {
                bail!(
                    "cannot create the store {}: no permission to create files in {}",
                    path.display(),
                    dir.display()
                );
            }
            return Err(anyhow::Error::new(e)
                .context(format!("cannot create the store {}", path.display())));
        }
        {
            let conn = Connection::open(&temp)
                .with_context(|| format!("cannot create the store {}", path.display()))?;
            // Larger pages: fewer b-tree splits on bulk imports (measured ~7%
            // faster than 4 KiB). Must be set before the first table exists.
            conn.pragma_update(None, "page_size", 16_384)?;
            // Closed (its WAL checkpointed and removed) before the move.
            drop(Store::setup(
                conn,
                &temp,
                tz,
                Duration::from_secs(5),
                TimezoneSync::Now,
            )?);
        }
        // A hard link fails if another process made the store meanwhile;
        // a rename would replace it. Where links are not supported, a rename.
        let placed = match std::fs::hard_link(&temp, &place) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(_) if !place.exists() => std::fs::rename(&temp, &place).map(|()| true),
            Err(_) => Ok(false),
        };
        let _ = std::fs::remove_file(&temp);
        placed.with_context(|| format!("cannot create the store {}", path.display()))
    }

    /// A store in memory (for reports on an export given with `--input`).
    pub fn in_memory(tz: Tz) -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        Store::setup(
            conn,
            Path::new(":memory:"),
            tz,
            Duration::from_secs(5),
            TimezoneSync::Now,
        )
    }

    /// Opens an existing store, upgrading its schema if it is older than this
    /// build, and re-reading times and re-cutting local days if the workspace
    /// timezone changed (see [`Store::timezone_change`]).
    pub fn open(path: &Path, tz: Tz, busy_timeout: Duration) -> Result<Store> {
        Store::open_with(path, tz, busy_timeout, TimezoneSync::Now)
    }

    /// [`Store::open`], re-cutting on a timezone change only with
    /// [`TimezoneSync::Now`].
    pub fn open_with(
        path: &Path,
        tz: Tz,
        busy_timeout: Duration,
        sync: TimezoneSync,
    ) -> Result<Store> {
        if path.is_dir() {
            bail!(
                "{} is a directory, not a kefu store: move it away and run kefu init",
                path.display()
            );
        }
        if !path.exists() {
            // A symbolic link that leads nowhere (a loop, a target gone).
            if let Ok(target) = std::fs::read_link(path) {
                bail!(
                    "{} is a symbolic link to {}, which cannot be opened: it does not exist yet (kefu init makes the store there), or the links go round in a loop",
                    path.display(),
                    target.display()
                );
            }
            bail!(crate::error::NoStore(path.to_path_buf()));
        }
        // SQLite takes an empty file for a new database, and kefu would fill
        // it with an empty store: a store truncated by a full disk or a bad
        // copy would then report nothing, exit 0 (found by exploratory testing).
        if crate::workspace::is_device_or_pipe(path) {
            bail!(
                "{} is not a file (a device or a pipe), not a kefu store",
                path.display()
            );
        }
        refuse_odd_journals(path)?;
        if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
            bail!(
                "{} is empty (0 bytes), not a kefu store: restore it from a backup, or remove it and run kefu init to start an empty one",
                path.display()
            );
        }
        // Only before this process's first connection: closing a file
        // descriptor of the store drops every POSIX lock the process holds on
        // it, SQLite's included (a second writer then wrote through the
        // first's lock: found by the concurrency test).
        if OPENED.get().is_none() {
            check_writable(path)?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open the store {}", path.display()))?;
        let _ = OPENED.set(path.to_path_buf());
        Store::setup(conn, path, tz, busy_timeout, sync)
    }

    fn setup(
        mut conn: Connection,
        path: &Path,
        tz: Tz,
        busy_timeout: Duration,
        sync: TimezoneSync,
    ) -> Result<Store> {
        conn.busy_timeout(busy_timeout)?;
        register_functions(&conn)?;
        // Another program's database in kefu.db's place (a wrong file
        // restored from a backup) would be "upgraded from schema version 0"
        // and reported on as an empty store: refused before anything is
        // written to it, WAL mode included (found by exploratory testing).
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| open_error(e, path))?;
        // A version other programs set too (user_version is anyone's): a
        // kefu store of any version has the tables of version 1.
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let foreign = if version == 0 {
            !tables.is_empty()
        } else {
            // Kefu's tables by name and by their first columns (a database
            // that only borrowed the names has others).
            !["meta", "imports", "feedback", "agents"]
                .iter()
                .all(|kefu| tables.iter().any(|t| t == kefu))
                || conn
                    .prepare("SELECT key, value FROM meta LIMIT 0")
                    .and_then(|_| conn.prepare("SELECT kind, source, ext_id, hash, created_at, local_day FROM feedback LIMIT 0"))
                    .and_then(|_| conn.prepare("SELECT id, name FROM agents LIMIT 0"))
                    .is_err()
        };
        if foreign {
            let shown: Vec<&str> = tables.iter().take(4).map(String::as_str).collect();
            let holds = if shown.is_empty() {
                "no tables".to_string()
            } else {
                let more = if tables.len() > 4 { ", …" } else { "" };
                format!("tables {}{more}", shown.join(", "))
            };
            bail!(
                "{} is an SQLite database but not a kefu store (it holds {holds}, and no kefu schema): left as it is; point -w at a kefu workspace, or move it away and run kefu init",
                path.display()
            );
        }
        // Room for every statement an import repeats per batch (the lookup
        // and insert statements come in several sizes), so none is re-parsed.
        conn.set_prepared_statement_cache_capacity(64);
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| open_error(e, path))?;
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
        let mut upgraded_from = None;
        if version < schema::LATEST {
            match schema::migrations().to_latest(&mut conn) {
                Ok(()) => upgraded_from = Some(version),
                Err(e) => {
                    // Two kefus opening an older store at once (a cron import
                    // and a report) both read its version and try to upgrade
                    // it: the one that waited for the other's lock fails on
                    // the tables the other created, and finds it upgraded.
                    let now: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
                    if (now as usize) < schema::LATEST {
                        return Err(anyhow::Error::new(e).context(format!(
                            "upgrading the store {} from schema version {version}",
                            path.display()
                        )));
                    }
                }
            }
        }
        let mut store = Store {
            conn,
            tz,
            timezone_change: None,
            upgrade_notice: None,
            upgraded_from,
            timezone_pending: false,
        };
        if version < schema::LATEST {
            store.upgrade_notice = store.meta(upgrade::NOTICE_KEY)?;
            if store.upgrade_notice.is_some() {
                store
                    .conn
                    .execute("DELETE FROM meta WHERE key = ?1", [upgrade::NOTICE_KEY])?;
            }
        }
        match sync {
            TimezoneSync::Now => store.timezone_change = store.sync_timezone()?,
            TimezoneSync::Defer => {
                store.timezone_pending = store.meta("timezone")?.as_deref() != Some(tz.name())
            }
        }
        Ok(store)
    }

    /// Opened with [`TimezoneSync::Defer`] while the workspace timezone
    /// differs from the store's: its days are still cut in the old one.
    pub fn timezone_pending(&self) -> bool {
        self.timezone_pending
    }

    /// The workspace timezone the store's local days are cut in.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// What opening did because the workspace timezone had changed: `None`
    /// when it had not, or when the store held no feedback to re-read.
    pub fn timezone_change(&self) -> Option<&TimezoneChange> {
        self.timezone_change.as_ref()
    }

    /// What upgrading the store's schema on opening did to its data, when it
    /// is something the user should hear about.
    pub fn upgrade_notice(&self) -> Option<&str> {
        self.upgrade_notice.as_deref()
    }

    /// The schema version opening upgraded the store from, when this
    /// process upgraded it.
    pub fn upgraded_from(&self) -> Option<usize> {
        self.upgraded_from
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

    /// Local days are precomputed for fast reports, in the timezone recorded
    /// in `meta`. If the configured timezone differs (rare: usually it had
    /// been set wrong), naive clock times are re-read in the new one and every
    /// day re-cut ([`reread_times`]); the new timezone is recorded either way.
    fn sync_timezone(&mut self) -> Result<Option<TimezoneChange>> {
        let tz = self.tz;
        if self.meta("timezone")?.as_deref() == Some(tz.name()) {
            return Ok(None);
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let change = sync_timezone_in(&tx, tz)?;
        tx.commit()?;
        Ok(change)
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

    /// Pins what this connection reads to one committed state of the store
    /// for as long as it is open: a report's queries all see the same
    /// imports (found by exploratory testing: with imports committing one
    /// after another, the daily report's total came from one and its
    /// review count from the next). A read transaction, never committed;
    /// it ends when the connection closes. Not for a connection that writes.
    pub fn read_snapshot(&self) -> Result<()> {
        self.conn.execute_batch("BEGIN DEFERRED")?;
        // The snapshot is taken at the first read.
        self.conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
                r.get::<_, i64>(0)
            })
            .context("cannot read the store")?;
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

/// Re-reads times and re-cuts days in `tz` inside `tx` if the store was cut
/// in another timezone, and records `tz`: what [`Store::open`] does on a
/// timezone change, for a caller that may roll it back (a dry run).
pub fn sync_timezone_in(tx: &rusqlite::Transaction<'_>, tz: Tz) -> Result<Option<TimezoneChange>> {
    // Read again under the write lock: re-reading is not idempotent, and
    // another kefu may have done it while this one waited.
    let recorded: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'timezone'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let change = match recorded {
        Some(old) if old != tz.name() => reread_times(tx, &old, tz)?,
        // A new store, or another kefu has just re-read the times.
        _ => None,
    };
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('timezone', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [tz.name()],
    )?;
    Ok(change)
}

/// Moves every feedback time from timezone `old` to `new`: a naive clock
/// time keeps its clock reading (its instant is recomputed from the reading
/// in `old`), a time that carried an offset keeps its instant; then every
/// local day is re-cut in `new`. `None` when the store holds no feedback.
fn reread_times(
    tx: &rusqlite::Transaction<'_>,
    old: &str,
    new: Tz,
) -> Result<Option<TimezoneChange>> {
    // Read in chunks of rows by id (memory bounded whatever the store's
    // size; rows are updated between reads, never under an open read).
    const CHUNK: i64 = 10_000;
    let mut read = tx.prepare(
        "SELECT id, created_at, local_day, naive_time FROM feedback WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let mut chunk = |after: i64| -> rusqlite::Result<Vec<(i64, i64, i64, bool)>> {
        read.query_map(params![after, CHUNK], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect()
    };
    let mut rows = chunk(0)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let old_tz = crate::dates::parse_tz(old).ok();
    let mut change = TimezoneChange {
        from: old.to_string(),
        to: new.name().to_string(),
        reread: 0,
        moved_forward: 0,
        kept_instant: 0,
        from_unknown: old_tz.is_none(),
    };
    let mut update =
        tx.prepare("UPDATE feedback SET created_at = ?1, local_day = ?2 WHERE id = ?3")?;
    while let Some(&(last, ..)) = rows.last() {
        for (id, created_at, local_day, naive) in std::mem::take(&mut rows) {
            let new_created_at = match old_tz {
                Some(old_tz) if naive => {
                    change.reread += 1;
                    let clock_time = crate::dates::local_datetime(created_at, old_tz);
                    crate::dates::instant_of_clock_time(clock_time, new).unwrap_or_else(|skipped| {
                        change.moved_forward += 1;
                        skipped.moved_forward
                    })
                }
                _ => {
                    change.kept_instant += 1;
                    created_at
                }
            };
            let new_local_day = crate::dates::local_day(new_created_at, new);
            if (new_created_at, new_local_day) != (created_at, local_day) {
                update.execute(params![new_created_at, new_local_day, id])?;
            }
        }
        rows = chunk(last)?;
    }
    Ok(Some(change))
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
    /// Records removed because a register imported with `--replace` no
    /// longer holds them: in an import's total under `--replace` only
    /// (removal is per source, not per file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<u64>,
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
        if let Some(n) = other.removed {
            self.removed = Some(self.removed.unwrap_or(0) + n);
        }
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

/// The names of the files earlier imports read (as given on their command
/// lines), from the import log.
pub fn imported_files(tx: &Transaction<'_>) -> Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct File {
        file: String,
    }
    let mut names = vec![];
    let mut st = tx.prepare("SELECT files FROM imports")?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let json: String = row.get(0)?;
        if let Ok(files) = serde_json::from_str::<Vec<File>>(&json) {
            names.extend(files.into_iter().map(|f| f.file));
        }
    }
    Ok(names)
}

/// Whether `table` (`feedback` or `events`) holds a record of `source`.
pub fn holds_source(tx: &Transaction<'_>, table: &str, source: &str) -> Result<bool> {
    Ok(tx.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE source = ?1)"),
        [source],
        |r| r.get(0),
    )?)
}

/// The last rowid of `table` (`feedback` or `events`; 0 when empty): what
/// an import adds comes after it.
pub fn last_id(tx: &Transaction<'_>, table: &str) -> Result<i64> {
    Ok(tx.query_row(
        &format!("SELECT coalesce(max(id), 0) FROM {table}"),
        [],
        |r| r.get(0),
    )?)
}

/// The other source that already holds the most of the ids of the rows of
/// `table` (`feedback` or `events`) with rowids in `(after, upto]` (one
/// file of an import; the first 1,000 looked at), with how many of them,
/// out of how many looked at, and the first: a later copy of one export
/// under another file name (`投诉-申诉后.jsonl`) makes a new source, and
/// every record in it counts twice. Ids kefu made for records without one
/// count too: the same time, text, order and customer (an event's agent,
/// day, rule and note) in two sources is the same record twice. Only a
/// twin of the same day counts: a daily log numbering its rows anew (1, 2,
/// … each day) holds the ids of other days' records, not copies of them
/// (found by exploratory testing: a log imported with the `--source` kefu
/// suggested for it was then said to count twice), nor one of the other
/// kind of feedback. Index lookups only.
pub fn ids_in_other_sources(
    tx: &Transaction<'_>,
    table: &str,
    after: i64,
    upto: i64,
) -> Result<Option<(String, usize, usize, String)>> {
    // Feedback of the same kind: a register of reviews numbered 1, 2, …
    // like one of complaints holds none of its records (found by
    // exploratory testing).
    let (day, kind) = if table == "events" {
        ("day", "''")
    } else {
        ("local_day", "kind")
    };
    let added: Vec<(String, String, i64, String)> = tx
        .prepare(&format!(
            "SELECT source, ext_id, {day}, {kind} FROM {table} WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT 1000"
        ))?
        .query_map(rusqlite::params![after, upto], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if added.is_empty() {
        return Ok(None);
    }
    // The sources, one index seek each.
    let mut sources = vec![];
    let mut next = tx.prepare(&format!(
        "SELECT source FROM {table} WHERE source > ?1 ORDER BY source LIMIT 1"
    ))?;
    let mut last = String::new();
    while let Some(s) = next
        .query_row([&last], |r| r.get::<_, String>(0))
        .optional()?
    {
        last.clone_from(&s);
        sources.push(s);
    }
    let mut held = tx.prepare(&format!(
        "SELECT 1 FROM {table} WHERE source = ?1 AND ext_id = ?2 AND id <= ?3 AND {day} = ?4 AND {kind} = ?5"
    ))?;
    let mut best: Option<(String, usize, usize, String)> = None;
    for other in &sources {
        let mut n = 0;
        let mut first = None;
        for (_, id, day, kind) in added.iter().filter(|(s, ..)| s != other) {
            // Held before this file, or by an earlier file of the import.
            if held.exists(rusqlite::params![other, id, after, day, kind])? {
                n += 1;
                first.get_or_insert_with(|| id.clone());
            }
        }
        if n > 0 && best.as_ref().is_none_or(|b| n > b.1) {
            best = Some((other.clone(), n, added.len(), first.unwrap_or_default()));
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::{self, parse_timestamp};

    const NEW_YORK: Tz = chrono_tz::America::New_York;
    const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

    /// Opens `path` as kefu would in `tz`.
    fn open(path: &Path, tz: Tz) -> Store {
        Store::open(path, tz, Duration::from_secs(5)).unwrap()
    }

    /// (created_at, local_day as a date, naive_time) of feedback `ext_id`.
    fn stored(store: &Store, ext_id: &str) -> (i64, String, i64) {
        store
            .conn
            .query_row(
                "SELECT created_at, local_day, naive_time FROM feedback WHERE ext_id = ?1",
                [ext_id],
                |r| {
                    let day: i64 = r.get(1)?;
                    Ok((r.get(0)?, dates::date_of_day(day).to_string(), r.get(2)?))
                },
            )
            .unwrap()
    }

    /// Found by exploratory testing (round 90): a report's queries each saw
    /// the store as the latest import left it, so that the daily report
    /// mixed two imports' counts. Under a read snapshot, a commit by
    /// another connection is not seen until the reader closes.
    #[test]
    fn a_read_snapshot_sees_one_committed_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kefu.db");
        assert!(Store::place_new(&path, SHANGHAI).unwrap());
        let count = |s: &Store| -> i64 {
            s.conn
                .query_row("SELECT count(*) FROM imports", [], |r| r.get(0))
                .unwrap()
        };
        let reader = open(&path, SHANGHAI);
        reader.read_snapshot().unwrap();
        assert_eq!(count(&reader), 0);
        let mut writer = open(&path, SHANGHAI);
        let tx = writer.begin_write().unwrap();
        tx.execute(
            "INSERT INTO imports (started_at, kind, files, read, new, updated, unchanged, rejected) VALUES (0, 'reviews', '[]', 0, 0, 0, 0, 0)",
            [],
        )
        .unwrap();
        tx.commit().unwrap();
        assert_eq!(count(&writer), 1);
        assert_eq!(count(&reader), 0);
        drop(reader);
        assert_eq!(count(&open(&path, SHANGHAI)), 1);
    }

    /// Found by exploratory testing: a cron import and a report opening an
    /// older store at once both upgraded it, and the one that waited failed
    /// ("table agent_history already exists").
    #[test]
    fn kefus_opening_an_older_store_at_once_all_succeed() {
        // From the version before the latest too: one says it upgraded the
        // store (found by exploratory testing: an `IF NOT EXISTS` in the
        // last migration let every kefu that waited run it again, and say so).
        for from in [4, 4, 4, schema::LATEST - 1, schema::LATEST - 1] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("kefu.db");
            {
                let mut conn = Connection::open(&path).unwrap();
                conn.pragma_update(None, "journal_mode", "WAL").unwrap();
                schema::migrations_up_to(from).to_latest(&mut conn).unwrap();
            }
            let start = std::sync::Barrier::new(4);
            let upgraded: Vec<Option<usize>> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..4)
                    .map(|_| {
                        s.spawn(|| {
                            start.wait();
                            Store::open(&path, SHANGHAI, Duration::from_secs(5))
                                .map(|store| store.upgraded_from())
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap().unwrap())
                    .collect()
            });
            // One of them upgraded it; the store is at the latest version.
            // Rarely (once in a CI run on 2026-12-07) a second one says so
            // too: it read the version before the first committed, and the
            // migrations, which read it again, found nothing to do. The
            // notice is then printed twice; no kefu fails and the store is
            // upgraded once (a known limit).
            let said = upgraded.iter().filter(|u| **u == Some(from)).count();
            assert!((1..=2).contains(&said), "{upgraded:?}");
            assert_eq!(
                open(&path, SHANGHAI).schema_version().unwrap(),
                schema::LATEST
            );
        }
    }

    #[test]
    fn init_beside_an_empty_store_file_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kefu.db"), b"").unwrap();
        let e = crate::workspace::init(dir.path(), true).unwrap_err();
        assert!(format!("{e:#}").contains("is empty (0 bytes)"), "{e:#}");
        assert!(!dir.path().join("kefu.toml").exists());
    }

    #[test]
    fn an_empty_store_file_is_refused_not_filled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kefu.db");
        std::fs::write(&path, b"").unwrap();
        let e = Store::open(&path, SHANGHAI, Duration::from_secs(5))
            .err()
            .unwrap();
        assert!(
            format!("{e:#}").contains("is empty (0 bytes), not a kefu store"),
            "{e:#}"
        );
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    }

    #[test]
    fn a_version_2_store_upgrades_and_its_times_count_as_naive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kefu.db");
        // What kefu with schema version 2 stored for `2026-12-04 23:59:59`
        // imported in New York.
        let at = parse_timestamp("2026-12-04 23:59:59", NEW_YORK).unwrap();
        {
            let mut conn = Connection::open(&path).unwrap();
            schema::migrations_up_to(2).to_latest(&mut conn).unwrap();
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('timezone', 'America/New_York')",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO feedback(kind, source, ext_id, hash, created_at, local_day, import_id)
                 VALUES ('review', 'shop', 'T1', 0, ?1, ?2, 1)",
                params![at, dates::local_day(at, NEW_YORK)],
            )
            .unwrap();
            let version: i64 = conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap();
            assert_eq!(version, 2);
        }
        let store = open(&path, NEW_YORK);
        assert_eq!(store.schema_version().unwrap(), schema::LATEST);
        assert_eq!(store.timezone_change(), None);
        assert_eq!(stored(&store, "T1"), (at, "2026-12-04".into(), 1));
        drop(store);
        // Being naive, the time keeps its clock reading in the new timezone.
        let store = open(&path, SHANGHAI);
        let (created_at, day, _) = stored(&store, "T1");
        assert_eq!(
            dates::local_datetime(created_at, SHANGHAI).to_string(),
            "2026-12-04 23:59:59"
        );
        assert_eq!(day, "2026-12-04");
        assert_eq!(
            store.timezone_change().map(|c| (c.reread, c.kept_instant)),
            Some((1, 0))
        );
    }

    #[test]
    fn a_timezone_change_rereads_naive_times_and_keeps_instants_with_an_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kefu.db");
        // 02:30 on 2026-03-08 exists in Shanghai, not in New York.
        let naive = parse_timestamp("2026-03-08 02:30", SHANGHAI).unwrap();
        let with_offset = parse_timestamp("2026-12-05T04:59:59Z", SHANGHAI).unwrap();
        {
            let store = Store::create(&path, SHANGHAI).unwrap();
            for (ext_id, at, is_naive) in [("N", naive, 1), ("Z", with_offset, 0)] {
                store
                    .conn
                    .execute(
                        "INSERT INTO feedback(kind, source, ext_id, hash, created_at, local_day,
                                              import_id, naive_time)
                         VALUES ('review', 'shop', ?1, 0, ?2, ?3, 1, ?4)",
                        params![ext_id, at, dates::local_day(at, SHANGHAI), is_naive],
                    )
                    .unwrap();
            }
        }
        let store = open(&path, NEW_YORK);
        let change = store.timezone_change().unwrap().clone();
        assert_eq!(
            (change.reread, change.moved_forward, change.kept_instant),
            (1, 1, 1)
        );
        // Stored rows cannot be rejected: the skipped clock time moves
        // forward by the jump.
        let (n_at, n_day, _) = stored(&store, "N");
        assert_eq!(
            dates::local_datetime(n_at, NEW_YORK).to_string(),
            "2026-03-08 03:30:00"
        );
        assert_eq!(n_day, "2026-03-08");
        // The instant stays; its day is re-cut (it was 2026-12-05 in Shanghai).
        assert_eq!(stored(&store, "Z"), (with_offset, "2026-12-04".into(), 0));
        let notice = change.notice();
        assert!(
            notice.contains(
                "re-read 1 naive time(s) in America/New_York (same clock time, new instant); \
                 1 with an offset kept their instant"
            ) && notice.contains("1 naive time(s) do not exist in America/New_York"),
            "{notice}"
        );
        drop(store);
        // Opening again in the same timezone changes nothing.
        let store = open(&path, NEW_YORK);
        assert_eq!(store.timezone_change(), None);
        assert_eq!(stored(&store, "N").0, n_at);
    }

    #[test]
    fn a_timezone_change_on_a_store_without_feedback_is_only_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kefu.db");
        drop(Store::create(&path, SHANGHAI).unwrap());
        let store = open(&path, NEW_YORK);
        assert_eq!(store.timezone_change(), None);
        assert_eq!(
            store.meta("timezone").unwrap().as_deref(),
            Some("America/New_York")
        );
    }

    /// Every query plan of a ledger's feedback reads the `feedback_charges`
    /// index (its condition repeated word for word), never the whole day
    /// index: reviews nobody judged cost a bonus nothing.
    #[test]
    fn a_ledger_reads_feedback_through_the_charges_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("kefu.db"), SHANGHAI).unwrap();
        for one_agent in [false, true] {
            let plan: Vec<String> = store
                .conn
                .prepare(&format!(
                    "EXPLAIN QUERY PLAN {}",
                    points::charges_sql(one_agent, false)
                ))
                .unwrap()
                .query_map(rusqlite::params![1, 2, "A1", "[]", "[]", "[]"], |r| {
                    r.get(3)
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let feedback = plan.iter().find(|p| p.contains("feedback")).unwrap();
            if one_agent {
                // Either index narrows it to one agent's judged records or days.
                assert!(feedback.contains("USING INDEX"), "{plan:?}");
            } else {
                assert!(
                    feedback.contains("USING INDEX feedback_charges"),
                    "{plan:?}"
                );
            }
        }
    }

    /// Reports that only count read the records in storage order, without
    /// their texts, through the day index or (a quarter of the store or
    /// more) the whole table: the same records as a listing reads.
    #[test]
    fn counting_reads_the_records_a_listing_reads() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("kefu.db"), SHANGHAI).unwrap();
        let mut st = store
            .conn
            .prepare(
                "INSERT INTO feedback (kind, source, ext_id, hash, created_at, local_day, polarity,
                                       content, cause, import_id, agent_id)
                 VALUES ('review', 's', ?1, 0, ?2, ?3, ?4, 'text', ?5, 1, ?6)",
            )
            .unwrap();
        // Days out of time order, as an export sorted by something else.
        for i in 0..400i64 {
            let day = 20_000 + (i * 37) % 100;
            let polarity = if i % 3 == 0 { "positive" } else { "negative" };
            let cause = ["attitude", "response", "other"][(i % 5 % 3) as usize];
            st.execute(rusqlite::params![
                format!("R{i}"),
                day * 86_400 + i,
                day,
                polarity,
                cause,
                format!("A{}", i % 4)
            ])
            .unwrap();
        }
        drop(st);
        let read = |first, last, how| {
            let mut got = vec![];
            reports::each_negative(
                &store.conn,
                first,
                last,
                &reports::Filters::default(),
                how,
                |it| {
                    assert_eq!(it.content.is_some(), how == reports::Read::Listed);
                    got.push((
                        it.ext_id.clone(),
                        it.local_day,
                        it.cause.clone(),
                        it.agent_id.clone(),
                    ));
                },
            )
            .unwrap();
            got
        };
        // All 100 days (the whole table), and 10 of them (the day index).
        for (first, last) in [(20_000, 20_099), (20_010, 20_019)] {
            let listed = read(first, last, reports::Read::Listed);
            let mut counted = read(first, last, reports::Read::Counted);
            assert!(
                listed.windows(2).all(|w| w[0].1 <= w[1].1),
                "listed in day order"
            );
            assert!(!listed.is_empty());
            let mut sorted = listed.clone();
            sorted.sort();
            counted.sort();
            assert_eq!(sorted, counted);
        }
    }
}
