//! Tags JSON lines `{"id", "text"}` from stdin with the lang and entities stages, writing one
//! enriched article a line: the same contract as `kabar enrich --stages lang,entities`, for
//! evaluating the tagger without the service binary (`scripts/entities/eval-entities.py`).
//!
//! With `--model PATH --lang CODE` it skips the pipeline and tags with that model and language
//! (the body is the trimmed text): quick experiments while training.

use std::io::{BufRead, BufWriter, Write};

use kabar_pipeline::route::{Condition, RouteRule};
use kabar_pipeline::{Pipeline, PipelineConfig};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, path, lang_flag, lang] = &args[..] {
        anyhow::ensure!(
            flag == "--model" && lang_flag == "--lang",
            "usage: tag_jsonl [--model PATH --lang CODE]"
        );
        return experiment(path, lang);
    }
    let routes = vec![RouteRule {
        topic: "entities".to_owned(),
        when: Condition::default(),
        encoding: Default::default(),
    }];
    let mut config = PipelineConfig::new(routes);
    config.stages = "lang,entities".parse().map_err(anyhow::Error::msg)?;
    let pipeline = Pipeline::new(config)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match pipeline.process(line.as_bytes()) {
            Ok(processed) => serde_json::to_writer(&mut out, &processed.article)?,
            Err(failure) => serde_json::to_writer(
                &mut out,
                &serde_json::json!({"id": failure.id, "error": failure.error.to_string()}),
            )?,
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

fn experiment(path: &str, lang: &str) -> anyhow::Result<()> {
    let tagger = kabar_pipeline::entities::EntityTagger::with_model(&std::fs::read(path)?)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let value: serde_json::Value = serde_json::from_str(&line?)?;
        let body = value["text"].as_str().unwrap_or_default().trim();
        let entities = tagger.tag("", body, lang);
        let article = serde_json::json!({"id": value["id"], "body": body, "entities": entities});
        serde_json::to_writer(&mut out, &article)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
