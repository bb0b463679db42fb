//! The reward/penalty rulebook (奖惩制度) as configuration: `[points]` in
//! kefu.toml. `examples/scheme-a.toml` and `examples/scheme-b.toml` express the
//! department's two real schemes; `kefu init` writes scheme A.

use std::collections::{HashMap, HashSet};

use anyhow::{bail, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::{normalize_term, parse_validity, Responsibility};

/// `[points]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rulebook {
    /// Money per point (e.g. "10" CNY for scheme A, "2" for scheme B).
    #[serde(with = "rust_decimal::serde::str")]
    pub rate: Decimal,
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Pay a negative bonus when net points are negative (default: no, the
    /// bonus is 0 and the negative net is still shown).
    #[serde(default)]
    pub negative_bonus: bool,
    /// Ties for the top of a metric: "all" (each tied agent gets the points),
    /// "none" (nobody does), "lowest-id" (the lowest agent id does).
    #[serde(default)]
    pub ties: Ties,
    /// Which feedback counts against an agent.
    #[serde(default)]
    pub complaints: ComplaintPolicy,
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
    #[serde(default, rename = "threshold")]
    pub thresholds: Vec<Threshold>,
    #[serde(default)]
    pub nominations: Nominations,
}

fn default_currency() -> String {
    "CNY".into()
}

/// Who gets a top-metric rule's points when several agents share the top.
/// Values in kefu.toml are enums, so that a typo is reported by the TOML
/// reader with its line and the values expected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ties {
    /// Each tied agent.
    #[default]
    All,
    /// Nobody.
    None,
    /// The lowest agent id.
    LowestId,
}

/// The calendar window a rule or threshold counts occurrences in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Window {
    Month,
    Quarter,
    Year,
}

impl Window {
    /// As written in kefu.toml.
    pub fn name(self) -> &'static str {
        match self {
            Window::Month => "month",
            Window::Quarter => "quarter",
            Window::Year => "year",
        }
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a derived rule is derived from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Derived {
    /// Each counted complaint.
    Complaint,
    /// A whole month without a counted complaint.
    ZeroComplaintMonth,
    /// The top agent of a metric (`kefu import activity`) each month.
    TopMetric,
}

/// Which complaints count (are charged) against an agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintPolicy {
    /// Feedback kinds that can count: "complaint", "review".
    #[serde(default = "default_kinds")]
    pub kinds: Vec<String>,
    /// Responsibilities that count (default: individual 个人).
    #[serde(default = "default_responsibilities")]
    pub responsibilities: Vec<String>,
    /// Validities that count (default: confirmed 成立).
    #[serde(default = "default_validities")]
    pub validities: Vec<String>,
}

fn default_kinds() -> Vec<String> {
    vec!["complaint".into(), "review".into()]
}

fn default_responsibilities() -> Vec<String> {
    vec!["individual".into()]
}

fn default_validities() -> Vec<String> {
    vec!["confirmed".into()]
}

impl Default for ComplaintPolicy {
    fn default() -> Self {
        ComplaintPolicy {
            kinds: default_kinds(),
            responsibilities: default_responsibilities(),
            validities: default_validities(),
        }
    }
}

