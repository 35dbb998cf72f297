//! Whole-page plain text: a learned line classifier, and the story decoded from its answers.
//!
//! A text browser's dump or a DOM text dump of a page has the story somewhere in the middle,
//! menus above it and teasers, links and footers below. Each non-empty line gets a feature
//! vector ([`features`]): its own shape (length, stopwords, sentence ends, capitals, digits,
//! separators, text-browser leftovers, the furniture rules' verdicts), the same shape of the
//! two lines before and after it, and where it stands on the page (relative position, distance
//! to the page's longest run of prose). A model trained on rendered development pages
//! (`data/clean/plain-lines.json`, written by `scripts/clean/train-plain-lines.py` from the
//! vectors of the `plain_line_features` example, so training and cleaning compute the same
//! features) gives each line the probability that it is story. The story is the contiguous
//! run with the highest sum of `p - threshold`; inside it, lines far below the threshold go.
//! Nothing here depends on the source, so the first article of a new source works.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;

use super::lines::{self, Reason};
use super::{html, stopwords};

/// Features of one line on its own.
const OWN: &[&str] = &[
    "log_chars",
    "log_words",
    "stop_share",
    "ends_sentence",
    "ends_colon",
    "inner_sentence_ends",
    "digit_share",
    "capitalised_share",
    "upper_share",
    "no_letters",
    "bracketed",
    "bullet",
    "separators",
    "url_like",
    "rule_related",
    "rule_read_also",
    "rule_share",
    "rule_credit",
    "rule_copyright_cookie",
    "rule_byline",
    "rule_dateline",
    "rule_tags",
    "comment_start",
    "layout",
    "menu_like",
    "prose",
    "furniture_words",
    "short",
    "ellipsis",
    "starts_lowercase",
];

/// The subset of [`OWN`] repeated for each neighbour (two lines before, two after).
const NEIGHBOUR: &[&str] = &[
    "log_chars",
    "stop_share",
    "ends_sentence",
    "prose",
    "menu_like",
    "any_rule",
    "no_letters",
    "capitalised_share",
];

/// Features of where the line stands on the page.
const PAGE: &[&str] = &[
    "relative_position",
    "in_prose_run",
    "lines_before_run",
    "lines_after_run",
    "run_share_of_chars",
    "window_prose_share",
    "lines_to_prose",
    "prose_before",
    "prose_after",
    "repeated_on_page",
    "chars_of_longest",
];

const NEIGHBOUR_OFFSETS: [isize; 4] = [-2, -1, 1, 2];

/// The names of the feature vector's entries, in order.
pub fn feature_names() -> Vec<String> {
    let mut names: Vec<String> = OWN.iter().map(|name| (*name).to_owned()).collect();
    for offset in NEIGHBOUR_OFFSETS {
        names.push(format!("n{offset:+}_present"));
        names.extend(NEIGHBOUR.iter().map(|name| format!("n{offset:+}_{name}")));
    }
    names.extend(PAGE.iter().map(|name| (*name).to_owned()));
    names
}

/// Words that mark page furniture wherever they stand in a short line.
const FURNITURE_WORDS: &[&str] = &[
    "share",
    "tweet",
    "facebook",
    "twitter",
    "whatsapp",
    "linkedin",
    "pinterest",
    "instagram",
    "email",
    "print",
    "copyright",
    "rights",
    "reserved",
    "related",
    "comments",
    "comment",
    "reply",
    "replies",
    "login",
    "log",
    "sign",
    "register",
    "subscribe",
    "newsletter",
    "follow",
    "advertisement",
    "advertise",
    "sponsored",
    "cookie",
    "cookies",
    "privacy",
    "terms",
    "contact",
    "menu",
    "search",
    "home",
    "skip",
    "click",
    "read",
    "more",
    "next",
    "previous",
    "prev",
    "back",
    "top",
    "trending",
    "popular",
    "latest",
    "loading",
    "baca",
    "juga",
    "bagikan",
    "komentar",
    "berita",
    "terkait",
    "terpopuler",
    "terkini",
    "iklan",
    "teilen",
    "kommentare",
    "anzeige",
    "werbung",
    "impressum",
    "datenschutz",
    "partager",
    "commentaires",
    "compartir",
    "comentarios",
    "publicidad",
    "javascript",
    "browser",
    "posted",
    "tags",
    "categories",
    "category",
    "archive",
    "archives",
    "permalink",
];

