#!/usr/bin/env python3
"""Fine-tune the neural reader's last layers (resources/recogniser-tuned.npz) on generated
hand-printing of tuning writers only.

    python tools/fit_recogniser.py collect --styles hand --forms 300 --seed 31001 --out DIR
    python tools/fit_recogniser.py collect --styles typed --forms 60 --seed 31002 --out DIR2
    python tools/fit_recogniser.py fit DIR DIR2 [--exclude breip,klee] [--augment --epochs 2] --out tuned.npz
    python tools/fit_recogniser.py blend tuned.npz 0.7 --out resources/recogniser-tuned.npz

``collect`` generates forms (cisr_desk.synth, hand-printed ones by **tuning** writers only) and
reads them with the app's own capture, recording for every text field the line image the neural
reader is given, with the text the generator wrote there (one file, DIR/lines.pkl).

``fit`` converts the shipped PP-OCRv6 recogniser (its head cut as the app loads it) to PyTorch
(onnx2torch) and fits the layers after its convolutional backbone (the sequence neck and the
classifier, 0.85 M of 2.8 M weights; batch norms frozen) with CTC on those lines.
``--augment`` changes four lines in five at random every epoch (slant, width, bent strokes, a
thicker or thinner pen: ``augment``), so the fit learns less of its own hands' shapes and more
of what any hand's letters share. ``--exclude`` leaves hands out, to choose the blend on hands
the fit has not seen.

``blend`` writes ``(1 - a) * shipped + a * tuned`` (float16): the fine-tuned weights pulled back
towards the shipped ones, which keeps what the model knew of hands the generator has none of.
``a`` is chosen by reading a validation set of hands left out of the fit (``fit --exclude``)
with ``CISR_DESK_RECOGNISER=FILE.npz`` (see capture/ppocr.py): the held-out writers are never
used to choose anything. resources/recogniser-fit.txt records the run that made the shipped file.

Needs, besides the project's own packages: torch, onnx2torch (and torchvision, which onnx2torch
imports), which the app itself never loads.
"""
from __future__ import annotations

import argparse
import math
import os
import pickle
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from cisr_desk.capture import ppocr  # noqa: E402


def collect(styles: str, forms: int, seed: int, out: Path) -> Path:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract as capture runs it (set before it loads)
    import json

    from cisr_desk.capture import pipeline, read
    from cisr_desk.domain.registry import Registry
    from cisr_desk.paths import demo_registry
    from cisr_desk.synth.generator import generate_set

    generate_set(out, forms, seed, styles=tuple(styles.split(",")), writer_pool="tuning")
    truth = json.loads((out / "truth.json").read_text())
    form_of = {(f["file"], p): fm for f in truth["files"] for fm in f["forms"] for p in fm["pages"]}
    now: dict = {}
    lines: list[dict] = []
    analyse, read_text, pad = pipeline._analyse_page, pipeline.read_text, read._pad

    def on_page(path, number, folder, force):
        now.update(page=(Path(path).name, number), first=False)
        return analyse(path, number, folder, force)

    def on_field(engine, image, spec, *args, **kwargs):
        now.update(spec=spec, first=True)  # read_text pads the neural reader's line first
        return read_text(engine, image, spec, *args, **kwargs)

    def on_pad(image, px=12):
        padded = pad(image, px)
        if now.get("first"):
            now["first"] = False
            form = form_of.get(now["page"])
            spec = now["spec"]
            text = form["meta"]["written"].get(spec.key, "") if form and form["style"] in ("hand", "typed") else ""
            if text:
                lines.append(dict(key=spec.key, type=spec.type.value, comb=spec.is_comb, style=form["style"],
                                  writer=form["writer"], text=text, image=padded))
        return padded

    pipeline._analyse_page, pipeline.read_text, read._pad = on_page, on_field, on_pad
    try:
        list(pipeline.extract_files(sorted(out.glob("*.pdf")), registry=Registry.load(demo_registry()), workers=1))
    finally:
        pipeline._analyse_page, pipeline.read_text, read._pad = analyse, read_text, pad
    with open(out / "lines.pkl", "wb") as f:
        pickle.dump(lines, f)
    print(f"{len(lines)} lines -> {out / 'lines.pkl'}")
    return out / "lines.pkl"


