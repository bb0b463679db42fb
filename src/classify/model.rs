//! A small text model learnt from the department's own labels: multinomial
//! naive Bayes over character 1- to 3-grams of the normalised text (words and
//! word pairs for Latin script), with add-one smoothing. Trained in
//! milliseconds, stored as JSON in the workspace, nothing downloaded.
//!
//! For classifying, a [`Model`] is compiled into a [`Scorer`]: features are
//! hashed as they are found (no string per n-gram) and looked up in a table
//! of precomputed log-likelihoods.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::domain::Cause;

/// File name of the model inside a workspace.
pub const MODEL_FILE: &str = "classify-model.json";

/// A trained model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Model {
    pub version: u32,
    /// Training examples per cause (in `Cause::ALL` order).
    pub docs: [u64; 5],
    /// Feature counts per cause.
    pub features: HashMap<String, [u32; 5]>,
    /// Total feature count per cause.
    pub totals: [u64; 5],
}

/// The labelled examples bundled with kefu (`fixtures/labeled/`: dev, dev2,
/// test and dev3; test2 stays held out), the built-in model's training data.
const BUILTIN_EXAMPLES: [&str; 4] = [
    include_str!("../../fixtures/labeled/dev.csv"),
    include_str!("../../fixtures/labeled/dev2.csv"),
    include_str!("../../fixtures/labeled/test.csv"),
    include_str!("../../fixtures/labeled/dev3.csv"),
];

/// The bundled labelled examples: (text, cause).
pub fn builtin_examples() -> Vec<(String, Cause)> {
    let mut out = vec![];
    for file in BUILTIN_EXAMPLES {
        let mut reader = csv::Reader::from_reader(file.as_bytes());
        for record in reader.records() {
            let record = record.expect("the bundled examples are valid CSV");
            let cause = Cause::parse(&record[1]).expect("the bundled examples have valid causes");
            out.push((record[0].to_string(), cause));
        }
    }
    out
}

/// Which model classifies beside the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelSource {
    /// `kefu classify train` saved one in the workspace.
    Trained,
    /// None trained: the one learnt from the bundled examples.
    Builtin,
}

impl ModelSource {
    /// `trained` or `builtin`.
    pub fn id(self) -> &'static str {
        match self {
            ModelSource::Trained => "trained",
            ModelSource::Builtin => "builtin",
        }
    }
}

/// The model for a workspace: the trained one if there is one, else the
/// built-in one (unless `builtin` is false). `normalize` is the classifier's
/// normalisation, which the examples go through as texts will.
pub fn workspace_model(
    dir: &Path,
    builtin: bool,
    normalize: impl Fn(&str) -> String,
) -> Result<Option<(Scorer, ModelSource)>> {
    if let Some(m) = Model::load(&dir.join(MODEL_FILE))? {
        return Ok(Some((m.scorer(), ModelSource::Trained)));
    }
    if !builtin {
        return Ok(None);
    }
    let examples = builtin_examples();
    let scorer = Scorer::learn(examples.iter().map(|(t, c)| (normalize(t), *c)));
    Ok(Some((scorer, ModelSource::Builtin)))
}

/// The features of a normalised text.
pub fn features(text: &str) -> Vec<String> {
    let mut out = vec![];
    let cjk: Vec<char> = text
        .chars()
        .filter(|c| !c.is_ascii() && c.is_alphanumeric())
        .collect();
    for n in 1..=3 {
        for w in cjk.windows(n) {
            out.push(w.iter().collect());
        }
    }
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() > 1)
        .collect();
    for w in &words {
        out.push(format!("w:{w}"));
    }
    for pair in words.windows(2) {
        out.push(format!("w:{} {}", pair[0], pair[1]));
    }
    out
}

