//! The workspace configuration file `kefu.toml`: its typed form, its defaults
//! and the commented template `kefu init` writes.
//!
//! Unknown keys are errors (a typo must not silently change a bonus), reported
//! with the file name and the TOML parser's line and column.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::domain::StarScale;

/// The whole of `kefu.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub workspace: WorkspaceSection,
    /// Named export sources (`[sources.taobao]`), used with `--source NAME`.
    #[serde(default)]
    pub sources: BTreeMap<String, SourceConfig>,
    /// Cause classifier rules (`[classify]`).
    #[serde(default)]
    pub classify: crate::classify::rules::ClassifyConfig,
    /// The reward/penalty rulebook (`[points]`).
    pub points: Option<crate::points::rulebook::Rulebook>,
}

/// `[workspace]`: settings that apply to every command.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceSection {
    /// IANA timezone in which days, months and quarters are cut.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// How long a writer waits for another writer, in seconds.
    #[serde(default = "default_busy_timeout")]
    pub busy_timeout_seconds: u64,
}

fn default_timezone() -> String {
    "Asia/Shanghai".to_string()
}

fn default_busy_timeout() -> u64 {
    60
}

impl Default for WorkspaceSection {
    fn default() -> Self {
        WorkspaceSection {
            timezone: default_timezone(),
            busy_timeout_seconds: default_busy_timeout(),
        }
    }
}

/// `[sources.NAME]`: how to read one platform's export.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Channel to record when the export has no channel column (e.g. "淘宝").
    pub channel: Option<String>,
    /// `field = "header as in the file"` for headers the built-in aliases miss.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Star thresholds for this source's 1–5 ratings.
    pub stars: Option<StarsConfig>,
    /// `"day-first"` or `"month-first"`: how its 03/11/2026 dates read.
    pub date_order: Option<crate::dates::DateOrder>,
}

/// `[sources.NAME.stars]`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StarsConfig {
    pub negative_max: u8,
    pub positive_min: u8,
}

impl From<StarsConfig> for StarScale {
    fn from(s: StarsConfig) -> Self {
        StarScale {
            negative_max: s.negative_max,
            positive_min: s.positive_min,
        }
    }
}

/// A column-mapping file given with `--map FILE.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    pub channel: Option<String>,
    pub stars: Option<StarsConfig>,
    pub date_order: Option<crate::dates::DateOrder>,
}

/// Reads and parses a TOML file into `T`, with the file named in any error.
/// A file saved by Windows Notepad as "ANSI" (GBK, Big5) or "Unicode"
/// (UTF-16) is read too, as the importer reads exports.
pub fn read_toml<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = read_text(path)?;
    toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: {}{}",
            path.display(),
            e.to_string().trim_end(),
            unquoted_key_hint(&text, &e)
        )
    })
}

/// A hint for a key TOML needs quoted: a name in Chinese (`[sources.淘宝]`,
/// `淘宝 = …`), which TOML allows only in quotes (found by exploratory
/// testing: the parser's message alone left users guessing).
fn unquoted_key_hint(text: &str, e: &toml::de::Error) -> String {
    let Some(span) = e.span() else {
        return String::new();
    };
    let found = text.get(span.clone()).unwrap_or("");
    if !e.message().contains("invalid unquoted key") || found.is_ascii() {
        return String::new();
    }
    // The line, with the whole part of the key around the error quoted
    // (`taobao-淘宝`, not `淘宝` alone).
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.start..]
        .find('\n')
        .map_or(text.len(), |i| span.start + i);
    let ends = |c: char| matches!(c, '.' | '[' | ']' | '=' | ' ' | '\t');
    let from = text[line_start..span.start]
        .rfind(ends)
        .map_or(line_start, |i| line_start + i + 1);
    let to = text[span.start..line_end]
        .find(ends)
        .map_or(line_end, |i| span.start + i);
    let line = format!(
        "{}\"{}\"{}",
        &text[line_start..from],
        &text[from..to],
        &text[to..line_end]
    );
    format!(
        "\n(a name that is not plain ASCII is quoted in TOML: {})",
        line.trim()
    )
}

