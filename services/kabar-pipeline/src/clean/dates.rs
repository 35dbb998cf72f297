//! Publication dates as pages and feeds write them, normalised to RFC 3339.
//!
//! Reads ISO 8601 (extended and compact: "2018-06-19T05:50:00+09:00", "20180619T055000+0900"),
//! numeric dates ("15.09.2023, 10:12 Uhr", "2023/09/15"), and text datelines with month names
//! in the languages kabar detects ("jueves, 09 enero 2014", "Senin, 12 Juni 2023 14:05 WIB",
//! "September 15, 2023 9:05 pm ET"). A time zone written as an offset or a known abbreviation
//! (WIB, CET, EDT...) becomes the offset (the generic ET, CT, MT and PT follow the United States'
//! daylight-saving dates); a time without a zone is read as UTC and a date
//! without a time as midnight UTC. What cannot be read unambiguously (no year, "03/04/2023"
//! with both orders possible, a day 31 in April) is `None`: left out, never guessed.

/// Month names and their common abbreviations, lowercase (English, Indonesian and Malay,
/// German, French, Spanish, Portuguese, Italian, Dutch).
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("januari", 1),
    ("januar", 1),
    ("janvier", 1),
    ("enero", 1),
    ("janeiro", 1),
    ("gennaio", 1),
    ("jan", 1),
    ("janv", 1),
    ("ene", 1),
    ("gen", 1),
    ("february", 2),
    ("februari", 2),
    ("februar", 2),
    ("februarie", 2),
    ("février", 2),
    ("fevrier", 2),
    ("febrero", 2),
    ("fevereiro", 2),
    ("febbraio", 2),
    ("feb", 2),
    ("febr", 2),
    ("févr", 2),
    ("fev", 2),
    ("march", 3),
    ("maret", 3),
    ("mac", 3),
    ("märz", 3),
    ("maerz", 3),
    ("mars", 3),
    ("marzo", 3),
    ("março", 3),
    ("marco", 3),
    ("maart", 3),
    ("mar", 3),
    ("mrt", 3),
    ("april", 4),
    ("avril", 4),
    ("abril", 4),
    ("aprile", 4),
    ("apr", 4),
    ("avr", 4),
    ("abr", 4),
    ("may", 5),
    ("mei", 5),
    ("mai", 5),
    ("mayo", 5),
    ("maio", 5),
    ("maggio", 5),
    ("june", 6),
    ("juni", 6),
    ("jun", 6),
    ("juin", 6),
    ("junio", 6),
    ("junho", 6),
    ("giugno", 6),
    ("july", 7),
    ("juli", 7),
    ("julai", 7),
    ("jul", 7),
    ("juillet", 7),
    ("juil", 7),
    ("julio", 7),
    ("julho", 7),
    ("luglio", 7),
    ("august", 8),
    ("agustus", 8),
    ("ogos", 8),
    ("aug", 8),
    ("agu", 8),
    ("ags", 8),
    ("août", 8),
    ("aout", 8),
    ("agosto", 8),
    ("ago", 8),
    ("augustus", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("septembre", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("setembro", 9),
    ("settembre", 9),
    ("set", 9),
    ("october", 10),
    ("oktober", 10),
    ("oct", 10),
    ("okt", 10),
    ("octobre", 10),
    ("octubre", 10),
    ("outubro", 10),
    ("ottobre", 10),
    ("out", 10),
    ("ott", 10),
    ("november", 11),
    ("nopember", 11),
    ("nov", 11),
    ("novembre", 11),
    ("noviembre", 11),
    ("novembro", 11),
    ("december", 12),
    ("desember", 12),
    ("disember", 12),
    ("dezember", 12),
    ("dec", 12),
    ("des", 12),
    ("dez", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("diciembre", 12),
    ("dezembro", 12),
    ("dicembre", 12),
    ("dic", 12),
];

/// Time zone abbreviations and their offsets in minutes.
const ZONES: &[(&str, i32)] = &[
    ("utc", 0),
    ("gmt", 0),
    ("z", 0),
    ("wib", 420),
    ("wita", 480),
    ("wit", 540),
    ("myt", 480),
    ("sgt", 480),
    ("jst", 540),
    ("kst", 540),
    ("ist", 330),
    ("cet", 60),
    ("cest", 120),
    ("mez", 60),
    ("mesz", 120),
    ("bst", 60),
    ("eet", 120),
    ("eest", 180),
    ("msk", 180),
    ("est", -300),
    ("edt", -240),
    ("et", -300),
    ("cst", -360),
    ("ct", -360),
    ("cdt", -300),
    ("mst", -420),
    ("mt", -420),
    ("mdt", -360),
    ("pst", -480),
    ("pdt", -420),
    ("pt", -480),
    ("aest", 600),
    ("aedt", 660),
];

/// `text` as an RFC 3339 timestamp with its offset, or `None` when it cannot be read.
pub fn normalise(text: &str) -> Option<String> {
    read(text).map(|(stamp, _)| stamp)
}

/// As [`normalise`], with whether `text` stated its zone (an offset or a known abbreviation):
/// a date that does not is read as UTC, which may not be what its writer meant.
pub fn read(text: &str) -> Option<(String, bool)> {
    let text = text.trim();
    if text.is_empty() || text.len() > 200 {
        return None;
    }
    iso(text)
        .or_else(|| written(text))
        .map(|stamp| us_daylight_saving(text, stamp))
        .map(|stamp| (stamp.render(), stamp.zoned))
}

/// Words that may stand in a dateline besides numbers: month and weekday names (prefixes),
/// time zones and "updated"/"published" in the languages kabar routes.
const DATE_WORDS: &[&str] = &[
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "mei",
    "mai",
    "jun",
    "jul",
    "aug",
    "agu",
    "ags",
    "sep",
    "set",
    "oct",
    "okt",
    "oto",
    "nov",
    "dec",
    "des",
    "dez",
    "dic",
    "déc",
    "janv",
    "févr",
    "fév",
    "avr",
    "juil",
    "aoû",
    "ene",
    "abr",
    "ago",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "senin",
    "selasa",
    "rabu",
    "kamis",
    "jumat",
    "jum'at",
    "sabtu",
    "minggu",
    "ahad",
    "isnin",
    "khamis",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
    "wib",
    "wita",
    "wit",
    "gmt",
    "utc",
    "et",
    "est",
    "edt",
    "pst",
    "pdt",
    "cet",
    "cest",
    "bst",
    "uhr",
    "am",
    "pm",
    "a.m",
    "p.m",
    "updated",
    "published",
    "posted",
    "diperbarui",
    "diterbitkan",
    "dipublikasikan",
    "pukul",
    "aktualisiert",
    "veröffentlicht",
    "publié",
    "publicado",
    "actualizado",
    "atualizado",
    "le",
    "el",
    "on",
    "at",
    "à",
    "de",
    "um",
    "am",
    "last",
    "modified",
    "date",
    "tanggal",
    "datum",
    "fecha",
];

/// A line that is only a date and/or time.
pub(super) fn is_dateline(line: &str) -> bool {
    if line.chars().count() > 70 {
        return false;
    }
    let mut has_number = false;
    let mut has_year_or_time = false;
    for word in line.split_whitespace() {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        if word.is_empty() {
            continue;
        }
        if word
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | '/' | '-'))
        {
            has_number = true;
            let digits = word.chars().filter(char::is_ascii_digit).count();
            has_year_or_time |= word.contains(':') || digits >= 4 || word.contains(['.', '/']);
            continue;
        }
        if !is_date_word(&word.to_lowercase()) {
            return false;
        }
    }
    has_number && has_year_or_time
}

