"""Learned acceptance: the probability that a field's reading is right, from what is known
about it, and the line above which it is accepted without a clerk.

The model is a logistic regression over a handful of features of one reading (each reader's
confidence, whether they agreed, the format and the reference data, cross-field support, the
field's type, the scan's resolution). Its weights and its accept threshold are data
(``resources/acceptance.json``), fitted by ``tools/fit_acceptance.py`` on generated scans of
the tuning writers, and refitted from a site's own reviewed records by ``cisr-desk
calibrate``. The threshold is chosen, on tuning hands the fit did not see, so that wrong
readings accepted silently stay under 0.1 % of their fields.

The model never overrides a rule: a value that breaks a consistency rule goes to review
whatever the model says (``confidence.score_fields``).
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from cisr_desk.domain import reference
from cisr_desk.domain.fields import FieldType, format_error, parse_date

from cisr_desk.paths import resources_dir

MODEL_PATH = resources_dir() / "acceptance.json"  # fitted on generated scans (tools/fit_acceptance.py)
SITE_MODEL_ENV = "CISR_DESK_ACCEPTANCE"  # a site's refitted model (cisr-desk calibrate writes one)

TYPES = ("text", "account", "phone", "zip", "state", "date", "email", "drp_id")
# Features whose weight is kept at or above zero when fitting: a surer reader or agreement
# can only make acceptance more likely (tests hold the model to it).
MONOTONE = ("conf", "tess", "neural", "neural_char", "agree", "format_ok", "lexicon", "support", "twin")

# Fields that a form asks for twice, in two pieces of ink: the same value read in both is
# two independent readings agreeing.
TWINS = {"customer_name": ("customer_print_name",), "customer_print_name": ("customer_name",),
         "drp1_contact": ("drp_print_name",), "drp_print_name": ("drp1_contact",),
         "customer_sign_date": ("term_start",), "term_start": ("customer_sign_date",),
         "mailing_street": tuple(f"sa{i}_address" for i in range(1, 6)),
         **{f"sa{i}_address": ("mailing_street",) for i in range(1, 6)}}


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[.,'\-]", "", text).split()).casefold()


def twin_agrees(key: str, text: str, values: dict[str, object]) -> bool:
    """Whether a field the form repeats elsewhere was read the same there (for a service
    address: it starts with the mailing street)."""
    mine = _fold(text)
    if not mine:
        return False
    for other_key in TWINS.get(key, ()):
        other = _fold(str(values.get(other_key) or ""))
        if not other:
            continue
        if key.startswith("sa") and other and mine.startswith(other + " ") or other == mine:
            return True
        if key == "mailing_street" and other.startswith(mine + " "):
            return True
    return False


def alternatives_gap(alternatives: list[str]) -> float:
    """How far apart the readers' values are (0: they agree; 1: nothing in common)."""
    from rapidfuzz.distance import Levenshtein

    alts = [_fold(str(a)) for a in alternatives if a is not None]
    if len(alts) < 2:
        return 0.0
    return float(Levenshtein.normalized_distance(alts[0], alts[1]))
FEATURES = ("conf", "tess", "has_tess", "neural", "has_neural", "neural_char", "sure", "agree", "reasons",
            "format_ok", "lexicon", "support", "repaired", "blank", "length", "dpi", "rule", "twin", "alt_gap", "form_conf") + tuple(f"t_{t}" for t in TYPES)


def lexicon_score(ftype: FieldType, key: str, value: str, values: dict[str, object]) -> float:
    """+1 when reference data vouches for the value, -1 when it contradicts it, 0 when it
    cannot say (a name, say)."""
    if not value:
        return 0.0
    if ftype is FieldType.ZIP:
        place = reference.zip_place(value)
        if place is None:
            return -1.0
        city = str(values.get("mailing_city") or "")
        ok = reference.zip_matches_city(value, city) if city else None
        return 1.0 if ok else (-1.0 if ok is False else 0.0)
    if ftype is FieldType.STATE:
        zip_code = str(values.get("mailing_zip") or "")
        ok = reference.zip_matches_state(zip_code, value)
        return 1.0 if ok else (-1.0 if ok is False or reference.state_name(value) is None else 0.0)
    if key == "mailing_city":
        zip_code = str(values.get("mailing_zip") or "")
        ok = reference.zip_matches_city(zip_code, value)
        if ok is None:
            return 1.0 if reference.known_city(value) else -1.0
        return 1.0 if ok else -1.0
    if key.endswith("_address") and key.startswith("sa"):
        return -1.0 if reference.check_address_line(value) else (1.0 if re.search(r"\d{5}$", value) else 0.0)
    if ftype is FieldType.EMAIL:
        domain = value.rsplit("@", 1)[-1]
        return 1.0 if domain in reference.COMMON_MAIL_DOMAINS else 0.0
    if ftype is FieldType.DATE:
        return 1.0 if parse_date(value) else -1.0
    return 0.0