static FURNITURE_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| FURNITURE_WORDS.iter().copied().collect());

/// One line's own features, with the extras its neighbours and the page need.
#[derive(Debug, Clone)]
struct Own {
    values: [f32; OWN.len()],
    any_rule: bool,
    chars: usize,
}

fn flag(value: bool) -> f32 {
    if value { 1.0 } else { 0.0 }
}

fn share(part: usize, whole: usize) -> f32 {
    if whole == 0 {
        0.0
    } else {
        part as f32 / whole as f32
    }
}

fn own_features(line: &str, verdict: Option<Reason>) -> Own {
    let chars = line.chars().count();
    let (words, stops) = stopwords::density(line);
    let mut letters = 0;
    let mut upper = 0;
    let mut digits = 0;
    for c in line.chars() {
        if c.is_alphabetic() {
            letters += 1;
            upper += usize::from(c.is_uppercase());
        } else if c.is_numeric() {
            digits += 1;
        }
    }
    let mut capitalised = 0;
    let mut separators = 0;
    let mut furniture = 0;
    let mut inner_ends = 0;
    let mut lower = String::new();
    for token in line.split_whitespace() {
        if matches!(
            token,
            "»" | "›" | "·" | "/" | "•" | "-" | "–" | "—" | "::" | ">"
        ) {
            separators += 1;
            continue;
        }
        if token.len() > 1 && token.ends_with(['.', '!', '?']) {
            inner_ends += 1;
        }
        let word = token.trim_matches(|c: char| !c.is_alphanumeric());
        if word.chars().next().is_some_and(char::is_uppercase) {
            capitalised += 1;
        }
        lower.clear();
        lower.extend(word.chars().flat_map(char::to_lowercase));
        if FURNITURE_SET.contains(lower.as_str()) {
            furniture += 1;
        }
    }
    separators += line.matches('|').count();
    let trimmed_end = line.trim_end();
    let first = line.chars().next().unwrap_or(' ');
    let bullet = matches!(
        first,
        '*' | '•'
            | '·'
            | '-'
            | '–'
            | '+'
            | '▪'
            | '►'
            | '>'
            | '○'
            | '◦'
            | '□'
            | '■'
            | '◾'
            | '◆'
            | '→'
            | '#'
    ) || line.starts_with("o ")
        || line.split_once(['.', ')']).is_some_and(|(head, _)| {
            !head.is_empty() && head.len() <= 3 && head.chars().all(|c| c.is_ascii_digit())
        });
    let lower_line = line.to_lowercase();
    let url_like = lower_line.contains("http")
        || lower_line.contains("www.")
        || lower_line.contains(".com")
        || [".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp"]
            .iter()
            .any(|ext| lower_line.contains(ext))
        || line.contains('@');
    let substantial = verdict.is_none()
        && html::is_prose_counted(line, chars, words, stops)
        && lines::is_substantial(line);
    let values = [
        (1.0 + chars as f32).ln() / 6.0,
        (1.0 + words as f32).ln() / 4.0,
        share(stops, words),
        flag(trimmed_end.ends_with(['.', '!', '?', '"', '”', '’', '»', '。', '」'])),
        flag(trimmed_end.ends_with(':')),
        (inner_ends as f32).min(5.0) / 5.0,
        share(digits, chars),
        share(capitalised, words),
        share(upper, letters),
        flag(letters == 0 && digits == 0),
        flag(line.starts_with('[') || line.ends_with(']')),
        flag(bullet),
        (separators as f32).min(4.0) / 4.0,
        flag(url_like),
        flag(verdict == Some(Reason::RelatedLink)),
        flag(verdict == Some(Reason::ReadAlso)),
        flag(verdict == Some(Reason::SharePrompt)),
        flag(verdict == Some(Reason::PhotoCredit)),
        flag(matches!(
            verdict,
            Some(Reason::Copyright | Reason::CookieNotice)
        )),
        flag(verdict == Some(Reason::Byline)),
        flag(verdict == Some(Reason::Dateline)),
        flag(verdict == Some(Reason::Tags)),
        flag(lines::is_comment_start(line)),
        flag(lines::is_layout_line(line)),
        flag(lines::is_menu_like(line)),
        flag(substantial),
        (furniture as f32).min(3.0) / 3.0,
        flag(words <= 3),
        flag(trimmed_end.ends_with("...") || trimmed_end.ends_with('…')),
        flag(first.is_lowercase()),
    ];
    Own {
        values,
        any_rule: verdict.is_some(),
        chars,
    }
}