/// A lower-case word of [`DATE_WORDS`], or one of its longer forms ("sept" -> "september").
fn is_date_word(lower: &str) -> bool {
    DATE_WORDS
        .iter()
        .any(|d| lower == *d || (d.len() >= 3 && lower.starts_with(d) && lower.len() <= 10))
}

/// The publication date stated by a dateline line of a plain text ("Senin, 12 Juni 2023 14:05
/// WIB", "Published 14 September 2023 | 9:05 pm ET", "JAKARTA, Kamis (14/9/2023)"), normalised as
/// [`normalise`]. Only a short line that is mostly the date counts, so that a date inside a
/// sentence ("On 5 June 2023, 12 people...") is never read as the article's.
pub fn dateline(line: &str) -> Option<String> {
    let line = line.trim();
    if line.is_empty() || line.chars().count() > 80 {
        return None;
    }
    let words: Vec<String> = line
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '(' | ')' | '·' | '•'))
        .map(|w| {
            w.trim_matches(|c: char| matches!(c, '.' | '-' | '–' | '—' | ':' | '/'))
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() > 12 {
        return None;
    }
    let part_of_date = |w: &str| {
        w.chars().any(|c| c.is_ascii_digit())
            || MONTHS.iter().any(|(name, _)| *name == w)
            || ZONES.iter().any(|(name, _)| *name == w)
            || is_date_word(w)
    };
    // Beside the date, room for a place ("Jakarta", "Kuala Lumpur") and little else.
    let others = words.iter().filter(|w| !part_of_date(w)).count();
    if others > 2 || others * 2 >= words.len() {
        return None;
    }
    // The date may be one of several parts ("Kompas.com - 14/09/2023, 21:05 WIB").
    normalise(line).or_else(|| {
        line.split(['|', '·', '•', '(', ')'])
            .chain(line.split(" - "))
            .find_map(|part| normalise(part.trim()))
    })
}

/// The generic North American zones ("9:05 pm ET"): standard time in winter, daylight time
/// (an hour more) in summer, so their offset depends on the date.
const US_GENERIC_ZONES: &[(&str, i32)] = &[("et", -300), ("ct", -360), ("mt", -420), ("pt", -480)];

/// `stamp` with an hour added when `text` names a generic North American zone and the local
/// time falls in the United States' daylight-saving period of its year (since 2007: from the
/// second Sunday of March to the first Sunday of November, 2 a.m.; 1987-2006: the first Sunday
/// of April to the last Sunday of October).
fn us_daylight_saving(text: &str, mut stamp: Stamp) -> Stamp {
    let generic = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter_map(|word| {
            let lower = word.to_ascii_lowercase();
            US_GENERIC_ZONES.iter().find(|(name, _)| *name == lower)
        })
        .any(|&(_, standard)| standard == stamp.offset);
    if !generic || stamp.year < 1987 {
        return stamp;
    }
    let (start, end) = if stamp.year >= 2007 {
        (
            (3, nth_sunday(stamp.year, 3, 2)),
            (11, nth_sunday(stamp.year, 11, 1)),
        )
    } else {
        (
            (4, nth_sunday(stamp.year, 4, 1)),
            (10, last_sunday(stamp.year, 10)),
        )
    };
    // Local time as (month, day, hour), compared in order; the change happens at 2 a.m.
    let local = (stamp.month, stamp.day, stamp.hour);
    if local >= (start.0, start.1, 2) && local < (end.0, end.1, 2) {
        stamp.offset += 60;
    }
    stamp
}

/// Day of the week of a date, 0 for Sunday (Sakamoto's method).
fn weekday(year: i32, month: u32, day: u32) -> u32 {
    const T: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if month < 3 { year - 1 } else { year };
    let m = month as usize - 1;
    let d = i32::try_from(day).unwrap_or(1);
    u32::try_from((y + y / 4 - y / 100 + y / 400 + T[m] + d).rem_euclid(7)).unwrap_or(0)
}

/// Day of the month of the `n`th Sunday of `month`.
fn nth_sunday(year: i32, month: u32, n: u32) -> u32 {
    let first = (7 - weekday(year, month, 1)) % 7 + 1;
    first + 7 * (n - 1)
}

/// Day of the month of the last Sunday of a 31-day `month`.
fn last_sunday(year: i32, month: u32) -> u32 {
    31 - weekday(year, month, 31)
}

/// A calendar date and time with an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// Offset east of UTC in minutes.
    offset: i32,
    /// Whether the text stated the zone (else the offset is UTC by default).
    zoned: bool,
}

