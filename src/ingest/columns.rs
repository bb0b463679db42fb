//! Matching an export's headers to kefu's fields: built-in aliases (Chinese
//! and English, case-, space-, `_`- and `-`-insensitive, full-width or
//! half-width, with or without a trailing colon or a bracketed note),
//! overridden by a mapping file (`--map`) or a named source's
//! `[sources.NAME.columns]`.
//!
//! Headers that match no field are "extra": kept with the record as JSON, so
//! nothing in the file is thrown away.

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use crate::domain::is_invisible;

/// One field kefu understands, with the headers that mean it.
#[derive(Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
}

macro_rules! fields {
    ($($name:literal => [$($alias:literal),* $(,)?]),* $(,)?) => {
        &[$(FieldSpec { name: $name, aliases: &[$name, $($alias),*] }),*]
    };
}

/// Fields of reviews and complaints (feedback).
pub const FEEDBACK_FIELDS: &[FieldSpec] = fields! {
    "id" => ["评价ID", "评价编号", "投诉编号", "投诉单号", "工单号", "complaint_id", "review_id", "编号"],
    "order_id" => ["订单号", "订单编号", "订单ID", "order_no", "order"],
    "created_at" => ["评价时间", "投诉时间", "创建时间", "时间", "received_at", "time", "timestamp"],
    // The date when an export writes date and clock time in two columns
    // (日期 + 时间), or only a date: see `FeedbackParser::parse`.
    "created_date" => ["评价日期", "投诉日期", "创建日期", "日期", "date"],
    "channel" => ["渠道", "评价渠道", "来源", "投诉渠道", "平台", "source", "platform"],
    "agent_id" => ["工号", "客服工号", "客服ID", "客服编号", "agent", "employee_id"],
    "agent_name" => ["客服", "客服姓名", "接待客服", "客服昵称", "客服名称", "被投诉人", "agent"],
    "department" => ["部门", "所属部门", "组别", "客服组", "dept", "team"],
    "rating" => ["评价等级", "评分", "星级", "星等", "评价星等", "评价类型", "满意度", "评价结果", "服务评价", "满意度评价", "stars", "score"],
    // The more particular name first: of 评价 (often the rating, 好评/差评)
    // and 买家评价 in one export, the text is 买家评价.
    "content" => ["评价内容", "投诉内容", "评论内容", "买家评价", "内容", "评论", "评价", "text", "comment", "review"],
    "customer" => ["买家昵称", "买家账号", "客户", "投诉人", "客户姓名", "会员", "customer_name", "buyer", "nickname"],
    "customer_phone" => ["手机号", "手机号码", "联系电话", "联络电话", "连络电话", "行动电话", "电话号码", "联系方式", "电话", "手机", "客户电话", "complainant_phone", "phone", "mobile", "whatsapp"],
    "cause" => ["差评原因", "原因", "投诉原因", "原因分类", "declared_cause", "reason"],
    "responsibility" => ["责任", "责任认定", "责任归属", "responsible"],
    "validity" => ["是否成立", "投诉是否成立", "有效性", "valid"],
    "leader_id" => ["组长工号", "组长", "主管工号", "supervisor_id"],
};

/// Fields of the roster.
pub const AGENT_FIELDS: &[FieldSpec] = fields! {
    "agent_id" => ["工号", "客服工号", "客服ID", "客服编号", "员工编号", "id", "employee_id"],
    "agent_name" => ["客服姓名", "姓名", "客服", "客服昵称", "name"],
    "department" => ["部门", "所属部门", "组别", "客服组", "dept", "team"],
    "leader_id" => ["组长工号", "组长", "主管工号", "supervisor_id"],
    "joined_at" => ["入职日期", "入职时间", "入职日", "到职日期", "到职日", "到职时间", "joined_on", "start_date"],
    "left_at" => ["离职日期", "离职时间", "离职日", "left_on", "end_date"],
    "changed_at" => ["调岗日期", "调动日期", "异动日期", "变动日期", "生效日期", "changed_on", "effective_date"],
};

