//! Turning a mapped row into a validated record: feedback (reviews and
//! complaints) or a roster entry. A row that fails gives a reason that names
//! the field and the value, for the rejects file.
//!
//! Records borrow their text from the row (no copies on the hot path); the
//! change-detection hash covers every field the export gave, mapped or extra.

use std::borrow::Cow;

use chrono::NaiveDate;
use chrono_tz::Tz;
use xxhash_rust::xxh3::Xxh3;

use super::columns::{ColumnMap, FieldSpec, AGENT_FIELDS, FEEDBACK_FIELDS};
use super::Row;
use crate::dates;
use crate::domain::{
    parse_rating, Cause, FeedbackKind, Polarity, Responsibility, StarScale, Validity,
};

/// A review or complaint ready for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackRecord<'a> {
    /// The export's id, or `h<hash>` when the export has none.
    pub ext_id: Cow<'a, str>,
    /// Hash of every field as exported, to tell "updated" from "unchanged".
    pub hash: i64,
    pub created_at: i64,
    pub local_day: i64,
    /// True when the export wrote the time as a naive local clock time (no
    /// offset): it keeps its clock reading if the workspace timezone changes.
    pub naive_time: bool,
    pub channel: Option<Cow<'a, str>>,
    pub agent_id: Option<Cow<'a, str>>,
    pub agent_name: Option<Cow<'a, str>>,
    pub department: Option<Cow<'a, str>>,
    pub polarity: Polarity,
    pub stars: Option<u8>,
    pub content: Option<Cow<'a, str>>,
    pub order_id: Option<Cow<'a, str>>,
    pub customer: Option<Cow<'a, str>>,
    pub customer_phone: Option<Cow<'a, str>>,
    pub declared_cause: Option<Cause>,
    pub responsibility: Option<Responsibility>,
    pub validity: Option<Validity>,
    pub leader_id: Option<Cow<'a, str>>,
    /// JSON object of the extra columns with a value.
    pub extra: Option<String>,
    /// The classifier's verdict, for negative feedback (set by the importer).
    pub auto: Option<AutoCause>,
}

/// The classifier's verdict as stored: primary cause, all causes, evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoCause {
    pub cause: Cause,
    pub causes: String,
    pub evidence: String,
}

fn own(v: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
    v.map(|c| Cow::Owned(c.into_owned()))
}

impl FeedbackRecord<'_> {
    /// A copy that owns its text, to outlive the row it was read from.
    pub fn into_owned(self) -> FeedbackRecord<'static> {
        FeedbackRecord {
            ext_id: Cow::Owned(self.ext_id.into_owned()),
            hash: self.hash,
            created_at: self.created_at,
            local_day: self.local_day,
            naive_time: self.naive_time,
            channel: own(self.channel),
            agent_id: own(self.agent_id),
            agent_name: own(self.agent_name),
            department: own(self.department),
            polarity: self.polarity,
            stars: self.stars,
            content: own(self.content),
            order_id: own(self.order_id),
            customer: own(self.customer),
            customer_phone: own(self.customer_phone),
            declared_cause: self.declared_cause,
            responsibility: self.responsibility,
            validity: self.validity,
            leader_id: own(self.leader_id),
            extra: self.extra,
            auto: self.auto,
        }
    }
}

/// Field positions resolved once per file, so each row is a few index reads.
#[derive(Debug, Clone)]
struct FeedbackColumns {
    id: Option<usize>,
    order_id: Option<usize>,
    created_at: Option<usize>,
    channel: Option<usize>,
    agent_id: Option<usize>,
    agent_name: Option<usize>,
    department: Option<usize>,
    rating: Option<usize>,
    content: Option<usize>,
    customer: Option<usize>,
    customer_phone: Option<usize>,
    cause: Option<usize>,
    responsibility: Option<usize>,
    validity: Option<usize>,
    leader_id: Option<usize>,
}

/// Parses rows of one feedback file.
pub struct FeedbackParser {
    kind: FeedbackKind,
    cols: FeedbackColumns,
    map: ColumnMap,
    headers: Vec<String>,
    tz: Tz,
    stars: StarScale,
    default_channel: Option<String>,
}

fn value(row: &Row, col: Option<usize>) -> Option<&str> {
    col.map(|c| row.get(c).trim()).filter(|s| !s.is_empty())
}

