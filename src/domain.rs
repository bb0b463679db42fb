//! The department's vocabulary: feedback kinds, causes (差评原因), ratings,
//! responsibility (责任认定) and validity (是否成立), each with the canonical id
//! used in machine formats and the Chinese label used in human ones.
//!
//! Parsing accepts what users type: the id, the Chinese label, common synonyms
//! and Traditional forms. Nothing here touches I/O.

use std::fmt;

/// Implements `id()`, `label()`, `ALL`, `Display` (the id) and `parse()` for a
/// plain enum whose variants each have an id, a Chinese label and synonyms.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal {
        $($variant:ident => $id:literal, $label:literal, [$($alias:literal),*]);+ $(;)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in canonical order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical id used in machine formats and the store.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            /// The Chinese label used in human formats.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses an id, a Chinese label or a known synonym (case- and
            /// space-insensitive). `None` when the text names nothing known.
            pub fn parse(text: &str) -> Option<$name> {
                // Fast path, no allocation: the exact id, label or synonym.
                let exact = text.trim();
                $(
                    if exact == $id || exact == $label $(|| exact == $alias)* {
                        return Some($name::$variant);
                    }
                )+
                let key = normalize_term(text);
                $(
                    if key == $id || is_term(&key, $label) $(|| is_term(&key, $alias))* {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            /// Like [`Self::parse`] but with an error message listing what is accepted.
            pub fn parse_or_err(text: &str) -> Result<$name, String> {
                Self::parse(text).ok_or_else(|| {
                    let accepted: Vec<String> = Self::ALL
                        .iter()
                        .map(|v| format!("{} ({})", v.id(), v.label()))
                        .collect();
                    format!("unknown {} {} (expected one of: {})", $what, shown(text.trim()), accepted.join(", "))
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.id())
            }
        }
    };
}

/// The form in which typed terms are compared: white space of any width
/// dropped (`服务 态度`, the full-width space of `王　芳`), characters that
/// show as nothing dropped (zero-width spaces, a byte-order mark), full-width
/// ASCII folded (`Ｙ`, `１星`, `（…）`), Latin case ignored and Traditional
/// characters read as Simplified ([`crate::hanzi`]), so that "Attitude",
/// " 服务 态度 ", "服務態度" and "服务态度" compare equal. Shared by every
/// vocabulary below, the rulebook's rule names and ids, and [`agent_key`].
pub fn normalize_term(text: &str) -> String {
    term_chars(text, true).collect()
}

/// `text` with Traditional characters written as Simplified and full-width
/// forms as half-width, nothing else changed (售後一組 → 售后一组, ＡＰＰ → APP).
pub fn fold_script(text: &str) -> String {
    text.chars()
        .map(|c| crate::hanzi::simplified(fold_full_width(c)))
        .collect()
}

/// Whether `text` in [`normalize_term`]'s form is `key` (already in that
/// form), without building it.
pub fn same_term(text: &str, key: &str) -> bool {
    term_chars(text, true).eq(key.chars())
}

/// [`normalize_term`] without reading Traditional characters as
/// Simplified: two names one script tells apart (鍾明, 鐘明: both 钟明 in
/// Simplified) stay apart.
fn normalize_term_in_its_script(text: &str) -> String {
    term_chars(text, false).collect()
}

/// The characters of [`normalize_term`]'s form, Traditional ones read as
/// Simplified or not.
fn term_chars(text: &str, simplified: bool) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !c.is_whitespace() && !is_invisible(*c))
        .map(move |c| {
            let c = fold_full_width(c);
            if simplified {
                crate::hanzi::simplified(c)
            } else {
                c
            }
        })
        .flat_map(char::to_lowercase)
}

/// True when `term` in [`normalize_term`]'s form is `key`, without building
/// that form (a vocabulary's slow path compares a key with every synonym).
fn is_term(key: &str, term: &str) -> bool {
    term_chars(term, true).eq(key.chars())
}

/// A full-width ASCII character (`Ａ`, `１`, `：`, `（`) as its ASCII form;
/// any other character as it is.
pub fn fold_full_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    }
}

/// Characters that take no room when shown: zero-width spaces and joiners,
/// left-to-right and right-to-left marks and embeddings, the word joiner and
/// invisible operators, a soft hyphen, a byte-order mark; and Ctrl-Z, the
/// end-of-file mark DOS-era tools still put after the last line.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{1a}'
            | '\u{ad}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// The form in which agents' names and ids are compared wherever an export
