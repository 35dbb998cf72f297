//! The language detector's hashed text features, for `scripts/lang/train-lang.py`: the trainer
//! counts features through this program, so the tables it writes hash text exactly as
//! `kabar_pipeline::lang::features` does when the detector reads them.
//!
//! ```text
//! lang_features [--max-n N] [--log2 L] [--no-words] [--bigrams] [--sum | --by-word] < texts
//! ```
//!
//! Input: one JSON string per line, a text as the trainer has it (NFC). It is lower-cased as the
//! detector does, cut into words, and each word gives its character 1..=N-grams (default 4) and,
//! unless `--no-words`, the word itself; `--bigrams` adds each pair of consecutive words. Every
//! feature is folded into 2^L buckets (default 17).
//!
//! Output, `[bucket, count]` pairs in the order each bucket first occurs:
//! - by default one line per input line, that text's counts;
//! - with `--sum` one line for the whole input, the counts summed over every text;
//! - with `--by-word` one line per input line, `[word, [[bucket, count], ...]]` for each of its
//!   words in order (no `--bigrams`).

use std::collections::HashMap;
use std::io::{self, BufRead, BufWriter, Write};

use kabar_pipeline::lang::features;

type Error = Box<dyn std::error::Error>;

struct Options {
    max_n: usize,
    log2: u8,
    words: bool,
    bigrams: bool,
    sum: bool,
    by_word: bool,
}

impl Options {
    fn parse() -> Result<Self, Error> {
        let mut options = Self {
            max_n: 4,
            log2: 17,
            words: true,
            bigrams: false,
            sum: false,
            by_word: false,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--max-n" => options.max_n = value()?.parse()?,
                "--log2" => options.log2 = value()?.parse()?,
                "--no-words" => options.words = false,
                "--bigrams" => options.bigrams = true,
                "--sum" => options.sum = true,
                "--by-word" => options.by_word = true,
                _ => return Err(format!("unknown argument {arg} (see the file's doc)").into()),
            }
        }
        if !(1..=63).contains(&options.log2) {
            return Err("--log2 must be 1 to 63".into());
        }
        if options.by_word && (options.sum || options.bigrams) {
            return Err("--by-word goes with neither --sum nor --bigrams".into());
        }
        Ok(options)
    }
}

/// Bucket counts in the order each bucket first occurs.
#[derive(Default)]
struct Counts {
    pairs: Vec<(usize, u64)>,
    index: HashMap<usize, usize>,
}

impl Counts {
    fn add(&mut self, bucket: usize) {
        let next = self.pairs.len();
        let at = *self.index.entry(bucket).or_insert(next);
        if at == next {
            self.pairs.push((bucket, 0));
        }
        self.pairs[at].1 += 1;
    }

    fn clear(&mut self) {
        self.pairs.clear();
        self.index.clear();
    }
}

fn main() -> Result<(), Error> {
    let options = Options::parse()?;
    let mut out = BufWriter::new(io::stdout().lock());
    let mut chars = Vec::new();
    let mut counts = Counts::default();
    let mut by_word: Vec<(String, Vec<(usize, u64)>)> = Vec::new();
    for line in io::stdin().lock().lines() {
        let text: String = serde_json::from_str(&line?)?;
        let lower = text.to_lowercase();
        if !options.sum {
            counts.clear();
        }
        by_word.clear();
        let mut previous: Option<&str> = None;
        for word in features::words(&lower) {
            features::word_features(word, options.max_n, options.words, &mut chars, |hash| {
                counts.add(features::bucket(hash, options.log2));
            });
            if options.bigrams
                && let Some(previous) = previous
            {
                counts.add(features::bucket(
                    features::bigram_hash(previous, word),
                    options.log2,
                ));
            }
            previous = Some(word);
            if options.by_word {
                by_word.push((word.to_owned(), std::mem::take(&mut counts.pairs)));
                counts.clear();
            }
        }
        if options.by_word {
            serde_json::to_writer(&mut out, &by_word)?;
            out.write_all(b"\n")?;
        } else if !options.sum {
            serde_json::to_writer(&mut out, &counts.pairs)?;
            out.write_all(b"\n")?;
        }
    }
    if options.sum {
        serde_json::to_writer(&mut out, &counts.pairs)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