/// `[[points.rule]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    /// Chinese name (what people call it).
    pub name: String,
    /// Points to the agent per occurrence (negative for penalties).
    #[serde(default)]
    pub points: i64,
    /// Points to the agent's leader (组长/主管) per occurrence: joint liability.
    pub leader_points: Option<i64>,
    /// Charge the leader only at every Nth occurrence in the window (spot
    /// checks: −5 to the supervisor each time problems are found 3 times).
    pub leader_every: Option<u32>,
    /// Escalating points for the 1st, 2nd … occurrence in the window.
    #[serde(default)]
    pub escalation: Vec<i64>,
    /// Flag raised at the occurrence after the last escalation step (e.g. "removal").
    pub escalation_flag: Option<String>,
    /// Window for counting occurrences: "month", "quarter" or "year".
    pub window: Option<Window>,
    /// Derived from data instead of recorded: "complaint" (each counted
    /// complaint), "zero-complaint-month", "top-metric".
    pub derived: Option<Derived>,
    /// For "top-metric": the metric (as imported with `kefu import activity`).
    pub metric: Option<String>,
    /// For "top-metric": only agents of this department compete.
    pub department: Option<String>,
    /// For "top-metric": overrides `[points] ties` for this rule.
    pub ties: Option<Ties>,
    /// For "zero-complaint-month": also credit a month the agent was on the
    /// roster only part of (joined or left in it). Off: only months on the
    /// roster throughout. (Rulebooks closed before this choice existed
    /// credited part months, and are read so: see [`closed_rulebook`].)
    pub part_months: Option<bool>,
    /// A flag raised at every occurrence (e.g. "dismissal" for serious misconduct).
    pub flag: Option<String>,
    /// For a recorded rule: each occurrence is a complaint too (业务员或兄弟
    /// 公司投诉, DOMAIN.md §2 lists them with the customers'), counted with
    /// the feedback complaints in the month's and the year's tally: the
    /// zero-complaint month, thresholds (3 complaints in a month) and the
    /// zero-complaints nomination. Unset on a rule whose name says 投诉:
    /// `kefu points` and `kefu bonus` say so.
    pub complaint: Option<bool>,
    /// Who bears `leader_points`: "leader" (default: the agent's group
    /// leader, 组长工号 on the roster) or "supervisor" (主管: the top of the
    /// chain of leaders, the leader's leader and so on; in a roster of one
    /// level, the leader).
    pub liable: Option<Liable>,
}

/// Who bears a rule's `leader_points` (joint liability, 连带责任).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Liable {
    /// The agent's group leader (组长).
    #[default]
    Leader,
    /// The top of the agent's chain of leaders (主管).
    Supervisor,
}

/// What kind of rule this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Event,
    Escalating,
    Complaint,
    ZeroComplaintMonth,
    TopMetric,
}

impl Rule {
    pub fn kind(&self) -> RuleKind {
        match self.derived {
            Some(Derived::Complaint) => RuleKind::Complaint,
            Some(Derived::ZeroComplaintMonth) => RuleKind::ZeroComplaintMonth,
            Some(Derived::TopMetric) => RuleKind::TopMetric,
            None if !self.escalation.is_empty() => RuleKind::Escalating,
            None => RuleKind::Event,
        }
    }

    /// True for rules imported as events (recorded, not derived).
    pub fn is_recorded(&self) -> bool {
        matches!(self.kind(), RuleKind::Event | RuleKind::Escalating)
    }

    /// Whether each occurrence of this recorded rule is a complaint too.
    pub fn counts_as_complaint(&self) -> bool {
        self.complaint == Some(true) && self.is_recorded()
    }

    /// A recorded rule whose name or id says complaint (投诉) but which
    /// does not say whether it counts as one (`complaint` unset): a
    /// rulebook written before the setting existed.
    pub fn reads_as_complaint(&self) -> bool {
        self.complaint.is_none()
            && self.is_recorded()
            && (self.name.contains("投诉")
                || self.name.contains("投訴")
                || self.id.to_lowercase().contains("complaint"))
    }
}

/// `[[points.threshold]]`: a flag, not points.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Flag id, e.g. "dismissal-review".
    pub id: String,
    pub name: String,
    /// Counted complaints that raise it.
    pub complaints: u32,
    /// Per calendar "month" (default), "quarter" or "year".
    #[serde(default = "default_month")]
    pub window: Window,
}

fn default_month() -> Window {
    Window::Month
}

/// `[points.nominations]`: annual excellent-agent candidates (年终优秀客服).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nominations {
    /// The top N by net points.
    #[serde(default = "default_top")]
    pub top: usize,
    /// Everyone with zero counted complaints all year.
    #[serde(default = "default_true")]
    pub zero_complaints: bool,
}

fn default_top() -> usize {
    3
}

fn default_true() -> bool {
    true
}

impl Default for Nominations {
    fn default() -> Self {
        Nominations {
            top: 3,
            zero_complaints: true,
        }
    }
}

/// The most points one rule may give or take per occurrence (so that no
/// ledger sum can overflow: a line is at most this times
/// [`crate::ingest::records::MAX_EVENT_COUNT`]).
pub const MAX_RULE_POINTS: i64 = 10_000;

