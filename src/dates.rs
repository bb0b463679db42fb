//! Time: parsing the timestamps exports really contain, and cutting days,
//! weeks, months, quarters and years in the workspace timezone.
//!
//! Instants are stored as Unix seconds (UTC). A "local day" is the number of
//! days since 1970-01-01 of the instant's date in the workspace timezone, so a
//! review stamped `2026-11-19T17:30:00Z` is on 2026-11-20 in Asia/Shanghai.
//! Naive timestamps (no offset) are read as workspace-local clock time: a
//! clock time that daylight saving time skips is an error, one it repeats is
//! the earlier (summer-time) reading.

use anyhow::{bail, Context, Result};
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc,
};
use chrono_tz::Tz;

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

/// The UTC instant at which local midnight starts `date` in `tz`
/// (the first valid instant of the day where DST skips midnight).
pub fn start_of_day(date: NaiveDate, tz: Tz) -> i64 {
    let naive = date.and_time(NaiveTime::MIN);
    resolve_local(naive, tz).timestamp()
}

/// Maps a local wall-clock time to an instant: the earlier of two on a DST
/// overlap, the first valid time after a DST gap.
fn resolve_local(naive: NaiveDateTime, tz: Tz) -> DateTime<Tz> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(a, _) => a,
        LocalResult::None => {
            let mut probe = naive;
            for _ in 0..180 {
                probe += Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t;
                }
            }
            tz.from_utc_datetime(&naive)
        }
    }
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
        moved_forward: reading - offset_before,
    }
}

/// Parses a timezone name such as `Asia/Shanghai`.
pub fn parse_tz(name: &str) -> Result<Tz> {
    name.parse::<Tz>().map_err(|_| {
        anyhow::anyhow!("unknown timezone {name:?} (expected an IANA name such as Asia/Shanghai)")
    })
}

