//! One Kafka record as `kabar tail` shows it: a JSON object per line (like `kcat -J`), pretty
//! and coloured for a person, or the value alone.
//!
//! A value is shown as JSON when it is JSON (keys in the order the producer wrote them), as the
//! article's proto3 JSON when it is one of kabar's binary protobuf outputs, as a string when it
//! is other UTF-8 text, and in base64 otherwise; `valueEncoding` says which.

use std::borrow::Cow;
use std::io::{self, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use kabar_proto::Message as _;
use rdkafka::Message;
use rdkafka::message::{BorrowedMessage, Headers, Timestamp};
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::value::RawValue;

use crate::kafka::records::CONTENT_TYPE_PROTOBUF;
use crate::tools::time::rfc3339_millis;

/// How records are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line: topic, partition, offset, timestamp, key, headers, value.
    Json,
    /// For a person: a coloured line about the record, its headers, the value indented.
    Pretty,
    /// The value alone, one per line (JSON compacted onto its line).
    Value,
}

/// A record's value, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No payload (a tombstone).
    Null,
    /// JSON, compacted, keys in their original order; `protobuf` when decoded from kabar's
    /// binary encoding.
    Json { text: String, protobuf: bool },
    /// UTF-8 text that is not JSON.
    Text(String),
    /// Bytes that are not UTF-8.
    Binary(Vec<u8>),
}

impl Value {
    /// Decodes a payload; `protobuf` when the record's `content-type` says it is kabar's
    /// binary article.
    pub fn decode(payload: Option<&[u8]>, protobuf: bool) -> Value {
        let Some(payload) = payload else {
            return Value::Null;
        };
        if protobuf {
            if let Ok(article) = kabar_proto::v1::EnrichedArticle::decode(payload) {
                if let Ok(text) = serde_json::to_string(&article) {
                    return Value::Json {
                        text,
                        protobuf: true,
                    };
                }
            }
        }
        match std::str::from_utf8(payload) {
            Ok(text) => match compact_json(text) {
                Some(json) => Value::Json {
                    text: json,
                    protobuf: false,
                },
                None => Value::Text(text.to_owned()),
            },
            Err(_) => Value::Binary(payload.to_vec()),
        }
    }

    /// `json`, `protobuf`, `string` or `base64`; `None` for no value.
    pub fn encoding(&self) -> Option<&'static str> {
        match self {
            Value::Null => None,
            Value::Json {
                protobuf: false, ..
            } => Some("json"),
            Value::Json { protobuf: true, .. } => Some("protobuf"),
            Value::Text(_) => Some("string"),
            Value::Binary(_) => Some("base64"),
        }
    }

    /// The value as JSON, for `--where` filters (which look into articles).
    pub fn as_json(&self) -> Option<serde_json::Value> {
        match self {
            Value::Json { text, .. } => serde_json::from_str(text).ok(),
            _ => None,
        }
    }

    /// The value as it goes into a JSON line: JSON as is, text as a string, bytes as base64.
    fn raw(&self) -> Option<Box<RawValue>> {
        let text = match self {
            Value::Null => return None,
            Value::Json { text, .. } => text.clone(),
            Value::Text(text) => serde_json::to_string(text).ok()?,
            Value::Binary(bytes) => serde_json::to_string(&BASE64.encode(bytes)).ok()?,
        };
        RawValue::from_string(text).ok()
    }
}

/// `text` compacted onto one line with its keys in order, when it is one JSON value.
fn compact_json(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len());
    let mut deserializer = serde_json::Deserializer::from_str(trimmed);
    serde_transcode::transcode(
        &mut deserializer,
        &mut serde_json::Serializer::new(&mut out),
    )
    .ok()?;
    deserializer.end().ok()?;
    String::from_utf8(out).ok()
}

/// Bytes shown as text when they are UTF-8, in base64 otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bytes<'m> {
    Text(&'m str),
    Base64(String),
}

impl<'m> Bytes<'m> {
    fn of(bytes: &'m [u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(text) => Bytes::Text(text),
            Err(_) => Bytes::Base64(BASE64.encode(bytes)),
        }
    }

    fn text(&self) -> Cow<'_, str> {
        match self {
            Bytes::Text(text) => Cow::Borrowed(text),
            Bytes::Base64(encoded) => Cow::Owned(format!("base64:{encoded}")),
        }
    }
}