/// Where a feature of [`OWN`] stands.
const fn own_index(name: &str) -> usize {
    let mut i = 0;
    while i < OWN.len() {
        let (a, b) = (OWN[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("not a feature of OWN")
}

const PROSE: usize = own_index("prose");
const LOG_CHARS: usize = own_index("log_chars");
const STOP_SHARE: usize = own_index("stop_share");
const ENDS_SENTENCE: usize = own_index("ends_sentence");
const MENU_LIKE: usize = own_index("menu_like");
const NO_LETTERS: usize = own_index("no_letters");
const CAPITALISED_SHARE: usize = own_index("capitalised_share");

/// [`NEIGHBOUR`]'s values of a line.
fn neighbour_values(own: &Own) -> [f32; NEIGHBOUR.len()] {
    [
        own.values[LOG_CHARS],
        own.values[STOP_SHARE],
        own.values[ENDS_SENTENCE],
        own.values[PROSE],
        own.values[MENU_LIKE],
        flag(own.any_rule),
        own.values[NO_LETTERS],
        own.values[CAPITALISED_SHARE],
    ]
}

/// The feature vector of every line (`None` for empty lines, which are neither story nor
/// furniture), given the furniture rules' verdicts.
pub fn features_with(lines: &[&str], verdicts: &[Option<Reason>]) -> Vec<Option<Vec<f32>>> {
    let present: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].trim().is_empty())
        .collect();
    let trimmed: Vec<&str> = present.iter().map(|&i| lines[i].trim()).collect();
    let kept: Vec<Option<Reason>> = present.iter().map(|&i| verdicts[i]).collect();
    let owns: Vec<Own> = trimmed
        .iter()
        .zip(&kept)
        .map(|(line, verdict)| own_features(line, *verdict))
        .collect();
    let is_prose: Vec<bool> = owns.iter().map(|o| o.values[PROSE] > 0.5).collect();
    let total_chars: usize = owns.iter().map(|o| o.chars).sum::<usize>().max(1);
    let longest = owns.iter().map(|o| o.chars).max().unwrap_or(1).max(1);
    let run = lines::prose_run(&trimmed, &kept);
    let run_chars: usize = run.map_or(0, |(a, b)| owns[a..=b].iter().map(|o| o.chars).sum());
    let mut repeats: HashMap<&str, u32> = HashMap::new();
    for line in &trimmed {
        *repeats.entry(*line).or_default() += 1;
    }
    // Lines to the nearest prose line, each way.
    let n = owns.len();
    let mut to_prose = vec![usize::MAX; n];
    let mut last = None;
    for (i, (&prose, distance)) in is_prose.iter().zip(to_prose.iter_mut()).enumerate() {
        if prose {
            last = Some(i);
        }
        if let Some(l) = last {
            *distance = i - l;
        }
    }
    last = None;
    for (i, (&prose, distance)) in is_prose.iter().zip(to_prose.iter_mut()).enumerate().rev() {
        if prose {
            last = Some(i);
        }
        if let Some(l) = last {
            *distance = (*distance).min(l - i);
        }
    }
    let first_prose = is_prose.iter().position(|&p| p);
    let last_prose = is_prose.iter().rposition(|&p| p);
    let neighbours: Vec<[f32; NEIGHBOUR.len()]> = owns.iter().map(neighbour_values).collect();

    let mut out = vec![None; lines.len()];
    for (k, &line_index) in present.iter().enumerate() {
        let mut vector = Vec::with_capacity(OWN.len() + 4 * (NEIGHBOUR.len() + 1) + PAGE.len());
        vector.extend_from_slice(&owns[k].values);
        for offset in NEIGHBOUR_OFFSETS {
            match k.checked_add_signed(offset).filter(|&j| j < n) {
                Some(j) => {
                    vector.push(1.0);
                    vector.extend_from_slice(&neighbours[j]);
                }
                None => vector.extend(std::iter::repeat_n(0.0, NEIGHBOUR.len() + 1)),
            }
        }
        let (before_run, after_run, in_run) = match run {
            Some((a, _)) if k < a => (a - k, 0, false),
            Some((_, b)) if k > b => (0, k - b, false),
            Some(_) => (0, 0, true),
            None => (0, 0, false),
        };
        let window = k.saturating_sub(3)..(k + 4).min(n);
        let window_chars: usize = owns[window.clone()].iter().map(|o| o.chars).sum();
        let window_prose: usize = window
            .clone()
            .filter(|&j| is_prose[j])
            .map(|j| owns[j].chars)
            .sum();
        vector.extend_from_slice(&[
            share(k, n.saturating_sub(1).max(1)),
            flag(in_run),
            (before_run as f32).min(20.0) / 20.0,
            (after_run as f32).min(20.0) / 20.0,
            share(run_chars, total_chars),
            share(window_prose, window_chars),
            (to_prose[k] as f32).min(10.0) / 10.0,
            flag(first_prose.is_some_and(|f| f < k)),
            flag(last_prose.is_some_and(|l| l > k)),
            flag(repeats.get(trimmed[k]).copied().unwrap_or(0) > 1),
            share(owns[k].chars, longest),
        ]);
        out[line_index] = Some(vector);
    }
    out
}

/// The feature vector of every line of a text, the furniture rules applied first (what the
/// trainer sees).
pub fn features(lines: &[&str]) -> Vec<Option<Vec<f32>>> {
    let verdicts: Vec<Option<Reason>> = lines
        .iter()
        .map(|line| lines::line_verdict(line.trim()))
        .collect();
    features_with(lines, &verdicts)
}

/// One regression tree of the model as the trainer writes it, as arrays (a leaf has
/// `left == -1`); a vector goes left when its feature is at most the threshold.
#[derive(Debug, Deserialize)]
struct Tree {
    feature: Vec<i32>,
    /// Kept in f64 as the trainer wrote them: a vector's f32 feature is compared exactly.
    threshold: Vec<f64>,
    left: Vec<i32>,
    right: Vec<i32>,
    value: Vec<f32>,
}

/// A node of the flattened trees: every tree's nodes in one array, children as absolute
/// indices, so a prediction walks one compact array.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// The feature compared, or [`LEAF`].
    feature: u32,
    /// The split threshold, or the leaf's value.
    threshold: f64,
    left: u32,
    right: u32,
}

