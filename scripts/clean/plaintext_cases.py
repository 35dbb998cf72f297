"""Deterministic plain-text cleaning cases: story lines plus page furniture, each line labelled.

Story lines are the paragraphs of the Scrapinghub AEB ground-truth bodies (MIT). Furniture is
generated here from phrase pools written for kabar, in several languages. There are two
disjoint pools: ``dev`` (used while developing the line classifier) and ``heldout`` (never
looked at while tuning; its documents are also a disjoint set of AEB ids), so the held-out
figure measures unseen furniture on unseen articles.
"""

import hashlib
import random

POOLS = {
    "dev": {
        "sections": ["Olahraga", "Nasional", "Ekonomi", "Politics", "World", "Sport", "Kultur",
                     "Wirtschaft", "Internacional", "Monde", "Tekno", "Opini"],
        "ago": ["{n} hari yang lalu", "{n} jam yang lalu", "{n} hours ago", "{n} days ago",
                "vor {n} Stunden", "il y a {n} heures", "hace {n} horas", "{n} menit yang lalu"],
        "read_also": ["Baca juga: {h}", "Read also: {h}", "Lesen Sie auch: {h}", "Baca Juga : {h}",
                      "READ MORE: {h}", "Lire aussi : {h}", "Leia também: {h}", "Simak juga: {h}"],
        "share": ["Share this article", "Bagikan artikel ini", "Share on Facebook", "Tweet",
                  "Follow us on Twitter", "Teilen", "Subscribe to our newsletter",
                  "Ikuti kami di Google News", "Partager sur Facebook", "Compartir en WhatsApp"],
        "credit": ["Foto: Reuters/{p}", "Photo: AP/{p}", "Foto: ANTARA/{p}", "Bild: dpa/{p}",
                   "Image: Getty Images", "(Photo by {p}/AFP via Getty Images)"],
        "copyright": ["© {y} {s}. All rights reserved.", "Copyright © {y} {s}",
                      "Hak cipta © {y} {s}", "© {s} {y}"],
        "cookie": ["We use cookies to improve your experience. By continuing you accept our cookie policy.",
                   "Situs ini menggunakan cookie. Dengan melanjutkan, Anda setuju dengan kebijakan kami.",
                   "Wir verwenden Cookies. Mit der Nutzung akzeptieren Sie unsere Datenschutzerklärung.",
                   "Accept cookies"],
        "menu": ["Home", "Beranda", "News", "Berita", "Sport", "Login", "Menu", "Search",
                 "Startseite", "Kontak", "About us", "Terms of use", "Privacy Policy", "Impressum"],
        "byline": ["By {p}", "Oleh: {p}", "Reporter: {p}", "Editor: {p}", "Von {p}",
                   "Penulis: {p}"],
        "date": ["Senin, 15 September 2023 10:12 WIB", "September 15, 2023", "15.09.2023, 10:12 Uhr",
                 "Updated: 15 Sep 2023 10:12 GMT", "Jumat, 15 Sep 2023 - 08:00"],
        "tags": ["Tags: {h}", "Tag: {h}", "Topik: {h}", "Schlagworte: {h}"],
        "comments": ["{n} comments", "Comments", "Leave a comment", "Komentar", "Kommentare ({n})"],
    },
    "heldout": {
        "sections": ["Metropolitan", "Hukum", "Business", "Science", "Panorama", "Deportes",
                     "Cultura", "Gaya Hidup", "Otomotif", "Regional", "Feuilleton", "Economía"],
        "ago": ["{n} minggu yang lalu", "{n} minutes ago", "{n} hrs ago", "vor {n} Tagen",
                "il y a {n} jours", "hace {n} días", "há {n} horas", "{n} ore fa"],
        "read_also": ["Baca Juga: {h}", "See also: {h}", "Mehr zum Thema: {h}", "Lihat juga: {h}",
                      "Berita Terkait: {h}", "Lee también: {h}", "Leggi anche: {h}",
                      "Related: {h}"],
        "share": ["Share", "Bagikan:", "Share via WhatsApp", "Sign up for our daily briefing",
                  "Follow us on Instagram", "Folgen Sie uns auf Facebook", "Berlangganan newsletter",
                  "Condividi su Facebook", "Compartilhe", "Share this story"],
        "credit": ["Foto: Dok. {p}", "Photo: {p}/Reuters", "Ilustrasi: {p}", "Bild: imago/{p}",
                   "Foto ilustrasi: Istimewa", "Fotografía: EFE/{p}"],
        "copyright": ["Copyright {y} {s}. All rights reserved.", "(c) {y} {s}",
                      "© Copyright {s} {y}", "Hak Cipta Dilindungi Undang-Undang"],
        "cookie": ["This site uses cookies. Accept and close",
                   "Kami menggunakan kuki untuk pengalaman terbaik. Setuju",
                   "Nous utilisons des cookies. Accepter",
                   "By using this site you consent to our use of cookies and our privacy policy."],
        "menu": ["Home", "Terkini", "Terpopuler", "Video", "Foto", "Indeks", "Contact",
                 "Advertise", "Karir", "Pedoman Media Siber", "Redaksi", "Datenschutz"],
        "byline": ["Written by {p}", "Penulis : {p}", "Editor : {p}", "Por {p}", "Par {p}",
                   "Reporting by {p}; Editing by {p}"],
        "date": ["Kamis, 14 September 2023 | 21:05 WIB", "Sep 14, 2023 9:05 pm ET",
                 "14 septembre 2023 à 21h05", "14/09/2023 21:05", "Published 14 September 2023"],
        "tags": ["Topics: {h}", "Tags {h}", "Themen: {h}", "Etiquetas: {h}"],
        "comments": ["Show comments", "{n} Komentar", "Comment on this story", "Comentarios"],
    },
}

