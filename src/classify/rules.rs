//! The classifier's rule set: the built-in rules (`builtin.rules`, compiled
//! in), parsed from their text form, extended or replaced by `[classify]` in
//! `kefu.toml`.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::domain::Cause;

/// The built-in rules, as text.
pub const BUILTIN: &str = include_str!("builtin.rules");

/// What a matched phrase means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Role {
    /// A complaint about this cause.
    Complaint(Cause, f32),
    /// Cancels a complaint phrase starting right after it.
    Negation,
    /// The main point follows.
    Contrast,
    /// Points at the main complaint (stronger than a contrast).
    Focus,
    /// The customer lets what came before pass (我忍了, 也就算了, fair
    /// enough): the main point comes in the clauses after it.
    Concede,
    /// Says this aspect was fine.
    Praise(Cause, f32),
    /// A topic word of this cause (praised when a good word follows).
    Topic(Cause),
    /// A quality of the service that, denied right before it (不够专业,
    /// 一点不耐心, never responds), is a complaint of this cause; alone it
    /// means nothing (希望耐心一点 is no praise).
    Quality(Cause, f32),
    /// A good word (完成 a topic's praise).
    Good,
    /// Blame outside the service (logistics, product, price): counts for `other`.
    NotAgent(f32),
    /// A person who is not the agent (快递员, 骑手, 安装师傅, courier): in a
    /// clause naming one and not the agent, attitude phrases are that
    /// person's manners, and count for `other`.
    ThirdParty,
    /// The agent promised something: delay words then mean a promise not kept.
    Promise,
    /// A reply or a call (回电, 答复, callback): a promise of one is a
    /// promised response time, its wait a slow response.
    Contact,
    /// The agent stated or taught something (客服说可以, 告诉我, told me).
    Claim,
    /// What the customer found later contradicts it (才知道, 明明, turned out):
    /// after a claim, wrong information (competence).
    Refuted,
    /// The agent said the problem was dealt with (说已经帮您取消了, 已修复,
    /// said it was fixed): what goes wrong after it is the outcome of the
    /// handling (resolution), not a product or logistics problem.
    Done,
    /// Names the agent (客服, 她, support): the clause is about the service.
    Agent,
    /// Means nothing for any cause; only keeps a shorter phrase inside it
    /// from matching (麻烦 "please" is not 烦, 拖鞋 is not 拖).
    Neutral,
}

/// Phrases and their roles, plus rewrites, before compilation.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// (phrase, role), in definition order. One phrase may have several roles.
    pub entries: Vec<(String, Role)>,
    /// (from, to) rewrites applied before matching.
    pub rewrites: Vec<(String, String)>,
    /// How many of `entries` are the built-in rules' (the rest are
    /// kefu.toml's, which override them: see [`RuleSet::with_config`]).
    pub builtin_entries: usize,
}

/// The largest weight a phrase may have.
const MAX_WEIGHT: f32 = 100.0;

/// Whether `text` (trimmed) is written as a weight: a number, or what
/// would be taken for one (1.5.2, nan, inf).
fn is_weight_text(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && (t.bytes().any(|b| b.is_ascii_digit())
            && t.bytes()
                .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
            || ["nan", "inf", "infinity", "+inf", "-inf"]
                .contains(&t.to_ascii_lowercase().as_str()))
}

/// `phrase = weight`, the spaces around `=` optional (`摆臭脸=5`, found by
/// exploratory testing: it was taken for the phrase `摆臭脸=5`, which no
/// text holds); a line whose last `=` is followed by no weight is a phrase
/// (`=_=`).
fn parse_weighted(line: &str) -> Result<(String, f32)> {
    // Typed with a Chinese input method: `甩锅＝５` (found by regression
    // testing: the phrase `甩锅＝5`, which no text holds). The phrase is
    // kept as written: a built-in one holds `？`.
    let fold = |w: &str| -> String { w.chars().map(crate::domain::fold_full_width).collect() };
    let line = line.replace('＝', "=");
    let line = line.as_str();
    match line
        .rsplit_once('=')
        .map(|(phrase, w)| (phrase, fold(w)))
        .filter(|(_, w)| is_weight_text(w))
    {
        Some((phrase, w)) => {
            if phrase
                .rsplit_once('=')
                .is_some_and(|(_, w)| is_weight_text(&fold(w)))
            {
                bail!("{line:?} gives more than one weight: write `phrase = weight`");
            }
            let weight: f32 = w
                .trim()
                .parse()
                .with_context(|| format!("bad weight in {line:?}"))?;
            // nan, inf (1e40 as an f32) or a negative weight would turn
            // every score they touch into nonsense (found by exploratory
            // testing: `nan` made every text `other`).
            if !(0.0..=MAX_WEIGHT).contains(&weight) {
                bail!("weight in {line:?} must be a number from 0 to {MAX_WEIGHT} (built-in phrases weigh 1 to 4; use the neutral section to stop a phrase)");
            }
            Ok((phrase.trim().to_string(), weight))
        }
        None => Ok((line.trim().to_string(), 1.0)),
    }
}

