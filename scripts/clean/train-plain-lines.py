#!/usr/bin/env python3
"""Trains the whole-page plain-text line model (services/kabar-pipeline/data/clean/plain-lines.json).

Reads the rendered development pages of build-plaintext-dev.py (target/plaintext-dev/
plaintext-<set>-<renderer>.jsonl: AEB, readability and trafilatura pages rendered by w3m, lynx
and a DOM text dump, each line labelled story or not; trafilatura's lines only where they hold
one of its snippets), computes every line's features with the `plain_line_features` example
(the very code the cleaner runs), and fits gradient-boosted trees (or, `--kind linear`, a
logistic regression) on the lines of the `--train` sets, all three renderers pooled.

The decoder's two thresholds (a line adds `p - threshold` to the story run; inside the run a
line under `inner_threshold` goes) are chosen on the training sets only, from out-of-fold
probabilities (3 folds by page), maximising line F1 pooled over the training renderings. The
`--held-out` sets are then scored once, per renderer, with the decoder replayed here (the
figures `eval-clean.py --only pages` gives with the built binary are the ones to quote; they
should agree). Nothing about a held-out set is used to fit or choose anything. Seeded: the
same data gives the same model.

  python3 -m venv target/venv-lines && target/venv-lines/bin/pip install numpy scikit-learn
  python3 scripts/clean/build-plaintext-dev.py
  target/venv-lines/bin/python scripts/clean/train-plain-lines.py \\
      --train aeb trafilatura --held-out readability --write
  # the other round of leave-one-set-out (figures only, nothing written):
  target/venv-lines/bin/python scripts/clean/train-plain-lines.py \\
      --train readability trafilatura --held-out aeb
"""

import argparse
import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402

SEED = 20261201
RENDERERS = ("w3m", "lynx", "dom")
MODEL_PATH = Path(kabar_scripts.ROOT) / "services" / "kabar-pipeline" / "data" / "clean" / "plain-lines.json"


def feature_names(example):
    out = subprocess.run([example, "--names"], capture_output=True, check=True, text=True)
    return json.loads(out.stdout)


def load_pages(example, pages_dir, set_name):
    """[(renderer, page id, labels, features)] of a set; features[i] is None for empty lines."""
    pages = []
    for renderer in RENDERERS:
        path = pages_dir / f"plaintext-{set_name}-{renderer}.jsonl"
        if not path.exists():
            sys.exit(f"{path} missing: run scripts/clean/build-plaintext-dev.py")
        with open(path, "rb") as handle:
            proc = subprocess.run([example], stdin=handle, capture_output=True, check=True)
        rows = kabar_scripts.read_jsonl(str(path))
        vectors = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]
        for row, vector in zip(rows, vectors, strict=True):
            labels = [label for _, label in row["lines"]]
            pages.append((renderer, row["id"], labels, vector["features"]))
    return pages


def matrix(pages, names):
    """X, y and page index of every labelled, non-empty line."""
    xs, ys, groups = [], [], []
    for index, (_, _, labels, features) in enumerate(pages):
        for label, vector in zip(labels, features):
            if label is None or vector is None:
                continue
            xs.append(vector)
            ys.append(1 if label else 0)
            groups.append(index)
    x = np.asarray(xs, dtype=np.float32).reshape(-1, len(names))
    return x, np.asarray(ys), np.asarray(groups)


def page_matrix(page, names):
    """X of every non-empty line of a page, and their line indices."""
    _, _, _, features = page
    present = [i for i, v in enumerate(features) if v is not None]
    x = np.asarray([features[i] for i in present], dtype=np.float32).reshape(-1, len(names))
    return x, present


def fit(kind, x, y):
    if kind == "linear":
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-6] = 1.0
        model = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED)
        model.fit((x - mean) / scale, y)
        return ("linear", model, mean, scale)
    model = GradientBoostingClassifier(n_estimators=200, max_depth=4, learning_rate=0.1,
                                       subsample=0.5, min_samples_leaf=20, random_state=SEED)
    model.fit(x, y)
    return ("trees", model, None, None)


