//! The benchmark corpus: realistic articles generated deterministically from the sample articles
//! in the repository, shared by the pipeline's criterion benchmarks (`benches/pipeline.rs`), the
//! end-to-end load benchmark (`examples/bench_corpus.rs`, used by `scripts/bench/run.sh`) and the
//! fuzz seeds (`examples/fuzz_seeds.rs`).
//!
//! Paragraphs, titles and page furniture ("Baca juga: ...", "Politik | vor 2 Stunden") come
//! from `deploy/samples/` and `services/kabar-pipeline/tests/fixtures/`, compiled in. Each
//! article draws a language, a shape (headline to long feature, plain text or a whole HTML page)
//! and its paragraphs from a small PRNG seeded by its index, and its numbers are varied, so
//! articles differ (Spanish, headlines only, differs by id alone) and article `i` is the same on
//! every machine.

use serde_json::json;

/// The shape of an article; the benchmarks report throughput per shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A title and at most one sentence.
    Headline,
    /// Plain text, one to three paragraphs.
    Short,
    /// Plain text, four to ten paragraphs with page furniture to strip.
    Medium,
    /// A whole news page: head, navigation, share buttons, article, related links, footer.
    Html,
    /// Twenty-five to sixty paragraphs (2-17 KB), as plain text or a page.
    Feature,
    /// Not JSON: plain UTF-8 text whose first line is the title.
    RawText,
}

impl Shape {
    pub const ALL: [Shape; 6] = [
        Shape::Headline,
        Shape::Short,
        Shape::Medium,
        Shape::Html,
        Shape::Feature,
        Shape::RawText,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Shape::Headline => "headline",
            Shape::Short => "short",
            Shape::Medium => "medium",
            Shape::Html => "html",
            Shape::Feature => "feature",
            Shape::RawText => "raw_text",
        }
    }
}

/// One generated article.
#[derive(Debug, Clone)]
pub struct Article {
    /// `bench-<index>`; also the `id` of JSON payloads (and so the Kafka key).
    pub id: String,
    /// ISO 639-3 code of the language its text was drawn from.
    pub language: &'static str,
    pub shape: Shape,
    /// The message value: a JSON object, or plain text for [`Shape::RawText`].
    pub payload: String,
}

/// Paragraphs, titles and furniture of one language.
struct Pool {
    language: &'static str,
    site: &'static str,
    titles: Vec<String>,
    paragraphs: Vec<String>,
    furniture: Vec<String>,
}

/// Share of each language in the corpus, in percent.
const LANGUAGE_MIX: &[(&str, u64)] = &[
    ("ind", 35),
    ("eng", 25),
    ("msa", 10),
    ("deu", 10),
    ("fra", 10),
    ("spa", 10),
];

/// Share of each shape, in percent (a news feed is mostly short items; a few long features).
const SHAPE_MIX: &[(Shape, u64)] = &[
    (Shape::Headline, 15),
    (Shape::Short, 30),
    (Shape::Medium, 20),
    (Shape::Html, 25),
    (Shape::Feature, 6),
    (Shape::RawText, 4),
];

const SEED_ID: &str = include_str!("../../kabar-pipeline/tests/fixtures/seed-id.txt");
const SAMPLE_ID: &str = include_str!("../../../deploy/samples/01-seed-putin-kim-id.txt");
const SAMPLE_EN: &str = include_str!("../../../deploy/samples/02-jakarta-flood-en.json");
const SAMPLE_MS: &str = include_str!("../../../deploy/samples/03-harga-beras-ms.txt");
const SAMPLE_DE: &str = include_str!("../../../deploy/samples/04-bundestag-de.json");
const SAMPLE_FR: &str = include_str!("../../../deploy/samples/05-paris-transport-fr.json");
const SAMPLE_HTML_ID: &str = include_str!("../../../deploy/samples/06-gempa-id.html");
const SAMPLE_HEADLINES: &str = include_str!("../../../deploy/samples/07-headlines-mixed.jsonl");

/// The whole corpus generator; build once, then ask for articles by index.
pub struct Corpus {
    pools: Vec<Pool>,
}

impl Default for Corpus {
    fn default() -> Self {
        Self::new()
    }
}

