//! Boilerplate removal: the story and nothing else.
//!
//! HTML pages go through [`html`], which picks the main content block and turns it into
//! paragraphs; plain text (and the paragraphs from HTML) go through [`lines`], a line classifier
//! for the page furniture that survives scraping. Lines a source repeats across its articles are
//! learned as its template ([`template`]). Every removal is counted under a reason code.

mod charref;
pub mod dates;
mod dom;
mod guard;
pub mod html;
pub mod lines;
mod metadata;
pub mod plain;
mod select;
mod stopwords;
pub mod template;
mod tree;

use crate::article::{BoilerplateStats, RemovalReason};

pub use lines::Reason;

/// Metadata found in an HTML page, used when the input lacks it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMetadata {
    pub title: String,
    /// The first of [`authors`](Self::authors), or empty.
    pub author: String,
    /// Every author named by the page (JSON-LD, meta tags, `rel=author`, byline elements), in
    /// order, without duplicates.
    pub authors: Vec<String>,
    /// The publication date as RFC 3339 with its offset ([`dates::normalise`]); empty when the
    /// page states none that can be read.
    pub published_at: String,
    pub canonical_url: String,
    pub site_name: String,
    /// The page's lead image (`og:image`, `twitter:image`, JSON-LD `image`).
    pub image_url: String,
    /// The page's declared language (`<html lang>`): a hint, not the answer.
    pub declared_language: String,
}

/// The result of cleaning one article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cleaned {
    /// Main text, paragraphs separated by a blank line.
    pub body: String,
    pub stats: BoilerplateStats,
    pub metadata: PageMetadata,
}

/// The cleaning stage. Shared between threads; per-source templates are learned as it goes.
#[derive(Debug, Default)]
pub struct Cleaner {
    templates: template::Templates,
}

impl Cleaner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Cleans plain text.
    pub fn clean_text(&self, text: &str) -> Cleaned {
        self.clean_text_from("", text)
    }

    /// Cleans an HTML page: main-content extraction, then the line classifier over its blocks.
    pub fn clean_html(&self, page: &str) -> Cleaned {
        self.clean_html_from("", page)
    }

    /// Cleans plain text from `source` (empty: unknown), learning the source's template.
    pub fn clean_text_from(&self, source: &str, text: &str) -> Cleaned {
        let lines: Vec<&str> = text.lines().collect();
        let verdicts = self.classify(source, &lines, lines::Input::Text);
        let metadata = PageMetadata {
            published_at: text_dateline(&lines, &verdicts).unwrap_or_default(),
            ..PageMetadata::default()
        };
        assemble(&lines, &verdicts, metadata, 0, 0, false)
    }

    /// Cleans an HTML page from `source` (empty: unknown), learning the source's template.
    pub fn clean_html_from(&self, source: &str, page: &str) -> Cleaned {
        let extracted = html::extract(page);
        let blocks: Vec<&str> = extracted.blocks.iter().map(String::as_str).collect();
        let verdicts = self.classify(source, &blocks, lines::Input::HtmlBlocks);
        assemble(
            &blocks,
            &verdicts,
            extracted.metadata,
            extracted.dropped_blocks,
            extracted.dropped_chars,
            extracted.fallback,
        )
    }

    fn classify(&self, source: &str, lines: &[&str], input: lines::Input) -> Vec<Option<Reason>> {
        let mut verdicts = lines::classify_input(lines, input);
        let template = self.templates.observe(source, lines);
        for (verdict, is_template) in verdicts.iter_mut().zip(template) {
            if verdict.is_none() && is_template {
                *verdict = Some(Reason::Template);
            }
        }
        verdicts
    }
}

/// The publication date of a plain text, from a dateline line at its top: above the story or
/// among its first lines ("Senin, 12 Juni 2023 14:05 WIB" under the headline), never deeper,
/// where dates belong to the story's events.
fn text_dateline(lines: &[&str], verdicts: &[Option<Reason>]) -> Option<String> {
    const STORY_LINES: usize = 3;
    const TOP_LINES: usize = 15;
    let mut story_lines = 0;
    lines
        .iter()
        .zip(verdicts)
        .filter(|(line, _)| !line.trim().is_empty())
        .take_while(|(_, verdict)| {
            story_lines += usize::from(verdict.is_none());
            story_lines <= STORY_LINES
        })
        .take(TOP_LINES)
        .find_map(|(line, _)| dates::dateline(line))
}

