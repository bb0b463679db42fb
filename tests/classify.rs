//! `kefu classify`: stream mode, store mode, explain, eval, train, config rules.

mod common;

use common::Workdir;
use predicates::prelude::*;

/// `kefu classify explain TEXT --rules-only` as JSON.
fn explain_rules(wd: &Workdir, text: &str) -> serde_json::Value {
    wd.json(&[
        "classify",
        "explain",
        text,
        "--format",
        "json",
        "--rules-only",
    ])
}

const EXPORT: &str = "评价ID,评价等级,评价内容,客服\n\
1,差评,\"态度挺好的，就是问题一直没解决\",王芳\n\
2,好评,很满意，客服很耐心,李娜\n\
3,1,\"真快啊，三天才回\",王芳\n\
4,差评,客服态度挺好，就是快递太慢了,李娜\n";

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes);
    r.records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn stream_appends_cause_columns_to_every_row() {
    let wd = Workdir::empty();
    let f = wd.write("x.csv", EXPORT);
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = csv_rows(&out.stdout);
    assert_eq!(
        rows[0],
        [
            "评价ID",
            "评价等级",
            "评价内容",
            "客服",
            "cause",
            "cause_label",
            "causes",
            "cause_evidence"
        ]
    );
    assert_eq!(rows.len(), 5, "every input row comes out");
    assert_eq!(
        rows[1][..4],
        ["1", "差评", "态度挺好的，就是问题一直没解决", "王芳"]
    );
    assert_eq!(rows[1][4..6], ["resolution", "问题解决效果"]);
    assert!(rows[1][7].contains("没解决"), "evidence: {}", rows[1][7]);
    assert_eq!(rows[2][4], "", "a positive review gets no cause");
    assert_eq!(rows[3][4], "response");
    assert_eq!(rows[4][4], "other");
    // --all classifies the positive one too.
    let out = wd.kefu(&["classify", &f, "--all"]).output().unwrap();
    assert_ne!(csv_rows(&out.stdout)[2][4], "");
}

#[test]
fn stdin_gbk_and_jsonl_output() {
    let wd = Workdir::empty();
    let (gbk, _, _) = encoding_rs::GBK.encode(EXPORT);
    let out = wd
        .kefu(&["classify", "-", "--format", "jsonl"])
        .write_stdin(gbk.into_owned())
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["评价内容"], "态度挺好的，就是问题一直没解决");
    assert_eq!(lines[0]["cause"], "resolution");
    assert_eq!(lines[0]["cause_label"], "问题解决效果");
}

#[test]
fn column_option_and_missing_text_column() {
    let wd = Workdir::empty();
    let f = wd.write("x.csv", "编号,买家留言\n1,客服骂人\n");
    wd.kefu(&["classify", &f]).assert().code(1).stderr(
        predicate::str::contains("no text column").and(predicate::str::contains("--column")),
    );
    let out = wd
        .kefu(&["classify", &f, "--column", "买家留言"])
        .output()
        .unwrap();
    assert_eq!(csv_rows(&out.stdout)[1][2], "attitude");
}

#[test]
fn store_mode_refuses_the_streams_options() {
    // `--store --excel` was accepted and did nothing (found by exploratory
    // testing).
    let wd = Workdir::new();
    for option in [
        &["--excel"][..],
        &["--sheet", "明细"],
        &["--encoding", "gbk"],
    ] {
        let mut args = vec!["classify", "--store"];
        args.extend_from_slice(option);
        wd.kefu(&args).assert().code(2);
    }
}

#[test]
fn a_csv_as_pandas_writes_it_with_its_index_column() {
    // `df.to_csv()`: the index column has no name (found by exploratory
    // testing: the first record was taken for the header).
    let wd = Workdir::empty();
    let f = wd.write("p.csv", ",评价内容\n0,客服态度很差\n1,回复太慢了\n");
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][..3], ["0", "客服态度很差", "attitude"]);
    assert_eq!(rows[2][2], "response");
}

