//! Trains the entity tagger: `train_entities TRAIN.jsonl OUT.bin [EPOCHS] [BITS]`.
//!
//! TRAIN.jsonl has one sentence a line, `{"lang": "ind", "tokens": [..], "tags": [..]}`,
//! optionally with `"doc"` (consecutive sentences of one document) and `"copies"` (how many
//! times the document is trained on), written by `scripts/entities/prepare-ner.py`. Run by `scripts/entities/build-entities.sh`; the trainer is
//! behind the cargo feature `train`:
//! `cargo run --release -p kabar-pipeline --features train --example train_entities -- ...`.

use std::io::{BufRead, BufReader};

use anyhow::Context;
use kabar_pipeline::entities::gazetteer::Gazetteer;
use kabar_pipeline::entities::train::{Ensemble, Sentence, Trainer, common_words};

#[derive(serde::Deserialize)]
struct Row {
    lang: String,
    /// Consecutive sentences with the same document key are trained on as one text.
    #[serde(default)]
    doc: Option<String>,
    tokens: Vec<String>,
    tags: Vec<String>,
    /// How many times the document is trained on (its first sentence's value counts).
    #[serde(default)]
    copies: Option<usize>,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output, rest @ ..] = &args[..] else {
        anyhow::bail!("usage: train_entities TRAIN.jsonl OUT.bin [EPOCHS] [BITS]");
    };
    let epochs: usize = rest.first().map_or(Ok(10), |e| e.parse())?;
    let bits: u32 = rest.get(1).map_or(Ok(19), |b| b.parse())?;
    let gazetteer = Gazetteer::bundled()?;
    let file = std::fs::File::open(input).with_context(|| format!("open {input}"))?;
    let mut documents: Vec<(Sentence, usize)> = Vec::new();
    let mut last_doc = None;
    for line in BufReader::new(file).lines() {
        let row: Row = serde_json::from_str(&line?)?;
        let same = row.doc.is_some() && row.doc == last_doc;
        match documents.last_mut() {
            Some((previous, _)) if same && std::env::var_os("KABAR_TRAIN_SENTENCES").is_none() => {
                previous.tokens.extend(row.tokens);
                previous.tags.extend(row.tags);
            }
            _ => documents.push((
                Sentence {
                    language: row.lang,
                    tokens: row.tokens,
                    tags: row.tags,
                },
                row.copies.unwrap_or(1),
            )),
        }
        last_doc = row.doc;
    }
    let sentences: Vec<Sentence> = documents
        .into_iter()
        .flat_map(|(sentence, copies)| std::iter::repeat_n(sentence, copies))
        .collect();
    // KABAR_TRAIN_SEED picks other shuffles, to see how much a score owes to the order;
    // KABAR_TRAIN_SHUFFLES is how many shuffles are trained and averaged into one model.
    let first_seed: Option<u64> = match std::env::var("KABAR_TRAIN_SEED") {
        Ok(seed) => Some(seed.parse()?),
        Err(_) => None,
    };
    let shuffles: u64 = match std::env::var("KABAR_TRAIN_SHUFFLES") {
        Ok(n) => n.parse()?,
        Err(_) => 5,
    };
    let common = common_words(&sentences);
    let mut ensemble = Ensemble::default();
    for member in 0..shuffles.max(1) {
        let mut trainer = Trainer::new(bits, common.clone());
        for sentence in &sentences {
            trainer.add(&gazetteer, sentence);
        }
        if member == 0 {
            eprintln!(
                "{} documents; {} of {} gold name tokens outside candidate tokens",
                trainer.len(),
                trainer.hidden_gold_tokens,
                trainer.gold_tokens
            );
        }
        // A fixed shuffle per epoch (xorshift), so that builds are reproducible.
        let mut order: Vec<usize> = (0..trainer.len()).collect();
        let mut state = match first_seed {
            Some(seed) => (seed + member).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
            None if member == 0 => 0x2545_f491_4f6c_dd1d_u64,
            None => member.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
        };
        for epoch in 1..=epochs {
            for i in (1..order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let errors = trainer.epoch(&order);
            eprintln!("shuffle {member}, epoch {epoch}: {errors} token errors");
        }
        ensemble.add(&trainer);
    }
    std::fs::write(output, ensemble.finish()).with_context(|| format!("write {output}"))?;
    Ok(())
}
