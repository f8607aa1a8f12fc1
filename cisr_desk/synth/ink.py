"""Vector "ink" on a PDF page: typed text, hand-printed capitals, check marks, signatures, stamps.

Everything is drawn as PDF vectors with PyMuPDF and only rasterised later by ``scan``, so the same
drawing code serves paper scans at any dpi and the digital (never rasterised) signature. Hand
printing uses real handwriting fonts with per-character jitter because a reader trained on one
clean font learns nothing about the back office's mail.
"""
from __future__ import annotations

import glob
import math
import random
from dataclasses import dataclass
from functools import lru_cache

import pymupdf

Rect = tuple[float, float, float, float]

BASE14 = {"helv": "Helvetica", "tiro": "Times-Roman", "cour": "Courier"}
TYPED_FILES = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
)
HAND_PATTERNS = (  # Debian packages fonts-dkg-handwriting, fonts-breip, fonts-comic-neue (not
    # fonts-femkeklaver: its letters are outlines, which no one writes by hand)
    "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf",
    "/usr/share/fonts/truetype/fifthhorseman/dkgBd.ttf",
    "/usr/share/fonts/truetype/breip/Breip.ttf",
    "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf",
    "/usr/share/fonts/opentype/comic-neue/ComicNeue-Light.otf",
    "/usr/share/fonts/opentype/comic-neue/ComicNeue-Italic.otf",
)
FALLBACK_HAND = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
                 "/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf")
BLACK_INKS = ((0.05, 0.05, 0.08), (0.12, 0.12, 0.14), (0.0, 0.0, 0.0), (0.2, 0.2, 0.22))
BLUE_INKS = ((0.08, 0.12, 0.55), (0.1, 0.2, 0.6), (0.05, 0.08, 0.4))


@dataclass(frozen=True)
class FontChoice:
    """A font as PyMuPDF needs it: a base-14 name, or a short alias plus the file to embed."""
    alias: str
    path: str = ""  # "" for base-14

    def install(self, page: pymupdf.Page) -> str:
        if self.path:
            page.insert_font(fontname=self.alias, fontfile=self.path)
        return self.alias

    @property
    def font(self) -> pymupdf.Font:
        return _font(self.alias, self.path)


@lru_cache(maxsize=None)
def _font(alias: str, path: str) -> pymupdf.Font:
    return pymupdf.Font(fontfile=path) if path else pymupdf.Font(alias)


def _existing(paths: tuple[str, ...]) -> list[str]:
    return [p for p in paths if glob.glob(p)]


@lru_cache(maxsize=1)
def typed_fonts() -> tuple[FontChoice, ...]:
    files = [FontChoice(f"ty{i}", p) for i, p in enumerate(_existing(TYPED_FILES))]
    return tuple([FontChoice(a) for a in BASE14] * 2 + files)


@lru_cache(maxsize=1)
def hand_fonts() -> tuple[FontChoice, ...]:
    """Handwriting fonts found on this machine; a slanted sans when none is installed."""
    found = _existing(HAND_PATTERNS) or _existing(FALLBACK_HAND)
    return tuple(FontChoice(f"hw{i}", p) for i, p in enumerate(found)) or (FontChoice("helv"),)


@dataclass
class Pen:
    """One writer's hand: font, ink, size and how unsteady they are. Chosen once per form."""
    font: FontChoice
    color: tuple[float, float, float]
    size: float
    jitter: float  # 0 (typed) .. 1 (messy)
    slant: float
    weight: float  # stroke added to glyph outlines, relative to size
    hand: bool

    @classmethod
    def typed(cls, rng: random.Random) -> "Pen":
        return cls(rng.choice(typed_fonts()), (0, 0, 0), rng.uniform(9.0, 12.0), 0.0, 0.0, 0.0, False)

    @classmethod
    def handwriting(cls, rng: random.Random) -> "Pen":
        color = rng.choice(BLUE_INKS) if rng.random() < 0.4 else rng.choice(BLACK_INKS)
        return cls(rng.choice(hand_fonts()), color, rng.uniform(10.5, 13.5), rng.uniform(0.3, 1.0),
                   rng.uniform(-0.08, 0.22), rng.uniform(0.0, 0.05), True)


def _ascent(pen: Pen) -> float:
    """Cap height of the pen's font as a fraction of the size (so that letters stay in the box)."""
    asc = pen.font.font.ascender
    return min(0.8, max(0.62, asc * 0.85))


