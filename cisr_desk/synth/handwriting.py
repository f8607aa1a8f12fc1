"""Hand-printing as a writer does it: letters drawn one by one, each a little different.

Each letter starts as a glyph of the writer's hand at a reference size: a font rendered with
FreeType through Pillow, then bent by a wobble of its own (a smooth random displacement), or a
Hershey stroke letter drawn afresh stroke by stroke, each stroke shifted, bent, and run past or
short of its joins. It has the writer's pen width and habits (a crossed 7, a slashed 0, a 1 with
a foot), and is placed with the writer's slant, size, spacing and
baseline, plus per-letter unsteadiness. A field is composed as one ink mask a little larger than
its box, so letters may run over the box and comb lines as real ones do, and goes onto the PDF
page as an image in the pen's ink; ``scan`` rasterises the page as before.
"""
from __future__ import annotations

import math
import os
import random
from functools import lru_cache

import cv2
import numpy as np
import pymupdf
from PIL import Image, ImageDraw, ImageFont

from cisr_desk.synth import hershey
from cisr_desk.synth.writers import Writer

REF = 64          # cap height of a reference glyph, pixels
PX_PER_PT = 5.0   # resolution of the ink masks (360 dpi): finer than any scan
MARGIN = 8.0      # points around a field where ink may stray
Rect = tuple[float, float, float, float]
STROKE_FALLBACK = f"{hershey.FOLDER}/futural.jhf"
FONT_FALLBACK = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


class Glyph:
    """An ink mask and where its pen origin (left end of the baseline) lies in it, in pixels."""
    __slots__ = ("mask", "ox", "oy", "advance")

    def __init__(self, mask: np.ndarray, ox: float, oy: float, advance: float) -> None:
        self.mask, self.ox, self.oy, self.advance = mask, ox, oy, advance


@lru_cache(maxsize=64)
def _font(path: str) -> tuple[ImageFont.FreeTypeFont, frozenset[int]]:
    """The font at the size where its capital H is REF pixels tall, and the characters it has."""
    probe = ImageFont.truetype(path, 200)
    top, bottom = probe.getbbox("H", anchor="ls")[1], 0
    size = max(8, round(200 * REF / max(1, bottom - top)))
    face = pymupdf.Font(fontfile=path)
    covered = frozenset(c for c in range(32, 127) if face.has_glyph(c))
    return ImageFont.truetype(path, size), covered


def _font_glyph(path: str, ch: str) -> Glyph | None:
    font, covered = _font(path)
    if ord(ch) not in covered:
        return None
    pad = REF
    x0, y0, x1, y1 = font.getbbox(ch, anchor="ls")
    w, h = int(x1 - x0) + 2 * pad, int(y1 - y0) + 2 * pad
    img = Image.new("L", (max(1, w), max(1, h)), 0)
    ImageDraw.Draw(img).text((pad - x0, pad - y0), ch, fill=255, font=font, anchor="ls")
    return Glyph(np.asarray(img, np.uint8).copy(), pad - x0, pad - y0, font.getlength(ch))


def _stroke_glyph(path: str, ch: str, w: Writer, nprng: np.random.Generator | None) -> Glyph | None:
    """A stroke letter drawn afresh: every stroke shifted, bent and over- or undershot a little."""
    src = hershey.load(path).get(ch)
    if src is None:
        return None
    k = REF / (hershey.BASELINE - hershey.CAP_TOP)
    multi = path.endswith(("futuram.jhf", "rowmand.jhf", "rowmant.jhf", "scriptc.jhf"))  # strokes drawn twice
    thick = max(2, round(REF * ((0.035 + 0.4 * w.pen) if multi else (0.07 + 0.8 * w.pen))))
    pad = REF
    strokes = []
    for st in src.strokes:
        pts = (st - [src.left, hershey.BASELINE]) * k
        if nprng is not None and len(pts) > 1:
            j = w.jitter
            pts = pts + nprng.normal(0, 0.035 * REF * j, 2)  # where the stroke starts
            bend = nprng.normal(0, 0.025 * REF * j, (2, 2))  # a gentle bend along it
            t = np.linspace(0, 1, len(pts))[:, None]
            pts = pts + (1 - t) * bend[0] + t * bend[1] - 0.5 * (bend[0] + bend[1]) * (t * (1 - t) * 4)
            for end, prev in ((0, 1), (-1, -2)):  # run past the joins, or stop short of them
                d = pts[end] - pts[prev]
                pts[end] = pts[end] + d * nprng.uniform(-0.25, 0.45) * j
        strokes.append(pts)
    allp = np.vstack(strokes) if strokes else np.zeros((1, 2))
    x0, y0 = allp.min(axis=0) - pad
    x1, y1 = allp.max(axis=0) + pad
    mask = np.zeros((int(y1 - y0) + 1, int(x1 - x0) + 1), np.uint8)
    for pts in strokes:
        cv2.polylines(mask, [np.round((pts - [x0, y0]) * 4).astype(np.int32)], False, 255, thick, cv2.LINE_AA, 2)
    g = Glyph(mask, -x0, -y0, src.advance * k)
    if ch == "0" and w.zero_round:
        _widen(g)
    _habits(g, ch, w, thick)
    return g


