//! The cause classifier: puts a negative review or complaint under one of the
//! five causes, the way a careful supervisor would, and says why.
//!
//! How it decides (rules; see `builtin.rules` for the phrases):
//! 1. normalise the text (case, width, Traditional → Simplified, typos);
//! 2. find every phrase with one Aho-Corasick automaton (daachorse's,
//!    character-wise; leftmost-longest, so 不耐烦 wins over 耐烦), English
//!    phrases only from a word start to a word end or an inflection
//!    (minutes, promised; not later for late);
//! 3. split the text into clauses at punctuation and at contrast markers; the
//!    clauses after the last contrast (但是/就是/不过/but) weigh 1.5, those
//!    before it 0.5 (a focus marker such as 关键是: 2.0 and 0.5);
//! 4. a negation right before a phrase cancels it (不慢, 不是态度问题);
//! 5. praise of an aspect (态度挺好, or a topic + good word: 回复…挺快)
//!    cancels that cause in its clause and counts against it elsewhere;
//! 6. after a promise (说好, 答应), delay words mean a promise not kept:
//!    resolution, not response;
//! 7. in a clause about logistics, product or price (快递, 质量) with no
//!    mention of the agent, generic delay words and failure fragments count
//!    for `other`;
//! 8. the cause with the highest score wins (ties: the one the customer ended
//!    on); nothing found means `other`.
//!
//! A model trained on the department's own labels (`model`) can be combined
//! with the rules.

pub mod eval;
pub mod model;
mod normalize;
pub mod rules;

use anyhow::{Context as _, Result};
use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};

use crate::domain::Cause;
use normalize::Normalizer;
use rules::{ClassifyConfig, Role, RuleSet};

/// Characters that end a clause.
fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '，' | ','
            | '。'
            | '.'
            | '！'
            | '!'
            | '？'
            | '?'
            | '；'
            | ';'
            | '~'
            | '～'
            | '…'
            | '\n'
            | '\r'
            | '、'
            | '：'
            | ':'
    )
}

