"""CLI: ``python -m cisr_desk.synth --forms N --seed S --out DIR [--styles typed,hand] [--dpi 300] [--writers P]``."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cisr_desk.synth.generator import generate_set


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cisr_desk.synth",
                                 description="Generate realistic Form 14-941 test scans plus truth.json.")
    ap.add_argument("--forms", type=int, required=True, help="number of forms")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    ap.add_argument("--styles", default="typed,hand,digital", help="comma list of typed, hand, digital")
    ap.add_argument("--dpi", default="150,200,300,fax", help="comma list of 150, 200, 300, fax")
    ap.add_argument("--batch", default="1,6", help="min,max forms per scanned file")
    ap.add_argument("--no-faults", action="store_true", help="only clean forms")
    ap.add_argument("--writers", default="all", choices=("tuning", "held-out", "all"),
                    help="pool of the hand-printed forms' writers: tuning (for fitting), held-out (never fitted), "
                         "all (half each)")
    ap.add_argument("--workers", type=int, default=None, help="parallel processes (output is the same)")
    args = ap.parse_args(argv)
    styles = tuple(s.strip() for s in args.styles.split(",") if s.strip())
    bad = [s for s in styles if s not in ("typed", "hand", "digital")]
    if bad:
        ap.error(f"unknown style(s): {', '.join(bad)}")
    try:
        dpis = tuple("fax" if d.strip().lower() == "fax" else int(d) for d in args.dpi.split(",") if d.strip())
        lo, hi = (int(x) for x in args.batch.split(","))
    except ValueError as exc:
        ap.error(str(exc))
    t0 = time.perf_counter()
    truth = generate_set(args.out, args.forms, args.seed, styles=styles, dpis=dpis, batch_size=(lo, hi),
                         faults=not args.no_faults, workers=args.workers,
                         writer_pool=args.writers)
    print(f"{args.forms} forms -> {truth.parent} ({time.perf_counter() - t0:.1f} s); truth: {truth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
