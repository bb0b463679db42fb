//! Deterministic generator of large synthetic exports, for benchmarks.
//!
//! ```text
//! cargo run --release --example gen_exports -- reviews 1000000 > reviews.csv
//! cargo run --release --example gen_exports -- complaints 100000 > complaints.csv
//! cargo run --release --example gen_exports -- agents 5000 > agents.csv
//! cargo run --release --example gen_exports -- events 1000000 > events.csv
//! ```
//!
//! Reviews have the shape of `shared/bench/gen_reviews.py` (header
//! `review_id,created_at,channel,agent_id,agent_name,department,rating,content,order_id,customer_phone`,
//! Chinese text with commas, doubled quotes and ~1% embedded newlines), one row
//! every 1–60 seconds from 2026-01-01. The same arguments always give the same
//! bytes. Options: `--agents N` (default 500), `--seed S` (default 42),
//! `--max-gap SECONDS` between rows (default 60 for reviews, 600 for complaints),
//! `--names-only` (reviews name their agent by name alone, as Taobao's 接待客服
//! does: the agent_id column left empty).

use std::io::{self, BufWriter, Write};

/// SplitMix64: small, fast, deterministic; no dependency needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const CHANNELS: &[&str] = &[
    "在线客服",
    "在线客服",
    "在线客服",
    "电话",
    "电话",
    "微信",
    "APP",
    "邮件",
    "淘宝",
    "京东",
    "抖音",
];
const DEPARTMENTS: &[&str] = &[
    "售前组",
    "售后一组",
    "售后二组",
    "投诉组",
    "VIP专席",
    "物流组",
    "技术支持",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛",
];
const OPENERS: &[&str] = &[
    "客服",
    "你们的客服",
    "在线客服",
    "电话客服",
    "售后客服",
    "第三次联系了，客服",
    "订单的问题找了客服，结果",
    "昨天晚上咨询，",
];
const COMPLAINTS: &[&str] = &[
    "态度很差",
    "不耐烦",
    "敷衍了事",
    "挂我电话",
    "语气很冲",
    "回复太慢",
    "半天没人理",
    "等了一个小时",
    "一问三不知",
    "说的都是错的",
    "业务不熟练",
    "问题一直没解决",
    "退款到现在没到账",
    "说好的回电没打",
    "推来推去",
    "泄露了我的手机号",
];
const NEUTRAL: &[&str] = &[
    "我买的东西到现在还没到",
    "物流信息一直不更新",
    "商品有质量问题",
    "申请了售后",
    "发票开错了",
    "优惠券用不了",
    "说是系统问题",
    "让我等通知",
    "前后换了三个人",
    "真的很失望",
    "希望改进",
    "麻烦给个说法",
    "order not received",
    "VIP",
];
const QUOTED: &[&str] = &[
    "说\"马上处理\"",
    "回了一句\"不知道\"",
    "只会说\"请耐心等待\"",
];
const RULES: &[&str] = &[
    "praise-letter",
    "suggestion-adopted",
    "no-badge",
    "emotional-behaviour",
    "office-image",
    "disobeying",
    "absent-meeting",
];

fn agent(i: u64) -> (String, String, &'static str) {
    let mut r = Rng(i.wrapping_mul(7919));
    let name = format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN));
    (
        format!("A{}", 1000 + i),
        name,
        DEPARTMENTS[(i % DEPARTMENTS.len() as u64) as usize],
    )
}

fn content(r: &mut Rng) -> String {
    let mut text = String::from(r.pick(OPENERS));
    for _ in 0..(1 + r.below(3)) {
        text.push_str(r.pick(&["，", ",", "。", "！", " "]));
        text.push_str(r.pick(COMPLAINTS));
    }
    if r.chance(6) {
        text.push('，');
        text.push_str(r.pick(QUOTED));
    }
    while text.chars().count() < 20 + r.below(50) as usize {
        text.push('，');
        text.push_str(r.pick(NEUTRAL));
    }
    if r.chance(1) {
        let cut = text
            .char_indices()
            .nth(text.chars().count() / 2)
            .map_or(0, |(i, _)| i);
        text.insert(cut, '\n');
    }
    text
}

/// CSV-quotes a field when it needs it.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn timestamp(seconds_since_2026: u64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (base + chrono::Duration::seconds(seconds_since_2026 as i64))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: gen_exports reviews|complaints|agents|events ROWS [--agents N] [--seed S] [--max-gap SECONDS] [--names-only]";
    let kind = args.first().map(String::as_str).unwrap_or("");
    let rows: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        eprintln!("{usage}");
        std::process::exit(2)
    });
    let opt = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let agents = opt("--agents", 500).max(1);
    let max_gap = opt("--max-gap", if kind == "complaints" { 600 } else { 60 }).max(1);
    let names_only = args.iter().any(|a| a == "--names-only");
    let mut r = Rng(opt("--seed", 42));
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    let mut t = 0u64;
    match kind {
        "reviews" | "complaints" => {
            let complaints = kind == "complaints";
            if complaints {
                writeln!(
                    out,
                    "投诉编号,投诉时间,来源,客服工号,投诉内容,责任认定,是否成立,联系电话"
                )?;
            } else {
                writeln!(out, "review_id,created_at,channel,agent_id,agent_name,department,rating,content,order_id,customer_phone")?;
            }
            for i in 0..rows {
                t += 1 + r.below(max_gap);
                let (id, name, dept) = agent(r.below(agents));
                let phone = format!(
                    "1{}{}****{:04}",
                    3 + r.below(7),
                    r.below(10),
                    r.below(10_000)
                );
                if complaints {
                    let resp =
                        r.pick(&["个人", "个人", "个人", "团队协作", "流程缺陷", "外部因素"]);
                    let valid = r.pick(&["成立", "成立", "不成立", "待定"]);
                    writeln!(
                        out,
                        "C{:09},{},{},{id},{},{resp},{valid},{phone}",
                        i,
                        timestamp(t),
                        r.pick(&["电话", "邮件", "在线表单"]),
                        field(&content(&mut r))
                    )?;
                } else {
                    let rating = r.pick(&["1", "1", "1", "1", "1", "1", "2", "2", "2", "3"]);
                    let order = if r.chance(5) {
                        String::new()
                    } else {
                        format!(
                            "{}",
                            100_000_000_000_000_000 + r.below(900_000_000_000_000_000)
                        )
                    };
                    let id = if names_only { "" } else { id.as_str() };
                    writeln!(
                        out,
                        "R{},{},{},{id},{name},{dept},{rating},{},{order},{phone}",
                        20_260_000_000u64 + i,
                        timestamp(t),
                        r.pick(CHANNELS),
                        field(&content(&mut r))
                    )?;
                }
            }
        }
        "agents" => {
            writeln!(out, "工号,客服姓名,部门,组长工号,入职日期,离职日期")?;
            for i in 0..rows {
                let (id, name, dept) = agent(i);
                let leader = format!("A{}", 1000 + (i % DEPARTMENTS.len() as u64));
                let leader = if leader == id { String::new() } else { leader };
                writeln!(out, "{id},{name},{dept},{leader},2024-01-01,")?;
            }
        }
        "events" => {
            writeln!(out, "event_id,date,agent_id,rule,count,note")?;
            for i in 0..rows {
                t += 1 + r.below(60);
                let (id, _, _) = agent(r.below(agents));
                writeln!(
                    out,
                    "E{i:09},{},{id},{},1,",
                    &timestamp(t)[..10],
                    r.pick(RULES)
                )?;
            }
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
    out.flush()
}