impl Rulebook {
    /// Checks the rulebook for mistakes a person would make.
    pub fn validate(&self) -> Result<()> {
        // Ids as events name them: in any case or width (found by
        // exploratory testing: praise-letter and Praise-Letter were two
        // rules, and an event's PRAISE-LETTER went to the first).
        // Each clash names both entries (found by exploratory testing: a
        // rule clashing with a threshold was reported as the threshold's).
        let mut ids: HashMap<String, (&str, &str)> = HashMap::new();
        let clash = |what: &str, id: &str, (kind, other): (&str, &str)| {
            let why = if what == "threshold" {
                "its flags would be taken for the other's; rename one"
            } else {
                "an event naming it would go to the first; rename one"
            };
            if id == other {
                anyhow::anyhow!("[points] {what} id {id:?} is used twice (also by a {kind}): {why}")
            } else {
                anyhow::anyhow!(
                    "[points] {what} id {id:?} is {kind} {other:?}'s id but for case or width (ids are compared ignoring case and width): {why}"
                )
            }
        };
        for r in &self.rules {
            if let Some(&seen) = ids.get(&normalize_term(&r.id)) {
                return Err(clash("rule", &r.id, seen));
            }
            ids.insert(normalize_term(&r.id), ("rule", &r.id));
            if r.kind() == RuleKind::TopMetric && r.metric.is_none() {
                bail!("[points] rule {:?}: a top-metric rule needs `metric`", r.id);
            }
            // An empty metric matches no activity, an empty department no
            // one: the rule would award nothing, unsaid.
            for (key, value) in [("metric", &r.metric), ("department", &r.department)] {
                if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                    bail!(
                        "[points] rule {:?}: {key} is empty: {}",
                        r.id,
                        if key == "department" {
                            "name one, or remove the line (all departments compete)"
                        } else {
                            "name the metric, as `kefu import activity` imports it (queries)"
                        }
                    );
                }
            }
            if r.part_months.is_some() && r.kind() != RuleKind::ZeroComplaintMonth {
                bail!(
                    "[points] rule {:?}: part_months applies to a zero-complaint-month rule only",
                    r.id
                );
            }
            if r.leader_every == Some(0) {
                bail!("[points] rule {:?}: leader_every must be at least 1", r.id);
            }
            // Settings that would be silently ignored (found by exploratory
            // testing: leader_points on the complaint rule charged no one;
            // an empty flag's name was a flag no one could read).
            if r.id.trim().is_empty() {
                bail!("[points] rule named {:?}: id is empty", r.name);
            }
            if r.name.trim().is_empty() {
                bail!("[points] rule {:?}: name is empty", r.id);
            }
            for (key, flag) in [("flag", &r.flag), ("escalation_flag", &r.escalation_flag)] {
                if flag.as_deref().is_some_and(|f| f.trim().is_empty()) {
                    bail!("[points] rule {:?}: {key} is empty: a flag needs a name (removal, dismissal)", r.id);
                }
            }
            // The first setting given that this kind of rule ignores.
            let ignored = |settings: &[(&'static str, bool)]| {
                settings.iter().find(|(_, set)| *set).map(|(key, _)| *key)
            };
            if !r.is_recorded() {
                if let Some(key) = ignored(&[
                    ("escalation", !r.escalation.is_empty()),
                    ("leader_points", r.leader_points.is_some()),
                    ("leader_every", r.leader_every.is_some()),
                    ("flag", r.flag.is_some()),
                    ("escalation_flag", r.escalation_flag.is_some()),
                    ("window", r.window.is_some()),
                    ("complaint", r.complaint.is_some()),
                    ("liable", r.liable.is_some()),
                ]) {
                    bail!(
                        "[points] rule {:?}: {key} applies to rules of recorded events (奖惩记录) only, not to a derived rule: it would be ignored",
                        r.id
                    );
                }
            } else if r.escalation_flag.is_some() && r.kind() != RuleKind::Escalating {
                bail!(
                    "[points] rule {:?}: escalation_flag needs escalation steps (escalation = [...]): it would be ignored; use flag for a flag at every occurrence",
                    r.id
                );
            } else if r.leader_every.is_some() && r.leader_points.is_none() {
                bail!(
                    "[points] rule {:?}: leader_every needs leader_points: it would be ignored",
                    r.id
                );
            } else if r.complaint == Some(true)
                && r.escalation.iter().chain([&r.points]).any(|p| *p > 0)
            {
                bail!(
                    "[points] rule {:?}: complaint = true on a rule that gives points (a reward) would count each reward as a complaint against the agent; remove it",
                    r.id
                );
            } else if r.liable.is_some() && r.leader_points.is_none() {
                bail!(
                    "[points] rule {:?}: liable says who bears leader_points, and the rule has none: it would be ignored",
                    r.id
                );
            } else if r.window.is_some()
                && r.kind() != RuleKind::Escalating
                && r.leader_every.is_none()
            {
                bail!(
                    "[points] rule {:?}: window counts occurrences for escalation steps or leader_every, and this rule has neither: it would be ignored (every event counts its points)",
                    r.id
                );
            }
            if r.kind() != RuleKind::TopMetric {
                if let Some(key) = ignored(&[
                    ("metric", r.metric.is_some()),
                    ("department", r.department.is_some()),
                    ("ties", r.ties.is_some()),
                ]) {
                    bail!(
                        "[points] rule {:?}: {key} applies to a top-metric rule only: it would be ignored",
                        r.id
                    );
                }
            }
            let steps = [r.points, r.leader_points.unwrap_or(0)];
            if steps
                .iter()
                .chain(&r.escalation)
                .any(|p| p.abs() > MAX_RULE_POINTS)
            {
                bail!(
                    "[points] rule {:?}: points must be from -{MAX_RULE_POINTS} to {MAX_RULE_POINTS}",
                    r.id
                );
            }
            // Rules that cannot mean what they say (found by exploratory
            // testing: each was accepted and counted for nothing).
            match r.kind() {
                RuleKind::Event
                    if r.points == 0 && r.flag.is_none() && r.leader_points.unwrap_or(0) == 0 =>
                {
                    bail!(
                    "[points] rule {:?}: no points (points = N), leader_points, escalation or flag: its events would count for nothing",
                    r.id
                )
                }
                // Found by exploratory testing: customer-complaint with its
                // `points = -1` line deleted charged every complaint 0.
                RuleKind::Complaint | RuleKind::ZeroComplaintMonth | RuleKind::TopMetric
                    if r.points == 0 =>
                {
                    bail!(
                        "[points] rule {:?}: no points (points = N): a derived rule would count for nothing; give it points, or remove the rule",
                        r.id
                    )
                }
                RuleKind::Escalating if r.points != 0 => bail!(
                    "[points] rule {:?}: points and escalation both given: an escalating rule's points are its escalation steps (the first occurrence's is escalation[0]); remove points",
                    r.id
                ),
                _ => {}
            }
        }
        let mut names = HashSet::new();
        for r in &self.rules {
            if !names.insert(normalize_term(&r.name)) {
                bail!(
                    "[points] rule name {:?} is used twice: an event naming it would go to the first rule",
                    r.name
                );
            }
        }
        // An event names its rule by id or name: one rule's name that is
        // another's id would go to the first (found by exploratory testing:
        // a rule `id = "书面表扬"` was never reached, praise-letter's name).
        for (i, r) in self.rules.iter().enumerate() {
            let name = normalize_term(&r.name);
            if let Some((j, other)) = self
                .rules
                .iter()
                .enumerate()
                .find(|(j, o)| *j != i && normalize_term(&o.id) == name)
            {
                // Named at the later of the two (the one likely added).
                let (later, earlier) = if i > j { (r, other) } else { (other, r) };
                bail!(
                    "[points] rule {:?} and rule {:?}: {:?} is the name of one and the id of the other: an event naming it would go to the first of the two; rename one",
                    later.id,
                    earlier.id,
                    r.name
                );
            }
        }
        for kind in [RuleKind::Complaint, RuleKind::ZeroComplaintMonth] {
            let rules: Vec<&str> = self
                .rules
                .iter()
                .filter(|r| r.kind() == kind)
                .map(|r| r.id.as_str())
                .collect();
            if rules.len() > 1 {
                bail!(
                    "[points] rules {}: only one rule may be derived = \"{}\" (the first alone would apply); put the points in one",
                    rules.join(", "),
                    if kind == RuleKind::Complaint { "complaint" } else { "zero-complaint-month" }
                );
            }
        }
        for t in &self.thresholds {
            if let Some(&seen) = ids.get(&normalize_term(&t.id)) {
                return Err(clash("threshold", &t.id, seen));
            }
            ids.insert(normalize_term(&t.id), ("threshold", &t.id));
            if t.complaints == 0 {
                bail!(
                    "[points] threshold {:?}: complaints must be at least 1 (a flag is raised on reaching it)",
                    t.id
                );
            }
        }
        // An empty list charges nothing (found by exploratory testing:
        // `responsibilities = []` made every complaint free, without a word).
        for (key, list) in [
            ("kinds", &self.complaints.kinds),
            ("responsibilities", &self.complaints.responsibilities),
            ("validities", &self.complaints.validities),
        ] {
            if list.is_empty() {
                bail!(
                    "[points.complaints] {key} = []: no complaint could ever be charged (every complaint free, no zero-complaint month lost, no dismissal flag); list at least one, or delete the line for the default"
                );
            }
        }
        for k in &self.complaints.kinds {
            crate::domain::FeedbackKind::parse_or_err(k)
                .map_err(|e| anyhow::anyhow!("[points.complaints] {e}"))?;
        }
        for r in &self.complaints.responsibilities {
            Responsibility::parse_or_err(r)
                .map_err(|e| anyhow::anyhow!("[points.complaints] {e}"))?;
        }
        for v in &self.complaints.validities {
            let validity =
                parse_validity(v).map_err(|e| anyhow::anyhow!("[points.complaints] {e}"))?;
            // Found by exploratory testing: pending complaints were charged.
            if validity == crate::domain::Validity::Pending {
                bail!(
                    "[points.complaints] validities: {v:?} is pending (待定), and a pending complaint is never charged: it is counted as pending and listed for HR until it is judged; remove it"
                );
            }
        }
        if let Some(problem) = super::rate_problem(self.rate) {
            bail!("[points] rate {problem}");
        }
        Ok(())
    }

