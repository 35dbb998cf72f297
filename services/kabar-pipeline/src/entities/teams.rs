//! Sports copy names a team by its place: "Liverpool beat Chelsea 2-1", "Finland clinched 3-0",
//! "Chile's coach". There the place is not the place: a wrong id is worse than none, so in an
//! English sports article a place that acts as a team (it wins, beats, draws or scores, it is
//! beaten, played against or drawn with, it has a coach or a striker, a score stands beside it,
//! or a capitalised nickname follows it: "Florida Panthers") becomes an organisation flagged as a
//! team, which the linker links to a sports club or team of the knowledge base or to nothing.
//!
//! An article is sports copy when it holds at least [`MIN_SPORTS_WORDS`] words of sport
//! (league, striker, playoff...) or a score and one such word. Only English is read so far.

use super::RawMention;
use super::link::in_sorted_words;
use crate::article::{EntityType, TextField};

/// Words of sports copy, lower-case, sorted.
const SPORTS_WORDS: &[&str] = &[
    "baseball",
    "basketball",
    "bundesliga",
    "championship",
    "championships",
    "coach",
    "cricket",
    "cup",
    "defender",
    "equaliser",
    "equalizer",
    "fifa",
    "fixture",
    "fixtures",
    "football",
    "goal",
    "goalkeeper",
    "goals",
    "half-time",
    "halftime",
    "hat-trick",
    "hockey",
    "innings",
    "kick-off",
    "kickoff",
    "league",
    "midfielder",
    "mlb",
    "nba",
    "nfl",
    "nhl",
    "olympic",
    "olympics",
    "overtime",
    "penalty",
    "pitcher",
    "playoff",
    "playoffs",
    "qualifier",
    "qualifiers",
    "qualifying",
    "quarter-final",
    "quarter-finals",
    "quarterback",
    "quarterfinal",
    "quarterfinals",
    "referee",
    "rugby",
    "scored",
    "season",
    "semi-final",
    "semi-finals",
    "semifinal",
    "semifinals",
    "shootout",
    "soccer",
    "squad",
    "stadium",
    "striker",
    "tennis",
    "touchdown",
    "tournament",
    "uefa",
    "wicket",
    "wickets",
];

/// Sports words (or a score and one) that make an article sports copy.
const MIN_SPORTS_WORDS: usize = 3;

/// Verbs whose subject, right before them, is a team: "Liverpool beat".
const TEAM_DOES: &[&str] = &[
    "advance",
    "advanced",
    "advances",
    "beat",
    "beats",
    "blanked",
    "clinch",
    "clinched",
    "clinches",
    "crushed",
    "defeat",
    "defeated",
    "defeats",
    "downed",
    "draw",
    "drew",
    "edge",
    "edged",
    "edges",
    "equalised",
    "equalized",
    "hammered",
    "lose",
    "loses",
    "lost",
    "outscored",
    "rallied",
    "routed",
    "score",
    "scored",
    "scores",
    "stunned",
    "swept",
    "thrashed",
    "tied",
    "trailed",
    "trails",
    "upset",
    "whipped",
    "win",
    "wins",
    "won",
];

/// Words whose object, right after them, is a team: "beat Chelsea", "against Chile".
const TEAM_UNDERGOES: &[&str] = &[
    "against",
    "beat",
    "beating",
    "blanked",
    "crushed",
    "defeat",
    "defeated",
    "defeating",
    "downed",
    "edged",
    "edging",
    "eliminated",
    "face",
    "faced",
    "faces",
    "facing",
    "hammered",
    "outscored",
    "routed",
    "stunned",
    "swept",
    "thrashed",
    "thrashing",
    "trailed",
    "trailing",
    "upset",
    "v",
    "versus",
    "vs",
];

/// "lost to Chile", "drew with Sweden", "win over Finland", "beaten by France": the word
/// before the team, and the words that make it a team's before that.
const TEAM_AFTER_PAIRS: &[(&str, &[&str])] = &[
    (
        "to",
        &["lose", "loses", "losing", "lost", "fell", "falls", "fall"],
    ),
    (
        "with",
        &[
            "draw", "drawn", "draws", "drew", "tie", "tied", "ties", "level",
        ],
    ),
    (
        "over",
        &["win", "wins", "victory", "won", "triumph", "edge"],
    ),
    (
        "by",
        &[
            "beaten",
            "defeated",
            "eliminated",
            "edged",
            "upset",
            "thrashed",
        ],
    ),
];