/// A header's value in JSON: a string, `{"base64": ...}` for bytes that are not UTF-8, or null.
struct HeaderValue<'a>(Option<&'a Bytes<'a>>);

impl Serialize for HeaderValue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            None => serializer.serialize_none(),
            Some(Bytes::Text(text)) => serializer.serialize_str(text),
            Some(Bytes::Base64(encoded)) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("base64", encoded)?;
                map.end()
            }
        }
    }
}

/// Headers as a JSON object in their order; a name that repeats holds an array of its values.
struct HeaderMap<'a>(&'a [(&'a str, Option<Bytes<'a>>)]);

impl Serialize for HeaderMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut names: Vec<&str> = Vec::with_capacity(self.0.len());
        for (name, _) in self.0 {
            if !names.contains(name) {
                names.push(name);
            }
        }
        let mut map = serializer.serialize_map(Some(names.len()))?;
        for name in names {
            let values: Vec<HeaderValue<'_>> = self
                .0
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, v)| HeaderValue(v.as_ref()))
                .collect();
            if let [one] = values.as_slice() {
                map.serialize_entry(name, one)?;
            } else {
                map.serialize_entry(name, &values)?;
            }
        }
        map.end()
    }
}

/// One record, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'m> {
    pub topic: &'m str,
    pub partition: i32,
    pub offset: i64,
    /// Milliseconds since the epoch, and `create` or `logAppend`.
    pub timestamp: Option<(i64, &'static str)>,
    pub key: Option<Bytes<'m>>,
    pub headers: Vec<(&'m str, Option<Bytes<'m>>)>,
    pub value: Value,
}

/// A record's JSON line.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Line<'a> {
    topic: &'a str,
    partition: i32,
    offset: i64,
    timestamp: Option<i64>,
    timestamp_type: Option<&'static str>,
    time: Option<String>,
    key: Option<Cow<'a, str>>,
    key_encoding: Option<&'static str>,
    headers: HeaderMap<'a>,
    value: Option<Box<RawValue>>,
    value_encoding: Option<&'static str>,
}

