"""Where the application finds its data files, in a checkout and in a PyInstaller bundle."""
from __future__ import annotations

import sys
from pathlib import Path


def app_root() -> Path:
    """The folder holding forms/ and resources/: the bundle's folder when frozen, else the checkout."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def forms_dir() -> Path:
    return app_root() / "forms"


def resources_dir() -> Path:
    return app_root() / "resources"


def demo_registry() -> Path:
    return resources_dir() / "demo" / "registered-drps.csv"
