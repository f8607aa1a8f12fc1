"""The OCR engine behind a small protocol, so tests can swap in a fake and the fast in-process
binding can stand in for the command-line one.

``TesserocrEngine`` keeps one Tesseract API per process (≈ 0.01 s a field here);
``PytesseractEngine`` starts the ``tesseract`` program per call (≈ 0.15 s a field) and is the
fallback where tesserocr cannot be installed. Both run with ``OMP_THREAD_LIMIT=1``: pages run
in parallel processes, so Tesseract's own threads would only fight over the cores.
"""
from __future__ import annotations

import glob
import os
import shutil
import sys
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DIGITS = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOWER = UPPER.lower()


class OcrError(RuntimeError):
    pass


class TesseractMissing(OcrError):
    """No Tesseract found: the message says how to install it."""


@dataclass
class OcrText:
    text: str
    confidence: float  # 0..1, the least sure character's (a word is as good as its worst letter)
    char_confidences: list[float] = field(default_factory=list)
    # What a reader saw of the line, to read it again with more known (ppocr.Trace), or None.
    trace: object | None = field(default=None, repr=False, compare=False)


class OcrEngine(Protocol):
    name: str

    def read_line(self, image: np.ndarray, charset: str | None = None) -> OcrText:
        """Read one line of text from a grey image (dark ink on white)."""

    def read_page(self, image: np.ndarray) -> str:
        """All the text of a page (layout analysis on): used only to tell what a page is."""


INSTALL_HINT = ("Install Tesseract: on Debian/Ubuntu `sudo apt-get install tesseract-ocr`, on Windows the "
                "UB Mannheim installer, on macOS `brew install tesseract`; or set its location in Settings.")


def tessdata_dir() -> str | None:
    """Where eng.traineddata is: TESSDATA_PREFIX, a bundle's tessdata/, or the system's."""
    candidates = [os.environ.get("TESSDATA_PREFIX", "")]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(os.path.join(frozen, "tessdata"))
    candidates += sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"), reverse=True)
    candidates += ["/usr/share/tessdata", "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata",
                   r"C:\Program Files\Tesseract-OCR\tessdata"]
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, "eng.traineddata")):
            return c
    return None


def tesseract_binary(configured: str | None = None) -> str | None:
    """The tesseract program: the configured one (argument or CISR_DESK_TESSERACT), one bundled
    beside the app, or on PATH."""
    options = [configured] if configured else []
    if os.environ.get("CISR_DESK_TESSERACT"):
        options.append(os.environ["CISR_DESK_TESSERACT"])
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        options.append(os.path.join(frozen, "tesseract", "tesseract"))
    options.append(shutil.which("tesseract"))
    for o in options:
        if o and os.path.isfile(o) and os.access(o, os.X_OK):
            return o
    return None


def strip_stray_marks(words: list[tuple[str, list[float]]]) -> list[tuple[str, list[float]]]:
    """Drop a lone mark read as a word of its own at either end of a line ("Walnut Ave ."):
    the remnant of a box rule or a speck, not part of a name, and with it the low
    confidence that would send a clean typed line to the slower reader."""
    while words and len(words[-1][0]) == 1 and not words[-1][0].isalnum():
        words = words[:-1]
    while words and len(words[0][0]) == 1 and not words[0][0].isalnum() and words[0][0] not in "#(":
        words = words[1:]
    return words