const LEAF: u32 = u32::MAX;

/// The trees' nodes and each tree's root, or `None` when a tree is malformed.
fn flatten(trees: &[Tree], features: usize) -> Option<(Vec<Node>, Vec<u32>)> {
    let mut nodes = Vec::new();
    let mut roots = Vec::with_capacity(trees.len());
    for tree in trees {
        let base = u32::try_from(nodes.len()).ok()?;
        let count = tree.left.len();
        let valid = |child: i32| usize::try_from(child).ok().filter(|&c| c < count);
        roots.push(base);
        for i in 0..count {
            let left = *tree.left.get(i)?;
            let node = if left < 0 {
                Node {
                    feature: LEAF,
                    threshold: f64::from(*tree.value.get(i)?),
                    left: 0,
                    right: 0,
                }
            } else {
                let feature = usize::try_from(*tree.feature.get(i)?)
                    .ok()
                    .filter(|&f| f < features)?;
                Node {
                    feature: u32::try_from(feature).ok()?,
                    threshold: *tree.threshold.get(i)?,
                    left: base + u32::try_from(valid(left)?).ok()?,
                    right: base + u32::try_from(valid(*tree.right.get(i)?)?).ok()?,
                }
            };
            nodes.push(node);
        }
    }
    Some((nodes, roots))
}

