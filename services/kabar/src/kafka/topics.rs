//! `kabar topics create`: every topic of a topic list (`deploy/topics.txt`: `name partitions
//! retention.ms` a line, `#` comments) that does not exist yet, created in one request with
//! rdkafka's admin client, then checked. Idempotent: existing topics are left as they are (a
//! different partition count is reported, not changed). The compose stack's `kafka-init` runs
//! it once; it needs no JVM.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::types::RDKafkaErrorCode;

use super::client::tool_client_config;
use crate::config::Config;
use crate::exit::Exit;

/// One line of a topic list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: i32,
    pub retention_ms: i64,
}

/// Parses a topic list; a malformed line is an error naming `origin:line`.
pub fn parse_list(text: &str, origin: &str) -> anyhow::Result<Vec<TopicSpec>> {
    let mut topics = Vec::new();
    let mut seen = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let parsed = match fields.as_slice() {
            [name, partitions, retention] => partitions
                .parse::<i32>()
                .ok()
                .filter(|p| *p > 0)
                .zip(retention.parse::<i64>().ok())
                .map(|(partitions, retention_ms)| TopicSpec {
                    name: (*name).to_owned(),
                    partitions,
                    retention_ms,
                }),
            _ => None,
        };
        let Some(topic) = parsed else {
            bail!("{origin}:{number}: want 'name partitions retention.ms', got {line:?}");
        };
        if let Some(first) = seen.insert(topic.name.clone(), number) {
            bail!(
                "{origin}:{number}: {} already listed on line {first}",
                topic.name
            );
        }
        topics.push(topic);
    }
    if topics.is_empty() {
        bail!("{origin} lists no topics");
    }
    Ok(topics)
}

/// Creates the topics of the list at `path` (names prefixed with `prefix`) that do not exist,
/// then checks that every one does. Reports each on stdout.
pub async fn create_from_list(
    config: &Config,
    path: &Path,
    replication_factor: i32,
    prefix: &str,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {}", path.display()))
        .context(Exit::Config)?;
    let topics = parse_list(&text, &path.display().to_string()).context(Exit::Config)?;
    let client = tool_client_config(config);
    let existing = partition_counts(&client).await?;
    let wanted: Vec<TopicSpec> = topics
        .into_iter()
        .map(|topic| TopicSpec {
            name: format!("{prefix}{}", topic.name),
            ..topic
        })
        .collect();
    let retention: Vec<String> = wanted.iter().map(|t| t.retention_ms.to_string()).collect();
    let new: Vec<NewTopic<'_>> = wanted
        .iter()
        .zip(&retention)
        .filter(|(topic, _)| !existing.contains_key(&topic.name))
        .map(|(topic, retention)| {
            NewTopic::new(
                &topic.name,
                topic.partitions,
                TopicReplication::Fixed(replication_factor),
            )
            .set("retention.ms", retention)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if !new.is_empty() {
        let admin: AdminClient<DefaultClientContext> = client
            .create()
            .context("cannot create a Kafka admin client")?;
        let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(60)));
        let results = admin
            .create_topics(&new, &options)
            .await
            .context("cannot create topics")
            .context(Exit::Unavailable)?;
        let mut failed = Vec::new();
        for result in results {
            match result {
                Ok(name) => writeln!(out, "kabar topics: created {name}")?,
                Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((name, code)) => failed.push(format!("{name}: {code}")),
            }
        }
        if !failed.is_empty() {
            bail!("cannot create topics: {}", failed.join(", "));
        }
    }
    let now = partition_counts(&client).await?;
    let mut missing = Vec::new();
    for topic in &wanted {
        match now.get(&topic.name) {
            None => missing.push(topic.name.clone()),
            Some(&partitions) if partitions != topic.partitions => writeln!(
                out,
                "kabar topics: {} has {partitions} partitions, the list says {} (left as is)",
                topic.name, topic.partitions
            )?,
            Some(_) => {}
        }
    }
    if !missing.is_empty() {
        bail!("missing after creation: {}", missing.join(", "));
    }
    writeln!(
        out,
        "kabar topics: {} topics ready ({} created)",
        wanted.len(),
        new.len()
    )?;
    Ok(())
}

/// Every topic of the cluster and its partition count.
async fn partition_counts(client: &ClientConfig) -> anyhow::Result<BTreeMap<String, i32>> {
    let client = client.clone();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = client.create().context("cannot create a Kafka client")?;
        let metadata = consumer
            .fetch_metadata(None, Duration::from_secs(30))
            .context("cannot read the cluster's topics")
            .context(Exit::Unavailable)?;
        Ok(metadata
            .topics()
            .iter()
            .map(|t| {
                (
                    t.name().to_owned(),
                    i32::try_from(t.partitions().len()).unwrap_or(i32::MAX),
                )
            })
            .collect())
    })
    .await
    .context("the metadata request stopped")?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_with_comments_and_blank_lines() {
        let topics = parse_list(
            "# name p r\nraw 3 604800000\n\ndlq   1  -1  # forever\n",
            "t",
        )
        .expect("valid");
        assert_eq!(topics.len(), 2);
        assert_eq!(topics[1].retention_ms, -1);
    }

    #[test]
    fn a_malformed_line_names_its_place() {
        let error = parse_list("raw 3 1000\nraw three 1000\n", "topics.txt").expect_err("bad");
        assert!(error.to_string().starts_with("topics.txt:2:"), "{error}");
        let error = parse_list("raw 3 1000\nraw 3 1000\n", "topics.txt").expect_err("twice");
        assert!(error.to_string().contains("line 1"), "{error}");
    }
}