def _model():
    """The recogniser as the app loads it (head cut), as an ONNX graph onnx2torch converts."""
    import onnx

    chars = ppocr.dictionary()
    keep = ppocr.kept_labels(chars)
    model = ppocr.cut_model(ppocr.model_path(), keep)
    for node in model.graph.node:  # onnx2torch has no SAME_UPPER: the 2x2, stride-1 case is pads 0,0,1,1
        for a in list(node.attribute):
            if a.name == "auto_pad" and a.s == b"SAME_UPPER":
                kernel = next(x.ints for x in node.attribute if x.name == "kernel_shape")
                assert list(kernel) == [2, 2], kernel
                node.attribute.remove(a)
                node.attribute.append(onnx.helper.make_attribute("pads", [0, 0, 1, 1]))
    return model, [chars[i] for i in keep]


def augment(image: np.ndarray, rng: random.Random) -> np.ndarray:
    """The line as another writer might have printed it: letters slanted, narrowed or widened,
    strokes thicker or thinner and bent a little (a smooth random displacement field). The ink
    stays as capture leaves it (dark grey on pure white), so only the shapes change. The fit
    sees each line changed a different way in every epoch, so it learns less of its hands'
    own shapes."""
    import cv2

    h, w = image.shape[:2]
    ink = image < 170
    if not ink.any():
        return image
    shade = int(np.median(image[ink]))
    shear, scale = rng.uniform(-0.22, 0.22), rng.uniform(0.82, 1.18)
    width = max(8, int(round(w * scale + abs(shear) * h)))
    shift = shear * h if shear > 0 else 0.0  # keeps the slanted line inside the image
    matrix = np.float32([[scale, -shear, shift], [0, 1, 0]])
    out = cv2.warpAffine(image, matrix, (width, h), flags=cv2.INTER_LINEAR, borderValue=255)
    if rng.random() < 0.6:  # bent strokes: a smooth displacement of up to 5 % of the line's height
        amp, smooth = rng.uniform(0.015, 0.05) * h, max(3.0, h * rng.uniform(0.1, 0.25))
        dx = cv2.GaussianBlur(np.float32(np.random.default_rng(rng.getrandbits(32)).uniform(-1, 1, out.shape)),
                              (0, 0), smooth)
        dy = cv2.GaussianBlur(np.float32(np.random.default_rng(rng.getrandbits(32)).uniform(-1, 1, out.shape)),
                              (0, 0), smooth)
        dx *= amp / max(1e-6, float(np.abs(dx).max()))
        dy *= amp / max(1e-6, float(np.abs(dy).max()))
        gx, gy = np.meshgrid(np.arange(out.shape[1], dtype=np.float32), np.arange(h, dtype=np.float32))
        out = cv2.remap(out, gx + dx, gy + dy, cv2.INTER_LINEAR, borderValue=255)
    pen = rng.random()
    size = max(2, int(round(h / 40)))
    kernel = np.ones((size, size), np.uint8)
    if pen < 0.25:
        out = cv2.erode(out, kernel)  # the ink is dark: eroding the paper thickens the strokes
    elif pen < 0.45:
        thin = cv2.dilate(out, kernel)
        if (thin < 170).sum() > 0.4 * (out < 170).sum():  # never rub a light hand out
            out = thin
    return np.where(out < 170, np.minimum(out, shade), 255).astype(np.uint8)


