//! `kefu report`: numbers checked against an independent computation, golden
//! files for every report in every text format, spreadsheet safety, masking.

mod common;

use std::collections::BTreeMap;

use common::Workdir;
use predicates::prelude::*;

/// (id, time, rating, text, agent, channel, phone)
const ROWS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "T01",
        "2026-11-19 09:00",
        "差评",
        "回复太慢了",
        "KF001",
        "淘宝",
        "13800000001",
    ),
    (
        "T02",
        "2026-11-19T17:30:00Z",
        "差评",
        "客服态度很差，还挂我电话",
        "KF001",
        "淘宝",
        "13800000002",
    ),
    (
        "T03",
        "2026-11-20 08:15",
        "1",
        "一问三不知，完全不专业",
        "KF002",
        "京东",
        "13800000003",
    ),
    (
        "T04",
        "2026-11-20 10:40",
        "差评",
        "问题到现在都没解决",
        "KF003",
        "京东",
        "",
    ),
    (
        "T05",
        "2026-11-20 14:05",
        "好评",
        "很满意",
        "KF002",
        "淘宝",
        "",
    ),
    (
        "T06",
        "2026-11-20 21:59",
        "2星",
        "=HYPERLINK(\"http://x\") 态度恶劣",
        "KF001",
        "抖音",
        "13800000006",
    ),
    (
        "T07",
        "2026-11-20 23:30",
        "中评",
        "一般般",
        "KF003",
        "抖音",
        "",
    ),
    (
        "T08",
        "2026-11-14 09:00",
        "差评",
        "等了半天没人回复",
        "KF002",
        "淘宝",
        "",
    ),
    (
        "T09",
        "2026-11-18 12:00",
        "差评",
        "退款一直没到账，说好的三天",
        "KF003",
        "京东",
        "",
    ),
    (
        "T10",
        "2026-10-20 12:00",
        "差评",
        "客服态度差",
        "KF001",
        "淘宝",
        "",
    ),
    (
        "T11",
        "2026-10-21 12:00",
        "差评",
        "客服态度差，爱答不理",
        "KF002",
        "淘宝",
        "",
    ),
];

const ROSTER: &str =
    "工号,客服姓名,部门\nKF001,王芳,售前组\nKF002,李娜,售前组\nKF003,张伟,售后一组\n";
const COMPLAINTS: &str =
    "投诉编号,投诉时间,投诉内容,客服工号,来源\nC1,2026-11-20 16:00,客服说话难听,KF003,电话\n";

fn workspace() -> Workdir {
    let wd = Workdir::new();
    let mut csv = String::from("评价ID,评价时间,评价等级,评价内容,客服工号,渠道,手机号\n");
    for (id, t, r, text, agent, ch, phone) in ROWS {
        csv.push_str(&format!(
            "{id},{t},{r},\"{}\",{agent},{ch},{phone}\n",
            text.replace('"', "\"\"")
        ));
    }
    let r = wd.write("reviews.csv", csv);
    let a = wd.write("agents.csv", ROSTER);
    let c = wd.write("complaints.csv", COMPLAINTS);
    wd.kefu(&["import", "-q", "agents", &a]).assert().success();
    wd.kefu(&["import", "-q", "reviews", &r]).assert().success();
    wd.kefu(&["import", "-q", "complaints", &c])
        .assert()
        .success();
    wd
}

/// The local (Asia/Shanghai) date of a row's time, computed without kefu.
fn local_date(t: &str) -> String {
    if let Some(utc) = t.strip_suffix('Z') {
        let dt = chrono::NaiveDateTime::parse_from_str(utc, "%Y-%m-%dT%H:%M:%S").unwrap()
            + chrono::Duration::hours(8);
        dt.format("%Y-%m-%d").to_string()
    } else {
        t[..10].to_string()
    }
}

fn negative(r: &str) -> bool {
    matches!(r, "差评" | "1" | "2星")
}

#[test]
fn daily_json_matches_an_independent_count() {
    let wd = workspace();
    let v = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "json",
    ]);
    let day: Vec<_> = ROWS
        .iter()
        .filter(|r| local_date(r.1) == "2026-11-20")
        .collect();
    let negatives: Vec<_> = day.iter().filter(|r| negative(r.2)).collect();
    // + the complaint C1 on 2026-11-20.
    assert_eq!(v["date"], "2026-11-20");
    assert_eq!(v["total"], negatives.len() as i64 + 1);
    assert_eq!(v["reviews"], day.len() as i64);
    let rate = v["negative_rate"].as_f64().unwrap();
    assert!((rate - negatives.len() as f64 / day.len() as f64).abs() < 1e-6);
    let mut channels: BTreeMap<&str, i64> = BTreeMap::new();
    for r in &negatives {
        *channels.entry(r.5).or_default() += 1;
    }
    *channels.entry("电话").or_default() += 1;
    for (ch, n) in &channels {
        assert_eq!(v["by_channel"][ch], *n, "channel {ch}");
    }
    // T02 (17:30Z on the 19th) is on the 20th in Shanghai.
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"T02"), "{ids:?}");
    assert!(!ids.contains(&"T01"));
    // by_agent joins the roster; by_department too.
    let agents = v["by_agent"].as_array().unwrap();
    let kf001 = agents.iter().find(|a| a["agent_id"] == "KF001").unwrap();
    assert_eq!(kf001["agent_name"], "王芳");
    assert_eq!(kf001["department"], "售前组");
    assert_eq!(kf001["count"], 2); // T02, T06
    assert_eq!(v["by_department"]["售后一组"], 2); // T04, C1
    let by_cause: i64 = v["by_cause"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_i64().unwrap())
        .sum();
    assert_eq!(by_cause, v["total"].as_i64().unwrap());
    assert_eq!(v["by_cause"]["attitude"], 3); // T02, T06, C1
                                              // Previous day and 7-day average: 19th has T01 only (T02 moved to the 20th); T08 (14th), T09 (18th).
    assert_eq!(v["previous_day"], 1);
    // 3 / 7: to 6 decimals in JSON (0.4 in text formats, 0.428571… in xlsx).
    assert_eq!(v["seven_day_average"], 0.428571);
    // The day against it: total − 3/7.
    let total = v["total"].as_f64().unwrap();
    let vs = v["change_vs_average"].as_f64().unwrap();
    assert!((vs - (total - 3.0 / 7.0)).abs() < 1e-6, "{v}");
}

#[test]
fn the_negative_rate_follows_the_filters() {
    let wd = workspace();
    let all = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "json",
    ]);
    assert_eq!(all["reviews"], 6);
    // Complaints only: a share of reviews does not apply (was 0.67 beside
    // a complaint count, from the reviews the filter left out).
    let complaints = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--kind",
        "complaint",
        "--format",
        "json",
    ]);
    assert_eq!(complaints["reviews"], serde_json::Value::Null);
    assert_eq!(complaints["negative_rate"], serde_json::Value::Null);
    let table = wd
        .kefu(&[
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--kind",
            "complaint",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("does not apply to complaints"));
    // One cause: the share of reviews negative for that cause.
    let attitude = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--cause",
        "attitude",
        "--format",
        "json",
    ]);
    let negative_reviews = attitude["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "review")
        .count() as f64;
    assert!(negative_reviews > 0.0);
    let expected = (negative_reviews / 6.0 * 1e6).round() / 1e6;
    assert_eq!(attitude["negative_rate"], expected);
    let trend = wd.json(&[
        "report",
        "trend",
        "--from",
        "2026-11-14",
        "--to",
        "2026-11-20",
        "--kind",
        "complaint",
        "--format",
        "json",
    ]);
    assert!(trend["periods"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["negative_rate"].is_null()));
}

#[test]
fn agent_filter_takes_a_padded_name_and_refuses_a_shared_one() {
    let wd = workspace();
    let by_id = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--agent",
        "KF001",
        "--format",
        "json",
    ]);
    assert!(by_id["total"].as_i64().unwrap() > 0);
    // The roster's 王芳 typed with a full-width space, as HR pads names.
    let padded = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--agent",
        "王　芳",
        "--format",
        "json",
    ]);
    assert_eq!(padded["total"], by_id["total"]);
    let roster = wd.write("more.csv", "工号,客服姓名,部门\nKF009,王芳,售后一组\n");
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    wd.kefu(&["report", "daily", "--date", "2026-11-20", "--agent", "王芳"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("KF001, KF009"));
}

#[test]
fn masking_by_default_and_no_mask_warns() {
    let wd = workspace();
    let v = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "json",
    ]);
    let phones: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["customer_phone"].as_str())
        .collect();
    assert!(phones.contains(&"138****0006"), "{phones:?}");
    assert!(!v.to_string().contains("13800000006"));
    wd.kefu(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "json",
        "--no-mask",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("13800000006"))
    .stderr(predicate::str::contains("NOT masked"));
}

/// Found by exploratory testing (round 97): an agent known by name only
/// had "" for an id in daily's by_agent (null in its items) and a bar
/// without a label in compare's HTML chart.
#[test]
fn an_agent_known_by_name_only_has_no_id_and_a_labelled_bar() {
    let wd = Workdir::new();
    let f = wd.write(
        "n.csv",
        "评价ID,评价时间,客服,评价等级,评价内容\n1,2026-11-20 10:00,王芳,差评,态度差\n",
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let v = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "json",
    ]);
    assert_eq!(v["by_agent"][0]["agent_id"], serde_json::Value::Null, "{v}");
    assert_eq!(v["by_agent"][0]["agent_name"], "王芳", "{v}");
    let out = wd
        .kefu(&[
            "report", "compare", "--by", "agent", "--period", "2026-11", "--format", "html",
        ])
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains(r#"text-anchor="end">王芳</text>"#), "{html}");
}

