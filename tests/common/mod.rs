//! Test harness: a temporary workspace per test, and the real `kefu` binary.

#![allow(dead_code)]

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The day every test runs on (`KEFU_TODAY`), so that defaults and "has this
/// period ended" do not depend on the machine's clock.
pub const TODAY: &str = "2026-12-05";

/// A temporary directory holding a kefu workspace.
pub struct Workdir {
    pub dir: tempfile::TempDir,
    /// Today for the commands run here (`KEFU_TODAY`).
    today: RefCell<String>,
}

impl Workdir {
    /// A new directory with `kefu init` already run in it.
    pub fn new() -> Workdir {
        let wd = Workdir::empty();
        wd.kefu(&["init", "-q"]).assert().success();
        wd
    }

    /// A new empty directory (no workspace).
    pub fn empty() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
            today: RefCell::new(TODAY.to_string()),
        }
    }

    /// Runs the later commands as if today were `date` (2027-01-04).
    pub fn set_today(&self, date: &str) {
        *self.today.borrow_mut() = date.to_string();
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `kefu -w DIR args…`
    pub fn kefu(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("kefu").expect("kefu binary");
        cmd.env_remove("KEFU_WORKSPACE")
            .env("KEFU_TODAY", self.today.borrow().as_str())
            .arg("-w")
            .arg(self.dir.path())
            .args(args);
        cmd
    }

    /// Writes a file into the workdir and returns its path as a string.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().into_owned()
    }

    /// Runs a bash pipeline (`set -o pipefail` first) in which `$KEFU` is
    /// the kefu binary; kefu's workspace is this directory (`KEFU_WORKSPACE`).
    pub fn shell(&self, script: &str) -> std::process::Output {
        std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("set -o pipefail; {script}"))
            .env("KEFU", assert_cmd::cargo::cargo_bin("kefu"))
            .env("KEFU_WORKSPACE", self.dir.path())
            .env("KEFU_TODAY", self.today.borrow().as_str())
            .output()
            .unwrap()
    }

    /// Runs kefu, asserts success, parses stdout as JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.kefu(args).output().unwrap();
        assert!(
            out.status.success(),
            "kefu {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of kefu {args:?} is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Runs a query on the store and returns the rows as strings.
    pub fn sql(&self, query: &str) -> Vec<Vec<String>> {
        let conn = rusqlite::Connection::open(self.path("kefu.db")).unwrap();
        let mut st = conn.prepare(query).unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| match r.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Null => String::new(),
                        rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                        rusqlite::types::ValueRef::Real(v) => v.to_string(),
                        rusqlite::types::ValueRef::Text(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                        rusqlite::types::ValueRef::Blob(_) => "<blob>".into(),
                    })
                    .collect())
            })
            .unwrap();
        rows.map(Result::unwrap).collect()
    }

    /// A single number from the store.
    pub fn count(&self, query: &str) -> i64 {
        self.sql(query)[0][0].parse().unwrap()
    }
}

/// The repository's fixtures directory.
pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The counts of an import's JSON summary: (read, new, updated, unchanged, rejected).
pub fn counts(v: &serde_json::Value) -> (u64, u64, u64, u64, u64) {
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("no {k} in {v}"));
    (
        n("read"),
        n("new"),
        n("updated"),
        n("unchanged"),
        n("rejected"),
    )
}

/// The names in `dir`, sorted (a temporary file left behind shows here).
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
