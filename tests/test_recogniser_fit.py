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