/// A team's people and parts, after its name or its possessive: "Chile coach", "Sweden's
/// goalkeeper".
const TEAM_HAS: &[&str] = &[
    "attack",
    "bench",
    "captain",
    "coach",
    "defence",
    "defender",
    "defenders",
    "defense",
    "fans",
    "forward",
    "forwards",
    "goalkeeper",
    "keeper",
    "lineup",
    "manager",
    "midfielder",
    "players",
    "squad",
    "striker",
    "supporters",
    "team",
];

/// Capitalised words after a place that make a longer name of something else than a team:
/// titles, dates, places ("Texas Governor", "Mexico City", "Wembley Stadium").
const NOT_NICKNAMES: &[&str] = &[
    "Airport",
    "April",
    "Arena",
    "August",
    "Avenue",
    "Bay",
    "Beach",
    "Bridge",
    "Central",
    "City",
    "Council",
    "County",
    "December",
    "District",
    "East",
    "February",
    "Friday",
    "Governor",
    "Island",
    "Islands",
    "January",
    "July",
    "June",
    "March",
    "May",
    "Mayor",
    "Monday",
    "North",
    "November",
    "October",
    "Park",
    "Police",
    "President",
    "Prime",
    "Province",
    "River",
    "Road",
    "Saturday",
    "Senator",
    "September",
    "South",
    "Square",
    "Stadium",
    "State",
    "Street",
    "Sunday",
    "Thursday",
    "Tuesday",
    "University",
    "Valley",
    "Wednesday",
    "West",
];

/// Finds the place mentions of an English sports article that act as teams, makes them
/// organisations without a gazetteer link (a nickname after them joins the name), and returns
/// their positions (field, start byte), sorted, for the linker.
pub(crate) fn retag(
    mentions: &mut Vec<RawMention>,
    title: &str,
    body: &str,
    language: &str,
) -> Vec<(TextField, usize)> {
    if language != "eng"
        || !mentions
            .iter()
            .any(|m| m.entity_type == EntityType::Location)
    {
        return Vec::new();
    }
    if !is_sports(title, body) {
        return Vec::new();
    }
    let text_of = |field: TextField| match field {
        TextField::Title => title,
        TextField::Body => body,
    };
    let mut teams = Vec::new();
    let mut swallowed: Vec<(TextField, usize, usize)> = Vec::new();
    for mention in mentions.iter_mut() {
        if mention.entity_type != EntityType::Location {
            continue;
        }
        let text = text_of(mention.field);
        // Headlines are often in title case: "Liverpool Beat Chelsea" is no nickname.
        let nickname_end = match mention.field {
            TextField::Body => nickname_after(text, mention.end),
            TextField::Title => None,
        };
        if nickname_end.is_none() && !acts_as_team(text, mention.start, mention.end) {
            continue;
        }
        if let Some(end) = nickname_end {
            swallowed.push((mention.field, mention.end, end));
            mention.end = end;
        }
        mention.entity_type = EntityType::Organisation;
        mention.known = None;
        teams.push((mention.field, mention.start));
    }
    // A nickname the tagger found on its own ("Panthers") is now part of the team's name.
    if !swallowed.is_empty() {
        mentions.retain(|m| {
            !swallowed
                .iter()
                .any(|&(field, from, to)| m.field == field && m.start >= from && m.end <= to)
        });
    }
    teams.sort_unstable_by_key(|&(field, start)| (field == TextField::Body, start));
    teams
}

/// Whether title and body hold enough words of sport (a headline's score counts with the
/// body's words).
fn is_sports(title: &str, body: &str) -> bool {
    let (title_words, title_scores) = sports_words(title);
    let (body_words, body_scores) = sports_words(body);
    let words = title_words + body_words;
    words >= MIN_SPORTS_WORDS || (title_scores + body_scores > 0 && words > 0)
}