/// Builds the JSON object of the extra columns that have a value, keyed by
/// their unique names ([`super::columns::unique_names`]).
fn extras_json(row: &Row, map: &ColumnMap, headers: &[String]) -> Option<String> {
    let mut obj = serde_json::Map::new();
    for &c in &map.extras {
        let v = row.get(c).trim();
        if !v.is_empty() {
            obj.insert(headers[c].clone(), serde_json::Value::String(v.to_string()));
        }
    }
    (!obj.is_empty()).then(|| serde_json::Value::Object(obj).to_string())
}

/// Hash of every non-empty field of the row (mapped and extra), in column order.
fn row_hash(row: &Row) -> i64 {
    let mut h = Xxh3::new();
    for f in row.iter() {
        h.update(f.trim().as_bytes());
        h.update(b"\x1f");
    }
    h.digest() as i64
}

impl FeedbackParser {
    /// Prepares to parse rows with these headers. Fails when the file lacks
    /// what every record needs.
    pub fn new(
        kind: FeedbackKind,
        headers: &[String],
        map: ColumnMap,
        tz: Tz,
        stars: StarScale,
        default_channel: Option<String>,
    ) -> Result<FeedbackParser, String> {
        let col = |name: &str| map.column(FEEDBACK_FIELDS, name);
        let cols = FeedbackColumns {
            id: col("id"),
            order_id: col("order_id"),
            created_at: col("created_at"),
            channel: col("channel"),
            agent_id: col("agent_id"),
            agent_name: col("agent_name"),
            department: col("department"),
            rating: col("rating"),
            content: col("content"),
            customer: col("customer"),
            customer_phone: col("customer_phone"),
            cause: col("cause"),
            responsibility: col("responsibility"),
            validity: col("validity"),
            leader_id: col("leader_id"),
        };
        if map.is_empty() {
            return Err(format!(
                "no column matches a known field (columns: {}); map them with --map FILE.toml or [sources.NAME.columns]",
                headers.join(", ")
            ));
        }
        if cols.created_at.is_none() {
            return Err(format!(
                "no time column (looked for {}); map one with --map FILE.toml",
                super::columns::aliases_of(FEEDBACK_FIELDS, "created_at")
            ));
        }
        if cols.content.is_none() && cols.rating.is_none() {
            return Err(format!(
                "neither a content nor a rating column (looked for {} / {})",
                super::columns::aliases_of(FEEDBACK_FIELDS, "content"),
                super::columns::aliases_of(FEEDBACK_FIELDS, "rating")
            ));
        }
        Ok(FeedbackParser {
            kind,
            cols,
            map,
            headers: super::columns::unique_names(headers),
            tz,
            stars,
            default_channel,
        })
    }

    /// True when the file has no rating column, so reviews count as negative
    /// (a 差评-only export).
    pub fn assumes_negative(&self) -> bool {
        self.kind == FeedbackKind::Review && self.cols.rating.is_none()
    }

    /// The default channel recorded when a row has none.
    pub fn default_channel(&self) -> Option<&str> {
        self.default_channel.as_deref()
    }

