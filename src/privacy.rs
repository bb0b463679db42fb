//! Masking of customer identifiers in reports (DOMAIN.md §6: the minimum
//! necessary identity data). Phone numbers keep the first 3 and last 4 digits
//! (138****1234); other customer ids and nicknames keep their first and last
//! character (t***9).

/// Masks a phone number: digits kept at both ends, the middle starred.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '*')
        .collect();
    if digits.len() >= 7 {
        let head: String = digits[..3].iter().collect();
        let tail: String = digits[digits.len() - 4..].iter().collect();
        format!("{head}****{tail}")
    } else {
        mask_id(phone)
    }
}

/// Masks a customer id or nickname: first and last character kept.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}***{}", chars[0], chars[n - 1]),
    }
}

/// Masks phone numbers inside free text (11-digit mainland mobiles).
pub fn mask_phones_in_text(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if run == 11 && bytes[i] == b'1' {
            out.push_str(&mask_phone(&text[i..i + 11]));
            i += 11;
        } else if run > 0 {
            out.push_str(&text[i..i + run]);
            i += run;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("138-1234-1234"), "138****1234");
        assert_eq!(mask_phone("181****0631"), "181****0631");
        assert_eq!(mask_id("tb_小猫咪9"), "t***9");
        assert_eq!(mask_id("王"), "*");
        assert_eq!(
            mask_phones_in_text("我的电话13812341234，别打"),
            "我的电话138****1234，别打"
        );
        assert_eq!(
            mask_phones_in_text("订单123456789012345678"),
            "订单123456789012345678"
        );
    }
}
