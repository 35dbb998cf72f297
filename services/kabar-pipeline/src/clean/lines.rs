//! The line classifier: decides, line by line, what is page furniture.
//!
//! Rules are multilingual patterns for the furniture that survives scraping (related-story
//! tails, "read also" lines, share prompts, credits, copyright and cookie lines), plus a tail
//! rule: after the last substantial paragraph, short lines are not part of the story.

use std::sync::LazyLock;

use regex::Regex;

use super::dates;

/// Why a line was removed: a closed set, reported in `boilerplate.reasons[].code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Links to other stories: "Section | 2 hari yang lalu", "3 hours ago".
    RelatedLink,
    /// Inline "Baca juga:" / "Read also:" lines.
    ReadAlso,
    /// Share, follow and subscribe prompts.
    SharePrompt,
    /// Photo and video credits.
    PhotoCredit,
    /// Copyright lines.
    Copyright,
    /// Cookie and consent notices.
    CookieNotice,
    /// Bylines ("By Jane Smith", "Oleh: ..."), kept apart from the body.
    Byline,
    /// Datelines and timestamps ("Senin, 15 September 2023 10:12 WIB").
    Dateline,
    /// Tag and topic lists ("Tags: ...").
    Tags,
    /// Short menu-like lines before the story starts.
    Header,
    /// Short lines after the end of the story.
    Tail,
    /// Markup blocks dropped by HTML extraction (navigation, footers, scripts).
    Markup,
    /// Lines the source repeats across its articles.
    Template,
}

impl Reason {
    pub const fn code(self) -> &'static str {
        match self {
            Reason::RelatedLink => "related_link",
            Reason::ReadAlso => "read_also",
            Reason::SharePrompt => "share_prompt",
            Reason::PhotoCredit => "photo_credit",
            Reason::Copyright => "copyright",
            Reason::CookieNotice => "cookie_notice",
            Reason::Byline => "byline",
            Reason::Dateline => "dateline",
            Reason::Tags => "tags",
            Reason::Header => "header",
            Reason::Tail => "tail",
            Reason::Markup => "markup",
            Reason::Template => "template",
        }
    }
}

/// Relative time units in the languages kabar routes ("2 hari yang lalu", "vor 3 Stunden").
const RELATIVE_TIME: &str = r"(?ix)
    ^(?:[^|]{1,80}\|\s*)?
    (?:
        \d{1,3}\s+(?:detik|menit|jam|hari|minggu|bulan|tahun)\s+(?:yang\s+)?lalu
      | \d{1,3}\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago
      | vor\s+\d{1,3}\s+(?:sekunden|minuten|stunden|tagen|wochen|monaten|jahren)
      | il\s+y\s+a\s+\d{1,3}\s+(?:secondes?|minutes?|heures?|jours?|semaines?|mois|ans?)
      | hace\s+\d{1,3}\s+(?:segundos?|minutos?|horas?|d[ií]as?|semanas?|meses|años?)
      | h[aá]\s+\d{1,3}\s+(?:segundos?|minutos?|horas?|dias?|semanas?|meses|anos?)
      | \d{1,3}\s+(?:minuti|ore|giorni|settimane|mesi)\s+fa
      | \d{1,3}\s+(?:minuten|uur|dagen|weken|maanden)\s+geleden
    )\s*$";

static RELATED_LINK: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)] // a constant pattern, covered by tests
    Regex::new(RELATIVE_TIME).unwrap()
});

/// What may follow a leading keyword: a separator, a space or the end of the line (instead of
/// `\b`, which would force the slow regex engine on non-ASCII text).
const AFTER_KEYWORD: &str = r"(?:[\s:>»|\-–—,.]|$)";

