"""PySide6 lives only in cisr_desk/ui, and the UI reaches the store only through the Desk
facade (and its plain data classes), never its tables or sessions."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cisr_desk"
STORE_ALLOWED = {"cisr_desk.store.service", "cisr_desk.store.db", "cisr_desk.store.dto"}


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_ui_imports_qt():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if "ui" not in p.relative_to(PACKAGE).parts[:1]
                 and any(n.split(".")[0] == "PySide6" for n in imports(p))]
    assert offenders == []


def test_ui_uses_the_store_only_through_the_desk():
    for path in (PACKAGE / "ui").glob("*.py"):
        store = {n for n in imports(path) if n.startswith("cisr_desk.store")}
        assert store <= STORE_ALLOWED, (path.name, store - STORE_ALLOWED)
        assert not any(n.startswith("sqlalchemy") for n in imports(path)), path.name