    /// The rule with this id or Chinese name, as written or compared in
    /// [`normalize_term`]'s form: full-width and half-width forms, white
    /// space and Latin case ignored, so that `情绪化行为(故意不接电话、摔门)`
    /// finds the rule named `情绪化行为（故意不接电话、摔门）`.
    pub fn find(&self, text: &str) -> Option<&Rule> {
        let t = text.trim();
        self.rules
            .iter()
            .find(|r| r.id == t || r.name == t)
            .or_else(|| {
                let key = normalize_term(t);
                self.rules
                    .iter()
                    .find(|r| normalize_term(&r.id) == key || normalize_term(&r.name) == key)
                    .or_else(|| {
                        // The name without its note in brackets (情绪化行为 for
                        // 情绪化行为（故意不接电话、摔门）), when one rule has it.
                        let mut found = self.rules.iter().filter(|r| {
                            let base = r.name.split(['（', '(', '【', '[']).next().unwrap_or("");
                            !base.trim().is_empty() && normalize_term(base) == key
                        });
                        found.next().filter(|_| found.next().is_none())
                    })
            })
    }
}

/// Reads the rulebook a period was closed with (as JSON in the store),
/// reading choices it predates as kefu then made them: a zero-complaint
/// month rule without `part_months` credited part months.
pub fn closed_rulebook(json: &str) -> Result<Rulebook> {
    let mut v: serde_json::Value = serde_json::from_str(json)?;
    if let Some(rules) = v.get_mut("rule").and_then(|r| r.as_array_mut()) {
        for r in rules.iter_mut().filter_map(|r| r.as_object_mut()) {
            if r.get("derived").and_then(|d| d.as_str()) == Some("zero-complaint-month")
                && !r.contains_key("part_months")
            {
                r.insert("part_months".into(), true.into());
            }
        }
    }
    Ok(serde_json::from_value(v)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rulebook_closed_before_part_months_existed_credited_part_months() {
        let rule =
            r#"{"id":"zero","name":"当月零投诉","points":1,"derived":"zero-complaint-month"PART}"#;
        let book = |part: &str| {
            let json = format!(r#"{{"rate":"10","rule":[{}]}}"#, rule.replace("PART", part));
            closed_rulebook(&json).unwrap().rules[0].part_months
        };
        assert_eq!(book(""), Some(true));
        assert_eq!(book(r#","part_months":null"#), None);
        assert_eq!(book(r#","part_months":false"#), Some(false));
        // What kefu writes when it closes a period reads back as it was.
        let mut now: Rulebook = serde_json::from_str(&format!(
            r#"{{"rate":"10","rule":[{}]}}"#,
            rule.replace("PART", "")
        ))
        .unwrap();
        now.rules[0].part_months = None;
        let json = serde_json::to_string(&now).unwrap();
        assert_eq!(closed_rulebook(&json).unwrap().rules[0].part_months, None);
    }

    #[test]
    fn rules_are_found_by_id_or_name_whatever_the_width_of_their_brackets() {
        let book: Rulebook = toml::from_str(
            r#"
            rate = "10"
            [[rule]]
            id = "emotional"
            name = "情绪化行为（故意不接电话、摔门）"
            points = -1
            [[rule]]
            id = "praise-letter"
            name = "书面表扬"
            points = 2
            "#,
        )
        .unwrap();
        let id = |t: &str| book.find(t).map(|r| r.id.as_str());
        for t in [
            "情绪化行为（故意不接电话、摔门）",
            "情绪化行为(故意不接电话、摔门)",
            "情绪化行为 (故意不接电话、摔门)",
            "emotional",
            "ＥＭＯＴＩＯＮＡＬ",
            " Emotional ",
        ] {
            assert_eq!(id(t), Some("emotional"), "{t}");
        }
        assert_eq!(id("书面 表扬"), Some("praise-letter"));
        // The name without its note, as registers write it; not when two
        // rules share it.
        assert_eq!(id("情绪化行为"), Some("emotional"));
        let two: Rulebook = toml::from_str(
            r#"
            rate = "10"
            [[rule]]
            id = "late-short"
            name = "迟到（30分钟内）"
            points = -1
            [[rule]]
            id = "late-long"
            name = "迟到(超过30分钟)"
            points = -3
            "#,
        )
        .unwrap();
        assert!(two.find("迟到").is_none());
    }

    /// Found by exploratory testing (round 70): settings a rule would
    /// ignore, and empty names, are refused.
    #[test]
    fn settings_a_rule_would_ignore_are_refused() {
        #[derive(Deserialize)]
        struct Scheme {
            points: Rulebook,
        }
        let base = toml::from_str::<Scheme>(include_str!("../../examples/scheme-a.toml"))
            .unwrap()
            .points;
        let with = |edit: &dyn Fn(&mut Rule)| {
            let mut book = base.clone();
            edit(&mut book.rules[0]);
            book.validate().map_err(|e| e.to_string())
        };
        assert!(base.validate().is_ok());
        let complaint = base
            .rules
            .iter()
            .position(|r| r.kind() == RuleKind::Complaint)
            .unwrap();
        let mut book = base.clone();
        book.rules[complaint].leader_points = Some(-3);
        let e = book.validate().unwrap_err().to_string();
        assert!(
            e.contains("leader_points applies to rules of recorded events"),
            "{e}"
        );
        let e = with(&|r| r.flag = Some(" ".into())).unwrap_err();
        assert!(e.contains("flag is empty"), "{e}");
        let e = with(&|r| r.name = String::new()).unwrap_err();
        assert!(e.contains("name is empty"), "{e}");
        // Round 71: escalation on a derived rule (its complaints were
        // charged 0), window on a rule that counts no occurrences, a
        // top-metric setting elsewhere, ids differing only in case.
        let mut book = base.clone();
        book.rules[complaint].points = 0;
        book.rules[complaint].escalation = vec![-1, -5];
        let e = book.validate().unwrap_err().to_string();
        assert!(e.contains("escalation applies to rules of recorded"), "{e}");
        let plain = base
            .rules
            .iter()
            .position(|r| r.kind() == RuleKind::Event && r.leader_every.is_none())
            .unwrap();
        let mut book = base.clone();
        book.rules[plain].window = Some(Window::Year);
        let e = book.validate().unwrap_err().to_string();
        assert!(e.contains("window counts occurrences"), "{e}");
        let mut book = base.clone();
        book.rules[plain].metric = Some("calls".into());
        let e = book.validate().unwrap_err().to_string();
        assert!(
            e.contains("metric applies to a top-metric rule only"),
            "{e}"
        );
        let mut book = base.clone();
        let mut twin = book.rules[plain].clone();
        twin.id = twin.id.to_uppercase();
        twin.name = "另一个".into();
        book.rules.push(twin);
        let e = book.validate().unwrap_err().to_string();
        assert!(
            e.contains("'s id but for case or width (ids are compared ignoring case"),
            "{e}"
        );
    }
}