PEOPLE = ["Andi Saputra", "Jane Smith", "Max Müller", "Rina Wulandari", "Carlos Pérez",
          "Marie Dubois", "Tom Baker", "Dewi Lestari"]
SITES = ["Kabar Media", "Daily Courier", "Nachrichten GmbH", "Warta Nusantara", "El Diario"]


def split(doc_id: str) -> str:
    """Which part an article belongs to: a quarter of the ids are held out."""
    digest = hashlib.sha1(doc_id.encode()).digest()
    return "heldout" if digest[0] % 4 == 0 else "dev"


def _headline(rng, story_lines):
    """A short headline-like phrase built from words of another story."""
    words = rng.choice(story_lines).split()
    start = rng.randrange(0, max(1, len(words) - 8))
    return " ".join(words[start:start + rng.randint(4, 9)]).strip(" ,.;:").capitalize()


def build_case(doc_id, body, other_bodies, part):
    """Returns [(line, is_story)] for one article."""
    rng = random.Random(doc_id)
    pool = POOLS[part]
    story = [p.strip() for p in body.split("\n") if p.strip()]
    others = [p.strip() for b in other_bodies for p in b.split("\n") if len(p.split()) > 8]
    fill = {
        "n": lambda: str(rng.randint(1, 23)),
        "p": lambda: rng.choice(PEOPLE),
        "y": lambda: str(rng.randint(2015, 2025)),
        "s": lambda: rng.choice(SITES),
        "h": lambda: _headline(rng, others),
    }

    def make(kind):
        template = rng.choice(pool[kind])
        out = template
        for key, gen in fill.items():
            while "{" + key + "}" in out:
                out = out.replace("{" + key + "}", gen(), 1)
        return out

    lines = []
    # Header: some menu items, maybe a byline and date (furniture: kept apart from the body).
    if rng.random() < 0.6:
        for item in rng.sample(pool["menu"], rng.randint(2, 6)):
            lines.append((item, False))
    if rng.random() < 0.5:
        lines.append((make("credit"), False))
    if rng.random() < 0.6:
        lines.append((make("byline"), False))
    if rng.random() < 0.6:
        lines.append((make("date"), False))
    if rng.random() < 0.3:
        lines.append((make("share"), False))
    # The story, with inline "read also" lines and credits.
    for index, paragraph in enumerate(story):
        lines.append((paragraph, True))
        if 0 < index < len(story) - 1 and rng.random() < 0.12:
            lines.append((make(rng.choice(["read_also", "read_also", "credit"])), False))
    # The tail.
    tail_kinds = ["share", "tags", "comments", "related_ago", "related_plain", "copyright",
                  "cookie", "menu"]
    for kind in rng.sample(tail_kinds, rng.randint(2, 6)):
        if kind == "related_ago":
            for _ in range(rng.randint(2, 8)):
                if rng.random() < 0.5:
                    lines.append((f"{rng.choice(pool['sections'])} | {make('ago')}", False))
                else:
                    lines.append((_headline(rng, others), False))
                    lines.append((make("ago"), False))
        elif kind == "related_plain":
            for _ in range(rng.randint(2, 6)):
                lines.append((_headline(rng, others), False))
        elif kind == "menu":
            for item in rng.sample(pool["menu"], rng.randint(2, 5)):
                lines.append((item, False))
        else:
            lines.append((make(kind), False))
    return lines


def build_cases(ground_truth):
    """{doc_id: (part, [(line, is_story)])} for every AEB article, deterministic."""
    ids = sorted(ground_truth)
    cases = {}
    for i, doc_id in enumerate(ids):
        part = split(doc_id)
        # Related headlines come from other articles of the same part.
        neighbours = [ids[(i + k) % len(ids)] for k in range(1, 12)]
        neighbours = [n for n in neighbours if split(n) == part][:4] or neighbours[:2]
        other_bodies = [ground_truth[n].get("articleBody", "") for n in neighbours]
        body = ground_truth[doc_id].get("articleBody", "")
        if not body.strip():
            continue
        cases[doc_id] = (part, build_case(doc_id, body, other_bodies, part))
    return cases
