//! Time: parsing the timestamps exports really contain, and cutting days,
//! weeks, months, quarters and years in the workspace timezone.
//!
//! Instants are stored as Unix seconds (UTC). A "local day" is the number of
//! days since 1970-01-01 of the instant's date in the workspace timezone, so a
//! review stamped `2026-11-19T17:30:00Z` is on 2026-11-20 in Asia/Shanghai.
//! Naive timestamps (no offset) are read as workspace-local clock time: a
//! clock time that daylight saving time skips is an error, one it repeats is
//! the earlier (summer-time) reading.

use std::borrow::Cow;

use anyhow::{bail, Context, Result};
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc,
};
use chrono_tz::Tz;

use crate::domain::{fold_full_width, is_invisible, shown};

/// 1970-01-01, day 0 of the local-day numbering.
fn epoch_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

/// Days since 1970-01-01 of a calendar date.
pub fn day_number(date: NaiveDate) -> i64 {
    (date - epoch_date()).num_days()
}

/// The calendar date of a local-day number.
pub fn date_of_day(day: i64) -> NaiveDate {
    epoch_date() + Duration::days(day)
}

/// The local-day number of a UTC instant in `tz`.
pub fn local_day(ts: i64, tz: Tz) -> i64 {
    let utc = DateTime::<Utc>::from_timestamp(ts, 0).unwrap_or_default();
    day_number(utc.with_timezone(&tz).date_naive())
}

/// The local date and time of a UTC instant in `tz`.
pub fn local_datetime(ts: i64, tz: Tz) -> NaiveDateTime {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .unwrap_or_default()
        .with_timezone(&tz)
        .naive_local()
}

/// A feedback time as the store keeps it across a change of the workspace
/// timezone: a naive time by its clock reading in `tz` (seconds as if UTC),
/// a time written with an offset by its instant. What change detection and
/// the keys of records without an id compare.
pub fn kept_time(unix_seconds: i64, naive: bool, tz: Tz) -> i64 {
    if naive {
        local_datetime(unix_seconds, tz).and_utc().timestamp()
    } else {
        unix_seconds
    }
}

/// The UTC instant at which local midnight starts `date` in `tz`
/// (the first valid instant of the day where DST skips midnight).
pub fn start_of_day(date: NaiveDate, tz: Tz) -> i64 {
    let midnight = date.and_time(NaiveTime::MIN);
    instant_of_clock_time(midnight, tz).unwrap_or_else(|skipped| skipped.jump_at)
}

/// A local clock time that does not exist in a timezone because the clocks
/// jumped over it (the spring-forward hour of daylight saving time:
/// `2026-03-08 02:30` in America/New_York).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedClockTime {
    /// The clock time that was asked for.
    pub clock_time: NaiveDateTime,
    /// The timezone that skips it.
    pub tz: Tz,
    /// The clock reading at which the clocks jumped (02:00) …
    pub jump_from: NaiveDateTime,
    /// … and the one they jumped to (03:00).
    pub jump_to: NaiveDateTime,
    /// The instant of the jump: the first after the skipped clock times.
    pub jump_at: i64,
    /// The instant of the clock time read with the offset in force before
    /// the jump, which moves it forward by the jump (02:30 becomes 03:30):
    /// where it goes when it cannot be rejected.
    pub moved_forward: i64,
}

impl std::fmt::Display for SkippedClockTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The date only when the jump is not on the clock time's own day.
        let reading = |t: NaiveDateTime| {
            if t.date() == self.clock_time.date() {
                t.format("%H:%M").to_string()
            } else {
                t.format("%Y-%m-%d %H:%M").to_string()
            }
        };
        write!(
            f,
            "{} does not exist in {} (clocks go forward from {} to {})",
            self.clock_time.format("%Y-%m-%d %H:%M:%S"),
            self.tz.name(),
            reading(self.jump_from),
            reading(self.jump_to)
        )
    }
}

/// The instant of a local clock time in `tz`. On a DST overlap (the hour that
/// repeats when clocks go back) it is the earlier reading, summer time; a
/// clock time in a DST gap does not exist and is an error that says when the
/// clocks jumped.
pub fn instant_of_clock_time(naive: NaiveDateTime, tz: Tz) -> Result<i64, SkippedClockTime> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.timestamp()),
        LocalResult::Ambiguous(earlier, later) => Ok(earlier.timestamp().min(later.timestamp())),
        LocalResult::None => Err(skipped_clock_time(naive, tz)),
    }
}

/// Describes the gap that swallows `naive` in `tz`: the offsets a day before
/// and a day after tell the jump's size, and a binary search on seconds over
/// that span finds its instant (12 steps for an hour's jump). Only the error
/// path of a rare row pays for it.
fn skipped_clock_time(naive: NaiveDateTime, tz: Tz) -> SkippedClockTime {
    let offset_at = |ts: i64| -> i64 {
        let utc = DateTime::<Utc>::from_timestamp(ts, 0).unwrap_or_default();
        i64::from(
            tz.offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc(),
        )
    };
    // The clock reading's digits taken as if they were UTC.
    let reading = naive.and_utc().timestamp();
    let offset_before = offset_at(reading - 86_400);
    let offset_after = offset_at(reading + 86_400);
    // Read with the offset after the jump, the clock time falls before it;
    // read with the offset before, after it.
    let mut before_jump = reading - offset_after;
    let mut jump = reading - offset_before;
    while jump - before_jump > 1 {
        let mid = before_jump + (jump - before_jump) / 2;
        if offset_at(mid) == offset_before {
            before_jump = mid;
        } else {
            jump = mid;
        }
    }
    let clock_at = |ts: i64| {
        DateTime::<Utc>::from_timestamp(ts, 0)
            .unwrap_or_default()
            .naive_utc()
    };
    SkippedClockTime {
        clock_time: naive,
        tz,
        jump_from: clock_at(jump + offset_before),
        jump_to: clock_at(jump + offset_at(jump)),
        jump_at: jump,
        moved_forward: reading - offset_before,
    }
}

/// Parses a timezone name such as `Asia/Shanghai`.
pub fn parse_tz(name: &str) -> Result<Tz> {
    name.parse::<Tz>().map_err(|_| {
        anyhow::anyhow!("unknown timezone {name:?} (expected an IANA name such as Asia/Shanghai)")
    })
}

/// `t` without a leading 民國 (or 民国): its year is Taiwan's calendar's,
/// read as such by the three-digit year rule.
fn without_roc_era(t: &str) -> &str {
    ["民國", "民国"]
        .iter()
        .find_map(|era| t.strip_prefix(era))
        .map_or(t, str::trim_start)
}

/// The years of Taiwan's calendar (民國) read as such: 100 to 199, 2011 to
/// 2110 (a three-digit year outside, 999/11/20, is unreadable).
const ROC_YEARS_FIRST: i32 = 100;
const ROC_YEARS_LAST: i32 = 199;

/// Parses a timestamp as exports write it and returns Unix seconds (see
/// [`read_timestamp`]).
pub fn parse_timestamp(text: &str, tz: Tz) -> Result<i64, String> {
    read_timestamp(text, tz).map(|t| t.unix_seconds)
}

/// [`parse_timestamp`] with day and month before the year read in `order`.
pub fn parse_timestamp_as(text: &str, tz: Tz, order: DateOrder) -> Result<i64, String> {
    read_timestamp_as(text, tz, order).map(|t| t.unix_seconds)
}

/// How to read a date whose day and month come before the year and are
/// both 12 or less (`03/11/2026`): kefu will not guess (`Either`, the
/// default: one order only when the other is impossible, 20/11/2026), but an
/// import can be told (`--day-first`: Hong Kong, Macau and most of the
/// world; `--month-first`: the United States).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    #[default]
    Either,
    DayFirst,
    MonthFirst,
}

/// A timestamp as read from an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadTimestamp {
    /// The instant, Unix seconds (UTC).
    pub unix_seconds: i64,
    /// True when the export wrote a naive local clock time (no `Z`, no
    /// offset; Excel date cells too), read in the workspace timezone; false
    /// when an offset fixed the instant whatever the timezone.
    pub naive: bool,
}

/// Parses a timestamp as exports write it.
///
/// Accepted: `2026-11-20 09:05:33`, `2026-11-20 09:05`, `2026/11/20 9:05`,
/// `2026.11.20`, `2026-11-20` (midnight), `2026年11月20日 09:05`,
/// `2026年11月20日9时5分`, `2026年11月20日 下午3点`, a half-day word before or
/// after the clock time as Chinese Excel and WPS write it (上午/下午, also
/// 凌晨/早上/中午/晚上: `2026-11-20 下午3:05`, `上午12:30` is 00:30) or the
/// English AM/PM (`2026/11/20 1:05 PM`), compact digits (`20261120`,
/// `20261120 090500`, `20261120090500`), month and day before the year when
/// only one order is possible (`11/20/2026 9:05`, `20/11/2026 9:05`; both
/// 12 or less, as in `03/04/2026`, is rejected as ambiguous), full-width
/// digits, punctuation and spaces (`２０２６－１１－２０ ０９：０５`, a
/// full-width space between date and time), RFC 3339 (`2026-11-20T09:05:33Z`,
/// `…+08:00`, fractions of seconds), Excel serial day numbers (`46346.38`),
/// and Unix time as platform APIs give it, in seconds (10 digits) or
/// milliseconds (13 digits), which is an instant, not a clock time.
/// Naive forms are local clock time in `tz` ([`instant_of_clock_time`]): a
/// clock time that DST skips is rejected, a repeated one is the earlier
/// reading. A date alone, or midnight, is the start of that day, even where
/// DST skips midnight (a date cell is written `00:00:00`).
pub fn read_timestamp(text: &str, tz: Tz) -> Result<ReadTimestamp, String> {
    read_timestamp_as(text, tz, DateOrder::Either)
}

/// [`read_timestamp`] with day and month before the year read in `order`.
pub fn read_timestamp_as(text: &str, tz: Tz, order: DateOrder) -> Result<ReadTimestamp, String> {
    let (naive, offset) = read_written(text, order)?;
    plausible_year(naive, text)?;
    match offset {
        Some(off) => Ok(ReadTimestamp {
            unix_seconds: naive.and_utc().timestamp() - i64::from(off),
            naive: false,
        }),
        None => read_local(naive, tz),
    }
}

/// A date written in one column and a clock time in another (日期 + 时间):
/// the date of `date` (any form [`read_timestamp`] accepts; a time or an
/// offset in it is ignored) at `clock`, as a naive local clock time in `tz`.
pub fn read_date_at(
    date: &str,
    clock: NaiveTime,
    tz: Tz,
    order: DateOrder,
) -> Result<ReadTimestamp, String> {
    let (naive, _) = read_written(date, order)?;
    plausible_year(naive, date)?;
    read_local(naive.date().and_time(clock), tz)
}

