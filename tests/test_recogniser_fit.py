"""tools/fit_recogniser.py: the lines it records are what the neural reader is given, with the
text the generator wrote; a blend lies between the shipped and the fine-tuned weights."""
from __future__ import annotations

import importlib.util
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "fit_recogniser.py"


def _tool():
    spec = importlib.util.spec_from_file_location("fit_recogniser", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_collect_records_each_fields_line_with_the_text_written_there(tmp_path):
    out = tmp_path / "lines"
    run = subprocess.run([sys.executable, str(TOOL), "collect", "--styles", "hand", "--forms", "2", "--seed", "5",
                          "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    truth = json.loads((out / "truth.json").read_text())
    forms = [fm for f in truth["files"] for fm in f["forms"]]
    assert all(fm["writer_pool"] == "tuning" for fm in forms)  # never a held-out hand
    with open(out / "lines.pkl", "rb") as f:
        lines = pickle.load(f)
    written = {(fm["writer"], k): v for fm in forms for k, v in fm["meta"]["written"].items()}
    assert len(lines) >= 20
    for line in lines:
        assert written[(line["writer"], line["key"])] == line["text"]
        image = line["image"]
        assert image.dtype == np.uint8 and image.ndim == 2 and image.shape[0] >= 24
        assert image.min() < 128  # ink, not an empty box
    assert {line["comb"] for line in lines} == {True, False}


def test_blend_lies_between_the_shipped_and_the_fine_tuned_weights(tmp_path):
    from onnx import numpy_helper

    tool = _tool()
    model, labels = tool._model()
    assert labels[0] == "<blank>"
    shipped = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    name = next(n for n, v in shipped.items() if v.ndim == 2 and v.size > 1000)
    tuned = shipped[name] + 1.0
    np.savez(tmp_path / "tuned.npz", **{f"init:{name}": tuned})
    tool.blend(tmp_path / "tuned.npz", 0.25, tmp_path / "mixed.npz")
    with np.load(tmp_path / "mixed.npz") as mixed:
        assert mixed.files == [f"init:{name}"]
        got = mixed[f"init:{name}"].astype(np.float32)
    assert np.allclose(got, shipped[name] + 0.25, atol=2e-3)  # stored as float16


def test_augment_changes_the_shapes_and_keeps_the_ink_as_capture_leaves_it():
    """fit --augment: each line slanted, scaled, bent and thickened or thinned at random, the
    ink still dark grey on pure white (what capture gives the reader), the same for the same
    random state."""
    import random

    import cv2

    tool = _tool()
    line = np.full((64, 360), 255, np.uint8)
    cv2.putText(line, "POMONA 91768", (12, 46), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 40, 3)
    line = np.where(line < 170, np.minimum(line, 90), 255).astype(np.uint8)
    shade = int(np.median(line[line < 170]))
    seen = set()
    for seed in range(12):
        out = tool.augment(line, random.Random(seed))
        assert out.dtype == np.uint8 and out.shape[0] == line.shape[0]
        assert 0.75 * line.shape[1] <= out.shape[1] <= 1.5 * line.shape[1]
        assert set(np.unique(out[out >= 170]).tolist()) == {255}  # paper stays white
        assert out[out < 170].max() <= shade  # no ink lighter than the line's own
        assert 0.4 * (line < 170).sum() <= (out < 170).sum() <= 2.5 * (line < 170).sum()  # never rubbed out
        assert np.array_equal(out, tool.augment(line, random.Random(seed)))
        seen.add(out.tobytes())
    assert len(seen) == 12  # every draw a different line
    blank = np.full((40, 100), 255, np.uint8)
    assert tool.augment(blank, random.Random(1)) is blank
