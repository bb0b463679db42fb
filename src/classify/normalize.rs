//! Text normalisation before matching: lower case, full-width ASCII to
//! half-width, Traditional to Simplified characters (the common ones in
//! reviews), apostrophes inside words removed (didn't → didnt; a single
//! quote around words stays, as `'`), and configured rewrites (typos, slang).

use aho_corasick::{AhoCorasick, MatchKind};

/// Traditional → Simplified pairs for characters common in reviews and
/// complaints (not a full converter: a table of what customers write).
const TRADITIONAL: &str = "態态應应覆复題题決决專专業业電电話话問问沒没說说這这們们務务個个處处貨货還还錯错誤误聯联繫系係系\
讓让對对時时間间長长無无語语氣气極极來来後后會会麼么為为點点頭头單单號号隱隐洩泄掛挂罵骂兇凶禮礼誠诚實实辦办難难\
壞坏換换賠赔償偿補补遲迟遠远訊讯見见覺觉聽听識识們们說说謝谢請请讀读寫写記记錄录認认證证議议論论該该詢询諮咨\
調调查查確确質质價价費费運运輸输郵邮遞递寄寄發发貨货單单據据帳账賬账戶户費费買买賣卖層层樣样產产品品號号碼码\
機机網网線线頁页軟软體体顯显示示網网絡络響响應应慢慢態态們们幫帮處处給给這这樣样個个們们點点頭头氣气極极爛烂\
氣气憤愤煩烦躁躁惱恼罵骂嗎吗呢呢麼么啊啊嗎吗吧吧還还歡欢喜喜愛爱討讨厭厌惡恶劣劣差差評评價价論论壇坛\
誰谁嗎吗麼么當当從从將将經经過过進进開开關关閉闭門门問问間间聞闻閒闲員员圓圆團团國国圖图園园場场塊块\
壓压廠厂廣广歸归夠够夢梦頭头實实寶宝審审寬宽導导將将尋寻對对屬属歲岁島岛帶带師师幣币廢废彈弹歷历\
復复徵征態态慮虑戀恋戰战擊击擔担據据擇择擬拟擴扩攏拢攝摄敗败數数斷断於于舊旧曉晓暫暂術术樂乐標标\
樹树橋桥檢检歡欢殘残殺杀氣气滅灭漢汉濃浓濟济無无煙烟熱热燈灯爭争牆墙狀状獎奖獨独環环現现瑣琐畫画\
療疗發发盡尽盤盘碼码確确禮礼種种稱称穩稳窮穷競竞筆笔節节範范築筑簡简糧粮級级紀纪約约紅红純纯紙纸\
細细終终組组結结絕绝統统絲丝經经綁绑網网緊紧線线練练縣县總总績绩續续罰罚義义習习聖圣聲声職职\
腦脑臉脸興兴舉举舊旧艱艰藝艺蘋苹號号蟲虫衛卫衝冲裝装裡里複复見见規规視视親亲覽览觀观觸触計计訂订\
認认討讨訓训託托記记訪访設设許许訴诉診诊詞词試试詳详誇夸該该誤误說说課课調调談谈請请諒谅論论諸诸\
講讲謝谢證证識识警警護护讀读變变讓让負负貝贝財财責责貢贡貧贫貴贵費费貼贴賀贺資资賓宾質质購购\
趕赶趨趋跡迹踐践車车軍军軟软較较載载輕轻輛辆輩辈輪轮轉转辦办辭辞農农這这連连週周進进遊游運运\
過过達达違违遠远適适遲迟選选遺遗邊边郵邮鄉乡醫医釋释針针鈴铃銀银銷销鋪铺錢钱錶表鍵键鎖锁鏈链\
門门閃闪閉闭開开閑闲間间閱阅隊队階阶際际陳陈陸陆險险隨随隱隐雜杂雙双雞鸡離离難难電电需需霧雾靈灵\
韓韩頁页頂顶項项順顺須须預预領领頻频題题額额顏颜願愿類类顧顾風风飛飞飯饭飽饱養养餘余館馆馬马驗验\
體体髮发鬥斗鬧闹魚鱼鳥鸟鹽盐麥麦黃黄齊齐齒齿龍龙龜龟嚴严團团圍围壞坏奮奋婦妇媽妈孫孙學学寧宁\
嘆叹噴喷嚇吓嗆呛囉啰噁恶擺摆搶抢掃扫揀拣損损搖摇撥拨撿捡擋挡擠挤攤摊敵敌斂敛暈晕棄弃榮荣歐欧\
氫氢漲涨滯滞滾滚潔洁澀涩瀏浏灑洒爐炉燒烧犧牺獲获瑪玛癥症皺皱盜盗監监睜睁礎础穀谷窩窝竊窃籤签\
糾纠紛纷級级纖纤罷罢羅罗聰聪膽胆膚肤艙舱蘭兰虛虚蝕蚀袞衮製制褲裤覽览訝讶詐诈詢询諾诺謊谎謠谣\
豬猪賴赖賺赚贈赠贊赞跡迹躍跃輸输遞递邏逻鄰邻銳锐錄录鍋锅闆板闖闯陰阴隻只雖虽雲云靜静韻韵頸颈\
頗颇頹颓顆颗飄飘餐餐饑饥騙骗騷骚驚惊髒脏鬆松麵面黴霉點点黨党";

