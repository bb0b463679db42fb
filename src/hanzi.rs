//! Chinese script: Traditional characters folded to Simplified, so that what
//! users type and exports write matches whichever script they use: headers
//! (評價時間 as 评价时间), ratings (差評), causes (服務態度), yes/no and
//! validity words, rule names, agents' names, and the classifier's text.
//! Character by character, not a converter of words: names are stored as
//! written, and only compared in folded form.

use std::sync::OnceLock;

/// Traditional → Simplified pairs, two characters each, all in the CJK
/// Unified Ideographs block ([`CJK_FIRST`]..=[`CJK_LAST`]).
pub const TRADITIONAL: &str = "態态應应覆复題题決决專专業业電电話话問问沒没說说這这們们務务個个處处貨货還还錯错誤误聯联繫系係系\
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
頗颇頹颓顆颗飄飘餐餐饑饥騙骗騷骚驚惊髒脏鬆松麵面黴霉點点黨党\
兩两內内況况準准則则創创別别動动協协參参崗岗備备異异張张懲惩暱昵滿满編编註注\
偉伟劉刘楊杨趙赵強强";

/// Every Traditional-only character and its Simplified form (2,700 of
/// them: names, rule names and registers use far more than reviews do),
/// from `hanzi_t2s.txt` (see its header for where it comes from).
fn full_table() -> impl Iterator<Item = (char, char)> {
    include_str!("hanzi_t2s.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut chars = l.chars().filter(|c| !c.is_whitespace());
            Some((chars.next()?, chars.next()?))
        })
}

/// First and last code point of the CJK Unified Ideographs block, where every
/// Traditional character of the table lives.
pub const CJK_FIRST: u32 = 0x4E00;
pub const CJK_LAST: u32 = 0x9FFF;

/// The Simplified form of `c` when the table has one; `c` otherwise.
pub fn simplified(c: char) -> char {
    static TABLE: OnceLock<Vec<char>> = OnceLock::new();
    let Some(i) = (c as u32)
        .checked_sub(CJK_FIRST)
        .filter(|_| c as u32 <= CJK_LAST)
    else {
        return c;
    };
    let table = TABLE.get_or_init(|| {
        let mut chars: Vec<char> = (CJK_FIRST..=CJK_LAST)
            .map(|c| char::from_u32(c).unwrap_or(' '))
            .collect();
        let mut set = |t: char, s: char| {
            if let Some(i) = (t as u32).checked_sub(CJK_FIRST) {
                if let Some(slot) = chars.get_mut(i as usize) {
                    *slot = s;
                }
            }
        };
        for (t, s) in full_table() {
            set(t, s);
        }
        // The reviews' table last: where the two differ (帳 as 账), it wins.
        let mut it = TRADITIONAL.chars();
        while let (Some(t), Some(s)) = (it.next(), it.next()) {
            set(t, s);
        }
        chars
    });
    table[i as usize]
}

/// The 500 characters most frequent in the labelled reviews and the
/// fixtures' exports, in Simplified form (a Traditional character counts
/// through [`simplified`]): what encoding detection counts to tell a GBK
/// file from a Big5 one.
const COMMON: &str =
    "了我的一是不说服客个问没就人都在这回到来还话后天电上有打能你好次三时要给退们去家\
她么那也理小发接机下多等过题得自直单点两句可十看里会费又快着用把工第手出本开找月\
前子结让半分号款完换才信跟复已被吗现线二真店全度气己买车诉台很道修再钱果您员面行\
最明门对收处事他只请什货每中以错口系想解样排提定转通新知大五同业啊重程心态别公地\
钟根清保卡动投经差师但帮查周件太挺改听扣怎为间连装规务作网方报当东司补交几谁申价\
年然息记期示底流边专办整商呢头意带成递证块平票消日生售候老写加答进包算外内反照懂\
白水器显送品按实账遍音啥四傅房热订西字亲户慢录挂队调种决楚和条哪合联物赔吧关讲倒\
码管认无统身部站应正签核走原超午寄儿百卖从急法早推告医份区拿晚跑做约址情空干坏耐\
张续教另班银八语安贵起礼金歉箱比页于运宝入图今之姐少冷哦路充先断住套受位取表顾确\
留登级该眼量数营见花官忙速孩名刷片封餐险场检常销满压求声待格七聊放则翻院料高设评\
柜菜楼拉六像书截付偿主搞洗免冰圈课言吃微刚酒秒体团烦嘛券叫饭支活厅质计变误因案骑\
拍学药盒千板停宽笑持配审怪丢产预长播效值死步病响远隔嗯离漏更拜询掉任承它折验便制\
升哥航催毛爱操光视弄失黑脸版驿试感所释始";