/// The years kefu reads, in exports, options and period names alike: a
/// year outside them is a placeholder or a typo (0000, 9999, 0026 for 2026).
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=2200;

/// A time in an export is from 1970 to 2200, as the dates of the command
/// line are: year 0000 or 9999 is a placeholder or a typo, not a review
/// (found by exploratory testing: they were stored without a word).
fn plausible_year(naive: NaiveDateTime, text: &str) -> Result<(), String> {
    if YEARS.contains(&naive.year()) {
        Ok(())
    } else {
        Err(format!(
            "{} is outside the years 1970 to 2200 (a placeholder or a typo?)",
            shown(text)
        ))
    }
}

/// The clock time of a text that holds one and no date: `9:05`, `09:05:33`,
/// `09:05:33.250`, `9时5分`, `下午3:05`, `3:05 PM`, or a time-of-day cell of
/// a workbook as kefu reads it (on day 0 of Excel's calendar:
/// `1899-12-31 09:05:00`, or `1899-12-30 …`; or a fraction of a day,
/// `0.6284722`, when its format is not one calamine knows for a time).
/// `None` for anything else, a full timestamp too.
pub fn parse_clock_time(text: &str) -> Option<NaiveTime> {
    let folded = fold_timestamp(text.trim());
    let t = folded.trim();
    // A fraction of a day, as a time cell in a format calamine does not
    // know for one reads (Chinese Excel's 15时05分 is 0.6284722…).
    if t.starts_with("0.") && t.bytes().skip(2).all(|b| b.is_ascii_digit()) {
        let seconds = (t.parse::<f64>().ok()? * 86_400.0).round() as u32;
        return NaiveTime::from_num_seconds_from_midnight_opt(seconds.min(86_399), 0);
    }
    let t = ["1899-12-30 ", "1899-12-31 "]
        .iter()
        .find_map(|day| t.strip_prefix(day))
        .unwrap_or(t);
    let mut at = Cursor::new(t);
    if !t.starts_with(|c: char| c.is_ascii_digit()) && half_day(&mut at).is_none() {
        return None;
    }
    // The timestamp reader's time part, behind a date that is not used.
    let parts = read_parts(&format!("2000-01-01 {t}"), DateOrder::Either).ok()?;
    if parts.offset_seconds.is_some() {
        return None;
    }
    NaiveTime::from_hms_opt(parts.hour, parts.minute, parts.second)
}

/// Whether `t` is a month and day with no year (5月3日, 5月3号 10:00, 5/3,
/// 05-03), as registers kept per month write them (found by exploratory
/// testing: such a date deserves its own reason, not "unreadable").
fn without_year(t: &str) -> bool {
    let date = t.split_whitespace().next().unwrap_or("");
    let digits = day_or_month;
    if let Some((m, rest)) = date.split_once('月') {
        // The day: the digits after 月 (日 or 号, a time may follow).
        let d = rest
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap_or("");
        return digits(m) && digits(d);
    }
    // Nov 20, 20 Nov, Nov 20 09:05: a month name and a day, no year.
    let words: Vec<&str> = t
        .split([' ', '-', '/', '.', ','])
        .filter(|w| !w.is_empty())
        .collect();
    if let [a, b, rest @ ..] = words.as_slice() {
        let named =
            (english_month(a).is_some() && digits(b)) || (digits(a) && english_month(b).is_some());
        // A year of four digits or two (Nov 20, 26): unreadable, not missing.
        let year = rest
            .iter()
            .any(|w| matches!(w.len(), 2 | 4) && w.bytes().all(|c| c.is_ascii_digit()));
        if named && !year {
            return true;
        }
    }
    match date.split_once(['/', '-', '.']) {
        Some((m, d)) => digits(m) && digits(d),
        None => false,
    }
}

/// Whether `t` names a month and nothing smaller (8月, 2026年8月, 2026-08,
/// 2026/8), and then whether it has a year.
fn month_only(t: &str) -> Option<bool> {
    // A real month (1 to 12) of a plausible year: 2026-13 and 0000-08 are
    // unreadable, not months.
    let month = |m: &str| day_or_month(m) && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m));
    let year = |y: &str| y.len() == 4 && y.parse::<u32>().is_ok_and(|y| y >= 1900);
    if let Some(m) = t.strip_suffix('月') {
        return match m.split_once('年') {
            Some((y, m)) => (year(y) && month(m)).then_some(true),
            None => month(m).then_some(false),
        };
    }
    let (y, m) = t.split_once(['-', '/', '.'])?;
    (year(y) && month(m)).then_some(true)
}

/// Whether `s` is one or two digits, as a day or a month is written.
fn day_or_month(s: &str) -> bool {
    !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit())
}

/// What the reason for an unreadable timestamp lists as accepted.
const ACCEPTED_TIMES: &str = "2026-11-20 09:05, 2026/11/20 下午3:05, 2026年11月20日9时5分, \
     20261120 090500, 11/20/2026 1:05 PM, Nov 20, 2026 09:05, 2026-11-20T01:05:00Z, an Excel date, \
     or Unix seconds";

/// A timestamp as written: the date and clock time, and the offset from UTC
/// in seconds when it has one.
fn read_written(text: &str, order: DateOrder) -> Result<(NaiveDateTime, Option<i32>), String> {
    let original = text.trim();
    if original.is_empty() {
        return Err("timestamp is empty".into());
    }
    let folded = fold_timestamp(original);
    let t = folded.trim();
    // 民國115年11月20日: Taiwan's calendar, its three-digit year read below.
    let t = without_roc_era(t);
    // 2026年9月3日星期四 (Chinese Excel's long date), 2026-09-03 (周四) 14:05.
    let weekday = chinese_weekday(t);
    let t = weekday.as_ref().map_or(t, |(rest, _)| rest.as_str());
    if let Some(naive) = parse_excel_serial(t) {
        return Ok((naive, None));
    }
    if let Some(utc) = parse_unix_time(t) {
        return Ok((utc, Some(0)));
    }
    let english = || english_date(t).and_then(|iso| read_parts(&iso, order).ok());
    let parts = read_parts(t, order)
        .or_else(|why| english().ok_or(why))
        .map_err(|why| {
            why.unwrap_or_else(|| {
                if let Some(year) = month_only(t) {
                    return format!(
                        "{} is a month{}, not a day: write the day (2026年8月3日, 2026-08-03)",
                        shown(original),
                        if year { "" } else { " with no year" }
                    );
                }
                if without_year(t) {
                    return format!(
                        "no year in {}: kefu does not guess one; write the year in the sheet (2026年5月3日, 2026/5/3)",
                        shown(original)
                    );
                }
                format!(
                    "unreadable timestamp {} (expected e.g. {ACCEPTED_TIMES})",
                    shown(original)
                )
            })
        })?;
    let date = NaiveDate::from_ymd_opt(parts.year, parts.month, parts.day).ok_or_else(|| {
        format!(
            "impossible date {:04}-{:02}-{:02} in {}",
            parts.year,
            parts.month,
            parts.day,
            shown(original)
        )
    })?;
    if let Some((_, written)) = weekday {
        if date.weekday() != written {
            return Err(format!(
                "{} names the wrong day of the week: {date} is a {} ({})",
                shown(original),
                date.format("%A"),
                CHINESE_WEEKDAYS[date.weekday().num_days_from_monday() as usize]
            ));
        }
    }
    let time = NaiveTime::from_hms_opt(parts.hour, parts.minute, parts.second)
        .ok_or_else(|| format!("impossible time of day in {}", shown(original)))?;
    Ok((date.and_time(time), parts.offset_seconds))
}

/// The weekdays as Chinese Excel's long date writes them, Monday first.
const CHINESE_WEEKDAYS: [&str; 7] = [
    "星期一",
    "星期二",
    "星期三",
    "星期四",
    "星期五",
    "星期六",
    "星期日",
];

/// A timestamp with a Chinese day of the week in it (`星期四`, `周四`,
/// `礼拜四`, `星期天`; Traditional `週四`, `禮拜四`; `星期4`; Taiwan's bare
/// `(四)` after the date; in brackets or not, anywhere): the text without
/// it, and the day it names, for the date to be checked against. `None`
/// when it names none.
fn chinese_weekday(t: &str) -> Option<(String, chrono::Weekday)> {
    use chrono::Weekday::*;
    if t.is_ascii() {
        return None;
    }
    let day_of = |c: char| {
        Some(match c {
            '一' | '1' => Mon,
            '二' | '2' => Tue,
            '三' | '3' => Wed,
            '四' | '4' => Thu,
            '五' | '5' => Fri,
            '六' | '6' => Sat,
            '日' | '天' | '7' => Sun,
            _ => return None,
        })
    };
    // The word and the day after it: (where the word starts, where the day
    // ends, the day).
    let named = ["星期", "禮拜", "礼拜", "週", "周"]
        .iter()
        .find_map(|word| {
            t.match_indices(word).find_map(|(at, _)| {
                let after = &t[at + word.len()..];
                let c = after.chars().next()?;
                let day = day_of(c)?;
                Some((at, at + word.len() + c.len_utf8(), day))
            })
        });
    // Taiwan's 2026/11/20(五): one day character alone in brackets.
    let bare = || {
        t.match_indices('(').find_map(|(at, _)| {
            let mut chars = t[at + 1..].chars();
            let c = chars.next().filter(|c| !c.is_ascii_digit())?;
            let day = day_of(c)?;
            (chars.next() == Some(')')).then_some((at + 1, at + 1 + c.len_utf8(), day))
        })
    };
    let (start, end, day) = named.or_else(bare)?;
    let mut before = t[..start].trim_end();
    let mut rest = t[end..].trim_start();
    // (星期四), （周四） or 【周四】: the brackets go too (（） are folded to
    // ASCII already).
    for (open, close) in [('(', ')'), ('【', '】'), ('[', ']')] {
        if let (Some(b), Some(r)) = (before.strip_suffix(open), rest.strip_prefix(close)) {
            before = b.trim_end();
            rest = r.trim_start();
        }
    }
    let joined = match (before.is_empty(), rest.is_empty()) {
        (_, true) => before.to_string(),
        (true, false) => rest.to_string(),
        (false, false) => format!("{before} {rest}"),
    };
    Some((joined, day))
}

