"""How outlets copy a story: the edit kinds of the near-duplicate benchmark's positive pairs.

Each edit takes a document (see sources.py), another document of the same split (for borrowed
paragraphs and headlines) and a seeded random generator, and returns the copy's (title,
paragraphs, furniture_top, furniture_bottom). The copy's text is the furniture, the paragraphs
and the tail as an outlet's feed would carry them; the pipeline's cleaner sees it all.
"""

import re

# Page furniture a scraper leaves around a story, by language: menus and share prompts above,
# "read also" lines inside, related-story lists and copyright below (the seed article's tail
# is the model of the last kind: "Nasional | 2 hari yang lalu").
FURNITURE = {
    "eng": {
        "top": [
            "Home | World | Politics | Business | Tech | Sport | Culture",
            "Share on Facebook Share on Twitter Share via Email",
            "Advertisement",
            "Subscribe to our newsletter",
            "Listen to this article",
            "By Staff Reporter",
            "Updated {hh}:{mm} GMT",
            "Sign in | Register",
        ],
        "inline": ["Read more: {headline}", "Related: {headline}", "ADVERTISEMENT", "Also read: {headline}"],
        "tail": [
            "{section} | {n} hours ago",
            "{section} | {n} days ago",
            "© {year} {outlet}. All rights reserved.",
            "Follow us on Twitter and Instagram",
            "Tags: {section}, {section2}",
            "More from {outlet}",
            "Copyright {year} {outlet}",
            "Comments ({n})",
        ],
        "sections": ["World", "Politics", "Business", "Tech", "Sport", "Opinion", "Local", "Science"],
        "outlets": ["Daily Ledger", "Metro Wire", "The Courier", "Global Times Online", "Newsroom 24"],
    },
    "ind": {
        "top": [
            "Beranda | Nasional | Internasional | Ekonomi | Olahraga | Teknologi",
            "Bagikan: Facebook Twitter WhatsApp",
            "Iklan",
            "Dengarkan berita ini",
            "Laporan wartawan {outlet}",
            "Diperbarui {hh}.{mm} WIB",
            "Masuk | Daftar",
        ],
        "inline": ["Baca juga: {headline}", "Baca Juga: {headline}", "ADVERTISEMENT", "Simak juga: {headline}"],
        "tail": [
            "{section} | {n} jam yang lalu",
            "{section} | {n} hari yang lalu",
            "© {year} {outlet}. Hak cipta dilindungi.",
            "Ikuti kami di Instagram dan Twitter",
            "Editor: {editor}",
            "Tag: {section}, {section2}",
            "Berita Terkait",
            "Komentar ({n})",
        ],
        "sections": ["Nasional", "Olahraga", "Ekonomi", "Pos Banten", "TangselCity", "Galeri", "Megapolitan"],
        "outlets": ["Warta Kota", "Kabar Harian", "Suara Nusantara", "Berita Satu Online", "Pos Metro"],
    },
}
EDITORS = ["Andi Saputra", "Rina Wulandari", "Budi Santoso", "Dewi Lestari", "Agus Salim"]


def furniture_language(lang):
    return "ind" if lang in ("ind", "zsm") else "eng"


def furniture(lang, rng, other_titles):
    """Furniture above and below a story: a few lines of each kind."""
    kit = FURNITURE[furniture_language(lang)]

    def fill(line):
        return line.format(
            hh=rng.randint(0, 23),
            mm=f"{rng.randint(0, 59):02d}",
            n=rng.randint(1, 23),
            year=rng.choice([2022, 2023, 2024]),
            outlet=rng.choice(kit["outlets"]),
            section=rng.choice(kit["sections"]),
            section2=rng.choice(kit["sections"]),
            editor=rng.choice(EDITORS),
            headline=rng.choice(other_titles),
        )

    top = [fill(line) for line in rng.sample(kit["top"], rng.randint(1, 4))]
    tail = []
    if rng.random() < 0.6:
        # A related-story list like the seed article's.
        for _ in range(rng.randint(4, 10)):
            tail.append(rng.choice(other_titles))
            tail.append(fill(rng.choice(kit["tail"][:2])))
    tail += [fill(line) for line in rng.sample(kit["tail"][2:], rng.randint(1, 3))]
    inline = fill(rng.choice(kit["inline"]))
    return top, inline, tail


def with_inline(paragraphs, inline, rng):
    """A "read also" line between two paragraphs."""
    if len(paragraphs) < 3:
        return paragraphs
    at = rng.randint(1, len(paragraphs) - 1)
    return paragraphs[:at] + [inline] + paragraphs[at:]


QUOTES = [("\"", "“", "”"), ("'", "‘", "’")]


