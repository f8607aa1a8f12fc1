"""The installed Qt binding does not leak references to None (PySide6 6.12.0 does, and the app
aborts a few seconds into real use): a broken binding fails here, naming its version."""
from __future__ import annotations

import PySide6

import qt_probe


def test_qt_calls_keep_the_reference_count_of_none(qapp):
    assert qt_probe.binding_problem() == ""


def test_a_leaking_binding_is_named(qapp, monkeypatch):
    """What 6.12.0 does, simulated: one reference lost per call."""
    monkeypatch.setattr(qt_probe, "none_refcount_drift", lambda calls: calls)
    problem = qt_probe.binding_problem()
    assert f"PySide6 {PySide6.__version__}" in problem and "by -1000 over 1000 calls" in problem
