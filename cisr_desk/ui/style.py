"""The application's look: Fusion with a calm light palette; amber marks what is in doubt,
red what is wrong, blue what is selected or primary."""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

QSS = """
QWidget { font-size: 10pt; }
#nav { background: #1f2937; color: #e5e7eb; border: none; padding-top: 8px; outline: 0; }
#nav::item { padding: 4px 10px; border-left: 3px solid transparent; }
#nav::item:selected { background: #374151; color: white; border-left: 3px solid #60a5fa; }
#nav::item:hover:!selected { background: #2b3544; }
#screenTitle { font-size: 15pt; font-weight: 600; color: #111827; }
#screenSub, #hint { color: #6b7280; }
#hint[state="doubt"] { color: #b45309; font-weight: 600; }
#hint[state="ok"] { color: #15803d; font-weight: 600; }
#recordTitle { font-size: 13pt; font-weight: 600; color: #111827; }
#panelTitle { font-weight: 600; color: #374151; margin-top: 4px; }
#sectionHeader { font-weight: 700; color: #1f2937; border-bottom: 1px solid #d1d5db;
                 padding: 8px 0 3px 0; margin-top: 4px; }
#sectionHeader[state="doubt"] { color: #92400e; border-bottom: 1px solid #f59e0b; }
#fieldLabel { color: #374151; }
#fieldLabel[state="doubt"] { color: #92400e; font-weight: 600; }
#fieldCrop { background: white; border: 1px solid #e5e7eb; }
#fieldCrop[state="doubt"] { border: 1px solid #f59e0b; }
QLineEdit#fieldEditor { padding: 3px 5px; border: 1px solid #d1d5db; border-radius: 3px; background: white; }
QLineEdit#fieldEditor[state="doubt"] { background: #fffbeb; border: 1px solid #f59e0b; }
QLineEdit#fieldEditor:focus { border: 2px solid #2563eb; }
QCheckBox#fieldEditor[state="doubt"] { color: #92400e; font-weight: 600; }
QCheckBox#fieldEditor:focus { color: #1d4ed8; }
#fieldConfidence { color: #6b7280; font-size: 9pt; }
#fieldConfidence[state="doubt"] { color: #b45309; font-weight: 600; }
#fieldReason { color: #b45309; font-size: 9pt; padding-bottom: 3px; }
#issueList { background: #fef2f2; border: 1px solid #fecaca; color: #7f1d1d; }
#issueText[kind="error"] { color: #991b1b; }
#issueText[kind="ok"] { color: #15803d; }
#flagReason { color: #374151; font-style: italic; }
#messageBar { border-radius: 4px; background: #eff6ff; border: 1px solid #bfdbfe; }
#messageBar[kind="error"] { background: #fef2f2; border: 1px solid #fca5a5; color: #7f1d1d; }
#messageBar[kind="warning"] { background: #fffbeb; border: 1px solid #fcd34d; color: #78350f; }
#dropZone { border: 2px dashed #9ca3af; border-radius: 8px; background: #f9fafb; padding: 14px; }
#dropText { font-size: 12pt; color: #374151; }
#card { background: white; border: 1px solid #e5e7eb; border-radius: 6px; }
QPushButton { padding: 5px 12px; }
QPushButton:disabled { color: #9ca3af; }
QLineEdit:disabled, QSpinBox:disabled, QComboBox:disabled, QDateEdit:disabled, QCheckBox:disabled,
QLabel:disabled { color: #9ca3af; }
QPushButton#primary { background: #2563eb; color: white; border: 1px solid #1d4ed8; border-radius: 4px;
                      font-weight: 600; }
QPushButton#primary:disabled { background: #93c5fd; border-color: #93c5fd; color: white; }
QPushButton#pageButton:checked { background: #dbeafe; border: 1px solid #60a5fa; }
QTableView { background: white; alternate-background-color: #f9fafb; selection-background-color: #dbeafe;
             selection-color: #111827; border: 1px solid #e5e7eb; }
QHeaderView::section { background: #f3f4f6; border: none; border-bottom: 1px solid #d1d5db; padding: 4px 6px;
                       font-weight: 600; color: #374151; }
#userLabel { font-weight: 600; color: #1f2937; }
QGroupBox { font-weight: 600; border: 1px solid #e5e7eb; border-radius: 6px; margin-top: 12px; padding-top: 8px; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; }
QLabel[kind="error"] { color: #991b1b; }
QLabel[kind="ok"] { color: #15803d; }
"""


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f3f4f6"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f9fafb"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2563eb"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#111827"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#111827"))
    palette.setColor(QPalette.ColorRole.Button, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.ButtonText, QColor("#111827"))
    app.setPalette(palette)
    font = QFont(app.font())
    if font.pointSizeF() < 9.5:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(QSS)