def predict(fitted, x):
    kind, model, mean, scale = fitted
    if len(x) == 0:
        return np.zeros(0)
    if kind == "linear":
        return model.predict_proba((x - mean) / scale)[:, 1]
    return model.predict_proba(x)[:, 1]


def decode(probabilities, features, names, threshold, inner_threshold, model_decides=()):
    """Kept (True) per line, as `clean::plain::mark_story` decides (None lines: not kept). The
    furniture rules' verdicts stand, but for the rules in `model_decides` inside the run; a page
    whose best run does not sum above zero falls back to the cleaner's older rules, which this
    replay does not have: it keeps no line there."""
    rule_columns = [names.index(n) for n in names if n.startswith("rule_")
                    and n.removeprefix("rule_") not in model_decides]
    comment = names.index("comment_start")
    layout = names.index("layout")
    n = len(features)
    best, best_sum, start, total = (0, 0), 0.0, 0, 0.0
    for i in range(n):
        p = probabilities[i]
        if p is None:
            continue
        if total <= 0.0:
            start, total = i, 0.0
        total += p - threshold
        if total > best_sum:
            best_sum, best = total, (start, i)
    kept = [False] * n
    if best_sum <= 0.0:
        return kept
    first = next((i for i in range(best[0], best[1] + 1)
                  if probabilities[i] is not None and probabilities[i] >= threshold), None)
    end = best[1]
    if first is not None:
        cut = next((i for i in range(first + 1, best[1] + 1)
                    if features[i] is not None and features[i][comment] > 0.5), None)
        if cut is not None:
            end = cut - 1
    for i in range(best[0], end + 1):
        f = features[i]
        if f is None:
            continue
        if any(f[c] > 0.5 for c in rule_columns) or f[layout] > 0.5:
            continue
        kept[i] = probabilities[i] >= inner_threshold
    return kept


def page_probabilities(fitted, page, names):
    x, present = page_matrix(page, names)
    probabilities = [None] * len(page[3])
    for i, p in zip(present, predict(fitted, x)):
        probabilities[i] = float(p)
    return probabilities


def score(pages, probabilities, names, threshold, inner_threshold, model_decides=()):
    """{renderer: [kept story, kept, story]} over labelled lines."""
    counts = collections.defaultdict(lambda: [0, 0, 0])
    for page, probs in zip(pages, probabilities):
        kept = decode(probs, page[3], names, threshold, inner_threshold, model_decides)
        c = counts[page[0]]
        for label, is_kept in zip(page[2], kept):
            if label is None:
                continue
            c[0] += is_kept and label
            c[1] += is_kept
            c[2] += bool(label)
    return counts


def prf(kept_story, kept, story):
    p, r = kept_story / max(1, kept), kept_story / max(1, story)
    return p, r, 2 * p * r / max(1e-9, p + r)


def pooled_f1(counts):
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return prf(*total)[2]


def out_of_fold(kind, pages, names, folds=3):
    """Each page's probabilities from a model fitted without its page id (all renderings of a
    page fall in one fold)."""
    ids = sorted({page[1] for page in pages})
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(ids))
    fold_of = {ids[j]: k % folds for k, j in enumerate(order)}
    probabilities = [None] * len(pages)
    for fold in range(folds):
        train = [p for p in pages if fold_of[p[1]] != fold]
        x, y, _ = matrix(train, names)
        fitted = fit(kind, x, y)
        for index, page in enumerate(pages):
            if fold_of[page[1]] == fold:
                probabilities[index] = page_probabilities(fitted, page, names)
        print(f"  fold {fold + 1}/{folds} fitted on {len(x)} lines", file=sys.stderr)
    return probabilities


