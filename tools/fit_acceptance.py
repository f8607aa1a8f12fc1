#!/usr/bin/env python3
"""Fit the acceptance model (resources/acceptance.json) on generated scans, writers held out.

    python tools/fit_acceptance.py collect --part fit --forms 16 --seed 101 --out DIR
    python tools/fit_acceptance.py fit --fit DIR... --held DIR... [--out resources/acceptance.json]

``collect`` generates typed and hand-printed forms (cisr_desk.synth), the hand-printed ones
in the handwriting fonts of one part only — ``fit``: Dkg, Dkg Bold, Comic Neue Regular and
Light; ``held``: Breip and Comic Neue Italic, writers the model never sees while fitting —
reads them with the acceptance model switched off, and writes one line per field: its
features, whether the reading is right, and the hand-set review decision.

``fit`` fits a logistic regression (numpy) on the fit part, chooses the accept threshold on
the held-out part so that wrong readings accepted silently stay within 0.1 % of its fields,
prints a calibration table and the review and silent rates before and after, and writes the
model.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cisr_desk.capture import acceptance  # noqa: E402

WRITERS = {
    "fit": ("fifthhorseman/dkg.ttf", "fifthhorseman/dkgBd.ttf", "ComicNeue-Regular", "ComicNeue-Light"),
    "held": ("breip/Breip.ttf", "ComicNeue-Italic"),
}


def _use_writers(part: str) -> None:
    """Restrict the generator's hand-printing fonts to one part's writers (read-only use of
    cisr_desk.synth: its font list is narrowed for this process only)."""
    from cisr_desk.synth import ink

    chosen = tuple(p for p in ink.HAND_PATTERNS if any(w in p for w in WRITERS[part]))
    if not chosen:
        raise SystemExit(f"none of the {part} handwriting fonts is installed")
    ink.HAND_PATTERNS = chosen
    ink.hand_fonts.cache_clear()


def collect(part: str, forms: int, seed: int, out: Path) -> Path:
    from tools.bench import same

    from cisr_desk.capture.pipeline import extract_files
    from cisr_desk.domain.registry import Registry
    from cisr_desk.paths import demo_registry
    from cisr_desk.synth import generate_set

    _use_writers(part)
    acceptance._cached[str(acceptance.MODEL_PATH)] = None  # the hand-set line: the "before"
    truth_path = out / "truth.json"
    if not truth_path.exists():  # a set already generated here is read again as it is
        truth_path = generate_set(out, forms, seed, styles=("typed", "hand"), workers=1)
    truth = json.loads(truth_path.read_text())
    registry = Registry.load(demo_registry())
    docs = {Path(d.source).name: d for d in extract_files(sorted(out.glob("*.pdf")), registry=registry, workers=1)}
    types = {tid: t["fields"] for tid, t in truth["templates"].items()}
    lines = []
    for tf in truth["files"]:
        by_pages = {frozenset(f.pages): f for f in docs[tf["file"]].forms}
        for form in tf["forms"]:
            rf = by_pages.get(frozenset(form["pages"]))
            for key, tv in form["fields"].items():
                ftype = types[form["template"]].get(key, "text")
                got = rf.fields.get(key) if rf else None
                ok = got is not None and same(ftype, tv, got.value)
                lines.append({"part": part, "seed": seed, "style": form["style"], "type": ftype, "key": key,
                              "right": bool(ok), "old_review": bool(got.review) if got else True,
                              "features": got.features if got else {}})
    path = out / "features.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    print(f"{part} seed {seed}: {len(lines)} fields -> {path}")
    return path


def load(dirs: list[Path]) -> list[dict]:
    rows = []
    for d in dirs:
        p = d / "features.jsonl" if d.is_dir() else d
        rows += [json.loads(line) for line in p.read_text().splitlines() if line.strip()]
    return rows


def forced(row: dict) -> bool:
    """Reviewed whatever the model says: a broken rule or a malformed value."""
    f = row["features"]
    return bool(f.get("rule")) or not f.get("format_ok", 1.0)


def decide(model: acceptance.AcceptanceModel | None, row: dict) -> bool:
    """The review decision for a row: the model's where it judges, else the hand-set one."""
    if model is None or not row["features"]:
        return row["old_review"]
    return forced(row) or not model.accepts(row["features"])


def report(title: str, rows: list[dict], model) -> None:
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        review = decide(model, row)
        for g in ("all", f"style:{row['style']}", f"type:{row['type']}"):
            t = groups[g]
            t[0] += 1
            t[1] += row["right"]
            t[2] += review
            t[3] += (not row["right"]) and not review
    a, h = groups["all"], groups.get("style:hand", [1, 0, 0, 0])
    print(f"  {title}: right {100 * a[1] / a[0]:.2f}% | review {100 * a[2] / a[0]:.2f}% "
          f"(hand {100 * h[2] / max(1, h[0]):.2f}%) | silent {100 * a[3] / a[0]:.3f}% ({a[3]} of {a[0]})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--part", choices=sorted(WRITERS), required=True)
    c.add_argument("--forms", type=int, default=16)
    c.add_argument("--seed", type=int, required=True)
    c.add_argument("--out", type=Path, required=True)
    f = sub.add_parser("fit")
    f.add_argument("--fit", type=Path, nargs="+", required=True)
    f.add_argument("--held", type=Path, nargs="+", required=True)
    f.add_argument("--out", type=Path, default=acceptance.MODEL_PATH)
    f.add_argument("--max-silent", type=float, default=0.001)
    args = ap.parse_args()
    if args.cmd == "collect":
        collect(args.part, args.forms, args.seed, args.out)
        return 0
    fit_rows, held_rows = load(args.fit), load(args.held)
    train = [r for r in fit_rows if r["features"]]
    model = acceptance.fit([r["features"] for r in train], [r["right"] for r in train])
    judged = [r for r in held_rows if r["features"] and not forced(r)]
    probs = [model.probability(r["features"]) for r in judged]
    # The silent budget is shared with the fields the model does not judge (marks, digital).
    budget_rows = len(held_rows)
    others = sum(1 for r in held_rows if not r["features"] and not r["right"] and not r["old_review"])
    allowed = max(0.0, args.max_silent - others / budget_rows)
    model.threshold = acceptance.choose_threshold(probs, [r["right"] for r in judged], budget_rows, allowed)
    model.meta = {"fitted_on": "generated scans (cisr_desk.synth), typed and hand-printed",
                  "fit_writers": list(WRITERS["fit"]), "held_out_writers": list(WRITERS["held"]),
                  "fit_fields": len(train), "held_fields": len(held_rows), "max_silent": args.max_silent}
    print(f"fitted on {len(train)} readings ({len(fit_rows)} fields); threshold {model.threshold:.4f} "
          f"chosen on {len(judged)} held-out readings ({len(held_rows)} fields)")
    print("weights: " + ", ".join(f"{k} {v:+.2f}" for k, v in model.weights.items()) + f", bias {model.bias:+.2f}")
    print("calibration on the held-out writers (probability bin: readings, right):")
    bins: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for p, r in zip(probs, judged):
        b = bins[min(9, int(p * 10))]
        b[0] += 1
        b[1] += r["right"]
    for b in sorted(bins):
        n, ok = bins[b]
        print(f"  {b / 10:.1f}-{(b + 1) / 10:.1f}: {n:5d} readings, {100 * ok / n:6.2f}% right")
    for title, rows in (("held-out writers", held_rows), ("fit writers", fit_rows)):
        print(f"{title}:")
        report("before (hand-set line)", rows, None)
        report("after (model)", rows, model)
    model.save(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
