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

    /// The kefu binary as a plain process (to spawn several at once, or to
    /// give it no `-w`): `KEFU_WORKSPACE` unset, today fixed.
    pub fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kefu"));
        cmd.env_remove("KEFU_WORKSPACE")
            .env("KEFU_TODAY", self.today.borrow().as_str());
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
    /// the kefu binary; kefu's workspace is this directory (`KEFU_WORKSPACE`),
    /// and so is the pipeline's working directory.
    pub fn shell(&self, script: &str) -> std::process::Output {
        std::process::Command::new("bash")
            .current_dir(self.dir.path())
            .arg("-c")
            .arg(format!("set -o pipefail; {script}"))
            .env("KEFU", assert_cmd::cargo::cargo_bin("kefu"))
            .env("KEFU_WORKSPACE", self.dir.path())
            .env("KEFU_TODAY", self.today.borrow().as_str())
            .output()
            .unwrap()
    }

    /// Runs kefu, asserts success, parses stdout as JSON.
    /// Runs kefu, which must succeed: its stdout as JSON, and its stderr.
    pub fn json_and_stderr(&self, args: &[&str]) -> (serde_json::Value, String) {
        let out = self.kefu(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "kefu {args:?} failed: {stderr}");
        (serde_json::from_slice(&out.stdout).unwrap(), stderr)
    }

    /// Runs kefu, which must succeed, and returns its stdout as text.
    pub fn stdout(&self, args: &[&str]) -> String {
        let out = self.kefu(args).output().unwrap();
        assert!(
            out.status.success(),
            "kefu {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

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

/// Writes `name`, a workbook whose header has two levels, as Excel/WPS
/// exports write it: group names over merged cells in row 1 (`订单信息`
/// over A1:B1, `评价信息` over C1:E1, `客服信息` over F1:G1), the columns'
/// names in row 2, and three reviews from row 3 (the second a 差评 whose
/// time cannot be read). Returns its path.
pub fn two_level_workbook(wd: &Workdir, name: &str) -> String {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let group = rust_xlsxwriter::Format::new();
    sheet.merge_range(0, 0, 0, 1, "订单信息", &group).unwrap();
    sheet.merge_range(0, 2, 0, 4, "评价信息", &group).unwrap();
    sheet.merge_range(0, 5, 0, 6, "客服信息", &group).unwrap();
    let rows: [[&str; 7]; 4] = [
        [
            "订单号",
            "评价ID",
            "评价时间",
            "评价等级",
            "评价内容",
            "客服工号",
            "客服姓名",
        ],
        [
            "O1",
            "A1",
            "2026-11-25 10:00",
            "差评",
            "客服态度很差",
            "KF001",
            "王芳",
        ],
        ["O2", "A2", "昨天", "差评", "回复太慢了", "KF003", "张伟"],
        [
            "O3",
            "A3",
            "2026-11-25 12:00",
            "差评",
            "问题一直没解决",
            "KF002",
            "李娜",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *cell).unwrap();
        }
    }
    let path = wd.path(name);
    book.save(&path).unwrap();
    path.to_string_lossy().into_owned()
}

/// The kefu binary run as user and group 65534 (nobody), for tests of what
/// another user may do: `None` (the test says it is skipped) unless this
/// is root with `setpriv`, which can set such a scene and run it.
#[allow(dead_code)]
pub fn kefu_as_nobody() -> Option<std::process::Command> {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    let setpriv = std::process::Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !root || !setpriv {
        eprintln!("skipped: needs root and setpriv");
        return None;
    }
    let mut cmd = std::process::Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(assert_cmd::cargo::cargo_bin("kefu"))
        .env_remove("KEFU_WORKSPACE");
    Some(cmd)
}