static LINE_RULES: LazyLock<Vec<(Regex, Reason)>> = LazyLock::new(|| {
    let rules: [(String, Reason); 6] = [
        (
            r"(?i)^\s*(?:baca\s+juga|baca\s+lagi|simak\s+juga|lihat\s+juga|berita\s+terkait|artikel\s+terkait|read\s+(?:also|more)|see\s+also|more\s+on\s+this|related(?:\s+(?:stories|articles|news|content|coverage))?|lesen\s+sie\s+(?:auch|mehr)|mehr\s+zum\s+thema|auch\s+interessant|lire\s+aussi|[àa]\s+lire\s+aussi|voir\s+aussi|lee\s+tambi[eé]n|leer\s+m[aá]s|ver\s+tambi[eé]n|leia\s+tamb[eé]m|leia\s+mais|leggi\s+anche|lees\s+ook|czytaj\s+te[zż])\s*[:>»|\-–—]"
                .to_owned(),
            Reason::ReadAlso,
        ),
        (
            format!(
                r"(?i)^\s*(?:share|bagikan|tweet|follow\s+us|ikuti\s+kami|subscribe|berlangganan|sign\s+up|newsletter|teilen|folgen\s+sie|partager|compartir|compartilhe|condividi|abonnieren|suivez-nous|s'abonner|suscr[ií]bete|whatsapp|facebook|twitter|telegram|linkedin|email|e-mail|print|cetak|drucken){AFTER_KEYWORD}.{{0,80}}$"
            ),
            Reason::SharePrompt,
        ),
        (
            r"(?i)^\s*\(?\s*(?:foto|photo|photograph|image|gambar|ilustrasi|video|bild|fotograf[ií]a|credit|kredit|sumber\s+foto)\s*(?:ilustrasi\s*)?(?:[:/]|by\s|von\s|oleh\s|de\s|por\s|par\s)\s*\S.{0,120}$"
                .to_owned(),
            Reason::PhotoCredit,
        ),
        (
            format!(
                r"(?i)^\s*(?:©|\(c\)\s|copyright{AFTER_KEYWORD}|hak\s+cipta{AFTER_KEYWORD}|all\s+rights\s+reserved).{{0,160}}$"
            ),
            Reason::Copyright,
        ),
        (
            r"(?i)^\s*(?:tags?|topik|topics?|themen|schlagworte|schlagwörter|etiquetas|kata\s+kunci|keywords|mots-cl[ée]s|tagi|argomenti)\s*:?\s*\S.{0,200}$"
                .to_owned(),
            Reason::Tags,
        ),
        (
            r"(?i)^\s*(?:by|oleh|von|par|por|di|door|reporter|penulis|editor|redaktur|pewarta|written\s+by|reporting\s+by|reported\s+by|text|teks|autor|auteur|author)\s*:?\s+\p{Lu}[^.!?]{0,80}$"
                .to_owned(),
            Reason::Byline,
        ),
    ];
    rules
        .into_iter()
        .map(|(pattern, reason)| {
            #[allow(clippy::unwrap_used)] // constant patterns, covered by tests
            (Regex::new(&pattern).unwrap(), reason)
        })
        .collect()
});

/// Cookie and consent notices: a mention of cookies with a consent or policy word.
fn is_cookie_notice(lower: &str) -> bool {
    (lower.contains("cookie") || lower.contains("kuki"))
        && [
            "accept",
            "consent",
            "policy",
            "kebijakan",
            "setuju",
            "akzept",
            "accepter",
            "aceptar",
            "privacy",
            "datenschutz",
            "utilizamos",
            "verwenden",
            "menggunakan",
            "we use",
            "this site uses",
            "uses cookies",
            "utilise",
            "usamos",
            "utilizza",
        ]
        .iter()
        .any(|word| lower.contains(word))
}

/// The rule-based verdict for one line, before the position rules.
pub(super) fn line_verdict(line: &str) -> Option<Reason> {
    if line.is_empty() || line.len() > 600 {
        return None;
    }
    if RELATED_LINK.is_match(line) {
        return Some(Reason::RelatedLink);
    }
    if dates::is_dateline(line) {
        return Some(Reason::Dateline);
    }
    // Share prompts are short calls to action, not sentences ("Share prices fell 3%.").
    let prompt_like = line.split_whitespace().count() <= 8 && !line.ends_with('.');
    let matched = LINE_RULES
        .iter()
        .filter(|(_, reason)| *reason != Reason::SharePrompt || prompt_like)
        .find(|(rule, _)| rule.is_match(line));
    if let Some((_, reason)) = matched {
        return Some(*reason);
    }
    if line.len() < 400 && is_cookie_notice(&line.to_lowercase()) {
        return Some(Reason::CookieNotice);
    }
    None
}

