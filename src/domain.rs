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
                    if key == $id || key == normalize_term($label) $(|| key == normalize_term($alias))* {
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
                    format!("unknown {} {:?} (expected one of: {})", $what, text.trim(), accepted.join(", "))
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

/// Lower-cases and drops white space (including the full-width space) so that
/// "Attitude", " 服务 态度 " and "服务态度" compare equal.
pub fn normalize_term(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}' && *c != '\u{feff}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The form in which agents' names and ids are compared wherever an export
/// names an agent (feedback, events, activity, group leaders); the store
/// keeps them as written. White space of any width is dropped (HR pads
/// two-character names with a full-width space: 王　芳), full-width ASCII is
/// folded (ＡＢＣ小张, ２００３), Latin case is ignored, and a whole number
/// written as a float (`2001.0`, a numeric id cell passed through a
/// spreadsheet or pandas) is that number.
pub fn agent_key(text: &str) -> String {
    let mut key: String = text
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
        })
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
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

vocabulary! {
    /// Why a piece of negative feedback happened (判定标准, DOMAIN.md §1).
    Cause, "cause" {
        Attitude => "attitude", "服务态度", ["态度", "服務態度", "態度"];
        Competence => "competence", "专业能力", ["专业", "業務能力", "專業能力", "业务能力"];
        Response => "response", "响应速度", ["响应", "響應速度", "回复速度", "响应时间"];
        Resolution => "resolution", "问题解决效果", ["解决效果", "问题解决", "問題解決效果", "未解决"];
        Other => "other", "其他", ["其它", "others"];
    }
}

vocabulary! {
    /// Who is responsible once investigated (责任认定).
    Responsibility, "responsibility" {
        Individual => "individual", "个人", ["个人责任", "客服个人", "個人", "agent"];
        Team => "team", "团队协作", ["团队", "协作", "團隊協作"];
        Training => "training", "培训不足", ["培训", "培訓不足"];
        Process => "process", "流程缺陷", ["流程", "流程問題", "流程问题"];
        External => "external", "外部因素", ["外部", "非客服原因"];
    }
}

vocabulary! {
    /// Whether a complaint stands (是否成立 / 投诉不成立).
    Validity, "validity" {
        Confirmed => "confirmed", "成立", ["是", "属实", "yes", "投诉成立", "valid"];
        Rejected => "rejected", "不成立", ["否", "不属实", "no", "投诉不成立", "invalid"];
        Pending => "pending", "待定", ["待核实", "处理中", "调查中", "unknown"];
    }
}

vocabulary! {
    /// The customer's verdict on a contact (好评 / 中评 / 差评).
    Polarity, "rating" {
        Negative => "negative", "差评", ["bad", "negative review", "不满意", "非常不满意"];
        Neutral => "neutral", "中评", ["一般", "average"];
        Positive => "positive", "好评", ["good", "满意", "非常满意"];
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

/// Parses a rating as exports write it: 好评/中评/差评, positive/neutral/negative,
/// `3`, `3星`, `3 stars`, `★★★☆☆`.
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
    let filled = t.chars().filter(|&c| c == '★').count();
    let empty = t.chars().filter(|&c| c == '☆').count();
    let stars = if filled + empty > 0 && t.chars().all(|c| c == '★' || c == '☆') {
        Some(filled)
    } else {
        let digits = t
            .trim_end_matches(|c: char| {
                c.is_whitespace() || matches!(c, '星' | '分') || c.is_ascii_alphabetic()
            })
            .trim();
        let digits = digits.strip_suffix(".0").unwrap_or(digits);
        digits.parse::<usize>().ok()
    };
    match stars {
        Some(s) if (1..=5).contains(&s) => Ok(Rating {
            polarity: scale.polarity_of(s as u8),
            stars: Some(s as u8),
        }),
        Some(s) => Err(format!("rating {t:?} is {s} stars; expected 1 to 5")),
        None => Err(format!(
            "unknown rating {t:?} (expected 好评/中评/差评, positive/neutral/negative, or 1-5 stars)"
        )),
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