def features(ftype: FieldType, key: str, value: object, confidence: float, reasons: list[str],
             evidence: dict, values: dict[str, object], dpi: float | None, rule: bool = False) -> dict[str, float]:
    """The features of one reading (a plain dict, so that it can be stored with the field)."""
    text = "" if isinstance(value, bool) else str(value or "")
    f = {name: 0.0 for name in FEATURES}
    f["conf"] = float(confidence)
    if "tess" in evidence:
        f["tess"], f["has_tess"] = float(evidence["tess"]), 1.0
    if "neural" in evidence:
        f["neural"], f["has_neural"] = float(evidence["neural"]), 1.0
    # The neural reader's least sure character (read.char_sureness); readings stored before
    # it was kept count their whole confidence in its place.
    f["neural_char"] = float(evidence.get("neural_char", f["neural"]))
    f["sure"] = float(bool(evidence.get("sure")))
    f["agree"] = float(not evidence.get("disagree"))
    f["reasons"] = float(min(3, len(reasons)))
    f["format_ok"] = float(not text or format_error(ftype, text, key) is None)
    f["lexicon"] = lexicon_score(ftype, key, text, values)
    f["support"] = float(bool(evidence.get("support")))
    f["repaired"] = float(bool(evidence.get("repaired")))
    f["blank"] = float(not text)
    f["length"] = min(len(text), 40) / 20.0
    f["dpi"] = (dpi or 300.0) / 300.0
    f["rule"] = float(rule)  # a consistency rule about the field is broken
    f["twin"] = float(twin_agrees(key, text, values))
    f["alt_gap"] = alternatives_gap(list(evidence.get("alternatives", [])))
    # How sure Tesseract was across the whole form: typed forms read sure nearly everywhere,
    # hand-printed ones do not (the style of the form, as capture can know it).
    f["form_conf"] = float(evidence.get("form_conf", f["tess"]))
    if ftype.value in TYPES:
        f[f"t_{ftype.value}"] = 1.0
    return f


@dataclass
class AcceptanceModel:
    weights: dict[str, float]
    bias: float
    threshold: float
    meta: dict = field(default_factory=dict)

    def probability(self, feats: dict[str, float]) -> float:
        z = self.bias + sum(w * float(feats.get(name, 0.0)) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def accepts(self, feats: dict[str, float]) -> bool:
        return self.probability(feats) >= self.threshold

    def to_json(self) -> dict:
        return {"features": list(self.weights), "weights": [round(w, 6) for w in self.weights.values()],
                "bias": round(self.bias, 6), "threshold": round(self.threshold, 6), "meta": self.meta}

    @classmethod
    def from_json(cls, data: dict) -> "AcceptanceModel":
        weights = dict(zip(data["features"], (float(w) for w in data["weights"])))
        return cls(weights, float(data["bias"]), float(data["threshold"]), dict(data.get("meta", {})))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "AcceptanceModel":
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


_cached: dict[str, AcceptanceModel | None] = {}


def site_model_path() -> Path:
    """Where ``cisr-desk calibrate`` keeps the site's refitted model: CISR_DESK_ACCEPTANCE, else
    acceptance.json in the user's data folder."""
    import os

    if os.environ.get(SITE_MODEL_ENV):
        return Path(os.environ[SITE_MODEL_ENV])
    from platformdirs import user_data_dir

    return Path(user_data_dir("cisr-desk", appauthor=False)) / "acceptance.json"


def model_path() -> Path:
    site = site_model_path()
    return site if site.exists() else MODEL_PATH


def default_model() -> AcceptanceModel | None:
    """The site's refitted model, else the shipped one, else None (the hand-set confidence
    line is used then)."""
    path = model_path()
    key = str(path)
    if key not in _cached:
        _cached[key] = AcceptanceModel.load(path) if path.exists() else None
    return _cached[key]


# -- fitting (numpy; used by tools/fit_acceptance.py and cisr-desk calibrate) -------------------

def fit(rows: list[dict[str, float]], right: list[bool], l2: float = 1e-2, steps: int = 3000) -> AcceptanceModel:
    """Logistic regression by gradient descent; the MONOTONE weights are held at >= 0."""
    import numpy as np

    names = list(FEATURES)
    x = np.array([[float(r.get(n, 0.0)) for n in names] for r in rows], dtype=float)
    y = np.array(right, dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    xs = (x - mean) / scale
    w = np.zeros(len(names))
    b = 0.0
    mono = np.array([n in MONOTONE for n in names])
    lr = 0.5
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(xs @ w + b, -40, 40)))
        g = xs.T @ (p - y) / len(y) + l2 * w
        w -= lr * g
        b -= lr * float((p - y).mean())
        w[mono] = np.maximum(w[mono], 0.0)
    # Back to the raw feature scale, so that the stored model needs no normaliser.
    raw_w = w / scale
    raw_b = b - float((w * mean / scale).sum())
    return AcceptanceModel(dict(zip(names, map(float, raw_w))), float(raw_b), 0.5)


def choose_threshold(probabilities: list[float], right: list[bool], total_fields: int,
                     max_silent: float = 0.001) -> float:
    """The lowest threshold at which the wrong readings accepted stay within ``max_silent`` of
    ``total_fields`` (the set's fields, including those the model does not judge)."""
    pairs = sorted(zip(probabilities, right), reverse=True)
    allowed = max_silent * total_fields
    wrong = 0
    threshold = 1.0
    for i, (p, ok) in enumerate(pairs):
        wrong += not ok
        if wrong > allowed:
            break
        if i + 1 == len(pairs) or pairs[i + 1][0] < p:
            threshold = p
    return threshold
