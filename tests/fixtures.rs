//! The bundled fixtures (`fixtures/`): realistic exports written for this
//! project, imported by the real binary. Expected numbers are those stated in
//! fixtures/README.md and fixtures/bad/README.md.

mod common;

use common::{counts, fixture, Workdir};
use predicates::prelude::*;

fn import(wd: &Workdir, kind: &str, files: &[&str]) -> serde_json::Value {
    let mut args = vec!["import", kind, "--format", "json"];
    let paths: Vec<String> = files.iter().map(|f| fixture(f)).collect();
    args.extend(paths.iter().map(String::as_str));
    wd.json(&args)
}

#[test]
fn every_realistic_export_imports_without_a_reject() {
    let wd = Workdir::new();
    assert_eq!(
        counts(&import(&wd, "agents", &["agents.csv"])),
        (11, 11, 0, 0, 0)
    );
    let v = import(
        &wd,
        "reviews",
        &[
            "taobao_reviews_gbk.csv",
            "jd_reviews.xlsx",
            "internal_reviews.json",
            "douyin_reviews_utf16.tsv",
            "reviews_semicolon_bom.csv",
        ],
    );
    assert_eq!(counts(&v), (113, 113, 0, 0, 0));
    let per_file: Vec<u64> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["new"].as_u64().unwrap())
        .collect();
    assert_eq!(per_file, [40, 25, 30, 10, 8]);
    assert_eq!(
        counts(&import(&wd, "complaints", &["complaints.jsonl"])),
        (25, 25, 0, 0, 0)
    );
    // Taobao names only the agent's name: linked to the roster id.
    assert_eq!(wd.count("SELECT count(*) FROM feedback WHERE source = 'taobao_reviews_gbk' AND agent_name IS NOT NULL AND agent_id IS NULL"), 0);
    // 14 差评 of 40 in the Taobao export.
    assert_eq!(wd.count("SELECT count(*) FROM feedback WHERE source = 'taobao_reviews_gbk' AND polarity = 'negative'"), 14);
    // JD's Excel date cells became instants, and 19-digit ids stayed text.
    assert_eq!(
        wd.count("SELECT count(*) FROM feedback WHERE source = 'jd_reviews' AND created_at > 0"),
        25
    );
    // The 17:30Z review of the internal export is on 2026-11-20 in Shanghai.
    let days = wd.sql("SELECT local_day FROM feedback WHERE source = 'internal_reviews' AND created_at = 1795109400");
    assert_eq!(
        kefu::dates::date_of_day(days[0][0].parse().unwrap()).to_string(),
        "2026-11-20"
    );
    // Importing everything again adds nothing.
    let again = import(
        &wd,
        "reviews",
        &[
            "taobao_reviews_gbk.csv",
            "jd_reviews.xlsx",
            "internal_reviews.json",
        ],
    );
    assert_eq!(counts(&again), (95, 0, 0, 95, 0));
}

#[test]
fn complaints_carry_validity_and_responsibility() {
    let wd = Workdir::new();
    import(&wd, "agents", &["agents.csv"]);
    import(&wd, "complaints", &["complaints.jsonl"]);
    // KF003 has 3 confirmed individual complaints in 2026-08 (fixtures/README.md).
    let n = wd.count(
        "SELECT count(*) FROM feedback WHERE agent_id = 'KF003' AND validity = 'confirmed' AND responsibility = 'individual'
         AND local_day BETWEEN 20666 AND 20696",
    );
    assert_eq!(n, 3);
    assert_eq!(
        wd.count(
            "SELECT count(*) FROM feedback WHERE agent_id = 'KF007' AND validity = 'rejected'"
        ),
        1
    );
}

