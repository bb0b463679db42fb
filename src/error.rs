//! Exit codes, the typed errors callers branch on, and how `main` reports an
//! error chain.
//!
//! Exit codes (also in `kefu --help` and README.md):
//! - 0: success (an import with rejected rows is a success: they are counted
//!   and kept in the rejects file; use `--strict` to make them a failure);
//! - 1: error (bad input file, store problem, rejects under `--strict`);
//! - 2: usage error (unknown option, bad argument value);
//!
//! A closed stdout (`kefu classify big.csv | head`) is not an error: kefu
//! stops quietly with 0.

use std::path::PathBuf;

/// Success.
pub const EXIT_OK: i32 = 0;
/// Any error while running.
pub const EXIT_ERROR: i32 = 1;
/// The command line was wrong.
pub const EXIT_USAGE: i32 = 2;

/// The workspace has no store yet.
#[derive(Debug)]
pub struct NoStore(pub PathBuf);

impl std::fmt::Display for NoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dir = self
            .0
            .parent()
            .map(|p| p.display().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| ".".into());
        write!(
            f,
            "no kefu store in {dir} (looked for {}); create one with `kefu init {dir}`, or point to one with -w DIR or KEFU_WORKSPACE",
            self.0.display()
        )
    }
}

impl std::error::Error for NoStore {}

/// A usage error found after parsing (e.g. two conflicting period options);
/// exits with [`EXIT_USAGE`].
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// True when the error chain holds a broken pipe (the reader went away).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// Prints an error chain on stderr and returns the exit code for it.
pub fn report(err: &anyhow::Error) -> i32 {
    if is_broken_pipe(err) {
        return EXIT_OK;
    }
    let mut message = format!("kefu: {err}");
    for cause in err.chain().skip(1) {
        message.push_str(&format!("\n  caused by: {cause}"));
    }
    // A damaged store is found by whichever query reads the damaged page,
    // far from where it was opened: name the file and what to do (found by
    // exploratory testing: only SQLite's words were shown).
    let corrupt = err.chain().any(|c| {
        c.downcast_ref::<rusqlite::Error>()
            .and_then(rusqlite::Error::sqlite_error_code)
            == Some(rusqlite::ErrorCode::DatabaseCorrupt)
    });
    if corrupt {
        let path = crate::store::opened_path()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "the store".to_string());
        message.push_str(&format!(
            "\n  {path} is damaged: restore it from a backup (`sqlite3 {path} .recover` may save what it holds)"
        ));
    }
    crate::say!("{message}");
    if err.chain().any(|c| c.downcast_ref::<Usage>().is_some()) {
        EXIT_USAGE
    } else {
        EXIT_ERROR
    }
}
