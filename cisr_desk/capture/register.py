"""Find which blank page a scanned page is, and the affine transform that lays the blank on it.

ORB features of the page (at a coarse resolution) are matched against those of every
template page; RANSAC estimates a homography (deskew, shift, scale, a fax's unequal x/y
resolution, a slight keystone; a page turned 180° shows as a half turn and is taken as
such), accepted only when it is plausible and when the blank's printed ink is really found
where the transform puts it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pymupdf

from cisr_desk.domain.template import FormTemplate

REG_DPI = 100.0  # resolution the search and the checks work at
PT = REG_DPI / 72.0  # pixels per point at REG_DPI
MIN_INLIERS = 15  # few: heavy hand-printing crowds out the form's own features; coverage decides
MIN_COVERAGE = 0.55  # share of the blank's ink found on the page; form pages score ~0.9


@dataclass(frozen=True)
class Reference:
    template_id: str
    page_index: int
    image: np.ndarray  # blank at REG_DPI, grey
    ink: np.ndarray  # bool mask of the blank's ink (thin structures)
    keypoints: np.ndarray  # (n, 2) float32
    descriptors: np.ndarray
    thumb: np.ndarray  # a tiny normalised copy (_thumb), to tell which blank a scan looks like
    bands: np.ndarray  # _band_profiles of its ink, to follow a page's drift (page_drift)


@dataclass(frozen=True)
class Match:
    template_id: str
    page_index: int
    rotated: bool
    matrix: np.ndarray  # 3x3 homography: template pixels at REG_DPI -> page pixels at REG_DPI
    inliers: int
    coverage: float


def _orb() -> cv2.ORB:
    return cv2.ORB_create(nfeatures=1500, scaleFactor=1.2, nlevels=6, edgeThreshold=15, patchSize=31, fastThreshold=12)


def render_blank(blank: Path, page_index: int, dpi: float) -> np.ndarray:
    doc = pymupdf.open(blank)
    try:
        page = doc[page_index]
        pix = page.get_pixmap(matrix=pymupdf.Matrix(dpi / 72.0, dpi / 72.0), colorspace=pymupdf.csGRAY,
                              alpha=False, annots=False)
        return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].copy()
    finally:
        doc.close()


@lru_cache(maxsize=16)
def reference(blank: Path, template_id: str, page_index: int) -> Reference:
    img = render_blank(blank, page_index, REG_DPI)
    kps, desc = _orb().detectAndCompute(img, None)
    pts = np.float32([k.pt for k in kps]) if kps else np.zeros((0, 2), np.float32)
    ink = img < 160
    return Reference(template_id, page_index, img, ink, pts, desc, _thumb(img), _band_profiles(ink))


def references(templates: dict[str, FormTemplate]) -> list[Reference]:
    return [reference(t.blank_path, t.id, p.index) for t in templates.values() for p in t.pages]


def to_reg_scale(image: np.ndarray, dpi_x: float, dpi_y: float) -> np.ndarray:
    return cv2.resize(image, None, fx=REG_DPI / dpi_x, fy=REG_DPI / dpi_y, interpolation=cv2.INTER_AREA)


def _plausible(a: np.ndarray) -> bool:
    """A scan is the blank shifted, turned a few degrees, scaled a little and at most slightly
    keystoned (a page not flat on the glass): nothing else."""
    if abs(a[2, 0]) > 3e-4 or abs(a[2, 1]) > 3e-4:
        return False
    lin = a[:2, :2] / a[2, 2]
    sx = math.hypot(lin[0, 0], lin[1, 0])
    sy = math.hypot(lin[0, 1], lin[1, 1])
    angle = math.degrees(math.atan2(lin[1, 0], lin[0, 0]))
    shear = abs(lin[0, 0] * lin[0, 1] + lin[1, 0] * lin[1, 1]) / (sx * sy)
    return 0.85 < sx < 1.18 and 0.85 < sy < 1.18 and abs(angle) < 8 and shear < 0.06


def _coverage(small: np.ndarray, ref: Reference, a: np.ndarray) -> float:
    """Share of the blank's ink that has ink under it on the page once laid over it."""
    h, w = ref.image.shape
    warped = cv2.warpPerspective(small, a, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=255)
    page_ink = cv2.dilate((warped < 170).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    total = int(ref.ink.sum())
    return float((page_ink & ref.ink).sum()) / total if total else 0.0


def _upright(a: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, bool]:
    """ORB is rotation-invariant, so a page scanned upside down matches with a ~180° turn:
    express that as an upright transform into the page turned 180°."""
    a = a / a[2, 2]
    if a[0, 0] > 0:
        return a, False
    h, w = shape
    turn = np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], np.float64)
    turned = turn @ a
    return turned / turned[2, 2], True