/// The most of a text the classifier reads: its first 64 KiB (~21,000
/// Chinese characters, far beyond any review). A cell of megabytes (a quote
/// left open swallowing rows) would otherwise cost memory and time in
/// proportion (found by exploratory testing: 750 MB for a 50 MB cell).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The part of `text` the classifier reads (see [`MAX_TEXT_BYTES`]).
fn classified_part(text: &str) -> &str {
    if text.len() <= MAX_TEXT_BYTES {
        return text;
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` without a label of the channel it came by at its start (邮件投诉：,
/// 电话投诉:, 12315平台转来：, 【热线】), as managers' complaint logs write
/// them: the label says nothing of the cause, and the model had learnt to
/// read one (found by exploratory testing: 邮件投诉：客服不专业 was
/// `response`).
pub fn without_channel_label(text: &str) -> &str {
    const CHANNELS: [&str; 18] = [
        "电话", "来电", "邮件", "邮箱", "热线", "在线", "网上", "网络", "微信", "短信", "信函",
        "书面", "现场", "12315", "12345", "平台", "黑猫", "门店",
    ];
    const ENDS: [&str; 6] = ["投诉", "反馈", "转来", "转办", "来信", "留言"];
    let trimmed = text.trim_start();
    // 【热线】, [邮件]
    for (open, close) in [('【', '】'), ('[', ']')] {
        if let Some(rest) = trimmed.strip_prefix(open) {
            if let Some((label, after)) = rest.split_once(close) {
                if label.chars().count() <= 8 && CHANNELS.iter().any(|c| label.contains(c)) {
                    return after;
                }
            }
        }
    }
    let Some(colon) = trimmed
        .char_indices()
        .take(13)
        .find(|(_, c)| matches!(c, '：' | ':'))
    else {
        return text;
    };
    let label = trimmed[..colon.0].trim();
    let channel = |l: &str| CHANNELS.iter().any(|c| l.contains(c));
    let labelled = CHANNELS.contains(&label)
        || ENDS.iter().any(|e| {
            label
                .strip_suffix(e)
                .is_some_and(|before| !before.is_empty() && channel(before))
        });
    if labelled {
        &trimmed[colon.0 + colon.1.len_utf8()..]
    } else {
        text
    }
}

/// The classifier's decision for one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The primary cause.
    pub cause: Cause,
    /// Every cause with a positive score, strongest first.
    pub causes: Vec<(Cause, f32)>,
    /// The phrases that decided the primary cause, in text order.
    pub evidence: Vec<String>,
}

impl Verdict {
    /// `causes` as `a;b;c`.
    pub fn causes_text(&self) -> String {
        self.causes
            .iter()
            .map(|(c, _)| c.id())
            .collect::<Vec<_>>()
            .join(";")
    }

    /// `evidence` as `x;y`.
    pub fn evidence_text(&self) -> String {
        self.evidence.join(";")
    }

    /// `causes_text`, appended to `out`.
    pub fn write_causes(&self, out: &mut String) {
        for (i, (c, _)) in self.causes.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(c.id());
        }
    }

    /// `evidence_text`, appended to `out`.
    pub fn write_evidence(&self, out: &mut String) {
        for (i, e) in self.evidence.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(e);
        }
    }
}

/// One matched phrase, for `explain`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TraceMatch {
    pub phrase: String,
    pub clause: usize,
    pub role: String,
    /// What it added to which cause (after clause weight), or why it did not count.
    pub effect: String,
}

/// Everything `kefu classify explain` prints.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Trace {
    pub normalized: String,
    /// Each clause's text and weight.
    pub clauses: Vec<(String, f32)>,
    pub matches: Vec<TraceMatch>,
    /// Rule score per cause id.
    pub rule_scores: Vec<(String, f32)>,
    /// Model probability per cause id, when a model is loaded.
    pub model_probabilities: Vec<(String, f32)>,
}

/// Weight of the model against the rules when kefu.toml sets none. Chosen
/// on the sets left out in turn (`holdout_by_set`) together with the
/// model's temperature (see `model::temperature`): 0.65 with temperature 3
/// (0.905 macro-F1 pooled; 0.6 0.904, 0.7 0.905: 0.65 leaves the rules
/// more say). Vetoing the model on a cause the text denies (a negated
/// phrase: 客服没有不耐烦) was tried and cost 0.005 pooled. At 0.65 the model overrules a text's only rule cause when it is
/// surer of another cause by more than 0.54; tempered, it is that sure far
/// less often than before (untempered it was sure of nearly everything).
pub const DEFAULT_MODEL_WEIGHT: f32 = 0.65;

/// What a quoted reply addressed to the customer (客服说“你自己看说明书”,
/// she said 'read your contract') adds to `attitude` when kefu.toml sets
/// nothing (`[classify] quote_weight`; 0 turns it off). Customers quote
/// what an agent said to them mostly to show how it was said: in dev–dev7,
/// 198 of 274 texts with such a quote are attitude complaints. Below most phrases' weights (2.5–3), so a strong phrase of
/// another cause in the text still decides.
pub const DEFAULT_QUOTE_WEIGHT: f32 = 2.0;

/// The characters that may stand between a Chinese negation and the
/// phrase it cancels: degree and copula words (不是很慢, 没那么慢, 不算太慢,
/// 不觉得慢), and spaces.
const NEGATION_GAP: &str = "很太是算那么这怎么够会有大咋非常十分也都还觉得特 ";

/// Words of thanks or kindness that make a claim's clause help given, not
/// wrong information (多亏客服告诉我, the agent kindly told me).
const THANKS: [&str; 10] = [
    "多亏",
    "幸亏",
    "幸好",
    "感谢",
    "谢谢",
    "耐心",
    "kindly",
    "thanks to",
    "patiently",
    "helpfully",
];

/// Words saying the agent's statement was right (电话里说的都对，最后发现是产品
/// 的问题): no claim refuted (found by exploratory testing).
const CONFIRMED: [&str; 9] = [
    "说的都对",
    "说的没错",
    "说得对",
    "说得没错",
    "说的是对的",
    "没说错",
    "was right",
    "were right",
    "was correct",
];

/// What an agent's statement the customer then found untrue (客服说可以 …
/// 才知道不行) adds to competence, times the weight of the clause that
/// refutes it: a strong phrase's weight.
const CLAIM_REFUTED_WEIGHT: f32 = 3.5;

/// The words that open a short sentence saying an English claim was
/// untrue (It was not. It is. None of them do. Got charged £85).
const CONTRADICTS: [&str; 7] = ["it", "its", "they", "none", "nope", "wrong", "got"];

/// Words that make an English clause negative (apostrophes are gone when
/// the rules see the text: didn't is didnt).
const NEGATIVE_WORDS: [&str; 25] = [
    "not", "no", "never", "none", "nope", "nothing", "nobody", "cant", "cannot", "wont", "dont",
    "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "havent", "hasnt", "hadnt", "couldnt",
    "wouldnt", "shouldnt", "aint", "nowhere",
];

/// Words of something still to be done: a claim holding one is a promise
/// (they'd waive the fee; she'll call), whose breach is no wrong
/// information (apostrophes are gone: they'd is theyd).
const TO_BE_DONE: [&str; 16] = [
    "would", "will", "ll", "going", "gonna", "theyd", "hed", "shed", "youd", "wed", "theyll",
    "hell", "shell", "youll", "itll", "promised",
];

/// Words of the customer reaching someone (打给客服, called them): whoever
/// answered is the service, even by a word kefu does not know for it.
const CONTACTED: [&str; 34] = [
    "打给",
    "打过去",
    "打电话给",
    "打了电话",
    "打电话问",
    "联系",
    "找了",
    "去找",
    "再找",
    "找到",
    "找店",
    "找商家",
    "找平台",
    "问了",
    "去问",
    "再问",
    "投诉到",
    "反映",
    "咨询",
    "进线",
    "转到",
    "接通",
    "called",
    "rang",
    "phoned",
    "contacted",
    "asked",
    "complained to",
    "reached",
    "messaged",
    "emailed",
    "chatted",
    "got through",
    "went back to",
];

/// How far (bytes of normalised text) a reply or call (a [contact]
/// phrase) may follow a promise, in its clause or the next two, or come
/// before one in its clause (callback promised), to be what was promised:
/// 说好48小时内给我回电话.
const CONTACT_AFTER: usize = 30;
const CONTACT_BEFORE: usize = 12;

/// What the agent's word that the problem was dealt with adds to
/// `resolution` when a complaint or a problem follows it.
const DONE_WEIGHT: f32 = 1.5;

/// In a clause about logistics, product or price with no mention of the
/// agent, a phrase of `cause` weighing less than this counts for `other`:
/// a delay phrase short of the strongest (快递太慢了 is the courier's), and
/// only a fragment (错, 转, 换) of resolution or competence, whose fuller
/// phrases (退款被驳回, 答非所问) are complaints of their own there too.
/// (All three were diverted below 3.0 until 2026-12-06: diverting
/// resolution and competence only below 1.0 lifted the rules alone on
/// every bundled set but one, which stayed, pooled 0.782 → 0.792 left out in
/// turn; test2 0.812 → 0.818 and dev23 0.655 → 0.670, both held out.)
fn diverted_below(cause: Cause) -> f32 {
    if cause == Cause::Response {
        3.0
    } else {
        1.0
    }
}

/// The longest quote (in characters) taken for a reply; longer ones are
/// pasted messages or policies, not a retort.
const QUOTE_MAX_CHARS: usize = 60;

/// The mark that closes a quote opened by `open`, if `open` opens one
/// (the normaliser keeps `'` only outside words).
fn closing_mark(open: char) -> Option<char> {
    match open {
        '"' | '\'' => Some(open),
        '“' => Some('”'),
        '「' => Some('」'),
        '『' => Some('』'),
        _ => None,
    }
}

/// The quotes of a normalised text, given its opening marks (position,
/// mark; see [`closing_mark`]): each quote's span, marks included, in
/// order, none inside another.
fn quote_spans(t: &str, openers: &[(usize, char)], spans: &mut Vec<(usize, usize)>) {
    spans.clear();
    let mut after = 0; // the end of the last quote found
    for &(start, open) in openers {
        // Not inside the last quote, and not a possessive (customers' rights).
        let possessive = open == '\'' && t[..start].ends_with(|c: char| c.is_ascii_alphanumeric());
        let Some(close) = closing_mark(open).filter(|_| start >= after && !possessive) else {
            continue;
        };
        let body = start + open.len_utf8();
        let Some(len) = t[body..].find(close) else {
            continue;
        };
        after = body + len + close.len_utf8();
        spans.push((start, after));
    }
}

/// The first quoted reply addressed to "you" among a text's quotes
/// (see [`quote_spans`]).
fn quoted_address(t: &str, spans: &[(usize, usize)]) -> Option<(usize, usize)> {
    spans.iter().copied().find(|&(start, end)| {
        // The marks are one character each, at either end.
        let mut body = t[start..end].chars();
        body.next();
        body.next_back();
        let quote = body.as_str();
        !quote.is_empty() && quote.chars().count() <= QUOTE_MAX_CHARS && addresses_you(quote)
    })
}

/// Whether a quote speaks to the customer (你/您/妳, 自己 as in 自己看
/// "see for yourself", or you, your, u, ur, ya, yuh as a word) in words of
/// its own, not a polite formula (您好, 请问, 为您, thank you, how can I
/// help you): a template or a bot's greeting quoted back is a complaint
/// about something else as often as not (in dev–dev7, 10 of 40 such quotes
/// are attitude complaints, against 198 of 274 other quotes addressed to
/// the customer with 你/您 or you).
fn addresses_you(quote: &str) -> bool {
    const POLITE: [&str; 6] = ["您好", "请问", "帮您", "为您", "感谢", "谢谢"];
    let words = || quote.split(|c: char| !c.is_ascii_alphanumeric());
    let you = quote.contains(['你', '您', '妳'])
        || quote.contains("自己")
        || words().any(|w| {
            matches!(
                w,
                "you" | "your" | "youre" | "yourself" | "yours" | "u" | "ur" | "ya" | "yuh"
            )
        });
    // Said to the customer without a 你 in it: an order to go away or a
    // taunt (“怕疼就别来呀”, “爱要不要”, “这点事也投诉啊？”).
    const DISMISSIVE: [&str; 28] = [
        "别来",
        "别烦",
        "别问",
        "别找",
        "别买",
        "别乱",
        "别催",
        "别闹",
        "就别",
        "不要就",
        "爱要不要",
        "爱买不买",
        "拉倒",
        "滚",
        "少来",
        "关我",
        "管不着",
        "有本事",
        "懂不懂",
        "看不懂",
        "听不懂",
        "事真多",
        "这点事",
        "烦不烦",
        "饿不死",
        "计较",
        "排队去",
        "反正都一样",
    ];
    let you = you || DISMISSIVE.iter().any(|d| quote.contains(d));
    you && !POLITE.iter().any(|p| quote.contains(p))
        && !words().any(|w| {
            matches!(
                w,
                "thank"
                    | "thanks"
                    | "help"
                    | "sorry"
                    | "welcome"
                    | "contacting"
                    | "assist"
                    | "apologize"
                    | "apologise"
                    | "apologies"
            )
        })
}

/// With no rule evidence, the model decides alone only when it is at least
/// this sure (more likely than all other causes together); below it the
/// text is `other`, as with the rules alone (很好 is no complaint).
const MODEL_ALONE_MIN: f32 = 0.5;

/// A compiled classifier.
pub struct Classifier {
    /// Every phrase, its value the pattern's index: a character-wise
    /// double-array automaton (one transition per character, not per byte).
    automaton: CharwiseDoubleArrayAhoCorasick<u32>,
    roles: Vec<Vec<Role>>,
    /// Per pattern, which kinds of role it has (`flag::…`): most passes over
    /// the matches look only at these.
    flags: Vec<u16>,
    /// Pattern starts with an ASCII letter: must match at a word start.
    word_start: Vec<bool>,
    /// Where a pattern may end inside a word of Latin script.
    word_end: Vec<WordEnd>,
    normalizer: Normalizer,
    /// The model beside the rules, and where it came from.
    model: Option<(model::Scorer, model::ModelSource)>,
    model_weight: f32,
    /// See [`DEFAULT_QUOTE_WEIGHT`].
    quote_weight: f32,
}

/// Reusable buffers, so that classifying a stream allocates nothing per row
/// once warm.
#[derive(Default)]
pub struct Scratch {
    text: String,
    matches: Vec<(usize, usize, usize)>,
    breaks: Vec<usize>,
    hits: Vec<Hit>,
    weights: Vec<f32>,
    praised: Vec<[bool; 5]>,
    praise_hits: Vec<(usize, Cause, f32)>,
    not_agent: Vec<bool>,
    mentions_agent: Vec<bool>,
    third_party: Vec<bool>,
    /// An attitude phrase or quoted reply of the text was cancelled as a
    /// third party's manners (骑手态度恶劣).
    others_manners: bool,
    not_agent_seen: Vec<usize>,
    /// Opening quote marks: (position, mark).
    quotes: Vec<(usize, char)>,
    /// Quotes: spans, marks included.
    quote_spans: Vec<(usize, usize)>,
    /// Per cause, the spans of the phrases counted for it.
    evidence: Vec<Vec<(usize, usize)>>,
}

/// Bits of [`Classifier::flags`].
mod flag {
    pub const NEGATION: u16 = 1;
    pub const MARKER: u16 = 1 << 1; // contrast or focus
    pub const PROMISE: u16 = 1 << 2;
    pub const PRAISE_OR_TOPIC: u16 = 1 << 3;
    pub const GOOD: u16 = 1 << 4;
    pub const AGENT: u16 = 1 << 5;
    pub const NOT_AGENT: u16 = 1 << 6;
    pub const CLAIM: u16 = 1 << 7;
    pub const REFUTED: u16 = 1 << 8;
    pub const CONTACT: u16 = 1 << 9;
    pub const DONE: u16 = 1 << 10;
    pub const CONCEDE: u16 = 1 << 11;
    pub const THIRD_PARTY: u16 = 1 << 12;
    /// Names no one new (他, 她: whoever was named last; 快递: the parcel
    /// as often as the courier).
    pub const NO_ONE_NEW: u16 = 1 << 13;
}

/// The flags of a pattern with these roles.
fn flags_of(roles: &[Role]) -> u16 {
    roles.iter().fold(0, |f, r| {
        f | match r {
            Role::Negation => flag::NEGATION,
            Role::Contrast | Role::Focus => flag::MARKER,
            Role::Promise => flag::PROMISE,
            Role::Praise(..) | Role::Topic(_) => flag::PRAISE_OR_TOPIC,
            Role::Good => flag::GOOD,
            Role::Agent => flag::AGENT,
            Role::NotAgent(_) => flag::NOT_AGENT,
            Role::Claim => flag::CLAIM,
            Role::Refuted => flag::REFUTED,
            Role::Contact => flag::CONTACT,
            Role::Done => flag::DONE,
            Role::Concede => flag::CONCEDE,
            Role::ThirdParty => flag::THIRD_PARTY,
            Role::Complaint(..) | Role::Quality(..) | Role::Neutral => 0,
        }
    })
}

/// Whether two roles are the same kind for the same cause (a weight
/// kefu.toml gives replaces the built-in one).
fn same_kind(a: &Role, b: &Role) -> bool {
    match (a, b) {
        (Role::Complaint(x, _), Role::Complaint(y, _))
        | (Role::Praise(x, _), Role::Praise(y, _))
        | (Role::Quality(x, _), Role::Quality(y, _)) => x == y,
        (Role::NotAgent(_), Role::NotAgent(_)) => true,
        _ => a == b,
    }
}

/// Whether `phrase` holds `word`: anywhere for Chinese, as a whole word
/// for Latin script (support in support said, not rep in reply).
fn holds_word(phrase: &str, word: &str) -> bool {
    if !word.is_ascii() {
        return phrase.contains(word);
    }
    phrase.match_indices(word).any(|(i, _)| {
        let before = phrase[..i].chars().next_back();
        let after = phrase[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Where a pattern may end inside a word of Latin script.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WordEnd {
    /// Ends with a Chinese character or punctuation: anywhere.
    Anywhere,
    /// A short word (no, not, rep, bot): only at a word end (not nothing,
    /// reply, bothering).
    Exact,
    /// Ends with a letter: at a word end or before an inflection
    /// (minutes, promised, transferred), not inside another word (later,
    /// thought, kindly).
    Inflected,
}

/// Whether the letters `rest` after `phrase`, up to the end of the word, make
/// an inflected form of its last word rather than another word.
fn is_inflection(phrase: &[u8], rest: &[u8]) -> bool {
    const SUFFIXES: [&[u8]; 8] = [
        b"s", b"es", b"ed", b"ing", b"ness", b"ism", b"able", b"ment",
    ];
    let last = phrase.last().copied().unwrap_or(0);
    SUFFIXES.contains(&rest)
        // promise-d, escalate-d
        || (rest == b"d" && last == b'e')
        // transfer-red, stop-ping: the last consonant doubled
        || (rest.first() == Some(&last) && matches!(&rest[1..], b"ed" | b"ing"))
}

#[derive(Clone, Copy, Default)]
struct Hit {
    start: usize,
    end: usize,
    pattern: usize,
    clause: usize,
}

impl Classifier {
    /// The built-in rules, extended by `[classify]` from kefu.toml.
    pub fn new(config: &ClassifyConfig) -> Result<Classifier> {
        let set = RuleSet::parse(rules::BUILTIN, "built-in rules")?.with_config(config)?;
        let mut c =
            Classifier::from_rules(&set, config.model_weight.unwrap_or(DEFAULT_MODEL_WEIGHT))?;
        c.quote_weight = config.quote_weight.unwrap_or(DEFAULT_QUOTE_WEIGHT).max(0.0);
        Ok(c)
    }

    /// Compiles a rule set.
    pub fn from_rules(set: &RuleSet, model_weight: f32) -> Result<Classifier> {
        let normalizer = Normalizer::new(&set.rewrites);
        let mut patterns: Vec<String> = vec![];
        let mut roles: Vec<Vec<Role>> = vec![];
        let mut index = std::collections::HashMap::new();
        for (n, (phrase, role)) in set.entries.iter().enumerate() {
            let p = normalizer.normalize_pattern(phrase);
            let id = *index.entry(p.clone()).or_insert_with(|| {
                patterns.push(p);
                roles.push(vec![]);
                patterns.len() - 1
            });
            let held = &mut roles[id];
            if n >= set.builtin_entries {
                // kefu.toml overrides: neutral stops the phrase, and a new
                // weight for the same cause replaces the old one.
                if *role == Role::Neutral {
                    held.clear();
                }
                held.retain(|r| !same_kind(r, role));
            }
            held.push(*role);
        }
        // A character-wise double-array automaton (daachorse, ~0.5 MB): one
        // transition per character rather than per byte, which for Chinese
        // text is a third of the steps. On the bench's 250,000 texts it finds
        // the same matches as aho-corasick's contiguous NFA (leftmost-longest)
        // in 58% of the time (0.48 s against 0.83 s; its full DFA, 8.5 MB,
        // 0.78 s).
        let automaton = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build_with_values(
                patterns
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.as_str(), i as u32)),
            )
            .map_err(|e| anyhow::anyhow!("cannot compile the classifier's phrases: {e}"))?;
        let word_start = patterns
            .iter()
            .map(|p| p.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
            .collect();
        let word_end = patterns
            .iter()
            .map(|p| match p.as_bytes().last() {
                _ if p.len() <= 4 && p.bytes().all(|b| b.is_ascii_alphanumeric()) => WordEnd::Exact,
                Some(b) if b.is_ascii_alphabetic() => WordEnd::Inflected,
                _ => WordEnd::Anywhere,
            })
            .collect();
        // A phrase that holds a topic word (服务态度 holds 态度) is that
        // topic too, so that 服务态度非常好 is praise: the longest match
        // takes the text, and the topic inside it would otherwise go unseen.
        let topics: Vec<(String, Role)> = patterns
            .iter()
            .zip(&roles)
            .flat_map(|(p, r)| {
                r.iter()
                    .filter(|r| matches!(r, Role::Topic(_)))
                    .map(move |r| (p.clone(), *r))
            })
            .collect();
        for (p, r) in patterns.iter().zip(roles.iter_mut()) {
            for (word, topic) in &topics {
                if p != word && !r.contains(topic) && holds_word(p, word) {
                    r.push(*topic);
                }
            }
        }
        // A phrase that holds a word naming the agent (客服说可以, another
        // agent) names the agent too: the longest match takes the text, and
        // the shorter word inside it would otherwise go unseen.
        let agent_words: Vec<&str> = patterns
            .iter()
            .zip(&roles)
            .filter(|(_, r)| r.contains(&Role::Agent))
            .map(|(p, _)| p.as_str())
            .collect();
        // Not a third party's: 外卖小哥 holds 小哥 and is the rider (one
        // on the service's side, 安装师傅, is listed under both).
        for (p, r) in patterns.iter().zip(roles.iter_mut()) {
            if !r.contains(&Role::Agent)
                && !r.contains(&Role::ThirdParty)
                && agent_words.iter().any(|w| holds_word(p, w))
            {
                r.push(Role::Agent);
            }
        }
        // Likewise an English phrase that holds a claim or a refutation as
        // whole words (told me my, turns out to be): the longest match
        // would hide it. (Not a neutral one, which is there to hide it: my
        // sister told me; nor Chinese ones: 客服说话 is how the agent
        // spoke, not what the agent said.)
        for role in [Role::Claim, Role::Refuted] {
            let words: Vec<String> = patterns
                .iter()
                .zip(&roles)
                .filter(|(p, r)| p.is_ascii() && r.contains(&role))
                .map(|(p, _)| p.clone())
                .collect();
            for (p, r) in patterns.iter().zip(roles.iter_mut()) {
                if p.is_ascii()
                    && !r.contains(&role)
                    && !r.contains(&Role::Neutral)
                    && words.iter().any(|w| holds_word(p, w))
                {
                    r.push(role);
                }
            }
        }
        let flags = patterns
            .iter()
            .zip(&roles)
            .map(|(p, r)| {
                let vague = matches!(p.as_str(), "他" | "她" | "他们" | "她们" | "快递");
                flags_of(r) | if vague { flag::NO_ONE_NEW } else { 0 }
            })
            .collect();
        Ok(Classifier {
            automaton,
            roles,
            flags,
            word_start,
            word_end,
            normalizer,
            model: None,
            model_weight: model_weight.clamp(0.0, 1.0),
            quote_weight: DEFAULT_QUOTE_WEIGHT,
        })
    }

    /// The classifier a workspace uses: its rules (built-in plus kefu.toml)
    /// and, unless `rules_only`, its trained model or else the built-in one.
    pub fn for_workspace(
        dir: &std::path::Path,
        config: &ClassifyConfig,
        rules_only: bool,
    ) -> Result<Classifier> {
        // Errors of the rules name kefu.toml; those of a model its file.
        let c = Classifier::new(config).context("kefu.toml [classify]")?;
        if rules_only {
            return Ok(c);
        }
        let found = model::workspace_model(dir, config.builtin_model.unwrap_or(true), |t| {
            c.normalized(t)
        })?;
        Ok(match found {
            Some((scorer, source)) => c.with_model(scorer, source),
            None => c,
        })
    }

    /// Which model classifies beside the rules, if any.
    pub fn model_source(&self) -> Option<model::ModelSource> {
        self.model.as_ref().map(|(_, source)| *source)
    }

    /// Uses a model beside the rules.
    pub fn with_model(mut self, scorer: model::Scorer, source: model::ModelSource) -> Classifier {
        self.model = Some((scorer, source));
        self
    }

    /// The text as the rules see it (normalised), e.g. for training a model.
    pub fn normalized(&self, text: &str) -> String {
        let mut out = String::new();
        self.normalizer
            .normalize_into(without_channel_label(text), &mut out);
        out
    }

    /// Classifies one text.
    pub fn classify(&self, text: &str, scratch: &mut Scratch) -> Verdict {
        self.run(text, scratch, None)
    }

    /// Classifies one text and records how.
    pub fn explain(&self, text: &str) -> (Verdict, Trace) {
        let mut trace = Trace::default();
        let verdict = self.run(text, &mut Scratch::default(), Some(&mut trace));
        (verdict, trace)
    }

    /// Rule scores only (no model), for training and evaluation.
    pub fn rule_scores(&self, text: &str, scratch: &mut Scratch) -> [f32; 5] {
        let mut scores = [0f32; 5];
        self.score(text, scratch, &mut scores, &mut vec![vec![]; 5], None);
        scores
    }

    fn run(&self, text: &str, scratch: &mut Scratch, mut trace: Option<&mut Trace>) -> Verdict {
        let text = classified_part(text);
        let mut scores = [0f32; 5];
        let mut evidence = std::mem::take(&mut scratch.evidence);
        evidence.resize(5, vec![]);
        evidence.iter_mut().for_each(Vec::clear);
        let last_pos = self.score(
            text,
            scratch,
            &mut scores,
            &mut evidence,
            trace.as_deref_mut(),
        );
        let mut combined = scores;
        if let Some(probs) = self
            .model
            .as_ref()
            .and_then(|(m, _)| m.probabilities(&scratch.text))
        {
            let positive: f32 = scores.iter().map(|s| s.max(0.0)).sum();
            for (i, p) in probs.iter().enumerate() {
                let rule_p = if positive > 0.0 {
                    scores[i].max(0.0) / positive
                } else {
                    0.0
                };
                // The text praises this aspect (态度很好), and nothing of it
                // is left as a complaint: the rules' verdict on it stands,
                // whatever the model leans to (also where the praise only
                // cancelled a complaint: found by exploratory testing).
                let praised = scratch.praise_hits.iter().any(|&(_, c, _)| c as usize == i);
                // Likewise manners the rules put on a rider or courier
                // (骑手态度恶劣), with no attitude phrase of the agent's:
                // the model, which reads 态度恶劣 alone, would put them back
                // on the agent (found by exploratory testing).
                let others = i == Cause::Attitude as usize && scratch.others_manners;
                combined[i] = if scores[i] < 0.0 || (praised || others) && scores[i] <= 0.0 {
                    0.0
                } else if positive > 0.0 {
                    (1.0 - self.model_weight) * rule_p + self.model_weight * p
                } else if *p >= MODEL_ALONE_MIN {
                    *p
                } else {
                    0.0
                };
            }
            if let Some(t) = trace.as_deref_mut() {
                t.model_probabilities = Cause::ALL
                    .iter()
                    .zip(probs)
                    .map(|(c, p)| (c.id().to_string(), p))
                    .collect();
            }
        }
        if let Some(t) = trace {
            t.rule_scores = Cause::ALL
                .iter()
                .zip(scores)
                .map(|(c, s)| (c.id().to_string(), s))
                .collect();
        }
        let mut causes: Vec<(Cause, f32)> = Cause::ALL
            .iter()
            .zip(combined)
            .filter(|(_, s)| *s > 0.0)
            .map(|(c, s)| (*c, s))
            .collect();
        // Strongest first; ties go to the cause the customer mentioned last.
        causes.sort_by(|a, b| {
            b.1.partial_cmp(&a.1)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(last_pos[b.0 as usize].cmp(&last_pos[a.0 as usize]))
        });
        let cause = causes.first().map_or(Cause::Other, |(c, _)| *c);
        // Causes found are those with evidence in the text, and the decision:
        // a model gives every cause some probability, which is not a finding.
        causes.retain(|(c, _)| *c == cause || scores[*c as usize] > 0.0);
        // `other` when the rules found nothing is the default, not a finding,
        // even when the model leans to it (很好 on a 差评).
        if cause == Cause::Other && scores.iter().all(|s| *s <= 0.0) {
            causes.clear();
        }
        let mut phrases: Vec<String> = vec![];
        for &(start, end) in &evidence[cause as usize] {
            let p = &scratch.text[start..end];
            if !phrases.iter().any(|q| q == p) {
                phrases.push(p.to_string());
            }
        }
        scratch.evidence = evidence;
        Verdict {
            cause,
            causes,
            evidence: phrases,
        }
    }

    /// Computes rule scores; returns, per cause, the position of its last
    /// counted phrase (for tie-breaks).
    fn score(
        &self,
        text: &str,
        scratch: &mut Scratch,
        scores: &mut [f32; 5],
        evidence: &mut [Vec<(usize, usize)>],
        mut trace: Option<&mut Trace>,
    ) -> [usize; 5] {
        self.normalizer
            .normalize_into(without_channel_label(text), &mut scratch.text);
        let t = scratch.text.as_str();
        let bytes = t.as_bytes();
        scratch.matches.clear();
        for m in self.automaton.leftmost_find_iter(t) {
            let p = m.value() as usize;
            if self.word_start[p] && m.start() > 0 && bytes[m.start() - 1].is_ascii_alphanumeric() {
                continue;
            }
            let after = &bytes[m.end()..];
            if after.first().is_some_and(u8::is_ascii_alphanumeric) {
                let ok = match self.word_end[p] {
                    WordEnd::Anywhere => true,
                    WordEnd::Exact => false,
                    WordEnd::Inflected => {
                        let word = after
                            .iter()
                            .position(|b| !b.is_ascii_alphanumeric())
                            .unwrap_or(after.len());
                        is_inflection(&bytes[m.start()..m.end()], &after[..word])
                    }
                };
                if !ok {
                    continue;
                }
            }
            scratch.matches.push((m.start(), m.end(), p));
        }
        // Clause boundaries: punctuation, and the start of each contrast/focus marker.
        scratch.breaks.clear();
        // Every break character and opening quote mark is ASCII or a
        // three-byte character starting with 0xE2, 0xE3 or 0xEF: step a
        // character at a time (the text is UTF-8, so its lead byte gives its
        // length) and decode only there.
        scratch.quotes.clear();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            let (len, maybe) = match b {
                b'"' | b'\'' => {
                    scratch.quotes.push((i, b as char));
                    (1, false)
                }
                0..0x80 => (1, is_clause_break(b as char)),
                0xE2 | 0xE3 | 0xEF => {
                    let c = t.get(i..i + 3).and_then(|r| r.chars().next());
                    if let Some(open) = c.filter(|&c| closing_mark(c).is_some()) {
                        scratch.quotes.push((i, open));
                    }
                    (3, c.is_some_and(is_clause_break))
                }
                0xE0..0xF0 => (3, false),
                0xF0.. => (4, false),
                _ => (2, false),
            };
            if maybe {
                scratch.breaks.push(i);
            }
            i += len;
        }
        let has = |p: usize, f: u16| self.flags[p] & f != 0;
        let is_marker = |p: usize| has(p, flag::MARKER);
        for &(s, _, p) in &scratch.matches {
            if is_marker(p) {
                scratch.breaks.push(s);
            }
        }
        scratch.breaks.sort_unstable();
        scratch.breaks.dedup();
        // A marker right after punctuation (，但是) opens no clause of its own.
        let mut kept = 0;
        for i in 0..scratch.breaks.len() {
            let b = scratch.breaks[i];
            let joined = kept > 0 && {
                let prev = scratch.breaks[kept - 1];
                t[prev..b]
                    .chars()
                    .all(|c| is_clause_break(c) || c.is_whitespace())
            };
            if !joined {
                scratch.breaks[kept] = b;
                kept += 1;
            }
        }
        scratch.breaks.truncate(kept);
        quote_spans(t, &scratch.quotes, &mut scratch.quote_spans);
        let Scratch {
            breaks,
            matches,
            quote_spans,
            hits,
            weights,
            praised,
            praise_hits,
            not_agent,
            mentions_agent,
            third_party,
            others_manners,
            not_agent_seen,
            ..
        } = scratch;
        *others_manners = false;
        let breaks = &*breaks;
        let clause_of = |pos: usize| breaks.partition_point(|&b| b <= pos);
        // Clause k's text: from the break before it to the one after.
        let clause_text = |k: usize| {
            let start = if k == 0 { 0 } else { breaks[k - 1] };
            &t[start..breaks.get(k).copied().unwrap_or(t.len())]
        };
        let n_clauses = breaks.len() + 1;
        hits.clear();
        hits.extend(matches.iter().map(|&(start, end, pattern)| Hit {
            start,
            end,
            pattern,
            clause: clause_of(start),
        }));
        let hits = &*hits;

        // Negation: a negation word right before the phrase in the same clause,
        // at most two characters (Chinese) or two words (English) away.
        let negated = |i: usize| -> bool {
            let h = hits[i];
            i > 0 && {
                let prev = hits[i - 1];
                let gap = &t[prev.end..h.start];
                // Chinese: only words of degree between (不是很慢, 没那么慢,
                // 不觉得慢), not a verb with its own object (没听完就挂了:
                // 没 negates 听完, not 就挂了).
                let close = if gap.is_ascii() {
                    gap.split_whitespace().count() <= 2 && gap.len() <= 16
                } else {
                    gap.chars().count() <= 2 && gap.chars().all(|c| NEGATION_GAP.contains(c))
                };
                prev.clause == h.clause && has(prev.pattern, flag::NEGATION) && close
            }
        };

        // Clause weights from the last contrast or focus marker with text before it.
        weights.clear();
        weights.resize(n_clauses, 1.0);
        // A concession (等了半小时我也认了，…) works as a contrast at the
        // start of the next clause, when there is one; not a negated one
        // (不可以理解, not fair enough), nor one with more of its clause
        // after it (我忍了三天 is a wait endured, not a point let pass).
        let concedes = |i: usize| {
            let h = hits[i];
            let rest = &t[h.end..breaks.get(h.clause).copied().unwrap_or(t.len())];
            let short = if rest.is_ascii() {
                rest.split_whitespace().count() <= 2
            } else {
                rest.chars().all(|c| "了吧啊呀嘛的哈 ".contains(c))
            };
            !negated(i)
                && short
                && (h.clause + 1..n_clauses).any(|k| {
                    clause_text(k)
                        .chars()
                        .any(|c| !is_clause_break(c) && !c.is_whitespace())
                })
        };
        let last_marker = hits
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, h)| has(h.pattern, flag::MARKER | flag::CONCEDE))
            .find_map(|(i, h)| {
                self.roles[h.pattern].iter().find_map(|r| match r {
                    Role::Contrast if h.start > 0 => Some((h.clause, 1.5f32)),
                    Role::Focus if h.start > 0 => Some((h.clause, 2.0f32)),
                    Role::Concede if concedes(i) => Some((h.clause + 1, 1.5f32)),
                    _ => None,
                })
            });
        if let Some((k, after)) = last_marker {
            for (i, w) in weights.iter_mut().enumerate() {
                *w = if i < k { 0.5 } else { after };
            }
        }

        // A promise of a reply or a call (说好48小时内回电, promised a
        // callback, callback promised) is a promised response time: its
        // wait stays a slow response. Any other promise makes a wait a
        // promise not kept (resolution).
        // (The contact may open one of the next two clauses: 保证：24小时内，
        // 一定给您回电.)
        let of_contact = |h: &Hit| {
            hits.iter().any(|c| {
                has(c.pattern, flag::CONTACT)
                    && ((h.clause..=h.clause + 2).contains(&c.clause)
                        && c.start >= h.start
                        && c.start <= h.end + CONTACT_AFTER
                        || c.clause == h.clause
                            && c.end <= h.start
                            && h.start - c.end <= CONTACT_BEFORE)
            })
        };
        // Only a reply or a call promised: the promise word and the words of
        // a wait that did not end (到现在, never did) are of a slow response
        // (found by exploratory testing: they kept such texts resolution).
        let (mut promised, mut reply_promised) = (false, false);
        for (i, h) in hits.iter().enumerate() {
            if has(h.pattern, flag::PROMISE) && !negated(i) {
                if of_contact(h) {
                    reply_promised = true;
                } else {
                    promised = true;
                }
            }
        }
        reply_promised &= !promised;
        // A reply or call named by a promise denied (没说会回电, never said
        // they'd call back): no reply was due, so the word alone is no slow
        // response.
        let unpromised = |i: usize| {
            has(hits[i].pattern, flag::CONTACT)
                && hits[..i].iter().enumerate().any(|(j, p)| {
                    has(p.pattern, flag::PROMISE)
                        && negated(j)
                        && p.clause == hits[i].clause
                        && hits[i].start - p.end <= CONTACT_AFTER
                })
        };
        // Where the agent first said the problem was dealt with (说已经帮您
        // 取消了, said it was fixed): a problem after it is the outcome of
        // that handling, even in a clause about the product or the parcel.
        let done = hits
            .iter()
            .enumerate()
            .find(|&(i, h)| has(h.pattern, flag::DONE) && !negated(i))
            .map(|(_, h)| *h);
        let after_done = |h: &Hit| done.is_some_and(|d| h.start >= d.end);

        // Praise and topic + good word, per clause.
        praised.clear();
        praised.resize(n_clauses, [false; 5]);
        praise_hits.clear();
        let quoted = |pos: usize| quote_spans.iter().any(|&(s, e)| s <= pos && pos < e);
        for (i, h) in hits.iter().enumerate() {
            // Praise inside a quote is someone else's word for it (她说“我们都很专业的”), or sarcasm.
            if !has(h.pattern, flag::PRAISE_OR_TOPIC) || quoted(h.start) {
                continue;
            }
            for role in &self.roles[h.pattern] {
                match *role {
                    Role::Praise(c, w) if !negated(i) => {
                        praised[h.clause][c as usize] = true;
                        praise_hits.push((i, c, w));
                    }
                    Role::Topic(c) => {
                        let good = hits[i + 1..]
                            .iter()
                            .enumerate()
                            .take_while(|(_, g)| g.clause == h.clause && g.start - h.end <= 15)
                            .find(|(j, g)| has(g.pattern, flag::GOOD) && !negated(i + 1 + j));
                        if good.is_some() {
                            praised[h.clause][c as usize] = true;
                            praise_hits.push((i, c, 2.0));
                        }
                    }
                    _ => {}
                }
            }
        }
        not_agent.clear();
        not_agent.resize(n_clauses, false);
        mentions_agent.clear();
        mentions_agent.resize(n_clauses, false);
        third_party.clear();
        third_party.resize(n_clauses, false);
        for h in hits {
            not_agent[h.clause] |= has(h.pattern, flag::NOT_AGENT);
            mentions_agent[h.clause] |= has(h.pattern, flag::AGENT);
            // Not one named in a quote (客服说“快递员又不是你家保姆”).
            third_party[h.clause] |= has(h.pattern, flag::THIRD_PARTY) && !quoted(h.start);
        }

        // Whether the person named last before `pos` is someone other than
        // the agent: 骑手把汤洒了，态度还不好，说“爱要不要” is all the rider's.
        // Only a third party that opens its clause (the subject: not 投诉骑手
        // or 让我找骑手, where the rider is spoken of), in the same sentence or
        // the one before, with no contact with anyone since (打给, 找了,
        // called, asked: whoever answered is the service, even by a word
        // kefu does not know). 他 and 她 name no one new, nor does anyone
        // named inside a quote; a word for both (安装师傅) is the agent's
        // side (found by exploratory testing, each).
        let third_party_named_last = |pos: usize| {
            let person = |g: &&Hit| {
                has(g.pattern, flag::AGENT | flag::THIRD_PARTY)
                    && !has(g.pattern, flag::NO_ONE_NEW)
                    && !quoted(g.start)
            };
            let Some(g) = hits.iter().rev().filter(|g| g.end <= pos).find(person) else {
                return false;
            };
            if has(g.pattern, flag::AGENT) {
                return false;
            }
            let clause_start = if g.clause == 0 {
                0
            } else {
                breaks[g.clause - 1]
            };
            let before = t[clause_start..g.start]
                .trim_matches(|c: char| is_clause_break(c) || c.is_whitespace());
            // Nor one opening what the agent said (客服说：骑手已经在路上了).
            let reported = t[clause_start..].starts_with(['：', ':']);
            let opens = !reported
                && matches!(
                    before,
                    "" | "那个" | "这个" | "the" | "our" | "my" | "a" | "that" | "this"
                );
            let between = &t[g.end..pos];
            let sentences = between
                .chars()
                .filter(|c| matches!(c, '。' | '！' | '？' | '.' | '!' | '?' | '\n'))
                .count();
            let contacted = CONTACTED.iter().any(|w| between.contains(w));
            opens && sentences <= 1 && !contacted
        };
        // Whether a clause names the agent (not only 他 or 她).
        let names_agent = |clause: usize| {
            hits.iter().any(|g| {
                g.clause == clause
                    && has(g.pattern, flag::AGENT)
                    && !has(g.pattern, flag::NO_ONE_NEW)
            })
        };
        let mut last_pos = [0usize; 5];
        not_agent_seen.clear();
        // Trace notes are built only when explaining (formatting costs).
        let note =
            |trace: &mut Option<&mut Trace>, h: &Hit, role: &str, effect: &dyn Fn() -> String| {
                if let Some(tr) = trace.as_deref_mut() {
                    tr.matches.push(TraceMatch {
                        phrase: t[h.start..h.end].to_string(),
                        clause: h.clause,
                        role: role.to_string(),
                        effect: effect(),
                    });
                }
            };
        for (i, h) in hits.iter().enumerate() {
            let f = weights[h.clause];
            for role in &self.roles[h.pattern] {
                // A quality denied (不够专业, 一点不耐心, never responds) is a
                // complaint of its cause, its evidence from the negation on;
                // not inside a quote (someone else's words).
                let (role, denied) = match *role {
                    // Not a denial denied (不是不够专业: 不是 negates the 不).
                    Role::Quality(c, w) if negated(i) && !negated(i - 1) && !quoted(h.start) => {
                        (Role::Complaint(c, w), true)
                    }
                    r => (r, false),
                };
                let h = &if denied {
                    Hit {
                        start: hits[i - 1].start,
                        ..*h
                    }
                } else {
                    *h
                };
                match role {
                    Role::Complaint(c, w) => {
                        if negated(i) && !denied {
                            note(&mut trace, h, c.id(), &|| {
                                "cancelled by the negation before it".into()
                            });
                        } else if unpromised(i) {
                            note(&mut trace, h, c.id(), &|| {
                                "cancelled: the promise of it is denied".into()
                            });
                        } else if praised[h.clause][c as usize] {
                            note(&mut trace, h, c.id(), &|| {
                                "cancelled: this clause praises that aspect".into()
                            });
                        } else if reply_promised
                            && c == Cause::Resolution
                            && (w < 3.0 || has(h.pattern, flag::PROMISE))
                        {
                            scores[Cause::Response as usize] += w * f;
                            evidence[Cause::Response as usize].push((h.start, h.end));
                            last_pos[Cause::Response as usize] = h.start;
                            note(&mut trace, h, c.id(), &|| {
                                format!("response +{:.2} (a reply or call was promised: the wait is a slow response)", w * f)
                            });
                        } else if promised && c == Cause::Response && w < 3.0 {
                            scores[Cause::Resolution as usize] += w * f;
                            evidence[Cause::Resolution as usize].push((h.start, h.end));
                            last_pos[Cause::Resolution as usize] = h.start;
                            note(&mut trace, h, c.id(), &|| {
                                format!("resolution +{:.2} (a promise was made: the wait is a promise not kept)", w * f)
                            });
                        } else if c == Cause::Attitude
                            && !names_agent(h.clause)
                            && (third_party[h.clause] || third_party_named_last(h.start))
                        {
                            // 骑手态度恶劣, the courier was rude: not the
                            // agent (the courier's word counts for other).
                            *others_manners = true;
                            note(&mut trace, h, c.id(), &|| {
                                "cancelled: the clause is about someone other than the agent".into()
                            });
                        } else if matches!(
                            c,
                            Cause::Response | Cause::Resolution | Cause::Competence
                        ) && not_agent[h.clause]
                            && !mentions_agent[h.clause]
                            && w < diverted_below(c)
                            && !(c == Cause::Resolution && after_done(h))
                        {
                            scores[Cause::Other as usize] += w * f;
                            evidence[Cause::Other as usize].push((h.start, h.end));
                            last_pos[Cause::Other as usize] = h.start;
                            note(&mut trace, h, c.id(), &|| {
                                format!("other +{:.2} (the clause is about logistics/product, not the agent)", w * f)
                            });
                        } else {
                            scores[c as usize] += w * f;
                            evidence[c as usize].push((h.start, h.end));
                            last_pos[c as usize] = h.start;
                            note(&mut trace, h, c.id(), &|| {
                                format!("{} +{:.2}", c.id(), w * f)
                            });
                        }
                    }
                    Role::NotAgent(_) if not_agent_seen.contains(&h.pattern) => {
                        note(&mut trace, h, "not about the agent", &|| {
                            "counted once already".into()
                        });
                    }
                    Role::NotAgent(w) => {
                        not_agent_seen.push(h.pattern);
                        // Beside a mention of the agent, logistics words are context, not the complaint.
                        let w = if mentions_agent[h.clause] { w * 0.5 } else { w };
                        scores[Cause::Other as usize] += w * f;
                        evidence[Cause::Other as usize].push((h.start, h.end));
                        last_pos[Cause::Other as usize] = h.start;
                        note(&mut trace, h, "not about the agent", &|| {
                            format!("other +{:.2}", w * f)
                        });
                    }
                    Role::Negation => note(&mut trace, h, "negation", &String::new),
                    Role::Contrast => note(&mut trace, h, "contrast", &String::new),
                    Role::Focus => note(&mut trace, h, "focus", &String::new),
                    Role::Concede => note(&mut trace, h, "concession", &String::new),
                    Role::Promise => note(&mut trace, h, "promise", &String::new),
                    Role::Contact => note(&mut trace, h, "contact", &String::new),
                    Role::Done => note(&mut trace, h, "said done", &String::new),
                    Role::Claim => note(&mut trace, h, "claim", &String::new),
                    Role::Refuted => note(&mut trace, h, "refuted", &String::new),
                    Role::Neutral => {
                        note(&mut trace, h, "neutral", &|| "counts for nothing".into())
                    }
                    // A word for both (安装师傅) is the service's side.
                    Role::ThirdParty if has(h.pattern, flag::AGENT) => {
                        note(&mut trace, h, "the service's side", &String::new)
                    }
                    Role::ThirdParty => note(&mut trace, h, "not the agent", &String::new),
                    Role::Quality(..) => note(&mut trace, h, "quality", &|| {
                        "not denied: counts for nothing".into()
                    }),
                    Role::Good | Role::Topic(_) | Role::Praise(..) | Role::Agent => {}
                }
            }
        }
        // Something the agent stated (客服说可以, 告诉我, told me) that the
        // customer found untrue later in the text (到了才知道不行, turned
        // out): wrong information, competence. Not after a promise (说好的
        // … 结果没退 is a promise not kept), once per text.
        if !promised {
            // Not a statement that was itself rude (told me to shut up): its
            // clause holds a strong attitude phrase.
            let rude = |clause: usize| {
                hits.iter().filter(|h| h.clause == clause).any(|h| {
                    self.roles[h.pattern]
                        .iter()
                        .any(|r| matches!(r, Role::Complaint(Cause::Attitude, w) if *w >= 2.0))
                })
            };
            // A Chinese claim only where the text names the agent (朋友告诉我
            // … 才知道 is a friend's word); English ones say who (they told
            // me) too often without a word for the agent.
            let agent_named = || hits.iter().any(|h| has(h.pattern, flag::AGENT));
            // Nor help given (多亏客服告诉我，我才知道可以换货; the agent kindly
            // told me … turned out easy): thanks or praise in its clause; nor
            // a statement it says was right (说的都对).
            let thanked = |i: usize| {
                let clause = hits[i].clause;
                THANKS
                    .iter()
                    .chain(&CONFIRMED)
                    .any(|w| clause_text(clause).contains(w))
                    || praised[clause].iter().any(|p| *p)
            };
            // Or, after an English claim, a short sentence of its own that
            // says otherwise: in the next three clauses, at most six words,
            // opening with one of CONTRADICTS, with no phrase of its own but
            // a competence one (told me to wait. It's been a week: a wait),
            // and saying the opposite of the claim, one of the two negative
            // and the other not ("said it was dairy-free. It was not.";
            // "insisted it wasn't valid. It is."; "told me any post office.
            // None of them do it."), or another value in its place (below).
            // Not a confirmation ("said it was under warranty. It was.") or
            // a remark ("They were nice."), nor after a claim of something
            // to be done (said the fee would be reversed, confirmed my
            // refund: a promise not kept; found by exploratory testing).
            let negative = |text: &str| {
                text.split(|ch: char| !ch.is_ascii_alphanumeric())
                    .any(|w| NEGATIVE_WORDS.contains(&w))
            };
            let contradicted = |c: usize| -> Option<Hit> {
                let claimed = &hits[c];
                let claim_text = clause_text(claimed.clause);
                let to_be_done = claim_text
                    .split(|ch: char| !ch.is_ascii_alphanumeric())
                    .any(|w| TO_BE_DONE.contains(&w))
                    || hits.iter().any(|h| {
                        h.clause == claimed.clause
                            && self.roles[h.pattern]
                                .iter()
                                .any(|r| matches!(r, Role::Complaint(Cause::Resolution, _)))
                    });
                if !t[claimed.start..claimed.end].is_ascii() || to_be_done {
                    return None;
                }
                (claimed.clause + 1..n_clauses.min(claimed.clause + 4)).find_map(|k| {
                    let body = clause_text(k)
                        .trim_matches(|ch: char| is_clause_break(ch) || ch.is_whitespace());
                    let mut words = body.split_whitespace();
                    let first = words.next()?;
                    let short = body.is_ascii() && words.count() < 6;
                    let own_cause = hits.iter().any(|h| {
                        h.clause == k
                            && self.roles[h.pattern].iter().any(
                                |r| matches!(r, Role::Complaint(c, _) if *c != Cause::Competence),
                            )
                    });
                    let start = body.as_ptr() as usize - t.as_ptr() as usize;
                    // Or another value in the claim's place: a number or a
                    // month (told me checkout was 1pm. It was 11; said
                    // March. It was January; not "may", a word of its own).
                    let value = matches!(first, "it" | "its")
                        && body.split(|ch: char| !ch.is_ascii_alphanumeric()).any(|w| {
                            w.bytes().any(|b| b.is_ascii_digit())
                                || w != "may" && crate::dates::ENGLISH_MONTHS.contains(&w)
                        });
                    let flipped = negative(body) != negative(claim_text) || value;
                    (short && CONTRADICTS.contains(&first) && !own_cause && flipped).then_some(
                        Hit {
                            start,
                            end: start + body.len(),
                            pattern: claimed.pattern,
                            clause: k,
                        },
                    )
                })
            };
            let claim = (0..hits.len()).find(|&i| {
                // The flag first: most texts hold no claim at all.
                has(hits[i].pattern, flag::CLAIM)
                    && (t[hits[i].start..hits[i].end].is_ascii() || agent_named())
                    && !negated(i)
                    && !rude(hits[i].clause)
                    && !thanked(i)
            });
            let refuted = claim.and_then(|c| {
                hits[c + 1..]
                    .iter()
                    .find(|h| has(h.pattern, flag::REFUTED) && h.start >= hits[c].end)
                    .copied()
                    .or_else(|| contradicted(c))
                    .map(|r| (c, r))
            });
            let competence = Cause::Competence as usize;
            if let Some((c, r)) = refuted.filter(|(_, r)| !praised[r.clause][competence]) {
                let w = CLAIM_REFUTED_WEIGHT * weights[r.clause];
                scores[competence] += w;
                evidence[competence].push((hits[c].start, hits[c].end));
                evidence[competence].push((r.start, r.end));
                last_pos[competence] = last_pos[competence].max(r.start);
                if let Some(tr) = trace.as_deref_mut() {
                    tr.matches.push(TraceMatch {
                        phrase: format!(
                            "{} … {}",
                            &t[hits[c].start..hits[c].end],
                            &t[r.start..r.end]
                        ),
                        clause: r.clause,
                        role: "claim refuted".into(),
                        effect: format!(
                            "competence +{w:.2} (what the agent said turned out wrong)"
                        ),
                    });
                }
            }
        }
        // Said done, then a complaint or a problem: the handling did not
        // hold (resolution), unless the clause that said so praises it.
        let resolution = Cause::Resolution as usize;
        // Not when what follows is about the agent's manner (说已经帮您退款了，
        // 全程敷衍), nor when the customer says it held (问题解决了).
        let held = |d: &Hit| {
            praise_hits
                .iter()
                .any(|&(i, c, _)| c == Cause::Resolution && hits[i].start >= d.end)
        };
        if let Some(d) = done.filter(|d| !praised[d.clause][resolution] && !held(d)) {
            // After it: in a later clause, or further on in its own (not
            // what was done: 已经帮您申请退款了).
            let later = hits.iter().any(|h| {
                h.start >= d.end
                    && (h.clause > d.clause || t[d.end..h.start].chars().count() > 3)
                    && self.roles[h.pattern].iter().any(|r| {
                        matches!(r, Role::Complaint(c, _) if *c != Cause::Attitude)
                            || matches!(r, Role::NotAgent(_))
                    })
            });
            if later {
                let w = DONE_WEIGHT * weights[d.clause];
                scores[resolution] += w;
                evidence[resolution].push((d.start, d.end));
                last_pos[resolution] = last_pos[resolution].max(d.start);
                note(&mut trace, &d, "said done", &|| {
                    format!("resolution +{w:.2} (said done, and a problem follows)")
                });
            }
        }
        // A quoted reply to the customer: attitude, unless that clause
        // praises the attitude, or someone other than the agent said it
        // (the person named last before it is a third party, and its clause
        // names no agent).
        if self.quote_weight > 0.0 {
            if let Some((start, end)) = quoted_address(t, quote_spans) {
                let clause = clause_of(start);
                let attitude = Cause::Attitude as usize;
                let others_words = !names_agent(clause) && third_party_named_last(start);
                *others_manners |= others_words;
                if !praised[clause][attitude] && !others_words {
                    let w = self.quote_weight * weights[clause];
                    scores[attitude] += w;
                    evidence[attitude].push((start, end));
                    last_pos[attitude] = last_pos[attitude].max(start);
                    if let Some(tr) = trace.as_deref_mut() {
                        tr.matches.push(TraceMatch {
                            phrase: t[start..end].to_string(),
                            clause,
                            role: "quoted reply".into(),
                            effect: format!("attitude +{w:.2}"),
                        });
                    }
                }
            }
        }
        // With the agent named too (骑手态度恶劣，客服更恶劣), manners the
        // rules did not see may be the agent's: the model weighs in as ever
        // (found by regression testing).
        if *others_manners && (0..n_clauses).any(names_agent) {
            *others_manners = false;
        }
        for &(i, c, w) in praise_hits.iter() {
            let h = &hits[i];
            let penalty = w * weights[h.clause];
            scores[c as usize] -= penalty;
            note(&mut trace, h, "praise", &|| {
                format!("{} -{:.2}", c.id(), penalty)
            });
        }
        if let Some(tr) = trace {
            tr.normalized = t.to_string();
            tr.clauses = (0..n_clauses)
                .map(|k| (clause_text(k).to_string(), weights[k]))
                .collect();
        }
        last_pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(text: &str) -> Cause {
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        c.classify(text, &mut Scratch::default()).cause
    }

    /// The default classifier: the rules and the built-in model.
    fn with_builtin_model() -> Classifier {
        let rules = Classifier::new(&ClassifyConfig::default()).unwrap();
        let scorer = model::Scorer::learn(
            model::builtin_examples()
                .iter()
                .map(|(t, c)| (rules.normalized(t), *c)),
        );
        rules.with_model(scorer, model::ModelSource::Builtin)
    }

    #[test]
    fn the_model_puts_no_riders_manners_back_on_the_agent() {
        // README's own example, which the model (reading 态度恶劣 alone)
        // turned into attitude (found by exploratory testing).
        let c = with_builtin_model();
        let mut scratch = Scratch::default();
        for text in ["骑手态度恶劣", "快递员态度恶劣", "The courier was rude"] {
            assert_eq!(c.classify(text, &mut scratch).cause, Cause::Other, "{text}");
        }
        // The agent's own manners beside them still count, those the rules
        // see and those only the model does (found by regression testing).
        for text in ["快递员态度恶劣，客服也很敷衍", "骑手态度恶劣，客服更恶劣"]
        {
            assert_eq!(
                c.classify(text, &mut scratch).cause,
                Cause::Attitude,
                "{text}"
            );
        }
    }

    #[test]
    fn a_model_decides_with_the_rules_but_adds_no_causes_without_evidence() {
        let c = with_builtin_model();
        let v = c.classify("客服态度很差，还骂人", &mut Scratch::default());
        assert_eq!(v.cause, Cause::Attitude);
        let found: Vec<Cause> = v.causes.iter().map(|(c, _)| *c).collect();
        assert_eq!(found, vec![Cause::Attitude]);
        // No phrase at all: the model alone decides, and is the only cause
        // (a bundled example, so that the model is sure of it).
        let text = "问客服这件羽绒服充绒量多少，她回我“亲，这件衣服很保暖哦”，我问的是数字啊姐";
        assert_eq!(c.rule_scores(text, &mut Scratch::default()), [0.0; 5]);
        let v = c.classify(text, &mut Scratch::default());
        assert_eq!(v.cause, Cause::Competence);
        assert_eq!(v.causes, vec![(Cause::Competence, v.causes[0].1)]);
        // Nothing the rules or the model know (no text, only emoji), a model
        // unsure on its own, praise the rules saw: other, with no cause
        // found, as with the rules alone.
        for text in ["", "😡😡😡", "很好", "态度很好，很满意"] {
            let v = c.classify(text, &mut Scratch::default());
            assert_eq!(v.cause, Cause::Other, "{text:?}");
            assert!(v.causes.is_empty(), "{text:?}: {:?}", v.causes);
        }
    }

    #[test]
    fn a_concession_puts_the_main_point_after_it() {
        // What the customer lets pass (我也认了, 就算了, fair enough) weighs
        // less; the clause after it is the complaint.
        for (text, cause) in [
            (
                "排队等了二十分钟我也认了，接通以后那个客服一开口就不耐烦",
                Cause::Attitude,
            ),
            (
                "回复慢我忍了，答错了我也忍了，最后问题还是没解决",
                Cause::Resolution,
            ),
            (
                "The wait was long, fair enough. The agent had no idea what a refund was.",
                Cause::Competence,
            ),
        ] {
            let c = Classifier::new(&ClassifyConfig::default()).unwrap();
            let (v, trace) = c.explain(text);
            assert_eq!(v.cause, cause, "{text:?}");
            assert!(
                trace.matches.iter().any(|m| m.role == "concession"),
                "{text:?}"
            );
        }
        // Nothing after it: no clause to weigh more, the scores stay.
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        let (v, trace) = c.explain("客服回复太慢了，算了我忍了。");
        assert_eq!(v.cause, Cause::Response);
        assert!(
            trace.clauses.iter().all(|(_, w)| *w == 1.0),
            "{:?}",
            trace.clauses
        );
        // Negated (不可以理解, not fair enough), or a wait endured with more
        // of its clause after it (我忍了三天): no concession (found by
        // exploratory testing).
        for text in [
            "客服三天不回消息，这个我真的不可以理解，后来说话也有点冲",
            "Waited 3 days for any reply, that is not fair enough. The agent was a bit short with me at the end too.",
            "客服一直不回消息，我忍了三天，最后还是没人理",
        ] {
            let (v, trace) = c.explain(text);
            assert_eq!(v.cause, Cause::Response, "{text:?}");
            assert!(trace.clauses.iter().all(|(_, w)| *w == 1.0), "{text:?}: {:?}", trace.clauses);
        }
        // Praise after a concession is praise, in either language.
        for text in [
            "客服回复是慢了点，可以理解，毕竟人多，态度也不错",
            "回复慢了点，我也认了，客服态度没毛病",
            "The reply was slow, fair enough, the agent had a good attitude",
            "The reply was slow, fair enough, the agent's attitude was fine",
        ] {
            assert_eq!(classify(text), Cause::Response, "{text:?}");
        }
    }

    #[test]
    fn a_channel_label_before_a_logged_complaint_is_left_out() {
        for (text, rest) in [
            ("邮件投诉：客服不专业", "客服不专业"),
            ("电话投诉: 客服态度差", " 客服态度差"),
            ("12315平台转来：承诺退款未兑现", "承诺退款未兑现"),
            ("【热线】回复太慢", "回复太慢"),
            ("热线：回复太慢", "回复太慢"),
        ] {
            assert_eq!(without_channel_label(text), rest, "{text:?}");
        }
        // Not a channel's label: the customer's words stay.
        for text in [
            "客服：你到底想问什么",
            "投诉：客服态度差",
            "处理结果：没解决",
            "我：在吗",
        ] {
            assert_eq!(without_channel_label(text), text);
        }
        // The model no longer reads the label (found by exploratory testing).
        let c = with_builtin_model();
        for (text, cause) in [
            ("邮件投诉：客服不专业", Cause::Competence),
            ("电话投诉：客服不专业", Cause::Competence),
            ("邮件投诉：客服态度差", Cause::Attitude),
        ] {
            assert_eq!(
                c.classify(text, &mut Scratch::default()).cause,
                cause,
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_model_never_picks_a_cause_the_text_praises() {
        let c = with_builtin_model();
        // The praise cancels the wait's words exactly (score 0): the model,
        // sure of `response`, must not bring it back (found by exploratory
        // testing; since the model learnt dev24 it is no longer sure of the
        // first text found, 物流太慢了，等了一个星期才到，客服倒是回复很快).
        let text = "等了半天，客服倒是回复很快";
        let (v, trace) = c.explain(text);
        let response = Cause::Response as usize;
        assert_eq!(trace.rule_scores[response].1, 0.0);
        assert!(
            trace.model_probabilities[response].1 > 0.5,
            "{:?}",
            trace.model_probabilities
        );
        assert_eq!(v.cause, Cause::Other);
    }

    #[test]
    fn said_done_then_trouble_is_resolution_even_about_the_product() {
        // The agent said it was dealt with, then it went wrong again: the
        // handling did not hold, though the clause names the app or a fee.
        for text in [
            "客服说账户已经解冻了，我一转账又提示冻结",
            "说已经帮我取消了自动续费，这个月又扣了25",
            "客服说已修复，我再约还是显示号源异常",
            "They said it was cancelled and charged me again the next month.",
        ] {
            assert_eq!(classify(text), Cause::Resolution, "{text:?}");
        }
        // Without the agent's word the same trouble is the product's.
        assert_eq!(classify("APP照样闪退，还是显示网络错误"), Cause::Other);
        // Said done, then only the agent's manner, or the customer says it
        // held and blames the product: not the handling (found by
        // exploratory testing).
        assert_eq!(
            classify("客服说已经帮您退款了，全程敷衍，一句话都不想多说"),
            Cause::Attitude
        );
        assert_eq!(
            classify("客服说已经帮我处理好了，问题解决了，就是运费太贵了"),
            Cause::Other
        );
        // A fix that held a while, then broke: the handling did not hold.
        assert_eq!(
            classify("客服说已修复，确实修好了，可惜没两天又不好使了"),
            Cause::Resolution
        );
        // Said done and nothing wrong after it: no resolution complaint.
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        let scores = c.rule_scores("客服说已经帮我取消了", &mut Scratch::default());
        assert_eq!(scores[Cause::Resolution as usize], 0.0);
    }

    #[test]
    fn an_english_phrase_holding_a_claim_is_a_claim() {
        // "told me my" is a longer phrase than the claim "told me": it
        // takes the text, and the claim inside it still counts.
        let text = "The agent told me my plan had no contract. Turns out there's a 12-month lock-in and a $200 early termination fee.";
        assert_eq!(classify(text), Cause::Competence);
    }

    #[test]
    fn plain_complaints() {
        assert_eq!(classify("客服态度很差"), Cause::Attitude);
        // The negation inside the phrase (found by exploratory testing).
        assert_eq!(classify("手机送修两次都没修好"), Cause::Resolution);
        assert_eq!(classify("一问三不知"), Cause::Competence);
        assert_eq!(classify("回复太慢了"), Cause::Response);
        assert_eq!(classify("问题到现在都没解决"), Cause::Resolution);
        assert_eq!(classify("客服把我的手机号泄露给了别人"), Cause::Other);
    }

    #[test]
    fn a_promised_reply_not_made_is_slow_response_a_promised_action_resolution() {
        // A callback nobody promised is no slow response by itself.
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        let response = Cause::Response as usize;
        for text in ["客服也没说会给我回电话，就这么挂了", "客服没说会回电"]
        {
            assert_eq!(
                c.rule_scores(text, &mut Scratch::default())[response],
                0.0,
                "{text}"
            );
        }
        assert!(c.rule_scores("客服说会回电", &mut Scratch::default())[response] > 0.0);
        // Three writers who saw only the causes' definitions labelled a
        // callback promised and never made 响应速度 ("no response within
        // the required time"); a promise to act, not kept, stays 问题解决效果.
        for text in [
            "说好48小时内给我回电话，今天是第七天",
            "客服答应第二天给我回电，等了一周也没等到",
            "They promised a callback within 48 hours. That was in March.",
            "說好會回電給我，等了一個禮拜都沒有",
            // Found by exploratory testing: the promise word, a wait that
            // did not end, a longer phrase holding the contact, the contact
            // in the next clause.
            "客服说会给我答复，到现在都没答复",
            "客服说好给答复，一周了",
            "They promised to get back to me. They never did.",
            "客服再三保证：24小时内，一定给您回电！结果呢？一周了",
            "They never called back.",
            "客服说会给我打电话，一直没打过来",
        ] {
            assert_eq!(classify(text), Cause::Response, "{text}");
        }
        // Someone else contacted for the customer is no reply promised.
        assert_ne!(
            classify("客服答应帮我联系商家处理假货，到现在商家照样在卖"),
            Cause::Response
        );
        for text in [
            "说好三天内退款，等了一周还没到账",
            "客服答应补发，等了半个月也没发",
            "They promised a refund within 5 days. Still waiting two weeks later.",
            // One agent's promise, in a contraction (dev14).
            "Rep was lovely, said she'd reverse the charge. Two months later, still nothing.",
        ] {
            assert_eq!(classify(text), Cause::Resolution, "{text}");
        }
    }

    #[test]
    fn comparatives_count_as_their_word() {
        for text in [
            "the agent was even ruder than last time",
            "customer service got nastier every time I called",
            // "was rude" found first would leave ruder unread.
            "the agent was ruder than the last one",
        ] {
            assert_eq!(classify(text), Cause::Attitude, "{text}");
        }
        assert_eq!(classify("replies are slower every week"), Cause::Response);
    }

    #[test]
    fn what_the_agent_said_then_found_untrue_is_competence() {
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        let rules = |t: &str| c.rule_scores(t, &mut Scratch::default());
        let competence = Cause::Competence as usize;
        // The agent was right (found by exploratory testing).
        assert_eq!(
            rules("电话里说的都对，最后发现是产品本身有缺陷，厂家的问题")[competence],
            0.0
        );
        // The claim and its refutation: neither phrase is a complaint alone.
        let told = "客服说可以带狗进去，到了门口才知道不行";
        let (_, trace) = c.explain(told);
        let hit = trace.matches.iter().find(|m| m.role == "claim refuted");
        assert_eq!(hit.map(|m| m.phrase.as_str()), Some("客服说可以 … 才知道"));
        assert!(rules(told)[competence] >= CLAIM_REFUTED_WEIGHT);
        assert!(
            rules("support told me the plan included roaming; turned out it never did")[competence]
                >= CLAIM_REFUTED_WEIGHT
        );
        // Not the agent's word: a friend's, or the customer's to the agent.
        assert_eq!(
            rules("朋友告诉我这家很好，结果才知道快递这么慢")[competence],
            0.0
        );
        assert_eq!(rules("我跟客服说了三遍，才知道她根本没看")[competence], 0.0);
        assert_eq!(
            rules("客服说明了原因，我才知道是快递的问题")[competence],
            0.0
        );
        // Help given is no claim refuted; 客服说明天 is still a claim.
        assert_eq!(
            rules("衣服起球严重。多亏客服告诉我，我才知道可以申请换货")[competence],
            0.0
        );
        assert_eq!(
            rules("The agent kindly told me how to claim warranty and it turned out easy")
                [competence],
            0.0
        );
        assert_eq!(
            rules(
                "My sister told me this store was reliable, turned out the package never arrived"
            )[competence],
            0.0
        );
        assert!(rules("客服说明天发货，结果才知道根本没发")[competence] >= CLAIM_REFUTED_WEIGHT);
        // A rude statement is no claim (told me to shut up).
        assert_eq!(
            rules("The agent told me to shut up. Turned out she was the supervisor.")[competence],
            0.0
        );
        // Found out first, told after: no claim was refuted.
        assert_eq!(rules("到了门口才知道不行")[competence], 0.0);
        // Not told (negated): nothing to refute.
        assert_eq!(rules("没告诉我要预约，到了才知道")[competence], 0.0);
        // A promise not kept is resolution, not wrong information.
        assert_eq!(
            rules("客服说好的今天退款，告诉我已经退了，一查根本没到账")[competence],
            0.0
        );
    }

    /// A quality denied is a complaint of its cause; alone, nothing (found
    /// by an independent judge set: 客服不够专业 and they never respond
    /// were "no complaint phrase found").
    #[test]
    fn a_quality_denied_is_a_complaint() {
        for (text, cause) in [
            ("客服不够专业", Cause::Competence),
            ("客服一点不专业", Cause::Competence),
            ("客服小哥挺热情，就是对产品一点不熟", Cause::Competence),
            ("客服不太礼貌", Cause::Attitude),
            ("客服一点都不耐心", Cause::Attitude),
            ("the agent was not patient", Cause::Attitude),
            ("客服从不回复", Cause::Response),
            ("没有及时回复", Cause::Response),
            (
                "Support never responds. I've sent 4 messages.",
                Cause::Response,
            ),
            ("not very responsive", Cause::Response),
            ("nobody responds", Cause::Response),
            ("nobody ever replied to my email", Cause::Response),
        ] {
            assert_eq!(classify(text), cause, "{text}");
        }
        // Not denied, or someone else's words: nothing.
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        let rules = |t: &str| c.rule_scores(t, &mut Scratch::default());
        assert!(rules("客服很专业")[Cause::Competence as usize] <= 0.0);
        assert_eq!(rules("希望客服耐心一点")[Cause::Attitude as usize], 0.0);
        // Praise on praise, and a denial denied (found by exploratory testing).
        assert!(rules("not only polite but fast")[Cause::Attitude as usize] <= 0.0);
        assert!(rules("could not be more patient")[Cause::Attitude as usize] <= 0.0);
        assert_eq!(
            rules("不是不够专业，只是有点慢")[Cause::Competence as usize],
            0.0
        );
        assert_eq!(
            rules("她说“我们哪里不够耐心了？”")[Cause::Attitude as usize],
            0.0
        );
    }

    /// A courier's or rider's manners are not the agent's; the agent's
    /// taunts and brush-offs are attitude (an independent judge set).
    #[test]
    fn someone_else_s_manners_and_the_agent_s_taunts() {
        for (text, cause) in [
            ("骑手态度恶劣，还把汤洒了", Cause::Other),
            ("快递员态度很差，东西扔门口就走", Cause::Other),
            (
                "The delivery driver was rude and threw the box at my door.",
                Cause::Other,
            ),
            (
                "快递员态度很差，客服更是态度恶劣，直接挂我电话",
                Cause::Attitude,
            ),
            (
                "问了三遍尺码，客服回\"说了多少遍了\"，这语气谁受得了",
                Cause::Attitude,
            ),
            ("客服：嗯。客服：哦。客服：还有事吗。", Cause::Attitude),
            ("无语子，客服直接把我封鎖了", Cause::Attitude),
            ("太渡差", Cause::Attitude),
            ("发了邮件投诉，半个月了没有任何回复", Cause::Response),
        ] {
            assert_eq!(classify(text), cause, "{text}");
        }
    }

    /// Manners and words are those of the person named last (他 and 她
    /// name no one new, nor does anyone named inside a quote), unless the
    /// clause names the agent; a rider the agent's clause speaks of is
    /// not the speaker (dev24 and the judge sets before it).
    #[test]
    fn the_person_named_last_is_the_one_meant() {
        for (text, cause) in [
            ("外卖小哥把汤洒了一袋子，态度还不好，说“爱要不要”。", Cause::Other),
            ("骑手在楼下吼我让我自己下来拿，还骂骂咧咧的", Cause::Other),
            (
                "Courier threw my parcel over the gate. Rude too, he just told me to \"sign the screen and stop moaning\".",
                Cause::Other,
            ),
            // The rider inside the agent's quote is not the speaker.
            (
                "问了下快递为什么不送上楼，客服说“快递员又不是你家保姆”，这话说得太难听了",
                Cause::Attitude,
            ),
            ("真的会谢，问个快递单号被回\"自己不会查吗\"", Cause::Attitude),
            // The agent speaks of the rider.
            (
                "美团客服听说我要投诉骑手，语气立马变了：“女士您别激动”",
                Cause::Attitude,
            ),
        ] {
            assert_eq!(classify(text), cause, "{text}");
        }
        // Whoever the customer reached is the service, by any word; the
        // rider as what is complained of, or inside what the agent said,
        // is not the one meant (found by exploratory testing).
        for text in [
            "The driver was late. Customer service was rude and dismissive.",
            "The driver was late. I called the shop and they were rude and dismissive.",
            "外卖小哥把餐送错了，找了店里，老板娘说话特别难听",
            "投诉快递员，敷衍了事",
            "客服说：骑手已经在路上了，你急什么。语气很不耐烦",
        ] {
            assert_eq!(classify(text), Cause::Attitude, "{text}");
        }
        // 她 is whoever was named last: here the agent, whose manners count.
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        let rules = |t: &str| c.rule_scores(t, &mut Scratch::default());
        assert!(rules("骑手送错了，我打给客服，她态度很差")[Cause::Attitude as usize] > 0.0);
        assert_eq!(
            rules("骑手送错了，她态度很差")[Cause::Attitude as usize],
            0.0
        );
    }

    /// An English claim, then a short sentence of its own saying otherwise:
    /// wrong information; not after a claim of something to be done (a
    /// promise not kept), nor when the short sentence is a wait (dev25).
    #[test]
    fn a_claim_then_a_short_contradiction_is_wrong_information() {
        for (text, cause) in [
            ("I asked whether the dessert contained dairy and the agent said it was dairy-free. It was not.", Cause::Competence),
            ("The rental agent insisted my UK licence wasn't valid in Spain. It is.", Cause::Competence),
            ("She told me the bus pass could be renewed at any post office. Went to three. None of them do it.", Cause::Competence),
        ] {
            assert_eq!(classify(text), cause, "{text}");
        }
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        let rules = |t: &str| c.rule_scores(t, &mut Scratch::default());
        let competence = Cause::Competence as usize;
        // Something to be done, said and not done: no wrong information.
        assert!(
            rules("Rep said the late fee would be reversed. It's on this month's statement.")
                [competence]
                <= 0.0
        );
        // A long sentence after the claim is no contradiction of it.
        assert!(rules("She told me about the plan. It was the third time I had called them about the same thing today.")[competence] <= 0.0);
        // The short sentence is a wait of its own.
        assert!(rules("He told me to hold on. It's been a week.")[competence] <= 0.0);
        // A confirmation, a remark, a promise in a contraction: none says
        // the claim was untrue (found by exploratory testing).
        for text in [
            "The agent said the part was under warranty. It was. Then they charged me labour anyway.",
            "Support told me to power cycle the router. They tried. Still no internet three days later.",
            "The agent told me they'd waive the fee. They didn't.",
        ] {
            assert!(rules(text)[competence] <= 0.0, "{text}");
        }
        // Another value in the claim's place is a contradiction.
        assert_eq!(
            classify(
                "Hotel front desk told me checkout was 1pm. It was 11. Got charged a late fee."
            ),
            Cause::Competence
        );
    }

    /// The customer's own mistake, or the service praised for putting
    /// right someone else's: other (dev24).
    #[test]
    fn the_customer_s_own_mistake_and_the_service_praised() {
        for (text, cause) in [
            (
                "Driver was rude and dumped my shopping on the pavement. Not the call centre's fault, they sorted a refund quickly.",
                Cause::Other,
            ),
            ("My mistake, I booked the wrong date. A £60 change fee though?", Cause::Other),
            ("自己没看清规格买错了，客服帮我退了，但来回运费自己出", Cause::Other),
            ("Honestly I'd have accepted no as an answer. I just never got any answer at all.", Cause::Response),
            ("The guy was friendly but clearly guessing.", Cause::Competence),
        ] {
            assert_eq!(classify(text), cause, "{text}");
        }
    }

    /// Found by exploratory testing (rules alone).
    #[test]
    fn negation_topics_and_words_inside_words() {
        // 特别 holds 别, which negates nothing; 别再 is "stop …".
        assert_eq!(classify("回复特别慢"), Cause::Response);
        assert_eq!(classify("客服特别不耐烦"), Cause::Attitude);
        assert_eq!(classify("别再敷衍我了"), Cause::Attitude);
        // 没 negates 听完, not the hang-up after it.
        assert_eq!(classify("客服没听完就挂了"), Cause::Attitude);
        assert_eq!(classify("客服不是很慢，就是问题没解决"), Cause::Resolution);
        // 服务态度 holds the topic 态度: 服务态度非常好 is praise.
        assert_eq!(classify("客服服务态度非常好，只是物流慢"), Cause::Other);
        assert_eq!(classify("客服专业能力很强，但是商品有瑕疵"), Cause::Other);
        // 慢慢来 (take your time) is no delay; knowledgeable is no complaint.
        assert_eq!(classify("慢慢来吧，反正东西已经坏了"), Cause::Other);
        assert_eq!(classify("The rep was knowledgeable."), Cause::Other);
        // 客服说 is a claim, but not inside 客服说话 (how the agent spoke).
        assert_eq!(
            classify("客服说话很冲，后来我才知道她是新来的"),
            Cause::Attitude
        );
        // 只是 as "merely" after 我 is no contrast.
        assert_eq!(
            classify("客服态度恶劣，我只是问了一下什么时候发货"),
            Cause::Attitude
        );
        assert_eq!(
            classify("I could not reach a human for three days."),
            Cause::Response
        );
    }

    #[test]
    fn kefu_toml_neutral_stops_a_builtin_phrase_and_weights_replace() {
        let cfg: ClassifyConfig =
            toml::from_str("[phrases]\nneutral = [\"敷衍\"]\nattitude = [\"甩脸子 = 3\"]\n")
                .unwrap();
        let c = Classifier::new(&cfg).unwrap();
        let mut scratch = Scratch::default();
        assert_eq!(c.classify("客服很敷衍", &mut scratch).cause, Cause::Other);
        // 甩脸子 is built in: kefu.toml's weight replaces it, not added to it.
        let attitude = c.rule_scores("甩脸子", &mut scratch)[Cause::Attitude as usize];
        assert_eq!(attitude, 3.0);
    }

    #[test]
    fn a_phrase_holding_an_agent_word_names_the_agent() {
        assert!(holds_word("客服说可以", "客服"));
        assert!(holds_word("another agent", "agent"));
        assert!(!holds_word("reply", "rep"));
        assert!(!holds_word("agents", "agent"));
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        let p = c
            .automaton
            .leftmost_find_iter("客服说可以")
            .next()
            .unwrap()
            .value() as usize;
        assert_ne!(c.flags[p] & flag::AGENT, 0);
        assert_ne!(c.flags[p] & flag::CLAIM, 0);
    }

    #[test]
    fn contrast_negation_praise_sarcasm_and_not_the_agent() {
        assert_eq!(
            classify("态度挺好的，就是问题一直没解决"),
            Cause::Resolution
        );
        assert_eq!(classify("态度还不错就是回复太慢"), Cause::Response);
        assert_eq!(classify("不是态度问题，是根本不懂产品"), Cause::Competence);
        assert_eq!(classify("客服不慢但是没解决问题"), Cause::Resolution);
        assert_eq!(classify("真快啊，三天才回"), Cause::Response);
        assert_eq!(classify("客服态度挺好，就是快递太慢了"), Cause::Other);
        assert_eq!(classify("东西质量太差了跟客服没关系"), Cause::Other);
        assert_eq!(
            classify("客服態度很差，回覆還很慢，態度真的太差了"),
            Cause::Attitude
        );
        assert_eq!(classify("客服response太慢"), Cause::Response);
        assert_eq!(
            classify("The agent was rude and hung up on me"),
            Cause::Attitude
        );
        assert_eq!(
            classify("support was nice but the package is still lost in shipping"),
            Cause::Other
        );
    }

    #[test]
    fn praise_inside_a_quote_is_not_the_customers() {
        // The agent's own claim, quoted back: not praise of competence.
        let text =
            "问客服阿姨有没有证，她说“我们的阿姨都很专业的”。我问哪个机构培训的，一个都答不上来";
        let rules = Classifier::new(&ClassifyConfig::default()).unwrap();
        let v = rules.classify(text, &mut Scratch::default());
        assert_eq!(v.cause, Cause::Competence, "{:?}", v.evidence);
        // The same words as the customer's own are praise.
        let own = "客服都很专业的";
        let scores = rules.rule_scores(own, &mut Scratch::default());
        assert!(scores[Cause::Competence as usize] < 0.0, "{scores:?}");
    }

    #[test]
    fn a_quoted_reply_to_the_customer_is_attitude_evidence() {
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        let mut scratch = Scratch::default();
        let found = |text: &str| {
            let t = c.normalized(text);
            let openers: Vec<(usize, char)> = t
                .char_indices()
                .filter(|&(_, ch)| closing_mark(ch).is_some())
                .collect();
            let mut spans = vec![];
            quote_spans(&t, &openers, &mut spans);
            quoted_address(&t, &spans).is_some()
        };
        for text in [
            "报修冰箱，客服第一句话是“你确定插好电了吗”",
            "Hertz lady said 'maybe next time read your contract' and walked off",
            "他回了一句「你自己看」",
        ] {
            let v = c.classify(text, &mut scratch);
            assert_eq!(v.cause, Cause::Attitude, "{text}");
            assert!(
                v.evidence
                    .iter()
                    .any(|e| e.contains('你') || e.contains("your") || e.contains("自己")),
                "{text}: {:?}",
                v.evidence
            );
        }
        // Not a reply to "you", a polite formula, too long to be one, or a
        // possessive: no evidence.
        for text in [
            "客服说“已经发货了”",
            "机器人：“您好，请问有什么可以帮您？”",
            "the bot only says 'thank you for contacting us'",
            "the customers' rights 'are' listed, you know",
            "I didn't get it, you see",
        ] {
            assert!(!found(text), "{text}");
        }
        assert!(found("she said 'you again?'"));
        // No 你, but an order to go away or a taunt; a kind 别 is not one.
        assert!(found("问会不会很疼，客服回我：“怕疼就别来呀。”"));
        assert!(found("直接甩过来“爱要不要，不要就退，运费自理”"));
        assert!(!found("客服说“别着急，马上处理”"));
        assert!(found("问怎么开，回“自己研究”"));
        assert!(found("she seh \"a nuh mi fault yuh cyaan pay\""));
        let long = format!("客服发来“{}你”", "按规定".repeat(30));
        assert!(!found(&long));
        // A phrase of another cause still decides.
        assert_eq!(
            classify("客服说“您的订单三天内一定回复”，结果一个星期都没人回复，等了好久"),
            Cause::Response
        );
        // kefu.toml can turn it off.
        let off = Classifier::new(&ClassifyConfig {
            quote_weight: Some(0.0),
            ..Default::default()
        })
        .unwrap();
        let fridge = "报修冰箱，客服第一句话是“你确定插好电了吗”";
        assert_eq!(off.classify(fridge, &mut scratch).cause, Cause::Other);
        let (_, trace) = c.explain(fridge);
        assert!(trace.matches.iter().any(|m| m.role == "quoted reply"));
    }

    #[test]
    fn evidence_and_causes() {
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        let v = c.classify(
            "客服态度差，回复也慢，态度差到极点",
            &mut Scratch::default(),
        );
        assert_eq!(v.cause, Cause::Attitude);
        assert_eq!(v.evidence, ["态度差"]);
        assert_eq!(v.causes_text(), "attitude;response");
        let (v, trace) = c.explain("态度挺好的，就是问题一直没解决");
        assert_eq!(v.cause, Cause::Resolution);
        assert_eq!(trace.clauses.len(), 2);
        assert_eq!(trace.clauses[1].1, 1.5);
    }

    #[test]
    fn english_phrases_match_whole_words_and_their_inflections() {
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        let phrases = |text: &str| -> Vec<String> {
            let (_, trace) = c.explain(text);
            trace.matches.into_iter().map(|m| m.phrase).collect()
        };
        // Inflections of a phrase's last word count …
        assert!(phrases("the couriers lost it").contains(&"courier".to_string()));
        assert!(phrases("response times are awful").contains(&"response time".to_string()));
        // … other words that begin with it do not.
        for (text, not) in [
            ("shame it was kindly check your settings", "was kind"),
            ("I thought so", "though"),
            ("called back later", "late"),
        ] {
            assert!(!phrases(text).contains(&not.to_string()), "{text}");
        }
        assert!(super::is_inflection(b"refund", b"ed"));
        assert!(!super::is_inflection(b"fee", b"l"));
    }

    #[test]
    fn neutral_words_keep_shorter_phrases_from_matching() {
        let c = Classifier::new(&ClassifyConfig::default()).unwrap();
        // 麻烦 as a polite "please" is no annoyance (烦), 拖鞋 no delay (拖).
        let v = c.classify("麻烦给个说法，拖鞋一直没解决", &mut Scratch::default());
        assert_eq!(v.cause, Cause::Resolution);
        assert_eq!(v.causes_text(), "resolution");
        assert_eq!(classify("客服嫌麻烦，直接不理我"), Cause::Attitude);
        // Users add their own.
        let cfg: ClassifyConfig = toml::from_str("[phrases]\nneutral = [\"态度端正\"]\n").unwrap();
        let c = Classifier::new(&cfg).unwrap();
        let (v, trace) = c.explain("态度端正");
        assert_eq!(v.cause, Cause::Other);
        assert!(v.causes.is_empty());
        assert_eq!(trace.matches[0].role, "neutral");
    }
}