/// A paragraph that carries the story: long enough, or a full sentence of several words.
pub(super) fn is_substantial(line: &str) -> bool {
    let chars = line.chars().count();
    if chars >= 120 {
        return true;
    }
    let words = line.split_whitespace().count();
    let ends_like_sentence = line
        .trim_end()
        .ends_with(['.', '!', '?', '"', '”', '’', '»', '。', '」']);
    words >= 6 && ends_like_sentence
}

/// What the lines are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Plain text as it came: the page furniture around the story is still there.
    Text,
    /// The blocks HTML extraction kept: the story's container, menus and link lists gone, so
    /// short lines before its first paragraph (standfirst, dateline, labels) are story.
    HtmlBlocks,
}

/// One verdict per line: `None` keeps it, `Some(reason)` removes it.
pub fn classify(lines: &[&str]) -> Vec<Option<Reason>> {
    classify_input(lines, Input::Text)
}

/// [`classify`] for lines of the given kind.
pub fn classify_input(lines: &[&str], input: Input) -> Vec<Option<Reason>> {
    let mut verdicts: Vec<Option<Reason>> =
        lines.iter().map(|line| line_verdict(line.trim())).collect();
    if input == Input::Text && super::plain::mark_story(lines, &mut verdicts) {
        return verdicts;
    }
    if input == Input::Text {
        mark_outside_story(lines, &mut verdicts);
    }

    // The header: before the first substantial paragraph, menu-like short lines (a few words,
    // no sentence) are page furniture.
    let first_substantial = lines
        .iter()
        .zip(&verdicts)
        .position(|(line, verdict)| verdict.is_none() && is_substantial(line.trim()));
    if let Some(first) = first_substantial.filter(|_| input == Input::Text) {
        for (line, verdict) in lines.iter().zip(verdicts.iter_mut()).take(first) {
            let line = line.trim();
            if verdict.is_none() && !line.is_empty() && is_menu_like(line) {
                *verdict = Some(Reason::Header);
            }
        }
    }

    // The tail: once the last substantial paragraph has passed, what follows is furniture
    // (lists of headlines, section links), unless nothing substantial exists at all.
    let last_substantial = lines
        .iter()
        .zip(&verdicts)
        .rposition(|(line, verdict)| verdict.is_none() && is_substantial(line.trim()));
    if let Some(last) = last_substantial {
        for (line, verdict) in lines.iter().zip(verdicts.iter_mut()).skip(last + 1) {
            if verdict.is_none() && !line.trim().is_empty() {
                *verdict = Some(Reason::Tail);
            }
        }
    }
    verdicts
}

/// Whole-page text (a text browser's dump, a DOM text dump) has the story as its one long run
/// of prose lines, with menus, teasers and footers around it as runs of short lines. The run
/// is the span of lines with the highest sum of line values (prose counts its characters,
/// other lines count against); lines before it are the page's header, lines after it its
/// tail. No statistics of the source are needed, so the first article of a new source works.
fn mark_outside_story(lines: &[&str], verdicts: &mut [Option<Reason>]) {
    let Some(mut best) = prose_run(lines, verdicts) else {
        return;
    };
    // The story's own short lines at its edges (a headline, a standfirst, a closing line) are
    // kept when they touch it and read as more than a menu item.
    let edge = |i: usize| {
        let line = lines[i].trim();
        verdicts[i].is_none()
            && !is_menu_like(line)
            && !is_layout_line(line)
            && !is_comment_start(line)
    };
    let mut added = 0;
    while best.0 > 0 && added < 2 && edge(best.0 - 1) {
        best.0 -= 1;
        added += 1;
    }
    added = 0;
    while best.1 + 1 < lines.len() && added < 2 && edge(best.1 + 1) {
        best.1 += 1;
        added += 1;
    }
    // A comment section ends the story: its heading or first "X says:" line after the story
    // has started.
    let first_prose = (best.0..=best.1).find(|&i| line_value(lines[i].trim(), false) > 0.0);
    if let Some(first) = first_prose
        && let Some(cut) = (first + 1..=best.1).find(|&i| is_comment_start(lines[i].trim()))
    {
        best.1 = cut - 1;
    }
    for (index, (line, verdict)) in lines.iter().zip(verdicts.iter_mut()).enumerate() {
        if verdict.is_none() && !line.trim().is_empty() {
            if index < best.0 {
                *verdict = Some(Reason::Header);
            } else if index > best.1 {
                *verdict = Some(Reason::Tail);
            }
        }
    }
    // Inside the run, text-browser leftovers (bullets, image placeholders, ad labels) are
    // layout.
    for index in best.0..=best.1 {
        let line = lines[index].trim();
        if verdicts[index].is_none() && !line.is_empty() && is_layout_line(line) {
            verdicts[index] = Some(Reason::Markup);
        }
    }
}

