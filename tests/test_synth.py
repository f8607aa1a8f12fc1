"""The synthetic scan generator: truth shape, determinism, page counts, normal forms, digital widgets,
the writers' pools and the fonts reserved for independent checks.

Small sets at low resolution so the suite stays fast; the benchmark and demo data build on the
same code with larger sets.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

import pymupdf
import pytest

from cisr_desk.domain.catalog import FIELD_TYPES
from cisr_desk.domain.fields import FieldType, format_error
from cisr_desk.domain.template import load_templates
from cisr_desk.paths import demo_registry, forms_dir
from cisr_desk.synth import generate_set, writers
from cisr_desk.synth.rules import load_registry

ROOT = Path(__file__).resolve().parent.parent

ISSUES = {"request_none", "request_both_marked", "missing_required", "invalid_format", "sa_duplicate",
          "sa_address_missing", "drp_unregistered", "drp_not_active", "drp_no_agreement", "drp_name_mismatch",
          "drp_same_twice", "no_data_category", "history_multiple", "term_both", "term_end_before_start",
          "signature_missing", "sign_date_after_received", "signature_stale", "attachment_missing", "page_missing"}


@pytest.fixture(scope="module")
def small_set(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    return generate_set(out, 4, seed=11, dpis=(150, "fax"), batch_size=(1, 3))


@pytest.fixture(scope="module")
def truth(small_set) -> dict:
    return json.loads(small_set.read_text(encoding="utf-8"))


def test_truth_shape(truth):
    templates = load_templates(forms_dir())
    assert truth["count"] == 4
    assert set(truth["templates"]) == set(templates)
    for tid, tpl in templates.items():
        assert truth["templates"][tid]["pages"] == len(tpl.pages)
        assert truth["templates"][tid]["fields"] == {k: FIELD_TYPES[k].value for k in tpl.keys}
    forms = [f for entry in truth["files"] for f in entry["forms"]]
    assert len(forms) == 4
    for entry in truth["files"]:
        assert set(entry) >= {"file", "pages", "forms", "non_form_pages"}
        for form in entry["forms"]:
            assert set(form) == {"pages", "template", "style", "writer", "writer_pool", "dpi", "fax", "fields",
                                 "expected_issues", "meta"}
            assert (form["writer"] is not None) == (form["style"] == "hand")
            assert set(form["fields"]) == set(truth["templates"][form["template"]]["fields"])
            assert form["style"] in ("typed", "hand", "digital")
            assert (form["dpi"] is None) == (form["style"] == "digital")
            assert form["fax"] == (form["dpi"] == 204)
            assert set(form["expected_issues"]) <= ISSUES
            assert isinstance(form["meta"]["written"], dict)


def test_pages_match_pdfs(small_set, truth):
    for entry in truth["files"]:
        with pymupdf.open(small_set.parent / entry["file"]) as doc:
            assert len(doc) == entry["pages"]
            for page in doc:
                assert (round(page.rect.width), round(page.rect.height)) == (612, 792)
        used = [p for f in entry["forms"] for p in f["pages"]] + entry["non_form_pages"]
        assert sorted(used) == list(range(1, entry["pages"] + 1))


def test_scanned_pages_are_one_image(small_set, truth):
    for entry in truth["files"]:
        if entry["forms"][0]["style"] == "digital":
            continue
        with pymupdf.open(small_set.parent / entry["file"]) as doc:
            for page in doc:
                assert len(page.get_images()) == 1
                assert not page.get_text().strip()


def test_normal_forms_valid_for_clean_forms(truth):
    registry = load_registry(demo_registry())
    for entry in truth["files"]:
        for form in entry["forms"]:
            fields = form["fields"]
            for key, value in fields.items():
                ftype = FieldType(truth["templates"][form["template"]]["fields"][key])
                if ftype.is_mark:
                    assert isinstance(value, bool)
                else:
                    assert isinstance(value, str) and value == " ".join(value.split())
            if form["expected_issues"]:
                continue
            assert re.fullmatch(r"2\d{9}", fields["customer_account"])
            assert re.fullmatch(r"3\d{9}", fields["sa1_number"])
            assert re.fullmatch(r"\d{10}", fields["customer_phone"])
            assert re.fullmatch(r"\d{5}", fields["mailing_zip"])
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", fields["customer_sign_date"])
            assert fields["customer_signature"] is True
            prov = registry[fields["drp1_id"]]
            assert prov.status == "ACTIVE" and prov.agreement
            for key, value in fields.items():
                if isinstance(value, str) and value:
                    assert format_error(FIELD_TYPES[key], value, key) is None, (key, value)


def test_deterministic_for_seed(tmp_path):
    def digest(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}

    a = generate_set(tmp_path / "a", 3, seed=5, dpis=(150,), batch_size=(1, 3))
    b = generate_set(tmp_path / "b", 3, seed=5, dpis=(150,), batch_size=(1, 3), workers=2)
    assert a.read_text() == b.read_text()
    truth = json.loads(a.read_text())
    for entry in truth["files"]:  # the images too, not only the truth
        pa, pb = a.parent / entry["file"], b.parent / entry["file"]
        with pymupdf.open(pa) as da, pymupdf.open(pb) as db:
            for x, y in zip(da, db):
                assert x.get_images()[0][2:4] == y.get_images()[0][2:4]
                assert da.extract_image(x.get_images()[0][0])["image"] == db.extract_image(y.get_images()[0][0])["image"]
    c = generate_set(tmp_path / "c", 3, seed=6, dpis=(150,), batch_size=(1, 3))
    assert c.read_text() != a.read_text()


def test_digital_widgets_hold_values(tmp_path):
    truth_path = generate_set(tmp_path, 2, seed=3, styles=("digital",))
    truth = json.loads(truth_path.read_text())
    assert all(e["file"].startswith("digital-") for e in truth["files"])
    for entry in truth["files"]:
        form = entry["forms"][0]
        assert form["style"] == "digital" and form["dpi"] is None
        with pymupdf.open(tmp_path / entry["file"]) as doc:
            values = {w.field_name: w.field_value for page in doc for w in page.widgets()}
        written = form["meta"]["written"]
        for key, value in form["fields"].items():
            if key not in values or key.endswith("signature"):
                continue
            if isinstance(value, bool):
                assert (values[key] not in ("Off", "", False, None)) == value, key
            else:
                assert values[key] == written.get(key, ""), key


def test_faults_are_recorded(tmp_path):
    truth = json.loads(generate_set(tmp_path, 4, seed=2, dpis=(150,), styles=("typed",),
                                    faults=False).read_text())
    assert all(not f["expected_issues"] for e in truth["files"] for f in e["forms"])


def test_writer_pools_disjoint_and_fixed_by_name():
    tuning, held = set(writers.TUNING), set(writers.HELD_OUT)
    assert tuning and held and not tuning & held
    assert tuning | held == set(writers.roster())
    for name in tuning:
        assert writers.pool_of(name) == "tuning"
    for name in held:
        assert writers.pool_of(name) == "held-out"
    # a whole hand is in one pool: no held-out hand is ever seen in tuning
    assert not {writers.roster()[n].hand.name for n in tuning} & {writers.roster()[n].hand.name for n in held}
    again = writers._make_writer(writers.roster()[writers.TUNING[0]].hand, 1)
    assert again == writers.roster()[again.name]  # a writer's habits follow from the name alone


def test_truth_records_writer_and_tuning_never_draws_held_out(tmp_path):
    truth = json.loads(generate_set(tmp_path, 3, seed=21, styles=("hand",), dpis=(150,), batch_size=(3, 3),
                                    writer_pool="tuning").read_text())
    forms = [f for e in truth["files"] for f in e["forms"]]
    assert truth["writers"] == "tuning" and len(forms) == 3
    for form in forms:
        assert form["writer"] in writers.TUNING and form["writer_pool"] == "tuning"
    with pytest.raises(ValueError):
        generate_set(tmp_path / "x", 1, seed=1, writer_pool="everyone")


def test_planning_draws_only_from_the_pool_asked():
    templates = load_templates(forms_dir())
    registry = load_registry(demo_registry())
    from cisr_desk.synth.generator import plan_set

    for pool, names in (("tuning", writers.TUNING), ("held-out", writers.HELD_OUT)):
        files = plan_set(40, 3, ("hand",), (150,), (1, 6), True, templates, registry, pool)
        chosen = [i.writer for f in files for i in f.items if i.kind == "form"]
        assert len(chosen) == 40 and set(chosen) <= set(names)
    files = plan_set(40, 3, ("hand",), (150,), (1, 6), True, templates, registry, "all")
    pools = {writers.pool_of(i.writer) for f in files for i in f.items if i.kind == "form"}
    assert pools == {"tuning", "held-out"}


def test_every_writer_renders_ink(tmp_path):
    from cisr_desk.synth import handwriting

    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    rng = random.Random(4)
    for name in writers.TUNING[::7] + writers.HELD_OUT[::7]:
        handwriting.write_line(page, (20, 40, 400, 60), "MAIN ST @ 7/10/2026 #Z0", writers.roster()[name], 12,
                               (0, 0, 0.5), rng)
    assert len(page.get_images()) == len(writers.TUNING[::7] + writers.HELD_OUT[::7])
    pix = page.get_pixmap(dpi=72, colorspace=pymupdf.csGRAY)
    assert min(pix.samples) < 100  # ink on the page


def test_hand_page_renders(tmp_path):
    truth = json.loads(generate_set(tmp_path, 1, seed=8, styles=("hand",), dpis=(200,), batch_size=(1, 1),
                                    writer_pool="held-out").read_text())
    entry = truth["files"][0]
    form = entry["forms"][0]
    assert form["writer"] in writers.HELD_OUT
    with pymupdf.open(tmp_path / entry["file"]) as doc:
        img = doc.extract_image(doc[form["pages"][0] - 1].get_images()[0][0])
        assert img["width"] > 1500  # a 200 dpi Letter scan


# The two font packages kept for independent checks, spelt so that this file does not name them
RESERVED = ("bw" + "ht", "humor" + "-sans", "humor" + "sans", "humor" + " sans", "humor" + "_sans")


def test_reserved_fonts_never_referenced():
    skip = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", "node_modules"}
    hits = []
    for path in ROOT.rglob("*"):
        if any(part in skip for part in path.relative_to(ROOT).parts) or not path.is_file():
            continue
        if path.suffix.lower() in (".png", ".jpg", ".pdf", ".xlsx", ".db", ".sqlite", ".onnx", ".pyc"):
            continue
        if path.stat().st_size > 5_000_000:
            continue
        text = path.read_bytes().decode("utf-8", "ignore").lower()
        hits += [f"{path.relative_to(ROOT)}: {word}" for word in RESERVED if word in text]
    assert not hits
    for hand in writers.hands():
        assert not any(word in hand.path.lower() for word in RESERVED)