impl RuleSet {
    /// Parses rules in the text form of `builtin.rules`.
    pub fn parse(text: &str, origin: &str) -> Result<RuleSet> {
        let mut set = RuleSet::default();
        let mut section = String::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') && line.ends_with(']') {
                section = line[1..line.len() - 1].trim().to_string();
                continue;
            }
            let at = || format!("{origin}, line {}", n + 1);
            set.add(&section, line).with_context(at)?;
        }
        set.builtin_entries = set.entries.len();
        Ok(set)
    }

    /// Adds one line of a section.
    fn add(&mut self, section: &str, line: &str) -> Result<()> {
        if section == "normalize" {
            let (from, to) = line
                .split_once(" = ")
                .with_context(|| format!("expected `from = to`, found {line:?}"))?;
            self.rewrites
                .push((from.trim().to_string(), to.trim().to_string()));
            return Ok(());
        }
        let (phrase, weight) = parse_weighted(line)?;
        if phrase.is_empty() {
            bail!("empty phrase");
        }
        let role = match section {
            "negation" => Role::Negation,
            "contrast" => Role::Contrast,
            "focus" => Role::Focus,
            "concede" => Role::Concede,
            "good" => Role::Good,
            "not_agent" => Role::NotAgent(weight),
            "third_party" => Role::ThirdParty,
            "promise" => Role::Promise,
            "contact" => Role::Contact,
            "claim" => Role::Claim,
            "refuted" => Role::Refuted,
            "done" => Role::Done,
            "agent" => Role::Agent,
            "neutral" => Role::Neutral,
            s => {
                if let Some(c) = s.strip_prefix("praise.") {
                    Role::Praise(cause_of(c)?, weight)
                } else if let Some(c) = s.strip_prefix("topic.") {
                    Role::Topic(cause_of(c)?)
                } else if let Some(c) = s.strip_prefix("quality.") {
                    Role::Quality(cause_of(c)?, weight)
                } else {
                    Role::Complaint(cause_of(s)?, weight)
                }
            }
        };
        self.entries.push((phrase, role));
        Ok(())
    }

    /// Applies `[classify]` from kefu.toml: extra phrases, or a replacement
    /// of the built-in ones. A phrase kefu.toml lists under `neutral` stops
    /// a built-in phrase; one it lists under a cause, praise or not_agent
    /// the built-in rules have there too takes its new weight (it does not
    /// count twice).
    pub fn with_config(mut self, cfg: &ClassifyConfig) -> Result<RuleSet> {
        if cfg.replace_builtin {
            self = RuleSet::default();
        }
        self.builtin_entries = self.entries.len();
        for (section, phrases) in &cfg.phrases {
            let lists: Vec<(String, &Vec<String>)> = match phrases {
                Phrases::List(list) => vec![(section.clone(), list)],
                Phrases::PerCause(per_cause) => per_cause
                    .iter()
                    .map(|(cause, list)| (format!("{section}.{cause}"), list))
                    .collect(),
            };
            for (section, list) in lists {
                for p in list {
                    self.add(&section, p)
                        .with_context(|| format!("kefu.toml [classify.phrases] {section}"))?;
                }
            }
        }
        let lists = [
            ("negation", &cfg.negations),
            ("contrast", &cfg.contrasts),
            ("not_agent", &cfg.not_agent),
            ("focus", &cfg.focus),
        ];
        for (section, list) in lists {
            for p in list {
                self.add(section, p)
                    .with_context(|| format!("kefu.toml [classify] {section}"))?;
            }
        }
        for (from, to) in &cfg.normalize {
            // An empty `from` would insert `to` between every two characters.
            if from.trim().is_empty() {
                bail!("kefu.toml [classify.normalize]: an empty text to rewrite (\"\" = {to:?})");
            }
            self.rewrites.push((from.clone(), to.clone()));
        }
        Ok(self)
    }
}

fn cause_of(section: &str) -> Result<Cause> {
    Cause::parse(section).with_context(|| {
        format!("unknown rules section [{section}] (expected a cause, negation, contrast, focus, concede, good, not_agent, promise, contact, claim, refuted, done, agent, neutral, third_party, praise.CAUSE, topic.CAUSE, quality.CAUSE or normalize)")
    })
}

/// The phrases of one section of `[classify.phrases]`: a list, or (for
/// `praise`, `topic` and `quality`) a table of lists per cause, as TOML writes
/// `praise.attitude = [...]` and `[classify.phrases.praise]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    untagged,
    expecting = "a list of phrases (or, for praise, topic and quality, a table of lists per cause)"
)]
pub enum Phrases {
    List(Vec<String>),
    PerCause(BTreeMap<String, Vec<String>>),
}

