//! `kefu points` and `kefu bonus`: a hand-computed case for every rule kind,
//! a full quarter under scheme A and under scheme B, closing and adjustments.

mod common;

use common::{fixture, Workdir};
use predicates::prelude::*;
use serde_json::Value;

const ROSTER: &str = "工号,客服姓名,部门,组长工号,入职日期,离职日期\n\
L1,组长甲,查询部,,2020-01-01,\n\
A1,王一,查询部,L1,2020-01-01,\n\
A2,李二,查询部,L1,2020-01-01,\n\
A3,张三,查询部,L1,2026-08-10,\n";

/// Replaces the workspace's points scheme with the one in `path`.
fn use_scheme(wd: &Workdir, path: &str) {
    let base = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    let settings = &base[..base.find("[points]").unwrap()];
    let scheme = std::fs::read_to_string(path).unwrap();
    std::fs::write(wd.path("kefu.toml"), format!("{settings}\n{scheme}")).unwrap();
}

/// examples/scheme-b.toml
fn scheme_b() -> String {
    format!("{}/examples/scheme-b.toml", env!("CARGO_MANIFEST_DIR"))
}

fn workspace_with(scheme: Option<&str>) -> Workdir {
    let wd = Workdir::new();
    if let Some(path) = scheme {
        use_scheme(&wd, path);
    }
    let roster = wd.write("roster.csv", ROSTER);
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    wd
}

/// A new workspace with the bundled fixtures of `kinds` imported: (kind, file).
fn with_bundled(kinds: &[(&str, &str)]) -> Workdir {
    let wd = Workdir::new();
    for (kind, file) in kinds {
        wd.kefu(&["import", "-q", kind, &fixture(file)])
            .assert()
            .success();
    }
    wd
}

/// Writes `bonus --statements` of `quarter` into `st/` of the workdir;
/// returns that directory.
fn statements_of(wd: &Workdir, quarter: &str) -> std::path::PathBuf {
    let dir = wd.path("st");
    wd.kefu(&[
        "bonus",
        "-q",
        "--quarter",
        quarter,
        "--statements",
        dir.to_str().unwrap(),
    ])
    .assert()
    .success();
    dir
}

fn import(wd: &Workdir, kind: &str, name: &str, text: &str) {
    let f = wd.write(name, text);
    wd.kefu(&["import", "-q", kind, &f, "--strict"])
        .assert()
        .success();
}

/// Imports `text` as `kind` (quietly with `-q`), its rejects to a file;
/// returns that file's text.
fn import_rejects(wd: &Workdir, kind: &str, text: &str, quiet: bool) -> String {
    let f = wd.write(&format!("{kind}-in.csv"), text);
    let rejects = wd.path(&format!("{kind}-rejects.csv"));
    let mut args = vec!["import", kind, &f, "--rejects", rejects.to_str().unwrap()];
    if quiet {
        args.push("-q");
    }
    wd.kefu(&args).assert().success();
    std::fs::read_to_string(&rejects).unwrap()
}

fn bonus(wd: &Workdir, args: &[&str]) -> Vec<Value> {
    let mut a = vec!["bonus", "--format", "json"];
    a.extend_from_slice(args);
    wd.json(&a).as_array().unwrap().clone()
}

fn agent<'a>(rows: &'a [Value], id: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["agent_id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {rows:?}"))
}

