//! The identity of records an export gives no id for: a key made from the
//! fields that say which record it is (when, what was said, by whom), not
//! from those that change as it is handled (validity, responsibility, a
//! declared cause, 是否核实, 次数, a reference, the agent of a complaint,
//! extra columns). A complaint log re-exported after
//! a manager filled in 是否成立, or an event sheet after 是否核实, updates
//! the records it had brought instead of adding each again.
//!
//! Records that share a key in one file and differ in some other field
//! (two praise letters for one agent on one day, each with its own note) are
//! told apart by their order among those rows: `k…`, `k….2`, `k….3`. A row
//! repeated in every field is the same record written twice (and the import
//! says so). The import and the store's upgrade of keys written by older
//! kefus (schema version 4) compute keys here, so both agree.

use std::collections::HashMap;

use xxhash_rust::xxh3::Xxh3;

/// Prefix of a key made here (older kefus wrote `h` + a hash of the whole
/// row, which changed with any field).
pub const PREFIX: char = 'k';

/// Key of a review or complaint: its time, content, order and customer.
/// `kept_time` is the time as the store keeps it across a change of the
/// workspace timezone ([`crate::dates::kept_time`]). The content
/// counts with its whitespace collapsed (an export's cell and the same
/// text in a CSV differ in line breaks). The order and the customer are
/// what tells apart two rating-only reviews of one second in a platform
/// export. Not part of it: the agent (a complaint reassigned to another
/// agent is the same complaint), the rating (a customer who revises 差评 to
/// 好评 revises the same review), the phone (complaint logs often get it
/// later), and everything of its handling.
pub fn feedback_key(
    kept_time: i64,
    content: Option<&str>,
    order_id: Option<&str>,
    customer: Option<&str>,
) -> u64 {
    let mut h = KeyHash::new(b"feedback");
    h.int(kept_time);
    match content {
        None => h.absent(),
        Some(text) => {
            h.0.update(&[1]);
            for word in text.split_whitespace() {
                h.0.update(word.as_bytes());
                h.0.update(b" ");
            }
            h.0.update(&[0]);
        }
    }
    h.text(order_id).text(customer);
    h.0.digest()
}

/// Key of a recorded reward/penalty event: agent, day, rule and note (备注:
/// what tells two praise letters of one day apart). Not the count (a
/// corrected 次数 updates the event), the reference (关联单号, often filled
/// in later) or whether it was verified.
pub fn event_key(agent_id: &str, day: i64, rule_id: &str, note: Option<&str>) -> u64 {
    let mut h = KeyHash::new(b"event");
    h.text(Some(agent_id))
        .int(day)
        .text(Some(rule_id))
        .text(note);
    h.0.digest()
}

/// The id a record with `key` is stored under, `occurrence` its place among
/// the differing rows of one file that share the key (1 for the first).
pub fn ext_id(key: u64, occurrence: u32) -> String {
    if occurrence <= 1 {
        format!("{PREFIX}{key:016x}")
    } else {
        format!("{PREFIX}{key:016x}.{occurrence}")
    }
}

/// Whether `id` is one made here rather than the export's own.
pub fn is_derived(id: &str) -> bool {
    let Some(rest) = id.strip_prefix(PREFIX) else {
        return false;
    };
    let (hex, occurrence) = rest.split_once('.').unwrap_or((rest, "1"));
    hex.len() == 16
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
        && !occurrence.is_empty()
        && occurrence.bytes().all(|b| b.is_ascii_digit())
}

/// Values framed by their length or absence, so that no two lists of values
/// run together.
struct KeyHash(Xxh3);

impl KeyHash {
    fn new(kind: &[u8]) -> KeyHash {
        let mut h = Xxh3::new();
        h.update(kind);
        h.update(&[0]);
        KeyHash(h)
    }

    fn absent(&mut self) {
        self.0.update(&[0]);
    }