static COMMENT_START: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)] // a constant pattern, covered by tests
    Regex::new(
        r"(?i)^(?:\d+\s+)?(?:comments?|responses?|replies|reactions|komentar|kommentare?|commentaires?|comentarios?|coment[aá]rios?|commenti)\s*(?:\(\d+\))?:?$|^(?:leave\s+a\s+(?:reply|comment)|post\s+a\s+comment|add\s+a\s+comment|join\s+the\s+discussion|tulis\s+komentar|kommentar\s+schreiben|laisser\s+un\s+commentaire|deja\s+un\s+comentario)|^(?:\d+\.\s+)?\S+(?:\s\S+){0,3}\s(?:says|said|wrote|schreibt|sagt|dice|berkata):$",
    )
    .unwrap()
});

/// The run of lines with the highest sum of line values (prose counts its characters, other
/// lines count against), or `None` when no run sums above zero.
pub(super) fn prose_run(lines: &[&str], verdicts: &[Option<Reason>]) -> Option<(usize, usize)> {
    let (mut best, mut best_sum): ((usize, usize), f32) = ((0, 0), f32::MIN);
    let (mut start, mut sum) = (0, 0.0f32);
    for (index, (line, verdict)) in lines.iter().zip(verdicts.iter()).enumerate() {
        let value = line_value(line.trim(), verdict.is_some());
        if sum <= 0.0 {
            start = index;
            sum = 0.0;
        }
        sum += value;
        if sum > best_sum {
            best_sum = sum;
            best = (start, index);
        }
    }
    (best_sum > 0.0).then_some(best)
}

/// The heading or first line of a comment section.
pub(super) fn is_comment_start(line: &str) -> bool {
    line.len() < 80 && COMMENT_START.is_match(line)
}

/// Leftovers of page layout in rendered text: no letters ("•", "|", "[ ]"), an image
/// placeholder ("[logo]"), an advertisement label.
pub(super) fn is_layout_line(line: &str) -> bool {
    if !line.chars().any(char::is_alphanumeric) {
        return true;
    }
    if line.starts_with('[') && line.ends_with(']') && !line[1..].contains('[') {
        return true;
    }
    let lower = line
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    matches!(
        lower.as_str(),
        "advertisement"
            | "advertisements"
            | "ad"
            | "ads"
            | "anzeige"
            | "werbung"
            | "iklan"
            | "publicidad"
            | "publicité"
            | "pubblicità"
            | "publicidade"
            | "sponsored"
            | "sponsored content"
            | "story continues below advertisement"
            | "article continues below advertisement"
            | "continue reading below"
            | "scroll to continue with content"
    )
}

/// How much a line says "story here": prose counts its characters, furniture and short
/// non-prose lines count against.
pub(super) fn line_value(line: &str, furniture: bool) -> f32 {
    let chars = line.chars().count() as f32;
    if line.is_empty() {
        return 0.0;
    }
    if furniture {
        return -chars.min(60.0);
    }
    if crate::clean::html::is_prose(line, line.chars().count()) && is_substantial(line) {
        return chars;
    }
    -(10.0 + 0.5 * chars)
}