/// (sports words, scores) in a text; stops counting once it is sure.
fn sports_words(text: &str) -> (usize, usize) {
    let mut words = 0;
    let mut scores = 0;
    for token in text.split(|c: char| c.is_whitespace() || c == '/') {
        let word = token.trim_matches(|c: char| !c.is_alphanumeric());
        if is_score(word) {
            scores += 1;
        } else if in_sorted_words(SPORTS_WORDS, word) {
            words += 1;
        }
        if words >= MIN_SPORTS_WORDS || (scores > 0 && words > 0) {
            break;
        }
    }
    (words, scores)
}

/// "2-1", "3–0": two numbers of at most two digits joined by a hyphen or a dash.
fn is_score(word: &str) -> bool {
    let Some((left, right)) = word.split_once(['-', '–']) else {
        return false;
    };
    let number = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    number(left) && number(right)
}

/// Whether the words around a place make it a team.
fn acts_as_team(text: &str, start: usize, end: usize) -> bool {
    let after = &text[end..];
    // "Sweden's goalkeeper"
    if let Some(rest) = after
        .strip_prefix("'s ")
        .or_else(|| after.strip_prefix("’s "))
    {
        return next_word(rest).is_some_and(|w| is_in(TEAM_HAS, w) || is_in(TEAM_DOES, w));
    }
    if let Some(next) = after.strip_prefix(' ').and_then(next_word) {
        if is_in(TEAM_DOES, next) || is_in(TEAM_HAS, next) || is_score(next) {
            return true;
        }
    }
    let before = &text[..start];
    let Some((previous, earlier)) = before.strip_suffix(' ').map(last_words) else {
        return false;
    };
    let Some(previous) = previous else {
        return false;
    };
    if previous.eq_ignore_ascii_case("vs.") || previous.eq_ignore_ascii_case("v.") {
        return true;
    }
    if previous.ends_with(|c: char| !c.is_alphanumeric()) {
        // "2-1," or a sentence's end: only a score counts.
        return is_score(previous.trim_end_matches(|c: char| !c.is_alphanumeric()));
    }
    if is_in(TEAM_UNDERGOES, previous) || is_score(previous) {
        return true;
    }
    TEAM_AFTER_PAIRS.iter().any(|(word, verbs)| {
        previous.eq_ignore_ascii_case(word)
            && earlier.is_some_and(|earlier| {
                !earlier.ends_with(|c: char| !c.is_alphanumeric()) && is_in(verbs, earlier)
            })
    })
}

/// Team nicknames that are not plurals ("Oklahoma City Thunder", "Boston Red Sox").
const SINGULAR_NICKNAMES: &[&str] = &[
    "Avalanche",
    "Crew",
    "Dynamo",
    "Fire",
    "Galaxy",
    "Heat",
    "Lightning",
    "Magic",
    "Jazz",
    "Sox",
    "Storm",
    "Thunder",
    "United",
    "Wild",
];

/// The end of a team's nickname right after a place in running text ("Florida Panthers",
/// "Oklahoma City Thunder", "Toronto Maple Leafs"): one or two capitalised words, the last a
/// plural or a known singular nickname, none a month, weekday, title or place word, none joined
/// by a hyphen ("Paris Saint-Germain" is left to the tagger).
fn nickname_after(text: &str, end: usize) -> Option<usize> {
    let mut at = end;
    let mut found = None;
    for _ in 0..2 {
        let Some(rest) = text[at..].strip_prefix(' ') else {
            break;
        };
        let word_len = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let word = &rest[..word_len];
        let capitalised = word.starts_with(char::is_uppercase)
            && word.chars().skip(1).all(char::is_lowercase)
            && word.chars().count() > 2;
        let joined = rest[word_len..].starts_with(['-', '\'', '’']);
        if !capitalised || joined || NOT_NICKNAMES.contains(&word) {
            break;
        }
        at += 1 + word_len;
        let plural = word.ends_with('s') && !["ss", "us", "is"].iter().any(|e| word.ends_with(e));
        if plural || SINGULAR_NICKNAMES.contains(&word) {
            found = Some(at);
        }
    }
    found
}

/// The first word of a text that starts with one, without trailing punctuation.
fn next_word(text: &str) -> Option<&str> {
    let token = text.split(char::is_whitespace).next()?;
    let word = token.trim_end_matches([',', '.', ';', ':', '!', '?']);
    (!word.is_empty()).then_some(word)
}

