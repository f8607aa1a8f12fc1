"""The people who fill the forms in by hand: named writers in two fixed pools.

A *hand* is the letter shapes someone learnt: a handwriting font that Debian packages, or one
of the Hershey stroke fonts (Debian's hershey-fonts-data). A *writer* is one person with a hand
plus the habits that make their printing theirs: slant, size, letter spacing, pen width, how
steady the baseline is, how much the strokes wobble, whether they cross their sevens or slash
their zeros, how carefully they keep to the comb boxes. Every parameter follows from the writer's name, so a writer looks
the same in every set, on every machine that has the hand installed.

Writers come in two pools, fixed by hand: ``TUNING`` writers may be used to fit and tune the
readers; ``HELD_OUT`` writers never are, so accuracy on them says how the readers do on hands
they have never seen (which is what the mail brings). The split is by whole hands, not by
perturbations of the same hand, because an unseen hand is what the readers actually meet.

Two handwriting font packages are never used here: they are kept for independent checks of the
readers and must not leak into anything the project generates, fits or tunes on
(tests/test_synth.py names them and greps the project for them).
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass
from functools import lru_cache

from cisr_desk.synth import hershey

POOLS = ("tuning", "held-out")
WRITERS_PER_HAND = 3


@dataclass(frozen=True)
class Hand:
    """Letter shapes: a font file, or a Hershey stroke font (``.jhf``)."""
    name: str
    path: str
    weight: float = 1.0  # how common this hand is among writers (cursive capitals are rarer)

    @property
    def stroke(self) -> bool:
        return self.path.endswith(".jhf")


# Font hands, Debian package by package (the Makefile's APT_PACKAGES installs them). Left out:
# fonts-femkeklaver (outlined letters), fonts-ecolier-court (French school cursive, ornate
# capitals nobody prints a form in), fonts-seto (the same plain strokes as kiloji),
# fonts-lobster / fonts-leckerli-one / fonts-levien-typoscript / fonts-joscelyn (display and
# period scripts), and the two packages reserved for independent checks.
_FONT_HANDS = (
    # fonts-dkg-handwriting
    ("dkg", "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf", 1.0),
    ("dkg-bold", "/usr/share/fonts/truetype/fifthhorseman/dkgBd.ttf", 0.6),
    # fonts-breip
    ("breip", "/usr/share/fonts/truetype/breip/Breip.ttf", 1.0),
    # fonts-comic-neue
    ("comic-neue", "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf", 0.7),
    ("comic-neue-light", "/usr/share/fonts/opentype/comic-neue/ComicNeue-Light.otf", 0.5),
    ("comic-neue-italic", "/usr/share/fonts/opentype/comic-neue/ComicNeue-Italic.otf", 0.5),
    # fonts-tlwg-purisa-otf (its Latin letters are hand-printed)
    ("purisa", "/usr/share/fonts/opentype/tlwg/Purisa.otf", 1.0),
    ("purisa-oblique", "/usr/share/fonts/opentype/tlwg/Purisa-Oblique.otf", 0.7),
    ("purisa-bold", "/usr/share/fonts/opentype/tlwg/Purisa-Bold.otf", 0.5),
    # fonts-klee (pencil and pen)
    ("klee", "/usr/share/fonts/truetype/klee/KleeOne-Regular.ttf", 1.0),
    ("klee-semibold", "/usr/share/fonts/truetype/klee/KleeOne-SemiBold.ttf", 0.6),
    # fonts-rufscript
    ("rufscript", "/usr/share/fonts/truetype/rufscript/Rufscript010.ttf", 1.0),
    # fonts-sjfonts
    ("stevehand", "/usr/share/fonts/truetype/sjfonts/SteveHand.ttf", 1.0),
    ("delphine", "/usr/share/fonts/truetype/sjfonts/Delphine.ttf", 0.5),
    # fonts-kaushanscript (quick brush)
    ("kaushan", "/usr/share/fonts/opentype/kaushanscript/KaushanScript-Regular.otf", 0.5),
    # fonts-kiloji (longhand, with Latin letters)
    ("kiloji", "/usr/share/fonts/truetype/kiloji/kiloji.ttf", 1.0),
    ("kiloji-bold", "/usr/share/fonts/truetype/kiloji/kiloji_b.ttf", 0.6),
    ("kiloji-p", "/usr/share/fonts/truetype/kiloji/kiloji_p.ttf", 0.6),
    # fonts-yusei-magic (permanent marker)
    ("yusei-magic", "/usr/share/fonts/truetype/yusei-magic/YuseiMagic-Regular.ttf", 0.7),
    # fonts-tomsontalks (comic lettering; no @ or #, those come from a stroke hand)
    ("tomsontalks", "/usr/share/fonts/truetype/tomsontalks/TomsonTalks.ttf", 0.8),
    # fonts-kristi (felt-tip cursive)
    ("kristi", "/usr/share/fonts/truetype/kristi/Kristi.ttf", 0.3),
    # fonts-dancingscript (cursive capitals)
    ("dancing", "/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf", 0.3),
)
# Hershey stroke fonts, Debian package hershey-fonts-data: letters as pen strokes, each drawn a
# little differently every time. (OpenCV 5 renders its FONT_HERSHEY_* faces from outline fonts,
# so OpenCV is no source of strokes.) Roman simplex (rowmans) is left out: the same letters as
# futural. The duplex sans draws each stroke twice, like a broad felt pen.
_STROKE_HANDS = (
    ("hershey-sans", "futural.jhf", 1.2),
    ("hershey-script", "scripts.jhf", 0.25),
    ("hershey-duplex", "futuram.jhf", 0.7),
    ("hershey-cursive", "cursive.jhf", 0.25),
)
# The held-out hands: never used for fitting or tuning. Fixed by name; everything else is tuning.
HELD_OUT_HANDS = frozenset({"kiloji", "kiloji-bold", "kiloji-p", "yusei-magic", "tomsontalks", "kristi", "dancing",
                            "delphine", "hershey-duplex", "hershey-cursive"})


@dataclass(frozen=True)
class Writer:
    """One person's printing. All lengths relative to the letter height unless said otherwise."""
    name: str
    hand: Hand
    size: float        # letter height relative to the usual (0.85 .. 1.2)
    slant: float       # shear, + leans right
    spacing: float     # letter spacing factor (below 1: letters touch)
    pen: float         # stroke width change, relative to letter height (-0.02 .. +0.06)
    jitter: float      # per-letter unsteadiness 0 .. 1
    wobble: float      # stroke wobble (elastic), relative to letter height
    drift: float       # baseline slope over a line, relative to letter height per letter
    wave: float        # baseline waviness, relative to letter height
    comb_fill: float   # letter height in comb boxes relative to the box (0.6 .. 1.05: over the lines)
    comb_loose: float  # how far letters stray from their comb box centres, relative to the box width
    seven_cross: bool = False
    zero_slash: bool = False
    z_cross: bool = False
    one_base: bool = False
    i_serif: bool = False
    zero_round: bool = False  # 0 as wide as O

    @property
    def pool(self) -> str:
        return pool_of(self.name)


