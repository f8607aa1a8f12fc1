"""A second reader: the PP-OCRv4 line recogniser that ships inside rapidocr-onnxruntime's wheel.

It reads hand-printing far better than Tesseract and it runs offline (the model is part of the
installed package; nothing is downloaded). We call its ONNX model directly so that decoding
can be *constrained* to the characters a field may hold: for a date only digits and "/" can
win a time step, so a handwritten "2" that looks like a "Z" is read as the 2 it must be.
Agreement between this reader and Tesseract is the strongest confidence signal we have.
"""
from __future__ import annotations

import math
import os
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from cisr_desk.capture.formats import Automaton
from cisr_desk.capture.ocr import OcrText

HEIGHT = 48


class PpOcrMissing(RuntimeError):
    pass


def model_path() -> Path:
    try:
        import_onnxruntime()  # rapidocr imports onnxruntime: it must find it already without telemetry
        import rapidocr_onnxruntime
    except ImportError as exc:
        raise PpOcrMissing(f"rapidocr-onnxruntime is not installed ({exc})") from None
    path = Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"
    if not path.is_file():
        raise PpOcrMissing(f"the PP-OCR recognition model is missing from {path.parent}")
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


class PpOcrReader:
    name = "ppocr"

    def __init__(self) -> None:
        ort = import_onnxruntime()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # pages already run one process per core
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_path()), sess_options=opts,
                                             providers=["CPUExecutionProvider"])
        meta = self._session.get_modelmeta().custom_metadata_map
        self._chars = ["<blank>"] + meta["character"].splitlines() + [" "]
        self._index = {c: i for i, c in enumerate(self._chars)}
        self._input = self._session.get_inputs()[0].name

    def _allowed(self, charset: str | None) -> np.ndarray | None:
        if not charset:
            # Latin only: the model also knows thousands of CJK characters no form holds.
            charset = "".join(chr(c) for c in range(32, 127))
        return _mask(tuple(sorted(self._index[c] for c in set(charset) if c in self._index)), len(self._chars))

    def probabilities(self, image: np.ndarray) -> np.ndarray:
        """(T, C) softmax output for one grey line image (dark ink on white)."""
        h, w = image.shape[:2]
        width = max(HEIGHT, int(math.ceil(HEIGHT * w / float(h))))
        resized = cv2.resize(image, (width, HEIGHT), interpolation=cv2.INTER_AREA if h > HEIGHT else cv2.INTER_CUBIC)
        x = (resized.astype(np.float32) / 255.0 - 0.5) / 0.5
        x = np.repeat(x[None, None, :, :], 3, axis=1)
        return self._session.run(None, {self._input: x})[0][0]

    def read_line(self, image: np.ndarray, charset: str | None = None) -> OcrText:
        probs = self.probabilities(image)
        allowed = self._allowed(charset)
        masked = probs * allowed if allowed is not None else probs
        best = masked.argmax(axis=1)
        text, confs, last = [], [], 0
        for t, idx in enumerate(best):
            if idx != 0 and idx != last:
                # Confidence of a character: its share of the probability left to allowed characters.
                denom = masked[t].sum() or 1.0
                text.append(self._chars[idx])
                confs.append(float(masked[t, idx] / denom) * float(min(1.0, masked[t].sum() + 0.2)))
            last = idx
        joined = "".join(text).strip()
        return OcrText(joined, min(confs) if confs else (0.0 if joined else 1.0), confs)


    def read_format(self, image: np.ndarray, automaton: Automaton) -> OcrText:
        """The likeliest reading that the field's format accepts (CTC Viterbi over the
        automaton), with a confidence that drops when the format had to overrule the model."""
        probs = self.probabilities(image)
        return decode_constrained(probs, self._index, automaton, self._chars)


def decode_constrained(probs: np.ndarray, index: dict[str, int], automaton: Automaton,
                       chars: list[str]) -> OcrText:
    """Best CTC path whose collapsed text the automaton accepts.

    Viterbi over (automaton state, last label): a blank keeps the state, repeating the last
    character collapses into it, a new character moves the automaton.
    """
    alphabet = [c for c in automaton.alphabet if c in index]
    cols = [index[c] for c in alphabet]
    lp = np.log(probs[:, [0] + cols] + 1e-9).tolist()  # label 0 blank, 1.. alphabet
    n_states, n_labels = len(automaton.moves), len(alphabet) + 1
    neg = -1e18
    moves = [[(j + 1, automaton.moves[s][c]) for j, c in enumerate(alphabet) if c in automaton.moves[s]]
             for s in range(n_states)]
    score = [[neg] * n_labels for _ in range(n_states)]
    score[0][0] = 0.0
    back: list[list[list[tuple[int, int]]]] = []
    for row in lp:
        new = [[neg] * n_labels for _ in range(n_states)]
        ptr = [[(-1, -1)] * n_labels for _ in range(n_states)]
        for s in range(n_states):
            cur = score[s]
            best_l = max(range(n_labels), key=cur.__getitem__)
            best = cur[best_l]
            if best <= neg / 2:
                continue
            v = best + row[0]
            if v > new[s][0]:
                new[s][0], ptr[s][0] = v, (s, best_l)
            for label in range(1, n_labels):
                if cur[label] > neg / 2:  # repeat: collapses into the character already read
                    v = cur[label] + row[label]
                    if v > new[s][label]:
                        new[s][label], ptr[s][label] = v, (s, label)
            for label, dst in moves[s]:
                src_l = best_l
                if best_l == label:  # a new character must follow a blank or another character
                    src_l = max((l for l in range(n_labels) if l != label), key=cur.__getitem__)
                if cur[src_l] <= neg / 2:
                    continue
                v = cur[src_l] + row[label]
                if v > new[dst][label]:
                    new[dst][label], ptr[dst][label] = v, (s, src_l)
        score = new
        back.append(ptr)
    finals = [(score[s][l], s, l) for s in automaton.accept for l in range(n_labels)]
    best_score, s, l = max(finals)
    if best_score <= neg / 2:
        return OcrText("", 0.0, [])
    # Walk back, collecting characters where a move was made.
    out = []
    for t in range(len(back) - 1, -1, -1):
        ps, pl = back[t][s][l]
        if l != 0 and (ps != s or pl != l):
            out.append(alphabet[l - 1])
        s, l = ps, pl
    text = "".join(reversed(out))
    free = float(np.log(probs.max(axis=1) + 1e-9).sum())
    # How much likelier the unconstrained best path was: near 1 when the format agreed.
    agreement = float(np.exp(max(-50.0, (best_score - free) / max(1, len(text)))))
    return OcrText(text, agreement, [])


@lru_cache(maxsize=64)
def _mask(indices: tuple[int, ...], size: int) -> np.ndarray:
    m = np.zeros(size, np.float32)
    m[0] = 1.0
    m[list(indices)] = 1.0
    return m


_READER: PpOcrReader | None = None
_FAILED = False


def default_reader() -> PpOcrReader | None:
    """The per-process second reader, or None where its package is not installed."""
    global _READER, _FAILED
    if _READER is None and not _FAILED and os.environ.get("CISR_DESK_SECOND_READER", "1") != "0":
        try:
            _READER = PpOcrReader()
        except (PpOcrMissing, ImportError):
            _FAILED = True
    return _READER