/// The last two whitespace-separated tokens of a text (last first), punctuation kept.
fn last_words(text: &str) -> (Option<&str>, Option<&str>) {
    let mut tokens = text.rsplit(char::is_whitespace);
    let last = tokens.next().filter(|t| !t.is_empty());
    let earlier = last.and_then(|_| tokens.next()).filter(|t| !t.is_empty());
    (last, earlier)
}

fn is_in(words: &[&str], word: &str) -> bool {
    words.iter().any(|w| w.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The places of `body` (given as surfaces) after retagging: (surface, type, team).
    fn retagged(body: &str, places: &[&str]) -> Vec<(String, EntityType, bool)> {
        let mut mentions: Vec<RawMention> = Vec::new();
        for place in places {
            for (start, _) in body.match_indices(place) {
                let mut mention =
                    RawMention::in_body(start, start + place.len(), EntityType::Location);
                mention.known = Some(0);
                mentions.push(mention);
            }
        }
        let teams = retag(&mut mentions, "", body, "eng");
        mentions.sort_by_key(|m| m.start);
        mentions
            .iter()
            .map(|m| {
                let team = teams.contains(&(m.field, m.start));
                assert_eq!(m.known.is_none(), team, "a team loses its place link");
                (body[m.start..m.end].to_owned(), m.entity_type, team)
            })
            .collect()
    }

    fn team(surface: &str) -> (String, EntityType, bool) {
        (surface.to_owned(), EntityType::Organisation, true)
    }

    fn place(surface: &str) -> (String, EntityType, bool) {
        (surface.to_owned(), EntityType::Location, false)
    }

    #[test]
    fn places_that_play_are_teams() {
        let body = "Liverpool beat Chelsea 2-1 at Anfield on Sunday, a week after they lost to \
                    Arsenal in the league. The striker scored twice. In London, fans celebrated.";
        assert_eq!(
            retagged(
                body,
                &["Liverpool", "Chelsea", "Anfield", "Arsenal", "London"]
            ),
            [
                team("Liverpool"),
                team("Chelsea"),
                place("Anfield"),
                team("Arsenal"),
                place("London")
            ]
        );
    }

    #[test]
    fn draws_coaches_scores_and_nicknames() {
        let body = "Finland clinched 3-0 against Belgium in Helsinki. Sweden drew with Norway, \
                    and Chile's coach praised the squad before the Davis Cup tie. \
                    The Florida Panthers beat Winnipeg in overtime.";
        assert_eq!(
            retagged(
                body,
                &[
                    "Finland", "Belgium", "Helsinki", "Sweden", "Norway", "Chile", "Florida",
                    "Winnipeg"
                ]
            ),
            [
                team("Finland"),
                team("Belgium"),
                place("Helsinki"),
                team("Sweden"),
                team("Norway"),
                team("Chile"),
                team("Florida Panthers"),
                team("Winnipeg")
            ]
        );
    }

    #[test]
    fn outside_sports_copy_places_stay_places() {
        // Elections and trade are won and lost too.
        let body = "Biden beat Trump in Pennsylvania, and China lost to India on trade, while \
                    Brazil won praise.";
        assert_eq!(
            retagged(body, &["Pennsylvania", "China", "India", "Brazil"]),
            [
                place("Pennsylvania"),
                place("China"),
                place("India"),
                place("Brazil")
            ]
        );
        // A score alone is not enough: votes are counted too.
        let body = "The court ruled 5-4 that Texas must redraw its map; Texas Governor Abbott \
                    disagreed.";
        assert_eq!(retagged(body, &["Texas"]), [place("Texas"), place("Texas")]);
    }

    #[test]
    fn other_languages_are_left_alone() {
        let body = "Persija mengalahkan Bali 2-1 di liga, pelatih dan striker senang. Cup.";
        let mut mentions = vec![RawMention::in_body(20, 24, EntityType::Location)];
        assert!(retag(&mut mentions, "", body, "ind").is_empty());
        assert_eq!(mentions[0].entity_type, EntityType::Location);
    }

    #[test]
    fn word_lists_are_sorted() {
        assert!(SPORTS_WORDS.is_sorted());
    }

    #[test]
    fn scores_are_small_numbers() {
        assert!(is_score("2-1") && is_score("10–0"));
        assert!(!is_score("2010-11") && !is_score("COVID-19") && !is_score("-1"));
    }
}