impl Model {
    /// Trains on (normalised text, cause) pairs.
    pub fn train<'a>(examples: impl IntoIterator<Item = (&'a str, Cause)>) -> Result<Model> {
        let mut m = Model {
            version: 1,
            docs: [0; 5],
            features: HashMap::new(),
            totals: [0; 5],
        };
        for (text, cause) in examples {
            let i = cause as usize;
            m.docs[i] += 1;
            for f in features(text) {
                m.features.entry(f).or_insert([0; 5])[i] += 1;
                m.totals[i] += 1;
            }
        }
        if m.docs.iter().sum::<u64>() == 0 {
            bail!("no labelled examples to learn from");
        }
        Ok(m)
    }

    /// Probability of each cause for a normalised text.
    pub fn probabilities(&self, text: &str) -> [f32; 5] {
        let n_docs: u64 = self.docs.iter().sum();
        let vocab = self.features.len() as f64 + 1.0;
        let mut logp = [f64::NEG_INFINITY; 5];
        for (lp, &docs) in logp.iter_mut().zip(&self.docs) {
            if docs > 0 {
                *lp = (docs as f64 / n_docs as f64).ln();
            }
        }
        for f in features(text) {
            if let Some(counts) = self.features.get(&f) {
                for ((lp, &count), (&docs, &total)) in logp
                    .iter_mut()
                    .zip(counts)
                    .zip(self.docs.iter().zip(&self.totals))
                {
                    if docs > 0 {
                        *lp += ((f64::from(count) + 1.0) / (total as f64 + vocab)).ln();
                    }
                }
            }
        }
        softmax(&logp)
    }

    /// The most probable cause.
    pub fn predict(&self, text: &str) -> Cause {
        best(&self.probabilities(text))
    }

    /// Compiles the model for fast scoring.
    pub fn scorer(&self) -> Scorer {
        let counts = self
            .features
            .iter()
            .map(|(f, c)| (feature_hash(&[f.as_bytes()]), *c));
        Scorer::from_counts(self.docs, self.totals, self.features.len(), counts)
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(self)?)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    /// Loads a model if the file exists.
    pub fn load(path: &Path) -> Result<Option<Model>> {
        if !path.exists() {
            return Ok(None);
        }
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let m: Model = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a kefu model", path.display()))?;
        Ok(Some(m))
    }
}

/// FNV-1a over the concatenated parts: the hash of a feature string, computed
/// the same way from its pieces while scanning a text.
fn feature_hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A model compiled for scoring: log prior per cause and, per feature hash,
/// the log-likelihood per cause (add-one smoothing).
pub struct Scorer {
    prior: [f32; 5],
    likelihood: HashMap<u64, [f32; 5], BuildHasherDefault<PassThrough>>,
}

impl Scorer {
    /// Learns straight from (normalised text, cause) pairs, with hashed
    /// features: no feature strings, for the built-in model learnt at start-up.
    pub fn learn(examples: impl IntoIterator<Item = (String, Cause)>) -> Scorer {
        let mut docs = [0u64; 5];
        let mut totals = [0u64; 5];
        // Sized once: growing a table of megabytes step by step leaves the
        // allocator holding every size it passed through.
        let mut counts: HashMap<u64, [u32; 5], BuildHasherDefault<PassThrough>> =
            HashMap::with_capacity_and_hasher(1 << 15, Default::default());
        for (text, cause) in examples {
            let i = cause as usize;
            docs[i] += 1;
            for_each_feature(&text, |h| {
                counts.entry(h).or_insert([0; 5])[i] += 1;
                totals[i] += 1;
            });
        }
        let n = counts.len();
        Scorer::from_counts(docs, totals, n, counts)
    }

    fn from_counts(
        docs: [u64; 5],
        totals: [u64; 5],
        vocabulary: usize,
        counts: impl IntoIterator<Item = (u64, [u32; 5])>,
    ) -> Scorer {
        let vocab = vocabulary as f64 + 1.0;
        let n_docs: u64 = docs.iter().sum();
        let mut prior = [f32::NEG_INFINITY; 5];
        for (lp, &d) in prior.iter_mut().zip(&docs) {
            if d > 0 {
                *lp = (d as f64 / n_docs as f64).ln() as f32;
            }
        }
        let likelihood = counts
            .into_iter()
            .map(|(h, c)| {
                let mut ll = [0f32; 5];
                for (i, l) in ll.iter_mut().enumerate() {
                    *l = ((f64::from(c[i]) + 1.0) / (totals[i] as f64 + vocab)).ln() as f32;
                }
                (h, ll)
            })
            .collect();
        Scorer { prior, likelihood }
    }

    /// Probability of each cause for a normalised text; the same as
    /// [`Model::probabilities`], without building feature strings. `None`
    /// when no feature of the text was seen in training (an empty text, only
    /// emoji): the priors alone would name a cause the text never gave.
    pub fn probabilities(&self, text: &str) -> Option<[f32; 5]> {
        let mut logp = self.prior.map(f64::from);
        let mut known = 0usize;
        for_each_feature(text, |h| {
            if let Some(ll) = self.likelihood.get(&h) {
                known += 1;
                for (lp, l) in logp.iter_mut().zip(ll) {
                    *lp += f64::from(*l);
                }
            }
        });
        (known > 0).then(|| softmax(&logp))
    }
}