/// The sum of the trees' leaf values for a vector.
fn trees_sum(nodes: &[Node], roots: &[u32], x: &[f32]) -> f64 {
    let mut sum = 0.0;
    for &root in roots {
        let mut index = root as usize;
        // Bounded: a tree is at most as deep as the model has nodes.
        for _ in 0..nodes.len() {
            let Some(node) = nodes.get(index) else { break };
            if node.feature == LEAF {
                sum += node.threshold;
                break;
            }
            let value = x.get(node.feature as usize).copied().unwrap_or(0.0);
            index = if f64::from(value) <= node.threshold {
                node.left as usize
            } else {
                node.right as usize
            };
        }
    }
    sum
}

/// The trained line model: a logistic regression over standardised features and/or boosted
/// trees, both adding to one log-odds.
#[derive(Debug, Deserialize)]
struct Model {
    /// The feature names it was trained on: must equal [`feature_names`].
    features: Vec<String>,
    #[serde(default)]
    mean: Vec<f32>,
    #[serde(default)]
    scale: Vec<f32>,
    #[serde(default)]
    weights: Vec<f32>,
    #[serde(default)]
    trees: Vec<Tree>,
    /// [`trees`](Self::trees) flattened at load.
    #[serde(skip)]
    nodes: Vec<Node>,
    #[serde(skip)]
    roots: Vec<u32>,
    #[serde(default)]
    learning_rate: f32,
    bias: f32,
    /// A line adds `p - threshold` to the story run it stands in.
    threshold: f32,
    /// Inside the run, a line below this probability is not story.
    inner_threshold: f32,
    /// Reason codes of furniture rules the model overrules inside the story's run (a byline
    /// or dateline at the story's head is the story's); other rules' verdicts stand.
    #[serde(default)]
    model_decides: Vec<String>,
}

impl Model {
    fn probability(&self, x: &[f32]) -> f32 {
        let mut raw = self.bias;
        for (i, weight) in self.weights.iter().enumerate() {
            let value = x.get(i).copied().unwrap_or(0.0);
            let mean = self.mean.get(i).copied().unwrap_or(0.0);
            let scale = self.scale.get(i).copied().unwrap_or(1.0);
            raw += weight * (value - mean) / scale;
        }
        raw += self.learning_rate * trees_sum(&self.nodes, &self.roots, x) as f32;
        1.0 / (1.0 + (-raw).exp())
    }
}

static MODEL: LazyLock<Option<Model>> = LazyLock::new(|| {
    let mut model: Model =
        serde_json::from_str(include_str!("../../data/clean/plain-lines.json")).ok()?;
    if model.features != feature_names() {
        return None;
    }
    (model.nodes, model.roots) = flatten(&model.trees, model.features.len())?;
    model.trees = Vec::new();
    Some(model)
});

/// Whether the embedded model loaded and matches this build's features (a test keeps it so).
pub fn model_loaded() -> bool {
    MODEL.is_some()
}

/// The model's story probability for every line (`None` for empty lines), or `None` without a
/// model.
pub fn probabilities(lines: &[&str], verdicts: &[Option<Reason>]) -> Option<Vec<Option<f32>>> {
    let model = MODEL.as_ref()?;
    Some(
        features_with(lines, verdicts)
            .into_iter()
            .map(|x| x.map(|x| model.probability(&x)))
            .collect(),
    )
}