/// A date written with an English month name, as exports of cross-border
/// platforms and e-mail headers write it (`Nov 20, 2026 09:05`, `November
/// 20 2026 9:05 PM`, `20 Nov 2026 09:05`, `20-Nov-2026`, `Fri, 20 Nov 2026
/// 09:05:00 +0800`): the same with the date as `2026-11-20`. Tried only
/// once the numeric forms failed; the year must have four digits.
fn english_date(t: &str) -> Option<String> {
    let sep = |c: char| matches!(c, ' ' | '-' | '/' | '.' | ',');
    let mut rest = t;
    let mut words = [""; 3];
    let mut weekday_seen = false;
    let mut i = 0;
    while i < 3 {
        rest = rest.trim_start_matches(sep);
        let end = rest.find(sep).unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        rest = after;
        if i == 0 && !weekday_seen && is_weekday(word) {
            weekday_seen = true;
            continue;
        }
        words[i] = word;
        i += 1;
    }
    let day = |w: &str| {
        (1..=2)
            .contains(&w.len())
            .then(|| w.parse::<u32>().ok())
            .flatten()
    };
    let (month, day) = match (english_month(words[0]), english_month(words[1])) {
        (Some(m), None) => (m, day(words[1])?),
        (None, Some(m)) => (m, day(words[0])?),
        _ => return None,
    };
    let year = words[2];
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `…, 2026, 9:05 AM`; an HTTP date's `GMT` (or `UTC`) is offset zero.
    let rest = rest.trim_start_matches(',');
    let rest = match rest
        .strip_suffix(" GMT")
        .or_else(|| rest.strip_suffix(" UTC"))
    {
        Some(clock) => format!("{clock} +0000"),
        None => rest.to_string(),
    };
    Some(format!("{year}-{month:02}-{day:02}{rest}"))
}

/// The English months' names, lower case, January first.
pub const ENGLISH_MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The month an English month name or its abbreviation (`Nov`, `Sept`,
/// `november`) stands for.
fn english_month(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    ENGLISH_MONTHS
        .iter()
        .position(|m| *m == w || m[..3] == w || w == "sept" && *m == "september")
        .map(|i| i as u32 + 1)
}

/// An English weekday name or its abbreviation (`Fri`, `Friday`).
fn is_weekday(word: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let w = word.to_ascii_lowercase();
    w.len() >= 3 && DAYS.iter().any(|d| *d == w || d[..3] == w)
}

/// A naive local clock time in `tz` as an instant (see [`read_timestamp`]).
fn read_local(naive: NaiveDateTime, tz: Tz) -> Result<ReadTimestamp, String> {
    let unix_seconds = if naive.time() == NaiveTime::MIN {
        start_of_day(naive.date(), tz)
    } else {
        instant_of_clock_time(naive, tz).map_err(|e| e.to_string())?
    };
    Ok(ReadTimestamp {
        unix_seconds,
        naive: true,
    })
}

/// Numbers between 1955 and 2136 as Excel's 1900-system serial days: the
/// local clock time they stand for.
fn parse_excel_serial(t: &str) -> Option<NaiveDateTime> {
    if !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') || !t.contains('.') && t.len() != 5 {
        return None;
    }
    let v: f64 = t.parse().ok()?;
    if !(20_000.0..=86_000.0).contains(&v) {
        return None;
    }
    // Excel day 25569 is 1970-01-01; round to the nearest second.
    let seconds = ((v - 25_569.0) * 86_400.0).round() as i64;
    Some(DateTime::<Utc>::from_timestamp(seconds, 0)?.naive_utc())
}

/// Unix time as platform APIs and their JSON give it: seconds (10 digits,
/// 2001 to 2286) or milliseconds (13 digits), a fraction ignored like a
/// fraction of a second anywhere. The UTC date and time of that instant.
fn parse_unix_time(t: &str) -> Option<NaiveDateTime> {
    let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds = match whole.len() {
        10 => whole.parse::<i64>().ok()?,
        13 => whole.parse::<i64>().ok()? / 1000,
        _ => return None,
    };
    Some(DateTime::<Utc>::from_timestamp(seconds, 0)?.naive_utc())
}

/// Folds what Chinese keyboards and spreadsheets put into timestamps:
/// full-width digits and punctuation (`２０２６－１１－２５ １０：００`) as
/// ASCII, white space of any width (the full-width space U+3000, a no-break
/// space) as the ASCII space, characters that show as nothing dropped. Text
/// that needs none of it (every ASCII timestamp) is not copied.
fn fold_timestamp(t: &str) -> Cow<'_, str> {
    let folds = |c: char| {
        !c.is_ascii() && (c.is_whitespace() || is_invisible(c) || fold_full_width(c) != c)
    };
    if !t.chars().any(folds) {
        return Cow::Borrowed(t);
    }
    Cow::Owned(
        t.chars()
            .filter(|c| !is_invisible(*c))
            .map(|c| {
                if c.is_whitespace() {
                    ' '
                } else {
                    fold_full_width(c)
                }
            })
            .collect(),
    )
}

/// The numeric fields of a timestamp as written, before any validation.
#[derive(Default)]
struct TimestampParts {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    offset_seconds: Option<i32>,
}

/// A position in a (folded) timestamp being read.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor { text, at: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_end(&self) -> bool {
        self.at == self.text.len()
    }

    /// Takes the next character if it is one `wanted` accepts.
    fn eat(&mut self, wanted: impl Fn(char) -> bool) -> Option<char> {
        let c = self.peek().filter(|c| wanted(*c))?;
        self.at += c.len_utf8();
        Some(c)
    }

    /// Takes `prefix` if the text goes on with it, ASCII case ignored.
    fn eat_word(&mut self, prefix: &str) -> bool {
        let found = self
            .rest()
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix));
        if found {
            self.at += prefix.len();
        }
        found
    }

    fn skip_spaces(&mut self) {
        while self.eat(|c| c == ' ').is_some() {}
    }

    /// How many ASCII digits follow.
    fn digit_run(&self) -> usize {
        self.rest().bytes().take_while(u8::is_ascii_digit).count()
    }

    /// Takes `n` digits (at most 9; the caller saw them) as a number.
    fn take(&mut self, n: usize) -> u32 {
        let digits = &self.rest()[..n];
        self.at += n;
        digits.parse().unwrap_or(u32::MAX)
    }

    /// Takes one or two digits as a number, if that many follow.
    fn one_or_two(&mut self) -> Option<u32> {
        let n = self.digit_run();
        (1..=2).contains(&n).then(|| self.take(n))
    }
}

/// A half-day word that says which twelve hours a clock time is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HalfDay {
    /// 上午, 早上, 凌晨, AM: 12 is midnight.
    Morning,
    /// 中午: 11 and 12 are as they are, 1 to 3 are after noon.
    Noon,
    /// 下午, 傍晚, PM: 12 is noon.
    Afternoon,
    /// 晚上: 5 to 11 are after noon; 12 could be either midnight and is
    /// not read.
    Evening,
}

/// The half-day words, as Chinese Excel/WPS (上午/下午) and people write them.
const HALF_DAYS: &[(&str, HalfDay)] = &[
    ("上午", HalfDay::Morning),
    ("早上", HalfDay::Morning),
    ("凌晨", HalfDay::Morning),
    ("中午", HalfDay::Noon),
    ("下午", HalfDay::Afternoon),
    ("傍晚", HalfDay::Afternoon),
    ("晚上", HalfDay::Evening),
    ("a.m.", HalfDay::Morning),
    ("p.m.", HalfDay::Afternoon),
    ("am", HalfDay::Morning),
    ("pm", HalfDay::Afternoon),
];

/// Takes a half-day word if one follows.
fn half_day(at: &mut Cursor<'_>) -> Option<HalfDay> {
    HALF_DAYS
        .iter()
        .find(|(word, _)| at.eat_word(word))
        .map(|(_, half)| *half)
}

/// The hour on a 24-hour clock of `hour` said with a half-day word; 99 (an
/// impossible time) for an hour the word rules out (上午15点). An hour
/// already past noon keeps its reading (下午15:30, a 24-hour clock with the
/// word added).
fn on_24_hour_clock(hour: u32, half: Option<HalfDay>) -> u32 {
    const IMPOSSIBLE: u32 = 99;
    match (half, hour) {
        (None, h) => h,
        (Some(HalfDay::Morning), 12) => 0,
        (Some(HalfDay::Morning), h @ 0..=11) => h,
        (Some(HalfDay::Noon), h @ 11..=15) => h,
        (Some(HalfDay::Noon), h @ 1..=3) => h + 12,
        (Some(HalfDay::Afternoon), 0 | 12) => 12,
        (Some(HalfDay::Afternoon), h @ 1..=11) => h + 12,
        (Some(HalfDay::Afternoon), h @ 13..=23) => h,
        (Some(HalfDay::Evening), h @ 5..=11) => h + 12,
        (Some(HalfDay::Evening), h @ 17..=23) => h,
        _ => IMPOSSIBLE,
    }
}

/// Splits a timestamp into numeric fields (see [`read_parts`]); `None` when
/// it is no timestamp kefu reads.
fn split_timestamp(t: &str) -> Option<TimestampParts> {
    let folded = fold_timestamp(t.trim());
    read_parts(folded.trim(), DateOrder::Either).ok()
}

