//! Routing: which topics an enriched article goes to.
//!
//! A route is a topic template plus a condition; an article goes to every route whose
//! condition holds. Templates may use `{language}` (the ISO 639-3 code, `und` when unknown).
//! The rules come from the caller: only the service knows topic names.

use serde::Deserialize;

use crate::article::{EnrichedArticle, Entity, EntityType};

/// One routing rule, as written in the routes file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteRule {
    /// Topic name or template, e.g. `news.lang.{language}.v1`.
    pub topic: String,
    /// When to route; an empty condition always holds.
    #[serde(default)]
    pub when: Condition,
    /// How articles are encoded on this topic.
    #[serde(default)]
    pub encoding: Encoding,
}

/// The wire encoding of a route's messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// The proto3 JSON form of `kabar.v1.EnrichedArticle` (the default).
    #[default]
    Json,
    /// The binary protobuf form of `kabar.v1.EnrichedArticle`.
    Protobuf,
}

/// Conditions on an article; every non-empty list must contain the article's value (for
/// entities: at least one entity must match, and be salient enough when `min_salience` is set).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// ISO 639-3 codes.
    #[serde(default)]
    pub language: Vec<String>,
    /// Entity types present in the article.
    #[serde(default)]
    pub entity_type: Vec<EntityType>,
    /// Wikidata ids of entities present in the article.
    #[serde(default)]
    pub entity_id: Vec<String>,
    /// Article sources.
    #[serde(default)]
    pub source: Vec<String>,
    /// The least salience (0 to 1) of the entity that `entity_id` or `entity_type` asks for;
    /// without them, of any entity: `{ entity_id = ["Q3318231"], min_salience = 0.5 }` routes
    /// the articles about Joko Widodo, not those that name him in passing.
    #[serde(default)]
    pub min_salience: Option<f32>,
}

impl Condition {
    fn holds(&self, article: &EnrichedArticle, language: &str) -> bool {
        let salient = |e: &Entity| self.min_salience.is_none_or(|least| e.salience >= least);
        let any_entity = |wanted: &dyn Fn(&Entity) -> bool| {
            article.entities.iter().any(|e| wanted(e) && salient(e))
        };
        (self.language.is_empty() || self.language.iter().any(|l| l == language))
            && (self.source.is_empty() || self.source.contains(&article.source))
            && (self.entity_type.is_empty()
                || any_entity(&|e| self.entity_type.contains(&e.entity_type)))
            && (self.entity_id.is_empty()
                || any_entity(&|e| !e.wikidata.is_empty() && self.entity_id.contains(&e.wikidata)))
            && (self.min_salience.is_none()
                || !self.entity_type.is_empty()
                || !self.entity_id.is_empty()
                || any_entity(&|_| true))
    }
}

/// Why a set of routes was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RouteError {
    #[error(
        "route {index}: topic template {template:?} uses unknown placeholder {placeholder:?} (known: {{language}})"
    )]
    UnknownPlaceholder {
        index: usize,
        template: String,
        placeholder: String,
    },
    #[error(
        "route {index}: topic {template:?} is not a valid Kafka topic name (letters, digits, '.', '_', '-'; at most 249)"
    )]
    InvalidTopic { index: usize, template: String },
    #[error("no routes configured: every article would be dropped")]
    Empty,
    #[error("route {index}: min_salience {value} is not between 0 and 1")]
    BadSalience { index: usize, value: String },
}

/// The routing stage.
#[derive(Debug, Clone)]
pub struct Router {
    rules: Vec<RouteRule>,
}

