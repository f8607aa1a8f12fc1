"""The synthetic scan generator: truth shape, determinism, page counts, normal forms, digital widgets.

Small sets at low resolution so the suite stays fast; the benchmark and demo data build on the
same code with larger sets.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pymupdf
import pytest

from cisr_desk.domain.catalog import FIELD_TYPES
from cisr_desk.domain.fields import FieldType, format_error
from cisr_desk.domain.template import load_templates
from cisr_desk.paths import demo_registry, forms_dir
from cisr_desk.synth import generate_set
from cisr_desk.synth.rules import load_registry

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
            assert set(form) == {"pages", "template", "style", "dpi", "fax", "fields", "expected_issues", "meta"}
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