/// Marks everything but the story in whole-page text: the run of lines with the highest sum of
/// `p - threshold`, ended at a comment section, less the lines inside it the model reads as
/// furniture. The furniture rules' verdicts stand. Returns false, changing nothing, when no
/// run sums above zero (a headline, a list): the caller decides then.
pub(super) fn mark_story(lines: &[&str], verdicts: &mut [Option<Reason>]) -> bool {
    let Some(model) = MODEL.as_ref() else {
        return false;
    };
    let Some(probabilities) = probabilities(lines, verdicts) else {
        return false;
    };
    let (mut best, mut best_sum) = ((0, 0), 0.0f32);
    let (mut start, mut sum) = (0, 0.0f32);
    for (index, p) in probabilities.iter().enumerate() {
        let Some(p) = p else { continue };
        if sum <= 0.0 {
            start = index;
            sum = 0.0;
        }
        sum += p - model.threshold;
        if sum > best_sum {
            best_sum = sum;
            best = (start, index);
        }
    }
    if best_sum <= 0.0 {
        return false;
    }
    let first_story =
        (best.0..=best.1).find(|&i| probabilities[i].is_some_and(|p| p >= model.threshold));
    if let Some(first) = first_story
        && let Some(cut) = (first + 1..=best.1).find(|&i| lines::is_comment_start(lines[i].trim()))
    {
        best.1 = cut - 1;
    }
    for (index, (p, verdict)) in probabilities.iter().zip(verdicts.iter_mut()).enumerate() {
        let Some(p) = p else { continue };
        if let Some(reason) = verdict {
            let overruled = (best.0..=best.1).contains(&index)
                && *p >= model.inner_threshold
                && !lines::is_layout_line(lines[index].trim())
                && model.model_decides.iter().any(|code| code == reason.code());
            if overruled {
                *verdict = None;
            }
            continue;
        }
        if index < best.0 {
            *verdict = Some(Reason::Header);
        } else if index > best.1 {
            *verdict = Some(Reason::Tail);
        } else if *p < model.inner_threshold || lines::is_layout_line(lines[index].trim()) {
            *verdict = Some(Reason::Markup);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_loads_and_matches_the_features() {
        assert!(
            model_loaded(),
            "data/clean/plain-lines.json does not match feature_names()"
        );
        let lines = [
            "Home",
            "",
            "A line of text that is long enough to be a sentence of news.",
        ];
        let features = features(&lines);
        assert!(features[1].is_none());
        for vector in features.iter().flatten() {
            assert_eq!(vector.len(), feature_names().len());
        }
    }

    #[test]
    fn a_rendered_page_comes_out_as_its_story() {
        let page = [
            "Skip to main content",
            "Home | World | Business | Sport | Culture",
            "Search",
            "Sign in",
            "Council approves the new bridge over the river",
            "By Jane Smith",
            "The council said on Monday that the new bridge over the river would open in the spring, after two years of work and a long public debate.",
            "Residents who live near the river have asked for a footpath, and the engineers said that one could be added later at a small cost.",
            "The mayor said the bridge would cut the drive into the city centre by a quarter of an hour for most of the people who live on the far bank.",
            "Work is due to start in March, once the last permits have been granted by the regional authority.",
            "Share this article",
            "Related stories",
            "Storm closes schools",
            "Election results in full",
            "Privacy Policy | Terms of Use | Contact us",
            "© 2024 Daily Courier. All rights reserved.",
        ];
        let verdicts = lines::classify(&page);
        let kept: Vec<&str> = page
            .iter()
            .zip(&verdicts)
            .filter(|(_, verdict)| verdict.is_none())
            .map(|(line, _)| *line)
            .collect();
        assert_eq!(kept, page[6..10], "{verdicts:?}");
    }
}