/// Found by exploratory testing (round 97): a number typed with runs of
/// stars that hide nothing (138***1234***5678) was shown whole in excerpts
/// and on stderr, one written with Word's non-breaking hyphen too, and a
/// register keyed by the customer's phone showed it whole as the id.
#[test]
fn stars_that_hide_nothing_and_phone_ids_are_masked() {
    let wd = Workdir::new();
    let reviews = wd.write(
        "reviews.csv",
        "评价ID,评价时间,评价等级,评价内容,客服工号,渠道\n\
         13812345678,2026-11-20 10:00,差评,手机138***1234***5678没人回,KF001,淘宝\n\
         R2,2026-11-20 11:00,差评,电话010***87654321或138\u{2011}1234\u{2011}9999,KF001,淘宝\n\
         R3,2026-11-20 12:00,手机138***1234***5678,慢,KF001,淘宝\n",
    );
    // The bad rating quoted on stderr (a dry run lists rejected rows).
    let out = wd
        .kefu(&["import", "reviews", &reviews, "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("138****5678"), "{err}");
    wd.kefu(&["import", "-q", "reviews", &reviews])
        .assert()
        .success();
    assert!(!err.contains("1234***5678"), "{err}");
    for format in ["json", "csv", "md"] {
        let out = wd
            .kefu(&[
                "report",
                "daily",
                "--date",
                "2026-11-20",
                "--section",
                "items",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).unwrap().replace(r"\*", "*");
        assert!(text.contains("手机138****5678没人回"), "{format}: {text}");
        assert!(
            text.contains("电话010-****4321或138****9999"),
            "{format}: {text}"
        );
        for whole in ["1234***5678", "87654321", "13812345678", "1234\u{2011}9999"] {
            assert!(!text.contains(whole), "{format}: {whole} in {text}");
        }
    }
}

/// Regression (exploratory testing): a phone number in full-width digits, as
/// Chinese keyboards type it, or in a landline's bracketed area code, was
/// shown whole in a review's excerpt.
#[test]
fn phones_in_review_texts_are_masked_however_written() {
    let wd = Workdir::new();
    let reviews = wd.write(
        "reviews.csv",
        "评价ID,评价时间,评价等级,评价内容,客服工号,渠道,手机号\n\
         R1,2026-11-20 10:00,差评,电话 １３８１２３４５６７８ 一直没人接,KF001,淘宝,+8613712345678\n\
         R2,2026-11-20 11:00,差评,打（0755）12345678找我，订单287654321001123456,KF001,淘宝,0755-12345678\n",
    );
    wd.kefu(&["import", "-q", "reviews", &reviews])
        .assert()
        .success();
    let daily = |format: &str, mask: bool| {
        let mut args = vec!["report", "daily", "--date", "2026-11-20"];
        args.extend_from_slice(&["--section", "items", "--format", format]);
        if !mask {
            args.push("--no-mask");
        }
        let out = wd.kefu(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let v: serde_json::Value = serde_json::from_str(&daily("json", true)).unwrap();
    let item = |id: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {v}"))
            .clone()
    };
    assert_eq!(item("R1")["excerpt"], "电话 138****5678 一直没人接");
    assert_eq!(item("R1")["customer_phone"], "+86137****5678");
    assert_eq!(
        item("R2")["excerpt"],
        "打（0755）****5678找我，订单287654321001123456"
    );
    assert_eq!(item("R2")["customer_phone"], "0755-****5678");
    for format in ["csv", "jsonl", "md", "html"] {
        // Markdown escapes the stars (a masked phone is no emphasis).
        let out = daily(format, true).replace(r"\*", "*");
        assert!(
            out.contains("电话 138****5678 一直没人接"),
            "{format}: {out}"
        );
        assert!(out.contains("（0755）****5678找我"), "{format}: {out}");
        assert!(!out.contains("１３８１２３４５６７８"), "{format}: {out}");
        assert!(!out.contains("12345678找我"), "{format}: {out}");
    }
    let csv = daily("csv", false);
    assert!(
        csv.contains("电话 １３８１２３４５６７８ 一直没人接"),
        "{csv}"
    );
    assert!(csv.contains("（0755）12345678找我"), "{csv}");
    assert!(daily("json", false).contains("+8613712345678"));
}

#[test]
fn a_quiet_day_says_so_and_exits_0() {
    let wd = workspace();
    // A day with reviews, none negative.
    let good = wd.write(
        "good.csv",
        "评价ID,评价时间,评价等级,评价内容\nG1,2026-11-01 10:00,好评,很好\n",
    );
    wd.kefu(&["import", "-q", "reviews", &good])
        .assert()
        .success();
    wd.kefu(&["report", "daily", "--date", "2026-11-01"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "no negative feedback on 2026-11-01",
        ));
    let v = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-01",
        "--format",
        "json",
    ]);
    assert_eq!(v["total"], 0);
    assert_eq!(v["items"].as_array().unwrap().len(), 0);
}

/// Found by exploratory testing: a day nothing was imported for (an
/// export missing) was reported as 当日无差评, and the first week after
/// going live compared each day with an average of days before any data.
#[test]
fn days_without_data_are_not_quiet_days_and_the_average_covers_stored_days() {
    let wd = Workdir::new();
    let csv = wd.write(
        "r.csv",
        "评价ID,评价时间,评价等级,评价内容\n\
         A,2026-11-10 10:00,差评,回复太慢\n\
         B,2026-11-11 10:00,差评,态度差\n\
         C,2026-11-11 11:00,差评,没解决\n\
         D,2026-11-12 10:00,差评,没解决\n\
         E,2026-11-12 11:00,差评,没解决\n\
         F,2026-11-12 12:00,差评,没解决\n\
         G,2026-11-14 12:00,差评,没解决\n\
         P1,2026-11-10 15:00,好评,好\n\
         P2,2026-11-11 15:00,好评,好\n\
         P3,2026-11-12 15:00,好评,好\n\
         P4,2026-11-14 15:00,好评,好\n\
         P5,2026-11-18 15:00,好评,好\n",
    );
    wd.kefu(&["import", "-q", "reviews", &csv])
        .assert()
        .success();
    // Fed 差评-only exports, a day with nothing is a quiet day (round 103).
    let only_negative = Workdir::new();
    let f = only_negative.write(
        "c.csv",
        "评价ID,评价时间,评价等级,评价内容\nA,2026-11-10 10:00,差评,慢\nB,2026-11-12 10:00,差评,慢\n",
    );
    only_negative
        .kefu(&["import", "-q", "reviews", &f])
        .assert()
        .success();
    let out = only_negative
        .kefu(&[
            "report",
            "daily",
            "--date",
            "2026-11-11",
            "--format",
            "json",
        ])
        .env("KEFU_TODAY", "2026-11-20")
        .output()
        .unwrap();
    let notes = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(notes.contains("当日无差评"), "{notes}");
    assert!(!notes.contains("an export missing"), "{notes}");
    let daily = |date: &str| {
        let out = wd
            .kefu(&["report", "daily", "--date", date, "--format", "json"])
            .env("KEFU_TODAY", "2026-11-20")
            .output()
            .unwrap();
        assert!(out.status.success());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // JSON holds the notes.
        let notes = v["notes"].to_string();
        (v, notes)
    };
    // The first day: nothing to compare with.
    let (v, err) = daily("2026-11-10");
    assert_eq!(v["total"], 1);
    assert!(v["previous_day"].is_null(), "{v}");
    assert!(v["seven_day_average"].is_null(), "{v}");
    assert!(
        err.contains("the store holds nothing before 2026-11-10"),
        "{err}"
    );
    // The third: the average of the two days before (1 and 2), not of seven.
    let (v, err) = daily("2026-11-12");
    assert_eq!(v["previous_day"], 2);
    assert_eq!(v["seven_day_average"], 1.5);
    assert_eq!(v["change_vs_average"], 1.5);
    assert!(
        err.contains("the 7-day average is of the 2 day(s) since"),
        "{err}"
    );
    // A day with nothing stored at all, between days with records.
    let (v, err) = daily("2026-11-13");
    assert_eq!(v["total"], 0);
    assert!(
        err.contains("nothing at all is stored for 2026-11-13"),
        "{err}"
    );
    assert!(
        !err.contains("当日无差评 ") && !err.contains("(当日无差评)"),
        "{err}"
    );
    // A day before the store's history.
    let (_, err) = daily("2026-11-01");
    assert!(
        err.contains("the store's records begin on 2026-11-10"),
        "{err}"
    );
    // A full week of history: no note, the seven days' average.
    let (v, err) = daily("2026-11-18");
    // 11-11 … 11-17: (2 + 3 + 0 + 1 + 0 + 0 + 0) / 7
    let average = v["seven_day_average"].as_f64().unwrap();
    assert!((average - 6.0 / 7.0).abs() < 1e-4, "{v}");
    assert!(!err.contains("7-day average is of"), "{err}");
    // ... the days of it that hold nothing at all named, counted as 0 (a
    // 差评-only export's quiet day looks the same).
    assert!(
        err.contains("nothing at all is stored for 2026-11-13, 2026-11-15, 2026-11-16, 2026-11-17 (an export missing?): counted as 0 in the previous day and the 7-day average"),
        "{err}"
    );
    assert_eq!(v["previous_day"], 0);
    // A day after today with nothing: no quiet day either.
    let (_, err) = daily("2026-11-25");
    assert!(!err.contains("当日无差评"), "{err}");
}

/// Found by exploratory testing: a complaint judged unfounded (不成立)
/// was listed in the daily report with nothing to tell it apart.
#[test]
fn daily_items_show_validity_and_say_how_many_were_unfounded() {
    let wd = Workdir::new();
    let c = wd.write(
        "c.csv",
        "投诉编号,投诉时间,投诉内容,是否成立\nC1,2026-11-20 10:00,态度差,不成立\nC2,2026-11-20 11:00,没解决,成立\n",
    );
    wd.kefu(&["import", "-q", "complaints", &c])
        .assert()
        .success();
    let out = wd
        .kefu(&[
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let validity: Vec<_> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["validity"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(validity, ["rejected", "confirmed"]);
    assert!(
        v["notes"]
            .to_string()
            .contains("1 of these was judged unfounded"),
        "{v}"
    );
}

#[test]
fn filters() {
    let wd = workspace();
    let total = |args: &[&str]| {
        let mut a = vec![
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--format",
            "json",
        ];
        a.extend_from_slice(args);
        wd.json(&a)["total"].as_i64().unwrap()
    };
    assert_eq!(total(&["--kind", "complaint"]), 1);
    assert_eq!(total(&["--kind", "review"]), 4);
    assert_eq!(total(&["--department", "售前组"]), 3);
    assert_eq!(total(&["--agent", "王芳"]), 2);
    assert_eq!(total(&["--agent", "KF001"]), 2);
    assert_eq!(total(&["--channel", "京东"]), 2);
    assert_eq!(total(&["--cause", "服务态度"]), 3);
    // Known, but nothing on that day: zero, exit 0.
    assert_eq!(total(&["--channel", "京东", "--kind", "complaint"]), 0);
}

/// Found by exploratory testing: a day still to come, or today, read as a
/// quiet day.
#[test]
fn a_daily_report_of_today_or_a_later_day_says_so() {
    let wd = workspace();
    wd.kefu(&["report", "daily", "--date", "2026-12-10"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2026-12-10 is after today (2026-12-05): nothing can have arrived for it yet; anything shown is dated in the future",
        ));
    wd.kefu(&["report", "daily", "--date", "today", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2026-12-05 is today and not over"));
    wd.kefu(&["report", "daily", "--date", "yesterday"])
        .assert()
        .success()
        .stdout(predicate::str::contains("not over").not());
}

/// Found by exploratory testing: a typo in a filter (王方 for 王芳, 售前 for
/// 售前组) reported "no negative feedback" and exited 0, every day.
#[test]
fn a_filter_naming_nothing_known_is_a_usage_error() {
    let wd = workspace();
    for report in [
        &["report", "daily", "--date", "2026-11-20"][..],
        &[
            "report",
            "trend",
            "--from",
            "2026-11-14",
            "--to",
            "2026-11-20",
        ],
    ] {
        for (filter, value, said) in [
            (
                "--agent",
                "王方",
                "no agent \"王方\" on the roster or in the feedback",
            ),
            (
                "--department",
                "售前",
                "no department \"售前\" on the roster or in the feedback (known: ",
            ),
            (
                "--channel",
                "京西",
                "no channel \"京西\" in the feedback (known: ",
            ),
        ] {
            let mut args = report.to_vec();
            args.extend_from_slice(&[filter, value]);
            wd.kefu(&args)
                .assert()
                .code(2)
                .stdout("")
                .stderr(predicate::str::contains(said));
        }
    }
    // Padding around a known value is no typo.
    wd.kefu(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--department",
        " 售前组 ",
    ])
    .assert()
    .success();
    wd.kefu(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--department",
        "售后",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("售前组"));
}

#[test]
fn csv_for_excel_is_safe_and_readable() {
    let wd = workspace();
    let out = wd
        .kefu(&[
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--section",
            "items",
            "--format",
            "csv",
            "--excel",
        ])
        .output()
        .unwrap();
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let text = String::from_utf8(out.stdout[3..].to_vec()).unwrap();
    assert!(text.contains("'=HYPERLINK"), "formula neutralised: {text}");
    let gbk = wd
        .kefu(&[
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--section",
            "items",
            "--format",
            "csv",
            "--encoding",
            "gbk",
        ])
        .output()
        .unwrap();
    let (decoded, _, errors) = encoding_rs::GBK.decode(&gbk.stdout);
    assert!(!errors);
    assert!(decoded.contains("一问三不知"));
    // Numbers stay numbers: a negative change is not neutralised.
    let trend = wd
        .kefu(&[
            "report", "compare", "--by", "agent", "--period", "2026-10", "--vs", "2026-11",
            "--format", "csv",
        ])
        .output()
        .unwrap();
    let t = String::from_utf8(trend.stdout).unwrap();
    assert!(t.contains(",-1,") || t.contains(",-2,"), "{t}");
    assert!(!t.contains("'-"), "{t}");
}

#[test]
fn xlsx_has_typed_cells_one_sheet_per_section() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let wd = workspace();
    let path = wd.path("daily.xlsx");
    wd.kefu(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "-o",
        path.to_str().unwrap(),
    ])
    .assert()
    .success();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "summary",
            "by_cause",
            "by_channel",
            "by_department",
            "by_agent",
            "items"
        ]
    );
    let by_cause = book.worksheet_range("by_cause").unwrap();
    assert_eq!(by_cause.get((0, 0)), Some(&Data::String("cause".into())));
    assert!(
        matches!(by_cause.get((1, 2)), Some(Data::Float(_))),
        "counts are numbers: {:?}",
        by_cause.get((1, 2))
    );
    let items = book.worksheet_range("items").unwrap();
    assert!(
        matches!(items.get((1, 0)), Some(Data::DateTime(_))),
        "times are dates: {:?}",
        items.get((1, 0))
    );
    let texts: Vec<String> = items
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        texts.iter().any(|t| t.starts_with("'=HYPERLINK")),
        "formula neutralised in xlsx"
    );
}

#[test]
fn html_is_self_contained_with_charts() {
    let wd = workspace();
    let out = wd
        .kefu(&[
            "report",
            "causes",
            "--from",
            "2026-10-01",
            "--to",
            "2026-11-30",
            "--format",
            "html",
        ])
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "inline SVG chart");
    assert!(html.contains("<style>"));
    for external in ["<script", "<link", "src=\"http", "@import", "url("] {
        assert!(
            !html.contains(external),
            "no external resources: {external}"
        );
    }
}

#[test]
fn output_format_from_extension_and_usage_errors() {
    let wd = workspace();
    let p = wd.path("t.md");
    wd.kefu(&[
        "report",
        "trend",
        "--from",
        "2026-11-14",
        "--to",
        "2026-11-20",
        "-o",
        p.to_str().unwrap(),
    ])
    .assert()
    .success();
    assert!(std::fs::read_to_string(&p)
        .unwrap()
        .starts_with("# 差评趋势"));
    wd.kefu(&["report", "daily", "--date", "2026-13-45"])
        .assert()
        .code(2);
    wd.kefu(&["report", "daily", "--cause", "物流"])
        .assert()
        .code(2);
    wd.kefu(&[
        "report",
        "daily",
        "--section",
        "nope",
        "--date",
        "2026-11-20",
    ])
    .assert()
    .code(2);
}