/// The characters of written Cantonese most frequent in Hong Kong reviews
/// (咗, 冇, 嘅, 唔 …), common there though rare in the labelled sets: a short
/// Big5 file of Cantonese (等咗好耐都冇人覆) is told from GBK by them.
const CANTONESE: &str = "咗冇嘅啲唔佢哋喺嘢睇畀俾咩乜嚟嗰噉咁啱揾搵嘥攞";

/// Whether `c` (in either script) is among the characters most frequent in
/// reviews and exports.
pub fn is_common(c: char) -> bool {
    static BITS: OnceLock<Vec<u64>> = OnceLock::new();
    let bits = BITS.get_or_init(|| {
        let mut bits = vec![0u64; ((CJK_LAST - CJK_FIRST) as usize + 1).div_ceil(64)];
        for c in COMMON.chars().chain(CANTONESE.chars()) {
            let i = (c as u32 - CJK_FIRST) as usize;
            bits[i / 64] |= 1 << (i % 64);
        }
        bits
    });
    let c = simplified(c) as u32;
    (CJK_FIRST..=CJK_LAST).contains(&c) && {
        let i = (c - CJK_FIRST) as usize;
        bits[i / 64] >> (i % 64) & 1 == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_pairs_inside_the_block() {
        let chars: Vec<char> = TRADITIONAL.chars().collect();
        assert_eq!(chars.len() % 2, 0);
        assert!(chars
            .iter()
            .all(|&c| (CJK_FIRST..=CJK_LAST).contains(&(c as u32))));
    }

    #[test]
    fn folds_the_characters_of_export_headers_and_terms() {
        let fold = |s: &str| s.chars().map(simplified).collect::<String>();
        assert_eq!(fold("評價時間"), "评价时间");
        assert_eq!(fold("評價內容"), "评价内容");
        assert_eq!(fold("買家暱稱"), "买家昵称");
        assert_eq!(fold("組別"), "组别");
        assert_eq!(fold("備註"), "备注");
        assert_eq!(fold("差評"), "差评");
        assert_eq!(fold("服務態度"), "服务态度");
        assert_eq!(fold("獎懲項目"), "奖惩项目");
        // Names and rule names, from the full table (found by exploratory
        // testing: 鄭家豪 was not the roster's 郑家豪).
        assert_eq!(
            fold("鄭家豪羅嘉儀黃麗娟鍾書豪賴俊傑蘇怡君葉秀英歐陽志遠區家樂"),
            "郑家豪罗嘉仪黄丽娟钟书豪赖俊杰苏怡君叶秀英欧阳志远区家乐"
        );
        assert_eq!(
            fold("書面表揚合理化建議被採納情緒化行為舉報違法違紀團隊建設貢獻"),
            "书面表扬合理化建议被采纳情绪化行为举报违法违纪团队建设贡献"
        );
        // Simplified characters of their own stay (乾 is a surname, 著 a word).
        assert_eq!(fold("乾著"), "乾著");
        assert_eq!(full_table().count(), 2709);
        // Simplified and other characters stay as they are.
        assert_eq!(fold("评价时间 abc ★"), "评价时间 abc ★");
    }

    #[test]
    fn common_characters_in_either_script() {
        assert_eq!(COMMON.chars().count(), 500);
        assert!(COMMON
            .chars()
            .all(|c| (CJK_FIRST..=CJK_LAST).contains(&(c as u32))));
        assert!(is_common('的') && is_common('态') && is_common('態'));
        assert!(CANTONESE.chars().all(is_common));
        assert!(!is_common('a') && !is_common('，') && !is_common('龘'));
    }
}