/// First and last code point of the CJK Unified Ideographs block, where every
/// Traditional character of the table lives.
const CJK_FIRST: u32 = 0x4E00;
const CJK_LAST: u32 = 0x9FFF;

/// How one normalisation pass works: a character map and optional rewrites.
pub struct Normalizer {
    /// Simplified form of each CJK ideograph (itself when it has none),
    /// indexed by code point − [`CJK_FIRST`]: a lookup, not a hash, per character.
    chars: Vec<char>,
    /// One bit per CJK ideograph: set when `chars` changes it.
    changed: Vec<u64>,
    rewrites: Option<(AhoCorasick, Vec<String>)>,
}

impl Normalizer {
    /// Builds a normaliser with `rewrites` (from → to) applied after the
    /// character mapping.
    pub fn new(rewrites: &[(String, String)]) -> Normalizer {
        let mut chars: Vec<char> = (CJK_FIRST..=CJK_LAST)
            .map(|c| char::from_u32(c).unwrap_or(' '))
            .collect();
        let mut it = TRADITIONAL.chars();
        while let (Some(t), Some(s)) = (it.next(), it.next()) {
            if (CJK_FIRST..=CJK_LAST).contains(&(t as u32)) {
                chars[(t as u32 - CJK_FIRST) as usize] = s;
            }
        }
        let mut changed = vec![0u64; chars.len().div_ceil(64)];
        for (i, &c) in chars.iter().enumerate() {
            if c as u32 != CJK_FIRST + i as u32 {
                changed[i / 64] |= 1 << (i % 64);
            }
        }
        let rewrites = if rewrites.is_empty() {
            None
        } else {
            let from: Vec<String> = rewrites
                .iter()
                .map(|(f, _)| normalize_chars(f, &chars, &changed))
                .collect();
            let to: Vec<String> = rewrites.iter().map(|(_, t)| t.clone()).collect();
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&from)
                .expect("rewrite patterns are plain strings");
            Some((ac, to))
        };
        Normalizer {
            chars,
            changed,
            rewrites,
        }
    }

    /// Normalises `text` into `out` (cleared first).
    pub fn normalize_into(&self, text: &str, out: &mut String) {
        out.clear();
        push_normalized(text, &self.chars, &self.changed, out);
        if let Some((ac, to)) = &self.rewrites {
            if ac.is_match(out.as_str()) {
                let replaced = ac.replace_all(out, to);
                *out = replaced;
            }
        }
    }

    /// Normalises a pattern (a rule phrase) the way text will be normalised.
    pub fn normalize_pattern(&self, text: &str) -> String {
        normalize_chars(text, &self.chars, &self.changed)
    }
}

/// `text` with its characters normalised (no rewrites).
fn normalize_chars(text: &str, map: &[char], changed: &[u64]) -> String {
    let mut out = String::with_capacity(text.len());
    push_normalized(text, map, changed, &mut out);
    out
}

