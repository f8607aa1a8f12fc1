"""Capture end to end on the project's own generated scans (real Tesseract and PP-OCR)."""
import json
import subprocess
import sys

import pytest

from cisr_desk.capture.pipeline import extract_file, extract_files
from cisr_desk.domain.registry import Registry
from cisr_desk.domain.template import load_templates
from cisr_desk.paths import demo_registry, forms_dir
from cisr_desk.synth import generate_set

PUNCT = ".,'-"


def fold(v):
    return " ".join(str(v).translate({ord(c): None for c in PUNCT}).split()).casefold()


def accuracy(truth_form, result_form):
    ok = sum(fold(result_form.fields[k].value) == fold(v) for k, v in truth_form["fields"].items())
    return ok / len(truth_form["fields"])


@pytest.fixture(scope="module")
def registry():
    return Registry.load(demo_registry())


@pytest.fixture(scope="module")
def typed_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("typed")
    truth = json.loads(generate_set(out, 3, seed=11, styles=("typed",), dpis=(300,), batch_size=(3, 3),
                                    faults=False).read_text())
    return out, truth


@pytest.mark.parametrize("seed", [5, 4, 56])  # 4, 56: a filled PDF (2026, 2019) with its list of more accounts after it
def test_digital_forms_are_read_exactly(tmp_path, registry, seed):
    truth = json.loads(generate_set(tmp_path, 3, seed=seed, styles=("digital",), faults=False).read_text())
    for tf in truth["files"]:
        doc = extract_file(tmp_path / tf["file"], registry=registry)
        assert not doc.errors and not doc.unrecognized_pages
        assert len(doc.forms) == len(tf["forms"]) == 1
        form, tform = doc.forms[0], tf["forms"][0]
        assert form.template == tform["template"] and form.digital and form.pages == tform["pages"]
        assert form.attachment_pages == tform["pages"][len(form.placements):]
        assert not any(i.code == "attachment_missing" for i in form.issues)
        for key, value in tform["fields"].items():
            assert form.fields[key].value == value, key
            assert form.fields[key].confidence == 1.0 or key.endswith("signature")


def test_typed_batch_is_separated_and_read(typed_set, registry):
    out, truth = typed_set
    results = {d.source: d for d in extract_files([out / f["file"] for f in truth["files"]], registry=registry, workers=2)}
    for tf in truth["files"]:
        doc = results[str(out / tf["file"])]
        assert [f.pages for f in doc.forms] == [f["pages"] for f in tf["forms"]]
        assert [f.template for f in doc.forms] == [f["template"] for f in tf["forms"]]
        assert sorted(doc.unrecognized_pages) == sorted(tf["non_form_pages"])
        for form, tform in zip(doc.forms, tf["forms"]):
            assert accuracy(tform, form) >= 0.9
            templates = load_templates(forms_dir())
            assert set(form.fields) == set(templates[form.template].keys)
            # A wrong value must be flagged: that is what the confidence is for.
            for key, value in tform["fields"].items():
                got = form.fields[key]
                if fold(got.value) != fold(value):
                    assert got.review, f"{key}: {got.value!r} != {value!r} and not flagged"


def test_unreadable_file_is_reported_and_others_still_read(tmp_path, typed_set):
    out, truth = typed_set
    bad = tmp_path / "not-a-pdf.pdf"
    bad.write_text("hello")
    good = out / truth["files"][0]["file"]
    docs = list(extract_files([bad, good], workers=1))
    assert docs[0].errors and "not-a-pdf.pdf" in docs[0].errors[0] and not docs[0].forms
    assert docs[1].forms and not docs[1].errors