impl<'m> Record<'m> {
    pub fn from_message(message: &'m BorrowedMessage<'m>) -> Self {
        let headers: Vec<(&str, Option<Bytes<'_>>)> = message
            .headers()
            .map(|headers| {
                headers
                    .iter()
                    .map(|h| (h.key, h.value.map(Bytes::of)))
                    .collect()
            })
            .unwrap_or_default();
        let protobuf = headers.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("content-type")
                && *value == Some(Bytes::Text(CONTENT_TYPE_PROTOBUF))
        });
        let timestamp = match message.timestamp() {
            Timestamp::CreateTime(ms) => Some((ms, "create")),
            Timestamp::LogAppendTime(ms) => Some((ms, "logAppend")),
            Timestamp::NotAvailable => None,
        };
        Record {
            topic: message.topic(),
            partition: message.partition(),
            offset: message.offset(),
            timestamp,
            key: message.key().map(Bytes::of),
            headers,
            value: Value::decode(message.payload(), protobuf),
        }
    }

    /// One JSON object and a newline.
    pub fn write_json_line(&self, out: &mut impl Write) -> io::Result<()> {
        let line = Line {
            topic: self.topic,
            partition: self.partition,
            offset: self.offset,
            timestamp: self.timestamp.map(|(ms, _)| ms),
            timestamp_type: self.timestamp.map(|(_, kind)| kind),
            time: self.timestamp.map(|(ms, _)| rfc3339_millis(ms)),
            key: self.key.as_ref().map(|key| match key {
                Bytes::Text(text) => Cow::Borrowed(*text),
                Bytes::Base64(encoded) => Cow::Borrowed(encoded.as_str()),
            }),
            key_encoding: self.key.as_ref().map(|key| match key {
                Bytes::Text(_) => "string",
                Bytes::Base64(_) => "base64",
            }),
            headers: HeaderMap(&self.headers),
            value: self.value.raw(),
            value_encoding: self.value.encoding(),
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")
    }

    /// The value alone and a newline (base64 for bytes; an empty line for no value).
    pub fn write_value(&self, out: &mut impl Write) -> io::Result<()> {
        match &self.value {
            Value::Null => {}
            Value::Json { text, .. } | Value::Text(text) => out.write_all(text.as_bytes())?,
            Value::Binary(bytes) => out.write_all(BASE64.encode(bytes).as_bytes())?,
        }
        out.write_all(b"\n")
    }

    /// For a person: where the record is, its key and time, its headers (kabar's error headers
    /// stand out), then the value, pretty-printed.
    pub fn write_pretty(&self, out: &mut impl Write, color: bool) -> io::Result<()> {
        let paint = |style: anstyle::Style, text: &str| {
            if color {
                format!("{style}{text}{style:#}")
            } else {
                text.to_owned()
            }
        };
        let bold = anstyle::Style::new().bold();
        let dim = anstyle::Style::new().dimmed();
        let name_style = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Cyan.into()));
        let error_style = anstyle::Style::new()
            .bold()
            .fg_color(Some(anstyle::AnsiColor::Red.into()));
        let mut first = format!(
            "{} {} {}",
            paint(bold, self.topic),
            paint(dim, &format!("partition {}", self.partition)),
            paint(dim, &format!("offset {}", self.offset)),
        );
        if let Some((ms, kind)) = self.timestamp {
            first.push_str(&format!("  {}", rfc3339_millis(ms)));
            if kind != "create" {
                first.push_str(&format!(" ({kind})"));
            }
        }
        if let Some(key) = &self.key {
            first.push_str(&format!("  {} {}", paint(dim, "key"), key.text()));
        }
        writeln!(out, "{first}")?;
        for (name, value) in &self.headers {
            let value = value.as_ref().map_or(Cow::Borrowed("(null)"), Bytes::text);
            let value = if name.starts_with("kabar-error-") {
                paint(error_style, &value)
            } else {
                value.into_owned()
            };
            writeln!(out, "  {}: {value}", paint(name_style, name))?;
        }
        match &self.value {
            Value::Null => writeln!(out, "{}", paint(dim, "(no value)"))?,
            Value::Json { text, .. } => {
                write_pretty_json(out, text, color)?;
                writeln!(out)?;
            }
            Value::Text(text) => writeln!(out, "{text}")?,
            Value::Binary(bytes) => writeln!(
                out,
                "{} {}",
                paint(dim, &format!("({} bytes, base64)", bytes.len())),
                BASE64.encode(bytes)
            )?,
        }
        writeln!(out)
    }
}

/// Compact JSON `text` indented, in jq's colours when `color`.
fn write_pretty_json(out: &mut impl Write, text: &str, color: bool) -> io::Result<()> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let formatter = serde_json::ser::PrettyFormatter::new();
    let result = if color {
        let formatter = colored_json::ColoredFormatter::new(formatter);
        serde_transcode::transcode(
            &mut deserializer,
            &mut serde_json::Serializer::with_formatter(&mut *out, formatter),
        )
    } else {
        serde_transcode::transcode(
            &mut deserializer,
            &mut serde_json::Serializer::with_formatter(&mut *out, formatter),
        )
    };
    result.map_err(io::Error::other)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a failure is the test's failure
mod tests {
    use super::*;

