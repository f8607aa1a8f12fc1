"""Settings: where Tesseract is (detected, with an install hint when missing), which database
to use, and the site policy (stored in the database, changed through the Desk)."""
from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from cisr_desk.domain.errors import DeskError
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.ui.widgets import MessageBar, heading

# The clerk's words for each policy value: (label, suffix, minimum, maximum, step). Every field of
# SitePolicy has one (a test says so): without, a row showed its raw name.
POLICY_LABELS = {
    "signature_max_age_days": ("Oldest customer signature accepted", " days", 0, 3650, 1),
    "start_max_days_ahead": ("Latest start after receipt", " days", 0, 3650, 1),
    "date_max_years_away": ("Doubt a date further from receipt than", " years", 1, 100, 1),
    "supervisor_sample_every": ("Send every Nth clean record to a supervisor", "", 0, 1000, 1),
    "review_below_confidence": ("Mark readings for review below", "", 0.0, 1.0, 0.05),
    "fuzzy_name_min_score": ("DRP name match needs at least", " %", 0.0, 100.0, 1.0),
    "hold_idle_minutes": ("A clerk's hold on a record lapses after", " minutes idle", 0, 24 * 60, 1),
    "backlog_target_days": ("Oldest unfinished form at most", " days", 0, 365, 1),
    "double_key_accounts": ("Account numbers are keyed twice", "", 0, 1, 1),
    "max_failed_sign_ins": ("Lock a user out after", " wrong passwords in a row", 1, 100, 1),
    "lockout_minutes": ("A lockout lasts", " minutes", 1, 24 * 60, 1),
    "min_password_length": ("Passwords need at least", " characters", 8, 128, 1),
}


def set_editable(box, editable: bool, why_not: str = "") -> None:
    """A policy value its reader may change, or one that plainly cannot be: greyed, read-only and
    without the spin arrows, ``why_not`` in its tooltip (disabled alone still looked editable)."""
    box.setEnabled(editable)
    # the application's palette draws a disabled box as white and its text as black as any other;
    # a spin box's text is in a line edit of its own, which a polished box no longer passes it to
    for widget in (box, box.findChild(QLineEdit)):
        if widget is not None:
            palette = widget.palette()
            palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6b7280"))
            palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base,
                             palette.color(QPalette.ColorRole.Window))
            widget.setPalette(palette)
    if isinstance(box, QAbstractSpinBox):
        box.setReadOnly(not editable)
        box.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows if editable
                             else QAbstractSpinBox.ButtonSymbols.NoButtons)
    box.setToolTip("" if editable else why_not)


class YesNo(QCheckBox):
    """A yes/no policy value, read and set like the spin boxes beside it."""

    def value(self) -> bool:
        return self.isChecked()

    def setValue(self, value) -> None:  # noqa: N802 - like QSpinBox
        self.setChecked(bool(value))


def find_tesseract(configured: str = "") -> str | None:
    try:
        from cisr_desk.capture.ocr import tesseract_binary
    except ImportError:
        import shutil

        return configured if configured and os.access(configured, os.X_OK) else shutil.which("tesseract")
    return tesseract_binary(configured or None)


def install_hint() -> str:
    try:
        from cisr_desk.capture.ocr import INSTALL_HINT
    except ImportError:
        return "Install Tesseract (on Debian/Ubuntu: sudo apt-get install tesseract-ocr) or set its location here."
    return INSTALL_HINT


def apply_tesseract_setting(path: str) -> None:
    """Make a chosen Tesseract the one found first (capture looks on PATH)."""
    if path and Path(path).is_file():
        folder = str(Path(path).parent)
        if folder not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = folder + os.pathsep + os.environ.get("PATH", "")


