"""``cisr-desk calibrate [--db URL]``: refit the acceptance model from the site's reviewed records.

Every OCR'd field of a submitted, approved or exported record is a labelled example: the
features capture judged it by (stored with the field since schema 0005) and whether the clerk
kept what was read. A share of the records is held out; the model is fitted on the rest, its
accept threshold chosen on the held-out part so that wrong readings accepted silently stay
within --max-silent, and the review and silent rates before (the model in use) and after
(the refitted one) are printed for the held-out part. The model is written to the site's
model file (CISR_DESK_ACCEPTANCE, else acceptance.json in the data folder), where capture
finds it, unless --dry-run.
"""
from __future__ import annotations

import zlib
from pathlib import Path

from cisr_desk.cli.main import CliError
from cisr_desk.cli.workflow import _as, _cmd, _common


def register(sub) -> None:
    p = sub.add_parser("calibrate", parents=[_common()],
                       help="refit the acceptance model from the site's reviewed records")
    p.add_argument("--held-share", type=float, default=0.3, help="share of records held out (default 0.3)")
    p.add_argument("--max-silent", type=float, default=0.0005,
                   help="wrong readings accepted on the held part, at most (0.0005: half the 0.1%% goal, "
                        "as the part is small and the goal is for the forms to come)")
    p.add_argument("--min-readings", type=int, default=300, help="refuse to fit on fewer (default 300)")
    p.add_argument("--out", type=Path, help="where to write the model (default: the site's model file)")
    p.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    _as(p)
    p.set_defaults(func=_cmd(_calibrate))


def _held(record_id: int, share: float) -> bool:
    return zlib.crc32(str(record_id).encode()) % 1000 < share * 1000


def _rates(model, rows) -> tuple[float, float]:
    """(review rate, silent rate) of a model's decisions on rows (None: the hand-set line)."""
    review = silent = 0
    for r in rows:
        f = r["features"]
        forced = bool(f.get("rule")) or not f.get("format_ok", 1.0)
        if model is None:
            flagged = f.get("conf", 0.0) < 0.8 or f.get("reasons", 0.0) > 0 or forced
        else:
            flagged = forced or not model.accepts(f)
        review += flagged
        silent += (not r["right"]) and not flagged
    n = max(1, len(rows))
    return review / n, silent / n


def _calibrate(desk, args) -> int:
    from cisr_desk.capture import acceptance

    if desk.user(args.user).role not in ("supervisor", "admin"):
        raise CliError(f"{args.user} is a clerk; only a supervisor or admin may refit the acceptance model")
    rows, without = desk.reviewed_readings()
    print(f"{len(rows)} reviewed readings with features ({without} reviewed fields without: checkboxes, "
          f"signatures, and fields read before features were stored)")
    if len(rows) < args.min_readings:
        raise CliError(f"only {len(rows)} reviewed readings; at least {args.min_readings} are needed to refit")
    fit_rows = [r for r in rows if not _held(r["record"], args.held_share)]
    held_rows = [r for r in rows if _held(r["record"], args.held_share)]
    if not fit_rows or not held_rows or all(r["right"] for r in fit_rows):
        raise CliError("the reviewed records do not yet include both right and corrected readings on both parts")
    model = acceptance.fit([r["features"] for r in fit_rows], [r["right"] for r in fit_rows])
    judged = [r for r in held_rows if not (r["features"].get("rule") or not r["features"].get("format_ok", 1.0))]
    model.threshold = acceptance.choose_threshold([model.probability(r["features"]) for r in judged],
                                                  [r["right"] for r in judged], len(held_rows), args.max_silent)
    model.meta = {"fitted_on": "reviewed records of this site", "fit_readings": len(fit_rows),
                  "held_readings": len(held_rows), "max_silent": args.max_silent}
    current = acceptance.default_model()
    before, after = _rates(current, held_rows), _rates(model, held_rows)
    print(f"held-out part ({len(held_rows)} readings): review {100 * before[0]:.1f}% -> {100 * after[0]:.1f}%, "
          f"silent {100 * before[1]:.2f}% -> {100 * after[1]:.2f}% (threshold {model.threshold:.4f})")
    if args.dry_run:
        return 0
    out = args.out or acceptance.site_model_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    print(f"wrote {out}")
    return 0
