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
    /// Says this aspect was fine.
    Praise(Cause, f32),
    /// A topic word of this cause (praised when a good word follows).
    Topic(Cause),
    /// A good word (完成 a topic's praise).
    Good,
    /// Blame outside the service (logistics, product, price): counts for `other`.
    NotAgent(f32),
    /// The agent promised something: delay words then mean a promise not kept.
    Promise,
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
}

fn parse_weighted(line: &str) -> Result<(String, f32)> {
    match line.rsplit_once(" = ") {
        Some((phrase, w)) => {
            let weight: f32 = w
                .trim()
                .parse()
                .with_context(|| format!("bad weight in {line:?}"))?;
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
            "good" => Role::Good,
            "not_agent" => Role::NotAgent(weight),
            "promise" => Role::Promise,
            "agent" => Role::Agent,
            "neutral" => Role::Neutral,
            s => {
                if let Some(c) = s.strip_prefix("praise.") {
                    Role::Praise(cause_of(c)?, weight)
                } else if let Some(c) = s.strip_prefix("topic.") {
                    Role::Topic(cause_of(c)?)
                } else {
                    Role::Complaint(cause_of(s)?, weight)
                }
            }
        };
        self.entries.push((phrase, role));
        Ok(())
    }

    /// Applies `[classify]` from kefu.toml: extra phrases, or a replacement
    /// of the built-in ones.
    pub fn with_config(mut self, cfg: &ClassifyConfig) -> Result<RuleSet> {
        if cfg.replace_builtin {
            self = RuleSet::default();
        }
        for (section, phrases) in &cfg.phrases {
            for p in phrases {
                self.add(section, p)
                    .with_context(|| format!("kefu.toml [classify.phrases] {section}"))?;
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
            self.rewrites.push((from.clone(), to.clone()));
        }
        Ok(self)
    }
}

fn cause_of(section: &str) -> Result<Cause> {
    Cause::parse(section).with_context(|| {
        format!("unknown rules section [{section}] (expected a cause, negation, contrast, focus, good, not_agent, promise, agent, neutral, praise.CAUSE, topic.CAUSE or normalize)")
    })
}

/// `[classify]` in kefu.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifyConfig {
    /// Use only the phrases given here, not the built-in ones.
    #[serde(default)]
    pub replace_builtin: bool,
    /// Extra phrases per section: `attitude = ["甩脸子", "怼人 = 3"]`; sections
    /// are the causes and praise.CAUSE / topic.CAUSE / good / neutral.
    #[serde(default)]
    pub phrases: BTreeMap<String, Vec<String>>,
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