class SettingsScreen(QWidget):
    title = "Settings"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.message = MessageBar()

        ocr = QGroupBox("Text recognition (Tesseract)")
        self.tess_status = QLabel()
        self.tess_status.setWordWrap(True)
        self.tess_path = QLineEdit(ctx.settings.get("tesseract_path"))
        self.tess_path.setPlaceholderText("Detected automatically")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_tesseract)
        detect = QPushButton("Detect")
        detect.clicked.connect(self._save_tesseract)
        row = QHBoxLayout()
        row.addWidget(self.tess_path, 1)
        row.addWidget(browse)
        row.addWidget(detect)
        ol = QVBoxLayout(ocr)
        ol.addWidget(self.tess_status)
        ol.addLayout(row)

        db = QGroupBox("Database")
        self.db_current = QLabel(str(getattr(ctx.desk, "url", "")))
        self.db_current.setWordWrap(True)
        self.db_next = QLineEdit(ctx.settings.get("database_url"))
        self.db_next.setPlaceholderText("sqlite:///path/to/desk.sqlite or postgresql://… (empty: the default)")
        self.db_next.editingFinished.connect(lambda: ctx.settings.set("database_url", self.db_next.text().strip()))
        dl = QFormLayout(db)
        dl.addRow("In use", self.db_current)
        dl.addRow("At next start", self.db_next)

        policy = QGroupBox("Site policy")
        self.policy_form = QFormLayout(policy)
        self.identity_note = QLabel("Sign-in and password rules")  # above them; says who changes them
        self.identity_note.setObjectName("panelTitle")
        self.identity_note.setWordWrap(True)
        self.policy_inputs: dict[str, QSpinBox | QDoubleSpinBox] = {}
        for f in fields(SitePolicy):
            label, suffix, lo, hi, step = POLICY_LABELS.get(f.name, (f.name.replace("_", " "), "", 0, 10**6, 1))
            default = getattr(SitePolicy, f.name)
            if isinstance(default, bool):
                box = YesNo()
                self.policy_inputs[f.name] = box
                self.policy_form.addRow(label, box)
                continue
            box = QDoubleSpinBox() if isinstance(default, float) else QSpinBox()
            if isinstance(box, QDoubleSpinBox):
                box.setDecimals(2)
            box.setRange(lo, hi)
            box.setSingleStep(step)
            box.setSuffix(suffix)
            if f.name in ("supervisor_sample_every", "hold_idle_minutes"):
                box.setSpecialValueText("never")
            if f.name == SitePolicy.IDENTITY[0]:
                self.policy_form.addRow(self.identity_note)
            self.policy_inputs[f.name] = box
            self.policy_form.addRow(label, box)
        self.save_policy = QPushButton("Save policy")
        self.save_policy.setObjectName("primary")
        self.save_policy.setToolTip("Supervisors and admins may change the site policy")
        self.save_policy.clicked.connect(self.store_policy)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_policy)
        save_row.addStretch(1)
        self.policy_form.addRow("", save_row)

        for group in (ocr, db, policy):
            group.setMaximumWidth(820)
        # The groups scroll: the site policy alone is taller than a 1280x720 screen at 150 %.
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(ocr)
        column.addWidget(db)
        column.addWidget(policy)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addWidget(heading("Settings"))
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)

    def activate(self) -> None:
        self._show_tesseract()
        self.load_policy()

    def _show_tesseract(self) -> None:
        found = find_tesseract(self.tess_path.text().strip())
        if found:
            self.tess_status.setText(f"✔ Using {found}")
            self.tess_status.setProperty("kind", "ok")
        else:
            self.tess_status.setText(f"✘ Tesseract was not found. {install_hint()}")
            self.tess_status.setProperty("kind", "error")
        self.tess_status.style().unpolish(self.tess_status)
        self.tess_status.style().polish(self.tess_status)

    def _choose_tesseract(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Tesseract program", self.tess_path.text() or str(Path.home()))
        if path:
            self.tess_path.setText(path)
            self._save_tesseract()

    def _save_tesseract(self) -> None:
        path = self.tess_path.text().strip()
        self.ctx.settings.set("tesseract_path", path)
        apply_tesseract_setting(path)
        self._show_tesseract()

    def load_policy(self) -> None:
        try:
            policy = self.ctx.desk.policy()
        except DeskError as exc:
            self.message.show_error(exc)
            return
        for name, box in self.policy_inputs.items():
            box.setValue(getattr(policy, name))
        allowed = self.ctx.is_supervisor()
        for name, box in self.policy_inputs.items():
            if name in SitePolicy.IDENTITY:
                set_editable(box, self.ctx.is_admin(), "Only an admin changes sign-in and password rules")
            else:
                set_editable(box, allowed, "Only a supervisor or an admin changes the site policy")
        self.identity_note.setText("Sign-in and password rules" if self.ctx.is_admin() else
                                   "Sign-in and password rules — only an admin changes these")
        self.save_policy.setEnabled(allowed)

    def store_policy(self) -> None:
        values = {name: box.value() for name, box in self.policy_inputs.items()}
        try:
            self.ctx.desk.set_policy(SitePolicy.from_dict(values), self.ctx.user_name)
        except DeskError as exc:
            self.message.show_error(exc)
            return
        self.message.show_message("Site policy saved. It applies to records imported or checked from now on.",
                                  "info", 6000)
