#!/usr/bin/env python3
"""Fit the acceptance model (resources/acceptance.json) on generated scans of tuning writers.

    python tools/fit_acceptance.py collect --pool tuning --forms 16 --seed 101 --out DIR
    python tools/fit_acceptance.py collect --pool held-out --forms 16 --seed 301 --out DIR
    python tools/fit_acceptance.py fit DIR... [--out resources/acceptance.json] [--max-silent 0.0005]

``collect`` generates typed and hand-printed forms (cisr_desk.synth), the hand-printed ones by
the writers of one pool (cisr_desk.synth.writers), reads them with the acceptance model switched
off, and writes one line per field: its features, whether the reading is right, the hand-set
review decision, the form's writer and the part the field belongs to.

Parts, fixed by name so that every run splits the same way and a hand is never in two parts:

- ``fit``: tuning writers whose hand's name hashes even (sha256), and typed forms likewise by
  file and pages; the logistic regression (numpy) is fitted on these;
- ``threshold``: the other tuning hands (and typed forms); the accept threshold is chosen on
  these so that wrong readings accepted silently stay within ``--max-silent`` of their fields;
- ``held-out``: every field of a set collected with ``--pool held-out``; never used to fit or
  to choose anything, only reported, as hands the model has never seen.

``fit`` prints the weights, a calibration table on the threshold part, and for each part the
review and silent rates with the hand-set line and with the model; then writes the model.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cisr_desk.capture import acceptance  # noqa: E402

PARTS = ("fit", "threshold", "held-out")


def _even(name: str) -> bool:
    return hashlib.sha256(name.encode("utf-8")).digest()[0] % 2 == 0


def part_of(writer: str | None, form_id: str) -> str:
    """The part a form's fields belong to: by its writer's hand (the name before '#') and pool,
    or, for a typed form, by its file and pages."""
    from cisr_desk.synth import writers

    if writer:
        if writers.pool_of(writer) != "tuning":
            return "held-out"
        return "fit" if _even(writer.rsplit("#", 1)[0]) else "threshold"
    return "fit" if _even(form_id) else "threshold"


def collect(pool: str, forms: int, seed: int, out: Path) -> Path:
    from tools.bench import same

    from cisr_desk.capture.pipeline import extract_files
    from cisr_desk.domain.registry import Registry
    from cisr_desk.paths import demo_registry
    from cisr_desk.synth import generate_set

    acceptance._cached[str(acceptance.MODEL_PATH)] = None  # the hand-set line: the "before"
    truth_path = out / "truth.json"
    if not truth_path.exists():  # a set already generated here is read again as it is
        truth_path = generate_set(out, forms, seed, styles=("typed", "hand"), workers=1, writer_pool=pool)
    truth = json.loads(truth_path.read_text())
    if truth.get("writers") != pool:
        raise SystemExit(f"{out} holds a set of the {truth.get('writers')} pool, not {pool}")
    registry = Registry.load(demo_registry())
    docs = {Path(d.source).name: d for d in extract_files(sorted(out.glob("*.pdf")), registry=registry, workers=1)}
    types = {tid: t["fields"] for tid, t in truth["templates"].items()}
    lines = []
    for tf in truth["files"]:
        by_pages = {frozenset(f.pages): f for f in docs[tf["file"]].forms}
        for form in tf["forms"]:
            rf = by_pages.get(frozenset(form["pages"]))
            writer = form.get("writer")
            # A typed form of a held-out set is kept out of fitting too: the whole set is held out.
            part = "held-out" if pool == "held-out" else part_of(writer, f"{seed}:{tf['file']}:{form['pages']}")
            for key, tv in form["fields"].items():
                ftype = types[form["template"]].get(key, "text")
                got = rf.fields.get(key) if rf else None
                ok = got is not None and same(ftype, tv, got.value)
                lines.append({"part": part, "pool": pool, "writer": writer, "seed": seed, "style": form["style"],
                              "type": ftype, "key": key, "right": bool(ok),
                              "old_review": bool(got.review) if got else True,
                              "features": got.features if got else {}})
    path = out / "features.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    print(f"{pool} seed {seed}: {len(lines)} fields -> {path}")
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


def split(rows: list[dict]) -> dict[str, list[dict]]:
    """Rows by part; a held-out writer's field can only ever land in the held-out part."""
    from cisr_desk.synth import writers

    parts: dict[str, list[dict]] = {p: [] for p in PARTS}
    for row in rows:
        part = row["part"]
        if row.get("pool") == "held-out" or (row.get("writer") and writers.pool_of(row["writer"]) != "tuning"):
            part = "held-out"
        parts[part].append(row)
    return parts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--pool", choices=("tuning", "held-out"), required=True)
    c.add_argument("--forms", type=int, default=16)
    c.add_argument("--seed", type=int, required=True)
    c.add_argument("--out", type=Path, required=True)
    f = sub.add_parser("fit")
    f.add_argument("dirs", type=Path, nargs="+", help="folders written by collect (either pool)")
    f.add_argument("--out", type=Path, default=acceptance.MODEL_PATH)
    # Half the 0.1 % goal: the threshold part is a few thousand fields (one error is 0.04 %), and
    # the goal is for hands never seen. At 0.001 a refit on 2026-11-29 took a threshold that kept
    # the threshold part at 0.07 % and let 0.40 % through on the held-out writers.
    f.add_argument("--max-silent", type=float, default=0.0005)
    args = ap.parse_args()
    if args.cmd == "collect":
        collect(args.pool, args.forms, args.seed, args.out)
        return 0
    from cisr_desk.synth import writers

    parts = split(load(args.dirs))
    fit_rows, thr_rows = parts["fit"], parts["threshold"]
    if not fit_rows or not thr_rows:
        raise SystemExit("need tuning-pool sets with fields in both the fit and the threshold part")
    train = [r for r in fit_rows if r["features"]]
    model = acceptance.fit([r["features"] for r in train], [r["right"] for r in train])
    judged = [r for r in thr_rows if r["features"] and not forced(r)]
    probs = [model.probability(r["features"]) for r in judged]
    # The silent budget is shared with the fields the model does not judge (marks, digital).
    others = sum(1 for r in thr_rows if not r["features"] and not r["right"] and not r["old_review"])
    allowed = max(0.0, args.max_silent - others / len(thr_rows))
    model.threshold = acceptance.choose_threshold(probs, [r["right"] for r in judged], len(thr_rows), allowed)
    hands = {p: sorted({r["writer"].rsplit("#", 1)[0] for r in rows if r.get("writer")}) for p, rows in parts.items()}
    model.meta = {"fitted_on": "generated scans (cisr_desk.synth), typed and hand-printed, tuning writers only",
                  "fit_hands": hands["fit"], "threshold_hands": hands["threshold"],
                  # never fitted or tuned on (the generator's held-out pool); reported only
                  "held_out_writers": sorted({w.hand.name for w in writers.pool("held-out")}),
                  "fit_fields": len(train), "threshold_fields": len(thr_rows), "max_silent": args.max_silent}
    print(f"fitted on {len(train)} readings ({len(fit_rows)} fields); threshold {model.threshold:.4f} "
          f"chosen on {len(judged)} readings ({len(thr_rows)} fields)")
    for p in PARTS:
        print(f"{p} hands: {', '.join(hands[p]) or '-'}")
    print("weights: " + ", ".join(f"{k} {v:+.2f}" for k, v in model.weights.items()) + f", bias {model.bias:+.2f}")
    print("calibration on the threshold part (probability bin: readings, right):")
    bins: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for p, r in zip(probs, judged):
        b = bins[min(9, int(p * 10))]
        b[0] += 1
        b[1] += r["right"]
    for b in sorted(bins):
        n, ok = bins[b]
        print(f"  {b / 10:.1f}-{(b + 1) / 10:.1f}: {n:5d} readings, {100 * ok / n:6.2f}% right")
    for title in PARTS:
        rows = parts[title]
        if not rows:
            continue
        print(f"{title} part{' (evaluation only)' if title == 'held-out' else ''}:")
        report("before (hand-set line)", rows, None)
        report("after (model)", rows, model)
    model.save(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