def write(page: pymupdf.Page, rect: Rect, text: str, pen: Pen, rng: random.Random, *, left: float | None = None,
          shape: pymupdf.Shape | None = None) -> None:
    """Write ``text`` on one line inside ``rect``: shrunk to fit, baseline a little above the bottom."""
    if not text:
        return
    x0, y0, x1, y1 = rect
    alias = pen.font.install(page)
    own = shape is None
    shape = shape or page.new_shape()
    height = y1 - y0
    overshoot = 1.18 if pen.hand and rng.random() < 0.12 else 1.0  # some people write up to the box edge
    size = min(pen.size * overshoot, (height - 2.0) * overshoot / _ascent(pen) if height > 8 else pen.size)
    pad = left if left is not None else (rng.uniform(2.0, 7.0) if pen.hand else rng.uniform(2.0, 4.0))
    spacing = [1.0 + (rng.uniform(-0.06, 0.14) * pen.jitter if pen.hand else 0.0) for _ in text]
    width = sum(pen.font.font.text_length(ch, size) * s for ch, s in zip(text, spacing))
    room = (x1 - x0) - pad - 2.0
    if width > room:
        size *= room / width
        width = room
    base = y1 - rng.uniform(2.0, 3.5) - (rng.uniform(-0.8, 1.2) * pen.jitter if pen.hand else 0.0)
    x = x0 + pad
    if not pen.hand:
        shape.insert_text((x, base), text, fontsize=size, fontname=alias, color=pen.color)
    else:
        drift = rng.uniform(-0.6, 0.6) * pen.jitter / max(1.0, width)
        for ch, s in zip(text, spacing):
            adv = pen.font.font.text_length(ch, size) * s
            if ch != " ":
                _glyph(shape, alias, ch, (x, base + drift * (x - x0 - pad)), size, pen, rng)
            x += adv
    if own:
        shape.commit()


def _glyph(shape: pymupdf.Shape, alias: str, ch: str, at: tuple[float, float], size: float, pen: Pen,
           rng: random.Random) -> None:
    j = pen.jitter
    sz = size * (1.0 + rng.uniform(-0.07, 0.07) * j)
    x, y = at[0] + rng.uniform(-0.3, 0.3) * j, at[1] + rng.uniform(-0.7, 0.7) * j
    slant = pen.slant + rng.uniform(-0.07, 0.07) * j
    angle = math.radians(rng.uniform(-4, 4) * j)
    mat = pymupdf.Matrix(1, 0, -slant, 1, 0, 0) * pymupdf.Matrix(math.cos(angle), math.sin(angle),
                                                                 -math.sin(angle), math.cos(angle), 0, 0)
    weight = max(0.0, pen.weight + rng.uniform(-0.01, 0.01))
    shape.insert_text((x, y), ch, fontsize=sz, fontname=alias, color=pen.color, fill=pen.color,
                      render_mode=2 if weight > 0.004 else 0, border_width=weight,
                      morph=(pymupdf.Point(x, y), mat))


def write_comb(page: pymupdf.Page, cells: tuple[Rect, ...], text: str, pen: Pen, rng: random.Random) -> None:
    """One character a cell, centred (typed) or roughly centred (hand)."""
    if not text:
        return
    alias = pen.font.install(page)
    shape = page.new_shape()
    for ch, (x0, y0, x1, y1) in zip(text, cells):
        size = min(pen.size, (y1 - y0 - 2.0) / _ascent(pen))
        w = pen.font.font.text_length(ch, size)
        x = (x0 + x1 - w) / 2 + (rng.uniform(-1.5, 1.5) * pen.jitter if pen.hand else 0.0)
        base = y1 - (2.5 if not pen.hand else rng.uniform(1.8, 3.8))
        if pen.hand:
            _glyph(shape, alias, ch, (x, base), size, pen, rng)
        else:
            shape.insert_text((x, base), ch, fontsize=size, fontname=alias, color=pen.color)
    shape.commit()


def check_mark(page: pymupdf.Page, rect: Rect, kind: str, color: tuple[float, float, float], rng: random.Random) -> None:
    """An X, a tick or a filled box, sometimes a little off-centre or over the edge."""
    x0, y0, x1, y1 = rect
    dx, dy = rng.uniform(-1.6, 1.6), rng.uniform(-1.6, 1.2)
    w, h = x1 - x0, y1 - y0
    shape = page.new_shape()
    width = rng.uniform(0.8, 1.6)
    if kind == "x":
        m = rng.uniform(0.5, 2.0)
        shape.draw_line((x0 + m + dx, y0 + m + dy), (x1 - m + dx + rng.uniform(-1, 1), y1 - m + dy))
        shape.draw_line((x1 - m + dx, y0 + m + dy + rng.uniform(-1, 1)), (x0 + m + dx, y1 - m + dy))
    elif kind == "tick":
        shape.draw_polyline([(x0 + 0.15 * w + dx, y0 + 0.5 * h + dy), (x0 + 0.42 * w + dx, y1 - 0.1 * h + dy),
                             (x1 + rng.uniform(0.0, 3.0) + dx, y0 - rng.uniform(0.5, 3.0) + dy)])
    else:
        m = rng.uniform(0.8, 1.8)
        shape.draw_rect(pymupdf.Rect(x0 + m + dx * 0.3, y0 + m + dy * 0.3, x1 - m + dx * 0.3, y1 - m + dy * 0.3))
        shape.finish(color=color, fill=color, width=0.5)
        shape.commit()
        return
    shape.finish(color=color, width=width, lineCap=1, lineJoin=1, closePath=False)
    shape.commit()