    fn record(
        value: Value,
        headers: Vec<(&'static str, Option<Bytes<'static>>)>,
    ) -> Record<'static> {
        Record {
            topic: "news.dlq.v1",
            partition: 2,
            offset: 41,
            timestamp: Some((1_764_601_200_250, "create")),
            key: Some(Bytes::Text("a-1")),
            headers,
            value,
        }
    }

    fn line(record: &Record<'_>) -> serde_json::Value {
        let mut out = Vec::new();
        record.write_json_line(&mut out).unwrap();
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
        assert!(out.ends_with(b"\n"));
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn values_keep_their_form() {
        let json = Value::decode(Some(b"{\n  \"z\": 1,\n  \"a\": [true, null]\n}\n"), false);
        assert_eq!(
            json,
            Value::Json {
                text: r#"{"z":1,"a":[true,null]}"#.to_owned(),
                protobuf: false
            }
        );
        assert_eq!(
            Value::decode(Some(b"plain text {"), false),
            Value::Text("plain text {".to_owned())
        );
        assert_eq!(
            Value::decode(Some(b"\xff\x00"), false),
            Value::Binary(vec![0xff, 0])
        );
        assert_eq!(Value::decode(None, false), Value::Null);
        // Two JSON values are not one.
        assert_eq!(
            Value::decode(Some(b"{} {}"), false),
            Value::Text("{} {}".to_owned())
        );
        let article = kabar_proto::v1::EnrichedArticle {
            id: "p1".to_owned(),
            title: "Gempa".to_owned(),
            ..Default::default()
        };
        let decoded = Value::decode(Some(&article.encode_to_vec()), true);
        assert_eq!(decoded.encoding(), Some("protobuf"));
        assert_eq!(decoded.as_json().unwrap()["title"], "Gempa");
    }

    #[test]
    fn json_lines_carry_everything() {
        let dead_letter = record(
            Value::Text("not json".to_owned()),
            vec![
                ("kabar-error-code", Some(Bytes::Text("invalid_json"))),
                ("kabar-error-message", Some(Bytes::Text("expected value"))),
                ("trace", Some(Bytes::Base64("/w==".to_owned()))),
                ("empty", None),
                ("kabar-error-code", Some(Bytes::Text("again"))),
            ],
        );
        let parsed = line(&dead_letter);
        assert_eq!(parsed["topic"], "news.dlq.v1");
        assert_eq!(parsed["partition"], 2);
        assert_eq!(parsed["offset"], 41);
        assert_eq!(parsed["timestamp"], 1_764_601_200_250_i64);
        assert_eq!(parsed["timestampType"], "create");
        assert_eq!(parsed["time"], "2025-12-01T15:00:00.250Z");
        assert_eq!(parsed["key"], "a-1");
        assert_eq!(parsed["keyEncoding"], "string");
        assert_eq!(
            parsed["headers"]["kabar-error-code"],
            serde_json::json!(["invalid_json", "again"])
        );
        assert_eq!(parsed["headers"]["kabar-error-message"], "expected value");
        assert_eq!(parsed["headers"]["trace"]["base64"], "/w==");
        assert!(parsed["headers"]["empty"].is_null());
        assert_eq!(parsed["value"], "not json");
        assert_eq!(parsed["valueEncoding"], "string");

        let binary = line(&record(Value::Binary(vec![0xff, 0xfe]), vec![]));
        assert_eq!(binary["value"], "//4=");
        assert_eq!(binary["valueEncoding"], "base64");
        let json = line(&record(
            Value::decode(Some(br#"{"id":"x"}"#), false),
            vec![],
        ));
        assert_eq!(json["value"]["id"], "x");
        assert_eq!(json["valueEncoding"], "json");
        let tombstone = line(&record(Value::Null, vec![]));
        assert!(tombstone["value"].is_null() && tombstone["valueEncoding"].is_null());
    }

    #[test]
    fn pretty_shows_headers_and_an_indented_value() {
        let letter = record(
            Value::decode(Some(br#"{"id":"x","n":[1]}"#), false),
            vec![("kabar-error-code", Some(Bytes::Text("no_text")))],
        );
        let mut out = Vec::new();
        letter.write_pretty(&mut out, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(
            "news.dlq.v1 partition 2 offset 41  2025-12-01T15:00:00.250Z  key a-1\n  kabar-error-code: no_text\n{\n  \"id\": \"x\",\n"
        ), "{text}");
        let mut colored = Vec::new();
        letter.write_pretty(&mut colored, true).unwrap();
        let colored = String::from_utf8(colored).unwrap();
        assert!(colored.contains("\u{1b}["), "{colored}");
        assert!(colored.contains("no_text"));
    }

    #[test]
    fn value_format_is_the_value_alone() {
        let mut out = Vec::new();
        record(Value::decode(Some(b"{ \"a\" : 1 }"), false), vec![])
            .write_value(&mut out)
            .unwrap();
        record(Value::Text("hello".to_owned()), vec![])
            .write_value(&mut out)
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\"a\":1}\nhello\n");
    }
}