def _widen(g: Glyph, by: float = 1.25) -> None:
    g.mask = cv2.resize(g.mask, None, fx=by, fy=1.0)
    g.ox *= by
    g.advance *= by


def _stroke_width(mask: np.ndarray) -> float:
    dist = cv2.distanceTransform((mask > 127).astype(np.uint8), cv2.DIST_L2, 3)
    inner = dist[dist > 0]
    return float(2 * np.percentile(inner, 90)) if inner.size else REF * 0.1


def _habits(g: Glyph, ch: str, w: Writer, t: int = 0) -> None:
    """The writer's own additions: crossed 7 and Z, slashed 0, a foot on the 1, serifs on the I."""
    if ch not in "7Z01I":
        return
    ys, xs = np.nonzero(g.mask > 127)
    if not len(xs):
        return
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()), int(ys.min()), int(ys.max())
    t = t or max(1, round(_stroke_width(g.mask)))
    cx, cy, half = (x0 + x1) // 2, (y0 + y1) // 2, max(t, (x1 - x0) // 2)
    line = lambda a, b: cv2.line(g.mask, a, b, 255, t, cv2.LINE_AA)  # noqa: E731
    if ch == "7" and w.seven_cross:  # a short bar across the stem, at half height
        row = np.nonzero(g.mask[cy] > 127)[0]
        sx = int(row.mean()) if len(row) else cx
        line((sx - int(0.15 * REF), cy), (sx + int(0.15 * REF), cy))
    elif ch == "Z" and w.z_cross:
        line((cx - int(0.3 * REF), cy), (cx + int(0.3 * REF), cy))
    elif ch == "0" and w.zero_slash:
        line((x1 - t, y0 + t), (x0 + t, y1 - t))
    elif ch == "1" and w.one_base:
        line((cx - int(0.25 * REF), y1), (cx + int(0.25 * REF), y1))
    elif ch == "I" and w.i_serif and half < 0.2 * REF:
        line((cx - int(0.22 * REF), y0), (cx + int(0.22 * REF), y0))
        line((cx - int(0.22 * REF), y1), (cx + int(0.22 * REF), y1))


@lru_cache(maxsize=4096)
def _font_letter(w: Writer, ch: str) -> Glyph | None:
    """``ch`` in a font hand at the reference size, with the writer's pen and habits (not yet wobbled)."""
    g = _font_glyph(w.hand.path, ch)
    if g is None:
        return None
    if abs(w.pen) > 0.004:
        stroke = _stroke_width(g.mask)
        if w.pen > 0:  # a bold font gets no bolder than a marker
            r = min(round(w.pen * REF), max(0, int((0.17 * REF - stroke) / 2)))
        else:  # and a fine one no thinner than a fine pen
            r = -min(round(-w.pen * REF), max(0, int((stroke - 0.06 * REF) / 2)))
        if r:
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(r) + 1, 2 * abs(r) + 1))
            g.mask = cv2.dilate(g.mask, kernel) if r > 0 else cv2.erode(g.mask, kernel)
    if ch == "0" and w.zero_round:
        _widen(g)
    _habits(g, ch, w)
    return g