/// Fields of reward/penalty events (奖惩记录).
pub const EVENT_FIELDS: &[FieldSpec] = fields! {
    "id" => ["编号", "记录编号", "事件编号", "event_id", "record_id"],
    "agent" => ["工号", "客服工号", "员工编号", "客服", "姓名", "客服姓名", "员工", "agent_id", "agent_name", "employee"],
    "date" => ["日期", "时间", "发生日期", "发生时间", "day", "time", "created_at"],
    "rule" => ["规则", "奖惩项目", "项目", "事项", "奖惩事项", "rule_id", "rule_name"],
    "count" => ["次数", "数量", "times", "quantity"],
    "note" => ["备注", "说明", "情况说明", "remark", "comment"],
    "reference" => ["关联单号", "参考", "单号", "ref", "reference_id"],
    "verified" => ["是否核实", "核实", "已核实", "is_verified"],
};

/// Fields of monthly activity (查询量, 接单量 …).
pub const ACTIVITY_FIELDS: &[FieldSpec] = fields! {
    "month" => ["月份", "月", "统计月份", "period"],
    "agent" => ["工号", "客服工号", "员工编号", "客服", "姓名", "客服姓名", "agent_id", "agent_name"],
    "metric" => ["指标", "项目", "统计项", "kpi"],
    "value" => ["数值", "值", "数量", "count", "amount"],
};

/// The columns `kefu classify` appends to every row it writes, in order.
pub const CLASSIFY_COLUMNS: [&str; 4] = ["cause", "cause_label", "causes", "cause_evidence"];

/// A name for every column that no other column has, for JSON keys and
/// the extra columns kept with a record: a column with no header is
/// `column N` (N from 1), and a header seen before is `HEADER (column N)`;
/// other headers stay as they are.
pub fn unique_names(headers: &[String]) -> Vec<String> {
    unique_names_with(headers, |_| false)
}

/// [`unique_names`], also renaming `… (column N)` the headers `rename`
/// picks (`kefu classify`'s own column names, which it appends). A new name
/// that another column already has (a file once classified, then a column
/// deleted: its `cause (column 4)` and the new `cause (column 4)`) gets
/// `#2`, `#3`: two columns under one name would lose one in JSON.
pub fn unique_names_with(headers: &[String], rename: impl Fn(&str) -> bool) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut names: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let name = if h.trim().is_empty() {
                format!("column {}", i + 1)
            } else if seen.contains(h.as_str()) || rename(h) {
                format!("{h} (column {})", i + 1)
            } else {
                h.clone()
            };
            seen.insert(h.as_str());
            name
        })
        .collect();
    let written: std::collections::HashSet<&str> = headers.iter().map(String::as_str).collect();
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, name) in names.iter_mut().enumerate() {
        if taken.contains(name.as_str()) || (*name != headers[i] && written.contains(name.as_str()))
        {
            *name = free_name(std::mem::take(name), |c| {
                taken.contains(c) || written.contains(c)
            });
        }
        taken.insert(name.clone());
    }
    names
}

/// `base` if `taken` says it is free, else the first of `base #2`, `base
/// #3`, … that is.
pub fn free_name(base: String, taken: impl Fn(&str) -> bool) -> String {
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base} #{n}"))
        .find(|c| !taken(c))
        .expect("a free name")
}

/// Whether `h` names column `N` the way kefu renames a repeated or
/// appended header: `NAME (column N)`, as (NAME, N − 1). Also as a Chinese
/// input method types it: full-width brackets and digits, with or without
/// the space (`评价内容（column ５）`; found by exploratory testing: such a
/// `--map` read the first column of the name).
pub fn renamed_column(h: &str) -> Option<(&str, usize)> {
    let (name, rest) = h.trim().rsplit_once(['(', '（'])?;
    let inner = rest.trim_end().strip_suffix([')', '）'])?.trim();
    let digits = inner.strip_prefix("column")?.trim();
    let mut n: usize = 0;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => return None,
        };
        n = n.checked_mul(10)?.checked_add(d as usize)?;
    }
    if digits.is_empty() || name.trim().is_empty() {
        return None;
    }
    Some((name.trim(), n.checked_sub(1)?))
}