def export(fitted, names, threshold, inner_threshold):
    kind, model, mean, scale = fitted
    out = {"features": names, "threshold": threshold, "inner_threshold": inner_threshold}
    if kind == "linear":
        out.update(bias=float(model.intercept_[0]), mean=[float(v) for v in mean],
                   scale=[float(v) for v in scale], weights=[float(v) for v in model.coef_[0]])
        return out
    prior = float(model.init_.class_prior_[1])
    trees = []
    for estimator in model.estimators_[:, 0]:
        tree = estimator.tree_
        trees.append({
            "feature": [int(f) for f in tree.feature],
            "threshold": [float(t) for t in tree.threshold],
            "left": [int(c) for c in tree.children_left],
            "right": [int(c) for c in tree.children_right],
            "value": [round(float(v), 6) for v in tree.value[:, 0, 0]],
        })
    out.update(bias=float(np.log(prior / (1 - prior))), learning_rate=float(model.learning_rate),
               trees=trees)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=Path, default=Path(kabar_scripts.target_dir()) / "plaintext-dev")
    parser.add_argument("--train", nargs="+", default=["aeb", "trafilatura"])
    parser.add_argument("--held-out", nargs="+", default=["readability"])
    parser.add_argument("--kind", choices=["trees", "linear"], default="trees")
    parser.add_argument("--model-decides", nargs="*", default=[], choices=["byline", "dateline"],
                        help="furniture rules the model overrules inside the story's run")
    parser.add_argument("--write", action="store_true", help=f"write the model to {MODEL_PATH}")
    args = parser.parse_args()
    if set(args.train) & set(args.held_out):
        sys.exit("a set cannot be both trained on and held out")
    example = kabar_scripts.build_example("plain_line_features")
    names = feature_names(example)
    train_pages = [p for s in args.train for p in load_pages(example, args.pages, s)]

    print(f"choosing thresholds on out-of-fold probabilities of {'+'.join(args.train)}", file=sys.stderr)
    oof = out_of_fold(args.kind, train_pages, names)
    best = None
    for threshold in np.arange(0.2, 0.75, 0.05):
        for inner in np.arange(0.0, threshold + 1e-9, 0.05):
            f1 = pooled_f1(score(train_pages, oof, names, threshold, inner, args.model_decides))
            if best is None or f1 > best[0]:
                best = (f1, round(float(threshold), 2), round(float(inner), 2))
    f1, threshold, inner = best
    print(f"thresholds {threshold} / inner {inner}: out-of-fold line F1 {f1:.4f} on "
          f"{'+'.join(args.train)} (tuned on)")
    counts = score(train_pages, oof, names, threshold, inner, args.model_decides)
    for renderer in RENDERERS:
        p, r, f = prf(*counts[renderer])
        print(f"tuned on {'+'.join(args.train)}-{renderer:5} out-of-fold line P={p:.4f} R={r:.4f} F1={f:.4f}")
    x, y, _ = matrix(train_pages, names)
    fitted = fit(args.kind, x, y)
    print(f"fitted on {len(x)} lines ({int(y.sum())} story) of {'+'.join(args.train)}", file=sys.stderr)

    for set_name in args.held_out:
        pages = load_pages(example, args.pages, set_name)
        probabilities = [page_probabilities(fitted, page, names) for page in pages]
        counts = score(pages, probabilities, names, threshold, inner, args.model_decides)
        for renderer in RENDERERS:
            p, r, f = prf(*counts[renderer])
            print(f"held out {set_name}-{renderer:5} line P={p:.4f} R={r:.4f} F1={f:.4f} "
                  f"({counts[renderer][2]} story lines)")
        total = [sum(c[i] for c in counts.values()) for i in range(3)]
        p, r, f = prf(*total)
        print(f"held out {set_name} (all renderings) line P={p:.4f} R={r:.4f} F1={f:.4f}")

    if args.write:
        model = export(fitted, names, threshold, inner)
        model["model_decides"] = args.model_decides
        MODEL_PATH.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