/// A few words and no sentence: a menu item, a section name, a label.
pub(super) fn is_menu_like(line: &str) -> bool {
    line.split_whitespace().count() <= 3
        && !line.ends_with(['.', '!', '?', ':', '"', '”', '»'])
        && line.chars().count() <= 40
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(line: &str) -> Option<Reason> {
        classify(&[line])[0]
    }

    #[test]
    fn related_links_in_many_languages() {
        for line in [
            "Olahraga | 1 hari yang lalu",
            "Pos Banten | 17 jam yang lalu",
            "World | 3 hours ago",
            "Politik | vor 2 Stunden",
            "Monde | il y a 5 heures",
            "2 days ago",
        ] {
            assert_eq!(verdict(line), Some(Reason::RelatedLink), "{line}");
        }
    }

    #[test]
    fn furniture_lines() {
        assert_eq!(
            verdict("Baca juga: Harga beras naik lagi"),
            Some(Reason::ReadAlso)
        );
        assert_eq!(verdict("Lesen Sie auch: Die Wahl"), Some(Reason::ReadAlso));
        assert_eq!(verdict("Foto: Reuters/John Doe"), Some(Reason::PhotoCredit));
        assert_eq!(
            verdict("© 2024 Kabar Media. All rights reserved."),
            Some(Reason::Copyright)
        );
        assert_eq!(
            verdict("We use cookies to improve your experience. Accept all"),
            Some(Reason::CookieNotice)
        );
        assert_eq!(
            verdict("Share this article on Facebook"),
            Some(Reason::SharePrompt)
        );
    }

    #[test]
    fn bylines_datelines_and_header_menus() {
        assert_eq!(verdict("Oleh: Rina Wulandari"), Some(Reason::Byline));
        assert_eq!(verdict("By Jane Smith"), Some(Reason::Byline));
        assert_eq!(
            verdict("Senin, 15 September 2023 10:12 WIB"),
            Some(Reason::Dateline)
        );
        assert_eq!(verdict("15.09.2023, 10:12 Uhr"), Some(Reason::Dateline));
        assert_eq!(verdict("Tags: Politik, Ekonomi"), Some(Reason::Tags));
        let lines = [
            "Beranda",
            "Politik",
            "Presiden Rusia Vladimir Putin bertemu Kim Jong Un di Vladivostok pekan ini, kata pejabat.",
        ];
        assert_eq!(
            classify(&lines),
            vec![Some(Reason::Header), Some(Reason::Header), None]
        );
    }

    #[test]
    fn story_lines_stay() {
        for line in [
            "Presiden Rusia Vladimir Putin bertemu Kim Jong Un di Vladivostok pekan ini.",
            "“Itu adalah senjata yang bisa langsung digunakan dalam perang di Ukraina,” jelas Park.",
            "The minister said he would share the report with parliament next week.",
            "By the end of 2023, exports had risen by a third, the ministry said.",
            "Share prices fell 3% on Monday after the announcement.",
        ] {
            assert_eq!(verdict(line), None, "{line}");
        }
    }

    #[test]
    fn short_lines_after_the_story_are_tail() {
        let lines = [
            "A long enough opening paragraph of the story that certainly carries the news itself.",
            "Short link one",
            "Short link two",
        ];
        let verdicts = classify(&lines);
        assert_eq!(verdicts, vec![None, Some(Reason::Tail), Some(Reason::Tail)]);
    }

    #[test]
    fn whole_page_text_comes_out_as_the_story() {
        let page = [
            "Home",
            "News",
            "Sport",
            "[logo]",
            "Council approves the new bridge",
            "The council said on Monday that the new bridge over the river would open in the spring, after two years of work.",
            "Advertisement",
            "Residents who live near the river have asked for a footpath, and the engineers said that one could be added later.",
            "Most read",
            "Storm closes schools",
            "Election results",
            "3 Comments",
            "Jane says:",
            "I think that the council should have asked the people who live near the river before it decided anything.",
            "© 2024 Daily Courier",
        ];
        let kept: Vec<&str> = page
            .iter()
            .zip(classify(&page))
            .filter(|(_, verdict)| verdict.is_none())
            .map(|(line, _)| *line)
            .collect();
        assert_eq!(kept, [page[4], page[5], page[7]]);
    }

    #[test]
    fn headline_only_text_is_kept() {
        assert_eq!(classify(&["Gempa di Cianjur"]), vec![None]);
    }
}