impl Stamp {
    fn valid(self) -> Option<Self> {
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0) => 29,
            2 => 28,
            _ => return None,
        };
        let ok = (1970..=2100).contains(&self.year)
            && (1..=days).contains(&self.day)
            && self.hour < 24
            && self.minute < 60
            && self.second < 61
            && self.offset.abs() < 18 * 60;
        ok.then_some(self)
    }

    fn render(self) -> String {
        let date = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.offset == 0 {
            return format!("{date}Z");
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let minutes = self.offset.abs();
        format!("{date}{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

fn digits(text: &str) -> Option<u32> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// ISO 8601, extended ("2024-09-15T10:00:00.000+07:00", "2024-09-15 10:00", "2024-09-15")
/// or compact ("20180619T055000+0900").
fn iso(text: &str) -> Option<Stamp> {
    let bytes = text.as_bytes();
    let (date, rest) = if bytes.len() >= 10 && bytes[4] == b'-' && bytes[7] == b'-' {
        (
            (
                digits(&text[0..4])?,
                digits(&text[5..7])?,
                digits(&text[8..10])?,
            ),
            &text[10..],
        )
    } else if bytes.len() >= 8 && bytes[..8].iter().all(u8::is_ascii_digit) {
        (
            (
                digits(&text[0..4])?,
                digits(&text[4..6])?,
                digits(&text[6..8])?,
            ),
            &text[8..],
        )
    } else {
        return None;
    };
    let mut stamp = Stamp {
        year: i32::try_from(date.0).ok()?,
        month: date.1,
        day: date.2,
        hour: 0,
        minute: 0,
        second: 0,
        offset: 0,
        zoned: false,
    };
    // Only the end is trimmed here: the separator before the time is part of the form.
    let rest = rest.trim_end();
    if rest.is_empty() {
        return stamp.valid();
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?.trim_start();
    // The time: hh:mm[:ss[.fff]] or hhmm[ss].
    let time_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.' || c == ','))
        .unwrap_or(rest.len());
    let (time, zone) = rest.split_at(time_end);
    let time = time.split(['.', ',']).next().unwrap_or_default();
    let parts: Vec<u32> = if time.contains(':') {
        time.split(':').map(digits).collect::<Option<_>>()?
    } else {
        (0..time.len() / 2)
            .map(|i| digits(&time[i * 2..i * 2 + 2]))
            .collect::<Option<_>>()?
    };
    stamp.hour = *parts.first()?;
    stamp.minute = parts.get(1).copied().unwrap_or(0);
    stamp.second = parts.get(2).copied().unwrap_or(0);
    stamp.offset = zone_offset(zone.trim())?;
    stamp.zoned = !zone.trim().is_empty();
    stamp.valid()
}

/// "+07:00", "+0700", "-04", "Z", "WIB", "" (UTC): minutes east of UTC.
fn zone_offset(zone: &str) -> Option<i32> {
    if zone.is_empty() {
        return Some(0);
    }
    let zone = ["gmt", "utc", "GMT", "UTC"]
        .iter()
        .find_map(|name| {
            zone.strip_prefix(name)
                .filter(|r| r.starts_with(['+', '-']))
        })
        .unwrap_or(zone);
    if let Some(rest) = zone.strip_prefix(['+', '-']) {
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let clean: String = rest.chars().filter(|c| *c != ':').collect();
        let (hours, minutes) = match clean.len() {
            1 | 2 => (digits(&clean)?, 0),
            4 => (digits(&clean[..2])?, digits(&clean[2..])?),
            _ => return None,
        };
        return Some(sign * i32::try_from(hours * 60 + minutes).ok()?);
    }
    let lower = zone.to_lowercase();
    let word = lower.trim_matches(|c: char| !c.is_alphanumeric());
    ZONES.iter().find(|(name, _)| *name == word).map(|z| z.1)
}

/// A written date: tokens of numbers and words, in any of the common orders.
fn written(text: &str) -> Option<Stamp> {
    let lower = text.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '(' | ')' | '–' | '—'))
        .map(|t| {
            // A numeric offset keeps its sign ("-0600" in "Mon, 18 Nov 2019 16:07:38 -0600").
            if zone_offset(t).is_some() && t.starts_with(['+', '-', 'g', 'u']) {
                t
            } else {
                t.trim_matches(|c: char| c == '.' || c == '-' || c == '/')
            }
        })
        .filter(|t| !t.is_empty())
        .collect();
    let mut year = None;
    let mut month = None;
    let mut numbers: Vec<u32> = Vec::new();
    let mut time: Option<(u32, u32, u32)> = None;
    let mut offset = None;
    let mut pm = None;
    for (index, token) in tokens.iter().enumerate() {
        if let Some(found) = numeric_date(token) {
            return found.and_then(|(y, m, d)| {
                let rest = tokens[index + 1..].join(" ");
                let (clock, zone) = clock_and_zone(&rest);
                Stamp {
                    year: y,
                    month: m,
                    day: d,
                    hour: clock.0,
                    minute: clock.1,
                    second: clock.2,
                    offset: zone.unwrap_or(0),
                    zoned: zone.is_some(),
                }
                .valid()
            });
        }
        if token.contains(':') || token.contains('h') && token.len() <= 5 {
            if let Some(t) = parse_clock(token) {
                time = Some(t);
                continue;
            }
        }
        if let Some(n) = digits(token.trim_end_matches(['.', 'h'])) {
            if token.len() == 4 && (1970..=2100).contains(&n) {
                year = Some(i32::try_from(n).ok()?);
            } else if (1..=31).contains(&n) {
                numbers.push(n);
            }
            continue;
        }
        let ordinal = token.trim_end_matches(['.', ',']);
        if let Some(n) = ["st", "nd", "rd", "th"]
            .iter()
            .find_map(|s| ordinal.strip_suffix(s).and_then(digits))
        {
            numbers.push(n);
            continue;
        }
        if let Some(&(_, m)) = MONTHS.iter().find(|(name, _)| *name == ordinal) {
            if month.is_none() {
                month = Some(m);
            }
            continue;
        }
        match ordinal {
            "am" | "a.m" => pm = Some(false),
            "pm" | "p.m" => pm = Some(true),
            _ => {
                if let Some(z) = ZONES.iter().find(|(name, _)| *name == ordinal) {
                    offset = Some(z.1);
                } else if ordinal.starts_with(['+', '-', 'g', 'u']) {
                    offset = zone_offset(ordinal).or(offset);
                }
            }
        }
    }
    let (year, month) = (year?, month?);
    let day = *numbers.first()?;
    let (mut hour, minute, second) = time.unwrap_or((0, 0, 0));
    match pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    Stamp {
        year,
        month,
        day,
        hour,
        minute,
        second,
        offset: offset.unwrap_or(0),
        zoned: offset.is_some(),
    }
    .valid()
}

/// "15.09.2023", "2023/09/15", "15/09/2023": `Some(None)` when it is a numeric date that
/// cannot be read unambiguously, `None` when it is not a numeric date at all.
#[allow(clippy::option_option)]
fn numeric_date(token: &str) -> Option<Option<(i32, u32, u32)>> {
    let separator = ['.', '/', '-'].into_iter().find(|s| token.contains(*s))?;
    let parts: Vec<&str> = token.split(separator).collect();
    if parts.len() != 3 {
        return None;
    }
    let numbers: Vec<u32> = parts.iter().map(|p| digits(p)).collect::<Option<_>>()?;
    let (a, b, c) = (numbers[0], numbers[1], numbers[2]);
    let year = |y: u32, len: usize| match len {
        4 => i32::try_from(y).ok(),
        _ => None,
    };
    Some(if parts[0].len() == 4 {
        year(a, 4).map(|y| (y, b, c))
    } else if let Some(y) = year(c, parts[2].len()) {
        // Day first in dotted dates and wherever the first number cannot be a month; month
        // first where the second cannot; otherwise both orders are possible: unreadable.
        if separator == '.' || a > 12 {
            Some((y, b, a))
        } else if b > 12 {
            Some((y, a, b))
        } else {
            None
        }
    } else {
        None
    })
}

/// "10:12", "9:05", "21h05", "14.05" (after a date): hours, minutes, seconds.
fn parse_clock(token: &str) -> Option<(u32, u32, u32)> {
    let parts: Vec<&str> = token.split([':', 'h']).collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let hour = digits(parts[0])?;
    let minute = digits(parts[1])?;
    let second = parts.get(2).map_or(Some(0), |s| digits(s))?;
    (parts[1].len() == 2 && hour < 24).then_some((hour, minute, second))
}

/// The clock time and zone after a numeric date ("10:12 Uhr", "21:05 WIB", "9:05 pm ET").
fn clock_and_zone(rest: &str) -> ((u32, u32, u32), Option<i32>) {
    let mut clock = (0, 0, 0);
    let mut zone = None;
    let mut pm = None;
    for token in rest.split_whitespace() {
        let token = token.trim_matches(|c: char| c == ',' || c == '.');
        if let Some(c) = parse_clock(token) {
            clock = c;
        } else if matches!(token, "pm" | "p.m") {
            pm = Some(true);
        } else if matches!(token, "am" | "a.m") {
            pm = Some(false);
        } else if let Some(z) = ZONES.iter().find(|(name, _)| *name == token) {
            zone = Some(z.1);
        } else if token.starts_with(['+', '-', 'g', 'u']) {
            zone = zone_offset(token).or(zone);
        }
    }
    match pm {
        Some(true) if clock.0 < 12 => clock.0 += 12,
        Some(false) if clock.0 == 12 => clock.0 = 0,
        _ => {}
    }
    (clock, zone)
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn iso_dates_keep_their_offset() {
        for (text, expected) in [
            ("2024-09-15T10:00:00+07:00", "2024-09-15T10:00:00+07:00"),
            ("2021-11-01T10:52:50+0100", "2021-11-01T10:52:50+01:00"),
            ("2015-07-10T09:53:00-04:00", "2015-07-10T09:53:00-04:00"),
            ("2016-12-22T10:43:37.000Z", "2016-12-22T10:43:37Z"),
            ("20180619T055000+0900", "2018-06-19T05:50:00+09:00"),
            ("2018-04-05T06:00", "2018-04-05T06:00:00Z"),
            ("2014-01-09", "2014-01-09T00:00:00Z"),
            // A space before the time, a compact offset after it, a space before the offset.
            ("2021-05-05 08:07:52+0200", "2021-05-05T08:07:52+02:00"),
            ("2015-07-10 09:53:00 -0400", "2015-07-10T09:53:00-04:00"),
            ("2017-11-03 03:01:00.000000", "2017-11-03T03:01:00Z"),
        ] {
            assert_eq!(normalise(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn written_datelines_in_many_languages() {
        for (text, expected) in [
            ("jueves, 09 enero 2014", "2014-01-09T00:00:00Z"),
            ("Senin, 12 Juni 2023 14:05 WIB", "2023-06-12T14:05:00+07:00"),
            (
                "Kamis, 14 September 2023 | 21:05 WIB",
                "2023-09-14T21:05:00+07:00",
            ),
            ("September 15, 2023", "2023-09-15T00:00:00Z"),
            ("Sep 14, 2023 9:05 pm ET", "2023-09-14T21:05:00-04:00"),
            ("14 septembre 2023 à 21h05", "2023-09-14T21:05:00Z"),
            ("15.09.2023, 10:12 Uhr", "2023-09-15T10:12:00Z"),
            ("Published 14 September 2023", "2023-09-14T00:00:00Z"),
            (
                "Monday, November 18th, 2019 at 11:08 a.m.",
                "2019-11-18T11:08:00Z",
            ),
            ("14/09/2023 21:05", "2023-09-14T21:05:00Z"),
            ("12 Mac 2024", "2024-03-12T00:00:00Z"),
            // RSS (RFC 2822) dates and JavaScript's Date string keep their offset.
            (
                "Mon, 18 Nov 2019 16:07:38 -0600",
                "2019-11-18T16:07:38-06:00",
            ),
            (
                "Tue Nov 19 2019 05:44:06 GMT+0700",
                "2019-11-19T05:44:06+07:00",
            ),
        ] {
            assert_eq!(normalise(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn generic_us_zones_follow_daylight_saving() {
        for (text, expected) in [
            ("Jan 9, 2023 9:05 am ET", "2023-01-09T09:05:00-05:00"),
            ("July 4, 2023 8:00 pm PT", "2023-07-04T20:00:00-07:00"),
            // 2023: daylight time from 12 March to 5 November, 2 a.m. local.
            ("March 12, 2023 1:59 am ET", "2023-03-12T01:59:00-05:00"),
            ("March 12, 2023 3:00 am ET", "2023-03-12T03:00:00-04:00"),
            ("November 5, 2023 1:30 am CT", "2023-11-05T01:30:00-05:00"),
            ("November 5, 2023 2:30 am CT", "2023-11-05T02:30:00-06:00"),
            // Before 2007: first Sunday of April to last Sunday of October.
            ("March 20, 2005 10:00 am MT", "2005-03-20T10:00:00-07:00"),
            ("October 30, 2005 10:00 am MT", "2005-10-30T10:00:00-07:00"),
            ("October 29, 2005 10:00 am MT", "2005-10-29T10:00:00-06:00"),
            // A named standard or daylight zone means what it says.
            ("July 4, 2023 8:00 pm EST", "2023-07-04T20:00:00-05:00"),
        ] {
            assert_eq!(normalise(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn datelines_are_read_from_short_date_lines_only() {
        use super::dateline;
        for (line, expected) in [
            ("Senin, 12 Juni 2023 14:05 WIB", "2023-06-12T14:05:00+07:00"),
            (
                "Published 14 September 2023 | 9:05 pm ET",
                "2023-09-14T21:05:00-04:00",
            ),
            ("Jakarta, 12 Juni 2023", "2023-06-12T00:00:00Z"),
            (
                "Kamis, 14 September 2023 - 21:05 WIB",
                "2023-09-14T21:05:00+07:00",
            ),
            ("Updated: March 3, 2021 at 10:00 am", "2021-03-03T10:00:00Z"),
            ("JAKARTA, Kamis (14/9/2023)", "2023-09-14T00:00:00Z"),
        ] {
            assert_eq!(dateline(line).as_deref(), Some(expected), "{line}");
        }
        for line in [
            "On 5 June 2023, 12 people were hurt in Jakarta.",
            "Sebanyak 5 orang tewas pada 12 Juni 2023 di Surabaya",
            "Olahraga | 1 hari yang lalu",
            "Baca juga: Harga beras naik 12 Juni 2023 di pasar",
            "Copyright 2023 Kompas Cyber Media",
        ] {
            assert_eq!(dateline(line), None, "{line}");
        }
    }

    #[test]
    fn a_stated_zone_is_told_apart() {
        use super::read;
        assert_eq!(read("2019-11-18 20:58:46").map(|r| r.1), Some(false));
        assert_eq!(read("2019-11-19").map(|r| r.1), Some(false));
        assert_eq!(read("2019-11-19T04:58:46Z").map(|r| r.1), Some(true));
        assert_eq!(
            read("Senin, 12 Juni 2023 14:05 WIB").map(|r| r.1),
            Some(true)
        );
        assert_eq!(read("15.09.2023, 10:12 Uhr").map(|r| r.1), Some(false));
        assert_eq!(read("14/09/2023 21:05 +0200").map(|r| r.1), Some(true));
    }

    #[test]
    fn unreadable_dates_are_left_out() {
        for text in [
            "",
            "03/04/2023",
            "31 April 2023",
            "yesterday",
            "2 hari yang lalu",
            "September 15",
            "2023-13-01",
            "Senin",
        ] {
            assert_eq!(normalise(text), None, "{text}");
        }
    }
}
