"""The shared sample scans, where they are present (a user's clone has none: skipped)."""
import json

from cisr_desk.capture.pipeline import extract_files
from cisr_desk.domain.registry import Registry
from cisr_desk.paths import demo_registry


def test_samples_are_separated_and_flagged(samples_dir):
    truth = json.loads((samples_dir / "truth.json").read_text())
    registry = Registry.load(demo_registry())
    docs = {d.source: d for d in extract_files([samples_dir / f["file"] for f in truth["files"]],
                                                registry=registry, workers=2)}
    total = right = silent = 0
    for tf in truth["files"]:
        doc = docs[str(samples_dir / tf["file"])]
        assert sorted(map(sorted, (f.pages for f in doc.forms))) == sorted(map(sorted, (f["pages"] for f in tf["forms"])))
        by_pages = {tuple(sorted(f.pages)): f for f in doc.forms}
        for tform in tf["forms"]:
            form = by_pages[tuple(sorted(tform["pages"]))]
            assert form.template == tform["template"]
            if tform["expected_issues"]:
                assert form.issues, f"{tf['file']} {tform['pages']}: expected issues, none raised"
            for key, value in tform["fields"].items():
                got = form.fields[key]
                ok = str(got.value).casefold().replace(".", "").replace(",", "") == str(value).casefold().replace(".", "").replace(",", "")
                total += 1
                right += ok
                silent += (not ok) and not got.review
    assert right / total > 0.85
    assert silent / total < 0.02