fn assemble(
    lines: &[&str],
    verdicts: &[Option<Reason>],
    metadata: PageMetadata,
    markup_lines: u32,
    markup_chars: u32,
    fallback: bool,
) -> Cleaned {
    let mut body = String::new();
    let mut tally: Vec<(Reason, u32, u32)> = Vec::new();
    if markup_lines > 0 {
        tally.push((Reason::Markup, markup_lines, markup_chars));
    }
    for (line, verdict) in lines.iter().zip(verdicts) {
        let trimmed = line.trim();
        match verdict {
            None => {
                if trimmed.is_empty() {
                    continue;
                }
                if !body.is_empty() {
                    body.push_str("\n\n");
                }
                body.push_str(trimmed);
            }
            Some(reason) => {
                let chars = u32::try_from(trimmed.chars().count()).unwrap_or(u32::MAX);
                match tally.iter_mut().find(|(r, _, _)| r == reason) {
                    Some(entry) => {
                        entry.1 += 1;
                        entry.2 = entry.2.saturating_add(chars);
                    }
                    None => tally.push((*reason, 1, chars)),
                }
            }
        }
    }
    let stats = BoilerplateStats {
        fallback,
        removed_lines: tally.iter().map(|t| t.1).sum(),
        removed_chars: tally.iter().map(|t| t.2).fold(0, u32::saturating_add),
        reasons: tally
            .into_iter()
            .map(|(reason, lines, chars)| RemovalReason {
                code: reason.code().to_owned(),
                lines,
                chars,
            })
            .collect(),
    };
    Cleaned {
        body,
        stats,
        metadata,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_TAIL: &str = "Sementara Rusia sangat ingin memanfaatkan senjata tersebut, setelah menghabiskan cadangan senjata.\n\
Olahraga | 1 hari yang lalu\n\
Pos Tangerang | 7 jam yang lalu\n\
TangselCity | 2 hari yang lalu\n";

    #[test]
    fn related_tail_goes_story_stays() {
        let cleaned = Cleaner::new().clean_text(SEED_TAIL);
        assert_eq!(
            cleaned.body,
            "Sementara Rusia sangat ingin memanfaatkan senjata tersebut, setelah menghabiskan cadangan senjata."
        );
        assert_eq!(cleaned.stats.removed_lines, 3);
        assert_eq!(cleaned.stats.reasons[0].code, "related_link");
    }

    #[test]
    fn a_source_template_is_learned() {
        let cleaner = Cleaner::new();
        let article = |n: u32| {
            format!(
                "Download our app for breaking news alerts now\nStory {n} opens with a sentence long enough to be a real paragraph of news.\n"
            )
        };
        for n in 0..3 {
            let cleaned = cleaner.clean_text_from("site.example", &article(n));
            assert!(cleaned.body.contains("Download our app"));
        }
        let cleaned = cleaner.clean_text_from("site.example", &article(4));
        assert!(
            !cleaned.body.contains("Download our app"),
            "{}",
            cleaned.body
        );
        assert!(cleaned.stats.reasons.iter().any(|r| r.code == "template"));
    }

    #[test]
    fn a_plain_text_dateline_gives_the_date() {
        let story = "Presiden meresmikan jembatan baru di Surabaya pada hari ini bersama gubernur dan para menteri yang hadir.\n\
Jembatan sepanjang dua kilometer itu menghubungkan dua kecamatan yang selama ini hanya terhubung oleh feri.";
        let text = format!(
            "Beranda | Berita | Olahraga\nJembatan Baru Diresmikan\nSenin, 12 Juni 2023 14:05 WIB\n{story}"
        );
        let cleaned = Cleaner::new().clean_text(&text);
        assert_eq!(cleaned.metadata.published_at, "2023-06-12T14:05:00+07:00");
        // A date deep in the story is the story's, not the article's.
        let late =
            format!("{story}\n{story}\n{story}\n{story}\nSenin, 12 Juni 2023 14:05 WIB\n{story}");
        assert_eq!(Cleaner::new().clean_text(&late).metadata.published_at, "");
    }

    #[test]
    fn cleaning_is_idempotent() {
        let cleaner = Cleaner::new();
        let once = cleaner.clean_text(SEED_TAIL).body;
        let twice = cleaner.clean_text(&once).body;
        assert_eq!(once, twice);
    }
}