/// names an agent (feedback, events, activity, group leaders); the store
/// keeps them as written. It is [`normalize_term`]'s (HR pads
/// two-character names with a full-width space: 王　芳; ＡＢＣ小张, ２００３;
/// a Hong Kong system writes 陳小明 where the roster has 陈小明),
/// and a whole number written as a float (`2001.0`, a numeric id cell passed
/// through a spreadsheet or pandas) is that number.
pub fn agent_key(text: &str) -> String {
    whole_number_id(normalize_term(text))
}

/// How points and bonus write an agent id the roster lacks: its spellings
/// in another case, width or spacing (KF099, kf099, ＫＦ０９９, `KF 099`) as
/// one, [`agent_key`] in upper case (`KF099`). A function of the id alone,
/// so that a period's ledger, a closed period's snapshot and a later
/// quarter's adjustments to it write it alike.
pub fn off_roster_id(id: &str) -> String {
    agent_key(id).to_uppercase()
}

/// [`agent_key`] in the name's own script: the roster links a name written
/// as one of its names by this key first, so that 鍾明 and 鐘明 (one name in
/// Simplified, 钟明) are two agents, each found as written.
pub fn agent_key_in_its_script(text: &str) -> String {
    whole_number_id(normalize_term_in_its_script(text))
}

/// `2001.0` (a numeric id cell passed through a spreadsheet) as `2001`.
fn whole_number_id(mut key: String) -> String {
    if let Some((whole, zeros)) = key.split_once('.') {
        if !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && !zeros.is_empty()
            && zeros.bytes().all(|b| b == b'0')
        {
            key.truncate(whole.len());
        }
    }
    key
}

/// A value as the user wrote it, for messages: in double quotes, with its
/// characters as they are, not as Rust escapes them (`"2026-11-25　13:00"`,
/// not `"2026-11-25\u{3000}13:00"`). Control characters are written `\t`,
/// `\n`, `\r` or `<U+0007>`, and characters that show as nothing as
/// `<U+200B>`; white space other than the ASCII space, which looks like one,
/// is named after the quotes: `"2026-11-25　13:00" (with a full-width space,
/// U+3000)`. Personal data in it is masked (messages go to cron mail).
pub fn shown(text: &str) -> String {
    // Masked here, before the escapes below would hide a phone number from
    // the masking every message gets (`138<U+200B>1234…`, `138\t1234…`).
    let text = crate::privacy::mask_personal_data(text);
    let text = text.as_ref();
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut odd_space: Option<char> = None;
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || is_invisible(c) => {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            }
            c => {
                if c.is_whitespace() && c != ' ' && odd_space.is_none() {
                    odd_space = Some(c);
                }
                out.push(c);
            }
        }
    }
    out.push('"');
    if let Some(c) = odd_space {
        let name = match c {
            '\u{3000}' => "a full-width space",
            '\u{a0}' => "a no-break space",
            _ => "a space that is not the ASCII space",
        };
        out.push_str(&format!(" (with {name}, U+{:04X})", c as u32));
    }
    out
}

/// A value written as not decided yet (a responsibility or declared cause):
/// 待定, 未知, 待确认, 未定, 待认定. Read as none, like an empty cell.
pub fn is_undecided(text: &str) -> bool {
    matches!(
        normalize_term(text).as_str(),
        "待定" | "未知" | "待确认" | "未认定" | "未定" | "待认定"
    )
}

/// True for a cell that says nothing: `-`, `—`, `/`, `无`, `空`, `暂无`,
/// `N/A`, `none`, `null` (full-width forms too). Exports and people write
/// these where a value is not (yet) known; kefu reads them as empty wherever
/// an empty value is allowed (a declared cause, responsibility, validity, a
/// roster date).
pub fn is_placeholder(text: &str) -> bool {
    // None is longer than four characters: no allocation for real values.
    let text = text.trim();
    if text.chars().nth(4).is_some() {
        return false;
    }
    // A name or an id (董平丽, KF001, 电话) is none: no allocation for it.
    match text.chars().next() {
        Some(c) if c.is_ascii_alphanumeric() && !matches!(c, 'n' | 'N') => return false,
        Some(c @ '\u{4e00}'..='\u{9fff}') if !matches!(c, '无' | '無' | '空' | '暂' | '暫') => {
            return false
        }
        _ => {}
    }
    matches!(
        normalize_term(text).as_str(),
        "-" | "--" | "—" | "——" | "–" | "/" | "无" | "空" | "暂无" | "n/a" | "na" | "none" | "null"
    )
}

