"""Vector "ink" on a PDF page: typed text, hand-printed capitals, check marks, signatures, stamps.

Everything is drawn as PDF vectors with PyMuPDF and only rasterised later by ``scan``, so the same
drawing code serves paper scans at any dpi and the digital (never rasterised) signature. Hand
printing is the exception: ``handwriting`` draws it letter by letter in a named writer's hand
(``writers``) and lays it on the page as ink images, because a reader trained on one clean font
learns nothing about the back office's mail.
"""
from __future__ import annotations

import datetime as dt
import glob
import random
from dataclasses import dataclass
from functools import lru_cache

import pymupdf

from cisr_desk.synth import handwriting, writers
from cisr_desk.synth.writers import Writer

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


@dataclass
class Pen:
    """Typed text's font and size, or a writer's hand and ink. Chosen once per form."""
    font: FontChoice
    color: tuple[float, float, float]
    size: float
    writer: Writer | None = None  # None: typed

    @property
    def hand(self) -> bool:
        return self.writer is not None

    @classmethod
    def typed(cls, rng: random.Random) -> "Pen":
        return cls(rng.choice(typed_fonts()), (0, 0, 0), rng.uniform(9.0, 12.0))

    @classmethod
    def handwriting(cls, rng: random.Random, writer: Writer | None = None) -> "Pen":
        """``writer``'s hand (any writer when not said) in a blue or black pen."""
        color = rng.choice(BLUE_INKS) if rng.random() < 0.4 else rng.choice(BLACK_INKS)
        return cls(FontChoice("helv"), color, rng.uniform(10.5, 13.5), writer or writers.choose(rng))


def _ascent(pen: Pen) -> float:
    """Cap height of the pen's font as a fraction of the size (so that letters stay in the box)."""
    asc = pen.font.font.ascender
    return min(0.8, max(0.62, asc * 0.85))


def write(page: pymupdf.Page, rect: Rect, text: str, pen: Pen, rng: random.Random, *, left: float | None = None,
          shape: pymupdf.Shape | None = None) -> None:
    """Write ``text`` on one line inside ``rect``: shrunk to fit, baseline a little above the bottom."""
    if not text:
        return
    if pen.writer is not None:
        handwriting.write_line(page, rect, text, pen.writer, pen.size, pen.color, rng, left=left)
        return
    x0, y0, x1, y1 = rect
    alias = pen.font.install(page)
    own = shape is None
    shape = shape or page.new_shape()
    height = y1 - y0
    size = min(pen.size, (height - 2.0) / _ascent(pen) if height > 8 else pen.size)
    pad = left if left is not None else rng.uniform(2.0, 4.0)
    width = pen.font.font.text_length(text, size)
    room = (x1 - x0) - pad - 2.0
    if width > room:
        size *= room / width
    shape.insert_text((x0 + pad, y1 - rng.uniform(2.0, 3.5)), text, fontsize=size, fontname=alias, color=pen.color)
    if own:
        shape.commit()


def write_comb(page: pymupdf.Page, cells: tuple[Rect, ...], text: str, pen: Pen, rng: random.Random) -> None:
    """One character a cell, centred (typed) or as the writer keeps to the cells (hand)."""
    if not text:
        return
    if pen.writer is not None:
        handwriting.write_comb(page, cells, text, pen.writer, pen.size, pen.color, rng)
        return
    alias = pen.font.install(page)
    shape = page.new_shape()
    for ch, (x0, y0, x1, y1) in zip(text, cells):
        size = min(pen.size, (y1 - y0 - 2.0) / _ascent(pen))
        w = pen.font.font.text_length(ch, size)
        shape.insert_text(((x0 + x1 - w) / 2, y1 - 2.5), ch, fontsize=size, fontname=alias, color=pen.color)
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


def received_stamp(page: pymupdf.Page, at: tuple[float, float], when: dt.date, rng: random.Random) -> None:
    """The mail room's rubber stamp: RECEIVED, the date, the office, slightly crooked and faint.

    Stamps differ: their size, how the date is set (MAY 22 2026, 05/22/2026, MAY 22, 2026),
    and how close the small print sits under the date (on worn stamps it runs into it)."""
    color = rng.choice(((0.55, 0.1, 0.12), (0.2, 0.25, 0.6), (0.35, 0.35, 0.38), (0.45, 0.1, 0.45)))
    x, y = at
    angle = rng.uniform(-3, 3)
    # Drawn from its own generator, seeded by what was drawn already: the draws of the rest of
    # the set stay what they were.
    own = random.Random(int(angle * 1e9))
    k = own.uniform(0.85, 1.1)
    text = own.choices((when.strftime("%b %d %Y").upper(), when.strftime("%m/%d/%Y"),
                        when.strftime("%b %d, %Y").upper()), weights=(70, 20, 10))[0]
    small_at = own.choice((38.0, 38.0, own.uniform(32.5, 36.0)))
    mat = pymupdf.Matrix(angle)
    pivot = pymupdf.Point(x + 60 * k, y + 20 * k)
    shape = page.new_shape()
    shape.draw_rect(pymupdf.Rect(x, y, x + 125 * k, y + 44 * k))
    shape.draw_rect(pymupdf.Rect(x + 3 * k, y + 3 * k, x + 122 * k, y + 41 * k))
    shape.finish(color=color, width=1.1, morph=(pivot, mat))
    shape.insert_text((x + 22 * k, y + 17 * k), "RECEIVED", fontsize=13 * k, fontname="hebo", color=color,
                      morph=(pivot, mat))
    shape.insert_text((x + (28 if len(text) <= 11 else 20) * k, y + 30 * k), text, fontsize=11 * k, fontname="hebo",
                      color=color, morph=(pivot, mat))
    shape.insert_text((x + 22 * k, y + small_at * k), "SCE RULE 24 PROCESSING", fontsize=5 * k, fontname="helv",
                      color=color, morph=(pivot, mat))
    shape.commit()