/// A header as compared with the aliases: full-width forms folded to ASCII
/// (`（`, `：`, `Ａ`, `１`), Traditional characters read as Simplified
/// (評價時間 as 评价时间, [`crate::hanzi`]), lower-cased, without white space, `_`, `-`,
/// BOMs and other zero-width characters, or a `*` before or after it (the "required" mark some exports put on headers),
/// and without what Chinese exports add around a name: a trailing `:`, a
/// bracketed note at the end (`评价时间(北京时间)`, `评分【1-5】`) or brackets
/// around the whole name (`【评价时间】`).
pub fn normalize_header(h: &str) -> String {
    without_notes(header_key(h))
}

/// [`normalize_header`] short of dropping colons and bracketed notes: two
/// headers with the same key differ at most in case, width and spacing.
/// A header that has the name given beats one that has it with a note.
pub fn header_key(h: &str) -> String {
    let folded: String = h.chars().map(half_width).collect();
    folded
        .trim()
        // The "required" mark, before the name or after it (评价时间*).
        .trim_matches('*')
        .chars()
        // Zero-width characters (a space, joiners, a BOM) pasted into a
        // header from a web page are invisible in Excel: not part of a name.
        .filter(|c| !c.is_whitespace() && !is_invisible(*c) && !matches!(c, '_' | '-'))
        .map(crate::hanzi::simplified)
        .flat_map(char::to_lowercase)
        .collect()
}

/// The ASCII form of a full-width character (U+FF01–U+FF5E) and of the
/// ideographic space; any other character as it is.
fn half_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Drops trailing colons and bracketed notes from a header key, or the
/// brackets around a whole name, until none is left.
fn without_notes(mut key: String) -> String {
    loop {
        let before = key.len();
        key.truncate(key.trim_end_matches(':').len());
        if let Some(close) = key.chars().next_back() {
            let open = match close {
                ')' => Some('('),
                ']' => Some('['),
                '】' => Some('【'),
                _ => None,
            };
            if let Some((open, start)) = open.and_then(|open| Some((open, key.rfind(open)?))) {
                if start > 0 {
                    key.truncate(start);
                } else {
                    // The whole name in brackets: its inside.
                    key = key[open.len_utf8()..key.len() - close.len_utf8()].to_string();
                }
            }
        }
        if key.len() == before {
            return key;
        }
    }
}

/// Where each field is in a file.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    /// Column index of each field, aligned to the spec list.
    pub fields: Vec<Option<usize>>,
    /// Columns that map to no field.
    pub extras: Vec<usize>,
    /// How many headers this map was built for.
    pub width: usize,
    /// Fields two columns could be: (field, the column read, the other
    /// column, kept as an extra), for a warning.
    pub ambiguous: Vec<(&'static str, usize, usize)>,
    /// The columns `kefu classify` appended, when the file is its output:
    /// `cause`, `causes`, `cause_evidence` (kept as extras; `report
    /// --input` reads its causes from them).
    pub classified: Option<[Option<usize>; 3]>,
}