/// `[classify]` in kefu.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifyConfig {
    /// Use only the phrases given here, not the built-in ones.
    #[serde(default)]
    pub replace_builtin: bool,
    /// Extra phrases per section: `attitude = ["甩脸子", "怼人 = 3"]`; sections
    /// are the causes and praise.CAUSE / topic.CAUSE / quality.CAUSE / good / neutral / third_party /
    /// promise / contact / agent / claim / refuted / done / concede.
    #[serde(default)]
    pub phrases: BTreeMap<String, Phrases>,
    /// Extra negation words.
    #[serde(default)]
    pub negations: Vec<String>,
    /// Extra contrast markers.
    #[serde(default)]
    pub contrasts: Vec<String>,
    /// Extra focus markers.
    #[serde(default)]
    pub focus: Vec<String>,
    /// Extra phrases that mean "not about the agent" (→ other): `"快递柜 = 2"`.
    #[serde(default)]
    pub not_agent: Vec<String>,
    /// Extra rewrites applied before matching: `"太渡" = "态度"`.
    #[serde(default)]
    pub normalize: BTreeMap<String, String>,
    /// Weight of the model against the rules (0 to 1): default 0.65.
    pub model_weight: Option<f32>,
    /// What a quoted reply addressed to the customer adds to attitude
    /// (0 turns it off): default 2.
    pub quote_weight: Option<f32>,
    /// Use the built-in model (learnt from the bundled labelled examples)
    /// when the workspace has no trained one: default true.
    pub builtin_model: Option<bool>,
}

impl ClassifyConfig {
    /// Checks the values serde cannot: the weights' ranges, the phrases
    /// (a config mistake is an error of every command, named, not a
    /// classifier gone quietly wrong: `model_weight = 65` meant 65%).
    pub fn validate(&self) -> Result<()> {
        if let Some(w) = self.model_weight {
            if !(0.0..=1.0).contains(&w) {
                bail!("[classify] model_weight = {w}: must be from 0 (rules alone) to 1 (the model alone); the default is 0.65");
            }
        }
        if let Some(w) = self.quote_weight {
            if !(0.0..=MAX_WEIGHT).contains(&w) {
                bail!("[classify] quote_weight = {w}: must be from 0 (off) to {MAX_WEIGHT}; the default is 2");
            }
        }
        RuleSet::default().with_config(self).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_parse() {
        let set = RuleSet::parse(BUILTIN, "builtin.rules").unwrap();
        assert!(set.entries.len() > 500, "{}", set.entries.len());
        assert!(set
            .entries
            .contains(&("态度差".to_string(), Role::Complaint(Cause::Attitude, 3.0))));
        assert!(set.rewrites.iter().any(|(f, t)| f == "太度" && t == "态度"));
    }

    #[test]
    fn a_weight_is_read_with_or_without_spaces_around_the_sign() {
        let w = |l: &str| parse_weighted(l).map_err(|e| e.to_string());
        assert_eq!(w("摆臭脸=5"), Ok(("摆臭脸".into(), 5.0)));
        assert_eq!(w("黑脸 =2"), Ok(("黑脸".into(), 2.0)));
        assert_eq!(w("甩脸子 = 3"), Ok(("甩脸子".into(), 3.0)));
        assert_eq!(w("=_="), Ok(("=_=".into(), 1.0)));
        assert_eq!(w("甩锅＝５"), Ok(("甩锅".into(), 5.0)));
        assert_eq!(w("= 3"), Ok(("".into(), 3.0)), "refused by add as empty");
        assert!(w("甩脸子 = 3 = 4")
            .unwrap_err()
            .contains("more than one weight"));
        assert!(w("甩脸子 = 1.5.2").unwrap_err().contains("bad weight"));
        assert!(w("甩脸子 = nan").unwrap_err().contains("from 0 to"));
        let mut set = RuleSet::default();
        assert!(set
            .add("attitude", "= 3")
            .unwrap_err()
            .to_string()
            .contains("empty phrase"));
    }

    #[test]
    fn config_extends_and_errors_name_the_section() {
        let cfg: ClassifyConfig = toml::from_str(
            "negations = [\"未\"]\n[phrases]\nattitude = [\"甩脸子 = 3\"]\n[normalize]\n\"太渡\" = \"态度\"\n",
        )
        .unwrap();
        let set = RuleSet::parse(BUILTIN, "b")
            .unwrap()
            .with_config(&cfg)
            .unwrap();
        assert!(set
            .entries
            .contains(&("甩脸子".to_string(), Role::Complaint(Cause::Attitude, 3.0))));
        assert!(set.entries.contains(&("未".to_string(), Role::Negation)));
        let bad: ClassifyConfig = toml::from_str("[phrases]\nattitdue = [\"x\"]\n").unwrap();
        let e = RuleSet::default().with_config(&bad).unwrap_err();
        assert!(format!("{e:#}").contains("attitdue"));
    }
}