/// Appends the normalised `text` to `out`. Most of a Chinese review is
/// ideographs that stay as they are: runs of unchanged text are copied as
/// they are, and only characters that change are looked at one by one.
fn push_normalized(text: &str, map: &[char], changed: &[u64], out: &mut String) {
    out.reserve(text.len());
    let bytes = text.as_bytes();
    let mut run = 0; // start of the unchanged text not yet copied
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (len, replacement) = match b {
            b'A'..=b'Z' => (1, Some(b.to_ascii_lowercase() as char)),
            b'\'' if inside_word(out, &text[run..i], &text[i + 1..], map) => (1, None),
            0..0x80 => {
                i += 1;
                continue;
            }
            // U+4E00–U+9FFF: three bytes, lead byte E4–E9 (E4 80–B7 is
            // below the block). Decoded by hand: the text is valid UTF-8.
            0xE4..=0xE9 => {
                let (b1, b2) = (bytes[i + 1], bytes[i + 2]);
                let c =
                    u32::from(b & 0x0F) << 12 | u32::from(b1 & 0x3F) << 6 | u32::from(b2 & 0x3F);
                match c.checked_sub(CJK_FIRST) {
                    Some(k) if changed[k as usize / 64] >> (k % 64) & 1 == 1 => {
                        (3, Some(map[k as usize]))
                    }
                    _ => {
                        i += 3;
                        continue;
                    }
                }
            }
            _ => {
                let c = text[i..].chars().next().unwrap_or(' ');
                let len = c.len_utf8();
                if matches!(c, '’' | '‘') {
                    let inside = inside_word(out, &text[run..i], &text[i + len..], map);
                    (len, (!inside).then_some('\''))
                } else {
                    match normalize_other(c, map) {
                        Some(n) if n == c => {
                            i += len;
                            continue;
                        }
                        n => (len, n),
                    }
                }
            }
        };
        out.push_str(&text[run..i]);
        if let Some(c) = replacement {
            out.push(c);
        }
        i += len;
        run = i;
    }
    out.push_str(&text[run..]);
}

/// Whether an apostrophe sits between two letters or digits (didn't,
/// o'clock): `done` is the output so far, `pending` the input after it not
/// yet copied, `after` the input after the apostrophe.
fn inside_word(done: &str, pending: &str, after: &str, map: &[char]) -> bool {
    let before = pending
        .chars()
        .next_back()
        .or_else(|| done.chars().next_back());
    let next = after.chars().next().and_then(|c| normalize_other(c, map));
    before
        .and_then(|c| normalize_other(c, map))
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && next.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The normalised form of a character outside ASCII and the CJK block
/// (`None`: dropped); ASCII and CJK characters come back as they are.
fn normalize_other(c: char, map: &[char]) -> Option<char> {
    Some(match c {
        '\u{3000}' => ' ',
        '\u{FF21}'..='\u{FF3A}' => char::from_u32(c as u32 - 0xFEE0 + 32).unwrap_or(c),
        // Full-width ASCII, except the Chinese punctuation people type on
        // purpose (，！？：；) which stays as it is; it splits clauses either way.
        '\u{FF01}'..='\u{FF5E}' if !matches!(c, '，' | '！' | '？' | '：' | '；') => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => match (c as u32).checked_sub(CJK_FIRST) {
            Some(i) if c as u32 <= CJK_LAST => map[i as usize],
            _ => c,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_width_traditional_and_typos() {
        let n = Normalizer::new(&[("太度".into(), "态度".into())]);
        let mut out = String::new();
        n.normalize_into("客服態度很差，回覆太慢 ＡＢＣ Didn't", &mut out);
        assert_eq!(out, "客服态度很差，回复太慢 abc didnt");
        n.normalize_into("太度极差", &mut out);
        assert_eq!(out, "态度极差");
        n.normalize_into("", &mut out);
        assert_eq!(out, "");
        n.normalize_into("ＡＢ’Ｃ😀說A\'b。態", &mut out);
        assert_eq!(out, "abc😀说ab。态");
        // Quotes around words stay (a quoted reply is evidence).
        n.normalize_into("She said 'Read it yourself' and ‘left’, o'clock", &mut out);
        assert_eq!(out, "she said 'read it yourself' and 'left', oclock");
    }
}