THUMB = (48, 62)  # (width, height) of the thumbnails that order the blank pages to try


def _thumb(image: np.ndarray) -> np.ndarray:
    t = cv2.resize(image, THUMB, interpolation=cv2.INTER_AREA).astype(np.float32)
    t -= t.mean()
    return t / (float(np.linalg.norm(t)) or 1.0)


def likely_first(small: np.ndarray, refs: list[Reference]) -> list[Reference]:
    """The blank pages in the order worth trying: the one whose thumbnail looks most like the
    page (upright or turned) first. Only the order changes, so only the work: a page that is
    the second page of a form no longer pays for a full match against the first one."""
    page = _thumb(small)
    turned = page[::-1, ::-1]

    def likeness(ref: Reference) -> float:
        return max(float((page * ref.thumb).sum()), float((turned * ref.thumb).sum()))

    return sorted(refs, key=likeness, reverse=True)


def match_page(small: np.ndarray, refs: list[Reference]) -> Match | None:
    """Best template page for a page image at REG_DPI (upright or turned 180°), or None."""
    cv2.setRNGSeed(1)  # RANSAC samples at random: the same page must always read the same
    refs = likely_first(small, refs)
    kps, desc = _orb().detectAndCompute(small, None)
    if desc is None or len(kps) < MIN_INLIERS:
        return None
    pts = np.float32([k.pt for k in kps])
    turned = np.ascontiguousarray(small[::-1, ::-1])
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    best: Match | None = None
    candidates: list[Match] = []
    for ref in refs:
        if ref.descriptors is None:
            continue
        pairs = matcher.knnMatch(ref.descriptors, desc, k=2)
        good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.8 * p[1].distance]
        if len(good) < MIN_INLIERS:
            continue
        src = ref.keypoints[[m.queryIdx for m in good]]
        dst = pts[[m.trainIdx for m in good]]
        # An affine fit is the steadier; a homography is tried only when the affine leaves the
        # form's print uncovered (a keystoned page), and kept only when it covers more. A page
        # whose matches to this blank hold no affine fit at all (fewer than MIN_INLIERS agree) is
        # not this blank, keystoned or not: the homography's RANSAC would run all its iterations
        # on the chance matches of a letter or a list (nine in ten of the homographies a batch
        # computed, a 40th of capture's CPU).
        for kind in ("affine", "homography"):
            if kind == "affine":
                a, mask = cv2.estimateAffine2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=3.0,
                                               maxIters=2000, confidence=0.995)
                a = np.vstack([a, [0, 0, 1]]) if a is not None else None
            else:
                if best is not None and best.coverage > 0.9:
                    break
                a, mask = cv2.findHomography(src, dst, cv2.RANSAC, 3.0, maxIters=2000, confidence=0.995)
            if a is None or mask is None or int(mask.sum()) < MIN_INLIERS:
                if kind == "affine":
                    break
                continue
            a, rotated = _upright(a, small.shape)
            if not _plausible(a):  # a sheared affine fit of a keystoned page: the homography may fit
                continue
            coverage = _coverage(turned if rotated else small, ref, a)
            candidate = Match(ref.template_id, ref.page_index, rotated, a, int(mask.sum()), coverage)
            candidates.append(candidate)
            if best is None or (coverage, candidate.inliers) > (best.coverage, best.inliers):
                best = candidate
        if best is not None and best.coverage > 0.93:
            break  # the printed form is all there: no other blank page will fit better
    if best is not None and best.coverage < 0.9:
        # A rough fit of the right page can cover less than a rough fit of a look-alike page
        # (the two revisions share their header): refine the likely ones, best first.
        for candidate in sorted(candidates, key=lambda c: -c.coverage):
            if candidate.coverage < 0.4:
                break
            refined = _refine(turned if candidate.rotated else small, refs, candidate)
            if refined.coverage > best.coverage:
                best = refined
            if best.coverage >= 0.9:
                break
    if best is None or best.coverage < MIN_COVERAGE:
        return None
    return best


def _ecc(tpl: np.ndarray, page: np.ndarray, warp: np.ndarray, scale: float, iterations: int) -> np.ndarray | None:
    """One ECC run at ``scale`` of REG_DPI; the homography in and out is at REG_DPI."""
    s = np.diag([scale, scale, 1.0])
    small = [cv2.resize(cv2.GaussianBlur(im, (0, 0), 1.0), None, fx=scale, fy=scale,
                        interpolation=cv2.INTER_AREA).astype(np.float32) for im in (tpl, page)]
    w = (s @ warp @ np.linalg.inv(s)).astype(np.float32)
    try:
        _, w = cv2.findTransformECC(small[0], small[1], w, cv2.MOTION_HOMOGRAPHY,
                                    (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iterations, 1e-5), None, 3)
    except cv2.error:
        return None
    out = np.linalg.inv(s) @ w.astype(np.float64) @ s
    return out / out[2, 2]


