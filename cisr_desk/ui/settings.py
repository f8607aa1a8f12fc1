"""The UI's own settings (window layout, last folder, who used it last), declared once with
type and default, stored with QSettings. Site policy is not here: it lives in the database."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings


@dataclass(frozen=True)
class Option:
    key: str
    type: type
    default: Any
    doc: str = ""


OPTIONS: dict[str, Option] = {o.key: o for o in (
    Option("window/geometry", QByteArray, QByteArray(), "main window position and size"),
    Option("window/state", QByteArray, QByteArray(), "toolbars and docks"),
    Option("window/screen", str, "inbox", "the screen shown last"),
    Option("review/splitter", QByteArray, QByteArray(), "page image / fields split"),
    Option("last_folder", str, "", "where the last file dialog was"),
    Option("last_user", str, "", "the name picked at the last start"),
    Option("watch_folder", str, "", "a folder whose new PDFs are imported automatically"),
    Option("export_folder", str, "", "where weekly workbooks are written (empty: exports in the data folder)"),
    Option("tesseract_path", str, "", "Tesseract executable chosen by the user (empty: detect)"),
    Option("database_url", str, "", "database used at the next start (empty: the default)"),
)}


class UiSettings:
    """Typed access to OPTIONS; unknown keys are a programming error."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings("cisr-desk", "cisr-desk")

    def get(self, key: str) -> Any:
        opt = OPTIONS[key]
        value = self.store.value(key, opt.default)
        if value is None:
            return opt.default
        if opt.type is QByteArray:
            return value if isinstance(value, QByteArray) else QByteArray(value)
        try:
            return opt.type(value)
        except (TypeError, ValueError):
            return opt.default

    def set(self, key: str, value: Any) -> None:
        OPTIONS[key]  # noqa: B018 - fails loudly on a key nobody declared
        self.store.setValue(key, value)

    def sync(self) -> None:
        self.store.sync()