def pool_of(name: str) -> str:
    """The pool a writer (or a hand) belongs to, from its name alone."""
    hand = name.rsplit("#", 1)[0]
    return "held-out" if hand in HELD_OUT_HANDS else "tuning"


def _make_writer(hand: Hand, k: int) -> Writer:
    name = f"{hand.name}#{k}"
    r = random.Random(f"writer:{name}")  # str seeds hash with SHA-512: the same on every run
    return Writer(
        name=name, hand=hand,
        size=r.uniform(0.85, 1.2),
        slant=r.choice((r.uniform(-0.12, 0.05), r.uniform(0.0, 0.2), r.uniform(0.1, 0.38))),
        spacing=r.choice((r.uniform(0.86, 0.97), r.uniform(0.95, 1.1), r.uniform(1.05, 1.35))),
        pen=r.choice((r.uniform(-0.02, 0.01), r.uniform(0.0, 0.03), r.uniform(0.02, 0.07))),
        jitter=r.uniform(0.25, 1.0),
        wobble=r.uniform(0.0, 0.035),
        drift=r.uniform(-0.035, 0.035),
        wave=r.uniform(0.0, 0.12),
        comb_fill=r.choice((r.uniform(0.55, 0.75), r.uniform(0.7, 0.88), r.uniform(0.85, 1.08))),
        comb_loose=r.choice((r.uniform(0.0, 0.06), r.uniform(0.04, 0.14), r.uniform(0.1, 0.22))),
        seven_cross=r.random() < 0.15,  # common in Europe, rarer on US forms
        zero_slash=r.random() < 0.1,
        z_cross=r.random() < 0.2,
        one_base=r.random() < 0.35,
        i_serif=r.random() < 0.4,
        zero_round=r.random() < 0.3,
    )


@lru_cache(maxsize=1)
def hands() -> tuple[Hand, ...]:
    """The hands installed on this machine."""
    cands = list(_FONT_HANDS) + [(n, f"{hershey.FOLDER}/{f}", w) for n, f, w in _STROKE_HANDS]
    return tuple(Hand(n, p, w) for n, p, w in cands if os.path.exists(p))


@lru_cache(maxsize=1)
def roster() -> dict[str, Writer]:
    """Every writer, by name, in a fixed order."""
    return {w.name: w for h in hands() for w in (_make_writer(h, k) for k in range(1, WRITERS_PER_HAND + 1))}


def pool(which: str) -> tuple[Writer, ...]:
    """The writers of one pool ("tuning", "held-out") or of both ("all")."""
    if which not in POOLS + ("all",):
        raise ValueError(f"unknown writer pool {which!r} (tuning, held-out or all)")
    return tuple(w for w in roster().values() if which == "all" or w.pool == which)


TUNING = tuple(w.name for w in pool("tuning"))
HELD_OUT = tuple(w.name for w in pool("held-out"))


def choose(rng: random.Random, which: str = "all") -> Writer:
    """A writer from the pool, common hands more often; "all" takes each pool half the time."""
    if which == "all":
        which = POOLS[rng.random() < 0.5]
    cands = pool(which)
    return rng.choices(cands, weights=[w.hand.weight for w in cands])[0]