vocabulary! {
    /// Why a piece of negative feedback happened (判定标准, DOMAIN.md §1).
    Cause, "cause" {
        Attitude => "attitude", "服务态度", ["态度"];
        Competence => "competence", "专业能力", ["专业", "业务能力"];
        Response => "response", "响应速度", ["响应", "回复速度", "响应时间"];
        Resolution => "resolution", "问题解决效果", ["解决效果", "问题解决", "未解决"];
        Other => "other", "其他", ["其它", "others"];
    }
}

/// Words that point to one cause when a manager's 差评原因 is not a cause's
/// id, label or synonym (`态度问题`, `响应慢`, `物流问题`): a declared cause
/// holding words of exactly one cause is that cause; one holding words of
/// two (`处理速度慢`: 处理 and 速度) is none of them.
const CAUSE_WORDS: &[(Cause, &[&str])] = &[
    (Cause::Attitude, &["态度", "语气"]),
    (
        Cause::Response,
        &[
            "响应",
            "速度",
            "回复慢",
            "回复不及时",
            "不回复",
            "未回复",
            "没回复",
            "超时",
        ],
    ),
    (Cause::Competence, &["专业", "业务能力", "业务不熟", "能力"]),
    (Cause::Resolution, &["解决", "处理"]),
    (
        Cause::Other,
        &["物流", "快递", "商品", "产品", "质量", "其他", "其它"],
    ),
];

/// A declared cause (差评原因) as read from an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclaredCause {
    /// Nothing declared: empty, or a placeholder ([`is_placeholder`], 待定, 未知).
    Nothing,
    /// A cause kefu knows.
    Cause(Cause),
    /// Text kefu cannot read as a cause: the record is imported without a
    /// declared cause (the classifier's stands) and the import warns.
    Unknown,
}

/// Reads a declared cause (差评原因) as managers write it: a cause's id,
/// label or synonym; a placeholder (`无`, `-`, `/`, `待定`) as nothing; a
/// list (`服务态度;响应速度`, separated by `;` `,` `、` `/` `|`) as its first
/// item that reads as a cause; and a phrase whose words point to exactly one
/// cause ([`CAUSE_WORDS`]: `态度问题` → attitude, `响应慢` → response,
/// `物流问题` → other).
pub fn read_declared_cause(text: &str) -> DeclaredCause {
    let t = text.trim();
    if let Some(c) = Cause::parse(t) {
        return DeclaredCause::Cause(c);
    }
    if t.is_empty() || is_placeholder(t) || is_undecided(t) {
        return DeclaredCause::Nothing;
    }
    let cause_of = |item: &str| {
        Cause::parse(item).or_else(|| {
            let key = normalize_term(item);
            let mut found = CAUSE_WORDS
                .iter()
                .filter(|(_, words)| words.iter().any(|w| key.contains(w)))
                .map(|(cause, _)| *cause);
            match (found.next(), found.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        })
    };
    t.split([';', '；', ',', '，', '、', '/', '／', '|', '\n'])
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .find_map(cause_of)
        .map_or(DeclaredCause::Unknown, DeclaredCause::Cause)
}

vocabulary! {
    /// Who is responsible once investigated (责任认定). Only `individual`
    /// is the agent's own; exports name other parties, read as the closest
    /// value: the company or the shop (公司, 商家) as `process`, the courier,
    /// the platform or no one in particular (物流, 平台, 非个人, 无责) as
    /// `external`.
    Responsibility, "responsibility" {
        Individual => "individual", "个人", ["个人责任", "客服个人", "agent"];
        Team => "team", "团队协作", ["团队", "协作"];
        Training => "training", "培训不足", ["培训"];
        Process => "process", "流程缺陷", ["流程", "流程问题", "公司", "商家"];
        External => "external", "外部因素", ["外部", "非客服原因", "物流", "平台", "非个人", "无责"];
    }
}

vocabulary! {
    /// A yes or a no as spreadsheets write it: one vocabulary for every
    /// yes/no column (是否成立, 是否核实). An Excel boolean cell reads as
    /// `true`/`false`; case and full-width forms are ignored (`Ｙ`, `TRUE`).
    YesNo, "yes/no" {
        Yes => "yes", "是", ["y", "true", "1", "√", "✓", "✔"];
        No => "no", "否", ["n", "false", "0", "×", "✗", "✘"];
    }
}

vocabulary! {
    /// Whether a complaint stands (是否成立 / 投诉不成立). Read with
    /// [`parse_validity`], which adds the yes/no marks of [`YesNo`].
    /// `部分成立` (partly upheld) is `confirmed`: the investigation found
    /// something in it, which is a verdict, not a pending case; whether it
    /// is charged to the agent is then up to 责任认定.
    Validity, "validity" {
        Confirmed => "confirmed", "成立", ["属实", "投诉成立", "valid", "有效", "已成立", "部分成立"];
        Rejected => "rejected", "不成立", ["不属实", "投诉不成立", "invalid", "无效", "未成立"];
        Pending => "pending", "待定", ["待核实", "处理中", "调查中", "核实中", "unknown", "未定", "待认定"];
    }
}

/// Reads a validity (是否成立): its id, label or synonym, or a yes/no mark
/// ([`YesNo`]: 是/否, √/×, Y/N, TRUE/FALSE, 1/0) for confirmed/rejected.
pub fn parse_validity(text: &str) -> Result<Validity, String> {
    Validity::parse(text)
        .or_else(|| {
            YesNo::parse(text).map(|yes| match yes {
                YesNo::Yes => Validity::Confirmed,
                YesNo::No => Validity::Rejected,
            })
        })
        .ok_or_else(|| {
            format!(
                "unknown validity {} (expected confirmed: 成立, 是, √, Y, 1, 有效; rejected: 不成立, 否, ×, N, 0, 无效; pending: 待定)",
                shown(text.trim())
            )
        })
}

vocabulary! {
    /// The customer's verdict on a contact (好评 / 中评 / 差评), also as a
    /// satisfaction survey writes it (非常满意 … 非常不满意) and in short
    /// (好 / 中 / 差).
    Polarity, "rating" {
        Negative => "negative", "差评", [
            "bad", "negative review", "差", "很差", "非常差", "极差", "较差", "比较差", "负面", "负评",
            "不满意", "非常不满意", "很不满意", "十分不满意", "特别不满意", "不太满意", "不大满意",
            "较不满意", "比较不满意", "不满"
        ];
        // 基本满意: the middle of the three-level scale (满意/基本满意/不满意).
        Neutral => "neutral", "中评", [
            "一般", "普通", "尚可", "中立", "average", "中", "中性", "基本满意", "一般满意"
        ];
        Positive => "positive", "好评", [
            "good", "好", "很好", "非常好", "极佳", "较好", "比较好", "正面", "正评",
            "满意", "非常满意", "很满意", "十分满意", "特别满意", "比较满意", "较满意",
            // Taobao's rating when the buyer rated nothing in time.
            "默认好评", "系统默认好评"
        ];
    }
}

vocabulary! {
    /// What kind of feedback a record is. A complaint is handled as a negative review.
    FeedbackKind, "kind" {
        Review => "review", "评价", ["reviews"];
        Complaint => "complaint", "投诉", ["complaints"];
    }
}

/// Star thresholds that turn 1–5 stars into a polarity (configurable per source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StarScale {
    /// Stars at or below this are negative (default 2).
    pub negative_max: u8,
    /// Stars at or above this are positive (default 4).
    pub positive_min: u8,
}