/// Calls `f` with the hash of each feature of a normalised text, the
/// features of [`features`] hashed as [`feature_hash`] hashes their strings.
fn for_each_feature(text: &str, mut f: impl FnMut(u64)) {
    // Character 1- to 3-grams over the non-ASCII letters of the text.
    let mut last: [[u8; 4]; 2] = [[0; 4]; 2];
    let mut last_len = [0usize; 2];
    let letters = text
        .chars()
        .filter(|c| !c.is_ascii() && c.is_alphanumeric());
    for (seen, c) in letters.enumerate() {
        let mut buf = [0u8; 4];
        let len = c.encode_utf8(&mut buf).len();
        let cur = &buf[..len];
        f(feature_hash(&[cur]));
        if seen >= 1 {
            f(feature_hash(&[&last[1][..last_len[1]], cur]));
        }
        if seen >= 2 {
            f(feature_hash(&[
                &last[0][..last_len[0]],
                &last[1][..last_len[1]],
                cur,
            ]));
        }
        last[0] = last[1];
        last_len[0] = last_len[1];
        last[1] = buf;
        last_len[1] = len;
    }
    // Latin words and word pairs.
    let mut previous: Option<&str> = None;
    for w in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() > 1)
    {
        f(feature_hash(&[b"w:", w.as_bytes()]));
        if let Some(p) = previous {
            f(feature_hash(&[b"w:", p.as_bytes(), b" ", w.as_bytes()]));
        }
        previous = Some(w);
    }
}

/// The index of the highest probability as a cause (`other` if none).
fn best(p: &[f32; 5]) -> Cause {
    let i = (0..5)
        .max_by(|&a, &b| p[a].partial_cmp(&p[b]).unwrap_or(std::cmp::Ordering::Equal))
        .unwrap_or(4);
    Cause::ALL[i]
}

/// Normalised probabilities from log scores (a cause with no examples gets 0).
fn softmax(logp: &[f64; 5]) -> [f32; 5] {
    let max = logp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut probs = [0f32; 5];
    let mut sum = 0.0;
    for i in 0..5 {
        let e = if logp[i].is_finite() {
            (logp[i] - max).exp()
        } else {
            0.0
        };
        probs[i] = e as f32;
        sum += e;
    }
    if sum > 0.0 {
        for p in &mut probs {
            *p /= sum as f32;
        }
    }
    probs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_from_examples() {
        let m = Model::train([
            ("客服态度差", Cause::Attitude),
            ("态度恶劣", Cause::Attitude),
            ("回复太慢", Cause::Response),
            ("等了半天没人回", Cause::Response),
        ])
        .unwrap();
        assert_eq!(m.predict("态度很差"), Cause::Attitude);
        assert_eq!(m.predict("太慢了没人回"), Cause::Response);
        let p = m.probabilities("态度");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }

    #[test]
    fn the_compiled_scorer_agrees_with_the_model() {
        let examples = [
            ("客服态度差, so rude", Cause::Attitude),
            ("態度恶劣 rude agent", Cause::Attitude),
            ("回复太慢 too slow", Cause::Response),
            ("等了半天没人回 no reply", Cause::Response),
            ("快递丢了 lost parcel", Cause::Other),
        ];
        let m = Model::train(examples).unwrap();
        let s = m.scorer();
        let learnt = Scorer::learn(examples.map(|(t, c)| (t.to_string(), c)));
        for text in [
            "态度很差",
            "太慢了 no reply at all",
            "rude",
            "",
            "lost 快递 parcel 丢了",
        ] {
            let a = m.probabilities(text);
            let (b1, b2) = (s.probabilities(text), learnt.probabilities(text));
            if text.is_empty() {
                assert_eq!((b1, b2), (None, None), "no features, no verdict");
                continue;
            }
            for b in [b1.unwrap(), b2.unwrap()] {
                for i in 0..5 {
                    assert!((a[i] - b[i]).abs() < 1e-5, "{text}: {a:?} vs {b:?}");
                }
            }
        }
    }
}
