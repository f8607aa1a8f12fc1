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

from cisr_desk.capture.ocr import OcrText

HEIGHT = 48


class PpOcrMissing(RuntimeError):
    pass


def model_path() -> Path:
    try:
        import rapidocr_onnxruntime
    except ImportError as exc:
        raise PpOcrMissing(f"rapidocr-onnxruntime is not installed ({exc})") from None
    path = Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"
    if not path.is_file():
        raise PpOcrMissing(f"the PP-OCR recognition model is missing from {path.parent}")
    return path


class PpOcrReader:
    name = "ppocr"

    def __init__(self) -> None:
        import onnxruntime as ort

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