impl StarScale {
    /// Checks `negative_max < positive_min <= 5`.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.negative_max >= self.positive_min || self.positive_min > 5 {
            anyhow::bail!(
                "star thresholds must satisfy negative_max < positive_min <= 5 (here {} and {})",
                self.negative_max,
                self.positive_min
            );
        }
        Ok(())
    }
}

impl Default for StarScale {
    fn default() -> Self {
        StarScale {
            negative_max: 2,
            positive_min: 4,
        }
    }
}

/// A parsed rating: the polarity and, when the export gave stars, the stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating {
    pub polarity: Polarity,
    pub stars: Option<u8>,
}

impl StarScale {
    fn polarity_of(self, stars: u8) -> Polarity {
        if stars <= self.negative_max {
            Polarity::Negative
        } else if stars >= self.positive_min {
            Polarity::Positive
        } else {
            Polarity::Neutral
        }
    }
}

/// Parses a rating as exports write it: 好评/中评/差评 (or 好/中/差),
/// positive/neutral/negative, satisfaction words (非常满意, 很满意, 比较满意,
/// 满意, 一般, 不太满意, 不满意, 很不满意, 非常不满意), and stars: `3`, `３`,
/// `3星`, `三星`, `1颗星`, `5分`, `3 stars`, `★★★☆☆`, or a decimal such as
/// `4.5`, compared with the thresholds like whole stars (at most
/// `negative_max` negative, at least `positive_min` positive, neutral
/// between). Stars are kept for whole numbers only.
pub fn parse_rating(text: &str, scale: StarScale) -> Result<Rating, String> {
    let t = text.trim();
    // Fast path for the most common form in platform exports: a bare digit.
    if let [d @ b'1'..=b'5'] = t.as_bytes() {
        let stars = d - b'0';
        return Ok(Rating {
            polarity: scale.polarity_of(stars),
            stars: Some(stars),
        });
    }
    if let Some(p) = Polarity::parse(t) {
        return Ok(Rating {
            polarity: p,
            stars: None,
        });
    }
    let folded: String = t.chars().map(fold_full_width).collect();
    let filled = folded.chars().filter(|&c| c == '★').count();
    let empty = folded.chars().filter(|&c| c == '☆').count();
    let value = if filled + empty > 0 && folded.chars().all(|c| c == '★' || c == '☆') {
        Some(filled as f64)
    } else {
        // `3星`, `1颗星`, `5分`, `3 stars`, `4星级`: the number before the unit.
        let number = folded
            .trim_end_matches(|c: char| {
                c.is_whitespace()
                    || matches!(c, '星' | '分' | '颗' | '顆' | '级' | '級')
                    || c.is_ascii_alphabetic()
            })
            .trim();
        chinese_digit(number).map(f64::from).or_else(|| {
            let plain = number.starts_with(|c: char| c.is_ascii_digit())
                && number.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            plain.then(|| number.parse::<f64>().ok()).flatten()
        })
    };
    match value {
        Some(v) if (1.0..=5.0).contains(&v) => {
            let polarity = if v <= f64::from(scale.negative_max) {
                Polarity::Negative
            } else if v >= f64::from(scale.positive_min) {
                Polarity::Positive
            } else {
                Polarity::Neutral
            };
            Ok(Rating {
                polarity,
                stars: (v.fract() == 0.0).then_some(v as u8),
            })
        }
        // A number too long for stars is shown only as the value (masked,
        // when it is a phone number in the wrong column: found by
        // exploratory testing, the rejects file showed it whole beside its
        // masked form).
        Some(v) if v.abs() >= 1000.0 => Err(format!("rating {} is not 1 to 5 stars", shown(t))),
        Some(v) => Err(format!(
            "rating {} is {v} stars; expected 1 to 5",
            shown(t)
        )),
        None if is_unrated(t) => Err(format!(
            "{NOT_RATED} ({}): the customer gave no rating, so the row is no review to count",
            shown(t)
        )),
        None => Err(format!(
            "unknown rating {} (expected 好评/中评/差评, 满意/一般/不满意, positive/neutral/negative, or 1-5 stars: 3, 3星, 三星, ★★★☆☆, 4.5)",
            shown(t)
        )),
    }
}