/// Parses a timestamp as exports write it and returns Unix seconds (see
/// [`read_timestamp`]).
pub fn parse_timestamp(text: &str, tz: Tz) -> Result<i64, String> {
    read_timestamp(text, tz).map(|t| t.unix_seconds)
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
/// `2026年11月20日9时5分`, RFC 3339 (`2026-11-20T09:05:33Z`, `…+08:00`,
/// fractions of seconds), and Excel serial day numbers (`46346.38`).
/// Naive forms are local clock time in `tz` ([`instant_of_clock_time`]): a
/// clock time that DST skips is rejected, a repeated one is the earlier
/// reading. A date alone, or midnight, is the start of that day, even where
/// DST skips midnight (a date cell is written `00:00:00`).
pub fn read_timestamp(text: &str, tz: Tz) -> Result<ReadTimestamp, String> {
    let (naive, offset) = read_written(text)?;
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
pub fn read_date_at(date: &str, clock: NaiveTime, tz: Tz) -> Result<ReadTimestamp, String> {
    let (naive, _) = read_written(date)?;
    read_local(naive.date().and_time(clock), tz)
}

/// The clock time of a text that holds one and no date: `9:05`, `09:05:33`,
/// `09:05:33.250`, `9时5分`, or a time-of-day cell of a workbook as kefu
/// reads it (on day 0 of Excel's calendar: `1899-12-31 09:05:00`, or
/// `1899-12-30 …`). `None` for anything else, a full timestamp too.
pub fn parse_clock_time(text: &str) -> Option<NaiveTime> {
    let t = text.trim();
    let t = ["1899-12-30 ", "1899-12-31 "]
        .iter()
        .find_map(|day| t.strip_prefix(day))
        .unwrap_or(t);
    if !t.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // The timestamp reader's time part, behind a date that is not used.
    let parts = split_timestamp(&format!("2000-01-01 {t}"))?;
    if parts.offset_seconds.is_some() {
        return None;
    }
    NaiveTime::from_hms_opt(parts.hour, parts.minute, parts.second)
}

/// A timestamp as written: the date and clock time, and the offset from UTC
/// in seconds when it has one.
fn read_written(text: &str) -> Result<(NaiveDateTime, Option<i32>), String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("timestamp is empty".into());
    }
    if let Some(naive) = parse_excel_serial(t) {
        return Ok((naive, None));
    }
    let parts = split_timestamp(t).ok_or_else(|| format!("unreadable timestamp {t:?}"))?;
    let date = NaiveDate::from_ymd_opt(parts.year, parts.month, parts.day).ok_or_else(|| {
        format!(
            "impossible date {:04}-{:02}-{:02} in {t:?}",
            parts.year, parts.month, parts.day
        )
    })?;
    let time = NaiveTime::from_hms_opt(parts.hour, parts.minute, parts.second)
        .ok_or_else(|| format!("impossible time of day in {t:?}"))?;
    Ok((date.and_time(time), parts.offset_seconds))
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

/// The numeric fields of a timestamp as written, before any validation.
struct TimestampParts {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    offset_seconds: Option<i32>,
}

/// Splits a timestamp into numeric fields by a small state machine: runs of
/// digits separated by date separators (`-` `/` `.` 年 月 日), then an optional
/// time (`:` 时 分 秒, optional fraction), then an optional `Z` or `±hh:mm`.
fn split_timestamp(t: &str) -> Option<TimestampParts> {
    let mut chars = t.chars().peekable();
    let number = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, max: usize| {
        let mut v: u32 = 0;
        let mut n = 0;
        while let Some(c) = chars.peek().copied() {
            if let Some(d) = c.to_digit(10) {
                if n == max {
                    break;
                }
                v = v * 10 + d;
                n += 1;
                chars.next();
            } else {
                break;
            }
        }
        (n > 0).then_some((v, n))
    };
    let (year, ylen) = number(&mut chars, 4)?;
    if ylen != 4 {
        return None;
    }
    let date_sep = |c: char| matches!(c, '-' | '/' | '.' | '年' | '月');
    if !chars.next().is_some_and(date_sep) {
        return None;
    }
    let (month, _) = number(&mut chars, 2)?;
    if !chars.next().is_some_and(date_sep) {
        return None;
    }
    let (day, _) = number(&mut chars, 2)?;
    if chars.peek() == Some(&'日') {
        chars.next();
    }
    let mut parts = TimestampParts {
        year: year as i32,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        offset_seconds: None,
    };
    while chars
        .peek()
        .is_some_and(|c| *c == ' ' || *c == 'T' || *c == 't')
    {
        chars.next();
    }
    if chars.peek().is_none() {
        return Some(parts);
    }
    let (hour, _) = number(&mut chars, 2)?;
    parts.hour = hour;
    if !chars
        .next()
        .is_some_and(|c| matches!(c, ':' | '时' | '點' | '点'))
    {
        return None;
    }
    let (minute, _) = number(&mut chars, 2)?;
    parts.minute = minute;
    if chars.peek() == Some(&'分') {
        chars.next();
    }
    if chars.peek() == Some(&':') {
        chars.next();
    }
    if let Some((second, _)) = number(&mut chars, 2) {
        parts.second = second;
        if chars.peek() == Some(&'秒') {
            chars.next();
        }
        if chars.peek().is_some_and(|c| *c == '.' || *c == ',') {
            chars.next();
            while chars.peek().is_some_and(|c| c.is_ascii_digit()) {
                chars.next();
            }
        }
    }
    while chars.peek() == Some(&' ') {
        chars.next();
    }
    match chars.next() {
        None => {}
        Some('Z') | Some('z') => parts.offset_seconds = Some(0),
        Some(sign @ ('+' | '-')) => {
            let (hh, hlen) = number(&mut chars, 2)?;
            if hlen != 2 {
                return None;
            }
            if chars.peek() == Some(&':') {
                chars.next();
            }
            let mm = number(&mut chars, 2).map(|(m, _)| m).unwrap_or(0);
            if hh > 23 || mm > 59 {
                return None;
            }
            let off = (hh * 3600 + mm * 60) as i32;
            parts.offset_seconds = Some(if sign == '-' { -off } else { off });
        }
        Some(_) => return None,
    }
    if chars.next().is_some() {
        return None;
    }
    Some(parts)
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
            NaiveDate::parse_from_str(fixed.trim(), "%Y-%m-%d").map_err(|_| {
                crate::error::Usage(format!(
                    "{TODAY_VAR}={fixed:?} is not a date (expected e.g. 2026-12-05)"
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
    match t.to_ascii_lowercase().as_str() {
        "today" | "今天" => return today(tz),
        "yesterday" | "昨天" => return Ok(today(tz)? - Duration::days(1)),
        _ => {}
    }
    let parts = split_timestamp(t).with_context(|| {
        format!("unreadable date {t:?} (expected e.g. 2026-11-20, today, yesterday)")
    })?;
    NaiveDate::from_ymd_opt(parts.year, parts.month, parts.day)
        .with_context(|| format!("impossible date {t:?}"))
}

/// Parses a quarter: `2026Q3`, `2026-Q3`, `2026q3`, `2026 Q3`.
pub fn parse_quarter(text: &str) -> Result<Period> {
    let t = text.trim().to_ascii_uppercase().replace([' ', '-'], "");
    let (y, q) = t
        .split_once('Q')
        .with_context(|| format!("unreadable quarter {text:?} (expected e.g. 2026Q3)"))?;
    let year: i32 = y
        .parse()
        .with_context(|| format!("unreadable quarter {text:?} (expected e.g. 2026Q3)"))?;
    let q: u32 = q
        .parse()
        .with_context(|| format!("unreadable quarter {text:?} (expected e.g. 2026Q3)"))?;
    Period::quarter(year, q)
        .with_context(|| format!("no such quarter {text:?} (quarters are Q1 to Q4)"))
}

/// Parses a month: `2026-08`, `2026/8`, `2026年8月`.
/// An ISO week: `2026-W10` (Monday to Sunday; weeks as `report trend
/// --by week` names them).
pub fn parse_week(text: &str) -> Result<Period> {
    let t = text.trim().to_ascii_uppercase();
    let parsed = t.split_once("-W").and_then(|(y, w)| {
        let (y, w): (i32, u32) = (y.parse().ok()?, w.parse().ok()?);
        NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon)
    });
    match parsed {
        Some(monday) => Ok(Period::week_of(monday)),
        None => bail!("unreadable week {text:?} (expected an ISO week such as 2026-W47)"),
    }
}

pub fn parse_month(text: &str) -> Result<Period> {
    let t = text.trim().trim_end_matches('月');
    let (y, m) = t
        .split_once(['-', '/', '年', '.'])
        .with_context(|| format!("unreadable month {text:?} (expected e.g. 2026-08)"))?;
    let year: i32 = y
        .parse()
        .with_context(|| format!("unreadable month {text:?}"))?;
    let month: u32 = m
        .parse()
        .with_context(|| format!("unreadable month {text:?}"))?;
    Period::month(year, month).with_context(|| format!("no such month {text:?}"))
}

/// Parses a year: `2026`.
pub fn parse_year(text: &str) -> Result<Period> {
    let digits = text.trim().trim_end_matches('年');
    // Four digits: `26` is not taken for the year 26.
    if digits.len() != 4 {
        bail!("unreadable year {text:?} (expected four digits, e.g. 2026)");
    }
    let year: i32 = digits
        .parse()
        .with_context(|| format!("unreadable year {text:?}"))?;
    Period::year(year).with_context(|| format!("no such year {text:?}"))
}

/// Parses any period name: a quarter, a month, a year or a day.
pub fn parse_period(text: &str, tz: Tz) -> Result<Period> {
    let t = text.trim();
    if t.to_ascii_uppercase().contains("-W") {
        parse_week(t)
    } else if t.to_ascii_uppercase().contains('Q') {
        parse_quarter(t)
    } else if t.len() == 4 || t.ends_with('年') {
        parse_year(t)
    } else if split_timestamp(t).is_some() || t.chars().all(|c| c.is_ascii_alphabetic()) {
        parse_date_arg(t, tz).map(Period::day)
    } else {
        parse_month(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh() -> Tz {
        parse_tz("Asia/Shanghai").unwrap()
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
            let t = read_date_at(date, nine, sh()).unwrap();
            assert_eq!(local(t.unix_seconds), "2026-11-22 09:05:00", "{date}");
            assert!(t.naive);
        }
        assert!(read_date_at("2026-02-30", nine, sh())
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