fn is_valid_topic(topic: &str) -> bool {
    !topic.is_empty()
        && topic.len() <= 249
        && topic != "."
        && topic != ".."
        && topic
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

impl Router {
    /// Validates the rules: placeholders known, topic names valid once filled in.
    pub fn new(rules: Vec<RouteRule>) -> Result<Self, RouteError> {
        if rules.is_empty() {
            return Err(RouteError::Empty);
        }
        for (index, rule) in rules.iter().enumerate() {
            let mut rest = rule.topic.as_str();
            while let Some(open) = rest.find('{') {
                let after = &rest[open + 1..];
                let close = after.find('}').unwrap_or(after.len());
                let placeholder = &after[..close];
                if placeholder != "language" {
                    return Err(RouteError::UnknownPlaceholder {
                        index,
                        template: rule.topic.clone(),
                        placeholder: placeholder.to_owned(),
                    });
                }
                rest = &after[(close + 1).min(after.len())..];
            }
            if let Some(value) = rule.when.min_salience.filter(|v| !(0.0..=1.0).contains(v)) {
                return Err(RouteError::BadSalience {
                    index,
                    value: value.to_string(),
                });
            }
            if !is_valid_topic(&rule.topic.replace("{language}", "und")) {
                return Err(RouteError::InvalidTopic {
                    index,
                    template: rule.topic.clone(),
                });
            }
        }
        Ok(Self { rules })
    }

    /// Every topic the article goes to, in rule order, without repeats.
    pub fn route(&self, article: &EnrichedArticle) -> Vec<String> {
        self.destinations(article)
            .into_iter()
            .map(|(topic, _)| topic)
            .collect()
    }

    /// Every topic the article goes to with its encoding (the first matching rule of a topic
    /// decides).
    pub fn destinations(&self, article: &EnrichedArticle) -> Vec<(String, Encoding)> {
        let language = article
            .language
            .as_ref()
            .map(|l| l.code.as_str())
            .filter(|code| code.chars().all(|c| c.is_ascii_lowercase()) && !code.is_empty())
            .unwrap_or("und");
        let mut topics: Vec<(String, Encoding)> = Vec::new();
        for rule in &self.rules {
            if rule.when.holds(article, language) {
                let topic = rule.topic.replace("{language}", language);
                if !topics.iter().any(|(known, _)| *known == topic) {
                    topics.push((topic, rule.encoding));
                }
            }
        }
        topics
    }

    /// Topic names that can be known before any article arrives (templates excluded).
    pub fn static_topics(&self) -> Vec<String> {
        self.rules
            .iter()
            .filter(|r| !r.topic.contains('{'))
            .map(|r| r.topic.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{Entity, Language};

    fn article(language: &str) -> EnrichedArticle {
        EnrichedArticle {
            language: Some(Language {
                code: language.to_owned(),
                ..Language::default()
            }),
            ..EnrichedArticle::default()
        }
    }

    fn by_language() -> Vec<RouteRule> {
        ["news.enriched.v1", "news.lang.{language}.v1"]
            .into_iter()
            .map(|topic| RouteRule {
                topic: topic.to_owned(),
                when: Condition::default(),
                encoding: Encoding::Json,
            })
            .collect()
    }

    #[test]
    fn routes_by_language() {
        let router = Router::new(by_language()).expect("valid");
        assert_eq!(
            router.route(&article("ind")),
            ["news.enriched.v1", "news.lang.ind.v1"]
        );
        assert_eq!(
            router.route(&EnrichedArticle::default()),
            ["news.enriched.v1", "news.lang.und.v1"]
        );
    }

    #[test]
    fn conditions() {
        let rules: Vec<RouteRule> = vec![
            RouteRule {
                topic: "news.korea.v1".into(),
                when: Condition {
                    entity_id: vec!["Q423".into()],
                    ..Condition::default()
                },
                encoding: Encoding::Protobuf,
            },
            RouteRule {
                topic: "news.people.id.v1".into(),
                when: Condition {
                    language: vec!["ind".into()],
                    entity_type: vec![EntityType::Person],
                    ..Condition::default()
                },
                encoding: Encoding::Json,
            },
        ];
        let router = Router::new(rules).expect("valid");
        let mut a = article("ind");
        assert!(router.route(&a).is_empty());
        a.entities.push(Entity {
            name: "North Korea".into(),
            entity_type: EntityType::Location,
            wikidata: "Q423".into(),
            mentions: vec![],
            salience: 0.8,
        });
        assert_eq!(router.route(&a), ["news.korea.v1"]);
        assert_eq!(
            router.destinations(&a),
            [("news.korea.v1".to_owned(), Encoding::Protobuf)]
        );
    }

    #[test]
    fn salience_conditions_ask_for_what_the_article_is_about() {
        let rule = |when: Condition| RouteRule {
            topic: "news.about.v1".into(),
            when,
            encoding: Encoding::Json,
        };
        let about_korea = Router::new(vec![rule(Condition {
            entity_id: vec!["Q423".into()],
            min_salience: Some(0.5),
            ..Condition::default()
        })])
        .expect("valid");
        let entity = |wikidata: &str, salience: f32| Entity {
            name: wikidata.into(),
            entity_type: EntityType::Location,
            wikidata: wikidata.into(),
            mentions: vec![],
            salience,
        };
        let mut a = article("ind");
        a.entities = vec![entity("Q423", 0.2), entity("Q884", 0.9)];
        assert!(about_korea.route(&a).is_empty(), "North Korea in passing");
        a.entities[0].salience = 0.7;
        assert_eq!(about_korea.route(&a), ["news.about.v1"]);
        let anything_salient = Router::new(vec![rule(Condition {
            min_salience: Some(0.95),
            ..Condition::default()
        })])
        .expect("valid");
        assert!(anything_salient.route(&a).is_empty());
        a.entities[1].salience = 1.0;
        assert_eq!(anything_salient.route(&a), ["news.about.v1"]);
        let bad = Router::new(vec![rule(Condition {
            min_salience: Some(1.5),
            ..Condition::default()
        })]);
        assert!(matches!(bad, Err(RouteError::BadSalience { .. })));
    }

    #[test]
    fn bad_templates_are_rejected() {
        let bad = |topic: &str| {
            Router::new(vec![RouteRule {
                topic: topic.into(),
                when: Condition::default(),
                encoding: Encoding::Json,
            }])
            .expect_err("invalid")
        };
        assert!(matches!(
            bad("news.{lang}.v1"),
            RouteError::UnknownPlaceholder { .. }
        ));
        assert!(matches!(bad("news/raw"), RouteError::InvalidTopic { .. }));
        assert_eq!(Router::new(vec![]).expect_err("empty"), RouteError::Empty);
    }
}