/// How the reason a row is no review begins: its rating says there is none.
pub const NOT_RATED: &str = "not rated";

/// A rating value that says there is none (未评价, 暂无评价, not rated).
pub fn is_unrated(t: &str) -> bool {
    matches!(
        t.to_lowercase().as_str(),
        "未评价"
            | "未评"
            | "无评价"
            | "暂无评价"
            | "待评价"
            | "未打分"
            | "not rated"
            | "unrated"
            | "no rating"
    )
}

/// A Chinese numeral from one to five, as star ratings write it (五星, 两星).
fn chinese_digit(text: &str) -> Option<u8> {
    match text {
        "一" => Some(1),
        "二" | "两" | "兩" => Some(2),
        "三" => Some(3),
        "四" => Some(4),
        "五" => Some(5),
        _ => None,
    }
}

/// The candidates a mistyped value most likely meant, for a "did you mean"
/// hint: those one or two characters away (张玮 for 张伟, KF03 for KF003,
/// 书面表杨 for 书面表扬; Latin case ignored), or starting with it (情绪化行为 for
/// 情绪化行为（故意不接电话、摔门）). Each candidate is (text compared, what to
/// show); those nearest, when there are at most three.
pub fn nearest<'a, T: Clone + PartialEq>(
    text: &str,
    candidates: impl IntoIterator<Item = (&'a str, T)>,
) -> Vec<T> {
    // Compared as vocabularies are ([`normalize_term`]): 遲 到 is 迟到.
    let typed = normalize_term(text);
    let len = typed.chars().count();
    if len == 0 {
        return vec![];
    }
    let limit = match len {
        0..=3 => 1,
        4..=8 => 2,
        _ => 3,
    };
    let mut found: Vec<(usize, T)> = candidates
        .into_iter()
        .filter_map(|(candidate, shown)| {
            let candidate = normalize_term(candidate);
            let distance = if len >= 2 && candidate.starts_with(&typed) {
                0
            } else {
                strsim::levenshtein(&typed, &candidate)
            };
            (distance <= limit).then_some((distance, shown))
        })
        .collect();
    found.sort_by_key(|(distance, _)| *distance);
    let closest = found.first().map_or(0, |(distance, _)| *distance);
    let mut out: Vec<T> = vec![];
    for (_, shown) in found.into_iter().take_while(|(d, _)| *d == closest) {
        if !out.contains(&shown) {
            out.push(shown);
        }
    }
    // More than three as near are no guess (KF099 is two edits from every
    // KF0xx): no hint rather than three arbitrary ones.
    if out.len() > 3 {
        out.clear();
    }
    out
}