/// Refuses a kefu.toml that is a device or a pipe (its links followed):
/// read, a pipe waits forever and `/dev/zero` never ends; and links that
/// cannot be followed (a loop, a step through a file).
pub fn check_settings_file(path: &Path) -> Result<()> {
    if crate::workspace::is_device_or_pipe(path) {
        bail!(
            "{} is not a file (a device or a pipe): kefu.toml must be a regular file",
            path.display()
        );
    }
    // Links that cannot be followed are not a missing file (said to be
    // missing, or replaced by the defaults at init).
    if let Some(why) = crate::render::output::unfollowable(path) {
        bail!(
            "{} is a symbolic link that cannot be followed ({why}): point it at the settings file, or remove it",
            path.display()
        );
    }
    // Itself or through a link (the system said "Is a directory").
    if path.is_dir() {
        let how = if path.is_symlink() {
            "a symbolic link to a directory"
        } else {
            "a directory"
        };
        bail!(
            "{} is {how}: kefu.toml must be a regular file",
            path.display()
        );
    }
    Ok(())
}

/// The largest settings or mapping file kefu reads (a rulebook of
/// thousands of phrases is under 1 MB).
pub const MAX_TOML_BYTES: u64 = 16 << 20;

/// The bytes of a file kefu reads whole, of at most `limit` bytes: one
/// longer (`/dev/zero`, a log named by mistake) is an error saying it is not
/// `what`, rather than read until memory runs out.
pub fn read_at_most(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    let over = || anyhow::anyhow!("{}: over {} MB: not {what}", path.display(), limit >> 20);
    // A regular file is told by its size, before anything is read.
    if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > limit) {
        return Err(over());
    }
    let mut bytes = vec![];
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, limit + 1), &mut bytes)
        })
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(over());
    }
    Ok(bytes)
}

/// A TOML file's text: UTF-8, or the encoding it is detected to be.
fn read_text(path: &Path) -> Result<String> {
    // At most MAX_TOML_BYTES: `--map /dev/zero` (or a log named by mistake)
    // grew without bound (found by exploratory testing).
    let bytes = read_at_most(path, MAX_TOML_BYTES, "a settings or mapping file")?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => decode_config(e.as_bytes()).with_context(|| {
            format!(
                "{}: not UTF-8, nor GBK, Big5 or UTF-16 text: save it as UTF-8",
                path.display()
            )
        })?,
    };
    Ok(text)
}

