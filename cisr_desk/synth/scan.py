"""Turn a vector page into what the mail room's scanner or fax produces, and embed it in a PDF.

Grey scans: 150/200/300 dpi, paper tone, a few degrees of skew, shift and scale, a little blur,
speckles, sensor noise and JPEG compression. Fax: 204 x 196 dpi, thresholded or dithered to
bi-level. Each result is one image on a Letter page, as scanners write their PDFs.

Now and then a page also gets what tired machines and handled paper add (``wear``): show-through
of the back, a curl near an edge, toner streaks and faded bands, a wobble of the scan head
(motion blur), an office stamp in a margin, heavy JPEG; a fax may come in standard resolution
(every line sent twice), with a transmission header, dropped lines and line noise. Each effect
is its own small function of the image and a seeded generator, so a set stays the same for a seed.
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
    if not blank:
        out = wear(out, dpi, rng, nprng)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if upside_down:
        out = np.ascontiguousarray(out[::-1, ::-1])
    return out


def wear(img: np.ndarray, dpi: int | str, rng: random.Random, nprng: np.random.Generator) -> np.ndarray:
    """Some of the faults of real office scans and faxes, each on a share of the pages (float image)."""
    px_per_mm = (FAX[0] if dpi == "fax" else int(dpi)) / 25.4
    out = img
    if rng.random() < 0.15:
        out = _show_through(out, rng)
    if rng.random() < 0.15:
        out = _curl(out, px_per_mm, rng)
    if rng.random() < 0.15:
        _toner(out, px_per_mm, rng, nprng)
    if rng.random() < 0.1:
        out = _shake(out, px_per_mm, rng)
    if rng.random() < 0.12:
        _office_stamp(out, px_per_mm, rng)
    if dpi == "fax":
        if rng.random() < 0.3:
            _fax_header(out, px_per_mm, rng)
        if rng.random() < 0.25:  # standard resolution: 98 lines an inch, each shown twice
            out[1::2] = out[0:out.shape[0] - 1:2][:out[1::2].shape[0]]
        if rng.random() < 0.15:
            _dropped_lines(out, rng, nprng)
    return out


def _show_through(img: np.ndarray, rng: random.Random) -> np.ndarray:
    """The back of the sheet showing through thin paper: a faint, soft mirror image."""
    back = cv2.GaussianBlur(img[:, ::-1], (0, 0), rng.uniform(2.0, 4.0))
    paper = float(np.percentile(img, 90))
    return img - (paper - back).clip(0, None) * rng.uniform(0.03, 0.08)


def _curl(img: np.ndarray, px_per_mm: float, rng: random.Random) -> np.ndarray:
    """A sheet not flat on the glass along one edge: content pulled inwards and shaded there."""
    h, w = img.shape
    depth = rng.uniform(15, 45) * px_per_mm  # how far in from the edge the curl reaches
    pull = rng.uniform(0.6, 2.0) * px_per_mm  # displacement at the edge itself
    edge = rng.choice(("left", "right", "top", "bottom"))
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    dist = {"left": xs, "right": w - 1 - xs, "top": ys, "bottom": h - 1 - ys}[edge]
    t = np.clip(1 - dist / depth, 0, 1) ** 2
    sign = 1 if edge in ("left", "top") else -1
    if edge in ("left", "right"):
        xs = xs + sign * pull * t
        ys = ys + (ys - h / 2) / (h / 2) * pull * 0.4 * t
    else:
        ys = ys + sign * pull * t
        xs = xs + (xs - w / 2) / (w / 2) * pull * 0.4 * t
    out = cv2.remap(img, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out - t * rng.uniform(10, 35)


def _toner(img: np.ndarray, px_per_mm: float, rng: random.Random, nprng: np.random.Generator) -> None:
    """A light band where the toner ran low, or dark streaks from a dirty drum, down the page."""
    h, w = img.shape
    for _ in range(rng.randint(1, 3)):
        x = rng.randint(0, w - 1)
        width = max(1, int(rng.uniform(0.3, 6.0) * px_per_mm))
        profile = np.sin(np.linspace(0, np.pi, width, dtype=np.float32))
        if rng.random() < 0.5:  # faded: ink lightened towards paper
            paper = float(np.percentile(img, 90))
            band = img[:, x:x + width]
            band += (paper - band) * profile[:band.shape[1]] * rng.uniform(0.25, 0.6)
        else:
            along = cv2.resize(nprng.uniform(0.3, 1.0, (8, 1)).astype(np.float32), (1, h))
            img[:, x:x + width] -= (along * profile[None, :])[:, :img[:, x:x + width].shape[1]] * rng.uniform(15, 50)


def _shake(img: np.ndarray, px_per_mm: float, rng: random.Random) -> np.ndarray:
    """The scan head jerking: a short motion blur along the feed direction."""
    n = max(2, int(rng.uniform(0.15, 0.4) * px_per_mm))
    kernel = np.zeros((n, n), np.float32)
    kernel[:, n // 2] = 1.0 / n
    return cv2.filter2D(img, -1, kernel)


def _office_stamp(img: np.ndarray, px_per_mm: float, rng: random.Random) -> None:
    """A rubber stamp (COPY, SCANNED, FAXED, a date) in the top or bottom margin, a little crooked."""
    h, w = img.shape
    word = rng.choice(("COPY", "SCANNED", "FAXED", "ENTERED", "FILE COPY", rng.choice(("NOV", "DEC", "OCT"))
                       + f" {rng.randint(1, 28):02d} 2026"))
    scale = px_per_mm * rng.uniform(0.18, 0.3)
    thick = max(1, int(px_per_mm * 0.4))
    (tw, th), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_DUPLEX, scale, thick)
    patch = np.zeros((th * 3, tw + th * 2), np.uint8)
    cv2.putText(patch, word, (th, 2 * th), cv2.FONT_HERSHEY_DUPLEX, scale, 255, thick, cv2.LINE_AA)
    cv2.rectangle(patch, (thick, thick), (patch.shape[1] - thick - 1, patch.shape[0] - thick - 1), 255, thick)
    m = cv2.getRotationMatrix2D((patch.shape[1] / 2, patch.shape[0] / 2), rng.uniform(-8, 8), 1.0)
    patch = cv2.warpAffine(patch, m, (patch.shape[1], patch.shape[0])).astype(np.float32) / 255.0
    ph, pw = patch.shape
    if pw >= w or ph * 3 >= h:
        return
    y = rng.randint(int(2 * px_per_mm), int(9 * px_per_mm)) if rng.random() < 0.5 else \
        h - ph - rng.randint(int(2 * px_per_mm), int(9 * px_per_mm))
    x = rng.randint(int(0.45 * w), w - pw - 1)
    region = img[y:y + ph, x:x + pw]
    region -= patch[:region.shape[0], :region.shape[1]] * rng.uniform(70, 140)


def _fax_header(img: np.ndarray, px_per_mm: float, rng: random.Random) -> None:
    """The sending machine's line at the top: date, time, sender number, page."""
    h, w = img.shape
    text = (f"{rng.choice(('NOV', 'DEC', 'OCT'))}-{rng.randint(1, 28):02d}-2026  {rng.randint(7, 18):02d}:"
            f"{rng.randint(0, 59):02d}   FROM:{rng.randint(200, 999)} {rng.randint(200, 999)} {rng.randint(0, 9999):04d}"
            f"   TO:626 302 {rng.randint(1000, 9999)}   P.{rng.randint(1, 9)}")
    band = int(rng.uniform(2.5, 5.0) * px_per_mm)
    img[:band] = np.maximum(img[:band], float(np.percentile(img, 90)))
    ink = np.zeros((band, w), np.uint8)  # OpenCV draws text on 8-bit images only
    cv2.putText(ink, text, (int(rng.uniform(8, 30) * px_per_mm), band - int(px_per_mm * 0.6)), cv2.FONT_HERSHEY_PLAIN,
                px_per_mm * 0.16, 255, max(1, int(px_per_mm * 0.15)), cv2.LINE_8)
    img[:band] -= ink.astype(np.float32) * (img[:band].max() / 255.0)


def _dropped_lines(img: np.ndarray, rng: random.Random, nprng: np.random.Generator) -> None:
    """Line noise on the phone line: a few scan lines lost (white) or smeared (a copy of the line above)."""
    h, _ = img.shape
    for y in nprng.integers(1, h - 4, rng.randint(1, 6)):
        n = rng.randint(1, 3)
        if rng.random() < 0.5:
            img[y:y + n] = float(np.percentile(img, 95))
        else:
            img[y:y + n] = img[y - 1]


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
        quality = rng.randint(55, 88) if rng.random() < 0.85 else rng.randint(22, 45)  # some scanners squeeze hard
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
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
