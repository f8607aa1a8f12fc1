"""Hershey stroke fonts (Debian package hershey-fonts-data): letters as pen strokes, not outlines.

A ``.jhf`` file holds one glyph a line for the 95 printable ASCII characters from the space on:
columns 0-4 a number, 5-7 the count of coordinate pairs, then pairs of characters, each an offset
from ``R``; the first pair is the glyph's left and right edge, `` R`` lifts the pen. y grows
downwards; capitals stand from -12 to the baseline at 9 in the Roman and script sets.

OpenCV's FONT_HERSHEY_* faces would be the obvious source, but OpenCV 5 draws them from built-in
outline fonts; the strokes themselves are what make a stroke hand useful here, because each
stroke can be bent a little differently every time it is written.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

FOLDER = "/usr/share/hershey-fonts"
CAP_TOP, BASELINE = -12, 9


@dataclass(frozen=True)
class StrokeGlyph:
    left: int
    right: int
    strokes: tuple[np.ndarray, ...]  # each (n, 2) float: x, y in font units, y down, baseline at 9

    @property
    def advance(self) -> int:
        return self.right - self.left


def _parse(line: str) -> StrokeGlyph:
    body = line[8:]
    left, right = ord(body[0]) - 82, ord(body[1]) - 82
    strokes, cur = [], []
    for i in range(2, len(body) - 1, 2):
        pair = body[i:i + 2]
        if pair == " R":
            if cur:
                strokes.append(np.array(cur, np.float32))
            cur = []
        else:
            cur.append((ord(pair[0]) - 82, ord(pair[1]) - 82))
    if cur:
        strokes.append(np.array(cur, np.float32))
    return StrokeGlyph(left, right, tuple(strokes))


@lru_cache(maxsize=16)
def load(path: str) -> dict[str, StrokeGlyph]:
    """The font's glyphs by character (space to ~)."""
    with open(path, encoding="ascii", errors="replace") as f:
        lines = [ln.rstrip("\n") for ln in f if ln.strip()]
    return {chr(32 + i): _parse(ln) for i, ln in enumerate(lines[:95])}
