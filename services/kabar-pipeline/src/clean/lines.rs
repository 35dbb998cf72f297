//! The line classifier: decides, line by line, what is page furniture.
//!
//! Rules are multilingual patterns for the furniture that survives scraping (related-story
//! tails, "read also" lines, share prompts, credits, copyright and cookie lines), plus a tail
//! rule: after the last substantial paragraph, short lines are not part of the story.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

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
    /// Short lines after the end of the story.
    Tail,
    /// Markup blocks dropped by HTML extraction (navigation, footers, scripts).
    Markup,
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
            Reason::Tail => "tail",
            Reason::Markup => "markup",
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

static LINE_RULES: LazyLock<(RegexSet, Vec<Reason>)> = LazyLock::new(|| {
    let rules: [(&str, Reason); 6] = [
        (
            r"(?i)^\s*(?:baca\s+juga|baca\s+lagi|simak\s+juga|lihat\s+juga|berita\s+terkait|artikel\s+terkait|read\s+(?:also|more)|see\s+also|related(?:\s+(?:stories|articles|news))?|lesen\s+sie\s+(?:auch|mehr)|mehr\s+zum\s+thema|lire\s+aussi|[àa]\s+lire\s+aussi|lee\s+tambi[eé]n|leia\s+tamb[eé]m|leggi\s+anche|lees\s+ook)\b\s*[:>»-]?",
            Reason::ReadAlso,
        ),
        (
            r"(?i)^\s*(?:share|bagikan|follow\s+us|ikuti\s+kami|subscribe|berlangganan|sign\s+up\s+for|newsletter|teilen|folgen\s+sie|partager|compartir|compartilhe|condividi)\b.{0,80}$",
            Reason::SharePrompt,
        ),
        (
            r"(?i)^\s*(?:foto|photo|image|gambar|ilustrasi|video|bild|fotograf[ií]a)\s*(?:ilustrasi\s*)?[:/]\s*\S.{0,100}$",
            Reason::PhotoCredit,
        ),
        (
            r"(?i)^\s*(?:©|\(c\)\s|copyright\b|hak\s+cipta\b|all\s+rights\s+reserved).{0,160}$",
            Reason::Copyright,
        ),
        (
            r"(?i)^.{0,200}\b(?:cookies?|kuki)\b.{0,200}\b(?:accept|consent|policy|kebijakan|setuju|akzeptieren|accepter|aceptar|privacy)\b.{0,200}$",
            Reason::CookieNotice,
        ),
        (
            r"(?i)^.{0,200}\b(?:accept|consent|setuju|akzeptieren|accepter|aceptar)\b.{0,200}\b(?:cookies?|kuki)\b.{0,200}$",
            Reason::CookieNotice,
        ),
    ];
    #[allow(clippy::unwrap_used)] // constant patterns, covered by tests
    let set = RegexSet::new(rules.iter().map(|(pattern, _)| *pattern)).unwrap();
    (set, rules.iter().map(|(_, reason)| *reason).collect())
});

/// A paragraph that carries the story: long enough, or a full sentence of several words.
fn is_substantial(line: &str) -> bool {
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

/// One verdict per line: `None` keeps it, `Some(reason)` removes it.
pub fn classify(lines: &[&str]) -> Vec<Option<Reason>> {
    let (set, reasons) = &*LINE_RULES;
    let mut verdicts: Vec<Option<Reason>> = lines
        .iter()
        .map(|line| {
            let line = line.trim();
            if line.is_empty() {
                return None;
            }
            if RELATED_LINK.is_match(line) {
                return Some(Reason::RelatedLink);
            }
            set.matches(line).iter().next().map(|index| reasons[index])
        })
        .collect();

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
    fn story_lines_stay() {
        for line in [
            "Presiden Rusia Vladimir Putin bertemu Kim Jong Un di Vladivostok pekan ini.",
            "“Itu adalah senjata yang bisa langsung digunakan dalam perang di Ukraina,” jelas Park.",
            "The minister said he would share the report with parliament next week.",
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
    fn headline_only_text_is_kept() {
        assert_eq!(classify(&["Gempa di Cianjur"]), vec![None]);
    }
}