impl ColumnMap {
    /// Builds the map. `overrides` is `field -> header as in the file`.
    pub fn build(
        headers: &[String],
        specs: &[FieldSpec],
        overrides: &BTreeMap<String, String>,
    ) -> Result<ColumnMap> {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let norm: Vec<String> = keys.iter().map(|k| without_notes(k.clone())).collect();
        // The column a name means among those `free` allows: the first whose
        // header is the name (up to case, width and spacing), else the first
        // that is the name once colons and bracketed notes are dropped, so
        // that `评价时间` beats `评价时间(下单)` wherever they stand.
        let find = |name: &str, free: &dyn Fn(usize) -> bool| {
            let key = header_key(name);
            let bare = without_notes(key.clone());
            (0..headers.len())
                .find(|&ci| free(ci) && keys[ci] == key)
                .or_else(|| (0..headers.len()).find(|&ci| free(ci) && norm[ci] == bare))
        };
        let mut fields = vec![None; specs.len()];
        let mut taken = vec![false; headers.len()];
        for (field, header) in overrides {
            let Some(fi) = specs.iter().position(|s| s.name == field) else {
                let known: Vec<&str> = specs.iter().map(|s| s.name).collect();
                bail!(
                    "the column mapping names an unknown field {field:?} (fields: {})",
                    known.join(", ")
                );
            };
            // `评价内容 (column 5)`: the name kefu gives the second of two
            // columns of one name, naming that column (found by exploratory
            // testing: it read the first again, and nothing could pick the
            // second).
            let numbered = match renamed_column(header) {
                Some((name, ci))
                    if headers
                        .get(ci)
                        .is_some_and(|h| header_key(h) == header_key(name)) =>
                {
                    Some(ci)
                }
                // A number that names another column, or none: an error,
                // not the first of the name (found by exploratory testing).
                Some((name, ci)) if headers.iter().any(|h| header_key(h) == header_key(name)) => {
                    bail!(
                        "the column mapping says {field} = {header:?}, but column {} is {}",
                        ci + 1,
                        headers
                            .get(ci)
                            .map_or("not in the file".to_string(), |h| format!("headed {h:?}"))
                    )
                }
                _ => None,
            };
            let Some(ci) = numbered.or_else(|| find(header, &|_| true)) else {
                bail!(
                    "the column mapping says {field} = {header:?}, but the file has no such column (columns: {})",
                    headers.join(", ")
                );
            };
            fields[fi] = Some(ci);
            taken[ci] = true;
        }
        // What `kefu classify` appended (its `cause_label` and
        // `cause_evidence` are there) is its output, not the export's: its
        // `cause` is not a declared cause (差评原因), and kefu classifies the
        // row again. The columns are kept as extras.
        // By name as written (case and spacing aside), not without notes:
        // `cause (column 5)`, the input's own cause renamed, is not ours
        // even where it comes last (a JSON Lines key first seen late;
        // found by exploratory testing).
        let ours = |name: &str| {
            headers
                .iter()
                .rposition(|h| header_key(h) == header_key(name))
        };
        let mut appended = vec![false; headers.len()];
        let mut classified = None;
        if ours("cause_label").is_some() && ours("cause_evidence").is_some() {
            for name in CLASSIFY_COLUMNS {
                if let Some(ci) = ours(name).filter(|&ci| !taken[ci]) {
                    appended[ci] = true;
                }
            }
            // An earlier classification's columns, renamed by a later one
            // (`cause (column 5)`, `cause_label (column 6)`, … side by
            // side): its output too, not a declared cause (found by
            // exploratory testing: a file classified twice was reported
            // with the first run's causes, read as 差评原因). A `cause
            // (column 5)` alone is the input's own `cause`, renamed because
            // kefu appends one: the export's declared cause (or a labelled
            // set's label), which reports and eval read.
            let group = |ci: usize| {
                CLASSIFY_COLUMNS.iter().enumerate().all(|(k, name)| {
                    headers
                        .get(ci + k)
                        .and_then(|h| renamed_column(h))
                        .is_some_and(|(n, _)| n == *name)
                })
            };
            for ci in 0..headers.len() {
                if group(ci) {
                    for k in ci..ci + CLASSIFY_COLUMNS.len() {
                        appended[k] |= !taken[k];
                    }
                }
            }
            let column = |name: &str| ours(name).filter(|&ci| appended[ci]);
            classified = column("cause")
                .is_some()
                .then(|| [column("cause"), column("causes"), column("cause_evidence")]);
        }
        let mut by_alias = vec![];
        for (fi, spec) in specs.iter().enumerate() {
            if fields[fi].is_some() {
                continue;
            }
            let free = |ci: usize| !taken[ci] && !appended[ci];
            if let Some(ci) = spec.aliases.iter().find_map(|alias| find(alias, &free)) {
                fields[fi] = Some(ci);
                taken[ci] = true;
                by_alias.push(fi);
            }
        }
        // A column no field took that another field's alias also names (客服
        // and 接待客服, 渠道 and 来源): which one is meant is the user's call
        // (found by exploratory testing: a hidden, stale 客服 column was read
        // and the visible 接待客服 silently kept aside).
        let mut ambiguous = vec![];
        for fi in by_alias {
            let free = |ci: usize| !taken[ci] && !appended[ci];
            if let Some(other) = specs[fi]
                .aliases
                .iter()
                .find_map(|alias| find(alias, &free))
            {
                ambiguous.push((specs[fi].name, fields[fi].expect("taken above"), other));
            }
        }
        // Every other column is kept, a column with no header too (under
        // `column N`: see [`unique_names`]).
        let extras = (0..headers.len()).filter(|&ci| !taken[ci]).collect();
        Ok(ColumnMap {
            fields,
            extras,
            width: headers.len(),
            ambiguous,
            classified,
        })
    }