/// ` (did you mean A or B?)` for [`nearest`]'s candidates, or nothing.
pub fn did_you_mean(candidates: &[String]) -> String {
    match candidates {
        [] => String::new(),
        [one] => format!(" (did you mean {one}?)"),
        [init @ .., last] => format!(" (did you mean {} or {last}?)", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_parse_from_id_label_and_synonym() {
        assert_eq!(Cause::parse("attitude"), Some(Cause::Attitude));
        assert_eq!(Cause::parse(" 服务 态度 "), Some(Cause::Attitude));
        assert_eq!(Cause::parse("Response"), Some(Cause::Response));
        assert_eq!(Cause::parse("問題解決效果"), Some(Cause::Resolution));
        assert_eq!(Cause::parse("其它"), Some(Cause::Other));
        assert_eq!(Cause::parse("物流"), None);
        // Traditional script (Taiwan, Hong Kong), through crate::hanzi.
        assert_eq!(Cause::parse("服務態度"), Some(Cause::Attitude));
        assert_eq!(Cause::parse("響應速度"), Some(Cause::Response));
        assert_eq!(Cause::parse("專業能力"), Some(Cause::Competence));
        assert_eq!(
            read_declared_cause("回覆慢"),
            DeclaredCause::Cause(Cause::Response)
        );
        assert_eq!(
            read_declared_cause("態度問題"),
            DeclaredCause::Cause(Cause::Attitude)
        );
        assert_eq!(Polarity::parse("差評"), Some(Polarity::Negative));
        assert_eq!(Polarity::parse("負評"), Some(Polarity::Negative));
        assert_eq!(Polarity::parse("普通"), Some(Polarity::Neutral));
        assert_eq!(Polarity::parse("好評"), Some(Polarity::Positive));
        // Taiwan auction sites: 正評 / 中立 / 負評; 尚可, 極差.
        assert_eq!(Polarity::parse("正評"), Some(Polarity::Positive));
        assert_eq!(Polarity::parse("中立"), Some(Polarity::Neutral));
        assert_eq!(Polarity::parse("尚可"), Some(Polarity::Neutral));
        assert_eq!(Polarity::parse("極差"), Some(Polarity::Negative));
        assert_eq!(
            Responsibility::parse("個人"),
            Some(Responsibility::Individual)
        );
        assert_eq!(Validity::parse("不屬實"), Some(Validity::Rejected));
        assert!(Cause::parse_or_err("物流")
            .unwrap_err()
            .contains("服务态度"));
    }

    #[test]
    fn agent_keys_fold_padding_width_case_and_float_ids() {
        assert_eq!(agent_key("王　芳"), "王芳");
        assert_eq!(agent_key(" 李娜 "), "李娜");
        assert_eq!(agent_key("王\u{a0}芳"), "王芳");
        assert_eq!(agent_key("ＡＢＣ小张"), agent_key("abc小张"));
        assert_eq!(agent_key("２００３"), "2003");
        assert_eq!(agent_key("2001.0"), "2001");
        assert_eq!(agent_key("２００１．００"), "2001");
        assert_eq!(agent_key("KF001"), "kf001");
        // Either script: a Hong Kong system's 陳靜 is the roster's 陈静.
        assert_eq!(agent_key("陳靜"), agent_key("陈静"));
        assert_eq!(agent_key("張偉"), "张伟");
        // Not a whole number, or not a number: kept.
        assert_eq!(agent_key("2001.5"), "2001.5");
        assert_eq!(agent_key("KF1.0"), "kf1.0");
        assert_eq!(agent_key(".0"), ".0");
        // Idempotent: a key is its own key.
        for t in ["王　芳", "ＡＢＣ小张", "2001.0", "KF 001"] {
            assert_eq!(agent_key(&agent_key(t)), agent_key(t));
        }
    }

    #[test]
    fn validity_and_responsibility() {
        assert_eq!(Validity::parse("不成立"), Some(Validity::Rejected));
        assert_eq!(Validity::parse("成立"), Some(Validity::Confirmed));
        assert_eq!(
            Responsibility::parse("个人"),
            Some(Responsibility::Individual)
        );
        assert_eq!(
            Responsibility::parse("流程缺陷"),
            Some(Responsibility::Process)
        );
    }

    #[test]
    fn validity_reads_yes_no_marks_as_every_yes_no_column_does() {
        for t in [
            "成立",
            "是",
            "√",
            "✓",
            "✔",
            "Y",
            "y",
            "Ｙ",
            "TRUE",
            "true",
            "1",
            "１",
            "有效",
            "已成立",
            "属实",
            "部分成立",
            "yes",
        ] {
            assert_eq!(parse_validity(t), Ok(Validity::Confirmed), "{t}");
        }
        for t in [
            "不成立",
            "否",
            "×",
            "✗",
            "✘",
            "N",
            "n",
            "FALSE",
            "false",
            "0",
            "无效",
            "不属实",
            "no",
        ] {
            assert_eq!(parse_validity(t), Ok(Validity::Rejected), "{t}");
        }
        for t in ["待定", "待核实", "调查中"] {
            assert_eq!(parse_validity(t), Ok(Validity::Pending), "{t}");
        }
        let e = parse_validity("也许").unwrap_err();
        assert!(
            e.starts_with("unknown validity \"也许\" (expected confirmed: 成立, 是, √"),
            "{e}"
        );
        // One vocabulary: the yes/no of 是否核实 is the same.
        assert_eq!(YesNo::parse("√"), Some(YesNo::Yes));
        assert_eq!(YesNo::parse("FALSE"), Some(YesNo::No));
        assert_eq!(YesNo::parse("有效"), None);
    }

    #[test]
    fn responsibilities_exports_name_read_as_the_closest_value() {
        let r = |t: &str| Responsibility::parse(t);
        for t in ["公司", "商家"] {
            assert_eq!(r(t), Some(Responsibility::Process), "{t}");
        }
        for t in ["物流", "平台", "非个人", "无责", "外部因素"] {
            assert_eq!(r(t), Some(Responsibility::External), "{t}");
        }
        for t in ["个人", "客服个人", "个人责任"] {
            assert_eq!(r(t), Some(Responsibility::Individual), "{t}");
        }
        assert_eq!(r("领导"), None);
    }

    #[test]
    fn declared_causes_placeholders_lists_and_synonyms() {
        let read = read_declared_cause;
        for t in [
            "", " ", "无", "-", "/", "待定", "—", "——", "空", "暂无", "N/A", "－", "未知",
        ] {
            assert_eq!(read(t), DeclaredCause::Nothing, "{t:?}");
        }
        for (t, cause) in [
            ("服务态度", Cause::Attitude),
            ("态度问题", Cause::Attitude),
            ("响应慢", Cause::Response),
            ("回复慢", Cause::Response),
            ("速度太慢", Cause::Response),
            ("业务能力不足", Cause::Competence),
            ("不专业", Cause::Competence),
            ("问题未解决", Cause::Resolution),
            ("处理不当", Cause::Resolution),
            ("物流问题", Cause::Other),
            ("商品质量", Cause::Other),
            ("其它", Cause::Other),
            ("服务态度;响应速度", Cause::Attitude),
            ("响应速度、服务态度", Cause::Response),
            ("说不清；态度问题", Cause::Attitude),
        ] {
            assert_eq!(read(t), DeclaredCause::Cause(cause), "{t}");
        }
        // Words of two causes (处理 and 速度), or of none: not guessed at.
        for t in ["处理速度慢", "客户无理取闹", "退款"] {
            assert_eq!(read(t), DeclaredCause::Unknown, "{t}");
        }
    }

    #[test]
    fn placeholders_say_nothing() {
        for t in [
            "-", "--", "—", "／", "无", "空", "暂无", "n/a", "NULL", " none ",
        ] {
            assert!(is_placeholder(t), "{t}");
        }
        for t in ["0", "无效", "无责", "在职", "待定", "2026-11-25"] {
            assert!(!is_placeholder(t), "{t}");
        }
    }

    #[test]
    fn values_are_shown_as_written_not_escaped() {
        assert_eq!(shown("差评"), "\"差评\"");
        assert_eq!(
            shown("2026-11-25\u{3000}13:00"),
            "\"2026-11-25\u{3000}13:00\" (with a full-width space, U+3000)"
        );
        assert_eq!(shown("a\tb\u{200b}c"), "\"a\\tb<U+200B>c\"");
        // Masked before it is escaped (found by exploratory testing).
        for sep in [
            "\u{200b}", "\u{ad}", "\u{2060}", "\u{feff}", "\u{2009}", "\t", " ",
        ] {
            let m = shown(&format!("138{sep}1234{sep}5678"));
            assert!(!m.contains("1234"), "{sep:?}: {m}");
        }
        assert_eq!(
            Validity::parse_or_err("不 明").unwrap_err(),
            "unknown validity \"不 明\" (expected one of: confirmed (成立), rejected (不成立), pending (待定))"
        );
    }

    #[test]
    fn terms_compare_across_widths_spaces_and_case() {
        assert_eq!(
            normalize_term("情绪化行为（故意不接电话、摔门）"),
            normalize_term("情绪化行为(故意不接电话、摔门)")
        );
        assert_eq!(normalize_term(" ＥＭＯＴＩＯＮ 1 "), "emotion1");
    }

    #[test]
    fn ratings_in_every_form() {
        let s = StarScale::default();
        let p = |t: &str| parse_rating(t, s).map(|r| (r.polarity, r.stars));
        assert_eq!(p("差评"), Ok((Polarity::Negative, None)));
        assert_eq!(p("positive"), Ok((Polarity::Positive, None)));
        assert_eq!(p("3"), Ok((Polarity::Neutral, Some(3))));
        assert_eq!(p("2星"), Ok((Polarity::Negative, Some(2))));
        assert_eq!(p("5 stars"), Ok((Polarity::Positive, Some(5))));
        assert_eq!(p("★★☆☆☆"), Ok((Polarity::Negative, Some(2))));
        assert_eq!(p("4.0"), Ok((Polarity::Positive, Some(4))));
        assert!(p("7").is_err());
        assert!(p("meh").is_err());
        assert!(p("-1").is_err());
        assert!(p("0").unwrap_err().contains("0 stars; expected 1 to 5"));
        assert_eq!(
            p("13812345678").unwrap_err(),
            "rating \"138****5678\" is not 1 to 5 stars"
        );
        assert_eq!(p("系统默认好评"), Ok((Polarity::Positive, None)));
        for none in ["未评价", "暂无评价", "Not rated"] {
            assert!(p(none).unwrap_err().starts_with("not rated"), "{none}");
        }
        // Chinese numerals, full-width digits and the units exports add.
        for (t, stars) in [
            ("五星", 5),
            ("一星", 1),
            ("三星", 3),
            ("两星", 2),
            ("１", 1),
            ("３星", 3),
            ("１星", 1),
            ("1颗星", 1),
            ("五颗星", 5),
            ("4星级", 4),
            ("5分", 5),
            ("五分", 5),
            ("★", 1),
        ] {
            let polarity = s.polarity_of(stars);
            assert_eq!(p(t), Ok((polarity, Some(stars))), "{t}");
        }
        // Words: short forms of 好评/中评/差评, satisfaction with its modifiers.
        for (t, polarity) in [
            ("差", Polarity::Negative),
            ("很差", Polarity::Negative),
            ("非常差", Polarity::Negative),
            ("很不满意", Polarity::Negative),
            ("不太满意", Polarity::Negative),
            ("不满意", Polarity::Negative),
            ("非常不满意", Polarity::Negative),
            ("一般", Polarity::Neutral),
            ("中", Polarity::Neutral),
            ("比较满意", Polarity::Positive),
            ("很满意", Polarity::Positive),
            ("满意", Polarity::Positive),
            ("非常满意", Polarity::Positive),
            ("好", Polarity::Positive),
        ] {
            assert_eq!(p(t), Ok((polarity, None)), "{t}");
        }
        // Decimals against the thresholds; stars kept for whole numbers only.
        assert_eq!(p("4.5"), Ok((Polarity::Positive, None)));
        assert_eq!(p("2.5"), Ok((Polarity::Neutral, None)));
        assert_eq!(p("3.5"), Ok((Polarity::Neutral, None)));
        assert_eq!(p("1.5"), Ok((Polarity::Negative, None)));
        assert_eq!(p("1.0"), Ok((Polarity::Negative, Some(1))));
        assert_eq!(p("4.5分"), Ok((Polarity::Positive, None)));
        assert!(p("5.5").unwrap_err().contains("5.5 stars"));
        assert_eq!(
            parse_rating(
                "2.5",
                StarScale {
                    negative_max: 3,
                    positive_min: 5
                }
            )
            .unwrap()
            .polarity,
            Polarity::Negative
        );
        let strict = StarScale {
            negative_max: 3,
            positive_min: 5,
        };
        assert_eq!(
            parse_rating("3", strict).unwrap().polarity,
            Polarity::Negative
        );
    }
}