    /// Parses one row. `Err` is the reason it is rejected.
    pub fn parse<'a>(&self, row: &'a Row) -> Result<FeedbackRecord<'a>, String> {
        let c = &self.cols;
        let created_raw = value(row, c.created_at).ok_or("the time (created_at) is empty")?;
        let created =
            dates::read_timestamp(created_raw, self.tz).map_err(|e| format!("created_at: {e}"))?;
        let content = value(row, c.content);
        let (polarity, stars) = match (self.kind, value(row, c.rating)) {
            (FeedbackKind::Complaint, _) => (Polarity::Negative, None),
            (FeedbackKind::Review, Some(r)) => {
                let rating = parse_rating(r, self.stars)?;
                (rating.polarity, rating.stars)
            }
            (FeedbackKind::Review, None) if c.rating.is_none() => (Polarity::Negative, None),
            (FeedbackKind::Review, None) => return Err("the rating is empty".into()),
        };
        if self.kind == FeedbackKind::Complaint && content.is_none() {
            return Err("the complaint has no content".into());
        }
        let declared_cause = value(row, c.cause).map(Cause::parse_or_err).transpose()?;
        let responsibility = value(row, c.responsibility)
            .map(Responsibility::parse_or_err)
            .transpose()?;
        let validity = value(row, c.validity)
            .map(Validity::parse_or_err)
            .transpose()?;
        let hash = row_hash(row);
        let ext_id = match value(row, c.id) {
            Some(id) => Cow::Borrowed(id),
            None => Cow::Owned(format!("h{:016x}", hash as u64)),
        };
        Ok(FeedbackRecord {
            ext_id,
            hash,
            created_at: created.unix_seconds,
            local_day: dates::local_day(created.unix_seconds, self.tz),
            naive_time: created.naive,
            channel: value(row, c.channel).map(Cow::Borrowed),
            agent_id: value(row, c.agent_id).map(Cow::Borrowed),
            agent_name: value(row, c.agent_name).map(Cow::Borrowed),
            department: value(row, c.department).map(Cow::Borrowed),
            polarity,
            stars,
            content: content.map(Cow::Borrowed),
            order_id: value(row, c.order_id).map(Cow::Borrowed),
            customer: value(row, c.customer).map(Cow::Borrowed),
            customer_phone: value(row, c.customer_phone).map(Cow::Borrowed),
            declared_cause,
            responsibility,
            validity,
            leader_id: value(row, c.leader_id).map(Cow::Borrowed),
            extra: if self.map.extras.is_empty() {
                None
            } else {
                extras_json(row, &self.map, &self.headers)
            },
            auto: None,
        })
    }
}

/// A roster entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRecord {
    pub id: String,
    pub name: String,
    pub department: Option<String>,
    pub leader_id: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub extra: Option<String>,
    pub hash: i64,
}

/// Parses rows of a roster file.
pub struct AgentParser {
    map: ColumnMap,
    headers: Vec<String>,
    tz: Tz,
}

impl AgentParser {
    pub fn new(headers: &[String], map: ColumnMap, tz: Tz) -> Result<AgentParser, String> {
        for field in ["agent_id", "agent_name"] {
            if map.column(AGENT_FIELDS, field).is_none() {
                return Err(format!(
                    "the roster has no {field} column (looked for {})",
                    super::columns::aliases_of(AGENT_FIELDS, field)
                ));
            }
        }
        Ok(AgentParser {
            map,
            headers: super::columns::unique_names(headers),
            tz,
        })
    }

    fn date(&self, row: &Row, field: &str) -> Result<Option<NaiveDate>, String> {
        match value(row, self.map.column(AGENT_FIELDS, field)) {
            None => Ok(None),
            Some(v) => {
                let ts = dates::parse_timestamp(v, self.tz).map_err(|e| format!("{field}: {e}"))?;
                Ok(Some(dates::date_of_day(dates::local_day(ts, self.tz))))
            }
        }
    }

    pub fn parse(&self, row: &Row) -> Result<AgentRecord, String> {
        let get = |f: &str| value(row, self.map.column(AGENT_FIELDS, f)).map(str::to_string);
        let id = get("agent_id").ok_or("the agent id (工号) is empty")?;
        let name = get("agent_name").ok_or("the agent name (客服姓名) is empty")?;
        let joined_on = self.date(row, "joined_at")?;
        let left_on = self.date(row, "left_at")?;
        if let (Some(j), Some(l)) = (joined_on, left_on) {
            if l < j {
                return Err(format!("left_at {l} is before joined_at {j}"));
            }
        }
        Ok(AgentRecord {
            id,
            name,
            department: get("department"),
            leader_id: get("leader_id"),
            joined_on,
            left_on,
            extra: extras_json(row, &self.map, &self.headers),
            hash: row_hash(row),
        })
    }
}

/// The spec list for a kind of import.
pub fn specs_for(kind: &str) -> &'static [FieldSpec] {
    match kind {
        "agents" => AGENT_FIELDS,
        "events" => super::columns::EVENT_FIELDS,
        "activity" => super::columns::ACTIVITY_FIELDS,
        _ => FEEDBACK_FIELDS,
    }
}