    /// The column of field `name` in `specs`, if the file has it.
    pub fn column(&self, specs: &[FieldSpec], name: &str) -> Option<usize> {
        specs
            .iter()
            .position(|s| s.name == name)
            .and_then(|i| self.fields[i])
    }

    /// True when no header matched any field.
    pub fn is_empty(&self) -> bool {
        self.fields.iter().all(Option::is_none)
    }
}

/// Checks that `field` is a field some kind of import knows, for a source
/// in kefu.toml (which kind it will feed is not known until it is used).
pub fn check_field_name(field: &str) -> Result<()> {
    let all = [FEEDBACK_FIELDS, AGENT_FIELDS, EVENT_FIELDS, ACTIVITY_FIELDS];
    if all
        .iter()
        .any(|specs| specs.iter().any(|s| s.name == field))
    {
        return Ok(());
    }
    let mut known: Vec<&str> = all
        .iter()
        .flat_map(|specs| specs.iter().map(|s| s.name))
        .collect();
    known.sort_unstable();
    known.dedup();
    bail!("unknown field {field:?} (fields: {})", known.join(", "))
}

/// The aliases of a field, for "looked for …" messages.
pub fn aliases_of(specs: &[FieldSpec], name: &str) -> String {
    specs
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.aliases.join(", "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_gets_a_name_of_its_own() {
        // A literal header that a renaming would give: the renamed one
        // steps aside with #2.
        let names = unique_names_with(&headers(&["id", "cause (column 3)", "cause"]), |n| {
            n == "cause"
        });
        assert_eq!(names, ["id", "cause (column 3)", "cause (column 3) #2"]);
        // As kefu writes it, and as a Chinese input method types it.
        assert_eq!(renamed_column("评价内容 (column 5)"), Some(("评价内容", 4)));
        assert_eq!(
            renamed_column("评价内容（column ５）"),
            Some(("评价内容", 4))
        );
        assert_eq!(
            renamed_column("评价内容(column 12)"),
            Some(("评价内容", 11))
        );
        assert_eq!(renamed_column("评价时间(北京时间)"), None);
        assert_eq!(renamed_column("(column 3)"), None);
        assert_eq!(renamed_column("a (column 0)"), None);
        assert_eq!(
            unique_names(&headers(&["a", "a", ""])),
            ["a", "a (column 2)", "column 3"]
        );
        // A very wide header (20,000 columns, most without a name): unique,
        // in one pass.
        let wide = vec![String::new(); 20_000];
        let names = unique_names(&wide);
        let distinct: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), 20_000);
        assert_eq!(free_name("x".into(), |c| c == "x" || c == "x #2"), "x #3");
    }

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_and_english_headers_match() {
        let h = headers(&[
            "评价ID",
            "评价时间",
            "接待客服",
            "评价内容",
            "商品名称",
            "Customer Phone",
        ]);
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        assert_eq!(m.column(FEEDBACK_FIELDS, "id"), Some(0));
        assert_eq!(m.column(FEEDBACK_FIELDS, "created_at"), Some(1));
        assert_eq!(m.column(FEEDBACK_FIELDS, "agent_name"), Some(2));
        assert_eq!(m.column(FEEDBACK_FIELDS, "content"), Some(3));
        assert_eq!(m.column(FEEDBACK_FIELDS, "customer_phone"), Some(5));
        assert_eq!(m.extras, vec![4]);
    }

    #[test]
    fn traditional_chinese_headers_match() {
        let h = headers(&[
            "評價編號",
            "訂單編號",
            "評價時間",
            "買家暱稱",
            "評價等級",
            "評價內容",
            "客服工號",
            "所屬部門",
            "聯繫電話",
            "差評原因",
            "責任認定",
            "組長工號",
        ]);
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        for (i, field) in [
            "id",
            "order_id",
            "created_at",
            "customer",
            "rating",
            "content",
            "agent_id",
            "department",
            "customer_phone",
            "cause",
            "responsibility",
            "leader_id",
        ]
        .iter()
        .enumerate()
        {
            assert_eq!(m.column(FEEDBACK_FIELDS, field), Some(i), "{field}");
        }
        // Taiwan's words: 星等, 評論內容, 手機號碼 (found by exploratory testing).
        let h = headers(&["訂單編號", "評價時間", "星等", "評論內容", "手機號碼"]);
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        for (i, field) in [
            "order_id",
            "created_at",
            "rating",
            "content",
            "customer_phone",
        ]
        .iter()
        .enumerate()
        {
            assert_eq!(m.column(FEEDBACK_FIELDS, field), Some(i), "{field}");
        }
        let h = headers(&["員工編號", "姓名", "組別", "到職日", "離職日", "調崗日期"]);
        let m = ColumnMap::build(&h, AGENT_FIELDS, &BTreeMap::new()).unwrap();
        assert_eq!(m.column(AGENT_FIELDS, "joined_at"), Some(3));
        assert_eq!(m.column(AGENT_FIELDS, "left_at"), Some(4));
        let h = headers(&["編號", "日期", "員工編號", "獎懲項目"]);
        let m = ColumnMap::build(&h, EVENT_FIELDS, &BTreeMap::new()).unwrap();
        assert_eq!(m.column(EVENT_FIELDS, "agent"), Some(2));
        let h = headers(&[
            "員工編號",
            "姓名",
            "組別",
            "入職日期",
            "離職日期",
            "調崗日期",
        ]);
        let m = ColumnMap::build(&h, AGENT_FIELDS, &BTreeMap::new()).unwrap();
        for (i, field) in [
            "agent_id",
            "agent_name",
            "department",
            "joined_at",
            "left_at",
            "changed_at",
        ]
        .iter()
        .enumerate()
        {
            assert_eq!(m.column(AGENT_FIELDS, field), Some(i), "{field}");
        }
        let h = headers(&[
            "獎懲項目",
            "客服工號",
            "發生日期",
            "次數",
            "備註",
            "是否核實",
        ]);
        let m = ColumnMap::build(&h, EVENT_FIELDS, &BTreeMap::new()).unwrap();
        for (i, field) in ["rule", "agent", "date", "count", "note", "verified"]
            .iter()
            .enumerate()
        {
            assert_eq!(m.column(EVENT_FIELDS, field), Some(i), "{field}");
        }
    }

    #[test]
    fn zero_width_characters_in_a_header_are_not_part_of_it() {
        // Found by exploratory testing: 评价\u{200b}内容 matched nothing, and
        // the negative reviews were stored without their text's cause.
        let h = headers(&[
            "评价ID\u{200e}",
            "评价\u{200b}内容",
            "\u{2060}评价时间\u{200d}",
        ]);
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        assert_eq!(m.column(FEEDBACK_FIELDS, "id"), Some(0));
        assert_eq!(m.column(FEEDBACK_FIELDS, "content"), Some(1));
        assert_eq!(m.column(FEEDBACK_FIELDS, "created_at"), Some(2));
    }

    #[test]
    fn a_more_specific_alias_wins_over_a_generic_one() {
        // 时间 and 评价时间 both mean created_at; the earlier alias wins and
        // the other column is kept as extra.
        let h = headers(&["时间", "评价时间"]);
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        assert_eq!(m.column(FEEDBACK_FIELDS, "created_at"), Some(1));
        assert_eq!(m.extras, vec![0]);
    }

    #[test]
    fn headers_as_chinese_exports_write_them_match() {
        for (header, field) in [
            ("评价时间(北京时间)", "created_at"),
            ("评价时间（北京时间）", "created_at"),
            ("评价时间：", "created_at"),
            ("评价时间:", "created_at"),
            ("评价时间 :", "created_at"),
            ("【评价时间】", "created_at"),
            ("[评价时间]", "created_at"),
            ("*评价时间", "created_at"),
            ("＊评价时间：", "created_at"),
            ("评价时间*", "created_at"),
            ("评价时间 ＊", "created_at"),
            ("星级：", "rating"),
            ("评分（1-5）", "rating"),
            ("评分【1-5】", "rating"),
            ("客服工号:", "agent_id"),
            ("评价　内容", "content"),
            ("ＳＴＡＲＳ", "rating"),
            ("Review_ID", "id"),
            ("订单ＩＤ", "order_id"),
            ("【评价时间】(北京时间)：", "created_at"),
        ] {
            let m =
                ColumnMap::build(&headers(&[header]), FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
            assert_eq!(m.column(FEEDBACK_FIELDS, field), Some(0), "{header}");
        }
        // A suffix without brackets is part of the name: it may be another
        // column altogether (map it with --map).
        let m = ColumnMap::build(
            &headers(&["评价时间_北京"]),
            FEEDBACK_FIELDS,
            &BTreeMap::new(),
        )
        .unwrap();
        assert!(m.is_empty());
        // Unbalanced or empty brackets are left alone.
        assert_eq!(normalize_header("评价时间)"), "评价时间)");
        assert_eq!(normalize_header("(评价时间"), "(评价时间");
        assert_eq!(normalize_header("()"), "");
    }

    #[test]
    fn a_header_as_written_beats_one_that_only_a_note_makes_equal() {
        // Both read as 评价时间: the one written so wins, wherever it stands;
        // the other is kept as extra, not lost.
        let h = headers(&["评价时间(下单)", "评价时间"]);
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        assert_eq!(m.column(FEEDBACK_FIELDS, "created_at"), Some(1));
        assert_eq!(m.extras, vec![0]);
        // Two notes on one name: the first column, as for repeated headers.
        let h = headers(&["评分(服务)", "评分(物流)"]);
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        assert_eq!(m.column(FEEDBACK_FIELDS, "rating"), Some(0));
        assert_eq!(m.extras, vec![1]);
        // A mapping names the header as in the file, or without its note.
        let h = headers(&["满意度(1-5)", "满意度(物流)", "评价时间"]);
        let mut o = BTreeMap::new();
        o.insert("rating".to_string(), "满意度(物流)".to_string());
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &o).unwrap();
        assert_eq!(m.column(FEEDBACK_FIELDS, "rating"), Some(1));
        o.insert("rating".to_string(), "满意度".to_string());
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &o).unwrap();
        assert_eq!(m.column(FEEDBACK_FIELDS, "rating"), Some(0));
    }

    #[test]
    fn a_date_column_beside_a_time_column_is_the_date() {
        let h = headers(&["日期", "时间", "内容"]);
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        assert_eq!(m.column(FEEDBACK_FIELDS, "created_at"), Some(1));
        assert_eq!(m.column(FEEDBACK_FIELDS, "created_date"), Some(0));
        let h = headers(&["评价日期", "内容"]);
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &BTreeMap::new()).unwrap();
        assert_eq!(m.column(FEEDBACK_FIELDS, "created_at"), None);
        assert_eq!(m.column(FEEDBACK_FIELDS, "created_date"), Some(0));
    }

    #[test]
    fn overrides_and_their_errors() {
        let h = headers(&["买家评语", "评价日期"]);
        let mut o = BTreeMap::new();
        o.insert("content".to_string(), "买家评语".to_string());
        let m = ColumnMap::build(&h, FEEDBACK_FIELDS, &o).unwrap();
        assert_eq!(m.column(FEEDBACK_FIELDS, "content"), Some(0));
        o.insert("contnet".to_string(), "x".to_string());
        assert!(ColumnMap::build(&h, FEEDBACK_FIELDS, &o)
            .unwrap_err()
            .to_string()
            .contains("unknown field \"contnet\""));
        let mut o = BTreeMap::new();
        o.insert("content".to_string(), "评论2".to_string());
        assert!(ColumnMap::build(&h, FEEDBACK_FIELDS, &o)
            .unwrap_err()
            .to_string()
            .contains("no such column"));
    }
}