def _catmull(points: list[tuple[float, float]], steps: int = 6) -> list[tuple[float, float]]:
    """A smooth curve through the control points (Catmull-Rom), like a pen that does not stop."""
    pts = [points[0]] + points + [points[-1]]
    out = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            out.append(tuple(0.5 * (2 * p1[k] + (-p0[k] + p2[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                                    + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3) for k in (0, 1)))
    out.append(points[-1])
    return out  # type: ignore[return-value]


def signature(page: pymupdf.Page, rect: Rect, color: tuple[float, float, float], rng: random.Random,
              *, fill: float | None = None) -> None:
    """A cursive-looking scribble: one to three pen strokes of humps and loops, like a hurried name."""
    x0, y0, x1, y1 = rect
    fill = fill if fill is not None else rng.uniform(0.2, 0.6)
    length = (x1 - x0 - 20) * fill
    base = y1 - rng.uniform(2.0, 4.0)
    amp = (y1 - y0) * rng.uniform(0.45, 0.8)
    shape = page.new_shape()
    strokes = rng.choice((1, 2, 2, 3))
    x = x0 + rng.uniform(8, 30)
    slant = rng.uniform(0.1, 0.45)
    for _ in range(strokes):
        seg = length / strokes * rng.uniform(0.6, 1.2)
        end = x + seg
        pts = [(x, base - amp * rng.uniform(0.0, 0.3))]
        first = True
        while x < end:
            dx = rng.uniform(3.5, 9.0)
            h = amp * (rng.uniform(1.0, 1.25) if first or rng.random() < 0.15 else rng.uniform(0.3, 0.8))
            top = (x + dx * 0.5 + h * slant, base - h)
            if rng.random() < 0.45:  # a loop: up, back over the top, down on the left of the upstroke
                pts += [(x + dx * 0.35, base - h * 0.4), top, (x + dx * 0.1 + h * slant * 0.5, base - h * 0.75)]
            else:
                pts += [top]
            pts.append((x + dx, base - rng.uniform(0.0, 0.15) * amp))
            x += dx
            first = False
        shape.draw_polyline(_catmull(pts))
        x += rng.uniform(4, 12)
    if rng.random() < 0.35:  # an underline flourish
        shape.draw_polyline(_catmull([(x0 + rng.uniform(8, 30), base + 1.5), (x - rng.uniform(0, 15), base + rng.uniform(-1, 2.5))]))
    shape.finish(color=color, width=rng.uniform(0.7, 1.3), lineCap=1, lineJoin=1, closePath=False)
    shape.commit()


def received_stamp(page: pymupdf.Page, at: tuple[float, float], when: str, rng: random.Random) -> None:
    """The mail room's rubber stamp: RECEIVED, the date, the office, slightly crooked and faint."""
    color = rng.choice(((0.55, 0.1, 0.12), (0.2, 0.25, 0.6), (0.35, 0.35, 0.38), (0.45, 0.1, 0.45)))
    x, y = at
    angle = rng.uniform(-3, 3)
    mat = pymupdf.Matrix(angle)
    pivot = pymupdf.Point(x + 60, y + 20)
    shape = page.new_shape()
    shape.draw_rect(pymupdf.Rect(x, y, x + 125, y + 44))
    shape.draw_rect(pymupdf.Rect(x + 3, y + 3, x + 122, y + 41))
    shape.finish(color=color, width=1.1, morph=(pivot, mat))
    shape.insert_text((x + 22, y + 17), "RECEIVED", fontsize=13, fontname="hebo", color=color, morph=(pivot, mat))
    shape.insert_text((x + 28, y + 30), when, fontsize=11, fontname="hebo", color=color, morph=(pivot, mat))
    shape.insert_text((x + 22, y + 38), "SCE RULE 24 PROCESSING", fontsize=5, fontname="helv", color=color,
                      morph=(pivot, mat))
    shape.commit()