/// Reads a folded timestamp ([`fold_timestamp`]) into numeric fields: a date
/// (`2026-11-20`, `/` `.` 年 月 日 号 as separators; `20261120`; month and
/// day before the year), then an optional clock time after a space or `T`
/// (`9:05`, `09:05:33.250`, `9时5分`, `3点半`, a half-day word before or
/// after it, `090500` after a compact date, or glued to it:
/// `20261120090500`), then an optional `Z` or `±hh:mm`. `Err(Some(reason))`
/// for a date kefu will not guess at (`03/04/2026`), `Err(None)` for
/// anything else it cannot read.
fn read_parts(t: &str, order: DateOrder) -> Result<TimestampParts, Option<String>> {
    let mut at = Cursor::new(t);
    let mut parts = TimestampParts::default();
    let date_sep = |c: char| matches!(c, '-' | '/' | '.' | '年' | '月');
    let lead = at.digit_run();
    let mut compact = false;
    match lead {
        // 20261120, 202611200905, 20261120090500
        8 | 12 | 14 => {
            parts.year = at.take(4) as i32;
            parts.month = at.take(2);
            parts.day = at.take(2);
            if lead >= 12 {
                parts.hour = at.take(2);
                parts.minute = at.take(2);
                if lead == 14 {
                    parts.second = at.take(2);
                }
                return read_offset(&mut at, parts);
            }
            compact = true;
        }
        4 => {
            parts.year = at.take(4) as i32;
            at.eat(date_sep).ok_or(None)?;
            parts.month = at.one_or_two().ok_or(None)?;
            at.eat(date_sep).ok_or(None)?;
            parts.day = at.one_or_two().ok_or(None)?;
            at.eat(|c| c == '日' || c == '号');
        }
        // Taiwan's calendar (民國): year 1 is 1912; 115/11/20 is 2026-11-20
        // (three-digit years are no other calendar's). `民國` itself is taken
        // off by `fold_timestamp`.
        3 => {
            let year = at.take(3) as i32;
            if !(ROC_YEARS_FIRST..=ROC_YEARS_LAST).contains(&year) {
                return Err(None);
            }
            parts.year = year + 1911;
            at.eat(date_sep).ok_or(None)?;
            parts.month = at.one_or_two().ok_or(None)?;
            at.eat(date_sep).ok_or(None)?;
            parts.day = at.one_or_two().ok_or(None)?;
            at.eat(|c| c == '日' || c == '号');
        }
        // 11/20/2026 or 20/11/2026: read only when one order is possible.
        1 | 2 => {
            let first = at.take(lead);
            let sep = at.eat(|c| matches!(c, '/' | '-' | '.')).ok_or(None)?;
            let second = at.one_or_two().ok_or(None)?;
            at.eat(|c| c == sep).ok_or(None)?;
            if at.digit_run() != 4 {
                return Err(None);
            }
            parts.year = at.take(4) as i32;
            (parts.month, parts.day) = match (first, second) {
                // Told the order, every date is read so: one of the other
                // order (11/20/2026 under --day-first) is an impossible date,
                // a sign of the wrong flag, not read the other way silently.
                (a, b) if order != DateOrder::Either => {
                    let (m, d, flag) = if order == DateOrder::DayFirst {
                        (
                            b,
                            a,
                            "day first (day/month/year: --day-first, or date_order in kefu.toml or a --map file)",
                        )
                    } else {
                        (a, b, "month first (month/day/year: --month-first, or date_order in kefu.toml or a --map file)")
                    };
                    if m > 12 {
                        return Err(Some(format!(
                            "impossible date {} read {flag}: {m} is no month",
                            shown(t)
                        )));
                    }
                    (m, d)
                }
                (m, d) if m == d || m <= 12 && d > 12 => (m, d),
                (d, m) if d > 12 && m <= 12 => (m, d),
                // Neither a month: the impossible date is said as such.
                (m, d) if m > 12 => (m, d),
                (a, b) => {
                    let y = parts.year;
                    return Err(Some(format!(
                        "ambiguous date {}: {a}{sep}{b} may be month then day or day then month; write the year first ({y}-{a:02}-{b:02} or {y}-{b:02}-{a:02}), or import with --day-first or --month-first",
                        shown(t)
                    )));
                }
            };
        }
        _ => return Err(None),
    }
    while at.eat(|c| matches!(c, ' ' | 'T' | 't')).is_some() {}
    if at.at_end() {
        return Ok(parts);
    }
    read_clock(&mut at, &mut parts, compact).ok_or(None)?;
    read_offset(&mut at, parts)
}

/// Reads the clock time of a timestamp into `parts` (see [`read_parts`]);
/// `compact`: after a compact date, where `0905` and `090500` are times.
fn read_clock(at: &mut Cursor<'_>, parts: &mut TimestampParts, compact: bool) -> Option<()> {
    let mut half = half_day(at);
    at.skip_spaces();
    let run = at.digit_run();
    let mut bare_hour = false;
    if compact && (run == 4 || run == 6) {
        parts.hour = at.take(2);
        parts.minute = at.take(2);
        if run == 6 {
            parts.second = at.take(2);
        }
    } else {
        parts.hour = at.one_or_two()?;
        if at.eat(|c| c == ':').is_some() {
            parts.minute = at.one_or_two()?;
            if at.eat(|c| c == ':').is_some() {
                parts.second = at.one_or_two()?;
                read_fraction(at);
            }
        } else if at.eat(|c| matches!(c, '时' | '時' | '点' | '點')).is_some() {
            if at.eat(|c| c == '半').is_some() {
                parts.minute = 30;
            } else if let Some(minute) = at.one_or_two() {
                parts.minute = minute;
                at.eat(|c| c == '分');
                if let Some(second) = at.one_or_two() {
                    parts.second = second;
                    at.eat(|c| c == '秒');
                    read_fraction(at);
                }
            }
            at.eat(|c| c == '整');
        } else {
            // `1 PM`: an hour alone needs a half-day word.
            bare_hour = true;
        }
    }
    at.skip_spaces();
    if half.is_none() {
        half = half_day(at);
    }
    if bare_hour && half.is_none() {
        return None;
    }
    parts.hour = on_24_hour_clock(parts.hour, half);
    Some(())
}

/// Skips the fraction of a second (`.250`, `,250`).
fn read_fraction(at: &mut Cursor<'_>) {
    if at.eat(|c| c == '.' || c == ',').is_some() {
        while at.eat(|c| c.is_ascii_digit()).is_some() {}
    }
}

/// Reads what may end a timestamp: an optional `Z` or `±hh[:mm]`, after
/// optional spaces, and nothing after it.
fn read_offset(
    at: &mut Cursor<'_>,
    mut parts: TimestampParts,
) -> Result<TimestampParts, Option<String>> {
    at.skip_spaces();
    if let Some(sign) = at.eat(|c| matches!(c, 'Z' | 'z' | '+' | '-')) {
        if sign == 'Z' || sign == 'z' {
            parts.offset_seconds = Some(0);
        } else {
            if at.digit_run() < 2 {
                return Err(None);
            }
            let hh = at.take(2);
            at.eat(|c| c == ':');
            let mm = if at.digit_run() >= 2 { at.take(2) } else { 0 };
            if hh > 23 || mm > 59 {
                return Err(None);
            }
            let off = (hh * 3600 + mm * 60) as i32;
            parts.offset_seconds = Some(if sign == '-' { -off } else { off });
        }
    }
    if at.at_end() {
        Ok(parts)
    } else {
        Err(None)
    }
}

/// Reads the month of a monthly figure as exports write it: a month
/// (`2026-08`, `2026/8`, `2026年8月`, `202608`), or a date or timestamp in
/// it, whose month it is (`2026-08-01`, `2026-08-15`; a month typed into
/// Excel becomes a date cell, read as `2026-08-01 00:00:00`).
pub fn read_month(text: &str) -> Result<Period, String> {
    read_month_as(text, DateOrder::Either)
}

/// [`read_month`] with a date's day and month before the year read in `order`.
pub fn read_month_as(text: &str, order: DateOrder) -> Result<Period, String> {
    let folded = fold_timestamp(text.trim());
    let t = folded.trim();
    if let Ok((when, _)) = read_written(t, order) {
        return Ok(Period::month_of(when.date()));
    }
    if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        let (year, month) = (t[..4].parse().unwrap_or(0), t[4..].parse().unwrap_or(0));
        if let Some(p) = Period::month(year, month) {
            return Ok(p);
        }
    }
    // Taiwan's calendar: 115/08, 115年9月, 民國115年7月.
    let roc = without_roc_era(t);
    if let Some((y, m)) = roc.trim_end_matches('月').split_once(['-', '/', '年', '.']) {
        if let (3, Ok(year @ ROC_YEARS_FIRST..=ROC_YEARS_LAST), Ok(month)) =
            (y.len(), y.parse::<i32>(), m.trim().parse::<u32>())
        {
            if let Some(p) = Period::month(year + 1911, month) {
                return Ok(p);
            }
        }
    }
    parse_month(t).map_err(|e| {
        let e = e.to_string();
        let bare = t.trim();
        let digits = day_or_month;
        if e.starts_with("no such month") {
            e
        } else if digits(bare.trim_end_matches(['月', '份']))
            || bare
                .split_once(['/', '-'])
                .is_some_and(|(a, b)| digits(a) && digits(b))
        {
            // 8月, 11/01: a register kept per year writes no year.
            format!(
                "no year in {}: kefu does not guess one; write it (2026-08, 2026年8月)",
                shown(text.trim())
            )
        } else {
            format!(
                "unreadable month {} (expected e.g. 2026-08, 2026年8月, 202608, or a date in the month)",
                shown(text.trim())
            )
        }
    })
}

/// A half-open range of local days `[first, last]` inclusive, with a name for
/// display (`2026Q3`, `2026-08`, `2026-11-20`, `2026-01-01..2026-03-31`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub name: String,
}

impl Period {
    /// Local-day numbers `[first, last]`.
    pub fn days(&self) -> (i64, i64) {
        (day_number(self.first), day_number(self.last))
    }

    /// UTC instants `[start, end)` covering the period in `tz`.
    pub fn instants(&self, tz: Tz) -> (i64, i64) {
        (
            start_of_day(self.first, tz),
            start_of_day(self.last + Duration::days(1), tz),
        )
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// Whether the period has ended by `today`: its last day is before today.
    pub fn has_ended(&self, today: NaiveDate) -> bool {
        self.last < today
    }

    /// The days of this period inside `bounds`, under the same name (a week
    /// cut by a report's first or last day).
    pub fn clipped_to(&self, bounds: &Period) -> Period {
        Period {
            first: self.first.max(bounds.first),
            last: self.last.min(bounds.last),
            name: self.name.clone(),
        }
    }

    pub fn day(date: NaiveDate) -> Period {
        Period {
            first: date,
            last: date,
            name: date.format("%Y-%m-%d").to_string(),
        }
    }

    pub fn month(year: i32, month: u32) -> Option<Period> {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        Some(Period {
            first,
            last: next - Duration::days(1),
            name: format!("{year:04}-{month:02}"),
        })
    }

    pub fn quarter(year: i32, q: u32) -> Option<Period> {
        if !(1..=4).contains(&q) {
            return None;
        }
        let first = Period::month(year, (q - 1) * 3 + 1)?.first;
        let last = Period::month(year, q * 3)?.last;
        Some(Period {
            first,
            last,
            name: format!("{year:04}Q{q}"),
        })
    }

    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            first: NaiveDate::from_ymd_opt(year, 1, 1)?,
            last: NaiveDate::from_ymd_opt(year, 12, 31)?,
            name: format!("{year:04}"),
        })
    }

    /// The ISO week (Monday first) containing `date`.
    pub fn week_of(date: NaiveDate) -> Period {
        let first = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
        let iso = date.iso_week();
        Period {
            first,
            last: first + Duration::days(6),
            name: format!("{}-W{:02}", iso.year(), iso.week()),
        }
    }

    pub fn range(first: NaiveDate, last: NaiveDate) -> Result<Period> {
        if last < first {
            bail!("the period ends ({last}) before it starts ({first})");
        }
        Ok(Period {
            first,
            last,
            name: format!("{first}..{last}"),
        })
    }

    /// The month containing `date`.
    pub fn month_of(date: NaiveDate) -> Period {
        Period::month(date.year(), date.month()).expect("valid month")
    }

    /// The quarter containing `date`.
    pub fn quarter_of(date: NaiveDate) -> Period {
        Period::quarter(date.year(), (date.month() - 1) / 3 + 1).expect("valid quarter")
    }

    /// The period of the same kind right after this one (for months, quarters
    /// and years by name; otherwise the same length after `last`).
    pub fn next(&self) -> Period {
        let after = self.last + Duration::days(1);
        if self.name.contains('Q') {
            Period::quarter_of(after)
        } else if self.name.len() == 7 {
            Period::month_of(after)
        } else if self.name.len() == 4 {
            Period::year(after.year()).expect("valid year")
        } else {
            let len = (self.last - self.first).num_days();
            Period::range(after, after + Duration::days(len)).expect("ordered")
        }
    }
}