def typography(text, rng):
    """Typography a copy desk or a CMS changes: quotes, apostrophes, dashes, ellipses, spaces."""
    choices = rng.sample(range(6), rng.randint(2, 5))
    if 0 in choices:  # curly quotes to straight or back
        if "“" in text or "”" in text:
            text = text.replace("“", '"').replace("”", '"')
        else:
            text = re.sub(r'"([^"]*)"', "“\\1”", text)
    if 1 in choices:  # apostrophes
        text = text.replace("’", "'") if "’" in text else re.sub(r"(\w)'(\w)", "\\1’\\2", text)
    if 2 in choices:  # dashes
        text = text.replace(" - ", " — ").replace(" -- ", " – ") if " - " in text else text.replace(" — ", " - ").replace("—", " - ").replace(" – ", " - ")
    if 3 in choices:  # ellipses
        text = text.replace("...", "…") if "..." in text else text.replace("…", "...")
    if 4 in choices:  # non-breaking and double spaces
        text = re.sub(r" (?=\d)", "\u00a0", text)
        text = re.sub(r"([.!?]) ", "\\1  ", text)
    if 5 in choices:  # a paragraph's sentences run on one line or break; a trailing space
        text = text.replace(", ", ",  ", rng.randint(1, 3))
    return text


def sentences(paragraph):
    return [s for s in re.split(r"(?<=[.!?])\s+", paragraph) if s]


def truncate(paragraphs, rng):
    """The first part of the story: from half to nine tenths of its words, cut at a paragraph
    (or a sentence) boundary, the way a republisher keeps the lead and drops the rest."""
    total = sum(len(p.split()) for p in paragraphs)
    goal = total * rng.uniform(0.5, 0.9)
    kept, count = [], 0
    for paragraph in paragraphs:
        size = len(paragraph.split())
        if count + size <= goal:
            kept.append(paragraph)
            count += size
            continue
        partial = []
        for sentence in sentences(paragraph):
            if count + len(sentence.split()) > goal:
                break
            partial.append(sentence)
            count += len(sentence.split())
        if partial:
            kept.append(" ".join(partial))
        break
    return kept or paragraphs[:1]


UPDATE_LINES = {
    "eng": [
        "UPDATE: This story has been updated with new information from officials.",
        "This article was updated at {hh}:{mm} with additional reporting.",
        "(Updates with comment from the ministry in paragraph {n})",
    ],
    "ind": [
        "PERBARUAN: Berita ini diperbarui dengan keterangan terbaru dari pihak berwenang.",
        "Artikel ini diperbarui pukul {hh}.{mm} WIB dengan informasi tambahan.",
        "(Diperbarui dengan tanggapan kementerian pada paragraf ke-{n})",
    ],
}


def change_numbers(paragraph, rng):
    """An update's new figures: some numbers of a paragraph changed."""

    def bump(match):
        if rng.random() < 0.5:
            return match.group(0)
        value = int(match.group(0))
        return str(value + rng.randint(1, max(2, value // 5 + 1)))

    return re.sub(r"\b\d{1,6}\b", bump, paragraph)


def edit(kind, doc, other, rng, other_titles):
    """The copy of `doc` for edit `kind`: (title, paragraphs, top, tail)."""
    title, paragraphs = doc["title"], list(doc["paragraphs"])
    top, inline, tail = [], None, []
    lang = doc["lang"]
    if kind == "furniture":
        top, inline, tail = furniture(lang, rng, other_titles)
        paragraphs = with_inline(paragraphs, inline, rng)
    elif kind == "headline":
        title = rng.choice(other_titles[:3] + [f"{title}: what we know", f"{title} (update)"])
        title = rng.choice([title, other["title"]])
    elif kind == "truncation":
        paragraphs = truncate(paragraphs, rng)
    elif kind == "paragraph_added":
        borrowed = rng.choice(other["paragraphs"])
        at = rng.randint(1, len(paragraphs))
        paragraphs = paragraphs[:at] + [borrowed] + paragraphs[at:]
    elif kind == "paragraph_removed":
        del paragraphs[rng.randint(1, len(paragraphs) - 1)]
    elif kind == "reordered":
        moves = rng.randint(1, 2)
        for _ in range(moves):
            i, j = rng.sample(range(len(paragraphs)), 2)
            paragraphs[i], paragraphs[j] = paragraphs[j], paragraphs[i]
    elif kind == "typography":
        title = typography(title, rng)
        paragraphs = [typography(p, rng) for p in paragraphs]
    elif kind == "update":
        # The same outlet an hour later: a new lead paragraph or a closing one, and new figures.
        lines = UPDATE_LINES[furniture_language(lang)]
        note = rng.choice(lines).format(hh=rng.randint(0, 23), mm=f"{rng.randint(0, 59):02d}", n=rng.randint(2, 6))
        new = rng.choice(other["paragraphs"])
        paragraphs = [change_numbers(p, rng) if rng.random() < 0.3 else p for p in paragraphs]
        if rng.random() < 0.5:
            paragraphs = [note, paragraphs[0], new] + paragraphs[1:]
        else:
            paragraphs = paragraphs + [new, note]
    elif kind == "combined":
        # A republisher: its own furniture and headline, its typography, and a cut or an addition.
        top, inline, tail = furniture(lang, rng, other_titles)
        title = rng.choice(other_titles)
        second = rng.choice(["truncation", "paragraph_added", "paragraph_removed", "reordered"])
        _, paragraphs, _, _ = edit(second, doc, other, rng, other_titles)
        paragraphs = with_inline([typography(p, rng) for p in paragraphs], inline, rng)
    else:
        raise ValueError(kind)
    return title, paragraphs, top, tail


KINDS = [
    "furniture",
    "headline",
    "truncation",
    "paragraph_added",
    "paragraph_removed",
    "reordered",
    "typography",
    "update",
    "combined",
]