/// The line of `text` (1-based) a validation message is about. Serde's
/// errors carry their line; these checks run after it, and their messages
/// name the table (`[classify.phrases] attitud`, `[points] rate must…`):
/// within that table's lines (under each of its headers and its
/// sub-tables', `[[points.rule]]` for `[points]`, or its parent's when it is
/// written inline), the line setting the key the message names, else the
/// first holding one of its quoted values ("凶 = 101", a rule's id), else
/// such a line anywhere, else the table's header. Comments are never the
/// line (found by exploratory testing: a value quoted in a comment of
/// another table was taken).
fn line_of(text: &str, message: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let table_name = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    // The first `[table]` the message names, and what follows it.
    let (table, after) = message
        .match_indices('[')
        .filter_map(|(i, _)| message[i + 1..].split_once(']'))
        .find(|(t, _)| table_name(t))
        .map_or((None, message), |(t, rest)| (Some(t), rest));
    let key = after
        .trim_start()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .filter(|k| !k.is_empty());
    // The lines under a header of `table`, else of its parent (the key then
    // being the last part of the table's name: `stars = {…}`), else all.
    let mut ranges: Vec<(Option<usize>, usize, usize)> = vec![];
    let mut key = key;
    if let Some(mut t) = table {
        loop {
            for (n, l) in lines.iter().enumerate() {
                let head = l.trim();
                let head = head.split('#').next().unwrap_or("").trim();
                let name = head.trim_start_matches('[').trim_end_matches(']');
                let of_table = head.starts_with('[')
                    && (name == t || name.strip_prefix(t).is_some_and(|r| r.starts_with('.')));
                if of_table {
                    let end = lines[n + 1..]
                        .iter()
                        .position(|l| l.trim_start().starts_with('['))
                        .map_or(lines.len(), |p| n + 1 + p);
                    ranges.push((Some(n), n + 1, end));
                }
            }
            if !ranges.is_empty() {
                break;
            }
            match t.rsplit_once('.') {
                Some((parent, last)) => {
                    key = Some(last);
                    t = parent;
                }
                None => break,
            }
        }
    }
    if ranges.is_empty() {
        ranges.push((None, 0, lines.len()));
    }
    let code = |n: &usize| !lines[*n].trim_start().starts_with('#');
    let in_ranges = || ranges.iter().flat_map(|&(_, a, b)| a..b).filter(code);
    if let Some(key) = key {
        let found = in_ranges().find(|&n| {
            let l = lines[n].trim_start();
            let l = l.strip_prefix('"').unwrap_or(l);
            l.strip_prefix(key).is_some_and(|rest| {
                let rest = rest.strip_prefix('"').unwrap_or(rest);
                rest.trim_start().starts_with('=')
            })
        });
        if let Some(n) = found {
            return Some(n + 1);
        }
    }
    let quoted: Vec<&str> = message
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|q| !q.is_empty())
        .collect();
    let found = quoted
        .iter()
        .find_map(|q| in_ranges().find(|&n| lines[n].contains(q)));
    let anywhere = || {
        quoted.iter().find_map(|q| {
            (0..lines.len())
                .filter(code)
                .find(|&n| lines[n].contains(q))
        })
    };
    // A key named after the quoted value (`rule "a": points must…`): its
    // line in the block the value was found in.
    let inner_key = message
        .split("\": ")
        .nth(1)
        .and_then(|rest| {
            rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
        })
        .filter(|k| !k.is_empty());
    let in_block = |n: usize| {
        let key = inner_key?;
        (n..lines.len())
            .take_while(|&m| m == n || !lines[m].trim_start().starts_with('['))
            .filter(code)
            .find(|&m| {
                lines[m]
                    .trim_start()
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
    };
    found
        .or_else(anywhere)
        .map(|n| in_block(n).unwrap_or(n))
        .or(ranges[0].0)
        .map(|n| n + 1)
}

/// The longest busy timeout SQLite takes (2^31 − 1 milliseconds, ~24 days).
const MAX_BUSY_TIMEOUT_SECONDS: u64 = i32::MAX as u64 / 1000;

/// `bytes` (not UTF-8) decoded as the encoding they are detected to be.
fn decode_config(bytes: &[u8]) -> Option<String> {
    let encoding = crate::ingest::encoding::detect(bytes).ok()?;
    let (text, _, malformed) = encoding.encoding_rs().decode(bytes);
    (!malformed).then(|| text.into_owned())
}

impl Config {
    /// Checks what the types alone do not: ranges, and each source's
    /// settings (found by exploratory testing: a huge busy timeout made
    /// every command panic; a source's bad stars surfaced only on its import).
    fn validate(&self) -> Result<()> {
        let timeout = self.workspace.busy_timeout_seconds;
        if timeout > MAX_BUSY_TIMEOUT_SECONDS {
            anyhow::bail!(
                "[workspace] busy_timeout_seconds = {timeout}: at most {MAX_BUSY_TIMEOUT_SECONDS} (~24 days)"
            );
        }
        for (name, source) in &self.sources {
            if let Some(stars) = source.stars {
                StarScale::from(stars)
                    .validate()
                    .with_context(|| format!("[sources.{name}.stars]"))?;
            }
            for field in source.columns.keys() {
                crate::ingest::columns::check_field_name(field)
                    .with_context(|| format!("[sources.{name}.columns]"))?;
            }
        }
        self.classify.validate()
    }

    /// Loads `kefu.toml`, or the defaults when the file does not exist.
    pub fn load(path: &Path) -> Result<Config> {
        check_settings_file(path)?;
        if path.exists() {
            let config: Config = read_toml(path)?;
            // Where a value is out of range: the file, and its line when
            // it can be found (found by exploratory testing: only serde's
            // own errors named one).
            let at = |e: &anyhow::Error| {
                let line = read_text(path)
                    .ok()
                    .and_then(|text| line_of(&text, &format!("{e:#}")));
                match line {
                    Some(n) => format!("{}, line {n}", path.display()),
                    None => path.display().to_string(),
                }
            };
            if let Err(e) =
                crate::dates::parse_tz(&config.workspace.timezone).context("[workspace] timezone")
            {
                let at = at(&e);
                return Err(e.context(at));
            }
            if let Err(e) = config.validate() {
                let at = at(&e);
                return Err(e.context(at));
            }
            if let Some(book) = &config.points {
                if let Err(e) = book.validate() {
                    let at = at(&e);
                    return Err(e.context(at));
                }
            }
            Ok(config)
        } else {
            Ok(Config::default())
        }
    }
}

/// The settings part of the template (a macro, so `concat!` can join it).
macro_rules! base_template {
    () => {
        r#"# kefu workspace configuration (客服工作区配置).
# Every value shown is the default; uncomment a line to change it.
# Changes take effect on the next command; nothing needs rebuilding.

[workspace]
# Days, months and quarters are cut in this timezone (IANA name), and times
# without an offset in exports are clock times here. Changing it re-reads
# them in the new timezone on the next command.
timezone = "Asia/Shanghai"
# Seconds a writer waits while another process writes the store.
# busy_timeout_seconds = 60

# Named sources (数据来源): how to read one platform's export.
# Use with `kefu import reviews --source taobao FILE`. The source name is also
# part of each record's identity, so the same export imported twice adds
# nothing twice.
#
# [sources.taobao]
# channel = "淘宝"                 # recorded when the export has no channel column
# date_order = "day-first"         # 03/04/2026 is 3 April (Hong Kong); or "month-first"
# [sources.taobao.columns]         # field = "header as in the file"
# content = "买家评语"
# created_at = "评价日期"
# [sources.taobao.stars]           # how 1-5 stars map to 差评/中评/好评
# negative_max = 2
# positive_min = 4

# Cause classifier (差评原因自动分类). The built-in rules cover Simplified and
# Traditional Chinese and English; add phrases here (no rebuild needed).
# `kefu classify explain "TEXT"` shows how a text is decided.
#
# [classify]
# replace_builtin = false          # true: use only the phrases below
# negations = ["未"]               # words that cancel a phrase right after them
# contrasts = ["只不过"]            # the main point comes after these
# not_agent = ["快递柜 = 2"]         # blame outside the service (-> other)
# model_weight = 0.65              # model vs rules (built-in or trained model)
# quote_weight = 2.0               # a quoted reply to the customer (“你自己看”) -> attitude; 0: off
# builtin_model = true             # false: rules only until `kefu classify train`
# [classify.phrases]               # "phrase" or "phrase = weight" (default 1)
# attitude = ["甩脸子 = 3"]
# response = ["等到天亮 = 3"]
# neutral = ["烦恼"]               # means nothing; keeps 烦 inside it from matching
# [classify.normalize]             # rewrites before matching (typos, slang)
# "太渡" = "态度"
"#
    };
}

/// The commented `kefu.toml` that `kefu init` writes: settings, then reward/
/// penalty scheme A (examples/scheme-a.toml).
pub const TEMPLATE: &str = concat!(
    base_template!(),
    "\n",
    include_str!("../examples/scheme-a.toml")
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_values_are_found_on_their_line() {
        let text = "[workspace]\ntimezone = \"Asia/Shanghai\"\n[classify]\n# model_weight = 0.65\nmodel_weight = 1.5\n[classify.phrases]\nattitude = [\"凶 = 101\"]\n";
        assert_eq!(
            line_of(text, "[classify] model_weight = 1.5: must be from 0"),
            Some(5)
        );
        assert_eq!(
            line_of(
                text,
                "kefu.toml [classify.phrases] attitude: weight in \"凶 = 101\" must be"
            ),
            Some(7)
        );
        assert_eq!(line_of(text, "no clue here"), None);
        // Within the table the message names (exploratory testing, round
        // 68): not a comment or another table quoting the same value; a key
        // in another table's words; a table written inline in its parent;
        // else the table's header.
        let text = "[workspace]\ntimezone = \"Asia/Shangai\"\n[points]\nrate = \"-5\"\n[[points.rules]]\nid = \"a\"  # 态度\n[sources.pdd]\nstars = { negative_max = 4, positive_min = 2 }\n[classify.phrases]\nattitud = [\"x\"]\n[classify.normalize]\n\"\" = \"态度\"\n";
        let at = |m: &str| line_of(text, m);
        assert_eq!(
            at("[workspace] timezone: unknown timezone \"Asia/Shangai\""),
            Some(2)
        );
        assert_eq!(at("[points] rate must be between 0 and 1000000"), Some(4));
        assert_eq!(
            at("[sources.pdd.stars]: star thresholds must satisfy"),
            Some(8)
        );
        assert_eq!(
            at("kefu.toml [classify.phrases] attitud: unknown rules section [attitud]"),
            Some(10)
        );
        assert_eq!(
            at("kefu.toml [classify.normalize]: an empty text to rewrite (\"\" = \"态度\")"),
            Some(12)
        );
        // A rule's own key, under `[[points.rule]]` (round 69: the
        // `[points]` header was named).
        let text = "[points]\nrate = \"10\"\n[[points.rule]]\nid = \"a\"\npoints = 1\n[[points.rule]]\nid = \"b\"\nname = \"x\"\npoints = -20000\n";
        let at = |m: &str| line_of(text, m);
        assert_eq!(
            at("[points] rule \"b\": points must be from -10000 to 10000"),
            Some(9)
        );
        assert_eq!(at("[points] rule name \"x\" is used twice"), Some(8));
    }

    #[test]
    fn template_parses_to_defaults() {
        let c: Config = toml::from_str(TEMPLATE).unwrap();
        assert_eq!(c.workspace.timezone, "Asia/Shanghai");
        assert!(c.sources.is_empty());
        let book = c.points.unwrap();
        book.validate().unwrap();
        assert_eq!(book.rate.to_string(), "10");
    }

    #[test]
    fn both_schemes_are_valid() {
        for text in [
            include_str!("../examples/scheme-a.toml"),
            include_str!("../examples/scheme-b.toml"),
        ] {
            let c: Config = toml::from_str(text).unwrap();
            c.points.unwrap().validate().unwrap();
        }
    }

    #[test]
    fn a_chinese_key_gets_a_hint_to_quote_it() {
        let dir = std::env::temp_dir().join(format!("kefu-toml-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kefu.toml");
        std::fs::write(&path, "[sources.淘宝]\nchannel = \"淘宝\"\n").unwrap();
        let e = read_toml::<Config>(&path).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        assert!(e.contains(r#"quoted in TOML: [sources."淘宝"]"#), "{e}");
        // The whole part of the key, not its Chinese characters alone
        // (found by regression testing: `taobao-"淘宝"`).
        std::fs::write(&path, "[sources.taobao-淘宝.columns]\n").unwrap();
        let e = read_toml::<Config>(&path).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            e.contains(r#"quoted in TOML: [sources."taobao-淘宝".columns]"#),
            "{e}"
        );
    }

    #[test]
    fn typos_are_errors() {
        let e = toml::from_str::<Config>("[workspace]\ntimezon = \"UTC\"\n").unwrap_err();
        assert!(e.to_string().contains("timezon"));
    }

    #[test]
    fn sources_parse() {
        let c: Config = toml::from_str(
            "[sources.jd]\nchannel = \"京东\"\n[sources.jd.columns]\ncontent = \"评价内容2\"\n[sources.jd.stars]\nnegative_max = 3\npositive_min = 5\n",
        )
        .unwrap();
        let jd = &c.sources["jd"];
        assert_eq!(jd.channel.as_deref(), Some("京东"));
        assert_eq!(jd.columns["content"], "评价内容2");
        assert_eq!(jd.stars.unwrap().negative_max, 3);
    }
}