/// The environment variable that fixes today's date (`2026-12-05`), for
/// tests: every default and every "has this period ended" uses it.
pub const TODAY_VAR: &str = "KEFU_TODAY";

/// Today's date in `tz`, or the date in `KEFU_TODAY` when it is set.
pub fn today(tz: Tz) -> Result<NaiveDate> {
    match std::env::var(TODAY_VAR) {
        Ok(fixed) if !fixed.trim().is_empty() => {
            NaiveDate::parse_from_str(fixed.trim(), "%Y-%m-%d")
                .ok()
                // As for --date (found by exploratory testing: 0000-01-01
                // made a report of "-0001-12-31").
                .filter(|d| YEARS.contains(&d.year()))
                .ok_or_else(|| {
                    crate::error::Usage(format!(
                        "{TODAY_VAR}={fixed:?} is not a date from 1970 to 2200 (expected e.g. 2026-12-05)"
                    ))
                    .into()
                })
        }
        _ => Ok(Utc::now().with_timezone(&tz).date_naive()),
    }
}

/// Parses a date given on the command line: `2026-11-20`, `2026/11/20`,
/// `today`, `yesterday` (今天, 昨天), in `tz`.
pub fn parse_date_arg(text: &str, tz: Tz) -> Result<NaiveDate> {
    let t = text.trim();
    if let Some(p) = relative_period(t, tz) {
        let p = p?;
        if p.first != p.last {
            bail!(
                "{} is a period ({}), not a day (expected e.g. 2026-11-20, today, yesterday)",
                shown(t),
                p.name
            );
        }
        return Ok(p.first);
    }
    // As a Chinese keyboard types a day too (2026年 11 月 20 日,
    // 2026年十一月二十日, full-width digits), when it reads no other way.
    let folded = fold_period(t);
    let parts = split_timestamp(t).or_else(|| split_timestamp(&folded).filter(|_| folded != t));
    let parts = parts.with_context(|| {
        if let Ok(month) = parse_month(t) {
            return format!(
                "{} is a month ({}), not a day (expected e.g. 2026-11-20, today, yesterday)",
                shown(t),
                month.name
            );
        }
        // A week, a quarter or a year: a period too (found by exploratory
        // testing: 2026-W47 was an "unreadable date").
        if let Ok(p) = parse_period(t, tz) {
            return format!(
                "{} is a period ({}), not a day (expected e.g. 2026-11-20, today, yesterday)",
                shown(t),
                p.name
            );
        }
        if without_year(&fold_timestamp(t)) {
            return format!(
                "no year in {}: give the whole date (2026-11-20, today, yesterday)",
                shown(t)
            );
        }
        format!(
            "unreadable date {} (expected e.g. 2026-11-20, today, yesterday)",
            shown(t)
        )
    })?;
    let date = NaiveDate::from_ymd_opt(parts.year, parts.month, parts.day)
        .with_context(|| format!("impossible date {}", shown(t)))?;
    // As for periods (found by exploratory testing: --from 0026-11-01, a
    // typo, made a report of 730,000 empty days).
    if !YEARS.contains(&date.year()) {
        anyhow::bail!(
            "date {} is outside the years 1970 to 2200 (a typo in the year?)",
            shown(t)
        );
    }
    Ok(date)
}

/// The year of a period name: four digits, 1970 to 2200 (`26Q3` is not the
/// year 26, `0000` no year kefu has data for).
fn period_year(digits: &str, text: &str, what: &str, example: &str) -> Result<i32> {
    let year = (digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse::<i32>().ok())
        .flatten()
        .filter(|y| YEARS.contains(y));
    year.with_context(|| {
        format!(
            "unreadable {what} {} (expected a four-digit year from 1970 to 2200, e.g. {example})",
            shown(text)
        )
    })
}

/// Parses a quarter: `2026Q3`, `2026-Q3`, `2026q3`, `2026 Q3`, and as
/// Chinese users write it: `2026年第3季度`, `2026年第三季度`, `2026年3季度`,
/// `2026年Q3`.
pub fn parse_quarter(text: &str) -> Result<Period> {
    let unreadable = || {
        format!(
            "unreadable quarter {} (expected e.g. 2026Q3 or 2026年第3季度)",
            shown(text)
        )
    };
    let t: String = fold_period(text)
        .to_ascii_uppercase()
        .chars()
        .filter(|c| *c != '-')
        .collect();
    let (y, q) = if t.contains('季') {
        let rest = t.trim_end_matches("度").trim_end_matches('季');
        let (y, q) = rest.split_once('年').with_context(unreadable)?;
        (y.to_string(), q.trim_start_matches('第').to_string())
    } else {
        let (y, q) = t.split_once('Q').with_context(unreadable)?;
        (y.trim_end_matches('年').to_string(), q.to_string())
    };
    let year = period_year(&y, text, "quarter", "2026Q3")?;
    let q: u32 = q.parse().with_context(unreadable)?;
    Period::quarter(year, q)
        .with_context(|| format!("no such quarter {} (quarters are Q1 to Q4)", shown(text)))
}

/// An ISO week: `2026-W10`, `2026W10`, `2026年第10周` (Monday to Sunday;
/// weeks as `report trend --by week` names them).
pub fn parse_week(text: &str) -> Result<Period> {
    let t = fold_period(text).to_ascii_uppercase();
    let parts = if t.contains('周') {
        t.trim_end_matches('周')
            .split_once('年')
            .map(|(y, w)| (y.to_string(), w.trim_start_matches('第').to_string()))
    } else {
        t.split_once('W')
            .map(|(y, w)| (y.trim_end_matches('-').to_string(), w.to_string()))
    };
    let parsed = parts.and_then(|(y, w)| {
        let (y, w): (i32, u32) = (
            period_year(&y, text, "week", "2026-W47").ok()?,
            w.parse().ok()?,
        );
        NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon)
    });
    match parsed {
        Some(monday) => Ok(Period::week_of(monday)),
        None => bail!(
            "unreadable week {} (expected an ISO week such as 2026-W47)",
            shown(text)
        ),
    }
}

/// Parses a month: `2026-08`, `2026/8`, `2026年8月`, `202608`.
pub fn parse_month(text: &str) -> Result<Period> {
    let folded = fold_period(text);
    let t = folded.trim_end_matches('份').trim_end_matches('月');
    if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        let year = period_year(&t[..4], text, "month", "2026-08")?;
        let month: u32 = t[4..].parse().unwrap_or(0);
        return Period::month(year, month)
            .with_context(|| format!("no such month {}", shown(text)));
    }
    let (y, m) = t
        .split_once(['-', '/', '年', '.'])
        .with_context(|| format!("unreadable month {} (expected e.g. 2026-08)", shown(text)))?;
    let year = period_year(y, text, "month", "2026-08")?;
    let month: u32 = m
        .parse()
        .with_context(|| format!("unreadable month {}", shown(text)))?;
    Period::month(year, month).with_context(|| format!("no such month {}", shown(text)))
}

/// Parses a year: `2026`.
pub fn parse_year(text: &str) -> Result<Period> {
    let folded = fold_period(text);
    let digits = folded.trim_end_matches("年度").trim_end_matches('年');
    let year = period_year(digits, text, "year", "2026")?;
    Period::year(year).with_context(|| format!("no such year {}", shown(text)))
}

/// A period named from today (in `tz`, or `KEFU_TODAY`): `today` and
/// `yesterday` (今天, 昨天), `this-week`/`last-week` (本周, 上周),
/// `this-month`/`last-month` (本月, 上月), `this-quarter`/`last-quarter`
/// (本季度, 上季度), `this-year`/`last-year` (今年, 去年). None for any other text.
pub fn relative_period(text: &str, tz: Tz) -> Option<Result<Period>> {
    relative_period_from(text).map(|make| {
        let p = make(today(tz)?);
        if !(YEARS.contains(&p.first.year()) && YEARS.contains(&p.last.year())) {
            bail!(
                "{} is {}, outside the years 1970 to 2200 kefu takes",
                shown(text.trim()),
                p.name
            );
        }
        Ok(p)
    })
}