impl Corpus {
    pub fn new() -> Self {
        let mut pools: Vec<Pool> = [
            ("ind", "Kabar Contoh"),
            ("eng", "News Example"),
            ("msa", "Berita Contoh"),
            ("deu", "Nachrichten Beispiel"),
            ("fra", "Exemple Info"),
            ("spa", "Noticias Ejemplo"),
        ]
        .into_iter()
        .map(|(language, site)| Pool {
            language,
            site,
            titles: Vec::new(),
            paragraphs: Vec::new(),
            furniture: Vec::new(),
        })
        .collect();
        let mut add_text = |language: &str, title: &str, text: &str| {
            let Some(pool) = pools.iter_mut().find(|p| p.language == language) else {
                return;
            };
            if !title.trim().is_empty() {
                pool.titles.push(title.trim().to_owned());
            }
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if is_furniture(line) {
                    pool.furniture.push(line.to_owned());
                } else {
                    pool.paragraphs.push(line.to_owned());
                }
            }
        };
        for (language, raw) in [("ind", SEED_ID), ("ind", SAMPLE_ID), ("msa", SAMPLE_MS)] {
            let (title, text) = raw.split_once('\n').unwrap_or((raw, ""));
            add_text(language, title, text);
        }
        for (language, raw) in [("eng", SAMPLE_EN), ("deu", SAMPLE_DE), ("fra", SAMPLE_FR)] {
            let (title, text) = json_title_text(raw);
            add_text(language, &title, &text);
        }
        for line in SAMPLE_HEADLINES.lines() {
            let (title, text) = json_title_text(line);
            let language = match line {
                l if l.contains("headline-es") => "spa",
                l if l.contains("headline-id") => "ind",
                l if l.contains("headline-en") => "eng",
                _ => continue,
            };
            add_text(language, &title, &text);
        }
        let (title, paragraphs) = html_title_paragraphs(SAMPLE_HTML_ID);
        add_text("ind", &title, &paragraphs.join("\n"));
        Self { pools }
    }

    /// Article `index`: the same on every run and machine.
    pub fn article(&self, index: u64) -> Article {
        let mut rng = Rng::new(index);
        let language = pick(&mut rng, LANGUAGE_MIX);
        let pool = self
            .pools
            .iter()
            .find(|p| p.language == language)
            .unwrap_or(&self.pools[0]);
        // A language with no paragraphs in the samples (Spanish) only has headlines.
        let shape = if pool.paragraphs.is_empty() {
            Shape::Headline
        } else {
            pick(&mut rng, SHAPE_MIX)
        };
        let id = format!("bench-{index:08}");
        let title = vary(&pool.titles[rng.below(pool.titles.len())], &mut rng);
        let paragraphs = |rng: &mut Rng, count: usize| -> Vec<String> {
            (0..count)
                .map(|_| vary(&pool.paragraphs[rng.below(pool.paragraphs.len())], rng))
                .collect()
        };
        let furniture = |rng: &mut Rng, count: usize| -> Vec<String> {
            (0..count.min(pool.furniture.len()))
                .map(|_| vary(&pool.furniture[rng.below(pool.furniture.len())], rng))
                .collect()
        };
        let published = format!(
            "2024-{:02}-{:02}T{:02}:{:02}:00Z",
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60)
        );
        let url = format!("https://{}.example/{}/{id}", pool.language, shape.as_str());
        let payload = match shape {
            Shape::Headline => {
                let mut article = json!({"id": id, "source": pool.site, "title": title});
                if rng.below(2) == 0 && !pool.paragraphs.is_empty() {
                    let lead = paragraphs(&mut rng, 1).remove(0);
                    let sentence = lead.split_inclusive(". ").next().unwrap_or(&lead);
                    article["text"] = json!(sentence.trim());
                }
                article.to_string()
            }
            Shape::Short | Shape::Medium => {
                let (count, extra) = if shape == Shape::Short {
                    (1 + rng.below(3), rng.below(2))
                } else {
                    (4 + rng.below(7), 1 + rng.below(3))
                };
                let mut lines = paragraphs(&mut rng, count);
                lines.extend(furniture(&mut rng, extra));
                json!({"id": id, "source": pool.site, "url": url, "publishedAt": published,
                       "title": title, "text": lines.join("\n")})
                .to_string()
            }
            Shape::Html => {
                let count = 3 + rng.below(8);
                let body = paragraphs(&mut rng, count);
                let related = furniture(&mut rng, 2);
                let page = html_page(pool, &title, &url, &published, &body, &related);
                json!({"id": id, "html": page}).to_string()
            }
            Shape::Feature => {
                let count = 25 + rng.below(36);
                let body = paragraphs(&mut rng, count);
                let related = furniture(&mut rng, 3);
                if rng.below(2) == 0 {
                    let page = html_page(pool, &title, &url, &published, &body, &related);
                    json!({"id": id, "source": pool.site, "html": page}).to_string()
                } else {
                    let mut lines = body;
                    lines.extend(related);
                    json!({"id": id, "source": pool.site, "url": url, "publishedAt": published,
                           "title": title, "text": lines.join("\n")})
                    .to_string()
                }
            }
            Shape::RawText => {
                let mut lines = vec![title];
                let count = 2 + rng.below(5);
                lines.extend(paragraphs(&mut rng, count));
                lines.extend(furniture(&mut rng, 1));
                lines.join("\n")
            }
        };
        Article {
            id,
            language: pool.language,
            shape,
            payload,
        }
    }

    /// Articles `0..count`.
    pub fn articles(&self, count: u64) -> Vec<Article> {
        (0..count).map(|i| self.article(i)).collect()
    }
}