/// Resolves an agent id or unique name through the roster.
fn resolve_agent(
    lookup: &std::collections::HashMap<String, String>,
    text: &str,
) -> Result<String, String> {
    crate::store::agents::find(lookup, text).cloned().ok_or_else(|| {
        format!("unknown agent {text:?}: no roster id, and no one agent of that name (a name several agents share needs the id); if the roster is missing, import it first with `kefu import agents`")
    })
}

/// Parses rows of an events file against the rulebook and the roster.
pub struct EventParser<'a> {
    map: ColumnMap,
    tz: Tz,
    book: &'a crate::points::rulebook::Rulebook,
    agents: &'a std::collections::HashMap<String, String>,
}

impl<'a> EventParser<'a> {
    pub fn new(
        map: ColumnMap,
        tz: Tz,
        book: &'a crate::points::rulebook::Rulebook,
        agents: &'a std::collections::HashMap<String, String>,
    ) -> Result<EventParser<'a>, String> {
        for field in ["agent", "date", "rule"] {
            if map.column(super::columns::EVENT_FIELDS, field).is_none() {
                return Err(format!(
                    "no {field} column (looked for {})",
                    super::columns::aliases_of(super::columns::EVENT_FIELDS, field)
                ));
            }
        }
        Ok(EventParser {
            map,
            tz,
            book,
            agents,
        })
    }

    pub fn parse(&self, row: &Row) -> Result<crate::store::points::NewEvent, String> {
        let get = |f: &str| value(row, self.map.column(super::columns::EVENT_FIELDS, f));
        let agent = resolve_agent(self.agents, get("agent").ok_or("the agent is empty")?)?;
        let ts = dates::parse_timestamp(get("date").ok_or("the date is empty")?, self.tz)
            .map_err(|e| format!("date: {e}"))?;
        let rule_text = get("rule").ok_or("the rule is empty")?;
        let rule = self.book.find(rule_text).ok_or_else(|| {
            let ids: Vec<&str> = self
                .book
                .rules
                .iter()
                .filter(|r| r.is_recorded())
                .map(|r| r.id.as_str())
                .collect();
            format!(
                "unknown rule {rule_text:?} (recorded rules: {})",
                ids.join(", ")
            )
        })?;
        if !rule.is_recorded() {
            return Err(format!(
                "rule {:?} is derived from data, not recorded as an event",
                rule.id
            ));
        }
        let count = match get("count") {
            None => 1,
            Some(c) => match c.trim_end_matches('次').parse::<i64>() {
                Ok(n) if n >= 1 => n,
                _ => return Err(format!("count {c:?} is not a whole number of at least 1")),
            },
        };
        let verified = match get("verified") {
            None => None,
            Some(v) => match crate::domain::normalize_term(v).as_str() {
                "是" | "yes" | "y" | "true" | "1" | "已核实" | "核实" | "verified" => {
                    Some(true)
                }
                "否" | "no" | "n" | "false" | "0" | "未核实" | "unverified" => Some(false),
                _ => return Err(format!("verified {v:?} (expected 是/否, yes/no)")),
            },
        };
        let hash = row_hash(row);
        Ok(crate::store::points::NewEvent {
            ext_id: get("id").map_or_else(|| format!("h{:016x}", hash as u64), str::to_string),
            hash,
            agent_id: agent,
            day: dates::local_day(ts, self.tz),
            rule_id: rule.id.clone(),
            count,
            note: get("note").map(str::to_string),
            reference: get("reference").map(str::to_string),
            verified,
        })
    }
}

/// A monthly activity value.
#[derive(Debug, Clone)]
pub struct ActivityRecord {
    pub month: String,
    pub agent_id: String,
    pub metric: String,
    pub value: rust_decimal::Decimal,
    pub hash: i64,
}

/// Parses rows of an activity file.
pub struct ActivityParser<'a> {
    map: ColumnMap,
    agents: &'a std::collections::HashMap<String, String>,
}

