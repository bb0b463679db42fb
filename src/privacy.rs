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

/// Masks phone numbers inside free text, as customers write them: mainland
/// mobiles (13912345678, 139-1234-5678, 139 1234 5678, with or without +86,
/// 0086 or 86 in front) and landlines with their area code (0755-12345678).
/// Other runs of digits (order numbers, amounts, dates) are left alone.
pub fn mask_phones_in_text(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let after_digit = i > 0 && bytes[i - 1].is_ascii_digit();
        if !after_digit {
            if let Some((end, masked)) = phone_at(text, i) {
                out.push_str(&masked);
                i = end;
                continue;
            }
        }
        let run = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if run > 0 {
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

/// A phone number starting at byte `i` of `text`: where it ends and its
/// masked form (a country prefix kept as written).
fn phone_at(text: &str, i: usize) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    let rest = &text[i..];
    let mut prefix = ["+86", "0086"]
        .iter()
        .find(|p| rest.starts_with(**p))
        .map_or(0, |p| p.len());
    if prefix > 0 && matches!(bytes.get(i + prefix), Some(b' ' | b'-')) {
        prefix += 1;
    }
    // Groups of digits joined by single spaces or hyphens.
    let mut groups: Vec<(usize, usize)> = vec![];
    let mut j = i + prefix;
    loop {
        let run = bytes[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if run == 0 || groups.len() == 3 {
            break;
        }
        groups.push((j, j + run));
        j += run;
        let joined = matches!(bytes.get(j), Some(b' ' | b'-'))
            && bytes.get(j + 1).is_some_and(u8::is_ascii_digit);
        if !joined {
            break;
        }
        j += 1;
    }
    let (&(first, _), &(_, end)) = (groups.first()?, groups.last()?);
    if bytes.get(end).is_some_and(u8::is_ascii_digit) || groups.len() == 3 && j > end {
        return None;
    }
    let lens: Vec<usize> = groups.iter().map(|(a, b)| b - a).collect();
    let digits: String = groups.iter().map(|&(a, b)| &text[a..b]).collect();
    let mobile = |d: &str| d.len() == 11 && d.starts_with('1');
    let masked = match lens.as_slice() {
        [11] | [3, 4, 4] if mobile(&digits) => mask_phone(&digits),
        // 8613912345678: the country code without a plus.
        [13] if prefix == 0 && digits.starts_with("86") && mobile(&digits[2..]) => {
            format!("86{}", mask_phone(&digits[2..]))
        }
        // A landline: area code 0xx or 0xxx, then 7 or 8 digits.
        [3 | 4, 7 | 8] if prefix == 0 && digits.starts_with('0') => {
            format!(
                "{}-****{}",
                &text[first..groups[0].1],
                &digits[digits.len() - 4..]
            )
        }
        _ => return None,
    };
    Some((end, format!("{}{masked}", &text[i..i + prefix])))
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
        for (text, masked) in [
            ("回电139-1234-5678", "回电139****5678"),
            ("回电 139 1234 5678 谢谢", "回电 139****5678 谢谢"),
            ("回电+8613912345678", "回电+86139****5678"),
            ("call +86 139 1234 5678.", "call +86 139****5678."),
            ("0086-13912345678", "0086-139****5678"),
            ("8613912345678", "86139****5678"),
            ("座机0755-12345678找我", "座机0755-****5678找我"),
            ("010 87654321", "010-****4321"),
        ] {
            assert_eq!(mask_phones_in_text(text), masked, "{text}");
        }
        // Not phone numbers: dates, amounts, order numbers, longer runs.
        for text in [
            "2026-11-20 10:00",
            "退了 1 200 元",
            "单号 1391234567890",
            "139-1234-5678-9",
            "12345 678 9012",
            "订单 23912345678",
        ] {
            assert_eq!(mask_phones_in_text(text), text);
        }
    }
}