#[test]
fn the_bad_rows_file_rejects_exactly_the_documented_lines() {
    let wd = Workdir::new();
    let rejects = wd.path("rejects.csv");
    let v = wd.json(&[
        "import",
        "reviews",
        &fixture("bad/reviews_bad_rows.csv"),
        "--rejects",
        rejects.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(counts(&v), (12, 7, 0, 0, 5));
    let mut r = csv::Reader::from_path(&rejects).unwrap();
    let lines: Vec<String> = r.records().map(|x| x.unwrap()[1].to_string()).collect();
    assert_eq!(lines, ["4", "7", "9", "11", "13"]);
}

#[test]
fn bad_files_are_clear_errors() {
    let wd = Workdir::new();
    for (file, message) in [
        ("bad/not_json.json", "not JSON"),
        ("bad/empty.csv", "the file is empty"),
        ("bad/binary.csv", "binary content"),
        ("bad/unknown_columns.csv", "no column matches a known field"),
    ] {
        wd.kefu(&["import", "reviews", &fixture(file)])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message).and(predicate::str::contains(file)));
    }
    wd.kefu(&[
        "import",
        "reviews",
        &fixture("bad/gbk_mislabeled.csv"),
        "--encoding",
        "utf-8",
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("--encoding gbk"));
    // Detected, the same file imports.
    let v = wd.json(&[
        "import",
        "reviews",
        &fixture("bad/gbk_mislabeled.csv"),
        "--format",
        "json",
    ]);
    assert_eq!(counts(&v).4, 0);
}

#[test]
fn the_daily_report_on_the_fixtures() {
    let wd = Workdir::new();
    import(&wd, "agents", &["agents.csv"]);
    import(
        &wd,
        "reviews",
        &[
            "taobao_reviews_gbk.csv",
            "jd_reviews.xlsx",
            "internal_reviews.json",
            "douyin_reviews_utf16.tsv",
        ],
    );
    import(&wd, "complaints", &["complaints.jsonl"]);
    let v = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "json",
    ]);
    let total = v["total"].as_i64().unwrap();
    assert!(total > 0);
    let by_cause: i64 = v["by_cause"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_i64().unwrap())
        .sum();
    assert_eq!(by_cause, total);
    assert_eq!(v["items"].as_array().unwrap().len() as i64, total);
    let expected =
        wd.count("SELECT count(*) FROM feedback WHERE polarity = 'negative' AND local_day = 20777");
    assert_eq!(total, expected);
}

#[test]
fn a_traditional_chinese_big5_export_reads_like_a_simplified_one() {
    let wd = Workdir::new();
    import(&wd, "agents", &["agents.csv"]);
    let file = fixture("shopee_tw_reviews_big5.csv");
    let out = wd
        .kefu(&["import", "reviews", &file, "--format", "json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("read as Big5"));
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(counts(&v), (10, 10, 0, 0, 0));
    let source = "source = 'shopee_tw_reviews_big5'";
    // 評價等級 好評/普通/負評: 4 positive, 1 neutral, 5 negative.
    assert_eq!(
        wd.sql(&format!(
            "SELECT polarity, count(*) FROM feedback WHERE {source} GROUP BY polarity ORDER BY polarity"
        )),
        [["negative", "5"], ["neutral", "1"], ["positive", "4"]]
    );
    // Names in Traditional script linked to the roster's Simplified ones.
    assert_eq!(
        wd.sql(&format!(
            "SELECT agent_name, agent_id FROM feedback WHERE {source} AND ext_id = 'TW2611190001'"
        )),
        [["張偉", "KF003"]]
    );
    assert_eq!(
        wd.count(&format!(
            "SELECT count(*) FROM feedback WHERE {source} AND agent_id IS NULL"
        )),
        0
    );
    // 差評原因 in Traditional labels; the text kept as written.
    assert_eq!(
        wd.sql(&format!(
            "SELECT declared_cause FROM feedback WHERE {source} AND declared_cause IS NOT NULL ORDER BY ext_id"
        )),
        [["attitude"], ["response"], ["resolution"]]
    );
    assert_eq!(
        wd.sql(&format!(
            "SELECT content, customer FROM feedback WHERE {source} AND ext_id = 'TW2611190003'"
        )),
        [["等了兩天客服才回訊息，問題到現在還沒處理", "ayu0913"]]
    );
    // Classified in stream mode too, written out as UTF-8.
    let out = wd
        .kefu(&["classify", &file, "--column", "評價內容"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("評價編號,"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("TW2611190001,") && l.contains(",attitude,服务态度,")),
        "{text}"
    );
}
