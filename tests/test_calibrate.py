"""``cisr-desk calibrate``: the acceptance model refitted from the site's reviewed records."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import create_engine, text

from cisr_desk.capture.acceptance import FEATURES, AcceptanceModel
from cisr_desk.cli.main import main
from cisr_desk.store import fakes, service
from users_support import PASSWORD, add_users


def _features(rng: random.Random, right: bool) -> dict[str, float]:
    f = {name: 0.0 for name in FEATURES}
    conf = rng.uniform(0.7, 1.0) if right else rng.uniform(0.3, 0.9)
    f.update(conf=conf, tess=conf, has_tess=1.0, neural=conf, has_neural=1.0, format_ok=1.0, dpi=1.0,
             agree=float(right or rng.random() < 0.3), t_text=1.0, length=0.5)
    return f


@pytest.fixture
def site(tmp_path, monkeypatch, capsys):
    rng = random.Random(7)
    results, wrong = {}, {}
    for n in range(1, 31):
        form = fakes.form(fakes.clean_values(n))
        for key, reading in form.fields.items():
            if isinstance(reading.value, str) and reading.value:
                right = rng.random() < 0.85
                reading.features = _features(rng, right)
                if not right:
                    wrong.setdefault(n, []).append(key)
        results[f"f{n}.pdf"] = [form]
        (tmp_path / f"f{n}.pdf").write_bytes(b"%PDF " + str(n).encode())
    monkeypatch.setattr(service, "default_extractor", fakes.FakeExtractor(results))
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    monkeypatch.setenv("CISR_DESK_DB", url)
    monkeypatch.setenv("CISR_DESK_ACCEPTANCE", str(tmp_path / "site-acceptance.json"))
    monkeypatch.chdir(tmp_path)
    with service.Desk.open(url) as desk:
        add_users(desk, ("ann", "clerk"))
    monkeypatch.setenv("CISR_DESK_USER", "ada")
    monkeypatch.setenv("CISR_DESK_PASSWORD", PASSWORD)
    fakes.write_registry_csv(tmp_path / "registry.csv")
    assert main(["import", "--registry", "registry.csv", *[f"f{n}.pdf" for n in range(1, 31)]]) == 0
    # The clerks' work, as the store keeps it: records submitted, misread fields corrected.
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("UPDATE records SET status = 'submitted'"))
        for n, keys in wrong.items():
            for key in keys:
                c.execute(text("UPDATE field_values SET value = '\"corrected\"' WHERE record_id = :r AND key = :k"),
                          {"r": n, "k": key})
    engine.dispose()
    capsys.readouterr()
    return tmp_path


def test_calibrate_refits_from_reviewed_records(site, capsys):
    assert main(["calibrate", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "reviewed readings with features" in out and "held-out part" in out
    assert not (site / "site-acceptance.json").exists()
    assert main(["calibrate"]) == 0
    model = AcceptanceModel.load(site / "site-acceptance.json")
    assert model.meta["fitted_on"] == "reviewed records of this site"
    assert model.weights["conf"] >= 0


def test_only_a_supervisor_or_admin_refits(site, capsys):
    assert main(["calibrate", "--as", "ann"]) != 0
    assert "only a supervisor or admin" in capsys.readouterr().err


def test_calibrate_refuses_too_little(site, capsys):
    assert main(["calibrate", "--min-readings", "100000"]) != 0
    assert "at least 100000" in capsys.readouterr().err
