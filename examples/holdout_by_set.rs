//! How well the built-in model generalises to a writer it has not read:
//! for each bundled labelled set (`fixtures/labeled/`), the model learns from
//! the other sets only and the classifier (rules + that model) is scored on
//! the one left out. Each set was written separately (by other writers, or
//! at another time, with other businesses and voices asked for), so this is
//! closer to a department's unseen reviews than a random split.
//! The held-out sets `test2.csv` and `dev23.csv`, and any FILE given, are scored with a model
//! learnt from all the bundled sets, as `kefu classify` does.
//!
//!     cargo run --release --example holdout_by_set [-- FILE...]
//!
//! FILEs are read as `kefu classify eval` reads them (any format and
//! encoding, columns `text` and `cause`). Prints macro-F1 per set: all rows, Chinese rows, English rows (rows with
//! no CJK character).

use anyhow::Result;
use kefu::classify::eval::Evaluation;
use kefu::classify::model::{ModelSource, Scorer};
use kefu::classify::rules::ClassifyConfig;
use kefu::classify::{Classifier, Scratch};
use kefu::cmd::classify::read_labeled;
use kefu::domain::Cause;

/// The sets the built-in model learns from.
const BUNDLED: [&str; 27] = [
    "dev", "dev2", "test", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10",
    "dev11", "dev12", "dev13", "dev14", "dev15", "dev16", "dev17", "dev18", "dev19", "dev20",
    "dev21", "dev22", "dev24", "dev25", "hard", "tw_hk",
];

fn is_chinese(text: &str) -> bool {
    text.chars().any(|c| matches!(c, '\u{4e00}'..='\u{9fff}'))
}

/// Macro-F1 of all, Chinese and English rows.
fn score(classifier: &Classifier, rows: &[(String, Cause)]) -> [f64; 3] {
    let mut evals = [Evaluation::new(), Evaluation::new(), Evaluation::new()];
    let mut scratch = Scratch::default();
    for (text, cause) in rows {
        let predicted = classifier.classify(text, &mut scratch).cause;
        evals[0].add(*cause, predicted);
        evals[if is_chinese(text) { 1 } else { 2 }].add(*cause, predicted);
    }
    evals.map(|e| e.macro_f1())
}

fn with_model(rules: &Classifier, sets: &[&Vec<(String, Cause)>]) -> Result<Classifier> {
    let examples = sets
        .iter()
        .flat_map(|s| s.iter())
        .map(|(t, c)| (rules.normalized(t), *c));
    let scorer = Scorer::learn(examples);
    let config = ClassifyConfig::default();
    Ok(Classifier::new(&config)?.with_model(scorer, ModelSource::Trained))
}

fn main() -> Result<()> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/labeled");
    let config = ClassifyConfig::default();
    let rules = Classifier::new(&config)?;
    let sets: Vec<Vec<(String, Cause)>> = BUNDLED
        .iter()
        .map(|name| read_labeled(&format!("{dir}/{name}.csv")))
        .collect::<Result<_>>()?;
    println!(
        "{:<28} {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}",
        "set (rows)", "rules", "zh", "en", "+model", "zh", "en"
    );
    let line = |name: &str, rows: &[(String, Cause)], model: &Classifier| {
        let r = score(&rules, rows);
        let m = score(model, rows);
        println!(
            "{:<28} {:>6.3} {:>6.3} {:>6.3}   {:>6.3} {:>6.3} {:>6.3}",
            format!("{name} ({})", rows.len()),
            r[0],
            r[1],
            r[2],
            m[0],
            m[1],
            m[2]
        );
    };
    let mut left_out = 0;
    let mut pooled_rules = Evaluation::new();
    let mut pooled_model = Evaluation::new();
    for (i, name) in BUNDLED.iter().enumerate() {
        let others: Vec<&Vec<(String, Cause)>> = sets
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, s)| s)
            .collect();
        let model = with_model(&rules, &others)?;
        line(&format!("{name} left out"), &sets[i], &model);
        let mut scratch = Scratch::default();
        for (text, cause) in &sets[i] {
            pooled_rules.add(*cause, rules.classify(text, &mut scratch).cause);
            pooled_model.add(*cause, model.classify(text, &mut scratch).cause);
        }
        left_out += sets[i].len();
    }
    println!(
        "{:<28} {:>6.3} {:>6} {:>6}   {:>6.3}",
        format!("pooled ({left_out})"),
        pooled_rules.macro_f1(),
        "",
        "",
        pooled_model.macro_f1()
    );
    let full = with_model(&rules, &sets.iter().collect::<Vec<_>>())?;
    let mut extra: Vec<String> = std::env::args().skip(1).collect();
    extra.insert(0, format!("{dir}/dev23.csv"));
    extra.insert(0, format!("{dir}/test2.csv"));
    for path in &extra {
        let rows = read_labeled(path)?;
        let name = std::path::Path::new(path)
            .file_name()
            .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
        line(&name, &rows, &full);
    }
    Ok(())
}