def _refine(page: np.ndarray, refs: list[Reference], match: Match) -> Match:
    """ECC on the blurred page and blank, from the feature estimate: hand-printed pages give
    ORB many features of their own, and the estimate can be a point or two off; ECC pulls the
    form's ruling onto the blank's. Kept only when more of the blank's print is covered."""
    ref = next(r for r in refs if (r.template_id, r.page_index) == (match.template_id, match.page_index))
    # First at half the resolution (a quarter of the work; ECC is sub-pixel), then, if the
    # print is still not all covered, once more at full resolution from there.
    warp, coverage = match.matrix, match.coverage
    for scale, iterations in ((0.5, 40), (1.0, 30)):
        if coverage >= 0.9 or (scale == 1.0 and coverage < 0.6):
            break  # done, or not this page: the costlier pass is for a fit that is nearly there
        found = _ecc(ref.image, page, warp, scale, iterations)
        if found is None or not _plausible(found):
            continue
        found_coverage = _coverage(page, ref, found)
        if found_coverage > coverage:
            warp, coverage = found, found_coverage
    if coverage <= match.coverage:
        return match
    return Match(match.template_id, match.page_index, match.rotated, warp, match.inliers, coverage)


# A page that the fit of the whole page leaves drifting sideways further down (a fax whose scan
# head wandered): the drift of each band of the blank, found by sliding the band's print along
# the page's. Bands half an inch high every quarter inch; drift up to a third of an inch.
BAND_PX = 50
BAND_STEP = 25
DRIFT_PX = 34
DRIFT_MIN_PT = 3.0  # less is left to each field's own alignment (which reaches about 5.8 points)


@dataclass(frozen=True)
class Drift:
    """How far, in points, the page's content lies to the right of where the page's fit puts it,
    band by band down the blank (template points)."""
    ys: np.ndarray  # band centres, template points
    dx: np.ndarray  # sideways drift there, points

    def at(self, rect) -> tuple[float, float]:
        """The (x, y) offset in points to look for a field's rect at: none where the drift is small."""
        if not len(self.ys):
            return 0.0, 0.0
        dx = float(np.interp((rect[1] + rect[3]) / 2.0, self.ys, self.dx))
        return (dx, 0.0) if abs(dx) >= DRIFT_MIN_PT else (0.0, 0.0)


def _band_profiles(ink: np.ndarray) -> np.ndarray:
    """(bands, width): the ink of each band of BAND_PX rows, every BAND_STEP rows, summed down
    its columns (vertical rules and letters make the peaks of such a profile)."""
    n = ink.shape[0] // BAND_STEP
    blocks = ink[: n * BAND_STEP].reshape(n, BAND_STEP, ink.shape[1]).sum(axis=1, dtype=np.float32)
    return blocks[:-1] + blocks[1:]


def page_drift(page: np.ndarray, ref: Reference, matrix: np.ndarray) -> Drift:
    """The sideways drift of a registered page (at REG_DPI, turned as ``matrix`` expects): each
    band's profile slid along the blank's."""
    h, w = ref.image.shape
    aligned = cv2.warpPerspective(page, matrix, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                  borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    page_bands = _band_profiles(aligned < 160)
    ys, dxs = [], []
    for i, band in enumerate(ref.bands):
        band = band[None, DRIFT_PX: w - DRIFT_PX]
        if band.sum() < 200:
            continue  # too little print in the band to tell
        scores = cv2.matchTemplate(page_bands[i: i + 1], band, cv2.TM_CCORR_NORMED)[0]
        best = int(np.argmax(scores))
        if scores[best] < 0.5:
            continue  # the band's print is not found there: a stamp, a fold, a torn corner
        ys.append((i * BAND_STEP + BAND_PX / 2) / PT)
        dxs.append((best - DRIFT_PX) / PT)
    if len(dxs) >= 3:  # one band's odd answer is not drift
        dxs = [float(np.median(dxs[max(0, i - 1): i + 2])) for i in range(len(dxs))]
    return Drift(np.array(ys), np.array(dxs))


def to_source_matrix(a: np.ndarray, dpi_x: float, dpi_y: float) -> np.ndarray:
    """Compose: template points -> REG_DPI template pixels -> REG_DPI page pixels -> source pixels."""
    pre = np.array([[PT, 0, 0], [0, PT, 0], [0, 0, 1]], np.float64)
    post = np.array([[dpi_x / REG_DPI, 0, 0], [0, dpi_y / REG_DPI, 0], [0, 0, 1]], np.float64)
    full = post @ a @ pre
    return full / full[2, 2]