/// The agent ids `bonus nominations --year YEAR` lists.
fn nominated(wd: &Workdir, year: &str) -> Vec<String> {
    wd.json(&["bonus", "nominations", "--year", year, "--format", "json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["agent_id"].as_str().unwrap().to_string())
        .collect()
}

/// The reasons `bonus nominations --year YEAR` gives for agent `id` (empty
/// when not nominated), as JSON text.
fn nomination_reasons(wd: &Workdir, year: &str, id: &str) -> String {
    wd.json(&["bonus", "nominations", "--year", year, "--format", "json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["agent_id"] == id)
        .map(|c| c["reasons"].to_string())
        .unwrap_or_default()
}

fn ledger(wd: &Workdir, args: &[&str]) -> Vec<Value> {
    let mut a = vec!["points", "--format", "json"];
    a.extend_from_slice(args);
    wd.json(&a)["lines"].as_array().unwrap().clone()
}

#[test]
fn scheme_a_full_quarter_for_a_small_team() {
    let wd = workspace_with(None);
    import(
        &wd,
        "events",
        "events.csv",
        "编号,日期,工号,奖惩项目,次数,是否核实\n\
         E1,2026-07-08,A1,书面表扬,1,是\n\
         E2,2026-07-09,A1,praise-letter,1,否\n\
         E3,2026-07-20,A2,电脑或灯未关,1,\n\
         E4,2026-02-10,A2,无故缺席例会,1,\n\
         E5,2026-08-03,A2,无故缺席例会,1,\n\
         E6,2026-09-02,A2,无故缺席例会,1,\n\
         E7,2026-08-12,A1,抽查发现问题主管未发现,2,\n\
         E8,2026-09-12,A2,抽查发现问题主管未发现,1,\n",
    );
    import(
        &wd,
        "complaints",
        "complaints.csv",
        "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n\
         C1,2026-08-05 10:00,挂电话,A2,成立,个人\n\
         C2,2026-08-06 10:00,态度恶劣,A2,成立,个人\n\
         C3,2026-08-07 10:00,语气中伤,A2,成立,个人\n\
         C4,2026-09-01 10:00,态度差,A1,不成立,个人\n\
         C5,2026-09-02 10:00,回复慢,A1,待定,个人\n\
         C6,2026-07-03 10:00,系统问题,A1,成立,流程缺陷\n",
    );
    import(&wd, "activity", "activity.csv", "月份,工号,指标,数值\n2026-07,A1,queries,300\n2026-07,A2,queries,300\n2026-08,A1,queries,200\n2026-08,A3,queries,250\n");
    let rows = bonus(&wd, &["--quarter", "2026Q3"]);
    // A1: zero-complaint months Jul, Aug, Sep (+3; C4 rejected, C5 pending, C6 process);
    //     praise letter E1 +2 (E2 not verified: 0); top queries Jul (tie with A2, ties = all) +1.
    //     earned 6, deducted 0, net 6 -> 60.00 CNY.
    let a1 = agent(&rows, "A1");
    assert_eq!(
        (
            a1["points_earned"].as_i64(),
            a1["points_deducted"].as_i64(),
            a1["net_points"].as_i64()
        ),
        (Some(6), Some(0), Some(6))
    );
    assert_eq!(a1["bonus"], "60.00");
    // Two places, as issue #4 writes money (found by a conformance audit).
    assert_eq!(a1["rate"], "10.00");
    assert_eq!(a1["complaints_counted"], 0);
    assert_eq!(a1["complaints_pending"], 1);
    // The pending complaint itself is listed for HR in the formats people
    // read (not charged); CSV stays the one payout table.
    let table = wd.stdout(&["bonus", "--quarter", "2026Q3"]);
    let pending = &table[table.find("pending complaints").expect("a pending section")..];
    assert!(pending.contains("C5") && pending.contains("A1"), "{table}");
    assert!(!pending.contains("C4"), "{table}");
    let csv = wd.stdout(&["bonus", "--quarter", "2026Q3", "--format", "csv"]);
    assert!(
        !csv.contains("C5") && csv.lines().count() == 1 + rows.len(),
        "{csv}"
    );
    // A2: equipment left on −1; meeting absences: Feb is the 1st in the year
    //     (before the quarter), Aug the 2nd (−2), Sep the 3rd (removal flag);
    //     3 confirmed complaints in Aug: −3 and a dismissal-review flag;
    //     zero-complaint months Jul and Sep +2; top queries Jul (tie) +1.
    //     earned 3, deducted 6, net −3 -> bonus 0.00 (negative net shown).
    let a2 = agent(&rows, "A2");
    assert_eq!(
        (
            a2["points_earned"].as_i64(),
            a2["points_deducted"].as_i64(),
            a2["net_points"].as_i64()
        ),
        (Some(3), Some(6), Some(-3))
    );
    assert_eq!(a2["bonus"], "0.00");
    assert_eq!(a2["complaints_counted"], 3);
    let flags: Vec<&str> = a2["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(flags, ["dismissal-review:2026-08", "removal:2026-09-02"]);
    // A3 joined 2026-08-10: zero-complaint month Sep only, the first on the
    // roster throughout (+1; found by exploratory testing: a month joined
    // on its last day earned it); top queries Aug +1 -> 2 -> 20.00.
    assert_eq!(agent(&rows, "A3")["net_points"], 2);
    // L1, the leader: zero-complaint months +3; A2's equipment −2 (joint liability);
    //     spot checks are counted over the leader's team: A1's 2 (E7) and A2's 1
    //     (E8) make 3 in the quarter, so E8 charges L1 −5. net −4 -> 0.00.
    let l1 = agent(&rows, "L1");
    assert_eq!(l1["net_points"], -4);
    assert_eq!(l1["bonus"], "0.00");
    // Ranks: A1 1st (6), A3 2nd (2), A2 3rd (−3), L1 4th (−4).
    assert_eq!(a1["rank"], 1);
    assert_eq!(agent(&rows, "A3")["rank"], 2);
    assert_eq!(a2["rank"], 3);
    assert_eq!(l1["rank"], 4);
    // Every line of the ledger adds up to the net points.
    let lines = ledger(&wd, &["--quarter", "2026Q3"]);
    for id in ["A1", "A2", "A3", "L1"] {
        let sum: i64 = lines
            .iter()
            .filter(|l| l["agent_id"] == id)
            .map(|l| l["points"].as_i64().unwrap())
            .sum();
        assert_eq!(
            sum,
            agent(&rows, id)["net_points"].as_i64().unwrap(),
            "{id}"
        );
    }
    // Each line names its source.
    let a2_lines = ledger(&wd, &["--quarter", "2026Q3", "--agent", "李二"]);
    assert!(a2_lines.iter().any(|l| l["source"]
        .as_str()
        .unwrap()
        .contains("occurrence 2 in the year")
        && l["points"] == -2));
    assert!(a2_lines
        .iter()
        .any(|l| l["source"] == "zero complaints in 2026-07"));
    assert!(a2_lines
        .iter()
        .any(|l| l["rule_id"] == "customer-complaint"
            && l["source"].as_str().unwrap().contains("C1")));
    // A1's statement: the rate as the table writes it, and the pending C5;
    // once the quarter is closed, the frozen view still lists what is
    // pending (found by exploratory testing: the list was gone).
    let dir = wd.path("st");
    wd.kefu(&[
        "bonus",
        "--quarter",
        "2026Q3",
        "--statements",
        dir.to_str().unwrap(),
    ])
    .assert()
    .success();
    let a1 = std::fs::read_to_string(dir.join("A1.html")).unwrap();
    assert!(a1.contains("10.00") && a1.contains("pending complaints") && a1.contains("C5"));
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    let frozen = wd.stdout(&["bonus", "--quarter", "2026Q3"]);
    assert!(
        frozen.contains("frozen snapshot") && frozen.contains("C5"),
        "{frozen}"
    );
}

#[test]
fn a_leader_is_charged_at_every_third_spot_check() {
    let wd = workspace_with(None);
    import(&wd, "events", "e.csv", "日期,工号,奖惩项目,次数\n2026-07-01,A1,spot-check-missed,2\n2026-08-01,A1,spot-check-missed,2\n2026-09-01,A1,spot-check-missed,2\n");
    // Six occurrences in the quarter: the 3rd and the 6th charge the leader −5 each.
    let lines = ledger(&wd, &["--quarter", "2026Q3", "--agent", "L1"]);
    let charged: Vec<i64> = lines
        .iter()
        .filter(|l| l["rule_id"] == "spot-check-missed")
        .map(|l| l["points"].as_i64().unwrap())
        .collect();
    assert_eq!(charged, [-5, -5]);
}

#[test]
fn a_leader_given_by_name_is_charged_for_joint_liability() {
    // The roster names the leader (组长 = 组长甲, padded as HR writes it)
    // and lists them last; events name agents in the same padded way.
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "roster.csv",
        "工号,客服姓名,部门,组长,入职日期\n\
         A1,王一,查询部,组长　甲,2020-01-01\n\
         A2,李二,查询部,组长甲,2020-01-01\n\
         L1,组长甲,查询部,,2020-01-01\n",
    );
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,客服,奖惩项目\nE1,2026-07-20,王　一,电脑或灯未关\nE2,2026-07-21,李 二,电脑或灯未关\n",
    );
    let lines = ledger(&wd, &["--quarter", "2026Q3", "--agent", "L1"]);
    let charged: Vec<(&str, i64)> = lines
        .iter()
        .filter(|l| l["rule_id"] == "equipment-left-on")
        .map(|l| (l["source"].as_str().unwrap(), l["points"].as_i64().unwrap()))
        .collect();
    assert_eq!(charged.len(), 2, "{lines:?}");
    assert!(
        charged[0].0.starts_with("joint liability for A1"),
        "{charged:?}"
    );
    assert!(charged.iter().all(|&(_, p)| p == -2));
    // No one outside the roster is charged.
    let rows = bonus(&wd, &["--quarter", "2026Q3"]);
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["agent_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.iter().all(|id| ["A1", "A2", "L1"].contains(id)));
}

#[test]
fn scheme_b_two_cny_per_point() {
    let wd = workspace_with(Some(&scheme_b()));
    import(
        &wd,
        "events",
        "e.csv",
        "日期,工号,奖惩项目,次数\n2026-07-01,A1,表扬信,1\n2026-07-02,A1,录单错误,1\n2026-07-03,A1,上班玩游戏,2\n2026-08-01,A2,漏单或错单,1\n2026-08-02,A2,电话/QQ表扬,1\n",
    );
    let rows = bonus(&wd, &["--quarter", "2026Q3"]);
    // A1: +50 −10 −2×2 = 36 points × 2 CNY = 72.00.
    assert_eq!(agent(&rows, "A1")["net_points"], 36);
    assert_eq!(agent(&rows, "A1")["bonus"], "72.00");
    // A2: −50 +20 = −30 -> 0.00.
    assert_eq!(agent(&rows, "A2")["net_points"], -30);
    assert_eq!(agent(&rows, "A2")["bonus"], "0.00");
    // Doubling the rate doubles every bonus exactly.
    let doubled = bonus(&wd, &["--quarter", "2026Q3", "--rate", "4"]);
    assert_eq!(agent(&doubled, "A1")["bonus"], "144.00");
}

#[test]
fn rate_rounding_is_half_up_and_stated() {
    let wd = workspace_with(None);
    import(
        &wd,
        "events",
        "e.csv",
        "日期,工号,奖惩项目\n2026-07-01,A1,书面表扬\n",
    );
    // A1: 3 zero months + 2 = 5 points × 0.333 = 1.665 -> 1.67 (half-up).
    let rows = bonus(&wd, &["--quarter", "2026Q3", "--rate", "0.333"]);
    assert_eq!(agent(&rows, "A1")["bonus"], "1.67");
    wd.kefu(&["bonus", "--quarter", "2026Q3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("half-up (四舍五入)"));
    // A rate no scheme has is a usage error, not an overflow.
    for rate in ["--rate=-1", "--rate=79228162514264337593543950335"] {
        wd.kefu(&["bonus", "--quarter", "2026Q3", rate])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("between 0 and 1000000"));
    }
}

#[test]
fn closing_freezes_and_later_changes_become_adjustments() {
    let wd = workspace_with(None);
    import(&wd, "complaints", "c.csv", "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\nC1,2026-08-05 10:00,挂电话,A1,成立,个人\n");
    let before = bonus(&wd, &["--quarter", "2026Q3"]);
    // A1: Jul, Sep zero months +2, complaint −1 -> 1.
    assert_eq!(agent(&before, "A1")["net_points"], 1);
    wd.kefu(&["bonus", "close", "2026Q3"])
        .assert()
        .success()
        .stderr(predicate::str::contains("closed 2026Q3"));
    wd.kefu(&["bonus", "close", "2026-Q3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already closed"));
    // A month of a closed quarter has nothing left to close.
    wd.kefu(&["bonus", "close", "2026-09"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "2026-09 lies inside 2026Q3, which is closed",
        ));
    // Closing then recomputing changes nothing.
    assert_eq!(bonus(&wd, &["--quarter", "2026Q3"]), before);
    // An appeal (申诉) is upheld: the complaint no longer stands.
    import(&wd, "complaints", "c.csv", "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\nC1,2026-08-05 10:00,挂电话,A1,不成立,个人\n");
    // The closed quarter does not change silently, and says it is frozen.
    assert_eq!(bonus(&wd, &["--quarter", "2026Q3"]), before);
    wd.kefu(&["bonus", "--quarter", "2026Q3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("frozen snapshot"));
    // The change appears in the next open quarter, with a reference.
    let q4 = ledger(&wd, &["--quarter", "2026Q4", "--agent", "A1"]);
    let adj: Vec<&Value> = q4
        .iter()
        .filter(|l| {
            l["source"]
                .as_str()
                .unwrap()
                .starts_with("adjustment to closed 2026Q3")
        })
        .collect();
    // +1 for the complaint withdrawn, +1 for August now having zero complaints.
    let total: i64 = adj.iter().map(|l| l["points"].as_i64().unwrap()).sum();
    assert_eq!(total, 2, "{adj:?}");
    // Each says which way it went: the complaint as frozen, no longer
    // counted; August's zero-complaint month newly counted.
    assert!(
        adj.iter().any(|l| {
            let s = l["source"].as_str().unwrap();
            s.contains("no longer counted: 投诉 c/C1") && l["points"] == 1
        }),
        "{adj:?}"
    );
    assert!(
        adj.iter().any(|l| {
            let s = l["source"].as_str().unwrap();
            s.contains("newly counted: zero complaints in 2026-08") && l["points"] == 1
        }),
        "{adj:?}"
    );
    // Closing Q4 (once it has ended) absorbs the adjustment: Q1 gets nothing more for Q3.
    wd.set_today("2027-01-04");
    wd.kefu(&["bonus", "close", "2026Q4"]).assert().success();
    let q1 = ledger(&wd, &["--quarter", "2027Q1", "--agent", "A1"]);
    assert!(
        !q1.iter()
            .any(|l| l["source"].as_str().unwrap().contains("2026Q3")),
        "{q1:?}"
    );
}

#[test]
fn a_close_made_by_mistake_can_be_undone_while_it_is_the_latest() {
    let wd = workspace_with(None);
    import(&wd, "complaints", "c.csv", "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\nC1,2026-08-05 10:00,挂电话,A1,成立,个人\n");
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    // The appeal is upheld after the close: frozen until reopened.
    import(&wd, "complaints", "c.csv", "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\nC1,2026-08-05 10:00,挂电话,A1,不成立,个人\n");
    assert_eq!(
        agent(&bonus(&wd, &["--quarter", "2026Q3"]), "A1")["net_points"],
        1
    );
    // Not without --yes (a usage error, nothing changed).
    wd.kefu(&["bonus", "reopen", "2026Q3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    wd.kefu(&["bonus", "reopen", "2026Q3", "--yes"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("reopened 2026Q3")
                .and(predicate::str::contains("rulebook").not()),
        );
    // Live again: the complaint withdrawn, August's zero month credited.
    assert_eq!(
        agent(&bonus(&wd, &["--quarter", "2026Q3"]), "A1")["net_points"],
        3
    );
    wd.kefu(&["bonus", "--quarter", "2026Q3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("frozen snapshot").not());
    // No adjustment for it in Q4 any more.
    let q4 = ledger(&wd, &["--quarter", "2026Q4", "--agent", "A1"]);
    assert!(
        !q4.iter()
            .any(|l| l["source"].as_str().unwrap().contains("2026Q3")),
        "{q4:?}"
    );
    wd.kefu(&["bonus", "reopen", "2026Q3", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not closed"));
    // Found by exploratory testing of an upgrade: a quarter closed under
    // another rulebook, reopened, is computed with today's without a word.
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    let start = toml.find("\nrate = ").expect("a rate in [points]");
    let end = start + 1 + toml[start + 1..].find('\n').unwrap();
    let changed = format!("{}\nrate = \"12\"{}", &toml[..start], &toml[end..]);
    std::fs::write(wd.path("kefu.toml"), changed).unwrap();
    wd.kefu(&["bonus", "reopen", "2026Q3", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: kefu.toml's rulebook differs from the one it was closed with: 2026Q3 is now computed with today's rulebook",
        ).and(predicate::str::contains("kefu bonus --quarter 2026Q3")));
    std::fs::write(wd.path("kefu.toml"), toml).unwrap();
    // Closed again, then Q4 closed after it: Q3 can no longer be reopened.
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    wd.set_today("2027-01-04");
    wd.kefu(&["bonus", "close", "2026Q4"]).assert().success();
    wd.kefu(&["bonus", "reopen", "2026Q3", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("reopen 2026Q4 first"));
}

/// Found by exploratory testing: two complaints imported after 2026Q3 was
/// closed took September to three, yet no quarterly bonus raised the
/// dismissal review (only `--year` did).
#[test]
fn a_flag_a_late_change_raises_in_a_closed_period_shows_where_it_is_booked() {
    let wd = workspace_with(None);
    let head = "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n";
    import(
        &wd,
        "complaints",
        "c.csv",
        &format!("{head}C1,2026-09-01 10:00,挂电话,A1,成立,个人\n"),
    );
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    import(&wd, "complaints", "c.csv", &format!("{head}C1,2026-09-01 10:00,挂电话,A1,成立,个人\nC2,2026-09-05 10:00,态度差,A1,成立,个人\nC3,2026-09-06 10:00,态度差,A1,成立,个人\n"));
    let flags = |args: &[&str]| agent(&bonus(&wd, args), "A1")["flags"].clone();
    assert_eq!(
        flags(&["--quarter", "2026Q3"]),
        serde_json::json!([]),
        "frozen"
    );
    assert_eq!(
        flags(&["--quarter", "2026Q4"]),
        serde_json::json!(["dismissal-review:2026-09"])
    );
    // Once Q4 is closed with it, it is not raised again in 2027Q1.
    wd.set_today("2027-01-04");
    wd.kefu(&["bonus", "close", "2026Q4"]).assert().success();
    assert_eq!(
        flags(&["--quarter", "2026Q4"]),
        serde_json::json!(["dismissal-review:2026-09"])
    );
    assert_eq!(flags(&["--quarter", "2027Q1"]), serde_json::json!([]));
}

/// A1 with two confirmed complaints in September, 2026Q3 closed, then a
/// third imported late (`dismissal-review:2026-09`): the workspace, and the
/// three complaints' file text.
fn third_complaint_after_the_close() -> (Workdir, String) {
    let wd = workspace_with(None);
    let two = "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n\
               C1,2026-09-01 10:00,挂电话,A1,成立,个人\n\
               C2,2026-09-05 10:00,态度差,A1,成立,个人\n";
    import(&wd, "complaints", "c.csv", two);
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    let three = format!("{two}C3,2026-09-06 10:00,态度差,A1,成立,个人\n");
    import(&wd, "complaints", "c.csv", &three);
    (wd, three)
}

/// Found by exploratory testing: a flag a late complaint raised for closed
/// September, booked in October, was gone from 2026Q4 (and its statement)
/// once October was closed on its own, though October's snapshot kept it.
/// An appeal upheld after that takes it out of Q4 again.
#[test]
fn a_late_flag_frozen_in_a_closed_month_stays_in_its_quarter() {
    let (wd, three) = third_complaint_after_the_close();
    let flags = |args: &[&str]| agent(&bonus(&wd, args), "A1")["flags"].clone();
    let flag = serde_json::json!(["dismissal-review:2026-09"]);
    assert_eq!(flags(&["--quarter", "2026Q4"]), flag);
    wd.kefu(&["bonus", "close", "2026-10"]).assert().success();
    assert_eq!(flags(&["--month", "2026-10"]), flag, "the month's snapshot");
    assert_eq!(flags(&["--quarter", "2026Q4"]), flag);
    assert_eq!(flags(&["--from", "2026-10-01", "--to", "2026-11-30"]), flag);
    assert_eq!(flags(&["--year", "2026"]), flag);
    assert_eq!(flags(&["--month", "2026-11"]), serde_json::json!([]));
    // Upheld on appeal: booked on 11-01, it takes the flag out of Q4 and
    // the year; October's snapshot keeps it.
    import(
        &wd,
        "complaints",
        "c.csv",
        &three.replace(
            "C3,2026-09-06 10:00,态度差,A1,成立",
            "C3,2026-09-06 10:00,态度差,A1,不成立",
        ),
    );
    assert_eq!(flags(&["--quarter", "2026Q4"]), serde_json::json!([]));
    assert_eq!(flags(&["--year", "2026"]), serde_json::json!([]));
    assert_eq!(flags(&["--month", "2026-10"]), flag);
    // One record adjusted in October's snapshot and again on 11-01: the
    // quarter and the year still close (found by exploratory testing: a
    // UNIQUE constraint failed), and its two lines add up to nothing.
    wd.set_today("2027-01-04");
    wd.kefu(&["bonus", "close", "2026Q4"]).assert().success();
    let lines = ledger(&wd, &["--quarter", "2026Q4", "--agent", "A1"]);
    let c3: Vec<i64> = lines
        .iter()
        .filter(|l| l["source"].as_str().unwrap().contains("C3"))
        .map(|l| l["points"].as_i64().unwrap())
        .collect();
    assert_eq!(c3, [-1, 1], "{lines:?}");
    assert_eq!(flags(&["--quarter", "2026Q4"]), serde_json::json!([]));
    wd.kefu(&["bonus", "close", "2026"]).assert().success();
    assert_eq!(flags(&["--year", "2026"]), serde_json::json!([]));
    // A later change to Q3 reads both frozen lines as one correction.
    import(&wd, "complaints", "c.csv", &three);
    assert_eq!(
        flags(&["--quarter", "2027Q1"]),
        serde_json::json!(["dismissal-review:2026-09"])
    );
    let q1 = ledger(&wd, &["--quarter", "2027Q1", "--agent", "A1"]);
    let c3: Vec<i64> = q1
        .iter()
        .filter(|l| l["source"].as_str().unwrap().contains("C3"))
        .map(|l| l["points"].as_i64().unwrap())
        .collect();
    assert_eq!(c3, [-1], "{q1:?}");
}

/// Found by exploratory testing: a flag a closed month froze for an
/// earlier quarter's days was lost from its quarter once the year was
/// closed; a quarter closed after a later month closed on its own could not
/// be reopened.
#[test]
fn a_late_flag_in_a_closed_month_survives_the_years_close() {
    let (wd, _) = third_complaint_after_the_close();
    wd.kefu(&["bonus", "close", "2026-10"]).assert().success();
    wd.set_today("2027-01-04");
    wd.kefu(&["bonus", "close", "2026"]).assert().success();
    let flags = |args: &[&str]| agent(&bonus(&wd, args), "A1")["flags"].clone();
    let flag = serde_json::json!(["dismissal-review:2026-09"]);
    for args in [
        &["--quarter", "2026Q4"][..],
        &["--from", "2026-10-01", "--to", "2026-12-31"],
        &["--year", "2026"],
    ] {
        assert_eq!(flags(args), flag, "{args:?}");
    }
    // Reopening: the year first, then Q3 (closed after October, which holds
    // none of its corrections) before October.
    wd.kefu(&["bonus", "reopen", "2026", "--yes"])
        .assert()
        .success();
    wd.kefu(&["bonus", "reopen", "2026-10", "--yes"])
        .assert()
        .success();
    wd.kefu(&["bonus", "close", "2026-11"]).assert().success();
    wd.kefu(&["bonus", "reopen", "2026Q3", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("reopen 2026-11 first"));
    wd.kefu(&["bonus", "reopen", "2026-11", "--yes"])
        .assert()
        .success();
    wd.kefu(&["bonus", "close", "2026-12"]).assert().success();
    wd.kefu(&["bonus", "reopen", "2026Q3", "--yes"])
        .assert()
        .code(1);
    wd.kefu(&["bonus", "reopen", "2026-12", "--yes"])
        .assert()
        .success();
    wd.kefu(&["bonus", "reopen", "2026Q3", "--yes"])
        .assert()
        .success();
}

/// Found by exploratory testing: an event of a flag alone (no points),
/// verified or found unverified after its quarter's close, changed the
/// flags with no ledger line behind the change.
#[test]
fn a_flag_only_event_changed_after_the_close_has_its_line() {
    let wd = workspace_with(None);
    let events = |verified: &str| {
        format!("编号,日期,工号,奖惩项目,是否核实\nE1,2026-09-10,A1,严重违纪,{verified}\n")
    };
    import(&wd, "events", "e.csv", &events("是"));
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    let q4_lines = || {
        ledger(&wd, &["--quarter", "2026Q4", "--agent", "A1"])
            .into_iter()
            .filter(|l| l["source"].as_str().unwrap().contains("event e/E1"))
            .map(|l| l["source"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    import(&wd, "events", "e.csv", &events("否"));
    let lines = q4_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("not verified"), "{lines:?}");
    assert!(lines[0].contains("frozen as: event e/E1"), "{lines:?}");
    // Verified again: the frozen line stands, nothing to adjust.
    import(&wd, "events", "e.csv", &events("是"));
    assert_eq!(q4_lines(), Vec::<String>::new());
}

/// Found by exploratory testing (round 84): a complaint confirmed again
/// after an appeal had taken it out of a closed quarter was charged but not
/// counted; September took the flag October's snapshot held for a late
/// change booked on 10-01; a range over October lost that flag to an
/// appeal booked after it; a flag-only event verified late, frozen in
/// October, then found unverified had no line undoing it.
#[test]
fn corrections_across_closed_months_count_and_flag_once() {
    let wd = workspace_with(None);
    let head = "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n";
    let rows = |c1: &str| {
        format!("{head}C1,2026-09-01 10:00,挂电话,A1,{c1},个人\nC2,2026-09-05 10:00,态度差,A1,成立,个人\nC3,2026-09-06 10:00,态度差,A1,成立,个人\n")
    };
    let events = |verified: &str| {
        format!("编号,日期,工号,奖惩项目,是否核实\nE1,2026-09-10,A2,严重违纪,{verified}\n")
    };
    import(&wd, "events", "e.csv", &events("否"));
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    import(&wd, "complaints", "c.csv", &rows("成立"));
    import(&wd, "events", "e.csv", &events("是"));
    wd.kefu(&["bonus", "close", "2026-10"]).assert().success();
    let row = |args: &[&str], id: &str| agent(&bonus(&wd, args), id).clone();
    let flag = serde_json::json!(["dismissal-review:2026-09"]);
    assert_eq!(
        row(&["--month", "2026-09"], "A1")["flags"],
        serde_json::json!([])
    );
    assert_eq!(row(&["--quarter", "2026Q4"], "A1")["flags"], flag);
    // Upheld on appeal (booked on 11-01), E1 found unverified after all.
    import(&wd, "complaints", "c.csv", &rows("不成立"));
    import(&wd, "events", "e.csv", &events("否"));
    let range = ["--from", "2026-09-01", "--to", "2026-10-31"];
    assert_eq!(
        row(&range, "A1")["flags"],
        flag,
        "the appeal is booked after"
    );
    assert_eq!(
        row(&["--quarter", "2026Q4"], "A1")["flags"],
        serde_json::json!([])
    );
    assert_eq!(
        row(&["--quarter", "2026Q4"], "A2")["flags"],
        serde_json::json!([])
    );
    let e1: Vec<String> = ledger(&wd, &["--quarter", "2026Q4", "--agent", "A2"])
        .iter()
        .map(|l| l["source"].as_str().unwrap().to_string())
        .filter(|s| s.contains("event e/E1"))
        .collect();
    assert_eq!(e1.len(), 2, "{e1:?}");
    assert!(
        e1[1].contains("changed: event e/E1") && e1[1].contains("not verified"),
        "{e1:?}"
    );
    // Confirmed again after Q4's close: counted where it is charged.
    wd.set_today("2027-01-04");
    wd.kefu(&["bonus", "close", "2026Q4"]).assert().success();
    import(&wd, "complaints", "c.csv", &rows("成立"));
    let q1 = row(&["--quarter", "2027Q1"], "A1");
    assert_eq!(q1["complaints_counted"], 1, "{q1}");
    let c1: Vec<String> = ledger(&wd, &["--quarter", "2027Q1", "--agent", "A1"])
        .iter()
        .map(|l| l["source"].as_str().unwrap().to_string())
        .filter(|s| s.contains("C1"))
        .collect();
    assert_eq!(c1.len(), 1, "{c1:?}");
    assert!(c1[0].contains("newly counted: 投诉 c/C1"), "{c1:?}");
}

/// Found by exploratory testing (round 87): a flag appeals frozen in Q4 had
/// voided came back into the year once another change, booked in 2027,
/// left the month still under the threshold.
#[test]
fn a_flag_voided_by_frozen_appeals_stays_voided_with_a_change_to_come() {
    let wd = workspace_with(None);
    let rows = |c: [&str; 4]| {
        let mut t = "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n".to_string();
        for (i, v) in c.iter().enumerate() {
            t.push_str(&format!(
                "C{i},2026-09-0{} 10:00,态度差,A1,{v},个人\n",
                i + 1
            ));
        }
        t
    };
    import(&wd, "complaints", "c.csv", &rows(["成立"; 4]));
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    import(
        &wd,
        "complaints",
        "c.csv",
        &rows(["成立", "不成立", "不成立", "不成立"]),
    );
    wd.set_today("2027-01-04");
    wd.kefu(&["bonus", "close", "2026Q4"]).assert().success();
    import(
        &wd,
        "complaints",
        "c.csv",
        &rows(["成立", "成立", "不成立", "不成立"]),
    );
    let flags = |args: &[&str]| agent(&bonus(&wd, args), "A1")["flags"].clone();
    assert_eq!(flags(&["--year", "2026"]), serde_json::json!([]));
    assert_eq!(
        flags(&["--quarter", "2026Q3"]),
        serde_json::json!(["dismissal-review:2026-09"])
    );
}

/// Found by exploratory testing (round 88): a roster's 组长工号 `-` or `无`
/// ("no leader above") was a leader `-` charged for joint liability.
#[test]
fn a_placeholder_leader_on_the_roster_is_no_leader() {
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "r.csv",
        "工号,客服姓名,部门,组长工号,入职日期\nKF010,甲,售后,-,2025-01-01\nKF011,乙,售后,无,2025-01-01\n",
    );
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目\nE1,2026-10-08,KF010,电脑或灯未关\nE2,2026-10-09,KF011,电脑或灯未关\n",
    );
    let rows = bonus(&wd, &["--quarter", "2026Q4"]);
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["agent_id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"-") && !ids.contains(&"无"), "{ids:?}");
    assert!(
        agent(&rows, "KF010")["flags"]
            .to_string()
            .contains("no-leader-for"),
        "{rows:?}"
    );
}

/// Found by exploratory testing (round 85): closing 2026Q3 after October
/// had frozen a correction to a closed September read the next correction
/// against Q3's snapshot alone: a complaint confirmed again was charged
/// nowhere.
#[test]
fn closing_a_quarter_keeps_the_corrections_a_later_month_froze() {
    let wd = workspace_with(None);
    let complaint = |validity: &str| {
        format!("投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\nC1,2026-09-10 10:00,态度恶劣,A1,{validity},个人\n")
    };
    let row = |args: &[&str]| {
        let r = agent(&bonus(&wd, args), "A1").clone();
        (r["net_points"].clone(), r["complaints_counted"].clone())
    };
    import(&wd, "complaints", "c.csv", &complaint("成立"));
    wd.kefu(&["bonus", "close", "2026-09"]).assert().success();
    import(&wd, "complaints", "c.csv", &complaint("不成立"));
    wd.kefu(&["bonus", "close", "2026-10"]).assert().success();
    import(&wd, "complaints", "c.csv", &complaint("成立"));
    let november = row(&["--month", "2026-11"]);
    let year = row(&["--year", "2026"]);
    assert_eq!(november.1, 1, "confirmed again, counted in November");
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    assert_eq!(row(&["--month", "2026-11"]), november);
    assert_eq!(row(&["--year", "2026"]), year);
    // And the other way: upheld on appeal after Q3's close.
    import(&wd, "complaints", "c.csv", &complaint("不成立"));
    assert_eq!(row(&["--year", "2026"]).1, 0);
}

/// Found by exploratory testing: a complaint imported after its quarter
/// was closed was charged (an adjustment in the next quarter) but not
/// counted, so its agent was still nominated for zero complaints all year.
/// An appeal upheld later takes it back where that is booked.
#[test]
fn a_late_complaint_in_a_closed_quarter_is_counted_where_it_is_charged() {
    let wd = workspace_with(None);
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    let head = "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n";
    import(
        &wd,
        "complaints",
        "c.csv",
        &format!("{head}C1,2026-08-15 10:00,态度差,A1,成立,个人\n"),
    );
    let counted = |args: &[&str]| agent(&bonus(&wd, args), "A1")["complaints_counted"].clone();
    assert_eq!(counted(&["--quarter", "2026Q3"]), 0, "frozen");
    assert_eq!(
        counted(&["--quarter", "2026Q4"]),
        1,
        "charged and counted here"
    );
    wd.set_today("2027-01-04");
    assert_eq!(counted(&["--year", "2026"]), 1);
    let reasons = |id: &str| nomination_reasons(&wd, "2026", id);
    assert!(!reasons("A1").contains("zero-complaints"));
    assert!(reasons("A2").contains("zero-complaints"));
    // Q4 closed with it, the year still counts it once; an appeal upheld
    // in 2027 takes it back there.
    wd.kefu(&["bonus", "close", "2026Q4"]).assert().success();
    assert_eq!(counted(&["--year", "2026"]), 1);
    import(
        &wd,
        "complaints",
        "c.csv",
        &format!("{head}C1,2026-08-15 10:00,态度差,A1,不成立,个人\n"),
    );
    assert_eq!(counted(&["--quarter", "2027Q1"]), -1);
}

/// Found by exploratory testing: with September closed on its own, a late
/// third complaint flagged both the open Q3 (live) and Q4 (where its
/// adjustment is booked); once Q3 was closed, the flag was frozen in Q3 and
/// gone from Q4.
#[test]
fn a_flag_raised_late_in_a_closed_month_shows_once_where_it_is_booked() {
    let wd = workspace_with(None);
    let head = "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n";
    import(&wd, "complaints", "c.csv", &format!("{head}C1,2026-09-01 10:00,挂电话,A1,成立,个人\nC2,2026-09-02 10:00,挂电话,A1,成立,个人\n"));
    wd.kefu(&["bonus", "close", "2026-09"]).assert().success();
    import(
        &wd,
        "complaints",
        "late.csv",
        &format!("{head}C3,2026-09-05 10:00,态度差,A1,成立,个人\n"),
    );
    let flags = |args: &[&str]| agent(&bonus(&wd, args), "A1")["flags"].clone();
    let flag = serde_json::json!(["dismissal-review:2026-09"]);
    assert_eq!(flags(&["--quarter", "2026Q3"]), serde_json::json!([]));
    assert_eq!(flags(&["--quarter", "2026Q4"]), flag);
    assert_eq!(flags(&["--year", "2026"]), flag);
    // Complaints counted follow the lines: September's two frozen ones in
    // Q3 and the month (found by exploratory testing: the live three).
    let counted = |args: &[&str]| agent(&bonus(&wd, args), "A1")["complaints_counted"].clone();
    assert_eq!(counted(&["--quarter", "2026Q3"]), 2);
    assert_eq!(counted(&["--month", "2026-09"]), 2);
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    assert_eq!(flags(&["--quarter", "2026Q3"]), serde_json::json!([]));
    assert_eq!(flags(&["--quarter", "2026Q4"]), flag);
    assert_eq!(counted(&["--quarter", "2026Q3"]), 2);
}

/// Found by exploratory testing: a late absent-meeting event made a frozen
/// second occurrence the third (removal); its adjustment said neither which
/// way it went, and the removal flag showed in no quarterly bonus.
#[test]
fn a_late_event_that_changes_a_frozen_occurrence_says_so() {
    let wd = workspace_with(None);
    let head = "编号,日期,工号,奖惩项目\n";
    import(
        &wd,
        "events",
        "e.csv",
        &format!("{head}E1,2026-03-05,A1,无故缺席例会\nE2,2026-08-06,A1,无故缺席例会\n"),
    );
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    import(
        &wd,
        "events",
        "late.csv",
        &format!("{head}E9,2026-07-01,A1,无故缺席例会\n"),
    );
    let q4 = ledger(&wd, &["--quarter", "2026Q4", "--agent", "A1"]);
    let e2 = q4
        .iter()
        .find(|l| l["source"].as_str().unwrap().contains("event e/E2"))
        .unwrap_or_else(|| panic!("{q4:?}"));
    assert_eq!(e2["points"], 2, "{e2}");
    assert_eq!(
        e2["source"],
        "adjustment to closed 2026Q3: changed: event e/E2 (2026-08-06), occurrence 3 in the year, past its 2 steps: removal; frozen as: event e/E2 (2026-08-06), occurrence 2 in the year, -2 points (event:e/E2)"
    );
    assert_eq!(
        agent(&bonus(&wd, &["--quarter", "2026Q4"]), "A1")["flags"],
        serde_json::json!(["removal:2026-08-06"])
    );
}

/// Found by exploratory testing: a month joined on its last day earned the
/// zero-complaint point. Now only months on the roster throughout do,
/// unless the rule says `part_months = true`.
#[test]
fn zero_complaint_months_need_the_whole_month_on_the_roster_unless_configured() {
    let wd = workspace_with(None);
    // A3 joined 2026-08-10.
    let a3 = || agent(&bonus(&wd, &["--quarter", "2026Q3"]), "A3")["net_points"].clone();
    assert_eq!(a3(), 1, "September only");
    let config = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    let derived = "derived = \"zero-complaint-month\"";
    assert!(config.contains(derived));
    std::fs::write(
        wd.path("kefu.toml"),
        config.replacen(derived, &format!("{derived}\npart_months = true"), 1),
    )
    .unwrap();
    assert_eq!(a3(), 2, "August too");
}

/// Found by exploratory testing: `bonus` and `points` took no `--encoding
/// gbk`, which the other reports take for Chinese Excel.
#[test]
fn bonus_and_points_write_gbk_csv() {
    let wd = workspace_with(None);
    for cmd in ["bonus", "points"] {
        let out = wd
            .kefu(&[
                cmd,
                "--quarter",
                "2026Q3",
                "--format",
                "csv",
                "--encoding",
                "gbk",
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let (text, _, errors) = encoding_rs::GBK.decode(&out);
        assert!(!errors && text.contains("王一"), "{cmd}: {text}");
        assert!(std::str::from_utf8(&out).is_err(), "{cmd}: not UTF-8");
    }
    wd.kefu(&["bonus", "--quarter", "2026Q3", "--encoding", "big5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown --encoding"));
}

/// Found by exploratory testing: re-importing the roster with an agent
/// moved to another department and leader rewrote the past: July's top of
/// 查询部 was taken back (an adjustment to closed Q3), July's joint
/// liability moved to the new leader, and July's reports re-attributed the
/// department.
#[test]
fn a_move_on_the_roster_keeps_the_earlier_days_department_and_leader() {
    let wd = workspace_with(None);
    import(&wd, "activity", "a.csv", "月份,工号,指标,数值\n2026-07,A1,queries,100\n2026-07,A2,queries,500\n2026-08,A1,queries,300\n2026-08,A3,queries,100\n2026-09,A1,queries,300\n2026-09,A3,queries,100\n");
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目\nE1,2026-07-10,A2,电脑或灯未关\n",
    );
    import(
        &wd,
        "reviews",
        "r.csv",
        "评价ID,评价时间,评价等级,评价内容,客服工号\nR1,2026-07-15 10:00,差评,态度差,A2\n",
    );
    import(
        &wd,
        "agents",
        "l2.csv",
        "工号,客服姓名,部门,入职日期\nL2,组长乙,接单组,2020-01-01\n",
    );
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    let q3_before = ledger(&wd, &["--quarter", "2026Q3"]);
    // A2 moves to 接单组 under L2 (no 调岗日期: from today).
    let moved = "工号,客服姓名,部门,组长工号,入职日期,离职日期\nL1,组长甲,查询部,,2020-01-01,\nL2,组长乙,接单组,,2020-01-01,\nA1,王一,查询部,L1,2020-01-01,\nA2,李二,接单组,L2,2020-01-01,\nA3,张三,查询部,L1,2026-08-10,\n";
    let f = wd.write("roster2.csv", moved);
    wd.kefu(&["import", "agents", &f])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 agent(s) moved to another department or leader (first: A2 from 2026-12-05): their earlier days keep the old ones",
        ));
    // Nothing to adjust in Q4, and Q3 live again is what was closed.
    let q4 = ledger(&wd, &["--quarter", "2026Q4"]);
    assert!(
        !q4.iter()
            .any(|l| l["source"].as_str().unwrap().contains("adjustment")),
        "{q4:?}"
    );
    wd.kefu(&["bonus", "reopen", "2026Q3", "--yes"])
        .assert()
        .success();
    assert_eq!(ledger(&wd, &["--quarter", "2026Q3"]), q3_before);
    // The bonus table names the department held at the period's end.
    let department = |q: &str| agent(&bonus(&wd, &["--quarter", q]), "A2")["department"].clone();
    assert_eq!(department("2026Q3"), "查询部");
    assert_eq!(department("2026Q4"), "接单组");
    let july = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-07-15",
        "--format",
        "json",
    ]);
    assert_eq!(july["items"][0]["department"], "查询部", "{july}");
    // Agents compared by department are in the one they were in then
    // (found by exploratory testing: listed under today's).
    let compare = |department: &str| {
        let out = wd
            .kefu(&[
                "report",
                "compare",
                "--by",
                "agent",
                "--period",
                "2026-10",
                "--vs",
                "2026-09",
                "--department",
                department,
                "--format",
                "csv",
            ])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(compare("查询部").contains("A2"), "{}", compare("查询部"));
    assert!(!compare("接单组").contains("A2"), "{}", compare("接单组"));
    // A1 moves too, from 2026-09-01 (调岗日期): September's top of 查询部 is
    // A3, not A1, who was in 接单组 by then.
    let f = wd.write(
        "roster3.csv",
        "工号,客服姓名,部门,组长工号,调岗日期\nA1,王一,接单组,L2,2026-09-01\n",
    );
    wd.kefu(&["import", "agents", &f]).assert().success();
    let tops = || -> Vec<(String, String)> {
        ledger(&wd, &["--quarter", "2026Q3"])
            .iter()
            .filter(|l| l["rule_id"] == "top-queries")
            .map(|l| {
                let month = l["source"].as_str().unwrap();
                let month = &month[month.find("2026-").unwrap()..][..7];
                (
                    l["agent_id"].as_str().unwrap().to_string(),
                    month.to_string(),
                )
            })
            .collect()
    };
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, m)| (a.to_string(), m.to_string()))
            .collect()
    };
    assert_eq!(
        tops(),
        pairs(&[("A2", "2026-07"), ("A1", "2026-08"), ("A3", "2026-09")])
    );
    // The 调岗日期 corrected to 2026-08-01 (found by exploratory testing:
    // a corrected date was ignored): August's top of 查询部 is A3 too.
    let f = wd.write(
        "roster4.csv",
        "工号,客服姓名,部门,组长工号,调岗日期\nA1,王一,接单组,L2,2026-08-01\n",
    );
    wd.kefu(&["import", "agents", &f])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 agent(s)' move now takes effect on the 调岗日期 given (first: A1 from 2026-08-01)",
        ));
    assert_eq!(
        tops(),
        pairs(&[("A2", "2026-07"), ("A3", "2026-08"), ("A3", "2026-09")])
    );
    // The same roster again changes nothing and says nothing of moves.
    wd.kefu(&["import", "agents", &f])
        .assert()
        .success()
        .stderr(predicate::str::contains("move").not());
}

/// Found by exploratory testing: `bonus --year` priced the whole year's
/// points at today's rate and floored a negative at 0 over the year, so its
/// total was not what the quarters paid (a closed one at its frozen rate).
#[test]
fn a_years_bonus_is_what_its_quarters_pay() {
    let wd = workspace_with(None);
    let head = "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n";
    let five: String = (1..=5)
        .map(|i| format!("C{i},2026-05-0{i} 10:00,挂电话,A2,成立,个人\n"))
        .collect();
    import(&wd, "complaints", "c.csv", &format!("{head}{five}"));
    wd.kefu(&["bonus", "close", "2026Q1"]).assert().success();
    set_rate(&wd, "12");
    let year = bonus(&wd, &["--year", "2026"]);
    // A1: 3 zero-complaint months a quarter, 2 so far in Q4: Q1 at 10 (closed),
    // the rest at 12: 30 + 36 + 36 + 24.
    assert_eq!(agent(&year, "A1")["net_points"], 11);
    assert_eq!(agent(&year, "A1")["bonus"], "126.00");
    // A2: Q2 is −3 (five complaints in May): paid 0, not set against the
    // other quarters: 30 + 0 + 36 + 24.
    assert_eq!(agent(&year, "A2")["net_points"], 5);
    assert_eq!(agent(&year, "A2")["bonus"], "90.00");
    let quarters: rust_decimal::Decimal = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
        .iter()
        .map(|q| {
            agent(&bonus(&wd, &["--quarter", q]), "A2")["bonus"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    assert_eq!(quarters.to_string(), "90.00");
    wd.kefu(&["bonus", "--year", "2026"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "bonus = the sum of the quarters' bonuses (2026Q1, 2026Q2, 2026Q3, 2026Q4)",
        ))
        .stdout(predicate::str::contains(
            "closed ones as frozen: 2026Q1 at 10",
        ));
    // Q1 by its days is Q1, frozen (found by exploratory testing: at
    // today's rate), and a month inside it is at Q1's rate.
    let range = bonus(&wd, &["--from", "2026-01-01", "--to", "2026-03-31"]);
    assert_eq!(agent(&range, "A1")["bonus"], "30.00");
    wd.kefu(&[
        "bonus",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--rate",
        "3",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "2026Q1 is closed: its rate is frozen",
    ));
    wd.kefu(&["points", "--from", "2026-01-01", "--to", "2026-03-31"])
        .assert()
        .success()
        .stdout(predicate::str::contains("frozen"));
    wd.kefu(&["bonus", "--month", "2026-02"])
        .assert()
        .success()
        .stdout(predicate::str::contains("月度奖金 Bonus 2026-02"));
    wd.kefu(&["bonus", "nominations", "--year", "2027"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2027 has not begun"));
    let month = bonus(&wd, &["--month", "2026-02"]);
    assert_eq!(agent(&month, "A1")["rate"], "10.00");
    assert_eq!(agent(&month, "A1")["bonus"], "10.00");
    // A range over part of the closed Q1 and part of Q2 pays March at Q1's
    // frozen 10 and April at 12 (found by exploratory testing: all at 12),
    // and `--rate` prices only the open part.
    let across = bonus(&wd, &["--from", "2026-03-01", "--to", "2026-04-30"]);
    assert_eq!(agent(&across, "A1")["net_points"], 2);
    assert_eq!(agent(&across, "A1")["bonus"], "22.00");
    assert_eq!(agent(&across, "A1")["rate"], Value::Null);
    let rated = bonus(
        &wd,
        &["--from", "2026-03-01", "--to", "2026-04-30", "--rate", "20"],
    );
    assert_eq!(agent(&rated, "A1")["bonus"], "30.00");
    wd.kefu(&["bonus", "--from", "2026-03-01", "--to", "2026-04-30"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2026-03-01..2026-03-31 at 2026Q1's 10.00",
        ));
    // Closing the year freezes what the year view shows (found by
    // exploratory testing: it froze the year's points at today's rate).
    wd.set_today("2027-01-05");
    let before = bonus(&wd, &["--year", "2026"]);
    wd.kefu(&["bonus", "close", "2026"]).assert().success();
    let after = bonus(&wd, &["--year", "2026"]);
    for id in ["A1", "A2"] {
        assert_eq!(
            agent(&after, id)["bonus"],
            agent(&before, id)["bonus"],
            "{id}"
        );
    }
    // Q4 has ended by now: December's zero-complaint month counts too.
    assert_eq!(agent(&after, "A1")["bonus"], "138.00");
}

/// Sets kefu.toml's rate per point.
fn set_rate(wd: &Workdir, rate: &str) {
    let config = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    assert!(config.contains("rate = \"10\""));
    let changed = config.replacen("rate = \"10\"", &format!("rate = \"{rate}\""), 1);
    std::fs::write(wd.path("kefu.toml"), changed).unwrap();
}

/// Days are priced at the rate of the closed quarter they lie in, even
/// inside a year closed later at another rate; a closed month inside an
/// open quarter prices nothing, so that a range's October costs the same
/// wherever the range ends (both found by exploratory testing).
#[test]
fn a_closed_quarter_keeps_its_rate_and_a_closed_month_prices_nothing() {
    let wd = workspace_with(None);
    wd.kefu(&["bonus", "close", "2026Q1"]).assert().success();
    set_rate(&wd, "20");
    wd.set_today("2027-01-05");
    wd.kefu(&["bonus", "close", "2026"]).assert().success();
    // A1 earns the zero-complaint point every month.
    let march = bonus(&wd, &["--month", "2026-03"]);
    assert_eq!(agent(&march, "A1")["bonus"], "10.00");
    let spring = bonus(&wd, &["--from", "2026-03-01", "--to", "2026-04-30"]);
    assert_eq!(agent(&spring, "A1")["bonus"], "30.00");

    let wd = workspace_with(None);
    wd.kefu(&["bonus", "close", "2026-10"]).assert().success();
    set_rate(&wd, "20");
    let october = bonus(&wd, &["--month", "2026-10"]);
    assert_eq!(agent(&october, "A1")["bonus"], "10.00", "its snapshot");
    let to_october = bonus(&wd, &["--from", "2026-09-01", "--to", "2026-10-31"]);
    assert_eq!(agent(&to_october, "A1")["bonus"], "40.00");
    let to_november = bonus(&wd, &["--from", "2026-09-01", "--to", "2026-11-30"]);
    assert_eq!(agent(&to_november, "A1")["bonus"], "60.00");
    let quarter = bonus(&wd, &["--quarter", "2026Q4"]);
    assert_eq!(agent(&quarter, "A1")["bonus"], "40.00");
}

/// A complaint judged 成立 whose 责任认定 is still blank or 待定 is pending:
/// listed for HR, not charged (found by exploratory testing: it was
/// neither, while one with nothing judged yet was pending).
#[test]
fn a_valid_complaint_awaiting_its_responsibility_is_pending() {
    let wd = workspace_with(None);
    import(
        &wd,
        "complaints",
        "c.csv",
        "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n\
         C1,2026-10-10 10:00,态度差,A1,,\n\
         C2,2026-10-10 11:00,态度差,A2,成立,\n\
         C3,2026-10-10 12:00,态度差,A3,成立,待定\n\
         C4,2026-10-10 13:00,态度差,A3,成立,团队\n",
    );
    let rows = bonus(&wd, &["--quarter", "2026Q4"]);
    for (id, pending) in [("A1", 1), ("A2", 1), ("A3", 1)] {
        assert_eq!(agent(&rows, id)["complaints_pending"], pending, "{id}");
        assert_eq!(agent(&rows, id)["complaints_counted"], 0, "{id}");
    }
    wd.kefu(&["bonus", "--quarter", "2026Q4"])
        .assert()
        .success()
        .stdout(predicate::str::contains("C2"))
        .stdout(predicate::str::contains("C3"))
        .stdout(predicate::str::contains("C4").not());
    // October's zero-complaint point says what is pending (found by
    // exploratory testing: nothing on the line hinted at it).
    let lines = ledger(&wd, &["--quarter", "2026Q4", "--agent", "A1"]);
    let zero: Vec<_> = lines
        .iter()
        .filter(|l| l["rule_id"] == "zero-complaints")
        .map(|l| l["source"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        zero[0],
        "zero complaints in 2026-10 (1 pending, not yet judged: one counted later takes this point back)",
        "{zero:?}"
    );
}

/// Found by exploratory testing, with roster moves: a leader written by
/// name and linked once the leaders' sheet came was taken for a move (the
/// name kept as the earlier days' leader, charged as an agent of its own);
/// a 调岗单 without the leader and date columns wiped them; one agent
/// listed twice, and a move dated before the agent joined, passed unsaid.
#[test]
fn roster_imports_tell_a_move_from_a_link_a_partial_sheet_and_a_typo() {
    let wd = workspace_with(None);
    let f = wd.write(
        "team.csv",
        "工号,客服姓名,部门,组长,入职日期\nB1,赵一,售后组,组长丙,2024-03-01\n",
    );
    wd.kefu(&["import", "-q", "agents", &f]).assert().success();
    let f = wd.write("leaders.csv", "工号,客服姓名,部门\nL3,组长丙,售后组\n");
    wd.kefu(&["import", "agents", &f])
        .assert()
        .success()
        .stderr(predicate::str::contains("moved").not());
    assert_eq!(wd.count("SELECT count(*) FROM agent_history"), 0);
    assert_eq!(
        wd.sql("SELECT leader_id FROM agents WHERE id = 'B1'"),
        [["L3"]]
    );
    // A 调岗单: 工号, 姓名, 部门, 调岗日期 only. The leader and the dates stay.
    let f = wd.write(
        "move.csv",
        "工号,姓名,部门,调岗日期\nB1,赵一,查询部,2026-11-01\nB1,赵一,接单组,2026-11-15\n",
    );
    wd.kefu(&["import", "agents", &f])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 agent(s) listed more than once (B1): the last row counts",
        ));
    assert_eq!(
        wd.sql("SELECT department, leader_id, joined_on FROM agents WHERE id = 'B1'"),
        [["接单组", "L3", "2024-03-01"]]
    );
    // A move dated before the agent joined (2016 for 2026) is said.
    let f = wd.write(
        "typo.csv",
        "工号,姓名,部门,调岗日期\nB1,赵一,查询部,2016-11-20\n",
    );
    wd.kefu(&["import", "agents", &f])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 move(s) dated on a day the agent was not employed (B1's from 2016-11-20, before they joined (2024-03-01))",
        ));
}

/// Found by exploratory testing: a move to another leader dated inside a
/// closed quarter left the joint liability frozen on the old leader with no
/// adjustment (the line's key did not name the leader), while the live
/// quarter charged the new one.
#[test]
fn a_leader_move_into_a_closed_quarter_moves_the_joint_liability() {
    let wd = workspace_with(None);
    import(
        &wd,
        "agents",
        "l2.csv",
        "工号,客服姓名,部门,入职日期\nL2,组长乙,查询部,2020-01-01\n",
    );
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目\nV1,2026-07-10,A2,电脑或灯未关\n",
    );
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    // A store closed by kefu before version 6 keyed the line without the
    // leader: the upgrade renames it, and nothing is adjusted for it.
    {
        let conn = rusqlite::Connection::open(wd.path("kefu.db")).unwrap();
        let n = conn
            .execute(
                "UPDATE closed_lines SET key = 'leader:event:e/V1' WHERE key = 'leader:L1:event:e/V1'",
                [],
            )
            .unwrap();
        assert_eq!(n, 1);
        // Versions 7's and 8's additions out again, as a version 5 store
        // had none.
        conn.execute_batch(
            "DROP TABLE agent_other_names; DROP TABLE agent_stints; DROP INDEX feedback_unrated; DROP INDEX feedback_charges; ALTER TABLE feedback DROP COLUMN unrated; ALTER TABLE closed_lines DROP COLUMN complaints; PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    let adjustments = |wd: &Workdir| -> Vec<(String, i64)> {
        ledger(wd, &["--quarter", "2026Q4"])
            .iter()
            .filter(|l| l["source"].as_str().unwrap().contains("joint liability"))
            .map(|l| {
                (
                    l["agent_id"].as_str().unwrap().to_string(),
                    l["points"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(adjustments(&wd), []);
    assert_eq!(
        wd.count("SELECT count(*) FROM closed_lines WHERE key = 'leader:L1:event:e/V1'"),
        1
    );
    // A2 moves to L2 from 2026-07-01: the charge moves, in Q4.
    import(
        &wd,
        "agents",
        "move.csv",
        "工号,客服姓名,组长工号,调岗日期\nA2,李二,L2,2026-07-01\n",
    );
    assert_eq!(
        adjustments(&wd),
        [("L1".to_string(), 2), ("L2".to_string(), -2)]
    );
}

/// Found by exploratory testing: a complaint (or event) moved to another
/// agent after its quarter was closed booked no adjustment (the line's key
/// was the same): the wrong agent stayed charged.
#[test]
fn a_record_moved_to_another_agent_after_a_close_is_adjusted_for_both() {
    let wd = workspace_with(None);
    let head = "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n";
    import(
        &wd,
        "complaints",
        "c.csv",
        &format!("{head}C1,2026-08-05 10:00,挂电话,A1,成立,个人\n"),
    );
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目\nE1,2026-08-06,A1,不服从管理\n",
    );
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    import(
        &wd,
        "complaints",
        "c.csv",
        &format!("{head}C1,2026-08-05 10:00,挂电话,A2,成立,个人\n"),
    );
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目\nE1,2026-08-06,A2,不服从管理\n",
    );
    let moved = |wd: &Workdir, q: &str| -> Vec<(String, i64, String)> {
        let mut v: Vec<(String, i64, String)> = ledger(wd, &["--quarter", q])
            .iter()
            .filter(|l| {
                let s = l["source"].as_str().unwrap();
                s.contains("C1") || s.contains("E1")
            })
            .map(|l| {
                let s = l["source"].as_str().unwrap();
                let how = if s.contains("no longer counted") {
                    "no longer"
                } else {
                    "newly"
                };
                (
                    l["agent_id"].as_str().unwrap().to_string(),
                    l["points"].as_i64().unwrap(),
                    how.to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        moved(&wd, "2026Q4"),
        [
            ("A1".to_string(), 1, "no longer".to_string()),
            ("A1".to_string(), 2, "no longer".to_string()),
            ("A2".to_string(), -2, "newly".to_string()),
            ("A2".to_string(), -1, "newly".to_string()),
        ]
    );
    // Q4 closes with them (each line's key its own), and they are not
    // booked again.
    wd.set_today("2027-01-04");
    wd.kefu(&["bonus", "close", "2026Q4"]).assert().success();
    assert_eq!(moved(&wd, "2026Q4").len(), 4);
    assert_eq!(moved(&wd, "2027Q1"), []);
}

/// Found by exploratory testing: closing ISO week 2026-W44 (10-26 to
/// 11-01) froze 10-31 without October's zero-complaint point, which every
/// later period then took as frozen (the quarter lost it); and a month
/// inside a closed quarter could be reopened, throwing its snapshot away.
#[test]
fn a_bonus_period_is_whole_months_and_one_inside_a_closed_one_stays_closed() {
    let wd = workspace_with(None);
    wd.set_today("2027-01-04");
    for period in ["2026-W44", "2026-10-31", "2026-11-01"] {
        wd.kefu(&["bonus", "close", period])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("a bonus period is whole months"));
    }
    let q4 = agent(&bonus(&wd, &["--quarter", "2026Q4"]), "A1")["net_points"].clone();
    assert_eq!(q4, 3, "a zero-complaint point a month");
    wd.kefu(&["bonus", "close", "2026-11"]).assert().success();
    wd.kefu(&["bonus", "close", "2026Q4"]).assert().success();
    wd.kefu(&["bonus", "reopen", "2026-11", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "lies inside 2026Q4, which is closed and holds its days; reopen 2026Q4 first",
        ));
    assert_eq!(
        agent(&bonus(&wd, &["--quarter", "2026Q4"]), "A1")["net_points"],
        q4
    );
    // Reopened in order, both are live again.
    wd.kefu(&["bonus", "reopen", "2026Q4", "--yes"])
        .assert()
        .success();
    wd.kefu(&["bonus", "reopen", "2026-11", "--yes"])
        .assert()
        .success();
    // The advice names what can be reopened first: the quarter, not its
    // month closed before it (found by exploratory testing: advice that
    // went in a circle).
    for period in ["2026Q2", "2026-08", "2026Q3"] {
        wd.kefu(&["bonus", "close", period]).assert().success();
    }
    wd.kefu(&["bonus", "reopen", "2026Q2", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("reopen 2026Q3 first"));
}

/// Found by exploratory testing: an agent who had left (or not yet joined)
/// took the month's top-metric point from the top agent on the roster.
#[test]
fn only_agents_on_the_roster_that_month_compete_for_a_top_metric() {
    let wd = workspace_with(None);
    // A3 joined 2026-08-10: July's 999 queries are no one's to win.
    import(
        &wd,
        "activity",
        "activity.csv",
        "月份,工号,指标,数值\n2026-07,A3,queries,999\n2026-07,A1,queries,300\n2026-08,A1,queries,0\n2026-08,A2,queries,0\n",
    );
    // August: nobody answered a query, so nobody is top (found by
    // exploratory testing: both were given the point for 0).
    let tops: Vec<(String, String)> = ledger(&wd, &["--quarter", "2026Q3"])
        .iter()
        .filter(|l| l["source"].as_str().unwrap().starts_with("top queries"))
        .map(|l| {
            (
                l["agent_id"].as_str().unwrap().to_string(),
                l["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(tops.len(), 1, "{tops:?}");
    assert_eq!(tops[0].0, "A1");
    assert!(tops[0].1.contains("2026-07"), "{tops:?}");
}

/// Found by exploratory testing: re-pricing a rule after a close booked the
/// difference for the closed quarter as adjustments in the next one.
#[test]
fn a_rule_changed_after_a_close_does_not_reprice_the_closed_period() {
    let wd = workspace_with(None);
    let events = "编号,日期,工号,奖惩项目,次数\nE1,2026-07-08,A1,书面表扬,1\n";
    import(&wd, "events", "e.csv", events);
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    let repriced = toml.replacen(
        "name = \"书面表扬\"\npoints = 2",
        "name = \"书面表扬\"\npoints = 5",
        1,
    );
    assert_ne!(repriced, toml);
    std::fs::write(wd.path("kefu.toml"), repriced).unwrap();
    let adjustments = |wd: &Workdir| -> Vec<i64> {
        ledger(wd, &["--quarter", "2026Q4", "--agent", "A1"])
            .iter()
            .filter(|l| {
                l["source"]
                    .as_str()
                    .unwrap()
                    .starts_with("adjustment to closed 2026Q3")
            })
            .map(|l| l["points"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(adjustments(&wd), Vec::<i64>::new());
    // A late event in the closed quarter is still an adjustment, priced as
    // the quarter was closed (+2, not the new +5).
    let late =
        "编号,日期,工号,奖惩项目,次数\nE1,2026-07-08,A1,书面表扬,1\nE2,2026-08-20,A1,书面表扬,1\n";
    import(&wd, "events", "e.csv", late);
    assert_eq!(adjustments(&wd), [2]);
    // Q4 itself follows the rulebook as it is now.
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目,次数\nE3,2026-10-20,A1,书面表扬,1\n",
    );
    let q4: i64 = ledger(&wd, &["--quarter", "2026Q4", "--agent", "A1"])
        .iter()
        .filter(|l| l["source"].as_str().unwrap().starts_with("event e/E3"))
        .map(|l| l["points"].as_i64().unwrap())
        .sum();
    assert_eq!(q4, 5);
}

#[test]
fn activity_must_not_be_negative_and_unread_metrics_are_named() {
    let wd = workspace_with(None);
    let f = wd.write(
        "activity.csv",
        "月份,工号,指标,数值\n2026-07,A1,queries,300\n2026-07,A2,queries,-5\n2026-07,A1,查询量,12\n",
    );
    let rejects = wd.path("rejects.csv");
    wd.kefu(&[
        "import",
        "activity",
        &f,
        "--rejects",
        rejects.to_str().unwrap(),
    ])
    .assert()
    .success()
    .stderr(
        predicate::str::contains("metric \"查询量\" (1 row(s)) is read by no rule")
            .and(predicate::str::contains(
                "rules read: no_faults, orders, queries",
            ))
            .and(predicate::str::contains("\"queries\"").not()),
    );
    let rejected = std::fs::read_to_string(&rejects).unwrap();
    assert!(rejected.contains("value -5 is negative"), "{rejected}");
    // Two rows for one month, agent and metric: the later replaces the
    // earlier, and the import says so (found by exploratory testing).
    let f = wd.write(
        "twice.csv",
        "月份,工号,指标,数值\n2026-11,A1,queries,300\n2026-11,A1,queries,200\n",
    );
    wd.kefu(&["import", "activity", &f]).assert().success().stderr(
        predicate::str::contains(
            "1 activity row(s) repeat the month, agent and metric of an earlier row of this import (2026-11 A1 queries)",
        ),
    );
}

/// A late change to a closed period is counted once: as an adjustment in
/// the next open period, not again in a longer period that also covers the
/// closed days, nor twice when a month and then its quarter are closed.
#[test]
fn a_late_change_to_a_closed_period_counts_once() {
    let praise = "编号,日期,工号,奖惩项目,次数\nE1,2026-07-08,A1,书面表扬,1\n";
    let late = "编号,日期,工号,奖惩项目,次数\nE9,2026-08-20,A1,书面表扬,1\n";
    let net = |wd: &Workdir, args: &[&str]| {
        agent(&bonus(wd, args), "A1")["net_points"]
            .as_i64()
            .unwrap()
    };

    // A closed quarter inside a year.
    let wd = workspace_with(None);
    import(&wd, "events", "e.csv", praise);
    let year = net(&wd, &["--year", "2026"]);
    let q4 = net(&wd, &["--quarter", "2026Q4"]);
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    import(&wd, "events", "late.csv", late);
    assert_eq!(net(&wd, &["--year", "2026"]), year + 2);
    assert_eq!(net(&wd, &["--quarter", "2026Q4"]), q4 + 2, "the adjustment");
    let lines = ledger(&wd, &["--year", "2026", "--agent", "A1"]);
    let e9: Vec<&Value> = lines
        .iter()
        .filter(|l| l["source"].as_str().unwrap().contains("E9"))
        .collect();
    assert_eq!(e9.len(), 1, "{e9:?}");

    // A closed month, then its quarter.
    let wd = workspace_with(None);
    import(&wd, "events", "e.csv", praise);
    let q3 = net(&wd, &["--quarter", "2026Q3"]);
    wd.kefu(&["bonus", "close", "2026-08"]).assert().success();
    import(&wd, "events", "late.csv", late);
    assert_eq!(net(&wd, &["--quarter", "2026Q3"]), q3 + 2);
    let lines = ledger(&wd, &["--month", "2026-09", "--agent", "A1"]);
    assert!(
        lines.iter().any(|l| l["points"] == 2
            && l["source"]
                .as_str()
                .unwrap()
                .starts_with("adjustment to closed 2026-08")),
        "booked on the first day after the closed month: {lines:?}"
    );
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    assert_eq!(net(&wd, &["--quarter", "2026Q3"]), q3 + 2, "frozen");
    assert_eq!(
        net(&wd, &["--year", "2026"]),
        net(&wd, &["--quarter", "2026Q1"])
            + net(&wd, &["--quarter", "2026Q2"])
            + q3
            + 2
            + net(&wd, &["--quarter", "2026Q4"])
    );
}

#[test]
fn a_misspelt_complaint_kind_is_an_error() {
    let wd = Workdir::new();
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    let typo = toml.replace(
        "kinds = [\"complaint\", \"review\"]",
        "kinds = [\"complant\"]",
    );
    assert_ne!(typo, toml, "the default kefu.toml names the kinds");
    std::fs::write(wd.path("kefu.toml"), typo).unwrap();
    wd.kefu(&["bonus", "--quarter", "2026Q3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown kind \"complant\""));
}

#[test]
fn a_misspelt_setting_value_names_its_line() {
    let wd = Workdir::new();
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    for (right, wrong, expected) in [
        (
            "ties = \"all\"",
            "ties = \"alll\"",
            "expected one of `all`, `none`, `lowest-id`",
        ),
        (
            "derived = \"top-metric\"",
            "derived = \"top_metric\"",
            "expected one of `complaint`, `zero-complaint-month`, `top-metric`",
        ),
    ] {
        let line = toml.lines().position(|l| l.starts_with(right)).unwrap() + 1;
        let typo = toml.replacen(right, wrong, 1);
        std::fs::write(wd.path("kefu.toml"), typo).unwrap();
        wd.kefu(&["bonus", "--quarter", "2026Q3"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("at line {line}, column")))
            .stderr(predicate::str::contains(expected));
    }
}

#[test]
fn every_agent_gets_a_statement_file_of_their_own() {
    let wd = Workdir::new();
    let roster = wd.write(
        "r.csv",
        "工号,客服姓名,部门,入职日期\nA/5,钱五,查询部,2026-01-01\nA_5,孙六,查询部,2026-01-01\n",
    );
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    let dir = statements_of(&wd, "2026Q3");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["A_5-2.html", "A_5.html"]);
    let both: String = names
        .iter()
        .map(|n| std::fs::read_to_string(dir.join(n)).unwrap())
        .collect();
    assert!(both.contains("钱五") && both.contains("孙六"));
}

#[test]
fn points_and_bonus_without_a_workspace_say_so() {
    let wd = Workdir::empty();
    for cmd in ["points", "bonus"] {
        wd.kefu(&[cmd]).assert().code(1).stderr(
            predicate::str::contains("no kefu store").and(predicate::str::contains("kefu init")),
        );
    }
}

#[test]
fn events_whose_rule_left_the_rulebook_are_reported() {
    let wd = workspace_with(None);
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目,次数\nE1,2026-07-08,A1,书面表扬,1\nE2,2026-08-03,A2,无故缺席例会,1\n",
    );
    // Switch to scheme B, which has praise-letter but no absent-meeting.
    use_scheme(&wd, &scheme_b());
    wd.kefu(&["bonus", "--quarter", "2026Q3", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "count for nothing: absent-meeting (1)",
        ));
    let v = wd.json(&["points", "--quarter", "2026Q3", "--format", "json"]);
    assert!(v["notes"].to_string().contains("absent-meeting (1)"), "{v}");
}

#[test]
fn a_late_event_under_a_rule_renamed_since_the_close_is_reported() {
    let wd = workspace_with(None);
    wd.kefu(&["bonus", "close", "2026Q3", "-q"])
        .assert()
        .success();
    // The rule's id renamed in kefu.toml after the close, then a late event.
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    assert!(toml.contains("id = \"praise-letter\""));
    std::fs::write(
        wd.path("kefu.toml"),
        toml.replace("id = \"praise-letter\"", "id = \"praise\""),
    )
    .unwrap();
    import(
        &wd,
        "events",
        "late.csv",
        "编号,日期,工号,奖惩项目,次数\nLATE1,2026-09-10,A1,书面表扬,1\n",
    );
    // The closed quarter's rulebook has no `praise`: the adjustments booked
    // in 2026Q4 say so, in every format.
    let note = "1 recorded event(s) dated in closed 2026Q3 name rules that the rulebook it was closed with does not have";
    wd.kefu(&["bonus", "--quarter", "2026Q4", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains(note).and(predicate::str::contains("praise (1)")));
    let v = wd.json(&["points", "--quarter", "2026Q4", "--format", "json"]);
    assert!(v["notes"].to_string().contains(note), "{v}");
    // Nothing is said for a period that books no adjustment to 2026Q3.
    wd.kefu(&["bonus", "--quarter", "2026Q2", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("closed 2026Q3").not());
}

#[test]
fn rulebook_entries_that_cannot_mean_what_they_say_are_refused() {
    let wd = Workdir::new();
    let base = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    for (added, says) in [
        ("[[points.rule]]\nid = \"late\"\nname = \"迟到\"\n", "rule \"late\": no points"),
        (
            "[[points.rule]]\nid = \"ring\"\nname = \"响铃未接\"\npoints = -1\nescalation = [-2, -3]\n",
            "points and escalation both given",
        ),
        (
            "[[points.rule]]\nid = \"extra\"\nname = \"投诉附加\"\npoints = -5\nderived = \"complaint\"\n",
            "only one rule may be derived = \"complaint\"",
        ),
        (
            "[[points.threshold]]\nid = \"zero\"\nname = \"零次\"\ncomplaints = 0\n",
            "complaints must be at least 1",
        ),
        (
            "[[points.threshold]]\nid = \"dismissal-review\"\nname = \"再审\"\ncomplaints = 2\n",
            "threshold id \"dismissal-review\" is used twice",
        ),
        (
            "[[points.rule]]\nid = \"praise2\"\nname = \"书面表扬\"\npoints = 1\n",
            "rule name \"书面表扬\" is used twice",
        ),
        // Round 72: an id that is another rule's name; a derived rule with
        // no points; a rule id alike but for case names the other rule.
        (
            "[[points.rule]]\nid = \"书面表扬\"\nname = \"书面表扬（大）\"\npoints = 50\n",
            "\"书面表扬\" is the name of one and the id of the other",
        ),
        (
            "[[points.rule]]\nid = \"top2\"\nname = \"第一名二\"\nderived = \"top-metric\"\nmetric = \"queries\"\n",
            "rule \"top2\": no points (points = N): a derived rule would count for nothing",
        ),
        (
            "[[points.rule]]\nid = \"Praise-Letter\"\nname = \"表扬二\"\npoints = 1\n",
            "rule id \"Praise-Letter\" is rule \"praise-letter\"'s id but for case or width",
        ),
        (
            "[[points.rule]]\nid = \"top3\"\nname = \"第一名三\"\npoints = 1\nderived = \"top-metric\"\nmetric = \"queries\"\ndepartment = \" \"\n",
            "rule \"top3\": department is empty",
        ),
    ] {
        std::fs::write(wd.path("kefu.toml"), format!("{base}\n{added}")).unwrap();
        wd.kefu(&["bonus", "--quarter", "2026Q3"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("kefu.toml").and(predicate::str::contains(says)));
    }
    // Pending complaints are never charged: a policy that would is refused.
    let pending = base.replace(
        "validities = [\"confirmed\"]",
        "validities = [\"confirmed\", \"待定\"]",
    );
    assert_ne!(pending, base);
    std::fs::write(wd.path("kefu.toml"), pending).unwrap();
    wd.kefu(&["bonus", "--quarter", "2026Q3"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("line 60").and(predicate::str::contains(
                "a pending complaint is never charged",
            )),
        );
    // An empty list charges nothing at all (found by exploratory testing:
    // accepted without a word, every complaint free).
    for key in ["kinds", "responsibilities", "validities"] {
        let at = base.find(&format!("\n{key} = [")).unwrap() + 1;
        let end = at + base[at..].find('\n').unwrap();
        let emptied = format!("{}{key} = []{}", &base[..at], &base[end..]);
        std::fs::write(wd.path("kefu.toml"), emptied).unwrap();
        wd.kefu(&["bonus", "--quarter", "2026Q3"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "{key} = []: no complaint could ever be charged"
            )));
    }
}

/// Found by exploratory testing (round 101): a tie on a metric broken by
/// the "lowest" id compared as text (10 before 9) and unsaid; 是否核实 =
/// 无 paid; one letter cited by two events paid twice without a word; an
/// event after the agent left paid with nothing on the payout.
#[test]
fn ties_by_numbered_ids_doubtful_events_and_points_outside_employment() {
    let wd = Workdir::new();
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    std::fs::write(
        wd.path("kefu.toml"),
        toml.replacen("ties = \"all\"", "ties = \"lowest-id\"", 1),
    )
    .unwrap();
    import(
        &wd,
        "agents",
        "roster.csv",
        "工号,客服姓名,部门,入职日期,离职日期\n9,九号,查询部,2020-01-01,\n10,十号,查询部,2020-01-01,\nA6,陈静,售前组,2024-01-05,2026-08-15\nKF9,九,查询部,2020-01-01,\nkf2,二,查询部,2020-01-01,\n",
    );
    import(
        &wd,
        "activity",
        "activity.csv",
        "月份,工号,指标,数值\n2026-07,10,queries,300\n2026-07,9,queries,300\n2026-08,KF9,queries,300\n2026-08,kf2,queries,300\n",
    );
    let lines = ledger(&wd, &["--quarter", "2026Q3"]);
    let top: Vec<_> = lines
        .iter()
        .filter(|l| l["rule_id"] == "top-queries")
        .collect();
    assert_eq!(top.len(), 2, "{top:?}");
    assert_eq!(top[0]["agent_id"], "9");
    // Compared as the roster compares ids: kf2 before KF9 (round 102).
    assert_eq!(top[1]["agent_id"], "kf2");
    assert!(
        top[0]["source"]
            .as_str()
            .unwrap()
            .contains("tied with 10: the lowest id"),
        "{top:?}"
    );
    // 无 in 是否核实 is rejected, not counted.
    let rejects = import_rejects(
        &wd,
        "events",
        "编号,日期,工号,奖惩项目,备注,是否核实\nE1,2026-07-08,9,书面表扬,来信,无\n",
        true,
    );
    assert!(rejects.contains("says neither yes nor no"), "{rejects}");
    // One letter cited twice: both counted, and said, with the 关联单号 on
    // the ledger line.
    let events = wd.write(
        "events.csv",
        "编号,日期,工号,奖惩项目,备注,关联单号\nE1,2026-07-08,9,书面表扬,来信,L-0708\nE90,2026-07-09,9,书面表扬,来信,L-0708\nE20,2026-09-10,A6,书面表扬,离职后来信,\n",
    );
    wd.kefu(&["import", "events", &events])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "event E90 is the second to cite 关联单号 L-0708 for its agent and rule (event E1",
        ));
    let lines = ledger(&wd, &["--quarter", "2026Q3", "--agent", "9"]);
    assert!(lines
        .iter()
        .any(|l| l["source"].as_str().unwrap().contains("关联单号 L-0708")));
    // A renumbered copy of the register, under another file name.
    let copy = wd.write(
        "events-copy.csv",
        "编号,日期,工号,奖惩项目,备注,关联单号\nF20,2026-09-10,A6,书面表扬,离职后来信,\n",
    );
    wd.kefu(&["import", "events", &copy])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "event F20 is like event E20 of source",
        ));
    // A6 left on 08-15: the September praise is paid, and flagged.
    let rows = bonus(&wd, &["--quarter", "2026Q3"]);
    let flags = agent(&rows, "A6")["flags"].to_string();
    assert!(flags.contains("outside-employment:2026-09-10"), "{flags}");
}

/// Found by exploratory testing (round 72): a complaint a policy counts
/// with another responsibility read `个人 individual` in the ledger; after
/// a roster rename a closed quarter's bonus (and the statement's title)
/// gave the old name, its lines the new one; a closed month's note sent
/// HR to the next quarter for its late changes, booked the next day.
#[test]
fn ledger_lines_say_what_the_record_holds_and_closed_periods_the_roster_name() {
    let wd = Workdir::new();
    let base = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    std::fs::write(
        wd.path("kefu.toml"),
        base.replace(
            "responsibilities = [\"individual\"]",
            "responsibilities = [\"individual\", \"team\"]",
        ),
    )
    .unwrap();
    import(
        &wd,
        "agents",
        "a.csv",
        "工号,客服姓名,部门,入职日期\nA1,王芳,售前组,2024-01-01\n",
    );
    import(
        &wd,
        "complaints",
        "c.csv",
        "投诉编号,投诉时间,客服工号,投诉内容,责任认定,是否成立\nT1,2026-10-05 10:00,A1,推诿,团队协作,成立\n",
    );
    let lines = ledger(&wd, &["--quarter", "2026Q4"]);
    let t1 = lines
        .iter()
        .find(|l| l["source"].as_str().unwrap().contains("T1"))
        .unwrap();
    assert_eq!(
        t1["source"],
        "投诉 c/T1 (2026-10-05), 成立 confirmed / 团队协作 team"
    );

    wd.kefu(&["bonus", "close", "2026-10"]).assert().success();
    let out = wd
        .kefu(&["points", "--month", "2026-10", "--format", "md"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("later changes appear as adjustments on 2026-11-01 ("),
        "{text}"
    );
    import(
        &wd,
        "agents",
        "a2.csv",
        "工号,客服姓名,部门,入职日期\nA1,王小芳,售前组,2024-01-01\n",
    );
    let st = wd.path("st");
    let pays = bonus(
        &wd,
        &["--month", "2026-10", "--statements", st.to_str().unwrap()],
    );
    assert_eq!(agent(&pays, "A1")["agent_name"], "王小芳");
    let statement = std::fs::read_to_string(st.join("A1.html")).unwrap();
    assert!(!statement.contains("王芳"), "{statement}");
}

#[test]
fn a_top_metric_department_is_matched_as_a_term_and_a_typo_is_noted() {
    let wd = workspace_with(None);
    import(
        &wd,
        "activity",
        "activity.csv",
        "月份,工号,指标,数值\n2026-07,A1,queries,300\n2026-07,A2,queries,100\n",
    );
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    assert!(toml.contains("department = \"查询部\""));
    let top = |wd: &Workdir| {
        ledger(wd, &["--quarter", "2026Q3"])
            .iter()
            .filter(|l| l["rule_id"] == "top-queries")
            .count()
    };
    assert_eq!(top(&wd), 1);
    // Traditional, or with a space: the same department.
    std::fs::write(
        wd.path("kefu.toml"),
        toml.replace("department = \"查询部\"", "department = \"查詢 部\""),
    )
    .unwrap();
    assert_eq!(top(&wd), 1);
    // A typo awards nothing, and says so.
    std::fs::write(
        wd.path("kefu.toml"),
        toml.replace("department = \"查询部\"", "department = \"查询部x\""),
    )
    .unwrap();
    assert_eq!(top(&wd), 0);
    wd.kefu(&["bonus", "--quarter", "2026Q3", "--format", "csv"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("top-metric rule(s) top-queries (查询部x), ").and(
                predicate::str::contains("name a department no one on the roster is or was in"),
            ),
        );
}

#[test]
fn an_event_count_beyond_belief_is_rejected_and_points_never_wrap() {
    let wd = workspace_with(None);
    let text = import_rejects(
        &wd,
        "events",
        "编号,日期,工号,奖惩项目,次数\nE1,2026-07-08,A1,书面表扬,99999999999999999999\nE2,2026-07-08,A2,书面表扬,1001\nE3,2026-07-08,A2,书面表扬,1000\n",
        true,
    );
    assert_eq!(
        text.matches("more than 1000 occurrences in one row")
            .count(),
        2,
        "{text}"
    );
    let lines = ledger(&wd, &["--quarter", "2026Q3", "--agent", "A2"]);
    let praise: Vec<i64> = lines
        .iter()
        .filter(|l| l["rule_id"] == "praise-letter")
        .map(|l| l["points"].as_i64().unwrap())
        .collect();
    assert_eq!(praise, [2000]);
    // A rule's points are bounded too, so no ledger sum can overflow.
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    std::fs::write(
        wd.path("kefu.toml"),
        toml.replacen("points = 2", "points = 9223372036854775807", 1),
    )
    .unwrap();
    wd.kefu(&["points", "--quarter", "2026Q3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "points must be from -10000 to 10000",
        ));
}

#[test]
fn a_name_two_agents_share_asks_for_the_id() {
    let wd = Workdir::new();
    let roster = wd.write("r.csv", "工号,客服姓名\nA1,王一\nA2,王一\n");
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    wd.kefu(&["points", "--agent", "王一"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "name of 2 agents (A1, A2): give the id",
        ));
    wd.kefu(&["points", "--agent", "A2"]).assert().success();
    // An event naming them only so is rejected with the ids to choose from.
    let text = import_rejects(
        &wd,
        "events",
        "日期,工号,奖惩项目,次数\n2026-09-09,王一,书面表扬,1\n2026-09-09,张三,书面表扬,1\n",
        true,
    );
    assert!(
        text.contains("is the name of 2 agents on the roster (A1, A2): give the id (工号)"),
        "{text}"
    );
    assert!(
        text.contains("no agent on the roster has that id or name"),
        "{text}"
    );
}

#[test]
fn doubtful_event_dates_are_warned_about() {
    let wd = workspace_with(None);
    // A3 joined on 2026-08-10; today is 2026-12-05 in the tests.
    let f = wd.write(
        "e.csv",
        "编号,日期,工号,奖惩项目,次数\nE1,2026-07-20,A3,书面表扬,1\nE2,2026-12-20,A1,书面表扬,1\nE3,2026-09-01,A3,书面表扬,1\n",
    );
    wd.kefu(&["import", "events", &f])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("event E1 is dated 2026-07-20, before A3 joined (2026-08-10)")
                .and(predicate::str::contains(
                    "event E2 is dated 2026-12-20, after today",
                ))
                .and(predicate::str::contains("E3").not()),
        );
    // Without an id in the export, the event is named by what it is.
    let f = wd.write(
        "e2.csv",
        "日期,工号,奖惩项目,次数,备注\n2026-07-21,A3,书面表扬,1,来信\n",
    );
    wd.kefu(&["import", "events", &f]).assert().success().stderr(
        predicate::str::contains(
            "event praise-letter of A3, note \"来信\" (no id in the export) is dated 2026-07-21, before A3 joined",
        ),
    );
}

#[test]
fn statements_and_xlsx() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let wd = workspace_with(None);
    let dir = wd.path("statements");
    let xlsx = wd.path("bonus.xlsx");
    wd.kefu(&[
        "bonus",
        "--quarter",
        "2026Q3",
        "--statements",
        dir.to_str().unwrap(),
        "-o",
        xlsx.to_str().unwrap(),
    ])
    .assert()
    .success()
    .stderr(predicate::str::contains(format!(
        "kefu: wrote {}",
        xlsx.display()
    )));
    let a1 = std::fs::read_to_string(dir.join("A1.html")).unwrap();
    assert!(a1.contains("王一") && a1.contains("zero complaints in 2026-07"));
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let payout = book.worksheet_range("payout").unwrap();
    assert!(
        matches!(payout.get((1, 7)), Some(Data::Float(_))),
        "the bonus is a number: {:?}",
        payout.get((1, 7))
    );
    // A rate a spreadsheet number would show rounded is its exact text
    // (found by exploratory testing: 0.0049999999999999 showed 0.0050000000).
    wd.kefu(&[
        "bonus",
        "-q",
        "--quarter",
        "2026Q3",
        "--rate",
        "0.0049999999999999",
        "-o",
        xlsx.to_str().unwrap(),
    ])
    .assert()
    .success();
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let payout = book.worksheet_range("payout").unwrap();
    assert_eq!(
        payout.get((1, 6)),
        Some(&Data::String("0.0049999999999999".into()))
    );
    assert!(matches!(payout.get((1, 7)), Some(Data::Float(_))));
}

#[test]
fn nominations_top_three_and_zero_complaints() {
    let wd = workspace_with(None);
    import(&wd, "complaints", "c.csv", "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\nC1,2026-03-05 10:00,挂电话,A2,成立,个人\n");
    import(
        &wd,
        "events",
        "e.csv",
        "日期,工号,奖惩项目\n2026-05-01,A2,好人好事被媒体表扬\n2026-05-02,A2,书面表扬\n",
    );
    // While 2026 runs, zero complaints all year is not decided yet (and December earns nothing).
    let during = wd.json(&["bonus", "nominations", "--year", "2026", "--format", "json"]);
    assert!(
        during
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["reasons"] == serde_json::json!(["top-score"])),
        "{during}"
    );
    wd.kefu(&["bonus", "nominations", "--year", "2026"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2026 is not over"));
    wd.set_today("2027-01-04");
    let v = wd.json(&["bonus", "nominations", "--year", "2026", "--format", "json"]);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["agent_id"].as_str().unwrap())
        .collect();
    // A2 (top score: 11 zero months + 4 − 1 = 14) is a candidate by score only.
    let a2 = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["agent_id"] == "A2")
        .unwrap();
    assert_eq!(a2["reasons"], serde_json::json!(["top-score"]));
    // A1 and L1 have zero complaints all year; A3 joined in August: not all
    // year (found by exploratory testing).
    assert!(ids.contains(&"A1") && ids.contains(&"L1"));
    assert!(!ids.contains(&"A3"), "{v}");
    // Someone who left, or was flagged for dismissal, is no candidate.
    let roster = wd.write(
        "left.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nA1,王一,查询部,L1,2020-01-01,2026-11-30\n",
    );
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    let three = "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\nD1,2026-10-05 10:00,挂电话,L1,成立,个人\nD2,2026-10-06 10:00,挂电话,L1,成立,个人\nD3,2026-10-07 10:00,挂电话,L1,成立,个人\n";
    import(&wd, "complaints", "d.csv", three);
    let v = wd.json(&["bonus", "nominations", "--year", "2026", "--format", "json"]);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["agent_id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"A1") && !ids.contains(&"L1"), "{v}");
    // ... and takes no place in the top three (found by exploratory
    // testing: A3, fourth by score, was left out while only A2 was
    // nominated by it): with two agents left, both are in it.
    assert_eq!(ids, ["A2", "A3"], "{v}");
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["reasons"][0] == "top-score"));
}

#[test]
fn events_need_a_known_rule_and_agent() {
    let wd = workspace_with(None);
    let text = import_rejects(
        &wd,
        "events",
        "日期,工号,奖惩项目\n2026-07-01,A9,书面表扬\n2026-07-01,A1,请客吃饭\n2026-07-01,A1,zero-complaints\n",
        false,
    );
    assert!(text.contains("unknown agent \"\"A9\"\"") || text.contains("unknown agent"));
    assert!(text.contains("unknown rule"));
    assert!(text.contains("derived from data"));
}

#[test]
fn the_fixture_events_import_with_two_documented_rejects() {
    let wd = Workdir::new();
    wd.kefu(&["import", "-q", "agents", &fixture("agents.csv")])
        .assert()
        .success();
    let v = wd.json(&[
        "import",
        "events",
        &fixture("events.csv"),
        "--format",
        "json",
    ]);
    assert_eq!(v["rejected"], 2);
    assert_eq!(v["new"], 9);
}

/// Found by exploratory testing: a line for an event of several (次数 2)
/// did not say which occurrences it stood for (a bare −2, and a removal
/// flag with no line behind it), a leader's every-3rd line named
/// occurrence 4, and a leader with no leader above got an undated,
/// unexplained flag.
#[test]
fn ledger_lines_say_which_occurrences_they_stand_for() {
    let wd = Workdir::new();
    let roster = wd.write(
        "a.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nB1,甲一,售前组,M1,2020-01-01,\nB2,甲二,售前组,M1,2020-01-01,\nB3,甲三,售前组,M2,2020-01-01,\nM1,主管,售前组,,2019-01-01,\nM2,主管二,售前组,,2019-01-01,\n",
    );
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目,次数\nS1,2026-07-01,B1,抽查发现问题主管未发现,2\nS2,2026-07-02,B2,抽查发现问题主管未发现,2\nT1,2026-07-03,B1,无故缺席例会,1\nT2,2026-07-04,B1,无故缺席例会,2\nY2,2026-07-05,B3,抽查发现问题主管未发现,7\nN1,2026-07-13,M1,电脑或灯未关,1\n",
    );
    let lines = ledger(&wd, &["--quarter", "2026Q3"]);
    let source = |agent: &str, needle: &str| -> (i64, String) {
        let l = lines
            .iter()
            .find(|l| l["agent_id"] == agent && l["source"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no line of {agent} with {needle}: {lines:?}"));
        (
            l["points"].as_i64().unwrap(),
            l["source"].as_str().unwrap().to_string(),
        )
    };
    let (points, text) = source("B1", "event e/T2");
    assert_eq!(points, -2);
    assert!(
        text.ends_with("occurrences 2–3 in the year (-2), past its 2 steps: removal"),
        "{text}"
    );
    let (points, text) = source("M1", "event e/S2");
    assert_eq!(points, -5);
    assert!(
        text.ends_with("occurrences 3–4 in the quarter in M1's team; every 3rd: the 3rd"),
        "{text}"
    );
    let (points, text) = source("M2", "event e/Y2");
    assert_eq!(points, -10);
    assert!(text.ends_with("every 3rd: the 3rd and 6th"), "{text}");
    let m1 = agent(&bonus(&wd, &["--quarter", "2026Q3"]), "M1").clone();
    assert_eq!(
        m1["flags"],
        serde_json::json!(["no-leader-for:equipment-left-on:2026-07-13"])
    );
    wd.kefu(&["bonus", "--quarter", "2026Q3", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "nobody was charged: M1 (equipment-left-on:2026-07-13)",
        ));
}

/// Closing a quarter changes no figure of any range inside it or across it
/// (found by exploratory testing: 07-15 to 08-14, which holds no whole
/// month, took July's zero-complaint points from the snapshot once closed).
#[test]
fn closing_changes_no_range_of_the_bundled_quarter() {
    let wd = with_bundled(&[
        ("agents", "agents.csv"),
        ("complaints", "complaints.jsonl"),
        ("events", "events.csv"),
        ("activity", "activity.csv"),
    ]);
    let ranges = [
        ("2026-07-15", "2026-08-14"),
        ("2026-07-01", "2026-08-14"),
        ("2026-07-15", "2026-09-30"),
        ("2026-08-01", "2026-08-31"),
        ("2026-06-15", "2026-10-10"),
    ];
    let figures = || -> Vec<(Value, Vec<Value>)> {
        ranges
            .iter()
            .map(|(from, to)| {
                let lines = wd.json(&["points", "--from", from, "--to", to, "--format", "json"]);
                (
                    lines["lines"].clone(),
                    bonus(&wd, &["--from", from, "--to", to]),
                )
            })
            .collect()
    };
    let before = figures();
    assert!(
        !before[0].0.to_string().contains("zero-complaints"),
        "no whole month in 07-15..08-14"
    );
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    let after = figures();
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(b, a, "{:?}", ranges[i]);
    }
}

/// The zero-complaint point (当月零投诉) is credited only for months that have
/// ended; an open period says its figures are provisional; a period that has
/// not ended cannot be closed. Today is 2026-12-05 (tests/common).
#[test]
fn zero_complaint_months_are_credited_only_once_they_have_ended() {
    let wd = workspace_with(None);
    // A future quarter: no points for anyone, and a note on stderr for CSV.
    let out = wd
        .kefu(&["bonus", "--quarter", "2027Q2", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(
        rows.iter().all(|r| r.contains(",0,0,0,10.00,0.00,")),
        "{csv}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("provisional") && stderr.contains("2027Q2 is not over"),
        "{stderr}"
    );
    // JSON is the array of agents issue #4 promised (`jq '.[]'`), every
    // field named there; its note goes to stderr as for CSV.
    let out = wd
        .kefu(&["bonus", "--quarter", "2027Q2", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &v.as_array().expect("an array")[0];
    for key in [
        "agent_id",
        "agent_name",
        "department",
        "points_earned",
        "points_deducted",
        "net_points",
        "rate",
        "bonus",
        "complaints_counted",
        "complaints_pending",
        "flags",
    ] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert_eq!(first["bonus"], "0.00");
    assert!(String::from_utf8_lossy(&out.stderr).contains("2027Q2 is not over"));
    // --quiet keeps stderr empty.
    wd.kefu(&["-q", "bonus", "--quarter", "2027Q2", "--format", "csv"])
        .assert()
        .success()
        .stderr("");
    // The running quarter: October and November, not December.
    let zero_months = |wd: &Workdir| -> Vec<String> {
        ledger(wd, &["--quarter", "2026Q4", "--agent", "A1"])
            .iter()
            .map(|l| l["source"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        zero_months(&wd),
        ["zero complaints in 2026-10", "zero complaints in 2026-11"]
    );
    // The default period is the running quarter too.
    assert_eq!(ledger(&wd, &["--agent", "A1"]).len(), 2);
    let v = wd.json(&["points", "--quarter", "2026Q4", "--format", "json"]);
    assert!(
        v["notes"][0].as_str().unwrap().starts_with("provisional"),
        "{v}"
    );
    assert_eq!(
        agent(&bonus(&wd, &["--quarter", "2026Q4"]), "A1")["bonus"],
        "20.00"
    );
    // Table, statements: the same note.
    wd.kefu(&["bonus", "--quarter", "2026Q4"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2026Q4 is not over (it ends on 2026-12-31",
        ));
    let dir = wd.path("statements");
    wd.kefu(&[
        "bonus",
        "--quarter",
        "2026Q4",
        "--statements",
        dir.to_str().unwrap(),
        "--format",
        "csv",
    ])
    .assert()
    .success();
    let a1 = std::fs::read_to_string(dir.join("A1.html")).unwrap();
    assert!(a1.contains("provisional"), "{a1}");
    assert!(!a1.contains("zero complaints in 2026-12"));
    // Closing a period that has not ended is refused, with one line, and nothing is frozen.
    for period in ["2030Q1", "2026Q4", "2026-12", "2026"] {
        let out = wd.kefu(&["bonus", "close", period]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{period}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("is not over"), "{err}");
    }
    assert_eq!(wd.count("SELECT count(*) FROM closed_periods"), 0);
    // On its last day December has still not ended.
    wd.set_today("2026-12-31");
    assert_eq!(zero_months(&wd).len(), 2);
    wd.kefu(&["bonus", "close", "2026Q4"]).assert().code(1);
    // The day after, it has: credited, no note, and the quarter can be closed.
    wd.set_today("2027-01-01");
    assert_eq!(zero_months(&wd).len(), 3);
    let v = wd.json(&["points", "--quarter", "2026Q4", "--format", "json"]);
    // (The only note: the scheme's rules for departments this roster lacks.)
    let notes = v.get("notes").map(|n| n.to_string()).unwrap_or_default();
    assert!(!notes.contains("provisional"), "{v}");
    wd.kefu(&["bonus", "close", "2026Q4"])
        .assert()
        .success()
        .stderr(predicate::str::contains("total payout 120.00 CNY"));
    // The frozen snapshot is the one computed after the quarter ended.
    assert_eq!(
        agent(&bonus(&wd, &["--quarter", "2026Q4"]), "A1")["bonus"],
        "30.00"
    );
}

#[test]
fn a_malformed_kefu_today_is_a_usage_error() {
    let wd = workspace_with(None);
    wd.kefu(&["bonus"])
        .env("KEFU_TODAY", "5 December")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("KEFU_TODAY"));
}

/// A month typed into Excel becomes a date cell (read as
/// `2026-07-01 00:00:00`), and counts are written with thousands
/// separators: both rejected the row (found by exploratory testing).
#[test]
fn activity_months_typed_as_dates_and_values_with_thousands_separators_count() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let wd = workspace_with(None);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let month = Format::new().set_num_format("yyyy-mm");
    for (c, h) in ["月份", "工号", "指标", "数值"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (agent, value)) in [("A1", "1,234"), ("A2", "987")].iter().enumerate() {
        let r = r as u32 + 1;
        let july = ExcelDateTime::parse_from_str("2026-07-01").unwrap();
        sheet
            .write_datetime_with_format(r, 0, july, &month)
            .unwrap();
        sheet.write_string(r, 1, *agent).unwrap();
        sheet.write_string(r, 2, "queries").unwrap();
        sheet.write_string(r, 3, *value).unwrap();
    }
    let f = wd.path("activity.xlsx");
    book.save(&f).unwrap();
    let v = wd.json(&[
        "import",
        "activity",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        (v["new"].as_u64(), v["rejected"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(
        wd.sql("SELECT month, agent_id, value FROM activity ORDER BY agent_id"),
        [["2026-07", "A1", "1234"], ["2026-07", "A2", "987"]]
    );
    // 1,234 is more than 987: A1 is July's top agent by queries.
    let tops: Vec<Value> = ledger(&wd, &["--quarter", "2026Q3"])
        .into_iter()
        .filter(|l| l["rule_id"] == "top-queries")
        .collect();
    assert_eq!(tops.len(), 1, "{tops:?}");
    assert_eq!(tops[0]["agent_id"], "A1");
}

/// A rule named with half-width brackets was unknown where the rulebook
/// writes them full-width, and 是否核实 read fewer yes/no marks than 是否成立.
#[test]
fn rule_names_match_whatever_the_width_and_verified_reads_every_yes_no_mark() {
    let wd = workspace_with(None);
    import(
        &wd,
        "events",
        "events.csv",
        "编号,日期,工号,奖惩项目,是否核实\n\
         E1,2026-07-08,A1,情绪化行为(故意不接电话、摔门),√\n\
         E2,2026-07-09,A1,办公形象 (坐椅边、吃零食),Y\n\
         E3,2026-07-10,A1,ＤＩＳＯＢＥＹＩＮＧ,×\n\
         E4,2026-07-11,A1,书面 表扬,TRUE\n",
    );
    let rows = wd.sql("SELECT ext_id, rule_id, verified FROM events ORDER BY ext_id");
    assert_eq!(
        rows,
        [
            ["E1", "emotional-behaviour", "1"],
            ["E2", "office-image", "1"],
            ["E3", "disobeying", "0"],
            ["E4", "praise-letter", "1"],
        ]
    );
}

/// Sheets without an id column (登记表 kept by hand): a record is known by
/// what names it, so that filling in 是否核实 / 是否成立 and importing the
/// sheet again updates each record instead of counting it a second time.
#[test]
fn a_sheet_without_ids_imported_again_after_it_was_filled_in_counts_once() {
    let wd = workspace_with(None);
    let header = "日期,工号,奖惩项目,次数,备注,是否核实\n";
    // Two letters for A1 on one day, each its own row: two events.
    import(
        &wd,
        "events",
        "e.csv",
        &format!("{header}2026-07-08,A1,书面表扬,1,来信一,\n2026-07-08,A1,书面表扬,1,来信二,\n"),
    );
    let praise = |wd: &Workdir| -> Vec<i64> {
        let mut points = ledger(wd, &["--quarter", "2026Q3", "--agent", "A1"])
            .iter()
            .filter(|l| l["rule_id"] == "praise-letter")
            .map(|l| l["points"].as_i64().unwrap())
            .collect::<Vec<_>>();
        points.sort_unstable();
        points
    };
    assert_eq!(praise(&wd), [2, 2]);
    // Verified later (the first one found not to hold).
    let f = wd.write(
        "e.csv",
        format!("{header}2026-07-08,A1,书面表扬,1,来信一,否\n2026-07-08,A1,书面表扬,1,来信二,是\n"),
    );
    wd.kefu(&["import", "events", &f, "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""new":0,"updated":2"#));
    assert_eq!(praise(&wd), [0, 2]);
    // Another sheet of the same register (source e) with a third letter of
    // that day: a record of its own, told apart by its note.
    let f = wd.write(
        "e-2.csv",
        format!("{header}2026-07-08,A1,书面表扬,1,来信三,是\n"),
    );
    wd.kefu(&["import", "events", &f, "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""new":1,"updated":0"#));
    assert_eq!(praise(&wd), [0, 2, 2]);
    // A row written twice is one event, and the import says so.
    let f = wd.write(
        "e-3.csv",
        format!("{header}2026-07-09,A1,书面表扬,1,来信四,是\n2026-07-09,A1,书面表扬,1,来信四,是\n"),
    );
    wd.kefu(&["import", "events", &f])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 record(s) without an id in the export came a second time",
        ));
    assert_eq!(praise(&wd), [0, 2, 2, 2]);

    let header = "投诉时间,投诉内容,联系电话,客服工号,是否成立,责任认定\n";
    let row = "2026-08-05 10:00,\"客服挂我电话\n又打不通\",13812345678,A2";
    import(&wd, "complaints", "c.csv", &format!("{header}{row},,\n"));
    // Re-exported from Excel: CRLF inside the cell, the validity decided.
    let f = wd.write(
        "c.csv",
        format!("{header}{},成立,个人\r\n", row.replace('\n', "\r\n")),
    );
    wd.kefu(&["import", "complaints", &f, "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""new":0,"updated":1"#));
    assert_eq!(wd.count("SELECT count(*) FROM feedback"), 1);
    let complaints: Vec<Value> = ledger(&wd, &["--quarter", "2026Q3", "--agent", "A2"])
        .into_iter()
        .filter(|l| l["rule_id"] == "customer-complaint")
        .collect();
    assert_eq!(complaints.len(), 1, "{complaints:?}");
    assert_eq!(complaints[0]["points"], -1);
    // The same row twice in one sheet is one complaint, and said so.
    let f = wd.write(
        "c2.csv",
        format!("{header}2026-08-06 09:00,没人处理,139,A2,,\n2026-08-06 09:00,没人处理,139,A2,,\n"),
    );
    wd.kefu(&["import", "complaints", &f])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "came a second time in the same file",
        ));
    assert_eq!(wd.count("SELECT count(*) FROM feedback"), 2);
}

/// A store older kefus wrote keyed such records by their whole row, and so
/// holds a second copy of each one re-imported after it was filled in: the
/// upgrade re-keys them as an import now would, keeps the newest copy, and
/// renames the closed quarter's lines so that only the removed copy shows
/// as an adjustment.
#[test]
fn an_older_store_with_whole_row_ids_is_re_keyed_and_its_second_copies_removed() {
    let wd = workspace_with(None);
    let header = "投诉时间,投诉内容,联系电话,客服工号,是否成立,责任认定\n";
    import(
        &wd,
        "complaints",
        "c.csv",
        &format!("{header}2026-08-05 10:00,客服挂我电话,13812345678,A1,成立,个人\n"),
    );
    import(
        &wd,
        "events",
        "e.csv",
        "日期,工号,奖惩项目,次数\n2026-07-08,A1,书面表扬,1\n",
    );
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    let net =
        |wd: &Workdir, q: &str| agent(&bonus(wd, &["--quarter", q]), "A1")["net_points"].clone();
    assert_eq!(net(&wd, "2026Q3"), 2 + 1 + 1 - 1); // letter, Jul, Sep, complaint
                                                   // As kefu 0.x (schema 3) stored it: whole-row ids, and a second copy of
                                                   // each from an earlier import, both counted in the closed quarter.
    let conn = rusqlite::Connection::open(wd.path("kefu.db")).unwrap();
    conn.execute_batch(
        "UPDATE closed_lines SET key = replace(key, (SELECT ext_id FROM feedback), 'h00000000000000f1');
         UPDATE feedback SET ext_id = 'h00000000000000f1';
         UPDATE events SET ext_id = 'h00000000000000e1';
         INSERT INTO feedback (kind, source, ext_id, hash, created_at, local_day, agent_id, polarity, content,
                               customer_phone, validity, responsibility, cause, import_id, naive_time)
           SELECT kind, source, 'h00000000000000f0', 1, created_at, local_day, agent_id, polarity, content,
                  customer_phone, NULL, NULL, cause, 0, naive_time FROM feedback;
         INSERT INTO events (source, ext_id, hash, agent_id, day, rule_id, count, import_id)
           SELECT source, 'h00000000000000e0', 1, agent_id, day, rule_id, count, 0 FROM events;
         UPDATE closed_lines SET key = 'event:e/h00000000000000e1' WHERE key LIKE 'event:%';
         INSERT INTO closed_lines (period, key, day, agent_id, rule_id, points, source)
           SELECT period, 'event:e/h00000000000000e0', day, agent_id, rule_id, points, 'event h00000000000000e0'
             FROM closed_lines WHERE key LIKE 'event:%';
         DROP TABLE agent_history;
         DROP TABLE agent_other_names;
         DROP TABLE agent_stints;
         DROP INDEX feedback_unrated;
         DROP INDEX feedback_charges;
         ALTER TABLE feedback DROP COLUMN unrated;
         ALTER TABLE closed_lines DROP COLUMN complaints; PRAGMA user_version = 3;",
    )
    .unwrap();
    drop(conn);
    wd.kefu(&["points", "--quarter", "2026Q4", "--agent", "A1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("the store was upgraded").and(predicate::str::contains(
            "1 review(s)/complaint(s) and 1 event(s) that an earlier re-import had stored a second time removed",
        )));
    assert_eq!(wd.count("SELECT count(*) FROM feedback"), 1);
    assert_eq!(wd.count("SELECT count(*) FROM events"), 1);
    assert_eq!(
        wd.count("SELECT count(*) FROM feedback WHERE ext_id LIKE 'k%' AND validity = 'confirmed'"),
        1
    );
    // Re-keyed as an import keys them: importing the sheets again changes nothing.
    for (kind, name) in [("complaints", "c.csv"), ("events", "e.csv")] {
        wd.kefu(&[
            "import",
            kind,
            &wd.path(name).to_string_lossy(),
            "--format",
            "json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            r#""new":0,"updated":0,"unchanged":1"#,
        ));
    }
    // Only the removed copy of the letter is adjusted in the next quarter.
    let adj: Vec<Value> = ledger(&wd, &["--quarter", "2026Q4", "--agent", "A1"])
        .into_iter()
        .filter(|l| l["source"].as_str().unwrap().starts_with("adjustment"))
        .collect();
    assert_eq!(adj.len(), 1, "{adj:?}");
    assert_eq!(adj[0]["points"], -2);
    assert!(
        adj[0]["source"]
            .as_str()
            .unwrap()
            .contains("no longer counted: event h00000000000000e0"),
        "{adj:?}"
    );
}

/// `--replace`: a register kept by hand is the whole truth for the days it
/// covers, so a row deleted from it is no longer counted; other days, other
/// sources and other kinds are not touched, and a register read in part
/// removes nothing.
#[test]
fn a_register_imported_with_replace_drops_the_rows_deleted_from_it() {
    let wd = workspace_with(None);
    let header = "日期,工号,奖惩项目,次数,备注,是否核实\n";
    let q3 = format!("{header}2026-07-08,A1,书面表扬,1,李女士来信,否\n2026-07-08,A1,书面表扬,1,张先生来信,是\n2026-08-20,A2,不服从管理,1,,\n");
    let f = wd.write("奖惩登记表.csv", &q3);
    wd.kefu(&["import", "-q", "events", &f, "--replace", "2026Q3"])
        .assert()
        .success();
    // Another quarter's sheet of the same register, and another register.
    let q4 = wd.write(
        "奖惩登记表_10月.csv",
        format!("{header}2026-10-09,A2,不服从管理,1,,\n"),
    );
    wd.kefu(&["import", "-q", "events", &q4, "--replace", "2026Q4"])
        .assert()
        .success();
    let other = wd.write(
        "表扬.csv",
        format!("{header}2026-07-08,A1,书面表扬,1,王先生来信,是\n"),
    );
    wd.kefu(&["import", "-q", "events", &other])
        .assert()
        .success();
    assert_eq!(wd.count("SELECT count(*) FROM events"), 5);
    // The penalty entered by mistake, the sheet's last row, is deleted.
    let f = wd.write(
        "奖惩登记表.csv",
        q3.replace("2026-08-20,A2,不服从管理,1,,\n", ""),
    );
    let v = wd.json(&[
        "import",
        "events",
        &f,
        "--replace",
        "2026Q3",
        "--format",
        "json",
    ]);
    assert_eq!(v["removed"], 1, "{v}");
    assert!(v["files"][0].get("removed").is_none(), "{v}");
    assert_eq!(wd.count("SELECT count(*) FROM events"), 4);
    let a2 = ledger(&wd, &["--quarter", "2026Q3", "--agent", "A2"]);
    assert!(a2.iter().all(|l| l["rule_id"] != "disobedience"), "{a2:?}");
    assert_eq!(
        wd.count("SELECT count(*) FROM events WHERE day >= 20735"),
        1,
        "Q4 kept"
    );
    // Again: nothing more to remove, and the summary says so.
    let v = wd.json(&[
        "import",
        "events",
        &f,
        "--replace",
        "2026Q3",
        "--format",
        "json",
    ]);
    assert_eq!(v["removed"], 0, "{v}");
    // Without --replace nothing is removed, and a plain import says nothing of it.
    let v = wd.json(&["import", "events", &f, "--format", "json"]);
    assert!(v.get("removed").is_none(), "{v}");
    // A sheet with a row kefu cannot read removes nothing and imports nothing.
    let f = wd.write(
        "奖惩登记表.csv",
        format!("{header}2026-07-08,A1,书面表扬,1,李女士来信,否\n2026-07-09,A9,书面表扬,1,,\n"),
    );
    wd.kefu(&["import", "events", &f, "--replace", "2026Q3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "rejected under --replace; nothing was imported or removed",
        ));
    assert_eq!(wd.count("SELECT count(*) FROM events"), 4);
    // Complaints too; the roster cannot be replaced this way.
    let header = "投诉时间,投诉内容,客服工号,是否成立,责任认定\n";
    let log = format!(
        "{header}2026-08-05 10:00,挂电话,A1,成立,个人\n2026-08-06 11:00,态度差,A2,成立,个人\n"
    );
    let f = wd.write("投诉登记表.csv", &log);
    wd.kefu(&["import", "-q", "complaints", &f, "--replace", "all"])
        .assert()
        .success();
    let f = wd.write(
        "投诉登记表.csv",
        log.replace("2026-08-06 11:00,态度差,A2,成立,个人\n", ""),
    );
    wd.kefu(&["import", "complaints", &f, "--replace", "2026-08"])
        .assert()
        .success()
        .stderr(predicate::str::contains("removed"));
    assert_eq!(wd.count("SELECT count(*) FROM feedback"), 1);
    // A register needs a source of its own: stdin, or a file named by a
    // date only, would be the kind's name, which other imports share.
    let dated = wd.write(
        "20260930.csv",
        "日期,工号,奖惩项目,次数\n2026-09-09,A2,不服从管理,1\n",
    );
    wd.kefu(&["import", "events", &dated, "--replace", "2026Q3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--replace needs a source of the register's own",
        ));
    wd.kefu(&["import", "agents", &f, "--replace", "all"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--replace applies to reviews, complaints and events",
        ));
    wd.kefu(&["import", "events", &f, "--replace", "2026Q5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--replace \"2026Q5\""));
    // The register gains an id column: a plain import would count each
    // record twice, and says so; --replace keeps only what the sheet holds.
    let f = wd.write(
        "登记表.csv",
        "日期,工号,奖惩项目,次数\n2026-09-09,A2,不服从管理,1\n",
    );
    wd.kefu(&["import", "-q", "events", &f]).assert().success();
    let f = wd.write(
        "登记表.csv",
        "编号,日期,工号,奖惩项目,次数\nJ1,2026-09-09,A2,不服从管理,1\n",
    );
    wd.kefu(&["import", "events", &f])
        .assert()
        .success()
        .stderr(predicate::str::contains(
        "source 登记表 already holds 1 record(s) without an id in the export dated on 2026-09-09",
    ));
    let v = wd.json(&[
        "import",
        "events",
        &f,
        "--replace",
        "2026Q3",
        "--format",
        "json",
    ]);
    assert_eq!(v["removed"], 1, "{v}");
    assert_eq!(
        wd.count("SELECT count(*) FROM events WHERE source = '登记表'"),
        1
    );
}

/// Found by exploratory testing: a month (or week) closed before its
/// quarter, or inside the next open quarter before that quarter closed,
/// made a late correction count twice, or count and then be reversed.
#[test]
fn a_late_change_counts_once_when_months_and_quarters_are_both_closed() {
    let complaint = |validity: &str| {
        format!("投诉编号,投诉时间,投诉内容,客服工号,责任认定,是否成立\nC1,2026-07-10 10:00,挂电话,A1,个人,{validity}\n")
    };
    let q = |wd: &Workdir, period: &str| -> i64 {
        ledger(wd, &["--quarter", period, "--agent", "A1"])
            .iter()
            .map(|l| l["points"].as_i64().unwrap())
            .sum()
    };
    // July closed, then the appeal, then the quarter: the quarter's
    // snapshot holds the correction, and Q4 books nothing more for it.
    let wd = workspace_with(None);
    import(&wd, "complaints", "c.csv", &complaint("成立"));
    wd.kefu(&["bonus", "close", "-q", "2026-07"])
        .assert()
        .success();
    import(&wd, "complaints", "c.csv", &complaint("不成立"));
    wd.kefu(&["bonus", "close", "-q", "2026Q3"])
        .assert()
        .success();
    assert_eq!(q(&wd, "2026Q3"), 3, "Jul, Aug, Sep zero-complaint months");
    let q4 = ledger(&wd, &["--quarter", "2026Q4", "--agent", "A1"]);
    assert!(
        q4.iter()
            .all(|l| !l["source"].as_str().unwrap().starts_with("adjustment")),
        "{q4:?}"
    );

    // Q3 closed, the appeal, October closed (it books the correction),
    // then Q4: the correction stays counted once, and 2027Q1 reverses nothing.
    let wd = workspace_with(None);
    import(&wd, "complaints", "c.csv", &complaint("成立"));
    wd.kefu(&["bonus", "close", "-q", "2026Q3"])
        .assert()
        .success();
    import(&wd, "complaints", "c.csv", &complaint("不成立"));
    wd.kefu(&["bonus", "close", "-q", "2026-10"])
        .assert()
        .success();
    wd.set_today("2027-01-02");
    wd.kefu(&["bonus", "close", "-q", "2026Q4"])
        .assert()
        .success();
    assert_eq!(q(&wd, "2026Q4"), 3 + 2, "Oct–Dec and the two corrections");
    let q1 = ledger(&wd, &["--quarter", "2027Q1", "--agent", "A1"]);
    assert!(
        q1.iter()
            .all(|l| !l["source"].as_str().unwrap().starts_with("adjustment")),
        "{q1:?}"
    );
}

/// Found by exploratory testing: with 2026Q3 and then 2026-10 closed, a late
/// Q3 change was booked on 2026-10-01, inside the frozen October: no month
/// showed it, and the months of 2026Q4 did not add up to the quarter.
#[test]
fn an_adjustment_is_never_booked_inside_another_closed_period() {
    let wd = workspace_with(None);
    let complaint = "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\nC1,2026-08-05 10:00,挂电话,A1,{},个人\n";
    import(&wd, "complaints", "c.csv", &complaint.replace("{}", "成立"));
    for period in ["2026Q3", "2026-10"] {
        wd.kefu(&["bonus", "close", period]).assert().success();
    }
    // An appeal upheld after both closes.
    import(
        &wd,
        "complaints",
        "c.csv",
        &complaint.replace("{}", "不成立"),
    );
    let adjustments = |lines: &[Value]| -> Vec<(String, i64)> {
        lines
            .iter()
            .filter(|l| {
                l["source"]
                    .as_str()
                    .unwrap()
                    .starts_with("adjustment to closed 2026Q3")
            })
            .map(|l| {
                (
                    l["date"].as_str().unwrap().to_string(),
                    l["points"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let net =
        |lines: &[Value]| -> i64 { lines.iter().map(|l| l["points"].as_i64().unwrap()).sum() };
    let october = ledger(&wd, &["--month", "2026-10", "--agent", "A1"]);
    let november = ledger(&wd, &["--month", "2026-11", "--agent", "A1"]);
    let december = ledger(&wd, &["--month", "2026-12", "--agent", "A1"]);
    let quarter = ledger(&wd, &["--quarter", "2026Q4", "--agent", "A1"]);
    assert!(adjustments(&october).is_empty(), "{october:?}");
    let booked = adjustments(&november);
    assert_eq!(booked.iter().map(|(_, p)| p).sum::<i64>(), 2, "{booked:?}");
    assert!(
        booked.iter().all(|(day, _)| day == "2026-11-01"),
        "{booked:?}"
    );
    assert_eq!(adjustments(&quarter), booked);
    assert_eq!(
        net(&october) + net(&november) + net(&december),
        net(&quarter)
    );
}

/// Found by a privacy audit: a customer's phone number in a 奖惩 note (客户
/// 张三丰(13812345678)来信表扬) showed whole in `points`, in every format,
/// in the statements handed to each agent, and in warnings on stderr.
#[test]
fn notes_quoting_customers_are_masked_in_points_and_statements() {
    let wd = workspace_with(None);
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目,次数,是否核实,备注\nE1,2026-07-08,A1,书面表扬,1,是,客户张三丰(13812345678)来信表扬 身份证11010519491231002X\n",
    );
    for format in ["csv", "json", "md", "html"] {
        let out = wd
            .kefu(&["points", "--quarter", "2026Q3", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        // Markdown escapes the stars (a masked phone is no emphasis).
        let masked = if format == "md" {
            r"138\*\*\*\*5678"
        } else {
            "138****5678"
        };
        assert!(
            text.contains(masked) && !text.contains("13812345678"),
            "{format}: {text}"
        );
        assert!(!text.contains("11010519491231002X"), "{format}: {text}");
    }
    let dir = wd.path("statements");
    wd.kefu(&[
        "bonus",
        "--quarter",
        "2026Q3",
        "--statements",
        dir.to_str().unwrap(),
        "-q",
    ])
    .assert()
    .success();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains("13812345678"), "{text}");
        seen += usize::from(text.contains("138****5678"));
    }
    assert!(seen >= 1);
    // --no-mask shows them, and says so.
    wd.kefu(&[
        "points",
        "--quarter",
        "2026Q3",
        "--format",
        "csv",
        "--no-mask",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("13812345678"))
    .stderr(predicate::str::contains("NOT masked"));
}

/// Found by exploratory testing (HR roster churn, former names): after
/// 王芳 (A1) was renamed and a new hire took the name, re-importing an
/// unchanged events register moved June's event to the new hire (an event
/// without an id was paid twice), and August's activity was added for them
/// too; an updated complaint naming 张伟 lost its link once a second 张伟
/// joined; two of three May complaints overturned after Q2's close left the
/// year barring the agent from nomination.
#[test]
fn roster_churn_never_moves_what_closed_quarters_counted() {
    let wd = Workdir::new();
    let roster = "工号,客服姓名,部门,组长工号,入职日期,离职日期\n\
                  A1,王芳,查询部,,2020-01-01,\nA2,张伟,查询部,,2020-01-01,\nA9,李四,查询部,,2020-01-01,\n";
    import(&wd, "agents", "r1.csv", roster);
    let events = "编号,日期,工号,奖惩项目,次数\nE1,2026-06-01,王芳,书面表扬,1\n";
    let events_no_id = "日期,工号,奖惩项目,次数\n2026-06-02,王芳,合理化建议被采纳,1\n";
    let activity = "月份,工号,指标,数值\n2026-08,王芳,queries,120\n2026-08,李四,queries,100\n";
    let complaints = |state: &str| {
        format!("投诉编号,投诉时间,客服,投诉内容,是否成立,责任认定\nC1,2026-08-15,张伟,态度差,{state},个人\n")
    };
    import(&wd, "events", "e.csv", events);
    import(&wd, "events", "e2.csv", events_no_id);
    import(&wd, "activity", "act.csv", activity);
    import(&wd, "complaints", "c.csv", &complaints("待定"));
    // Three May complaints for 李四 (A9): a dismissal review.
    import(
        &wd,
        "complaints",
        "may.csv",
        "投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\n\
         M1,2026-05-03,A9,态度差,成立,个人\nM2,2026-05-10,A9,态度差,成立,个人\nM3,2026-05-20,A9,态度差,成立,个人\n",
    );
    wd.set_today("2026-10-01");
    wd.kefu(&["bonus", "close", "2026Q2"]).assert().success();
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    // A1 renamed; a new 王芳 and a second 张伟 join in October.
    import(
        &wd,
        "agents",
        "r2.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\n\
         A1,王芳芳,查询部,,2020-01-01,\nA2,张伟,查询部,,2020-01-01,\nA9,李四,查询部,,2020-01-01,\n\
         A3,王芳,查询部,,2026-10-01,\nA4,张伟,查询部,,2026-10-01,\n",
    );
    let before = wd.sql("SELECT ext_id, agent_id FROM events ORDER BY ext_id");
    import(&wd, "events", "e.csv", events);
    import(&wd, "events", "e2.csv", events_no_id);
    import(&wd, "activity", "act.csv", activity);
    import(&wd, "complaints", "c.csv", &complaints("成立"));
    // Two May complaints overturned on appeal.
    import(
        &wd,
        "complaints",
        "may.csv",
        "投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\n\
         M1,2026-05-03,A9,态度差,不成立,个人\nM2,2026-05-10,A9,态度差,不成立,个人\nM3,2026-05-20,A9,态度差,成立,个人\n",
    );
    assert_eq!(
        wd.sql("SELECT ext_id, agent_id FROM events ORDER BY ext_id"),
        before
    );
    assert_eq!(
        wd.count("SELECT count(*) FROM activity WHERE agent_id = 'A3'"),
        0
    );
    assert_eq!(
        wd.sql("SELECT agent_id FROM feedback WHERE ext_id = 'C1'"),
        [["A2"]]
    );
    // Q4: the complaint newly counted for A2 (confirmed) and August's zero
    // complaints no longer theirs; nothing for A1, A3 or A4.
    let q4 = ledger(&wd, &["--quarter", "2026Q4"]);
    let adjusted: Vec<(&str, i64)> = q4
        .iter()
        .filter(|l| {
            l["source"]
                .as_str()
                .unwrap()
                .contains("adjustment to closed")
        })
        .map(|l| {
            (
                l["agent_id"].as_str().unwrap(),
                l["points"].as_i64().unwrap(),
            )
        })
        .filter(|(a, _)| *a != "A9")
        .collect();
    assert_eq!(adjusted, [("A2", -1), ("A2", -1)], "{q4:?}");
    // The year: A9's May now has one complaint, no dismissal review.
    let year = bonus(&wd, &["--year", "2026"]);
    assert_eq!(
        agent(&year, "A9")["flags"],
        serde_json::json!([]),
        "{year:?}"
    );
    // The closed Q2 keeps its snapshot.
    let q2 = bonus(&wd, &["--quarter", "2026Q2"]);
    assert!(agent(&q2, "A9")["flags"]
        .to_string()
        .contains("dismissal-review:2026-05"));
}

/// Found by exploratory testing (former names and dates): a register of
/// events without ids imported again after a new hire took a name was
/// counted twice; complaints imported before the roster were never linked
/// by their day; a month's activity naming two agents of one name went to
/// one of them without a word.
#[test]
fn a_name_two_agents_had_counts_each_record_once_and_by_its_day() {
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "r1.csv",
        "工号,客服姓名,部门,入职日期,离职日期\nA1,王芳,查询部,2024-01-01,2026-10-14\n",
    );
    let events = "日期,工号,奖惩项目,次数\n2026-07-08,王芳,书面表扬,1\n2026-10-08,王芳,不服从管理,1\n2026-10-20,王芳,书面表扬,1\n";
    import(&wd, "events", "e.csv", events);
    let both = "工号,客服姓名,部门,入职日期,离职日期\nA1,王芳,查询部,2024-01-01,2026-10-14\nA2,王芳,查询部,2026-10-15,\n";
    import(&wd, "agents", "r2.csv", both);
    // The unchanged register again: nothing new, nothing moved (the event
    // of 10-20, stored as A1's while A1 was the only 王芳, stays A1's),
    // and as the quarter's register (--replace) nothing removed.
    let e = wd.path("e.csv").to_string_lossy().into_owned();
    let v = wd.json(&["import", "events", &e, "--format", "json"]);
    assert_eq!(
        (v["new"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(3)),
        "{v}"
    );
    let v = wd.json(&[
        "import",
        "events",
        &e,
        "--replace",
        "2026Q4",
        "--format",
        "json",
    ]);
    assert_eq!(
        (v["new"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(3)),
        "{v}"
    );
    assert_eq!(wd.count("SELECT count(*) FROM events"), 3);
    assert_eq!(
        wd.count("SELECT count(*) FROM events WHERE agent_id = 'A1'"),
        3
    );
    // Complaints stored before the roster: each linked by its day once it comes.
    let other = Workdir::new();
    let complaints = "投诉编号,投诉时间,客服,投诉内容,是否成立,责任认定\nC1,2026-07-05 10:00,王芳,态度差,成立,个人\nC2,2026-11-05 10:00,王芳,态度差,成立,个人\n";
    import(&other, "complaints", "c.csv", complaints);
    import(&other, "agents", "r2.csv", both);
    assert_eq!(
        other.sql("SELECT ext_id, coalesce(agent_id, '') FROM feedback ORDER BY ext_id"),
        [["C1", "A1"], ["C2", "A2"]]
    );
    // So too the name written in the id column (客服工号 = 王芳; found by
    // exploratory testing: they stayed on a not-on-roster 王芳).
    let in_id = Workdir::new();
    import(
        &in_id,
        "complaints",
        "c.csv",
        &complaints.replace("客服,", "客服工号,"),
    );
    import(&in_id, "agents", "r2.csv", both);
    assert_eq!(
        in_id.sql(
            "SELECT ext_id, coalesce(agent_id, ''), coalesce(agent_name, '') FROM feedback ORDER BY ext_id"
        ),
        [["C1", "A1", "王芳"], ["C2", "A2", "王芳"]]
    );
    // October's activity names a 王芳 who left on the 14th and one who
    // joined on the 15th: neither.
    let f = wd.write(
        "act.csv",
        "月份,工号,指标,数值\n2026-10,王芳,queries,500\n2026-11,王芳,queries,300\n",
    );
    let out = wd
        .kefu(&["import", "activity", &f, "--dry-run"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("named two agents in 2026-10"), "{stderr}");
    // A leaver's last month and a joiner's first, each the only one that
    // month: theirs.
    let gap = Workdir::new();
    import(
        &gap,
        "agents",
        "r.csv",
        "工号,客服姓名,部门,入职日期,离职日期\nK6,杨磊,查询部,2024-01-01,2026-09-15\nK40,杨磊,查询部,2026-11-10,\n",
    );
    import(
        &gap,
        "activity",
        "act.csv",
        "月份,工号,指标,数值\n2026-08,杨磊,queries,500\n2026-09,杨磊,queries,400\n2026-11,杨磊,queries,300\n",
    );
    assert_eq!(
        gap.sql("SELECT month, agent_id FROM activity ORDER BY month"),
        [["2026-08", "K6"], ["2026-09", "K6"], ["2026-11", "K40"]]
    );
}

/// Found by exploratory testing: a dismissal flag raised by a late third
/// February complaint (booked in Q2) left the year once Q2 was closed, and
/// the agent was nominated; a second 张伟 joining mid-November left the
/// month's activity credited to the first.
#[test]
fn a_late_flag_stays_in_the_year_after_the_next_close() {
    let wd = workspace_with(None);
    let c = |n: usize| {
        let mut s = String::from("投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\n");
        for i in 1..=n {
            s.push_str(&format!(
                "C{i},2026-02-{:02} 10:00,A1,态度差,成立,个人\n",
                i * 5
            ));
        }
        s
    };
    import(&wd, "complaints", "c.csv", &c(2));
    wd.set_today("2026-04-02");
    wd.kefu(&["bonus", "close", "2026Q1"]).assert().success();
    import(&wd, "complaints", "c.csv", &c(3));
    wd.set_today("2026-07-02");
    wd.kefu(&["bonus", "close", "2026Q2"]).assert().success();
    let year = bonus(&wd, &["--year", "2026"]);
    assert!(
        agent(&year, "A1")["flags"]
            .to_string()
            .contains("dismissal-review:2026-02"),
        "{year:?}"
    );
    let out = wd.stdout(&["bonus", "nominations", "--year", "2026", "--format", "csv"]);
    assert!(!out.contains("A1,"), "{out}");

    import(
        &wd,
        "agents",
        "r2.csv",
        "工号,客服姓名,部门,入职日期\nA9,王一,查询部,2026-06-15\n",
    );
    let f = wd.write("act.csv", "月份,工号,指标,数值\n2026-06,王一,queries,500\n");
    let out = wd
        .kefu(&["import", "activity", &f, "--dry-run"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("named two agents in 2026-06"));
}

/// Found by exploratory testing: a flag voided on appeal came back into the
/// year once the quarter holding the appeal's adjustments was closed; a
/// month's activity naming a name a new hire took after a rename was
/// rejected as two agents'; a totals label in the buyer's column of a row
/// naming nothing was a reject.
#[test]
fn a_voided_flag_stays_out_of_the_year_after_the_next_close() {
    let wd = workspace_with(None);
    let c = |states: [&str; 3]| {
        let mut s = String::from("投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\n");
        for (i, st) in states.iter().enumerate() {
            s.push_str(&format!(
                "C{i},2026-02-{:02} 10:00,A1,态度差,{st},个人\n",
                i * 5 + 3
            ));
        }
        s
    };
    import(&wd, "complaints", "c.csv", &c(["成立", "成立", "成立"]));
    wd.set_today("2026-04-02");
    wd.kefu(&["bonus", "close", "2026Q1"]).assert().success();
    import(&wd, "complaints", "c.csv", &c(["成立", "不成立", "不成立"]));
    let flags = |wd: &Workdir| agent(&bonus(wd, &["--year", "2026"]), "A1")["flags"].clone();
    assert_eq!(flags(&wd), serde_json::json!([]));
    wd.set_today("2026-07-02");
    wd.kefu(&["bonus", "close", "2026Q2"]).assert().success();
    assert_eq!(flags(&wd), serde_json::json!([]));
    assert!(agent(&bonus(&wd, &["--quarter", "2026Q1"]), "A1")["flags"]
        .to_string()
        .contains("dismissal-review:2026-02"));
    // Closing the year, its quarters all closed, changes no candidate: the
    // quarter's flag stays in its own snapshot (found by exploratory
    // testing: it came back into the closed year and dropped A1).
    wd.set_today("2027-01-05");
    for q in ["2026Q3", "2026Q4"] {
        wd.kefu(&["bonus", "close", q]).assert().success();
    }
    let before = nominated(&wd, "2026");
    assert!(before.contains(&"A1".to_string()), "{before:?}");
    wd.kefu(&["bonus", "close", "2026"]).assert().success();
    assert_eq!(nominated(&wd, "2026"), before);
    assert_eq!(flags(&wd), serde_json::json!([]));
    assert!(agent(&bonus(&wd, &["--quarter", "2026Q1"]), "A1")["flags"]
        .to_string()
        .contains("dismissal-review:2026-02"));

    let renamed = Workdir::new();
    import(
        &renamed,
        "agents",
        "r1.csv",
        "工号,客服姓名,部门,入职日期\nK60,孙七,查询部,2024-01-01\n",
    );
    import(
        &renamed,
        "agents",
        "r2.csv",
        "工号,客服姓名,部门,入职日期\nK60,孙七七,查询部,2024-01-01\nK61,孙七,查询部,2026-09-15\n",
    );
    import(
        &renamed,
        "activity",
        "a.csv",
        "月份,工号,指标,数值\n2026-10,孙七,queries,5\n",
    );
    assert_eq!(renamed.sql("SELECT agent_id FROM activity"), [["K61"]]);
    let f = renamed.write("r.csv", "评价ID,评价时间,买家昵称,评价等级,评价内容\nR1,2026-11-18 10:00,aa,差评,慢\n,,合计：3人,,\n");
    renamed
        .kefu(&["import", "-q", "reviews", &f, "--strict"])
        .assert()
        .success();
}

#[test]
fn a_mistyped_rule_or_agent_gets_a_hint_and_a_rule_name_without_its_note_is_found() {
    // Found by exploratory testing: 书面表杨 listed English rule ids only,
    // 情绪化行为 (the rule is 情绪化行为（故意不接电话、摔门）) was unknown, and
    // 王二 for 王一 got no hint.
    let wd = workspace_with(None);
    let f = wd.write(
        "events.csv",
        "日期,工号,奖惩项目,次数\n\
         2026-08-03,A1,书面表杨,1\n\
         2026-08-04,王二,情绪化行为,1\n\
         2026-08-05,A1,情绪化行为,1\n",
    );
    let out = wd
        .kefu(&["import", "events", &f, "--dry-run", "--format", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown rule \"书面表杨\" (did you mean 书面表扬 ("),
        "{err}"
    );
    assert!(
        err.contains("unknown agent \"王二\": no agent on the roster has that id or name (did you mean 王一 (A1) or 李二 (A2)?)"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["new"].as_u64(), v["rejected"].as_u64()),
        (Some(1), Some(2))
    );
    wd.kefu(&["points", "--quarter", "2026Q3", "--agent", "李三"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "(did you mean 李二 (A2) or 张三 (A3)?)",
        ));
}

#[test]
fn quarters_and_months_as_chinese_users_write_them_and_from_today() {
    let wd = workspace_with(None);
    import(
        &wd,
        "events",
        "e.csv",
        "日期,工号,奖惩项目,次数\n2026-08-03,A1,praise-letter,1\n",
    );
    let by_name = wd.stdout(&["points", "--quarter", "2026Q3", "--format", "csv"]);
    assert!(by_name.contains("A1"), "{by_name}");
    for q in [
        "2026年第3季度",
        "2026年第三季度",
        "2026年Q3",
        "last-quarter",
        "上季度",
    ] {
        assert_eq!(
            wd.stdout(&["points", "--quarter", q, "--format", "csv"]),
            by_name,
            "{q}"
        );
    }
    let august = wd.stdout(&["points", "--month", "2026-08", "--format", "csv"]);
    assert_eq!(
        wd.stdout(&["points", "--month", "202608", "--format", "csv"]),
        august
    );
    // A word of another kind is no quarter.
    wd.kefu(&["points", "--quarter", "上月"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unreadable quarter"));
    wd.kefu(&["bonus", "close", "2026年第五季度"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("quarter"));
}

#[test]
fn closes_of_one_period_at_once_one_closes_the_others_say_so() {
    // Found by exploratory testing: the others failed with a raw UNIQUE
    // constraint error.
    let wd = workspace_with(None);
    import(
        &wd,
        "events",
        "e.csv",
        "日期,工号,奖惩项目,次数\n2026-08-03,A1,praise-letter,1\n",
    );
    let runs: Vec<_> = (0..3)
        .map(|_| {
            wd.process()
                .arg("-w")
                .arg(wd.path(""))
                .args(["bonus", "close", "2026Q3"])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut closed = 0;
    for run in runs {
        let out = run.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            closed += 1;
        } else {
            assert_eq!(out.status.code(), Some(1));
            assert!(err.contains("2026Q3 is already closed"), "{err}");
        }
    }
    assert_eq!(closed, 1);
}

#[test]
fn a_year_paid_at_two_rates_shows_no_one_rate() {
    // Found by exploratory testing: Q1-Q3 closed at 10, Q4 at 12: the year's
    // row said net 16 × rate 12 and paid 170.
    let wd = workspace_with(None);
    import(
        &wd,
        "events",
        "e.csv",
        "日期,工号,奖惩项目,次数\n2026-02-03,A1,praise-letter,1\n2026-11-03,A1,praise-letter,1\n",
    );
    wd.set_today("2027-01-04");
    for q in ["2026Q1", "2026Q2", "2026Q3"] {
        wd.kefu(&["bonus", "close", q]).assert().success();
    }
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    std::fs::write(
        wd.path("kefu.toml"),
        toml.replacen("rate = \"10\"", "rate = \"12\"", 1),
    )
    .unwrap();
    let year = bonus(&wd, &["--year", "last-year"]);
    let a1 = agent(&year, "A1");
    assert_eq!(a1["rate"], Value::Null, "{a1}");
    let sum: rust_decimal::Decimal = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
        .iter()
        .map(|q| {
            let paid = agent(&bonus(&wd, &["--quarter", q]), "A1")["bonus"].clone();
            paid.as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    assert_eq!(a1["bonus"].as_str().unwrap(), sum.to_string(), "{a1}");
    // The statement gives each rate with its quarters.
    let dir = wd.path("statements");
    wd.kefu(&[
        "bonus",
        "--year",
        "2026",
        "--statements",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ])
    .assert()
    .success();
    let statement = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|s| s.contains("A1"))
        .unwrap();
    assert!(
        statement.contains("10.00 (2026Q1, 2026Q2, 2026Q3), 12")
            || statement.contains("10 (2026Q1, 2026Q2, 2026Q3), 12"),
        "{statement}"
    );
    // Nominations take the year's words too.
    wd.kefu(&["bonus", "nominations", "--year", "去年"])
        .assert()
        .success();
}

/// Imports a roster text; returns stderr.
fn import_roster(wd: &Workdir, name: &str, text: &str) -> String {
    let f = wd.write(name, text);
    let out = wd.kefu(&["import", "agents", &f]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// The department of the one item of the daily report of `day`.
fn department_on(wd: &Workdir, day: &str) -> String {
    let v = wd.json(&["report", "daily", "--date", day, "--format", "json"]);
    v["items"][0]["department"].as_str().unwrap().to_string()
}

#[test]
fn a_re_hire_under_the_same_id_keeps_the_earlier_employment() {
    // Found by exploratory testing: a roster row re-hiring B1 (返聘, the
    // old 工号) overwrote 2024's employment: B1 left 2024Q3's bonus, and the
    // closed 2024Q4 was clawed back in 2025Q1, when B1 was not employed.
    let wd = Workdir::new();
    import_roster(
        &wd,
        "r1.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nL1,组长甲,查询部,,2020-01-01,\nL2,组长乙,投诉部,,2020-01-01,\nB1,王芳,查询部,L1,2024-01-01,2024-12-31\n",
    );
    assert_eq!(
        agent(&bonus(&wd, &["--quarter", "2024Q3"]), "B1")["net_points"],
        3
    );
    wd.kefu(&["bonus", "close", "2024Q4"]).assert().success();
    let rehire = "工号,客服姓名,部门,组长工号,入职日期\nB1,王芳,投诉部,L2,2025-06-01\n";
    let err = import_roster(&wd, "r2.csv", rehire);
    assert!(
        err.contains("1 agent(s) re-hired under the same id: B1 王芳 from 2025-06-01 (employed 2024-01-01 – 2024-12-31)"),
        "{err}"
    );
    assert_eq!(
        agent(&bonus(&wd, &["--quarter", "2024Q3"]), "B1")["net_points"],
        3
    );
    assert!(ledger(&wd, &["--quarter", "2025Q1", "--agent", "B1"]).is_empty());
    assert!(!bonus(&wd, &["--quarter", "2025Q1"])
        .iter()
        .any(|r| r["agent_id"] == "B1"));
    assert_eq!(
        wd.sql("SELECT joined_on, coalesce(left_on, '-'), department FROM agents WHERE id = 'B1'"),
        [["2025-06-01", "-", "投诉部"]]
    );
    // The move to 投诉部 came with the re-hire, not on the day of the import.
    import(
        &wd,
        "reviews",
        "rv.csv",
        "评价ID,评价时间,客服工号,评价等级,评价内容\nR1,2024-06-01 10:00,B1,差评,态度差\nR2,2025-07-01 10:00,B1,差评,态度差\n",
    );
    assert_eq!(department_on(&wd, "2024-06-01"), "查询部");
    assert_eq!(department_on(&wd, "2025-07-01"), "投诉部");
    // The old roster again (a backlog): its row is of the earlier
    // employment, already kept: nothing changes, nothing is said.
    let old =
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nB1,王芳,查询部,L1,2024-01-01,2024-12-31\n";
    let err = import_roster(&wd, "r1.csv", old);
    assert!(!err.contains("employment"), "{err}");
    let current = || {
        wd.sql("SELECT joined_on, coalesce(left_on, '-'), department FROM agents WHERE id = 'B1'")
    };
    assert_eq!(current(), [["2025-06-01", "-", "投诉部"]]);
    // One of an employment before that: kept, and said.
    let older =
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nB1,王芳,查询部,L1,2022-03-01,2022-12-31\n";
    let err = import_roster(&wd, "r0.csv", older);
    assert!(
        err.contains("1 roster row(s) of an earlier employment (it ended before the agent's current one began): B1 王芳 (2022-03-01 – 2022-12-31)"),
        "{err}"
    );
    assert_eq!(current(), [["2025-06-01", "-", "投诉部"]]);
    assert_eq!(
        agent(&bonus(&wd, &["--quarter", "2022Q3"]), "B1")["net_points"],
        3
    );
    assert!(!bonus(&wd, &["--quarter", "2023Q3"])
        .iter()
        .any(|r| r["agent_id"] == "B1"));
    assert_eq!(
        agent(&bonus(&wd, &["--quarter", "2024Q3"]), "B1")["net_points"],
        3
    );
}

#[test]
fn moves_imported_out_of_date_order_fill_the_days_between() {
    // Found by exploratory testing: the 2025 调岗 sheet imported after the
    // 2026 one gave every period the wrong department, silently.
    let wd = Workdir::new();
    import_roster(
        &wd,
        "r.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nL1,组长甲,甲组,,2020-01-01,\nL2,组长乙,乙组,,2020-01-01,\nL3,组长丙,丙组,,2020-01-01,\nA1,王芳,甲组,L1,2023-01-01,\n",
    );
    import(
        &wd,
        "reviews",
        "rv.csv",
        "评价ID,评价时间,渠道,客服工号,评分,评价内容\nR1,2024-06-01 10:00,淘宝,A1,1,态度差\nR2,2025-06-01 10:00,淘宝,A1,1,态度差\nR3,2026-06-01 10:00,淘宝,A1,1,态度差\n",
    );
    let m2025 = "工号,客服姓名,部门,组长工号,调岗日期\nA1,王芳,乙组,L2,2025-01-01\n";
    import_roster(
        &wd,
        "m2026.csv",
        "工号,客服姓名,部门,组长工号,调岗日期\nA1,王芳,丙组,L3,2026-01-01\n",
    );
    let err = import_roster(&wd, "m2025.csv", m2025);
    assert!(
        err.contains("1 agent(s)' move dated before a later move already recorded (first: A1 from 2025-01-01, before the move of 2026-01-01)"),
        "{err}"
    );
    let check = |wd: &Workdir| {
        assert_eq!(department_on(wd, "2024-06-01"), "甲组");
        assert_eq!(department_on(wd, "2025-06-01"), "乙组");
        assert_eq!(department_on(wd, "2026-06-01"), "丙组");
        assert_eq!(
            wd.sql("SELECT department, leader_id FROM agents WHERE id = 'A1'"),
            [["丙组", "L3"]]
        );
    };
    check(&wd);
    // Again: nothing changes.
    let err = import_roster(&wd, "m2025.csv", m2025);
    assert!(!err.contains("move"), "{err}");
    check(&wd);
    // A move on the very day a kept span begins: that span is the new one's.
    import_roster(
        &wd,
        "m2024.csv",
        "工号,客服姓名,部门,组长工号,调岗日期\nA1,王芳,丙组,L3,2024-01-01\n",
    );
    assert_eq!(
        wd.sql("SELECT until_day, department FROM agent_history ORDER BY until_day"),
        [["19722", "甲组"], ["20088", "丙组"], ["20453", "乙组"]]
    );
    assert_eq!(department_on(&wd, "2024-06-01"), "丙组");
    assert_eq!(department_on(&wd, "2025-06-01"), "乙组");
    assert_eq!(department_on(&wd, "2026-06-01"), "丙组");
}

#[test]
fn statements_and_the_report_stay_apart() {
    // Found by exploratory testing: `-o st/A1.html` beside `--statements st`
    // replaced A1's statement with the payout report; `--statements`
    // created any missing parents where `-o` refuses a missing directory.
    let wd = workspace_with(None);
    let st = wd.path("st");
    let bonus_to = |statements: &std::path::Path, out: Option<&std::path::Path>| {
        let mut args = vec![
            "bonus",
            "--quarter",
            "2026Q3",
            "--statements",
            statements.to_str().unwrap(),
        ];
        if let Some(o) = out {
            args.extend(["-o", o.to_str().unwrap()]);
        }
        wd.kefu(&args).assert()
    };
    bonus_to(&st, Some(&st.join("A1.html")))
        .code(2)
        .stderr(predicate::str::contains(
            "is inside the --statements directory",
        ));
    assert!(!st.exists());
    // So is one through `..`, and a report that cannot be written: before any
    // statement is.
    for out in ["st/../st/A1.html", "bonus.txt"] {
        bonus_to(&st, Some(&wd.path(out))).code(2);
        assert!(!st.exists(), "{out}");
    }
    bonus_to(&wd.path("no/such/st"), None)
        .code(2)
        .stderr(predicate::str::contains("there is no directory"));
    assert!(!wd.path("no").exists());
    // Beside it, both are written.
    let out = wd.path("payout.html");
    bonus_to(&st, Some(&out)).success();
    let statement = std::fs::read_to_string(st.join("A1.html")).unwrap();
    assert!(statement.contains("Statement 2026Q3 — A1"), "{statement}");
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("Bonus 2026Q3"));
}

const ROSTER_HEADER: &str = "工号,客服姓名,部门,组长工号,入职日期,离职日期\n";
const LEADERS: &str = "L1,组长甲,甲组,,2020-01-01,\nL2,组长乙,乙组,,2020-01-01,\n";

/// A roster file of the leaders and `rows`.
fn roster_of(rows: &str) -> String {
    format!("{ROSTER_HEADER}{LEADERS}{rows}")
}

#[test]
fn roster_files_in_any_order_keep_each_employment() {
    // Found by exploratory testing of today's re-hires: a cron replaying
    // the roster files moved a re-hired agent back to the old department
    // from today; a leaving roster arriving after the re-hire's left the new
    // department counting from the import; a re-hire on the day they left,
    // or a correction of the earlier employment, was lost.
    let wd = Workdir::new();
    let active = roster_of("A1,王芳,甲组,L1,2025-01-01,\n");
    let leaving = roster_of("A1,王芳,甲组,L1,2025-01-01,2025-06-15\n");
    let rehired = roster_of("A1,王芳,乙组,L2,2025-08-01,\n");
    for (name, text) in [("a.csv", &active), ("l.csv", &leaving), ("r.csv", &rehired)] {
        import_roster(&wd, name, text);
    }
    import(
        &wd,
        "reviews",
        "rv.csv",
        "评价ID,评价时间,客服工号,评价等级,评价内容\nR1,2025-03-01 10:00,A1,差评,态度差\nR2,2025-09-01 10:00,A1,差评,态度差\n",
    );
    let check = |wd: &Workdir| {
        assert_eq!(department_on(wd, "2025-03-01"), "甲组");
        assert_eq!(department_on(wd, "2025-09-01"), "乙组");
        assert_eq!(
            wd.sql("SELECT joined_on, coalesce(left_on, '-'), department, leader_id FROM agents WHERE id = 'A1'"),
            [["2025-08-01", "-", "乙组", "L2"]]
        );
    };
    check(&wd);
    // Replayed, in the same order: nothing changes, nothing is said.
    for (name, text) in [("a.csv", &active), ("l.csv", &leaving), ("r.csv", &rehired)] {
        let err = import_roster(&wd, name, text);
        assert!(
            !err.contains("employment") && !err.contains("move"),
            "{name}: {err}"
        );
    }
    check(&wd);
    // The earlier employment's 离职日期 corrected: that one changes.
    let err = import_roster(
        &wd,
        "c.csv",
        &roster_of("A1,王芳,甲组,L1,2025-01-01,2025-04-30\n"),
    );
    assert!(err.contains("A1 王芳 (2025-01-01 – 2025-04-30)"), "{err}");
    assert_eq!(
        wd.sql("SELECT joined_on, left_on FROM agent_stints WHERE agent_id = 'A1'"),
        [["2025-01-01", "2025-04-30"]]
    );
    check(&wd);
}

#[test]
fn a_re_hire_whose_leaving_comes_later_counts_from_the_re_hire() {
    let wd = Workdir::new();
    import_roster(&wd, "a.csv", &roster_of("A1,王芳,甲组,L1,2024-01-01,\n"));
    // The re-hire's roster first: the 入职日期 moves later with no 离职日期.
    let err = import_roster(&wd, "r.csv", &roster_of("A1,王芳,乙组,L2,2025-06-01,\n"));
    assert!(
        err.contains("1 agent(s)' 入职日期 moved later with no 离职日期 before it: A1 王芳 (2024-01-01 → 2025-06-01)"),
        "{err}"
    );
    // Then the leaving roster: the earlier employment is back.
    import_roster(
        &wd,
        "l.csv",
        &roster_of("A1,王芳,甲组,L1,2024-01-01,2024-12-31\n"),
    );
    import(
        &wd,
        "reviews",
        "rv.csv",
        "评价ID,评价时间,客服工号,评价等级,评价内容\nR1,2024-06-01 10:00,A1,差评,态度差\nR2,2025-08-01 10:00,A1,差评,态度差\n",
    );
    assert_eq!(department_on(&wd, "2024-06-01"), "甲组");
    assert_eq!(department_on(&wd, "2025-08-01"), "乙组");
    assert_eq!(
        agent(&bonus(&wd, &["--quarter", "2024Q3"]), "A1")["net_points"],
        3
    );
}

#[test]
fn employments_back_to_back_and_on_the_day_they_left_are_kept() {
    let wd = Workdir::new();
    import_roster(
        &wd,
        "a.csv",
        &roster_of(
            "A1,王芳,甲组,L1,2024-06-01,2025-06-15\nA2,李娜,甲组,L1,2024-06-01,2025-06-15\n",
        ),
    );
    // A1 back the next day; A2 on the very day they left.
    let err = import_roster(
        &wd,
        "r.csv",
        &roster_of("A1,王芳,乙组,L2,2025-06-16,\nA2,李娜,乙组,L2,2025-06-15,\n"),
    );
    assert!(
        err.contains("2 agent(s) re-hired under the same id"),
        "{err}"
    );
    // Back to back: every day of 2025 on the roster, June's point and the
    // year's zero-complaint nomination kept.
    let june = ledger(&wd, &["--month", "2025-06", "--agent", "A1"]);
    assert_eq!(june.len(), 1, "{june:?}");
    wd.set_today("2026-01-05");
    let v = wd.json(&["bonus", "nominations", "--year", "2025", "--format", "json"]);
    let a1 = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["agent_id"] == "A1")
        .cloned()
        .unwrap_or_default();
    assert!(a1["reasons"].to_string().contains("zero-complaints"), "{v}");
    // The same-day re-hire kept the first employment.
    assert_eq!(
        wd.sql("SELECT joined_on, left_on FROM agent_stints WHERE agent_id = 'A2'"),
        [["2024-06-01", "2025-06-15"]]
    );
}

#[test]
fn a_leader_s_own_ledger_has_the_lines_of_a_member_since_moved() {
    // Found by exploratory testing: `points --agent L1` left out the joint
    // liability for a day A1 was in L1's team, once A1 had moved to L2.
    let wd = workspace_with(None);
    import_roster(&wd, "r.csv", &roster_of("B1,王芳,甲组,L1,2025-01-01,\n"));
    import_roster(
        &wd,
        "mv.csv",
        "工号,客服姓名,部门,组长工号,调岗日期\nB1,王芳,乙组,L2,2026-11-15\n",
    );
    import(
        &wd,
        "events",
        "ev.csv",
        "编号,日期,工号,奖惩项目,次数,备注\nE1,2026-11-01,B1,电脑或灯未关,1,下班未关电脑\n",
    );
    let own = ledger(&wd, &["--quarter", "2026Q4", "--agent", "L1"]);
    let net: i64 = own.iter().map(|l| l["points"].as_i64().unwrap()).sum();
    assert_eq!(
        net,
        agent(&bonus(&wd, &["--quarter", "2026Q4"]), "L1")["net_points"]
            .as_i64()
            .unwrap(),
        "{own:?}"
    );
    assert!(own.iter().any(|l| l["points"] == -2), "{own:?}");
}

const FOUR_LEADERS: &str = "工号,客服姓名,部门,组长工号,入职日期,离职日期\nL1,组长甲,甲组,,2020-01-01,\nL2,组长乙,乙组,,2020-01-01,\nL3,组长丙,丙组,,2020-01-01,\n";

/// A workspace with leaders L1–L3 (甲组, 乙组, 丙组) and `files` imported in
/// order, each a roster text; returns it and the last import's stderr.
fn roster_history(files: &[&str]) -> (Workdir, String) {
    let wd = Workdir::new();
    import_roster(&wd, "leaders.csv", FOUR_LEADERS);
    let mut err = String::new();
    for (i, text) in files.iter().enumerate() {
        err = import_roster(&wd, &format!("f{i}.csv"), text);
    }
    (wd, err)
}

/// Imports one review of A1 on `day` (10:00) and returns the department
/// the daily report gives it.
fn department_of_a1(wd: &Workdir, day: &str) -> String {
    let id = day.replace('-', "");
    import(
        wd,
        "reviews",
        &format!("rv{id}.csv"),
        &format!("评价ID,评价时间,客服工号,评价等级,评价内容\nR{id},{day} 10:00,A1,差评,态度差\n"),
    );
    department_on(wd, day)
}

#[test]
fn roster_files_in_other_orders_keep_each_employment_s_history() {
    // Found by permutation testing against an independent model.
    const H: &str = "工号,客服姓名,部门,组长工号,入职日期,离职日期\n";
    const MOVE: &str = "工号,客服姓名,部门,组长工号,调岗日期\n";
    const HT: &str = "工号,客服姓名,部门,组长工号,入职日期,离职日期,调岗日期\n";
    // A re-hire on the day they left, replayed: the first employment stays.
    let left = format!("{H}A1,王芳,甲组,L1,2025-01-01,2025-06-15\n");
    let rehire = format!("{H}A1,王芳,乙组,L2,2025-06-15,\n");
    let (wd, _) = roster_history(&[
        &left,
        &rehire,
        &format!("{MOVE}A1,王芳,甲组,L1,2025-09-01\n"),
    ]);
    let err = import_roster(&wd, "again.csv", &rehire);
    assert!(!err.contains("employment"), "{err}");
    assert_eq!(
        wd.sql("SELECT joined_on, left_on FROM agent_stints"),
        [["2025-01-01", "2025-06-15"]]
    );
    // The same two rows the other way round (the leaving row after the
    // re-hire's): the same history, not the current employment ended.
    let (wd, _) = roster_history(&[&rehire, &left]);
    assert_eq!(
        wd.sql("SELECT joined_on, left_on FROM agent_stints"),
        [["2025-01-01", "2025-06-15"]]
    );
    assert_eq!(
        wd.sql("SELECT joined_on, coalesce(left_on, '-') FROM agents WHERE id = 'A1'"),
        [["2025-06-15", "-"]]
    );
    assert_eq!(department_of_a1(&wd, "2025-06-14"), "甲组");
    assert_eq!(department_of_a1(&wd, "2025-06-15"), "乙组");
    // This year's roster (a move dated 2025-09-01) before last year's.
    let (wd, _) = roster_history(&[
        &format!("{HT}A1,王芳,乙组,L2,2025-01-01,,2025-09-01\n"),
        &format!("{HT}A1,王芳,甲组,L1,2025-01-01,,2025-01-01\n"),
    ]);
    assert_eq!(department_of_a1(&wd, "2025-03-02"), "甲组");
    assert_eq!(department_of_a1(&wd, "2025-10-02"), "乙组");
    assert_eq!(
        wd.sql("SELECT department FROM agents WHERE id = 'A1'"),
        [["乙组"]]
    );
    // The next employment's 调岗单 before the re-hire's roster: the first
    // employment keeps 甲组.
    let (wd, _) = roster_history(&[
        &left,
        &format!("{MOVE}A1,王芳,乙组,L2,2025-09-01\n"),
        "工号,客服姓名,部门,组长工号,入职日期,调岗日期\nA1,王芳,丙组,L3,2025-08-01,2025-08-01\n",
    ]);
    assert_eq!(department_of_a1(&wd, "2025-03-02"), "甲组");
    assert_eq!(department_of_a1(&wd, "2025-08-02"), "丙组");
    assert_eq!(department_of_a1(&wd, "2025-09-02"), "乙组");
    // A re-hire into the department held, its roster with a 调岗日期: the
    // first employment's move stays where it was.
    let (wd, _) = roster_history(&[
        &format!("{H}A1,王芳,甲组,L1,2025-01-01,\n"),
        &format!("{MOVE}A1,王芳,乙组,L2,2025-03-01\n"),
        &format!("{H}A1,王芳,乙组,L2,2025-01-01,2025-06-15\n"),
        &format!("{HT}A1,王芳,乙组,L2,2025-08-01,,2025-08-01\n"),
    ]);
    assert_eq!(department_of_a1(&wd, "2025-02-02"), "甲组");
    assert_eq!(department_of_a1(&wd, "2025-04-02"), "乙组");
    // The earlier employment's dates corrected by a row with a 调岗日期.
    let (wd, err) = roster_history(&[
        &format!("{HT}A1,王芳,甲组,L1,2025-01-01,2025-06-15,2025-01-01\n"),
        &format!("{H}A1,王芳,乙组,L2,2025-08-01,\n"),
        &format!("{HT}A1,王芳,甲组,L1,2025-01-01,2025-06-20,2025-01-01\n"),
    ]);
    assert!(err.contains("(2025-01-01 – 2025-06-20)"), "{err}");
    assert_eq!(department_of_a1(&wd, "2025-03-02"), "甲组");
    assert_eq!(department_of_a1(&wd, "2025-09-02"), "乙组");
    // 调岗 sheets replayed: unchanged, said nothing.
    let m2025 = format!("{MOVE}A1,王芳,乙组,L2,2025-01-01\n");
    let m2026 = format!("{MOVE}A1,王芳,丙组,L3,2026-01-01\n");
    let (wd, _) = roster_history(&[&format!("{H}A1,王芳,甲组,L1,2023-01-01,\n"), &m2026, &m2025]);
    for (name, text) in [("m26.csv", &m2026), ("m25.csv", &m2025)] {
        let f = wd.write(name, text);
        let (v, err) = wd.json_and_stderr(&["import", "agents", &f, "--format", "json"]);
        assert_eq!(
            (v["updated"].as_u64(), v["unchanged"].as_u64()),
            (Some(0), Some(1)),
            "{name}"
        );
        assert!(!err.contains("move"), "{name}: {err}");
    }
    // A same-day re-hire's roster replayed after a third employment: the
    // second employment is the one it began on (found by the re-run of the
    // permutation check).
    let (wd, _) = roster_history(&[
        &left,
        &rehire,
        &format!("{H}A1,王芳,乙组,L2,2025-06-15,2025-09-30\n"),
        &format!("{H}A1,王芳,丙组,L3,2026-01-10,\n"),
    ]);
    let err = import_roster(&wd, "again.csv", &rehire);
    assert!(!err.contains("employment"), "{err}");
    assert_eq!(
        wd.sql("SELECT joined_on, left_on FROM agent_stints ORDER BY left_on"),
        [["2025-01-01", "2025-06-15"], ["2025-06-15", "2025-09-30"]]
    );
    // Three employments, each re-hire on the day the last one ended, the
    // middle row last (in files or in one file): the first is kept (found
    // by exploratory testing: the middle row overwrote it).
    let e1 = format!("{H}A1,王芳,甲组,L1,2025-01-01,2025-06-30\n");
    let e2 = format!("{H}A1,王芳,乙组,L2,2025-06-30,2026-03-31\n");
    let e3 = format!("{H}A1,王芳,丙组,L3,2026-03-31,\n");
    let one_file = format!("{e1}{}{}", &e3[H.len()..], &e2[H.len()..]);
    for files in [vec![e1.as_str(), &e3, &e2], vec![one_file.as_str()]] {
        let (wd, err) = roster_history(&files);
        assert_eq!(
            wd.sql("SELECT joined_on, left_on FROM agent_stints ORDER BY left_on"),
            [["2025-01-01", "2025-06-30"], ["2025-06-30", "2026-03-31"]],
            "{err}"
        );
        assert_eq!(department_of_a1(&wd, "2025-03-02"), "甲组");
        assert_eq!(department_of_a1(&wd, "2025-06-30"), "乙组");
        assert_eq!(department_of_a1(&wd, "2025-12-02"), "乙组");
        assert_eq!(department_of_a1(&wd, "2026-05-02"), "丙组");
    }
    // With gaps between, the middle employment imported last keeps its own
    // department and leader (found by exploratory testing: its days kept
    // the first employment's, and a joint-liability event charged L1).
    let (wd, _) = roster_history(&[
        &format!("{H}A1,王芳,甲组,L1,2025-01-01,2025-03-31\n"),
        &format!("{H}A1,王芳,丙组,L1,2026-03-01,\n"),
        &format!("{H}A1,王芳,乙组,L2,2025-07-01,2025-12-31\n"),
    ]);
    assert_eq!(department_of_a1(&wd, "2025-02-02"), "甲组");
    assert_eq!(department_of_a1(&wd, "2025-05-02"), "甲组");
    assert_eq!(department_of_a1(&wd, "2025-10-10"), "乙组");
    assert_eq!(
        wd.sql("SELECT leader_id FROM agent_history WHERE until_day = (SELECT min(until_day) FROM agent_history WHERE until_day >= 20371)"),
        [["L2"]]
    );
    // Found by permutation testing (round 49): roster files in an order
    // other than their dates, and the department each day then shows.
    type Case<'a> = (&'a str, Vec<String>, &'a [(&'a str, &'a str)]);
    let cases: [Case; 6] = [
        (
            "a 调岗单 that brought the agent, then the roster of the days before it",
            vec![
                format!("{MOVE}A1,王芳,乙组,L2,2025-09-17\n"),
                format!("{H}A1,王芳,甲组,L1,2024-10-18,\n"),
            ],
            &[("2025-01-30", "甲组"), ("2026-01-02", "乙组")],
        ),
        (
            "the same in one department: the 调岗单's date kept for a move dated before it",
            vec![
                format!("{MOVE}A1,王芳,乙组,L2,2025-09-17\n"),
                format!("{H}A1,王芳,乙组,L2,2024-10-18,\n"),
                format!("{MOVE}A1,王芳,甲组,L1,2025-01-01\n"),
            ],
            &[("2025-03-01", "甲组"), ("2025-10-01", "乙组")],
        ),
        (
            "a move back imported before the move away",
            vec![
                format!("{H}A1,王芳,甲组,L1,2025-01-01,\n"),
                format!("{MOVE}A1,王芳,甲组,L1,2025-06-01\n"),
                format!("{MOVE}A1,王芳,乙组,L2,2025-03-01\n"),
            ],
            &[("2025-04-01", "乙组"), ("2025-07-01", "甲组")],
        ),
        (
            "an earlier employment's move between the re-hire's row and its own",
            vec![
                format!("{H}A1,王芳,丙组,L3,2025-09-01,\n"),
                format!("{MOVE}A1,王芳,乙组,L2,2025-03-01\n"),
                format!("{H}A1,王芳,甲组,L1,2025-01-01,2025-06-30\n"),
            ],
            &[
                ("2025-02-01", "甲组"),
                ("2025-04-01", "乙组"),
                ("2025-10-01", "丙组"),
            ],
        ),
        (
            "the same move after both employments' rows: the re-hire keeps 甲组",
            vec![
                format!("{H}A1,王芳,甲组,L1,2025-01-01,2025-06-30\n"),
                format!("{H}A1,王芳,甲组,L1,2025-09-01,\n"),
                format!("{MOVE}A1,王芳,乙组,L2,2025-03-01\n"),
            ],
            &[("2025-04-01", "乙组"), ("2025-10-01", "甲组")],
        ),
        (
            "a middle employment last, between two in one department",
            vec![
                format!("{H}A1,王芳,甲组,L1,2025-01-01,2025-03-31\n"),
                format!("{H}A1,王芳,甲组,L1,2026-03-01,\n"),
                format!("{H}A1,王芳,乙组,L2,2025-07-01,2025-12-31\n"),
            ],
            &[
                ("2025-02-02", "甲组"),
                ("2025-10-10", "乙组"),
                ("2026-04-01", "甲组"),
            ],
        ),
    ];
    for (what, files, days) in cases {
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let (wd, _) = roster_history(&files);
        for (day, department) in days {
            assert_eq!(department_of_a1(&wd, day), *department, "{what}: {day}");
        }
    }
    // A file with both rows of a re-hire, replayed: no repeat, nothing said
    // (found by exploratory testing: "listed more than once").
    let two = format!("{H}A1,王芳,甲组,L1,2026-01-01,2026-06-30\nA1,王芳,乙组,L2,2026-09-01,\n");
    let (wd, err) = roster_history(&[&two]);
    assert!(!err.contains("more than once"), "{err}");
    let err = import_roster(&wd, "again.csv", &two);
    assert!(!err.contains("more than once"), "{err}");
    // The re-hire's row before the leaving row in one file, over a roster
    // of the first employment: no warning that those days no longer count.
    let (wd, err) = roster_history(&[
        &format!("{H}A1,王芳,甲组,L1,2026-01-01,\n"),
        &format!("{H}A1,王芳,乙组,L2,2026-06-30,\nA1,王芳,甲组,L1,2026-01-01,2026-06-30\n"),
    ]);
    assert!(!err.contains("moved later"), "{err}");
    assert_eq!(
        wd.sql("SELECT joined_on, left_on FROM agent_stints"),
        [["2026-01-01", "2026-06-30"]]
    );
    // An old 调岗单 replayed whose department is the current one (under
    // another leader now): its days keep their leader.
    let (wd, _) = roster_history(&[
        &format!("{HT}A1,王芳,甲组,L1,2023-06-28,,2023-06-28\n"),
        &format!("{MOVE}A1,王芳,乙组,L2,2023-08-30\n"),
        &format!("{MOVE}A1,王芳,丙组,L3,2024-01-04\n"),
        &format!("{MOVE}A1,王芳,乙组,L1,2025-09-16\n"),
    ]);
    let history = wd.sql("SELECT * FROM agent_history ORDER BY until_day");
    let err = import_roster(
        &wd,
        "again.csv",
        &format!("{MOVE}A1,王芳,乙组,L2,2023-08-30\n"),
    );
    assert!(!err.contains("move"), "{err}");
    assert_eq!(
        wd.sql("SELECT * FROM agent_history ORDER BY until_day"),
        history
    );
    // The leaving row of the first employment, with its 调岗日期, after the
    // re-hire's roster: the days before that move keep the first roster's
    // department, the days after (to the re-hire) the move's.
    let (wd, _) = roster_history(&[
        &format!("{HT}A1,王芳,甲组,L1,2023-01-14,,2023-01-14\n"),
        &format!("{HT}A1,王芳,丙组,L3,2024-02-18,,2024-02-18\n"),
        &format!("{HT}A1,王芳,乙组,L2,2023-01-14,2023-11-07,2023-06-07\n"),
    ]);
    assert_eq!(department_of_a1(&wd, "2023-03-01"), "甲组");
    assert_eq!(department_of_a1(&wd, "2023-08-01"), "乙组");
    assert_eq!(department_of_a1(&wd, "2024-03-01"), "丙组");
    // An earlier employment imported after the re-hire's roster: the days
    // between keep its leader, as in date order.
    let (wd, _) = roster_history(&[
        &format!("{H}A1,王芳,乙组,L1,2023-12-26,\n"),
        &format!("{H}A1,王芳,乙组,L2,2023-05-09,2023-08-14\n"),
    ]);
    assert_eq!(
        wd.sql("SELECT until_day, department, leader_id FROM agent_history"),
        [["19716", "乙组", "L2"]]
    );
    // The re-hired employment's leaving row (its 调岗日期 the re-hire's) does
    // not re-date the earlier employment's move.
    let (wd, _) = roster_history(&[
        &format!("{HT}A1,王芳,丙组,L3,2023-02-25,,2023-02-25\n"),
        &format!("{MOVE}A1,王芳,甲组,L1,2023-04-29\n"),
        &format!("{HT}A1,王芳,甲组,L1,2023-02-25,2023-06-13,\n"),
        &format!("{HT}A1,王芳,甲组,L1,2023-06-14,,2023-06-14\n"),
        &format!("{HT}A1,王芳,甲组,L1,2023-06-14,2023-12-31,2023-06-14\n"),
    ]);
    assert_eq!(department_of_a1(&wd, "2023-05-15"), "甲组");
    // A row of the current employment with an empty 离职日期 clears the one
    // held, and says so.
    let (_, err) = roster_history(&[
        &format!("{H}A1,王芳,甲组,L1,2024-01-01,2024-06-01\n"),
        &format!("{H}A1,王芳,甲组,L1,2024-01-01,\n"),
    ]);
    assert!(
        err.contains(
            "1 agent(s)' 离职日期 cleared by a row without one: A1 王芳 (left 2024-06-01)"
        ),
        "{err}"
    );
    // A file of one leaver (no active agent in it) is no whole roster.
    let (_, err) = roster_history(&[&left]);
    assert!(!err.contains("not in this file"), "{err}");
    // A 入职日期 moved earlier with no 离职日期: taken as a correction, and
    // said (it may be an older roster imported after a re-hire's).
    let (_, err) = roster_history(&[
        &format!("{H}A1,王芳,乙组,L2,2025-08-01,\n"),
        &format!("{H}A1,王芳,甲组,L1,2025-01-01,\n"),
    ]);
    assert!(
        err.contains("1 agent(s)' 入职日期 moved earlier with no 离职日期: A1 王芳 (2025-08-01 → 2025-01-01)"),
        "{err}"
    );
}

/// Found by exploratory testing: a confirmed complaint dated before its
/// agent joined (a wrong 工号) was charged without a word, where an event
/// dated so is warned about.
#[test]
fn complaints_dated_outside_employment_are_warned_about() {
    let wd = workspace_with(None);
    // A3 joined on 2026-08-10.
    let f = wd.write(
        "c.csv",
        "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n\
         C1,2026-07-20 10:00,挂电话,A3,成立,个人\n\
         C2,2026-09-01 10:00,挂电话,A3,成立,个人\n",
    );
    wd.kefu(&["import", "-q", "complaints", &f])
        .assert()
        .success()
        .stderr(
            predicate::str::contains(
                "complaint C1 is dated 2026-07-20, before A3 joined (2026-08-10): kept against A3 as recorded",
            )
            .and(predicate::str::contains("C2").not()),
        );
    // Importing the same file again changes nothing and says nothing.
    wd.kefu(&["import", "-q", "complaints", &f])
        .assert()
        .success()
        .stderr(predicate::str::contains("C1").not());
    // A review nobody judged can never be charged: not checked.
    let r = wd.write(
        "r.csv",
        "评价ID,评价时间,评价内容,客服工号,评分\nR1,2026-07-20 10:00,太慢了,A3,1\n",
    );
    wd.kefu(&["import", "-q", "reviews", &r])
        .assert()
        .success()
        .stderr(predicate::str::contains("R1").not());
}

/// A roster imported after the complaints and events, whose dates leave
/// some of them outside the agent's employment, says so as their own import
/// would have (it said nothing: the check ran at their import only).
#[test]
fn a_roster_whose_dates_leave_stored_records_outside_employment_says_so() {
    let wd = Workdir::new();
    let h = "工号,客服姓名,部门,组长工号,入职日期,离职日期\n";
    import(
        &wd,
        "agents",
        "r1.csv",
        &format!("{h}A1,王芳,售后组,,2024-01-01,\n"),
    );
    import(
        &wd,
        "complaints",
        "c.csv",
        "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n\
         C1,2026-07-20 10:00,挂电话,A1,成立,个人\n\
         C2,2026-09-01 10:00,挂电话,A1,成立,个人\n\
         C9,2026-07-01 10:00,挂电话,A9,待定,\n",
    );
    import(
        &wd,
        "events",
        "e.csv",
        "日期,工号,奖惩项目,次数\n2026-07-25,A1,spot-check-missed,1\n",
    );
    let roster = |name: &str, rows: &str| {
        let f = wd.write(name, format!("{h}{rows}"));
        let out = wd.kefu(&["import", "-q", "agents", &f]).assert().success();
        String::from_utf8(out.get_output().stderr.clone()).unwrap()
    };
    // 入职日期 corrected to later: C1 and the event are now before it.
    let err = roster("r2.csv", "A1,王芳,售后组,,2026-08-10,\n");
    assert!(
        err.contains("complaint C1, stored earlier, is dated 2026-07-20, before A1 joined (2026-08-10) by the dates this roster gives: kept against A1 as recorded"),
        "{err}"
    );
    assert!(
        err.contains("event spot-check-missed of A1 (no id in the export), stored earlier, is dated 2026-07-25, before A1 joined"),
        "{err}"
    );
    assert!(!err.contains("C2"), "{err}");
    // The same roster again changes no dates and says nothing.
    let err = roster("r3.csv", "A1,王芳,售后组,,2026-08-10,\n");
    assert!(!err.contains("stored earlier"), "{err}");
    // Leaving before C2: only C2 is new (C1 was said already); an agent new
    // to the roster is checked against their first dates.
    let err = roster(
        "r4.csv",
        "A1,王芳,售后组,,2026-08-10,2026-08-20\nA9,李娜,售后组,,2026-08-01,\n",
    );
    assert!(
        err.contains(
            "complaint C2, stored earlier, is dated 2026-09-01, after A1 left (2026-08-20)"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "complaint C9, stored earlier, is dated 2026-07-01, before A9 joined (2026-08-01)"
        ),
        "{err}"
    );
    assert!(!err.contains("C1,"), "{err}");
    // A record the roster links only now (a rename gives A5 the name it
    // gave), its agent's dates unchanged, is checked too.
    roster("r5.csv", "A5,王小芳,售后组,,2026-08-10,\n");
    import(
        &wd,
        "complaints",
        "c5.csv",
        "投诉编号,投诉时间,投诉内容,被投诉人,是否成立,责任认定\n\
         C5,2026-07-20 10:00,挂电话,王芳芳,成立,个人\n\
         C6,2026-09-20 10:00,挂电话,王芳芳,成立,个人\n",
    );
    let err = roster("r6.csv", "A5,王芳芳,售后组,,2026-08-10,\n");
    assert!(
        err.contains(
            "complaint C5, stored earlier, is dated 2026-07-20, before A5 joined (2026-08-10)"
        ),
        "{err}"
    );
    assert!(!err.contains("C6"), "{err}");
}

/// Found by exploratory testing: a confirmed complaint naming only a name
/// two agents share was charged to nobody, and the bonus never said so.
#[test]
fn complaints_linked_to_no_agent_are_noted_in_the_bonus() {
    let wd = Workdir::new();
    let roster = wd.write(
        "roster.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\n\
         A1,张伟,售前组,,2024-01-01,\n\
         A2,张伟,售后组,,2024-01-01,\n\
         A3,王芳,售后组,,2024-01-01,\n",
    );
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    let f = wd.write(
        "c.csv",
        "投诉编号,投诉时间,投诉内容,被投诉人,是否成立,责任认定\n\
         C1,2026-08-12 09:00,态度很差,张伟,成立,个人\n\
         C2,2026-08-13 09:00,态度很差,张伟,待定,\n\
         C3,2026-08-14 09:00,态度很差,张伟,不成立,个人\n\
         C4,2026-08-15 09:00,态度很差,王芳,成立,个人\n",
    );
    wd.kefu(&["import", "-q", "complaints", &f])
        .assert()
        .success();
    let note = "2 record(s) in the period would count against an agent (1) or are pending (1) but name no agent kefu could link";
    wd.kefu(&["bonus", "--quarter", "2026Q3", "--format", "csv"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains(note)
                .and(predicate::str::contains(
                    "complaint C1 (张伟, 2026-08-12), complaint C2 (张伟, 2026-08-13);",
                ))
                .and(predicate::str::contains("C3").not()),
        );
    // In the people's formats too, and in the ledger; one agent's view is
    // about that agent alone.
    wd.kefu(&["bonus", "--quarter", "2026Q3", "--format", "md"])
        .assert()
        .success()
        .stdout(predicate::str::contains(note));
    wd.kefu(&["points", "--quarter", "2026Q3", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains(note));
    wd.kefu(&[
        "points",
        "--quarter",
        "2026Q3",
        "--agent",
        "A3",
        "--format",
        "csv",
    ])
    .assert()
    .success()
    .stderr(predicate::str::contains("link").not());
    // The complaint that names its agent is charged as before.
    let rows = bonus(&wd, &["--quarter", "2026Q3"]);
    assert_eq!(agent(&rows, "A3")["complaints_counted"], 1);
    assert_eq!(agent(&rows, "A1")["complaints_counted"], 0);
}

#[test]
fn rate_takes_full_width_digits() {
    let wd = workspace_with(None);
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目,次数\nE1,2026-08-05,A1,书面表扬,1\n",
    );
    let rows = bonus(&wd, &["--quarter", "2026Q3", "--rate", "１２.５"]);
    assert_eq!(agent(&rows, "A1")["rate"], "12.50");
    wd.kefu(&["bonus", "--quarter", "2026Q3", "--rate", "１２。５"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--rate \"１２。５\" is not a number",
        ));
    // More decimals than a product of points and rate holds exactly (round
    // 98: rounded to fit, then to cents, 0.01 off; 31 decimals read as
    // 0.005 without a word), in --rate and in kefu.toml alike.
    for rate in [
        "1.8089999999999999999999999999",
        "0.0049999999999999999999999999999",
        "0.00000000000000001",
    ] {
        wd.kefu(&["bonus", "--quarter", "2026Q3", "--rate", rate])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--rate"));
    }
    let rows = bonus(&wd, &["--quarter", "2026Q3", "--rate", "0.0000000005"]);
    assert_eq!(agent(&rows, "A1")["rate"], "0.0000000005");
    // An exponent, as before (round 99: refused as not exact).
    let rows = bonus(&wd, &["--quarter", "2026Q3", "--rate", "1e1"]);
    assert_eq!(agent(&rows, "A1")["rate"], "10.00");
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    let (head, tail) = toml.split_once("\nrate = ").unwrap();
    let rest = tail.split_once('\n').unwrap().1;
    std::fs::write(
        wd.path("kefu.toml"),
        format!("{head}\nrate = \"1.8089999999999999999999999999\"\n{rest}"),
    )
    .unwrap();
    wd.kefu(&["bonus", "--quarter", "2026Q3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("more than 16 decimal places"));
}

/// Found by exploratory testing: a complaint giving an agent id the roster
/// does not have is charged to that id, in a row with no name that HR could
/// take for a roster agent's; the row is flagged.
#[test]
fn a_complaint_against_an_id_not_on_the_roster_is_flagged_in_its_row() {
    let wd = workspace_with(None);
    import(
        &wd,
        "complaints",
        "c.csv",
        "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n\
         D1,2026-08-11 10:00,态度差,KF099,成立,个人\n\
         D2,2026-08-12 10:00,态度差,KF099,待定,个人\n\
         D3,2026-08-13 10:00,态度差,A1,成立,个人\n",
    );
    let rows = bonus(&wd, &["--quarter", "2026Q3"]);
    let phantom = agent(&rows, "KF099");
    assert_eq!(phantom["agent_name"], "");
    assert_eq!(phantom["complaints_counted"], 1);
    assert_eq!(phantom["complaints_pending"], 1);
    assert_eq!(phantom["flags"], serde_json::json!(["not-on-roster"]));
    assert_eq!(agent(&rows, "A1")["flags"], serde_json::json!([]));
    // Charged to that id, so not among the records linked to no one.
    wd.kefu(&["bonus", "--quarter", "2026Q3", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("could link").not());
    // An id with only a pending complaint has its row too; and after the
    // quarter is closed, a late complaint's adjustment, the only line of
    // KF099's next quarter, still shows it is not on the roster.
    import(
        &wd,
        "complaints",
        "c2.csv",
        "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定
         P1,2026-08-20 10:00,态度差,KF098,待定,个人
",
    );
    let rows = bonus(&wd, &["--quarter", "2026Q3"]);
    let pending_only = agent(&rows, "KF098");
    assert_eq!(pending_only["complaints_pending"], 1);
    assert_eq!(pending_only["net_points"], 0);
    assert_eq!(pending_only["flags"], serde_json::json!(["not-on-roster"]));
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    import(
        &wd,
        "complaints",
        "c3.csv",
        "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定
         D4,2026-08-21 10:00,态度差,KF099,成立,个人
",
    );
    let rows = bonus(&wd, &["--quarter", "2026Q4"]);
    let late = agent(&rows, "KF099");
    assert_eq!(late["net_points"], -1);
    assert_eq!(late["flags"], serde_json::json!(["not-on-roster"]));
    // The id the bonus row shows is what HR types: its lines, and a word
    // that it is not on the roster; an id no record gives is still refused.
    wd.kefu(&[
        "points",
        "--agent",
        "KF099",
        "--quarter",
        "2026Q3",
        "--format",
        "csv",
    ])
    .assert()
    .success()
    .stdout(
        predicate::str::contains("KF099")
            .and(predicate::str::contains("customer-complaint"))
            .and(predicate::str::contains("D1"))
            .and(predicate::str::contains("D3").not()),
    )
    .stderr(predicate::str::contains(
        "--agent \"KF099\": not on the roster; its records as the exports gave them",
    ));
    wd.kefu(&["points", "--agent", "KF097", "--quarter", "2026Q3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no agent \"KF097\" on the roster"));
}

/// Regressions (exploratory testing, round 60): an event of 次数 3 says so
/// on its line; a late event of no points in a closed quarter (not
/// verified, or past its steps and raising a flag) is listed in the next
/// open quarter, so that the flag it raises has its line.
#[test]
fn counts_and_late_lines_of_no_points_are_on_the_ledger() {
    let wd = with_bundled(&[
        ("agents", "agents.csv"),
        ("complaints", "complaints.jsonl"),
        ("events", "events.csv"),
    ]);
    import(
        &wd,
        "events",
        "f.csv",
        "编号,日期,工号,奖惩项目,次数\nF3,2026-11-02,KF001,书面表扬,3\n",
    );
    let lines = ledger(&wd, &["--quarter", "2026Q4", "--agent", "KF001"]);
    let f3 = lines
        .iter()
        .find(|l| l["source"].as_str().unwrap().starts_with("event f/F3"))
        .unwrap();
    assert_eq!(f3["points"].as_i64(), Some(6));
    assert_eq!(f3["source"], "event f/F3 (2026-11-02), 3 times × 2");
    // The leader's line of joint liability, and a rule's flag (round 61).
    import(
        &wd,
        "events",
        "g.csv",
        "编号,日期,工号,奖惩项目,次数\nG3,2026-11-03,KF003,电脑或灯未关,3\nG6,2026-11-06,KF001,严重违纪,1\n",
    );
    let lines = ledger(&wd, &["--quarter", "2026Q4"]);
    let text = |needle: &str| -> Vec<String> {
        lines
            .iter()
            .map(|l| l["source"].as_str().unwrap().to_string())
            .filter(|s| s.contains(needle))
            .collect()
    };
    assert_eq!(
        text("event g/G3"),
        [
            "event g/G3 (2026-11-03), 3 times × -1",
            "joint liability for KF003: event g/G3 (2026-11-03), 3 times × -2"
        ]
    );
    assert_eq!(
        text("event g/G6"),
        ["event g/G6 (2026-11-06), flag: dismissal"]
    );
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    import(
        &wd,
        "events",
        "late.csv",
        "编号,日期,工号,奖惩项目,次数,是否核实\nL1,2026-09-20,KF005,无故缺席例会,1,\nL2,2026-09-22,KF002,书面表扬,1,否\n",
    );
    let lines = ledger(&wd, &["--quarter", "2026Q4"]);
    let late = |id: &str| -> (i64, String, String) {
        let l = lines
            .iter()
            .find(|l| {
                l["source"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("event late/{id} "))
            })
            .unwrap_or_else(|| panic!("no line of {id}: {lines:?}"));
        (
            l["points"].as_i64().unwrap(),
            l["date"].as_str().unwrap().to_string(),
            l["source"].as_str().unwrap().to_string(),
        )
    };
    let (points, date, text) = late("L1");
    assert_eq!((points, date.as_str()), (0, "2026-10-01"));
    assert!(
        text.starts_with("adjustment to closed 2026Q3: newly listed: event late/L1")
            && text.contains("past its 2 steps: removal"),
        "{text}"
    );
    let (points, _, text) = late("L2");
    assert_eq!(points, 0);
    assert!(
        text.contains("newly listed: event late/L2") && text.contains("not verified"),
        "{text}"
    );
    let kf005 = agent(&bonus(&wd, &["--quarter", "2026Q4"]), "KF005").clone();
    assert_eq!(kf005["flags"], serde_json::json!(["removal:2026-09-20"]));
}

/// Regression (exploratory testing, round 61): an id too long for a file
/// name (a shifted column's sentence) no longer stops every statement.
#[test]
fn a_long_id_gets_a_statement_of_a_name_a_file_system_takes() {
    let wd = workspace_with(None);
    let long = "客服说这个问题需要升级处理请耐心等待三到五个工作日我们会尽快给您回复感谢您的理解与支持祝您生活愉快再见再见再见再见";
    import(
        &wd,
        "complaints",
        "c.csv",
        &format!("投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\nC1,2026-08-05 10:00,挂电话,{long},成立,个人\nC2,2026-08-06 10:00,挂电话,A1,成立,个人\n"),
    );
    let dir = statements_of(&wd, "2026Q3");
    let cut: String = long.chars().take(64).collect();
    assert!(dir.join(format!("{cut}-2.html")).exists() || dir.join(format!("{cut}.html")).exists());
    assert!(dir.join("A1.html").exists());
}

/// Regression (exploratory testing, round 63): an id the roster lacks,
/// written KF099, kf099 and ＫＦ０９９, is one agent in the ledger and the
/// bonus, as in the reports: three confirmed complaints in a month raise
/// its dismissal review; `points --agent` finds it in any spelling.
#[test]
fn an_off_roster_id_in_three_spellings_is_one_agent() {
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "a.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nKF001,王芳,售前组,,2024-03-01,\n",
    );
    wd.kefu(&[
        "import",
        "-q",
        "complaints",
        &wd.write(
            "c.csv",
            "投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\nD1,2026-11-20 10:00,kf099,态度差,成立,个人\nD2,2026-11-20 11:00,KF099,态度差,成立,个人\nD3,2026-11-20 12:00,ＫＦ０９９,态度差,成立,个人\n",
        ),
    ])
    .assert()
    .success();
    let rows = bonus(&wd, &["--month", "2026-11"]);
    let off: Vec<&Value> = rows
        .iter()
        .filter(|r| r["agent_id"].as_str().unwrap() != "KF001")
        .collect();
    assert_eq!(off.len(), 1, "{rows:?}");
    assert_eq!(off[0]["agent_id"], "KF099");
    assert_eq!(
        off[0]["complaints_counted"].as_i64(),
        Some(3),
        "{:?}",
        off[0]
    );
    assert!(
        off[0]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "dismissal-review:2026-11"),
        "{:?}",
        off[0]
    );
    let lines = ledger(&wd, &["--month", "2026-11", "--agent", "ｋｆ０９９"]);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines.iter().all(|l| l["agent_id"] == "KF099"));
    // Round 64: after a close, the snapshot read back, a late complaint's
    // adjustment and the next quarter's lines are one row, in any spelling.
    import(
        &wd,
        "complaints",
        "q3.csv",
        "投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\nC1,2026-08-03 09:00,KF099,a,成立,个人\nC2,2026-08-10 09:00,kf099,b,成立,个人\n",
    );
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    import(
        &wd,
        "complaints",
        "q4.csv",
        "投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\nC6,2026-09-10 09:00,ｋｆ099,late,成立,个人\nC7,2026-10-10 09:00,kf099,d,成立,个人\n",
    );
    let rows = bonus(&wd, &["--quarter", "2026Q4"]);
    let off: Vec<&Value> = rows.iter().filter(|r| r["agent_id"] != "KF001").collect();
    assert_eq!(off.len(), 1, "{rows:?}");
    assert_eq!(off[0]["agent_id"], "KF099");
    // D1–D3 of November, C7 of October, C6's adjustment to Q3.
    assert_eq!(off[0]["net_points"].as_i64(), Some(-5), "{:?}", off[0]);
    for spelling in ["kf099", "ＫＦ０９９", "KF099"] {
        let q4 = ledger(&wd, &["--quarter", "2026Q4", "--agent", spelling]);
        assert_eq!(q4.len(), 5, "{spelling}: {q4:?}");
        let q3 = ledger(&wd, &["--quarter", "2026Q3", "--agent", spelling]);
        assert_eq!(q3.len(), 2, "{spelling}: {q3:?}");
    }
}

/// Regressions (exploratory testing, round 65): a group leader the roster
/// lacks, written two ways as 组长工号, leads one team under one id; an id
/// written as an Excel float (2001.0) is found by `points --agent 2001`; a
/// phone number shifted into 客服工号 is masked in the bonus and its
/// statement's file name.
#[test]
fn off_roster_leaders_float_ids_and_phones_as_ids() {
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "a.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nA1,甲,售前组,kf 099,2024-01-01,\nA2,乙,售前组,ＫＦ０９９,2024-01-01,\n",
    );
    import(
        &wd,
        "complaints",
        "c.csv",
        "投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\nF1,2026-08-01 09:00,2001,a,成立,个人\nF2,2026-08-02 09:00,2001.0,b,成立,个人\nF3,2026-08-03 09:00,２００１,c,成立,个人\nP1,2026-08-04 09:00,13812345678,d,成立,个人\n",
    );
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目,次数\nE1,2026-08-05,A1,电脑或灯未关,1\nE2,2026-08-06,A2,电脑或灯未关,1\n",
    );
    let rows = bonus(&wd, &["--quarter", "2026Q3"]);
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["agent_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.iter()
            .filter(|i| i.to_lowercase().contains("099") || i.contains("０９９"))
            .count(),
        1,
        "{ids:?}"
    );
    assert!(ids.contains(&"KF099"), "{ids:?}");
    assert!(ids.contains(&"138****5678"), "{ids:?}");
    assert!(!ids.iter().any(|i| i.contains("13812345678")), "{ids:?}");
    for spelling in ["2001", "2001.0", "２００１"] {
        let lines = ledger(&wd, &["--quarter", "2026Q3", "--agent", spelling]);
        assert_eq!(lines.len(), 3, "{spelling}: {lines:?}");
    }
    let names = common::names_in(&statements_of(&wd, "2026Q3"));
    assert!(
        !names.iter().any(|n| n.contains("13812345678")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n == "KF099.html"), "{names:?}");
    // Round 66: its pending complaint and the ledger's header are masked too.
    import(
        &wd,
        "complaints",
        "p.csv",
        "投诉编号,投诉时间,客服工号,投诉内容\nP2,2026-08-07 09:00,13812345678,e\n",
    );
    let md = wd.stdout(&["bonus", "--quarter", "2026Q3", "--format", "md"]);
    assert!(
        md.contains("p/P2") && md.contains(r"138\*\*\*\*5678"),
        "{md}"
    );
    assert!(!md.contains("13812345678"), "{md}");
    let v = wd.json(&[
        "points",
        "--quarter",
        "2026Q3",
        "--agent",
        "13812345678",
        "--format",
        "json",
    ]);
    assert_eq!(v["agent_id"], "138****5678", "{v}");
}

/// Regressions (exploratory testing, rounds 66 and 67): a quarter an
/// earlier kefu closed with one off-roster id in three spellings (three
/// rows) shows three rows in `bonus`, three statements, and in `points`
/// each line under the spelling it was frozen with, so that each row adds
/// up to its ledger; `--agent kf099` finds that row's line.
#[test]
fn a_snapshot_holding_one_id_in_three_spellings_keeps_them_apart() {
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "a.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nKF001,王芳,售前组,,2024-03-01,\n",
    );
    import(
        &wd,
        "complaints",
        "c.csv",
        "投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\nX1,2026-08-03 09:00,KF099,a,成立,个人\nX2,2026-08-04 09:00,kf099,b,成立,个人\nX3,2026-08-05 09:00,ＫＦ０９９,c,成立,个人\n",
    );
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    // As an earlier kefu froze it: the spellings as the export gave them.
    let conn = rusqlite::Connection::open(wd.path("kefu.db")).unwrap();
    conn.execute_batch(
        "UPDATE closed_lines SET agent_id = 'kf099' WHERE key LIKE '%/X2';
         UPDATE closed_lines SET agent_id = 'ＫＦ０９９' WHERE key LIKE '%/X3';",
    )
    .unwrap();
    let payout: String = conn
        .query_row(
            "SELECT payout FROM closed_periods WHERE name = '2026Q3'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut rows: Vec<Value> = serde_json::from_str(&payout).unwrap();
    let one = rows.iter().position(|r| r["agent_id"] == "KF099").unwrap();
    let frozen = rows.remove(one);
    for id in ["KF099", "kf099", "ＫＦ０９９"] {
        let mut r = frozen.clone();
        r["agent_id"] = id.into();
        r["points_deducted"] = 1.into();
        r["net_points"] = (-1).into();
        r["complaints_counted"] = 1.into();
        rows.push(r);
    }
    conn.execute(
        "UPDATE closed_periods SET payout = ?1 WHERE name = '2026Q3'",
        [serde_json::to_string(&rows).unwrap()],
    )
    .unwrap();
    drop(conn);
    let shown = bonus(&wd, &["--quarter", "2026Q3"]);
    for id in ["KF099", "kf099", "ＫＦ０９９"] {
        assert_eq!(agent(&shown, id)["net_points"], -1, "{shown:?}");
        // Round 69: ranked as now, though frozen with ranks.
        assert_eq!(agent(&shown, id)["rank"], Value::Null, "{shown:?}");
    }
    assert_eq!(agent(&shown, "KF001")["rank"], 1, "{shown:?}");
    let names = common::names_in(&statements_of(&wd, "2026Q3"));
    // Of KF099 and kf099, the second is numbered (case-insensitive disks).
    assert!(names.iter().any(|n| n == "kf099-2.html"), "{names:?}");
    let lines = ledger(&wd, &["--quarter", "2026Q3"]);
    let mut ids: Vec<&str> = lines
        .iter()
        .map(|l| l["agent_id"].as_str().unwrap())
        .filter(|id| *id != "KF001")
        .collect();
    ids.sort();
    assert_eq!(ids, ["KF099", "kf099", "ＫＦ０９９"], "{lines:?}");
    let v = wd.json(&[
        "points",
        "--quarter",
        "2026Q3",
        "--agent",
        "kf099",
        "--format",
        "json",
    ]);
    assert_eq!(v["net_points"], -1, "{v}");
    assert_eq!(v["agent_id"], "kf099", "{v}");
}

/// Regression (exploratory testing, rounds 67 and 68): no one is paid from a row
/// the roster lacks. An appeal upheld after the close gives KF099 a +1
/// adjustment: its row shows the point, its bonus is 0.00, and the total
/// and the count of agents are the roster's.
#[test]
fn a_not_on_roster_row_is_paid_nothing() {
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "a.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nKF001,王芳,售前组,,2024-03-01,\n",
    );
    let log = |validity: &str| {
        format!("投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\nX1,2026-08-03 09:00,KF099,a,{validity},个人\n")
    };
    import(&wd, "complaints", "v1.csv", &log("成立"));
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    import(&wd, "complaints", "v2.csv", &log("不成立"));
    let rows = bonus(&wd, &["--quarter", "2026Q4"]);
    let off = agent(&rows, "KF099");
    assert_eq!(off["net_points"], 1, "{off}");
    assert_eq!(off["bonus"], "0.00", "{off}");
    // Round 68: unranked and listed after the roster's agents, though its
    // net points are more than KF001's 0.
    assert_eq!(off["rank"], Value::Null, "{off}");
    assert_eq!(rows[0]["agent_id"], "KF001", "{rows:?}");
    assert_eq!(rows[0]["rank"], 1, "{rows:?}");
    let paid = agent(&rows, "KF001")["bonus"].clone();
    let out = wd
        .kefu(&["bonus", "--quarter", "2026Q4", "--format", "csv"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "total payout {} CNY for 1 agent(s)",
            paid.as_str().unwrap()
        )),
        "{err}"
    );
}

/// Regressions (exploratory testing, rounds 69 and 70): a complaint dated
/// in a year whose quarters are all closed, counted late (charged in the
/// next year), ends the agent's zero-complaints-all-year nomination of the
/// year it is dated in, not of the next year; the candidates'
/// `complaints_counted` are those dated in the year.
#[test]
fn a_late_complaint_ends_the_zero_complaints_nomination_of_its_own_year() {
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "a.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nA1,王一,售前组,,2023-03-01,\nA2,李二,售前组,,2023-03-01,\n",
    );
    for q in ["2024Q1", "2024Q2", "2024Q3", "2024Q4"] {
        wd.kefu(&["bonus", "close", q]).assert().success();
    }
    let zero = |wd: &Workdir, year: &str| -> Vec<(String, i64)> {
        wd.json(&["bonus", "nominations", "--year", year, "--format", "json"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| {
                n["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r == "zero-complaints")
            })
            .map(|n| {
                (
                    n["agent_id"].as_str().unwrap().to_string(),
                    n["complaints_counted"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let both = vec![("A1".to_string(), 0), ("A2".to_string(), 0)];
    assert_eq!(zero(&wd, "2024"), both);
    import(
        &wd,
        "complaints",
        "late.csv",
        "投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\nL1,2024-11-15 10:00,A1,态度差,成立,个人\n",
    );
    assert_eq!(zero(&wd, "2024"), [("A2".to_string(), 0)]);
    // Charged in 2025Q1 (A1 now ranks below A2), but not 2025's complaint.
    let mut next = zero(&wd, "2025");
    next.sort();
    assert_eq!(next, both);
}

/// Found by exploratory testing (round 72): the note of records charged to
/// nobody showed a phone number typed as the agent's name unmasked in every
/// format with a place for notes; a roster agent whose id reads as a phone
/// number was masked in the leader's `joint liability for …` line; and
/// `bonus --statements DIR -o BAD` wrote every statement before failing.
#[test]
fn notes_mask_what_the_roster_lacks_and_lines_keep_what_it_has() {
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "agents.csv",
        "工号,客服姓名,部门,组长工号,入职日期\n\
         13800138000,张三,售前组,L1,2024-01-01\n\
         L1,组长甲,售前组,,2020-01-01\n",
    );
    import(
        &wd,
        "complaints",
        "c.csv",
        "投诉编号,投诉时间,投诉内容,客服姓名,责任认定,是否成立\n\
         M4,2026-11-20 12:05,态度差,13700001111,个人,成立\n",
    );
    import(
        &wd,
        "events",
        "ev.csv",
        "编号,日期,工号,奖惩项目,次数,备注,是否核实\n\
         E1,2026-11-03,13800138000,电脑或灯未关,1,下班未关电脑,是\n",
    );
    let text = wd.stdout(&["points", "--quarter", "2026Q4", "--format", "md"]);
    assert!(text.contains("complaint M4 (137\\*\\*\\*\\*1111"), "{text}");
    assert!(!text.contains("13700001111"), "{text}");
    assert!(
        text.contains("joint liability for 13800138000: event ev/E1"),
        "{text}"
    );
    let notes = wd.stdout(&["bonus", "--quarter", "2026Q4", "--format", "html"]);
    assert!(
        notes.contains("137****1111") && !notes.contains("13700001111"),
        "{notes}"
    );
    // --no-mask shows it.
    let open = wd.stdout(&[
        "points",
        "--quarter",
        "2026Q4",
        "--format",
        "md",
        "--no-mask",
    ]);
    assert!(open.contains("complaint M4 (13700001111"), "{open}");

    let st = wd.path("st");
    let bad = wd.path("no-such-dir/b.xlsx");
    wd.kefu(&[
        "bonus",
        "--quarter",
        "2026Q4",
        "--statements",
        st.to_str().unwrap(),
        "-o",
        bad.to_str().unwrap(),
    ])
    .assert()
    .failure()
    .stderr(predicate::str::contains("no-such-dir"));
    assert!(!st.exists(), "statements were written before -o failed");
    wd.kefu(&[
        "bonus",
        "--quarter",
        "2026Q4",
        "--statements",
        st.to_str().unwrap(),
    ])
    .assert()
    .success();
    let leader = std::fs::read_to_string(st.join("L1.html")).unwrap();
    assert!(
        leader.contains("joint liability for 13800138000"),
        "{leader}"
    );
}

/// Found by exploratory testing (round 73): after the year's close, a late
/// third complaint (its flag booked in the next quarter) barred no one from
/// the year's nominations, and an appeal voiding a flag the year's
/// snapshot froze freed no one: nominations read the year's flags as the
/// store has them now, as they read its complaints.
#[test]
fn nominations_read_the_years_flags_as_the_store_has_them_now() {
    let wd = workspace_with(None);
    wd.set_today("2027-01-05");
    wd.kefu(&["bonus", "close", "2026"]).assert().success();
    assert!(nominated(&wd, "2026").contains(&"A1".to_string()));
    let c = |state: &str| {
        let mut s = String::from("投诉编号,投诉时间,客服工号,投诉内容,是否成立,责任认定\n");
        for i in 1..=3 {
            s.push_str(&format!(
                "L{i},2026-11-{:02} 10:00,A1,态度差,{state},个人\n",
                i * 3
            ));
        }
        s
    };
    import(&wd, "complaints", "late.csv", &c("成立"));
    assert!(agent(&bonus(&wd, &["--quarter", "2027Q1"]), "A1")["flags"]
        .to_string()
        .contains("dismissal-review:2026-11"));
    assert!(!nominated(&wd, "2026").contains(&"A1".to_string()));
    import(&wd, "complaints", "late.csv", &c("不成立"));
    assert!(nominated(&wd, "2026").contains(&"A1".to_string()));
}

/// Found by exploratory testing (round 73): `-o` naming the statements'
/// directory itself, a directory with a trailing slash, or a link into the
/// statements' directory; a phone number as a pending complaint's number.
#[test]
fn statements_refuse_every_report_path_that_would_meet_them() {
    let wd = workspace_with(None);
    let st = wd.path("st");
    let run = |out: &str| {
        wd.kefu(&[
            "bonus",
            "--quarter",
            "2026Q3",
            "--format",
            "csv",
            "--statements",
            st.to_str().unwrap(),
            "-o",
            out,
        ])
        .output()
        .unwrap()
    };
    let out = run(st.to_str().unwrap());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is the --statements directory"));
    for dir in ["nodir/", "nodir/."] {
        let out = run(&format!("{}/{dir}", wd.path("").display()));
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("it names a directory"));
    }
    assert!(!st.exists());
    std::fs::create_dir(&st).unwrap();
    std::os::unix::fs::symlink(st.join("A1.html"), wd.path("out.csv")).unwrap();
    let out = run(wd.path("out.csv").to_str().unwrap());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the --statements directory"));
    assert_eq!(std::fs::read_dir(&st).unwrap().count(), 0);

    import(
        &wd,
        "complaints",
        "p.csv",
        "投诉编号,投诉时间,客服工号,投诉内容,是否成立\n13822224444,2026-08-03 10:00,A1,态度差,待定\n",
    );
    let text = wd.stdout(&["bonus", "--quarter", "2026Q3", "--format", "md"]);
    assert!(text.contains("138\\*\\*\\*\\*4444"), "{text}");
    assert!(!text.contains("13822224444"), "{text}");
}

/// Found by exploratory testing (round 74): a late complaint of a closed
/// quarter naming no agent kefu could link was said by no output; a closed
/// quarter's note gave no day for its later changes.
#[test]
fn a_closed_quarter_says_its_records_charged_to_nobody() {
    let wd = workspace_with(None);
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    import(
        &wd,
        "complaints",
        "late.csv",
        "投诉编号,投诉时间,客服姓名,投诉内容,是否成立,责任认定\nLATE,2026-08-04 10:00,不存在的人,态度差,成立,个人\n",
    );
    for cmd in ["bonus", "points"] {
        let text = wd.stdout(&[cmd, "--quarter", "2026Q3", "--format", "md"]);
        assert!(
            text.contains("charged to nobody: complaint LATE (不存在的人, 2026-08-04)"),
            "{cmd}: {text}"
        );
        assert!(
            text.contains(
                "later changes appear as adjustments in the next open quarter, on 2026-10-01"
            ),
            "{cmd}: {text}"
        );
    }
}

/// Found by exploratory testing (round 89): closing a month after the year
/// (2027-01), which froze an appeal to September and an event found
/// unverified since, took their flags out of the open year 2026, whose
/// points still count what the appeal overturns (it is booked in 2027).
#[test]
fn closing_a_month_after_the_year_leaves_the_year_as_it_was() {
    let wd = workspace_with(None);
    let complaints = |c6: &str| {
        format!(
            "投诉编号,投诉时间,投诉内容,客服工号,责任认定,是否成立\n\
             C4,2026-09-03 10:00,a,A2,个人,成立\n\
             C5,2026-09-13 10:00,b,A2,个人,成立\n\
             C6,2026-09-23 10:00,c,A2,个人,{c6}\n"
        )
    };
    let events = |verified: &str| {
        format!(
            "编号,日期,工号,奖惩项目,次数,备注,关联单号,是否核实\nE1,2026-09-14,A1,严重违纪,1,x,,{verified}\n"
        )
    };
    let import = |kind: &str, source: &str, text: &str| {
        let f = wd.write(&format!("{source}.csv"), text);
        wd.kefu(&["import", "-q", kind, &f, "--source", source, "--strict"])
            .assert()
            .success();
    };
    import("complaints", "tousu", &complaints("成立"));
    import("events", "jc", &events("是"));
    wd.set_today("2026-10-05");
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    wd.set_today("2027-01-02");
    wd.kefu(&["bonus", "close", "2026Q4"]).assert().success();
    wd.set_today("2027-01-06");
    import("complaints", "tousu", &complaints("不成立"));
    import("events", "jc", &events("否"));
    wd.set_today("2027-02-17");
    let year = |wd: &Workdir| {
        let rows = bonus(wd, &["--year", "2026"]);
        ["A1", "A2"].map(|a| {
            let row = agent(&rows, a);
            (
                row["flags"].clone(),
                row["complaints_counted"].clone(),
                row["net_points"].clone(),
            )
        })
    };
    let before = year(&wd);
    assert_eq!(before[0].0, serde_json::json!(["dismissal:2026-09-14"]));
    assert_eq!(before[1].0, serde_json::json!(["dismissal-review:2026-09"]));
    assert_eq!(before[1].1, 3);
    wd.kefu(&["bonus", "close", "2027-01"]).assert().success();
    assert_eq!(year(&wd), before);
}

/// Found by exploratory testing (round 90): kefu.toml changed after a
/// quarter's close changed what the closed days show. With
/// `negative_bonus` switched on, a month inside the closed quarter paid
/// its negative net, which the quarter had paid as 0; with a rule renamed,
/// the frozen line lost its rule's name and the quarter was said to hold an
/// event that counts for nothing.
#[test]
fn kefu_toml_changed_after_a_close_changes_nothing_closed() {
    let wd = workspace_with(None);
    import(
        &wd,
        "events",
        "events.csv",
        "编号,日期,工号,奖惩项目,次数,备注,关联单号,是否核实\n\
         E1,2026-08-05,A1,不服从管理,3,,,\n\
         E2,2026-08-06,A1,书面表扬,1,,,\n",
    );
    let paid = |wd: &Workdir, args: &[&str]| agent(&bonus(wd, args), "A1")["bonus"].clone();
    let periods = [
        &["--month", "2026-08"][..],
        &["--from", "2026-08-01", "--to", "2026-10-31"],
        &["--quarter", "2026Q3"],
    ];
    assert!(agent(&bonus(&wd, periods[0]), "A1")["net_points"].as_i64() < Some(0));
    assert_eq!(paid(&wd, periods[0]), "0.00");
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    let before: Vec<Value> = periods.iter().map(|args| paid(&wd, args)).collect();
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    let renamed = toml
        .replace("negative_bonus = false", "negative_bonus = true")
        .replace("currency = \"CNY\"", "currency = \"USD\"")
        .replace(
            "id = \"praise-letter\"\nname = \"书面表扬\"",
            "id = \"praise\"\nname = \"表扬信\"",
        );
    assert!(renamed.contains("negative_bonus = true") && renamed.contains("id = \"praise\""));
    std::fs::write(wd.path("kefu.toml"), renamed).unwrap();
    let after: Vec<Value> = periods.iter().map(|args| paid(&wd, args)).collect();
    assert_eq!(after, before);
    assert_eq!(after[0], "0.00");
    // Its money in the currency it was paid in.
    let out = wd
        .kefu(&["bonus", "--quarter", "2026Q3", "--format", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("CNY") && !err.contains("USD"), "{err}");
    let out = wd
        .kefu(&["points", "--quarter", "2026Q3", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.lines().any(|l| l.contains("praise-letter,书面表扬,")),
        "{csv}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("count for nothing"), "{err}");
}

/// Found by exploratory testing (round 90): a re-hire into another
/// department was said to count "from today", where it counts (and the
/// ledger charges) from the day they rejoined.
#[test]
fn a_rehire_moved_is_said_to_count_from_the_day_they_rejoined() {
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "roster.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\n\
         R1,返聘,售前组,L1,2020-01-01,2026-07-31\n\
         L1,组长一,售前组,,2020-01-01,\n\
         L2,组长二,接单组,,2020-01-01,\n",
    );
    let f = wd.write(
        "rehire.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\nR1,返聘,接单组,L2,2026-09-01,\n",
    );
    let out = wd.kefu(&["import", "agents", &f]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("(first: R1 from 2026-09-01)"), "{err}");
    assert!(!err.contains("counts from today"), "{err}");
}

/// Found by exploratory testing (round 90): a group leader who had left
/// was still charged joint liability for the team's events after, as the
/// roster still named them. Nobody is charged then, and the event is
/// flagged, as for an agent with no leader.
#[test]
fn a_leader_who_has_left_is_not_charged_for_the_team() {
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "roster.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\n\
         L1,组长一,售前组,,2020-01-01,2026-08-31\n\
         A1,甲,售前组,L1,2020-01-01,\n",
    );
    import(
        &wd,
        "events",
        "events.csv",
        "编号,日期,工号,奖惩项目,次数,备注,关联单号,是否核实\n\
         E1,2026-08-20,A1,电脑或灯未关,1,,,\n\
         E2,2026-09-05,A1,电脑或灯未关,1,,,\n",
    );
    let lines = ledger(&wd, &["--quarter", "2026Q3"]);
    let leader: Vec<&Value> = lines
        .iter()
        .filter(|l| l["agent_id"] == "L1" && l["rule_id"] == "equipment-left-on")
        .collect();
    assert_eq!(leader.len(), 1, "{leader:?}");
    assert_eq!(leader[0]["date"], "2026-08-20");
    let rows = bonus(&wd, &["--quarter", "2026Q3"]);
    let flags = agent(&rows, "A1")["flags"].to_string();
    assert!(flags.contains("no-leader-for:"), "{flags}");
    assert!(flags.contains("2026-09-05"), "{flags}");
}

/// Found by exploratory testing (round 91): who is nominated read the
/// closed days under kefu.toml's rules of today: a threshold lowered after
/// the close barred an agent the closed quarter had not flagged (and a
/// threshold raised freed a flagged one).
#[test]
fn nominations_read_closed_days_under_the_rules_they_were_closed_with() {
    let wd = Workdir::new();
    import(
        &wd,
        "agents",
        "roster.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\n\
         A1,甲一,查询部,,2025-01-01,\n\
         A2,乙二,查询部,,2025-01-01,\n",
    );
    import(
        &wd,
        "complaints",
        "complaints.csv",
        "投诉编号,投诉时间,投诉内容,客服工号,责任认定,是否成立\nC1,2026-08-12 09:12,态度差,A2,个人,成立\n",
    );
    wd.set_today("2026-10-05");
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    assert_eq!(nominated(&wd, "2026"), ["A1", "A2"]);
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    assert!(toml.contains("\ncomplaints = 3"));
    std::fs::write(
        wd.path("kefu.toml"),
        toml.replace("\ncomplaints = 3", "\ncomplaints = 1"),
    )
    .unwrap();
    assert_eq!(nominated(&wd, "2026"), ["A1", "A2"]);
    // A complaint on an open day is read under today's rules.
    import(
        &wd,
        "complaints",
        "complaints2.csv",
        "投诉编号,投诉时间,投诉内容,客服工号,责任认定,是否成立\nC2,2026-10-02 09:12,态度差,A1,个人,成立\n",
    );
    assert_eq!(nominated(&wd, "2026"), ["A2"]);
}

/// Found by exploratory testing (round 93): `-o` into a missing directory
/// is refused before anything is computed or said (bonus printed the total
/// payout and its notes first), with `--statements` or without.
#[test]
fn an_output_that_cannot_be_written_is_refused_before_any_work() {
    let wd = workspace_with(None);
    for args in [
        &["points", "--month", "2026-11"][..],
        &["bonus", "--quarter", "2026Q3"],
        &["bonus", "--quarter", "2026Q3", "--statements", "st"],
        &["bonus", "nominations", "--year", "2026"],
    ] {
        let mut a = args.to_vec();
        a.extend(["-o", "nope/x.csv"]);
        let out = wd.kefu(&a).current_dir(wd.path("")).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(
            err.trim(),
            "kefu: cannot write nope/x.csv: there is no directory nope",
            "{args:?}"
        );
    }
    assert!(!wd.path("st").exists());
}

/// DOMAIN.md §2 lists complaints by a customer, a salesperson and a sister
/// company together, and "3 or more complaints in one month" means a
/// dismissal review: an event of a rule with `complaint = true` (scheme A's
/// internal-complaint) counts with the feedback complaints (found by
/// exploratory testing: it was charged its point and counted nowhere else).
#[test]
fn a_salesperson_complaint_counts_as_a_complaint_everywhere() {
    let wd = workspace_with(None);
    wd.set_today("2027-01-05");
    import(
        &wd,
        "complaints",
        "c.csv",
        "投诉编号,投诉时间,投诉内容,客服工号,是否成立,责任认定\n\
         C1,2026-08-02 10:00,态度差,A1,成立,个人\n\
         C2,2026-08-03 10:00,挂电话,A1,成立,个人\n",
    );
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目,次数,是否核实\n\
         I1,2026-08-06,A1,业务员或兄弟公司投诉（成立）,1,是\n\
         I2,2026-09-11,A1,业务员或兄弟公司投诉（成立）,1,是\n\
         I3,2026-07-15,A2,业务员或兄弟公司投诉（成立）,1,是\n\
         I4,2026-07-16,A2,业务员或兄弟公司投诉（成立）,1,否\n",
    );
    let a1 = agent(&bonus(&wd, &["--quarter", "2026Q3"]), "A1").clone();
    assert_eq!(a1["flags"], serde_json::json!(["dismissal-review:2026-08"]));
    assert_eq!(a1["complaints_counted"], 4, "{a1}");
    let lines = ledger(&wd, &["--quarter", "2026Q3", "--agent", "A1"]);
    let sources: Vec<&str> = lines
        .iter()
        .map(|l| l["source"].as_str().unwrap())
        .collect();
    // No zero-complaint point for September, the month of I2.
    assert!(
        !sources
            .iter()
            .any(|s| s.contains("zero complaints in 2026-09")),
        "{sources:?}"
    );
    assert!(
        sources.contains(&"event e/I2 (2026-09-11), counted as a complaint"),
        "{sources:?}"
    );
    // A2's only complaint of the year was a salesperson's: no
    // zero-complaints nomination; the unverified I4 counts for nothing.
    let a2 = agent(&bonus(&wd, &["--quarter", "2026Q3"]), "A2").clone();
    assert_eq!(a2["complaints_counted"], 1, "{a2}");
    let reasons = |id: &str| nomination_reasons(&wd, "2026", id);
    assert!(!reasons("A2").contains("zero-complaints"));
    assert!(reasons("L1").contains("zero-complaints"));
    // Closed, the quarter keeps counting it: the year read after the close
    // still bars A2, and a later appeal (I3 found unverified) is an
    // adjustment that takes the complaint out again.
    wd.kefu(&["bonus", "close", "2026Q3"]).assert().success();
    assert!(!reasons("A2").contains("zero-complaints"));
    let frozen = agent(&bonus(&wd, &["--quarter", "2026Q3"]), "A1").clone();
    assert_eq!(frozen["complaints_counted"], 4, "{frozen}");
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目,次数,是否核实\n\
         I1,2026-08-06,A1,业务员或兄弟公司投诉（成立）,1,是\n\
         I2,2026-09-11,A1,业务员或兄弟公司投诉（成立）,1,是\n\
         I3,2026-07-15,A2,业务员或兄弟公司投诉（成立）,1,否\n\
         I4,2026-07-16,A2,业务员或兄弟公司投诉（成立）,1,否\n",
    );
    let q4 = agent(&bonus(&wd, &["--quarter", "2026Q4"]), "A2").clone();
    assert_eq!(q4["complaints_counted"], -1, "{q4}");
    assert!(reasons("A2").contains("zero-complaints"));
}

/// A rulebook written before `complaint` existed: a rule whose name says
/// 投诉 is not counted as a complaint, and `points` says so.
#[test]
fn a_complaint_rule_that_does_not_say_whether_it_counts_is_noted() {
    let wd = workspace_with(None);
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    let old = toml.replace("complaint = true ", "");
    assert_ne!(old, toml);
    std::fs::write(wd.path("kefu.toml"), old).unwrap();
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目,次数\nI1,2026-08-06,A1,业务员或兄弟公司投诉（成立）,1\n",
    );
    wd.kefu(&["points", "--quarter", "2026Q3", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 recorded event(s) in the period are of rules whose name says complaint (投诉) but which do not say whether they count as complaints",
        ))
        .stderr(predicate::str::contains("internal-complaint (1)"));
}

/// 抽查发现问题主管未发现: −5 to the supervisor (部门主管), not the group
/// leader, where the roster has both levels; the leader of a roster of one
/// level is its supervisor.
#[test]
fn the_spot_check_penalty_goes_to_the_top_of_the_chain_of_leaders() {
    let wd = Workdir::new();
    let roster = wd.write(
        "roster.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\n\
         S1,主管,处理件部门,,2018-01-01,\n\
         L1,组长,处理件部门,S1,2020-01-01,\n\
         A1,王一,处理件部门,L1,2023-01-01,\n",
    );
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目,次数\nS1,2026-07-10,A1,抽查发现问题主管未发现,3\nE1,2026-07-11,A1,电脑或灯未关,1\n",
    );
    let charged = |agent: &str| -> Vec<(String, i64)> {
        ledger(&wd, &["--quarter", "2026Q3", "--agent", agent])
            .iter()
            .filter(|l| l["rule_id"] != "zero-complaints")
            .map(|l| {
                (
                    l["rule_id"].as_str().unwrap().to_string(),
                    l["points"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(charged("S1"), [("spot-check-missed".to_string(), -5)]);
    // The group leader bears the lights left on, as before.
    assert_eq!(charged("L1"), [("equipment-left-on".to_string(), -2)]);
}

/// `ties = "none"`: nobody gets a tied month's point, and each tied
/// agent's ledger says so (found by exploratory testing: not a word).
#[test]
fn a_tie_nobody_wins_is_on_the_tied_agents_ledgers() {
    let wd = workspace_with(None);
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    std::fs::write(
        wd.path("kefu.toml"),
        toml.replace(
            "ties = \"all\"                # top",
            "ties = \"none\"               # top",
        ),
    )
    .unwrap();
    import(
        &wd,
        "activity",
        "act.csv",
        "月份,工号,指标,数值\n2026-07,A1,queries,500\n2026-07,A2,queries,500\n",
    );
    let lines = ledger(&wd, &["--quarter", "2026Q3", "--agent", "A1"]);
    let top: Vec<(&str, i64)> = lines
        .iter()
        .filter(|l| l["rule_id"] == "top-queries")
        .map(|l| (l["source"].as_str().unwrap(), l["points"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        top,
        [(
            "top queries (500) in 2026-07 in 查询部, tied with A2: ties = \"none\", nobody gets the points",
            0
        )]
    );
}

/// `liable = "supervisor"` climbs past a group leader who has left to the
/// supervisor still employed; a chain of leaders that loops charges nobody
/// and says so; `complaint = true` on a reward is refused (found by
/// exploratory testing).
#[test]
fn the_chain_of_leaders_past_a_leaver_and_round_a_loop() {
    let wd = Workdir::new();
    let roster = wd.write(
        "roster.csv",
        "工号,客服姓名,部门,组长工号,入职日期,离职日期\n\
         S2,主管,处理件部门,,2018-01-01,\n\
         L2,组长,处理件部门,S2,2020-01-01,2026-07-31\n\
         D1,王一,处理件部门,L2,2023-01-01,\n\
         B2,甲,处理件部门,B3,2023-01-01,\n\
         B3,乙,处理件部门,B2,2023-01-01,\n",
    );
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    import(
        &wd,
        "events",
        "e.csv",
        "编号,日期,工号,奖惩项目,次数\nS1,2026-08-10,D1,抽查发现问题主管未发现,3\nS2,2026-08-11,B2,抽查发现问题主管未发现,3\n",
    );
    let lines = ledger(&wd, &["--quarter", "2026Q3"]);
    let charged: Vec<(&str, i64)> = lines
        .iter()
        .filter(|l| l["rule_id"] == "spot-check-missed" && l["points"] != 0)
        .map(|l| {
            (
                l["agent_id"].as_str().unwrap(),
                l["points"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(charged, [("S2", -5)]);
    wd.kefu(&["points", "--quarter", "2026Q3", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "a chain of leaders that loops back",
        ))
        .stderr(predicate::str::contains(
            "B2 (spot-check-missed:2026-08-11)",
        ));
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    let reward = toml.replace(
        "name = \"书面表扬\"\npoints = 2 ",
        "name = \"书面表扬\"\ncomplaint = true\npoints = 2 ",
    );
    assert_ne!(reward, toml);
    std::fs::write(wd.path("kefu.toml"), reward).unwrap();
    wd.kefu(&["points", "--quarter", "2026Q3"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "complaint = true on a rule that gives points (a reward)",
        ));
}
