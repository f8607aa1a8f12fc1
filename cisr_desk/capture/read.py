"""Read one field from its cleaned zone image: text by OCR, checks and signatures by ink.

Each reader returns a ``Reading``: the normalised value, the raw text, a confidence in 0..1
and the reasons it may be doubtful. ``confidence.py`` turns these into the review decision.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import cv2
import numpy as np

from cisr_desk.capture import formats
from cisr_desk.capture.ocr import DIGITS, LOWER, UPPER, OcrEngine, OcrText
from cisr_desk.capture.zones import S
from cisr_desk.domain.fields import FieldType, format_error, normalise
from cisr_desk.domain.template import FieldSpec

INK = 150  # grey level below which a pixel is ink once the paper tone is gone

CHARSETS: dict[FieldType, str | None] = {
    FieldType.ACCOUNT: DIGITS + "- ",
    FieldType.PHONE: DIGITS + "()-. ",
    FieldType.ZIP: DIGITS,
    FieldType.STATE: UPPER,
    FieldType.DATE: DIGITS + "/",
    FieldType.DRP_ID: "DRP" + DIGITS,
    FieldType.EMAIL: UPPER + LOWER + DIGITS + "@._-+",
    # Names and addresses: no "!", "|", "{" ... on this form; barring them keeps "l" an "l".
    FieldType.TEXT: UPPER + LOWER + DIGITS + " &'-.,#/()@",
}
COMB_CHARSETS: dict[FieldType, str | None] = {
    FieldType.ACCOUNT: DIGITS, FieldType.ZIP: DIGITS, FieldType.STATE: UPPER,
}


REPAIR_FACTOR = 0.97  # what a repair costs a reading's confidence


@dataclass
class Reading:
    value: str | bool
    raw: str
    confidence: float
    reasons: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)  # each reader's value, when they differ
    # What each reader said of itself, for the acceptance model (capture/acceptance.py):
    # "tess" and "neural" confidences (absent when that reader did not read), "sure" when
    # Tesseract alone was enough.
    evidence: dict = field(default_factory=dict)
    # A doubt from the rest of the form (capture/writer.py) that no confidence outweighs.
    must_check: bool = False
    # What the neural reader saw of the line (ppocr.Trace), to read it again with what the rest
    # of the form shows of the hand (capture/writer.py); None where it did not read the field.
    trace: object | None = field(default=None, repr=False, compare=False)

    def repair(self, value: str) -> None:
        """Put a repaired value in place of what was read: a repair is a guess, a little less
        sure than the reading it repairs."""
        self.value = value
        self.confidence *= REPAIR_FACTOR
        self.evidence["repaired"] = True

    def doubt(self, reason: str, at_most: float = 0.7, must_check: bool = True) -> None:
        """Give the reading a reason for doubt and cap its confidence: sent to the clerk however
        sure its readers were, unless ``must_check`` is false (then the acceptance model decides)."""
        if reason not in self.reasons:
            self.reasons = list(self.reasons) + [reason]
        self.confidence = min(self.confidence, at_most)
        self.must_check = self.must_check or must_check


def ink_threshold(image: np.ndarray) -> float:
    """Grey level below which a pixel is ink, from the zone's own paper and darkest ink: a light
    toner or a pale pen loses its thin strokes under a fixed threshold."""
    if image.size == 0:
        return INK
    # The 0.5th and 50th percentiles from a histogram of every fourth pixel (plenty, and a
    # sort of the zone cost more than the rest of this function).
    counts = np.bincount(image[::2, ::2].ravel(), minlength=256).cumsum()
    dark, paper = (float(np.searchsorted(counts, q * counts[-1])) for q in (0.005, 0.5))
    return float(max(INK, min(dark + 0.6 * (paper - dark), paper - 50)))


def median_grey(image: np.ndarray) -> float:
    """np.median of a uint8 image, the same value, from its histogram (a quarter of the time)."""
    counts = np.bincount(image.ravel(), minlength=256).cumsum()
    n = int(counts[-1])
    lower, upper = (int(np.searchsorted(counts, k, side="right")) for k in ((n - 1) // 2, n // 2))
    return (lower + upper) / 2.0


def components(binary: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Connected marks (8-connected) of a 0/1 uint8 image: (count with the background, labels,
    stats), as cv2.connectedComponentsWithStats gives them. Labels are 16-bit where they cannot
    run out (8-connected marks are at most one in four pixels): a third of the time."""
    h, w = binary.shape[:2]
    ltype = cv2.CV_16U if ((h + 1) // 2) * ((w + 1) // 2) < 65535 else cv2.CV_32S
    n, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(binary, 8, ltype, cv2.CCL_SPAGHETTI)
    return n, labels, stats


def ink_mask(image: np.ndarray) -> np.ndarray:
    """Ink pixels with lone speckles removed (scanner dust is not handwriting)."""
    ink = (image < ink_threshold(image)).astype(np.uint8)
    n, labels, stats = components(ink)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= 6
    return keep[labels]


def crop(image: np.ndarray, rect: tuple[float, float, float, float], zone_rect, margin: float,
         grow: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """The pixels of ``rect`` (points) inside a zone image cut for ``zone_rect`` with ``margin``."""
    ox, oy = zone_rect[0] - margin, zone_rect[1] - margin
    x0 = max(0, int(round((rect[0] - grow[0] - ox) * S)))
    y0 = max(0, int(round((rect[1] - grow[1] - oy) * S)))
    x1 = min(image.shape[1], int(round((rect[2] + grow[0] - ox) * S)))
    y1 = min(image.shape[0], int(round((rect[3] + grow[1] - oy) * S)))
    return image[y0:y1, x0:x1]


def _pad(image: np.ndarray, px: int = 12) -> np.ndarray:
    return cv2.copyMakeBorder(image, px, px, px, px, cv2.BORDER_CONSTANT, value=255)


def _clean_for_ocr(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Binarised ink on pure white: paper tone, speckle and the wiped rules' halo gone."""
    out = np.full(image.shape, 255, np.uint8)
    out[mask] = np.minimum(image[mask], 90)
    return out


def _grey_for_ocr(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The strokes with their own grey edges on white paper (for the neural reader, which was
    trained on real photographs of text, not on thresholded ink)."""
    near = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    out = np.full(image.shape, 255, np.uint8)
    paper = median_grey(image) if image.size else 255.0
    stretched = np.clip(image.astype(np.float32) * (255.0 / max(paper, 1.0)), 0, 255).astype(np.uint8)
    out[near] = stretched[near]
    return out


def _without_rule_remnants(area: np.ndarray) -> np.ndarray:
    """The ink of a field minus the small marks well above or below the written line (specks,
    and the edges of the box's rules that wiping the blank's print left: a fax draws the rules
    thicker or a pixel off), and minus the flat dashes on the rule past the writing's first or
    last letter. Kept, they stretched the line's box: a typed line a quarter of the box high
    came to the neural reader at 12 pixels of its 48 and was read as "camYnano"; a dash on the
    rule after it made "7361 Vineyard Ave Ste 118" read as "YalneaAeS1". An underscore or a
    hyphen among the letters, an accent or the dot of an i stays."""
    n, labels, stats = components(area)
    if n <= 2:
        return area
    left, top = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    width, height = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    letters = height >= 3 * S
    if not letters.any():
        return area
    letter = float(np.median(height[letters]))
    line_top, line_bottom = int(top[letters].min()), int((top + height)[letters].max())
    line_left, line_right = int(left[letters].min()), int((left + width)[letters].max())
    away = ((top >= line_bottom + 0.3 * letter) | (top + height <= line_top - 0.3 * letter)) & (height < 0.5 * letter)
    flat = (height <= max(3, 0.15 * letter)) & (width >= 3 * height)
    beside = flat & (top >= line_top + 0.6 * (line_bottom - line_top)) \
        & ((left >= line_right) | (left + width <= line_left))
    drop = np.flatnonzero((away | beside) & ~letters) + 1
    if not len(drop):
        return area
    keep = np.ones(n, area.dtype)
    keep[0] = 0
    keep[drop] = 0
    return keep[labels]


def _without_rules(mask: np.ndarray) -> np.ndarray:
    """The ink minus thin straight lines right across the box: a fax's streak or the box's own
    rule caught inside the crop (seed 777, a fax: empty boxes read as ticked at full
    confidence). A tick or a cross covers no column or row from end to end; a box filled in
    solid covers many, and is left alone."""
    mask = mask.copy()
    for axis in (0, 1):
        cover = mask.mean(axis=axis)  # per column (axis 0) or per row (axis 1)
        lines = np.flatnonzero(cover >= 0.7)
        if 0 < len(lines) <= max(3, len(cover) // 7):
            if axis == 0:
                mask[:, lines] = False
            else:
                mask[lines, :] = False
    return mask


def _one_dot(image: np.ndarray) -> bool:
    """All the box's ink in a spot less than half the box wide and high."""
    mask = _without_rules(ink_mask(image))
    ys, xs = np.nonzero(mask)
    if not len(ys):
        return False
    h, w = mask.shape
    return (ys.max() - ys.min() + 1) < h / 2 and (xs.max() - xs.min() + 1) < w / 2


def read_mark_ratio(image: np.ndarray) -> float:
    mask = ink_mask(image)
    return float(_without_rules(mask).mean()) if mask.size else 0.0


def read_check(image: np.ndarray, marked_at: float = 0.06, empty_below: float = 0.015) -> Reading:
    """A checkbox in three states by the share of its inside covered with ink."""
    ratio = read_mark_ratio(image)
    if marked_at <= ratio < 2 * marked_at and _one_dot(image):
        # Little ink, all in one spot well inside the box: a blot or a pen rested there, not a
        # tick or a cross (those reach across the box). The clerk looks.
        return Reading(True, f"{ratio:.3f}", 0.5, ["a dot in the box, not a tick"])
    if ratio >= marked_at:
        conf = min(1.0, 0.9 + (ratio - marked_at) * 2)
        return Reading(True, f"{ratio:.3f}", conf)
    if ratio <= empty_below:
        return Reading(False, f"{ratio:.3f}", min(1.0, 0.9 + (empty_below - ratio) * 6))
    # Between the two: a stray mark or a faint tick. Say so rather than guess silently.
    value = ratio >= (marked_at + empty_below) / 2
    return Reading(value, f"{ratio:.3f}", 0.5, ["faint or stray mark in the box"])


def read_signature(image: np.ndarray) -> Reading:
    """Ink present in the signature box: strokes wide enough to be writing, not dust."""
    mask = ink_mask(image).astype(np.uint8)
    if not mask.any():
        return Reading(False, "0", 0.97)
    n, _, stats = components(mask)
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    big = (widths >= 4 * S) | (heights >= 5 * S)  # a stroke at least a few points long
    span = float(widths[big].sum()) / S if big.any() else 0.0
    ratio = float(mask.mean())
    if span >= 25 and ratio >= 0.006:
        return Reading(True, f"{span:.0f}pt", min(1.0, 0.85 + span / 400))
    if span < 6:
        return Reading(False, f"{span:.0f}pt", 0.9)
    return Reading(span >= 15, f"{span:.0f}pt", 0.5, ["little ink in the signature box"])


def _comb_line(image: np.ndarray, mask: np.ndarray, spec: FieldSpec, zone_rect, margin: float
               ) -> tuple[np.ndarray, np.ndarray, int]:
    """Glue the inked comb cells into one tight line (readers read a line better than lone
    glyphs): a thresholded version and a soft grey one, and the number of cells written."""
    hard, soft, written = [], [], 0
    height = crop(image, spec.rect, zone_rect, margin, (0, 2.5)).shape[0]
    gap = np.full((height, int(2.5 * S)), 255, np.uint8)
    for cell in spec.cells:
        sub = crop(mask.astype(np.uint8), cell, zone_rect, margin, (0.5, 2.5))
        grey = crop(image, cell, zone_rect, margin, (0.5, 2.5))
        cols = np.where(sub.sum(axis=0) > 0)[0]
        if sub.sum() < 25 or cols.size == 0:
            continue
        written += 1
        for out, render in ((hard, _clean_for_ocr), (soft, _grey_for_ocr)):
            piece = np.full((height, cols[-1] - cols[0] + 1), 255, np.uint8)
            g = render(grey, sub > 0)[:, cols[0]: cols[-1] + 1]
            piece[: g.shape[0], : g.shape[1]] = g[:height]
            out += [piece, gap]
    if not hard:
        return np.zeros((0, 0), np.uint8), np.zeros((0, 0), np.uint8), 0
    return np.hstack(hard), np.hstack(soft), written


def fix_confusions(ftype: FieldType, text: str) -> str:
    """Repairs that only the field's type makes safe: letters where only digits can stand,
    a date whose slashes were lost."""
    if ftype is FieldType.DRP_ID:
        compact = re.sub(r"\s+", "", text.upper())
        if len(compact) >= 5:
            tail = compact[3:].translate(str.maketrans("OQDIlLSBZG", "0001115826"))
            return "DRP" + tail
        return compact
    if ftype is FieldType.DATE:
        d = re.sub(r"\D", "", text)
        if len(d) == 8 and not re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", text.strip()):
            return f"{d[:2]}/{d[2:4]}/{d[4:]}"
    return text


def _letter_like(image: np.ndarray) -> int:
    """How many separate marks in a cleaned line are at least 3 points tall (letters are; dust
    and the remnants of a rule are not)."""
    n, _, stats = components((image < 128).astype(np.uint8))
    return int((stats[1:, cv2.CC_STAT_HEIGHT] >= 3 * S).sum())


def space_after_marks(text: str) -> str:
    """A comma, or a full stop between words, is followed by a space in names and addresses:
    "HWY,ORANGE" is "HWY, ORANGE" and "Arjun.Johnson" is "Arjun. Johnson" (a space read as a
    dot); initials such as "P.O." keep theirs."""
    text = re.sub(r",(?=\w)", ", ", text)
    text = re.sub(r"(?<=\b[A-Z])\.(?=[A-Z][a-z]|[A-Z]{2})", ". ", text)  # "B.Miller", "P.O.Box"
    return re.sub(r"(?<=[A-Za-z]{2})\.(?=[A-Za-z]{2})", ". ", text)


def value_of(ftype: FieldType, text: str) -> str:
    """A reader's text as a field value: type-safe repairs, then the normal form."""
    return normalise(ftype, fix_confusions(ftype, text))


def squash(text: str, keep_spaces: bool = True) -> str:
    """Text as the clerk compares it: case and the marks . , ' - do not count."""
    text = re.sub(r"[.,'\-]", "", text).casefold()
    return " ".join(text.split()) if keep_spaces else re.sub(r"\s", "", text)


def _decide(ftype: FieldType, key: str, first: OcrText, second: OcrText | None) -> Reading:
    """Two readers: agreement is strong evidence; disagreement is a doubt for the clerk."""
    a = value_of(ftype, first.text)
    if second is None:
        return Reading(a, first.text, first.confidence * 0.9)
    b = value_of(ftype, second.text)
    agree_conf = max(0.9, 1.0 - (1 - first.confidence) * (1 - second.confidence) * 4)
    if ftype is FieldType.TEXT:
        if squash(a, True) == squash(b, True):
            if first.confidence < AGREE_UNSURE:
                # Both readers can fall for the same hand-printed pair ("VI" read as "M"): where
                # the neural reader itself doubted a letter, agreement is not proof.
                # (A confident related field that says the same settles it: crosscheck.py.)
                return Reading(a, first.text, min(agree_conf, 0.75),
                               ["the readers agree, but one was unsure of a letter"], [a])
            return Reading(a, first.text, agree_conf)
        if squash(a, False) == squash(b, False):
            # Same letters, different word breaks: one reader dropped a space, or one split a
            # widely spaced hand-printed word. Neither is reliably right: the clerk decides.
            spaced = a if len(squash(a, True).split()) >= len(squash(b, True).split()) else b
            return Reading(spaced, first.text, min(agree_conf, 0.7),
                           [f"word breaks differ between the readers ({a!r} / {b!r})"])
    elif a == b:
        return Reading(a, first.text, agree_conf)
    ok_a, ok_b = format_error(ftype, a, key) is None, format_error(ftype, b, key) is None
    if ok_b and not ok_a:
        a, first, second = b, second, first
    reason = f"the two readers disagree ({first.text!r} / {second.text!r})"
    return Reading(a, first.text, min(0.6, first.confidence), [reason])


def char_sureness(ocr: OcrText) -> float:
    """The neural reader's least sure character on a log scale of 0..1 (1: sure to 1 in 10,000;
    0.5: 99%; 0.25: 90%). Decoding under a format gives a field a high confidence whenever the
    format agrees with the model, but a crossed 7 that the model takes for a 9 at 73% still
    stands out among digits read at 99.9% or more."""
    p = min(ocr.char_confidences) if ocr.char_confidences else ocr.confidence
    return min(1.0, -math.log10(max(1e-4, 1.0 - p)) / 4)


# Tesseract's least sure character at or above this, and a well-formed value: one reader is
# enough. Calibrated on generated sets with tools/bench.py: at 0.99 a 100-form set kept its
# silent errors at 0.1% and read 15% faster; at 0.97 hand-printed digits slipped through.
SURE = 0.99
SURE_DISCOUNT = 0.95
# The neural reader's least sure letter below this: two readers agreeing on a name or an
# address is not enough (seeds 4242 and 777: all 4 agreeing misreads were under 0.6; 27 of
# the 103 right agreements were too, and go to the clerk with them).
AGREE_UNSURE = 0.6


def _sure(ftype: FieldType, key: str, ocr: OcrText, written: int) -> bool:
    """Tesseract alone is enough where it is very sure and the value has its form: the
    second, slower reader is kept for what Tesseract finds hard (hand-printing). For a field
    with a format, read_text still asks the second reader to confirm a sure reading."""
    if ocr.confidence < SURE or not re.search(r"[0-9A-Za-z]", ocr.text):
        return False
    value = value_of(ftype, ocr.text)
    if format_error(ftype, value, key) is not None:
        return False
    if written and len(re.sub(r"\W", "", value)) != written:
        return False
    return True


# A line set by a printer sits on one baseline and under one cap line to the pixel; a hand, however
# neat, strays from both by a pixel or more. On the generator's scans (five sets, 580 hand-printed
# pages of tuning and held-out writers, 144 typed ones): no hand-printed page has three lines or
# more whose letters' bottoms and tops both keep within half a pixel of the line's; 106 typed pages
# do (most of the rest are faxes and 150 dpi scans, whose pixels blur the line: read as before).
LEVEL_PX = 0.5
PRINTED_SHARE = 0.6  # of a page's lines whose letters keep to their baseline
PRINTED_MIN_LINES = 3


def written_ink(image: np.ndarray, spec: FieldSpec, zone_rect, margin: float
                ) -> tuple[np.ndarray, np.ndarray | None]:
    """A text field's ink (ink_mask) and, for a field written on a line (not in comb boxes), the
    line's own ink without the remnants of the box's rules around it."""
    mask = ink_mask(image)
    if spec.is_comb:
        return mask, None
    return mask, _without_rule_remnants(crop(mask.astype(np.uint8), spec.rect, zone_rect, margin, (1.0, 2.5)))


def line_levels(area: np.ndarray | None) -> tuple[float, float] | None:
    """How far a written line's letters stray from its baseline and its cap line: the median
    distance (pixels) of their bottoms from the line's median bottom, and of their tops from its
    median top. None for fewer than four letters (marks at least 3 points tall)."""
    if area is None or area.sum() < 30:
        return None
    _, _, stats = components(area)
    height = stats[1:, cv2.CC_STAT_HEIGHT]
    letters = height >= 3 * S
    if letters.sum() < 4:
        return None
    top = stats[1:, cv2.CC_STAT_TOP][letters].astype(np.float64)
    bottom = top + height[letters]
    return (float(np.median(np.abs(bottom - np.median(bottom)))), float(np.median(np.abs(top - np.median(top)))))


def set_by_a_printer(levels: list[tuple[float, float]]) -> bool:
    """Whether a page's written lines (line_levels of each) were typed, not hand-printed: most of
    them keep their letters on one baseline, and their tops on one line too, within LEVEL_PX."""
    if len(levels) < PRINTED_MIN_LINES:
        return False
    on_baseline = sum(bottom <= LEVEL_PX for bottom, _ in levels) / len(levels)
    return on_baseline >= PRINTED_SHARE and float(np.median([top for _, top in levels])) <= LEVEL_PX


def read_text(engine: OcrEngine, image: np.ndarray, spec: FieldSpec, zone_rect, margin: float,
              second=None, year: int | None = None, quick=None,
              ink: tuple[np.ndarray, np.ndarray | None] | None = None) -> Reading:
    """OCR a text field with the first reader and, where there is one, the second; a date is
    read as one of the years ``year`` (default: this one) makes likely, unless the ink is clearly
    another. ``quick``: on a typed page (set_by_a_printer), the quick reader that confirms a
    value Tesseract read surely in the field's format, in place of the second reader (which
    reads it where the two differ). ``ink``: written_ink of the field, where already known."""
    ftype = spec.type
    mask, area = ink or written_ink(image, spec, zone_rect, margin)
    if spec.is_comb:
        line, soft, written = _comb_line(image, mask, spec, zone_rect, margin)
        if written == 0:
            return Reading("", "", 0.97)
        soft = _pad(soft)
        charset = COMB_CHARSETS.get(ftype, CHARSETS.get(ftype))
    else:
        if area.sum() < 30:
            return Reading("", "", 0.97)
        ys, xs = np.where(area > 0)
        grey = crop(image, spec.rect, zone_rect, margin, (1.0, 2.5))
        box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
        soft = _pad(_grey_for_ocr(grey, area > 0)[box])
        line = _clean_for_ocr(grey, area > 0)[box]
        charset = CHARSETS.get(ftype)
        written = 0
    line = _pad(line)
    automaton = formats.for_field(ftype, spec.key, written)
    preferred = formats.preferred_for_field(ftype, spec.key, written, year or dt.date.today().year)
    other = engine.read_line(line, charset)
    if second is None:
        primary, other = other, None
    elif _sure(ftype, spec.key, other, written) and automaton is None:
        value = value_of(ftype, other.text)
        return Reading(value, other.text, other.confidence * SURE_DISCOUNT,
                       evidence={"tess": other.confidence, "sure": True})
    elif automaton is not None:
        if quick is not None and _sure(ftype, spec.key, other, written):
            check = quick.read_format(soft, automaton, preferred)
            if squash(value_of(ftype, check.text), False) == squash(value_of(ftype, other.text), False):
                value = value_of(ftype, other.text)
                return Reading(value, other.text, other.confidence * SURE_DISCOUNT,
                               evidence={"tess": other.confidence, "neural": check.confidence,
                                         "neural_char": char_sureness(check), "sure": True, "quick": True},
                               trace=check.trace)
        primary = second.read_format(soft, automaton, preferred)
        if _sure(ftype, spec.key, other, written) \
                and squash(value_of(ftype, primary.text), False) == squash(value_of(ftype, other.text), False):
            # A value with a format (digits in comb boxes, dates): Tesseract is fully sure of a
            # hand-printed 7 read as 9 or 4 as 6 (seed 777: most silent errors), so its sure
            # reading is kept only when the second reader, decoding under the format, agrees.
            value = value_of(ftype, other.text)
            return Reading(value, other.text, other.confidence * SURE_DISCOUNT,
                           evidence={"tess": other.confidence, "neural": primary.confidence,
                                 "neural_char": char_sureness(primary), "sure": True}, trace=primary.trace)
    else:
        primary = second.read_line(soft, charset)
    # Specks, a tick or a fax's broken rule, not a value: fewer than two marks as tall as a letter.
    small_mark = _letter_like(line) < 2
    if other is not None and automaton is not None and primary.confidence < 0.05 and small_mark \
            and not re.search(r"[0-9A-Za-z]", other.text):
        # The format forced a reading out of a stray mark the other reader saw as nothing.
        return Reading("", other.text, 0.85)
    if other is not None and automaton is None and small_mark and primary.confidence < 0.5 \
            and len(re.findall(r"[0-9A-Za-z]", primary.text)) <= 1 and not re.search(r"[0-9A-Za-z]", other.text):
        # One unsure letter out of a speck that Tesseract saw as nothing: no name is one mark.
        return Reading("", other.text, 0.85)
    if other is not None and small_mark and primary.confidence < 0.25 \
            and max(len(re.findall(r"[0-9A-Za-z]", t.text)) for t in (primary, other)) <= 2 \
            and squash(value_of(ftype, primary.text), False) != squash(value_of(ftype, other.text), False):
        # Specks the two readers take for different things of a mark or two ("4" and "11", "a a"
        # and "_@-.1"), the neural one without conviction: marks left in an empty box, not a value.
        # (A word joined up into one stroke is one mark too, but neither reader makes it so short.)
        return Reading("", other.text, 0.85)
    if ftype is FieldType.TEXT and small_mark \
            and max(len(re.findall(r"[0-9A-Za-z]", t.text)) for t in (primary, other) if t is not None) <= 1:
        # No name, address or title is one character: a lone mark in the box (a tick, a speck, a
        # remnant of its rule) that a reader took for a "1", an "e" or a "4" (PP-OCRv6 is surer of
        # such a guess than v5 was, and 13 empty boxes on four sets were read so).
        return Reading("", (other or primary).text, 0.85)
    if ftype is FieldType.TEXT:
        for ocr in (primary, other):
            if ocr is not None:
                ocr.text = space_after_marks(ocr.text)
    reading = _decide(ftype, spec.key, primary, other)
    evidence = {"neural" if other is not None else "tess": primary.confidence}
    if other is not None:
        evidence["neural_char"] = char_sureness(primary)
        evidence["tess"] = other.confidence
    if other is not None and reading.reasons and not reading.alternatives:  # the readers disagree
        reading.alternatives = [value_of(ftype, t.text) for t in (primary, other)]
    if not re.search(r"[0-9A-Za-z]", str(reading.value)):
        if small_mark:
            # Only a stray mark or a remnant of the box survived: nothing was written here.
            return Reading("", reading.raw, 0.9)
        return Reading("", reading.raw, 0.3, ["ink in the box, but nothing legible was read"])
    if ftype is FieldType.DATE and re.fullmatch(r"\s*\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}\s*", reading.raw) \
            and not re.fullmatch(r"\s*\d{2}\s*/\s*\d{2}\s*/\s*\d{4}\s*", reading.raw):
        # The box asks for MM/DD/YYYY; a one-digit part is more often a digit lost against a
        # slash ("06/13" read as "06/3") than a customer writing "6/3".
        reading.confidence = min(reading.confidence, 0.75)
        reading.reasons.append("date not written as MM/DD/YYYY: a digit may be missing")
    if written:
        got = len(re.sub(r"\D", "", str(reading.value))) if ftype is not FieldType.STATE else len(str(reading.value))
        if got != written:
            reading.reasons.append(f"{written} boxes written, {got} characters read")
            reading.confidence = min(reading.confidence, 0.5)
    reading.evidence = evidence
    reading.trace = primary.trace  # the neural reader's (Tesseract keeps none)
    return reading
