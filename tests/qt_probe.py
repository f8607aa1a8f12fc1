"""Probes of the installed Qt binding, shared by the in-process test and the real-window driver."""
from __future__ import annotations

import sys

CALLS = 1000
TOLERANCE = 50  # the interpreter's own use of None moves the count a little; the bug moves it by CALLS


def none_refcount_drift(calls: int = CALLS) -> int:
    """References to ``None`` lost over ``calls`` Qt calls that return nothing.

    PySide6 6.12.0 drops one on every such call (Python 3.11); a few thousand calls later the
    count reaches zero and Python aborts with "Fatal Python error: none_dealloc". (From Python
    3.12 None is immortal and the count never moves.) Needs a QApplication.
    """
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    label.setText("warm-up")  # first calls fill the binding's caches
    before = sys.getrefcount(None)
    for i in range(calls):
        label.setText(str(i))
    after = sys.getrefcount(None)
    label.deleteLater()
    return before - after


def binding_problem(calls: int = CALLS) -> str:
    """Why the installed binding cannot run the app, or "" when it can."""
    import PySide6

    drift = none_refcount_drift(calls)
    if abs(drift) < TOLERANCE:
        return ""
    return (f"PySide6 {PySide6.__version__} (Qt {PySide6.QtCore.qVersion()}) changed the reference count of None "
            f"by {-drift} over {calls} calls that return nothing: the app would abort with 'none_dealloc'. "
            f"Install the version pinned in constraints.txt (pyproject.toml: PySide6<6.12).")