impl<'a> ActivityParser<'a> {
    pub fn new(
        map: ColumnMap,
        agents: &'a std::collections::HashMap<String, String>,
    ) -> Result<ActivityParser<'a>, String> {
        for field in ["month", "agent", "metric", "value"] {
            if map.column(super::columns::ACTIVITY_FIELDS, field).is_none() {
                return Err(format!(
                    "no {field} column (looked for {})",
                    super::columns::aliases_of(super::columns::ACTIVITY_FIELDS, field)
                ));
            }
        }
        Ok(ActivityParser { map, agents })
    }

    pub fn parse(&self, row: &Row) -> Result<ActivityRecord, String> {
        let get = |f: &str| value(row, self.map.column(super::columns::ACTIVITY_FIELDS, f));
        let month = dates::parse_month(get("month").ok_or("the month is empty")?)
            .map_err(|e| e.to_string())?;
        let agent_id = resolve_agent(self.agents, get("agent").ok_or("the agent is empty")?)?;
        let metric = get("metric").ok_or("the metric is empty")?.to_string();
        let v = get("value").ok_or("the value is empty")?;
        let value: rust_decimal::Decimal = v
            .parse()
            .map_err(|_| format!("value {v:?} is not a number"))?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(format!(
                "value {v} is negative: activity is a count or amount (queries, orders …)"
            ));
        }
        Ok(ActivityRecord {
            month: month.name,
            agent_id,
            metric,
            value,
            hash: row_hash(row),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn tz() -> Tz {
        dates::parse_tz("Asia/Shanghai").unwrap()
    }

    fn parser(kind: FeedbackKind, headers: &[&str]) -> FeedbackParser {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let map = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        FeedbackParser::new(kind, &h, map, tz(), StarScale::default(), None).unwrap()
    }

    fn row(fields: &[&str]) -> Row {
        Row {
            line: 2,
            fields: fields.iter().collect(),
        }
    }

    #[test]
    fn a_review_row() {
        let p = parser(
            FeedbackKind::Review,
            &[
                "评价ID",
                "评价时间",
                "评价等级",
                "评价内容",
                "接待客服",
                "差评原因",
                "商品",
            ],
        );
        let r = row(&[
            "T1",
            "2026/11/20 9:05",
            "差评",
            "态度差",
            "王芳",
            "服务态度",
            "耳机",
        ]);
        let rec = p.parse(&r).unwrap();
        assert_eq!(rec.ext_id, "T1");
        assert_eq!(rec.polarity, Polarity::Negative);
        assert_eq!(rec.agent_name.as_deref(), Some("王芳"));
        assert_eq!(rec.declared_cause, Some(Cause::Attitude));
        assert_eq!(rec.extra.as_deref(), Some(r#"{"商品":"耳机"}"#));
        assert_eq!(dates::date_of_day(rec.local_day).to_string(), "2026-11-20");
    }

    #[test]
    fn rejects_say_why() {
        let p = parser(
            FeedbackKind::Review,
            &["评价ID", "评价时间", "评价等级", "差评原因"],
        );
        assert!(p
            .parse(&row(&["1", "", "差评", ""]))
            .unwrap_err()
            .contains("time"));
        assert!(p
            .parse(&row(&["1", "2026-02-30", "差评", ""]))
            .unwrap_err()
            .contains("impossible date"));
        assert!(p
            .parse(&row(&["1", "2026-02-03", "9星", ""]))
            .unwrap_err()
            .contains("1 to 5"));
        assert!(p
            .parse(&row(&["1", "2026-02-03", "差评", "物流"]))
            .unwrap_err()
            .contains("unknown cause"));
    }

    #[test]
    fn ids_fall_back_to_a_stable_hash() {
        let p = parser(FeedbackKind::Complaint, &["投诉时间", "投诉内容"]);
        let a = row(&["2026-11-20 10:00", "客服挂我电话"]);
        let b = row(&["2026-11-20 10:00", "客服挂我电话"]);
        let c = row(&["2026-11-20 10:00", "客服挂我电话了"]);
        assert_eq!(p.parse(&a).unwrap().ext_id, p.parse(&b).unwrap().ext_id);
        assert_ne!(p.parse(&a).unwrap().ext_id, p.parse(&c).unwrap().ext_id);
        assert!(p.parse(&a).unwrap().ext_id.starts_with('h'));
    }

    #[test]
    fn missing_required_columns_are_file_errors() {
        let h: Vec<String> = vec!["商品名称".into(), "价格".into()];
        let map = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        let e = FeedbackParser::new(
            FeedbackKind::Review,
            &h,
            map,
            tz(),
            StarScale::default(),
            None,
        )
        .err()
        .unwrap();
        assert!(e.contains("no column matches"), "{e}");
    }
}