#[test]
fn input_runs_a_report_on_a_pipe() {
    let wd = Workdir::empty();
    let f = wd.write(
        "x.csv",
        "评价ID,评价时间,评价等级,评价内容\n1,2026-11-20 09:00,差评,回复太慢\n2,2026-11-20 10:00,差评,态度很差\n3,2026-11-20 11:00,差评,等了半天\n",
    );
    let out = wd.shell(&format!(
        "\"$KEFU\" classify '{f}' | \"$KEFU\" report causes --from 2026-11-20 --to 2026-11-20 --input - --format json"
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 3);
    let pareto = v["pareto"].as_array().unwrap();
    assert_eq!(pareto[0]["cause"], "response");
    assert_eq!(pareto[0]["count"], 2);
}

#[test]
fn trend_marks_high_and_low_periods() {
    let wd = workspace();
    let v = wd.json(&[
        "report",
        "trend",
        "--from",
        "2026-11-14",
        "--to",
        "2026-11-20",
        "--format",
        "json",
    ]);
    let periods = v["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 7);
    let counts: Vec<i64> = periods
        .iter()
        .map(|p| p["negative"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [1, 0, 0, 0, 1, 1, 5]);
    assert_eq!(periods[6]["mark"], "high");
    assert_eq!(v["high_periods"], serde_json::json!(["2026-11-20"]));
    assert_eq!(v["median"], 1.0);
    let mv = wd.json(&[
        "report",
        "trend",
        "--by",
        "month",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-30",
        "--format",
        "json",
    ]);
    let months: Vec<&str> = mv["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(months, ["2026-10", "2026-11"]);
}

/// A period not over by today is partial, whatever the range: not low, not
/// in the mean (found by exploratory testing: today was marked low every
/// morning, and this week, inside the range, counted as a whole week).
#[test]
fn trend_periods_not_over_by_today_are_partial() {
    let wd = Workdir::new();
    let mut csv = String::from("评价ID,评价时间,评价等级,评价内容\n");
    let mut n = 0;
    for day in 9..=30 {
        for h in 0..4 {
            n += 1;
            csv.push_str(&format!(
                "{n},2026-11-{day:02} {:02}:00,差评,回复太慢\n",
                8 + h
            ));
        }
    }
    n += 1;
    csv.push_str(&format!("{n},2026-12-01 09:00,差评,回复太慢\n"));
    let f = wd.write("r.csv", csv);
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    wd.set_today("2026-12-01");
    let v = wd.json(&[
        "report",
        "trend",
        "--from",
        "2026-11-25",
        "--to",
        "2026-12-01",
        "--format",
        "json",
    ]);
    let last = &v["periods"].as_array().unwrap()[6];
    assert_eq!(last["period"], "2026-12-01");
    assert_eq!(last["mark"], "partial");
    assert_eq!(v["mean"], 4.0);
    assert_eq!(v["low_periods"], serde_json::json!([]));
    // This week (2026-W49, 11-30 to 12-06) inside the range: partial, left out.
    let weekly = || {
        wd.json(&[
            "report",
            "trend",
            "--by",
            "week",
            "--from",
            "2026-11-09",
            "--to",
            "2026-12-06",
            "--format",
            "json",
        ])
    };
    let v = weekly();
    let weeks = v["periods"].as_array().unwrap();
    assert_eq!(weeks.len(), 4);
    assert_eq!(weeks[3]["period"], "2026-W49");
    assert_eq!(weeks[3]["mark"], "partial");
    assert_eq!(weeks[2]["mark"], serde_json::Value::Null);
    assert_eq!(v["mean"], 28.0);
    // The day after, the week before is whole and today's week still partial.
    wd.set_today("2026-12-07");
    assert_eq!(weekly()["periods"][3]["mark"], "low");
}

/// Golden files: every report in every text format.
#[test]
fn golden_reports() {
    let wd = workspace();
    let reports: &[(&str, &[&str])] = &[
        ("daily", &["daily", "--date", "2026-11-20"]),
        (
            "causes",
            &["causes", "--from", "2026-10-01", "--to", "2026-11-30"],
        ),
        (
            "trend",
            &["trend", "--from", "2026-11-14", "--to", "2026-11-20"],
        ),
        (
            "compare",
            &[
                "compare",
                "--by",
                "department",
                "--period",
                "2026-11",
                "--vs",
                "2026-10",
            ],
        ),
        (
            "distribution",
            &[
                "distribution",
                "--by",
                "weekday",
                "--from",
                "2026-11-14",
                "--to",
                "2026-11-20",
            ],
        ),
    ];
    for (name, args) in reports {
        for format in ["table", "csv", "json", "jsonl", "md", "html"] {
            let mut a = vec!["report"];
            a.extend_from_slice(args);
            a.extend_from_slice(&["--format", format]);
            let out = wd.kefu(&a).env("COLUMNS", "200").output().unwrap();
            assert!(
                out.status.success(),
                "{a:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            insta::assert_snapshot!(
                format!("{name}_{format}"),
                String::from_utf8(out.stdout).unwrap()
            );
        }
    }
}

/// A week or month cut by --from/--to shows the days it counts, in every format.
#[test]
fn trend_periods_cut_by_the_range_show_the_days_they_count() {
    let wd = workspace();
    let range = [
        "trend",
        "--by",
        "week",
        "--from",
        "2026-11-19",
        "--to",
        "2026-11-25",
    ];
    let run = |format: &str| {
        let mut a = vec!["report"];
        a.extend_from_slice(&range);
        a.extend_from_slice(&["--format", format]);
        let out = wd.kefu(&a).env("COLUMNS", "200").output().unwrap();
        assert!(out.status.success(), "{a:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    // W47 (2026-11-16..22) is cut to 11-19..22: one on the 19th, five on the
    // 20th (C1 included); W48 (11-23..29) is cut to 11-23..25.
    let csv = run("csv");
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let cut: Vec<[&str; 4]> = rows.iter().map(|r| [r[0], r[1], r[2], r[3]]).collect();
    assert_eq!(
        cut,
        [
            ["2026-W47", "2026-11-19", "2026-11-22", "6"],
            ["2026-W48", "2026-11-23", "2026-11-25", "0"]
        ]
    );
    let v: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(v["periods"][0]["from"], "2026-11-19");
    assert_eq!(v["periods"][1]["to"], "2026-11-25");
    // Both cut: marked partial, never low (W48's 0 is three days of a week).
    assert_eq!(v["periods"][0]["mark"], "partial");
    assert_eq!(v["periods"][1]["mark"], "partial");
    assert_eq!(v["low_periods"], serde_json::json!([]));
    // Found by exploratory testing: with the same count every day, the
    // one-day stubs of a month's first and last weeks were marked low; the
    // whole weeks alone make the mean (7 a week: a stub is no low week).
    let v = wd.json(&[
        "report",
        "trend",
        "--by",
        "week",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "json",
    ]);
    let marks: Vec<&str> = v["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["mark"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(marks.first(), Some(&"partial"));
    assert_eq!(marks.last(), Some(&"partial"));
    assert!(
        v["low_periods"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p != "2026-W44" && p != "2026-W49"),
        "{v}"
    );
    assert!(run("md").contains("| 2026-W47 | 2026-11-19 | 2026-11-22 | 6 |"));
    // The whole weeks' bounds appear nowhere.
    for format in ["table", "csv", "json", "jsonl", "md", "html"] {
        let out = run(format);
        assert!(
            out.contains("2026-11-19")
                && !out.contains("2026-11-16")
                && !out.contains("2026-11-29"),
            "{format}: {out}"
        );
    }
    // xlsx: typed dates, cut too.
    use calamine::{open_workbook, DataType, Reader, Xlsx};
    let path = wd.path("trend.xlsx");
    let mut a = vec!["report"];
    a.extend_from_slice(&range);
    a.extend_from_slice(&["-o", path.to_str().unwrap()]);
    wd.kefu(&a).assert().success();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let periods = book.worksheet_range("periods").unwrap();
    let date = |r, c| {
        periods
            .get((r, c))
            .and_then(|d| d.as_date())
            .map(|d| d.to_string())
    };
    assert_eq!(date(1, 1).as_deref(), Some("2026-11-19"));
    assert_eq!(date(2, 2).as_deref(), Some("2026-11-25"));
    // A single day of a week counts that day only, and says so.
    let one = wd.json(&[
        "report",
        "trend",
        "--by",
        "week",
        "--from",
        "2026-11-19",
        "--to",
        "2026-11-19",
        "--format",
        "json",
    ]);
    assert_eq!(one["periods"][0]["from"], "2026-11-19");
    assert_eq!(one["periods"][0]["to"], "2026-11-19");
    assert_eq!(one["periods"][0]["negative"], 1);
}

/// Without --from, trend covers 30 days, or 12 weeks or 12 months ending with
/// the current one (cut at today, 2026-12-05 in the tests).
#[test]
fn trend_defaults_to_30_days_12_weeks_or_12_months() {
    let wd = workspace();
    let periods = |by: &str| -> Vec<(String, String, String)> {
        let v = wd.json(&["report", "trend", "--by", by, "--format", "json"]);
        v["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let s = |k: &str| p[k].as_str().unwrap().to_string();
                (s("period"), s("from"), s("to"))
            })
            .collect()
    };
    let days = periods("day");
    assert_eq!(days.len(), 30);
    assert_eq!(days[0].1, "2026-11-06");
    assert_eq!(days[29].2, "2026-12-05");
    let weeks = periods("week");
    assert_eq!(weeks.len(), 12);
    assert_eq!(
        weeks[0],
        ("2026-W38".into(), "2026-09-14".into(), "2026-09-20".into())
    );
    assert_eq!(
        weeks[11],
        ("2026-W49".into(), "2026-11-30".into(), "2026-12-05".into())
    );
    let months = periods("month");
    assert_eq!(months.len(), 12);
    assert_eq!(
        months[0],
        ("2026-01".into(), "2026-01-01".into(), "2026-01-31".into())
    );
    assert_eq!(
        months[11],
        ("2026-12".into(), "2026-12-01".into(), "2026-12-05".into())
    );
    // With --to alone, the 12 months end with --to's.
    let v = wd.json(&[
        "report",
        "trend",
        "--by",
        "month",
        "--to",
        "2026-11-20",
        "--format",
        "json",
    ]);
    let p = v["periods"].as_array().unwrap();
    assert_eq!(p.len(), 12);
    assert_eq!(
        (p[0]["period"].as_str(), p[0]["from"].as_str()),
        (Some("2025-12"), Some("2025-12-01"))
    );
    assert_eq!(p[11]["to"], "2026-11-20");
    assert_eq!(v["from"], "2025-12-01");
}

#[test]
fn a_classified_export_reports_like_the_export_itself() {
    // kefu classify appends `cause`; the export's declared 差评原因 still wins.
    let wd = Workdir::empty();
    let f = wd.write(
        "x.csv",
        "评价ID,评价时间,评价等级,评价内容,差评原因\n1,2026-11-20 09:00,差评,回复太慢,服务态度\n2,2026-11-20 10:00,差评,态度很差,\n3,2026-11-20 11:00,差评,等了半天,服务态度\n",
    );
    let report = |input: &str| -> serde_json::Value {
        let out = wd.shell(&format!(
            "{input} | \"$KEFU\" report causes --from 2026-11-20 --to 2026-11-20 --input - --format json"
        ));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let piped = report(&format!("\"$KEFU\" classify '{f}'"));
    let direct = report(&format!("cat '{f}'"));
    assert_eq!(piped["pareto"], direct["pareto"]);
    let pareto = piped["pareto"].as_array().unwrap();
    assert_eq!(pareto.len(), 1, "{pareto:?}");
    assert_eq!(
        (&pareto[0]["cause"], &pareto[0]["count"]),
        (&"attitude".into(), &3.into())
    );
}

#[test]
fn compare_gives_ties_one_rank_and_one_mark() {
    let wd = Workdir::new();
    let f = wd.write(
        "r.csv",
        "评价ID,评价时间,评价等级,评价内容,客服工号\n\
         1,2026-11-02 09:00,差评,回复太慢,A\n\
         2,2026-11-03 09:00,差评,回复太慢,B\n\
         3,2026-11-04 09:00,差评,回复太慢,C\n\
         4,2026-11-05 09:00,差评,态度很差,C\n",
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let v = wd.json(&[
        "report", "compare", "--by", "agent", "--period", "2026-11", "--format", "json",
    ]);
    let ranking: Vec<(String, i64, String)> = v["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["agent_id"].as_str().unwrap().to_string(),
                r["rank"].as_i64().unwrap(),
                r["mark"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        ranking,
        [
            ("A".to_string(), 1, "best".to_string()),
            ("B".to_string(), 1, "best".to_string()),
            ("C".to_string(), 3, "worst".to_string()),
        ]
    );
    // The title names the grouping as typed (found by exploratory testing:
    // "by agent_id").
    let md = wd.stdout(&[
        "report", "compare", "--by", "agent", "--period", "2026-11", "--format", "md",
    ]);
    assert!(
        md.contains("Comparison by agent: 2026-11 vs 2026-10"),
        "{md}"
    );
}

#[test]
fn daily_help_gives_its_default_once() {
    let wd = Workdir::new();
    let help = wd.stdout(&["report", "daily", "--help"]);
    assert_eq!(help.matches("[default: yesterday]").count(), 1, "{help}");
}

#[test]
fn compare_ranks_roster_agents_without_feedback_and_weeks() {
    let wd = Workdir::new();
    let roster = wd.write(
        "a.csv",
        "工号,客服姓名,部门,入职日期,离职日期\nA,甲,售前组,,\nB,乙,售前组,,\nD,丁,售后组,,\nE,戊,售前组,,2026-09-30\n",
    );
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    let f = wd.write(
        "r.csv",
        "评价ID,评价时间,评价等级,评价内容,客服工号\n\
         1,2026-11-02 09:00,差评,回复太慢,A\n\
         2,2026-11-10 09:00,差评,回复太慢,A\n",
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let ranking = |args: &[&str]| -> Vec<(String, i64, i64)> {
        let mut a = vec!["report", "compare", "--by", "agent", "--format", "json"];
        a.extend(args);
        wd.json(&a)["ranking"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["agent_id"].as_str().unwrap().to_string(),
                    r["count"].as_i64().unwrap(),
                    r["previous"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    // B and D had none: ranked first with 0, not left out; E left before.
    assert_eq!(
        ranking(&["--period", "2026-11"]),
        [("B".into(), 0, 0), ("D".into(), 0, 0), ("A".into(), 2, 0)]
    );
    assert_eq!(
        ranking(&["--period", "2026-11", "--department", "售前组"]),
        [("B".into(), 0, 0), ("A".into(), 2, 0)]
    );
    // ISO weeks; --vs defaults to the week before (W45: 11-02 to 11-08).
    assert_eq!(
        ranking(&["--period", "2026-W46"]),
        [("B".into(), 0, 0), ("D".into(), 0, 0), ("A".into(), 1, 1)]
    );
}

/// Regression: `-o link.csv` replaced the symlink with a regular file and
/// left the file it points to unchanged.
#[cfg(unix)]
#[test]
fn output_through_a_symlink_writes_the_file_it_points_to() {
    let wd = workspace();
    std::fs::create_dir(wd.path("reports")).unwrap();
    let target = wd.write("reports/target.csv", "old\n");
    let link = wd.path("link.csv");
    std::os::unix::fs::symlink("reports/target.csv", &link).unwrap();
    wd.kefu(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "-o",
        link.to_str().unwrap(),
    ])
    .assert()
    .success();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains("cause,label,count,share"), "{text}");
    assert_eq!(
        common::names_in(&wd.path("reports")),
        ["target.csv"],
        "no temporary file beside the target"
    );
}

/// Regression: a FIFO given to `-o` was replaced by a regular file; it is
/// written directly, and stays a FIFO.
#[cfg(unix)]
#[test]
fn output_to_a_fifo_is_written_directly() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let wd = workspace();
    let fifo = wd.path("fifo.csv");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let (tx, rx) = std::sync::mpsc::channel();
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::fs::File::open(&reader_path)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        tx.send(()).unwrap();
        text
    });
    let out = wd
        .kefu(&[
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "-o",
            fifo.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    if rx.recv_timeout(std::time::Duration::from_secs(10)).is_err() {
        // kefu never opened the FIFO: release the reader, then fail.
        drop(std::fs::OpenOptions::new().write(true).open(&fifo));
        panic!(
            "nothing was written to the FIFO: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = reader.join().unwrap();
    assert!(text.contains("cause,label,count,share"), "{text}");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO is still a FIFO"
    );
}

/// Regression: a write error on a device (no space left on /dev/full) is an
/// error, and the device stays a device. Through a link in the workdir, so
/// that a kefu which renames over its target (as it did, even as root)
/// replaces the link and not the machine's /dev/full.
#[cfg(target_os = "linux")]
#[test]
fn output_to_a_full_device_is_an_error() {
    use std::os::unix::fs::FileTypeExt;
    let is_device =
        || std::fs::symlink_metadata("/dev/full").is_ok_and(|m| m.file_type().is_char_device());
    if !is_device() {
        eprintln!("skipped: /dev/full is not a character device here");
        return;
    }
    let wd = workspace();
    let link = wd.path("full.csv");
    std::os::unix::fs::symlink("/dev/full", &link).unwrap();
    wd.kefu(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "-o",
        link.to_str().unwrap(),
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("cannot write").and(predicate::str::contains("full.csv")));
    assert!(is_device(), "/dev/full is still a device");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

/// Regression: `-o DIR` failed but left `DIR.kefu-tmp` behind.
#[test]
fn output_to_a_directory_is_an_error_and_leaves_nothing() {
    let wd = workspace();
    std::fs::create_dir(wd.path("out.csv")).unwrap();
    let dir = wd.path("out.csv");
    let before = common::names_in(wd.dir.path());
    wd.kefu(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "-o",
        dir.to_str().unwrap(),
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("out.csv is a directory"));
    assert_eq!(
        common::names_in(wd.dir.path()),
        before,
        "nothing left behind"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

/// `-o -` is stdout (a table, as without `-o`), and says nothing of a file.
#[test]
fn output_dash_is_stdout() {
    let wd = workspace();
    let out = wd
        .kefu(&["report", "daily", "--date", "2026-11-20", "-o", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("差评日报"));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("wrote"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "-o",
        "-",
        "--format",
        "json",
    ]);
    assert!(v["total"].as_u64().unwrap() > 0);
}

/// Regression: `-o x.txt` wrote CSV unasked. An extension that names no
/// format is a usage error listing the ones that do; --format settles it.
#[test]
fn output_with_an_unknown_extension_needs_format() {
    let wd = workspace();
    let txt = wd.path("x.txt");
    let before = common::names_in(wd.dir.path());
    wd.kefu(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "-o",
        txt.to_str().unwrap(),
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(".csv").and(predicate::str::contains(".xlsx")));
    assert_eq!(common::names_in(wd.dir.path()), before, "nothing written");
    wd.kefu(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "md",
        "-o",
        txt.to_str().unwrap(),
    ])
    .assert()
    .success();
    assert!(std::fs::read_to_string(&txt)
        .unwrap()
        .starts_with("# 差评日报"));
}

/// Found by exploratory testing (an analyst's pipelines): `kefu classify …
/// | kefu report causes --input -` classified again with other settings and
/// reported other numbers; a report on an export left a rejects file of
/// customers' rows in the workspace, unannounced; `-o` naming the input
/// wrote the report over the export.
#[test]
fn report_input_takes_classify_causes_and_writes_no_rejects_file() {
    let wd = Workdir::new();
    let export = wd.write(
        "pdd.csv",
        "评价ID,评价时间,评价等级,买家留言\n1,2026-11-20 09:00,差评,客服态度太差了\n2,2026-11-20 10:00,差评,等了三天才回复\n3,2026-11-20 11:00,差评,问了三遍都答非所问\n4,2026-11-20 12:00,差评,问题到现在都没解决\n5,昨天下午,差评,x\n",
    );
    let classified = wd.path("classified.csv");
    wd.kefu(&[
        "classify",
        &export,
        "--column",
        "买家留言",
        "-o",
        classified.to_str().unwrap(),
    ])
    .assert()
    .success();
    let (v, stderr) = wd.json_and_stderr(&[
        "report",
        "causes",
        "--input",
        classified.to_str().unwrap(),
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "json",
    ]);
    let mut counts: Vec<(String, i64)> = v["pareto"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["cause"].as_str().unwrap().to_string(),
                r["count"].as_i64().unwrap(),
            )
        })
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        [
            ("attitude".to_string(), 1),
            ("competence".to_string(), 1),
            ("resolution".to_string(), 1),
            ("response".to_string(), 1)
        ],
        "{v}"
    );
    // The unreadable row is said, with its line, and no rejects file made.
    assert!(stderr.contains("line 6: created_at"), "{stderr}");
    assert!(
        stderr.contains("1 input row(s) could not be read"),
        "{stderr}"
    );
    assert!(!wd.path("rejects").exists());
    // The report over its own input is refused.
    wd.kefu(&["report", "causes", "--input", &export, "-o", &export])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is the --input file"));
    // Imported as reviews, the unknown text column is warned about.
    wd.kefu(&["import", "reviews", &export])
        .assert()
        .success()
        .stderr(predicates::str::contains("no text column"));
}

/// Found by exploratory testing: a file classified twice was reported with
/// the first run's causes (its renamed `cause (column 5)` read as 差评原因);
/// `-q` dropped unreadable rows without a word; a date with no year was
/// "unreadable".
#[test]
fn report_input_reads_the_latest_classification_and_warns_under_quiet() {
    let wd = Workdir::new();
    let export = wd.write(
        "r.csv",
        "评价ID,评价时间,评价等级,评价内容\n1,2026-11-20 10:00,差评,客服态度太差了\n2,2026-11-20 11:00,差评,等了三个小时才回复\n3,2026-13-05 10:00,差评,x\n",
    );
    // Row 2's first cause edited by hand to attitude, then classified again.
    let edited = wd
        .stdout(&["classify", &export])
        .replace("等了三个小时才回复,response", "等了三个小时才回复,attitude");
    let once = wd.write("edited.csv", edited);
    let twice = wd.write("twice.csv", wd.stdout(&["classify", &once]));
    let (v, stderr) = wd.json_and_stderr(&[
        "-q",
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--input",
        &twice,
        "--format",
        "json",
    ]);
    let causes: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["cause"].as_str().unwrap())
        .collect();
    assert_eq!(causes, ["attitude", "response"], "{v}");
    assert!(
        stderr.contains("1 input row(s) could not be read"),
        "{stderr}"
    );
    wd.kefu(&["report", "daily", "--date", "11月20日"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no year in \"11月20日\""));
}

/// Found by exploratory testing: `report --input` named a configured source
/// from the file's name but read the file without its settings.
#[test]
fn report_input_reads_a_configured_source_with_its_settings() {
    let wd = Workdir::new();
    let mut toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    toml.push_str(
        "\n[sources.pdd]\nchannel = \"拼多多\"\n[sources.pdd.columns]\ncontent = \"买家留言\"\n",
    );
    std::fs::write(wd.path("kefu.toml"), toml).unwrap();
    let f = wd.write(
        "pdd-20261120.csv",
        "评价ID,评价时间,评价等级,买家留言\n1,2026-11-20 10:00,差评,等了三个小时才回复\n",
    );
    let (v, stderr) = wd.json_and_stderr(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--input",
        &f,
        "--format",
        "json",
    ]);
    assert!(!stderr.contains("no text column"), "{stderr}");
    assert_eq!(v["items"][0]["channel"], "拼多多", "{v}");
    assert_eq!(v["items"][0]["cause"], "response", "{v}");
}

/// Found by exploratory testing: `report --input` could not be told the
/// input's encoding or sheet, and its hints named `kefu import`'s options
/// (in a report `--encoding` is the output's).
#[test]
fn report_input_takes_its_encoding_and_sheet() {
    let wd = Workdir::new();
    let big5 = common::fixture("shopee_tw_reviews_big5.csv");
    let range = [
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "json",
    ];
    let mut args = vec![
        "report",
        "causes",
        "--input",
        &big5,
        "--input-encoding",
        "big5",
    ];
    args.extend_from_slice(&range);
    let (v, _) = wd.json_and_stderr(&args);
    assert!(v["total"].as_i64().unwrap() > 0, "{v}");
    // UTF-8 read as GBK: the hint names the report's option.
    let utf8 = wd.write(
        "u.csv",
        "评价ID,评价时间,评价等级,评价内容\n1,2026-11-20 10:00,差评,客服态度太差了\n",
    );
    let out = wd
        .kefu(&[
            "report",
            "causes",
            "--input",
            &utf8,
            "--input-encoding",
            "gbk",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--input-encoding") && !stderr.contains("--map"),
        "{stderr}"
    );
    // A workbook's sheet.
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .set_name("说明")
        .unwrap()
        .write(0, 0, "notes")
        .unwrap();
    let sheet = book.add_worksheet().set_name("差评").unwrap();
    sheet
        .write_row(0, 0, ["评价时间", "评价等级", "评价内容"])
        .unwrap();
    sheet
        .write_row(1, 0, ["2026-11-20 10:00", "差评", "回复太慢"])
        .unwrap();
    let notes = book.add_worksheet().set_name("备注").unwrap();
    notes
        .write_row(0, 0, ["评价时间", "评价等级", "评价内容"])
        .unwrap();
    let path = wd.path("book.xlsx");
    book.save(&path).unwrap();
    let mut args = vec![
        "report",
        "causes",
        "--input",
        path.to_str().unwrap(),
        "--input-sheet",
        "差评",
    ];
    args.extend_from_slice(&range);
    let (v, _) = wd.json_and_stderr(&args);
    assert_eq!(v["pareto"][0]["cause"], "response", "{v}");
    wd.kefu(&["report", "causes", "--input-sheet", "差评"])
        .assert()
        .code(2);
}

/// Found by exploratory testing: a hand-edited cause kefu cannot read in a
/// classified file was classified again without a word.
#[test]
fn report_input_warns_of_a_classify_cause_it_cannot_read() {
    let wd = Workdir::new();
    let export = wd.write(
        "r.csv",
        "评价ID,评价时间,评价等级,评价内容\n1,2026-11-20 10:00,差评,客服态度太差了\n",
    );
    let edited = wd
        .stdout(&["classify", &export])
        .replace("太差了,attitude", "太差了,attitdue");
    let edited = wd.write("edited.csv", edited);
    let (v, stderr) = wd.json_and_stderr(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--input",
        &edited,
        "--format",
        "json",
    ]);
    assert!(
        stderr.contains("1 record(s) give a cause in kefu classify's column that kefu does not know: \"attitdue\"; classified again"),
        "{stderr}"
    );
    assert_eq!(v["items"][0]["cause"], "attitude", "{v}");
}

/// Found by a security review (exploratory testing): escape sequences in an
/// export reached the terminal raw in table output; `-q` dropped the
/// `--no-mask` warning; `-o` replaced the workspace's kefu.toml; another
/// program's SQLite database in kefu.db's place was "upgraded" into an
/// empty store; a phone number with zero-width or thin spaces was printed
/// whole on stderr.
#[test]
fn a_security_review_of_outputs() {
    let wd = Workdir::new();
    let export = wd.write(
        "r.csv",
        "评价ID,评价时间,客服,评价等级,评价内容,手机号\n\
         Q1,2026-11-29 10:00,\x1b]0;owned\x07Evil,差评,态度差 \x1b[2Jhidden,13912345678\n\
         Q2,2026-11-29 11:00,王芳,138\u{200b}1234\u{200b}5678,态度差,13900000000\n\
         Q3,2026-11-29 12:00,王芳,138\u{2009}1234\u{2009}5678,态度差,13900000000\n",
    );
    let out = wd
        .kefu(&["import", "reviews", &export, "--dry-run"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("line 3") && stderr.contains("line 4"),
        "{stderr}"
    );
    assert!(!stderr.contains("1234"), "{stderr}");
    wd.kefu(&["import", "-q", "reviews", &export])
        .assert()
        .success();
    let table = wd.stdout(&["report", "daily", "--date", "2026-11-29"]);
    assert!(
        !table.contains('\x1b') && !table.contains('\x07'),
        "{table}"
    );
    assert!(table.contains("<U+001B>]0;owned<U+0007>Evil"), "{table}");
    // Data formats carry values as they are.
    let v = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-11-29",
        "--format",
        "json",
    ]);
    assert!(v.to_string().contains("\\u001b]0;owned"), "{v}");

    let out = wd
        .kefu(&["-q", "report", "daily", "--date", "2026-11-29", "--no-mask"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("13912345678"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOT masked"));

    let settings = std::fs::read(wd.path("kefu.toml")).unwrap();
    let target = wd.path("kefu.toml");
    let out = wd
        .kefu(&[
            "report",
            "daily",
            "--date",
            "2026-11-29",
            "--format",
            "csv",
            "-o",
        ])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("a workspace's settings (kefu.toml): not overwritten"));
    assert_eq!(std::fs::read(&target).unwrap(), settings);

    // Another program's database, with no schema version or with one (many
    // programs set user_version too).
    for version in [0, 3] {
        let other = Workdir::new();
        std::fs::remove_file(other.path("kefu.db")).unwrap();
        let conn = rusqlite::Connection::open(other.path("kefu.db")).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE customers (name, phone); INSERT INTO customers VALUES ('张三', '13812345678'); PRAGMA user_version = {version};"
        ))
        .unwrap();
        drop(conn);
        let before = std::fs::read(other.path("kefu.db")).unwrap();
        let out = other.kefu(&["report", "daily"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("not a kefu store (it holds tables customers"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(std::fs::read(other.path("kefu.db")).unwrap(), before);
    }
}

/// Found by a report audit (exploratory testing): a 差评-only export (no
/// rating column) raised the negative rate: its reviews were counted in it,
/// though the export's other reviews were never imported.
#[test]
fn reviews_of_an_export_without_ratings_are_out_of_the_negative_rate() {
    let wd = Workdir::new();
    let pdd = wd.write(
        "pdd.csv",
        "评价ID,评价时间,渠道,客服,评价内容\nN1,2026-11-20 10:00,拼多多,王芳,客服态度很差\nN2,2026-11-20 11:00,拼多多,王芳,等了很久没人回复\n",
    );
    let jd = wd.write(
        "jd.csv",
        "评价ID,评价时间,渠道,客服,评价等级,评价内容\nP1,2026-11-20 10:00,京东,王芳,好评,好\nP2,2026-11-20 11:00,京东,王芳,好评,好\nP3,2026-11-20 12:00,京东,王芳,差评,客服态度很差\nP4,2026-11-20 13:00,京东,王芳,好评,好\n",
    );
    let out = wd.kefu(&["import", "reviews", &pdd, &jd]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("every review is taken as negative (差评), and left out of the negative rate"));
    let day = [
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "json",
    ];
    let v = wd.json(&day);
    assert_eq!(v["total"], 3, "all three are negative feedback");
    assert_eq!(v["reviews"], 4);
    assert_eq!(v["negative_rate"], 0.25);
    assert!(
        v["notes"]
            .to_string()
            .contains("2 negative review(s) came from an export with no rating column"),
        "{v}"
    );
    let mut only_pdd = day.to_vec();
    only_pdd.extend(["--channel", "拼多多"]);
    let v = wd.json(&only_pdd);
    assert_eq!(v["total"], 2);
    assert_eq!(v["negative_rate"], serde_json::Value::Null);
    let mut attitude = day.to_vec();
    attitude.extend(["--cause", "attitude"]);
    let v = wd.json(&attitude);
    assert_eq!(v["negative_rate"], 0.25);
    // The note counts what the report counts: one of the two is attitude.
    assert!(
        v["notes"]
            .to_string()
            .contains("1 negative review(s) came from an export"),
        "{v}"
    );
    let trend = wd.stdout(&[
        "report",
        "trend",
        "--by",
        "day",
        "--from",
        "2026-11-20",
        "--to",
        "2026-11-20",
        "--format",
        "csv",
    ]);
    assert!(
        trend.contains("2026-11-20,2026-11-20,2026-11-20,3,4,25.0%"),
        "{trend}"
    );
    // A re-import changes nothing.
    let v = wd.json(&["import", "reviews", &pdd, &jd, "--format", "json"]);
    assert_eq!(v["unchanged"], 6, "{v}");
    // A store of a kefu before schema 7 (no marks; the hashes of the time):
    // importing the 差评-only export again marks its reviews (found by
    // exploratory testing: they stayed in the rate, "updated").
    {
        let conn = rusqlite::Connection::open(wd.path("kefu.db")).unwrap();
        conn.execute_batch(
            "DROP TABLE agent_other_names; DROP TABLE agent_stints; DROP INDEX feedback_unrated;
             DROP INDEX feedback_charges; ALTER TABLE feedback DROP COLUMN unrated;
             UPDATE feedback SET hash = hash + 1 WHERE ext_id LIKE 'N%';
             ALTER TABLE closed_lines DROP COLUMN complaints; PRAGMA user_version = 6;",
        )
        .unwrap();
    }
    assert_eq!(
        wd.json(&day)["negative_rate"],
        0.5,
        "before: all six reviews in the rate"
    );
    let v = wd.json(&["import", "reviews", &pdd, "--format", "json"]);
    assert_eq!(v["updated"], 2, "{v}");
    assert_eq!(wd.json(&day)["negative_rate"], 0.25);
}

/// Found by a report audit (exploratory testing): `report --input` ignored
/// the workspace's roster: names stayed unlinked, every department was
/// "(none)", and `--agent A03` was refused as unknown.
#[test]
fn report_input_uses_the_workspaces_roster() {
    let wd = Workdir::new();
    let roster = wd.write(
        "a.csv",
        "工号,客服姓名,部门\nA01,王芳,售前组\nA02,李娜,售前组\nA03,张伟,售后组\n",
    );
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    let export = wd.write(
        "r.csv",
        "评价ID,评价时间,客服工号,客服,评价等级,评价内容\nR1,2026-11-20 10:00,A01,,差评,态度差\nR2,2026-11-20 11:00,,张伟,差评,回复太慢\n",
    );
    let day = |extra: &[&str]| {
        let mut args = vec![
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--format",
            "json",
            "--input",
            &export,
        ];
        args.extend(extra);
        wd.json(&args)
    };
    let v = day(&[]);
    assert_eq!(v["by_department"]["售前组"], 1, "{v}");
    assert_eq!(v["by_department"]["售后组"], 1, "{v}");
    assert_eq!(day(&["--agent", "A03"])["total"], 1);
    assert_eq!(day(&["--agent", "张伟"])["total"], 1);
    assert_eq!(day(&["--department", "售前组"])["total"], 1);
    // Nothing of the export went into the store.
    assert_eq!(wd.count("SELECT count(*) FROM feedback"), 0);
}

/// Found by a report audit (exploratory testing): of five causes with one
/// record each, four were main and response, last by its id, secondary.
#[test]
fn pareto_marks_causes_tied_with_a_main_cause_main() {
    // The Pareto's (cause, main) marks for a day of records with these
    // declared causes.
    let marks = |causes: &[&str]| -> Vec<(String, String)> {
        let wd = Workdir::new();
        let mut export = String::from("评价ID,评价时间,评价等级,评价内容,差评原因\n");
        for (i, c) in causes.iter().enumerate() {
            export.push_str(&format!("{i},2026-11-20 10:00,差评,x,{c}\n"));
        }
        let f = wd.write("r.csv", export);
        wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
        let v = wd.json(&[
            "report",
            "causes",
            "--from",
            "2026-11-20",
            "--to",
            "2026-11-20",
            "--format",
            "json",
        ]);
        v["pareto"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["cause"].as_str().unwrap().into(),
                    r["main"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let main = |m: &[(String, String)]| m.iter().filter(|(_, m)| m == "main").count();
    // attitude 3 (43%), then four tied at 1: 57%, 71%, 86% — the fourth
    // would start past 80%, but is tied with the third.
    let m = marks(&[
        "服务态度",
        "专业能力",
        "响应速度",
        "问题解决效果",
        "其他",
        "服务态度",
        "服务态度",
    ]);
    assert_eq!(m[0].0, "attitude");
    assert_eq!(main(&m), 5, "{m:?}");
    // 67%, then other 1 (main: starts below 80%), response 1 tied with it.
    let m = marks(&[
        "服务态度",
        "服务态度",
        "服务态度",
        "服务态度",
        "其他",
        "响应速度",
    ]);
    assert_eq!(main(&m), 3, "{m:?}");
}

/// Found by a report audit (exploratory testing): compare ranked five days
/// of a running month against the whole previous month, and counted a
/// record dated after today, without a word.
#[test]
fn compare_says_a_period_is_not_over() {
    let wd = Workdir::new();
    let export = wd.write(
        "r.csv",
        "评价ID,评价时间,客服,评价等级,评价内容\nF1,2026-11-05 10:00,王芳,差评,态度差\nF2,2026-11-12 10:00,李娜,差评,态度差\n\
         M1,2026-12-02 10:00,李娜,差评,态度差\nM2,2026-12-31 10:00,李娜,差评,态度差\n",
    );
    wd.kefu(&["import", "-q", "reviews", &export])
        .assert()
        .success();
    let v = wd.json(&["report", "compare", "--by", "agent", "--format", "json"]);
    assert_eq!(v["period"], "2026-12");
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("2026-12 is not over (it runs to 2026-12-31; today is 2026-12-05): its counts are of its first 5 of 31 days")
            && notes.contains("1 record(s) in it are dated after today, not counted"),
        "{v}"
    );
    // As far as it has run: M2, dated after today, is not counted (round
    // 97: counted against the note), as trend does not count it.
    assert_eq!(v["total"], 1, "{v}");
    let v = wd.json(&[
        "report", "compare", "--by", "agent", "--period", "2026-11", "--format", "json",
    ]);
    assert!(v.get("notes").is_none(), "{v}");
    // Both running: neither is "the whole"; a day that is today; a period
    // that has not begun.
    let notes = |args: &[&str]| {
        let mut all = vec!["report", "compare", "--by", "agent", "--format", "json"];
        all.extend(args);
        wd.json(&all)["notes"].to_string()
    };
    let n = notes(&["--period", "2026-W49", "--vs", "2026-12"]);
    assert!(!n.contains("set against the whole"), "{n}");
    assert!(
        n.contains("2026-W49 is not over") && n.contains("2026-12 is not over"),
        "{n}"
    );
    let n = notes(&["--period", "2026-12-05"]);
    assert!(
        n.contains("2026-12-05 is today: its counts are of the day so far"),
        "{n}"
    );
    let n = notes(&["--period", "2027-01", "--vs", "2026-11"]);
    assert!(
        n.contains("2027-01 has not begun (today is 2026-12-05)"),
        "{n}"
    );
    let n = notes(&[]);
    assert!(n.contains("set against the whole of 2026-11"), "{n}");
    let n = notes(&["--period", "2026-12", "--vs", "2026-12"]);
    assert_eq!(n.matches("2026-12 is not over").count(), 1, "{n}");
}

/// Found by a report audit (exploratory testing): after the roster renamed
/// 刘洋 to 刘阳, `--agent 刘洋` was accepted and reported 0 of the agent's
/// own records.
#[test]
fn agent_filter_finds_an_agent_by_a_former_name() {
    let wd = Workdir::new();
    let roster = wd.write("a1.csv", "工号,客服姓名\nA05,刘洋\nA06,王芳\n");
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    let export = wd.write(
        "r.csv",
        "评价ID,评价时间,客服,评价等级,评价内容\nR1,2026-11-20 10:00,刘洋,差评,态度差\nR2,2026-11-20 11:00,刘洋,差评,态度差\nR3,2026-11-20 12:00,王芳,差评,态度差\n",
    );
    wd.kefu(&["import", "-q", "reviews", &export])
        .assert()
        .success();
    let renamed = wd.write("a2.csv", "工号,客服姓名\nA05,刘阳\nA06,王芳\n");
    wd.kefu(&["import", "-q", "agents", &renamed])
        .assert()
        .success();
    for name in ["刘洋", "刘阳", "A05"] {
        let (v, stderr) = wd.json_and_stderr(&[
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--agent",
            name,
            "--format",
            "json",
        ]);
        assert_eq!(v["total"], 2, "{name}: {v}");
        assert_eq!(
            stderr.contains("a former name of A05 on the roster; reporting A05"),
            name == "刘洋",
            "{stderr}"
        );
    }
}

#[test]
fn periods_kinds_and_sections_as_users_type_them() {
    // Found by exploratory testing: compare --period 上月 / 2026年第4季度
    // were "unreadable month"s, --kind 投诉 and --section 明细 refused.
    let wd = workspace();
    let compare = |period: &str| {
        wd.stdout(&[
            "report", "compare", "--by", "agent", "--period", period, "--format", "csv",
        ])
    };
    let november = compare("2026-11");
    assert!(november.contains("KF001"), "{november}");
    for p in ["上月", "last-month", "上个月"] {
        assert_eq!(compare(p), november, "{p}");
    }
    assert_eq!(compare("2026年第4季度"), compare("2026Q4"));
    assert_eq!(compare("2026W47"), compare("2026-W47"));
    wd.kefu(&["report", "compare", "--by", "agent", "--period", "下下个月"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unreadable period \"下下个月\" (expected a day",
        ));
    wd.kefu(&["report", "daily", "--date", "2026年11月"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a month (2026-11), not a day"));
    wd.kefu(&["report", "daily", "--date", "上周"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is a period (2026-W48), not a day",
        ));
    let daily = |extra: &[&str]| {
        let mut a = vec!["report", "daily", "--date", "2026-11-20", "--format", "csv"];
        a.extend_from_slice(extra);
        wd.stdout(&a)
    };
    assert_eq!(daily(&["--kind", "投诉"]), daily(&["--kind", "complaint"]));
    assert_eq!(
        daily(&["--kind", "complaints"]),
        daily(&["--kind", "complaint"])
    );
    assert_eq!(
        daily(&["--section", "明细"]),
        daily(&["--section", "items"])
    );
    assert!(daily(&["--section", "明细"]).contains("T03"));
    wd.kefu(&["report", "daily", "--date", "2026-11-20", "--section", "by"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("names several sections"));
}

#[test]
fn filters_take_none_traditional_spellings_and_hint_at_typos() {
    let wd = workspace();
    let f = wd.write(
        "more.csv",
        "评价ID,评价时间,评价等级,评价内容,客服工号\nN1,2026-11-20 11:00,差评,回复太慢了,KF002\n",
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let items = |extra: &[&str]| {
        let mut a = vec![
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--section",
            "items",
            "--format",
            "csv",
        ];
        a.extend_from_slice(extra);
        wd.stdout(&a)
    };
    // (none): the records without a channel, as the by-channel table names them.
    let none = items(&["--channel", "(none)"]);
    assert!(none.contains("N1") && !none.contains("T03"), "{none}");
    // 京東 is the store's 京东; 售後一組 its 售后一组.
    assert_eq!(items(&["--channel", "京東"]), items(&["--channel", "京东"]));
    assert!(items(&["--channel", "京东"]).contains("T03"));
    assert_eq!(
        items(&["--department", "售後一組"]),
        items(&["--department", "售后一组"])
    );
    wd.kefu(&["report", "daily", "--channel", "天猫"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "(known: 京东, 抖音, 淘宝, 电话, (none))",
        ));
    wd.kefu(&["report", "daily", "--agent", "张玮"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("(did you mean 张伟 (KF003)?)"));
}

#[test]
fn a_table_too_wide_for_the_terminal_is_written_row_by_row() {
    // Found by exploratory testing: at 80 columns comfy-table split every
    // column evenly, a time as "2026-11 / -20 08: / 15:00".
    let wd = workspace();
    let table = |columns: &str| {
        let out = wd
            .kefu(&[
                "report",
                "daily",
                "--date",
                "2026-11-20",
                "--section",
                "items",
                "--format",
                "table",
            ])
            .env("COLUMNS", columns)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let narrow = table("80");
    assert!(narrow.contains("─[ 1 ]"), "{narrow}");
    assert!(
        narrow
            .lines()
            .any(|l| l.starts_with("time") && l.ends_with("│ 2026-11-20 08:15:00")),
        "{narrow}"
    );
    let wide = table("400");
    assert!(
        !wide.contains("─[ 1 ]") && wide.contains("2026-11-20 08:15:00"),
        "{wide}"
    );
}

#[test]
fn classify_names_a_misspelt_subcommand() {
    let wd = Workdir::new();
    wd.kefu(&["classify", "evl", "test.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unrecognized subcommand \"evl\" (did you mean eval?)",
        ));
}

#[test]
fn one_channel_or_department_in_both_scripts_is_one() {
    // Found by exploratory testing: 京东 and 京東 (a Taiwan shop's export)
    // were two channels, each filter finding part of the records.
    let wd = workspace();
    let f = wd.write(
        "tw.csv",
        "評價ID,評價時間,評價等級,評價內容,客服工號,渠道,部門\n\
         W1,2026-11-20 12:00,差評,回覆太慢,KF003,京東,售後一組\n",
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let daily = |extra: &[&str]| {
        let mut a = vec![
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--format",
            "json",
        ];
        a.extend_from_slice(extra);
        wd.json(&a)
    };
    let all = daily(&[]);
    // T03 and T04 (京东) and W1 (京東): one row, under the first spelling met.
    assert_eq!(all["by_channel"]["京东"], 3, "{}", all["by_channel"]);
    assert!(all["by_channel"].get("京東").is_none());
    assert_eq!(daily(&["--channel", "京東"])["total"], 3);
    assert_eq!(daily(&["--channel", "京东"])["total"], 3);
    let dept = daily(&["--department", "售後一組"]);
    assert_eq!(dept, daily(&["--department", "售后一组"]));
    // (none) is known whether or not some record lacks a channel.
    assert_eq!(daily(&["--channel", "(none)"])["total"], 0);
    // Items keep what the export wrote.
    let items = wd.stdout(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--section",
        "items",
        "--format",
        "csv",
    ]);
    assert!(items.contains("京東") && items.contains("京东"), "{items}");
    // One row in both periods of a comparison, whichever spelling each met
    // first (found by exploratory testing: 京東 0 vs 2, best; 京东 2 vs 0).
    let g = wd.write(
        "tw2.csv",
        "評價ID,評價時間,評價等級,評價內容,客服工號,渠道
W2,2026-11-19 12:00,差評,回覆太慢,KF003,京東
",
    );
    wd.kefu(&["import", "-q", "reviews", &g]).assert().success();
    let compare = wd.stdout(&[
        "report",
        "compare",
        "--by",
        "channel",
        "--period",
        "2026-11-20",
        "--vs",
        "2026-11-19",
        "--format",
        "csv",
    ]);
    let rows: Vec<&str> = compare.lines().filter(|l| l.contains("京")).collect();
    assert_eq!(rows.len(), 1, "{compare}");
    assert!(rows[0].starts_with("4,京东,3,1,"), "{compare}");
}

#[test]
fn periods_named_from_today_stay_within_1970_to_2200() {
    let wd = workspace();
    wd.set_today("1970-01-15");
    wd.kefu(&["report", "compare", "--by", "agent", "--period", "上月"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "\"上月\" is 1969-12, outside the years 1970 to 2200",
        ));
}

#[test]
fn rows_written_one_by_one_wrap_within_the_terminal() {
    let wd = workspace();
    let long = "客服态度非常差，".repeat(12);
    let f = wd.write(
        "long.csv",
        format!(
            "评价ID,评价时间,评价等级,评价内容,客服工号\nL1,2026-11-20 13:00,差评,{long},KF001\n"
        ),
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let out = wd
        .kefu(&[
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--section",
            "ITEMS",
        ])
        .env("COLUMNS", "40")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("─[ 1 ]"), "{text}");
    let widest = text
        .lines()
        .skip_while(|l| !l.starts_with("─[ 1 ]"))
        .map(unicode_width::UnicodeWidthStr::width)
        .max()
        .unwrap();
    assert!(widest <= 40, "a line of {widest} columns:\n{text}");
    // The excerpt goes on over lines of its own under the value column.
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("excerpt") && l.contains("客服态度非常差"))
        .unwrap();
    assert!(
        lines[at + 1].starts_with(' ') && lines[at + 1].trim_start().starts_with('│'),
        "{text}"
    );
}

#[test]
fn sections_by_their_english_title_and_kinds_in_traditional() {
    let wd = workspace();
    let daily = |extra: &[&str]| {
        let mut a = vec!["report", "daily", "--date", "2026-11-20", "--format", "csv"];
        a.extend_from_slice(extra);
        wd.stdout(&a)
    };
    assert_eq!(
        daily(&["--section", "by cause"]),
        daily(&["--section", "by_cause"])
    );
    assert_eq!(
        daily(&["--section", "按原因 by cause"]),
        daily(&["--section", "by_cause"])
    );
    assert_eq!(daily(&["--kind", "投訴"]), daily(&["--kind", "complaint"]));
}

#[test]
fn a_repeated_header_is_skipped_by_import_and_report_input() {
    let wd = workspace();
    let f = wd.write(
        "joined.csv",
        "评价ID,评价时间,评价等级,评价内容\nJ1,2026-11-20 09:00,差评,太慢\n\u{feff}评价ID,评价时间,评价等级,评价内容\nJ2,2026-11-20 10:00,差评,太慢\n",
    );
    let (v, err) = wd.json_and_stderr(&["import", "reviews", &f, "--format", "json"]);
    assert_eq!(
        (v["new"].as_u64(), v["rejected"].as_u64()),
        (Some(2), Some(0)),
        "{err}"
    );
    assert!(
        err.contains(
            "1 row(s) repeating the header skipped (first: line 3; exports joined with cat?)"
        ),
        "{err}"
    );
    // (none) in any width or case; a section by a part of its Chinese title.
    let none = |v: &str| {
        wd.stdout(&[
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--channel",
            v,
            "--format",
            "csv",
        ])
    };
    assert_eq!(none("（NONE）"), none("(none)"));
    let causes = |s: &str| {
        wd.stdout(&[
            "report",
            "causes",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--section",
            s,
            "--format",
            "csv",
        ])
    };
    assert_eq!(causes("帕累托"), causes("pareto"));
}

#[test]
fn a_long_table_too_wide_for_the_terminal_is_written_row_by_row_too() {
    // Found by exploratory testing: past 2,000 items the terminal width was
    // ignored.
    let wd = workspace();
    let mut csv = String::from("评价ID,评价时间,评价等级,评价内容,客服工号\n");
    for i in 0..2_100 {
        csv.push_str(&format!(
            "M{i},2026-11-20 11:{:02},差评,回复太慢,KF001\n",
            i % 60
        ));
    }
    let f = wd.write("many.csv", csv);
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let out = wd
        .kefu(&[
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "--section",
            "items",
        ])
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("─[ 2100 ]"),
        "{}",
        &text[..2000.min(text.len())]
    );
}

#[test]
fn outputs_hold_odd_data_whole_and_refuse_a_misnamed_file() {
    // Found by exploratory testing of every output format.
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let wd = workspace();
    let long = "长".repeat(40_000);
    // Excel counts UTF-16 units: 20,000 emoji are 40,000.
    let emoji = "😡".repeat(20_000);
    let f = wd.write(
        "odd.csv",
        format!(
            "评价ID,评价时间,评价等级,评价内容,渠道\nX1,2026-11-20 10:00,差评,~~已解决~~ *急* <img src=x onerror=alert(1)>,{long}\nX2,2026-11-20 11:00,差评,慢,{emoji}\n"
        ),
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    // One 40,000-character value is cut in the xlsx (Excel's limit is
    // 32,767 per cell), said, and the workbook is written.
    let path = wd.path("daily.xlsx");
    let out = wd
        .kefu(&[
            "report",
            "daily",
            "--date",
            "2026-11-20",
            "-o",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("longer than Excel's 32,767 characters per cell, cut"),
        "{err}"
    );
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let items = book.worksheet_range("items").unwrap();
    // The items' cell that starts with `c` (a channel).
    let starting = |c: char| {
        items
            .rows()
            .flat_map(|r| r.iter())
            .find_map(|cell| match cell {
                Data::String(s) if s.starts_with(c) => Some(s.clone()),
                _ => None,
            })
            .expect("the long channel is in the items")
    };
    let cut = starting('长');
    assert_eq!(cut.chars().count(), 32_767);
    assert!(cut.ends_with("长…"));
    assert_eq!(starting('😡').encode_utf16().count(), 32_767);
    assert!(err.contains("and 1 more"), "{err}");
    // Markdown shows customer text as text: no live HTML, no emphasis.
    let md = wd.stdout(&["report", "daily", "--date", "2026-11-20", "--format", "md"]);
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"), "{md}");
    assert!(md.contains(r"\*急\*"), "{md}");
    assert!(md.contains(r"\~\~已解决\~\~"), "{md}");
    assert!(!md.contains("<img"), "{md}");
    // --format and the output file's name disagree: a usage error, and no
    // file (HR's bonus.xlsx holding CSV text would not open).
    for (format, name) in [("csv", "bonus.xlsx"), ("xlsx", "r.csv"), ("md", "r.html")] {
        let o = wd.path(name);
        wd.kefu(&[
            "bonus",
            "--quarter",
            "2026Q4",
            "--format",
            format,
            "-o",
            o.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "--format {format} does not match the output file's name"
        )));
        assert!(!o.exists(), "{name}");
    }
    // The same for classify's record formats; a name without a format's
    // extension is still the flag's to decide.
    wd.kefu(&[
        "classify",
        &f,
        "--format",
        "json",
        "-o",
        wd.path("c.csv").to_str().unwrap(),
    ])
    .assert()
    .code(2);
    // A format classify does not write: said so, with the way to Excel.
    let xlsx = wd.path("c.xlsx");
    wd.kefu(&[
        "classify",
        &f,
        "--format",
        "csv",
        "-o",
        xlsx.to_str().unwrap(),
    ])
    .assert()
    .code(2)
    .stderr(
        predicate::str::contains("does not write .xlsx").and(predicate::str::contains("--excel")),
    );
    assert!(!xlsx.exists());
    wd.kefu(&[
        "classify",
        &f,
        "--format",
        "json",
        "-o",
        wd.path("c.out").to_str().unwrap(),
    ])
    .assert()
    .success();
}

#[test]
fn html_reads_without_its_style_sheet() {
    // Found by exploratory testing: header cells without a scope, and facts
    // whose value ran into its label without CSS ("13差评/投诉 …").
    let wd = workspace();
    let html = wd.stdout(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "html",
    ]);
    assert!(
        html.contains(
            "<dl class=\"facts\"><div class=\"fact\"><dt>日期 date</dt><dd>2026-11-20</dd></div>"
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "<table aria-labelledby=\"by_cause\"><thead><tr><th scope=\"col\">cause</th>"
        ),
        "{html}"
    );
    assert!(html.contains("<h2 id=\"by_cause\">"), "{html}");
    assert!(!html.contains("<th>"), "{html}");
}

/// Found by exploratory testing: a NUL character stored from a JSON export
/// is no NUL byte in a report's CSV or HTML (U+FFFD, said), which readers
/// would take for a binary file.
#[test]
fn reports_write_no_nul_byte() {
    let wd = Workdir::new();
    let f = wd.write(
        "n.jsonl",
        "{\"id\":\"1\",\"created_at\":\"2026-11-20 10:00\",\"content\":\"态度\\u0000很差\",\"rating\":\"差评\"}\n",
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    for format in ["csv", "html"] {
        let out = wd
            .kefu(&[
                "report",
                "daily",
                "--date",
                "2026-11-20",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{format}");
        assert!(!out.stdout.contains(&0), "{format}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("态度\u{fffd}很差"),
            "{format}"
        );
    }
}

/// Found by exploratory testing: a one-line API response piped into
/// `report --input -` is read with `--input-format json`, which the error
/// without it names.
#[test]
fn report_input_takes_an_input_format() {
    let wd = Workdir::new();
    let api = "{\"code\":0,\"data\":{\"list\":[{\"id\":\"a1\",\"created_at\":\"2026-11-20 10:00\",\"content\":\"态度很差\",\"rating\":\"差评\"}]}}\n";
    let args = [
        "report",
        "causes",
        "--input",
        "-",
        "--from",
        "2026-11-20",
        "--to",
        "2026-11-20",
    ];
    let out = wd.kefu(&args).write_stdin(api).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --input-format json"));
    let mut with = args.to_vec();
    with.extend(["--input-format", "json", "--format", "json"]);
    let out = wd.kefu(&with).write_stdin(api).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 1, "{v}");
}

/// Found by exploratory testing: counting reports read records in storage
/// order, and `compare --by agent` took a moved agent's department from
/// whichever record was stored first; it is the first record's by date
/// (as before), whatever order the export listed them in.
#[test]
fn compare_by_agent_shows_the_first_records_department_whatever_the_import_order() {
    let mut seen = vec![];
    for rows in [
        "R2,2026-07-10 10:00,1,态度很差,A3,京东\nR1,2026-05-10 10:00,1,态度很差,A3,京东\n",
        "R1,2026-05-10 10:00,1,态度很差,A3,京东\nR2,2026-07-10 10:00,1,态度很差,A3,京东\n",
    ] {
        let wd = Workdir::new();
        let roster = wd.write(
            "ag.csv",
            "工号,客服姓名,部门,组长工号,入职日期,离职日期\nA1,王芳,售前组,,2024-01-01,\nA3,张伟,售后一组,,2024-01-01,\n",
        );
        let moved = wd.write(
            "move.csv",
            "工号,客服姓名,部门,调岗日期\nA3,张伟,售后二组,2026-06-01\n",
        );
        for f in [&roster, &moved] {
            wd.kefu(&["import", "-q", "agents", f]).assert().success();
        }
        let reviews = wd.write(
            "r.csv",
            format!("评价ID,评价时间,星级,评论,客服ID,渠道\n{rows}R3,2026-05-11 10:00,1,回复慢,A1,京东\n"),
        );
        wd.kefu(&["import", "-q", "reviews", &reviews])
            .assert()
            .success();
        let out = wd.stdout(&[
            "report", "compare", "--by", "agent", "--period", "2026", "--vs", "2025", "--format",
            "csv",
        ]);
        let a3: Vec<&str> = out.lines().filter(|l| l.contains(",A3,")).collect();
        assert_eq!(a3.len(), 1, "{out}");
        assert!(a3[0].contains(",张伟,售后一组,"), "{out}");
        seen.push(a3[0].to_string());
    }
    assert_eq!(seen[0], seen[1]);
}

/// A period the user wrote with a space is quoted as written (found by
/// exploratory testing: `"Q32026"`).
#[test]
fn an_unreadable_period_is_quoted_as_written() {
    let wd = Workdir::new();
    wd.kefu(&["report", "compare", "--by", "agent", "--period", "Q3 2026"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"Q3 2026\""))
        .stderr(predicate::str::contains("Q32026").not());
}

/// Regression (exploratory testing): `compare --by agent` gave an agent the
/// roster lacks, named only by a name, the name as its agent_id and no
/// department, where the daily report shows no id and "(none)".
#[test]
fn compare_by_agent_shows_a_name_only_agent_as_the_daily_report_does() {
    let wd = Workdir::new();
    let roster = wd.write("a.csv", "工号,客服姓名,部门\nKF001,王芳,售前组\n");
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    let f = wd.write(
        "r.csv",
        "评价ID,评价时间,评价等级,评价内容,接待客服\n\
         N1,2026-12-04 10:00,差评,态度差,王芳\n\
         N2,2026-12-04 13:00,差评,态度差,小李\n",
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let rows = |args: &[&str]| -> Vec<(String, String, String)> {
        wd.json(args)
            .as_object()
            .unwrap()
            .values()
            .find_map(|v| {
                v.as_array()
                    .filter(|a| a.iter().any(|r| r.get("agent_name").is_some()))
            })
            .unwrap()
            .iter()
            .map(|r| {
                let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
                (s("agent_id"), s("agent_name"), s("department"))
            })
            .collect()
    };
    let mut compare = rows(&[
        "report",
        "compare",
        "--by",
        "agent",
        "--period",
        "2026-12-04",
        "--format",
        "json",
    ]);
    let mut daily = rows(&[
        "report",
        "daily",
        "--date",
        "2026-12-04",
        "--format",
        "json",
    ]);
    compare.sort();
    daily.sort();
    assert_eq!(
        compare,
        [
            ("".into(), "小李".into(), "(none)".into()),
            ("KF001".into(), "王芳".into(), "售前组".into())
        ]
    );
    assert_eq!(compare, daily);
}

/// Regression (exploratory testing): `--encoding gbk` and `--excel` were
/// quietly dropped for formats other than CSV.
#[test]
fn csv_options_with_another_format_are_a_usage_error() {
    let wd = Workdir::new();
    for (format, flag) in [
        ("json", "--excel"),
        ("md", "--encoding"),
        ("html", "--excel"),
        ("xlsx", "--encoding"),
    ] {
        let out = wd.path(&format!("out.{format}"));
        let mut args = vec!["report", "causes", "--format", format, "-o"];
        let out = out.to_str().unwrap();
        args.push(out);
        if flag == "--excel" {
            args.push("--excel");
        } else {
            args.extend(["--encoding", "gbk"]);
        }
        wd.kefu(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{flag} is for CSV output"
            )));
        assert!(!std::path::Path::new(out).exists(), "{format}");
    }
    // With CSV, and an explicit utf-8 with any format, they are fine.
    wd.kefu(&["report", "causes", "--format", "csv", "--encoding", "gbk"])
        .assert()
        .success();
    wd.kefu(&[
        "report",
        "causes",
        "--format",
        "json",
        "--encoding",
        "utf-8",
    ])
    .assert()
    .success();
    // `classify --excel` is for CSV and TSV.
    let f = wd.write("c.csv", "content\n态度差\n");
    wd.kefu(&["classify", &f, "--format", "jsonl", "--excel"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--excel is for CSV or TSV output"));
}

/// Regression (exploratory testing): `--from` after today without `--to`
/// named an end the user never typed and no way out.
#[test]
fn from_after_today_without_to_says_the_end_is_today() {
    let wd = Workdir::new();
    wd.kefu(&["report", "causes", "--from", "2026-12-20"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--from 2026-12-20 is after today (2026-12-05), where the period ends without --to: give --to as well",
        ));
}

/// Regression (exploratory testing, the round after): an id the roster
/// lacks, typed into one export's name column and another's id column, is
/// one agent in compare, not two rows.
#[test]
fn compare_by_agent_keeps_an_id_typed_as_a_name_with_that_id() {
    let wd = Workdir::new();
    let reviews = wd.write(
        "r.csv",
        "评价ID,评价时间,评价等级,评价内容,接待客服\nN1,2026-12-04 10:00,差评,态度差,kf099\n",
    );
    // Written in other case and width, an id is the same agent (round 59),
    // shown as first met.
    let complaints = wd.write(
        "c.csv",
        "投诉编号,投诉时间,投诉内容,客服工号\nC1,2026-12-04 11:00,回复太慢,KF099\nC2,2026-12-04 12:00,回复太慢,ＫＦ０９９\n",
    );
    wd.kefu(&["import", "-q", "reviews", &reviews])
        .assert()
        .success();
    wd.kefu(&["import", "-q", "complaints", &complaints])
        .assert()
        .success();
    let v = wd.json(&[
        "report",
        "compare",
        "--by",
        "agent",
        "--period",
        "2026-12-04",
        "--format",
        "json",
    ]);
    let ids_and_counts = |rows: &serde_json::Value| -> Vec<(String, i64)> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["agent_id"].as_str().unwrap().to_string(),
                    r["count"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(ids_and_counts(&v["ranking"]), [("KF099".to_string(), 3)]);
    // So is the daily report's by_agent.
    let daily = wd.json(&[
        "report",
        "daily",
        "--date",
        "2026-12-04",
        "--format",
        "json",
    ]);
    assert_eq!(
        ids_and_counts(&daily["by_agent"]),
        [("KF099".to_string(), 3)]
    );
    // --agent in any of its spellings finds them all (round 61).
    for spelling in ["KF099", "kf099", "ＫＦ０９９"] {
        let v = wd.json(&[
            "report",
            "daily",
            "--date",
            "2026-12-04",
            "--agent",
            spelling,
            "--format",
            "json",
        ]);
        assert_eq!(
            ids_and_counts(&v["by_agent"]),
            [("KF099".to_string(), 3)],
            "{spelling}"
        );
    }
}

/// Regression (exploratory testing, round 66 noted): an agent id or name
/// the roster lacks that reads as personal data (a phone number shifted
/// into 客服工号 or 客服) is masked in the daily report's items and agents
/// and in `compare --by agent`; a roster agent whose id is all digits is
/// shown as the roster has it; `--no-mask` shows all.
#[test]
fn off_roster_agent_ids_that_are_phone_numbers_are_masked() {
    let wd = Workdir::new();
    let roster = wd.write(
        "a.csv",
        "工号,客服姓名,部门,入职日期\n13900001111,王芳,售前组,2024-03-01\n",
    );
    wd.kefu(&["import", "-q", "agents", &roster])
        .assert()
        .success();
    let reviews = wd.write(
        "r.csv",
        "评价ID,评价时间,客服工号,客服,评价等级,评价内容\n1,2026-11-20 10:00,13812345678,13712345678,差评,态度很差\n2,2026-11-20 11:00,13900001111,王芳,差评,回复太慢\n",
    );
    wd.kefu(&["import", "-q", "reviews", &reviews])
        .assert()
        .success();
    let daily = [
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "json",
    ];
    let v = wd.json(&daily);
    let text = v.to_string();
    assert!(
        !text.contains("13812345678") && !text.contains("13712345678"),
        "{text}"
    );
    let ids: Vec<&str> = v["by_agent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["agent_id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"138****5678") && ids.contains(&"13900001111"),
        "{ids:?}"
    );
    let items = v["items"].as_array().unwrap();
    assert!(
        items.iter().any(|i| i["agent_name"] == "137****5678"),
        "{items:?}"
    );
    let compare = wd.stdout(&[
        "report", "compare", "--by", "agent", "--period", "2026-11", "--format", "csv",
    ]);
    assert!(compare.contains("138****5678,137****5678"), "{compare}");
    assert!(!compare.contains("13812345678"), "{compare}");
    let mut unmasked = daily.to_vec();
    unmasked.push("--no-mask");
    assert!(wd.stdout(&unmasked).contains("13812345678"));
}

/// Found by exploratory testing (round 78): `-o /dev/stdout` into a log
/// the shell also writes to reopened it with a position of its own, and the
/// shell's next line landed over the report.
#[cfg(unix)]
#[test]
fn dev_stdout_shares_the_shells_position_in_a_log() {
    let wd = Workdir::new();
    let out = wd.shell(
        "{ echo before; \"$KEFU\" report daily --date 2026-11-20 --format csv -o /dev/stdout; echo after; } > log.txt 2>/dev/null",
    );
    assert!(out.status.success());
    let log = std::fs::read_to_string(wd.path("log.txt")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.first(), Some(&"before"), "{log}");
    assert_eq!(lines.last(), Some(&"after"), "{log}");
    assert!(lines.len() > 3 && lines[1].contains("summary"), "{log}");
}

/// Help and version print on stdout with exit 0, also into a pipe closed
/// before they are written (a reader gone is no error, as for any output).
#[cfg(unix)]
#[test]
fn help_and_version_into_a_closed_pipe_exit_0() {
    let wd = Workdir::empty();
    let out = wd.shell("\"$KEFU\" --version");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("kefu "));
    for args in ["--help", "--version", "report --help"] {
        let out = wd.shell(&format!("{{ sleep 0.3; \"$KEFU\" {args}; }} | true"));
        assert_eq!(out.status.code(), Some(0), "{args}: {out:?}");
        assert!(out.stderr.is_empty(), "{args}: {out:?}");
    }
}

/// Found by exploratory testing (round 79): where stdout is redirected
/// decides as `-o` does. `-o /dev/stdout` into a store or a kefu.toml is
/// refused; `bonus --statements st` with stdout in `st` had a statement
/// renamed over the report; `--rejects /dev/stdout` mixed the rejects into
/// the JSON summary; a stdout open for reading only lost the report, exit
/// 0; a kefu.toml that is a pipe made every command wait.
#[cfg(unix)]
#[test]
fn stdout_redirected_is_checked_like_an_output_file() {
    let wd = Workdir::new();
    let code = |script: &str| {
        let out = wd.shell(script);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let db = std::fs::read(wd.path("kefu.db")).unwrap();
    let (rc, err) =
        code("\"$KEFU\" report daily --date 2026-11-20 --format csv -o /dev/stdout 1<>kefu.db");
    assert_eq!(rc, Some(1), "{err}");
    assert!(err.contains("is an SQLite database"), "{err}");
    assert_eq!(std::fs::read(wd.path("kefu.db")).unwrap(), db);
    // Round 81: stdout by default, `-o -` and `--rejects -` too.
    for script in [
        "\"$KEFU\" report daily --date 2026-11-20 --format csv 1<>kefu.db",
        "\"$KEFU\" report daily --date 2026-11-20 --format csv -o - 1<>kefu.db",
        "\"$KEFU\" import reviews bad.csv --rejects - 1<>kefu.db",
        "\"$KEFU\" --help 1<>kefu.db",
    ] {
        wd.write("bad.csv", "评价ID,评价时间,评价内容\nR1,not a date,慢\n");
        let (rc, err) = code(script);
        assert_eq!(rc, Some(1), "{script}: {err}");
        assert!(err.contains("is an SQLite database"), "{err}");
        assert_eq!(std::fs::read(wd.path("kefu.db")).unwrap(), db);
    }
    let toml = std::fs::read(wd.path("kefu.toml")).unwrap();
    let (rc, err) =
        code("\"$KEFU\" report daily --date 2026-11-20 --format csv -o /dev/fd/1 >> kefu.toml");
    assert_eq!(rc, Some(1), "{err}");
    assert_eq!(std::fs::read(wd.path("kefu.toml")).unwrap(), toml);
    // The statements' directory.
    std::fs::create_dir(wd.path("st")).unwrap();
    for script in [
        "\"$KEFU\" bonus --quarter 2026Q3 --format csv --statements st -o /dev/stdout > st/KF001.html",
        "\"$KEFU\" bonus --quarter 2026Q3 --statements st > st/KF001.html",
    ] {
        let (rc, err) = code(script);
        assert_eq!(rc, Some(2), "{script}: {err}");
        assert!(err.contains("inside the --statements directory"), "{err}");
    }
    let (rc, err) = code("\"$KEFU\" bonus --quarter 2026Q3 --statements st > report.txt");
    assert_eq!(rc, Some(0), "{err}");
    // Rejects and the JSON summary.
    wd.write("bad.csv", "评价ID,评价时间,评价内容\nR1,not a date,慢\n");
    for rejects in ["/dev/stdout", "out.json"] {
        let (rc, err) = code(&format!(
            "\"$KEFU\" import reviews bad.csv --format json --rejects {rejects} > out.json"
        ));
        assert_eq!(rc, Some(2), "{rejects}: {err}");
        assert!(err.contains("stdout holds the summary"), "{err}");
    }
    let (rc, err) =
        code("\"$KEFU\" import reviews bad.csv --format json --rejects /dev/null > out.json");
    assert_eq!(rc, Some(0), "{err}");
    // Rejects or classified rows appended to the file read: refused, not
    // read back without end.
    let before = std::fs::read(wd.path("bad.csv")).unwrap();
    for script in [
        "\"$KEFU\" import reviews bad.csv --rejects - >> bad.csv",
        "\"$KEFU\" classify bad.csv >> bad.csv",
        "\"$KEFU\" classify - < bad.csv >> bad.csv",
        "\"$KEFU\" classify bad.csv -o /dev/stdout 1<>bad.csv",
    ] {
        let (rc, err) = code(&format!("timeout 20 {script}"));
        assert_eq!(rc, Some(2), "{script}: {err}");
        assert_eq!(
            std::fs::read(wd.path("bad.csv")).unwrap(),
            before,
            "{script}"
        );
    }
    let (rc, err) = code("\"$KEFU\" classify bad.csv -o bad.csv");
    assert_eq!(rc, Some(0), "-o the input replaces it at the end: {err}");
    // Read-only stdout.
    wd.write("ro.txt", "");
    wd.write(
        "labeled.csv",
        "text,cause\n态度很差,attitude\n回复太慢,response\n",
    );
    for script in [
        "\"$KEFU\" report daily --date 2026-11-20 1<ro.txt",
        "\"$KEFU\" import reviews bad.csv --format json 1<ro.txt",
        "\"$KEFU\" completions bash 1<ro.txt",
        "\"$KEFU\" classify explain 态度差 1<ro.txt",
        "\"$KEFU\" bonus --quarter 2026Q3 --statements st2 1<ro.txt",
        "\"$KEFU\" classify train labeled.csv 1<ro.txt",
        // Help and version too (round 92: exit 0, nothing written).
        "\"$KEFU\" --help 1<ro.txt",
        "\"$KEFU\" report --help 1<ro.txt",
        "\"$KEFU\" --version 1<ro.txt",
        "\"$KEFU\" --version > /dev/full",
    ] {
        let (rc, err) = code(script);
        assert_eq!(rc, Some(1), "{script}: {err}");
        assert!(err.contains("cannot write stdout"), "{err}");
    }
    // A full disk under the JSON summary: said as stdout's, the import done
    // (round 86).
    wd.write(
        "good.csv",
        "评价ID,评价时间,评价内容\nR9,2026-11-20 10:00,慢\n",
    );
    let (rc, err) = code("\"$KEFU\" import reviews good.csv --format json > /dev/full");
    assert_eq!(rc, Some(1), "{err}");
    assert!(
        err.contains("cannot write the summary to stdout; the import itself is done"),
        "{err}"
    );
    // Checked before anything is written (round 83).
    assert!(!wd.path("st2").exists());
    assert!(!wd.path("classify-model.json").exists());
    // A kefu.toml that is a pipe.
    let ws = tempfile::tempdir().unwrap();
    let fifo = ws.path().join("kefu.toml");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let other = tempfile::tempdir().unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(other.path().join("kefu.db"))
        .status()
        .unwrap()
        .success());
    let out = wd.process().arg("init").arg(other.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kefu.db is not a file"));
    for args in [&["init"][..], &["report", "daily"]] {
        let out = wd
            .process()
            .arg("-w")
            .arg(ws.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("kefu.toml must be a regular file"));
    }
}

/// Found by exploratory testing (round 86): the daily report split an id
/// the roster lacks into one row per name exports gave it, and a name-only
/// agent into one row per spelling (陈静, 陳靜, 陈 静) where `--agent`
/// found one; placeholders (`-`, `无`, `N/A`) became an agent, a channel, a
/// department of their own.
#[test]
fn one_agent_one_row_and_placeholders_are_nothing() {
    let wd = Workdir::new();
    let f = wd.write(
        "shop-20261204.csv",
        "id,created_at,客服工号,客服,渠道,部门,rating,content\n\
         A1,2026-12-04 10:00,KF099,,淘宝,售后,1,客服态度很差\n\
         A2,2026-12-04 11:00,KF099,小李,淘宝,售后,1,客服态度很差\n\
         A3,2026-12-04 12:00,KF099,李小龙,淘宝,售后,1,客服态度很差\n\
         B1,2026-12-04 13:00,,陈静,淘宝,售后,1,客服态度很差\n\
         B2,2026-12-04 14:00,,陳靜,淘宝,售后,1,客服态度很差\n\
         B3,2026-12-04 15:00,,陈 静,淘宝,售后,1,客服态度很差\n\
         C1,2026-12-04 16:00,-,无,N/A,—,1,客服态度很差\n",
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let section = |date: &str, name: &str| {
        wd.stdout(&[
            "report",
            "daily",
            "--date",
            date,
            "--format",
            "csv",
            "--section",
            name,
        ])
    };
    let daily = section("2026-12-04", "by_agent");
    let rows: Vec<&str> = daily.lines().skip(1).collect();
    assert!(rows.contains(&"KF099,小李,售后,3"), "{daily}");
    assert!(rows.contains(&",陈静,售后,3"), "{daily}");
    assert!(rows.contains(&",,(none),1"), "{daily}");
    assert_eq!(rows.len(), 3, "{daily}");
    let compare = wd.stdout(&[
        "report",
        "compare",
        "--by",
        "agent",
        "--period",
        "2026-12-04",
        "--format",
        "csv",
    ]);
    assert!(compare.contains("KF099,小李,售后,3,"), "{compare}");
    assert!(compare.contains(",陈静,售后,3,"), "{compare}");
    let channels = section("2026-12-04", "by_channel");
    assert!(channels.contains("(none),1"), "{channels}");
    assert!(!channels.contains("N/A"), "{channels}");
    // One row per agent also when exports gave two departments (round 88).
    let f = wd.write(
        "shop-20261205.csv",
        "id,created_at,客服工号,部门,rating,content\nD1,2026-12-03 10:00,KF099,售后,1,太慢\nD2,2026-12-03 11:00,KF099,售前,1,太慢\n",
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let daily = section("2026-12-03", "by_agent");
    assert_eq!(
        daily.lines().skip(1).collect::<Vec<_>>(),
        ["KF099,,售后,2"],
        "{daily}"
    );
}

/// Found by exploratory testing (round 89): beside a store, a kefu.toml
/// that is a pipe hung every command, and one linked to /dev/zero was read
/// until memory ran out (the check for an emptied kefu.toml read it before
/// the check for a device); one linked to /dev/null was called emptied.
#[cfg(unix)]
#[test]
fn settings_that_are_a_pipe_or_a_device_beside_a_store_are_refused() {
    let wd = Workdir::new();
    for (i, (make, said)) in [
        (
            "rm kefu.toml && mkfifo kefu.toml",
            "kefu.toml must be a regular file",
        ),
        (
            "rm kefu.toml && ln -s /dev/zero kefu.toml",
            "kefu.toml must be a regular file",
        ),
        (
            "rm kefu.toml && ln -s /dev/null kefu.toml",
            "kefu.toml must be a regular file",
        ),
        // The store's journal: SQLite waited on a pipe there; beside the
        // file a linked kefu.db leads to, where SQLite keeps it (round 90).
        ("mkfifo kefu.db-wal", "kefu.db-wal is not a file"),
        (
            "mkdir real && mv kefu.db real/ && ln -s real/kefu.db kefu.db && mkfifo real/kefu.db-journal",
            "real/kefu.db-journal is not a file",
        ),
        // And beside the link, which kefu's own check opened (round 91).
        (
            "mkdir real && mv kefu.db real/ && ln -s real/kefu.db kefu.db && mkfifo kefu.db-wal",
            "kefu.db-wal is not a file",
        ),
    ]
    .iter()
    .enumerate()
    {
        let script = format!(
            "\"$KEFU\" -q init w{i} && cd w{i} && {make} && timeout 20 \"$KEFU\" -w . bonus --quarter 2026Q3"
        );
        let out = wd.shell(&script);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{make}: {err}");
        assert!(err.contains(said), "{make}: {err}");
    }
}

/// Found by exploratory testing (round 89): `report --input - -o /dev/stdin
/// < x.csv` appended the report to the export it was made from, exit 0,
/// and so did stdout redirected into it (`>> x.csv`); `classify x.csv
/// 1<x.csv` was refused as a loop (exit 2) rather than as a stdout that
/// cannot be written.
#[cfg(unix)]
#[test]
fn a_report_is_not_written_into_its_input() {
    let wd = Workdir::new();
    let export = "id,created_at,rating,content\nR1,2026-11-20 10:00,差评,客服态度很差\n";
    wd.write("x.csv", export);
    for script in [
        "\"$KEFU\" report causes --input - --format csv -o /dev/stdin < x.csv",
        "\"$KEFU\" report causes --input x.csv --format csv >> x.csv",
        "\"$KEFU\" report causes --input - --format csv < x.csv >> x.csv",
    ] {
        let out = wd.shell(script);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{script}: {err}");
        assert!(err.contains("the --input file"), "{script}: {err}");
        assert_eq!(std::fs::read_to_string(wd.path("x.csv")).unwrap(), export);
    }
    // Elsewhere it is written, from a file or from stdin.
    for script in [
        "\"$KEFU\" report causes --input - --format csv < x.csv > y.csv",
        "\"$KEFU\" report causes --input x.csv --format csv -o y.csv",
    ] {
        let out = wd.shell(script);
        assert!(out.status.success(), "{script}");
        assert!(std::fs::read_to_string(wd.path("y.csv"))
            .unwrap()
            .contains("attitude"));
    }
    let out = wd.shell("\"$KEFU\" classify x.csv 1<x.csv");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot write stdout"), "{err}");
}

/// Found by exploratory testing (round 92): `-o` naming the file a linked
/// kefu.toml leads to (another name) wrote a report over the workspace's
/// settings; `kefu init` made a store beside a pipe named kefu.db-wal,
/// which every command after refused.
#[cfg(unix)]
#[test]
fn settings_behind_a_link_are_no_output_and_init_refuses_a_pipe_journal() {
    let wd = Workdir::new();
    let out = wd.shell(
        "mkdir conf && mv kefu.toml conf/settings.toml && ln -s conf/settings.toml kefu.toml \
         && cp conf/settings.toml before.toml \
         && \"$KEFU\" report daily --date 2026-11-20 --format csv -o conf/settings.toml",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("a workspace's settings"), "{err}");
    assert_eq!(
        std::fs::read(wd.path("conf/settings.toml")).unwrap(),
        std::fs::read(wd.path("before.toml")).unwrap()
    );
    let out =
        wd.shell("mkdir fresh && mkfifo fresh/kefu.db-wal && timeout 20 \"$KEFU\" init fresh");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("kefu.db-wal is not a file"), "{err}");
    assert!(!wd.path("fresh/kefu.db").exists());
}

/// A day with nothing stored at all, where whole exports come, is no quiet
/// day in a trend either, nor is one before the store's first record: both
/// are marked no-data and left out of the statistics (found by exploratory
/// testing: a missing export was the month's "low"). A 差评-only store's
/// empty day stays a quiet day.
#[test]
fn trend_marks_days_without_any_record_no_data() {
    let wd = Workdir::new();
    wd.set_today("2026-12-05");
    let rows = "评价ID,评价时间,评价等级,评价内容\n\
        R1,2026-11-01 10:00,差评,太慢\nR2,2026-11-01 11:00,好评,好\n\
        R3,2026-11-02 10:00,差评,太慢\nR4,2026-11-02 11:00,好评,好\n\
        R5,2026-11-04 11:00,好评,好\n\
        R6,2026-11-05 10:00,差评,太慢\nR7,2026-11-05 10:00,差评,太慢\nR8,2026-11-05 10:00,差评,太慢\n";
    let f = wd.write("shop-1105.csv", rows);
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let trend = |wd: &Workdir| {
        wd.json(&[
            "report",
            "trend",
            "--from",
            "2026-10-31",
            "--to",
            "2026-11-05",
            "--format",
            "json",
        ])
    };
    let v = trend(&wd);
    let marks: Vec<String> = v["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["mark"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(marks, ["no-data", "", "", "no-data", "", "high"], "{v}");
    // The mean of 1, 1, 0 (11-04: reviews, none negative) and 3.
    assert_eq!(v["mean"], 1.25, "{v}");
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("the store's records begin on 2026-11-01"),
        "{notes}"
    );
    assert!(
        notes.contains("nothing at all is stored for 2026-11-03"),
        "{notes}"
    );

    // Negative reviews only: 11-03 and 11-04 are quiet days.
    let only = Workdir::new();
    only.set_today("2026-12-05");
    let negative: String = rows
        .lines()
        .filter(|l| !l.contains("好评"))
        .map(|l| format!("{l}\n"))
        .collect();
    let f = only.write("shop-1105.csv", negative);
    only.kefu(&["import", "-q", "reviews", &f])
        .assert()
        .success();
    let v = trend(&only);
    let marks: Vec<&str> = v["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["mark"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(marks[3..5], ["", ""], "{v}");
}

/// A phone number shifted into the channel or department column, or a
/// file named by one (the source), is masked as an agent id the roster
/// lacks is; `--no-mask` shows it (found by exploratory testing).
#[test]
fn personal_data_in_a_channel_department_or_source_is_masked() {
    let wd = Workdir::new();
    wd.set_today("2026-12-05");
    let f = wd.write(
        "13712345678.csv",
        "评价ID,评价时间,评价等级,评价内容,渠道,部门\nP1,2026-11-20 10:00,差评,太慢,客户电话13812345678,客户13912345678\nP2,2026-11-20 11:00,差评,太慢,京东,售后部\n",
    );
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let masked = wd.stdout(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "json",
    ]);
    for whole in ["13812345678", "13912345678", "13712345678"] {
        assert!(!masked.contains(whole), "{masked}");
    }
    assert!(masked.contains("客户电话138****5678"), "{masked}");
    assert!(
        masked.contains("京东") && masked.contains("售后部"),
        "{masked}"
    );
    let shown = wd.stdout(&[
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--format",
        "json",
        "--no-mask",
    ]);
    assert!(
        shown.contains("客户电话13812345678") && shown.contains("13712345678"),
        "{shown}"
    );
}