    fn text(&mut self, v: Option<&str>) -> &mut KeyHash {
        match v {
            None => self.absent(),
            Some(s) => {
                self.0.update(&[1]);
                self.0.update(&(s.len() as u64).to_le_bytes());
                self.0.update(s.as_bytes());
            }
        }
        self
    }

    fn int(&mut self, n: i64) -> &mut KeyHash {
        self.0.update(&n.to_le_bytes());
        self
    }
}

/// The keys seen in one file, to number the differing rows that share one.
/// Memory: ~20 bytes per id-less row of the file, ~50 for one that shares
/// its key with an earlier, differing one (exports with ids cost nothing).
#[derive(Debug, Default)]
pub struct Occurrences {
    /// Key → hash of the whole row that first had it.
    first: HashMap<u64, u64>,
    /// (key, row hash) → place of a later differing row with that key
    /// (2, 3 …), and key → how many such rows there were: a lookup each,
    /// however many rows share a key (a list searched per row took 16 s
    /// for 200,000 rows of one day's 系统默认好评 with a date only).
    places: HashMap<(u64, u64), u32>,
    later: HashMap<u64, u32>,
}

impl Occurrences {
    /// The id of the row with `key` whose every field hashes to `row`: the
    /// key numbered by its place among the file's differing rows with that
    /// key; a row equal to an earlier one gets the earlier one's id.
    pub fn ext_id(&mut self, key: u64, row: u64) -> String {
        let first = *self.first.entry(key).or_insert(row);
        if first == row {
            return ext_id(key, 1);
        }
        let place = *self.places.entry((key, row)).or_insert_with(|| {
            let n = self.later.entry(key).or_default();
            *n += 1;
            *n + 1
        });
        ext_id(key, place)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_keys_ignore_whitespace_and_handling() {
        let a = feedback_key(100, Some("客服 态度差\r\n很差"), Some("O1"), None);
        let b = feedback_key(100, Some(" 客服 态度差\n很差 "), Some("O1"), None);
        assert_eq!(a, b);
        assert_ne!(
            a,
            feedback_key(101, Some("客服 态度差\n很差"), Some("O1"), None)
        );
        assert_ne!(
            a,
            feedback_key(100, Some("客服态度差很差"), Some("O1"), None)
        );
        // An order id and a customer name with the same text are different.
        assert_ne!(
            feedback_key(100, None, Some("X"), None),
            feedback_key(100, None, None, Some("X"))
        );
        assert_ne!(
            feedback_key(100, Some(""), None, None),
            feedback_key(100, None, None, None)
        );
    }

    #[test]
    fn event_keys_name_agent_day_rule_and_note() {
        let k = event_key("KF001", 20000, "praise-letter", None);
        assert_eq!(k, event_key("KF001", 20000, "praise-letter", None));
        assert_ne!(k, event_key("KF002", 20000, "praise-letter", None));
        assert_ne!(k, event_key("KF001", 20001, "praise-letter", None));
        assert_ne!(
            k,
            event_key("KF001", 20000, "praise-letter", Some("张先生来信"))
        );
    }

    #[test]
    fn differing_rows_that_share_a_key_are_numbered_in_order() {
        let mut seen = Occurrences::default();
        assert_eq!(seen.ext_id(0xab, 1), "k00000000000000ab");
        assert_eq!(seen.ext_id(0xab, 2), "k00000000000000ab.2");
        assert_eq!(seen.ext_id(0xcd, 2), "k00000000000000cd");
        assert_eq!(seen.ext_id(0xab, 3), "k00000000000000ab.3");
        // A row written twice is one record.
        assert_eq!(seen.ext_id(0xab, 2), "k00000000000000ab.2");
        assert_eq!(seen.ext_id(0xab, 1), "k00000000000000ab");
        assert!(is_derived("k00000000000000ab") && is_derived("k00000000000000ab.12"));
        for id in [
            "K001",
            "k00000000000000a",
            "h00000000000000ab",
            "k00000000000000ab.",
        ] {
            assert!(!is_derived(id), "{id}");
        }
    }
}
