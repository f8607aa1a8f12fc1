"""Turn a vector page into what the mail room's scanner or fax produces, and embed it in a PDF.

Grey scans: 150/200/300 dpi, paper tone, a few degrees of skew, shift and scale, a little blur,
speckles, sensor noise and JPEG compression. Fax: 204 x 196 dpi, thresholded or dithered to
bi-level. Each result is one image on a Letter page, as scanners write their PDFs.
"""
from __future__ import annotations

import math
import random

import cv2
import numpy as np
import pymupdf

FAX = (204, 196)
BAYER4 = (np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32) + 0.5) / 16.0


def render(page: pymupdf.Page, dpi: int | str) -> np.ndarray:
    """The page as 8-bit grey at the scanner's resolution (fax: 204 across, 196 down)."""
    xdpi, ydpi = FAX if dpi == "fax" else (int(dpi), int(dpi))
    pix = page.get_pixmap(matrix=pymupdf.Matrix(xdpi / 72, ydpi / 72), colorspace=pymupdf.csGRAY, alpha=False)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, :pix.width].copy()


def degrade(img: np.ndarray, dpi: int | str, rng: random.Random, *, upside_down: bool = False,
            blank: bool = False) -> np.ndarray:
    """Skew, shift, scale, paper tone, blur, speckle and noise; the look of a tired office scanner."""
    nprng = np.random.default_rng(rng.getrandbits(63))
    h, w = img.shape
    px_per_mm = (FAX[0] if dpi == "fax" else int(dpi)) / 25.4
    paper = rng.uniform(228, 248)
    bed = rng.uniform(150, 215) if dpi != "fax" else 255.0  # what shows where the sheet leaves the glass bare
    out = img.astype(np.float32) * (paper / 255.0)
    # uneven illumination: a smooth low-resolution field scaled up
    field = nprng.normal(0, rng.uniform(1.5, 5.0), (6, 5)).astype(np.float32)
    out += cv2.resize(field, (w, h), interpolation=cv2.INTER_CUBIC)
    angle = rng.uniform(-3.0, 3.0) if rng.random() < 0.85 else rng.uniform(-0.4, 0.4)
    scale = rng.uniform(0.98, 1.02)
    shift = (rng.uniform(-4, 4) * px_per_mm, rng.uniform(-4, 4) * px_per_mm)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[:, 2] += shift
    out = cv2.warpAffine(out, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=bed)
    sigma = rng.uniform(0.4, 1.1) * (int(dpi) / 200 if dpi != "fax" else 0.8)
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    if dpi != "fax":
        grain = max(1, int(dpi) // 100)  # paper and sensor grain about 0.25 mm across
        noise = nprng.standard_normal((h // grain + 1, w // grain + 1), dtype=np.float32) * rng.uniform(4.0, 9.0)
        out += cv2.resize(noise, (w, h), interpolation=cv2.INTER_LINEAR)
    _speckle(out, nprng, px_per_mm, rng.randint(5, 120))
    if rng.random() < 0.2:  # a faint vertical streak from dust on the scanner glass
        x = rng.randint(0, w - 3)
        out[:, x:x + rng.randint(1, 3)] -= rng.uniform(10, 40)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if upside_down:
        out = np.ascontiguousarray(out[::-1, ::-1])
    return out


def _speckle(out: np.ndarray, nprng: np.random.Generator, px_per_mm: float, count: int) -> None:
    h, w = out.shape
    ys, xs = nprng.integers(0, h, count), nprng.integers(0, w, count)
    radius = max(1, int(px_per_mm * 0.06))
    dark = nprng.random(count) < 0.85
    for y, x, d in zip(ys, xs, dark):
        r = int(nprng.integers(1, radius + 2))
        cv2.circle(out, (int(x), int(y)), r if r > 1 else 0, float(nprng.uniform(20, 120) if d else 255), -1)


def encode(img: np.ndarray, dpi: int | str, rng: random.Random) -> bytes:
    """JPEG for grey scans; a 1-bit PNG (thresholded or ordered-dithered) for faxes."""
    if dpi != "fax":
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(55, 88)])
        return buf.tobytes()
    if rng.random() < 0.6:
        bw = img > rng.uniform(150, 185)
    else:
        h, w = img.shape
        tile = np.tile(BAYER4, (math.ceil(h / 4), math.ceil(w / 4)))[:h, :w]
        bw = img.astype(np.float32) / 255.0 > (tile * 0.5 + 0.35)
    from PIL import Image
    import io
    buf = io.BytesIO()
    Image.fromarray((bw * 255).astype(np.uint8)).convert("1").save(buf, format="PNG")
    return buf.getvalue()


def add_scanned_page(out: pymupdf.Document, page: pymupdf.Page, dpi: int | str, rng: random.Random, *,
                     upside_down: bool = False, blank: bool = False) -> None:
    """Render, degrade and append ``page`` to ``out`` as one full-page image on Letter paper."""
    img = degrade(render(page, dpi), dpi, rng, upside_down=upside_down, blank=blank)
    data = encode(img, dpi, rng)
    target = out.new_page(width=612, height=792)
    target.insert_image(target.rect, stream=data)