def test_cli_writes_the_json_contract(tmp_path, typed_set):
    out, truth = typed_set
    target = tmp_path / "out.json"
    bad = tmp_path / "missing.pdf"
    proc = subprocess.run([sys.executable, "-m", "cisr_desk", "extract", "--registry", str(demo_registry()),
                           "--received", "2026-11-20", "--workers", "1", "--json", str(target),
                           str(out / truth["files"][0]["file"]), str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert "missing.pdf" in proc.stderr
    data = json.loads(target.read_text())
    doc, missing = data["documents"]
    assert set(doc) == {"source", "pages", "forms", "unrecognized_pages", "errors"}
    assert missing["errors"] and missing["forms"] == []
    form = doc["forms"][0]
    assert set(form) == {"pages", "template", "fields", "issues", "received"}
    assert form["received"] == "2026-11-20"  # given on the command line: it wins over a stamp
    for key, field in form["fields"].items():
        assert set(field) == {"value", "confidence", "review"}
        assert 0.0 <= field["confidence"] <= 1.0
    assert isinstance(form["fields"]["request_authorize"]["value"], bool)
    assert isinstance(form["fields"]["customer_name"]["value"], str)


def test_cli_checks_providers_against_the_shipped_registry_unless_told_otherwise(tmp_path, typed_set, capsys):
    from cisr_desk.cli.main import main

    out, truth = typed_set
    scan = str(out / truth["files"][0]["file"])
    assert main(["extract", "--workers", "1", "--json", str(tmp_path / "a.json"), scan]) == 0
    said = capsys.readouterr().err
    assert "sample registry shipped with cisr-desk" in said and str(demo_registry()) in said
    assert main(["extract", "--workers", "1", "--no-registry", "--json", str(tmp_path / "b.json"), scan]) == 0
    assert "registry" not in capsys.readouterr().err
    with pytest.raises(SystemExit):  # one or the other
        main(["extract", "--registry", str(demo_registry()), "--no-registry", scan])


def test_cli_rejects_a_bad_date():
    proc = subprocess.run([sys.executable, "-m", "cisr_desk", "extract", "--received", "22/05/2026", "x.pdf"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "--received" in proc.stderr


def test_views_redraw_a_page_and_a_field_crop_from_the_stored_file(typed_set, registry):
    from cisr_desk.capture.views import field_crop, registered_page

    out, truth = typed_set
    doc = extract_file(out / truth["files"][0]["file"], registry=registry)
    form = doc.forms[0]
    template = load_templates(forms_dir())[form.template]
    page = registered_page(doc.source, form.placements[0], template.pages[0], dpi=72)
    assert page.shape == (792, 612)
    crop = field_crop(doc.source, form.placements[0], template.field("customer_name").rect, dpi=150)
    assert crop.shape[0] > 30 and crop.shape[1] > 300
    assert (crop < 128).mean() > 0.005  # the name is in it


def test_bad_files_each_get_a_clear_error_naming_them(tmp_path):
    import pymupdf

    doc = pymupdf.open()
    doc.new_page()
    doc.save(tmp_path / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="u")
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "cut-off.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    names = ["locked.pdf", "empty.pdf", "cut-off.pdf", "a-folder"]
    docs = list(extract_files([tmp_path / n for n in names], workers=1))
    for name, doc in zip(names, docs):
        assert len(doc.errors) == 1 and name in doc.errors[0] and not doc.forms
    assert "password" in docs[0].errors[0] and "folder" in docs[3].errors[0]


def test_the_blank_page_that_looks_like_the_scan_is_tried_first():
    """Only the order of the blank pages tried changes (so only the work): a scan of a page,
    upright or turned, puts its own blank first."""
    import cv2
    import numpy as np

    from cisr_desk.capture.pipeline import templates_in
    from cisr_desk.capture.register import likely_first, references

    refs = references(templates_in(str(forms_dir())))
    rng = np.random.default_rng(3)
    for ref in refs:
        scan = cv2.warpAffine(ref.image, cv2.getRotationMatrix2D((300, 400), 1.5, 1.0), ref.image.shape[::-1],
                              borderValue=255)
        scan = np.clip(scan.astype(np.int16) + rng.integers(-30, 30, scan.shape), 0, 255).astype(np.uint8)
        for page in (scan, scan[::-1, ::-1]):
            first = likely_first(page, refs)[0]
            assert (first.template_id, first.page_index) == (ref.template_id, ref.page_index)


def test_a_keystoned_fax_page_is_registered_to_its_blank():
    """A sheet not flat on the fax's glass: one edge narrower than the other, at the fax's
    204 x 196 dpi. An affine fit is 8+ px off somewhere on the page (a field's width of ink
    missed); the registration must lay every part of the blank within 2 px (0.5 mm)."""
    import cv2
    import numpy as np

    from cisr_desk.capture.pipeline import templates_in
    from cisr_desk.capture.register import REG_DPI, match_page, references, render_blank, to_reg_scale

    templates = templates_in(str(forms_dir()))
    refs = references(templates)
    rng = np.random.default_rng(5)
    ys, xs = np.mgrid[50:1050:100, 50:820:100]  # a grid over the blank, template pixels at REG_DPI
    grid = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])

    def project(matrix):
        q = matrix @ grid
        return q[:2] / q[2]

    for template in templates.values():
        for page in template.pages:
            fax = render_blank(template.blank_path, page.index, 204)
            fax = cv2.resize(fax, (fax.shape[1], round(fax.shape[0] * 196 / 204)), interpolation=cv2.INTER_AREA)
            h, w = fax.shape
            k = 0.015 * w  # the top edge 3 % narrower than the bottom, and a little turned
            keystone = cv2.getPerspectiveTransform(
                np.float32([[0, 0], [w, 0], [w, h], [0, h]]),
                np.float32([[k + 20, 15], [w - k + 10, 30], [w - 5, h - 10], [-10, h - 25]]))
            scan = cv2.warpPerspective(fax, keystone, (w, h), borderValue=255)
            scan = np.clip(scan.astype(np.int16) + rng.integers(-25, 25, scan.shape), 0, 255).astype(np.uint8)
            match = match_page(to_reg_scale(scan, 204, 196), refs)
            assert match is not None
            assert (match.template_id, match.page_index, match.rotated) == (template.id, page.index, False)
            truth = np.diag([REG_DPI / 204, REG_DPI / 196, 1.0]) @ keystone @ np.diag([204 / REG_DPI, 196 / REG_DPI, 1.0])
            affine, _ = cv2.estimateAffine2D(grid[:2].T.astype(np.float32), project(truth).T.astype(np.float32))
            assert np.abs(project(np.vstack([affine, [0, 0, 1]])) - project(truth)).max() > 8  # a real keystone
            assert np.abs(project(match.matrix) - project(truth)).max() < 2.0


def test_a_letter_is_no_form_page_and_costs_no_homography(monkeypatch):
    """A cover letter matches no blank: no plausible affine fit to any of them, so no homography
    is sought either (its RANSAC would run all its iterations on chance matches)."""
    import datetime as dt
    import random

    import cv2
    import numpy as np

    from cisr_desk.capture import register
    from cisr_desk.capture.pipeline import templates_in
    from cisr_desk.synth.pages import cover_letter
    from cisr_desk.synth.rules import Provider

    provider = Provider("DRP1001", "Channel Islands Flex Power L.P.", "", "ACTIVE", True, "Maria Lopez",
                        "(400) 555-0140", "maria@channelislands.example")
    doc = cover_letter(provider, ["ALLEN MARKET INC.", "GRACE MARTINEZ"], dt.date(2026, 11, 6), random.Random(4))
    pix = doc[0].get_pixmap(dpi=int(register.REG_DPI), colorspace="gray")
    page = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].copy()
    homographies = []
    find = cv2.findHomography
    monkeypatch.setattr(register.cv2, "findHomography", lambda *a, **k: homographies.append(1) or find(*a, **k))

    assert register.match_page(page, register.references(templates_in(str(forms_dir())))) is None
    assert homographies == []


def test_a_form_page_whose_affine_fit_is_sheared_is_still_registered(monkeypatch):
    """Many matches agreeing on an implausible affine fit (sheared: seed 5151, a keystoned page
    turned 2.5 degrees) are still this blank: the homography is sought and registers the page."""
    import cv2
    import numpy as np

    from cisr_desk.capture import register
    from cisr_desk.capture.pipeline import templates_in

    templates = templates_in(str(forms_dir()))
    template = next(iter(templates.values()))
    page = register.render_blank(template.blank_path, 0, register.REG_DPI)
    page = cv2.warpAffine(page, cv2.getRotationMatrix2D((400, 500), 1.0, 1.0), page.shape[::-1], borderValue=255)

    def sheared(src, dst, **_):
        return np.float64([[1.0, 0.1, 0.0], [0.0, 1.0, 0.0]]), np.ones((len(src), 1), np.uint8)

    monkeypatch.setattr(register.cv2, "estimateAffine2D", sheared)
    match = register.match_page(page, register.references(templates))
    assert match is not None and (match.template_id, match.page_index) == (template.id, 0)
    assert match.coverage > 0.9


def test_a_page_drifting_sideways_down_the_sheet_is_followed_field_by_field(tmp_path):
    """A fax whose scan head wandered: the page's content drifts sideways more and more down the
    sheet and back (here up to 22 points, along a curve no single transform of the page follows). Every
    field's zone of a blank form must come out with the blank's print wiped, as on a flat scan."""
    import cv2
    import numpy as np

    from cisr_desk.capture.pipeline import MARGIN, templates_in
    from cisr_desk.capture.read import ink_mask
    from cisr_desk.capture.register import (match_page, page_drift, reference, references, render_blank,
                                            to_reg_scale, to_source_matrix)
    from cisr_desk.capture.zones import extract_zone

    templates = templates_in(str(forms_dir()))
    template = next(iter(templates.values()))
    blank = render_blank(template.blank_path, 0, 200)
    h, w = blank.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    drift = (22 * 200 / 72) * np.sin(np.pi * ys / h)  # pixels: none at the head and the foot, 22 points midway
    scan = cv2.remap(blank, xs - drift, ys, cv2.INTER_LINEAR, borderValue=255)
    small = to_reg_scale(scan, 200, 200)
    match = match_page(small, references(templates))
    assert (match.template_id, match.page_index) == (template.id, 0)
    found = page_drift(small, reference(template.blank_path, template.id, 0), match.matrix)
    matrix = to_source_matrix(match.matrix, 200, 200)

    def leftover(spec, offset):
        zone = extract_zone(scan, matrix, template.blank_path, 0, spec.rect, MARGIN, offset)
        return float(ink_mask(zone.image).mean())

    fields = [f for f in template.fields_on(0) if f.type.value != "check"]
    assert max(abs(found.at(f.rect)[0]) for f in fields) > 5  # the fit of the page left a drift
    assert max(leftover(f, found.at(f.rect)) for f in fields) < 0.006  # as on a flat page
    assert max(leftover(f, (0.0, 0.0)) for f in fields) > 0.02  # without it: rules and labels left over

    # The clerk's crop, redrawn from the stored file and fit, follows the drift the same way.
    import pymupdf

    from cisr_desk.capture.views import field_crop
    from cisr_desk.capture.zones import blank_page
    from cisr_desk.domain.model import PagePlacement

    pdf = tmp_path / "drifting.pdf"
    doc = pymupdf.open()
    doc.new_page(width=612, height=792).insert_image(pymupdf.Rect(0, 0, 612, 792),
                                                     stream=cv2.imencode(".png", scan)[1].tobytes())
    doc.save(pdf)
    placement = PagePlacement(1, False, 200.0, tuple(map(tuple, matrix)), match.coverage)
    spec = max(fields, key=lambda f: abs(found.at(f.rect)[0]))
    printed = cv2.resize(blank_page(template.blank_path, 0), None, fx=200 / 300, fy=200 / 300,
                         interpolation=cv2.INTER_AREA)

    def off_blank(crop):  # how far the crop's print is from the blank's under the same rect
        x0, y0 = (round(v * 200 / 72) for v in spec.rect[:2])
        return float(np.abs(crop.astype(int) - printed[y0: y0 + crop.shape[0], x0: x0 + crop.shape[1]]).mean())

    followed = field_crop(pdf, placement, spec.rect, dpi=200, margin=0, blank=(template.blank_path, template.id, 0))
    fitted = field_crop(pdf, placement, spec.rect, dpi=200, margin=0)
    assert off_blank(followed) < off_blank(fitted) / 2


def test_a_list_written_with_a_pale_pen_is_no_blank_sheet():
    import cv2
    import numpy as np

    from cisr_desk.capture.pipeline import _is_blank

    sheet = np.full((1100, 850), 236, np.uint8)
    sheet[:, :] = np.linspace(222, 244, 850, dtype=np.uint8)[None, :]  # uneven light across the glass
    sheet[:, 820:] = 150  # the scanner bed beyond the paper's edge
    sheet[1070:, :] = 150
    assert _is_blank(sheet)
    pale = sheet.copy()
    for row in range(8):  # eight lines of a pale pen's writing, none of it darker than 128
        for col in range(14):
            cv2.putText(pale, "3", (80 + 40 * col, 120 + 30 * row), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 165, 1)
    assert not _is_blank(pale)


def test_a_zone_s_paper_grey_is_numpy_s_median():
    """read.median_grey counts the zone's greys instead of sorting them: the same value as
    np.median for zones of any size, odd or even pixel counts, pale or dark."""
    import numpy as np

    from cisr_desk.capture.read import median_grey

    rng = np.random.default_rng(3)
    for _ in range(300):
        h, w = (int(v) for v in rng.integers(1, 60, 2))
        zone = rng.integers(0, 256, (h, w)).astype(np.uint8)
        if rng.random() < 0.5:
            zone = (zone // 5 + 200).astype(np.uint8)  # paper with a little ink
        assert median_grey(zone) == float(np.median(zone))


def _written_line(text: str, jitter: float, seed: int = 0):
    """A line's ink mask at the work resolution: capitals on one baseline, each letter moved up or
    down by up to ``jitter`` pixels (a hand's baseline)."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    line = np.zeros((90, 40 * len(text) + 40), np.uint8)
    for i, ch in enumerate(text):
        dy = int(round(rng.uniform(-jitter, jitter)))
        cv2.putText(line, ch, (20 + 40 * i, 65 + dy), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 1, 4)
    return line


def test_lines_set_by_a_printer_keep_to_the_pixel_and_hands_do_not():
    """read.line_levels / set_by_a_printer: a page is taken as typed (its sure readings confirmed
    by the quick reader) only where most of its lines keep their letters on one baseline and
    under one cap line; letters a pixel or two off, as a hand writes them, and a page of too few
    lines keep the second reader."""
    from cisr_desk.capture.read import line_levels, set_by_a_printer

    typed = [line_levels(_written_line(word, 0.0)) for word in ("HERNANDEZ", "MAIN ST", "FONTANA", "PALM DR")]
    assert all(bottom <= 0.5 and top <= 0.5 for bottom, top in typed)
    assert set_by_a_printer(typed)
    hand = [line_levels(_written_line(word, 2.5, seed)) for seed, word in enumerate(("HERNANDEZ", "MAIN ST",
                                                                                       "FONTANA", "PALM DR"))]
    assert not set_by_a_printer(hand)
    assert not set_by_a_printer(typed[:2])  # two lines tell nothing
    assert line_levels(_written_line("AB", 0.0)) is None  # nor do two letters
    assert line_levels(None) is None  # comb boxes have no line


def test_a_typed_page_s_sure_readings_are_confirmed_by_the_quick_reader(tmp_path):
    """On a typed page the quick reader confirms what Tesseract read surely in a field's format, and
    the second reader still reads what they differ on; a hand-printed page keeps the second reader
    throughout."""
    from cisr_desk.capture import ppocr

    if ppocr.default_reader() is None or ppocr.quick_reader() is None:
        pytest.skip("no PP-OCR reader installed")
    original = ppocr.PpOcrReader.probabilities
    for style in ("typed", "hand"):
        folder = tmp_path / style
        generate_set(folder, 1, seed=4, styles=(style,), dpis=(300,), faults=False, writer_pool="tuning")
        used = {True: 0, False: 0}  # calls of the quick reader, of the second reader

        def counted(self, image):
            used[self is ppocr.quick_reader()] += 1
            return original(self, image)

        ppocr.PpOcrReader.probabilities = counted
        try:
            docs = [extract_file(pdf, registry=Registry.load(demo_registry())) for pdf in sorted(folder.glob("*.pdf"))]
        finally:
            ppocr.PpOcrReader.probabilities = original
        assert [len(d.forms) for d in docs] == [1]
        assert (used[True] > 0) if style == "typed" else (used[True] == 0), (style, used)
        if style == "hand":
            assert used[False] > 10  # every field the neural reader reads
