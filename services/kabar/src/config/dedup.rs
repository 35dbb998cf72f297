//! `[dedup]`: near-duplicate detection and story ids.

use kabar_pipeline::dedup::DedupConfig;
use serde::{Deserialize, Serialize};

/// How near copies are found and how much the index remembers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupSettings {
    /// Detect near copies (`duplicate`) and give every article a `story`. Off: neither field,
    /// no index, no fingerprint topic.
    pub enabled: bool,
    /// Estimated similarity (0 to 1) from which an article is a near copy: the share of the
    /// shorter body's five-word sequences found in the other. Chosen on the tuning half of the
    /// benchmark (docs/decisions/near-duplicates.md).
    pub threshold: f32,
    /// Copies further apart in event time than this are not compared (hours).
    pub window_hours: f64,
    /// Entries the index holds at most, about 197 bytes each; the oldest go first.
    pub max_entries: usize,
    /// Words per shingle. Part of the fingerprint format: every instance of a group must use
    /// the same (records of another format are ignored).
    pub shingle_words: usize,
    /// Bodies with fewer words get no fingerprint (too short to tell a copy from a template).
    pub min_words: usize,
}

impl Default for DedupSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            threshold: DedupConfig::DEFAULT_THRESHOLD,
            window_hours: DedupConfig::DEFAULT_WINDOW_MS as f64 / 3_600_000.0,
            max_entries: DedupConfig::DEFAULT_MAX_ENTRIES,
            shingle_words: DedupConfig::DEFAULT_SHINGLE_WORDS,
            min_words: DedupConfig::DEFAULT_MIN_WORDS,
        }
    }
}

impl DedupSettings {
    /// The pipeline's detector settings.
    pub fn detector(&self) -> DedupConfig {
        DedupConfig {
            threshold: self.threshold,
            window_ms: (self.window_hours * 3_600_000.0).round() as i64,
            max_entries: self.max_entries,
            shingle_words: self.shingle_words,
            min_words: self.min_words,
        }
    }

    /// What is wrong with the settings, if anything: `(setting, message)`.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        if !self.enabled {
            return Vec::new();
        }
        if !self.window_hours.is_finite() || self.window_hours <= 0.0 {
            return vec![(
                "dedup.window_hours",
                format!("{} is not a positive number", self.window_hours),
            )];
        }
        // The detector names what it refuses by the word its message starts with.
        const SETTINGS: [(&str, &str); 5] = [
            ("threshold", "dedup.threshold"),
            ("window", "dedup.window_hours"),
            ("max_entries", "dedup.max_entries"),
            ("shingle_words", "dedup.shingle_words"),
            ("min_words", "dedup.min_words"),
        ];
        self.detector()
            .problems()
            .into_iter()
            .map(|message| {
                let setting = SETTINGS
                    .iter()
                    .find(|(word, _)| message.starts_with(word))
                    .map_or("dedup", |(_, setting)| setting);
                (setting, message)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_detector_s_and_valid() {
        let settings = DedupSettings::default();
        assert_eq!(settings.detector(), DedupConfig::default());
        assert!(settings.problems().is_empty());
        let bad = DedupSettings {
            threshold: 0.0,
            window_hours: -1.0,
            ..DedupSettings::default()
        };
        let problems = bad.problems();
        assert!(
            problems.iter().any(|(s, _)| *s == "dedup.window_hours"),
            "{problems:?}"
        );
        let bad = DedupSettings {
            threshold: 0.0,
            shingle_words: 1,
            ..DedupSettings::default()
        };
        let settings: Vec<&str> = bad.problems().iter().map(|(s, _)| *s).collect();
        assert_eq!(settings, ["dedup.threshold", "dedup.shingle_words"]);
        let off = DedupSettings {
            enabled: false,
            ..bad
        };
        assert!(off.problems().is_empty());
    }
}