def letter(w: Writer, ch: str, nprng: np.random.Generator | None = None) -> Glyph:
    """``ch`` as ``w`` writes it this time, at the reference size (``nprng``: None for the plain shape).

    A character a font lacks comes from the stroke hand in the same pen; one that no hand has,
    from DejaVu Sans (the typed forms' font), so the truth is always written.
    """
    if w.hand.stroke:
        g = _stroke_glyph(w.hand.path, ch, w, nprng)
    else:
        g = _font_letter(w, ch)
        if g is not None and nprng is not None and w.wobble > 0:
            g = Glyph(_wobble(g.mask, w.wobble * REF * float(nprng.uniform(0.5, 1.5)), nprng), g.ox, g.oy, g.advance)
    if g is None:
        g = _stroke_glyph(STROKE_FALLBACK, ch, w, nprng) if os.path.exists(STROKE_FALLBACK) else None
    return g or _font_glyph(FONT_FALLBACK, ch) or _font_glyph(FONT_FALLBACK, "?")  # type: ignore[return-value]


@lru_cache(maxsize=4096)
def advance(w: Writer, ch: str) -> float:
    """How far the pen moves on after ``ch``, in reference pixels."""
    return letter(w, ch).advance


def _wobble(mask: np.ndarray, amount: float, nprng: np.random.Generator) -> np.ndarray:
    """Bend the strokes: a smooth random displacement field, ``amount`` pixels at most."""
    if amount < 0.5:
        return mask
    h, w = mask.shape
    grid = (max(2, h // 40), max(2, w // 40))
    fx = cv2.resize(nprng.normal(0, amount, grid).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    fy = cv2.resize(nprng.normal(0, amount, grid).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(mask, xs + fx, ys + fy, cv2.INTER_LINEAR, borderValue=0)


class Canvas:
    """The ink mask of one field: a box on the page plus a margin, PX_PER_PT pixels per point."""

    def __init__(self, rect: Rect) -> None:
        x0, y0, x1, y1 = rect
        self.x0, self.y0 = x0 - MARGIN, y0 - MARGIN
        self.w = int((x1 - x0 + 2 * MARGIN) * PX_PER_PT)
        self.h = int((y1 - y0 + 2 * MARGIN) * PX_PER_PT)
        self.mask = np.zeros((self.h, self.w), np.uint8)

    def place(self, g: Glyph, at: tuple[float, float], cap_pt: float, w: Writer, rng: random.Random,
              narrow: float = 1.0) -> None:
        """Put ``g`` with its pen origin at ``at`` (page points), letters ``cap_pt`` tall, ``narrow`` as wide."""
        j = w.jitter
        s = cap_pt * PX_PER_PT / REF * (1.0 + rng.uniform(-0.08, 0.08) * j)
        shear = w.slant + rng.uniform(-0.06, 0.06) * j
        ang = math.radians(rng.uniform(-4.0, 4.0) * j)
        stretch = narrow * (1.0 + rng.uniform(-0.07, 0.07) * j)
        src = g.mask
        # page pixel = T + R(ang) . Shear . Scale . (glyph pixel - origin)
        c, si = math.cos(ang), math.sin(ang)
        a = np.array([[c, -si], [si, c]]) @ np.array([[1.0, -shear], [0.0, 1.0]]) @ np.diag([s * stretch, s])
        px, py = (at[0] - self.x0) * PX_PER_PT, (at[1] - self.y0) * PX_PER_PT
        t = np.array([px, py]) - a @ np.array([g.ox, g.oy])
        hh, ww = src.shape
        corners = a @ np.array([[0, ww, 0, ww], [0, 0, hh, hh]], float) + t[:, None]
        bx0, by0 = max(0, int(corners[0].min()) - 1), max(0, int(corners[1].min()) - 1)
        bx1, by1 = min(self.w, int(corners[0].max()) + 2), min(self.h, int(corners[1].max()) + 2)
        if bx1 > bx0 and by1 > by0:
            m = np.hstack([a, (t - [bx0, by0])[:, None]]).astype(np.float32)
            patch = cv2.warpAffine(src, m, (bx1 - bx0, by1 - by0), flags=cv2.INTER_LINEAR, borderValue=0)
            np.maximum(self.mask[by0:by1, bx0:bx1], patch, out=self.mask[by0:by1, bx0:bx1])

    def commit(self, page: pymupdf.Page, color: tuple[float, float, float]) -> None:
        """Lay the ink on the page: the pen's colour where the mask says, paper elsewhere."""
        ys, xs = np.nonzero(self.mask.any(axis=1))[0], np.nonzero(self.mask.any(axis=0))[0]
        if not len(ys):
            return
        y0, y1, x0, x1 = int(ys[0]), int(ys[-1]) + 1, int(xs[0]), int(xs[-1]) + 1
        h, w = y1 - y0, x1 - x0
        rgba = np.empty((h, w, 4), np.uint8)
        rgba[..., :3] = np.array([round(255 * v) for v in color], np.uint8)
        rgba[..., 3] = self.mask[y0:y1, x0:x1]
        pix = pymupdf.Pixmap(pymupdf.csRGB, w, h, rgba.tobytes(), True)
        page.insert_image(pymupdf.Rect(self.x0 + x0 / PX_PER_PT, self.y0 + y0 / PX_PER_PT,
                                       self.x0 + x1 / PX_PER_PT, self.y0 + y1 / PX_PER_PT), pixmap=pix, overlay=True)


def _nprng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(63))


def _advance_pt(w: Writer, ch: str, cap_pt: float) -> float:
    return advance(w, ch) * cap_pt / REF


def write_line(page: pymupdf.Page, rect: Rect, text: str, w: Writer, size: float, color, rng: random.Random,
               left: float | None = None) -> None:
    """``text`` on one line in ``rect`` as ``w`` prints it: ``size`` is the pen's usual letter size (pt)."""
    if not text:
        return
    x0, y0, x1, y1 = rect
    height = y1 - y0
    cap = size * 0.7 * w.size
    if height > 8:
        cap = min(cap, (height - 2.5) * (1.15 if rng.random() < 0.12 else 0.92))
    pad = left if left is not None else rng.uniform(2.0, 8.0)
    spacing = w.spacing * (1.0 + rng.uniform(-0.05, 0.05))
    width = sum(_advance_pt(w, ch, cap) for ch in text) * spacing
    room = (x1 - x0) - pad - 1.0
    narrow = 1.0
    if width > room:  # people write narrower letters when the box runs out, and smaller ones after that
        squeeze = room / width
        narrow = max(0.7, squeeze)
        cap *= max(0.55, squeeze / narrow)
    base = y1 - rng.uniform(1.5, 3.5) - rng.uniform(-0.8, 1.2) * w.jitter
    canvas, nprng = Canvas(rect), _nprng(rng)
    x, n = x0 + pad, max(1, len(text))
    phase, period = rng.uniform(0, 2 * math.pi), rng.uniform(5, 12)
    slope = (w.drift + rng.uniform(-0.01, 0.01)) * cap
    for i, ch in enumerate(text):
        dy = slope * (i - n / 2) + w.wave * cap * math.sin(phase + 2 * math.pi * i / period)
        dy += rng.uniform(-0.06, 0.06) * w.jitter * cap
        adv = _advance_pt(w, ch, cap) * spacing * narrow
        if ch != " ":
            canvas.place(letter(w, ch, nprng), (x + rng.uniform(-0.04, 0.04) * w.jitter * cap, base + dy), cap, w, rng,
                         narrow)
        x += adv
    canvas.commit(page, color)


def write_comb(page: pymupdf.Page, cells: tuple[Rect, ...], text: str, w: Writer, size: float, color,
               rng: random.Random) -> None:
    """One letter a comb box, as this writer keeps (or does not keep) to the boxes."""
    if not text:
        return
    used = cells[:len(text)]
    canvas = Canvas((min(c[0] for c in used), min(c[1] for c in used), max(c[2] for c in used),
                     max(c[3] for c in used)))
    nprng = _nprng(rng)
    drift = 0.0
    for ch, (x0, y0, x1, y1) in zip(text, used):
        bw, bh = x1 - x0, y1 - y0
        cap = min(size * 0.7 * w.size, bh * w.comb_fill * (1.0 + rng.uniform(-0.06, 0.06)))
        adv = _advance_pt(w, ch, cap)
        drift = 0.6 * drift + rng.uniform(-1.0, 1.0) * w.comb_loose * bw
        x = (x0 + x1 - adv) / 2 + drift + rng.uniform(-0.05, 0.05) * w.jitter * bw
        base = y1 - max(0.5, (bh - cap) * rng.uniform(0.25, 0.6)) + rng.uniform(-0.05, 0.05) * w.jitter * bh
        canvas.place(letter(w, ch, nprng), (x, base), cap, w, rng)
    canvas.commit(page, color)
