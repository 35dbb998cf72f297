"""Interface strings for TRAINING the language tables, read from Debian's Mozilla language packs
and gettext catalogues, and cleaned: shared by build-idms-train.py, build-idms-gettext-train.py
and build-ui-train.py. The test sets are read and cleaned by test_strings.py: never mix the two.
"""

import gzip
import io
import re
import subprocess
import sys
import tarfile
import zipfile

PLACEHOLDER = re.compile(
    r"\{[^{}]*\}|%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?[hlLqjzt]*[a-zA-Z%]|#\d|\$\w+|<[^>]*>|&[a-zA-Z#0-9]+;|\\n|\\u[0-9a-fA-F]{4}"
)
ENGLISH_MARGIN = 1.0
ENGLISH_SHARE = 0.4


def zipf_lists(wheel, codes=("en", "ms", "id")):
    """{code: {word: zipf}} from wordfreq's small lists (msgpack: one list of words per centibel)."""
    import msgpack  # only needed for building

    out = {}
    with zipfile.ZipFile(wheel) as z:
        for code in codes:
            data = msgpack.unpackb(gzip.decompress(z.read(f"wordfreq/data/small_{code}.msgpack.gz")), raw=False)
            out[code] = {word: 9 - i / 100 for i, bin_words in enumerate(data[1:]) for word in bin_words}
    return out


def parse(name, text):
    out = {}
    if name.endswith(".properties"):
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                out[key.strip()] = value.strip()
    elif name.endswith(".dtd"):
        for key, value in re.findall(r'<!ENTITY\s+(\S+)\s+"([^"]*)"', text):
            out[key] = value
    elif name.endswith(".ftl"):
        current = None
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            m = re.match(r"^([a-zA-Z][\w-]*)\s*=\s*(.*)$", line)
            if m:
                current = m.group(1)
                if m.group(2).strip():
                    out[current] = m.group(2).strip()
                continue
            m = re.match(r"^\s+\.([\w-]+)\s*=\s*(.*)$", line)
            if m and current:
                out[f"{current}.{m.group(1)}"] = m.group(2).strip()
    return out


def deb_strings(path):
    """(app, locale, {(file, key): text}) of one language-pack .deb."""
    tar_bytes = subprocess.run(["dpkg-deb", "--fsys-tarfile", path], stdout=subprocess.PIPE, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for member in tar.getmembers():
            m = re.search(r"langpack-([\w-]+)@(firefox|thunderbird)", member.name)
            if not (m and member.name.endswith(".xpi")):
                continue
            locale, app = m.group(1), m.group(2)
            strings = {}
            with zipfile.ZipFile(io.BytesIO(tar.extractfile(member).read())) as xpi:
                for name in xpi.namelist():
                    if name.endswith((".ftl", ".properties", ".dtd")):
                        generic = name.replace(f"/{locale}/", "/L/")
                        for key, value in parse(name, xpi.read(name).decode("utf-8", "replace")).items():
                            strings[(generic, key)] = value
            return app, locale, strings
    sys.exit(f"{path}: no language pack inside")


def clean(text):
    text = PLACEHOLDER.sub(" ", text).replace("&", "").replace("\\'", "'")
    return re.sub(r"\s+", " ", text).strip(" :.,;")


def letters(text):
    return sum(ch.isalpha() for ch in text)


def english_share(text, lists):
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return 0.0
    english = sum(
        lists["en"].get(w, 0.0) - max(lists["ms"].get(w, 0.0), lists["id"].get(w, 0.0)) >= ENGLISH_MARGIN
        for w in words
    )
    return english / len(words)
