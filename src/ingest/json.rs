//! JSON inputs: an array of objects (or an object holding one such array,
//! as platform APIs export: `{"data": [...]}`), and JSON Lines.
//!
//! A JSON document is read whole (JSON exports are API pages, not millions of
//! rows; use JSON Lines for large feeds, which streams). Headers are the
//! objects' keys in first-seen order; values become text (numbers as written,
//! `null` as empty, nested values as JSON).

use std::collections::HashMap;
use std::io::{BufRead, Read};

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};

use super::encoding::invalid_text_reason;
use super::{ReadOutcome, Row, RowSource, TextEncoding};

pub struct JsonSource {
    headers: Vec<String>,
    index: HashMap<String, usize>,
    encoding: TextEncoding,
    body: Body,
}

enum Body {
    /// The items of the array, consumed front to back.
    Items(std::vec::IntoIter<Value>, u64),
    /// JSON Lines, streamed: the reader, the line number, the line read ahead
    /// (bytes, as a line that is not valid UTF-8 is a rejected row).
    Lines(Box<dyn BufRead + Send>, u64, Vec<u8>),
}

/// Keys under which exports commonly put their array of records.
const ARRAY_KEYS: &[&str] = &[
    "data",
    "items",
    "records",
    "rows",
    "list",
    "result",
    "results",
    "reviews",
    "complaints",
];

/// Whether a line holds nothing but white space.
fn is_blank(line: &[u8]) -> bool {
    std::str::from_utf8(line).is_ok_and(|s| s.trim().is_empty())
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

impl JsonSource {
    pub fn open_array<R: Read>(
        name: &str,
        mut text: R,
        encoding: TextEncoding,
    ) -> Result<JsonSource> {
        let mut s = String::new();
        text.read_to_string(&mut s)
            .with_context(|| format!("{name}: not valid {} text", encoding.name()))?;
        let value: Value = serde_json::from_str(&s).map_err(|e| {
            anyhow::anyhow!(
                "{name}: not JSON ({e}); expected an array of objects or an object holding one"
            )
        })?;
        let items = match value {
            Value::Array(items) => items,
            Value::Object(mut obj) => {
                let key = ARRAY_KEYS
                    .iter()
                    .find(|k| matches!(obj.get(**k), Some(Value::Array(_))))
                    .map(|k| k.to_string())
                    .or_else(|| {
                        let arrays: Vec<&String> = obj
                            .iter()
                            .filter(|(_, v)| matches!(v, Value::Array(a) if a.iter().any(Value::is_object)))
                            .map(|(k, _)| k)
                            .collect();
                        (arrays.len() == 1).then(|| arrays[0].clone())
                    });
                match key.and_then(|k| obj.remove(&k)) {
                    Some(Value::Array(items)) => items,
                    _ => bail!("{name}: a JSON object without an array of records (looked for one array under keys such as \"data\" or \"items\")"),
                }
            }
            _ => bail!("{name}: JSON, but neither an array of objects nor an object holding one"),
        };
        let mut src = JsonSource {
            headers: vec![],
            index: HashMap::new(),
            encoding,
            body: Body::Items(vec![].into_iter(), 0),
        };
        for item in &items {
            if let Value::Object(obj) = item {
                src.learn_keys(obj);
            }
        }
        if src.headers.is_empty() {
            bail!("{name}: the JSON array holds no objects");
        }
        src.body = Body::Items(items.into_iter(), 0);
        Ok(src)
    }

    pub fn open_lines<R: BufRead + Send + 'static>(
        name: &str,
        text: R,
        encoding: TextEncoding,
    ) -> Result<JsonSource> {
        let mut src = JsonSource {
            headers: vec![],
            index: HashMap::new(),
            encoding,
            body: Body::Lines(Box::new(text), 0, Vec::new()),
        };
        // Learn the first object's keys now so that headers are known up front.
        if let Body::Lines(reader, line_no, buf) = &mut src.body {
            loop {
                buf.clear();
                if reader
                    .read_until(b'\n', buf)
                    .with_context(|| format!("cannot read {name}"))?
                    == 0
                {
                    bail!("{name}: no JSON object in the file");
                }
                *line_no += 1;
                if !is_blank(buf) {
                    break;
                }
            }
        }
        let first = match &src.body {
            Body::Lines(_, line_no, buf) => match std::str::from_utf8(buf) {
                Ok(text) => serde_json::from_str::<Value>(text.trim()),
                Err(_) => bail!(
                    "{name}: line {line_no} is {}",
                    invalid_text_reason(buf, encoding)
                ),
            },
            Body::Items(..) => unreachable!(),
        };
        match first {
            Ok(Value::Object(obj)) => src.learn_keys(&obj),
            _ => bail!(
                "{name}: line 1 is not a JSON object; expected JSON Lines (one object per line)"
            ),
        }
        Ok(src)
    }

    fn learn_keys(&mut self, obj: &Map<String, Value>) {
        for key in obj.keys() {
            if !self.index.contains_key(key) {
                self.index.insert(key.clone(), self.headers.len());
                self.headers.push(key.trim().to_string());
            }
        }
    }

    fn fill(&mut self, obj: &Map<String, Value>, row: &mut Row) {
        self.learn_keys(obj);
        let mut values = vec![String::new(); self.headers.len()];
        for (k, v) in obj {
            values[self.index[k]] = value_text(v);
        }
        row.set(values);
    }
}