/// A period name as typed on a Chinese keyboard, for the parsers below:
/// full-width forms folded (２０２６年第３季度, 2026Ｑ３), white space dropped
/// (2026年 11 月), numbers in Chinese numerals written in digits
/// (2026年十一月, 2026年第三季度).
fn fold_period(text: &str) -> String {
    let plain: String = text
        .chars()
        .map(fold_full_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut out = String::with_capacity(plain.len());
    let mut numeral = String::new();
    for c in plain.chars().chain(std::iter::once('\0')) {
        if "〇零一二两三四五六七八九十".contains(c) {
            numeral.push(c);
            continue;
        }
        if !numeral.is_empty() {
            match chinese_number(&numeral) {
                Some(n) => out.push_str(&n.to_string()),
                None => out.push_str(&numeral),
            }
            numeral.clear();
        }
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// 一 to 九十九 (十一, 二十三, 两), as months, quarters and weeks are written.
fn chinese_number(text: &str) -> Option<u32> {
    let digit = |c: char| -> Option<u32> {
        match c {
            '〇' | '零' => Some(0),
            '两' => Some(2),
            _ => "一二三四五六七八九"
                .chars()
                .position(|d| d == c)
                .map(|i| i as u32 + 1),
        }
    };
    let chars: Vec<char> = text.chars().collect();
    match chars[..] {
        ['十'] => Some(10),
        [d] => digit(d),
        ['十', u] => Some(10 + digit(u)?),
        [t, '十'] => Some(10 * digit(t)?),
        [t, '十', u] => Some(10 * digit(t)? + digit(u)?),
        _ => None,
    }
}

/// How [`relative_period`] makes the period from today, if `text` names one.
fn relative_period_from(text: &str) -> Option<fn(NaiveDate) -> Period> {
    let key = text.trim().to_ascii_lowercase().replace([' ', '_'], "-");
    let make: fn(NaiveDate) -> Period = match key.as_str() {
        "today" | "今天" | "今日" => Period::day,
        "yesterday" | "昨天" | "昨日" => |d| Period::day(d - Duration::days(1)),
        "this-week" | "本周" | "这周" => Period::week_of,
        "last-week" | "上周" => |d| Period::week_of(d - Duration::days(7)),
        "this-month" | "本月" | "这个月" => Period::month_of,
        "last-month" | "上月" | "上个月" => {
            |d| Period::month_of(d.with_day(1).expect("day 1") - Duration::days(1))
        }
        "this-quarter" | "本季度" | "本季" | "这个季度" => Period::quarter_of,
        "last-quarter" | "上季度" | "上季" | "上个季度" => {
            |d| Period::quarter_of(Period::quarter_of(d).first - Duration::days(1))
        }
        "this-year" | "今年" | "本年" => |d| Period::year(d.year()).expect("valid year"),
        "last-year" | "去年" | "上年" => |d| Period::year(d.year() - 1).expect("valid year"),
        _ => return None,
    };
    Some(make)
}

/// What a period argument may be, for messages.
const PERIOD_FORMS: &str = "a day 2026-11-20, a week 2026-W47, a month 2026-08, a quarter 2026Q3, a year 2026, or today, yesterday, this-month, last-month, last-quarter, last-year (今天, 昨天, 本月, 上月, 上季度, 去年)";

/// Parses any period name: a day, a week, a month, a quarter or a year, by
/// name or from today ([`relative_period`]).
pub fn parse_period(text: &str, tz: Tz) -> Result<Period> {
    let t = text.trim();
    if let Some(p) = relative_period(t, tz) {
        return p;
    }
    // The parsers fold the text themselves; they are given it as written,
    // so that a message quotes what the user typed (`"Q3 2026"`, not
    // `"Q32026"`: found by exploratory testing).
    let written = t;
    let folded = fold_period(t);
    let t = folded.as_str();
    let upper = t.to_ascii_uppercase();
    let week = upper.split_once('W').is_some_and(|(y, w)| {
        !y.is_empty() && !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit())
    });
    if week || t.ends_with('周') {
        parse_week(written)
    } else if upper.contains('Q') || t.contains('季') {
        parse_quarter(written)
    } else if t.len() == 4 || t.ends_with('年') || t.ends_with("年度") {
        parse_year(written)
    } else if split_timestamp(t).is_some() || t.chars().all(|c| c.is_ascii_alphabetic()) {
        parse_date_arg(t, tz).map(Period::day)
    } else {
        parse_month(written).map_err(|e| {
            let four_digits = t.len() > 4 && t.as_bytes()[..4].iter().all(u8::is_ascii_digit);
            if four_digits || !e.to_string().starts_with("unreadable month") {
                e
            } else {
                anyhow::anyhow!(
                    "unreadable period {} (expected {PERIOD_FORMS})",
                    shown(written)
                )
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_without_a_year_says_so() {
        for t in [
            "5月3日",
            "5月3号 10:00",
            "5/3",
            "05-03",
            "12月31日下午3点",
            "Nov 20",
            "20 Nov",
            "Nov 20 09:05",
        ] {
            let e =
                parse_timestamp_as(t, chrono_tz::Asia::Shanghai, DateOrder::Either).unwrap_err();
            assert!(e.starts_with("no year in"), "{t}: {e}");
        }
        let e =
            parse_timestamp_as("合计", chrono_tz::Asia::Shanghai, DateOrder::Either).unwrap_err();
        assert!(e.starts_with("unreadable timestamp"), "{e}");
        // A month is no day (an event's date; found by exploratory testing).
        for (t, said) in [
            ("8月", "\"8月\" is a month with no year, not a day"),
            ("2026年8月", "\"2026年8月\" is a month, not a day"),
            ("2026-08", "\"2026-08\" is a month, not a day"),
        ] {
            let e =
                parse_timestamp_as(t, chrono_tz::Asia::Shanghai, DateOrder::Either).unwrap_err();
            assert!(e.starts_with(said), "{t}: {e}");
        }
    }

    fn sh() -> Tz {
        parse_tz("Asia/Shanghai").unwrap()
    }

    #[test]
    fn a_chinese_day_of_the_week_is_read_and_checked() {
        // Found by exploratory testing: Chinese Excel's long date format
        // (2026年9月3日星期四) was an unreadable timestamp.
        let expected = parse_timestamp("2026-09-03 14:05", sh()).unwrap();
        let day = parse_timestamp("2026-09-03", sh()).unwrap();
        for (t, want) in [
            ("2026年9月3日星期四", day),
            ("2026年9月3日 星期四 14:05", expected),
            ("2026-09-03 14:05:00 星期四", expected),
            ("2026-09-03（周四）14:05", expected),
            ("2026/9/3 礼拜四 下午2:05", expected),
            ("2026年9月6日星期天", day + 3 * 86_400),
            ("２０２６年９月３日　星期四", day),
            ("2026年9月3日 週四", day),
            ("2026/9/3 禮拜四 14:05", expected),
            ("2026/9/6 禮拜天", day + 3 * 86_400),
            ("2026/09/03(四) 14:05", expected),
            ("【周四】2026-09-03 14:05", expected),
            ("2026-09-03 星期4", day),
        ] {
            assert_eq!(parse_timestamp(t, sh()), Ok(want), "{t}");
        }
        let e = parse_timestamp("2026年9月3日星期五", sh()).unwrap_err();
        assert_eq!(
            e,
            "\"2026年9月3日星期五\" names the wrong day of the week: 2026-09-03 is a Thursday (星期四)"
        );
        // 周 without a day is no weekday.
        assert!(parse_timestamp("2026年第36周", sh()).is_err());
    }

    #[test]
    fn period_names_need_a_plausible_four_digit_year() {
        for bad in [
            "26Q3", "99999Q4", "0000", "26-08", "1900", "2026Q5", "2026-13", "26-W10",
        ] {
            assert!(parse_period(bad, sh()).is_err(), "{bad}");
        }
        for good in [
            "2026Q3",
            "2026-q3",
            "2026-08",
            "2026年8月",
            "2026",
            "2026-W10",
        ] {
            assert!(parse_period(good, sh()).is_ok(), "{good}");
        }
        assert!(parse_period("26Q3", sh())
            .unwrap_err()
            .to_string()
            .contains("four-digit year"));
    }

    #[test]
    fn periods_as_chinese_users_write_them() {
        // Found by exploratory testing: 2026年第3季度 was an "unreadable
        // quarter", 昨天 an "unreadable month" for compare --period.
        for (text, name) in [
            ("2026年第3季度", "2026Q3"),
            ("2026年第三季度", "2026Q3"),
            ("2026年3季度", "2026Q3"),
            ("2026 年 第 4 季度", "2026Q4"),
            ("2026年Q3", "2026Q3"),
            ("2026W47", "2026-W47"),
            ("2026年第47周", "2026-W47"),
            ("202608", "2026-08"),
            // As a Chinese keyboard types them (found by exploratory testing).
            ("2026年第３季度", "2026Q3"),
            ("2026Ｑ３", "2026Q3"),
            ("２０２６", "2026"),
            ("2026年度", "2026"),
            ("2026年１１月", "2026-11"),
            ("2026年 11 月", "2026-11"),
            ("2026年十一月", "2026-11"),
            ("2026年二月份", "2026-02"),
            ("2026年第四十七周", "2026-W47"),
            ("2026年第４７周", "2026-W47"),
            ("2026年 11 月 20 日", "2026-11-20"),
            ("2026年十一月二十日", "2026-11-20"),
        ] {
            assert_eq!(parse_period(text, sh()).unwrap().name, name, "{text}");
        }
        assert_eq!(chinese_number("二十三"), Some(23));
        assert_eq!(chinese_number("两"), Some(2));
        assert_eq!(chinese_number("十十"), None);
        assert_eq!(parse_quarter("2026年第三季度").unwrap().name, "2026Q3");
        assert!(parse_quarter("2026年第五季度").is_err());
        assert!(parse_month("202613").is_err());
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        for (text, name) in [
            ("昨天", "2026-12-04"),
            ("today", "2026-12-05"),
            ("本月", "2026-12"),
            ("last-month", "2026-11"),
            ("上个月", "2026-11"),
            ("上周", "2026-W48"),
            ("this-quarter", "2026Q4"),
            ("上季度", "2026Q3"),
            ("去年", "2025"),
            ("Last Year", "2025"),
        ] {
            assert_eq!(
                relative_period_from(text).unwrap()(today).name,
                name,
                "{text}"
            );
        }
        assert!(relative_period_from("2026-11").is_none());
        // A month where a day is wanted says so.
        let e = parse_date_arg("2026年11月", sh()).unwrap_err().to_string();
        assert!(e.contains("is a month (2026-11), not a day"), "{e}");
        // So does a week, a quarter or a year.
        for (text, name) in [
            ("2026-W47", "2026-W47"),
            ("2026年第47周", "2026-W47"),
            ("2026Q4", "2026Q4"),
        ] {
            let e = parse_date_arg(text, sh()).unwrap_err().to_string();
            assert!(
                e.contains(&format!("is a period ({name}), not a day")),
                "{e}"
            );
        }
        let e = parse_period("下下个月", sh()).unwrap_err().to_string();
        assert!(
            e.starts_with("unreadable period \"下下个月\" (expected a day"),
            "{e}"
        );
        // A month-like typo keeps the month's own message.
        let e = parse_period("2026-1x", sh()).unwrap_err().to_string();
        assert!(e.contains("month"), "{e}");
    }

    #[test]
    fn iso_weeks_as_periods() {
        let w = parse_period("2026-w10", sh()).unwrap();
        assert_eq!(
            (w.first.to_string(), w.last.to_string(), w.name.as_str()),
            ("2026-03-02".into(), "2026-03-08".into(), "2026-W10")
        );
        // ISO week 1 of 2027 starts on 2027-01-04; 2026 has 53 weeks.
        assert_eq!(
            parse_week("2027-W01").unwrap().first.to_string(),
            "2027-01-04"
        );
        assert_eq!(
            parse_week("2026-W53").unwrap().last.to_string(),
            "2027-01-03"
        );
        assert!(parse_week("2025-W53").is_err());
        assert!(parse_week("2026-W0").is_err());
    }

    fn local(ts: i64) -> String {
        local_datetime(ts, sh())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    #[test]
    fn every_export_form_parses_to_the_same_instant() {
        let want = "2026-11-20 09:05:00";
        for t in [
            "2026-11-20 09:05:00",
            "2026-11-20 09:05",
            "2026/11/20 9:05",
            "2026.11.20 09:05",
            "2026年11月20日 09:05",
            "2026年11月20日9时5分",
            "2026-11-20T09:05:00+08:00",
            "2026-11-20T01:05:00Z",
            "2026-11-20T01:05:00.250Z",
            "2026-11-20T09:05:00+0800",
            "2026-11-19T20:05:00-05:00",
        ] {
            assert_eq!(local(parse_timestamp(t, sh()).unwrap()), want, "{t}");
        }
        assert_eq!(
            local(parse_timestamp("2026-11-20", sh()).unwrap()),
            "2026-11-20 00:00:00"
        );
    }

    #[test]
    fn chinese_half_day_words_and_am_pm_read_on_a_24_hour_clock() {
        let at = |t: &str| parse_timestamp(t, sh()).map(local);
        for (t, want) in [
            ("2026-11-25 下午3:30", "2026-11-25 15:30:00"),
            ("2026-11-25 上午9:05", "2026-11-25 09:05:00"),
            ("2026/11/25 下午 03:30:00", "2026-11-25 15:30:00"),
            ("2026-11-25 3:30 下午", "2026-11-25 15:30:00"),
            ("2026年11月25日 下午3点", "2026-11-25 15:00:00"),
            ("2026年11月25日下午3点半", "2026-11-25 15:30:00"),
            // 12 in the afternoon is noon, 12 in the morning midnight.
            ("2026-11-25 下午12:15", "2026-11-25 12:15:00"),
            ("2026-11-25 上午12:15", "2026-11-25 00:15:00"),
            ("2026-11-25 凌晨1:20", "2026-11-25 01:20:00"),
            ("2026-11-25 中午12:30", "2026-11-25 12:30:00"),
            ("2026-11-25 中午1:30", "2026-11-25 13:30:00"),
            ("2026-11-25 晚上8:00", "2026-11-25 20:00:00"),
            ("2026/11/25 1:00 PM", "2026-11-25 13:00:00"),
            ("2026/11/25 1:00PM", "2026-11-25 13:00:00"),
            ("2026/11/25 12:00 am", "2026-11-25 00:00:00"),
            ("2026/11/25 9:05 a.m.", "2026-11-25 09:05:00"),
            ("2026/11/25 1 PM", "2026-11-25 13:00:00"),
            // A 24-hour clock with the word added keeps its reading.
            ("2026-11-25 下午15:30", "2026-11-25 15:30:00"),
        ] {
            assert_eq!(at(t).as_deref(), Ok(want), "{t}");
        }
        for impossible in [
            "2026-11-25 上午15:00",
            "2026-11-25 晚上12:00",
            "2026-11-25 下午25:00",
        ] {
            let e = at(impossible).unwrap_err();
            assert!(e.starts_with("impossible time of day"), "{impossible}: {e}");
        }
        // An hour alone needs the word.
        assert!(at("2026-11-25 3").unwrap_err().contains("unreadable"));
    }

    #[test]
    fn compact_digits_and_unix_time() {
        let at = |t: &str| read_timestamp(t, sh()).map(|r| (local(r.unix_seconds), r.naive));
        for (t, want) in [
            ("20261125", "2026-11-25 00:00:00"),
            ("20261125 160000", "2026-11-25 16:00:00"),
            ("20261125 1600", "2026-11-25 16:00:00"),
            ("20261125T160000", "2026-11-25 16:00:00"),
            ("20261125160000", "2026-11-25 16:00:00"),
            ("202611251600", "2026-11-25 16:00:00"),
            ("20261125 16:00:00", "2026-11-25 16:00:00"),
        ] {
            assert_eq!(at(t), Ok((want.to_string(), true)), "{t}");
        }
        // Unix seconds and milliseconds (platform APIs): instants, not clock times.
        for t in [
            "1795572000",
            "1795572000000",
            "1795572000.5",
            "1795572000123",
        ] {
            assert_eq!(at(t), Ok(("2026-11-25 10:00:00".to_string(), false)), "{t}");
        }
        assert!(at("20261325")
            .unwrap_err()
            .contains("impossible date 2026-13-25"));
        // Other runs of digits are no timestamp.
        for t in ["2026112", "179557200", "17955720000"] {
            assert!(at(t).unwrap_err().contains("unreadable"), "{t}");
        }
    }

    #[test]
    fn month_and_day_before_the_year_only_when_one_order_is_possible() {
        let at = |t: &str| parse_timestamp(t, sh()).map(local);
        assert_eq!(at("11/25/2026 13:00").as_deref(), Ok("2026-11-25 13:00:00"));
        assert_eq!(at("25/11/2026 13:00").as_deref(), Ok("2026-11-25 13:00:00"));
        assert_eq!(at("25.11.2026").as_deref(), Ok("2026-11-25 00:00:00"));
        assert_eq!(
            at("11/25/2026 1:00 PM").as_deref(),
            Ok("2026-11-25 13:00:00")
        );
        assert_eq!(at("5/5/2026").as_deref(), Ok("2026-05-05 00:00:00"));
        let e = at("03/04/2026 10:00").unwrap_err();
        assert_eq!(
            e,
            "ambiguous date \"03/04/2026 10:00\": 3/4 may be month then day or day then month; \
             write the year first (2026-03-04 or 2026-04-03), or import with --day-first or --month-first"
        );
        assert!(at("13/25/2026").unwrap_err().contains("impossible date"));
        // Separators must agree.
        assert!(at("11/25-2026").unwrap_err().contains("unreadable"));
        // Told the order (found by exploratory testing: a Hong Kong export's
        // 03/11/2026 rows, 40% of them, were all rejected).
        let as_ = |t: &str, o| parse_timestamp_as(t, sh(), o).map(local);
        assert_eq!(
            as_("03/04/2026 10:00", DateOrder::DayFirst).as_deref(),
            Ok("2026-04-03 10:00:00")
        );
        assert_eq!(
            as_("03/04/2026 10:00", DateOrder::MonthFirst).as_deref(),
            Ok("2026-03-04 10:00:00")
        );
        // A date of the other order is refused, not read the other way
        // (found by a regression sweep: a US export imported --day-first).
        assert!(as_("11/25/2026", DateOrder::DayFirst)
            .unwrap_err()
            .contains("read day first (day/month/year: --day-first, or date_order in kefu.toml or a --map file): 25 is no month"));
        assert!(as_("25/11/2026", DateOrder::MonthFirst)
            .unwrap_err()
            .contains("read month first (month/day/year: --month-first"));
        assert_eq!(
            as_("25/11/2026", DateOrder::DayFirst).as_deref(),
            Ok("2026-11-25 00:00:00")
        );
    }

    /// Found by exploratory testing of a Taiwan department: dates in
    /// Taiwan's calendar (民國115年 is 2026) were unreadable.
    #[test]
    fn taiwan_calendar_years() {
        let at = |t: &str| parse_timestamp(t, sh()).map(local);
        for (text, want) in [
            ("民國115/11/20 14:00", "2026-11-20 14:00:00"),
            ("民國115年11月20日", "2026-11-20 00:00:00"),
            ("民国 115-11-20 下午3:05", "2026-11-20 15:05:00"),
            ("115/11/20", "2026-11-20 00:00:00"),
            ("115.1.5 9:05", "2026-01-05 09:05:00"),
        ] {
            assert_eq!(at(text).as_deref(), Ok(want), "{text}");
        }
        assert!(at("115/13/20").unwrap_err().contains("impossible date"));
        assert!(at("999/11/20").unwrap_err().contains("unreadable"));
        assert!(at("015/11/20").unwrap_err().contains("unreadable"));
        for month in ["115/08", "115年8月", "民國115年8月", "民国 115-08"] {
            assert_eq!(
                read_month(month).map(|p| p.name).as_deref(),
                Ok("2026-08"),
                "{month}"
            );
        }
    }

    #[test]
    fn english_month_names() {
        let at = |t: &str| parse_timestamp(t, sh()).map(local);
        for (text, want) in [
            ("Nov 20, 2026 09:05", "2026-11-20 09:05:00"),
            ("November 20 2026 9:05 PM", "2026-11-20 21:05:00"),
            ("nov. 20, 2026", "2026-11-20 00:00:00"),
            ("20 Nov 2026 09:05:33", "2026-11-20 09:05:33"),
            ("20-Nov-2026 10:00", "2026-11-20 10:00:00"),
            ("Sept 1, 2026", "2026-09-01 00:00:00"),
            ("Fri, 20 Nov 2026 09:05:00 +0800", "2026-11-20 09:05:00"),
            ("Friday, November 20, 2026 1:05 PM", "2026-11-20 13:05:00"),
            ("Sat, 21 Nov 2026 01:05:00 +0000", "2026-11-21 09:05:00"),
            ("Nov 20, 2026, 9:05 AM", "2026-11-20 09:05:00"),
            ("Sat, 21 Nov 2026 01:05:00 GMT", "2026-11-21 09:05:00"),
        ] {
            assert_eq!(at(text).as_deref(), Ok(want), "{text}");
        }
        assert!(at("Feb 30, 2026").unwrap_err().contains("impossible date"));
        for bad in ["Nov 20, 26", "Nov 2026", "Novel 20, 2026", "Nov 123, 2026"] {
            assert!(at(bad).unwrap_err().contains("unreadable"), "{bad}");
        }
        assert!(at("20 Nov").unwrap_err().starts_with("no year in"));
    }

    #[test]
    fn full_width_digits_punctuation_and_spaces_read_as_ascii() {
        let at = |t: &str| parse_timestamp(t, sh()).map(local);
        for t in [
            "２０２６－１１－２５ １０：００",
            "2026-11-25\u{3000}10:00",
            "2026-11-25\u{a0}10:00",
            "\u{3000}2026/11/25 10:00\u{3000}",
            "２０２６年１１月２５日 １０时",
            "2026-11-25 \u{200b}10:00",
        ] {
            assert_eq!(at(t).as_deref(), Ok("2026-11-25 10:00:00"), "{t}");
        }
        assert_eq!(
            parse_clock_time("１０：３０")
                .map(|c| c.to_string())
                .as_deref(),
            Some("10:30:00")
        );
    }

    #[test]
    fn an_unreadable_time_is_shown_as_written_with_the_forms_accepted() {
        let e = parse_timestamp("2026-11-25\u{3000}13:00 下班后", sh()).unwrap_err();
        assert_eq!(
            e,
            "unreadable timestamp \"2026-11-25\u{3000}13:00 下班后\" (with a full-width space, U+3000) \
             (expected e.g. 2026-11-20 09:05, 2026/11/20 下午3:05, 2026年11月20日9时5分, \
             20261120 090500, 11/20/2026 1:05 PM, Nov 20, 2026 09:05, 2026-11-20T01:05:00Z, \
             an Excel date, or Unix seconds)"
        );
        assert!(!e.contains("\\u"), "{e}");
    }

    #[test]
    fn a_month_is_read_from_a_month_or_a_day_in_it() {
        assert_eq!(
            read_month_as("05/10/2026", DateOrder::DayFirst)
                .map(|p| p.name)
                .as_deref(),
            Ok("2026-10")
        );
        let month = |t: &str| read_month(t).map(|p| p.name);
        for t in [
            "2026-10",
            "2026/10",
            "2026年10月",
            "202610",
            "２０２６－１０",
            "2026-10-01 00:00:00",
            "2026-10-01",
            "2026/10/17",
            "46296",
        ] {
            assert_eq!(month(t).as_deref(), Ok("2026-10"), "{t}");
        }
        assert_eq!(month("2026-13").unwrap_err(), "no such month \"2026-13\"");
        let e = month("10月").unwrap_err();
        assert!(e.starts_with("no year in \"10月\""), "{e}");
        let e = month("十月").unwrap_err();
        assert!(
            e.starts_with("unreadable month \"十月\" (expected e.g. 2026-08"),
            "{e}"
        );
    }

    #[test]
    fn excel_serial_days() {
        // 46346 is 2026-11-20 in Excel's 1900 date system; .25 is 06:00.
        assert_eq!(
            local(parse_timestamp("46346.25", sh()).unwrap()),
            "2026-11-20 06:00:00"
        );
    }

    #[test]
    fn a_clock_time_alone_is_not_a_timestamp_but_joins_a_date() {
        let clock = |t: &str| parse_clock_time(t).map(|c| c.to_string());
        assert_eq!(clock("9:05").as_deref(), Some("09:05:00"));
        assert_eq!(clock(" 09:05:33 ").as_deref(), Some("09:05:33"));
        assert_eq!(clock("09:05:33.250").as_deref(), Some("09:05:33"));
        assert_eq!(clock("9时5分").as_deref(), Some("09:05:00"));
        assert_eq!(clock("下午3:05").as_deref(), Some("15:05:00"));
        assert_eq!(clock("3:05 PM").as_deref(), Some("15:05:00"));
        assert_eq!(clock("0.6284722222222222").as_deref(), Some("15:05:00"));
        assert_eq!(clock("0.5").as_deref(), Some("12:00:00"));
        assert_eq!(clock("1.5"), None);
        // A time-of-day cell of a workbook, as the Excel reader writes it.
        assert_eq!(clock("1899-12-31 09:05:00").as_deref(), Some("09:05:00"));
        for not_a_clock in [
            "2026-11-22",
            "2026-11-22 09:05",
            "09:05Z",
            "25:00",
            "",
            "上午",
        ] {
            assert_eq!(clock(not_a_clock), None, "{not_a_clock}");
        }
        assert!(parse_timestamp("09:05", sh()).is_err());
        let nine = NaiveTime::from_hms_opt(9, 5, 0).unwrap();
        for date in ["2026-11-22", "2026/11/22", "2026-11-22 00:00:00", "46348"] {
            let t = read_date_at(date, nine, sh(), DateOrder::Either).unwrap();
            assert_eq!(local(t.unix_seconds), "2026-11-22 09:05:00", "{date}");
            assert!(t.naive);
        }
        assert!(read_date_at("2026-02-30", nine, sh(), DateOrder::Either)
            .unwrap_err()
            .contains("impossible date"));
    }

    #[test]
    fn utc_evening_is_next_day_in_shanghai() {
        let ts = parse_timestamp("2026-11-19T17:30:00Z", sh()).unwrap();
        assert_eq!(date_of_day(local_day(ts, sh())).to_string(), "2026-11-20");
        let ny: Tz = parse_tz("America/New_York").unwrap();
        assert_eq!(date_of_day(local_day(ts, ny)).to_string(), "2026-11-19");
    }

    fn new_york() -> Tz {
        parse_tz("America/New_York").unwrap()
    }

    #[test]
    fn a_clock_time_in_the_spring_forward_gap_is_rejected_naming_the_jump() {
        let ny = new_york();
        assert_eq!(
            parse_timestamp("2026-03-08 02:30", ny).unwrap_err(),
            "2026-03-08 02:30:00 does not exist in America/New_York \
             (clocks go forward from 02:00 to 03:00)"
        );
        // An Excel date cell (as kefu reads it) and an Excel serial day alike.
        assert!(parse_timestamp("2026-03-08 02:00:00", ny)
            .unwrap_err()
            .contains("does not exist"));
        assert!(parse_timestamp("46089.104166667", ny)
            .unwrap_err()
            .contains("2026-03-08 02:30:00 does not exist"));
        // Either side of the gap is fine.
        assert_eq!(
            parse_timestamp("2026-03-08 01:59:59", ny),
            parse_timestamp("2026-03-08T06:59:59Z", ny)
        );
        assert_eq!(
            parse_timestamp("2026-03-08 03:00", ny),
            parse_timestamp("2026-03-08T07:00:00Z", ny)
        );
        // An offset fixes the instant: there is no gap to fall into.
        let with_offset = read_timestamp("2026-03-08T02:30:00-05:00", ny).unwrap();
        assert!(!with_offset.naive);
        assert_eq!(
            Ok(with_offset.unix_seconds),
            parse_timestamp("2026-03-08T07:30:00Z", ny)
        );
        // Where a re-read that cannot reject it moves it: forward by the jump.
        let skipped = instant_of_clock_time(
            NaiveDate::from_ymd_opt(2026, 3, 8)
                .unwrap()
                .and_hms_opt(2, 30, 0)
                .unwrap(),
            ny,
        )
        .unwrap_err();
        assert_eq!(
            local_datetime(skipped.moved_forward, ny).to_string(),
            "2026-03-08 03:30:00"
        );
    }

    #[test]
    fn a_date_alone_is_the_start_of_its_day_even_where_dst_skips_midnight() {
        // Chile moves its clocks from 00:00 to 01:00 on 2026-09-06.
        let santiago = parse_tz("America/Santiago").unwrap();
        for t in ["2026-09-06", "2026-09-06 00:00:00", "46271"] {
            let ts = parse_timestamp(t, santiago).unwrap();
            assert_eq!(
                local_datetime(ts, santiago).to_string(),
                "2026-09-06 01:00:00",
                "{t}"
            );
        }
        assert!(parse_timestamp("2026-09-06 00:30", santiago)
            .unwrap_err()
            .contains("clocks go forward from 00:00 to 01:00"));
    }

    #[test]
    fn a_clock_time_in_the_repeated_fall_back_hour_is_the_earlier_summer_time_reading() {
        let ny = new_york();
        let ts = parse_timestamp("2026-11-01 01:30", ny).unwrap();
        assert_eq!(Ok(ts), parse_timestamp("2026-11-01T01:30:00-04:00", ny));
        assert_eq!(local_datetime(ts, ny).to_string(), "2026-11-01 01:30:00");
        // The winter-time reading, an hour later, needs its offset.
        assert_eq!(
            parse_timestamp("2026-11-01T01:30:00-05:00", ny).unwrap() - ts,
            3600
        );
        assert!(read_timestamp("2026-11-01 01:30", ny).unwrap().naive);
    }

    #[test]
    fn bad_timestamps_say_why() {
        assert!(parse_timestamp("昨天下午", sh())
            .unwrap_err()
            .contains("unreadable"));
        assert!(parse_timestamp("2026-02-30 10:00", sh())
            .unwrap_err()
            .contains("impossible date 2026-02-30"));
        assert!(parse_timestamp("2026-11-20 25:00", sh())
            .unwrap_err()
            .contains("impossible time"));
        assert!(parse_timestamp("", sh()).unwrap_err().contains("empty"));
        assert!(parse_timestamp("2026-11-20 09:05 xyz", sh()).is_err());
    }

    #[test]
    fn periods() {
        let q = parse_quarter("2026-Q3").unwrap();
        assert_eq!(
            (q.first.to_string(), q.last.to_string()),
            ("2026-07-01".into(), "2026-09-30".into())
        );
        assert_eq!(parse_quarter("2026q3").unwrap(), q);
        assert!(parse_quarter("2026Q5").is_err());
        let m = parse_month("2026-02").unwrap();
        assert_eq!(m.last.to_string(), "2026-02-28");
        assert_eq!(parse_period("2026Q4", sh()).unwrap().name, "2026Q4");
        assert_eq!(parse_period("2026-08", sh()).unwrap().name, "2026-08");
        assert_eq!(parse_period("2026", sh()).unwrap().name, "2026");
        assert_eq!(parse_period("2026-08-03", sh()).unwrap().name, "2026-08-03");
        assert_eq!(q.next().name, "2026Q4");
        assert_eq!(parse_quarter("2026Q4").unwrap().next().name, "2027Q1");
        let w = Period::week_of(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        assert_eq!(w.first.to_string(), "2026-11-16");
        assert_eq!(w.name, "2026-W47");
        // A period has ended once its last day is before today.
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let q4 = parse_quarter("2026Q4").unwrap();
        assert_eq!(parse_year("2026年").unwrap().name, "2026");
        assert!(parse_year("26").is_err() && parse_year("20266").is_err());
        assert!(!q4.has_ended(d(12, 5)));
        assert!(!q4.has_ended(d(12, 31)));
        assert!(q.has_ended(d(10, 1)) && !q.has_ended(d(9, 30)));
        // A week cut by a range keeps its name and shows the days it counts.
        let cut = w.clipped_to(&Period::range(d(11, 19), d(11, 30)).unwrap());
        assert_eq!(
            (cut.first, cut.last, cut.name.as_str()),
            (d(11, 19), d(11, 22), "2026-W47")
        );
        // A Shanghai day starts at 16:00 UTC the day before.
        let (start, end) =
            Period::day(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()).instants(sh());
        assert_eq!(end - start, 86_400);
        assert_eq!(
            start,
            parse_timestamp("2026-11-19T16:00:00Z", sh()).unwrap()
        );
    }
}
