//! The enriched article: what kabar emits, one JSON object per article.
//!
//! Field names and omission rules follow the proto3 JSON mapping of `kabar.v1.EnrichedArticle`
//! (`proto/kabar/v1/`): lowerCamelCase names, fields at their default value left out.

use serde::{Deserialize, Serialize};

fn is_zero_f32(value: &f32) -> bool {
    *value == 0.0
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero_u32(value: &u32) -> bool {
    *value == 0
}

/// One article after enrichment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnrichedArticle {
    /// The producer's id, or a stable one derived from the content.
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// RFC 3339 with its offset: the input's own date, else the page's, normalised by
    /// [`crate::clean::dates`]; empty when neither can be read (never guessed).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub published_at: String,
    /// The cleaned main text, paragraphs separated by a blank line.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<Entity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boilerplate: Option<BoilerplateStats>,
    /// Every topic this article is published to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineInfo>,
    /// The authors the page names, in order, without duplicates (empty for plain text).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// The page's own site name, kept apart from `source` (which may be the producer's feed).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub site_name: String,
    /// The page's canonical URL, absolute.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub canonical_url: String,
    /// The page's lead image URL, absolute.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub image_url: String,
    /// Set when the article is a near copy of an earlier one (see [`crate::dedup`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<Duplicate>,
    /// The story the article belongs to, shared with its near copies and updates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story: Option<Story>,
}

/// The detected language of title and body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Language {
    /// ISO 639-3 code ("ind"), or "und" when undetermined.
    pub code: String,
    /// BCP 47 tag ("id"), or "und".
    pub bcp47: String,
    /// English name of the language.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// ISO 15924 script name ("Latn").
    #[serde(skip_serializing_if = "String::is_empty")]
    pub script: String,
    /// 0 to 1.
    #[serde(skip_serializing_if = "is_zero_f32")]
    pub confidence: f32,
    /// True when the detector stands behind the answer (then it is right at least 97% of the
    /// time on held-out text).
    #[serde(skip_serializing_if = "is_false")]
    pub reliable: bool,
    /// The runner-up languages with their probabilities, best first, for close calls.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<LanguageScore>,
    /// Another language that a fifth or more of a mixed-language body is written in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary: Option<SecondaryLanguage>,
}

/// A candidate language and its probability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LanguageScore {
    /// ISO 639-3 code.
    pub code: String,
    /// 0 to 1.
    #[serde(skip_serializing_if = "is_zero_f32")]
    pub score: f32,
}

/// The second language of a mixed-language article.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecondaryLanguage {
    /// ISO 639-3 code.
    pub code: String,
    /// Share of the body's characters written in it, 0 to 1.
    #[serde(skip_serializing_if = "is_zero_f32")]
    pub share: f32,
}

/// Entity types: a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum EntityType {
    #[serde(rename = "PER")]
    Person,
    #[serde(rename = "ORG")]
    Organisation,
    #[serde(rename = "LOC")]
    Location,
    #[default]
    #[serde(rename = "MISC")]
    Misc,
}

impl EntityType {
    pub const ALL: [EntityType; 4] = [
        EntityType::Person,
        EntityType::Organisation,
        EntityType::Location,
        EntityType::Misc,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "PER",
            EntityType::Organisation => "ORG",
            EntityType::Location => "LOC",
            EntityType::Misc => "MISC",
        }
    }
}

/// One real-world thing mentioned in the article, with all its mentions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Entity {
    /// Canonical name (the knowledge-base label when linked, else the longest mention).
    pub name: String,
    #[serde(rename = "type")]
    pub entity_type: EntityType,
    /// Wikidata id ("Q423") when the entity is linked.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub wikidata: String,
    pub mentions: Vec<Mention>,
    /// How much the article is about it, 0 (in passing) to 1 (its subject): headline, lead,
    /// frequency and position of its mentions.
    #[serde(
        skip_serializing_if = "is_zero_f32",
        serialize_with = "serialize_hundredths"
    )]
    pub salience: f32,
}

/// A score kept to hundredths written as the decimal it is ("0.44", not the nearest `f32`
/// widened to "0.4399999976158142" where a JSON value goes through `f64`).
fn serialize_hundredths<S: serde::Serializer>(
    value: &f32,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((f64::from(*value) * 100.0).round() / 100.0)
}

/// Where a mention is: field and half-open range in Unicode code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Mention {
    pub field: TextField,
    #[serde(skip_serializing_if = "is_zero_u32")]
    pub start: u32,
    pub end: u32,
}

/// Which text a mention is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TextField {
    Title,
    #[default]
    Body,
}

/// What boilerplate removal took out, for auditing the cleaner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BoilerplateStats {
    /// True when the body is not the scorer's answer: a fallback extraction (hostile or
    /// unusual page) or the uncleaned text kept because cleaning would have emptied a real
    /// article. Worth routing for review.
    #[serde(skip_serializing_if = "is_false")]
    pub fallback: bool,
    #[serde(skip_serializing_if = "is_zero_u32")]
    pub removed_lines: u32,
    #[serde(skip_serializing_if = "is_zero_u32")]
    pub removed_chars: u32,
    /// Per reason code, what was removed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<RemovalReason>,
}

/// Lines and characters removed for one reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RemovalReason {
    pub code: String,
    #[serde(skip_serializing_if = "is_zero_u32")]
    pub lines: u32,
    #[serde(skip_serializing_if = "is_zero_u32")]
    pub chars: u32,
}

/// Which pipeline produced the article, and how long it took.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PipelineInfo {
    /// kabar's version.
    pub version: String,
    /// The stages that ran, in order.
    pub stages: Vec<String>,
    /// Wall time spent enriching this article, in microseconds.
    #[serde(skip_serializing_if = "is_zero_u32")]
    pub processing_micros: u32,
}

/// The article is a near copy of an earlier one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Duplicate {
    /// The id of the first copy: the earliest by event time (then by id) that kabar had seen.
    pub of: String,
    /// Estimated share of the shorter body's word sequences found in the other, 0 to 1.
    #[serde(skip_serializing_if = "is_zero_f32")]
    pub similarity: f32,
}

/// The story an article belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Story {
    /// The story's id: an article id (usually the first copy's), shared by the story's
    /// articles.
    pub id: String,
}