class TesserocrEngine:
    name = "tesserocr"

    def __init__(self) -> None:
        try:
            import tesserocr
        except ImportError as exc:
            raise TesseractMissing(f"the tesserocr binding is not installed ({exc})") from None
        path = tessdata_dir()
        if path is None:
            raise TesseractMissing("Tesseract's English data (eng.traineddata) was not found. " + INSTALL_HINT)
        self._t = tesserocr
        self._line = tesserocr.PyTessBaseAPI(path=path, lang="eng", psm=tesserocr.PSM.SINGLE_LINE,
                                             oem=tesserocr.OEM.LSTM_ONLY)
        self._page = tesserocr.PyTessBaseAPI(path=path, lang="eng", psm=tesserocr.PSM.AUTO,
                                             oem=tesserocr.OEM.LSTM_ONLY)
        self._line.SetVariable("load_system_dawg", "0")  # names and numbers, not dictionary words
        self._line.SetVariable("load_freq_dawg", "0")

    def _run(self, api, image: np.ndarray, charset: str | None) -> OcrText:
        api.SetVariable("tessedit_char_whitelist", charset or "")
        image = np.ascontiguousarray(image, np.uint8)
        # The grey pixels as they are (SetImage would encode a PIL image to BMP first).
        api.SetImageBytes(image.tobytes(), image.shape[1], image.shape[0], 1, image.shape[1])
        api.SetSourceResolution(300)
        api.Recognize()
        text = (api.GetUTF8Text() or "").strip()
        words: list[tuple[str, list[float]]] = []
        it = api.GetIterator()
        word_level, level = self._t.RIL.WORD, self._t.RIL.SYMBOL
        if it is not None:
            for sym in self._t.iterate_level(it, level):
                try:
                    ch = sym.GetUTF8Text(level).strip()
                except RuntimeError:  # an empty result has no symbols
                    continue
                if not ch:
                    continue
                if sym.IsAtBeginningOf(word_level) or not words:
                    words.append(("", []))
                word, confs = words[-1]
                words[-1] = (word + ch, confs + [max(0.0, min(1.0, sym.Confidence(level) / 100.0))])
        if words and len(words) == len(text.split()):
            words = strip_stray_marks(words)
            text = " ".join(w for w, _ in words)
        confs = [c for _, cs in words for c in cs]
        return OcrText(text, min(confs) if confs else (0.0 if text else 1.0), confs)

    def read_line(self, image: np.ndarray, charset: str | None = None) -> OcrText:
        return self._run(self._line, image, charset)

    def read_page(self, image: np.ndarray) -> str:
        from PIL import Image

        self._page.SetImage(Image.fromarray(image))
        return self._page.GetUTF8Text() or ""


class PytesseractEngine:
    name = "pytesseract"

    def __init__(self, binary: str | None = None, timeout: float = 10.0) -> None:
        import pytesseract

        found = tesseract_binary(binary)
        if found is None:
            raise TesseractMissing("the tesseract program was not found. " + INSTALL_HINT)
        pytesseract.pytesseract.tesseract_cmd = found
        self._p = pytesseract
        self._timeout = timeout

    def _run(self, image: np.ndarray, psm: int, charset: str | None) -> OcrText:
        config = f"--psm {psm} --oem 1 -c load_system_dawg=0 -c load_freq_dawg=0"
        if charset:
            config += f" -c tessedit_char_whitelist={charset}"
        try:
            data = self._p.image_to_data(image, config=config, timeout=self._timeout,
                                         output_type=self._p.Output.DICT)
        except RuntimeError as exc:  # pytesseract's timeout
            raise OcrError(f"Tesseract timed out after {self._timeout:.0f} s") from exc
        except self._p.TesseractError as exc:
            raise OcrError(f"Tesseract failed: {exc}") from exc
        words = [(w, float(c)) for w, c in zip(data["text"], data["conf"]) if w.strip()]
        text = " ".join(w for w, _ in words)
        confs = [max(0.0, c / 100.0) for _, c in words]
        return OcrText(text, min(confs) if confs else (0.0 if text else 1.0), confs)

    def read_line(self, image: np.ndarray, charset: str | None = None) -> OcrText:
        return self._run(image, 7, charset)

    def read_page(self, image: np.ndarray) -> str:
        try:
            return self._p.image_to_string(image, config="--psm 3", timeout=self._timeout * 6)
        except RuntimeError as exc:
            raise OcrError("Tesseract timed out reading a page") from exc


_ENGINE: OcrEngine | None = None


def default_engine(prefer: str = "auto") -> OcrEngine:
    """One engine per process: the in-process binding when available, else the program."""
    global _ENGINE
    if _ENGINE is None or (prefer != "auto" and _ENGINE.name != prefer):
        if prefer in ("auto", "tesserocr"):
            try:
                _ENGINE = TesserocrEngine()
                return _ENGINE
            except TesseractMissing:
                if prefer == "tesserocr":
                    raise
        _ENGINE = PytesseractEngine()
    return _ENGINE
