//! kabar's metric labels come from closed sets, whatever the input: a flood of articles in
//! scripts and languages of every kind, with made-up sources, URLs, fields and language hints,
//! and of poison input of every kind, leaves only known languages, configured topics (and their
//! per-language expansions), known stages and error codes on `/metrics`, and a second flood of
//! different input adds no series but those of languages not seen before.
//!
//! Topics cannot be flooded from the input: kabar reads only its configured input topics, and
//! the only variable part of an output topic is `{language}`, one of the detector's codes.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use kabar_pipeline::Stage;
use kabar_pipeline::article::EntityType;
use kabar_pipeline::error::ErrorCode;
use kabar_testkit::names::unique;
use kabar_testkit::process::KabarProcess;
use kabar_testkit::{kafka, stream};

/// A deterministic generator (xorshift), so a failure can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Text of `words` words from one random Unicode block.
    fn text(&mut self, words: usize) -> String {
        const BLOCKS: [(u32, u32); 12] = [
            (0x41, 0x7a),     // Latin
            (0xc0, 0x24f),    // Latin extended
            (0x370, 0x3ff),   // Greek
            (0x400, 0x4ff),   // Cyrillic
            (0x590, 0x5ff),   // Hebrew
            (0x600, 0x6ff),   // Arabic
            (0x900, 0x97f),   // Devanagari
            (0xe00, 0xe7f),   // Thai
            (0x10a0, 0x10ff), // Georgian
            (0x3040, 0x30ff), // Kana
            (0x4e00, 0x4fff), // CJK
            (0xac00, 0xad00), // Hangul
        ];
        let (low, high) = BLOCKS[usize::try_from(self.below(12)).unwrap()];
        (0..words)
            .map(|_| {
                let length = 2 + self.below(8);
                (0..length)
                    .filter_map(|_| {
                        char::from_u32(
                            low + u32::try_from(self.below(u64::from(high - low))).unwrap(),
                        )
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// An input of one of many kinds, valid or poison.
    fn input(&mut self, index: usize) -> Vec<u8> {
        let id = format!("flood-{index}-{}", self.next());
        let words = usize::try_from(5 + self.below(60)).unwrap();
        let text = self.text(words);
        let field = format!("field{}", self.next());
        let host = format!("site{}.example", self.next());
        match self.below(8) {
            0 => Vec::new(),
            1 => vec![0xff, 0xfe, u8::try_from(self.below(256)).unwrap(), 0x80],
            2 => format!("{{\"id\":\"{id}\",\"text\":").into_bytes(),
            3 => format!(r#"{{"id":"{id}","{field}":"x","text":"{text}"}}"#).into_bytes(),
            4 => format!(r#"{{"id":"{id}","title":""}}"#).into_bytes(),
            5 => serde_json::json!({
                "id": id, "text": text, "source": host, "url": format!("https://{host}/a"),
                "language": format!("x{}", self.next()),
            })
            .to_string()
            .into_bytes(),
            _ => serde_json::json!({
                "id": id, "title": self.text(4), "text": text, "source": host,
                "url": format!("https://{host}/{}", self.next()),
            })
            .to_string()
            .into_bytes(),
        }
    }
}

/// Every series of kabar's own metrics: name → label sets.
fn series(page: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in page.lines().filter(|l| l.starts_with("kabar_")) {
        let head = line.rsplit_once(' ').unwrap().0;
        let (name, labels) = head.split_once('{').unwrap_or((head, ""));
        out.entry(name.to_owned())
            .or_default()
            .insert(labels.trim_end_matches('}').to_owned());
    }
    out
}

/// The values of `label` across a page's series.
fn label_values(page: &str, label: &str) -> BTreeSet<String> {
    let pattern = format!("{label}=\"");
    page.lines()
        .filter(|l| l.starts_with("kabar_"))
        .filter_map(|line| {
            let start = line.find(&pattern)? + pattern.len();
            let rest = &line[start..];
            Some(rest[..rest.find('"')?].to_owned())
        })
        .collect()
}

async fn flood(kabar: &KabarProcess, topic: &str, random: &mut Random, from: usize, count: usize) {
    let messages: Vec<(String, Vec<u8>)> = (from..from + count)
        .map(|i| (unique("key"), random.input(i)))
        .collect();
    kafka::produce(topic, &messages).await;
    let wanted = (from + count) as f64;
    let deadline = Instant::now() + Duration::from_secs(180);
    let series = format!("kabar_messages_consumed_total{{topic=\"{topic}\"}}");
    while kabar.metric(&series) < wanted {
        assert!(Instant::now() < deadline, "kabar did not read the flood");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Every input through (in flight back to zero) and the statistics refreshed.
    while kabar.metric("kabar_in_flight_articles") > 0.0 {
        assert!(Instant::now() < deadline, "kabar did not finish the flood");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(6)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_unknown_languages_sources_and_poison_keeps_labels_bounded() {
    let stream = stream::Stream::new("labels", 2).await;
    let kabar = KabarProcess::start(env!("CARGO_BIN_EXE_kabar"), &stream.options(vec![]));
    let _ = kabar.metrics();
    let mut random = Random(0x9e37_79b9_7f4a_7c15);

    flood(&kabar, &stream.input, &mut random, 0, 1500).await;
    let first = kabar.metrics();
    flood(&kabar, &stream.input, &mut random, 1500, 1500).await;
    let second = kabar.metrics();

    // Closed sets.
    let mut known_languages: BTreeSet<String> = kabar_pipeline::lang::supported_codes()
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    known_languages.insert("und".to_owned());
    let languages = label_values(&second, "language");
    assert!(languages.is_subset(&known_languages), "{languages:?}");
    let mut topics: BTreeSet<String> = [&stream.input, &stream.dlq, &stream.enriched]
        .into_iter()
        .cloned()
        .collect();
    topics.extend(
        known_languages
            .iter()
            .map(|l| format!("{}.lang.{l}", stream.prefix)),
    );
    let seen_topics = label_values(&second, "topic");
    assert!(seen_topics.is_subset(&topics), "{seen_topics:?}");
    let codes: BTreeSet<String> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert!(label_values(&second, "code").is_subset(&codes));
    let stages: BTreeSet<String> = Stage::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    assert!(label_values(&second, "stage").is_subset(&stages));
    let types: BTreeSet<String> = EntityType::ALL
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    assert!(label_values(&second, "type").is_subset(&types));
    for broker in label_values(&second, "broker") {
        assert!(broker.parse::<u32>().is_ok(), "broker label {broker:?}");
    }
    let dead_letter_codes = label_values(&second, "code").len();
    assert!(
        dead_letter_codes >= 4,
        "the flood's poison reached several codes"
    );

    // The second flood added only the series of languages the first had not seen.
    let (before, after) = (series(&first), series(&second));
    let count =
        |s: &BTreeMap<String, BTreeSet<String>>| s.values().map(BTreeSet::len).sum::<usize>();
    let new_languages = languages
        .difference(&label_values(&first, "language"))
        .count();
    println!(
        "series after 1,500 inputs: {}, after 3,000: {}; languages {} then {}; new languages {new_languages}",
        count(&before),
        count(&after),
        label_values(&first, "language").len(),
        languages.len()
    );
    assert_eq!(
        count(&after),
        count(&before) + 2 * new_languages,
        "each new language adds kabar_articles_total and one output topic, nothing else"
    );
}