impl RowSource for JsonSource {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn position_name(&self) -> &'static str {
        match self.body {
            Body::Items(..) => "item",
            Body::Lines(..) => "line",
        }
    }

    fn encoding(&self) -> Option<TextEncoding> {
        Some(self.encoding)
    }

    fn read_row(&mut self, row: &mut Row) -> Result<ReadOutcome> {
        let encoding = self.encoding;
        let (parsed, line, raw) = match &mut self.body {
            Body::Items(items, n) => match items.next() {
                None => return Ok(ReadOutcome::End),
                Some(v) => {
                    *n += 1;
                    let raw = v.to_string();
                    (Ok(v), *n, raw)
                }
            },
            Body::Lines(reader, line_no, buf) => {
                // The first line was read at open; later lines are read here.
                if buf.is_empty() {
                    loop {
                        if reader.read_until(b'\n', buf).context("reading failed")? == 0 {
                            return Ok(ReadOutcome::End);
                        }
                        *line_no += 1;
                        if !is_blank(buf) {
                            break;
                        }
                        buf.clear();
                    }
                }
                match String::from_utf8(std::mem::take(buf)) {
                    Ok(text) => {
                        let parsed = serde_json::from_str::<Value>(text.trim())
                            .map_err(|e| format!("not JSON: {e}"));
                        (parsed, *line_no, text.trim_end().to_string())
                    }
                    Err(e) => {
                        let bytes = e.as_bytes();
                        let reason = invalid_text_reason(bytes, encoding);
                        let raw = String::from_utf8_lossy(bytes).trim_end().to_string();
                        (Err(reason), *line_no, raw)
                    }
                }
            }
        };
        match parsed {
            Ok(Value::Object(obj)) => {
                row.line = line;
                self.fill(&obj, row);
                Ok(ReadOutcome::Row)
            }
            Ok(_) => Ok(ReadOutcome::Bad {
                line,
                reason: "not a JSON object".into(),
                raw,
            }),
            Err(reason) => Ok(ReadOutcome::Bad { line, reason, raw }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(mut src: JsonSource) -> Vec<String> {
        let mut out = vec![];
        let mut row = Row::default();
        loop {
            match src.read_row(&mut row).unwrap() {
                ReadOutcome::Row => out.push(format!(
                    "{}:{}",
                    row.line,
                    row.iter().collect::<Vec<_>>().join("|")
                )),
                ReadOutcome::Bad { line, reason, .. } => out.push(format!("{line}!{reason}")),
                ReadOutcome::End => return out,
            }
        }
    }

    #[test]
    fn object_holding_an_array() {
        let src = JsonSource::open_array(
            "t.json",
            r#"{"total":2,"data":[{"id":1,"text":"慢"},{"id":"2","extra":null,"text":"差"}]}"#
                .as_bytes(),
            TextEncoding::Utf8,
        )
        .unwrap();
        assert_eq!(src.headers(), ["id", "text", "extra"]);
        assert_eq!(rows(src), ["1:1|慢|", "2:2|差|"]);
    }

    #[test]
    fn json_lines_with_a_bad_line_and_a_new_key() {
        let text = "{\"id\":1}\n\n{oops\n{\"id\":3,\"note\":\"x\"}\n";
        let src = JsonSource::open_lines("t.jsonl", std::io::Cursor::new(text), TextEncoding::Utf8)
            .unwrap();
        let out = rows(src);
        assert_eq!(out[0], "1:1");
        assert!(out[1].starts_with("3!not JSON"), "{}", out[1]);
        assert_eq!(out[2], "4:3|x");
    }

    #[test]
    fn not_json_is_a_file_error() {
        let e = JsonSource::open_array("x.json", "<html>".as_bytes(), TextEncoding::Utf8)
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("x.json: not JSON"));
    }
}