#[test]
fn eval_reads_labels_as_import_reads_declared_causes() {
    // 回复慢 and 态度问题 are causes to import and reports; files joined with
    // cat and a totals row are skipped (found by exploratory testing: eval
    // refused them all as unknown causes).
    let wd = Workdir::empty();
    let f = wd.write(
        "lab.csv",
        "text,cause\n客服回复太慢了,回复慢\n客服态度很差,态度问题\n\
         text,cause\n问题一直没解决,问题解决效果\n客服骂人,待定\n合计：5条,\n",
    );
    let out = wd
        .kefu(&["classify", "eval", &f, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["rows"], 3);
    let err = String::from_utf8_lossy(&out.stderr);
    for note in [
        "1 row(s) with no cause",
        "1 row(s) repeating the header",
        "1 totals row(s)",
    ] {
        assert!(err.contains(note), "{note}: {err}");
    }
    // A cause naming none, or two, is still an error naming the row.
    let bad = wd.write("bad.csv", "text,cause\n客服回复太慢了,处理速度慢\n");
    wd.kefu(&["classify", "eval", &bad])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 2").and(predicate::str::contains("处理速度慢")));
}

#[test]
fn an_input_of_no_records_still_writes_an_output_of_none() {
    // A quiet day's empty JSON Lines, or an API's `[]`: `-o` replaces the
    // last run's file, and JSON output is JSON (found by exploratory testing).
    let wd = Workdir::empty();
    let day1 = wd.write(
        "day1.jsonl",
        "{\"content\":\"客服态度很差\",\"rating\":1}\n",
    );
    let day2 = wd.write("day2.jsonl", "");
    let api = wd.write("api.json", "[]");
    let out = wd.path("classified.csv");
    let out = out.to_str().unwrap();
    wd.kefu(&["classify", &day1, "-o", out]).assert().success();
    assert!(std::fs::read_to_string(out)
        .unwrap()
        .contains("客服态度很差"));
    wd.kefu(&["classify", &day2, "-o", out]).assert().success();
    assert_eq!(
        std::fs::read_to_string(out).unwrap(),
        "cause,cause_label,causes,cause_evidence\n"
    );
    for file in [&day2, &api] {
        let o = wd
            .kefu(&["classify", file, "--format", "json"])
            .output()
            .unwrap();
        assert!(o.status.success());
        assert_eq!(String::from_utf8_lossy(&o.stdout), "[]\n", "{file}");
    }
}

#[test]
fn unreadable_rows_pass_through_unless_strict() {
    let wd = Workdir::empty();
    let f = wd.write("x.csv", "id,content\n1,回复太慢\n2,a,b,c\n3,客服骂人\n");
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(out.status.success());
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 4, "the bad row is passed through");
    assert_eq!(rows[2][4], "", "…with an empty cause");
    assert_eq!(rows[2][1], "a,b,c", "…and every field it had");
    assert_eq!(rows[2].len(), 6, "the cause columns line up");
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 3"));
    assert_eq!(rows[3][2], "attitude");
    // The same for tab-separated input, split at its own delimiter.
    let t = wd.write("x.tsv", "id\tcontent\n1\t回复太慢\n2\ta\tb\n");
    let out = wd
        .kefu(&["classify", &t, "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(csv_rows(&out.stdout)[2][..2], ["2", "a\tb"]);
    wd.kefu(&["classify", &f, "--strict"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 3"));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let wd = Workdir::empty();
    let mut big = String::from("id,content\n");
    for i in 0..200_000 {
        big.push_str(&format!("{i},客服回复太慢了，等了{i}分钟\n"));
    }
    let f = wd.write("big.csv", big);
    // Every format: JSON's writer reports a closed pipe through its own error type.
    for format in ["csv", "tsv", "jsonl", "json"] {
        let out = wd.shell(&format!(
            "\"$KEFU\" classify '{f}' --format {format} | head -n 3"
        ));
        assert!(
            out.status.success(),
            "{format}: exit {:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
        assert!(
            out.stderr.is_empty(),
            "{format}: nothing on stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn explain_shows_clauses_matches_and_the_decision() {
    let wd = Workdir::empty();
    wd.kefu(&["classify", "explain", "态度挺好的，就是问题一直没解决"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("decision: resolution (问题解决效果)")
                .and(predicate::str::contains("contrast"))
                .and(predicate::str::contains("praise")),
        );
    let v = wd.json(&[
        "classify",
        "explain",
        "客服不慢但是没解决问题",
        "--format",
        "json",
    ]);
    assert_eq!(v["cause"], "resolution");
    assert!(v["trace"]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["role"] == "negation"));
    // With no phrase for the decision, the line says why: the model made
    // it, or nothing pointed anywhere and `other` is the default.
    // (A bundled example, which the built-in model is sure of.)
    wd.kefu(&[
        "classify",
        "explain",
        "问客服这件羽绒服充绒量多少，她回我“亲，这件衣服很保暖哦”，我问的是数字啊姐",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("the model's pick"));
    wd.kefu(&["classify", "explain", "很好"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "decision: other (其他) — no complaint phrase of any cause found",
        ));
}

#[test]
fn eval_reports_metrics_computed_independently() {
    let wd = Workdir::empty();
    // Three clear rows and one the rules must get wrong (labelled attitude, says slow).
    let f = wd.write(
        "l.csv",
        "text,cause\n客服态度很差,attitude\n回复太慢了,response\n问题一直没解决,问题解决效果\n等了三个小时没人回,attitude\n",
    );
    let v = wd.json(&["classify", "eval", &f, "--format", "json", "--errors"]);
    assert_eq!(v["accuracy"], 0.75);
    // attitude: precision 1/1, recall 1/2 -> f1 2/3; response: precision 1/2, recall 1/1 -> 2/3; resolution 1.
    let f1 = |c: &str| v["per_cause"][c]["f1"].as_f64().unwrap();
    assert!((f1("attitude") - 2.0 / 3.0).abs() < 1e-9);
    assert!((f1("response") - 2.0 / 3.0).abs() < 1e-9);
    assert!((f1("resolution") - 1.0).abs() < 1e-9);
    assert!((v["macro_f1"].as_f64().unwrap() - (2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 3.0).abs() < 1e-9);
    assert_eq!(v["per_cause"]["attitude"]["support"], 2);
    assert_eq!(v["confusion"]["attitude"]["response"], 1);
    assert_eq!(v["errors"].as_array().unwrap().len(), 1);
}

#[test]
fn the_held_out_set_meets_a_floor() {
    // A regression guard on the held-out sets (neither the rules nor the
    // built-in model learnt from them); README.md has the exact figures:
    // test2 0.940 / 0.771, dev12 0.921 / 0.697 (0.679 before the claim rule
    // and the taunts), dev13 0.930 / 0.807, dev14 0.894 / 0.729 (each
    // written after everything else; the model learnt them since), dev23
    // 0.910 / 0.655 (held out).
    let wd = Workdir::empty();
    for (set, default_floor, rules_floor) in [
        ("test2", 0.86, 0.70),
        ("dev12", 0.90, 0.685),
        ("dev13", 0.91, 0.79),
        ("dev14", 0.875, 0.71),
        ("dev23", 0.89, 0.63),
    ] {
        let file = common::fixture(&format!("labeled/{set}.csv"));
        let eval = |extra: &[&str]| {
            let mut args = vec!["classify", "eval", &file, "--format", "json"];
            args.extend_from_slice(extra);
            wd.json(&args)
        };
        let default = eval(&[]);
        assert_eq!(default["model"], "builtin");
        let f1 = default["macro_f1"].as_f64().unwrap();
        assert!(
            f1 > default_floor,
            "{set}, rules + built-in model: macro-F1 fell to {f1}"
        );
        let rules = eval(&["--rules-only"]);
        assert_eq!(rules["model"], serde_json::Value::Null);
        let f1 = rules["macro_f1"].as_f64().unwrap();
        assert!(
            f1 > rules_floor,
            "{set}, rules alone: macro-F1 fell to {f1}"
        );
    }
}

#[test]
fn rules_from_kefu_toml_change_decisions_without_a_rebuild() {
    let wd = Workdir::new();
    let text = "客服甩脸子给我看";
    // The rules alone: the built-in model would still lean to attitude.
    let before = explain_rules(&wd, text);
    assert_ne!(before["cause"], "competence");
    let mut toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    toml.push_str("\n[classify]\n[classify.phrases]\ncompetence = [\"甩脸子 = 9\"]\n");
    std::fs::write(wd.path("kefu.toml"), toml).unwrap();
    let after = explain_rules(&wd, text);
    assert_eq!(after["cause"], "competence");
}

#[test]
fn classify_settings_out_of_range_are_errors_naming_them() {
    let wd = Workdir::new();
    let base = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    for (setting, says) in [
        ("model_weight = 65\n", "model_weight = 65: must be from 0"),
        ("model_weight = nan\n", "model_weight = NaN"),
        ("quote_weight = -1\n", "quote_weight = -1"),
        (
            "[classify.phrases]\nattitude = [\"甩脸子 = nan\"]\n",
            "must be a number from 0 to 100",
        ),
        (
            "[classify.phrases]\nattitude = [\"甩脸子 = 1e40\"]\n",
            "must be a number from 0 to 100",
        ),
        (
            "[classify.phrases]\nattitude = [\"甩脸子 = -4\"]\n",
            "must be a number from 0 to 100",
        ),
        (
            "[classify.normalize]\n\"\" = \"态度\"\n",
            "an empty text to rewrite",
        ),
    ] {
        std::fs::write(
            wd.path("kefu.toml"),
            format!("{base}\n[classify]\n{setting}"),
        )
        .unwrap();
        // Every command, not only the classifier's: the config is refused.
        for args in [&["classify", "explain", "态度差"][..], &["report", "daily"]] {
            wd.kefu(args)
                .assert()
                .code(1)
                .stderr(predicate::str::contains("kefu.toml").and(predicate::str::contains(says)));
        }
    }
}

#[test]
fn praise_phrases_per_cause_take_every_toml_form() {
    let wd = Workdir::new();
    let base = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    for form in [
        "[classify.phrases]\n\"praise.attitude\" = [\"态度还凑合\"]\n",
        "[classify.phrases]\npraise.attitude = [\"态度还凑合\"]\n",
        "[classify.phrases.praise]\nattitude = [\"态度还凑合\"]\n",
    ] {
        std::fs::write(wd.path("kefu.toml"), format!("{base}\n{form}")).unwrap();
        let v = explain_rules(&wd, "态度还凑合");
        assert!(v.to_string().contains("praise"), "{form}: {v}");
    }
}

#[test]
fn runs_of_blanks_match_a_phrase_written_with_one_space() {
    let wd = Workdir::new();
    for text in ["support never  responded", "support never\t responded"] {
        let v = explain_rules(&wd, text);
        assert_eq!(v["cause"], "response", "{text}: {v}");
    }
}

#[test]
fn a_json_line_that_is_no_object_goes_out_whole_in_the_first_column() {
    let wd = Workdir::new();
    let f = wd.write(
        "in.jsonl",
        "{\"id\":\"J1\",\"rating\":1,\"content\":\"态度差\"}\n[1,2,3]\n{\"id\":\"J2\",\"content\":\"cut here\n",
    );
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(out.status.success());
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2][..3], ["[1,2,3]", "", ""]);
    assert_eq!(
        rows[3][..3],
        ["{\"id\":\"J2\",\"content\":\"cut here", "", ""]
    );
    assert!(rows[2..].iter().all(|r| r[3].is_empty() && r.len() == 7));
}

#[test]
fn train_reports_cross_validation_and_the_model_is_used() {
    let wd = Workdir::new();
    let out = wd
        .kefu(&["classify", "train", &common::fixture("labeled/dev.csv")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("cross-validation") && stdout.contains("rules + model"),
        "{stdout}"
    );
    // dev.csv is among the bundled examples: each fold leaves those it
    // holds out out of what it learns (found by exploratory testing).
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("349 of the 349 labelled texts are also bundled examples"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // So are they with other punctuation: a half-width comma or a trailing
    // space makes no other text for the model.
    let respelt = std::fs::read_to_string(common::fixture("labeled/dev.csv"))
        .unwrap()
        .replace('，', "；");
    let f = wd.write("respelt.csv", respelt);
    let other = Workdir::new();
    other
        .kefu(&["classify", "train", &f])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "349 of the 349 labelled texts are also bundled examples",
        ));
    assert!(
        stdout.contains("rules + built-in model (before training)"),
        "{stdout}"
    );
    assert!(wd.path("classify-model.json").exists());
    let v = wd.json(&[
        "classify",
        "eval",
        &common::fixture("labeled/test.csv"),
        "--format",
        "json",
    ]);
    assert_eq!(v["model"], "trained");
    let rules = wd.json(&[
        "classify",
        "eval",
        &common::fixture("labeled/test.csv"),
        "--format",
        "json",
        "--rules-only",
    ]);
    assert_eq!(rules["model"], serde_json::Value::Null);
}

#[test]
fn import_classifies_and_store_mode_fills_the_rest() {
    let wd = Workdir::new();
    let with_time = EXPORT
        .replacen("评价ID,", "评价ID,评价时间,", 1)
        .replace("\n1,", "\n1,2026-11-20 09:00,")
        .replace("\n2,", "\n2,2026-11-20 10:00,")
        .replace("\n3,", "\n3,2026-11-20 11:00,")
        .replace("\n4,", "\n4,2026-11-20 12:00,");
    let f = wd.write("r.csv", with_time);
    wd.kefu(&["import", "-q", "reviews", &f]).assert().success();
    let rows = wd.sql("SELECT ext_id, coalesce(auto_cause, '') FROM feedback ORDER BY ext_id");
    assert_eq!(rows[0][1], "resolution");
    assert_eq!(rows[1][1], "", "positive reviews are not classified");
    // Store mode redoes everything with --all, and only negative records.
    wd.kefu(&["classify", "--store", "--all"])
        .assert()
        .success()
        .stderr(predicate::str::contains("classified 3"));
    let conn = rusqlite::Connection::open(wd.path("kefu.db")).unwrap();
    conn.execute(
        "UPDATE feedback SET auto_cause = NULL WHERE ext_id = '3'",
        [],
    )
    .unwrap();
    drop(conn);
    wd.kefu(&["classify", "--store"])
        .assert()
        .success()
        .stderr(predicate::str::contains("classified 1"));
    assert_eq!(
        wd.sql("SELECT auto_cause FROM feedback WHERE ext_id = '3'")[0][0],
        "response"
    );
}

#[test]
fn a_stray_byte_in_a_utf8_file_passes_only_its_row_through() {
    let wd = Workdir::empty();
    let mut bytes = "id,content\n1,客服态度很差\n2,回复太慢了\n"
        .as_bytes()
        .to_vec();
    bytes.extend(b"3,caf\xE9 late\n4,\xE5\xAE\xA2\xE6\x9C\x8D\xE9\xAA\x82\xE4\xBA\xBA\n");
    let f = wd.write("stray.csv", &bytes);
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(out.status.success());
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[1][1], "客服态度很差");
    assert_eq!(rows[1][2], "attitude");
    assert_eq!(rows[3][0], "3");
    assert_eq!(
        rows[3][2], "",
        "the unreadable row is passed through unclassified"
    );
    assert_eq!(rows[4][1], "客服骂人");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 4: field 2 is not valid UTF-8"),
        "{stderr}"
    );
}

/// Many batches through the parallel stream: every row comes out once, in
/// input order, each with the verdict of its own text; a bad row in the middle
/// is passed through in its place.
#[test]
fn a_long_stream_keeps_input_order_and_each_rows_verdict() {
    let wd = Workdir::empty();
    let texts = [
        ("客服态度很差", "attitude"),
        ("一问三不知", "competence"),
        ("回复太慢了", "response"),
        ("问题到现在都没解决", "resolution"),
    ];
    let mut text = String::from("评价ID,评价等级,评价内容\n");
    for i in 0..5000 {
        if i == 2500 {
            text.push_str("bad,差评\n"); // a field short: a bad row
            continue;
        }
        text.push_str(&format!("{i},差评,{}\n", texts[i % 4].0));
    }
    let f = wd.write("long.csv", &text);
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(&out.stdout[..])
        .into_records()
        .map(|r| r.unwrap())
        .collect::<Vec<_>>();
    assert_eq!(rows.len(), 5000);
    for (i, r) in rows.iter().enumerate() {
        if i == 2500 {
            assert_eq!(&r[0], "bad");
            assert_eq!(&r[3], "", "a bad row is passed through unclassified");
            continue;
        }
        assert_eq!(r[0].parse::<usize>().unwrap(), i, "row {i} out of order");
        assert_eq!(&r[3], texts[i % 4].1, "row {i}");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2502"));
}

#[test]
fn every_input_column_keeps_its_own_key_in_json() {
    let wd = Workdir::empty();
    // A labelled set has its own `cause`; repeated and empty headers too.
    let f = wd.write(
        "l.csv",
        "text,cause,备注,备注,\n客服态度很差,attitude,n1,n2,x\n",
    );
    let out = wd
        .kefu(&["classify", &f, "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["cause (column 2)"], "attitude",
        "the input's label, renamed: {v}"
    );
    assert_eq!(v["cause"], "attitude", "the classifier's");
    assert_eq!(
        (&v["备注"], &v["备注 (column 4)"], &v["column 5"]),
        (&"n1".into(), &"n2".into(), &"x".into())
    );
    // CSV has the same header names.
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    let header = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(header, "text,cause (column 2),备注,备注 (column 4),column 5,cause,cause_label,causes,cause_evidence");
}

/// Found by exploratory testing: JSON through `kefu classify` came out with
/// every value a string ("rating":1 as "1", null as "").
#[test]
fn json_values_keep_their_type_through_classify() {
    let wd = Workdir::empty();
    let mut text = "{\"id\":1,\"rating\":1,\"vip\":true,\"tags\":[\"a\",2],\"note\":null,\"content\":\"回复太慢\",\"code\":\"007\"}\n".to_string();
    // A key first seen after the lines read ahead: its value keeps its type.
    text.push_str(&"{\"id\":2,\"content\":\"态度差\"}\n".repeat(1000));
    text.push_str("{\"id\":3,\"content\":\"态度差\",\"late\":2.5,\"gone\":null}\n");
    let f = wd.write("x.jsonl", text);
    for format in ["jsonl", "json"] {
        let out = wd
            .kefu(&["classify", &f, "--format", format, "--all"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows: Vec<serde_json::Value> = if format == "json" {
            serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap()
        } else {
            out.stdout
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice(l).unwrap())
                .collect()
        };
        let first = &rows[0];
        assert_eq!(first["id"], 1, "{first}");
        assert_eq!(first["rating"], 1);
        assert_eq!(first["vip"], true);
        assert_eq!(first["tags"], serde_json::json!(["a", 2]));
        assert_eq!(first["note"], serde_json::Value::Null);
        assert_eq!(first["code"], "007", "a string stays a string");
        assert_eq!(
            rows[1]["rating"],
            serde_json::Value::Null,
            "a key missing from a record"
        );
        assert_eq!(first["cause"], "response");
        let last = rows.last().unwrap();
        assert_eq!(last["late"], 2.5, "{last}");
        assert_eq!(last["gone"], serde_json::Value::Null);
    }
    // CSV writes the values as text.
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1,1,true,\"[\"\"a\"\",2]\",,回复太慢,007")
    );
}

#[test]
fn json_lines_keys_missing_from_line_one_are_columns() {
    let wd = Workdir::empty();
    // The text key is not on line 1, and `extra` appears on line 2 only.
    let f = wd.write(
        "x.jsonl",
        "{\"id\":1}\n{\"id\":2,\"content\":\"回复太慢\",\"extra\":\"x\"}\n",
    );
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows[0][..3], ["id", "content", "extra"]);
    assert_eq!(rows[2][..4], ["2", "回复太慢", "x", "response"]);
}

#[test]
fn a_json_lines_key_first_seen_late_is_reported_not_lost_silently() {
    let wd = Workdir::empty();
    let mut text = "{\"content\":\"回复太慢\"}\n".repeat(1000);
    text.push_str("{\"content\":\"态度差\",\"late\":\"y\",\"rating\":\"好评\"}\n");
    let f = wd.write("x.jsonl", text);
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("line 1001: key(s) late, rating first appear here"));
    // The late rating still counts: a 好评 gets no cause.
    assert_eq!(csv_rows(&out.stdout)[1001][1], "");
    // JSON output has no fixed columns: the late keys are kept, unsaid.
    let out = wd
        .kefu(&["classify", &f, "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(
        (&last["late"], &last["rating"], &last["cause"]),
        (&"y".into(), &"好评".into(), &"".into())
    );
}

#[test]
fn column_names_as_kefu_prints_them_can_be_chosen() {
    let wd = Workdir::empty();
    let f = wd.write(
        "x.csv",
        "content,content,\n客服态度太差,回复太慢,没人解决问题\n",
    );
    for (column, cause) in [
        ("content", "attitude"),
        ("content (column 2)", "response"),
        ("column 3", "resolution"),
    ] {
        let out = wd
            .kefu(&["classify", &f, "--column", column])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{column}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(csv_rows(&out.stdout)[1][3], cause, "--column {column}");
    }
    // A usage error, exit 2, also where the row below was tried (round 97).
    wd.kefu(&["classify", &f, "--column", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("content (column 2), column 3"));
}

#[test]
fn unknown_ratings_are_classified_and_counted() {
    let wd = Workdir::empty();
    let f = wd.write(
        "x.csv",
        "评价等级,评价内容\n未评价,回复太慢\n好评,很好\n10,客服骂人\n",
    );
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    let rows = csv_rows(&out.stdout);
    assert_eq!(
        (
            rows[1][2].as_str(),
            rows[2][2].as_str(),
            rows[3][2].as_str()
        ),
        ("response", "", "attitude")
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("2 row(s) with a rating kefu does not know (first: \"未评价\" at line 2)"));
}

#[test]
fn eval_and_train_refuse_what_they_cannot_learn_from() {
    let wd = Workdir::new();
    // Nothing to evaluate.
    let empty = wd.write("empty.csv", "text,cause\n");
    wd.kefu(&["classify", "eval", &empty])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no labelled rows"));
    // Every bad label listed in one pass; empty texts skipped with a note.
    let bad = wd.write(
        "bad.csv",
        "text,cause\n回复太慢,response\n态度差,attitud\n,attitude\n没解决,resolve\n",
    );
    wd.kefu(&["classify", "eval", &bad])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("2 row(s) cannot be used")
                .and(predicate::str::contains("line 3"))
                .and(predicate::str::contains("line 5")),
        );
    // One cause only, without the bundled examples: no model.
    let one: String = std::iter::once("text,cause\n".to_string())
        .chain((0..12).map(|i| format!("客服态度太差了{i},attitude\n")))
        .collect();
    let one = wd.write("one.csv", one);
    wd.kefu(&["classify", "train", &one, "--without-builtin-examples"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("only one cause (attitude)"));
    assert!(!wd.path("classify-model.json").exists());
    wd.kefu(&["classify", "train", &one, "--folds", "1"])
        .assert()
        .code(2);
    // Outside a workspace the model has nowhere to go.
    let elsewhere = Workdir::empty();
    elsewhere
        .kefu(&["classify", "train", &common::fixture("labeled/dev.csv")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("kefu init"));
    assert!(!elsewhere.path("classify-model.json").exists());
}

#[test]
fn a_long_text_does_not_drift_from_what_it_says() {
    // Naive Bayes untempered got surer of the wrong cause the more often
    // a text repeated itself ("the agent was rude" × 5,000 was `resolution`).
    let wd = Workdir::empty();
    let f = wd.write(
        "x.csv",
        format!("content\n{}\n", "the agent was rude ".repeat(5000)),
    );
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert_eq!(csv_rows(&out.stdout)[1][1], "attitude");
}

/// Regression: `-o` naming the input truncated it while it was read, and
/// exited 0. Like `sort -o`, the input is read in full, then replaced.
#[test]
fn output_may_name_the_input() {
    let wd = Workdir::empty();
    // Several batches (512 rows each) through the stream.
    let mut text = String::from("评价ID,评价等级,评价内容\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "{i},差评,{}\n",
            ["客服态度很差", "回复太慢了"][i % 2]
        ));
    }
    let f = wd.write("same.csv", &text);
    let out = wd.kefu(&["classify", &f, "-o", &f]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = csv_rows(&std::fs::read(&f).unwrap());
    assert_eq!(rows.len(), 3001, "the header and every row");
    assert_eq!(rows[0][3], "cause");
    for (i, r) in rows[1..].iter().enumerate() {
        assert_eq!(r[0], i.to_string());
        assert_eq!(r[3], ["attitude", "response"][i % 2], "row {i}");
    }
    assert_eq!(
        common::names_in(wd.dir.path()),
        ["same.csv"],
        "no temporary file left"
    );
}

/// Regression: `--strict` stopping at a bad row left a partial output.
#[test]
fn a_strict_failure_leaves_no_output_file() {
    let wd = Workdir::empty();
    let f = wd.write("x.csv", "id,content\n1,回复太慢\n2,a,b,c\n3,客服骂人\n");
    let out = wd.path("out.csv");
    wd.kefu(&["classify", &f, "--strict", "-o", out.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 3"));
    assert_eq!(
        common::names_in(wd.dir.path()),
        ["x.csv"],
        "no output, no temporary file"
    );
    // An existing output stays as it was.
    wd.write("out.csv", "before\n");
    wd.kefu(&["classify", &f, "--strict", "-o", out.to_str().unwrap()])
        .assert()
        .code(1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "before\n");
    assert_eq!(common::names_in(wd.dir.path()), ["out.csv", "x.csv"]);
}

/// Regression: `-o out.json` and `-o out.xlsx` silently wrote CSV. The
/// format comes from the extension; one classify cannot write is a usage
/// error unless --format says what to write.
#[test]
fn output_format_from_the_extension() {
    let wd = Workdir::empty();
    let f = wd.write("x.csv", EXPORT);
    let json = wd.path("out.json");
    wd.kefu(&["classify", &f, "-o", json.to_str().unwrap()])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 4);
    assert_eq!(v[0]["cause"], "resolution");
    let ndjson = wd.path("out.ndjson");
    wd.kefu(&["classify", &f, "-o", ndjson.to_str().unwrap()])
        .assert()
        .success();
    let text = std::fs::read_to_string(&ndjson).unwrap();
    assert_eq!(text.lines().count(), 4);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["评价ID"], "1");
    let tsv = wd.path("out.tsv");
    wd.kefu(&["classify", &f, "-o", tsv.to_str().unwrap()])
        .assert()
        .success();
    assert!(std::fs::read_to_string(&tsv)
        .unwrap()
        .starts_with("评价ID\t评价等级\t"));
    // xlsx: a usage error naming what classify writes, and nothing written.
    let xlsx = wd.path("out.xlsx");
    wd.kefu(&["classify", &f, "-o", xlsx.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(".csv")
                .and(predicate::str::contains(".tsv"))
                .and(predicate::str::contains(".jsonl"))
                .and(predicate::str::contains("does not write .xlsx")),
        );
    assert!(!xlsx.exists());
    // --format does not write CSV into a workbook's name (Excel would not
    // open it); it decides for a name that says no format.
    wd.kefu(&[
        "classify",
        &f,
        "--format",
        "csv",
        "-o",
        xlsx.to_str().unwrap(),
    ])
    .assert()
    .code(2);
    assert!(!xlsx.exists());
    let dat = wd.path("out.dat");
    wd.kefu(&[
        "classify",
        &f,
        "--format",
        "csv",
        "-o",
        dat.to_str().unwrap(),
    ])
    .assert()
    .success();
    assert!(std::fs::read_to_string(&dat)
        .unwrap()
        .starts_with("评价ID,评价等级,评价内容,客服,cause"));
    // `-o -` is stdout, CSV by default.
    let out = wd.kefu(&["classify", &f, "-o", "-"]).output().unwrap();
    assert_eq!(csv_rows(&out.stdout).len(), 5);
}

#[test]
fn tsv_in_tsv_out_and_excel_csv_has_a_bom() {
    let wd = Workdir::empty();
    let f = wd.write("x.tsv", "content\trating\n态度差\t1\n");
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().nth(1),
        Some("态度差\t1\tattitude\t服务态度\tattitude\t态度差")
    );
    // --format or -o's extension still decide.
    let out = wd
        .kefu(&["classify", &f, "--format", "csv"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("content,rating,"));
    let out = wd
        .kefu(&["classify", &f, "--excel", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBFcontent,rating,"));
}

/// Excel text guards (`="5"`) are read as the importer reads them, to decide
/// and to classify, and passed through as the file wrote them: the output is
/// the analyst's data with columns added, not a cleaned copy.
#[test]
fn excel_text_guards_are_read_but_written_as_they_were() {
    let wd = Workdir::empty();
    let f = wd.write(
        "g.csv",
        "评价ID,评价等级,评价内容\n=\"1\",=\"5\",很满意\n=\"2\",=\"1\",=\"客服态度恶劣还骂人\"\n",
    );
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("does not know"));
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows[1][..4], ["=\"1\"", "=\"5\"", "很满意", ""]);
    assert_eq!(
        rows[2][..3],
        ["=\"2\"", "=\"1\"", "=\"客服态度恶劣还骂人\""]
    );
    assert_eq!(rows[2][3], "attitude");
}

#[test]
fn a_title_above_the_header_is_skipped_and_lines_keep_their_numbers() {
    // Found by exploratory testing: a title row made classify's --column
    // useless, and in CRLF files every line number was one too low.
    let wd = Workdir::empty();
    let f = wd.write(
        "title.csv",
        "2026年11月21日差评明细,,\r\n\
         ,,\r\n\
         评价ID,评价等级,评价内容\r\n\
         1,差评,客服骂人\r\n\
         ,,\r\n\
         2,差评,回复太慢,还不理人\r\n\
         3,差评,\"态度差\r\n问题也没解决\"\r\n\
         4,差评,x,y\r\n",
    );
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("title.csv: header on line 3 (2 title/blank lines above it skipped)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("title.csv: line 6: expected 3 fields, found 4"),
        "{stderr}"
    );
    assert!(
        stderr.contains("title.csv: line 9: expected 3 fields, found 4"),
        "{stderr}"
    );
    assert!(
        stderr.contains("title.csv: 1 blank row skipped"),
        "{stderr}"
    );
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows[0][..3], ["评价ID", "评价等级", "评价内容"]);
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4"], "the blank row is not passed on");
    assert_eq!(rows[1][3], "attitude");
    assert_eq!(
        rows[3][2], "态度差\r\n问题也没解决",
        "quoted text kept as written"
    );
}

#[test]
fn a_one_column_file_keeps_its_first_line_as_header() {
    // A line with a stray comma is no header: the file has one column.
    let wd = Workdir::empty();
    let f = wd.write(
        "texts.csv",
        "评价内容\n客服骂人\n回复太慢,等了半天\n态度差\n",
    );
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("header on"), "{stderr}");
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows[0][0], "评价内容");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1][1], "attitude");
}

#[test]
fn a_workbook_whose_first_sheet_has_no_text_column() {
    // Found by exploratory testing: "no text column … --column" named
    // neither the sheet read nor the others.
    let wd = Workdir::empty();
    let mut book = rust_xlsxwriter::Workbook::new();
    let summary = book.add_worksheet().set_name("汇总").unwrap();
    summary.write_string(0, 0, "渠道").unwrap();
    summary.write_string(0, 1, "差评数").unwrap();
    let data = book.add_worksheet().set_name("明细").unwrap();
    for (c, text) in ["评价ID", "评价内容"].iter().enumerate() {
        data.write_string(0, c as u16, *text).unwrap();
    }
    data.write_string(1, 0, "M1").unwrap();
    data.write_string(1, 1, "客服骂人").unwrap();
    let x = wd.path("x.xlsx");
    book.save(&x).unwrap();
    let x = x.to_str().unwrap();
    let out = wd.kefu(&["classify", x]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("reading sheet \"明细\""), "{stderr}");
    assert_eq!(csv_rows(&out.stdout)[1][2], "attitude");
    wd.kefu(&["classify", x, "--sheet", "汇总"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("no text column").and(predicate::str::contains(
                "(read sheet \"汇总\"; the workbook also has 明细 — choose one with --sheet)",
            )),
        );
}

#[test]
fn the_text_column_is_found_below_a_row_of_group_names() {
    // Found by exploratory testing: on a workbook whose header has two
    // levels, classify read the group names and found no text column.
    let wd = Workdir::empty();
    let x = common::two_level_workbook(&wd, "two_level.xlsx");
    let out = wd.kefu(&["classify", &x]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("two_level.xlsx: header on row 2 (1 title/blank row above it skipped)"),
        "{stderr}"
    );
    let rows = csv_rows(&out.stdout);
    assert_eq!(
        rows[0][..5],
        ["订单号", "评价ID", "评价时间", "评价等级", "评价内容"]
    );
    assert_eq!(rows[0][7], "cause");
    let causes: Vec<&str> = rows[1..].iter().map(|r| r[7].as_str()).collect();
    assert_eq!(causes, ["attitude", "response", "resolution"]);
}

/// Found by exploratory testing of a Taiwan/Hong Kong department: 好 as
/// "very" (態度好差) read as praise (態度好) and cancelled the complaint;
/// Cantonese particles and local couriers were not read.
#[test]
fn cantonese_and_taiwan_reviews_are_read() {
    let wd = Workdir::empty();
    for (text, cause) in [
        ("客服態度好差", "attitude"),
        ("客服回覆好慢", "response"),
        ("等咗好耐都冇人覆", "response"),
        ("客服很機車", "attitude"),
        ("順豐送咗三日都未到，客服冇問題", "other"),
        ("客服好有禮貌", ""),
    ] {
        let v = explain_rules(&wd, text);
        let found = if v["causes"].as_array().is_some_and(|c| c.is_empty()) {
            ""
        } else {
            v["cause"].as_str().unwrap()
        };
        assert_eq!(found, cause, "{text}: {v}");
    }
    // The tester's set, a floor under the figures in README.md.
    let file = common::fixture("labeled/tw_hk.csv");
    let rules = wd.json(&[
        "classify",
        "eval",
        &file,
        "--format",
        "json",
        "--rules-only",
    ]);
    assert!(
        rules["macro_f1"].as_f64().unwrap() > 0.80,
        "{}",
        rules["macro_f1"]
    );
}

/// Found by a security review (exploratory testing): the trained model's
/// features held customers' phone numbers, ID numbers and e-mails whole.
#[test]
fn a_trained_model_holds_no_phone_id_or_email() {
    let wd = Workdir::new();
    let mut labels = String::from("text,cause\n");
    for i in 0..20 {
        labels.push_str(&format!(
            "客服态度太差了，我的手机1381234{i:04}，邮箱zhangsanfeng{i}@example.com,attitude\n\
             等了三天才回复，身份证11010519491231002X,response\n\
             the agent was rude call me 139***8765***{i:04},attitude\n"
        ));
    }
    let f = wd.write("labels.csv", labels);
    wd.kefu(&["classify", "train", &f, "--folds", "2"])
        .assert()
        .success()
        .stderr(predicate::str::contains("bundled examples").not());
    let model = std::fs::read_to_string(wd.path("classify-model.json")).unwrap();
    assert!(model.contains("态度"));
    for leaked in [
        "139 8765",
        "8765 0001",
        "13812340001",
        "1234000",
        "zhangsanfeng",
        "19491231",
        "11010519",
    ] {
        assert!(!model.contains(leaked), "{leaked} is in the model");
    }
}

/// Found by exploratory testing (round 97): the delimiter was sniffed from
/// a title line above the header, which has none, and a semicolon or tab
/// file under a title was one column; `--column` naming no column was exit
/// 1, not 2, where a blank header cell had the rows below tried.
#[test]
fn a_title_above_a_semicolon_header_and_a_column_no_header_names() {
    let wd = Workdir::empty();
    for (name, text) in [
        (
            "semi.csv",
            "2026年11月差评明细表\n评价ID;评价内容;评分\n1;客服态度很差;1\n",
        ),
        (
            "tabs.csv",
            "2026年11月差评明细表\n\n评价ID\t评价内容\t评分\n1\t客服态度很差\t1\n",
        ),
    ] {
        let f = wd.write(name, text);
        let out = wd.kefu(&["classify", &f]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {err}");
        assert!(err.contains("header on line"), "{name}: {err}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("attitude"), "{name}: {stdout}");
    }
    // A one-column list whose texts hold a `;` or a tab now and then, and
    // a note with a `;` between a title and a comma header (round 98).
    for (name, text, rows) in [
        (
            "list.txt",
            "评价内容\n客服态度很差;不理人\n回复太慢\n没人解决\n",
            4,
        ),
        ("tab.txt", "评价内容\n客服态度很差\t不理人\n回复太慢\n", 3),
        (
            "note.csv",
            "标题\n说明：评分1-5分;1分最差\n评价ID,评价内容\n1,客服态度很差\n",
            2,
        ),
    ] {
        let f = wd.write(name, text);
        let out = wd.kefu(&["classify", &f]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {err}");
        assert!(
            !err.contains("passed through unclassified"),
            "{name}: {err}"
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.lines().count(), rows, "{name}: {stdout}");
        // CSV out, not TSV (the tab is the text's own).
        assert!(
            stdout
                .lines()
                .next()
                .unwrap()
                .ends_with("评价内容,cause,cause_label,causes,cause_evidence"),
            "{name}: {stdout}"
        );
        assert!(stdout.contains("attitude"), "{name}: {stdout}");
    }
    let pandas = wd.write("pd.csv", ",评价内容,评分\n0,客服态度很差,1\n");
    for option in ["--column", "--rating-column"] {
        wd.kefu(&["classify", &pandas, option, "nope"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no such column"));
    }
}

/// Found by exploratory testing (round 97): a row holding a NUL byte past
/// what detection reads was passed through with the two characters `\0`
/// in its place, which a real `\0` in a cell also reads as; U+FFFD, as
/// every other NUL kefu writes to CSV.
#[test]
fn a_nul_byte_in_a_passed_through_row_is_written_as_u_fffd() {
    let wd = Workdir::empty();
    let mut text = String::from("评价ID,评价内容\n");
    for i in 0..3000 {
        text.push_str(&format!("{i},客服态度很差很差很差\n"));
    }
    text.push_str("x,a\0b\ny,a\\0b\n");
    let f = wd.write("nul.csv", text);
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("x,a\u{fffd}b"),
        "{}",
        &stdout[stdout.len() - 300..]
    );
    assert!(stdout.contains("y,a\\0b"));
    assert_eq!(stdout.matches("a\\0b").count(), 1);
}

/// Found by exploratory testing (round 97): a JSON record that is none (a
/// bare 42) was passed through with "" for the keys it lacks, where a
/// record lacking them gets null.
#[test]
fn a_json_record_that_is_none_lacks_its_keys_as_null() {
    let wd = Workdir::empty();
    let f = wd.write(
        "a.json",
        r#"[{"text":"态度差","rating":1,"note":"x"},42,{"text":"慢"}]"#,
    );
    let out = wd
        .kefu(&["classify", &f, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[1]["rating"], serde_json::Value::Null, "{v}");
    assert_eq!(v[1]["note"], serde_json::Value::Null, "{v}");
    assert_eq!(v[1]["cause"], "", "{v}");
    assert_eq!(v[2]["rating"], serde_json::Value::Null, "{v}");
}

/// Found by exploratory testing (round 98): a sheet's totals row, which
/// import skips, was classified `other`.
#[test]
fn a_totals_row_goes_out_unclassified() {
    let wd = Workdir::empty();
    let f = wd.write(
        "jd.csv",
        "评价ID,评价内容,评分\n1,客服态度很差,1\n2,合计3次都没人回复,1\n合计：2条,,\n,合计,4条\n",
    );
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(rows[1][3], "attitude");
    // A review that starts with 合计 is one.
    assert_ne!(rows[2][3], "");
    assert_eq!(rows[3][3], "", "{rows:?}");
    assert_eq!(rows[4][3], "", "{rows:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 totals row(s)"), "{err}");
    assert!(!err.contains("rating kefu does not know"), "{err}");
    // A review that starts with a label and a colon is one (round 99),
    // in a one-column list too; a buyer called Total writes one.
    let list = wd.write(
        "list.csv",
        "text\nTotal: 3 hours on hold\n小计：态度差\n合计：2条\n\"合计：¥1,234.00\"\n",
    );
    let rows = csv_rows(&wd.kefu(&["classify", &list]).output().unwrap().stdout);
    let causes: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(causes, ["response", "attitude", "", ""], "{rows:?}");
    let buyer = wd.write("buyer.csv", "买家,评价内容\nTotal,客服态度很差\n");
    let rows = csv_rows(&wd.kefu(&["classify", &buyer]).output().unwrap().stdout);
    assert_eq!(rows[1][2], "attitude", "{rows:?}");
}

/// Found by exploratory testing (round 97): with row i in fold i % k, a
/// file listing the five causes in turn held out every row of one cause
/// in each fold, and the model scored 0.000 on what it learns perfectly.
#[test]
fn cross_validation_folds_do_not_depend_on_the_order_of_rows() {
    let words = [
        ("紫色香蕉", "attitude"),
        ("蓝色苹果", "competence"),
        ("绿色葡萄", "response"),
        ("黄色橘子", "resolution"),
        ("红色西瓜", "other"),
    ];
    let mut labels = String::from("text,cause\n");
    for i in 0..20 {
        for (w, c) in words {
            labels.push_str(&format!("{w}第{i}号,{c}\n"));
        }
    }
    let wd = Workdir::new();
    let f = wd.write("rr.csv", labels);
    let out = wd.kefu(&["classify", "train", &f]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let row = stdout
        .lines()
        .find(|l| l.contains("model alone"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(row.contains("1.000"), "{stdout}");
}

/// Found by exploratory testing: a second file was called "the subcommand
/// '…'", which says nothing about what to do.
#[test]
fn classify_of_two_files_says_to_run_it_per_file() {
    let wd = Workdir::new();
    let a = wd.write("a.csv", "评价内容\n态度差\n");
    let out = wd.kefu(&["classify", &a, &a]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("kefu classify reads one file (given 2): run it once per file"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

/// Found by exploratory testing: every unreadable row of a stream was a
/// line on stderr (a file of broken rows filled cron mail).
#[test]
fn a_stream_names_the_first_ten_unreadable_rows_and_counts_the_rest() {
    let wd = Workdir::new();
    let mut text = String::from("{\"content\":\"态度差\"}\n");
    for _ in 0..25 {
        text.push_str("[1,2]\n");
    }
    let f = wd.write("in.jsonl", text);
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("(passed through unclassified)").count(),
        10,
        "{stderr}"
    );
    assert!(
        stderr.contains("15 more unreadable row(s) passed through unclassified (25 in all"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 27);
}

#[test]
fn a_rating_column_no_alias_names_is_said_and_can_be_named() {
    // Found by exploratory testing: with 评价 (好评/差评) beside 买家评价 the
    // ratings were classified as the text; 买家打分 went unnoticed.
    let wd = Workdir::empty();
    let f = wd.write(
        "x.csv",
        "订单号,评价,买家评价\n1,好评,客服很耐心\n2,差评,客服态度差，问三遍都不理人\n",
    );
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    let rows = csv_rows(&out.stdout);
    // The text is 买家评价 (the more particular name).
    assert_eq!(rows[2][3], "attitude", "{rows:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no rating column, so every row was classified; column \"评价\" holds only values that read as ratings (the first: \"好评\"): if it is the rating, --rating-column \"评价\""),
        "{err}"
    );
    let out = wd
        .kefu(&["classify", &f, "--rating-column", "评价"])
        .output()
        .unwrap();
    let rows = csv_rows(&out.stdout);
    assert_eq!((rows[1][3].as_str(), rows[2][3].as_str()), ("", "attitude"));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    // Ratings where the text should be.
    let g = wd.write("g.csv", "id,评价内容,备注\n1,好评,\n2,差评,\n");
    wd.kefu(&["classify", &g])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "the text column \"评价内容\" holds only values that read as ratings (the first: \"好评\"): name the text with --column",
        ));
}

#[test]
fn a_header_repeated_by_cat_passes_through_unclassified() {
    let wd = Workdir::empty();
    let a = "\u{feff}id,评价等级,评价内容\n1,差评,客服态度差\n";
    let b = "\u{feff}id,评价等级,评价内容\n2,差评,回复太慢\n";
    let f = wd.write("joined.csv", format!("{a}{b}"));
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 4, "every input row out: {rows:?}");
    assert_eq!(rows[2][3], "", "{rows:?}");
    assert_eq!(
        (rows[1][3].as_str(), rows[3][3].as_str()),
        ("attitude", "response")
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 row(s) repeating the header (first: line 3; files joined with cat?) passed through unclassified"),
        "{err}"
    );
    assert!(!err.contains("does not know"), "{err}");
}

#[test]
fn review_is_no_price() {
    // 价 (price) matched inside 评价 (review): other, evidence 价.
    let wd = Workdir::empty();
    let v = explain_rules(&wd, "评价内容");
    assert_eq!(v["cause"], "other");
    assert_eq!(v["evidence"], serde_json::json!([]), "{v}");
}

#[test]
fn header_names_come_out_as_written() {
    // Found by exploratory testing: spaces around names were trimmed, so
    // that df['  note'] failed downstream.
    let wd = Workdir::empty();
    let f = wd.write(
        "x.csv",
        "id, 评价内容 ,评价等级,  note\n1,客服态度差,差评,x\n",
    );
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows[0][..4], ["id", " 评价内容 ", "评价等级", "  note"]);
    assert_eq!(rows[1][4], "attitude");
}

#[test]
fn a_list_of_texts_without_a_header_is_said() {
    let wd = Workdir::empty();
    let f = wd.write("texts.txt", "客服态度太差了\n回复太慢\n");
    wd.kefu(&["classify", &f, "--input-format", "csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the file has one column, headed \"客服态度太差了\"; if that is its header, name it with --column \"客服态度太差了\"; if it is the first text of a list without a header, add one",
        ));
}

#[test]
fn rating_lookalikes_need_a_polar_value_and_numbers_a_scores_header() {
    // Found by exploratory testing: 序号 (1-4) and 购买数量 (1-3) were
    // offered as the rating; one 未评价 silenced a real one.
    let wd = Workdir::empty();
    let mut rows = String::from("序号,购买数量,买家打分,评价内容\n");
    for i in 1..=25 {
        let rating = if i == 7 {
            "未评价"
        } else if i % 2 == 0 {
            "好评"
        } else {
            "差评"
        };
        rows.push_str(&format!("{i},{},{rating},客服态度差\n", 1 + i % 3));
    }
    let f = wd.write("x.csv", rows);
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("column \"买家打分\" holds only values that read as ratings"),
        "{err}"
    );
    assert!(!err.contains("序号") && !err.contains("购买数量"), "{err}");
    // The text and the rating as one column is a usage error.
    wd.kefu(&["classify", &f, "--rating-column", "评价内容"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--rating-column names the text column",
        ));
}

#[test]
fn another_header_in_the_middle_stops_the_stream() {
    // Found by exploratory testing: exports with their columns in another
    // order joined by cat were read with the first header's: text and
    // rating swapped.
    let wd = Workdir::empty();
    let f = wd.write(
        "joined.csv",
        "评价ID,评价等级,评价内容\n1,差评,客服态度差\n评价ID,评价内容,评价等级\n2,回复太慢,差评\n",
    );
    wd.kefu(&["classify", &f])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "line 3 is another header (评价ID,评价内容,评价等级): exports with other columns joined into one file",
        ));
    let w = Workdir::new();
    let g = w.write(
        "joined.csv",
        "评价ID,评价时间,评价等级,评价内容
1,2026-11-20,差评,客服态度差
评价ID,评价时间,评价内容,评价等级
2,2026-11-20,回复太慢,差评
",
    );
    w.kefu(&["import", "reviews", &g])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 3 is another header"));
    assert_eq!(w.count("SELECT count(*) FROM feedback"), 0);
}

/// Found by exploratory testing (an analyst's pipelines): `--column` takes
/// the column named so to the letter, and the name the output gives a
/// repeated header (`内容 (column 3)`), which the warning then advises.
#[test]
fn column_names_read_the_column_named_so() {
    let wd = Workdir::empty();
    let f = wd.write(
        "cc.csv",
        "Content,content,rating\n客服态度很差,回复太慢,1\n",
    );
    for column in ["content", "content (column 2)"] {
        let out = wd.stdout(&["classify", &f, "--column", column]);
        assert_eq!(
            csv_rows(out.as_bytes())[1][3],
            "response",
            "{column}: {out}"
        );
    }
    let f = wd.write("dup.csv", "id,内容,内容,评分\n1,客服态度很差,回复太慢,1\n");
    let out = wd.kefu(&["classify", &f]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--column \"内容 (column 3)\""), "{err}");
    let out = wd.stdout(&["classify", &f, "--column", "内容 (column 3)"]);
    assert_eq!(csv_rows(out.as_bytes())[1][4], "response", "{out}");
}

/// Found by exploratory testing: an export's own `cause` column (its
/// declared cause, or a labelled set's label) comes out of classify as
/// `cause (column N)`, and is still read as such downstream: reports count
/// it, eval scores against it. An earlier run's four columns side by side
/// are that run's output, not a declared cause.
#[test]
fn an_input_cause_column_survives_classify() {
    let wd = Workdir::new();
    wd.write(
        "decl.csv",
        "id,created_at,content,rating,cause\nr1,2026-11-20 10:00,客服态度很差,1,competence\n",
    );
    let out = wd.shell(
        "$KEFU classify decl.csv 2>/dev/null | $KEFU report causes --input - --from 2026-11-01 --to 2026-11-30 --format json -q",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pareto"][0]["cause"], "competence", "{v}");
    assert_eq!(v["pareto"].as_array().unwrap().len(), 1, "{v}");
    // A labelled set through classify, then eval: the labels are read.
    wd.write(
        "lab.csv",
        "text,cause\n客服态度很差,attitude\n回复太慢了等了三天,response\n",
    );
    let out =
        wd.shell("$KEFU classify lab.csv --all | $KEFU classify eval - --format json --rules-only");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"], 2, "{v}");
    assert_eq!(v["accuracy"], 1.0, "{v}");
    // Classified twice: the first run's columns are no declared cause.
    let out = wd
        .shell("$KEFU classify lab.csv --all | $KEFU classify - --all --format jsonl --rules-only");
    let first: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["cause (column 2)"], "attitude", "{first}");
    assert_eq!(first["cause (column 3)"], "attitude", "{first}");
    assert_eq!(first["cause_label (column 4)"], "服务态度", "{first}");
}

/// Found by exploratory testing: every input value keeps a key of its own
/// in JSON, whatever the headers already are: a late JSON Lines key
/// `cause`, and a renamed header that another column already has.
#[test]
fn no_input_value_is_lost_under_a_name_already_taken() {
    let wd = Workdir::empty();
    let mut lines = String::new();
    for i in 0..1001 {
        lines.push_str(&format!("{{\"内容\":\"回复太慢{i}\",\"评分\":1}}\n"));
    }
    lines.push_str("{\"内容\":\"客服态度很差\",\"评分\":1,\"cause\":\"competence\"}\n");
    let f = wd.write("late.jsonl", lines);
    let out = wd.stdout(&["classify", &f, "--format", "jsonl"]);
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["cause (column 3)"], "competence", "{last}");
    assert_eq!(last["cause"], "attitude", "{last}");
    // Read back, that renamed key is the label, kefu's own `cause` is not
    // (found by exploratory testing: eval graded kefu against itself).
    let one = wd.write("one.jsonl", format!("{}\n", out.lines().last().unwrap()));
    let v = wd.json(&["classify", "eval", &one, "--format", "json"]);
    assert_eq!(v["accuracy"], 0.0, "{v}");
    let f = wd.write(
        "taken.csv",
        "id,内容,cause (column 4),cause,评分\n1,客服态度很差,a,b,1\n",
    );
    let out = wd.stdout(&["classify", &f, "--format", "jsonl"]);
    let row: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let obj = row.as_object().unwrap();
    assert_eq!(obj.len(), 9, "{row}");
    assert_eq!(row["cause (column 4)"], "a", "{row}");
    assert_eq!(row["cause (column 4) #2"], "b", "{row}");
    let csv = wd.stdout(&["classify", &f]);
    let header = &csv_rows(csv.as_bytes())[0];
    let distinct: std::collections::HashSet<&String> = header.iter().collect();
    assert_eq!(distinct.len(), header.len(), "{header:?}");
}

/// Found by exploratory testing: kefu reads what it writes. A NUL in a
/// JSON text is written to CSV as U+FFFD (said), not as a byte that makes
/// the next kefu refuse the whole file as binary.
#[test]
fn csv_output_holds_no_nul_byte() {
    let wd = Workdir::new();
    let a = wd.write("a.jsonl", "{\"内容\":\"客服\\u0000态度很差\",\"评分\":1}\n");
    let out = wd.kefu(&["classify", &a]).output().unwrap();
    assert!(!out.stdout.contains(&0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("客服\u{fffd}态度很差"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NUL"));
    let out = wd.shell("$KEFU classify a.jsonl 2>/dev/null | $KEFU classify - 2>&1 >/dev/null");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // JSON keeps it.
    let out = wd.stdout(&["classify", &a, "--format", "jsonl"]);
    assert!(out.contains("\\u0000"), "{out}");
}

/// Found by exploratory testing: a JSON Lines file whose first record is
/// broken (a stray comma) is JSON Lines with one bad row, said with its
/// reason and the file's line, not a whole file refused as not JSON Lines.
#[test]
fn a_bad_first_json_lines_record_is_one_bad_row() {
    let wd = Workdir::empty();
    let f = wd.write(
        "x.jsonl",
        "{\"内容\":\"客服态度很差\",\"评分\":1,}\n{\"内容\":\"回复太慢\",\"评分\":1}\n",
    );
    let out = wd
        .kefu(&["classify", &f, "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 1: not JSON: trailing comma (at column"),
        "{err}"
    );
    assert!(!err.contains("at line 1 column"), "{err}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.lines().nth(1).unwrap().contains("\"response\""),
        "{text}"
    );
}

/// Found by exploratory testing: messages that sent the user round in a
/// circle. A GBK file behind a UTF-8 byte-order mark is read (detected,
/// or with --encoding gbk); classify -o out.xlsx says classify writes no
/// workbooks; report --input does not advise import's --map; explain -
/// reads the text from stdin.
#[test]
fn advice_that_leads_somewhere() {
    let wd = Workdir::new();
    let mut gbk = b"\xEF\xBB\xBF".to_vec();
    gbk.extend_from_slice(&encoding_rs::GBK.encode("内容,评分\n客服态度很差,1\n").0);
    let f = wd.write("bom-gbk.csv", gbk);
    for extra in [&[][..], &["--encoding", "gbk"][..]] {
        let mut args = vec!["classify", f.as_str()];
        args.extend_from_slice(extra);
        let out = wd.stdout(&args);
        assert!(
            out.contains("客服态度很差") && out.contains("attitude"),
            "{extra:?}: {out}"
        );
    }
    for extra in [&[][..], &["--format", "csv"][..]] {
        let mut args = vec!["classify", f.as_str(), "-o", "out.xlsx"];
        args.extend_from_slice(extra);
        let out = wd.kefu(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("does not write .xlsx") && err.contains("--excel"),
            "{err}"
        );
    }
    let x = wd.write(
        "x.csv",
        "id,下单时刻,内容,评分\n1,2026-11-20 10:00,客服态度很差,1\n",
    );
    let out = wd
        .kefu(&["report", "causes", "--input", &x])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        !err.contains("--map") && err.contains("[sources.NAME.columns]"),
        "{err}"
    );
    wd.kefu(&["classify", "explain", "-", "--rules-only"])
        .write_stdin("客服态度很差\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("decision: attitude"));
}

/// Found by exploratory testing of the fixes above: `--column` says so
/// when it cannot tell which column is meant, or names a column N that is
/// not NAME; `explain -` refuses an empty stdin and detects Big5; a NUL in
/// a JSON key is no NUL in the CSV header either.
#[test]
fn column_names_that_could_mean_two_columns_are_refused() {
    let wd = Workdir::empty();
    let f = wd.write(
        "cc.csv",
        "Content,content,备注,rating\n客服态度很差,回复太慢,x,1\n",
    );
    for (column, says) in [
        ("CONTENT", "could be any of \"Content\", \"content\""),
        ("content (column 3)", "column 3 is not headed \"content\""),
        ("content (column 9)", "column 9 is not headed \"content\""),
    ] {
        let out = wd
            .kefu(&["classify", &f, "--column", column])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{column}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{column}"
        );
    }
    // The rating's own column named as the text: classified, and said.
    let r = wd.write("r.csv", "id,评分,内容\n1,差评,态度很差\n2,好评,不错\n");
    wd.kefu(&["classify", &r, "--column", "评分"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "holds only values that read as ratings",
        ));
    wd.kefu(&["classify", "explain", "-"])
        .write_stdin("\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no text on stdin"));
    // An empty argument is the same mistake (an unset variable).
    wd.kefu(&["classify", "explain", " "])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("explain: no text"));
    // UTF-8's mark before GBK: no character of the text.
    let mut marked = b"\xEF\xBB\xBF".to_vec();
    marked.extend_from_slice(
        &encoding_rs::GBK
            .encode("物流太慢了，客服也不回消息，差评")
            .0,
    );
    wd.kefu(&["classify", "explain", "-", "--rules-only"])
        .write_stdin(marked)
        .assert()
        .success()
        .stdout(predicate::str::contains("normalised: 物流太慢了"));
    let big5 = encoding_rs::BIG5
        .encode("客服態度很差，一直不耐煩")
        .0
        .into_owned();
    wd.kefu(&["classify", "explain", "-", "--rules-only"])
        .write_stdin(big5)
        .assert()
        .success()
        .stdout(predicate::str::contains("decision: attitude"));
    let a = wd.write("k.jsonl", "{\"内容\":\"客服态度很差\",\"评\\u0000分\":1}\n");
    let out = wd.kefu(&["classify", &a]).output().unwrap();
    assert!(out.status.success());
    assert!(!out.stdout.contains(&0));
}

/// The first `n` lines of a fixture (a header and rows without newlines
/// inside them), as a text.
fn first_lines(fixture: &str, n: usize) -> String {
    std::fs::read_to_string(common::fixture(fixture))
        .unwrap()
        .lines()
        .take(n)
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Regression (exploratory testing, round 63): `train` marks the row of what
/// classify did before: rules alone where the built-in model is off, none
/// where it replaces a model trained before (which it says).
#[test]
fn train_marks_what_classify_did_before() {
    let wd = Workdir::new();
    let toml = std::fs::read_to_string(wd.path("kefu.toml")).unwrap();
    let toml = toml.replace("# [classify]\n", "[classify]\nbuiltin_model = false\n");
    assert!(toml.contains("builtin_model = false"));
    std::fs::write(wd.path("kefu.toml"), toml).unwrap();
    let f = wd.write("labels.csv", first_lines("labeled/dev.csv", 60));
    let train = || wd.stdout(&["classify", "train", &f, "--folds", "2"]);
    let first = train();
    assert!(first.contains("rules alone (before training)"), "{first}");
    assert!(
        first.contains("rules + built-in model (turned off in kefu.toml)"),
        "{first}"
    );
    assert!(!first.contains("replaces"), "{first}");
    let second = train();
    assert!(!second.contains("(before training)"), "{second}");
    assert!(
        second.contains("it replaces the model trained before"),
        "{second}"
    );
    // Round 64: a model worse than before is said so; a broken one is
    // named, not kefu.toml.
    std::fs::remove_file(wd.path("classify-model.json")).unwrap();
    let few = wd.write("few.csv", first_lines("labeled/dev.csv", 25));
    wd.kefu(&[
        "classify",
        "train",
        &few,
        "--folds",
        "4",
        "--without-builtin-examples",
    ])
    .assert()
    .success()
    .stderr(predicate::str::contains(
        "cross-validate below what classify did before",
    ))
    // Round 65: the built-in model's row stays without its examples.
    .stdout(predicate::str::contains(
        "rules + built-in model (turned off in kefu.toml)",
    ));
    std::fs::write(wd.path("classify-model.json"), "garbage").unwrap();
    wd.kefu(&["classify", "explain", "态度差"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "classify-model.json is not a kefu model",
        ))
        .stderr(predicate::str::contains("kefu.toml").not());
}

/// Found by exploratory testing (round 67): `--column` naming a column the
/// file lacks is a usage error (exit 2), as an ambiguous one is, naming
/// the columns there are.
#[test]
fn a_column_the_file_lacks_is_a_usage_error() {
    let wd = Workdir::empty();
    let f = wd.write("r.csv", "评价内容,评价等级\n太慢了,差评\n");
    wd.kefu(&["classify", &f, "--column", "买家留言"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--column \"买家留言\": no such column (columns: 评价内容, 评价等级)",
        ));
}

/// Found by exploratory testing (round 93): a classify-model.json that is
/// a pipe hung every import of feedback (holding the store) and
/// `classify explain`; one linked to /dev/zero was read until memory ran
/// out; a link to no file was taken for no trained model, the built-in
/// one used without a word. Each is an error naming the file.
#[cfg(unix)]
#[test]
fn a_model_file_that_is_no_file_is_refused() {
    use std::os::unix::fs::symlink;
    let wd = Workdir::new();
    let model = wd.path("classify-model.json");
    let reviews = wd.write(
        "r.csv",
        "评价ID,评价时间,评价等级,评价内容\nR1,2026-11-20 09:00,差评,态度差\n",
    );
    let refused = |says: &str| {
        for args in [
            &["classify", "explain", "态度差"][..],
            &["import", "-q", "reviews", &reviews],
        ] {
            wd.kefu(args)
                .timeout(std::time::Duration::from_secs(20))
                .assert()
                .code(1)
                .stderr(predicate::str::contains("classify-model.json"))
                .stderr(predicate::str::contains(says));
        }
    };
    assert!(std::process::Command::new("mkfifo")
        .arg(&model)
        .status()
        .unwrap()
        .success());
    refused("is not a file (a directory, a device or a pipe)");
    std::fs::remove_file(&model).unwrap();
    symlink("/dev/zero", &model).unwrap();
    refused("is not a file (a directory, a device or a pipe)");
    // Nor is a model trained into either (round 94: train waited for ever
    // on the pipe, and "saved" into /dev/null).
    let labeled = wd.write(
        "labeled.csv",
        format!(
            "text,cause\n{}",
            "态度很差,attitude\n回复太慢,response\n".repeat(6)
        ),
    );
    wd.kefu(&["classify", "train", &labeled])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot save the model to"));
    std::fs::remove_file(&model).unwrap();
    symlink(wd.path("share/model.json"), &model).unwrap();
    refused("share/model.json, which does not exist");
    std::fs::remove_file(&model).unwrap();
    symlink(&model, &model).unwrap();
    refused("cannot be followed (the links go round in a loop");
    // Over 512 MB: told by its size, not read (round 96: read whole first).
    std::fs::remove_file(&model).unwrap();
    let big = std::fs::File::create(&model).unwrap();
    big.set_len((512 << 20) + 1).unwrap();
    refused("over 512 MB: not a kefu model");
    assert_eq!(wd.count("SELECT count(*) FROM feedback"), 0);
    std::fs::remove_file(&model).unwrap();
    // A workspace this user may not create files in: said before training
    // (round 97: found after it), by a user other than root.
    if let Some(mut as_nobody) = common::kefu_as_nobody() {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(wd.path(""), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&labeled, std::fs::Permissions::from_mode(0o644)).unwrap();
        for f in ["kefu.db", "kefu.toml"] {
            std::os::unix::fs::chown(wd.path(f), Some(65534), Some(65534)).unwrap();
        }
        let out = as_nobody
            .arg("-w")
            .arg(wd.path(""))
            .args(["classify", "train", &labeled])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("no permission to create files in"), "{err}");
        // Nothing was learnt: no cross-validation figures were printed.
        assert!(out.stdout.is_empty(), "{out:?}");
        assert!(!model.exists());
    }
}