def fit(folders: list[Path], exclude: set[str], epochs: int, lr: float, first: str, out: Path,
        augmented: bool = False) -> None:
    import torch
    from onnx import numpy_helper
    from onnx2torch import convert

    torch.manual_seed(1)
    random.seed(1)
    model, labels = _model()
    stored = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    net = convert(model)
    net.eval()  # batch norms keep their statistics
    order: dict[str, int] = {}
    for i, node in enumerate(net.graph.nodes):
        if node.op in ("call_module", "get_attr"):
            order.setdefault(node.target.split(".")[0] if node.op == "call_module" else node.target, i)
    tensors = list(net.named_parameters()) + [(n, b) for n, b in net.named_buffers()
                                              if b.dtype == torch.float32 and b.numel() > 1 and "running_" not in n]
    cut = order[first]
    trained: dict[str, str] = {}  # torch name -> ONNX initializer
    for name, t in tensors:
        if order.get(name, order.get(name.rsplit(".", 1)[0], -1)) < cut:
            continue
        value = t.detach().numpy()
        hits = [k for k, v in stored.items() if v.shape == value.shape and np.array_equal(v, value)]
        if len(hits) == 1:
            trained[name] = hits[0]
    for p in net.parameters():
        p.requires_grad_(False)
    params = {}  # ONNX initializer -> the torch parameter fitted in its place
    for name, onnx_name in trained.items():
        owner_name, attr = name.rsplit(".", 1)
        owner = net.get_submodule(owner_name)
        t = getattr(owner, attr)
        if not isinstance(t, torch.nn.Parameter):
            delattr(owner, attr)
            owner.register_parameter(attr, torch.nn.Parameter(t.detach().clone()))
        params[onnx_name] = getattr(owner, attr)
        params[onnx_name].requires_grad_(True)
    print(f"fitting {len(params)} tensors, {sum(p.numel() for p in params.values()):,} weights, from {first}")

    index = {c: i for i, c in enumerate(labels) if i > 0}
    rows = []
    for folder in folders:
        with open(folder / "lines.pkl", "rb") as f:
            for row in pickle.load(f):
                hand = (row["writer"] or "").rsplit("#", 1)[0]
                text = row["text"].replace(" ", "") if row["comb"] else row["text"]
                target = [index.get(c) for c in text]
                if hand not in exclude and target and None not in target:
                    rows.append((row["image"], ppocr.model_input(row["image"]), target))
    rows.sort(key=lambda r: r[1].shape[1])  # batches of like widths, padded with paper
    batches = [rows[i:i + 16] for i in range(0, len(rows), 16)]
    print(f"{len(rows)} lines, {len(batches)} batches")
    ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    optimiser = torch.optim.Adam(params.values(), lr=lr)
    for epoch in range(epochs):
        random.shuffle(batches)
        start, total = time.time(), 0.0
        for lines in batches:
            batch = [(ppocr.model_input(augment(image, random)) if augmented and random.random() < 0.8 else x, t)
                     for image, x, t in lines]
            width = max(x.shape[1] for x, _ in batch)
            pixels = np.ones((len(batch), 3, ppocr.HEIGHT, width), np.float32)
            for i, (x, _) in enumerate(batch):
                pixels[i, :, :, : x.shape[1]] = x
            probs = net(torch.from_numpy(pixels))  # (B, T, C) softmax
            logp = torch.log(probs.clamp_min(1e-10)).permute(1, 0, 2)
            steps = logp.shape[0]
            loss = ctc(logp, torch.tensor([i for _, t in batch for i in t]),
                       torch.tensor([min(steps, math.ceil(x.shape[1] / 8) + 1) for x, _ in batch]),
                       torch.tensor([len(t) for _, t in batch]))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach())
            if not math.isfinite(total):  # seen once with torch on one OpenMP thread: stop, write nothing
                raise SystemExit(f"the CTC loss is {total} (batch of widths {[x.shape[1] for x, _ in batch]})")
        print(f"epoch {epoch + 1}: CTC loss {total / len(batches):.4f} ({time.time() - start:.0f} s)")
    ppocr.write_tuning(out, {name: p.detach().numpy() for name, p in params.items()})
    print(f"wrote {out}")


def blend(tuned_path: Path, share: float, out: Path) -> None:
    from onnx import numpy_helper

    model, _ = _model()
    shipped = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    tuned = ppocr.read_tuning(tuned_path)
    ppocr.write_tuning(out, {name: (1 - share) * shipped[name] + share * value for name, value in tuned.items()},
                       np.float16)
    print(f"wrote {out}: {share:.2f} of the fine-tuned weights")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--styles", default="hand")
    c.add_argument("--forms", type=int, default=300)
    c.add_argument("--seed", type=int, default=31001)
    c.add_argument("--out", type=Path, required=True)
    f = sub.add_parser("fit")
    f.add_argument("folders", type=Path, nargs="+")
    f.add_argument("--exclude", default="", help="hands left out (comma list)")
    f.add_argument("--epochs", type=int, default=1)
    f.add_argument("--lr", type=float, default=3e-4)
    f.add_argument("--first", default="Conv/54", help="the first module fitted (the neck's first convolution)")
    f.add_argument("--augment", action="store_true", help="each line slanted, scaled, bent and re-inked at random")
    f.add_argument("--out", type=Path, required=True)
    b = sub.add_parser("blend")
    b.add_argument("tuned", type=Path)
    b.add_argument("share", type=float)
    b.add_argument("--out", type=Path, default=ROOT / "resources" / ppocr.TUNING)
    a = ap.parse_args()
    if a.command == "collect":
        collect(a.styles, a.forms, a.seed, a.out)
    elif a.command == "fit":
        fit(a.folders, set(filter(None, a.exclude.split(","))), a.epochs, a.lr, a.first, a.out, a.augment)
    else:
        blend(a.tuned, a.share, a.out)


if __name__ == "__main__":
    main()