/// Page furniture rather than story: section/time stamps and "read also" links.
fn is_furniture(line: &str) -> bool {
    const READ_ALSO: &[&str] = &["Baca juga", "Lesen Sie auch", "À lire aussi", "Read more"];
    line.contains(" | ") || READ_ALSO.iter().any(|p| line.starts_with(p))
}

fn json_title_text(raw: &str) -> (String, String) {
    let value: serde_json::Value = serde_json::from_str(raw).unwrap_or_default();
    let field = |name: &str| value[name].as_str().unwrap_or_default().to_owned();
    (field("title"), field("text"))
}

/// The `<title>` (without the site name) and the text of every `<p>` of a page.
fn html_title_paragraphs(page: &str) -> (String, Vec<String>) {
    let between = |text: &str, open: &str, close: &str| -> Vec<String> {
        let mut found = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            let after = &rest[start + open.len()..];
            let Some(end) = after.find(close) else { break };
            found.push(strip_tags(&after[..end]));
            rest = &after[end + close.len()..];
        }
        found
    };
    let title = between(page, "<title>", "</title>")
        .into_iter()
        .next()
        .unwrap_or_default();
    let title = title.split(" | ").next().unwrap_or_default().to_owned();
    (title, between(page, "<p>", "</p>"))
}

fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A news page shaped like `deploy/samples/06-gempa-id.html`.
fn html_page(
    pool: &Pool,
    title: &str,
    url: &str,
    published: &str,
    body: &[String],
    related: &[String],
) -> String {
    let (title, site, url) = (escape(title), escape(pool.site), escape(url));
    let lang = match pool.language {
        "ind" => "id",
        "msa" => "ms",
        "deu" => "de",
        "fra" => "fr",
        "spa" => "es",
        _ => "en",
    };
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title} | {site}</title>\n<meta property=\"og:title\" content=\"{title}\">\n\
         <meta property=\"og:site_name\" content=\"{site}\">\n\
         <meta property=\"article:published_time\" content=\"{published}\">\n\
         <link rel=\"canonical\" href=\"{url}\">\n<script>window.dataLayer = [];</script>\n\
         </head>\n<body>\n<header><a href=\"/\">{site}</a> <a href=\"/news\">News</a> \
         <a href=\"/sport\">Sport</a></header>\n<nav class=\"main-menu\"><ul><li><a href=\"/economy\">\
         Economy</a></li><li><a href=\"/world\">World</a></li></ul></nav>\n\
         <div class=\"share-buttons\">Share: Facebook Twitter WhatsApp</div>\n<article>\n<h1>{title}</h1>\n"
    );
    for paragraph in body {
        page.push_str(&format!("<p>{}</p>\n", escape(paragraph)));
    }
    page.push_str("<div class=\"related-articles\"><ul>");
    for (i, link) in related.iter().enumerate() {
        page.push_str(&format!("<li><a href=\"/r/{i}\">{}</a></li>", escape(link)));
    }
    page.push_str(&format!(
        "</ul></div>\n</article>\n<aside class=\"sidebar\"><ol><li><a href=\"/top\">Top</a></li></ol>\
         </aside>\n<footer>© 2024 {site}.</footer>\n</body>\n</html>\n"
    ));
    page
}

/// Replaces each run of digits by another number of the same length: the same text shape,
/// different content (so no cache or deduplication makes the benchmark trivial).
fn vary(text: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len());
    let mut first_of_run = true;
    for c in text.chars() {
        if c.is_ascii_digit() {
            let lowest = u64::from(first_of_run);
            let digit = lowest + rng.below(10 - lowest as usize) as u64;
            out.push(char::from(b'0' + digit as u8));
            first_of_run = false;
        } else {
            out.push(c);
            first_of_run = true;
        }
    }
    out
}

fn pick<T: Copy>(rng: &mut Rng, mix: &[(T, u64)]) -> T {
    let total: u64 = mix.iter().map(|(_, weight)| weight).sum();
    let mut roll = rng.next() % total;
    for &(item, weight) in mix {
        if roll < weight {
            return item;
        }
        roll -= weight;
    }
    mix[0].0
}

/// SplitMix64: tiny, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn new(index: u64) -> Self {
        Self(index.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x6B61_6261_725F_6265)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}
